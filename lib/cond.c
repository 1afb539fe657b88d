#include "cond.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pattern.h"
#include "banned.h"

enum cond_kind { COND_ALL, COND_ANY, COND_NOT, COND_FIELD };
enum field_op { OP_VALUES, OP_MATCHES, OP_PRESENT, OP_RANGE };

struct chg_cond {
	enum cond_kind kind;
	/* COND_ALL, COND_ANY, COND_NOT */
	struct chg_cond **sub;
	size_t nsub;
	/* COND_FIELD */
	char *field;
	enum field_op op;
	const struct chg_node *values; /* scalar or sequence, borrowed */
	struct chg_pattern *re;
	int present;
	int has_min, has_max;
	long long min, max;
};

/* Enough for any realistic document; a bigger fan-out is cut off. */
#define RESOLVE_MAX 4096

void chg_cond_free(struct chg_cond *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nsub; i++)
		chg_cond_free(c->sub[i]);
	free(c->sub);
	free(c->field);
	chg_pattern_free(c->re);
	free(c);
}

static int add_sub(struct chg_cond *c, struct chg_cond *sub)
{
	struct chg_cond **p = realloc(c->sub, (c->nsub + 1) * sizeof(*p));

	if (!p)
		return CHG_ENOMEM;
	c->sub = p;
	c->sub[c->nsub++] = sub;
	return 0;
}

static int bad(struct chg_diag_list *diags, const char *path,
	       const struct chg_node *at, const char *what)
{
	if (chg_diag_add(diags, path, at->line, at->column, CHG_SEV_ERROR,
			 "invalid-policy", "%s", what) < 0)
		return CHG_ENOMEM;
	return CHG_EINVALID;
}

int chg_cond_compile_field(struct chg_cond **out, const char *field,
			   const struct chg_node *spec, const char *path,
			   struct chg_diag_list *diags)
{
	struct chg_cond *c;
	const struct chg_node *v;
	char err[256];
	size_t off, i;
	int error = 0;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->field = strdup(field))) {
		free(c);
		return CHG_ENOMEM;
	}
	c->kind = COND_FIELD;
	if (spec->type == CHG_NODE_SCALAR) {
		c->op = OP_VALUES;
		c->values = spec;
	} else if (spec->type == CHG_NODE_SEQUENCE) {
		c->op = OP_VALUES;
		c->values = spec;
		for (i = 0; i < spec->n; i++)
			if (spec->items[i]->type != CHG_NODE_SCALAR) {
				error = bad(diags, path, spec->items[i],
					    "a list of values in a condition may hold only scalars");
				goto cleanup;
			}
	} else if (spec->n != 1) {
		error = bad(diags, path, spec,
			    "a field test is a value, a list of values, or one of {matches: REGEX}, {present: BOOL}, {min: N}, {max: N}");
		goto cleanup;
	} else if ((v = chg_node_get(spec, "matches"))) {
		c->op = OP_MATCHES;
		if (v->type != CHG_NODE_SCALAR) {
			error = bad(diags, path, v, "matches: takes a regular expression");
			goto cleanup;
		}
		error = chg_pattern_compile(&c->re, v->value, err, sizeof(err), &off);
		if (error == CHG_EINVALID) {
			if (chg_diag_add(diags, path, v->line, v->column,
					 CHG_SEV_ERROR, "invalid-policy",
					 "invalid regular expression '%s': %s at offset %zu",
					 v->value, err, off) < 0)
				error = CHG_ENOMEM;
		}
		if (error < 0)
			goto cleanup;
	} else if ((v = chg_node_get(spec, "present"))) {
		c->op = OP_PRESENT;
		if (chg_node_bool(&c->present, v) < 0) {
			error = bad(diags, path, v, "present: takes true or false");
			goto cleanup;
		}
	} else if ((v = chg_node_get(spec, "min")) ||
		   (v = chg_node_get(spec, "max"))) {
		c->op = OP_RANGE;
		if (chg_node_int(chg_node_get(spec, "min") ? &c->min : &c->max, v) < 0) {
			error = bad(diags, path, v, "min: and max: take an integer");
			goto cleanup;
		}
		c->has_min = chg_node_get(spec, "min") != NULL;
		c->has_max = !c->has_min;
	} else {
		error = bad(diags, path, spec->pairs[0].key,
			    "unknown field test: use matches, present, min or max");
		goto cleanup;
	}
	*out = c;
	return 0;
cleanup:
	chg_cond_free(c);
	return error;
}

