#include "treediff.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "repo.h"
#include "banned.h"

/* Raw tree objects kept for the next commit's difference. */
#define RAW_TREES 16

/* How deep directories are followed: deeper is an error, not a file
 * that history silently leaves out. */
#define MAX_DEPTH 256

struct chg_treediff {
	git_repository *repo;
	git_odb *odb;
	const struct chg_graph *g;
	const struct chg_policy *policy;
	char **prefixes;          /* directories of the change paths; "" is
				     the whole tree */
	size_t nprefixes;
	git_oid *ids;             /* per commit, nprefixes directory ids
				     (zero: absent) */
	unsigned char *have_ids;  /* per commit: ids read */
	git_odb_object *raw[RAW_TREES];
	size_t raw_next;
	struct chg_buf path;
	/* the commit being compared */
	size_t at;
	chg_treediff_fn fn;
	void *payload;
	/* what each commit compared so far changed, kept for the next reader
	   of the same history: per commit, its files are
	   files[first[i] .. first[i] + count[i]); count[i] == NONE: not
	   kept */
	struct kept_file {
		char *path;
		git_oid old, new;
		unsigned int has_old : 1, has_new : 1;
	} *files;
	size_t nfiles, alloc_files;
	size_t *first, *count;
};

/* No files kept for a commit. */
#define NONE ((size_t)-1)

static int is_glob_char(char c)
{
	return c == '*' || c == '?' || c == '[' || c == '\\' || c == '{';
}

/* The directories the change paths name before their first wildcard,
 * none inside another; "" (the whole tree) when a path starts with one. */
static int make_prefixes(struct chg_treediff *d)
{
	struct chg_strlist dirs = CHG_STRLIST_INIT;
	struct chg_buf b = CHG_BUF_INIT;
	size_t i, j, k;
	int error = 0;

	for (i = 0; i < d->policy->npaths && !error; i++) {
		const char *g = d->policy->paths[i], *slash;
		chg_buf_clear(&b);
		while ((slash = strchr(g, '/'))) {
			const char *q;
			for (q = g; q < slash && !is_glob_char(*q); q++)
				;
			if (q < slash || slash == g)
				break;
			if ((b.len && chg_buf_putc(&b, '/') < 0) ||
			    chg_buf_put(&b, g, (size_t)(slash - g)) < 0) {
				error = CHG_ENOMEM;
				break;
			}
			g = slash + 1;
		}
		if (!error)
			error = chg_strlist_add(&dirs, b.ptr);
	}
	chg_buf_release(&b);
	chg_strlist_sort(&dirs);
	/* sorted: a directory comes before those inside it */
	for (i = 0; i < dirs.n && !error; i++) {
		const char *dir = dirs.items[i];
		for (j = 0; j < d->nprefixes; j++) {
			k = strlen(d->prefixes[j]);
			if (!k || !strcmp(d->prefixes[j], dir) ||
			    (!strncmp(d->prefixes[j], dir, k) && dir[k] == '/'))
				break;
		}
		if (j < d->nprefixes)
			continue;
		if (!(d->prefixes[d->nprefixes] = strdup(dir)))
			error = CHG_ENOMEM;
		else
			d->nprefixes++;
	}
	chg_strlist_release(&dirs);
	return error;
}

int chg_treediff_new(struct chg_treediff **out, git_repository *repo,
		     const struct chg_graph *graph,
		     const struct chg_policy *policy)
{
	struct chg_treediff *d = calloc(1, sizeof(*d));
	size_t i;
	int error;

	*out = NULL;
	if (!d)
		return CHG_ENOMEM;
	d->repo = repo;
	d->g = graph;
	d->policy = policy;
	chg_buf_init(&d->path);
	if (git_repository_odb(&d->odb, repo) < 0) {
		free(d);
		return CHG_EGIT;
	}
	if (!(d->prefixes = calloc(policy->npaths + 1, sizeof(*d->prefixes))) ||
	    !(d->have_ids = calloc(graph->n + 1, 1))) {
		chg_treediff_free(d);
		return CHG_ENOMEM;
	}
	if ((error = make_prefixes(d)) < 0) {
		chg_treediff_free(d);
		return error;
	}
	if (!(d->ids = calloc(graph->n * d->nprefixes + 1, sizeof(*d->ids))) ||
	    !(d->first = calloc(graph->n + 1, sizeof(*d->first))) ||
	    !(d->count = malloc((graph->n + 1) * sizeof(*d->count)))) {
		chg_treediff_free(d);
		return CHG_ENOMEM;
	}
	for (i = 0; i < graph->n; i++)
		d->count[i] = NONE;
	*out = d;
	return 0;
}

