// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for puma/proto.c: the wire protocol.
 *
 * Every malformed message must be rejected with its errno and none may be
 * read out of bounds: the decoder is fed buffers allocated to the exact
 * length received, so that KASAN reports any byte read past the end.  A
 * message the decoder accepts must be the one encoding of what it decoded
 * to: re-encoding gives back the same bytes.
 */
#include "../../puma/proto.c"

#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>

/* The four ends of a borrower-lender pair, and both before the handshake. */
static const struct puma_proto_params lender_put = {
	.version = 2, .peer = PUMA_ROLE_BORROWER, .channel = PUMA_CHAN_PUT,
	.page_size = PAGE_SIZE, .max_batch = PUMA_PROTO_MAX_BATCH,
	.features = PUMA_FEAT_EXCLUSIVE,
};

static const struct puma_proto_params lender_get = {
	.version = 2, .peer = PUMA_ROLE_BORROWER, .channel = PUMA_CHAN_GET,
	.page_size = PAGE_SIZE, .max_batch = PUMA_PROTO_MAX_BATCH,
	.features = PUMA_FEAT_EXCLUSIVE,
};

static const struct puma_proto_params borrower_put = {
	.version = 2, .peer = PUMA_ROLE_LENDER, .channel = PUMA_CHAN_PUT,
	.page_size = PAGE_SIZE, .max_batch = PUMA_PROTO_MAX_BATCH,
	.features = PUMA_FEAT_EXCLUSIVE,
};

static const struct puma_proto_params borrower_get = {
	.version = 2, .peer = PUMA_ROLE_LENDER, .channel = PUMA_CHAN_GET,
	.page_size = PAGE_SIZE, .max_batch = PUMA_PROTO_MAX_BATCH,
	.features = PUMA_FEAT_EXCLUSIVE,
};

static const struct puma_proto_params lender_hs = {
	.peer = PUMA_ROLE_BORROWER,
};

static const struct puma_proto_params borrower_hs = {
	.peer = PUMA_ROLE_LENDER,
};

static const struct puma_proto_params *const all_params[] = {
	&lender_put, &lender_get, &borrower_put, &borrower_get,
	&lender_hs, &borrower_hs,
};

/* Where each type is received. */
static const struct puma_proto_params *params_for(unsigned int type)
{
	switch (type) {
	case PUMA_MSG_HELLO:
		return &lender_hs;
	case PUMA_MSG_HELLO_ACK:
		return &borrower_hs;
	case PUMA_MSG_GET:
		return &lender_get;
	case PUMA_MSG_GET_RESP:
		return &borrower_get;
	case PUMA_MSG_PUT_ACK:
		return &borrower_put;
	default:
		return &lender_put;
	}
}

static const struct puma_hello sample_hello = {
	.version = 2, .role = PUMA_ROLE_BORROWER, .channel = PUMA_CHAN_PUT,
	.page_size = PAGE_SIZE, .max_batch = 32, .node_id = 0x1122334455667788,
	.session = 0x99aabbccddeeff01, .features = PUMA_FEAT_EXCLUSIVE | BIT(9),
};

/* Per test: the pages of PUMA_PROTO_MAX_BATCH samples and a buffer. */
struct proto_ctx {
	u8 *pages[PUMA_PROTO_MAX_BATCH];
	struct puma_key keys[PUMA_PROTO_MAX_BATCH];
	u8 status[PUMA_PROTO_MAX_BATCH];
	u8 *buf;
};

static int proto_test_init(struct kunit *test)
{
	struct proto_ctx *ctx;
	unsigned int i;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->buf = kunit_kmalloc(test, PUMA_PROTO_MAX_MSG, GFP_KERNEL);
	if (!ctx->buf)
		return -ENOMEM;
	for (i = 0; i < PUMA_PROTO_MAX_BATCH; i++) {
		ctx->pages[i] = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
		if (!ctx->pages[i])
			return -ENOMEM;
		memset(ctx->pages[i], 0xa0 + i, PAGE_SIZE);
		ctx->pages[i][0] = i;
		ctx->keys[i] = (struct puma_key){ .pool = 1, .gen = 2 + i,
						  .ino = 1000 + i,
						  .index = 100 * i };
		ctx->status[i] = i % 3 ? PUMA_GET_HIT : PUMA_GET_MISS;
	}
	test->priv = ctx;
	return 0;
}

/* A valid message of @type with @count entries (batches) in @buf. */
static int proto_sample(struct proto_ctx *ctx, unsigned int type,
			unsigned int count, void *buf, size_t size)
{
	struct puma_batch b = {
		.type = type, .count = count, .keys = ctx->keys,
		.pages = (const void *const *)ctx->pages,
		.page_size = PAGE_SIZE,
	};
	struct puma_msg m = { .type = type };

	switch (type) {
	case PUMA_MSG_HELLO:
		m.hello = sample_hello;
		break;
	case PUMA_MSG_HELLO_ACK:
		m.hello = sample_hello;
		m.hello.role = PUMA_ROLE_LENDER;
		m.hello.node_id = 0x5555;
		m.hello.status = PUMA_HELLO_BUSY;
		break;
	case PUMA_MSG_GET:
		b.flags = count & 1 ? PUMA_GET_EXCLUSIVE : 0;
		fallthrough;
	case PUMA_MSG_GET_RESP:
		b.id = 0x42;
		b.status = ctx->status;
		return puma_proto_batch(buf, size, &b);
	case PUMA_MSG_PUT_ACK:
		b.id = 0x44;
		b.status = ctx->status;
		return puma_proto_batch(buf, size, &b);
	case PUMA_MSG_PUT:
		b.id = 0x43;
		fallthrough;
	case PUMA_MSG_INVALIDATE_PAGES:
		return puma_proto_batch(buf, size, &b);
	case PUMA_MSG_INVALIDATE_INODE:
		m.inode.pool = 7;
		m.inode.gen = 3;
		m.inode.ino = 1ULL << 40;
		break;
	case PUMA_MSG_INVALIDATE_POOL:
		m.pool = 0xfffffffe;
		break;
	case PUMA_MSG_PING:
	case PUMA_MSG_PONG:
		m.id = U64_MAX;
		m.timestamp = 123456789;
		break;
	case PUMA_MSG_BYE:
		m.reason = PUMA_BYE_PROTOCOL;
		break;
	}
	return puma_proto_encode(buf, size, &m);
}

/* Encode @msg again, as its sender would have. */
static int proto_reencode(const struct puma_msg *msg, void *buf, size_t size)
{
	const void *pages[PUMA_PROTO_MAX_BATCH] = { };
	struct puma_key keys[PUMA_PROTO_MAX_BATCH];
	struct puma_batch b = {
		.type = msg->type, .id = msg->id, .pages = pages,
		.page_size = PAGE_SIZE,
	};
	unsigned int i, hit = 0;

	if (puma_types[msg->type].size)
		return puma_proto_encode(buf, size, msg);
	b.count = msg->batch.count;
	b.flags = msg->batch.flags;
	b.status = msg->batch.status;
	if (msg->batch.keys)
		b.keys = keys;
	for (i = 0; msg->batch.keys && i < b.count; i++)
		puma_msg_key(msg, i, &keys[i]);
	for (i = 0; msg->batch.nr_pages && i < b.count; i++)
		if (!b.status || b.status[i] == PUMA_GET_HIT)
			pages[i] = puma_msg_page(msg, hit++, PAGE_SIZE);
	return puma_proto_batch(buf, size, &b);
}

