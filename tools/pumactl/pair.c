// SPDX-License-Identifier: GPL-2.0
/*
 * Pairing: pumactl lender listen|stop and borrower add-lender|remove-lender
 * (pumactl peers, which shows the result, is in peers.c).
 *
 * These are doits that need CAP_NET_ADMIN and answer with an ack alone.
 * The errnos their ABI documents are told in the words of the command
 * (the *_explain() functions), anything else as "<command>: <strerror>",
 * and the module's extended ack message follows either.
 */
#include <errno.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/puma.h>

#include "genl.h"
#include "parse.h"
#include "pumactl.h"

#define OPT_MAX_MEMORY		"--max-memory"

/**
 * struct pair_req - a pairing request, for the messages about it
 * @what: the command and its ADDR:PORT, e.g. "lender listen 1.2.3.4:7"
 * @ep: the ADDR:PORT as pumactl writes it, or ""
 * @max_memory: --max-memory as given, or NULL
 */
struct pair_req {
	char what[64];
	char ep[ENDPOINT_LEN];
	const char *max_memory;
};

/* What any pairing request may hear; NULL for the usual message. */
static const char *pair_explain(int err, struct pair_req *r, char *buf,
				size_t len)
{
	switch (err) {
	case EPERM:
		snprintf(buf, len, "%s: %s (CAP_NET_ADMIN is needed)",
			 r->what, strerror(err));
		return buf;
	case EOPNOTSUPP:
		snprintf(buf, len, "%s: %s", r->what, PUMACTL_TOO_OLD);
		return buf;
	}
	return NULL;
}

static const char *lender_start_explain(int err, void *arg, char *buf,
					size_t len)
{
	struct pair_req *r = arg;

	switch (err) {
	case EALREADY:
		return "already lending";
	case EADDRINUSE:
		snprintf(buf, len, "cannot listen on %s: address in use",
			 r->ep);
		return buf;
	case EADDRNOTAVAIL:
		snprintf(buf, len,
			 "cannot listen on %s: address not available on this node",
			 r->ep);
		return buf;
	case ERANGE:
		if (!r->max_memory)
			return "max-memory out of range";
		snprintf(buf, len, "max-memory out of range (%s)",
			 r->max_memory);
		return buf;
	}
	return pair_explain(err, r, buf, len);
}

static const char *lender_stop_explain(int err, void *arg, char *buf,
				       size_t len)
{
	if (err == ENOENT)
		return "not lending";
	return pair_explain(err, arg, buf, len);
}

static const char *add_lender_explain(int err, void *arg, char *buf,
				      size_t len)
{
	struct pair_req *r = arg;

	switch (err) {
	case EEXIST:
		snprintf(buf, len, "already paired with %s", r->ep);
		return buf;
	case ECONNREFUSED:
		snprintf(buf, len,
			 "%s refused the connection: is a lender listening there?",
			 r->ep);
		return buf;
	case ETIMEDOUT:
		snprintf(buf, len, "no answer from %s", r->ep);
		return buf;
	case EHOSTUNREACH:
	case ENETUNREACH:
		snprintf(buf, len, "%s is unreachable", r->ep);
		return buf;
	case EPROTO:
		snprintf(buf, len, "handshake with %s failed", r->ep);
		return buf;
	case ENOSPC:
		snprintf(buf, len, "cannot pair with %s: too many lenders",
			 r->ep);
		return buf;
	}
	return pair_explain(err, r, buf, len);
}

static const char *remove_lender_explain(int err, void *arg, char *buf,
					 size_t len)
{
	struct pair_req *r = arg;

	if (err == ENOENT) {
		snprintf(buf, len, "not paired with %s", r->ep);
		return buf;
	}
	return pair_explain(err, r, buf, len);
}

/* Read @arg, the ADDR:PORT of @cmd, into @ep and @r; an exit code. */
static int pair_endpoint(const char *cmd, const char *arg,
			 struct endpoint *ep, struct pair_req *r)
{
	char why[PARSE_WHY_LEN];

	if (parse_endpoint(arg, ep, why, sizeof(why)))
		return pumactl_usage_err("%s: invalid ADDR:PORT '%s': %s", cmd,
					 arg, why);
	format_endpoint(r->ep, sizeof(r->ep), &ep->addr, ep->port);
	snprintf(r->what, sizeof(r->what), "%s %s", cmd, r->ep);
	return PUMACTL_OK;
}

