/*
 * verify.h - change requests judged against their history: the replay of
 * the history of a workspace's revision for `chg audit --verify`
 * (chg_verify_audit).
 *
 * chg_verify_audit walks the history as chg_audit_walk does (audit.h) and
 * reports, as diagnostics with the rule ids below, what a compliance audit
 * asks of each change request:
 *
 *   missing-approval   it entered a state of lifecycle.approved in a commit
 *                      where its quorum did not hold: the approvals
 *                      reachable from that commit, judged against the
 *                      change request as it was in that commit
 *                      (chg_approval_evaluate at the commit's committer
 *                      time), even when approvals arrived later
 *   review-overdue     its post-implementation review was added after
 *                      window.end plus the policy's schedule.review-within
 *                      for its type (naming the commit that added it)
 *   missing-review     it is closed (an implemented state the lifecycle
 *                      leaves no transition from), or implemented past its
 *                      review deadline, without a review
 *   implemented-outside-window
 *                      review.actual-start or review.actual-end lies
 *                      outside window.start .. window.end
 *   trust-change-unapproved
 *                      the first-parent chain of the audited revision does
 *                      not contain the pinned root of trust (chain.h:
 *                      chg_chain_check; about ".chg", line 0)
 *
 * Reviews are asked of the types schedule.review-within lists (the default
 * policy: normal and emergency).  The policy is the one of the audited
 * revision, as for chg log.  A diagnostic is about the file of the change
 * request at the audited revision, at its state or review field (line 0
 * when the change request no longer exists there), and names commits by
 * their short ids.
 *
 * Ownership: chg_verify_audit borrows the workspace (which keeps what it
 * loads into it: its change requests and history).
 *
 *	struct chg_verify_options opts = CHG_VERIFY_OPTIONS_INIT;
 *	opts.now = now;
 *	rc = chg_verify_audit(&diags, &err, ws, &opts);
 *	// rc == 0: diags hold the findings, sorted
 */
#ifndef CHG_VERIFY_H
#define CHG_VERIFY_H

#include <git2.h>
#include <stdint.h>

#include "approval.h"
#include "buf.h"
#include "change.h"
#include "diag.h"
#include "policy.h"
#include "repo.h"
#include "workspace.h"

struct chg_verify_options {
	int has_since;
	int64_t since;            /* only findings about commits at or after
				     this committer time (seconds) */
	int64_t now;              /* the clock, seconds since the epoch */
};

#define CHG_VERIFY_OPTIONS_INIT { 0, 0, 0 }

/*
 * Replays the history of the revision of `ws` (opened on a revision, as
 * `chg audit` opens it: --rev or HEAD) and appends the findings above to
 * `diags`, sorted.  The workspace's change requests are loaded (those
 * that do not load are left out), its root of trust is checked
 * (chg_workspace_check_chain) and its history is loaded when an entry
 * into an approved state is to be judged.  Of `opts`, has_since, since
 * and now are read.
 *
 * Returns 0 when the replay completed (whatever it found); negative codes
 * with `err` set (among them a shallow clone, a repository with a grafts
 * file, and a pinned root of trust that is not a commit).
 */
int chg_verify_audit(struct chg_diag_list *diags, struct chg_buf *err,
		     struct chg_workspace *ws,
		     const struct chg_verify_options *opts);

#endif
