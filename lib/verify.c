#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "chain.h"
#include "datetime.h"
#include "error.h"
#include "node.h"
#include "yaml.h"
#include "banned.h"

static int fail(struct chg_buf *err, int code, const char *fmt, const char *arg)
{
	chg_buf_clear(err);
	chg_buf_printf(err, fmt, arg);
	return code;
}

/* ---- the replay ---- */

/* What the walk reported that the audit needs. */
struct rec {
	enum chg_audit_type type;
	char *change, *path, *to, *verdict;
	git_oid commit;
	char short_id[8];
	int64_t time;             /* committer time */
};

struct recs {
	struct rec *items;
	size_t n, alloc;
};

static char *dup_or_null(const char *s, int *failed)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*failed = 1;
	return d;
}

static int collect(const struct chg_audit_event *ev, void *payload)
{
	struct recs *rs = payload;
	struct rec *r;
	int failed = 0;

	switch (ev->type) {
	case CHG_AUDIT_CREATED:
	case CHG_AUDIT_STATE:
	case CHG_AUDIT_REVIEWED:
	case CHG_AUDIT_DELETED:
	case CHG_AUDIT_MOVED:
	case CHG_AUDIT_APPROVED:
		break;
	default:
		return 0;
	}
	if (rs->n == rs->alloc) {
		size_t alloc = rs->alloc ? 2 * rs->alloc : 64;
		struct rec *items = realloc(rs->items, alloc * sizeof(*items));
		if (!items)
			return CHG_ENOMEM;
		rs->items = items;
		rs->alloc = alloc;
	}
	r = &rs->items[rs->n];
	memset(r, 0, sizeof(*r));
	r->type = ev->type;
	r->change = dup_or_null(ev->change, &failed);
	r->path = dup_or_null(ev->type == CHG_AUDIT_MOVED ? ev->to : ev->path, &failed);
	r->to = ev->type == CHG_AUDIT_MOVED ? NULL : dup_or_null(ev->to, &failed);
	r->verdict = dup_or_null(ev->verdict, &failed);
	r->commit = ev->commit->id;
	memcpy(r->short_id, ev->commit->short_id, sizeof(r->short_id));
	r->time = ev->commit->committer_time;
	rs->n++;
	return failed ? CHG_ENOMEM : 0;
}

static void recs_release(struct recs *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		free(rs->items[i].change);
		free(rs->items[i].path);
		free(rs->items[i].to);
		free(rs->items[i].verdict);
	}
	free(rs->items);
}

struct audit {
	struct chg_workspace *ws;
	const struct chg_verify_options *opts;
	struct chg_diag_list *diags;
	struct chg_buf *err;
	struct recs recs;
	/* the history of the last entry checked, a view of the index (the
	   tip's history, the workspace's) where it serves */
	struct chg_history history;
	int has_history;
	const struct chg_history *index;
};

static int in_range(const struct audit *a, const struct rec *r)
{
	return !a->opts->has_since || r->time >= a->opts->since;
}

/* Where a finding about the change request `id` goes: its file at the
 * audited revision and `node` there, else its last known path, line 0. */
static void locate(const struct audit *a, const char *id, const char *field,
		   const char **path, int *line, int *column)
{
	const struct chg_change *c = chg_change_set_find(&a->ws->changes, id);
	const struct chg_pair *p;
	size_t i;

	*line = *column = 0;
	*path = id;
	if (c) {
		*path = c->path;
		p = field ? chg_node_get_pair(c->root, field) : NULL;
		if (p) {
			*line = p->key->line;
			*column = p->key->column;
		} else if (c->state_node) {
			*line = c->state_node->line;
			*column = c->state_node->column;
		}
		return;
	}
	for (i = 0; i < a->recs.n; i++)
		if (!strcmp(a->recs.items[i].change, id) && a->recs.items[i].path)
			*path = a->recs.items[i].path;
}

/* Loads the change request at `path` in the tree of `commit` into `out`.
 * Returns 0 (out->root NULL when it does not load), or a negative code. */
