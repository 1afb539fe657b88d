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

/* A change request file of a tree: its path and blob. */
struct tree_file {
	char *path;
	git_oid blob;
	unsigned int mode;              /* its git file mode */
	/* the previous tree's files only: */
	const struct chg_change *same;  /* the current change request at the
					   same path with the same blob */
	struct chg_change before;       /* else the blob loaded (before.root
					   NULL when it was not) */
};

struct lint;

/* Sorted by path. */
struct tree_files {
	struct tree_file *items;
	size_t n, alloc;
	struct lint *l;
	int error;
};

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
	struct tree_files src_files; /* CHG_SOURCE_TREE: its change requests */
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

static int tree_file_cb(const char *root, const git_tree_entry *entry,
			void *data)
{
	struct tree_files *t = data;
	struct chg_buf path = CHG_BUF_INIT;
	git_filemode_t mode = git_tree_entry_filemode(entry);
	struct tree_file *f;

	/* links and submodules are listed, so that reading refuses them */
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
	    mode != GIT_FILEMODE_LINK && mode != GIT_FILEMODE_COMMIT)
		return 0;
	if (chg_buf_printf(&path, "%s%s", root, git_tree_entry_name(entry)) < 0)
		goto nomem;
	if (!is_change(path.ptr, t->l)) {
		chg_buf_release(&path);
		return 0;
	}
	if (t->n == t->alloc) {
		size_t n = t->alloc ? t->alloc * 2 : 64;
		f = realloc(t->items, n * sizeof(*f));
		if (!f)
			goto nomem;
		t->items = f;
		t->alloc = n;
	}
	f = &t->items[t->n];
	memset(f, 0, sizeof(*f));
	f->path = chg_buf_detach(&path);
	if (!f->path)
		goto nomem;
	git_oid_cpy(&f->blob, git_tree_entry_id(entry));
	f->mode = (unsigned int)mode;
	t->n++;
	return 0;
nomem:
	chg_buf_release(&path);
	t->error = CHG_ENOMEM;
	return -1;
}

static int cmp_tree_file(const void *a, const void *b)
{
	return strcmp(((const struct tree_file *)a)->path,
		      ((const struct tree_file *)b)->path);
}

static int cmp_tree_file_path(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tree_file *)elem)->path);
}

/*
 * Lists the change request files of `tree` (as is_change says) with their
 * blobs, sorted by path: one walk of the tree, however many files.
 */
static int tree_files(struct tree_files *out, struct lint *l,
		      const git_tree *tree)
{
	memset(out, 0, sizeof(*out));
	out->l = l;
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, tree_file_cb, out) < 0)
		return out->error ? out->error :
		       fail(l, CHG_EGIT, "%s", "cannot list the files of a tree");
	if (out->n)
		qsort(out->items, out->n, sizeof(*out->items), cmp_tree_file);
	return 0;
}

static void tree_files_release(struct tree_files *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->items[i].path);
		chg_change_release(&t->items[i].before);
	}
	free(t->items);
	memset(t, 0, sizeof(*t));
}

