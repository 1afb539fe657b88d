#include "schedule.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "buf.h"
#include "datetime.h"
#include "error.h"
#include "policy.h"
#include "banned.h"

/* At most this many occurrences of one window in one range. */
#define MAX_OCCURRENCES 10000
/* libical steps taken to reach a range (a rule with COUNT starts over). */
#define MAX_STEPS 1000000

/*
 * A window's occurrences over [from, to), expanded once: every change of
 * a client asks for those around its own window, and expanding a rule
 * costs libical's walk from where the series starts (a COUNT rule, or
 * one that never matches, walks far).  `error` is what the expansion
 * returned (CHG_ELIMIT: more than MAX_OCCURRENCES; CHG_ERROR: libical
 * found no start), kept as well: a rule does not get better by asking
 * again.
 */
struct chg_window_cache {
	int valid;
	int64_t from, to;
	struct chg_interval *items;   /* sorted by start */
	size_t n;
	int error;
};

/* How far around what is asked a window's expansion reaches. */
#define CACHE_MARGIN (366 * 86400LL)

static const char *const day_names[] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};

/* ---- compiling ---- */

struct ctx {
	struct chg_schedule *s;
	const char *path;
	struct chg_diag_list *diags;
	int invalid;
	int nomem;
};

__attribute__((format(printf, 3, 4)))
static void bad(struct ctx *c, const struct chg_node *at, const char *fmt, ...)
{
	struct chg_buf msg = CHG_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	if (chg_buf_vprintf(&msg, fmt, ap) < 0)
		c->nomem = 1;
	va_end(ap);
	if (chg_diag_add(c->diags, at && at->file ? at->file : c->path,
			 at ? at->line : 0, at ? at->column : 0, CHG_SEV_ERROR,
			 "invalid-policy", "%s", msg.ptr) < 0)
		c->nomem = 1;
	chg_buf_release(&msg);
	c->invalid = 1;
}

/* A non-empty string scalar without NUL bytes, or NULL. */
static const char *str_of(const struct chg_node *v)
{
	if (!v || v->type != CHG_NODE_SCALAR || chg_node_is_null(v) || !v->len ||
	    strlen(v->value) != v->len)
		return NULL;
	return v->value;
}

static int keys_ok(struct ctx *c, const struct chg_node *map,
		   const char *what, const char *const *keys)
{
	struct chg_buf list = CHG_BUF_INIT;
	size_t i, j;

	if (!map || map->type != CHG_NODE_MAPPING) {
		bad(c, map, "%s must be a map", what);
		return 0;
	}
	for (i = 0; i < map->n; i++) {
		for (j = 0; keys[j]; j++)
			if (!strcmp(map->pairs[i].key->value, keys[j]))
				break;
		if (keys[j])
			continue;
		chg_buf_clear(&list);
		for (j = 0; keys[j]; j++)
			chg_buf_printf(&list, "%s%s", j ? ", " : "", keys[j]);
		bad(c, map->pairs[i].key, "unknown key '%s' in %s (expected one of: %s)",
		    map->pairs[i].key->value, what, list.ptr);
	}
	chg_buf_release(&list);
	return 1;
}

static int severity_of(const char *s)
{
	if (!s)
		return -2;
	if (!strcmp(s, "error"))
		return CHG_SEV_ERROR;
	if (!strcmp(s, "warning"))
		return CHG_SEV_WARNING;
	if (!strcmp(s, "note"))
		return CHG_SEV_NOTE;
	if (!strcmp(s, "off"))
		return -1;
	return -2;
}

static int in_clients(const struct chg_node *clients, const char *name)
{
	return !clients || clients->type != CHG_NODE_SEQUENCE || !clients->n ||
	       chg_node_seq_has(clients, name);
}

static void compile_timezone(struct ctx *c, const struct chg_node *sec)
{
	const struct chg_node *v = chg_node_get(sec, "timezone");

	c->s->timezone = "UTC";
	if (!v)
		return;
	if (!str_of(v) || !chg_tz_valid(v->value))
		bad(c, v, "schedule.timezone must be an IANA time zone such as Europe/Berlin, not '%s'",
		    str_of(v) ? v->value : "");
	else
		c->s->timezone = v->value;
}

static void compile_notice(struct ctx *c, const struct chg_node *v)
{
	size_t i;

	if (!v)
		return;
	if (v->type != CHG_NODE_MAPPING) {
		bad(c, v, "schedule.notice must map change types to durations such as 48h");
		return;
	}
	if (!(c->s->notice = calloc(v->n ? v->n : 1, sizeof(*c->s->notice)))) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < v->n; i++) {
		struct chg_notice *n = &c->s->notice[c->s->nnotice];
		const char *d = str_of(v->pairs[i].value);
		if (!d || chg_duration_parse(&n->seconds, d) < 0) {
			bad(c, v->pairs[i].value,
			    "schedule.notice.%s must be a duration such as 48h or 0h",
			    v->pairs[i].key->value);
			continue;
		}
		n->type = v->pairs[i].key->value;
		n->node = v->pairs[i].value;
		c->s->nnotice++;
	}
}