static int load_at(struct chg_change *out, struct audit *a, const git_oid *commit,
		   const char *path)
{
	struct chg_diag_list scratch = CHG_DIAG_LIST_INIT;
	struct chg_buf buf = CHG_BUF_INIT;
	git_commit *cm = NULL;
	git_tree *tree = NULL;
	size_t size;
	int error;

	memset(out, 0, sizeof(*out));
	if (git_commit_lookup(&cm, a->ws->repo, commit) < 0 ||
	    git_commit_tree(&tree, cm) < 0) {
		error = fail(a->err, CHG_EGIT, "cannot read a commit: %s",
			     git_error_last() ? git_error_last()->message : "unknown error");
		goto cleanup;
	}
	error = chg_tree_read(&buf, &size, a->ws->repo, tree, path, CHG_YAML_MAX_SIZE);
	if (error == CHG_ENOMEM)
		goto cleanup;
	if (error < 0) {
		error = 0;
		goto cleanup;
	}
	error = chg_change_load(out, path, buf.ptr, buf.len, a->ws->policy, &scratch);
cleanup:
	chg_diag_list_release(&scratch);
	chg_buf_release(&buf);
	git_tree_free(tree);
	git_commit_free(cm);
	return error;
}

/* The entry of record `i` into an approved state: did the quorum hold? */
static int check_entry(struct audit *a, size_t i)
{
	const struct rec *r = &a->recs.items[i];
	struct chg_approval_result res;
	struct chg_change c;
	struct chg_buf msg = CHG_BUF_INIT;
	const char *path;
	size_t j, nlater = 0;
	int error, line, column;

	memset(&res, 0, sizeof(res));
	if (a->has_history)
		chg_history_release(&a->history);
	a->history = (struct chg_history)CHG_HISTORY_INIT;
	a->has_history = 0;
	if (!a->index && a->ws->has_tip &&
	    (error = chg_workspace_history(&a->index, a->ws, a->err)) < 0)
		return error;
	/* the history of this change request as of the commit: a view of the
	   index that costs what it has in history */
	error = chg_history_at_ids(&a->history, a->index, a->ws->repo, &r->commit,
				   a->ws->policy, (const char *const *)&r->change, 1, NULL);
	a->has_history = 1;
	if (error == CHG_EGIT)
		return fail(a->err, error, "cannot walk the history: %s",
			    git_error_last() ? git_error_last()->message : "unknown error");
	if (error < 0)
		return error;
	if ((error = load_at(&c, a, &r->commit, r->path)) < 0)
		return error;
	if (!c.root || !c.id)
		goto cleanup;
	error = chg_approval_evaluate(&res, a->ws->policy, &c, &a->history, r->time);
	if (error == CHG_ELIMIT) {
		error = 0;
		goto cleanup;
	}
	if (error < 0 || (long long)res.counted >= res.required)
		goto cleanup;
	chg_buf_printf(&msg, "%s entered %s in %s with %zu of %lld approval%s",
		       r->change, r->to, r->short_id, res.counted, res.required,
		       res.required == 1 ? "" : "s");
	if (res.rule && res.rule->from) {
		chg_buf_puts(&msg, " (from ");
		chg_approval_rule_groups(&msg, res.rule);
		chg_buf_puts(&msg, ")");
	}
	for (j = i + 1; j < a->recs.n; j++) {
		const struct rec *l = &a->recs.items[j];
		if (l->type != CHG_AUDIT_APPROVED || strcmp(l->change, r->change) ||
		    !l->verdict || strcmp(l->verdict, "counted"))
			continue;
		chg_buf_printf(&msg, "%s%s", nlater++ ? ", " : "; approvals arrived later in ",
			       l->short_id);
	}
	if (!nlater)
		chg_buf_puts(&msg, "; no approval arrived later");
	locate(a, r->change, NULL, &path, &line, &column);
	error = chg_diag_add(a->diags, path, line, column, CHG_SEV_ERROR,
			     "missing-approval", "%s", msg.ptr);
cleanup:
	chg_buf_release(&msg);
	chg_approval_result_release(&res);
	chg_change_release(&c);
	return error;
}

