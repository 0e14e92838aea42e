// SPDX-License-Identifier: GPL-2.0
/*
 * pumactl: the userspace tool of PUMA.
 *
 * main() takes the global options out of the command line, wherever they
 * are, then finds the command in commands[] by its words and runs it with
 * the arguments that follow them.  A new command is one more row there:
 * a multi-word name such as "lender listen" needs nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/puma.h>

#include "parse.h"
#include "pumactl.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define CMD_JSON	0x1	/* the command prints JSON under --json */

/**
 * struct command - a row of the command table
 * @name: its words, separated by one space ("status", "lender listen")
 * @args: synopsis of its arguments for the usage text, or ""
 * @help: what it does, in lines ("\n") of at most 70 columns
 * @flags: CMD_*
 * @run: the implementation; returns an exit code
 */
struct command {
	const char *name;
	const char *args;
	const char *help;
	unsigned int flags;
	int (*run)(const struct pumactl_opts *opts, int argc, char **argv);
};

static int cmd_help(const struct pumactl_opts *opts, int argc, char **argv);

static const struct command commands[] = {
	{ "version", "",
	  "show the versions of pumactl, the module and the kernel",
	  CMD_JSON, cmd_version },
	{ "status", "",
	  "show whether PUMA is enabled, this node's id, where it lends,\n"
	  "its counters and its pools",
	  CMD_JSON, cmd_status },
	{ "peers", "",
	  "show the lenders this node borrows from and the borrowers it\n"
	  "lends to: address, node id, state, round trip and counters",
	  CMD_JSON, cmd_peers },
	{ "lender listen", "ADDR:PORT [--max-memory SIZE]",
	  "start lending: accept borrowers on ADDR:PORT, an address of this\n"
	  "node, and lend them at most SIZE of memory (default: a quarter of its memory)",
	  0, cmd_lender_listen },
	{ "lender stop", "",
	  "stop lending: close the listener and the borrowers' connections,\n"
	  "and drop what they stored here",
	  0, cmd_lender_stop },
	{ "borrower add-lender", "ADDR:PORT",
	  "pair with the lender listening on ADDR:PORT and borrow from it",
	  0, cmd_borrower_add_lender },
	{ "borrower remove-lender", "ADDR:PORT",
	  "forget the lender at ADDR:PORT",
	  0, cmd_borrower_remove_lender },
	{ "help", "", "show this help", 0, cmd_help },
};

int pumactl_no_args(const char *cmd, int argc, char **argv)
{
	if (!argc)
		return PUMACTL_OK;
	if (argv[0][0] == '-')
		return pumactl_usage_err("%s: unrecognized option '%s'", cmd,
					 argv[0]);
	return pumactl_usage_err("%s: unexpected argument '%s'", cmd,
				 argv[0]);
}

/* "name args [--json]" of @c into @buf. */
static void synopsis(char *buf, size_t len, const struct command *c)
{
	snprintf(buf, len, "%s%s%s%s", c->name, c->args[0] ? " " : "",
		 c->args, c->flags & CMD_JSON ? " [--json]" : "");
}

static void print_help(FILE *f)
{
	const char *help;
	char buf[128];
	size_t i, n;

	fprintf(f, "Usage: pumactl [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Show and control PUMA, the cooperative page cache for virtual\n"
		"machines, through the \"puma\" generic netlink family.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		synopsis(buf, sizeof(buf), &commands[i]);
		fprintf(f, "  %s\n", buf);
		for (help = commands[i].help; *help; help += n) {
			n = strcspn(help, "\n");
			fprintf(f, "        %.*s\n", (int)n, help);
			if (help[n])
				n++;
		}
	}
	format_size(buf, sizeof(buf), PUMA_MAX_MEMORY_MIN);
	fprintf(f, "\n"
		"Arguments:\n"
		"  ADDR:PORT      an IPv4 address and a TCP port, such as\n"
		"                 169.254.77.1:7777 (no host names, no IPv6)\n"
		"  SIZE           bytes, or a number with a suffix K, M, G or T (or\n"
		"                 KiB, MiB, GiB, TiB: powers of 1024), such as 512M;\n"
		"                 at least %s\n"
		"\n"
		"Options (before or after the command):\n"
		"  --json         print one JSON object instead of text, for the\n"
		"                 commands marked [--json]\n"
		"  -h, --help     show this help and exit\n"
		"  --version      show the version of pumactl and exit\n"
		"\n"
		"The lender and borrower commands need CAP_NET_ADMIN.\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  the operation failed (the kernel returned an error)\n"
		"  2  usage error (unknown command or option, invalid argument)\n"
		"  3  the puma module is not loaded\n"
		"  4  permission denied\n", buf);
}

static int cmd_help(const struct pumactl_opts *opts, int argc, char **argv)
{
	int ret = pumactl_no_args("help", argc, argv);

	(void)opts;
	if (!ret)
		print_help(stdout);
	return ret;
}

/* How many of @argv the words of @name take up; 0 if they do not match. */
static int cmd_match(const char *name, int argc, char **argv)
{
	size_t len;
	int i;

	for (i = 0; *name; i++) {
		len = strcspn(name, " ");
		if (i >= argc || strlen(argv[i]) != len ||
		    strncmp(argv[i], name, len))
			return 0;
		name += len;
		name += strspn(name, " ");
	}
	return i;
}

/* The command with the most words matching @argv, and that number. */
static const struct command *cmd_find(int argc, char **argv, int *words)
{
	const struct command *best = NULL;
	size_t i;
	int n;

	*words = 0;
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		n = cmd_match(commands[i].name, argc, argv);
		if (n > *words) {
			*words = n;
			best = &commands[i];
		}
	}
	return best;
}

/* Whether @word is the first word of a multi-word command. */
static int cmd_is_group(const char *word)
{
	size_t len = strlen(word);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strncmp(commands[i].name, word, len) &&
		    commands[i].name[len] == ' ')
			return 1;
	return 0;
}

static int run(int argc, char **argv)
{
	struct pumactl_opts opts = { 0 };
	const struct command *c;
	int help = 0, version = 0;
	char **rest = argv + 1;
	int i, n = 0, words;

	/* Keep in rest[] what is not a global option, in order. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			opts.json = 1;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			help = 1;
		else if (!strcmp(argv[i], "--version"))
			version = 1;
		else
			rest[n++] = argv[i];
	}

	if (help) {
		print_help(stdout);
		return PUMACTL_OK;
	}
	if (version) {
		printf("pumactl %s\n", PUMACTL_VERSION);
		return PUMACTL_OK;
	}
	if (!n)
		return pumactl_usage_err("missing command");
	if (rest[0][0] == '-')
		return pumactl_usage_err("unrecognized option '%s'", rest[0]);
	c = cmd_find(n, rest, &words);
	if (!c && cmd_is_group(rest[0]) && n > 1)
		return pumactl_usage_err("unknown command '%s %s'", rest[0],
					 rest[1]);
	if (!c && cmd_is_group(rest[0]))
		return pumactl_usage_err("'%s' needs a subcommand", rest[0]);
	if (!c)
		return pumactl_usage_err("unknown command '%s'", rest[0]);
	if (opts.json && !(c->flags & CMD_JSON))
		return pumactl_usage_err("'%s' has no JSON output", c->name);
	return c->run(&opts, n - words, rest + words);
}

int main(int argc, char **argv)
{
	int ret = run(argc, argv);

	if (fflush(stdout) || ferror(stdout)) {
		pumactl_err("write error: %s", strerror(errno));
		if (!ret)
			ret = PUMACTL_FAILED;
	}
	return ret;
}
