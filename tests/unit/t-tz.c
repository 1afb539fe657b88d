/*
 * t-tz.c - local time in IANA zones and UTC instants (lib/tz.h, DESIGN
 * section 8): a skipped local time moves forward by the gap, a repeated
 * one takes its first occurrence, in Europe/Berlin and America/New_York on
 * both daylight-saving weekends of 2026.
 *
 * The expected epoch values were computed independently with GNU date:
 * `date -u -d 2026-03-29T01:30:00Z +%s`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "tz.h"
#include "banned.h"

static int64_t utc(const char *zone, int y, int mo, int d, int h, int mi)
{
	struct chg_civil lt = { y, mo, d, h, mi, 0 };
	int64_t t = -1;

	if (chg_tz_to_utc(&t, zone, &lt) < 0)
		fail_msg("%s %04d-%02d-%02d %02d:%02d refused", zone, y, mo, d,
			 h, mi);
	return t;
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(chg_tz_valid("Europe/Berlin"));
	assert_true(chg_tz_valid("America/New_York"));
	assert_true(chg_tz_valid("UTC"));
	assert_false(chg_tz_valid("Europe/Berlinn"));
	assert_false(chg_tz_valid("Mars/Olympus"));
	assert_false(chg_tz_valid(""));
	assert_false(chg_tz_valid(NULL));
	assert_false(chg_tz_valid("Europe/Berlin "));
}

static void test_plain(void **state)
{
	(void)state;
	/* CEST in July: +02:00 */
	assert_int_equal(utc("Europe/Berlin", 2026, 7, 1, 14, 0), 1782907200);
	/* the Saturday before the March change: CET */
	assert_int_equal(utc("Europe/Berlin", 2026, 3, 28, 22, 0), 1774731600);
	assert_int_equal(utc("UTC", 2026, 7, 1, 12, 0), 1782907200);
}

static void test_skipped(void **state)
{
	(void)state;
	/* 02:30 does not exist on 2026-03-29 in Berlin: 03:30 CEST */
	assert_int_equal(utc("Europe/Berlin", 2026, 3, 29, 2, 30), 1774747800);
	/* 04:00 CEST, after the gap */
	assert_int_equal(utc("Europe/Berlin", 2026, 3, 29, 4, 0), 1774749600);
	/* 02:30 does not exist on 2026-03-08 in New York: 03:30 EDT */
	assert_int_equal(utc("America/New_York", 2026, 3, 8, 2, 30), 1772955000);
}

static void test_repeated(void **state)
{
	(void)state;
	/* 02:30 happens twice on 2026-10-25 in Berlin: the first, CEST */
	assert_int_equal(utc("Europe/Berlin", 2026, 10, 25, 2, 30), 1792888200);
	/* 04:00 CET */
	assert_int_equal(utc("Europe/Berlin", 2026, 10, 25, 4, 0), 1792897200);
	/* 01:30 happens twice on 2026-11-01 in New York: the first, EDT */
	assert_int_equal(utc("America/New_York", 2026, 11, 1, 1, 30), 1793511000);
}

static void test_refused(void **state)
{
	struct chg_civil lt = { 2026, 2, 29, 12, 0, 0 };
	int64_t t = 42;

	(void)state;
	assert_int_equal(chg_tz_to_utc(&t, "Europe/Berlin", &lt), CHG_EINVALID);
	lt.month = 3;
	assert_int_equal(chg_tz_to_utc(&t, "Nowhere/Atlantis", &lt), CHG_EINVALID);
	lt.hour = 24;
	assert_int_equal(chg_tz_to_utc(&t, "Europe/Berlin", &lt), CHG_EINVALID);
	assert_int_equal(t, 42);
}

static void test_from_utc(void **state)
{
	struct chg_civil lt;
	int off;

	(void)state;
	assert_int_equal(chg_tz_from_utc(&lt, &off, "Europe/Berlin", 1792888200), 0);
	assert_int_equal(lt.hour, 2);
	assert_int_equal(lt.minute, 30);
	assert_int_equal(off, 7200);
	/* an hour later it is 02:30 again, in CET */
	assert_int_equal(chg_tz_from_utc(&lt, &off, "Europe/Berlin", 1792891800), 0);
	assert_int_equal(lt.day, 25);
	assert_int_equal(lt.hour, 2);
	assert_int_equal(off, 3600);
	assert_int_equal(chg_tz_from_utc(&lt, &off, "America/New_York", 1772955000), 0);
	assert_int_equal(lt.hour, 3);
	assert_int_equal(off, -4 * 3600);
}

static void test_format(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(chg_tz_format(buf, sizeof(buf), "Europe/Berlin", 1774731600),
			    "2026-03-28 22:00 Europe/Berlin");
	assert_string_equal(chg_tz_format(buf, sizeof(buf), "America/New_York", 1793511001),
			    "2026-11-01 01:30:01 America/New_York");
	assert_string_equal(chg_tz_format(buf, sizeof(buf), "Bogus/Zone", 1774731600),
			    "2026-03-28T21:00:00Z");
}

static void test_civil(void **state)
{
	struct chg_civil lt = { 2026, 3, 28, 22, 0, 0 };
	int64_t d = chg_civil_days(&lt);

	(void)state;
	assert_int_equal(d, 20540);
	assert_int_equal(chg_civil_weekday(d), 5); /* Saturday */
	chg_civil_set_days(&lt, d + 4);
	assert_int_equal(lt.year, 2026);
	assert_int_equal(lt.month, 4);
	assert_int_equal(lt.day, 1);
	assert_int_equal(lt.hour, 22);
	chg_civil_set_days(&lt, 0);
	assert_int_equal(lt.year, 1970);
	assert_int_equal(chg_civil_weekday(0), 3); /* Thursday */
	assert_int_equal(chg_civil_weekday(-1), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_skipped),
		cmocka_unit_test(test_repeated),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_from_utc),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_civil),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
