// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/puma: PUMA's tunables and counters, one value per file.
 * Every file is described in Documentation/ABI/testing/sysfs-kernel-puma.
 *
 *   enabled       rw  0 or 1
 *   filesystems   rw  opted-in filesystem types, e.g. "ext4 xfs"
 *   version       ro  module version
 *   stats/<name>  ro  one counter each (enum puma_stat)
 *
 * A write that does not parse fails with -EINVAL and changes nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "config.h"
#include "options.h"
#include "pool.h"
#include "puma.h"
#include "sysfs.h"

static struct kobject *puma_kobj;

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", puma_is_enabled());
}

static ssize_t enabled_store(struct kobject *kobj,
			     struct kobj_attribute *attr, const char *buf,
			     size_t count)
{
	bool enabled;
	int ret;

	ret = puma_parse_enabled(buf, count, &enabled);
	if (ret)
		return ret;
	ret = puma_config_set_enabled(enabled);
	return ret ? ret : count;
}

static ssize_t filesystems_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return puma_config_format_filesystems(buf, PAGE_SIZE);
}

static ssize_t filesystems_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t count)
{
	int ret = puma_config_set_filesystems(buf, count);

	return ret ? ret : count;
}

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", PUMA_VERSION);
}

static struct kobj_attribute puma_attr_enabled = __ATTR_RW(enabled);
static struct kobj_attribute puma_attr_filesystems = __ATTR_RW(filesystems);
static struct kobj_attribute puma_attr_version = __ATTR_RO(version);

static struct attribute *puma_attrs[] = {
	&puma_attr_enabled.attr,
	&puma_attr_filesystems.attr,
	&puma_attr_version.attr,
	NULL,
};

static const struct attribute_group puma_group = {
	.attrs = puma_attrs,
};

/* stats/: one read-only file per counter, named after puma_stat_names. */
static struct kobj_attribute puma_stat_attrs[PUMA_STAT_NR];
static struct attribute *puma_stat_attr_ptrs[PUMA_STAT_NR + 1];

static ssize_t puma_stat_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	enum puma_stat stat = attr - puma_stat_attrs;

	return sysfs_emit(buf, "%llu\n",
			  puma_stats_read(&puma_global_stats, stat));
}

static const struct attribute_group puma_stats_group = {
	.name = "stats",
	.attrs = puma_stat_attr_ptrs,
};

static const struct attribute_group *puma_groups[] = {
	&puma_group,
	&puma_stats_group,
	NULL,
};

/**
 * puma_sysfs_init() - create /sys/kernel/puma
 *
 * Return: 0 or a negative errno.
 */
int puma_sysfs_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < PUMA_STAT_NR; i++) {
		sysfs_attr_init(&puma_stat_attrs[i].attr);
		puma_stat_attrs[i].attr.name = puma_stat_names[i];
		puma_stat_attrs[i].attr.mode = 0444;
		puma_stat_attrs[i].show = puma_stat_show;
		puma_stat_attr_ptrs[i] = &puma_stat_attrs[i].attr;
	}

	puma_kobj = kobject_create_and_add("puma", kernel_kobj);
	if (!puma_kobj)
		return -ENOMEM;
	ret = sysfs_create_groups(puma_kobj, puma_groups);
	if (ret) {
		kobject_put(puma_kobj);
		return ret;
	}
	return 0;
}

/**
 * puma_sysfs_exit() - remove /sys/kernel/puma; waits for running accesses
 */
void puma_sysfs_exit(void)
{
	sysfs_remove_groups(puma_kobj, puma_groups);
	kobject_put(puma_kobj);
}
