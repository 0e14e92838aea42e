/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lenders a borrower is paired with, as the data path sees them: a
 * slot number per lender (what local metadata records), a send queue for
 * puts and invalidations, and get requests in flight.
 */
#ifndef _PUMA_BORROWER_H
#define _PUMA_BORROWER_H

#include <linux/completion.h>
#include <linux/in.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "backoff.h"
#include "proto.h"
#include "stage.h"

struct folio;
struct puma_conn;

/* Lenders a borrower can be paired with at once: slots 0 to this - 1. */
#define PUMA_LENDERS_MAX	16

/* GET timeouts in a row that stop GETs to a lender, and for how long. */
#define PUMA_GET_BACKOFF_THRESHOLD	3
#define PUMA_GET_BACKOFF_MIN_MS		1000
#define PUMA_GET_BACKOFF_MAX_MS		32000

/**
 * struct puma_lender_peer - a lender this node borrows from
 * @node: in the list of lenders
 * @addr: its address
 * @node_id: its node id, from the handshake
 * @session: this pairing's session id
 * @slot: its number in local metadata records
 * @chan: the put and get connections (index enum puma_channel - 1)
 * @disconnected: set once, when any connection ended
 * @users: one for the pairing, one per get in flight
 * @sendq: puts and invalidations waiting for the put channel
 * @reqs: get requests waiting for an answer, by request id
 * @next_req_id: the last request id used
 * @ping_work: sends pings and notices missing answers
 * @ping_id: id of the last ping sent
 * @pings: pings sent
 * @pongs: answers received
 * @rtt_us: smoothed ping round trip in microseconds (0 until the first)
 * @get_requests: GET messages sent
 * @get_hits: pages it sent back
 * @get_misses: pages it did not have
 * @get_timeouts: GETs abandoned at the timeout
 * @get_backoff: whether GETs may be sent to it now (fetch.c)
 */
struct puma_lender_peer {
	struct list_head node;
	struct sockaddr_in addr;
	u64 node_id;
	u64 session;
	u8 slot;
	struct puma_conn *chan[2];
	bool disconnected;
	refcount_t users;
	struct puma_sendq sendq;
	struct xarray reqs;
	atomic64_t next_req_id;
	struct delayed_work ping_work;
	atomic64_t ping_id;
	atomic64_t pings;
	atomic64_t pongs;
	u32 rtt_us;
	atomic64_t get_requests;
	atomic64_t get_hits;
	atomic64_t get_misses;
	atomic64_t get_timeouts;
	struct puma_backoff get_backoff;
};

/**
 * struct puma_get_req - one GET in flight
 * @lp: the lender asked, referenced
 * @id: request id, the key in @lp->reqs
 * @count: pages asked for
 * @max: most pages the lender takes in one GET (negotiated max_batch)
 * @keys: the pages
 * @tags: their records' tags, for the requester
 * @epochs: and the records' epochs
 * @folios: where the answer's pages are copied, one per key
 * @status: enum puma_get_status per key, once answered
 * @error: 0 once answered, else why not
 * @sent_ns: when it was sent
 * @send_ns: how long its send took
 * @answer_ns: when its answer arrived
 * @done: completed when answered or failed
 */
struct puma_get_req {
	struct puma_lender_peer *lp;
	u64 id;
	unsigned int count;
	unsigned int max;
	struct puma_key keys[PUMA_PROTO_MAX_BATCH];
	u64 tags[PUMA_PROTO_MAX_BATCH];
	u8 epochs[PUMA_PROTO_MAX_BATCH];
	struct folio *folios[PUMA_PROTO_MAX_BATCH];
	u8 status[PUMA_PROTO_MAX_BATCH];
	int error;
	u64 sent_ns;
	u64 send_ns;
	u64 answer_ns;
	struct completion done;
};

int puma_lenders_pick(void);
bool puma_lenders_queue_put(u8 slot, struct puma_stage_entry *e);
void puma_lenders_invalidate(int slot, u16 type, const struct puma_key *key,
			     unsigned int nr);
struct puma_lender_peer *puma_lender_get(u8 slot);
void puma_lender_disconnect(struct puma_lender_peer *lp, const char *why);
void puma_lender_put(struct puma_lender_peer *lp);

int puma_fetch_send(struct puma_get_req *req, bool exclusive,
		    unsigned long deadline);
int puma_fetch_wait(struct puma_get_req *req, unsigned long deadline);
int puma_fetch_answer(struct puma_lender_peer *lp, const struct puma_msg *msg);
void puma_fetch_fail_all(struct puma_lender_peer *lp);
void puma_fetch_wait_record(u64 ns);
u64 puma_fetch_wait_max_us(void);

#endif /* _PUMA_BORROWER_H */
