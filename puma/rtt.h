/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Round-trip times of gets: a smoothed value and a histogram.
 */
#ifndef _PUMA_RTT_H
#define _PUMA_RTT_H

#include <linux/types.h>

/*
 * Histogram buckets: bucket i counts round trips of at most
 * PUMA_RTT_BUCKET_MIN_US << i microseconds; the last one counts the rest.
 */
#define PUMA_RTT_BUCKET_MIN_US	64
#define PUMA_RTT_BUCKETS	14

void puma_rtt_record(u64 ns);
u64 puma_rtt_ewma_us(void);
u64 puma_rtt_bucket(unsigned int i);

#endif /* _PUMA_RTT_H */
