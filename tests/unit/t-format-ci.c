/*
 * t-format-ci.c - the formats for CI services (lib/format.h): escaping of
 * what chg_diag_add never lets through (line breaks, control characters)
 * and of what no fixture file name holds (`:` and `,` in a path, bytes
 * that are not UTF-8), findings without a line, and the list of files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "diag.h"
#include "error.h"
#include "format.h"
#include "repo.h"
#include "banned.h"

/*
 * Two findings: an error whose message holds what the escapes are for
 * (set after chg_diag_add, which would replace the line breaks), on a
 * path with `:` and `,`; and a note without a line, on ".chg".
 */
static void fixture(struct chg_diag_list *diags)
{
	struct chg_diag *d;

	assert_int_equal(chg_diag_add(diags, "changes/a:b,c.yaml", 2, 5,
				      CHG_SEV_ERROR, "x:y,z", "placeholder"), 0);
	assert_int_equal(chg_diag_add(diags, ".chg", 0, 0, CHG_SEV_NOTE,
				      "scope", "1 finding out of scope"), 0);
	chg_diag_list_sort(diags);
	d = &diags->items[1];
	free(d->message);
	d->message = strdup("50% <b>&\"'|* \x01\r\nline\xff\xc3\xbc\xef\xbf\xbe");
	assert_non_null(d->message);
}

static void test_github(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf out = CHG_BUF_INIT;

	(void)state;
	fixture(&diags);
	assert_int_equal(chg_format_github(&out, &diags), 0);
	assert_string_equal(out.ptr,
		"::notice file=.chg,title=scope::1 finding out of scope\n"
		"::error file=changes/a%3Ab%2Cc.yaml,line=2,col=5,title=x%3Ay%2Cz::"
		"2:5: 50%25 <b>&\"'|* \x01%0D%0Aline\xef\xbf\xbd\xc3\xbc\xef\xbf\xbe\n");
	chg_buf_clear(&out);
	assert_int_equal(chg_format_github_summary(&out, &diags), 0);
	assert_string_equal(out.ptr,
		"### chg-lint: 1 error, 0 warnings, 1 note\n\n"
		"| Severity | File | Line | Rule | Message |\n"
		"| --- | --- | --- | --- | --- |\n"
		"| note | .chg |  | scope | 1 finding out of scope |\n"
		"| error | changes/a:b,c.yaml | 2:5 | x:y,z | "
		"50% \\<b\\>\\&\"'\\|\\* \x01<br>line\xef\xbf\xbd\xc3\xbc\xef\xbf\xbe |\n\n");
	chg_diag_list_release(&diags);
	chg_buf_clear(&out);
	assert_int_equal(chg_format_github_summary(&out, &diags), 0);
	assert_string_equal(out.ptr, "### chg-lint: no findings\n\n");
	chg_buf_release(&out);
}

static void test_tap(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_strlist files = CHG_STRLIST_INIT;
	struct chg_buf out = CHG_BUF_INIT;

	(void)state;
	fixture(&diags);
	assert_int_equal(chg_strlist_add(&files, "changes/#1\\.yaml"), 0);
	assert_int_equal(chg_strlist_add(&files, "changes/a:b,c.yaml"), 0);
	assert_int_equal(chg_format_tap(&out, &diags, &files, 0, NULL), 0);
	assert_string_equal(out.ptr,
		"TAP version 14\n"
		"1..3\n"
		"ok 1 - .chg\n"
		"  ---\n"
		"  findings:\n"
		"    - severity: note\n"
		"      rule: \"scope\"\n"
		"      line: 0\n"
		"      column: 0\n"
		"      message: \"1 finding out of scope\"\n"
		"  ...\n"
		"ok 2 - changes/\\#1\\\\.yaml\n"
		"not ok 3 - changes/a:b,c.yaml\n"
		"  ---\n"
		"  findings:\n"
		"    - severity: error\n"
		"      rule: \"x:y,z\"\n"
		"      line: 2\n"
		"      column: 5\n"
		"      message: \"50% <b>&\\\"'|* \\x01\\r\\nline\xef\xbf\xbd\xc3\xbc\\uFFFE\"\n"
		"  ...\n");
	chg_buf_clear(&out);
	assert_int_equal(chg_format_tap(&out, &diags, NULL, 0, "no repo # here"), 0);
	assert_non_null(strstr(out.ptr, "1..2\nok 1 - .chg\n"));
	assert_non_null(strstr(out.ptr, "  ...\nBail out! no repo \\# here\n"));
	chg_strlist_release(&files);
	chg_diag_list_release(&diags);
	chg_buf_release(&out);
}

