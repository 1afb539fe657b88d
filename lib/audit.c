#include "audit.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "approval.h"
#include "change.h"
#include "datetime.h"
#include "digest.h"
#include "error.h"
#include "graph.h"
#include "repo.h"
#include "signature.h"
#include "trailer.h"
#include "treediff.h"
#include "trust.h"
#include "workspace.h"
#include "yaml.h"
#include "banned.h"

/* Parsed versions kept for reuse, most recently used first. */
#define PARSED_MAX 1024

/* ---- what the walk keeps per change request ---- */

/* What the events need of a version of a change request. */
struct summary {
	char *id;                 /* NULL: the version does not load */
	char *state, *outcome, *client, *type;
	char digest[CHG_DIGEST_SIZE];
};

static void summary_release(struct summary *s)
{
	free(s->id);
	free(s->state);
	free(s->outcome);
	free(s->client);
	free(s->type);
	memset(s, 0, sizeof(*s));
}

static int summary_set(struct summary *s, const char *id, const char *digest,
		       const char *state, const char *outcome,
		       const char *client, const char *type)
{
	summary_release(s);
	if (!id)
		return 0;
	snprintf(s->digest, sizeof(s->digest), "%s", digest);
	if (!(s->id = strdup(id)) ||
	    (state && !(s->state = strdup(state))) ||
	    (outcome && !(s->outcome = strdup(outcome))) ||
	    (client && !(s->client = strdup(client))) ||
	    (type && !(s->type = strdup(type))))
		return CHG_ENOMEM;
	return 0;
}

static int summary_copy(struct summary *dst, const struct summary *src)
{
	return summary_set(dst, src->id, src->digest, src->state, src->outcome,
			   src->client, src->type);
}

/* The summary of a loaded change (none when it has no id). */
static int summary_of(struct summary *s, const struct chg_change *c)
{
	if (!c->id || !c->root)
		return summary_set(s, NULL, NULL, NULL, NULL, NULL, NULL);
	return summary_set(s, c->id, c->digest, c->state,
			   chg_node_str(chg_node_path(c->root, "review.outcome")),
			   chg_node_str(chg_node_get(c->root, "client")), c->type);
}

struct cr {
	char *id;
	char *path;               /* where it was last seen */
	git_oid blob;             /* its last version that loaded there */
	int has_blob;
	int exists;               /* not deleted since */
	size_t seen_at;           /* the walk's count of commits then */
	struct summary last;      /* of that version */
	int broken;               /* its file at `path` is not valid now */
	struct cr *path_next;     /* the chain of its path in the index */
	struct chg_approval *approvals;  /* oldest first (approval.h) */
	size_t napprovals, alloc_approvals;
	struct chg_content_edit *edits;  /* distinct editors, oldest first */
	size_t nedits, alloc_edits;
};

/* Change requests by id, and by the path where each was last seen. */
struct crmap {
	struct cr **slots;
	size_t cap, n;
	struct cr **paths;        /* chains, cap of them */
};

static size_t hash_str(const char *s)
{
	size_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct cr *crmap_find(const struct crmap *m, const char *id)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = hash_str(id) & (m->cap - 1); m->slots[i]; i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->slots[i]->id, id))
			return m->slots[i];
	return NULL;
}

static void path_link(struct crmap *m, struct cr *c)
{
	struct cr **b = &m->paths[hash_str(c->path) & (m->cap - 1)];

	c->path_next = *b;
	*b = c;
}

static void path_unlink(struct crmap *m, struct cr *c)
{
	struct cr **q;

	for (q = &m->paths[hash_str(c->path) & (m->cap - 1)]; *q; q = &(*q)->path_next)
		if (*q == c) {
			*q = c->path_next;
			break;
		}
}

/* The change request last seen at `path` with the version `blob`. */
static struct cr *path_find(const struct crmap *m, const char *path,
			    const git_oid *blob)
{
	struct cr *c;

	if (!m->cap)
		return NULL;
	for (c = m->paths[hash_str(path) & (m->cap - 1)]; c; c = c->path_next)
		if (c->has_blob && git_oid_equal(&c->blob, blob) && !strcmp(c->path, path))
			return c;
	return NULL;
}

/* Moves `c` to `path` in the index. */
static int cr_move(struct crmap *m, struct cr *c, const char *path)
{
	char *copy;

	if (c->path && !strcmp(c->path, path))
		return 0;
	if (!(copy = strdup(path)))
		return CHG_ENOMEM;
	if (c->path)
		path_unlink(m, c);
	free(c->path);
	c->path = copy;
	path_link(m, c);
	return 0;
}

static int crmap_grow(struct crmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 256, i, j;
	struct cr **slots = calloc(cap, sizeof(*slots));
	struct cr **paths = calloc(cap, sizeof(*paths));

	if (!slots || !paths) {
		free(slots);
		free(paths);
		return CHG_ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i])
			continue;
		for (j = hash_str(m->slots[i]->id) & (cap - 1); slots[j]; j = (j + 1) & (cap - 1))
			;
		slots[j] = m->slots[i];
	}
	free(m->slots);
	free(m->paths);
	m->slots = slots;
	m->paths = paths;
	m->cap = cap;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i] && m->slots[i]->path)
			path_link(m, m->slots[i]);
	return 0;
}

/* The entry for `id`, made when there is none. */
static int crmap_get(struct cr **out, struct crmap *m, const char *id)
{
	struct cr *c;
	size_t i;

	if ((*out = crmap_find(m, id)))
		return 0;
	if ((m->n + 1) * 2 > m->cap && crmap_grow(m) < 0)
		return CHG_ENOMEM;
	if (!(c = calloc(1, sizeof(*c))) || !(c->id = strdup(id))) {
		free(c);
		return CHG_ENOMEM;
	}
	for (i = hash_str(id) & (m->cap - 1); m->slots[i]; i = (i + 1) & (m->cap - 1))
		;
	m->slots[i] = c;
	m->n++;
	*out = c;
	return 0;
}

static void cr_free(struct cr *c)
{
	struct chg_history h = CHG_HISTORY_INIT;

	if (!c)
		return;
	/* the arrays are a history's; let approval.h free what they hold */
	h.approvals = c->approvals;
	h.napprovals = c->napprovals;
	h.edits = c->edits;
	h.nedits = c->nedits;
	chg_history_release(&h);
	summary_release(&c->last);
	free(c->id);
	free(c->path);
	free(c);
}

static void crmap_release(struct crmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		cr_free(m->slots[i]);
	free(m->slots);
	free(m->paths);
	memset(m, 0, sizeof(*m));
}

/* ---- parsed versions, by blob id ---- */

/*
 * The same blob is read as the new version of a file in one commit and as
 * its old version in the next commit that touches it, and again by the
 * approvals in between: each is parsed once while it stays among the
 * PARSED_MAX most recently used.
 */
struct parsed {
	git_oid blob;
	struct chg_change c;      /* c.id NULL: does not load as a change */
	int valid;                /* an id and no loader error (audit.h) */
	char *rule, *message;     /* not valid: the first error of the
				     load; rule NULL when the blob is
				     missing */
	int line, column;
	size_t refs;              /* versions holding it */
	struct parsed *newer, *older;  /* the LRU list */
	struct parsed *next;      /* the hash chain */
};

struct parsed_cache {
	struct parsed **buckets;  /* PARSED_MAX * 2 */
	struct parsed *newest, *oldest;
	size_t n;
};

static void lru_unlink(struct parsed_cache *pc, struct parsed *p)
{
	if (p->newer)
		p->newer->older = p->older;
	else
		pc->newest = p->older;
	if (p->older)
		p->older->newer = p->newer;
	else
		pc->oldest = p->newer;
	p->newer = p->older = NULL;
}

static void lru_push(struct parsed_cache *pc, struct parsed *p)
{
	p->older = pc->newest;
	p->newer = NULL;
	if (pc->newest)
		pc->newest->newer = p;
	pc->newest = p;
	if (!pc->oldest)
		pc->oldest = p;
}

static void parsed_free(struct parsed *p)
{
	chg_change_release(&p->c);
	free(p->rule);
	free(p->message);
	free(p);
}

/*
 * Drops the least recently used versions, down to the cap, stopping at one
 * that is held: those are the current commit's, the most recent, and a
 * commit that touches more files than the cap may exceed it until it is
 * done.
 */
static void parsed_evict(struct parsed_cache *pc)
{
	struct parsed *p = pc->oldest, *up;

	while (pc->n > PARSED_MAX && p && !p->refs) {
		struct parsed **q;
		up = p->newer;
		for (q = &pc->buckets[chg_oid_hash(&p->blob) % (PARSED_MAX * 2)]; *q != p;
		     q = &(*q)->next)
			;
		*q = p->next;
		lru_unlink(pc, p);
		parsed_free(p);
		pc->n--;
		p = up;
	}
}

