#include "lint.h"

#include <errno.h>
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
#include "waiver.h"
#include "yaml.h"
#include "banned.h"

#define POLICY_PATH ".chg/policy.yaml"
#define CATALOG_DIR ".chg/catalog/"

struct lint {
	const struct chg_lint_options *opts;
	struct chg_diag_list *diags;
	struct chg_buf *err;
	git_repository *repo;
	struct chg_source src;
	int src_open;
	struct chg_policy *policy;
	struct chg_change_set changes;
	struct chg_strlist named;  /* repository-relative PATH arguments */
	struct chg_history history;
};

static int fail(struct lint *l, int code, const char *fmt, const char *arg)
{
	chg_buf_clear(l->err);
	chg_buf_printf(l->err, fmt, arg);
	return code;
}

static int is_change(const char *path, void *payload)
{
	const struct lint *l = payload;
	size_t i;

	if (chg_policy_is_change_path(l->policy, path))
		return 1;
	for (i = 0; i < l->named.n; i++)
		if (!strcmp(l->named.items[i], path))
			return 1;
	return 0;
}

static int is_catalog(const char *path, void *payload)
{
	size_t len = strlen(path);

	(void)payload;
	return !strncmp(path, CATALOG_DIR, strlen(CATALOG_DIR)) &&
	       !strchr(path + strlen(CATALOG_DIR), '/') &&
	       ((len > 5 && !strcmp(path + len - 5, ".yaml")) ||
		(len > 4 && !strcmp(path + len - 4, ".yml")));
}

