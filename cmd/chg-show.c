#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "buf.h"
#include "cmd.h"
#include "cond.h"
#include "diag.h"
#include "error.h"
#include "format.h"
#include "node.h"
#include "show.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s [--rev REV] [--format text|json] ID\n"
	"\n"
	"Shows a change request with what history says of it: its risk, its\n"
	"window, each approval and whether and why it counts (a stale one with\n"
	"the commit whose edit made it stale), its rejections,\n"
	"its dependencies and their states, chg-lint's findings about its file,\n"
	"and a summary of its history.\n"
	"\n"
	"  --rev REV        as of REV (default: the working tree, HEAD's history)\n"
	"  --format FORMAT  text (default) or json\n"
	"  --now DATETIME   the clock for time rules (also CHG_NOW)\n"
	"\n"
	"Exit status: 0 shown, 1 no such change request, findings of severity\n"
	"error or an unapproved trust state, 2 usage error, 3 could not run.\n";

static int usage(const struct chg_cmd *cmd, FILE *f, int status)
{
	fprintf(f, usage_text, cmd->name);
	return status;
}

static const char *str_at(const struct chg_node *root, const char *path)
{
	const char *s = chg_node_str(chg_node_path(root, path));

	return s && !chg_node_is_null(chg_node_path(root, path)) ? s : NULL;
}

/* "1d 2h 30m" from seconds; "0m" for none. */
static void put_duration(struct chg_buf *b, int64_t secs)
{
	int64_t d = secs / 86400, h = secs % 86400 / 3600, m = secs % 3600 / 60;
	int any = 0;

	if (secs < 0) {
		chg_buf_puts(b, "negative");
		return;
	}
	if (d) {
		chg_buf_printf(b, "%lldd", (long long)d);
		any = 1;
	}
	if (h) {
		chg_buf_printf(b, "%s%lldh", any ? " " : "", (long long)h);
		any = 1;
	}
	if (m || !any)
		chg_buf_printf(b, "%s%lldm", any ? " " : "", (long long)m);
}


static void text_risk(struct chg_buf *b, const struct chg_show *sh)
{
	const char *declared = str_at(sh->change->root, "risk.level");

	chg_buf_printf(b, "risk:       %s", declared ? declared : "(not declared)");
	if (!sh->has_risk || !sh->assessed) {
		chg_buf_putc(b, '\n');
		return;
	}
	chg_buf_printf(b, "; assessed %s (%s)%s\n", sh->assessed,
		       sh->risk.explanation.len ? sh->risk.explanation.ptr : "",
		       sh->risk.understated ? "; UNDERSTATED" : "");
}

static void text_window(struct chg_buf *b, const struct chg_show *sh)
{
	if (!sh->has_window) {
		chg_buf_puts(b, "window:     (none)\n");
		return;
	}
	chg_buf_printf(b, "window:     %s to %s", sh->window_start, sh->window_end);
	if (sh->has_duration) {
		chg_buf_puts(b, " (");
		put_duration(b, sh->duration);
		chg_buf_puts(b, ")");
	}
	chg_buf_putc(b, '\n');
}

static const char *approver(const struct chg_approval *a)
{
	return a->email ? a->email : *a->identity ? a->identity : "(no approver)";
}

/*
 * "a@x: approved sha256:0123456789ab; the change was edited in abc1234",
 * or, when no edit made it stale, "a@x: approved sha256:..., not the
 * content of the change (sha256:...)": the stale approval verdicts[i].
 */
static void text_stale(struct chg_buf *b, const struct chg_show *sh, size_t i)
{
	const struct chg_approval *a = sh->approvals.verdicts[i].approval;
	const struct chg_show_stale *st = sh->stale ? &sh->stale[i] : NULL;

	chg_buf_printf(b, "%s: approved %.19s", approver(a),
		       a->digest ? a->digest : "(no digest)");
	if (st && st->edited)
		chg_buf_printf(b, "; the change was edited in %s", st->edit_short);
	else
		chg_buf_printf(b, ", not the content of the change (%.19s)",
			       sh->change->digest);
}

