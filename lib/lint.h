/*
 * lint.h - one run of the linter on a workspace (workspace.h: the
 * repository, the policy, the catalog and every change request of the
 * chosen source - working tree, index or revision - and its history): run
 * the checks (check.h) and the approval rules against history
 * (approval.h), and collect the diagnostics.  chg_lint opens the
 * workspace itself; chg_lint_workspace works on one opened by its caller.
 *
 *	struct chg_lint_options opts = CHG_LINT_OPTIONS_INIT;
 *	struct chg_buf err = CHG_BUF_INIT;
 *	opts.rev = "HEAD~2";
 *	opts.scope = CHG_LINT_SCOPE_CHANGED;  // what HEAD~2 changed
 *	opts.now = time(NULL);
 *	rc = chg_lint(&diags, &err, &opts);
 *	// rc == 0: diags hold the findings; rc < 0: err says why it could not run
 */
#ifndef CHG_LINT_H
#define CHG_LINT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "repo.h"

struct chg_history;
struct chg_change_cache;
struct chg_workspace;
struct chg_tree_file;

/*
 * Which change requests a run judges (DESIGN section 6, "Scope").  Every
 * change request is loaded and the rules that tie them together are
 * evaluated; a finding about a change request file out of scope is
 * dropped, and one note about the repository (path CHG_LINT_SCOPE_PATH,
 * line 0) counts what was dropped, so that it never fails the run; its
 * rule id is that of the first of the most severe findings it counts.  A finding of unknown-dependency, dependency-order,
 * dependency-cycle or window-conflict about a file out of scope is kept
 * when it names the id of a change request in scope or one the source
 * (or the caller's `deleted`) deleted: the change made breaks the rule for
 * the other.
 */
enum chg_lint_scope {
	CHG_LINT_SCOPE_DEFAULT = 0, /* changed for the index (--staged),
				       all for the working tree and a
				       revision */
	CHG_LINT_SCOPE_ALL,         /* every change request */
	CHG_LINT_SCOPE_CHANGED      /* the changed ones (below), even when
				       the policy or catalog changed */
};

/* The path of the note counting the findings out of scope. */
#define CHG_LINT_SCOPE_PATH ".chg"

struct chg_lint_options {
	const char *dir;          /* a directory inside the repository */
	const char *rev;          /* lint the tree of this revision, or NULL */
	int staged;               /* lint the index */
	const char *policy_file;  /* a policy file on disk instead of the
				     repository's .chg/policy.yaml, or NULL */
	int64_t now;              /* the clock, seconds since the epoch */
	const char *const *paths; /* lint only these files (relative to
				     `dir`; with rev, to the repository) */
	size_t npaths;
	const char *trust_root;   /* the pinned root of trust (chain.h), a
				     commit id; NULL: the git config
				     chg.trustRoot; "": none */
	const char *trust_root_origin; /* where trust_root comes from, for
				     messages ("--trust-root"), or NULL */
	/* One walk for several runs (approval.h, chg_history_at): history is
	   read as a view of history_index (borrowed, loaded at a descendant
	   of the revision) where it serves; and when history_out is not NULL
	   the run's history is moved there (empty it was; the caller releases
	   it with chg_history_release) instead of being freed. */
	const struct chg_history *history_index;
	struct chg_history *history_out;
	/* Change requests of a revision are taken from this cache of parsed
	   blobs (change.h) and added to it, or NULL. */
	struct chg_change_cache *change_cache;
	/* When not NULL: the files (repository-relative, sorted bytewise)
	   whose findings are wanted.  Every change request is still loaded
	   for the rules that tie them together, but only these are judged
	   one by one, and findings about other files are dropped. */
	const char *const *focus;
	size_t nfocus;
	enum chg_lint_scope scope;
	/* The change request files in scope with CHG_LINT_SCOPE_CHANGED (or
	   the default for the index): when `changed` is not NULL, these
	   (repository-relative, sorted bytewise; chg-lint --range: what the
	   range added or modified), as the caller decided them; else those
	   the source adds or modifies against the previous tree (HEAD's for
	   the index and the working tree, the first parent's for a
	   revision), or all of them when it changes the policy or the
	   catalog (chg_lint_scope_path) and scope is the default. */
	const char *const *changed;
	size_t nchanged;
	/* With `changed`: the change request files the caller's changes
	   deleted (paths and blobs of the repository; chg-lint --range: what
	   the range deleted), whose ids count as in scope for the rules that
	   tie change requests together, or NULL. */
	const struct chg_tree_file *deleted;
	size_t ndeleted;
	/* The approvals are judged only for the change requests that enter
	   a state needing approval (lifecycle.approved): their previous
	   version (as for invalid-transition) was absent or in a state that
	   does not need it.  For the commits of a range before its tip: a
	   change request edited while it stays approved, or not in such a
	   state, is judged at the tip. */
	int quorum_on_entry;
};

#define CHG_LINT_OPTIONS_INIT { ".", NULL, 0, NULL, 0, NULL, 0, NULL, NULL, \
				NULL, NULL, NULL, NULL, 0, \
				CHG_LINT_SCOPE_DEFAULT, NULL, 0, NULL, 0, 0 }