static void parsed_cache_release(struct parsed_cache *pc)
{
	struct parsed *p, *next;

	for (p = pc->newest; p; p = next) {
		next = p->older;
		parsed_free(p);
	}
	free(pc->buckets);
	memset(pc, 0, sizeof(*pc));
}

/* Gives back a version got with parsed_get.  NULL-safe. */
static void parsed_put(struct parsed *p)
{
	if (p)
		p->refs--;
}

/* ---- events of one commit, before they are sorted and passed on ---- */

/* A list of approvals an event names. */
struct refs {
	struct chg_audit_ref *items;
	size_t n, alloc;
};

static void refs_release(struct refs *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->items[i].approver);
		free(r->items[i].approver_email);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

struct pending {
	enum chg_audit_type type;
	size_t seq;
	char *change, *path, *client, *change_type, *from, *to;
	char *approver, *approver_email, *digest, *fingerprint, *outcome;
	const char *verdict;
	struct chg_strlist fields;
	int invalid, line, column;
	char *rule, *message;
	int matched, entered;
	struct refs counted, stale, current;
};

static void pending_release(struct pending *p)
{
	refs_release(&p->counted);
	refs_release(&p->stale);
	refs_release(&p->current);
	free(p->change);
	free(p->path);
	free(p->client);
	free(p->change_type);
	free(p->from);
	free(p->to);
	free(p->approver);
	free(p->approver_email);
	free(p->digest);
	free(p->fingerprint);
	free(p->outcome);
	free(p->rule);
	free(p->message);
	chg_strlist_release(&p->fields);
}

/* A version of a file in the old or new tree of a commit. */
struct version {
	char *path;
	git_oid blob;
	size_t delta;             /* the difference it comes from */
	int matched;
	int valid;                /* see struct parsed */
	struct summary s;         /* s.id NULL: does not load */
	struct parsed *p;         /* NULL until parsed: an old version the
				     walk knows is not parsed again unless
				     its fields are compared */
};

struct audit {
	git_repository *repo;
	const struct chg_policy *policy;
	const struct chg_audit_options *opts;
	chg_audit_fn fn;
	void *payload;
	struct chg_audit_stats *stats;

	const struct chg_graph *g; /* the commits, parents first */
	struct chg_treediff *diff; /* what each commit changed */

	struct crmap crs;
	struct parsed_cache parsed;
	struct chg_signature_verifier *verifier;

	/* the commit being visited */
	const struct chg_graph_commit *node;
	size_t at;                /* its index in the graph */
	git_commit *commit;       /* read when needed */
	git_tree *tree;
	int info_ready;
	struct chg_audit_commit info;
	struct chg_buf author, author_email, committer, committer_email, subject;
	struct pending *pending;
	size_t npending, alloc_pending;
	struct version *old, *new;
	size_t nold, nnew, alloc_old, alloc_new;
	size_t ndeltas;
	struct version **by_id;   /* the old versions that load, by id */
	size_t nby_id, alloc_by_id;

	iconv_t cd;               /* converts from cd_name, or (iconv_t)-1 */
	char *cd_name;
	struct chg_buf scratch;
	struct chg_diag_list diags; /* loader findings, dropped */
};

/* Records why `p` is not valid.  Returns 0 or CHG_ENOMEM. */
static int set_why(struct parsed *p, int line, int column, const char *rule,
		   const char *message)
{
	p->line = line;
	p->column = column;
	if (!(p->rule = strdup(rule)) || !(p->message = strdup(message)))
		return CHG_ENOMEM;
	return 0;
}

/*
 * Judges the load of `p` whose findings are `diags`: valid, or the first
 * error of the load, or (only the id missing) required-field at the top of
 * the document.  Returns 0 or CHG_ENOMEM.
 */
static int judge(struct parsed *p, const struct chg_diag_list *diags,
		 const struct chg_policy *policy)
{
	struct chg_buf msg = CHG_BUF_INIT;
	size_t i;
	int error;

	for (i = 0; i < diags->n; i++) {
		const struct chg_diag *d = &diags->items[i];
		if (d->severity == CHG_SEV_ERROR)
			return set_why(p, d->line, d->column, d->rule, d->message);
	}
	if (p->c.id) {
		p->valid = 1;
		return 0;
	}
	if (chg_buf_printf(&msg, "%s is required", policy->id_field) < 0)
		return CHG_ENOMEM;
	error = set_why(p, p->c.root ? p->c.root->line : 1,
			p->c.root ? p->c.root->column : 1, "required-field", msg.ptr);
	chg_buf_release(&msg);
	return error;
}

/*
 * The parsed version of `blob` (held until parsed_put).  Returns 0 or
 * CHG_ENOMEM; a blob that is missing or too large loads as nothing.
 */
static int parsed_get(struct parsed **out, struct audit *a, const git_oid *blob)
{
	struct parsed_cache *pc = &a->parsed;
	struct parsed *p;
	git_blob *b;
	size_t h = chg_oid_hash(blob) % (PARSED_MAX * 2);
	int error = 0;

	if (!pc->buckets && !(pc->buckets = calloc(PARSED_MAX * 2, sizeof(*pc->buckets))))
		return CHG_ENOMEM;
	for (p = pc->buckets[h]; p; p = p->next)
		if (git_oid_equal(&p->blob, blob)) {
			lru_unlink(pc, p);
			lru_push(pc, p);
			p->refs++;
			*out = p;
			return 0;
		}
	if (!(p = calloc(1, sizeof(*p))))
		return CHG_ENOMEM;
	git_oid_cpy(&p->blob, blob);
	if (git_blob_lookup(&b, a->repo, blob) == 0) {
		size_t size = (size_t)git_blob_rawsize(b);
		if (size <= CHG_YAML_MAX_SIZE) {
			error = chg_change_load(&p->c, "", git_blob_rawcontent(b),
						size, a->policy, &a->diags);
			if (!error)
				error = judge(p, &a->diags, a->policy);
		} else {
			chg_buf_clear(&a->scratch);
			error = chg_buf_printf(&a->scratch,
					       "file is %zu bytes, over the limit of %zu bytes",
					       size, (size_t)CHG_YAML_MAX_SIZE);
			if (!error)
				error = set_why(p, 1, 1, "file-too-large", a->scratch.ptr);
		}
		git_blob_free(b);
		chg_diag_list_release(&a->diags);
	}
	if (error < 0) {
		parsed_free(p);
		return error;
	}
	if (!p->c.id) {
		/* unusable: kept as not loading, without its tree */
		chg_change_release(&p->c);
		memset(&p->c, 0, sizeof(p->c));
	}
	p->next = pc->buckets[h];
	pc->buckets[h] = p;
	lru_push(pc, p);
	pc->n++;
	p->refs = 1;
	parsed_evict(pc);
	*out = p;
	return 0;
}

/* The version of the other side of the same difference, or NULL: the
 * versions are in the order of the differences, at most one each. */
static struct version *other_side(struct version *list, size_t n, size_t delta)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (list[mid].delta < delta)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && list[lo].delta == delta ? &list[lo] : NULL;
}

/* The summary of a version that loads, or NULL. */
static const struct summary *loaded(const struct version *v)
{
	return v && v->s.id ? &v->s : NULL;
}

/* The loaded change of a version that loads, parsed if need be. */
static int version_change(const struct chg_change **out, struct audit *a,
			  struct version *v)
{
	int error;

	if (!v->p && (error = parsed_get(&v->p, a, &v->blob)) < 0)
		return error;
	*out = &v->p->c;
	return 0;
}

/* ---- text: always valid UTF-8 ---- */

/* Appends `len` bytes at `s`, each byte that is not part of valid UTF-8
 * replaced by U+FFFD. */
static int put_utf8(struct chg_buf *out, const char *s, size_t len)
{
	size_t bad;
	int error = 0;

	while (!error && len) {
		if (chg_utf8_validate(s, len, &bad) == 0)
			return chg_buf_put(out, s, len);
		if ((error = chg_buf_put(out, s, bad)) == 0)
			error = chg_buf_puts(out, "\xef\xbf\xbd");
		s += bad + 1;
		len -= bad + 1;
	}
	return error;
}

static int is_utf8_name(const char *enc)
{
	return !strcasecmp(enc, "UTF-8") || !strcasecmp(enc, "UTF8");
}

/*
 * Appends `s` (NUL-terminated) as UTF-8: converted from `encoding` (a
 * commit's encoding header; NULL: UTF-8) when iconv knows it and the text
 * converts, else with invalid bytes replaced.
 */
