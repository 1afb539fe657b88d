/*
 * t-rules.c - the rule registry (lib/rules.h) and the reports that read
 * it (lib/format.h: SARIF, JUnit): every entry is complete and unique,
 * what may be waived agrees with the policy's minimum, the policy's rules
 * join a run-time set, and the reports escape what their formats cannot
 * hold.
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
#include "explain.h"
#include "format.h"
#include "policy.h"
#include "rules.h"
#include "banned.h"

static struct chg_policy *load_policy(const char *text)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_policy *p = NULL;
	size_t i;
	int rc;

	rc = chg_policy_load(&p, text, text ? strlen(text) : 0,
			     ".chg/policy.yaml", &diags);
	for (i = 0; i < diags.n; i++)
		fprintf(stderr, "# %s:%d: %s\n", diags.items[i].path,
			diags.items[i].line, diags.items[i].message);
	assert_int_equal(rc, 0);
	chg_diag_list_release(&diags);
	return p;
}

/* Every entry has an id, a summary of one line, help, examples; ids unique. */
static void test_entries_complete(void **state)
{
	const struct chg_rule_info *r, *s;
	size_t i, j;

	(void)state;
	assert_true(chg_rule_count() >= 38);
	for (i = 0; (r = chg_rule_at(i)); i++) {
		assert_non_null(r->id);
		assert_ptr_equal(chg_rule_lookup(r->id), r);
		assert_true(r->kind != CHG_RULE_POLICY);
		assert_non_null(r->summary);
		assert_true(strlen(r->summary) > 10);
		assert_null(strchr(r->summary, '\n'));
		assert_true(r->summary[0] >= 'a' && r->summary[0] <= 'z');
		assert_true(r->summary[strlen(r->summary) - 1] != '.');
		assert_non_null(r->help);
		assert_true(strlen(r->help) > 40);
		for (j = 0; j < i; j++) {
			s = chg_rule_at(j);
			assert_string_not_equal(s->id, r->id);
		}
	}
	assert_int_equal(i, chg_rule_count());
	assert_null(chg_rule_at(i));
	assert_null(chg_rule_lookup("no-such-rule"));
	assert_null(chg_rule_lookup(NULL));
}

/* The explained checks are the registry's CHG_RULE_CHECK entries. */
static void test_explain_reads_registry(void **state)
{
	struct chg_policy *p = load_policy(NULL);
	struct chg_explanation e;
	const struct chg_rule_info *r;
	size_t i, n = 0;

	(void)state;
	chg_explanation_init(&e);
	for (i = 0; (r = chg_rule_at(i)); i++) {
		if (r->kind == CHG_RULE_CHECK)
			assert_string_equal(chg_explain_check_id(n++), r->id);
		assert_int_equal(chg_explain_check(&e, p, r->id, 0), 0);
		assert_string_equal(e.id, r->id);
		assert_memory_equal(e.description.ptr, r->help, strlen(r->help));
		/* these two take their severity from the policy */
		if (strcmp(r->id, "unknown-field") && strcmp(r->id, "window-conflict"))
			assert_string_equal(e.severity.ptr, r->severity_text ?
					    r->severity_text :
					    chg_severity_name(r->severity));
	}
	assert_null(chg_explain_check_id(n));
	chg_explanation_release(&e);
	chg_policy_free(p);
}

/* What may never be waived is the policy's minimum, no more, no less. */
static void test_waivable_agrees_with_policy(void **state)
{
	const struct chg_rule_info *r;
	struct chg_policy *p = load_policy(NULL);
	struct chg_buf text = CHG_BUF_INIT;
	size_t i, j;
	int listed;

	(void)state;
	for (i = 0; (r = chg_rule_at(i)); i++) {
		listed = 0;
		for (j = 0; chg_policy_not_waivable_minimum[j]; j++)
			listed |= !strcmp(chg_policy_not_waivable_minimum[j], r->id);
		assert_int_equal(r->waivable, !listed);
		assert_int_equal(chg_rules_waivable(p, r->id), r->waivable);
		assert_int_equal(chg_rules_waivable(p, r->id),
				 chg_policy_waivable(p, r->id));
	}
	for (j = 0; chg_policy_not_waivable_minimum[j]; j++)
		assert_non_null(chg_rule_lookup(chg_policy_not_waivable_minimum[j]));
	assert_int_equal(chg_rules_waivable(p, "my-own-rule"), 1);
	chg_policy_free(p);

	/* the policy's list adds to the registry's */
	chg_buf_puts(&text, "version: 1\nwaivers:\n  not-waivable: [window-order, my-own-rule");
	for (j = 0; chg_policy_not_waivable_minimum[j]; j++)
		chg_buf_printf(&text, ", %s", chg_policy_not_waivable_minimum[j]);
	chg_buf_puts(&text, "]\n");
	p = load_policy(text.ptr);
	assert_int_equal(chg_rules_waivable(p, "window-order"), 0);
	assert_int_equal(chg_rules_waivable(p, "my-own-rule"), 0);
	assert_int_equal(chg_rules_waivable(p, "invalid-value"), 1);
	assert_int_equal(chg_rules_waivable(p, "yaml-syntax"), 0);
	chg_policy_free(p);
	chg_buf_release(&text);
}

