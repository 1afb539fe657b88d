#include "range.h"

#include <git2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "chain.h"
#include "change.h"
#include "error.h"
#include "graph.h"
#include "repo.h"
#include "trust.h"
#include "workspace.h"
#include "banned.h"

struct range {
	const struct chg_range_options *opts;
	struct chg_buf *err;
	git_repository *repo;
	struct chg_history index; /* B's history: the others are its views */
	struct chg_change_cache *cache; /* change requests parsed, by blob */
	struct chg_graph graph; /* what B reaches */
	unsigned char *hidden;  /* per commit of the graph: reachable from A
				   or an excluded ref */
	size_t *order;          /* the range: commits of the graph, parents
				   first (the graph's order), B last */
	size_t norder;
	struct chg_strlist *changed; /* per commit of order: the files it
				   added or modified (changed_files) */
	struct chg_strlist scope;    /* all of them, sorted: B's scope */
	struct chg_tree_files deleted; /* the files they deleted (their
				   paths and blobs before) */
	int scope_all;          /* a commit changed the policy or catalog */
};

static int fail(struct range *r, int code, const char *fmt, const char *arg)
{
	chg_buf_clear(r->err);
	chg_buf_printf(r->err, fmt, arg);
	return code;
}

static int fail_git(struct range *r, const char *what)
{
	const git_error *e = git_error_last();

	chg_buf_clear(r->err);
	chg_buf_printf(r->err, "%s: %s", what, e ? e->message : "unknown error");
	return CHG_EGIT;
}

static int all_zeros(const char *s)
{
	return *s && strspn(s, "0") == strlen(s);
}

int chg_range_parse(struct chg_range_ends *out, const char *text)
{
	const char *dots = strstr(text, "..");
	const char *to = dots ? dots + 2 : text;
	size_t len = dots ? (size_t)(dots - text) : 0;

	out->from = out->to = NULL;
	if (!*to || all_zeros(to) || strstr(to, "..") || *to == '.' ||
	    (dots && !len))
		return CHG_EINVALID;
	if (!(out->to = strdup(to)))
		return CHG_ENOMEM;
	/* A as all zeros: a ref that did not exist */
	if (dots && strspn(text, "0") != len && !(out->from = strndup(text, len))) {
		chg_range_ends_release(out);
		return CHG_ENOMEM;
	}
	return 0;
}

void chg_range_ends_release(struct chg_range_ends *ends)
{
	if (!ends)
		return;
	free(ends->from);
	free(ends->to);
	ends->from = ends->to = NULL;
}

/* Resolves `rev` to a commit id. */
static int resolve(git_oid *out, struct range *r, const char *rev)
{
	git_object *obj = NULL, *commit = NULL;
	int error;

	error = git_revparse_single(&obj, r->repo, rev);
	if (error == 0)
		error = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
	if (error == 0)
		git_oid_cpy(out, git_object_id(commit));
	git_object_free(commit);
	git_object_free(obj);
	return error < 0 ? fail(r, CHG_ENOTFOUND, "unknown revision '%s'", rev) : 0;
}

struct hide_refs {
	struct range *r;
	int error;
};

static int hide_ref(const char *name, void *payload)
{
	struct hide_refs *h = payload;
	git_reference *ref = NULL;
	git_object *commit = NULL;

	/* a ref that names no commit (a tag of a tree) hides nothing */
	if (git_reference_lookup(&ref, h->r->repo, name) == 0 &&
	    git_reference_peel(&commit, ref, GIT_OBJECT_COMMIT) == 0 &&
	    chg_graph_mark_from(h->r->hidden, &h->r->graph, h->r->repo,
				git_object_id(commit)) < 0)
		h->error = fail_git(h->r, "cannot read a commit");
	git_object_free(commit);
	git_reference_free(ref);
	return h->error ? 1 : 0;
}

/* The commits of the graph that are not hidden, in the graph's order. */
static int list_range(struct range *r)
{
	const struct chg_graph *g = &r->graph;
	size_t i;

	if (!(r->order = malloc((g->norder + 1) * sizeof(*r->order))))
		return CHG_ENOMEM;
	for (i = 0; i < g->norder; i++)
		if (!r->hidden[g->order[i]])
			r->order[r->norder++] = g->order[i];
	return 0;
}

