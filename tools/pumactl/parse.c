// SPDX-License-Identifier: GPL-2.0
/*
 * ADDR:PORT and SIZE: strict readers, so that a typo is a usage error
 * here and not a surprise in the kernel, and their writers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <linux/puma.h>

#include "parse.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Say why in @why, of @len bytes; evaluates to @err. */
#define parse_fail(why, len, err, fmt, ...) \
	(snprintf(why, len, fmt, ##__VA_ARGS__), (err))

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether the first @n characters of @s are an IPv6 address. */
static int is_ipv6_n(const char *s, size_t n)
{
	char host[INET6_ADDRSTRLEN];
	struct in6_addr a;

	if (n >= sizeof(host))
		return 0;
	memcpy(host, s, n);
	host[n] = '\0';
	return inet_pton(AF_INET6, host, &a) == 1;
}

static int is_ipv6(const char *s)
{
	return is_ipv6_n(s, strlen(s));
}

int parse_endpoint(const char *s, struct endpoint *ep, char *why,
		   size_t len)
{
	const char *colon = strrchr(s, ':');
	char host[INET_ADDRSTRLEN];
	unsigned long port = 0;
	struct in_addr addr;
	const char *p;
	size_t n;

	snprintf(why, len, "%s", "");
	if (!*s)
		return parse_fail(why, len, -EINVAL,
				  "empty (expected a.b.c.d:PORT)");
	if (s[0] == '[' || is_ipv6(s) || (colon && is_ipv6_n(s, colon - s)))
		return parse_fail(why, len, -EINVAL,
				  "IPv6 is not supported (expected a.b.c.d:PORT)");
	if (!colon)
		return parse_fail(why, len, -EINVAL,
				  "missing port (expected a.b.c.d:PORT)");
	n = colon - s;
	if (!n)
		return parse_fail(why, len, -EINVAL,
				  "missing address (expected a.b.c.d:PORT)");
	if (n < sizeof(host)) {
		memcpy(host, s, n);
		host[n] = '\0';
	}
	if (n >= sizeof(host) || inet_pton(AF_INET, host, &addr) != 1)
		return parse_fail(why, len, -EINVAL,
				  "'%.*s' is not an IPv4 address (expected a dotted quad, a.b.c.d; host names are not supported)",
				  (int)n, s);

	p = colon + 1;
	if (!*p)
		return parse_fail(why, len, -EINVAL,
				  "missing port after ':' (expected a.b.c.d:PORT)");
	for (n = 0; p[n]; n++)
		if (!is_digit(p[n]))
			return parse_fail(why, len, -EINVAL,
					  "'%s' is not a port number", p);
	for (; *p && port <= 65535; p++)
		port = port * 10 + (*p - '0');
	if (!port || port > 65535)
		return parse_fail(why, len, -EINVAL,
				  "port %s is out of range (1 to 65535)",
				  colon + 1);
	ep->addr = addr;
	ep->port = port;
	return 0;
}

static const struct {
	const char *suffix;
	unsigned int shift;
} size_units[] = {
	{ "",		0 },
	{ "K",		10 },
	{ "KiB",	10 },
	{ "M",		20 },
	{ "MiB",	20 },
	{ "G",		30 },
	{ "GiB",	30 },
	{ "T",		40 },
	{ "TiB",	40 },
};

int parse_size(const char *s, unsigned long long *bytes, char *why,
	       size_t len)
{
	unsigned long long v = 0;
	unsigned int d;
	const char *p;
	size_t i;

	snprintf(why, len, "%s", "");
	if (!is_digit(*s))
		return parse_fail(why, len, -EINVAL,
				  "'%s' is not a size (bytes, or a number with a suffix K, M, G or T)",
				  s);
	for (p = s; is_digit(*p); p++) {
		d = *p - '0';
		if (v > (ULLONG_MAX - d) / 10)
			return parse_fail(why, len, -ERANGE,
					  "'%s' is too large", s);
		v = v * 10 + d;
	}
	if (*p == '.' || *p == ',')
		return parse_fail(why, len, -EINVAL,
				  "'%s': only whole numbers (say 1536M, not 1.5G)",
				  s);
	for (i = 0; i < ARRAY_SIZE(size_units); i++)
		if (!strcmp(p, size_units[i].suffix))
			break;
	if (i == ARRAY_SIZE(size_units))
		return parse_fail(why, len, -EINVAL,
				  "'%s': unknown unit '%s' (K, M, G, T or KiB, MiB, GiB, TiB)",
				  s, p);
	if (v > ULLONG_MAX >> size_units[i].shift)
		return parse_fail(why, len, -ERANGE, "'%s' is too large", s);
	*bytes = v << size_units[i].shift;
	return 0;
}

int parse_max_memory(const char *s, unsigned long long *bytes, char *why,
		     size_t len)
{
	char min[32];
	int ret;

	ret = parse_size(s, bytes, why, len);
	if (ret)
		return ret;
	if (*bytes < PUMA_MAX_MEMORY_MIN) {
		format_size(min, sizeof(min), PUMA_MAX_MEMORY_MIN);
		return parse_fail(why, len, -ERANGE,
				  "'%s' is less than the minimum, %s", s, min);
	}
	return 0;
}

void format_endpoint(char *buf, size_t len, const struct in_addr *addr,
		     unsigned int port)
{
	char host[INET_ADDRSTRLEN];

	if (!inet_ntop(AF_INET, addr, host, sizeof(host)))
		snprintf(host, sizeof(host), "?");
	if (port)
		snprintf(buf, len, "%s:%u", host, port);
	else
		snprintf(buf, len, "%s", host);
}

void format_size(char *buf, size_t len, unsigned long long bytes)
{
	static const char * const units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	size_t i = 0;

	while (bytes && !(bytes & 1023) && i + 1 < ARRAY_SIZE(units)) {
		bytes >>= 10;
		i++;
	}
	snprintf(buf, len, "%llu %s", bytes, units[i]);
}
