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
};

struct chg_change_set {
	struct chg_change *items;
	size_t n;
	size_t alloc;
};

#define CHG_CHANGE_SET_INIT { NULL, 0, 0 }

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
 * Returns the first change in `set` whose id is `id`, or NULL.
 */
const struct chg_change *chg_change_set_find(const struct chg_change_set *set,
					     const char *id);

/* Frees every change in the set and leaves it empty.  NULL-safe. */
void chg_change_set_release(struct chg_change_set *set);

#endif