/*
 * Decode @len bytes of @src from a buffer of exactly that size, so that
 * KASAN sees any read past the end.  An accepted message must re-encode to
 * the same bytes.  Returns what the decoder returned.
 */
static int proto_decode_exact(struct kunit *test,
			      const struct puma_proto_params *p,
			      const void *src, size_t len,
			      struct puma_msg *msg)
{
	struct proto_ctx *ctx = test->priv;
	struct puma_msg m;
	void *copy;
	int ret, n;

	copy = kmalloc(len ? len : 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	memcpy(copy, src, len);
	ret = puma_proto_decode(p, copy, len, &m);
	if (!ret) {
		n = proto_reencode(&m, ctx->buf, PUMA_PROTO_MAX_MSG);
		KUNIT_EXPECT_EQ(test, n, (int)len);
		if (n == (int)len)
			KUNIT_EXPECT_EQ_MSG(test, memcmp(ctx->buf, copy, len),
					    0, "type %u re-encodes otherwise",
					    m.type);
		if (msg)
			*msg = m;
	}
	kfree(copy);
	return ret;
}

/* 16 + 56 + 8 + 16 + 8 + 8 bytes, no padding. */
static void proto_layout_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, PUMA_PROTO_HDR_LEN, (size_t)16);
	KUNIT_EXPECT_EQ(test, offsetof(struct puma_wire_hdr, len), (size_t)4);
	KUNIT_EXPECT_EQ(test, offsetof(struct puma_wire_hdr, id), (size_t)8);
	KUNIT_EXPECT_EQ(test, sizeof(struct puma_wire_hello), (size_t)56);
	KUNIT_EXPECT_EQ(test, offsetof(struct puma_wire_hello, page_size),
			(size_t)8);
	KUNIT_EXPECT_EQ(test, offsetof(struct puma_wire_hello, node_id),
			(size_t)16);
	KUNIT_EXPECT_EQ(test, offsetof(struct puma_wire_hello, features),
			(size_t)32);
	KUNIT_EXPECT_EQ(test, offsetof(struct puma_wire_hello, auth),
			(size_t)40);
	KUNIT_EXPECT_EQ(test, PUMA_PROTO_AUTH_LEN, 16);
	KUNIT_EXPECT_EQ(test, sizeof(struct puma_wire_batch), (size_t)8);
	KUNIT_EXPECT_EQ(test, sizeof(struct puma_wire_inode), (size_t)16);
	KUNIT_EXPECT_EQ(test, PUMA_PROTO_MAX_PAYLOAD(4096), (size_t)131848);
	KUNIT_EXPECT_EQ(test, PUMA_PROTO_MAX_MSG,
			16 + 8 + 32 * (24 + PAGE_SIZE));
}

/* The header, byte by byte: a PING. */
static void proto_header_bytes_test(struct kunit *test)
{
	static const u8 want[24] = {
		0x09, 0x00, 0x00, 0x00,				/* PING, flags */
		0x08, 0x00, 0x00, 0x00,				/* len */
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,	/* id */
		0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,	/* timestamp */
	};
	struct puma_msg msg = {
		.type = PUMA_MSG_PING, .id = 0x1817161514131211ULL,
		.timestamp = 0x2827262524232221ULL,
	};
	struct proto_ctx *ctx = test->priv;

	memset(ctx->buf, 0xee, 32);
	KUNIT_ASSERT_EQ(test, puma_proto_encode(ctx->buf, 32, &msg), 24);
	KUNIT_EXPECT_EQ(test, memcmp(ctx->buf, want, sizeof(want)), 0);
	KUNIT_EXPECT_EQ(test, ctx->buf[24], 0xee);

	KUNIT_ASSERT_EQ(test, proto_decode_exact(test, &lender_put, want,
						 sizeof(want), &msg), 0);
	KUNIT_EXPECT_EQ(test, msg.type, PUMA_MSG_PING);
	KUNIT_EXPECT_EQ(test, msg.id, 0x1817161514131211ULL);
	KUNIT_EXPECT_EQ(test, msg.timestamp, 0x2827262524232221ULL);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, want), 8);
}

/* HELLO, byte by byte, both ways: a get channel's, with its proof. */
static void proto_hello_bytes_test(struct kunit *test)
{
	static const u8 want[72] = {
		0x01, 0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00,	/* HELLO, 56 */
		0, 0, 0, 0, 0, 0, 0, 0,				/* id */
		'P', 'U', 'M', 'A',				/* magic */
		0x02, 0x00, 0x01, 0x02,		/* version, role, channel */
		0x00, 0x10, 0x00, 0x00,				/* page size */
		0x20, 0x00, 0x00, 0x00,		/* max batch, status */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,	/* node id */
		0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,	/* session */
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,	/* features */
		0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,	/* auth */
		0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
	};
	struct puma_hello hello = {
		.version = 2, .role = PUMA_ROLE_BORROWER,
		.channel = PUMA_CHAN_GET, .page_size = 4096, .max_batch = 32,
		.node_id = 0x0807060504030201ULL,
		.session = 0x100f0e0d0c0b0a09ULL,
		.features = PUMA_FEAT_EXCLUSIVE | BIT_ULL(63),
	};
	struct proto_ctx *ctx = test->priv;
	struct puma_msg msg;
	unsigned int i;

	for (i = 0; i < PUMA_PROTO_AUTH_LEN; i++)
		hello.auth[i] = 0xb0 + i;
	msg = (struct puma_msg) { .type = PUMA_MSG_HELLO, .hello = hello };
	KUNIT_ASSERT_EQ(test, puma_proto_encode(ctx->buf, 72, &msg), 72);
	KUNIT_EXPECT_EQ(test, memcmp(ctx->buf, want, sizeof(want)), 0);

	KUNIT_ASSERT_EQ(test, proto_decode_exact(test, &lender_hs, want,
						 sizeof(want), &msg), 0);
	KUNIT_EXPECT_EQ(test, msg.type, PUMA_MSG_HELLO);
	KUNIT_EXPECT_EQ(test, msg.id, 0ULL);
	KUNIT_EXPECT_EQ(test, msg.hello.version, 2);
	KUNIT_EXPECT_EQ(test, msg.hello.role, PUMA_ROLE_BORROWER);
	KUNIT_EXPECT_EQ(test, msg.hello.channel, PUMA_CHAN_GET);
	KUNIT_EXPECT_EQ(test, msg.hello.page_size, 4096U);
	KUNIT_EXPECT_EQ(test, msg.hello.max_batch, 32);
	KUNIT_EXPECT_EQ(test, msg.hello.status, 0);
	KUNIT_EXPECT_EQ(test, msg.hello.node_id, hello.node_id);
	KUNIT_EXPECT_EQ(test, msg.hello.session, hello.session);
	KUNIT_EXPECT_EQ(test, msg.hello.features, hello.features);
	KUNIT_EXPECT_EQ(test, memcmp(msg.hello.auth, hello.auth,
				     PUMA_PROTO_AUTH_LEN), 0);
}

