/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PUMA's wire protocol, version 2: the messages a borrower and a lender
 * exchange.  Documentation/puma/protocol.rst is the specification; this
 * header is its C form.  Everything on the wire is little-endian; every
 * wire struct is packed and may sit at any alignment in a buffer.
 */
#ifndef _PUMA_PROTO_H
#define _PUMA_PROTO_H

#include <linux/bits.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/page.h>

#include "key.h"

#define PUMA_PROTO_MAGIC	0x414d5550	/* "PUMA" in wire order */
#define PUMA_PROTO_VERSION	2		/* highest spoken */
#define PUMA_PROTO_VERSION_MIN	2		/* lowest spoken */
/* Pages per PUT, GET and GET_RESP, as the original PUMA batched them. */
#define PUMA_PROTO_MAX_BATCH	32
/* Page sizes a HELLO may announce; both ends must use the same. */
#define PUMA_PROTO_PAGE_MIN	4096
#define PUMA_PROTO_PAGE_MAX	65536

/* Message types: the header's @type.  0 is never valid. */
enum puma_msg_type {
	PUMA_MSG_HELLO = 1,
	PUMA_MSG_HELLO_ACK,
	PUMA_MSG_PUT,
	PUMA_MSG_GET,
	PUMA_MSG_GET_RESP,
	PUMA_MSG_INVALIDATE_PAGES,
	PUMA_MSG_INVALIDATE_INODE,
	PUMA_MSG_INVALIDATE_POOL,
	PUMA_MSG_PING,
	PUMA_MSG_PONG,
	PUMA_MSG_BYE,
	PUMA_MSG_PUT_ACK,
	PUMA_MSG_NR
};

/* Who sends a HELLO (the borrower, who connects) and a HELLO_ACK. */
enum puma_role {
	PUMA_ROLE_BORROWER = 1,
	PUMA_ROLE_LENDER = 2,
};

/* What a connection carries: gets never wait behind a batch of puts. */
enum puma_channel {
	PUMA_CHAN_PUT = 1,	/* PUT and INVALIDATE_*, in order */
	PUMA_CHAN_GET = 2,	/* GET and GET_RESP */
};

/* HELLO_ACK status: 0 accepts, anything else refuses and closes. */
enum puma_hello_status {
	PUMA_HELLO_OK,
	PUMA_HELLO_VERSION,	/* no version both ends speak */
	PUMA_HELLO_PAGE_SIZE,	/* page sizes differ */
	PUMA_HELLO_UNUSED,	/* reserved: once refused equal node ids */
	PUMA_HELLO_BUSY,	/* the lender takes no (more) borrowers */
	PUMA_HELLO_DENIED,	/* the HELLO does not prove its session */
	PUMA_HELLO_STATUS_NR
};

/* GET_RESP status of each key. */
enum puma_get_status {
	PUMA_GET_MISS = 0,	/* not held: no page follows */
	PUMA_GET_HIT = 1,	/* a page follows */
};

/* PUT_ACK status of each key. */
enum puma_put_status {
	PUMA_PUT_REFUSED = 0,	/* not kept (quota, memory): ask no more */
	PUMA_PUT_STORED = 1,	/* kept: may be asked for from now on */
};

/* GET flags. */
#define PUMA_GET_EXCLUSIVE	BIT(0)	/* drop the pages once sent */

/* Features, negotiated as the intersection of both HELLOs. */
#define PUMA_FEAT_EXCLUSIVE	BIT_ULL(0)	/* honours PUMA_GET_EXCLUSIVE */

/*
 * Bytes of a session's secret (HELLO_ACK of its first connection) and of
 * the proof of it (HELLO of its other connections): struct puma_wire_hello
 * @auth.
 */
#define PUMA_PROTO_AUTH_LEN	16

/* BYE reasons: for the peer's log only. */
enum puma_bye_reason {
	PUMA_BYE_SHUTDOWN,	/* going away */
	PUMA_BYE_PROTOCOL,	/* the peer violated the protocol */
	PUMA_BYE_INTEGRITY,	/* a page failed its integrity check */
};

/**
 * struct puma_wire_hdr - header of every message, 16 bytes
 * @type: enum puma_msg_type
 * @flags: reserved, zero
 * @len: payload bytes after the header
 * @id: request id: PUT, PUT_ACK, GET, GET_RESP, PING and PONG carry a
 *	non-zero one (an answer carries its request's), the others zero
 */
struct puma_wire_hdr {
	__le16 type;
	__le16 flags;
	__le32 len;
	__le64 id;
} __packed;

