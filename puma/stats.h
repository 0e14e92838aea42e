/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PUMA's event counters: one per-CPU array per owner (the module as a
 * whole, and each filesystem pool), summed when read.
 */
#ifndef _PUMA_STATS_H
#define _PUMA_STATS_H

#include <linux/gfp.h>
#include <linux/percpu.h>
#include <linux/types.h>

/*
 * Every counter, in the order sysfs and netlink list them.  The names in
 * stats.c are the sysfs file names and the netlink PUMA_STAT_A_NAME values:
 * they are ABI (Documentation/ABI/testing/sysfs-kernel-puma).
 */
enum puma_stat {
	PUMA_STAT_POOLS_CREATED,	/* init_fs: a filesystem pool appeared */
	PUMA_STAT_PUTS,			/* clean pages offered by eviction */
	PUMA_STAT_PUTS_INELIGIBLE,	/* evicted but dirty/not uptodate/... */
	PUMA_STAT_GETS,			/* readahead calls seen (get batches) */
	PUMA_STAT_GET_PAGES,		/* pages those readahead calls asked for */
	PUMA_STAT_INVALIDATE_PAGES,	/* pages removed to change content */
	PUMA_STAT_INVALIDATE_INODES,	/* truncate, direct I/O, inode evict */
	PUMA_STAT_INVALIDATE_FS,	/* unmount */
	PUMA_STAT_NR,
};

extern const char * const puma_stat_names[PUMA_STAT_NR];

/**
 * struct puma_stats - a set of PUMA_STAT_NR counters
 * @cpu: per-CPU arrays of PUMA_STAT_NR values
 */
struct puma_stats {
	u64 __percpu *cpu;
};

int puma_stats_alloc(struct puma_stats *stats, gfp_t gfp);
void puma_stats_free(struct puma_stats *stats);
u64 puma_stats_read(const struct puma_stats *stats, enum puma_stat stat);
void puma_stats_reset(struct puma_stats *stats);

/**
 * puma_stats_add() - add @n to counter @stat
 * @stats: the counter set
 * @stat: which counter
 * @n: amount
 *
 * Context: any, including with IRQs off; one per-CPU instruction on x86.
 */
static inline void puma_stats_add(struct puma_stats *stats,
				  enum puma_stat stat, u64 n)
{
	this_cpu_add(stats->cpu[stat], n);
}

static inline void puma_stats_inc(struct puma_stats *stats,
				  enum puma_stat stat)
{
	puma_stats_add(stats, stat, 1);
}

#endif /* _PUMA_STATS_H */