static int put_text(struct audit *a, struct chg_buf *out, const char *s,
		    const char *encoding)
{
	size_t len = strlen(s), mark = out->len;

	if (encoding && !is_utf8_name(encoding)) {
		if (!a->cd_name || strcmp(a->cd_name, encoding)) {
			if (a->cd != (iconv_t)-1)
				iconv_close(a->cd);
			free(a->cd_name);
			a->cd = iconv_open("UTF-8", encoding);
			if (!(a->cd_name = strdup(encoding)))
				return CHG_ENOMEM;
		}
		if (a->cd != (iconv_t)-1) {
			char *in = (char *)s, *o;
			size_t inleft = len, outleft, rc = 0;

			iconv(a->cd, NULL, NULL, NULL, NULL);
			while (inleft) {
				if (chg_buf_grow(out, inleft * 4 + 16) < 0)
					return CHG_ENOMEM;
				o = out->ptr + out->len;
				outleft = out->alloc - out->len - 1;
				rc = iconv(a->cd, &in, &inleft, &o, &outleft);
				out->len = (size_t)(o - out->ptr);
				out->ptr[out->len] = '\0';
				if (rc == (size_t)-1 && errno != E2BIG)
					break;
			}
			if (!inleft && chg_utf8_validate(out->ptr + mark,
							 out->len - mark, NULL) == 0)
				return 0;
			out->len = mark;
			out->ptr[mark] = '\0';
		}
	}
	return put_utf8(out, s, len);
}

/* A heap copy of `s` as UTF-8 in the current commit's encoding. */
static char *dup_text(struct audit *a, const char *s, const char *encoding)
{
	chg_buf_clear(&a->scratch);
	if (!s || put_text(a, &a->scratch, s, encoding) < 0)
		return NULL;
	return strdup(a->scratch.ptr);
}

/* ---- commits and trees ---- */

static int fill_info(struct audit *a)
{
	git_commit *c = a->commit;
	const git_signature *au = git_commit_author(c);
	const git_signature *co = git_commit_committer(c);
	const char *enc = git_commit_message_encoding(c);
	const char *summary = git_commit_summary(c);
	int error = 0;

	if (a->info_ready)
		return 0;
	chg_buf_clear(&a->author);
	chg_buf_clear(&a->author_email);
	chg_buf_clear(&a->committer);
	chg_buf_clear(&a->committer_email);
	chg_buf_clear(&a->subject);
	if ((au && ((error = put_text(a, &a->author, au->name ? au->name : "", enc)) < 0 ||
		    (error = put_text(a, &a->author_email, au->email ? au->email : "", enc)) < 0)) ||
	    (co && ((error = put_text(a, &a->committer, co->name ? co->name : "", enc)) < 0 ||
		    (error = put_text(a, &a->committer_email, co->email ? co->email : "", enc)) < 0)) ||
	    (error = put_text(a, &a->subject, summary ? summary : "", enc)) < 0)
		return error;
	git_oid_cpy(&a->info.id, git_commit_id(c));
	git_oid_tostr(a->info.hex, sizeof(a->info.hex), &a->info.id);
	chg_oid_short(a->info.short_id, &a->info.id);
	a->info.author = a->author.ptr;
	a->info.author_email = a->author_email.ptr;
	a->info.author_time = au ? (int64_t)au->when.time : 0;
	a->info.author_offset = au ? au->when.offset : 0;
	a->info.committer = a->committer.ptr;
	a->info.committer_email = a->committer_email.ptr;
	a->info.committer_time = co ? (int64_t)co->when.time : 0;
	a->info.committer_offset = co ? co->when.offset : 0;
	a->info.subject = a->subject.ptr;
	a->info.parents = git_commit_parentcount(c);
	a->info_ready = 1;
	return 0;
}

static int commit_tree(struct audit *a, git_tree **out)
{
	if (!a->tree && git_tree_lookup(&a->tree, a->repo, &a->node->tree) < 0)
		return CHG_EGIT;
	*out = a->tree;
	return 0;
}

/* ---- field differences ---- */

struct keyref {
	const struct chg_pair *pair;
	size_t index;
};

