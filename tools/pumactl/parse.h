/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arguments of the pairing commands: ADDR:PORT and SIZE, read from
 * the command line and written back for the output.  No libnl here, so
 * that "make test" can check these alone.
 */
#ifndef _PUMACTL_PARSE_H
#define _PUMACTL_PARSE_H

#include <stddef.h>
#include <netinet/in.h>

/* "a.b.c.d:port" and its NUL. */
#define ENDPOINT_LEN		(INET_ADDRSTRLEN + 6)

/* What a parser says about a wrong argument; "" when it is right. */
#define PARSE_WHY_LEN		128

/**
 * struct endpoint - an IPv4 address and a TCP port, as the ABI has them
 * @addr: network byte order (PUMA_A_ADDR_IN4)
 * @port: host order (PUMA_A_PORT)
 */
struct endpoint {
	struct in_addr addr;
	unsigned short port;
};

/*
 * Read "a.b.c.d:port": a dotted quad (no host name, no IPv6) and a port
 * from 1 to 65535.  Returns 0, or -EINVAL with the reason in @why.
 */
int parse_endpoint(const char *s, struct endpoint *ep, char *why,
		   size_t len);

/*
 * Read a number of bytes, optionally with a suffix K, M, G or T (also
 * KiB, MiB, GiB, TiB): powers of 1024.  Returns 0, -EINVAL (not a size)
 * or -ERANGE (more than 64 bits), with the reason in @why.
 */
int parse_size(const char *s, unsigned long long *bytes, char *why,
	       size_t len);

/* parse_size(), also -ERANGE below PUMA_MAX_MEMORY_MIN. */
int parse_max_memory(const char *s, unsigned long long *bytes, char *why,
		     size_t len);

/* "a.b.c.d:port", or "a.b.c.d" when @port is 0. */
void format_endpoint(char *buf, size_t len, const struct in_addr *addr,
		     unsigned int port);

/* @bytes in the largest unit that divides it: "4 GiB", "1536 MiB", "7 B". */
void format_size(char *buf, size_t len, unsigned long long bytes);

#endif /* _PUMACTL_PARSE_H */
