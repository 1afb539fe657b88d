/*
 * format.h - diagnostics as text or JSON, for chg-lint and chg.
 *
 * Text, one diagnostic a line (the format compilers and git use):
 *
 *	changes/CHG-0042.yaml:14:3: error: rollback-plan is required for normal changes [required-field]
 *
 * (`path: severity: ...` when the finding has no line).  JSON (RFC 8259),
 * one object:
 *
 *	{"diagnostics": [{"path": "...", "line": 14, "column": 3,
 *	  "severity": "error", "rule": "required-field", "message": "..."}],
 *	 "errors": 1, "warnings": 0, "notes": 0}
 *
 * Lines and columns are 1-based, 0 when absent.
 *
 * SARIF 2.1.0 (format-sarif.c) and JUnit XML (format-junit.c) report the
 * same findings in the same order, with what the rule registry (rules.h)
 * says about each rule and, for JUnit, every file that was checked.
 */
#ifndef CHG_FORMAT_H
#define CHG_FORMAT_H

#include "buf.h"
#include "diag.h"
#include "repo.h"

struct chg_rules;

/*
 * Appends one CSV cell (RFC 4180) to `b`: a comma first unless `first`,
 * nothing for a NULL `s`.  A cell with a comma, a double quote or a line
 * break is quoted, its double quotes doubled.  A cell that starts with
 * = + - @, a tab or a carriage return gets a leading single quote, so
 * that a spreadsheet shows text from a change request as text instead of
 * running it as a formula (CSV injection); that is the only change made
 * to a value.  Allocation failures are left in `b` as for chg_buf.
 */
void chg_format_csv_cell(struct chg_buf *b, const char *s, int first);

/* Appends the text form of every diagnostic.  Returns 0 or CHG_ENOMEM. */
int chg_format_text(struct chg_buf *out, const struct chg_diag_list *diags);

/*
 * Appends the JSON form (with a final newline), built with jansson.
 * Returns 0 or CHG_ENOMEM.
 */
int chg_format_json(struct chg_buf *out, const struct chg_diag_list *diags);

/*
 * The formats for CI services (chg-lint --format github, tap, gitlab,
 * checkstyle).  Each shows the same findings in the same order as
 * chg_format_text, as UTF-8 (bytes that are not UTF-8, as a file name may
 * hold, become U+FFFD), the same for the same input.  Each appends to
 * `out` and returns 0 or CHG_ENOMEM.
 *
 * Those that list every file linted take `files`: the change request
 * files read (chg_lint_stats.paths), or NULL; a file a finding names
 * (the policy, the repository's ".chg") is listed too.
 */

/*
 * Stores in `out` (empty, owned by the caller: chg_strlist_release) the
 * paths of `files` (NULL: none) and of the findings of `diags`, sorted
 * bytewise, each once: the files a report lists.  Returns 0 or CHG_ENOMEM.
 */
int chg_format_report_paths(struct chg_strlist *out,
			    const struct chg_diag_list *diags,
			    const struct chg_strlist *files);

/*
 * Appends `s` with each byte sequence that is not UTF-8 (overlong forms
 * and surrogates included) replaced by U+FFFD.  Returns 0 or CHG_ENOMEM.
 */
int chg_format_put_utf8(struct chg_buf *out, const char *s);

/*
 * GitHub Actions workflow commands, one a finding:
 *
 *	::error file=changes/CHG-0042.yaml,line=14,col=3,title=required-field::14:3: rollback-plan is required for normal changes
 *
 * `::warning` and `::notice` for warnings and notes.  The message starts
 * with "LINE:COLUMN: " (the log shows no position otherwise); a finding
 * without a line has neither the line and col properties nor that
 * prefix, one without a column no col property.  In the message `%`, CR
 * and LF are written %25, %0D and %0A; in property values also `:` and
 * `,` (%3A, %2C).
 */
int chg_format_github(struct chg_buf *out, const struct chg_diag_list *diags);

/*
 * The job summary for $GITHUB_STEP_SUMMARY (GitHub shows 10 annotations
 * of each kind a step; this lists all): a Markdown heading with the
 * counts and, when there are findings, a table of them (severity, file,
 * line:column, rule, message) in which Markdown's special characters are
 * backslash-escaped and line breaks are written <br>.
 */
int chg_format_github_summary(struct chg_buf *out,
			      const struct chg_diag_list *diags);

/*
 * TAP version 14: the plan "1..N" for the N files of
 * chg_format_report_paths, then a test point a file, in that order:
 * "ok K - PATH" (PATH with `\` and `#` backslash-escaped), or "not ok"
 * when it has an error (or a warning and `strict`), followed, when it has
 * findings, by a YAML block indented two spaces:
 *
 *	not ok 1 - changes/CHG-0042.yaml
 *	  ---
 *	  findings:
 *	    - severity: error
 *	      rule: "required-field"
 *	      line: 14
 *	      column: 3
 *	      message: "rollback-plan is required for normal changes"
 *	  ...
 *
 * Strings are YAML double-quoted scalars.  When `bail` is not NULL (the
 * run could not finish) "Bail out! BAIL" ends the stream.
 */
