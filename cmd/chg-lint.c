#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "error.h"
#include "format.h"
#include "lint.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s [-C DIR] [--rev REV | --staged] [--policy FILE] [--now DATETIME]\n"
	"          [--strict] [--format text|json] [PATH...]\n"
	"\n"
	"Lints change requests (default: every file the policy's paths match) and\n"
	"checks their approvals against history.\n"
	"\n"
	"  -C DIR             run in DIR instead of the current directory\n"
	"  --rev REV          lint files and history as of REV (no checkout needed)\n"
	"  --staged           lint the index (for the pre-commit hook)\n"
	"  --policy FILE      use FILE instead of the repository's .chg/policy.yaml\n"
	"  --now DATETIME     the clock for time rules (also CHG_NOW)\n"
	"  --strict           warnings fail too\n"
	"  --format FORMAT    text (default) or json\n"
	"\n"
	"Exit status: 0 no errors, 1 findings, 2 usage error, 3 could not run.\n";

int cmd_lint(int argc, char **argv, const struct chg_cmd *cmd)
{
	static const struct option longopts[] = {
		{ "rev", required_argument, NULL, 'r' },
		{ "staged", no_argument, NULL, 's' },
		{ "policy", required_argument, NULL, 'p' },
		{ "now", required_argument, NULL, 'n' },
		{ "strict", no_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct chg_lint_options opts = CHG_LINT_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_lint_stats stats = { 0 };
	struct chg_buf err = CHG_BUF_INIT, out = CHG_BUF_INIT;
	const char *now = NULL, *format = "text";
	int c, strict = 0, status, rc;
	size_t nerr, nwarn;

	opts.dir = cmd->dir;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:C:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': opts.dir = optarg; break;
		case 'r': opts.rev = optarg; break;
		case 's': opts.staged = 1; break;
		case 'p': opts.policy_file = optarg; break;
		case 'n': now = optarg; break;
		case 'S': strict = 1; break;
		case 'f': format = optarg; break;
		case 'h':
			printf(usage_text, cmd->name);
			return CHG_EXIT_OK;
		default:
			if (c == ':' || (optopt && optopt != '?' && strchr("Crpnf", optopt)))
				chg_cmd_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			else
				chg_cmd_error(cmd, "unknown option '%s'", argv[optind - 1]);
			fprintf(stderr, usage_text, cmd->name);
			return CHG_EXIT_USAGE;
		}
	}
	if (strcmp(format, "text") && strcmp(format, "json")) {
		chg_cmd_error(cmd, "unknown format '%s' (expected text or json)", format);
		return CHG_EXIT_USAGE;
	}
	if (opts.rev && opts.staged) {
		chg_cmd_error(cmd, "--rev and --staged cannot be used together");
		return CHG_EXIT_USAGE;
	}
	if (chg_cmd_now(&opts.now, cmd, now) < 0)
		return CHG_EXIT_USAGE;
	opts.paths = (const char *const *)argv + optind;
	opts.npaths = (size_t)(argc - optind);

	rc = chg_lint(&diags, &err, &opts, &stats);
	if (!strcmp(format, "json"))
		chg_format_json(&out, &diags);
	else
		chg_format_text(&out, &diags);
	fwrite(out.ptr, 1, out.len, stdout);
	fflush(stdout);

	nerr = chg_diag_list_count(&diags, CHG_SEV_ERROR);
	nwarn = chg_diag_list_count(&diags, CHG_SEV_WARNING);
	if (rc == CHG_EINVALID) {
		chg_cmd_error(cmd, "the policy or the standard-change catalog is invalid; fix the errors above");
		status = CHG_EXIT_FAILURE;
	} else if (rc < 0) {
		chg_cmd_error(cmd, "%s", err.len ? err.ptr : chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
	} else {
		status = nerr || (strict && nwarn) ? CHG_EXIT_FINDINGS : CHG_EXIT_OK;
		if (diags.n)
			fprintf(stderr, "%s: %zu error%s, %zu warning%s in %zu file%s\n",
				cmd->name, nerr, nerr == 1 ? "" : "s", nwarn,
				nwarn == 1 ? "" : "s", stats.files,
				stats.files == 1 ? "" : "s");
	}
	chg_buf_release(&out);
	chg_buf_release(&err);
	chg_diag_list_release(&diags);
	return status;
}
