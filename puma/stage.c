// SPDX-License-Identifier: GPL-2.0
/*
 * The borrower's staging pool and send queues.
 *
 * The put operation runs on the eviction path with IRQs off and the
 * mapping's i_pages lock held: it cannot sleep, allocate a page or send.
 * It takes an entry from the staging pool, a fixed set of preallocated
 * pages (staging_pages in sysfs), copies the evicted page into it and
 * queues it on its lender's send queue.  The queue's sender (a work item)
 * sends the pages in batches of up to PUMA_PROTO_MAX_BATCH on the lender's
 * put channel and gives the entries back.  When the pool is empty the page
 * is dropped (counted): the pool bounds what puts can cost in memory.  Its
 * size follows what the senders sustain, unless fixed (stage_auto.c).
 *
 * Invalidations for a lender go through the same queue, allocated with
 * GFP_ATOMIC, so that the lender sees puts and invalidations of a page in
 * the order they happened.  Page and inode invalidations are bounded by
 * PUMA_SENDQ_INVALIDATES_MAX; past it they are coalesced into one
 * invalidation of their pool (puma_sendq_invalidate()), never dropped: a
 * lost invalidation would not return old data (the borrower asks for a
 * page only while its metadata, cleared first, says the lender holds it)
 * but would leave the lender an orphan page, counted against the
 * borrower's quota, for as long as the lender is not short of memory.
 *
 * Before a put is sent, its record is looked up again: a page invalidated
 * while it waited is not sent (puts_dropped_stale).
 *
 * A put's record is pending (never asked for) until the lender
 * acknowledges it: a PUT carries an id, and the lender's PUT_ACK with that
 * id says page by page what it kept.  Until then the sent batch waits in
 * the queue's @unacked table with the keys, tags and pool references it
 * needs to confirm the records (puma_meta_confirm(); a record replaced or
 * erased since is left alone) or to forget the refused ones.  A GET, sent
 * on the other connection, can so never overtake the PUT of the content
 * its record describes.  At most PUMA_SENDQ_UNACKED_MAX PUTs wait: the
 * sender waits for room, and a lender that acknowledges nothing for
 * PUMA_SENDQ_ACK_TIMEOUT_MS is failed.
 *
 * Locking: puma_stage_lock guards the pool's free list and sizes, each
 * queue's lock its entries; both are IRQ-safe and never nest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "conn.h"
#include "pool.h"
#include "proto.h"
#include "stage.h"

/**
 * struct puma_put_flight - a PUT sent and not acknowledged
 * @count: pages in it
 * @keys: their keys
 * @tags: the tags their records were made with
 * @epochs: and the epochs
 * @sent: when it was sent, in jiffies
 * @pools: their pools, referenced
 */
struct puma_put_flight {
	unsigned int count;
	struct puma_key keys[PUMA_PROTO_MAX_BATCH];
	u64 tags[PUMA_PROTO_MAX_BATCH];
	u8 epochs[PUMA_PROTO_MAX_BATCH];
	unsigned long sent;
	struct puma_pool *pools[PUMA_PROTO_MAX_BATCH];
};

static DEFINE_SPINLOCK(puma_stage_lock);
static LIST_HEAD(puma_stage_free);
/* Entries in existence, entries wanted, entries out of the free list. */
static unsigned int puma_stage_nr, puma_stage_target, puma_stage_out;

static struct workqueue_struct *puma_send_wq;

/* Pages sent in PUTs not acknowledged yet, every queue together. */
static atomic_t puma_stage_unacked_pages = ATOMIC_INIT(0);

static void puma_stage_free_entry(struct puma_stage_entry *e)
{
	__free_page(e->page);
	kfree(e);
}

/**
 * puma_stage_take() - an empty staging entry
 *
 * Context: any; does not sleep.
 * Return: an entry with a page, or NULL when the pool is exhausted.
 */
struct puma_stage_entry *puma_stage_take(void)
{
	struct puma_stage_entry *e;
	unsigned long flags;

