/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to the "puma" generic netlink family: open a socket, send one
 * request, hand every reply message to a parser, turn errors into a
 * message on stderr and an exit code.
 */
#ifndef _PUMACTL_GENL_H
#define _PUMACTL_GENL_H

#include <stddef.h>

struct nl_msg;
struct nl_sock;

/**
 * struct pnl - a socket talking to the puma family
 * @sk: the libnl socket
 * @family: the family id genl_ctrl_resolve() returned
 */
struct pnl {
	struct nl_sock *sk;
	int family;
};

/*
 * Open the socket and resolve the family.  Returns PUMACTL_OK, or prints
 * why not and returns PUMACTL_NOT_LOADED, PUMACTL_PERM or PUMACTL_FAILED.
 */
int pnl_open(struct pnl *nl);
void pnl_close(struct pnl *nl);

/* A request for @cmd with NLM_F_* @flags (0, or NLM_F_DUMP), or NULL. */
struct nl_msg *pnl_msg_new(const struct pnl *nl, int cmd, int flags);

/*
 * Send @msg (freed here) and read replies until the ack, or the end of a
 * dump.  @reply, if not NULL, gets every reply message and returns 0 or a
 * negative errno (-EBADMSG: malformed); after an error it is not called
 * again.  Returns an exit code; on failure it has printed
 * "pumactl: <what>: <error>".
 */
int pnl_send(struct pnl *nl, struct nl_msg *msg, const char *what,
	     int (*reply)(struct nl_msg *msg, void *arg), void *arg);

/*
 * pnl_send(), where @explain says what an error of the kernel means for
 * this request: given the positive errno it returns a message, written
 * in @buf of @len bytes if it needs to, or NULL for "<what>: <strerror>".
 * Either way the extended ack message follows, if any, and the exit code
 * is the same.  @arg goes to @reply and @explain.
 */
int pnl_send_explain(struct pnl *nl, struct nl_msg *msg, const char *what,
		     int (*reply)(struct nl_msg *msg, void *arg),
		     const char *(*explain)(int err, void *arg, char *buf,
					    size_t len),
		     void *arg);

/* pnl_msg_new() and pnl_send() for a request without attributes. */
int pnl_request(struct pnl *nl, int cmd, int flags, const char *what,
		int (*reply)(struct nl_msg *msg, void *arg), void *arg);

#endif /* _PUMACTL_GENL_H */
