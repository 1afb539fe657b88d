#include "calendar.h"

#include <git2.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "change.h"
#include "datetime.h"
#include "error.h"
#include "node.h"
#include "policy.h"
#include "workspace.h"
#include "banned.h"

#define MAX_DAYS 3660
#define DAY 86400

static int fail(struct chg_buf *err, int code, const char *fmt, const char *arg)
{
	chg_buf_clear(err);
	chg_buf_printf(err, fmt, arg);
	return code;
}

/* The scalar at `path` of `root`, or NULL when absent or empty. */
static const char *text_at(const struct chg_node *root, const char *path)
{
	const char *s = chg_node_str(chg_node_path(root, path));

	return s && *s ? s : NULL;
}

static int window_of(struct chg_interval *out, const struct chg_node *doc)
{
	const char *s = text_at(doc, "window.start");
	const char *e = text_at(doc, "window.end");

	return s && e && chg_datetime_parse(&out->start, s) == 0 &&
	       chg_datetime_parse(&out->end, e) == 0 && out->end >= out->start;
}

static int overlaps(const struct chg_interval *a, const struct chg_interval *b)
{
	return a->start < b->end && b->start < a->end;
}

/* "YYYY-MM-DD" as a civil date at 00:00. */
static int parse_date(struct chg_civil *out, const char *s)
{
	int64_t t;
	struct chg_civil lt = { 1970, 1, 1, 0, 0, 0 };

	if (chg_date_parse(&t, s) < 0)
		return CHG_EINVALID;
	chg_civil_set_days(&lt, t / DAY);
	*out = lt;
	return 0;
}

static const char *domain_of(const struct chg_policy *policy)
{
	const char *d = text_at(policy->root, "calendar.domain");

	return d ? d : CHG_CALENDAR_DEFAULT_DOMAIN;
}

static const char *status_of(const struct chg_policy *policy, const char *state)
{
	if (!state)
		return "TENTATIVE";
	if (!strcmp(state, "rejected") || !strcmp(state, "cancelled"))
		return "CANCELLED";
	if (policy->approved && chg_node_seq_has(policy->approved, state))
		return "CONFIRMED";
	return "TENTATIVE";
}

/* The sequence or scalar `n` joined with ", ", or NULL when empty. */
static char *join(const struct chg_node *n)
{
	struct chg_buf b = CHG_BUF_INIT;
	size_t i;

	if (!n)
		return NULL;
	if (n->type == CHG_NODE_SCALAR)
		return chg_node_str(n) && *n->value ? strdup(n->value) : NULL;
	if (n->type != CHG_NODE_SEQUENCE)
		return NULL;
	for (i = 0; i < n->n; i++) {
		const char *s = chg_node_str(n->items[i]);
		if (!s)
			continue;
		if (b.len)
			chg_buf_puts(&b, ", ");
		chg_buf_puts(&b, s);
	}
	if (!b.len) {
		chg_buf_release(&b);
		return NULL;
	}
	return chg_buf_detach(&b);
}

static void change_release(struct chg_calendar_change *c)
{
	free(c->id);
	free(c->title);
	free(c->type);
	free(c->state);
	free(c->client);
	free(c->risk);
	free(c->systems);
}

void chg_calendar_release(struct chg_calendar *cal)
{
	size_t i;

	if (!cal)
		return;
	for (i = 0; i < cal->nchanges; i++)
		change_release(&cal->changes[i]);
	free(cal->changes);
	for (i = 0; i < cal->nwindows; i++)
		free(cal->windows[i].occ);
	free(cal->windows);
	free(cal->blackouts);
	memset(cal, 0, sizeof(*cal));
}

static char *dup_or(const char *s, const char *dflt)
{
	s = s ? s : dflt;
	return s ? strdup(s) : NULL;
}

static int add_change(struct chg_calendar *cal, const struct chg_policy *policy,
		      const struct chg_change *c, const struct chg_interval *w)
{
	struct chg_calendar_change *e;
	const char *s;
	void *p;

	p = realloc(cal->changes, (cal->nchanges + 1) * sizeof(*cal->changes));
	if (!p)
		return CHG_ENOMEM;
	cal->changes = p;
	e = &cal->changes[cal->nchanges++];
	memset(e, 0, sizeof(*e));
	e->window = *w;
	e->id = strdup(c->id);
	e->title = dup_or(text_at(c->root, "title"), "");
	e->type = dup_or(c->type, "");
	e->state = dup_or(c->state, "");
	if ((s = text_at(c->root, "client")) && !(e->client = strdup(s)))
		return CHG_ENOMEM;
	if ((s = text_at(c->root, "risk.level")) && !(e->risk = strdup(s)))
		return CHG_ENOMEM;
	e->systems = join(chg_node_get(c->root, "systems"));
	e->status = status_of(policy, c->state);
	if (!e->id || !e->title || !e->type || !e->state)
		return CHG_ENOMEM;
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct chg_calendar_change *x = a, *y = b;

	if (x->window.start != y->window.start)
		return x->window.start < y->window.start ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* 1 when the blackout applies to `client` as far as its when.client tells. */
static int blackout_for(const struct chg_blackout *b, const char *client)
{
	const struct chg_node *n;
	const char *s;

	if (!client || !(n = chg_node_path(b->node, "when.client")))
		return 1;
	if ((s = chg_node_str(n)))
		return !strcmp(s, client);
	if (n->type == CHG_NODE_SEQUENCE)
		return chg_node_seq_has(n, client);
	return 1;
}

/* ---- history: SEQUENCE and DTSTAMP ---- */

struct walk {
	struct chg_calendar_change *items; /* sorted by id while walking */
	size_t n;
	char **last;               /* per item, the last counted commit */
};

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct chg_calendar_change *)a)->id,
		      ((const struct chg_calendar_change *)b)->id);
}