static void compile_conflicts(struct ctx *c, const struct chg_node *v)
{
	static const char *const keys[] = { "same-system", NULL };
	const struct chg_node *ss;

	c->s->same_system = -1;
	if (!v || !keys_ok(c, v, "schedule.conflicts", keys))
		return;
	if (!(ss = chg_node_get(v, "same-system")))
		return;
	c->s->same_system = severity_of(str_of(ss));
	if (c->s->same_system < -1) {
		bad(c, ss, "schedule.conflicts.same-system must be error, warning, note or off");
		c->s->same_system = -1;
	}
}

static void compile_clients(struct ctx *c, const struct chg_node *v,
			    const struct chg_node *clients)
{
	static const char *const keys[] = { "timezone", NULL };
	size_t i;

	if (!v)
		return;
	if (v->type != CHG_NODE_MAPPING) {
		bad(c, v, "schedule.clients must map client names to {timezone: ZONE}");
		return;
	}
	if (!(c->s->clients = calloc(v->n ? v->n : 1, sizeof(*c->s->clients)))) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < v->n; i++) {
		const struct chg_node *k = v->pairs[i].key, *e = v->pairs[i].value;
		const struct chg_node *tz;
		struct chg_schedule_client *cl = &c->s->clients[c->s->nclients];

		if (!in_clients(clients, k->value))
			bad(c, k, "schedule.clients names '%s', which is not one of the policy's clients",
			    k->value);
		if (!keys_ok(c, e, "schedule.clients entries", keys))
			continue;
		cl->name = k->value;
		if ((tz = chg_node_get(e, "timezone"))) {
			if (!str_of(tz) || !chg_tz_valid(tz->value)) {
				bad(c, tz, "schedule.clients.%s.timezone must be an IANA time zone such as America/New_York, not '%s'",
				    k->value, str_of(tz) ? tz->value : "");
				continue;
			}
			cl->timezone = tz->value;
		}
		c->s->nclients++;
	}
}

/* Reads a date or an RFC 3339 date-time. */
static int read_bound(struct chg_blackout_bound *b, const struct chg_node *v)
{
	const char *s = str_of(v);
	int64_t t;

	memset(b, 0, sizeof(*b));
	if (!s)
		return -1;
	if (strlen(s) == 10 && chg_date_parse(&t, s) == 0) {
		b->is_date = 1;
		chg_civil_set_days(&b->date, t / 86400);
		return 0;
	}
	if (chg_datetime_parse(&b->instant, s) == 0)
		return 0;
	return -1;
}

static void compile_blackout(struct ctx *c, const struct chg_node *e)
{
	static const char *const keys[] = {
		"name", "start", "end", "allow", "severity", "when", NULL
	};
	struct chg_blackout *b = &c->s->blackouts[c->s->nblackouts];
	const struct chg_node *v;
	struct chg_interval in;
	size_t i;
	int ok = 1, sev, rc;

	if (!keys_ok(c, e, "schedule.blackouts entries", keys))
		return;
	memset(b, 0, sizeof(*b));
	b->node = e;
	b->severity = CHG_SEV_ERROR;
	if ((v = chg_node_get(e, "name")) && !str_of(v)) {
		bad(c, v, "a blackout's name must be a non-empty string");
		ok = 0;
	}
	b->name = str_of(v);
	if (!(v = chg_node_get(e, "start")) || read_bound(&b->start, v) < 0) {
		bad(c, v ? v : e, "a blackout needs start: a date (2026-12-20) or an RFC 3339 date-time");
		ok = 0;
	}
	if (!b->name && v && str_of(v))
		b->name = v->value;
	if (!(v = chg_node_get(e, "end")) || read_bound(&b->end, v) < 0) {
		bad(c, v ? v : e, "a blackout needs end: a date (2027-01-04, the last day) or an RFC 3339 date-time");
		ok = 0;
	}
	if (ok && chg_schedule_blackout_interval(&in, b, c->s->timezone) == 0 &&
	    in.end <= in.start) {
		bad(c, v, "the blackout '%s' ends before it starts", b->name);
		ok = 0;
	}
	if ((v = chg_node_get(e, "allow"))) {
		for (i = 0; v->type == CHG_NODE_SEQUENCE && i < v->n; i++)
			if (!str_of(v->items[i]))
				break;
		if (v->type != CHG_NODE_SEQUENCE || i < v->n) {
			bad(c, v, "a blackout's allow must be a list of change types, such as [emergency]");
			ok = 0;
		}
		b->allow = v;
	}
	if ((v = chg_node_get(e, "severity"))) {
		sev = severity_of(str_of(v));
		if (sev < 0) {
			bad(c, v, "a blackout's severity must be error, warning or note");
			ok = 0;
		} else {
			b->severity = (enum chg_severity)sev;
		}
	}
	if ((v = chg_node_get(e, "when"))) {
		rc = chg_cond_compile(&b->when, v, v->file ? v->file : c->path,
				      c->diags);
		if (rc == CHG_ENOMEM)
			c->nomem = 1;
		else if (rc < 0)
			c->invalid = 1;
	}
	if (!ok) {
		chg_cond_free(b->when);
		b->when = NULL;
		return;
	}
	c->s->nblackouts++;
}

static void compile_blackouts(struct ctx *c, const struct chg_node *v)
{
	size_t i;

	if (!v)
		return;
	if (v->type != CHG_NODE_SEQUENCE) {
		bad(c, v, "schedule.blackouts must be a list of {name, start, end} entries");
		return;
	}
	if (!(c->s->blackouts = calloc(v->n ? v->n : 1, sizeof(*c->s->blackouts)))) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < v->n; i++)
		compile_blackout(c, v->items[i]);
}

