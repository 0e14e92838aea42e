// SPDX-License-Identifier: GPL-2.0
/*
 * Local metadata of remotely held pages.
 *
 * One struct puma_meta per filesystem pool: an XArray of inodes keyed by
 * inode number, each with an XArray of records keyed by page index.  A
 * record is an XArray value entry (meta.h): the page's integrity tag and
 * the slot of the lender holding it, so a record costs no allocation of its
 * own.  The borrower asks a lender for a page only while a record says the
 * lender holds it; every path that may change a page's content or lose the
 * remote copy erases the record first.
 *
 * Locking, once for the whole file:
 *
 * - Store and the erases may be called with IRQs off and another IRQ-safe
 *   spinlock held: the eviction hook holds the mapping's i_pages lock.  So
 *   both XArray levels are XA_FLAGS_LOCK_IRQ and always locked with
 *   _irqsave; memory is allocated only with the caller's gfp (GFP_ATOMIC
 *   under i_pages) and never with a lock held; nothing sleeps unless that
 *   gfp allows it.
 * - Lock order: the caller's locks, then &puma_meta.inodes, then the pages
 *   of one inode.  Never the pages of two inodes at once.
 * - Lookups are lockless under RCU.  Inode structs are freed with
 *   kfree_rcu() and the XArray frees its nodes after a grace period.
 * - An inode leaves the index under the inodes lock and is marked dead
 *   under its pages lock; after that only its remover touches its pages.
 *   A store that finds the inode dead starts again and creates a new one;
 *   the other writers find nothing to do.  An inode left without records
 *   leaves the index.
 * - A store holds a reference on its inode, so that it may drop every lock
 *   to allocate XArray nodes (xas_nomem()); the index holds one more.
 */
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "meta.h"
#include "tag.h"

static_assert(BITS_PER_LONG == 64, "records are 63-bit XArray values");
static_assert(PUMA_TAG_BITS <= PUMA_META_TAG_BITS);
static_assert(PUMA_META_LENDER_SHIFT + 8 <= BITS_PER_LONG - 1);
static_assert(PUMA_META_EPOCH_SHIFT + 6 <= BITS_PER_LONG - 1);
static_assert(PUMA_META_EPOCHS == 1 << 6);

/* Records an erase visits between two releases of the pages lock. */
#define PUMA_META_BATCH		256

/* All lenders, for puma_meta_inode_erase(). */
#define PUMA_META_ANY		-1

/*
 * Every XArray lock initialised in one file shares a lockdep class: give
 * the two levels their own, so that lockdep checks their order.
 */
static struct lock_class_key puma_meta_inodes_key;
static struct lock_class_key puma_meta_pages_key;

static void *puma_meta_entry(const struct puma_meta_rec *rec)
{
	return xa_mk_value((rec->tag & PUMA_META_TAG_MASK) |
			   (unsigned long)rec->lender << PUMA_META_LENDER_SHIFT |
			   (rec->pending ? PUMA_META_PENDING : 0) |
			   (unsigned long)(rec->epoch % PUMA_META_EPOCHS) <<
			   PUMA_META_EPOCH_SHIFT);
}

static unsigned int puma_meta_lender(void *entry)
{
	return (xa_to_value(entry) >> PUMA_META_LENDER_SHIFT) & 0xff;
}

static void puma_meta_unpack(void *entry, struct puma_meta_rec *rec)
{
	rec->tag = xa_to_value(entry) & PUMA_META_TAG_MASK;
	rec->lender = puma_meta_lender(entry);
	rec->pending = xa_to_value(entry) & PUMA_META_PENDING;
	rec->epoch = (xa_to_value(entry) >> PUMA_META_EPOCH_SHIFT) %
		     PUMA_META_EPOCHS;
}

/* Exactly @rec: tag, lender, pending mark and epoch. */
static bool puma_meta_same(void *entry, const struct puma_meta_rec *rec)
{
	return xa_is_value(entry) && entry == puma_meta_entry(rec);
}

/* After records are gone: a reader that sees the new value sees them gone. */
static void puma_meta_bump(struct puma_meta *meta)
{
	atomic64_inc_return_release(&meta->seq);
}