static int open_repo(struct lint *l, const char *dir, const char *rev,
		     int staged)
{
	enum chg_source_kind kind = rev ? CHG_SOURCE_TREE :
				    staged ? CHG_SOURCE_INDEX : CHG_SOURCE_WORKTREE;
	int error;

	/*
	 * Respect git's environment as git itself does: GIT_DIR (for the
	 * default directory), GIT_CEILING_DIRECTORIES, GIT_INDEX_FILE (a
	 * pre-commit hook of 'git commit -a' sees a temporary index), and
	 * GIT_OBJECT_DIRECTORY / GIT_ALTERNATE_OBJECT_DIRECTORIES.
	 */
	if (git_repository_open_ext(&l->repo, strcmp(dir, ".") ? dir : NULL,
				    GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0)
		return fail(l, CHG_ENOTFOUND, "not a git repository: '%s'", dir);
	if (kind == CHG_SOURCE_WORKTREE && git_repository_is_bare(l->repo)) {
		kind = CHG_SOURCE_TREE;
		rev = "HEAD";
	}
	error = chg_source_open(&l->src, l->repo, kind, rev);
	if (error == CHG_ENOTFOUND)
		return fail(l, error, "unknown revision '%s'", rev ? rev : "HEAD");
	if (error < 0)
		return fail(l, error, "cannot open the repository's %s",
			    staged ? "index" : "tree");
	l->src_open = 1;
	return 0;
}

/* Reads a file of the source, turning size and I/O problems into errors. */
static int read_source(struct lint *l, struct chg_buf *buf, const char *path,
		       int *too_large)
{
	size_t size = 0;
	int error;

	*too_large = 0;
	error = chg_source_read(buf, &size, &l->src, path, CHG_YAML_MAX_SIZE);
	if (error == CHG_ELIMIT) {
		*too_large = 1;
		return chg_diag_add(l->diags, path, 1, 1, CHG_SEV_ERROR,
				    "file-too-large",
				    "file is %zu bytes; the limit is %d bytes: a change request is a short YAML file",
				    size, CHG_YAML_MAX_SIZE);
	}
	if (error == CHG_EIO) {
		chg_buf_clear(l->err);
		chg_buf_printf(l->err, "cannot read '%s': %s", path, strerror(errno));
		return error;
	}
	if (error == CHG_ENOTFOUND)
		return fail(l, error, "cannot read '%s': No such file", path);
	if (error < 0)
		return fail(l, error, "cannot read '%s'", path);
	return 0;
}

static int load_policy(struct lint *l)
{
	struct chg_buf buf = CHG_BUF_INIT, dir = CHG_BUF_INIT;
	size_t size;
	int error, too_large = 0;
	const char *path = POLICY_PATH;

	if (l->opts->policy_file) {
		struct chg_source fs = { 0 };
		/* relative to -C DIR, as PATH arguments are */
		path = l->opts->policy_file;
		fs.kind = CHG_SOURCE_WORKTREE;
		if (path[0] == '/') {
			fs.workdir = "";
		} else {
			if (chg_buf_printf(&dir, "%s/", l->opts->dir) < 0) {
				error = CHG_ENOMEM;
				goto done;
			}
			fs.workdir = dir.ptr;
		}
		error = chg_source_read(&buf, &size, &fs, path, CHG_YAML_MAX_SIZE);
		if (error == CHG_ELIMIT)
			error = fail(l, error, "cannot read policy '%s': larger than 1 MiB", path);
		else if (error < 0)
			error = fail(l, error, "cannot read policy '%s'", path);
	} else {
		error = chg_source_read(&buf, &size, &l->src, path, CHG_YAML_MAX_SIZE);
		if (error == CHG_ENOTFOUND) {
			error = chg_policy_load(&l->policy, NULL, 0, NULL, l->diags);
			goto done;
		}
		if (error == CHG_ELIMIT) {
			too_large = 1;
			error = chg_diag_add(l->diags, path, 1, 1, CHG_SEV_ERROR,
					     "file-too-large",
					     "file is %zu bytes; the limit is %d bytes",
					     size, CHG_YAML_MAX_SIZE);
			if (!error)
				error = CHG_EINVALID;
		} else if (error < 0) {
			error = fail(l, error, "cannot read '%s'", path);
		}
	}
	if (!error && !too_large)
		error = chg_policy_load(&l->policy, buf.ptr, buf.len, path, l->diags);
done:
	chg_buf_release(&dir);
	chg_buf_release(&buf);
	return error;
}

/* Loads the catalog of the source into the policy (policy.h). */
static int load_catalog(struct lint *l)
{
	struct chg_strlist files = CHG_STRLIST_INIT;
	struct chg_buf buf = CHG_BUF_INIT;
	size_t i;
	int error, invalid = 0, too_large;

	if (!l->policy->catalog &&
	    !(l->policy->catalog = calloc(1, sizeof(*l->policy->catalog))))
		return CHG_ENOMEM;
	error = chg_source_list(&files, &l->src, is_catalog, NULL);
	for (i = 0; i < files.n && !error; i++) {
		chg_buf_clear(&buf);
		error = read_source(l, &buf, files.items[i], &too_large);
		if (error || too_large) {
			invalid |= too_large;
			continue;
		}
		error = chg_catalog_add(l->policy->catalog, files.items[i], buf.ptr,
					buf.len, l->diags);
		if (error == CHG_EINVALID) {
			invalid = 1;
			error = 0;
		}
	}
	chg_buf_release(&buf);
	chg_strlist_release(&files);
	if (error == CHG_EGIT || error == CHG_EIO)
		return fail(l, error, "cannot list '%s'", CATALOG_DIR);
	return error ? error : invalid ? CHG_EINVALID : 0;
}

/* Turns the PATH arguments into repository-relative paths. */
static int resolve_paths(struct lint *l)
{
	const char *workdir = git_repository_workdir(l->repo);
	char top[PATH_MAX], here[PATH_MAX];
	struct chg_buf rel = CHG_BUF_INIT;
	size_t i, toplen;
	int error = 0;

	if (!l->opts->npaths)
		return 0;
	if (l->opts->rev || !workdir) {
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
			chg_buf_printf(&rel, "%s/", l->opts->dir);
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

static int load_changes(struct lint *l, struct chg_lint_stats *stats)
{
	struct chg_strlist files = CHG_STRLIST_INIT;
	struct chg_buf buf = CHG_BUF_INIT;
	size_t i, j;
	int error, too_large;

	error = chg_source_list(&files, &l->src, is_change, l);
	if (error == CHG_EGIT || error == CHG_EIO)
		error = fail(l, error, "cannot list the files of '%s'", l->opts->dir);
	for (i = 0; i < l->named.n && !error; i++) {
		for (j = 0; j < files.n; j++)
			if (!strcmp(files.items[j], l->named.items[i]))
				break;
		if (j == files.n)
			error = fail(l, CHG_ENOTFOUND, "cannot open '%s': No such file",
				     l->named.items[i]);
	}
	for (i = 0; i < files.n && !error; i++) {
		chg_buf_clear(&buf);
		error = read_source(l, &buf, files.items[i], &too_large);
		if (error || too_large)
			continue;
		error = chg_change_set_add(&l->changes, files.items[i], buf.ptr,
					   buf.len, l->policy, l->diags);
		if (stats)
			stats->files++;
	}
	chg_buf_release(&buf);
	chg_strlist_release(&files);
	return error;
}

static int load_history(struct lint *l)
{
	git_oid head;
	const git_oid *tip = NULL;
	int error;

	/*
	 * Approvals and the authors of edits come from the whole history: a
	 * shallow clone would miss them and report approvals as missing.
	 */
	if (git_repository_is_shallow(l->repo) == 1)
		return fail(l, CHG_ERROR, "%s",
			    "the repository is a shallow clone and approvals need its whole history; run 'git fetch --unshallow'");
	if (l->src.kind == CHG_SOURCE_TREE) {
		tip = &l->src.commit;
	} else {
		error = git_reference_name_to_id(&head, l->repo, "HEAD");
		if (error == 0)
			tip = &head;
		else if (error != GIT_ENOTFOUND && error != GIT_EUNBORNBRANCH)
			return fail(l, CHG_EGIT, "cannot resolve HEAD: %s",
				    git_error_last() ? git_error_last()->message : "unknown error");
	}
	error = chg_history_at(&l->history, l->opts->history_index, l->repo, tip,
			       l->policy);
	if (error == CHG_EGIT)
		return fail(l, error, "cannot walk the history: %s",
			    git_error_last() ? git_error_last()->message : "unknown error");
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
	error = chg_approval_evaluate(&res, l->policy, c, &l->history,
				      l->opts->now);
	/* a pattern limit is reported by the approval check; nothing counted */
	if (error == CHG_ELIMIT)
		error = 0;
	if (!error)
		error = chg_waiver_apply(l->policy, c, &res, nwaivable, l->diags);
	chg_approval_result_release(&res);
	return error;
}

/* Keeps only the diagnostics about the named files. */
static void filter_named(struct lint *l)
{
	size_t i, j, k = 0;

	if (!l->named.n)
		return;
	for (i = 0; i < l->diags->n; i++) {
		struct chg_diag *d = &l->diags->items[i];
		for (j = 0; j < l->named.n; j++)
			if (!strcmp(d->path, l->named.items[j]))
				break;
		if (j < l->named.n) {
			l->diags->items[k++] = *d;
		} else {
			free(d->path);
			free(d->rule);
			free(d->message);
		}
	}
	l->diags->n = k;
}

/* Sorts the diagnostics and frees everything a run opened. */
static int finish(struct lint *l, int error)
{
	if (error == CHG_ENOMEM)
		fail(l, error, "%s", "out of memory");
	chg_diag_list_sort(l->diags);
	if (!error && l->opts->history_out) {
		*l->opts->history_out = l->history;
		memset(&l->history, 0, sizeof(l->history));
	}
	chg_history_release(&l->history);
	chg_change_set_release(&l->changes);
	chg_strlist_release(&l->named);
	chg_policy_free(l->policy);
	if (l->src_open)
		chg_source_release(&l->src);
	git_repository_free(l->repo);
	git_libgit2_shutdown();
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
	git_commit *c = NULL, *parent = NULL;
	git_oid oid;
	int error = 0;

	*out = NULL;
	if (l->src.kind == CHG_SOURCE_TREE) {
		if (git_commit_lookup(&c, l->repo, &l->src.commit) < 0)
			return fail(l, CHG_EGIT, "%s", "cannot read the revision's commit");
		if (git_commit_parentcount(c) > 0 &&
		    git_commit_parent(&parent, c, 0) == 0) {
			git_oid_cpy(commit, git_commit_id(parent));
			if (git_commit_tree(out, parent) < 0)
				error = fail(l, CHG_EGIT, "%s", "cannot read the parent's tree");
		}
	} else if (git_reference_name_to_id(&oid, l->repo, "HEAD") == 0) {
		git_oid_cpy(commit, &oid);
		if (git_commit_lookup(&c, l->repo, &oid) < 0 ||
		    git_commit_tree(out, c) < 0)
			error = fail(l, CHG_EGIT, "%s", "cannot read HEAD's tree");
	}
	git_commit_free(parent);
	git_commit_free(c);
	return error;
}

/*
 * invalid-transition: each change request's state against its state in
 * the previous tree (same path), under lifecycle.transitions.  Every step
 * of a range of commits is --range's business; this checks the step being
 * made (pre-commit) or the one the linted revision made.
 */
static int check_transitions(struct lint *l)
{
	const struct chg_policy *p = l->policy;
	struct chg_diag_list scratch = CHG_DIAG_LIST_INIT;
	struct chg_buf buf = CHG_BUF_INIT, allowed = CHG_BUF_INIT;
	git_tree *prev = NULL;
	git_oid commit;
	char sid[8];
	size_t i, j, size;
	int error;

	if (!p->transitions || !p->state_field)
		return 0;
	if ((error = previous_tree(&prev, &commit, l)) < 0 || !prev)
		return error;
	chg_oid_short(sid, &commit);
	for (i = 0; i < l->changes.n && !error; i++) {
		const struct chg_change *c = &l->changes.items[i];
		const struct chg_node *next;
		struct chg_change before;

		if (!c->state)
			continue;
		chg_buf_clear(&buf);
		if (chg_tree_read(&buf, &size, l->repo, prev, c->path,
				  CHG_YAML_MAX_SIZE) < 0)
			continue;  /* new, moved, or too large before: nothing to compare */
		if ((error = chg_change_load(&before, c->path, buf.ptr, buf.len, p,
					     &scratch)) < 0)
			break;
		if (before.state && before.id && c->id && !strcmp(before.id, c->id) &&
		    !chg_policy_transition_allowed(p, before.state, c->state)) {
			next = chg_node_get(p->transitions, before.state);
			chg_buf_clear(&allowed);
			for (j = 0; next && j < next->n; j++)
				chg_buf_printf(&allowed, "%s%s", j ? (j + 1 == next->n ? " or " : ", ") : "",
					       next->items[j]->value);
			error = chg_diag_add(l->diags, c->path, c->state_node->line,
					     c->state_node->column, CHG_SEV_ERROR,
					     "invalid-transition",
					     "%s %s from %s to %s (since %s); the lifecycle allows %s to change to %s",
					     p->state_field,
					     l->src.kind == CHG_SOURCE_TREE ? "changed" : "changes",
					     before.state, c->state, sid, before.state,
					     allowed.len ? allowed.ptr : "nothing: it is final");
		}
		chg_change_release(&before);
	}
	git_tree_free(prev);
	chg_buf_release(&buf);
	chg_buf_release(&allowed);
	chg_diag_list_release(&scratch);
	return error;
}

int chg_lint(struct chg_diag_list *diags, struct chg_buf *err,
	     const struct chg_lint_options *opts, struct chg_lint_stats *stats)
{
	struct lint l;
	struct chg_check_context ctx;
	size_t i, nwaivable;
	int error;

	memset(&l, 0, sizeof(l));
	l.opts = opts;
	l.diags = diags;
	l.err = err;
	git_libgit2_init();
	if ((error = open_repo(&l, opts->dir, opts->rev, opts->staged)) < 0 ||
	    (error = load_policy(&l)) < 0 ||
	    (error = load_catalog(&l)) < 0 ||
	    (error = resolve_paths(&l)) < 0 ||
	    (error = load_changes(&l, stats)) < 0)
		goto cleanup;

	ctx.policy = l.policy;
	ctx.changes = &l.changes;
	ctx.catalog = l.policy->catalog;
	ctx.now = opts->now;
	for (i = 0; i < l.changes.n && !error; i++)
		error = chg_check_change(&ctx, &l.changes.items[i], diags);
	if (!error)
		error = chg_check_set(&ctx, diags);
	if (!error)
		error = check_transitions(&l);
	/* what a waiver may excuse: the findings so far, not those about
	   history that follow */
	nwaivable = diags->n;
	/* whatever this policy says: trust changes are judged by the policy
	   before them, and this one may be such a change */
	if (!error)
		error = load_history(&l);
	for (i = 0; i < l.changes.n && !error && l.policy->has_approvals; i++)
		error = chg_approval_check(l.policy, &l.changes.items[i],
					   &l.history, opts->now, diags);
	for (i = 0; i < l.changes.n && !error; i++)
		error = apply_waivers(&l, &l.changes.items[i], nwaivable);
	if (!error)
		filter_named(&l);
	/* about every file's evaluation, so not filtered */
	if (!error)
		error = chg_approval_trust_check(&l.history, diags);
	if (!error)
		error = chg_chain_check(diags, err, l.repo, l.history.trust.n ?
					&l.history.trust.records[l.history.trust.tip].commit :
					NULL, opts->trust_root, opts->trust_root_origin);
cleanup:
	return finish(&l, error);
}

int chg_lint_digest(char *out, size_t size, struct chg_diag_list *diags,
		    struct chg_buf *err, const char *dir, const char *rev,
		    const char *id)
{
	struct chg_lint_options opts = CHG_LINT_OPTIONS_INIT;
	const struct chg_change *c;
	struct lint l;
	int error;

	memset(&l, 0, sizeof(l));
	opts.dir = dir;
	opts.rev = rev;
	l.opts = &opts;
	l.diags = diags;
	l.err = err;
	git_libgit2_init();
	/* CHG_ENOTFOUND is kept for an unknown id (lint.h) */
	if ((error = open_repo(&l, dir, rev, 0)) == CHG_ENOTFOUND)
		error = CHG_ERROR;
	if (error < 0 ||
	    (error = load_policy(&l)) < 0 ||
	    (error = load_changes(&l, NULL)) < 0)
		goto cleanup;
	c = chg_change_set_find(&l.changes, id);
	if (!c) {
		error = fail(&l, CHG_ENOTFOUND, "no change request has id '%s'", id);
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
	return finish(&l, error);
}

int chg_lint_load_policy(struct chg_policy **out, struct chg_diag_list *diags,
			 struct chg_buf *err, const char *dir, const char *rev,
			 int staged, const char *policy_file)
{
	struct chg_lint_options opts = CHG_LINT_OPTIONS_INIT;
	struct lint l;
	int error = 0;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	opts.dir = dir;
	opts.rev = rev;
	opts.staged = staged;
	opts.policy_file = policy_file;
	l.opts = &opts;
	l.diags = diags;
	l.err = err;
	git_libgit2_init();
	/* as chg_lint reads it: a policy file on disk needs no repository */
	if (!policy_file)
		error = open_repo(&l, dir, rev, staged);
	if (!error)
		error = load_policy(&l);
	/* the approval rules need it: a change is standard only with a
	   catalog entry it meets */
	if (!error && l.src_open)
		error = load_catalog(&l);
	if (!error) {
		*out = l.policy;
		l.policy = NULL;
	}
	return finish(&l, error);
}
