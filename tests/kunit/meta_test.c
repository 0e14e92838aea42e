// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for puma/meta.c: local metadata of remotely held pages.
 *
 * UML runs one CPU, so races are not tested here; lockdep is on
 * (tests/kunit/.kunitconfig) and checks the IRQ-safety of the locking when
 * the metadata is used under another IRQ-safe spinlock, as the eviction
 * hook will under the mapping's i_pages lock.
 */
#include "../../puma/meta.c"

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/prandom.h>
#include <linux/spinlock.h>

static int meta_suite_init(struct kunit_suite *suite)
{
	return puma_meta_caches_init();
}

static void meta_suite_exit(struct kunit_suite *suite)
{
	/* Chunks are freed after a grace period. */
	rcu_barrier();
	puma_meta_caches_exit();
}

static int meta_test_init(struct kunit *test)
{
	struct puma_meta *meta;

	meta = kunit_kzalloc(test, sizeof(*meta), GFP_KERNEL);
	if (!meta)
		return -ENOMEM;
	puma_meta_init(meta);
	test->priv = meta;
	return 0;
}

static void meta_test_exit(struct kunit *test)
{
	puma_meta_destroy(test->priv);
}

/* A record whose tag says where it was stored, for checking lookups. */
static struct puma_meta_rec meta_rec(u64 ino, unsigned long index, u8 lender)
{
	struct puma_meta_rec rec = {
		.tag = (ino << 32 ^ index * 0x9e3779b97f4a7c15ULL) &
		       PUMA_META_TAG_MASK,
		.lender = lender,
	};

	return rec;
}

static void meta_store(struct kunit *test, u64 ino, u32 gen,
		       unsigned long index, u8 lender)
{
	struct puma_meta_rec rec = meta_rec(ino, index, lender);

	KUNIT_ASSERT_EQ(test, puma_meta_store(test->priv, ino, gen, index,
					      &rec, GFP_KERNEL), 0);
}

/* Is the record of (ino, gen, index) there, and the one meta_store() put? */
static bool meta_has(struct kunit *test, u64 ino, u32 gen,
		     unsigned long index, u8 lender)
{
	struct puma_meta_rec want = meta_rec(ino, index, lender), rec;

	if (!puma_meta_lookup(test->priv, ino, gen, index, &rec))
		return false;
	KUNIT_EXPECT_EQ(test, rec.tag, want.tag);
	KUNIT_EXPECT_EQ(test, rec.lender, want.lender);
	return true;
}

static void meta_expect_counts(struct kunit *test, unsigned long pages,
			       unsigned long inodes)
{
	KUNIT_EXPECT_EQ(test, puma_meta_pages(test->priv), pages);
	KUNIT_EXPECT_EQ(test, puma_meta_inodes(test->priv), inodes);
}

static void meta_store_lookup_test(struct kunit *test)
{
	struct puma_meta_rec rec = { .tag = 0x123456789abcULL, .lender = 7 };
	struct puma_meta *meta = test->priv;

	meta_expect_counts(test, 0, 0);
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 1, 0, 0, &rec));
	KUNIT_EXPECT_EQ(test, rec.tag, 0x123456789abcULL);	/* untouched */

	meta_store(test, 12, 3, 0, 1);
	meta_store(test, 12, 3, 5, 2);
	meta_store(test, 13, 3, 5, 3);
	meta_expect_counts(test, 3, 2);
	KUNIT_EXPECT_TRUE(test, meta_has(test, 12, 3, 0, 1));
	KUNIT_EXPECT_TRUE(test, meta_has(test, 12, 3, 5, 2));
	KUNIT_EXPECT_TRUE(test, meta_has(test, 13, 3, 5, 3));
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 12, 3, 1, &rec));
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 12, 3, 4, &rec));
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 13, 3, 0, &rec));
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 14, 3, 0, &rec));
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 0, 3, 0, &rec));
}

/* A store replaces the page's record; the count does not move. */
static void meta_replace_test(struct kunit *test)
{
	struct puma_meta_rec rec = { .tag = 1, .lender = 1 }, got;
	struct puma_meta *meta = test->priv;

	KUNIT_ASSERT_EQ(test, puma_meta_store(meta, 5, 1, 9, &rec,
					      GFP_KERNEL), 0);
	rec.tag = 2;
	rec.lender = 4;
	KUNIT_ASSERT_EQ(test, puma_meta_store(meta, 5, 1, 9, &rec,
					      GFP_KERNEL), 0);
	meta_expect_counts(test, 1, 1);
	KUNIT_ASSERT_TRUE(test, puma_meta_lookup(meta, 5, 1, 9, &got));
	KUNIT_EXPECT_EQ(test, got.tag, 2ULL);
	KUNIT_EXPECT_EQ(test, got.lender, 4);
}