static int add_deleted(struct range *r, const git_diff_delta *d)
{
	struct chg_tree_files *t = &r->deleted;
	struct chg_tree_file *f;

	if (t->n == t->alloc) {
		size_t alloc = t->alloc ? 2 * t->alloc : 8;
		struct chg_tree_file *items = realloc(t->items, alloc * sizeof(*items));
		if (!items)
			return CHG_ENOMEM;
		t->items = items;
		t->alloc = alloc;
	}
	f = &t->items[t->n];
	if (!(f->path = strdup(d->old_file.path)))
		return CHG_ENOMEM;
	git_oid_cpy(&f->blob, &d->old_file.id);
	f->mode = d->old_file.mode;
	t->n++;
	return 0;
}

/*
 * The files `c` added or modified relative to its first parent (all its
 * files for a root commit), sorted; sets r->scope_all when it changed the
 * policy or the catalog (chg_lint_scope_path), deleting included, and adds
 * the files it deleted to r->deleted.
 */
static int changed_files(struct chg_strlist *out, struct range *r,
			 const git_commit *c)
{
	git_commit *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	git_diff *diff = NULL;
	size_t i, n;
	int error = 0;

	if (git_commit_tree(&tree, c) < 0 ||
	    (git_commit_parentcount(c) > 0 &&
	     (git_commit_parent(&parent, c, 0) < 0 ||
	      git_commit_tree(&ptree, parent) < 0)) ||
	    git_diff_tree_to_tree(&diff, r->repo, ptree, tree, NULL) < 0) {
		error = fail_git(r, "cannot compare a commit with its parent");
		goto cleanup;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n && !error; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (chg_lint_scope_path(d->old_file.path) ||
		    chg_lint_scope_path(d->new_file.path))
			r->scope_all = 1;
		if (d->status == GIT_DELTA_DELETED)
			error = add_deleted(r, d);
		if (d->status == GIT_DELTA_ADDED || d->status == GIT_DELTA_MODIFIED ||
		    d->status == GIT_DELTA_TYPECHANGE)
			error = chg_strlist_add(out, d->new_file.path);
	}
	chg_strlist_sort(out);
cleanup:
	git_diff_free(diff);
	git_tree_free(ptree);
	git_tree_free(tree);
	git_commit_free(parent);
	return error;
}

static int cmp_str(const void *key, const void *item)
{
	return strcmp(key, *(char *const *)item);
}

static int is_reported(const struct chg_diag_list *seen, const struct chg_diag *d)
{
	size_t i;

	for (i = 0; i < seen->n; i++)
		if (!strcmp(seen->items[i].path, d->path) &&
		    !strcmp(seen->items[i].rule, d->rule) &&
		    !strcmp(seen->items[i].message, d->message))
			return 1;
	return 0;
}

/*
 * Lints `oid`, a commit before the tip, and appends to `diags` its
 * findings about the files it added or modified (`changed`, sorted), not
 * yet in `seen`.  The clock is the commit's (its committer date, or the
 * run's clock when that is earlier): a version is judged when it was
 * made, not by rules that came due after a later commit replaced it.  The
 * approval quorum is judged for the change requests that enter a state
 * needing approval in it (chg_lint_options.quorum_on_entry): one edited
 * while it stays approved is judged at the tip, where the approvals of
 * its new content can follow the edit.
 */
