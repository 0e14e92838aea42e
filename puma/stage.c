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
 * is dropped (counted): the pool bounds what puts can cost in memory.
 *
 * Invalidations for a lender go through the same queue, allocated with
 * GFP_ATOMIC and bounded by PUMA_SENDQ_INVALIDATES_MAX, so that the lender
 * sees puts and invalidations of a page in the order they happened.  A
 * lost invalidation costs lender memory only: the borrower asks for a page
 * only while its metadata, cleared first, says the lender holds it.
 *
 * Before a put is sent, its record is looked up again: a page invalidated
 * while it waited is not sent (puts_dropped_stale).
 *
 * Locking: puma_stage_lock guards the pool's free list and sizes, each
 * queue's lock its entries; both are IRQ-safe and never nest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "conn.h"
#include "pool.h"
#include "proto.h"
#include "stage.h"

static DEFINE_SPINLOCK(puma_stage_lock);
static LIST_HEAD(puma_stage_free);
/* Entries in existence, entries wanted, entries out of the free list. */
static unsigned int puma_stage_nr, puma_stage_target, puma_stage_out;

static struct workqueue_struct *puma_send_wq;

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
	       rec.tag == e->tag && rec.lender == q->lender;
}

static int puma_sendq_send_batch(struct puma_sendq *q, u16 type,
				 struct list_head *batch)
{
	struct puma_key keys[PUMA_PROTO_MAX_BATCH];
	const void *pages[PUMA_PROTO_MAX_BATCH];
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
		pages[b.count] = page_address(e->page);
		b.count++;
	}
	if (!b.count)
		return 0;
	if (type == PUMA_MSG_PUT)
		b.pages = pages;
	len = puma_proto_batch(q->buf, PUMA_PROTO_MAX_MSG, &b);
	if (WARN_ON_ONCE(len < 0))
		return len;
	ret = puma_conn_send(q->conn, q->buf, len);
	if (ret)
		return ret;
	if (type != PUMA_MSG_PUT) {
		puma_stats_inc(&puma_global_stats, PUMA_STAT_INVALIDATES_SENT);
		return 0;
	}
	atomic64_add(b.count, &q->puts_sent);
	list_for_each_entry(e, batch, node)
		puma_count(e->pool, PUMA_STAT_PUTS_SENT, 1);
	return 0;
}

static int puma_sendq_send_one(struct puma_sendq *q,
			       struct puma_stage_entry *e)
{
	struct puma_msg msg = { .type = e->type };
	int ret;

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
			  type == PUMA_MSG_INVALIDATE_POOL ||
			  n == PUMA_PROTO_MAX_BATCH))
			break;
		type = e->type;
		if (type != PUMA_MSG_PUT)
			q->nr_invalidates--;
		list_move_tail(&e->node, batch);
		n++;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return type;
}

static void puma_sendq_work(struct work_struct *work)
{
	struct puma_sendq *q = container_of(work, struct puma_sendq, work);
	struct puma_stage_entry *e, *tmp;
	LIST_HEAD(batch);
	int ret = 0;
	u16 type;

	while ((type = puma_sendq_next(q, &batch))) {
		if (ret || READ_ONCE(q->dead)) {
			ret = -ESHUTDOWN;
		} else if (type == PUMA_MSG_PUT ||
			   type == PUMA_MSG_INVALIDATE_PAGES) {
			ret = puma_sendq_send_batch(q, type, &batch);
		} else {
			e = list_first_entry(&batch, struct puma_stage_entry,
					     node);
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

/**
 * puma_sendq_invalidate() - queue an invalidation
 * @q: the lender's queue
 * @type: PUMA_MSG_INVALIDATE_PAGES, _INODE or _POOL
 * @key: what to invalidate (see struct puma_stage_entry)
 *
 * Context: any; does not sleep.
 * Return: true when queued; false when dropped (counted).
 */
bool puma_sendq_invalidate(struct puma_sendq *q, u16 type,
			   const struct puma_key *key)
{
	struct puma_stage_entry *e;
	unsigned long flags;
	bool queued;

	e = kzalloc(sizeof(*e), GFP_ATOMIC | __GFP_NOWARN);
	if (!e) {
		puma_stats_inc(&puma_global_stats,
			       PUMA_STAT_INVALIDATES_DROPPED);
		return false;
	}
	e->type = type;
	e->key = *key;
	spin_lock_irqsave(&q->lock, flags);
	queued = !q->dead && q->nr_invalidates < PUMA_SENDQ_INVALIDATES_MAX;
	if (queued) {
		list_add_tail(&e->node, &q->entries);
		q->nr_invalidates++;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	if (!queued) {
		puma_sendq_drop(e, PUMA_STAT_INVALIDATES_DROPPED);
		return false;
	}
	queue_work(puma_send_wq, &q->work);
	return true;
}

/**
 * puma_sendq_kill() - the lender is gone: drop what waits, queue no more
 * @q: the queue
 *
 * Context: any; may be called more than once.
 */
void puma_sendq_kill(struct puma_sendq *q)
{
	struct puma_stage_entry *e, *tmp;
	unsigned long flags;
	LIST_HEAD(list);

	spin_lock_irqsave(&q->lock, flags);
	WRITE_ONCE(q->dead, true);
	list_splice_init(&q->entries, &list);
	q->nr_invalidates = 0;
	spin_unlock_irqrestore(&q->lock, flags);
	list_for_each_entry_safe(e, tmp, &list, node) {
		list_del(&e->node);
		puma_sendq_drop(e, PUMA_STAT_PUTS_DROP_LENDER_GONE);
	}
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
	if (ret)
		puma_stage_exit();
	return ret;
}

/**
 * puma_stage_exit() - free the staging pool
 *
 * Context: process; every send queue is destroyed and no put can run.
 */
void puma_stage_exit(void)
{
	struct puma_stage_entry *e, *tmp;

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
