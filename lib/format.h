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

/* Appends the text form of every diagnostic.  Returns 0 or CHG_ENOMEM. */
int chg_format_text(struct chg_buf *out, const struct chg_diag_list *diags);

/*
 * Appends the JSON form (with a final newline), built with jansson.
 * Returns 0 or CHG_ENOMEM.
 */
int chg_format_json(struct chg_buf *out, const struct chg_diag_list *diags);

#endif
