/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keys of remotely held pages: which filesystem pool, which file (inode
 * number and generation, so that a reused inode number never matches the
 * pages of the file that had it before), which page.
 */
#ifndef _PUMA_KEY_H
#define _PUMA_KEY_H

#include <linux/limits.h>
#include <asm/page.h>
#include <linux/types.h>

/**
 * struct puma_key - a page's identity, in CPU byte order
 * @pool: pool id, unique per mounted filesystem while the module is loaded
 * @gen: inode generation (i_generation)
 * @ino: inode number
 * @index: page index in the file (in PAGE_SIZE units)
 */
struct puma_key {
	u32 pool;
	u32 gen;
	u64 ino;
	u64 index;
};

/**
 * struct puma_wire_key - a key as it travels, little-endian, 24 bytes
 * @pool: pool id
 * @gen: inode generation
 * @ino: inode number
 * @index: page index
 */
struct puma_wire_key {
	__le32 pool;
	__le32 gen;
	__le64 ino;
	__le64 index;
} __packed;

/* Largest page index a key may carry: MAX_LFS_FILESIZE >> PAGE_SHIFT. */
#define PUMA_KEY_INDEX_MAX	((u64)(LLONG_MAX >> PAGE_SHIFT))

void puma_key_encode(const struct puma_key *key, struct puma_wire_key *wire);
int puma_key_decode(const struct puma_wire_key *wire, struct puma_key *key);

#endif /* _PUMA_KEY_H */