	spin_lock_irqsave(&puma_stage_lock, flags);
	e = list_first_entry_or_null(&puma_stage_free,
				     struct puma_stage_entry, node);
	if (e) {
		list_del(&e->node);
		puma_stage_out++;
	}
	spin_unlock_irqrestore(&puma_stage_lock, flags);
	return e;
}

/**
 * puma_stage_release() - give an entry taken with puma_stage_take() back
 * @e: the entry; its pool reference, if any, is dropped
 *
 * Context: any.
 */
void puma_stage_release(struct puma_stage_entry *e)
{
	unsigned long flags;
	bool shrink;

	puma_pool_put(e->pool);
	e->pool = NULL;
	spin_lock_irqsave(&puma_stage_lock, flags);
	puma_stage_out--;
	shrink = puma_stage_nr > puma_stage_target;
	if (shrink)
		puma_stage_nr--;
	else
		list_add(&e->node, &puma_stage_free);
	spin_unlock_irqrestore(&puma_stage_lock, flags);
	if (shrink)
		puma_stage_free_entry(e);
}

/**
 * puma_stage_used() - staging entries holding a page that waits
 *
 * Return: entries taken and not released.
 */
unsigned int puma_stage_used(void)
{
	return READ_ONCE(puma_stage_out);
}

/**
 * puma_stage_unacked() - pages sent and not acknowledged by their lender
 *
 * Return: pages in PUTs in flight, all lenders together.
 */
unsigned int puma_stage_unacked(void)
{
	return atomic_read(&puma_stage_unacked_pages);
}

/**
 * puma_stage_capacity() - the staging pool's size in pages
 *
 * Return: the size asked for; the pool reaches it once entries in use
 * come back (shrinking) or right away (growing).
 */
unsigned int puma_stage_capacity(void)
{
	return READ_ONCE(puma_stage_target);
}

/**
 * puma_stage_resize() - grow or shrink the staging pool
 * @pages: the new size, PUMA_STAGE_PAGES_MIN to PUMA_STAGE_PAGES_MAX
 *
 * Context: process, may sleep.
 * Return: 0, -ERANGE, or -ENOMEM (the pool then keeps what it had).
 */
int puma_stage_resize(unsigned int pages)
{
	static DEFINE_MUTEX(resize_mutex);
	struct puma_stage_entry *e, *tmp;
	unsigned int have, i;
	LIST_HEAD(list);
	int ret = 0;

	if (pages < PUMA_STAGE_PAGES_MIN || pages > PUMA_STAGE_PAGES_MAX)
		return -ERANGE;
	mutex_lock(&resize_mutex);
	spin_lock_irq(&puma_stage_lock);
	have = puma_stage_nr;
	spin_unlock_irq(&puma_stage_lock);
	for (i = have; i < pages; i++) {
		e = kzalloc(sizeof(*e), GFP_KERNEL);
		if (e)
			e->page = alloc_page(GFP_KERNEL);
		if (!e || !e->page) {
			kfree(e);
			ret = -ENOMEM;
			break;
		}
		list_add(&e->node, &list);
	}
	spin_lock_irq(&puma_stage_lock);
	if (!ret) {	/* on failure, what was allocated is freed below */
		puma_stage_nr += pages > have ? pages - have : 0;
		list_splice_init(&list, &puma_stage_free);
		puma_stage_target = pages;
		/* Shrink now what is free; the rest as it comes back. */
		list_for_each_entry_safe(e, tmp, &puma_stage_free, node) {
			if (puma_stage_nr <= puma_stage_target)
				break;
			list_move(&e->node, &list);
			puma_stage_nr--;
		}
	}
	spin_unlock_irq(&puma_stage_lock);
	list_for_each_entry_safe(e, tmp, &list, node)
		puma_stage_free_entry(e);
	mutex_unlock(&resize_mutex);
	return ret;
}

/* ---- send queues ------------------------------------------------------- */

/*
 * Drop an entry that will not be sent: a put counted as @why, an
 * invalidation as invalidates_dropped.
 */
