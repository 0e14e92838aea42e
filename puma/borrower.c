// SPDX-License-Identifier: GPL-2.0
/*
 * The borrower side: the lenders this node is paired with.
 *
 * Pairing opens two connections to the lender, one per channel, so that a
 * get never waits behind a batch of puts, and shakes hands on each
 * (version, page size, node ids, features; a session id ties the two).
 * The put channel's HELLO_ACK carries the session's secret, and the get
 * channel's HELLO proves it, so that nobody else joins the session.  Both
 * must succeed or the pairing fails with the first error.
 *
 * Liveness: a ping on the get channel every PUMA_PING_INTERVAL_MS; its
 * round trip feeds a smoothed RTT (EWMA, 1/8 per sample).  A lender that
 * leaves PUMA_PING_MISSES pings unanswered, closes a connection or breaks
 * the protocol is marked disconnected and both connections are closed;
 * the record stays, so that `pumactl peers` shows it, until the operator
 * removes it.
 *
 * Data path: each lender has a slot (0 to PUMA_LENDERS_MAX - 1), which
 * local metadata records for every page it holds; puma_lender_slots[]
 * publishes connected lenders to the put path (IRQs off: an RCU reader)
 * and the get path.  A lender that is disconnected is forgotten at once:
 * its send queue is dropped, its gets in flight fail, and every record of
 * its slot is erased.  Removal unpublishes the slot, waits for an RCU
 * grace period (no put can still queue to it) and for the gets in flight
 * (@users), and erases the slot's records once more before the slot is
 * reused.
 *
 * Locking: puma_borrower_mutex guards the list, the slots and
 * pairing/removal.  The ping work and the receive threads touch a
 * lender's fields with atomics and READ_ONCE/WRITE_ONCE only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include <linux/puma.h>

#include "borrower.h"
#include "conn.h"
#include "frontend.h"
#include "peer.h"

#define PUMA_PING_INTERVAL_MS	1000
#define PUMA_PING_MISSES	3
/*
 * How long a pairing retries while the lender still has a live session of
 * this node: a lender's TCP keepalive ends a silent one within about 8 s
 * (conn.c).
 */
#define PUMA_REPAIR_TIMEOUT_MS	10000
#define PUMA_REPAIR_RETRY_MS	200

static DEFINE_MUTEX(puma_borrower_mutex);
static LIST_HEAD(puma_lenders);
static unsigned int puma_nr_lenders;
static struct puma_lender_peer __rcu *puma_lender_slots[PUMA_LENDERS_MAX];
/* Slots in use, published or not: under puma_borrower_mutex. */
static DECLARE_BITMAP(puma_slots_busy, PUMA_LENDERS_MAX);

static struct puma_conn *puma_lender_chan(struct puma_lender_peer *lp,
					  enum puma_channel chan)
{
	return lp->chan[chan - 1];
}

/**
 * puma_lender_disconnect() - end the pairing with a lender that failed
 * @lp: the lender
 * @why: for the log
 *
 * Its connections are shut down, what is queued for it dropped, its gets
 * in flight failed and every record of its slot erased.  It stays listed
 * (disconnected) until the operator removes it; nothing reconnects it.
 *
 * Context: process, may sleep.
 */
void puma_lender_disconnect(struct puma_lender_peer *lp, const char *why)
{
	unsigned int i;

	if (xchg(&lp->disconnected, true))
		return;
	pr_warn("lender %pI4:%u disconnected: %s\n", &lp->addr.sin_addr,
		ntohs(lp->addr.sin_port), why);
	for (i = 0; i < ARRAY_SIZE(lp->chan); i++)
		puma_conn_shutdown(lp->chan[i]);
	/* Forget it at once: nothing queued, nothing awaited, no record. */
	puma_sendq_kill(&lp->sendq);
	puma_fetch_fail_all(lp);
	puma_frontend_forget_lender(lp->slot);
}

static void puma_borrower_sendq_failed(struct puma_sendq *q)
{
	puma_lender_disconnect(q->owner, "send failed");
}

static void puma_borrower_ping(struct work_struct *work)
{
	struct puma_lender_peer *lp = container_of(to_delayed_work(work),
						   struct puma_lender_peer,
						   ping_work);
	struct puma_msg ping = { .type = PUMA_MSG_PING };

	if (READ_ONCE(lp->disconnected))
		return;
	if (atomic64_read(&lp->pings) - atomic64_read(&lp->pongs) >=
	    PUMA_PING_MISSES) {
		puma_lender_disconnect(lp, "pings unanswered");
		return;
	}
	if (puma_sendq_overdue(&lp->sendq)) {
		puma_lender_disconnect(lp, "puts unacknowledged");
		return;
	}
	ping.id = atomic64_inc_return(&lp->ping_id);
	ping.timestamp = ktime_get_ns();
	atomic64_inc(&lp->pings);
	if (puma_conn_send_msg(puma_lender_chan(lp, PUMA_CHAN_GET), &ping)) {
		puma_lender_disconnect(lp, "ping not sent");
		return;
	}
	schedule_delayed_work(&lp->ping_work,
			      msecs_to_jiffies(PUMA_PING_INTERVAL_MS));
}

