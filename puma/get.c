// SPDX-License-Identifier: GPL-2.0
/*
 * The get path.
 *
 * Readahead is about to read a window of a file from disk.  Before it does,
 * PUMA looks up its local records for the window (no network round trip
 * for pages no lender holds), asks each lender concerned for its pages in
 * one GET per PUMA_PROTO_MAX_BATCH pages, all sent before any answer is
 * awaited, and waits at most get_timeout_ms.  Each page that comes back is
 * checked against the integrity tag recorded when it was put and enters
 * the page cache as an uptodate folio; readahead then reads only the
 * rest from disk.
 *
 * Racing invalidations: records are erased, and the pool's invalidation
 * sequence number bumped, before the page cache is touched by truncate,
 * hole punch or a direct-I/O write.  The pages are inserted locked and
 * not uptodate, under the invalidate lock (as readahead inserts its own);
 * then the sequence number is read again.  If it moved, each page is kept
 * only if its record is still there with the same tag.  An invalidation
 * that erased a record before that check is seen by it; one that erases
 * later finds the locked folio in the page cache and removes it once it is
 * unlocked, as it would remove a folio readahead had read from disk.  A
 * page not kept stays in the page cache not uptodate: the read that wanted
 * it reads it from disk.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "borrower.h"
#include "config.h"
#include "conn.h"
#include "get.h"
#include "pool.h"
#include "tag.h"

/* GETs one readahead window may send: 8 x 32 pages, 1 MiB of 4 KiB pages. */
#define PUMA_GET_MAX_REQS	8

/**
 * puma_inode_supported() - may pages of @inode travel?
 * @inode: a regular file's inode
 *
 * Encrypted and verity files are verified or decrypted by the filesystem
 * as they are read from disk: their pages come from disk only.  A file
 * with direct I/O in flight may get an old page back in the page cache
 * while the write lands: its evicted pages are not put.
 *
 * Return: true when PUMA may hold its pages.
 */
bool puma_inode_supported(const struct inode *inode)
{
	return S_ISREG(inode->i_mode) && !IS_ENCRYPTED(inode) &&
	       !IS_VERITY(inode) && !IS_DAX(inode) &&
	       !atomic_read(&inode->i_dio_count);
}

/**
 * struct puma_get_window - the requests of one readahead window
 * @reqs: the requests
 * @nr: how many
 * @pool: the file's pool
 * @inode: the file
 * @liar: a lender that sent a page failing its tag check, to disconnect
 *	once no folio is locked
 */
struct puma_get_window {
	struct puma_get_req *reqs[PUMA_GET_MAX_REQS];
	unsigned int nr;
	struct puma_pool *pool;
	struct inode *inode;
	struct puma_lender_peer *liar;
};

/* The request for lender @slot with room for one more page, or a new one. */
static struct puma_get_req *puma_get_req_for(struct puma_get_window *w,
					     u8 slot)
{
	struct puma_get_req *req;
	unsigned int i;

	for (i = 0; i < w->nr; i++)
		if (w->reqs[i]->lp->slot == slot &&
		    w->reqs[i]->count < w->reqs[i]->max)
			return w->reqs[i];
	if (w->nr == PUMA_GET_MAX_REQS)
		return NULL;
	req = kzalloc(sizeof(*req), GFP_NOFS | __GFP_NOWARN);
	if (!req)
		return NULL;
	req->lp = puma_lender_get(slot);
	if (!req->lp) {
		kfree(req);
		return NULL;
	}
	/* What the lender accepts in one GET, as negotiated. */
	req->max = clamp_t(unsigned int,
			   req->lp->chan[PUMA_CHAN_GET - 1]->params.max_batch,
			   1, PUMA_PROTO_MAX_BATCH);
	w->reqs[w->nr++] = req;
	return req;
}

