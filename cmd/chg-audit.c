#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "datetime.h"
#include "diag.h"
#include "error.h"
#include "format.h"
#include "verify.h"
#include "workspace.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s --verify [--rev REV] [--since DATE] [--trust-root ID]\n"
	"          [--format text|json]\n"
	"\n"
	"Replays the history and reports, as diagnostics, each change request\n"
	"that entered an approved state without its quorum at that commit\n"
	"(missing-approval), whose review came after its deadline\n"
	"(review-overdue) or never (missing-review), that was closed without a\n"
	"review (missing-review), or that was implemented outside its window\n"
	"(implemented-outside-window), and a first-parent chain that does not\n"
	"contain the pinned root of trust (trust-change-unapproved).\n"
	"\n"
	"  --verify         replay the history (required)\n"
	"  --rev REV        the history of REV (default HEAD)\n"
	"  --since DATE     only findings about commits at or after DATE\n"
	"                   (YYYY-MM-DD, a UTC day, or an RFC 3339 date-time)\n"
	"  --format FORMAT  text (default) or json\n"
	"  --now DATETIME   the clock for review deadlines (also CHG_NOW)\n"
	"  --trust-root ID  the pinned root of trust (also CHG_TRUST_ROOT; default:\n"
	"                   git config chg.trustRoot)\n"
	"\n"
	"Exit status: 0 no errors, 1 findings, 2 usage error, 3 could not run.\n";

static int usage(const struct chg_cmd *cmd, FILE *f, int status)
{
	fprintf(f, usage_text, cmd->name);
	return status;
}

int cmd_audit(int argc, char **argv, const struct chg_cmd *cmd)
{
	static const struct option longopts[] = {
		{ "verify", no_argument, NULL, 'v' },
		{ "rev", required_argument, NULL, 'r' },
		{ "since", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "now", required_argument, NULL, 'n' },
		{ "trust-root", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct chg_verify_options opts = CHG_VERIFY_OPTIONS_INIT;
	struct chg_workspace_options wopts = CHG_WORKSPACE_OPTIONS_INIT;
	struct chg_workspace *ws = NULL;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;
	const char *since = NULL, *now_text = NULL, *format = "text";
	const char *trust_root = NULL;
	int c, rc, verify = 0, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'v': verify = 1; break;
		case 'r': wopts.rev = optarg; break;
		case 's': since = optarg; break;
		case 'f': format = optarg; break;
		case 'n': now_text = optarg; break;
		case 'T': trust_root = optarg; break;
		case 'h':
			return usage(cmd, stdout, CHG_EXIT_OK);
		default:  /* ':' or '?' */
			chg_cmd_option_error(cmd, c, argv);
			return usage(cmd, stderr, CHG_EXIT_USAGE);
		}
	}
	if (optind < argc) {
		chg_cmd_error(cmd, "unexpected argument '%s'", argv[optind]);
		return usage(cmd, stderr, CHG_EXIT_USAGE);
	}
	if (!verify) {
		chg_cmd_error(cmd, "--verify is required");
		return usage(cmd, stderr, CHG_EXIT_USAGE);
	}
	if (strcmp(format, "text") && strcmp(format, "json")) {
		chg_cmd_error(cmd, "unknown format '%s' (expected text or json)", format);
		return CHG_EXIT_USAGE;
	}
	if (since) {
		if (chg_date_parse(&opts.since, since) < 0 &&
		    chg_datetime_parse(&opts.since, since) < 0) {
			chg_cmd_error(cmd, "--since '%s' is not a date or a date-time", since);
			return CHG_EXIT_USAGE;
		}
		opts.has_since = 1;
	}
	if (chg_cmd_now(&opts.now, cmd, now_text) < 0 ||
	    chg_cmd_trust_root(&wopts.trust_root, &wopts.trust_root_origin, cmd,
			       trust_root) < 0)
		return CHG_EXIT_USAGE;
	wopts.dir = cmd->dir;
	if (!wopts.rev)
		wopts.rev = "HEAD";

	rc = chg_workspace_open(&ws, &diags, &err, &wopts);
	if (rc == 0)
		rc = chg_verify_audit(&diags, &err, ws, &opts);
	chg_workspace_free(ws);
	status = chg_cmd_finish(cmd, &diags, format, rc, &err, 0, -1,
				"the policy is invalid; fix the errors above");
	chg_buf_release(&err);
	chg_diag_list_release(&diags);
	return status;
}
