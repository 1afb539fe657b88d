#include "repo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "banned.h"

int chg_strlist_add(struct chg_strlist *list, const char *s)
{
	char *copy;

	if (list->n == list->alloc) {
		size_t n = list->alloc ? list->alloc * 2 : 16;
		char **p = realloc(list->items, n * sizeof(*p));
		if (!p)
			return CHG_ENOMEM;
		list->items = p;
		list->alloc = n;
	}
	if (!(copy = strdup(s)))
		return CHG_ENOMEM;
	list->items[list->n++] = copy;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void chg_strlist_sort(struct chg_strlist *list)
{
	if (list->n > 1)
		qsort(list->items, list->n, sizeof(*list->items), cmp_str);
}

void chg_strlist_release(struct chg_strlist *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->n; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->n = list->alloc = 0;
}

int chg_source_open(struct chg_source *out, git_repository *repo,
		    enum chg_source_kind kind, const char *rev)
{
	git_object *obj = NULL;
	git_commit *commit = NULL;
	int error;

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	out->repo = repo;
	switch (kind) {
	case CHG_SOURCE_WORKTREE:
		out->workdir = git_repository_workdir(repo);
		return out->workdir ? 0 : CHG_ENOTFOUND;
	case CHG_SOURCE_INDEX:
		return git_repository_index(&out->index, repo) < 0 ? CHG_EGIT : 0;
	case CHG_SOURCE_TREE:
		error = git_revparse_single(&obj, repo, rev);
		if (error == GIT_ENOTFOUND || error == GIT_EAMBIGUOUS ||
		    error == GIT_EINVALIDSPEC)
			return CHG_ENOTFOUND;
		if (error < 0)
			return CHG_EGIT;
		error = git_object_peel((git_object **)&commit, obj, GIT_OBJECT_COMMIT);
		git_object_free(obj);
		if (error < 0)
			return CHG_ENOTFOUND;
		git_oid_cpy(&out->commit, git_commit_id(commit));
		error = git_commit_tree(&out->tree, commit);
		git_commit_free(commit);
		return error < 0 ? CHG_EGIT : 0;
	}
	return CHG_ERROR;
}

void chg_source_release(struct chg_source *src)
{
	if (!src)
		return;
	git_index_free(src->index);
	git_tree_free(src->tree);
	src->index = NULL;
	src->tree = NULL;
}

struct walk_ctx {
	struct chg_strlist *out;
	int (*match)(const char *, void *);
	void *payload;
	int error;
};

static int tree_cb(const char *root, const git_tree_entry *entry, void *data)
{
	struct walk_ctx *w = data;
	struct chg_buf path = CHG_BUF_INIT;
	git_filemode_t mode = git_tree_entry_filemode(entry);

	/* links and submodules are listed so that reading them refuses them
	   (chg_source_read) instead of skipping them silently */
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
	    mode != GIT_FILEMODE_LINK && mode != GIT_FILEMODE_COMMIT)
		return 0;
	if (chg_buf_printf(&path, "%s%s", root, git_tree_entry_name(entry)) < 0 ||
	    (w->match(path.ptr, w->payload) && chg_strlist_add(w->out, path.ptr) < 0)) {
		w->error = CHG_ENOMEM;
		chg_buf_release(&path);
		return -1;
	}
	chg_buf_release(&path);
	return 0;
}

static int list_dir(struct walk_ctx *w, const char *top, struct chg_buf *rel,
		    int depth)
{
	struct chg_buf full = CHG_BUF_INIT;
	struct dirent *de;
	struct stat st;
	size_t mark = rel->len;
	DIR *dir;
	int error = 0;

	if (depth > 64)
		return 0;
	if (chg_buf_printf(&full, "%s%s", top, rel->ptr) < 0)
		return CHG_ENOMEM;
	dir = opendir(full.ptr);
	chg_buf_release(&full);
	if (!dir)
		return depth ? 0 : CHG_EIO;
	while (!error && (de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!depth && !strcmp(de->d_name, ".git"))
			continue;
		rel->len = mark;
		rel->ptr[mark] = '\0';
		if (chg_buf_puts(rel, de->d_name) < 0 ||
		    chg_buf_printf(&full, "%s%s", top, rel->ptr) < 0) {
			error = CHG_ENOMEM;
			break;
		}
		if (lstat(full.ptr, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				if (chg_buf_putc(rel, '/') < 0)
					error = CHG_ENOMEM;
				else
					error = list_dir(w, top, rel, depth + 1);
			} else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) &&
				   w->match(rel->ptr, w->payload)) {
				error = chg_strlist_add(w->out, rel->ptr);
			}
		}
		chg_buf_clear(&full);
	}
	chg_buf_release(&full);
	closedir(dir);
	rel->len = mark;
	rel->ptr[mark] = '\0';
	return error;
}

int chg_source_list(struct chg_strlist *out, const struct chg_source *src,
		    int (*match)(const char *path, void *payload),
		    void *payload)
{
	struct walk_ctx w = { out, match, payload, 0 };
	struct chg_buf rel = CHG_BUF_INIT;
	size_t i, n;
	int error = 0;

	switch (src->kind) {
	case CHG_SOURCE_WORKTREE:
		if (chg_buf_grow(&rel, 256) < 0)
			return CHG_ENOMEM;
		error = list_dir(&w, src->workdir, &rel, 0);
		chg_buf_release(&rel);
		break;
	case CHG_SOURCE_INDEX:
		n = git_index_entrycount(src->index);
		for (i = 0; i < n && !error; i++) {
			const git_index_entry *e = git_index_get_byindex(src->index, i);
			if (git_index_entry_stage(e) == 0 && match(e->path, payload))
				error = chg_strlist_add(out, e->path);
		}
		break;
	case CHG_SOURCE_TREE:
		if (git_tree_walk(src->tree, GIT_TREEWALK_PRE, tree_cb, &w) < 0)
			error = w.error ? w.error : CHG_EGIT;
		break;
	}
	if (!error)
		chg_strlist_sort(out);
	return error;
}