/*
 * The proof of a session's secret: a known answer (SipHash-2-4 keyed with
 * a0..af over 01 or 02 and the HELLO above, its auth zero, computed with
 * an independent implementation), then what it depends on.
 */
static void proto_hello_proof_test(struct kunit *test)
{
	static const u8 want[PUMA_PROTO_AUTH_LEN] = {
		0xfb, 0xb3, 0x4d, 0xe3, 0xd1, 0xd5, 0x93, 0x18,
		0x8f, 0xc0, 0x9c, 0xa0, 0x30, 0x04, 0x2f, 0xcf,
	};
	const struct puma_hello hello = {
		.version = 2, .role = PUMA_ROLE_BORROWER,
		.channel = PUMA_CHAN_GET, .page_size = 4096, .max_batch = 32,
		.node_id = 0x0807060504030201ULL,
		.session = 0x100f0e0d0c0b0a09ULL,
		.features = PUMA_FEAT_EXCLUSIVE | BIT_ULL(63),
	};
	u8 secret[PUMA_PROTO_AUTH_LEN], proof[PUMA_PROTO_AUTH_LEN];
	u8 other[PUMA_PROTO_AUTH_LEN];
	struct puma_hello h;
	unsigned int i;

	for (i = 0; i < sizeof(secret); i++)
		secret[i] = 0xa0 + i;
	puma_proto_hello_proof(secret, &hello, proof);
	KUNIT_EXPECT_EQ(test, memcmp(proof, want, sizeof(want)), 0);

	/* The auth field it goes into is not part of it. */
	h = hello;
	memset(h.auth, 0x5a, sizeof(h.auth));
	puma_proto_hello_proof(secret, &h, other);
	KUNIT_EXPECT_EQ(test, memcmp(proof, other, sizeof(other)), 0);

	/* Another secret, node, session or channel: another proof. */
	secret[15] ^= 1;
	puma_proto_hello_proof(secret, &hello, other);
	KUNIT_EXPECT_NE(test, memcmp(proof, other, sizeof(other)), 0);
	secret[15] ^= 1;
	h = hello;
	h.node_id++;
	puma_proto_hello_proof(secret, &h, other);
	KUNIT_EXPECT_NE(test, memcmp(proof, other, sizeof(other)), 0);
	h = hello;
	h.session++;
	puma_proto_hello_proof(secret, &h, other);
	KUNIT_EXPECT_NE(test, memcmp(proof, other, sizeof(other)), 0);
	h = hello;
	h.channel = PUMA_CHAN_PUT;
	puma_proto_hello_proof(secret, &h, other);
	KUNIT_EXPECT_NE(test, memcmp(proof, other, sizeof(other)), 0);
}

/* Every type, decoded as sent, at every batch size. */
static void proto_roundtrip_test(struct kunit *test)
{
	struct proto_ctx *ctx = test->priv;
	unsigned int type, count, i, hits;
	struct puma_msg msg;
	struct puma_key key;
	int len;

	for (type = 1; type < PUMA_MSG_NR; type++) {
		for (count = 1; count <= PUMA_PROTO_MAX_BATCH; count++) {
			len = proto_sample(ctx, type, count, ctx->buf,
					   PUMA_PROTO_MAX_MSG);
			KUNIT_ASSERT_GT(test, len, 0);
			KUNIT_ASSERT_EQ_MSG(test,
					    proto_decode_exact(test,
							       params_for(type),
							       ctx->buf, len,
							       &msg),
					    0, "type %u count %u", type, count);
			KUNIT_EXPECT_EQ(test, msg.type, type);
			if (puma_types[type].size)
				break;
			KUNIT_EXPECT_EQ(test, msg.batch.count, count);
		}
	}

	/* Field by field, for one of each with content. */
	len = proto_sample(ctx, PUMA_MSG_PUT, 3, ctx->buf, PUMA_PROTO_MAX_MSG);
	KUNIT_ASSERT_EQ(test, puma_proto_decode(&lender_put, ctx->buf, len,
						&msg), 0);
	KUNIT_EXPECT_EQ(test, msg.batch.nr_pages, 3U);
	for (i = 0; i < 3; i++) {
		puma_msg_key(&msg, i, &key);
		KUNIT_EXPECT_EQ(test, memcmp(&key, &ctx->keys[i], sizeof(key)),
				0);
		KUNIT_EXPECT_EQ(test, memcmp(puma_msg_page(&msg, i, PAGE_SIZE),
					     ctx->pages[i], PAGE_SIZE), 0);
	}

	len = proto_sample(ctx, PUMA_MSG_GET_RESP, 7, ctx->buf,
			   PUMA_PROTO_MAX_MSG);
	KUNIT_ASSERT_EQ(test, puma_proto_decode(&borrower_get, ctx->buf, len,
						&msg), 0);
	KUNIT_EXPECT_EQ(test, msg.id, 0x42ULL);
	KUNIT_EXPECT_EQ(test, memcmp(msg.batch.status, ctx->status, 7), 0);
	for (i = 0, hits = 0; i < 7; i++) {
		if (ctx->status[i] != PUMA_GET_HIT)
			continue;
		KUNIT_EXPECT_EQ(test, memcmp(puma_msg_page(&msg, hits++,
							   PAGE_SIZE),
					     ctx->pages[i], PAGE_SIZE), 0);
	}
	KUNIT_EXPECT_EQ(test, msg.batch.nr_pages, hits);

	len = proto_sample(ctx, PUMA_MSG_INVALIDATE_INODE, 1, ctx->buf, 64);
	KUNIT_ASSERT_EQ(test, puma_proto_decode(&lender_put, ctx->buf, len,
						&msg), 0);
	KUNIT_EXPECT_EQ(test, msg.inode.pool, 7U);
	KUNIT_EXPECT_EQ(test, msg.inode.ino, 1ULL << 40);
	KUNIT_EXPECT_EQ(test, msg.inode.gen, 3U);

	len = proto_sample(ctx, PUMA_MSG_INVALIDATE_POOL, 1, ctx->buf, 64);
	KUNIT_ASSERT_EQ(test, puma_proto_decode(&lender_put, ctx->buf, len,
						&msg), 0);
	KUNIT_EXPECT_EQ(test, msg.pool, 0xfffffffeU);

	len = proto_sample(ctx, PUMA_MSG_HELLO_ACK, 1, ctx->buf, 128);
	KUNIT_ASSERT_EQ(test, puma_proto_decode(&borrower_hs, ctx->buf, len,
						&msg), 0);
	KUNIT_EXPECT_EQ(test, msg.hello.status, PUMA_HELLO_BUSY);
	KUNIT_EXPECT_EQ(test, msg.hello.node_id, 0x5555ULL);
}