static int cmp_key(const void *x, const void *y)
{
	const struct keyref *a = x, *b = y;
	const struct chg_node *ka = a->pair->key, *kb = b->pair->key;
	size_t n = ka->len < kb->len ? ka->len : kb->len;
	int c = memcmp(ka->value, kb->value, n);

	if (c)
		return c;
	if (ka->len != kb->len)
		return ka->len < kb->len ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int same_key(const struct keyref *a, const struct keyref *b)
{
	return a->pair->key->len == b->pair->key->len &&
	       !memcmp(a->pair->key->value, b->pair->key->value, a->pair->key->len);
}

/* The keys of a mapping, sorted bytewise, each once (the first). */
static int sorted_keys(struct keyref **out, size_t *n, const struct chg_node *map)
{
	struct keyref *k;
	size_t i, j = 0;

	*out = NULL;
	*n = 0;
	if (!map->n)
		return 0;
	if (!(k = malloc(map->n * sizeof(*k))))
		return CHG_ENOMEM;
	for (i = 0; i < map->n; i++) {
		k[i].pair = &map->pairs[i];
		k[i].index = i;
	}
	qsort(k, map->n, sizeof(*k), cmp_key);
	for (i = 0; i < map->n; i++)
		if (!j || !same_key(&k[j - 1], &k[i]))
			k[j++] = k[i];
	*out = k;
	*n = j;
	return 0;
}

static int skipped(const char *const *skip, const struct chg_node *key)
{
	for (; skip && *skip; skip++)
		if (strlen(*skip) == key->len && !memcmp(*skip, key->value, key->len))
			return 1;
	return 0;
}

static int add_field(struct chg_strlist *out, const struct chg_buf *path)
{
	return chg_strlist_add(out, path->len ? path->ptr : ".");
}

/*
 * Appends to `out` the dotted paths under `path` where `x` and `y` differ.
 * `skip`: top-level keys left out (the not-covered fields).
 */
static int diff_nodes(struct chg_strlist *out, struct chg_buf *path,
		      const struct chg_node *x, const struct chg_node *y,
		      const char *const *skip)
{
	size_t mark = path->len, i, j, nx, ny, n;
	struct keyref *kx = NULL, *ky = NULL;
	int error = 0;

	if (!x || !y || x->type != y->type)
		return add_field(out, path);
	switch (x->type) {
	case CHG_NODE_SCALAR:
		if (x->len != y->len || memcmp(x->value, y->value, x->len))
			return add_field(out, path);
		return 0;
	case CHG_NODE_SEQUENCE:
		n = x->n > y->n ? x->n : y->n;
		for (i = 0; i < n && !error; i++) {
			if ((error = chg_buf_printf(path, "[%zu]", i)) < 0)
				break;
			error = diff_nodes(out, path, i < x->n ? x->items[i] : NULL,
					   i < y->n ? y->items[i] : NULL, NULL);
			path->len = mark;
			path->ptr[mark] = '\0';
		}
		return error;
	case CHG_NODE_MAPPING:
		break;
	}
	if ((error = sorted_keys(&kx, &nx, x)) < 0 ||
	    (error = sorted_keys(&ky, &ny, y)) < 0)
		goto cleanup;
	for (i = j = 0; (i < nx || j < ny) && !error;) {
		const struct keyref *k;
		int c;

		if (i == nx)
			c = 1;
		else if (j == ny)
			c = -1;
		else
			c = same_key(&kx[i], &ky[j]) ? 0 : cmp_key(&kx[i], &ky[j]);
		k = c <= 0 ? &kx[i] : &ky[j];
		if (!skipped(skip, k->pair->key)) {
			if ((mark && (error = chg_buf_putc(path, '.')) < 0) ||
			    (error = chg_buf_put(path, k->pair->key->value,
						 k->pair->key->len)) < 0)
				break;
			if (c)
				error = add_field(out, path);
			else
				error = diff_nodes(out, path, kx[i].pair->value,
						   ky[j].pair->value, NULL);
			path->len = mark;
			path->ptr[mark] = '\0';
		}
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
cleanup:
	free(kx);
	free(ky);
	return error;
}

/* ---- pending events ---- */

static int dup_opt(char **out, const char *s)
{
	*out = NULL;
	if (s && !(*out = strdup(s)))
		return CHG_ENOMEM;
	return 0;
}

/* Paths may hold any bytes: as UTF-8. */
static int dup_path(struct audit *a, char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return 0;
	chg_buf_clear(&a->scratch);
	if (put_utf8(&a->scratch, s, strlen(s)) < 0 ||
	    !(*out = strdup(a->scratch.ptr)))
		return CHG_ENOMEM;
	return 0;
}

/* A new pending event about `c` (the version it is about; may be NULL). */
static int add_pending(struct pending **out, struct audit *a,
		       enum chg_audit_type type, const char *id,
		       const char *path, const struct summary *c)
{
	struct pending *p;
	int error;

	if (a->npending == a->alloc_pending) {
		size_t n = a->alloc_pending ? a->alloc_pending * 2 : 16;
		p = realloc(a->pending, n * sizeof(*p));
		if (!p)
			return CHG_ENOMEM;
		a->pending = p;
		a->alloc_pending = n;
	}
	p = &a->pending[a->npending];
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->seq = a->npending++;
	*out = p;
	if ((error = dup_opt(&p->change, id)) < 0 ||
	    (error = dup_path(a, &p->path, path)) < 0)
		return error;
	if (c && ((error = dup_opt(&p->client, c->client)) < 0 ||
		  (error = dup_opt(&p->change_type, c->type)) < 0))
		return error;
	return 0;
}

static int same_str(const char *x, const char *y)
{
	return x == y || (x && y && !strcmp(x, y));
}

/* ---- which approvals count, at the current commit ---- */

/* How many of c's edits were recorded before the current commit (the
 * commit's own come last). */
static size_t edits_before(const struct audit *a, const struct cr *c)
{
	size_t n = c->nedits;

	while (n && git_oid_equal(&c->edits[n - 1].commit, git_commit_id(a->commit)))
		n--;
	return n;
}

/*
 * chg_approval_evaluate of `change` at the current commit's time, with
 * the approvals of `c` so far and its first `nedits` edits.  Returns 0,
 * CHG_ELIMIT or CHG_ENOMEM (`res` to release when 0).
 */
static int evaluate(struct chg_approval_result *res, struct audit *a,
		    const struct cr *c, const struct chg_change *change,
		    size_t nedits)
{
	struct chg_history h = CHG_HISTORY_INIT;
	int error;

	h.approvals = c->approvals;
	h.napprovals = c->napprovals;
	h.edits = c->edits;
	h.nedits = nedits;
	error = chg_approval_evaluate(res, a->policy, change, &h,
				      (int64_t)git_commit_time(a->commit));
	if (error < 0)
		chg_approval_result_release(res);
	return error;
}

/* Whether approval `ap` counted in `res`. */
static int counted_in(const struct chg_approval_result *res,
		      const struct chg_approval *ap)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		if (res->verdicts[i].approval == ap)
			return res->verdicts[i].verdict == CHG_VERDICT_COUNTED;
	return 0;
}

static int add_ref(struct audit *a, struct refs *r, const struct chg_approval *ap)
{
	struct chg_audit_ref *ref;
	int error;

	if (r->n == r->alloc) {
		size_t n = r->alloc ? r->alloc * 2 : 4;
		ref = realloc(r->items, n * sizeof(*ref));
		if (!ref)
			return CHG_ENOMEM;
		r->items = ref;
		r->alloc = n;
	}
	ref = &r->items[r->n++];
	memset(ref, 0, sizeof(*ref));
	git_oid_tostr(ref->commit, sizeof(ref->commit), &ap->commit);
	memcpy(ref->short_id, ap->short_id, sizeof(ref->short_id));
	if ((error = dup_path(a, &ref->approver, ap->identity)) < 0)
		return error;
	return dup_path(a, &ref->approver_email, ap->email);
}

/*
 * When the event `p` about `change` goes from the state `from` to `to`
 * and so enters an approved state: marks it entered, with the approvals
 * that counted for the entry.
 */
static int entry_counted(struct audit *a, struct pending *p,
			 const struct chg_change *change, const char *from,
			 const char *to)
{
	struct chg_approval_result res;
	const struct cr *c;
	size_t i;
	int error;

	if (!chg_policy_state_needs_approval(a->policy, to) ||
	    chg_policy_state_needs_approval(a->policy, from))
		return 0;
	p->entered = 1;
	if (!change->id ||
	    !(c = crmap_find(&a->crs, change->id)) || !c->napprovals)
		return 0;
	if ((error = evaluate(&res, a, c, change, c->nedits)) < 0)
		return error == CHG_ELIMIT ? 0 : error;
	for (i = 0; i < res.n && !error; i++)
		if (res.verdicts[i].verdict == CHG_VERDICT_COUNTED)
			error = add_ref(a, &p->counted, res.verdicts[i].approval);
	chg_approval_result_release(&res);
	return error;
}

/*
 * The approvals an edit from `oc` to `nc` (the same change request) made
 * stale and made count, into the updated event `p`: judged for the old
 * content without the commit's own edits, and for the new one with them.
 */
static int edit_verdicts(struct audit *a, struct pending *p,
			 const struct chg_change *oc, const struct chg_change *nc)
{
	struct chg_approval_result before, after;
	const struct cr *c;
	size_t i;
	int error;

	if (!nc->id ||
	    !(c = crmap_find(&a->crs, nc->id)) || !c->napprovals)
		return 0;
	if ((error = evaluate(&before, a, c, oc, edits_before(a, c))) < 0)
		return error == CHG_ELIMIT ? 0 : error;
	if ((error = evaluate(&after, a, c, nc, c->nedits)) < 0) {
		chg_approval_result_release(&before);
		return error == CHG_ELIMIT ? 0 : error;
	}
	for (i = 0; i < after.n && !error; i++) {
		const struct chg_approval *ap = after.verdicts[i].approval;
		int was = counted_in(&before, ap);
		int is = after.verdicts[i].verdict == CHG_VERDICT_COUNTED;
		if (was && !is)
			error = add_ref(a, &p->stale, ap);
		else if (!was && is)
			error = add_ref(a, &p->current, ap);
	}
	chg_approval_result_release(&before);
	chg_approval_result_release(&after);
	return error;
}

/*
 * The events between two versions of one change request that load: moved,
 * updated, state, reviewed.
 */
static int compare(struct audit *a, struct version *o, struct version *n)
{
	const struct summary *os = &o->s, *ns = &n->s;
	const struct chg_change *oc, *nc;
	struct chg_buf path = CHG_BUF_INIT;
	struct pending *p;
	int error = 0;

	if (strcmp(o->path, n->path) &&
	    ((error = add_pending(&p, a, CHG_AUDIT_MOVED, ns->id, n->path, ns)) < 0 ||
	     (error = dup_path(a, &p->from, o->path)) < 0 ||
	     (error = dup_path(a, &p->to, n->path)) < 0))
		return error;
	if (strcmp(os->digest, ns->digest)) {
		if ((error = version_change(&oc, a, o)) < 0 ||
		    (error = version_change(&nc, a, n)) < 0 ||
		    (error = add_pending(&p, a, CHG_AUDIT_UPDATED, ns->id, n->path, ns)) < 0)
			return error;
		error = diff_nodes(&p->fields, &path, oc->root, nc->root,
				   a->policy->not_covered);
		chg_buf_release(&path);
		if (error < 0 || (error = edit_verdicts(a, p, oc, nc)) < 0)
			return error;
	}
	if (a->policy->state_field && !same_str(os->state, ns->state)) {
		if ((error = add_pending(&p, a, CHG_AUDIT_STATE, ns->id, n->path, ns)) < 0 ||
		    (error = dup_opt(&p->from, os->state)) < 0 ||
		    (error = dup_opt(&p->to, ns->state)) < 0 ||
		    (error = version_change(&nc, a, n)) < 0 ||
		    (error = entry_counted(a, p, nc, os->state, ns->state)) < 0)
			return error;
	}
	if (ns->outcome && !same_str(os->outcome, ns->outcome) &&
	    ((error = add_pending(&p, a, CHG_AUDIT_REVIEWED, ns->id, n->path, ns)) < 0 ||
	     (error = dup_opt(&p->outcome, ns->outcome)) < 0))
		return error;
	return 0;
}

static int created(struct audit *a, struct version *n)
{
	const struct summary *ns = &n->s;
	const struct chg_change *nc;
	struct pending *p;
	int error;

	if ((error = add_pending(&p, a, CHG_AUDIT_CREATED, ns->id, n->path, ns)) < 0 ||
	    (error = dup_opt(&p->to, ns->state)) < 0 ||
	    (error = version_change(&nc, a, n)) < 0 ||
	    (error = entry_counted(a, p, nc, NULL, ns->state)) < 0)
		return error;
	if (ns->outcome &&
	    ((error = add_pending(&p, a, CHG_AUDIT_REVIEWED, ns->id, n->path, ns)) < 0 ||
	     (error = dup_opt(&p->outcome, ns->outcome)) < 0))
		return error;
	return 0;
}

/* Remembers where the change request of summary `s` is now, and its
 * version there. */
static int cr_seen(struct audit *a, const char *path, const git_oid *blob,
		   const struct summary *s)
{
	struct cr *c;
	int error;

	if ((error = crmap_get(&c, &a->crs, s->id)) < 0 ||
	    (error = cr_move(&a->crs, c, path)) < 0 ||
	    (error = summary_copy(&c->last, s)) < 0)
		return error;
	git_oid_cpy(&c->blob, blob);
	c->has_blob = 1;
	c->exists = 1;
	c->broken = 0;
	c->seen_at = a->stats->commits;
	return 0;
}

/* ---- content edits, for separation of duties (as approval.c) ---- */

static int same_signers(const struct chg_strlist *x, const struct chg_strlist *y)
{
	size_t i;

	if (x->n != y->n)
		return 0;
	for (i = 0; i < x->n; i++)
		if (strcmp(x->items[i], y->items[i]))
			return 0;
	return 1;
}

/* Records that the current commit changed the covered content of `id`;
 * an editor already recorded (same author, committer and signers) is
 * not recorded again: the first such edit is the one a verdict names. */
static int add_edit(struct audit *a, const char *id,
		    const struct chg_strlist *signers)
{
	const git_signature *au = git_commit_author(a->commit);
	const git_signature *co = git_commit_committer(a->commit);
	const char *ae = au && au->email ? au->email : "";
	const char *ce = co && co->email ? co->email : "";
	struct chg_content_edit *e;
	struct cr *c;
	size_t i;
	int error;

	if ((error = crmap_get(&c, &a->crs, id)) < 0)
		return error;
	for (i = 0; i < c->nedits; i++)
		if (!strcmp(c->edits[i].author_email, ae) &&
		    !strcmp(c->edits[i].committer_email, ce) &&
		    same_signers(&c->edits[i].signers, signers))
			return 0;
	if (c->nedits == c->alloc_edits) {
		size_t n = c->alloc_edits ? c->alloc_edits * 2 : 4;
		e = realloc(c->edits, n * sizeof(*e));
		if (!e)
			return CHG_ENOMEM;
		c->edits = e;
		c->alloc_edits = n;
	}
	e = &c->edits[c->nedits];
	memset(e, 0, sizeof(*e));
	git_oid_cpy(&e->commit, git_commit_id(a->commit));
	e->change_id = strdup(id);
	e->author_email = strdup(ae);
	e->committer_email = strdup(ce);
	c->nedits++;
	if (!e->change_id || !e->author_email || !e->committer_email)
		return CHG_ENOMEM;
	for (i = 0; i < signers->n; i++)
		if ((error = chg_strlist_add(&e->signers, signers->items[i])) < 0)
			return error;
	return 0;
}

static int verify(struct chg_signature_result *out, struct audit *a,
		  const char *principal)
{
	int error;

	if (!a->verifier && (error = chg_signature_verifier_new(&a->verifier, NULL)) < 0)
		return error;
	return chg_signature_verify_commit(out, a->verifier, a->repo, a->commit,
					   principal);
}

/*
 * The ids whose covered content the commit changed, difference by
 * difference as chg_history_load sees them (a move is an edit of the id),
 * recorded with the commit's author, committer and, when the policy
 * requires signatures, its verified signer.
 */
static int record_edits(struct audit *a)
{
	struct chg_signature_result sig = CHG_SIGNATURE_RESULT_INIT;
	struct chg_strlist ids = CHG_STRLIST_INIT, signers = CHG_STRLIST_INIT;
	size_t d, i;
	int error = 0;

	for (d = 0; d < a->ndeltas && !error; d++) {
		const struct summary *o = loaded(other_side(a->old, a->nold, d));
		const struct summary *n = loaded(other_side(a->new, a->nnew, d));
		const char *od = o ? o->digest : "", *nd = n ? n->digest : "";

		if (!strcmp(od, nd))
			continue;
		if (n)
			error = chg_strlist_add(&ids, n->id);
		if (!error && o && (!n || strcmp(o->id, n->id)))
			error = chg_strlist_add(&ids, o->id);
	}
	if (!error && ids.n && a->policy->require_signature) {
		error = verify(&sig, a, NULL);
		if (error == CHG_ENOTFOUND)
			error = 0;
		for (i = 0; !error && sig.verdict == CHG_SIGNATURE_GOOD &&
		     i < sig.principals.n; i++)
			error = chg_strlist_add(&signers, sig.principals.items[i]);
	}
	for (i = 0; i < ids.n && !error; i++)
		error = add_edit(a, ids.items[i], &signers);
	chg_signature_result_release(&sig);
	chg_strlist_release(&signers);
	chg_strlist_release(&ids);
	return error;
}

/* ---- the files a commit changed ---- */

/*
 * Adds the version `blob` at `path`.  An old version that is the last the
 * walk saw of a change request at that path is known from its summary;
 * any other version is parsed.
 */
static int add_version(struct version **list, size_t *n, size_t *alloc,
		       struct audit *a, const char *path, const git_oid *blob,
		       int old)
{
	struct version *v;
	struct cr *c;
	int error;

	if (*n == *alloc) {
		size_t cap = *alloc ? *alloc * 2 : 16;
		v = realloc(*list, cap * sizeof(*v));
		if (!v)
			return CHG_ENOMEM;
		*list = v;
		*alloc = cap;
	}
	v = &(*list)[*n];
	memset(v, 0, sizeof(*v));
	git_oid_cpy(&v->blob, blob);
	v->delta = a->ndeltas;
	if (!(v->path = strdup(path)))
		return CHG_ENOMEM;
	(*n)++;
	if (old && (c = path_find(&a->crs, path, blob))) {
		v->valid = 1;  /* only valid versions are remembered */
		return summary_copy(&v->s, &c->last);
	}
	if ((error = parsed_get(&v->p, a, blob)) < 0)
		return error;
	v->valid = v->p->valid;
	return summary_of(&v->s, &v->p->c);
}

static void versions_release(struct version *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].path);
		summary_release(&list[i].s);
		parsed_put(list[i].p);
	}
}

