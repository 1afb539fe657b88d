/*
 * tz.h - local civil time in an IANA time zone and UTC instants, converted
 * with ICU's time-zone data (DESIGN section 8).
 *
 * Instants are int64 seconds since 1970-01-01T00:00:00Z, as in datetime.h.
 * A local time that a daylight-saving change skips moves forward by the
 * length of the gap, and a local time that a change repeats takes its
 * first occurrence (RFC 5545 section 3.3.5):
 *
 *	struct chg_civil lt = { 2026, 3, 29, 2, 30, 0 };
 *	int64_t t;
 *	chg_tz_to_utc(&t, "Europe/Berlin", &lt);   // 2026-03-29T01:30:00Z
 *	lt.month = 10; lt.day = 25;
 *	chg_tz_to_utc(&t, "Europe/Berlin", &lt);   // 2026-10-25T00:30:00Z
 *
 * Nothing here changes TZ or the process environment.  Zone names are
 * plain IANA names ("Europe/Berlin", "America/New_York", "UTC").
 */
#ifndef CHG_TZ_H
#define CHG_TZ_H

#include <stddef.h>
#include <stdint.h>

/* A local date and time (proleptic Gregorian calendar). */
struct chg_civil {
	int year;
	int month;     /* 1-12 */
	int day;       /* 1-31 */
	int hour;      /* 0-23 */
	int minute;    /* 0-59 */
	int second;    /* 0-59 */
};

/*
 * Returns 1 when `zone` names a time zone of ICU's data (an IANA name or
 * one of its aliases, such as "UTC"), else 0.  A name ICU does not know
 * is never silently read as GMT.
 */
int chg_tz_valid(const char *zone);

/*
 * Converts the local time `lt` in `zone` to the UTC instant *out (seconds):
 * a skipped local time moves forward by the gap, a repeated one takes the
 * first occurrence.  `lt` must name an existing day and time (the fields
 * are not normalised).  Returns 0, CHG_EINVALID (unknown zone or impossible
 * date or time; *out is unchanged) or CHG_ERROR (ICU failed).
 */
int chg_tz_to_utc(int64_t *out, const char *zone, const struct chg_civil *lt);

/*
 * Converts the UTC instant `t` (seconds) to the local time *out in `zone`
 * and stores the zone's offset from UTC at that instant in *offset
 * (seconds east of UTC; `offset` may be NULL).  Returns 0, CHG_EINVALID
 * (unknown zone) or CHG_ERROR (ICU failed).
 */
int chg_tz_from_utc(struct chg_civil *out, int *offset, const char *zone,
		    int64_t t);

/*
 * Formats the UTC instant `t` as local time in `zone` for a message, as
 * "2026-03-28 22:00 Europe/Berlin" (seconds are shown when not zero), into
 * `out` of `size` bytes (64 are always enough).  On an unknown zone it
 * falls back to RFC 3339 UTC.  Returns `out`.
 */
char *chg_tz_format(char *out, size_t size, const char *zone, int64_t t);

/* Days from 1970-01-01 to the date of `lt` (negative before it). */
int64_t chg_civil_days(const struct chg_civil *lt);

/*
 * Sets the date of *lt to `days` after 1970-01-01 (keeping its time of
 * day).
 */
void chg_civil_set_days(struct chg_civil *lt, int64_t days);

/* The day of the week of the date `days` after 1970-01-01: 0 Monday ... 6 Sunday. */
int chg_civil_weekday(int64_t days);

#endif