static int puma_borrower_pong(struct puma_lender_peer *lp,
			      const struct puma_msg *msg)
{
	u64 now = ktime_get_ns();
	u32 sample, rtt;

	/* Only the answer to an outstanding ping is believed. */
	if (msg->id > atomic64_read(&lp->ping_id) || msg->timestamp > now)
		return -EPROTO;
	sample = min_t(u64, (now - msg->timestamp) / NSEC_PER_USEC, U32_MAX);
	rtt = READ_ONCE(lp->rtt_us);
	WRITE_ONCE(lp->rtt_us, rtt ? rtt - rtt / 8 + sample / 8 : sample);
	atomic64_set(&lp->pongs, atomic64_read(&lp->pings));
	return 0;
}

static int puma_borrower_handle(struct puma_conn *conn,
				const struct puma_msg *msg)
{
	struct puma_lender_peer *lp = conn->owner;

	switch (msg->type) {
	case PUMA_MSG_PONG:
		return puma_borrower_pong(lp, msg);
	case PUMA_MSG_PING:
		return puma_conn_answer_ping(conn, msg);
	case PUMA_MSG_GET_RESP:
		if (conn != puma_lender_chan(lp, PUMA_CHAN_GET))
			return -EPROTO;
		return puma_fetch_answer(lp, msg);
	case PUMA_MSG_PUT_ACK:
		if (conn != puma_lender_chan(lp, PUMA_CHAN_PUT))
			return -EPROTO;
		return puma_sendq_ack(&lp->sendq, msg);
	case PUMA_MSG_BYE:
		return -ESHUTDOWN;
	default:
		return -EPROTO;
	}
}

static void puma_borrower_closed(struct puma_conn *conn)
{
	struct puma_lender_peer *lp = conn->owner;

	puma_lender_disconnect(lp, conn->error == -ECONNRESET ?
				 "connection closed" : "connection error");
}

/*
 * Open and shake hands on one channel.  The put channel opens the session:
 * its HELLO_ACK carries the session's secret, which this stores in
 * @secret; the get channel joins it with a proof of @secret.
 *
 * Return: 0; -EAGAIN when the lender refused the put channel with
 * PUMA_HELLO_DENIED (it still has a live session of this node: see
 * puma_borrower_add_lender()); -ETIMEDOUT; -EPROTO for any other failed
 * handshake; connection errors.
 */
static int puma_borrower_open(struct puma_lender_peer *lp,
			      enum puma_channel chan, u8 *secret,
			      struct netlink_ext_ack *extack)
{
	struct puma_msg hello = {
		.type = PUMA_MSG_HELLO,
		.hello = {
			.version = PUMA_PROTO_VERSION,
			.role = PUMA_ROLE_BORROWER,
			.channel = chan,
			.page_size = PAGE_SIZE,
			.max_batch = PUMA_PROTO_MAX_BATCH,
			.node_id = puma_node_id,
			.session = lp->session,
			.features = PUMA_FEAT_EXCLUSIVE,
		},
	};
	struct puma_conn *conn;
	struct puma_msg ack;
	int ret;

