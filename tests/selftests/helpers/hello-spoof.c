// SPDX-License-Identifier: GPL-2.0
/*
 * hello-spoof: speak the first message of PUMA's wire protocol as an
 * attacker would, for tests/selftests/61-hello-spoof.sh.
 *
 *   hello-spoof sniff PORT SECONDS
 *	Watch the loopback interface (AF_PACKET) for the first HELLO sent
 *	to TCP port PORT and print what it said:
 *	"node=%016llx session=%016llx version=%u len=%u channel=%u".
 *	Exit 1 when none came within SECONDS.
 *
 *   hello-spoof hello ADDR:PORT NODE SESSION VERSION LEN CHANNEL PROOF
 *	Connect to the lender at ADDR:PORT and send a HELLO of LEN payload
 *	bytes (40 for version 1, 56 from version 2 on) claiming node id NODE
 *	and session SESSION (hex) on CHANNEL (put or get), with PROOF (zero,
 *	or random: 16 random bytes) in the auth field that follows the first
 *	40 bytes when LEN is 56.  Print the answer: "status=N" for a
 *	HELLO_ACK (0 accepted), "closed" or "timeout" otherwise; then hold
 *	the connection for a second.  Exit 0 on a HELLO_ACK, 2 otherwise.
 *
 * The layouts are those of puma/proto.h (Documentation/puma/protocol.rst),
 * written out here since the helper is userspace.  Their fields fall on
 * natural boundaries, so that they need no packing: the asserts check.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define PUMA_PROTO_MAGIC	0x414d5550
#define PUMA_MSG_HELLO		1
#define PUMA_MSG_HELLO_ACK	2
#define PUMA_ROLE_BORROWER	1
#define PUMA_HELLO_COMMON	40	/* the part every version shares */
#define PUMA_HELLO_AUTH		16	/* version 2: auth after it */

struct wire_hdr {
	u16 type;
	u16 flags;
	u32 len;
	u64 id;
};

struct wire_hello {
	u32 magic;
	u16 version;
	u8 role;
	u8 channel;
	u32 page_size;
	u16 max_batch;
	u16 status;
	u64 node_id;
	u64 session;
	u64 features;
	u8 auth[PUMA_HELLO_AUTH];
};

static_assert(sizeof(struct wire_hdr) == 16, "header layout");
static_assert(sizeof(struct wire_hello) ==
	      PUMA_HELLO_COMMON + PUMA_HELLO_AUTH, "hello layout");

static const char *prog = "hello-spoof";

static void bad_args(void)
{
	fprintf(stderr,
		"usage: %s sniff PORT SECONDS\n"
		"       %s hello ADDR:PORT NODE SESSION VERSION LEN put|get zero|random\n",
		prog, prog);
	exit(64);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A HELLO at the start of a TCP payload: print it, return 1. */
static int sniff_one(const u8 *p, size_t n, unsigned int port)
{
	const struct iphdr *ip = (const void *)p;
	const struct tcphdr *tcp;
	struct wire_hdr h;
	struct wire_hello w;
	size_t ihl, off, plen;

	if (n < sizeof(*ip) || ip->version != 4 || ip->protocol != IPPROTO_TCP)
		return 0;
	ihl = ip->ihl * 4u;
	if (n < ihl + sizeof(*tcp))
		return 0;
	tcp = (const void *)(p + ihl);
	if (ntohs(tcp->dest) != port)
		return 0;
	off = ihl + tcp->doff * 4u;
	if (n < off + sizeof(h) + PUMA_HELLO_COMMON)
		return 0;
	memcpy(&h, p + off, sizeof(h));
	plen = le32toh(h.len);
	if (le16toh(h.type) != PUMA_MSG_HELLO || plen < PUMA_HELLO_COMMON ||
	    plen > sizeof(w))
		return 0;
	memset(&w, 0, sizeof(w));
	memcpy(&w, p + off + sizeof(h), PUMA_HELLO_COMMON);
	if (le32toh(w.magic) != PUMA_PROTO_MAGIC)
		return 0;
	printf("node=%016llx session=%016llx version=%u len=%zu channel=%u\n",
	       (unsigned long long)le64toh(w.node_id),
	       (unsigned long long)le64toh(w.session), le16toh(w.version),
	       plen, w.channel);
	return 1;
}

static int do_sniff(unsigned int port, double seconds)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	double end = now_s() + seconds;
	u8 buf[65536];
	int fd;

	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0) {
		perror("socket(AF_PACKET)");
		return 1;
	}
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = if_nametoindex("lo");
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("bind lo");
		return 1;
	}
	fprintf(stderr, "hello-spoof: sniffing port %u\n", port);
	while (now_s() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0 && sniff_one(buf, n, port))
			return 0;
	}
	fprintf(stderr, "hello-spoof: no HELLO to port %u in %.0f s\n", port,
		seconds);
	return 1;
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n == 0)
			return -ECONNRESET;
		if (n < 0)
			return -errno;
		done += n;
	}
	return 0;
}

