#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "datetime.h"
#include "error.h"
#include "risk.h"
#include "rules.h"
#include "schedule.h"
#include "trailer.h"
#include "yaml.h"
#include "banned.h"

struct run {
	const struct chg_check_context *ctx;
	const struct chg_change *change;
	struct chg_diag_list *diags;
	int error;
};

/* The registry's severity of the built-in `rule` (rules.h). */
static enum chg_severity sev_of(const char *rule)
{
	const struct chg_rule_info *info = chg_rule_lookup(rule);

	return info ? info->severity : CHG_SEV_ERROR;
}

__attribute__((format(printf, 5, 0)))
static void vreport(struct run *r, const struct chg_node *at,
		    enum chg_severity sev, const char *rule, const char *fmt,
		    va_list ap)
{
	struct chg_buf msg = CHG_BUF_INIT;

	if (chg_buf_vprintf(&msg, fmt, ap) < 0)
		r->error = CHG_ENOMEM;
	if (chg_diag_add(r->diags, r->change->path, at ? at->line : 0,
			 at ? at->column : 0, sev, rule, "%s", msg.ptr) < 0)
		r->error = CHG_ENOMEM;
	chg_buf_release(&msg);
}

/* A finding of `rule` whose severity the policy decides: `sev`. */
__attribute__((format(printf, 5, 6)))
static void report(struct run *r, const struct chg_node *at,
		   enum chg_severity sev, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(r, at, sev, rule, fmt, ap);
	va_end(ap);
}

/* A finding of the built-in `rule`, at its registry's severity (rules.h). */
__attribute__((format(printf, 4, 5)))
static void finding(struct run *r, const struct chg_node *at,
		    const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(r, at, sev_of(rule), rule, fmt, ap);
	va_end(ap);
}

static void limit_hit(struct run *r, const struct chg_node *at, const char *what)
{
	finding(r, at, "invalid-value",
	       "%s: a regular expression hit its match limit on this value; simplify the policy's pattern",
	       what);
}

/*
 * Quotes at most 60 bytes of a value for a message, cut at a character
 * boundary: half a UTF-8 character would make the message invalid UTF-8,
 * which JSON and SARIF output cannot carry.
 */
static const char *shorten(char *buf, size_t size, const struct chg_node *n)
{
	size_t len = n->len < size - 4 ? n->len : size - 4;

	while (len < n->len && len > 0 &&
	       ((unsigned char)n->value[len] & 0xc0) == 0x80)
		len--;
	memcpy(buf, n->value, len);
	buf[len] = '\0';
	if (len < n->len)
		memcpy(buf + len, "...", 4);
	return buf;
}

static const char *type_word(enum chg_type t)
{
	switch (t) {
	case CHG_TYPE_STRING: return "a string";
	case CHG_TYPE_TEXT: return "text";
	case CHG_TYPE_INT: return "an integer";
	case CHG_TYPE_BOOL: return "true or false";
	case CHG_TYPE_ENUM: return "one of its values";
	case CHG_TYPE_IDENTITY: return "an identity 'Name <email>'";
	case CHG_TYPE_DATE: return "a date (YYYY-MM-DD)";
	case CHG_TYPE_DATETIME: return "an RFC 3339 date-time";
	case CHG_TYPE_DURATION: return "a duration";
	case CHG_TYPE_LIST: return "a list";
	case CHG_TYPE_MAP: return "a map";
	default: return "a value";
	}
}

static void join_values(struct chg_buf *b, const struct chg_node *values)
{
	size_t i;

	for (i = 0; values && i < values->n; i++)
		chg_buf_printf(b, "%s%s", i ? ", " : "", values->items[i]->value);
}

static int in_values(const struct chg_node *values, const struct chg_node *v)
{
	size_t i;

	for (i = 0; i < values->n; i++)
		if (values->items[i]->len == v->len &&
		    !memcmp(values->items[i]->value, v->value, v->len))
			return 1;
	return 0;
}

static void check_fields(struct run *r, const struct chg_schema *s,
			 const struct chg_node *map, const char *prefix);

/*
 * Whether a quoted scalar would read as what `type` wants had it been
 * written plain: `users: "120"` is the string 120, not the number.
 */
static int reads_as_when_plain(const struct chg_node *v, enum chg_type type)
{
	struct chg_node plain;
	long long n;
	int b;

	if (v->plain)
		return 0;
	plain = *v;
	plain.plain = 1;
	if (type == CHG_TYPE_INT)
		return chg_node_int(&n, &plain) == 0;
	return chg_node_bool(&b, &plain) == 0;
}

/* Reports a date or date-time that did not parse, saying whether the day
 * or time does not exist or the text has the wrong form. */
