/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local metadata of remotely held pages: for each page some lender holds,
 * which lender and the page's integrity tag.  The borrower asks a lender
 * for a page only while this metadata says the lender holds it.
 */
#ifndef _PUMA_META_H
#define _PUMA_META_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/xarray.h>

/*
 * A record is 56 bits, kept in 7 bytes of its chunk (meta.c):
 *   bits  0..44  the page's integrity tag (PUMA_TAG_BITS, tag.h)
 *   bits 45..48  the lender slot
 *   bit  49      PUMA_META_PENDING: the put is not acknowledged yet
 *   bits 50..55  the put's epoch, so that a record tells one put from
 *                another of the same content to the same lender
 * The records of 64 consecutive pages share a chunk: a presence bitmap
 * and the records of the pages present, packed, so that a remote page
 * costs its 7 bytes and a share of a 16-byte header.
 */
#define PUMA_META_TAG_BITS	45
#define PUMA_META_TAG_MASK	GENMASK_ULL(PUMA_META_TAG_BITS - 1, 0)
#define PUMA_META_LENDER_SHIFT	PUMA_META_TAG_BITS
#define PUMA_META_LENDERS	16
#define PUMA_META_PENDING	BIT_ULL(49)
#define PUMA_META_EPOCH_SHIFT	50
#define PUMA_META_EPOCHS	64
#define PUMA_META_REC_BITS	56
#define PUMA_META_CHUNK_SHIFT	6
#define PUMA_META_CHUNK_PAGES	BIT(PUMA_META_CHUNK_SHIFT)

/**
 * struct puma_meta_rec - one page's record, unpacked
 * @tag: integrity tag of the content that was put (puma_tag())
 * @lender: slot of the lender that holds the page, below PUMA_META_LENDERS
 * @pending: the put is on its way: the lender has not acknowledged it, so
 *	it may still hold an older copy, or none; never asked for
 * @epoch: which put made the record, below PUMA_META_EPOCHS: the same
 *	content put twice to the same lender (A, then B, then A again) makes
 *	two records an acknowledgment or a get can tell apart
 */
struct puma_meta_rec {
	u64 tag;
	u8 lender;
	bool pending;
	u8 epoch;
};

/**
 * struct puma_meta_inode - records of one file
 * @ino: inode number, the key in &puma_meta.inodes
 * @gen: inode generation; records of another generation never match
 * @ref: one for the index, one per store in progress
 * @dead: set under the @pages lock when the inode leaves the index; a
 *	store that finds it set starts again
 * @count: records in @pages; under the @pages lock
 * @pages: page index / PUMA_META_CHUNK_PAGES -> struct puma_meta_chunk
 * @rcu: lockless lookups may still read a removed inode
 */
struct puma_meta_inode {
	u64 ino;
	u32 gen;
	refcount_t ref;
	bool dead;
	unsigned long count;
	struct xarray pages;
	struct rcu_head rcu;
};

/**
 * struct puma_meta - records of one filesystem pool
 * @inodes: inode number -> struct puma_meta_inode
 * @seq: invalidation sequence number, bumped by every erase and by every
 *	store that replaces a record
 * @nr_pages: records, all inodes together
 * @nr_inodes: inodes in @inodes
 */
struct puma_meta {
	struct xarray inodes;
	atomic64_t seq;
	atomic_long_t nr_pages;
	atomic_long_t nr_inodes;
};

int puma_meta_caches_init(void);
void puma_meta_caches_exit(void);
void puma_meta_init(struct puma_meta *meta);
void puma_meta_destroy(struct puma_meta *meta);

int puma_meta_store(struct puma_meta *meta, u64 ino, u32 gen,
		    unsigned long index, const struct puma_meta_rec *rec,
		    gfp_t gfp);
int puma_meta_replace(struct puma_meta *meta, u64 ino, u32 gen,
		      unsigned long index, const struct puma_meta_rec *rec,
		      struct puma_meta_rec *old, gfp_t gfp);
bool puma_meta_confirm(struct puma_meta *meta, u64 ino, u32 gen,
		       unsigned long index, const struct puma_meta_rec *rec);
bool puma_meta_erase_if(struct puma_meta *meta, u64 ino, u32 gen,
			unsigned long index, const struct puma_meta_rec *rec);
bool puma_meta_lookup(struct puma_meta *meta, u64 ino, u32 gen,
		      unsigned long index, struct puma_meta_rec *rec);
bool puma_meta_take(struct puma_meta *meta, u64 ino, u32 gen,
		    unsigned long index, struct puma_meta_rec *rec);

unsigned long puma_meta_erase_page(struct puma_meta *meta, u64 ino,
				   unsigned long index);
unsigned long puma_meta_erase_range(struct puma_meta *meta, u64 ino,
				    unsigned long first, unsigned long last);
unsigned long puma_meta_erase_inode(struct puma_meta *meta, u64 ino);
unsigned long puma_meta_erase_lender(struct puma_meta *meta, u8 lender);
unsigned long puma_meta_clear(struct puma_meta *meta);

size_t puma_meta_bytes(struct puma_meta *meta);

/**
 * puma_meta_seq() - the invalidation sequence number
 * @meta: the pool's metadata
 *
 * The get path reads it before it looks records up and fetches pages, and
 * again before it inserts them: a different value means that some erase
 * or replacement ran in between, and the fetched pages may be stale.  An
 * erase bumps it after its records are gone, a replacement after the new
 * record is in, so a reader that sees the new value also sees the records
 * gone or new (acquire here, release there).
 *
 * Context: any.
 * Return: the number of erases and replacements so far.
 */
static inline u64 puma_meta_seq(const struct puma_meta *meta)
{
	return atomic64_read_acquire(&meta->seq);
}

/**
 * puma_meta_pages() - number of records
 * @meta: the pool's metadata
 *
 * Return: pages held remotely, according to the records.
 */
static inline unsigned long puma_meta_pages(const struct puma_meta *meta)
{
	return atomic_long_read(&meta->nr_pages);
}

/**
 * puma_meta_inodes() - number of inodes with records
 * @meta: the pool's metadata
 *
 * Return: inodes in the index (one just created may have no record yet).
 */
static inline unsigned long puma_meta_inodes(const struct puma_meta *meta)
{
	return atomic_long_read(&meta->nr_inodes);
}

#endif /* _PUMA_META_H */