static void puma_sendq_drop(struct puma_stage_entry *e, enum puma_stat why)
{
	if (e->type == PUMA_MSG_PUT) {
		puma_count(e->pool, why, 1);
		puma_stage_release(e);
	} else {
		puma_stats_inc(&puma_global_stats,
			       PUMA_STAT_INVALIDATES_DROPPED);
		kfree(e);
	}
}

static void puma_sendq_done(struct puma_stage_entry *e)
{
	if (e->type == PUMA_MSG_PUT)
		puma_stage_release(e);
	else
		kfree(e);
}

/* Is the record of this put still the one made for it? */
static bool puma_sendq_current(struct puma_sendq *q,
			       struct puma_stage_entry *e)
{
	struct puma_meta_rec rec;

	return puma_meta_lookup(&e->pool->meta, e->key.ino, e->key.gen,
				e->key.index, &rec) &&
	       rec.tag == e->tag && rec.lender == q->lender &&
	       rec.epoch == e->epoch;
}

static void puma_put_flight_free(struct puma_put_flight *f)
{
	unsigned int i;

	atomic_sub(f->count, &puma_stage_unacked_pages);
	for (i = 0; i < f->count; i++)
		puma_pool_put(f->pools[i]);
	kfree(f);
}

/*
 * Room for one more PUT among those not acknowledged: 0, -ESHUTDOWN when
 * the queue died meanwhile, -ETIMEDOUT when the lender acknowledged
 * nothing for too long.
 */
static int puma_sendq_wait_room(struct puma_sendq *q)
{
	long left;

	left = wait_event_timeout(q->ack_wait,
				  READ_ONCE(q->dead) ||
				  atomic_read(&q->nr_unacked) <
				  PUMA_SENDQ_UNACKED_MAX,
				  msecs_to_jiffies(PUMA_SENDQ_ACK_TIMEOUT_MS));
	if (READ_ONCE(q->dead))
		return -ESHUTDOWN;
	return left ? 0 : -ETIMEDOUT;
}

/* Track a PUT about to be sent; returns its id, or 0 when it cannot be. */
static u64 puma_sendq_track(struct puma_sendq *q, struct list_head *batch,
			    unsigned int count)
{
	struct puma_stage_entry *e;
	struct puma_put_flight *f;
	u64 id;

	f = kmalloc(sizeof(*f), GFP_NOIO | __GFP_NOWARN);
	if (!f)
		return 0;
	f->count = 0;
	list_for_each_entry(e, batch, node) {
		f->keys[f->count] = e->key;
		f->tags[f->count] = e->tag;
		f->epochs[f->count] = e->epoch;
		kref_get(&e->pool->ref);
		f->pools[f->count] = e->pool;
		f->count++;
	}
	WARN_ON_ONCE(f->count != count);
	f->sent = jiffies;
	atomic_add(f->count, &puma_stage_unacked_pages);
	id = ++q->next_put_id;
	if (xa_insert(&q->unacked, id, f, GFP_NOIO | __GFP_NOWARN)) {
		puma_put_flight_free(f);
		return 0;
	}
	atomic_inc(&q->nr_unacked);
	return id;
}

/* Take a tracked PUT back (its send failed); frees it if still there. */
static void puma_sendq_untrack(struct puma_sendq *q, u64 id)
{
	struct puma_put_flight *f = xa_erase(&q->unacked, id);

	if (!f)
		return;
	atomic_dec(&q->nr_unacked);
	wake_up(&q->ack_wait);
	puma_put_flight_free(f);
}

/* Forget the records of puts that will not be sent (no room to track). */
static void puma_sendq_forget(struct puma_sendq *q, struct list_head *batch)
{
	struct puma_stage_entry *e, *tmp;
	struct puma_meta_rec rec = { .lender = q->lender, .pending = true };

	list_for_each_entry_safe(e, tmp, batch, node) {
		rec.tag = e->tag;
		rec.epoch = e->epoch;
		puma_meta_erase_if(&e->pool->meta, e->key.ino, e->key.gen,
				   e->key.index, &rec);
		list_del(&e->node);
		puma_sendq_drop(e, PUMA_STAT_PUTS_DROP_NOMEM);
	}
}

