/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lender's page store: pages borrowers put, kept in the lender's own
 * page cache (private inodes of an internal pseudo filesystem), so that
 * the lender's ordinary reclaim takes them back when it needs memory.
 */
#ifndef _PUMA_STORE_H
#define _PUMA_STORE_H

#include <linux/types.h>

#include "key.h"

struct puma_store;

/* Sessions (stores) served at once: default and limits. */
#define PUMA_STORE_MAX_STORES_DEFAULT	64
#define PUMA_STORE_MAX_STORES_MIN	1
#define PUMA_STORE_MAX_STORES_MAX	1024

/**
 * struct puma_store_info - one store's figures
 * @held: pages held now
 * @stored: pages received and kept, ever
 * @reclaimed: pages the kernel took back
 * @dropped: pages dropped on the borrower's request (invalidations,
 *	exclusive gets, replaced content)
 * @refused_quota: pages refused because the borrower's quota was full
 * @refused_memory: pages refused because all borrowers together held the
 *	lender's max-memory
 * @refused_files: pages refused at the store's file limit
 * @refused_nomem: pages refused because no memory could be allocated
 * @get_hits: pages sent back
 * @get_misses: pages asked for and not held
 */
struct puma_store_info {
	u64 held;
	u64 stored;
	u64 reclaimed;
	u64 dropped;
	u64 refused_quota;
	u64 refused_memory;
	u64 refused_files;
	u64 refused_nomem;
	u64 get_hits;
	u64 get_misses;
};

int puma_store_init(void);
void puma_store_exit(void);

struct puma_store *puma_store_get(u64 node_id, u64 session, u64 quota_pages);
void puma_store_put(struct puma_store *store);

int puma_store_put_page(struct puma_store *store, const struct puma_key *key,
			const void *data);
bool puma_store_get_page(struct puma_store *store, const struct puma_key *key,
			 void *dst, bool exclusive);
void puma_store_drop_page(struct puma_store *store,
			  const struct puma_key *key);
void puma_store_drop_inode(struct puma_store *store, u32 pool, u64 ino,
			   u32 gen);
void puma_store_drop_pool(struct puma_store *store, u32 pool);
void puma_store_info(struct puma_store *store, struct puma_store_info *info);
u64 puma_store_held_pages(void);
u64 puma_store_files(void);
void puma_store_set_max_pages(u64 pages);
void puma_store_set_max_stores(unsigned int stores);
unsigned int puma_store_max_stores_get(void);

#endif /* _PUMA_STORE_H */
