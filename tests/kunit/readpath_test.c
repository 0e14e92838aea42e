// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for puma/readpath.c: the window clip of do_page_cache_ra(),
 * the read-around rules of do_sync_mmap_readahead() and the size limit of
 * large-folio puts.
 */
#include "../../puma/readpath.c"

#include <kunit/test.h>

static void ra_clip_test(struct kunit *test)
{
	/* Empty file: nothing to read. */
	KUNIT_EXPECT_EQ(test, puma_ra_clip(0, 32, 0), 0UL);
	/* Inside the file: the whole window. */
	KUNIT_EXPECT_EQ(test, puma_ra_clip(0, 32, 1 << 20), 32UL);
	/* One byte: one page. */
	KUNIT_EXPECT_EQ(test, puma_ra_clip(0, 32, 1), 1UL);
	/* Ends inside the last page: that page is read. */
	KUNIT_EXPECT_EQ(test, puma_ra_clip(8, 32, 10 * PAGE_SIZE + 1), 3UL);
	/* Exactly at a page boundary: the page after is not. */
	KUNIT_EXPECT_EQ(test, puma_ra_clip(8, 32, 10 * PAGE_SIZE), 2UL);
	/* Starts past the end. */
	KUNIT_EXPECT_EQ(test, puma_ra_clip(10, 32, 10 * PAGE_SIZE), 0UL);
	/* The last page alone. */
	KUNIT_EXPECT_EQ(test, puma_ra_clip(9, 32, 10 * PAGE_SIZE), 1UL);
	/* A huge window at the end of a huge file. */
	KUNIT_EXPECT_EQ(test, puma_ra_clip(LLONG_MAX >> PAGE_SHIFT, 1024,
					   LLONG_MAX), 1UL);
}

static void fault_reads_around_test(struct kunit *test)
{
	/* Huge-page mappings always read through page_cache_ra_order(). */
	KUNIT_EXPECT_TRUE(test, puma_fault_reads_around(true, true, false, 0,
							1000));
	/* MADV_RANDOM and a zero window: no read-around. */
	KUNIT_EXPECT_FALSE(test, puma_fault_reads_around(false, true, false,
							 32, 0));
	KUNIT_EXPECT_FALSE(test, puma_fault_reads_around(false, true, true,
							 32, 0));
	KUNIT_EXPECT_FALSE(test, puma_fault_reads_around(false, false, true,
							 0, 0));
	/* MADV_SEQUENTIAL: synchronous readahead, whatever the misses. */
	KUNIT_EXPECT_TRUE(test, puma_fault_reads_around(false, false, true,
							32, 1000));
	/* Plain mappings: until the 101st miss in a row. */
	KUNIT_EXPECT_TRUE(test, puma_fault_reads_around(false, false, false,
							32, 0));
	KUNIT_EXPECT_TRUE(test, puma_fault_reads_around(false, false, false,
							32, 99));
	KUNIT_EXPECT_FALSE(test, puma_fault_reads_around(false, false, false,
							 32, 100));
	/* The kernel stops counting at 1000: still no read-around. */
	KUNIT_EXPECT_FALSE(test, puma_fault_reads_around(false, false, false,
							 32, 1000));
}

static void put_folio_pages_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, puma_put_folio_pages(1), 1U);
	KUNIT_EXPECT_EQ(test, puma_put_folio_pages(4), 4U);
	KUNIT_EXPECT_EQ(test, puma_put_folio_pages(PUMA_PUT_MAX_FOLIO_PAGES),
			(unsigned int)PUMA_PUT_MAX_FOLIO_PAGES);
	KUNIT_EXPECT_EQ(test,
			puma_put_folio_pages(PUMA_PUT_MAX_FOLIO_PAGES * 2), 0U);
	KUNIT_EXPECT_EQ(test, puma_put_folio_pages(512), 0U);
}

static struct kunit_case readpath_cases[] = {
	KUNIT_CASE(ra_clip_test),
	KUNIT_CASE(fault_reads_around_test),
	KUNIT_CASE(put_folio_pages_test),
	{}
};

static struct kunit_suite readpath_suite = {
	.name = "puma_readpath",
	.test_cases = readpath_cases,
};

kunit_test_suite(readpath_suite);

MODULE_LICENSE("GPL");