	if (chan != PUMA_CHAN_PUT)
		puma_proto_hello_proof(secret, &hello.hello, hello.hello.auth);
	conn = puma_conn_connect(&lp->addr, PUMA_CONNECT_TIMEOUT_MS);
	if (IS_ERR(conn)) {
		NL_SET_ERR_MSG(extack, "cannot connect to the lender");
		return PTR_ERR(conn);
	}
	conn->owner = lp;
	conn->params.peer = PUMA_ROLE_LENDER;
	ret = puma_conn_send_msg(conn, &hello);
	if (!ret)
		ret = puma_conn_recv(conn, &ack);
	if (!ret && ack.type != PUMA_MSG_HELLO_ACK)
		ret = -EPROTO;
	if (!ret)
		ret = puma_proto_check_ack(&hello.hello, &ack.hello,
					   &conn->params);
	if (ret) {
		puma_conn_destroy(conn);
		if (ret == -ECONNREFUSED && chan == PUMA_CHAN_PUT &&
		    ack.hello.status == PUMA_HELLO_DENIED)
			return -EAGAIN;
		NL_SET_ERR_MSG(extack, "handshake with the lender failed");
		/* Whatever the peer did wrong, to the operator it is one. */
		return ret == -ETIMEDOUT ? ret : -EPROTO;
	}
	if (chan == PUMA_CHAN_PUT)
		memcpy(secret, ack.hello.auth, PUMA_PROTO_AUTH_LEN);
	memzero_explicit(ack.hello.auth, sizeof(ack.hello.auth));
	lp->node_id = ack.hello.node_id;
	conn->handle = puma_borrower_handle;
	conn->closed = puma_borrower_closed;
	puma_conn_set_timeout(conn, PUMA_SEND_TIMEOUT_MS);
	puma_conn_set_rx_timeout(conn, 0);
	lp->chan[chan - 1] = conn;
	return 0;
}

static struct puma_lender_peer *puma_borrower_find(const struct sockaddr_in *a)
{
	struct puma_lender_peer *lp;

	list_for_each_entry(lp, &puma_lenders, node)
		if (lp->addr.sin_addr.s_addr == a->sin_addr.s_addr &&
		    lp->addr.sin_port == a->sin_port)
			return lp;
	return NULL;
}

/*
 * Free a lender that is no longer published in a slot: wait until no get
 * uses it, stop everything and erase its records.  Its slot is the
 * caller's to give back.
 */
static void puma_borrower_free(struct puma_lender_peer *lp)
{
	unsigned int i;

	WRITE_ONCE(lp->disconnected, true);
	cancel_delayed_work_sync(&lp->ping_work);
	for (i = 0; i < ARRAY_SIZE(lp->chan); i++)
		if (lp->chan[i])
			puma_conn_shutdown(lp->chan[i]);
	if (lp->sendq.buf)	/* set up once both channels are open */
		puma_sendq_kill(&lp->sendq);
	puma_fetch_fail_all(lp);
	if (!refcount_dec_and_test(&lp->users))
		wait_var_event(&lp->users, !refcount_read(&lp->users));
	puma_sendq_destroy(&lp->sendq);
	for (i = 0; i < ARRAY_SIZE(lp->chan); i++)
		puma_conn_destroy(lp->chan[i]);
	puma_frontend_forget_lender(lp->slot);
	xa_destroy(&lp->reqs);
	kfree(lp);
}

/**
 * puma_lenders_pick() - a connected lender for a page being put
 *
 * Lenders take turns, page by page.
 *
 * Context: any; an RCU reader (the put path runs with IRQs off).
 * Return: the lender's slot, or -1 when none is connected.
 */
int puma_lenders_pick(void)
{
	static unsigned int next;
	struct puma_lender_peer *lp;
	unsigned int i, start = READ_ONCE(next);

	for (i = 0; i < PUMA_LENDERS_MAX; i++) {
		unsigned int slot = (start + i) % PUMA_LENDERS_MAX;

		lp = rcu_dereference_check(puma_lender_slots[slot],
					   rcu_read_lock_any_held());
		if (lp && !READ_ONCE(lp->disconnected)) {
			WRITE_ONCE(next, slot + 1);
			return slot;
		}
	}
	return -1;
}

/**
 * puma_lenders_queue_put() - queue a staged page for the lender in @slot
 * @slot: from puma_lenders_pick()
 * @e: the staging entry
 *
 * Context: any; an RCU reader.
 * Return: true when queued; false when that lender is gone (@e is still
 * the caller's).
 */
bool puma_lenders_queue_put(u8 slot, struct puma_stage_entry *e)
{
	struct puma_lender_peer *lp;

	if (slot >= PUMA_LENDERS_MAX)
		return false;
	lp = rcu_dereference_check(puma_lender_slots[slot],
				   rcu_read_lock_any_held());
	return lp && !READ_ONCE(lp->disconnected) &&
	       puma_sendq_put(&lp->sendq, e);
}

/**
 * puma_lenders_invalidate() - queue an invalidation for lenders
 * @slot: the lender's slot, or -1 for every lender
 * @type: PUMA_MSG_INVALIDATE_PAGES, _INODE or _POOL
 * @key: what to invalidate
 * @nr: INVALIDATE_PAGES: pages from @key's index; ignored otherwise
 *
 * Context: any.
 */
