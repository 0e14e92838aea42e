// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for puma/key.c: the wire format of page keys.  The layout is
 * checked byte by byte, so that a host of either byte order would read the
 * same 24 bytes.
 */
#include "../../puma/key.c"

#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/stddef.h>
#include <linux/string.h>

/* A key whose every wire byte differs, and those bytes. */
static const struct puma_key key_sample = {
	.pool	= 0x04030201,
	.gen	= 0x08070605,
	.ino	= 0x100f0e0d0c0b0a09ULL,
	.index	= 0x0007161514131211ULL,
};

static const u8 key_sample_wire[24] = {
	0x01, 0x02, 0x03, 0x04,				/* pool */
	0x05, 0x06, 0x07, 0x08,				/* gen */
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,	/* ino */
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x07, 0x00,	/* index */
};

static void key_expect_eq(struct kunit *test, const struct puma_key *a,
			  const struct puma_key *b)
{
	KUNIT_EXPECT_EQ(test, a->pool, b->pool);
	KUNIT_EXPECT_EQ(test, a->gen, b->gen);
	KUNIT_EXPECT_EQ(test, a->ino, b->ino);
	KUNIT_EXPECT_EQ(test, a->index, b->index);
}

/* 24 bytes, no padding, fields in this order. */
static void key_wire_layout_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct puma_wire_key), (size_t)24);
	KUNIT_EXPECT_EQ(test, offsetof(struct puma_wire_key, pool), (size_t)0);
	KUNIT_EXPECT_EQ(test, offsetof(struct puma_wire_key, gen), (size_t)4);
	KUNIT_EXPECT_EQ(test, offsetof(struct puma_wire_key, ino), (size_t)8);
	KUNIT_EXPECT_EQ(test, offsetof(struct puma_wire_key, index),
			(size_t)16);
}

/* The bound is the index of the last page of the largest file. */
static void key_index_max_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, PUMA_KEY_INDEX_MAX, 0x0007ffffffffffffULL);
	KUNIT_EXPECT_EQ(test, PUMA_KEY_INDEX_MAX,
			(u64)MAX_LFS_FILESIZE >> PAGE_SHIFT);
}

/* Encoding writes little-endian fields, every byte of them. */
static void key_encode_bytes_test(struct kunit *test)
{
	static const struct puma_key zero;
	struct puma_wire_key wire;
	unsigned int i;
	const u8 *p;

	memset(&wire, 0xee, sizeof(wire));
	puma_key_encode(&key_sample, &wire);
	p = (const u8 *)&wire;
	for (i = 0; i < sizeof(key_sample_wire); i++)
		KUNIT_EXPECT_EQ_MSG(test, p[i], key_sample_wire[i],
				    "byte %u", i);

	/* Nothing of what was there before survives. */
	memset(&wire, 0xee, sizeof(wire));
	puma_key_encode(&zero, &wire);
	KUNIT_EXPECT_NULL(test, memchr_inv(&wire, 0, sizeof(wire)));
}

/* Decoding reads the same layout back, without help from encode. */
static void key_decode_bytes_test(struct kunit *test)
{
	struct puma_wire_key wire;
	struct puma_key key;

	memcpy(&wire, key_sample_wire, sizeof(wire));
	memset(&key, 0xee, sizeof(key));
	KUNIT_ASSERT_EQ(test, puma_key_decode(&wire, &key), 0);
	key_expect_eq(test, &key, &key_sample);
}

/* Keys are read straight out of receive buffers, at any alignment. */
static void key_unaligned_test(struct kunit *test)
{
	u8 buf[sizeof(struct puma_wire_key) + 8];
	struct puma_wire_key *wire;
	struct puma_key key;
	unsigned int off;

	for (off = 1; off < 8; off++) {
		memset(buf, 0xee, sizeof(buf));
		wire = (struct puma_wire_key *)(buf + off);
		puma_key_encode(&key_sample, wire);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(buf + off, key_sample_wire,
						 sizeof(key_sample_wire)), 0,
				    "offset %u", off);
		KUNIT_EXPECT_EQ(test, buf[off - 1], 0xee);
		KUNIT_EXPECT_EQ(test, buf[off + sizeof(*wire)], 0xee);

		memset(&key, 0, sizeof(key));
		KUNIT_ASSERT_EQ(test, puma_key_decode(wire, &key), 0);
		key_expect_eq(test, &key, &key_sample);
	}
}