static int lint_commit(struct chg_diag_list *diags, struct chg_diag_list *seen,
		       struct range *r, const git_oid *oid,
		       const struct chg_strlist *changed_in)
{
	struct chg_lint_options lo = r->opts->lint;
	struct chg_diag_list found = CHG_DIAG_LIST_INIT;
	const struct chg_strlist changed = *changed_in;
	struct chg_buf err = CHG_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1], sid[8];
	git_commit *c = NULL;
	size_t i;
	int error, invalid;

	if (!changed.n)
		return 0;
	if (git_commit_lookup(&c, r->repo, oid) < 0)
		return fail_git(r, "cannot read a commit");
	git_oid_tostr(hex, sizeof(hex), oid);
	chg_oid_short(sid, oid);
	if ((int64_t)git_commit_time(c) < lo.now)
		lo.now = (int64_t)git_commit_time(c);
	lo.rev = hex;
	lo.staged = 0;
	lo.paths = NULL;
	lo.npaths = 0;
	lo.trust_root = "";  /* the pin is B's to hold */
	lo.history_index = &r->index;
	lo.history_out = NULL;
	lo.change_cache = r->cache;
	/* only what it changed is kept: only that is judged */
	lo.focus = (const char *const *)changed.items;
	lo.nfocus = changed.n;
	lo.scope = CHG_LINT_SCOPE_ALL;  /* the focus is the scope */
	lo.changed = NULL;
	lo.nchanged = 0;
	lo.deleted = NULL;
	lo.ndeleted = 0;
	lo.quorum_on_entry = 1;
	error = chg_lint(&found, &err, &lo, NULL);
	if (error < 0 && error != CHG_EINVALID) {
		chg_buf_clear(r->err);
		chg_buf_printf(r->err, "in %s: %s", sid,
			       err.len ? err.ptr : chg_error_str(error));
		goto cleanup;
	}
	/*
	 * A commit's policy or catalog that does not load is its finding.
	 * When they load, what is reported about them comes from history: a
	 * change of the trust files is approved by commits that can only
	 * follow it, so it is judged at the tip, not here.
	 */
	invalid = error == CHG_EINVALID;
	error = 0;
	for (i = 0; i < found.n && !error; i++) {
		const struct chg_diag *d = &found.items[i];
		if (!bsearch(d->path, changed.items, changed.n,
			     sizeof(*changed.items), cmp_str) ||
		    (!invalid && chg_trust_is_path(d->path)) ||
		    is_reported(seen, d))
			continue;
		error = chg_diag_add(seen, d->path, d->line, d->column,
				     d->severity, d->rule, "%s", d->message);
		if (!error)
			error = chg_diag_add(diags, d->path, d->line, d->column,
					     d->severity, d->rule, "in %s: %s",
					     sid, d->message);
	}
cleanup:
	git_commit_free(c);
	chg_buf_release(&err);
	chg_diag_list_release(&found);
	return error;
}

/*
 * What each commit of the range added or modified, and with it B's
 * scope: every file a commit of the range changed, or every change
 * request when one changed the policy or catalog (lint.h).
 */
static int list_changes(struct range *r)
{
	git_commit *c;
	size_t i, j;
	int error = 0;

	if (!(r->changed = calloc(r->norder, sizeof(*r->changed))))
		return CHG_ENOMEM;
	for (i = 0; i < r->norder && !error; i++) {
		if (git_commit_lookup(&c, r->repo, &r->graph.commits[r->order[i]].id) < 0)
			return fail_git(r, "cannot read a commit");
		error = changed_files(&r->changed[i], r, c);
		git_commit_free(c);
		for (j = 0; j < r->changed[i].n && !error; j++)
			error = chg_strlist_add(&r->scope, r->changed[i].items[j]);
	}
	chg_strlist_sort(&r->scope);
	return error;
}

/*
 * The protected chain: an update from `from` to `tip` keeps `from` on the
 * first-parent chain of `tip`, or is reported.
 */
static int check_chain(struct chg_diag_list *diags, struct range *r,
		       const git_oid *from, const git_oid *tip)
{
	char a[8], b[8];
	int on, merged;

	if (chg_chain_contains(&on, r->repo, tip, from) < 0)
		return fail_git(r, "cannot read the first-parent chain");
	if (on)
		return 0;
	merged = git_graph_descendant_of(r->repo, tip, from) == 1;
	chg_oid_short(a, from);
	chg_oid_short(b, tip);
	return chg_diag_add(diags, CHG_CHAIN_PATH, 0, 0, CHG_SEV_ERROR,
			    CHG_CHAIN_RULE,
			    "the update from %s to %s rewrites or replaces the protected history: %s is not on the first-parent chain of %s%s%s%s",
			    a, b, a, b,
			    merged ? " (it is merged in as a later parent; merge the other history into " : "",
			    merged ? a : "", merged ? " instead, so that it stays the first parent)" : "");
}

int chg_range_lint(struct chg_diag_list *diags, struct chg_buf *err,
		   const struct chg_range_options *opts,
		   struct chg_lint_stats *stats)
{
	struct range r;
	struct chg_range_ends ends = { NULL, NULL };
	struct chg_diag_list seen = CHG_DIAG_LIST_INIT;
	struct chg_lint_options lo = opts->lint;
	static const char *const none[1] = { NULL };
	struct hide_refs h;
	const char *dir = opts->lint.dir;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid tip, from;
	size_t i, first = diags->n;
	int error;

