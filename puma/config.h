/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PUMA's run-time settings: the master switch and the filesystem opt-in
 * list.  sysfs writes them; the front end reads them.
 */
#ifndef _PUMA_CONFIG_H
#define _PUMA_CONFIG_H

#include <linux/compiler.h>
#include <linux/types.h>

struct super_block;

extern bool puma_enabled;

/* Milliseconds a get may wait for its lender before reading from disk. */
#define PUMA_GET_TIMEOUT_MS_DEFAULT	200
#define PUMA_GET_TIMEOUT_MS_MIN		1
#define PUMA_GET_TIMEOUT_MS_MAX		10000
extern unsigned int puma_get_timeout_ms;

/* Exclusive caching: a page fetched back leaves the lender. */
extern bool puma_exclusive;

/**
 * puma_is_enabled() - may the hooks act?
 *
 * Context: any.
 */
static inline bool puma_is_enabled(void)
{
	return READ_ONCE(puma_enabled);
}

int puma_config_set_enabled(bool enabled);
int puma_config_set_filesystems(const char *buf, size_t len);
int puma_config_format_filesystems(char *buf, size_t size);
bool puma_config_type_opted_in(const char *name);
bool puma_config_fs_opted_in(const struct super_block *sb);
void puma_config_sync_pools(void);
int puma_config_init(void);
void puma_config_exit(void);

#endif /* _PUMA_CONFIG_H */
