/*
 * t-datetime.c - the time value types of a change request (lib/datetime.h,
 * DESIGN section 3): RFC 3339 date-times with a mandatory offset, calendar
 * dates, durations, and the UTC formatter.
 *
 * The expected epoch values were computed independently with GNU date:
 * `date -u -d 2026-12-05T22:00:00+01:00 +%s`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "datetime.h"
#include "error.h"
#include "banned.h"

/* A value the parsers must not leave behind when they refuse. */
#define UNTOUCHED INT64_C(-4242424242)

/* Checks one parse: `rc` and `t` against what was expected of `s`. */
static void check(const char *what, const char *s, int rc, int64_t t,
		  int ok, int64_t expected)
{
	if (ok && rc != 0)
		fail_msg("%s '%s' refused (%d)", what, s, rc);
	if (!ok && rc != CHG_EINVALID)
		fail_msg("%s '%s' accepted as %lld", what, s, (long long)t);
	if (t != expected)
		fail_msg("%s '%s' gave %lld, expected %lld", what, s,
			 (long long)t, (long long)expected);
}

static void datetime_is(const char *s, int64_t expected)
{
	int64_t t = UNTOUCHED;
	int rc = chg_datetime_parse(&t, s);

	check("datetime", s, rc, t, 1, expected);
}

static void datetime_bad(const char *s)
{
	int64_t t = UNTOUCHED;
	int rc = chg_datetime_parse(&t, s);

	check("datetime", s, rc, t, 0, UNTOUCHED);
}

static void date_is(const char *s, int64_t expected)
{
	int64_t t = UNTOUCHED;
	int rc = chg_date_parse(&t, s);

	check("date", s, rc, t, 1, expected);
}

static void date_bad(const char *s)
{
	int64_t t = UNTOUCHED;
	int rc = chg_date_parse(&t, s);

	check("date", s, rc, t, 0, UNTOUCHED);
}

static void duration_is(const char *s, int64_t expected)
{
	int64_t t = UNTOUCHED;
	int rc = chg_duration_parse(&t, s);

	check("duration", s, rc, t, 1, expected);
}

static void duration_bad(const char *s)
{
	int64_t t = UNTOUCHED;
	int rc = chg_duration_parse(&t, s);

	check("duration", s, rc, t, 0, UNTOUCHED);
}

static void test_datetime_utc(void **state)
{
	(void)state;
	datetime_is("2026-12-05T22:00:00Z", INT64_C(1796508000));
	datetime_is("2026-12-05T22:00:00z", INT64_C(1796508000));
	datetime_is("2026-12-05t22:00:00Z", INT64_C(1796508000));
	datetime_is("2026-12-05 22:00:00Z", INT64_C(1796508000));
	datetime_is("1970-01-01T00:00:00Z", 0);
	datetime_is("1969-12-31T23:59:59Z", -1);
	datetime_is("2026-01-01T00:00:00Z", INT64_C(1767225600));
	datetime_is("9999-12-31T23:59:59Z", INT64_C(253402300799));
	datetime_is("0001-01-01T00:00:00Z", INT64_C(-62135596800));
}

static void test_datetime_offsets(void **state)
{
	(void)state;
	/* the example in datetime.h */
	datetime_is("2026-12-05T22:00:00+01:00", INT64_C(1796504400));
	datetime_is("2026-12-05T22:00:00-05:30", INT64_C(1796527800));
	datetime_is("2026-12-05T22:00:00+00:00", INT64_C(1796508000));
	datetime_is("2026-12-05T22:00:00-00:00", INT64_C(1796508000));
	/* an offset that moves the instant into the previous year */
	datetime_is("1999-12-31T23:59:59+14:00", INT64_C(946634399));
	datetime_is("2026-12-05T21:00:00Z", INT64_C(1796504400));
}

static void test_datetime_fraction(void **state)
{
	(void)state;
	datetime_is("2026-12-05T22:00:00.5Z", INT64_C(1796508000));
	datetime_is("2026-12-05T22:00:00.999999999+01:00", INT64_C(1796504400));
	datetime_is("2026-12-05T22:00:00.000z", INT64_C(1796508000));
	datetime_bad("2026-12-05T22:00:00.Z");
	datetime_bad("2026-12-05T22:00:00.");
	datetime_bad("2026-12-05T22:00:00,5Z");
	datetime_bad("2026-12-05T22:00:00.5");
}

