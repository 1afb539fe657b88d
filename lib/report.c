#include "report.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "check.h"
#include "cond.h"
#include "change.h"
#include "datetime.h"
#include "error.h"
#include "workspace.h"
#include "node.h"
#include "policy.h"
#include "repo.h"
#include "schedule.h"
#include "tz.h"
#include "yaml.h"
#include "banned.h"

/* An approval that counts for the change request's content. */
struct vote {
	char *commit;              /* the approval commit, full id */
	char *who;                 /* its Approved-by value */
	char *email;               /* from it, or NULL */
};

/* What the walk learns about one change request. */
struct track {
	int has_created;
	int64_t created;
	struct vote *votes;        /* oldest first */
	size_t nvotes, alloc;
};

struct build {
	struct chg_report *r;
	struct track *tracks;      /* parallel to r->items while sorted by id */
	size_t ntracks;
	const struct chg_policy *policy;
	int error;
};

static int fail(struct chg_buf *err, int code, const char *fmt, const char *arg)
{
	chg_buf_clear(err);
	chg_buf_printf(err, fmt, arg);
	return code;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The scalar at `path` of `root`, or NULL when absent, null or blank. */
static const char *text_at(const struct chg_node *root, const char *path)
{
	const struct chg_node *n = chg_node_path(root, path);
	const char *s = chg_node_str(n), *p;

	if (!s || chg_node_is_null(n))
		return NULL;
	for (p = s; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
		;
	return *p ? s : NULL;
}

static void entry_release(struct chg_report_entry *e)
{
	size_t i;

	free(e->id);
	free(e->path);
	free(e->title);
	free(e->type);
	free(e->state);
	free(e->client);
	free(e->requested_by);
	free(e->owner);
	free(e->reason);
	free(e->description);
	free(e->rollback_plan);
	free(e->outcome);
	free(e->review_notes);
	free(e->procedure);
	free(e->zone);
	for (i = 0; i < e->napprovers; i++)
		free(e->approvers[i]);
	free(e->approvers);
}

void chg_report_release(struct chg_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		entry_release(&r->items[i]);
	free(r->items);
	memset(r, 0, sizeof(*r));
}

static int window_of(const struct chg_node *doc, int64_t *start, int64_t *end)
{
	const char *s = chg_node_str(chg_node_path(doc, "window.start"));
	const char *e = chg_node_str(chg_node_path(doc, "window.end"));

	return s && e && chg_datetime_parse(start, s) == 0 &&
	       chg_datetime_parse(end, e) == 0;
}

/* The catalog entry a standard change follows, when it exists and the
 * change meets its constraints. */
static const char *procedure_of(const struct chg_change *c,
				const struct chg_policy *policy, int64_t now)
{
	const struct chg_catalog_entry *entry;
	const char *name;

	if (!c->type || strcmp(c->type, "standard") || !policy->catalog)
		return NULL;
	name = text_at(c->root, "standard-template");
	if (!name || !(entry = chg_catalog_find(policy->catalog, name)))
		return NULL;
	if (entry->constraints &&
	    chg_cond_eval(entry->constraints, c->root, now) != 1)
		return NULL;
	return entry->name;
}

static int add_entry(struct chg_report *r, const struct chg_change *c,
		     const struct chg_policy *policy, int64_t now)
{
	const struct chg_node *root = c->root;
	struct chg_report_entry *e;
	const char *s;

	if (r->n == r->alloc) {
		size_t alloc = r->alloc ? 2 * r->alloc : 16;
		void *p = realloc(r->items, alloc * sizeof(*r->items));
		if (!p)
			return CHG_ENOMEM;
		r->items = p;
		r->alloc = alloc;
	}
	e = &r->items[r->n++];
	memset(e, 0, sizeof(*e));
	e->id = strdup(c->id);
	e->path = strdup(c->path);
	s = text_at(root, "title");
	e->title = strdup(s ? s : "");
	e->type = strdup(c->type ? c->type : "");
	e->state = strdup(c->state ? c->state : "");
	e->client = dup_or_null(text_at(root, "client"));
	s = text_at(root, "requested-by");
	e->requested_by = strdup(s ? s : "");
	e->owner = dup_or_null(text_at(root, "owner"));
	e->reason = dup_or_null(text_at(root, "reason"));
	e->description = dup_or_null(text_at(root, "description"));
	e->rollback_plan = dup_or_null(text_at(root, "rollback-plan"));
	e->outcome = dup_or_null(text_at(root, "review.outcome"));
	e->review_notes = dup_or_null(text_at(root, "review.notes"));
	e->procedure = dup_or_null(procedure_of(c, policy, now));
	e->zone = strdup(chg_schedule_zone(policy->schedule, e->client));
	e->has_window = window_of(root, &e->window_start, &e->window_end);
	if (!e->has_window) {
		/* a window.start alone still places the change */
		s = text_at(root, "window.start");
		if (s && chg_datetime_parse(&e->window_start, s) == 0) {
			e->has_window = 1;
			e->window_end = e->window_start;
		}
	}
	if (!e->id || !e->path || !e->title || !e->type || !e->state ||
	    !e->requested_by || !e->zone)
		return CHG_ENOMEM;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct chg_report_entry *)a)->id,
		      ((const struct chg_report_entry *)b)->id);
}

