// SPDX-License-Identifier: GPL-2.0
/*
 * PUMA's wire protocol: encoding, checked decoding and the handshake
 * (proto.h; the specification is Documentation/puma/protocol.rst).
 *
 * What a peer sends is untrusted input.  The decoder reads no byte before
 * it knows the byte was received: the header first, then every length and
 * count against the bytes received, then the fields.  Each message has one
 * valid encoding: reserved fields and padding are zero and the length is
 * exactly what the content needs.  Errors:
 *
 *   -EPROTO      malformed: a length that does not match, a bad field, a
 *                reserved bit set, a message not allowed from this peer,
 *                on this channel or before the handshake
 *   -EMSGSIZE    a length or count above the limits
 *   -EBADMSG     bad magic or version in a HELLO or HELLO_ACK
 *   -EOPNOTSUPP  unknown message type
 *
 * The caller disconnects a peer on any of them.  Encoders return the bytes
 * written, -EMSGSIZE when the buffer is too small, -EINVAL for arguments
 * the peer would refuse.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/siphash.h>
#include <linux/string.h>
#include <asm/byteorder.h>

#include "proto.h"

static_assert(sizeof(struct puma_wire_hdr) == 16);
static_assert(sizeof(struct puma_wire_hello) == 56);
static_assert(sizeof(struct puma_wire_batch) == 8);
static_assert(sizeof(struct puma_wire_inode) == 16);
static_assert(sizeof(struct puma_wire_u64) == 8);
static_assert(sizeof(struct puma_wire_u32) == 8);

#define PUMA_HS		BIT(0)			/* before the handshake */
#define PUMA_PUT	BIT(PUMA_CHAN_PUT)
#define PUMA_GET	BIT(PUMA_CHAN_GET)
#define PUMA_ANY	0			/* sender: either end */
#define PUMA_BATCH	0			/* size: depends on count */

/*
 * Each type: who may send it, where (before the handshake, on which
 * channels), its payload size if fixed, whether it has a request id.
 */
static const struct {
	u8 from;
	u8 where;
	u8 size;
	bool id;
} puma_types[PUMA_MSG_NR] = {
	[PUMA_MSG_HELLO] = { PUMA_ROLE_BORROWER, PUMA_HS,
			     sizeof(struct puma_wire_hello), false },
	[PUMA_MSG_HELLO_ACK] = { PUMA_ROLE_LENDER, PUMA_HS,
				 sizeof(struct puma_wire_hello), false },
	[PUMA_MSG_PUT] = { PUMA_ROLE_BORROWER, PUMA_PUT, PUMA_BATCH, true },
	[PUMA_MSG_GET] = { PUMA_ROLE_BORROWER, PUMA_GET, PUMA_BATCH, true },
	[PUMA_MSG_GET_RESP] = { PUMA_ROLE_LENDER, PUMA_GET, PUMA_BATCH, true },
	[PUMA_MSG_INVALIDATE_PAGES] = { PUMA_ROLE_BORROWER, PUMA_PUT,
					PUMA_BATCH, false },
	[PUMA_MSG_INVALIDATE_INODE] = { PUMA_ROLE_BORROWER, PUMA_PUT,
					sizeof(struct puma_wire_inode), false },
	[PUMA_MSG_INVALIDATE_POOL] = { PUMA_ROLE_BORROWER, PUMA_PUT,
				       sizeof(struct puma_wire_u32), false },
	[PUMA_MSG_PING] = { PUMA_ANY, PUMA_PUT | PUMA_GET,
			    sizeof(struct puma_wire_u64), true },
	[PUMA_MSG_PONG] = { PUMA_ANY, PUMA_PUT | PUMA_GET,
			    sizeof(struct puma_wire_u64), true },
	[PUMA_MSG_BYE] = { PUMA_ANY, PUMA_HS | PUMA_PUT | PUMA_GET,
			   sizeof(struct puma_wire_u32), false },
	[PUMA_MSG_PUT_ACK] = { PUMA_ROLE_LENDER, PUMA_PUT, PUMA_BATCH, true },
};

