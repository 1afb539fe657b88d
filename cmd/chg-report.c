#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cmd.h"
#include "datetime.h"
#include "diag.h"
#include "error.h"
#include "format.h"
#include "report.h"
#include "workspace.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s --month YYYY-MM [options]\n"
	"\n"
	"The monthly change report: every change of the month (its window\n"
	"starts in the month, UTC; without a window, it was created in the\n"
	"month) with its requester, approvers, outcome and rollback plan, and\n"
	"totals, success rate, emergency share and median lead times.\n"
	"\n"
	"  --month YYYY-MM          the month (required)\n"
	"  --client NAME            only this client's changes\n"
	"  --rev REV                change requests and history of REV (default HEAD)\n"
	"  --format FORMAT          md (default), html or csv\n"
	"  -o, --output FILE        write to FILE instead of standard output\n"
	"  --emergency-threshold PCT\n"
	"                           flag an emergency share above PCT percent\n"
	"                           (default 20)\n"
	"  --policy FILE            use FILE as the policy\n"
	"  --now DATETIME           the clock for overdue reviews (also CHG_NOW)\n"
	"  --include-drafts         report drafts too (left out by default)\n"
	"\n"
	"Windows are shown in the client's time zone with the offset\n"
	"(schedule.clients.NAME.timezone, else schedule.timezone, else UTC); the\n"
	"CSV keeps UTC and adds local columns at the end.\n"
	"\n"
	"Exit status: 0 success, 2 usage error, 3 could not run.\n";

enum format { MD, HTML, CSV };

static const char *const month_names[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

static const char *const types[] = { "standard", "normal", "emergency" };
static const char *const type_colors[] = { "#4e79a7", "#f28e2b", "#e15759", "#9c9c9c" };
static const char *const states[] = {
	"draft", "requested", "approved", "implementing", "implemented",
	"closed", "rejected", "cancelled"
};
static const char *const outcomes[] = {
	"successful", "successful-with-issues", "failed", "rolled-back"
};
#define N(a) (sizeof(a) / sizeof(*(a)))

static int usage(const struct chg_cmd *cmd, FILE *f, int status)
{
	fprintf(f, usage_text, cmd->name);
	return status;
}

/* "2026-12-05 22:00" (UTC). */
static const char *when(char out[24], int64_t t)
{
	char iso[32];

	chg_datetime_format(iso, sizeof(iso), t);
	snprintf(out, 24, "%.10s %.5s", iso, iso + 11);
	return out;
}

/* "66.7%", one decimal, of n / d (d > 0). */
static void put_pct(struct chg_buf *b, size_t n, size_t d)
{
	unsigned long long tenths = ((unsigned long long)n * 2000 / d + 1) / 2;

	chg_buf_printf(b, "%llu.%llu%%", tenths / 10, tenths % 10);
}

/*
 * Appends `s` on one line: line breaks and tabs become spaces, runs of
 * spaces one, other control characters '?'; leading and trailing
 * blanks go.  `esc` escapes a character for the output format, or NULL.
 */
static void put_line(struct chg_buf *b, const char *s,
		     void (*esc)(struct chg_buf *, char))
{
	const unsigned char *p = (const unsigned char *)s;
	int space = 0, any = 0;

	for (; *p; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
			space = 1;
			continue;
		}
		if (space && any)
			chg_buf_putc(b, ' ');
		space = 0;
		any = 1;
		if (*p < 0x20 || *p == 0x7f)
			chg_buf_putc(b, '?');
		else if (esc)
			esc(b, (char)*p);
		else
			chg_buf_putc(b, (char)*p);
	}
}

/* ---- Markdown ---- */

/* Backslash-escapes what could make markup: raw HTML, links, code, table
 * cells, emphasis. */
static void md_esc(struct chg_buf *b, char c)
{
	if (strchr("\\`*[]<>|", c))
		chg_buf_putc(b, '\\');
	chg_buf_putc(b, c);
}

static void md_text(struct chg_buf *b, const char *s)
{
	put_line(b, s, md_esc);
}

