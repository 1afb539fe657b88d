#include "explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "datetime.h"
#include "emit.h"
#include "error.h"
#include "pattern.h"
#include "risk.h"
#include "rules.h"
#include "schedule.h"
#include "banned.h"

/* ---- the built-in checks: the rule registry (rules.h) ---- */

const char *chg_explain_check_id(size_t i)
{
	const struct chg_rule_info *r;
	size_t k, n = 0;

	for (k = 0; (r = chg_rule_at(k)); k++)
		if (r->kind == CHG_RULE_CHECK && n++ == i)
			return r->id;
	return NULL;
}

void chg_explanation_init(struct chg_explanation *e)
{
	memset(e, 0, sizeof(*e));
	chg_buf_init(&e->source);
	chg_buf_init(&e->severity);
	chg_buf_init(&e->when);
	chg_buf_init(&e->requires);
	chg_buf_init(&e->forbids);
	chg_buf_init(&e->description);
	chg_buf_init(&e->failing);
	chg_buf_init(&e->passing);
}

void chg_explanation_release(struct chg_explanation *e)
{
	if (!e)
		return;
	chg_buf_release(&e->source);
	chg_buf_release(&e->severity);
	chg_buf_release(&e->when);
	chg_buf_release(&e->requires);
	chg_buf_release(&e->forbids);
	chg_buf_release(&e->description);
	chg_buf_release(&e->failing);
	chg_buf_release(&e->passing);
	chg_explanation_init(e);
}

/* ---- building example documents ---- */

static struct chg_node *new_scalar(const char *s, int plain)
{
	return chg_node_new_scalar(s, strlen(s), plain, 0, 0);
}

/* Inserts `key`: `value` into `map`; `value` is taken, also on failure. */
static int put(struct chg_node *map, const char *key, struct chg_node *value)
{
	struct chg_node *k;

	if (!value)
		return CHG_ENOMEM;
	k = new_scalar(key, 1);
	if (!k || chg_node_insert(map, k, value) < 0) {
		chg_node_free(k);
		chg_node_free(value);
		return CHG_ENOMEM;
	}
	return 0;
}

static struct chg_pair *find_pair(struct chg_node *map, const char *key)
{
	size_t i;

	for (i = 0; map->type == CHG_NODE_MAPPING && i < map->n; i++)
		if (map->pairs[i].key->type == CHG_NODE_SCALAR &&
		    !strcmp(map->pairs[i].key->value, key))
			return &map->pairs[i];
	return NULL;
}

/* The next step of a dotted path: its key (without "[]") in `key`. */
static const char *step(char *key, size_t size, const char *field, int *each,
			int *last)
{
	const char *dot = strchr(field, '.');
	size_t len = dot ? (size_t)(dot - field) : strlen(field);

	*each = len >= 2 && field[len - 2] == '[' && field[len - 1] == ']';
	if (*each)
		len -= 2;
	if (len >= size)
		len = size - 1;
	memcpy(key, field, len);
	key[len] = '\0';
	*last = !dot;
	return dot ? dot + 1 : field + strlen(field);
}

/*
 * Sets the dotted `field` ("risk.level", "a[].b") of the mapping `doc` to
 * `value` (taken, also on failure), making the maps and lists on the way.
 * Returns 0, CHG_EINVALID (a value on the way is in the way) or CHG_ENOMEM.
 */
static int set_path(struct chg_node *doc, const char *field,
		    struct chg_node *value)
{
	struct chg_node *cur = doc, *next;
	struct chg_pair *pair;
	char key[256];
	int each, last, error;

	if (!value)
		return CHG_ENOMEM;
	for (;;) {
		field = step(key, sizeof(key), field, &each, &last);
		if (cur->type != CHG_NODE_MAPPING) {
			chg_node_free(value);
			return CHG_EINVALID;
		}
		pair = find_pair(cur, key);
		if (last) {
			if (each) {
				struct chg_node *seq = chg_node_new(CHG_NODE_SEQUENCE, 0, 0);
				if (!seq || chg_node_append(seq, value) < 0) {
					chg_node_free(seq);
					chg_node_free(value);
					return CHG_ENOMEM;
				}
				value = seq;
			}
			if (!pair)
				return put(cur, key, value);
			chg_node_free(pair->value);
			pair->value = value;
			return 0;
		}
		if (each) {
			if (!pair) {
				struct chg_node *seq = chg_node_new(CHG_NODE_SEQUENCE, 0, 0);
				if ((error = put(cur, key, seq)) < 0) {
					chg_node_free(value);
					return error;
				}
				pair = find_pair(cur, key);
			}
			if (pair->value->type != CHG_NODE_SEQUENCE) {
				chg_node_free(value);
				return CHG_EINVALID;
			}
			if (!pair->value->n || pair->value->items[0]->type != CHG_NODE_MAPPING) {
				next = chg_node_new(CHG_NODE_MAPPING, 0, 0);
				if (!next || chg_node_append(pair->value, next) < 0) {
					chg_node_free(next);
					chg_node_free(value);
					return CHG_ENOMEM;
				}
			}
			next = pair->value->items[pair->value->n - 1];
		} else {
			if (!pair) {
				if ((error = put(cur, key, chg_node_new(CHG_NODE_MAPPING, 0, 0))) < 0) {
					chg_node_free(value);
					return error;
				}
				pair = find_pair(cur, key);
			}
			if (pair->value->type != CHG_NODE_MAPPING) {
				chg_node_free(value);
				return CHG_EINVALID;
			}
			next = pair->value;
		}
		cur = next;
	}
}

