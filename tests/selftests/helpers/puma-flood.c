// SPDX-License-Identifier: GPL-2.0
/*
 * puma-flood: a hostile borrower for the lender's caps (75-lender-caps.sh).
 *
 *   puma-flood ADDR:PORT [-s SESSIONS] [-p PAGES] [-i INODES]
 *              [-n PENDING] [-H HOLD_S]
 *
 * Speaks PUMA's wire protocol version 1 (Documentation/puma/protocol.rst,
 * puma/proto.h) from userspace:
 *
 * 1. opens SESSIONS sessions, each a put and a get connection with its
 *    own node id and session id, and counts the HELLO_ACKs: accepted,
 *    busy (status 4), other refusals, and connections closed without one;
 *    Then a third connection of the first accepted session says HELLO
 *    ("third connection status S": 0 accepted, 4 busy, -1 none);
 * 2. on the first accepted session, PUTs one page to each of INODES
 *    distinct inodes and invalidates it at once, so that the lender is
 *    left with many empty files (first, while pages have room);
 * 3. on each accepted session, PUTs PAGES random pages, spread over 32
 *    inodes of its own;
 * 4. opens PENDING connections that never say HELLO;
 * 5. prints "flooded" and stays silent on every connection for HOLD_S
 *    seconds, printing "closed session N at T" when the lender has closed
 *    both connections of session N, T seconds after "flooded"; then
 *    prints how many sessions and pending connections the lender closed
 *    and exits.
 *
 * Every line it prints is "key value ..." for the test to parse.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define MAGIC		0x414d5550u
#define MSG_HELLO	1
#define MSG_HELLO_ACK	2
#define MSG_PUT		3
#define MSG_INV_PAGES	6
#define MSG_PING	9
#define ROLE_BORROWER	1
#define CHAN_PUT	1
#define CHAN_GET	2
#define HELLO_BUSY	4
#define PAGE		4096
#define BATCH		32
#define HDR_LEN		16
#define KEY_LEN		24
#define MAX_SESSIONS	256
#define MAX_PENDING	256

struct session {
	u64 node;
	u64 id;
	u8 secret[WIRE_AUTH_LEN];
	int fd[2];		/* put, get; -1 once closed */
	int accepted;
	double closed_at;	/* seconds after "flooded", 0 while open */
};