static void md_median(struct chg_buf *b, const char *label,
		      const struct chg_report_median *m)
{
	char d[24];

	chg_buf_printf(b, "| Median %s | ", label);
	if (m->samples)
		chg_buf_printf(b, "%s (%zu change%s) |\n",
			       chg_report_duration(d, sizeof(d), m->seconds),
			       m->samples, m->samples == 1 ? "" : "s");
	else
		chg_buf_puts(b, "n/a |\n");
}

static void md_ids(struct chg_buf *b, const struct chg_report *r, int which)
{
	size_t i, k = 0;

	for (i = 0; i < r->n; i++) {
		const struct chg_report_entry *e = &r->items[i];
		if (which ? !e->review_overdue : e->rollback_plan || e->procedure)
			continue;
		chg_buf_puts(b, k++ ? ", " : " (");
		md_text(b, e->id);
	}
	if (k)
		chg_buf_putc(b, ')');
}

static void render_md(struct chg_buf *b, const struct chg_report *r,
		      const char *client, int threshold, int64_t now)
{
	char d1[24], l1[48], l2[48];
	size_t i, j, n;

	chg_buf_printf(b, "# Change report: %s %d", month_names[r->month - 1], r->year);
	if (client) {
		chg_buf_puts(b, ", client ");
		md_text(b, client);
	}
	chg_buf_printf(b, "\n\nChanges whose window starts in the month (UTC), and changes without a window created in it.  As of %s UTC.\n\n",
		       when(d1, now));
	chg_buf_puts(b, "## Summary\n\n| Measure | Value |\n|---|---|\n");
	chg_buf_printf(b, "| Changes | %zu |\n", r->n);
	chg_buf_puts(b, "| Success rate | ");
	if (r->reviewed) {
		chg_buf_printf(b, "%zu of %zu reviewed (", r->successful, r->reviewed);
		put_pct(b, r->successful, r->reviewed);
		chg_buf_puts(b, ") |\n");
	} else {
		chg_buf_puts(b, "n/a (none reviewed) |\n");
	}
	chg_buf_puts(b, "| Emergency share | ");
	if (r->n) {
		chg_buf_printf(b, "%zu of %zu (", r->emergency, r->n);
		put_pct(b, r->emergency, r->n);
		chg_buf_putc(b, ')');
		if (r->emergency_flagged)
			chg_buf_printf(b, " **above the %d%% threshold**", threshold);
		chg_buf_puts(b, " |\n");
	} else {
		chg_buf_puts(b, "n/a |\n");
	}
	chg_buf_printf(b, "| Without rollback plan | %zu", r->without_rollback);
	md_ids(b, r, 0);
	chg_buf_printf(b, " |\n| Overdue reviews | %zu", r->overdue);
	md_ids(b, r, 1);
	chg_buf_puts(b, " |\n");
	md_median(b, "requested to approved", &r->to_approval);
	md_median(b, "approved to implemented", &r->to_implementation);
	md_median(b, "requested to implemented", &r->lead);

	chg_buf_puts(b, "\n## By type\n\n| Type | Changes |\n|---|---|\n");
	for (i = 0; i < N(types); i++)
		chg_buf_printf(b, "| %s | %zu |\n", types[i], chg_report_count(r, 't', types[i]));
	if (r->other_type)
		chg_buf_printf(b, "| other | %zu |\n", r->other_type);
	chg_buf_puts(b, "\n## By state\n\n| State | Changes |\n|---|---|\n");
	for (i = 0; i < N(states); i++)
		if ((n = chg_report_count(r, 's', states[i])))
			chg_buf_printf(b, "| %s | %zu |\n", states[i], n);
	for (i = 0; i < r->n; i++) {
		for (j = 0; j < N(states) && strcmp(r->items[i].state, states[j]); j++)
			;
		if (j < N(states))
			continue;
		for (j = 0; j < i && strcmp(r->items[i].state, r->items[j].state); j++)
			;
		if (j < i)
			continue;
		chg_buf_puts(b, "| ");
		md_text(b, *r->items[i].state ? r->items[i].state : "(none)");
		chg_buf_printf(b, " | %zu |\n", chg_report_count(r, 's', r->items[i].state));
	}
	chg_buf_puts(b, "\n## By outcome\n\n| Outcome | Changes |\n|---|---|\n");
	for (i = 0; i < N(outcomes); i++)
		chg_buf_printf(b, "| %s | %zu |\n", outcomes[i], chg_report_count(r, 'o', outcomes[i]));
	chg_buf_printf(b, "| not reviewed | %zu |\n", chg_report_count(r, 'o', NULL));

	chg_buf_puts(b, "\n## Changes\n");
	for (i = 0; i < r->n; i++) {
		const struct chg_report_entry *e = &r->items[i];
		chg_buf_puts(b, "\n### ");
		md_text(b, e->id);
		chg_buf_puts(b, ": ");
		md_text(b, e->title);
		chg_buf_puts(b, "\n\n");
		if (e->has_window)
			chg_buf_printf(b, "- When: %s to %s (%s)\n",
				       chg_report_local_stamp(l1, sizeof(l1), e->zone, e->window_start),
				       chg_report_local_stamp(l2, sizeof(l2), e->zone, e->window_end),
				       e->zone);
		else
			chg_buf_printf(b, "- When: no window (created %s UTC)\n", when(d1, e->date));
		chg_buf_puts(b, "- Type: ");
		md_text(b, e->type);
		chg_buf_puts(b, "; state: ");
		md_text(b, e->state);
		if (e->client) {
			chg_buf_puts(b, "; client: ");
			md_text(b, e->client);
		}
		chg_buf_puts(b, "\n- Requested by: ");
		md_text(b, e->requested_by);
		chg_buf_puts(b, "\n- Approved by: ");
		for (j = 0; j < e->napprovers; j++) {
			if (j)
				chg_buf_puts(b, "; ");
			md_text(b, e->approvers[j]);
		}
		if (!e->napprovers)
			chg_buf_puts(b, "(no counted approval)");
		chg_buf_puts(b, "\n- Why: ");
		md_text(b, e->reason ? e->reason : "(not given)");
		chg_buf_puts(b, "\n- Expected outcome: ");
		md_text(b, e->description ? e->description : "(not given)");
		chg_buf_puts(b, "\n- Actual outcome: ");
		if (e->outcome) {
			md_text(b, e->outcome);
			if (e->review_notes) {
				chg_buf_puts(b, ": ");
				md_text(b, e->review_notes);
			}
		} else {
			chg_buf_puts(b, "not reviewed");
		}
		if (e->review_overdue)
			chg_buf_printf(b, " (**review overdue** since %s UTC)", when(d1, e->review_due));
		chg_buf_puts(b, "\n- Rollback plan: ");
		if (e->rollback_plan) {
			md_text(b, e->rollback_plan);
		} else if (e->procedure) {
			chg_buf_puts(b, "in the catalog procedure ");
			md_text(b, e->procedure);
		} else {
			chg_buf_puts(b, "**none**");
		}
		chg_buf_puts(b, "\n- Timeline:");
		chg_buf_printf(b, " requested %s", e->has_requested ? when(d1, e->requested) : "-");
		chg_buf_printf(b, ", approved %s", e->has_approved ? when(d1, e->approved) : "-");
		chg_buf_printf(b, ", implemented %s\n", e->has_implemented ? when(d1, e->implemented) : "-");
	}
}