static int touches_window(const struct chg_audit_event *ev)
{
	size_t i;

	for (i = 0; i < ev->nfields; i++)
		if (!strcmp(ev->fields[i], "window") ||
		    !strncmp(ev->fields[i], "window.", 7))
			return 1;
	return 0;
}

static int on_event(const struct chg_audit_event *ev, void *payload)
{
	struct walk *w = payload;
	struct chg_calendar_change key, *e;
	size_t i;

	key.id = (char *)ev->change;
	e = bsearch(&key, w->items, w->n, sizeof(*w->items), by_id);
	if (!e)
		return 0;
	i = (size_t)(e - w->items);
	switch (ev->type) {
	case CHG_AUDIT_CREATED:
		e->sequence = 0;
		e->stamp = ev->commit->committer_time;
		free(w->last[i]);
		if (!(w->last[i] = strdup(ev->commit->hex)))
			return CHG_ENOMEM;
		return 0;
	case CHG_AUDIT_UPDATED:
		if (ev->invalid || !touches_window(ev))
			return 0;
		break;
	case CHG_AUDIT_STATE:
		break;
	default:
		return 0;
	}
	if (w->last[i] && !strcmp(w->last[i], ev->commit->hex))
		return 0;
	e->sequence++;
	e->stamp = ev->commit->committer_time;
	free(w->last[i]);
	if (!(w->last[i] = strdup(ev->commit->hex)))
		return CHG_ENOMEM;
	return 0;
}

/* Change requests history did not see created (a shallow clone's
 * starting point) are stamped with the revision's committer time. */
static int stamp_unknown(struct chg_calendar *cal, struct chg_workspace *ws)
{
	git_commit *tip;
	size_t i;

	for (i = 0; i < cal->nchanges; i++)
		if (!cal->changes[i].stamp)
			break;
	if (i == cal->nchanges)
		return 0;
	if (git_commit_lookup(&tip, ws->repo, &ws->tip) < 0)
		return CHG_EGIT;
	for (; i < cal->nchanges; i++)
		if (!cal->changes[i].stamp)
			cal->changes[i].stamp = (int64_t)git_commit_time(tip);
	git_commit_free(tip);
	return 0;
}

static int read_history(struct chg_calendar *cal, struct chg_buf *err,
			struct chg_workspace *ws)
{
	struct chg_audit_options opts = CHG_AUDIT_OPTIONS_INIT;
	const struct chg_history *h;
	struct walk w;
	const char **ids = NULL;
	size_t i;
	int error;

	if (!cal->nchanges || !ws->has_tip)
		return 0;
	qsort(cal->changes, cal->nchanges, sizeof(*cal->changes), by_id);
	w.items = cal->changes;
	w.n = cal->nchanges;
	w.last = calloc(cal->nchanges, sizeof(*w.last));
	ids = calloc(cal->nchanges, sizeof(*ids));
	if (!w.last || !ids) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < cal->nchanges; i++)
		ids[i] = cal->changes[i].id;
	opts.ids = ids;
	opts.nids = cal->nchanges;
	/* a shallow clone has no history index; the audit trail walks what
	   it has */
	if (git_repository_is_shallow(ws->repo) == 1)
		error = chg_audit_walk(ws->repo, &ws->tip, ws->policy, &opts,
				       on_event, &w, NULL);
	else if ((error = chg_workspace_history(&h, ws, err)) == 0)
		error = chg_audit_walk_history(ws->repo, h, ws->policy, &opts,
					       on_event, &w, NULL);
	else
		goto cleanup;
	if (error == 0)
		error = stamp_unknown(cal, ws);
	if (error < 0 && error != CHG_ENOMEM)
		error = fail(err, error, "cannot walk the history: %s",
			     git_error_last() ? git_error_last()->message : "unknown error");
cleanup:
	if (w.last)
		for (i = 0; i < cal->nchanges; i++)
			free(w.last[i]);
	free(w.last);
	free(ids);
	return error;
}

/* ---- the calendar ---- */

