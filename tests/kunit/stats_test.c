// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for puma/stats.c: the per-CPU event counters and their names,
 * which are ABI (Documentation/ABI/testing/sysfs-kernel-puma).
 */
#include "../../puma/stats.c"

#include <kunit/test.h>
#include <linux/string.h>

/*
 * The names as documented.  A new counter must be added here, and to the
 * ABI document, or stats_names_abi_test fails.
 */
static const char * const stats_abi_names[PUMA_STAT_NR] = {
	[PUMA_STAT_POOLS_CREATED]	= "pools_created",
	[PUMA_STAT_PUTS]		= "puts",
	[PUMA_STAT_PUTS_INELIGIBLE]	= "puts_ineligible",
	[PUMA_STAT_GETS]		= "gets",
	[PUMA_STAT_GET_PAGES]		= "get_pages",
	[PUMA_STAT_INVALIDATE_PAGES]	= "invalidate_pages",
	[PUMA_STAT_INVALIDATE_INODES]	= "invalidate_inodes",
	[PUMA_STAT_INVALIDATE_FS]	= "invalidate_fs",
	[PUMA_STAT_PUTS_STAGED]		= "puts_staged",
	[PUMA_STAT_PUTS_SENT]		= "puts_sent",
	[PUMA_STAT_PUTS_HELD]		= "puts_already_held",
	[PUMA_STAT_PUTS_DROP_FULL]	= "puts_dropped_staging_full",
	[PUMA_STAT_PUTS_DROP_NO_LENDER]	= "puts_dropped_no_lender",
	[PUMA_STAT_PUTS_DROP_NOMEM]	= "puts_dropped_nomem",
	[PUMA_STAT_PUTS_DROP_UNSUPPORTED] = "puts_dropped_unsupported",
	[PUMA_STAT_PUTS_DROP_LENDER_GONE] = "puts_dropped_lender_gone",
	[PUMA_STAT_PUTS_DROP_STALE]	= "puts_dropped_stale",
	[PUMA_STAT_GET_REQUESTS]	= "get_requests",
	[PUMA_STAT_GET_REQUEST_PAGES]	= "get_request_pages",
	[PUMA_STAT_GET_HITS]		= "get_hits",
	[PUMA_STAT_GET_MISSES]		= "get_misses",
	[PUMA_STAT_GET_TIMEOUTS]	= "get_timeouts",
	[PUMA_STAT_GET_TAG_MISMATCHES]	= "get_tag_mismatches",
	[PUMA_STAT_GET_RACED]		= "get_raced",
	[PUMA_STAT_GET_FAILED]		= "get_failed",
	[PUMA_STAT_INVALIDATES_SENT]	= "invalidates_sent",
	[PUMA_STAT_INVALIDATES_DROPPED]	= "invalidates_dropped",
	[PUMA_STAT_BYTES_SENT]		= "bytes_sent",
	[PUMA_STAT_BYTES_RECEIVED]	= "bytes_received",
	[PUMA_STAT_LENDER_PAGES_STORED]	= "lender_pages_stored",
	[PUMA_STAT_LENDER_PAGES_RECLAIMED] = "lender_pages_reclaimed",
	[PUMA_STAT_LENDER_PAGES_DROPPED] = "lender_pages_dropped",
	[PUMA_STAT_LENDER_REFUSED_QUOTA] = "lender_refused_quota",
	[PUMA_STAT_LENDER_REFUSED_NOMEM] = "lender_refused_nomem",
	[PUMA_STAT_LENDER_GET_HITS]	= "lender_get_hits",
	[PUMA_STAT_LENDER_GET_MISSES]	= "lender_get_misses",
	[PUMA_STAT_PUTS_REFUSED]	= "puts_refused",
	[PUMA_STAT_GET_PENDING]		= "get_pages_pending",
	[PUMA_STAT_INVALIDATES_COALESCED] = "invalidates_coalesced",
	[PUMA_STAT_GET_SKIPPED_BACKOFF]	= "get_skipped_backoff",
	[PUMA_STAT_SENDS_CUT]		= "sends_cut_short",
	[PUMA_STAT_LENDER_REFUSED_MEMORY] = "lender_refused_memory",
	[PUMA_STAT_LENDER_REFUSED_FILES] = "lender_refused_files",
	[PUMA_STAT_LENDER_SESSIONS_REFUSED] = "lender_sessions_refused",
	[PUMA_STAT_LENDER_CONNS_REFUSED] = "lender_conns_refused",
	[PUMA_STAT_LENDER_IDLE_CLOSED]	= "lender_idle_closed",
	[PUMA_STAT_LENDER_HELLO_DENIED_LIVE] = "lender_hello_denied_live",
	[PUMA_STAT_LENDER_HELLO_DENIED_NO_PROOF] = "lender_hello_denied_no_proof",
	[PUMA_STAT_LENDER_HELLO_DENIED_BAD_PROOF] = "lender_hello_denied_bad_proof",
	[PUMA_STAT_LENDER_HELLO_DENIED_UNKNOWN] = "lender_hello_denied_unknown",
	[PUMA_STAT_LENDER_HELLO_DENIED_CHANNEL] = "lender_hello_denied_channel",
	[PUMA_STAT_MISSES_SEEN] = "misses_seen",
	[PUMA_STAT_MISSES_UNSEEN] = "misses_unseen",
	[PUMA_STAT_MISSES_UNSEEN_HELD] = "misses_unseen_held",
	[PUMA_STAT_GETS_FAULT] = "gets_fault",
	[PUMA_STAT_PUTS_DROP_LARGE] = "puts_dropped_large",
	[PUMA_STAT_PUTS_LARGE] = "puts_large_pages",
};

