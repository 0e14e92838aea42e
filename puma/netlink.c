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
#include <linux/string.h>
#include <linux/utsname.h>
#include <net/genetlink.h>

#include <linux/puma.h>

#include "config.h"
#include "gauge.h"
#include "netlink.h"
#include "options.h"
#include "peer.h"
#include "pool.h"
#include "puma.h"

/*
 * Requests carry only these attributes; the others exist in replies and
 * are rejected in a request.
 */
static const struct nla_policy puma_policy[PUMA_A_MAX + 1] = {
	[PUMA_A_ADDR_IN4]	= NLA_POLICY_EXACT_LEN(4),
	[PUMA_A_PORT]		= NLA_POLICY_MIN(NLA_U16, 1),
	[PUMA_A_MAX_MEMORY]	= { .type = NLA_U64 },
	[PUMA_A_VERSION]	= { .type = NLA_REJECT },
	[PUMA_A_GENL_VERSION]	= { .type = NLA_REJECT },
	[PUMA_A_KERNEL_RELEASE]	= { .type = NLA_REJECT },
	[PUMA_A_ENABLED]	= { .type = NLA_REJECT },
	[PUMA_A_FILESYSTEMS]	= { .type = NLA_REJECT },
	[PUMA_A_STATS]		= { .type = NLA_REJECT },
	[PUMA_A_STAT]		= { .type = NLA_REJECT },
	[PUMA_A_POOL]		= { .type = NLA_REJECT },
	[PUMA_A_NODE_ID]	= { .type = NLA_REJECT },
	[PUMA_A_PEER]		= { .type = NLA_REJECT },
};

static struct genl_family puma_genl_family;

/* PUMA_A_FILESYSTEMS: the longest list, space separated, and a NUL. */
#define PUMA_NL_FS_LEN		(PUMA_FS_MAX * PUMA_FS_NAME_LEN + 1)

/* One PUMA_A_STAT nest: a counter's or a gauge's name and value. */
static int puma_nl_put_stat(struct sk_buff *skb, const char *name, u64 value)
{
	struct nlattr *stat = nla_nest_start(skb, PUMA_A_STAT);

	if (!stat || nla_put_string(skb, PUMA_STAT_A_NAME, name) ||
	    nla_put_u64_64bit(skb, PUMA_STAT_A_VALUE, value, PUMA_STAT_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, stat);
	return 0;
}

/* The room puma_nl_put_stat() takes. */
static size_t puma_nl_stat_size(const char *name)
{
	return nla_total_size(0) + nla_total_size(strlen(name) + 1) +
	       nla_total_size_64bit(sizeof(u64));
}

/*
 * A nest of type @type holding one PUMA_A_STAT per counter of @stats, then,
 * if @gauges, one per gauge.
 */
static int puma_nl_put_stats(struct sk_buff *skb, int type,
			     const struct puma_stats *stats, bool gauges)
{
	u64 values[PUMA_GAUGE_NR];
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < PUMA_STAT_NR; i++)
		if (puma_nl_put_stat(skb, puma_stat_names[i],
				     puma_stats_read(stats, i)))
			goto cancel;
	if (gauges) {
		puma_gauge_read_all(values);
		for (i = 0; i < PUMA_GAUGE_NR; i++)
			if (puma_nl_put_stat(skb, puma_gauge_names[i],
					     values[i]))
				goto cancel;
	}
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int puma_nl_put_pool(struct sk_buff *skb, const struct puma_pool *pool)
{
	struct nlattr *nest = nla_nest_start(skb, PUMA_A_POOL);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, PUMA_POOL_A_DEV, pool->dev) ||
	    nla_put_string(skb, PUMA_POOL_A_FSTYPE, pool->fstype) ||
	    nla_put_string(skb, PUMA_POOL_A_ID, pool->s_id) ||
	    puma_nl_put_stats(skb, PUMA_POOL_A_STATS, &pool->stats, false)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * A reply to @info with command @cmd, filled by @fill, with room for
 * @size bytes of attributes.
 */
static int puma_nl_reply(struct genl_info *info, u8 cmd, size_t size,
			 int (*fill)(struct sk_buff *skb))
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(size, GFP_KERNEL);
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

/* The most puma_nl_fill_status() can put: every counter and gauge. */
static size_t puma_nl_status_size(void)
{
	size_t size;
	unsigned int i;

	size = nla_total_size(sizeof(u8)) +			/* ENABLED */
	       nla_total_size(PUMA_NL_FS_LEN) +			/* FILESYSTEMS */
	       nla_total_size_64bit(sizeof(u64)) +		/* NODE_ID */
	       nla_total_size(sizeof(__be32)) +			/* ADDR_IN4 */
	       nla_total_size(sizeof(u16)) +			/* PORT */
	       nla_total_size_64bit(sizeof(u64)) +		/* MAX_MEMORY */
	       nla_total_size(0);				/* STATS */
	for (i = 0; i < PUMA_STAT_NR; i++)
		size += puma_nl_stat_size(puma_stat_names[i]);
	for (i = 0; i < PUMA_GAUGE_NR; i++)
		size += puma_nl_stat_size(puma_gauge_names[i]);
	return size;
}

static int puma_nl_fill_status(struct sk_buff *msg)
{
	char fs[PUMA_NL_FS_LEN];
	int n = puma_config_format_filesystems(fs, sizeof(fs));
	struct sockaddr_in addr;
	u64 max_memory;

	if (n > 0 && fs[n - 1] == '\n')
		fs[n - 1] = '\0';
	if (nla_put_u8(msg, PUMA_A_ENABLED, puma_is_enabled()) ||
	    nla_put_string(msg, PUMA_A_FILESYSTEMS, fs) ||
	    nla_put_u64_64bit(msg, PUMA_A_NODE_ID, puma_node_id, PUMA_A_PAD))
		return -EMSGSIZE;
	if (puma_lender_address(&addr, &max_memory) &&
	    (nla_put_in_addr(msg, PUMA_A_ADDR_IN4, addr.sin_addr.s_addr) ||
	     nla_put_u16(msg, PUMA_A_PORT, ntohs(addr.sin_port)) ||
	     nla_put_u64_64bit(msg, PUMA_A_MAX_MEMORY, max_memory,
			       PUMA_A_PAD)))
		return -EMSGSIZE;
	return puma_nl_put_stats(msg, PUMA_A_STATS, &puma_global_stats, true);
}

static int puma_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	return puma_nl_reply(info, PUMA_CMD_GET_VERSION, NLMSG_GOODSIZE,
			     puma_nl_fill_version);
}