static void puma_meta_inode_put(struct puma_meta_inode *mi)
{
	if (refcount_dec_and_test(&mi->ref))
		kfree_rcu(mi, rcu);
}

/*
 * Drop the records of @mi, which the caller has just taken out of the
 * index, and the index's reference, which is now the caller's.
 */
static unsigned long puma_meta_inode_kill(struct puma_meta *meta,
					  struct puma_meta_inode *mi)
{
	unsigned long flags, n;

	xa_lock_irqsave(&mi->pages, flags);
	WRITE_ONCE(mi->dead, true);
	n = mi->count;
	mi->count = 0;
	xa_unlock_irqrestore(&mi->pages, flags);
	/* Dead: no one else changes the pages any more. */
	xa_destroy(&mi->pages);
	atomic_long_sub(n, &meta->nr_pages);
	atomic_long_dec(&meta->nr_inodes);
	puma_meta_inode_put(mi);
	return n;
}

/* Take @mi out of the index if it has no records.  Under RCU or a ref. */
static void puma_meta_inode_reap(struct puma_meta *meta,
				 struct puma_meta_inode *mi)
{
	unsigned long flags;
	bool reaped = false;

	xa_lock_irqsave(&meta->inodes, flags);
	if (xa_load(&meta->inodes, mi->ino) == mi) {
		xa_lock(&mi->pages);
		if (!mi->count) {
			WRITE_ONCE(mi->dead, true);
			__xa_erase(&meta->inodes, mi->ino);
			reaped = true;
		}
		xa_unlock(&mi->pages);
	}
	xa_unlock_irqrestore(&meta->inodes, flags);
	if (reaped) {
		atomic_long_dec(&meta->nr_inodes);
		puma_meta_inode_put(mi);
	}
}

/*
 * Inode @ino of generation @gen, referenced, created if there is none.  One
 * of another generation is a reused inode number: its records are dropped.
 * The inode returned may be dead already: the caller checks.
 */
static struct puma_meta_inode *
puma_meta_inode_get(struct puma_meta *meta, u64 ino, u32 gen, gfp_t gfp)
{
	XA_STATE(xas, &meta->inodes, ino);
	struct puma_meta_inode *mi, *fresh, *old;
	unsigned long flags;

	rcu_read_lock();
	mi = xa_load(&meta->inodes, ino);
	if (mi && mi->gen == gen && refcount_inc_not_zero(&mi->ref)) {
		rcu_read_unlock();
		return mi;
	}
	rcu_read_unlock();

	fresh = kzalloc(sizeof(*fresh), gfp);
	if (!fresh)
		return ERR_PTR(-ENOMEM);
	fresh->ino = ino;
	fresh->gen = gen;
	refcount_set(&fresh->ref, 2);
	xa_init_flags(&fresh->pages, XA_FLAGS_LOCK_IRQ);
	lockdep_set_class(&fresh->pages.xa_lock, &puma_meta_pages_key);

	do {
		mi = fresh;
		xas_lock_irqsave(&xas, flags);
		old = xas_load(&xas);
		if (old && old->gen == gen) {
			/* A racing store created it; in the index, not dead. */
			mi = old;
			old = NULL;
			refcount_inc(&mi->ref);
		} else {
			xas_store(&xas, fresh);
			if (xas_error(&xas))
				old = NULL;
			else
				atomic_long_inc(&meta->nr_inodes);
		}
		xas_unlock_irqrestore(&xas, flags);
	} while (xas_nomem(&xas, gfp));

	if (xas_error(&xas)) {
		kfree(fresh);
		return ERR_PTR(xas_error(&xas));
	}
	if (mi != fresh)
		kfree(fresh);
	if (old) {
		puma_meta_inode_kill(meta, old);
		puma_meta_bump(meta);
	}
	return mi;
}

