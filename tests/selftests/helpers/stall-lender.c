// SPDX-License-Identifier: GPL-2.0
/*
 * stall-lender: a fake PUMA lender whose get channel stalls, for the
 * selftests (tests/selftests/74-stalled-lender.sh).  Built statically on
 * the host (tests/selftests/helpers/Makefile), put in the guest as
 * /usr/bin/stall-lender.
 *
 *   stall-lender ADDR PORT [BYTES_PER_S [MAX_BATCH]]
 *
 * BYTES_PER_S 0 makes it a silent lender instead: it reads its get channel
 * as fast as it comes and still never answers a GET.  MAX_BATCH (default
 * 32) is the batch limit it announces; each time a PUT, GET or
 * INVALIDATE_PAGES arrives with more keys than any before of its type it
 * prints "stall-lender: max TYPE count N" (the silent lender parses its get
 * channel for that; the stalled one does not).
 *
 * It listens on ADDR:PORT with a tiny receive buffer (SO_RCVBUF set before
 * listen(), so that every accepted connection starts with a tiny window)
 * and completes the handshake on each connection exactly as a real lender
 * does (Documentation/puma/protocol.rst, puma/proto.h): it reads the
 * borrower's HELLO and answers a HELLO_ACK that accepts it, version 2, the
 * same channel, page size and session, the batch limit and features the
 * borrower offered.  Then:
 *
 * - put channel: its receive buffer is made large again and everything
 *   received (PUTs, INVALIDATE_*, BYE) is read and discarded, each PUT
 *   acknowledged as stored (PUT_ACK), so that the
 *   borrower records the pages it sent as held here;
 * - get channel: it reads BYTES_PER_S bytes (default 16) once a second and
 *   never answers a GET.  Pings travel on this channel too, behind the
 *   GETs it does not read: it answers them without reading them, one PONG
 *   every 500 ms echoing the first ping's id (1) and a timestamp of the
 *   guest's CLOCK_MONOTONIC (the clock the module's ktime_get_ns() reads;
 *   the fake runs in the borrower's guest).  A borrower believes a PONG
 *   whose id it has sent and whose timestamp is not in its future, so the
 *   lender stays connected as far as pings go.
 *
 * With STALL_LENDER_HOLD=PATH in its environment, the put channel withholds
 * its PUT_ACKs while PATH exists (kept in order, at most HOLD_MAX) and sends
 * them all once PATH is gone, so that the borrower's sender waits for room
 * with its queue filling up behind it, the way it would behind a lender
 * that stops acknowledging for a while.  Each INVALIDATE_POOL received
 * prints "stall-lender: INVALIDATE_POOL pool P", each release of held
 * acknowledgments "stall-lender: released N PUT_ACKs".
 *
 * It runs until killed.  Diagnostics go to stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
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

#define PUMA_MAGIC		0x414d5550u
#define MSG_HELLO		1
#define MSG_HELLO_ACK		2
#define MSG_PONG		10
#define MSG_PUT			3
#define MSG_PUT_ACK		12
#define MSG_GET			4
#define MSG_INV_PAGES		6
#define MSG_INV_POOL		8
#define ROLE_BORROWER		1
#define ROLE_LENDER		2
#define CHAN_PUT		1
#define CHAN_GET		2
#define MAX_BATCH		32
#define FEAT_EXCLUSIVE		1ull

struct wire_hdr {
	u16 type;
	u16 flags;
	u32 len;
	u64 id;
};

/* Naturally aligned: the wire layout without packing. */
static_assert(sizeof(struct wire_hdr) == 16, "wire header");

static unsigned int get_bytes_per_s = 16;
static unsigned int max_batch = MAX_BATCH;
static unsigned int max_seen[16];
static u64 node_id;
static const char *hold_path;

/* PUT_ACKs withheld while hold_path exists; past this many, sent anyway. */
#define HOLD_MAX		4096

