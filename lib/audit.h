/*
 * audit.h - the audit trail: what happened to each change request, derived
 * from the commit history (DESIGN section 6, `chg log`).
 *
 * chg_audit_walk walks the commits reachable from a revision in the one
 * order of the commit graph (graph.h: parents before children; among
 * commits free to go, the older committer date first, then the smaller
 * id: git's --date-order, reversed), and reports an event for each thing
 * a commit did to a change request:
 *
 *   created   a file with a new id appeared (path; `to`: its state)
 *   moved     the file of an id moved to another path (`from`, `to`: the
 *             paths); a move is not a deletion and a creation
 *   updated   covered content changed (`fields`: the dotted paths that
 *             differ, `risk.level`, `systems[1]`; not-covered fields such as
 *             state and review are reported by the next two); or, with
 *             `invalid` set, the commit left the file not valid (below)
 *   state     the lifecycle field changed (`from`, `to`)
 *   reviewed  review.outcome was set or changed (`outcome`)
 *   deleted   the id's file disappeared (`from`: its last state)
 *   approved, rejected
 *             the commit carries approval trailers (trailer.h) for the id:
 *             the approver, the digest and a verdict (below)
 *
 * Events of one commit come grouped by change request id (bytewise), each
 * group in the order above.  So the events of one change request are in
 * the order its history happened.
 *
 * A change request is its id, not its path: the old and new versions of
 * the files a commit touched are loaded and paired by id.  What a commit
 * changed is what the tree diff of the change directories says
 * (treediff.h), the one chg_history_load reads: only the files the
 * policy's change paths match, and under the merge rule - a merge reports
 * only what it made itself (a conflict resolution), what a merged branch
 * did is reported at that branch's commits.  A root commit creates what
 * it holds.  In a shallow clone the walk stops at the shallow commits: their
 * content is the starting point (no events), and stats->shallow says so.
 *
 * Versions that are not valid.  A version is valid when chg_change_load
 * reports no error for it (no yaml-syntax, duplicate-key, file-too-large,
 * invalid-type: the loader's rules) and it has the policy's id field.  A
 * version that is not valid is paired by path, not by id: when its path
 * held a change request in the commit's parent (the last change request
 * the walk saw at that path, valid there or already invalid), the commit
 * gets an `updated` event for that change request with `invalid` set,
 * `rule`, `line`, `column` and `message` from the first error of the load
 * ("required-field" at the top of the document when only the id is
 * missing), no `fields`, and `client` and `change_type` of its last valid
 * version.  Each commit that changes the file while it stays invalid gets
 * such an event.  These events reach the callback only when
 * opts->invalid is set; the walk follows the files the same way without
 * it.  A file that was never valid at its path (a new file, one at a
 * path no change request was seen at, or one already invalid where a
 * shallow history starts) gives no event, since no change
 * request is known to attach it to: it gives `created` when a version of
 * it is first valid.  A version whose blob is missing from the repository
 * gives no event either.
 *
 * The next valid version of such a change request is compared with its
 * last valid version, and its events go to the commit that made it: the
 * repairing commit gets `moved` when it is at another path than the one
 * the change request was last seen at, `updated` with the fields that
 * differ from the last valid version (none: no `updated`, as when the
 * repair restores that content), `state` and `reviewed` as they differ
 * from it; what the invalid versions in between held is not compared.  A
 * valid version with the id of a change request whose file is invalid is
 * its repair wherever it appears.  An invalid file renamed
 * unchanged (the same blob) gives `moved`; an invalid file that
 * disappears, or is replaced by another change request, gives `deleted`
 * (`from`: the state of the last valid version).
 *
 * Versions that load with an id but with a loader error (a duplicate key)
 * count as edits for separation of duties and are the change request of an
 * approval in their commit, as chg_history_load has them; only the events
 * above treat them as not valid.
 *
 * Which approvals counted, and when (DESIGN section 5: an approval counts
 * for a revision when it approved the change request's content at that
 * revision).  Three kinds of event tell it, each judged with
 * chg_approval_evaluate at its commit, as a verdict below is:
 *
 *   approved, rejected
 *             `matched`: whether the approved digest was the change
 *             request's digest in the approval commit (an approval changes
 *             no file: the content as it was when it was made)
 *   state, created
 *             `entered` when the event enters one of the policy's approved
 *             states (lifecycle.approved) from a state that is not one:
 *             `counted` lists the approvals that counted for that entry,
 *             at that commit, oldest first
 *   updated   (a valid version whose covered content changed) `stale`
 *             lists the approvals that counted for the content before the
 *             commit and do not count for the content after it - the edit
 *             made them stale -, and `current` those that did not count
 *             before and count after it (approvals of content that was
 *             committed only later, or of an earlier content restored)
 *
 * Verdicts of approvals and rejections are those of chg_approval_evaluate
 * (approval.h) for that approval at its commit: against the change request
 * as it is in the approval commit's tree, at the commit's committer time,
 * under `policy`, with the approvals and the content edits of that change
 * request that come before it in the walk (for separation of duties and
 * repeats).  A rejection is judged as an approval would be ("counted": a
 * rejection by someone allowed to approve, of the content as it was).
 * "unknown-change" means no change request with that id is in the commit's
 * tree.  Signed approval commits are verified even when the policy does not
 * require signatures, so that the signer's key is reported; signatures are
 * verified against the trust files of the commit's first parent
 * (chg_signature_verify_commit), without the trust-change judgement of
 * chg_history_load.  Approvals of trust changes (Change-Request: trust)
 * are not about a change request and give no event.
 *
 * Text (names, emails, subjects) is valid UTF-8: a message with an
 * `encoding` header is converted from it, and bytes that are not UTF-8 are
 * replaced by U+FFFD.
 *
 * Ownership: an event and everything it points to belong to the walk and
 * are valid only during the callback.  Memory: an oldest-first order needs
 * the whole graph first (as `git log --reverse` does), so the walk keeps a
 * record of about 150 bytes per commit; per change request, a summary of
 * its last valid version, its approvals and its distinct editors; and at most
 * 1024 parsed versions (the most recently used) besides those of the commit
 * being visited.  Events are passed on as each commit is visited.
 *
 *	static int print(const struct chg_audit_event *ev, void *payload)
 *	{ printf("%s %s %s\n", ev->commit->short_id, ev->change,
 *		 chg_audit_type_name(ev->type)); return 0; }
 *	struct chg_audit_options opts = CHG_AUDIT_OPTIONS_INIT;
 *	error = chg_audit_walk(repo, &head, policy, &opts, print, NULL, NULL);
 */
