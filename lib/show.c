#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "show.h"
#include "audit.h"
#include "datetime.h"
#include "error.h"
#include "lint.h"
#include "node.h"
#include "banned.h"

static const char *str_at(const struct chg_node *root, const char *path)
{
	const struct chg_node *n = chg_node_path(root, path);
	const char *s = chg_node_str(n);

	return s && !chg_node_is_null(n) ? s : NULL;
}

static int add_event(struct chg_show *sh, const struct chg_audit_event *ev,
		     struct chg_buf *detail)
{
	char when[CHG_AUDIT_TIME_SIZE];
	struct chg_show_event *e;

	if (sh->nevents == sh->events_alloc) {
		size_t alloc = sh->events_alloc ? 2 * sh->events_alloc : 16;
		struct chg_show_event *items = realloc(sh->events, alloc * sizeof(*items));
		if (!items)
			return CHG_ENOMEM;
		sh->events = items;
		sh->events_alloc = alloc;
	}
	e = &sh->events[sh->nevents];
	chg_audit_format_time(when, ev->commit->committer_time,
			      ev->commit->committer_offset);
	snprintf(e->date, sizeof(e->date), "%.10s", when);
	memcpy(e->commit, ev->commit->short_id, sizeof(e->commit));
	e->type = chg_audit_type_name(ev->type);
	if (!(e->detail = chg_buf_detach(detail)))
		return CHG_ENOMEM;
	sh->nevents++;
	return 0;
}

/* "; makes approvals by a@x (abc1234), b@y (def5678) stale", as chg log
 * says it. */
static void put_refs(struct chg_buf *b, const struct chg_audit_ref *r, size_t n,
		     const char *what)
{
	size_t i;

	for (i = 0; i < n; i++)
		chg_buf_printf(b, "%s%s (%s)", i ? ", " : "; makes approvals by ",
			       r[i].approver_email ? r[i].approver_email :
			       r[i].approver ? r[i].approver : "(no approver)",
			       r[i].short_id);
	if (n)
		chg_buf_printf(b, " %s", what);
}

/* An edit made the approvals `stale` stale: notes it at those that are
 * stale now. */
static void note_stale(struct chg_show *sh, const struct chg_audit_event *ev)
{
	size_t i, j;
	char hex[GIT_OID_HEXSZ + 1];

	for (i = 0; sh->stale && i < sh->approvals.n; i++) {
		const struct chg_approval_verdict *v = &sh->approvals.verdicts[i];
		if (v->verdict != CHG_VERDICT_STALE)
			continue;
		git_oid_tostr(hex, sizeof(hex), &v->approval->commit);
		for (j = 0; j < ev->nstale; j++)
			if (!strcmp(ev->stale[j].commit, hex)) {
				sh->stale[i].edited = 1;
				memcpy(sh->stale[i].edit, ev->commit->hex, sizeof(sh->stale[i].edit));
				memcpy(sh->stale[i].edit_short, ev->commit->short_id,
				       sizeof(sh->stale[i].edit_short));
			}
	}
}

/* The audit walk's callback: one line of the history summary per event
 * `chg show` tells. */
