/*
 * repo.h - where change requests are read from: the working tree, the
 * index (for pre-commit), or the tree of a revision (no checkout needed),
 * through libgit2.
 *
 * Ownership: a source borrows the repository and owns the index or tree it
 * opened; chg_source_release frees them.  Lists own their strings.
 *
 *	struct chg_source src;
 *	if (chg_source_open(&src, repo, CHG_SOURCE_TREE, "HEAD~3") == 0) {
 *		chg_source_list(&paths, &src, match, policy);
 *		chg_source_read(&buf, &size, &src, paths.items[0], 1 << 20);
 *	}
 *	chg_source_release(&src);
 */
#ifndef CHG_REPO_H
#define CHG_REPO_H

#include <git2.h>
#include <stddef.h>

#include "buf.h"

enum chg_source_kind {
	CHG_SOURCE_WORKTREE, /* files on disk, as they are now */
	CHG_SOURCE_INDEX,    /* the staging area */
	CHG_SOURCE_TREE      /* the tree of a commit */
};

struct chg_source {
	enum chg_source_kind kind;
	git_repository *repo;  /* borrowed */
	git_index *index;      /* CHG_SOURCE_INDEX */
	git_tree *tree;        /* CHG_SOURCE_TREE */
	git_oid commit;        /* CHG_SOURCE_TREE: the commit */
	const char *workdir;   /* CHG_SOURCE_WORKTREE, with a final '/' */
};

struct chg_strlist {
	char **items;
	size_t n;
	size_t alloc;
};

#define CHG_STRLIST_INIT { NULL, 0, 0 }

/* Appends a copy of `s`.  Returns 0 or CHG_ENOMEM. */
int chg_strlist_add(struct chg_strlist *list, const char *s);
/* Sorts bytewise. */
void chg_strlist_sort(struct chg_strlist *list);
/* Frees the strings and the array.  NULL-safe. */
void chg_strlist_release(struct chg_strlist *list);

/*
 * Opens the source of `kind` in `repo`.  For CHG_SOURCE_TREE, `rev` is a
 * revision (git rev-parse syntax) that must name a commit.  Returns 0,
 * CHG_ENOTFOUND (no such revision, or a bare repository has no working
 * tree), or CHG_EGIT.
 */
int chg_source_open(struct chg_source *out, git_repository *repo,
		    enum chg_source_kind kind, const char *rev);

/* Frees what the source opened.  NULL-safe. */
void chg_source_release(struct chg_source *src);

/*
 * Lists the regular files, symbolic links and (in the index and in a tree)
 * submodules of the source for which `match(path, payload)` returns
 * non-zero, as repository-relative '/'-separated paths, sorted bytewise.
 * Links and submodules are listed so that chg_source_read refuses them
 * rather than that they are skipped unseen.  The working tree's .git
 * directory is skipped.  Returns 0, CHG_ENOMEM, CHG_EIO or CHG_EGIT.
 */
int chg_source_list(struct chg_strlist *out, const struct chg_source *src,
		    int (*match)(const char *path, void *payload),
		    void *payload);

/*
 * Reads the file at `path` into `out` (appended; at most `max` bytes are
 * read) and stores its full size in bytes in *size.  Only a regular file
 * is read: a symbolic link, in the working tree, the index or a tree, is
 * never followed nor read as its target's name (CHG_EIO, errno ELOOP), and
 * a submodule entry or anything else not a file is refused (CHG_EIO,
 * errno EISDIR).  Returns 0; CHG_ELIMIT when the file is larger than
 * `max` (*size is set, `out` is left empty); CHG_ENOTFOUND; CHG_EIO (errno
 * is set); CHG_EGIT; CHG_ENOMEM.
 */
int chg_source_read(struct chg_buf *out, size_t *size,
		    const struct chg_source *src, const char *path, size_t max);

/*
 * Reads the blob at `path` in the tree of `commit` into `out` (at most
 * `max` bytes, as chg_source_read).  Returns as chg_source_read.
 */
int chg_tree_read(struct chg_buf *out, size_t *size, git_repository *repo,
		  const git_tree *tree, const char *path, size_t max);

/*
 * Formats the first 7 hex digits of `oid` into `out` (8 bytes).
 */
char *chg_oid_short(char out[8], const git_oid *oid);

/*
 * git_commit_lookup of the commit `id`, whose error, when it cannot be
 * read or parsed (a commit written by hand with a date git cannot hold,
 * say), names the commit: "commit 1234567: <libgit2's reason>", in
 * git_error_last().  Returns 0 or CHG_EGIT.
 */
int chg_commit_read(git_commit **out, git_repository *repo, const git_oid *id);

/*
 * A hash of `oid` for the tables keyed by object id: its first bytes (an
 * object id is already uniformly distributed).
 */
size_t chg_oid_hash(const git_oid *oid);

#endif