/* Batches that carry a status byte per key instead of the keys. */
static bool puma_has_status(unsigned int type)
{
	return type == PUMA_MSG_GET_RESP || type == PUMA_MSG_PUT_ACK;
}

static bool puma_page_size_ok(u32 size)
{
	return is_power_of_2(size) && size >= PUMA_PROTO_PAGE_MIN &&
	       size <= PUMA_PROTO_PAGE_MAX;
}

/* The negotiated batch limit, never above the protocol's. */
static unsigned int puma_max_batch(const struct puma_proto_params *p)
{
	return min_t(unsigned int, p->max_batch, PUMA_PROTO_MAX_BATCH);
}

/* Payload bytes of a batch of @count keys (or statuses) and @pages pages. */
static size_t puma_batch_len(unsigned int type, unsigned int count,
			     unsigned int pages, u32 page_size)
{
	size_t len = sizeof(struct puma_wire_batch) + (size_t)pages * page_size;

	if (puma_has_status(type))
		return len + ALIGN(count, 8);
	return len + count * sizeof(struct puma_wire_key);
}

/**
 * puma_proto_header() - check a message header on its own
 * @p: this end of the connection
 * @hdr: PUMA_PROTO_HDR_LEN bytes as received
 *
 * For a receive loop that reads the header, then the payload: the length
 * is checked against the type's limits before anything is allocated.
 *
 * Return: the payload length, or a negative errno (see proto.c).
 */
int puma_proto_header(const struct puma_proto_params *p, const void *hdr)
{
	const struct puma_wire_hdr *h = hdr;
	unsigned int type = le16_to_cpu(h->type);
	u32 len = le32_to_cpu(h->len);
	size_t min, max;

	if (!type || type >= PUMA_MSG_NR)
		return -EOPNOTSUPP;
	if (le16_to_cpu(h->flags))
		return -EPROTO;
	if (!(puma_types[type].where & (p->version ? BIT(p->channel) : PUMA_HS)))
		return -EPROTO;
	if (puma_types[type].from != PUMA_ANY &&
	    puma_types[type].from != p->peer)
		return -EPROTO;
	if (puma_types[type].id != !!le64_to_cpu(h->id))
		return -EPROTO;
	if (puma_types[type].size) {
		min = puma_types[type].size;
		max = min;
	} else {
		bool paged = type == PUMA_MSG_PUT || type == PUMA_MSG_GET_RESP;

		min = puma_batch_len(type, 1, type == PUMA_MSG_PUT,
				     p->page_size);
		max = puma_batch_len(type, puma_max_batch(p),
				     paged ? puma_max_batch(p) : 0,
				     p->page_size);
	}
	if (len > max)
		return -EMSGSIZE;
	if (len < min)
		return -EPROTO;
	return len;
}

static int puma_decode_hello(unsigned int type, const struct puma_wire_hello *w,
			     struct puma_hello *h)
{
	h->version = le16_to_cpu(w->version);
	h->role = w->role;
	h->channel = w->channel;
	h->page_size = le32_to_cpu(w->page_size);
	h->max_batch = le16_to_cpu(w->max_batch);
	h->status = le16_to_cpu(w->status);
	h->node_id = le64_to_cpu(w->node_id);
	h->session = le64_to_cpu(w->session);
	h->features = le64_to_cpu(w->features);
	memcpy(h->auth, w->auth, sizeof(h->auth));

	if (le32_to_cpu(w->magic) != PUMA_PROTO_MAGIC || !h->version)
		return -EBADMSG;
	if (h->role != (type == PUMA_MSG_HELLO ? PUMA_ROLE_BORROWER :
						 PUMA_ROLE_LENDER))
		return -EPROTO;
	if (h->channel != PUMA_CHAN_PUT && h->channel != PUMA_CHAN_GET)
		return -EPROTO;
	if (!puma_page_size_ok(h->page_size) || !h->max_batch ||
	    !h->node_id || !h->session)
		return -EPROTO;
	if (type == PUMA_MSG_HELLO ? h->status :
				     h->status >= PUMA_HELLO_STATUS_NR)
		return -EPROTO;
	/* A refusal hands out no secret. */
	if (type == PUMA_MSG_HELLO_ACK && h->status &&
	    puma_proto_auth_set(h->auth))
		return -EPROTO;
	return 0;
}

