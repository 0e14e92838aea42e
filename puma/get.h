/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The get path: pages a lender holds are read back in readahead.
 */
#ifndef _PUMA_GET_H
#define _PUMA_GET_H

struct inode;
struct puma_pool;
struct readahead_control;

bool puma_inode_supported(const struct inode *inode);
unsigned long puma_get_window(struct puma_pool *pool,
			      struct readahead_control *ractl,
			      unsigned long nr_to_read,
			      unsigned long lookahead_size);

#endif /* _PUMA_GET_H */