static int puma_sendq_send_batch(struct puma_sendq *q, u16 type,
				 struct list_head *batch)
{
	struct puma_key keys[PUMA_PROTO_MAX_BATCH];
	struct kvec vec[1 + PUMA_PROTO_MAX_BATCH];
	struct puma_batch b = {
		.type = type,
		.keys = keys,
		.page_size = PAGE_SIZE,
	};
	struct puma_stage_entry *e, *tmp;
	int len, ret;

	list_for_each_entry_safe(e, tmp, batch, node) {
		if (type == PUMA_MSG_PUT && !puma_sendq_current(q, e)) {
			list_del(&e->node);
			puma_sendq_drop(e, PUMA_STAT_PUTS_DROP_STALE);
			continue;
		}
		keys[b.count] = e->key;
		b.count++;
		if (type != PUMA_MSG_PUT)
			continue;
		vec[b.count].iov_base = page_address(e->page);
		vec[b.count].iov_len = PAGE_SIZE;
	}
	if (!b.count)
		return 0;
	if (type == PUMA_MSG_PUT) {
		ret = puma_sendq_wait_room(q);
		if (ret)
			return ret;
		b.id = puma_sendq_track(q, batch, b.count);
		if (!b.id) {
			puma_sendq_forget(q, batch);
			return 0;
		}
	}
	/* The header part; a PUT's pages go from the staging pages. */
	len = puma_proto_batch(q->buf, PUMA_PROTO_MAX_MSG, &b);
	if (WARN_ON_ONCE(len < 0))
		return len;
	vec[0].iov_base = q->buf;
	vec[0].iov_len = len;
	ret = puma_conn_sendv(q->conn, vec,
			      type == PUMA_MSG_PUT ? 1 + b.count : 1);
	if (ret) {
		if (b.id)
			puma_sendq_untrack(q, b.id);
		return ret;
	}
	if (type != PUMA_MSG_PUT) {
		puma_stats_inc(&puma_global_stats, PUMA_STAT_INVALIDATES_SENT);
		return 0;
	}
	atomic64_add(b.count, &q->puts_sent);
	list_for_each_entry(e, batch, node)
		puma_count(e->pool, PUMA_STAT_PUTS_SENT, 1);
	return 0;
}

/**
 * puma_sendq_ack() - handle a PUT_ACK
 * @q: the queue of the lender it came from
 * @msg: the decoded PUT_ACK
 *
 * Each page the lender kept has its record confirmed, if the record is
 * still the one its put made; each page it refused has that record
 * erased.
 *
 * Context: the put channel's receive thread; does not sleep.
 * Return: 0, or -EPROTO when the acknowledgment fits no PUT in flight.
 */
int puma_sendq_ack(struct puma_sendq *q, const struct puma_msg *msg)
{
	struct puma_meta_rec rec = { .lender = q->lender, .pending = true };
	struct puma_put_flight *f = xa_erase(&q->unacked, msg->id);
	struct puma_meta *meta;
	unsigned int i;

	/* Unknown (a lie, a replay) unless the queue died meanwhile. */
	if (!f)
		return READ_ONCE(q->dead) ? 0 : -EPROTO;
	atomic_dec(&q->nr_unacked);
	wake_up(&q->ack_wait);
	if (f->count != msg->batch.count) {
		puma_put_flight_free(f);
		return -EPROTO;
	}
	for (i = 0; i < f->count; i++) {
		meta = &f->pools[i]->meta;
		rec.tag = f->tags[i];
		rec.epoch = f->epochs[i];
		if (msg->batch.status[i] == PUMA_PUT_STORED) {
			puma_meta_confirm(meta, f->keys[i].ino, f->keys[i].gen,
					  f->keys[i].index, &rec);
			continue;
		}
		puma_count(f->pools[i], PUMA_STAT_PUTS_REFUSED, 1);
		puma_meta_erase_if(meta, f->keys[i].ino, f->keys[i].gen,
				   f->keys[i].index, &rec);
	}
	puma_put_flight_free(f);
	return 0;
}

