/*
 * datetime.h - the value types for time in change requests: datetime
 * (RFC 3339), date (ISO 8601 calendar date) and duration.
 *
 * Times are int64 seconds since 1970-01-01T00:00:00Z (leap seconds are not
 * counted; a ":60" second reads as the next second, as POSIX does).
 * Impossible dates (2023-14-05, 2026-02-30) are errors, not strings.
 *
 *	int64_t t;
 *	if (chg_datetime_parse(&t, "2026-12-05T22:00:00+01:00") == 0)
 *		...  // t == 1796504400
 */
#ifndef CHG_DATETIME_H
#define CHG_DATETIME_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses an RFC 3339 date-time with a mandatory offset ("Z", "z", or
 * "+hh:mm"/"-hh:mm"), an optional fraction of a second (ignored), and "T",
 * "t" or one space between date and time.  Stores the instant in *out
 * (seconds, UTC).  Returns 0, or CHG_EINVALID when the text is not of that
 * form or names an impossible date or time.
 */
int chg_datetime_parse(int64_t *out, const char *s);

/*
 * Parses a calendar date "YYYY-MM-DD" and stores midnight UTC of that day
 * in *out.  Returns 0 or CHG_EINVALID (wrong form or impossible date).
 */
int chg_date_parse(int64_t *out, const char *s);

/*
 * Why a date or date-time was refused: `impossible` is 1 when the text has
 * the right form but names a day or time that does not exist (2026-11-31,
 * 2023-14-05, 2026-02-29, 24:00:00), and `reason` then says so in a phrase
 * for a message ("2026-11-31 does not exist: November has 30 days");
 * otherwise the text is malformed, `impossible` is 0 and `reason` empty.
 */
struct chg_datetime_problem {
	int impossible;
	char reason[96];
};

/*
 * chg_datetime_parse and chg_date_parse, telling an impossible date or time
 * apart from a malformed text: on CHG_EINVALID, *why (if `why` is not NULL)
 * says which it is.  Returns 0 (and *why says nothing) or CHG_EINVALID.
 */
int chg_datetime_check(int64_t *out, struct chg_datetime_problem *why,
		       const char *s);
int chg_date_check(int64_t *out, struct chg_datetime_problem *why,
		   const char *s);

/*
 * Parses a duration: one or more groups of a decimal number and a unit,
 * w (weeks), d (days), h (hours), m (minutes) or s (seconds), as in "30m",
 * "2h", "5d", "1h30m".  Stores seconds in *out.  Returns 0 or CHG_EINVALID
 * (empty, unknown unit, or over 100 years).
 */
int chg_duration_parse(int64_t *out, const char *s);

/*
 * Formats `t` as RFC 3339 UTC ("2026-12-05T21:00:00Z") into `out`, which
 * must hold at least 21 bytes.  Returns `out`.
 */
char *chg_datetime_format(char *out, size_t size, int64_t t);

#endif