/* Extreme values survive the packing; bits above the tag are dropped. */
static void meta_pack_test(struct kunit *test)
{
	static const struct puma_meta_rec recs[] = {
		{ 0, 0 }, { PUMA_TAG_MASK, 15, true, 63 }, { PUMA_TAG_MASK, 0 },
		{ 0, 15, false, 63 }, { 1, 1, true, 1 }, { 1ULL << 44, 8 },
	};
	struct puma_meta_rec rec, got;
	struct puma_meta *meta = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(recs); i++) {
		KUNIT_ASSERT_EQ(test, puma_meta_store(meta, 1, 1, i, &recs[i],
						      GFP_KERNEL), 0);
		KUNIT_EXPECT_LT(test, puma_meta_pack(&recs[i]),
				BIT_ULL(PUMA_META_REC_BITS));
	}
	for (i = 0; i < ARRAY_SIZE(recs); i++) {
		KUNIT_ASSERT_TRUE(test, puma_meta_lookup(meta, 1, 1, i, &got));
		KUNIT_EXPECT_EQ_MSG(test, got.tag, recs[i].tag, "rec %u", i);
		KUNIT_EXPECT_EQ_MSG(test, got.lender, recs[i].lender,
				    "rec %u", i);
		KUNIT_EXPECT_EQ_MSG(test, got.pending, recs[i].pending,
				    "rec %u", i);
		KUNIT_EXPECT_EQ_MSG(test, got.epoch, recs[i].epoch,
				    "rec %u", i);
	}
	rec.tag = U64_MAX;
	rec.lender = 3;
	rec.pending = false;
	rec.epoch = 0;
	KUNIT_ASSERT_EQ(test, puma_meta_store(meta, 1, 1, 100, &rec,
					      GFP_KERNEL), 0);
	KUNIT_ASSERT_TRUE(test, puma_meta_lookup(meta, 1, 1, 100, &got));
	KUNIT_EXPECT_EQ(test, got.tag, PUMA_TAG_MASK);
	KUNIT_EXPECT_EQ(test, got.lender, 3);
	/* Its neighbours in other chunks are untouched. */
	KUNIT_ASSERT_TRUE(test, puma_meta_lookup(meta, 1, 1, 5, &got));
	KUNIT_EXPECT_EQ(test, got.tag, 1ULL << 44);
}

/*
 * One chunk filled in a shuffled order, through every size class, then
 * emptied in another: after each step every page has exactly its record.
 */
static void meta_chunk_grow_test(struct kunit *test)
{
	enum { N = PUMA_META_CHUNK_PAGES };
	struct puma_meta *meta = test->priv;
	unsigned int order[N], i, j, k;
	struct rnd_state rnd;
	bool in[N] = { };

	prandom_seed_state(&rnd, 7);
	for (i = 0; i < N; i++)
		order[i] = i;
	for (i = N - 1; i > 0; i--) {
		j = prandom_u32_state(&rnd) % (i + 1);
		swap(order[i], order[j]);
	}
	/* Chunk 3 of the file: pages 192..255; 191 and 256 are neighbours. */
	meta_store(test, 9, 1, 191, 2);
	meta_store(test, 9, 1, 256, 2);
	for (i = 0; i < N; i++) {
		meta_store(test, 9, 1, 192 + order[i], order[i] % 16);
		in[order[i]] = true;
		for (j = 0; j < N; j++)
			KUNIT_EXPECT_EQ_MSG(test,
					    meta_has(test, 9, 1, 192 + j, j % 16),
					    in[j], "after %u stores, page %u",
					    i + 1, j);
	}
	meta_expect_counts(test, N + 2, 1);
	for (i = 0; i < N; i++) {
		k = order[(i * 37) % N];
		KUNIT_EXPECT_EQ(test, puma_meta_erase_page(meta, 9, 192 + k),
				1UL);
		in[k] = false;
		for (j = 0; j < N; j++)
			KUNIT_EXPECT_EQ_MSG(test,
					    meta_has(test, 9, 1, 192 + j, j % 16),
					    in[j], "after %u erases, page %u",
					    i + 1, j);
	}
	KUNIT_EXPECT_TRUE(test, meta_has(test, 9, 1, 191, 2));
	KUNIT_EXPECT_TRUE(test, meta_has(test, 9, 1, 256, 2));
	meta_expect_counts(test, 2, 1);
}

/* A range that starts and ends inside chunks erases exactly itself. */
static void meta_chunk_range_test(struct kunit *test)
{
	struct puma_meta *meta = test->priv;
	unsigned long i, ones = 0;

	for (i = 0; i < 320; i++)
		meta_store(test, 4, 1, i, i % 3);
	/* Every lender's records in [70, 250]: chunk 1 in part, 2, 3 in part. */
	KUNIT_EXPECT_EQ(test, puma_meta_erase_range(meta, 4, 70, 250), 181UL);
	for (i = 0; i < 320; i++) {
		KUNIT_EXPECT_EQ_MSG(test, meta_has(test, 4, 1, i, i % 3),
				    i < 70 || i > 250, "page %lu", i);
		ones += (i < 70 || i > 250) && i % 3 == 1;
	}
	/* Then the records of lender 1 among those left. */
	KUNIT_EXPECT_EQ(test, puma_meta_erase_lender(meta, 1), ones);
	for (i = 0; i < 320; i++)
		if (i < 70 || i > 250)
			KUNIT_EXPECT_EQ_MSG(test,
					    meta_has(test, 4, 1, i, i % 3),
					    i % 3 != 1, "page %lu", i);
}

