// SPDX-License-Identifier: GPL-2.0
/*
 * Round-trip times of gets, as the borrower sees them: from the moment a
 * GET is sent to the moment its GET_RESP has arrived.
 *
 * Two figures, both module-wide and lockless, since gets complete on every
 * CPU at once:
 *
 * - a smoothed round trip, the exponentially weighted moving average that
 *   the pings use too (rtt = rtt - rtt / 8 + sample / 8, the first sample
 *   taken as it is).  It is kept as eight times the average in one atomic
 *   word and updated by a compare-and-exchange loop, so that the division
 *   by 8 loses no precision from one sample to the next;
 * - a histogram of PUMA_RTT_BUCKETS per-CPU counters: bucket i counts the
 *   samples of at most PUMA_RTT_BUCKET_MIN_US << i microseconds, the last
 *   one every sample above the bound of the one before it.
 *
 * The pure arithmetic (puma_rtt_bucket_of(), puma_rtt_ewma_next()) is
 * tested by tests/kunit/rtt_test.c.
 */
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/time64.h>

#include "rtt.h"

/* The smoothed value is kept scaled by 8 (1 << PUMA_RTT_EWMA_SHIFT). */
#define PUMA_RTT_EWMA_SHIFT	3
/* The scaled value before the first sample. */
#define PUMA_RTT_EWMA_NONE	U64_MAX

static atomic64_t puma_rtt_ewma8 = ATOMIC64_INIT((s64)PUMA_RTT_EWMA_NONE);

/**
 * struct puma_rtt_hist - one CPU's histogram
 * @n: samples per bucket
 */
struct puma_rtt_hist {
	u64 n[PUMA_RTT_BUCKETS];
};

static DEFINE_PER_CPU(struct puma_rtt_hist, puma_rtt_hist);

/*
 * The bucket of a round trip of @ns nanoseconds.  Bucket i holds the
 * samples of at most (PUMA_RTT_BUCKET_MIN_US << i) us, so the sample is
 * rounded up to whole microseconds first: 64,001 ns is above 64 us.
 */
static unsigned int puma_rtt_bucket_of(u64 ns)
{
	u32 rem;
	u64 us = div_u64_rem(ns, NSEC_PER_USEC, &rem) + !!rem;
	unsigned int i;

	if (us <= PUMA_RTT_BUCKET_MIN_US)
		return 0;
	/* The smallest i with us <= MIN << i, i.e. ceil(log2(us / MIN)). */
	i = fls64(us - 1) - ilog2(PUMA_RTT_BUCKET_MIN_US);
	return min(i, PUMA_RTT_BUCKETS - 1U);
}

/*
 * The scaled average after a sample of @us microseconds, from the scaled
 * average @ewma8 (PUMA_RTT_EWMA_NONE before the first sample):
 *   8 * new = 8 * old - (8 * old) / 8 + sample.
 */
static u64 puma_rtt_ewma_next(u64 ewma8, u64 us)
{
	if (ewma8 == PUMA_RTT_EWMA_NONE)
		return us << PUMA_RTT_EWMA_SHIFT;
	return ewma8 - (ewma8 >> PUMA_RTT_EWMA_SHIFT) + us;
}

/**
 * puma_rtt_record() - account one get's round trip
 * @ns: the time from sending the GET to receiving its answer, in
 *	nanoseconds
 *
 * Call it once per GET that was answered, not for one that timed out.
 *
 * Context: any, including hard IRQ; lockless.
 */
void puma_rtt_record(u64 ns)
{
	/* Below 2^64 / 1000 us: the scaled average cannot overflow. */
	u64 us = div_u64(ns, NSEC_PER_USEC);
	s64 old = atomic64_read(&puma_rtt_ewma8);

	this_cpu_inc(puma_rtt_hist.n[puma_rtt_bucket_of(ns)]);
	while (!atomic64_try_cmpxchg(&puma_rtt_ewma8, &old,
				     puma_rtt_ewma_next(old, us)))
		;
}

/**
 * puma_rtt_ewma_us() - the smoothed round trip of gets
 *
 * Context: any.
 * Return: microseconds, 0 before the first get was answered.
 */
u64 puma_rtt_ewma_us(void)
{
	u64 ewma8 = atomic64_read(&puma_rtt_ewma8);

	if (ewma8 == PUMA_RTT_EWMA_NONE)
		return 0;
	return ewma8 >> PUMA_RTT_EWMA_SHIFT;
}

/**
 * puma_rtt_bucket() - one bucket of the histogram of round trips
 * @i: the bucket, below PUMA_RTT_BUCKETS
 *
 * Context: any.  A sample recorded meanwhile may be missed.
 * Return: the number of samples in bucket @i since the module loaded, 0
 * for a bucket that does not exist.
 */
u64 puma_rtt_bucket(unsigned int i)
{
	u64 sum = 0;
	int cpu;

	if (i >= PUMA_RTT_BUCKETS)
		return 0;
	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(&puma_rtt_hist, cpu)->n[i];
	return sum;
}
