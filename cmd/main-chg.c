#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

static const struct {
	const char *name;
	int (*fn)(int, char **, const struct chg_cmd *);
	const char *help;
} commands[] = {
	{ "init", cmd_init, "set up a change repository: policy, approvers' keys, root of trust" },
	{ "new", cmd_new, "write a new change request with the next free id" },
	{ "lint", cmd_lint, "lint change requests and their approvals (as chg-lint)" },
	{ "digest", cmd_digest, "print the digest an approval of a change request must carry" },
	{ "check-message", cmd_check_message, "check the approval trailers of a commit message" },
	{ "policy", cmd_policy, "show the effective policy, or check a policy file" },
	{ "log", cmd_log, "the audit trail: events of change requests from history" },
	{ "approve", cmd_approve, "approve a change request with a signed commit" },
	{ "reject", cmd_reject, "reject a change request with a signed commit" },
	{ "report", cmd_report, "the monthly change report: markdown, HTML or CSV" },
	{ "show", cmd_show, "a change request with its state, approvals and history" },
	{ "audit", cmd_audit, "replay the history: was every change approved and reviewed in time" },
	{ "gate", cmd_gate, "may this change be deployed now: allowed, awaiting, prevented, invalid" },
	{ "calendar", cmd_calendar, "changes, blackouts and maintenance windows: text or iCalendar" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: chg [-C DIR] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "  %-14s %s\n", "help",
		"list the commands, or describe one");
	fprintf(f, "\n'chg help COMMAND' or 'chg COMMAND --help' describes "
		"a command;\n'chg --version' prints the versions of chg and "
		"of its libraries.\n");
}

static int find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (!strcmp(name, commands[i].name))
			return (int)i;
	return -1;
}

static int run(int i, int argc, char **argv, struct chg_cmd *cmd)
{
	char name[64];

	snprintf(name, sizeof(name), "chg %s", commands[i].name);
	chg_cmd_setup_libgit2();
	cmd->name = name;
	return commands[i].fn(argc, argv, cmd);
}

/*
 * chg help [COMMAND]: the list of commands, or what 'chg COMMAND --help'
 * prints.
 */
static int help(int argc, char **argv, struct chg_cmd *cmd)
{
	char *help_argv[] = { NULL, (char *)"--help", NULL };
	int i;

	if (argc == 1 || (argc == 2 && !strcmp(argv[1], "help"))) {
		usage(stdout);
		return CHG_EXIT_OK;
	}
	if (argc > 2) {
		fprintf(stderr, "usage: chg help [COMMAND]\n");
		return CHG_EXIT_USAGE;
	}
	i = find_command(argv[1]);
	if (i < 0) {
		fprintf(stderr,
			"chg help: '%s' is not a chg command; see 'chg help'\n",
			argv[1]);
		return CHG_EXIT_USAGE;
	}
	help_argv[0] = argv[1];
	return run(i, 2, help_argv, cmd);
}

int main(int argc, char **argv)
{
	struct chg_cmd cmd = { "chg", "." };
	int i;

	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-') {
		if (!strcmp(argv[0], "-C") && argc > 1) {
			cmd.dir = argv[1];
			argc -= 2;
			argv += 2;
		} else if (!strcmp(argv[0], "--version")) {
			return chg_cmd_print_version(&cmd, "chg");
		} else if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
			usage(stdout);
			return CHG_EXIT_OK;
		} else {
			fprintf(stderr, "chg: unknown option '%s'\n", argv[0]);
			usage(stderr);
			return CHG_EXIT_USAGE;
		}
	}
	if (argc == 0) {
		usage(stderr);
		return CHG_EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help"))
		return help(argc, argv, &cmd);
	i = find_command(argv[0]);
	if (i >= 0)
		return run(i, argc, argv, &cmd);
	fprintf(stderr, "chg: '%s' is not a chg command; see 'chg --help'\n", argv[0]);
	return CHG_EXIT_USAGE;
}
