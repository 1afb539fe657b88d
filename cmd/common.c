#define PCRE2_CODE_UNIT_WIDTH 8

#include <git2.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <pcre2.h>
#include <stdarg.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

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

void chg_cmd_option_error(const struct chg_cmd *cmd, int c, char **argv)
{
	if (c == ':')
		chg_cmd_error(cmd, "option '%s' needs a value", argv[optind - 1]);
	else
		chg_cmd_error(cmd, "unknown option '%s'", argv[optind - 1]);
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

/* What a format is given to print. */
struct report {
	const struct chg_diag_list *diags;
	const struct chg_strlist *files; /* or NULL */
	int strict;
	const char *bail;                /* could not run: why, or NULL */
	const struct chg_rules *rules;   /* or NULL: the built-in ones */
};

static int write_text(struct chg_buf *out, const struct report *r)
{
	return chg_format_text(out, r->diags);
}

static int write_json(struct chg_buf *out, const struct report *r)
{
	return chg_format_json(out, r->diags);
}

static int write_github(struct chg_buf *out, const struct report *r)
{
	return chg_format_github(out, r->diags);
}

/* What sarif and junit read of the report. */
static void format_info(struct chg_format_info *fi, const struct report *r)
{
	struct chg_format_info init = CHG_FORMAT_INFO_INIT;

	*fi = init;
	fi->version = CHG_VERSION;
	fi->rules = r->rules;
	if (r->files) {
		fi->paths = (const char *const *)r->files->items;
		fi->npaths = r->files->n;
	}
	fi->strict = r->strict;
}

static int write_sarif(struct chg_buf *out, const struct report *r)
{
	struct chg_format_info fi;

	format_info(&fi, r);
	return chg_format_sarif(out, r->diags, &fi);
}

static int write_junit(struct chg_buf *out, const struct report *r)
{
	struct chg_format_info fi;

	format_info(&fi, r);
	return chg_format_junit(out, r->diags, &fi);
}

static int write_tap(struct chg_buf *out, const struct report *r)
{
	return chg_format_tap(out, r->diags, r->files, r->strict, r->bail);
}

static int write_gitlab(struct chg_buf *out, const struct report *r)
{
	return chg_format_gitlab(out, r->diags);
}

static int write_checkstyle(struct chg_buf *out, const struct report *r)
{
	return chg_format_checkstyle(out, r->diags, r->files);
}

/* The values of --format, in the order usage messages list them. */
static const struct format {
	const char *name;
	int (*write)(struct chg_buf *out, const struct report *r);
} formats[] = {
	{ "text", write_text },
	{ "json", write_json },
	{ "github", write_github },
	{ "sarif", write_sarif },
	{ "junit", write_junit },
	{ "tap", write_tap },
	{ "gitlab", write_gitlab },
	{ "checkstyle", write_checkstyle },
};

#define NFORMATS (sizeof(formats) / sizeof(*formats))

static const struct format *find_format(const char *name)
{
	size_t i;

	for (i = 0; i < NFORMATS; i++)
		if (!strcmp(formats[i].name, name))
			return &formats[i];
	return NULL;
}

int chg_cmd_check_format(const struct chg_cmd *cmd, const char *format)
{
	size_t i;

	if (find_format(format))
		return 0;
	fprintf(stderr, "%s: unknown format '%s' (expected ", cmd->name, format);
	for (i = 0; i < NFORMATS; i++)
		fprintf(stderr, "%s%s", i == 0 ? "" : i + 1 < NFORMATS ? ", " : " or ",
			formats[i].name);
	fputs(")\n", stderr);
	return -1;
}

const char *chg_cmd_default_format(void)
{
	const char *actions = getenv("GITHUB_ACTIONS");

	return actions && !strcmp(actions, "true") ? "github" : "text";
}

/*
 * Appends the job summary to the file $GITHUB_STEP_SUMMARY names, when it
 * is set.  A summary that cannot be written is reported, but changes no
 * verdict.
 */
static void write_step_summary(const struct chg_cmd *cmd,
			       const struct chg_diag_list *diags)
{
	struct chg_buf md = CHG_BUF_INIT;
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	FILE *f;
	int ok;

	if (!path || !*path)
		return;
	if (chg_format_github_summary(&md, diags) < 0) {
		chg_cmd_error(cmd, "out of memory; no job summary written");
		return;
	}
	f = fopen(path, "a");
	ok = f && fwrite(md.ptr, 1, md.len, f) == md.len;
	if (f && fclose(f))
		ok = 0;
	if (!ok)
		chg_cmd_error(cmd, "cannot write the job summary to '%s'", path);
	chg_buf_release(&md);
}

int chg_cmd_finish(const struct chg_cmd *cmd, const struct chg_diag_list *diags,
		   const char *format, int rc, const struct chg_buf *err,
		   int strict, long files, const char *invalid)
{
	return chg_cmd_finish_report(cmd, diags, NULL, NULL, format, rc, err,
				     strict, files, invalid);
}

int chg_cmd_finish_report(const struct chg_cmd *cmd,
			  const struct chg_diag_list *diags,
			  const struct chg_strlist *paths,
			  const struct chg_rules *rules, const char *format,
			  int rc, const struct chg_buf *err, int strict,
			  long files, const char *invalid)
{
	struct chg_buf out = CHG_BUF_INIT;
	const struct format *f = find_format(format);
	struct report r;
	size_t nerr = chg_diag_list_count(diags, CHG_SEV_ERROR);
	size_t nwarn = chg_diag_list_count(diags, CHG_SEV_WARNING);
	int status, written;

	r.diags = diags;
	r.files = paths;
	r.strict = strict;
	r.bail = rc < 0 && rc != CHG_EINVALID ?
		(err && err->len ? err->ptr : chg_error_str(rc)) : NULL;
	r.rules = rules;
	written = (f ? f : &formats[0])->write(&out, &r);
	fwrite(out.ptr, 1, out.len, stdout);
	fflush(stdout);
	chg_buf_release(&out);
	if (f && !strcmp(f->name, "github") && (rc == 0 || rc == CHG_EINVALID))
		write_step_summary(cmd, diags);

	if (rc == CHG_EINVALID) {
		chg_cmd_error(cmd, "%s", invalid);
		status = CHG_EXIT_FAILURE;
	} else if (rc < 0) {
		chg_cmd_error(cmd, "%s", r.bail);
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
	if (written < 0) {
		chg_cmd_error(cmd, "out of memory");
		status = CHG_EXIT_FAILURE;
	}
	if (ferror(stdout)) {
		chg_cmd_error(cmd, "cannot write the output");
		status = CHG_EXIT_FAILURE;
	}
	return status;
}

int chg_cmd_version(struct chg_buf *out, const char *program)
{
	/* PCRE2 documents 24 code units as enough for its version */
	char pcre2[64] = "";
	const char *pcre2_version = "unknown";
	int major = 0, minor = 0, rev = 0, rc = 0;

	git_libgit2_version(&major, &minor, &rev);
	if (pcre2_config(PCRE2_CONFIG_VERSION, NULL) <= (int)sizeof(pcre2) &&
	    pcre2_config(PCRE2_CONFIG_VERSION, pcre2) > 0)
		pcre2_version = pcre2;
	rc |= chg_buf_printf(out, "%s %s\n", program, CHG_VERSION);
	rc |= chg_buf_printf(out, "libgit2 %d.%d.%d\n", major, minor, rev);
	rc |= chg_buf_printf(out, "libyaml %s\n", yaml_get_version_string());
	rc |= chg_buf_printf(out, "PCRE2 %s\n", pcre2_version);
	rc |= chg_buf_printf(out, "jansson %s\n", jansson_version_str());
	/* OpenSSL's own string starts with its name */
	rc |= chg_buf_printf(out, "%s\n", OpenSSL_version(OPENSSL_VERSION));
	return rc < 0 ? CHG_ENOMEM : 0;
}

int chg_cmd_print_version(const struct chg_cmd *cmd, const char *program)
{
	struct chg_buf out = CHG_BUF_INIT;
	int status = CHG_EXIT_OK;

	if (chg_cmd_version(&out, program) < 0) {
		chg_cmd_error(cmd, "out of memory");
		status = CHG_EXIT_FAILURE;
	} else {
		fwrite(out.ptr, 1, out.len, stdout);
		if (fflush(stdout) || ferror(stdout)) {
			chg_cmd_error(cmd, "cannot write the output");
			status = CHG_EXIT_FAILURE;
		}
	}
	chg_buf_release(&out);
	return status;
}

int chg_cmd_color(int *out, const struct chg_cmd *cmd, const char *when)
{
	const char *no_color;

	*out = 0;
	if (when && !strcmp(when, "always")) {
		*out = 1;
	} else if (when && !strcmp(when, "never")) {
		*out = 0;
	} else if (!when || !strcmp(when, "auto")) {
		no_color = getenv("NO_COLOR");
		*out = isatty(STDOUT_FILENO) && !(no_color && *no_color);
	} else {
		chg_cmd_error(cmd, "--color '%s' is not auto, always or never",
			      when);
		return -1;
	}
	return 0;
}

void chg_cmd_setup_libgit2(void)
{
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
}
