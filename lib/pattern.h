/*
 * pattern.h - regular expressions in policies: PCRE2, compiled once per
 * policy load, UTF-8 aware, with JIT where the platform has it, and bounded
 * (match and depth limits) so that a catastrophic pattern cannot hang the
 * linter.
 *
 *	struct chg_pattern *re;
 *	char err[256];
 *	size_t off;
 *	if (chg_pattern_compile(&re, "^db-prod", err, sizeof(err), &off) < 0)
 *		report(err, off);
 *	if (chg_pattern_match(re, value, len) == 1)
 *		...
 *	chg_pattern_free(re);
 */
#ifndef CHG_PATTERN_H
#define CHG_PATTERN_H

#include <stddef.h>

struct chg_pattern;

/* The match limit (PCRE2 "match limit": backtracking steps) per match. */
#define CHG_PATTERN_MATCH_LIMIT 1000000
/* The depth limit (PCRE2 "depth limit") per match. */
#define CHG_PATTERN_DEPTH_LIMIT 10000

/*
 * Compiles the NUL-terminated PCRE2 pattern `src` with PCRE2_UTF (and
 * PCRE2_UCP), then JIT-compiles it when JIT is available.  On success stores
 * a new pattern in *out (free with chg_pattern_free) and returns 0.  On a
 * syntax error returns CHG_EINVALID, writes PCRE2's message into `err`
 * (`errsize` bytes) and the 0-based offset in the pattern into *erroffset.
 * Returns CHG_ENOMEM on allocation failure.
 */
int chg_pattern_compile(struct chg_pattern **out, const char *src, char *err,
			size_t errsize, size_t *erroffset);

/*
 * Matches `len` bytes of `subject` (valid UTF-8) against `re` (unanchored
 * unless the pattern anchors itself).  Returns 1 on a match, 0 when there
 * is none, CHG_ELIMIT when the match or depth limit was reached (the caller
 * reports that, it is never taken as a match), CHG_EINVALID for a subject
 * that is not valid UTF-8, CHG_ENOMEM.
 */
int chg_pattern_match(const struct chg_pattern *re, const char *subject,
		      size_t len);

/* The source text the pattern was compiled from (owned by `re`). */
const char *chg_pattern_source(const struct chg_pattern *re);

/* Frees a pattern.  NULL-safe. */
void chg_pattern_free(struct chg_pattern *re);

#endif
