#include "workspace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "check.h"
#include "error.h"
#include "yaml.h"
#include "banned.h"

#define POLICY_PATH ".chg/policy.yaml"
#define CATALOG_DIR ".chg/catalog/"

static int fail(struct chg_buf *err, int code, const char *fmt, const char *arg)
{
	chg_buf_clear(err);
	chg_buf_printf(err, fmt, arg);
	return code;
}

static const char *git_message(void)
{
	return git_error_last() ? git_error_last()->message : "unknown error";
}

static int is_change(const char *path, void *payload)
{
	const struct chg_workspace *ws = payload;
	size_t i;

	if (chg_policy_is_change_path(ws->policy, path))
		return 1;
	for (i = 0; i < ws->named.n; i++)
		if (!strcmp(ws->named.items[i], path))
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

/* ---- the change request files of a tree ---- */

struct listing {
	struct chg_tree_files *t;
	const struct chg_workspace *ws;
	int error;
};

static int tree_file_cb(const char *root, const git_tree_entry *entry,
			void *data)
{
	struct listing *l = data;
	struct chg_tree_files *t = l->t;
	struct chg_buf path = CHG_BUF_INIT;
	git_filemode_t mode = git_tree_entry_filemode(entry);
	struct chg_tree_file *f;

	/* links and submodules are listed, so that reading refuses them */
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
	    mode != GIT_FILEMODE_LINK && mode != GIT_FILEMODE_COMMIT)
		return 0;
	if (chg_buf_printf(&path, "%s%s", root, git_tree_entry_name(entry)) < 0)
		goto nomem;
	if (!is_change(path.ptr, (void *)l->ws)) {
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
	l->error = CHG_ENOMEM;
	return -1;
}

static int cmp_tree_file(const void *a, const void *b)
{
	return strcmp(((const struct chg_tree_file *)a)->path,
		      ((const struct chg_tree_file *)b)->path);
}

static int cmp_tree_file_path(const void *key, const void *elem)
{
	return strcmp(key, ((const struct chg_tree_file *)elem)->path);
}

int chg_workspace_list_tree(struct chg_tree_files *out, struct chg_buf *err,
			    const struct chg_workspace *ws,
			    const git_tree *tree)
{
	struct listing l;

	memset(out, 0, sizeof(*out));
	l.t = out;
	l.ws = ws;
	l.error = 0;
	/* one walk of the tree, however many files */
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, tree_file_cb, &l) < 0)
		return l.error ? l.error :
		       fail(err, CHG_EGIT, "%s", "cannot list the files of a tree");
	if (out->n)
		qsort(out->items, out->n, sizeof(*out->items), cmp_tree_file);
	return 0;
}

void chg_tree_files_release(struct chg_tree_files *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free(t->items[i].path);
	free(t->items);
	memset(t, 0, sizeof(*t));
}

const struct chg_tree_file *chg_tree_files_find(const struct chg_tree_files *t,
						const char *path)
{
	if (!t->n)
		return NULL;
	return bsearch(path, t->items, t->n, sizeof(*t->items),
		       cmp_tree_file_path);
}

/* ---- reading ---- */

/*
 * Reads a change request of a tree by the blob its listing found (as
 * chg_source_read does by path, without looking the path up in the tree
 * again: libgit2 does not cache a large tree, so each lookup would parse
 * the whole directory).  Returns as chg_source_read.
 */
static int read_listed(struct chg_buf *out, size_t *size,
		       const struct chg_workspace *ws,
		       const struct chg_tree_file *f)
{
	git_blob *blob;
	int error = 0;

	/* as chg_source_read refuses them */
	if (f->mode == GIT_FILEMODE_LINK) {
		errno = ELOOP;
		return CHG_EIO;
	}
	if (f->mode == GIT_FILEMODE_COMMIT) {
		errno = EISDIR;
		return CHG_EIO;
	}
	if (git_blob_lookup(&blob, ws->repo, &f->blob) < 0)
		return CHG_EGIT;
	*size = (size_t)git_blob_rawsize(blob);
	if (git_blob_rawsize(blob) > CHG_YAML_MAX_SIZE)
		error = CHG_ELIMIT;
	else
		error = chg_buf_put(out, git_blob_rawcontent(blob), *size);
	git_blob_free(blob);
	return error;
}

