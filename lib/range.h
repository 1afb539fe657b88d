/*
 * range.h - checking a range of commits, as a gate on pushed history does.
 *
 * The range A..B is the set of commits reachable from B and not from A,
 * nor from the refs the caller excludes (a new branch: what no existing
 * ref has).  Every commit of the range other than B is linted as of itself
 * (chg_lint with rev; the clock is its committer date, or the run's clock
 * when that is earlier), and only its findings about the files it added
 * or modified relative to its first parent are kept: each change request
 * version it introduces must be valid, its change of state allowed by the
 * lifecycle (against the first parent), and, when it enters a state that
 * needs approval there (quorum_on_entry, lint.h), its approvals in place
 * with the history up to that commit.  Their messages start with
 * "in <short id>: ".  Findings about the files under .chg/ are kept only
 * when the commit's policy or catalog does not load: a change of the trust
 * files is approved by commits that follow it, and is judged at B.  Then B
 * is linted with the run's clock, its scope (lint.h, enum chg_lint_scope)
 * being the files the commits of the range added or modified (B's own
 * included): every change request when one of them changed the policy or
 * the catalog, or opts->lint.scope is CHG_LINT_SCOPE_ALL; those files
 * alone with CHG_LINT_SCOPE_CHANGED.  The findings about the others are
 * counted in one note.  A finding already reported (same path, rule and
 * message) for B or for an earlier commit is not repeated.
 *
 * Commits are visited parents first, in the one order of the commit graph
 * (graph.h).  Among commits neither of which reaches the other it follows
 * committer dates, which an author sets at will: that decides only at
 * which of two such commits a repeated finding is named, never whether a
 * commit is checked.
 *
 * The protected chain (chain.h): A must lie on B's first-parent chain, or
 * the range is an update that rewrites or replaces the protected history
 * (a force-push; a fast-forward that merges A in as a later parent of a
 * history with other trust files; a merge whose first parent is older than
 * A, rolling the trust back; a reversed range), reported as an error about
 * ".chg", line 0, rule trust-change-unapproved, naming A and B:
 *
 *	.chg: error: the update from 1f0c2e7 to 9ab3d41 rewrites or replaces
 *	the protected history: 1f0c2e7 is not on the first-parent chain of
 *	9ab3d41 [trust-change-unapproved]
 *
 * The range is checked all the same.  B alone, or with excluded refs only,
 * has no A and no such rule.  A pinned root of trust
 * (opts->lint.trust_root, else chg.trustRoot) must be on B's first-parent
 * chain (chg_lint reports it for B; the commits before B are not asked).
 * A repository with a grafts file is not checked (CHG_ERROR).
 *
 *	struct chg_range_options opts = CHG_RANGE_OPTIONS_INIT;
 *	opts.lint.now = time(NULL);
 *	opts.range = "1f0c2e7..refs/heads/main";
 *	rc = chg_range_lint(&diags, &err, &opts, NULL);
 *	// as chg_lint: 0 the run completed, diags hold the findings
 *
 * Ownership: the caller owns the options and the lists it passes;
 * chg_range_parse fills a chg_range_ends that chg_range_ends_release frees.
 */
#ifndef CHG_RANGE_H
#define CHG_RANGE_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"
#include "lint.h"

/*
 * exclude_refs: glob patterns over full ref names, '*' matching '/' too;
 * the commits the matching refs reach are left out of the range as A's
 * are.  A pre-receive hook checking a new branch passes the pattern of all
 * refs, which git has not updated yet.
 */
struct chg_range_options {
	struct chg_lint_options lint;  /* dir, policy_file and now (B's
					  clock, the latest for the others)
					  apply to every commit, scope to B;
					  rev, staged, paths, changed and
					  quorum_on_entry are not used */
	const char *range;             /* "A..B", or "B" for all of B's
					  history */
	const char *const *exclude_refs;
	size_t nexclude_refs;
};

#define CHG_RANGE_OPTIONS_INIT { CHG_LINT_OPTIONS_INIT, NULL, NULL, 0 }

/* The two ends of a range, as written. */
struct chg_range_ends {
	char *from;  /* A, or NULL: no A, or A is the all-zero id */
	char *to;    /* B */
};

/*
 * Splits `text`, "A..B" or "B", into its ends.  An A of zeros only (the
 * id git hooks give for a ref that did not exist) means no A.  Returns 0;
 * CHG_EINVALID when an end is empty, B is all zeros, or the text is not of
 * that form ("A...B"); CHG_ENOMEM.
 */
int chg_range_parse(struct chg_range_ends *out, const char *text);

/* Frees the ends.  NULL-safe. */
void chg_range_ends_release(struct chg_range_ends *ends);

/*
 * Checks the range opts->range in the repository containing
 * opts->lint.dir (opened from git's environment as chg_lint does, so a
 * pre-receive hook reads the pushed objects from its quarantine).
 * Findings are appended to `diags`, sorted; `stats` (may be NULL) counts
 * the files of B.  An empty range checks nothing (A..A is fine; a
 * reversed one is reported as above).
 *
 * Returns 0 when the run completed, whatever it found (an invalid policy
 * in a commit before B is a finding about that commit).  Returns
 * CHG_EINVALID when B's policy or catalog is invalid (its diagnostics are
 * in `diags`: chg-lint exits 3), CHG_ENOTFOUND for an unknown revision,
 * CHG_ERROR for a malformed range, and other negative codes as chg_lint;
 * `err` then holds a one-line explanation (naming the commit when the
 * lint of a commit before B could not run).
 */
int chg_range_lint(struct chg_diag_list *diags, struct chg_buf *err,
		   const struct chg_range_options *opts,
		   struct chg_lint_stats *stats);

#endif