/* ---- CSV (RFC 4180) ---- */

static const char *const csv_columns[] = {
	"id", "date", "window_start", "window_end", "title", "type", "state",
	"client", "requested_by", "owner", "approvers", "reason",
	"expected_outcome", "actual_outcome", "review_notes", "rollback_plan",
	"requested", "approved", "implemented", "review_overdue", "path",
	"timezone", "window_start_local", "window_end_local", NULL
};

static void put_time_cell(struct chg_buf *b, int has, int64_t t)
{
	char iso[32];

	chg_format_csv_cell(b, has ? chg_datetime_format(iso, sizeof(iso), t) : NULL, 0);
}

/* RFC 3339 with the zone's offset at that instant. */
static void put_local_cell(struct chg_buf *b, int has, const char *zone, int64_t t)
{
	char stamp[48], iso[96];

	if (!has) {
		chg_format_csv_cell(b, NULL, 0);
		return;
	}
	chg_report_local_stamp(stamp, sizeof(stamp), zone, t);
	/* "2026-12-05 23:00 +01:00" -> "2026-12-05T23:00:00+01:00" */
	snprintf(iso, sizeof(iso), "%.10sT%.5s:00%s", stamp, stamp + 11, stamp + 17);
	chg_format_csv_cell(b, iso, 0);
}