static int puma_decode_batch(const struct puma_proto_params *p,
			     unsigned int type, const void *payload,
			     size_t len, struct puma_msg *m)
{
	const struct puma_wire_batch *b = payload;
	unsigned int count = le16_to_cpu(b->count);
	unsigned int flags = le16_to_cpu(b->flags);
	const u8 *rest = payload + sizeof(*b);
	unsigned int i, pages = 0;
	struct puma_key key;

	if (!count)
		return -EPROTO;
	if (count > puma_max_batch(p))
		return -EMSGSIZE;
	if (le32_to_cpu(b->reserved))
		return -EPROTO;
	if (flags && (type != PUMA_MSG_GET || flags != PUMA_GET_EXCLUSIVE ||
		      !(p->features & PUMA_FEAT_EXCLUSIVE)))
		return -EPROTO;

	if (puma_has_status(type)) {
		if (len < puma_batch_len(type, count, 0, p->page_size))
			return -EPROTO;
		/* PUMA_GET_HIT and PUMA_PUT_STORED are both 1. */
		for (i = 0; i < ALIGN(count, 8); i++) {
			if (i < count ? rest[i] > PUMA_GET_HIT : rest[i])
				return -EPROTO;
			pages += i < count && rest[i] == PUMA_GET_HIT &&
				 type == PUMA_MSG_GET_RESP;
		}
		m->batch.status = rest;
		rest += ALIGN(count, 8);
	} else if (type == PUMA_MSG_PUT) {
		pages = count;
	}
	if (len != puma_batch_len(type, count, pages, p->page_size))
		return -EPROTO;
	if (!puma_has_status(type)) {
		m->batch.keys = (const struct puma_wire_key *)rest;
		for (i = 0; i < count; i++)
			if (puma_key_decode(&m->batch.keys[i], &key))
				return -EPROTO;
		rest += count * sizeof(struct puma_wire_key);
	}
	m->batch.count = count;
	m->batch.flags = flags;
	m->batch.nr_pages = pages;
	m->batch.pages = pages ? rest : NULL;
	return 0;
}

/**
 * puma_proto_decode() - check and decode one message
 * @p: this end of the connection
 * @buf: the message as received, header included
 * @len: bytes in @buf: exactly one message
 * @msg: output, written only on success; its pointers point into @buf
 *
 * Context: any; reads only [@buf, @buf + @len).
 * Return: 0, or a negative errno (see proto.c).
 */
int puma_proto_decode(const struct puma_proto_params *p, const void *buf,
		      size_t len, struct puma_msg *msg)
{
	const struct puma_wire_hdr *hdr = buf;
	const void *payload = buf + PUMA_PROTO_HDR_LEN;
	const struct puma_wire_inode *inode = payload;
	const struct puma_wire_u32 *w32 = payload;
	const struct puma_wire_u64 *w64 = payload;
	struct puma_msg m = { };
	int plen, err = 0;

	if (len < PUMA_PROTO_HDR_LEN)
		return -EPROTO;
	plen = puma_proto_header(p, buf);
	if (plen < 0)
		return plen;
	if (len - PUMA_PROTO_HDR_LEN != plen)
		return -EPROTO;
	m.type = le16_to_cpu(hdr->type);
	m.id = le64_to_cpu(hdr->id);

	switch (m.type) {
	case PUMA_MSG_HELLO:
	case PUMA_MSG_HELLO_ACK:
		err = puma_decode_hello(m.type, payload, &m.hello);
		break;
	case PUMA_MSG_PUT:
	case PUMA_MSG_GET:
	case PUMA_MSG_GET_RESP:
	case PUMA_MSG_INVALIDATE_PAGES:
	case PUMA_MSG_PUT_ACK:
		err = puma_decode_batch(p, m.type, payload, plen, &m);
		break;
	case PUMA_MSG_INVALIDATE_INODE:
		m.inode.pool = le32_to_cpu(inode->pool);
		m.inode.gen = le32_to_cpu(inode->gen);
		m.inode.ino = le64_to_cpu(inode->ino);
		break;
	case PUMA_MSG_INVALIDATE_POOL:
	case PUMA_MSG_BYE:
		if (le32_to_cpu(w32->reserved))
			err = -EPROTO;
		m.pool = le32_to_cpu(w32->val);
		m.reason = m.pool;
		break;
	case PUMA_MSG_PING:
	case PUMA_MSG_PONG:
		m.timestamp = le64_to_cpu(w64->val);
		break;
	}
	if (err)
		return err;
	*msg = m;
	return 0;
}