static void remove_pair(struct chg_node *map, struct chg_pair *pair)
{
	size_t i = (size_t)(pair - map->pairs);

	chg_node_free(pair->key);
	chg_node_free(pair->value);
	memmove(&map->pairs[i], &map->pairs[i + 1],
		(map->n - i - 1) * sizeof(*map->pairs));
	map->n--;
}

/*
 * Removes the dotted `field` from `doc` (through the first item of a
 * list), and the maps and lists on the way that it leaves empty.
 */
static void remove_path(struct chg_node *doc, const char *field)
{
	struct chg_pair *pair;
	struct chg_node *next;
	char key[256];
	const char *rest;
	int each, last;

	rest = step(key, sizeof(key), field, &each, &last);
	if (doc->type != CHG_NODE_MAPPING || !(pair = find_pair(doc, key)))
		return;
	if (!last) {
		next = pair->value;
		if (each)
			next = next->type == CHG_NODE_SEQUENCE && next->n ?
			       next->items[0] : NULL;
		if (!next)
			return;
		remove_path(next, rest);
		if (next->n)
			return;
		if (each) {
			/* the list's first item is empty: drop it */
			chg_node_free(next);
			memmove(&pair->value->items[0], &pair->value->items[1],
				(pair->value->n - 1) * sizeof(*pair->value->items));
			if (--pair->value->n)
				return;
		}
	}
	remove_pair(doc, pair);
}

/* The schema of the dotted `field` in the policy's record, or NULL. */
static const struct chg_schema *schema_of(const struct chg_policy *policy,
					  const char *field)
{
	const struct chg_schema *s = &policy->schema;
	char key[256];
	int each, last;
	size_t i;

	for (;;) {
		field = step(key, sizeof(key), field, &each, &last);
		for (i = 0; i < s->nfields; i++)
			if (!strcmp(s->fields[i].name, key))
				break;
		if (i == s->nfields)
			return NULL;
		s = &s->fields[i];
		if (each) {
			if (!s->items)
				return NULL;
			s = s->items;
		}
		if (last)
			return s;
	}
}

/*
 * regex_example: a string that the PCRE2 pattern `src` matches, for the
 * common shapes of patterns in policies: literals, escapes, classes, groups
 * with alternatives (the first is taken), quantifiers (their minimum).  It
 * appends the string to `out` and returns 0, or returns CHG_EINVALID when
 * the pattern uses something else or the string made does not match.
 */
struct rx {
	const char *p;
	struct chg_buf *out;
	int bad;
};

static void rx_alt(struct rx *r);

static void rx_class(struct rx *r)
{
	char first = 0;

	if (*r->p == '^') {
		r->bad = 1;
		return;
	}
	if (*r->p == ']')
		first = *r->p++;
	while (*r->p && *r->p != ']') {
		char c = *r->p++;
		/* a lowercase letter or a digit reads best */
		if (c == 'a' && r->p[0] == '-' && r->p[1] == 'z')
			first = 'a';
		else if (c == '0' && r->p[0] == '-' && r->p[1] == '9' && first != 'a')
			first = '0';
		if (c == '[' && *r->p == ':') {
			r->bad = 1;
			return;
		}
		if (c == '\\') {
			c = *r->p++;
			if (!c) {
				r->bad = 1;
				return;
			}
			c = c == 'd' ? '0' : c == 'w' ? 'a' : c == 's' ? ' ' : c;
		}
		if (!first)
			first = c;
	}
	if (*r->p != ']' || !first) {
		r->bad = 1;
		return;
	}
	r->p++;
	chg_buf_putc(r->out, first);
}

static void rx_atom(struct rx *r)
{
	char c = *r->p++;

	switch (c) {
	case '^':
	case '$':
		return;
	case '.':
		chg_buf_putc(r->out, 'a');
		return;
	case '(':
		if (*r->p == '?') {
			if (r->p[1] != ':') {
				r->bad = 1;
				return;
			}
			r->p += 2;
		}
		rx_alt(r);
		if (r->bad || *r->p != ')') {
			r->bad = 1;
			return;
		}
		r->p++;
		return;
	case '[':
		rx_class(r);
		return;
	case '\\':
		c = *r->p++;
		if (c == 'd')
			chg_buf_putc(r->out, '0');
		else if (c == 'w')
			chg_buf_putc(r->out, 'a');
		else if (c == 's')
			chg_buf_putc(r->out, ' ');
		else if (c == 'b' || c == 'A' || c == 'z' || c == 'Z')
			return;
		else if (!c || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			 (c >= 'A' && c <= 'Z'))
			r->bad = 1;
		else
			chg_buf_putc(r->out, c);
		return;
	case '*':
	case '+':
	case '?':
	case '{':
	case '\0':
		r->bad = 1;
		return;
	default:
		chg_buf_putc(r->out, c);
	}
}

static void rx_quantifier(struct rx *r, size_t start)
{
	struct chg_buf atom = CHG_BUF_INIT;
	long min = 1, i;
	char *end;

	if (*r->p == '*' || *r->p == '?') {
		min = 0;
		r->p++;
	} else if (*r->p == '+') {
		r->p++;
	} else if (*r->p == '{') {
		min = strtol(r->p + 1, &end, 10);
		if (end == r->p + 1 || min < 0 || min > 64) {
			r->bad = 1;
			return;
		}
		if (*end == ',') {
			end++;
			while (*end >= '0' && *end <= '9')
				end++;
		}
		if (*end != '}') {
			r->bad = 1;
			return;
		}
		r->p = end + 1;
	} else {
		return;
	}
	if (*r->p == '?' || *r->p == '+')
		r->p++;
	chg_buf_put(&atom, r->out->ptr + start, r->out->len - start);
	r->out->len = start;
	r->out->ptr[start] = '\0';
	for (i = 0; i < min; i++)
		chg_buf_put(r->out, atom.ptr, atom.len);
	chg_buf_release(&atom);
}

