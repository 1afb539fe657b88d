#include "policy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "check.h"
#include "datetime.h"
#include "error.h"
#include "schedule.h"
#include "templates.h"
#include "waiver.h"
#include "yaml.h"
#include "banned.h"

struct ctx {
	struct chg_policy *policy;
	struct chg_diag_list *diags;
	int invalid;  /* an error diagnostic was added */
	int nomem;
};

static const char *const type_names[] = {
	"any", "string", "text", "int", "bool", "enum", "identity", "date",
	"datetime", "duration", "list", "map", NULL
};

static const char *file_of(struct ctx *c, const struct chg_node *n)
{
	return n && n->file ? n->file : c->policy->path;
}

__attribute__((format(printf, 3, 4)))
static void bad(struct ctx *c, const struct chg_node *at, const char *fmt, ...)
{
	struct chg_buf msg = CHG_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	if (chg_buf_vprintf(&msg, fmt, ap) < 0)
		c->nomem = 1;
	va_end(ap);
	if (chg_diag_add(c->diags, file_of(c, at), at ? at->line : 0,
			 at ? at->column : 0, CHG_SEV_ERROR, "invalid-policy",
			 "%s", msg.ptr) < 0)
		c->nomem = 1;
	chg_buf_release(&msg);
	c->invalid = 1;
}

/* Notes a compile result from cond.c, which adds its own diagnostics. */
static void note_rc(struct ctx *c, int rc)
{
	if (rc == CHG_ENOMEM)
		c->nomem = 1;
	else if (rc < 0)
		c->invalid = 1;
}

/*
 * Checks that every key of `map` is in the NULL-terminated `keys`.  An
 * unknown key is reported and the rest of the map is still read, so that
 * one check reports every error; returns 0 only when `map` is not a map.
 */
static int check_keys(struct ctx *c, const struct chg_node *map,
		      const char *section, const char *const *keys)
{
	struct chg_buf list = CHG_BUF_INIT;
	size_t i, j;

	if (map->type != CHG_NODE_MAPPING) {
		bad(c, map, "%s must be a map, not a %s", section,
		    chg_node_type_name(map));
		return 0;
	}
	for (i = 0; i < map->n; i++) {
		const struct chg_node *k = map->pairs[i].key;
		for (j = 0; keys[j]; j++)
			if (!strcmp(k->value, keys[j]))
				break;
		if (keys[j])
			continue;
		chg_buf_clear(&list);
		for (j = 0; keys[j]; j++)
			chg_buf_printf(&list, "%s%s", j ? ", " : "", keys[j]);
		bad(c, k, "unknown key '%s' in %s (expected one of: %s)",
		    k->value, section, list.ptr);
	}
	chg_buf_release(&list);
	return 1;
}

static const char *get_str(struct ctx *c, const struct chg_node *map,
			   const char *key, const char *section)
{
	const struct chg_node *v = chg_node_get(map, key);

	if (!v)
		return NULL;
	if (v->type != CHG_NODE_SCALAR || chg_node_is_null(v) || !v->len ||
	    strlen(v->value) != v->len) {
		bad(c, v, "%s.%s must be a non-empty string", section, key);
		return NULL;
	}
	return v->value;
}

static int get_bool(struct ctx *c, const struct chg_node *map, const char *key,
		    const char *section, int dflt)
{
	const struct chg_node *v = chg_node_get(map, key);
	int b;

	if (!v)
		return dflt;
	if (chg_node_bool(&b, v) < 0) {
		bad(c, v, "%s.%s must be true or false", section, key);
		return dflt;
	}
	return b;
}

static int get_int(struct ctx *c, const struct chg_node *v, const char *what,
		   long long *out)
{
	if (chg_node_int(out, v) < 0) {
		bad(c, v, "%s must be an integer", what);
		return 0;
	}
	return 1;
}

/* A sequence of non-empty strings, or NULL (a diagnostic is added). */
static const struct chg_node *get_strlist(struct ctx *c,
					  const struct chg_node *map,
					  const char *key, const char *section)
{
	const struct chg_node *v = chg_node_get(map, key);
	size_t i;

	if (!v)
		return NULL;
	if (v->type != CHG_NODE_SEQUENCE) {
		bad(c, v, "%s.%s must be a list", section, key);
		return NULL;
	}
	for (i = 0; i < v->n; i++)
		if (v->items[i]->type != CHG_NODE_SCALAR ||
		    chg_node_is_null(v->items[i])) {
			bad(c, v->items[i], "%s.%s may hold only strings",
			    section, key);
			return NULL;
		}
	return v;
}

/* Turns a sequence of strings into a NULL-terminated array. */
static const char **str_array(struct ctx *c, const struct chg_node *seq,
			      size_t *n)
{
	const char **a;
	size_t i, count = seq ? seq->n : 0;

	a = calloc(count + 1, sizeof(*a));
	if (!a) {
		c->nomem = 1;
		return NULL;
	}
	for (i = 0; i < count; i++)
		a[i] = seq->items[i]->value;
	if (n)
		*n = count;
	return a;
}

static struct chg_pattern *get_pattern(struct ctx *c, const struct chg_node *v)
{
	struct chg_pattern *re = NULL;
	char err[256];
	size_t off = 0;
	int rc;