/* Write a header; the payload's start, or NULL when @need bytes do not fit. */
static void *puma_start(void *buf, size_t size, size_t need,
			unsigned int type, u64 id, size_t len)
{
	struct puma_wire_hdr *hdr = buf;

	if (size < need)
		return NULL;
	hdr->type = cpu_to_le16(type);
	hdr->flags = 0;
	hdr->len = cpu_to_le32(len);
	hdr->id = cpu_to_le64(id);
	return hdr + 1;
}

static void puma_encode_hello(struct puma_wire_hello *w,
			      const struct puma_hello *h)
{
	w->magic = cpu_to_le32(PUMA_PROTO_MAGIC);
	w->version = cpu_to_le16(h->version);
	w->role = h->role;
	w->channel = h->channel;
	w->page_size = cpu_to_le32(h->page_size);
	w->max_batch = cpu_to_le16(h->max_batch);
	w->status = cpu_to_le16(h->status);
	w->node_id = cpu_to_le64(h->node_id);
	w->session = cpu_to_le64(h->session);
	w->features = cpu_to_le64(h->features);
	memcpy(w->auth, h->auth, sizeof(w->auth));
}

/**
 * puma_proto_encode() - encode a message of a fixed size
 * @buf: output
 * @size: bytes available at @buf
 * @msg: @type and @id, and the content that type carries: HELLO and
 *	HELLO_ACK (magic added here), INVALIDATE_INODE, INVALIDATE_POOL,
 *	PING, PONG and BYE.  Batches go through puma_proto_batch().
 *
 * Return: bytes written; -EMSGSIZE; -EINVAL for a batch or unknown type, or
 * a request id where the type needs none or none where it needs one.
 */
int puma_proto_encode(void *buf, size_t size, const struct puma_msg *msg)
{
	unsigned int type = msg->type;
	struct puma_wire_inode *inode;
	struct puma_wire_u32 *w32;
	struct puma_wire_u64 *w64;
	size_t len;
	void *out;

	if (!type || type >= PUMA_MSG_NR || !puma_types[type].size ||
	    puma_types[type].id != !!msg->id)
		return -EINVAL;
	len = puma_types[type].size;
	out = puma_start(buf, size, PUMA_PROTO_HDR_LEN + len, type, msg->id,
			 len);
	if (!out)
		return -EMSGSIZE;
	inode = out;
	w32 = out;
	w64 = out;
	switch (type) {
	case PUMA_MSG_HELLO:
	case PUMA_MSG_HELLO_ACK:
		puma_encode_hello(out, &msg->hello);
		break;
	case PUMA_MSG_INVALIDATE_INODE:
		inode->pool = cpu_to_le32(msg->inode.pool);
		inode->gen = cpu_to_le32(msg->inode.gen);
		inode->ino = cpu_to_le64(msg->inode.ino);
		break;
	case PUMA_MSG_INVALIDATE_POOL:
	case PUMA_MSG_BYE:
		w32->val = cpu_to_le32(type == PUMA_MSG_BYE ? msg->reason :
							      msg->pool);
		w32->reserved = 0;
		break;
	case PUMA_MSG_PING:
	case PUMA_MSG_PONG:
		w64->val = cpu_to_le64(msg->timestamp);
		break;
	}
	return PUMA_PROTO_HDR_LEN + len;
}

/**
 * puma_proto_batch() - encode a PUT, GET, GET_RESP or INVALIDATE_PAGES
 * @buf: output
 * @size: bytes available at @buf
 * @b: the batch; with @b->pages NULL only the part before the pages is
 *	written, and the caller sends the pages after it
 *
 * Return: bytes written; -EMSGSIZE; -EINVAL for arguments the peer would
 * refuse (see struct puma_batch).
 */
