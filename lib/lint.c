#include "lint.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "chain.h"
#include "change.h"
#include "check.h"
#include "error.h"
#include "policy.h"
#include "repo.h"
#include "rules.h"
#include "workspace.h"
#include "waiver.h"
#include "yaml.h"
#include "banned.h"

/* A change request file of the previous tree. */
struct prev_file {
	const struct chg_tree_file *file;
	const struct chg_change *same;  /* the current change request at the
					   same path with the same blob */
	struct chg_change before;       /* else the blob loaded (before.root
					   NULL when it was not) */
};

/* The previous tree's change request files, parallel to its listing. */
struct prev_files {
	struct chg_tree_files list;
	struct prev_file *items;
};

struct lint {
	const struct chg_lint_options *opts;
	struct chg_diag_list *diags;
	struct chg_buf *err;
	struct chg_workspace *ws;
	const struct chg_policy *policy;     /* the workspace's */
	const struct chg_change_set *changes; /* the workspace's */
	const struct chg_history *history;   /* the workspace's */
	struct chg_strlist named;  /* repository-relative PATH arguments */
	size_t first;              /* the first diagnostic of this run */
	/* The previous tree (previous_tree) and its change requests, read
	   once by load_before: */
	int before_loaded;
	git_tree *prev_tree;       /* NULL: none */
	git_oid prev_commit;
	struct prev_files prev;
	struct prev_file **byid;   /* those with an id and a state, by id */
	size_t nbyid;
	unsigned char *unchanged;  /* per change request: same path, same
				      blob in the previous tree */
	int scoped;                /* apply_scope left files out */
};

static void prev_files_release(struct prev_files *prev);

static int fail(struct lint *l, int code, const char *fmt, const char *arg)
{
	chg_buf_clear(l->err);
	chg_buf_printf(l->err, fmt, arg);
	return code;
}

/* Turns the PATH arguments into repository-relative paths. */
static int resolve_paths(struct lint *l)
{
	const char *workdir = git_repository_workdir(l->ws->repo);
	const char *dir = l->ws->opts.dir;
	char top[PATH_MAX], here[PATH_MAX];
	struct chg_buf rel = CHG_BUF_INIT;
	size_t i, toplen;
	int error = 0;

	if (!l->opts->npaths)
		return 0;
	if (l->ws->opts.rev || !workdir) {
		for (i = 0; i < l->opts->npaths && !error; i++)
			error = chg_strlist_add(&l->named, l->opts->paths[i]);
		return error;
	}
	if (!realpath(workdir, top))
		return fail(l, CHG_EIO, "cannot resolve '%s'", workdir);
	toplen = strlen(top);
	for (i = 0; i < l->opts->npaths && !error; i++) {
		const char *p = l->opts->paths[i];
		chg_buf_clear(&rel);
		if (p[0] != '/')
			chg_buf_printf(&rel, "%s/", dir);
		chg_buf_puts(&rel, p);
		if (!realpath(rel.ptr, here)) {
			error = fail(l, CHG_ENOTFOUND, "cannot open '%s': No such file or directory", p);
			break;
		}
		if (strncmp(here, top, toplen) || here[toplen] != '/') {
			error = fail(l, CHG_ENOTFOUND, "'%s' is outside the repository", p);
			break;
		}
		error = chg_strlist_add(&l->named, here + toplen + 1);
	}
	chg_buf_release(&rel);
	return error;
}

/*
 * Applies the waivers of `c` (waiver.h) to the first `nwaivable`
 * diagnostics, the findings about the content of the change requests,
 * with its approvals evaluated as chg_approval_check evaluated them.
 */
static int apply_waivers(struct lint *l, const struct chg_change *c,
			 size_t nwaivable)
{
	struct chg_approval_result res;
	int error;

	if (!chg_waiver_any(c))
		return 0;
	if (!l->policy->has_approvals)
		return chg_waiver_apply(l->policy, c, NULL, nwaivable, l->diags);
	error = chg_approval_evaluate(&res, l->policy, c, l->history,
				      l->opts->now);
	/* a pattern limit is reported by the approval check; nothing counted */
	if (error == CHG_ELIMIT)
		error = 0;
	if (!error)
		error = chg_waiver_apply(l->policy, c, &res, nwaivable, l->diags);
	chg_approval_result_release(&res);
	return error;
}

