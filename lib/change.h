/*
 * change.h - a change request as loaded from one file (or git blob), and
 * the set of all change requests of a revision.
 *
 * Ownership: a struct chg_change owns its path and tree; id, type and state
 * point into the tree.  A set owns its changes.
 *
 *	struct chg_change_set set = CHG_CHANGE_SET_INIT;
 *	chg_change_set_add(&set, "changes/CHG-0042.yaml", buf, len, policy, &diags);
 *	const struct chg_change *c = chg_change_set_find(&set, "CHG-0042");
 *	chg_change_set_release(&set);
 */
#ifndef CHG_CHANGE_H
#define CHG_CHANGE_H

#include <stddef.h>

#include <git2.h>

#include "diag.h"
#include "digest.h"
#include "node.h"
#include "policy.h"

struct chg_change {
	char *path;                  /* repository-relative, '/'-separated */
	struct chg_node *root;       /* NULL when the file could not be loaded */
	const char *id;              /* the id field's value, or NULL */
	const struct chg_node *id_node;
	const char *type;            /* the type field's value, or NULL */
	const char *state;           /* the lifecycle field's value, or NULL */
	const struct chg_node *state_node;
	char digest[CHG_DIGEST_SIZE]; /* of the covered content; "" if no tree */
	int shared;                  /* the tree is a cache's (change cache
					below), not freed with the change */
	int has_blob;                /* `blob` is known: */
	git_oid blob;                /* the git blob of the bytes it was
					loaded from */
};

struct chg_change_set {
	struct chg_change *items;
	size_t n;
	size_t alloc;
	/* chg_change_set_index: the items with an id, ordered by id and then
	   position; it serves while nindexed == n */
	size_t *by_id;
	size_t nby_id;
	size_t nindexed;
};

#define CHG_CHANGE_SET_INIT { NULL, 0, 0, NULL, 0, 0 }

/*
 * Loads `len` bytes at `buf` as the change request at `path` into `out`:
 * parses the YAML (loader diagnostics go to `diags`), finds the id, type
 * and state fields the policy names, and computes the digest (policy's
 * approvals.not-covered left out).  `out->root` is NULL when the file is
 * unusable.  Returns 0 (also for an unusable file: the diagnostics say
 * why) or CHG_ENOMEM.
 */
int chg_change_load(struct chg_change *out, const char *path, const char *buf,
		    size_t len, const struct chg_policy *policy,
		    struct chg_diag_list *diags);

/* Frees what `c` holds.  NULL-safe. */
void chg_change_release(struct chg_change *c);

/* As chg_change_load, appending to `set`.  Returns 0 or CHG_ENOMEM. */
int chg_change_set_add(struct chg_change_set *set, const char *path,
		       const char *buf, size_t len,
		       const struct chg_policy *policy,
		       struct chg_diag_list *diags);

/*
 * Orders the change requests of `set` by id, so that chg_change_set_find
 * costs O(log n) until the next change is added.  Returns 0 or
 * CHG_ENOMEM (then finding stays a linear search).
 */
int chg_change_set_index(struct chg_change_set *set);

/*
 * Returns the first change in `set` whose id is `id`, or NULL: O(log n)
 * when the set is indexed (chg_change_set_index), else O(n).
 */
const struct chg_change *chg_change_set_find(const struct chg_change_set *set,
					     const char *id);

/* Frees every change in the set and leaves it empty.  NULL-safe. */
void chg_change_set_release(struct chg_change_set *set);

/*
 * A cache of change requests parsed from git blobs, by blob id, for a
 * command that reads many revisions of one repository (chg-lint --range):
 * a blob that two revisions share is parsed once.  What a cached load
 * gives - the tree, fields, digest and the loader's diagnostics, with the
 * path of the file now - is what chg_change_load gives for the same bytes
 * under the same policy (compared by its digest: another policy empties
 * the cache).
 *
 *	struct chg_change_cache *cache;
 *	chg_change_cache_new(&cache);
 *	chg_change_cache_begin(cache, policy);
 *	if (chg_change_set_add_cached(&set, cache, &blob_id, path, policy, diags) == CHG_ENOTFOUND)
 *		... read the blob, then chg_change_set_add_blob(&set, cache, &blob_id, path, buf, len, policy, diags);
 *	chg_change_cache_free(cache);
 *
 * The cache owns what it holds; a change it gives shares the cache's tree
 * (change->shared), so the cache must outlive the set.
 */
struct chg_change_cache;

/* Makes an empty cache.  Returns 0 or CHG_ENOMEM. */
int chg_change_cache_new(struct chg_change_cache **out);

/* Frees the cache and what it holds.  NULL-safe. */
void chg_change_cache_free(struct chg_change_cache *cache);

/*
 * Says that the loads that follow are made under `policy`, which must stay
 * the same until the next call: when it differs (by digest) from the one
 * of the loads the cache holds, the cache is emptied.  Returns 0,
 * CHG_ENOMEM or CHG_ERROR.
 */
int chg_change_cache_begin(struct chg_change_cache *cache,
			   const struct chg_policy *policy);

/*
 * Appends to `set` the change request of blob `blob` at `path` as it was
 * loaded before under `policy`, the one chg_change_cache_begin named (its
 * loader diagnostics appended to `diags` with `path`).  Returns 0; CHG_ENOTFOUND when the cache does not hold it
 * (nothing was appended: read the blob and call chg_change_set_add_blob);
 * CHG_ENOMEM, CHG_ERROR (the hash library failed).
 */
int chg_change_set_add_cached(struct chg_change_set *set,
			      struct chg_change_cache *cache,
			      const git_oid *blob, const char *path,
			      const struct chg_policy *policy,
			      struct chg_diag_list *diags);

/*
 * As chg_change_set_add for the `len` bytes of blob `blob`, keeping a copy
 * of the result in `cache`.  Returns as chg_change_set_add.
 */
int chg_change_set_add_blob(struct chg_change_set *set,
			    struct chg_change_cache *cache,
			    const git_oid *blob, const char *path,
			    const char *buf, size_t len,
			    const struct chg_policy *policy,
			    struct chg_diag_list *diags);

#endif
