// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for puma/options.c: the parsers and the formatter behind
 * /sys/kernel/puma/enabled, exclusive, the numeric tunables
 * (staging_pages, get_timeout_ms) and the filesystem list.
 *
 * The unit is included, not linked, so that its static helpers are in reach
 * (the mm/damon habit); scripts/kunit.sh builds this file on UML.
 */
#include "../../puma/options.c"
#include "../../puma/config.h"
#include "../../puma/stage.h"

#include <kunit/test.h>
#include <linux/string.h>

/* Fill @list with a pattern that no parser would produce. */
static void options_poison(struct puma_fslist *list)
{
	memset(list, 0x5a, sizeof(*list));
}

/* Parse the NUL-terminated @s, without its NUL, into @out. */
static int options_parse(const char *s, struct puma_fslist *out)
{
	return puma_fslist_parse(s, strlen(s), out);
}

/*
 * Expect the NUL-terminated @s to be rejected with -EINVAL, and the output
 * to be left as it was.
 */
static void options_expect_rejected(struct kunit *test, const char *s)
{
	struct puma_fslist list, saved;
	int len = strlen(s);

	options_poison(&list);
	saved = list;
	KUNIT_EXPECT_EQ_MSG(test, options_parse(s, &list), -EINVAL,
			    "input \"%*pE\"", len, s);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(&list, &saved, sizeof(list)), 0,
			    "output changed by \"%*pE\"", len, s);
}

/* ---- puma_parse_switch() ---- */

static void options_switch_valid_test(struct kunit *test)
{
	static const struct {
		const char *in;
		bool val;
	} cases[] = {
		{ "0", false },
		{ "1", true },
		{ "0\n", false },
		{ "1\n", true },
	};
	unsigned int i, before;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *in = cases[i].in;
		int len = strlen(in);

		/* Start from the opposite value and from the same one. */
		for (before = 0; before < 2; before++) {
			bool on = before;
			int ret = puma_parse_switch(in, len, &on);

			KUNIT_EXPECT_EQ_MSG(test, ret, 0, "input \"%*pE\"", len,
					    in);
			KUNIT_EXPECT_EQ_MSG(test, on, cases[i].val,
					    "input \"%*pE\"", len, in);
		}
	}
}

static void options_switch_invalid_test(struct kunit *test)
{
	static const char * const cases[] = {
		"", "\n", "2", "01", "10", "00", "11", "yes", "no", "on",
		"true", "y", "-1", "+1", " 1", "1 ", "1\t", "1\r", "\r\n",
		"1\n\n", "\n1", "0\n\n", "1\r\n",
	};
	unsigned int i, before;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *in = cases[i];
		int len = strlen(in);

		for (before = 0; before < 2; before++) {
			bool on = before;
			int ret = puma_parse_switch(in, len, &on);

			KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL,
					    "input \"%*pE\"", len, in);
			KUNIT_EXPECT_EQ_MSG(test, on, (bool)before,
					    "output changed by \"%*pE\"", len,
					    in);
		}
	}
}

/* Only @len bytes count: sysfs buffers need not be NUL-terminated. */
static void options_switch_len_test(struct kunit *test)
{
	static const char one[] = { '1' };
	static const char nul[] = { '1', '\0' };
	bool on = false;

	KUNIT_EXPECT_EQ(test, puma_parse_switch(one, sizeof(one), &on),
			0);
	KUNIT_EXPECT_TRUE(test, on);

	/* The bytes after @len are not looked at... */
	KUNIT_EXPECT_EQ(test, puma_parse_switch("0junk", 1, &on), 0);
	KUNIT_EXPECT_FALSE(test, on);
	KUNIT_EXPECT_EQ(test, puma_parse_switch("1\n\n", 2, &on), 0);
	KUNIT_EXPECT_TRUE(test, on);

	/* ...but those before it all are, a NUL included. */
	KUNIT_EXPECT_EQ(test, puma_parse_switch(nul, sizeof(nul), &on),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, puma_parse_switch("1", 0, &on), -EINVAL);
	KUNIT_EXPECT_TRUE(test, on);
}

/* ---- puma_parse_uint_range() ---- */

/* What no successful parse in these tests produces. */
#define OPTIONS_UINT_POISON	0xdeadbeefU

