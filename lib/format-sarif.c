#include "format.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "rules.h"
#include "banned.h"

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#define SARIF_VERSION "2.1.0"
#define SRCROOT "%SRCROOT%"
#define FINGERPRINT "chgFinding/v1"

/* SARIF's level for a severity: the names are the same. */
static const char *level_of(enum chg_severity sev)
{
	return chg_severity_name(sev);
}

/*
 * `path` as a relative URI reference: RFC 3986's unreserved characters,
 * '/' and the sub-delimiters are kept, every other byte percent-encoded
 * (a space, '%', '<' of "<built-in policy>", non-ASCII).
 */
static int uri_of(struct chg_buf *out, const char *path)
{
	static const char keep[] = "-._~/!$&'()*+,;=@";
	const unsigned char *p;
	int error = 0;

	for (p = (const unsigned char *)path; *p && !error; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p))
			error = chg_buf_putc(out, (char)*p);
		else
			error = chg_buf_printf(out, "%%%02X", *p);
	}
	/* a first segment with ':' would read as a scheme; none is kept */
	return error;
}

/*
 * The commit a finding of a range is about: "in COMMIT: " at the start
 * of the message (range.c), COMMIT 4 to 40 hex digits.  Stores it in
 * `out` (41 bytes) and returns 1, else 0.
 */
static int commit_of(char *out, const char *message)
{
	size_t n;

	if (strncmp(message, "in ", 3))
		return 0;
	n = strspn(message + 3, "0123456789abcdef");
	if (n < 4 || n > 40 || strncmp(message + 3 + n, ": ", 2))
		return 0;
	memcpy(out, message + 3, n);
	out[n] = '\0';
	return 1;
}

/*
 * The fingerprint of `d`: SHA-256 (hex) of its path, rule id and message,
 * NUL-separated, with the digits that follow "line " in the message left
 * out (a message may name the line of another finding), so that moving
 * unrelated lines does not change it.
 */
static int fingerprint(char out[65], const struct chg_diag *d)
{
	struct chg_buf b = CHG_BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	const char *m = d->message;
	int error;

	error = chg_buf_put(&b, d->path, strlen(d->path) + 1);
	if (!error)
		error = chg_buf_put(&b, d->rule, strlen(d->rule) + 1);
	while (!error && *m) {
		if (!strncmp(m, "line ", 5) && m[5] >= '0' && m[5] <= '9') {
			error = chg_buf_puts(&b, "line #");
			m += 5;
			while (*m >= '0' && *m <= '9')
				m++;
			continue;
		}
		error = chg_buf_putc(&b, *m++);
	}
	if (!error && !EVP_Digest(b.ptr, b.len, md, &mdlen, EVP_sha256(), NULL))
		error = CHG_ENOMEM;
	chg_buf_release(&b);
	if (error)
		return error;
	for (i = 0; i < mdlen && i < 32; i++) {
		static const char hex[] = "0123456789abcdef";
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * i] = '\0';
	return 0;
}

static json_t *text(const char *s)
{
	return json_pack("{s:s}", "text", s);
}