static void text_approvals(struct chg_buf *b, const struct chg_show *sh)
{
	const struct chg_approval_result *res = &sh->approvals;
	size_t i;

	if (!sh->has_approvals) {
		chg_buf_puts(b, "\napprovals: the policy has none\n");
		return;
	}
	chg_buf_printf(b, "\napprovals: %zu of %lld counted", res->counted, res->required);
	if (res->rule) {
		struct chg_buf when = CHG_BUF_INIT;
		chg_buf_puts(b, " (");
		if (res->rule->from) {
			chg_buf_puts(b, "from ");
			chg_approval_rule_groups(b, res->rule);
		} else {
			chg_buf_puts(b, "from anyone");
		}
		if (res->rule->when &&
		    chg_cond_describe(&when, res->rule->when) == 0 && when.len)
			chg_buf_printf(b, "; rule when %s", when.ptr);
		chg_buf_puts(b, ")");
		chg_buf_release(&when);
	}
	chg_buf_printf(b, "%s\n", sh->approval_needed ? "" : "; not needed in this state");
	for (i = 0; i < res->n; i++) {
		const struct chg_approval_verdict *v = &res->verdicts[i];
		if (v->verdict == CHG_VERDICT_STALE) {
			chg_buf_printf(b, "  %-15s %-8s ", chg_verdict_name(v->verdict),
				       v->approval->short_id);
			text_stale(b, sh, i);
			chg_buf_putc(b, '\n');
			continue;
		}
		/* a reason names the approver itself */
		chg_buf_printf(b, "  %-15s %-8s %s\n", chg_verdict_name(v->verdict),
			       v->approval->short_id,
			       v->reason ? v->reason :
			       v->approval->email ? v->approval->email :
			       v->approval->identity ? v->approval->identity : "(no approver)");
	}
}

static void print_text(struct chg_buf *b, const struct chg_show *sh)
{
	const struct chg_change *c = sh->change;
	const char *client = str_at(c->root, "client");
	size_t i;

	if (!sh->trust_ok)
		chg_buf_puts(b, "WARNING: the trust state (policy, trust files, catalog) of this revision\n"
			     "is not approved: nothing below can be relied on; run chg-lint\n\n");
	chg_buf_printf(b, "%s: %s\n", c->id, str_at(c->root, "title") ? str_at(c->root, "title") : "(no title)");
	chg_buf_printf(b, "file:       %s\n", c->path);
	chg_buf_printf(b, "type:       %s\n", c->type ? c->type : "(none)");
	chg_buf_printf(b, "state:      %s\n", c->state ? c->state : "(none)");
	chg_buf_printf(b, "requester:  %s\n", str_at(c->root, "requested-by") ? str_at(c->root, "requested-by") : "(none)");
	chg_buf_printf(b, "owner:      %s\n", str_at(c->root, "owner") ? str_at(c->root, "owner") : "(none)");
	chg_buf_printf(b, "client:     %s\n", client ? client : "(none)");
	text_risk(b, sh);
	text_window(b, sh);
	chg_buf_printf(b, "digest:     %s\n", c->digest[0] ? c->digest : "(none)");

	text_approvals(b, sh);
	for (i = 0; i < sh->nrejections; i++) {
		const struct chg_approval *a = sh->rejections[i];
		if (!i)
			chg_buf_puts(b, "rejections:\n");
		chg_buf_printf(b, "  %-8s %s\n", a->short_id,
			       a->email ? a->email : a->identity ? a->identity : "(no approver)");
	}
	if (!sh->nrejections)
		chg_buf_puts(b, "rejections: none\n");

	if (sh->ndependencies) {
		chg_buf_puts(b, "dependencies:\n");
		for (i = 0; i < sh->ndependencies; i++) {
			const struct chg_show_dependency *d = &sh->dependencies[i];
			chg_buf_printf(b, "  %-10s %s\n", d->id ? d->id : "?",
				       d->change ? (d->change->state ? d->change->state : "(no state)") :
				       "(unknown)");
		}
	} else {
		chg_buf_puts(b, "dependencies: none\n");
	}

	if (sh->findings.n) {
		chg_buf_puts(b, "findings:\n");
		for (i = 0; i < sh->findings.n; i++) {
			const struct chg_diag *d = &sh->findings.items[i];
			chg_buf_printf(b, "  %d:%d: %s: %s [%s]\n", d->line, d->column,
				       chg_severity_name(d->severity), d->message, d->rule);
		}
	} else {
		chg_buf_puts(b, "findings: none\n");
	}

	chg_buf_puts(b, "history:\n");
	for (i = 0; i < sh->nevents; i++) {
		const struct chg_show_event *e = &sh->events[i];
		chg_buf_printf(b, "  %s  %s  %-8s  %s\n", e->date, e->commit, e->type,
			       e->detail);
	}
	if (!sh->nevents)
		chg_buf_puts(b, "  (no commits)\n");
}

static json_t *jstr(const char *s)
{
	json_t *v;

	if (!s)
		return json_null();
	v = json_string(s);
	return v ? v : json_string("\xef\xbf\xbd");
}

