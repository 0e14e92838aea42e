// SPDX-License-Identifier: GPL-2.0
/*
 * puma-fuzz: speak PUMA's wire protocol (Documentation/puma/protocol.rst)
 * badly, on purpose, to a lender or to a borrower.
 *
 *   puma-fuzz lender HOST:PORT [-t SEC] [-s SEED]
 *	Pose as borrowers: connect to a lender and send truncated, oversized,
 *	reordered, replayed and random messages, HELLOs with bad fields,
 *	batches with bad counts and lengths, types that do not exist or come
 *	from the wrong end, byte-by-byte sends and many connections at once.
 *	Each case knows what a correct lender does: close the connection
 *	(a violation) or answer (HELLO_ACK, PONG, GET_RESP with the right id,
 *	count and bytes).
 *
 *   puma-fuzz borrower PORT [-t SEC] [-s SEED] [-f FILE] [-c PUMACTL]
 *	Pose as a lender: listen on 127.0.0.1:PORT, make the local module
 *	pair with it (PUMACTL borrower add-lender), answer the HELLOs (or
 *	break the HELLO_ACK), then send malformed or unsolicited GET_RESPs,
 *	PONGs and others, read the module's protocol_violations for this
 *	lender from `PUMACTL peers`, unpair, and start again.  With -f, a
 *	child evicts and reads FILE while paired so that real GETs come,
 *	which get answers with wrong counts, statuses, ids, pages or bytes;
 *	every read must return FILE's bytes.
 *
 * Both modes run their cases in turn until SEC seconds (default 20) have
 * passed and print one summary line of KEY=VALUE pairs; the exit status
 * is 0 when every case saw what a correct peer does, 1 otherwise, 2 on a
 * usage error.  Message layouts are built in one place (build_*()), so
 * that a new protocol version changes only those.  This speaks version 2:
 * 56-byte HELLOs whose auth field carries a session's secret (put channel
 * HELLO_ACK) or the proof of it (get channel HELLO, wire.h), and PUTs with
 * an id, each answered by a PUT_ACK.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* --- the wire format (protocol version 2) -------------------------------- */

#define MAGIC		0x414d5550u
#define VERSION		WIRE_VERSION
#define MAX_BATCH	32
#define PS		4096
#define HDR		16
#define HELLO_LEN	WIRE_HELLO_LEN
#define AUTH_LEN	WIRE_AUTH_LEN
#define KEY_LEN		24
#define BATCH_LEN	8
#define MAX_MSG		(HDR + BATCH_LEN + MAX_BATCH * (KEY_LEN + PS))

enum { T_HELLO = 1, T_HELLO_ACK, T_PUT, T_GET, T_GET_RESP, T_INV_PAGES,
	T_INV_INODE, T_INV_POOL, T_PING, T_PONG, T_BYE, T_PUT_ACK, T_NR };
enum { ROLE_BORROWER = 1, ROLE_LENDER = 2 };
enum { CHAN_PUT = 1, CHAN_GET = 2 };
#define FEAT_EXCLUSIVE	1ull

struct key {
	u32 pool, gen;
	u64 ino, index;
};

struct hdr {
	u16 type, flags;
	u32 len;
	u64 id;
};

static void le16(u8 *p, u16 v) { p[0] = v; p[1] = v >> 8; }

static void le32(u8 *p, u32 v) { le16(p, v); le16(p + 2, v >> 16); }

static void le64(u8 *p, u64 v) { le32(p, v); le32(p + 4, v >> 32); }

static u16 rd16(const u8 *p) { return p[0] | p[1] << 8; }

static u32 rd32(const u8 *p) { return rd16(p) | (u32)rd16(p + 2) << 16; }

static u64 rd64(const u8 *p) { return rd32(p) | (u64)rd32(p + 4) << 32; }

/* build_hdr() - the 16-byte header; returns HDR */
static size_t build_hdr(u8 *b, u16 type, u16 flags,
			u32 len, u64 id)
{
	le16(b, type);
	le16(b + 2, flags);
	le32(b + 4, len);
	le64(b + 8, id);
	return HDR;
}

/* build_hello() - HELLO or HELLO_ACK with every field as given */
static size_t build_hello(u8 *b, u16 type, const struct wire_hello2 *h)
{
	u8 *p = b + build_hdr(b, type, 0, HELLO_LEN, 0);

	le32(p, h->magic);
	le16(p + 4, h->version);
	p[6] = h->role;
	p[7] = h->channel;
	le32(p + 8, h->page_size);
	le16(p + 12, h->max_batch);
	le16(p + 14, h->status);
	le64(p + 16, h->node_id);
	le64(p + 24, h->session);
	le64(p + 32, h->features);
	memcpy(p + 40, h->auth, AUTH_LEN);
	return HDR + HELLO_LEN;
}

static void parse_hello(const u8 *p, struct wire_hello2 *h)
{
	h->magic = rd32(p);
	h->version = rd16(p + 4);
	h->role = p[6];
	h->channel = p[7];
	h->page_size = rd32(p + 8);
	h->max_batch = rd16(p + 12);
	h->status = rd16(p + 14);
	h->node_id = rd64(p + 16);
	h->session = rd64(p + 24);
	h->features = rd64(p + 32);
	memcpy(h->auth, p + 40, AUTH_LEN);
}

static int auth_set(const u8 *auth)
{
	unsigned int i;

	for (i = 0; i < AUTH_LEN; i++)
		if (auth[i])
			return 1;
	return 0;
}

static size_t build_key(u8 *p, const struct key *k)
{
	le32(p, k->pool);
	le32(p + 4, k->gen);
	le64(p + 8, k->ino);
	le64(p + 16, k->index);
	return KEY_LEN;
}

static void parse_key(const u8 *p, struct key *k)
{
	k->pool = rd32(p);
	k->gen = rd32(p + 4);
	k->ino = rd64(p + 8);
	k->index = rd64(p + 16);
}

/*
 * build_batch() - PUT, GET or INVALIDATE_PAGES: @count keys (and, for a
 * PUT, @npages pages); @len overrides the header's length when not ~0.
 */
static size_t build_batch(u8 *b, u16 type, u64 id,
			  u16 count, u16 flags, u32 reserved,
			  const struct key *keys, unsigned int nkeys,
			  const u8 *pages, unsigned int npages,
			  u32 len)
{
	u8 *p = b + HDR;
	unsigned int i;

	le16(p, count);
	le16(p + 2, flags);
	le32(p + 4, reserved);
	p += BATCH_LEN;
	for (i = 0; i < nkeys; i++)
		p += build_key(p, &keys[i]);
	for (i = 0; i < npages; i++, p += PS)
		memcpy(p, pages + (size_t)i * PS, PS);
	if (len == ~0u)
		len = p - b - HDR;
	build_hdr(b, type, 0, len, id);
	return p - b;
}

/*
 * build_get_resp() - GET_RESP: @count statuses, zero-padded to 8 (a
 * non-zero @pad goes in the first padding byte), then @npages pages.
 */
static size_t build_get_resp(u8 *b, u64 id, u16 count,
			     const u8 *status, u8 pad,
			     const u8 *pages, unsigned int npages)
{
	u8 *p = b + HDR;
	unsigned int i, n = (count + 7) & ~7u;

	le16(p, count);
	le16(p + 2, 0);
	le32(p + 4, 0);
	p += BATCH_LEN;
	memset(p, 0, n ? n : 8);
	memcpy(p, status, count);
	if (pad && count < n)
		p[count] = pad;
	p += n;
	for (i = 0; i < npages; i++, p += PS)
		memcpy(p, pages + (size_t)i * PS, PS);
	build_hdr(b, T_GET_RESP, 0, p - b - HDR, id);
	return p - b;
}

/*
 * build_put_ack() - PUT_ACK: @count statuses (1 stored, 0 refused),
 * zero-padded to 8
 */
static size_t build_put_ack(u8 *b, u64 id, u16 count, const u8 *status)
{
	u8 *p = b + HDR;
	unsigned int n = (count + 7) & ~7u;

	le16(p, count);
	le16(p + 2, 0);
	le32(p + 4, 0);
	p += BATCH_LEN;
	memset(p, 0, n ? n : 8);
	memcpy(p, status, count);
	p += n;
	build_hdr(b, T_PUT_ACK, 0, p - b - HDR, id);
	return p - b;
}