/* Another generation never matches; storing one drops the old records. */
static void meta_generation_test(struct kunit *test)
{
	struct puma_meta *meta = test->priv;
	struct puma_meta_rec rec;
	u64 seq;

	meta_store(test, 40, 1, 0, 1);
	meta_store(test, 40, 1, 1, 1);
	meta_store(test, 41, 1, 0, 1);
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 40, 2, 0, &rec));
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 40, 0, 0, &rec));
	KUNIT_EXPECT_FALSE(test, puma_meta_take(meta, 40, 2, 0, &rec));
	meta_expect_counts(test, 3, 2);

	/* Inode number 40 reused: generation 2 replaces generation 1. */
	seq = puma_meta_seq(meta);
	meta_store(test, 40, 2, 1, 2);
	KUNIT_EXPECT_EQ(test, puma_meta_seq(meta), seq + 1);
	meta_expect_counts(test, 2, 2);
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 40, 1, 0, &rec));
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 40, 1, 1, &rec));
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 40, 2, 0, &rec));
	KUNIT_EXPECT_TRUE(test, meta_has(test, 40, 2, 1, 2));
	KUNIT_EXPECT_TRUE(test, meta_has(test, 41, 1, 0, 1));

	/* Generations are not ordered: an older number is just another. */
	meta_store(test, 40, 1, 7, 3);
	meta_expect_counts(test, 2, 2);
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 40, 2, 1, &rec));
	KUNIT_EXPECT_TRUE(test, meta_has(test, 40, 1, 7, 3));
}

/* Take: the record once, then never; the sequence number stays. */
static void meta_take_test(struct kunit *test)
{
	struct puma_meta_rec want = meta_rec(3, 8, 9), rec;
	struct puma_meta *meta = test->priv;
	u64 seq;

	meta_store(test, 3, 1, 8, 9);
	meta_store(test, 3, 1, 9, 9);
	seq = puma_meta_seq(meta);
	KUNIT_ASSERT_TRUE(test, puma_meta_take(meta, 3, 1, 8, &rec));
	KUNIT_EXPECT_EQ(test, rec.tag, want.tag);
	KUNIT_EXPECT_EQ(test, rec.lender, 9);
	KUNIT_EXPECT_FALSE(test, puma_meta_take(meta, 3, 1, 8, &rec));
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 3, 1, 8, &rec));
	meta_expect_counts(test, 1, 1);

	/* Taking the last record frees the inode. */
	KUNIT_EXPECT_TRUE(test, puma_meta_take(meta, 3, 1, 9, &rec));
	meta_expect_counts(test, 0, 0);
	KUNIT_EXPECT_EQ(test, puma_meta_seq(meta), seq);
	KUNIT_EXPECT_FALSE(test, puma_meta_take(meta, 3, 1, 9, &rec));

	/* And the inode number works again afterwards. */
	meta_store(test, 3, 1, 8, 1);
	KUNIT_EXPECT_TRUE(test, meta_has(test, 3, 1, 8, 1));
}

static void meta_erase_page_test(struct kunit *test)
{
	struct puma_meta *meta = test->priv;

	meta_store(test, 6, 1, 63, 1);
	meta_store(test, 6, 1, 64, 1);
	meta_store(test, 7, 1, 64, 1);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_page(meta, 6, 64), 1UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_page(meta, 6, 64), 0UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_page(meta, 6, 65), 0UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_page(meta, 8, 64), 0UL);
	KUNIT_EXPECT_TRUE(test, meta_has(test, 6, 1, 63, 1));
	KUNIT_EXPECT_FALSE(test, meta_has(test, 6, 1, 64, 1));
	KUNIT_EXPECT_TRUE(test, meta_has(test, 7, 1, 64, 1));
	meta_expect_counts(test, 2, 2);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_page(meta, 7, 64), 1UL);
	meta_expect_counts(test, 1, 1);
}

/* Ranges: both ends included, nothing outside touched. */
static void meta_erase_range_test(struct kunit *test)
{
	struct puma_meta *meta = test->priv;
	unsigned long i;

	for (i = 0; i < 200; i++)
		meta_store(test, 9, 1, i, 1);
	meta_store(test, 10, 1, 100, 1);

	KUNIT_EXPECT_EQ(test, puma_meta_erase_range(meta, 9, 50, 99), 50UL);
	for (i = 0; i < 200; i++)
		KUNIT_EXPECT_EQ_MSG(test, meta_has(test, 9, 1, i, 1),
				    (bool)(i < 50 || i > 99), "index %lu", i);
	KUNIT_EXPECT_TRUE(test, meta_has(test, 10, 1, 100, 1));
	meta_expect_counts(test, 151, 2);

	/* Empty and reversed ranges, ranges with nothing in them. */
	KUNIT_EXPECT_EQ(test, puma_meta_erase_range(meta, 9, 60, 59), 0UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_range(meta, 9, 50, 99), 0UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_range(meta, 9, 200, ULONG_MAX),
			0UL);
	/* One page ranges at each edge. */
	KUNIT_EXPECT_EQ(test, puma_meta_erase_range(meta, 9, 49, 49), 1UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_range(meta, 9, 100, 100), 1UL);
	KUNIT_EXPECT_TRUE(test, meta_has(test, 9, 1, 48, 1));
	KUNIT_EXPECT_TRUE(test, meta_has(test, 9, 1, 101, 1));
	meta_expect_counts(test, 149, 2);

	/* To the end of the file; the emptied inode goes away. */
	KUNIT_EXPECT_EQ(test, puma_meta_erase_range(meta, 9, 0, ULONG_MAX),
			148UL);
	meta_expect_counts(test, 1, 1);
}