static struct tree_file *tree_files_find(const struct tree_files *t,
					 const char *path)
{
	if (!t->n)
		return NULL;
	return bsearch(path, t->items, t->n, sizeof(*t->items),
		       cmp_tree_file_path);
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

/*
 * Reads a change request of a tree by the blob its listing found (as
 * chg_source_read does by path, without looking the path up in the tree
 * again: libgit2 does not cache a large tree, so each lookup would parse
 * the whole directory).  Returns as chg_source_read; CHG_ENOTFOUND when
 * the path is not listed.
 */
static int read_listed(struct chg_buf *out, size_t *size, struct lint *l,
		       const char *path)
{
	const struct tree_file *f = tree_files_find(&l->src_files, path);
	git_blob *blob;
	int error = 0;

	if (!f)
		return CHG_ENOTFOUND;
	/* as chg_source_read refuses them */
	if (f->mode == GIT_FILEMODE_LINK) {
		errno = ELOOP;
		return CHG_EIO;
	}
	if (f->mode == GIT_FILEMODE_COMMIT) {
		errno = EISDIR;
		return CHG_EIO;
	}
	if (git_blob_lookup(&blob, l->repo, &f->blob) < 0)
		return CHG_EGIT;
	*size = (size_t)git_blob_rawsize(blob);
	if (git_blob_rawsize(blob) > CHG_YAML_MAX_SIZE)
		error = CHG_ELIMIT;
	else
		error = chg_buf_put(out, git_blob_rawcontent(blob), *size);
	git_blob_free(blob);
	return error;
}

/* Reads a file of the source, turning size and I/O problems into errors. */
static int read_source(struct lint *l, struct chg_buf *buf, const char *path,
		       int *too_large)
{
	size_t size = 0;
	int error;

	*too_large = 0;
	if (tree_files_find(&l->src_files, path))
		error = read_listed(buf, &size, l, path);
	else
		error = chg_source_read(buf, &size, &l->src, path, CHG_YAML_MAX_SIZE);
	if (error == CHG_ELIMIT) {
		*too_large = 1;
		return chg_diag_add(l->diags, path, 1, 1, CHG_SEV_ERROR,
				    "file-too-large",
				    "file is %zu bytes; the limit is %d bytes: a change request is a short YAML file",
				    size, CHG_YAML_MAX_SIZE);
	}
	if (error == CHG_EIO && (errno == ELOOP || errno == EISDIR)) {
		/* a finding about the file, not a failure to read it */
		*too_large = 1;
		return chg_diag_add(l->diags, path, 1, 1, CHG_SEV_ERROR,
				    "invalid-value",
				    "%s is a %s, not a file: commit it as a regular file",
				    path, errno == ELOOP ? "symbolic link" :
				    "submodule or directory");
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
	/* their blobs, read without a lookup by path each */
	if (!error && l->src.kind == CHG_SOURCE_TREE)
		error = tree_files(&l->src_files, l, l->src.tree);
	for (i = 0; i < l->named.n && !error; i++) {
		for (j = 0; j < files.n; j++)
			if (!strcmp(files.items[j], l->named.items[i]))
				break;
		if (j == files.n)
			error = fail(l, CHG_ENOTFOUND, "cannot open '%s': No such file",
				     l->named.items[i]);
	}
	if (!error && l->opts->change_cache)
		error = chg_change_cache_begin(l->opts->change_cache, l->policy);
	for (i = 0; i < files.n && !error; i++) {
		const struct tree_file *f = l->opts->change_cache ?
			tree_files_find(&l->src_files, files.items[i]) : NULL;
		if (f && (error = chg_change_set_add_cached(&l->changes, l->opts->change_cache,
							    &f->blob, files.items[i], l->policy,
							    l->diags)) != CHG_ENOTFOUND) {
			if (stats && !error)
				stats->files++;
			continue;
		}
		chg_buf_clear(&buf);
		error = read_source(l, &buf, files.items[i], &too_large);
		if (error || too_large)
			continue;
		if (f)
			error = chg_change_set_add_blob(&l->changes, l->opts->change_cache,
							&f->blob, files.items[i], buf.ptr,
							buf.len, l->policy, l->diags);
		else
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
	tree_files_release(&l->src_files);
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
 * The blob of the current change request `c` as it would be stored: from
 * the tree or the index, or hashed from the working tree.  Returns 1 when
 * it is known, else 0 (nothing to compare: the file is read as changed).
 */
static int current_blob(git_oid *out, struct lint *l, const char *path)
{
	const git_index_entry *e;
	const struct tree_file *f;
	struct chg_buf full = CHG_BUF_INIT;
	int known = 0;

	switch (l->src.kind) {
	case CHG_SOURCE_TREE:
		if ((f = tree_files_find(&l->src_files, path)) != NULL) {
			git_oid_cpy(out, &f->blob);
			known = 1;
		}
		break;
	case CHG_SOURCE_INDEX:
		if ((e = git_index_get_bypath(l->src.index, path, 0)) != NULL) {
			git_oid_cpy(out, &e->id);
			known = 1;
		}
		break;
	case CHG_SOURCE_WORKTREE:
		if (chg_buf_printf(&full, "%s%s", l->src.workdir, path) == 0)
			known = git_odb_hashfile(out, full.ptr, GIT_OBJECT_BLOB) == 0;
		chg_buf_release(&full);
		break;
	}
	return known;
}

static const char *file_id(const struct tree_file *f)
{
	return f->same ? f->same->id : f->before.id;
}

static const char *file_state(const struct tree_file *f)
{
	return f->same ? f->same->state : f->before.state;
}

static int cmp_by_id(const void *a, const void *b)
{
	const struct tree_file *x = *(const struct tree_file *const *)a;
	const struct tree_file *y = *(const struct tree_file *const *)b;
	int c = strcmp(file_id(x), file_id(y));

	return c ? c : strcmp(x->path, y->path);
}

static int cmp_id_key(const void *key, const void *elem)
{
	return strcmp(key, file_id(*(const struct tree_file *const *)elem));
}

/* The previous version of the change request with id `id`: the file at
   `path` when it has that id, else the first by path that has it. */
static const struct tree_file *previous_of(const struct tree_files *prev,
					   struct tree_file **byid, size_t nbyid,
					   const char *path, const char *id)
{
	const struct tree_file *f = tree_files_find(prev, path);
	struct tree_file **hit;

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
static int load_previous(struct tree_files *prev, unsigned char *unchanged,
			 struct lint *l, const git_tree *tree)
{
	struct chg_diag_list scratch = CHG_DIAG_LIST_INIT;
	size_t i;
	int error;

	if ((error = tree_files(prev, l, tree)) < 0)
		return error;
	for (i = 0; i < l->changes.n; i++) {
		const struct chg_change *c = &l->changes.items[i];
		struct tree_file *f = tree_files_find(prev, c->path);
		git_oid blob;

		if (f && !f->same && current_blob(&blob, l, c->path) &&
		    git_oid_equal(&blob, &f->blob)) {
			f->same = c;
			unchanged[i] = 1;
		}
	}
	for (i = 0; i < prev->n && !error; i++) {
		struct tree_file *f = &prev->items[i];
		git_blob *blob;

		if (f->same || git_blob_lookup(&blob, l->repo, &f->blob) < 0)
			continue;
		/* too large before: nothing to compare */
		if (git_blob_rawsize(blob) <= CHG_YAML_MAX_SIZE)
			error = chg_change_load(&f->before, f->path,
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
 * Needs the history loaded.  Linear in the number of change requests: the
 * previous tree is walked once and only its changed blobs are parsed.
 */
static int check_transitions(struct lint *l)
{
	const struct chg_policy *p = l->policy;
	struct tree_files prev = { 0 };
	struct tree_file **byid = NULL;
	struct chg_buf allowed = CHG_BUF_INIT;
	unsigned char *unchanged = NULL;
	git_tree *tree = NULL;
	git_oid commit;
	char sid[8];
	size_t i, j, nbyid = 0;
	int error;

	if (!p->transitions || !p->state_field || !l->changes.n)
		return 0;
	if ((error = previous_tree(&tree, &commit, l)) < 0)
		return error;
	if (!(unchanged = calloc(l->changes.n, 1))) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	if (tree) {
		chg_oid_short(sid, &commit);
		if ((error = load_previous(&prev, unchanged, l, tree)) < 0)
			goto cleanup;
		if (prev.n && !(byid = malloc(prev.n * sizeof(*byid)))) {
			error = CHG_ENOMEM;
			goto cleanup;
		}
		for (i = 0; i < prev.n; i++)
			if (file_id(&prev.items[i]) && file_state(&prev.items[i]))
				byid[nbyid++] = &prev.items[i];
		if (nbyid)
			qsort(byid, nbyid, sizeof(*byid), cmp_by_id);
	}
	for (i = 0; i < l->changes.n && !error; i++) {
		const struct chg_change *c = &l->changes.items[i];
		const struct tree_file *before;
		const struct chg_final_state *final;
		const struct chg_node *next;
		const char *from;

		if (!c->state || !c->id || !wanted(l, c->path))
			continue;
		before = tree && !unchanged[i] ?
			 previous_of(&prev, byid, nbyid, c->path, c->id) : NULL;
		from = before ? file_state(before) : NULL;
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
					     l->src.kind == CHG_SOURCE_TREE ? "changed" : "changes",
					     from, c->state, sid, from,
					     allowed.len ? allowed.ptr : "nothing: it is final");
			continue;
		}
		final = chg_history_final(&l->history, c->id);
		if (final && strcmp(final->state, c->state))
			error = chg_diag_add(l->diags, c->path, c->state_node->line,
					     c->state_node->column, CHG_SEV_ERROR,
					     "invalid-transition",
					     "%s was %s in %s and a change request id is never reused: give this change request a new id",
					     c->id, final->state, final->short_id);
	}
cleanup:
	free(byid);
	free(unchanged);
	tree_files_release(&prev);
	git_tree_free(tree);
	chg_buf_release(&allowed);
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
	/* the others' findings would be dropped: they are not judged */
	for (i = 0; i < l.changes.n && !error; i++)
		if (wanted(&l, l.changes.items[i].path))
			error = chg_check_change(&ctx, &l.changes.items[i], diags);
	if (!error)
		error = chg_check_set(&ctx, diags);
	/* what a waiver may excuse: the findings so far, not those about
	   history that follow */
	nwaivable = diags->n;
	/* whatever this policy says: trust changes are judged by the policy
	   before them, and this one may be such a change */
	if (!error)
		error = load_history(&l);
	if (!error)
		error = check_transitions(&l);
	for (i = 0; i < l.changes.n && !error && l.policy->has_approvals; i++)
		if (wanted(&l, l.changes.items[i].path))
			error = chg_approval_check(l.policy, &l.changes.items[i],
						   &l.history, opts->now, diags);
	for (i = 0; i < l.changes.n && !error; i++)
		if (wanted(&l, l.changes.items[i].path))
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