static json_t *rule_descriptor(const struct chg_rule_info *r)
{
	json_t *o = json_pack("{s:s, s:o, s:o, s:o}", "id", r->id,
			      "shortDescription", text(r->summary),
			      "fullDescription", text(r->help),
			      "help", text(r->help));
	struct chg_buf uri = CHG_BUF_INIT;

	if (!o)
		return NULL;
	if (r->kind != CHG_RULE_POLICY) {
		if (chg_buf_printf(&uri, "%s#%s", CHG_RULES_DOC_URI, r->id) < 0 ||
		    json_object_set_new(o, "helpUri", json_string(uri.ptr)) < 0) {
			chg_buf_release(&uri);
			goto fail;
		}
		chg_buf_release(&uri);
	}
	if (json_object_set_new(o, "defaultConfiguration",
				json_pack("{s:s}", "level", level_of(r->severity))) < 0 ||
	    json_object_set_new(o, "properties",
				json_pack("{s:s, s:b}", "kind", chg_rule_kind_name(r->kind),
					  "waivable", r->waivable)) < 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* Counts how often `hash` was seen before among `seen`, and records it. */
static size_t occurrence(json_t *seen, const char *hash)
{
	json_t *n = json_object_get(seen, hash);
	size_t k = n ? (size_t)json_integer_value(n) + 1 : 1;

	json_object_set_new(seen, hash, json_integer((json_int_t)k));
	return k;
}

static json_t *result(const struct chg_diag *d, const struct chg_rules *rules,
		      json_t *seen)
{
	struct chg_buf uri = CHG_BUF_INIT;
	char hash[65], commit[41], fp[96];
	json_t *o = NULL, *loc, *phys;
	size_t i;

	if (uri_of(&uri, d->path) < 0 || fingerprint(hash, d) < 0)
		goto fail;
	o = json_pack("{s:s}", "ruleId", d->rule);
	if (!o)
		goto fail;
	for (i = 0; i < rules->n; i++)
		if (!strcmp(rules->items[i].id, d->rule))
			break;
	if (i < rules->n &&
	    json_object_set_new(o, "ruleIndex", json_integer((json_int_t)i)) < 0)
		goto fail;
	phys = json_pack("{s:{s:s, s:s}}", "artifactLocation", "uri", uri.ptr,
			 "uriBaseId", SRCROOT);
	if (phys && d->line > 0) {
		json_t *region = json_pack("{s:i}", "startLine", d->line);
		if (region && d->column > 0)
			json_object_set_new(region, "startColumn", json_integer(d->column));
		json_object_set_new(phys, "region", region);
	}
	loc = json_pack("[{s:o}]", "physicalLocation", phys);
	snprintf(fp, sizeof(fp), "%s:%zu", hash, occurrence(seen, hash));
	if (json_object_set_new(o, "level", json_string(level_of(d->severity))) < 0 ||
	    json_object_set_new(o, "message", text(d->message)) < 0 ||
	    json_object_set_new(o, "locations", loc) < 0 ||
	    json_object_set_new(o, "partialFingerprints",
				json_pack("{s:s}", FINGERPRINT, fp)) < 0)
		goto fail;
	if (commit_of(commit, d->message) &&
	    json_object_set_new(o, "properties",
				json_pack("{s:s}", "commit", commit)) < 0)
		goto fail;
	chg_buf_release(&uri);
	return o;
fail:
	chg_buf_release(&uri);
	json_decref(o);
	return NULL;
}

/* The run: tool, base URIs, results. */
static json_t *run(const struct chg_diag_list *diags,
		   const struct chg_format_info *info,
		   const struct chg_rules *rules)
{
	json_t *driver, *list, *results, *seen = json_object(), *o;
	size_t i;

	driver = json_pack("{s:s, s:s, s:s, s:[]}", "name", "chg-lint",
			   "version", info->version && *info->version ?
			   info->version : "unknown",
			   "informationUri", CHG_RULES_DOC_URI, "rules");
	o = json_pack("{s:{s:o}, s:{s:{s:{s:s}}}, s:[], s:s}",
		      "tool", "driver", driver,
		      "originalUriBaseIds", SRCROOT, "description", "text",
		      "the root of the change repository (the working tree or the revision linted)",
		      "results", "columnKind", "unicodeCodePoints");
	if (!o || !seen)
		goto fail;
	list = json_object_get(driver, "rules");
	for (i = 0; i < rules->n; i++)
		if (json_array_append_new(list, rule_descriptor(&rules->items[i])) < 0)
			goto fail;
	results = json_object_get(o, "results");
	for (i = 0; i < diags->n; i++)
		if (json_array_append_new(results, result(&diags->items[i], rules,
							  seen)) < 0)
			goto fail;
	json_decref(seen);
	return o;
fail:
	json_decref(seen);
	json_decref(o);
	return NULL;
}

int chg_format_sarif(struct chg_buf *out, const struct chg_diag_list *diags,
		     const struct chg_format_info *info)
{
	struct chg_format_info none = CHG_FORMAT_INFO_INIT;
	struct chg_rules builtin;
	const struct chg_rules *rules;
	json_t *root = NULL;
	char *dump = NULL;
	int error = 0;

	if (!info)
		info = &none;
	memset(&builtin, 0, sizeof(builtin));
	rules = info->rules && info->rules->n ? info->rules : &builtin;
	if (rules == &builtin && chg_rules_init(&builtin) < 0)
		return CHG_ENOMEM;
	root = json_pack("{s:s, s:s, s:[o]}", "$schema", SARIF_SCHEMA,
			 "version", SARIF_VERSION, "runs", run(diags, info, rules));
	if (root)
		dump = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (dump)
		error = chg_buf_printf(out, "%s\n", dump);
	else
		error = CHG_ENOMEM;
	free(dump);
	json_decref(root);
	chg_rules_release(&builtin);
	return error;
}
