/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The borrower's staging pool and send queues.
 *
 * An evicted page waits in the staging pool, copied, until its lender's
 * sender hands it over in a batch.  Invalidations for a lender wait in the
 * same queue, so that a lender sees a page's put and its invalidation in
 * the order they happened.
 */
#ifndef _PUMA_STAGE_H
#define _PUMA_STAGE_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "key.h"

struct page;
struct puma_conn;
struct puma_msg;
struct puma_pool;

/* Pages the staging pool holds by default, and its limits. */
#define PUMA_STAGE_PAGES_DEFAULT	1024
#define PUMA_STAGE_PAGES_MIN		32
#define PUMA_STAGE_PAGES_MAX		65536
/* A drain of fewer pages says nothing of the link (stage_auto.c). */
#define PUMA_STAGE_RATE_MIN_PAGES	256

/*
 * Page and inode invalidations a send queue holds at most; more are
 * coalesced into an invalidation of their pool.
 */
#define PUMA_SENDQ_INVALIDATES_MAX	8192

/* PUT messages sent and not acknowledged yet, per lender. */
#define PUMA_SENDQ_UNACKED_MAX		64
/* Milliseconds a sender waits for room among them before it gives up. */
#define PUMA_SENDQ_ACK_TIMEOUT_MS	10000

/**
 * struct puma_stage_entry - one item of a send queue
 * @node: in the staging pool's free list or a send queue
 * @type: PUMA_MSG_PUT or PUMA_MSG_INVALIDATE_{PAGES,INODE,POOL}
 * @key: PUT, INVALIDATE_PAGES: the (first) page; INVALIDATE_INODE: pool,
 *	ino and gen; INVALIDATE_POOL: pool
 * @nr: INVALIDATE_PAGES: pages from @key's index (a large folio's range)
 * @tag: PUT: the tag recorded for the copy
 * @epoch: PUT: the epoch of its record
 * @pool: PUT: the filesystem pool, referenced
 * @page: PUT: the copy (a staging pool page, owned by the entry)
 */
struct puma_stage_entry {
	struct list_head node;
	u16 type;
	struct puma_key key;
	unsigned int nr;
	u64 tag;
	u8 epoch;
	struct puma_pool *pool;
	struct page *page;
};

/**
 * struct puma_sendq - what waits to be sent to one lender
 * @lock: guards @entries, @nr_invalidates, @marker, @lost and @dead;
 *	IRQ-safe
 * @entries: struct puma_stage_entry, oldest first
 * @nr_invalidates: page and inode invalidation entries in @entries
 * @marker: the pool invalidation queued last for an overflow, while it is
 *	still queued: more overflows of its pool need no other
 * @lost: an invalidation could be neither queued nor coalesced: the sender
 *	fails the lender (whose records then all go)
 * @dead: the lender is gone: nothing is queued any more
 * @work: the sender
 * @conn: the put channel
 * @buf: the sender's message buffer, PUMA_PROTO_MAX_MSG bytes
 * @lender: the lender's slot, for the records of what is sent
 * @max_batch: most pages per message, as negotiated on @conn
 * @failed: called from the sender when a send fails or the lender stops
 *	acknowledging
 * @owner: for @failed
 * @puts_sent: pages sent
 * @unacked: PUT messages sent and not acknowledged, by id (struct
 *	puma_put_flight); whoever erases one from it owns it
 * @nr_unacked: entries in @unacked
 * @next_put_id: the last PUT id used; the sender's alone
 * @ack_wait: the sender waits here for room in @unacked
 */
struct puma_sendq {
	spinlock_t lock;	/* see above */
	struct list_head entries;
	unsigned int nr_invalidates;
	struct puma_stage_entry *marker;
	bool lost;
	bool dead;
	struct work_struct work;
	struct puma_conn *conn;
	void *buf;
	u8 lender;
	unsigned int max_batch;
	void (*failed)(struct puma_sendq *q);
	void *owner;
	atomic64_t puts_sent;
	struct xarray unacked;
	atomic_t nr_unacked;
	u64 next_put_id;
	wait_queue_head_t ack_wait;
};

struct puma_stage_entry *puma_stage_take(void);
void puma_stage_release(struct puma_stage_entry *e);
unsigned int puma_stage_used(void);
unsigned int puma_stage_unacked(void);
unsigned int puma_stage_capacity(void);
int puma_stage_resize(unsigned int pages);
int puma_stage_init(void);
void puma_stage_exit(void);

/* stage_auto.c: the pool's size follows the link */
void puma_stage_note_drain(unsigned int pages, u64 ns);
u64 puma_stage_rate(void);
int puma_stage_set_size(unsigned int pages);
bool puma_stage_is_auto(void);
void puma_stage_auto_start(void);
void puma_stage_auto_stop(void);

int puma_sendq_init(struct puma_sendq *q, struct puma_conn *conn, u8 lender);
bool puma_sendq_put(struct puma_sendq *q, struct puma_stage_entry *e);
bool puma_sendq_invalidate(struct puma_sendq *q, u16 type,
			   const struct puma_key *key, unsigned int nr);
int puma_sendq_ack(struct puma_sendq *q, const struct puma_msg *msg);
bool puma_sendq_overdue(struct puma_sendq *q);
void puma_sendq_kill(struct puma_sendq *q);
void puma_sendq_destroy(struct puma_sendq *q);

#endif /* _PUMA_STAGE_H */
