#include "cond.h"

#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "error.h"
#include "pattern.h"
#include "banned.h"

enum cond_kind { COND_ALL, COND_ANY, COND_NOT, COND_FIELD };
enum field_op { OP_VALUES, OP_MATCHES, OP_PRESENT, OP_RANGE, OP_TIME, OP_ITEMS };

/*
 * One side of a time test: `now` plus `t` seconds when `relative`, else the
 * instant `t` itself.  `text` is the bound as the policy wrote it.
 */
struct time_bound {
	int set;
	int relative;
	int64_t t;
	const struct chg_node *text; /* borrowed */
};

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
	struct time_bound before, after;
};


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

#define SHAPE_MSG \
	"a field test is a value, a list of values, {matches: REGEX}, " \
	"{present: BOOL}, {min: N, max: N}, {min-items: N, max-items: N} " \
	"or {before: TIME, after: TIME}"

/*
 * Reads a time bound: "now", "now+DURATION", "now-DURATION", an RFC 3339
 * date-time or a date (midnight UTC).  Returns 0 or CHG_EINVALID.
 */
static int parse_bound(struct time_bound *out, const struct chg_node *v)
{
	const char *s = v->value;
	int64_t d;

	if (v->type != CHG_NODE_SCALAR || strlen(s) != v->len)
		return CHG_EINVALID;
	out->text = v;
	if (!strncmp(s, "now", 3)) {
		s += 3;
		out->relative = 1;
		out->t = 0;
		if (!*s)
			return 0;
		if ((*s != '+' && *s != '-') || chg_duration_parse(&d, s + 1) < 0)
			return CHG_EINVALID;
		out->t = *s == '-' ? -d : d;
		return 0;
	}
	if (chg_datetime_parse(&out->t, s) == 0 || chg_date_parse(&out->t, s) == 0)
		return 0;
	return CHG_EINVALID;
}

static int compile_bound(struct time_bound *out, const struct chg_node *k,
			 const struct chg_node *v, const char *path,
			 struct chg_diag_list *diags)
{
	int rc;

	out->set = 1;
	if (parse_bound(out, v) == 0)
		return 0;
	if (v->type == CHG_NODE_SCALAR && strlen(v->value) == v->len)
		rc = chg_diag_add(diags, path, v->line, v->column, CHG_SEV_ERROR,
				  "invalid-policy",
				  "%s: takes now, now+DURATION, now-DURATION, a date-time or a date, not '%s'",
				  k->value, v->value);
	else
		rc = chg_diag_add(diags, path, v->line, v->column, CHG_SEV_ERROR,
				  "invalid-policy",
				  "%s: takes now, now+DURATION, now-DURATION, a date-time or a date",
				  k->value);
	return rc < 0 ? CHG_ENOMEM : CHG_EINVALID;
}

/*
 * Compiles a matcher map into `c`: {matches:} or {present:} alone, or
 * either or both of {min:, max:}, or of {before:, after:}.
 */
