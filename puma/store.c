// SPDX-License-Identifier: GPL-2.0
/*
 * The lender's page store: the pages borrowers put, in the lender's own
 * page cache.
 *
 * Each borrower session (node id and session, shared by its put and get
 * connections) has a store.  A store files pages per remote file: one
 * private inode of an internal pseudo filesystem per (pool, inode number,
 * generation), found through an rbtree ordered by that triple, and the page
 * of key index i is the folio at index i of that inode's mapping.  The
 * folios are ordinary clean, uptodate page cache on the LRU: the lender's
 * reclaim takes them back like any other clean page and never writes
 * anything.  drop_caches does not: the inodes (alloc_anon_inode()) are on
 * no superblock's inode list, which is what it walks; lent pages are
 * another node's cache, given back under memory pressure only.  The
 * inodes have no S_IFREG: PUMA's own hooks (hooks.c) act on regular files
 * only, so a node that both borrows and lends never puts the pages it
 * lends.
 *
 * Accounting: every stored folio points at its file's struct
 * puma_store_file through ->private, without PG_private (so that nobody
 * else looks at it), and holds a reference on it.  ->free_folio, called
 * for every folio leaving the mapping, drops that reference and counts
 * the page: dropped if the store removed it (the PUMA_STORE_DROPPING bit
 * of ->private, set under the folio lock before a single page is
 * truncated, or the file's @dropping flag, set before a whole file is),
 * reclaimed otherwise.  So held = stored - dropped - reclaimed, where a
 * re-put of a held page counts as one page stored and one dropped (the
 * replaced content).  Migration does not carry ->private without
 * PG_private: ->migrate_folio moves it.
 *
 * Caps: a store holds at most @quota pages, and all stores together at
 * most puma_store_max_pages (both the lender's max-memory); a new page
 * beyond either is refused.  A page is counted in both before it is added,
 * so concurrent puts of several sessions never overshoot.  A re-put of a
 * held page replaces the content in place and is never refused, so no
 * stale copy can outlive a put the borrower made.  At most
 * PUMA_STORE_MAX_FILES files per store: each is an inode that reclaim does
 * not free, even empty.  At the limit, files whose pages are all gone
 * (reclaimed, invalidated, got back) are reaped first; when none is, a
 * new file is refused, and its page with it.  At most
 * puma_store_max_stores stores (sessions), and PUMA_STORE_MAX_USERS
 * connections per store: puma_store_get() refuses beyond either.
 *
 * Locking and context: puma_store_mutex guards the list of stores and
 * their @users.  A store's @lock guards its file index; it is held for
 * lookups and index changes only, never across page copies or
 * truncations, and no folio lock is taken under it.  The index holds a
 * reference on each file's inode; an operation takes its own (ihold)
 * under @lock and works on the mapping without it, so that a get never
 * waits behind a put's copy.  The folio lock guards a stored page's
 * content.  Everything runs in process context
 * and may sleep, except ->free_folio: called from reclaim and truncation,
 * it must not sleep and uses atomics and kref puts whose releases only
 * kfree().
 *
 * Lifetime: a file lives while its inode does (the reference that
 * ->evict_inode drops) and while any of its folios does; it holds a
 * reference on its store, whose connections together hold one more.
 * When a session's last connection goes, its files leave the index and
 * their inodes are put, which truncates their pages; the store itself is
 * freed once the last in-flight ->free_folio is done with it.  Module exit
 * waits for that.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/migrate.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/pseudo_fs.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>

#include "pool.h"
#include "stats.h"
#include "store.h"

/* "PUMS": the pseudo filesystem's magic, as statfs would report it. */
#define PUMA_STORE_MAGIC	0x504d5553
/*
 * Files a store keeps at most; at the limit, empty ones are reaped.  Each
 * costs an inode and its file, about 1 KiB, not counted in max-memory.
 */
#define PUMA_STORE_MAX_FILES	4096
/* Connections a store serves: its session's put and get channels. */
#define PUMA_STORE_MAX_USERS	2
/* A reap that freed nothing is not tried again before this. */
#define PUMA_STORE_REAP_DELAY	HZ
/* Stored pages: movable page cache; fail fast rather than thrash. */
#define PUMA_STORE_GFP		(GFP_HIGHUSER_MOVABLE | __GFP_NORETRY | \
				 __GFP_NOWARN)
/* Low bit of a folio's ->private: the store itself is removing it. */
#define PUMA_STORE_DROPPING	1UL
/* Test knob: the byte of a stored page that corrupt_puts flips. */
#define PUMA_STORE_CORRUPT_OFFSET	1234
#define PUMA_STORE_CORRUPT_MAX		1000000

