/*
 * approve.h - `chg approve ID` and `chg reject ID`, and `chg approve
 * --trust` and `chg reject --trust` (DESIGN sections 5 and 6): records an
 * approval (a rejection) of a change request, or of the trust change HEAD
 * holds, as an empty, signed commit on HEAD carrying the Change-Request,
 * Change-Digest and Approved-by (Rejected-by) trailers.
 *
 * Before it makes anything, chg_approve checks, in this order, and
 * refuses (changing nothing) when:
 *
 *   - the commit would be unsigned (opts->sign == 0) and the policy of
 *     HEAD requires signatures;
 *   - HEAD has no commit, or no change request of HEAD has the id, or its
 *     digest cannot be computed;
 *   - its file differs from HEAD in the index or the working tree (a
 *     review is of committed content);
 *   - the approver (git's author identity, git var GIT_AUTHOR_IDENT) is
 *     its requester and the policy requires separation of duties (not for
 *     a rejection);
 *   - it fails chg-lint as committed in HEAD with errors the approval does
 *     not settle (not for a rejection: one may reject a change request
 *     that fails lint).
 *
 * For the trust change (opts->trust, or the id "trust"), instead of the
 * change request's checks: HEAD's trust files are the outcome of a trust
 * change (trust.h) that is not approved yet (for a rejection: that is
 * unapproved or approved), else there is nothing to approve; and no trust
 * file differs from HEAD in the index or the working tree.  The digest the
 * commit carries is HEAD's trust digest (chg_trust_digest).
 *
 * Then the commit object is made (git commit-tree, -S: signed with the
 * user's own signing setup) and judged as chg-lint would judge it at the
 * new tip: an approval of a change request with the history up to it
 * (approval.h), one of the trust change as that trust change's approvals
 * are judged (approval.h, "Trust changes"), a rejection by whether its
 * signature verifies for its Rejected-by email under the trust it is
 * judged by.  When it would not count - the approver is in no group the
 * matching rule allows, the signing key is not trusted for the approver's
 * email, the approver edited the content or made the trust change, the
 * approver already has an approval that counts, and the like - it is
 * refused: HEAD does not move (the unreferenced object is no change) and
 * out->messages say why in the user's terms.  opts->force records it
 * anyway, with out->warning saying why it will not count.
 *
 * The checks work on a workspace (workspace.h) of the tree of HEAD: its
 * repository, policy and catalog, its change requests (loaded by the use
 * case unless they were before) and, for the lint check and the trust
 * change, its history (loaded there the first time, once).
 *
 * The commit is made without touching the index or the working tree, and
 * git update-ref moves HEAD from the commit the checks were made against
 * to the new one, or fails when HEAD moved meanwhile.  git runs without a
 * shell, from argument arrays (process.h); its standard error and that of
 * the signing program are the caller's, so that their messages reach the
 * user; that git cannot be run at all is a message of the result, like
 * every other one.
 *
 * Ownership: a `struct chg_approve_result` owns its strings;
 * chg_approve_result_release frees them.  A workspace handed to
 * chg_approve_workspace stays the caller's.
 *
 *	struct chg_approve_options opts = CHG_APPROVE_OPTIONS_INIT;
 *	struct chg_approve_result r;
 *	opts.id = "CHG-0042"; opts.now = now;
 *	if (chg_approve(&r, &diags, &opts) == 0 && r.recorded)
 *		printf("approved in %s\n", r.short_id);
 *	chg_approve_result_release(&r);
 */
#ifndef CHG_APPROVE_H
#define CHG_APPROVE_H

#include <git2.h>
#include <stdint.h>

#include "buf.h"
#include "change.h"
#include "diag.h"
#include "repo.h"

struct chg_workspace;

