// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink plumbing of pumactl, on libnl-genl-3.
 *
 * libnl turns the kernel's errno into its own NLE_* codes and drops the
 * extended ack, so pnl_send() reads both itself: from NLMSG_ERROR (a
 * failed doit, or a dump refused at its start) and from the errno that
 * NLMSG_DONE carries when a dump fails half way.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/puma.h>

#include "genl.h"
#include "pumactl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK		270
#endif

/**
 * struct pnl_call - one request in flight
 * @reply: the caller's parser
 * @arg: its argument
 * @done: the ack, the error or the end of the dump has arrived
 * @kerr: the kernel's error, a positive errno, or 0
 * @lerr: the parser's error, a positive errno, or 0
 * @ext: the kernel's extended ack message, or ""
 */
struct pnl_call {
	int (*reply)(struct nl_msg *msg, void *arg);
	void *arg;
	int done;
	int kerr;
	int lerr;
	char ext[256];
};

static int pnl_exit_code(int err)
{
	return err == EPERM || err == EACCES ? PUMACTL_PERM : PUMACTL_FAILED;
}

/* The same for a libnl NLE_* code (negative or not). */
static int pnl_nle_exit_code(int nle)
{
	if (nle < 0)
		nle = -nle;
	return nle == NLE_PERM || nle == NLE_NOACCESS ? PUMACTL_PERM :
							  PUMACTL_FAILED;
}

/* The NLMSGERR_ATTR_MSG of the TLVs at @off in the payload of @nlh. */
static void pnl_extack(struct pnl_call *c, struct nlmsghdr *nlh, size_t off)
{
	static const struct nla_policy policy[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG]	= { .type = NLA_STRING },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    nlh->nlmsg_len < NLMSG_HDRLEN)
		return;
	len = nlh->nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (off >= len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)NLMSG_DATA(nlh) + off),
		      len - off, policy) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(c->ext, sizeof(c->ext), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

static int pnl_valid_cb(struct nl_msg *msg, void *arg)
{
	struct pnl_call *c = arg;
	int ret;

	if (c->reply && !c->lerr) {
		ret = c->reply(msg, c->arg);
		if (ret < 0)
			c->lerr = -ret;
	}
	return NL_OK;
}

static int pnl_ack_cb(struct nl_msg *msg, void *arg)
{
	struct pnl_call *c = arg;

	(void)msg;
	c->done = 1;
	return NL_STOP;
}

/* NLMSG_DONE: the end of a dump, with an errno when the dump failed. */
static int pnl_finish_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct pnl_call *c = arg;
	int err;

	c->done = 1;
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(err))) {
		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
		if (err < 0) {
			c->kerr = -err;
			pnl_extack(c, nlh, sizeof(err));
		}
	}
	return NL_STOP;
}

/* NLMSG_ERROR with an error; libnl hands us its payload only. */
static int pnl_error_cb(struct sockaddr_nl *nla, struct nlmsgerr *e,
			void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct pnl_call *c = arg;
	size_t off = sizeof(*e);

	(void)nla;
	c->done = 1;
	c->kerr = e->error < 0 ? -e->error : e->error;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	pnl_extack(c, nlh, off);
	return NL_STOP;
}

int pnl_open(struct pnl *nl)
{
	int one = 1;
	int ret, fd;

	nl->family = -1;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		pumactl_err("cannot allocate a netlink socket");
		return PUMACTL_FAILED;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		pumactl_err("open a generic netlink socket: %s",
			    nl_geterror(ret));
		goto fail;
	}
	/* Ask for extended acks, and for errors without our request. */
	fd = nl_socket_get_fd(nl->sk);
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	ret = genl_ctrl_resolve(nl->sk, PUMA_GENL_NAME);
	if (ret == -NLE_OBJ_NOTFOUND) {
		pumactl_err("the puma module is not loaded (no generic netlink family \"%s\")",
			    PUMA_GENL_NAME);
		pnl_close(nl);
		return PUMACTL_NOT_LOADED;
	}
	if (ret < 0) {
		pumactl_err("resolve the generic netlink family \"%s\": %s",
			    PUMA_GENL_NAME, nl_geterror(ret));
		goto fail;
	}
	nl->family = ret;
	return PUMACTL_OK;
fail:
	pnl_close(nl);
	return pnl_nle_exit_code(ret);
}

void pnl_close(struct pnl *nl)
{
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *pnl_msg_new(const struct pnl *nl, int cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, PUMA_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Tell what the kernel said, on stderr; returns the exit code. */
static int pnl_kernel_error(const struct pnl_call *c, const char *what,
			    const char *(*explain)(int err, void *arg,
						   char *buf, size_t len))
{
	const char *msg = NULL;
	char buf[256];

	if (explain)
		msg = explain(c->kerr, c->arg, buf, sizeof(buf));
	if (!msg) {
		snprintf(buf, sizeof(buf), "%s: %s", what, strerror(c->kerr));
		msg = buf;
	}
	/* The kernel's own words, unless the tool's already say them. */
	if (c->ext[0] && !strstr(msg, c->ext))
		pumactl_err("%s: %s", msg, c->ext);
	else
		pumactl_err("%s", msg);
	return pnl_exit_code(c->kerr);
}

int pnl_send_explain(struct pnl *nl, struct nl_msg *msg, const char *what,
		     int (*reply)(struct nl_msg *msg, void *arg),
		     const char *(*explain)(int err, void *arg, char *buf,
					    size_t len),
		     void *arg)
{
	struct pnl_call c = { .reply = reply, .arg = arg };
	struct nl_cb *cb;
	int ret;

	if (!msg) {
		pumactl_err("%s: %s", what, strerror(ENOMEM));
		return PUMACTL_FAILED;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		pumactl_err("%s: %s", what, strerror(ENOMEM));
		return PUMACTL_FAILED;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, pnl_valid_cb, &c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, pnl_ack_cb, &c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, pnl_finish_cb, &c);
	nl_cb_err(cb, NL_CB_CUSTOM, pnl_error_cb, &c);

	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	/* A doit answers with its reply, then the ack; a dump ends in DONE. */
	while (ret >= 0 && !c.done)
		ret = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);

	if (c.kerr)
		return pnl_kernel_error(&c, what, explain);
	if (!c.done) {
		pumactl_err("%s: %s", what, nl_geterror(ret));
		return pnl_nle_exit_code(ret);
	}
	if (c.lerr) {
		pumactl_err("%s: %s", what, c.lerr == EBADMSG ?
			    "malformed reply from the puma module" :
			    strerror(c.lerr));
		return PUMACTL_FAILED;
	}
	return PUMACTL_OK;
}

int pnl_send(struct pnl *nl, struct nl_msg *msg, const char *what,
	     int (*reply)(struct nl_msg *msg, void *arg), void *arg)
{
	return pnl_send_explain(nl, msg, what, reply, NULL, arg);
}

int pnl_request(struct pnl *nl, int cmd, int flags, const char *what,
		int (*reply)(struct nl_msg *msg, void *arg), void *arg)
{
	return pnl_send(nl, pnl_msg_new(nl, cmd, flags), what, reply, arg);
}