/* The highest indexes, and a range longer than an erase batch. */
static void meta_erase_range_edges_test(struct kunit *test)
{
	struct puma_meta *meta = test->priv;
	unsigned long i;

	meta_store(test, 2, 1, ULONG_MAX, 1);
	meta_store(test, 2, 1, ULONG_MAX - 1, 1);
	meta_store(test, 2, 1, 0, 1);
	KUNIT_EXPECT_TRUE(test, meta_has(test, 2, 1, ULONG_MAX, 1));
	KUNIT_EXPECT_EQ(test, puma_meta_erase_range(meta, 2, ULONG_MAX,
						    ULONG_MAX), 1UL);
	KUNIT_EXPECT_TRUE(test, meta_has(test, 2, 1, ULONG_MAX - 1, 1));
	KUNIT_EXPECT_EQ(test, puma_meta_erase_range(meta, 2, 1, ULONG_MAX),
			1UL);
	KUNIT_EXPECT_TRUE(test, meta_has(test, 2, 1, 0, 1));

	/* 3 * PUMA_META_BATCH + 1 records: the lock is dropped on the way. */
	for (i = 0; i <= 3 * PUMA_META_BATCH; i++)
		meta_store(test, 2, 1, 1000 + 2 * i, 1);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_range(meta, 2, 1001,
						    1000 + 6 * PUMA_META_BATCH),
			3UL * PUMA_META_BATCH);
	KUNIT_EXPECT_TRUE(test, meta_has(test, 2, 1, 1000, 1));
	KUNIT_EXPECT_FALSE(test, meta_has(test, 2, 1, 1002, 1));
	meta_expect_counts(test, 2, 1);
}

static void meta_erase_inode_test(struct kunit *test)
{
	struct puma_meta *meta = test->priv;
	unsigned long i;

	for (i = 0; i < 100; i++) {
		meta_store(test, 20, 5, i * 7, 1);
		meta_store(test, 21, 5, i, 1);
	}
	meta_expect_counts(test, 200, 2);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_inode(meta, 20), 100UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_inode(meta, 20), 0UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_inode(meta, 22), 0UL);
	meta_expect_counts(test, 100, 1);
	KUNIT_EXPECT_FALSE(test, meta_has(test, 20, 5, 7, 1));
	KUNIT_EXPECT_TRUE(test, meta_has(test, 21, 5, 7, 1));

	/* Stores after the erase start a new inode. */
	meta_store(test, 20, 5, 3, 2);
	KUNIT_EXPECT_TRUE(test, meta_has(test, 20, 5, 3, 2));
	meta_expect_counts(test, 101, 2);
}

/* A lender goes away: exactly its pages are forgotten, in every inode. */
static void meta_erase_lender_test(struct kunit *test)
{
	struct puma_meta *meta = test->priv;
	unsigned long i, ino;

	/* Inodes 0..3 mix lenders 0, 1 and 2; inode 4 has only lender 1. */
	for (ino = 0; ino < 4; ino++)
		for (i = 0; i < 300; i++)
			meta_store(test, ino, 1, i, i % 3);
	for (i = 0; i < 10; i++)
		meta_store(test, 4, 1, i << 20, 1);
	meta_expect_counts(test, 1210, 5);

	KUNIT_EXPECT_EQ(test, puma_meta_erase_lender(meta, 1), 410UL);
	meta_expect_counts(test, 800, 4);
	for (ino = 0; ino < 4; ino++)
		for (i = 0; i < 300; i++)
			KUNIT_EXPECT_EQ_MSG(test, meta_has(test, ino, 1, i,
							   i % 3),
					    (bool)(i % 3 != 1),
					    "inode %lu index %lu",
					    ino, i);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_lender(meta, 1), 0UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_lender(meta, 255), 0UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_lender(meta, 0), 400UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_lender(meta, 2), 400UL);
	meta_expect_counts(test, 0, 0);
}

static void meta_clear_test(struct kunit *test)
{
	struct puma_meta *meta = test->priv;
	unsigned long i;

	for (i = 0; i < 50; i++)
		meta_store(test, i * 1000, 1, i, 1);
	KUNIT_EXPECT_EQ(test, puma_meta_clear(meta), 50UL);
	meta_expect_counts(test, 0, 0);
	KUNIT_EXPECT_EQ(test, puma_meta_bytes(meta), (size_t)0);
	KUNIT_EXPECT_FALSE(test, meta_has(test, 1000, 1, 1, 1));
	KUNIT_EXPECT_EQ(test, puma_meta_clear(meta), 0UL);

	/* Destroying a non-empty set frees it all (meta_test_exit). */
	meta_store(test, 1, 1, 1, 1);
}

