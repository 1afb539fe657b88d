#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "banned.h"

void chg_diag_list_init(struct chg_diag_list *list)
{
	list->items = NULL;
	list->n = 0;
	list->alloc = 0;
}

void chg_diag_list_release(struct chg_diag_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->n; i++) {
		free(list->items[i].path);
		free(list->items[i].rule);
		free(list->items[i].message);
	}
	free(list->items);
	chg_diag_list_init(list);
}

int chg_diag_add(struct chg_diag_list *list, const char *path, int line,
		 int column, enum chg_severity severity, const char *rule,
		 const char *fmt, ...)
{
	struct chg_buf msg = CHG_BUF_INIT;
	struct chg_diag *d;
	va_list ap;
	size_t i;
	int error;

	va_start(ap, fmt);
	error = chg_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (error < 0)
		goto fail;
	for (i = 0; i < msg.len; i++)
		if ((unsigned char)msg.ptr[i] < 0x20 || msg.ptr[i] == 0x7f)
			msg.ptr[i] = ' ';

	if (list->n == list->alloc) {
		size_t n = list->alloc ? list->alloc * 2 : 16;
		d = realloc(list->items, n * sizeof(*d));
		if (!d)
			goto fail;
		list->items = d;
		list->alloc = n;
	}
	d = &list->items[list->n];
	d->path = strdup(path ? path : "");
	d->rule = strdup(rule);
	d->message = chg_buf_detach(&msg);
	if (!d->path || !d->rule || !d->message) {
		free(d->path);
		free(d->rule);
		free(d->message);
		return CHG_ENOMEM;
	}
	d->seq = list->n;
	d->line = line;
	d->column = column;
	d->severity = severity;
	list->n++;
	return 0;
fail:
	chg_buf_release(&msg);
	return CHG_ENOMEM;
}

static int diag_cmp(const void *pa, const void *pb)
{
	const struct chg_diag *a = pa, *b = pb;
	int c = strcmp(a->path, b->path);

	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void chg_diag_list_sort(struct chg_diag_list *list)
{
	size_t i;

	if (list->n > 1)
		qsort(list->items, list->n, sizeof(*list->items), diag_cmp);
	for (i = 0; i < list->n; i++)
		list->items[i].seq = i;
}

size_t chg_diag_list_count(const struct chg_diag_list *list,
			   enum chg_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < list->n; i++)
		n += list->items[i].severity == sev;
	return n;
}

const char *chg_severity_name(enum chg_severity sev)
{
	switch (sev) {
	case CHG_SEV_ERROR: return "error";
	case CHG_SEV_WARNING: return "warning";
	default: return "note";
	}
}
