#include "change.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "repo.h"
#include "yaml.h"
#include "banned.h"

static void bind_fields(struct chg_change *c, const struct chg_policy *policy);

int chg_change_load(struct chg_change *out, const char *path, const char *buf,
		    size_t len, const struct chg_policy *policy,
		    struct chg_diag_list *diags)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	int error;

	memset(out, 0, sizeof(*out));
	if (!(out->path = strdup(path)))
		return CHG_ENOMEM;
	opts.arena = 1;  /* a change request's tree is only ever freed whole */
	error = chg_yaml_load(&out->root, buf, len, path, &opts, diags);
	if (error == CHG_ENOMEM)
		return error;
	if (error < 0 || !out->root)
		return 0;
	bind_fields(out, policy);
	return chg_digest_compute(out->digest, out->root,
				  policy->not_covered);
}

/* Points the fields of `c` into its tree, as the policy names them. */
static void bind_fields(struct chg_change *c, const struct chg_policy *policy)
{
	const struct chg_node *n;

	n = chg_node_get(c->root, policy->id_field);
	if (n && n->type == CHG_NODE_SCALAR && !chg_node_is_null(n)) {
		c->id = n->value;
		c->id_node = n;
	}
	c->type = chg_node_str(chg_node_get(c->root, "type"));
	if (policy->state_field) {
		n = chg_node_get(c->root, policy->state_field);
		c->state = chg_node_str(n);
		c->state_node = n;
	}
}

void chg_change_release(struct chg_change *c)
{
	if (!c)
		return;
	free(c->path);
	if (!c->shared)
		chg_node_free(c->root);
	memset(c, 0, sizeof(*c));
}

int chg_change_set_add(struct chg_change_set *set, const char *path,
		       const char *buf, size_t len,
		       const struct chg_policy *policy,
		       struct chg_diag_list *diags)
{
	int error;

	if (set->n == set->alloc) {
		size_t n = set->alloc ? set->alloc * 2 : 16;
		struct chg_change *p = realloc(set->items, n * sizeof(*p));
		if (!p)
			return CHG_ENOMEM;
		set->items = p;
		set->alloc = n;
	}
	error = chg_change_load(&set->items[set->n], path, buf, len, policy,
				diags);
	if (error < 0) {
		chg_change_release(&set->items[set->n]);
		return error;
	}
	set->n++;
	return 0;
}

struct keyed {
	const char *id;
	size_t i;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

int chg_change_set_index(struct chg_change_set *set)
{
	struct keyed *k;
	size_t i, n = 0;

	free(set->by_id);
	set->by_id = NULL;
	set->nindexed = set->nby_id = 0;
	if (!(k = malloc((set->n + 1) * sizeof(*k))))
		return CHG_ENOMEM;
	if (!(set->by_id = malloc((set->n + 1) * sizeof(*set->by_id)))) {
		free(k);
		return CHG_ENOMEM;
	}
	for (i = 0; i < set->n; i++)
		if (set->items[i].id) {
			k[n].id = set->items[i].id;
			k[n++].i = i;
		}
	qsort(k, n, sizeof(*k), cmp_keyed);
	for (i = 0; i < n; i++)
		set->by_id[i] = k[i].i;
	free(k);
	set->nby_id = n;
	set->nindexed = set->n;
	return 0;
}

const struct chg_change *chg_change_set_find(const struct chg_change_set *set,
					     const char *id)
{
	size_t i;

	if (set->by_id && set->nindexed == set->n) {
		size_t lo = 0, hi = set->nby_id;
		/* the first of its run: the lowest position */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(set->items[set->by_id[mid]].id, id) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < set->nby_id && !strcmp(set->items[set->by_id[lo]].id, id))
			return &set->items[set->by_id[lo]];
		return NULL;
	}
	for (i = 0; i < set->n; i++)
		if (set->items[i].id && !strcmp(set->items[i].id, id))
			return &set->items[i];
	return NULL;
}

void chg_change_set_release(struct chg_change_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++)
		chg_change_release(&set->items[i]);
	free(set->items);
	free(set->by_id);
	set->items = NULL;
	set->by_id = NULL;
	set->n = set->alloc = set->nindexed = set->nby_id = 0;
}

/* ---- the cache of parsed blobs ---- */

struct cached {
	git_oid blob;
	struct chg_change c;          /* path "" */
	struct chg_diag_list diags;   /* the loader's, with the path loaded */
};

struct chg_change_cache {
	char policy[CHG_DIGEST_SIZE]; /* the digest of the policy they were
					 loaded under */
	struct cached *items;         /* open addressing, at most half full */
	size_t n, alloc;              /* alloc: a power of two, or 0 */
};

int chg_change_cache_new(struct chg_change_cache **out)
{
	return (*out = calloc(1, sizeof(**out))) ? 0 : CHG_ENOMEM;
}

static void cache_clear(struct chg_change_cache *cache)
{
	size_t i;

	for (i = 0; i < cache->alloc; i++) {
		chg_change_release(&cache->items[i].c);
		chg_diag_list_release(&cache->items[i].diags);
	}
	free(cache->items);
	cache->items = NULL;
	cache->n = cache->alloc = 0;
}

void chg_change_cache_free(struct chg_change_cache *cache)
{
	if (!cache)
		return;
	cache_clear(cache);
	free(cache);
}