/* Every prefix of every message is refused, and so is one byte more. */
static void proto_truncated_test(struct kunit *test)
{
	struct proto_ctx *ctx = test->priv;
	const struct puma_proto_params *p;
	struct puma_msg msg;
	unsigned int type;
	size_t cut;
	int len;

	for (type = 1; type < PUMA_MSG_NR; type++) {
		p = params_for(type);
		len = proto_sample(ctx, type, 3, ctx->buf, PUMA_PROTO_MAX_MSG);
		KUNIT_ASSERT_GT(test, len, 0);
		for (cut = 0; cut < len; cut++)
			KUNIT_EXPECT_EQ_MSG(test,
					    proto_decode_exact(test, p, ctx->buf,
							       cut, NULL),
					    -EPROTO, "type %u, %zu of %d bytes",
					    type, cut, len);
		ctx->buf[len] = 0;
		KUNIT_EXPECT_EQ_MSG(test, proto_decode_exact(test, p, ctx->buf,
							     len + 1, NULL),
				    -EPROTO, "type %u, one byte more", type);
	}

	/* The largest message, every prefix (in place: too many to copy). */
	len = proto_sample(ctx, PUMA_MSG_PUT, PUMA_PROTO_MAX_BATCH, ctx->buf,
			   PUMA_PROTO_MAX_MSG);
	KUNIT_ASSERT_EQ(test, len, (int)PUMA_PROTO_MAX_MSG);
	for (cut = 0; cut < len; cut++)
		if (puma_proto_decode(&lender_put, ctx->buf, cut, &msg) !=
		    -EPROTO)
			KUNIT_FAIL(test, "largest PUT cut at %zu accepted", cut);
}

static void proto_set_hdr(void *buf, unsigned int type, unsigned int flags,
			  u32 len, u64 id)
{
	struct puma_wire_hdr *hdr = buf;

	hdr->type = cpu_to_le16(type);
	hdr->flags = cpu_to_le16(flags);
	hdr->len = cpu_to_le32(len);
	hdr->id = cpu_to_le64(id);
}

/* The header alone: type, flags, direction, channel, id, length bounds. */
static void proto_header_test(struct kunit *test)
{
	static const unsigned int bad_types[] = { 0, PUMA_MSG_NR, 0x100,
						  0xffff };
	size_t put_max = PUMA_PROTO_MAX_PAYLOAD(PAGE_SIZE);
	u8 hdr[PUMA_PROTO_HDR_LEN];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_types); i++) {
		proto_set_hdr(hdr, bad_types[i], 0, 8, 0);
		KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, hdr),
				-EOPNOTSUPP);
	}
	proto_set_hdr(hdr, PUMA_MSG_BYE, 0, 8, 0);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, hdr), 8);
	for (i = 0; i < 16; i++) {
		proto_set_hdr(hdr, PUMA_MSG_BYE, BIT(i), 8, 0);
		KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, hdr),
				-EPROTO);
	}

	/* Lengths: exact for fixed types, within bounds for batches. */
	proto_set_hdr(hdr, PUMA_MSG_BYE, 0, 9, 0);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, hdr), -EMSGSIZE);
	proto_set_hdr(hdr, PUMA_MSG_BYE, 0, 7, 0);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, hdr), -EPROTO);
	proto_set_hdr(hdr, PUMA_MSG_PUT, 0, put_max, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, hdr),
			(int)put_max);
	proto_set_hdr(hdr, PUMA_MSG_PUT, 0, put_max + 1, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, hdr), -EMSGSIZE);
	proto_set_hdr(hdr, PUMA_MSG_PUT, 0, U32_MAX, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, hdr), -EMSGSIZE);
	proto_set_hdr(hdr, PUMA_MSG_PUT, 0, 8 + 24 + PAGE_SIZE - 1, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, hdr), -EPROTO);
	proto_set_hdr(hdr, PUMA_MSG_GET, 0, 8 + 32 * 24 + 1, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_get, hdr), -EMSGSIZE);
	proto_set_hdr(hdr, PUMA_MSG_GET_RESP, 0, 8 + 32 + 32 * PAGE_SIZE, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&borrower_get, hdr),
			(int)(8 + 32 + 32 * PAGE_SIZE));
	proto_set_hdr(hdr, PUMA_MSG_GET_RESP, 0, 8 + 7, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&borrower_get, hdr), -EPROTO);

	/* Request ids: required on GET, GET_RESP, PING, PONG; zero elsewhere. */
	proto_set_hdr(hdr, PUMA_MSG_GET, 0, 32, 0);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_get, hdr), -EPROTO);
	proto_set_hdr(hdr, PUMA_MSG_PING, 0, 8, 0);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_get, hdr), -EPROTO);
	proto_set_hdr(hdr, PUMA_MSG_INVALIDATE_POOL, 0, 8, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, hdr), -EPROTO);

	/* Direction: a lender never receives what lenders send. */
	proto_set_hdr(hdr, PUMA_MSG_GET_RESP, 0, 16, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_get, hdr), -EPROTO);
	proto_set_hdr(hdr, PUMA_MSG_GET, 0, 32, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&borrower_get, hdr), -EPROTO);
	proto_set_hdr(hdr, PUMA_MSG_HELLO_ACK, 0, 56, 0);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_hs, hdr), -EPROTO);
	proto_set_hdr(hdr, PUMA_MSG_HELLO, 0, 56, 0);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&borrower_hs, hdr), -EPROTO);

	/* Channels: no GET among puts, no PUT among gets. */
	proto_set_hdr(hdr, PUMA_MSG_GET, 0, 32, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, hdr), -EPROTO);
	proto_set_hdr(hdr, PUMA_MSG_PUT, 0, 32 + PAGE_SIZE, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_get, hdr), -EPROTO);
	proto_set_hdr(hdr, PUMA_MSG_INVALIDATE_POOL, 0, 8, 0);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_get, hdr), -EPROTO);

	/* Handshake: HELLO, HELLO_ACK and BYE only, and no HELLO after it. */
	proto_set_hdr(hdr, PUMA_MSG_PUT, 0, 32 + PAGE_SIZE, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_hs, hdr), -EPROTO);
	proto_set_hdr(hdr, PUMA_MSG_PING, 0, 8, 1);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_hs, hdr), -EPROTO);
	proto_set_hdr(hdr, PUMA_MSG_BYE, 0, 8, 0);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_hs, hdr), 8);
	proto_set_hdr(hdr, PUMA_MSG_HELLO, 0, 56, 0);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_hs, hdr), 56);
	/* A version 1 HELLO (40 bytes) is a violation: none are left. */
	proto_set_hdr(hdr, PUMA_MSG_HELLO, 0, 40, 0);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_hs, hdr), -EPROTO);
	proto_set_hdr(hdr, PUMA_MSG_HELLO_ACK, 0, 40, 0);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&borrower_hs, hdr), -EPROTO);
	proto_set_hdr(hdr, PUMA_MSG_HELLO, 0, 56, 0);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, hdr), -EPROTO);
}