/*
 * Reads a file of the source, turning size and I/O problems into errors
 * or, when they are the file's, into a diagnostic (*skip set: nothing was
 * read).
 */
static int read_source(struct chg_buf *buf, int *skip, struct chg_workspace *ws,
		       struct chg_diag_list *diags, struct chg_buf *err,
		       const char *path)
{
	const struct chg_tree_file *f = chg_tree_files_find(&ws->files, path);
	size_t size = 0;
	int error;

	*skip = 0;
	if (f)
		error = read_listed(buf, &size, ws, f);
	else
		error = chg_source_read(buf, &size, &ws->src, path, CHG_YAML_MAX_SIZE);
	if (error == CHG_ELIMIT) {
		*skip = 1;
		return chg_diag_add(diags, path, 1, 1, CHG_SEV_ERROR,
				    "file-too-large",
				    "file is %zu bytes; the limit is %d bytes: a change request is a short YAML file",
				    size, CHG_YAML_MAX_SIZE);
	}
	if (error == CHG_EIO && (errno == ELOOP || errno == EISDIR)) {
		/* a finding about the file, not a failure to read it */
		*skip = 1;
		return chg_diag_add(diags, path, 1, 1, CHG_SEV_ERROR,
				    "invalid-value",
				    "%s is a %s, not a file: commit it as a regular file",
				    path, errno == ELOOP ? "symbolic link" :
				    "submodule or directory");
	}
	if (error == CHG_EIO) {
		chg_buf_clear(err);
		chg_buf_printf(err, "cannot read '%s': %s", path, strerror(errno));
		return error;
	}
	if (error == CHG_ENOTFOUND)
		return fail(err, error, "cannot read '%s': No such file", path);
	if (error < 0)
		return fail(err, error, "cannot read '%s'", path);
	return 0;
}

/* ---- opening ---- */

/*
 * Opens the repository containing `dir`, respecting git's environment as
 * git itself does: GIT_DIR (for the default directory),
 * GIT_CEILING_DIRECTORIES, GIT_INDEX_FILE (a pre-commit hook of 'git
 * commit -a' sees a temporary index), and GIT_OBJECT_DIRECTORY /
 * GIT_ALTERNATE_OBJECT_DIRECTORIES.
 */
