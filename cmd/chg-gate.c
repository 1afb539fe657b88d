#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "diag.h"
#include "error.h"
#include "format.h"
#include "gate.h"
#include "banned.h"

/* EX_TEMPFAIL (sysexits.h): try again later. */
#define GATE_EXIT_AWAITING 75

static const char usage_text[] =
	"usage: %s [--rev REV] [--at DATETIME] [--wait [--interval S] [--timeout S]]\n"
	"       [--format text|json|github] ID\n"
	"\n"
	"May the change request be deployed now?  allowed: it is in an approved\n"
	"state with its quorum counted, its window is open, no blackout forbids it\n"
	"and its dependencies are implemented or closed; awaiting: it may become\n"
	"allowed later (approvals pending, window not yet open, dependencies not\n"
	"yet implemented); prevented: it cannot (rejected, cancelled, window\n"
	"passed, blackout, stale approvals); invalid: chg-lint finds errors in it.\n"
	"\n"
	"  --rev REV        judge REV's files and history (default: HEAD)\n"
	"  --at DATETIME    the instant judged (default: the clock)\n"
	"  --now DATETIME   the clock (also CHG_NOW)\n"
	"  --wait           while awaiting, judge again every --interval seconds\n"
	"                   (default 30), the revision re-read each time, until\n"
	"                   --timeout seconds have passed (default 3600)\n"
	"  --format FORMAT  text (default), json or github (the default when\n"
	"                   GITHUB_ACTIONS=true); on GitHub Actions the answer\n"
	"                   is also appended to $GITHUB_OUTPUT as status=ANSWER\n"
	"\n"
	"Exit status: 0 allowed, 75 awaiting (also when --wait times out),\n"
	"1 prevented or invalid, 2 usage error, 3 could not run (no such change\n"
	"request, no repository, invalid policy).\n";

static int usage(const struct chg_cmd *cmd, FILE *f, int status)
{
	fprintf(f, usage_text, cmd->name);
	return status;
}

static int exit_status(enum chg_gate_status s)
{
	switch (s) {
	case CHG_GATE_ALLOWED: return CHG_EXIT_OK;
	case CHG_GATE_AWAITING: return GATE_EXIT_AWAITING;
	default: return CHG_EXIT_FINDINGS;
	}
}

static void put_time(char *buf, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "%lld", (long long)t);
}

/* "1d 2h 30m 5s", without the zero parts; "0s" for none. */
static void put_duration(struct chg_buf *b, int64_t secs)
{
	static const struct { int64_t n; char unit; } parts[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' }
	};
	size_t i;
	int any = 0;

	for (i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		int64_t n = secs / parts[i].n;
		secs %= parts[i].n;
		if (!n)
			continue;
		chg_buf_printf(b, "%s%lld%c", any ? " " : "", (long long)n, parts[i].unit);
		any = 1;
	}
	if (!any)
		chg_buf_puts(b, "0s");
}

static void print_text(struct chg_buf *b, const struct chg_gate *g)
{
	char start[32], end[32];
	size_t i;

	chg_buf_printf(b, "%s: %s\n", g->id, chg_gate_status_name(g->status));
	if (g->has_window) {
		put_time(start, sizeof(start), g->window_start);
		put_time(end, sizeof(end), g->window_end);
		chg_buf_printf(b, "  window %s .. %s", start, end);
		if (g->opens_in >= 0) {
			chg_buf_puts(b, ", opens in ");
			put_duration(b, g->opens_in);
		} else if (g->closes_in >= 0) {
			chg_buf_puts(b, ", closes in ");
			put_duration(b, g->closes_in);
		}
		chg_buf_putc(b, '\n');
	}
	for (i = 0; i < g->reasons.n; i++)
		chg_buf_printf(b, "  %s [%s]\n", g->reasons.items[i].message,
			       g->reasons.items[i].rule);
}

static json_t *jstr(const char *s)
{
	json_t *v;

	if (!s || !*s)
		return json_null();
	v = json_string(s);
	return v ? v : json_string("\xef\xbf\xbd");
}

static json_t *jseconds(int64_t s)
{
	return s >= 0 ? json_integer((json_int_t)s) : json_null();
}