#ifndef CHG_AUDIT_H
#define CHG_AUDIT_H

#include <git2.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "graph.h"
#include "policy.h"

enum chg_audit_type {
	CHG_AUDIT_CREATED = 0,
	CHG_AUDIT_MOVED,
	CHG_AUDIT_UPDATED,
	CHG_AUDIT_STATE,
	CHG_AUDIT_REVIEWED,
	CHG_AUDIT_DELETED,
	CHG_AUDIT_APPROVED,
	CHG_AUDIT_REJECTED
};

/* An approval an event names (the counted, stale and current lists). */
struct chg_audit_ref {
	char commit[GIT_OID_HEXSZ + 1]; /* the approval commit, full id */
	char short_id[8];
	char *approver;            /* the Approved-by value, UTF-8 */
	char *approver_email;      /* from it, or NULL when malformed */
};

/* The commit an event comes from.  Strings are UTF-8, never NULL. */
struct chg_audit_commit {
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];
	char short_id[8];
	const char *author;
	const char *author_email;
	int64_t author_time;       /* seconds since the epoch */
	int author_offset;         /* minutes east of UTC */
	const char *committer;
	const char *committer_email;
	int64_t committer_time;
	int committer_offset;
	const char *subject;       /* the first paragraph, as git's %s */
	unsigned int parents;
};

struct chg_audit_event {
	enum chg_audit_type type;
	const struct chg_audit_commit *commit;
	const char *change;        /* the change request's id */
	/* The file: the new path, the old one for deleted; for approvals the
	 * file in the approval commit, or NULL. */
	const char *path;
	/* Of the version the event is about (for deleted the last one, for
	 * approvals the one in the commit); NULL when absent. */
	const char *client;
	const char *change_type;
	const char *from;          /* state: old state; moved: old path;
				      deleted: last state */
	const char *to;            /* state: new state; moved: new path;
				      created: the state */
	const char *const *fields; /* updated: dotted paths, bytewise order
				      of keys, list items by index */
	size_t nfields;
	const char *approver;      /* the Approved-by or Rejected-by value */
	const char *approver_email; /* from it, or NULL when malformed */
	const char *digest;        /* the Change-Digest value, or NULL */
	/* approved, rejected: "counted", "repeat" (the approver already
	 * counted), "stale", "self", "not-allowed", "unsigned",
	 * "bad-signature", "unknown-signer", "signer-mismatch", "malformed"
	 * (chg_verdict_rule's cases), "unknown-change" (no such change
	 * request in the commit), "not-evaluated" (a condition of the
	 * approval rules hit a pattern limit) */
	const char *verdict;
	const char *fingerprint;   /* the signing key ("SHA256:..." for SSH,
				      the hex fingerprint for OpenPGP), or
				      NULL when unsigned or unknown */
	const char *outcome;       /* reviewed: review.outcome */
	/* updated: 1 when the commit left the file not valid (see above);
	 * then `rule` (the loader's rule id: "yaml-syntax", "duplicate-key",
	 * ...), `line` and `column` (1-based; 0 when the rule is about the
	 * whole file) and `message` (one line) tell the first error of its
	 * load; else 0, NULL, 0, 0, NULL. */
	int invalid;
	const char *rule;
	int line, column;
	const char *message;
	/* approved, rejected: 1 when `digest` was the change request's
	 * digest in the approval commit, 0 when it was not; -1 when there
	 * is no such change request (unknown-change); 0 for other events */
	int matched;
	/* state, created: 1 when the event enters an approved state (see
	 * above); `counted` (ncounted, oldest first) are then the approvals
	 * that counted for it; else 0, NULL, 0 */
	int entered;
	const struct chg_audit_ref *counted;
	size_t ncounted;
	/* updated (not `invalid`): the approvals the edit made stale, and
	 * those it made count (see above), oldest first; else NULL, 0 */
	const struct chg_audit_ref *stale;
	size_t nstale;
	const struct chg_audit_ref *current;
	size_t ncurrent;
};

