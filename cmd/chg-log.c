#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "cmd.h"
#include "datetime.h"
#include "diag.h"
#include "digest.h"
#include "error.h"
#include "format.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s [options] [ID...]\n"
	"\n"
	"The audit trail: what happened to each change request (or to the IDs\n"
	"given), oldest first, from the commits that touched them.  A commit\n"
	"that left a change request not valid is an updated event marked\n"
	"invalid, with the rule and position of the first error.\n"
	"\n"
	"  --since WHEN     events committed at or after WHEN\n"
	"  --until WHEN     events committed at or before WHEN\n"
	"                   WHEN: YYYY-MM-DD (a UTC day: from its start for\n"
	"                   --since, to its end for --until), an RFC 3339\n"
	"                   date-time, or a duration before now (90d, 12h, 2w)\n"
	"  --client NAME    only change requests of this client\n"
	"  --type TYPE      only change requests of this type\n"
	"  --rev REV        the history of REV (default HEAD)\n"
	"  --format FORMAT  text (default), jsonl or csv\n"
	"  --policy FILE    use FILE as the policy\n"
	"  --now DATETIME   the clock for durations (also CHG_NOW)\n"
	"  --color WHEN     colour the text output: auto (the default:\n"
	"                   when standard output is a terminal and\n"
	"                   NO_COLOR is unset or empty), always or never\n"
	"\n"
	"Exit status: 0 success, 1 an ID has no events in the history,\n"
	"2 usage error, 3 could not run.\n";

enum format { TEXT, JSONL, CSV };

struct out {
	enum format format;
	int color;
	const struct chg_audit_options *filter;
	const char *const *ids;
	size_t nids;
	char *seen;               /* per ID: it has an event */
	struct chg_buf line;
	int error;                /* CHG_ENOMEM while printing */
};

static int usage(const struct chg_cmd *cmd, FILE *f, int status)
{
	fprintf(f, usage_text, cmd->name);
	return status;
}

/*
 * Reads WHEN into *out: a date (its first second, or with `end` its last),
 * a date-time, or a duration before `now`.  Returns 0 or -1.
 */
static int parse_when(int64_t *out, const char *s, int end, int64_t now)
{
	int64_t d;

	if (chg_date_parse(out, s) == 0) {
		if (end)
			*out += 86400 - 1;
		return 0;
	}
	if (chg_datetime_parse(out, s) == 0)
		return 0;
	if (chg_duration_parse(&d, s) == 0) {
		*out = now - d;
		return 0;
	}
	return -1;
}

/* ---- text ---- */

#define COLOR_RESET "\033[m"
#define COLOR_COMMIT "\033[33m"

static const char *type_color(const struct chg_audit_event *ev)
{
	switch (ev->type) {
	case CHG_AUDIT_CREATED: return "\033[32m";
	case CHG_AUDIT_DELETED:
	case CHG_AUDIT_REJECTED: return "\033[31m";
	case CHG_AUDIT_APPROVED:
		return ev->verdict && !strcmp(ev->verdict, "counted") ?
		       "\033[32m" : "\033[33m";
	case CHG_AUDIT_UPDATED:
		return ev->invalid ? "\033[31m" : "\033[36m";
	default: return "\033[36m";
	}
}

/* Appends `s` for a terminal: control characters (C0, DEL, C1) become '?'
 * so that a commit cannot send escape sequences. */
static void put_safe(struct chg_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			chg_buf_putc(b, '?');
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			chg_buf_putc(b, '?');
			p++;
		} else {
			chg_buf_putc(b, (char)*p);
		}
	}
}