static int cmp_focus(const void *key, const void *item)
{
	return strcmp(key, *(const char *const *)item);
}

/* Whether the findings about `path` are wanted (named and in focus). */
static int wanted(const struct lint *l, const char *path)
{
	size_t j;

	if (l->opts->focus &&
	    !bsearch(path, l->opts->focus, l->opts->nfocus, sizeof(*l->opts->focus),
		     cmp_focus))
		return 0;
	if (!l->named.n)
		return 1;
	for (j = 0; j < l->named.n; j++)
		if (!strcmp(path, l->named.items[j]))
			return 1;
	return 0;
}

/* Keeps only the diagnostics about the named files in focus. */
static void filter_named(struct lint *l)
{
	size_t i, k = 0;

	if (!l->named.n && !l->opts->focus)
		return;
	for (i = 0; i < l->diags->n; i++) {
		struct chg_diag *d = &l->diags->items[i];
		if (wanted(l, d->path)) {
			l->diags->items[k++] = *d;
		} else {
			free(d->path);
			free(d->rule);
			free(d->message);
		}
	}
	l->diags->n = k;
}

/* Sorts the diagnostics and frees what the run made. */
static int finish(struct lint *l, int error)
{
	if (error == CHG_ENOMEM)
		fail(l, error, "%s", "out of memory");
	chg_diag_list_sort(l->diags);
	chg_strlist_release(&l->named);
	free(l->byid);
	free(l->unchanged);
	prev_files_release(&l->prev);
	git_tree_free(l->prev_tree);
	return error;
}

/*
 * The tree a change request's state is compared with: HEAD's for the
 * working tree and the index (the commit being prepared), the first
 * parent's for a revision (the change that commit made).  *out is NULL
 * when there is none (an unborn branch, a root commit).
 */
static int previous_tree(git_tree **out, git_oid *commit, struct lint *l)
{
	const struct chg_workspace *ws = l->ws;
	git_commit *c = NULL, *parent = NULL;
	git_oid oid;
	int error = 0;

	*out = NULL;
	if (ws->src.kind == CHG_SOURCE_TREE) {
		if (git_commit_lookup(&c, ws->repo, &ws->src.commit) < 0)
			return fail(l, CHG_EGIT, "%s", "cannot read the revision's commit");
		if (git_commit_parentcount(c) > 0 &&
		    git_commit_parent(&parent, c, 0) == 0) {
			git_oid_cpy(commit, git_commit_id(parent));
			if (git_commit_tree(out, parent) < 0)
				error = fail(l, CHG_EGIT, "%s", "cannot read the parent's tree");
		}
	} else if (git_reference_name_to_id(&oid, ws->repo, "HEAD") == 0) {
		git_oid_cpy(commit, &oid);
		if (git_commit_lookup(&c, ws->repo, &oid) < 0 ||
		    git_commit_tree(out, c) < 0)
			error = fail(l, CHG_EGIT, "%s", "cannot read HEAD's tree");
	}
	git_commit_free(parent);
	git_commit_free(c);
	return error;
}

static void prev_files_release(struct prev_files *prev)
{
	size_t i;

	for (i = 0; prev->items && i < prev->list.n; i++)
		chg_change_release(&prev->items[i].before);
	free(prev->items);
	chg_tree_files_release(&prev->list);
}

static struct prev_file *prev_find(const struct prev_files *prev,
				   const char *path)
{
	const struct chg_tree_file *f = chg_tree_files_find(&prev->list, path);

	return f ? &prev->items[f - prev->list.items] : NULL;
}

static const char *file_id(const struct prev_file *f)
{
	return f->same ? f->same->id : f->before.id;
}

static const char *file_state(const struct prev_file *f)
{
	return f->same ? f->same->state : f->before.state;
}

static int cmp_by_id(const void *a, const void *b)
{
	const struct prev_file *x = *(const struct prev_file *const *)a;
	const struct prev_file *y = *(const struct prev_file *const *)b;
	int c = strcmp(file_id(x), file_id(y));

	return c ? c : strcmp(x->file->path, y->file->path);
}

static int cmp_id_key(const void *key, const void *elem)
{
	return strcmp(key, file_id(*(const struct prev_file *const *)elem));
}

/* The previous version of the change request with id `id`: the file at
   `path` when it has that id, else the first by path that has it. */