static void render_csv(struct chg_buf *b, const struct chg_report *r)
{
	struct chg_buf cell = CHG_BUF_INIT;
	char iso[32];
	size_t i, j;

	for (i = 0; csv_columns[i]; i++)
		chg_buf_printf(b, "%s%s", i ? "," : "", csv_columns[i]);
	chg_buf_puts(b, "\r\n");
	for (i = 0; i < r->n; i++) {
		const struct chg_report_entry *e = &r->items[i];
		chg_format_csv_cell(b, e->id, 1);
		chg_format_csv_cell(b, chg_datetime_format(iso, sizeof(iso), e->date), 0);
		put_time_cell(b, e->has_window, e->window_start);
		put_time_cell(b, e->has_window, e->window_end);
		chg_format_csv_cell(b, e->title, 0);
		chg_format_csv_cell(b, e->type, 0);
		chg_format_csv_cell(b, e->state, 0);
		chg_format_csv_cell(b, e->client, 0);
		chg_format_csv_cell(b, e->requested_by, 0);
		chg_format_csv_cell(b, e->owner, 0);
		chg_buf_clear(&cell);
		for (j = 0; j < e->napprovers; j++)
			chg_buf_printf(&cell, "%s%s", j ? "; " : "", e->approvers[j]);
		chg_format_csv_cell(b, cell.len ? cell.ptr : "", 0);
		chg_format_csv_cell(b, e->reason, 0);
		chg_format_csv_cell(b, e->description, 0);
		chg_format_csv_cell(b, e->outcome, 0);
		chg_format_csv_cell(b, e->review_notes, 0);
		chg_format_csv_cell(b, e->rollback_plan, 0);
		put_time_cell(b, e->has_requested, e->requested);
		put_time_cell(b, e->has_approved, e->approved);
		put_time_cell(b, e->has_implemented, e->implemented);
		chg_format_csv_cell(b, e->review_overdue ? "yes" : "no", 0);
		chg_format_csv_cell(b, e->path, 0);
		chg_format_csv_cell(b, e->zone, 0);
		put_local_cell(b, e->has_window, e->zone, e->window_start);
		put_local_cell(b, e->has_window, e->zone, e->window_end);
		chg_buf_puts(b, "\r\n");
	}
	chg_buf_release(&cell);
}

/* ---- HTML ---- */

static void html_esc(struct chg_buf *b, char c)
{
	switch (c) {
	case '&': chg_buf_puts(b, "&amp;"); break;
	case '<': chg_buf_puts(b, "&lt;"); break;
	case '>': chg_buf_puts(b, "&gt;"); break;
	case '"': chg_buf_puts(b, "&quot;"); break;
	case '\'': chg_buf_puts(b, "&#39;"); break;
	default: chg_buf_putc(b, c);
	}
}

/* Escaped text; line breaks kept (the cell's CSS keeps them). */
static void html_text(struct chg_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p == '\n' || *p == '\t')
			chg_buf_putc(b, (char)*p);
		else if (*p < 0x20 || *p == 0x7f)
			chg_buf_putc(b, '?');
		else
			html_esc(b, (char)*p);
	}
}

static void html_line(struct chg_buf *b, const char *s)
{
	put_line(b, s, html_esc);
}