/* INVALIDATE_PAGES for @e->nr pages from @e->key, max_batch at a time. */
static int puma_sendq_send_range(struct puma_sendq *q,
				 struct puma_stage_entry *e)
{
	struct puma_key keys[PUMA_PROTO_MAX_BATCH];
	struct puma_batch b = {
		.type = PUMA_MSG_INVALIDATE_PAGES,
		.keys = keys,
	};
	unsigned int done = 0, i;
	int len, ret;

	while (done < e->nr) {
		b.count = min(e->nr - done, q->max_batch);
		for (i = 0; i < b.count; i++) {
			keys[i] = e->key;
			keys[i].index += done + i;
		}
		len = puma_proto_batch(q->buf, PUMA_PROTO_MAX_MSG, &b);
		if (WARN_ON_ONCE(len < 0))
			return len;
		ret = puma_conn_send(q->conn, q->buf, len);
		if (ret)
			return ret;
		puma_stats_inc(&puma_global_stats, PUMA_STAT_INVALIDATES_SENT);
		done += b.count;
	}
	return 0;
}

static int puma_sendq_send_one(struct puma_sendq *q,
			       struct puma_stage_entry *e)
{
	struct puma_msg msg = { .type = e->type };
	int ret;

	if (e->type == PUMA_MSG_INVALIDATE_PAGES)
		return puma_sendq_send_range(q, e);

	if (e->type == PUMA_MSG_INVALIDATE_INODE) {
		msg.inode = e->key;
		msg.inode.index = 0;
	} else {
		msg.pool = e->key.pool;
	}
	ret = puma_conn_send_msg(q->conn, &msg);
	if (!ret)
		puma_stats_inc(&puma_global_stats, PUMA_STAT_INVALIDATES_SENT);
	return ret;
}

/* Entries that count against PUMA_SENDQ_INVALIDATES_MAX. */
static bool puma_sendq_counted(const struct puma_stage_entry *e)
{
	return e->type == PUMA_MSG_INVALIDATE_PAGES ||
	       e->type == PUMA_MSG_INVALIDATE_INODE;
}

/*
 * Take the next message's worth of entries off @q: up to a batch of puts
 * or of page invalidations, or one inode or pool invalidation.
 */