/* Store @entry at @index of @mi; -EAGAIN when @mi is dead. */
static int puma_meta_inode_store(struct puma_meta *meta,
				 struct puma_meta_inode *mi,
				 unsigned long index, void *entry,
				 void **old, gfp_t gfp)
{
	XA_STATE(xas, &mi->pages, index);
	unsigned long flags;

	do {
		xas_lock_irqsave(&xas, flags);
		if (mi->dead) {
			/* xas_nomem() frees what it allocated, and stops. */
			xas_set_err(&xas, -EAGAIN);
		} else {
			*old = xas_store(&xas, entry);
			if (!*old && !xas_error(&xas)) {
				mi->count++;
				atomic_long_inc(&meta->nr_pages);
			}
		}
		xas_unlock_irqrestore(&xas, flags);
	} while (xas_nomem(&xas, gfp));
	return xas_error(&xas);
}

/*
 * Erase the records of @mi in [@first, @last]: all of them, or those of one
 * lender.  Under RCU.  The pages lock is released every PUMA_META_BATCH
 * records, so that IRQs are never off for long.
 */
static unsigned long puma_meta_inode_erase(struct puma_meta *meta,
					   struct puma_meta_inode *mi,
					   unsigned long first,
					   unsigned long last, int lender)
{
	XA_STATE(xas, &mi->pages, first);
	unsigned long flags, n = 0;
	unsigned int seen = 0;
	void *entry;
	bool empty;

	xas_lock_irqsave(&xas, flags);
	xas_for_each(&xas, entry, last) {
		if (mi->dead)
			break;
		if (lender == PUMA_META_ANY ||
		    puma_meta_lender(entry) == lender) {
			unsigned long index = xas.xa_index;

			xas_store(&xas, NULL);
			mi->count--;
			n++;
			/*
			 * A store of NULL may free the node (and its parents):
			 * the state then points at a parent, from which a
			 * later xas_pause() would step past the next node's
			 * records.  Walk on from the next index instead.
			 */
			if (index == last)
				break;
			xas_set(&xas, index + 1);
		}
		if (++seen % PUMA_META_BATCH)
			continue;
		xas_pause(&xas);
		xas_unlock_irqrestore(&xas, flags);
		xas_lock_irqsave(&xas, flags);
	}
	empty = n && !mi->count && !mi->dead;
	xas_unlock_irqrestore(&xas, flags);

	atomic_long_sub(n, &meta->nr_pages);
	if (empty)
		puma_meta_inode_reap(meta, mi);
	return n;
}

/* Take inode @ino out of the index and drop its records. */
static unsigned long puma_meta_unlink(struct puma_meta *meta, u64 ino)
{
	struct puma_meta_inode *mi;
	unsigned long flags;

	xa_lock_irqsave(&meta->inodes, flags);
	mi = __xa_erase(&meta->inodes, ino);
	xa_unlock_irqrestore(&meta->inodes, flags);
	return mi ? puma_meta_inode_kill(meta, mi) : 0;
}

/**
 * puma_meta_init() - initialise an empty set of records
 * @meta: the pool's metadata
 */
void puma_meta_init(struct puma_meta *meta)
{
	xa_init_flags(&meta->inodes, XA_FLAGS_LOCK_IRQ);
	lockdep_set_class(&meta->inodes.xa_lock, &puma_meta_inodes_key);
	atomic64_set(&meta->seq, 0);
	atomic_long_set(&meta->nr_pages, 0);
	atomic_long_set(&meta->nr_inodes, 0);
}

/**
 * puma_meta_destroy() - drop every record and free what they used
 * @meta: the pool's metadata
 *
 * Context: no other user of @meta is left.  Inode structs are freed after
 * an RCU grace period: wait for them (rcu_barrier()) before the module
 * goes away.
 */
void puma_meta_destroy(struct puma_meta *meta)
{
	puma_meta_clear(meta);
	WARN_ON_ONCE(puma_meta_pages(meta) || puma_meta_inodes(meta));
	xa_destroy(&meta->inodes);
}