static struct sockaddr_in addr;
static struct session sess[MAX_SESSIONS];
static int pending[MAX_PENDING];
static u64 rng = 0x9e3779b97f4a7c15ull;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put16(u8 *p, u16 v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(u8 *p, u32 v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(u8 *p, u64 v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

static u16 get16(const u8 *p)
{
	return p[0] | p[1] << 8;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const u8 *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int dial(void)
{
	struct timeval tv = { .tv_sec = 10 };
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void hdr(u8 *p, u16 type, u32 len)
{
	memset(p, 0, HDR_LEN);
	put16(p, type);
	put32(p + 4, len);
}

/*
 * HELLO, then the HELLO_ACK's status; -1 when closed without one.  A
 * session's first connection (the put channel) learns its secret into
 * @secret from the HELLO_ACK; the others prove it.
 */
static int hello(int fd, int chan, u64 node, u64 session, u8 *secret)
{
	u8 m[HDR_LEN + WIRE_HELLO_LEN];
	struct wire_hello2 h = {
		.magic = MAGIC,
		.version = WIRE_VERSION,
		.role = ROLE_BORROWER,
		.channel = chan,
		.page_size = PAGE,
		.max_batch = BATCH,
		.node_id = node,
		.session = session,
	};

	if (chan != CHAN_PUT)
		wire_hello_prove(&h, secret);
	hdr(m, MSG_HELLO, WIRE_HELLO_LEN);
	memcpy(m + HDR_LEN, &h, sizeof(h));
	if (write_all(fd, m, sizeof(m)) || read_all(fd, m, sizeof(m)))
		return -1;
	if (get16(m) != MSG_HELLO_ACK)
		return -1;
	memcpy(&h, m + HDR_LEN, sizeof(h));
	if (chan == CHAN_PUT && !h.status)
		memcpy(secret, h.auth, WIRE_AUTH_LEN);
	return h.status;
}

static void key(u8 *p, u32 pool, u64 ino, u64 index)
{
	put32(p, pool);
	put32(p + 4, 1);
	put64(p + 8, ino);
	put64(p + 16, index);
}

static u8 msg[HDR_LEN + 8 + BATCH * (KEY_LEN + PAGE)];
static u64 put_id;

/* One PUT of @n pages: key i is (@ino[i], @index[i]); random content. */
static int put_batch(int fd, unsigned int n, const u64 *ino,
		     const u64 *index, int invalidate)
{
	size_t len = 8 + n * KEY_LEN + (size_t)n * PAGE;
	u8 *b = msg + HDR_LEN, *pages = b + 8 + n * KEY_LEN;
	unsigned int i, j;

	hdr(msg, MSG_PUT, len);
	put64(msg + 8, ++put_id);	/* a PUT carries an id (PUT_ACK) */
	memset(b, 0, 8);
	put16(b, n);
	for (i = 0; i < n; i++) {
		key(b + 8 + i * KEY_LEN, 7, ino[i], index[i]);
		for (j = 0; j < PAGE; j += 8)
			put64(pages + (size_t)i * PAGE + j, rnd());
	}
	if (write_all(fd, msg, HDR_LEN + len))
		return -1;
	if (!invalidate)
		return 0;
	/* INVALIDATE_PAGES with the same keys. */
	hdr(msg, MSG_INV_PAGES, 8 + n * KEY_LEN);
	return write_all(fd, msg, HDR_LEN + 8 + n * KEY_LEN);
}

/* A PING on the put channel of every accepted session but @skip. */
static void keep_alive(int skip)
{
	u8 m[HDR_LEN + 8];
	int s;

	for (s = 0; s < MAX_SESSIONS; s++) {
		if (s == skip || !sess[s].accepted || sess[s].fd[0] < 0)
			continue;
		hdr(m, MSG_PING, 8);
		put64(m + 8, ++put_id);
		put64(m + HDR_LEN, 1);
		write_all(sess[s].fd[0], m, sizeof(m));
	}
}

/* Closed by the lender?  What it sent meanwhile (PUT_ACKs) is read. */
static int closed(int fd)
{
	char buf[4096];
	ssize_t n;

	if (fd < 0)
		return 1;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		return 1;
	}
}

int main(int argc, char **argv)
{
	int nsess = 12, npages = 1024, ninodes = 6000, npend = 24, hold = 20;
	int accepted = 0, busy = 0, refused = 0, cut = 0, dial_failed = 0;
	int sess_closed = 0, pend_closed = 0, first = -1, opt, s, c;
	u64 ino[BATCH], index[BATCH];
	double t0, last_close = 0;
	char *colon;

	while ((opt = getopt(argc, argv, "s:p:i:n:H:")) != -1) {
		switch (opt) {
		case 's':
			nsess = atoi(optarg);
			break;
		case 'p':
			npages = atoi(optarg);
			break;
		case 'i':
			ninodes = atoi(optarg);
			break;
		case 'n':
			npend = atoi(optarg);
			break;
		case 'H':
			hold = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || nsess > MAX_SESSIONS || npend > MAX_PENDING)
		goto usage;
	colon = strchr(argv[optind], ':');
	if (!colon)
		goto usage;
	*colon = 0;
	addr.sin_family = AF_INET;
	addr.sin_port = htons(atoi(colon + 1));
	if (inet_pton(AF_INET, argv[optind], &addr.sin_addr) != 1)
		goto usage;
	rng ^= (u64)getpid() << 32 ^ (u64)time(NULL);

	for (s = 0; s < nsess; s++) {
		u64 node = rnd() | 1, id = rnd() | 1;

		sess[s].node = node;
		sess[s].id = id;

		sess[s].fd[0] = -1;
		sess[s].fd[1] = -1;
		sess[s].accepted = 1;
		for (c = 0; c < 2; c++) {
			int fd = dial(), st;

			if (fd < 0) {
				dial_failed++;
				sess[s].accepted = 0;
				continue;
			}
			st = hello(fd, c ? CHAN_GET : CHAN_PUT, node, id,
				   sess[s].secret);
			if (st) {
				sess[s].accepted = 0;
				if (st == HELLO_BUSY)
					busy++;
				else if (st < 0)
					cut++;
				else
					refused++;
				close(fd);
				continue;
			}
			sess[s].fd[c] = fd;
		}
		if (sess[s].accepted) {
			accepted++;
			if (first < 0)
				first = s;
		}
	}
	printf("hello accepted %d busy %d refused %d cut %d dial_failed %d\n",
	       accepted, busy, refused, cut, dial_failed);
	if (first >= 0) {
		/* A third connection of one session, proving its secret. */
		int fd = dial();

		printf("third connection status %d\n",
		       fd < 0 ? -1 : hello(fd, CHAN_GET, sess[first].node,
					   sess[first].id,
					   sess[first].secret));
		if (fd >= 0)
			close(fd);
	}

	if (first >= 0) {
		int p, n;

		for (p = 0; p < ninodes; p += n) {
			n = ninodes - p < BATCH ? ninodes - p : BATCH;
			for (c = 0; c < n; c++) {
				ino[c] = 100000 + p + c;
				index[c] = 0;
			}
			if (put_batch(sess[first].fd[0], n, ino, index, 1)) {
				printf("inode flood cut after %d inodes\n", p);
				break;
			}
			/*
			 * The others wait for their turn: a PING now and then
			 * keeps them from the lender's idle timeout, which is
			 * short in the test.
			 */
			if (p / BATCH % 16 == 0)
				keep_alive(first);
		}
	}
	for (s = 0; s < nsess; s++) {
		int p, n, fails = 0;

		if (!sess[s].accepted)
			continue;
		for (p = 0; p < npages; p += n) {
			n = npages - p < BATCH ? npages - p : BATCH;
			for (c = 0; c < n; c++) {
				ino[c] = 1000 + (p + c) % 32;
				index[c] = (p + c) / 32;
			}
			if (put_batch(sess[s].fd[0], n, ino, index, 0)) {
				fails++;
				break;
			}
		}
		if (fails)
			printf("session %d put failed\n", s);
	}
	for (c = 0; c < npend; c++)
		pending[c] = dial();
	printf("flooded sessions %d pages %d inodes %d pending %d\n",
	       accepted, npages, ninodes, npend);
	fflush(stdout);

	t0 = now();
	while (now() - t0 < hold) {
		for (s = 0; s < nsess; s++) {
			if (!sess[s].accepted || sess[s].closed_at)
				continue;
			if (closed(sess[s].fd[0]) && closed(sess[s].fd[1])) {
				sess[s].closed_at = now() - t0;
				last_close = sess[s].closed_at;
				sess_closed++;
				printf("closed session %d at %.1f\n", s,
				       last_close);
				fflush(stdout);
			}
		}
		for (c = 0; c < npend; c++) {
			if (pending[c] >= 0 && closed(pending[c])) {
				close(pending[c]);
				pending[c] = -1;
				pend_closed++;
			}
		}
		usleep(100000);
	}
	printf("closed_by_lender sessions %d of %d pending %d of %d last_at %.1f\n",
	       sess_closed, accepted, pend_closed, npend, last_close);
	return 0;

usage:
	fprintf(stderr, "usage: puma-flood ADDR:PORT [-s SESSIONS] [-p PAGES]\n"
		"\t[-i INODES] [-n PENDING] [-H HOLD_S]\n");
	return 2;
}