int chg_cond_compile(struct chg_cond **out, const struct chg_node *when,
		     const char *path, struct chg_diag_list *diags)
{
	struct chg_cond *c, *sub = NULL;
	const struct chg_node *k, *v;
	size_t i, j;
	int error = 0;

	*out = NULL;
	if (when->type != CHG_NODE_MAPPING)
		return bad(diags, path, when,
			   "a condition is a map of field paths to values");
	c = calloc(1, sizeof(*c));
	if (!c)
		return CHG_ENOMEM;
	c->kind = COND_ALL;
	for (i = 0; i < when->n; i++) {
		k = when->pairs[i].key;
		v = when->pairs[i].value;
		if (!strcmp(k->value, "any") || !strcmp(k->value, "all")) {
			struct chg_cond *group;
			if (v->type != CHG_NODE_SEQUENCE) {
				error = bad(diags, path, v, "any: and all: take a list of conditions");
				goto cleanup;
			}
			group = calloc(1, sizeof(*group));
			if (!group) {
				error = CHG_ENOMEM;
				goto cleanup;
			}
			group->kind = k->value[1] == 'n' ? COND_ANY : COND_ALL;
			sub = group;
			for (j = 0; j < v->n; j++) {
				struct chg_cond *item;
				if ((error = chg_cond_compile(&item, v->items[j], path, diags)) < 0)
					goto cleanup;
				if ((error = add_sub(group, item)) < 0) {
					chg_cond_free(item);
					goto cleanup;
				}
			}
		} else if (!strcmp(k->value, "not")) {
			struct chg_cond *inner;
			if ((error = chg_cond_compile(&inner, v, path, diags)) < 0)
				goto cleanup;
			sub = calloc(1, sizeof(*sub));
			if (!sub || add_sub(sub, inner) < 0) {
				chg_cond_free(inner);
				error = CHG_ENOMEM;
				goto cleanup;
			}
			sub->kind = COND_NOT;
		} else {
			if ((error = chg_cond_compile_field(&sub, k->value, v, path, diags)) < 0)
				goto cleanup;
		}
		if ((error = add_sub(c, sub)) < 0)
			goto cleanup;
		sub = NULL;
	}
	*out = c;
	return 0;
cleanup:
	chg_cond_free(sub);
	chg_cond_free(c);
	return error;
}

static size_t resolve(const struct chg_node **out, size_t n, size_t max,
		      const struct chg_node *node, const char *field)
{
	char key[256];
	const char *dot;
	size_t len, i;
	int each;

	if (!node || n >= max)
		return n;
	if (!*field) {
		out[n++] = node;
		return n;
	}
	dot = strchr(field, '.');
	len = dot ? (size_t)(dot - field) : strlen(field);
	each = len >= 2 && field[len - 2] == '[' && field[len - 1] == ']';
	if (each)
		len -= 2;
	if (len >= sizeof(key))
		return n;
	memcpy(key, field, len);
	key[len] = '\0';
	node = chg_node_get(node, key);
	field = dot ? dot + 1 : field + strlen(field);
	if (!node)
		return n;
	if (!each)
		return resolve(out, n, max, node, field);
	if (node->type != CHG_NODE_SEQUENCE)
		return n;
	for (i = 0; i < node->n && n < max; i++)
		n = resolve(out, n, max, node->items[i], field);
	return n;
}

size_t chg_cond_resolve(const struct chg_node **out, size_t max,
			const struct chg_node *doc, const char *field)
{
	return resolve(out, 0, max, doc, field);
}

int chg_scalar_equal(const struct chg_node *a, const struct chg_node *b)
{
	int ba, bb;
	long long ia, ib;

	if (a->type != CHG_NODE_SCALAR || b->type != CHG_NODE_SCALAR)
		return 0;
	if (chg_node_bool(&ba, a) == 0 && chg_node_bool(&bb, b) == 0)
		return ba == bb;
	if (chg_node_int(&ia, a) == 0 && chg_node_int(&ib, b) == 0)
		return ia == ib;
	return a->len == b->len && !memcmp(a->value, b->value, a->len);
}

/* Tests one scalar against a field test. */
static int test_scalar(const struct chg_cond *c, const struct chg_node *s)
{
	long long v;
	size_t i;

	switch (c->op) {
	case OP_VALUES:
		if (c->values->type == CHG_NODE_SCALAR)
			return chg_scalar_equal(s, c->values);
		for (i = 0; i < c->values->n; i++)
			if (chg_scalar_equal(s, c->values->items[i]))
				return 1;
		return 0;
	case OP_MATCHES:
		return chg_pattern_match(c->re, s->value, s->len);
	case OP_RANGE:
		if (chg_node_int(&v, s) < 0)
			return 0;
		return c->has_min ? v >= c->min : v <= c->max;
	default:
		return 0;
	}
}

