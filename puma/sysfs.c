// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/puma: PUMA's tunables, counters and gauges, one value per
 * file.  Every file is described in
 * Documentation/ABI/testing/sysfs-kernel-puma.
 *
 *   enabled         rw  0 or 1
 *   filesystems     rw  opted-in filesystem types, e.g. "ext4 xfs"
 *   staging_pages   rw  size of the borrower's staging pool, in pages;
 *                       "auto" lets it follow the link
 *   staging_auto    ro  1 while it does
 *   get_timeout_ms  rw  how long a get waits for its lender
 *   exclusive       rw  0 or 1: a page got back leaves the lender
 *   lender_max_sessions    rw  borrower sessions a lender serves at once
 *   lender_idle_timeout_s  rw  a lender closes sessions silent this long
 *   version         ro  module version
 *   stats/<name>    ro  one counter (enum puma_stat) or gauge
 *                       (enum puma_gauge) each
 *
 * A write that does not parse fails with -EINVAL, a number out of its
 * limits with -ERANGE; either changes nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "config.h"
#include "gauge.h"
#include "options.h"
#include "peer.h"
#include "pool.h"
#include "puma.h"
#include "stage.h"
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

	ret = puma_parse_switch(buf, count, &enabled);
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

static ssize_t staging_pages_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", puma_stage_capacity());
}

/*
 * A number fixes the size: the pool grows at once, or shrinks as staged
 * pages leave it.  "auto" lets it follow the link (stage_auto.c).
 */
static ssize_t staging_pages_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	unsigned int pages = 0;
	int ret;

	if (!sysfs_streq(buf, "auto")) {
		ret = puma_parse_uint_range(buf, count, PUMA_STAGE_PAGES_MIN,
					    PUMA_STAGE_PAGES_MAX, &pages);
		if (ret)
			return ret;
	}
	ret = puma_stage_set_size(pages);
	return ret ? ret : count;
}

static ssize_t staging_auto_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", puma_stage_is_auto());
}

static ssize_t get_timeout_ms_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(puma_get_timeout_ms));
}

/* Gets that start after the write wait this long; those waiting do not. */
static ssize_t get_timeout_ms_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	unsigned int ms;
	int ret;

	ret = puma_parse_uint_range(buf, count, PUMA_GET_TIMEOUT_MS_MIN,
				    PUMA_GET_TIMEOUT_MS_MAX, &ms);
	if (ret)
		return ret;
	WRITE_ONCE(puma_get_timeout_ms, ms);
	return count;
}

static ssize_t exclusive_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(puma_exclusive));
}

/* Gets sent after the write follow it; pages lenders hold stay. */
static ssize_t exclusive_store(struct kobject *kobj,
			       struct kobj_attribute *attr, const char *buf,
			       size_t count)
{
	bool exclusive;
	int ret;

	ret = puma_parse_switch(buf, count, &exclusive);
	if (ret)
		return ret;
	WRITE_ONCE(puma_exclusive, exclusive);
	return count;
}

static ssize_t lender_max_sessions_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", puma_store_max_stores_get());
}

/* Sessions already served stay; new ones wait for room under the cap. */
static ssize_t lender_max_sessions_store(struct kobject *kobj,
					 struct kobj_attribute *attr,
					 const char *buf, size_t count)
{
	unsigned int n;
	int ret;

	ret = puma_parse_uint_range(buf, count, PUMA_STORE_MAX_STORES_MIN,
				    PUMA_STORE_MAX_STORES_MAX, &n);
	if (ret)
		return ret;
	puma_store_set_max_stores(n);
	return count;
}

static ssize_t lender_idle_timeout_s_show(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  char *buf)
{
	return sysfs_emit(buf, "%u\n", puma_lender_idle_timeout());
}

