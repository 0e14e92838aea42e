// SPDX-License-Identifier: GPL-2.0
/*
 * PUMA's event counters.
 *
 * Counters are bumped on the page-cache eviction path with IRQs off, so they
 * are per-CPU and never take a lock; a read sums all possible CPUs and may
 * miss an increment that is in flight, which is fine for statistics.
 */
#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "stats.h"

const char * const puma_stat_names[PUMA_STAT_NR] = {
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
	[PUMA_STAT_MISSES_SEEN]		= "misses_seen",
	[PUMA_STAT_MISSES_UNSEEN]	= "misses_unseen",
	[PUMA_STAT_MISSES_UNSEEN_HELD]	= "misses_unseen_held",
	[PUMA_STAT_GETS_FAULT]		= "gets_fault",
	[PUMA_STAT_PUTS_DROP_LARGE]	= "puts_dropped_large",
	[PUMA_STAT_PUTS_LARGE]		= "puts_large_pages",
};

/**
 * puma_stats_alloc() - allocate a zeroed counter set
 * @stats: the set to initialise
 * @gfp: allocation flags (GFP_ATOMIC on the eviction path)
 *
 * Return: 0 or -ENOMEM.
 */
int puma_stats_alloc(struct puma_stats *stats, gfp_t gfp)
{
	stats->cpu = __alloc_percpu_gfp(sizeof(u64) * PUMA_STAT_NR,
					__alignof__(u64), gfp);
	return stats->cpu ? 0 : -ENOMEM;
}

/**
 * puma_stats_free() - free a counter set; a NULL set is ignored
 * @stats: the set
 */
void puma_stats_free(struct puma_stats *stats)
{
	free_percpu(stats->cpu);
	stats->cpu = NULL;
}

/**
 * puma_stats_read() - the current value of one counter
 * @stats: the set
 * @stat: which counter
 *
 * Return: the sum over all possible CPUs.
 */
u64 puma_stats_read(const struct puma_stats *stats, enum puma_stat stat)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(stats->cpu, cpu)[stat];
	return sum;
}

/**
 * puma_stats_reset() - set every counter of @stats to zero
 * @stats: the set
 *
 * Context: process; racing increments may survive the reset.
 */
void puma_stats_reset(struct puma_stats *stats)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(stats->cpu, cpu), 0,
		       sizeof(u64) * PUMA_STAT_NR);
}
