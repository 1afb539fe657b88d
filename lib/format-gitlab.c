/*
 * GitLab Code Quality (the Code Climate issue subset GitLab reads), for a
 * job's artifacts:reports:codequality.
 */
#include "format.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

static const char *gitlab_severity(enum chg_severity sev)
{
	switch (sev) {
	case CHG_SEV_ERROR: return "major";
	case CHG_SEV_WARNING: return "minor";
	default: return "info";
	}
}

/* How many findings before items[i] have its path, rule and message. */
static size_t occurrence(const struct chg_diag_list *diags, size_t i)
{
	const struct chg_diag *d = &diags->items[i];
	size_t j, n = 0;

	/* sorted by path: the others with this path come just before */
	for (j = i; j-- > 0 && !strcmp(diags->items[j].path, d->path);)
		n += !strcmp(diags->items[j].rule, d->rule) &&
		     !strcmp(diags->items[j].message, d->message);
	return n;
}

/* Stores the fingerprint of items[i] in `hex` (65 bytes). */
static int fingerprint(char *hex, const struct chg_diag_list *diags, size_t i)
{
	const struct chg_diag *d = &diags->items[i];
	struct chg_buf in = CHG_BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, k;
	int error;

	error = chg_buf_put(&in, d->path, strlen(d->path) + 1);
	if (!error)
		error = chg_buf_put(&in, d->rule, strlen(d->rule) + 1);
	if (!error)
		error = chg_buf_put(&in, d->message, strlen(d->message) + 1);
	if (!error)
		error = chg_buf_printf(&in, "%zu", occurrence(diags, i));
	if (!error)
		error = chg_buf_putc(&in, '\0');
	if (!error && (!EVP_Digest(in.ptr, in.len, md, &len, EVP_sha256(), NULL) ||
		       len != 32))
		error = CHG_ERROR;
	for (k = 0; !error && k < len; k++)
		snprintf(hex + 2 * k, 3, "%02x", md[k]);
	chg_buf_release(&in);
	return error;
}

/* A JSON string of `s`, made UTF-8 first; NULL when out of memory. */
static json_t *utf8_string(const char *s)
{
	struct chg_buf b = CHG_BUF_INIT;
	json_t *j = NULL;

	if (chg_format_put_utf8(&b, s) == 0)
		j = json_stringn(b.ptr, b.len);
	chg_buf_release(&b);
	return j;
}

static json_t *issue(const struct chg_diag_list *diags, size_t i, int *error)
{
	const struct chg_diag *d = &diags->items[i];
	char hex[65];

	if ((*error = fingerprint(hex, diags, i)) < 0)
		return NULL;
	return json_pack("{s:o, s:o, s:s, s:s, s:{s:o, s:{s:i}}}",
			 "description", utf8_string(d->message),
			 "check_name", utf8_string(d->rule),
			 "fingerprint", hex,
			 "severity", gitlab_severity(d->severity),
			 "location",
			 "path", utf8_string(d->path),
			 "lines", "begin", d->line > 0 ? d->line : 1);
}

int chg_format_gitlab(struct chg_buf *out, const struct chg_diag_list *diags)
{
	json_t *list = json_array(), *o;
	char *text;
	size_t i;
	int error = 0;

	if (!list)
		return CHG_ENOMEM;
	for (i = 0; i < diags->n && !error; i++) {
		o = issue(diags, i, &error);
		if (!error && (!o || json_array_append_new(list, o) < 0))
			error = CHG_ENOMEM;
	}
	if (!error) {
		text = json_dumps(list, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		error = text ? chg_buf_printf(out, "%s\n", text) : CHG_ENOMEM;
		free(text);
	}
	json_decref(list);
	return error;
}
