// SPDX-License-Identifier: GPL-2.0
/*
 * "make test": the readers and writers of parse.c against known answers.
 * Prints every wrong answer and exits 1 if there was one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/puma.h>

#include "parse.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define MIB		1048576ULL
#define U64_MAX		18446744073709551615ULL

/**
 * struct endpoint_case - one input of parse_endpoint()
 * @in: the argument
 * @ret: the expected return
 * @addr: the expected address, dotted, when @ret is 0
 * @port: the expected port, when @ret is 0
 * @why: a part of the expected reason, when @ret is not 0
 */
static const struct endpoint_case {
	const char *in;
	int ret;
	const char *addr;
	unsigned int port;
	const char *why;
} endpoint_cases[] = {
	{ "169.254.77.1:7777",	0, "169.254.77.1", 7777, NULL },
	{ "0.0.0.0:1",		0, "0.0.0.0", 1, NULL },
	{ "255.255.255.255:65535", 0, "255.255.255.255", 65535, NULL },
	{ "10.0.0.1:080",	0, "10.0.0.1", 80, NULL },
	{ "",			-EINVAL, NULL, 0, "empty" },
	{ "169.254.77.1",	-EINVAL, NULL, 0, "missing port" },
	{ "169.254.77.1:",	-EINVAL, NULL, 0, "missing port" },
	{ ":7777",		-EINVAL, NULL, 0, "missing address" },
	{ "localhost:7777",	-EINVAL, NULL, 0, "not an IPv4 address" },
	{ "lender.example:7777", -EINVAL, NULL, 0, "not an IPv4 address" },
	{ "[::1]:7777",		-EINVAL, NULL, 0, "IPv6" },
	{ "::1",		-EINVAL, NULL, 0, "IPv6" },
	{ "fe80::1:7777",	-EINVAL, NULL, 0, "IPv6" },
	{ "::ffff:1.2.3.4:7777", -EINVAL, NULL, 0, "IPv6" },
	{ "1.2.3:7777",		-EINVAL, NULL, 0, "not an IPv4 address" },
	{ "1.2.3.4.5:7777",	-EINVAL, NULL, 0, "not an IPv4 address" },
	{ "256.1.1.1:7777",	-EINVAL, NULL, 0, "not an IPv4 address" },
	{ "01.2.3.4:7777",	-EINVAL, NULL, 0, "not an IPv4 address" },
	{ "0x7f.0.0.1:7777",	-EINVAL, NULL, 0, "not an IPv4 address" },
	{ " 1.2.3.4:7777",	-EINVAL, NULL, 0, "not an IPv4 address" },
	{ "1.2.3.4:80:90",	-EINVAL, NULL, 0, "not an IPv4 address" },
	{ "1.2.3.4:0",		-EINVAL, NULL, 0, "out of range" },
	{ "1.2.3.4:000",	-EINVAL, NULL, 0, "out of range" },
	{ "1.2.3.4:65536",	-EINVAL, NULL, 0, "out of range" },
	{ "1.2.3.4:4294967297",	-EINVAL, NULL, 0, "out of range" },
	{ "1.2.3.4:99999999999999999999999", -EINVAL, NULL, 0, "out of range" },
	{ "1.2.3.4:-1",		-EINVAL, NULL, 0, "not a port number" },
	{ "1.2.3.4:+80",	-EINVAL, NULL, 0, "not a port number" },
	{ "1.2.3.4: 80",	-EINVAL, NULL, 0, "not a port number" },
	{ "1.2.3.4:80 ",	-EINVAL, NULL, 0, "not a port number" },
	{ "1.2.3.4:0x50",	-EINVAL, NULL, 0, "not a port number" },
	{ "1.2.3.4:http",	-EINVAL, NULL, 0, "not a port number" },
};

/**
 * struct size_case - one input of parse_size() or parse_max_memory()
 * @in: the argument
 * @ret: the expected return
 * @bytes: the expected value, when @ret is 0
 */
static const struct size_case {
	const char *in;
	int ret;
	unsigned long long bytes;
} size_cases[] = {
	{ "0",			0, 0 },
	{ "1",			0, 1 },
	{ "16777216",		0, 16 * MIB },
	{ "4096K",		0, 4 * MIB },
	{ "4096KiB",		0, 4 * MIB },
	{ "16M",		0, 16 * MIB },
	{ "16MiB",		0, 16 * MIB },
	{ "1536M",		0, 1536 * MIB },
	{ "2G",			0, 2048 * MIB },
	{ "2GiB",		0, 2048 * MIB },
	{ "3T",			0, 3ULL << 40 },
	{ "3TiB",		0, 3ULL << 40 },
	{ "007M",		0, 7 * MIB },
	{ "18446744073709551615", 0, U64_MAX },
	{ "16777215T",		0, 16777215ULL << 40 },
	{ "17179869183G",	0, 17179869183ULL << 30 },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "99999999999999999999999", -ERANGE, 0 },
	{ "16777216T",		-ERANGE, 0 },
	{ "17179869184G",	-ERANGE, 0 },
	{ "18014398509481984K",	-ERANGE, 0 },
	{ "",			-EINVAL, 0 },
	{ "M",			-EINVAL, 0 },
	{ "-1",			-EINVAL, 0 },
	{ "+1",			-EINVAL, 0 },
	{ " 1",			-EINVAL, 0 },
	{ "1 ",			-EINVAL, 0 },
	{ "1 G",		-EINVAL, 0 },
	{ "1.5G",		-EINVAL, 0 },
	{ "1,5G",		-EINVAL, 0 },
	{ "1X",			-EINVAL, 0 },
	{ "1KB",		-EINVAL, 0 },
	{ "1Mi",		-EINVAL, 0 },
	{ "1GB",		-EINVAL, 0 },
	{ "1MM",		-EINVAL, 0 },
	{ "1e6",		-EINVAL, 0 },
	{ "0x10",		-EINVAL, 0 },
	{ "lots",		-EINVAL, 0 },
};

