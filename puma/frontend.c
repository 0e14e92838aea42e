// SPDX-License-Identifier: GPL-2.0
/*
 * The borrower's front end.
 *
 * hooks.c calls these operations from the page cache; they file each event
 * under the pool of the event's filesystem.  Only filesystems with a pool
 * (opted in, see config.c) are acted on; everything else returns at once.
 *
 * The invariant they keep: PUMA asks for a page only while its local
 * record says a lender holds the newest clean content of that page, and
 * a page fetched back enters the page cache only if it matches the tag
 * recorded when it was put.  Every invalidation erases records before
 * anything else, then tells the lenders (queued, asynchronous; a lost
 * message costs lender memory, never correctness).
 *
 * put (eviction, IRQs off): copy into the staging pool, compute the tag,
 * record it, queue for a lender (stage.c).  get (readahead): get.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "borrower.h"
#include "config.h"
#include "frontend.h"
#include "get.h"
#include "hooks.h"
#include "pool.h"
#include "readpath.h"
#include "stage.h"
#include "tag.h"

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
 * Erase the record of page @index of @inode and queue an invalidation for
 * the lender holding it.  @changing: the content is about to change, so
 * the erase happens (and bumps the sequence number that gets in flight
 * re-check) even when no record is found.
 * Context: any; does not sleep.
 */
static void puma_frontend_unrecord_page(struct puma_pool *pool,
					struct inode *inode, pgoff_t index,
					bool changing)
{
	struct puma_key key = {
		.pool = pool->id,
		.ino = inode->i_ino,
		.gen = inode->i_generation,
		.index = index,
	};
	struct puma_meta_rec rec;
	bool held;

	held = puma_meta_lookup(&pool->meta, key.ino, key.gen, key.index, &rec);
	if (!held && !changing)
		return;
	if (puma_meta_erase_page(&pool->meta, key.ino, key.index) && held)
		puma_lenders_invalidate(rec.lender, PUMA_MSG_INVALIDATE_PAGES,
					&key, 1);
}

/*
 * Erase the records of @folio's pages and queue an invalidation for the
 * lenders holding them; @changing as above.
 * Context: any; does not sleep.
 */
static void puma_frontend_unrecord(struct puma_pool *pool,
				   struct folio *folio, bool changing)
{
	struct inode *inode = folio->mapping->host;
	struct puma_key key = {
		.pool = pool->id,
		.ino = inode->i_ino,
		.gen = inode->i_generation,
		.index = folio->index,
	};

	if (!folio_test_large(folio)) {
		puma_frontend_unrecord_page(pool, inode, folio->index,
					    changing);
		return;
	}
	/* Exactly the folio's range, on every lender. */
	if (puma_meta_erase_range(&pool->meta, key.ino, folio->index,
				  folio_next_index(folio) - 1))
		puma_lenders_invalidate(-1, PUMA_MSG_INVALIDATE_PAGES, &key,
					folio_nr_pages(folio));
}

/* A record has room for every lender slot. */
static_assert(PUMA_LENDERS_MAX <= PUMA_META_LENDERS);

/* Numbers puts, for their records' epochs. */
static atomic_t puma_put_epoch = ATOMIC_INIT(0);

/*
 * Stage a copy of page @i of @folio for lender @slot; returns what became
 * of it.
 */
static enum puma_stat puma_frontend_stage(struct puma_pool *pool,
					  struct folio *folio, unsigned int i,
					  int slot)
{
	struct inode *inode = folio->mapping->host;
	pgoff_t index = folio->index + i;
	struct puma_meta_rec rec, old;
	struct puma_stage_entry *e;
	int replaced;
	void *src;
	u64 tag;

	e = puma_stage_take();
	if (!e)
		return PUMA_STAT_PUTS_DROP_FULL;
	src = kmap_local_folio(folio, (size_t)i * PAGE_SIZE);
	copy_page(page_address(e->page), src);
	kunmap_local(src);
	tag = puma_tag(page_address(e->page), PAGE_SIZE);

	/* A lender holds this very content already (non-inclusive). */
	if (puma_meta_lookup(&pool->meta, inode->i_ino, inode->i_generation,
			     index, &rec) && rec.tag == tag && !rec.pending) {
		puma_stage_release(e);
		return PUMA_STAT_PUTS_HELD;
	}
	/* Never asked for until the lender acknowledges it (stage.c). */
	rec = (struct puma_meta_rec) {
		.tag = tag,
		.lender = slot,
		.pending = true,
		.epoch = atomic_inc_return(&puma_put_epoch) % PUMA_META_EPOCHS,
	};
	replaced = puma_meta_replace(&pool->meta, inode->i_ino,
				     inode->i_generation, index, &rec,
				     &old, GFP_ATOMIC | __GFP_NOWARN);
	if (replaced < 0) {
		puma_stage_release(e);
		return PUMA_STAT_PUTS_DROP_NOMEM;
	}
	e->key = (struct puma_key) {
		.pool = pool->id,
		.gen = inode->i_generation,
		.ino = inode->i_ino,
		.index = index,
	};
	/* The page moves: the lender of the older copy lets it go. */
	if (replaced && old.lender != slot)
		puma_lenders_invalidate(old.lender, PUMA_MSG_INVALIDATE_PAGES,
					&e->key, 1);
	e->tag = tag;
	e->epoch = rec.epoch;
	/* The entry holds a reference of its own; released with it. */
	kref_get(&pool->ref);
	e->pool = pool;
	if (!puma_lenders_queue_put(slot, e)) {
		puma_stage_release(e);
		return PUMA_STAT_PUTS_DROP_LENDER_GONE;
	}
	return PUMA_STAT_PUTS_STAGED;
}

