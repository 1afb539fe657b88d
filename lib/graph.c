#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "error.h"
#include "repo.h"
#include "banned.h"

static size_t *slot(const struct chg_graph *g, const git_oid *id)
{
	size_t i;

	for (i = chg_oid_hash(id) & (g->cap - 1); g->slots[i];
	     i = (i + 1) & (g->cap - 1))
		if (git_oid_equal(&g->commits[g->slots[i] - 1].id, id))
			break;
	return &g->slots[i];
}

static int grow_slots(struct chg_graph *g)
{
	size_t cap = g->cap ? g->cap * 2 : 1024, i, *old = g->slots, ocap = g->cap;

	if (!(g->slots = calloc(cap, sizeof(*g->slots)))) {
		g->slots = old;
		return CHG_ENOMEM;
	}
	g->cap = cap;
	for (i = 0; i < ocap; i++)
		if (old[i])
			*slot(g, &g->commits[old[i] - 1].id) = old[i];
	free(old);
	return 0;
}

size_t chg_graph_find(const struct chg_graph *g, const git_oid *id)
{
	size_t s;

	if (!g->cap)
		return CHG_GRAPH_NONE;
	s = *slot(g, id);
	return s ? s - 1 : CHG_GRAPH_NONE;
}

size_t chg_graph_parent(const struct chg_graph *g, size_t i, unsigned int k)
{
	if (i >= g->n || k >= g->commits[i].nparents)
		return CHG_GRAPH_NONE;
	return g->parents[g->commits[i].parent0 + k].index;
}

void chg_graph_release(struct chg_graph *g)
{
	if (!g)
		return;
	free(g->commits);
	free(g->parents);
	free(g->slots);
	free(g->order);
	free(g->rank);
	*g = (struct chg_graph)CHG_GRAPH_INIT;
}

static int cmp_oid(const void *x, const void *y)
{
	return git_oid_cmp(x, y);
}

/* The shallow commits, sorted, from $GIT_DIR/shallow. */
static int read_shallow(git_oid **out, size_t *n, git_repository *repo)
{
	struct chg_buf path = CHG_BUF_INIT;
	char line[128];
	git_oid *list = NULL, *p;
	size_t alloc = 0;
	FILE *f;

	*out = NULL;
	*n = 0;
	if (chg_buf_printf(&path, "%sshallow", git_repository_commondir(repo)) < 0)
		return CHG_ENOMEM;
	f = fopen(path.ptr, "r");
	chg_buf_release(&path);
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			if (!(p = realloc(list, alloc * sizeof(*p)))) {
				fclose(f);
				free(list);
				return CHG_ENOMEM;
			}
			list = p;
		}
		if (git_oid_fromstrn(&list[*n], line, GIT_OID_HEXSZ) == 0)
			(*n)++;
	}
	fclose(f);
	if (*n)
		qsort(list, *n, sizeof(*list), cmp_oid);
	*out = list;
	return 0;
}

/* Whether the message may carry a Change-Request trailer: a cheap test
 * before the trailers are parsed. */
static int may_have_trailers(const char *msg, size_t len)
{
	static const char key[] = "change-request";
	const char *p, *end = msg + len;

	for (p = msg; end - p >= (ptrdiff_t)sizeof(key) - 1; p++)
		if ((*p == 'c' || *p == 'C') && !strncasecmp(p, key, sizeof(key) - 1))
			return 1;
	return 0;
}

static int add_parent(struct chg_graph *g, const char *hex)
{
	struct chg_graph_parent *e;

	if (g->nparents == g->alloc_parents) {
		size_t n = g->alloc_parents ? g->alloc_parents * 2 : 1024;
		if (!(e = realloc(g->parents, n * sizeof(*e))))
			return CHG_ENOMEM;
		g->parents = e;
		g->alloc_parents = n;
	}
	e = &g->parents[g->nparents];
	if (git_oid_fromstrn(&e->id, hex, GIT_OID_HEXSZ) < 0)
		return CHG_EGIT;
	e->index = CHG_GRAPH_NONE;
	g->nparents++;
	return 0;
}

/* Reads the header of the raw commit `data` into `c` and its parents
 * into g->parents. */