struct chg_rules;

/*
 * What a run judged, for the formats that list every file checked, the
 * clean ones too (TAP, Checkstyle, JUnit), and describe every rule
 * (SARIF).  Start from { 0 }; several runs may add to the same stats.
 * Release with chg_lint_stats_release.
 */
struct chg_lint_stats {
	size_t files;   /* change request files read */
	/* the change request files judged (read, named by the PATH arguments
	   when there are any, and in scope), by their repository-relative,
	   '/'-separated paths, sorted bytewise, each once */
	struct chg_strlist paths;
	/* When not NULL (chg_rules_init): the rules of the policy used are
	   added (chg_rules_add_policy), for a report that describes every
	   rule (chg-lint --format sarif). */
	struct chg_rules *rules;
};

/* Frees the paths of `stats` (not `stats` itself).  NULL-safe. */
void chg_lint_stats_release(struct chg_lint_stats *stats);

/*
 * Returns 1 when a change of `path` (repository-relative) puts every
 * change request in scope: the policy (.chg/policy.yaml) and the
 * standard-change catalog (.chg/catalog/), which judge them all; else 0.
 */
int chg_lint_scope_path(const char *path);

/*
 * Opens a workspace (workspace.h) with the options of `opts` and runs
 * chg_lint_workspace on it.  Findings are appended to `diags`, sorted.  The
 * protected chain of the revision whose history is read (HEAD, or rev) is
 * checked as chg_chain_check does (chain.h): a repository with a grafts
 * file cannot be linted, and a pinned root of trust must be on the chain.
 * The trust changes in force (chg_approval_trust_check) are reported
 * whatever the scope; for the index, unless the scope is all, as notes
 * (their approvals can only be commits that follow them).  Then the scope
 * (enum chg_lint_scope) leaves out the findings about change requests out
 * of it.
 *
 * Returns 0 when the run completed (whatever it found).  Returns
 * CHG_EINVALID when the policy or catalog is invalid (its diagnostics, rule
 * invalid-policy or the loader's, are in `diags`: chg-lint exits 3), and
 * other negative codes when it could not run (not a repository, no such
 * revision, unreadable file, libgit2 failure, a pinned root of trust that
 * is not a commit): then `err` holds a one-line
 * explanation.  `stats` may be NULL.
 */
int chg_lint(struct chg_diag_list *diags, struct chg_buf *err,
	     const struct chg_lint_options *opts, struct chg_lint_stats *stats);

/*
 * Runs the linter on `ws` (workspace.h), as chg_lint does on the workspace
 * it opens: the change requests of the workspace are loaded (with the PATH
 * arguments of `opts`, which are relative to the workspace's dir; when
 * they were loaded before, `opts` must name no paths) and its history is
 * loaded or, when it was, reused.  Of `opts`, only now, paths, npaths,
 * focus, nfocus, scope, changed, nchanged, deleted, ndeleted and
 * quorum_on_entry are read:
 * the others are the workspace's options.  The
 * workspace keeps what it loaded (chg_workspace_take_history moves the
 * history out).
 *
 * Returns as chg_lint, but for the errors of opening the workspace
 * (chg_workspace_open).  `stats` may be NULL; its count is added to.
 */
int chg_lint_workspace(struct chg_diag_list *diags, struct chg_buf *err,
		       struct chg_workspace *ws,
		       const struct chg_lint_options *opts,
		       struct chg_lint_stats *stats);

/*
 * Opens the repository containing `dir`, loads its policy as chg_lint does
 * (from `rev`'s tree, or the working tree when rev is NULL), finds the
 * change request whose id is `id`, and writes its digest (digest.h) into
 * `out`.  Returns 0, CHG_ENOTFOUND (no such change request: `err` says so),
 * CHG_EINVALID (invalid policy or unreadable change: `diags` say why), or
 * another negative code with `err` set.
 */
int chg_lint_digest(char *out, size_t size, struct chg_diag_list *diags,
		    struct chg_buf *err, const char *dir, const char *rev,
		    const char *id);

struct chg_policy;

/*
 * Loads the policy as chg_lint does, and nothing else: `policy_file` (a
 * file on disk, relative to `dir`; no repository is needed then) when it
 * is not NULL, else .chg/policy.yaml of the repository containing `dir`,
 * from `rev`'s tree, the index when `staged`, or the working tree, else
 * the built-in policy alone.  policy->path says which file was read
 * (CHG_POLICY_BUILTIN when none).
 *
 * Returns 0 and stores the policy in *out (free with chg_policy_free);
 * CHG_EINVALID when the policy is invalid (its diagnostics are in `diags`,
 * sorted); CHG_ENOTFOUND (not a repository, no such revision) or another
 * negative code when it could not be read, with `err` set.
 */
int chg_lint_load_policy(struct chg_policy **out, struct chg_diag_list *diags,
			 struct chg_buf *err, const char *dir, const char *rev,
			 int staged, const char *policy_file);

#endif