/* Build a batch by hand: header, count, flags, reserved. */
static size_t proto_batch(u8 *buf, unsigned int type, u64 id, u16 count,
			  u16 flags, size_t payload)
{
	struct puma_wire_batch *b = (void *)(buf + PUMA_PROTO_HDR_LEN);

	memset(buf, 0, PUMA_PROTO_HDR_LEN + payload);
	proto_set_hdr(buf, type, 0, payload, id);
	b->count = cpu_to_le16(count);
	b->flags = cpu_to_le16(flags);
	return PUMA_PROTO_HDR_LEN + payload;
}

/* Counts, flags, reserved bytes, keys and statuses of batches. */
static void proto_batch_test(struct kunit *test)
{
	struct proto_ctx *ctx = test->priv;
	struct puma_proto_params small = lender_get;
	u8 *buf = ctx->buf, *st = buf + 24;
	struct puma_wire_key *key = (void *)(buf + 24);
	size_t len;

	/* A good GET of 2 keys, then one thing wrong at a time. */
	len = proto_batch(buf, PUMA_MSG_GET, 1, 2, 0, 8 + 48);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_get, buf, len,
						 NULL), 0);
	len = proto_batch(buf, PUMA_MSG_GET, 1, 0, 0, 8 + 48);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_get, buf, len,
						 NULL), -EPROTO);
	len = proto_batch(buf, PUMA_MSG_GET, 1, 3, 0, 8 + 48);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_get, buf, len,
						 NULL), -EPROTO);
	len = proto_batch(buf, PUMA_MSG_GET, 1, 1, 0, 8 + 48);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_get, buf, len,
						 NULL), -EPROTO);
	len = proto_batch(buf, PUMA_MSG_GET, 1, 33, 0, 8 + 48);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_get, buf, len,
						 NULL), -EMSGSIZE);
	len = proto_batch(buf, PUMA_MSG_GET, 1, 0xffff, 0, 8 + 48);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_get, buf, len,
						 NULL), -EMSGSIZE);
	len = proto_batch(buf, PUMA_MSG_GET, 1, 2, 0, 8 + 48);
	buf[16 + 4] = 1;				/* reserved */
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_get, buf, len,
						 NULL), -EPROTO);
	len = proto_batch(buf, PUMA_MSG_GET, 1, 2, 0, 8 + 48);
	key[1].index = cpu_to_le64(PUMA_KEY_INDEX_MAX + 1);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_get, buf, len,
						 NULL), -EPROTO);
	key[1].index = cpu_to_le64(PUMA_KEY_INDEX_MAX);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_get, buf, len,
						 NULL), 0);

	/* A negotiated limit below PUMA_PROTO_MAX_BATCH holds too. */
	small.max_batch = 4;
	len = proto_batch(buf, PUMA_MSG_GET, 1, 4, 0, 8 + 4 * 24);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &small, buf, len,
						 NULL), 0);
	len = proto_batch(buf, PUMA_MSG_GET, 1, 5, 0, 8 + 4 * 24);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &small, buf, len,
						 NULL), -EMSGSIZE);
	len = proto_batch(buf, PUMA_MSG_GET, 1, 5, 0, 8 + 5 * 24);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &small, buf, len,
						 NULL), -EMSGSIZE);

	/* Flags: exclusive GETs only, and only once negotiated. */
	len = proto_batch(buf, PUMA_MSG_GET, 1, 1, PUMA_GET_EXCLUSIVE, 32);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_get, buf, len,
						 NULL), 0);
	small.features = 0;
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &small, buf, len,
						 NULL), -EPROTO);
	len = proto_batch(buf, PUMA_MSG_GET, 1, 1, 2, 32);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_get, buf, len,
						 NULL), -EPROTO);
	len = proto_batch(buf, PUMA_MSG_INVALIDATE_PAGES, 0, 1,
			  PUMA_GET_EXCLUSIVE, 32);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_put, buf, len,
						 NULL), -EPROTO);

	/* GET_RESP: known statuses, zero padding, one page per hit. */
	len = proto_batch(buf, PUMA_MSG_GET_RESP, 1, 3, 0, 16 + PAGE_SIZE);
	st[1] = PUMA_GET_HIT;
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &borrower_get, buf, len,
						 NULL), 0);
	st[2] = 2;
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &borrower_get, buf, len,
						 NULL), -EPROTO);
	st[2] = 0;
	st[7] = 1;					/* padding */
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &borrower_get, buf, len,
						 NULL), -EPROTO);
	st[7] = 0;
	st[0] = PUMA_GET_HIT;			/* two hits, one page */
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &borrower_get, buf, len,
						 NULL), -EPROTO);
	len = proto_batch(buf, PUMA_MSG_GET_RESP, 1, 9, 0, 16);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &borrower_get, buf, len,
						 NULL), -EPROTO);
	len = proto_batch(buf, PUMA_MSG_GET_RESP, 1, 8, 0, 16);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &borrower_get, buf, len,
						 NULL), 0);

	/* PUT: one page per key, exactly. */
	len = proto_batch(buf, PUMA_MSG_PUT, 1, 2, 0, 8 + 48 + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_put, buf, len,
						 NULL), -EPROTO);
	len = proto_batch(buf, PUMA_MSG_PUT, 1, 1, 0, 8 + 24 + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_put, buf, len,
						 NULL), 0);
}

/* The fixed-size messages: reserved bytes. */
static void proto_fixed_test(struct kunit *test)
{
	struct puma_msg msg = { .type = PUMA_MSG_BYE };
	struct proto_ctx *ctx = test->priv;
	u8 *buf = ctx->buf;
	int len;

	len = puma_proto_encode(buf, 64, &msg);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &borrower_hs, buf, len,
						 NULL), 0);
	buf[len - 1] = 1;
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &borrower_hs, buf, len,
						 NULL), -EPROTO);
	msg.type = PUMA_MSG_INVALIDATE_POOL;
	msg.pool = 3;
	len = puma_proto_encode(buf, 64, &msg);
	buf[len - 4] = 0x80;
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_put, buf, len,
						 NULL), -EPROTO);
	/* Any timestamp, any reason, any pool: they are data. */
	msg.type = PUMA_MSG_BYE;
	msg.reason = U32_MAX;
	len = puma_proto_encode(buf, 64, &msg);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &lender_get, buf, len,
						 NULL), 0);
	msg.type = PUMA_MSG_PONG;
	msg.id = 1;
	msg.timestamp = 0;
	len = puma_proto_encode(buf, 64, &msg);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &borrower_get, buf, len,
						 NULL), 0);
}

