/*
 * cond.h - conditions over a change request (DESIGN section 4).
 *
 * A condition (`when:` in a policy) is a mapping of dotted field paths to
 * what must hold for them; all entries must hold:
 *
 *	when: {type: emergency}                 the value equals
 *	when: {risk.level: [high, critical]}    the value is one of
 *	when: {systems: {matches: '^db-prod'}}  a PCRE2 pattern matches
 *	when: {incident: {present: true}}       the field is present (non-null)
 *	when: {impact.users: {min: 100}}        a number at least / at most
 *	when: {impact.users: {min: 1, max: 5}}  (min and max may be combined)
 *	when: {window.start: {before: now+48h}} a time before / after
 *	when: {window.end: {after: 2026-12-20, before: 2027-01-04T00:00:00Z}}
 *	when: {any: [{type: emergency}, {risk.level: critical}]}
 *	when: {not: {client: acme}}
 *
 * A condition on a list field holds when any item satisfies it; `a[].b`
 * reaches into a list of maps.  Scalars compare as YAML values: plain bools
 * as bools (true == True), plain integers numerically, everything else by
 * their text.
 *
 * A time test compares the field's value, read as an RFC 3339 date-time or
 * a date (midnight UTC), with a bound: `now`, `now+DURATION`, `now-DURATION`
 * (DURATION as chg_duration_parse reads it), a date-time or a date.
 * `before` holds when the value is earlier than the bound, `after` when it
 * is later (both strict); a value that is no time never holds.  `now` is
 * the time given to chg_cond_eval.
 *
 * Conditions are compiled once per policy load (patterns included) and
 * evaluated against each change request.  A compiled condition borrows the
 * policy's nodes for its values: the policy tree must outlive it.
 *
 *	struct chg_cond *c;
 *	if (chg_cond_compile(&c, when_node, ".chg/policy.yaml", &diags) == 0 &&
 *	    chg_cond_eval(c, change_root, now) == 1)
 *		...
 *	chg_cond_free(c);
 */
#ifndef CHG_COND_H
#define CHG_COND_H

#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "node.h"

struct chg_cond;

/*
 * Compiles the condition `when` (a mapping).  Problems (unknown operator,
 * bad pattern with PCRE2's message and offset, bad time bound, wrong types,
 * a null pattern, an empty field path) are added to `diags` as invalid-policy errors at the offending node's
 * position in `path`.  Returns 0 and stores the condition in *out (free
 * with chg_cond_free), CHG_EINVALID (diagnostics added, *out NULL) or
 * CHG_ENOMEM.
 */
int chg_cond_compile(struct chg_cond **out, const struct chg_node *when,
		     const char *path, struct chg_diag_list *diags);

/*
 * Compiles a single field test: `path` (dotted) and `spec`, which is a
 * value, a list of values or a matcher map ({matches:}, {present:}, either
 * or both of {min:, max:}, either or both of {before:, after:}).  Used for
 * a rule's `require` and `forbid` entries.  Returns as chg_cond_compile.
 */
int chg_cond_compile_field(struct chg_cond **out, const char *field,
			   const struct chg_node *spec, const char *path,
			   struct chg_diag_list *diags);

/*
 * Evaluates `c` against the document `doc` at the time `now` (seconds
 * since the epoch: the `now` of time tests).  Returns 1 when it holds, 0
 * when it does not, CHG_ELIMIT when a pattern hit its match limit (the
 * condition is then neither true nor false: the caller reports it),
 * CHG_ENOMEM.
 */
int chg_cond_eval(const struct chg_cond *c, const struct chg_node *doc,
		  int64_t now);

/*
 * When `c` is a single field test, returns its dotted field path (owned by
 * `c`), else NULL.  Used to word messages ("... for normal changes").
 */
const char *chg_cond_field(const struct chg_cond *c);

/*
 * Returns the dotted path of the first field `c` tests (depth first, in the
 * order written), or NULL when it tests none.  Used to place a finding
 * where its cause is written.
 */
const char *chg_cond_first_field(const struct chg_cond *c);

/*
 * As chg_cond_field, but only when the test compares the field with a
 * value or a list of values (so that quoting the document's value explains
 * why the condition holds); else NULL.
 */
const char *chg_cond_value_field(const struct chg_cond *c);

/*
 * Appends a short English description of `c` ("risk.level is high or
 * critical", "systems matches '^db-prod'", "window.start is before
 * now+48h") to `out`; time bounds are shown as the policy wrote them.
 * Returns 0 or CHG_ENOMEM.
 */
int chg_cond_describe(struct chg_buf *out, const struct chg_cond *c);

/*
 * Collects the nodes that the dotted `field` path (with `[]` steps) reaches
 * in `doc` into `out` (an array of at most `max` pointers owned by `doc`).
 * Returns how many were found (never more than max).
 */
size_t chg_cond_resolve(const struct chg_node **out, size_t max,
			const struct chg_node *doc, const char *field);

/* Frees a condition.  NULL-safe. */
void chg_cond_free(struct chg_cond *c);

/*
 * Compares two scalars as YAML values (see above).  Returns 1 when equal.
 */
int chg_scalar_equal(const struct chg_node *a, const struct chg_node *b);

#endif