/* Parse the NUL-terminated @s, without its NUL, within [@min, @max]. */
static int options_uint(const char *s, unsigned int min, unsigned int max,
			unsigned int *out)
{
	return puma_parse_uint_range(s, strlen(s), min, max, out);
}

static void options_uint_valid_test(struct kunit *test)
{
	static const struct {
		const char *in;
		unsigned int min, max, val;
	} cases[] = {
		{ "1024", 32, 65536, 1024 },
		{ "1024\n", 32, 65536, 1024 },
		{ "32", 32, 65536, 32 },
		{ "65536\n", 32, 65536, 65536 },
		{ "0", 0, 0, 0 },
		{ "0\n", 0, 10, 0 },
		{ "7", 7, 7, 7 },
		/* Leading zeros are decimal digits, not an octal prefix. */
		{ "010", 1, 100, 10 },
		{ "0009\n", 1, 100, 9 },
		{ "000000000000000000000000000000000001", 1, 1, 1 },
		{ "4294967295", 0, UINT_MAX, UINT_MAX },
		{ "4294967295\n", UINT_MAX, UINT_MAX, UINT_MAX },
	};
	unsigned int i, out;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *in = cases[i].in;
		int len = strlen(in);

		out = OPTIONS_UINT_POISON;
		KUNIT_EXPECT_EQ_MSG(test, options_uint(in, cases[i].min,
						       cases[i].max, &out),
				    0, "input \"%*pE\"", len, in);
		KUNIT_EXPECT_EQ_MSG(test, out, cases[i].val, "input \"%*pE\"",
				    len, in);
	}
}

/* Anything but digits and one trailing newline, whatever the limits. */
static void options_uint_invalid_test(struct kunit *test)
{
	static const char * const cases[] = {
		"", "\n", "\n\n", "12\n\n", "\n12", " 12", "12 ", "\t12",
		"12\t", "1 2", "12\r", "12\r\n", "+12", "-12", "-0", "+0",
		"--1", "0x20", "0X20", "0x", "0o7", "0b1", "1e3", "12.0", "12.",
		"1,024", "1_024", "12a", "a12", "abc", "12k", "12K", "one",
		"\xd9\xa1\xd9\xa2", "\xef\xbc\x91", "1\x80", "\x7f",
		/* Too many digits, but not a number at all. */
		"99999999999999999999999999x", "-99999999999999999999999999",
	};
	unsigned int i, out;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *in = cases[i];
		int len = strlen(in);

		out = OPTIONS_UINT_POISON;
		KUNIT_EXPECT_EQ_MSG(test, options_uint(in, 0, UINT_MAX, &out),
				    -EINVAL, "input \"%*pE\"", len, in);
		KUNIT_EXPECT_EQ_MSG(test, out, OPTIONS_UINT_POISON,
				    "output changed by \"%*pE\"", len, in);
	}
}

/* A number out of the limits, however large, is -ERANGE. */
static void options_uint_range_test(struct kunit *test)
{
	static const struct {
		const char *in;
		unsigned int min, max;
	} cases[] = {
		{ "31", 32, 65536 },
		{ "0", 32, 65536 },
		{ "00031\n", 32, 65536 },
		{ "65537", 32, 65536 },
		{ "65537\n", 32, 65536 },
		{ "4294967295", 32, 65536 },
		{ "0", 1, 10000 },
		{ "10001\n", 1, 10000 },
		{ "1", 0, 0 },
		{ "6", 7, 7 },
		{ "8", 7, 7 },
		/* An empty range takes nothing. */
		{ "5", 6, 5 },
		{ "6", 6, 5 },
		/* Past unsigned int, past u64, and far past. */
		{ "4294967296", 0, UINT_MAX },
		{ "42949672950", 0, UINT_MAX },
		{ "18446744073709551615", 0, UINT_MAX },
		{ "18446744073709551616\n", 0, UINT_MAX },
		{ "184467440737095516160", 0, UINT_MAX },
		{ "99999999999999999999999999999999999999999999999999", 0,
		  UINT_MAX },
	};
	unsigned int i, out;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *in = cases[i].in;
		int len = strlen(in);

		out = OPTIONS_UINT_POISON;
		KUNIT_EXPECT_EQ_MSG(test, options_uint(in, cases[i].min,
						       cases[i].max, &out),
				    -ERANGE, "input \"%*pE\"", len, in);
		KUNIT_EXPECT_EQ_MSG(test, out, OPTIONS_UINT_POISON,
				    "output changed by \"%*pE\"", len, in);
	}
}

