/*
 * chg approve ID / chg reject ID, chg approve --trust / chg reject
 * --trust: options, messages and exit status of the use case in
 * lib/approve.h, which checks the change request (the trust change) and
 * records the approval (rejection) as a signed empty commit on HEAD.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "approve.h"
#include "cmd.h"
#include "diag.h"
#include "error.h"
#include "format.h"
#include "trust.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s [-m TEXT] [--no-sign] ID\n"
	"   or: %s [-m TEXT] [--no-sign] --trust\n"
	"\n"
	"Records %s of the change request ID, as committed in HEAD, or of the\n"
	"trust change HEAD holds (--trust, or ID trust), with a signed empty\n"
	"commit on HEAD carrying the Change-Request, Change-Digest and %s\n"
	"trailers.  The index and the working tree are not touched.  One that\n"
	"would not count is refused, and nothing is changed.\n"
	"\n"
	"  -m, --message TEXT  the approver's comment, put before the trailers\n"
	"                      (repeatable: one paragraph each)\n"
	"      --no-sign       make the commit unsigned (refused when the policy\n"
	"                      requires signatures)\n"
	"      --trust         review the trust change HEAD holds (its trust files:\n"
	"                      .chg/policy.yaml, allowed_signers, keys.asc, ...)\n"
	"      --force         record it also when it would not count, with a\n"
	"                      warning saying why\n";

static int run(const struct chg_cmd *cmd, int rejected, const char *id,
	       const char *comment, int sign, int trust, int force)
{
	struct chg_approve_options opts = CHG_APPROVE_OPTIONS_INIT;
	struct chg_approve_result res;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf out = CHG_BUF_INIT;
	size_t i;
	int rc, status;

	if (chg_cmd_now(&opts.now, cmd, NULL) < 0)
		return CHG_EXIT_FAILURE;
	opts.dir = cmd->dir;
	opts.id = id;
	opts.rejected = rejected;
	opts.sign = sign;
	opts.comment = comment;
	opts.trust = trust;
	opts.force = force;
	rc = chg_approve(&res, &diags, &opts);
	status = rc < 0 ? CHG_EXIT_FAILURE : res.recorded ? CHG_EXIT_OK : CHG_EXIT_FINDINGS;
	if (status == CHG_EXIT_OK) {
		printf("%s %s in %s (digest %s)\n", rejected ? "rejected" : "approved",
		       trust ? CHG_TRUST_CHANGE_REQUEST : id, res.short_id, res.digest);
		if (res.warning.len)
			fprintf(stderr, "%s: warning: %s\n", cmd->name, res.warning.ptr);
	} else {
		chg_format_text(&out, &diags);
		fwrite(out.ptr, 1, out.len, stderr);
		for (i = 0; i < res.messages.n; i++)
			chg_cmd_error(cmd, "%s", res.messages.items[i]);
		if (rc < 0 && !res.messages.n)
			chg_cmd_error(cmd, "%s", chg_error_str(rc));
	}
	chg_approve_result_release(&res);
	chg_diag_list_release(&diags);
	chg_buf_release(&out);
	return status;
}

static int cmd_review(int argc, char **argv, const struct chg_cmd *cmd, int rejected)
{
	static const struct option longopts[] = {
		{ "message", required_argument, NULL, 'm' },
		{ "no-sign", no_argument, NULL, 'n' },
		{ "trust", no_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *what = rejected ? "a rejection" : "an approval";
	const char *trailer = rejected ? "Rejected-by" : "Approved-by";
	struct chg_buf comment = CHG_BUF_INIT;
	int c, sign = 1, trust = 0, force = 0, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hm:", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (*optarg && ((comment.len && chg_buf_puts(&comment, "\n\n") < 0) ||
					chg_buf_puts(&comment, optarg) < 0)) {
				chg_cmd_error(cmd, "out of memory");
				chg_buf_release(&comment);
				return CHG_EXIT_FAILURE;
			}
			break;
		case 'n': sign = 0; break;
		case 't': trust = 1; break;
		case 'f': force = 1; break;
		case 'h':
			printf(usage_text, cmd->name, cmd->name, what, trailer);
			chg_buf_release(&comment);
			return CHG_EXIT_OK;
		default:
			fprintf(stderr, usage_text, cmd->name, cmd->name, what, trailer);
			chg_buf_release(&comment);
			return CHG_EXIT_USAGE;
		}
	}
	if (argc - optind != (trust ? 0 : 1)) {
		fprintf(stderr, usage_text, cmd->name, cmd->name, what, trailer);
		chg_buf_release(&comment);
		return CHG_EXIT_USAGE;
	}
	if (!trust && !strcmp(argv[optind], CHG_TRUST_CHANGE_REQUEST))
		trust = 1;
	status = run(cmd, rejected, trust ? CHG_TRUST_CHANGE_REQUEST : argv[optind],
		     comment.ptr, sign,
		     trust, force);
	chg_buf_release(&comment);
	return status;
}

int cmd_approve(int argc, char **argv, const struct chg_cmd *cmd)
{
	return cmd_review(argc, argv, cmd, 0);
}

int cmd_reject(int argc, char **argv, const struct chg_cmd *cmd)
{
	return cmd_review(argc, argv, cmd, 1);
}