static void rx_seq(struct rx *r)
{
	size_t start;

	while (!r->bad && *r->p && *r->p != '|' && *r->p != ')') {
		start = r->out->len;
		rx_atom(r);
		if (!r->bad)
			rx_quantifier(r, start);
	}
}

static void rx_alt(struct rx *r)
{
	struct chg_buf skipped = CHG_BUF_INIT;
	struct chg_buf *out = r->out;

	rx_seq(r);
	/* the first alternative is the example; the others are skipped */
	while (!r->bad && *r->p == '|') {
		r->p++;
		r->out = &skipped;
		rx_seq(r);
		r->out = out;
	}
	chg_buf_release(&skipped);
}

static int regex_example(struct chg_buf *out, const char *src)
{
	struct chg_buf text = CHG_BUF_INIT;
	struct chg_pattern *re = NULL;
	struct rx r = { src, &text, 0 };
	char err[128];
	size_t off;
	int error;

	rx_alt(&r);
	if (r.bad || *r.p) {
		error = CHG_EINVALID;
		goto cleanup;
	}
	error = chg_pattern_compile(&re, src, err, sizeof(err), &off);
	if (error < 0)
		goto cleanup;
	error = chg_pattern_match(re, text.ptr, text.len);
	if (error == 1)
		error = chg_buf_put(out, text.ptr, text.len);
	else if (error == 0)
		error = CHG_EINVALID;
cleanup:
	chg_pattern_free(re);
	chg_buf_release(&text);
	return error;
}

/*
 * A value that the schema `s` accepts (NULL: any), as a new node: the
 * first enum value, the minimum of an int, a string that matches the
 * pattern, a map of the required fields, ...
 */
static struct chg_node *example_value(const struct chg_schema *s, int depth)
{
	struct chg_buf text = CHG_BUF_INIT;
	struct chg_node *n = NULL, *item;
	char num[32];
	size_t i;

	if (!s || depth > 8)
		return new_scalar("example", 1);
	switch (s->type) {
	case CHG_TYPE_ENUM:
		if (s->values && s->values->n)
			return chg_node_dup(s->values->items[0]);
		return new_scalar("example", 1);
	case CHG_TYPE_BOOL:
		return new_scalar("true", 1);
	case CHG_TYPE_INT:
		snprintf(num, sizeof(num), "%lld",
			 s->has_min ? s->min : s->has_max && s->max < 1 ? s->max : 1);
		return new_scalar(num, 1);
	case CHG_TYPE_TEXT:
		return new_scalar("Example text.", 1);
	case CHG_TYPE_IDENTITY:
		return new_scalar("Jane Doe <jane@example.com>", 1);
	case CHG_TYPE_DATE:
		return new_scalar("2026-12-05", 1);
	case CHG_TYPE_DATETIME:
		return new_scalar("2026-12-05T22:00:00Z", 1);
	case CHG_TYPE_DURATION:
		return new_scalar("1h", 1);
	case CHG_TYPE_LIST:
		n = chg_node_new(CHG_NODE_SEQUENCE, 0, 0);
		if (!n)
			return NULL;
		if (s->values && s->values->n)
			item = chg_node_dup(s->values->items[0]);
		else
			item = example_value(s->items, depth + 1);
		if (!item || chg_node_append(n, item) < 0) {
			chg_node_free(item);
			chg_node_free(n);
			return NULL;
		}
		return n;
	case CHG_TYPE_MAP:
		n = chg_node_new(CHG_NODE_MAPPING, 0, 0);
		for (i = 0; n && i < s->nfields; i++)
			if (s->fields[i].required == CHG_REQ_ALWAYS &&
			    put(n, s->fields[i].name,
				example_value(&s->fields[i], depth + 1)) < 0) {
				chg_node_free(n);
				return NULL;
			}
		return n;
	default:
		if (s->pattern && chg_pattern_match(s->pattern, "example", 7) != 1 &&
		    regex_example(&text, chg_pattern_source(s->pattern)) == 0)
			n = new_scalar(text.ptr, 1);
		else
			n = new_scalar("example", 1);
		chg_buf_release(&text);
		return n;
	}
}

/* A date-time `delta` seconds after the time bound `text`, or NULL. */
static struct chg_node *time_near(const char *text, int64_t now, int64_t delta)
{
	char out[32];
	int64_t t, d;

	if (!strncmp(text, "now", 3)) {
		t = now;
		if (text[3]) {
			if ((text[3] != '+' && text[3] != '-') ||
			    chg_duration_parse(&d, text + 4) < 0)
				return NULL;
			t += text[3] == '-' ? -d : d;
		}
	} else if (chg_datetime_parse(&t, text) < 0 && chg_date_parse(&t, text) < 0) {
		return NULL;
	}
	return new_scalar(chg_datetime_format(out, sizeof(out), t + delta), 1);
}

/*
 * A value for which the field test `spec` (a value, a list of values or a
 * matcher map) holds, as a new node in *out; *out is NULL when the test
 * holds for an absent field ({present: false}).  The schema of the field
 * turns a single value into a list for a list field.  Returns 0,
 * CHG_EINVALID (no value could be made) or CHG_ENOMEM.
 */
