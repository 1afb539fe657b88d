#include "trailer.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <git2.h>

#include "buf.h"
#include "digest.h"
#include "error.h"
#include "banned.h"

void chg_trailers_init(struct chg_trailers *t)
{
	memset(t, 0, sizeof(*t));
}

void chg_trailers_release(struct chg_trailers *t)
{
	if (!t)
		return;
	free(t->change_request);
	free(t->change_digest);
	free(t->approved_by);
	free(t->rejected_by);
	chg_trailers_init(t);
}

/*
 * Where the trailer `key` is kept in `t`, or 0 when it is not an approval
 * trailer.
 */
static int trailer_slot(char ***value, size_t **count, struct chg_trailers *t,
			const char *key)
{
	if (!strcasecmp(key, "Change-Request")) {
		*value = &t->change_request;
		*count = &t->n_change_request;
	} else if (!strcasecmp(key, "Change-Digest")) {
		*value = &t->change_digest;
		*count = &t->n_change_digest;
	} else if (!strcasecmp(key, "Approved-by")) {
		*value = &t->approved_by;
		*count = &t->n_approved_by;
	} else if (!strcasecmp(key, "Rejected-by")) {
		*value = &t->rejected_by;
		*count = &t->n_rejected_by;
	} else {
		return 0;
	}
	return 1;
}

/* A copy of `s` without leading and trailing white space, or NULL. */
static char *dup_trimmed(const char *s)
{
	size_t len;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return strndup(s, len);
}

int chg_trailers_parse(struct chg_trailers *out, const char *message)
{
	git_message_trailer_array arr = { NULL, 0, NULL };
	char **value;
	size_t *count, i;
	int error = 0;

	chg_trailers_init(out);
	if (git_message_trailers(&arr, message) < 0) {
		error = CHG_EGIT;
		goto cleanup;
	}
	for (i = 0; i < arr.count; i++) {
		const char *v = arr.trailers[i].value;

		if (!trailer_slot(&value, &count, out, arr.trailers[i].key))
			continue;
		(*count)++;
		if (*value)
			continue;
		/*
		 * libgit2 lets an empty value ("Approved-by:" at the end
		 * of a line) run on into the next line; the value is empty.
		 */
		*value = dup_trimmed(v[0] == '\n' ? "" : v);
		if (!*value) {
			error = CHG_ENOMEM;
			goto cleanup;
		}
	}

cleanup:
	git_message_trailer_array_free(&arr);
	if (error < 0)
		chg_trailers_release(out);
	return error;
}

int chg_trailers_any(const struct chg_trailers *t)
{
	return t->n_change_request || t->n_change_digest ||
	       t->n_approved_by || t->n_rejected_by;
}

static int has_space(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (isspace((unsigned char)s[i]))
			return 1;
	return 0;
}

int chg_ident_parse(char **name, char **email, const char *ident)
{
	const char *lt, *at, *e, *n, *n_end;
	size_t len, e_len;
	char *name_copy = NULL, *email_copy = NULL;

	if (name)
		*name = NULL;
	if (email)
		*email = NULL;

	/* "Name <email>": the email is between the last '<' and a final '>' */
	len = strlen(ident);
	lt = strrchr(ident, '<');
	if (!lt || !len || ident[len - 1] != '>')
		return CHG_EINVALID;
	e = lt + 1;
	e_len = (size_t)(ident + len - 1 - e);
	at = memchr(e, '@', e_len);
	if (!at || at == e || at == e + e_len - 1 ||
	    memchr(at + 1, '@', (size_t)(e + e_len - at - 1)) ||
	    memchr(e, '>', e_len) || has_space(e, e_len))
		return CHG_EINVALID;

	/* the name before it: a '<' in it is caught here too */
	n = ident;
	n_end = lt;
	if (memchr(n, '<', (size_t)(n_end - n)) ||
	    memchr(n, '>', (size_t)(n_end - n)) ||
	    memchr(n, '\n', (size_t)(n_end - n)))
		return CHG_EINVALID;
	while (n < n_end && isspace((unsigned char)*n))
		n++;
	while (n_end > n && isspace((unsigned char)n_end[-1]))
		n_end--;
	if (n == n_end)
		return CHG_EINVALID;

	if (name && !(name_copy = strndup(n, (size_t)(n_end - n))))
		goto nomem;
	if (email && !(email_copy = strndup(e, e_len)))
		goto nomem;
	if (name)
		*name = name_copy;
	if (email)
		*email = email_copy;
	return 0;
nomem:
	free(name_copy);
	free(email_copy);
	return CHG_ENOMEM;
}

/* Adds an error diagnostic about the message and counts it. */
__attribute__((format(printf, 5, 6)))
static int report(int *added, struct chg_diag_list *diags, const char *path,
		  const char *rule, const char *fmt, ...)
{
	struct chg_buf msg = CHG_BUF_INIT;
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = chg_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (!error)
		error = chg_diag_add(diags, path, 0, 0, CHG_SEV_ERROR, rule,
				     "%s", msg.ptr);
	chg_buf_release(&msg);
	if (error < 0)
		return CHG_ENOMEM;
	(*added)++;
	return 0;
}

/*
 * Checks that the trailer `key` occurred exactly once.  Returns 1 when it
 * did, 0 when it did not (and reports that), or a negative error code.
 */