/* decode(encode(k)) == k for every valid key, the extremes included. */
static void key_roundtrip_test(struct kunit *test)
{
	static const struct puma_key keys[] = {
		{ 0, 0, 0, 0 },
		{ 1, 1, 1, 1 },
		{ U32_MAX, U32_MAX, U64_MAX, PUMA_KEY_INDEX_MAX },
		{ 0x80000000, 0x7fffffff, 1ULL << 63, 1ULL << 50 },
		{ 0xdeadbeef, 0xcafef00d, 0x0123456789abcdefULL,
		  PUMA_KEY_INDEX_MAX - 1 },
		{ 7, 0, 2, 0xffffffffULL },
		{ 7, 0, 2, 0x100000000ULL },
	};
	struct puma_wire_key wire;
	struct puma_key key;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		puma_key_encode(&keys[i], &wire);
		memset(&key, 0xee, sizeof(key));
		KUNIT_EXPECT_EQ_MSG(test, puma_key_decode(&wire, &key), 0,
				    "key %u", i);
		key_expect_eq(test, &key, &keys[i]);
	}
}

/* An index past PUMA_KEY_INDEX_MAX is refused and @key is not touched. */
static void key_decode_index_test(struct kunit *test)
{
	static const u64 bad[] = {
		PUMA_KEY_INDEX_MAX + 1, PUMA_KEY_INDEX_MAX + 2,
		PUMA_KEY_INDEX_MAX << 1, 1ULL << 63, U64_MAX - 1, U64_MAX,
	};
	struct puma_key key, saved, in = key_sample;
	struct puma_wire_key wire;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		in.index = bad[i];
		puma_key_encode(&in, &wire);
		KUNIT_EXPECT_EQ(test, le64_to_cpu(wire.index), bad[i]);
		memset(&key, 0xee, sizeof(key));
		saved = key;
		KUNIT_EXPECT_EQ_MSG(test, puma_key_decode(&wire, &key), -EINVAL,
				    "index %#llx", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(&key, &saved, sizeof(key)), 0,
				    "index %#llx changed the output", bad[i]);
	}

	/* The last valid index, and its neighbour below. */
	in.index = PUMA_KEY_INDEX_MAX;
	puma_key_encode(&in, &wire);
	KUNIT_ASSERT_EQ(test, puma_key_decode(&wire, &key), 0);
	KUNIT_EXPECT_EQ(test, key.index, PUMA_KEY_INDEX_MAX);
	in.index = PUMA_KEY_INDEX_MAX - 1;
	puma_key_encode(&in, &wire);
	KUNIT_ASSERT_EQ(test, puma_key_decode(&wire, &key), 0);
	KUNIT_EXPECT_EQ(test, key.index, PUMA_KEY_INDEX_MAX - 1);
}

/* Only the index is checked: any pool, generation and inode decode. */
static void key_decode_other_fields_test(struct kunit *test)
{
	u8 buf[sizeof(struct puma_wire_key)];
	struct puma_wire_key wire;
	struct puma_key key;

	memset(buf, 0xff, sizeof(buf));
	memset(buf + 16, 0, 8);
	memcpy(&wire, buf, sizeof(wire));
	KUNIT_ASSERT_EQ(test, puma_key_decode(&wire, &key), 0);
	KUNIT_EXPECT_EQ(test, key.pool, U32_MAX);
	KUNIT_EXPECT_EQ(test, key.gen, U32_MAX);
	KUNIT_EXPECT_EQ(test, key.ino, U64_MAX);
	KUNIT_EXPECT_EQ(test, key.index, 0ULL);
}

static struct kunit_case puma_key_test_cases[] = {
	KUNIT_CASE(key_wire_layout_test),
	KUNIT_CASE(key_index_max_test),
	KUNIT_CASE(key_encode_bytes_test),
	KUNIT_CASE(key_decode_bytes_test),
	KUNIT_CASE(key_unaligned_test),
	KUNIT_CASE(key_roundtrip_test),
	KUNIT_CASE(key_decode_index_test),
	KUNIT_CASE(key_decode_other_fields_test),
	{}
};

static struct kunit_suite puma_key_test_suite = {
	.name = "puma_key",
	.test_cases = puma_key_test_cases,
};

kunit_test_suite(puma_key_test_suite);

MODULE_DESCRIPTION("KUnit tests for PUMA's page keys");
MODULE_LICENSE("GPL");