static u16 puma_sendq_next(struct puma_sendq *q, struct list_head *batch)
{
	struct puma_stage_entry *e, *tmp;
	unsigned int n = 0;
	unsigned long flags;
	u16 type = 0;

	spin_lock_irqsave(&q->lock, flags);
	list_for_each_entry_safe(e, tmp, &q->entries, node) {
		if (n && (e->type != type || type == PUMA_MSG_INVALIDATE_INODE ||
			  type == PUMA_MSG_INVALIDATE_POOL || e->nr > 1 ||
			  n == q->max_batch))
			break;
		type = e->type;
		if (puma_sendq_counted(e))
			q->nr_invalidates--;
		if (e == q->marker)
			q->marker = NULL;
		list_move_tail(&e->node, batch);
		n++;
		if (e->nr > 1)
			break;	/* a range goes alone (puma_sendq_send_one) */
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return type;
}

static void puma_sendq_work(struct work_struct *work)
{
	struct puma_sendq *q = container_of(work, struct puma_sendq, work);
	struct puma_stage_entry *e, *tmp;
	unsigned int drained = 0;
	LIST_HEAD(batch);
	u64 start = 0;
	int ret = 0;
	u16 type;

	while ((type = puma_sendq_next(q, &batch))) {
		e = list_first_entry(&batch, struct puma_stage_entry, node);
		/* How fast a backlog of puts drains: the link's rate. */
		if (type == PUMA_MSG_PUT) {
			if (!start)
				start = ktime_get_ns();
			list_for_each_entry(tmp, &batch, node)
				drained++;
		}
		if (READ_ONCE(q->lost) && !ret && q->failed) {
			/* An invalidation was lost: the records must go. */
			q->failed(q);
			ret = -ESHUTDOWN;
		}
		if (ret || READ_ONCE(q->dead)) {
			ret = -ESHUTDOWN;
		} else if (type == PUMA_MSG_PUT ||
			   (type == PUMA_MSG_INVALIDATE_PAGES && e->nr <= 1)) {
			ret = puma_sendq_send_batch(q, type, &batch);
		} else {
			ret = puma_sendq_send_one(q, e);
		}
		list_for_each_entry_safe(e, tmp, &batch, node) {
			list_del(&e->node);
			if (ret)
				puma_sendq_drop(e, PUMA_STAT_PUTS_DROP_LENDER_GONE);
			else
				puma_sendq_done(e);
		}
		if (ret && ret != -ESHUTDOWN && q->failed) {
			q->failed(q);
			ret = -ESHUTDOWN;
		}
		cond_resched();
	}
	if (!ret && drained >= PUMA_STAGE_RATE_MIN_PAGES)
		puma_stage_note_drain(drained, ktime_get_ns() - start);
	/* Lost with nothing left to send: fail the lender all the same. */
	if (READ_ONCE(q->lost) && !ret && !READ_ONCE(q->dead) && q->failed)
		q->failed(q);
}

/**
 * puma_sendq_overdue() - has the lender left a PUT unacknowledged too long?
 * @q: the queue
 *
 * For the owner's periodic check: a lender that stops acknowledging
 * leaves records pending (never asked for, never put again) while fewer
 * than PUMA_SENDQ_UNACKED_MAX PUTs wait, so the sender alone would not
 * notice.
 *
 * Context: process.
 * Return: true when the oldest PUT in flight was sent more than
 * PUMA_SENDQ_ACK_TIMEOUT_MS ago.
 */
bool puma_sendq_overdue(struct puma_sendq *q)
{
	struct puma_put_flight *f;
	unsigned long id = 0;
	bool late = false;

	if (!q->buf)
		return false;
	xa_lock(&q->unacked);
	f = xa_find(&q->unacked, &id, ULONG_MAX, XA_PRESENT);
	if (f)
		late = time_after(jiffies, f->sent +
				  msecs_to_jiffies(PUMA_SENDQ_ACK_TIMEOUT_MS));
	xa_unlock(&q->unacked);
	return late;
}

/**
 * puma_sendq_init() - set up an empty send queue
 * @q: the queue
 * @conn: the lender's put channel
 * @lender: the lender's slot in the records
 *
 * Return: 0 or -ENOMEM.
 */
int puma_sendq_init(struct puma_sendq *q, struct puma_conn *conn, u8 lender)
{
	q->buf = kvmalloc(PUMA_PROTO_MAX_MSG, GFP_KERNEL);
	if (!q->buf)
		return -ENOMEM;
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->entries);
	INIT_WORK(&q->work, puma_sendq_work);
	q->conn = conn;
	q->lender = lender;
	/* The handshake checked it: 1 to PUMA_PROTO_MAX_BATCH. */
	q->max_batch = clamp_t(unsigned int, conn->params.max_batch, 1,
			       PUMA_PROTO_MAX_BATCH);
	xa_init_flags(&q->unacked, XA_FLAGS_ALLOC1);
	atomic_set(&q->nr_unacked, 0);
	init_waitqueue_head(&q->ack_wait);
	return 0;
}

/**
 * puma_sendq_put() - queue a staged page
 * @q: the lender's queue
 * @e: a staging entry with its key, tag, pool reference and copy
 *
 * Context: any; does not sleep.
 * Return: true when queued; false when the lender is gone (the caller
 * still owns @e).
 */
