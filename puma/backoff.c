// SPDX-License-Identifier: GPL-2.0
/*
 * Back-off from a peer whose requests keep failing.
 *
 * A lender that is connected and answers pings may still never answer a
 * GET in time (overloaded, stalled, broken).  Every readahead window that
 * asks it then waits the whole get_timeout_ms for nothing, forever.  A
 * struct puma_backoff remembers how such requests fared and tells the
 * requester whether to ask at all:
 *
 * - while requests succeed, every request is allowed;
 * - after @threshold consecutive failures, requests stop for an interval
 *   (@min_interval at first): puma_backoff_allowed() says no, and the
 *   caller does without the peer (a get reads from disk);
 * - when the interval is over, one request is let through as a probe, the
 *   others still are not.  If the probe fails, the interval doubles, up to
 *   @max_interval, and the back-off starts again; if any request succeeds,
 *   everything is forgotten and requests flow again.  A probe that never
 *   reports (its request failed for a reason that says nothing about the
 *   peer) gives the next caller its turn one interval later.
 *
 * The object knows nothing about what a request is: the get path keeps
 * one per lender for GETs (fetch.c).  A latency throttle (stop when the
 * smoothed round trip exceeds a bound) and reconnection are meant to use
 * the same object: a round trip over the bound is a failure, a
 * reconnection attempt is a probe.
 *
 * Locking: a spinlock per object; every function may be called from any
 * context that may take a spinlock with bottom halves enabled, without
 * sleeping.
 */
#include <linux/jiffies.h>
#include <linux/minmax.h>

#include "backoff.h"

/**
 * puma_backoff_init() - set up a back-off, with requests flowing
 * @b: the back-off
 * @threshold: consecutive failures that start a back-off, at least 1
 * @min_ms: first interval in milliseconds
 * @max_ms: longest interval in milliseconds, at least @min_ms
 */
void puma_backoff_init(struct puma_backoff *b, unsigned int threshold,
		       unsigned int min_ms, unsigned int max_ms)
{
	*b = (struct puma_backoff) {
		.threshold = max(threshold, 1U),
		.min_interval = max(msecs_to_jiffies(min_ms), 1UL),
		.max_interval = max(msecs_to_jiffies(max_ms),
				    msecs_to_jiffies(min_ms)),
	};
	spin_lock_init(&b->lock);
}

/**
 * puma_backoff_allowed() - may a request be made now?
 * @b: the back-off
 *
 * A caller told yes should report how its request fared with
 * puma_backoff_failed() or puma_backoff_ok(); it may be the probe.
 *
 * Return: true to make the request, false to do without the peer.
 */
bool puma_backoff_allowed(struct puma_backoff *b)
{
	unsigned long now = jiffies;
	bool ok = true;

	/* The common case, requests flowing, costs no lock. */
	if (!READ_ONCE(b->interval))
		return true;
	spin_lock(&b->lock);
	if (!b->interval)
		goto out;
	if (time_before(now, b->until) ||
	    (b->probe_until && time_before(now, b->probe_until))) {
		ok = false;
		goto out;
	}
	b->probe_until = now + b->interval;
out:
	spin_unlock(&b->lock);
	return ok;
}

/**
 * puma_backoff_failed() - a request allowed by puma_backoff_allowed() failed
 * @b: the back-off
 *
 * Failures of requests made before a back-off started (they were in
 * flight together) do not lengthen it: only the probe's does.
 *
 * Return: true when this failure started a back-off or lengthened it.
 */
bool puma_backoff_failed(struct puma_backoff *b)
{
	unsigned long now = jiffies;
	bool engaged = false;

	spin_lock(&b->lock);
	if (!b->interval) {
		WRITE_ONCE(b->failures, b->failures + 1);
		if (b->failures < b->threshold)
			goto out;
		WRITE_ONCE(b->interval, b->min_interval);
	} else if (b->probe_until) {
		WRITE_ONCE(b->interval, min(b->interval * 2, b->max_interval));
	} else {
		goto out;
	}
	b->until = now + b->interval;
	b->probe_until = 0;
	engaged = true;
out:
	spin_unlock(&b->lock);
	return engaged;
}

/**
 * puma_backoff_ok() - a request succeeded: requests flow again
 * @b: the back-off
 */
void puma_backoff_ok(struct puma_backoff *b)
{
	if (!READ_ONCE(b->interval) && !READ_ONCE(b->failures))
		return;
	spin_lock(&b->lock);
	WRITE_ONCE(b->failures, 0);
	WRITE_ONCE(b->interval, 0);
	b->probe_until = 0;
	spin_unlock(&b->lock);
}

/**
 * puma_backoff_interval_ms() - the current back-off interval
 * @b: the back-off
 *
 * Return: milliseconds, 0 while requests flow.
 */
unsigned int puma_backoff_interval_ms(struct puma_backoff *b)
{
	return jiffies_to_msecs(READ_ONCE(b->interval));
}