/* A file the commit changed (treediff.h): `old`, `new` its blobs (NULL:
 * absent). */
static int on_delta(const char *path, const git_oid *old, const git_oid *new,
		    void *payload)
{
	struct audit *a = payload;
	int error = 0;

	if (old)
		error = add_version(&a->old, &a->nold, &a->alloc_old, a, path, old, 1);
	if (!error && new)
		error = add_version(&a->new, &a->nnew, &a->alloc_new, a, path, new, 0);
	a->ndeltas++;
	return error;
}

static int entry_is_file(const git_tree_entry *e)
{
	git_filemode_t m = git_tree_entry_filemode(e);

	return m == GIT_FILEMODE_BLOB || m == GIT_FILEMODE_BLOB_EXECUTABLE ||
	       m == GIT_FILEMODE_LINK;
}

static int cmp_by_id(const void *x, const void *y)
{
	const struct version *a = *(const struct version *const *)x;
	const struct version *b = *(const struct version *const *)y;
	int c = strcmp(a->s.id, b->s.id);

	return c ? c : a < b ? -1 : a > b;
}

/* Indexes the old versions that are valid by id (then by position). */
static int index_old(struct audit *a)
{
	size_t i;

	a->nby_id = 0;
	if (a->nold > a->alloc_by_id) {
		struct version **p = realloc(a->by_id, a->nold * sizeof(*p));
		if (!p)
			return CHG_ENOMEM;
		a->by_id = p;
		a->alloc_by_id = a->nold;
	}
	for (i = 0; i < a->nold; i++)
		if (a->old[i].valid)
			a->by_id[a->nby_id++] = &a->old[i];
	if (a->nby_id > 1)
		qsort(a->by_id, a->nby_id, sizeof(*a->by_id), cmp_by_id);
	return 0;
}

/* The unmatched old version with n's id: at the same path if there is one,
 * else the first. */
static struct version *match_old(struct audit *a, const struct version *n)
{
	struct version *any = NULL;
	size_t lo = 0, hi = a->nby_id;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(a->by_id[mid]->s.id, n->s.id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < a->nby_id && !strcmp(a->by_id[lo]->s.id, n->s.id); lo++) {
		struct version *o = a->by_id[lo];
		if (o->matched)
			continue;
		if (!strcmp(o->path, n->path))
			return o;
		if (!any)
			any = o;
	}
	return any;
}

/*
 * The change request whose file at `path` is not valid (as the walk last
 * saw that path), or NULL.
 */
static struct cr *broken_at(const struct crmap *m, const char *path)
{
	struct cr *c, *best = NULL;

	if (!m->cap)
		return NULL;
	for (c = m->paths[hash_str(path) & (m->cap - 1)]; c; c = c->path_next)
		if (c->exists && c->broken && !strcmp(c->path, path) &&
		    (!best || c->seen_at > best->seen_at))
			best = c;
	return best;
}

/*
 * The old version that an invalid new version at a new path was renamed
 * from: an invalid file of a change request, gone from its path, with the
 * same blob; or NULL.
 */
static struct version *renamed_from(struct audit *a, const struct version *n)
{
	size_t i;

	for (i = 0; i < a->nold; i++) {
		struct version *o = &a->old[i];
		if (!o->valid && !o->matched && git_oid_equal(&o->blob, &n->blob) &&
		    !other_side(a->new, a->nnew, o->delta) &&
		    broken_at(&a->crs, o->path))
			return o;
	}
	return NULL;
}

