// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for puma/rtt.c: the histogram buckets and the smoothed round
 * trip of gets.
 */
#include "../../puma/rtt.c"

#include <kunit/test.h>
#include <linux/string.h>

/* The bound of bucket @i in nanoseconds (the last bucket has none). */
static u64 rtt_bound_ns(unsigned int i)
{
	return ((u64)PUMA_RTT_BUCKET_MIN_US << i) * NSEC_PER_USEC;
}

/* Start every test from a module that recorded nothing. */
static int rtt_test_init(struct kunit *test)
{
	int cpu;

	atomic64_set(&puma_rtt_ewma8, (s64)PUMA_RTT_EWMA_NONE);
	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&puma_rtt_hist, cpu), 0,
		       sizeof(struct puma_rtt_hist));
	return 0;
}

/* The geometry that the gauge names (get_rtt_le_64us...) spell out. */
static void rtt_geometry_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, PUMA_RTT_BUCKET_MIN_US, 64);
	KUNIT_EXPECT_EQ(test, PUMA_RTT_BUCKETS, 14);
}

/* Each bound belongs to its bucket, one nanosecond more to the next. */
static void rtt_bucket_edges_test(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < PUMA_RTT_BUCKETS - 1; i++) {
		u64 bound = rtt_bound_ns(i);

		KUNIT_EXPECT_EQ_MSG(test, puma_rtt_bucket_of(bound), i,
				    "%llu ns", bound);
		KUNIT_EXPECT_EQ_MSG(test, puma_rtt_bucket_of(bound + 1), i + 1,
				    "%llu ns", bound + 1);
		KUNIT_EXPECT_EQ_MSG(test, puma_rtt_bucket_of(bound - 1), i,
				    "%llu ns", bound - 1);
	}
}

/* The first bucket starts at zero, the last has no end. */
static void rtt_bucket_ends_test(struct kunit *test)
{
	const unsigned int last = PUMA_RTT_BUCKETS - 1;

	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(0), 0U);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(1), 0U);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(999), 0U);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(64 * NSEC_PER_USEC), 0U);

	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(rtt_bound_ns(last)), last);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(rtt_bound_ns(last) * 2),
			last);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(NSEC_PER_SEC), last);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(3600 * NSEC_PER_SEC), last);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(U64_MAX), last);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(U64_MAX - 1), last);
}

/* A part of a microsecond above a bound is above it. */
static void rtt_bucket_rounding_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(64 * NSEC_PER_USEC + 1), 1U);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(64 * NSEC_PER_USEC + 999), 1U);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(65 * NSEC_PER_USEC), 1U);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(128 * NSEC_PER_USEC), 1U);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(129 * NSEC_PER_USEC), 2U);
	/* 1 ms, 2.5 ms (the original PUMA's threshold), 40 ms. */
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(1000 * NSEC_PER_USEC), 4U);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(2500 * NSEC_PER_USEC), 6U);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket_of(40000 * NSEC_PER_USEC), 10U);
}

/* The first sample is taken as it is, in whole microseconds. */
static void rtt_ewma_first_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, puma_rtt_ewma_us(), 0ULL);
	KUNIT_EXPECT_EQ(test, puma_rtt_ewma_next(PUMA_RTT_EWMA_NONE, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, puma_rtt_ewma_next(PUMA_RTT_EWMA_NONE, 1234),
			1234ULL << PUMA_RTT_EWMA_SHIFT);

	puma_rtt_record(1234567);
	KUNIT_EXPECT_EQ(test, puma_rtt_ewma_us(), 1234ULL);
}

/* A first sample of 0 us is a sample: the next one is smoothed. */
static void rtt_ewma_zero_first_test(struct kunit *test)
{
	puma_rtt_record(10);
	KUNIT_EXPECT_EQ(test, puma_rtt_ewma_us(), 0ULL);
	puma_rtt_record(800 * NSEC_PER_USEC);
	KUNIT_EXPECT_EQ(test, puma_rtt_ewma_us(), 100ULL);
}

/* One step is old - old / 8 + sample / 8. */
static void rtt_ewma_step_test(struct kunit *test)
{
	puma_rtt_record(1000 * NSEC_PER_USEC);
	puma_rtt_record(1800 * NSEC_PER_USEC);
	KUNIT_EXPECT_EQ(test, puma_rtt_ewma_us(), 1100ULL);
	puma_rtt_record(300 * NSEC_PER_USEC);
	KUNIT_EXPECT_EQ(test, puma_rtt_ewma_us(), 1000ULL);
}

/*
 * Constant samples bring the average to them, from above and from below,
 * exactly: keeping eight times the average loses nothing to the / 8.
 */