/* build_u64() - PING or PONG; build_u32() - INVALIDATE_POOL or BYE */
static size_t build_u64(u8 *b, u16 type, u64 id, u64 v)
{
	build_hdr(b, type, 0, 8, id);
	le64(b + HDR, v);
	return HDR + 8;
}

static size_t build_u32(u8 *b, u16 type, u32 v, u32 rsv)
{
	build_hdr(b, type, 0, 8, 0);
	le32(b + HDR, v);
	le32(b + HDR + 4, rsv);
	return HDR + 8;
}

static size_t build_inode(u8 *b, u32 pool, u32 gen,
			  u64 ino)
{
	build_hdr(b, T_INV_INODE, 0, 16, 0);
	le32(b + HDR, pool);
	le32(b + HDR + 4, gen);
	le64(b + HDR + 8, ino);
	return HDR + 16;
}

/* --- plumbing ------------------------------------------------------------- */

static u64 rng_state = 0x9e3779b97f4a7c15ull;
static u64 rnd(void)
{
	u64 x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct {
	unsigned long messages, bytes_sent, cases, passed, failed;
	unsigned long closed, answers, conns, violations, paired;
	unsigned long refused, gets, hits_sent, bytes_verified, bad_bytes;
	unsigned long replays, timeouts, put_acks, denied;
} st;

static int verbose;
/* buf holds the largest message sent: a PUT one page over the limit */
static u8 buf[MAX_MSG + 2 * (KEY_LEN + PS)], rbuf[MAX_MSG + 64];

/* summary() - " KEY=VALUE" for each (const char *, unsigned long) pair */
static void summary(const char *key, ...)
{
	va_list ap;

	va_start(ap, key);
	for (; key; key = va_arg(ap, const char *))
		printf(" %s=%lu", key, va_arg(ap, unsigned long));
	va_end(ap);
	putchar('\n');
}

static void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "puma-fuzz: FAIL %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void set_timeout(int fd, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* send_raw() - all of @len bytes; one message counted */
static int send_raw(int fd, const void *b, size_t len)
{
	size_t done = 0;
	ssize_t n;

	st.messages++;
	while (done < len) {
		n = send(fd, (const u8 *)b + done, len - done, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		done += n;
	}
	st.bytes_sent += len;
	return 0;
}

/* send_slow() - one byte at a time, @gap_ms apart */
static int send_slow(int fd, const u8 *b, size_t len, int gap_ms)
{
	struct timespec ts = { 0, gap_ms * 1000000L };
	int one = 1;
	size_t i;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	st.messages++;
	for (i = 0; i < len; i++) {
		if (send(fd, b + i, 1, MSG_NOSIGNAL) != 1)
			return -1;
		nanosleep(&ts, NULL);
	}
	st.bytes_sent += len;
	return 0;
}

static int recv_all(int fd, u8 *b, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = recv(fd, b + done, len - done, 0);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		done += n;
	}
	return 0;
}

/* recv_msg() - one message into rbuf within the socket's timeout */
static int recv_msg(int fd, struct hdr *h)
{
	int ret = recv_all(fd, rbuf, HDR);

	if (ret)
		return ret;
	h->type = rd16(rbuf);
	h->flags = rd16(rbuf + 2);
	h->len = rd32(rbuf + 4);
	h->id = rd64(rbuf + 8);
	if (h->len > MAX_MSG - HDR)
		return -EMSGSIZE;
	return recv_all(fd, rbuf + HDR, h->len);
}

/*
 * wait_closed() - true when the peer closes @fd within @ms: messages
 * before the end (a HELLO_ACK that refuses, a BYE) are read and dropped.
 */
static int wait_closed(int fd, int ms)
{
	double end = now() + ms / 1000.0;
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;

	while (now() < end) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return 1;
	}
	return 0;
}

static int parse_addr(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *c = strrchr(s, ':');

	if (!c || c - s >= (long)sizeof(host))
		return -1;
	memcpy(host, s, c - s);
	host[c - s] = 0;
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(atoi(c + 1));
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 && a->sin_port ? 0 : -1;
}

/* --- posing as borrowers -------------------------------------------------- */

static struct sockaddr_in target;

static int dial(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	set_timeout(fd, 4000);
	if (connect(fd, (struct sockaddr *)&target, sizeof(target))) {
		close(fd);
		return -1;
	}
	st.conns++;
	return fd;
}

static u64 new_id(void)
{
	u64 v;

	do
		v = rnd();
	while (!v);
	return v;
}

static struct wire_hello2 good_hello(u8 chan, u64 node, u64 session)
{
	return (struct wire_hello2){ MAGIC, VERSION, ROLE_BORROWER, chan, PS,
				     MAX_BATCH, 0, node, session,
				     FEAT_EXCLUSIVE, { 0 } };
}

/*
 * hello_status() - send @h on @fd; the HELLO_ACK's status (its auth in
 * @auth when not NULL), or -1 when no well-formed HELLO_ACK comes
 */
static int hello_status(int fd, const struct wire_hello2 *h, u8 *auth)
{
	struct wire_hello2 a;
	struct hdr rh;

	if (send_raw(fd, buf, build_hello(buf, T_HELLO, h)))
		return -1;
	if (recv_msg(fd, &rh) || rh.type != T_HELLO_ACK || rh.len != HELLO_LEN)
		return -1;
	parse_hello(rbuf + HDR, &a);
	st.answers++;
	if (a.magic != MAGIC)
		return -1;
	if (!a.status && (a.session != h->session || a.channel != h->channel))
		return -1;
	if (auth)
		memcpy(auth, a.auth, AUTH_LEN);
	return a.status;
}

/*
 * handshake() - valid HELLO on @fd; 0 when the lender accepts.  With
 * @secret all zero, the session's first connection: the HELLO_ACK must
 * hand out a secret, stored in @secret.  Else the HELLO carries the proof
 * of @secret and the HELLO_ACK must carry no secret.
 */
static int handshake(int fd, u8 chan, u64 node, u64 session, u8 *secret)
{
	struct wire_hello2 h = good_hello(chan, node, session);
	int first = !auth_set(secret);
	u8 auth[AUTH_LEN];

	if (!first)
		wire_hello_prove(&h, secret);
	if (hello_status(fd, &h, auth) != 0 || auth_set(auth) != first)
		return -1;
	if (first)
		memcpy(secret, auth, AUTH_LEN);
	return 0;
}

/* ping_ok() - a PING on @fd gets its PONG */
static int ping_ok(int fd)
{
	u64 id = new_id(), ts = rnd();
	struct hdr rh;

	if (send_raw(fd, buf, build_u64(buf, T_PING, id, ts)) ||
	    recv_msg(fd, &rh))
		return 0;
	st.answers++;
	return rh.type == T_PONG && rh.id == id && rd64(rbuf + HDR) == ts;
}

/* Borrower connections a case works on. */
struct bctx {
	const char *name;
	int put, get;
	u64 node, session;
	u8 secret[AUTH_LEN];
};

static int open_session(struct bctx *c, int chans)
{
	c->node = new_id();
	c->session = new_id();
	c->put = -1;
	c->get = -1;
	memset(c->secret, 0, sizeof(c->secret));
	if (chans & 1) {
		c->put = dial();
		if (c->put < 0 || handshake(c->put, CHAN_PUT, c->node,
					    c->session, c->secret))
			return -1;
	}
	if (chans & 2) {
		c->get = dial();
		if (c->get < 0 || handshake(c->get, CHAN_GET, c->node,
					    c->session, c->secret))
			return -1;
	}
	return 0;
}

static void close_session(struct bctx *c)
{
	if (c->put >= 0)
		close(c->put);
	if (c->get >= 0)
		close(c->get);
	c->put = -1;
	c->get = -1;
}

static void rand_page(u8 *p)
{
	size_t i;

	for (i = 0; i < PS; i += 8)
		le64(p + i, rnd());
}

static struct key rand_key(void)
{
	return (struct key){ rnd() % 1000 + 1, rnd(), rnd() >> 2,
			     rnd() % 100000 };
}

/*
 * A lender case: what to send on a fresh connection (before or after the
 * handshake, on which channel), and whether a correct lender closes.
 */
enum when { BEFORE, ON_PUT, ON_GET };
struct lcase {
	const char *name;
	enum when when;
	size_t (*make)(u8 *b);
};

