#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "error.h"
#include "new.h"
#include "pattern.h"
#include "process.h"
#include "repo.h"
#include "templates.h"
#include "banned.h"

/* The largest change request file whose id field is read. */
#define NEW_READ_MAX (1024 * 1024)

/* The most digits of an id number (fits an unsigned long long). */
#define NEW_MAX_DIGITS 18

const char *const chg_new_types[] = { "standard", "normal", "emergency", NULL };

int chg_new_template(const char **out, size_t *len, const char *type)
{
	if (!strcmp(type, "standard")) {
		*out = chg_template_standard;
		*len = chg_template_standard_len;
	} else if (!strcmp(type, "normal")) {
		*out = chg_template_normal;
		*len = chg_template_normal_len;
	} else if (!strcmp(type, "emergency")) {
		*out = chg_template_emergency;
		*len = chg_template_emergency_len;
	} else {
		return CHG_ENOTFOUND;
	}
	return 0;
}

/* How ids are made: a literal prefix and a number of at least `width`
 * digits. */
struct id_form {
	struct chg_buf prefix;
	int width;
	unsigned long long max; /* the highest number taken */
	int any;                /* one was taken */
};

/*
 * Reads the id-pattern `re` as ^PREFIX[0-9]{N,} (also \d, {N}, {N,M}, +)
 * into `form`.  Returns 0, CHG_EINVALID when it has another shape,
 * CHG_ENOMEM.
 */
static int parse_id_pattern(struct id_form *form, const char *re)
{
	const char *p = re;
	int error;

	if (*p++ != '^')
		return CHG_EINVALID;
	for (;;) {
		if (!strncmp(p, "[0-9]", 5)) {
			p += 5;
			break;
		}
		if (!strncmp(p, "\\d", 2)) {
			p += 2;
			break;
		}
		if (*p == '\\' && p[1] && ispunct((unsigned char)p[1])) {
			p++;
		} else if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' &&
			   *p != ':' && *p != '/') {
			return CHG_EINVALID;
		}
		if ((error = chg_buf_putc(&form->prefix, *p++)) < 0)
			return error;
	}
	if (*p == '{') {
		char *end;
		long w = strtol(p + 1, &end, 10);

		if (end == p + 1 || w < 1 || w > NEW_MAX_DIGITS ||
		    (*end != '}' && *end != ','))
			return CHG_EINVALID;
		form->width = (int)w;
	} else {
		form->width = 1; /* `+`, or one digit */
	}
	return 0;
}

/* Takes the number of `id` (`len` bytes) when it has the form's shape. */
static void take_id(struct id_form *form, const char *id, size_t len)
{
	unsigned long long n = 0;
	size_t i;

	if (len <= form->prefix.len || len - form->prefix.len > NEW_MAX_DIGITS ||
	    memcmp(id, form->prefix.ptr, form->prefix.len))
		return;
	for (i = form->prefix.len; i < len; i++) {
		if (!isdigit((unsigned char)id[i]))
			return;
		n = n * 10 + (unsigned long long)(id[i] - '0');
	}
	if (!form->any || n > form->max)
		form->max = n;
	form->any = 1;
}

/*
 * Takes the value of the top-level `field:` lines of `buf` (a plain or
 * quoted scalar; a comment after it is ignored).  The file need not be
 * valid YAML: an id it names is taken all the same.
 */
static void take_id_field(struct id_form *form, const char *field,
			  const char *buf, size_t len)
{
	size_t flen = strlen(field);
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *v, *e;

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > flen && !memcmp(p, field, flen) &&
		    p[flen] == ':') {
			v = p + flen + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			if (v < eol && (*v == '"' || *v == '\'')) {
				e = memchr(v + 1, *v, (size_t)(eol - v - 1));
				if (e)
					take_id(form, v + 1, (size_t)(e - v - 1));
			} else {
				e = v;
				while (e < eol && *e != ' ' && *e != '\t' &&
				       *e != '\r' && *e != '#')
					e++;
				take_id(form, v, (size_t)(e - v));
			}
		}
		p = eol + 1;
	}
}

static int is_change(const char *path, void *payload)
{
	return chg_policy_is_change_path(payload, path);
}

/* Takes the ids of every change request file of `src`: file names and id
 * fields. */