static int open_git(git_repository **out, const char *dir)
{
	return git_repository_open_ext(out, strcmp(dir, ".") ? dir : NULL,
				       GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
}

static int open_repo(struct chg_workspace *ws, struct chg_buf *err)
{
	const struct chg_workspace_options *o = &ws->opts;
	const char *rev = o->rev;
	enum chg_source_kind kind = rev ? CHG_SOURCE_TREE :
				    o->staged ? CHG_SOURCE_INDEX : CHG_SOURCE_WORKTREE;
	int error;

	if (open_git(&ws->repo, o->dir) < 0)
		return fail(err, CHG_ENOTFOUND, "not a git repository: '%s'", o->dir);
	if (kind == CHG_SOURCE_WORKTREE && git_repository_is_bare(ws->repo)) {
		kind = CHG_SOURCE_TREE;
		rev = "HEAD";
	}
	error = chg_source_open(&ws->src, ws->repo, kind, rev);
	if (error == CHG_ENOTFOUND)
		return fail(err, error, "unknown revision '%s'", rev ? rev : "HEAD");
	if (error < 0)
		return fail(err, error, "cannot open the repository's %s",
			    o->staged ? "index" : "tree");
	ws->src_open = 1;
	return 0;
}

/* Reads the policy file given on the command line. */
static int read_policy_file(struct chg_buf *buf, struct chg_workspace *ws,
			    struct chg_buf *err)
{
	const char *path = ws->opts.policy_file;
	struct chg_source fs = { 0 };
	struct chg_buf dir = CHG_BUF_INIT;
	size_t size;
	int error;

	/* relative to -C DIR, as PATH arguments are */
	fs.kind = CHG_SOURCE_WORKTREE;
	if (path[0] == '/') {
		fs.workdir = "";
	} else {
		if (chg_buf_printf(&dir, "%s/", ws->opts.dir) < 0)
			return CHG_ENOMEM;
		fs.workdir = dir.ptr;
	}
	error = chg_source_read(buf, &size, &fs, path, CHG_YAML_MAX_SIZE);
	if (error == CHG_ELIMIT)
		error = fail(err, error, "cannot read policy '%s': larger than 1 MiB", path);
	else if (error < 0)
		error = fail(err, error, "cannot read policy '%s'", path);
	chg_buf_release(&dir);
	return error;
}

static int load_policy(struct chg_workspace *ws, struct chg_diag_list *diags,
		       struct chg_buf *err)
{
	struct chg_buf buf = CHG_BUF_INIT;
	const char *path = POLICY_PATH;
	size_t size;
	int error;

	if (ws->opts.policy_file) {
		path = ws->opts.policy_file;
		error = read_policy_file(&buf, ws, err);
	} else {
		error = chg_source_read(&buf, &size, &ws->src, path, CHG_YAML_MAX_SIZE);
		if (error == CHG_ENOTFOUND) {
			error = chg_policy_load(&ws->policy, NULL, 0, NULL, diags);
			goto done;
		}
		if (error == CHG_ELIMIT) {
			error = chg_diag_add(diags, path, 1, 1, CHG_SEV_ERROR,
					     "file-too-large",
					     "file is %zu bytes; the limit is %d bytes",
					     size, CHG_YAML_MAX_SIZE);
			if (!error)
				error = CHG_EINVALID;
			goto done;
		}
		if (error < 0)
			error = fail(err, error, "cannot read '%s'", path);
	}
	if (!error)
		error = chg_policy_load(&ws->policy, buf.ptr, buf.len, path, diags);
done:
	chg_buf_release(&buf);
	return error;
}

/* Loads the catalog of the source into the policy (policy.h). */
static int load_catalog(struct chg_workspace *ws, struct chg_diag_list *diags,
			struct chg_buf *err)
{
	struct chg_strlist files = CHG_STRLIST_INIT;
	struct chg_buf buf = CHG_BUF_INIT;
	size_t i;
	int error, invalid = 0, skip;

	if (!ws->policy->catalog &&
	    !(ws->policy->catalog = calloc(1, sizeof(*ws->policy->catalog))))
		return CHG_ENOMEM;
	error = chg_source_list(&files, &ws->src, is_catalog, NULL);
	for (i = 0; i < files.n && !error; i++) {
		chg_buf_clear(&buf);
		error = read_source(&buf, &skip, ws, diags, err, files.items[i]);
		if (error || skip) {
			invalid |= skip;
			continue;
		}
		error = chg_catalog_add(ws->policy->catalog, files.items[i], buf.ptr,
					buf.len, diags);
		if (error == CHG_EINVALID) {
			invalid = 1;
			error = 0;
		}
	}
	chg_buf_release(&buf);
	chg_strlist_release(&files);
	if (error == CHG_EGIT || error == CHG_EIO)
		return fail(err, error, "cannot list '%s'", CATALOG_DIR);
	return error ? error : invalid ? CHG_EINVALID : 0;
}

/* The tip: the revision's commit, else HEAD's when it has one. */
static int resolve_tip(struct chg_workspace *ws, struct chg_buf *err)
{
	int error;

	if (ws->src.kind == CHG_SOURCE_TREE) {
		ws->tip = ws->src.commit;
		ws->has_tip = 1;
		return 0;
	}
	error = git_reference_name_to_id(&ws->tip, ws->repo, "HEAD");
	if (error == 0)
		ws->has_tip = 1;
	else if (error != GIT_ENOTFOUND && error != GIT_EUNBORNBRANCH)
		return fail(err, CHG_EGIT, "cannot resolve HEAD: %s", git_message());
	return 0;
}

int chg_workspace_open(struct chg_workspace **out, struct chg_diag_list *diags,
		       struct chg_buf *err,
		       const struct chg_workspace_options *opts)
{
	struct chg_history empty = CHG_HISTORY_INIT;
	struct chg_workspace *ws;
	int error = 0;

	*out = NULL;
	if (!(ws = calloc(1, sizeof(*ws))))
		return fail(err, CHG_ENOMEM, "%s", "out of memory");
	git_libgit2_init();
	ws->opts = *opts;
	ws->history = empty;
	/* a policy file on disk needs no repository */
	if (!opts->policy_alone || !opts->policy_file)
		error = open_repo(ws, err);
	if (!error)
		error = load_policy(ws, diags, err);
	/* the approval rules need it: a change is standard only with a
	   catalog entry it meets */
	if (!error && ws->src_open && !opts->without_catalog)
		error = load_catalog(ws, diags, err);
	if (!error && ws->src_open)
		error = resolve_tip(ws, err);
	chg_diag_list_sort(diags);
	if (error) {
		if (error == CHG_ENOMEM)
			fail(err, error, "%s", "out of memory");
		chg_workspace_free(ws);
		return error;
	}
	*out = ws;
	return 0;
}

void chg_workspace_free(struct chg_workspace *ws)
{
	if (!ws)
		return;
	chg_history_release(&ws->history);
	chg_tree_files_release(&ws->files);
	chg_change_set_release(&ws->changes);
	chg_diag_list_release(&ws->change_diags);
	chg_strlist_release(&ws->named);
	chg_policy_free(ws->policy);
	if (ws->src_open)
		chg_source_release(&ws->src);
	git_repository_free(ws->repo);
	free(ws);
	git_libgit2_shutdown();
}

int chg_workspace_head_unborn(const char *dir)
{
	git_repository *repo = NULL;
	git_oid head;
	int error, unborn = 0;

	git_libgit2_init();
	if (open_git(&repo, dir) == 0) {
		error = git_reference_name_to_id(&head, repo, "HEAD");
		unborn = error == GIT_ENOTFOUND || error == GIT_EUNBORNBRANCH;
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	return unborn;
}

/* ---- the change requests ---- */

/* Reads and adds the change request at `path`; *read set when it was. */
static int add_change(struct chg_workspace *ws, struct chg_diag_list *diags,
		      struct chg_buf *err, struct chg_buf *buf, const char *path)
{
	struct chg_change_cache *cache = ws->opts.change_cache;
	const struct chg_tree_file *f = ws->src.kind == CHG_SOURCE_TREE ?
		chg_tree_files_find(&ws->files, path) : NULL;
	size_t n = ws->changes.n;
	int error, skip;

	if (f && cache &&
	    (error = chg_change_set_add_cached(&ws->changes, cache, &f->blob,
					       path, ws->policy,
					       diags)) != CHG_ENOTFOUND) {
		if (!error)
			ws->nfiles++;
		goto blob;
	}
	chg_buf_clear(buf);
	error = read_source(buf, &skip, ws, diags, err, path);
	if (error || skip)
		return error;
	if (f && cache)
		error = chg_change_set_add_blob(&ws->changes, cache, &f->blob, path,
						buf->ptr, buf->len, ws->policy, diags);
	else
		error = chg_change_set_add(&ws->changes, path, buf->ptr, buf->len,
					   ws->policy, diags);
	ws->nfiles++;
blob:
	/* the blob it is, so that history need not parse it again */
	if (!error && ws->changes.n > n) {
		struct chg_change *c = &ws->changes.items[ws->changes.n - 1];
		if (f)
			git_oid_cpy(&c->blob, &f->blob);
		c->has_blob = f || git_odb_hash(&c->blob, buf->ptr, buf->len,
						GIT_OBJECT_BLOB) == 0;
	}
	return error;
}

static int load_changes(struct chg_workspace *ws, struct chg_diag_list *diags,
			struct chg_buf *err)
{
	struct chg_strlist files = CHG_STRLIST_INIT;
	struct chg_buf buf = CHG_BUF_INIT;
	size_t i, j;
	int error;

	error = chg_source_list(&files, &ws->src, is_change, ws);
	if (error == CHG_EGIT || error == CHG_EIO)
		error = fail(err, error, "cannot list the files of '%s'", ws->opts.dir);
	/* their blobs, read without a lookup by path each */
	if (!error && ws->src.kind == CHG_SOURCE_TREE)
		error = chg_workspace_list_tree(&ws->files, err, ws, ws->src.tree);
	for (i = 0; i < ws->named.n && !error; i++) {
		for (j = 0; j < files.n; j++)
			if (!strcmp(files.items[j], ws->named.items[i]))
				break;
		if (j == files.n)
			error = fail(err, CHG_ENOTFOUND, "cannot open '%s': No such file",
				     ws->named.items[i]);
	}
	if (!error && ws->opts.change_cache)
		error = chg_change_cache_begin(ws->opts.change_cache, ws->policy);
	for (i = 0; i < files.n && !error; i++)
		error = add_change(ws, diags, err, &buf, files.items[i]);
	chg_buf_release(&buf);
	chg_strlist_release(&files);
	return error;
}

/* Appends to `to` a copy of each diagnostic of `from` from the first
 * `from_index`, in order. */
static int copy_diags(struct chg_diag_list *to, const struct chg_diag_list *from,
		      size_t from_index)
{
	size_t i;
	int error = 0;

	for (i = from_index; i < from->n && !error; i++) {
		const struct chg_diag *d = &from->items[i];
		error = chg_diag_add(to, d->path, d->line, d->column, d->severity,
				     d->rule, "%s", d->message);
	}
	return error;
}

int chg_workspace_load_changes(struct chg_workspace *ws,
			       struct chg_diag_list *diags, struct chg_buf *err,
			       const struct chg_strlist *named)
{
	size_t i, before = diags->n;
	int error = 0;

	if (ws->changes_loaded)
		return 0;
	if (!ws->src_open)
		return fail(err, CHG_ENOTFOUND, "%s", "no repository is open");
	for (i = 0; named && i < named->n && !error; i++)
		error = chg_strlist_add(&ws->named, named->items[i]);
	if (!error)
		error = load_changes(ws, diags, err);
	/* kept for a use case that did not load them itself */
	if (!error)
		error = copy_diags(&ws->change_diags, diags, before);
	/* found by id for each rule, report line and dependency */
	if (!error)
		error = chg_change_set_index(&ws->changes);
	if (!error) {
		ws->changes_loaded = 1;
		return 0;
	}
	/* nothing half loaded: the next call starts again */
	chg_change_set_release(&ws->changes);
	chg_tree_files_release(&ws->files);
	chg_strlist_release(&ws->named);
	chg_diag_list_release(&ws->change_diags);
	ws->nfiles = 0;
	if (error == CHG_ENOMEM)
		fail(err, error, "%s", "out of memory");
	return error;
}

int chg_workspace_blob(git_oid *out, const struct chg_workspace *ws,
		       const char *path)
{
	const git_index_entry *e;
	const struct chg_tree_file *f;
	struct chg_buf full = CHG_BUF_INIT;
	int known = 0;

	if (!ws->src_open)
		return 0;
	switch (ws->src.kind) {
	case CHG_SOURCE_TREE:
		if ((f = chg_tree_files_find(&ws->files, path)) != NULL) {
			git_oid_cpy(out, &f->blob);
			known = 1;
		}
		break;
	case CHG_SOURCE_INDEX:
		if ((e = git_index_get_bypath(ws->src.index, path, 0)) != NULL) {
			git_oid_cpy(out, &e->id);
			known = 1;
		}
		break;
	case CHG_SOURCE_WORKTREE:
		if (chg_buf_printf(&full, "%s%s", ws->src.workdir, path) == 0)
			known = git_odb_hashfile(out, full.ptr, GIT_OBJECT_BLOB) == 0;
		chg_buf_release(&full);
		break;
	}
	return known;
}

/* ---- the history ---- */

int chg_workspace_history_ids(const struct chg_history **out,
			      struct chg_workspace *ws, struct chg_buf *err,
			      const char *const *ids, size_t nids)
{
	struct chg_history empty = CHG_HISTORY_INIT;
	int error;

	*out = NULL;
	if (ws->history_loaded && (ids || !ws->history_of_ids)) {
		*out = &ws->history;
		return 0;
	}
	if (ws->history_loaded) {
		/* it holds some change requests only: read it whole */
		chg_history_release(&ws->history);
		ws->history = empty;
		ws->history_loaded = 0;
	ws->history_of_ids = 0;
	}
	if (!ws->repo)
		return fail(err, CHG_ENOTFOUND, "%s", "no repository is open");
	/*
	 * Approvals and the authors of edits come from the whole history: a
	 * shallow clone would miss them and report approvals as missing.
	 */
	if (git_repository_is_shallow(ws->repo) == 1)
		return fail(err, CHG_ERROR, "%s",
			    "the repository is a shallow clone and approvals need its whole history; run 'git fetch --unshallow'");
	error = chg_history_at_ids(&ws->history, ws->opts.history_index, ws->repo,
				   ws->has_tip ? &ws->tip : NULL, ws->policy,
				   ids, nids,
				   ws->changes_loaded ? &ws->changes : NULL);
	if (error < 0) {
		chg_history_release(&ws->history);
		ws->history = empty;
		if (error == CHG_EGIT)
			return fail(err, error, "cannot walk the history: %s",
				    git_message());
		if (error == CHG_ENOMEM)
			fail(err, error, "%s", "out of memory");
		return error;
	}
	ws->history_loaded = 1;
	ws->history_of_ids = ids != NULL;
	*out = &ws->history;
	return 0;
}

int chg_workspace_history(const struct chg_history **out,
			  struct chg_workspace *ws, struct chg_buf *err)
{
	return chg_workspace_history_ids(out, ws, err, NULL, 0);
}

int chg_workspace_take_history(struct chg_history *out,
			       struct chg_workspace *ws)
{
	struct chg_history empty = CHG_HISTORY_INIT;

	if (!ws->history_loaded)
		return CHG_ENOTFOUND;
	*out = ws->history;
	ws->history = empty;
	ws->history_loaded = 0;
	ws->history_of_ids = 0;
	return 0;
}

struct chg_policy *chg_workspace_take_policy(struct chg_workspace *ws)
{
	struct chg_policy *p = ws->policy;

	ws->policy = NULL;
	return p;
}

int chg_workspace_check_chain(struct chg_workspace *ws,
			      struct chg_diag_list *diags, struct chg_buf *err)
{
	const git_oid *tip = ws->has_tip ? &ws->tip : NULL;
	const struct chg_trust_log *trust = &ws->history.trust;

	if (!ws->repo)
		return fail(err, CHG_ENOTFOUND, "%s", "no repository is open");
	if (ws->history_loaded)
		tip = trust->n ? &trust->records[trust->tip].commit : NULL;
	return chg_chain_check(diags, err, ws->repo, tip, ws->opts.trust_root,
			       ws->opts.trust_root_origin);
}