static int compile_map(struct chg_cond *c, const struct chg_node *spec,
		       const char *path, struct chg_diag_list *diags)
{
	const struct chg_node *k, *v;
	char err[256];
	size_t off, i, ranges = 0, times = 0, counts = 0;
	int error, rc, is_min;

	for (i = 0; i < spec->n; i++) {
		k = spec->pairs[i].key;
		if (k->type != CHG_NODE_SCALAR ||
		    (strcmp(k->value, "matches") && strcmp(k->value, "present") &&
		     strcmp(k->value, "min") && strcmp(k->value, "max") &&
		     strcmp(k->value, "before") && strcmp(k->value, "after") &&
		     strcmp(k->value, "min-items") && strcmp(k->value, "max-items")))
			return bad(diags, path, k,
				   "unknown field test: use matches, present, min, max, min-items, max-items, before or after");
		if (!strcmp(k->value, "min") || !strcmp(k->value, "max"))
			ranges++;
		else if (!strcmp(k->value, "min-items") || !strcmp(k->value, "max-items"))
			counts++;
		else if (!strcmp(k->value, "before") || !strcmp(k->value, "after"))
			times++;
	}
	if (!spec->n || (ranges != spec->n && times != spec->n &&
			 counts != spec->n && spec->n != 1))
		return bad(diags, path, spec, SHAPE_MSG);

	if ((v = chg_node_get(spec, "matches"))) {
		c->op = OP_MATCHES;
		if (v->type != CHG_NODE_SCALAR || chg_node_is_null(v) ||
		    strlen(v->value) != v->len)
			return bad(diags, path, v, "matches: takes a regular expression");
		error = chg_pattern_compile(&c->re, v->value, err, sizeof(err), &off);
		if (error == CHG_EINVALID &&
		    chg_diag_add(diags, path, v->line, v->column, CHG_SEV_ERROR,
				 "invalid-policy",
				 "invalid regular expression '%s': %s at offset %zu",
				 v->value, err, off) < 0)
			error = CHG_ENOMEM;
		return error;
	}
	if ((v = chg_node_get(spec, "present"))) {
		c->op = OP_PRESENT;
		if (chg_node_bool(&c->present, v) < 0)
			return bad(diags, path, v, "present: takes true or false");
		return 0;
	}
	if (ranges || counts) {
		c->op = ranges ? OP_RANGE : OP_ITEMS;
		error = 0;
		for (i = 0; i < spec->n; i++) {
			v = spec->pairs[i].value;
			is_min = !strncmp(spec->pairs[i].key->value, "min", 3);
			if (is_min)
				c->has_min = 1;
			else
				c->has_max = 1;
			if (chg_node_int(is_min ? &c->min : &c->max, v) == 0)
				continue;
			error = bad(diags, path, v, ranges ?
				    "min: and max: take an integer" :
				    "min-items: and max-items: take an integer");
			if (error == CHG_ENOMEM)
				return error;
		}
		return error;
	}
	c->op = OP_TIME;
	error = 0;
	for (i = 0; i < spec->n; i++) {
		k = spec->pairs[i].key;
		rc = compile_bound(!strcmp(k->value, "before") ? &c->before :
				   &c->after, k, spec->pairs[i].value, path, diags);
		if (rc == CHG_ENOMEM)
			return rc;
		if (rc < 0)
			error = rc;
	}
	return error;
}

int chg_cond_compile_field(struct chg_cond **out, const char *field,
			   const struct chg_node *spec, const char *path,
			   struct chg_diag_list *diags)
{
	struct chg_cond *c;
	size_t i;
	int error = 0;