/* Reads "HH:MM" into minutes after midnight. */
static int read_clock(int *out, const char *s, size_t len)
{
	if (len != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' ||
	    s[1] < '0' || s[1] > '9' || s[3] < '0' || s[3] > '5' ||
	    s[4] < '0' || s[4] > '9')
		return -1;
	*out = ((s[0] - '0') * 10 + s[1] - '0') * 60 + (s[3] - '0') * 10 + s[4] - '0';
	return *out < 24 * 60 ? 0 : -1;
}

static int read_day(int *out, const char *s)
{
	int i;

	for (i = 0; i < 7; i++)
		if (!strncmp(s, day_names[i], 3)) {
			*out = i;
			return 0;
		}
	return -1;
}

/* "Sat 22:00-Sun 04:00", or "Tue 14:00-16:00" within one day. */
static int read_weekly(struct chg_window *w, const char *s)
{
	size_t len = strlen(s);

	if (len == 19 && s[3] == ' ' && s[9] == '-' && s[13] == ' ' &&
	    read_day(&w->start_wday, s) == 0 &&
	    read_clock(&w->start_minute, s + 4, 5) == 0 &&
	    read_day(&w->end_wday, s + 10) == 0 &&
	    read_clock(&w->end_minute, s + 14, 5) == 0)
		return 0;
	if (len == 15 && s[3] == ' ' && s[9] == '-' &&
	    read_day(&w->start_wday, s) == 0 &&
	    read_clock(&w->start_minute, s + 4, 5) == 0 &&
	    read_clock(&w->end_minute, s + 10, 5) == 0 &&
	    w->end_minute > w->start_minute) {
		w->end_wday = w->start_wday;
		return 0;
	}
	return -1;
}

static void compile_rrule(struct ctx *c, struct chg_window *w,
			  const struct chg_node *e, int *ok)
{
	static const char *const keys[] = {
		"rrule", "start", "duration", "from", NULL
	};
	struct icalrecurrencetype r;
	const struct chg_node *v;
	int64_t t;

	if (!keys_ok(c, e, "a maintenance window", keys)) {
		*ok = 0;
		return;
	}
	w->kind = CHG_WINDOW_RRULE;
	w->from.year = 1970;
	w->from.month = w->from.day = 1;
	v = chg_node_get(e, "rrule");
	if (!str_of(v)) {
		bad(c, v ? v : e, "a maintenance window needs rrule: an RFC 5545 recurrence rule such as FREQ=MONTHLY;BYDAY=2TU");
		*ok = 0;
	} else {
		/* a malformed rule is a finding, never an abort */
		icalerror_set_errors_are_fatal(0);
		icalerror_clear_errno();
		r = icalrecurrencetype_from_string(v->value);
		if (r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
			bad(c, v, "'%s' is not an RFC 5545 recurrence rule (such as FREQ=WEEKLY;BYDAY=SA)",
			    v->value);
			*ok = 0;
		} else if (r.freq == ICAL_SECONDLY_RECURRENCE ||
			   r.freq == ICAL_MINUTELY_RECURRENCE ||
			   r.freq == ICAL_HOURLY_RECURRENCE) {
			/* tens of thousands of occurrences a year to expand */
			bad(c, v, "'%s' recurs more often than daily: a maintenance window's rule has FREQ=DAILY, WEEKLY, MONTHLY or YEARLY",
			    v->value);
			*ok = 0;
		} else if (r.count > MAX_OCCURRENCES) {
			bad(c, v, "'%s' has more than %d occurrences: give the series an UNTIL date, or no end",
			    v->value, MAX_OCCURRENCES);
			*ok = 0;
		}
		icalerror_clear_errno();
		w->rrule = v->value;
	}
	v = chg_node_get(e, "start");
	if (!str_of(v) || read_clock(&w->start_minute, v->value, v->len) < 0) {
		bad(c, v ? v : e, "a maintenance window needs start: the local time HH:MM each occurrence starts");
		*ok = 0;
	}
	v = chg_node_get(e, "duration");
	if (!str_of(v) || chg_duration_parse(&w->duration, v->value) < 0 ||
	    w->duration <= 0) {
		bad(c, v ? v : e, "a maintenance window needs duration: how long each occurrence lasts, such as 4h");
		*ok = 0;
	}
	if ((v = chg_node_get(e, "from"))) {
		if (!str_of(v) || chg_date_parse(&t, v->value) < 0) {
			bad(c, v, "a maintenance window's from must be a date (YYYY-MM-DD), the first day of the series");
			*ok = 0;
		} else {
			chg_civil_set_days(&w->from, t / 86400);
		}
	}
}

