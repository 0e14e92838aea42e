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
	/* borrower: puts */
	PUMA_STAT_PUTS_STAGED,		/* copied into the staging pool */
	PUMA_STAT_PUTS_SENT,		/* sent to a lender */
	PUMA_STAT_PUTS_HELD,		/* already held with this content */
	PUMA_STAT_PUTS_DROP_FULL,	/* dropped: staging pool full */
	PUMA_STAT_PUTS_DROP_NO_LENDER,	/* dropped: no connected lender */
	PUMA_STAT_PUTS_DROP_NOMEM,	/* dropped: no memory for metadata */
	/* dropped: large folio, encrypted, verity, direct I/O in flight */
	PUMA_STAT_PUTS_DROP_UNSUPPORTED,
	PUMA_STAT_PUTS_DROP_LENDER_GONE, /* dropped: lender left or failed */
	PUMA_STAT_PUTS_DROP_STALE,	/* dropped: invalidated while staged */
	/* borrower: gets */
	PUMA_STAT_GET_REQUESTS,		/* GET messages sent */
	PUMA_STAT_GET_REQUEST_PAGES,	/* pages asked for in them */
	PUMA_STAT_GET_HITS,		/* pages that came back and were used */
	PUMA_STAT_GET_MISSES,		/* pages the lender did not have */
	PUMA_STAT_GET_TIMEOUTS,		/* requests abandoned at get_timeout_ms */
	PUMA_STAT_GET_TAG_MISMATCHES,	/* pages whose integrity tag was wrong */
	PUMA_STAT_GET_RACED,		/* pages invalidated during their fetch */
	PUMA_STAT_GET_FAILED,		/* requests not sent or cut off */
	/* borrower: invalidations and traffic */
	PUMA_STAT_INVALIDATES_SENT,	/* INVALIDATE_* messages sent */
	PUMA_STAT_INVALIDATES_DROPPED,	/* not sent: lender gone */
	PUMA_STAT_BYTES_SENT,		/* bytes sent to all peers */
	PUMA_STAT_BYTES_RECEIVED,	/* bytes received from all peers */
	/* lender */
	PUMA_STAT_LENDER_PAGES_STORED,	/* pages received and kept */
	PUMA_STAT_LENDER_PAGES_RECLAIMED, /* taken back by the kernel */
	PUMA_STAT_LENDER_PAGES_DROPPED,	/* dropped on a borrower's request */
	PUMA_STAT_LENDER_REFUSED_QUOTA,	/* pages refused: borrower's quota */
	PUMA_STAT_LENDER_REFUSED_NOMEM,	/* pages refused: no memory */
	PUMA_STAT_LENDER_GET_HITS,	/* pages sent back */
	PUMA_STAT_LENDER_GET_MISSES,	/* pages asked for and not held */
	/* Appended: the names are ABI, each index keeps its name. */
	PUMA_STAT_PUTS_REFUSED,		/* sent, and the lender did not keep */
	PUMA_STAT_GET_PENDING,		/* not asked for: put not acknowledged */
	PUMA_STAT_INVALIDATES_COALESCED, /* queue full: the pool's instead */
	PUMA_STAT_GET_SKIPPED_BACKOFF,	/* not sent: backing off the lender */
	PUMA_STAT_SENDS_CUT,		/* messages cut short: disconnected */
	/* pages refused: all borrowers together hold max-memory */
	PUMA_STAT_LENDER_REFUSED_MEMORY,
	PUMA_STAT_LENDER_REFUSED_FILES,	/* pages refused: store's file limit */
	/* HELLOs refused (busy): lender_max_sessions sessions served */
	PUMA_STAT_LENDER_SESSIONS_REFUSED,
	/* connections refused: pending or total cap, 3rd of a session */
	PUMA_STAT_LENDER_CONNS_REFUSED,
	PUMA_STAT_LENDER_IDLE_CLOSED,	/* connections closed: session idle */
	/* lender: HELLOs refused with PUMA_HELLO_DENIED */
	PUMA_STAT_LENDER_HELLO_DENIED_LIVE, /* new session, node's still live */
	PUMA_STAT_LENDER_HELLO_DENIED_NO_PROOF, /* live session, no proof */
	PUMA_STAT_LENDER_HELLO_DENIED_BAD_PROOF, /* live session, wrong proof */
	PUMA_STAT_LENDER_HELLO_DENIED_UNKNOWN, /* a proof, no such live session */
	PUMA_STAT_LENDER_HELLO_DENIED_CHANNEL, /* the session has that channel */
	/* coverage: page-cache misses of files with a pool */
	PUMA_STAT_MISSES_SEEN,		/* looked up by a get (readahead, fault) */
	PUMA_STAT_MISSES_UNSEEN,	/* read by ->read_folio, not looked up */
	PUMA_STAT_MISSES_UNSEEN_HELD,	/* of those, pages a lender held */
	PUMA_STAT_GETS_FAULT,		/* faults without read-around fetched for */
	PUMA_STAT_PUTS_DROP_LARGE,	/* pages of folios too large to put */
	PUMA_STAT_PUTS_LARGE,		/* pages staged from large folios */
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