static void bad_time(struct run *r, const struct chg_node *v, const char *name,
		     const char *q, const struct chg_datetime_problem *why,
		     int with_time)
{
	if (why->impossible && with_time)
		finding(r, v, "invalid-datetime",
		       "%s is '%s', but %s", name, q, why->reason);
	else if (why->impossible)
		finding(r, v, "invalid-datetime", "%s %s", name,
		       why->reason);
	else if (with_time)
		finding(r, v, "invalid-datetime",
		       "%s is not a valid RFC 3339 date-time with offset (such as 2026-12-05T22:00:00Z): '%s'",
		       name, q);
	else
		finding(r, v, "invalid-datetime",
		       "%s is not a valid date (YYYY-MM-DD): '%s'", name, q);
}

static void check_value(struct run *r, const struct chg_schema *s,
			const struct chg_node *v, const char *name)
{
	struct chg_datetime_problem why;
	char q[64];
	long long n;
	int64_t t;
	int b, rc;
	size_t i;

	if (s->type == CHG_TYPE_LIST) {
		struct chg_buf item = CHG_BUF_INIT;
		if (v->type != CHG_NODE_SEQUENCE) {
			finding(r, v, "invalid-type",
			       "%s must be a list, not a %s", name,
			       chg_node_type_name(v));
			return;
		}
		if (s->min_items >= 0 && (long long)v->n < s->min_items)
			finding(r, v, "invalid-value",
			       "%s must have at least %lld item%s", name,
			       s->min_items, s->min_items == 1 ? "" : "s");
		if (s->max_items >= 0 && (long long)v->n > s->max_items)
			finding(r, v, "invalid-value",
			       "%s must have at most %lld item%s (has %zu)", name,
			       s->max_items, s->max_items == 1 ? "" : "s", v->n);
		for (i = 0; i < v->n; i++) {
			if (!s->items && !s->values)
				break;
			chg_buf_clear(&item);
			chg_buf_printf(&item, "%s[%zu]", name, i);
			if (s->items) {
				check_value(r, s->items, v->items[i], item.ptr);
			} else if (v->items[i]->type != CHG_NODE_SCALAR ||
				   !in_values(s->values, v->items[i])) {
				struct chg_buf vals = CHG_BUF_INIT;
				join_values(&vals, s->values);
				finding(r, v->items[i], "invalid-value",
				       "%s must be one of %s", item.ptr, vals.ptr);
				chg_buf_release(&vals);
			}
		}
		chg_buf_release(&item);
		return;
	}
	if (s->type == CHG_TYPE_MAP) {
		if (v->type != CHG_NODE_MAPPING) {
			finding(r, v, "invalid-type",
			       "%s must be a map, not a %s", name,
			       chg_node_type_name(v));
			return;
		}
		check_fields(r, s, v, name);
		return;
	}
	if (s->type == CHG_TYPE_ANY)
		return;
	if (v->type != CHG_NODE_SCALAR) {
		finding(r, v, "invalid-type", "%s must be %s, not a %s",
		       name, type_word(s->type), chg_node_type_name(v));
		return;
	}
	shorten(q, sizeof(q), v);
	if (strlen(v->value) != v->len) {
		/* a "\0" escape, which the loader reported (yaml.h): text
		   functions would stop there, so nothing reads it */
		return;
	}
	switch (s->type) {
	case CHG_TYPE_TEXT:
		if (v->len == strspn(v->value, " \t\r\n")) {
			finding(r, v, "invalid-value",
			       "%s must not be empty", name);
			return;
		}
		break;
	case CHG_TYPE_INT:
		if (chg_node_int(&n, v) < 0 && reads_as_when_plain(v, s->type)) {
			finding(r, v, "invalid-type",
			       "%s must be an integer, not the string \"%s\": a quoted number is a string; remove the quotes (or the !!str tag)",
			       name, q);
			return;
		}
		if (chg_node_int(&n, v) < 0) {
			finding(r, v, "invalid-type",
			       "%s must be an integer, not '%s'", name, q);
			return;
		}
		if (s->has_min && n < s->min)
			finding(r, v, "invalid-value",
			       "%s must be at least %lld, not %lld", name, s->min, n);
		if (s->has_max && n > s->max)
			finding(r, v, "invalid-value",
			       "%s must be at most %lld, not %lld", name, s->max, n);
		return;
	case CHG_TYPE_BOOL:
		if (chg_node_bool(&b, v) < 0 && reads_as_when_plain(v, s->type))
			finding(r, v, "invalid-type",
			       "%s must be true or false, not the string \"%s\": a quoted true or false is a string; remove the quotes (or the !!str tag)",
			       name, q);
		else if (chg_node_bool(&b, v) < 0)
			finding(r, v, "invalid-type",
			       "%s must be true or false, not '%s'", name, q);
		return;
	case CHG_TYPE_ENUM:
		if (!in_values(s->values, v)) {
			struct chg_buf vals = CHG_BUF_INIT;
			join_values(&vals, s->values);
			finding(r, v, "invalid-value",
			       "%s must be one of %s, not '%s'", name, vals.ptr, q);
			chg_buf_release(&vals);
		}
		return;
	case CHG_TYPE_IDENTITY:
		if (chg_ident_parse(NULL, NULL, v->value) < 0 ||
		    strlen(v->value) != v->len) {
			finding(r, v, "invalid-value",
			       "%s must be an identity 'Name <email>', not '%s'",
			       name, q);
			return;
		}
		break;
	case CHG_TYPE_DATE:
		if (chg_date_check(&t, &why, v->value) < 0) {
			bad_time(r, v, name, q, &why, 0);
			return;
		}
		break;
	case CHG_TYPE_DATETIME:
		if (chg_datetime_check(&t, &why, v->value) < 0) {
			bad_time(r, v, name, q, &why, 1);
			return;
		}
		break;
	case CHG_TYPE_DURATION:
		if (chg_duration_parse(&t, v->value) < 0) {
			finding(r, v, "invalid-value",
			       "%s must be a duration such as 30m, 2h or 5d, not '%s'",
			       name, q);
			return;
		}
		break;
	default:
		break;
	}
	if (s->max_length >= 0 && (long long)v->len > s->max_length)
		finding(r, v, "invalid-value",
		       "%s is %zu bytes long; the limit is %lld", name, v->len,
		       s->max_length);
	if (s->pattern) {
		rc = chg_pattern_match(s->pattern, v->value, v->len);
		if (rc == CHG_ENOMEM)
			r->error = rc;
		else if (rc < 0)
			limit_hit(r, v, name);
		else if (!rc)
			finding(r, v, "pattern-mismatch",
			       "%s '%s' does not match the pattern '%s'", name, q,
			       chg_pattern_source(s->pattern));
	}
}

