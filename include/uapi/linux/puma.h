/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * PUMA: a cooperative page cache for virtual machines.
 *
 * Generic netlink ABI between the puma module and its userspace tool
 * (pumactl).  Family name PUMA_GENL_NAME, version PUMA_GENL_VERSION.
 *
 * Commands
 * --------
 * PUMA_CMD_GET_VERSION (doit, unprivileged)
 *   Request: no attributes.
 *   Reply:   PUMA_A_VERSION        string  module version ("0.1.0")
 *            PUMA_A_GENL_VERSION   u32     PUMA_GENL_VERSION of the module
 *            PUMA_A_KERNEL_RELEASE string  utsname release of the kernel
 *
 * PUMA_CMD_GET_STATUS (doit, unprivileged)
 *   Request: no attributes.
 *   Reply:   PUMA_A_ENABLED        u8      1 when the hooks act, 0 when idle
 *            PUMA_A_FILESYSTEMS    string  opted-in filesystem types,
 *                                          space separated ("ext4 xfs")
 *            PUMA_A_STATS          nest    global counters, then gauges: a
 *                                          list of PUMA_A_STAT nests, each
 *                                          with PUMA_STAT_A_NAME (string)
 *                                          and PUMA_STAT_A_VALUE (u64).
 *   Counter and gauge names are the file names of /sys/kernel/puma/stats/
 *   and never collide; a tool prints the names it receives, so new
 *   counters and gauges need no tool change.  Counters only grow; gauges
 *   (staging_pages_*, meta_*, get_rtt_ewma_us, lender_pages_held) are
 *   levels.
 *
 * PUMA_CMD_GET_POOLS (dumpit, unprivileged)
 *   One message per pool (one pool per mounted filesystem whose type is
 *   opted in, created at mount or when the module loads or the list
 *   changes):
 *            PUMA_A_POOL           nest    PUMA_POOL_A_DEV (u32, the
 *                                          superblock's dev_t in the
 *                                          kernel's encoding, see
 *                                          MAJOR()/MINOR() below),
 *                                          PUMA_POOL_A_FSTYPE (string),
 *                                          PUMA_POOL_A_ID (string, the
 *                                          superblock's s_id, e.g. "vda"),
 *                                          PUMA_POOL_A_STATS (nest, as
 *                                          PUMA_A_STATS above).
 *
 * PUMA_CMD_LENDER_START (doit, CAP_NET_ADMIN)
 *   Start lending: listen for borrowers on a TCP address.
 *   Request: PUMA_A_ADDR_IN4 (4 bytes, IPv4 in network byte order),
 *            PUMA_A_PORT (u16, host order, not 0),
 *            PUMA_A_MAX_MEMORY (u64, bytes; optional; the most all
 *            borrowers together may keep on this node; absent or 0: a
 *            quarter of the node's memory; else at least
 *            PUMA_MAX_MEMORY_MIN and at most the node's memory: -ERANGE
 *            otherwise).
 *   Errors:  -EALREADY already lending, -EADDRINUSE, -EADDRNOTAVAIL.
 *
 * PUMA_CMD_LENDER_STOP (doit, CAP_NET_ADMIN)
 *   Stop lending: close the listener and every borrower's connections and
 *   drop what they lent.  -ENOENT when not lending.
 *
 * PUMA_CMD_BORROWER_ADD_LENDER (doit, CAP_NET_ADMIN)
 *   Pair with a lender: connect (put and get channels) and shake hands.
 *   Request: PUMA_A_ADDR_IN4, PUMA_A_PORT.
 *   Errors:  -EEXIST already paired, -ECONNREFUSED, -ETIMEDOUT,
 *            -EHOSTUNREACH/-ENETUNREACH, -EPROTO (handshake failed),
 *            -ENOSPC (too many lenders).
 *
 * PUMA_CMD_BORROWER_REMOVE_LENDER (doit, CAP_NET_ADMIN)
 *   Forget a lender: PUMA_A_ADDR_IN4, PUMA_A_PORT.  -ENOENT if unknown.
 *
 * PUMA_CMD_GET_PEERS (dumpit, unprivileged)
 *   One message per peer, each a PUMA_A_PEER nest: PUMA_PEER_A_ROLE (u8,
 *   enum puma_peer_role), PUMA_PEER_A_ADDR_IN4, PUMA_PEER_A_PORT,
 *   PUMA_PEER_A_NODE_ID (u64, 0 until known), PUMA_PEER_A_STATE (u8,
 *   enum puma_peer_state), PUMA_PEER_A_RTT_US (u32, smoothed ping round
 *   trip; lenders only), PUMA_PEER_A_STATS (nest, as PUMA_A_STATS).
 *   Peer statistics, by name:
 *     both roles:  bytes_in, bytes_out, protocol_violations;
 *     lenders:     pings, pongs, puts_sent, get_requests, get_hits,
 *                  get_misses, get_timeouts;
 *     borrowers:   puts_refused, and while this node keeps a store for
 *                  that borrower: store_pages_held (a level),
 *                  store_pages_stored, store_pages_reclaimed,
 *                  store_pages_dropped, store_refused_quota,
 *                  store_refused_nomem, store_get_hits,
 *                  store_get_misses.
 *
 * PUMA_CMD_GET_STATUS also carries PUMA_A_NODE_ID (u64) and, while the
 * node lends, PUMA_A_ADDR_IN4, PUMA_A_PORT and PUMA_A_MAX_MEMORY of its
 * listener.
 *
 * Errors are negative errnos in the netlink ack, with an extended ack
 * message where the module has something to say.
 */
#ifndef _UAPI_LINUX_PUMA_H
#define _UAPI_LINUX_PUMA_H

#define PUMA_GENL_NAME		"puma"
#define PUMA_GENL_VERSION	1

/* Kernel dev_t encoding used by PUMA_POOL_A_DEV (20 bits of minor). */
#define PUMA_DEV_MAJOR(dev)	((unsigned int)((dev) >> 20))
#define PUMA_DEV_MINOR(dev)	((unsigned int)((dev) & ((1U << 20) - 1)))

enum puma_cmd {
	PUMA_CMD_UNSPEC,
	PUMA_CMD_GET_VERSION,
	PUMA_CMD_GET_STATUS,
	PUMA_CMD_GET_POOLS,
	PUMA_CMD_LENDER_START,
	PUMA_CMD_LENDER_STOP,
	PUMA_CMD_BORROWER_ADD_LENDER,
	PUMA_CMD_BORROWER_REMOVE_LENDER,
	PUMA_CMD_GET_PEERS,

	__PUMA_CMD_MAX,
};

#define PUMA_CMD_MAX (__PUMA_CMD_MAX - 1)

enum puma_attr {
	PUMA_A_UNSPEC,
	PUMA_A_VERSION,			/* string */
	PUMA_A_GENL_VERSION,		/* u32 */
	PUMA_A_KERNEL_RELEASE,		/* string */
	PUMA_A_ENABLED,			/* u8 */
	PUMA_A_FILESYSTEMS,		/* string */
	PUMA_A_STATS,			/* nest of PUMA_A_STAT */
	PUMA_A_STAT,			/* nest: enum puma_stat_attr */
	PUMA_A_POOL,			/* nest: enum puma_pool_attr */
	PUMA_A_PAD,
	PUMA_A_NODE_ID,			/* u64 */
	PUMA_A_ADDR_IN4,		/* 4 bytes, network order */
	PUMA_A_PORT,			/* u16 */
	PUMA_A_MAX_MEMORY,		/* u64, bytes */
	PUMA_A_PEER,			/* nest: enum puma_peer_attr */

	__PUMA_A_MAX,
};

#define PUMA_A_MAX (__PUMA_A_MAX - 1)

enum puma_stat_attr {
	PUMA_STAT_A_UNSPEC,
	PUMA_STAT_A_NAME,		/* string */
	PUMA_STAT_A_VALUE,		/* u64 */
	PUMA_STAT_A_PAD,

	__PUMA_STAT_A_MAX,
};

#define PUMA_STAT_A_MAX (__PUMA_STAT_A_MAX - 1)

enum puma_pool_attr {
	PUMA_POOL_A_UNSPEC,
	PUMA_POOL_A_DEV,		/* u32 */
	PUMA_POOL_A_FSTYPE,		/* string */
	PUMA_POOL_A_ID,			/* string */
	PUMA_POOL_A_STATS,		/* nest of PUMA_A_STAT */
	PUMA_POOL_A_PAD,

	__PUMA_POOL_A_MAX,
};

#define PUMA_POOL_A_MAX (__PUMA_POOL_A_MAX - 1)

/* Smallest --max-memory a lender accepts: 16 MiB. */
#define PUMA_MAX_MEMORY_MIN	(16ULL << 20)

enum puma_peer_role {
	PUMA_PEER_LENDER = 1,		/* a lender this node borrows from */
	PUMA_PEER_BORROWER = 2,		/* a borrower this node lends to */
};

enum puma_peer_state {
	PUMA_PEER_CONNECTED = 1,
	PUMA_PEER_DISCONNECTED = 2,
};

enum puma_peer_attr {
	PUMA_PEER_A_UNSPEC,
	PUMA_PEER_A_ROLE,		/* u8 */
	PUMA_PEER_A_ADDR_IN4,		/* 4 bytes, network order */
	PUMA_PEER_A_PORT,		/* u16 */
	PUMA_PEER_A_NODE_ID,		/* u64 */
	PUMA_PEER_A_STATE,		/* u8 */
	PUMA_PEER_A_RTT_US,		/* u32 */
	PUMA_PEER_A_STATS,		/* nest of PUMA_A_STAT */
	PUMA_PEER_A_PAD,

	__PUMA_PEER_A_MAX,
};

#define PUMA_PEER_A_MAX (__PUMA_PEER_A_MAX - 1)

#endif /* _UAPI_LINUX_PUMA_H */