void chg_treediff_free(struct chg_treediff *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; d->prefixes && i < d->nprefixes; i++)
		free(d->prefixes[i]);
	free(d->prefixes);
	free(d->ids);
	free(d->have_ids);
	for (i = 0; i < d->nfiles; i++)
		free(d->files[i].path);
	free(d->files);
	free(d->first);
	free(d->count);
	for (i = 0; i < RAW_TREES; i++)
		git_odb_object_free(d->raw[i]);
	git_odb_free(d->odb);
	chg_buf_release(&d->path);
	free(d);
}

/* ---- raw trees ---- */

/* One entry of a raw tree object: "<octal mode> <name>\0<20-byte id>". */
struct raw_entry {
	unsigned int mode;
	const char *name;         /* not NUL-terminated in general: len */
	size_t len;
	const unsigned char *id;
};

static int raw_is_dir(const struct raw_entry *e)
{
	return e->mode == GIT_FILEMODE_TREE;
}

static int raw_is_file(const struct raw_entry *e)
{
	return e->mode == GIT_FILEMODE_BLOB || e->mode == GIT_FILEMODE_BLOB_EXECUTABLE ||
	       e->mode == GIT_FILEMODE_LINK;
}

/* Reads the entry at *p (before `end`) and advances; 0 at the end (or at
 * a malformed entry: the rest is not read). */
static int raw_next(struct raw_entry *e, const unsigned char **p,
		    const unsigned char *end)
{
	const unsigned char *sp, *nul, *q;

	if (*p >= end || !(sp = memchr(*p, ' ', (size_t)(end - *p))) ||
	    !(nul = memchr(sp + 1, '\0', (size_t)(end - sp - 1))) ||
	    end - nul < GIT_OID_RAWSZ + 1)
		return 0;
	for (e->mode = 0, q = *p; q < sp && *q >= '0' && *q <= '7'; q++)
		e->mode = e->mode * 8 + (unsigned int)(*q - '0');
	e->name = (const char *)sp + 1;
	e->len = (size_t)(nul - sp - 1);
	e->id = nul + 1;
	*p = nul + 1 + GIT_OID_RAWSZ;
	return 1;
}

/* Tree order, as git sorts entries: a directory as if its name ended
 * in '/'. */
static int raw_cmp(const struct raw_entry *x, const struct raw_entry *y)
{
	size_t len = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, len), cx, cy;

	if (c)
		return c;
	cx = x->len > len ? (unsigned char)x->name[len] : raw_is_dir(x) ? '/' : 0;
	cy = y->len > len ? (unsigned char)y->name[len] : raw_is_dir(y) ? '/' : 0;
	return cx < cy ? -1 : cx > cy;
}

/*
 * The raw tree object `id` (free with git_odb_object_free).  The last
 * RAW_TREES trees read are kept: the old side of a commit's difference is
 * usually the new side of the previous commit that touched the directory.
 */
static int raw_tree(git_odb_object **out, struct chg_treediff *d, const git_oid *id)
{
	git_odb_object *obj;
	size_t i;

	for (i = 0; i < RAW_TREES; i++)
		if (d->raw[i] && git_oid_equal(git_odb_object_id(d->raw[i]), id))
			return git_odb_object_dup(out, d->raw[i]) < 0 ? CHG_EGIT : 0;
	if (git_odb_read(&obj, d->odb, id) < 0)
		return CHG_EGIT;
	if (git_odb_object_type(obj) != GIT_OBJECT_TREE) {
		git_odb_object_free(obj);
		git_error_set_str(GIT_ERROR_OBJECT, "a tree entry is not a tree");
		return CHG_EGIT;
	}
	git_odb_object_free(d->raw[d->raw_next]);
	d->raw[d->raw_next] = obj;
	d->raw_next = (d->raw_next + 1) % RAW_TREES;
	return git_odb_object_dup(out, obj) < 0 ? CHG_EGIT : 0;
}