static const char html_css[] =
	"body{font:14px/1.4 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:#222;margin:2em auto;max-width:70em;padding:0 1em}\n"
	"h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}\n"
	"table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\n"
	"th{background:#f2f2f2}td.n{text-align:right}.pre{white-space:pre-wrap}\n"
	".flag{color:#b00020;font-weight:bold}.note{color:#555}.totals{display:flex;gap:2em;flex-wrap:wrap}\n"
	"table.changes{width:100%;font-size:.9em}\n"
	"@media print{body{margin:0;max-width:none;font-size:10pt}h2{break-after:avoid}"
	"tr,svg{break-inside:avoid}table.changes thead{display:table-header-group}"
	"th{background:#eee;-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"svg rect{-webkit-print-color-adjust:exact;print-color-adjust:exact}@page{margin:1.5cm}}\n";

static int type_index(const char *type)
{
	size_t i;

	for (i = 0; i < N(types); i++)
		if (!strcmp(type, types[i]))
			return (int)i;
	return (int)N(types);
}

/* The ISO 8601 week of the day `days` after 1970-01-01: year and week. */
static void iso_week(int *year, int *week, int64_t days)
{
	int64_t wd = ((days + 3) % 7 + 7) % 7;     /* 0 Monday */
	time_t thu = (time_t)((days - wd + 3) * 86400);
	struct tm tm;

	gmtime_r(&thu, &tm);
	*year = tm.tm_year + 1900;
	*week = tm.tm_yday / 7 + 1;
}

static int64_t floor_days(int64_t t)
{
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

#define MAX_WEEKS 6

static void html_chart(struct chg_buf *b, const struct chg_report *r)
{
	int64_t first = floor_days(r->start), last = floor_days(r->end - 1);
	int64_t monday = first - ((first + 3) % 7 + 7) % 7;
	size_t counts[MAX_WEEKS][N(types) + 1];
	int years[MAX_WEEKS], weeks[MAX_WEEKS];
	size_t nweeks = 0, i, k, max = 1, total;
	const int bw = 60, gap = 30, h = 160, top = 20, left = 40;
	int x, y, width;

	memset(counts, 0, sizeof(counts));
	for (; monday <= last && nweeks < MAX_WEEKS; monday += 7, nweeks++)
		iso_week(&years[nweeks], &weeks[nweeks], monday);
	for (i = 0; i < r->n; i++) {
		int64_t d = floor_days(r->items[i].date);
		int64_t m0 = first - ((first + 3) % 7 + 7) % 7;
		size_t w = (size_t)((d - m0) / 7);
		if (d >= m0 && w < nweeks)
			counts[w][type_index(r->items[i].type)]++;
	}
	for (i = 0; i < nweeks; i++) {
		for (total = 0, k = 0; k <= N(types); k++)
			total += counts[i][k];
		if (total > max)
			max = total;
	}
	width = left + (int)nweeks * (bw + gap) + 140;
	chg_buf_printf(b, "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"chart-title\">\n",
		       width, h + top + 40, width, h + top + 40);
	chg_buf_puts(b, "<title id=\"chart-title\">Changes per ISO week by type</title>\n");
	chg_buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n",
		       left - 5, top + h, left + (int)nweeks * (bw + gap), top + h);
	chg_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%zu</text>\n",
		       left - 8, top + 4, max);
	chg_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>\n",
		       left - 8, top + h);
	for (i = 0; i < nweeks; i++) {
		x = left + (int)i * (bw + gap) + gap / 2;
		y = top + h;
		for (k = 0; k <= N(types); k++) {
			int bh = (int)(counts[i][k] * (size_t)h / max);
			if (!counts[i][k])
				continue;
			y -= bh;
			chg_buf_printf(b, "<rect class=\"bar\" data-week=\"%d-W%02d\" data-type=\"%s\" data-count=\"%zu\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>W%02d %s: %zu</title></rect>\n",
				       years[i], weeks[i], k < N(types) ? types[k] : "other",
				       counts[i][k], x, y, bw, bh, type_colors[k], weeks[i],
				       k < N(types) ? types[k] : "other", counts[i][k]);
		}
		chg_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">W%02d</text>\n",
			       x + bw / 2, top + h + 16, weeks[i]);
	}
	x = left + (int)nweeks * (bw + gap) + 10;
	for (k = 0; k < N(types); k++) {
		chg_buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			       "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>\n",
			       x, top + (int)k * 18, type_colors[k], x + 18, top + (int)k * 18 + 11,
			       types[k]);
	}
	chg_buf_puts(b, "</svg>\n");
}

