// SPDX-License-Identifier: GPL-2.0
/*
 * pumactl peers: the GET_PEERS dump, the lenders this node borrows from
 * and the borrowers it lends to, as a table and their counters, or JSON.
 *
 * Like status, it shows what the module sends and leaves out what is
 * missing; a node id of 0 (not known before the handshake) and an RTT of
 * 0 (no pong yet) count as missing.
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

static const struct nla_policy puma_peer_policy[PUMA_PEER_A_MAX + 1] = {
	[PUMA_PEER_A_ROLE]	= { .type = NLA_U8 },
	[PUMA_PEER_A_ADDR_IN4]	= { .minlen = 4, .maxlen = 4 },
	[PUMA_PEER_A_PORT]	= { .type = NLA_U16 },
	[PUMA_PEER_A_NODE_ID]	= { .type = NLA_U64 },
	[PUMA_PEER_A_STATE]	= { .type = NLA_U8 },
	[PUMA_PEER_A_RTT_US]	= { .type = NLA_U32 },
	[PUMA_PEER_A_STATS]	= { .type = NLA_NESTED },
};

/* Room for a column's text: the address is the longest. */
#define PEER_COL_LEN		ENDPOINT_LEN

/**
 * struct peer - one PUMA_A_PEER
 * @role: enum puma_peer_role, 0 when missing
 * @state: enum puma_peer_state, 0 when missing
 * @has_addr: PUMA_PEER_A_ADDR_IN4 was there
 * @addr: its value
 * @port: PUMA_PEER_A_PORT, 0 when missing
 * @node_id: PUMA_PEER_A_NODE_ID, 0 when missing or not known yet
 * @rtt_us: PUMA_PEER_A_RTT_US, 0 when missing or not known yet
 * @has_stats: PUMA_PEER_A_STATS was there
 * @stats: its counters
 */
struct peer {
	unsigned int role;
	unsigned int state;
	int has_addr;
	struct in_addr addr;
	unsigned int port;
	unsigned long long node_id;
	unsigned int rtt_us;
	int has_stats;
	struct counters stats;
};

struct peers {
	struct peer *v;
	size_t n;
};

/* One message of the GET_PEERS dump: one more peer. */
static int peer_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *pb[PUMA_PEER_A_MAX + 1];
	struct peers *l = arg;
	struct peer *p;
	int ret;

	ret = dump_nest(msg, PUMA_A_PEER, pb, PUMA_PEER_A_MAX,
			puma_peer_policy);
	if (ret <= 0)
		return ret;
	p = grow((void **)&l->v, &l->n, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (pb[PUMA_PEER_A_ROLE])
		p->role = nla_get_u8(pb[PUMA_PEER_A_ROLE]);
	if (pb[PUMA_PEER_A_STATE])
		p->state = nla_get_u8(pb[PUMA_PEER_A_STATE]);
	if (pb[PUMA_PEER_A_ADDR_IN4]) {
		p->has_addr = 1;
		memcpy(&p->addr, nla_data(pb[PUMA_PEER_A_ADDR_IN4]), 4);
	}
	if (pb[PUMA_PEER_A_PORT])
		p->port = nla_get_u16(pb[PUMA_PEER_A_PORT]);
	if (pb[PUMA_PEER_A_NODE_ID])
		p->node_id = nla_get_u64(pb[PUMA_PEER_A_NODE_ID]);
	if (pb[PUMA_PEER_A_RTT_US])
		p->rtt_us = nla_get_u32(pb[PUMA_PEER_A_RTT_US]);
	if (pb[PUMA_PEER_A_STATS]) {
		p->has_stats = 1;
		return parse_counters(&p->stats, pb[PUMA_PEER_A_STATS]);
	}
	return 0;
}

static void peers_free(struct peers *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		counters_free(&l->v[i].stats);
	free(l->v);
}

/* The name of @role or @state, its number if unknown, NULL if 0. */
static const char *role_str(char *buf, size_t len, unsigned int role)
{
	switch (role) {
	case 0:
		return NULL;
	case PUMA_PEER_LENDER:
		return "lender";
	case PUMA_PEER_BORROWER:
		return "borrower";
	}
	snprintf(buf, len, "%u", role);
	return buf;
}

static const char *state_str(char *buf, size_t len, unsigned int state)
{
	switch (state) {
	case 0:
		return NULL;
	case PUMA_PEER_CONNECTED:
		return "connected";
	case PUMA_PEER_DISCONNECTED:
		return "disconnected";
	}
	snprintf(buf, len, "%u", state);
	return buf;
}

enum { COL_ROLE, COL_ADDR, COL_NODE, COL_STATE, COL_RTT, NR_COLS };

static const char * const col_names[NR_COLS] = {
	"ROLE", "ADDRESS", "NODE", "STATE", "RTT",
};

