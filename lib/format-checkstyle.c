/*
 * Checkstyle XML, the report reviewdog, Jenkins (warnings-ng) and most
 * code review tools read.
 */
#include "format.h"

#include <string.h>

#include "error.h"
#include "banned.h"

static const char *checkstyle_severity(enum chg_severity sev)
{
	switch (sev) {
	case CHG_SEV_ERROR: return "error";
	case CHG_SEV_WARNING: return "warning";
	default: return "info";
	}
}

/*
 * Appends `s` as an XML 1.0 attribute value: markup characters as
 * entities, tab and line breaks as character references (a parser would
 * turn them into spaces), and the characters XML 1.0 does not allow
 * (other C0 controls, U+FFFE, U+FFFF) as U+FFFD.
 */
static int put_attr(struct chg_buf *out, const char *s)
{
	struct chg_buf utf8 = CHG_BUF_INIT;
	const unsigned char *p;
	int error;

	error = chg_format_put_utf8(&utf8, s);
	for (p = (const unsigned char *)utf8.ptr; *p && !error; p++) {
		switch (*p) {
		case '&': error = chg_buf_puts(out, "&amp;"); break;
		case '<': error = chg_buf_puts(out, "&lt;"); break;
		case '>': error = chg_buf_puts(out, "&gt;"); break;
		case '"': error = chg_buf_puts(out, "&quot;"); break;
		case '\'': error = chg_buf_puts(out, "&apos;"); break;
		case '\t': error = chg_buf_puts(out, "&#9;"); break;
		case '\n': error = chg_buf_puts(out, "&#10;"); break;
		case '\r': error = chg_buf_puts(out, "&#13;"); break;
		default:
			if (*p < 0x20) {
				error = chg_buf_puts(out, "\xef\xbf\xbd");
			} else if (p[0] == 0xef && p[1] == 0xbf &&
				   (p[2] == 0xbe || p[2] == 0xbf)) {
				error = chg_buf_puts(out, "\xef\xbf\xbd");
				p += 2;
			} else {
				error = chg_buf_putc(out, (char)*p);
			}
		}
	}
	chg_buf_release(&utf8);
	return error;
}

static int put_error(struct chg_buf *out, const struct chg_diag *d)
{
	int error;

	error = chg_buf_puts(out, "    <error");
	if (!error && d->line > 0)
		error = chg_buf_printf(out, " line=\"%d\"", d->line);
	if (!error && d->column > 0)
		error = chg_buf_printf(out, " column=\"%d\"", d->column);
	if (!error)
		error = chg_buf_printf(out, " severity=\"%s\" message=\"",
				       checkstyle_severity(d->severity));
	if (!error)
		error = put_attr(out, d->message);
	if (!error)
		error = chg_buf_puts(out, "\" source=\"chg.");
	if (!error)
		error = put_attr(out, d->rule);
	if (!error)
		error = chg_buf_puts(out, "\"/>\n");
	return error;
}

int chg_format_checkstyle(struct chg_buf *out,
			  const struct chg_diag_list *diags,
			  const struct chg_strlist *files)
{
	struct chg_strlist paths = CHG_STRLIST_INIT;
	size_t i = 0, k;
	int error, clean;

	error = chg_format_report_paths(&paths, diags, files);
	if (!error)
		error = chg_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				     "<checkstyle version=\"4.3\">\n");
	for (k = 0; k < paths.n && !error; k++) {
		error = chg_buf_puts(out, "  <file name=\"");
		if (!error)
			error = put_attr(out, paths.items[k]);
		while (i < diags->n && strcmp(diags->items[i].path, paths.items[k]) < 0)
			i++;
		clean = i == diags->n || strcmp(diags->items[i].path, paths.items[k]);
		if (!error)
			error = chg_buf_puts(out, clean ? "\">" : "\">\n");
		for (; !error && i < diags->n &&
		       !strcmp(diags->items[i].path, paths.items[k]); i++)
			error = put_error(out, &diags->items[i]);
		if (!error)
			error = chg_buf_puts(out, clean ? "</file>\n" : "  </file>\n");
	}
	if (!error)
		error = chg_buf_puts(out, "</checkstyle>\n");
	chg_strlist_release(&paths);
	return error;
}