static int eval_field(const struct chg_cond *c, const struct chg_node *doc,
		      int64_t now)
{
	const struct chg_node *found[RESOLVE_MAX];
	size_t n, i, j;
	int present = 0, rc;

	(void)now;
	n = chg_cond_resolve(found, RESOLVE_MAX, doc, c->field);
	for (i = 0; i < n; i++)
		if (!chg_node_is_null(found[i]))
			present = 1;
	if (c->op == OP_PRESENT)
		return present == c->present;
	for (i = 0; i < n; i++) {
		const struct chg_node *node = found[i];
		if (node->type == CHG_NODE_SCALAR) {
			if ((rc = test_scalar(c, node)) != 0)
				return rc;
		} else if (node->type == CHG_NODE_SEQUENCE) {
			for (j = 0; j < node->n; j++) {
				if (node->items[j]->type != CHG_NODE_SCALAR)
					continue;
				if ((rc = test_scalar(c, node->items[j])) != 0)
					return rc;
			}
		}
	}
	return 0;
}

int chg_cond_eval(const struct chg_cond *c, const struct chg_node *doc,
		  int64_t now)
{
	size_t i;
	int rc;

	switch (c->kind) {
	case COND_FIELD:
		return eval_field(c, doc, now);
	case COND_NOT:
		rc = chg_cond_eval(c->sub[0], doc, now);
		return rc < 0 ? rc : !rc;
	case COND_ANY:
		for (i = 0; i < c->nsub; i++)
			if ((rc = chg_cond_eval(c->sub[i], doc, now)) != 0)
				return rc;
		return 0;
	default:
		for (i = 0; i < c->nsub; i++)
			if ((rc = chg_cond_eval(c->sub[i], doc, now)) != 1)
				return rc;
		return 1;
	}
}

const char *chg_cond_field(const struct chg_cond *c)
{
	while (c->kind == COND_ALL && c->nsub == 1)
		c = c->sub[0];
	return c->kind == COND_FIELD ? c->field : NULL;
}

static int describe_values(struct chg_buf *out, const struct chg_node *v)
{
	size_t i;
	int error = 0;

	if (v->type == CHG_NODE_SCALAR)
		return chg_buf_puts(out, v->value);
	for (i = 0; i < v->n && !error; i++) {
		if (i)
			error = chg_buf_puts(out, i + 1 == v->n ? " or " : ", ");
		if (!error)
			error = chg_buf_puts(out, v->items[i]->value);
	}
	return error;
}

/* Skips groups of one: they mean what their only member means. */
static const struct chg_cond *unwrap(const struct chg_cond *c)
{
	while ((c->kind == COND_ALL || c->kind == COND_ANY) && c->nsub == 1)
		c = c->sub[0];
	return c;
}

int chg_cond_describe(struct chg_buf *out, const struct chg_cond *c)
{
	const struct chg_cond *sub;
	size_t i;
	int error = 0, paren;

	switch (c->kind) {
	case COND_FIELD:
		switch (c->op) {
		case OP_VALUES:
			error = chg_buf_printf(out, "%s is ", c->field);
			return error ? error : describe_values(out, c->values);
		case OP_MATCHES:
			return chg_buf_printf(out, "%s matches '%s'", c->field,
					      chg_pattern_source(c->re));
		case OP_PRESENT:
			return chg_buf_printf(out, "%s is %s", c->field,
					      c->present ? "present" : "absent");
		case OP_RANGE:
			return chg_buf_printf(out, "%s is at %s %lld", c->field,
					      c->has_min ? "least" : "most",
					      c->has_min ? c->min : c->max);
		}
		return 0;
	case COND_NOT:
		error = chg_buf_puts(out, "not (");
		if (!error)
			error = chg_cond_describe(out, c->sub[0]);
		return error ? error : chg_buf_puts(out, ")");
	default:
		for (i = 0; i < c->nsub && !error; i++) {
			/* "a and (b or c)": a group of the other kind nests */
			sub = unwrap(c->sub[i]);
			paren = c->nsub > 1 && sub->nsub > 1 && sub->kind != c->kind &&
				(sub->kind == COND_ALL || sub->kind == COND_ANY);
			if (i)
				error = chg_buf_puts(out, c->kind == COND_ANY ? " or " : " and ");
			if (!error && paren)
				error = chg_buf_puts(out, "(");
			if (!error)
				error = chg_cond_describe(out, sub);
			if (!error && paren)
				error = chg_buf_puts(out, ")");
		}
		return error;
	}
}
