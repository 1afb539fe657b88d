/*
 * approval.h - approvals from history (DESIGN section 5): the history
 * index (history.c) and the rules an approval is judged by (approval.c).
 *
 * chg_history_load walks the commits reachable from a revision (the
 * commit graph, graph.h: parents first, in its one order) and collects
 * (a) every commit carrying approval trailers (trailer.h) and (b) for each
 * change request, who authored or committed a commit that changed its
 * covered content (its digest), for separation of duties.  chg_approval_evaluate then decides, for one change request at
 * the evaluated revision, which approvals count:
 *
 *   (1) the approval commit is reachable from the revision (by
 *       construction: only reachable commits are walked);
 *   (2) its Change-Digest equals the change's digest now, else it is stale;
 *   (3) the approver is in a group that the first matching approval rule
 *       allows (`from`; no `from` allows anyone), the rule being chosen
 *       from the change as assessed: its risk.level raised to the
 *       assessed level (risk.h) and, unless it has a catalog entry it
 *       meets (policy->catalog), a standard change taken as normal, so no
 *       waiver lowers the quorum;
 *   (4) the approver is not the change's requested-by (a requested-by
 *       that is not an identity means no approval counts), nor the author
 *       or committer of a commit that changed its covered content, nor the
 *       verified signer of such a commit; with
 *       approvals.require-signed-edits only verified signers are excluded,
 *       and each such commit without a verified signature is an
 *       unsigned-edit finding;
 *   (5) when the policy requires signatures, the commit is signed, the
 *       signature verifies (signature.h) against .chg/allowed_signers or
 *       .chg/keys.asc as they are in the commit's first parent (a commit
 *       cannot trust the key it adds; a root commit trusts none) and as
 *       they are where the commit entered the protected chain (the first
 *       commit of the revision's first-parent chain that contains it: a
 *       key removed before the approval was merged does not count), and
 *       the Approved-by email is one of the signer's principals
 *       (unsigned-approval, bad-signature, unknown-signer,
 *       signer-mismatch); validity is judged at the commit's date, and a
 *       commit dated more than CHG_APPROVAL_CLOCK_SKEW seconds after the
 *       clock (the later of the real one and `now`) or before one of its
 *       parents approves nothing (invalid-value);
 *   (6) the approval commit changes no file (its tree is its first
 *       parent's) and its author and committer are the approver
 *       (invalid-value, signer-mismatch);
 *   (7) each approver counts once, and so does each key: a key that
 *       already counted for one approver does not count for another;
 *   (8) the approver's latest verdict stands: a genuine Rejected-by of the
 *       same digest by the same person that is not an ancestor of the
 *       approval withdraws it.
 *
 * The identity checks (malformed, dates, signature, author and committer)
 * come first, then separation of duties, groups, staleness and
 * withdrawal, then repeats.
 *
 * Emails compare case-insensitively.  A commit with more than one
 * Approved-by, or with both Approved-by and Rejected-by, or without a
 * well-formed Change-Digest and identity, approves nothing.
 *
 * Trust changes.  A commit that changes the trust set (trust.h: the
 * policy, .chg/allowed_signers, .chg/keys.asc, .chg/catalog/) relative to
 * its first parent is a trust change; the root of trust (trust.h) excepted,
 * it needs the approvals of the `approvals.trust` rule of the policy that
 * was in force before it (a change to that rule is itself a trust change,
 * so a commit cannot lower the quorum it is judged by).  An approval of a
 * trust change is a commit reachable from the revision with the trailers
 *
 *	Change-Request: trust
 *	Change-Digest: <the trust digest after the change (trust.h)>
 *	Approved-by: Name <email>
 *
 * judged as (1)-(8) above with these differences: the trust and policy it
 * is judged under are the *last approved trust state before the change*
 * (below), not the approval commit's first parent, which may already hold
 * the new key; the approver must be in a group of that policy's
 * approvals.trust; and the authors, committers and verified signers of
 * the trust change and of every commit it brings in that changed the
 * trust files never count (whatever separation-of-duties says).  Approvals name a trust state, not a commit, so they carry over
 * to a merge that brings the same trust state in.  "trust" is reserved:
 * a change request with that id approves nothing (invalid-value).
 *
 * The last approved trust state.  Walking the first-parent chain, a
 * commit's trust state is approved when it is the root of trust's, when
 * its trust change is approved under the last approved state before it,
 * or when it returns to that state; otherwise the last approved state
 * stays in force.  Every signature - of approvals of change requests (5),
 * of commits that changed their content (4), of trust changes and their
 * approvals - is verified against the trust files of the last approved
 * trust state at the commit's first parent.  When the first parent's own
 * trust files are those, this is (5) as written; when an unapproved trust
 * change lies between, a key it added is not trusted: an unapproved commit
 * that adds a key cannot be followed by an approval signed with that key.
 * (Commits that changed a change request's content are verified against
 * both, so that more signers, never fewer, are excluded by (4).)
 *
 *	struct chg_history h = CHG_HISTORY_INIT;
 *	chg_history_load(&h, repo, &head_oid, policy);
 *	chg_approval_check(policy, change, &h, now, &diags);
 *	chg_approval_trust_check(&h, &diags);
 *	chg_history_release(&h);
 */
