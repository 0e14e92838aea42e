// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing and formatting of PUMA's tunables.
 *
 * Everything here is pure string handling: sysfs and netlink call it, KUnit
 * tests it (tests/kunit/options_test.c).  A parser either fills its output
 * completely or returns a negative errno (-EINVAL for what does not parse,
 * -ERANGE for a number out of its limits) and leaves the output untouched,
 * so a bad write never changes a setting halfway.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "options.h"

/* Length of @buf without one trailing newline, as sysfs writes carry it. */
static size_t puma_strip_newline(const char *buf, size_t len)
{
	if (len && buf[len - 1] == '\n')
		len--;
	return len;
}

/**
 * puma_parse_switch() - parse a write to a 0/1 file (enabled, exclusive)
 * @buf: the written bytes, not necessarily NUL-terminated
 * @len: number of bytes in @buf
 * @on: where the value goes on success
 *
 * Accepts exactly "0" or "1", with an optional trailing newline.
 *
 * Return: 0 on success, -EINVAL otherwise (@on unchanged).
 */
int puma_parse_switch(const char *buf, size_t len, bool *on)
{
	len = puma_strip_newline(buf, len);
	if (len != 1 || (buf[0] != '0' && buf[0] != '1'))
		return -EINVAL;
	*on = buf[0] == '1';
	return 0;
}

/**
 * puma_parse_uint_range() - parse a write of a number within limits
 * @buf: the written bytes, not necessarily NUL-terminated
 * @len: number of bytes in @buf
 * @min: the smallest value accepted
 * @max: the largest value accepted
 * @out: where the value goes on success
 *
 * Accepts a decimal number, digits only, with an optional trailing
 * newline: no sign, no space, no base prefix (leading zeros are decimal
 * digits: "010" is ten).  Unlike kstrtouint(), which would take "+5", it
 * accepts nothing a reader could take for something else.
 *
 * Return: 0 on success; -EINVAL when @buf is not such a number (empty,
 * a sign, a space, any other character); -ERANGE when it is one, but
 * below @min or above @max, however many digits it has.  @out is changed
 * only on success.
 */
int puma_parse_uint_range(const char *buf, size_t len, unsigned int min,
			  unsigned int max, unsigned int *out)
{
	u64 val = 0;
	size_t i;

	len = puma_strip_newline(buf, len);
	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EINVAL;
		/* Past UINT_MAX it is out of range: only check the rest. */
		if (val <= UINT_MAX)
			val = val * 10 + (buf[i] - '0');
	}
	if (val < min || val > max)
		return -ERANGE;
	*out = val;
	return 0;
}

static bool puma_fs_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

static bool puma_fs_sep(char c)
{
	return c == ' ' || c == ',' || c == '\t' || c == '\n';
}

/**
 * puma_fslist_parse() - parse a list of filesystem type names
 * @buf: the written bytes, not necessarily NUL-terminated
 * @len: number of bytes in @buf
 * @out: the list, replaced only on success
 *
 * Names are separated by spaces, tabs, commas or newlines and consist of
 * lower-case letters, digits, '_', '-' and '.'.  Duplicates are collapsed.
 * An empty list is valid: PUMA then acts on no filesystem.  Names of types
 * not (yet) registered are accepted, so that a filesystem module may be
 * loaded later.
 *
 * Return: 0 on success; -EINVAL for a bad character, a name of
 * PUMA_FS_NAME_LEN or more characters, or more than PUMA_FS_MAX names.
 */
int puma_fslist_parse(const char *buf, size_t len, struct puma_fslist *out)
{
	struct puma_fslist list = { };
	size_t i = 0;

	while (i < len) {
		char name[PUMA_FS_NAME_LEN];
		size_t start, n;

		if (puma_fs_sep(buf[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < len && !puma_fs_sep(buf[i])) {
			if (!puma_fs_char_ok(buf[i]))
				return -EINVAL;
			i++;
		}
		n = i - start;
		if (n >= PUMA_FS_NAME_LEN)
			return -EINVAL;
		memcpy(name, buf + start, n);
		name[n] = '\0';
		if (puma_fslist_contains(&list, name))
			continue;
		if (list.nr == PUMA_FS_MAX)
			return -EINVAL;
		strscpy(list.name[list.nr++], name, PUMA_FS_NAME_LEN);
	}
	*out = list;
	return 0;
}

/**
 * puma_fslist_contains() - is @name in @list?
 * @list: the list
 * @name: a filesystem type name
 *
 * Context: any, including hard IRQ; does not sleep.
 * Return: true when @list holds @name.
 */
bool puma_fslist_contains(const struct puma_fslist *list, const char *name)
{
	unsigned int i;

	for (i = 0; i < list->nr; i++)
		if (!strcmp(list->name[i], name))
			return true;
	return false;
}

/**
 * puma_fslist_format() - write @list as one space-separated line
 * @list: the list
 * @buf: output buffer
 * @size: size of @buf
 *
 * Return: number of characters written (excluding the NUL), as sysfs show
 * functions return; the line ends with '\n'.
 */
int puma_fslist_format(const struct puma_fslist *list, char *buf, size_t size)
{
	unsigned int i;
	int n = 0;

	if (!size)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < list->nr; i++)
		n += scnprintf(buf + n, size - n, "%s%s", i ? " " : "",
			       list->name[i]);
	n += scnprintf(buf + n, size - n, "\n");
	return n;
}
