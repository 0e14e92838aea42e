/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The borrower's front end: PUMA's implementation of the cleancache-style
 * hook operations.
 */
#ifndef _PUMA_FRONTEND_H
#define _PUMA_FRONTEND_H

#include <linux/types.h>

struct super_block;

void puma_frontend_init_fs(struct super_block *sb);
void puma_frontend_prune(void);
void puma_frontend_invalidate_all(void);
void puma_frontend_forget_lender(u8 slot);
int puma_frontend_init(void);
void puma_frontend_exit(void);

#endif /* _PUMA_FRONTEND_H */
