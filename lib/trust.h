/*
 * trust.h - the trust files of a tree and the trust state of each commit
 * (DESIGN section 5: changes to the policy, the trust files and the
 * catalog are themselves changes).
 *
 * The trust set of a tree is every entry at or under these paths, a
 * directory taken whole (recursively):
 *
 *	.chg/allowed_signers  .chg/catalog  .chg/keys.asc  .chg/policy.yaml
 *	.chg/revoked_keys
 *
 * (A revocation is a trust change like any other: one that needed no
 * quorum would let anyone who can push revoke every approver's key.)
 *
 * Its digest is "sha256:" and the lowercase hex SHA-256 of the listing of
 * those entries sorted by path (bytewise), each written as
 *
 *	<mode> SP <type> SP <object id> TAB <path> NUL
 *
 * with the mode as six octal digits as git writes it (100644, 100755,
 * 120000, 160000), the type "blob" or "commit" (a submodule) and the object
 * id in lowercase hex: the bytes that
 *
 *	git ls-tree -r -z REV -- .chg/allowed_signers .chg/catalog \
 *		.chg/keys.asc .chg/policy.yaml .chg/revoked_keys | sha256sum
 *
 * hashes.  A tree that holds none of them has the digest of the empty
 * listing (CHG_TRUST_EMPTY_DIGEST).  A file's content, mode or presence
 * changes the digest; nothing outside the set does.  (A directory nested
 * deeper than CHG_TRUST_MAX_DEPTH levels below a trust path is listed as
 * itself, "040000 tree <id>", where git ls-tree -r would go on: its id
 * covers its content all the same.)
 *
 * A trust change is a commit whose trust digest differs from its first
 * parent's.  The root of trust is the oldest commit on the first-parent
 * chain of the evaluated revision whose tree has a trust set while its
 * first parent's has none (or that is a root commit with one): its trust
 * files are taken as they are.  Every other trust change needs approval
 * (approval.h: approvals name Change-Request: trust and the digest after
 * the change).  chg_history_load (approval.h) keeps a chg_trust_log of
 * every commit it walks and fills in each record's status and effective
 * trust.
 *
 * Ownership: a log owns its records and states; chg_trust_log_release
 * frees them.  Paths returned through `**out` belong to the caller.
 *
 *	struct chg_trust_log log = CHG_TRUST_LOG_INIT;
 *	while (next commit, parents first)
 *		chg_trust_log_add(&log, repo, commit);
 *	chg_trust_log_find_root(&log, &tip);
 *	r = &log.records[chg_trust_log_find(&log, &tip)];
 *	puts(log.states[r->state].digest);    // sha256:...
 *	chg_trust_log_release(&log);
 */
#ifndef CHG_TRUST_H
#define CHG_TRUST_H

#include <git2.h>
#include <stddef.h>

#include "digest.h"
#include "signature.h"

/*
 * The Change-Request value of an approval of a trust change.  It is
 * reserved: a change request with this id approves nothing.  It compares
 * exactly (case-sensitively).
 */
#define CHG_TRUST_CHANGE_REQUEST "trust"

/* The policy, one of the trust files. */
#define CHG_TRUST_POLICY_PATH ".chg/policy.yaml"

/* The digest of a tree without trust files: SHA-256 of nothing. */
#define CHG_TRUST_EMPTY_DIGEST \
	"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* No record: a missing parent, no effective trust, no root of trust. */
#define CHG_TRUST_NONE ((size_t)-1)

/* The deepest directory level listed under a trust path. */
#define CHG_TRUST_MAX_DEPTH 32

/* Returns 1 when `path` (repository-relative) is in the trust set. */
int chg_trust_is_path(const char *path);

/*
 * Computes the trust digest of `tree` (NULL: no tree, the empty digest)
 * into `out` (CHG_DIGEST_SIZE bytes).  Returns 0, CHG_EGIT, CHG_ERROR (the
 * hash failed) or CHG_ENOMEM.
 */
int chg_trust_digest(char out[CHG_DIGEST_SIZE], git_repository *repo,
		     const git_tree *tree);