/* Every test gets a fresh set in test->priv, freed after it. */
static int stats_test_init(struct kunit *test)
{
	struct puma_stats *stats;

	stats = kunit_kzalloc(test, sizeof(*stats), GFP_KERNEL);
	if (!stats)
		return -ENOMEM;
	if (puma_stats_alloc(stats, GFP_KERNEL))
		return -ENOMEM;
	test->priv = stats;
	return 0;
}

static void stats_test_exit(struct kunit *test)
{
	struct puma_stats *stats = test->priv;

	if (stats)
		puma_stats_free(stats);
}

static void stats_expect_all(struct kunit *test, struct puma_stats *stats,
			     const u64 *want)
{
	unsigned int i;

	for (i = 0; i < PUMA_STAT_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, puma_stats_read(stats, i), want[i],
				    "counter %s", puma_stat_names[i]);
}

/* Are all counters of @cpu zero? */
static bool stats_cpu_zero(const struct puma_stats *stats, int cpu)
{
	return !memchr_inv(per_cpu_ptr(stats->cpu, cpu), 0,
			   sizeof(u64) * PUMA_STAT_NR);
}

/* Each name is set, usable as a sysfs file name, and unique. */
static void stats_names_valid_test(struct kunit *test)
{
	unsigned int i, j;
	const char *p;

	for (i = 0; i < PUMA_STAT_NR; i++) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, puma_stat_names[i],
					  "counter %u has no name", i);
		KUNIT_EXPECT_GT_MSG(test, strlen(puma_stat_names[i]), 0UL,
				    "counter %u", i);
		KUNIT_EXPECT_LT_MSG(test, strlen(puma_stat_names[i]), 32UL,
				    "counter %u", i);
		for (p = puma_stat_names[i]; *p; p++)
			KUNIT_EXPECT_TRUE_MSG(test,
					      (*p >= 'a' && *p <= 'z') ||
					      (*p >= '0' && *p <= '9') ||
					      *p == '_',
					      "counter %s: bad character",
					      puma_stat_names[i]);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ_MSG(test, puma_stat_names[i],
						puma_stat_names[j],
						"counters %u and %u", j, i);
	}
}

/* The names are ABI: none may change, and each index keeps its name. */
static void stats_names_abi_test(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < PUMA_STAT_NR; i++) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, stats_abi_names[i],
					  "counter %u (%s) is not documented",
					  i, puma_stat_names[i]);
		KUNIT_ASSERT_NOT_NULL(test, puma_stat_names[i]);
		KUNIT_EXPECT_STREQ(test, puma_stat_names[i],
				   stats_abi_names[i]);
	}
}

/* A new set reads all zeroes, with either allocation context. */
static void stats_alloc_zeroed_test(struct kunit *test)
{
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_ATOMIC };
	const u64 zero[PUMA_STAT_NR] = { };
	struct puma_stats stats;
	unsigned int i;
	int cpu;

	for (i = 0; i < ARRAY_SIZE(gfps); i++) {
		KUNIT_ASSERT_EQ(test, puma_stats_alloc(&stats, gfps[i]), 0);
		KUNIT_EXPECT_NOT_NULL(test, stats.cpu);
		for_each_possible_cpu(cpu)
			KUNIT_EXPECT_TRUE_MSG(test, stats_cpu_zero(&stats, cpu),
					      "cpu %d", cpu);
		stats_expect_all(test, &stats, zero);
		puma_stats_free(&stats);
	}
}

/* Freeing clears the pointer; a freed or never allocated set may be freed. */
static void stats_free_test(struct kunit *test)
{
	struct puma_stats stats = { };

	puma_stats_free(&stats);
	KUNIT_EXPECT_NULL(test, stats.cpu);

	KUNIT_ASSERT_EQ(test, puma_stats_alloc(&stats, GFP_KERNEL), 0);
	puma_stats_free(&stats);
	KUNIT_EXPECT_NULL(test, stats.cpu);
	puma_stats_free(&stats);
	KUNIT_EXPECT_NULL(test, stats.cpu);
}

