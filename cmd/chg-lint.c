#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "error.h"
#include "explain.h"
#include "format.h"
#include "lint.h"
#include "policy.h"
#include "range.h"
#include "repo.h"
#include "rules.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s [-C DIR] [--rev REV | --staged] [--scope all|changed]\n"
	"          [--policy FILE] [--now DATETIME] [--trust-root ID] [--strict]\n"
	"          [--format text|json|github|sarif|junit|tap|gitlab|checkstyle]\n"
	"          [PATH...]\n"
	"   or: %s [-C DIR] --range A..B|B [--exclude-refs PATTERN]...\n"
	"          [--scope all|changed] [--policy FILE] [--now DATETIME]\n"
	"          [--trust-root ID] [--strict]\n"
	"          [--format text|json|github|sarif|junit|tap|gitlab|checkstyle]\n"
	"   or: %s [-C DIR] [--rev REV | --staged] [--policy FILE] --explain RULE\n"
	"   or: %s --version\n"
	"\n"
	"Lints change requests (default: every file the policy's paths match) and\n"
	"checks their approvals against history.\n"
	"\n"
	"  -C DIR             run in DIR instead of the current directory\n"
	"  --rev REV          lint files and history as of REV (no checkout needed)\n"
	"  --staged           lint the index (for the pre-commit hook)\n"
	"  --range A..B       check each commit reachable from B and not from A: the\n"
	"                     change request versions it introduces, their state\n"
	"                     changes and approvals as of that commit; then lint B\n"
	"                     (B alone: all of B's history; for hooks and CI); A\n"
	"                     must be on B's first-parent chain\n"
	"  --exclude-refs PATTERN\n"
	"                     with --range, leave out the commits that the refs\n"
	"                     matching PATTERN reach ('refs/*': a new branch)\n"
	"  --scope SCOPE      which change requests are judged: all, or changed\n"
	"                     (those the index, the revision or the range adds or\n"
	"                     modifies; findings about the others are counted in\n"
	"                     one note); default: changed with --staged and\n"
	"                     --range, all otherwise; a change of the policy or\n"
	"                     the catalog makes the default all\n"
	"  --policy FILE      use FILE instead of the repository's .chg/policy.yaml\n"
	"  --now DATETIME     the clock for time rules (also CHG_NOW)\n"
	"  --trust-root ID    the pinned root of trust: the first-parent chain of the\n"
	"                     revision must contain commit ID (also CHG_TRUST_ROOT;\n"
	"                     default: git config chg.trustRoot)\n"
	"  --strict           warnings fail too\n"
	"  --format FORMAT    text (default; github when GITHUB_ACTIONS=true), json,\n"
	"                     github (annotations; job summary to\n"
	"                     $GITHUB_STEP_SUMMARY), sarif (SARIF 2.1.0), junit\n"
	"                     (JUnit XML), tap (TAP 14), gitlab (Code Quality) or\n"
	"                     checkstyle (XML)\n"
	"  --explain RULE     print what the rule RULE checks, where it is defined,\n"
	"                     and a failing and a passing example\n"
	"  --version          print the versions of chg-lint and its libraries\n"
	"\n"
	"Exit status: 0 no errors, 1 findings, 2 usage error, 3 could not run.\n";

/* Prints `text` wrapped at 72 columns; runs of spaces mark sentences. */
static void print_wrapped(const char *text)
{
	size_t col = 0, len;
	const char *p = text;

	while (*p) {
		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (!len)
			break;
		if (col && col + 1 + len > 72) {
			putchar('\n');
			col = 0;
		}
		if (col) {
			/* two spaces after a sentence, as the text has them */
			int two = p - text >= 2 && p[-2] == ' ';
			fputs(two ? "  " : " ", stdout);
			col += 1 + two;
		}
		fwrite(p, 1, len, stdout);
		col += len;
		p += len;
	}
	putchar('\n');
}

static void print_example(const char *title, const struct chg_buf *yaml)
{
	const char *line = yaml->ptr, *nl;

	if (!yaml->len) {
		printf("\n%s: none could be made under this policy\n", title);
		return;
	}
	printf("\n%s:\n", title);
	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		printf("    %.*s\n", (int)(nl - line), line);
		if (!*nl)
			break;
	}
}