/* Only @len bytes count, and they need no terminating NUL. */
static void options_uint_len_test(struct kunit *test)
{
	static const char digits[] = { '6', '4' };
	static const char nul[] = { '6', '4', '\0' };
	unsigned int out = OPTIONS_UINT_POISON;

	KUNIT_EXPECT_EQ(test, puma_parse_uint_range(digits, sizeof(digits), 0,
						    100, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 64U);
	KUNIT_EXPECT_EQ(test, puma_parse_uint_range("123junk", 3, 0, 1000,
						    &out), 0);
	KUNIT_EXPECT_EQ(test, out, 123U);
	KUNIT_EXPECT_EQ(test, puma_parse_uint_range("1234", 2, 0, 1000, &out),
			0);
	KUNIT_EXPECT_EQ(test, out, 12U);
	KUNIT_EXPECT_EQ(test, puma_parse_uint_range("77\n\n", 3, 0, 1000,
						    &out), 0);
	KUNIT_EXPECT_EQ(test, out, 77U);

	/* A NUL inside is a bad character; no byte at all is no number. */
	KUNIT_EXPECT_EQ(test, puma_parse_uint_range(nul, sizeof(nul), 0, 100,
						    &out), -EINVAL);
	KUNIT_EXPECT_EQ(test, puma_parse_uint_range("5", 0, 0, 100, &out),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, puma_parse_uint_range("\n", 1, 0, 100, &out),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, out, 77U);
}

/* The limits of the sysfs files that use it, at their edges. */
static void options_uint_tunables_test(struct kunit *test)
{
	static const struct {
		unsigned int min, max;
	} limits[] = {
		{ PUMA_STAGE_PAGES_MIN, PUMA_STAGE_PAGES_MAX },
		{ PUMA_GET_TIMEOUT_MS_MIN, PUMA_GET_TIMEOUT_MS_MAX },
	};
	unsigned int i, out;
	char buf[16];

	for (i = 0; i < ARRAY_SIZE(limits); i++) {
		unsigned int min = limits[i].min, max = limits[i].max;

		snprintf(buf, sizeof(buf), "%u\n", min);
		KUNIT_EXPECT_EQ(test, options_uint(buf, min, max, &out), 0);
		KUNIT_EXPECT_EQ(test, out, min);
		snprintf(buf, sizeof(buf), "%u\n", max);
		KUNIT_EXPECT_EQ(test, options_uint(buf, min, max, &out), 0);
		KUNIT_EXPECT_EQ(test, out, max);
		snprintf(buf, sizeof(buf), "%u\n", min - 1);
		KUNIT_EXPECT_EQ(test, options_uint(buf, min, max, &out),
				-ERANGE);
		snprintf(buf, sizeof(buf), "%u\n", max + 1);
		KUNIT_EXPECT_EQ(test, options_uint(buf, min, max, &out),
				-ERANGE);
		KUNIT_EXPECT_EQ(test, out, max);
	}
}

/* ---- puma_fslist_parse() ---- */

static void options_fslist_one_test(struct kunit *test)
{
	struct puma_fslist list;

	options_poison(&list);
	KUNIT_ASSERT_EQ(test, options_parse("ext4", &list), 0);
	KUNIT_ASSERT_EQ(test, list.nr, 1U);
	KUNIT_EXPECT_STREQ(test, list.name[0], "ext4");
}

/* Every separator, in order of first appearance. */
static void options_fslist_separators_test(struct kunit *test)
{
	static const char * const want[] = { "ext4", "xfs", "btrfs", "f2fs",
					     "nfs" };
	struct puma_fslist list;
	unsigned int i;

	options_poison(&list);
	KUNIT_ASSERT_EQ(test, options_parse("ext4 xfs,btrfs\tf2fs\nnfs", &list),
			0);
	KUNIT_ASSERT_EQ(test, list.nr, (unsigned int)ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_STREQ(test, list.name[i], want[i]);

	/* Runs of mixed separators, leading and trailing ones. */
	options_poison(&list);
	KUNIT_ASSERT_EQ(test, options_parse(" ,\text4 ,,\t\n xfs,\t\n\n",
					    &list), 0);
	KUNIT_ASSERT_EQ(test, list.nr, 2U);
	KUNIT_EXPECT_STREQ(test, list.name[0], "ext4");
	KUNIT_EXPECT_STREQ(test, list.name[1], "xfs");
}

/* A sysfs write ends in a newline that is not part of the last name. */
static void options_fslist_newline_test(struct kunit *test)
{
	struct puma_fslist list;

	options_poison(&list);
	KUNIT_ASSERT_EQ(test, options_parse("ext4 xfs\n", &list), 0);
	KUNIT_ASSERT_EQ(test, list.nr, 2U);
	KUNIT_EXPECT_STREQ(test, list.name[0], "ext4");
	KUNIT_EXPECT_STREQ(test, list.name[1], "xfs");

	options_poison(&list);
	KUNIT_ASSERT_EQ(test, options_parse("ext4\nxfs\n\n", &list), 0);
	KUNIT_ASSERT_EQ(test, list.nr, 2U);
	KUNIT_EXPECT_STREQ(test, list.name[1], "xfs");

	/* A carriage return is no separator. */
	options_poison(&list);
	KUNIT_EXPECT_EQ(test, options_parse("ext4\r\n", &list), -EINVAL);
}

/* Nothing, or only separators, is the valid empty list. */
static void options_fslist_empty_test(struct kunit *test)
{
	static const char * const cases[] = {
		"", "\n", " ", ",", "\t", " ,\t\n", "\n\n", ",,,,,,,,,,",
	};
	struct puma_fslist list;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		/* A non-empty list before: the empty one must replace it. */
		KUNIT_ASSERT_EQ(test, options_parse("ext4 xfs", &list), 0);
		KUNIT_EXPECT_EQ_MSG(test, options_parse(cases[i], &list), 0,
				    "input \"%*pE\"", (int)strlen(cases[i]),
				    cases[i]);
		KUNIT_EXPECT_EQ_MSG(test, list.nr, 0U, "input \"%*pE\"",
				    (int)strlen(cases[i]), cases[i]);
		KUNIT_EXPECT_FALSE(test, puma_fslist_contains(&list, "ext4"));
	}
}

/* Every character of the allowed set, as real type names use them. */
static void options_fslist_charset_test(struct kunit *test)
{
	static const char * const names[] = {
		"abcdefghijklmnopqrstuvwxyz", "0123456789", "_-.", "9p",
		"fuse.sshfs", "ext4-dev", "nfs_4",
	};
	struct puma_fslist list;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		options_poison(&list);
		KUNIT_ASSERT_EQ_MSG(test, options_parse(names[i], &list), 0,
				    "input \"%s\"", names[i]);
		KUNIT_ASSERT_EQ(test, list.nr, 1U);
		KUNIT_EXPECT_STREQ(test, list.name[0], names[i]);
	}
}