void puma_lenders_invalidate(int slot, u16 type, const struct puma_key *key,
			     unsigned int nr)
{
	struct puma_lender_peer *lp;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < PUMA_LENDERS_MAX; i++) {
		if (slot >= 0 && i != slot)
			continue;
		lp = rcu_dereference(puma_lender_slots[i]);
		if (lp && !READ_ONCE(lp->disconnected))
			puma_sendq_invalidate(&lp->sendq, type, key, nr);
	}
	rcu_read_unlock();
}

/**
 * puma_lender_get() - the connected lender in @slot, referenced
 * @slot: a slot from a record
 *
 * Context: any.
 * Return: the lender (release with puma_lender_put()) or NULL.
 */
struct puma_lender_peer *puma_lender_get(u8 slot)
{
	struct puma_lender_peer *lp;

	if (slot >= PUMA_LENDERS_MAX)
		return NULL;
	rcu_read_lock();
	lp = rcu_dereference(puma_lender_slots[slot]);
	if (lp && (READ_ONCE(lp->disconnected) ||
		   !refcount_inc_not_zero(&lp->users)))
		lp = NULL;
	rcu_read_unlock();
	return lp;
}

/**
 * puma_lender_put() - release a lender from puma_lender_get()
 * @lp: the lender
 */
void puma_lender_put(struct puma_lender_peer *lp)
{
	if (refcount_dec_and_test(&lp->users))
		wake_up_var(&lp->users);
}

/**
 * puma_borrower_add_lender() - pair with the lender at @addr
 * @addr: its IPv4 address and port
 * @extack: for error messages
 *
 * Context: process, may sleep: per channel, up to PUMA_CONNECT_TIMEOUT_MS
 * each for the connect, the HELLO and the HELLO_ACK; and up to
 * PUMA_REPAIR_TIMEOUT_MS while the lender refuses a new session because
 * an older one of this node still lives there.
 * Return: 0; -EEXIST when already paired; -ENOSPC; connection errors
 * (-ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH...); -EPROTO when the
 * handshake failed; -EBUSY when the lender kept refusing a new session.
 */
int puma_borrower_add_lender(const struct sockaddr_in *addr,
			     struct netlink_ext_ack *extack)
{
	u8 secret[PUMA_PROTO_AUTH_LEN];
	struct puma_lender_peer *lp;
	unsigned long deadline;
	int ret;

	mutex_lock(&puma_borrower_mutex);
	if (puma_borrower_find(addr)) {
		NL_SET_ERR_MSG(extack, "already paired with this lender");
		ret = -EEXIST;
		goto out;
	}
	if (puma_nr_lenders >= PUMA_LENDERS_MAX) {
		NL_SET_ERR_MSG(extack, "too many lenders");
		ret = -ENOSPC;
		goto out;
	}
	lp = kzalloc(sizeof(*lp), GFP_KERNEL);
	if (!lp) {
		ret = -ENOMEM;
		goto out;
	}
	lp->addr = *addr;
	lp->slot = find_first_zero_bit(puma_slots_busy, PUMA_LENDERS_MAX);
	refcount_set(&lp->users, 1);
	xa_init(&lp->reqs);
	INIT_DELAYED_WORK(&lp->ping_work, puma_borrower_ping);
	puma_backoff_init(&lp->get_backoff, PUMA_GET_BACKOFF_THRESHOLD,
			  PUMA_GET_BACKOFF_MIN_MS, PUMA_GET_BACKOFF_MAX_MS);
	/*
	 * A lender refuses a new session while an older one of this node
	 * lives there: after a remove-lender it may not have seen those
	 * connections close yet, after a lost link it waits for its TCP
	 * keepalive.  Each try draws a new session.
	 */
	deadline = jiffies + msecs_to_jiffies(PUMA_REPAIR_TIMEOUT_MS);
	for (;;) {
		do {
			lp->session = get_random_u64();
		} while (!lp->session);
		ret = puma_borrower_open(lp, PUMA_CHAN_PUT, secret, extack);
		if (ret != -EAGAIN)
			break;
		if (time_after(jiffies, deadline)) {
			NL_SET_ERR_MSG(extack,
				       "the lender still has a live session of this node");
			ret = -EBUSY;
			break;
		}
		msleep(PUMA_REPAIR_RETRY_MS);
	}
	if (!ret)
		ret = puma_borrower_open(lp, PUMA_CHAN_GET, secret, extack);
	memzero_explicit(secret, sizeof(secret));
	if (!ret)
		ret = puma_sendq_init(&lp->sendq, lp->chan[0], lp->slot);
	lp->sendq.owner = lp;
	lp->sendq.failed = puma_borrower_sendq_failed;
	if (!ret)
		ret = puma_conn_start(lp->chan[0], "puma-borrow-put");
	if (!ret)
		ret = puma_conn_start(lp->chan[1], "puma-borrow-get");
	if (ret) {
		puma_borrower_free(lp);
		goto out;
	}
	list_add_tail(&lp->node, &puma_lenders);
	puma_nr_lenders++;
	set_bit(lp->slot, puma_slots_busy);
	rcu_assign_pointer(puma_lender_slots[lp->slot], lp);
	schedule_delayed_work(&lp->ping_work, 0);
	pr_info("paired with lender %pI4:%u (node %016llx)\n",
		&addr->sin_addr, ntohs(addr->sin_port), lp->node_id);
out:
	mutex_unlock(&puma_borrower_mutex);
	return ret;
}