static int set_period(struct chg_calendar *cal, struct chg_buf *err,
		      const struct chg_calendar_options *opts)
{
	struct chg_civil day;
	int64_t d0, d1;
	int error;

	if (opts->from) {
		if (parse_date(&cal->from, opts->from) < 0)
			return fail(err, CHG_EINVALID, "--from '%s' is not a date such as 2026-12-01", opts->from);
	} else {
		if ((error = chg_tz_from_utc(&cal->from, NULL, cal->zone, opts->now)) < 0)
			return fail(err, error, "cannot convert the time to zone %s", cal->zone);
		cal->from.hour = cal->from.minute = cal->from.second = 0;
	}
	d0 = chg_civil_days(&cal->from);
	if (opts->to) {
		if (parse_date(&cal->to, opts->to) < 0)
			return fail(err, CHG_EINVALID, "--to '%s' is not a date such as 2026-12-31", opts->to);
	} else {
		cal->to = cal->from;
		chg_civil_set_days(&cal->to, d0 + CHG_CALENDAR_DEFAULT_DAYS - 1);
	}
	d1 = chg_civil_days(&cal->to);
	if (d1 < d0)
		return fail(err, CHG_EINVALID, "--to '%s' is before --from", opts->to);
	if (d1 - d0 >= MAX_DAYS)
		return fail(err, CHG_EINVALID, "the period from %s is longer than 3660 days",
			    opts->from ? opts->from : "today");
	if ((error = chg_tz_to_utc(&cal->start, cal->zone, &cal->from)) < 0)
		return fail(err, error, "cannot convert the dates to zone %s", cal->zone);
	day = cal->to;
	chg_civil_set_days(&day, d1 + 1);
	if ((error = chg_tz_to_utc(&cal->end, cal->zone, &day)) < 0)
		return fail(err, error, "cannot convert the dates to zone %s", cal->zone);
	return 0;
}

static int known_client(const struct chg_policy *policy, const char *client)
{
	const struct chg_schedule *s = policy->schedule;
	size_t i;

	if (policy->clients && policy->clients->n)
		return chg_node_seq_has(policy->clients, client);
	for (i = 0; i < s->nclients; i++)
		if (!strcmp(s->clients[i].name, client))
			return 1;
	for (i = 0; i < s->nwindows; i++)
		if (!strcmp(s->windows[i].client, client))
			return 1;
	return 1; /* a policy without clients accepts any name */
}

/* The first occurrence of a window's series, from the day it starts. */
static int first_ever(int64_t *out, const struct chg_schedule *s,
		      const struct chg_calendar_window *cw, int64_t end)
{
	struct chg_civil day = cw->window->from;
	struct chg_interval *occ = NULL;
	size_t n = 0;
	int64_t t;
	int error;

	day.hour = day.minute = day.second = 0;
	if ((error = chg_tz_to_utc(&t, cw->zone, &day)) < 0)
		return error;
	if ((error = chg_schedule_occurrences(&occ, &n, s, cw->window, t, end)) < 0)
		return error;
	if (n)
		*out = occ[0].start;
	free(occ);
	return 0;
}

static int add_schedule(struct chg_calendar *cal, struct chg_buf *err,
			const struct chg_schedule *s)
{
	size_t i, j, number;
	int error;

	if (s->nblackouts &&
	    !(cal->blackouts = calloc(s->nblackouts, sizeof(*cal->blackouts))))
		return CHG_ENOMEM;
	for (i = 0; i < s->nblackouts; i++) {
		struct chg_calendar_blackout *b = &cal->blackouts[cal->nblackouts];
		if (!blackout_for(&s->blackouts[i], cal->client))
			continue;
		b->blackout = &s->blackouts[i];
		b->number = i + 1;
		if ((error = chg_schedule_blackout_interval(&b->span, b->blackout, cal->zone)) < 0)
			return fail(err, error, "cannot read blackout '%s' in its zone",
				    b->blackout->name);
		if (overlaps(&b->span, &(struct chg_interval){ cal->start, cal->end }))
			cal->nblackouts++;
	}
	if (s->nwindows &&
	    !(cal->windows = calloc(s->nwindows, sizeof(*cal->windows))))
		return CHG_ENOMEM;
	for (i = 0; i < s->nwindows; i++) {
		const struct chg_window *w = &s->windows[i];
		struct chg_calendar_window *cw = &cal->windows[cal->nwindows];
		if (cal->client && strcmp(w->client, cal->client))
			continue;
		for (j = number = 0; j <= i; j++)
			number += !strcmp(s->windows[j].client, w->client);
		cw->window = w;
		cw->number = number;
		cw->zone = chg_schedule_zone(s, w->client);
		error = chg_schedule_occurrences(&cw->occ, &cw->nocc, s, w,
						 cal->start, cal->end);
		if (error < 0)
			return fail(err, error, "cannot expand the maintenance windows of %s",
				    w->client);
		cw->series_start = cw->nocc ? cw->occ[0].start : 0;
		if (cw->nocc && w->kind == CHG_WINDOW_RRULE && strstr(w->rrule, "COUNT=") &&
		    (error = first_ever(&cw->series_start, s, cw, cal->end)) < 0)
			return fail(err, error, "cannot expand the maintenance windows of %s",
				    w->client);
		cal->nwindows++;
	}
	return 0;
}

