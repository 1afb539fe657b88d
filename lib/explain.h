/*
 * explain.h - the effective policy explained to people: what a rule id
 * checks (`chg-lint --explain RULE`) and the merged policy as one file that
 * stands alone (`chg policy show`).
 *
 * A rule id is either one of the built-in rules (the rule registry,
 * rules.h: what it checks, a failing and a passing example) or the id of a rule in
 * the effective policy's `rules:` (its condition, what it requires or
 * forbids, where it is defined, and examples generated from the rule and
 * checked against it).  Descriptions that depend on the policy (the risk
 * questions and level thresholds of risk-understated, the approval rules
 * of missing-approval, ...) are read from the policy given.
 *
 * Ownership: an explanation owns its buffers (chg_explanation_release
 * frees them); `id` and `message` are borrowed from the policy or static.
 *
 *	struct chg_explanation e;
 *	chg_explanation_init(&e);
 *	if (chg_explain_policy_rule(&e, policy, "missing-review", now) == 0 ||
 *	    chg_explain_check(&e, policy, "missing-review", now) == 0)
 *		printf("%s: %s\n", e.id, e.description.ptr);
 *	chg_explanation_release(&e);
 */
#ifndef CHG_EXPLAIN_H
#define CHG_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "node.h"
#include "policy.h"

/* The source of a built-in check. */
#define CHG_EXPLAIN_BUILTIN_CHECK "built-in (chg-lint)"
/* The source of a rule of the built-in policy. */
#define CHG_EXPLAIN_BUILTIN_POLICY "built-in policy"

struct chg_explanation {
	const char *id;
	int policy_rule;          /* 1: a rule of the policy's rules: */
	struct chg_buf source;    /* CHG_EXPLAIN_BUILTIN_CHECK,
				     CHG_EXPLAIN_BUILTIN_POLICY or FILE:LINE */
	struct chg_buf severity;  /* "error", "warning", "note", or a phrase
				     when it depends on the policy or case */
	struct chg_buf when;      /* policy rule: its condition ("always") */
	struct chg_buf requires;  /* policy rule: "; "-separated tests, or "" */
	struct chg_buf forbids;   /* policy rule: as requires */
	const char *message;      /* policy rule: its message, or NULL */
	struct chg_buf description; /* one paragraph, not wrapped */
	struct chg_buf failing;   /* a YAML snippet ("" when none could be
				     made); may hold comments */
	struct chg_buf passing;
};

/* Sets up an empty explanation.  Never fails. */
void chg_explanation_init(struct chg_explanation *e);

/* Frees what `e` holds and leaves it empty.  NULL-safe. */
void chg_explanation_release(struct chg_explanation *e);

/*
 * Returns the id of chg-lint's built-in check number `i` (0-based, in the
 * order chg-lint(1) lists them: the registry's CHG_RULE_CHECK entries), or
 * NULL past the last one.
 */
const char *chg_explain_check_id(size_t i);

/*
 * Explains the built-in rule `id` (any of the registry's: a check, a
 * schedule or an audit rule) under `policy` into `out` (set up with
 * chg_explanation_init; its content is replaced).  Returns 0,
 * CHG_ENOTFOUND when the registry has no such id, or CHG_ENOMEM.
 */
int chg_explain_check(struct chg_explanation *out,
		      const struct chg_policy *policy, const char *id,
		      int64_t now);

/*
 * Explains the rule `id` of the policy's `rules:` into `out`: where it is
 * defined (the file and line of its entry, or CHG_EXPLAIN_BUILTIN_POLICY),
 * its condition, tests, severity and message, and examples: a change
 * request fragment for which the condition holds and a test fails, and one
 * for which every test passes.  Each example is evaluated against the rule
 * at the time `now` (seconds since the epoch; time tests use it) before it
 * is given; one that cannot be made is left empty.  Returns 0,
 * CHG_ENOTFOUND, or CHG_ENOMEM.
 */
int chg_explain_policy_rule(struct chg_explanation *out,
			    const struct chg_policy *policy, const char *id,
			    int64_t now);

/*
 * Stores in out[0..max) the rule ids (built-in checks and the policy's
 * rules) that are close to the unknown `id` - a small edit distance, or
 * one contains the other - closest first.  The pointers are static or
 * owned by the policy.  Returns how many were stored.
 */
size_t chg_explain_similar(const char **out, size_t max,
			   const struct chg_policy *policy, const char *id);

/*
 * Makes a copy of the policy's merged tree that is a whole policy file on
 * its own: `extends: none` (after `version`), and each group that the
 * built-in approval rules name but approvals.groups does not define is
 * defined empty (no one can approve from it either way; the check that
 * groups exist is waived only for the built-in file).  Appends the names of
 * the groups added, ", "-separated, to `added` (may be NULL).  Returns 0
 * and stores the tree in *out (free with chg_node_free), or CHG_ENOMEM.
 */
int chg_explain_standalone(struct chg_node **out, struct chg_buf *added,
			   const struct chg_policy *policy);

#endif
