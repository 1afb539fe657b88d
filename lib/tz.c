#include "tz.h"

#include <stdio.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "datetime.h"
#include "error.h"
#include "banned.h"

/* An IANA name is short and ASCII; ICU's zone ids are UChar strings. */
#define ZONE_MAX 64

/* Earlier than any date chg deals with: the calendar is purely Gregorian. */
#define PURE_GREGORIAN (-8.64e15)

static int zone_uchars(UChar *out, int32_t *len, const char *zone)
{
	size_t i, n = zone ? strlen(zone) : 0;

	if (!n || n >= ZONE_MAX)
		return CHG_EINVALID;
	for (i = 0; i < n; i++)
		if ((unsigned char)zone[i] <= ' ' || (unsigned char)zone[i] >= 0x7f)
			return CHG_EINVALID;
	u_charsToUChars(zone, out, (int32_t)n);
	out[n] = 0;
	*len = (int32_t)n;
	return 0;
}

int chg_tz_valid(const char *zone)
{
	UChar id[ZONE_MAX], canon[ZONE_MAX * 2];
	UErrorCode status = U_ZERO_ERROR;
	UBool system = 0;
	int32_t len;

	if (zone_uchars(id, &len, zone) < 0)
		return 0;
	ucal_getCanonicalTimeZoneID(id, len, canon, ZONE_MAX * 2, &system,
				    &status);
	return U_SUCCESS(status) && system;
}

/*
 * Opens a Gregorian calendar in `zone` that resolves a skipped wall time
 * with the offset from before the change (which moves it forward by the
 * gap: 02:30 in a gap from 02:00 to 03:00 is 03:30) and a repeated one to
 * its first occurrence.  ICU's UCAL_WALLTIME_NEXT_VALID would give 03:00
 * instead.
 */
static int open_calendar(UCalendar **out, const char *zone)
{
	UChar id[ZONE_MAX];
	UErrorCode status = U_ZERO_ERROR;
	UCalendar *cal;
	int32_t len;

	if (!chg_tz_valid(zone) || zone_uchars(id, &len, zone) < 0)
		return CHG_EINVALID;
	cal = ucal_open(id, len, "en_US_POSIX", UCAL_GREGORIAN, &status);
	if (U_FAILURE(status))
		return CHG_ERROR;
	ucal_setGregorianChange(cal, PURE_GREGORIAN, &status);
	ucal_setAttribute(cal, UCAL_LENIENT, 1);
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_LAST);
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	if (U_FAILURE(status)) {
		ucal_close(cal);
		return CHG_ERROR;
	}
	*out = cal;
	return 0;
}

/*
 * The calendars opened so far, by zone: opening one (and validating its
 * zone) costs far more than a conversion, and a run converts many times in
 * a few zones.  Every conversion sets all the fields it reads, so a
 * calendar carries nothing from one to the next.  They live as long as
 * the process (a process converts in a handful of zones); a zone past the
 * last slot gets a calendar of its own each time.
 */
#define CALENDARS 16

static struct {
	char zone[ZONE_MAX];
	UCalendar *cal;
} calendars[CALENDARS];

/* Stores in *out the calendar of `zone`; *own says whether the caller
   closes it. */
static int calendar_of(UCalendar **out, int *own, const char *zone)
{
	size_t i;
	int error;

	*own = 0;
	for (i = 0; i < CALENDARS && calendars[i].cal; i++)
		if (!strcmp(calendars[i].zone, zone)) {
			*out = calendars[i].cal;
			return 0;
		}
	if ((error = open_calendar(out, zone)) < 0)
		return error;
	if (i < CALENDARS && strlen(zone) < ZONE_MAX) {
		memcpy(calendars[i].zone, zone, strlen(zone) + 1);
		calendars[i].cal = *out;
	} else {
		*own = 1;
	}
	return 0;
}

static int civil_ok(const struct chg_civil *lt)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (lt->year % 4 == 0 && lt->year % 100 != 0) || lt->year % 400 == 0;

	if (lt->month < 1 || lt->month > 12 || lt->day < 1 ||
	    lt->day > mdays[lt->month - 1] ||
	    (lt->month == 2 && lt->day == 29 && !leap))
		return 0;
	return lt->hour >= 0 && lt->hour < 24 && lt->minute >= 0 &&
	       lt->minute < 60 && lt->second >= 0 && lt->second < 60 &&
	       lt->year > -100000 && lt->year < 100000;
}

int chg_tz_to_utc(int64_t *out, const char *zone, const struct chg_civil *lt)
{
	UErrorCode status = U_ZERO_ERROR;
	UCalendar *cal;
	UDate ms;
	int error, own;

	if (!civil_ok(lt))
		return CHG_EINVALID;
	if ((error = calendar_of(&cal, &own, zone)) < 0)
		return error;
	ucal_clear(cal);
	ucal_setDateTime(cal, lt->year, lt->month - 1, lt->day, lt->hour,
			 lt->minute, lt->second, &status);
	ucal_set(cal, UCAL_MILLISECOND, 0);
	ms = ucal_getMillis(cal, &status);
	if (own)
		ucal_close(cal);
	if (U_FAILURE(status))
		return CHG_ERROR;
	*out = (int64_t)(ms / 1000.0);
	return 0;
}

int chg_tz_from_utc(struct chg_civil *out, int *offset, const char *zone,
		    int64_t t)
{
	UErrorCode status = U_ZERO_ERROR;
	UCalendar *cal;
	int error, own;

	if ((error = calendar_of(&cal, &own, zone)) < 0)
		return error;
	ucal_clear(cal);
	ucal_setMillis(cal, (UDate)t * 1000.0, &status);
	out->year = ucal_get(cal, UCAL_EXTENDED_YEAR, &status);
	out->month = ucal_get(cal, UCAL_MONTH, &status) + 1;
	out->day = ucal_get(cal, UCAL_DATE, &status);
	out->hour = ucal_get(cal, UCAL_HOUR_OF_DAY, &status);
	out->minute = ucal_get(cal, UCAL_MINUTE, &status);
	out->second = ucal_get(cal, UCAL_SECOND, &status);
	if (offset)
		*offset = (ucal_get(cal, UCAL_ZONE_OFFSET, &status) +
			   ucal_get(cal, UCAL_DST_OFFSET, &status)) / 1000;
	if (own)
		ucal_close(cal);
	return U_FAILURE(status) ? CHG_ERROR : 0;
}

char *chg_tz_format(char *out, size_t size, const char *zone, int64_t t)
{
	struct chg_civil lt;

	if (chg_tz_from_utc(&lt, NULL, zone, t) < 0)
		return chg_datetime_format(out, size, t);
	if (lt.second)
		snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d %s", lt.year,
			 lt.month, lt.day, lt.hour, lt.minute, lt.second, zone);
	else
		snprintf(out, size, "%04d-%02d-%02d %02d:%02d %s", lt.year,
			 lt.month, lt.day, lt.hour, lt.minute, zone);
	return out;
}

/* After H. Hinnant's days_from_civil and civil_from_days. */
int64_t chg_civil_days(const struct chg_civil *lt)
{
	int64_t y = lt->year - (lt->month <= 2), era, yoe, doy, doe;
	int m = lt->month;

	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + lt->day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void chg_civil_set_days(struct chg_civil *lt, int64_t days)
{
	int64_t z = days + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	lt->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	lt->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	lt->year = (int)(yoe + era * 400 + (lt->month <= 2));
}

int chg_civil_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (3) */
	int64_t w = (days + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}