	if (v->type != CHG_NODE_SCALAR || chg_node_is_null(v) ||
	    strlen(v->value) != v->len) {
		bad(c, v, "a pattern must be a string (a PCRE2 regular expression)");
		return NULL;
	}
	rc = chg_pattern_compile(&re, v->value, err, sizeof(err), &off);
	if (rc == CHG_EINVALID)
		bad(c, v, "invalid regular expression '%s': %s at offset %zu",
		    v->value, err, off);
	else if (rc < 0)
		c->nomem = 1;
	return re;
}

/* ---- merging ---- */

/* Removes `key` and its value from the mapping `map`, if there. */
static void drop_key(struct chg_node *map, const char *key)
{
	size_t i;

	for (i = 0; map && map->type == CHG_NODE_MAPPING && i < map->n; i++) {
		if (strcmp(map->pairs[i].key->value, key))
			continue;
		chg_node_free(map->pairs[i].key);
		chg_node_free(map->pairs[i].value);
		memmove(&map->pairs[i], &map->pairs[i + 1],
			(map->n - i - 1) * sizeof(*map->pairs));
		map->n--;
		return;
	}
}

static int merge(struct chg_node *dst, const struct chg_node *src)
{
	size_t i, j;
	int error;

	for (i = 0; i < src->n; i++) {
		const struct chg_node *k = src->pairs[i].key;
		const struct chg_node *v = src->pairs[i].value;
		struct chg_node *copy;

		for (j = 0; j < dst->n; j++)
			if (!strcmp(dst->pairs[j].key->value, k->value))
				break;
		if (j < dst->n && dst->pairs[j].value->type == CHG_NODE_MAPPING &&
		    v->type == CHG_NODE_MAPPING) {
			if ((error = merge(dst->pairs[j].value, v)) < 0)
				return error;
			continue;
		}
		if (!(copy = chg_node_dup(v)))
			return CHG_ENOMEM;
		if (j < dst->n) {
			chg_node_free(dst->pairs[j].value);
			dst->pairs[j].value = copy;
		} else {
			struct chg_node *kc = chg_node_dup(k);
			if (!kc || chg_node_insert(dst, kc, copy) < 0) {
				chg_node_free(kc);
				chg_node_free(copy);
				return CHG_ENOMEM;
			}
		}
	}
	return 0;
}

/* ---- schema ---- */

static void schema_release(struct chg_schema *s)
{
	size_t i;

	if (!s)
		return;
	chg_pattern_free(s->pattern);
	chg_cond_free(s->required_when);
	if (s->items) {
		schema_release(s->items);
		free(s->items);
	}
	for (i = 0; i < s->nfields; i++)
		schema_release(&s->fields[i]);
	free(s->fields);
}

static void compile_fields(struct ctx *c, struct chg_schema *s,
			   const struct chg_node *fields, const char *where);

static void compile_schema(struct ctx *c, struct chg_schema *s,
			   const char *name, const struct chg_node *node,
			   const char *where)
{
	static const char *const keys[] = {
		"type", "values", "pattern", "min", "max", "min-items",
		"max-items", "max-length", "items", "fields", "required",
		"description", NULL
	};
	const struct chg_node *v;
	size_t i;
	int bad_type = 0; /* reported once: no "applies to" findings after it */

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->node = node;
	s->min_items = s->max_items = s->max_length = -1;
	if (!check_keys(c, node, where, keys))
		return;

	if ((v = chg_node_get(node, "type"))) {
		for (i = 0; type_names[i]; i++)
			if (v->type == CHG_NODE_SCALAR && !strcmp(v->value, type_names[i]))
				break;
		if (!type_names[i]) {
			bad(c, v, "%s.type must be one of string, text, int, bool, enum, identity, date, datetime, duration, list, map",
			    where);
			bad_type = 1;
		} else {
			s->type = (enum chg_type)i;
		}
	} else if (chg_node_get(node, "fields")) {
		s->type = CHG_TYPE_MAP;
	} else if (chg_node_get(node, "items")) {
		s->type = CHG_TYPE_LIST;
	} else if (chg_node_get(node, "values")) {
		s->type = CHG_TYPE_ENUM;
	}
	if ((v = chg_node_get(node, "values"))) {
		s->values = get_strlist(c, node, "values", where);
		if (s->type != CHG_TYPE_ENUM && s->type != CHG_TYPE_LIST &&
		    !bad_type)
			bad(c, v, "%s.values applies to enum fields", where);
	} else if (s->type == CHG_TYPE_ENUM) {
		bad(c, node, "%s is an enum but has no values", where);
	}
	if ((v = chg_node_get(node, "pattern")))
		s->pattern = get_pattern(c, v);
	if ((v = chg_node_get(node, "min")))
		s->has_min = get_int(c, v, "min", &s->min);
	if ((v = chg_node_get(node, "max")))
		s->has_max = get_int(c, v, "max", &s->max);
	if ((v = chg_node_get(node, "min-items")))
		get_int(c, v, "min-items", &s->min_items);
	if ((v = chg_node_get(node, "max-items")))
		get_int(c, v, "max-items", &s->max_items);
	if ((v = chg_node_get(node, "max-length")))
		get_int(c, v, "max-length", &s->max_length);
	if ((v = chg_node_get(node, "items"))) {
		if (s->type != CHG_TYPE_LIST) {
			if (!bad_type)
				bad(c, v, "%s.items applies to list fields", where);
		} else if (!(s->items = calloc(1, sizeof(*s->items)))) {
			c->nomem = 1;
		} else {
			struct chg_buf w = CHG_BUF_INIT;
			chg_buf_printf(&w, "%s.items", where);
			compile_schema(c, s->items, "items", v, w.ptr);
			chg_buf_release(&w);
		}
	}
	if ((v = chg_node_get(node, "fields"))) {
		if (s->type == CHG_TYPE_MAP)
			compile_fields(c, s, v, where);
		else if (!bad_type)
			bad(c, v, "%s.fields applies to map fields", where);
	}
	if ((v = chg_node_get(node, "required"))) {
		const char *str = chg_node_str(v);
		if (str && !strcmp(str, "always")) {
			s->required = CHG_REQ_ALWAYS;
		} else if (str && !strcmp(str, "never")) {
			s->required = CHG_REQ_NEVER;
		} else if (v->type == CHG_NODE_MAPPING && v->n == 1 &&
			   chg_node_get(v, "when")) {
			s->required = CHG_REQ_WHEN;
			note_rc(c, chg_cond_compile(&s->required_when,
						    chg_node_get(v, "when"),
						    file_of(c, v), c->diags));
		} else {
			bad(c, v, "%s.required must be always, never or {when: CONDITION}",
			    where);
		}
	}
}

