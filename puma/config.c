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
 * and destroys pools to match.  Only the types of puma_supported_types may
 * be listed: PUMA keys a page by (superblock, inode number, generation,
 * index), which must name one file's content and nothing else.  btrfs
 * breaks that (subvolumes and snapshots share one superblock, a snapshot
 * copies inode numbers and generations), and the other types are not
 * tested.  The list is also a module parameter, read once at load.
 *
 * Locking: puma_config_mutex serialises writers.  Readers of the list use
 * RCU, so that the mount path (which holds s_umount) never waits for a
 * writer (which takes s_umount through iterate_supers_type()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "config.h"
#include "options.h"
#include "frontend.h"

bool puma_enabled = true;
unsigned int puma_get_timeout_ms = PUMA_GET_TIMEOUT_MS_DEFAULT;
bool puma_exclusive = true;

static DEFINE_MUTEX(puma_config_mutex);
static struct puma_fslist __rcu *puma_fslist;

static const char puma_default_filesystems[] = "ext4 xfs";

/*
 * Types whose (inode number, generation) names one file of a superblock,
 * and whose data path the selftests cover.  ext2 and ext3 (served by the
 * ext4 driver on Debian) are not tested, so not listed yet.
 */
static const char * const puma_supported_types[] = { "ext4", "xfs" };

/* Load-time value of the list (module parameter), the default otherwise. */
static char *puma_filesystems_param;
module_param_named(filesystems, puma_filesystems_param, charp, 0);
MODULE_PARM_DESC(filesystems,
		 "filesystem types to act on, of ext4 and xfs (default \"ext4 xfs\")");

/* The first name of @list that is not a supported type, or NULL. */
static const char *puma_config_unsupported(const struct puma_fslist *list)
{
	unsigned int i, j;

	for (i = 0; i < list->nr; i++) {
		for (j = 0; j < ARRAY_SIZE(puma_supported_types); j++)
			if (!strcmp(list->name[i], puma_supported_types[j]))
				break;
		if (j == ARRAY_SIZE(puma_supported_types))
			return list->name[i];
	}
	return NULL;
}

/*
 * A new list from @buf, or an ERR_PTR(): -EINVAL for a malformed list or
 * an unsupported type (logged), -ENOMEM.
 */
static struct puma_fslist *puma_config_new_list(const char *buf, size_t len)
{
	struct puma_fslist *list;
	const char *bad;
	int ret;

	list = kzalloc(sizeof(*list), GFP_KERNEL);
	if (!list)
		return ERR_PTR(-ENOMEM);
	ret = puma_fslist_parse(buf, len, list);
	if (ret) {
		kfree(list);
		return ERR_PTR(ret);
	}
	bad = puma_config_unsupported(list);
	if (bad) {
		pr_warn_ratelimited("filesystems: %s refused: only ext4 and xfs are known to keep inode numbers unique per superblock\n",
				    bad);
		kfree(list);
		return ERR_PTR(-EINVAL);
	}
	return list;
}

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
 * Return: 0; -EINVAL for a malformed list or a type that is not supported
 * (anything but ext4 and xfs); -ENOMEM.  Nothing changes on error.
 */
int puma_config_set_filesystems(const char *buf, size_t len)
{
	struct puma_fslist *list, *old;

	list = puma_config_new_list(buf, len);
	if (IS_ERR(list))
		return PTR_ERR(list);
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
 * The opt-in list is the module parameter ``filesystems`` when given, the
 * default otherwise.  A parameter that puma_config_set_filesystems() would
 * refuse fails the load: an operator asking for btrfs gets an error, not
 * a module acting on a different list.
 *
 * Return: 0, -EINVAL for a bad parameter (logged), -ENOMEM.
 */
int puma_config_init(void)
{
	const char *buf = puma_default_filesystems;
	struct puma_fslist *list;

	if (puma_filesystems_param)
		buf = puma_filesystems_param;
	list = puma_config_new_list(buf, strlen(buf));
	if (IS_ERR(list)) {
		if (PTR_ERR(list) == -EINVAL)
			pr_err("bad module parameter filesystems=%s\n", buf);
		return PTR_ERR(list);
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