/* Every erase bumps the sequence number once, even when it found nothing. */
static void meta_seq_test(struct kunit *test)
{
	struct puma_meta *meta = test->priv;
	struct puma_meta_rec rec;
	u64 seq = puma_meta_seq(meta);

	KUNIT_EXPECT_EQ(test, seq, 0ULL);
	meta_store(test, 1, 1, 1, 1);
	meta_store(test, 1, 1, 2, 1);
	KUNIT_EXPECT_TRUE(test, puma_meta_lookup(meta, 1, 1, 1, &rec));
	KUNIT_EXPECT_TRUE(test, puma_meta_take(meta, 1, 1, 1, &rec));
	KUNIT_EXPECT_EQ(test, puma_meta_seq(meta), seq);

	puma_meta_erase_page(meta, 1, 1);
	KUNIT_EXPECT_EQ(test, puma_meta_seq(meta), ++seq);
	puma_meta_erase_range(meta, 1, 0, 10);
	KUNIT_EXPECT_EQ(test, puma_meta_seq(meta), ++seq);
	puma_meta_erase_range(meta, 99, 0, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, puma_meta_seq(meta), ++seq);
	puma_meta_erase_inode(meta, 1);
	KUNIT_EXPECT_EQ(test, puma_meta_seq(meta), ++seq);
	puma_meta_erase_lender(meta, 3);
	KUNIT_EXPECT_EQ(test, puma_meta_seq(meta), ++seq);
	puma_meta_clear(meta);
	KUNIT_EXPECT_EQ(test, puma_meta_seq(meta), ++seq);
	/* An empty range is no erase. */
	puma_meta_erase_range(meta, 1, 10, 0);
	KUNIT_EXPECT_EQ(test, puma_meta_seq(meta), seq);
}

/* Many inodes with sparse, random indexes. */
static void meta_many_inodes_test(struct kunit *test)
{
	enum { INODES = 500, PAGES = 8 };
	struct puma_meta *meta = test->priv;
	struct rnd_state rnd;
	unsigned long *index;
	unsigned int i, j;

	index = kunit_kmalloc_array(test, INODES * PAGES, sizeof(*index),
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, index);
	prandom_seed_state(&rnd, 42);
	for (i = 0; i < INODES; i++) {
		for (j = 0; j < PAGES; j++) {
			/* Distinct within an inode: j in the low bits. */
			index[i * PAGES + j] =
				(u64)prandom_u32_state(&rnd) << 8 | j;
			meta_store(test, (u64)i << 40 | i, i, index[i * PAGES + j],
				   j);
		}
	}
	meta_expect_counts(test, INODES * PAGES, INODES);
	for (i = 0; i < INODES; i++)
		for (j = 0; j < PAGES; j++)
			KUNIT_EXPECT_TRUE(test, meta_has(test, (u64)i << 40 | i,
							 i, index[i * PAGES + j],
							 j));
	for (i = 0; i < INODES; i += 2)
		KUNIT_EXPECT_EQ(test, puma_meta_erase_inode(meta,
							    (u64)i << 40 | i),
				(unsigned long)PAGES);
	meta_expect_counts(test, INODES * PAGES / 2, INODES / 2);
	for (i = 0; i < INODES; i++)
		KUNIT_EXPECT_EQ(test, meta_has(test, (u64)i << 40 | i, i,
					       index[i * PAGES], 0), (bool)(i & 1));
}

/*
 * The eviction hook calls store and the erases with IRQs off under the
 * mapping's i_pages lock, and lookups may run anywhere: lockdep checks the
 * order and IRQ-safety of every lock taken here.
 */
static DEFINE_SPINLOCK(meta_test_lock);

static void meta_irqs_off_test(struct kunit *test)
{
	struct puma_meta_rec rec = { .tag = 77, .lender = 5 };
	struct puma_meta *meta = test->priv;
	unsigned long flags, i;
	int err = 0;

	spin_lock_irqsave(&meta_test_lock, flags);
	for (i = 0; i < 300 && !err; i++)
		err = puma_meta_store(meta, 30 + i % 3, 1, i * 5, &rec,
				      GFP_ATOMIC);
	/* A reused inode number, under the lock too. */
	if (!err)
		err = puma_meta_store(meta, 30, 2, 0, &rec, GFP_ATOMIC);
	spin_unlock_irqrestore(&meta_test_lock, flags);
	KUNIT_ASSERT_EQ(test, err, 0);
	meta_expect_counts(test, 201, 3);

	local_irq_save(flags);
	spin_lock(&meta_test_lock);
	KUNIT_EXPECT_TRUE(test, puma_meta_lookup(meta, 31, 1, 5, &rec));
	KUNIT_EXPECT_TRUE(test, puma_meta_take(meta, 31, 1, 5, &rec));
	KUNIT_EXPECT_EQ(test, puma_meta_erase_page(meta, 32, 10), 1UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_range(meta, 31, 0, ULONG_MAX),
			99UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_inode(meta, 32), 99UL);
	spin_unlock(&meta_test_lock);
	local_irq_restore(flags);
	/* A lender's records go in process context: it may reschedule. */
	KUNIT_EXPECT_EQ(test, puma_meta_erase_lender(meta, 5), 1UL);
	meta_expect_counts(test, 0, 0);
}

/* State shared with meta_hardirq_fn(). */
struct meta_hardirq {
	struct hrtimer timer;
	struct completion done;
	struct puma_meta *meta;
	bool in_hardirq;
	int err;
	bool took;
	unsigned long erased;
};

static enum hrtimer_restart meta_hardirq_fn(struct hrtimer *timer)
{
	struct meta_hardirq *h = container_of(timer, struct meta_hardirq,
					      timer);
	struct puma_meta_rec rec = { .tag = 5, .lender = 6 };

	h->in_hardirq = in_hardirq();
	h->err = puma_meta_store(h->meta, 50, 1, 1, &rec, GFP_ATOMIC);
	if (!h->err)	/* a reused inode number: drops generation 1 */
		h->err = puma_meta_store(h->meta, 50, 2, 2, &rec, GFP_ATOMIC);
	h->took = puma_meta_lookup(h->meta, 50, 2, 2, &rec) &&
		  puma_meta_take(h->meta, 50, 2, 2, &rec);
	h->erased = puma_meta_erase_page(h->meta, 51, 0) +
		    puma_meta_erase_inode(h->meta, 52);
	complete(&h->done);
	return HRTIMER_NORESTART;
}