/* A bad byte anywhere rejects the whole write and changes nothing. */
static void options_fslist_bad_char_test(struct kunit *test)
{
	static const char * const cases[] = {
		"EXT4", "Ext4", "ext4;", "ext/4", "ext4:xfs", "ext4 xfs*",
		"ext4\r", "\vext4", "ext4\f", "ext4 x\x7f", "\xc3\xa9xt4",
		"ext4 xfs \x80", "(ext4)", "ext4=1", "ext 4!", "\"ext4\"",
		"ext4 ~", "a+b", "xfs ext4 Btrfs",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		options_expect_rejected(test, cases[i]);
}

/* A NUL inside the buffer is a bad character, not the end of input. */
static void options_fslist_nul_test(struct kunit *test)
{
	static const char buf[] = { 'e', 'x', 't', '4', '\0', 'x', 'f', 's' };
	struct puma_fslist list, saved;

	options_poison(&list);
	saved = list;
	KUNIT_EXPECT_EQ(test, puma_fslist_parse(buf, sizeof(buf), &list),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&list, &saved, sizeof(list)), 0);
}

/* Only @len bytes count, and they need no terminating NUL. */
static void options_fslist_len_test(struct kunit *test)
{
	static const char buf[] = { 'e', 'x', 't', '4', ' ', 'x', 'f', 's' };
	struct puma_fslist list;

	options_poison(&list);
	KUNIT_ASSERT_EQ(test, puma_fslist_parse(buf, sizeof(buf), &list), 0);
	KUNIT_ASSERT_EQ(test, list.nr, 2U);
	KUNIT_EXPECT_STREQ(test, list.name[0], "ext4");
	KUNIT_EXPECT_STREQ(test, list.name[1], "xfs");

	/* A name cut at @len, and bad bytes beyond it. */
	options_poison(&list);
	KUNIT_ASSERT_EQ(test, puma_fslist_parse(buf, 6, &list), 0);
	KUNIT_ASSERT_EQ(test, list.nr, 2U);
	KUNIT_EXPECT_STREQ(test, list.name[1], "x");
	KUNIT_ASSERT_EQ(test, puma_fslist_parse("ext4!!", 4, &list), 0);
	KUNIT_ASSERT_EQ(test, list.nr, 1U);
	KUNIT_EXPECT_STREQ(test, list.name[0], "ext4");

	options_poison(&list);
	KUNIT_ASSERT_EQ(test, puma_fslist_parse("ext4", 0, &list), 0);
	KUNIT_EXPECT_EQ(test, list.nr, 0U);
}

