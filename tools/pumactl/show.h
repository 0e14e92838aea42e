/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the commands that show things share: the policy of the top-level
 * attributes, lists of counters (PUMA_A_STATS and the nests like it), and
 * text output that lines up.
 */
#ifndef _PUMACTL_SHOW_H
#define _PUMACTL_SHOW_H

#include <stddef.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/puma.h>

struct json;

/* enum puma_attr, for genlmsg_parse(). */
extern const struct nla_policy puma_policy[PUMA_A_MAX + 1];

/* "0123456789abcdef" and its NUL. */
#define NODE_ID_LEN		17

struct counter {
	char *name;
	unsigned long long value;
};

/* A list of counters, in the order the module sent them. */
struct counters {
	struct counter *v;
	size_t n;
};

/* *@dst = a copy of string attribute @a; 0 or -ENOMEM. */
int set_str(char **dst, struct nlattr *a);

/* Fill @l from @nest, a list of PUMA_A_STAT; 0 or a negative errno. */
int parse_counters(struct counters *l, struct nlattr *nest);
void counters_free(struct counters *l);

/* Widen *@nw and *@vw to the longest name and value of @l. */
void counters_widths(const struct counters *l, int *nw, int *vw);
/* One "  name  value" line per counter, in columns @nw and @vw wide. */
void counters_print(const struct counters *l, int nw, int vw);
/* Counter @name of @l in *@value: 1, or 0 when @l has none. */
int counter_find(const struct counters *l, const char *name,
		 unsigned long long *value);
/* @l as an object @key of name: value. */
void counters_json(struct json *j, const char *key,
		   const struct counters *l);

/* Print @s with control characters as '?', then pad to @width columns. */
void put_text(const char *s, int width);
/* "label:" padded to @width columns, so that the values line up. */
void put_label(const char *label, int width);

void node_id_str(char *buf, size_t len, unsigned long long id);

/*
 * The nest of type @type in one message of a dump, parsed into @nb
 * (@max + 1 entries) with @policy.  Return: 1 when found, 0 when the
 * message has none, -EBADMSG when it does not parse.
 */
int dump_nest(struct nl_msg *msg, int type, struct nlattr **nb, int max,
	      const struct nla_policy *policy);

/*
 * Append a zeroed element of @size bytes to the array *@v of *@n
 * elements.  Return: the new element, or NULL when out of memory.
 */
void *grow(void **v, size_t *n, size_t size);

#endif /* _PUMACTL_SHOW_H */
