// SPDX-License-Identifier: GPL-2.0
/*
 * pumactl version and pumactl status: ask the module, print text or JSON.
 * The shared helpers are in show.c.
 *
 * Replies are parsed with policies; attributes this pumactl does not know
 * are ignored and missing ones are left out of the output, so a module
 * newer or older than the tool still shows what it has.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/puma.h>

#include "genl.h"
#include "json.h"
#include "parse.h"
#include "pumactl.h"
#include "show.h"

static const struct nla_policy puma_pool_policy[PUMA_POOL_A_MAX + 1] = {
	[PUMA_POOL_A_DEV]	= { .type = NLA_U32 },
	[PUMA_POOL_A_FSTYPE]	= { .type = NLA_STRING },
	[PUMA_POOL_A_ID]	= { .type = NLA_STRING },
	[PUMA_POOL_A_STATS]	= { .type = NLA_NESTED },
};

/* Where the values start in the text output. */
#define STATUS_LABEL_W		14
#define VERSION_LABEL_W		18

/**
 * struct pool - one PUMA_A_POOL
 * @has_dev: PUMA_POOL_A_DEV was there
 * @dev: its value, the kernel's dev_t encoding
 * @fstype: or NULL
 * @id: or NULL
 * @has_stats: PUMA_POOL_A_STATS was there
 * @stats: its counters
 */
struct pool {
	int has_dev;
	unsigned int dev;
	char *fstype;
	char *id;
	int has_stats;
	struct counters stats;
};

/**
 * struct status - the replies to GET_STATUS and GET_POOLS
 * @enabled: PUMA_A_ENABLED, or -1 when missing
 * @filesystems: or NULL
 * @has_node_id: PUMA_A_NODE_ID was there
 * @node_id: its value
 * @lending: PUMA_A_ADDR_IN4 was there: the node lends
 * @lend_addr: its value
 * @lend_port: PUMA_A_PORT, or 0 when missing
 * @has_max_memory: PUMA_A_MAX_MEMORY was there
 * @max_memory: its value, 0 for no limit
 * @has_stats: PUMA_A_STATS was there
 * @stats: the global counters
 * @pools: the pools, in dump order
 * @npools: their number
 */
struct status {
	int enabled;
	char *filesystems;
	int has_node_id;
	unsigned long long node_id;
	int lending;
	struct in_addr lend_addr;
	unsigned int lend_port;
	int has_max_memory;
	unsigned long long max_memory;
	int has_stats;
	struct counters stats;
	struct pool *pools;
	size_t npools;
};

/**
 * struct version - the reply to GET_VERSION
 * @version: or NULL
 * @has_genl: PUMA_A_GENL_VERSION was there
 * @genl: its value
 * @release: or NULL
 */
struct version {
	char *version;
	int has_genl;
	unsigned int genl;
	char *release;
};

static int version_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PUMA_A_MAX + 1];
	struct version *v = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PUMA_A_MAX, puma_policy) < 0)
		return -EBADMSG;
	if (tb[PUMA_A_VERSION] && set_str(&v->version, tb[PUMA_A_VERSION]))
		return -ENOMEM;
	if (tb[PUMA_A_KERNEL_RELEASE] &&
	    set_str(&v->release, tb[PUMA_A_KERNEL_RELEASE]))
		return -ENOMEM;
	if (tb[PUMA_A_GENL_VERSION]) {
		v->has_genl = 1;
		v->genl = nla_get_u32(tb[PUMA_A_GENL_VERSION]);
	}
	return 0;
}

static int status_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PUMA_A_MAX + 1];
	struct status *s = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PUMA_A_MAX, puma_policy) < 0)
		return -EBADMSG;
	if (tb[PUMA_A_ENABLED])
		s->enabled = !!nla_get_u8(tb[PUMA_A_ENABLED]);
	if (tb[PUMA_A_FILESYSTEMS] &&
	    set_str(&s->filesystems, tb[PUMA_A_FILESYSTEMS]))
		return -ENOMEM;
	if (tb[PUMA_A_NODE_ID]) {
		s->has_node_id = 1;
		s->node_id = nla_get_u64(tb[PUMA_A_NODE_ID]);
	}
	if (tb[PUMA_A_ADDR_IN4]) {
		s->lending = 1;
		memcpy(&s->lend_addr, nla_data(tb[PUMA_A_ADDR_IN4]), 4);
	}
	if (tb[PUMA_A_PORT])
		s->lend_port = nla_get_u16(tb[PUMA_A_PORT]);
	if (tb[PUMA_A_MAX_MEMORY]) {
		s->has_max_memory = 1;
		s->max_memory = nla_get_u64(tb[PUMA_A_MAX_MEMORY]);
	}
	if (tb[PUMA_A_STATS]) {
		s->has_stats = 1;
		return parse_counters(&s->stats, tb[PUMA_A_STATS]);
	}
	return 0;
}