int chg_calendar_build(struct chg_calendar *out, struct chg_buf *err,
		       struct chg_workspace *ws,
		       const struct chg_calendar_options *opts)
{
	const struct chg_policy *policy = ws->policy;
	const struct chg_change_set *set = &ws->changes;
	struct chg_diag_list ignored = CHG_DIAG_LIST_INIT;
	struct chg_calendar *cal = out;
	struct chg_interval period;
	size_t i;
	int error;

	memset(cal, 0, sizeof(*cal));
	cal->client = opts->client;
	cal->domain = domain_of(policy);
	if (opts->client && !known_client(policy, opts->client))
		return fail(err, CHG_EINVALID, "'%s' is not one of the policy's clients", opts->client);
	cal->zone = chg_schedule_zone(policy->schedule, opts->client);
	if ((error = set_period(cal, err, opts)) < 0)
		goto fail;
	period.start = cal->start;
	period.end = cal->end;
	if ((error = add_schedule(cal, err, policy->schedule)) < 0)
		goto fail;

	error = chg_workspace_load_changes(ws, &ignored, err, NULL);
	chg_diag_list_release(&ignored);
	if (error < 0)
		goto fail;
	for (i = 0; i < set->n; i++) {
		const struct chg_change *c = &set->items[i];
		struct chg_interval w;
		if (!c->root || !c->id || chg_change_set_find(set, c->id) != c)
			continue;
		if (opts->client) {
			const char *cl = text_at(c->root, "client");
			if (!cl || strcmp(cl, opts->client))
				continue;
		}
		if (!window_of(&w, c->root))
			continue;
		/* an empty window still shows on its day */
		if (!(w.start < period.end &&
		      (w.end > period.start || (w.end == w.start && w.start >= period.start))))
			continue;
		if ((error = add_change(cal, policy, c, &w)) < 0)
			goto fail;
	}
	if ((error = read_history(cal, err, ws)) < 0)
		goto fail;
	if (cal->nchanges > 1)
		qsort(cal->changes, cal->nchanges, sizeof(*cal->changes), by_start);
	return 0;
fail:
	if (error == CHG_ENOMEM)
		fail(err, error, "%s", "out of memory");
	chg_calendar_release(cal);
	return error;
}

/* ---- iCalendar ---- */

static int utf8_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

static int fold_line(struct chg_buf *out, const char *s, size_t len)
{
	size_t limit = 75, cut;

	for (;;) {
		if (len <= limit) {
			chg_buf_put(out, s, len);
			return chg_buf_puts(out, "\r\n");
		}
		cut = limit;
		while (cut > 0 && utf8_cont((unsigned char)s[cut]))
			cut--;
		if (cut == 0)
			cut = limit;
		chg_buf_put(out, s, cut);
		chg_buf_puts(out, "\r\n ");
		s += cut;
		len -= cut;
		limit = 74;
	}
}

int chg_calendar_fold(struct chg_buf *out, const char *in, size_t len)
{
	struct chg_buf line = CHG_BUF_INIT;
	size_t i = 0;
	int error = 0;

	while (i < len) {
		char c = in[i];
		if (c == '\r' && i + 1 < len && in[i + 1] == '\n') {
			i++;
			continue;
		}
		if (c == '\n') {
			i++;
			if (i < len && (in[i] == ' ' || in[i] == '\t')) {
				i++;   /* a folded line goes on */
				continue;
			}
			if (fold_line(out, line.ptr ? line.ptr : "", line.len) < 0)
				error = CHG_ENOMEM;
			chg_buf_clear(&line);
			continue;
		}
		if (chg_buf_putc(&line, c) < 0)
			error = CHG_ENOMEM;
		i++;
	}
	if (line.len && fold_line(out, line.ptr, line.len) < 0)
		error = CHG_ENOMEM;
	chg_buf_release(&line);
	return error;
}

static struct icaltimetype utc_time(int64_t t)
{
	return icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
}

static struct icaltimetype date_value(const struct chg_civil *d, int64_t plus_days)
{
	struct icaltimetype t = icaltime_null_date();
	struct chg_civil c = *d;

	chg_civil_set_days(&c, chg_civil_days(d) + plus_days);
	t.year = c.year;
	t.month = c.month;
	t.day = c.day;
	t.is_date = 1;
	return t;
}

static void add_text(icalcomponent *ev, icalproperty *p)
{
	if (p)
		icalcomponent_add_property(ev, p);
}

/* DTSTAMP, LAST-MODIFIED and the ORGANIZER a published event needs
 * (RFC 5546): the feed itself, calendar@domain. */
static int add_stamps(icalcomponent *ev, int64_t stamp, const char *domain)
{
	struct chg_buf b = CHG_BUF_INIT;
	icalproperty *p;

	icalcomponent_add_property(ev, icalproperty_new_dtstamp(utc_time(stamp)));
	icalcomponent_add_property(ev, icalproperty_new_lastmodified(utc_time(stamp)));
	if (chg_buf_printf(&b, "mailto:calendar@%s", domain) < 0)
		return CHG_ENOMEM;
	p = icalproperty_new_organizer(b.ptr);
	chg_buf_release(&b);
	if (!p)
		return CHG_ENOMEM;
	icalproperty_add_parameter(p, icalparameter_new_cn("chg"));
	icalcomponent_add_property(ev, p);
	return 0;
}

static char *uid(const char *fmt, const char *a, const char *domain, size_t n)
{
	struct chg_buf b = CHG_BUF_INIT;

	if (a)
		chg_buf_printf(&b, fmt, a, n, domain);
	else
		chg_buf_printf(&b, fmt, domain, n);
	return chg_buf_detach(&b);
}