/**
 * struct puma_store - the pages one borrower session put on this lender
 * @node: in puma_stores, under puma_store_mutex
 * @node_id: the borrower's node id
 * @session: the borrower's session id
 * @users: connections using it, under puma_store_mutex
 * @ref: one for all @users, one per file; the last put frees the store
 * @lock: guards @files, @nr_files and @reap_after
 * @files: struct puma_store_file by (pool, ino, gen)
 * @nr_files: files in @files
 * @reap_after: jiffies before which a full index is not reaped again
 * @quota: most pages held, 0 for no limit of its own
 * @held: pages held now
 * @stored: see struct puma_store_info
 * @reclaimed: ditto
 * @dropped: ditto
 * @refused_quota: ditto
 * @refused_memory: ditto
 * @refused_files: ditto
 * @refused_nomem: ditto
 * @get_hits: ditto
 * @get_misses: ditto
 */
struct puma_store {
	struct list_head node;
	u64 node_id;
	u64 session;
	unsigned int users;
	struct kref ref;
	struct mutex lock;	/* the file index */
	struct rb_root files;
	unsigned int nr_files;
	unsigned long reap_after;
	u64 quota;
	atomic64_t held;
	atomic64_t stored;
	atomic64_t reclaimed;
	atomic64_t dropped;
	atomic64_t refused_quota;
	atomic64_t refused_memory;
	atomic64_t refused_files;
	atomic64_t refused_nomem;
	atomic64_t get_hits;
	atomic64_t get_misses;
};

/**
 * struct puma_store_file - one remote file's pages: a private inode
 * @node: in the store's @files while indexed
 * @dispose: on a local list between leaving the index and being dropped
 * @pool: the key's pool
 * @gen: the key's generation
 * @ino: the key's inode number
 * @inode: the private inode; valid while indexed, or with an inode
 *	reference taken while it was
 * @store: the store it belongs to, referenced
 * @ref: one while @inode lives, one per folio in its mapping
 * @dropping: set before the store truncates the whole file, so that
 *	->free_folio counts its pages as dropped, not reclaimed
 *
 * kmalloc()ed, so at least 8-byte aligned: a folio's ->private holds its
 * address and the PUMA_STORE_DROPPING bit.
 */
struct puma_store_file {
	struct rb_node node;
	struct list_head dispose;
	u32 pool;
	u32 gen;
	u64 ino;
	struct inode *inode;
	struct puma_store *store;
	struct kref ref;
	bool dropping;
};

static struct vfsmount *puma_store_mnt;
static DEFINE_MUTEX(puma_store_mutex);
static LIST_HEAD(puma_stores);
/* Pages held by all stores. */
static atomic64_t puma_store_held_all = ATOMIC64_INIT(0);
/* Files indexed by all stores. */
static atomic_t puma_store_files_all = ATOMIC_INIT(0);
/* Stores listed in puma_stores, under puma_store_mutex. */
static unsigned int puma_store_nr;
/* Most pages all stores hold together, 0 for no limit. */
static u64 puma_store_max_pages;
/* Most stores listed at once. */
static unsigned int puma_store_max_stores = PUMA_STORE_MAX_STORES_DEFAULT;
/* Stores not yet freed, whether listed or not: module exit waits for 0. */
static atomic_t puma_store_live = ATOMIC_INIT(0);
/* Test knob: stored pages still to corrupt. */
static atomic_t puma_store_corrupt = ATOMIC_INIT(0);
static struct dentry *puma_store_debugfs;

/* ---- lifetime ---------------------------------------------------------- */

/* Context: any; may be the last put from ->free_folio. */
static void puma_store_free(struct kref *ref)
{
	struct puma_store *store = container_of(ref, struct puma_store, ref);

	mutex_destroy(&store->lock);
	kfree(store);
	if (atomic_dec_and_test(&puma_store_live))
		wake_up_var(&puma_store_live);
}

/* Context: any; may be the last put from ->free_folio. */
static void puma_store_file_free(struct kref *ref)
{
	struct puma_store_file *file =
		container_of(ref, struct puma_store_file, ref);
	struct puma_store *store = file->store;

	kfree(file);
	kref_put(&store->ref, puma_store_free);
}

static void puma_store_file_put(struct puma_store_file *file)
{
	kref_put(&file->ref, puma_store_file_free);
}

/* ---- the pseudo filesystem --------------------------------------------- */

/*
 * A folio left the page cache: reclaim, or a truncation by the store.
 * Context: any but NMI; must not sleep; folio->mapping is already NULL.
 */