/**
 * struct puma_wire_hello - payload of HELLO and HELLO_ACK, 56 bytes
 * @magic: PUMA_PROTO_MAGIC
 * @version: HELLO: highest version spoken; HELLO_ACK: the version chosen
 * @role: enum puma_role of the sender
 * @channel: enum puma_channel
 * @page_size: the sender's page size
 * @max_batch: most pages the sender accepts in one message
 * @status: HELLO: zero; HELLO_ACK: enum puma_hello_status
 * @node_id: the sender's node id, not zero
 * @session: chosen by the borrower for a set of connections, not zero
 * @features: PUMA_FEAT_* bits
 * @auth: HELLO: zero on a session's first connection, else the proof of
 *	the session's secret (puma_proto_hello_proof()); HELLO_ACK: the
 *	session's secret when it accepts a first connection, else zero
 */
struct puma_wire_hello {
	__le32 magic;
	__le16 version;
	u8 role;
	u8 channel;
	__le32 page_size;
	__le16 max_batch;
	__le16 status;
	__le64 node_id;
	__le64 session;
	__le64 features;
	u8 auth[PUMA_PROTO_AUTH_LEN];
} __packed;

/**
 * struct puma_wire_batch - start of PUT, PUT_ACK, GET, GET_RESP and
 * INVALIDATE_PAGES, 8 bytes
 * @count: keys (or statuses), 1 to the negotiated max_batch
 * @flags: GET: PUMA_GET_EXCLUSIVE; others: zero
 * @reserved: zero
 */
struct puma_wire_batch {
	__le16 count;
	__le16 flags;
	__le32 reserved;
} __packed;

/**
 * struct puma_wire_inode - payload of INVALIDATE_INODE, 16 bytes
 * @pool: pool id
 * @gen: inode generation
 * @ino: inode number
 */
struct puma_wire_inode {
	__le32 pool;
	__le32 gen;
	__le64 ino;
} __packed;

/**
 * struct puma_wire_u64 - payload of PING and PONG, 8 bytes
 * @val: PING: the sender's timestamp; PONG: the PING's, echoed
 */
struct puma_wire_u64 {
	__le64 val;
} __packed;

/**
 * struct puma_wire_u32 - payload of INVALIDATE_POOL and BYE, 8 bytes
 * @val: INVALIDATE_POOL: pool id; BYE: enum puma_bye_reason
 * @reserved: zero
 */
struct puma_wire_u32 {
	__le32 val;
	__le32 reserved;
} __packed;

#define PUMA_PROTO_HDR_LEN	sizeof(struct puma_wire_hdr)
/* Largest payload: a PUT of PUMA_PROTO_MAX_BATCH pages of @ps bytes. */
#define PUMA_PROTO_MAX_PAYLOAD(ps)					\
	(sizeof(struct puma_wire_batch) +				\
	 PUMA_PROTO_MAX_BATCH * (sizeof(struct puma_wire_key) + (ps)))
/* Largest message with this kernel's pages: a receive buffer's size. */
#define PUMA_PROTO_MAX_MSG	(PUMA_PROTO_HDR_LEN +			\
				 PUMA_PROTO_MAX_PAYLOAD(PAGE_SIZE))

/**
 * struct puma_hello - a HELLO or HELLO_ACK in CPU byte order
 * @version: see struct puma_wire_hello
 * @role: ditto
 * @channel: ditto
 * @page_size: ditto
 * @max_batch: ditto
 * @status: ditto
 * @node_id: ditto
 * @session: ditto
 * @features: ditto
 * @auth: ditto
 */
struct puma_hello {
	u16 version;
	u8 role;
	u8 channel;
	u32 page_size;
	u16 max_batch;
	u16 status;
	u64 node_id;
	u64 session;
	u64 features;
	u8 auth[PUMA_PROTO_AUTH_LEN];
};

/**
 * struct puma_proto_params - what one end of a connection expects
 * @version: negotiated version; 0 until the handshake is done, when only
 *	HELLO, HELLO_ACK and BYE are accepted
 * @peer: enum puma_role of the other end, known before the handshake
 * @channel: enum puma_channel, once negotiated
 * @page_size: negotiated page size
 * @max_batch: negotiated batch limit, at most PUMA_PROTO_MAX_BATCH
 * @features: negotiated PUMA_FEAT_* bits
 */
struct puma_proto_params {
	u16 version;
	u8 peer;
	u8 channel;
	u32 page_size;
	u16 max_batch;
	u64 features;
};