#ifndef CHG_APPROVAL_H
#define CHG_APPROVAL_H

#include <git2.h>
#include <stdint.h>

#include "change.h"
#include "graph.h"
#include "treediff.h"
#include "diag.h"
#include "policy.h"
#include "repo.h"
#include "signature.h"
#include "trust.h"

/*
 * How far after the clock an approval commit may be dated, in seconds:
 * the clock skew between the approver's machine and the evaluating one.
 */
#define CHG_APPROVAL_CLOCK_SKEW 300

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
	char *committer_email; /* its committer; NULL: not known (then only
				  the author is compared) */
	int64_t author_time;   /* its author date, seconds since the epoch */
	int is_signed;         /* the commit carries a signature */
	/* When the policy requires signatures, the commit is signed, the
	 * trailers are well formed and it is not for a trust change: its
	 * signature verified against the last approved trust at its first
	 * parent and, when that differs, the one where it entered the
	 * protected chain (the first verdict that is not good stands), with
	 * the revocations of the walked revision, for the Approved-by
	 * (Rejected-by) email.  Otherwise not
	 * verified (CHG_SIGNATURE_ERROR, no detail); an approval of a trust
	 * change is verified once per trust change (chg_trust_change). */
	struct chg_signature_result signature;
	int64_t time;          /* committer time, seconds since the epoch */
	size_t record;         /* its record in the history's trust log */
	/* The rejections by the same person of the same digest of the same
	 * change request that are not ancestors of this approval (indices
	 * into the history's approvals): a later verdict, or one on another
	 * branch, stands over this approval when it is itself genuine (rule
	 * 8, "latest verdict wins").  NULL when none. */
	size_t *rejected_after;
	size_t nrejected_after;
};

/* A commit that changed the covered content of a change request. */
struct chg_content_edit {
	char *change_id;
	char *author_email;
	char *committer_email;
	/* When the policy requires signatures: the principals of the commit's
	 * good signature (empty when unsigned or not good). */
	struct chg_strlist signers;
	/* When the policy requires signatures or signed edits: whether the
	 * commit's signature verified (signers is then not empty, or the key
	 * names no principal), and if not, why, to follow "without a verified
	 * signature: " (NULL when verified). */
	int verified;
	char *unverified;
	git_oid commit;
	char short_id[8];
};

/*
 * A change request id that reached a final state: one from which the
 * policy's lifecycle.transitions allows no other state (closed, rejected,
 * cancelled).  An id never leaves it (DESIGN section 3): moving or
 * deleting the file does not reset the lifecycle.
 */
struct chg_final_state {
	char *change_id;
	char *state;           /* the final state it reached */
	git_oid commit;        /* a commit that added or modified a file of
				  it, leaving it in that state */
	char short_id[8];
	size_t seq;            /* the commit's place in the walk (parents
				  first) */
};

struct chg_approval_verdict;

/* An unknown count of chg_trust_change.trusted. */
#define CHG_TRUST_UNKNOWN ((size_t)-1)