static int value_for(struct chg_node **out, const struct chg_node *spec,
		     const struct chg_schema *schema, int64_t now)
{
	const struct chg_node *v;
	struct chg_buf text = CHG_BUF_INIT;
	struct chg_node *n = NULL, *seq;
	int b, error = 0;

	*out = NULL;
	if (spec->type == CHG_NODE_SCALAR) {
		n = chg_node_dup(spec);
	} else if (spec->type == CHG_NODE_SEQUENCE) {
		if (!spec->n)
			return CHG_EINVALID;
		n = chg_node_dup(spec->items[0]);
	} else if ((v = chg_node_get(spec, "present"))) {
		if (chg_node_bool(&b, v) < 0)
			return CHG_EINVALID;
		if (!b)
			return 0;
		/* the whole value the schema wants, lists and all */
		*out = example_value(schema, 0);
		return *out ? 0 : CHG_ENOMEM;
	} else if ((v = chg_node_get(spec, "matches"))) {
		if (!chg_node_str(v) || regex_example(&text, v->value) < 0)
			error = CHG_EINVALID;
		else
			n = new_scalar(text.ptr, 1);
		chg_buf_release(&text);
		if (error)
			return error;
	} else if ((v = chg_node_get(spec, "min")) || (v = chg_node_get(spec, "max"))) {
		n = chg_node_dup(v);
	} else if ((v = chg_node_get(spec, "after")) && chg_node_str(v)) {
		n = time_near(v->value, now, 86400);
	} else if ((v = chg_node_get(spec, "before")) && chg_node_str(v)) {
		n = time_near(v->value, now, -86400);
	} else {
		return CHG_EINVALID;
	}
	if (!n)
		return CHG_ENOMEM;
	if (schema && schema->type == CHG_TYPE_LIST && n->type == CHG_NODE_SCALAR) {
		seq = chg_node_new(CHG_NODE_SEQUENCE, 0, 0);
		if (!seq || chg_node_append(seq, n) < 0) {
			chg_node_free(seq);
			chg_node_free(n);
			return CHG_ENOMEM;
		}
		n = seq;
	}
	*out = n;
	return 0;
}

/*
 * A value for which the field test `spec` does not hold, as a new node,
 * or NULL (with 0) when leaving the field out is the way: the other bool,
 * another integer, another value of the field's enum.
 */
static int value_against(struct chg_node **out, const struct chg_node *spec,
			 const struct chg_schema *schema)
{
	const struct chg_node *one = spec;
	char num[32];
	long long i;
	int b;
	size_t k;

	*out = NULL;
	if (spec->type == CHG_NODE_SEQUENCE)
		one = spec->n ? spec->items[0] : NULL;
	if (!one || one->type != CHG_NODE_SCALAR)
		return 0;
	if (chg_node_bool(&b, one) == 0) {
		*out = new_scalar(b ? "false" : "true", 1);
	} else if (chg_node_int(&i, one) == 0 && i < 1000000) {
		snprintf(num, sizeof(num), "%lld", i + 1);
		*out = new_scalar(num, 1);
	} else if (schema && schema->values) {
		for (k = 0; k < schema->values->n; k++) {
			const struct chg_node *cand = schema->values->items[k];
			if (spec->type == CHG_NODE_SEQUENCE ?
			    !chg_node_seq_has(spec, cand->value) :
			    strcmp(spec->value, cand->value))
				break;
		}
		if (k == schema->values->n)
			return 0;
		*out = chg_node_dup(schema->values->items[k]);
	} else {
		return 0;
	}
	return *out ? 0 : CHG_ENOMEM;
}

/*
 * Sets the fields of `doc` so that the condition `when` (a policy node:
 * field tests, any:, all:, not:) holds, as far as it can be done simply;
 * the caller evaluates the compiled condition to be sure.
 */
static int satisfy(struct chg_node *doc, const struct chg_node *when,
		   const struct chg_policy *policy, int64_t now, int depth)
{
	struct chg_node *v;
	size_t i, j;
	int error;

	if (!when || when->type != CHG_NODE_MAPPING || depth > 16)
		return 0;
	for (i = 0; i < when->n; i++) {
		const char *k = when->pairs[i].key->value;
		const struct chg_node *spec = when->pairs[i].value;

		if (!strcmp(k, "any")) {
			if (spec->type == CHG_NODE_SEQUENCE && spec->n &&
			    (error = satisfy(doc, spec->items[0], policy, now,
					     depth + 1)) < 0)
				return error;
		} else if (!strcmp(k, "all")) {
			for (j = 0; spec->type == CHG_NODE_SEQUENCE && j < spec->n; j++)
				if ((error = satisfy(doc, spec->items[j], policy, now,
						     depth + 1)) < 0)
					return error;
		} else if (strcmp(k, "not")) {
			error = value_for(&v, spec, schema_of(policy, k), now);
			if (error == CHG_ENOMEM)
				return error;
			if (!error && v && (error = set_path(doc, k, v)) == CHG_ENOMEM)
				return error;
		}
	}
	return 0;
}

/* ---- policy rules ---- */

static int all_hold(struct chg_cond *const *tests, size_t n,
		    const struct chg_node *doc, int64_t now, int want)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (chg_cond_eval(tests[i], doc, now) != want)
			return 0;
	return 1;
}

static int emit_example(struct chg_buf *out, const struct chg_node *doc)
{
	int error;

	if (!doc->n)
		return chg_buf_puts(out, "# an empty change request\n");
	error = chg_emit_yaml(out, doc);
	return error == CHG_EINVALID ? 0 : error;
}

/* The test nodes of a rule's require: or forbid: entry `i`. */
static const struct chg_node *test_spec(const struct chg_node *list, size_t i,
					const char **field)
{
	if (list->type == CHG_NODE_SEQUENCE) {
		*field = chg_node_str(list->items[i]);
		return NULL;
	}
	*field = list->pairs[i].key->value;
	return list->pairs[i].value;
}