static int by_date(const void *a, const void *b)
{
	const struct chg_report_entry *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int add_approver(struct chg_report_entry *e, const char *who)
{
	char **p;
	size_t i;

	for (i = 0; i < e->napprovers; i++)
		if (!strcmp(e->approvers[i], who))
			return 0;
	p = realloc(e->approvers, (e->napprovers + 1) * sizeof(*p));
	if (!p)
		return CHG_ENOMEM;
	e->approvers = p;
	if (!(p[e->napprovers] = strdup(who)))
		return CHG_ENOMEM;
	e->napprovers++;
	return 0;
}

static void vote_release(struct vote *v)
{
	free(v->commit);
	free(v->who);
	free(v->email);
}

static void votes_clear(struct track *tr)
{
	size_t i;

	for (i = 0; i < tr->nvotes; i++)
		vote_release(&tr->votes[i]);
	tr->nvotes = 0;
}

static int vote_add(struct track *tr, const char *commit, const char *who,
		    const char *email)
{
	struct vote *v;
	size_t i;

	for (i = 0; i < tr->nvotes; i++)
		if (!strcmp(tr->votes[i].commit, commit))
			return 0;
	if (tr->nvotes == tr->alloc) {
		size_t n = tr->alloc ? 2 * tr->alloc : 4;
		if (!(v = realloc(tr->votes, n * sizeof(*v))))
			return CHG_ENOMEM;
		tr->votes = v;
		tr->alloc = n;
	}
	v = &tr->votes[tr->nvotes++];
	v->commit = strdup(commit);
	v->who = strdup(who);
	v->email = email ? strdup(email) : NULL;
	if (!v->commit || !v->who || (email && !v->email))
		return CHG_ENOMEM;
	return 0;
}

/* Drops the votes of commit `commit`, or (commit NULL) of `email`. */
static void vote_drop(struct track *tr, const char *commit, const char *email)
{
	size_t i, j;

	for (i = j = 0; i < tr->nvotes; i++) {
		struct vote *v = &tr->votes[i];
		if (commit ? !strcmp(v->commit, commit) :
		    email && v->email && !strcasecmp(v->email, email)) {
			vote_release(v);
			continue;
		}
		tr->votes[j++] = *v;
	}
	tr->nvotes = j;
}

static int votes_add(struct track *tr, const struct chg_audit_ref *r, size_t n)
{
	size_t i;
	int error = 0;

	for (i = 0; i < n && !error; i++)
		if (r[i].approver)
			error = vote_add(tr, r[i].commit, r[i].approver,
					 r[i].approver_email);
	return error;
}

/* Notes entering `state` at `t`. */
static void enter_state(struct build *b, struct chg_report_entry *e,
			const char *state, int64_t t)
{
	if (!state)
		return;
	if (!strcmp(state, "requested") && !e->has_requested) {
		e->has_requested = 1;
		e->requested = t;
	}
	if (!e->has_approved && chg_node_seq_has(b->policy->approved, state)) {
		e->has_approved = 1;
		e->approved = t;
	}
	if (!e->has_implemented &&
	    chg_node_seq_has(b->policy->implemented, state)) {
		e->has_implemented = 1;
		e->implemented = t;
	}
}

/* An event that enters an approved state: the change was approved then
 * (the latest entry, after a revert), and its approvals are those that
 * counted for the entry. */
static int entered(struct chg_report_entry *e, struct track *tr,
		   const struct chg_audit_event *ev)
{
	if (!ev->entered)
		return 0;
	e->has_approved = 1;
	e->approved = ev->commit->committer_time;
	votes_clear(tr);
	return votes_add(tr, ev->counted, ev->ncounted);
}

static int on_event(const struct chg_audit_event *ev, void *payload)
{
	struct build *b = payload;
	struct chg_report *r = b->r;
	struct chg_report_entry key, *e;
	struct track *tr;
	int64_t t = ev->commit->committer_time;
	size_t i;

	memset(&key, 0, sizeof(key));
	if (!r->n)
		return 0;
	key.id = (char *)ev->change;
	e = bsearch(&key, r->items, r->n, sizeof(*r->items), by_id);
	if (!e)
		return 0;
	tr = &b->tracks[e - r->items];
	switch (ev->type) {
	case CHG_AUDIT_CREATED:
		if (!tr->has_created) {
			tr->has_created = 1;
			tr->created = t;
		}
		/* created past `requested`: its creation was the request */
		if (ev->to && strcmp(ev->to, "draft") && !e->has_requested) {
			e->has_requested = 1;
			e->requested = t;
		}
		enter_state(b, e, ev->to, t);
		return entered(e, tr, ev);
	case CHG_AUDIT_STATE:
		enter_state(b, e, ev->to, t);
		return entered(e, tr, ev);
	case CHG_AUDIT_UPDATED:
		/* a version that is not valid changes no content: the next
		   valid one is compared with the last valid one, and tells */
		for (i = 0; !ev->invalid && i < ev->nstale; i++)
			vote_drop(tr, ev->stale[i].commit, NULL);
		if (!ev->invalid && votes_add(tr, ev->current, ev->ncurrent) < 0)
			return CHG_ENOMEM;
		break;
	case CHG_AUDIT_APPROVED:
		if (ev->verdict && !strcmp(ev->verdict, "counted") && ev->approver &&
		    vote_add(tr, ev->commit->hex, ev->approver, ev->approver_email) < 0)
			return CHG_ENOMEM;
		break;
	case CHG_AUDIT_REJECTED:
		/* a rejection of the content withdraws the approver's approval */
		if (ev->verdict && !strcmp(ev->verdict, "counted"))
			vote_drop(tr, NULL, ev->approver_email);
		break;
	default:
		break;
	}
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void median(struct chg_report_median *out, int64_t *v, size_t n)
{
	out->samples = n;
	out->seconds = 0;
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_i64);
	if (n % 2)
		out->seconds = v[n / 2];
	else
		out->seconds = v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

static void review_deadline(struct chg_report_entry *e, const struct chg_node *root,
			    const struct chg_policy *p, int64_t now)
{
	const struct chg_node *within;
	int64_t start, end, secs;

	if (!p->review_within || !*e->type || !*e->state ||
	    !chg_node_seq_has(p->implemented, e->state) ||
	    !chg_node_is_null(chg_node_get(root, "review")))
		return;
	within = chg_node_get(p->review_within, e->type);
	if (!chg_node_str(within) || chg_duration_parse(&secs, within->value) < 0)
		return;
	if (!window_of(root, &start, &end) || now <= end + secs)
		return;
	e->review_overdue = 1;
	e->review_due = end + secs;
}

static int compute(struct chg_report *r, int threshold)
{
	int64_t *a = NULL, *b = NULL, *c = NULL;
	size_t na = 0, nb = 0, nc = 0, i;
	const struct chg_report_entry *e;

	if (r->n && (!(a = malloc(r->n * sizeof(*a))) ||
		     !(b = malloc(r->n * sizeof(*b))) ||
		     !(c = malloc(r->n * sizeof(*c))))) {
		free(a);
		free(b);
		return CHG_ENOMEM;
	}
	for (i = 0; i < r->n; i++) {
		e = &r->items[i];
		if (!strcmp(e->type, "standard"))
			r->standard++;
		else if (!strcmp(e->type, "normal"))
			r->normal++;
		else if (!strcmp(e->type, "emergency"))
			r->emergency++;
		else
			r->other_type++;
		if (e->outcome) {
			r->reviewed++;
			if (!strcmp(e->outcome, "successful") ||
			    !strcmp(e->outcome, "successful-with-issues"))
				r->successful++;
		}
		if (!e->rollback_plan && !e->procedure)
			r->without_rollback++;
		if (e->review_overdue)
			r->overdue++;
		if (e->has_requested && e->has_approved && e->approved >= e->requested)
			a[na++] = e->approved - e->requested;
		if (e->has_approved && e->has_implemented &&
		    e->implemented >= e->approved)
			b[nb++] = e->implemented - e->approved;
		if (e->has_requested && e->has_implemented &&
		    e->implemented >= e->requested)
			c[nc++] = e->implemented - e->requested;
	}
	/* above the threshold: emergency / n > threshold / 100 */
	r->emergency_flagged = r->n && r->emergency * 100 > (size_t)threshold * r->n;
	median(&r->to_approval, a, na);
	median(&r->to_implementation, b, nb);
	median(&r->lead, c, nc);
	free(a);
	free(b);
	free(c);
	return 0;
}

int chg_report_build(struct chg_report *out, struct chg_buf *err,
		     struct chg_workspace *ws,
		     const struct chg_report_options *opts)
{
	const struct chg_policy *policy = ws->policy;
	const struct chg_change_set *set = &ws->changes;
	struct chg_diag_list ignored = CHG_DIAG_LIST_INIT;
	struct build b;
	struct chg_report *r = out;
	char first[32];
	int64_t month_end;
	size_t i, j;
	int error;

	memset(&b, 0, sizeof(b));
	r->year = opts->year;
	r->month = opts->month;
	snprintf(first, sizeof(first), "%04d-%02d-01", opts->year, opts->month);
	if (opts->month < 1 || opts->month > 12 ||
	    chg_date_parse(&r->start, first) < 0)
		return fail(err, CHG_EINVALID, "invalid month '%s'", first);
	snprintf(first, sizeof(first), "%04d-%02d-01",
		 opts->month == 12 ? opts->year + 1 : opts->year,
		 opts->month == 12 ? 1 : opts->month + 1);
	if (chg_date_parse(&month_end, first) < 0)
		return fail(err, CHG_EINVALID, "invalid month '%s'", first);
	r->end = month_end;

	/* change request files that do not load are left out */
	error = chg_workspace_load_changes(ws, &ignored, err, NULL);
	chg_diag_list_release(&ignored);
	if (error < 0)
		goto cleanup;
	/* each id once: the first file in path order, as duplicate-id keeps */
	for (i = 0; i < set->n; i++) {
		const struct chg_change *c = &set->items[i];
		if (!c->root || !c->id || chg_change_set_find(set, c->id) != c)
			continue;
		if (!opts->include_drafts && c->state && !strcmp(c->state, "draft"))
			continue;
		if (opts->client) {
			const char *cl = text_at(c->root, "client");
			if (!cl || strcmp(cl, opts->client))
				continue;
		}
		if ((error = add_entry(r, c, policy, opts->now)) < 0)
			goto nomem;
		review_deadline(&r->items[r->n - 1], c->root, policy, opts->now);
	}
	if (r->n > 1)
		qsort(r->items, r->n, sizeof(*r->items), by_id);

	b.r = r;
	b.policy = policy;
	if (r->n && !(b.tracks = calloc(r->n, sizeof(*b.tracks))))
		goto nomem;
	b.ntracks = r->n;
	error = chg_audit_walk(ws->repo, ws->has_tip ? &ws->tip : NULL, policy,
			       NULL, on_event, &b, NULL);
	if (error == CHG_ENOMEM)
		goto nomem;
	if (error < 0) {
		error = fail(err, error, "cannot walk the history: %s",
			     git_error_last() ? git_error_last()->message : "unknown error");
		goto cleanup;
	}

	/* keep the month's changes */
	for (i = j = 0; i < r->n; i++) {
		struct chg_report_entry *e = &r->items[i];
		const struct track *tr = &b.tracks[i];
		size_t k;
		for (k = 0; k < tr->nvotes; k++)
			if (add_approver(e, tr->votes[k].who) < 0)
				goto nomem;
		if (e->has_window)
			e->date = e->window_start;
		else if (tr->has_created)
			e->date = tr->created;
		if ((e->has_window || tr->has_created) &&
		    e->date >= r->start && e->date < r->end) {
			if (i != j)
				r->items[j] = *e;
			j++;
		} else {
			entry_release(e);
		}
	}
	r->n = j;
	if (r->n > 1)
		qsort(r->items, r->n, sizeof(*r->items), by_date);
	if ((error = compute(r, opts->emergency_threshold)) < 0)
		goto nomem;
	goto cleanup;

nomem:
	error = fail(err, CHG_ENOMEM, "%s", "out of memory");
cleanup:
	for (i = 0; b.tracks && i < b.ntracks; i++) {
		votes_clear(&b.tracks[i]);
		free(b.tracks[i].votes);
	}
	free(b.tracks);
	if (error < 0)
		chg_report_release(r);
	return error;
}

size_t chg_report_count(const struct chg_report *r, char field, const char *value)
{
	size_t i, n = 0;
	const char *v;

	for (i = 0; i < r->n; i++) {
		const struct chg_report_entry *e = &r->items[i];
		v = field == 't' ? e->type : field == 's' ? e->state : e->outcome;
		if (value ? v && !strcmp(v, value) : !v)
			n++;
	}
	return n;
}

char *chg_report_duration(char *out, size_t size, int64_t seconds)
{
	int64_t d, h, m;

	if (seconds < 0)
		seconds = 0;
	d = seconds / 86400;
	h = seconds % 86400 / 3600;
	m = seconds % 3600 / 60;
	if (d)
		snprintf(out, size, h ? "%lldd %lldh" : "%lldd", (long long)d, (long long)h);
	else if (h)
		snprintf(out, size, m ? "%lldh %lldm" : "%lldh", (long long)h, (long long)m);
	else
		snprintf(out, size, "%lldm", (long long)m);
	return out;
}

char *chg_report_local_stamp(char *out, size_t size, const char *zone,
			     int64_t t)
{
	struct chg_civil lt;
	int off = 0, a;

	if (!zone || chg_tz_from_utc(&lt, &off, zone, t) < 0) {
		off = 0;
		if (chg_tz_from_utc(&lt, NULL, "UTC", t) < 0) {
			snprintf(out, size, "%s", "?");
			return out;
		}
	}
	a = off < 0 ? -off : off;
	snprintf(out, size, "%04d-%02d-%02d %02d:%02d %c%02d:%02d", lt.year,
		 lt.month, lt.day, lt.hour, lt.minute, off < 0 ? '-' : '+',
		 a / 3600, a % 3600 / 60);
	return out;
}

char *chg_report_local_time(char *out, size_t size, const char *zone,
			    int64_t t)
{
	char stamp[48];
	int known = zone && chg_tz_valid(zone);

	snprintf(out, size, "%s (%s)",
		 chg_report_local_stamp(stamp, sizeof(stamp), known ? zone : NULL, t),
		 known ? zone : "UTC");
	return out;
}
