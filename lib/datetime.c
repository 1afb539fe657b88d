#include "datetime.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "banned.h"

static int is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), after H. Hinnant. */
static int64_t days_from_civil(long y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static const char *const month_names[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

/* Stores in `why` (if not NULL) what makes a well-formed date impossible. */
static int check_date(struct chg_datetime_problem *why, int y, int m, int d)
{
	if (m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m))
		return 0;
	if (!why)
		return CHG_EINVALID;
	why->impossible = 1;
	if (m < 1 || m > 12)
		snprintf(why->reason, sizeof(why->reason),
			 "%04d-%02d-%02d does not exist: there is no month %02d (months go from 01 to 12)",
			 y, m, d, m);
	else if (m == 2 && d == 29)
		snprintf(why->reason, sizeof(why->reason),
			 "%04d-%02d-%02d does not exist: %04d is not a leap year, so February has 28 days",
			 y, m, d, y);
	else
		snprintf(why->reason, sizeof(why->reason),
			 "%04d-%02d-%02d does not exist: %s has %d days",
			 y, m, d, month_names[m - 1], days_in_month(y, m));
	return CHG_EINVALID;
}

/*
 * Reads "YYYY-MM-DD".  A text of that form that names no day is
 * CHG_EINVALID with `why` filled in (when `why` is not NULL and no earlier
 * problem was recorded); one of another form is CHG_EINVALID alone.
 */
static int parse_date(const char **p, int64_t *days, int *y, int *m, int *d)
{
	if (digits(p, 4, y) || **p != '-' || (++*p, digits(p, 2, m)) ||
	    **p != '-' || (++*p, digits(p, 2, d)))
		return CHG_EINVALID;
	if (check_date(NULL, *y, *m, *d) < 0)
		return 1; /* well formed, impossible: the caller decides */
	*days = days_from_civil(*y, *m, *d);
	return 0;
}

static void clear_problem(struct chg_datetime_problem *why)
{
	if (why) {
		why->impossible = 0;
		why->reason[0] = '\0';
	}
}

int chg_date_check(int64_t *out, struct chg_datetime_problem *why,
		   const char *s)
{
	int64_t days = 0;
	int y, m, d, rc;

	clear_problem(why);
	rc = parse_date(&s, &days, &y, &m, &d);
	if (rc < 0 || *s)
		return CHG_EINVALID;
	if (rc > 0)
		return check_date(why, y, m, d);
	*out = days * 86400;
	return 0;
}

int chg_date_parse(int64_t *out, const char *s)
{
	return chg_date_check(out, NULL, s);
}

/* Stores in `why` (if not NULL) which part of a time of day is out of range. */
static int bad_time(struct chg_datetime_problem *why, const char *what,
		    int value, const char *range)
{
	if (why) {
		why->impossible = 1;
		snprintf(why->reason, sizeof(why->reason),
			 "%s %02d does not exist: %ss go from %s", what, value,
			 what, range);
	}
	return CHG_EINVALID;
}

int chg_datetime_check(int64_t *out, struct chg_datetime_problem *why,
		       const char *s)
{
	int64_t days = 0, t;
	int y, m, d, hh, mm, ss, oh, om, sign, date_rc;

	clear_problem(why);
	/* the whole form first: a malformed text is malformed, not impossible */
	if ((date_rc = parse_date(&s, &days, &y, &m, &d)) < 0)
		return CHG_EINVALID;
	if (*s != 'T' && *s != 't' && *s != ' ')
		return CHG_EINVALID;
	s++;
	if (digits(&s, 2, &hh) || *s != ':' || (++s, digits(&s, 2, &mm)) ||
	    *s != ':' || (++s, digits(&s, 2, &ss)))
		return CHG_EINVALID;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return CHG_EINVALID;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	oh = om = 0;
	sign = 1;
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		s++;
		if (digits(&s, 2, &oh) || *s != ':' || (++s, digits(&s, 2, &om)))
			return CHG_EINVALID;
	} else {
		return CHG_EINVALID;
	}
	if (*s)
		return CHG_EINVALID;

	if (date_rc > 0)
		return check_date(why, y, m, d);
	if (hh > 23)
		return bad_time(why, "hour", hh, "00 to 23");
	if (mm > 59)
		return bad_time(why, "minute", mm, "00 to 59");
	if (ss > 60)
		return bad_time(why, "second", ss, "00 to 59 (60 for a leap second)");
	if (oh > 23 || om > 59) {
		if (why) {
			why->impossible = 1;
			snprintf(why->reason, sizeof(why->reason),
				 "offset %c%02d:%02d does not exist: offsets go from -23:59 to +23:59",
				 sign < 0 ? '-' : '+', oh, om);
		}
		return CHG_EINVALID;
	}
	t = days * 86400 + hh * 3600 + mm * 60 + ss;
	t -= sign * (oh * 3600 + om * 60);
	*out = t;
	return 0;
}

int chg_datetime_parse(int64_t *out, const char *s)
{
	return chg_datetime_check(out, NULL, s);
}

int chg_duration_parse(int64_t *out, const char *s)
{
	int64_t total = 0, n, unit;
	const int64_t max = 100LL * 366 * 86400;

	if (!*s)
		return CHG_EINVALID;
	while (*s) {
		if (*s < '0' || *s > '9')
			return CHG_EINVALID;
		n = 0;
		while (*s >= '0' && *s <= '9') {
			n = n * 10 + (*s++ - '0');
			if (n > max)
				return CHG_EINVALID;
		}
		switch (*s++) {
		case 'w': unit = 7 * 86400; break;
		case 'd': unit = 86400; break;
		case 'h': unit = 3600; break;
		case 'm': unit = 60; break;
		case 's': unit = 1; break;
		default: return CHG_EINVALID;
		}
		total += n * unit;
		if (total > max)
			return CHG_EINVALID;
	}
	*out = total;
	return 0;
}

char *chg_datetime_format(char *out, size_t size, int64_t t)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t secs = t - days * 86400, z, era, doe, yoe, y, doy, mp, d, m;

	/* civil_from_days, after H. Hinnant */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, size, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
		 (long long)y, (long long)m, (long long)d,
		 (long long)(secs / 3600), (long long)(secs / 60 % 60),
		 (long long)(secs % 60));
	return out;
}