#define HW(field)	offsetof(struct puma_wire_hello, field)

/* Every HELLO field is checked; an unknown version or feature is not bad. */
static void proto_hello_test(struct kunit *test)
{
	static const struct {
		bool ack;
		u8 off;
		u8 size;
		u64 val;
		int err;
	} fields[] = {
		{ false, HW(magic), 4, 1, -EBADMSG },
		{ true, HW(magic), 4, 0x50554d41, -EBADMSG },	/* "AMUP" */
		{ false, HW(version), 2, 0, -EBADMSG },
		{ true, HW(version), 2, 0, -EBADMSG },
		{ false, HW(version), 2, 2, 0 },
		{ false, HW(version), 2, 0xffff, 0 },
		{ false, HW(role), 1, PUMA_ROLE_LENDER, -EPROTO },
		{ true, HW(role), 1, PUMA_ROLE_BORROWER, -EPROTO },
		{ false, HW(role), 1, 0, -EPROTO },
		{ false, HW(role), 1, 3, -EPROTO },
		{ false, HW(channel), 1, 0, -EPROTO },
		{ false, HW(channel), 1, 3, -EPROTO },
		{ true, HW(channel), 1, 0xff, -EPROTO },
		{ false, HW(channel), 1, PUMA_CHAN_GET, 0 },
		{ false, HW(page_size), 4, 0, -EPROTO },
		{ false, HW(page_size), 4, 2048, -EPROTO },
		{ false, HW(page_size), 4, 4095, -EPROTO },
		{ false, HW(page_size), 4, 6144, -EPROTO },
		{ false, HW(page_size), 4, 131072, -EPROTO },
		{ false, HW(page_size), 4, 0x80000000, -EPROTO },
		{ false, HW(page_size), 4, 65536, 0 },
		{ true, HW(page_size), 4, 16384, 0 },
		{ false, HW(max_batch), 2, 0, -EPROTO },
		{ true, HW(max_batch), 2, 0, -EPROTO },
		{ false, HW(max_batch), 2, 0xffff, 0 },
		{ false, HW(status), 2, 1, -EPROTO },
		{ true, HW(status), 2, PUMA_HELLO_BUSY, 0 },
		{ true, HW(status), 2, PUMA_HELLO_STATUS_NR, -EPROTO },
		{ true, HW(status), 2, 0xffff, -EPROTO },
		{ false, HW(node_id), 8, 0, -EPROTO },
		{ true, HW(node_id), 8, 0, -EPROTO },
		{ false, HW(session), 8, 0, -EPROTO },
		{ false, HW(features), 8, U64_MAX, 0 },
		{ false, HW(auth), 8, U64_MAX, 0 },
		{ true, HW(auth) + 8, 8, 1, 0 },	/* a secret */
	};
	struct proto_ctx *ctx = test->priv;
	struct puma_msg msg;
	unsigned int i, type;
	__le64 val;
	int len;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		type = fields[i].ack ? PUMA_MSG_HELLO_ACK : PUMA_MSG_HELLO;
		msg.type = type;
		msg.id = 0;
		msg.hello = sample_hello;
		if (fields[i].ack)
			msg.hello.role = PUMA_ROLE_LENDER;
		len = puma_proto_encode(ctx->buf, 128, &msg);
		/* The low bytes of a little-endian u64 are the field's. */
		val = cpu_to_le64(fields[i].val);
		memcpy(ctx->buf + PUMA_PROTO_HDR_LEN + fields[i].off, &val,
		       fields[i].size);
		KUNIT_EXPECT_EQ_MSG(test, proto_decode_exact(test,
							     params_for(type),
							     ctx->buf, len,
							     NULL),
				    fields[i].err, "case %u", i);
	}

	/* A refusal hands out no secret. */
	msg.type = PUMA_MSG_HELLO_ACK;
	msg.hello = sample_hello;
	msg.hello.role = PUMA_ROLE_LENDER;
	msg.hello.status = PUMA_HELLO_DENIED;
	len = puma_proto_encode(ctx->buf, 128, &msg);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &borrower_hs, ctx->buf,
						 len, NULL), 0);
	msg.hello.auth[3] = 1;
	len = puma_proto_encode(ctx->buf, 128, &msg);
	KUNIT_EXPECT_EQ(test, proto_decode_exact(test, &borrower_hs, ctx->buf,
						 len, NULL), -EPROTO);
}

