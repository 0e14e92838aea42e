// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON emitter behind --json.
 */
#include <stdlib.h>

#include "json.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->items[0] = 0;
}

/*
 * The length of the well-formed UTF-8 sequence at @s: 1 for ASCII, 2 to 4
 * for a multi-byte character, 0 when ill-formed (overlong, surrogate,
 * beyond U+10FFFF, truncated).
 */
static int utf8_len(const unsigned char *s)
{
	unsigned int c = s[0], cp, min;
	int n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void json_put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	putc('"', f);
	while (*p) {
		n = utf8_len(p);
		if (n == 0) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				putc(*p, f);
		}
		p++;
	}
	putc('"', f);
}

/* The separator and the key that go before every value. */
static void json_item(struct json *j, const char *key)
{
	if (j->items[j->depth])
		putc(',', j->f);
	j->items[j->depth] = 1;
	if (key) {
		json_put_string(j->f, key);
		putc(':', j->f);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_item(j, key);
	putc(c, j->f);
	if (j->depth + 1 >= JSON_MAX_DEPTH)
		abort();	/* a bug in pumactl, not in its input */
	j->items[++j->depth] = 0;
}

static void json_close(struct json *j, char c)
{
	if (!j->depth)
		abort();
	j->depth--;
	putc(c, j->f);
}

void json_object_begin(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_object_end(struct json *j)
{
	json_close(j, '}');
}

void json_array_begin(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_array_end(struct json *j)
{
	json_close(j, ']');
}

void json_string(struct json *j, const char *key, const char *val)
{
	json_item(j, key);
	json_put_string(j->f, val);
}

void json_u64(struct json *j, const char *key, unsigned long long val)
{
	json_item(j, key);
	fprintf(j->f, "%llu", val);
}

void json_double(struct json *j, const char *key, double val)
{
	json_item(j, key);
	fprintf(j->f, "%.4f", val);
}

void json_bool(struct json *j, const char *key, int val)
{
	json_item(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	json_item(j, key);
	fputs("null", j->f);
}

void json_finish(struct json *j)
{
	putc('\n', j->f);
}