static void compile_fields(struct ctx *c, struct chg_schema *s,
			   const struct chg_node *fields, const char *where)
{
	struct chg_buf w = CHG_BUF_INIT;
	size_t i;

	s->closed = 1;
	if (fields->type != CHG_NODE_MAPPING) {
		bad(c, fields, "%s.fields must be a map of field names to schemas",
		    where);
		return;
	}
	s->fields = calloc(fields->n ? fields->n : 1, sizeof(*s->fields));
	if (!s->fields) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < fields->n; i++) {
		const struct chg_pair *p = &fields->pairs[i];
		chg_buf_clear(&w);
		if (*where)
			chg_buf_printf(&w, "%s.%s", where, p->key->value);
		else
			chg_buf_puts(&w, p->key->value);
		compile_schema(c, &s->fields[s->nfields++], p->key->value,
			       p->value, w.ptr);
	}
	chg_buf_release(&w);
}

/* ---- sections ---- */

static void compile_changes(struct ctx *c, const struct chg_node *sec)
{
	static const char *const keys[] = {
		"paths", "id-field", "id-pattern", "filename-matches-id",
		"unknown-fields", NULL
	};
	struct chg_policy *p = c->policy;
	const struct chg_node *v;

	p->id_field = "id";
	p->unknown_fields = CHG_SEV_ERROR;
	if (!sec)
		return;
	if (!check_keys(c, sec, "changes", keys))
		return;
	if ((v = get_strlist(c, sec, "paths", "changes"))) {
		if (!v->n)
			bad(c, v, "changes.paths must name at least one glob");
		p->paths = str_array(c, v, &p->npaths);
	}
	if (get_str(c, sec, "id-field", "changes"))
		p->id_field = get_str(c, sec, "id-field", "changes");
	if ((v = chg_node_get(sec, "id-pattern")))
		p->id_pattern = get_pattern(c, v);
	p->filename_matches_id = get_bool(c, sec, "filename-matches-id",
					  "changes", 0);
	if ((v = chg_node_get(sec, "unknown-fields"))) {
		const char *s = chg_node_str(v);
		if (s && !strcmp(s, "error"))
			p->unknown_fields = CHG_SEV_ERROR;
		else if (s && !strcmp(s, "warning"))
			p->unknown_fields = CHG_SEV_WARNING;
		else if (s && !strcmp(s, "ignore"))
			p->unknown_fields = -1;
		else
			bad(c, v, "changes.unknown-fields must be error, warning or ignore");
	}
}

/* Each state of lifecycle.NAME (`list`) must be one of lifecycle.states. */
static void check_substates(struct ctx *c, const struct chg_node *list,
			    const char *name)
{
	const struct chg_policy *p = c->policy;
	size_t i;

	for (i = 0; list && i < list->n; i++) {
		const struct chg_node *a = list->items[i];

		if (!chg_node_str(a)) {
			bad(c, a, "lifecycle.%s may hold only states", name);
			continue;
		}
		if (!p->states || chg_node_seq_has(p->states, a->value))
			continue;
		/* a conflict with the built-in list is the repository's */
		if (strcmp(file_of(c, a), CHG_POLICY_BUILTIN))
			bad(c, a, "lifecycle.%s names '%s', which is not in lifecycle.states",
			    name, a->value);
		else
			bad(c, p->states, "lifecycle.states leaves out '%s', which the built-in lifecycle.%s names: set lifecycle.%s too",
			    a->value, name, name);
	}
}

/* lifecycle.transitions: a map from each state to the states it may go to. */
static void compile_transitions(struct ctx *c, const struct chg_node *t)
{
	struct chg_policy *p = c->policy;
	size_t i;

	if (!t)
		return;
	if (t->type != CHG_NODE_MAPPING) {
		bad(c, t, "lifecycle.transitions must map each state to the list of states it may change to");
		return;
	}
	for (i = 0; i < t->n; i++) {
		const struct chg_node *k = t->pairs[i].key, *v = t->pairs[i].value;
		struct chg_buf where = CHG_BUF_INIT;

		if (p->states && !chg_node_seq_has(p->states, k->value)) {
			if (strcmp(file_of(c, k), CHG_POLICY_BUILTIN))
				bad(c, k, "lifecycle.transitions names '%s', which is not in lifecycle.states",
				    k->value);
			else
				bad(c, p->states, "lifecycle.states leaves out '%s', which the built-in lifecycle.transitions names: set lifecycle.transitions too",
				    k->value);
			continue;
		}
		if (v->type != CHG_NODE_SEQUENCE) {
			bad(c, v, "lifecycle.transitions.%s must be a list of states", k->value);
			continue;
		}
		if (!get_strlist(c, t, k->value, "lifecycle.transitions"))
			continue;
		chg_buf_printf(&where, "transitions.%s", k->value);
		check_substates(c, v, where.ptr);
		chg_buf_release(&where);
	}
	p->transitions = t;
}