static int change_event(icalcomponent *cal, const struct chg_calendar *c,
			const struct chg_calendar_change *e)
{
	icalcomponent *ev = icalcomponent_new_vevent();
	struct chg_buf b = CHG_BUF_INIT;
	int nomem = 0;

	if (!ev)
		return CHG_ENOMEM;
	nomem |= chg_buf_printf(&b, "%s@%s", e->id, c->domain) < 0;
	add_text(ev, icalproperty_new_uid(b.ptr ? b.ptr : ""));
	nomem |= add_stamps(ev, e->stamp, c->domain) < 0;
	icalcomponent_add_property(ev, icalproperty_new_dtstart(utc_time(e->window.start)));
	icalcomponent_add_property(ev, icalproperty_new_dtend(utc_time(e->window.end)));
	chg_buf_clear(&b);
	nomem |= chg_buf_printf(&b, "%s: %s", e->id, e->title) < 0;
	add_text(ev, icalproperty_new_summary(b.ptr ? b.ptr : ""));
	chg_buf_clear(&b);
	nomem |= chg_buf_printf(&b, "Type: %s\nState: %s\nRisk: %s\nClient: %s\nSystems: %s",
				*e->type ? e->type : "-", *e->state ? e->state : "-",
				e->risk ? e->risk : "-", e->client ? e->client : "-",
				e->systems ? e->systems : "-") < 0;
	add_text(ev, icalproperty_new_description(b.ptr ? b.ptr : ""));
	if (*e->type)
		add_text(ev, icalproperty_new_categories(e->type));
	icalcomponent_add_property(ev, icalproperty_new_status(
		!strcmp(e->status, "CANCELLED") ? ICAL_STATUS_CANCELLED :
		!strcmp(e->status, "CONFIRMED") ? ICAL_STATUS_CONFIRMED :
		ICAL_STATUS_TENTATIVE));
	icalcomponent_add_property(ev, icalproperty_new_sequence((int)e->sequence));
	icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
	icalcomponent_add_component(cal, ev);
	chg_buf_release(&b);
	return nomem ? CHG_ENOMEM : 0;
}

static int blackout_event(icalcomponent *cal, const struct chg_calendar *c,
			  const struct chg_calendar_blackout *bo, int64_t stamp)
{
	const struct chg_blackout *b = bo->blackout;
	icalcomponent *ev = icalcomponent_new_vevent();
	struct chg_buf s = CHG_BUF_INIT;
	char *u;
	int nomem = 0;

	if (!ev)
		return CHG_ENOMEM;
	u = uid("blackout-%2$zu@%1$s", NULL, c->domain, bo->number);
	add_text(ev, icalproperty_new_uid(u ? u : ""));
	free(u);
	nomem |= add_stamps(ev, stamp, c->domain) < 0;
	if (b->start.is_date)
		icalcomponent_add_property(ev, icalproperty_new_dtstart(date_value(&b->start.date, 0)));
	else
		icalcomponent_add_property(ev, icalproperty_new_dtstart(utc_time(b->start.instant)));
	if (b->end.is_date)
		icalcomponent_add_property(ev, icalproperty_new_dtend(date_value(&b->end.date, 1)));
	else
		icalcomponent_add_property(ev, icalproperty_new_dtend(utc_time(b->end.instant)));
	nomem |= chg_buf_printf(&s, "Blackout: %s", b->name) < 0;
	add_text(ev, icalproperty_new_summary(s.ptr ? s.ptr : ""));
	chg_buf_clear(&s);
	nomem |= chg_buf_puts(&s, "No changes") < 0;
	if (b->allow && b->allow->type == CHG_NODE_SEQUENCE && b->allow->n) {
		char *types = join(b->allow);
		nomem |= chg_buf_printf(&s, " except %s", types ? types : "") < 0;
		free(types);
	}
	if (c->client)
		nomem |= chg_buf_printf(&s, " for %s", c->client) < 0;
	nomem |= chg_buf_puts(&s, ".") < 0;
	add_text(ev, icalproperty_new_description(s.ptr ? s.ptr : ""));
	add_text(ev, icalproperty_new_categories("blackout"));
	icalcomponent_add_property(ev, icalproperty_new_status(ICAL_STATUS_CONFIRMED));
	icalcomponent_add_property(ev, icalproperty_new_sequence(0));
	icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	icalcomponent_add_component(cal, ev);
	chg_buf_release(&s);
	return nomem ? CHG_ENOMEM : 0;
}

/* Whether `zone` is UTC by another name: its times are written in UTC
 * (with Z), without a TZID. */
static int is_utc(const char *zone)
{
	static const char *const names[] = {
		"UTC", "Etc/UTC", "GMT", "Etc/GMT", "UCT", "Etc/UCT", "Zulu",
		"Etc/Zulu", "Universal", "Etc/Universal", "Etc/GMT0", "GMT0",
		"Etc/GMT+0", "Etc/GMT-0", "Etc/Greenwich", "Greenwich", NULL
	};
	size_t i;

	for (i = 0; names[i]; i++)
		if (!strcmp(zone, names[i]))
			return 1;
	return 0;
}

