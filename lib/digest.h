/*
 * digest.h - the canonical form of a change request and its digest
 * (DESIGN section 5).
 *
 * An approval is for the content that was reviewed: the Change-Digest
 * trailer is "sha256:" followed by the lowercase hex SHA-256 (FIPS 180-4)
 * of the change request's canonical form.  The canonical form is compact
 * JSON (RFC 8259, no whitespace between tokens) of the YAML mapping without
 * the top-level fields listed in the policy's approvals.not-covered:
 *
 *   - mappings are objects with keys sorted by their UTF-8 bytes
 *     (memcmp order; a key that is a prefix of another sorts first);
 *   - sequences are arrays;
 *   - every scalar is a JSON string of its value as libyaml reports it, so
 *     ~, true and 42 are the strings "~", "true" and "42";
 *   - strings escape only '"' and '\\' (as \" and \\) and bytes below 0x20:
 *     \b \f \n \r \t, others as \u00XX with lowercase hex; every other byte
 *     is copied literally (the loader has already checked UTF-8);
 *   - aliases are expanded (the loader does that).
 *
 * Comments, key order, quoting style and layout therefore do not change the
 * digest; any change of covered content does.  When a key repeats in a
 * mapping (the loader reports duplicate-key), only the first is used.
 *
 *	char digest[CHG_DIGEST_SIZE];
 *	const char *skip[] = { "state", "review", NULL };
 *	if (chg_digest_compute(digest, root, skip) == 0)
 *		puts(digest);   // sha256:3b1f...
 */
#ifndef CHG_DIGEST_H
#define CHG_DIGEST_H

#include "buf.h"
#include "node.h"

/* "sha256:" + 64 hex digits + NUL */
#define CHG_DIGEST_SIZE (7 + 64 + 1)

/*
 * Appends the canonical JSON of `root` to `out`.  When `root` is a mapping,
 * its top-level keys listed in the NULL-terminated array `skip` (may be
 * NULL) are left out; nested keys of the same names are kept.
 * Returns 0 or CHG_ENOMEM.
 */
int chg_digest_canonical(struct chg_buf *out, const struct chg_node *root,
			 const char *const *skip);

/*
 * Computes "sha256:<hex>" of the canonical form of `root` (see above) into
 * `out`, which must hold CHG_DIGEST_SIZE bytes.  Returns 0, CHG_ENOMEM, or
 * CHG_ERROR when the hash library fails.
 */
int chg_digest_compute(char out[CHG_DIGEST_SIZE], const struct chg_node *root,
		       const char *const *skip);

/*
 * Returns 1 when `s` is a well-formed digest: "sha256:" followed by exactly
 * 64 lowercase hex digits and nothing else; else 0.
 */
int chg_digest_is_valid(const char *s);

#endif
