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

#include <stdint.h>
#include <string.h>

#define WIRE_MAGIC		0x414d5550u
#define WIRE_VERSION		2
#define WIRE_HDR_LEN		16
#define WIRE_HELLO_LEN		56
#define WIRE_AUTH_LEN		16

/* struct puma_wire_hello, naturally aligned: no packing needed. */
struct wire_hello2 {
	uint32_t magic;
	uint16_t version;
	uint8_t role;
	uint8_t channel;
	uint32_t page_size;
	uint16_t max_batch;
	uint16_t status;
	uint64_t node_id;
	uint64_t session;
	uint64_t features;
	uint8_t auth[WIRE_AUTH_LEN];
};

_Static_assert(sizeof(struct wire_hello2) == WIRE_HELLO_LEN, "HELLO layout");

static inline uint64_t wire_rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define WIRE_SIPROUND(v0, v1, v2, v3) do {				\
		v0 += v1; v1 = wire_rotl(v1, 13); v1 ^= v0;		\
		v0 = wire_rotl(v0, 32);					\
		v2 += v3; v3 = wire_rotl(v3, 16); v3 ^= v2;		\
		v0 += v3; v3 = wire_rotl(v3, 21); v3 ^= v0;		\
		v2 += v1; v1 = wire_rotl(v1, 17); v1 ^= v2;		\
		v2 = wire_rotl(v2, 32);					\
	} while (0)

/* SipHash-2-4 of @len bytes with the key (k0, k1), as the kernel's. */
static inline uint64_t wire_siphash(const uint8_t *p, size_t len,
				    uint64_t k0, uint64_t k1)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t i, left = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);
		v3 ^= m;
		WIRE_SIPROUND(v0, v1, v2, v3);
		WIRE_SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	for (i = 0; i < left; i++)
		b |= (uint64_t)p[len - left + i] << (8 * i);
	v3 ^= b;
	WIRE_SIPROUND(v0, v1, v2, v3);
	WIRE_SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	WIRE_SIPROUND(v0, v1, v2, v3);
	WIRE_SIPROUND(v0, v1, v2, v3);
	WIRE_SIPROUND(v0, v1, v2, v3);
	WIRE_SIPROUND(v0, v1, v2, v3);
	return (v0 ^ v1) ^ (v2 ^ v3);
}

/*
 * The proof of @secret for HELLO @h (puma_proto_hello_proof()): SipHash-2-4
 * keyed with the secret over a domain byte (1, then 2) and the HELLO's
 * payload with its auth field zero; written to @h->auth.
 */
static inline void wire_hello_prove(struct wire_hello2 *h,
				    const uint8_t secret[WIRE_AUTH_LEN])
{
	uint8_t buf[1 + WIRE_HELLO_LEN];
	uint64_t k0, k1, w[2];
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