/* Says why a conditionally required field is required. */
static void required_because(struct chg_buf *b, const struct chg_schema *f,
			     const struct chg_node *doc)
{
	const char *field = chg_cond_value_field(f->required_when);
	const struct chg_node *v = field ? chg_node_path(doc, field) : NULL;

	if (field && v && v->type == CHG_NODE_SCALAR && !strcmp(field, "type"))
		chg_buf_printf(b, " for %s changes", v->value);
	else if (field && v && v->type == CHG_NODE_SCALAR)
		chg_buf_printf(b, " when %s is %s", field, v->value);
	else {
		chg_buf_puts(b, " when ");
		chg_cond_describe(b, f->required_when);
	}
}

/* The longest field name considered for a suggestion (bytes). */
#define SUGGEST_MAX 64

/*
 * The optimal string alignment distance between `a` and `b` (insertions,
 * deletions, substitutions and swaps of two neighbours each count one), or
 * `limit` + 1 when it is over `limit`.  Both are at most SUGGEST_MAX bytes.
 */
static size_t edit_distance(const char *a, size_t la, const char *b,
			    size_t lb, size_t limit)
{
	size_t rows[3][SUGGEST_MAX + 1], *prev2, *prev, *cur, *t, i, j, best;

	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	prev2 = rows[0];
	prev = rows[1];
	cur = rows[2];
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = best = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t d = prev[j - 1] + cost;
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
			if (d < best)
				best = d;
		}
		if (best > limit)
			return limit + 1;
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb] <= limit ? prev[lb] : limit + 1;
}

/*
 * The field of `s` that the unknown key `key` of `map` most likely meant:
 * the closest by edit distance, when that distance is small for the
 * key's length (one edit per five bytes, at least one, at most three),
 * and that `map` does not already have.  NULL when there is none.
 */
static const char *closest_field(const struct chg_schema *s,
				 const struct chg_node *map, const char *key)
{
	size_t len = strlen(key), limit, best, d, j;
	const char *found = NULL;

	if (len > SUGGEST_MAX)
		return NULL;
	limit = len / 5;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	best = limit + 1;
	for (j = 0; j < s->nfields; j++) {
		const char *name = s->fields[j].name;
		size_t ln = strlen(name);
		if (ln > SUGGEST_MAX || chg_node_get(map, name))
			continue;
		d = edit_distance(key, len, name, ln, limit);
		if (d < best) {
			best = d;
			found = name;
		}
	}
	return found;
}

/*
 * Sets `b` to the dotted path of field `name` under `prefix` ("" at the
 * top).  Built by hand: it runs for every field of every change request,
 * where a printf costs more than the check it names.
 */
static void field_path(struct chg_buf *b, const char *prefix, const char *name)
{
	chg_buf_clear(b);
	if (*prefix) {
		chg_buf_puts(b, prefix);
		chg_buf_putc(b, '.');
	}
	chg_buf_puts(b, name);
}