static int read_all(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

/* Note the key count of a batch message of @type, printing new maxima. */
static void note_count(unsigned int type, unsigned int count)
{
	unsigned int old = __atomic_load_n(&max_seen[type], __ATOMIC_RELAXED);

	while (count > old) {
		if (__atomic_compare_exchange_n(&max_seen[type], &old, count, 0,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED)) {
			fprintf(stderr, "stall-lender: max %s count %u\n",
				type == MSG_PUT ? "PUT" :
				type == MSG_GET ? "GET" : "INVALIDATE_PAGES",
				count);
			break;
		}
	}
}

/*
 * Read one message: its header into @h and, for a batch (PUT, GET,
 * INVALIDATE_PAGES), its key count into @count (else 0); the rest is read
 * into @buf and discarded.  Returns 0, or -1 when the connection ended.
 */
static int read_msg(int fd, struct wire_hdr *h, unsigned int *count,
		    char *buf, size_t size)
{
	unsigned int type;
	u32 left, n;
	u16 c;

	if (read_all(fd, h, sizeof(*h)))
		return -1;
	type = le16toh(h->type);
	left = le32toh(h->len);
	*count = 0;
	if ((type == MSG_PUT || type == MSG_GET || type == MSG_INV_PAGES) &&
	    left >= 8) {
		if (read_all(fd, buf, 8))
			return -1;
		memcpy(&c, buf, 2);
		*count = le16toh(c);
		left -= 8;
		note_count(type, *count);
	}
	while (left) {
		n = left < size ? left : size;
		if (read_all(fd, buf, n))
			return -1;
		left -= n;
	}
	return 0;
}

/* Whether PUT_ACKs are withheld now. */
static int holding(void)
{
	return hold_path && access(hold_path, F_OK) == 0;
}

/* The PUT_ACK of a PUT with header @h and @count keys, all stored. */
static int send_ack(int fd, struct wire_hdr h, unsigned int count)
{
	u8 ack[sizeof(struct wire_hdr) + 8 + MAX_BATCH];
	u32 len = 8 + ((count + 7) & ~7u);

	memset(ack, 0, sizeof(ack));
	h.type = htole16(MSG_PUT_ACK);
	h.flags = 0;
	h.len = htole32(len);
	memcpy(ack, &h, sizeof(h));
	ack[sizeof(h)] = count & 0xff;
	ack[sizeof(h) + 1] = count >> 8;
	memset(ack + sizeof(h) + 8, 1, count);	/* PUMA_PUT_STORED */
	return write_all(fd, ack, sizeof(h) + len);
}

/*
 * The put channel: read every message; acknowledge each PUT as stored (a
 * PUT_ACK, so that the borrower asks for its pages), discard the rest.
 * While holding(), acknowledgments wait in @held.  @buf is shared by all
 * channels: its content is never used.
 */
static void put_channel(int fd, char *buf, size_t size)
{
	static struct {
		struct wire_hdr h;
		unsigned int count;
	} held[HOLD_MAX];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned int count, nheld = 0, i;
	struct wire_hdr h;

	for (;;) {
		if (nheld && (!holding() || nheld == HOLD_MAX)) {
			for (i = 0; i < nheld; i++)
				if (send_ack(fd, held[i].h, held[i].count))
					return;
			fprintf(stderr, "stall-lender: released %u PUT_ACKs\n",
				nheld);
			nheld = 0;
		}
		/* Look at the hold file at least every 100 ms. */
		if (nheld && poll(&p, 1, 100) == 0)
			continue;
		if (read_msg(fd, &h, &count, buf, size))
			return;
		if (le16toh(h.type) == MSG_INV_POOL) {
			u32 pool;

			memcpy(&pool, buf, sizeof(pool));
			fprintf(stderr, "stall-lender: INVALIDATE_POOL pool %u\n",
				le32toh(pool));
		}
		if (le16toh(h.type) != MSG_PUT || !count || count > MAX_BATCH)
			continue;
		if (holding()) {
			held[nheld].h = h;
			held[nheld++].count = count;
		} else if (send_ack(fd, h, count)) {
			return;
		}
	}
}

static u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Read the HELLO, answer it; returns the channel or -1. */
static int handshake(int fd)
{
	struct {
		struct wire_hdr h;
		struct wire_hello2 w;
	} in, out;

	if (read_all(fd, &in, sizeof(in)))
		return -1;
	if (le16toh(in.h.type) != MSG_HELLO ||
	    le32toh(in.h.len) != sizeof(in.w) ||
	    le32toh(in.w.magic) != PUMA_MAGIC ||
	    in.w.role != ROLE_BORROWER ||
	    (in.w.channel != CHAN_PUT && in.w.channel != CHAN_GET)) {
		fprintf(stderr, "stall-lender: not a borrower's HELLO\n");
		return -1;
	}
	memset(&out, 0, sizeof(out));
	out.h.type = htole16(MSG_HELLO_ACK);
	out.h.len = htole32(sizeof(out.w));
	out.w.magic = htole32(PUMA_MAGIC);
	out.w.version = htole16(WIRE_VERSION);
	out.w.role = ROLE_LENDER;
	out.w.channel = in.w.channel;
	out.w.page_size = in.w.page_size;
	out.w.max_batch = le16toh(in.w.max_batch) < max_batch ?
			  in.w.max_batch : htole16(max_batch);
	out.w.node_id = htole64(node_id);
	out.w.session = in.w.session;
	out.w.features = htole64(le64toh(in.w.features) & FEAT_EXCLUSIVE);
	/* A session's secret, on its first connection (proofs unchecked). */
	if (in.w.channel == CHAN_PUT)
		memset(out.w.auth, 0x5a, sizeof(out.w.auth));
	if (write_all(fd, &out, sizeof(out)))
		return -1;
	return in.w.channel;
}

/* Pongs for the pings this end does not read in time. */
static void *ponger(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct {
		struct wire_hdr h;
		u64 ts;
	} pong;

	/* The borrower pings once both channels are up: let ping 1 go out. */
	sleep(2);
	for (;;) {
		memset(&pong, 0, sizeof(pong));
		pong.h.type = htole16(MSG_PONG);
		pong.h.len = htole32(sizeof(pong.ts));
		pong.h.id = htole64(1);
		pong.ts = htole64(mono_ns() - 1000);
		if (write_all(fd, &pong, sizeof(pong)))
			return NULL;
		usleep(500000);
	}
}

static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg, chan, big = 4 << 20;
	static char buf[1 << 16];
	char *small;
	pthread_t t;

	chan = handshake(fd);
	if (chan < 0)
		goto out;
	fprintf(stderr, "stall-lender: %s channel paired\n",
		chan == CHAN_PUT ? "put" : "get");
	if (chan == CHAN_PUT) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
		put_channel(fd, buf, sizeof(buf));
		goto out;
	}
	if (pthread_create(&t, NULL, ponger, (void *)(intptr_t)fd))
		goto out;
	pthread_detach(t);
	small = malloc(get_bytes_per_s + 1);
	if (!small)
		goto out;
	for (;;) {
		if (get_bytes_per_s) {
			sleep(1);
			if (read(fd, small, get_bytes_per_s) <= 0)
				break;
		} else {
			struct wire_hdr h;
			unsigned int count;

			if (read_msg(fd, &h, &count, buf, sizeof(buf)))
				break;
		}
	}
	free(small);
out:
	fprintf(stderr, "stall-lender: connection ended\n");
	shutdown(fd, SHUT_RDWR);
	/* The ponger may still write to it: leave the descriptor open. */
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd, c, one = 1, tiny = 1024;
	pthread_t t;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: stall-lender ADDR PORT [BYTES_PER_S [MAX_BATCH]]\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1)
		return 2;
	a.sin_port = htons(atoi(argv[2]));
	if (argc >= 4)
		get_bytes_per_s = atoi(argv[3]) > 0 ? atoi(argv[3]) : 0;
	if (argc == 5 && (atoi(argv[4]) < 1 || atoi(argv[4]) > MAX_BATCH))
		return 2;
	if (argc == 5)
		max_batch = atoi(argv[4]);
	node_id = mono_ns() | 1;
	hold_path = getenv("STALL_LENDER_HOLD");

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof(tiny)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 8)) {
		perror("stall-lender: listen");
		return 1;
	}
	fprintf(stderr, "stall-lender: listening on %s:%s\n", argv[1], argv[2]);
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			perror("stall-lender: accept");
			return 1;
		}
		if (pthread_create(&t, NULL, serve, (void *)(intptr_t)c)) {
			close(c);
			continue;
		}
		pthread_detach(t);
	}
}