/**
 * puma_borrower_remove_lender() - forget the lender at @addr
 * @addr: its IPv4 address and port
 *
 * Says BYE if it still can, closes both connections and frees the record.
 *
 * Context: process, may sleep.
 * Return: 0, or -ENOENT when not paired with it.
 */
int puma_borrower_remove_lender(const struct sockaddr_in *addr)
{
	struct puma_msg bye = { .type = PUMA_MSG_BYE, .reason = PUMA_BYE_SHUTDOWN };
	struct puma_lender_peer *lp;
	u8 slot;

	mutex_lock(&puma_borrower_mutex);
	lp = puma_borrower_find(addr);
	if (lp) {
		list_del(&lp->node);
		puma_nr_lenders--;
		RCU_INIT_POINTER(puma_lender_slots[lp->slot], NULL);
	}
	mutex_unlock(&puma_borrower_mutex);
	if (!lp)
		return -ENOENT;
	/* No put queues to it, no get finds it, after this. */
	synchronize_rcu();
	cancel_delayed_work_sync(&lp->ping_work);
	if (!READ_ONCE(lp->disconnected))
		puma_conn_send_msg(puma_lender_chan(lp, PUMA_CHAN_PUT), &bye);
	pr_info("unpaired from lender %pI4:%u\n", &addr->sin_addr,
		ntohs(addr->sin_port));
	slot = lp->slot;
	puma_borrower_free(lp);
	mutex_lock(&puma_borrower_mutex);
	clear_bit(slot, puma_slots_busy);
	mutex_unlock(&puma_borrower_mutex);
	return 0;
}

/**
 * puma_borrower_walk() - report each lender
 * @walk: position and visitor, called under the borrower mutex
 *
 * Return: 0, or what @walk->visit returned to stop the walk.
 */
int puma_borrower_walk(struct puma_peer_walk *walk)
{
	struct puma_lender_peer *lp;
	struct puma_peer_info info;
	unsigned long i = 0;
	unsigned int c;
	int ret = 0;

	mutex_lock(&puma_borrower_mutex);
	list_for_each_entry(lp, &puma_lenders, node) {
		if (i++ < walk->pos)
			continue;
		info = (struct puma_peer_info) {
			.role = PUMA_PEER_LENDER,
			.addr = lp->addr,
			.node_id = lp->node_id,
			.state = READ_ONCE(lp->disconnected) ?
				 PUMA_PEER_DISCONNECTED : PUMA_PEER_CONNECTED,
			.rtt_us = READ_ONCE(lp->rtt_us),
			.pings = atomic64_read(&lp->pings),
			.pongs = atomic64_read(&lp->pongs),
			.puts_sent = atomic64_read(&lp->sendq.puts_sent),
			.get_requests = atomic64_read(&lp->get_requests),
			.get_hits = atomic64_read(&lp->get_hits),
			.get_misses = atomic64_read(&lp->get_misses),
			.get_timeouts = atomic64_read(&lp->get_timeouts),
		};
		for (c = 0; c < ARRAY_SIZE(lp->chan); c++) {
			info.bytes_in += atomic64_read(&lp->chan[c]->bytes_in);
			info.bytes_out += atomic64_read(&lp->chan[c]->bytes_out);
			info.violations +=
				atomic64_read(&lp->chan[c]->violations);
		}
		ret = walk->visit(walk, &info);
		if (ret)
			break;
		walk->pos++;
	}
	mutex_unlock(&puma_borrower_mutex);
	return ret;
}

/**
 * puma_borrower_exit() - forget every lender
 */
void puma_borrower_exit(void)
{
	struct puma_lender_peer *lp;

	for (;;) {
		mutex_lock(&puma_borrower_mutex);
		lp = list_first_entry_or_null(&puma_lenders,
					      struct puma_lender_peer, node);
		mutex_unlock(&puma_borrower_mutex);
		if (!lp)
			break;
		puma_borrower_remove_lender(&lp->addr);
	}
}