static struct wire_hello2 bad_hello;
static size_t mk_hello_field(u8 *b) { return build_hello(b, T_HELLO, &bad_hello); }

#define HELLO_CASE(n, field, val)					\
	static size_t mk_##n(u8 *b)				\
	{								\
		bad_hello = good_hello(CHAN_PUT, new_id(), new_id());	\
		bad_hello.field = val;					\
		return mk_hello_field(b);				\
	}
HELLO_CASE(hello_magic, magic, 0x12345678)
HELLO_CASE(hello_version0, version, 0)
HELLO_CASE(hello_role_lender, role, ROLE_LENDER)
HELLO_CASE(hello_role0, role, 0)
HELLO_CASE(hello_channel0, channel, 0)
HELLO_CASE(hello_channel3, channel, 3)
HELLO_CASE(hello_page_1000, page_size, 1000)
HELLO_CASE(hello_page_1m, page_size, 1 << 20)
HELLO_CASE(hello_max_batch0, max_batch, 0)
HELLO_CASE(hello_node0, node_id, 0)
HELLO_CASE(hello_session0, session, 0)
HELLO_CASE(hello_status, status, 1)

static size_t mk_hello_short(u8 *b)
{
	struct wire_hello2 h = good_hello(CHAN_PUT, new_id(), new_id());
	size_t n = build_hello(b, T_HELLO, &h);

	le32(b + 4, HELLO_LEN - 1);
	return n - 1;
}

static size_t mk_hello_long(u8 *b)
{
	struct wire_hello2 h = good_hello(CHAN_PUT, new_id(), new_id());
	size_t n = build_hello(b, T_HELLO, &h);

	le32(b + 4, HELLO_LEN + 1);
	b[n] = 0;
	return n + 1;
}

static size_t mk_hello_flags(u8 *b)
{
	struct wire_hello2 h = good_hello(CHAN_PUT, new_id(), new_id());
	size_t n = build_hello(b, T_HELLO, &h);

	le16(b + 2, 1);
	return n;
}

static size_t mk_hello_id(u8 *b)
{
	struct wire_hello2 h = good_hello(CHAN_PUT, new_id(), new_id());
	size_t n = build_hello(b, T_HELLO, &h);

	le64(b + 8, 7);
	return n;
}

static size_t mk_garbage(u8 *b)
{
	size_t i, n = 16 + rnd() % 200;

	for (i = 0; i < n; i++)
		b[i] = rnd();
	le16(b, 0x100 + rnd() % 0xff00);	/* no such type */
	return n;
}

static size_t mk_ping(u8 *b) { return build_u64(b, T_PING, 1, 2); }

static size_t mk_ping_id0(u8 *b) { return build_u64(b, T_PING, 0, 2); }

static size_t mk_pong_id0(u8 *b) { return build_u64(b, T_PONG, 0, 2); }

static size_t mk_put_early(u8 *b)
{
	struct key k = rand_key();
	u8 page[PS] = { 0 };

	return build_batch(b, T_PUT, 1, 1, 0, 0, &k, 1, page, 1, ~0u);
}

static size_t mk_type(u8 *b, u16 type)
{
	build_hdr(b, type, 0, 8, 0);
	memset(b + HDR, 0, 8);
	return HDR + 8;
}

static size_t mk_type0(u8 *b) { return mk_type(b, 0); }

static size_t mk_type13(u8 *b) { return mk_type(b, T_NR); }

static size_t mk_type_max(u8 *b) { return mk_type(b, 0xffff); }

static size_t mk_huge_len(u8 *b) { return build_hdr(b, T_PUT, 0, 0xffffffffu, 0); }

static size_t mk_huge_get(u8 *b) { return build_hdr(b, T_GET, 0, 1u << 30, 9); }

static size_t mk_put_count(u8 *b, unsigned int count, unsigned int nk,
			   unsigned int np, u32 len, u16 flags,
			   u32 rsv)
{
	static u8 pages[(MAX_BATCH + 1) * PS];
	struct key keys[MAX_BATCH + 1];
	unsigned int i;

	for (i = 0; i < nk; i++)
		keys[i] = rand_key();
	return build_batch(b, T_PUT, new_id(), count, flags, rsv, keys, nk,
			   pages, np, len);
}

static size_t mk_put_count0(u8 *b) { return mk_put_count(b, 0, 1, 1, ~0u, 0, 0); }

static size_t mk_put_count33(u8 *b) { return mk_put_count(b, 33, 33, 33, ~0u, 0, 0); }

static size_t mk_put_past_end(u8 *b) { return mk_put_count(b, 2, 1, 1, ~0u, 0, 0); }

static size_t mk_put_short_len(u8 *b)
{
	size_t n = mk_put_count(b, 2, 2, 2, ~0u, 0, 0);

	le32(b + 4, rd32(b + 4) - PS);	/* count says 2, length holds 1 page */
	return n - PS;
}

static size_t mk_put_flags(u8 *b) { return mk_put_count(b, 1, 1, 1, ~0u, 1, 0); }

static size_t mk_put_reserved(u8 *b) { return mk_put_count(b, 1, 1, 1, ~0u, 0, 1); }

static size_t mk_put_index(u8 *b)
{
	size_t n = mk_put_count(b, 1, 1, 1, ~0u, 0, 0);

	le64(b + HDR + BATCH_LEN + 16, ~0ull);	/* past MAX_LFS_FILESIZE */
	return n;
}

static size_t mk_put_id0(u8 *b)
{
	size_t n = mk_put_count(b, 1, 1, 1, ~0u, 0, 0);

	le64(b + 8, 0);
	return n;
}

static size_t mk_put_ack(u8 *b)
{
	u8 s = 1;

	return build_put_ack(b, 1, 1, &s);
}

static size_t mk_get(u8 *b, u64 id, unsigned int count,
		     u16 flags)
{
	struct key keys[MAX_BATCH + 8];
	unsigned int i;

	for (i = 0; i < count; i++)
		keys[i] = rand_key();
	return build_batch(b, T_GET, id, count, flags, 0, keys, count, NULL, 0,
			   ~0u);
}

static size_t mk_get_on_put(u8 *b) { return mk_get(b, 3, 1, 0); }

static size_t mk_get_count33(u8 *b) { return mk_get(b, 3, 33, 0); }

static size_t mk_get_count0(u8 *b) { return mk_get(b, 3, 0, 0); }

static size_t mk_get_id0(u8 *b) { return mk_get(b, 0, 1, 0); }

static size_t mk_get_flags(u8 *b) { return mk_get(b, 3, 1, 2); }

static size_t mk_put_on_get(u8 *b) { return mk_put_count(b, 1, 1, 1, ~0u, 0, 0); }

static size_t mk_inv_on_get(u8 *b) { return build_u32(b, T_INV_POOL, 1, 0); }

static size_t mk_get_resp(u8 *b)
{
	u8 s = 0;

	return build_get_resp(b, 4, 1, &s, 0, NULL, 0);
}

static size_t mk_hello_ack(u8 *b)
{
	struct wire_hello2 h = good_hello(CHAN_PUT, 1, 1);

	h.role = ROLE_LENDER;
	return build_hello(b, T_HELLO_ACK, &h);
}

static size_t mk_hello_again(u8 *b)
{
	struct wire_hello2 h = good_hello(CHAN_PUT, new_id(), new_id());

	return build_hello(b, T_HELLO, &h);
}

static size_t mk_inv_pool_rsv(u8 *b) { return build_u32(b, T_INV_POOL, 1, 1); }

static size_t mk_bye_rsv(u8 *b) { return build_u32(b, T_BYE, 0, 3); }

static size_t mk_inv_inode_len(u8 *b)
{
	size_t n = build_inode(b, 1, 2, 3);

	le32(b + 4, 15);
	return n - 1;
}

static size_t mk_inv_pages0(u8 *b)
{
	return build_batch(b, T_INV_PAGES, 0, 0, 0, 0, NULL, 0, NULL, 0, ~0u);
}