/**
 * struct puma_msg - a decoded message; its pointers point into the buffer
 * it was decoded from, at any alignment
 * @type: enum puma_msg_type
 * @id: request id
 * @hello: HELLO, HELLO_ACK
 * @batch: PUT, PUT_ACK, GET, GET_RESP, INVALIDATE_PAGES
 * @batch.count: number of keys (GET_RESP, PUT_ACK: statuses)
 * @batch.flags: GET flags
 * @batch.nr_pages: pages that follow: PUT: @batch.count; GET_RESP: hits
 * @batch.keys: the keys, checked (read them with puma_msg_key())
 * @batch.status: GET_RESP: @batch.count enum puma_get_status bytes;
 *	PUT_ACK: enum puma_put_status bytes, in the PUT's order
 * @batch.pages: PUT, GET_RESP: @batch.nr_pages pages, back to back
 * @inode: INVALIDATE_INODE (@inode.index is 0)
 * @pool: INVALIDATE_POOL
 * @timestamp: PING, PONG
 * @reason: BYE
 */
struct puma_msg {
	u16 type;
	u64 id;
	union {
		struct puma_hello hello;
		struct {
			unsigned int count;
			unsigned int flags;
			unsigned int nr_pages;
			const struct puma_wire_key *keys;
			const u8 *status;
			const u8 *pages;
		} batch;
		struct puma_key inode;
		u32 pool;
		u64 timestamp;
		u32 reason;
	};
};

/**
 * struct puma_batch - a batch to encode, in CPU byte order
 * @type: PUMA_MSG_PUT, PUMA_MSG_GET, PUMA_MSG_GET_RESP or
 *	PUMA_MSG_INVALIDATE_PAGES
 * @id: request id: PUT, GET (not zero), PUT_ACK, GET_RESP (the
 *	request's); others zero
 * @count: keys (GET_RESP, PUT_ACK: statuses), 1 to PUMA_PROTO_MAX_BATCH; the
 *	negotiated limit may be lower
 * @flags: GET: 0 or PUMA_GET_EXCLUSIVE (once PUMA_FEAT_EXCLUSIVE is
 *	negotiated); others: 0
 * @keys: all but GET_RESP and PUT_ACK: @count keys
 * @status: GET_RESP: @count enum puma_get_status, in the GET's order;
 *	PUT_ACK: @count enum puma_put_status, in the PUT's order
 * @pages: PUT: @count pages; GET_RESP: indexed like @status, read where
 *	it is PUMA_GET_HIT; NULL to write only the part before the pages
 * @page_size: PUT, GET_RESP: the negotiated page size
 */
struct puma_batch {
	u16 type;
	u64 id;
	unsigned int count;
	unsigned int flags;
	const struct puma_key *keys;
	const u8 *status;
	const void *const *pages;
	u32 page_size;
};

int puma_proto_header(const struct puma_proto_params *p, const void *hdr);
int puma_proto_decode(const struct puma_proto_params *p, const void *buf,
		      size_t len, struct puma_msg *msg);

int puma_proto_encode(void *buf, size_t size, const struct puma_msg *msg);
int puma_proto_batch(void *buf, size_t size, const struct puma_batch *b);

int puma_proto_accept(const struct puma_hello *local,
		      const struct puma_hello *hello, struct puma_hello *ack,
		      struct puma_proto_params *p);
int puma_proto_check_ack(const struct puma_hello *hello,
			 const struct puma_hello *ack,
			 struct puma_proto_params *p);
void puma_proto_hello_proof(const u8 *secret, const struct puma_hello *hello,
			    u8 *proof);

/**
 * puma_proto_auth_set() - whether an @auth field is not all zero
 * @auth: PUMA_PROTO_AUTH_LEN bytes
 *
 * Return: true when any byte is set.
 */
static inline bool puma_proto_auth_set(const u8 *auth)
{
	return memchr_inv(auth, 0, PUMA_PROTO_AUTH_LEN);
}

/**
 * puma_msg_key() - key @i of a decoded batch, in CPU byte order
 * @msg: a decoded PUT, GET or INVALIDATE_PAGES
 * @i: below @msg->batch.count
 * @key: output
 *
 * Cannot fail: puma_proto_decode() checked every key.
 */
static inline void puma_msg_key(const struct puma_msg *msg, unsigned int i,
				struct puma_key *key)
{
	puma_key_decode(&msg->batch.keys[i], key);
}

/**
 * puma_msg_page() - page @i of a decoded PUT or GET_RESP
 * @msg: the message
 * @i: below @msg->batch.nr_pages; in a GET_RESP, the i-th hit
 * @page_size: the negotiated page size
 *
 * Return: the page's first byte, in the receive buffer (any alignment).
 */
static inline const void *puma_msg_page(const struct puma_msg *msg,
					unsigned int i, u32 page_size)
{
	return msg->batch.pages + (size_t)i * page_size;
}

#endif /* _PUMA_PROTO_H */