static void test_datetime_calendar(void **state)
{
	(void)state;
	/* leap years: every fourth, not centuries, but every fourth century */
	datetime_is("2028-02-29T12:00:00Z", INT64_C(1835438400));
	datetime_is("2000-02-29T00:00:00Z", INT64_C(951782400));
	datetime_is("1900-03-01T00:00:00Z", INT64_C(-2203891200));
	datetime_bad("2026-02-29T00:00:00Z");
	datetime_bad("1900-02-29T00:00:00Z");
	datetime_bad("2028-02-30T00:00:00Z");
	/* impossible dates are errors, not strings */
	datetime_bad("2023-14-05T00:00:00Z");
	datetime_bad("2026-13-01T00:00:00Z");
	datetime_bad("2026-00-10T00:00:00Z");
	datetime_bad("2026-04-31T00:00:00Z");
	datetime_bad("2026-06-31T00:00:00Z");
	datetime_bad("2026-01-32T00:00:00Z");
	datetime_bad("2026-01-00T00:00:00Z");
	datetime_is("2026-01-31T00:00:00Z", INT64_C(1769817600));
	datetime_is("2026-04-30T00:00:00Z", INT64_C(1777507200));
}

static void test_datetime_clock(void **state)
{
	(void)state;
	/* a leap second reads as the next second */
	datetime_is("2016-12-31T23:59:60Z", INT64_C(1483228800));
	datetime_is("2016-12-31T23:59:59Z", INT64_C(1483228799));
	datetime_is("2026-12-05T23:59:59Z", INT64_C(1796515199));
	datetime_bad("2026-12-05T24:00:00Z");
	datetime_bad("2026-12-05T23:60:00Z");
	datetime_bad("2026-12-05T23:59:61Z");
	datetime_bad("2026-12-05T22:00Z");
	datetime_bad("2026-12-05T2:00:00Z");
	datetime_bad("2026-12-05T22:0:00Z");
}

static void test_datetime_offset_form(void **state)
{
	(void)state;
	/* the offset is mandatory */
	datetime_bad("2026-12-05T22:00:00");
	datetime_bad("2026-12-05");
	/* and written +hh:mm, directly after the time */
	datetime_bad("2026-12-05T22:00:00 +01:00");
	datetime_bad("2026-12-05T22:00:00 Z");
	datetime_bad("2026-12-05 22:00:00 Z");
	datetime_bad("2026-12-05 22:00:00 +01:00");
	datetime_bad("2026-12-05T22:00:00+0100");
	datetime_bad("2026-12-05T22:00:00+01");
	datetime_bad("2026-12-05T22:00:00+1:00");
	datetime_bad("2026-12-05T22:00:00+24:00");
	datetime_bad("2026-12-05T22:00:00+01:60");
	datetime_bad("2026-12-05T22:00:00UTC");
}

static void test_datetime_junk(void **state)
{
	(void)state;
	datetime_bad("");
	datetime_bad("2026-12-05T22:00:00Zjunk");
	datetime_bad("2026-12-05T22:00:00Z ");
	datetime_bad(" 2026-12-05T22:00:00Z");
	datetime_bad("2026-12-05T22:00:00+01:00x");
	datetime_bad("2026-12-05T22:00:00ZZ");
	datetime_bad("2026-12-05X22:00:00Z");
	datetime_bad("2026-12-05  22:00:00Z");
	datetime_bad("2026-12-5T22:00:00Z");
	datetime_bad("26-12-05T22:00:00Z");
	datetime_bad("+2026-12-05T22:00:00Z");
	datetime_bad("2026/12/05T22:00:00Z");
	datetime_bad("2026-12-05T22-00-00Z");
}

static void test_date(void **state)
{
	(void)state;
	date_is("2026-12-05", INT64_C(1796428800));
	date_is("2028-02-29", INT64_C(1835395200));
	date_is("1970-01-01", 0);
	date_is("2026-12-31", INT64_C(1798675200));
	date_bad("2026-02-29");
	date_bad("2023-14-05");
	date_bad("2026-04-31");
	date_bad("2026-12-5");
	date_bad("2026-12-05T00:00:00Z");
	date_bad("2026-12-05 ");
	date_bad("20261205");
	date_bad("");
}