/**
 * puma_meta_replace() - record that a lender holds a page, and say what
 * the record replaced
 * @meta: the pool's metadata
 * @ino: inode number
 * @gen: inode generation; the records of another generation of @ino are
 *	dropped first (the inode number was reused)
 * @index: page index
 * @rec: the page's tag and lender slot; replaces any record of the page
 * @old: set to the replaced record when there was one; may be NULL
 * @gfp: allocation flags: GFP_ATOMIC with IRQs off or a spinlock held
 *
 * A replaced record is a change of the page's content as far as gets in
 * flight are concerned: one may be fetching the page the old record
 * described, so the invalidation sequence number moves (after the new
 * record is in), and those gets re-check their records before they let
 * what they fetched in.
 *
 * Context: any, if @gfp does not allow sleeping; see the locking rules at
 * the top of meta.c.
 * Return: 1 when a record was replaced (@old filled in), 0 when there was
 * none, -ENOMEM when the store failed (then the page has no new record; an
 * old one may remain).
 */
int puma_meta_replace(struct puma_meta *meta, u64 ino, u32 gen,
		      unsigned long index, const struct puma_meta_rec *rec,
		      struct puma_meta_rec *old, gfp_t gfp)
{
	void *entry = puma_meta_entry(rec), *prev = NULL;
	struct puma_meta_inode *mi;
	int err;

	do {
		mi = puma_meta_inode_get(meta, ino, gen, gfp);
		if (IS_ERR(mi))
			return PTR_ERR(mi);
		err = puma_meta_inode_store(meta, mi, index, entry, &prev,
					    gfp);
		/* A new inode whose first store failed must not linger. */
		if (err && err != -EAGAIN)
			puma_meta_inode_reap(meta, mi);
		puma_meta_inode_put(mi);
	} while (err == -EAGAIN);
	if (err)
		return err;
	if (!xa_is_value(prev))
		return 0;
	puma_meta_bump(meta);
	if (old)
		puma_meta_unpack(prev, old);
	return 1;
}

/**
 * puma_meta_store() - record that a lender holds a page
 * @meta: the pool's metadata
 * @ino: inode number
 * @gen: inode generation
 * @index: page index
 * @rec: the page's record; replaces any record of the page
 * @gfp: allocation flags
 *
 * puma_meta_replace() without the old record.
 *
 * Context: as puma_meta_replace().
 * Return: 0 or -ENOMEM (then the page has no new record).
 */
int puma_meta_store(struct puma_meta *meta, u64 ino, u32 gen,
		    unsigned long index, const struct puma_meta_rec *rec,
		    gfp_t gfp)
{
	int ret = puma_meta_replace(meta, ino, gen, index, rec, NULL, gfp);

	return ret < 0 ? ret : 0;
}

/*
 * Under the page's records lock, if its record has @rec's tag and lender,
 * replace it with @entry (NULL erases).  Returns whether it did.
 */
static bool puma_meta_swap(struct puma_meta *meta, u64 ino, u32 gen,
			   unsigned long index,
			   const struct puma_meta_rec *rec, void *entry)
{
	struct puma_meta_inode *mi;
	bool done = false, empty = false;
	unsigned long flags;

	rcu_read_lock();
	mi = xa_load(&meta->inodes, ino);
	if (mi && mi->gen == gen) {
		xa_lock_irqsave(&mi->pages, flags);
		if (!mi->dead &&
		    puma_meta_same(xa_load(&mi->pages, index), rec)) {
			if (entry)
				__xa_store(&mi->pages, index, entry,
					   GFP_ATOMIC);
			else
				__xa_erase(&mi->pages, index);
			done = true;
			if (!entry)
				empty = !--mi->count;
		}
		xa_unlock_irqrestore(&mi->pages, flags);
		if (done && !entry)
			atomic_long_dec(&meta->nr_pages);
		if (empty)
			puma_meta_inode_reap(meta, mi);
	}
	rcu_read_unlock();
	return done;
}

/**
 * puma_meta_confirm() - the lender acknowledged a put: its record may be
 * asked for
 * @meta: the pool's metadata
 * @ino: inode number
 * @gen: inode generation
 * @index: page index
 * @rec: the record the put acknowledged made (pending)
 *
 * Clears the pending mark of the page's record if it is still the record
 * of that put; a record replaced or erased since is left alone.  Storing
 * over an existing entry needs no allocation.
 *
 * Context: any; does not sleep.
 * Return: true when the record was the put's.
 */
bool puma_meta_confirm(struct puma_meta *meta, u64 ino, u32 gen,
		       unsigned long index, const struct puma_meta_rec *rec)
{
	struct puma_meta_rec done = *rec;

	done.pending = false;
	return puma_meta_swap(meta, ino, gen, index, rec,
			      puma_meta_entry(&done));
}

