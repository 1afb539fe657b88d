/*
 * workspace.h - what one command works on, opened once and handed to the
 * library's use cases (lint, show, audit, report): the repository, the
 * source (working tree, index or the tree of a revision, repo.h), the
 * revision's commit (the tip whose history counts), the policy and its
 * catalog as chg-lint reads them, the change requests of the source (on
 * request) and the history of the tip (approval.h, loaded the first time
 * it is asked for, once).
 *
 * Ownership: a workspace owns everything it opened and loaded; the
 * pointers it hands out (repository, policy, change set, history) are its
 * own and live until chg_workspace_free.  The strings and the borrowed
 * objects of its options (dir, rev, policy_file, trust_root, the change
 * cache and the history index) must outlive it.  libgit2 is initialised
 * for it and shut down by chg_workspace_free; its global options are the
 * caller's to set.
 *
 *	struct chg_workspace_options opts = CHG_WORKSPACE_OPTIONS_INIT;
 *	struct chg_workspace *ws;
 *	const struct chg_history *h;
 *	opts.rev = "HEAD";
 *	if (chg_workspace_open(&ws, &diags, &err, &opts) == 0 &&
 *	    chg_workspace_load_changes(ws, &diags, &err, NULL) == 0 &&
 *	    chg_workspace_history(&h, ws, &err) == 0)
 *		... ws->policy, &ws->changes, h ...
 *	chg_workspace_free(ws);
 */
#ifndef CHG_WORKSPACE_H
#define CHG_WORKSPACE_H

#include <git2.h>
#include <stddef.h>

#include "approval.h"
#include "buf.h"
#include "change.h"
#include "diag.h"
#include "policy.h"
#include "repo.h"

struct chg_workspace_options {
	const char *dir;          /* a directory inside the repository; a
				     relative policy_file is relative to it */
	const char *rev;          /* the tree of this revision, or NULL */
	int staged;               /* without rev: the index, not the working
				     tree */
	const char *policy_file;  /* a policy file on disk instead of the
				     source's .chg/policy.yaml, or NULL */
	const char *trust_root;   /* the pinned root of trust (chain.h), a
				     commit id; NULL: the git config
				     chg.trustRoot; "": none */
	const char *trust_root_origin; /* where trust_root comes from, for
				     messages ("--trust-root"), or NULL */
	/* Change requests of a revision are taken from this cache of parsed
	   blobs (change.h) and added to it, or NULL. */
	struct chg_change_cache *change_cache;
	/* The history is read as a view of this index (approval.h,
	   chg_history_at; borrowed, loaded at a descendant of the tip) where
	   it serves, or NULL: a walk of its own. */
	const struct chg_history *history_index;
	int without_catalog;      /* read the policy alone, not the catalog */
	int policy_alone;         /* with policy_file: open no repository at
				     all (no source, no catalog, no tip) */
};

#define CHG_WORKSPACE_OPTIONS_INIT { ".", NULL, 0, NULL, NULL, NULL, NULL, \
				     NULL, 0, 0 }

/* A change request file of a tree: its path, blob and git file mode. */
struct chg_tree_file {
	char *path;
	git_oid blob;
	unsigned int mode;
};

/* Sorted by path (bytewise). */
struct chg_tree_files {
	struct chg_tree_file *items;
	size_t n, alloc;
};

/* Read-only for its users; chg_workspace_free frees it. */
struct chg_workspace {
	struct chg_workspace_options opts; /* a copy */
	git_repository *repo;     /* NULL only with opts.policy_alone */
	struct chg_source src;
	int src_open;             /* src is open (not with policy_alone) */
	int has_tip;
	git_oid tip;              /* the commit whose history counts: the
				     revision's, else HEAD's (none on an
				     unborn branch) */
	struct chg_policy *policy; /* policy->path says which file was read
				     (CHG_POLICY_BUILTIN when none) */
	/* chg_workspace_load_changes: */
	int changes_loaded;
	struct chg_change_set changes;
	size_t nfiles;            /* change request files read */
	struct chg_strlist named; /* files read as change requests whatever
				     the policy's paths say */
	struct chg_tree_files files; /* CHG_SOURCE_TREE: its change request
				     files */
	struct chg_diag_list change_diags; /* a copy of what the load found
				     (the diagnostics it appended), in the
				     order found, for a use case handed the
				     workspace after its changes were loaded */
	/* chg_workspace_history: */
	int history_loaded;
	int history_of_ids;       /* it holds some change requests only
				     (chg_workspace_history_ids) */
	struct chg_history history;
};

/*
 * Opens the repository containing opts->dir as git does (respecting
 * GIT_DIR, GIT_INDEX_FILE and the like), the source (the tree of opts->rev,
 * else the index when opts->staged, else the working tree; a bare
 * repository without rev: the tree of HEAD), the policy (opts->policy_file,
 * else .chg/policy.yaml of the source, else the built-in policy alone) and,
 * unless opts->without_catalog, the source's catalog (.chg/catalog/) into
 * policy->catalog, and resolves the tip.  Policy and catalog diagnostics
 * are appended to `diags`, which is left sorted.  opts is copied; see the ownership rule above.
 *
 * Returns 0 and stores a workspace in *out (free it with
 * chg_workspace_free); CHG_EINVALID when the policy or catalog is invalid
 * (the diagnostics say why; chg-lint exits 3); CHG_ENOTFOUND (not a
 * repository, no such revision) or another negative code with a one-line
 * explanation in `err`.  *out is NULL on failure.
 */