static const char *const byday[] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };

static int window_event(icalcomponent *cal, const struct chg_calendar *c,
			const struct chg_calendar_window *cw, int64_t stamp)
{
	const struct chg_window *w = cw->window;
	icalcomponent *ev;
	struct icaltimetype dt = icaltime_null_time();
	struct icaldurationtype dur;
	struct icalrecurrencetype recur;
	struct chg_civil lt;
	struct chg_buf s = CHG_BUF_INIT;
	icalproperty *p;
	char until[32];
	int64_t length;
	int nomem = 0, error;

	if (!cw->nocc)
		return 0;
	if ((error = chg_tz_from_utc(&lt, NULL, cw->zone, cw->series_start)) < 0)
		return error;
	if (w->kind == CHG_WINDOW_WEEKLY) {
		length = (int64_t)((w->end_wday - w->start_wday + 7) % 7) * DAY +
			 (int64_t)(w->end_minute - w->start_minute) * 60;
		if (length <= 0)
			length += 7 * DAY;
		nomem |= chg_buf_printf(&s, "FREQ=WEEKLY;BYDAY=%s", byday[w->start_wday]) < 0;
	} else {
		length = w->duration;
		nomem |= chg_buf_puts(&s, w->rrule) < 0;
	}
	if (!strstr(s.ptr ? s.ptr : "", "UNTIL=") && !strstr(s.ptr ? s.ptr : "", "COUNT=")) {
		struct icaltimetype u = utc_time(c->end - 1);
		snprintf(until, sizeof(until), "%04d%02d%02dT%02d%02d%02dZ",
			 u.year, u.month, u.day, u.hour, u.minute, u.second);
		nomem |= chg_buf_printf(&s, ";UNTIL=%s", until) < 0;
	}
	if (nomem)
		goto nomem;
	recur = icalrecurrencetype_from_string(s.ptr);
	if (recur.freq == ICAL_NO_RECURRENCE) {
		chg_buf_release(&s);
		icalerror_clear_errno();
		return CHG_ERROR;
	}
	if (!(ev = icalcomponent_new_vevent()))
		goto nomem;
	chg_buf_clear(&s);
	nomem |= chg_buf_printf(&s, "window-%s-%zu@%s", w->client, cw->number, c->domain) < 0;
	add_text(ev, icalproperty_new_uid(s.ptr ? s.ptr : ""));
	nomem |= add_stamps(ev, stamp, c->domain) < 0;
	dt.year = lt.year;
	dt.month = lt.month;
	dt.day = lt.day;
	dt.hour = lt.hour;
	dt.minute = lt.minute;
	dt.second = lt.second;
	if (is_utc(cw->zone)) {
		icalcomponent_add_property(ev, icalproperty_new_dtstart(utc_time(cw->series_start)));
	} else {
		p = icalproperty_new_dtstart(dt);
		icalproperty_add_parameter(p, icalparameter_new_tzid(cw->zone));
		icalcomponent_add_property(ev, p);
	}
	dur = icaldurationtype_from_int((int)length);
	icalcomponent_add_property(ev, icalproperty_new_duration(dur));
	icalcomponent_add_property(ev, icalproperty_new_rrule(recur));
	chg_buf_clear(&s);
	nomem |= chg_buf_printf(&s, "Maintenance window: %s", w->client) < 0;
	add_text(ev, icalproperty_new_summary(s.ptr ? s.ptr : ""));
	add_text(ev, icalproperty_new_categories("maintenance-window"));
	icalcomponent_add_property(ev, icalproperty_new_status(ICAL_STATUS_CONFIRMED));
	icalcomponent_add_property(ev, icalproperty_new_sequence(0));
	icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	icalcomponent_add_component(cal, ev);
	chg_buf_release(&s);
	return nomem ? CHG_ENOMEM : 0;
nomem:
	chg_buf_release(&s);
	return CHG_ENOMEM;
}

/* Adds a VTIMEZONE for `zone` unless one of that name is there. */
static int add_timezone(icalcomponent *cal, const char *zone)
{
	icaltimezone *z;
	icalcomponent *vtz, *clone;
	icalproperty *p;

	for (vtz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
	     vtz; vtz = icalcomponent_get_next_component(cal, ICAL_VTIMEZONE_COMPONENT)) {
		p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
		if (p && !strcmp(icalproperty_get_tzid(p), zone))
			return 0;
	}
	if (is_utc(zone))
		return 0;
	z = icaltimezone_get_builtin_timezone(zone);
	if (!z || !(vtz = icaltimezone_get_component(z)))
		return CHG_ERROR;
	if (!(clone = icalcomponent_new_clone(vtz)))
		return CHG_ENOMEM;
	/* the plain IANA name: no libical prefix */
	p = icalcomponent_get_first_property(clone, ICAL_TZID_PROPERTY);
	if (p)
		icalproperty_set_tzid(p, zone);
	else
		icalcomponent_add_property(clone, icalproperty_new_tzid(zone));
	icalcomponent_add_component(cal, clone);
	return 0;
}

