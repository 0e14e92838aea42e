// SPDX-License-Identifier: GPL-2.0
/*
 * The read side's decisions that depend only on numbers.
 *
 * hooks.c and frontend.c ask these; they are kept apart so that KUnit can
 * check them against the kernels' own rules without a page cache.
 */
#include <linux/kernel.h>
#include <linux/mm.h>

#include "readpath.h"

/**
 * puma_ra_clip() - how much of a readahead window lies inside the file
 * @index: the window's first page
 * @nr_to_read: its size in pages
 * @isize: the file's size in bytes
 *
 * As do_page_cache_ra() (static in mm/readahead.c) clips a window before
 * page_cache_ra_unbounded() reads it: never past the page holding the
 * file's last byte.
 *
 * Return: pages to read from @index, 0 when none.
 */
unsigned long puma_ra_clip(pgoff_t index, unsigned long nr_to_read,
			   loff_t isize)
{
	pgoff_t end_index;

	if (isize <= 0)
		return 0;
	end_index = (isize - 1) >> PAGE_SHIFT;
	if (index > end_index)
		return 0;
	return min_t(unsigned long, nr_to_read, end_index - index + 1);
}

/**
 * puma_fault_reads_around() - will filemap_fault() read around this miss?
 * @huge_ra: the mapping is VM_HUGEPAGE and the kernel reads PMD folios
 *	for it (CONFIG_TRANSPARENT_HUGEPAGE)
 * @rand_read: VM_RAND_READ (madvise MADV_RANDOM)
 * @seq_read: VM_SEQ_READ (madvise MADV_SEQUENTIAL)
 * @ra_pages: the file's readahead window (0: readahead off)
 * @mmap_miss: the file's count of mmap misses before this one
 *
 * The rules of do_sync_mmap_readahead() (static in mm/filemap.c, the same
 * on 6.1 and 6.12).  A fault that reads around goes through readahead,
 * where PUMA's get hooks see it; one that does not reads its page with
 * ->read_folio(), which PUMA must fetch for before filemap_fault() runs.
 *
 * Return: true when the page will be read by readahead.
 */
bool puma_fault_reads_around(bool huge_ra, bool rand_read, bool seq_read,
			     unsigned int ra_pages, unsigned int mmap_miss)
{
	if (huge_ra)
		return true;
	if (rand_read || !ra_pages)
		return false;
	if (seq_read)
		return true;
	/* The kernel counts this miss first, then compares. */
	return mmap_miss + 1 <= PUMA_MMAP_LOTSAMISS;
}

/**
 * puma_put_folio_pages() - how many pages of an evicted folio are put
 * @nr_pages: the folio's size in pages
 *
 * A large folio is put as pages, each with its own record and tag, so that
 * a get, an invalidation or a lender's reclaim deals with each page alone.
 * One larger than PUMA_PUT_MAX_FOLIO_PAGES is not put at all: the time a
 * put may hold IRQs off is bounded.
 *
 * Return: @nr_pages, or 0 when the folio is too large to put.
 */
unsigned int puma_put_folio_pages(unsigned long nr_pages)
{
	return nr_pages <= PUMA_PUT_MAX_FOLIO_PAGES ? nr_pages : 0;
}
