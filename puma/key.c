// SPDX-License-Identifier: GPL-2.0
/*
 * Encoding of page keys for the wire.  A peer's key is input like any
 * other: decoding checks it before anything looks it up.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <asm/byteorder.h>

#include "key.h"

/**
 * puma_key_encode() - a key in wire format
 * @key: the key, in CPU byte order
 * @wire: output
 */
void puma_key_encode(const struct puma_key *key, struct puma_wire_key *wire)
{
	wire->pool = cpu_to_le32(key->pool);
	wire->gen = cpu_to_le32(key->gen);
	wire->ino = cpu_to_le64(key->ino);
	wire->index = cpu_to_le64(key->index);
}

/**
 * puma_key_decode() - a wire key in CPU byte order, checked
 * @wire: the key as received
 * @key: output, written only on success
 *
 * Return: 0, or -EINVAL when the page index lies beyond the largest file
 * size any filesystem can have.
 */
int puma_key_decode(const struct puma_wire_key *wire, struct puma_key *key)
{
	u64 index = le64_to_cpu(wire->index);

	if (index > PUMA_KEY_INDEX_MAX)
		return -EINVAL;
	key->pool = le32_to_cpu(wire->pool);
	key->gen = le32_to_cpu(wire->gen);
	key->ino = le64_to_cpu(wire->ino);
	key->index = index;
	return 0;
}