static char *print_json(const struct chg_gate *g, int64_t at)
{
	json_t *o = json_object(), *win, *reasons;
	char when[32], start[32], end[32];
	char *text;
	size_t i;

	if (!o)
		return NULL;
	put_time(when, sizeof(when), at);
	json_object_set_new(o, "schema", json_string("chg.gate/v1"));
	json_object_set_new(o, "change", jstr(g->id));
	json_object_set_new(o, "status", json_string(chg_gate_status_name(g->status)));
	json_object_set_new(o, "evaluated_at", json_string(when));
	json_object_set_new(o, "commit", jstr(g->commit));
	json_object_set_new(o, "digest", jstr(g->digest));
	if (g->has_window) {
		put_time(start, sizeof(start), g->window_start);
		put_time(end, sizeof(end), g->window_end);
		win = json_object();
		json_object_set_new(win, "start", json_string(start));
		json_object_set_new(win, "end", json_string(end));
		json_object_set_new(o, "window", win);
	} else {
		json_object_set_new(o, "window", json_null());
	}
	json_object_set_new(o, "opens_in", jseconds(g->opens_in));
	json_object_set_new(o, "closes_in", jseconds(g->closes_in));
	reasons = json_array();
	for (i = 0; i < g->reasons.n; i++) {
		json_t *r = json_object();
		json_object_set_new(r, "rule", jstr(g->reasons.items[i].rule));
		json_object_set_new(r, "message", jstr(g->reasons.items[i].message));
		json_array_append_new(reasons, r);
	}
	json_object_set_new(o, "reasons", reasons);
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

/* Workflow commands: the answer (a notice when allowed or awaiting, an
 * error otherwise), then each reason on the change request's file. */
static int print_github(struct chg_buf *b, const struct chg_gate *g)
{
	struct chg_diag_list all = CHG_DIAG_LIST_INIT;
	struct chg_buf msg = CHG_BUF_INIT;
	size_t i;
	int error;

	chg_buf_printf(&msg, "%s: %s", g->id, chg_gate_status_name(g->status));
	if (g->opens_in >= 0) {
		chg_buf_puts(&msg, ", its window opens in ");
		put_duration(&msg, g->opens_in);
	} else if (g->closes_in >= 0) {
		chg_buf_puts(&msg, ", its window closes in ");
		put_duration(&msg, g->closes_in);
	}
	error = chg_diag_add(&all, g->path, 0, 0,
			     g->status <= CHG_GATE_AWAITING ? CHG_SEV_NOTE : CHG_SEV_ERROR,
			     "chg gate", "%s", msg.ptr ? msg.ptr : "");
	for (i = 0; i < g->reasons.n && !error; i++) {
		const struct chg_diag *d = &g->reasons.items[i];
		error = chg_diag_add(&all, d->path, d->line, d->column, d->severity,
				     d->rule, "%s", d->message);
	}
	if (!error)
		error = chg_format_github(b, &all);
	chg_diag_list_release(&all);
	chg_buf_release(&msg);
	return error;
}

/* Appends status=ANSWER to the file $GITHUB_OUTPUT names, when it is
 * set.  Returns 0, or -1 with an error printed. */
static int write_github_output(const struct chg_cmd *cmd, enum chg_gate_status s)
{
	const char *path = getenv("GITHUB_OUTPUT");
	FILE *f;
	int bad;

	if (!path || !*path)
		return 0;
	if (!(f = fopen(path, "a"))) {
		chg_cmd_error(cmd, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	bad = fprintf(f, "status=%s\n", chg_gate_status_name(s)) < 0;
	if (fclose(f) || bad) {
		chg_cmd_error(cmd, "cannot write '%s'", path);
		return -1;
	}
	return 0;
}

/* Seconds: a whole number from `min` on. */
static int parse_seconds(long *out, const struct chg_cmd *cmd, const char *opt,
			 const char *text, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < min) {
		chg_cmd_error(cmd, "%s '%s' is not a number of seconds (at least %ld)",
			      opt, text, min);
		return -1;
	}
	*out = v;
	return 0;
}

static int64_t monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

int cmd_gate(int argc, char **argv, const struct chg_cmd *cmd)
{
	static const struct option longopts[] = {
		{ "rev", required_argument, NULL, 'r' },
		{ "at", required_argument, NULL, 'a' },
		{ "now", required_argument, NULL, 'n' },
		{ "wait", no_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct chg_gate_options opts = CHG_GATE_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT, out = CHG_BUF_INIT;
	const char *at_text = NULL, *now_text = NULL, *format = NULL;
	const char *interval_text = NULL, *timeout_text = NULL;
	long interval = 30, timeout = 3600;
	int c, rc, wait = 0, status = CHG_EXIT_OK;
	int64_t started;
	struct chg_gate g;
	char *json = NULL;

	memset(&g, 0, sizeof(g));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': opts.rev = optarg; break;
		case 'a': at_text = optarg; break;
		case 'n': now_text = optarg; break;
		case 'w': wait = 1; break;
		case 'i': interval_text = optarg; break;
		case 't': timeout_text = optarg; break;
		case 'f': format = optarg; break;
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
	opts.dir = cmd->dir;
	if (!format)
		format = chg_cmd_default_format();
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "github")) {
		chg_cmd_error(cmd, "unknown format '%s' (expected text, json or github)", format);
		return CHG_EXIT_USAGE;
	}
	if ((interval_text || timeout_text) && !wait) {
		chg_cmd_error(cmd, "--interval and --timeout go with --wait");
		return usage(cmd, stderr, CHG_EXIT_USAGE);
	}
	if ((interval_text && parse_seconds(&interval, cmd, "--interval", interval_text, 1) < 0) ||
	    (timeout_text && parse_seconds(&timeout, cmd, "--timeout", timeout_text, 0) < 0))
		return CHG_EXIT_USAGE;
	/* both checked before the first judgement: a usage error is one */
	if (chg_cmd_now(&opts.at, cmd, now_text) < 0 ||
	    (at_text && chg_cmd_now(&opts.at, cmd, at_text) < 0))
		return CHG_EXIT_USAGE;

	started = monotonic();
	for (;;) {
		int64_t left;

		if (!at_text && chg_cmd_now(&opts.at, cmd, now_text) < 0)
			return CHG_EXIT_USAGE;
		/* each judgement opens the repository again: new commits count */
		rc = chg_gate(&g, &diags, &err, &opts);
		if (rc < 0 || !g.found)
			break;
		left = timeout - (monotonic() - started);
		if (!wait || g.status != CHG_GATE_AWAITING || left <= 0)
			break;
		fprintf(stderr, "%s: %s is awaiting; judging again in %lds\n", cmd->name,
			opts.id, interval < left ? interval : (long)left);
		sleep((unsigned)(interval < left ? interval : left));
		chg_gate_release(&g);
		chg_diag_list_release(&diags);
		chg_buf_clear(&err);
	}

	if (rc < 0) {
		chg_format_text(&out, &diags);
		fwrite(out.ptr, 1, out.len, stderr);
		if (rc == CHG_EINVALID)
			chg_cmd_error(cmd, "the policy is invalid; fix the errors above");
		else
			chg_cmd_error(cmd, "%s", err.len ? err.ptr : chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (!g.found) {
		chg_cmd_error(cmd, "no change request has id '%s'", opts.id);
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	status = exit_status(g.status);
	if (!strcmp(format, "json")) {
		if (!(json = print_json(&g, opts.at))) {
			chg_cmd_error(cmd, "out of memory");
			status = CHG_EXIT_FAILURE;
			goto cleanup;
		}
		chg_buf_printf(&out, "%s\n", json);
	} else if (!strcmp(format, "github")) {
		if (print_github(&out, &g) < 0) {
			chg_cmd_error(cmd, "out of memory");
			status = CHG_EXIT_FAILURE;
			goto cleanup;
		}
	} else {
		print_text(&out, &g);
	}
	fwrite(out.ptr, 1, out.len, stdout);
	fflush(stdout);
	if (ferror(stdout)) {
		chg_cmd_error(cmd, "cannot write the output");
		status = CHG_EXIT_FAILURE;
	}
	if ((!strcmp(format, "github") ||
	     (getenv("GITHUB_ACTIONS") && !strcmp(getenv("GITHUB_ACTIONS"), "true"))) &&
	    write_github_output(cmd, g.status) < 0)
		status = CHG_EXIT_FAILURE;
cleanup:
	free(json);
	chg_gate_release(&g);
	chg_buf_release(&out);
	chg_buf_release(&err);
	chg_diag_list_release(&diags);
	return status;
}
