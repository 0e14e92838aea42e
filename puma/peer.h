/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Peers: the lenders a borrower is paired with (borrower.c) and the
 * borrowers a lender serves (lender.c), as netlink reports them.
 */
#ifndef _PUMA_PEER_H
#define _PUMA_PEER_H

#include <linux/in.h>
#include <linux/types.h>

#include "store.h"

struct netlink_ext_ack;

/* This node's id in handshakes: random, chosen when the module loads. */
extern u64 puma_node_id;

/* Milliseconds a connect or a handshake may take. */
#define PUMA_CONNECT_TIMEOUT_MS		3000
/* Milliseconds a send may block on a full socket, once paired. */
#define PUMA_SEND_TIMEOUT_MS		2000

/*
 * A lender's caps.  Connections that have not finished their handshake:
 * at most PUMA_LENDER_MAX_PENDING; all connections: at most two per
 * session (lender_max_sessions) plus those.  A session none of whose
 * connections received a message for lender_idle_timeout_s seconds is
 * closed (a paired borrower pings every second).
 */
#define PUMA_LENDER_MAX_PENDING		16
#define PUMA_LENDER_IDLE_S_DEFAULT	60
#define PUMA_LENDER_IDLE_S_MIN		1
#define PUMA_LENDER_IDLE_S_MAX		86400

/**
 * struct puma_peer_info - one peer, as GET_PEERS reports it
 * @role: enum puma_peer_role
 * @addr: its address
 * @node_id: its node id, 0 until the handshake
 * @state: enum puma_peer_state
 * @rtt_us: smoothed ping round trip in microseconds, 0 when unknown
 * @bytes_in: bytes received from it
 * @bytes_out: bytes sent to it
 * @violations: protocol violations it committed
 * @pings: pings sent to it
 * @pongs: answers received
 * @puts_refused: pages a borrower offered that this lender did not keep
 * @has_store: a borrower: @store is filled in
 * @store: a borrower: the figures of what this lender keeps for it
 * @puts_sent: a lender: pages sent to it
 * @get_requests: a lender: GET messages sent to it
 * @get_hits: a lender: pages it sent back that were used
 * @get_misses: a lender: pages it did not have
 * @get_timeouts: a lender: GETs it did not answer in time
 */
struct puma_peer_info {
	u8 role;
	struct sockaddr_in addr;
	u64 node_id;
	u8 state;
	u32 rtt_us;
	u64 bytes_in;
	u64 bytes_out;
	u64 violations;
	u64 pings;
	u64 pongs;
	u64 puts_refused;
	bool has_store;
	struct puma_store_info store;
	u64 puts_sent;
	u64 get_requests;
	u64 get_hits;
	u64 get_misses;
	u64 get_timeouts;
};

/**
 * struct puma_peer_walk - a walk over the peers of one kind
 * @pos: peers to skip; advanced past each one reported
 * @visit: called for each remaining peer, under the list's mutex; a
 *	non-zero return stops the walk (that peer is not counted in @pos)
 */
struct puma_peer_walk {
	unsigned long pos;
	int (*visit)(struct puma_peer_walk *walk,
		     const struct puma_peer_info *info);
};

int puma_borrower_add_lender(const struct sockaddr_in *addr,
			     struct netlink_ext_ack *extack);
int puma_borrower_remove_lender(const struct sockaddr_in *addr);
int puma_borrower_walk(struct puma_peer_walk *walk);
void puma_borrower_exit(void);

int puma_lender_start(const struct sockaddr_in *addr, u64 max_memory,
		      struct netlink_ext_ack *extack);
int puma_lender_stop(void);
bool puma_lender_address(struct sockaddr_in *addr, u64 *max_memory);
unsigned int puma_lender_idle_timeout(void);
void puma_lender_set_idle_timeout(unsigned int seconds);
int puma_lender_walk(struct puma_peer_walk *walk);
void puma_lender_exit(void);

#endif /* _PUMA_PEER_H */