static void rtt_ewma_converge_test(struct kunit *test)
{
	static const u64 targets[] = { 0, 1, 7, 64, 1000, 123457 };
	unsigned int t, n;
	u64 ewma8;

	for (t = 0; t < ARRAY_SIZE(targets); t++) {
		u64 starts[] = { 0, targets[t] / 2, targets[t] * 3 + 5,
				 1000000 };
		unsigned int s;

		for (s = 0; s < ARRAY_SIZE(starts); s++) {
			ewma8 = puma_rtt_ewma_next(PUMA_RTT_EWMA_NONE,
						   starts[s]);
			for (n = 0; n < 200; n++)
				ewma8 = puma_rtt_ewma_next(ewma8, targets[t]);
			KUNIT_EXPECT_EQ_MSG(test,
					    ewma8 >> PUMA_RTT_EWMA_SHIFT,
					    targets[t], "from %llu",
					    starts[s]);
		}
	}

	/* Half way there after 5 or 6 samples, as a gain of 1/8 gives. */
	ewma8 = puma_rtt_ewma_next(PUMA_RTT_EWMA_NONE, 0);
	for (n = 0; n < 5; n++)
		ewma8 = puma_rtt_ewma_next(ewma8, 8000);
	KUNIT_EXPECT_LT(test, ewma8 >> PUMA_RTT_EWMA_SHIFT, 4000ULL);
	ewma8 = puma_rtt_ewma_next(ewma8, 8000);
	KUNIT_EXPECT_GT(test, ewma8 >> PUMA_RTT_EWMA_SHIFT, 4000ULL);
}

/* The same through puma_rtt_record(), in nanoseconds. */
static void rtt_record_converge_test(struct kunit *test)
{
	unsigned int n;

	puma_rtt_record(10 * NSEC_PER_MSEC);
	for (n = 0; n < 300; n++)
		puma_rtt_record(250 * NSEC_PER_USEC + 999);
	KUNIT_EXPECT_EQ(test, puma_rtt_ewma_us(), 250ULL);
}

/* The largest sample neither overflows the average nor the buckets. */
static void rtt_record_huge_test(struct kunit *test)
{
	const u64 max_us = div_u64(U64_MAX, NSEC_PER_USEC);

	puma_rtt_record(U64_MAX);
	KUNIT_EXPECT_EQ(test, puma_rtt_ewma_us(), max_us);
	puma_rtt_record(U64_MAX);
	KUNIT_EXPECT_EQ(test, puma_rtt_ewma_us(), max_us);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket(PUMA_RTT_BUCKETS - 1), 2ULL);
}

/* Each sample lands in one bucket; the others do not move. */
static void rtt_record_hist_test(struct kunit *test)
{
	u64 want[PUMA_RTT_BUCKETS] = { };
	unsigned int i;

	for (i = 0; i < PUMA_RTT_BUCKETS; i++)
		KUNIT_EXPECT_EQ(test, puma_rtt_bucket(i), 0ULL);

	puma_rtt_record(0);
	want[0]++;
	puma_rtt_record(64 * NSEC_PER_USEC);
	want[0]++;
	puma_rtt_record(64 * NSEC_PER_USEC + 1);
	want[1]++;
	for (i = 0; i < 5; i++)
		puma_rtt_record(3 * NSEC_PER_MSEC);
	want[6] += 5;
	puma_rtt_record(10 * NSEC_PER_SEC);
	want[PUMA_RTT_BUCKETS - 1]++;

	for (i = 0; i < PUMA_RTT_BUCKETS; i++)
		KUNIT_EXPECT_EQ_MSG(test, puma_rtt_bucket(i), want[i],
				    "bucket %u", i);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket(PUMA_RTT_BUCKETS), 0ULL);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket(~0U), 0ULL);
}

/* A read sums every CPU's histogram. */
static void rtt_bucket_sums_cpus_test(struct kunit *test)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		per_cpu_ptr(&puma_rtt_hist, cpu)->n[3] = 100 + cpu;
		sum += 100 + cpu;
	}
	puma_rtt_record(rtt_bound_ns(3));
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket(3), sum + 1);
	KUNIT_EXPECT_EQ(test, puma_rtt_bucket(2), 0ULL);
}

static struct kunit_case puma_rtt_test_cases[] = {
	KUNIT_CASE(rtt_geometry_test),
	KUNIT_CASE(rtt_bucket_edges_test),
	KUNIT_CASE(rtt_bucket_ends_test),
	KUNIT_CASE(rtt_bucket_rounding_test),
	KUNIT_CASE(rtt_ewma_first_test),
	KUNIT_CASE(rtt_ewma_zero_first_test),
	KUNIT_CASE(rtt_ewma_step_test),
	KUNIT_CASE(rtt_ewma_converge_test),
	KUNIT_CASE(rtt_record_converge_test),
	KUNIT_CASE(rtt_record_huge_test),
	KUNIT_CASE(rtt_record_hist_test),
	KUNIT_CASE(rtt_bucket_sums_cpus_test),
	{}
};

static struct kunit_suite puma_rtt_test_suite = {
	.name = "puma_rtt",
	.init = rtt_test_init,
	.test_cases = puma_rtt_test_cases,
};

kunit_test_suite(puma_rtt_test_suite);

MODULE_DESCRIPTION("KUnit tests for PUMA's get round trips");
MODULE_LICENSE("GPL");