static void compile_lifecycle(struct ctx *c, const struct chg_node *sec)
{
	static const char *const keys[] = {
		"field", "states", "approved", "implemented", "transitions",
		NULL
	};
	struct chg_policy *p = c->policy;

	if (!sec || !check_keys(c, sec, "lifecycle", keys))
		return;
	p->state_field = get_str(c, sec, "field", "lifecycle");
	p->states = get_strlist(c, sec, "states", "lifecycle");
	p->approved = get_strlist(c, sec, "approved", "lifecycle");
	p->implemented = get_strlist(c, sec, "implemented", "lifecycle");
	if (!p->state_field && !chg_node_get(sec, "field"))
		bad(c, sec, "lifecycle.field is required: the field that holds the state");
	check_substates(c, p->approved, "approved");
	check_substates(c, p->implemented, "implemented");
	compile_transitions(c, chg_node_get(sec, "transitions"));
}

static void compile_rule_tests(struct ctx *c, const struct chg_node *spec,
			       const char *what, struct chg_cond ***conds,
			       const char ***fields, size_t *n)
{
	size_t i, count;

	if (spec->type == CHG_NODE_SCALAR) {
		bad(c, spec, "%s must be a list of fields or a map of fields to values",
		    what);
		return;
	}
	count = spec->n;
	*conds = calloc(count + 1, sizeof(**conds));
	*fields = calloc(count + 1, sizeof(**fields));
	if (!*conds || !*fields) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < count; i++) {
		const struct chg_node *field, *test;
		int rc;

		if (spec->type == CHG_NODE_SEQUENCE) {
			field = spec->items[i];
			test = NULL;
		} else {
			field = spec->pairs[i].key;
			test = spec->pairs[i].value;
		}
		if (field->type != CHG_NODE_SCALAR || chg_node_is_null(field)) {
			bad(c, field, "%s must name fields", what);
			continue;
		}
		(*fields)[*n] = field->value;
		if (!test) {
			/* a bare field name: {present: true} */
			struct chg_node *spec_node = chg_node_new(CHG_NODE_MAPPING, 0, 0);
			struct chg_node *k = chg_node_new_scalar("present", 7, 1, 0, 0);
			struct chg_node *v = chg_node_new_scalar("true", 4, 1, 0, 0);
			if (!spec_node || !k || !v || chg_node_insert(spec_node, k, v) < 0) {
				chg_node_free(spec_node);
				chg_node_free(k);
				chg_node_free(v);
				c->nomem = 1;
				return;
			}
			rc = chg_cond_compile_field(&(*conds)[*n], field->value,
						    spec_node, file_of(c, field),
						    c->diags);
			chg_node_free(spec_node);
		} else {
			rc = chg_cond_compile_field(&(*conds)[*n], field->value,
						    test, file_of(c, test), c->diags);
		}
		note_rc(c, rc);
		if (rc == 0)
			(*n)++;
	}
}

static void compile_rules(struct ctx *c, const struct chg_node *sec)
{
	static const char *const keys[] = {
		"id", "when", "require", "forbid", "severity", "message",
		"description", NULL
	};
	struct chg_policy *p = c->policy;
	size_t i, j;

	if (!sec)
		return;
	if (sec->type != CHG_NODE_SEQUENCE) {
		bad(c, sec, "rules must be a list");
		return;
	}
	p->rules = calloc(sec->n + 1, sizeof(*p->rules));
	if (!p->rules) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < sec->n; i++) {
		const struct chg_node *r = sec->items[i], *v;
		struct chg_rule *rule = &p->rules[p->nrules];
		const char *s;

		if (!check_keys(c, r, "a rule", keys))
			continue;
		rule->node = r;
		rule->severity = CHG_SEV_ERROR;
		rule->id = get_str(c, r, "id", "rules[]");
		if (!rule->id) {
			bad(c, r, "a rule needs an id");
			continue;
		}
		for (j = 0; j < p->nrules; j++)
			if (!strcmp(p->rules[j].id, rule->id))
				bad(c, chg_node_get(r, "id"),
				    "rule id '%s' is used twice", rule->id);
		if ((v = chg_node_get(r, "when")))
			note_rc(c, chg_cond_compile(&rule->when, v,
						    file_of(c, v), c->diags));
		if ((v = chg_node_get(r, "require")))
			compile_rule_tests(c, v, "require", &rule->require,
					   &rule->require_fields, &rule->nrequire);
		if ((v = chg_node_get(r, "forbid")))
			compile_rule_tests(c, v, "forbid", &rule->forbid,
					   &rule->forbid_fields, &rule->nforbid);
		if (!rule->require && !rule->forbid)
			bad(c, r, "rule '%s' needs require: or forbid:", rule->id);
		if ((s = get_str(c, r, "severity", "rules[]"))) {
			if (!strcmp(s, "error"))
				rule->severity = CHG_SEV_ERROR;
			else if (!strcmp(s, "warning"))
				rule->severity = CHG_SEV_WARNING;
			else if (!strcmp(s, "note"))
				rule->severity = CHG_SEV_NOTE;
			else
				bad(c, chg_node_get(r, "severity"),
				    "severity must be error, warning or note");
		}
		rule->message = get_str(c, r, "message", "rules[]");
		p->nrules++;
	}
}