/* parse_max_memory(): parse_size() and at least PUMA_MAX_MEMORY_MIN. */
static const struct size_case max_memory_cases[] = {
	{ "16M",		0, 16 * MIB },
	{ "16384K",		0, 16 * MIB },
	{ "16777216",		0, 16 * MIB },
	{ "1G",			0, 1024 * MIB },
	{ "18446744073709551615", 0, U64_MAX },
	{ "16777215",		-ERANGE, 0 },
	{ "16383K",		-ERANGE, 0 },
	{ "15M",		-ERANGE, 0 },
	{ "0",			-ERANGE, 0 },
	{ "16777216T",		-ERANGE, 0 },
	{ "16 M",		-EINVAL, 0 },
	{ "much",		-EINVAL, 0 },
};

static const struct {
	unsigned long long bytes;
	const char *out;
} format_size_cases[] = {
	{ 0,			"0 B" },
	{ 1,			"1 B" },
	{ 1023,			"1023 B" },
	{ 1024,			"1 KiB" },
	{ 1536,			"1536 B" },
	{ 16 * MIB,		"16 MiB" },
	{ 1536 * MIB,		"1536 MiB" },
	{ 1024 * MIB,		"1 GiB" },
	{ 3ULL << 40,		"3 TiB" },
	{ 1ULL << 63,		"8 EiB" },
	{ U64_MAX,		"18446744073709551615 B" },
};

static int failures;
static int checks;

static void check(int ok, const char *what, const char *in, const char *got)
{
	checks++;
	if (ok)
		return;
	failures++;
	fprintf(stderr, "FAIL %s(\"%s\"): %s\n", what, in, got);
}

static void test_endpoint(void)
{
	const struct endpoint_case *c;
	char why[PARSE_WHY_LEN], got[160], out[ENDPOINT_LEN];
	struct endpoint ep;
	struct in_addr a;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(endpoint_cases); i++) {
		c = &endpoint_cases[i];
		memset(&ep, 0xa5, sizeof(ep));
		ret = parse_endpoint(c->in, &ep, why, sizeof(why));
		if (ret != c->ret) {
			snprintf(got, sizeof(got), "returned %d (%s), not %d",
				 ret, why, c->ret);
			check(0, "parse_endpoint", c->in, got);
			continue;
		}
		if (ret) {
			check(why[0] && strstr(why, c->why), "parse_endpoint",
			      c->in, why);
			continue;
		}
		inet_pton(AF_INET, c->addr, &a);
		format_endpoint(out, sizeof(out), &ep.addr, ep.port);
		snprintf(got, sizeof(got), "got %s", out);
		check(ep.addr.s_addr == a.s_addr && ep.port == c->port &&
		      !why[0], "parse_endpoint", c->in, got);
	}

	/* format_endpoint() */
	inet_pton(AF_INET, "255.255.255.255", &a);
	format_endpoint(out, sizeof(out), &a, 65535);
	check(!strcmp(out, "255.255.255.255:65535"), "format_endpoint",
	      "255.255.255.255:65535", out);
	format_endpoint(out, sizeof(out), &a, 0);
	check(!strcmp(out, "255.255.255.255"), "format_endpoint",
	      "255.255.255.255", out);
}

static void test_sizes(const char *name, const struct size_case *cases,
		       size_t n,
		       int (*parse)(const char *s, unsigned long long *bytes,
				    char *why, size_t len))
{
	unsigned long long bytes;
	char why[PARSE_WHY_LEN], got[192];
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		bytes = 42;
		ret = parse(cases[i].in, &bytes, why, sizeof(why));
		snprintf(got, sizeof(got), "returned %d, %llu (%s)", ret,
			 bytes, why);
		if (ret)
			check(ret == cases[i].ret && why[0], name,
			      cases[i].in, got);
		else
			check(!cases[i].ret && bytes == cases[i].bytes &&
			      !why[0], name, cases[i].in, got);
	}
}

static void test_format_size(void)
{
	char out[32], in[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(format_size_cases); i++) {
		format_size(out, sizeof(out), format_size_cases[i].bytes);
		snprintf(in, sizeof(in), "%llu", format_size_cases[i].bytes);
		check(!strcmp(out, format_size_cases[i].out), "format_size",
		      in, out);
	}
}

int main(void)
{
	test_endpoint();
	test_sizes("parse_size", size_cases, ARRAY_SIZE(size_cases),
		   parse_size);
	test_sizes("parse_max_memory", max_memory_cases,
		   ARRAY_SIZE(max_memory_cases), parse_max_memory);
	test_format_size();
	if (failures) {
		fprintf(stderr, "parse_test: %d of %d checks failed\n",
			failures, checks);
		return 1;
	}
	printf("parse_test: all %d checks passed\n", checks);
	return 0;
}