struct chg_approve_options {
	const char *dir;          /* a directory inside the repository (not
				     read by chg_approve_workspace: the
				     workspace's is used) */
	const char *id;           /* the change request's id; "trust"
				     (CHG_TRUST_CHANGE_REQUEST) is the
				     trust change, as `trust` is */
	int rejected;             /* record a rejection, not an approval */
	int sign;                 /* sign the commit (git commit-tree -S) */
	const char *comment;      /* the approver's comment, put before the
				     trailers, or NULL */
	int64_t now;              /* the clock, seconds since the epoch */
	int trust;                /* review the trust change HEAD holds,
				     not a change request (id is ignored) */
	int force;                /* record it also when it would not
				     count (out->warning says why) */
};

#define CHG_APPROVE_OPTIONS_INIT { ".", NULL, 0, 1, NULL, 0, 0, 0 }

struct chg_approve_result {
	int recorded;             /* 1: the commit was made and HEAD moved to
				     it; 0: nothing was changed */
	git_oid commit;           /* when recorded: the new commit */
	char short_id[8];         /* its short id */
	char digest[CHG_DIGEST_SIZE]; /* the Change-Digest it carries */
	struct chg_buf warning;   /* when recorded with opts->force: one line
				     saying why it will not count, or empty */
	struct chg_strlist messages; /* when not recorded: why, one message
				     each (lowercase, no final period), in
				     the order they are to be told */
};

/*
 * Checks the change request opts->id of HEAD in the repository containing
 * opts->dir, and records an approval (opts->rejected: a rejection) of it
 * as described above.  `out` need not be initialised; free it with
 * chg_approve_result_release in any case.  The diagnostics that explain a
 * refusal or a failure (an invalid policy's, the change requests' when the
 * digest cannot be computed, the lint errors that block an approval) are
 * appended to `diags`, to be shown before out->messages; nothing else is.
 *
 * Opens the workspace of the tree of HEAD (chg_workspace_open, rev
 * "HEAD") and runs chg_approve_workspace on it; that HEAD has no commit
 * is a refusal.
 *
 * Returns 0 when it decided: out->recorded is 1 when the commit was
 * recorded, 0 when it refused (out->messages say why), also when it
 * would not count (unless opts->force).  Returns a negative code when it
 * could not run: CHG_ENOTFOUND (not a repository, or git cannot be
 * found), CHG_EINVALID (an invalid policy, or a git identity that is not
 * "Name <email>"), CHG_EGIT, CHG_ENOMEM, CHG_ELIMIT (an approval rule's
 * condition hit a pattern limit while judging), or CHG_ERROR (git could
 * not be run, could not make the commit or move HEAD), with out->messages
 * saying why; nothing was changed then either.
 */
int chg_approve(struct chg_approve_result *out, struct chg_diag_list *diags,
		const struct chg_approve_options *opts);

/*
 * As chg_approve, on `ws`, a workspace of the caller's opened on the tree
 * of HEAD (workspace options: rev "HEAD"): its tip is the commit the
 * checks are made against and the new commit's parent, and git runs in
 * its directory.  The change requests are loaded into it unless they were
 * (the loader's findings it kept, ws->change_diags, stand for them then),
 * and its history is loaded for an approval of a change request and for
 * the trust change (not for a rejection of a change request) unless it
 * was; it keeps what was loaded.  `out` need not be initialised.
 *
 * Returns as chg_approve; CHG_ERROR when `ws` is not of a revision's tree
 * with a repository and a policy (out->messages say so).
 */
int chg_approve_workspace(struct chg_approve_result *out,
			  struct chg_diag_list *diags, struct chg_workspace *ws,
			  const struct chg_approve_options *opts);

/*
 * Stores in `out` (CHG_DIGEST_SIZE bytes) the trust digest (trust.h) of
 * the tree of `rev` (NULL: HEAD) in the repository containing `dir`: what
 * the Change-Digest of an approval of the trust change that revision
 * holds carries.  Returns 0; CHG_ENOTFOUND (not a repository, or no such
 * revision, `err` says which), CHG_EGIT, CHG_ERROR or CHG_ENOMEM.
 */
int chg_approve_trust_digest(char out[CHG_DIGEST_SIZE], struct chg_buf *err,
			     const char *dir, const char *rev);

/* Frees what `r` holds.  NULL-safe. */
void chg_approve_result_release(struct chg_approve_result *r);

#endif