static int rule_examples(struct chg_explanation *out,
			 const struct chg_policy *policy,
			 const struct chg_rule *rule, int64_t now)
{
	const struct chg_node *req = chg_node_get(rule->node, "require");
	const struct chg_node *forbid = chg_node_get(rule->node, "forbid");
	struct chg_node *base, *fail = NULL, *pass = NULL, *v;
	const struct chg_node *spec;
	const char *field;
	size_t i, n;
	int error, ok;

	base = chg_node_new(CHG_NODE_MAPPING, 0, 0);
	if (!base)
		return CHG_ENOMEM;
	if ((error = satisfy(base, chg_node_get(rule->node, "when"), policy, now,
			     0)) < 0)
		goto cleanup;

	/* passing: every required value set, every forbidden field left out */
	if (!(pass = chg_node_dup(base))) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	n = req && req->type != CHG_NODE_SCALAR ? req->n : 0;
	for (i = 0; i < n; i++) {
		spec = test_spec(req, i, &field);
		if (!field)
			continue;
		if (spec)
			error = value_for(&v, spec, schema_of(policy, field), now);
		else
			error = (v = example_value(schema_of(policy, field), 0)) ? 0 : CHG_ENOMEM;
		if (error == CHG_ENOMEM)
			goto cleanup;
		if (!error && v && (error = set_path(pass, field, v)) == CHG_ENOMEM)
			goto cleanup;
	}
	/* a forbidden field gets another value where one can be made */
	n = forbid && forbid->type != CHG_NODE_SCALAR ? forbid->n : 0;
	for (i = 0; i < n; i++) {
		spec = test_spec(forbid, i, &field);
		if (!field)
			continue;
		v = NULL;
		if (spec && spec->type != CHG_NODE_MAPPING)
			error = value_against(&v, spec, schema_of(policy, field));
		else if (spec && chg_node_get(spec, "matches"))
			error = (v = example_value(schema_of(policy, field), 0)) ? 0 : CHG_ENOMEM;
		if (error == CHG_ENOMEM)
			goto cleanup;
		error = 0;
		if (v && (error = set_path(pass, field, v)) == CHG_ENOMEM)
			goto cleanup;
		if (!v || error || i >= rule->nforbid ||
		    chg_cond_eval(rule->forbid[i], pass, now) != 0)
			remove_path(pass, field);
		error = 0;
	}
	ok = (!rule->when || chg_cond_eval(rule->when, pass, now) == 1) &&
	     all_hold(rule->require, rule->nrequire, pass, now, 1) &&
	     all_hold(rule->forbid, rule->nforbid, pass, now, 0);
	if (ok && (error = emit_example(&out->passing, pass)) < 0)
		goto cleanup;

	/*
	 * failing: from the passing example, the first required value made
	 * different (or left out), else the first forbidden value set
	 */
	error = 0;
	n = req && req->type != CHG_NODE_SCALAR ? req->n : 0;
	for (i = 0; i < n && !out->failing.len; i++) {
		spec = test_spec(req, i, &field);
		if (!field)
			continue;
		chg_node_free(fail);
		if (!(fail = chg_node_dup(ok ? pass : base))) {
			error = CHG_ENOMEM;
			goto cleanup;
		}
		v = NULL;
		if (spec && (error = value_against(&v, spec, schema_of(policy, field))) < 0)
			goto cleanup;
		if (v) {
			if ((error = set_path(fail, field, v)) == CHG_ENOMEM)
				goto cleanup;
		} else {
			remove_path(fail, field);
		}
		if ((!rule->when || chg_cond_eval(rule->when, fail, now) == 1) &&
		    !all_hold(rule->require, rule->nrequire, fail, now, 1) &&
		    (error = emit_example(&out->failing, fail)) < 0)
			goto cleanup;
	}
	n = forbid && forbid->type != CHG_NODE_SCALAR ? forbid->n : 0;
	for (i = 0; i < n && !out->failing.len; i++) {
		spec = test_spec(forbid, i, &field);
		if (!field)
			continue;
		chg_node_free(fail);
		if (!(fail = chg_node_dup(ok ? pass : base))) {
			error = CHG_ENOMEM;
			goto cleanup;
		}
		if (spec)
			error = value_for(&v, spec, schema_of(policy, field), now);
		else
			error = (v = example_value(schema_of(policy, field), 0)) ? 0 : CHG_ENOMEM;
		if (error == CHG_ENOMEM)
			goto cleanup;
		if (error || !v)
			continue;
		if ((error = set_path(fail, field, v)) == CHG_ENOMEM)
			goto cleanup;
		if ((!rule->when || chg_cond_eval(rule->when, fail, now) == 1) &&
		    !all_hold(rule->forbid, rule->nforbid, fail, now, 0) &&
		    (error = emit_example(&out->failing, fail)) < 0)
			goto cleanup;
	}
	error = 0;
cleanup:
	chg_node_free(base);
	chg_node_free(pass);
	chg_node_free(fail);
	return error;
}

static int describe_tests(struct chg_buf *out, struct chg_cond *const *tests,
			  size_t n)
{
	size_t i;
	int error = 0;

	for (i = 0; i < n && !error; i++) {
		if (i)
			error = chg_buf_puts(out, "; ");
		if (!error)
			error = chg_cond_describe(out, tests[i]);
	}
	return error;
}

static int is_builtin(const struct chg_node *n)
{
	return n && n->file && !strcmp(n->file, CHG_POLICY_BUILTIN);
}