static void check_fields(struct run *r, const struct chg_schema *s,
			 const struct chg_node *map, const char *prefix)
{
	const struct chg_node *doc = r->change->root;
	struct chg_buf name = CHG_BUF_INIT, why = CHG_BUF_INIT;
	const char *guess;
	size_t i, j;
	int rc;

	for (i = 0; i < s->nfields; i++) {
		const struct chg_schema *f = &s->fields[i];
		const struct chg_node *v = chg_node_get(map, f->name);

		field_path(&name, prefix, f->name);
		if (!chg_node_is_null(v)) {
			check_value(r, f, v, name.ptr);
			continue;
		}
		if (f->required == CHG_REQ_ALWAYS) {
			finding(r, v ? v : map, "required-field",
			       "%s is required", name.ptr);
		} else if (f->required == CHG_REQ_WHEN) {
			rc = chg_cond_eval(f->required_when, doc, r->ctx->now);
			if (rc == CHG_ENOMEM) {
				r->error = rc;
			} else if (rc < 0) {
				limit_hit(r, map, name.ptr);
			} else if (rc) {
				chg_buf_clear(&why);
				required_because(&why, f, doc);
				finding(r, v ? v : map, "required-field",
				       "%s is required%s", name.ptr, why.ptr);
			}
		}
	}
	if (s->closed && r->ctx->policy->unknown_fields >= 0) {
		for (i = 0; i < map->n; i++) {
			const struct chg_node *k = map->pairs[i].key;
			for (j = 0; j < s->nfields; j++)
				if (!strcmp(s->fields[j].name, k->value))
					break;
			if (j < s->nfields)
				continue;
			field_path(&name, prefix, k->value);
			guess = closest_field(s, map, k->value);
			if (guess)
				report(r, k, (enum chg_severity)r->ctx->policy->unknown_fields,
				       "unknown-field",
				       "unknown field '%s': did you mean '%s%s%s'?",
				       name.ptr, prefix, *prefix ? "." : "", guess);
			else
				report(r, k, (enum chg_severity)r->ctx->policy->unknown_fields,
				       "unknown-field",
				       "unknown field '%s': the policy does not define it (a typo, or add it to the policy's fields)",
				       name.ptr);
		}
	}
	chg_buf_release(&name);
	chg_buf_release(&why);
}

/*
 * Whether the file name's stem (`len` bytes at `stem`) could be the id: it
 * matches the policy's id pattern (any stem does without one).
 */
static int id_fits_pattern(struct run *r, const char *stem, size_t len)
{
	const struct chg_pattern *re = r->ctx->policy->id_pattern;
	int rc;

	if (!len || memchr(stem, '\0', len))
		return 0;
	if (!re)
		return 1;
	rc = chg_pattern_match(re, stem, len);
	if (rc == CHG_ENOMEM)
		r->error = rc;
	return rc > 0;
}

static void check_id(struct run *r)
{
	const struct chg_policy *p = r->ctx->policy;
	const struct chg_change *c = r->change;
	const char *base, *dot;
	size_t len;
	int rc, id_ok = 1, stem_ok;

	if (!c->id)
		return;
	if (p->id_pattern) {
		rc = chg_pattern_match(p->id_pattern, c->id, strlen(c->id));
		if (rc == CHG_ENOMEM)
			r->error = rc;
		else if (rc < 0)
			limit_hit(r, c->id_node, p->id_field);
		else if (!rc)
			finding(r, c->id_node, "pattern-mismatch",
			       "%s '%s' does not match the pattern '%s'", p->id_field,
			       c->id, chg_pattern_source(p->id_pattern));
		id_ok = rc > 0;
	}
	if (p->filename_matches_id) {
		base = strrchr(c->path, '/');
		base = base ? base + 1 : c->path;
		dot = strrchr(base, '.');
		len = dot ? (size_t)(dot - base) : strlen(base);
		if (strlen(c->id) == len && !memcmp(base, c->id, len))
			return;
		stem_ok = id_fits_pattern(r, base, len);
		if (stem_ok && id_ok)
			finding(r, c->id_node, "id-mismatch",
			       "%s %s does not match the file name '%s': rename the file to %s%s, or change the %s to %.*s",
			       p->id_field, c->id, base, c->id, dot ? dot : "",
			       p->id_field, (int)len, base);
		else if (stem_ok)
			finding(r, c->id_node, "id-mismatch",
			       "%s %s does not match the file name '%s'; change the %s to %.*s",
			       p->id_field, c->id, base, p->id_field, (int)len, base);
		else
			finding(r, c->id_node, "id-mismatch",
			       "%s %s does not match the file name '%s'; name the file %s%s",
			       p->id_field, c->id, base, c->id, dot ? dot : "");
	}
}

static int window_of(const struct chg_node *doc, int64_t *start, int64_t *end)
{
	const char *s = chg_node_str(chg_node_path(doc, "window.start"));
	const char *e = chg_node_str(chg_node_path(doc, "window.end"));

	return s && e && chg_datetime_parse(start, s) == 0 &&
	       chg_datetime_parse(end, e) == 0;
}

static void check_window(struct run *r)
{
	const struct chg_node *doc = r->change->root;
	int64_t start, end;

	if (window_of(doc, &start, &end) && end <= start)
		finding(r, chg_node_path(doc, "window.end"),
			"window-order", "window.end %s is not after window.start %s",
		       chg_node_path(doc, "window.end")->value,
		       chg_node_path(doc, "window.start")->value);
}

