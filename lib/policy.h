/*
 * policy.h - the policy: which files are change requests, their schema,
 * conditional rules, risk scoring, approval rules, schedule, and the rules
 * no waiver may excuse (DESIGN section 4; chg-policy(5)).
 *
 * The rules are data.  The built-in policy is templates/policy.yaml,
 * compiled into the binaries; a repository's .chg/policy.yaml merges over it
 * (`extends: default`: mappings merge key by key, a list replaces the
 * default's list) or replaces it (`extends: none`).  The merged tree is
 * validated (unknown keys, types, regular expressions, references between
 * sections) with positions in the file each node came from, then compiled:
 * every pattern and condition is compiled once here.
 *
 * Ownership: chg_policy_load returns a heap object; chg_policy_free frees it
 * and everything it holds.  Every pointer inside is owned by the policy.
 *
 *	struct chg_policy *policy;
 *	if (chg_policy_load(&policy, buf, len, ".chg/policy.yaml", &diags) < 0)
 *		return 3;   // diags say why, at the policy's lines
 *	for (i = 0; i < policy->npaths; i++)
 *		puts(policy->paths[i]);
 *	chg_policy_free(policy);
 */
#ifndef CHG_POLICY_H
#define CHG_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "cond.h"
#include "diag.h"
#include "node.h"
#include "pattern.h"

/* The name the built-in policy goes by in diagnostics. */
#define CHG_POLICY_BUILTIN "<built-in policy>"

enum chg_type {
	CHG_TYPE_ANY = 0, CHG_TYPE_STRING, CHG_TYPE_TEXT, CHG_TYPE_INT,
	CHG_TYPE_BOOL, CHG_TYPE_ENUM, CHG_TYPE_IDENTITY, CHG_TYPE_DATE,
	CHG_TYPE_DATETIME, CHG_TYPE_DURATION, CHG_TYPE_LIST, CHG_TYPE_MAP
};

enum chg_required { CHG_REQ_NEVER = 0, CHG_REQ_ALWAYS, CHG_REQ_WHEN };

/* The schema of one field (or of the items of a list). */
struct chg_schema {
	const char *name;             /* the field's key; "items" for items */
	const struct chg_node *node;  /* where it is defined */
	enum chg_type type;
	const struct chg_node *values; /* enum values (a sequence) or NULL */
	struct chg_pattern *pattern;   /* or NULL */
	int has_min, has_max;
	long long min, max;            /* int bounds */
	long long min_items, max_items; /* -1 when unset */
	long long max_length;          /* bytes; -1 when unset */
	struct chg_schema *items;      /* schema of list items, or NULL */
	struct chg_schema *fields;     /* schemas of a map's fields */
	size_t nfields;
	int closed;                    /* map: unknown keys are reported */
	enum chg_required required;
	struct chg_cond *required_when;
};

/* A conditional rule from `rules:`. */
struct chg_rule {
	const char *id;
	const struct chg_node *node;
	struct chg_cond *when;         /* NULL: always */
	struct chg_cond **require;     /* each must hold */
	const char **require_fields;   /* the field each tests */
	size_t nrequire;
	struct chg_cond **forbid;      /* none may hold */
	const char **forbid_fields;
	size_t nforbid;
	enum chg_severity severity;
	const char *message;           /* or NULL */
};

struct chg_risk_level {
	const char *name;
	long long min_score;
};

struct chg_risk_condition {
	struct chg_cond *when;
	size_t level;                  /* index into risk_levels */
	const struct chg_node *node;
};

struct chg_approval_rule {
	struct chg_cond *when;         /* NULL: always */
	long long required;
	const struct chg_node *from;   /* sequence of group names, or NULL */
	const struct chg_node *node;
};

struct chg_catalog;
struct chg_schedule;

struct chg_policy {
	struct chg_node *root;         /* the merged tree */
	const char *path;              /* the repository's policy file or
					  CHG_POLICY_BUILTIN */

	/* changes: */
	const char **paths;            /* globs; `**` spans directories */
	size_t npaths;
	const char *id_field;
	struct chg_pattern *id_pattern; /* or NULL */
	int filename_matches_id;
	int unknown_fields;            /* severity, or -1 to ignore */

	/* lifecycle: (state_field NULL when the policy has none) */
	const char *state_field;
	const struct chg_node *states;   /* sequence */
	const struct chg_node *approved; /* sequence */
	const struct chg_node *transitions; /* map: state -> sequence of the
					      states it may change to; NULL:
					      any change is allowed */
	const struct chg_node *implemented; /* sequence: states in which the
					      change has been carried out
					      (review deadlines apply) */

	const struct chg_node *clients;  /* sequence or NULL */

	struct chg_schema schema;      /* the record: a map with `fields` */

	struct chg_rule *rules;
	size_t nrules;