int chg_explain_policy_rule(struct chg_explanation *out,
			    const struct chg_policy *policy, const char *id,
			    int64_t now)
{
	const struct chg_rule *rule = NULL;
	const struct chg_node *desc;
	size_t i;
	int error = 0;

	for (i = 0; i < policy->nrules; i++)
		if (!strcmp(policy->rules[i].id, id))
			rule = &policy->rules[i];
	if (!rule)
		return CHG_ENOTFOUND;
	chg_explanation_release(out);
	out->id = rule->id;
	out->policy_rule = 1;
	out->message = rule->message;
	if (is_builtin(rule->node))
		error = chg_buf_puts(&out->source, CHG_EXPLAIN_BUILTIN_POLICY);
	else
		error = chg_buf_printf(&out->source, "%s:%d",
				       rule->node->file ? rule->node->file : policy->path,
				       rule->node->line);
	if (!error)
		error = chg_buf_puts(&out->severity, chg_severity_name(rule->severity));
	if (!error)
		error = rule->when ? chg_cond_describe(&out->when, rule->when) :
			chg_buf_puts(&out->when, "always");
	if (!error)
		error = describe_tests(&out->requires, rule->require, rule->nrequire);
	if (!error)
		error = describe_tests(&out->forbids, rule->forbid, rule->nforbid);

	desc = chg_node_get(rule->node, "description");
	if (!error && chg_node_str(desc) && desc->len)
		error = chg_buf_printf(&out->description, "%s ", desc->value);
	if (!error)
		error = chg_buf_printf(&out->description, "A rule of %s (rules:): ",
				       is_builtin(rule->node) ? "the built-in policy" :
				       rule->node->file ? rule->node->file : policy->path);
	if (!error)
		error = rule->when ?
			chg_buf_printf(&out->description, "when %s, a change request ",
				       out->when.ptr) :
			chg_buf_puts(&out->description, "every change request ");
	if (!error && rule->nrequire)
		error = chg_buf_printf(&out->description, "must meet: %s%s",
				       out->requires.ptr, rule->nforbid ? "; and " : "");
	if (!error && rule->nforbid)
		error = chg_buf_printf(&out->description, "must not meet: %s",
				       out->forbids.ptr);
	if (!error)
		error = chg_buf_printf(&out->description,
				       ".  Each test that fails is reported at its field as %s %s.",
				       rule->severity == CHG_SEV_ERROR ? "an" : "a",
				       chg_severity_name(rule->severity));
	if (!error)
		error = rule_examples(out, policy, rule, now);
	return error;
}

/* ---- built-in checks that depend on the policy ---- */

static int risk_examples(struct chg_explanation *out,
			 const struct chg_policy *policy, int64_t now)
{
	struct chg_node *doc[2] = { NULL, NULL }, *assessment;
	struct chg_risk risk;
	long long share, rest;
	char num[32];
	size_t i, k;
	int error = 0, ok = 1, floor;

	if (policy->nrisk_levels < 2)
		return 0;
	for (k = 0; k < 2 && !error && ok; k++) {
		if (!(doc[k] = chg_node_new(CHG_NODE_MAPPING, 0, 0))) {
			error = CHG_ENOMEM;
			break;
		}
		error = set_path(doc[k], "risk.level",
				 new_scalar(policy->risk_levels[0].name, 1));
		if (!error && policy->nrisk_questions) {
			/* answers that add up to the second level's minimum */
			share = policy->risk_levels[1].min_score /
				(long long)policy->nrisk_questions;
			rest = policy->risk_levels[1].min_score %
			       (long long)policy->nrisk_questions;
			assessment = chg_node_new(CHG_NODE_MAPPING, 0, 0);
			for (i = 0; assessment && i < policy->nrisk_questions; i++) {
				snprintf(num, sizeof(num), "%lld",
					 share + ((long long)i < rest));
				if (put(assessment, policy->risk_questions[i],
					new_scalar(num, 1)) < 0) {
					chg_node_free(assessment);
					assessment = NULL;
				}
			}
			error = set_path(doc[k], "risk.assessment", assessment);
		} else if (!error && policy->nrisk_conditions) {
			error = satisfy(doc[k], chg_node_get(policy->risk_conditions[0].node,
							      "when"), policy, now, 0);
		}
		if (error)
			break;
		/* failing: the lowest level; passing: the level assessed */
		error = chg_risk_assess(&risk, policy, doc[k], now);
		floor = risk.floor;
		chg_risk_release(&risk);
		if (error)
			break;
		if (floor < 1) {
			ok = 0;
			break;
		}
		if (k && (error = set_path(doc[k], "risk.level",
					   new_scalar(policy->risk_levels[floor].name, 1))) < 0)
			break;
		error = chg_risk_assess(&risk, policy, doc[k], now);
		ok = risk.understated == !k;
		chg_risk_release(&risk);
	}
	if (!error && ok) {
		error = emit_example(&out->failing, doc[0]);
		if (!error)
			error = emit_example(&out->passing, doc[1]);
	}
	if (error == CHG_ELIMIT || error == CHG_EINVALID)
		error = 0;
	chg_node_free(doc[0]);
	chg_node_free(doc[1]);
	return error;
}