static int node_time(int64_t *out, const struct chg_node *root, const char *path)
{
	const char *s = chg_node_str(chg_node_path(root, path));

	return s && chg_datetime_parse(out, s) == 0;
}

/* A closed change: an implemented state that the lifecycle leaves no
 * transition from ("closed" when the policy lists no transitions). */
static int is_closed(const struct chg_policy *p, const char *state)
{
	const struct chg_node *next;

	if (!chg_node_seq_has(p->implemented, state))
		return 0;
	if (!p->transitions)
		return !strcmp(state, "closed");
	next = chg_node_get(p->transitions, state);
	return next && next->type == CHG_NODE_SEQUENCE && next->n == 0;
}

/* The reviews of the change request `c` at the audited revision. */
static int check_review(struct audit *a, const struct chg_change *c)
{
	const struct chg_policy *p = a->ws->policy;
	const struct chg_node *within, *review;
	const struct rec *reviewed = NULL, *created = NULL, *entered = NULL,
			 *implemented = NULL;
	int64_t start, end, secs, as, ae;
	int has_window, has_as, has_ae, line, column, error = 0;
	char t1[32], t2[32], t3[32], t4[32];
	const char *path;
	size_t i;

	if (!c->root || !c->id || !c->type || !c->state || !p->review_within)
		return 0;
	within = chg_node_get(p->review_within, c->type);
	if (!chg_node_str(within) || chg_duration_parse(&secs, within->value) < 0)
		return 0;
	for (i = 0; i < a->recs.n; i++) {
		const struct rec *r = &a->recs.items[i];
		if (strcmp(r->change, c->id))
			continue;
		if (r->type == CHG_AUDIT_REVIEWED && !reviewed)
			reviewed = r;
		if (r->type == CHG_AUDIT_CREATED && !created)
			created = r;
		if ((r->type == CHG_AUDIT_CREATED || r->type == CHG_AUDIT_STATE) && r->to) {
			if (!strcmp(r->to, c->state))
				entered = r;
			if (!implemented && chg_node_seq_has(p->implemented, r->to))
				implemented = r;
		}
	}
	has_window = node_time(&start, c->root, "window.start") &&
		     node_time(&end, c->root, "window.end");
	review = chg_node_get(c->root, "review");
	if (!chg_node_is_null(review)) {
		/* a review present from the start was added when the change
		   request was */
		const struct rec *at = reviewed ? reviewed : created;
		if (!at || !in_range(a, at))
			return 0;
		if (has_window && at->time > end + secs) {
			locate(a, c->id, "review", &path, &line, &column);
			error = chg_diag_add(a->diags, path, line, column, CHG_SEV_ERROR,
					     "review-overdue",
					     "the post-implementation review of %s (%s) was added in %s on %s, after it was due by %s (%s after its window ended)",
					     c->id, c->type, at->short_id,
					     chg_datetime_format(t1, sizeof(t1), at->time),
					     chg_datetime_format(t2, sizeof(t2), end + secs),
					     within->value);
			if (error)
				return error;
		}
		has_as = node_time(&as, c->root, "review.actual-start");
		has_ae = node_time(&ae, c->root, "review.actual-end");
		if (has_window && ((has_as && as < start) || (has_ae && ae > end))) {
			locate(a, c->id, "review", &path, &line, &column);
			if (has_as && as < start) {
				const struct chg_node *n = chg_node_path(c->root, "review.actual-start");
				line = n->line;
				column = n->column;
			} else {
				const struct chg_node *n = chg_node_path(c->root, "review.actual-end");
				line = n->line;
				column = n->column;
			}
			error = chg_diag_add(a->diags, path, line, column, CHG_SEV_ERROR,
					     "implemented-outside-window",
					     "%s was implemented from %s to %s, outside its window %s to %s (review recorded in %s)",
					     c->id,
					     has_as ? chg_datetime_format(t1, sizeof(t1), as) : "?",
					     has_ae ? chg_datetime_format(t2, sizeof(t2), ae) : "?",
					     chg_datetime_format(t3, sizeof(t3), start),
					     chg_datetime_format(t4, sizeof(t4), end),
					     at->short_id);
		}
		return error;
	}
	if (is_closed(p, c->state)) {
		if (!entered || !in_range(a, entered))
			return 0;
		locate(a, c->id, NULL, &path, &line, &column);
		return chg_diag_add(a->diags, path, line, column, CHG_SEV_ERROR,
				    "missing-review",
				    "%s (%s) was closed in %s without a post-implementation review",
				    c->id, c->type, entered->short_id);
	}
	if (!chg_node_seq_has(p->implemented, c->state) || !has_window ||
	    a->opts->now <= end + secs || !implemented || !in_range(a, implemented))
		return 0;
	locate(a, c->id, NULL, &path, &line, &column);
	return chg_diag_add(a->diags, path, line, column, CHG_SEV_ERROR,
			    "missing-review",
			    "%s (%s) was implemented (%s in %s) and has no post-implementation review; it was due by %s (%s after its window ended)",
			    c->id, c->type, implemented->to, implemented->short_id,
			    chg_datetime_format(t1, sizeof(t1), end + secs),
			    within->value);
}