int puma_proto_batch(void *buf, size_t size, const struct puma_batch *b)
{
	unsigned int i, pages = b->type == PUMA_MSG_PUT ? b->count : 0;
	bool paged = b->type == PUMA_MSG_PUT || b->type == PUMA_MSG_GET_RESP;
	struct puma_wire_batch *wb;
	size_t len, need;
	u8 *out;

	if (!b->type || b->type >= PUMA_MSG_NR || puma_types[b->type].size ||
	    puma_types[b->type].id != !!b->id || !b->count ||
	    b->count > PUMA_PROTO_MAX_BATCH ||
	    (paged && !puma_page_size_ok(b->page_size)) ||
	    b->flags & ~(b->type == PUMA_MSG_GET ? PUMA_GET_EXCLUSIVE : 0) ||
	    (puma_has_status(b->type) ? !b->status : !b->keys))
		return -EINVAL;
	for (i = 0; !puma_has_status(b->type) && i < b->count; i++)
		if (b->keys[i].index > PUMA_KEY_INDEX_MAX)
			return -EINVAL;
	for (i = 0; puma_has_status(b->type) && i < b->count; i++) {
		if (b->status[i] > PUMA_GET_HIT)
			return -EINVAL;
		pages += b->status[i] == PUMA_GET_HIT &&
			 b->type == PUMA_MSG_GET_RESP;
	}
	len = puma_batch_len(b->type, b->count, pages, b->page_size);
	need = PUMA_PROTO_HDR_LEN +
	       (b->pages ? len : puma_batch_len(b->type, b->count, 0, 0));
	wb = puma_start(buf, size, need, b->type, b->id, len);
	if (!wb)
		return -EMSGSIZE;
	wb->count = cpu_to_le16(b->count);
	wb->flags = cpu_to_le16(b->flags);
	wb->reserved = 0;
	out = (u8 *)(wb + 1);
	if (puma_has_status(b->type)) {
		memcpy(out, b->status, b->count);
		memset(out + b->count, 0, ALIGN(b->count, 8) - b->count);
		out += ALIGN(b->count, 8);
	}
	for (i = 0; !puma_has_status(b->type) && i < b->count; i++) {
		puma_key_encode(&b->keys[i], (struct puma_wire_key *)out);
		out += sizeof(struct puma_wire_key);
	}
	for (i = 0; paged && b->pages && i < b->count; i++) {
		if (b->type == PUMA_MSG_GET_RESP &&
		    b->status[i] != PUMA_GET_HIT)
			continue;
		memcpy(out, b->pages[i], b->page_size);
		out += b->page_size;
	}
	return need;
}

static void puma_params(const struct puma_hello *ack, u8 peer,
			struct puma_proto_params *p)
{
	*p = (struct puma_proto_params) {
		.version = ack->version,
		.peer = peer,
		.channel = ack->channel,
		.page_size = ack->page_size,
		.max_batch = ack->max_batch,
		.features = ack->features,
	};
}

/**
 * puma_proto_accept() - a lender's answer to a HELLO
 * @local: what this lender speaks: @version (highest), @page_size,
 *	@max_batch, @node_id, @features; the other fields are ignored
 * @hello: the HELLO received, decoded
 * @ack: output: the HELLO_ACK to send, whatever the result
 * @p: output, on success: the connection's parameters
 *
 * The lower version wins if this end speaks it; the page sizes must be
 * equal; batch limit and features are the smaller of the two offers.  A
 * lender that wants no more borrowers sets @ack->status to
 * PUMA_HELLO_BUSY itself.  Which session the HELLO belongs to and whether
 * it proves it is the lender's to decide (lender.c): @ack->auth is zero
 * here, and the lender puts the session's secret there when it accepts a
 * session's first connection, or refuses with PUMA_HELLO_DENIED.
 *
 * Return: 0, or -ECONNREFUSED: send @ack, whose status says why, and close.
 */
