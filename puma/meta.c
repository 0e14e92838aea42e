// SPDX-License-Identifier: GPL-2.0
/*
 * Local metadata of remotely held pages.
 *
 * One struct puma_meta per filesystem pool: an XArray of inodes keyed by
 * inode number, each with an XArray of chunks keyed by page index / 64.  A
 * chunk holds the records of the pages of its 64 that some lender holds:
 * a presence bitmap and, packed in index order, one 56-bit record per page
 * present (meta.h: the page's integrity tag, the slot of the lender
 * holding it, the pending mark and the put's epoch).  The borrower asks a
 * lender for a page only while a record says the lender holds it; every
 * path that may change a page's content or lose the remote copy erases the
 * record first.
 *
 * Why chunks.  One XArray slot per page costs 64 bits for the slot alone
 * plus its share of a 576-byte node, 72 bits at best and over 4000 for a
 * file with one remote page in 64.  A chunk costs 16 bytes plus 7 per
 * record it has room for; chunks come in a few sizes (puma_meta_caps), so
 * a chunk of k records wastes at most a few slots.
 *
 * Locking, once for the whole file:
 *
 * - Store and the erases (but for the whole-pool ones, erase_lender and
 *   clear, which may reschedule) may be called with IRQs off and another
 *   IRQ-safe spinlock held: the eviction hook holds the mapping's i_pages
 *   lock.  So both XArray levels are XA_FLAGS_LOCK_IRQ and always locked
 *   with _irqsave; memory is allocated only with the caller's gfp (GFP_ATOMIC
 *   under i_pages) and never with a lock held; nothing sleeps unless that
 *   gfp allows it.
 * - Lock order: the caller's locks, then &puma_meta.inodes, then the pages
 *   of one inode.  Never the pages of two inodes at once.
 * - A chunk changes only under its inode's pages lock.  A change that fits
 *   (a record rewritten, inserted into a chunk with room, or erased) is
 *   made in place between two increments of the chunk's sequence count;
 *   one that does not fit copies the chunk into a larger one, which
 *   replaces it in the XArray, and the old chunk is then marked dead (its
 *   count left odd for good) and freed after a grace period.
 * - Lookups are lockless under RCU: they read a chunk between two reads of
 *   its sequence count and start again when it moved or was odd (a dead
 *   chunk sends them back to the XArray, which by then holds its
 *   successor or nothing).  Inode structs are freed with kfree_rcu(),
 *   chunks with call_rcu(), and the XArray frees its nodes after a grace
 *   period.
 * - An inode leaves the index under the inodes lock and is marked dead
 *   under its pages lock; after that only its remover touches its pages.
 *   A store that finds the inode dead starts again and creates a new one;
 *   the other writers find nothing to do.  An inode left without records
 *   leaves the index.
 * - A store holds a reference on its inode, so that it may drop every lock
 *   to allocate (xas_nomem(), a larger chunk); the index holds one more.
 */
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "meta.h"
#include "tag.h"

static_assert(BITS_PER_LONG == 64, "a chunk's bitmap is one unsigned long");
static_assert(PUMA_TAG_BITS <= PUMA_META_TAG_BITS);
static_assert(PUMA_META_LENDER_SHIFT + 4 == 49 && PUMA_META_LENDERS == 1 << 4);
static_assert(PUMA_META_EPOCH_SHIFT + 6 == PUMA_META_REC_BITS);
static_assert(PUMA_META_EPOCHS == 1 << 6);
static_assert(PUMA_META_CHUNK_PAGES == BITS_PER_LONG_LONG);

/* Bytes of one packed record. */
#define PUMA_META_REC_BYTES	(PUMA_META_REC_BITS / 8)

/* Chunks an erase visits between two releases of the pages lock. */
#define PUMA_META_BATCH		16

/* All lenders, for puma_meta_inode_erase(). */
#define PUMA_META_ANY		-1

/**
 * struct puma_meta_chunk - the records of up to 64 consecutive pages
 * @seq: sequence count: odd while a change is made in place, and for good
 *	once the chunk is dead (replaced or removed); under the pages lock
 * @cap: records it has room for, puma_meta_caps[@class]
 * @class: its size class, the cache it came from
 * @present: bit i set when page (chunk index * 64 + i) has a record; the
 *	records of the pages present follow in @recs, in bit order
 * @rcu: for freeing, once dead; it overlays @recs: a reader still reading
 *	them then rejects what it read, as its second read of @seq is odd
 * @recs: @cap records of PUMA_META_REC_BYTES bytes, little-endian
 */