/**
 * puma_meta_erase_if() - erase a page's record if it is still @rec
 * @meta: the pool's metadata
 * @ino: inode number
 * @gen: inode generation
 * @index: page index
 * @rec: the record to erase, exactly as it was recorded
 *
 * For what the get path and acknowledgments learn about one record: a
 * lender that did not have the page, a put it refused.  A newer record of
 * the page (a put since) is left alone.  Bumps the sequence number when it
 * erases.
 *
 * Context: any; does not sleep.
 * Return: true when erased.
 */
bool puma_meta_erase_if(struct puma_meta *meta, u64 ino, u32 gen,
			unsigned long index, const struct puma_meta_rec *rec)
{
	if (!puma_meta_swap(meta, ino, gen, index, rec, NULL))
		return false;
	puma_meta_bump(meta);
	return true;
}

/**
 * puma_meta_lookup() - the record of a page
 * @meta: the pool's metadata
 * @ino: inode number
 * @gen: inode generation; a record of another generation does not match
 * @index: page index
 * @rec: output, written only when a record is found
 *
 * Context: any; lockless.
 * Return: true when the page has a record.
 */
bool puma_meta_lookup(struct puma_meta *meta, u64 ino, u32 gen,
		      unsigned long index, struct puma_meta_rec *rec)
{
	struct puma_meta_inode *mi;
	void *entry = NULL;

	rcu_read_lock();
	mi = xa_load(&meta->inodes, ino);
	if (mi && mi->gen == gen && !READ_ONCE(mi->dead))
		entry = xa_load(&mi->pages, index);
	rcu_read_unlock();
	if (!xa_is_value(entry))
		return false;
	puma_meta_unpack(entry, rec);
	return true;
}

/**
 * puma_meta_take() - look a page's record up and erase it
 * @meta: the pool's metadata
 * @ino: inode number
 * @gen: inode generation
 * @index: page index
 * @rec: output, written only when a record is found
 *
 * For exclusive gets: the page leaves the lender as it enters the page
 * cache.  Unlike the erases, this does not bump the sequence number: it is
 * the get path itself, not an invalidation.
 *
 * Context: any.
 * Return: true when a record was found (and erased).
 */
bool puma_meta_take(struct puma_meta *meta, u64 ino, u32 gen,
		    unsigned long index, struct puma_meta_rec *rec)
{
	struct puma_meta_inode *mi;
	unsigned long flags;
	void *entry = NULL;
	bool empty = false;

	rcu_read_lock();
	mi = xa_load(&meta->inodes, ino);
	if (mi && mi->gen == gen) {
		xa_lock_irqsave(&mi->pages, flags);
		if (!mi->dead)
			entry = __xa_erase(&mi->pages, index);
		if (entry)
			empty = !--mi->count;
		xa_unlock_irqrestore(&mi->pages, flags);
		if (entry)
			atomic_long_dec(&meta->nr_pages);
		if (empty)
			puma_meta_inode_reap(meta, mi);
	}
	rcu_read_unlock();
	if (!xa_is_value(entry))
		return false;
	puma_meta_unpack(entry, rec);
	return true;
}

/**
 * puma_meta_erase_range() - erase the records of a range of pages
 * @meta: the pool's metadata
 * @ino: inode number (any generation)
 * @first: first page index
 * @last: last page index, included; ULONG_MAX for the end of the file
 *
 * Bumps the sequence number even when nothing was found: a concurrent
 * exclusive get may have taken a record of the range and be fetching it.
 *
 * Context: any; see the locking rules at the top of meta.c.
 * Return: number of records erased.
 */
unsigned long puma_meta_erase_range(struct puma_meta *meta, u64 ino,
				    unsigned long first, unsigned long last)
{
	struct puma_meta_inode *mi;
	unsigned long n = 0;

	if (first > last)
		return 0;
	rcu_read_lock();
	mi = xa_load(&meta->inodes, ino);
	if (mi)
		n = puma_meta_inode_erase(meta, mi, first, last,
					  PUMA_META_ANY);
	rcu_read_unlock();
	puma_meta_bump(meta);
	return n;
}