static void compile_windows(struct ctx *c, const struct chg_node *v,
			    const struct chg_node *clients)
{
	size_t i, j, total = 0;

	if (!v)
		return;
	if (v->type != CHG_NODE_MAPPING) {
		bad(c, v, "schedule.maintenance-windows must map client names to lists of windows");
		return;
	}
	for (i = 0; i < v->n; i++)
		if (v->pairs[i].value->type == CHG_NODE_SEQUENCE)
			total += v->pairs[i].value->n;
	if (!(c->s->windows = calloc(total ? total : 1, sizeof(*c->s->windows)))) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < v->n; i++) {
		const struct chg_node *k = v->pairs[i].key, *list = v->pairs[i].value;

		if (!in_clients(clients, k->value))
			bad(c, k, "schedule.maintenance-windows names '%s', which is not one of the policy's clients",
			    k->value);
		if (list->type != CHG_NODE_SEQUENCE) {
			bad(c, list, "schedule.maintenance-windows.%s must be a list of windows such as \"Sat 22:00-Sun 04:00\"",
			    k->value);
			continue;
		}
		for (j = 0; j < list->n; j++) {
			const struct chg_node *e = list->items[j];
			struct chg_window *w = &c->s->windows[c->s->nwindows];
			int ok = 1;

			memset(w, 0, sizeof(*w));
			w->client = k->value;
			w->node = e;
			if (e->type == CHG_NODE_MAPPING) {
				compile_rrule(c, w, e, &ok);
				if (ok && !(w->cache = calloc(1, sizeof(*w->cache)))) {
					c->nomem = 1;
					ok = 0;
				}
			} else if (!str_of(e) || read_weekly(w, e->value) < 0) {
				bad(c, e, "'%s' is not a maintenance window: a weekly one reads like \"Sat 22:00-Sun 04:00\" (Mon..Sun, local HH:MM), another is {rrule: RULE, start: HH:MM, duration: 4h}",
				    str_of(e) ? e->value : "");
				ok = 0;
			}
			if (ok)
				c->s->nwindows++;
		}
	}
}

int chg_schedule_compile(struct chg_schedule **out, const struct chg_node *sec,
			 const struct chg_node *clients, const char *path,
			 struct chg_diag_list *diags)
{
	struct ctx c = { 0 };

	*out = NULL;
	if (!(c.s = calloc(1, sizeof(*c.s))))
		return CHG_ENOMEM;
	c.path = path;
	c.diags = diags;
	c.s->same_system = -1;
	c.s->timezone = "UTC";
	if (sec && sec->type == CHG_NODE_MAPPING) {
		compile_timezone(&c, sec);
		compile_clients(&c, chg_node_get(sec, "clients"), clients);
		compile_notice(&c, chg_node_get(sec, "notice"));
		compile_conflicts(&c, chg_node_get(sec, "conflicts"));
		compile_blackouts(&c, chg_node_get(sec, "blackouts"));
		compile_windows(&c, chg_node_get(sec, "maintenance-windows"),
				clients);
	}
	if (c.nomem || c.invalid) {
		chg_schedule_free(c.s);
		return c.nomem ? CHG_ENOMEM : CHG_EINVALID;
	}
	*out = c.s;
	return 0;
}

void chg_schedule_free(struct chg_schedule *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nblackouts; i++)
		chg_cond_free(s->blackouts[i].when);
	free(s->blackouts);
	for (i = 0; i < s->nwindows; i++)
		if (s->windows[i].cache) {
			free(s->windows[i].cache->items);
			free(s->windows[i].cache);
		}
	free(s->windows);
	free(s->clients);
	free(s->notice);
	free(s);
}

/* ---- time ---- */

const char *chg_schedule_zone(const struct chg_schedule *s, const char *client)
{
	size_t i;

	if (!s)
		return "UTC";
	for (i = 0; client && i < s->nclients; i++)
		if (!strcmp(s->clients[i].name, client) && s->clients[i].timezone)
			return s->clients[i].timezone;
	return s->timezone;
}

static int bound_instant(int64_t *out, const struct chg_blackout_bound *b,
			 const char *zone, int end)
{
	struct chg_civil day = b->date;

	if (!b->is_date) {
		*out = b->instant;
		return 0;
	}
	/* an end date is the last day: the blackout ends at the next midnight */
	if (end)
		chg_civil_set_days(&day, chg_civil_days(&day) + 1);
	day.hour = day.minute = day.second = 0;
	return chg_tz_to_utc(out, zone, &day) < 0 ? CHG_ERROR : 0;
}

int chg_schedule_blackout_interval(struct chg_interval *out,
				   const struct chg_blackout *b,
				   const char *zone)
{
	if (bound_instant(&out->start, &b->start, zone, 0) < 0 ||
	    bound_instant(&out->end, &b->end, zone, 1) < 0)
		return CHG_ERROR;
	return 0;
}

struct occ_list {
	struct chg_interval *items;
	size_t n, alloc;
};


static int occ_add(struct occ_list *l, int64_t start, int64_t end)
{
	if (l->n == MAX_OCCURRENCES)
		return CHG_ELIMIT;
	if (l->n == l->alloc) {
		size_t alloc = l->alloc ? l->alloc * 2 : 8;
		struct chg_interval *items = realloc(l->items, alloc * sizeof(*items));
		if (!items)
			return CHG_ENOMEM;
		l->items = items;
		l->alloc = alloc;
	}
	l->items[l->n].start = start;
	l->items[l->n].end = end;
	l->n++;
	return 0;
}

/* The local day (days after 1970-01-01) of instant `t` in `zone`. */
static int local_day(int64_t *out, const char *zone, int64_t t)
{
	struct chg_civil lt;

	if (chg_tz_from_utc(&lt, NULL, zone, t) < 0)
		return CHG_ERROR;
	*out = chg_civil_days(&lt);
	return 0;
}

