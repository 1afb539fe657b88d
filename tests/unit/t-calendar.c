/*
 * t-calendar.c - the iCalendar line folding of lib/calendar.h (RFC 5545
 * section 3.1): content lines are unfolded, then cut at 75 octets, each
 * continuation line beginning with a space, never inside a UTF-8
 * character, every line ending in CRLF.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "calendar.h"
#include "error.h"
#include "banned.h"

static void fold(struct chg_buf *out, const char *in)
{
	chg_buf_clear(out);
	assert_int_equal(chg_calendar_fold(out, in, strlen(in)), 0);
}

/* Unfolds `s` (CRLF SPACE removed): what a reader sees. */
static void unfold(struct chg_buf *out, const char *s)
{
	chg_buf_clear(out);
	for (; *s; s++) {
		if (s[0] == '\r' && s[1] == '\n' && s[2] == ' ') {
			s += 2;
			continue;
		}
		chg_buf_putc(out, *s);
	}
}

/* Every line ends in CRLF, has at most 75 octets and does not begin with
 * a UTF-8 continuation byte after the fold's space. */
static void check_lines(const char *s)
{
	const char *eol;

	while (*s) {
		eol = strstr(s, "\r\n");
		assert_non_null(eol);
		assert_true(eol - s <= 75);
		assert_null(memchr(s, '\n', (size_t)(eol - s)));
		if (*s == ' ')
			assert_int_not_equal((unsigned char)s[1] & 0xc0, 0x80);
		if (eol > s)
			assert_int_not_equal((unsigned char)eol[-1] & 0xc0, 0xc0);
		s = eol + 2;
	}
}

static void test_short(void **state)
{
	struct chg_buf b = CHG_BUF_INIT;

	(void)state;
	fold(&b, "BEGIN:VCALENDAR\nEND:VCALENDAR\n");
	assert_string_equal(b.ptr, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
	fold(&b, "A:1\r\nB:2\r\n");
	assert_string_equal(b.ptr, "A:1\r\nB:2\r\n");
	chg_buf_release(&b);
}

static void test_ascii(void **state)
{
	struct chg_buf b = CHG_BUF_INIT, u = CHG_BUF_INIT;
	char line[200];

	(void)state;
	memset(line, 'x', sizeof(line));
	memcpy(line, "SUMMARY:", 8);
	line[160] = '\n';
	line[161] = '\0';
	fold(&b, line);
	/* 75, then 1 + 74, then 1 + 11 */
	assert_int_equal(b.len, 75 + 2 + 75 + 2 + 12 + 2);
	assert_memory_equal(b.ptr + 75, "\r\n x", 4);
	assert_memory_equal(b.ptr + 152, "\r\n x", 4);
	check_lines(b.ptr);
	unfold(&u, b.ptr);
	line[160] = '\0';
	assert_memory_equal(u.ptr, line, 160);
	chg_buf_release(&b);
	chg_buf_release(&u);
}

static void test_utf8(void **state)
{
	struct chg_buf b = CHG_BUF_INIT, u = CHG_BUF_INIT, in = CHG_BUF_INIT;
	int shift, i;

	(void)state;
	/* at every phase a 2-, 3- and 4-octet character meets the cut */
	for (shift = 0; shift < 4; shift++) {
		chg_buf_clear(&in);
		chg_buf_puts(&in, "SUMMARY:");
		for (i = 0; i < shift; i++)
			chg_buf_putc(&in, 'a');
		for (i = 0; i < 30; i++)
			chg_buf_puts(&in, "\xc3\xa4\xe6\x97\xa5\xf0\x9f\x98\x80");
		fold(&b, in.ptr);
		check_lines(b.ptr);
		unfold(&u, b.ptr);
		assert_int_equal(u.len, in.len + 2);
		assert_memory_equal(u.ptr, in.ptr, in.len);
	}
	chg_buf_release(&b);
	chg_buf_release(&u);
	chg_buf_release(&in);
}

static void test_refold(void **state)
{
	struct chg_buf b = CHG_BUF_INIT, again = CHG_BUF_INIT;

	(void)state;
	/* a line folded elsewhere (even inside a character) is unfolded first */
	fold(&b, "DESCRIPTION:ab\xc3\r\n \xa4 cd\r\n\tef\r\nEND:VEVENT\r\n");
	assert_string_equal(b.ptr, "DESCRIPTION:ab\xc3\xa4 cdef\r\nEND:VEVENT\r\n");
	fold(&again, b.ptr);
	assert_string_equal(again.ptr, b.ptr);
	chg_buf_release(&b);
	chg_buf_release(&again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_refold),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