static const struct lcase lcases[] = {
	{ "garbage before HELLO", BEFORE, mk_garbage },
	{ "PING before HELLO", BEFORE, mk_ping },
	{ "PUT before HELLO", BEFORE, mk_put_early },
	{ "HELLO bad magic", BEFORE, mk_hello_magic },
	{ "HELLO version 0", BEFORE, mk_hello_version0 },
	{ "HELLO from a lender", BEFORE, mk_hello_role_lender },
	{ "HELLO role 0", BEFORE, mk_hello_role0 },
	{ "HELLO channel 0", BEFORE, mk_hello_channel0 },
	{ "HELLO channel 3", BEFORE, mk_hello_channel3 },
	{ "HELLO page size 1000", BEFORE, mk_hello_page_1000 },
	{ "HELLO page size 1 MiB", BEFORE, mk_hello_page_1m },
	{ "HELLO max_batch 0", BEFORE, mk_hello_max_batch0 },
	{ "HELLO node 0", BEFORE, mk_hello_node0 },
	{ "HELLO session 0", BEFORE, mk_hello_session0 },
	{ "HELLO status 1", BEFORE, mk_hello_status },
	{ "HELLO a byte short", BEFORE, mk_hello_short },
	{ "HELLO a byte long", BEFORE, mk_hello_long },
	{ "HELLO header flags", BEFORE, mk_hello_flags },
	{ "HELLO with an id", BEFORE, mk_hello_id },
	{ "huge len before HELLO", BEFORE, mk_huge_len },
	{ "unknown type 0", ON_PUT, mk_type0 },
	{ "unknown type 13", ON_PUT, mk_type13 },
	{ "unknown type 0xffff", ON_PUT, mk_type_max },
	{ "PUT len 4 GiB", ON_PUT, mk_huge_len },
	{ "GET len 1 GiB", ON_GET, mk_huge_get },
	{ "PUT count 0", ON_PUT, mk_put_count0 },
	{ "PUT count 33", ON_PUT, mk_put_count33 },
	{ "PUT count past the end", ON_PUT, mk_put_past_end },
	{ "PUT len short of count", ON_PUT, mk_put_short_len },
	{ "PUT flags", ON_PUT, mk_put_flags },
	{ "PUT reserved", ON_PUT, mk_put_reserved },
	{ "PUT index past the end", ON_PUT, mk_put_index },
	{ "PUT id 0", ON_PUT, mk_put_id0 },
	{ "PUT_ACK to a lender", ON_PUT, mk_put_ack },
	{ "GET on the put channel", ON_PUT, mk_get_on_put },
	{ "GET_RESP to a lender", ON_GET, mk_get_resp },
	{ "HELLO_ACK to a lender", ON_PUT, mk_hello_ack },
	{ "second HELLO", ON_PUT, mk_hello_again },
	{ "PING id 0", ON_PUT, mk_ping_id0 },
	{ "PONG id 0", ON_GET, mk_pong_id0 },
	{ "INVALIDATE_POOL reserved", ON_PUT, mk_inv_pool_rsv },
	{ "INVALIDATE_INODE short", ON_PUT, mk_inv_inode_len },
	{ "INVALIDATE_PAGES count 0", ON_PUT, mk_inv_pages0 },
	{ "BYE reserved", ON_PUT, mk_bye_rsv },
	{ "GET count 33", ON_GET, mk_get_count33 },
	{ "GET count 0", ON_GET, mk_get_count0 },
	{ "GET id 0", ON_GET, mk_get_id0 },
	{ "GET unknown flag", ON_GET, mk_get_flags },
	{ "PUT on the get channel", ON_GET, mk_put_on_get },
	{ "INVALIDATE on the get channel", ON_GET, mk_inv_on_get },
};

static void verdict(const char *name, int good)
{
	st.cases++;
	if (good) {
		st.passed++;
		if (verbose)
			fprintf(stderr, "puma-fuzz: ok %s\n", name);
	} else {
		st.failed++;
	}
}

/*
 * One malformed message per connection, for up to GROUP cases at once (a
 * connection costs the lender an accept and a thread: the cases overlap
 * their round trips): a correct lender closes each connection.  The
 * cases after a handshake send a valid HELLO first and need its ACK.
 */