/* The arguments of a command that takes ADDR:PORT alone. */
static int pair_one_endpoint(const char *cmd, int argc, char **argv,
			     struct endpoint *ep, struct pair_req *r)
{
	if (!argc)
		return pumactl_usage_err("%s: missing ADDR:PORT", cmd);
	if (argv[0][0] == '-' && argv[0][1])
		return pumactl_usage_err("%s: unrecognized option '%s'", cmd,
					 argv[0]);
	if (argc > 1)
		return pumactl_no_args(cmd, argc - 1, argv + 1);
	return pair_endpoint(cmd, argv[0], ep, r);
}

/*
 * Send @cmd with @ep (if not NULL) and @max_memory (if not 0) and wait
 * for the ack; an exit code.
 */
static int pair_send(int cmd, const struct endpoint *ep,
		     unsigned long long max_memory, struct pair_req *r,
		     const char *(*explain)(int err, void *arg, char *buf,
					    size_t len))
{
	struct nl_msg *msg;
	struct pnl nl;
	int ret;

	ret = pnl_open(&nl);
	if (ret)
		return ret;
	msg = pnl_msg_new(&nl, cmd, 0);
	if (msg && ep &&
	    (nla_put(msg, PUMA_A_ADDR_IN4, sizeof(ep->addr.s_addr),
		     &ep->addr.s_addr) < 0 ||
	     nla_put_u16(msg, PUMA_A_PORT, ep->port) < 0 ||
	     (max_memory &&
	      nla_put_u64(msg, PUMA_A_MAX_MEMORY, max_memory) < 0))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	ret = pnl_send_explain(&nl, msg, r->what, NULL, explain, r);
	pnl_close(&nl);
	return ret;
}

int cmd_lender_listen(const struct pumactl_opts *opts, int argc, char **argv)
{
	static const char cmd[] = "lender listen";
	size_t optlen = strlen(OPT_MAX_MEMORY);
	unsigned long long max_memory = 0;
	struct pair_req r = { .what = "" };
	const char *addr = NULL;
	char why[PARSE_WHY_LEN];
	struct endpoint ep;
	int i, ret;

	(void)opts;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], OPT_MAX_MEMORY)) {
			if (i + 1 == argc)
				return pumactl_usage_err("%s: option '%s' needs a SIZE",
							 cmd, OPT_MAX_MEMORY);
			if (r.max_memory)
				goto twice;
			r.max_memory = argv[++i];
		} else if (!strncmp(argv[i], OPT_MAX_MEMORY "=", optlen + 1)) {
			if (r.max_memory)
				goto twice;
			r.max_memory = argv[i] + optlen + 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return pumactl_usage_err("%s: unrecognized option '%s'",
						 cmd, argv[i]);
		} else if (addr) {
			return pumactl_usage_err("%s: unexpected argument '%s'",
						 cmd, argv[i]);
		} else {
			addr = argv[i];
		}
	}
	if (!addr)
		return pumactl_usage_err("%s: missing ADDR:PORT", cmd);
	ret = pair_endpoint(cmd, addr, &ep, &r);
	if (ret)
		return ret;
	if (r.max_memory &&
	    parse_max_memory(r.max_memory, &max_memory, why, sizeof(why)))
		return pumactl_usage_err("%s: invalid %s: %s", cmd,
					 OPT_MAX_MEMORY, why);
	return pair_send(PUMA_CMD_LENDER_START, &ep, max_memory, &r,
			 lender_start_explain);
twice:
	return pumactl_usage_err("%s: option '%s' given twice", cmd,
				 OPT_MAX_MEMORY);
}

int cmd_lender_stop(const struct pumactl_opts *opts, int argc, char **argv)
{
	struct pair_req r = { .what = "lender stop" };
	int ret;

	(void)opts;
	ret = pumactl_no_args(r.what, argc, argv);
	if (ret)
		return ret;
	return pair_send(PUMA_CMD_LENDER_STOP, NULL, 0, &r,
			 lender_stop_explain);
}

int cmd_borrower_add_lender(const struct pumactl_opts *opts, int argc,
			    char **argv)
{
	struct pair_req r = { .what = "" };
	struct endpoint ep;
	int ret;

	(void)opts;
	ret = pair_one_endpoint("borrower add-lender", argc, argv, &ep, &r);
	if (ret)
		return ret;
	return pair_send(PUMA_CMD_BORROWER_ADD_LENDER, &ep, 0, &r,
			 add_lender_explain);
}

int cmd_borrower_remove_lender(const struct pumactl_opts *opts, int argc,
			       char **argv)
{
	struct pair_req r = { .what = "" };
	struct endpoint ep;
	int ret;

	(void)opts;
	ret = pair_one_endpoint("borrower remove-lender", argc, argv, &ep,
				&r);
	if (ret)
		return ret;
	return pair_send(PUMA_CMD_BORROWER_REMOVE_LENDER, &ep, 0, &r,
			 remove_lender_explain);
}