/* Both ends of a handshake, through the wire. */
static void proto_handshake_test(struct kunit *test)
{
	struct puma_hello lender = {
		.version = 2, .page_size = PAGE_SIZE, .max_batch = 16,
		.node_id = 2, .features = PUMA_FEAT_EXCLUSIVE | BIT_ULL(5),
	};
	struct puma_hello hello = sample_hello, ack, bad;
	struct puma_proto_params lp, bp, none = { };
	struct proto_ctx *ctx = test->priv;
	struct puma_msg msg;
	int len;

	hello.version = 3;		/* a newer borrower: version 2 wins */
	hello.max_batch = 64;
	msg.type = PUMA_MSG_HELLO;
	msg.id = 0;
	msg.hello = hello;
	len = puma_proto_encode(ctx->buf, 128, &msg);
	KUNIT_ASSERT_EQ(test, proto_decode_exact(test, &lender_hs, ctx->buf,
						 len, &msg), 0);
	KUNIT_ASSERT_EQ(test, puma_proto_accept(&lender, &msg.hello, &ack,
						&lp), 0);
	KUNIT_EXPECT_EQ(test, ack.version, 2);
	KUNIT_EXPECT_EQ(test, ack.max_batch, 16);
	KUNIT_EXPECT_EQ(test, ack.features, PUMA_FEAT_EXCLUSIVE);
	KUNIT_EXPECT_EQ(test, ack.session, hello.session);
	KUNIT_EXPECT_EQ(test, ack.node_id, 2ULL);
	/* The secret is the lender's to add (lender.c), not accept's. */
	KUNIT_EXPECT_FALSE(test, puma_proto_auth_set(ack.auth));
	memset(ack.auth, 0x77, sizeof(ack.auth));

	msg.type = PUMA_MSG_HELLO_ACK;
	msg.hello = ack;
	len = puma_proto_encode(ctx->buf, 128, &msg);
	KUNIT_ASSERT_EQ(test, proto_decode_exact(test, &borrower_hs, ctx->buf,
						 len, &msg), 0);
	KUNIT_ASSERT_EQ(test, puma_proto_check_ack(&hello, &msg.hello, &bp),
			0);
	KUNIT_EXPECT_EQ(test, memcmp(msg.hello.auth, ack.auth,
				     sizeof(ack.auth)), 0);
	KUNIT_EXPECT_EQ(test, lp.peer, PUMA_ROLE_BORROWER);
	KUNIT_EXPECT_EQ(test, bp.peer, PUMA_ROLE_LENDER);
	KUNIT_EXPECT_EQ(test, lp.version, 2);
	KUNIT_EXPECT_EQ(test, bp.version, 2);
	KUNIT_EXPECT_EQ(test, lp.channel, PUMA_CHAN_PUT);
	KUNIT_EXPECT_EQ(test, bp.channel, PUMA_CHAN_PUT);
	KUNIT_EXPECT_EQ(test, lp.page_size, (u32)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, bp.page_size, (u32)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, lp.max_batch, 16);
	KUNIT_EXPECT_EQ(test, bp.max_batch, 16);
	KUNIT_EXPECT_EQ(test, lp.features, PUMA_FEAT_EXCLUSIVE);
	KUNIT_EXPECT_EQ(test, bp.features, PUMA_FEAT_EXCLUSIVE);

	/* Refusals: the ACK says why, and the borrower sees a refusal. */
	bad = hello;
	bad.page_size = PAGE_SIZE * 2;
	KUNIT_EXPECT_EQ(test, puma_proto_accept(&lender, &bad, &ack, &none),
			-ECONNREFUSED);
	KUNIT_EXPECT_EQ(test, ack.status, PUMA_HELLO_PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, puma_proto_check_ack(&bad, &ack, &none),
			-ECONNREFUSED);
	/* Version 1 is no longer spoken: no peer of it is left. */
	bad = hello;
	bad.version = 1;
	KUNIT_EXPECT_EQ(test, puma_proto_accept(&lender, &bad, &ack, &none),
			-ECONNREFUSED);
	KUNIT_EXPECT_EQ(test, ack.status, PUMA_HELLO_VERSION);
	/* One module may lend to itself (loopback): equal ids are fine. */
	bad = hello;
	bad.node_id = lender.node_id;
	KUNIT_EXPECT_EQ(test, puma_proto_accept(&lender, &bad, &ack, &none),
			0);
	KUNIT_EXPECT_EQ(test, ack.status, PUMA_HELLO_OK);
	ack.auth[0] = 1;
	KUNIT_EXPECT_EQ(test, puma_proto_check_ack(&bad, &ack, &none), 0);

	/* An ACK that breaks the rules is a protocol violation. */
	KUNIT_ASSERT_EQ(test, puma_proto_accept(&lender, &hello, &ack, &lp), 0);
	ack.auth[15] = 0x80;
	hello.version = 2;
	bad = ack;
	bad.version = 3;
	KUNIT_EXPECT_EQ(test, puma_proto_check_ack(&hello, &bad, &bp), -EPROTO);
	bad = ack;
	bad.page_size = 8192;
	KUNIT_EXPECT_EQ(test, puma_proto_check_ack(&hello, &bad, &bp), -EPROTO);
	bad = ack;
	bad.channel = PUMA_CHAN_GET;
	KUNIT_EXPECT_EQ(test, puma_proto_check_ack(&hello, &bad, &bp), -EPROTO);
	bad = ack;
	bad.session++;
	KUNIT_EXPECT_EQ(test, puma_proto_check_ack(&hello, &bad, &bp), -EPROTO);
	bad = ack;
	bad.max_batch = 33;
	KUNIT_EXPECT_EQ(test, puma_proto_check_ack(&hello, &bad, &bp), -EPROTO);
	bad = ack;
	bad.features = BIT_ULL(1);
	KUNIT_EXPECT_EQ(test, puma_proto_check_ack(&hello, &bad, &bp), -EPROTO);
	/* A session's first connection must get a secret... */
	bad = ack;
	memset(bad.auth, 0, sizeof(bad.auth));
	KUNIT_EXPECT_EQ(test, puma_proto_check_ack(&hello, &bad, &bp), -EPROTO);
	KUNIT_EXPECT_EQ(test, puma_proto_check_ack(&hello, &ack, &bp), 0);
	/* ... and a connection that joins it (a proof sent) none. */
	puma_proto_hello_proof(ack.auth, &hello, hello.auth);
	KUNIT_EXPECT_EQ(test, puma_proto_check_ack(&hello, &ack, &bp), -EPROTO);
	KUNIT_EXPECT_EQ(test, puma_proto_check_ack(&hello, &bad, &bp), 0);
	/* A refusal is a refusal, whatever else it says. */
	bad.status = PUMA_HELLO_DENIED;
	KUNIT_EXPECT_EQ(test, puma_proto_check_ack(&hello, &bad, &bp),
			-ECONNREFUSED);
}

/* Encoders: small buffers, bad arguments, the part before the pages. */
static void proto_encode_test(struct kunit *test)
{
	struct proto_ctx *ctx = test->priv;
	struct puma_key bad = { .index = PUMA_KEY_INDEX_MAX + 1 };
	const u8 st[2] = { PUMA_GET_HIT, 2 };
	const struct puma_batch ok = {
		.type = PUMA_MSG_PUT, .id = 7, .count = 2, .keys = ctx->keys,
		.pages = (const void *const *)ctx->pages,
		.page_size = PAGE_SIZE,
	};
	const struct puma_batch get = {
		.type = PUMA_MSG_GET, .id = 1, .count = 2, .keys = ctx->keys,
		.flags = PUMA_GET_EXCLUSIVE,
	};
	const struct puma_batch resp = {
		.type = PUMA_MSG_GET_RESP, .id = 1, .count = 2,
		.status = ctx->status, .page_size = PAGE_SIZE,
		.pages = (const void *const *)ctx->pages,
	};
	struct puma_msg msg = { .type = PUMA_MSG_PING, .id = 1 };
	struct puma_batch b;
	unsigned int type;
	int len, size;

	/* Too small by one byte or more: -EMSGSIZE, nothing written. */
	for (type = 1; type < PUMA_MSG_NR; type++) {
		len = proto_sample(ctx, type, 2, ctx->buf, PUMA_PROTO_MAX_MSG);
		for (size = 0; size < len; size += size < 64 ? 1 : 997) {
			memset(ctx->buf, 0xee, len);
			KUNIT_EXPECT_EQ(test, proto_sample(ctx, type, 2,
							   ctx->buf, size),
					-EMSGSIZE);
			KUNIT_EXPECT_NULL(test, memchr_inv(ctx->buf, 0xee, len));
		}
	}

	/* Arguments a peer would refuse. */
	KUNIT_EXPECT_EQ(test, puma_proto_batch(ctx->buf, PUMA_PROTO_MAX_MSG,
					       &ok), 16 + 8 + 2 * (24 + 4096));
#define BAD_BATCH(base, field, value) do {				\
		b = base;						\
		b.field = value;					\
		KUNIT_EXPECT_EQ(test, puma_proto_batch(ctx->buf,	\
						       PUMA_PROTO_MAX_MSG, \
						       &b), -EINVAL);	\
	} while (0)
	BAD_BATCH(ok, count, 0);
	BAD_BATCH(ok, count, PUMA_PROTO_MAX_BATCH + 1);
	BAD_BATCH(ok, type, 0);
	BAD_BATCH(ok, type, PUMA_MSG_PING);
	BAD_BATCH(ok, type, PUMA_MSG_NR);
	BAD_BATCH(ok, id, 0);				/* PUT: an id */
	BAD_BATCH(ok, flags, PUMA_GET_EXCLUSIVE);	/* on a PUT */
	BAD_BATCH(ok, page_size, 1000);
	BAD_BATCH(ok, page_size, 0);
	BAD_BATCH(ok, keys, &bad);
	BAD_BATCH(ok, keys, NULL);
	KUNIT_EXPECT_GT(test, puma_proto_batch(ctx->buf, PUMA_PROTO_MAX_MSG,
					       &get), 0);
	BAD_BATCH(get, id, 0);
	BAD_BATCH(get, flags, 2);
	KUNIT_EXPECT_GT(test, puma_proto_batch(ctx->buf, PUMA_PROTO_MAX_MSG,
					       &resp), 0);
	BAD_BATCH(resp, status, st);
	BAD_BATCH(resp, status, NULL);
	BAD_BATCH(resp, id, 0);
	BAD_BATCH(resp, page_size, PAGE_SIZE + 1);