struct puma_meta_chunk {
	unsigned int seq;
	u8 cap;
	u8 class;
	u64 present;
	union {
		struct rcu_head rcu;
		DECLARE_FLEX_ARRAY(u8, recs);
	};
};

/* Room of each size class: a chunk grows to the next one that fits. */
static const u8 puma_meta_caps[] = { 2, 4, 8, 16, 24, 32, 40, 48, 56, 64 };
#define PUMA_META_CLASSES	ARRAY_SIZE(puma_meta_caps)

static struct kmem_cache *puma_meta_cache[PUMA_META_CLASSES];

/* Bytes of a chunk of @class. */
static size_t puma_meta_chunk_size(unsigned int class)
{
	return ALIGN(max(offsetof(struct puma_meta_chunk, recs) +
			 puma_meta_caps[class] * PUMA_META_REC_BYTES,
			 sizeof(struct puma_meta_chunk)), 8);
}

/*
 * Every XArray lock initialised in one file shares a lockdep class: give
 * the two levels their own, so that lockdep checks their order.
 */
static struct lock_class_key puma_meta_inodes_key;
static struct lock_class_key puma_meta_pages_key;

/**
 * puma_meta_caches_init() - create the caches chunks come from
 *
 * Called once, before any struct puma_meta is used.
 *
 * Context: process.
 * Return: 0 or -ENOMEM.
 */