static int scan_source(struct id_form *form, struct chg_buf *err,
		       const struct chg_source *src,
		       const struct chg_policy *policy)
{
	struct chg_strlist paths = CHG_STRLIST_INIT;
	struct chg_buf content = CHG_BUF_INIT;
	size_t i, size;
	int error;

	if ((error = chg_source_list(&paths, src, is_change, (void *)policy)) < 0) {
		chg_buf_printf(err, "cannot list the change requests: %s",
			       error == CHG_EGIT && git_error_last() ?
			       git_error_last()->message : chg_error_str(error));
		goto cleanup;
	}
	for (i = 0; i < paths.n; i++) {
		const char *base = strrchr(paths.items[i], '/');
		const char *dot;

		base = base ? base + 1 : paths.items[i];
		dot = strrchr(base, '.');
		take_id(form, base, dot ? (size_t)(dot - base) : strlen(base));
		chg_buf_clear(&content);
		if (chg_source_read(&content, &size, src, paths.items[i],
				    NEW_READ_MAX) == 0)
			take_id_field(form, policy->id_field, content.ptr,
				      content.len);
	}
	error = 0;
cleanup:
	chg_buf_release(&content);
	chg_strlist_release(&paths);
	return error;
}

static int is_scanned_ref(const char *name)
{
	return !strncmp(name, "refs/heads/", 11) ||
	       !strncmp(name, "refs/remotes/", 13);
}

/* The trees already scanned, by id: refs often share them. */
struct seen {
	git_oid *items;
	size_t n, alloc;
};

/* Adds `id`: returns 0, 1 when it was there already, or CHG_ENOMEM. */
static int seen_add(struct seen *s, const git_oid *id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (git_oid_equal(&s->items[i], id))
			return 1;
	if (s->n == s->alloc) {
		size_t alloc = s->alloc ? s->alloc * 2 : 16;
		git_oid *items = realloc(s->items, alloc * sizeof(*items));

		if (!items)
			return CHG_ENOMEM;
		s->items = items;
		s->alloc = alloc;
	}
	git_oid_cpy(&s->items[s->n++], id);
	return 0;
}

static int scan_commit(struct id_form *form, struct chg_buf *err,
		       struct seen *seen, struct chg_workspace *ws,
		       git_reference *ref)
{
	struct chg_source src;
	git_object *commit = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int error;

	/* A ref that is not a commit (a tag of a blob) holds no change. */
	if (git_reference_peel(&commit, ref, GIT_OBJECT_COMMIT) < 0) {
		git_error_clear();
		return 0;
	}
	error = seen_add(seen, git_commit_tree_id((git_commit *)commit));
	if (error)
		goto cleanup;
	git_oid_tostr(hex, sizeof(hex), git_object_id(commit));
	if ((error = chg_source_open(&src, ws->repo, CHG_SOURCE_TREE, hex)) < 0) {
		chg_buf_printf(err, "cannot read the tree of %s: %s",
			       git_reference_name(ref),
			       git_error_last() ? git_error_last()->message :
			       chg_error_str(error));
		goto cleanup;
	}
	error = scan_source(form, err, &src, ws->policy);
	chg_source_release(&src);
cleanup:
	git_object_free(commit);
	return error < 0 ? error : 0;
}

static int scan_refs(struct id_form *form, struct chg_buf *err,
		     struct chg_workspace *ws)
{
	struct seen seen = { NULL, 0, 0 };
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	int error;

	if (git_repository_head(&ref, ws->repo) == 0) {
		error = scan_commit(form, err, &seen, ws, ref);
		git_reference_free(ref);
		ref = NULL;
		if (error < 0)
			goto cleanup;
	}
	git_error_clear();
	if (git_reference_iterator_new(&it, ws->repo) < 0) {
		error = CHG_EGIT;
		chg_buf_printf(err, "cannot list the refs: %s",
			       git_error_last()->message);
		goto cleanup;
	}
	while ((error = git_reference_next(&ref, it)) == 0) {
		if (is_scanned_ref(git_reference_name(ref)))
			error = scan_commit(form, err, &seen, ws, ref);
		git_reference_free(ref);
		ref = NULL;
		if (error < 0)
			goto cleanup;
	}
	if (error != GIT_ITEROVER) {
		error = CHG_EGIT;
		chg_buf_printf(err, "cannot list the refs: %s",
			       git_error_last() ? git_error_last()->message :
			       "unknown error");
		goto cleanup;
	}
	error = 0;
cleanup:
	git_reference_iterator_free(it);
	free(seen.items);
	return error;
}

int chg_new_next_id(struct chg_buf *out, struct chg_buf *err,
		    struct chg_workspace *ws)
{
	struct id_form form = { CHG_BUF_INIT, 0, 0, 0 };
	struct chg_source index;
	const struct chg_pattern *re = ws->policy->id_pattern;
	size_t start = out->len;
	int error, index_open = 0, m;