static void compile_risk(struct ctx *c, const struct chg_node *sec)
{
	static const char *const keys[] = {
		"questions", "levels", "conditions", NULL
	};
	static const char *const cond_keys[] = { "when", "at-least", NULL };
	struct chg_policy *p = c->policy;
	const struct chg_node *v;
	size_t i;

	if (!sec || !check_keys(c, sec, "risk", keys))
		return;
	p->risk_questions = str_array(c, get_strlist(c, sec, "questions", "risk"),
				      &p->nrisk_questions);
	v = chg_node_get(sec, "levels");
	if (!v || v->type != CHG_NODE_MAPPING || !v->n) {
		bad(c, v ? v : sec, "risk.levels must map each level to its minimum score");
		return;
	}
	p->risk_levels = calloc(v->n, sizeof(*p->risk_levels));
	if (!p->risk_levels) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < v->n; i++) {
		struct chg_risk_level *l = &p->risk_levels[i];
		l->name = v->pairs[i].key->value;
		if (!get_int(c, v->pairs[i].value, "a risk level's minimum score",
			     &l->min_score))
			continue;
		if (i && l->min_score <= p->risk_levels[i - 1].min_score)
			bad(c, strcmp(file_of(c, v->pairs[i].value), CHG_POLICY_BUILTIN) ?
				v->pairs[i].value : v->pairs[i - 1].value,
			    "risk.levels must be listed from lowest to highest, each with a higher minimum score");
	}
	p->nrisk_levels = v->n;

	v = chg_node_get(sec, "conditions");
	if (!v)
		return;
	if (v->type != CHG_NODE_SEQUENCE) {
		bad(c, v, "risk.conditions must be a list");
		return;
	}
	p->risk_conditions = calloc(v->n + 1, sizeof(*p->risk_conditions));
	if (!p->risk_conditions) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < v->n; i++) {
		const struct chg_node *item = v->items[i], *when;
		struct chg_risk_condition *rc = &p->risk_conditions[p->nrisk_conditions];
		const char *level;
		int idx;

		if (!check_keys(c, item, "a risk condition", cond_keys))
			continue;
		when = chg_node_get(item, "when");
		level = get_str(c, item, "at-least", "risk.conditions[]");
		if (!when || !level) {
			bad(c, item, "a risk condition needs when: and at-least:");
			continue;
		}
		idx = chg_policy_risk_level(p, level);
		if (idx < 0) {
			bad(c, chg_node_get(item, "at-least"),
			    "at-least names '%s', which is not in risk.levels", level);
			continue;
		}
		rc->level = (size_t)idx;
		rc->node = item;
		note_rc(c, chg_cond_compile(&rc->when, when, file_of(c, when),
					    c->diags));
		if (rc->when)
			p->nrisk_conditions++;
	}
}

/*
 * The groups of a `from` must be defined; the built-in rules name groups
 * that only a repository defines, and until it does, no one can approve
 * from them.
 */
static void check_from(struct ctx *c, const struct chg_node *from)
{
	size_t j;

	for (j = 0; from && j < from->n; j++)
		if (!chg_node_get(c->policy->groups, from->items[j]->value) &&
		    strcmp(file_of(c, from->items[j]), CHG_POLICY_BUILTIN))
			bad(c, from->items[j],
			    "from names group '%s', which approvals.groups does not define",
			    from->items[j]->value);
}

/*
 * approvals.trust: {required: N, from: [GROUP...]}.  Without it, the
 * built-in quorum: 2 from cab (a policy with `extends: none` gets it too,
 * as it gets the minimum of waivers.not-waivable).
 */
static void compile_trust_rule(struct ctx *c, const struct chg_node *sec)
{
	static const char *const keys[] = { "required", "from", "description", NULL };
	struct chg_policy *p = c->policy;
	struct chg_approval_rule *t = &p->trust_rule;
	const struct chg_node *v = chg_node_get(sec, "trust"), *n;
	struct chg_node *cab;

	t->required = 2;
	if (!v) {
		p->trust_default = chg_node_new(CHG_NODE_SEQUENCE, 0, 0);
		cab = chg_node_new_scalar("cab", 3, 1, 0, 0);
		if (!p->trust_default || !cab || chg_node_append(p->trust_default, cab) < 0) {
			chg_node_free(cab);
			c->nomem = 1;
			return;
		}
		chg_node_set_file(p->trust_default, CHG_POLICY_BUILTIN);
		t->from = p->trust_default;
		return;
	}
	t->node = v;
	if (!check_keys(c, v, "approvals.trust", keys))
		return;
	if (!(n = chg_node_get(v, "required")))
		bad(c, v, "approvals.trust needs required: (the number of approvals a trust change needs)");
	else if (get_int(c, n, "approvals.trust.required", &t->required) && t->required < 0)
		bad(c, n, "approvals.trust.required must not be negative");
	t->from = get_strlist(c, v, "from", "approvals.trust");
	check_from(c, t->from);
}