int puma_meta_caches_init(void)
{
	char name[32];
	unsigned int i;

	for (i = 0; i < PUMA_META_CLASSES; i++) {
		snprintf(name, sizeof(name), "puma_meta_chunk%u",
			 puma_meta_caps[i]);
		puma_meta_cache[i] = kmem_cache_create(name,
						       puma_meta_chunk_size(i),
						       8, 0, NULL);
		if (!puma_meta_cache[i]) {
			puma_meta_caches_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * puma_meta_caches_exit() - destroy the caches of chunks
 *
 * Context: process; every struct puma_meta destroyed and an rcu_barrier()
 * since, so that no chunk is still waiting to be freed.
 */
void puma_meta_caches_exit(void)
{
	unsigned int i;

	for (i = 0; i < PUMA_META_CLASSES; i++) {
		kmem_cache_destroy(puma_meta_cache[i]);
		puma_meta_cache[i] = NULL;
	}
}

static u64 puma_meta_pack(const struct puma_meta_rec *rec)
{
	return (rec->tag & PUMA_META_TAG_MASK) |
	       (u64)(rec->lender % PUMA_META_LENDERS) << PUMA_META_LENDER_SHIFT |
	       (rec->pending ? PUMA_META_PENDING : 0) |
	       (u64)(rec->epoch % PUMA_META_EPOCHS) << PUMA_META_EPOCH_SHIFT;
}

static unsigned int puma_meta_lender(u64 val)
{
	return (val >> PUMA_META_LENDER_SHIFT) % PUMA_META_LENDERS;
}

static void puma_meta_unpack(u64 val, struct puma_meta_rec *rec)
{
	rec->tag = val & PUMA_META_TAG_MASK;
	rec->lender = puma_meta_lender(val);
	rec->pending = val & PUMA_META_PENDING;
	rec->epoch = (val >> PUMA_META_EPOCH_SHIFT) % PUMA_META_EPOCHS;
}

/* The record at position @pos of @c; lockless readers may see it torn. */
static u64 puma_meta_rec_read(const struct puma_meta_chunk *c,
			      unsigned int pos)
{
	__le64 v = 0;

	memcpy(&v, c->recs + pos * PUMA_META_REC_BYTES, PUMA_META_REC_BYTES);
	return le64_to_cpu(v);
}

static void puma_meta_rec_write(struct puma_meta_chunk *c, unsigned int pos,
				u64 val)
{
	__le64 v = cpu_to_le64(val);

	memcpy(c->recs + pos * PUMA_META_REC_BYTES, &v, PUMA_META_REC_BYTES);
}

/* Position among the records of @present of the page at @bit. */
static unsigned int puma_meta_pos(u64 present, unsigned int bit)
{
	return hweight64(present & (BIT_ULL(bit) - 1));
}

/* A change in place begins: lockless readers of @c will start again. */
static void puma_meta_chunk_begin(struct puma_meta_chunk *c)
{
	WRITE_ONCE(c->seq, c->seq + 1);
	smp_wmb();	/* the odd count before the changes */
}

static void puma_meta_chunk_end(struct puma_meta_chunk *c)
{
	smp_wmb();	/* the changes before the even count */
	WRITE_ONCE(c->seq, c->seq + 1);
}

static void puma_meta_chunk_free_rcu(struct rcu_head *rcu)
{
	struct puma_meta_chunk *c = container_of(rcu, struct puma_meta_chunk,
						 rcu);

	kmem_cache_free(puma_meta_cache[c->class], c);
}

/*
 * @c is out of the XArray (replaced or removed, under the pages lock):
 * mark it dead for the readers still looking at it, free it after them.
 */
static void puma_meta_chunk_retire(struct puma_meta_chunk *c)
{
	smp_wmb();	/* its successor in the XArray before the odd count */
	WRITE_ONCE(c->seq, c->seq | 1);
	smp_wmb();	/* the odd count before call_rcu() writes over @recs */
	call_rcu(&c->rcu, puma_meta_chunk_free_rcu);
}

/* The smallest class with room for @need records, 1 to 64. */
static unsigned int puma_meta_class(unsigned int need)
{
	unsigned int class = 0;

	while (puma_meta_caps[class] < need)
		class++;
	return class;
}

static struct puma_meta_chunk *puma_meta_chunk_alloc(unsigned int need,
						     gfp_t gfp)
{
	unsigned int class = puma_meta_class(need);
	struct puma_meta_chunk *c;

	c = kmem_cache_alloc(puma_meta_cache[class], gfp);
	if (!c)
		return NULL;
	c->seq = 0;
	c->cap = puma_meta_caps[class];
	c->class = class;
	c->present = 0;
	return c;
}

/*
 * A lookup found a chunk being changed.  The writer holds the pages lock
 * with IRQs off, so it cannot be interrupted by this reader and ends
 * soon.  On PREEMPT_RT the lock sleeps and leaves preemption on: the
 * writer may be preempted by this reader, which then waits on the lock.
 */
static void puma_meta_chunk_wait(struct xa_state *xas)
{
	unsigned long flags;

	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		xa_lock_irqsave(xas->xa, flags);
		xa_unlock_irqrestore(xas->xa, flags);
	} else {
		cpu_relax();
	}
}

/*
 * Lockless: the record of the page at @bit of the chunk at @xas's index,
 * into @val.  Under RCU.
 */
static bool puma_meta_chunk_lookup(struct xa_state *xas, unsigned int bit,
				   u64 *val)
{
	struct puma_meta_chunk *c;
	unsigned int seq, pos;
	bool found;
	u64 present;

	for (;;) {
		xas_reset(xas);
		c = xas_load(xas);
		if (xas_retry(xas, c))
			continue;
		if (!c)
			return false;
		seq = READ_ONCE(c->seq);
		smp_rmb();	/* the count before the content */
		if (seq & 1) {
			/* Being changed, or dead and out of the XArray. */
			puma_meta_chunk_wait(xas);
			continue;
		}
		present = READ_ONCE(c->present);
		found = present & BIT_ULL(bit);
		pos = puma_meta_pos(present, bit);
		if (found && pos < c->cap)
			/* Racing the writers on purpose: @seq tells. */
			*val = data_race(puma_meta_rec_read(c, pos));
		smp_rmb();	/* the content before the count again */
		if (READ_ONCE(c->seq) == seq && (!found || pos < c->cap))
			return found;
	}
}

/* Copy the records of @c not in @gone to @dst, from position 0. */
static void puma_meta_chunk_keep(struct puma_meta_chunk *dst,
				 const struct puma_meta_chunk *c, u64 gone)
{
	u64 present = c->present;
	unsigned int src = 0, to = 0, bit;

	for_each_set_bit(bit, (unsigned long *)&present,
			 PUMA_META_CHUNK_PAGES) {
		if (!(gone & BIT_ULL(bit))) {
			if (dst != c || to != src)
				memmove(dst->recs + to * PUMA_META_REC_BYTES,
					c->recs + src * PUMA_META_REC_BYTES,
					PUMA_META_REC_BYTES);
			to++;
		}
		src++;
	}
}

/*
 * Under the pages lock: erase the records of @mask from the chunk @c at
 * @xas.  A chunk left empty leaves the XArray (*@removed set); one left
 * with at most half the room of the class below moves into a smaller
 * chunk when one can be had without waiting (GFP_NOWAIT: an erase never
 * fails), so that a chunk that was dense once does not stay large;
 * otherwise the records are compacted in place.  Returns the number
 * erased.
 */
static unsigned int puma_meta_chunk_erase(struct xa_state *xas,
					  struct puma_meta_chunk *c, u64 mask,
					  bool *removed)
{
	u64 present = c->present, gone = present & mask;
	unsigned int left = hweight64(present & ~gone);
	struct puma_meta_chunk *n;

	*removed = false;
	if (!gone)
		return 0;
	if (!left) {
		xas_store(xas, NULL);
		puma_meta_chunk_retire(c);
		*removed = true;
		return hweight64(gone);
	}
	if (c->class && 2 * left <= puma_meta_caps[c->class - 1]) {
		n = puma_meta_chunk_alloc(left, GFP_NOWAIT | __GFP_NOWARN);
		if (n) {
			puma_meta_chunk_keep(n, c, gone);
			n->present = present & ~gone;
			/* Replaces an entry: allocates nothing, cannot fail. */
			xas_store(xas, n);
			puma_meta_chunk_retire(c);
			return hweight64(gone);
		}
	}
	puma_meta_chunk_begin(c);
	puma_meta_chunk_keep(c, c, gone);
	WRITE_ONCE(c->present, present & ~gone);
	puma_meta_chunk_end(c);
	return hweight64(gone);
}

/* The records of @c in @mask that belong to @lender (or any). */
static u64 puma_meta_chunk_select(const struct puma_meta_chunk *c, u64 mask,
				  int lender)
{
	u64 present = c->present & mask, sel = 0;
	unsigned int bit;

	if (lender == PUMA_META_ANY)
		return present;
	for_each_set_bit(bit, (unsigned long *)&present,
			 PUMA_META_CHUNK_PAGES) {
		u64 val = puma_meta_rec_read(c, puma_meta_pos(c->present, bit));

		if (puma_meta_lender(val) == lender)
			sel |= BIT_ULL(bit);
	}
	return sel;
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
 * Free every chunk of @mi, which is dead.  Lookups that found @mi before
 * it died may still be reading them: each chunk leaves the XArray before
 * it is retired, as in every other removal, so that they find nothing
 * rather than a chunk whose records the rcu_head now overlays.
 */
static void puma_meta_inode_free_chunks(struct puma_meta_inode *mi)
{
	XA_STATE(xas, &mi->pages, 0);
	struct puma_meta_chunk *c;
	unsigned long flags, index;
	unsigned int n = 0;

	xas_lock_irqsave(&xas, flags);
	xas_for_each(&xas, c, ULONG_MAX) {
		index = xas.xa_index;
		xas_store(&xas, NULL);
		puma_meta_chunk_retire(c);
		/*
		 * As in puma_meta_inode_erase(): the node may be gone.  (A
		 * chunk index is at most ULONG_MAX / 64: no overflow.)
		 */
		xas_set(&xas, index + 1);
		if (++n % PUMA_META_BATCH)
			continue;
		xas_pause(&xas);
		xas_unlock_irqrestore(&xas, flags);
		xas_lock_irqsave(&xas, flags);
	}
	xas_unlock_irqrestore(&xas, flags);
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
	puma_meta_inode_free_chunks(mi);
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

/*
 * Under the pages lock: set the record of page @bit of the chunk at @xas
 * to @val.  Returns 1 when it replaced a record (@old set), 0 when it made
 * a new one, -EAGAIN when @mi is dead, an XArray error from storing
 * *@fresh, or -ENOSPC when the chunk is full: then *@need is the room the
 * chunk must have, and the caller brings a *@fresh chunk of that much.
 * *@fresh is used (and set to NULL) when the chunk grows into it.
 */
static int puma_meta_chunk_set(struct puma_meta *meta,
			       struct puma_meta_inode *mi, struct xa_state *xas,
			       unsigned int bit, u64 val, u64 *old,
			       struct puma_meta_chunk **fresh,
			       unsigned int *need)
{
	struct puma_meta_chunk *c, *n;
	unsigned int pos, count;

	if (mi->dead)
		return -EAGAIN;
	c = xas_load(xas);
	if (c && (c->present & BIT_ULL(bit))) {
		pos = puma_meta_pos(c->present, bit);
		*old = puma_meta_rec_read(c, pos);
		puma_meta_chunk_begin(c);
		puma_meta_rec_write(c, pos, val);
		puma_meta_chunk_end(c);
		return 1;
	}
	count = c ? hweight64(c->present) : 0;
	pos = c ? puma_meta_pos(c->present, bit) : 0;
	if (c && count < c->cap) {
		puma_meta_chunk_begin(c);
		memmove(c->recs + (pos + 1) * PUMA_META_REC_BYTES,
			c->recs + pos * PUMA_META_REC_BYTES,
			(count - pos) * PUMA_META_REC_BYTES);
		puma_meta_rec_write(c, pos, val);
		WRITE_ONCE(c->present, c->present | BIT_ULL(bit));
		puma_meta_chunk_end(c);
		goto added;
	}
	n = *fresh;
	/* Exactly the class needed: erases may have shrunk the chunk since. */
	if (!n || n->class != puma_meta_class(count + 1)) {
		*need = count + 1;
		return -ENOSPC;
	}
	/* Not visible yet: filled without its count. */
	if (c) {
		memcpy(n->recs, c->recs, pos * PUMA_META_REC_BYTES);
		memcpy(n->recs + (pos + 1) * PUMA_META_REC_BYTES,
		       c->recs + pos * PUMA_META_REC_BYTES,
		       (count - pos) * PUMA_META_REC_BYTES);
	}
	puma_meta_rec_write(n, pos, val);
	n->present = (c ? c->present : 0) | BIT_ULL(bit);
	xas_store(xas, n);
	if (xas_error(xas))
		return xas_error(xas);
	*fresh = NULL;
	if (c)
		puma_meta_chunk_retire(c);
added:
	mi->count++;
	atomic_long_inc(&meta->nr_pages);
	return 0;
}

/*
 * Set the record of page @index of @mi to @val: 1 when it replaced one
 * (@old set), 0 when new, -EAGAIN when @mi is dead, -ENOMEM.
 */
static int puma_meta_inode_store(struct puma_meta *meta,
				 struct puma_meta_inode *mi,
				 unsigned long index, u64 val, u64 *old,
				 gfp_t gfp)
{
	XA_STATE(xas, &mi->pages, index >> PUMA_META_CHUNK_SHIFT);
	unsigned int bit = index % PUMA_META_CHUNK_PAGES, need = 0;
	struct puma_meta_chunk *fresh = NULL;
	unsigned long flags;
	int ret;

	for (;;) {
		xas_lock_irqsave(&xas, flags);
		ret = puma_meta_chunk_set(meta, mi, &xas, bit, val, old,
					  &fresh, &need);
		xas_unlock_irqrestore(&xas, flags);
		if (ret == -ENOSPC) {
			/* Never visible: freed at once. */
			if (fresh)
				kmem_cache_free(puma_meta_cache[fresh->class],
						fresh);
			fresh = puma_meta_chunk_alloc(need, gfp);
			if (!fresh) {
				/* No error in @xas: frees what it holds. */
				xas_nomem(&xas, gfp);
				ret = -ENOMEM;
				break;
			}
			xas_reset(&xas);
			continue;
		}
		if (!xas_nomem(&xas, gfp))
			break;
	}
	if (fresh)
		kmem_cache_free(puma_meta_cache[fresh->class], fresh);
	return ret == -EAGAIN || ret >= 0 ? ret : -ENOMEM;
}

/*
 * Erase the records of @mi in [@first, @last]: all of them, or those of one
 * lender.  Under RCU.  The pages lock is released every PUMA_META_BATCH
 * chunks, so that IRQs are never off for long.
 */
static unsigned long puma_meta_inode_erase(struct puma_meta *meta,
					   struct puma_meta_inode *mi,
					   unsigned long first,
					   unsigned long last, int lender)
{
	unsigned long cfirst = first >> PUMA_META_CHUNK_SHIFT;
	unsigned long clast = last >> PUMA_META_CHUNK_SHIFT;
	XA_STATE(xas, &mi->pages, cfirst);
	struct puma_meta_chunk *c;
	unsigned long flags, n = 0, cidx;
	unsigned int seen = 0, e;
	bool empty, removed;
	u64 mask;

	xas_lock_irqsave(&xas, flags);
	xas_for_each(&xas, c, clast) {
		if (mi->dead)
			break;
		cidx = xas.xa_index;
		mask = ~0ULL;
		if (cidx == cfirst)
			mask &= ~0ULL << (first % PUMA_META_CHUNK_PAGES);
		if (cidx == clast)
			mask &= ~0ULL >> (PUMA_META_CHUNK_PAGES - 1 -
					  last % PUMA_META_CHUNK_PAGES);
		e = puma_meta_chunk_erase(&xas, c,
					  puma_meta_chunk_select(c, mask,
								 lender),
					  &removed);
		mi->count -= e;
		n += e;
		if (cidx == clast)
			break;
		/*
		 * Storing NULL may have freed the node (and its parents):
		 * the state then points at a parent, from which a later
		 * xas_pause() would step past the next node's chunks.  Walk
		 * on from the next index instead.
		 */
		if (removed)
			xas_set(&xas, cidx + 1);
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
 * Context: no other user of @meta is left.  Inode structs and chunks are
 * freed after an RCU grace period: wait for them (rcu_barrier()) before
 * puma_meta_caches_exit() and before the module goes away.
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
	u64 val = puma_meta_pack(rec), prev = 0;
	struct puma_meta_inode *mi;
	int ret;

	do {
		mi = puma_meta_inode_get(meta, ino, gen, gfp);
		if (IS_ERR(mi))
			return PTR_ERR(mi);
		ret = puma_meta_inode_store(meta, mi, index, val, &prev, gfp);
		/* A new inode whose first store failed must not linger. */
		if (ret < 0 && ret != -EAGAIN)
			puma_meta_inode_reap(meta, mi);
		puma_meta_inode_put(mi);
	} while (ret == -EAGAIN);
	if (ret <= 0)
		return ret;
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
 * Under the page's records lock, if its record is exactly @rec, replace it
 * with @repl, or erase it when @repl is NULL.  Returns whether it did.
 */
static bool puma_meta_swap(struct puma_meta *meta, u64 ino, u32 gen,
			   unsigned long index,
			   const struct puma_meta_rec *rec,
			   const struct puma_meta_rec *repl)
{
	unsigned int bit = index % PUMA_META_CHUNK_PAGES, pos;
	struct puma_meta_inode *mi;
	bool done = false, empty = false, removed;
	struct puma_meta_chunk *c;
	unsigned long flags;

	rcu_read_lock();
	mi = xa_load(&meta->inodes, ino);
	if (mi && mi->gen == gen) {
		XA_STATE(xas, &mi->pages, index >> PUMA_META_CHUNK_SHIFT);

		xas_lock_irqsave(&xas, flags);
		c = mi->dead ? NULL : xas_load(&xas);
		pos = c ? puma_meta_pos(c->present, bit) : 0;
		if (c && (c->present & BIT_ULL(bit)) &&
		    puma_meta_rec_read(c, pos) == puma_meta_pack(rec)) {
			if (repl) {
				puma_meta_chunk_begin(c);
				puma_meta_rec_write(c, pos,
						    puma_meta_pack(repl));
				puma_meta_chunk_end(c);
			} else {
				puma_meta_chunk_erase(&xas, c, BIT_ULL(bit),
						      &removed);
				empty = !--mi->count;
			}
			done = true;
		}
		xas_unlock_irqrestore(&xas, flags);
		if (done && !repl)
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
 * of that put; a record replaced or erased since is left alone.  A
 * record rewritten in place needs no allocation.
 *
 * Context: any; does not sleep.
 * Return: true when the record was the put's.
 */
bool puma_meta_confirm(struct puma_meta *meta, u64 ino, u32 gen,
		       unsigned long index, const struct puma_meta_rec *rec)
{
	struct puma_meta_rec done = *rec;

	done.pending = false;
	return puma_meta_swap(meta, ino, gen, index, rec, &done);
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
	bool found = false;
	u64 val;

	rcu_read_lock();
	mi = xa_load(&meta->inodes, ino);
	if (mi && mi->gen == gen && !READ_ONCE(mi->dead)) {
		XA_STATE(xas, &mi->pages, index >> PUMA_META_CHUNK_SHIFT);

		found = puma_meta_chunk_lookup(&xas,
					       index % PUMA_META_CHUNK_PAGES,
					       &val);
	}
	rcu_read_unlock();
	if (found)
		puma_meta_unpack(val, rec);
	return found;
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
	unsigned int bit = index % PUMA_META_CHUNK_PAGES;
	bool found = false, empty = false, removed;
	struct puma_meta_inode *mi;
	struct puma_meta_chunk *c;
	unsigned long flags;
	u64 val = 0;

	rcu_read_lock();
	mi = xa_load(&meta->inodes, ino);
	if (mi && mi->gen == gen) {
		XA_STATE(xas, &mi->pages, index >> PUMA_META_CHUNK_SHIFT);

		xas_lock_irqsave(&xas, flags);
		c = mi->dead ? NULL : xas_load(&xas);
		if (c && (c->present & BIT_ULL(bit))) {
			val = puma_meta_rec_read(c, puma_meta_pos(c->present,
								  bit));
			puma_meta_chunk_erase(&xas, c, BIT_ULL(bit), &removed);
			found = true;
			empty = !--mi->count;
		}
		xas_unlock_irqrestore(&xas, flags);
		if (found)
			atomic_long_dec(&meta->nr_pages);
		if (empty)
			puma_meta_inode_reap(meta, mi);
	}
	rcu_read_unlock();
	if (found)
		puma_meta_unpack(val, rec);
	return found;
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
 * every record of the pool, one inode at a time under RCU, and lets
 * others run between inodes: a pool may hold millions of records.
 *
 * Context: process, may sleep.
 * Return: number of records erased.
 */
unsigned long puma_meta_erase_lender(struct puma_meta *meta, u8 lender)
{
	struct puma_meta_inode *mi;
	unsigned long ino = 0, n = 0;

	might_sleep();
	for (;;) {
		rcu_read_lock();
		mi = xa_find(&meta->inodes, &ino, ULONG_MAX, XA_PRESENT);
		if (mi)
			n += puma_meta_inode_erase(meta, mi, 0, ULONG_MAX,
						   lender);
		rcu_read_unlock();
		if (!mi || ino == ULONG_MAX)
			break;
		ino++;
		cond_resched();
	}
	puma_meta_bump(meta);
	return n;
}

/**
 * puma_meta_clear() - erase every record of the pool
 * @meta: the pool's metadata
 *
 * Lets others run between inodes, as puma_meta_erase_lender() does.
 *
 * Context: process, may sleep.
 * Return: number of records erased.
 */
unsigned long puma_meta_clear(struct puma_meta *meta)
{
	struct puma_meta_inode *mi;
	unsigned long ino, n = 0;

	might_sleep();
	xa_for_each(&meta->inodes, ino, mi) {
		n += puma_meta_unlink(meta, ino);
		cond_resched();
	}
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
 * bytes on 64-bit), the chunks at the size of their class and the inode
 * structs at their kmalloc size.  Slab overhead is not counted.  Cost:
 * XA_CHUNK_SIZE slot reads per interior node and one per chunk; meant for
 * statistics, not for a hot path.
 *
 * Context: any; lockless.  Exact when nothing changes meanwhile.
 * Return: bytes.
 */
size_t puma_meta_bytes(struct puma_meta *meta)
{
	unsigned long ino, index, nodes, inodes = 0;
	struct puma_meta_inode *mi;
	struct puma_meta_chunk *c;
	size_t chunks = 0;

	rcu_read_lock();
	nodes = puma_meta_nodes(&meta->inodes, xa_head(&meta->inodes));
	xa_for_each(&meta->inodes, ino, mi) {
		nodes += puma_meta_nodes(&mi->pages, xa_head(&mi->pages));
		xa_for_each(&mi->pages, index, c)
			chunks += puma_meta_chunk_size(c->class);
		inodes++;
	}
	rcu_read_unlock();
	return nodes * sizeof(struct xa_node) + chunks +
	       inodes * kmalloc_size_roundup(sizeof(*mi));
}