bool puma_sendq_put(struct puma_sendq *q, struct puma_stage_entry *e)
{
	unsigned long flags;
	bool queued;

	e->type = PUMA_MSG_PUT;
	spin_lock_irqsave(&q->lock, flags);
	queued = !q->dead;
	if (queued)
		list_add_tail(&e->node, &q->entries);
	spin_unlock_irqrestore(&q->lock, flags);
	if (queued)
		queue_work(puma_send_wq, &q->work);
	return queued;
}

/*
 * Remove from @q what an invalidation of @pool makes moot: its puts and
 * its page and inode invalidations, onto @moot.  Called with @q->lock.
 */
static void puma_sendq_moot_locked(struct puma_sendq *q, u32 pool,
				   struct list_head *moot)
{
	struct puma_stage_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, &q->entries, node) {
		if (e->key.pool != pool)
			continue;
		if (puma_sendq_counted(e))
			q->nr_invalidates--;
		if (e == q->marker)
			q->marker = NULL;
		list_move_tail(&e->node, moot);
	}
}

/*
 * No room for a page or inode invalidation of @pool: the lender drops the
 * whole pool instead, once.  @spare is a free entry for that, or NULL.
 * Returns whether @spare was used.  Called with @q->lock.
 */
static bool puma_sendq_coalesce_locked(struct puma_sendq *q, u32 pool,
				       struct puma_stage_entry *spare)
{
	struct puma_stage_entry *e;

	if (q->marker && q->marker->key.pool == pool)
		return false;	/* queued after everything sent: covers it */
	/* Any queued one covers it too: a few pools, a rare walk. */
	list_for_each_entry(e, &q->entries, node) {
		if (e->type == PUMA_MSG_INVALIDATE_POOL && e->key.pool == pool) {
			q->marker = e;
			return false;
		}
	}
	if (!spare) {
		WRITE_ONCE(q->lost, true);
		return false;
	}
	*spare = (struct puma_stage_entry) {
		.type = PUMA_MSG_INVALIDATE_POOL,
		.key = { .pool = pool },
	};
	list_add_tail(&spare->node, &q->entries);
	q->marker = spare;
	return true;
}

/**
 * puma_sendq_invalidate() - queue an invalidation
 * @q: the lender's queue
 * @type: PUMA_MSG_INVALIDATE_PAGES, _INODE or _POOL
 * @key: what to invalidate (see struct puma_stage_entry)
 * @nr: INVALIDATE_PAGES: pages from @key's index; otherwise ignored
 *
 * An invalidation is never dropped while the lender lives: a pool
 * invalidation takes out everything of its pool still queued before it
 * (moot now) and is always queued; a page or inode invalidation that finds
 * the queue full is coalesced into an invalidation of its whole pool
 * (invalidates_coalesced), queued at the tail, so that it comes after
 * everything already sent.  Only when not even that can be allocated is
 * the lender failed by its sender: its records all go.
 *
 * Context: any; does not sleep.
 * Return: true when queued or coalesced; false when the lender is gone.
 */
bool puma_sendq_invalidate(struct puma_sendq *q, u16 type,
			   const struct puma_key *key, unsigned int nr)
{
	struct puma_stage_entry *e, *tmp;
	bool queued = false, used = true;
	unsigned long flags;
	LIST_HEAD(moot);

	e = kzalloc(sizeof(*e), GFP_ATOMIC | __GFP_NOWARN);
	if (e) {
		e->type = type;
		e->key = *key;
		if (type == PUMA_MSG_INVALIDATE_PAGES)
			e->nr = max(nr, 1U);
		else if (type == PUMA_MSG_INVALIDATE_POOL)
			e->key = (struct puma_key) { .pool = key->pool };
	}
	spin_lock_irqsave(&q->lock, flags);
	if (q->dead) {
		used = false;
	} else if (type == PUMA_MSG_INVALIDATE_POOL) {
		puma_sendq_moot_locked(q, key->pool, &moot);
		if (e)
			list_add_tail(&e->node, &q->entries);
		else
			WRITE_ONCE(q->lost, true);
		queued = true;
	} else if (e && q->nr_invalidates < PUMA_SENDQ_INVALIDATES_MAX) {
		list_add_tail(&e->node, &q->entries);
		q->nr_invalidates++;
		queued = true;
	} else {
		used = puma_sendq_coalesce_locked(q, key->pool, e);
		queued = true;
		puma_stats_inc(&puma_global_stats,
			       PUMA_STAT_INVALIDATES_COALESCED);
	}
	spin_unlock_irqrestore(&q->lock, flags);
	if (!used) {
		if (!queued)
			puma_stats_inc(&puma_global_stats,
				       PUMA_STAT_INVALIDATES_DROPPED);
		kfree(e);
	}
	list_for_each_entry_safe(e, tmp, &moot, node) {
		list_del(&e->node);
		if (e->type == PUMA_MSG_PUT) {
			puma_count(e->pool, PUMA_STAT_PUTS_DROP_STALE, 1);
			puma_stage_release(e);
		} else {
			kfree(e);
		}
	}
	if (queued)
		queue_work(puma_send_wq, &q->work);
	return queued;
}