/* A trust change (trust.h) and how its approvals were judged. */
struct chg_trust_change {
	size_t record;            /* in the history's trust log */
	git_oid commit;
	char short_id[8];
	enum chg_trust_status status; /* never CHG_TRUST_UNCHANGED */
	char *path;               /* the first trust path (bytewise) that
				     differs from its first parent */
	char digest[CHG_DIGEST_SIZE]; /* its trust digest: what approvals name */
	/* For a trust change other than the root of trust: */
	size_t judge;             /* the record of the last approved trust
				     state before it, whose policy and trust
				     files judge it, or CHG_TRUST_NONE */
	int policy_invalid;       /* that policy does not load: nothing counts */
	long long required;       /* its approvals.trust.required (0 when it
				     has no approvals section) */
	char *groups;             /* "cab", "cab or managers"; NULL: anyone */
	size_t counted;
	/* When that policy requires signatures: how many approvers could
	 * ever count under the trust files of `judge`: the members of the
	 * groups of its approvals.trust (no groups: the keys) that a key of
	 * its .chg/allowed_signers is trusted for, now.  Fewer than
	 * `required`: no trust change judged there can be approved.
	 * CHG_TRUST_UNKNOWN when that cannot be told (OpenPGP keys,
	 * certificate authorities, a file not understood) or signatures are
	 * not required. */
	size_t trusted;
	struct chg_approval_verdict *verdicts; /* the approvals naming its
						  digest, oldest first */
	size_t n;
};

struct chg_history {
	struct chg_approval *approvals;  /* oldest first */
	size_t napprovals;
	struct chg_content_edit *edits;  /* oldest first */
	size_t nedits;
	size_t alloc_approvals, alloc_edits;
	struct chg_trust_log trust;      /* every commit walked */
	struct chg_trust_change *trust_changes; /* parents first */
	size_t ntrust_changes, alloc_trust_changes;
	/* The graph: the parents of each record other than its first, as
	 * (child, parent) record pairs, child ascending (the first parent is
	 * trust.records[i].parent). */
	size_t (*merges)[2];
	size_t nmerges;
	/* For each record, the record of the commit of the protected chain
	 * (the evaluated revision's first-parent chain) where it entered that
	 * chain: the first chain commit that contains it; NULL when nothing
	 * was walked. */
	size_t *entry;
	/* A view (chg_history_at): its approvals, edits and final states
	 * arrays (and the approvals' rejected_after) and its entries are its
	 * own; everything they point to, the trust log's records, the trust
	 * changes and the graph are the index's, which must outlive it. */
	int view;
	/* The digest (digest.h) of the merged policy it was loaded under. */
	char policy_digest[CHG_DIGEST_SIZE];
	struct chg_final_state *finals;  /* every version in a final state,
					    sorted by id, then walk order
					    (a view: those it reaches) */
	size_t nfinals, alloc_finals;
	/* The indices of the approvals and of the edits, ordered by change
	 * request id and then as they are (oldest first): what an evaluation
	 * of one change request reads (chg_history_index_ids).  NULL: not
	 * made, every approval and edit is looked at. */
	size_t *approvals_by_id;
	size_t *edits_by_id;
	/* For each record, its place on the first-parent chain of the
	 * walked revision, the oldest 0; CHG_TRUST_NONE off it.  NULL in a
	 * view. */
	size_t *chain_pos;
	/* The commit graph walked (graph.h): record r is the commit
	 * graph->order[r].  Owned by the index, borrowed by its views; NULL
	 * when nothing was walked. */
	struct chg_graph *graph;
	/* The tree diff of the change directories (treediff.h) of that
	 * graph under the policy it was loaded under; owned and borrowed as
	 * the graph. */
	struct chg_treediff *diff;
};

#define CHG_HISTORY_INIT { NULL, 0, NULL, 0, 0, 0, CHG_TRUST_LOG_INIT, NULL, 0, 0, \
			   NULL, 0, NULL, 0, "", NULL, 0, 0, NULL, NULL, NULL, NULL, \
			   NULL }

/*
 * Walks the history reachable from `tip` (NULL: an unborn branch, nothing
 * to walk) and fills `out`, which must be empty (CHG_HISTORY_INIT): its
 * approvals, the edits of covered content and, when the policy has
 * lifecycle.transitions, the final states ids reached (chg_history_final).
 * Change requests are the files the policy's paths match.  When the policy
 * requires signatures, the signatures of the well-formed approval and
 * rejection commits and of the commits that changed covered content are
 * verified (signature.h: ssh-keygen or gpg run once or twice per signed
 * commit).  Every trust change is judged, under the policies and trust
 * files of the history itself (never `policy`), whatever `policy` says.
 * Returns 0, CHG_EGIT, CHG_ERROR (the hash library failed) or CHG_ENOMEM.
 */