static void test_tap_strict(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf out = CHG_BUF_INIT;

	(void)state;
	assert_int_equal(chg_diag_add(&diags, "a.yaml", 1, 1, CHG_SEV_WARNING,
				      "w", "warned"), 0);
	assert_int_equal(chg_format_tap(&out, &diags, NULL, 0, NULL), 0);
	assert_non_null(strstr(out.ptr, "\nok 1 - a.yaml\n"));
	chg_buf_clear(&out);
	assert_int_equal(chg_format_tap(&out, &diags, NULL, 1, NULL), 0);
	assert_non_null(strstr(out.ptr, "\nnot ok 1 - a.yaml\n"));
	chg_diag_list_release(&diags);
	chg_buf_release(&out);
}

static void test_checkstyle(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf out = CHG_BUF_INIT;

	(void)state;
	fixture(&diags);
	assert_int_equal(chg_format_checkstyle(&out, &diags, NULL), 0);
	assert_string_equal(out.ptr,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<checkstyle version=\"4.3\">\n"
		"  <file name=\".chg\">\n"
		"    <error severity=\"info\" message=\"1 finding out of scope\" source=\"chg.scope\"/>\n"
		"  </file>\n"
		"  <file name=\"changes/a:b,c.yaml\">\n"
		"    <error line=\"2\" column=\"5\" severity=\"error\" message=\""
		"50% &lt;b&gt;&amp;&quot;&apos;|* \xef\xbf\xbd&#13;&#10;line\xef\xbf\xbd\xc3\xbc\xef\xbf\xbd"
		"\" source=\"chg.x:y,z\"/>\n"
		"  </file>\n"
		"</checkstyle>\n");
	chg_diag_list_release(&diags);
	chg_buf_release(&out);
}

static void test_gitlab(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf out = CHG_BUF_INIT;
	const char *a, *b;

	(void)state;
	fixture(&diags);
	assert_int_equal(chg_format_gitlab(&out, &diags), 0);
	/* invalid UTF-8 replaced, not refused by jansson; no line is line 1 */
	assert_non_null(strstr(out.ptr, "line\xef\xbf\xbd\xc3\xbc"));
	assert_non_null(strstr(out.ptr, "\"begin\": 1\n"));
	assert_non_null(strstr(out.ptr, "\"severity\": \"info\""));
	chg_buf_clear(&out);
	chg_diag_list_release(&diags);

	/* the same finding twice: two fingerprints */
	assert_int_equal(chg_diag_add(&diags, "a.yaml", 1, 1, CHG_SEV_ERROR,
				      "r", "same"), 0);
	assert_int_equal(chg_diag_add(&diags, "a.yaml", 1, 1, CHG_SEV_ERROR,
				      "r", "same"), 0);
	assert_int_equal(chg_format_gitlab(&out, &diags), 0);
	a = strstr(out.ptr, "\"fingerprint\": \"");
	assert_non_null(a);
	b = strstr(a + 1, "\"fingerprint\": \"");
	assert_non_null(b);
	assert_memory_not_equal(a, b, 16 + 64);
	chg_diag_list_release(&diags);
	chg_buf_release(&out);
}

static void test_report_paths(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_strlist files = CHG_STRLIST_INIT, out = CHG_STRLIST_INIT;

	(void)state;
	assert_int_equal(chg_diag_add(&diags, "b", 1, 1, CHG_SEV_ERROR, "r", "m"), 0);
	assert_int_equal(chg_diag_add(&diags, "b", 2, 1, CHG_SEV_ERROR, "r", "m"), 0);
	assert_int_equal(chg_diag_add(&diags, ".chg", 0, 0, CHG_SEV_NOTE, "r", "m"), 0);
	assert_int_equal(chg_strlist_add(&files, "c"), 0);
	assert_int_equal(chg_strlist_add(&files, "b"), 0);
	assert_int_equal(chg_format_report_paths(&out, &diags, &files), 0);
	assert_int_equal(out.n, 3);
	assert_string_equal(out.items[0], ".chg");
	assert_string_equal(out.items[1], "b");
	assert_string_equal(out.items[2], "c");
	chg_strlist_release(&out);
	chg_strlist_release(&files);
	chg_diag_list_release(&diags);
}

static void test_utf8(void **state)
{
	struct chg_buf out = CHG_BUF_INIT;

	(void)state;
	/* overlong, surrogate, above U+10FFFF, truncated; then valid */
	assert_int_equal(chg_format_put_utf8(&out,
		"\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82|\xf0\x9f\x98\x80"), 0);
	assert_string_equal(out.ptr,
		"\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
		"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|"
		"\xf0\x9f\x98\x80");
	chg_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_github),
		cmocka_unit_test(test_tap),
		cmocka_unit_test(test_tap_strict),
		cmocka_unit_test(test_checkstyle),
		cmocka_unit_test(test_gitlab),
		cmocka_unit_test(test_report_paths),
		cmocka_unit_test(test_utf8),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