static int collect(const struct chg_audit_event *ev, void *payload)
{
	struct chg_buf d = CHG_BUF_INIT;
	size_t i;
	int error;

	if (ev->type == CHG_AUDIT_UPDATED && ev->nstale)
		note_stale(payload, ev);

	switch (ev->type) {
	case CHG_AUDIT_CREATED:
		chg_buf_printf(&d, "%s", ev->to ? ev->to : "(no state)");
		break;
	case CHG_AUDIT_STATE:
		chg_buf_printf(&d, "%s -> %s", ev->from ? ev->from : "(none)",
			       ev->to ? ev->to : "(none)");
		break;
	case CHG_AUDIT_APPROVED:
	case CHG_AUDIT_REJECTED:
		chg_buf_printf(&d, "%s %s", ev->approver_email ? ev->approver_email :
			       ev->approver ? ev->approver : "(no approver)",
			       ev->verdict ? ev->verdict : "");
		break;
	case CHG_AUDIT_UPDATED:
		if (ev->invalid) {
			chg_buf_printf(&d, "invalid: %s", ev->rule ? ev->rule : "?");
			if (ev->line > 0)
				chg_buf_printf(&d, " at %d:%d", ev->line, ev->column);
			break;
		}
		for (i = 0; i < ev->nfields; i++)
			chg_buf_printf(&d, "%s%s", i ? ", " : "", ev->fields[i]);
		put_refs(&d, ev->stale, ev->nstale, "stale");
		put_refs(&d, ev->current, ev->ncurrent, "count");
		break;
	case CHG_AUDIT_REVIEWED:
		chg_buf_printf(&d, "%s", ev->outcome ? ev->outcome : "");
		break;
	case CHG_AUDIT_DELETED:
		chg_buf_printf(&d, "%s", ev->path ? ev->path : "");
		break;
	default:
		return 0;
	}
	error = add_event(payload, ev, &d);
	chg_buf_release(&d);
	return error;
}

/* chg-lint's findings about the file of the change request, at the same
 * revision, with the history already loaded. */
static int lint_file(struct chg_show *sh, struct chg_buf *err,
		     const struct chg_show_options *opts)
{
	struct chg_lint_options lopts = CHG_LINT_OPTIONS_INIT;
	struct chg_diag_list all = CHG_DIAG_LIST_INIT;
	const char *paths[1];
	size_t i;
	int error;

	paths[0] = sh->change->path;
	/* with a revision, paths are the repository's; else relative to its
	   top directory */
	lopts.dir = !opts->rev && git_repository_workdir(sh->ws->repo) ?
		    git_repository_workdir(sh->ws->repo) : opts->dir;
	lopts.rev = opts->rev;
	lopts.now = opts->now;
	lopts.paths = paths;
	lopts.npaths = 1;
	lopts.history_index = sh->history;  /* walked once */
	error = chg_lint(&all, err, &lopts, NULL);
	for (i = 0; i < all.n && error >= 0; i++) {
		const struct chg_diag *d = &all.items[i];
		if (strcmp(d->path, sh->change->path))
			continue;
		error = chg_diag_add(&sh->findings, d->path, d->line, d->column,
				     d->severity, d->rule, "%s", d->message);
	}
	chg_diag_list_release(&all);
	return error;
}

static void read_window(struct chg_show *sh)
{
	const struct chg_node *root = sh->change->root;
	int64_t start, end;

	sh->window_start = str_at(root, "window.start");
	sh->window_end = str_at(root, "window.end");
	if (!sh->window_start || !sh->window_end)
		return;
	sh->has_window = 1;
	if (chg_datetime_parse(&start, sh->window_start) == 0 &&
	    chg_datetime_parse(&end, sh->window_end) == 0) {
		sh->has_duration = 1;
		sh->duration = end - start;
	}
}

static int find_rejections(struct chg_show *sh)
{
	const struct chg_history *h = sh->history;
	size_t i, n = 0;

	for (i = 0; i < h->napprovals; i++)
		if (h->approvals[i].rejected && !strcmp(h->approvals[i].change_id, sh->change->id))
			n++;
	if (!n)
		return 0;
	if (!(sh->rejections = calloc(n, sizeof(*sh->rejections))))
		return CHG_ENOMEM;
	for (i = 0; i < h->napprovals; i++)
		if (h->approvals[i].rejected && !strcmp(h->approvals[i].change_id, sh->change->id))
			sh->rejections[sh->nrejections++] = &h->approvals[i];
	return 0;
}

