/*
 * What the formats for CI services share: the list of files a report
 * shows, and UTF-8 output.
 */
#include "format.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

int chg_format_report_paths(struct chg_strlist *out,
			    const struct chg_diag_list *diags,
			    const struct chg_strlist *files)
{
	size_t i, k;
	int error = 0;

	for (i = 0; files && i < files->n && !error; i++)
		error = chg_strlist_add(out, files->items[i]);
	for (i = 0; i < diags->n && !error; i++)
		error = chg_strlist_add(out, diags->items[i].path);
	if (error)
		return error;
	chg_strlist_sort(out);
	for (i = k = 0; i < out->n; i++) {
		if (k && !strcmp(out->items[k - 1], out->items[i]))
			free(out->items[i]);
		else
			out->items[k++] = out->items[i];
	}
	out->n = k;
	return 0;
}

/* The length of the UTF-8 sequence at `p` (RFC 3629), 0 when invalid. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* no overlong forms, surrogates or code points above U+10FFFF */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

int chg_format_put_utf8(struct chg_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;
	int error = 0;

	while (*p && !error) {
		n = utf8_len(p);
		if (n) {
			error = chg_buf_put(out, p, n);
			p += n;
		} else {
			error = chg_buf_puts(out, "\xef\xbf\xbd");
			p++;
		}
	}
	return error;
}