/* Which events reach the callback.  Every filter must hold. */
struct chg_audit_options {
	const char *const *ids;    /* only these change requests (nids) */
	size_t nids;
	int has_since, has_until;
	int64_t since, until;      /* committer time, inclusive, seconds */
	const char *client;        /* the version's client field */
	const char *type;          /* the version's type field */
	int invalid;               /* 1: also the events with `invalid` set;
				      0: not those */
};

#define CHG_AUDIT_OPTIONS_INIT { NULL, 0, 0, 0, 0, 0, NULL, NULL, 0 }

struct chg_audit_stats {
	size_t commits;            /* commits walked */
	size_t touching;           /* commits that changed change requests */
	size_t events;             /* events passed to the callback */
	int shallow;               /* the history is cut (a shallow clone) */
	char shallow_at[8];        /* then: a commit whose parents are missing */
};

/* The callback: return 0 to go on; anything else stops the walk and is
 * returned by chg_audit_walk. */
typedef int (*chg_audit_fn)(const struct chg_audit_event *ev, void *payload);

/*
 * Walks the history reachable from `tip` (NULL: an unborn branch, no
 * events) and calls `fn` for each event that passes `opts` (NULL: all but
 * those with `invalid` set, as CHG_AUDIT_OPTIONS_INIT).
 * Change requests are the files `policy`'s change paths match.  `stats`
 * may be NULL.
 *
 * Each commit is read once as a raw object (the graph), and once more
 * (git_commit_lookup) only when it changed change requests or may carry
 * approval trailers.  libgit2's object cache and strict hash verification
 * cost such a walk more than they give; the commands turn them off.
 *
 * Returns 0; CHG_EGIT (git_error_last() says why); CHG_ENOMEM; or the
 * callback's non-zero return.
 */
int chg_audit_walk(git_repository *repo, const git_oid *tip,
		   const struct chg_policy *policy,
		   const struct chg_audit_options *opts,
		   chg_audit_fn fn, void *payload,
		   struct chg_audit_stats *stats);

struct chg_history;

/*
 * As chg_audit_walk from the revision the history `h` was loaded at
 * (chg_history_load, approval.h), over its commit graph and, when `h` was
 * loaded under `policy`, its tree diff: for a command that holds the
 * history index already, history is read once.  A view (chg_history_at)
 * is walked from its revision as chg_audit_walk walks it.  Returns as
 * chg_audit_walk.
 */
int chg_audit_walk_history(git_repository *repo, const struct chg_history *h,
			   const struct chg_policy *policy,
			   const struct chg_audit_options *opts,
			   chg_audit_fn fn, void *payload,
			   struct chg_audit_stats *stats);

/* "created", "moved", ...: static. */
const char *chg_audit_type_name(enum chg_audit_type type);

/* Whether `ev` passes the filters of `opts` (the test chg_audit_walk
 * applies; NULL: every event but those with `invalid` set): 1 or 0. */
int chg_audit_match(const struct chg_audit_options *opts,
		    const struct chg_audit_event *ev);

/* The size chg_audit_format_time needs. */
#define CHG_AUDIT_TIME_SIZE 26

/*
 * Formats `t` (seconds since the epoch) as RFC 3339 in the time zone
 * `offset` minutes east of UTC, with that offset: "2026-10-26T10:15:00+01:00"
 * ("+00:00" for UTC, as git's iso-strict dates).  Returns `out`.
 */
char *chg_audit_format_time(char out[CHG_AUDIT_TIME_SIZE], int64_t t,
			    int offset);

struct chg_audit_log_options {
	const char *dir;           /* a directory inside the repository */
	const char *rev;           /* walk from this revision; NULL: HEAD */
	const char *policy_file;   /* a policy file on disk, or NULL */
	struct chg_audit_options filter;
};

#define CHG_AUDIT_LOG_OPTIONS_INIT { ".", NULL, NULL, CHG_AUDIT_OPTIONS_INIT }

/*
 * `chg log`: opens a workspace (workspace.h) in the repository containing
 * opts->dir - the policy as chg-lint reads it: from `rev`'s tree, else the
 * working tree, or policy_file; no catalog - and walks from `rev` (or
 * HEAD) as chg_audit_walk does.
 *
 * Returns 0; CHG_EINVALID when the policy is invalid (`diags` say why);
 * CHG_ENOTFOUND (not a repository, no such revision), CHG_EGIT, CHG_ENOMEM
 * with `err` set; or the callback's non-zero return.
 */
int chg_audit_log(struct chg_diag_list *diags, struct chg_buf *err,
		  const struct chg_audit_log_options *opts,
		  chg_audit_fn fn, void *payload,
		  struct chg_audit_stats *stats);

#endif
