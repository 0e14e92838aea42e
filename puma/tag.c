// SPDX-License-Identifier: GPL-2.0
/*
 * Integrity tags: a keyed SipHash-2-4 of a page's bytes, truncated to
 * PUMA_TAG_BITS bits.
 *
 * Why keyed.  A lender is a peer, not part of this node's trusted base: a
 * bug, a stale copy or a hostile host may hand back other bytes than were
 * put.  The borrower keeps each page's tag locally and checks every page
 * it gets.  With an unkeyed checksum (CRC32C, or a plain hash) a lender
 * could compute the tag of any content it likes and forge a page that
 * passes; a CRC is even linear, so a forgery takes a few XORs.  SipHash is
 * a pseudo-random function: without the key, which is random, chosen at
 * load time and never leaves this node, a lender can do no better than
 * guess, and each guess succeeds with probability 2^-PUMA_TAG_BITS.  A
 * failed check is counted and ends the connection, so there is no second
 * guess on that connection.
 *
 * Stale data is caught the same way: the metadata holds the tag of the
 * newest content that was put, so an older copy of the same page fails
 * unless its bytes are equal, in which case it is not stale.
 *
 * Why 45 bits.  A record (meta.h) is 56 bits, so that a remote page costs
 * about 60 bits of metadata, and the rest of it is the lender slot, the
 * pending mark and the put's epoch.  The bound that matters is the
 * forgery bound: a hostile lender gets one guess per pairing (a mismatch
 * disconnects it, and it is not paired again automatically), which
 * succeeds with probability 2^-45, about 3e-14; a stale copy that slipped
 * past the invalidation sequence and the pending mark would pass with the
 * same probability.  SipHash-2-4 costs one to two cycles per byte on
 * x86-64, a few microseconds per 4 KiB page (1.6 us in the KUnit run on
 * UML): small next to a network round trip, and paid once per put and
 * once per get.
 */
#include <linux/random.h>
#include <linux/siphash.h>

#include "tag.h"

/*
 * Set once at load time, before any page is tagged.  Not __ro_after_init:
 * the KUnit tests set known keys.
 */
static siphash_key_t puma_tag_key;

/**
 * puma_tag_init() - choose a random tag key
 *
 * Tags computed with an earlier key no longer match: call it before the
 * first page is tagged, or after all metadata is gone.
 *
 * Context: process or any; does not sleep (get_random_bytes()).
 */
void puma_tag_init(void)
{
	get_random_bytes(&puma_tag_key, sizeof(puma_tag_key));
}

/**
 * puma_tag_init_key() - use a given tag key
 * @key: the key; copied
 *
 * For tests, which need tags they can predict.  Same rules as
 * puma_tag_init().
 */
void puma_tag_init_key(const siphash_key_t *key)
{
	puma_tag_key = *key;
}

/**
 * puma_tag() - the integrity tag of a buffer
 * @data: the bytes (a page, normally PAGE_SIZE of them); any alignment
 * @len: number of bytes
 *
 * Context: any, including with IRQs off; does not sleep.
 * Return: a tag below 2^PUMA_TAG_BITS.
 */
u64 puma_tag(const void *data, size_t len)
{
	return siphash(data, len, &puma_tag_key) & PUMA_TAG_MASK;
}
