// SPDX-License-Identifier: GPL-2.0
/*
 * pumactl version and pumactl status: ask the module, print text or JSON.
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
#include "pumactl.h"

static const struct nla_policy puma_policy[PUMA_A_MAX + 1] = {
	[PUMA_A_VERSION]	= { .type = NLA_STRING },
	[PUMA_A_GENL_VERSION]	= { .type = NLA_U32 },
	[PUMA_A_KERNEL_RELEASE]	= { .type = NLA_STRING },
	[PUMA_A_ENABLED]	= { .type = NLA_U8 },
	[PUMA_A_FILESYSTEMS]	= { .type = NLA_STRING },
	[PUMA_A_STATS]		= { .type = NLA_NESTED },
	[PUMA_A_STAT]		= { .type = NLA_NESTED },
	[PUMA_A_POOL]		= { .type = NLA_NESTED },
};

static const struct nla_policy puma_stat_policy[PUMA_STAT_A_MAX + 1] = {
	[PUMA_STAT_A_NAME]	= { .type = NLA_STRING },
	[PUMA_STAT_A_VALUE]	= { .type = NLA_U64 },
};

static const struct nla_policy puma_pool_policy[PUMA_POOL_A_MAX + 1] = {
	[PUMA_POOL_A_DEV]	= { .type = NLA_U32 },
	[PUMA_POOL_A_FSTYPE]	= { .type = NLA_STRING },
	[PUMA_POOL_A_ID]	= { .type = NLA_STRING },
	[PUMA_POOL_A_STATS]	= { .type = NLA_NESTED },
};

/* Where the values start in the text output. */
#define STATUS_LABEL_W		14
#define VERSION_LABEL_W		18

struct counter {
	char *name;
	unsigned long long value;
};

/* A list of counters, in the order the module sent them. */
struct counters {
	struct counter *v;
	size_t n;
};

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
 * @has_stats: PUMA_A_STATS was there
 * @stats: the global counters
 * @pools: the pools, in dump order
 * @npools: their number
 */
struct status {
	int enabled;
	char *filesystems;
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

/* *@dst = a copy of string attribute @a; 0 or -ENOMEM. */
static int set_str(char **dst, struct nlattr *a)
{
	char *s = strdup(nla_get_string(a));

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static void counters_free(struct counters *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Fill @l from @nest, a list of PUMA_A_STAT; 0 or a negative errno. */
static int parse_counters(struct counters *l, struct nlattr *nest)
{
	struct nlattr *tb[PUMA_STAT_A_MAX + 1];
	struct counter *v;
	struct nlattr *a;
	int rem;

	counters_free(l);
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != PUMA_A_STAT)
			continue;
		if (nla_parse_nested(tb, PUMA_STAT_A_MAX, a,
				     puma_stat_policy) < 0)
			return -EBADMSG;
		if (!tb[PUMA_STAT_A_NAME] || !tb[PUMA_STAT_A_VALUE])
			continue;
		v = realloc(l->v, (l->n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		v = &l->v[l->n];
		v->name = strdup(nla_get_string(tb[PUMA_STAT_A_NAME]));
		if (!v->name)
			return -ENOMEM;
		v->value = nla_get_u64(tb[PUMA_STAT_A_VALUE]);
		l->n++;
	}
	return 0;
}

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
	if (tb[PUMA_A_STATS]) {
		s->has_stats = 1;
		return parse_counters(&s->stats, tb[PUMA_A_STATS]);
	}
	return 0;
}

/* One message of the GET_POOLS dump: one more pool. */
static int pool_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PUMA_A_MAX + 1], *pb[PUMA_POOL_A_MAX + 1];
	struct status *s = arg;
	struct pool *p;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PUMA_A_MAX, puma_policy) < 0)
		return -EBADMSG;
	if (!tb[PUMA_A_POOL])
		return 0;
	if (nla_parse_nested(pb, PUMA_POOL_A_MAX, tb[PUMA_A_POOL],
			     puma_pool_policy) < 0)
		return -EBADMSG;
	p = realloc(s->pools, (s->npools + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	s->pools = p;
	p = &s->pools[s->npools++];
	memset(p, 0, sizeof(*p));
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

/* Print @s with control characters as '?', then pad to @width columns. */
static void put_text(const char *s, int width)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++, width--)
		putchar(*p < 0x20 || *p == 0x7f ? '?' : *p);
	for (; width > 0; width--)
		putchar(' ');
}

/* "label:" padded to @width columns, so that the values line up. */
static void put_label(const char *label, int width)
{
	printf("%s:", label);
	put_text("", width - 1 - (int)strlen(label));
}

static int num_width(unsigned long long v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static void counters_widths(const struct counters *l, int *nw, int *vw)
{
	size_t i;
	int n;

	for (i = 0; i < l->n; i++) {
		n = strlen(l->v[i].name);
		if (n > *nw)
			*nw = n;
		n = num_width(l->v[i].value);
		if (n > *vw)
			*vw = n;
	}
}

static void counters_print(const struct counters *l, int nw, int vw)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		printf("  ");
		put_text(l->v[i].name, nw);
		printf("  %*llu\n", vw, l->v[i].value);
	}
}

static void counters_json(struct json *j, const char *key,
			  const struct counters *l)
{
	size_t i;

	json_object_begin(j, key);
	for (i = 0; i < l->n; i++)
		json_u64(j, l->v[i].name, l->v[i].value);
	json_object_end(j);
}

static void dev_str(char *buf, size_t len, unsigned int dev)
{
	snprintf(buf, len, "%u:%u", PUMA_DEV_MAJOR(dev), PUMA_DEV_MINOR(dev));
}

static void status_print(const struct status *s)
{
	const struct pool *p;
	int nw = 0, vw = 0;
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
	put_label("pools", STATUS_LABEL_W);
	printf("%zu\n", s->npools);

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
	if (s->has_stats)
		counters_json(&j, "stats", &s->stats);
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