/* The current commit left the file of `c` not valid at n's path. */
static int invalid_event(struct audit *a, struct cr *c, const struct version *n)
{
	struct pending *p;
	int error;

	if ((error = add_pending(&p, a, CHG_AUDIT_UPDATED, c->id, n->path, &c->last)) < 0)
		return error;
	p->invalid = 1;
	p->line = n->p->line;
	p->column = n->p->column;
	if ((error = dup_opt(&p->rule, n->p->rule)) < 0 ||
	    (error = dup_path(a, &p->message, n->p->message)) < 0 ||
	    (error = cr_move(&a->crs, c, n->path)) < 0)
		return error;
	c->broken = 1;
	c->seen_at = a->stats->commits;
	return 0;
}

/* The invalid file of `c` at o's path was renamed, unchanged, to n's. */
static int broken_moved(struct audit *a, struct cr *c, const struct version *o,
			const struct version *n)
{
	struct pending *p;
	int error;

	if ((error = add_pending(&p, a, CHG_AUDIT_MOVED, c->id, n->path, &c->last)) < 0 ||
	    (error = dup_path(a, &p->from, o->path)) < 0 ||
	    (error = dup_path(a, &p->to, n->path)) < 0 ||
	    (error = cr_move(&a->crs, c, n->path)) < 0)
		return error;
	c->seen_at = a->stats->commits;
	return 0;
}

/*
 * The events of the new versions that are valid: paired by id with an old
 * version, else a repair of a change request whose file is not valid
 * (compared with its last valid version), else a creation.
 */
static int valid_events(struct audit *a)
{
	size_t i;
	int error = 0;

	for (i = 0; i < a->nnew && !error; i++) {
		struct version *n = &a->new[i], *o, *same;
		struct cr *c;

		if (!n->valid)
			continue;
		if ((o = match_old(a, n))) {
			o->matched = 1;
			error = compare(a, o, n);
		} else if ((c = crmap_find(&a->crs, n->s.id)) && c->exists && c->has_blob &&
			   (c->broken ||
			    ((same = other_side(a->old, a->nold, n->delta)) && !same->valid))) {
			/* the file was not valid before: compare with the last
			   version that was */
			struct version last;
			memset(&last, 0, sizeof(last));
			git_oid_cpy(&last.blob, &c->blob);
			if (!(last.path = strdup(c->path)) ||
			    summary_copy(&last.s, &c->last) < 0)
				error = CHG_ENOMEM;
			else
				error = compare(a, &last, n);
			versions_release(&last, 1);
		} else {
			error = created(a, n);
		}
		if (!error)
			error = cr_seen(a, n->path, &n->blob, &n->s);
	}
	return error;
}

/*
 * The events of the new versions that are not valid, paired by path with
 * the change request the walk last saw there (audit.h).
 */
static int invalid_events(struct audit *a)
{
	size_t i;
	int error = 0;

	for (i = 0; i < a->nnew && !error; i++) {
		struct version *n = &a->new[i], *o;
		struct cr *c = NULL;

		if (n->valid || !n->p || !n->p->rule)
			continue;  /* valid, or its blob is missing */
		o = other_side(a->old, a->nold, n->delta);
		if (o && o->valid) {
			if (o->matched)
				continue;  /* its id is valid at another path */
			c = crmap_find(&a->crs, o->s.id);
			if (c && c->seen_at == a->stats->commits)
				continue;  /* valid in another file now */
		} else if (o) {
			c = broken_at(&a->crs, o->path);
		} else if ((o = renamed_from(a, n))) {
			o->matched = 1;
			if ((c = broken_at(&a->crs, o->path)))
				error = broken_moved(a, c, o, n);
			continue;
		}
		if (c && c->exists)
			error = invalid_event(a, c, n);
	}
	return error;
}

/* The events of the versions loaded for the current commit. */
static int content_events(struct audit *a)
{
	size_t i;
	int error;

	if ((error = index_old(a)) < 0 ||
	    (error = valid_events(a)) < 0 ||
	    (error = invalid_events(a)) < 0)
		return error;
	for (i = 0; i < a->nold && !error; i++) {
		struct version *o = &a->old[i], *n;
		struct pending *p;
		struct cr *c;

		if (o->matched)
			continue;
		n = other_side(a->new, a->nnew, o->delta);
		if (n && !n->valid)
			continue;  /* not valid now: an invalid event, if any */
		if (!o->valid) {
			/* an invalid file gone, or replaced by a valid one
			   (a repair of its own id is no longer broken) */
			if (!(c = broken_at(&a->crs, o->path)))
				continue;
			if ((error = add_pending(&p, a, CHG_AUDIT_DELETED, c->id, o->path,
						 &c->last)) < 0 ||
			    (error = dup_opt(&p->from, c->last.state)) < 0)
				break;
			c->exists = 0;
			c->broken = 0;
			continue;
		}
		if ((error = add_pending(&p, a, CHG_AUDIT_DELETED, o->s.id, o->path, &o->s)) < 0 ||
		    (error = dup_opt(&p->from, o->s.state)) < 0)
			break;
		/* not when another file has the id now (a duplicate) */
		if ((c = crmap_find(&a->crs, o->s.id)) && c->seen_at != a->stats->commits)
			c->exists = 0;
	}
	return error;
}

/* ---- a change request in the commit's tree ---- */

struct scan {
	struct audit *a;
	const char *prefix;
	const char *want;         /* the id to find (by file name), or NULL:
				     every file (seeding) */
	struct parsed *found;
	int error;
	struct chg_buf path;
};

static int has_name(const char *name, const char *id)
{
	size_t n = strlen(id);

	return !strncmp(name, id, n) &&
	       (!strcmp(name + n, ".yaml") || !strcmp(name + n, ".yml"));
}

static int scan_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	struct scan *s = payload;
	const char *name = git_tree_entry_name(entry);
	struct parsed *p;

	if (!entry_is_file(entry) || (s->want && !has_name(name, s->want)))
		return 0;
	chg_buf_clear(&s->path);
	if ((*s->prefix && chg_buf_printf(&s->path, "%s/", s->prefix) < 0) ||
	    chg_buf_printf(&s->path, "%s%s", root, name) < 0) {
		s->error = CHG_ENOMEM;
		return -1;
	}
	if (!chg_policy_is_change_path(s->a->policy, s->path.ptr))
		return 0;
	if ((s->error = parsed_get(&p, s->a, git_tree_entry_id(entry))) < 0)
		return -1;
	if (!s->want) {
		/* the walk remembers valid versions only */
		struct summary sum;
		memset(&sum, 0, sizeof(sum));
		if (p->valid && (s->error = summary_of(&sum, &p->c)) == 0)
			s->error = cr_seen(s->a, s->path.ptr, git_tree_entry_id(entry), &sum);
		summary_release(&sum);
		parsed_put(p);
		return s->error < 0 ? -1 : 0;
	}
	if (!p->c.id || !s->want || strcmp(p->c.id, s->want)) {
		parsed_put(p);
		return 0;
	}
	s->found = p;
	return -1;
}

/*
 * Walks the change request files of the commit's tree: with `want`, until
 * the one named after it that has that id (*found, to be put back);
 * without, remembering every change request where it is (the start of a
 * shallow history).
 */
static int scan_tree(struct audit *a, const char *want, struct parsed **found,
		     char **path)
{
	const git_oid *own;
	struct scan s;
	size_t i;
	int error;

	if ((error = chg_treediff_dir_ids(&own, a->diff, a->at)) < 0)
		return error;
	memset(&s, 0, sizeof(s));
	s.a = a;
	s.want = want;
	chg_buf_init(&s.path);
	for (i = 0; i < chg_treediff_ndirs(a->diff) && !error && !s.found; i++) {
		git_tree *sub;
		if (git_oid_is_zero(&own[i]))
			continue;
		if (git_tree_lookup(&sub, a->repo, &own[i]) < 0) {
			error = CHG_EGIT;
			break;
		}
		s.prefix = chg_treediff_dir(a->diff, i);
		if (git_tree_walk(sub, GIT_TREEWALK_PRE, scan_cb, &s) < 0 && !s.found)
			error = s.error ? s.error : CHG_EGIT;
		git_tree_free(sub);
	}
	if (!error && s.found && path && !(*path = strdup(s.path.ptr)))
		error = CHG_ENOMEM;
	chg_buf_release(&s.path);
	if (found)
		*found = s.found;
	else
		parsed_put(s.found);
	return error;
}

/*
 * The change request `id` as it is in the current commit: one of its new
 * versions, else the file where it was last seen, else a file named after
 * it.  *out is NULL when there is none; else *path is its file (to free)
 * and *held what to put back.
 */
static int change_at_commit(const struct chg_change **out, char **path,
			    struct parsed **held, struct audit *a, const char *id)
{
	const struct cr *c = crmap_find(&a->crs, id);
	git_tree_entry *e;
	git_tree *tree;
	size_t i;
	int error;