/*
 * Finds the entry `name` (`len` bytes) in the raw tree `obj`: its id into
 * *out and its mode into *mode.  Returns 1 when found, else 0.
 */
static int raw_find(git_oid *out, unsigned int *mode, git_odb_object *obj,
		    const char *name, size_t len)
{
	const unsigned char *p = git_odb_object_data(obj);
	const unsigned char *end = p + git_odb_object_size(obj);
	struct raw_entry e;

	while (raw_next(&e, &p, end))
		if (e.len == len && !memcmp(e.name, name, len)) {
			*mode = e.mode;
			git_oid_fromraw(out, e.id);
			return 1;
		}
	return 0;
}

/*
 * The entry at `path` ("a/b/c") under the tree `tree`: its id into *out
 * and its mode into *mode (0 and a zero id when there is none).
 */
static int entry_at(git_oid *out, unsigned int *mode, struct chg_treediff *d,
		    const git_oid *tree, const char *path)
{
	git_oid cur;
	unsigned int m = GIT_FILEMODE_TREE;

	git_oid_cpy(&cur, tree);
	while (*path) {
		const char *slash = strchr(path, '/');
		size_t len = slash ? (size_t)(slash - path) : strlen(path);
		git_odb_object *obj;
		int found, error;

		if (m != GIT_FILEMODE_TREE)
			goto absent;
		if ((error = raw_tree(&obj, d, &cur)) < 0)
			return error;
		found = raw_find(&cur, &m, obj, path, len);
		git_odb_object_free(obj);
		if (!found)
			goto absent;
		path += len + (slash != NULL);
	}
	git_oid_cpy(out, &cur);
	*mode = m;
	return 0;
absent:
	memset(out, 0, sizeof(*out));
	*mode = 0;
	return 0;
}

/* ---- the change directories of a commit ---- */

static const git_oid *ids_of(struct chg_treediff *d, size_t i, int *error)
{
	git_oid *out = &d->ids[i * d->nprefixes];
	const struct chg_graph_commit *c = &d->g->commits[i];
	size_t p, first;
	unsigned int mode;

	*error = 0;
	if (d->have_ids[i])
		return out;
	first = chg_graph_parent(d->g, i, 0);
	if (first != CHG_GRAPH_NONE && d->have_ids[first] &&
	    git_oid_equal(&c->tree, &d->g->commits[first].tree)) {
		/* the same tree as the first parent's (an empty commit) */
		memcpy(out, &d->ids[first * d->nprefixes],
		       d->nprefixes * sizeof(*out));
	} else {
		for (p = 0; p < d->nprefixes; p++) {
			if ((*error = entry_at(&out[p], &mode, d, &c->tree,
					       d->prefixes[p])) < 0)
				return NULL;
			if (mode != GIT_FILEMODE_TREE)
				memset(&out[p], 0, sizeof(out[p]));
		}
	}
	d->have_ids[i] = 1;
	return out;
}

size_t chg_treediff_ndirs(const struct chg_treediff *d)
{
	return d->nprefixes;
}

const char *chg_treediff_dir(const struct chg_treediff *d, size_t k)
{
	return k < d->nprefixes ? d->prefixes[k] : NULL;
}

int chg_treediff_dir_ids(const git_oid **out, struct chg_treediff *d, size_t i)
{
	int error;

	*out = ids_of(d, i, &error);
	return *out ? 0 : error;
}