static int find_dependencies(struct chg_show *sh)
{
	const struct chg_node *deps = chg_node_get(sh->change->root, "depends-on");
	size_t i;

	if (!deps || deps->type != CHG_NODE_SEQUENCE || !deps->n)
		return 0;
	if (!(sh->dependencies = calloc(deps->n, sizeof(*sh->dependencies))))
		return CHG_ENOMEM;
	for (i = 0; i < deps->n; i++) {
		struct chg_show_dependency *d = &sh->dependencies[i];
		d->id = chg_node_str(deps->items[i]);
		d->change = d->id ? chg_change_set_find(&sh->ws->changes, d->id) : NULL;
	}
	sh->ndependencies = deps->n;
	return 0;
}

/* Risk and approvals: a rule that hits a pattern limit is left out. */
static int assess(struct chg_show *sh, int64_t now)
{
	const struct chg_policy *p = sh->policy;
	int error;

	error = chg_risk_assess(&sh->risk, p, sh->change->root, now);
	sh->has_risk = 1;
	if (sh->risk.floor >= 0)
		sh->assessed = p->risk_levels[sh->risk.floor].name;
	if (!error && p->has_approvals) {
		error = chg_approval_evaluate(&sh->approvals, p, sh->change,
					      sh->history, now);
		sh->has_approvals = 1;
		if (!error && sh->approvals.n &&
		    !(sh->stale = calloc(sh->approvals.n, sizeof(*sh->stale))))
			error = CHG_ENOMEM;
	}
	sh->approval_needed = chg_policy_state_needs_approval(p, sh->change->state);
	return error == CHG_ELIMIT ? 0 : error;
}

int chg_show(struct chg_show *out, struct chg_diag_list *diags,
	     struct chg_buf *err, const struct chg_show_options *opts)
{
	struct chg_workspace_options wopts = CHG_WORKSPACE_OPTIONS_INIT;
	struct chg_audit_options aopts = CHG_AUDIT_OPTIONS_INIT;
	struct chg_diag_list scratch = CHG_DIAG_LIST_INIT;
	const struct chg_change *c;
	int error;

	memset(out, 0, sizeof(*out));
	wopts.dir = opts->dir;
	wopts.rev = opts->rev;
	/* the one load: repository, policy, change requests, history */
	if ((error = chg_workspace_open(&out->ws, diags, err, &wopts)) < 0)
		return error;
	/* what is wrong with the files is chg-lint's to say (findings) */
	error = chg_workspace_load_changes(out->ws, &scratch, err, NULL);
	chg_diag_list_release(&scratch);
	if (error < 0 || (error = chg_workspace_history(&out->history, out->ws, err)) < 0)
		return error;
	out->loaded = 1;
	out->policy = out->ws->policy;
	c = chg_change_set_find(&out->ws->changes, opts->id);
	if (!c || !c->root)
		return 0;
	out->change = c;
	out->trust_ok = chg_history_trust_approved(out->history);
	read_window(out);
	if ((error = assess(out, opts->now)) < 0 ||
	    (error = find_rejections(out)) < 0 ||
	    (error = find_dependencies(out)) < 0 ||
	    (error = lint_file(out, err, opts)) < 0)
		return error;
	if (out->ws->has_tip) {
		aopts.ids = &opts->id;
		aopts.nids = 1;
		aopts.invalid = 1;  /* every commit of its history */
		error = chg_audit_walk_history(out->ws->repo, out->history,
					       out->policy, &aopts, collect, out,
					       NULL);
	}
	return error;
}

void chg_show_release(struct chg_show *sh)
{
	size_t i;

	if (!sh)
		return;
	for (i = 0; i < sh->nevents; i++)
		free(sh->events[i].detail);
	free(sh->events);
	chg_diag_list_release(&sh->findings);
	free(sh->dependencies);
	free(sh->rejections);
	free(sh->stale);
	if (sh->has_approvals)
		chg_approval_result_release(&sh->approvals);
	if (sh->has_risk)
		chg_risk_release(&sh->risk);
	chg_workspace_free(sh->ws);
	memset(sh, 0, sizeof(*sh));
}
