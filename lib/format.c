#include "format.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

void chg_format_csv_cell(struct chg_buf *b, const char *s, int first)
{
	const char *p;
	int quote;

	if (!first)
		chg_buf_putc(b, ',');
	if (!s)
		return;
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		chg_buf_putc(b, '"');
	if (*s && strchr("=+-@\t\r", *s))
		chg_buf_putc(b, '\'');
	for (p = s; *p; p++) {
		if (*p == '"')
			chg_buf_putc(b, '"');
		chg_buf_putc(b, *p);
	}
	if (quote)
		chg_buf_putc(b, '"');
}

int chg_format_text(struct chg_buf *out, const struct chg_diag_list *diags)
{
	size_t i;
	int error = 0;

	for (i = 0; i < diags->n && !error; i++) {
		const struct chg_diag *d = &diags->items[i];
		if (d->line > 0)
			error = chg_buf_printf(out, "%s:%d:%d: %s: %s [%s]\n",
					       d->path, d->line, d->column,
					       chg_severity_name(d->severity),
					       d->message, d->rule);
		else
			error = chg_buf_printf(out, "%s: %s: %s [%s]\n", d->path,
					       chg_severity_name(d->severity),
					       d->message, d->rule);
	}
	return error;
}

int chg_format_json(struct chg_buf *out, const struct chg_diag_list *diags)
{
	json_t *root, *list;
	char *text;
	size_t i;
	int error = 0;

	root = json_object();
	list = json_array();
	if (!root || !list)
		goto nomem;
	for (i = 0; i < diags->n; i++) {
		const struct chg_diag *d = &diags->items[i];
		json_t *o = json_pack("{s:s, s:i, s:i, s:s, s:s, s:s}",
				      "path", d->path, "line", d->line,
				      "column", d->column,
				      "severity", chg_severity_name(d->severity),
				      "rule", d->rule, "message", d->message);
		if (!o || json_array_append_new(list, o) < 0)
			goto nomem;
	}
	if (json_object_set_new(root, "diagnostics", list) < 0) {
		list = NULL;
		goto nomem;
	}
	list = NULL;
	if (json_object_set_new(root, "errors",
				json_integer((json_int_t)chg_diag_list_count(diags, CHG_SEV_ERROR))) < 0 ||
	    json_object_set_new(root, "warnings",
				json_integer((json_int_t)chg_diag_list_count(diags, CHG_SEV_WARNING))) < 0 ||
	    json_object_set_new(root, "notes",
				json_integer((json_int_t)chg_diag_list_count(diags, CHG_SEV_NOTE))) < 0)
		goto nomem;
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		goto nomem;
	error = chg_buf_printf(out, "%s\n", text);
	free(text);
	json_decref(root);
	return error;
nomem:
	json_decref(list);
	json_decref(root);
	return CHG_ENOMEM;
}