/* Build the requests for the pages of [@start, @end) that lenders hold. */
static void puma_get_build(struct puma_get_window *w,
			   struct address_space *mapping, pgoff_t start,
			   pgoff_t end)
{
	struct inode *inode = w->inode;
	gfp_t gfp = readahead_gfp_mask(mapping);
	struct puma_meta_rec rec;
	struct puma_get_req *req;
	struct folio *folio;
	pgoff_t index;
	void *entry;

	for (index = start; index < end; index++) {
		entry = xa_load(&mapping->i_pages, index);
		if (entry && !xa_is_value(entry))
			continue;	/* cached already */
		if (!puma_meta_lookup(&w->pool->meta, inode->i_ino,
				      inode->i_generation, index, &rec))
			continue;
		if (rec.pending) {
			/* Its put may not have reached the lender yet. */
			puma_count(w->pool, PUMA_STAT_GET_PENDING, 1);
			continue;
		}
		req = puma_get_req_for(w, rec.lender);
		if (!req)
			continue;
		folio = filemap_alloc_folio(gfp, 0);
		if (!folio)
			break;
		req->keys[req->count] = (struct puma_key) {
			.pool = w->pool->id,
			.gen = inode->i_generation,
			.ino = inode->i_ino,
			.index = index,
		};
		req->tags[req->count] = rec.tag;
		req->epochs[req->count] = rec.epoch;
		req->folios[req->count] = folio;
		req->count++;
	}
}

/*
 * Send every request, then wait for them all, until one deadline taken
 * before the first send: sends (the wait for a connection's turn behind
 * other readers and the pings included) and waits all end by it.  A
 * lender the borrower backs off from is not asked: its pages come from
 * disk.
 */
static void puma_get_fetch(struct puma_get_window *w, bool exclusive)
{
	struct puma_pool *pool = w->pool;
	u64 start = ktime_get_ns();
	unsigned long deadline;
	unsigned int i;
	bool tried = false;
	int ret;

	deadline = jiffies + msecs_to_jiffies(READ_ONCE(puma_get_timeout_ms));
	for (i = 0; i < w->nr; i++) {
		struct puma_get_req *req = w->reqs[i];

		if (!req->count) {
			req->error = -ENODATA;
			continue;
		}
		ret = puma_fetch_send(req, exclusive, deadline);
		if (ret == -EAGAIN) {
			req->error = ret;
			puma_count(pool, PUMA_STAT_GET_SKIPPED_BACKOFF, 1);
			continue;
		}
		tried = true;
		if (ret) {
			req->error = ret;
			puma_count(pool, PUMA_STAT_GET_FAILED, 1);
			continue;
		}
		puma_count(pool, PUMA_STAT_GET_REQUESTS, 1);
		puma_count(pool, PUMA_STAT_GET_REQUEST_PAGES, req->count);
	}
	for (i = 0; i < w->nr; i++) {
		struct puma_get_req *req = w->reqs[i];

		if (req->error != -EINPROGRESS)
			continue;
		ret = puma_fetch_wait(req, deadline);
		if (ret == -ETIMEDOUT)
			puma_count(pool, PUMA_STAT_GET_TIMEOUTS, 1);
		else if (ret)
			puma_count(pool, PUMA_STAT_GET_FAILED, 1);
	}
	if (tried)
		puma_fetch_wait_record(ktime_get_ns() - start);
}

/* Does the page's record still say what it said when it was fetched? */
static bool puma_get_still_valid(struct puma_get_window *w,
				 struct puma_get_req *req, unsigned int i)
{
	struct puma_meta_rec rec;

	return puma_meta_lookup(&w->pool->meta, req->keys[i].ino,
				req->keys[i].gen, req->keys[i].index, &rec) &&
	       rec.tag == req->tags[i] && rec.lender == req->lp->slot &&
	       rec.epoch == req->epochs[i] && !rec.pending;
}

/*
 * Forget the record a page was fetched with: the lender no longer holds
 * it (a miss, an exclusive hit, an exclusive GET abandoned).  A newer
 * record of the page (a put since) stays.
 */