int puma_proto_accept(const struct puma_hello *local,
		      const struct puma_hello *hello, struct puma_hello *ack,
		      struct puma_proto_params *p)
{
	*ack = (struct puma_hello) {
		.version = min(local->version, hello->version),
		.role = PUMA_ROLE_LENDER,
		.channel = hello->channel,
		.page_size = local->page_size,
		.max_batch = min3(local->max_batch, hello->max_batch,
				  (u16)PUMA_PROTO_MAX_BATCH),
		.node_id = local->node_id,
		.session = hello->session,
		.features = local->features & hello->features,
	};
	if (ack->version < PUMA_PROTO_VERSION_MIN)
		ack->status = PUMA_HELLO_VERSION;
	else if (hello->page_size != local->page_size)
		ack->status = PUMA_HELLO_PAGE_SIZE;
	if (ack->status)
		return -ECONNREFUSED;
	puma_params(ack, PUMA_ROLE_BORROWER, p);
	return 0;
}

/**
 * puma_proto_check_ack() - a borrower's check of the HELLO_ACK
 * @hello: the HELLO this borrower sent
 * @ack: the HELLO_ACK received, decoded
 * @p: output, on success: the connection's parameters
 *
 * Return: 0; -ECONNREFUSED when the lender refused (@ack->status says
 * why); -EPROTO when the answer breaks the negotiation rules (a version
 * above ours, another page size, channel or session, a larger batch
 * limit, features not offered, no secret in answer to a session's first
 * HELLO (@hello->auth zero), a secret in answer to a later one).  A node
 * may pair with itself (both roles in one module, over loopback): node ids
 * may be equal.
 */
int puma_proto_check_ack(const struct puma_hello *hello,
			 const struct puma_hello *ack,
			 struct puma_proto_params *p)
{
	if (ack->status)
		return -ECONNREFUSED;
	if (ack->version > hello->version ||
	    ack->version < PUMA_PROTO_VERSION_MIN ||
	    ack->page_size != hello->page_size ||
	    ack->channel != hello->channel || ack->session != hello->session ||
	    ack->max_batch > min_t(u16, hello->max_batch,
				   PUMA_PROTO_MAX_BATCH) ||
	    ack->features & ~hello->features ||
	    puma_proto_auth_set(hello->auth) == puma_proto_auth_set(ack->auth))
		return -EPROTO;
	puma_params(ack, PUMA_ROLE_LENDER, p);
	return 0;
}

/**
 * puma_proto_hello_proof() - the proof of a session's secret for a HELLO
 * @secret: the session's secret, PUMA_PROTO_AUTH_LEN bytes, from the
 *	HELLO_ACK of its first connection
 * @hello: the HELLO of another connection of that session; its @auth is
 *	ignored
 * @proof: output, PUMA_PROTO_AUTH_LEN bytes, for @hello->auth
 *
 * The proof is SipHash-2-4 keyed with the secret over the HELLO's payload
 * as sent, its auth field zero, prefixed with one byte: 1 for the proof's
 * first 8 bytes, 2 for the next 8 (each little-endian).  It binds the
 * secret to the node id, session, channel and every negotiated offer of
 * that HELLO, and never shows the secret on the wire.
 *
 * Context: any.
 */
void puma_proto_hello_proof(const u8 *secret, const struct puma_hello *hello,
			    u8 *proof)
{
	u8 buf[1 + sizeof(struct puma_wire_hello)];
	__le64 words[PUMA_PROTO_AUTH_LEN / sizeof(__le64)];
	struct puma_hello h = *hello;
	siphash_key_t key;
	unsigned int i;

	static_assert(ARRAY_SIZE(words) == ARRAY_SIZE(key.key));
	memcpy(words, secret, sizeof(words));
	for (i = 0; i < ARRAY_SIZE(words); i++)
		key.key[i] = le64_to_cpu(words[i]);
	memset(h.auth, 0, sizeof(h.auth));
	puma_encode_hello((struct puma_wire_hello *)(buf + 1), &h);
	for (i = 0; i < ARRAY_SIZE(words); i++) {
		buf[0] = i + 1;
		words[i] = cpu_to_le64(siphash(buf, sizeof(buf), &key));
	}
	memcpy(proof, words, sizeof(words));
	memzero_explicit(&key, sizeof(key));
}