	if (!re) {
		error = CHG_EINVALID;
		chg_buf_puts(err, "the policy has no changes.id-pattern to make an id from");
		goto cleanup;
	}
	if ((error = parse_id_pattern(&form, chg_pattern_source(re))) < 0) {
		if (error == CHG_EINVALID)
			chg_buf_printf(err, "cannot make an id from the id-pattern '%s': "
				       "it is not a prefix and a number ('^CHG-[0-9]{4,}$')",
				       chg_pattern_source(re));
		goto cleanup;
	}
	if (!ws->repo || !ws->src_open) {
		error = CHG_ENOTFOUND;
		chg_buf_puts(err, "no repository");
		goto cleanup;
	}
	if ((error = scan_refs(&form, err, ws)) < 0)
		goto cleanup;
	if ((error = chg_source_open(&index, ws->repo, CHG_SOURCE_INDEX, NULL)) < 0) {
		chg_buf_printf(err, "cannot read the index: %s",
			       git_error_last() ? git_error_last()->message :
			       chg_error_str(error));
		goto cleanup;
	}
	index_open = 1;
	if ((error = scan_source(&form, err, &index, ws->policy)) < 0)
		goto cleanup;
	if (ws->src.kind == CHG_SOURCE_WORKTREE &&
	    (error = scan_source(&form, err, &ws->src, ws->policy)) < 0)
		goto cleanup;
	if (form.any && form.max >= 999999999999999999ULL) {
		error = CHG_ELIMIT;
		chg_buf_puts(err, "every id number is taken");
		goto cleanup;
	}
	if ((error = chg_buf_printf(out, "%s%0*llu", form.prefix.ptr, form.width,
				    form.any ? form.max + 1 : 1ULL)) < 0)
		goto cleanup;
	m = chg_pattern_match(re, out->ptr + start, out->len - start);
	if (m != 1) {
		error = m < 0 ? m : CHG_EINVALID;
		chg_buf_printf(err, "the next id '%s' does not match the policy's id-pattern '%s'",
			       out->ptr + start, chg_pattern_source(re));
		goto cleanup;
	}
	error = 0;
cleanup:
	if (error < 0 && out->len > start) {
		out->len = start;
		out->ptr[start] = '\0';
	}
	if (index_open)
		chg_source_release(&index);
	chg_buf_release(&form.prefix);
	return error;
}

/* Whether `path` is a safe file name component: no '/', not "." nor
 * "..", not empty. */
static int is_component(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

int chg_new_path(struct chg_buf *out, struct chg_buf *err,
		 const struct chg_policy *policy, const char *id,
		 const char *client)
{
	struct chg_buf base = CHG_BUF_INIT;
	const char *glob = policy->npaths ? policy->paths[0] : "", *p, *slash;
	size_t start = out->len;
	int error;

	/* The directories of the glob before its first wildcard. */
	for (p = glob; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
		if (strcspn(p, "*?[\\") < (size_t)(slash - p))
			break;
		if ((error = chg_buf_put(&base, p, (size_t)(slash - p + 1))) < 0)
			goto cleanup;
	}
	error = CHG_EINVALID;
	if (client && is_component(client)) {
		if ((error = chg_buf_printf(out, "%s%s/%s.yaml", base.ptr, client, id)) < 0)
			goto cleanup;
		if (chg_policy_is_change_path(policy, out->ptr + start)) {
			error = 0;
			goto cleanup;
		}
		out->len = start;
		out->ptr[start] = '\0';
	}
	if ((error = chg_buf_printf(out, "%s%s.yaml", base.ptr, id)) < 0)
		goto cleanup;
	if (chg_policy_is_change_path(policy, out->ptr + start)) {
		error = 0;
		goto cleanup;
	}
	error = CHG_EINVALID;
	chg_buf_printf(err, "cannot place %s: '%s' does not match the policy's changes.paths",
		       id, out->ptr + start);
	out->len = start;
	out->ptr[start] = '\0';
cleanup:
	chg_buf_release(&base);
	return error;
}

/*
 * Whether `s` reads back as the same string when written plain after
 * "key: " or inside a flow sequence (`flow`).
 */
static int is_plain(const char *s, int flow)
{
	static const char *const words[] = {
		"~", "null", "Null", "NULL", "true", "True", "TRUE", "false",
		"False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on",
		"On", "ON", "off", "Off", "OFF", NULL
	};
	size_t i, len = strlen(s);
	char *end;

	if (!len || s[0] == ' ' || s[len - 1] == ' ' ||
	    strchr("-?:,[]{}#&*!|>'\"%@`<", s[0]))
		return 0;
	for (i = 0; words[i]; i++)
		if (!strcmp(s, words[i]))
			return 0;
	(void)strtod(s, &end);
	if (*end == '\0')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return 0;
		if ((c == ':' || c == '#') &&
		    (i + 1 == len || s[i + 1] == ' ' || (c == '#' && i && s[i - 1] == ' ')))
			return 0;
		if (c == ' ' && s[i + 1] == '#')
			return 0;
		if (flow && strchr(",[]{}", c))
			return 0;
	}
	return 1;
}

