// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for puma/tag.c: integrity tags of pages.
 */
#include "../../puma/tag.c"

#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

/* SipHash's reference key (00 01 .. 0f) and its outputs (lib/siphash). */
static const siphash_key_t tag_ref_key = {
	{ 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL }
};

/* Each test starts from the reference key and a page of random bytes. */
static int tag_test_init(struct kunit *test)
{
	struct rnd_state rnd;
	u8 *page;

	page = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	prandom_seed_state(&rnd, 0x7061676573ULL);
	prandom_bytes_state(&rnd, page, PAGE_SIZE);
	test->priv = page;
	puma_tag_init_key(&tag_ref_key);
	return 0;
}

/* The tag is SipHash-2-4 with the key, truncated: the reference vectors. */
static void tag_known_answer_test(struct kunit *test)
{
	static const struct {
		unsigned int len;
		u64 siphash;
	} vec[] = {
		{ 0, 0x726fdb47dd0e0e31ULL },
		{ 1, 0x74f839c593dc67fdULL },
		{ 8, 0x93f5f5799a932462ULL },
		{ 15, 0xa129ca6149be45e5ULL },
		{ 63, 0x958a324ceb064572ULL },
	};
	u8 msg[64];
	unsigned int i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = i;
	for (i = 0; i < ARRAY_SIZE(vec); i++)
		KUNIT_EXPECT_EQ_MSG(test, puma_tag(msg, vec[i].len),
				    vec[i].siphash & PUMA_TAG_MASK,
				    "length %u", vec[i].len);
}

/* PUMA_TAG_BITS (45) bits, never more. */
static void tag_width_test(struct kunit *test)
{
	u8 *page = test->priv;
	u64 all = 0;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, PUMA_TAG_MASK, 0x00001fffffffffffULL);
	for (i = 0; i < 256; i++) {
		u64 tag;

		page[0] = i;
		tag = puma_tag(page, PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, tag & ~PUMA_TAG_MASK, 0ULL);
		all |= tag;
	}
	/* ... and all of them used. */
	KUNIT_EXPECT_EQ(test, all, PUMA_TAG_MASK);
}

/* Same bytes, same tag, at any alignment. */
static void tag_deterministic_test(struct kunit *test)
{
	u8 *page = test->priv, *copy;
	u64 tag = puma_tag(page, PAGE_SIZE);
	unsigned int off;

	copy = kunit_kmalloc(test, PAGE_SIZE + 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	KUNIT_EXPECT_EQ(test, puma_tag(page, PAGE_SIZE), tag);
	for (off = 0; off < 8; off++) {
		memcpy(copy + off, page, PAGE_SIZE);
		KUNIT_EXPECT_EQ_MSG(test, puma_tag(copy + off, PAGE_SIZE), tag,
				    "offset %u", off);
	}
}

/* Any single flipped bit changes the tag: every bit of a few bytes. */
static void tag_bit_flip_test(struct kunit *test)
{
	static const unsigned int bytes[] = { 0, 1, 7, 8, 63, 2048,
					      PAGE_SIZE - 9, PAGE_SIZE - 1 };
	u8 *page = test->priv;
	u64 tag = puma_tag(page, PAGE_SIZE);
	unsigned int i, bit;

	for (i = 0; i < ARRAY_SIZE(bytes); i++) {
		for (bit = 0; bit < 8; bit++) {
			page[bytes[i]] ^= 1 << bit;
			KUNIT_EXPECT_NE_MSG(test, puma_tag(page, PAGE_SIZE), tag,
					    "byte %u bit %u", bytes[i], bit);
			page[bytes[i]] ^= 1 << bit;
		}
	}
	KUNIT_EXPECT_EQ(test, puma_tag(page, PAGE_SIZE), tag);
}

/* The length counts: a page and its prefix, a zero page and a shorter one. */
static void tag_length_test(struct kunit *test)
{
	u8 *page = test->priv;

	KUNIT_EXPECT_NE(test, puma_tag(page, PAGE_SIZE),
			puma_tag(page, PAGE_SIZE - 1));
	memset(page, 0, PAGE_SIZE);
	KUNIT_EXPECT_NE(test, puma_tag(page, PAGE_SIZE),
			puma_tag(page, PAGE_SIZE - 8));
}

/*
 * The key matters: another key, another tag.  Without the key a lender
 * cannot compute the tag of the page it would forge.
 */
static void tag_key_test(struct kunit *test)
{
	siphash_key_t other = tag_ref_key;
	u8 *page = test->priv;
	u64 ref = puma_tag(page, PAGE_SIZE), a, b;

	other.key[1] ^= 1;
	puma_tag_init_key(&other);
	KUNIT_EXPECT_NE(test, puma_tag(page, PAGE_SIZE), ref);

	/* Two random keys: the chance that they agree is 2^-45. */
	puma_tag_init();
	a = puma_tag(page, PAGE_SIZE);
	puma_tag_init();
	b = puma_tag(page, PAGE_SIZE);
	KUNIT_EXPECT_NE(test, a, b);
	KUNIT_EXPECT_NE(test, a, ref);

	puma_tag_init_key(&tag_ref_key);
	KUNIT_EXPECT_EQ(test, puma_tag(page, PAGE_SIZE), ref);
}

static int tag_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Tags of many different pages: no collision, and every bit set about
 * half of the time.  Prints the cost of a page on this (UML) machine.
 */
static void tag_distribution_test(struct kunit *test)
{
	enum { N = 2048 };
	unsigned int i, bit, ones[PUMA_TAG_BITS] = { };
	u8 *page = test->priv;
	u64 *tags;
	ktime_t t;

	tags = kunit_kmalloc_array(test, N, sizeof(*tags), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tags);
	t = ktime_get();
	for (i = 0; i < N; i++) {
		memcpy(page, &i, sizeof(i));
		tags[i] = puma_tag(page, PAGE_SIZE);
	}
	t = ktime_sub(ktime_get(), t);
	kunit_info(test, "%lld ns per %lu-byte page (UML, KASAN)\n",
		   ktime_to_ns(t) / N, PAGE_SIZE);

	for (i = 0; i < N; i++)
		for (bit = 0; bit < PUMA_TAG_BITS; bit++)
			ones[bit] += (tags[i] >> bit) & 1;
	sort(tags, N, sizeof(*tags), tag_cmp, NULL);
	for (i = 1; i < N; i++)
		KUNIT_EXPECT_NE(test, tags[i], tags[i - 1]);
	/* Binomial(2048, 1/2): mean 1024, sd 22.6; 1024 +- 200 is 8.8 sd. */
	for (bit = 0; bit < PUMA_TAG_BITS; bit++) {
		KUNIT_EXPECT_GT_MSG(test, ones[bit], 824U, "bit %u", bit);
		KUNIT_EXPECT_LT_MSG(test, ones[bit], 1224U, "bit %u", bit);
	}
}

static struct kunit_case puma_tag_test_cases[] = {
	KUNIT_CASE(tag_known_answer_test),
	KUNIT_CASE(tag_width_test),
	KUNIT_CASE(tag_deterministic_test),
	KUNIT_CASE(tag_bit_flip_test),
	KUNIT_CASE(tag_length_test),
	KUNIT_CASE(tag_key_test),
	KUNIT_CASE(tag_distribution_test),
	{}
};

static struct kunit_suite puma_tag_test_suite = {
	.name = "puma_tag",
	.init = tag_test_init,
	.test_cases = puma_tag_test_cases,
};

kunit_test_suite(puma_tag_test_suite);

MODULE_DESCRIPTION("KUnit tests for PUMA's integrity tags");
MODULE_LICENSE("GPL");
