/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Gauges: figures that are not event counters but levels read when asked
 * (pages staged now, memory the metadata takes, the smoothed round trip,
 * ...).  They go up and down, and sysfs and netlink list them after the
 * counters, under names distinct from the counters' names.
 */
#ifndef _PUMA_GAUGE_H
#define _PUMA_GAUGE_H

#include <linux/types.h>

#include "rtt.h"

/*
 * Every gauge, in the order sysfs and netlink list them.  The names in
 * gauge.c are ABI, as the counters' are
 * (Documentation/ABI/testing/sysfs-kernel-puma).
 */
enum puma_gauge {
	PUMA_GAUGE_STAGING_PAGES_USED,	/* borrower: pages staged now */
	PUMA_GAUGE_STAGING_PAGES_CAPACITY, /* borrower: staging pool size */
	PUMA_GAUGE_META_PAGES,		/* borrower: pages lenders hold */
	PUMA_GAUGE_META_INODES,		/* borrower: files with such pages */
	PUMA_GAUGE_META_BYTES,		/* borrower: memory of their records */
	PUMA_GAUGE_META_BITS_PER_PAGE,	/* borrower: the same per page */
	PUMA_GAUGE_GET_RTT_EWMA_US,	/* borrower: smoothed get round trip */
	/* borrower: histogram of get round trips, one gauge per bucket */
	PUMA_GAUGE_GET_RTT_FIRST,
	PUMA_GAUGE_GET_RTT_LAST = PUMA_GAUGE_GET_RTT_FIRST +
				  PUMA_RTT_BUCKETS - 1,
	PUMA_GAUGE_LENDER_PAGES_HELD,	/* lender: pages held for borrowers */
	PUMA_GAUGE_PUTS_UNACKED,	/* borrower: pages sent, not acked */
	PUMA_GAUGE_GET_WAIT_MAX_US,	/* borrower: longest wait of a window */
	PUMA_GAUGE_LENDER_FILES,	/* lender: files (inodes) they use */
	PUMA_GAUGE_STAGING_RATE,	/* borrower: pages/s senders drain */
	PUMA_GAUGE_NR,
};

extern const char * const puma_gauge_names[PUMA_GAUGE_NR];

u64 puma_gauge_read(enum puma_gauge gauge);
void puma_gauge_read_all(u64 values[PUMA_GAUGE_NR]);

#endif /* _PUMA_GAUGE_H */