static void print_explanation(const struct chg_explanation *e)
{
	printf("rule:      %s\n", e->id);
	printf("source:    %s\n", e->source.ptr);
	printf("severity:  %s\n", e->severity.ptr);
	if (e->policy_rule) {
		printf("when:      %s\n", e->when.ptr);
		if (e->requires.len)
			printf("requires:  %s\n", e->requires.ptr);
		if (e->forbids.len)
			printf("forbids:   %s\n", e->forbids.ptr);
		if (e->message)
			printf("message:   %s\n", e->message);
		else
			printf("message:   (none; a finding reads 'FIELD %s rule %s')\n",
			       e->requires.len ? "does not meet" : "is forbidden by",
			       e->id);
	}
	putchar('\n');
	print_wrapped(e->description.ptr);
	print_example("Failing example", &e->failing);
	print_example("Passing example", &e->passing);
}

/*
 * chg-lint --explain RULE: the rule under the policy chg-lint would use.
 * Outside a repository (and without --rev, --staged or --policy) that is
 * the built-in policy.
 */
static int explain_rule(const struct chg_cmd *cmd,
			const struct chg_lint_options *opts, const char *id)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT, out = CHG_BUF_INIT;
	struct chg_policy *policy = NULL;
	struct chg_explanation e;
	const char *similar[5];
	size_t n, i;
	int rc, found = 0, status = CHG_EXIT_OK;

	chg_explanation_init(&e);
	rc = chg_lint_load_policy(&policy, &diags, &err, opts->dir, opts->rev,
				  opts->staged, opts->policy_file);
	if (rc == CHG_ENOTFOUND && !opts->rev && !opts->staged && !opts->policy_file) {
		fprintf(stderr, "%s: %s; explaining under the built-in policy\n",
			cmd->name, err.ptr);
		rc = chg_policy_load(&policy, NULL, 0, NULL, &diags);
	}
	if (rc < 0) {
		chg_format_text(&out, &diags);
		fwrite(out.ptr, 1, out.len, stdout);
		if (rc == CHG_EINVALID)
			chg_cmd_error(cmd, "the policy is invalid; fix the errors above");
		else
			chg_cmd_error(cmd, "%s", err.len ? err.ptr : chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	/* a policy rule may share its id with a check: both report under it */
	rc = chg_explain_policy_rule(&e, policy, id, opts->now);
	if (rc == 0) {
		print_explanation(&e);
		found = 1;
	}
	if (rc == 0 || rc == CHG_ENOTFOUND)
		rc = chg_explain_check(&e, policy, id, opts->now);
	if (rc == 0) {
		if (found)
			printf("\n\n");
		print_explanation(&e);
		found = 1;
	}
	if (rc < 0 && rc != CHG_ENOTFOUND) {
		chg_cmd_error(cmd, "%s", chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
	} else if (!found) {
		n = chg_explain_similar(similar, sizeof(similar) / sizeof(*similar),
					policy, id);
		fprintf(stderr, "%s: unknown rule '%s'", cmd->name, id);
		for (i = 0; i < n; i++)
			fprintf(stderr, "%s%s", i ? ", " : "; did you mean ", similar[i]);
		fprintf(stderr, "%s\n", n ? "?" :
			": neither a check of chg-lint (see chg-lint(1)) nor a rule of the policy");
		status = CHG_EXIT_USAGE;
	}
cleanup:
	chg_explanation_release(&e);
	chg_policy_free(policy);
	chg_buf_release(&out);
	chg_buf_release(&err);
	chg_diag_list_release(&diags);
	return status;
}

/*
 * cmd_lint's work; `exclude` has room for argc --exclude-refs patterns.
 */
static int lint(int argc, char **argv, const struct chg_cmd *cmd,
		const char **exclude)
{
	static const struct option longopts[] = {
		{ "rev", required_argument, NULL, 'r' },
		{ "staged", no_argument, NULL, 's' },
		{ "policy", required_argument, NULL, 'p' },
		{ "now", required_argument, NULL, 'n' },
		{ "strict", no_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "explain", required_argument, NULL, 'x' },
		{ "range", required_argument, NULL, 'R' },
		{ "exclude-refs", required_argument, NULL, 'E' },
		{ "trust-root", required_argument, NULL, 'T' },
		{ "scope", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct chg_lint_options opts = CHG_LINT_OPTIONS_INIT;
	struct chg_range_options ropts = CHG_RANGE_OPTIONS_INIT;
	struct chg_range_ends ends;
	size_t nexclude = 0;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_lint_stats stats = { 0 };
	struct chg_rules rules;
	struct chg_buf err = CHG_BUF_INIT;
	const char *now = NULL, *format = NULL, *explain = NULL, *range = NULL;
	const char *trust_root = NULL, *scope = NULL;
	int c, strict = 0, status, rc;

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
		case 'x': explain = optarg; break;
		case 'R': range = optarg; break;
		case 'T': trust_root = optarg; break;
		case 'O': scope = optarg; break;
		case 'E':
			exclude[nexclude++] = optarg;
			break;
		case 'V':
			/* 'chg lint --version' is chg's */
			return chg_cmd_print_version(cmd,
				!strcmp(cmd->name, "chg-lint") ?
				"chg-lint" : "chg");
		case 'h':
			printf(usage_text, cmd->name, cmd->name, cmd->name,
			       cmd->name);
			return CHG_EXIT_OK;
		default:
			if (c == ':' || (optopt && optopt != '?' && strchr("CrpnfxRETO", optopt)))
				chg_cmd_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			else
				chg_cmd_error(cmd, "unknown option '%s'", argv[optind - 1]);
			fprintf(stderr, usage_text, cmd->name, cmd->name,
				cmd->name, cmd->name);
			return CHG_EXIT_USAGE;
		}
	}
	if (format && chg_cmd_check_format(cmd, format) < 0)
		return CHG_EXIT_USAGE;
	if (scope && !strcmp(scope, "all")) {
		opts.scope = CHG_LINT_SCOPE_ALL;
	} else if (scope && !strcmp(scope, "changed")) {
		opts.scope = CHG_LINT_SCOPE_CHANGED;
	} else if (scope) {
		chg_cmd_error(cmd, "unknown scope '%s' (expected all or changed)", scope);
		return CHG_EXIT_USAGE;
	}
	if (opts.rev && opts.staged) {
		chg_cmd_error(cmd, "--rev and --staged cannot be used together");
		return CHG_EXIT_USAGE;
	}
	if (range && (opts.rev || opts.staged || explain || optind < argc)) {
		chg_cmd_error(cmd, "--range takes no PATH and cannot be used with --rev, --staged or --explain");
		return CHG_EXIT_USAGE;
	}
	if (nexclude && !range) {
		chg_cmd_error(cmd, "--exclude-refs needs --range");
		return CHG_EXIT_USAGE;
	}
	if (range) {
		rc = chg_range_parse(&ends, range);
		chg_range_ends_release(&ends);
		if (rc == CHG_EINVALID) {
			chg_cmd_error(cmd, "invalid range '%s' (expected A..B or B)", range);
			return CHG_EXIT_USAGE;
		}
		if (rc < 0) {
			chg_cmd_error(cmd, "%s", chg_error_str(rc));
			return CHG_EXIT_FAILURE;
		}
	}
	if (chg_cmd_now(&opts.now, cmd, now) < 0 ||
	    chg_cmd_trust_root(&opts.trust_root, &opts.trust_root_origin, cmd,
			       trust_root) < 0)
		return CHG_EXIT_USAGE;
	if (explain) {
		if (optind < argc || (format && strcmp(format, "text"))) {
			chg_cmd_error(cmd, "--explain takes no PATH and prints text only");
			return CHG_EXIT_USAGE;
		}
		return explain_rule(cmd, &opts, explain);
	}
	opts.paths = (const char *const *)argv + optind;
	opts.npaths = (size_t)(argc - optind);
	/* the rules --format sarif describes: the registry and the policy's */
	stats.rules = chg_rules_init(&rules) < 0 ? NULL : &rules;

	if (range) {
		ropts.lint = opts;
		ropts.range = range;
		ropts.exclude_refs = exclude;
		ropts.nexclude_refs = nexclude;
		rc = chg_range_lint(&diags, &err, &ropts, &stats);
	} else {
		rc = chg_lint(&diags, &err, &opts, &stats);
	}
	status = chg_cmd_finish_report(cmd, &diags, &stats.paths, stats.rules,
				       format ? format : chg_cmd_default_format(),
				       rc, &err, strict, (long)stats.files,
				       "the policy or the standard-change catalog is invalid; fix the errors above");
	chg_lint_stats_release(&stats);
	chg_rules_release(&rules);
	chg_buf_release(&err);
	chg_diag_list_release(&diags);
	return status;
}

int cmd_lint(int argc, char **argv, const struct chg_cmd *cmd)
{
	const char **exclude = calloc((size_t)argc, sizeof(*exclude));
	int status;

	if (!exclude) {
		chg_cmd_error(cmd, "out of memory");
		return CHG_EXIT_FAILURE;
	}
	status = lint(argc, argv, cmd, exclude);
	free(exclude);
	return status;
}
