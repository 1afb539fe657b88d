/*
 * TAP version 14 (testanything.org): a test point a file, its findings
 * as YAML diagnostics.
 */
#include "format.h"

#include <string.h>

#include "error.h"
#include "banned.h"

/* Appends `s` as a test point description: `\` and `#` escaped. */
static int put_description(struct chg_buf *out, const char *s)
{
	struct chg_buf utf8 = CHG_BUF_INIT;
	const unsigned char *p;
	int error;

	error = chg_format_put_utf8(&utf8, s);
	for (p = (const unsigned char *)utf8.ptr; *p && !error; p++) {
		if (*p == '\\' || *p == '#')
			error = chg_buf_printf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			/* a line break would end the test point */
			error = chg_buf_puts(out, "\xef\xbf\xbd");
		else
			error = chg_buf_putc(out, (char)*p);
	}
	chg_buf_release(&utf8);
	return error;
}

/*
 * Appends `s` as a YAML double-quoted scalar: `"` and `\` escaped, and
 * every character YAML would read as a line break or that is not
 * printable written as an escape sequence.
 */
static int put_yaml_string(struct chg_buf *out, const char *s)
{
	struct chg_buf utf8 = CHG_BUF_INIT;
	const unsigned char *p;
	int error;

	error = chg_format_put_utf8(&utf8, s);
	if (!error)
		error = chg_buf_putc(out, '"');
	for (p = (const unsigned char *)utf8.ptr; *p && !error; p++) {
		if (*p == '"' || *p == '\\')
			error = chg_buf_printf(out, "\\%c", *p);
		else if (*p == '\n')
			error = chg_buf_puts(out, "\\n");
		else if (*p == '\r')
			error = chg_buf_puts(out, "\\r");
		else if (*p == '\t')
			error = chg_buf_puts(out, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			error = chg_buf_printf(out, "\\x%02x", *p);
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			/* C1 controls, NEL (a line break) among them */
			error = chg_buf_printf(out, "\\x%02x", p[1]), p++;
		else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
			error = chg_buf_puts(out, p[2] == 0xa8 ? "\\L" : "\\P"), p += 2;
		else if (p[0] == 0xef && ((p[1] == 0xbb && p[2] == 0xbf) ||
					  (p[1] == 0xbf && p[2] >= 0xbe)))
			/* a byte order mark, and the non-characters */
			error = chg_buf_printf(out, "\\u%s", p[1] == 0xbb ? "FEFF" :
					       p[2] == 0xbe ? "FFFE" : "FFFF"), p += 2;
		else
			error = chg_buf_putc(out, (char)*p);
	}
	if (!error)
		error = chg_buf_putc(out, '"');
	chg_buf_release(&utf8);
	return error;
}

static int put_finding(struct chg_buf *out, const struct chg_diag *d)
{
	int error;

	error = chg_buf_printf(out, "    - severity: %s\n      rule: ",
			       chg_severity_name(d->severity));
	if (!error)
		error = put_yaml_string(out, d->rule);
	if (!error)
		error = chg_buf_printf(out, "\n      line: %d\n      column: %d\n      message: ",
				       d->line, d->column);
	if (!error)
		error = put_yaml_string(out, d->message);
	if (!error)
		error = chg_buf_putc(out, '\n');
	return error;
}

/*
 * Appends the test point `k` for `path`, whose findings are items[*i]
 * onwards (diags are sorted by path); advances *i past them.
 */
static int put_test_point(struct chg_buf *out, const struct chg_diag_list *diags,
			  size_t *i, size_t k, const char *path, int strict)
{
	size_t first = *i, end, j;
	int failed = 0, error;

	for (end = first; end < diags->n && !strcmp(diags->items[end].path, path); end++)
		if (diags->items[end].severity == CHG_SEV_ERROR ||
		    (strict && diags->items[end].severity == CHG_SEV_WARNING))
			failed = 1;
	*i = end;
	error = chg_buf_printf(out, "%sok %zu - ", failed ? "not " : "", k);
	if (!error)
		error = put_description(out, path);
	if (!error)
		error = chg_buf_putc(out, '\n');
	if (error || first == end)
		return error;
	error = chg_buf_puts(out, "  ---\n  findings:\n");
	for (j = first; j < end && !error; j++)
		error = put_finding(out, &diags->items[j]);
	if (!error)
		error = chg_buf_puts(out, "  ...\n");
	return error;
}

int chg_format_tap(struct chg_buf *out, const struct chg_diag_list *diags,
		   const struct chg_strlist *files, int strict,
		   const char *bail)
{
	struct chg_strlist paths = CHG_STRLIST_INIT;
	size_t i = 0, k;
	int error;

	error = chg_format_report_paths(&paths, diags, files);
	if (!error)
		error = chg_buf_printf(out, "TAP version 14\n1..%zu\n", paths.n);
	for (k = 0; k < paths.n && !error; k++) {
		/* a path no finding names is clean */
		while (i < diags->n && strcmp(diags->items[i].path, paths.items[k]) < 0)
			i++;
		error = put_test_point(out, diags, &i, k + 1, paths.items[k], strict);
	}
	if (!error && bail) {
		error = chg_buf_puts(out, "Bail out! ");
		if (!error)
			error = put_description(out, bail);
		if (!error)
			error = chg_buf_putc(out, '\n');
	}
	chg_strlist_release(&paths);
	return error;
}