static void test_duration(void **state)
{
	(void)state;
	duration_is("30m", 1800);
	duration_is("2h", 7200);
	duration_is("48h", 172800);
	duration_is("5d", 432000);
	duration_is("14d", 1209600);
	duration_is("1w", 604800);
	duration_is("45s", 45);
	duration_is("0m", 0);
	duration_is("1h30m", 5400);
	duration_is("1w2d3h4m5s", 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
	/* up to 100 years of 366 days */
	duration_is("36600d", INT64_C(3162240000));
	duration_is("5228w", INT64_C(3161894400));
}

static void test_duration_bad(void **state)
{
	(void)state;
	duration_bad("");
	duration_bad("m");
	duration_bad("5x");
	duration_bad("5M");
	duration_bad("5");
	duration_bad("1h30");
	duration_bad("-1d");
	duration_bad("+1d");
	duration_bad("1.5h");
	duration_bad("1h 30m");
	duration_bad(" 5m");
	duration_bad("5m ");
	duration_bad("5y");
	/* over 100 years */
	duration_bad("36601d");
	duration_bad("5229w");
	duration_bad("3162240001s");
	duration_bad("36599d2d");
	/* numbers that would overflow 64 bits */
	duration_bad("9223372036854775807s");
	duration_bad("99999999999999999999999999d");
	duration_bad("18446744073709551617w");
}

static void format_is(int64_t t, const char *expected)
{
	char out[32], *ret;

	memset(out, 'x', sizeof(out));
	ret = chg_datetime_format(out, sizeof(out), t);
	assert_ptr_equal(ret, out);
	assert_string_equal(out, expected);
}

static void test_format(void **state)
{
	char small[21];

	(void)state;
	format_is(0, "1970-01-01T00:00:00Z");
	format_is(-1, "1969-12-31T23:59:59Z");
	format_is(-86400, "1969-12-31T00:00:00Z");
	format_is(-86401, "1969-12-30T23:59:59Z");
	format_is(INT64_C(1796504400), "2026-12-05T21:00:00Z");
	format_is(INT64_C(1835438400), "2028-02-29T12:00:00Z");
	format_is(INT64_C(951782400), "2000-02-29T00:00:00Z");
	format_is(INT64_C(253402300799), "9999-12-31T23:59:59Z");
	format_is(INT64_C(-62135596800), "0001-01-01T00:00:00Z");
	/* 21 bytes are enough */
	chg_datetime_format(small, sizeof(small), INT64_C(1796508000));
	assert_string_equal(small, "2026-12-05T22:00:00Z");
}

static void test_format_round_trip(void **state)
{
	static const int64_t samples[] = {
		0, 1, -1, 59, 86399, 86400, INT64_C(951782399),
		INT64_C(951782400), INT64_C(951868800), INT64_C(1483228800),
		INT64_C(1796504400), INT64_C(1835395199), INT64_C(1835438400),
		INT64_C(4107542400), INT64_C(-2203891201), INT64_C(-62135596800),
		INT64_C(253402300799)
	};
	char text[32];
	int64_t t, back;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(*samples); i++) {
		chg_datetime_format(text, sizeof(text), samples[i]);
		assert_int_equal(chg_datetime_parse(&back, text), 0);
		assert_true(back == samples[i]);
	}
	/* every day from 1999 to 2031 at a time of day that moves */
	for (t = INT64_C(915148800); t < INT64_C(1956528000); t += 86400 + 3607) {
		chg_datetime_format(text, sizeof(text), t);
		assert_int_equal(chg_datetime_parse(&back, text), 0);
		assert_true(back == t);
	}
	/* a parsed offset comes back as the same instant in UTC */
	assert_int_equal(chg_datetime_parse(&t, "2026-12-05T22:00:00-05:30"), 0);
	assert_string_equal(chg_datetime_format(text, sizeof(text), t),
			    "2026-12-06T03:30:00Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datetime_utc),
		cmocka_unit_test(test_datetime_offsets),
		cmocka_unit_test(test_datetime_fraction),
		cmocka_unit_test(test_datetime_calendar),
		cmocka_unit_test(test_datetime_clock),
		cmocka_unit_test(test_datetime_offset_form),
		cmocka_unit_test(test_datetime_junk),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_duration_bad),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_round_trip),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
