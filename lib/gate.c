#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gate.h"
#include "datetime.h"
#include "error.h"
#include "node.h"
#include "show.h"
#include "banned.h"

const char *chg_gate_status_name(enum chg_gate_status status)
{
	switch (status) {
	case CHG_GATE_ALLOWED: return "allowed";
	case CHG_GATE_AWAITING: return "awaiting";
	case CHG_GATE_PREVENTED: return "prevented";
	default: return "invalid";
	}
}

/* The rules of chg-lint the gate judges itself (approvals): their
 * findings do not make a change request invalid. */
static int judged_by_gate(const char *rule)
{
	static const char *const rules[] = {
		"missing-approval", "stale-approval", "self-approval",
		"approver-not-allowed", "unsigned-approval", "bad-signature",
		"unknown-signer", "signer-mismatch", "blackout-conflict"
	};
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(*rules); i++)
		if (!strcmp(rule, rules[i]))
			return 1;
	return 0;
}

/* Adds a reason; an error one raises the answer to `status`. */
static int reason(struct chg_gate *g, enum chg_gate_status status,
		  const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int reason(struct chg_gate *g, enum chg_gate_status status,
		  const char *rule, const char *fmt, ...)
{
	struct chg_buf msg = CHG_BUF_INIT;
	enum chg_severity sev;
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = chg_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (error < 0)
		goto cleanup;
	sev = status == CHG_GATE_ALLOWED ? CHG_SEV_NOTE :
	      status == CHG_GATE_AWAITING ? CHG_SEV_WARNING : CHG_SEV_ERROR;
	error = chg_diag_add(&g->reasons, g->path, 0, 0, sev, rule, "%s",
			     msg.ptr ? msg.ptr : "");
	if (status > g->status)
		g->status = status;
cleanup:
	chg_buf_release(&msg);
	return error;
}

static int in_sequence(const struct chg_node *seq, const char *s)
{
	size_t i;

	if (!seq || !s || seq->type != CHG_NODE_SEQUENCE)
		return 0;
	for (i = 0; i < seq->n; i++) {
		const char *v = chg_node_str(seq->items[i]);
		if (v && !strcmp(v, s))
			return 1;
	}
	return 0;
}

/* Whether a change request in `state` can never be carried out: rejected,
 * cancelled, or a state the lifecycle leaves to nowhere that is not one
 * of its implemented states. */
static int dead_end(const struct chg_policy *p, const char *state)
{
	const struct chg_node *next;

	if (!state)
		return 0;
	if (!strcmp(state, "rejected") || !strcmp(state, "cancelled"))
		return 1;
	if (!p->transitions || in_sequence(p->implemented, state))
		return 0;
	next = chg_node_get(p->transitions, state);
	return next && next->type == CHG_NODE_SEQUENCE && !next->n;
}

/* chg-lint's errors on the file: invalid, but for those the gate judges;
 * a blackout that forbids the window prevents it. */
static int judge_findings(struct chg_gate *g, const struct chg_show *sh)
{
	size_t i;
	int error = 0;

	for (i = 0; i < sh->findings.n && !error; i++) {
		const struct chg_diag *d = &sh->findings.items[i];
		if (d->severity != CHG_SEV_ERROR)
			continue;
		if (!strcmp(d->rule, "blackout-conflict"))
			error = reason(g, CHG_GATE_PREVENTED, d->rule, "%s", d->message);
		else if (!judged_by_gate(d->rule))
			error = chg_diag_add(&g->reasons, d->path, d->line, d->column,
					     d->severity, d->rule, "%s", d->message);
		if (!error && !judged_by_gate(d->rule))
			g->status = CHG_GATE_INVALID;
	}
	return error;
}

/* The state and its quorum: an approved state with the quorum counted
 * passes; stale approvals prevent; pending ones await. */
static int judge_approvals(struct chg_gate *g, const struct chg_show *sh)
{
	const struct chg_change *c = sh->change;
	const struct chg_approval_result *r = &sh->approvals;
	const char *state = c->state ? c->state : "(none)";
	size_t i, stale = 0;
	int quorum = 1;

	if (sh->has_approvals) {
		quorum = r->required <= 0 || (long long)r->counted >= r->required;
		for (i = 0; i < r->n; i++)
			if (r->verdicts[i].verdict == CHG_VERDICT_STALE)
				stale++;
	}
	if (dead_end(sh->policy, c->state))
		return reason(g, CHG_GATE_PREVENTED, "invalid-transition",
			      "state is %s: it will not be carried out", state);
	if (sh->policy->state_field && !sh->approval_needed)
		return reason(g, CHG_GATE_AWAITING, "missing-approval",
			      "state is %s, not an approved state%s", state,
			      quorum ? "" : "; approvals pending");
	if (quorum)
		return 0;
	if (stale)
		return reason(g, CHG_GATE_PREVENTED, "stale-approval",
			      "%zu of %lld required approvals counted; %zu %s stale: "
			      "the content changed after approval, it needs approving again",
			      r->counted, r->required, stale,
			      stale == 1 ? "approval is" : "approvals are");
	return reason(g, CHG_GATE_AWAITING, "missing-approval",
		      "%zu of %lld required approvals counted", r->counted,
		      r->required);
}

static void put_time(char *buf, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "%lld", (long long)t);
}