	*out = NULL;
	*path = NULL;
	*held = NULL;
	for (i = 0; i < a->nnew; i++)
		if (loaded(&a->new[i]) && !strcmp(a->new[i].s.id, id)) {
			if ((error = version_change(out, a, &a->new[i])) < 0)
				return error;
			return (*path = strdup(a->new[i].path)) ? 0 : CHG_ENOMEM;
		}
	if ((error = commit_tree(a, &tree)) < 0)
		return error;
	if (c && c->path && git_tree_entry_bypath(&e, tree, c->path) == 0) {
		if (entry_is_file(e))
			error = parsed_get(held, a, git_tree_entry_id(e));
		git_tree_entry_free(e);
		if (error < 0)
			return error;
		if (*held && (*held)->c.id && !strcmp((*held)->c.id, id)) {
			*out = &(*held)->c;
			return (*path = strdup(c->path)) ? 0 : CHG_ENOMEM;
		}
		parsed_put(*held);
		*held = NULL;
	}
	if ((error = scan_tree(a, id, held, path)) < 0)
		return error;
	if (*held)
		*out = &(*held)->c;
	return 0;
}

/* ---- approvals and rejections ---- */


/* Appends a new approval of `c` for the current commit, filled as
 * chg_history_load fills it. */
static int new_approval(struct chg_approval **out, struct audit *a,
			struct cr *c, const struct chg_trailers *t)
{
	struct chg_diag_list scratch = CHG_DIAG_LIST_INIT;
	const git_signature *au = git_commit_author(a->commit);
	struct chg_approval *ap;
	int error, bad;

	if (c->napprovals == c->alloc_approvals) {
		size_t n = c->alloc_approvals ? c->alloc_approvals * 2 : 4;
		ap = realloc(c->approvals, n * sizeof(*ap));
		if (!ap)
			return CHG_ENOMEM;
		c->approvals = ap;
		c->alloc_approvals = n;
	}
	ap = &c->approvals[c->napprovals];
	memset(ap, 0, sizeof(*ap));
	git_oid_cpy(&ap->commit, git_commit_id(a->commit));
	chg_oid_short(ap->short_id, &ap->commit);
	ap->time = (int64_t)git_commit_time(a->commit);
	ap->rejected = t->n_rejected_by > 0 && t->n_approved_by == 0;
	ap->author_email = strdup(au && au->email ? au->email : "");
	ap->author_time = au ? (int64_t)au->when.time : ap->time;
	ap->committer_email = strdup(git_commit_committer(a->commit) &&
				     git_commit_committer(a->commit)->email ?
				     git_commit_committer(a->commit)->email : "");
	ap->change_id = strdup(t->change_request);
	ap->identity = strdup(t->approved_by ? t->approved_by :
			      t->rejected_by ? t->rejected_by : "");
	if (t->change_digest)
		ap->digest = strdup(t->change_digest);
	c->napprovals++;
	*out = ap;
	if (!ap->author_email || !ap->committer_email || !ap->change_id || !ap->identity ||
	    (t->change_digest && !ap->digest))
		return CHG_ENOMEM;
	error = chg_ident_parse(NULL, &ap->email, ap->identity);
	if (error == CHG_ENOMEM)
		return error;
	if (error < 0)
		ap->email = NULL;
	/* well formed as the commit-msg hook checks it */
	bad = chg_trailers_check(t, "", &scratch);
	chg_diag_list_release(&scratch);
	if (bad == CHG_ENOMEM)
		return bad;
	if (bad > 0 || !ap->email)
		ap->malformed = "its approval trailers are malformed";
	if (ap->malformed) {
		ap->is_signed = chg_signature_present(a->repo, a->commit);
		return 0;
	}
	error = verify(&ap->signature, a, ap->email);
	ap->is_signed = error != CHG_ENOTFOUND;
	return error == CHG_ENOTFOUND ? 0 : error;
}

/* The fingerprint part of a signature's key ("ED25519 key SHA256:x"). */
static const char *fingerprint(const struct chg_approval *ap)
{
	const char *k = ap->signature.key, *p;

	if (!ap->is_signed || !k)
		return NULL;
	p = strstr(k, " key ");
	return p ? p + 5 : k;
}

static int approval_event(struct audit *a, const struct chg_trailers *t)
{
	const char *enc = git_commit_message_encoding(a->commit);
	struct chg_approval_result res;
	struct chg_approval *ap, one;
	const struct chg_approval *target;
	const struct chg_change *change;
	struct parsed *held = NULL;
	struct summary sum;
	struct pending *p;
	struct cr *c;
	const char *verdict = "unknown-change";
	char *id = NULL, *path = NULL;
	size_t i;
	int error;

	memset(&sum, 0, sizeof(sum));
	if ((error = crmap_get(&c, &a->crs, t->change_request)) < 0 ||
	    (error = new_approval(&ap, a, c, t)) < 0 ||
	    (error = change_at_commit(&change, &path, &held, a, t->change_request)) < 0)
		goto cleanup;
	if (change) {
		struct chg_history h = CHG_HISTORY_INIT;

		if (ap->rejected) {
			/* judged as an approval would be, alone */
			one = *ap;
			one.rejected = 0;
			h.approvals = &one;
			h.napprovals = 1;
			target = &one;
		} else {
			h.approvals = c->approvals;
			h.napprovals = c->napprovals;
			target = ap;
		}
		h.edits = c->edits;
		h.nedits = c->nedits;
		error = chg_approval_evaluate(&res, a->policy, change, &h,
					      (int64_t)git_commit_time(a->commit));
		if (error == CHG_ELIMIT) {
			verdict = "not-evaluated";
			error = 0;
		} else if (!error) {
			for (i = 0; i < res.n; i++)
				if (res.verdicts[i].approval == target)
					verdict = chg_verdict_name(res.verdicts[i].verdict);
		}
		chg_approval_result_release(&res);
		if (error < 0)
			goto cleanup;
	}
	if (!(id = dup_text(a, t->change_request, enc))) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	if ((change && (error = summary_of(&sum, change)) < 0) ||
	    (error = add_pending(&p, a, ap->rejected ? CHG_AUDIT_REJECTED :
				 CHG_AUDIT_APPROVED, id, path, change ? &sum : NULL)) < 0)
		goto cleanup;
	p->verdict = verdict;
	p->matched = !change ? -1 : ap->digest && !strcmp(ap->digest, change->digest);
	if ((*ap->identity && !(p->approver = dup_text(a, ap->identity, enc))) ||
	    (ap->email && !(p->approver_email = dup_text(a, ap->email, enc))) ||
	    (ap->digest && !(p->digest = dup_text(a, ap->digest, enc))) ||
	    dup_opt(&p->fingerprint, fingerprint(ap)) < 0)
		error = CHG_ENOMEM;
cleanup:
	summary_release(&sum);
	free(id);
	free(path);
	parsed_put(held);
	return error;
}

/* ---- one commit ---- */