static void check_risk(struct run *r)
{
	struct chg_risk risk;
	int rc;

	rc = chg_risk_assess(&risk, r->ctx->policy, r->change->root, r->ctx->now);
	if (rc == CHG_ENOMEM)
		r->error = rc;
	else if (rc < 0)
		limit_hit(r, risk.level_node ? risk.level_node : r->change->root,
			  "risk");
	else if (risk.understated)
		finding(r, risk.level_node, "risk-understated",
		       "risk.level %s is below the assessed risk %s (%s); declare at least %s",
		       r->ctx->policy->risk_levels[risk.declared].name,
		       r->ctx->policy->risk_levels[risk.floor].name,
		       risk.explanation.ptr,
		       r->ctx->policy->risk_levels[risk.floor].name);
	chg_risk_release(&risk);
}

/*
 * Reports each field test of a rule that is violated: a `require` test
 * that does not hold (violated_when 0) or a `forbid` test that does (1).
 * A finding is placed at the tested field, else at `cause` (the field the
 * rule's condition tests), else at the document.
 */
static void apply_tests(struct run *r, const struct chg_rule *rule,
			struct chg_cond *const *tests, const char *const *fields,
			size_t n, int violated_when, const char *cause,
			const char *what)
{
	const struct chg_node *doc = r->change->root, *at;
	size_t j;
	int rc;

	for (j = 0; j < n; j++) {
		rc = chg_cond_eval(tests[j], doc, r->ctx->now);
		if (rc == CHG_ENOMEM)
			r->error = rc;
		if (rc < 0)
			limit_hit(r, doc, rule->id);
		if (rc != violated_when)
			continue;
		at = chg_node_path(doc, fields[j]);
		if (!at && cause)
			at = chg_node_path(doc, cause);
		if (rule->message)
			report(r, at ? at : doc, rule->severity, rule->id, "%s",
			       rule->message);
		else
			report(r, at ? at : doc, rule->severity, rule->id,
			       "%s %s rule %s", fields[j], what, rule->id);
	}
}

static void check_rules(struct run *r)
{
	const struct chg_policy *p = r->ctx->policy;
	const struct chg_node *doc = r->change->root;
	size_t i;
	int rc;

	for (i = 0; i < p->nrules; i++) {
		const struct chg_rule *rule = &p->rules[i];
		const char *cause;

		if (rule->when) {
			rc = chg_cond_eval(rule->when, doc, r->ctx->now);
			if (rc == CHG_ENOMEM)
				r->error = rc;
			if (rc < 0)
				limit_hit(r, doc, rule->id);
			if (rc != 1)
				continue;
		}
		cause = rule->when ? chg_cond_first_field(rule->when) : NULL;
		apply_tests(r, rule, rule->require, rule->require_fields,
			    rule->nrequire, 0, cause, "does not meet");
		apply_tests(r, rule, rule->forbid, rule->forbid_fields,
			    rule->nforbid, 1, NULL, "is forbidden by");
	}
}

static void check_client(struct run *r)
{
	const struct chg_node *clients = r->ctx->policy->clients;
	const struct chg_node *v = chg_node_get(r->change->root, "client");
	struct chg_buf list = CHG_BUF_INIT;

	if (!clients || !clients->n || !v || v->type != CHG_NODE_SCALAR ||
	    chg_node_is_null(v) || in_values(clients, v))
		return;
	join_values(&list, clients);
	finding(r, v, "invalid-value",
	       "client '%s' is not one of the policy's clients (%s)", v->value,
	       list.ptr);
	chg_buf_release(&list);
}

static void check_template(struct run *r)
{
	const struct chg_node *v = chg_node_get(r->change->root, "standard-template");
	const struct chg_catalog_entry *e;
	struct chg_buf why = CHG_BUF_INIT;
	int rc;

	if (!v || v->type != CHG_NODE_SCALAR || chg_node_is_null(v))
		return;
	e = r->ctx->catalog ? chg_catalog_find(r->ctx->catalog, v->value) : NULL;
	if (!e) {
		finding(r, v, "unknown-template",
		       "standard-template '%s' is not in the catalog: add .chg/catalog/%s.yaml or name an existing entry",
		       v->value, v->value);
		return;
	}
	if (!e->constraints)
		return;
	rc = chg_cond_eval(e->constraints, r->change->root, r->ctx->now);
	if (rc == CHG_ENOMEM) {
		r->error = rc;
	} else if (rc < 0) {
		limit_hit(r, v, "standard-template");
	} else if (!rc) {
		chg_cond_describe(&why, e->constraints);
		finding(r, v, "invalid-value",
		       "this change does not meet the constraints of standard change '%s' (%s): make it a normal change or change it to fit",
		       e->name, why.ptr);
	}
	chg_buf_release(&why);
}

