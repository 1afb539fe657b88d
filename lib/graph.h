/*
 * graph.h - the commit graph: the one walk of history (DESIGN section 9).
 *
 * chg_graph_load reads every commit reachable from a revision once, as a
 * raw object (its tree, parents, committer date and whether its message
 * may carry approval trailers), and puts them in one order: parents
 * before children and, among the commits free to go, the older committer
 * date first, then the smaller id - git's --date-order, reversed.  The
 * order depends on the commits only, not on how they were found.
 *
 * Where history is cut, it is cut once, here: the walk does not go past
 * the shallow commits of a shallow clone ($GIT_DIR/shallow: such a commit
 * is `cut`, its parents are not read) nor past a parent missing from the
 * repository (its index is CHG_GRAPH_NONE).  Objects are read as stored:
 * replace refs and grafts are not applied (chain.h refuses grafts).
 *
 * Every reader of history - approvals (approval.h), the audit trail
 * (audit.h), the commits of a range (range.h) - takes its commits from a
 * graph, so they agree on which commits there are and in which order.
 *
 * Memory: about 100 bytes per commit and 28 per parent.
 *
 *	struct chg_graph g = CHG_GRAPH_INIT;
 *	size_t i;
 *	if (chg_graph_load(&g, repo, &head) == 0)
 *		for (i = 0; i < g.norder; i++)
 *			visit(&g.commits[g.order[i]]);   // parents first
 *	chg_graph_release(&g);
 */
#ifndef CHG_GRAPH_H
#define CHG_GRAPH_H

#include <git2.h>
#include <stddef.h>
#include <stdint.h>

/* No commit: a parent that is not in the graph. */
#define CHG_GRAPH_NONE ((size_t)-1)

struct chg_graph_commit {
	git_oid id;
	git_oid tree;
	int64_t time;               /* committer time, seconds since the epoch */
	size_t parent0;             /* its parents, in commit order:
				       parents[parent0 .. parent0 + nparents) */
	unsigned int nparents;
	unsigned int trailers : 1;  /* the message may carry a Change-Request
				       trailer (a cheap test: the words
				       "change-request", any case) */
	unsigned int cut : 1;       /* a shallow commit: its parents are not
				       read */
};

struct chg_graph_parent {
	git_oid id;
	size_t index;               /* the parent's commit, or CHG_GRAPH_NONE
				       (missing, or beyond a shallow commit) */
};

struct chg_graph {
	struct chg_graph_commit *commits;  /* in the order they were read */
	size_t n;
	struct chg_graph_parent *parents;
	size_t nparents;
	size_t *order;              /* the indices of commits, parents first */
	size_t norder;
	size_t tip;                 /* the tip's index; CHG_GRAPH_NONE when
				       empty */
	size_t *rank;               /* per commit, its place in `order` */
	/* private */
	size_t alloc, alloc_parents;
	size_t *slots;              /* id -> index + 1 (0: empty) */
	size_t cap;
};

#define CHG_GRAPH_INIT { NULL, 0, NULL, 0, NULL, 0, CHG_GRAPH_NONE, NULL, 0, 0, \
			  NULL, 0 }

/*
 * Reads the commits reachable from `tip` (NULL: an unborn branch, an
 * empty graph) into `out`, which must be empty (CHG_GRAPH_INIT), and
 * orders them.  A `tip` that is missing from the repository gives an
 * empty graph.  Release with chg_graph_release, also after an error.
 *
 * Returns 0; CHG_EGIT (an object cannot be read, or a commit has no tree;
 * git_error_last() says why); CHG_ENOMEM.
 */
int chg_graph_load(struct chg_graph *out, git_repository *repo,
		   const git_oid *tip);

/* The index of the commit `id` in `g`, or CHG_GRAPH_NONE.  O(1). */
size_t chg_graph_find(const struct chg_graph *g, const git_oid *id);

/* The index of the `k`th (0-based) parent of the commit `i`, or
 * CHG_GRAPH_NONE when it has fewer or that one is not in the graph. */
size_t chg_graph_parent(const struct chg_graph *g, size_t i, unsigned int k);

/*
 * Returns 1 when the commit `from` reaches the commit `to` (both indices
 * of `g`; a commit reaches itself), 0 when it does not, CHG_ENOMEM.  Only
 * the commits between the two in the graph's order are looked at (as
 * git merge-base --is-ancestor to from).
 */
int chg_graph_reaches(const struct chg_graph *g, size_t from, size_t to);

/*
 * Sets marks[i] to 1 for every commit i of `g` that `from` (a commit of
 * `g`) reaches, itself included; marks (g->n bytes) that are already set
 * are not followed again, so several calls mark the union.  O(commits
 * marked).  Returns 0 or CHG_ENOMEM.
 */
int chg_graph_mark(unsigned char *marks, const struct chg_graph *g, size_t from);

/*
 * As chg_graph_mark, for a commit `id` that need not be in `g`: the
 * commits that are not in it are read (as chg_graph_load reads them, up
 * to the shallow commits and missing parents) until the walk reaches
 * `g`, so that every commit of `g` that `id` reaches is marked (git's
 * `--not id` within g).  Returns 0; CHG_EGIT; CHG_ENOMEM.
 */
int chg_graph_mark_from(unsigned char *marks, const struct chg_graph *g,
			git_repository *repo, const git_oid *id);

/* Frees what `g` holds and resets it to CHG_GRAPH_INIT.  NULL-safe. */
void chg_graph_release(struct chg_graph *g);

#endif