static int parse_commit(struct chg_graph *g, struct chg_graph_commit *c,
			const char *data, size_t size)
{
	const char *p = data, *end = data + size, *eol, *gt;
	int have_tree = 0, error;

	c->parent0 = g->nparents;
	while (p < end && *p != '\n') {
		size_t len;

		if (!(eol = memchr(p, '\n', (size_t)(end - p))))
			eol = end;
		len = (size_t)(eol - p);
		if (len >= 5 + GIT_OID_HEXSZ && !memcmp(p, "tree ", 5)) {
			have_tree = git_oid_fromstrn(&c->tree, p + 5, GIT_OID_HEXSZ) == 0;
		} else if (len >= 7 + GIT_OID_HEXSZ && !memcmp(p, "parent ", 7)) {
			if ((error = add_parent(g, p + 7)) < 0)
				return error;
			c->nparents++;
		} else if (len > 10 && !memcmp(p, "committer ", 10)) {
			for (gt = eol; gt > p && gt[-1] != '>'; gt--)
				;
			while (gt < eol && *gt == ' ')
				gt++;
			/* a date past what 64 bits hold is held at the most
			   they do, not wrapped */
			for (c->time = 0; gt < eol && *gt >= '0' && *gt <= '9'; gt++)
				c->time = c->time > (INT64_MAX - 9) / 10 ? INT64_MAX :
					  c->time * 10 + (*gt - '0');
		}
		p = eol + 1;
	}
	if (!have_tree) {
		git_error_set_str(GIT_ERROR_OBJECT, "a commit has no tree");
		return CHG_EGIT;
	}
	p = p < end ? p + 1 : end;
	c->trailers = may_have_trailers(p, (size_t)(end - p));
	return 0;
}

/* Heap of commits free to go, oldest committer date (then id) on top. */
static int older(const struct chg_graph_commit *c, size_t x, size_t y)
{
	if (c[x].time != c[y].time)
		return c[x].time < c[y].time;
	return git_oid_cmp(&c[x].id, &c[y].id) < 0;
}

static void heap_push(size_t *heap, size_t *n, const struct chg_graph_commit *c,
		      size_t v)
{
	size_t i = (*n)++, up;

	heap[i] = v;
	while (i && older(c, heap[i], heap[up = (i - 1) / 2])) {
		size_t t = heap[i];
		heap[i] = heap[up];
		heap[up] = t;
		i = up;
	}
}

static size_t heap_pop(size_t *heap, size_t *n, const struct chg_graph_commit *c)
{
	size_t top = heap[0], i = 0;

	heap[0] = heap[--*n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i, t;
		if (l < *n && older(c, heap[l], heap[m]))
			m = l;
		if (r < *n && older(c, heap[r], heap[m]))
			m = r;
		if (m == i)
			break;
		t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
	return top;
}

/* Links the parents to their commits and puts the commits in order:
 * parents first (Kahn's algorithm). */
static int order(struct chg_graph *g)
{
	size_t *indeg = NULL, *child0 = NULL, *nchildren = NULL, *children = NULL;
	size_t *heap = NULL, nheap = 0, i, k, at = 0;
	int error = 0;

	if (!(indeg = calloc(g->n + 1, sizeof(*indeg))) ||
	    !(child0 = calloc(g->n + 1, sizeof(*child0))) ||
	    !(nchildren = calloc(g->n + 1, sizeof(*nchildren))) ||
	    !(children = calloc(g->nparents + 1, sizeof(*children))) ||
	    !(heap = calloc(g->n + 1, sizeof(*heap))) ||
	    !(g->order = calloc(g->n + 1, sizeof(*g->order))) ||
	    !(g->rank = calloc(g->n + 1, sizeof(*g->rank)))) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < g->n; i++) {
		const struct chg_graph_commit *c = &g->commits[i];
		if (c->cut)
			continue;
		for (k = 0; k < c->nparents; k++) {
			struct chg_graph_parent *e = &g->parents[c->parent0 + k];
			size_t s = *slot(g, &e->id);
			if (!s)
				continue;
			e->index = s - 1;
			nchildren[s - 1]++;
			indeg[i]++;
		}
	}
	for (i = 0; i < g->n; i++) {
		child0[i] = at;
		at += nchildren[i];
		nchildren[i] = 0;
	}
	for (i = 0; i < g->n; i++)
		for (k = 0; k < g->commits[i].nparents; k++) {
			size_t p = g->parents[g->commits[i].parent0 + k].index;
			if (p != CHG_GRAPH_NONE)
				children[child0[p] + nchildren[p]++] = i;
		}
	for (i = 0; i < g->n; i++)
		if (!indeg[i])
			heap_push(heap, &nheap, g->commits, i);
	while (nheap) {
		size_t v = heap_pop(heap, &nheap, g->commits);
		g->rank[v] = g->norder;
		g->order[g->norder++] = v;
		for (k = 0; k < nchildren[v]; k++) {
			size_t c = children[child0[v] + k];
			if (--indeg[c] == 0)
				heap_push(heap, &nheap, g->commits, c);
		}
	}
cleanup:
	free(indeg);
	free(child0);
	free(nchildren);
	free(children);
	free(heap);
	return error;
}