static void check_review_deadline(struct run *r)
{
	const struct chg_policy *p = r->ctx->policy;
	const struct chg_change *c = r->change;
	const struct chg_node *within;
	int64_t start, end, secs;
	char due[32];

	if (!p->review_within || !c->type || !c->state ||
	    !chg_node_seq_has(p->implemented, c->state) ||
	    !chg_node_is_null(chg_node_get(c->root, "review")))
		return;
	within = chg_node_get(p->review_within, c->type);
	if (!chg_node_str(within) || chg_duration_parse(&secs, within->value) < 0)
		return;
	if (!window_of(c->root, &start, &end) || r->ctx->now <= end + secs)
		return;
	finding(r, c->state_node, "review-overdue",
	       "the post-implementation review of this %s change was due by %s (%s after its window ended); add a review section",
	       c->type, chg_datetime_format(due, sizeof(due), end + secs),
	       within->value);
}

int chg_check_change(const struct chg_check_context *ctx,
		     const struct chg_change *change,
		     struct chg_diag_list *diags)
{
	struct run r = { ctx, change, diags, 0 };

	if (!change->root)
		return 0;
	if (change->root->type != CHG_NODE_MAPPING)
		return 0;
	check_fields(&r, &ctx->policy->schema, change->root, "");
	check_id(&r);
	check_client(&r);
	check_window(&r);
	check_risk(&r);
	check_rules(&r);
	check_template(&r);
	check_review_deadline(&r);
	if (!r.error)
		r.error = chg_schedule_check_change(ctx->policy, change, ctx->now,
						    diags);
	return r.error;
}

/* ---- across the set ---- */

static const struct chg_node *deps_of(const struct chg_change *c)
{
	const struct chg_node *d = chg_node_get(c->root, "depends-on");

	return d && d->type == CHG_NODE_SEQUENCE ? d : NULL;
}

/*
 * The set's ids, sorted, for lookups in O(log n): (id, position) pairs of
 * the changes that have an id, ordered so that the first of equal ids is
 * the one chg_change_set_find returns.
 */
struct id_entry {
	const char *id;
	size_t pos;
};

struct id_index {
	const struct chg_change_set *set;
	struct id_entry *e;
	size_t n;
};