static void html_row(struct chg_buf *b, const char *label, const char *id,
		     size_t n)
{
	chg_buf_printf(b, "<tr><th>%s</th><td class=\"n\" id=\"%s\">%zu</td></tr>\n",
		       label, id, n);
}

static void html_median(struct chg_buf *b, const char *label,
			const struct chg_report_median *m)
{
	char d[24];

	chg_buf_printf(b, "<tr><th>Median %s</th><td>", label);
	if (m->samples)
		chg_buf_printf(b, "%s (%zu change%s)", chg_report_duration(d, sizeof(d), m->seconds),
			       m->samples, m->samples == 1 ? "" : "s");
	else
		chg_buf_puts(b, "n/a");
	chg_buf_puts(b, "</td></tr>\n");
}

static void render_html(struct chg_buf *b, const struct chg_report *r,
			const char *client, int threshold, int64_t now)
{
	char d1[24], l1[48], l2[48];
	size_t i, j, n;

	chg_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
	chg_buf_puts(b, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
	chg_buf_printf(b, "<title>Change report %s %d", month_names[r->month - 1], r->year);
	if (client) {
		chg_buf_puts(b, " - ");
		html_line(b, client);
	}
	chg_buf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", html_css);
	chg_buf_printf(b, "<h1>Change report: %s %d</h1>\n", month_names[r->month - 1], r->year);
	if (client) {
		chg_buf_puts(b, "<p>Client: <strong id=\"client\">");
		html_line(b, client);
		chg_buf_puts(b, "</strong></p>\n");
	}
	chg_buf_printf(b, "<p class=\"note\">Changes whose window starts in the month (UTC), and changes without a window created in it. As of %s UTC.</p>\n",
		       when(d1, now));

	chg_buf_puts(b, "<h2>Summary</h2>\n<table id=\"summary\">\n");
	html_row(b, "Changes", "total", r->n);
	chg_buf_puts(b, "<tr><th>Success rate</th><td id=\"success-rate\">");
	if (r->reviewed) {
		chg_buf_printf(b, "%zu of %zu reviewed (", r->successful, r->reviewed);
		put_pct(b, r->successful, r->reviewed);
		chg_buf_putc(b, ')');
	} else {
		chg_buf_puts(b, "n/a (none reviewed)");
	}
	chg_buf_puts(b, "</td></tr>\n<tr><th>Emergency share</th><td id=\"emergency-share\"");
	if (r->emergency_flagged)
		chg_buf_puts(b, " class=\"flag\"");
	chg_buf_putc(b, '>');
	if (r->n) {
		chg_buf_printf(b, "%zu of %zu (", r->emergency, r->n);
		put_pct(b, r->emergency, r->n);
		chg_buf_putc(b, ')');
		if (r->emergency_flagged)
			chg_buf_printf(b, " above the %d%% threshold", threshold);
	} else {
		chg_buf_puts(b, "n/a");
	}
	chg_buf_puts(b, "</td></tr>\n");
	html_row(b, "Without rollback plan", "without-rollback", r->without_rollback);
	html_row(b, "Overdue reviews", "overdue-reviews", r->overdue);
	html_median(b, "requested to approved", &r->to_approval);
	html_median(b, "approved to implemented", &r->to_implementation);
	html_median(b, "requested to implemented", &r->lead);
	chg_buf_puts(b, "</table>\n");

	chg_buf_puts(b, "<div class=\"totals\">\n<table id=\"by-type\"><tr><th>Type</th><th>Changes</th></tr>\n");
	for (i = 0; i < N(types); i++)
		chg_buf_printf(b, "<tr><td>%s</td><td class=\"n\">%zu</td></tr>\n", types[i],
			       chg_report_count(r, 't', types[i]));
	if (r->other_type)
		chg_buf_printf(b, "<tr><td>other</td><td class=\"n\">%zu</td></tr>\n", r->other_type);
	chg_buf_puts(b, "</table>\n<table id=\"by-state\"><tr><th>State</th><th>Changes</th></tr>\n");
	for (i = 0; i < N(states); i++)
		if ((n = chg_report_count(r, 's', states[i])))
			chg_buf_printf(b, "<tr><td>%s</td><td class=\"n\">%zu</td></tr>\n", states[i], n);
	chg_buf_puts(b, "</table>\n<table id=\"by-outcome\"><tr><th>Outcome</th><th>Changes</th></tr>\n");
	for (i = 0; i < N(outcomes); i++)
		chg_buf_printf(b, "<tr><td>%s</td><td class=\"n\">%zu</td></tr>\n", outcomes[i],
			       chg_report_count(r, 'o', outcomes[i]));
	chg_buf_printf(b, "<tr><td>not reviewed</td><td class=\"n\">%zu</td></tr>\n</table>\n</div>\n",
		       chg_report_count(r, 'o', NULL));

	chg_buf_puts(b, "<h2>Changes per week</h2>\n");
	html_chart(b, r);

	chg_buf_puts(b, "<h2>Changes</h2>\n<table class=\"changes\" id=\"changes\">\n<thead><tr><th>Change</th><th>When (UTC)</th><th>What and why</th><th>Requested by</th><th>Approved by</th><th>Expected outcome</th><th>Actual outcome</th><th>Rollback plan</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < r->n; i++) {
		const struct chg_report_entry *e = &r->items[i];
		chg_buf_puts(b, "<tr><td>");
		html_line(b, e->id);
		chg_buf_puts(b, "<br>");
		html_line(b, e->type);
		chg_buf_puts(b, ", ");
		html_line(b, e->state);
		if (e->client) {
			chg_buf_puts(b, "<br>");
			html_line(b, e->client);
		}
		if (e->has_window) {
			chg_buf_printf(b, "</td><td><span class=\"local\">%s to %s</span> (",
				       chg_report_local_stamp(l1, sizeof(l1), e->zone, e->window_start),
				       chg_report_local_stamp(l2, sizeof(l2), e->zone, e->window_end));
			html_line(b, e->zone);
			chg_buf_putc(b, ')');
		}
		else
			chg_buf_printf(b, "</td><td>created %s", when(d1, e->date));
		chg_buf_puts(b, "</td><td><strong>");
		html_line(b, e->title);
		chg_buf_puts(b, "</strong><div class=\"pre\">");
		html_text(b, e->reason ? e->reason : "");
		chg_buf_puts(b, "</div></td><td>");
		html_line(b, e->requested_by);
		chg_buf_puts(b, "</td><td>");
		for (j = 0; j < e->napprovers; j++) {
			if (j)
				chg_buf_puts(b, "<br>");
			html_line(b, e->approvers[j]);
		}
		chg_buf_puts(b, "</td><td class=\"pre\">");
		html_text(b, e->description ? e->description : "");
		chg_buf_puts(b, "</td><td>");
		if (e->outcome) {
			html_line(b, e->outcome);
			if (e->review_notes) {
				chg_buf_puts(b, "<div class=\"pre\">");
				html_text(b, e->review_notes);
				chg_buf_puts(b, "</div>");
			}
		} else {
			chg_buf_puts(b, "not reviewed");
		}
		if (e->review_overdue)
			chg_buf_printf(b, "<div class=\"flag\">review overdue since %s</div>",
				       when(d1, e->review_due));
		chg_buf_puts(b, "</td><td class=\"pre\">");
		if (e->rollback_plan) {
			html_text(b, e->rollback_plan);
		} else if (e->procedure) {
			chg_buf_puts(b, "in the catalog procedure ");
			html_line(b, e->procedure);
		} else {
			chg_buf_puts(b, "<span class=\"flag\">none</span>");
		}
		chg_buf_puts(b, "</td></tr>\n");
	}
	chg_buf_puts(b, "</tbody>\n</table>\n</body>\n</html>\n");
}

int cmd_report(int argc, char **argv, const struct chg_cmd *cmd)
{
	static const struct option longopts[] = {
		{ "month", required_argument, NULL, 'm' },
		{ "client", required_argument, NULL, 'c' },
		{ "rev", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "emergency-threshold", required_argument, NULL, 'e' },
		{ "policy", required_argument, NULL, 'p' },
		{ "now", required_argument, NULL, 'n' },
		{ "include-drafts", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct chg_report_options opts = CHG_REPORT_OPTIONS_INIT;
	struct chg_workspace_options wopts = CHG_WORKSPACE_OPTIONS_INIT;
	struct chg_workspace *ws = NULL;
	struct chg_report report = CHG_REPORT_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT, out = CHG_BUF_INIT;
	const char *month = NULL, *format = "md", *output = NULL;
	const char *now_text = NULL, *threshold = NULL;
	enum format fmt;
	char *end;
	long pct;
	int c, rc, status = CHG_EXIT_OK, year, mon, len = 0;
	FILE *f;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': month = optarg; break;
		case 'c': opts.client = optarg; break;
		case 'd': opts.include_drafts = 1; break;
		case 'r': wopts.rev = optarg; break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'e': threshold = optarg; break;
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
	if (!month) {
		chg_cmd_error(cmd, "--month YYYY-MM is required");
		return usage(cmd, stderr, CHG_EXIT_USAGE);
	}
	if (sscanf(month, "%4d-%2d%n", &year, &mon, &len) != 2 ||
	    len != 7 || (size_t)len != strlen(month) || mon < 1 || mon > 12 ||
	    year < 1970) {
		chg_cmd_error(cmd, "--month '%s' is not a month such as 2026-12", month);
		return CHG_EXIT_USAGE;
	}
	if (!strcmp(format, "md") || !strcmp(format, "markdown")) {
		fmt = MD;
	} else if (!strcmp(format, "html")) {
		fmt = HTML;
	} else if (!strcmp(format, "csv")) {
		fmt = CSV;
	} else {
		chg_cmd_error(cmd, "unknown format '%s' (expected md, html or csv)", format);
		return CHG_EXIT_USAGE;
	}
	if (threshold) {
		pct = strtol(threshold, &end, 10);
		if (end == threshold || *end || pct < 0 || pct > 100) {
			chg_cmd_error(cmd, "--emergency-threshold '%s' is not a percentage from 0 to 100", threshold);
			return CHG_EXIT_USAGE;
		}
		opts.emergency_threshold = (int)pct;
	}
	if (chg_cmd_now(&opts.now, cmd, now_text) < 0)
		return CHG_EXIT_USAGE;
	opts.year = year;
	opts.month = mon;
	wopts.dir = cmd->dir;
	if (!wopts.rev)
		wopts.rev = "HEAD";

	rc = chg_workspace_open(&ws, &diags, &err, &wopts);
	if (rc == 0)
		rc = chg_report_build(&report, &err, ws, &opts);
	chg_workspace_free(ws);
	if (rc == CHG_EINVALID && diags.n) {
		chg_format_text(&out, &diags);
		fwrite(out.ptr, 1, out.len, stderr);
		chg_cmd_error(cmd, "the policy is invalid; fix the errors above");
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (rc < 0) {
		chg_cmd_error(cmd, "%s", err.len ? err.ptr : chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	switch (fmt) {
	case MD: render_md(&out, &report, opts.client, opts.emergency_threshold, opts.now); break;
	case HTML: render_html(&out, &report, opts.client, opts.emergency_threshold, opts.now); break;
	case CSV: render_csv(&out, &report); break;
	}
	f = output ? fopen(output, "wb") : stdout;
	if (!f) {
		chg_cmd_error(cmd, "cannot open '%s': %s", output, strerror(errno));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (out.len)
		fwrite(out.ptr, 1, out.len, f);
	if (fflush(f) || ferror(f)) {
		chg_cmd_error(cmd, "cannot write the output");
		status = CHG_EXIT_FAILURE;
	}
	if (output && fclose(f)) {
		chg_cmd_error(cmd, "cannot write '%s'", output);
		status = CHG_EXIT_FAILURE;
	}
cleanup:
	chg_report_release(&report);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
	chg_buf_release(&out);
	return status;
}