/* Applies to every session, within a second. */
static ssize_t lender_idle_timeout_s_store(struct kobject *kobj,
					   struct kobj_attribute *attr,
					   const char *buf, size_t count)
{
	unsigned int s;
	int ret;

	ret = puma_parse_uint_range(buf, count, PUMA_LENDER_IDLE_S_MIN,
				    PUMA_LENDER_IDLE_S_MAX, &s);
	if (ret)
		return ret;
	puma_lender_set_idle_timeout(s);
	return count;
}

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", PUMA_VERSION);
}

static struct kobj_attribute puma_attr_enabled = __ATTR_RW(enabled);
static struct kobj_attribute puma_attr_filesystems = __ATTR_RW(filesystems);
static struct kobj_attribute puma_attr_staging_pages =
	__ATTR_RW(staging_pages);
static struct kobj_attribute puma_attr_get_timeout_ms =
	__ATTR_RW(get_timeout_ms);
static struct kobj_attribute puma_attr_exclusive = __ATTR_RW(exclusive);
static struct kobj_attribute puma_attr_lender_max_sessions =
	__ATTR_RW(lender_max_sessions);
static struct kobj_attribute puma_attr_lender_idle_timeout_s =
	__ATTR_RW(lender_idle_timeout_s);
static struct kobj_attribute puma_attr_staging_auto =
	__ATTR_RO(staging_auto);
static struct kobj_attribute puma_attr_version = __ATTR_RO(version);

static struct attribute *puma_attrs[] = {
	&puma_attr_enabled.attr,
	&puma_attr_filesystems.attr,
	&puma_attr_staging_pages.attr,
	&puma_attr_staging_auto.attr,
	&puma_attr_get_timeout_ms.attr,
	&puma_attr_exclusive.attr,
	&puma_attr_lender_max_sessions.attr,
	&puma_attr_lender_idle_timeout_s.attr,
	&puma_attr_version.attr,
	NULL,
};

static const struct attribute_group puma_group = {
	.attrs = puma_attrs,
};

/*
 * stats/: one read-only file per counter, named after puma_stat_names,
 * then one per gauge, named after puma_gauge_names.
 */
#define PUMA_SYSFS_STATS	(PUMA_STAT_NR + PUMA_GAUGE_NR)
static struct kobj_attribute puma_stat_attrs[PUMA_STAT_NR];
static struct kobj_attribute puma_gauge_attrs[PUMA_GAUGE_NR];
static struct attribute *puma_stat_attr_ptrs[PUMA_SYSFS_STATS + 1];

static ssize_t puma_stat_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	enum puma_stat stat = attr - puma_stat_attrs;

	return sysfs_emit(buf, "%llu\n",
			  puma_stats_read(&puma_global_stats, stat));
}

static ssize_t puma_gauge_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	enum puma_gauge gauge = attr - puma_gauge_attrs;

	return sysfs_emit(buf, "%llu\n", puma_gauge_read(gauge));
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

/* Make @attr the read-only file @name of a counter or of a @gauge. */
static struct attribute *puma_sysfs_stat(struct kobj_attribute *attr,
					 const char *name, bool gauge)
{
	sysfs_attr_init(&attr->attr);
	attr->attr.name = name;
	attr->attr.mode = 0444;
	attr->show = gauge ? puma_gauge_show : puma_stat_show;
	return &attr->attr;
}

/**
 * puma_sysfs_init() - create /sys/kernel/puma
 *
 * Return: 0 or a negative errno.
 */
int puma_sysfs_init(void)
{
	struct attribute **p = puma_stat_attr_ptrs;
	unsigned int i;
	int ret;

	for (i = 0; i < PUMA_STAT_NR; i++)
		*p++ = puma_sysfs_stat(&puma_stat_attrs[i],
				       puma_stat_names[i], false);
	for (i = 0; i < PUMA_GAUGE_NR; i++)
		*p++ = puma_sysfs_stat(&puma_gauge_attrs[i],
				       puma_gauge_names[i], true);
	*p = NULL;

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