static const struct prev_file *previous_of(const struct prev_files *prev,
					   struct prev_file **byid, size_t nbyid,
					   const char *path, const char *id)
{
	const struct prev_file *f = prev_find(prev, path);
	struct prev_file **hit;

	if (f && file_id(f) && !strcmp(file_id(f), id))
		return f;
	if (!nbyid)
		return NULL;
	hit = bsearch(id, byid, nbyid, sizeof(*byid), cmp_id_key);
	if (!hit)
		return NULL;
	while (hit > byid && !strcmp(file_id(hit[-1]), id))
		hit--;
	return *hit;
}

/*
 * Loads the previous tree's change requests that the current ones do not
 * show unchanged, and sets `same` on those they do, and `unchanged[i]` for
 * each current change request at the same path with the same blob.
 */
static int load_previous(struct prev_files *prev, unsigned char *unchanged,
			 struct lint *l, const git_tree *tree)
{
	struct chg_diag_list scratch = CHG_DIAG_LIST_INIT;
	size_t i;
	int error;

	if ((error = chg_workspace_list_tree(&prev->list, l->err, l->ws, tree)) < 0)
		return error;
	if (prev->list.n &&
	    !(prev->items = calloc(prev->list.n, sizeof(*prev->items))))
		return CHG_ENOMEM;
	for (i = 0; i < prev->list.n; i++)
		prev->items[i].file = &prev->list.items[i];
	for (i = 0; i < l->changes->n; i++) {
		const struct chg_change *c = &l->changes->items[i];
		struct prev_file *f = prev_find(prev, c->path);
		git_oid blob;

		if (!f || f->same)
			continue;
		/* the blob recorded when it was loaded, else read it again */
		if (c->has_blob)
			git_oid_cpy(&blob, &c->blob);
		if ((c->has_blob || chg_workspace_blob(&blob, l->ws, c->path)) &&
		    git_oid_equal(&blob, &f->file->blob)) {
			f->same = c;
			unchanged[i] = 1;
		}
	}
	for (i = 0; i < prev->list.n && !error; i++) {
		struct prev_file *f = &prev->items[i];
		git_blob *blob;

		if (f->same || git_blob_lookup(&blob, l->ws->repo, &f->file->blob) < 0)
			continue;
		/* too large before: nothing to compare */
		if (git_blob_rawsize(blob) <= CHG_YAML_MAX_SIZE)
			error = chg_change_load(&f->before, f->file->path,
						git_blob_rawcontent(blob),
						(size_t)git_blob_rawsize(blob),
						l->policy, &scratch);
		git_blob_free(blob);
		chg_diag_list_release(&scratch);
	}
	chg_diag_list_release(&scratch);
	return error;
}

/*
 * Reads the previous tree (previous_tree) and the change requests of it
 * that the current ones do not show unchanged, once: what the lifecycle
 * check, the quorum on entry and the scope compare with.  Linear in the
 * number of change requests: the previous tree is walked once and only
 * its changed blobs are parsed.
 */
static int load_before(struct lint *l)
{
	size_t i;
	int error;

	if (l->before_loaded)
		return 0;
	l->before_loaded = 1;
	if ((error = previous_tree(&l->prev_tree, &l->prev_commit, l)) < 0)
		return error;
	if (!(l->unchanged = calloc(l->changes->n + 1, 1)))
		return CHG_ENOMEM;
	if (!l->prev_tree)
		return 0;
	if ((error = load_previous(&l->prev, l->unchanged, l, l->prev_tree)) < 0)
		return error;
	if (l->prev.list.n &&
	    !(l->byid = malloc(l->prev.list.n * sizeof(*l->byid))))
		return CHG_ENOMEM;
	for (i = 0; i < l->prev.list.n; i++)
		if (file_id(&l->prev.items[i]) && file_state(&l->prev.items[i]))
			l->byid[l->nbyid++] = &l->prev.items[i];
	if (l->nbyid)
		qsort(l->byid, l->nbyid, sizeof(*l->byid), cmp_by_id);
	return 0;
}

/* The state of the previous version of the `i`th change request (as
   invalid-transition compares it), or NULL: none, or it is unchanged. */
static const char *previous_state(const struct lint *l, size_t i)
{
	const struct chg_change *c = &l->changes->items[i];
	const struct prev_file *before;

	if (!l->prev_tree || l->unchanged[i] || !c->id)
		return NULL;
	before = previous_of(&l->prev, l->byid, l->nbyid, c->path, c->id);
	return before ? file_state(before) : NULL;
}