/* One message of the GET_POOLS dump: one more pool. */
static int pool_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *pb[PUMA_POOL_A_MAX + 1];
	struct status *s = arg;
	struct pool *p;
	int ret;

	ret = dump_nest(msg, PUMA_A_POOL, pb, PUMA_POOL_A_MAX,
			puma_pool_policy);
	if (ret <= 0)
		return ret;
	p = grow((void **)&s->pools, &s->npools, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (pb[PUMA_POOL_A_DEV]) {
		p->has_dev = 1;
		p->dev = nla_get_u32(pb[PUMA_POOL_A_DEV]);
	}
	if (pb[PUMA_POOL_A_FSTYPE] &&
	    set_str(&p->fstype, pb[PUMA_POOL_A_FSTYPE]))
		return -ENOMEM;
	if (pb[PUMA_POOL_A_ID] && set_str(&p->id, pb[PUMA_POOL_A_ID]))
		return -ENOMEM;
	if (pb[PUMA_POOL_A_STATS]) {
		p->has_stats = 1;
		return parse_counters(&p->stats, pb[PUMA_POOL_A_STATS]);
	}
	return 0;
}

static void status_free(struct status *s)
{
	size_t i;

	for (i = 0; i < s->npools; i++) {
		free(s->pools[i].fstype);
		free(s->pools[i].id);
		counters_free(&s->pools[i].stats);
	}
	free(s->pools);
	free(s->filesystems);
	counters_free(&s->stats);
}

static void dev_str(char *buf, size_t len, unsigned int dev)
{
	snprintf(buf, len, "%u:%u", PUMA_DEV_MAJOR(dev), PUMA_DEV_MINOR(dev));
}

/**
 * struct coverage - how many page-cache misses PUMA saw
 * @seen: misses a get looked up (misses_seen)
 * @unseen: misses read from disk that no get looked up (misses_unseen)
 * @unseen_held: of those, pages a lender held (misses_unseen_held)
 */
struct coverage {
	unsigned long long seen, unseen, unseen_held;
};

/* 1 and *@c from @l, or 0 when the module does not count coverage. */
static int coverage_get(const struct counters *l, struct coverage *c)
{
	c->unseen_held = 0;
	counter_find(l, "misses_unseen_held", &c->unseen_held);
	return counter_find(l, "misses_seen", &c->seen) &&
	       counter_find(l, "misses_unseen", &c->unseen);
}

static void coverage_print(const struct counters *l)
{
	struct coverage c;

	if (!coverage_get(l, &c))
		return;
	put_label("coverage", STATUS_LABEL_W);
	if (!c.seen && !c.unseen) {
		printf("no page-cache miss yet\n");
		return;
	}
	printf("%.1f%% of %llu misses seen by a get (%llu unseen, %llu of them held)\n",
	       100.0 * (double)c.seen / (double)(c.seen + c.unseen),
	       c.seen + c.unseen, c.unseen, c.unseen_held);
}

static void coverage_json(struct json *j, const struct counters *l)
{
	struct coverage c;

	if (!coverage_get(l, &c))
		return;
	json_object_begin(j, "coverage");
	json_u64(j, "seen", c.seen);
	json_u64(j, "unseen", c.unseen);
	json_u64(j, "unseen_held", c.unseen_held);
	if (c.seen + c.unseen)
		json_double(j, "share",
			    (double)c.seen / (double)(c.seen + c.unseen));
	else
		json_null(j, "share");
	json_object_end(j);
}

static void status_print(const struct status *s)
{
	const struct pool *p;
	int nw = 0, vw = 0;
	char buf[ENDPOINT_LEN + 32];
	char dev[32];
	size_t i;

	if (s->enabled >= 0) {
		put_label("enabled", STATUS_LABEL_W);
		printf("%s\n", s->enabled ? "yes" : "no");
	}
	if (s->filesystems) {
		put_label("filesystems", STATUS_LABEL_W);
		put_text(s->filesystems[0] ? s->filesystems : "(none)", 0);
		putchar('\n');
	}
	if (s->has_node_id) {
		node_id_str(buf, sizeof(buf), s->node_id);
		put_label("node id", STATUS_LABEL_W);
		printf("%s\n", buf);
	}
	if (s->lending) {
		format_endpoint(buf, sizeof(buf), &s->lend_addr, s->lend_port);
		put_label("lending on", STATUS_LABEL_W);
		printf("%s", buf);
		if (s->has_max_memory && s->max_memory) {
			format_size(buf, sizeof(buf), s->max_memory);
			printf(" (max memory %s)", buf);
		} else if (s->has_max_memory) {
			printf(" (no limit)");
		}
		putchar('\n');
	}
	put_label("pools", STATUS_LABEL_W);
	printf("%zu\n", s->npools);
	if (s->has_stats)
		coverage_print(&s->stats);

	counters_widths(&s->stats, &nw, &vw);
	for (i = 0; i < s->npools; i++)
		counters_widths(&s->pools[i].stats, &nw, &vw);

	if (s->has_stats) {
		printf("\nglobal counters:\n");
		counters_print(&s->stats, nw, vw);
	}
	for (i = 0; i < s->npools; i++) {
		p = &s->pools[i];
		printf("\npool");
		if (p->has_dev) {
			dev_str(dev, sizeof(dev), p->dev);
			printf(" %s", dev);
		}
		if (p->fstype) {
			printf(" fstype ");
			put_text(p->fstype, 0);
		}
		if (p->id) {
			printf(" id ");
			put_text(p->id, 0);
		}
		printf(":\n");
		counters_print(&p->stats, nw, vw);
	}
}