#define GROUP 8
static void run_lgroup(const struct lcase *lc, unsigned int n)
{
	struct pollfd p[GROUP];
	int closed[GROUP] = { 0 }, left = 0;
	struct wire_hello2 h, a;
	struct hdr rh;
	unsigned int i;
	double end;

	for (i = 0; i < n; i++)
		p[i] = (struct pollfd){ dial(), POLLIN, 0 };
	for (i = 0; i < n; i++) {
		if (p[i].fd < 0 || lc[i].when == BEFORE)
			continue;
		h = good_hello(lc[i].when == ON_PUT ? CHAN_PUT : CHAN_GET,
			       new_id(), new_id());
		send_raw(p[i].fd, buf, build_hello(buf, T_HELLO, &h));
	}
	for (i = 0; i < n; i++) {
		if (p[i].fd < 0 || lc[i].when == BEFORE)
			continue;
		if (recv_msg(p[i].fd, &rh) || rh.type != T_HELLO_ACK ||
		    (parse_hello(rbuf + HDR, &a), a.status)) {
			fail(lc[i].name, "handshake refused");
			close(p[i].fd);
			p[i].fd = -1;
			continue;
		}
		st.answers++;
	}
	for (i = 0; i < n; i++) {
		if (p[i].fd < 0)
			continue;
		send_raw(p[i].fd, buf, lc[i].make(buf));
		left++;
	}
	/* Sooner than the lender's 3 s HELLO timeout would close them. */
	end = now() + 2;
	while (left && now() < end) {
		if (poll(p, n, 50) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			ssize_t r;

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = recv(p[i].fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				closed[i] = 1;
				close(p[i].fd);
				p[i].fd = -1;
				left--;
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (p[i].fd >= 0) {
			close(p[i].fd);
			fail(lc[i].name, "the lender kept the connection");
		} else if (!closed[i]) {
			fail(lc[i].name, "cannot connect or shake hands");
		}
		st.closed += closed[i];
		verdict(lc[i].name, closed[i]);
	}
}

/* HELLO sent one byte every 5 ms, from a higher version: accepted as 2. */
static void lcase_slow_hello(void)
{
	const char *name = "slow HELLO of version 99";
	struct wire_hello2 h = good_hello(CHAN_PUT, new_id(), new_id()), a;
	struct hdr rh;
	int fd = dial(), good = 0;

	h.version = 99;
	if (fd >= 0 && !send_slow(fd, buf, build_hello(buf, T_HELLO, &h), 5) &&
	    !recv_msg(fd, &rh) && rh.type == T_HELLO_ACK) {
		parse_hello(rbuf + HDR, &a);
		good = !a.status && a.version == VERSION && ping_ok(fd);
	}
	if (!good)
		fail(name, "no HELLO_ACK of version 2, or no PONG after");
	verdict(name, good);
	if (fd >= 0)
		close(fd);
}

/* Another page size: refused with status 2, then closed. */
static void lcase_page_size(void)
{
	const char *name = "HELLO page size 8192 refused";
	struct wire_hello2 h = good_hello(CHAN_PUT, new_id(), new_id()), a;
	struct hdr rh;
	int fd = dial(), good = 0;

	h.page_size = 8192;
	if (fd >= 0 && !send_raw(fd, buf, build_hello(buf, T_HELLO, &h)) &&
	    !recv_msg(fd, &rh) && rh.type == T_HELLO_ACK) {
		parse_hello(rbuf + HDR, &a);
		good = a.status == 2 && wait_closed(fd, 3000);
	}
	if (!good)
		fail(name, "no refusal with status 2 and close");
	verdict(name, good);
	if (fd >= 0)
		close(fd);
}

/*
 * A whole session: PUT pages, GET them back (twice with the same id: a
 * lender answers each GET), check the bytes; send a truncated PUT at the
 * end and close half-way.
 */
static void lcase_roundtrip(void)
{
	const char *name = "PUT, GET twice with one id, bytes back";
	static u8 pages[4 * PS];
	struct key keys[4];
	struct bctx c;
	struct hdr rh;
	unsigned int i, tries, hits = 0, good = 0, r;
	u64 id = new_id();
	size_t n;

	if (open_session(&c, 3))
		goto out;
	for (i = 0; i < 4; i++) {
		keys[i] = rand_key();
		rand_page(pages + i * PS);
	}
	n = build_batch(buf, T_PUT, id ^ 1, 4, 0, 0, keys, 4, pages, 4, ~0u);
	if (send_raw(c.put, buf, n) || recv_msg(c.put, &rh) ||
	    rh.type != T_PUT_ACK || rh.id != (id ^ 1) ||
	    rd16(rbuf + HDR) != 4 || rh.len != BATCH_LEN + 8 ||
	    memcmp(rbuf + HDR + BATCH_LEN, "\1\1\1\1\0\0\0\0", 8))
		goto out;
	/* The PUT_ACK stored all four: a GET finds them. */
	st.put_acks++;
	st.answers++;
	for (tries = 0; tries < 2; tries++) {
		for (r = 0; r < 2; r++) {
			n = build_batch(buf, T_GET, id, 4, 0, 0, keys, 4, NULL,
					0, ~0u);
			if (send_raw(c.get, buf, n))
				goto out;
			st.replays += r;
		}
		for (r = 0; r < 2; r++) {
			u8 *p = rbuf + HDR + BATCH_LEN + 8;

			if (recv_msg(c.get, &rh) || rh.type != T_GET_RESP ||
			    rh.id != id || rd16(rbuf + HDR) != 4)
				goto out;
			st.answers++;
			for (i = 0, hits = 0; i < 4; i++) {
				if (rbuf[HDR + BATCH_LEN + i] != 1)
					continue;
				if (memcmp(p, pages + i * PS, PS))
					st.bad_bytes++;
				else
					st.bytes_verified += PS;
				p += PS;
				hits++;
			}
		}
		if (hits == 4)
			break;
		usleep(100000);
	}
	good = hits == 4 && !st.bad_bytes;
	/* Then half a PUT, and the write side closed. */
	n = build_batch(buf, T_PUT, id ^ 2, 4, 0, 0, keys, 4, pages, 4, ~0u);
	send_raw(c.put, buf, n / 2);
	shutdown(c.put, SHUT_WR);
	good = good && wait_closed(c.put, 3000);
out:
	if (!good)
		fail(name, "hits %u of 4, bad bytes %lu", hits, st.bad_bytes);
	verdict(name, good);
	close_session(&c);
}

/* Random well-framed messages after the handshake: the lender survives. */
static void lcase_random(void)
{
	const char *name = "random messages";
	struct bctx c;
	unsigned int i, n;
	int fd;

	if (open_session(&c, 3)) {
		fail(name, "handshake refused");
		verdict(name, 0);
		close_session(&c);
		return;
	}
	for (i = 0; i < 20; i++) {
		fd = rnd() & 1 ? c.put : c.get;
		n = rnd() % 300;
		for (unsigned int j = 0; j < n + HDR; j++)
			buf[j] = rnd();
		build_hdr(buf, 1 + rnd() % (T_NR - 1), rnd() % 8 ? 0 : rnd(),
			  rnd() % 8 ? n : rnd(), rnd() % 2 ? 0 : rnd());
		if (send_raw(fd, buf, n + HDR))
			break;
	}
	close_session(&c);
	if (open_session(&c, 1) || !ping_ok(c.put)) {
		fail(name, "no answer after them");
		verdict(name, 0);
	} else {
		verdict(name, 1);
	}
	close_session(&c);
}

/* Many connections at once, half with a HELLO; then the lender answers. */
static void lcase_many(void)
{
	const char *name = "64 connections at once";
	u8 secret[AUTH_LEN];
	int fds[64], i, good;
	struct bctx c;

	for (i = 0; i < 64; i++) {
		fds[i] = dial();
		memset(secret, 0, sizeof(secret));
		if (fds[i] >= 0 && i % 2)
			handshake(fds[i], CHAN_PUT, new_id(), new_id(), secret);
	}
	for (i = 0; i < 64; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	good = !open_session(&c, 2) && ping_ok(c.get);
	if (!good)
		fail(name, "no answer after them");
	verdict(name, good);
	close_session(&c);
}

/*
 * deny_one() - a HELLO for the live session @c on a new connection: @how
 * 0 without proof, 1 with a wrong proof, 2 a second put channel with a
 * right proof, 3 a new session of @c's node id.  A correct lender answers
 * PUMA_HELLO_DENIED (5) and closes.
 */
static int deny_one(const struct bctx *c, int how)
{
	struct wire_hello2 h = good_hello(how == 2 ? CHAN_PUT : CHAN_GET,
					  c->node, c->session);
	int fd = dial(), good;
	unsigned int i;

	if (fd < 0)
		return 0;
	if (how == 1)
		for (i = 0; i < AUTH_LEN; i++)
			h.auth[i] = rnd() | 1;
	else if (how == 2)
		wire_hello_prove(&h, c->secret);
	else if (how == 3)
		h.session = new_id();
	good = hello_status(fd, &h, NULL) == 5 && wait_closed(fd, 3000);
	st.denied += good;
	st.closed += good;
	close(fd);
	return good;
}

/*
 * A session's secret guards it: HELLOs that do not prove it, or that
 * would give it a second put channel or its node a second session, are
 * denied; the session keeps working, and a get channel with the proof
 * joins it.
 */
static void lcase_denied(void)
{
	static const char *const names[] = {
		"second HELLO without proof denied",
		"second HELLO with a wrong proof denied",
		"second put channel denied",
		"second session of a node denied",
	};
	const char *name = "get channel with the proof joins";
	struct bctx c;
	unsigned int i;
	int good;

	if (open_session(&c, 1)) {
		fail(name, "handshake refused");
		verdict(name, 0);
		close_session(&c);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		good = deny_one(&c, i);
		if (!good)
			fail(names[i], "no HELLO_ACK status 5 and close");
		verdict(names[i], good);
	}
	c.get = dial();
	good = c.get >= 0 && ping_ok(c.put) &&
	       !handshake(c.get, CHAN_GET, c.node, c.session, c.secret) &&
	       ping_ok(c.get);
	if (!good)
		fail(name, "refused, or no PONG after");
	verdict(name, good);
	close_session(&c);
}

static int fuzz_lender(double secs)
{
	double end = now() + secs;
	unsigned int i = 0, nl = ARRAY_SIZE(lcases);

	/* Every case at least once, then again while time is left. */
	while (i < nl + 6 || now() < end) {
		unsigned int k = i % (nl + 6);

		if (k < nl) {
			unsigned int g = nl - k < GROUP ? nl - k : GROUP;

			run_lgroup(&lcases[k], g);
			i += g;
			continue;
		}
		i++;
		if (k == nl)
			lcase_slow_hello();
		else if (k == nl + 1)
			lcase_page_size();
		else if (k == nl + 2)
			lcase_roundtrip();
		else if (k == nl + 3)
			lcase_random();
		else if (k == nl + 4)
			lcase_denied();
		else
			lcase_many();
	}
	printf("mode=lender");
	summary("cases", st.cases, "passed", st.passed, "failed", st.failed,
		"messages", st.messages, "bytes_sent", st.bytes_sent,
		"connections", st.conns, "closed", st.closed,
		"answers", st.answers, "put_acks", st.put_acks,
		"denied", st.denied, "replays", st.replays,
		"bytes_verified", st.bytes_verified, "bad_bytes", st.bad_bytes,
		NULL);
	return st.failed || !st.cases;
}

/* --- posing as a lender --------------------------------------------------- */

enum ack_fault { ACK_OK, ACK_SESSION, ACK_VERSION, ACK_BATCH, ACK_FEATURES,
		 ACK_MAGIC, ACK_PAGE, ACK_BUSY, ACK_CHANNEL, ACK_ROLE,
		 ACK_NO_SECRET };

/* What to do once paired: a message to send, or how to answer GETs. */
enum bact { B_NONE, B_PONG_FUTURE_ID, B_PONG_FUTURE_TS, B_RESP_ID0,
	    B_RESP_COUNT0, B_RESP_COUNT40, B_RESP_STATUS2, B_RESP_PAD,
	    B_RESP_UNKNOWN_ID, B_RESP_ON_PUT, B_PUT_FROM_LENDER,
	    B_HELLO_ACK_AGAIN, B_TYPE_UNKNOWN, B_HUGE_LEN, B_BYE,
	    B_TRUNCATED, B_GARBAGE, B_ACK_UNKNOWN_ID, B_ACK_ON_GET,
	    /* answers to real PUTs and GETs (with -f) */
	    G_GOOD, G_REPLAY, G_WRONG_COUNT, G_MORE_PAGES, G_BAD_STATUS,
	    G_FUTURE_ID, G_BAD_BYTES, G_SILENT, P_ACK_COUNT, P_ACK_REPLAY };

struct bcase {
	const char *name;
	enum ack_fault ack;
	enum bact act;
	int violation;	/* the module counts one (-1: either way) */
	int closes;	/* the module disconnects */
};

static const struct bcase bcases[] = {
	{ "HELLO_ACK other session", ACK_SESSION, B_NONE, 0, 1 },
	{ "HELLO_ACK version 3", ACK_VERSION, B_NONE, 0, 1 },
	{ "HELLO_ACK max_batch 64", ACK_BATCH, B_NONE, 0, 1 },
	{ "HELLO_ACK features not offered", ACK_FEATURES, B_NONE, 0, 1 },
	{ "HELLO_ACK bad magic", ACK_MAGIC, B_NONE, 0, 1 },
	{ "HELLO_ACK page size 8192", ACK_PAGE, B_NONE, 0, 1 },
	{ "HELLO_ACK busy", ACK_BUSY, B_NONE, 0, 1 },
	{ "HELLO_ACK other channel", ACK_CHANNEL, B_NONE, 0, 1 },
	{ "HELLO_ACK from a borrower", ACK_ROLE, B_NONE, 0, 1 },
	{ "HELLO_ACK without a secret", ACK_NO_SECRET, B_NONE, 0, 1 },
	{ "PONG with a future id", ACK_OK, B_PONG_FUTURE_ID, 1, 1 },
	{ "PONG with a future timestamp", ACK_OK, B_PONG_FUTURE_TS, 1, 1 },
	{ "GET_RESP id 0", ACK_OK, B_RESP_ID0, 1, 1 },
	{ "GET_RESP count 0", ACK_OK, B_RESP_COUNT0, 1, 1 },
	{ "GET_RESP count 40", ACK_OK, B_RESP_COUNT40, 1, 1 },
	{ "GET_RESP status 2", ACK_OK, B_RESP_STATUS2, 1, 1 },
	{ "GET_RESP padding not zero", ACK_OK, B_RESP_PAD, 1, 1 },
	{ "GET_RESP for no GET", ACK_OK, B_RESP_UNKNOWN_ID, 1, 1 },
	{ "GET_RESP on the put channel", ACK_OK, B_RESP_ON_PUT, 1, 1 },
	{ "PUT from a lender", ACK_OK, B_PUT_FROM_LENDER, 1, 1 },
	{ "second HELLO_ACK", ACK_OK, B_HELLO_ACK_AGAIN, 1, 1 },
	{ "unknown type", ACK_OK, B_TYPE_UNKNOWN, 1, 1 },
	{ "len 4 GiB", ACK_OK, B_HUGE_LEN, 1, 1 },
	{ "random bytes", ACK_OK, B_GARBAGE, 1, 1 },
	{ "BYE", ACK_OK, B_BYE, 0, 1 },
	{ "truncated GET_RESP, then close", ACK_OK, B_TRUNCATED, 0, 1 },
	{ "PUT_ACK for no PUT", ACK_OK, B_ACK_UNKNOWN_ID, 1, 1 },
	{ "PUT_ACK on the get channel", ACK_OK, B_ACK_ON_GET, 1, 1 },
	{ "real GETs answered right", ACK_OK, G_GOOD, 0, 0 },
	{ "real GETs answered twice", ACK_OK, G_REPLAY, 0, 0 },
	{ "real GETs: wrong count", ACK_OK, G_WRONG_COUNT, 1, 1 },
	{ "real GETs: more pages than hits", ACK_OK, G_MORE_PAGES, 1, 1 },
	{ "real GETs: status 2", ACK_OK, G_BAD_STATUS, 1, 1 },
	{ "real GETs: answer with a future id", ACK_OK, G_FUTURE_ID, 1, 1 },
	{ "real GETs: wrong bytes", ACK_OK, G_BAD_BYTES, -1, 1 },
	{ "real GETs: never answered", ACK_OK, G_SILENT, 0, 0 },
	{ "real PUTs: PUT_ACK with a wrong count", ACK_OK, P_ACK_COUNT, 1, 1 },
	{ "real PUTs: PUT_ACK replayed", ACK_OK, P_ACK_REPLAY, 1, 1 },
};

static const char *pumactl = "pumactl";
static const char *file;
static u8 *orig;
static size_t orig_len;
static int lport;

/* The pages the borrower put on us, by key. */
#define STORE_MAX 2048
static struct { struct key k; u8 *page; } store[STORE_MAX];
static unsigned int nstore;

static void store_put(const struct key *k, const u8 *page)
{
	unsigned int i;

	for (i = 0; i < nstore; i++)
		if (!memcmp(&store[i].k, k, sizeof(*k)))
			break;
	if (i == nstore) {
		if (nstore == STORE_MAX)
			return;
		store[nstore].k = *k;
		store[nstore].page = malloc(PS);
		if (!store[nstore].page)
			return;
		nstore++;
	}
	memcpy(store[i].page, page, PS);
}

static const u8 *store_find(const struct key *k)
{
	unsigned int i;

	for (i = 0; i < nstore; i++)
		if (!memcmp(&store[i].k, k, sizeof(*k)))
			return store[i].page;
	return NULL;
}

static void store_clear(void)
{
	while (nstore)
		free(store[--nstore].page);
}

/*
 * pumactl() - start `PUMACTL ARG1 ARG2 [127.0.0.1:lport]` (no shell: a
 * guest's bash costs a lot to start), its stdout on @out_fd or nowhere
 */
static pid_t pumactl_start(const char *a1, const char *a2, int out_fd)
{
	char addr[32];
	pid_t pid;
	int null;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", lport);
	pid = fork();
	if (pid)
		return pid;
	null = open("/dev/null", O_WRONLY);
	dup2(out_fd >= 0 ? out_fd : null, 1);
	dup2(null, 2);
	execlp(pumactl, pumactl, a1, a2, a2 ? addr : NULL, (char *)NULL);
	_exit(127);
}

static int pumactl_wait(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* peer_violations() - protocol_violations of lender 127.0.0.1:lport */
static long peer_violations(void)
{
	char line[256], head[64];
	int in = 0, pfd[2];
	long v = -1;
	pid_t pid;
	FILE *f;

	if (pipe(pfd))
		return -1;
	pid = pumactl_start("peers", NULL, pfd[1]);
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	if (!f) {
		close(pfd[0]);
		pumactl_wait(pid);
		return -1;
	}
	snprintf(head, sizeof(head), "lender 127.0.0.1:%d:", lport);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, head, strlen(head)))
			in = 1;
		else if (line[0] != ' ')
			in = 0;
		else if (in && strstr(line, "protocol_violations"))
			v = strtol(strrchr(line, ' ') + 1, NULL, 10);
	}
	fclose(f);
	pumactl_wait(pid);
	return v;
}

static int accept_one(int lfd, int ms)
{
	struct pollfd p = { lfd, POLLIN, 0 };
	int fd;

	if (poll(&p, 1, ms) <= 0)
		return -1;
	fd = accept(lfd, NULL, NULL);
	if (fd >= 0)
		set_timeout(fd, 4000);
	return fd;
}

/* answer_hello() - read the module's HELLO on @fd and answer it */
static int answer_hello(int fd, enum ack_fault fault, int chan)
{
	static u8 secret[AUTH_LEN];
	struct wire_hello2 h, a, p;
	struct hdr rh;
	unsigned int i;

	if (recv_msg(fd, &rh) || rh.type != T_HELLO || rh.len != HELLO_LEN)
		return -1;
	parse_hello(rbuf + HDR, &h);
	if (h.channel != chan)
		return -1;
	a = (struct wire_hello2){ MAGIC, VERSION, ROLE_LENDER, h.channel, PS,
				  h.max_batch < MAX_BATCH ? h.max_batch :
				  MAX_BATCH, 0, new_id(), h.session,
				  h.features, { 0 } };
	if (chan == CHAN_PUT) {
		/* The session's first connection: hand out its secret. */
		if (auth_set(h.auth)) {
			fail("HELLO", "a proof on the put channel");
			return -1;
		}
		for (i = 0; i < AUTH_LEN; i++)
			secret[i] = rnd() | 1;
		memcpy(a.auth, secret, AUTH_LEN);
	} else {
		/* Its second: the HELLO must prove the secret. */
		p = h;
		wire_hello_prove(&p, secret);
		if (memcmp(p.auth, h.auth, AUTH_LEN)) {
			fail("HELLO", "the get channel's proof is wrong");
			return -1;
		}
	}
	switch (fault) {
	case ACK_OK:
		break;
	case ACK_SESSION:
		a.session ^= 1;
		break;
	case ACK_VERSION:
		a.version = VERSION + 1;
		break;
	case ACK_BATCH:
		a.max_batch = 64;
		break;
	case ACK_FEATURES:
		a.features |= 1ull << 40;
		break;
	case ACK_MAGIC:
		a.magic ^= 0xff;
		break;
	case ACK_PAGE:
		a.page_size = 8192;
		break;
	case ACK_BUSY:
		a.status = 4;
		break;
	case ACK_CHANNEL:
		a.channel ^= 3;
		break;
	case ACK_ROLE:
		a.role = ROLE_BORROWER;
		break;
	case ACK_NO_SECRET:
		memset(a.auth, 0, AUTH_LEN);
		break;
	}
	return send_raw(fd, buf, build_hello(buf, T_HELLO_ACK, &a));
}

/* The child that makes real GETs: evict FILE, wait, read it, compare. */
static void io_child(int wfd)
{
	static u8 got[4 << 20];
	long verified = 0, bad = 0;
	int fd = open(file, O_RDONLY), i;
	char line[64];
	size_t off;
	FILE *f;

	if (fd < 0)
		_exit(3);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	/* Puts are asynchronous: wait until the staging pool is empty. */
	for (i = 0; i < 40; i++) {
		usleep(100000);
		f = fopen("/sys/kernel/puma/stats/staging_pages_used", "r");
		if (!f)
			break;
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
		if (atoi(line) == 0 && i >= 1)
			break;
	}
	usleep(200000);
	for (off = 0; off < orig_len; off += PS) {
		size_t n = orig_len - off < PS ? orig_len - off : PS;

		if (pread(fd, got + off, n, off) != (ssize_t)n || memcmp(got + off, orig + off, n))
			bad += n;
		else
			verified += n;
	}
	close(fd);
	snprintf(line, sizeof(line), "%ld %ld\n", verified, bad);
	if (write(wfd, line, strlen(line)) < 0)
		_exit(4);
	_exit(0);
}

/* answer_get() - answer a real GET (in rbuf) as the case says */
static void answer_get(int fd, const struct hdr *rh, enum bact act)
{
	static u8 pages[(MAX_BATCH + 1) * PS];
	u8 status[MAX_BATCH + 8] = { 0 };
	unsigned int count = rd16(rbuf + HDR), i, hits = 0;
	u64 id = rh->id;
	struct key k;
	size_t n;

	st.gets++;
	if (act == G_SILENT || count > MAX_BATCH) {
		st.timeouts++;
		return;
	}
	for (i = 0; i < count; i++) {
		const u8 *p;

		parse_key(rbuf + HDR + BATCH_LEN + i * KEY_LEN, &k);
		p = store_find(&k);
		if (!p)
			continue;
		status[i] = 1;
		memcpy(pages + hits++ * PS, p, PS);
	}
	switch (act) {
	case G_WRONG_COUNT:
		count = count < MAX_BATCH ? count + 1 : count - 1;
		hits = 0;
		memset(status, 0, sizeof(status));
		break;
	case G_MORE_PAGES:
		memset(status, 0, sizeof(status));
		hits = 1;
		break;
	case G_BAD_STATUS:
		status[0] = 2;
		break;
	case G_FUTURE_ID:
		id += 1000000;
		break;
	case G_BAD_BYTES:
		if (hits)
			pages[PS / 2] ^= 0x5a;
		break;
	default:
		break;
	}
	n = build_get_resp(buf, id, count, status, 0, pages, hits);
	send_raw(fd, buf, n);
	st.hits_sent += act == G_GOOD || act == G_REPLAY ? hits : 0;
	if (act == G_REPLAY) {
		send_raw(fd, buf, n);
		st.replays++;
	}
}

/*
 * answer_put() - store a real PUT (in rbuf) and acknowledge it, every page
 * stored, as the case says: right, with a count off by one, or twice
 */
static void answer_put(int fd, const struct hdr *rh, enum bact act)
{
	unsigned int c = rd16(rbuf + HDR), j;
	u8 status[MAX_BATCH + 8];
	struct key k;
	size_t n;

	if (!c || c > MAX_BATCH)
		return;
	for (j = 0; j < c; j++) {
		parse_key(rbuf + HDR + BATCH_LEN + j * KEY_LEN, &k);
		store_put(&k, rbuf + HDR + BATCH_LEN + c * KEY_LEN + j * PS);
	}
	memset(status, 1, sizeof(status));
	if (act == P_ACK_COUNT)
		c = c < MAX_BATCH ? c + 1 : c - 1;
	n = build_put_ack(buf, rh->id, c, status);
	send_raw(fd, buf, n);
	st.put_acks++;
	if (act == P_ACK_REPLAY) {
		send_raw(fd, buf, n);
		st.replays++;
	}
}

/* send_action() - send the case's message once paired */
static void send_action(int put, int get, enum bact act)
{
	u8 status[8] = { 0 };
	struct wire_hello2 h;
	size_t n, i;

	switch (act) {
	case B_PONG_FUTURE_ID:
		n = build_u64(buf, T_PONG, 1ull << 50, 1);
		break;
	case B_PONG_FUTURE_TS:
		n = build_u64(buf, T_PONG, 1, ~0ull >> 1);
		break;
	case B_RESP_ID0:
		n = build_get_resp(buf, 0, 1, status, 0, NULL, 0);
		break;
	case B_RESP_COUNT0:
		n = build_get_resp(buf, 1, 0, status, 0, NULL, 0);
		break;
	case B_RESP_COUNT40: {
		static u8 s40[40];

		n = build_get_resp(buf, 1, 40, s40, 0, NULL, 0);
		break;
	}
	case B_RESP_STATUS2:
		status[0] = 2;
		n = build_get_resp(buf, 1ull << 50, 1, status, 0, NULL, 0);
		break;
	case B_RESP_PAD:
		n = build_get_resp(buf, 1, 1, status, 1, NULL, 0);
		break;
	case B_RESP_UNKNOWN_ID:
		n = build_get_resp(buf, 1ull << 50, 1, status, 0, NULL, 0);
		break;
	case B_RESP_ON_PUT:
		n = build_get_resp(buf, 1, 1, status, 0, NULL, 0);
		send_raw(put, buf, n);
		return;
	case B_PUT_FROM_LENDER:
		n = mk_put_count(buf, 1, 1, 1, ~0u, 0, 0);
		break;
	case B_HELLO_ACK_AGAIN:
		h = good_hello(CHAN_GET, 1, 1);
		h.role = ROLE_LENDER;
		n = build_hello(buf, T_HELLO_ACK, &h);
		break;
	case B_TYPE_UNKNOWN:
		n = mk_type(buf, T_NR + rnd() % 100);
		break;
	case B_HUGE_LEN:
		n = build_hdr(buf, T_GET_RESP, 0, 0xffffffffu, 1);
		break;
	case B_GARBAGE:
		n = mk_garbage(buf);
		break;
	case B_BYE:
		n = build_u32(buf, T_BYE, 0, 0);
		break;
	case B_TRUNCATED:
		n = build_get_resp(buf, 1, 1, status, 0, NULL, 0);
		send_raw(get, buf, n - 3);
		shutdown(get, SHUT_WR);
		return;
	case B_ACK_UNKNOWN_ID:
		status[0] = 1;
		n = build_put_ack(buf, 1ull << 50, 1, status);
		send_raw(put, buf, n);
		return;
	case B_ACK_ON_GET:
		status[0] = 1;
		n = build_put_ack(buf, 1, 1, status);
		break;
	default:
		return;
	}
	i = rnd() % 2;	/* the same message byte by byte, every other time */
	if (i && n < 200)
		send_slow(get, buf, n, 1);
	else
		send_raw(get, buf, n);
}

/*
 * serve() - act as the lender until the case is over: store and
 * acknowledge PUTs, answer PINGs and GETs.  Returns whether the module
 * closed the get channel.
 */
static int serve(int put, int get, const struct bcase *bc, pid_t child,
		 int rfd)
{
	double end = now() + 12, settle = 0;
	struct pollfd p[2] = { { put, POLLIN, 0 }, { get, POLLIN, 0 } };
	int closed[2] = { 0, 0 }, i, status;
	char line[64];
	struct hdr rh;

	if (bc->act < G_GOOD)
		send_action(put, get, bc->act);
	if (child <= 0)
		settle = now() + 3;
	while (now() < end) {
		if (child > 0 && waitpid(child, &status, WNOHANG) == child) {
			ssize_t n = read(rfd, line, sizeof(line) - 1);
			long v = 0, b = 0;

			line[n > 0 ? n : 0] = 0;
			if (sscanf(line, "%ld %ld", &v, &b) != 2)
				b = 1;
			st.bytes_verified += v;
			st.bad_bytes += b;
			if (b)
				fail(bc->name, "%ld wrong bytes read", b);
			child = 0;
			settle = now() + (bc->closes ? 3 : 0.5);
		}
		if (!child && (!settle || now() > settle))
			break;
		if (!child && bc->closes > 0 && closed[1])
			break;
		if (poll(p, 2, 50) <= 0)
			continue;
		for (i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (recv_msg(p[i].fd, &rh)) {
				closed[i] = 1;
				p[i].fd = -1;
				continue;
			}
			if (rh.type == T_PING) {
				send_raw(p[i].fd, buf,
					 build_u64(buf, T_PONG, rh.id,
						   rd64(rbuf + HDR)));
			} else if (rh.type == T_PUT) {
				answer_put(p[i].fd, &rh, bc->act);
			} else if (rh.type == T_GET) {
				answer_get(p[i].fd, &rh, bc->act);
			}
		}
	}
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		fail(bc->name, "the reader did not finish within 12 s");
		st.bad_bytes++;
	}
	return closed[1] || wait_closed(get, 300);
}