/*
 * invalid-transition, for each change request's id (DESIGN section 3: the
 * lifecycle follows the id, whatever the path):
 *
 *  - its state against the state of the change request with the same id
 *    in the previous tree, under lifecycle.transitions.  Every step of a
 *    range of commits is --range's business; this checks the step being
 *    made (pre-commit) or the one the linted revision made.  A file whose
 *    blob did not change is not read again: its state did not change.
 *  - an id that reached a final state anywhere in history (approval.h:
 *    chg_history_final) and now holds another state: an id is never
 *    reused, and deleting or moving the file does not reset it.
 *
 * Needs the history loaded.
 */
static int check_transitions(struct lint *l)
{
	const struct chg_policy *p = l->policy;
	struct chg_buf allowed = CHG_BUF_INIT;
	char sid[8] = "";
	size_t i, j;
	int error;

	if (!p->transitions || !p->state_field || !l->changes->n)
		return 0;
	if ((error = load_before(l)) < 0)
		return error;
	if (l->prev_tree)
		chg_oid_short(sid, &l->prev_commit);
	for (i = 0; i < l->changes->n && !error; i++) {
		const struct chg_change *c = &l->changes->items[i];
		const struct chg_final_state *final;
		const struct chg_node *next;
		const char *from;

		if (!c->state || !c->id || !wanted(l, c->path))
			continue;
		from = previous_state(l, i);
		if (from && !chg_policy_transition_allowed(p, from, c->state)) {
			next = chg_node_get(p->transitions, from);
			chg_buf_clear(&allowed);
			for (j = 0; next && j < next->n; j++)
				chg_buf_printf(&allowed, "%s%s", j ? (j + 1 == next->n ? " or " : ", ") : "",
					       next->items[j]->value);
			error = chg_diag_add(l->diags, c->path, c->state_node->line,
					     c->state_node->column, CHG_SEV_ERROR,
					     "invalid-transition",
					     "%s %s from %s to %s (since %s); the lifecycle allows %s to change to %s",
					     p->state_field,
					     l->ws->src.kind == CHG_SOURCE_TREE ? "changed" : "changes",
					     from, c->state, sid, from,
					     allowed.len ? allowed.ptr : "nothing: it is final");
			continue;
		}
		final = chg_history_final(l->history, c->id);
		if (final && strcmp(final->state, c->state))
			error = chg_diag_add(l->diags, c->path, c->state_node->line,
					     c->state_node->column, CHG_SEV_ERROR,
					     "invalid-transition",
					     "%s was %s in %s and a change request id is never reused: give this change request a new id",
					     c->id, final->state, final->short_id);
	}
	chg_buf_release(&allowed);
	return error;
}

/*
 * Whether the approvals of the `i`th change request are judged: always,
 * but with opts->quorum_on_entry only when it enters a state that needs
 * approval (its previous version was absent or in a state that does not).
 */
static int judges_quorum(const struct lint *l, size_t i)
{
	const struct chg_change *c = &l->changes->items[i];
	const char *from;

	if (!l->opts->quorum_on_entry)
		return 1;
	if (!c->state || !chg_policy_state_needs_approval(l->policy, c->state) ||
	    l->unchanged[i])
		return 0;
	from = previous_state(l, i);
	return !from || !chg_policy_state_needs_approval(l->policy, from);
}

/* Judges each wanted change request and the set; the findings so far
   are what a waiver may excuse. */
static int check_changes(struct lint *l)
{
	struct chg_check_context ctx;
	size_t i;
	int error = 0;

	ctx.policy = l->policy;
	ctx.changes = l->changes;
	ctx.catalog = l->policy->catalog;
	ctx.now = l->opts->now;
	/* the others' findings would be dropped: they are not judged */
	for (i = 0; i < l->changes->n && !error; i++)
		if (wanted(l, l->changes->items[i].path))
			error = chg_check_change(&ctx, &l->changes->items[i], l->diags);
	if (!error)
		error = chg_check_set(&ctx, l->diags);
	return error;
}