/* Appends `s` as a YAML scalar: plain when it can be, else double-quoted. */
static int put_scalar(struct chg_buf *out, const char *s, int flow)
{
	const unsigned char *p;
	int error;

	if (is_plain(s, flow))
		return chg_buf_puts(out, s);
	if ((error = chg_buf_putc(out, '"')) < 0)
		return error;
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			error = chg_buf_printf(out, "\\%c", *p);
		else if (*p == '\n')
			error = chg_buf_puts(out, "\\n");
		else if (*p == '\t')
			error = chg_buf_puts(out, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			error = chg_buf_printf(out, "\\x%02x", *p);
		else
			error = chg_buf_putc(out, (char)*p);
		if (error < 0)
			return error;
	}
	return chg_buf_putc(out, '"');
}

/* The value to write for the top-level key `key`, into `val`; 1 when the
 * options replace it, 0 when the line stays, < 0 on error. */
static int new_value(struct chg_buf *val, const char *key, size_t klen,
		     const char *id, const struct chg_new_options *opts)
{
	size_t i;
	int error;

#define KEY_IS(k) (klen == strlen(k) && !memcmp(key, k, klen))
	if (KEY_IS("id"))
		return (error = put_scalar(val, id, 0)) < 0 ? error : 1;
	if (KEY_IS("title") && opts->title)
		return (error = put_scalar(val, opts->title, 0)) < 0 ? error : 1;
	if (KEY_IS("client") && opts->client)
		return (error = put_scalar(val, opts->client, 0)) < 0 ? error : 1;
	if (KEY_IS("requested-by") && opts->requested_by)
		return (error = put_scalar(val, opts->requested_by, 0)) < 0 ? error : 1;
	if (KEY_IS("systems") && opts->systems) {
		if ((error = chg_buf_putc(val, '[')) < 0)
			return error;
		for (i = 0; i < opts->nsystems; i++) {
			if ((i && (error = chg_buf_puts(val, ", ")) < 0) ||
			    (error = put_scalar(val, opts->systems[i], 1)) < 0)
				return error;
		}
		return (error = chg_buf_putc(val, ']')) < 0 ? error : 1;
	}
#undef KEY_IS
	return 0;
}

/* Where the comment of a template line's value starts ("  # ..."), or
 * `eol` when it has none. */
static const char *comment_start(const char *v, const char *eol)
{
	const char *p;

	for (p = v; p < eol; p++)
		if (*p == '#' && p > v && (p[-1] == ' ' || p[-1] == '\t')) {
			while (p > v && (p[-1] == ' ' || p[-1] == '\t'))
				p--;
			return p;
		}
	return eol;
}

int chg_new_render(struct chg_buf *out, const char *tmpl, size_t len,
		   const char *id, const struct chg_new_options *opts)
{
	struct chg_buf val = CHG_BUF_INIT;
	const char *p = tmpl, *end = tmpl + len;
	int error = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *colon, *v, *c;
		size_t klen, col, width;

		if (!eol)
			eol = end;
		colon = memchr(p, ':', (size_t)(eol - p));
		klen = colon ? (size_t)(colon - p) : 0;
		chg_buf_clear(&val);
		if (!colon || !klen || !(isalnum((unsigned char)*p)) ||
		    strcspn(p, " \t#") < klen || colon + 1 == eol ||
		    colon[1] != ' ' ||
		    (error = new_value(&val, p, klen, id, opts)) == 0) {
			if ((error = chg_buf_put(out, p, (size_t)(eol - p))) < 0)
				goto cleanup;
		} else if (error < 0) {
			goto cleanup;
		} else {
			v = colon + 2;
			c = comment_start(v, eol);
			if ((error = chg_buf_put(out, p, (size_t)(v - p))) < 0 ||
			    (error = chg_buf_put(out, val.ptr, val.len)) < 0)
				goto cleanup;
			if (c < eol) {
				/* keep the comment in its column when it fits */
				const char *hash = c;

				while (*hash != '#')
					hash++;
				col = (size_t)(hash - p);
				width = (size_t)(v - p) + val.len;
				if (col < width + 2)
					col = width + 2;
				for (; width < col; width++)
					if ((error = chg_buf_putc(out, ' ')) < 0)
						goto cleanup;
				if ((error = chg_buf_put(out, hash, (size_t)(eol - hash))) < 0)
					goto cleanup;
			}
		}
		if (eol < end && (error = chg_buf_putc(out, '\n')) < 0)
			goto cleanup;
		p = eol + 1;
	}
	error = 0;
