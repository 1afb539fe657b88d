#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calendar.h"
#include "cmd.h"
#include "datetime.h"
#include "diag.h"
#include "error.h"
#include "format.h"
#include "tz.h"
#include "workspace.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s [options]\n"
	"\n"
	"The changes, blackouts and maintenance windows of a period: a\n"
	"day-by-day table in the client's (or the policy's) zone, or an\n"
	"iCalendar feed (RFC 5545) for calendar programs.\n"
	"\n"
	"  --from DATE              first local day, YYYY-MM-DD (default: today)\n"
	"  --to DATE                last local day, included (default: 90 days\n"
	"                           from --from on)\n"
	"  --client NAME            only this client's changes, windows and the\n"
	"                           blackouts that apply to it, in its zone\n"
	"  --format FORMAT          text (default) or ics\n"
	"  --suggest ID             list the earliest conflict-free slots for the\n"
	"                           change request ID instead\n"
	"  --rev REV                change requests and history of REV (default HEAD)\n"
	"  -o, --output FILE        write to FILE instead of standard output\n"
	"  --policy FILE            use FILE as the policy\n"
	"  --now DATETIME           the clock (also CHG_NOW)\n"
	"\n"
	"Exit status: 0 success, 2 usage error, 3 could not run.\n";

#define SUGGESTIONS 5

static int usage(const struct chg_cmd *cmd, FILE *f, int status)
{
	fprintf(f, usage_text, cmd->name);
	return status;
}

/* One line of a day of the text table. */
struct row {
	int64_t start, end;        /* clipped to the day */
	int kind;                  /* 0 blackout, 1 window, 2 change */
	const char *key;           /* id or name, for the order */
	size_t index;              /* into the calendar's list */
};

