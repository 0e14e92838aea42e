// SPDX-License-Identifier: GPL-2.0
/*
 * PUMA's run-time settings.
 *
 * enabled: when 0, the hooks stay attached but neither put nor get, and
 * every pool is invalidated: nothing held remotely outlives a period in
 * which PUMA was off (invalidations are still delivered meanwhile, but an
 * operator turning PUMA off expects lenders to hold nothing of it).
 *
 * filesystems: the opt-in list of filesystem types.  A pool exists for each
 * mounted superblock whose type is on the list; changing the list creates
 * and destroys pools to match.
 *
 * Locking: puma_config_mutex serialises writers.  Readers of the list use
 * RCU, so that the mount path (which holds s_umount) never waits for a
 * writer (which takes s_umount through iterate_supers_type()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "config.h"
#include "options.h"
#include "frontend.h"

bool puma_enabled = true;
unsigned int puma_get_timeout_ms = PUMA_GET_TIMEOUT_MS_DEFAULT;
bool puma_exclusive = true;

static DEFINE_MUTEX(puma_config_mutex);
static struct puma_fslist __rcu *puma_fslist;

static const char puma_default_filesystems[] = "ext4 xfs";

/**
 * puma_config_set_enabled() - turn PUMA on or off
 * @enabled: the new state
 *
 * Turning it off waits until no hook callback can still be acting on the
 * old state, then invalidates every pool.
 *
 * Context: process, may sleep.
 * Return: 0.
 */
int puma_config_set_enabled(bool enabled)
{
	mutex_lock(&puma_config_mutex);
	if (READ_ONCE(puma_enabled) != enabled) {
		WRITE_ONCE(puma_enabled, enabled);
		if (!enabled) {
			/* put callbacks run with IRQs off: an RCU reader */
			synchronize_rcu();
			puma_frontend_invalidate_all();
		}
	}
	mutex_unlock(&puma_config_mutex);
	return 0;
}

/**
 * puma_config_type_opted_in() - is filesystem type @name on the list?
 * @name: a filesystem type name
 *
 * Context: any.
 */
bool puma_config_type_opted_in(const char *name)
{
	const struct puma_fslist *list;
	bool ret;

	rcu_read_lock();
	list = rcu_dereference(puma_fslist);
	ret = list && puma_fslist_contains(list, name);
	rcu_read_unlock();
	return ret;
}

/**
 * puma_config_fs_opted_in() - is @sb's filesystem type on the list?
 * @sb: a superblock
 *
 * Context: any.
 */
bool puma_config_fs_opted_in(const struct super_block *sb)
{
	return puma_config_type_opted_in(sb->s_type->name);
}

static void puma_config_init_fs(struct super_block *sb, void *arg)
{
	puma_frontend_init_fs(sb);
}

/**
 * puma_config_sync_pools() - make the pools match the opt-in list
 *
 * Destroys the pools of filesystems no longer on the list and creates a
 * pool for every mounted superblock of the types on it.
 *
 * Context: process, may sleep; takes s_umount of each superblock.
 */
void puma_config_sync_pools(void)
{
	const struct puma_fslist *list;
	unsigned int i;

	mutex_lock(&puma_config_mutex);
	puma_frontend_prune();
	list = rcu_dereference_protected(puma_fslist,
					 lockdep_is_held(&puma_config_mutex));
	for (i = 0; list && i < list->nr; i++) {
		struct file_system_type *type = get_fs_type(list->name[i]);

		if (!type)
			continue;
		iterate_supers_type(type, puma_config_init_fs, NULL);
		module_put(type->owner);
	}
	mutex_unlock(&puma_config_mutex);
}

/**
 * puma_config_set_filesystems() - replace the opt-in list
 * @buf: the new list, as written to sysfs
 * @len: bytes in @buf
 *
 * Context: process, may sleep.
 * Return: 0, -EINVAL for a malformed list (nothing changes), -ENOMEM.
 */
int puma_config_set_filesystems(const char *buf, size_t len)
{
	struct puma_fslist *list, *old;
	int ret;

	list = kzalloc(sizeof(*list), GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	ret = puma_fslist_parse(buf, len, list);
	if (ret) {
		kfree(list);
		return ret;
	}
	mutex_lock(&puma_config_mutex);
	old = rcu_replace_pointer(puma_fslist, list,
				  lockdep_is_held(&puma_config_mutex));
	mutex_unlock(&puma_config_mutex);
	kfree_rcu_mightsleep(old);
	/* Pairs with the barrier in puma_frontend_init_fs(). */
	smp_mb();

	puma_config_sync_pools();
	return 0;
}

/**
 * puma_config_format_filesystems() - the opt-in list as one line
 * @buf: output
 * @size: size of @buf
 *
 * Return: characters written, as sysfs show functions return.
 */
int puma_config_format_filesystems(char *buf, size_t size)
{
	const struct puma_fslist *list;
	int ret;

	rcu_read_lock();
	list = rcu_dereference(puma_fslist);
	ret = puma_fslist_format(list, buf, size);
	rcu_read_unlock();
	return ret;
}

/**
 * puma_config_init() - install the default settings
 *
 * Return: 0 or -ENOMEM.
 */
int puma_config_init(void)
{
	struct puma_fslist *list;
	int ret;

	list = kzalloc(sizeof(*list), GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	ret = puma_fslist_parse(puma_default_filesystems,
				sizeof(puma_default_filesystems) - 1, list);
	if (WARN_ON(ret)) {
		kfree(list);
		return ret;
	}
	RCU_INIT_POINTER(puma_fslist, list);
	return 0;
}

/**
 * puma_config_exit() - free the settings; no reader may remain
 */
void puma_config_exit(void)
{
	kfree(rcu_dereference_protected(puma_fslist, 1));
	RCU_INIT_POINTER(puma_fslist, NULL);
}
