// SPDX-License-Identifier: GPL-2.0
/*
 * PUMA: a cooperative page cache for virtual machines.
 *
 * A VM under memory pressure (the borrower) hands the clean page-cache
 * pages it evicts to VMs with idle memory (lenders) and reads them back
 * from there instead of from disk.  This file only brings the parts up in
 * order and down in reverse; reading it tells the architecture:
 *
 *   config    settings (enabled, opted-in filesystems)
 *   pools     one per opted-in mounted filesystem, with counters
 *   stage     the staging pool of evicted pages and the senders
 *   frontend  the cleancache-style operations, attached by hooks.c; the
 *             get path (get.c, fetch.c)
 *   sysfs     /sys/kernel/puma
 *   store     the pages this node lends, in its own page cache
 *   netlink   the "puma" generic netlink family (pumactl)
 *   peers     lenders this node borrows from (borrower.c), borrowers it
 *             lends to (lender.c), over TCP connections (conn.c)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/random.h>

#include "config.h"
#include "frontend.h"
#include "netlink.h"
#include "peer.h"
#include "pool.h"
#include "puma.h"
#include "stage.h"
#include "store.h"
#include "sysfs.h"

u64 puma_node_id;

static int __init puma_init(void)
{
	int ret;

	do {
		puma_node_id = get_random_u64();
	} while (!puma_node_id);

	ret = puma_config_init();
	if (ret)
		return ret;
	ret = puma_pools_init();
	if (ret)
		goto err_config;
	ret = puma_stage_init();
	if (ret)
		goto err_pools;
	ret = puma_frontend_init();
	if (ret)
		goto err_stage;
	/* Pools for the filesystems mounted before the hooks attached. */
	puma_config_sync_pools();
	ret = puma_sysfs_init();
	if (ret)
		goto err_frontend;
	ret = puma_store_init();
	if (ret)
		goto err_sysfs;
	ret = puma_netlink_init();
	if (ret)
		goto err_store;

	pr_info("version %s loaded\n", PUMA_VERSION);
	return 0;

err_store:
	puma_store_exit();
err_sysfs:
	puma_sysfs_exit();
err_frontend:
	puma_frontend_exit();
err_stage:
	puma_stage_exit();
err_pools:
	puma_pools_exit();
err_config:
	puma_config_exit();
	return ret;
}

static void __exit puma_exit(void)
{
	puma_netlink_exit();
	puma_borrower_exit();
	puma_lender_exit();
	puma_store_exit();
	puma_sysfs_exit();
	puma_frontend_exit();
	puma_stage_exit();
	puma_pools_exit();
	puma_config_exit();
	pr_info("unloaded\n");
}

module_init(puma_init);
module_exit(puma_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The PUMA developers");
MODULE_DESCRIPTION("PUMA: cooperative page cache for virtual machines");
MODULE_VERSION(PUMA_VERSION);