static int puma_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	return puma_nl_reply(info, PUMA_CMD_GET_STATUS, puma_nl_status_size(),
			     puma_nl_fill_status);
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

/* The IPv4 address and port of a request, both required. */
static int puma_nl_addr(struct genl_info *info, struct sockaddr_in *addr)
{
	if (GENL_REQ_ATTR_CHECK(info, PUMA_A_ADDR_IN4) ||
	    GENL_REQ_ATTR_CHECK(info, PUMA_A_PORT))
		return -EINVAL;
	*addr = (struct sockaddr_in) {
		.sin_family = AF_INET,
		.sin_addr.s_addr = nla_get_in_addr(info->attrs[PUMA_A_ADDR_IN4]),
		.sin_port = htons(nla_get_u16(info->attrs[PUMA_A_PORT])),
	};
	if (ipv4_is_multicast(addr->sin_addr.s_addr) ||
	    ipv4_is_lbcast(addr->sin_addr.s_addr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PUMA_A_ADDR_IN4],
				    "not a unicast address");
		return -EINVAL;
	}
	return 0;
}

static int puma_nl_lender_start(struct sk_buff *skb, struct genl_info *info)
{
	struct sockaddr_in addr;
	u64 max_memory = 0;
	int ret = puma_nl_addr(info, &addr);

	if (ret)
		return ret;
	if (info->attrs[PUMA_A_MAX_MEMORY])
		max_memory = nla_get_u64(info->attrs[PUMA_A_MAX_MEMORY]);
	return puma_lender_start(&addr, max_memory, info->extack);
}

static int puma_nl_lender_stop(struct sk_buff *skb, struct genl_info *info)
{
	int ret = puma_lender_stop();

	if (ret == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "not lending");
	return ret;
}

static int puma_nl_add_lender(struct sk_buff *skb, struct genl_info *info)
{
	struct sockaddr_in addr;
	int ret = puma_nl_addr(info, &addr);

	return ret ? ret : puma_borrower_add_lender(&addr, info->extack);
}

static int puma_nl_remove_lender(struct sk_buff *skb, struct genl_info *info)
{
	struct sockaddr_in addr;
	int ret = puma_nl_addr(info, &addr);

	if (ret)
		return ret;
	ret = puma_borrower_remove_lender(&addr);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "not paired with this lender");
	return ret;
}

/**
 * struct puma_nl_peer_dump - state of a GET_PEERS dump
 * @walk: the walk over one kind of peer
 * @skb: the message being filled
 * @cb: the dump's callback
 */
