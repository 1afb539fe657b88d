#include <git2.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "digest.h"
#include "error.h"
#include "format.h"
#include "lint.h"
#include "repo.h"
#include "trailer.h"
#include "trust.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s FILE\n"
	"\n"
	"Checks the approval trailers of the commit message in FILE (the commit-msg\n"
	"hook's argument): Change-Request names an existing change request (or\n"
	"is trust: an approval of a trust change), Change-Digest is sha256: and\n"
	"64 lowercase hex digits, and Approved-by or Rejected-by is an identity\n"
	"'Name <email>', each exactly once.\n";

int cmd_check_message(int argc, char **argv, const struct chg_cmd *cmd)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT, scratch = CHG_DIAG_LIST_INIT;
	struct chg_buf msg = CHG_BUF_INIT, err = CHG_BUF_INIT, out = CHG_BUF_INIT;
	struct chg_source fs = { 0 };
	struct chg_trailers t;
	char digest[CHG_DIGEST_SIZE];
	const char *file;
	size_t size;
	int rc, status = CHG_EXIT_OK;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf(usage_text, cmd->name);
		return CHG_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, usage_text, cmd->name);
		return CHG_EXIT_USAGE;
	}
	file = argv[1];
	fs.kind = CHG_SOURCE_WORKTREE;
	fs.workdir = file[0] == '/' ? "" : "./";
	if (chg_source_read(&msg, &size, &fs, file, 1 << 20) < 0) {
		chg_cmd_error(cmd, "cannot read '%s'", file);
		return CHG_EXIT_FAILURE;
	}
	git_libgit2_init();
	chg_trailers_init(&t);
	if (chg_trailers_parse(&t, msg.ptr) < 0) {
		chg_cmd_error(cmd, "cannot parse the trailers of '%s'", file);
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (chg_trailers_check(&t, file, &diags) < 0) {
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	/* "trust" names the trust change (the digest is checked as any) */
	if (t.change_request && *t.change_request &&
	    strcmp(t.change_request, CHG_TRUST_CHANGE_REQUEST)) {
		rc = chg_lint_digest(digest, sizeof(digest), &scratch, &err,
				     cmd->dir, NULL, t.change_request);
		if (rc == CHG_ENOTFOUND && err.len && !strncmp(err.ptr, "no change", 9))
			chg_diag_add(&diags, file, 0, 0, CHG_SEV_ERROR, "invalid-value",
				     "Change-Request names %s, which is not a change request in this repository",
				     t.change_request);
		else if (rc < 0 && rc != CHG_EINVALID)
			chg_diag_add(&diags, file, 0, 0, CHG_SEV_ERROR, "invalid-value",
				     "cannot look up %s: %s", t.change_request,
				     err.len ? err.ptr : chg_error_str(rc));
	}
	chg_format_text(&out, &diags);
	fwrite(out.ptr, 1, out.len, stderr);
	if (diags.n) {
		chg_cmd_error(cmd, "the approval trailers in '%s' are malformed; fix them ('chg digest ID' prints the digest)",
			      file);
		status = CHG_EXIT_FINDINGS;
	}
cleanup:
	chg_trailers_release(&t);
	chg_buf_release(&msg);
	chg_buf_release(&err);
	chg_buf_release(&out);
	chg_diag_list_release(&diags);
	chg_diag_list_release(&scratch);
	git_libgit2_shutdown();
	return status;
}