/*
 * Why clean @folio cannot be put as a whole, or PUMA_STAT_NR when each of
 * its pages may be, to lender *@slot.
 */
static enum puma_stat puma_frontend_put_refusal(struct folio *folio,
						int *slot)
{
	if (!puma_put_folio_pages(folio_nr_pages(folio)))
		return PUMA_STAT_PUTS_DROP_LARGE;
	if (!puma_inode_supported(folio->mapping->host))
		return PUMA_STAT_PUTS_DROP_UNSUPPORTED;
	*slot = puma_lenders_pick();
	if (*slot < 0)
		return PUMA_STAT_PUTS_DROP_NO_LENDER;
	return PUMA_STAT_NR;
}

/*
 * put: a clean page-cache folio leaves the cache by eviction.  A large
 * folio is put page by page, each with its own record and tag, all to the
 * same lender; a page that cannot be staged (pool full) is not, and the
 * others still are.
 * Context: IRQs off, i_pages locked, folio locked; must not sleep.
 */
static void puma_frontend_put(struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	struct puma_pool *pool = puma_pool_find(inode->i_sb);
	unsigned int i, nr = folio_nr_pages(folio);
	enum puma_stat outcome;
	int slot = -1;

	if (!pool)
		return;
	if (puma_folio_clean(folio)) {
		puma_count(pool, PUMA_STAT_PUTS, nr);
		outcome = puma_frontend_put_refusal(folio, &slot);
	} else {
		outcome = PUMA_STAT_PUTS_INELIGIBLE;
	}
	if (outcome != PUMA_STAT_NR) {
		puma_count(pool, outcome, nr);
		/*
		 * A record made by an earlier put may be of older content (a
		 * buffered write changes a cached page without an
		 * invalidation): the lender's copy must never be asked for
		 * again.
		 */
		puma_frontend_unrecord(pool, folio, false);
		puma_pool_put(pool);
		return;
	}
	for (i = 0; i < nr; i++) {
		outcome = puma_frontend_stage(pool, folio, i, slot);
		puma_count(pool, outcome, 1);
		if (nr > 1 && outcome == PUMA_STAT_PUTS_STAGED)
			puma_count(pool, PUMA_STAT_PUTS_LARGE, 1);
		/* As above: unless this put recorded what leaves now. */
		if (outcome != PUMA_STAT_PUTS_STAGED &&
		    outcome != PUMA_STAT_PUTS_HELD)
			puma_frontend_unrecord_page(pool, inode,
						    folio->index + i, false);
	}
	puma_pool_put(pool);
}

/* One get of @nr_to_read pages at @ractl's index, counted. */
static unsigned long puma_frontend_fetch(struct puma_pool *pool,
					 struct readahead_control *ractl,
					 unsigned long nr_to_read,
					 unsigned long lookahead_size)
{
	puma_count(pool, PUMA_STAT_GETS, 1);
	puma_count(pool, PUMA_STAT_GET_PAGES, nr_to_read);
	return puma_get_window(pool, ractl, nr_to_read, lookahead_size);
}

/*
 * get: readahead is about to read @nr_to_read pages from disk, or a fault
 * that reads no window one page.  Returns the window's pages in the page
 * cache when done (0: all still missing).
 * Context: process, may sleep; the caller holds a file reference.
 */
static unsigned long puma_frontend_get(struct readahead_control *ractl,
				       unsigned long nr_to_read,
				       unsigned long lookahead_size)
{
	struct puma_pool *pool = puma_pool_find(ractl->mapping->host->i_sb);
	unsigned long cached;

	if (!pool)
		return 0;
	cached = puma_frontend_fetch(pool, ractl, nr_to_read, lookahead_size);
	puma_pool_put(pool);
	return cached;
}

