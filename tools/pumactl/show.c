// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the commands that show things: see show.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/puma.h>

#include "json.h"
#include "show.h"

const struct nla_policy puma_policy[PUMA_A_MAX + 1] = {
	[PUMA_A_VERSION]	= { .type = NLA_STRING },
	[PUMA_A_GENL_VERSION]	= { .type = NLA_U32 },
	[PUMA_A_KERNEL_RELEASE]	= { .type = NLA_STRING },
	[PUMA_A_ENABLED]	= { .type = NLA_U8 },
	[PUMA_A_FILESYSTEMS]	= { .type = NLA_STRING },
	[PUMA_A_STATS]		= { .type = NLA_NESTED },
	[PUMA_A_STAT]		= { .type = NLA_NESTED },
	[PUMA_A_POOL]		= { .type = NLA_NESTED },
	[PUMA_A_NODE_ID]	= { .type = NLA_U64 },
	[PUMA_A_ADDR_IN4]	= { .minlen = 4, .maxlen = 4 },
	[PUMA_A_PORT]		= { .type = NLA_U16 },
	[PUMA_A_MAX_MEMORY]	= { .type = NLA_U64 },
	[PUMA_A_PEER]		= { .type = NLA_NESTED },
};

static const struct nla_policy puma_stat_policy[PUMA_STAT_A_MAX + 1] = {
	[PUMA_STAT_A_NAME]	= { .type = NLA_STRING },
	[PUMA_STAT_A_VALUE]	= { .type = NLA_U64 },
};

int set_str(char **dst, struct nlattr *a)
{
	char *s = strdup(nla_get_string(a));

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

void counters_free(struct counters *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int parse_counters(struct counters *l, struct nlattr *nest)
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

void put_text(const char *s, int width)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++, width--)
		putchar(*p < 0x20 || *p == 0x7f ? '?' : *p);
	for (; width > 0; width--)
		putchar(' ');
}

void put_label(const char *label, int width)
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

void counters_widths(const struct counters *l, int *nw, int *vw)
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

void counters_print(const struct counters *l, int nw, int vw)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		printf("  ");
		put_text(l->v[i].name, nw);
		printf("  %*llu\n", vw, l->v[i].value);
	}
}

int counter_find(const struct counters *l, const char *name,
		 unsigned long long *value)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (!strcmp(l->v[i].name, name)) {
			*value = l->v[i].value;
			return 1;
		}
	}
	return 0;
}

void counters_json(struct json *j, const char *key,
		   const struct counters *l)
{
	size_t i;

	json_object_begin(j, key);
	for (i = 0; i < l->n; i++)
		json_u64(j, l->v[i].name, l->v[i].value);
	json_object_end(j);
}

void node_id_str(char *buf, size_t len, unsigned long long id)
{
	snprintf(buf, len, "%016llx", id);
}

int dump_nest(struct nl_msg *msg, int type, struct nlattr **nb, int max,
	      const struct nla_policy *policy)
{
	struct nlattr *tb[PUMA_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PUMA_A_MAX, puma_policy) < 0)
		return -EBADMSG;
	if (!tb[type])
		return 0;
	if (nla_parse_nested(nb, max, tb[type],
			     (struct nla_policy *)policy) < 0)
		return -EBADMSG;
	return 1;
}

void *grow(void **v, size_t *n, size_t size)
{
	char *p = realloc(*v, (*n + 1) * size);

	if (!p)
		return NULL;
	*v = p;
	p += (*n)++ * size;
	memset(p, 0, size);
	return p;
}
