/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Back-off: when to stop asking a peer that keeps failing, and when to
 * try it again.  See backoff.c.
 */
#ifndef _PUMA_BACKOFF_H
#define _PUMA_BACKOFF_H

#include <linux/spinlock.h>
#include <linux/types.h>

/**
 * struct puma_backoff - the back-off state of one kind of request to one
 *	peer
 * @lock: guards the fields below
 * @threshold: consecutive failures that make it back off
 * @min_interval: first back-off interval, in jiffies
 * @max_interval: longest back-off interval, in jiffies
 * @failures: consecutive failures since the last success
 * @interval: the current interval in jiffies; 0 while requests flow
 * @until: while backing off, no request before this (jiffies)
 * @probe_until: a probe is out until this (jiffies); 0 when none
 */
struct puma_backoff {
	spinlock_t lock;	/* the fields below */
	unsigned int threshold;
	unsigned long min_interval;
	unsigned long max_interval;
	unsigned int failures;
	unsigned long interval;
	unsigned long until;
	unsigned long probe_until;
};

void puma_backoff_init(struct puma_backoff *b, unsigned int threshold,
		       unsigned int min_ms, unsigned int max_ms);
bool puma_backoff_allowed(struct puma_backoff *b);
bool puma_backoff_failed(struct puma_backoff *b);
void puma_backoff_ok(struct puma_backoff *b);
unsigned int puma_backoff_interval_ms(struct puma_backoff *b);

#endif /* _PUMA_BACKOFF_H */
