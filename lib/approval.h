/*
 * approval.h - approvals from history (DESIGN section 5).
 *
 * chg_history_load walks the commits reachable from a revision (libgit2's
 * revision walk) and collects (a) every commit carrying approval trailers
 * (trailer.h) and (b) for each change request, who authored or committed a
 * commit that changed its covered content (its digest), for separation of
 * duties.  chg_approval_evaluate then decides, for one change request at
 * the evaluated revision, which approvals count:
 *
 *   (1) the approval commit is reachable from the revision (by
 *       construction: only reachable commits are walked);
 *   (2) its Change-Digest equals the change's digest now, else it is stale;
 *   (3) the approver is in a group that the first matching approval rule
 *       allows (`from`; no `from` allows anyone);
 *   (4) the approver is not the change's requested-by, nor the author or
 *       committer of a commit that changed its covered content, nor (when
 *       signatures are required) the verified signer of such a commit;
 *   (5) when the policy requires signatures, the commit is signed, the
 *       signature verifies (signature.h) against .chg/allowed_signers or
 *       .chg/keys.asc as they are in the commit's first parent (a commit
 *       cannot trust the key it adds; a root commit trusts none), and the
 *       Approved-by email is one of the signer's principals
 *       (unsigned-approval, bad-signature, unknown-signer,
 *       signer-mismatch).  When signatures are not required, the approval
 *       commit's author must be the approver instead (signer-mismatch):
 *       the author field is the only, weaker, binding then;
 *   (6) each approver counts once.
 *
 * The identity checks (malformed, signature or author) come first, then
 * separation of duties, groups and staleness.
 *
 * Emails compare case-insensitively.  A commit with more than one
 * Approved-by, or with both Approved-by and Rejected-by, or without a
 * well-formed Change-Digest and identity, approves nothing.
 *
 *	struct chg_history h = CHG_HISTORY_INIT;
 *	chg_history_load(&h, repo, &head_oid, policy);
 *	chg_approval_check(policy, change, &h, now, &diags);
 *	chg_history_release(&h);
 */
#ifndef CHG_APPROVAL_H
#define CHG_APPROVAL_H

#include <git2.h>
#include <stdint.h>

#include "change.h"
#include "diag.h"
#include "policy.h"
#include "repo.h"
#include "signature.h"

/* One commit carrying approval trailers. */
struct chg_approval {
	git_oid commit;
	char short_id[8];
	char *change_id;       /* Change-Request */
	char *digest;          /* Change-Digest, or NULL */
	char *identity;        /* Approved-by or Rejected-by, or NULL */
	char *email;           /* from identity, or NULL when malformed */
	int rejected;          /* 1 for Rejected-by */
	const char *malformed; /* static reason, or NULL when well formed */
	char *author_email;    /* the approval commit's author */
	int is_signed;         /* the commit carries a signature */
	/* When the policy requires signatures, the commit is signed and the
	 * trailers are well formed: its signature verified against the trust
	 * of its first parent, for the Approved-by (Rejected-by) email.
	 * Otherwise not verified (CHG_SIGNATURE_ERROR, no detail). */
	struct chg_signature_result signature;
	int64_t time;          /* committer time, seconds since the epoch */
};

/* A commit that changed the covered content of a change request. */
struct chg_content_edit {
	char *change_id;
	char *author_email;
	char *committer_email;
	/* When the policy requires signatures: the principals of the commit's
	 * good signature (empty when unsigned or not good). */
	struct chg_strlist signers;
	git_oid commit;
};

struct chg_history {
	struct chg_approval *approvals;  /* oldest first */
	size_t napprovals;
	struct chg_content_edit *edits;  /* oldest first */
	size_t nedits;
	size_t alloc_approvals, alloc_edits;
};

#define CHG_HISTORY_INIT { NULL, 0, NULL, 0, 0, 0 }

/*
 * Walks the history reachable from `tip` (NULL: an unborn branch, nothing
 * to walk) and fills `out`.  Change requests are the files the policy's
 * paths match.  When the policy requires signatures, the signatures of the
 * well-formed approval and rejection commits and of the commits that
 * changed covered content are verified (signature.h: ssh-keygen or gpg run
 * once or twice per signed commit).  Returns 0, CHG_EGIT or CHG_ENOMEM.
 */
int chg_history_load(struct chg_history *out, git_repository *repo,
		     const git_oid *tip, const struct chg_policy *policy);

/* Frees what `h` holds.  NULL-safe. */
void chg_history_release(struct chg_history *h);

enum chg_verdict {
	CHG_VERDICT_COUNTED = 0,
	CHG_VERDICT_STALE,        /* stale-approval */
	CHG_VERDICT_SELF,         /* self-approval */
	CHG_VERDICT_NOT_ALLOWED,  /* approver-not-allowed */
	CHG_VERDICT_UNSIGNED,     /* unsigned-approval */
	CHG_VERDICT_BAD_SIGNATURE, /* bad-signature: does not verify, is not
				     SSH or OpenPGP, or could not be verified */
	CHG_VERDICT_UNKNOWN_SIGNER, /* unknown-signer: the key is not trusted
				     as of the first parent */
	CHG_VERDICT_DUPLICATE,    /* the approver already counted (no rule
				     id: it is only mentioned in the
				     missing-approval summary) */
	CHG_VERDICT_MISMATCH,     /* signer-mismatch: signed by another
				     principal, or (signatures not required)
				     authored by another person */
	CHG_VERDICT_MALFORMED     /* invalid-value */
};

struct chg_approval_verdict {
	const struct chg_approval *approval;
	enum chg_verdict verdict;
	char *reason;             /* one line, for messages */
};

struct chg_approval_result {
	const struct chg_approval_rule *rule; /* NULL: no rule matched */
	long long required;
	size_t counted;
	struct chg_approval_verdict *verdicts; /* approvals, oldest first */
	size_t n;
};

/*
 * Evaluates the approvals (not the rejections) of `change` in `history`
 * under `policy` at the time `now` (seconds since the epoch, for the
 * approval rules' conditions) into `out` (release with
 * chg_approval_result_release).
 * Returns 0, CHG_ELIMIT (a rule's condition hit a pattern limit) or
 * CHG_ENOMEM.
 */
int chg_approval_evaluate(struct chg_approval_result *out,
			  const struct chg_policy *policy,
			  const struct chg_change *change,
			  const struct chg_history *history, int64_t now);

/* Frees the verdicts' reasons and the array.  NULL-safe. */
void chg_approval_result_release(struct chg_approval_result *r);

/* The rule id of a verdict ("stale-approval", ...); NULL for counted and
 * for a repeat. */
const char *chg_verdict_rule(enum chg_verdict v);

/*
 * Evaluates `change` and appends findings: when its state needs approval
 * and fewer than the required approvals count, one missing-approval error
 * summarising the count, and one error per approval that did not count
 * (with its rule id and commit); otherwise approvals that did not count are
 * reported as notes (stale) or warnings (the others).  Returns 0 or
 * CHG_ENOMEM.
 */
int chg_approval_check(const struct chg_policy *policy,
		       const struct chg_change *change,
		       const struct chg_history *history, int64_t now,
		       struct chg_diag_list *diags);

#endif
