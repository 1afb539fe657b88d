#include <stdarg.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "chain.h"
#include "cmd.h"
#include "datetime.h"
#include "error.h"
#include "format.h"
#include "banned.h"

void chg_cmd_error(const struct chg_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int chg_cmd_now(int64_t *out, const struct chg_cmd *cmd, const char *text)
{
	const char *from = "--now";

	if (!text) {
		text = getenv("CHG_NOW");
		from = "CHG_NOW";
	}
	if (!text || !*text) {
		*out = (int64_t)time(NULL);
		return 0;
	}
	if (chg_datetime_parse(out, text) < 0) {
		chg_cmd_error(cmd, "%s '%s' is not an RFC 3339 date-time such as 2026-12-05T22:00:00Z",
			      from, text);
		return -1;
	}
	return 0;
}

int chg_cmd_trust_root(const char **out, const char **origin,
		       const struct chg_cmd *cmd, const char *text)
{
	*origin = "--trust-root";
	if (!text) {
		text = getenv("CHG_TRUST_ROOT");
		*origin = "CHG_TRUST_ROOT";
		if (text && !*text)
			text = NULL;
	}
	*out = text;
	if (!text) {
		*origin = NULL;
		return 0;
	}
	if (!chg_chain_pin_is_valid(text)) {
		chg_cmd_error(cmd, "%s '%s' is not a commit id (4 to 40 hex digits)",
			      *origin, text);
		return -1;
	}
	return 0;
}

int chg_cmd_finish(const struct chg_cmd *cmd, const struct chg_diag_list *diags,
		   const char *format, int rc, const struct chg_buf *err,
		   int strict, long files, const char *invalid)
{
	struct chg_buf out = CHG_BUF_INIT;
	size_t nerr = chg_diag_list_count(diags, CHG_SEV_ERROR);
	size_t nwarn = chg_diag_list_count(diags, CHG_SEV_WARNING);
	int status;

	if (!strcmp(format, "json"))
		chg_format_json(&out, diags);
	else
		chg_format_text(&out, diags);
	fwrite(out.ptr, 1, out.len, stdout);
	fflush(stdout);
	chg_buf_release(&out);

	if (rc == CHG_EINVALID) {
		chg_cmd_error(cmd, "%s", invalid);
		status = CHG_EXIT_FAILURE;
	} else if (rc < 0) {
		chg_cmd_error(cmd, "%s", err && err->len ? err->ptr : chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
	} else {
		status = nerr || (strict && nwarn) ? CHG_EXIT_FINDINGS : CHG_EXIT_OK;
		if (diags->n && files >= 0)
			fprintf(stderr, "%s: %zu error%s, %zu warning%s in %ld file%s\n",
				cmd->name, nerr, nerr == 1 ? "" : "s", nwarn,
				nwarn == 1 ? "" : "s", files, files == 1 ? "" : "s");
		else if (diags->n)
			fprintf(stderr, "%s: %zu error%s, %zu warning%s\n", cmd->name,
				nerr, nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s");
	}
	if (ferror(stdout)) {
		chg_cmd_error(cmd, "cannot write the output");
		status = CHG_EXIT_FAILURE;
	}
	return status;
}

void chg_cmd_setup_libgit2(void)
{
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
}