/*
 * Everything but destroy, clear and erase_lender (process context: they
 * may reschedule) works in hard IRQ context too: lockdep then knows
 * the locks as IRQ-safe and reports any place that takes them with IRQs
 * on, in this test or any other.
 */
static void meta_hardirq_test(struct kunit *test)
{
	struct meta_hardirq *h;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	h->meta = test->priv;
	init_completion(&h->done);
	meta_store(test, 50, 1, 0, 1);
	meta_store(test, 51, 1, 0, 1);
	meta_store(test, 52, 1, 0, 1);
	meta_store(test, 52, 1, 1, 1);
	meta_store(test, 53, 1, 0, 9);

	hrtimer_init(&h->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	h->timer.function = meta_hardirq_fn;
	hrtimer_start(&h->timer, ns_to_ktime(1000), HRTIMER_MODE_REL_HARD);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&h->done, 10 * HZ),
			0UL);
	hrtimer_cancel(&h->timer);

	KUNIT_EXPECT_TRUE(test, h->in_hardirq);
	KUNIT_EXPECT_EQ(test, h->err, 0);
	KUNIT_EXPECT_TRUE(test, h->took);
	KUNIT_EXPECT_EQ(test, h->erased, 3UL);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_lender(h->meta, 9), 1UL);
	meta_expect_counts(test, 0, 0);
}

/* Half of a 4096-page file's 16-page chunks, in a fixed random choice. */
static void meta_store_demo_pattern(struct kunit *test)
{
	unsigned long chunk, i, n = 0, x = 12345;
	bool taken[256] = { false };

	while (n < 128) {
		x = x * 1103515245 + 12345;
		chunk = (x >> 16) % 256;
		if (taken[chunk])
			continue;
		taken[chunk] = true;
		for (i = 0; i < 16; i++)
			meta_store(test, 12, 1, chunk * 16 + i, 1);
		n++;
	}
}

/* Bits of metadata per remote page. */
static size_t meta_bits(size_t bytes, unsigned long pages)
{
	return bytes * 8 / pages;
}

/*
 * Memory per remotely held page, as the statistics will report it.  The
 * XArray nodes and the chunks are counted, so the figures are exact for
 * this layout.
 */
static void meta_bytes_test(struct kunit *test)
{
	size_t node = sizeof(struct xa_node);
	size_t inode = kmalloc_size_roundup(sizeof(struct puma_meta_inode));
	size_t small = puma_meta_chunk_size(0);
	size_t full = puma_meta_chunk_size(PUMA_META_CLASSES - 1);
	struct puma_meta *meta = test->priv;
	unsigned long i;
	size_t bytes;

	KUNIT_EXPECT_EQ(test, puma_meta_bytes(meta), (size_t)0);
	/* 16 bytes of header, 7 per record, at least room for an rcu_head. */
	KUNIT_EXPECT_EQ(test, small, (size_t)32);
	KUNIT_EXPECT_EQ(test, full, (size_t)(16 + 64 * 7));

	/* One record at index 0 of inode 0: one small chunk, in the heads. */
	meta_store(test, 0, 1, 0, 1);
	KUNIT_EXPECT_EQ(test, puma_meta_bytes(meta), inode + small);
	puma_meta_clear(meta);

	/* A chunk that was full and keeps 4 records moves to a small one. */
	for (i = 0; i < 64; i++)
		meta_store(test, 0, 1, i, 1);
	KUNIT_EXPECT_EQ(test, puma_meta_bytes(meta), inode + full);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_range(meta, 0, 4, 63), 60UL);
	KUNIT_EXPECT_EQ(test, puma_meta_bytes(meta),
			inode + puma_meta_chunk_size(1));
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE(test, meta_has(test, 0, 1, i, 1));
	puma_meta_clear(meta);

	/*
	 * Dense: 16 full chunks, one node for them, and one node of the
	 * inode index for inode 12: that and the inode struct are the
	 * file's, whatever its pages ("per page" below leaves them out).
	 */
	for (i = 0; i < 1024; i++)
		meta_store(test, 12, 1, i, 1);
	bytes = puma_meta_bytes(meta);
	KUNIT_EXPECT_EQ(test, bytes, inode + 2 * node + 16 * full);
	kunit_info(test, "dense 1024-page file: %zu bytes, %zu bits/page, %zu per page\n",
		   bytes, meta_bits(bytes, 1024),
		   meta_bits(bytes - inode - node, 1024));
	KUNIT_EXPECT_LE(test, meta_bits(bytes - inode - node, 1024),
			(size_t)64);

	/* Sparse: every 64th page, each record alone in a small chunk. */
	puma_meta_clear(meta);
	for (i = 0; i < 1024; i++)
		meta_store(test, 12, 1, i * 64, 1);
	bytes = puma_meta_bytes(meta);
	KUNIT_EXPECT_EQ(test, bytes,
			inode + (1 + 16 + 1) * node + 1024 * small);
	kunit_info(test, "sparse 1024-page file (1 in 64): %zu bytes, %zu bits/page\n",
		   bytes, meta_bits(bytes, 1024));

	/* Many small files: 256 files of 4 pages. */
	puma_meta_clear(meta);
	for (i = 0; i < 1024; i++)
		meta_store(test, 100 + i / 4, 1, i % 4, 1);
	bytes = puma_meta_bytes(meta);
	kunit_info(test, "256 files of 4 pages: %zu bytes, %zu bits/page\n",
		   bytes, meta_bits(bytes, 1024));
	KUNIT_EXPECT_GT(test, bytes,
			256 * (inode + puma_meta_chunk_size(1)));

	/*
	 * The demo's pattern: 64 KiB chunks of a file evicted in a shuffled
	 * order, so that about half of them are remote at a time: here 128
	 * of a 4096-page file's 256 chunks of 16 pages, picked by a fixed
	 * LCG.  A 64-page chunk then holds 16, 32, 48 or 64 records, each in
	 * a class that fits it exactly.
	 */
	puma_meta_clear(meta);
	meta_store_demo_pattern(test);
	bytes = puma_meta_bytes(meta);
	kunit_info(test, "demo pattern (half of 256 16-page chunks): %zu bytes, %zu bits/page, %zu per page\n",
		   bytes, meta_bits(bytes, 2048),
		   meta_bits(bytes - inode - node, 2048));
	KUNIT_EXPECT_LE(test, meta_bits(bytes - inode - node, 2048),
			(size_t)64);
	KUNIT_EXPECT_GE(test, bytes, inode + 2 * node + 32 * full);
}