static int describe_risk(struct chg_explanation *out,
			 const struct chg_policy *policy)
{
	struct chg_buf *d = &out->description;
	size_t i;
	int error = 0;

	if (!policy->nrisk_levels)
		return chg_buf_puts(d, "  This policy has no risk levels (risk.levels), so this rule is never reported.");
	if (policy->nrisk_questions) {
		error = chg_buf_puts(d, "  The assessment adds up the answers to the questions of risk.assessment (");
		for (i = 0; i < policy->nrisk_questions && !error; i++)
			error = chg_buf_printf(d, "%s%s", i ? (i + 1 == policy->nrisk_questions ?
							      " and " : ", ") : "",
					       policy->risk_questions[i]);
		if (!error)
			error = chg_buf_puts(d, ", each an integer) and takes the highest level whose minimum the total reaches: ");
	} else {
		error = chg_buf_puts(d, "  This policy asks no risk questions (risk.questions); its levels are ");
	}
	for (i = 0; i < policy->nrisk_levels && !error; i++)
		error = chg_buf_printf(d, "%s%s from %lld", i ? ", " : "",
				       policy->risk_levels[i].name,
				       policy->risk_levels[i].min_score);
	if (!error)
		error = chg_buf_puts(d, ".");
	if (!error && !policy->nrisk_conditions)
		error = chg_buf_puts(d, "  This policy has no risk conditions (risk.conditions).");
	for (i = 0; i < policy->nrisk_conditions && !error; i++) {
		error = chg_buf_puts(d, i ? "; " : "  Risk conditions raise that floor: ");
		if (!error)
			error = chg_cond_describe(d, policy->risk_conditions[i].when);
		if (!error)
			error = chg_buf_printf(d, " -> at least %s",
					       policy->risk_levels[policy->risk_conditions[i].level].name);
		if (!error && i + 1 == policy->nrisk_conditions)
			error = chg_buf_puts(d, ".");
	}
	if (!error)
		error = chg_buf_puts(d, "  The declared level must be at least the assessed one.");
	return error;
}

static int describe_approvals(struct chg_explanation *out,
			      const struct chg_policy *policy)
{
	struct chg_buf *d = &out->description;
	const struct chg_approval_rule *r;
	size_t i, j;
	int error = 0;

	if (!policy->has_approvals)
		return chg_buf_puts(d, "  This policy has no approvals section, so this rule is never reported.");
	if (!policy->napproval_rules)
		return chg_buf_puts(d, "  This policy has no approval rules, so no change needs an approval.");
	error = chg_buf_puts(d, "  The approval rules of this policy, the first that holds decides: ");
	for (i = 0; i < policy->napproval_rules && !error; i++) {
		r = &policy->approval_rules[i];
		if (i)
			error = chg_buf_puts(d, "; ");
		if (!error && r->when) {
			error = chg_buf_puts(d, "when ");
			if (!error)
				error = chg_cond_describe(d, r->when);
			if (!error)
				error = chg_buf_puts(d, ", ");
		} else if (!error) {
			error = chg_buf_puts(d, i ? "otherwise " : "always ");
		}
		if (!error)
			error = chg_buf_printf(d, "%lld", r->required);
		for (j = 0; !error && r->from && j < r->from->n; j++)
			error = chg_buf_printf(d, "%s%s", j ? (j + 1 == r->from->n ? " or " : ", ") :
					       " from ", r->from->items[j]->value);
	}
	if (!error)
		error = chg_buf_puts(d, ".");
	return error;
}

static int describe_review(struct chg_explanation *out,
			   const struct chg_policy *policy)
{
	struct chg_buf *d = &out->description;
	const struct chg_node *rw = policy->review_within;
	size_t i;
	int error = 0;

	if (!rw || !rw->n || !policy->implemented)
		return chg_buf_puts(d, "  This policy sets no review deadlines, so this rule is never reported.");
	error = chg_buf_puts(d, "  The deadlines of this policy: ");
	for (i = 0; i < rw->n && !error; i++)
		error = chg_buf_printf(d, "%s%s %s", i ? ", " : "",
				       rw->pairs[i].key->value,
				       chg_node_str(rw->pairs[i].value) ?
				       rw->pairs[i].value->value : "?");
	if (!error)
		error = chg_buf_puts(d, ".");
	return error;
}

int chg_explain_check(struct chg_explanation *out,
		      const struct chg_policy *policy, const char *id,
		      int64_t now)
{
	const struct chg_rule_info *c = chg_rule_lookup(id);
	size_t i;
	int error;

	if (!c)
		return CHG_ENOTFOUND;
	chg_explanation_release(out);
	out->id = c->id;
	error = chg_buf_puts(&out->source, CHG_EXPLAIN_BUILTIN_CHECK);
	if (!error)
		error = chg_buf_puts(&out->description, c->help);
	if (!error && c->failing)
		error = chg_buf_puts(&out->failing, c->failing);
	if (!error && c->passing)
		error = chg_buf_puts(&out->passing, c->passing);
	if (error)
		return error;

	if (!strcmp(id, "unknown-field"))
		error = policy->unknown_fields < 0 ?
			chg_buf_puts(&out->severity, "not reported (changes.unknown-fields: ignore)") :
			chg_buf_printf(&out->severity, "%s (changes.unknown-fields)",
				       chg_severity_name((enum chg_severity)policy->unknown_fields));
	else if (!strcmp(id, "window-conflict"))
		error = policy->schedule && policy->schedule->same_system >= 0 ?
			chg_buf_printf(&out->severity, "%s (schedule.conflicts.same-system)",
				       chg_severity_name((enum chg_severity)policy->schedule->same_system)) :
			chg_buf_puts(&out->severity, "not reported (schedule.conflicts.same-system: off)");
	else
		error = chg_buf_puts(&out->severity, c->severity_text ?
				     c->severity_text : chg_severity_name(c->severity));
	if (error)
		return error;

	if (!strcmp(id, "risk-understated")) {
		error = describe_risk(out, policy);
		if (!error)
			error = risk_examples(out, policy, now);
	} else if (!strcmp(id, "missing-approval") ||
		   !strcmp(id, "approver-not-allowed")) {
		error = describe_approvals(out, policy);
	} else if (!strcmp(id, "review-overdue")) {
		error = describe_review(out, policy);
	} else if (!strcmp(id, "pattern-mismatch") && policy->id_pattern) {
		error = chg_buf_printf(&out->description, "  In this policy, %s must match '%s'.",
				       policy->id_field, chg_pattern_source(policy->id_pattern));
	} else if (!strcmp(id, "id-mismatch") && !policy->filename_matches_id) {
		error = chg_buf_puts(&out->description, "  This policy does not ask it (changes.filename-matches-id is not true), so this rule is never reported.");
	} else if ((!strcmp(id, "unsigned-approval") || !strcmp(id, "bad-signature") ||
		    !strcmp(id, "unknown-signer")) && policy->has_approvals) {
		error = chg_buf_printf(&out->description, "  This policy %s signed approvals.",
				       policy->require_signature ? "requires" : "does not require");
	} else if (!strcmp(id, "trust-change-unapproved")) {
		error = chg_buf_printf(&out->description, "  Under this policy the next trust change needs %lld approval%s",
				       policy->trust_rule.required,
				       policy->trust_rule.required == 1 ? "" : "s");
		for (i = 0; !error && policy->trust_rule.from && i < policy->trust_rule.from->n; i++)
			error = chg_buf_printf(&out->description, "%s%s",
					       i ? (i + 1 == policy->trust_rule.from->n ? " or " : ", ") : " from ",
					       policy->trust_rule.from->items[i]->value);
		if (!error)
			error = chg_buf_puts(&out->description, ".");
	} else if (!strcmp(id, "self-approval") && policy->has_approvals) {
		error = chg_buf_printf(&out->description, "  This policy %s separation of duties.",
				       policy->separation_of_duties ? "requires" : "does not require");
	}
	return error;
}