static int cmp_entry(const void *pa, const void *pb)
{
	const struct id_entry *a = pa, *b = pb;
	int c = strcmp(a->id, b->id);

	return c ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

static int index_build(struct id_index *x, const struct chg_change_set *set)
{
	size_t i;

	x->set = set;
	x->n = 0;
	x->e = malloc((set->n ? set->n : 1) * sizeof(*x->e));
	if (!x->e)
		return CHG_ENOMEM;
	for (i = 0; i < set->n; i++)
		if (set->items[i].id) {
			x->e[x->n].id = set->items[i].id;
			x->e[x->n++].pos = i;
		}
	qsort(x->e, x->n, sizeof(*x->e), cmp_entry);
	return 0;
}

/* The first entry whose id is not below `id`. */
static size_t index_lower(const struct id_index *x, const char *id)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(x->e[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The position in the set of the first change with `id`, or -1. */
static long index_find(const struct id_index *x, const char *id)
{
	size_t k = index_lower(x, id);

	if (k < x->n && !strcmp(x->e[k].id, id))
		return (long)x->e[k].pos;
	return -1;
}

/* The dependency graph, in compressed rows: the known dependencies of
 * change i are edges[start[i] .. start[i + 1]). */
struct graph {
	size_t *start;
	size_t *edges;
};

static int graph_build(struct graph *g, const struct id_index *x)
{
	const struct chg_change_set *set = x->set;
	size_t i, j, m = 0;
	long d;

	g->start = calloc(set->n + 1, sizeof(*g->start));
	if (!g->start)
		return CHG_ENOMEM;
	for (i = 0; i < set->n; i++) {
		const struct chg_node *deps = deps_of(&set->items[i]);
		for (j = 0; deps && j < deps->n; j++)
			m += chg_node_str(deps->items[j]) &&
			     index_find(x, deps->items[j]->value) >= 0;
	}
	g->edges = malloc((m ? m : 1) * sizeof(*g->edges));
	if (!g->edges)
		return CHG_ENOMEM;
	m = 0;
	for (i = 0; i < set->n; i++) {
		const struct chg_node *deps = deps_of(&set->items[i]);
		g->start[i] = m;
		for (j = 0; deps && j < deps->n; j++)
			if (chg_node_str(deps->items[j]) &&
			    (d = index_find(x, deps->items[j]->value)) >= 0)
				g->edges[m++] = (size_t)d;
	}
	g->start[set->n] = m;
	return 0;
}

/*
 * Marks in in_cycle[] every change that lies on a dependency cycle: the
 * members of strongly connected components of more than one change, and
 * changes that depend on themselves (Tarjan's algorithm, iteratively so
 * that a long chain cannot exhaust the stack).
 */
static int mark_cycles(unsigned char *in_cycle, const struct graph *g, size_t n)
{
	size_t *num = NULL, *low = NULL, *stack = NULL, *call = NULL, *edge = NULL;
	unsigned char *on = NULL;
	size_t counter = 1, sp = 0, cp = 0, v, w, root;
	int error = CHG_ENOMEM;

	num = calloc(n + 1, sizeof(*num));
	low = calloc(n + 1, sizeof(*low));
	stack = calloc(n + 1, sizeof(*stack));
	call = calloc(n + 1, sizeof(*call));
	edge = calloc(n + 1, sizeof(*edge));
	on = calloc(n + 1, 1);
	if (!num || !low || !stack || !call || !edge || !on)
		goto cleanup;
	for (root = 0; root < n; root++) {
		if (num[root])
			continue;
		call[cp++] = root;
		num[root] = low[root] = counter++;
		edge[root] = g->start[root];
		stack[sp++] = root;
		on[root] = 1;
		while (cp) {
			v = call[cp - 1];
			if (edge[v] < g->start[v + 1]) {
				w = g->edges[edge[v]++];
				if (w == v) {
					in_cycle[v] = 1;
				} else if (!num[w]) {
					num[w] = low[w] = counter++;
					edge[w] = g->start[w];
					stack[sp++] = w;
					on[w] = 1;
					call[cp++] = w;
				} else if (on[w] && num[w] < low[v]) {
					low[v] = num[w];
				}
				continue;
			}
			cp--;
			if (cp && low[v] < low[call[cp - 1]])
				low[call[cp - 1]] = low[v];
			if (low[v] != num[v])
				continue;
			/* v is the root of a component: pop it */
			if (stack[sp - 1] != v) {
				do {
					w = stack[--sp];
					on[w] = 0;
					in_cycle[w] = 1;
				} while (w != v);
			} else {
				on[stack[--sp]] = 0;
			}
		}
	}
	error = 0;
cleanup:
	free(num);
	free(low);
	free(stack);
	free(call);
	free(edge);
	free(on);
	return error;
}

/* Depth-first search from `from` for `target`; records the path. */
static int reaches(const struct chg_change_set *set, const struct graph *g,
		   size_t from, size_t target, unsigned char *seen,
		   struct chg_buf *path, int depth)
{
	size_t e, mark;

	if (depth > 10000)
		return 0;
	for (e = g->start[from]; e < g->start[from + 1]; e++) {
		size_t d = g->edges[e];

		mark = path->len;
		chg_buf_printf(path, " -> %s", set->items[d].id);
		if (d == target)
			return 1;
		if (!seen[d]) {
			seen[d] = 1;
			if (reaches(set, g, d, target, seen, path, depth + 1))
				return 1;
		}
		path->len = mark;
		path->ptr[mark] = '\0';
	}
	return 0;
}

/*
 * Keeps a cycle's path readable: "A -> B -> ... -> A" with at most
 * CYCLE_SHOWN hops, then "-> ... (N more) -> A".  Every change on a long
 * cycle gets its own diagnostic, so the full path would make the output
 * grow with the square of the cycle's length.
 */
#define CYCLE_SHOWN 8

static void shorten_cycle(struct chg_buf *path)
{
	const char *sep = " -> ", *p = path->ptr, *last;
	size_t hops = 0, cut = 0;

	while ((p = strstr(p, sep))) {
		if (++hops == CYCLE_SHOWN)
			cut = (size_t)(p - path->ptr);
		p += strlen(sep);
	}
	if (hops <= CYCLE_SHOWN + 1)
		return;
	last = path->ptr + path->len;
	while (last > path->ptr && strncmp(last, sep, strlen(sep)))
		last--;
	{
		struct chg_buf out = CHG_BUF_INIT;
		chg_buf_put(&out, path->ptr, cut);
		chg_buf_printf(&out, " -> ... (%zu more)%s", hops - CYCLE_SHOWN, last);
		chg_buf_clear(path);
		chg_buf_put(path, out.ptr, out.len);
		chg_buf_release(&out);
	}
}

int chg_check_set(const struct chg_check_context *ctx,
		  struct chg_diag_list *diags)
{
	const struct chg_change_set *set = ctx->changes;
	struct chg_buf path = CHG_BUF_INIT;
	struct id_index x = { 0 };
	struct graph g = { 0 };
	unsigned char *seen = NULL, *in_cycle = NULL;
	size_t i, j, k;
	int error;

	seen = calloc(set->n ? set->n : 1, 1);
	in_cycle = calloc(set->n ? set->n : 1, 1);
	if (!seen || !in_cycle) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	if ((error = index_build(&x, set)) < 0 ||
	    (error = graph_build(&g, &x)) < 0 ||
	    (error = mark_cycles(in_cycle, &g, set->n)) < 0)
		goto cleanup;
	for (i = 0; i < set->n && !error; i++) {
		const struct chg_change *c = &set->items[i];
		const struct chg_node *deps;
		int64_t s1, e1, s2, e2;

		if (!c->id)
			continue;
		for (k = index_lower(&x, c->id); k < x.n && !error &&
		     !strcmp(x.e[k].id, c->id); k++)
			if (x.e[k].pos != i)
				error = chg_diag_add(diags, c->path, c->id_node->line,
						     c->id_node->column, sev_of("duplicate-id"),
						     "duplicate-id",
						     "id %s is also used by %s; ids must be unique across the repository",
						     c->id, set->items[x.e[k].pos].path);
		deps = deps_of(c);
		for (j = 0; deps && j < deps->n && !error; j++) {
			const struct chg_node *item = deps->items[j];
			const struct chg_change *d;
			long pos;
			if (!chg_node_str(item))
				continue;
			pos = index_find(&x, item->value);
			if (pos < 0) {
				error = chg_diag_add(diags, c->path, item->line, item->column,
						     sev_of("unknown-dependency"), "unknown-dependency",
						     "depends-on names %s, which is not a change request in this repository",
						     item->value);
				continue;
			}
			d = &set->items[pos];
			/* depending on itself is a cycle, reported below */
			if (d != c && window_of(c->root, &s1, &e1) && d->root &&
			    window_of(d->root, &s2, &e2) && e2 > s1)
				error = chg_diag_add(diags, c->path, item->line, item->column,
						     sev_of("dependency-order"), "dependency-order",
						     "%s's window ends at %s, after this change's window starts at %s; a dependency must be done first",
						     d->id, chg_node_path(d->root, "window.end")->value,
						     chg_node_path(c->root, "window.start")->value);
		}
		if (deps && in_cycle[i] && !error) {
			memset(seen, 0, set->n);
			chg_buf_clear(&path);
			chg_buf_puts(&path, c->id);
			if (reaches(set, &g, i, i, seen, &path, 0)) {
				shorten_cycle(&path);
				error = chg_diag_add(diags, c->path, deps->line, deps->column,
						     sev_of("dependency-cycle"), "dependency-cycle",
						     "dependency cycle: %s", path.ptr);
			}
		}
	}
	if (!error)
		error = chg_schedule_check_set(ctx->policy, set, diags);
cleanup:
	free(seen);
	free(in_cycle);
	free(x.e);
	free(g.start);
	free(g.edges);
	chg_buf_release(&path);
	return error;
}

/* ---- catalog ---- */

int chg_catalog_add(struct chg_catalog *catalog, const char *path,
		    const char *buf, size_t len, struct chg_diag_list *diags)
{
	static const char *const keys[] = {
		"name", "title", "description", "procedure", "constraints",
		NULL
	};
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	struct chg_catalog_entry *e, *items;
	const struct chg_node *cons;
	const char *base, *dot;
	size_t i, j;
	int error;

	items = realloc(catalog->items, (catalog->n + 1) * sizeof(*items));
	if (!items)
		return CHG_ENOMEM;
	catalog->items = items;
	e = &items[catalog->n];
	memset(e, 0, sizeof(*e));
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	e->name = strndup(base, dot ? (size_t)(dot - base) : strlen(base));
	e->path = strdup(path);
	if (!e->name || !e->path) {
		free(e->name);
		free(e->path);
		return CHG_ENOMEM;
	}
	catalog->n++;
	error = chg_yaml_load(&e->root, buf, len, path, &opts, diags);
	if (error < 0)
		return error;
	for (i = 0; i < e->root->n; i++) {
		const struct chg_node *k = e->root->pairs[i].key;
		for (j = 0; keys[j]; j++)
			if (!strcmp(keys[j], k->value))
				break;
		if (!keys[j]) {
			if (chg_diag_add(diags, path, k->line, k->column, CHG_SEV_ERROR,
					 "invalid-policy",
					 "unknown key '%s' in a catalog entry (expected name, title, description, procedure, constraints)",
					 k->value) < 0)
				return CHG_ENOMEM;
			error = CHG_EINVALID;
		}
	}
	cons = chg_node_get(e->root, "constraints");
	if (cons) {
		int rc = chg_cond_compile(&e->constraints, cons, path, diags);
		if (rc < 0)
			error = rc;
	}
	return error;
}

const struct chg_catalog_entry *chg_catalog_find(const struct chg_catalog *catalog,
						 const char *name)
{
	size_t i;

	for (i = 0; i < catalog->n; i++)
		if (!strcmp(catalog->items[i].name, name))
			return &catalog->items[i];
	return NULL;
}

void chg_catalog_release(struct chg_catalog *catalog)
{
	size_t i;

	if (!catalog)
		return;
	for (i = 0; i < catalog->n; i++) {
		free(catalog->items[i].name);
		free(catalog->items[i].path);
		chg_node_free(catalog->items[i].root);
		chg_cond_free(catalog->items[i].constraints);
	}
	free(catalog->items);
	catalog->items = NULL;
	catalog->n = 0;
}