static void compile_approvals(struct ctx *c, const struct chg_node *sec)
{
	static const char *const keys[] = {
		"require-signature", "require-signed-edits",
		"separation-of-duties", "groups", "rules", "trust", "not-covered",
		NULL
	};
	static const char *const rule_keys[] = {
		"when", "required", "from", "description", NULL
	};
	struct chg_policy *p = c->policy;
	const struct chg_node *v;
	size_t i;

	if (!sec || !check_keys(c, sec, "approvals", keys))
		return;
	p->has_approvals = 1;
	p->require_signature = get_bool(c, sec, "require-signature", "approvals", 1);
	p->require_signed_edits = get_bool(c, sec, "require-signed-edits",
					   "approvals", 0);
	p->separation_of_duties = get_bool(c, sec, "separation-of-duties",
					   "approvals", 1);
	if ((v = chg_node_get(sec, "groups"))) {
		if (v->type != CHG_NODE_MAPPING) {
			bad(c, v, "approvals.groups must map group names to lists of emails");
		} else {
			p->groups = v;
			for (i = 0; i < v->n; i++)
				get_strlist(c, v, v->pairs[i].key->value,
					    "approvals.groups");
		}
	}
	p->not_covered = str_array(c, get_strlist(c, sec, "not-covered", "approvals"),
				   NULL);
	compile_trust_rule(c, sec);
	v = chg_node_get(sec, "rules");
	if (!v)
		return;
	if (v->type != CHG_NODE_SEQUENCE) {
		bad(c, v, "approvals.rules must be a list");
		return;
	}
	p->approval_rules = calloc(v->n + 1, sizeof(*p->approval_rules));
	if (!p->approval_rules) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < v->n; i++) {
		const struct chg_node *r = v->items[i], *w;
		struct chg_approval_rule *ar = &p->approval_rules[p->napproval_rules];

		if (!check_keys(c, r, "an approval rule", rule_keys))
			continue;
		ar->node = r;
		if ((w = chg_node_get(r, "when")))
			note_rc(c, chg_cond_compile(&ar->when, w, file_of(c, w),
						    c->diags));
		if (!(w = chg_node_get(r, "required"))) {
			bad(c, r, "an approval rule needs required: (the number of approvals)");
			chg_cond_free(ar->when);
			ar->when = NULL;
			continue;
		}
		if (get_int(c, w, "required", &ar->required) && ar->required < 0)
			bad(c, w, "required must not be negative");
		ar->from = get_strlist(c, r, "from", "approvals.rules[]");
		check_from(c, ar->from);
		p->napproval_rules++;
	}
}

static void compile_schedule(struct ctx *c, const struct chg_node *sec)
{
	static const char *const keys[] = {
		"timezone", "notice", "review-within", "conflicts",
		"blackouts", "maintenance-windows", "clients", NULL
	};
	const struct chg_node *v;
	size_t i;
	int64_t secs;
	int rc;

	if (sec && !check_keys(c, sec, "schedule", keys))
		sec = NULL;
	rc = chg_schedule_compile(&c->policy->schedule, sec, c->policy->clients,
				  c->policy->path, c->diags);
	note_rc(c, rc);
	if (!sec)
		return;
	if ((v = chg_node_get(sec, "review-within"))) {
		if (v->type != CHG_NODE_MAPPING) {
			bad(c, v, "schedule.review-within must map change types to durations");
			return;
		}
		for (i = 0; i < v->n; i++) {
			const char *d = chg_node_str(v->pairs[i].value);
			if (!d || chg_duration_parse(&secs, d) < 0)
				bad(c, v->pairs[i].value,
				    "schedule.review-within.%s must be a duration such as 5d or 48h",
				    v->pairs[i].key->value);
		}
		c->policy->review_within = v;
	}
}

/*
 * calendar.domain: the domain of the feed's UIDs (ID@domain), a DNS name
 * of letters, digits, hyphens and dots.
 */