/**
 * puma_meta_erase_page() - erase the record of one page
 * @meta: the pool's metadata
 * @ino: inode number (any generation)
 * @index: page index
 *
 * Context: any.
 * Return: number of records erased, 0 or 1.
 */
unsigned long puma_meta_erase_page(struct puma_meta *meta, u64 ino,
				   unsigned long index)
{
	return puma_meta_erase_range(meta, ino, index, index);
}

/**
 * puma_meta_erase_inode() - erase every record of a file
 * @meta: the pool's metadata
 * @ino: inode number (any generation)
 *
 * Context: any.
 * Return: number of records erased.
 */
unsigned long puma_meta_erase_inode(struct puma_meta *meta, u64 ino)
{
	unsigned long n = puma_meta_unlink(meta, ino);

	puma_meta_bump(meta);
	return n;
}

/**
 * puma_meta_erase_lender() - forget every page a lender holds
 * @meta: the pool's metadata
 * @lender: the lender's slot
 *
 * For a lender that disconnected: its pages are gone with it.  Visits
 * every record of the pool.
 *
 * Context: any, but meant for process context (a disconnect); holds the
 * RCU read lock throughout.
 * Return: number of records erased.
 */
unsigned long puma_meta_erase_lender(struct puma_meta *meta, u8 lender)
{
	struct puma_meta_inode *mi;
	unsigned long ino, n = 0;

	rcu_read_lock();
	xa_for_each(&meta->inodes, ino, mi)
		n += puma_meta_inode_erase(meta, mi, 0, ULONG_MAX, lender);
	rcu_read_unlock();
	puma_meta_bump(meta);
	return n;
}

/**
 * puma_meta_clear() - erase every record of the pool
 * @meta: the pool's metadata
 *
 * Context: any.
 * Return: number of records erased.
 */
unsigned long puma_meta_clear(struct puma_meta *meta)
{
	struct puma_meta_inode *mi;
	unsigned long ino, n = 0;

	xa_for_each(&meta->inodes, ino, mi)
		n += puma_meta_unlink(meta, ino);
	puma_meta_bump(meta);
	return n;
}

/*
 * Nodes of the XArray subtree at @entry, counted by walking it with the
 * XArray's own accessors.  Recursion depth is the tree's height: at most
 * 11 levels of XA_CHUNK_SIZE slots on 64-bit.  Under RCU.
 */
static unsigned long puma_meta_nodes(const struct xarray *xa, void *entry)
{
	struct xa_node *node;
	unsigned long n = 1;
	unsigned int i;

	if (!xa_is_node(entry))
		return 0;
	node = xa_to_node(entry);
	if (node->shift)
		for (i = 0; i < XA_CHUNK_SIZE; i++)
			n += puma_meta_nodes(xa, xa_entry(xa, node, i));
	return n;
}

/**
 * puma_meta_bytes() - memory the records use
 * @meta: the pool's metadata
 *
 * Counts the XArray nodes actually allocated, in the inode index and in
 * every inode, by walking the trees (sizeof(struct xa_node) each, 576
 * bytes on 64-bit), and the inode structs at their kmalloc size.  Slab
 * overhead is not counted.  Records themselves live in the nodes' slots.
 * Cost: XA_CHUNK_SIZE slot reads per interior node, about one per leaf
 * node of a dense file; meant for statistics, not for a hot path.
 *
 * Context: any; lockless.  Exact when nothing changes meanwhile.
 * Return: bytes.
 */
size_t puma_meta_bytes(struct puma_meta *meta)
{
	struct puma_meta_inode *mi;
	unsigned long ino, nodes, inodes = 0;

	rcu_read_lock();
	nodes = puma_meta_nodes(&meta->inodes, xa_head(&meta->inodes));
	xa_for_each(&meta->inodes, ino, mi) {
		nodes += puma_meta_nodes(&mi->pages, xa_head(&mi->pages));
		inodes++;
	}
	rcu_read_unlock();
	return nodes * sizeof(struct xa_node) +
	       inodes * kmalloc_size_roundup(sizeof(*mi));
}