static int at_local(int64_t *out, const char *zone, int64_t day, int minute)
{
	struct chg_civil lt = { 1970, 1, 1, minute / 60, minute % 60, 0 };

	chg_civil_set_days(&lt, day);
	return chg_tz_to_utc(out, zone, &lt) < 0 ? CHG_ERROR : 0;
}

static int weekly_occurrences(struct occ_list *l, const struct chg_window *w,
			      const char *zone, int64_t from, int64_t to)
{
	int64_t first, last, d, start, end;
	int span = (w->end_wday - w->start_wday + 7) % 7, error;

	if (!span && w->end_minute <= w->start_minute)
		span = 7;
	if ((error = local_day(&first, zone, from)) < 0 ||
	    (error = local_day(&last, zone, to)) < 0)
		return error;
	/* an occurrence that starts up to a week before `from` may reach it */
	for (d = first - 8; d <= last + 1; d++) {
		if (chg_civil_weekday(d) != w->start_wday)
			continue;
		if ((error = at_local(&start, zone, d, w->start_minute)) < 0 ||
		    (error = at_local(&end, zone, d + span, w->end_minute)) < 0)
			return error;
		if (start < to && end > from && (error = occ_add(l, start, end)) < 0)
			return error;
	}
	return 0;
}

static struct icaltimetype ical_local(const struct chg_civil *lt)
{
	struct icaltimetype t = icaltime_null_time();

	t.year = lt->year;
	t.month = lt->month;
	t.day = lt->day;
	t.hour = lt->hour;
	t.minute = lt->minute;
	t.second = lt->second;
	t.is_date = 0;
	return t;
}

static int rrule_occurrences(struct occ_list *l, const struct chg_window *w,
			     const char *zone, int64_t from, int64_t to)
{
	struct icalrecurrencetype r;
	struct icaltimetype dtstart, next;
	struct chg_civil lt = w->from, begin;
	icalrecur_iterator *it;
	int64_t last, start, steps = 0;
	int error = 0;

	lt.hour = w->start_minute / 60;
	lt.minute = w->start_minute % 60;
	lt.second = 0;
	dtstart = ical_local(&lt);
	/* local days: occurrences that start before `from` may still reach it */
	if ((error = local_day(&last, zone, to)) < 0 ||
	    chg_tz_from_utc(&begin, NULL, zone, from - w->duration - 2 * 86400) < 0)
		return CHG_ERROR;
	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(w->rrule);
	if (r.freq == ICAL_NO_RECURRENCE || !(it = icalrecur_iterator_new(r, dtstart))) {
		icalerror_clear_errno();
		return CHG_ERROR;
	}
	if (chg_civil_days(&begin) > chg_civil_days(&lt) && r.count == 0)
		icalrecur_iterator_set_start(it, ical_local(&begin));
	while (!error) {
		next = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(next) || ++steps > MAX_STEPS)
			break;
		lt.year = next.year;
		lt.month = next.month;
		lt.day = next.day;
		lt.hour = next.hour;
		lt.minute = next.minute;
		lt.second = next.second;
		if (chg_civil_days(&lt) > last + 1)
			break;
		if (chg_tz_to_utc(&start, zone, &lt) < 0) {
			error = CHG_ERROR;
			break;
		}
		if (start < to && start + w->duration > from)
			error = occ_add(l, start, start + w->duration);
	}
	icalrecur_iterator_free(it);
	icalerror_clear_errno();
	return error;
}

static int cmp_interval(const void *pa, const void *pb)
{
	const struct chg_interval *a = pa, *b = pb;

	return a->start < b->start ? -1 : a->start > b->start;
}

/*
 * The occurrences of the rrule window `w` over [from, to) from its cache,
 * expanding the window once over what is asked and a year on either side
 * (or what was cached before, when that is near) when the cache does not
 * cover it.  Returns as chg_schedule_occurrences.
 */
static int cached_occurrences(struct chg_interval **out, size_t *n,
			      const struct chg_window *w, const char *zone,
			      int64_t from, int64_t to)
{
	struct chg_window_cache *c = w->cache;
	struct occ_list l = { NULL, 0, 0 };
	size_t i, k;
	int error;

	if (!c->valid || from < c->from || to > c->to) {
		int64_t f = from - CACHE_MARGIN, t = to + CACHE_MARGIN;
		if (c->valid && c->from < f && f - c->from < 2 * CACHE_MARGIN)
			f = c->from;
		if (c->valid && c->to > t && c->to - t < 2 * CACHE_MARGIN)
			t = c->to;
		error = rrule_occurrences(&l, w, zone, f, t);
		if (error == CHG_ENOMEM) {
			free(l.items);
			return error;
		}
		if (l.n)
			qsort(l.items, l.n, sizeof(*l.items), cmp_interval);
		free(c->items);
		c->items = l.items;
		c->n = l.n;
		c->from = f;
		c->to = t;
		c->error = error;
		c->valid = 1;
	}
	if (c->error < 0)
		return c->error;
	for (i = k = 0; i < c->n; i++)
		k += c->items[i].start < to && c->items[i].end > from;
	if (!k)
		return 0;
	if (!(*out = malloc(k * sizeof(**out))))
		return CHG_ENOMEM;
	for (i = 0; i < c->n; i++)
		if (c->items[i].start < to && c->items[i].end > from)
			(*out)[(*n)++] = c->items[i];
	return 0;
}