/*
 * Stores in *out the first path (bytewise) of the trust set whose entry
 * differs between `old` and `new` (either may be NULL: no tree), or NULL
 * when they are the same; the caller frees it.  Returns as
 * chg_trust_digest.
 */
int chg_trust_first_difference(char **out, git_repository *repo,
			       const git_tree *old, const git_tree *new);

/*
 * Verifies the signature of `commit` as chg_signature_verify_commit does,
 * but against the trust files in the tree of `trust_commit` (NULL: no
 * trust files at all) instead of those of its first parent.  `origin` names
 * that trust in messages, to follow "as of" ("the last approved trust (in
 * 1234567) before its first parent 89abcde").  Returns as
 * chg_signature_verify_commit.
 */
int chg_trust_verify_commit(struct chg_signature_result *out,
			    struct chg_signature_verifier *v,
			    git_repository *repo, const git_commit *commit,
			    const git_oid *trust_commit, const char *origin,
			    const char *principal);

enum chg_trust_status {
	CHG_TRUST_UNCHANGED = 0, /* same trust digest as its first parent */
	CHG_TRUST_ROOT,          /* the root of trust */
	CHG_TRUST_APPROVED,      /* a trust change with its quorum */
	CHG_TRUST_RESTORED,      /* a trust change back to the last approved
				    trust state: nothing new to approve */
	CHG_TRUST_UNAPPROVED     /* a trust change without its quorum */
};

/* One distinct trust state (a digest). */
struct chg_trust_state {
	char digest[CHG_DIGEST_SIZE];
};

/* One commit of the history. */
struct chg_trust_record {
	git_oid commit;
	git_oid dir;          /* the id of the tree at .chg, zero when none */
	size_t parent;        /* its first parent's record, or CHG_TRUST_NONE
				 (a root commit, or a parent not walked) */
	size_t state;         /* index into the log's states */
	int changed;          /* its trust digest differs from its first
				 parent's (a root commit: it has trust files) */
	/* Set by chg_history_load (approval.h): */
	enum chg_trust_status status;
	size_t effective;     /* the record whose trust files hold at this
				 commit: itself when its trust state is the
				 root's or approved, else the last approved
				 state on its first-parent chain;
				 CHG_TRUST_NONE when there is none */
};

struct chg_trust_log {
	struct chg_trust_record *records; /* in the order added: parents first */
	size_t n, alloc;
	struct chg_trust_state *states; /* the first is CHG_TRUST_EMPTY_STATE */
	size_t nstates, alloc_states;
	size_t root;          /* the root of trust, as chg_trust_log_find_root
				 found it, or CHG_TRUST_NONE */
	size_t tip;           /* the evaluated revision's record, set there
				 too, or CHG_TRUST_NONE */
	size_t *table;        /* commit id -> record index + 1 */
	size_t table_size;
};

/* A zeroed log is an empty log too. */
#define CHG_TRUST_LOG_INIT { NULL, 0, 0, NULL, 0, 0, CHG_TRUST_NONE, \
			     CHG_TRUST_NONE, NULL, 0 }

/* The index of the state of the empty trust set, once a record is added. */
#define CHG_TRUST_EMPTY_STATE 0

/*
 * Adds the record of `commit`, whose first parent, when it is in the
 * history, must have been added before (a topological walk, parents
 * first).  A commit already in the log is not added again.  The trust
 * digest is computed only when the id of .chg differs from the first
 * parent's.  Returns 0 or an error of chg_trust_digest.
 */
int chg_trust_log_add(struct chg_trust_log *log, git_repository *repo,
		      const git_commit *commit);

/* The index of the record of `commit`, or CHG_TRUST_NONE. */
size_t chg_trust_log_find(const struct chg_trust_log *log,
			  const git_oid *commit);

/*
 * Finds the root of trust of the first-parent chain of `tip` (a commit of
 * the log) and stores it in log->root (CHG_TRUST_NONE when the chain has no
 * trust files), and tip's record in log->tip.
 */
void chg_trust_log_find_root(struct chg_trust_log *log, const git_oid *tip);

/* Frees what `log` holds.  NULL-safe. */
void chg_trust_log_release(struct chg_trust_log *log);

#endif
