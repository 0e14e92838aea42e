/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * PUMA: a cooperative page cache for virtual machines.
 *
 * Generic netlink ABI between the puma module and its userspace tool
 * (pumactl).  Family name PUMA_GENL_NAME, version PUMA_GENL_VERSION.
 *
 * Commands
 * --------
 * PUMA_CMD_GET_VERSION (doit, unprivileged)
 *   Request: no attributes.
 *   Reply:   PUMA_A_VERSION        string  module version ("0.1.0")
 *            PUMA_A_GENL_VERSION   u32     PUMA_GENL_VERSION of the module
 *            PUMA_A_KERNEL_RELEASE string  utsname release of the kernel
 *
 * PUMA_CMD_GET_STATUS (doit, unprivileged)
 *   Request: no attributes.
 *   Reply:   PUMA_A_ENABLED        u8      1 when the hooks act, 0 when idle
 *            PUMA_A_FILESYSTEMS    string  opted-in filesystem types,
 *                                          space separated ("ext4 xfs")
 *            PUMA_A_STATS          nest    global counters: a list of
 *                                          PUMA_A_STAT nests, each with
 *                                          PUMA_STAT_A_NAME (string) and
 *                                          PUMA_STAT_A_VALUE (u64).
 *   Counter names are the file names of /sys/kernel/puma/stats/; a tool
 *   prints the names it receives, so new counters need no tool change.
 *
 * PUMA_CMD_GET_POOLS (dumpit, unprivileged)
 *   One message per pool (one pool per mounted filesystem whose type is
 *   opted in, created at mount or when the module loads or the list
 *   changes):
 *            PUMA_A_POOL           nest    PUMA_POOL_A_DEV (u32, the
 *                                          superblock's dev_t in the
 *                                          kernel's encoding, see
 *                                          MAJOR()/MINOR() below),
 *                                          PUMA_POOL_A_FSTYPE (string),
 *                                          PUMA_POOL_A_ID (string, the
 *                                          superblock's s_id, e.g. "vda"),
 *                                          PUMA_POOL_A_STATS (nest, as
 *                                          PUMA_A_STATS above).
 *
 * Errors are negative errnos in the netlink ack, with an extended ack
 * message where the module has something to say.
 */
#ifndef _UAPI_LINUX_PUMA_H
#define _UAPI_LINUX_PUMA_H

#define PUMA_GENL_NAME		"puma"
#define PUMA_GENL_VERSION	1

/* Kernel dev_t encoding used by PUMA_POOL_A_DEV (20 bits of minor). */
#define PUMA_DEV_MAJOR(dev)	((unsigned int)((dev) >> 20))
#define PUMA_DEV_MINOR(dev)	((unsigned int)((dev) & ((1U << 20) - 1)))

enum puma_cmd {
	PUMA_CMD_UNSPEC,
	PUMA_CMD_GET_VERSION,
	PUMA_CMD_GET_STATUS,
	PUMA_CMD_GET_POOLS,

	__PUMA_CMD_MAX,
};

#define PUMA_CMD_MAX (__PUMA_CMD_MAX - 1)

enum puma_attr {
	PUMA_A_UNSPEC,
	PUMA_A_VERSION,			/* string */
	PUMA_A_GENL_VERSION,		/* u32 */
	PUMA_A_KERNEL_RELEASE,		/* string */
	PUMA_A_ENABLED,			/* u8 */
	PUMA_A_FILESYSTEMS,		/* string */
	PUMA_A_STATS,			/* nest of PUMA_A_STAT */
	PUMA_A_STAT,			/* nest: enum puma_stat_attr */
	PUMA_A_POOL,			/* nest: enum puma_pool_attr */
	PUMA_A_PAD,

	__PUMA_A_MAX,
};

#define PUMA_A_MAX (__PUMA_A_MAX - 1)

enum puma_stat_attr {
	PUMA_STAT_A_UNSPEC,
	PUMA_STAT_A_NAME,		/* string */
	PUMA_STAT_A_VALUE,		/* u64 */
	PUMA_STAT_A_PAD,

	__PUMA_STAT_A_MAX,
};

#define PUMA_STAT_A_MAX (__PUMA_STAT_A_MAX - 1)

enum puma_pool_attr {
	PUMA_POOL_A_UNSPEC,
	PUMA_POOL_A_DEV,		/* u32 */
	PUMA_POOL_A_FSTYPE,		/* string */
	PUMA_POOL_A_ID,			/* string */
	PUMA_POOL_A_STATS,		/* nest of PUMA_A_STAT */
	PUMA_POOL_A_PAD,

	__PUMA_POOL_A_MAX,
};

#define PUMA_POOL_A_MAX (__PUMA_POOL_A_MAX - 1)

#endif /* _UAPI_LINUX_PUMA_H */