int chg_format_tap(struct chg_buf *out, const struct chg_diag_list *diags,
		   const struct chg_strlist *files, int strict,
		   const char *bail);

/*
 * A GitLab Code Quality report (a JSON array, no BOM, built with
 * jansson), one object a finding:
 *
 *	{"description": MESSAGE, "check_name": RULE, "fingerprint": HEX,
 *	 "severity": "major", "location": {"path": PATH,
 *	 "lines": {"begin": LINE}}}
 *
 * Severity: error is "major", warning "minor", note "info" ("critical"
 * and "blocker" are left for what breaks a service, which a change
 * request finding does not).  begin is the line, 1 for a finding without
 * one.  The fingerprint is the lowercase hex SHA-256 of the path, rule,
 * message and the number of earlier findings with all three equal (each
 * NUL-terminated, the number in decimal): unique a finding, and the same
 * when lines move, so that GitLab follows a finding across commits.
 */
int chg_format_gitlab(struct chg_buf *out, const struct chg_diag_list *diags);

/*
 * Checkstyle XML (version 4.3, for reviewdog and Jenkins): a <file> for
 * each of the files of chg_format_report_paths, empty for a clean one,
 * holding an <error line= column= severity= message= source="chg.RULE"/>
 * a finding (line and column left out when 0; severity error, warning or
 * info).  Attribute values escape & < > " ' and write tab, LF and CR as
 * character references; the characters XML 1.0 forbids become U+FFFD.
 */
int chg_format_checkstyle(struct chg_buf *out,
			  const struct chg_diag_list *diags,
			  const struct chg_strlist *files);

/* What the SARIF and JUnit reports say besides the diagnostics. */
struct chg_format_info {
	const char *version;          /* the tool's version, e.g. "0.1.0" */
	const struct chg_rules *rules; /* the registry joined with the
					 policy's rules, or NULL: the
					 built-in registry alone */
	const char *const *paths;     /* the files checked (repository-
					 relative), in any order, or NULL */
	size_t npaths;
	int strict;                   /* warnings fail too (--strict) */
};

#define CHG_FORMAT_INFO_INIT { "", NULL, NULL, 0, 0 }

/*
 * Appends a SARIF 2.1.0 log (with a final newline), built with jansson:
 * one run whose tool.driver (name "chg-lint", the version, its
 * informationUri) lists every rule of info->rules with shortDescription
 * (the summary), fullDescription and help (the help text), helpUri (the
 * rule's entry in chg-lint(1); none for a rule of the policy) and
 * defaultConfiguration.level; then one result per diagnostic, in the
 * order of `diags`: ruleId, ruleIndex, level (error, warning or note),
 * message.text, a location whose artifactLocation.uri is the path
 * (percent-encoded, relative to uriBaseId %SRCROOT%, the repository's
 * root) and, when the diagnostic has a line, a region with 1-based
 * startLine and startColumn (code points, run.columnKind
 * "unicodeCodePoints"); partialFingerprints "chgFinding/v1": the SHA-256
 * of the path, rule id and message (line numbers in it left out) and the
 * occurrence of that hash, so that it does not change when unrelated
 * lines move; and, for a finding about a commit of a range (a message
 * starting "in COMMIT: "), properties.commit.  Returns 0 or CHG_ENOMEM.
 */
int chg_format_sarif(struct chg_buf *out, const struct chg_diag_list *diags,
		     const struct chg_format_info *info);

/*
 * Appends a JUnit XML report: <testsuites> with one <testsuite name=PATH>
 * per file, the files of info->paths and of the diagnostics, sorted
 * bytewise; in each, one <testcase classname=DOTTED name=RULE time="0">
 * per rule with findings in that file, in the order of `diags`, where
 * DOTTED is the path without its extension, '/' made '.'
 * (changes.acme.CHG-0039).  A testcase fails (<failure message= type=>
 * holding the text form of its findings) when it has an error, or a
 * warning and info->strict; type is the most severe of those findings'
 * severities, and message the first one's message.  Its other findings
 * are in <system-out>.  A file without findings has one passing testcase
 * named "chg-lint", so that the report counts what was checked.  Text is
 * escaped for XML 1.0; bytes that are not UTF-8 and characters XML does
 * not allow become U+FFFD.  Returns 0 or CHG_ENOMEM.
 */
int chg_format_junit(struct chg_buf *out, const struct chg_diag_list *diags,
		     const struct chg_format_info *info);

#endif