static void puma_get_forget(struct puma_get_window *w,
			    struct puma_get_req *req, unsigned int i)
{
	struct puma_meta_rec rec = {
		.tag = req->tags[i],
		.lender = req->lp->slot,
		.epoch = req->epochs[i],
	};

	puma_meta_erase_if(&w->pool->meta, req->keys[i].ino, req->keys[i].gen,
			   req->keys[i].index, &rec);
}

/*
 * A page failed its tag check.  If its record changed meanwhile, the
 * borrower asked for content it no longer describes: a race, not a lie.
 * Otherwise an honest lender cannot have sent it (a record is asked for
 * only once its put is acknowledged): the lender is corrupt or hostile,
 * and is disconnected rather than given more guesses at the tag.
 */
static void puma_get_mismatch(struct puma_get_window *w,
			      struct puma_get_req *req, unsigned int i)
{
	struct puma_pool *pool = w->pool;

	if (!puma_get_still_valid(w, req, i)) {
		puma_count(pool, PUMA_STAT_GET_RACED, 1);
		return;
	}
	puma_count(pool, PUMA_STAT_GET_TAG_MISMATCHES, 1);
	pr_warn_ratelimited("page %llu of inode %llu from lender %u failed its integrity check: disconnecting it\n",
			    req->keys[i].index, req->keys[i].ino,
			    req->lp->slot);
	puma_get_forget(w, req, i);
	w->liar = req->lp;
}

/*
 * Verify and insert the pages that came back.  Returns with the inserted
 * folios uptodate or not, unlocked; @req->folios[i] is set to NULL for
 * pages that were not inserted and have been freed.  Returns how many
 * were inserted uptodate.
 */
static unsigned long puma_get_insert(struct puma_get_window *w,
				     struct address_space *mapping, u64 seq,
				     pgoff_t mark, bool exclusive)
{
	gfp_t gfp = readahead_gfp_mask(mapping);
	struct puma_pool *pool = w->pool;
	unsigned int r, i, inserted = 0, hits = 0;
	struct puma_get_req *req;
	struct folio *folio;
	bool same;
	u64 tag;

	filemap_invalidate_lock_shared(mapping);
	for (r = 0; r < w->nr; r++) {
		req = w->reqs[r];
		for (i = 0; i < req->count; i++) {
			folio = req->folios[i];
			if (req->error || req->status[i] != PUMA_GET_HIT) {
				if (!req->error) {
					puma_count(pool, PUMA_STAT_GET_MISSES, 1);
					puma_get_forget(w, req, i);
				} else if (exclusive &&
					   (req->error == -EINPROGRESS ||
					    req->error == -ETIMEDOUT)) {
					/* Abandoned: it may have dropped it. */
					puma_get_forget(w, req, i);
				}
				goto drop;
			}
			tag = puma_tag(folio_address(folio), PAGE_SIZE);
			if (tag != req->tags[i]) {
				puma_get_mismatch(w, req, i);
				goto drop;
			}
			if (filemap_add_folio(mapping, folio,
					      req->keys[i].index, gfp))
				goto forget;
			if (req->keys[i].index == mark)
				folio_set_readahead(folio);
			inserted++;
			continue;
forget:
			/* Cached meanwhile: the lender may have dropped it. */
			if (exclusive)
				puma_get_forget(w, req, i);
drop:
			folio_put(folio);
			req->folios[i] = NULL;
		}
	}
	if (!inserted)
		goto unlock;

	/* Inserted before the check: see the comment at the top. */
	smp_mb();
	same = puma_meta_seq(&pool->meta) == seq;
	for (r = 0; r < w->nr; r++) {
		req = w->reqs[r];
		for (i = 0; i < req->count; i++) {
			folio = req->folios[i];
			if (!folio)
				continue;
			if (same || puma_get_still_valid(w, req, i)) {
				folio_mark_uptodate(folio);
				hits++;
				if (exclusive)
					puma_get_forget(w, req, i);
			} else {
				puma_count(pool, PUMA_STAT_GET_RACED, 1);
			}
			folio_unlock(folio);
			folio_put(folio);
			req->folios[i] = NULL;
		}
	}
	puma_count(pool, PUMA_STAT_GET_HITS, hits);
unlock:
	filemap_invalidate_unlock_shared(mapping);
	return hits;
}

