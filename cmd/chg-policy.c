#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "emit.h"
#include "error.h"
#include "explain.h"
#include "format.h"
#include "lint.h"
#include "policy.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s show [--rev REV] [--policy FILE]\n"
	"   or: %s check [--rev REV] [--format text|json] [FILE]\n"
	"\n"
	"  show    print the effective policy: the built-in policy with the\n"
	"          repository's .chg/policy.yaml merged over it, as one YAML file\n"
	"  check   validate FILE, else the repository's .chg/policy.yaml, else the\n"
	"          built-in policy, as chg-lint does before anything else\n"
	"\n"
	"  --rev REV        read .chg/policy.yaml as of REV\n"
	"  --policy FILE    show FILE merged as the repository's policy would be\n"
	"  --format FORMAT  text (default) or json\n"
	"\n"
	"Exit status: 0 valid, 1 the policy is invalid (check), 2 usage error,\n"
	"3 could not run.\n";

static int usage(const struct chg_cmd *cmd, FILE *f, int status)
{
	fprintf(f, usage_text, cmd->name, cmd->name);
	return status;
}

/* Options of both subcommands; `argv[0]` is the subcommand. */
struct options {
	const char *rev;
	const char *policy_file;
	const char *format;
};

/*
 * Parses the options of a subcommand.  Returns 0 to go on, or 1 with the
 * exit status in *status (--help, a usage error).
 */
static int parse(struct options *o, int *status, int argc, char **argv,
		 const struct chg_cmd *cmd, int allow_policy, int allow_format)
{
	static const struct option longopts[] = {
		{ "rev", required_argument, NULL, 'r' },
		{ "policy", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->format = "text";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->rev = optarg; break;
		case 'p':
			if (!allow_policy)
				goto unknown;
			o->policy_file = optarg;
			break;
		case 'f':
			if (!allow_format)
				goto unknown;
			o->format = optarg;
			break;
		case 'h':
			*status = usage(cmd, stdout, CHG_EXIT_OK);
			return 1;
		case ':':
			chg_cmd_error(cmd, "option '%s' needs a value", argv[optind - 1]);
			*status = usage(cmd, stderr, CHG_EXIT_USAGE);
			return 1;
		default:
		unknown:
			chg_cmd_error(cmd, "unknown option '%s' for %s", argv[optind - 1],
				      argv[0]);
			*status = usage(cmd, stderr, CHG_EXIT_USAGE);
			return 1;
		}
	}
	if (strcmp(o->format, "text") && strcmp(o->format, "json")) {
		chg_cmd_error(cmd, "unknown format '%s' (expected text or json)", o->format);
		*status = CHG_EXIT_USAGE;
		return 1;
	}
	return 0;
}

/* Loads the policy; on failure prints why and returns the exit status. */
static int load(struct chg_policy **policy, struct chg_diag_list *diags,
		const struct chg_cmd *cmd, const struct options *o)
{
	struct chg_buf err = CHG_BUF_INIT;
	int rc;

	rc = chg_lint_load_policy(policy, diags, &err, cmd->dir, o->rev, 0,
				  o->policy_file);
	if (rc < 0 && rc != CHG_EINVALID)
		chg_cmd_error(cmd, "%s", err.len ? err.ptr : chg_error_str(rc));
	chg_buf_release(&err);
	return rc == 0 ? CHG_EXIT_OK :
	       rc == CHG_EINVALID ? CHG_EXIT_FINDINGS : CHG_EXIT_FAILURE;
}

/* The comment that opens `chg policy show`: where the policy comes from. */
static void header(struct chg_buf *out, const struct chg_policy *policy,
		   const struct options *o, const char *added)
{
	const char *ext = chg_node_str(chg_node_get(policy->root, "extends"));
	const char *at = o->rev && !o->policy_file ? o->rev : NULL;
	int none = ext && !strcmp(ext, "none");

	chg_buf_puts(out, "# chg policy show: the effective policy\n");
	if (!strcmp(policy->path, CHG_POLICY_BUILTIN))
		chg_buf_printf(out, "# sources: built-in policy (no .chg/policy.yaml%s%s)\n",
			       at ? " at " : "", at ? at : "");
	else if (none)
		chg_buf_printf(out, "# sources: %s%s%s (extends: none: the built-in policy is not used)\n",
			       policy->path, at ? " at " : "", at ? at : "");
	else
		chg_buf_printf(out, "# sources: built-in policy + %s%s%s (extends: default)\n",
			       policy->path, at ? " at " : "", at ? at : "");
	if (added && *added)
		chg_buf_printf(out, "# approvals.groups shows %s empty: the built-in\n"
			       "# approval rules name them, no file defines them, and no one can\n"
			       "# approve from them either way.\n", added);
	chg_buf_puts(out, "# Printed whole, with extends: none, so that it stands alone as a policy file.\n");
}