int chg_schedule_occurrences(struct chg_interval **out, size_t *n,
			     const struct chg_schedule *s,
			     const struct chg_window *w, int64_t from,
			     int64_t to)
{
	struct occ_list l = { NULL, 0, 0 };
	const char *zone = chg_schedule_zone(s, w->client);
	int error;

	*out = NULL;
	*n = 0;
	if (w->kind == CHG_WINDOW_RRULE && w->cache)
		return cached_occurrences(out, n, w, zone, from, to);
	if (w->kind == CHG_WINDOW_WEEKLY)
		error = weekly_occurrences(&l, w, zone, from, to);
	else
		error = rrule_occurrences(&l, w, zone, from, to);
	if (error < 0) {
		free(l.items);
		return error;
	}
	if (l.n)
		qsort(l.items, l.n, sizeof(*l.items), cmp_interval);
	*out = l.items;
	*n = l.n;
	return 0;
}

/* ---- the checks ---- */

static int state_terminal(const struct chg_policy *p, const char *state)
{
	const struct chg_node *next = chg_node_get(p->transitions, state);

	return next && next->type == CHG_NODE_SEQUENCE && !next->n;
}

int chg_schedule_state_active(const struct chg_policy *p, const char *state)
{
	const struct chg_node *next;
	size_t i;

	if (!p->transitions || !state)
		return 1;
	if (state_terminal(p, state))
		return 0;
	if (!chg_node_seq_has(p->implemented, state))
		return 1;
	next = chg_node_get(p->transitions, state);
	if (!next || next->type != CHG_NODE_SEQUENCE)
		return 1;
	for (i = 0; i < next->n; i++)
		if (!chg_node_str(next->items[i]) ||
		    !state_terminal(p, next->items[i]->value))
			return 1;
	return 0;
}

struct run {
	const struct chg_policy *policy;
	const struct chg_schedule *s;
	const struct chg_change *change;
	struct chg_diag_list *diags;
	const char *zone;        /* the change's */
	int64_t start, end;      /* its window */
	const struct chg_node *start_node;
	int error;
};

__attribute__((format(printf, 5, 6)))
static void report(struct run *r, const struct chg_node *at,
		   enum chg_severity sev, const char *rule, const char *fmt, ...)
{
	struct chg_buf msg = CHG_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	if (chg_buf_vprintf(&msg, fmt, ap) < 0)
		r->error = CHG_ENOMEM;
	va_end(ap);
	if (chg_diag_add(r->diags, r->change->path, at ? at->line : 0,
			 at ? at->column : 0, sev, rule, "%s", msg.ptr) < 0)
		r->error = CHG_ENOMEM;
	chg_buf_release(&msg);
}

/* The window of a change as UTC instants, when it has a valid one. */
static int window_of(const struct chg_node *doc, int64_t *start, int64_t *end)
{
	const char *s = chg_node_str(chg_node_path(doc, "window.start"));
	const char *e = chg_node_str(chg_node_path(doc, "window.end"));

	return s && e && chg_datetime_parse(start, s) == 0 &&
	       chg_datetime_parse(end, e) == 0 && *end > *start;
}

static const char *client_of(const struct chg_change *c)
{
	return chg_node_str(chg_node_get(c->root, "client"));
}

static void check_blackouts(struct run *r, int64_t now)
{
	const struct chg_change *c = r->change;
	char a[64], b[64], ws[64], we[64];
	size_t i;

	for (i = 0; i < r->s->nblackouts && !r->error; i++) {
		const struct chg_blackout *bo = &r->s->blackouts[i];
		struct chg_interval in;
		int allowed;

		if (bo->when && chg_cond_eval(bo->when, c->root, now) != 1)
			continue;
		if (chg_schedule_blackout_interval(&in, bo, r->zone) < 0 ||
		    !(in.start < r->end && r->start < in.end))
			continue;
		allowed = c->type && chg_node_seq_has(bo->allow, c->type);
		chg_tz_format(a, sizeof(a), r->zone, in.start);
		chg_tz_format(b, sizeof(b), r->zone, in.end);
		chg_tz_format(ws, sizeof(ws), r->zone, r->start);
		chg_tz_format(we, sizeof(we), r->zone, r->end);
		if (allowed)
			report(r, r->start_node, CHG_SEV_NOTE, "blackout-conflict",
			       "the window %s to %s falls in the blackout '%s' (%s to %s), which allows %s changes; it still needs its approvals",
			       ws, we, bo->name, a, b, c->type);
		else
			report(r, r->start_node, bo->severity, "blackout-conflict",
			       "the window %s to %s falls in the blackout '%s' (%s to %s)%s%s%s",
			       ws, we, bo->name, a, b,
			       c->type ? ", which does not allow " : "",
			       c->type ? c->type : "",
			       c->type ? " changes" : "");
	}
}

static void describe_window(struct chg_buf *b, const struct chg_window *w)
{
	if (w->kind == CHG_WINDOW_WEEKLY)
		chg_buf_puts(b, w->node->value);
	else
		chg_buf_printf(b, "%s at %02d:%02d for %s", w->rrule,
			       w->start_minute / 60, w->start_minute % 60,
			       chg_node_str(chg_node_get(w->node, "duration")));
}