static int read_blob(struct chg_buf *out, size_t *size, git_repository *repo,
		     const git_oid *oid, size_t max)
{
	git_blob *blob;
	git_object_size_t len;
	int error;

	if (git_blob_lookup(&blob, repo, oid) < 0)
		return CHG_EGIT;
	len = git_blob_rawsize(blob);
	*size = (size_t)len;
	if (len > max)
		error = CHG_ELIMIT;
	else
		error = chg_buf_put(out, git_blob_rawcontent(blob), (size_t)len);
	git_blob_free(blob);
	return error;
}

int chg_tree_read(struct chg_buf *out, size_t *size, git_repository *repo,
		  const git_tree *tree, const char *path, size_t max)
{
	git_tree_entry *entry;
	int error;

	error = git_tree_entry_bypath(&entry, tree, path);
	if (error == GIT_ENOTFOUND)
		return CHG_ENOTFOUND;
	if (error < 0)
		return CHG_EGIT;
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
		error = CHG_ENOTFOUND;
	else
		error = read_blob(out, size, repo, git_tree_entry_id(entry), max);
	git_tree_entry_free(entry);
	return error;
}

static int read_file(struct chg_buf *out, size_t *size, const char *top,
		     const char *path, size_t max)
{
	struct chg_buf full = CHG_BUF_INIT;
	struct stat st;
	ssize_t n;
	int fd, error = 0;

	if (chg_buf_printf(&full, "%s%s", top, path) < 0)
		return CHG_ENOMEM;
	fd = open(full.ptr, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	chg_buf_release(&full);
	if (fd < 0)
		return errno == ENOENT ? CHG_ENOTFOUND : CHG_EIO;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (!errno)
			errno = EINVAL;
		close(fd);
		return CHG_EIO;
	}
	*size = (size_t)st.st_size;
	if ((size_t)st.st_size > max) {
		close(fd);
		return CHG_ELIMIT;
	}
	if (chg_buf_grow(out, (size_t)st.st_size + 1) < 0) {
		close(fd);
		return CHG_ENOMEM;
	}
	for (;;) {
		if (out->alloc - out->len - 1 == 0 &&
		    chg_buf_grow(out, 4096) < 0) {
			error = CHG_ENOMEM;
			break;
		}
		n = read(fd, out->ptr + out->len, out->alloc - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = CHG_EIO;
			break;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
		if (out->len > max) {
			*size = out->len;
			error = CHG_ELIMIT;
			break;
		}
	}
	close(fd);
	if (error == CHG_ELIMIT)
		chg_buf_clear(out);
	return error;
}

/*
 * Refuses what is not a regular file: a symbolic link (its blob is the
 * target's name, and a checkout makes it point anywhere) and a submodule
 * (a commit of another repository).  errno says which, as open(2) with
 * O_NOFOLLOW says it for a link in the working tree.
 */
static int refuse_mode(unsigned int mode)
{
	if (mode == GIT_FILEMODE_LINK) {
		errno = ELOOP;
		return CHG_EIO;
	}
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
		errno = EISDIR;
		return CHG_EIO;
	}
	return 0;
}

int chg_source_read(struct chg_buf *out, size_t *size,
		    const struct chg_source *src, const char *path, size_t max)
{
	const git_index_entry *e;
	git_tree_entry *te;
	int error;

	switch (src->kind) {
	case CHG_SOURCE_WORKTREE:
		return read_file(out, size, src->workdir, path, max);
	case CHG_SOURCE_INDEX:
		e = git_index_get_bypath(src->index, path, 0);
		if (!e)
			return CHG_ENOTFOUND;
		if ((error = refuse_mode(e->mode)) < 0)
			return error;
		return read_blob(out, size, src->repo, &e->id, max);
	case CHG_SOURCE_TREE:
		error = git_tree_entry_bypath(&te, src->tree, path);
		if (error == GIT_ENOTFOUND)
			return CHG_ENOTFOUND;
		if (error < 0)
			return CHG_EGIT;
		if (git_tree_entry_type(te) == GIT_OBJECT_TREE)
			error = CHG_ENOTFOUND;
		else if ((error = refuse_mode(git_tree_entry_filemode(te))) == 0)
			error = read_blob(out, size, src->repo,
					  git_tree_entry_id(te), max);
		git_tree_entry_free(te);
		return error;
	}
	return CHG_ERROR;
}

char *chg_oid_short(char out[8], const git_oid *oid)
{
	git_oid_tostr(out, 8, oid);
	return out;
}

int chg_commit_read(git_commit **out, git_repository *repo, const git_oid *id)
{
	const git_error *e;
	struct chg_buf msg = CHG_BUF_INIT;
	char sid[8];

	if (git_commit_lookup(out, repo, id) == 0)
		return 0;
	e = git_error_last();
	if (chg_buf_printf(&msg, "commit %s: %s", chg_oid_short(sid, id),
			   e && e->message ? e->message : "cannot be read") == 0)
		git_error_set_str(GIT_ERROR_OBJECT, msg.ptr);
	chg_buf_release(&msg);
	return CHG_EGIT;
}

size_t chg_oid_hash(const git_oid *oid)
{
	size_t h = 0;
	int i;

	for (i = 0; i < 8; i++)
		h = h << 8 | oid->id[i];
	return h;
}
