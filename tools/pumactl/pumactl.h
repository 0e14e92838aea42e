/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pumactl: what the command files share with pumactl.c.
 */
#ifndef _PUMACTL_H
#define _PUMACTL_H

#include <stdio.h>

#define PUMACTL_VERSION		"0.1.0"

/* Exit codes; pumactl --help lists them. */
enum {
	PUMACTL_OK		= 0,	/* success */
	PUMACTL_FAILED		= 1,	/* the operation failed */
	PUMACTL_USAGE		= 2,	/* unknown command or option */
	PUMACTL_NOT_LOADED	= 3,	/* no "puma" generic netlink family */
	PUMACTL_PERM		= 4,	/* permission denied */
};

/**
 * struct pumactl_opts - the global options, as a command sees them
 * @json: --json was given; only commands marked CMD_JSON see it set
 */
struct pumactl_opts {
	int json;
};

/* "pumactl: " and the message, on stderr; @fmt is a string literal. */
#define pumactl_err(fmt, ...) \
	fprintf(stderr, "pumactl: " fmt "\n", ##__VA_ARGS__)

/* As pumactl_err(), plus a hint at --help; evaluates to PUMACTL_USAGE. */
#define pumactl_usage_err(fmt, ...) \
	(fprintf(stderr, "pumactl: " fmt "\n" PUMACTL_HINT, ##__VA_ARGS__), \
	 PUMACTL_USAGE)
#define PUMACTL_HINT		"pumactl: Try 'pumactl --help'.\n"

/* What -EOPNOTSUPP means: the module has no such command. */
#define PUMACTL_TOO_OLD \
	"the puma module does not know this command (is it older than pumactl?)"

/* PUMACTL_OK when @argc is 0, else a usage error naming argv[0]. */
int pumactl_no_args(const char *cmd, int argc, char **argv);

/* The commands, called with the arguments after their name. */
/* info.c */
int cmd_version(const struct pumactl_opts *opts, int argc, char **argv);
int cmd_status(const struct pumactl_opts *opts, int argc, char **argv);
/* pair.c */
int cmd_lender_listen(const struct pumactl_opts *opts, int argc, char **argv);
int cmd_lender_stop(const struct pumactl_opts *opts, int argc, char **argv);
int cmd_borrower_add_lender(const struct pumactl_opts *opts, int argc,
			    char **argv);
int cmd_borrower_remove_lender(const struct pumactl_opts *opts, int argc,
			       char **argv);
/* peers.c */
int cmd_peers(const struct pumactl_opts *opts, int argc, char **argv);

#endif /* _PUMACTL_H */