static void check_windows(struct run *r)
{
	const char *client = client_of(r->change);
	struct chg_buf list = CHG_BUF_INIT;
	struct chg_interval *occ;
	char ws[64], we[64];
	size_t i, j, n, nwin = 0;
	int inside = 0, error;

	if (!client)
		return;
	for (i = 0; i < r->s->nwindows && !inside; i++) {
		const struct chg_window *w = &r->s->windows[i];
		if (strcmp(w->client, client))
			continue;
		if (nwin++)
			chg_buf_puts(&list, ", ");
		describe_window(&list, w);
		error = chg_schedule_occurrences(&occ, &n, r->s, w, r->start, r->end);
		if (error == CHG_ENOMEM) {
			r->error = error;
			break;
		}
		for (j = 0; !error && j < n; j++)
			if (occ[j].start <= r->start && r->end <= occ[j].end)
				inside = 1;
		free(occ);
	}
	if (nwin && !inside && !r->error) {
		chg_tz_format(ws, sizeof(ws), r->zone, r->start);
		chg_tz_format(we, sizeof(we), r->zone, r->end);
		report(r, r->start_node, CHG_SEV_ERROR, "outside-maintenance-window",
		       "the window %s to %s is not inside one maintenance window of client %s (%s, %s)",
		       ws, we, client, list.ptr ? list.ptr : "",
		       chg_schedule_zone(r->s, client));
	}
	chg_buf_release(&list);
}

/* "2d", "47h59m", "30m", "10s": a duration as the policy writes them. */
static void format_duration(char *out, size_t size, int64_t secs)
{
	struct chg_buf b = CHG_BUF_INIT;
	static const struct { int64_t n; const char *unit; } units[] = {
		{ 86400, "d" }, { 3600, "h" }, { 60, "m" }, { 1, "s" }
	};
	size_t i;

	if (secs < 0) {
		chg_buf_puts(&b, "-");
		secs = -secs;
	}
	for (i = 0; i < 4; i++)
		if (secs >= units[i].n) {
			chg_buf_printf(&b, "%lld%s", (long long)(secs / units[i].n),
				       units[i].unit);
			secs %= units[i].n;
		}
	snprintf(out, size, "%s", b.ptr && *b.ptr && strcmp(b.ptr, "-") ? b.ptr : "0s");
	chg_buf_release(&b);
}

static void check_notice(struct run *r)
{
	const struct chg_change *c = r->change;
	const struct chg_notice *need = NULL;
	const struct chg_node *sent;
	char have[32], want[32], when[64];
	int64_t t;
	size_t i;

	for (i = 0; c->type && i < r->s->nnotice; i++)
		if (!strcmp(r->s->notice[i].type, c->type))
			need = &r->s->notice[i];
	if (!need || need->seconds <= 0)
		return;
	snprintf(want, sizeof(want), "%s", need->node->value);
	sent = chg_node_path(c->root, "communication.notice-sent");
	if (!sent || chg_node_is_null(sent)) {
		report(r, r->start_node, CHG_SEV_ERROR, "insufficient-notice",
		       "%s changes need %s notice before the window starts, and communication.notice-sent is missing",
		       c->type, want);
		return;
	}
	if (!chg_node_str(sent) || chg_datetime_parse(&t, sent->value) < 0)
		return; /* invalid-datetime says so */
	if (r->start - t >= need->seconds)
		return;
	format_duration(have, sizeof(have), r->start - t);
	report(r, sent, CHG_SEV_ERROR, "insufficient-notice",
	       "%s changes need %s notice, but notice was sent at %s, %s before the window starts at %s",
	       c->type, want, sent->value, have,
	       chg_tz_format(when, sizeof(when), r->zone, r->start));
}

int chg_schedule_check_change(const struct chg_policy *policy,
			      const struct chg_change *change, int64_t now,
			      struct chg_diag_list *diags)
{
	struct run r = { policy, policy->schedule, change, diags, NULL, 0, 0,
			 NULL, 0 };

	if (!r.s || !change->root || change->root->type != CHG_NODE_MAPPING ||
	    !chg_schedule_state_active(policy, change->state) ||
	    !window_of(change->root, &r.start, &r.end))
		return 0;
	r.start_node = chg_node_path(change->root, "window.start");
	r.zone = chg_schedule_zone(r.s, client_of(change));
	check_blackouts(&r, now);
	if (!r.error)
		check_windows(&r);
	if (!r.error)
		check_notice(&r);
	return r.error;
}

/* ---- window conflicts ---- */

/* A change's window on one of its systems. */
struct slot {
	const char *system;
	size_t pos;
	int64_t start, end;
};

