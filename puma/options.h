/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing and formatting of PUMA's tunables, kept free of any kernel
 * internals so that KUnit can test it on UML.
 */
#ifndef _PUMA_OPTIONS_H
#define _PUMA_OPTIONS_H

#include <linux/types.h>

/* At most this many filesystem types can be opted in. */
#define PUMA_FS_MAX		8
/* Longest filesystem type name, with its NUL (struct file_system_type). */
#define PUMA_FS_NAME_LEN	32

/**
 * struct puma_fslist - the filesystem types PUMA acts on
 * @nr: number of valid entries in @name
 * @name: NUL-terminated type names as in /proc/filesystems, no duplicates
 */
struct puma_fslist {
	unsigned int nr;
	char name[PUMA_FS_MAX][PUMA_FS_NAME_LEN];
};

int puma_parse_switch(const char *buf, size_t len, bool *on);
int puma_parse_uint_range(const char *buf, size_t len, unsigned int min,
			  unsigned int max, unsigned int *out);
int puma_fslist_parse(const char *buf, size_t len, struct puma_fslist *out);
bool puma_fslist_contains(const struct puma_fslist *list, const char *name);
int puma_fslist_format(const struct puma_fslist *list, char *buf,
		       size_t size);

#endif /* _PUMA_OPTIONS_H */