/* add and inc change their counter and no other. */
static void stats_add_test(struct kunit *test)
{
	struct puma_stats *stats = test->priv;
	u64 want[PUMA_STAT_NR] = { };
	unsigned int i;

	puma_stats_inc(stats, PUMA_STAT_PUTS);
	want[PUMA_STAT_PUTS] = 1;
	stats_expect_all(test, stats, want);

	puma_stats_add(stats, PUMA_STAT_GET_PAGES, 32);
	puma_stats_add(stats, PUMA_STAT_GET_PAGES, 0);
	puma_stats_add(stats, PUMA_STAT_GET_PAGES, 5);
	want[PUMA_STAT_GET_PAGES] = 37;
	stats_expect_all(test, stats, want);

	/* Every counter, the first and the last included. */
	for (i = 0; i < PUMA_STAT_NR; i++) {
		puma_stats_add(stats, i, i + 100);
		want[i] += i + 100;
	}
	puma_stats_inc(stats, PUMA_STAT_INVALIDATE_FS);
	want[PUMA_STAT_INVALIDATE_FS]++;
	stats_expect_all(test, stats, want);
}

/* Counters are 64 bits wide, in add and in read. */
static void stats_wide_test(struct kunit *test)
{
	struct puma_stats *stats = test->priv;

	puma_stats_add(stats, PUMA_STAT_GETS, 1ULL << 32);
	puma_stats_add(stats, PUMA_STAT_GETS, U32_MAX);
	KUNIT_EXPECT_EQ(test, puma_stats_read(stats, PUMA_STAT_GETS),
			(1ULL << 33) - 1);

	puma_stats_add(stats, PUMA_STAT_PUTS, U64_MAX);
	KUNIT_EXPECT_EQ(test, puma_stats_read(stats, PUMA_STAT_PUTS), U64_MAX);
}

/* A read sums the values of all possible CPUs. */
static void stats_read_sums_cpus_test(struct kunit *test)
{
	struct puma_stats *stats = test->priv;
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		per_cpu_ptr(stats->cpu, cpu)[PUMA_STAT_GETS] = 1000 + cpu;
		sum += 1000 + cpu;
	}
	puma_stats_add(stats, PUMA_STAT_GETS, 7);
	KUNIT_EXPECT_EQ(test, puma_stats_read(stats, PUMA_STAT_GETS), sum + 7);
	KUNIT_EXPECT_EQ(test, puma_stats_read(stats, PUMA_STAT_PUTS), 0ULL);
}

/* Reset zeroes every counter on every CPU; counting then starts over. */
static void stats_reset_test(struct kunit *test)
{
	struct puma_stats *stats = test->priv;
	u64 want[PUMA_STAT_NR] = { };
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu)
		for (i = 0; i < PUMA_STAT_NR; i++)
			per_cpu_ptr(stats->cpu, cpu)[i] = cpu * 100 + i + 1;
	for (i = 0; i < PUMA_STAT_NR; i++)
		KUNIT_EXPECT_NE(test, puma_stats_read(stats, i), 0ULL);

	puma_stats_reset(stats);
	stats_expect_all(test, stats, want);
	for_each_possible_cpu(cpu)
		KUNIT_EXPECT_TRUE_MSG(test, stats_cpu_zero(stats, cpu),
				      "cpu %d", cpu);

	puma_stats_inc(stats, PUMA_STAT_POOLS_CREATED);
	want[PUMA_STAT_POOLS_CREATED] = 1;
	stats_expect_all(test, stats, want);
}

/* Two sets share nothing. */
static void stats_independent_test(struct kunit *test)
{
	struct puma_stats *stats = test->priv;
	const u64 zero[PUMA_STAT_NR] = { };
	struct puma_stats other;

	KUNIT_ASSERT_EQ(test, puma_stats_alloc(&other, GFP_KERNEL), 0);
	KUNIT_EXPECT_PTR_NE(test, other.cpu, stats->cpu);

	puma_stats_add(stats, PUMA_STAT_PUTS, 3);
	puma_stats_add(&other, PUMA_STAT_PUTS, 5);
	KUNIT_EXPECT_EQ(test, puma_stats_read(stats, PUMA_STAT_PUTS), 3ULL);
	KUNIT_EXPECT_EQ(test, puma_stats_read(&other, PUMA_STAT_PUTS), 5ULL);

	puma_stats_reset(&other);
	KUNIT_EXPECT_EQ(test, puma_stats_read(stats, PUMA_STAT_PUTS), 3ULL);
	stats_expect_all(test, &other, zero);
	puma_stats_free(&other);
}

static struct kunit_case puma_stats_test_cases[] = {
	KUNIT_CASE(stats_names_valid_test),
	KUNIT_CASE(stats_names_abi_test),
	KUNIT_CASE(stats_alloc_zeroed_test),
	KUNIT_CASE(stats_free_test),
	KUNIT_CASE(stats_add_test),
	KUNIT_CASE(stats_wide_test),
	KUNIT_CASE(stats_read_sums_cpus_test),
	KUNIT_CASE(stats_reset_test),
	KUNIT_CASE(stats_independent_test),
	{}
};

static struct kunit_suite puma_stats_test_suite = {
	.name = "puma_stats",
	.init = stats_test_init,
	.exit = stats_test_exit,
	.test_cases = puma_stats_test_cases,
};

kunit_test_suite(puma_stats_test_suite);

MODULE_DESCRIPTION("KUnit tests for PUMA's counters");
MODULE_LICENSE("GPL");
