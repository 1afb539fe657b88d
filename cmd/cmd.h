/*
 * cmd.h - the subcommands of chg (one file each: cmd/chg-<verb>.c) and
 * what they share.  Each cmd_<verb> parses its own options, calls lib/,
 * prints, and returns the process exit status:
 *
 *   0  success, no errors found
 *   1  findings (errors; warnings too with --strict)
 *   2  usage error
 *   3  could not run (no repository, unreadable file, invalid policy)
 */
#ifndef CHG_CMD_H
#define CHG_CMD_H

#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "repo.h"

#define CHG_VERSION "0.1.0"

enum {
	CHG_EXIT_OK = 0,
	CHG_EXIT_FINDINGS = 1,
	CHG_EXIT_USAGE = 2,
	CHG_EXIT_FAILURE = 3
};

/* What every subcommand gets besides its arguments. */
struct chg_cmd {
	const char *name;   /* "chg-lint", "chg lint", ... for messages */
	const char *dir;    /* -C DIR, or "." */
};

/*
 * Sets libgit2 up for the whole process, as the mains do before a command
 * runs: library code leaves libgit2's global options alone.  Objects are
 * not hashed again when read (git does not either; fsck does), and the
 * object cache is off: the history walk reads most objects once, and the
 * cache cost it memory (730 MB at 100,000 commits, against 130 MB without)
 * and time.
 */
void chg_cmd_setup_libgit2(void);

int cmd_lint(int argc, char **argv, const struct chg_cmd *cmd);
int cmd_digest(int argc, char **argv, const struct chg_cmd *cmd);
int cmd_check_message(int argc, char **argv, const struct chg_cmd *cmd);
int cmd_policy(int argc, char **argv, const struct chg_cmd *cmd);
int cmd_log(int argc, char **argv, const struct chg_cmd *cmd);
int cmd_approve(int argc, char **argv, const struct chg_cmd *cmd);
int cmd_reject(int argc, char **argv, const struct chg_cmd *cmd);
int cmd_report(int argc, char **argv, const struct chg_cmd *cmd);
int cmd_show(int argc, char **argv, const struct chg_cmd *cmd);
int cmd_audit(int argc, char **argv, const struct chg_cmd *cmd);
int cmd_calendar(int argc, char **argv, const struct chg_cmd *cmd);
int cmd_init(int argc, char **argv, const struct chg_cmd *cmd);
int cmd_new(int argc, char **argv, const struct chg_cmd *cmd);
int cmd_gate(int argc, char **argv, const struct chg_cmd *cmd);

/*
 * Prints "NAME: MESSAGE\n" to standard error (git's usage.c style:
 * lowercase, no final period).
 */
