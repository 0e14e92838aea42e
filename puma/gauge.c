// SPDX-License-Identifier: GPL-2.0
/*
 * PUMA's gauges: levels read when asked, next to the event counters of
 * stats.c.  Each one is computed from the unit that owns the figure: the
 * staging pool (stage.c), the metadata of every pool (meta.c), the round
 * trips of gets (rtt.c), the waits of readahead windows (fetch.c) and the
 * lender's store (store.c).
 */
#include <linux/build_bug.h>
#include <linux/math64.h>

#include "borrower.h"
#include "gauge.h"
#include "meta.h"
#include "pool.h"
#include "rtt.h"
#include "stage.h"
#include "store.h"

/* The histogram's names spell its bounds out: 64 << i microseconds. */
static_assert(PUMA_RTT_BUCKET_MIN_US == 64 && PUMA_RTT_BUCKETS == 14,
	      "the get_rtt_* gauge names no longer match rtt.h");

const char * const puma_gauge_names[PUMA_GAUGE_NR] = {
	[PUMA_GAUGE_STAGING_PAGES_USED]		= "staging_pages_used",
	[PUMA_GAUGE_STAGING_PAGES_CAPACITY]	= "staging_pages_capacity",
	[PUMA_GAUGE_PUTS_UNACKED]		= "puts_unacked",
	[PUMA_GAUGE_META_PAGES]			= "meta_pages",
	[PUMA_GAUGE_META_INODES]		= "meta_inodes",
	[PUMA_GAUGE_META_BYTES]			= "meta_bytes",
	[PUMA_GAUGE_META_BITS_PER_PAGE]		= "meta_bits_per_page",
	[PUMA_GAUGE_GET_RTT_EWMA_US]		= "get_rtt_ewma_us",
	[PUMA_GAUGE_GET_RTT_FIRST + 0]		= "get_rtt_le_64us",
	[PUMA_GAUGE_GET_RTT_FIRST + 1]		= "get_rtt_le_128us",
	[PUMA_GAUGE_GET_RTT_FIRST + 2]		= "get_rtt_le_256us",
	[PUMA_GAUGE_GET_RTT_FIRST + 3]		= "get_rtt_le_512us",
	[PUMA_GAUGE_GET_RTT_FIRST + 4]		= "get_rtt_le_1024us",
	[PUMA_GAUGE_GET_RTT_FIRST + 5]		= "get_rtt_le_2048us",
	[PUMA_GAUGE_GET_RTT_FIRST + 6]		= "get_rtt_le_4096us",
	[PUMA_GAUGE_GET_RTT_FIRST + 7]		= "get_rtt_le_8192us",
	[PUMA_GAUGE_GET_RTT_FIRST + 8]		= "get_rtt_le_16384us",
	[PUMA_GAUGE_GET_RTT_FIRST + 9]		= "get_rtt_le_32768us",
	[PUMA_GAUGE_GET_RTT_FIRST + 10]		= "get_rtt_le_65536us",
	[PUMA_GAUGE_GET_RTT_FIRST + 11]		= "get_rtt_le_131072us",
	[PUMA_GAUGE_GET_RTT_FIRST + 12]		= "get_rtt_le_262144us",
	[PUMA_GAUGE_GET_RTT_LAST]		= "get_rtt_gt_262144us",
	[PUMA_GAUGE_LENDER_PAGES_HELD]		= "lender_pages_held",
	[PUMA_GAUGE_GET_WAIT_MAX_US]		= "get_wait_max_us",
	[PUMA_GAUGE_LENDER_FILES]		= "lender_files",
	[PUMA_GAUGE_STAGING_RATE]		= "staging_drain_pages_per_s",
};

/**
 * struct puma_gauge_meta - the metadata of all pools, summed
 * @pages: records
 * @inodes: inodes with records
 * @bytes: memory they take, if asked for
 */
struct puma_gauge_meta {
	u64 pages;
	u64 inodes;
	u64 bytes;
};

/*
 * Sum the metadata figures over the pools.  @bytes: walk the records for
 * their size too, which costs a read of every XArray node.
 */