/* Where the borrower cases spend their time, in seconds. */
static double t_pair, t_serve, t_peers, t_remove;

static void run_bcase(int lfd, const struct bcase *bc)
{
	int put = -1, get = -1, status = -1, good = 0, closed = 0, pfd[2];
	pid_t pc, child = 0;
	long v = -1;
	double t0;

	store_clear();
	t0 = now();
	pc = pumactl_start("borrower", "add-lender", -1);
	put = accept_one(lfd, 5000);
	if (put >= 0 && !answer_hello(put, bc->ack, CHAN_PUT) &&
	    bc->ack == ACK_OK) {
		get = accept_one(lfd, 5000);
		if (get >= 0)
			answer_hello(get, ACK_OK, CHAN_GET);
	}
	status = pumactl_wait(pc);
	t_pair += now() - t0;
	if (bc->ack != ACK_OK) {
		good = status != 0;
		st.refused += good;
		if (!good)
			fail(bc->name, "pairing succeeded");
		pumactl_wait(pumactl_start("borrower", "remove-lender", -1));
		goto out;
	}
	if (status != 0 || get < 0) {
		fail(bc->name, "pairing failed (%d)", status);
		goto out;
	}
	st.paired++;
	if (bc->act >= G_GOOD && file && pipe(pfd) == 0) {
		child = fork();
		if (!child) {
			close(pfd[0]);
			io_child(pfd[1]);
		}
		close(pfd[1]);
	}
	t0 = now();
	closed = serve(put, get, bc, child, child > 0 ? pfd[0] : -1);
	t_serve += now() - t0;
	t0 = now();
	if (child > 0)
		close(pfd[0]);
	v = peer_violations();
	st.violations += v > 0 ? v : 0;
	st.closed += closed;
	good = !st.bad_bytes &&
	       (bc->violation < 0 || (bc->violation ? v >= 1 : v == 0)) &&
	       (bc->closes < 0 || closed == bc->closes);
	if (!good)
		fail(bc->name, "violations %ld (want %s), closed %d (want %d)",
		     v, bc->violation ? ">= 1" : "0", closed, bc->closes);
	else if (bc->violation < 0)
		fprintf(stderr, "puma-fuzz: %s: %ld violations, connection %s\n",
			bc->name, v, closed ? "closed" : "kept");
	t_peers += now() - t0;
	t0 = now();
	pumactl_wait(pumactl_start("borrower", "remove-lender", -1));
	t_remove += now() - t0;
out:
	verdict(bc->name, good);
	if (put >= 0)
		close(put);
	if (get >= 0)
		close(get);
}