/**
 * puma_sendq_kill() - the lender is gone: drop what waits, queue no more
 * @q: the queue
 *
 * Context: process; may be called more than once.
 */
void puma_sendq_kill(struct puma_sendq *q)
{
	struct puma_stage_entry *e, *tmp;
	struct puma_put_flight *f;
	unsigned long flags, id;
	LIST_HEAD(list);

	spin_lock_irqsave(&q->lock, flags);
	WRITE_ONCE(q->dead, true);
	list_splice_init(&q->entries, &list);
	q->nr_invalidates = 0;
	q->marker = NULL;
	spin_unlock_irqrestore(&q->lock, flags);
	list_for_each_entry_safe(e, tmp, &list, node) {
		list_del(&e->node);
		puma_sendq_drop(e, PUMA_STAT_PUTS_DROP_LENDER_GONE);
	}
	/* Unacknowledged puts: their records go with the lender's. */
	xa_for_each(&q->unacked, id, f) {
		if (xa_erase(&q->unacked, id) != f)
			continue;
		atomic_dec(&q->nr_unacked);
		puma_put_flight_free(f);
	}
	wake_up(&q->ack_wait);
}

/**
 * puma_sendq_destroy() - kill @q and wait for its sender
 * @q: a queue set up with puma_sendq_init(), or zeroed
 *
 * Context: process; never from the sender itself.
 */
void puma_sendq_destroy(struct puma_sendq *q)
{
	if (!q->buf)
		return;
	puma_sendq_kill(q);
	cancel_work_sync(&q->work);
	/* A sender that was running may have found entries after the kill. */
	puma_sendq_kill(q);
	kvfree(q->buf);
	q->buf = NULL;
}

/**
 * puma_stage_init() - allocate the staging pool and the senders' queue
 *
 * Return: 0 or -ENOMEM.
 */
int puma_stage_init(void)
{
	int ret;

	puma_send_wq = alloc_workqueue("puma-send", WQ_UNBOUND | WQ_MEM_RECLAIM,
				       0);
	if (!puma_send_wq)
		return -ENOMEM;
	ret = puma_stage_resize(PUMA_STAGE_PAGES_DEFAULT);
	if (ret) {
		puma_stage_exit();
		return ret;
	}
	puma_stage_auto_start();
	return 0;
}

/**
 * puma_stage_exit() - free the staging pool
 *
 * Context: process; every send queue is destroyed and no put can run.
 */
void puma_stage_exit(void)
{
	struct puma_stage_entry *e, *tmp;

	puma_stage_auto_stop();
	if (puma_send_wq)
		destroy_workqueue(puma_send_wq);
	puma_send_wq = NULL;
	WARN_ON(puma_stage_out);
	list_for_each_entry_safe(e, tmp, &puma_stage_free, node) {
		list_del(&e->node);
		puma_stage_free_entry(e);
	}
	puma_stage_nr = 0;
	puma_stage_target = 0;
}
