// SPDX-License-Identifier: GPL-2.0
/*
 * The "puma" generic netlink family: the control surface pumactl talks to.
 * The ABI is documented in include/uapi/linux/puma.h.
 *
 * Reads top to bottom: attribute policies, message builders, the
 * operations, the family, init/exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/utsname.h>
#include <net/genetlink.h>

#include <linux/puma.h>

#include "config.h"
#include "netlink.h"
#include "options.h"
#include "pool.h"
#include "puma.h"

static const struct nla_policy puma_stat_policy[PUMA_STAT_A_MAX + 1] = {
	[PUMA_STAT_A_NAME]	= { .type = NLA_NUL_STRING, .len = 64 },
	[PUMA_STAT_A_VALUE]	= { .type = NLA_U64 },
};

static const struct nla_policy puma_pool_policy[PUMA_POOL_A_MAX + 1] = {
	[PUMA_POOL_A_DEV]	= { .type = NLA_U32 },
	[PUMA_POOL_A_FSTYPE]	= { .type = NLA_NUL_STRING,
				    .len = PUMA_FS_NAME_LEN - 1 },
	[PUMA_POOL_A_ID]	= { .type = NLA_NUL_STRING, .len = 31 },
	[PUMA_POOL_A_STATS]	= NLA_POLICY_NESTED(puma_stat_policy),
};

static const struct nla_policy puma_policy[PUMA_A_MAX + 1] = {
	[PUMA_A_VERSION]	= { .type = NLA_NUL_STRING, .len = 32 },
	[PUMA_A_GENL_VERSION]	= { .type = NLA_U32 },
	[PUMA_A_KERNEL_RELEASE]	= { .type = NLA_NUL_STRING,
				    .len = __NEW_UTS_LEN },
	[PUMA_A_ENABLED]	= NLA_POLICY_MAX(NLA_U8, 1),
	[PUMA_A_FILESYSTEMS]	= { .type = NLA_NUL_STRING,
				    .len = PUMA_FS_MAX * PUMA_FS_NAME_LEN },
	[PUMA_A_STATS]		= NLA_POLICY_NESTED(puma_stat_policy),
	[PUMA_A_STAT]		= NLA_POLICY_NESTED(puma_stat_policy),
	[PUMA_A_POOL]		= NLA_POLICY_NESTED(puma_pool_policy),
};

static struct genl_family puma_genl_family;

/* A nest of type @type holding one PUMA_A_STAT per counter of @stats. */
static int puma_nl_put_stats(struct sk_buff *skb, int type,
			     const struct puma_stats *stats)
{
	struct nlattr *nest, *stat;
	unsigned int i;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < PUMA_STAT_NR; i++) {
		stat = nla_nest_start(skb, PUMA_A_STAT);
		if (!stat ||
		    nla_put_string(skb, PUMA_STAT_A_NAME, puma_stat_names[i]) ||
		    nla_put_u64_64bit(skb, PUMA_STAT_A_VALUE,
				      puma_stats_read(stats, i),
				      PUMA_STAT_A_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, stat);
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int puma_nl_put_pool(struct sk_buff *skb, const struct puma_pool *pool)
{
	struct nlattr *nest = nla_nest_start(skb, PUMA_A_POOL);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, PUMA_POOL_A_DEV, pool->dev) ||
	    nla_put_string(skb, PUMA_POOL_A_FSTYPE, pool->fstype) ||
	    nla_put_string(skb, PUMA_POOL_A_ID, pool->s_id) ||
	    puma_nl_put_stats(skb, PUMA_POOL_A_STATS, &pool->stats)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A reply to @info with command @cmd, filled by @fill. */
static int puma_nl_reply(struct genl_info *info, u8 cmd,
			 int (*fill)(struct sk_buff *skb))
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &puma_genl_family, 0, cmd);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err;
	}
	ret = fill(msg);
	if (ret)
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return ret;
}

static int puma_nl_fill_version(struct sk_buff *msg)
{
	if (nla_put_string(msg, PUMA_A_VERSION, PUMA_VERSION) ||
	    nla_put_u32(msg, PUMA_A_GENL_VERSION, PUMA_GENL_VERSION) ||
	    nla_put_string(msg, PUMA_A_KERNEL_RELEASE, init_utsname()->release))
		return -EMSGSIZE;
	return 0;
}

static int puma_nl_fill_status(struct sk_buff *msg)
{
	char fs[PUMA_FS_MAX * PUMA_FS_NAME_LEN + 1];
	int n = puma_config_format_filesystems(fs, sizeof(fs));

	if (n > 0 && fs[n - 1] == '\n')
		fs[n - 1] = '\0';
	if (nla_put_u8(msg, PUMA_A_ENABLED, puma_is_enabled()) ||
	    nla_put_string(msg, PUMA_A_FILESYSTEMS, fs))
		return -EMSGSIZE;
	return puma_nl_put_stats(msg, PUMA_A_STATS, &puma_global_stats);
}

static int puma_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	return puma_nl_reply(info, PUMA_CMD_GET_VERSION, puma_nl_fill_version);
}

static int puma_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	return puma_nl_reply(info, PUMA_CMD_GET_STATUS, puma_nl_fill_status);
}

/* cb->args[0]: the s_dev index of the next pool to dump. */
static int puma_nl_dump_pools(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long index = cb->args[0];
	struct puma_pool *pool;
	void *hdr;

	while ((pool = puma_pool_next(&index))) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &puma_genl_family,
				  NLM_F_MULTI, PUMA_CMD_GET_POOLS);
		if (!hdr || puma_nl_put_pool(skb, pool)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			puma_pool_put(pool);
			break;
		}
		genlmsg_end(skb, hdr);
		puma_pool_put(pool);
		cb->args[0] = index;
	}
	return skb->len;
}

static const struct genl_small_ops puma_genl_ops[] = {
	{
		.cmd	= PUMA_CMD_GET_VERSION,
		.doit	= puma_nl_get_version,
	},
	{
		.cmd	= PUMA_CMD_GET_STATUS,
		.doit	= puma_nl_get_status,
	},
	{
		.cmd	= PUMA_CMD_GET_POOLS,
		.dumpit	= puma_nl_dump_pools,
	},
};

static struct genl_family puma_genl_family __ro_after_init = {
	.name		= PUMA_GENL_NAME,
	.version	= PUMA_GENL_VERSION,
	.maxattr	= PUMA_A_MAX,
	.policy		= puma_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.small_ops	= puma_genl_ops,
	.n_small_ops	= ARRAY_SIZE(puma_genl_ops),
	.resv_start_op	= PUMA_CMD_GET_POOLS + 1,
};

/**
 * puma_netlink_init() - register the "puma" family
 *
 * Return: 0 or a negative errno.
 */
int puma_netlink_init(void)
{
	return genl_register_family(&puma_genl_family);
}

/**
 * puma_netlink_exit() - unregister; waits for running operations
 */
void puma_netlink_exit(void)
{
	genl_unregister_family(&puma_genl_family);
}