/* Write @n copies of @c and a NUL to @buf. */
static void options_fill(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
}

/*
 * Names of up to PUMA_FS_NAME_LEN - 1 characters fit, longer ones do not,
 * wherever they stand in the input.
 */
static void options_fslist_name_len_test(struct kunit *test)
{
	static const struct {
		const char *pre, *post;
	} around[] = {
		{ "", "" }, { "", "\n" }, { "x ", " y" }, { "ext4,", "\n" },
		{ "\t", "," },
	};
	static const size_t ok[] = { 1, 2, 30, 31 };
	static const size_t bad[] = { 32, 33, 63, 64, 100 };
	char name[128], buf[160];
	struct puma_fslist list;
	unsigned int i, j;
	int len;

	KUNIT_ASSERT_EQ(test, PUMA_FS_NAME_LEN, 32);

	for (i = 0; i < ARRAY_SIZE(around); i++) {
		for (j = 0; j < ARRAY_SIZE(ok); j++) {
			options_fill(name, 'a', ok[j]);
			snprintf(buf, sizeof(buf), "%s%s%s", around[i].pre,
				 name, around[i].post);
			len = strlen(buf);
			options_poison(&list);
			KUNIT_EXPECT_EQ_MSG(test, options_parse(buf, &list), 0,
					    "input \"%*pE\"", len, buf);
			KUNIT_EXPECT_TRUE_MSG(test,
					      puma_fslist_contains(&list, name),
					      "input \"%*pE\"", len, buf);
		}
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			options_fill(name, 'b', bad[j]);
			snprintf(buf, sizeof(buf), "%s%s%s", around[i].pre,
				 name, around[i].post);
			options_expect_rejected(test, buf);
		}
	}

	/* The stored name is whole and terminated. */
	options_fill(name, 'c', PUMA_FS_NAME_LEN - 1);
	options_poison(&list);
	KUNIT_ASSERT_EQ(test, options_parse(name, &list), 0);
	KUNIT_ASSERT_EQ(test, list.nr, 1U);
	KUNIT_EXPECT_STREQ(test, list.name[0], name);
}

/* Up to PUMA_FS_MAX distinct names fit, one more does not. */
static void options_fslist_too_many_test(struct kunit *test)
{
	struct puma_fslist list;

	KUNIT_ASSERT_EQ(test, PUMA_FS_MAX, 8);

	options_poison(&list);
	KUNIT_ASSERT_EQ(test, options_parse("a b c d e f g h\n", &list), 0);
	KUNIT_ASSERT_EQ(test, list.nr, 8U);
	KUNIT_EXPECT_STREQ(test, list.name[0], "a");
	KUNIT_EXPECT_STREQ(test, list.name[7], "h");

	options_expect_rejected(test, "a b c d e f g h i");
	options_expect_rejected(test, "a b c d e f g h i\n");
	options_expect_rejected(test, "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p");

	/* Duplicates do not count against the limit... */
	options_poison(&list);
	KUNIT_ASSERT_EQ(test, options_parse("a b c d a e f g h h b", &list), 0);
	KUNIT_EXPECT_EQ(test, list.nr, 8U);

	/* ...but a ninth distinct name is rejected wherever it stands. */
	options_expect_rejected(test, "i a b c d e f g h a");
	options_expect_rejected(test, "a a b c d e f g h i");
}