static int cmp_pending(const void *x, const void *y)
{
	const struct pending *a = x, *b = y;
	int c = strcmp(a->change, b->change);

	if (c)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int chg_audit_match(const struct chg_audit_options *o,
		    const struct chg_audit_event *ev)
{
	int64_t when = ev->commit->committer_time;
	size_t i;

	if (!o)
		return !ev->invalid;
	if (ev->invalid && !o->invalid)
		return 0;
	if (o->nids) {
		for (i = 0; i < o->nids; i++)
			if (!strcmp(o->ids[i], ev->change))
				break;
		if (i == o->nids)
			return 0;
	}
	if ((o->has_since && when < o->since) || (o->has_until && when > o->until))
		return 0;
	if (o->client && !same_str(o->client, ev->client))
		return 0;
	if (o->type && !same_str(o->type, ev->change_type))
		return 0;
	return 1;
}

static int emit(struct audit *a)
{
	struct chg_audit_event ev;
	size_t i;
	int error;

	if (!a->npending)
		return 0;
	if ((error = fill_info(a)) < 0)
		return error;
	qsort(a->pending, a->npending, sizeof(*a->pending), cmp_pending);
	for (i = 0; i < a->npending; i++) {
		const struct pending *p = &a->pending[i];

		memset(&ev, 0, sizeof(ev));
		ev.type = p->type;
		ev.commit = &a->info;
		ev.change = p->change;
		ev.path = p->path;
		ev.client = p->client;
		ev.change_type = p->change_type;
		ev.from = p->from;
		ev.to = p->to;
		ev.fields = (const char *const *)p->fields.items;
		ev.nfields = p->fields.n;
		ev.approver = p->approver;
		ev.approver_email = p->approver_email;
		ev.digest = p->digest;
		ev.verdict = p->verdict;
		ev.fingerprint = p->fingerprint;
		ev.outcome = p->outcome;
		ev.invalid = p->invalid;
		ev.rule = p->rule;
		ev.line = p->line;
		ev.column = p->column;
		ev.message = p->message;
		ev.matched = p->matched;
		ev.entered = p->entered;
		ev.counted = p->counted.items;
		ev.ncounted = p->counted.n;
		ev.stale = p->stale.items;
		ev.nstale = p->stale.n;
		ev.current = p->current.items;
		ev.ncurrent = p->current.n;
		if (!chg_audit_match(a->opts, &ev))
			continue;
		a->stats->events++;
		if ((error = a->fn(&ev, a->payload)) != 0)
			return error;
	}
	return 0;
}

static int visit(struct audit *a, size_t index)
{
	const struct chg_graph_commit *nd = &a->g->commits[index];
	struct chg_trailers t;
	size_t p;
	int error = 0, changed = 0;

	a->node = nd;
	a->at = index;
	a->info_ready = 0;
	a->stats->commits++;
	if (nd->nparents && chg_graph_parent(a->g, index, 0) == CHG_GRAPH_NONE) {
		/* a shallow clone: this commit's content is where history
		   starts */
		if (!a->stats->shallow) {
			a->stats->shallow = 1;
			chg_oid_short(a->stats->shallow_at, &nd->id);
		}
		if ((error = scan_tree(a, NULL, NULL, NULL)) < 0)
			goto cleanup;
	} else if ((error = chg_treediff_touches(&changed, a->diff, index)) < 0) {
		goto cleanup;
	}
	if (!changed && !nd->trailers)
		goto cleanup;
	if (chg_commit_read(&a->commit, a->repo, &nd->id) < 0) {
		error = CHG_EGIT;
		goto cleanup;
	}
	if (changed) {
		a->stats->touching++;
		if ((error = chg_treediff_commit(a->diff, index, on_delta, a)) < 0 ||
		    (error = record_edits(a)) < 0 ||
		    (error = content_events(a)) < 0)
			goto cleanup;
	}
	if (nd->trailers) {
		chg_trailers_init(&t);
		error = chg_trailers_parse(&t, git_commit_message(a->commit));
		/* approvals of trust changes are not about a change request */
		if (!error && chg_trailers_any(&t) && t.change_request &&
		    *t.change_request &&
		    strcmp(t.change_request, CHG_TRUST_CHANGE_REQUEST))
			error = approval_event(a, &t);
		chg_trailers_release(&t);
		if (error < 0)
			goto cleanup;
	}
	error = emit(a);
cleanup:
	for (p = 0; p < a->npending; p++)
		pending_release(&a->pending[p]);
	a->npending = 0;
	versions_release(a->old, a->nold);
	versions_release(a->new, a->nnew);
	a->nold = a->nnew = a->ndeltas = 0;
	git_tree_free(a->tree);
	a->tree = NULL;
	git_commit_free(a->commit);
	a->commit = NULL;
	return error;
}

static int walk(git_repository *repo, const struct chg_graph *graph,
		struct chg_treediff *diff, const struct chg_policy *policy,
		const struct chg_audit_options *opts, chg_audit_fn fn,
		void *payload, struct chg_audit_stats *stats)
{
	static const struct chg_audit_options all = CHG_AUDIT_OPTIONS_INIT;
	struct chg_audit_stats local;
	struct audit a;
	size_t i;
	int error = 0;

	memset(&a, 0, sizeof(a));
	a.repo = repo;
	a.policy = policy;
	a.g = graph;
	a.opts = opts ? opts : &all;
	a.fn = fn;
	a.payload = payload;
	a.stats = stats ? stats : &local;
	a.cd = (iconv_t)-1;
	memset(a.stats, 0, sizeof(*a.stats));
	chg_buf_init(&a.author);
	chg_buf_init(&a.author_email);
	chg_buf_init(&a.committer);
	chg_buf_init(&a.committer_email);
	chg_buf_init(&a.subject);
	chg_buf_init(&a.scratch);
	if (!graph->n)
		return 0;
	if (diff)
		a.diff = diff;
	else if ((error = chg_treediff_new(&a.diff, repo, graph, policy)) < 0)
		goto cleanup;
	for (i = 0; i < graph->norder && !error; i++)
		error = visit(&a, graph->order[i]);
cleanup:
	if (a.diff != diff)
		chg_treediff_free(a.diff);
	crmap_release(&a.crs);
	parsed_cache_release(&a.parsed);
	free(a.pending);
	free(a.old);
	free(a.new);
	free(a.by_id);
	chg_signature_verifier_free(a.verifier);
	if (a.cd != (iconv_t)-1)
		iconv_close(a.cd);
	free(a.cd_name);
	chg_buf_release(&a.author);
	chg_buf_release(&a.author_email);
	chg_buf_release(&a.committer);
	chg_buf_release(&a.committer_email);
	chg_buf_release(&a.subject);
	chg_buf_release(&a.scratch);
	chg_diag_list_release(&a.diags);
	return error;
}

int chg_audit_walk_history(git_repository *repo, const struct chg_history *h,
			   const struct chg_policy *policy,
			   const struct chg_audit_options *opts,
			   chg_audit_fn fn, void *payload,
			   struct chg_audit_stats *stats)
{
	static const struct chg_graph empty = CHG_GRAPH_INIT;
	char digest[CHG_DIGEST_SIZE];
	int error;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (h->view) {
		/* its graph is its index's: walk from the view's revision */
		if (!h->graph || h->trust.tip == CHG_TRUST_NONE)
			return 0;
		return chg_audit_walk(repo, &h->graph->commits[h->graph->order[h->trust.tip]].id,
				      policy, opts, fn, payload, stats);
	}
	if ((error = chg_digest_compute(digest, policy->root, NULL)) < 0)
		return error;
	/* the history's tree diff reads the change paths of its policy */
	return walk(repo, h->graph ? h->graph : &empty,
		    strcmp(digest, h->policy_digest) ? NULL : h->diff, policy,
		    opts, fn, payload, stats);
}

int chg_audit_walk(git_repository *repo, const git_oid *tip,
		   const struct chg_policy *policy,
		   const struct chg_audit_options *opts,
		   chg_audit_fn fn, void *payload,
		   struct chg_audit_stats *stats)
{
	struct chg_graph g = CHG_GRAPH_INIT;
	int error;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if ((error = chg_graph_load(&g, repo, tip)) == 0)
		error = walk(repo, &g, NULL, policy, opts, fn, payload, stats);
	chg_graph_release(&g);
	return error;
}

const char *chg_audit_type_name(enum chg_audit_type type)
{
	switch (type) {
	case CHG_AUDIT_CREATED: return "created";
	case CHG_AUDIT_MOVED: return "moved";
	case CHG_AUDIT_UPDATED: return "updated";
	case CHG_AUDIT_STATE: return "state";
	case CHG_AUDIT_REVIEWED: return "reviewed";
	case CHG_AUDIT_DELETED: return "deleted";
	case CHG_AUDIT_APPROVED: return "approved";
	case CHG_AUDIT_REJECTED: return "rejected";
	}
	return "unknown";
}

char *chg_audit_format_time(char out[CHG_AUDIT_TIME_SIZE], int64_t t,
			    int offset)
{
	char utc[32];
	int m = offset < 0 ? -offset : offset;

	chg_datetime_format(utc, sizeof(utc), t + (int64_t)offset * 60);
	snprintf(out, CHG_AUDIT_TIME_SIZE, "%.19s%c%02d:%02d", utc,
		 offset < 0 ? '-' : '+', m / 60 % 100, m % 60);
	return out;
}

static int fail(struct chg_buf *err, int code, const char *fmt, const char *arg)
{
	chg_buf_clear(err);
	chg_buf_printf(err, fmt, arg);
	return code;
}

int chg_audit_log(struct chg_diag_list *diags, struct chg_buf *err,
		  const struct chg_audit_log_options *opts,
		  chg_audit_fn fn, void *payload,
		  struct chg_audit_stats *stats)
{
	struct chg_workspace_options wopts = CHG_WORKSPACE_OPTIONS_INIT;
	struct chg_workspace *ws = NULL;
	int error;

	git_libgit2_init();
	wopts.dir = opts->dir;
	wopts.rev = opts->rev;
	wopts.policy_file = opts->policy_file;
	wopts.without_catalog = 1;  /* the trail reads the change paths only */
	if ((error = chg_workspace_open(&ws, diags, err, &wopts)) < 0)
		goto cleanup;
	error = chg_audit_walk(ws->repo, ws->has_tip ? &ws->tip : NULL, ws->policy,
			       &opts->filter, fn, payload, stats);
	if (error == CHG_EGIT)
		fail(err, error, "cannot walk the history: %s",
		     git_error_last() ? git_error_last()->message : "unknown error");
	else if (error == CHG_ENOMEM)
		fail(err, error, "%s", "out of memory");
cleanup:
	chg_workspace_free(ws);
	git_libgit2_shutdown();
	return error;
}
