/*
 * treediff.h - what a commit changed in the change request directories
 * (DESIGN section 9), with the merge rule.
 *
 * The files a commit changed are those that differ between its first
 * parent's tree and its own, among the files the policy's change paths
 * match (policy.h, chg_policy_is_change_path).  Only the directories the
 * change paths name before their first wildcard are compared ("changes"
 * for the built-in paths; the whole tree when a path starts with one),
 * and inside them only subtrees whose ids differ: the cost follows what
 * changed, not the size of the history's trees.  Trees are read as raw
 * objects, in git's tree order.
 *
 * A file is a blob entry (a regular file, an executable or a symbolic
 * link); a submodule is not a file, and a file that becomes a directory
 * is a deletion of the file and additions of what the directory holds.
 *
 * The merge rule: a merge reports only what it made itself.  A file that
 * is, in one of the parents after the first, what it is in the merge
 * (the same blob, or absent from both) came with that parent and is not
 * reported; and a commit whose change directories are, all of them,
 * those of one of its parents changed nothing (chg_treediff_touches).
 * Octopus merges alike.
 *
 * A commit with no first parent in the graph (a root commit, or one whose
 * first parent is missing or beyond a shallow commit: graph.h) is
 * compared with the empty tree; a caller that treats such a boundary as
 * the start of history checks the graph first.
 *
 *	struct chg_treediff *d;
 *	chg_treediff_new(&d, repo, graph, policy);
 *	chg_treediff_touches(&touched, d, i);
 *	if (touched)
 *		chg_treediff_commit(d, i, on_file, payload);
 *	chg_treediff_free(d);
 *
 * What a commit changed is kept once compared (about 60 bytes and its
 * path per file), so that a second reader of the same history - the audit
 * trail after the approvals - does not read its trees again.
 *
 * Ownership: the differ borrows `repo`, `graph` and `policy`, which must
 * outlive it.  The strings and ids passed to a callback are valid during
 * the call only.
 */
#ifndef CHG_TREEDIFF_H
#define CHG_TREEDIFF_H

#include <git2.h>
#include <stddef.h>

#include "graph.h"
#include "policy.h"

struct chg_treediff;

/*
 * A file the commit changed: `path` (repository-relative, '/'-separated)
 * with its blob in the first parent (`old`) and in the commit (`new`),
 * NULL where it is absent.  Return 0 to go on; anything else stops and is
 * returned by chg_treediff_commit.
 */
typedef int (*chg_treediff_fn)(const char *path, const git_oid *old,
			       const git_oid *new, void *payload);

/*
 * Makes a differ for the commits of `graph` under `policy`'s change
 * paths.  Returns 0, CHG_EGIT (the object database cannot be opened) or
 * CHG_ENOMEM.
 */
int chg_treediff_new(struct chg_treediff **out, git_repository *repo,
		     const struct chg_graph *graph,
		     const struct chg_policy *policy);

/* Frees `d`.  NULL-safe. */
void chg_treediff_free(struct chg_treediff *d);

/*
 * Sets *out to 1 when commit `i` (an index of the graph) may have changed
 * change requests: a root commit holding any change directory, or one
 * whose change directories differ from those of its first parent and of
 * every other parent in the graph; else 0.  The ids of a commit's change
 * directories are read once and kept (20 bytes per directory and
 * commit).  Returns 0, CHG_EGIT or CHG_ENOMEM.
 */
int chg_treediff_touches(int *out, struct chg_treediff *d, size_t i);

/* The number of change directories (above). */
size_t chg_treediff_ndirs(const struct chg_treediff *d);

/* The name of the `k`th change directory ("a/b"; "" for the whole tree),
 * owned by `d`. */
const char *chg_treediff_dir(const struct chg_treediff *d, size_t k);

/*
 * Sets *out to the ids of the change directories of commit `i`
 * (chg_treediff_ndirs of them; a zero id where the commit has no such
 * directory), owned by `d` and valid while it is.  Returns 0, CHG_EGIT or
 * CHG_ENOMEM.
 */
int chg_treediff_dir_ids(const git_oid **out, struct chg_treediff *d, size_t i);

/*
 * Calls `fn` for each file that commit `i` changed (above), in git's tree
 * order of paths.  Returns 0, CHG_EGIT (a tree cannot be read, git_error_
 * last() says why), CHG_ENOMEM, or the callback's non-zero return.
 */
int chg_treediff_commit(struct chg_treediff *d, size_t i, chg_treediff_fn fn,
			void *payload);

#endif