static void options_fslist_duplicates_test(struct kunit *test)
{
	struct puma_fslist list;

	options_poison(&list);
	KUNIT_ASSERT_EQ(test, options_parse("ext4 ext4,xfs\text4\nxfs ext4",
					    &list), 0);
	KUNIT_ASSERT_EQ(test, list.nr, 2U);
	KUNIT_EXPECT_STREQ(test, list.name[0], "ext4");
	KUNIT_EXPECT_STREQ(test, list.name[1], "xfs");

	/* Prefixes of one another are different names. */
	options_poison(&list);
	KUNIT_ASSERT_EQ(test, options_parse("ext ext4 ext ext44", &list), 0);
	KUNIT_ASSERT_EQ(test, list.nr, 3U);
	KUNIT_EXPECT_STREQ(test, list.name[0], "ext");
	KUNIT_EXPECT_STREQ(test, list.name[1], "ext4");
	KUNIT_EXPECT_STREQ(test, list.name[2], "ext44");
}

/* A success replaces the old list entirely; an error leaves it whole. */
static void options_fslist_replace_test(struct kunit *test)
{
	struct puma_fslist list, saved;

	KUNIT_ASSERT_EQ(test, options_parse("ext4 xfs btrfs", &list), 0);
	saved = list;
	KUNIT_EXPECT_EQ(test, options_parse("nfs xfs BAD", &list), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&list, &saved, sizeof(list)), 0);

	KUNIT_ASSERT_EQ(test, options_parse("nfs", &list), 0);
	KUNIT_EXPECT_EQ(test, list.nr, 1U);
	KUNIT_EXPECT_STREQ(test, list.name[0], "nfs");
	KUNIT_EXPECT_FALSE(test, puma_fslist_contains(&list, "xfs"));
	KUNIT_EXPECT_FALSE(test, puma_fslist_contains(&list, "btrfs"));
}

/* ---- puma_fslist_contains() ---- */

static void options_fslist_contains_test(struct kunit *test)
{
	struct puma_fslist list = { };

	KUNIT_EXPECT_FALSE(test, puma_fslist_contains(&list, "ext4"));
	KUNIT_EXPECT_FALSE(test, puma_fslist_contains(&list, ""));

	KUNIT_ASSERT_EQ(test, options_parse("ext4 xfs", &list), 0);
	KUNIT_EXPECT_TRUE(test, puma_fslist_contains(&list, "ext4"));
	KUNIT_EXPECT_TRUE(test, puma_fslist_contains(&list, "xfs"));
	KUNIT_EXPECT_FALSE(test, puma_fslist_contains(&list, "ext"));
	KUNIT_EXPECT_FALSE(test, puma_fslist_contains(&list, "ext44"));
	KUNIT_EXPECT_FALSE(test, puma_fslist_contains(&list, "EXT4"));
	KUNIT_EXPECT_FALSE(test, puma_fslist_contains(&list, "xfs "));
	KUNIT_EXPECT_FALSE(test, puma_fslist_contains(&list, ""));

	/* Entries past @nr are not part of the list. */
	strscpy(list.name[2], "btrfs", PUMA_FS_NAME_LEN);
	KUNIT_EXPECT_FALSE(test, puma_fslist_contains(&list, "btrfs"));
	list.nr = 3;
	KUNIT_EXPECT_TRUE(test, puma_fslist_contains(&list, "btrfs"));
}

/* ---- puma_fslist_format() ---- */

static void options_fslist_format_test(struct kunit *test)
{
	struct puma_fslist list = { };
	char buf[64];

	memset(buf, 'z', sizeof(buf));
	KUNIT_EXPECT_EQ(test, puma_fslist_format(&list, buf, sizeof(buf)), 1);
	KUNIT_EXPECT_STREQ(test, buf, "\n");

	KUNIT_ASSERT_EQ(test, options_parse("ext4", &list), 0);
	KUNIT_EXPECT_EQ(test, puma_fslist_format(&list, buf, sizeof(buf)), 5);
	KUNIT_EXPECT_STREQ(test, buf, "ext4\n");

	KUNIT_ASSERT_EQ(test, options_parse(",ext4,,xfs\tbtrfs\n", &list), 0);
	KUNIT_EXPECT_EQ(test, puma_fslist_format(&list, buf, sizeof(buf)), 15);
	KUNIT_EXPECT_STREQ(test, buf, "ext4 xfs btrfs\n");
}