/* Appends `s` padded with spaces to `width` characters (code points). */
static void put_padded(struct chg_buf *b, const char *s, size_t width)
{
	const unsigned char *p;
	size_t n = 0;

	put_safe(b, s);
	for (p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	for (; n < width; n++)
		chg_buf_putc(b, ' ');
}

/* "; makes approvals by a@x (abc1234), b@y (def5678) stale". */
static void put_refs(struct chg_buf *b, const struct chg_audit_ref *r, size_t n,
		     const char *what)
{
	size_t i;

	if (!n)
		return;
	chg_buf_puts(b, "; makes approvals by ");
	for (i = 0; i < n; i++) {
		if (i)
			chg_buf_puts(b, ", ");
		put_safe(b, r[i].approver_email ? r[i].approver_email :
			 r[i].approver ? r[i].approver : "(no approver)");
		chg_buf_printf(b, " (%s)", r[i].short_id);
	}
	chg_buf_printf(b, " %s", what);
}

/* "(invalid: yaml-syntax at 12:3) message": why a version is not valid. */
static void put_invalid(struct chg_buf *b, const struct chg_audit_event *ev)
{
	chg_buf_puts(b, "(invalid: ");
	put_safe(b, ev->rule ? ev->rule : "?");
	if (ev->line > 0)
		chg_buf_printf(b, " at %d:%d", ev->line, ev->column);
	chg_buf_puts(b, ")");
	if (ev->message && *ev->message) {
		chg_buf_puts(b, " ");
		put_safe(b, ev->message);
	}
}

static void print_text(struct out *o, const struct chg_audit_event *ev)
{
	const struct chg_audit_commit *c = ev->commit;
	struct chg_buf *b = &o->line;
	char when[CHG_AUDIT_TIME_SIZE];
	size_t i;

	chg_audit_format_time(when, c->committer_time, c->committer_offset);
	/* 2026-10-26T10:15:00+01:00 -> 2026-10-26 10:15 +01:00 */
	chg_buf_printf(b, "%.10s %.5s %s  ", when, when + 11, when + 19);
	chg_buf_printf(b, "%s%s%s  ", o->color ? COLOR_COMMIT : "", c->short_id,
		       o->color ? COLOR_RESET : "");
	put_padded(b, ev->change, 9);
	chg_buf_puts(b, "  ");
	if (o->color)
		chg_buf_puts(b, type_color(ev));
	put_padded(b, chg_audit_type_name(ev->type), 8);
	if (o->color)
		chg_buf_puts(b, COLOR_RESET);
	chg_buf_puts(b, "  ");
	put_padded(b, c->author, 16);
	chg_buf_puts(b, "  ");
	switch (ev->type) {
	case CHG_AUDIT_CREATED:
		put_safe(b, ev->path);
		if (ev->to) {
			chg_buf_puts(b, " (");
			put_safe(b, ev->to);
			chg_buf_puts(b, ")");
		}
		break;
	case CHG_AUDIT_MOVED:
	case CHG_AUDIT_STATE:
		put_safe(b, ev->from ? ev->from : "(none)");
		chg_buf_puts(b, " -> ");
		put_safe(b, ev->to ? ev->to : "(none)");
		break;
	case CHG_AUDIT_UPDATED:
		if (ev->invalid) {
			put_invalid(b, ev);
			break;
		}
		for (i = 0; i < ev->nfields; i++) {
			if (i)
				chg_buf_puts(b, ", ");
			put_safe(b, ev->fields[i]);
		}
		put_refs(b, ev->stale, ev->nstale, "stale");
		put_refs(b, ev->current, ev->ncurrent, "count");
		break;
	case CHG_AUDIT_REVIEWED:
		put_safe(b, ev->outcome);
		break;
	case CHG_AUDIT_DELETED:
		put_safe(b, ev->path);
		break;
	case CHG_AUDIT_APPROVED:
	case CHG_AUDIT_REJECTED:
		put_safe(b, ev->approver_email ? ev->approver_email :
			 ev->approver ? ev->approver : "(no approver)");
		chg_buf_puts(b, " ");
		if (o->color)
			chg_buf_puts(b, type_color(ev));
		put_safe(b, ev->verdict);
		if (o->color)
			chg_buf_puts(b, COLOR_RESET);
		if (ev->digest && chg_digest_is_valid(ev->digest)) {
			/* sha256: and 12 hex digits, as stale-approval quotes it */
			chg_buf_printf(b, " %.19s", ev->digest);
		} else if (ev->digest) {
			chg_buf_puts(b, " ");
			put_safe(b, ev->digest);
		}
		if (ev->fingerprint) {
			chg_buf_puts(b, " key ");
			put_safe(b, ev->fingerprint);
		}
		break;
	}
	chg_buf_putc(b, '\n');
}

/* ---- JSON Lines ---- */

static json_t *jstr(const char *s)
{
	json_t *v;

	if (!s)
		return json_null();
	v = json_string(s);
	return v ? v : json_string("\xef\xbf\xbd");
}

/* [{"approver": ..., "commit": ...}, ...], or null when `listed` is 0. */
static json_t *jrefs(int listed, const struct chg_audit_ref *r, size_t n)
{
	json_t *a, *it;
	size_t i;

	if (!listed || !(a = json_array()))
		return json_null();
	for (i = 0; i < n; i++) {
		if (!(it = json_object()))
			break;
		json_object_set_new(it, "approver", jstr(r[i].approver));
		json_object_set_new(it, "commit", jstr(r[i].commit));
		json_array_append_new(a, it);
	}
	return a;
}

static void print_jsonl(struct out *o, const struct chg_audit_event *ev)
{
	const struct chg_audit_commit *c = ev->commit;
	char ad[CHG_AUDIT_TIME_SIZE], cd[CHG_AUDIT_TIME_SIZE];
	json_t *obj = json_object(), *fields = NULL;
	int approval = ev->type == CHG_AUDIT_APPROVED || ev->type == CHG_AUDIT_REJECTED;
	int edit = ev->type == CHG_AUDIT_UPDATED && !ev->invalid;
	char *text;
	size_t i;

	if (!obj) {
		o->error = CHG_ENOMEM;
		return;
	}
	if (ev->type == CHG_AUDIT_UPDATED) {
		fields = json_array();
		for (i = 0; fields && i < ev->nfields; i++)
			json_array_append_new(fields, jstr(ev->fields[i]));
	}
	chg_audit_format_time(ad, c->author_time, c->author_offset);
	chg_audit_format_time(cd, c->committer_time, c->committer_offset);
	json_object_set_new(obj, "type", jstr(chg_audit_type_name(ev->type)));
	json_object_set_new(obj, "change", jstr(ev->change));
	json_object_set_new(obj, "commit", jstr(c->hex));
	json_object_set_new(obj, "author", jstr(c->author));
	json_object_set_new(obj, "author_email", jstr(c->author_email));
	json_object_set_new(obj, "author_date", jstr(ad));
	json_object_set_new(obj, "committer", jstr(c->committer));
	json_object_set_new(obj, "committer_email", jstr(c->committer_email));
	json_object_set_new(obj, "committer_date", jstr(cd));
	json_object_set_new(obj, "subject", jstr(c->subject));
	json_object_set_new(obj, "fields", fields ? fields : json_null());
	json_object_set_new(obj, "from", jstr(ev->from));
	json_object_set_new(obj, "to", jstr(ev->to));
	json_object_set_new(obj, "approver", jstr(ev->approver));
	json_object_set_new(obj, "digest", jstr(ev->digest));
	json_object_set_new(obj, "verdict", jstr(ev->verdict));
	json_object_set_new(obj, "fingerprint", jstr(ev->fingerprint));
	json_object_set_new(obj, "outcome", jstr(ev->outcome));
	json_object_set_new(obj, "path", jstr(ev->path));
	json_object_set_new(obj, "invalid", json_boolean(ev->invalid));
	json_object_set_new(obj, "rule", jstr(ev->invalid ? ev->rule : NULL));
	json_object_set_new(obj, "line", ev->invalid ?
			    json_integer(ev->line) : json_null());
	json_object_set_new(obj, "column", ev->invalid ?
			    json_integer(ev->column) : json_null());
	json_object_set_new(obj, "message",
			    jstr(ev->invalid ? ev->message : NULL));
	json_object_set_new(obj, "matched", approval && ev->matched >= 0 ?
			    json_boolean(ev->matched) : json_null());
	json_object_set_new(obj, "counted", jrefs(ev->entered, ev->counted, ev->ncounted));
	json_object_set_new(obj, "makes_stale", jrefs(edit, ev->stale, ev->nstale));
	json_object_set_new(obj, "makes_current", jrefs(edit, ev->current, ev->ncurrent));
	text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (!text) {
		o->error = CHG_ENOMEM;
		return;
	}
	chg_buf_puts(&o->line, text);
	chg_buf_putc(&o->line, '\n');
	free(text);
}

/* ---- CSV (RFC 4180) ---- */

/* The columns of invalid versions come last, so that the others keep the
 * positions they had before there were any. */
static const char *const csv_columns[] = {
	"type", "change", "commit", "author", "author_email", "author_date",
	"committer", "committer_email", "committer_date", "subject", "fields",
	"from", "to", "approver", "digest", "verdict", "fingerprint", "outcome",
	"path", "invalid", "rule", "line", "column", "message", "matched",
	"counted", "makes_stale", "makes_current", NULL
};

/* "a@x <commit>;b@y <commit>": a list of approvals in one cell. */
static void csv_refs(struct chg_buf *b, int listed, const struct chg_audit_ref *r,
		     size_t n)
{
	struct chg_buf cell = CHG_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		chg_buf_printf(&cell, "%s%s %s", i ? ";" : "",
			       r[i].approver_email ? r[i].approver_email :
			       r[i].approver ? r[i].approver : "", r[i].commit);
	chg_format_csv_cell(b, listed ? cell.ptr : NULL, 0);
	chg_buf_release(&cell);
}

static void print_csv(struct out *o, const struct chg_audit_event *ev)
{
	const struct chg_audit_commit *c = ev->commit;
	char ad[CHG_AUDIT_TIME_SIZE], cd[CHG_AUDIT_TIME_SIZE];
	struct chg_buf fields = CHG_BUF_INIT;
	struct chg_buf *b = &o->line;
	char line[16] = "", column[16] = "";
	size_t i;

	for (i = 0; i < ev->nfields; i++)
		chg_buf_printf(&fields, "%s%s", i ? ";" : "", ev->fields[i]);
	chg_audit_format_time(ad, c->author_time, c->author_offset);
	chg_audit_format_time(cd, c->committer_time, c->committer_offset);
	chg_format_csv_cell(b, chg_audit_type_name(ev->type), 1);
	chg_format_csv_cell(b, ev->change, 0);
	chg_format_csv_cell(b, c->hex, 0);
	chg_format_csv_cell(b, c->author, 0);
	chg_format_csv_cell(b, c->author_email, 0);
	chg_format_csv_cell(b, ad, 0);
	chg_format_csv_cell(b, c->committer, 0);
	chg_format_csv_cell(b, c->committer_email, 0);
	chg_format_csv_cell(b, cd, 0);
	chg_format_csv_cell(b, c->subject, 0);
	chg_format_csv_cell(b, ev->type == CHG_AUDIT_UPDATED ? fields.ptr : NULL, 0);
	chg_format_csv_cell(b, ev->from, 0);
	chg_format_csv_cell(b, ev->to, 0);
	chg_format_csv_cell(b, ev->approver, 0);
	chg_format_csv_cell(b, ev->digest, 0);
	chg_format_csv_cell(b, ev->verdict, 0);
	chg_format_csv_cell(b, ev->fingerprint, 0);
	chg_format_csv_cell(b, ev->outcome, 0);
	chg_format_csv_cell(b, ev->path, 0);
	if (ev->invalid) {
		snprintf(line, sizeof(line), "%d", ev->line);
		snprintf(column, sizeof(column), "%d", ev->column);
	}
	chg_format_csv_cell(b, ev->invalid ? "true" : "false", 0);
	chg_format_csv_cell(b, ev->invalid ? ev->rule : NULL, 0);
	chg_format_csv_cell(b, line, 0);
	chg_format_csv_cell(b, column, 0);
	chg_format_csv_cell(b, ev->invalid ? ev->message : NULL, 0);
	chg_format_csv_cell(b, (ev->type != CHG_AUDIT_APPROVED &&
				ev->type != CHG_AUDIT_REJECTED) || ev->matched < 0 ? NULL :
			    ev->matched ? "true" : "false", 0);
	csv_refs(b, ev->entered, ev->counted, ev->ncounted);
	csv_refs(b, ev->type == CHG_AUDIT_UPDATED && !ev->invalid, ev->stale, ev->nstale);
	csv_refs(b, ev->type == CHG_AUDIT_UPDATED && !ev->invalid, ev->current, ev->ncurrent);
	chg_buf_puts(b, "\r\n");
	chg_buf_release(&fields);
}

static int print_event(const struct chg_audit_event *ev, void *payload)
{
	struct out *o = payload;
	size_t i;

	for (i = 0; i < o->nids; i++)
		if (!strcmp(o->ids[i], ev->change))
			o->seen[i] = 1;
	if (!chg_audit_match(o->filter, ev))
		return 0;
	chg_buf_clear(&o->line);
	switch (o->format) {
	case TEXT: print_text(o, ev); break;
	case JSONL: print_jsonl(o, ev); break;
	case CSV: print_csv(o, ev); break;
	}
	if (o->error)
		return o->error;
	fwrite(o->line.ptr, 1, o->line.len, stdout);
	return 0;
}

int cmd_log(int argc, char **argv, const struct chg_cmd *cmd)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "client", required_argument, NULL, 'c' },
		{ "type", required_argument, NULL, 't' },
		{ "rev", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "policy", required_argument, NULL, 'p' },
		{ "now", required_argument, NULL, 'n' },
		{ "color", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct chg_audit_log_options opts = CHG_AUDIT_LOG_OPTIONS_INIT;
	struct chg_audit_options filter = CHG_AUDIT_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_audit_stats stats;
	struct chg_buf err = CHG_BUF_INIT, text = CHG_BUF_INIT;
	const char *since = NULL, *until = NULL, *now_text = NULL;
	const char *format = "text", *color = NULL;
	struct out o;
	int64_t now;
	size_t i;
	int c, rc, status = CHG_EXIT_OK;
	static char buf[1 << 16];

	memset(&o, 0, sizeof(o));
	optind = 1;
	opterr = 0;
	/* options may follow the IDs, as git's do */
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': since = optarg; break;
		case 'u': until = optarg; break;
		case 'c': filter.client = optarg; break;
		case 't': filter.type = optarg; break;
		case 'r': opts.rev = optarg; break;
		case 'f': format = optarg; break;
		case 'p': opts.policy_file = optarg; break;
		case 'n': now_text = optarg; break;
		case 'k': color = optarg; break;
		case 'h':
			return usage(cmd, stdout, CHG_EXIT_OK);
		default:  /* ':' or '?' */
			chg_cmd_option_error(cmd, c, argv);
			return usage(cmd, stderr, CHG_EXIT_USAGE);
		}
	}
	if (!strcmp(format, "text")) {
		o.format = TEXT;
	} else if (!strcmp(format, "jsonl")) {
		o.format = JSONL;
	} else if (!strcmp(format, "csv")) {
		o.format = CSV;
	} else {
		chg_cmd_error(cmd, "unknown format '%s' (expected text, jsonl or csv)", format);
		return CHG_EXIT_USAGE;
	}
	if (chg_cmd_now(&now, cmd, now_text) < 0 ||
	    chg_cmd_color(&o.color, cmd, color) < 0)
		return CHG_EXIT_USAGE;
	/* only the text output has colours */
	if (o.format != TEXT)
		o.color = 0;
	if (since && parse_when(&filter.since, since, 0, now) < 0) {
		chg_cmd_error(cmd, "--since '%s' is not a date, a date-time or a duration such as 90d", since);
		return CHG_EXIT_USAGE;
	}
	if (until && parse_when(&filter.until, until, 1, now) < 0) {
		chg_cmd_error(cmd, "--until '%s' is not a date, a date-time or a duration such as 90d", until);
		return CHG_EXIT_USAGE;
	}
	filter.has_since = since != NULL;
	filter.has_until = until != NULL;
	filter.ids = (const char *const *)argv + optind;
	filter.nids = (size_t)(argc - optind);
	/* the trail keeps every commit: those that left a change request
	   not valid too */
	filter.invalid = 1;
	o.filter = &filter;
	opts.filter.invalid = 1;
	o.ids = filter.ids;
	o.nids = filter.nids;
	if (o.nids && !(o.seen = calloc(o.nids, 1))) {
		chg_cmd_error(cmd, "out of memory");
		return CHG_EXIT_FAILURE;
	}
	opts.dir = cmd->dir;

	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	if (o.format == CSV) {
		for (i = 0; csv_columns[i]; i++)
			printf("%s%s", i ? "," : "", csv_columns[i]);
		fputs("\r\n", stdout);
	}
	/* the filters are applied here, so that an ID without any event is
	   told from one whose events were filtered out */
	rc = chg_audit_log(&diags, &err, &opts, print_event, &o, &stats);
	fflush(stdout);
	if (rc == CHG_EINVALID) {
		chg_format_text(&text, &diags);
		fwrite(text.ptr, 1, text.len, stderr);
		chg_cmd_error(cmd, "the policy is invalid; fix the errors above");
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (rc < 0) {
		chg_cmd_error(cmd, "%s", err.len ? err.ptr : chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (stats.shallow)
		fprintf(stderr, "%s: note: the repository is a shallow clone: what happened before %s is not known; 'git fetch --unshallow' fetches it\n",
			cmd->name, stats.shallow_at);
	for (i = 0; i < o.nids; i++) {
		if (o.seen[i])
			continue;
		chg_cmd_error(cmd, "no change request '%s' in the history of %s",
			      o.ids[i], opts.rev ? opts.rev : "HEAD");
		status = CHG_EXIT_FINDINGS;
	}
	if (ferror(stdout)) {
		chg_cmd_error(cmd, "cannot write the output");
		status = CHG_EXIT_FAILURE;
	}
cleanup:
	free(o.seen);
	chg_buf_release(&o.line);
	chg_buf_release(&text);
	chg_buf_release(&err);
	chg_diag_list_release(&diags);
	return status;
}
