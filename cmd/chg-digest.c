#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "digest.h"
#include "error.h"
#include "format.h"
#include "lint.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s [--rev REV] ID\n"
	"\n"
	"Prints the digest (sha256:...) of the change request ID: what an approval's\n"
	"Change-Digest trailer must carry.\n";

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
			printf(usage_text, cmd->name);
			return CHG_EXIT_OK;
		default:
			fprintf(stderr, usage_text, cmd->name);
			return CHG_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, usage_text, cmd->name);
		return CHG_EXIT_USAGE;
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
	chg_buf_release(&out);
	chg_buf_release(&err);
	chg_diag_list_release(&diags);
	return status;
}