	memset(&r, 0, sizeof(r));
	r.index = (struct chg_history)CHG_HISTORY_INIT;
	r.graph = (struct chg_graph)CHG_GRAPH_INIT;
	r.opts = opts;
	r.err = err;
	git_libgit2_init();
	error = chg_range_parse(&ends, opts->range ? opts->range : "");
	if (error == CHG_EINVALID)
		error = fail(&r, CHG_ERROR, "invalid range '%s' (expected A..B or B)",
			     opts->range ? opts->range : "");
	if (error < 0)
		goto cleanup;
	/* as chg_lint opens it: git's environment first (hooks, quarantine) */
	if (git_repository_open_ext(&r.repo, strcmp(dir, ".") ? dir : NULL,
				    GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0) {
		error = fail(&r, CHG_ENOTFOUND, "not a git repository: '%s'", dir);
		goto cleanup;
	}
	if ((error = chg_chain_check_repo(err, r.repo)) < 0 ||
	    (error = resolve(&tip, &r, ends.to)) < 0 ||
	    (ends.from && (error = resolve(&from, &r, ends.from)) < 0) ||
	    (ends.from && (error = check_chain(diags, &r, &from, &tip)) < 0))
		goto cleanup;
	if ((error = chg_graph_load(&r.graph, r.repo, &tip)) < 0) {
		error = error == CHG_EGIT ? fail_git(&r, "cannot read a commit") : error;
		goto cleanup;
	}
	if (!(r.hidden = calloc(r.graph.n + 1, 1))) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	if (ends.from &&
	    (error = chg_graph_mark_from(r.hidden, &r.graph, r.repo, &from)) < 0) {
		error = error == CHG_EGIT ? fail_git(&r, "cannot read a commit") : error;
		goto cleanup;
	}
	h.r = &r;
	h.error = 0;
	for (i = 0; i < opts->nexclude_refs && !error; i++) {
		if (git_reference_foreach_glob(r.repo, opts->exclude_refs[i],
					       hide_ref, &h) < 0 && !h.error)
			h.error = fail_git(&r, "cannot list the refs");
		error = h.error;
	}
	if (error || (error = list_range(&r)) < 0 || !r.norder) {
		chg_diag_list_sort(diags);
		goto cleanup;
	}
	if ((error = list_changes(&r)) < 0)
		goto cleanup;

	/* the tip in full, then what each earlier commit introduced */
	git_oid_tostr(hex, sizeof(hex), &tip);
	lo.rev = hex;
	lo.staged = 0;
	lo.paths = NULL;
	lo.npaths = 0;
	lo.history_index = NULL;
	lo.history_out = &r.index;  /* one walk: the others are views of it */
	if ((error = chg_change_cache_new(&r.cache)) < 0)
		goto cleanup;
	lo.change_cache = r.cache;
	if (opts->lint.scope == CHG_LINT_SCOPE_ALL ||
	    (opts->lint.scope == CHG_LINT_SCOPE_DEFAULT && r.scope_all)) {
		lo.scope = CHG_LINT_SCOPE_ALL;
	} else {
		lo.scope = CHG_LINT_SCOPE_CHANGED;
		/* not NULL, even when no commit changed a file */
		lo.changed = r.scope.n ? (const char *const *)r.scope.items : none;
		lo.deleted = r.deleted.items;
		lo.ndeleted = r.deleted.n;
		lo.nchanged = r.scope.n;
	}
	if ((error = chg_lint(diags, err, &lo, stats)) < 0)
		goto cleanup;
	for (i = first; i < diags->n && !error; i++)
		error = chg_diag_add(&seen, diags->items[i].path, 0, 0,
				     diags->items[i].severity, diags->items[i].rule,
				     "%s", diags->items[i].message);
	/* parents first: the tip is last */
	for (i = 0; i + 1 < r.norder && !error; i++)
		error = lint_commit(diags, &seen, &r,
				    &r.graph.commits[r.order[i]].id, &r.changed[i]);
	chg_diag_list_sort(diags);
cleanup:
	if (error == CHG_ENOMEM) {
		chg_buf_clear(err);
		chg_buf_puts(err, "out of memory");
	}
	chg_diag_list_release(&seen);
	chg_range_ends_release(&ends);
	for (i = 0; r.changed && i < r.norder; i++)
		chg_strlist_release(&r.changed[i]);
	free(r.changed);
	chg_strlist_release(&r.scope);
	chg_tree_files_release(&r.deleted);
	free(r.order);
	free(r.hidden);
	chg_graph_release(&r.graph);
	chg_history_release(&r.index);
	chg_change_cache_free(r.cache);
	git_repository_free(r.repo);
	git_libgit2_shutdown();
	return error;
}