int chg_verify_audit(struct chg_diag_list *diags, struct chg_buf *err,
		     struct chg_workspace *ws,
		     const struct chg_verify_options *opts)
{
	struct chg_diag_list scratch = CHG_DIAG_LIST_INIT;
	const git_oid *tip = ws->has_tip ? &ws->tip : NULL;
	struct audit a;
	size_t i;
	int error;

	memset(&a, 0, sizeof(a));
	a.ws = ws;
	a.opts = opts;
	a.diags = diags;
	a.err = err;
	/* what is wrong with the files is chg-lint's to say */
	error = chg_workspace_load_changes(ws, &scratch, err, NULL);
	chg_diag_list_release(&scratch);
	if (error)
		goto cleanup;
	if (git_repository_is_shallow(ws->repo) == 1) {
		error = fail(err, CHG_ERROR, "%s",
			     "the repository is a shallow clone and an audit needs its whole history; run 'git fetch --unshallow'");
		goto cleanup;
	}
	if ((error = chg_workspace_check_chain(ws, diags, err)) < 0)
		goto cleanup;
	/* with approvals to check, history is read once: the index, whose
	   graph and tree diff the audit trail walks too */
	if (tip && ws->policy->has_approvals &&
	    (error = chg_workspace_history(&a.index, ws, err)) < 0)
		goto cleanup;
	if (a.index)
		error = chg_audit_walk_history(ws->repo, a.index, ws->policy, NULL,
					       collect, &a.recs, NULL);
	else
		error = chg_audit_walk(ws->repo, tip, ws->policy, NULL, collect,
				       &a.recs, NULL);
	if (error == CHG_EGIT) {
		fail(err, error, "cannot walk the history: %s",
		     git_error_last() ? git_error_last()->message : "unknown error");
		goto cleanup;
	}
	for (i = 0; i < a.recs.n && !error && ws->policy->has_approvals; i++) {
		const struct rec *r = &a.recs.items[i];
		if ((r->type == CHG_AUDIT_CREATED || r->type == CHG_AUDIT_STATE) &&
		    r->to && r->path && in_range(&a, r) &&
		    chg_policy_state_needs_approval(ws->policy, r->to))
			error = check_entry(&a, i);
	}
	for (i = 0; i < ws->changes.n && !error; i++)
		error = check_review(&a, &ws->changes.items[i]);
	chg_diag_list_sort(diags);
cleanup:
	if (error == CHG_ENOMEM)
		fail(err, error, "%s", "out of memory");
	if (a.has_history)
		chg_history_release(&a.history);
	recs_release(&a.recs);
	return error;
}