#undef BAD_BATCH
	KUNIT_EXPECT_EQ(test, puma_proto_encode(ctx->buf, 64, &msg), 24);
	msg.id = 0;
	KUNIT_EXPECT_EQ(test, puma_proto_encode(ctx->buf, 64, &msg), -EINVAL);
	msg.type = PUMA_MSG_BYE;
	KUNIT_EXPECT_EQ(test, puma_proto_encode(ctx->buf, 64, &msg), 24);
	msg.id = 1;
	KUNIT_EXPECT_EQ(test, puma_proto_encode(ctx->buf, 64, &msg), -EINVAL);
	msg.id = 0;
	msg.type = PUMA_MSG_PUT;
	KUNIT_EXPECT_EQ(test, puma_proto_encode(ctx->buf, 64, &msg), -EINVAL);
	msg.type = 0;
	KUNIT_EXPECT_EQ(test, puma_proto_encode(ctx->buf, 64, &msg), -EINVAL);
	msg.type = PUMA_MSG_NR;
	KUNIT_EXPECT_EQ(test, puma_proto_encode(ctx->buf, 64, &msg), -EINVAL);

	/* Without pages: the prefix only, with the full length announced. */
	b = ok;
	b.pages = NULL;
	len = puma_proto_batch(ctx->buf, 16 + 8 + 2 * 24, &b);
	KUNIT_EXPECT_EQ(test, len, 16 + 8 + 2 * 24);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&lender_put, ctx->buf),
			(int)(8 + 2 * (24 + PAGE_SIZE)));
	b.type = PUMA_MSG_GET_RESP;
	b.id = 1;
	b.count = 3;
	b.status = ctx->status;
	len = puma_proto_batch(ctx->buf, 16 + 16, &b);
	KUNIT_EXPECT_EQ(test, len, 16 + 16);
	KUNIT_EXPECT_EQ(test, puma_proto_header(&borrower_get, ctx->buf),
			(int)(16 + 2 * PAGE_SIZE));
}

/*
 * Random bytes never pass for a message unless they are one; KASAN
 * watches every read.  Two kinds: bytes alone, and bytes behind a header
 * that is right for a random type, so that the payload checks get
 * exercised too.
 */
static void proto_garbage_test(struct kunit *test)
{
	struct proto_ctx *ctx = test->priv;
	unsigned int i, j, accepted = 0, type;
	struct rnd_state rnd;
	u8 *buf = ctx->buf;
	size_t len;
	u32 r;

	prandom_seed_state(&rnd, 0x70756d61);
	for (i = 0; i < 4000; i++) {
		r = prandom_u32_state(&rnd);
		len = r % 160;
		prandom_bytes_state(&rnd, buf, len);
		if (i & 1) {
			type = 1 + r / 256 % (PUMA_MSG_NR - 1);
			len = max_t(size_t, len, PUMA_PROTO_HDR_LEN +
				    (puma_types[type].size ?: 8));
			proto_set_hdr(buf, type, 0, len - PUMA_PROTO_HDR_LEN,
				      puma_types[type].id ? r | 1 : 0);
		}
		for (j = 0; j < ARRAY_SIZE(all_params); j++)
			accepted += !proto_decode_exact(test, all_params[j],
							buf, len, NULL);
	}
	kunit_info(test, "%u of %u random buffers decoded (and re-encoded)\n",
		   accepted, 4000 * (unsigned int)ARRAY_SIZE(all_params));
}

/* Valid messages with random bytes changed: still never a wrong accept. */
static void proto_mutation_test(struct kunit *test)
{
	struct proto_ctx *ctx = test->priv;
	unsigned int i, n, type, accepted = 0, runs = 0;
	struct rnd_state rnd;
	u8 *msg;
	int len;

	msg = kunit_kmalloc(test, PUMA_PROTO_MAX_MSG, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, msg);
	prandom_seed_state(&rnd, 1);
	for (type = 1; type < PUMA_MSG_NR; type++) {
		len = proto_sample(ctx, type, 2, msg, PUMA_PROTO_MAX_MSG);
		for (i = 0; i < 300; i++, runs++) {
			memcpy(ctx->buf, msg, len);
			/* Mostly in the header and the fixed part. */
			for (n = 1 + i % 3; n; n--) {
				u32 r = prandom_u32_state(&rnd);
				u32 at = r % (i & 1 ? 80 : len);

				ctx->buf[min_t(u32, at, len - 1)] ^= 1 << (r >> 29);
			}
			accepted += !proto_decode_exact(test, params_for(type),
							ctx->buf, len, NULL);
		}
	}
	kunit_info(test, "%u of %u mutated messages decoded (and re-encoded)\n",
		   accepted, runs);
}

static struct kunit_case puma_proto_test_cases[] = {
	KUNIT_CASE(proto_layout_test),
	KUNIT_CASE(proto_header_bytes_test),
	KUNIT_CASE(proto_hello_bytes_test),
	KUNIT_CASE(proto_hello_proof_test),
	KUNIT_CASE(proto_roundtrip_test),
	KUNIT_CASE(proto_truncated_test),
	KUNIT_CASE(proto_header_test),
	KUNIT_CASE(proto_batch_test),
	KUNIT_CASE(proto_fixed_test),
	KUNIT_CASE(proto_hello_test),
	KUNIT_CASE(proto_handshake_test),
	KUNIT_CASE(proto_encode_test),
	KUNIT_CASE(proto_garbage_test),
	KUNIT_CASE(proto_mutation_test),
	{}
};

static struct kunit_suite puma_proto_test_suite = {
	.name = "puma_proto",
	.init = proto_test_init,
	.test_cases = puma_proto_test_cases,
};

kunit_test_suite(puma_proto_test_suite);

MODULE_DESCRIPTION("KUnit tests for PUMA's wire protocol");
MODULE_LICENSE("GPL");