void chg_cmd_error(const struct chg_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Ends a command that reports diagnostics as chg-lint does: prints `diags`
 * to standard output as `format` ("text", "json", "sarif" or "junit"), then picks the exit
 * status from `rc`, the library's return code:
 *   CHG_EINVALID  prints `invalid` ("the policy is invalid; fix the errors
 *                 above") and returns CHG_EXIT_FAILURE;
 *   other < 0     prints `err` (or the code's description), CHG_EXIT_FAILURE;
 *   0             CHG_EXIT_FINDINGS when there are errors (or warnings and
 *                 `strict`), else CHG_EXIT_OK, with a summary on standard
 *                 error when anything was reported ("N errors, M warnings",
 *                 plus " in F files" when `files` is not negative).
 * A failed write to standard output is CHG_EXIT_FAILURE.
 */
int chg_cmd_finish(const struct chg_cmd *cmd, const struct chg_diag_list *diags,
		   const char *format, int rc, const struct chg_buf *err,
		   int strict, long files, const char *invalid);

struct chg_rules;

/*
 * As chg_cmd_finish, for every format chg_cmd_check_format knows:
 * `paths` are the files linted (chg_lint_stats.paths), which the formats
 * that list each file (tap, checkstyle, junit) show, or NULL; `rules` the
 * registry joined with the policy's rules (rules.h), which sarif
 * describes, or NULL for the built-in registry alone.  With "github" the
 * job summary (chg_format_github_summary) is also appended to the file
 * $GITHUB_STEP_SUMMARY names, when it is set and the run completed; a
 * summary that cannot be written is reported on standard error and
 * changes no exit status.  With "tap", a run that could not finish (rc <
 * 0 but CHG_EINVALID) ends with "Bail out!" and the reason.  A format it
 * does not know prints as text.
 */
int chg_cmd_finish_report(const struct chg_cmd *cmd,
			  const struct chg_diag_list *diags,
			  const struct chg_strlist *paths,
			  const struct chg_rules *rules, const char *format,
			  int rc, const struct chg_buf *err, int strict,
			  long files, const char *invalid);

/*
 * Returns 0 when `format` is a value of chg-lint's --format (text, json,
 * github, sarif, junit, tap, gitlab, checkstyle), else -1 with an error printed that
 * lists them (a usage error).
 */
int chg_cmd_check_format(const struct chg_cmd *cmd, const char *format);

/*
 * The format of chg-lint's diagnostics when no --format is given:
 * "github" when the environment variable GITHUB_ACTIONS is "true" (a
 * GitHub Actions runner), else "text".  A static string.
 */
const char *chg_cmd_default_format(void);

/*
 * Says what getopt_long (with opterr 0 and an optstring starting ':')
 * found wrong in the option it just read: `c` ':' a missing value, else
 * an unknown option, named from argv[optind - 1].  The caller prints its
 * usage and returns CHG_EXIT_USAGE.
 */
void chg_cmd_option_error(const struct chg_cmd *cmd, int c, char **argv);

/*
 * Reads the clock: `text` (an RFC 3339 date-time), else the CHG_NOW
 * environment variable, else the system time.  Returns 0, or -1 with an
 * error printed when the given text is not a valid date-time.
 */
int chg_cmd_now(int64_t *out, const struct chg_cmd *cmd, const char *text);

/*
 * Picks the pinned root of trust: `text` (the --trust-root value), else
 * the CHG_TRUST_ROOT environment variable when set and not empty, else
 * NULL (the library then reads the git config chg.trustRoot).  Stores the
 * value in *out and where it came from ("--trust-root", "CHG_TRUST_ROOT")
 * in *origin; both point into argv or the environment.  Returns 0, or -1
 * with an error printed when the value is not a commit id of 4 to 40 hex
 * digits (a usage error).
 */
int chg_cmd_trust_root(const char **out, const char **origin,
		       const struct chg_cmd *cmd, const char *text);

/*
 * Appends what --version prints to `out`: "PROGRAM X.Y.Z" (`program` is
 * "chg" or "chg-lint"), then one line each with the version of the
 * libraries as loaded at run time: libgit2, libyaml, PCRE2, jansson and
 * OpenSSL.  Returns 0, or CHG_ENOMEM (`out` may then hold part of it).
 */
int chg_cmd_version(struct chg_buf *out, const char *program);

/*
 * Prints chg_cmd_version's text for `program` to standard output.
 * Returns the exit status: CHG_EXIT_OK, or CHG_EXIT_FAILURE with an error
 * printed when it could not be made or written.
 */
int chg_cmd_print_version(const struct chg_cmd *cmd, const char *program);

/*
 * Decides whether a command colours its standard output, from `when`, the
 * --color value: "always", "never", or "auto" (also when NULL): colour
 * only when standard output is a terminal and the NO_COLOR environment
 * variable is unset or empty.  Stores 1 (colour) or 0 in *out.  Returns
 * 0, or -1 with an error printed when `when` is none of those (a usage
 * error).
 */
int chg_cmd_color(int *out, const struct chg_cmd *cmd, const char *when);

#endif