int chg_history_load(struct chg_history *out, git_repository *repo,
		     const git_oid *tip, const struct chg_policy *policy);

/*
 * As chg_history_load, taking the id, state and digest of the versions
 * whose blobs `known` holds (change requests loaded under `policy` from
 * bytes whose blob id they carry: has_blob; NULL: none) from it instead of
 * reading and parsing those blobs again: for a command that has loaded
 * the change requests of the revision (or of a working tree that matches
 * it) first.  The result is what chg_history_load gives.
 */
int chg_history_load_known(struct chg_history *out, git_repository *repo,
			   const git_oid *tip, const struct chg_policy *policy,
			   const struct chg_change_set *known);

/*
 * Fills `out` (which must be empty) with the history as of `at` under
 * `policy`, for a command that evaluates several revisions of one walk
 * (chg-lint --range): a view of `index` (loaded by chg_history_load at a
 * descendant of `at`, which must outlive the view) when its walk serves -
 * the root of trust of `at`'s chain is the index's, every approval `at`
 * reaches enters its chain where the trust is what it is where it entered
 * the index's, its last approved trust state revokes the keys that
 * revision's does, and `policy` is the one the index was loaded under - at
 * the cost of a pass over the index's records; else a walk of its own with
 * chg_history_load in `repo`.
 * `index` may be NULL (always a walk).  Either way the result is what
 * chg_history_load(out, repo, at, policy) gives.  Release it with
 * chg_history_release.  Returns as chg_history_load.
 */
int chg_history_at(struct chg_history *out, const struct chg_history *index,
		   git_repository *repo, const git_oid *at,
		   const struct chg_policy *policy);

/*
 * As chg_history_at, for a caller that evaluates only the change requests
 * `ids` (nids; NULL: all, exactly chg_history_at) at `at`, and that may
 * have loaded change requests already (`known`: as chg_history_load_known
 * takes it, for a walk of its own; NULL: none): the view holds
 * their approvals, edits and final states only (with everything about
 * trust), so that when `at` is on the first-parent chain of the index's
 * revision it costs what those change requests have in history, not a
 * pass over every commit.  Evaluating any of `ids` in it gives what
 * chg_history_at's view gives; what it holds of other change requests is
 * not to be read (nothing, or all of it when it is not such a view).
 * Returns as chg_history_load.
 */
int chg_history_at_ids(struct chg_history *out, const struct chg_history *index,
		       git_repository *repo, const git_oid *at,
		       const struct chg_policy *policy,
		       const char *const *ids, size_t nids,
		       const struct chg_change_set *known);

/*
 * Makes h->approvals_by_id and h->edits_by_id, so that evaluating a change
 * request costs what its own approvals and edits cost, not the whole
 * history's.  chg_history_load and chg_history_at call it; a caller that
 * fills a history by hand may.  Returns 0 or CHG_ENOMEM.
 */
int chg_history_index_ids(struct chg_history *h);

/*
 * The approvals of the change request `id` in `h`: returns how many there
 * are and sets *first so that chg_history_approval_at(h, *first, k), for k
 * from 0 to that number, gives each one's index in h->approvals, oldest
 * first.  O(log n) with the by-id order (chg_history_index_ids); without
 * it every approval is given and the caller compares ids.
 */
size_t chg_history_approvals_of(const struct chg_history *h, const char *id,
				size_t *first);

/* The index in h->approvals of the `k`th approval of a run
 * (chg_history_approvals_of). */
size_t chg_history_approval_at(const struct chg_history *h, size_t first, size_t k);

/* As chg_history_approvals_of and chg_history_approval_at, for the edits
 * (h->edits). */
size_t chg_history_edits_of(const struct chg_history *h, const char *id,
			    size_t *first);
size_t chg_history_edit_at(const struct chg_history *h, size_t first, size_t k);

/* Frees what `h` holds.  NULL-safe. */
void chg_history_release(struct chg_history *h);

