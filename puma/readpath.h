/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The read side's decisions that depend only on numbers: where a readahead
 * window ends, whether a page fault reads around, how much of a large
 * folio is put.  Pure functions, tested by KUnit (readpath_test.c).
 */
#ifndef _PUMA_READPATH_H
#define _PUMA_READPATH_H

#include <linux/types.h>

/* mm/filemap.c's MMAP_LOTSAMISS: past it, faults stop reading around. */
#define PUMA_MMAP_LOTSAMISS	100

/*
 * The largest folio whose pages are put, in pages.  A put runs with IRQs
 * off and the mapping's i_pages lock held, and costs a copy and a tag per
 * page: 64 pages is about 0.2 ms on the machines PUMA targets.  xfs's
 * readahead makes folios of at most 32 pages with the default 128 KiB
 * window; only huge-page mappings make larger ones.
 */
#define PUMA_PUT_MAX_FOLIO_PAGES	64

unsigned long puma_ra_clip(pgoff_t index, unsigned long nr_to_read,
			   loff_t isize);
bool puma_fault_reads_around(bool huge_ra, bool rand_read, bool seq_read,
			     unsigned int ra_pages, unsigned int mmap_miss);
unsigned int puma_put_folio_pages(unsigned long nr_pages);

#endif /* _PUMA_READPATH_H */