static void puma_store_free_folio(struct folio *folio)
{
	unsigned long priv = (unsigned long)folio->private;
	struct puma_store_file *file;
	struct puma_store *store;
	bool dropped;

	file = (struct puma_store_file *)(priv & ~PUMA_STORE_DROPPING);
	if (WARN_ON_ONCE(!file))
		return;
	folio->private = NULL;
	store = file->store;
	dropped = (priv & PUMA_STORE_DROPPING) || READ_ONCE(file->dropping);
	atomic64_dec(&store->held);
	atomic64_dec(&puma_store_held_all);
	if (dropped) {
		atomic64_inc(&store->dropped);
		puma_stats_inc(&puma_global_stats,
			       PUMA_STAT_LENDER_PAGES_DROPPED);
	} else {
		atomic64_inc(&store->reclaimed);
		puma_stats_inc(&puma_global_stats,
			       PUMA_STAT_LENDER_PAGES_RECLAIMED);
	}
	/* Module exit waits a grace period after the last store is freed. */
	rcu_read_lock();
	puma_store_file_put(file);
	rcu_read_unlock();
}

#ifdef CONFIG_MIGRATION
/*
 * Compaction moves a stored page: the data moves with migrate_folio(),
 * which does not carry ->private without PG_private.  Both folios are
 * locked, so ->free_folio cannot see @dst before it has the pointer.
 */
static int puma_store_migrate_folio(struct address_space *mapping,
				    struct folio *dst, struct folio *src,
				    enum migrate_mode mode)
{
	void *priv = src->private;
	int ret;

	ret = migrate_folio(mapping, dst, src, mode);
	if (ret == MIGRATEPAGE_SUCCESS) {
		dst->private = priv;
		src->private = NULL;
	}
	return ret;
}
#endif

/*
 * Stored pages are never dirtied; should anything try, nothing is to be
 * written.  Without ->writepage, reclaim simply drops clean folios.
 */
static const struct address_space_operations puma_store_aops = {
	.dirty_folio	= noop_dirty_folio,
	.free_folio	= puma_store_free_folio,
#ifdef CONFIG_MIGRATION
	.migrate_folio	= puma_store_migrate_folio,
#endif
};

/*
 * The last iput() of an inode, from the store (process context); the
 * filesystem's root inode has no file.
 */
static void puma_store_evict_inode(struct inode *inode)
{
	struct puma_store_file *file = inode->i_private;

	/* Only the store puts its inodes: whatever is left is its drop. */
	if (file)
		WRITE_ONCE(file->dropping, true);
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (file)
		puma_store_file_put(file);
}

static const struct super_operations puma_store_sops = {
	.statfs		= simple_statfs,
	.drop_inode	= generic_delete_inode,
	.evict_inode	= puma_store_evict_inode,
};

static int puma_store_init_fs_context(struct fs_context *fc)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, PUMA_STORE_MAGIC);

	if (!ctx)
		return -ENOMEM;
	ctx->ops = &puma_store_sops;
	return 0;
}

/* Not registered and without an owner: the mount must not pin the module. */
static struct file_system_type puma_store_fs_type = {
	.name		= "puma_store",
	.init_fs_context = puma_store_init_fs_context,
	.kill_sb	= kill_anon_super,
};

/* ---- the file index ---------------------------------------------------- */

static int puma_store_cmp(u32 pool, u64 ino, u32 gen,
			  const struct puma_store_file *file)
{
	if (pool != file->pool)
		return pool < file->pool ? -1 : 1;
	if (ino != file->ino)
		return ino < file->ino ? -1 : 1;
	if (gen != file->gen)
		return gen < file->gen ? -1 : 1;
	return 0;
}