/*
 * Returns where the change request `id` first reached a final state in
 * the history `h` (the first commit, parents first, that added or modified
 * a file of that id holding a final state of the policy chg_history_load
 * was given), or NULL when it never did.  The result is owned by `h`.
 * Costs O(log n) in the number of ids recorded.
 */
const struct chg_final_state *chg_history_final(const struct chg_history *h,
						const char *id);

/*
 * Appends to `b` the groups `rule` takes approvals from, as messages name
 * them: "cab", "cab or managers", "a, b or c" ("?" for an entry that is not
 * a name); nothing when `rule` is NULL or allows anyone.
 */
void chg_approval_rule_groups(struct chg_buf *b, const struct chg_approval_rule *rule);

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
	CHG_VERDICT_MALFORMED,    /* invalid-value */
	CHG_VERDICT_WITHDRAWN     /* the approver's later Rejected-by of the
				     same digest stands (no rule id: it is
				     mentioned in the missing-approval
				     summary as "withdrawn") */
};

struct chg_approval_verdict {
	const struct chg_approval *approval;
	enum chg_verdict verdict;
	char *reason;             /* one line, for messages */
};

/*
 * The identity checks of approval `a` (above: whether it is well formed,
 * its dates, its signature when `require_signature`, verified into `sig`,
 * and its author and committer) at the clock `now` (seconds since the
 * epoch; the real clock when that is later): CHG_VERDICT_COUNTED when
 * they pass, else the verdict, with `why` (appended to) saying why in one
 * line.  The first of the checks chg_approval_evaluate makes, and those
 * an approval of a trust change must pass as well.
 */
enum chg_verdict chg_approval_check_identity(struct chg_buf *why,
					     const struct chg_approval *a,
					     int require_signature,
					     const struct chg_signature_result *sig,
					     int64_t now);

/*
 * Whether `email` may approve under `rule` of `policy`: 1 when the rule
 * is NULL, has no `from`, or names a group of the policy that holds the
 * email (chg_policy_in_group), else 0.
 */
int chg_approval_allowed(const struct chg_policy *policy,
			 const struct chg_approval_rule *rule, const char *email);

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

/* The rule id of a verdict ("stale-approval", ...); NULL for counted, a
 * repeat and a withdrawn approval. */
const char *chg_verdict_rule(enum chg_verdict v);

/* A short name of a verdict for summaries and logs: "counted", "stale",
 * "self", "not-allowed", "unsigned", "bad-signature", "unknown-signer",
 * "repeat", "signer-mismatch", "malformed", "withdrawn".  Static. */
const char *chg_verdict_name(enum chg_verdict v);

/*
 * Evaluates `change` and appends findings: when its state needs approval
 * and fewer than the required approvals count, one missing-approval error
 * summarising the count, and one error per approval that did not count
 * (with its rule id and commit); otherwise approvals that did not count are
 * reported as warnings, and stale ones as notes while fewer than the
 * required approvals count (once they all do, stale ones are not
 * reported: the audit trail tells where they became stale).  Returns 0 or
 * CHG_ENOMEM.
 */
int chg_approval_check(const struct chg_policy *policy,
		       const struct chg_change *change,
		       const struct chg_history *history, int64_t now,
		       struct chg_diag_list *diags);

/*
 * Appends the findings about the trust changes in force at the evaluated
 * revision: when its trust state is not the last approved one, each
 * unapproved trust change on its first-parent chain since that state is an
 * error with rule trust-change-unapproved at the first trust path the
 * commit changed (line 0), naming the commit, the quorum and the digest
 * its approvals must name, followed by one error per approval of that
 * digest that did not count (with that approval's rule id), and a note
 * naming the root of trust (same rule id).  An unapproved trust change
 * that a later commit undid is not reported: nothing was judged under it.
 * Returns 0 or CHG_ENOMEM.
 */
int chg_approval_trust_check(const struct chg_history *history,
			     struct chg_diag_list *diags);

/*
 * Returns 1 when the trust files and policy of the revision `h` was loaded
 * for are an approved trust state (the root of trust's, or approved since,
 * or no trust files ever), else 0: then the policy that revision holds is
 * not to be relied on, and chg_approval_trust_check says why.  A command
 * that decides (a gate) should refuse when it is 0.
 */
int chg_history_trust_approved(const struct chg_history *h);

#endif