/*
 * Erasing inside a walk frees nodes: records spread over a sparse, tall
 * tree, every other one of the lender being erased, must all go, and only
 * those; and in a dense file every record must go (regression: a pause
 * right after an erase had freed a node skipped the next node's records,
 * leaving records of a disconnected lender).
 */
static void meta_erase_walk_test(struct kunit *test)
{
	static const unsigned long idx[] = {
		0, 1, 63, 64, 4095, 4096, 262143, 262144, 1UL << 24,
		(1UL << 24) + 1, 1UL << 30, ULONG_MAX - 1, ULONG_MAX,
	};
	struct puma_meta *meta = test->priv;
	unsigned long ones, left;
	unsigned int i, round;

	for (round = 0; round < 3; round++) {
		ones = 0;
		for (i = 0; i < ARRAY_SIZE(idx); i++) {
			meta_store(test, 5, 1, idx[i], (i + round) % 2);
			ones += (i + round) % 2;
		}
		KUNIT_EXPECT_EQ(test, puma_meta_erase_lender(meta, 1), ones);
		for (i = 0; i < ARRAY_SIZE(idx); i++)
			KUNIT_EXPECT_EQ_MSG(test,
					    meta_has(test, 5, 1, idx[i], 0),
					    (i + round) % 2 == 0,
					    "round %u index %lu", round, idx[i]);
		left = puma_meta_pages(meta);
		KUNIT_EXPECT_EQ(test, left, ARRAY_SIZE(idx) - ones);
		KUNIT_EXPECT_EQ(test,
				puma_meta_erase_range(meta, 5, 0, ULONG_MAX),
				left);
		KUNIT_EXPECT_EQ(test, puma_meta_pages(meta), 0UL);
	}

	/*
	 * A dense file: the walk pauses (drops the lock) every
	 * PUMA_META_BATCH records, just after an erase emptied a node.
	 */
	for (i = 0; i < 4 * PUMA_META_BATCH; i++)
		meta_store(test, 6, 1, i, 3);
	KUNIT_EXPECT_EQ(test, puma_meta_erase_lender(meta, 3),
			4UL * PUMA_META_BATCH);
	KUNIT_EXPECT_EQ(test, puma_meta_pages(meta), 0UL);
}

