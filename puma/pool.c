// SPDX-License-Identifier: GPL-2.0
/*
 * Filesystem pools.
 *
 * Pools are indexed by the superblock's s_dev, which is unique among live
 * superblocks, in an XArray whose lock is taken with IRQs off: lookups
 * happen on the eviction path under the mapping's i_pages lock, which is
 * IRQ-safe.  Lookups are lockless (RCU) and take a reference; the index
 * holds one reference of its own, dropped when the pool is removed.  The
 * last put frees the pool after an RCU grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "pool.h"

static DEFINE_XARRAY_FLAGS(puma_pools, XA_FLAGS_LOCK_IRQ);
/* Where pools are freed: their records may take a while to erase. */
static struct workqueue_struct *puma_pool_wq;
static atomic_t puma_pool_last_id = ATOMIC_INIT(0);

/* Counters of the whole module; each pool has its own as well. */
struct puma_stats puma_global_stats;

static void puma_pool_free(struct work_struct *work)
{
	struct puma_pool *pool = container_of(to_rcu_work(work),
					      struct puma_pool, free_work);

	puma_meta_destroy(&pool->meta);
	puma_stats_free(&pool->stats);
	kfree(pool);
}

static void puma_pool_release(struct kref *ref)
{
	struct puma_pool *pool = container_of(ref, struct puma_pool, ref);

	/* After a grace period: lockless lookups may still read it. */
	INIT_RCU_WORK(&pool->free_work, puma_pool_free);
	queue_rcu_work(puma_pool_wq, &pool->free_work);
}

/**
 * puma_pool_put() - drop a reference taken by a lookup
 * @pool: the pool, or NULL
 *
 * Context: any.
 */
void puma_pool_put(struct puma_pool *pool)
{
	if (pool)
		kref_put(&pool->ref, puma_pool_release);
}

/**
 * puma_pool_add() - create the pool of @sb
 * @sb: a live superblock
 *
 * A pool left behind by a superblock that used the same s_dev before (an
 * unmount PUMA did not see) is replaced.
 *
 * Context: process, may sleep.
 * Return: 0 when a pool was created, -EEXIST when @sb has one, -ENOMEM.
 */
int puma_pool_add(struct super_block *sb)
{
	struct puma_pool *pool, *old;
	int ret;

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return -ENOMEM;
	ret = puma_stats_alloc(&pool->stats, GFP_KERNEL);
	if (ret) {
		kfree(pool);
		return ret;
	}
	pool->sb = sb;
	pool->dev = sb->s_dev;
	pool->id = atomic_inc_return(&puma_pool_last_id);
	strscpy(pool->fstype, sb->s_type->name, sizeof(pool->fstype));
	strscpy(pool->s_id, sb->s_id, sizeof(pool->s_id));
	kref_init(&pool->ref);
	puma_meta_init(&pool->meta);

	xa_lock_irq(&puma_pools);
	old = xa_load(&puma_pools, sb->s_dev);
	if (old && old->sb == sb) {
		xa_unlock_irq(&puma_pools);
		puma_pool_put(pool);
		return -EEXIST;
	}
	old = __xa_store(&puma_pools, sb->s_dev, pool, GFP_ATOMIC);
	xa_unlock_irq(&puma_pools);
	if (xa_is_err(old)) {
		puma_pool_put(pool);
		return xa_err(old);
	}
	if (old) {
		pr_warn_ratelimited("replaced stale pool %u of dev %u:%u\n",
				    old->id, MAJOR(old->dev), MINOR(old->dev));
		puma_pool_put(old);
	}
	return 0;
}

/**
 * puma_pool_find() - the pool of @sb, referenced
 * @sb: a superblock
 *
 * Context: any; lockless.
 * Return: the pool (release with puma_pool_put()) or NULL.
 */
struct puma_pool *puma_pool_find(const struct super_block *sb)
{
	struct puma_pool *pool;

	rcu_read_lock();
	pool = xa_load(&puma_pools, sb->s_dev);
	if (pool && (pool->sb != sb || !kref_get_unless_zero(&pool->ref)))
		pool = NULL;
	rcu_read_unlock();
	return pool;
}

/**
 * puma_pool_remove() - take the pool of @sb out of the index
 * @sb: a superblock
 *
 * Context: any.
 * Return: the pool, with the index's reference now the caller's, or NULL.
 */
struct puma_pool *puma_pool_remove(const struct super_block *sb)
{
	struct puma_pool *pool;
	unsigned long flags;

	xa_lock_irqsave(&puma_pools, flags);
	pool = xa_load(&puma_pools, sb->s_dev);
	if (pool && pool->sb == sb)
		__xa_erase(&puma_pools, sb->s_dev);
	else
		pool = NULL;
	xa_unlock_irqrestore(&puma_pools, flags);
	return pool;
}

/**
 * puma_pool_unlink() - take @pool out of the index if it is still there
 * @pool: a pool the caller holds a reference to
 *
 * Works on the pool's identity alone: its superblock may be gone.
 *
 * Context: any.
 * Return: true when this call removed it; the index's reference is then
 * the caller's to drop.
 */
bool puma_pool_unlink(struct puma_pool *pool)
{
	unsigned long flags;
	void *old;

	xa_lock_irqsave(&puma_pools, flags);
	old = __xa_cmpxchg(&puma_pools, pool->dev, pool, NULL, GFP_ATOMIC);
	xa_unlock_irqrestore(&puma_pools, flags);
	return old == pool;
}

/**
 * puma_pool_next() - iterate over the pools
 * @index: the s_dev to start from; set past the pool returned
 *
 * Context: any.
 * Return: the first pool at or after *@index, referenced, or NULL.
 */
struct puma_pool *puma_pool_next(unsigned long *index)
{
	struct puma_pool *pool;

	rcu_read_lock();
	do {
		pool = xa_find(&puma_pools, index, ULONG_MAX, XA_PRESENT);
		if (pool)
			(*index)++;
	} while (pool && !kref_get_unless_zero(&pool->ref));
	rcu_read_unlock();
	return pool;
}

/**
 * puma_pools_init() - allocate the module-wide counters and the caches of
 * the pools' metadata
 *
 * Return: 0 or -ENOMEM.
 */
int puma_pools_init(void)
{
	int ret;

	ret = puma_meta_caches_init();
	if (ret)
		return ret;
	puma_pool_wq = alloc_workqueue("puma-pool", WQ_UNBOUND, 0);
	if (!puma_pool_wq) {
		puma_meta_caches_exit();
		return -ENOMEM;
	}
	ret = puma_stats_alloc(&puma_global_stats, GFP_KERNEL);
	if (ret) {
		destroy_workqueue(puma_pool_wq);
		puma_meta_caches_exit();
	}
	return ret;
}

/**
 * puma_pools_exit() - free every pool and wait until they are gone
 *
 * Context: process; no hook may still run.
 */
void puma_pools_exit(void)
{
	struct puma_pool *pool;
	unsigned long index;

	xa_lock_irq(&puma_pools);
	xa_for_each(&puma_pools, index, pool) {
		__xa_erase(&puma_pools, index);
		puma_pool_put(pool);
	}
	xa_unlock_irq(&puma_pools);
	/* queue_rcu_work() uses call_rcu(): wait for those, then the work. */
	rcu_barrier();
	destroy_workqueue(puma_pool_wq);
	/* puma_meta_destroy() frees inodes and chunks after a grace period. */
	rcu_barrier();
	puma_meta_caches_exit();
	puma_stats_free(&puma_global_stats);
}