/* The first file at or after (pool, ino, gen).  Called under @lock. */
static struct puma_store_file *puma_store_first(struct puma_store *store,
						u32 pool, u64 ino, u32 gen)
{
	struct rb_node *n = store->files.rb_node;
	struct puma_store_file *file, *found = NULL;
	int cmp;

	while (n) {
		file = rb_entry(n, struct puma_store_file, node);
		cmp = puma_store_cmp(pool, ino, gen, file);
		if (!cmp)
			return file;
		if (cmp < 0) {
			found = file;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return found;
}

static struct puma_store_file *puma_store_next(struct puma_store_file *file)
{
	struct rb_node *n = rb_next(&file->node);

	return n ? rb_entry(n, struct puma_store_file, node) : NULL;
}

/* Take @file out of the index onto @dispose.  Called under @lock. */
static void puma_store_unindex(struct puma_store *store,
			       struct puma_store_file *file,
			       struct list_head *dispose)
{
	rb_erase(&file->node, &store->files);
	store->nr_files--;
	atomic_dec(&puma_store_files_all);
	list_add_tail(&file->dispose, dispose);
}

/*
 * Drop the files on @dispose: truncate their pages now (counted as
 * dropped) and put the index's inode references.  Called without @lock.
 */
static void puma_store_dispose(struct list_head *dispose)
{
	struct puma_store_file *file, *tmp;

	list_for_each_entry_safe(file, tmp, dispose, dispose) {
		list_del(&file->dispose);
		WRITE_ONCE(file->dropping, true);
		truncate_inode_pages(file->inode->i_mapping, 0);
		iput(file->inode);
		cond_resched();
	}
}

/*
 * At the file limit: move the files whose pages are all gone to
 * @dispose.  Called under @lock.  Return: files reaped.
 */
static unsigned int puma_store_reap(struct puma_store *store,
				    struct list_head *dispose)
{
	struct rb_node *n = rb_first(&store->files);
	struct puma_store_file *file;
	unsigned int reaped = 0;

	if (time_before(jiffies, store->reap_after))
		return 0;
	while (n) {
		file = rb_entry(n, struct puma_store_file, node);
		n = rb_next(n);
		if (!READ_ONCE(file->inode->i_mapping->nrpages)) {
			puma_store_unindex(store, file, dispose);
			reaped++;
		}
	}
	if (!reaped)
		store->reap_after = jiffies + PUMA_STORE_REAP_DELAY;
	return reaped;
}

/* A new file for @key, with its inode.  Called under @lock. */
static struct puma_store_file *puma_store_file_new(struct puma_store *store,
						   const struct puma_key *key)
{
	struct puma_store_file *file;
	struct inode *inode;

	file = kzalloc(sizeof(*file), GFP_KERNEL);
	if (!file)
		return NULL;
	/*
	 * Like secretmem's: an inode on no superblock list, so that
	 * drop_caches, which walks those lists, leaves lent pages to reclaim.
	 * Its mode has no file type bits: not S_IFREG.
	 */
	inode = alloc_anon_inode(puma_store_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		kfree(file);
		return NULL;
	}
	inode->i_mapping->a_ops = &puma_store_aops;
	file->pool = key->pool;
	file->ino = key->ino;
	file->gen = key->gen;
	file->inode = inode;
	file->store = store;
	kref_init(&file->ref);
	kref_get(&store->ref);
	inode->i_private = file;
	return file;
}

/* Link @file into the index.  Called under @lock. */
static void puma_store_index(struct puma_store *store,
			     struct puma_store_file *file)
{
	struct rb_node **link = &store->files.rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (puma_store_cmp(file->pool, file->ino, file->gen,
				   rb_entry(parent, struct puma_store_file,
					    node)) < 0)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&file->node, parent, link);
	rb_insert_color(&file->node, &store->files);
	store->nr_files++;
	atomic_inc(&puma_store_files_all);
}

/*
 * The inode of @key's file, with a reference the caller puts; when
 * @create, a missing file is made.
 * Return: the inode; ERR_PTR(-ENOENT) when missing and not @create;
 * ERR_PTR(-EMFILE) at the file limit; ERR_PTR(-ENOMEM).
 */
static struct inode *puma_store_inode(struct puma_store *store,
				      const struct puma_key *key, bool create)
{
	struct puma_store_file *file;
	struct inode *inode;
	LIST_HEAD(dispose);

	mutex_lock(&store->lock);
	file = puma_store_first(store, key->pool, key->ino, key->gen);
	if (file && !puma_store_cmp(key->pool, key->ino, key->gen, file)) {
		inode = file->inode;
		ihold(inode);
		goto out;
	}
	inode = ERR_PTR(-ENOENT);
	if (!create)
		goto out;
	inode = ERR_PTR(-EMFILE);
	if (store->nr_files >= PUMA_STORE_MAX_FILES &&
	    !puma_store_reap(store, &dispose))
		goto out;
	inode = ERR_PTR(-ENOMEM);
	file = puma_store_file_new(store, key);
	if (!file)
		goto out;
	puma_store_index(store, file);
	inode = file->inode;
	ihold(inode);
out:
	mutex_unlock(&store->lock);
	puma_store_dispose(&dispose);
	return inode;
}

/* ---- pages ------------------------------------------------------------- */

/* Copy a page in, corrupting it if the test knob says so. */
static void puma_store_fill(struct folio *folio, const void *data)
{
	u8 *addr = kmap_local_folio(folio, 0);

	memcpy(addr, data, PAGE_SIZE);
	if (unlikely(atomic_read(&puma_store_corrupt) > 0) &&
	    atomic_dec_if_positive(&puma_store_corrupt) >= 0)
		addr[PUMA_STORE_CORRUPT_OFFSET] ^= 0xff;
	kunmap_local(addr);
	flush_dcache_folio(folio);
}

/* Mark a locked stored folio as removed by the store, not by reclaim. */
static void puma_store_mark_dropping(struct folio *folio)
{
	folio->private = (void *)((unsigned long)folio->private |
				  PUMA_STORE_DROPPING);
}

/* Remove the page at @index, whatever is there now. */
static void puma_store_truncate_page(struct address_space *mapping,
				     pgoff_t index)
{
	loff_t start = (loff_t)index << PAGE_SHIFT;

	truncate_inode_pages_range(mapping, start, start + PAGE_SIZE - 1);
}

static void puma_store_count_dropped(struct puma_store *store)
{
	atomic64_inc(&store->dropped);
	puma_stats_inc(&puma_global_stats, PUMA_STAT_LENDER_PAGES_DROPPED);
}

/*
 * Whether a new page would fit: under the store's quota and under the
 * limit of all stores.  Return: 0, -EDQUOT or -ENOSPC.
 */
static int puma_store_room(struct puma_store *store)
{
	u64 max = READ_ONCE(puma_store_max_pages);

	if (store->quota && (u64)atomic64_read(&store->held) >= store->quota)
		return -EDQUOT;
	if (max && (u64)atomic64_read(&puma_store_held_all) >= max)
		return -ENOSPC;
	return 0;
}

/*
 * Count a new page in @store and in all stores before it is added, so
 * that concurrent puts cannot overshoot either cap.  Return: 0, -EDQUOT
 * or -ENOSPC (nothing counted then).
 */
static int puma_store_reserve(struct puma_store *store)
{
	u64 max = READ_ONCE(puma_store_max_pages);

	if ((u64)atomic64_inc_return(&store->held) > store->quota &&
	    store->quota) {
		atomic64_dec(&store->held);
		return -EDQUOT;
	}
	if ((u64)atomic64_inc_return(&puma_store_held_all) > max && max) {
		atomic64_dec(&puma_store_held_all);
		atomic64_dec(&store->held);
		return -ENOSPC;
	}
	return 0;
}

static void puma_store_unreserve(struct puma_store *store)
{
	atomic64_dec(&puma_store_held_all);
	atomic64_dec(&store->held);
}

/*
 * Store @data at @index of @inode's mapping: in place over a held copy,
 * else in a new folio.  Return: 0, -EDQUOT, -ENOSPC or -ENOMEM.
 */
static int puma_store_insert(struct puma_store *store, struct inode *inode,
			     pgoff_t index, const void *data)
{
	struct address_space *mapping = inode->i_mapping;
	struct puma_store_file *file = inode->i_private;
	struct folio *folio;
	int ret;

	for (;;) {
		folio = filemap_lock_folio(mapping, index);
		if (!IS_ERR_OR_NULL(folio)) {
			/* A re-put: the new content replaces the old. */
			puma_store_fill(folio, data);
			if (!folio_test_uptodate(folio))
				folio_mark_uptodate(folio);
			folio_unlock(folio);
			folio_put(folio);
			puma_store_count_dropped(store);
			return 0;
		}
		ret = puma_store_reserve(store);
		if (ret)
			return ret;
		folio = filemap_alloc_folio(PUMA_STORE_GFP, 0);
		if (!folio) {
			puma_store_unreserve(store);
			return -ENOMEM;
		}
		puma_store_fill(folio, data);
		__folio_mark_uptodate(folio);
		folio->private = file;
		kref_get(&file->ref);
		ret = filemap_add_folio(mapping, folio, index, PUMA_STORE_GFP);
		if (!ret)
			break;
		folio->private = NULL;
		puma_store_file_put(file);	/* never the last: the inode's */
		folio_put(folio);
		puma_store_unreserve(store);
		if (ret != -EEXIST)
			return -ENOMEM;
		/* Raced with another put of the same page: replace it. */
	}
	/* Counted by puma_store_reserve(), before ->free_folio could run. */
	folio_unlock(folio);
	folio_put(folio);
	return 0;
}

/**
 * puma_store_put_page() - keep a page a borrower put
 * @store: the borrower's store
 * @key: the page's key
 * @data: PAGE_SIZE bytes, at any alignment
 *
 * A page already held is overwritten in place (never refused).  A new
 * page is refused when the store holds its quota, when all stores hold
 * the lender's max-memory, at the store's file limit, or without memory;
 * either way no older copy of it is left.  A refused page makes no file.
 *
 * Context: process, may sleep.
 * Return: 0 when kept; -EDQUOT (the store's quota), -ENOSPC (all stores'
 * limit), -EMFILE (file limit), -ENOMEM, or -EINVAL for an index beyond
 * the page cache's; refusals are counted.
 */
int puma_store_put_page(struct puma_store *store, const struct puma_key *key,
			const void *data)
{
	struct inode *inode;
	int ret = -EINVAL;

	if (key->index > PUMA_KEY_INDEX_MAX)
		goto refused;
	/* A file is made only for a page that has room. */
	inode = puma_store_inode(store, key, false);
	if (IS_ERR(inode)) {
		ret = puma_store_room(store);
		inode = ret ? ERR_PTR(ret) : puma_store_inode(store, key, true);
	}
	if (IS_ERR(inode)) {
		ret = PTR_ERR(inode);
		goto refused;
	}
	ret = puma_store_insert(store, inode, key->index, data);
	iput(inode);
	if (ret)
		goto refused;
	atomic64_inc(&store->stored);
	puma_stats_inc(&puma_global_stats, PUMA_STAT_LENDER_PAGES_STORED);
	return 0;

refused:
	if (ret == -EDQUOT) {
		atomic64_inc(&store->refused_quota);
		puma_stats_inc(&puma_global_stats,
			       PUMA_STAT_LENDER_REFUSED_QUOTA);
	} else if (ret == -ENOSPC) {
		atomic64_inc(&store->refused_memory);
		puma_stats_inc(&puma_global_stats,
			       PUMA_STAT_LENDER_REFUSED_MEMORY);
	} else if (ret == -EMFILE) {
		atomic64_inc(&store->refused_files);
		puma_stats_inc(&puma_global_stats,
			       PUMA_STAT_LENDER_REFUSED_FILES);
	} else {
		atomic64_inc(&store->refused_nomem);
		puma_stats_inc(&puma_global_stats,
			       PUMA_STAT_LENDER_REFUSED_NOMEM);
	}
	return ret;
}

/**
 * puma_store_get_page() - copy out a page the store holds
 * @store: the borrower's store
 * @key: the page's key
 * @dst: PAGE_SIZE bytes, at any alignment
 * @exclusive: drop the page once copied
 *
 * Context: process, may sleep.
 * Return: true when held and copied to @dst; hits and misses are counted.
 */
bool puma_store_get_page(struct puma_store *store, const struct puma_key *key,
			 void *dst, bool exclusive)
{
	struct folio *folio;
	struct inode *inode;
	bool hit = false;
	void *addr;

	if (key->index > PUMA_KEY_INDEX_MAX)
		goto out;
	inode = puma_store_inode(store, key, false);
	if (IS_ERR(inode))
		goto out;
	folio = filemap_lock_folio(inode->i_mapping, key->index);
	if (!IS_ERR_OR_NULL(folio)) {
		hit = folio_test_uptodate(folio);
		if (hit) {
			addr = kmap_local_folio(folio, 0);
			memcpy(dst, addr, PAGE_SIZE);
			kunmap_local(addr);
			if (exclusive)
				puma_store_mark_dropping(folio);
		}
		folio_unlock(folio);
		folio_put(folio);
		if (hit && exclusive)
			puma_store_truncate_page(inode->i_mapping, key->index);
	}
	iput(inode);
out:
	if (hit) {
		atomic64_inc(&store->get_hits);
		puma_stats_inc(&puma_global_stats, PUMA_STAT_LENDER_GET_HITS);
	} else {
		atomic64_inc(&store->get_misses);
		puma_stats_inc(&puma_global_stats,
			       PUMA_STAT_LENDER_GET_MISSES);
	}
	return hit;
}

/**
 * puma_store_drop_page() - drop a page, if held
 * @store: the borrower's store
 * @key: the page's key
 *
 * Context: process, may sleep.
 */
void puma_store_drop_page(struct puma_store *store,
			  const struct puma_key *key)
{
	struct folio *folio;
	struct inode *inode;

	if (key->index > PUMA_KEY_INDEX_MAX)
		return;
	inode = puma_store_inode(store, key, false);
	if (IS_ERR(inode))
		return;
	folio = filemap_lock_folio(inode->i_mapping, key->index);
	if (!IS_ERR_OR_NULL(folio)) {
		puma_store_mark_dropping(folio);
		folio_unlock(folio);
		folio_put(folio);
		puma_store_truncate_page(inode->i_mapping, key->index);
	}
	iput(inode);
}

/**
 * puma_store_drop_inode() - drop a file's pages
 * @store: the borrower's store
 * @pool: the file's pool
 * @ino: its inode number
 * @gen: its generation
 *
 * Every generation of @ino is dropped: the one invalidated, and any other,
 * which can only belong to a file of that number the borrower no longer
 * has.
 *
 * Context: process, may sleep.
 */
void puma_store_drop_inode(struct puma_store *store, u32 pool, u64 ino,
			   u32 gen)
{
	struct puma_store_file *file, *next;
	LIST_HEAD(dispose);

	mutex_lock(&store->lock);
	for (file = puma_store_first(store, pool, ino, 0);
	     file && file->pool == pool && file->ino == ino; file = next) {
		next = puma_store_next(file);
		puma_store_unindex(store, file, &dispose);
	}
	mutex_unlock(&store->lock);
	puma_store_dispose(&dispose);
}

/**
 * puma_store_drop_pool() - drop every page of a pool
 * @store: the borrower's store
 * @pool: the pool
 *
 * Context: process, may sleep.
 */
void puma_store_drop_pool(struct puma_store *store, u32 pool)
{
	struct puma_store_file *file, *next;
	LIST_HEAD(dispose);

	mutex_lock(&store->lock);
	for (file = puma_store_first(store, pool, 0, 0);
	     file && file->pool == pool; file = next) {
		next = puma_store_next(file);
		puma_store_unindex(store, file, &dispose);
	}
	mutex_unlock(&store->lock);
	puma_store_dispose(&dispose);
}

/* Drop every file of a store no connection uses any more. */
static void puma_store_release(struct puma_store *store)
{
	struct rb_node *n;
	LIST_HEAD(dispose);

	mutex_lock(&store->lock);
	while ((n = rb_first(&store->files)))
		puma_store_unindex(store,
				   rb_entry(n, struct puma_store_file, node),
				   &dispose);
	mutex_unlock(&store->lock);
	puma_store_dispose(&dispose);
	kref_put(&store->ref, puma_store_free);
}

/* ---- stores ------------------------------------------------------------ */

/**
 * puma_store_get() - the store of a borrower session, made if needed
 * @node_id: the borrower's node id
 * @session: its session id
 * @quota_pages: most pages to hold for it, 0 for no limit of its own;
 *	used when the store is made
 *
 * The connections of one session (same @node_id and @session) share one
 * store; each takes a reference.  A session gets no more than
 * PUMA_STORE_MAX_USERS connections (lender_conns_refused), and a new
 * session no store once puma_store_max_stores are listed
 * (lender_sessions_refused).
 *
 * Context: process, may sleep.
 * Return: the store, or NULL when refused or without memory.
 */
struct puma_store *puma_store_get(u64 node_id, u64 session, u64 quota_pages)
{
	struct puma_store *store;

	mutex_lock(&puma_store_mutex);
	list_for_each_entry(store, &puma_stores, node) {
		if (store->node_id != node_id || store->session != session)
			continue;
		if (store->users >= PUMA_STORE_MAX_USERS) {
			puma_stats_inc(&puma_global_stats,
				       PUMA_STAT_LENDER_CONNS_REFUSED);
			store = NULL;
		} else {
			store->users++;
		}
		goto out;
	}
	if (puma_store_nr >= READ_ONCE(puma_store_max_stores)) {
		puma_stats_inc(&puma_global_stats,
			       PUMA_STAT_LENDER_SESSIONS_REFUSED);
		store = NULL;
		goto out;
	}
	store = kzalloc(sizeof(*store), GFP_KERNEL);
	if (!store)
		goto out;
	store->node_id = node_id;
	store->session = session;
	store->users = 1;
	kref_init(&store->ref);
	mutex_init(&store->lock);
	store->files = RB_ROOT;
	store->reap_after = jiffies;
	store->quota = quota_pages;
	atomic_inc(&puma_store_live);
	list_add_tail(&store->node, &puma_stores);
	puma_store_nr++;
out:
	mutex_unlock(&puma_store_mutex);
	return store;
}

/**
 * puma_store_put() - a connection is done with its store
 * @store: from puma_store_get()
 *
 * When the session's last connection goes, every page of the store is
 * dropped at once.
 *
 * Context: process, may sleep.
 */
void puma_store_put(struct puma_store *store)
{
	bool last;

	mutex_lock(&puma_store_mutex);
	last = !--store->users;
	if (last) {
		list_del(&store->node);
		puma_store_nr--;
	}
	mutex_unlock(&puma_store_mutex);
	if (last)
		puma_store_release(store);
}

/**
 * puma_store_info() - a store's figures
 * @store: the store
 * @info: output
 *
 * Context: any; reads counters only, takes no lock.
 */
void puma_store_info(struct puma_store *store, struct puma_store_info *info)
{
	*info = (struct puma_store_info) {
		.held = atomic64_read(&store->held),
		.stored = atomic64_read(&store->stored),
		.reclaimed = atomic64_read(&store->reclaimed),
		.dropped = atomic64_read(&store->dropped),
		.refused_quota = atomic64_read(&store->refused_quota),
		.refused_memory = atomic64_read(&store->refused_memory),
		.refused_files = atomic64_read(&store->refused_files),
		.refused_nomem = atomic64_read(&store->refused_nomem),
		.get_hits = atomic64_read(&store->get_hits),
		.get_misses = atomic64_read(&store->get_misses),
	};
}

/**
 * puma_store_held_pages() - pages all stores hold
 *
 * Context: any.
 * Return: the number of pages.
 */
u64 puma_store_held_pages(void)
{
	return atomic64_read(&puma_store_held_all);
}

/**
 * puma_store_files() - files all stores index
 *
 * Context: any.
 * Return: the number of files, each a private inode.
 */
u64 puma_store_files(void)
{
	return atomic_read(&puma_store_files_all);
}

/**
 * puma_store_set_max_pages() - cap the pages all stores hold together
 * @pages: the cap, 0 for none
 *
 * Pages held beyond a lowered cap stay until they go; new ones are
 * refused until the stores are under it again.
 *
 * Context: any.
 */
void puma_store_set_max_pages(u64 pages)
{
	WRITE_ONCE(puma_store_max_pages, pages);
}

/**
 * puma_store_set_max_stores() - cap the sessions served at once
 * @stores: the cap, at least 1
 *
 * Sessions beyond a lowered cap keep their stores; new ones are refused
 * until fewer are left.
 *
 * Context: any.
 */
void puma_store_set_max_stores(unsigned int stores)
{
	WRITE_ONCE(puma_store_max_stores, stores);
}

/**
 * puma_store_max_stores_get() - the cap on sessions served at once
 *
 * Return: the cap.
 */
unsigned int puma_store_max_stores_get(void)
{
	return READ_ONCE(puma_store_max_stores);
}

/* ---- debugfs: test knobs ----------------------------------------------- */

static ssize_t puma_store_corrupt_read(struct file *f, char __user *buf,
				       size_t len, loff_t *ppos)
{
	char tmp[16];
	int n;

	n = scnprintf(tmp, sizeof(tmp), "%d\n",
		      atomic_read(&puma_store_corrupt));
	return simple_read_from_buffer(buf, len, ppos, tmp, n);
}

static ssize_t puma_store_corrupt_write(struct file *f,
					const char __user *buf, size_t len,
					loff_t *ppos)
{
	unsigned int n;
	int ret;

	ret = kstrtouint_from_user(buf, len, 10, &n);
	if (ret)
		return ret == -EFAULT ? ret : -EINVAL;
	if (n > PUMA_STORE_CORRUPT_MAX)
		return -EINVAL;
	atomic_set(&puma_store_corrupt, n);
	return len;
}

/*
 * corrupt_puts: writing N makes the store flip a byte in each of the
 * next N pages it stores; reading tells how many are still to come.
 */
static const struct file_operations puma_store_corrupt_fops = {
	.owner	= THIS_MODULE,
	.read	= puma_store_corrupt_read,
	.write	= puma_store_corrupt_write,
	.llseek	= default_llseek,
};

/* ---- init and exit ----------------------------------------------------- */

/**
 * puma_store_init() - mount the store's pseudo filesystem
 *
 * The test knob corrupt_puts is created in debugfs too, in a "puma"
 * directory; a debugfs failure fails nothing.
 *
 * Return: 0 or a negative errno.
 */
int puma_store_init(void)
{
	puma_store_mnt = kern_mount(&puma_store_fs_type);
	if (IS_ERR(puma_store_mnt))
		return PTR_ERR(puma_store_mnt);
	puma_store_debugfs = debugfs_create_dir("puma", NULL);
	debugfs_create_file("corrupt_puts", 0600, puma_store_debugfs, NULL,
			    &puma_store_corrupt_fops);
	return 0;
}

/**
 * puma_store_exit() - drop whatever is left and unmount
 *
 * The lender has stopped: no store is in use.  Waits until every store is
 * freed, which may be done by a ->free_folio still running in reclaim.
 */
void puma_store_exit(void)
{
	struct puma_store *store;

	debugfs_remove_recursive(puma_store_debugfs);
	for (;;) {
		mutex_lock(&puma_store_mutex);
		store = list_first_entry_or_null(&puma_stores,
						 struct puma_store, node);
		if (store) {
			list_del(&store->node);
			puma_store_nr--;
		}
		mutex_unlock(&puma_store_mutex);
		if (!store)
			break;
		WARN_ONCE(1, "store of %016llx still in use\n",
			  store->node_id);
		puma_store_release(store);
	}
	wait_var_event(&puma_store_live, !atomic_read(&puma_store_live));
	/* The ->free_folio that freed the last store has returned. */
	synchronize_rcu();
	kern_unmount(puma_store_mnt);
}