static int show(int argc, char **argv, const struct chg_cmd *cmd)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf out = CHG_BUF_INIT, added = CHG_BUF_INIT;
	struct chg_policy *policy = NULL;
	struct chg_node *tree = NULL;
	struct options o;
	int status, rc;

	if (parse(&o, &status, argc, argv, cmd, 1, 0))
		return status;
	if (optind != argc) {
		chg_cmd_error(cmd, "show takes no arguments; 'chg policy check FILE' checks a file");
		return usage(cmd, stderr, CHG_EXIT_USAGE);
	}
	status = load(&policy, &diags, cmd, &o);
	if (status == CHG_EXIT_FINDINGS) {
		chg_format_text(&out, &diags);
		fwrite(out.ptr, 1, out.len, stderr);
		chg_cmd_error(cmd, "the policy is invalid; fix the errors above");
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (status)
		goto cleanup;
	rc = chg_explain_standalone(&tree, &added, policy);
	if (!rc)
		header(&out, policy, &o, added.ptr);
	if (!rc)
		rc = chg_emit_yaml(&out, tree);
	if (rc < 0) {
		chg_cmd_error(cmd, "cannot print the policy: %s", chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	fwrite(out.ptr, 1, out.len, stdout);
cleanup:
	chg_node_free(tree);
	chg_policy_free(policy);
	chg_buf_release(&added);
	chg_buf_release(&out);
	chg_diag_list_release(&diags);
	return status;
}

static int check(int argc, char **argv, const struct chg_cmd *cmd)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf out = CHG_BUF_INIT;
	struct chg_policy *policy = NULL;
	struct options o;
	size_t nerr;
	int status;

	if (parse(&o, &status, argc, argv, cmd, 0, 1))
		return status;
	if (argc - optind > 1) {
		chg_cmd_error(cmd, "check takes at most one FILE");
		return usage(cmd, stderr, CHG_EXIT_USAGE);
	}
	if (argc - optind == 1) {
		if (o.rev) {
			chg_cmd_error(cmd, "--rev applies to .chg/policy.yaml, not to a FILE");
			return CHG_EXIT_USAGE;
		}
		o.policy_file = argv[optind];
	}
	status = load(&policy, &diags, cmd, &o);
	if (status == CHG_EXIT_FAILURE)
		goto cleanup;
	if (!strcmp(o.format, "json"))
		chg_format_json(&out, &diags);
	else
		chg_format_text(&out, &diags);
	fwrite(out.ptr, 1, out.len, stdout);
	fflush(stdout);
	nerr = chg_diag_list_count(&diags, CHG_SEV_ERROR);
	if (status == CHG_EXIT_FINDINGS)
		fprintf(stderr, "%s: %s is invalid: %zu error%s\n", cmd->name,
			o.policy_file ? o.policy_file : ".chg/policy.yaml",
			nerr, nerr == 1 ? "" : "s");
cleanup:
	chg_policy_free(policy);
	chg_buf_release(&out);
	chg_diag_list_release(&diags);
	return status;
}

int cmd_policy(int argc, char **argv, const struct chg_cmd *cmd)
{
	if (argc < 2)
		return usage(cmd, stderr, CHG_EXIT_USAGE);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return usage(cmd, stdout, CHG_EXIT_OK);
	if (!strcmp(argv[1], "show"))
		return show(argc - 1, argv + 1, cmd);
	if (!strcmp(argv[1], "check"))
		return check(argc - 1, argv + 1, cmd);
	chg_cmd_error(cmd, "unknown subcommand '%s' (expected show or check)", argv[1]);
	return usage(cmd, stderr, CHG_EXIT_USAGE);
}