/* A stack of commit ids to read. */
struct stack {
	git_oid *ids;
	size_t n, alloc;
};

static int push(struct stack *s, const git_oid *id)
{
	if (s->n == s->alloc) {
		size_t n = s->alloc ? s->alloc * 2 : 64;
		git_oid *p = realloc(s->ids, n * sizeof(*p));
		if (!p)
			return CHG_ENOMEM;
		s->ids = p;
		s->alloc = n;
	}
	git_oid_cpy(&s->ids[s->n++], id);
	return 0;
}

/*
 * Reads the commit `id` into a new commit of `g` (its parents appended to
 * g->parents).  Returns 1 when it was read; 0 when it is missing or not a
 * commit; CHG_EGIT; CHG_ENOMEM.
 */
static int read_commit(struct chg_graph *g, git_odb *odb, const git_oid *id)
{
	struct chg_graph_commit *c;
	git_odb_object *obj;
	int rc;

	rc = git_odb_read(&obj, odb, id);
	if (rc == GIT_ENOTFOUND)
		return 0;  /* missing: the history is cut here */
	if (rc < 0)
		return CHG_EGIT;
	if (git_odb_object_type(obj) != GIT_OBJECT_COMMIT) {
		git_odb_object_free(obj);
		return 0;
	}
	if (g->n == g->alloc) {
		size_t n = g->alloc ? g->alloc * 2 : 1024;
		struct chg_graph_commit *p = realloc(g->commits, n * sizeof(*p));
		if (!p) {
			git_odb_object_free(obj);
			return CHG_ENOMEM;
		}
		g->commits = p;
		g->alloc = n;
	}
	c = &g->commits[g->n];
	memset(c, 0, sizeof(*c));
	git_oid_cpy(&c->id, id);
	rc = parse_commit(g, c, git_odb_object_data(obj), git_odb_object_size(obj));
	git_odb_object_free(obj);
	return rc < 0 ? rc : 1;
}

int chg_graph_load(struct chg_graph *out, git_repository *repo,
		   const git_oid *tip)
{
	struct stack stack = { NULL, 0, 0 };
	git_oid *shallow = NULL;
	git_odb *odb = NULL;
	size_t nshallow = 0;
	int error;

	if (!tip)
		return 0;
	if (git_repository_odb(&odb, repo) < 0)
		return CHG_EGIT;
	if ((error = read_shallow(&shallow, &nshallow, repo)) < 0 ||
	    (error = grow_slots(out)) < 0 ||
	    (error = push(&stack, tip)) < 0)
		goto cleanup;
	while (stack.n) {
		struct chg_graph_commit *c;
		git_oid id;
		size_t k;

		git_oid_cpy(&id, &stack.ids[--stack.n]);
		if (*slot(out, &id))
			continue;
		if ((error = read_commit(out, odb, &id)) <= 0) {
			if (error < 0)
				break;
			continue;
		}
		error = 0;
		c = &out->commits[out->n];
		c->cut = nshallow &&
			 bsearch(&id, shallow, nshallow, sizeof(*shallow), cmp_oid);
		out->n++;
		if (out->n * 2 > out->cap && (error = grow_slots(out)) < 0)
			break;
		*slot(out, &id) = out->n;
		/* parents pushed last first: the first parent is read first */
		for (k = c->nparents; k-- > 0 && !c->cut;)
			if ((error = push(&stack, &out->parents[c->parent0 + k].id)) < 0)
				goto cleanup;
	}
	if (!error)
		error = order(out);
	if (!error)
		out->tip = chg_graph_find(out, tip);
cleanup:
	free(shallow);
	free(stack.ids);
	git_odb_free(odb);
	return error;
}