static int do_hello(const char *addr, const char *node, const char *session,
		    const char *version, const char *len, const char *chan,
		    const char *proof)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 5 };
	u8 out[sizeof(struct wire_hdr) + sizeof(struct wire_hello)];
	u8 in[sizeof(struct wire_hdr) + 256];
	struct wire_hdr *h = (void *)out;
	struct wire_hello w = { 0 };
	const struct wire_hdr *ah = (const void *)in;
	const struct wire_hello *aw = (const void *)(in + sizeof(*ah));
	char host[64], *colon;
	size_t plen = strtoul(len, NULL, 0), alen;
	int fd, ret, i;

	if (plen != PUMA_HELLO_COMMON && plen != sizeof(w))
		bad_args();
	snprintf(host, sizeof(host), "%s", addr);
	colon = strchr(host, ':');
	if (!colon)
		bad_args();
	*colon = 0;
	sin.sin_port = htons(atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		bad_args();

	w.magic = htole32(PUMA_PROTO_MAGIC);
	w.version = htole16(strtoul(version, NULL, 0));
	w.role = PUMA_ROLE_BORROWER;
	w.channel = !strcmp(chan, "get") ? 2 : 1;
	w.page_size = htole32(4096);
	w.max_batch = htole16(32);
	w.node_id = htole64(strtoull(node, NULL, 16));
	w.session = htole64(strtoull(session, NULL, 16));
	w.features = htole64(1);
	if (!strcmp(proof, "random")) {
		srand(time(NULL) ^ getpid());
		for (i = 0; i < PUMA_HELLO_AUTH; i++)
			w.auth[i] = rand() | 1;
	} else if (strcmp(proof, "zero")) {
		bad_args();
	}
	h->type = htole16(PUMA_MSG_HELLO);
	h->flags = 0;
	h->len = htole32(plen);
	h->id = 0;
	memcpy(out + sizeof(*h), &w, plen);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("connect");
		return 2;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (write(fd, out, sizeof(*h) + plen) != (ssize_t)(sizeof(*h) + plen)) {
		perror("write");
		return 2;
	}
	ret = read_full(fd, in, sizeof(*ah));
	if (!ret) {
		alen = le32toh(ah->len);
		if (le16toh(ah->type) != PUMA_MSG_HELLO_ACK ||
		    alen < PUMA_HELLO_COMMON || alen > sizeof(in) - sizeof(*ah)) {
			printf("unexpected type=%u len=%zu\n", le16toh(ah->type),
			       alen);
			return 2;
		}
		ret = read_full(fd, in + sizeof(*ah), alen);
	}
	if (ret) {
		printf("%s\n", ret == -EAGAIN || ret == -EWOULDBLOCK ?
		       "timeout" : "closed");
		return 2;
	}
	printf("status=%u\n", le16toh(aw->status));
	fflush(stdout);
	sleep(1);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "sniff"))
		return do_sniff(atoi(argv[2]), atof(argv[3]));
	if (argc == 9 && !strcmp(argv[1], "hello"))
		return do_hello(argv[2], argv[3], argv[4], argv[5], argv[6],
				argv[7], argv[8]);
	bad_args();
	return 64;
}
