// SPDX-License-Identifier: GPL-2.0
/*
 * The borrower's front end.
 *
 * hooks.c calls these operations from the page cache; they file each event
 * under the pool of the event's filesystem.  Only filesystems with a pool
 * (opted in, see config.c) are acted on; everything else returns at once.
 *
 * For now the operations count what they see.  The invariant they will
 * keep once pages travel to lenders: PUMA asks for a page only while its
 * metadata says a lender holds the newest clean content of that page;
 * every invalidation clears metadata before anything else.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "config.h"
#include "frontend.h"
#include "hooks.h"
#include "pool.h"

/**
 * puma_frontend_init_fs() - the init_fs operation: give @sb a pool
 * @sb: a mounted superblock
 *
 * Called when a filesystem is mounted, for every mounted filesystem when
 * the module loads, and when the opt-in list changes.  Idempotent.
 *
 * Context: process, may sleep.
 */
void puma_frontend_init_fs(struct super_block *sb)
{
	int ret;

	if (!puma_config_fs_opted_in(sb))
		return;
	ret = puma_pool_add(sb);
	/*
	 * A writer of the list may have pruned between the check and the
	 * add: check again now that the pool is visible to prune.
	 */
	smp_mb();
	if (!ret && !puma_config_fs_opted_in(sb)) {
		struct puma_pool *pool = puma_pool_remove(sb);

		if (pool)
			puma_pool_put(pool);
		return;
	}
	if (!ret) {
		puma_stats_inc(&puma_global_stats, PUMA_STAT_POOLS_CREATED);
		pr_debug("pool for %s (%s)\n", sb->s_id, sb->s_type->name);
	} else if (ret != -EEXIST) {
		pr_warn_ratelimited("no pool for %s: %d\n", sb->s_id, ret);
	}
}

/*
 * A folio whose content equals what the filesystem would read from disk.
 * A poisoned folio (memory failure) also leaves through the eviction path
 * on some filesystems: its content is lost, never a copy to keep.
 */
static bool puma_folio_clean(struct folio *folio)
{
	return folio_test_uptodate(folio) && !folio_test_dirty(folio) &&
	       !folio_test_writeback(folio) && !folio_test_hwpoison(folio);
}

/*
 * put: a clean page-cache folio leaves the cache by eviction.
 * Context: IRQs off, i_pages locked, folio locked; must not sleep.
 */
static void puma_frontend_put(struct folio *folio)
{
	struct puma_pool *pool = puma_pool_find(folio->mapping->host->i_sb);

	if (!pool)
		return;
	if (puma_folio_clean(folio))
		puma_count(pool, PUMA_STAT_PUTS, folio_nr_pages(folio));
	else
		puma_count(pool, PUMA_STAT_PUTS_INELIGIBLE,
			   folio_nr_pages(folio));
	puma_pool_put(pool);
}

/*
 * get: readahead is about to read @nr_to_read pages from disk.
 * Context: process, may sleep; the caller holds a file reference.
 */
static void puma_frontend_get(struct readahead_control *ractl,
			      unsigned long nr_to_read)
{
	struct puma_pool *pool = puma_pool_find(ractl->mapping->host->i_sb);

	if (!pool)
		return;
	puma_count(pool, PUMA_STAT_GETS, 1);
	puma_count(pool, PUMA_STAT_GET_PAGES, nr_to_read);
	puma_pool_put(pool);
}

/*
 * invalidate_page: a folio leaves the cache because its content is about to
 * change or be discarded (truncate, hole punch, direct I/O).
 * Context: IRQs off, i_pages locked; must not sleep.
 */
static void puma_frontend_invalidate_page(struct folio *folio)
{
	struct puma_pool *pool = puma_pool_find(folio->mapping->host->i_sb);

	if (!pool)
		return;
	puma_count(pool, PUMA_STAT_INVALIDATE_PAGES, folio_nr_pages(folio));
	puma_pool_put(pool);
}

/*
 * invalidate_inode: a range of the file or the whole file changes or goes.
 * Context: any; must not sleep.
 */
static void puma_frontend_invalidate_inode(struct address_space *mapping)
{
	struct puma_pool *pool = puma_pool_find(mapping->host->i_sb);

	if (!pool)
		return;
	puma_count(pool, PUMA_STAT_INVALIDATE_INODES, 1);
	puma_pool_put(pool);
}

/* Forget everything filed under @pool, taken out of the index. */
static void puma_frontend_drop(struct puma_pool *pool)
{
	puma_count(pool, PUMA_STAT_INVALIDATE_FS, 1);
	puma_pool_put(pool);
}

/*
 * invalidate_fs: @sb has been shut down (unmount); its pool goes.
 * Context: process, may sleep.
 */
static void puma_frontend_invalidate_fs(struct super_block *sb)
{
	struct puma_pool *pool = puma_pool_remove(sb);

	if (pool)
		puma_frontend_drop(pool);
}

/**
 * puma_frontend_prune() - drop the pools of filesystems no longer opted in
 *
 * Pools are taken out by identity: the superblock of a pool may be
 * unmounted and freed meanwhile.
 *
 * Context: process, may sleep.
 */
void puma_frontend_prune(void)
{
	unsigned long index = 0;
	struct puma_pool *pool;

	while ((pool = puma_pool_next(&index))) {
		if (!puma_config_type_opted_in(pool->fstype) &&
		    puma_pool_unlink(pool))
			puma_frontend_drop(pool);
		puma_pool_put(pool);
	}
}

/**
 * puma_frontend_invalidate_all() - forget every remotely held page
 *
 * Pools stay; what is filed under them goes.  Used when PUMA is disabled.
 *
 * Context: process, may sleep.
 */
void puma_frontend_invalidate_all(void)
{
	unsigned long index = 0;
	struct puma_pool *pool;

	while ((pool = puma_pool_next(&index))) {
		puma_count(pool, PUMA_STAT_INVALIDATE_FS, 1);
		puma_pool_put(pool);
	}
}

static const struct puma_hook_ops puma_frontend_ops = {
	.init_fs		= puma_frontend_init_fs,
	.put			= puma_frontend_put,
	.get			= puma_frontend_get,
	.invalidate_page	= puma_frontend_invalidate_page,
	.invalidate_inode	= puma_frontend_invalidate_inode,
	.invalidate_fs		= puma_frontend_invalidate_fs,
};

/**
 * puma_frontend_init() - attach the front end to the page cache
 *
 * Return: 0 or the error of puma_hooks_init().
 */
int puma_frontend_init(void)
{
	return puma_hooks_init(&puma_frontend_ops);
}

/**
 * puma_frontend_exit() - detach; returns when no operation can run any more
 */
void puma_frontend_exit(void)
{
	puma_hooks_exit();
}