/* The space-separated @list as a JSON array of strings. */
static void words_json(struct json *j, const char *key, const char *list)
{
	const char *sep = " \t\n";
	char word[256];
	size_t n;

	json_array_begin(j, key);
	for (list += strspn(list, sep); *list; list += strspn(list, sep)) {
		n = strcspn(list, sep);
		snprintf(word, sizeof(word), "%.*s", (int)n, list);
		json_string(j, NULL, word);
		list += n;
	}
	json_array_end(j);
}

static void status_json(const struct status *s)
{
	char buf[ENDPOINT_LEN];
	const struct pool *p;
	struct json j;
	char dev[32];
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	if (s->enabled >= 0)
		json_bool(&j, "enabled", s->enabled);
	if (s->filesystems)
		words_json(&j, "filesystems", s->filesystems);
	if (s->has_node_id) {
		node_id_str(buf, sizeof(buf), s->node_id);
		json_string(&j, "node_id", buf);
	}
	if (s->lending) {
		json_object_begin(&j, "lender");
		format_endpoint(buf, sizeof(buf), &s->lend_addr, s->lend_port);
		json_string(&j, "address", buf);
		if (s->has_max_memory)
			json_u64(&j, "max_memory", s->max_memory);
		json_object_end(&j);
	} else {
		json_null(&j, "lender");
	}
	if (s->has_stats) {
		counters_json(&j, "stats", &s->stats);
		coverage_json(&j, &s->stats);
	}
	json_array_begin(&j, "pools");
	for (i = 0; i < s->npools; i++) {
		p = &s->pools[i];
		json_object_begin(&j, NULL);
		if (p->has_dev) {
			dev_str(dev, sizeof(dev), p->dev);
			json_string(&j, "dev", dev);
		}
		if (p->fstype)
			json_string(&j, "fstype", p->fstype);
		if (p->id)
			json_string(&j, "id", p->id);
		if (p->has_stats)
			counters_json(&j, "stats", &p->stats);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
}

int cmd_status(const struct pumactl_opts *opts, int argc, char **argv)
{
	struct status s = { .enabled = -1 };
	struct pnl nl;
	int ret;

	ret = pumactl_no_args("status", argc, argv);
	if (ret)
		return ret;
	ret = pnl_open(&nl);
	if (ret)
		return ret;
	ret = pnl_request(&nl, PUMA_CMD_GET_STATUS, 0, "get status",
			  status_reply, &s);
	if (!ret)
		ret = pnl_request(&nl, PUMA_CMD_GET_POOLS, NLM_F_DUMP,
				  "get pools", pool_reply, &s);
	pnl_close(&nl);
	if (!ret) {
		if (opts->json)
			status_json(&s);
		else
			status_print(&s);
	}
	status_free(&s);
	return ret;
}

static void version_print(const struct version *v, int loaded)
{
	put_label("pumactl version", VERSION_LABEL_W);
	printf("%s\n", PUMACTL_VERSION);
	if (!loaded) {
		put_label("module", VERSION_LABEL_W);
		printf("not loaded\n");
		return;
	}
	if (v->version) {
		put_label("module version", VERSION_LABEL_W);
		put_text(v->version, 0);
		putchar('\n');
	}
	if (v->has_genl) {
		put_label("genl version", VERSION_LABEL_W);
		printf("%u\n", v->genl);
	}
	if (v->release) {
		put_label("kernel release", VERSION_LABEL_W);
		put_text(v->release, 0);
		putchar('\n');
	}
}

static void version_json(const struct version *v, int loaded)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_string(&j, "pumactl_version", PUMACTL_VERSION);
	json_bool(&j, "module_loaded", loaded);
	if (v->version)
		json_string(&j, "module_version", v->version);
	if (v->has_genl)
		json_u64(&j, "genl_version", v->genl);
	if (v->release)
		json_string(&j, "kernel_release", v->release);
	json_object_end(&j);
	json_finish(&j);
}

int cmd_version(const struct pumactl_opts *opts, int argc, char **argv)
{
	struct version v = { 0 };
	struct pnl nl;
	int ret;

	ret = pumactl_no_args("version", argc, argv);
	if (ret)
		return ret;
	ret = pnl_open(&nl);
	if (!ret) {
		ret = pnl_request(&nl, PUMA_CMD_GET_VERSION, 0, "get version",
				  version_reply, &v);
		pnl_close(&nl);
	}
	/* Without the module, still tell which pumactl this is. */
	if (!ret || ret == PUMACTL_NOT_LOADED) {
		if (opts->json)
			version_json(&v, !ret);
		else
			version_print(&v, !ret);
	}
	if (!ret && v.has_genl && v.genl != PUMA_GENL_VERSION)
		pumactl_err("warning: module genl version %u, pumactl's %d",
			    v.genl, PUMA_GENL_VERSION);
	free(v.version);
	free(v.release);
	return ret;
}
