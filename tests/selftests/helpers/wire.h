/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PUMA's wire protocol, version 2, for the test helpers that speak it as a
 * fake lender or a fake borrower (puma/proto.h is the kernel's form and
 * Documentation/puma/protocol.rst the specification): the HELLO layout
 * and the proof of a session's secret that a session's second connection
 * carries.  Little-endian hosts only, as the guests are.
 */
#ifndef PUMA_TEST_WIRE_H
#define PUMA_TEST_WIRE_H

#include <assert.h>
#include <stddef.h>
#include <string.h>

#define WIRE_MAGIC		0x414d5550u
#define WIRE_VERSION		2
#define WIRE_HDR_LEN		16
#define WIRE_HELLO_LEN		56
#define WIRE_AUTH_LEN		16

/* struct puma_wire_hello, naturally aligned: no packing needed. */
struct wire_hello2 {
	unsigned int magic;
	unsigned short version;
	unsigned char role;
	unsigned char channel;
	unsigned int page_size;
	unsigned short max_batch;
	unsigned short status;
	unsigned long long node_id;
	unsigned long long session;
	unsigned long long features;
	unsigned char auth[WIRE_AUTH_LEN];
};

static_assert(sizeof(struct wire_hello2) == WIRE_HELLO_LEN, "HELLO layout");

static inline unsigned long long wire_rotl(unsigned long long x, int b)
{
	return (x << b) | (x >> (64 - b));
}

/* One SipRound over the state @v. */
static inline void wire_sipround(unsigned long long *v)
{
	v[0] += v[1];
	v[1] = wire_rotl(v[1], 13) ^ v[0];
	v[0] = wire_rotl(v[0], 32);
	v[2] += v[3];
	v[3] = wire_rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = wire_rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = wire_rotl(v[1], 17) ^ v[2];
	v[2] = wire_rotl(v[2], 32);
}

/* SipHash-2-4 of @len bytes with the key (k0, k1), as the kernel's. */
static inline unsigned long long wire_siphash(const unsigned char *p,
					      size_t len,
					      unsigned long long k0,
					      unsigned long long k1)
{
	unsigned long long v[4] = {
		0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1,
		0x6c7967656e657261ULL ^ k0, 0x7465646279746573ULL ^ k1,
	};
	unsigned long long b = (unsigned long long)len << 56, m;
	size_t i, left = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);
		v[3] ^= m;
		wire_sipround(v);
		wire_sipround(v);
		v[0] ^= m;
	}
	for (i = 0; i < left; i++)
		b |= (unsigned long long)p[len - left + i] << (8 * i);
	v[3] ^= b;
	wire_sipround(v);
	wire_sipround(v);
	v[0] ^= b;
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		wire_sipround(v);
	return (v[0] ^ v[1]) ^ (v[2] ^ v[3]);
}

/*
 * The proof of @secret for HELLO @h (puma_proto_hello_proof()): SipHash-2-4
 * keyed with the secret over a domain byte (1, then 2) and the HELLO's
 * payload with its auth field zero; written to @h->auth.
 */
static inline void wire_hello_prove(struct wire_hello2 *h,
				    const unsigned char *secret)
{
	unsigned char buf[1 + WIRE_HELLO_LEN];
	unsigned long long k0, k1, w[2];
	int i;

	memcpy(&k0, secret, 8);
	memcpy(&k1, secret + 8, 8);
	memset(h->auth, 0, sizeof(h->auth));
	memcpy(buf + 1, h, WIRE_HELLO_LEN);
	for (i = 0; i < 2; i++) {
		buf[0] = i + 1;
		w[i] = wire_siphash(buf, sizeof(buf), k0, k1);
	}
	memcpy(h->auth, w, sizeof(w));
}

#endif /* PUMA_TEST_WIRE_H */