int chg_graph_reaches(const struct chg_graph *g, size_t from, size_t to)
{
	unsigned char *seen;
	size_t *stack, n = 0, i, k;
	int found = 0;

	if (from >= g->n || to >= g->n)
		return 0;
	if (from == to)
		return 1;
	/* parents come first: a commit placed before `to` is not on a path
	   from `from` down to it */
	if (g->rank[from] < g->rank[to])
		return 0;
	seen = calloc(g->n, 1);
	stack = malloc(g->n * sizeof(*stack));
	if (!seen || !stack) {
		free(seen);
		free(stack);
		return CHG_ENOMEM;
	}
	seen[from] = 1;
	stack[n++] = from;
	while (n && !found) {
		const struct chg_graph_commit *c = &g->commits[stack[--n]];
		for (k = 0; k < c->nparents && !found; k++) {
			i = g->parents[c->parent0 + k].index;
			if (i == CHG_GRAPH_NONE || seen[i] || g->rank[i] < g->rank[to])
				continue;
			found = i == to;
			seen[i] = 1;
			stack[n++] = i;
		}
	}
	free(seen);
	free(stack);
	return found;
}

int chg_graph_mark(unsigned char *marks, const struct chg_graph *g, size_t from)
{
	size_t *stack, n = 0, i, k;

	if (from >= g->n || marks[from])
		return 0;
	/* each commit is pushed once, when it is marked */
	if (!(stack = malloc(g->n * sizeof(*stack))))
		return CHG_ENOMEM;
	marks[from] = 1;
	stack[n++] = from;
	while (n) {
		const struct chg_graph_commit *c = &g->commits[stack[--n]];
		for (k = 0; k < c->nparents; k++) {
			i = g->parents[c->parent0 + k].index;
			if (i != CHG_GRAPH_NONE && !marks[i]) {
				marks[i] = 1;
				stack[n++] = i;
			}
		}
	}
	free(stack);
	return 0;
}

int chg_graph_mark_from(unsigned char *marks, const struct chg_graph *g,
			git_repository *repo, const git_oid *id)
{
	struct chg_graph outside = CHG_GRAPH_INIT;
	struct stack stack = { NULL, 0, 0 };
	git_oid *shallow = NULL;
	git_odb *odb = NULL;
	size_t nshallow = 0, i;
	int error;

	if ((i = chg_graph_find(g, id)) != CHG_GRAPH_NONE)
		return chg_graph_mark(marks, g, i);
	/* the commits outside `g`, read until the walk reaches it */
	if (git_repository_odb(&odb, repo) < 0)
		return CHG_EGIT;
	if ((error = read_shallow(&shallow, &nshallow, repo)) < 0 ||
	    (error = grow_slots(&outside)) < 0 ||
	    (error = push(&stack, id)) < 0)
		goto cleanup;
	while (stack.n) {
		struct chg_graph_commit *c;
		git_oid at;
		size_t k;

		git_oid_cpy(&at, &stack.ids[--stack.n]);
		if ((i = chg_graph_find(g, &at)) != CHG_GRAPH_NONE) {
			if ((error = chg_graph_mark(marks, g, i)) < 0)
				break;
			continue;
		}
		if (*slot(&outside, &at))
			continue;
		if ((error = read_commit(&outside, odb, &at)) <= 0) {
			if (error < 0)
				break;
			continue;
		}
		error = 0;
		c = &outside.commits[outside.n++];
		if (outside.n * 2 > outside.cap && (error = grow_slots(&outside)) < 0)
			break;
		*slot(&outside, &at) = outside.n;
		if (nshallow && bsearch(&at, shallow, nshallow, sizeof(*shallow), cmp_oid))
			continue;
		for (k = 0; k < c->nparents; k++)
			if ((error = push(&stack, &outside.parents[c->parent0 + k].id)) < 0)
				goto cleanup;
	}
cleanup:
	chg_graph_release(&outside);
	free(shallow);
	free(stack.ids);
	git_odb_free(odb);
	return error;
}
