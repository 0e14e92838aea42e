// SPDX-License-Identifier: GPL-2.0
/*
 * Get requests: one GET message on a lender's get channel, answered by one
 * GET_RESP with the same request id.
 *
 * The requester (the readahead path, which may sleep) registers the request
 * in the lender's table, sends it and waits until an answer or its
 * deadline.  The get channel's receive thread takes the request out of the
 * table when the answer comes, copies the pages into the requester's
 * folios and completes it.  Whoever takes the request out of the table
 * owns it: a requester that times out and finds it gone waits for the
 * receive thread to finish with it (it is copying, not waiting); an answer
 * that finds nothing came too late and is ignored.  A lender that is
 * disconnected fails every request in its table.
 *
 * Deadlines: a readahead window has one, taken before its first GET is
 * sent; the send (the wait for the connection's turn included) and the
 * wait for the answer both end by it.
 *
 * Back-off: a lender whose GETs keep timing out is not asked for a while
 * (lp->get_backoff, see backoff.c): after PUMA_GET_BACKOFF_THRESHOLD
 * timeouts in a row puma_fetch_send() refuses, and the window reads those
 * pages from disk, for PUMA_GET_BACKOFF_MIN_MS, then one GET probes the
 * lender; each probe that times out doubles the interval, up to
 * PUMA_GET_BACKOFF_MAX_MS, and any answer ends the back-off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "backoff.h"
#include "borrower.h"
#include "conn.h"
#include "pool.h"
#include "rtt.h"
#include "trace.h"

/* The longest a readahead window waited for its gets, in nanoseconds. */
static atomic64_t puma_fetch_wait_max_ns = ATOMIC64_INIT(0);

/**
 * puma_fetch_wait_record() - account the wait of one readahead window
 * @ns: from the moment its first GET was about to be sent (before any
 *	send lock) to the end of its wait for the answers
 *
 * Context: any; lockless.
 */
void puma_fetch_wait_record(u64 ns)
{
	s64 old = atomic64_read(&puma_fetch_wait_max_ns);

	while (old < (s64)ns &&
	       !atomic64_try_cmpxchg(&puma_fetch_wait_max_ns, &old, ns))
		;
}

/**
 * puma_fetch_wait_max_us() - the longest wait of a readahead window
 *
 * Context: any.
 * Return: microseconds, since the module was loaded; 0 before the first
 * window that sent a GET.
 */
u64 puma_fetch_wait_max_us(void)
{
	return div_u64(atomic64_read(&puma_fetch_wait_max_ns), NSEC_PER_USEC);
}

/* A GET to @lp timed out: maybe stop asking it for a while. */
static void puma_fetch_backoff_failed(struct puma_lender_peer *lp)
{
	if (puma_backoff_failed(&lp->get_backoff))
		pr_info_ratelimited("lender %pI4:%u does not answer GETs in time: not asking it for %u ms\n",
				    &lp->addr.sin_addr, ntohs(lp->addr.sin_port),
				    puma_backoff_interval_ms(&lp->get_backoff));
}

/**
 * puma_fetch_send() - register and send a GET
 * @req: the request: @lp (referenced), @count, @keys and @folios set
 * @exclusive: ask the lender to drop the pages it sends
 * @deadline: in jiffies, the window's: the send ends by it
 *
 * Context: process, may sleep until @deadline.
 * Return: 0 when sent (wait with puma_fetch_wait()); -EAGAIN when the
 * borrower backs off from this lender (nothing sent); -ETIMEDOUT when it
 * could not be sent by @deadline; another negative errno.  On error the
 * request is not in flight.
 */