cleanup:
	chg_buf_release(&val);
	return error;
}

/* git's author identity, "Name <email>", into `out`; 0 when git knows
 * one. */
static int git_identity(struct chg_buf *out, const struct chg_workspace *ws)
{
	static const char *const argv[] = { "git", "var", "GIT_AUTHOR_IDENT", NULL };
	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
	struct chg_process_status st;
	char *gt;
	int error;

	opts.dir = git_repository_workdir(ws->repo);
	error = chg_process_run(&st, out, NULL, argv, &opts);
	if (error < 0)
		return error;
	if (!st.exited || st.code || !(gt = strrchr(out->ptr, '>')))
		return CHG_ENOTFOUND;
	out->len = (size_t)(gt + 1 - out->ptr);
	out->ptr[out->len] = '\0';
	return 0;
}

/* Makes the directories of the repository-relative `path` under `top`. */
static int make_dirs(const char *top, const char *path)
{
	struct chg_buf dir = CHG_BUF_INIT;
	const char *slash;
	int error = 0;

	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		chg_buf_clear(&dir);
		if ((error = chg_buf_printf(&dir, "%s%.*s", top,
					    (int)(slash - path), path)) < 0)
			break;
		if (mkdir(dir.ptr, 0777) < 0 && errno != EEXIST) {
			error = CHG_EIO;
			break;
		}
	}
	chg_buf_release(&dir);
	return error;
}

static int write_new(const char *file, const char *buf, size_t len)
{
	size_t done = 0;
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);

	if (fd < 0)
		return CHG_EIO;
	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			unlink(file);
			errno = e;
			return CHG_EIO;
		}
		done += (size_t)n;
	}
	if (close(fd) < 0) {
		int e = errno;

		unlink(file);
		errno = e;
		return CHG_EIO;
	}
	return 0;
}

int chg_new_create(struct chg_buf *out_path, struct chg_buf *out_id,
		   struct chg_buf *err, struct chg_workspace *ws,
		   const struct chg_new_options *opts)
{
	struct chg_new_options o = *opts;
	struct chg_buf id = CHG_BUF_INIT, path = CHG_BUF_INIT, text = CHG_BUF_INIT;
	struct chg_buf ident = CHG_BUF_INIT, file = CHG_BUF_INIT;
	const char *tmpl, *top;
	size_t len;
	int error;

	if ((error = chg_new_template(&tmpl, &len, opts->type)) < 0) {
		chg_buf_printf(err, "no template for changes of type '%s'", opts->type);
		goto cleanup;
	}
	if (!ws->repo || !(top = git_repository_workdir(ws->repo))) {
		error = CHG_ENOTFOUND;
		chg_buf_puts(err, "a new change request needs a working tree");
		goto cleanup;
	}
	if ((error = chg_new_next_id(&id, err, ws)) < 0 ||
	    (error = chg_new_path(&path, err, ws->policy, id.ptr, opts->client)) < 0)
		goto cleanup;
	if (!o.requested_by && git_identity(&ident, ws) == 0)
		o.requested_by = ident.ptr;
	if ((error = chg_new_render(&text, tmpl, len, id.ptr, &o)) < 0 ||
	    (error = chg_buf_printf(&file, "%s%s", top, path.ptr)) < 0)
		goto cleanup;
	if ((error = make_dirs(top, path.ptr)) < 0 ||
	    (error = write_new(file.ptr, text.ptr, text.len)) < 0) {
		if (error == CHG_EIO)
			chg_buf_printf(err, "cannot write '%s': %s", path.ptr,
				       strerror(errno));
		goto cleanup;
	}
	if ((error = chg_buf_put(out_path, path.ptr, path.len)) < 0 ||
	    (error = chg_buf_put(out_id, id.ptr, id.len)) < 0)
		goto cleanup;
cleanup:
	chg_buf_release(&file);
	chg_buf_release(&ident);
	chg_buf_release(&text);
	chg_buf_release(&path);
	chg_buf_release(&id);
	return error;
}