int chg_treediff_touches(int *out, struct chg_treediff *d, size_t i)
{
	const struct chg_graph_commit *c = &d->g->commits[i];
	const git_oid *own, *theirs;
	size_t size = d->nprefixes * sizeof(git_oid), p, k;
	int error;

	*out = 0;
	if (!(own = ids_of(d, i, &error)))
		return error;
	if (chg_graph_parent(d->g, i, 0) == CHG_GRAPH_NONE) {
		/* against the empty tree */
		for (p = 0; p < d->nprefixes; p++)
			*out |= !git_oid_is_zero(&own[p]);
		if (!*out)
			return 0;
	}
	for (k = 0; k < c->nparents; k++) {
		size_t parent = chg_graph_parent(d->g, i, (unsigned int)k);
		if (parent == CHG_GRAPH_NONE)
			continue;
		if (!(theirs = ids_of(d, parent, &error)))
			return error;
		if (!memcmp(own, theirs, size)) {
			*out = 0;  /* as a parent has it: nothing new */
			return 0;
		}
	}
	*out = 1;
	return 0;
}

/* ---- the files ---- */

/* Whether the file at `path` is, in a parent after the first, what it is
 * in the commit (`blob`, NULL: absent). */
static int same_in_other_parent(int *out, struct chg_treediff *d,
				const char *path, const git_oid *blob)
{
	const struct chg_graph_commit *c = &d->g->commits[d->at];
	unsigned int k, mode;
	git_oid id;
	int error;

	*out = 0;
	for (k = 1; k < c->nparents && !*out; k++) {
		size_t parent = chg_graph_parent(d->g, d->at, k);
		int file;
		if (parent == CHG_GRAPH_NONE)
			continue;
		if ((error = entry_at(&id, &mode, d, &d->g->commits[parent].tree,
				      path)) < 0)
			return error;
		file = mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE ||
		       mode == GIT_FILEMODE_LINK;
		*out = blob ? file && git_oid_equal(&id, blob) : !file;
	}
	return 0;
}

/* Keeps the file of the commit being compared, for a later reader. */
static int keep(struct chg_treediff *d, const char *path, const git_oid *old,
		const git_oid *new)
{
	struct kept_file *f;

	if (d->nfiles == d->alloc_files) {
		size_t n = d->alloc_files ? 2 * d->alloc_files : 64;
		if (!(f = realloc(d->files, n * sizeof(*f))))
			return CHG_ENOMEM;
		d->files = f;
		d->alloc_files = n;
	}
	f = &d->files[d->nfiles];
	memset(f, 0, sizeof(*f));
	if (!(f->path = strdup(path)))
		return CHG_ENOMEM;
	if ((f->has_old = old != NULL))
		git_oid_cpy(&f->old, old);
	if ((f->has_new = new != NULL))
		git_oid_cpy(&f->new, new);
	d->nfiles++;
	return 0;
}

static int on_file(struct chg_treediff *d, const git_oid *old, const git_oid *new)
{
	int same, error;

	if (!chg_policy_is_change_path(d->policy, d->path.ptr))
		return 0;
	if (d->g->commits[d->at].nparents > 1) {
		if ((error = same_in_other_parent(&same, d, d->path.ptr, new)) < 0)
			return error;
		if (same)
			return 0;
	}
	return keep(d, d->path.ptr, old, new) < 0 ? CHG_ENOMEM :
	       d->fn(d->path.ptr, old, new, d->payload);
}

/*
 * Reports each file that differs between the trees `o` and `n` (NULL or
 * zero: empty) under d->path (empty, or a directory with a final '/'),
 * descending only into directories whose ids differ.
 */
