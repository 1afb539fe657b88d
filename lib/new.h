/*
 * new.h - a new change request from the template of its type (`chg new`):
 * the next id free in every ref, in the index and in the working tree,
 * the template's fields filled in, written where the policy's paths say.
 *
 * The templates are those compiled in from templates/ (templates.h).  An
 * id is the literal prefix of the policy's changes.id-pattern (CHG-) and a
 * number of the pattern's width (4: CHG-0042); the next one is one more
 * than the highest taken anywhere (the `id` field and the file name of
 * every change request file in HEAD, the local branches (refs/heads/),
 * the remote-tracking branches (refs/remotes/), the index and the
 * working tree).
 *
 * Ownership: the caller owns every buffer it passes; nothing is kept.
 *
 *	struct chg_new_options opts = CHG_NEW_OPTIONS_INIT;
 *	opts.type = "normal";
 *	opts.client = "acme";
 *	if (chg_new_create(&path, &id, &err, ws, &opts) == 0)
 *		printf("%s\n", path.ptr);
 */
#ifndef CHG_NEW_H
#define CHG_NEW_H

#include <stddef.h>

#include "buf.h"
#include "policy.h"
#include "workspace.h"

/* The types that have a template, NULL-terminated: standard, normal,
 * emergency. */
extern const char *const chg_new_types[];

struct chg_new_options {
	const char *type;          /* one of chg_new_types */
	const char *client;        /* the client field, or NULL: left as in
				      the template */
	const char *title;         /* the title field, or NULL */
	const char *const *systems; /* the systems list (nsystems items), or
				      NULL: left as in the template */
	size_t nsystems;
	const char *requested_by;  /* an identity "Name <email>" for
				      requested-by, or NULL: git's author
				      identity (git var GIT_AUTHOR_IDENT) when
				      git knows one, else the template's */
};

#define CHG_NEW_OPTIONS_INIT { NULL, NULL, NULL, NULL, 0, NULL }

/*
 * Stores in *out and *len the template of change requests of `type`
 * (static storage).  Returns 0, or CHG_ENOTFOUND when there is none.
 */
int chg_new_template(const char **out, size_t *len, const char *type);

/*
 * Appends to `out` the next free id of the workspace's repository (see
 * above).  Returns 0; CHG_EINVALID with `err` set when the policy's
 * id-pattern has no literal prefix and number this can follow, or the id
 * made does not match it; CHG_EGIT, CHG_EIO, CHG_ENOMEM with `err` set.
 */
int chg_new_next_id(struct chg_buf *out, struct chg_buf *err,
		    struct chg_workspace *ws);

/*
 * Appends to `out` the repository-relative path of the change request
 * `id` of `client` (NULL: none) under the policy's first change path:
 * BASE/CLIENT/ID.yaml when that matches the policy's paths, else
 * BASE/ID.yaml, BASE being the components of the path before the first
 * one with a wildcard (the default policy's path: changes).  Returns 0;
 * CHG_EINVALID with `err` set when neither matches; CHG_ENOMEM.
 */
int chg_new_path(struct chg_buf *out, struct chg_buf *err,
		 const struct chg_policy *policy, const char *id,
		 const char *client);

/*
 * Appends to `out` the template `tmpl` (`len` bytes) with its id set to
 * `id` and the fields `opts` gives replaced: each is the value of its
 * top-level line (`title: ...`), a comment after the value is kept; every
 * other line is kept as it is.  Values are written plain when YAML reads
 * them back unchanged, else double-quoted.  Returns 0 or CHG_ENOMEM.
 */
int chg_new_render(struct chg_buf *out, const char *tmpl, size_t len,
		   const char *id, const struct chg_new_options *opts);

/*
 * Makes the change request: the next id, its path, the template filled in
 * (requested-by as the options say), written to the working tree (the
 * directories made as needed), never over an existing file.  Appends the
 * path to `out_path` and the id to `out_id`.
 *
 * Returns 0; CHG_ENOTFOUND (no template for opts->type, or a bare
 * repository), CHG_EINVALID (as chg_new_next_id and chg_new_path), CHG_EIO
 * (the file exists already, or cannot be written: errno is set) or
 * another negative code, with `err` set.
 */
int chg_new_create(struct chg_buf *out_path, struct chg_buf *out_id,
		   struct chg_buf *err, struct chg_workspace *ws,
		   const struct chg_new_options *opts);

#endif