/* The policy's rules join the set: new ids appended, a shared id replaced. */
static void test_policy_rules_join(void **state)
{
	static const char policy[] =
		"version: 1\n"
		"rules:\n"
		"  - id: needs-ticket\n"
		"    description: Every change names its ticket.\n"
		"    require: [ticket]\n"
		"    severity: warning\n"
		"  - id: window-order\n"
		"    require: [window]\n"
		"    severity: note\n"
		"    message: our own window rule\n";
	struct chg_policy *p;
	struct chg_rules rules;
	const struct chg_rule_info *r;

	(void)state;
	p = load_policy(policy);
	assert_int_equal(chg_rules_init(&rules), 0);
	assert_int_equal(rules.n, chg_rule_count());
	assert_int_equal(chg_rules_add_policy(&rules, p), 0);
	chg_policy_free(p);
	assert_int_equal(rules.n, chg_rule_count() + 1);

	r = chg_rules_find(&rules, "needs-ticket");
	assert_ptr_equal(r, &rules.items[rules.n - 1]);
	assert_int_equal(r->kind, CHG_RULE_POLICY);
	assert_int_equal(r->severity, CHG_SEV_WARNING);
	assert_int_equal(r->waivable, 1);
	assert_string_equal(r->summary, "FIELD does not meet rule needs-ticket");
	assert_string_equal(r->help, "Every change names its ticket.  A rule of the policy (.chg/policy.yaml, rules:): FIELD does not meet rule needs-ticket.");

	r = chg_rules_find(&rules, "window-order");
	assert_ptr_equal(r, &rules.items[chg_rule_lookup("window-order") - chg_rule_at(0)]);
	assert_int_equal(r->kind, CHG_RULE_POLICY);
	assert_int_equal(r->severity, CHG_SEV_NOTE);
	assert_string_equal(r->summary, "our own window rule");
	assert_null(chg_rules_find(&rules, "no-such-rule"));
	chg_rules_release(&rules);
	chg_rules_release(&rules);
	chg_rules_release(NULL);
}

static void add(struct chg_diag_list *diags, const char *path, int line,
		enum chg_severity sev, const char *rule, const char *msg)
{
	assert_int_equal(chg_diag_add(diags, path, line, line ? 3 : 0, sev,
				      rule, "%s", msg), 0);
}

/* JUnit: XML's specials, bytes that are not UTF-8, a path without a line. */
static void test_junit_escapes(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_format_info info = CHG_FORMAT_INFO_INIT;
	struct chg_buf out = CHG_BUF_INIT;
	static const char *const paths[] = { "changes/b.yaml", "changes/a.d/x" };

	(void)state;
	add(&diags, "changes/b.yaml", 2, CHG_SEV_ERROR, "r-one",
	    "<a href=\"x\">&'</a> caf\xc3\xa9 \xff\xfe end");
	add(&diags, "changes/b.yaml", 0, CHG_SEV_WARNING, "r-two", "whole file");
	info.paths = paths;
	info.npaths = 2;
	assert_int_equal(chg_format_junit(&out, &diags, &info), 0);
	assert_string_equal(out.ptr,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"chg-lint\" tests=\"3\" failures=\"1\" errors=\"0\" time=\"0\">\n"
		"  <testsuite name=\"changes/a.d/x\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0\">\n"
		"    <testcase classname=\"changes.a.d.x\" name=\"chg-lint\" time=\"0\"/>\n"
		"  </testsuite>\n"
		"  <testsuite name=\"changes/b.yaml\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"0\">\n"
		"    <testcase classname=\"changes.b\" name=\"r-one\" time=\"0\">\n"
		"      <failure message=\"&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt; caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd end\" type=\"error\">"
		"changes/b.yaml:2:3: error: &lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt; caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd end [r-one]\n"
		"</failure>\n"
		"    </testcase>\n"
		"    <testcase classname=\"changes.b\" name=\"r-two\" time=\"0\">\n"
		"      <system-out>changes/b.yaml: warning: whole file [r-two]\n"
		"</system-out>\n"
		"    </testcase>\n"
		"  </testsuite>\n"
		"</testsuites>\n");
	chg_buf_release(&out);
	chg_diag_list_release(&diags);
}

/* SARIF: a path that is not a plain URI, no region without a line. */
static void test_sarif_locations(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf out = CHG_BUF_INIT;

	(void)state;
	add(&diags, "<built-in policy>", 0, CHG_SEV_ERROR, "invalid-policy",
	    "in 0123abc: no");
	add(&diags, "changes/100% sure.yaml", 4, CHG_SEV_NOTE, "custom", "x");
	assert_int_equal(chg_format_sarif(&out, &diags, NULL), 0);
	assert_non_null(strstr(out.ptr, "\"uri\": \"%3Cbuilt-in%20policy%3E\""));
	assert_non_null(strstr(out.ptr, "\"uri\": \"changes/100%25%20sure.yaml\""));
	assert_non_null(strstr(out.ptr, "\"commit\": \"0123abc\""));
	assert_non_null(strstr(out.ptr, "\"version\": \"unknown\""));
	/* one region: the second result's; no ruleIndex for an unknown rule */
	assert_non_null(strstr(out.ptr, "\"region\""));
	assert_null(strstr(strstr(out.ptr, "\"region\"") + 1, "\"region\""));
	assert_non_null(strstr(out.ptr, "\"ruleIndex\": 31,"));
	assert_null(strstr(strstr(out.ptr, "\"ruleIndex\"") + 1, "\"ruleIndex\""));
	chg_buf_release(&out);
	chg_diag_list_release(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_complete),
		cmocka_unit_test(test_explain_reads_registry),
		cmocka_unit_test(test_waivable_agrees_with_policy),
		cmocka_unit_test(test_policy_rules_join),
		cmocka_unit_test(test_junit_escapes),
		cmocka_unit_test(test_sarif_locations),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
