/*
 * GitHub Actions: workflow commands that annotate the files of a pull
 * request, and the job summary.
 */
#include "format.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "banned.h"

static const char *command_name(enum chg_severity sev)
{
	switch (sev) {
	case CHG_SEV_ERROR: return "error";
	case CHG_SEV_WARNING: return "warning";
	default: return "notice";
	}
}

/*
 * Appends `s` escaped as GitHub's runner unescapes it: % CR LF always,
 * `:` and `,` too in a property value.
 */
static int put_escaped(struct chg_buf *out, const char *s, int property)
{
	struct chg_buf utf8 = CHG_BUF_INIT;
	const char *p;
	int error;

	error = chg_format_put_utf8(&utf8, s);
	for (p = utf8.ptr; *p && !error; p++) {
		switch (*p) {
		case '%': error = chg_buf_puts(out, "%25"); break;
		case '\r': error = chg_buf_puts(out, "%0D"); break;
		case '\n': error = chg_buf_puts(out, "%0A"); break;
		case ':':
			error = property ? chg_buf_puts(out, "%3A") :
				chg_buf_putc(out, *p);
			break;
		case ',':
			error = property ? chg_buf_puts(out, "%2C") :
				chg_buf_putc(out, *p);
			break;
		default: error = chg_buf_putc(out, *p); break;
		}
	}
	chg_buf_release(&utf8);
	return error;
}

static int put_annotation(struct chg_buf *out, const struct chg_diag *d)
{
	const char *path = d->path;
	int error;

	while (!strncmp(path, "./", 2))
		path += 2;
	error = chg_buf_printf(out, "::%s file=", command_name(d->severity));
	if (!error)
		error = put_escaped(out, path, 1);
	if (!error && d->line > 0)
		error = chg_buf_printf(out, ",line=%d", d->line);
	if (!error && d->line > 0 && d->column > 0)
		error = chg_buf_printf(out, ",col=%d", d->column);
	if (!error)
		error = chg_buf_puts(out, ",title=");
	if (!error)
		error = put_escaped(out, d->rule, 1);
	if (!error)
		error = chg_buf_puts(out, "::");
	if (!error && d->line > 0)
		error = chg_buf_printf(out, "%d:%d: ", d->line, d->column);
	if (!error)
		error = put_escaped(out, d->message, 0);
	if (!error)
		error = chg_buf_putc(out, '\n');
	return error;
}

int chg_format_github(struct chg_buf *out, const struct chg_diag_list *diags)
{
	size_t i;
	int error = 0;

	for (i = 0; i < diags->n && !error; i++)
		error = put_annotation(out, &diags->items[i]);
	return error;
}

/*
 * Appends `s` as the text of a Markdown table cell: the characters
 * Markdown gives a meaning escaped with a backslash (which CommonMark
 * allows before any ASCII punctuation), line breaks as <br>.
 */
static int put_cell(struct chg_buf *out, const char *s)
{
	struct chg_buf utf8 = CHG_BUF_INIT;
	const char *p;
	int error;

	error = chg_buf_puts(out, "| ");
	if (!error)
		error = chg_format_put_utf8(&utf8, s);
	for (p = utf8.ptr; *p && !error; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (*p == '\n' || *p == '\r')
			error = chg_buf_puts(out, "<br>");
		else if (strchr("\\`*_[]<>|~&", *p))
			error = chg_buf_printf(out, "\\%c", *p);
		else
			error = chg_buf_putc(out, *p);
	}
	if (!error)
		error = chg_buf_putc(out, ' ');
	chg_buf_release(&utf8);
	return error;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

int chg_format_github_summary(struct chg_buf *out,
			      const struct chg_diag_list *diags)
{
	size_t nerr = chg_diag_list_count(diags, CHG_SEV_ERROR);
	size_t nwarn = chg_diag_list_count(diags, CHG_SEV_WARNING);
	size_t nnote = chg_diag_list_count(diags, CHG_SEV_NOTE);
	char pos[32];
	size_t i;
	int error;

	if (!diags->n)
		return chg_buf_puts(out, "### chg-lint: no findings\n\n");
	error = chg_buf_printf(out,
			       "### chg-lint: %zu error%s, %zu warning%s, %zu note%s\n\n"
			       "| Severity | File | Line | Rule | Message |\n"
			       "| --- | --- | --- | --- | --- |\n",
			       nerr, plural(nerr), nwarn, plural(nwarn),
			       nnote, plural(nnote));
	for (i = 0; i < diags->n && !error; i++) {
		const struct chg_diag *d = &diags->items[i];
		if (d->line > 0)
			snprintf(pos, sizeof(pos), "%d:%d", d->line, d->column);
		else
			pos[0] = '\0';
		error = put_cell(out, chg_severity_name(d->severity));
		if (!error)
			error = put_cell(out, d->path);
		if (!error)
			error = put_cell(out, pos);
		if (!error)
			error = put_cell(out, d->rule);
		if (!error)
			error = put_cell(out, d->message);
		if (!error)
			error = chg_buf_puts(out, "|\n");
	}
	if (!error)
		error = chg_buf_putc(out, '\n');
	return error;
}