static int fuzz_borrower(double secs)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	unsigned int i = 0, nb = ARRAY_SIZE(bcases);
	double end = now() + secs;
	int lfd, one = 1;

	a.sin_port = htons(lport);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lfd, 8)) {
		perror("puma-fuzz: listen");
		return 1;
	}
	/* Every case at least once, then again while time is left. */
	while (i < nb || now() < end) {
		const struct bcase *bc = &bcases[i++ % nb];

		if (bc->act >= G_GOOD && !file)
			continue;
		run_bcase(lfd, bc);
		if (i >= 4 * nb)
			break;
	}
	close(lfd);
	fprintf(stderr, "puma-fuzz: seconds spent pairing %.1f, serving %.1f, ",
		t_pair, t_serve);
	fprintf(stderr, "reading peers %.1f, unpairing %.1f\n", t_peers,
		t_remove);
	printf("mode=borrower");
	summary("cases", st.cases, "passed", st.passed, "failed", st.failed,
		"messages", st.messages, "bytes_sent", st.bytes_sent,
		"paired", st.paired, "refused", st.refused,
		"violations", st.violations, "closed", st.closed,
		"put_acks", st.put_acks, "gets", st.gets,
		"hits_sent", st.hits_sent,
		"unanswered", st.timeouts, "replays", st.replays,
		"bytes_verified", st.bytes_verified, "bad_bytes", st.bad_bytes,
		NULL);
	return st.failed || !st.cases;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: puma-fuzz lender HOST:PORT [-t SEC] [-s SEED] [-v]\n"
		"       puma-fuzz borrower PORT [-t SEC] [-s SEED] [-f FILE] [-c PUMACTL] [-v]\n"
		"Send malformed PUMA protocol messages to a lender (posing as\n"
		"borrowers) or to the local module's borrower (posing as a lender\n"
		"on 127.0.0.1:PORT) for SEC seconds (default 20); print one summary\n"
		"line; exit 0 when every case saw a correct peer's answer, 1 if not.\n"
		"  -f FILE   (borrower) evict and read FILE (at most 4 MiB) while\n"
		"            paired, so that real GETs get malformed answers\n"
		"  -c PATH   pumactl to run (default: pumactl on PATH)\n"
		"  -v        print every case that passed\n");
}

