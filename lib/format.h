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
