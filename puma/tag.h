/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Integrity tags of remotely held pages.
 *
 * A page's tag is computed when the page is put and kept in local metadata
 * (meta.h); it never travels.  A page that comes back from a lender enters
 * the page cache only if its tag matches.
 */
#ifndef _PUMA_TAG_H
#define _PUMA_TAG_H

#include <linux/bits.h>
#include <linux/siphash.h>
#include <linux/types.h>

/* Width of a tag: the low bits of a 64-bit keyed SipHash-2-4. */
#define PUMA_TAG_BITS	45
#define PUMA_TAG_MASK	GENMASK_ULL(PUMA_TAG_BITS - 1, 0)

void puma_tag_init(void);
void puma_tag_init_key(const siphash_key_t *key);
u64 puma_tag(const void *data, size_t len);

#endif /* _PUMA_TAG_H */