/*
 * get_fault: a page fault that reads no window is about to read the page
 * at @ractl's index.  Returns 1 if it is in the page cache now.
 * Context: process, may sleep; the fault's lock dropped.
 */
static unsigned long puma_frontend_get_fault(struct readahead_control *ractl)
{
	struct puma_pool *pool = puma_pool_find(ractl->mapping->host->i_sb);
	unsigned long cached;

	if (!pool)
		return 0;
	puma_count(pool, PUMA_STAT_GETS_FAULT, 1);
	cached = puma_frontend_fetch(pool, ractl, 1, 0);
	puma_pool_put(pool);
	return cached;
}

/*
 * read_unseen: @folio is read from disk where no get looked it up
 * (coverage); the pages a lender held were hits lost.
 * Context: preemption off, the folio locked; must not sleep.
 */
static void puma_frontend_read_unseen(struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	struct puma_pool *pool = puma_pool_find(inode->i_sb);
	unsigned int i, nr = folio_nr_pages(folio), held = 0;
	struct puma_meta_rec rec;

	if (!pool)
		return;
	puma_count(pool, PUMA_STAT_MISSES_UNSEEN, nr);
	for (i = 0; i < nr && puma_meta_pages(&pool->meta); i++)
		if (puma_meta_lookup(&pool->meta, inode->i_ino,
				     inode->i_generation, folio->index + i,
				     &rec) && !rec.pending)
			held++;
	puma_count(pool, PUMA_STAT_MISSES_UNSEEN_HELD, held);
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
	puma_frontend_unrecord(pool, folio, true);
	puma_pool_put(pool);
}

/*
 * invalidate_inode: a range of the file or the whole file changes or goes.
 * Context: any; must not sleep.
 */
static void puma_frontend_invalidate_inode(struct address_space *mapping)
{
	struct inode *inode = mapping->host;
	struct puma_pool *pool = puma_pool_find(inode->i_sb);
	struct puma_key key = {
		.ino = inode->i_ino,
		.gen = inode->i_generation,
	};

	if (!pool)
		return;
	puma_count(pool, PUMA_STAT_INVALIDATE_INODES, 1);
	key.pool = pool->id;
	if (puma_meta_erase_inode(&pool->meta, key.ino))
		puma_lenders_invalidate(-1, PUMA_MSG_INVALIDATE_INODE, &key, 0);
	/* Records gone before the caller looks at the page cache. */
	smp_mb();
	puma_pool_put(pool);
}

/* Erase every record of @pool and tell the lenders. */
static void puma_frontend_clear(struct puma_pool *pool)
{
	struct puma_key key = { .pool = pool->id };

	puma_count(pool, PUMA_STAT_INVALIDATE_FS, 1);
	if (puma_meta_clear(&pool->meta))
		puma_lenders_invalidate(-1, PUMA_MSG_INVALIDATE_POOL, &key, 0);
}

/* Forget everything filed under @pool, taken out of the index. */
static void puma_frontend_drop(struct puma_pool *pool)
{
	puma_frontend_clear(pool);
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
		puma_frontend_clear(pool);
		puma_pool_put(pool);
	}
}

/**
 * puma_frontend_forget_lender() - erase every record of a lender
 * @slot: the lender's slot
 *
 * Context: process, may sleep.
 */
void puma_frontend_forget_lender(u8 slot)
{
	unsigned long index = 0;
	struct puma_pool *pool;

	while ((pool = puma_pool_next(&index))) {
		puma_meta_erase_lender(&pool->meta, slot);
		puma_pool_put(pool);
	}
}

/*
 * has_pool: may a hook act on @sb?  Asked before a call is redirected.
 * Context: any; lockless, does not sleep.
 */
static bool puma_frontend_has_pool(const struct super_block *sb)
{
	struct puma_pool *pool = puma_pool_find(sb);

	puma_pool_put(pool);
	return pool;
}

static const struct puma_hook_ops puma_frontend_ops = {
	.init_fs		= puma_frontend_init_fs,
	.put			= puma_frontend_put,
	.get			= puma_frontend_get,
	.get_fault		= puma_frontend_get_fault,
	.read_unseen		= puma_frontend_read_unseen,
	.invalidate_page	= puma_frontend_invalidate_page,
	.invalidate_inode	= puma_frontend_invalidate_inode,
	.invalidate_fs		= puma_frontend_invalidate_fs,
	.has_pool		= puma_frontend_has_pool,
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