static int check_once(int *added, struct chg_diag_list *diags,
		      const char *path, const char *key, size_t n)
{
	int error;

	if (n == 1)
		return 1;
	if (n == 0)
		error = report(added, diags, path, "required-field",
			       "missing %s trailer", key);
	else
		error = report(added, diags, path, "invalid-value",
			       "trailer %s occurs %zu times, expected once",
			       key, n);
	return error < 0 ? error : 0;
}

/* Checks an Approved-by or Rejected-by trailer that occurred `n` times. */
static int check_identity(int *added, struct chg_diag_list *diags,
			  const char *path, const char *key, size_t n,
			  const char *value)
{
	int once;

	if (!n)
		return 0;
	if ((once = check_once(added, diags, path, key, n)) <= 0)
		return once;
	/* without out pointers nothing is allocated: 0 or CHG_EINVALID */
	if (!chg_ident_parse(NULL, NULL, value))
		return 0;
	return report(added, diags, path, "invalid-value",
		      "invalid %s identity '%s', expected 'Name <email>'",
		      key, value);
}

int chg_trailers_check(const struct chg_trailers *t, const char *path,
		       struct chg_diag_list *diags)
{
	int added = 0, once, error = 0;

	if (!chg_trailers_any(t))
		return 0;

	if ((once = check_once(&added, diags, path, "Change-Request",
			       t->n_change_request)) < 0)
		return once;
	if (once && !*t->change_request &&
	    (error = report(&added, diags, path, "invalid-value",
			    "empty Change-Request trailer")) < 0)
		return error;

	if ((once = check_once(&added, diags, path, "Change-Digest",
			       t->n_change_digest)) < 0)
		return once;
	if (once && !chg_digest_is_valid(t->change_digest) &&
	    (error = report(&added, diags, path, "invalid-value",
			    "invalid Change-Digest '%s', expected 'sha256:' and 64 lowercase hex digits",
			    t->change_digest)) < 0)
		return error;

	if (t->n_approved_by && t->n_rejected_by)
		error = report(&added, diags, path, "invalid-value",
			       "both Approved-by and Rejected-by trailers, expected one of them");
	else if (!t->n_approved_by && !t->n_rejected_by)
		error = report(&added, diags, path, "required-field",
			       "missing Approved-by or Rejected-by trailer");
	if (error < 0)
		return error;

	if ((error = check_identity(&added, diags, path, "Approved-by",
				    t->n_approved_by, t->approved_by)) < 0 ||
	    (error = check_identity(&added, diags, path, "Rejected-by",
				    t->n_rejected_by, t->rejected_by)) < 0)
		return error;
	return added;
}

/* Appends `title` with each control character as a space, without
 * trailing white space. */
static int put_subject_text(struct chg_buf *out, const char *title)
{
	size_t start = out->len;
	int error = 0;

	for (; *title && !error; title++)
		error = chg_buf_putc(out, iscntrl((unsigned char)*title) ? ' ' : *title);
	while (!error && out->len > start && out->ptr[out->len - 1] == ' ')
		out->ptr[--out->len] = '\0';
	return error;
}

/* Whether `have` is `want`, occurring once. */
static int is_once(const char *have, size_t n, const char *want)
{
	return n == 1 && have && !strcmp(have, want);
}

int chg_trailers_format(struct chg_buf *out, const char *id,
			const char *digest, const char *identity, int rejected,
			const char *title, const char *comment)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_trailers t;
	size_t start = out->len, len;
	int error;

	chg_trailers_init(&t);
	if ((error = chg_buf_printf(out, "%s %s", rejected ? "Reject" : "Approve", id)) < 0)
		goto cleanup;
	if (title && *title) {
		if ((error = chg_buf_puts(out, ": ")) < 0 ||
		    (error = put_subject_text(out, title)) < 0)
			goto cleanup;
	}
	if ((error = chg_buf_puts(out, "\n\n")) < 0)
		goto cleanup;
	if (comment) {
		while (*comment == '\n' || *comment == '\r')
			comment++;
		len = strlen(comment);
		while (len && isspace((unsigned char)comment[len - 1]))
			len--;
		if (len && ((error = chg_buf_put(out, comment, len)) < 0 ||
			    (error = chg_buf_puts(out, "\n\n")) < 0))
			goto cleanup;
	}
	if ((error = chg_buf_printf(out, "Change-Request: %s\nChange-Digest: %s\n%s: %s\n",
				    id, digest, rejected ? "Rejected-by" : "Approved-by",
				    identity)) < 0)
		goto cleanup;

	/* read back as chg-lint will read it */
	if ((error = chg_trailers_parse(&t, out->ptr + start)) < 0 ||
	    (error = chg_trailers_check(&t, "", &diags)) < 0)
		goto cleanup;
	if (error > 0 ||
	    !is_once(t.change_request, t.n_change_request, id) ||
	    !is_once(t.change_digest, t.n_change_digest, digest) ||
	    (rejected ? t.n_approved_by : t.n_rejected_by) ||
	    !(rejected ? is_once(t.rejected_by, t.n_rejected_by, identity) :
			 is_once(t.approved_by, t.n_approved_by, identity)))
		error = CHG_EINVALID;
cleanup:
	chg_trailers_release(&t);
	chg_diag_list_release(&diags);
	return error;
}