static json_t *json_approvals(const struct chg_show *sh)
{
	const struct chg_approval_result *res = &sh->approvals;
	struct chg_buf groups = CHG_BUF_INIT;
	json_t *ap, *items;
	size_t i;

	if (!sh->has_approvals)
		return json_null();
	ap = json_object();
	items = json_array();
	json_object_set_new(ap, "required", json_integer(res->required));
	json_object_set_new(ap, "counted", json_integer((json_int_t)res->counted));
	json_object_set_new(ap, "needed", json_boolean(sh->approval_needed));
	if (res->rule && res->rule->from)
		chg_approval_rule_groups(&groups, res->rule);
	json_object_set_new(ap, "from", groups.len ? jstr(groups.ptr) : json_null());
	chg_buf_release(&groups);
	for (i = 0; i < res->n; i++) {
		const struct chg_approval_verdict *v = &res->verdicts[i];
		json_t *it = json_object();
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), &v->approval->commit);
		json_object_set_new(it, "commit", jstr(hex));
		json_object_set_new(it, "approver", jstr(v->approval->identity));
		json_object_set_new(it, "email", jstr(v->approval->email));
		json_object_set_new(it, "verdict", jstr(chg_verdict_name(v->verdict)));
		json_object_set_new(it, "rule", jstr(chg_verdict_rule(v->verdict)));
		json_object_set_new(it, "reason", jstr(v->reason));
		json_object_set_new(it, "digest", jstr(v->approval->digest));
		json_object_set_new(it, "stale_since",
				    sh->stale && sh->stale[i].edited ?
				    jstr(sh->stale[i].edit) : json_null());
		json_array_append_new(items, it);
	}
	json_object_set_new(ap, "items", items);
	return ap;
}

static char *print_json(const struct chg_show *sh)
{
	const struct chg_change *c = sh->change;
	json_t *o = json_object(), *risk, *win, *rej, *dl, *fl, *hl;
	char *text;
	size_t i;

	if (!o)
		return NULL;
	json_object_set_new(o, "id", jstr(c->id));
	json_object_set_new(o, "title", jstr(str_at(c->root, "title")));
	json_object_set_new(o, "path", jstr(c->path));
	json_object_set_new(o, "type", jstr(c->type));
	json_object_set_new(o, "state", jstr(c->state));
	json_object_set_new(o, "requested_by", jstr(str_at(c->root, "requested-by")));
	json_object_set_new(o, "owner", jstr(str_at(c->root, "owner")));
	json_object_set_new(o, "client", jstr(str_at(c->root, "client")));
	json_object_set_new(o, "digest", jstr(c->digest[0] ? c->digest : NULL));
	json_object_set_new(o, "trust_approved", json_boolean(sh->trust_ok));

	risk = json_object();
	json_object_set_new(risk, "declared", jstr(str_at(c->root, "risk.level")));
	if (sh->has_risk && sh->assessed) {
		json_object_set_new(risk, "assessed", jstr(sh->assessed));
		json_object_set_new(risk, "score", sh->risk.scored ? json_integer(sh->risk.score) : json_null());
		json_object_set_new(risk, "understated", json_boolean(sh->risk.understated));
		json_object_set_new(risk, "explanation", jstr(sh->risk.explanation.len ? sh->risk.explanation.ptr : ""));
	}
	json_object_set_new(o, "risk", risk);

	if (sh->has_window) {
		win = json_object();
		json_object_set_new(win, "start", jstr(sh->window_start));
		json_object_set_new(win, "end", jstr(sh->window_end));
		if (sh->has_duration)
			json_object_set_new(win, "duration_seconds", json_integer(sh->duration));
		json_object_set_new(o, "window", win);
	} else {
		json_object_set_new(o, "window", json_null());
	}

	json_object_set_new(o, "approvals", json_approvals(sh));

	rej = json_array();
	for (i = 0; i < sh->nrejections; i++) {
		const struct chg_approval *a = sh->rejections[i];
		json_t *it = json_object();
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), &a->commit);
		json_object_set_new(it, "commit", jstr(hex));
		json_object_set_new(it, "approver", jstr(a->identity));
		json_object_set_new(it, "email", jstr(a->email));
		json_array_append_new(rej, it);
	}
	json_object_set_new(o, "rejections", rej);

	dl = json_array();
	for (i = 0; i < sh->ndependencies; i++) {
		const struct chg_show_dependency *d = &sh->dependencies[i];
		json_t *it = json_object();
		json_object_set_new(it, "id", jstr(d->id));
		json_object_set_new(it, "state", jstr(d->change ? d->change->state : NULL));
		json_object_set_new(it, "known", json_boolean(d->change != NULL));
		json_array_append_new(dl, it);
	}
	json_object_set_new(o, "dependencies", dl);

	fl = json_array();
	for (i = 0; i < sh->findings.n; i++) {
		const struct chg_diag *d = &sh->findings.items[i];
		json_t *it = json_object();
		json_object_set_new(it, "path", jstr(d->path));
		json_object_set_new(it, "line", json_integer(d->line));
		json_object_set_new(it, "column", json_integer(d->column));
		json_object_set_new(it, "severity", jstr(chg_severity_name(d->severity)));
		json_object_set_new(it, "rule", jstr(d->rule));
		json_object_set_new(it, "message", jstr(d->message));
		json_array_append_new(fl, it);
	}
	json_object_set_new(o, "findings", fl);

	hl = json_array();
	for (i = 0; i < sh->nevents; i++) {
		const struct chg_show_event *e = &sh->events[i];
		json_t *it = json_object();
		json_object_set_new(it, "date", jstr(e->date));
		json_object_set_new(it, "commit", jstr(e->commit));
		json_object_set_new(it, "type", jstr(e->type));
		json_object_set_new(it, "detail", jstr(e->detail));
		json_array_append_new(hl, it);
	}
	json_object_set_new(o, "history", hl);

	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

