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
 */
#ifndef CHG_FORMAT_H
#define CHG_FORMAT_H

#include "buf.h"
#include "diag.h"

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

#endif