int chg_calendar_ics(struct chg_buf *out, struct chg_buf *err,
		     const struct chg_calendar *cal)
{
	icalcomponent *vcal;
	struct chg_buf name = CHG_BUF_INIT;
	int64_t stamp = 0;
	char *text;
	size_t i;
	int error = 0;

	/* the schedule's events are stamped with the newest change's stamp:
	   a date history gives, never the clock */
	for (i = 0; i < cal->nchanges; i++)
		if (cal->changes[i].stamp > stamp)
			stamp = cal->changes[i].stamp;
	if (!(vcal = icalcomponent_new_vcalendar()))
		return CHG_ENOMEM;
	icalcomponent_add_property(vcal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(vcal, icalproperty_new_prodid("-//chg//chg calendar//EN"));
	icalcomponent_add_property(vcal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(vcal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
	if (cal->client)
		chg_buf_printf(&name, "Changes: %s", cal->client);
	else
		chg_buf_puts(&name, "Changes");
	icalcomponent_add_property(vcal, icalproperty_new_x(name.ptr ? name.ptr : ""));
	icalproperty_set_x_name(icalcomponent_get_first_property(vcal, ICAL_X_PROPERTY),
				"X-WR-CALNAME");
	chg_buf_release(&name);

	for (i = 0; i < cal->nwindows && !error; i++)
		if (cal->windows[i].nocc)
			error = add_timezone(vcal, cal->windows[i].zone);
	if (error) {
		icalcomponent_free(vcal);
		return fail(err, error, "libical has no time zone data for %s",
			    cal->windows[i - 1].zone);
	}
	for (i = 0; i < cal->nchanges && !error; i++)
		error = change_event(vcal, cal, &cal->changes[i]);
	for (i = 0; i < cal->nwindows && !error; i++)
		error = window_event(vcal, cal, &cal->windows[i], stamp);
	for (i = 0; i < cal->nblackouts && !error; i++)
		error = blackout_event(vcal, cal, &cal->blackouts[i], stamp);
	if (error) {
		icalcomponent_free(vcal);
		if (error == CHG_ENOMEM)
			return error;
		return fail(err, error, "libical cannot build the feed: %s",
			    icalerror_strerror(icalerrno));
	}
	text = icalcomponent_as_ical_string_r(vcal);
	icalcomponent_free(vcal);
	if (!text)
		return CHG_ENOMEM;
	error = chg_calendar_fold(out, text, strlen(text));
	icalmemory_free_buffer(text);
	return error;
}

/* ---- suggestions ---- */

void chg_calendar_slots_release(struct chg_calendar_slots *s)
{
	if (!s)
		return;
	free(s->items);
	s->items = NULL;
	s->n = 0;
}

/* Intervals a slot may not intersect. */
struct blocks {
	struct chg_interval *items;
	size_t n, alloc;
};

static int block_add(struct blocks *b, int64_t start, int64_t end)
{
	if (b->n == b->alloc) {
		size_t alloc = b->alloc ? 2 * b->alloc : 16;
		void *p = realloc(b->items, alloc * sizeof(*b->items));
		if (!p)
			return CHG_ENOMEM;
		b->items = p;
		b->alloc = alloc;
	}
	b->items[b->n].start = start;
	b->items[b->n++].end = end;
	return 0;
}

static int shares_system(const struct chg_node *a, const struct chg_node *b)
{
	size_t i;

	if (!a || !b || a->type != CHG_NODE_SEQUENCE)
		return 0;
	for (i = 0; i < a->n; i++) {
		const char *s = chg_node_str(a->items[i]);
		if (s && (b->type == CHG_NODE_SEQUENCE ? chg_node_seq_has(b, s) :
			  chg_node_str(b) && !strcmp(chg_node_str(b), s)))
			return 1;
	}
	return 0;
}

static int64_t notice_of(const struct chg_schedule *s, const char *type)
{
	size_t i;

	for (i = 0; type && i < s->nnotice; i++)
		if (!strcmp(s->notice[i].type, type))
			return s->notice[i].seconds;
	return 0;
}

static int collect_blocks(struct blocks *bl, int64_t *earliest,
			  const struct chg_policy *policy,
			  const struct chg_change_set *set,
			  const struct chg_change *me, const char *zone)
{
	const struct chg_schedule *s = policy->schedule;
	const struct chg_node *deps = chg_node_get(me->root, "depends-on");
	const struct chg_node *systems = chg_node_get(me->root, "systems");
	struct chg_interval iv;
	size_t i;
	int error;

	for (i = 0; i < s->nblackouts; i++) {
		const struct chg_blackout *b = &s->blackouts[i];
		if (b->allow && me->type && chg_node_seq_has(b->allow, me->type))
			continue;
		if (!blackout_for(b, text_at(me->root, "client")))
			continue;
		if ((error = chg_schedule_blackout_interval(&iv, b, zone)) < 0)
			return error;
		if (block_add(bl, iv.start, iv.end) < 0)
			return CHG_ENOMEM;
	}
	for (i = 0; i < set->n; i++) {
		const struct chg_change *c = &set->items[i];
		if (!c->root || !c->id || c == me || !strcmp(c->id, me->id) ||
		    !window_of(&iv, c->root))
			continue;
		if (deps && (deps->type == CHG_NODE_SEQUENCE ?
			     chg_node_seq_has(deps, c->id) :
			     chg_node_str(deps) && !strcmp(chg_node_str(deps), c->id)) &&
		    iv.end > *earliest)
			*earliest = iv.end;
		if (chg_schedule_state_active(policy, c->state) &&
		    shares_system(systems, chg_node_get(c->root, "systems")) &&
		    block_add(bl, iv.start, iv.end) < 0)
			return CHG_ENOMEM;
	}
	return 0;
}

/* Moves `t` past every block [t, t + d) intersects; returns the new start. */
static int64_t clear_of(const struct blocks *bl, int64_t t, int64_t d)
{
	size_t i;
	int moved = 1;

	while (moved) {
		moved = 0;
		for (i = 0; i < bl->n; i++) {
			const struct chg_interval *b = &bl->items[i];
			if (b->start < t + d + (d == 0) && t < b->end) {
				t = b->end;
				moved = 1;
			}
		}
	}
	return t;
}

static int slot_add(struct chg_calendar_slots *out, int64_t t, int64_t d)
{
	void *p = realloc(out->items, (out->n + 1) * sizeof(*out->items));

	if (!p)
		return CHG_ENOMEM;
	out->items = p;
	out->items[out->n].start = t;
	out->items[out->n++].end = t + d;
	return 0;
}

static int find_slots(struct chg_calendar_slots *out, const struct blocks *bl,
		      const struct chg_schedule *s, const char *client,
		      size_t max)
{
	int64_t horizon = out->earliest + 366 * (int64_t)DAY, t, d = out->duration;
	struct chg_interval *occ = NULL, *all = NULL;
	size_t i, nocc, nall = 0, k;
	int error = 0, any = 0;

	for (i = 0; i < s->nwindows; i++) {
		void *p;
		if (!client || strcmp(s->windows[i].client, client))
			continue;
		any = 1;
		error = chg_schedule_occurrences(&occ, &nocc, s, &s->windows[i],
						 out->earliest, horizon);
		if (error < 0)
			goto done;
		p = realloc(all, (nall + nocc + 1) * sizeof(*all));
		if (!p) {
			error = CHG_ENOMEM;
			goto done;
		}
		all = p;
		memcpy(all + nall, occ, nocc * sizeof(*occ));
		nall += nocc;
		free(occ);
		occ = NULL;
	}
	if (!any) {
		/* no maintenance windows: any time, one slot a day */
		for (t = out->earliest; out->n < max && t < horizon; t += DAY) {
			t = clear_of(bl, t, d);
			if (t >= horizon)
				break;
			if ((error = slot_add(out, t, d)) < 0)
				goto done;
		}
		goto done;
	}
	/* occurrences by start; windows of one client may interleave */
	for (i = 1; i < nall; i++)
		for (k = i; k > 0 && all[k - 1].start > all[k].start; k--) {
			struct chg_interval tmp = all[k];
			all[k] = all[k - 1];
			all[k - 1] = tmp;
		}
	for (i = 0; i < nall && out->n < max; i++) {
		t = all[i].start > out->earliest ? all[i].start : out->earliest;
		t = clear_of(bl, t, d);
		if (t + d <= all[i].end && (error = slot_add(out, t, d)) < 0)
			goto done;
	}
done:
	free(occ);
	free(all);
	return error;
}

int chg_calendar_suggest(struct chg_calendar_slots *out, struct chg_buf *err,
			 struct chg_workspace *ws, const char *id,
			 int64_t now, size_t max)
{
	const struct chg_policy *policy = ws->policy;
	struct chg_diag_list ignored = CHG_DIAG_LIST_INIT;
	struct blocks bl = { NULL, 0, 0 };
	const struct chg_change *me;
	struct chg_interval w;
	const char *sent, *client;
	int64_t t;
	int error;

	memset(out, 0, sizeof(*out));
	error = chg_workspace_load_changes(ws, &ignored, err, NULL);
	chg_diag_list_release(&ignored);
	if (error < 0)
		return error;
	me = chg_change_set_find(&ws->changes, id);
	if (!me || !me->root)
		return fail(err, CHG_ENOTFOUND, "no change request '%s'", id);
	if (!window_of(&w, me->root))
		return fail(err, CHG_EINVALID, "%s has no valid window.start and window.end", id);
	client = text_at(me->root, "client");
	out->zone = chg_schedule_zone(policy->schedule, client);
	out->duration = w.end - w.start;
	out->earliest = now;
	sent = text_at(me->root, "communication.notice-sent");
	t = (sent && chg_datetime_parse(&t, sent) == 0 ? t : now) +
	    notice_of(policy->schedule, me->type);
	if (t > out->earliest)
		out->earliest = t;
	error = collect_blocks(&bl, &out->earliest, policy, &ws->changes, me,
			       out->zone);
	if (error == 0)
		error = find_slots(out, &bl, policy->schedule, client, max);
	free(bl.items);
	if (error < 0) {
		chg_calendar_slots_release(out);
		if (error == CHG_ENOMEM)
			return fail(err, error, "%s", "out of memory");
		return fail(err, error, "cannot search the maintenance windows of %s",
			    client ? client : "(none)");
	}
	return 0;
}