static void puma_get_free(struct puma_get_window *w)
{
	unsigned int r, i;

	for (r = 0; r < w->nr; r++) {
		struct puma_get_req *req = w->reqs[r];

		for (i = 0; i < req->count; i++)
			if (req->folios[i])
				folio_put(req->folios[i]);
		puma_lender_put(req->lp);
		kfree(req);
	}
}

/*
 * Pages of [@start, @end) missing from the page cache, for the coverage
 * counters: a count under RCU, exact unless the page cache changes
 * meanwhile (a large folio across @start counts whole, clamped).
 */
static unsigned long puma_get_missing(struct address_space *mapping,
				      pgoff_t start, pgoff_t end)
{
	XA_STATE(xas, &mapping->i_pages, start);
	unsigned long cached = 0;
	struct folio *folio;

	if (start >= end)
		return 0;
	rcu_read_lock();
	xas_for_each(&xas, folio, end - 1) {
		if (xas_retry(&xas, folio) || xa_is_value(folio))
			continue;
		cached += folio_nr_pages(folio);
	}
	rcu_read_unlock();
	return end - start - min(cached, end - start);
}

/**
 * puma_get_window() - read back what lenders hold of a readahead window
 * @pool: the file's pool
 * @ractl: the readahead about to run
 * @nr_to_read: pages it will read from its index
 * @lookahead_size: where it marks the next asynchronous readahead
 *
 * Counts the window's missing pages as seen (coverage), then fetches.
 *
 * Context: process, may sleep up to get_timeout_ms; no page lock held.
 * Return: pages of the window in the page cache when done, as counted
 * before the fetch plus those it inserted (pages other readers add or
 * evict meanwhile are not counted); 0 when the window is all missing
 * still (nothing came back, nothing was there).
 */
unsigned long puma_get_window(struct puma_pool *pool,
			      struct readahead_control *ractl,
			      unsigned long nr_to_read,
			      unsigned long lookahead_size)
{
	struct address_space *mapping = ractl->mapping;
	struct puma_get_window w = { .pool = pool, .inode = mapping->host };
	pgoff_t start = readahead_index(ractl), end, mark = ULONG_MAX;
	loff_t isize = i_size_read(w.inode);
	unsigned long missing, hits = 0;
	unsigned int nofs;
	bool exclusive;
	u64 seq;

	if (!isize)
		return 0;
	end = min_t(pgoff_t, start + nr_to_read,
		    (isize + PAGE_SIZE - 1) >> PAGE_SHIFT);
	if (start >= end)
		return 0;
	missing = puma_get_missing(mapping, start, end);
	puma_count(pool, PUMA_STAT_MISSES_SEEN, missing);
	if (!puma_meta_pages(&pool->meta) || !puma_inode_supported(w.inode))
		return end - start - missing;
	if (lookahead_size && lookahead_size <= nr_to_read)
		mark = start + nr_to_read - lookahead_size;
	exclusive = READ_ONCE(puma_exclusive);

	/* As readahead does: no filesystem reclaim with folios locked. */
	nofs = memalloc_nofs_save();
	seq = puma_meta_seq(&pool->meta);
	puma_get_build(&w, mapping, start, end);
	if (w.nr) {
		puma_get_fetch(&w, exclusive);
		hits = puma_get_insert(&w, mapping, seq, mark, exclusive);
		if (w.liar)
			puma_lender_disconnect(w.liar,
					       "a page failed its integrity check");
		puma_get_free(&w);
	}
	memalloc_nofs_restore(nofs);
	/* Pages other readers added meanwhile are not counted: no walk. */
	return end - start - missing + min(hits, missing);
}