static int judge_window(struct chg_gate *g, const struct chg_show *sh, int64_t at)
{
	char when[32];

	if (!sh->has_window || !sh->has_duration ||
	    chg_datetime_parse(&g->window_start, sh->window_start) < 0 ||
	    chg_datetime_parse(&g->window_end, sh->window_end) < 0)
		return reason(g, CHG_GATE_PREVENTED, "required-field",
			      "it has no window: a deployment needs one");
	g->has_window = 1;
	if (at < g->window_start) {
		g->opens_in = g->window_start - at;
		put_time(when, sizeof(when), g->window_start);
		return reason(g, CHG_GATE_AWAITING, "implemented-outside-window",
			      "its window opens at %s", when);
	}
	if (at >= g->window_end) {
		put_time(when, sizeof(when), g->window_end);
		return reason(g, CHG_GATE_PREVENTED, "implemented-outside-window",
			      "its window ended at %s", when);
	}
	g->closes_in = g->window_end - at;
	return 0;
}

/* Its dependencies: implemented or closed, else awaiting them (or
 * prevented by one that will never be). */
static int judge_dependencies(struct chg_gate *g, const struct chg_show *sh)
{
	size_t i;
	int error = 0;

	for (i = 0; i < sh->ndependencies && !error; i++) {
		const struct chg_show_dependency *d = &sh->dependencies[i];
		const char *state;

		if (!d->change)
			continue;  /* unknown-dependency: chg-lint's */
		state = d->change->state ? d->change->state : "(none)";
		if (!strcmp(state, "implemented") || !strcmp(state, "closed"))
			continue;
		if (dead_end(sh->policy, d->change->state))
			error = reason(g, CHG_GATE_PREVENTED, "dependency-order",
				       "it depends on %s, which is %s", d->id, state);
		else
			error = reason(g, CHG_GATE_AWAITING, "dependency-order",
				       "it depends on %s, which is %s, not yet implemented",
				       d->id, state);
	}
	return error;
}

int chg_gate(struct chg_gate *out, struct chg_diag_list *diags,
	     struct chg_buf *err, const struct chg_gate_options *opts)
{
	struct chg_show_options sopts = CHG_SHOW_OPTIONS_INIT;
	struct chg_show sh;
	const struct chg_change *c;
	int error;

	memset(out, 0, sizeof(*out));
	out->opens_in = out->closes_in = -1;
	sopts.dir = opts->dir;
	sopts.rev = opts->rev ? opts->rev : "HEAD";
	sopts.now = opts->at;
	sopts.id = opts->id;
	if ((error = chg_show(&sh, diags, err, &sopts)) < 0)
		goto cleanup;
	if (!(c = sh.change))
		goto cleanup;
	out->found = 1;
	if (sh.ws->has_tip)
		git_oid_tostr(out->commit, sizeof(out->commit), &sh.ws->tip);
	if (!(out->id = strdup(c->id)) || !(out->path = strdup(c->path)) ||
	    (c->digest[0] && !(out->digest = strdup(c->digest)))) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	if ((error = judge_findings(out, &sh)) < 0)
		goto cleanup;
	if (!sh.trust_ok &&
	    (error = reason(out, CHG_GATE_PREVENTED, "trust-change-unapproved",
			    "the trust state of %s is not approved", sopts.rev)) < 0)
		goto cleanup;
	if ((error = judge_approvals(out, &sh)) < 0 ||
	    (error = judge_window(out, &sh, opts->at)) < 0 ||
	    (error = judge_dependencies(out, &sh)) < 0)
		goto cleanup;
	error = 1;
cleanup:
	chg_show_release(&sh);
	return error;
}

void chg_gate_release(struct chg_gate *g)
{
	if (!g)
		return;
	free(g->id);
	free(g->path);
	free(g->digest);
	chg_diag_list_release(&g->reasons);
	memset(g, 0, sizeof(*g));
}