static int by_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	if ((c = strcmp(x->key, y->key)))
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Appends `s` on one line: control characters become spaces. */
static void put_line(struct chg_buf *b, const char *s)
{
	for (; *s; s++)
		chg_buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

static void put_time(struct chg_buf *b, const char *zone, int64_t t,
		     int64_t day_end)
{
	struct chg_civil lt;

	if (t >= day_end) {
		chg_buf_puts(b, "24:00");
		return;
	}
	if (chg_tz_from_utc(&lt, NULL, zone, t) < 0) {
		chg_buf_puts(b, "??:??");
		return;
	}
	chg_buf_printf(b, "%02d:%02d", lt.hour, lt.minute);
}

static int add_row(struct row **rows, size_t *n, const struct chg_interval *iv,
		   int64_t d0, int64_t d1, int kind, const char *key, size_t index)
{
	struct row *r;
	void *p;

	/* an empty interval shows on the day it is at */
	if (iv->start == iv->end ? !(iv->start >= d0 && iv->start < d1) :
	    !(iv->start < d1 && iv->end > d0))
		return 0;
	if (!(p = realloc(*rows, (*n + 1) * sizeof(**rows))))
		return CHG_ENOMEM;
	*rows = p;
	r = &(*rows)[(*n)++];
	r->start = iv->start > d0 ? iv->start : d0;
	r->end = iv->end < d1 ? iv->end : d1;
	r->kind = kind;
	r->key = key;
	r->index = index;
	return 0;
}

static void render_row(struct chg_buf *b, const struct chg_calendar *cal,
		       const struct row *r, int64_t d1)
{
	chg_buf_puts(b, "  ");
	put_time(b, cal->zone, r->start, d1);
	chg_buf_putc(b, '-');
	put_time(b, cal->zone, r->end, d1);
	if (r->kind == 2) {
		const struct chg_calendar_change *c = &cal->changes[r->index];
		chg_buf_puts(b, "  change    ");
		put_line(b, c->id);
		chg_buf_printf(b, " [%s] ", *c->state ? c->state : "-");
		put_line(b, c->title);
	} else if (r->kind == 1) {
		const struct chg_calendar_window *w = &cal->windows[r->index];
		chg_buf_puts(b, "  window    ");
		put_line(b, w->window->client);
		chg_buf_printf(b, " #%zu", w->number);
	} else {
		const struct chg_calendar_blackout *bo = &cal->blackouts[r->index];
		chg_buf_puts(b, "  blackout  ");
		put_line(b, bo->blackout->name);
		if (bo->blackout->allow && bo->blackout->allow->type == CHG_NODE_SEQUENCE &&
		    bo->blackout->allow->n) {
			size_t i;
			chg_buf_puts(b, " (allows");
			for (i = 0; i < bo->blackout->allow->n; i++) {
				const char *s = chg_node_str(bo->blackout->allow->items[i]);
				chg_buf_putc(b, i ? ',' : ' ');
				put_line(b, s ? s : "?");
			}
			chg_buf_putc(b, ')');
		}
	}
	chg_buf_putc(b, '\n');
}

static const char *const weekdays[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

static int render_text(struct chg_buf *b, const struct chg_calendar *cal)
{
	struct row *rows = NULL;
	struct chg_civil day;
	int64_t d, first = chg_civil_days(&cal->from), last = chg_civil_days(&cal->to);
	int64_t d0, d1;
	size_t i, j, n, shown = 0;
	int off, error = 0;

	chg_buf_printf(b, "Calendar %04d-%02d-%02d to %04d-%02d-%02d, %s",
		       cal->from.year, cal->from.month, cal->from.day,
		       cal->to.year, cal->to.month, cal->to.day, cal->zone);
	if (cal->client) {
		chg_buf_puts(b, ", client ");
		put_line(b, cal->client);
	}
	chg_buf_putc(b, '\n');
	day = cal->from;
	if ((error = chg_tz_to_utc(&d1, cal->zone, &day)) < 0)
		return error;
	for (d = first; d <= last; d++) {
		d0 = d1;
		chg_civil_set_days(&day, d + 1);
		if ((error = chg_tz_to_utc(&d1, cal->zone, &day)) < 0)
			goto done;
		n = 0;
		for (i = 0; i < cal->nblackouts && !error; i++)
			error = add_row(&rows, &n, &cal->blackouts[i].span, d0, d1, 0,
					cal->blackouts[i].blackout->name, i);
		for (i = 0; i < cal->nwindows && !error; i++)
			for (j = 0; j < cal->windows[i].nocc && !error; j++)
				error = add_row(&rows, &n, &cal->windows[i].occ[j], d0, d1, 1,
						cal->windows[i].window->client, i);
		for (i = 0; i < cal->nchanges && !error; i++)
			error = add_row(&rows, &n, &cal->changes[i].window, d0, d1, 2,
					cal->changes[i].id, i);
		if (error)
			goto done;
		if (!n)
			continue;
		qsort(rows, n, sizeof(*rows), by_row);
		chg_civil_set_days(&day, d);
		if ((error = chg_tz_from_utc(&day, &off, cal->zone, d0)) < 0)
			goto done;
		chg_buf_printf(b, "\n%04d-%02d-%02d %s (UTC%c%02d:%02d)\n",
			       day.year, day.month, day.day, weekdays[chg_civil_weekday(d)],
			       off < 0 ? '-' : '+', abs(off) / 3600, abs(off) / 60 % 60);
		for (i = 0; i < n; i++)
			render_row(b, cal, &rows[i], d1);
		shown++;
	}
	if (!shown)
		chg_buf_puts(b, "\nNo changes, blackouts or maintenance windows.\n");
done:
	free(rows);
	return error;
}

static void render_slots(struct chg_buf *b, const char *id,
			 const struct chg_calendar_slots *s)
{
	char t1[64], t2[64];
	size_t i;

	chg_buf_printf(b, "Earliest slots for %s (%lldh %02lldm), not before %s:\n", id,
		       (long long)(s->duration / 3600), (long long)(s->duration / 60 % 60),
		       chg_tz_format(t1, sizeof(t1), s->zone, s->earliest));
	for (i = 0; i < s->n; i++)
		chg_buf_printf(b, "  %zu. %s - %s\n", i + 1,
			       chg_tz_format(t1, sizeof(t1), s->zone, s->items[i].start),
			       chg_tz_format(t2, sizeof(t2), s->zone, s->items[i].end));
	if (!s->n)
		chg_buf_puts(b, "  none within a year\n");
}

static int check_date(const struct chg_cmd *cmd, const char *opt, const char *s)
{
	int64_t t;

	if (s && chg_date_parse(&t, s) < 0) {
		chg_cmd_error(cmd, "%s '%s' is not a date such as 2026-12-01", opt, s);
		return -1;
	}
	return 0;
}

static int write_out(const struct chg_cmd *cmd, const char *output,
		     const struct chg_buf *out)
{
	FILE *f = output ? fopen(output, "wb") : stdout;
	int status = CHG_EXIT_OK;

	if (!f) {
		chg_cmd_error(cmd, "cannot open '%s': %s", output, strerror(errno));
		return CHG_EXIT_FAILURE;
	}
	if (out->len)
		fwrite(out->ptr, 1, out->len, f);
	if (fflush(f) || ferror(f)) {
		chg_cmd_error(cmd, "cannot write the output");
		status = CHG_EXIT_FAILURE;
	}
	if (output && fclose(f)) {
		chg_cmd_error(cmd, "cannot write '%s'", output);
		status = CHG_EXIT_FAILURE;
	}
	return status;
}

int cmd_calendar(int argc, char **argv, const struct chg_cmd *cmd)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "client", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "suggest", required_argument, NULL, 's' },
		{ "rev", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "policy", required_argument, NULL, 'p' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct chg_calendar_options opts = CHG_CALENDAR_OPTIONS_INIT;
	struct chg_workspace_options wopts = CHG_WORKSPACE_OPTIONS_INIT;
	struct chg_workspace *ws = NULL;
	struct chg_calendar cal = CHG_CALENDAR_INIT;
	struct chg_calendar_slots slots = CHG_CALENDAR_SLOTS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT, out = CHG_BUF_INIT;
	const char *format = "text", *output = NULL, *now_text = NULL;
	const char *suggest = NULL;
	int c, rc, ics, status = CHG_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'F': opts.from = optarg; break;
		case 'T': opts.to = optarg; break;
		case 'c': opts.client = optarg; break;
		case 'f': format = optarg; break;
		case 's': suggest = optarg; break;
		case 'r': wopts.rev = optarg; break;
		case 'o': output = optarg; break;
		case 'p': wopts.policy_file = optarg; break;
		case 'n': now_text = optarg; break;
		case 'h':
			return usage(cmd, stdout, CHG_EXIT_OK);
		default:  /* ':' or '?' */
			chg_cmd_option_error(cmd, c, argv);
			return usage(cmd, stderr, CHG_EXIT_USAGE);
		}
	}
	if (optind < argc) {
		chg_cmd_error(cmd, "unexpected argument '%s'", argv[optind]);
		return usage(cmd, stderr, CHG_EXIT_USAGE);
	}
	if (!strcmp(format, "ics")) {
		ics = 1;
	} else if (!strcmp(format, "text")) {
		ics = 0;
	} else {
		chg_cmd_error(cmd, "unknown format '%s' (expected text or ics)", format);
		return CHG_EXIT_USAGE;
	}
	if (suggest && (ics || opts.from || opts.to || opts.client)) {
		chg_cmd_error(cmd, "--suggest prints text and takes no --from, --to, --client or --format ics");
		return CHG_EXIT_USAGE;
	}
	if (check_date(cmd, "--from", opts.from) < 0 ||
	    check_date(cmd, "--to", opts.to) < 0 ||
	    chg_cmd_now(&opts.now, cmd, now_text) < 0)
		return CHG_EXIT_USAGE;
	wopts.dir = cmd->dir;
	if (!wopts.rev)
		wopts.rev = "HEAD";

	rc = chg_workspace_open(&ws, &diags, &err, &wopts);
	if (rc == CHG_EINVALID && diags.n) {
		chg_format_text(&out, &diags);
		fwrite(out.ptr, 1, out.len, stderr);
		chg_cmd_error(cmd, "the policy is invalid; fix the errors above");
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (rc == 0 && suggest) {
		rc = chg_calendar_suggest(&slots, &err, ws, suggest, opts.now, SUGGESTIONS);
		if (rc == 0)
			render_slots(&out, suggest, &slots);
	} else if (rc == 0) {
		rc = chg_calendar_build(&cal, &err, ws, &opts);
		if (rc == CHG_EINVALID) {
			chg_cmd_error(cmd, "%s", err.ptr);
			status = CHG_EXIT_USAGE;
			goto cleanup;
		}
		if (rc == 0)
			rc = ics ? chg_calendar_ics(&out, &err, &cal) : render_text(&out, &cal);
	}
	if (rc < 0) {
		chg_cmd_error(cmd, "%s", err.len ? err.ptr : chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	status = write_out(cmd, output, &out);
cleanup:
	chg_calendar_release(&cal);
	chg_calendar_slots_release(&slots);
	chg_workspace_free(ws);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
	chg_buf_release(&out);
	return status;
}