int cmd_show(int argc, char **argv, const struct chg_cmd *cmd)
{
	static const struct option longopts[] = {
		{ "rev", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct chg_show_options opts = CHG_SHOW_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT, out = CHG_BUF_INIT;
	const char *now_text = NULL, *format = "text";
	struct chg_show sh;
	char *json = NULL;
	int c, rc, status = CHG_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': opts.rev = optarg; break;
		case 'f': format = optarg; break;
		case 'n': now_text = optarg; break;
		case 'h':
			return usage(cmd, stdout, CHG_EXIT_OK);
		default:  /* ':' or '?' */
			chg_cmd_option_error(cmd, c, argv);
			return usage(cmd, stderr, CHG_EXIT_USAGE);
		}
	}
	if (argc - optind != 1) {
		chg_cmd_error(cmd, "expected one change request id");
		return usage(cmd, stderr, CHG_EXIT_USAGE);
	}
	opts.id = argv[optind];
	if (strcmp(format, "text") && strcmp(format, "json")) {
		chg_cmd_error(cmd, "unknown format '%s' (expected text or json)", format);
		return CHG_EXIT_USAGE;
	}
	if (chg_cmd_now(&opts.now, cmd, now_text) < 0)
		return CHG_EXIT_USAGE;
	opts.dir = cmd->dir;

	rc = chg_show(&sh, &diags, &err, &opts);
	if (rc < 0 && !sh.loaded) {
		chg_format_text(&out, &diags);
		fwrite(out.ptr, 1, out.len, stderr);
		if (rc == CHG_EINVALID)
			chg_cmd_error(cmd, "the policy is invalid; fix the errors above");
		else
			chg_cmd_error(cmd, "%s", err.len ? err.ptr : chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (rc < 0) {
		chg_cmd_error(cmd, "%s", err.len ? err.ptr : chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (!sh.change) {
		chg_cmd_error(cmd, "no change request has id '%s'", opts.id);
		status = CHG_EXIT_FINDINGS;
		goto cleanup;
	}
	if (!strcmp(format, "json")) {
		if (!(json = print_json(&sh))) {
			chg_cmd_error(cmd, "out of memory");
			status = CHG_EXIT_FAILURE;
			goto cleanup;
		}
		chg_buf_printf(&out, "%s\n", json);
	} else {
		print_text(&out, &sh);
	}
	fwrite(out.ptr, 1, out.len, stdout);
	if (!sh.trust_ok) {
		chg_cmd_error(cmd, "the trust state of %s is not approved; 'chg-lint' says why",
			      opts.rev ? opts.rev : "the working tree");
		status = CHG_EXIT_FINDINGS;
	}
	if (chg_diag_list_count(&sh.findings, CHG_SEV_ERROR))
		status = CHG_EXIT_FINDINGS;
	fflush(stdout);
	if (ferror(stdout)) {
		chg_cmd_error(cmd, "cannot write the output");
		status = CHG_EXIT_FAILURE;
	}
cleanup:
	free(json);
	chg_show_release(&sh);
	chg_buf_release(&out);
	chg_buf_release(&err);
	chg_diag_list_release(&diags);
	return status;
}