int chg_workspace_open(struct chg_workspace **out, struct chg_diag_list *diags,
		       struct chg_buf *err,
		       const struct chg_workspace_options *opts);

/* Frees the workspace and everything it holds.  NULL-safe. */
void chg_workspace_free(struct chg_workspace *ws);

/*
 * Whether the repository containing `dir`, found as chg_workspace_open
 * finds it, has a HEAD without a commit (an unborn branch): for a caller
 * whose chg_workspace_open of revision "HEAD" failed with CHG_ENOTFOUND,
 * to tell an empty repository from no repository.  Returns 1 when it has;
 * 0 when it has a commit, its HEAD cannot be read, or there is no
 * repository.
 */
int chg_workspace_head_unborn(const char *dir);

/*
 * Loads every change request of the source into ws->changes: the files
 * the policy's paths match, and those of `named` (repository-relative
 * paths, copied; NULL: none) whatever they say, each of which must exist.
 * A change request of a revision is taken from the change cache when it
 * holds its blob.  What is wrong with a file (too large, a link, invalid
 * YAML, the loader's findings) is a diagnostic appended to `diags`, not
 * an error, and a copy of it is kept in ws->change_diags; such a file is
 * left out of the set or loaded as far as it goes (change.h).  Only the
 * first call that succeeds loads: later ones return 0 and change nothing
 * (ws->change_diags holds what the first one found).  A call that fails
 * leaves no change request loaded, and no diagnostic kept.
 *
 * Returns 0; CHG_ENOTFOUND (a named file does not exist, or the workspace
 * has no repository: opts.policy_alone), CHG_EIO, CHG_EGIT or CHG_ENOMEM
 * with `err` set.
 */
int chg_workspace_load_changes(struct chg_workspace *ws,
			       struct chg_diag_list *diags, struct chg_buf *err,
			       const struct chg_strlist *named);

/*
 * Stores in *out the history of the tip (approval.h), walked the first
 * time it is asked for (or a view of opts.history_index) and the same
 * pointer every later time; owned by the workspace.  A shallow clone has
 * no whole history and is refused.
 *
 * Returns 0; CHG_ERROR (shallow clone, or the hash library failed),
 * CHG_EGIT, CHG_ENOMEM, or CHG_ENOTFOUND (no repository:
 * opts.policy_alone) with `err` set (a failed load is tried again by the
 * next call).
 */
int chg_workspace_history(const struct chg_history **out,
			  struct chg_workspace *ws, struct chg_buf *err);

/*
 * As chg_workspace_history, for a caller that evaluates only the change
 * requests `ids` (nids; NULL: all, as chg_workspace_history): with
 * opts.history_index, the history may be a view of those only
 * (chg_history_at_ids, approval.h), which costs what they have in history.
 * A later chg_workspace_history reads the whole history again; a later
 * call of this one returns what the first loaded, whatever its ids.  Returns as
 * chg_workspace_history.
 */
int chg_workspace_history_ids(const struct chg_history **out,
			      struct chg_workspace *ws, struct chg_buf *err,
			      const char *const *ids, size_t nids);

/*
 * Moves the loaded history into `out` (empty before; the caller releases
 * it with chg_history_release) and forgets it: a later
 * chg_workspace_history loads it again.  Returns 0, or CHG_ENOTFOUND when
 * none was loaded (`out` is left as it was).
 */
int chg_workspace_take_history(struct chg_history *out,
			       struct chg_workspace *ws);

/*
 * Hands the policy over to the caller (free it with chg_policy_free) and
 * forgets it: the workspace is then good for nothing but
 * chg_workspace_free.  Returns the policy (NULL when taken before).
 */
struct chg_policy *chg_workspace_take_policy(struct chg_workspace *ws);

/*
 * Checks the protected chain as chg_chain_check does (chain.h) with the
 * options' root of trust: the chain of the tip of the trust log of the
 * loaded history (the index's for a view), else of ws->tip.  Appends its
 * finding to `diags`.  Returns as chg_chain_check; CHG_ENOTFOUND with
 * `err` set when the workspace has no repository (opts.policy_alone).
 */
int chg_workspace_check_chain(struct chg_workspace *ws,
			      struct chg_diag_list *diags, struct chg_buf *err);

/*
 * Stores in *out the blob the change request file at `path` (repository-
 * relative) has in the source, as it would be stored: from the tree, the
 * index, or hashed from the working tree.  Returns 1 when it is known,
 * else 0.
 */
int chg_workspace_blob(git_oid *out, const struct chg_workspace *ws,
		       const char *path);

/*
 * Lists the change request files of `tree` (a tree of ws->repo) with
 * their blobs: those the policy's paths match and the named ones of
 * chg_workspace_load_changes.  Regular files, links and submodules are
 * listed.  `out` need not be initialised; free it with
 * chg_tree_files_release in any case.  Returns 0, CHG_ENOMEM, or CHG_EGIT
 * with `err` set.
 */
int chg_workspace_list_tree(struct chg_tree_files *out, struct chg_buf *err,
			    const struct chg_workspace *ws,
			    const git_tree *tree);

/* The file at `path` in `t`, or NULL.  O(log n). */
const struct chg_tree_file *chg_tree_files_find(const struct chg_tree_files *t,
						const char *path);

/* Frees what `t` holds and leaves it empty.  NULL-safe. */
void chg_tree_files_release(struct chg_tree_files *t);

#endif