/* The approval rules and the waivers of each wanted change request. */
static int check_approvals(struct lint *l, size_t nwaivable)
{
	size_t i;
	int error = 0;

	if (l->opts->quorum_on_entry && l->policy->has_approvals &&
	    (error = load_before(l)) < 0)
		return error;
	for (i = 0; i < l->changes->n && !error && l->policy->has_approvals; i++)
		if (wanted(l, l->changes->items[i].path) && judges_quorum(l, i))
			error = chg_approval_check(l->policy, &l->changes->items[i],
						   l->history, l->opts->now, l->diags);
	for (i = 0; i < l->changes->n && !error; i++)
		if (wanted(l, l->changes->items[i].path))
			error = apply_waivers(l, &l->changes->items[i], nwaivable);
	return error;
}

/*
 * The history the run reads: of every change request, or, when only some
 * are judged (named files, a focus), of those: evaluations read nothing
 * else of it.
 */
static int load_history(struct lint *l)
{
	const char **ids = NULL;
	size_t i, n = 0;
	int error;

	if (!l->named.n && !l->opts->focus)
		return chg_workspace_history(&l->history, l->ws, l->err);
	if (!(ids = malloc((l->changes->n + 1) * sizeof(*ids))))
		return CHG_ENOMEM;
	for (i = 0; i < l->changes->n; i++)
		if (l->changes->items[i].id && wanted(l, l->changes->items[i].path))
			ids[n++] = l->changes->items[i].id;
	error = chg_workspace_history_ids(&l->history, l->ws, l->err,
					  (const char *const *)ids, n);
	free(ids);
	return error;
}

int chg_lint_scope_path(const char *path)
{
	return !strcmp(path, ".chg/policy.yaml") ||
	       !strncmp(path, ".chg/catalog/", strlen(".chg/catalog/"));
}

/* Whether the source changes the policy or the catalog against the
   previous tree (load_before). */
static int changes_policy(int *out, struct lint *l)
{
	const struct chg_workspace *ws = l->ws;
	git_diff_options o;
	char policy[] = ".chg/policy.yaml", catalog[] = ".chg/catalog";
	char *specs[2];
	git_diff *diff = NULL;
	size_t i, n;
	int rc;

	*out = 0;
	specs[0] = policy;
	specs[1] = catalog;
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.pathspec.strings = specs;
	o.pathspec.count = sizeof(specs) / sizeof(*specs);
	switch (ws->src.kind) {
	case CHG_SOURCE_TREE:
		rc = git_diff_tree_to_tree(&diff, ws->repo, l->prev_tree, ws->src.tree, &o);
		break;
	case CHG_SOURCE_INDEX:
		rc = git_diff_tree_to_index(&diff, ws->repo, l->prev_tree, ws->src.index, &o);
		break;
	default:
		rc = git_diff_tree_to_workdir_with_index(&diff, ws->repo, l->prev_tree, &o);
		break;
	}
	if (rc < 0)
		return fail(l, CHG_EGIT, "%s", "cannot compare the policy and catalog with the previous tree");
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n && !*out; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		*out = chg_lint_scope_path(d->old_file.path) ||
		       chg_lint_scope_path(d->new_file.path);
	}
	git_diff_free(diff);
	return 0;
}

static int is_named(const struct lint *l, const char *path)
{
	size_t j;

	for (j = 0; j < l->named.n; j++)
		if (!strcmp(path, l->named.items[j]))
			return 1;
	return 0;
}

/* Whether the findings about `path` are in scope: it is no change request
   file, or one the caller or the source changed. */