static void puma_gauge_meta_sum(struct puma_gauge_meta *sum, bool bytes)
{
	unsigned long index = 0;
	struct puma_pool *pool;

	*sum = (struct puma_gauge_meta) { };
	while ((pool = puma_pool_next(&index))) {
		sum->pages += puma_meta_pages(&pool->meta);
		sum->inodes += puma_meta_inodes(&pool->meta);
		if (bytes)
			sum->bytes += puma_meta_bytes(&pool->meta);
		puma_pool_put(pool);
	}
}

static u64 puma_gauge_bits_per_page(const struct puma_gauge_meta *sum)
{
	return sum->pages ? div64_u64(sum->bytes * BITS_PER_BYTE, sum->pages)
			  : 0;
}

/**
 * puma_gauge_read() - the current value of one gauge
 * @gauge: which gauge
 *
 * meta_bytes and meta_bits_per_page walk the records of every pool, the
 * other gauges are a few loads.  The pools are summed one after the other,
 * so the sum is not a snapshot when pools change meanwhile.
 *
 * Context: process (sysfs, netlink).
 * Return: the value; 0 for a gauge that does not exist.
 */
u64 puma_gauge_read(enum puma_gauge gauge)
{
	struct puma_gauge_meta meta;

	switch (gauge) {
	case PUMA_GAUGE_STAGING_PAGES_USED:
		return puma_stage_used();
	case PUMA_GAUGE_STAGING_PAGES_CAPACITY:
		return puma_stage_capacity();
	case PUMA_GAUGE_PUTS_UNACKED:
		return puma_stage_unacked();
	case PUMA_GAUGE_META_PAGES:
		puma_gauge_meta_sum(&meta, false);
		return meta.pages;
	case PUMA_GAUGE_META_INODES:
		puma_gauge_meta_sum(&meta, false);
		return meta.inodes;
	case PUMA_GAUGE_META_BYTES:
		puma_gauge_meta_sum(&meta, true);
		return meta.bytes;
	case PUMA_GAUGE_META_BITS_PER_PAGE:
		puma_gauge_meta_sum(&meta, true);
		return puma_gauge_bits_per_page(&meta);
	case PUMA_GAUGE_GET_RTT_EWMA_US:
		return puma_rtt_ewma_us();
	case PUMA_GAUGE_GET_RTT_FIRST ... PUMA_GAUGE_GET_RTT_LAST:
		return puma_rtt_bucket(gauge - PUMA_GAUGE_GET_RTT_FIRST);
	case PUMA_GAUGE_LENDER_PAGES_HELD:
		return puma_store_held_pages();
	case PUMA_GAUGE_GET_WAIT_MAX_US:
		return puma_fetch_wait_max_us();
	case PUMA_GAUGE_LENDER_FILES:
		return puma_store_files();
	case PUMA_GAUGE_STAGING_RATE:
		return puma_stage_rate();
	case PUMA_GAUGE_NR:
		break;
	}
	return 0;
}

/**
 * puma_gauge_read_all() - the current value of every gauge
 * @values: PUMA_GAUGE_NR values, indexed by enum puma_gauge
 *
 * As puma_gauge_read() for each gauge, but the pools are walked once, so
 * meta_bits_per_page agrees with meta_pages and meta_bytes.
 *
 * Context: process (netlink).
 */
void puma_gauge_read_all(u64 values[PUMA_GAUGE_NR])
{
	struct puma_gauge_meta meta;
	unsigned int i;

	puma_gauge_meta_sum(&meta, true);
	for (i = 0; i < PUMA_GAUGE_NR; i++) {
		switch (i) {
		case PUMA_GAUGE_META_PAGES:
			values[i] = meta.pages;
			break;
		case PUMA_GAUGE_META_INODES:
			values[i] = meta.inodes;
			break;
		case PUMA_GAUGE_META_BYTES:
			values[i] = meta.bytes;
			break;
		case PUMA_GAUGE_META_BITS_PER_PAGE:
			values[i] = puma_gauge_bits_per_page(&meta);
			break;
		default:
			values[i] = puma_gauge_read(i);
			break;
		}
	}
}