	*out = NULL;
	if (!*field)
		return bad(diags, path, spec,
			   "a condition names an empty field: write the field's dotted path");
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
	} else {
		error = compile_map(c, spec, path, diags);
		if (error < 0)
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

/*
 * Calls visit(node, ctx) for every node the dotted `field` path (with `[]`
 * steps) reaches from `node`, in document order, until visit returns
 * non-zero; returns that value, or 0.  Nothing is copied, so every item of
 * a list is reached however long it is (the loader bounds the tree).
 */
static int walk(const struct chg_node *node, const char *field,
		int (*visit)(const struct chg_node *, void *), void *ctx)
{
	char key[256];
	const char *dot;
	size_t len, i;
	int each, rc;

	if (!node)
		return 0;
	if (!*field)
		return visit(node, ctx);
	dot = strchr(field, '.');
	len = dot ? (size_t)(dot - field) : strlen(field);
	each = len >= 2 && field[len - 2] == '[' && field[len - 1] == ']';
	if (each)
		len -= 2;
	if (len >= sizeof(key))
		return 0;
	memcpy(key, field, len);
	key[len] = '\0';
	node = chg_node_get(node, key);
	field = dot ? dot + 1 : field + strlen(field);
	if (!node)
		return 0;
	if (!each)
		return walk(node, field, visit, ctx);
	if (node->type != CHG_NODE_SEQUENCE)
		return 0;
	for (i = 0; i < node->n; i++)
		if ((rc = walk(node->items[i], field, visit, ctx)) != 0)
			return rc;
	return 0;
}

struct collect {
	const struct chg_node **out;
	size_t n, max;
};

static int collect_node(const struct chg_node *node, void *ctx)
{
	struct collect *c = ctx;

	if (c->n >= c->max)
		return 1;
	c->out[c->n++] = node;
	return 0;
}

size_t chg_cond_resolve(const struct chg_node **out, size_t max,
			const struct chg_node *doc, const char *field)
{
	struct collect c = { out, 0, max };

	walk(doc, field, collect_node, &c);
	return c.n;
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

/* Reads a scalar as an RFC 3339 date-time or a date (midnight UTC). */
static int scalar_time(int64_t *out, const struct chg_node *s)
{
	if (strlen(s->value) != s->len)
		return CHG_EINVALID;
	if (chg_datetime_parse(out, s->value) == 0)
		return 0;
	return chg_date_parse(out, s->value);
}

static int64_t bound_time(const struct time_bound *b, int64_t now)
{
	return b->relative ? now + b->t : b->t;
}

/* Tests one scalar against a field test at the time `now`. */
static int test_scalar(const struct chg_cond *c, const struct chg_node *s,
		       int64_t now)
{
	long long v;
	int64_t t;
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
		return (!c->has_min || v >= c->min) && (!c->has_max || v <= c->max);
	case OP_TIME:
		if (scalar_time(&t, s) < 0)
			return 0;
		return (!c->before.set || t < bound_time(&c->before, now)) &&
		       (!c->after.set || t > bound_time(&c->after, now));
	default:
		return 0;
	}
}

static int is_present(const struct chg_node *node, void *ctx)
{
	(void)ctx;
	return !chg_node_is_null(node);
}

struct field_test {
	const struct chg_cond *c;
	int64_t now;
};

/* Tests a reached node: a scalar, or each scalar item of a list.  Returns
 * non-zero (a match, or an error) to stop the walk. */
static int test_node(const struct chg_node *node, void *ctx)
{
	const struct field_test *t = ctx;
	size_t j;
	int rc;

	if (node->type == CHG_NODE_SCALAR)
		return test_scalar(t->c, node, t->now);
	if (node->type != CHG_NODE_SEQUENCE)
		return 0;
	for (j = 0; j < node->n; j++)
		if (node->items[j]->type == CHG_NODE_SCALAR &&
		    (rc = test_scalar(t->c, node->items[j], t->now)) != 0)
			return rc;
	return 0;
}

/* {min-items, max-items}: the number of items of a list (a scalar is one
 * item, null or an absent field none). */
static int count_in_bounds(const struct chg_cond *c, long long n)
{
	return (!c->has_min || n >= c->min) && (!c->has_max || n <= c->max);
}

static int test_count(const struct chg_node *node, void *ctx)
{
	const struct chg_cond *c = ctx;
	long long n = node->type == CHG_NODE_SEQUENCE ? (long long)node->n :
		      chg_node_is_null(node) ? 0 : 1;

	return count_in_bounds(c, n);
}

static int reached(const struct chg_node *node, void *ctx)
{
	(void)node;
	(void)ctx;
	return 1;
}

static int eval_field(const struct chg_cond *c, const struct chg_node *doc,
		      int64_t now)
{
	struct field_test t = { c, now };

	if (c->op == OP_ITEMS) {
		if (walk(doc, c->field, test_count, (void *)c))
			return 1;
		/* nothing reached counts as no items */
		return !walk(doc, c->field, reached, NULL) && count_in_bounds(c, 0);
	}
	if (c->op == OP_PRESENT)
		return walk(doc, c->field, is_present, NULL) == c->present;
	return walk(doc, c->field, test_node, &t);
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

const char *chg_cond_first_field(const struct chg_cond *c)
{
	const char *f;
	size_t i;

	if (c->kind == COND_FIELD)
		return c->field;
	for (i = 0; i < c->nsub; i++)
		if ((f = chg_cond_first_field(c->sub[i])))
			return f;
	return NULL;
}

const char *chg_cond_value_field(const struct chg_cond *c)
{
	while (c->kind == COND_ALL && c->nsub == 1)
		c = c->sub[0];
	return c->kind == COND_FIELD && c->op == OP_VALUES ? c->field : NULL;
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
			if (c->has_min && c->has_max)
				return chg_buf_printf(out, "%s is at least %lld and at most %lld",
						      c->field, c->min, c->max);
			return chg_buf_printf(out, "%s is at %s %lld", c->field,
					      c->has_min ? "least" : "most",
					      c->has_min ? c->min : c->max);
		case OP_ITEMS:
			if (c->has_min && c->has_max)
				return chg_buf_printf(out, "%s has %lld to %lld items",
						      c->field, c->min, c->max);
			return chg_buf_printf(out, "%s has at %s %lld item%s", c->field,
					      c->has_min ? "least" : "most",
					      c->has_min ? c->min : c->max,
					      (c->has_min ? c->min : c->max) == 1 ? "" : "s");
		case OP_TIME:
			if (c->after.set && c->before.set)
				return chg_buf_printf(out, "%s is after %s and before %s",
						      c->field, c->after.text->value,
						      c->before.text->value);
			return chg_buf_printf(out, "%s is %s %s", c->field,
					      c->after.set ? "after" : "before",
					      (c->after.set ? c->after.text :
					       c->before.text)->value);
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