static int in_scope(const struct lint *l, const char *path)
{
	const struct chg_tree_file *f;
	git_oid blob;

	if (!chg_policy_is_change_path(l->policy, path) && !is_named(l, path))
		return 1;
	if (l->opts->changed)
		return bsearch(path, l->opts->changed, l->opts->nchanged,
			       sizeof(*l->opts->changed), cmp_focus) != NULL;
	f = l->prev_tree ? chg_tree_files_find(&l->prev.list, path) : NULL;
	return !f || !chg_workspace_blob(&blob, l->ws, path) ||
	       !git_oid_equal(&blob, &f->blob);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the id of the change request file `f` of the repository, when it
   has one, to `out`. */
static int add_deleted_id(struct chg_strlist *out, struct lint *l,
			  const struct chg_tree_file *f)
{
	struct chg_diag_list scratch = CHG_DIAG_LIST_INIT;
	struct chg_change c;
	git_blob *blob;
	int error = 0;

	if (!chg_policy_is_change_path(l->policy, f->path) ||
	    git_blob_lookup(&blob, l->ws->repo, &f->blob) < 0)
		return 0;
	memset(&c, 0, sizeof(c));
	if (git_blob_rawsize(blob) <= CHG_YAML_MAX_SIZE)
		error = chg_change_load(&c, f->path, git_blob_rawcontent(blob),
					(size_t)git_blob_rawsize(blob), l->policy,
					&scratch);
	if (!error && c.id)
		error = chg_strlist_add(out, c.id);
	chg_change_release(&c);
	chg_diag_list_release(&scratch);
	git_blob_free(blob);
	return error;
}

/*
 * The ids of the change requests in scope and of those the source deleted
 * (in the previous tree, at a path the source does not have; or the
 * caller's `deleted`), sorted.
 */
static int scope_ids(struct chg_strlist *out, struct lint *l)
{
	git_oid blob;
	size_t i;
	int error = 0;

	for (i = 0; i < l->changes->n && !error; i++) {
		const struct chg_change *c = &l->changes->items[i];
		if (c->id && in_scope(l, c->path))
			error = chg_strlist_add(out, c->id);
	}
	for (i = 0; !l->opts->changed && i < l->prev.list.n && !error; i++) {
		const struct prev_file *f = &l->prev.items[i];
		if (file_id(f) && !chg_workspace_blob(&blob, l->ws, f->file->path))
			error = chg_strlist_add(out, file_id(f));
	}
	for (i = 0; l->opts->changed && i < l->opts->ndeleted && !error; i++)
		error = add_deleted_id(out, l, &l->opts->deleted[i]);
	chg_strlist_sort(out);
	return error;
}

/* Whether `message` names one of `ids` (sorted) as a word. */
static int names_id(const char *message, const struct chg_strlist *ids)
{
	static const char word[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct chg_buf token = CHG_BUF_INIT;
	const char *p = message;
	size_t len;
	int hit = 0;

	while (*p && !hit) {
		p += strcspn(p, word);
		len = strspn(p, word);
		if (!len)
			break;
		chg_buf_clear(&token);
		if (chg_buf_put(&token, p, len) == 0 && token.ptr)
			hit = bsearch(&token.ptr, ids->items, ids->n, sizeof(*ids->items),
				      cmp_str) != NULL;
		p += len;
	}
	chg_buf_release(&token);
	return hit;
}

/* The rules whose finding about a change request out of scope is about
   the one in scope that it names. */
static int ties(const char *rule)
{
	static const char *const rules[] = {
		"unknown-dependency", "dependency-order", "dependency-cycle",
		"window-conflict", NULL
	};
	size_t i;

	for (i = 0; rules[i]; i++)
		if (!strcmp(rule, rules[i]))
			return 1;
	return 0;
}

/* What the note says the scope is. */
static const char *scope_subject(const struct lint *l)
{
	if (l->opts->changed)
		return "no commit of the range changes";
	switch (l->ws->src.kind) {
	case CHG_SOURCE_INDEX:
		return "this commit does not change";
	case CHG_SOURCE_TREE:
		return "this revision does not change";
	default:
		return "the working tree does not change";
	}
}

/*
 * Drops this run's findings about change requests out of scope (lint.h:
 * enum chg_lint_scope) and counts them in one note.
 */
static int apply_scope(struct lint *l)
{
	struct chg_strlist ids = CHG_STRLIST_INIT, files = CHG_STRLIST_INIT;
	char *rule = NULL;
	enum chg_severity worst = CHG_SEV_NOTE;
	size_t i, k = l->first, ndropped = 0, nfiles = 0;
	int error = 0, all = 0, ids_made = 0;

	if (l->opts->scope == CHG_LINT_SCOPE_ALL ||
	    (l->opts->scope == CHG_LINT_SCOPE_DEFAULT &&
	     l->ws->src.kind != CHG_SOURCE_INDEX))
		return 0;
	if (!l->opts->changed && (error = load_before(l)) < 0)
		return error;
	if (!l->opts->changed && l->opts->scope == CHG_LINT_SCOPE_DEFAULT &&
	    ((error = changes_policy(&all, l)) < 0 || all))
		return error;
	l->scoped = 1;
	for (i = l->first; i < l->diags->n; i++) {
		struct chg_diag *d = &l->diags->items[i];
		int keep = in_scope(l, d->path);
		if (!keep && !error && ties(d->rule)) {
			/* made once, when first needed */
			if (!ids_made && !(error = scope_ids(&ids, l)))
				ids_made = 1;
			keep = ids_made && names_id(d->message, &ids);
		}
		if (keep) {
			l->diags->items[k++] = *d;
			continue;
		}
		ndropped++;
		if (!rule || d->severity > worst) {
			free(rule);
			rule = d->rule;
			d->rule = NULL;
			worst = d->severity;
		}
		if (!error)
			error = chg_strlist_add(&files, d->path);
		free(d->path);
		free(d->rule);
		free(d->message);
	}
	l->diags->n = k;
	chg_strlist_sort(&files);
	for (i = 0; i < files.n; i++)
		nfiles += !i || strcmp(files.items[i - 1], files.items[i]);
	if (!error && ndropped)
		error = chg_diag_add(l->diags, CHG_LINT_SCOPE_PATH, 0, 0, CHG_SEV_NOTE,
				     rule,
				     "%zu finding%s on %zu change request%s that %s %s not judged here (--scope all judges them; chg-lint without --staged or --range judges every change request)",
				     ndropped, ndropped == 1 ? "" : "s", nfiles,
				     nfiles == 1 ? "" : "s", scope_subject(l),
				     ndropped == 1 ? "is" : "are");
	free(rule);
	chg_strlist_release(&files);
	chg_strlist_release(&ids);
	return error;
}

/*
 * The trust changes in force at HEAD, for the index (--staged, unless
 * scope is all): the approvals of an unapproved trust change can only be
 * commits that follow it, which pre-commit must let through, so what
 * chg_approval_trust_check finds is a note here.  The ranges and the
 * full check judge it.
 */
static int check_trust(struct lint *l)
{
	struct chg_diag_list found = CHG_DIAG_LIST_INIT;
	size_t i;
	int error;

	if (l->ws->src.kind != CHG_SOURCE_INDEX || l->opts->scope == CHG_LINT_SCOPE_ALL)
		return chg_approval_trust_check(l->history, l->diags);
	error = chg_approval_trust_check(l->history, &found);
	for (i = 0; i < found.n && !error; i++) {
		const struct chg_diag *d = &found.items[i];
		error = chg_diag_add(l->diags, d->path, d->line, d->column,
				     CHG_SEV_NOTE, d->rule, "%s%s", d->message,
				     d->severity == CHG_SEV_NOTE ? "" :
				     " (committed before: its approvals are commits that follow it, so a commit is not refused for it; --range and chg-lint without --staged judge it)");
	}
	chg_diag_list_release(&found);
	return error;
}

void chg_lint_stats_release(struct chg_lint_stats *stats)
{
	if (stats)
		chg_strlist_release(&stats->paths);
}

/*
 * Adds to `stats` the change requests this run judged (read, named by the
 * PATH arguments when there are any, and in scope), keeping its paths
 * sorted and free of repeats, and the rules of the policy used.
 */
static int collect_stats(struct chg_lint_stats *stats, const struct lint *l)
{
	struct chg_strlist *p = &stats->paths;
	size_t i, k;
	int error = 0;

	for (i = 0; i < l->changes->n && !error; i++) {
		const char *path = l->changes->items[i].path;
		if (wanted(l, path) && (!l->scoped || in_scope(l, path)))
			error = chg_strlist_add(p, path);
	}
	if (error)
		return error;
	chg_strlist_sort(p);
	for (i = k = 0; i < p->n; i++) {
		if (k && !strcmp(p->items[k - 1], p->items[i]))
			free(p->items[i]);
		else
			p->items[k++] = p->items[i];
	}
	p->n = k;
	if (stats->rules)
		error = chg_rules_add_policy(stats->rules, l->policy);
	return error;
}

int chg_lint_workspace(struct chg_diag_list *diags, struct chg_buf *err,
		       struct chg_workspace *ws,
		       const struct chg_lint_options *opts,
		       struct chg_lint_stats *stats)
{
	struct lint l;
	size_t nwaivable;
	int error;

	memset(&l, 0, sizeof(l));
	l.opts = opts;
	l.diags = diags;
	l.err = err;
	l.ws = ws;
	l.policy = ws->policy;
	l.changes = &ws->changes;
	l.first = diags->n;
	if ((error = resolve_paths(&l)) < 0 ||
	    (error = chg_workspace_load_changes(ws, diags, err, &l.named)) < 0)
		goto cleanup;
	if (stats)
		stats->files += ws->nfiles;
	error = check_changes(&l);
	/* what a waiver may excuse: the findings so far, not those about
	   history that follow */
	nwaivable = diags->n;
	/* whatever this policy says: trust changes are judged by the policy
	   before them, and this one may be such a change */
	if (!error)
		error = load_history(&l);
	if (!error)
		error = check_transitions(&l);
	if (!error)
		error = check_approvals(&l, nwaivable);
	if (!error)
		filter_named(&l);
	/* about every file's evaluation, so not filtered */
	if (!error)
		error = check_trust(&l);
	if (!error)
		error = chg_workspace_check_chain(ws, diags, err);
	if (!error)
		error = apply_scope(&l);
	if (!error && stats)
		error = collect_stats(stats, &l);
cleanup:
	return finish(&l, error);
}

/* The workspace chg_lint works on: its options' part of `opts`. */
static void workspace_options(struct chg_workspace_options *out,
			      const struct chg_lint_options *opts)
{
	struct chg_workspace_options init = CHG_WORKSPACE_OPTIONS_INIT;

	*out = init;
	out->dir = opts->dir;
	out->rev = opts->rev;
	out->staged = opts->staged;
	out->policy_file = opts->policy_file;
	out->trust_root = opts->trust_root;
	out->trust_root_origin = opts->trust_root_origin;
	out->change_cache = opts->change_cache;
	out->history_index = opts->history_index;
}

int chg_lint(struct chg_diag_list *diags, struct chg_buf *err,
	     const struct chg_lint_options *opts, struct chg_lint_stats *stats)
{
	struct chg_workspace_options wopts;
	struct chg_workspace *ws = NULL;
	int error;

	workspace_options(&wopts, opts);
	error = chg_workspace_open(&ws, diags, err, &wopts);
	if (!error)
		error = chg_lint_workspace(diags, err, ws, opts, stats);
	if (!error && opts->history_out)
		chg_workspace_take_history(opts->history_out, ws);
	chg_workspace_free(ws);
	chg_diag_list_sort(diags);
	return error;
}

int chg_lint_digest(char *out, size_t size, struct chg_diag_list *diags,
		    struct chg_buf *err, const char *dir, const char *rev,
		    const char *id)
{
	struct chg_workspace_options wopts = CHG_WORKSPACE_OPTIONS_INIT;
	struct chg_workspace *ws = NULL;
	const struct chg_change *c;
	int error;

	wopts.dir = dir;
	wopts.rev = rev;
	wopts.without_catalog = 1;
	/* CHG_ENOTFOUND is kept for an unknown id (lint.h) */
	if ((error = chg_workspace_open(&ws, diags, err, &wopts)) == CHG_ENOTFOUND)
		error = CHG_ERROR;
	if (error < 0 ||
	    (error = chg_workspace_load_changes(ws, diags, err, NULL)) < 0)
		goto cleanup;
	c = chg_change_set_find(&ws->changes, id);
	if (!c) {
		chg_buf_clear(err);
		chg_buf_printf(err, "no change request has id '%s'", id);
		error = CHG_ENOTFOUND;
		/* a file that failed to load may be the one */
		if (chg_diag_list_count(diags, CHG_SEV_ERROR))
			error = CHG_EINVALID;
		goto cleanup;
	}
	if (!c->digest[0]) {
		error = CHG_EINVALID;
		goto cleanup;
	}
	snprintf(out, size, "%s", c->digest);
cleanup:
	chg_workspace_free(ws);
	chg_diag_list_sort(diags);
	return error;
}

int chg_lint_load_policy(struct chg_policy **out, struct chg_diag_list *diags,
			 struct chg_buf *err, const char *dir, const char *rev,
			 int staged, const char *policy_file)
{
	struct chg_workspace_options wopts = CHG_WORKSPACE_OPTIONS_INIT;
	struct chg_workspace *ws = NULL;
	int error;

	*out = NULL;
	wopts.dir = dir;
	wopts.rev = rev;
	wopts.staged = staged;
	wopts.policy_file = policy_file;
	/* as chg_lint reads it: a policy file on disk needs no repository */
	wopts.policy_alone = 1;
	error = chg_workspace_open(&ws, diags, err, &wopts);
	if (!error)
		*out = chg_workspace_take_policy(ws);
	chg_workspace_free(ws);
	chg_diag_list_sort(diags);
	return error;
}
