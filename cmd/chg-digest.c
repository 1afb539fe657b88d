#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "approve.h"
#include "cmd.h"
#include "digest.h"
#include "error.h"
#include "format.h"
#include "lint.h"
#include "trust.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s [--rev REV] ID\n"
	"   or: %s [--rev REV] trust\n"
	"\n"
	"Prints the digest (sha256:...) of the change request ID: what an approval's\n"
	"Change-Digest trailer must carry.  With trust: the trust digest of the\n"
	"revision's trust files (.chg/policy.yaml, allowed_signers, keys.asc,\n"
	"revoked_keys, catalog/), what an approval of the trust change it holds\n"
	"carries.\n";

int cmd_digest(int argc, char **argv, const struct chg_cmd *cmd)
{
	static const struct option longopts[] = {
		{ "rev", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT, out = CHG_BUF_INIT;
	char digest[CHG_DIGEST_SIZE];
	const char *rev = NULL;
	int c, rc, status = CHG_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': rev = optarg; break;
		case 'h':
			printf(usage_text, cmd->name, cmd->name);
			return CHG_EXIT_OK;
		default:
			fprintf(stderr, usage_text, cmd->name, cmd->name);
			return CHG_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, usage_text, cmd->name, cmd->name);
		return CHG_EXIT_USAGE;
	}
	/* "trust" is no change request's id: it is reserved */
	if (!strcmp(argv[optind], CHG_TRUST_CHANGE_REQUEST)) {
		rc = chg_approve_trust_digest(digest, &err, cmd->dir, rev);
		if (rc == 0) {
			printf("%s\n", digest);
		} else {
			chg_cmd_error(cmd, "%s", err.len ? err.ptr : chg_error_str(rc));
			status = CHG_EXIT_FAILURE;
		}
		goto cleanup;
	}
	rc = chg_lint_digest(digest, sizeof(digest), &diags, &err, cmd->dir, rev,
			     argv[optind]);
	if (rc == 0) {
		printf("%s\n", digest);
	} else {
		chg_format_text(&out, &diags);
		fwrite(out.ptr, 1, out.len, stderr);
		if (rc == CHG_EINVALID)
			chg_cmd_error(cmd, "cannot compute the digest of %s; fix the errors above",
				      argv[optind]);
		else
			chg_cmd_error(cmd, "%s", err.len ? err.ptr : chg_error_str(rc));
		status = rc == CHG_ENOTFOUND ? CHG_EXIT_FINDINGS : CHG_EXIT_FAILURE;
	}
cleanup:
	chg_buf_release(&out);
	chg_buf_release(&err);
	chg_diag_list_release(&diags);
	return status;
}
