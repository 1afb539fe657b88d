/*
 * rules.h - the rule registry: every rule id chg reports, with its default
 * severity, whether a waiver may excuse it, a one-line summary and the
 * help `chg-lint --explain` prints (DESIGN sections 6 and 7).  The checks,
 * --explain, waivers and the output formats all read it; the rules of a
 * policy's `rules:` join it at run time with what the policy says.
 *
 * The built-in table is static and never changes.  A run-time set
 * (struct chg_rules) starts as a copy of it and takes the policy's rules:
 *
 *	struct chg_rules rules;
 *	if (chg_rules_init(&rules) == 0 &&
 *	    chg_rules_add_policy(&rules, policy) == 0)
 *		info = chg_rules_find(&rules, "tested-rollback-for-high-risk");
 *	chg_rules_release(&rules);
 *
 * Ownership: the built-in entries and their strings are static; a set owns
 * its array and the strings it copied from the policy (chg_rules_release
 * frees them), so it outlives the policy.
 */
#ifndef CHG_RULES_H
#define CHG_RULES_H

#include <stddef.h>

#include "diag.h"

struct chg_policy;

/*
 * Where the help of each rule is published: the HTML form of chg-lint(1),
 * whose "Rule ids" list has an anchor per rule id (mandoc -Thtml).  A
 * build may point it elsewhere with -DCHG_RULES_DOC_URI='"..."'.
 */
#ifndef CHG_RULES_DOC_URI
#define CHG_RULES_DOC_URI "https://chg.example.org/man/chg-lint.1.html"
#endif

/* Who reports a rule. */
enum chg_rule_kind {
	CHG_RULE_CHECK = 0, /* a built-in check of chg-lint, as chg-lint(1)
			       lists them under "Rule ids" */
	CHG_RULE_SCHEDULE,  /* a schedule rule (DESIGN section 8): windows,
			       blackouts, notice, conflicts */
	CHG_RULE_AUDIT,     /* found by chg audit --verify in history */
	CHG_RULE_POLICY     /* a rule of the policy's rules: (run time) */
};

struct chg_rule_info {
	const char *id;
	enum chg_rule_kind kind;
	enum chg_severity severity; /* the default severity */
	/* what --explain prints as the severity when it is more than the
	   name of the default (it depends on the case), or NULL */
	const char *severity_text;
	int waivable;               /* 0: no waiver may excuse it, whatever
				       the policy says */
	const char *summary;        /* one line, lowercase start, no final
				       period */
	const char *help;           /* one paragraph, not wrapped */
	const char *failing;        /* a failing example, YAML, or NULL
				       when it depends on the policy */
	const char *passing;        /* a passing example, or NULL */
};

/* The number of built-in rules. */
size_t chg_rule_count(void);

/* Returns built-in rule number `i` (0-based), or NULL past the last. */
const struct chg_rule_info *chg_rule_at(size_t i);

/* Returns the built-in rule `id`, or NULL when there is none. */
const struct chg_rule_info *chg_rule_lookup(const char *id);

/* Returns "check", "schedule", "audit" or "policy". */
const char *chg_rule_kind_name(enum chg_rule_kind kind);

/*
 * Returns 1 when a waiver may excuse the findings of `id` under `policy`:
 * the registry does not forbid it (an id the registry does not hold, such
 * as a rule of the policy, may be waived) and the policy's
 * waivers.not-waivable does not list it; else 0.
 */
int chg_rules_waivable(const struct chg_policy *policy, const char *id);

/* The built-in rules joined with the rules of a policy. */
struct chg_rules {
	struct chg_rule_info *items;
	size_t n;
	size_t alloc;
	char **owned;     /* the strings copied from the policy */
	size_t nowned;
	size_t allocowned;
};

/*
 * Sets up `rules` with every built-in rule, in the registry's order.
 * Returns 0 or CHG_ENOMEM (`rules` is then empty but may be released).
 */
int chg_rules_init(struct chg_rules *rules);

/* Frees what `rules` holds and leaves it empty.  NULL-safe. */
void chg_rules_release(struct chg_rules *rules);

/*
 * Adds the rules of `policy`'s rules: (CHG_RULE_POLICY), in the policy's
 * order, with the policy's severity; the summary is the rule's message
 * (or "FIELD does not meet rule ID" in words when it has none) and the
 * help its description followed by the summary.  A policy rule with the
 * id of a rule already in the set replaces it in place (the policy's word
 * wins: both report under that id).  Nothing of the policy is borrowed.
 * Returns 0 or CHG_ENOMEM.
 */
int chg_rules_add_policy(struct chg_rules *rules,
			 const struct chg_policy *policy);

/* Returns the rule `id` of the set, or NULL. */
const struct chg_rule_info *chg_rules_find(const struct chg_rules *rules,
					   const char *id);

#endif