/* ---- close matches ---- */

static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, tmp, best;
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

struct candidate {
	const char *id;
	size_t score;
};

static void consider(struct candidate *cands, size_t *n, size_t cap,
		     const char *id, const char *want)
{
	size_t d = distance(id, want), len = strlen(want), i;
	int contains = len >= 4 && (strstr(id, want) || strstr(want, id));

	if (!*want)
		return;
	if (d == (size_t)-1)
		d = 1000;
	if (d > 2 && d * 3 > len && !contains)
		return;
	for (i = 0; i < *n; i++)
		if (!strcmp(cands[i].id, id))
			return;
	if (*n < cap) {
		cands[*n].id = id;
		cands[*n].score = d;
		(*n)++;
	}
}

size_t chg_explain_similar(const char **out, size_t max,
			   const struct chg_policy *policy, const char *id)
{
	struct candidate cands[256], tmp;
	size_t n = 0, i, j;

	for (i = 0; chg_rule_at(i); i++)
		consider(cands, &n, sizeof(cands) / sizeof(*cands),
			 chg_rule_at(i)->id, id);
	for (i = 0; policy && i < policy->nrules; i++)
		consider(cands, &n, sizeof(cands) / sizeof(*cands),
			 policy->rules[i].id, id);
	/* insertion sort: closest first, then by name */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && (cands[j].score < cands[j - 1].score ||
				      (cands[j].score == cands[j - 1].score &&
				       strcmp(cands[j].id, cands[j - 1].id) < 0)); j--) {
			tmp = cands[j];
			cands[j] = cands[j - 1];
			cands[j - 1] = tmp;
		}
	for (i = 0; i < n && i < max; i++)
		out[i] = cands[i].id;
	return i;
}

/* ---- the policy as one file ---- */

int chg_explain_standalone(struct chg_node **out, struct chg_buf *added,
			   const struct chg_policy *policy)
{
	struct chg_node *root, *groups, *v;
	struct chg_pair *pair, *approvals;
	size_t i, j, at;
	int error = 0, nadded = 0;

	*out = NULL;
	if (!(root = chg_node_dup(policy->root)))
		return CHG_ENOMEM;
	remove_path(root, "extends");
	if ((error = put(root, "extends", new_scalar("none", 1))) < 0)
		goto fail;
	/* after version, where a policy file has it */
	at = find_pair(root, "version") ? (size_t)(find_pair(root, "version") - root->pairs) + 1 : 0;
	if (at < root->n - 1) {
		struct chg_pair ext = root->pairs[root->n - 1];
		memmove(&root->pairs[at + 1], &root->pairs[at],
			(root->n - 1 - at) * sizeof(*root->pairs));
		root->pairs[at] = ext;
	}

	approvals = find_pair(root, "approvals");
	/* the groups of the approval rules, then of approvals.trust */
	for (i = 0; approvals && i <= policy->napproval_rules; i++) {
		const struct chg_node *from = i < policy->napproval_rules ?
			policy->approval_rules[i].from : policy->trust_rule.node ?
			policy->trust_rule.from : NULL;
		for (j = 0; from && j < from->n; j++) {
			const char *name = from->items[j]->value;
			if (!is_builtin(from->items[j]) ||
			    chg_node_get(policy->groups, name))
				continue;
			if (approvals->value->type != CHG_NODE_MAPPING)
				continue;
			pair = find_pair(approvals->value, "groups");
			if (!pair) {
				if ((error = put(approvals->value, "groups",
						 chg_node_new(CHG_NODE_MAPPING, 0, 0))) < 0)
					goto fail;
				pair = find_pair(approvals->value, "groups");
			}
			groups = pair->value;
			if (groups->type != CHG_NODE_MAPPING || find_pair(groups, name))
				continue;
			v = chg_node_new(CHG_NODE_SEQUENCE, 0, 0);
			if ((error = put(groups, name, v)) < 0)
				goto fail;
			if (added && (error = chg_buf_printf(added, "%s%s",
							     nadded++ ? ", " : "", name)) < 0)
				goto fail;
		}
	}
	*out = root;
	return 0;
fail:
	chg_node_free(root);
	return error;
}