static size_t slot(const struct chg_change_cache *cache, const git_oid *blob)
{
	size_t i;

	for (i = chg_oid_hash(blob) & (cache->alloc - 1); cache->items[i].c.path &&
	     !git_oid_equal(&cache->items[i].blob, blob);
	     i = (i + 1) & (cache->alloc - 1))
		;
	return i;
}

int chg_change_cache_begin(struct chg_change_cache *cache,
			   const struct chg_policy *policy)
{
	char digest[CHG_DIGEST_SIZE];
	int error;

	if ((error = chg_digest_compute(digest, policy->root, NULL)) < 0)
		return error;
	if (strcmp(digest, cache->policy)) {
		cache_clear(cache);
		memcpy(cache->policy, digest, CHG_DIGEST_SIZE);
	}
	return 0;
}

/* `from` at `path` into `to`, sharing its tree. */
static int share_change(struct chg_change *to, const struct chg_change *from,
			const char *path, const struct chg_policy *policy)
{
	memset(to, 0, sizeof(*to));
	if (!(to->path = strdup(path)))
		return CHG_ENOMEM;
	memcpy(to->digest, from->digest, CHG_DIGEST_SIZE);
	to->root = from->root;
	to->shared = 1;
	if (to->root)
		bind_fields(to, policy);
	return 0;
}

/* Appends the diagnostics `from` to `to` with `path`. */
static int copy_diags(struct chg_diag_list *to, const struct chg_diag_list *from,
		      const char *path)
{
	size_t i;
	int error = 0;

	for (i = 0; i < from->n && !error; i++)
		error = chg_diag_add(to, path, from->items[i].line, from->items[i].column,
				     from->items[i].severity, from->items[i].rule, "%s",
				     from->items[i].message);
	return error;
}

static int set_grow(struct chg_change_set *set)
{
	if (set->n == set->alloc) {
		size_t n = set->alloc ? set->alloc * 2 : 16;
		struct chg_change *p = realloc(set->items, n * sizeof(*p));
		if (!p)
			return CHG_ENOMEM;
		set->items = p;
		set->alloc = n;
	}
	return 0;
}

int chg_change_set_add_cached(struct chg_change_set *set,
			      struct chg_change_cache *cache,
			      const git_oid *blob, const char *path,
			      const struct chg_policy *policy,
			      struct chg_diag_list *diags)
{
	const struct cached *hit;
	int error;

	if (!cache->n || !(hit = &cache->items[slot(cache, blob)])->c.path)
		return CHG_ENOTFOUND;
	if ((error = set_grow(set)) < 0)
		return error;
	if ((error = share_change(&set->items[set->n], &hit->c, path, policy)) < 0) {
		chg_change_release(&set->items[set->n]);
		return error;
	}
	set->n++;
	return copy_diags(diags, &hit->diags, path);
}

/*
 * Keeps `c` (moved into the cache: *c is emptied) and its loader
 * diagnostics `d` for `blob`, and stores its entry in *out.
 */
static int cache_put(const struct cached **out, struct chg_change_cache *cache,
		     const git_oid *blob, struct chg_change *c,
		     const struct chg_diag_list *d)
{
	struct cached *e;
	size_t i;
	int error;

	if (2 * (cache->n + 1) > cache->alloc) {
		struct chg_change_cache bigger = { "", NULL, 0, 0 };
		bigger.alloc = cache->alloc ? 2 * cache->alloc : 256;
		if (!(bigger.items = calloc(bigger.alloc, sizeof(*bigger.items))))
			return CHG_ENOMEM;
		for (i = 0; i < cache->alloc; i++)
			if (cache->items[i].c.path)
				bigger.items[slot(&bigger, &cache->items[i].blob)] = cache->items[i];
		free(cache->items);
		cache->items = bigger.items;
		cache->alloc = bigger.alloc;
	}
	e = &cache->items[slot(cache, blob)];
	if (e->c.path) {
		*out = e;
		return 0;
	}
	if ((error = copy_diags(&e->diags, d, "")) < 0) {
		chg_diag_list_release(&e->diags);
		return error;
	}
	e->c = *c;
	memset(c, 0, sizeof(*c));
	git_oid_cpy(&e->blob, blob);
	cache->n++;
	*out = e;
	return 0;
}

int chg_change_set_add_blob(struct chg_change_set *set,
			    struct chg_change_cache *cache,
			    const git_oid *blob, const char *path,
			    const char *buf, size_t len,
			    const struct chg_policy *policy,
			    struct chg_diag_list *diags)
{
	struct chg_diag_list found = CHG_DIAG_LIST_INIT;
	const struct cached *e = NULL;
	struct chg_change c;
	int error;

	/* loaded as "": the cache's, whatever path shares it */
	if ((error = chg_change_load(&c, "", buf, len, policy, &found)) == 0 &&
	    (error = cache_put(&e, cache, blob, &c, &found)) == 0 &&
	    (error = set_grow(set)) == 0) {
		if ((error = share_change(&set->items[set->n], &e->c, path, policy)) < 0)
			chg_change_release(&set->items[set->n]);
		else
			set->n++;
	}
	if (!error)
		error = copy_diags(diags, &found, path);
	chg_change_release(&c);
	chg_diag_list_release(&found);
	return error;
}