int main(int argc, char **argv)
{
	double secs = 20;
	int opt, lender;
	struct stat sb;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (argc < 3 || (strcmp(argv[1], "lender") && strcmp(argv[1], "borrower"))) {
		usage(stderr);
		return 2;
	}
	lender = !strcmp(argv[1], "lender");
	optind = 3;
	while ((opt = getopt(argc, argv, "t:s:f:c:vh")) != -1) {
		switch (opt) {
		case 't':
			secs = atof(optarg);
			break;
		case 's':
			rng_state = strtoull(optarg, NULL, 0) | 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'c':
			pumactl = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (lender) {
		if (parse_addr(argv[2], &target)) {
			fprintf(stderr, "puma-fuzz: bad address %s\n", argv[2]);
			return 2;
		}
		return fuzz_lender(secs);
	}
	lport = atoi(argv[2]);
	if (lport <= 0 || lport > 65535) {
		fprintf(stderr, "puma-fuzz: bad port %s\n", argv[2]);
		return 2;
	}
	if (file) {
		int fd = open(file, O_RDONLY);

		if (fd >= 0 && !fstat(fd, &sb) && sb.st_size <= (4 << 20))
			orig = malloc(sb.st_size + 1);
		if (!orig || read(fd, orig, sb.st_size) != sb.st_size) {
			fprintf(stderr, "puma-fuzz: cannot read %s (4 MiB at most)\n", file);
			return 2;
		}
		orig_len = sb.st_size;
		close(fd);
	}
	return fuzz_borrower(secs);
}
