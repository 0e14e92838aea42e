// SPDX-License-Identifier: GPL-2.0
/*
 * The staging pool's size follows the link.
 *
 * A pool too small for the bursts of reclaim drops puts while the link
 * idles between bursts; one too large takes memory from the page cache of
 * a node that is short of it.  So in auto mode, the default, the pool is
 * sized from what the senders sustain: each time a sender drains a
 * backlog of at least PUMA_STAGE_RATE_MIN_PAGES pages it reports how
 * long that took (puma_stage_note_drain()), and a smoothed rate in pages
 * per second results.  Once a second, if puts were dropped for a full
 * pool since the last look, the pool grows toward PUMA_STAGE_AUTO_MS of
 * that rate (or doubles, before any backlog was seen): at most doubling
 * each time, never above 1/32 of the node's memory nor
 * PUMA_STAGE_PAGES_MAX.  After PUMA_STAGE_AUTO_IDLE_S seconds
 * without such drops it halves, never below PUMA_STAGE_PAGES_DEFAULT.
 *
 * Writing a number to staging_pages fixes the size and ends auto mode;
 * writing "auto" restores it (puma_stage_set_size()).
 */
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "pool.h"
#include "stage.h"

/* The pool holds this much of the senders' rate, in milliseconds. */
#define PUMA_STAGE_AUTO_MS		125
/* Seconds without a drop for a full pool before it halves. */
#define PUMA_STAGE_AUTO_IDLE_S		60
/* Of the node's memory, at most 1 / this for the pool. */
#define PUMA_STAGE_AUTO_RAM_SHARE	32

/* Serialises the mode with the resizes it implies. */
static DEFINE_MUTEX(puma_stage_auto_lock);
static bool puma_stage_auto_on = true;
/* Smoothed rate of the senders' drains, pages per second; 0: none yet. */
static u64 puma_stage_drain_rate;
static u64 puma_stage_auto_drops;
static unsigned int puma_stage_auto_quiet;

static void puma_stage_auto_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(puma_stage_auto_dwork, puma_stage_auto_work);

/**
 * puma_stage_note_drain() - a sender drained a backlog
 * @pages: pages it sent in PUTs, at least PUMA_STAGE_RATE_MIN_PAGES
 * @ns: how long it took, from its first send to its last
 *
 * Context: process (a sender); does not sleep.
 */
void puma_stage_note_drain(unsigned int pages, u64 ns)
{
	u64 rate, old;

	if (pages < PUMA_STAGE_RATE_MIN_PAGES)
		return;
	rate = div64_u64((u64)pages * NSEC_PER_SEC, max_t(u64, ns, 1));
	old = READ_ONCE(puma_stage_drain_rate);
	/* Senders race here rarely; a lost sample only slows the average. */
	WRITE_ONCE(puma_stage_drain_rate, old ? (3 * old + rate) / 4 : rate);
}

/**
 * puma_stage_rate() - what the senders sustain
 *
 * Return: the smoothed rate of their drains, in pages per second; 0 before
 * the first backlog.
 */
u64 puma_stage_rate(void)
{
	return READ_ONCE(puma_stage_drain_rate);
}

/* The largest pool auto mode takes: a share of memory. */
static unsigned int puma_stage_auto_limit(void)
{
	return clamp_t(unsigned long,
		       totalram_pages() / PUMA_STAGE_AUTO_RAM_SHARE,
		       PUMA_STAGE_PAGES_DEFAULT, PUMA_STAGE_PAGES_MAX);
}

/* Called with puma_stage_auto_lock, in auto mode: the size for now. */
static unsigned int puma_stage_auto_want(bool dropped)
{
	unsigned int have = puma_stage_capacity();
	u64 want;

	if (!dropped) {
		if (++puma_stage_auto_quiet < PUMA_STAGE_AUTO_IDLE_S)
			return have;
		puma_stage_auto_quiet = 0;
		return max_t(unsigned int, have / 2, PUMA_STAGE_PAGES_DEFAULT);
	}
	puma_stage_auto_quiet = 0;
	/* No backlog seen yet: the senders kept up, the bursts did not. */
	want = puma_stage_rate() ?
	       div_u64(puma_stage_rate() * PUMA_STAGE_AUTO_MS, MSEC_PER_SEC) :
	       2ULL * have;
	want = min_t(u64, want, 2ULL * have);
	want = min_t(u64, want, puma_stage_auto_limit());
	return max_t(unsigned int, want, have);
}

static void puma_stage_auto_work(struct work_struct *work)
{
	u64 drops = puma_stats_read(&puma_global_stats,
				    PUMA_STAT_PUTS_DROP_FULL);
	unsigned int want;

	mutex_lock(&puma_stage_auto_lock);
	if (puma_stage_auto_on) {
		want = puma_stage_auto_want(drops != puma_stage_auto_drops);
		/* -ENOMEM keeps the size it had: try again next time. */
		if (want != puma_stage_capacity())
			puma_stage_resize(want);
	}
	puma_stage_auto_drops = drops;
	mutex_unlock(&puma_stage_auto_lock);
	schedule_delayed_work(&puma_stage_auto_dwork, HZ);
}

/**
 * puma_stage_set_size() - fix the staging pool's size, or let it follow
 * the link
 * @pages: the size, PUMA_STAGE_PAGES_MIN to PUMA_STAGE_PAGES_MAX; 0 for
 *	auto mode, which starts from the size the pool has
 *
 * Context: process, may sleep.
 * Return: 0, -ERANGE or -ENOMEM (then the mode and size stay as they
 * were).
 */
int puma_stage_set_size(unsigned int pages)
{
	int ret = 0;

	mutex_lock(&puma_stage_auto_lock);
	if (pages)
		ret = puma_stage_resize(pages);
	if (!ret) {
		puma_stage_auto_on = !pages;
		puma_stage_auto_quiet = 0;
	}
	mutex_unlock(&puma_stage_auto_lock);
	return ret;
}

/**
 * puma_stage_is_auto() - does the pool's size follow the link?
 *
 * Return: true in auto mode.
 */
bool puma_stage_is_auto(void)
{
	return READ_ONCE(puma_stage_auto_on);
}

/**
 * puma_stage_auto_start() - start looking at the pool once a second
 *
 * Context: process; the pool exists.
 */
void puma_stage_auto_start(void)
{
	puma_stage_auto_drops = puma_stats_read(&puma_global_stats,
						PUMA_STAT_PUTS_DROP_FULL);
	schedule_delayed_work(&puma_stage_auto_dwork, HZ);
}

/**
 * puma_stage_auto_stop() - stop it, before the pool goes
 *
 * Context: process, may sleep.
 */
void puma_stage_auto_stop(void)
{
	cancel_delayed_work_sync(&puma_stage_auto_dwork);
}