/* The text of the columns of @p; "-" for what is missing. */
static void peer_cols(const struct peer *p, char col[NR_COLS][PEER_COL_LEN])
{
	unsigned long long cs;
	const char *s;
	char num[16];

	s = role_str(num, sizeof(num), p->role);
	snprintf(col[COL_ROLE], PEER_COL_LEN, "%s", s ? s : "-");
	if (p->has_addr)
		format_endpoint(col[COL_ADDR], PEER_COL_LEN, &p->addr,
				p->port);
	else
		snprintf(col[COL_ADDR], PEER_COL_LEN, "-");
	if (p->node_id)
		node_id_str(col[COL_NODE], PEER_COL_LEN, p->node_id);
	else
		snprintf(col[COL_NODE], PEER_COL_LEN, "-");
	s = state_str(num, sizeof(num), p->state);
	snprintf(col[COL_STATE], PEER_COL_LEN, "%s", s ? s : "-");
	if (p->rtt_us) {
		/* In hundredths of a millisecond, rounded. */
		cs = (p->rtt_us + 5ULL) / 10;
		snprintf(col[COL_RTT], PEER_COL_LEN, "%llu.%02llu ms",
			 cs / 100, cs % 100);
	} else {
		snprintf(col[COL_RTT], PEER_COL_LEN, "-");
	}
}

static void peers_print(const struct peers *l)
{
	char col[NR_COLS][PEER_COL_LEN];
	int w[NR_COLS], nw = 0, vw = 0;
	const struct peer *p;
	size_t i;
	int c, n;

	if (!l->n) {
		printf("no peers\n");
		return;
	}
	for (c = 0; c < NR_COLS; c++)
		w[c] = strlen(col_names[c]);
	for (i = 0; i < l->n; i++) {
		peer_cols(&l->v[i], col);
		for (c = 0; c < NR_COLS; c++) {
			n = strlen(col[c]);
			if (n > w[c])
				w[c] = n;
		}
		counters_widths(&l->v[i].stats, &nw, &vw);
	}
	for (c = 0; c < NR_COLS - 1; c++)
		printf("%-*s  ", w[c], col_names[c]);
	printf("%s\n", col_names[c]);
	for (i = 0; i < l->n; i++) {
		peer_cols(&l->v[i], col);
		for (c = 0; c < NR_COLS - 1; c++)
			printf("%-*s  ", w[c], col[c]);
		printf("%s\n", col[c]);
	}
	for (i = 0; i < l->n; i++) {
		p = &l->v[i];
		if (!p->has_stats)
			continue;
		peer_cols(p, col);
		printf("\n%s %s:\n", col[COL_ROLE], col[COL_ADDR]);
		counters_print(&p->stats, nw, vw);
	}
}

static void peers_json(const struct peers *l)
{
	char buf[PEER_COL_LEN];
	const struct peer *p;
	const char *s;
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "peers");
	for (i = 0; i < l->n; i++) {
		p = &l->v[i];
		json_object_begin(&j, NULL);
		s = role_str(buf, sizeof(buf), p->role);
		if (s)
			json_string(&j, "role", s);
		if (p->has_addr) {
			format_endpoint(buf, sizeof(buf), &p->addr, p->port);
			json_string(&j, "address", buf);
		}
		if (p->node_id) {
			node_id_str(buf, sizeof(buf), p->node_id);
			json_string(&j, "node_id", buf);
		}
		s = state_str(buf, sizeof(buf), p->state);
		if (s)
			json_string(&j, "state", s);
		if (p->rtt_us)
			json_u64(&j, "rtt_us", p->rtt_us);
		if (p->has_stats)
			counters_json(&j, "stats", &p->stats);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
}

/* An old module has no GET_PEERS. */
static const char *peers_explain(int err, void *arg, char *buf, size_t len)
{
	(void)arg;
	if (err != EOPNOTSUPP)
		return NULL;
	snprintf(buf, len, "%s: %s", "get peers", PUMACTL_TOO_OLD);
	return buf;
}

int cmd_peers(const struct pumactl_opts *opts, int argc, char **argv)
{
	struct peers l = { 0 };
	struct pnl nl;
	int ret;

	ret = pumactl_no_args("peers", argc, argv);
	if (ret)
		return ret;
	ret = pnl_open(&nl);
	if (ret)
		return ret;
	ret = pnl_send_explain(&nl,
			       pnl_msg_new(&nl, PUMA_CMD_GET_PEERS, NLM_F_DUMP),
			       "get peers", peer_reply, peers_explain, &l);
	pnl_close(&nl);
	if (!ret) {
		if (opts->json)
			peers_json(&l);
		else
			peers_print(&l);
	}
	peers_free(&l);
	return ret;
}