	/* risk: (nrisk_levels 0 when the policy has none) */
	const char **risk_questions;
	size_t nrisk_questions;
	struct chg_risk_level *risk_levels; /* ascending min_score */
	size_t nrisk_levels;
	struct chg_risk_condition *risk_conditions;
	size_t nrisk_conditions;

	/* approvals: (has_approvals 0 when the policy has none) */
	int has_approvals;
	int require_signature;
	/* approvals.require-signed-edits (default false): every commit that
	   changes a change request's covered content needs a verified
	   signature (unsigned-edit), and only verified signers of such
	   commits are excluded from approving it (DESIGN section 5, rule 4) */
	int require_signed_edits;
	int separation_of_duties;
	const struct chg_node *groups;  /* map: name -> sequence of emails */
	struct chg_approval_rule *approval_rules;
	size_t napproval_rules;
	/* approvals.trust: the approvals a trust change (a commit that changes
	   the policy, the trust files or the catalog: trust.h) needs, judged
	   under the policy as it was before the change.  `when` is NULL.
	   Without approvals.trust (extends: none) it is 2 from cab, as in
	   the built-in policy; without an approvals section, 0. */
	struct chg_approval_rule trust_rule;
	const char **not_covered;       /* NULL-terminated */

	/* schedule: */
	const struct chg_node *review_within; /* map: type -> duration */
	/* timezone, notice, conflicts, blackouts, maintenance-windows and
	   clients' zones, compiled (schedule.h); never NULL in a loaded
	   policy.  Owned. */
	struct chg_schedule *schedule;

	/* waivers: the rule ids of waivers.not-waivable, NULL-terminated, or
	   NULL without that list; chg_policy_not_waivable_minimum holds in
	   any case (chg_policy_waivable) */
	const char **not_waivable;

	struct chg_node *trust_default; /* owned: `from` of the default */

	/* The standard-change catalog (.chg/catalog/) of the same source as
	   the policy, when the loader read it (lint.h loads both); NULL when
	   none was read: then no change is standard for the approval rules
	   (approval.h).  Owned: chg_policy_free releases it. */
	struct chg_catalog *catalog;

	/* strings the compiled parts point into */
	char **strings;
	size_t nstrings;
};

/*
 * Loads the built-in policy and, when `buf` is not NULL, merges the `len`
 * bytes at `buf` (a policy file named `path` in diagnostics) over it
 * according to its `extends`.  Problems are added to `diags` with rule id
 * invalid-policy (or the loader's yaml-syntax, duplicate-key, ...) at
 * their file, line and column.
 *
 * Returns 0 and stores the policy in *out (free with chg_policy_free);
 * CHG_EINVALID when the policy is unusable (an error diagnostic was added,
 * *out is NULL); CHG_ENOMEM.
 */
int chg_policy_load(struct chg_policy **out, const char *buf, size_t len,
		    const char *path, struct chg_diag_list *diags);

/* Frees a policy.  NULL-safe. */
void chg_policy_free(struct chg_policy *policy);

/*
 * Returns 1 when `path` (repository-relative, '/'-separated) matches one of
 * the policy's change paths, else 0.
 */
int chg_policy_is_change_path(const struct chg_policy *policy,
			      const char *path);

/*
 * Returns 1 when `state` is one of the lifecycle's approved states (those
 * that need the approvals the policy requires), else 0.
 */
int chg_policy_state_needs_approval(const struct chg_policy *policy,
				    const char *state);

/*
 * Returns 1 when a change request's waiver may excuse findings of the rule
 * `rule` (it is not in the policy's waivers.not-waivable, nor in the
 * minimum below), else 0.
 */
int chg_policy_waivable(const struct chg_policy *policy, const char *rule);

/*
 * The rule ids that are never waivable, whatever the policy says: the
 * approval and integrity findings (NULL-terminated).  A policy's
 * waivers.not-waivable that leaves one out is invalid-policy.
 */
extern const char *const chg_policy_not_waivable_minimum[];

/*
 * Returns 1 when the lifecycle allows a change request to go from state
 * `from` to state `to`: when the policy has no lifecycle.transitions, when
 * `from` equals `to`, or when `to` is listed under `from`.  A state that
 * lifecycle.transitions does not list may not change.  Else 0.
 */
int chg_policy_transition_allowed(const struct chg_policy *policy,
				  const char *from, const char *to);

/*
 * Returns the index in policy->risk_levels of the level called `name`, or
 * -1 when there is none.
 */
int chg_policy_risk_level(const struct chg_policy *policy, const char *name);

/*
 * Returns 1 when `email` belongs to the group `group` (emails compare
 * case-insensitively), else 0.
 */
int chg_policy_in_group(const struct chg_policy *policy, const char *group,
			const char *email);

/*
 * Matches `path` against the glob `glob`: `*` matches within one path
 * component, `?` one character, `[...]` a class, and `**` as a whole
 * component any number of components (git's wildmatch semantics for
 * pathspecs).  Returns 1 on a match, else 0.
 */
int chg_glob_match(const char *glob, const char *path);

#endif