/* A replacement says what it replaced and moves the sequence number. */
static void meta_replace_seq_test(struct kunit *test)
{
	struct puma_meta_rec rec = { .tag = 1, .lender = 1 }, old, got;
	struct puma_meta *meta = test->priv;
	u64 seq;

	seq = puma_meta_seq(meta);
	KUNIT_ASSERT_EQ(test, puma_meta_replace(meta, 5, 1, 9, &rec, &old,
						GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, puma_meta_seq(meta), seq);	/* new: no bump */
	rec.tag = 2;
	rec.lender = 4;
	rec.pending = true;
	KUNIT_ASSERT_EQ(test, puma_meta_replace(meta, 5, 1, 9, &rec, &old,
						GFP_KERNEL), 1);
	KUNIT_EXPECT_EQ(test, old.tag, 1ULL);
	KUNIT_EXPECT_EQ(test, old.lender, 1);
	KUNIT_EXPECT_FALSE(test, old.pending);
	KUNIT_EXPECT_GT(test, puma_meta_seq(meta), seq);
	KUNIT_ASSERT_TRUE(test, puma_meta_lookup(meta, 5, 1, 9, &got));
	KUNIT_EXPECT_TRUE(test, got.pending);
	KUNIT_EXPECT_EQ(test, got.tag, 2ULL);
	meta_expect_counts(test, 1, 1);
}

/* Confirm and erase_if act only on the record they name. */
static void meta_confirm_erase_if_test(struct kunit *test)
{
	struct puma_meta_rec put = { .tag = 7, .lender = 2, .pending = true };
	struct puma_meta_rec newer = { .tag = 8, .lender = 2, .pending = true };
	struct puma_meta *meta = test->priv;
	struct puma_meta_rec got;
	u64 seq;

	KUNIT_ASSERT_EQ(test, puma_meta_store(meta, 3, 1, 0, &put,
					      GFP_KERNEL), 0);
	/* Another lender, another tag, another generation: not it. */
	got = put;
	got.lender = 3;
	KUNIT_EXPECT_FALSE(test, puma_meta_confirm(meta, 3, 1, 0, &got));
	got = put;
	got.tag = 6;
	KUNIT_EXPECT_FALSE(test, puma_meta_confirm(meta, 3, 1, 0, &got));
	KUNIT_EXPECT_FALSE(test, puma_meta_confirm(meta, 3, 2, 0, &put));
	KUNIT_EXPECT_FALSE(test, puma_meta_confirm(meta, 3, 1, 1, &put));
	KUNIT_ASSERT_TRUE(test, puma_meta_lookup(meta, 3, 1, 0, &got));
	KUNIT_EXPECT_TRUE(test, got.pending);

	KUNIT_EXPECT_TRUE(test, puma_meta_confirm(meta, 3, 1, 0, &put));
	KUNIT_ASSERT_TRUE(test, puma_meta_lookup(meta, 3, 1, 0, &got));
	KUNIT_EXPECT_FALSE(test, got.pending);
	KUNIT_EXPECT_EQ(test, got.tag, 7ULL);

	/* The same content put again (another epoch): not the same put. */
	put.epoch = 5;
	KUNIT_ASSERT_EQ(test, puma_meta_store(meta, 3, 1, 0, &put,
					      GFP_KERNEL), 0);
	got = put;
	got.epoch = 4;
	KUNIT_EXPECT_FALSE(test, puma_meta_confirm(meta, 3, 1, 0, &got));
	KUNIT_ASSERT_TRUE(test, puma_meta_lookup(meta, 3, 1, 0, &got));
	KUNIT_EXPECT_TRUE(test, got.pending);
	KUNIT_EXPECT_EQ(test, got.epoch, 5);

	/* A newer put: the old record's forget must leave it alone. */
	KUNIT_ASSERT_EQ(test, puma_meta_store(meta, 3, 1, 0, &newer,
					      GFP_KERNEL), 0);
	KUNIT_EXPECT_FALSE(test, puma_meta_erase_if(meta, 3, 1, 0, &put));
	KUNIT_EXPECT_FALSE(test, puma_meta_confirm(meta, 3, 1, 0, &put));
	KUNIT_ASSERT_TRUE(test, puma_meta_lookup(meta, 3, 1, 0, &got));
	KUNIT_EXPECT_EQ(test, got.tag, 8ULL);
	KUNIT_EXPECT_TRUE(test, got.pending);

	/* Only exactly the record: pending mark and epoch too. */
	got = newer;
	got.pending = false;
	KUNIT_EXPECT_FALSE(test, puma_meta_erase_if(meta, 3, 1, 0, &got));
	got = newer;
	got.epoch = 1;
	KUNIT_EXPECT_FALSE(test, puma_meta_erase_if(meta, 3, 1, 0, &got));
	/* Its own erase works and bumps the sequence. */
	seq = puma_meta_seq(meta);
	KUNIT_EXPECT_TRUE(test, puma_meta_erase_if(meta, 3, 1, 0, &newer));
	KUNIT_EXPECT_GT(test, puma_meta_seq(meta), seq);
	KUNIT_EXPECT_FALSE(test, puma_meta_lookup(meta, 3, 1, 0, &got));
	meta_expect_counts(test, 0, 0);
	KUNIT_EXPECT_FALSE(test, puma_meta_erase_if(meta, 3, 1, 0, &newer));
}

static struct kunit_case puma_meta_test_cases[] = {
	KUNIT_CASE(meta_store_lookup_test),
	KUNIT_CASE(meta_replace_test),
	KUNIT_CASE(meta_replace_seq_test),
	KUNIT_CASE(meta_confirm_erase_if_test),
	KUNIT_CASE(meta_pack_test),
	KUNIT_CASE(meta_chunk_grow_test),
	KUNIT_CASE(meta_chunk_range_test),
	KUNIT_CASE(meta_generation_test),
	KUNIT_CASE(meta_take_test),
	KUNIT_CASE(meta_erase_page_test),
	KUNIT_CASE(meta_erase_range_test),
	KUNIT_CASE(meta_erase_range_edges_test),
	KUNIT_CASE(meta_erase_inode_test),
	KUNIT_CASE(meta_erase_lender_test),
	KUNIT_CASE(meta_erase_walk_test),
	KUNIT_CASE(meta_clear_test),
	KUNIT_CASE(meta_seq_test),
	KUNIT_CASE(meta_many_inodes_test),
	KUNIT_CASE(meta_irqs_off_test),
	KUNIT_CASE(meta_hardirq_test),
	KUNIT_CASE(meta_bytes_test),
	{}
};

static struct kunit_suite puma_meta_test_suite = {
	.name = "puma_meta",
	.suite_init = meta_suite_init,
	.suite_exit = meta_suite_exit,
	.init = meta_test_init,
	.exit = meta_test_exit,
	.test_cases = puma_meta_test_cases,
};

kunit_test_suite(puma_meta_test_suite);

MODULE_DESCRIPTION("KUnit tests for PUMA's page metadata");
MODULE_LICENSE("GPL");
