/*
 * trailer.h - approval trailers in commit messages (DESIGN section 5).
 *
 * An approval commit carries, in the trailer block at the end of its
 * message, as git-interpret-trailers(1) defines it:
 *
 *	Change-Request: CHG-0042
 *	Change-Digest: sha256:<64 lowercase hex>
 *	Approved-by: Alice Example <alice@example.com>
 *
 * (or Rejected-by: for a rejection).  Trailers are parsed by libgit2's
 * git_message_trailers, so a "trailer" hidden higher up in the body is not
 * one; keys compare case-insensitively.  This module only reads what the
 * message says and checks its form; whether an approval counts is
 * approval.h's business.
 *
 *	struct chg_trailers t;
 *	if (chg_trailers_parse(&t, message) == 0 && t.change_request) {
 *		...
 *	}
 *	chg_trailers_release(&t);
 */
#ifndef CHG_TRAILER_H
#define CHG_TRAILER_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"

/* The approval-related trailers of one commit message. */
struct chg_trailers {
	/* Values of the first occurrence of each key, or NULL if absent.
	 * Leading and trailing white space removed. */
	char *change_request;
	char *change_digest;
	char *approved_by;
	char *rejected_by;
	/* How many times each key occurred (a well-formed approval has each
	 * once; more is an error the caller reports). */
	size_t n_change_request;
	size_t n_change_digest;
	size_t n_approved_by;
	size_t n_rejected_by;
};

/* Zeroes `t`. */
void chg_trailers_init(struct chg_trailers *t);

/* Frees the strings held by `t` and zeroes it.  NULL-safe. */
void chg_trailers_release(struct chg_trailers *t);

/*
 * Parses the trailers of the commit message `message` (NUL-terminated) with
 * git_message_trailers, filling `out` (which need not be initialised; the
 * caller releases it).  Returns 0 (also when there are no trailers),
 * CHG_ENOMEM, or CHG_EGIT.
 */
int chg_trailers_parse(struct chg_trailers *out, const char *message);

/*
 * Returns 1 when the message carries any approval trailer
 * (Change-Request, Change-Digest, Approved-by or Rejected-by), else 0.
 */
int chg_trailers_any(const struct chg_trailers *t);

/*
 * Splits a git identity "Name <email>" into freshly allocated `name` and
 * `email` (either out pointer may be NULL if not wanted).  The name must be
 * non-empty and contain no '<', '>' or newline; the email must be non-empty,
 * contain exactly one '@' with text on both sides, and no white space,
 * '<' or '>'; nothing may follow the closing '>'.  Returns 0, CHG_EINVALID
 * when `ident` is not of that form, or CHG_ENOMEM.
 */
int chg_ident_parse(char **name, char **email, const char *ident);

/*
 * Checks the form of the approval trailers in `t` (the commit-msg hook's
 * check).  When any approval trailer is present: Change-Request,
 * Change-Digest and exactly one of Approved-by / Rejected-by must each occur
 * exactly once (else "required-field" for a missing one, "invalid-value" for
 * a repeated one or for both Approved-by and Rejected-by); the Change-Request
 * value must not be empty, the digest must satisfy chg_digest_is_valid and
 * the identity chg_ident_parse (else "invalid-value", the message quoting
 * the bad value).  Diagnostics are added under `path` with line and
 * column 0, severity error.
 * Returns the number of diagnostics added (0 when well formed, and when
 * there are no approval trailers at all), or CHG_ENOMEM.
 */
int chg_trailers_check(const struct chg_trailers *t, const char *path,
		       struct chg_diag_list *diags);

/*
 * Writes into `out` (appended) the message of an approval of the change
 * request `id` (a rejection when `rejected`) whose content has the digest
 * `digest`, by `identity` ("Name <email>"), as chg approve makes it:
 *
 *	Approve CHG-0042: TITLE          ("Reject ..."; no ": TITLE" when
 *	                                  `title` is NULL or empty)
 *	COMMENT                          (when not NULL or empty, after a
 *	                                  blank line)
 *	Change-Request: CHG-0042         (after a blank line)
 *	Change-Digest: sha256:<64 hex>
 *	Approved-by: Name <email>        (Rejected-by: for a rejection)
 *
 * Control characters in the title become spaces, so that the subject is
 * one line; the comment's leading blank lines and trailing white space are
 * dropped.  The message is then read back as chg_trailers_parse reads it:
 * its trailers must be exactly these three, once each, with these values
 * and well formed (chg_trailers_check), so that nothing in the title or
 * the comment adds, hides or replaces a trailer (a comment line "---"
 * would end the part of the message where git looks for trailers).
 *
 * Returns 0; CHG_EINVALID when the message read back is not that (`out`
 * holds it all the same); CHG_ENOMEM; CHG_EGIT.
 */
int chg_trailers_format(struct chg_buf *out, const char *id,
			const char *digest, const char *identity, int rejected,
			const char *title, const char *comment);

#endif