static void compile_calendar(struct ctx *c, const struct chg_node *sec)
{
	static const char *const keys[] = { "domain", NULL };
	const struct chg_node *v;
	const char *d, *p;

	if (!sec || !check_keys(c, sec, "calendar", keys))
		return;
	if (!(v = chg_node_get(sec, "domain")))
		return;
	d = chg_node_str(v);
	for (p = d; p && *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			break;
	if (!d || !*d || *p || strlen(d) > 253 || *d == '.' || *d == '-')
		bad(c, v, "calendar.domain must be a domain name such as changes.example.com");
}

/*
 * Findings that decide whether a change is what its approvals say it is:
 * the file could not be read as it was approved (yaml-syntax,
 * duplicate-key, file-too-large), the policy is unusable, the change is
 * not the one the approvals name (id-mismatch, duplicate-id), or the
 * approvals, signatures, transitions and trust changes themselves.  A
 * waiver counts only through those approvals, so waiving any of these
 * would let a change vouch for itself.  They are hard-coded rather than
 * left to templates/policy.yaml because a repository's list replaces the
 * built-in one: such a list must keep them (invalid-policy otherwise), and
 * a policy without a list (`extends: none`) still gets them.
 */
const char *const chg_policy_not_waivable_minimum[] = {
	"yaml-syntax", "duplicate-key", "file-too-large", "invalid-policy",
	"id-mismatch", "duplicate-id", "missing-approval", "stale-approval",
	"self-approval", "approver-not-allowed", "unsigned-approval",
	"bad-signature", "unknown-signer", "signer-mismatch",
	"invalid-transition", "trust-change-unapproved", NULL
};

static void compile_waivers(struct ctx *c, const struct chg_node *sec)
{
	static const char *const keys[] = { "not-waivable", NULL };
	struct chg_policy *p = c->policy;
	struct chg_buf missing = CHG_BUF_INIT;
	const struct chg_node *v;
	size_t i, nmissing = 0;

	/* an approval that did not cover the waivers could not vouch for them */
	v = chg_node_path(p->root, "approvals.not-covered");
	for (i = 0; v && v->type == CHG_NODE_SEQUENCE && i < v->n; i++)
		if (chg_node_str(v->items[i]) &&
		    !strcmp(v->items[i]->value, CHG_WAIVERS_FIELD))
			bad(c, v->items[i], "approvals.not-covered names '%s', but the approvals must cover the waivers they let count",
			    CHG_WAIVERS_FIELD);

	if (!sec || !check_keys(c, sec, "waivers", keys))
		return;
	if (!(v = get_strlist(c, sec, "not-waivable", "waivers")))
		return;
	for (i = 0; chg_policy_not_waivable_minimum[i]; i++) {
		if (chg_node_seq_has(v, chg_policy_not_waivable_minimum[i]))
			continue;
		if (chg_buf_printf(&missing, "%s%s", nmissing++ ? ", " : "",
				   chg_policy_not_waivable_minimum[i]) < 0)
			c->nomem = 1;
	}
	if (nmissing)
		bad(c, v, "waivers.not-waivable leaves out %s: approval and integrity findings can never be waived, so the list must keep every id of the built-in list",
		    missing.ptr);
	chg_buf_release(&missing);
	p->not_waivable = str_array(c, v, NULL);
}

static void compile(struct ctx *c)
{
	static const char *const keys[] = {
		"version", "extends", "changes", "lifecycle", "clients",
		"fields", "rules", "risk", "approvals", "schedule", "waivers",
		"calendar", NULL
	};
	struct chg_policy *p = c->policy;
	const struct chg_node *root = p->root, *v;
	long long version;

	if (!check_keys(c, root, "the policy", keys))
		return;
	if ((v = chg_node_get(root, "version")) &&
	    (chg_node_int(&version, v) < 0 || version != 1))
		bad(c, v, "version must be 1 (the only policy format there is)");
	compile_changes(c, chg_node_get(root, "changes"));
	compile_lifecycle(c, chg_node_get(root, "lifecycle"));
	if (chg_node_get(root, "clients"))
		p->clients = get_strlist(c, root, "clients", "the policy");
	p->schema.name = "";
	p->schema.node = root;
	p->schema.type = CHG_TYPE_MAP;
	p->schema.min_items = p->schema.max_items = p->schema.max_length = -1;
	if ((v = chg_node_get(root, "fields")))
		compile_fields(c, &p->schema, v, "");
	p->schema.closed = p->unknown_fields >= 0;
	compile_rules(c, chg_node_get(root, "rules"));
	compile_risk(c, chg_node_get(root, "risk"));
	compile_approvals(c, chg_node_get(root, "approvals"));
	compile_schedule(c, chg_node_get(root, "schedule"));
	compile_waivers(c, chg_node_get(root, "waivers"));
	compile_calendar(c, chg_node_get(root, "calendar"));
	if (!p->paths) {
		p->paths = calloc(2, sizeof(*p->paths));
		if (!p->paths)
			c->nomem = 1;
		else
			p->paths[0] = "changes/**/*.yaml";
		p->npaths = 1;
	}
}

int chg_policy_load(struct chg_policy **out, const char *buf, size_t len,
		    const char *path, struct chg_diag_list *diags)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	struct chg_node *builtin = NULL, *repo = NULL;
	struct chg_policy *p;
	struct ctx c = { 0 };
	const struct chg_node *ext;
	size_t ndiags = diags->n, i;
	int error;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return CHG_ENOMEM;
	p->path = CHG_POLICY_BUILTIN;
	c.policy = p;
	c.diags = diags;

	error = chg_yaml_load(&builtin, chg_template_policy,
			      chg_template_policy_len, CHG_POLICY_BUILTIN,
			      &opts, diags);
	if (error < 0)
		goto cleanup;
	chg_node_set_file(builtin, CHG_POLICY_BUILTIN);

	if (buf) {
		if (!(p->path = strdup(path)) || !(p->strings = calloc(1, sizeof(char *)))) {
			error = CHG_ENOMEM;
			goto cleanup;
		}
		p->strings[p->nstrings++] = (char *)p->path;
		error = chg_yaml_load(&repo, buf, len, p->path, &opts, diags);
		if (error < 0)
			goto cleanup;
		/*
		 * What the loader reports without ending the load (a
		 * duplicate key, a NUL, a tag) leaves a usable tree: the
		 * policy is invalid, and compiling it still reports the rest.
		 */
		for (i = ndiags; i < diags->n; i++)
			if (diags->items[i].severity == CHG_SEV_ERROR)
				c.invalid = 1;
		chg_node_set_file(repo, p->path);
		ext = chg_node_get(repo, "extends");
		if (ext && (!chg_node_str(ext) ||
			    (strcmp(ext->value, "default") && strcmp(ext->value, "none")))) {
			/* read as default, to report what else is wrong */
			bad(&c, ext, "extends must be default or none");
			ext = NULL;
		}
		if (ext && !strcmp(ext->value, "none")) {
			p->root = repo;
			repo = NULL;
		} else {
			/*
			 * A repository with its own states has its own
			 * lifecycle: the built-in transitions name states it
			 * may not have, and a map merge cannot drop them.
			 */
			if (chg_node_path(repo, "lifecycle.states"))
				drop_key((struct chg_node *)chg_node_get(builtin, "lifecycle"),
					 "transitions");
			if ((error = merge(builtin, repo)) < 0)
				goto cleanup;
			p->root = builtin;
			builtin = NULL;
		}
	} else {
		p->root = builtin;
		builtin = NULL;
	}

	compile(&c);
	if (c.nomem) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	if (c.invalid) {
		error = CHG_EINVALID;
		goto cleanup;
	}
	*out = p;
	p = NULL;
	error = 0;
cleanup:
	chg_node_free(builtin);
	chg_node_free(repo);
	chg_policy_free(p);
	return error;
}