int puma_fetch_send(struct puma_get_req *req, bool exclusive,
		    unsigned long deadline)
{
	struct puma_lender_peer *lp = req->lp;
	struct puma_conn *conn = lp->chan[PUMA_CHAN_GET - 1];
	u8 buf[PUMA_PROTO_HDR_LEN + sizeof(struct puma_wire_batch) +
	       PUMA_PROTO_MAX_BATCH * sizeof(struct puma_wire_key)];
	struct puma_batch b = {
		.type = PUMA_MSG_GET,
		.count = req->count,
		.keys = req->keys,
	};
	int len, ret;

	if (!puma_backoff_allowed(&lp->get_backoff))
		return -EAGAIN;
	if (exclusive && (conn->params.features & PUMA_FEAT_EXCLUSIVE))
		b.flags = PUMA_GET_EXCLUSIVE;
	init_completion(&req->done);
	req->error = -EINPROGRESS;
	req->id = atomic64_inc_return(&lp->next_req_id);
	b.id = req->id;
	len = puma_proto_batch(buf, sizeof(buf), &b);
	if (WARN_ON_ONCE(len < 0))
		return len;
	ret = xa_insert(&lp->reqs, req->id, req, GFP_NOFS);
	if (ret)
		return ret;
	req->sent_ns = ktime_get_ns();
	ret = puma_conn_send_by(conn, buf, len, deadline);
	req->send_ns = trace_puma_get_done_enabled() ?
		       ktime_get_ns() - req->sent_ns : 0;
	if (ret) {
		if (xa_erase(&lp->reqs, req->id) != req)
			wait_for_completion(&req->done);
		if (ret == -ETIMEDOUT)
			puma_fetch_backoff_failed(lp);
		return ret;
	}
	atomic64_inc(&lp->get_requests);
	return 0;
}

/* How many pages of an answered request came back. */
static unsigned int puma_fetch_hits(const struct puma_get_req *req)
{
	unsigned int i, hits = 0;

	for (i = 0; i < req->count; i++)
		hits += req->status[i] == PUMA_GET_HIT;
	return hits;
}

/**
 * puma_fetch_wait() - wait for the answer to a GET sent
 * @req: the request
 * @deadline: in jiffies; past it the request is abandoned
 *
 * Context: process, sleeps until the answer or @deadline.
 * Return: 0 when answered (@status and @folios are filled in),
 * -ETIMEDOUT when abandoned, another negative errno when the lender
 * failed.
 */
int puma_fetch_wait(struct puma_get_req *req, unsigned long deadline)
{
	long left = (long)(deadline - jiffies);

	if (left > 0 && wait_for_completion_timeout(&req->done, left))
		goto done;
	if (xa_erase(&req->lp->reqs, req->id) == req) {
		atomic64_inc(&req->lp->get_timeouts);
		puma_fetch_backoff_failed(req->lp);
		return -ETIMEDOUT;
	}
	/* The receive thread has it: it is copying, not waiting. */
	wait_for_completion(&req->done);
done:
	if (!req->error) {
		u64 rtt = ktime_get_ns() - req->sent_ns;

		puma_rtt_record(rtt);
		trace_puma_get_done(req->lp->slot, req->id, req->count,
				    puma_fetch_hits(req), req->send_ns,
				    req->answer_ns ? req->answer_ns - req->sent_ns : 0,
				    rtt);
		puma_backoff_ok(&req->lp->get_backoff);
	}
	return req->error;
}

/**
 * puma_fetch_answer() - handle a GET_RESP
 * @lp: the lender it came from
 * @msg: the decoded GET_RESP
 *
 * Context: the get channel's receive thread.
 * Return: 0, or -EPROTO when the answer does not fit its request.
 */
int puma_fetch_answer(struct puma_lender_peer *lp, const struct puma_msg *msg)
{
	struct puma_get_req *req = xa_erase(&lp->reqs, msg->id);
	unsigned int i, hit = 0;

	if (!req)
		return msg->id <= atomic64_read(&lp->next_req_id) ? 0 : -EPROTO;
	req->answer_ns = trace_puma_get_done_enabled() ? ktime_get_ns() : 0;
	if (msg->batch.count != req->count) {
		req->error = -EPROTO;
		complete(&req->done);
		return -EPROTO;
	}
	for (i = 0; i < req->count; i++) {
		req->status[i] = msg->batch.status[i];
		if (req->status[i] != PUMA_GET_HIT)
			continue;
		memcpy_to_page(folio_page(req->folios[i], 0), 0,
			       puma_msg_page(msg, hit++, PAGE_SIZE), PAGE_SIZE);
	}
	atomic64_add(hit, &lp->get_hits);
	atomic64_add(req->count - hit, &lp->get_misses);
	req->error = 0;
	complete(&req->done);
	return 0;
}

/**
 * puma_fetch_fail_all() - fail every request in flight to @lp
 * @lp: a lender that was disconnected
 *
 * Context: any sleeping context.
 */
void puma_fetch_fail_all(struct puma_lender_peer *lp)
{
	struct puma_get_req *req;
	unsigned long id;

	xa_for_each(&lp->reqs, id, req) {
		if (xa_erase(&lp->reqs, id) != req)
			continue;
		req->error = -ECONNRESET;
		complete(&req->done);
	}
}