static int diff_trees(struct chg_treediff *d, const git_oid *o, const git_oid *n,
		      int depth)
{
	git_odb_object *ot = NULL, *nt = NULL;
	const unsigned char *op = NULL, *oend = NULL, *np = NULL, *nend = NULL;
	struct raw_entry x, y;
	struct chg_buf *path = &d->path;
	int hx, hy, error = 0;
	size_t mark = path->len;

	if (depth > MAX_DEPTH) {
		struct chg_buf msg = CHG_BUF_INIT;
		chg_buf_printf(&msg, "directories nested more than %d deep under '%s'",
			       MAX_DEPTH, d->path.ptr);
		git_error_set_str(GIT_ERROR_INVALID, msg.ptr ? msg.ptr : "directories nested too deep");
		chg_buf_release(&msg);
		return CHG_EGIT;
	}
	if (o && git_oid_is_zero(o))
		o = NULL;
	if (n && git_oid_is_zero(n))
		n = NULL;
	if ((o && (error = raw_tree(&ot, d, o)) < 0) ||
	    (n && (error = raw_tree(&nt, d, n)) < 0))
		goto cleanup;
	if (ot) {
		op = git_odb_object_data(ot);
		oend = op + git_odb_object_size(ot);
	}
	if (nt) {
		np = git_odb_object_data(nt);
		nend = np + git_odb_object_size(nt);
	}
	hx = op && raw_next(&x, &op, oend);
	hy = np && raw_next(&y, &np, nend);
	while ((hx || hy) && !error) {
		int c = !hx ? 1 : !hy ? -1 : raw_cmp(&x, &y);
		const struct raw_entry *e = c <= 0 ? &x : &y;
		git_oid xid, yid;

		if (c <= 0)
			git_oid_fromraw(&xid, x.id);
		if (c >= 0)
			git_oid_fromraw(&yid, y.id);
		if (c || !git_oid_equal(&xid, &yid)) {
			if ((error = chg_buf_put(path, e->name, e->len)) < 0)
				break;
			/* same names sort apart when one is a directory: c == 0
			   is two directories or two non-directories */
			if (raw_is_dir(e)) {
				if ((error = chg_buf_putc(path, '/')) == 0)
					error = diff_trees(d, c <= 0 ? &xid : NULL,
							   c >= 0 ? &yid : NULL, depth + 1);
			} else if (c == 0) {
				/* a submodule on either side: only a file counts */
				if (raw_is_file(&x) || raw_is_file(&y))
					error = on_file(d, raw_is_file(&x) ? &xid : NULL,
							raw_is_file(&y) ? &yid : NULL);
			} else if (raw_is_file(e)) {
				error = on_file(d, c < 0 ? &xid : NULL, c > 0 ? &yid : NULL);
			}
			path->len = mark;
			path->ptr[mark] = '\0';
		}
		if (c <= 0)
			hx = raw_next(&x, &op, oend);
		if (c >= 0)
			hy = raw_next(&y, &np, nend);
	}
cleanup:
	git_odb_object_free(ot);
	git_odb_object_free(nt);
	return error;
}

int chg_treediff_commit(struct chg_treediff *d, size_t i, chg_treediff_fn fn,
			void *payload)
{
	const git_oid *own, *first = NULL;
	size_t p, k, start, parent = chg_graph_parent(d->g, i, 0);
	int error = 0;

	if (d->count[i] != NONE) {
		/* compared before: what it changed was kept */
		for (k = 0; k < d->count[i] && !error; k++) {
			const struct kept_file *f = &d->files[d->first[i] + k];
			error = fn(f->path, f->has_old ? &f->old : NULL,
				   f->has_new ? &f->new : NULL, payload);
		}
		return error;
	}
	if (!(own = ids_of(d, i, &error)))
		return error;
	if (parent != CHG_GRAPH_NONE && !(first = ids_of(d, parent, &error)))
		return error;
	d->at = i;
	d->fn = fn;
	d->payload = payload;
	start = d->nfiles;
	for (p = 0; p < d->nprefixes; p++) {
		if (first && git_oid_equal(&own[p], &first[p]))
			continue;
		chg_buf_clear(&d->path);
		if (chg_buf_puts(&d->path, "") < 0 ||
		    (*d->prefixes[p] && chg_buf_printf(&d->path, "%s/", d->prefixes[p]) < 0)) {
			error = CHG_ENOMEM;
			break;
		}
		if ((error = diff_trees(d, first ? &first[p] : NULL, &own[p], 0)) != 0)
			break;
	}
	if (!error) {
		d->first[i] = start;
		d->count[i] = d->nfiles - start;
		return 0;
	}
	/* a comparison that stopped keeps nothing */
	while (d->nfiles > start)
		free(d->files[--d->nfiles].path);
	return error;
}