void chg_policy_free(struct chg_policy *p)
{
	size_t i, j;

	if (!p)
		return;
	chg_catalog_release(p->catalog);
	free(p->catalog);
	for (i = 0; i < p->nrules; i++) {
		chg_cond_free(p->rules[i].when);
		for (j = 0; j < p->rules[i].nrequire; j++)
			chg_cond_free(p->rules[i].require[j]);
		for (j = 0; j < p->rules[i].nforbid; j++)
			chg_cond_free(p->rules[i].forbid[j]);
		free(p->rules[i].require);
		free(p->rules[i].require_fields);
		free(p->rules[i].forbid);
		free(p->rules[i].forbid_fields);
	}
	free(p->rules);
	for (i = 0; i < p->nrisk_conditions; i++)
		chg_cond_free(p->risk_conditions[i].when);
	free(p->risk_conditions);
	free(p->risk_levels);
	free(p->risk_questions);
	for (i = 0; i < p->napproval_rules; i++)
		chg_cond_free(p->approval_rules[i].when);
	free(p->approval_rules);
	chg_node_free(p->trust_default);
	chg_schedule_free(p->schedule);
	free(p->not_covered);
	free(p->not_waivable);
	chg_pattern_free(p->id_pattern);
	schema_release(&p->schema);
	free(p->paths);
	chg_node_free(p->root);
	for (i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	free(p);
}

int chg_glob_match(const char *glob, const char *path)
{
	const char *g = glob, *s = path;

	while (*g) {
		if (g[0] == '*' && g[1] == '*' && (g == glob || g[-1] == '/') &&
		    (g[2] == '/' || g[2] == '\0')) {
			/* `**` as a whole component: zero or more components */
			const char *rest = g[2] ? g + 3 : g + 2;
			if (!*rest)
				return 1;
			for (;;) {
				if (chg_glob_match(rest, s))
					return 1;
				s = strchr(s, '/');
				if (!s)
					return 0;
				s++;
			}
		}
		if (*g == '*') {
			g++;
			for (;;) {
				if (chg_glob_match(g, s))
					return 1;
				if (!*s || *s == '/')
					return 0;
				s++;
			}
		}
		if (!*s)
			return 0;
		if (*g == '?') {
			if (*s == '/')
				return 0;
		} else if (*g == '[') {
			const char *p = g + 1;
			int neg = *p == '!' || *p == '^', hit = 0;
			if (neg)
				p++;
			while (*p && (*p != ']' || p == g + 1 + neg)) {
				if (p[1] == '-' && p[2] && p[2] != ']') {
					hit |= *s >= p[0] && *s <= p[2];
					p += 3;
				} else {
					hit |= *s == *p++;
				}
			}
			if (!*p || hit == neg || *s == '/')
				return 0;
			g = p;
		} else if (*g != *s) {
			return 0;
		}
		g++;
		s++;
	}
	return !*s;
}

int chg_policy_is_change_path(const struct chg_policy *policy,
			      const char *path)
{
	size_t i;

	for (i = 0; i < policy->npaths; i++)
		if (chg_glob_match(policy->paths[i], path))
			return 1;
	return 0;
}

int chg_policy_state_needs_approval(const struct chg_policy *policy,
				    const char *state)
{
	return state && chg_node_seq_has(policy->approved, state);
}

int chg_policy_waivable(const struct chg_policy *policy, const char *rule)
{
	size_t i;

	for (i = 0; chg_policy_not_waivable_minimum[i]; i++)
		if (!strcmp(chg_policy_not_waivable_minimum[i], rule))
			return 0;
	for (i = 0; policy->not_waivable && policy->not_waivable[i]; i++)
		if (!strcmp(policy->not_waivable[i], rule))
			return 0;
	return 1;
}

int chg_policy_transition_allowed(const struct chg_policy *policy,
				  const char *from, const char *to)
{
	if (!policy->transitions || !strcmp(from, to))
		return 1;
	return chg_node_seq_has(chg_node_get(policy->transitions, from), to);
}

int chg_policy_risk_level(const struct chg_policy *policy, const char *name)
{
	size_t i;

	for (i = 0; name && i < policy->nrisk_levels; i++)
		if (!strcmp(policy->risk_levels[i].name, name))
			return (int)i;
	return -1;
}

int chg_policy_in_group(const struct chg_policy *policy, const char *group,
			const char *email)
{
	const struct chg_node *members = chg_node_get(policy->groups, group);
	size_t i;

	for (i = 0; members && members->type == CHG_NODE_SEQUENCE && i < members->n; i++)
		if (members->items[i]->type == CHG_NODE_SCALAR &&
		    !strcasecmp(members->items[i]->value, email))
			return 1;
	return 0;
}