/* By system, then as the changes are ordered (by_window). */
static int cmp_slot(const void *pa, const void *pb)
{
	const struct slot *a = pa, *b = pb;
	int c = strcmp(a->system, b->system);

	if (c)
		return c;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Two changes whose windows overlap on a system they share. */
struct conflict {
	const struct slot *a, *b;  /* a before b in window order */
	const char *system;
};

/* Window order: by start, then by position in the set. */
static int by_window(const struct slot *a, const struct slot *b)
{
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* The conflicts in the order of their changes' windows. */
static int cmp_conflict(const void *pa, const void *pb)
{
	const struct conflict *a = pa, *b = pb;
	int c = by_window(a->a, b->a);

	return c ? c : by_window(a->b, b->b);
}

/* The first system the two changes share, or NULL. */
static const char *shared_system(const struct chg_change *a,
				 const struct chg_change *b)
{
	const struct chg_node *sa = chg_node_get(a->root, "systems");
	const struct chg_node *sb = chg_node_get(b->root, "systems");
	size_t i;

	if (!sa || !sb || sa->type != CHG_NODE_SEQUENCE ||
	    sb->type != CHG_NODE_SEQUENCE)
		return NULL;
	for (i = 0; i < sa->n; i++)
		if (chg_node_str(sa->items[i]) &&
		    chg_node_seq_has(sb, sa->items[i]->value))
			return sa->items[i]->value;
	return NULL;
}

static int report_conflict(const struct chg_policy *policy,
			   const struct chg_change *c,
			   const struct chg_change *other, const char *system,
			   int64_t os, int64_t oe, struct chg_diag_list *diags)
{
	const struct chg_node *at = chg_node_path(c->root, "window.start");
	const char *zone = chg_schedule_zone(policy->schedule, client_of(c));
	char a[64], b[64];

	return chg_diag_add(diags, c->path, at ? at->line : 0,
			    at ? at->column : 0,
			    (enum chg_severity)policy->schedule->same_system,
			    "window-conflict",
			    "the window overlaps the window of %s (%s to %s) on system %s",
			    other->id ? other->id : other->path,
			    chg_tz_format(a, sizeof(a), zone, os),
			    chg_tz_format(b, sizeof(b), zone, oe), system);
}

int chg_schedule_check_set(const struct chg_policy *policy,
			   const struct chg_change_set *set,
			   struct chg_diag_list *diags)
{
	struct slot *slots = NULL;
	struct conflict *found = NULL;
	size_t i, j, k, n = 0, alloc = 0, nfound = 0, allocfound = 0;
	int error = 0;

	if (!policy->schedule || policy->schedule->same_system < 0 || !set->n)
		return 0;
	/*
	 * A window a system: the windows of one system are swept in order, so
	 * that the work is the overlaps on each system, not every pair of
	 * changes that happen to share a night.
	 */
	for (i = 0; i < set->n && !error; i++) {
		const struct chg_change *c = &set->items[i];
		const struct chg_node *systems;
		int64_t start, end;
		if (!c->root || c->root->type != CHG_NODE_MAPPING ||
		    !chg_schedule_state_active(policy, c->state) ||
		    !window_of(c->root, &start, &end) ||
		    !(systems = chg_node_get(c->root, "systems")) ||
		    systems->type != CHG_NODE_SEQUENCE)
			continue;
		for (k = 0; k < systems->n; k++) {
			if (!chg_node_str(systems->items[k]))
				continue;
			if (n == alloc) {
				struct slot *p;
				alloc = alloc ? 2 * alloc : 64;
				if (!(p = realloc(slots, alloc * sizeof(*p)))) {
					error = CHG_ENOMEM;
					break;
				}
				slots = p;
			}
			slots[n].system = systems->items[k]->value;
			slots[n].pos = i;
			slots[n].start = start;
			slots[n].end = end;
			n++;
		}
	}
	if (n)
		qsort(slots, n, sizeof(*slots), cmp_slot);
	/* a system a change lists twice is one slot: its two are adjacent */
	for (i = k = 0; i < n; i++)
		if (!k || slots[i].pos != slots[k - 1].pos ||
		    strcmp(slots[i].system, slots[k - 1].system))
			slots[k++] = slots[i];
	n = k;
	for (i = 0; i < n && !error; i++) {
		for (j = i + 1; j < n && !strcmp(slots[j].system, slots[i].system) &&
		     slots[j].start < slots[i].end && !error; j++) {
			const struct chg_change *a = &set->items[slots[i].pos];
			const struct chg_change *b = &set->items[slots[j].pos];
			const char *system;
			/* a pair is reported once, for the first system they
			   share; a system listed twice is not a conflict */
			if (a == b || !(system = shared_system(a, b)) ||
			    strcmp(system, slots[i].system))
				continue;
			if (nfound == allocfound) {
				struct conflict *p;
				allocfound = allocfound ? 2 * allocfound : 16;
				if (!(p = realloc(found, allocfound * sizeof(*p)))) {
					error = CHG_ENOMEM;
					break;
				}
				found = p;
			}
			found[nfound].a = by_window(&slots[i], &slots[j]) <= 0 ?
					  &slots[i] : &slots[j];
			found[nfound].b = found[nfound].a == &slots[i] ?
					  &slots[j] : &slots[i];
			found[nfound].system = system;
			nfound++;
		}
	}
	if (nfound)
		qsort(found, nfound, sizeof(*found), cmp_conflict);
	for (i = 0; i < nfound && !error; i++) {
		const struct slot *sa = found[i].a, *sb = found[i].b;
		const struct chg_change *a = &set->items[sa->pos];
		const struct chg_change *b = &set->items[sb->pos];
		error = report_conflict(policy, a, b, found[i].system, sb->start,
					sb->end, diags);
		if (!error)
			error = report_conflict(policy, b, a, found[i].system,
						sa->start, sa->end, diags);
	}
	free(found);
	free(slots);
	return error;
}
