/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Filesystem pools: one per mounted superblock whose type is opted in.
 * A pool is what remote pages of that filesystem are filed under.
 */
#ifndef _PUMA_POOL_H
#define _PUMA_POOL_H

#include <linux/kref.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "meta.h"
#include "options.h"
#include "stats.h"

struct super_block;

/**
 * struct puma_pool - PUMA's state for one mounted filesystem
 * @sb: the superblock, as an identity only: never dereferenced, since a
 *	pool may outlive the mount by an RCU grace period
 * @dev: the superblock's s_dev, the pool's index
 * @id: unique while the module is loaded; the pool's name on the wire
 * @fstype: filesystem type name, copied at creation
 * @s_id: the superblock's s_id (usually the device name), copied
 * @stats: this pool's counters
 * @meta: records of this pool's pages that lenders hold
 * @ref: references: one for the index, one per user
 * @free_work: frees the pool after lockless lookups are done
 */
struct puma_pool {
	const struct super_block *sb;
	dev_t dev;
	u32 id;
	char fstype[PUMA_FS_NAME_LEN];
	char s_id[32];
	struct puma_stats stats;
	struct puma_meta meta;
	struct kref ref;
	struct rcu_work free_work;
};

extern struct puma_stats puma_global_stats;

int puma_pool_add(struct super_block *sb);
struct puma_pool *puma_pool_find(const struct super_block *sb);
struct puma_pool *puma_pool_remove(const struct super_block *sb);
bool puma_pool_unlink(struct puma_pool *pool);
struct puma_pool *puma_pool_next(unsigned long *index);
void puma_pool_put(struct puma_pool *pool);
int puma_pools_init(void);
void puma_pools_exit(void);

/**
 * puma_count() - add @n to counter @stat of @pool and of the module
 * @pool: the pool the event belongs to
 * @stat: which counter
 * @n: amount
 *
 * Context: any.
 */
static inline void puma_count(struct puma_pool *pool, enum puma_stat stat,
			      u64 n)
{
	puma_stats_add(&pool->stats, stat, n);
	puma_stats_add(&puma_global_stats, stat, n);
}

#endif /* _PUMA_POOL_H */