struct puma_nl_peer_dump {
	struct puma_peer_walk walk;
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

/* A lender's figures: what this node sent it and got back from it. */
static int puma_nl_put_lender_stats(struct sk_buff *skb,
				    const struct puma_peer_info *p)
{
	if (puma_nl_put_stat(skb, "pings", p->pings) ||
	    puma_nl_put_stat(skb, "pongs", p->pongs) ||
	    puma_nl_put_stat(skb, "puts_sent", p->puts_sent) ||
	    puma_nl_put_stat(skb, "get_requests", p->get_requests) ||
	    puma_nl_put_stat(skb, "get_hits", p->get_hits) ||
	    puma_nl_put_stat(skb, "get_misses", p->get_misses) ||
	    puma_nl_put_stat(skb, "get_timeouts", p->get_timeouts))
		return -EMSGSIZE;
	return 0;
}

/* A borrower's figures: what this node keeps for it. */
static int puma_nl_put_borrower_stats(struct sk_buff *skb,
				      const struct puma_peer_info *p)
{
	const struct puma_store_info *s = &p->store;

	if (puma_nl_put_stat(skb, "puts_refused", p->puts_refused))
		return -EMSGSIZE;
	if (!p->has_store)
		return 0;
	if (puma_nl_put_stat(skb, "store_pages_held", s->held) ||
	    puma_nl_put_stat(skb, "store_pages_stored", s->stored) ||
	    puma_nl_put_stat(skb, "store_pages_reclaimed", s->reclaimed) ||
	    puma_nl_put_stat(skb, "store_pages_dropped", s->dropped) ||
	    puma_nl_put_stat(skb, "store_refused_quota", s->refused_quota) ||
	    puma_nl_put_stat(skb, "store_refused_nomem", s->refused_nomem) ||
	    puma_nl_put_stat(skb, "store_get_hits", s->get_hits) ||
	    puma_nl_put_stat(skb, "store_get_misses", s->get_misses))
		return -EMSGSIZE;
	return 0;
}

static int puma_nl_put_peer(struct puma_peer_walk *walk,
			    const struct puma_peer_info *p)
{
	struct puma_nl_peer_dump *d =
		container_of(walk, struct puma_nl_peer_dump, walk);
	struct sk_buff *skb = d->skb;
	struct nlattr *peer, *stats;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &puma_genl_family,
			  NLM_F_MULTI, PUMA_CMD_GET_PEERS);
	if (!hdr)
		return -EMSGSIZE;
	peer = nla_nest_start(skb, PUMA_A_PEER);
	if (!peer ||
	    nla_put_u8(skb, PUMA_PEER_A_ROLE, p->role) ||
	    nla_put_in_addr(skb, PUMA_PEER_A_ADDR_IN4, p->addr.sin_addr.s_addr) ||
	    nla_put_u16(skb, PUMA_PEER_A_PORT, ntohs(p->addr.sin_port)) ||
	    nla_put_u64_64bit(skb, PUMA_PEER_A_NODE_ID, p->node_id,
			      PUMA_PEER_A_PAD) ||
	    nla_put_u8(skb, PUMA_PEER_A_STATE, p->state) ||
	    (p->rtt_us && nla_put_u32(skb, PUMA_PEER_A_RTT_US, p->rtt_us)))
		goto cancel;
	stats = nla_nest_start(skb, PUMA_PEER_A_STATS);
	if (!stats ||
	    puma_nl_put_stat(skb, "bytes_in", p->bytes_in) ||
	    puma_nl_put_stat(skb, "bytes_out", p->bytes_out) ||
	    puma_nl_put_stat(skb, "protocol_violations", p->violations) ||
	    (p->role == PUMA_PEER_LENDER &&
	     puma_nl_put_lender_stats(skb, p)) ||
	    (p->role == PUMA_PEER_BORROWER &&
	     puma_nl_put_borrower_stats(skb, p)))
		goto cancel;
	nla_nest_end(skb, stats);
	nla_nest_end(skb, peer);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * cb->args[0]: lenders reported; cb->args[1]: borrower connections
 * reported.  A peer that does not fit is reported in the next round.
 */
static int puma_nl_dump_peers(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct puma_nl_peer_dump d = {
		.walk = { .pos = cb->args[0], .visit = puma_nl_put_peer },
		.skb = skb,
		.cb = cb,
	};
	int full = puma_borrower_walk(&d.walk);

	cb->args[0] = d.walk.pos;
	if (full)
		return skb->len;
	d.walk.pos = cb->args[1];
	puma_lender_walk(&d.walk);
	cb->args[1] = d.walk.pos;
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
	{
		.cmd	= PUMA_CMD_LENDER_START,
		.doit	= puma_nl_lender_start,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= PUMA_CMD_LENDER_STOP,
		.doit	= puma_nl_lender_stop,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= PUMA_CMD_BORROWER_ADD_LENDER,
		.doit	= puma_nl_add_lender,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= PUMA_CMD_BORROWER_REMOVE_LENDER,
		.doit	= puma_nl_remove_lender,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= PUMA_CMD_GET_PEERS,
		.dumpit	= puma_nl_dump_peers,
	},
};

static struct genl_family puma_genl_family __ro_after_init = {
	.name		= PUMA_GENL_NAME,
	.version	= PUMA_GENL_VERSION,
	.maxattr	= PUMA_A_MAX,
	.policy		= puma_policy,
	/* Pairing may wait for a connect: no global genl lock held then. */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.small_ops	= puma_genl_ops,
	.n_small_ops	= ARRAY_SIZE(puma_genl_ops),
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
