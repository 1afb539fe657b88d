#include "format.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

/* The passing testcase of a file without findings. */
#define CLEAN_CASE "chg-lint"

/*
 * Decodes one UTF-8 character at `s` (NUL-terminated): stores its code
 * point in *cp and returns its length, or returns 0 for a byte that does
 * not start a well-formed character (overlong forms, surrogates and code
 * points past U+10FFFF included).
 */
static size_t utf8_decode(unsigned *cp, const unsigned char *s)
{
	unsigned c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* A character XML 1.0 allows (its Char production). */
static int xml_char(unsigned c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/*
 * Appends `s` escaped for XML 1.0: & < > " ' as entities; in an attribute
 * (`attr`) tabs and line breaks as character references, so that they are
 * kept; a carriage return always so; and what XML cannot hold - control
 * characters, bytes that are not UTF-8 - as U+FFFD.
 */
static int xml_put(struct chg_buf *out, const char *s, int attr)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	size_t n;
	int error = 0;

	while (*p && !error) {
		n = utf8_decode(&cp, p);
		if (!n || !xml_char(cp)) {
			error = chg_buf_puts(out, "\xef\xbf\xbd");
			p += n ? n : 1;
			continue;
		}
		switch (cp) {
		case '&': error = chg_buf_puts(out, "&amp;"); break;
		case '<': error = chg_buf_puts(out, "&lt;"); break;
		case '>': error = chg_buf_puts(out, "&gt;"); break;
		case '"': error = chg_buf_puts(out, "&quot;"); break;
		case '\'': error = chg_buf_puts(out, "&apos;"); break;
		case '\t': case '\n': case '\r':
			error = attr || cp == '\r' ?
				chg_buf_printf(out, "&#%u;", cp) :
				chg_buf_putc(out, (char)cp);
			break;
		default:
			error = chg_buf_put(out, p, n);
		}
		p += n;
	}
	return error;
}

/* `s` escaped for an attribute value. */
static int xml_escape(struct chg_buf *out, const char *s)
{
	return xml_put(out, s, 1);
}

/* The dotted class name of `path`: no extension, '/' made '.'. */
static int classname(struct chg_buf *out, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');
	size_t len = dot && dot != (slash ? slash + 1 : path) ?
		(size_t)(dot - path) : strlen(path);
	char *copy = malloc(len + 1);
	size_t i;
	int error;

	if (!copy)
		return CHG_ENOMEM;
	memcpy(copy, path, len);
	copy[len] = '\0';
	for (i = 0; i < len; i++)
		if (copy[i] == '/')
			copy[i] = '.';
	error = xml_escape(out, copy);
	free(copy);
	return error;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* By path, then position in the list: a stable sort by path. */
static int cmp_diag(const void *a, const void *b)
{
	const struct chg_diag *x = *(const struct chg_diag *const *)a;
	const struct chg_diag *y = *(const struct chg_diag *const *)b;
	int c = strcmp(x->path, y->path);

	return c ? c : (x < y ? -1 : x > y);
}

/* The text form of one diagnostic, as chg-lint prints it. */
static int text_line(struct chg_buf *out, const struct chg_diag *d)
{
	if (d->line > 0)
		return chg_buf_printf(out, "%s:%d:%d: %s: %s [%s]\n", d->path,
				      d->line, d->column,
				      chg_severity_name(d->severity), d->message,
				      d->rule);
	return chg_buf_printf(out, "%s: %s: %s [%s]\n", d->path,
			      chg_severity_name(d->severity), d->message, d->rule);
}

static int fails(const struct chg_diag *d, int strict)
{
	return d->severity == CHG_SEV_ERROR ||
	       (strict && d->severity == CHG_SEV_WARNING);
}

/* One testcase: the findings of rule `rule` among ds[from..to). */
static int testcase(struct chg_buf *out, const struct chg_diag *const *ds,
		    size_t from, size_t to, const char *rule, int strict)
{
	struct chg_buf failing = CHG_BUF_INIT, other = CHG_BUF_INIT;
	const struct chg_diag *first = NULL;
	enum chg_severity worst = CHG_SEV_NOTE;
	size_t i;
	int error = 0;

	for (i = from; i < to && !error; i++) {
		const struct chg_diag *d = ds[i];
		if (strcmp(d->rule, rule))
			continue;
		if (fails(d, strict)) {
			if (!first || d->severity > worst)
				worst = d->severity;
			if (!first)
				first = d;
			error = text_line(&failing, d);
		} else {
			error = text_line(&other, d);
		}
	}
	if (!error)
		error = chg_buf_puts(out, "    <testcase classname=\"");
	if (!error)
		error = classname(out, ds[from]->path);
	if (!error)
		error = chg_buf_puts(out, "\" name=\"");
	if (!error)
		error = xml_escape(out, rule);
	if (!error)
		error = chg_buf_puts(out, "\" time=\"0\">\n");
	if (!error && first) {
		error = chg_buf_puts(out, "      <failure message=\"");
		if (!error)
			error = xml_escape(out, first->message);
		if (!error)
			error = chg_buf_printf(out, "\" type=\"%s\">",
					       chg_severity_name(worst));
		if (!error)
			error = xml_put(out, failing.ptr, 0);
		if (!error)
			error = chg_buf_puts(out, "</failure>\n");
	}
	if (!error && other.len) {
		error = chg_buf_puts(out, "      <system-out>");
		if (!error)
			error = xml_put(out, other.ptr, 0);
		if (!error)
			error = chg_buf_puts(out, "</system-out>\n");
	}
	if (!error)
		error = chg_buf_puts(out, "    </testcase>\n");
	chg_buf_release(&failing);
	chg_buf_release(&other);
	return error;
}

/* Whether ds[from..i) has a finding of ds[i]'s rule. */
static int rule_seen(const struct chg_diag *const *ds, size_t from, size_t i)
{
	size_t j;

	for (j = from; j < i; j++)
		if (!strcmp(ds[j]->rule, ds[i]->rule))
			return 1;
	return 0;
}

/*
 * One testsuite: the file `path` and its findings ds[from..to) (all of
 * that path; none for a clean file).  Adds to the totals.
 */
static int testsuite(struct chg_buf *out, const char *path,
		     const struct chg_diag *const *ds, size_t from, size_t to,
		     int strict, size_t *tests, size_t *failures)
{
	size_t ncases = 0, nfail = 0, i, j;
	int error, failed;

	for (i = from; i < to; i++) {
		if (rule_seen(ds, from, i))
			continue;
		ncases++;
		failed = 0;
		for (j = i; j < to && !failed; j++)
			failed = !strcmp(ds[j]->rule, ds[i]->rule) &&
				 fails(ds[j], strict);
		nfail += failed;
	}
	error = chg_buf_puts(out, "  <testsuite name=\"");
	if (!error)
		error = xml_escape(out, path);
	if (!error)
		error = chg_buf_printf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
				       ncases ? ncases : 1, nfail);
	if (!error && from == to) {
		error = chg_buf_puts(out, "    <testcase classname=\"");
		if (!error)
			error = classname(out, path);
		if (!error)
			error = chg_buf_puts(out, "\" name=\"" CLEAN_CASE "\" time=\"0\"/>\n");
	}
	for (i = from; i < to && !error; i++)
		if (!rule_seen(ds, from, i))
			error = testcase(out, ds, from, to, ds[i]->rule, strict);
	if (!error)
		error = chg_buf_puts(out, "  </testsuite>\n");
	*tests += ncases ? ncases : 1;
	*failures += nfail;
	return error;
}

int chg_format_junit(struct chg_buf *out, const struct chg_diag_list *diags,
		     const struct chg_format_info *info)
{
	struct chg_buf body = CHG_BUF_INIT;
	const struct chg_diag **ds;
	const char **paths;
	size_t npaths = 0, tests = 0, failures = 0, i, k = 0, from;
	int strict = info ? info->strict : 0, error = 0;

	/* every file: those checked and those with findings */
	paths = calloc((info ? info->npaths : 0) + diags->n + 1, sizeof(*paths));
	ds = calloc(diags->n + 1, sizeof(*ds));
	if (!paths || !ds) {
		free(paths);
		free(ds);
		return CHG_ENOMEM;
	}
	/* the findings by path, each file's in the order of `diags` */
	for (i = 0; i < diags->n; i++)
		ds[i] = &diags->items[i];
	qsort(ds, diags->n, sizeof(*ds), cmp_diag);
	for (i = 0; info && info->paths && i < info->npaths; i++)
		paths[npaths++] = info->paths[i];
	for (i = 0; i < diags->n; i++)
		paths[npaths++] = diags->items[i].path;
	qsort(paths, npaths, sizeof(*paths), cmp_str);

	for (i = 0; i < npaths && !error; i++) {
		if (i && !strcmp(paths[i - 1], paths[i]))
			continue;
		from = k;
		while (k < diags->n && !strcmp(ds[k]->path, paths[i]))
			k++;
		error = testsuite(&body, paths[i], ds, from, k, strict,
				  &tests, &failures);
	}
	if (!error)
		error = chg_buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				       "<testsuites name=\"chg-lint\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"0\">\n",
				       tests, failures);
	if (!error)
		error = chg_buf_put(out, body.ptr, body.len);
	if (!error)
		error = chg_buf_puts(out, "</testsuites>\n");
	chg_buf_release(&body);
	free(paths);
	free(ds);
	return error;
}