/* The longest list fits a sysfs page and parses back to itself. */
static void options_fslist_format_roundtrip_test(struct kunit *test)
{
	struct puma_fslist list, back;
	unsigned int i;
	char *buf;
	int n;

	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);

	memset(&list, 0, sizeof(list));
	for (i = 0; i < PUMA_FS_MAX; i++) {
		memset(list.name[i], 'a' + i, PUMA_FS_NAME_LEN - 1);
		list.name[i][PUMA_FS_NAME_LEN - 1] = '\0';
	}
	list.nr = PUMA_FS_MAX;

	n = puma_fslist_format(&list, buf, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, n, PUMA_FS_MAX * PUMA_FS_NAME_LEN);
	KUNIT_EXPECT_EQ(test, strlen(buf), (size_t)n);
	KUNIT_EXPECT_EQ(test, buf[n - 1], '\n');

	options_poison(&back);
	KUNIT_ASSERT_EQ(test, puma_fslist_parse(buf, n, &back), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&back, &list, sizeof(list)), 0);
}

/*
 * A short buffer: the output is cut, stays NUL-terminated, the return value
 * is what was written, and nothing is written past @size.
 */
static void options_fslist_format_short_test(struct kunit *test)
{
	static const char full[] = "ext4 xfs btrfs\n";
	struct puma_fslist list;
	char buf[sizeof(full) + 8];
	size_t size, i;
	int n, want;

	KUNIT_ASSERT_EQ(test, options_parse("ext4 xfs btrfs", &list), 0);

	for (size = 0; size <= sizeof(full); size++) {
		memset(buf, 'z', sizeof(buf));
		n = puma_fslist_format(&list, buf, size);
		if (!size) {
			KUNIT_EXPECT_EQ(test, n, 0);
			KUNIT_EXPECT_EQ(test, buf[0], 'z');
			continue;
		}
		/* As much as fits before the NUL, up to the whole line. */
		want = min(size - 1, sizeof(full) - 1);
		KUNIT_EXPECT_EQ_MSG(test, n, want, "size %zu", size);
		KUNIT_EXPECT_EQ_MSG(test, strlen(buf), (size_t)n,
				    "size %zu", size);
		KUNIT_EXPECT_EQ_MSG(test, strncmp(buf, full, n), 0,
				    "size %zu", size);
		for (i = size; i < sizeof(buf); i++)
			KUNIT_EXPECT_EQ_MSG(test, buf[i], 'z',
					    "size %zu: byte %zu written",
					    size, i);
	}
}

static struct kunit_case puma_options_test_cases[] = {
	KUNIT_CASE(options_switch_valid_test),
	KUNIT_CASE(options_switch_invalid_test),
	KUNIT_CASE(options_switch_len_test),
	KUNIT_CASE(options_uint_valid_test),
	KUNIT_CASE(options_uint_invalid_test),
	KUNIT_CASE(options_uint_range_test),
	KUNIT_CASE(options_uint_len_test),
	KUNIT_CASE(options_uint_tunables_test),
	KUNIT_CASE(options_fslist_one_test),
	KUNIT_CASE(options_fslist_separators_test),
	KUNIT_CASE(options_fslist_newline_test),
	KUNIT_CASE(options_fslist_empty_test),
	KUNIT_CASE(options_fslist_charset_test),
	KUNIT_CASE(options_fslist_bad_char_test),
	KUNIT_CASE(options_fslist_nul_test),
	KUNIT_CASE(options_fslist_len_test),
	KUNIT_CASE(options_fslist_name_len_test),
	KUNIT_CASE(options_fslist_too_many_test),
	KUNIT_CASE(options_fslist_duplicates_test),
	KUNIT_CASE(options_fslist_replace_test),
	KUNIT_CASE(options_fslist_contains_test),
	KUNIT_CASE(options_fslist_format_test),
	KUNIT_CASE(options_fslist_format_roundtrip_test),
	KUNIT_CASE(options_fslist_format_short_test),
	{}
};

static struct kunit_suite puma_options_test_suite = {
	.name = "puma_options",
	.test_cases = puma_options_test_cases,
};

kunit_test_suite(puma_options_test_suite);

MODULE_DESCRIPTION("KUnit tests for PUMA's option parsing");
MODULE_LICENSE("GPL");
