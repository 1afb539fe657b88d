/*
 * t-cond.c - conditions over a change request (lib/cond.h, DESIGN section
 * 4) and the bounded PCRE2 patterns they use (lib/pattern.h).
 *
 * Conditions and documents are written as YAML and loaded with the real
 * loader, as a policy and a change request are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "buf.h"
#include "cond.h"
#include "diag.h"
#include "error.h"
#include "node.h"
#include "pattern.h"
#include "yaml.h"
#include "banned.h"

#define POLICY ".chg/policy.yaml"

/* 2026-11-20T12:00:00Z, the `now` of the time tests */
#define NOW INT64_C(1795176000)

static struct chg_node *load(const char *text, const char *path)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_node *root = NULL;

	assert_int_equal(chg_yaml_load(&root, text, strlen(text), path, &opts,
				       &diags), 0);
	assert_int_equal(diags.n, 0);
	chg_diag_list_release(&diags);
	return root;
}

/*
 * Compiles `when` (a YAML mapping) and evaluates it against `doc` at the
 * time `now`.
 */
static int eval(const char *when, const char *doc, int64_t now)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_node *w = load(when, POLICY);
	struct chg_node *d = load(doc, "changes/CHG-0042.yaml");
	struct chg_cond *c = NULL;
	int rc;

	assert_int_equal(chg_cond_compile(&c, w, POLICY, &diags), 0);
	assert_non_null(c);
	assert_int_equal(diags.n, 0);
	rc = chg_cond_eval(c, d, now);
	chg_cond_free(c);
	chg_node_free(w);
	chg_node_free(d);
	chg_diag_list_release(&diags);
	return rc;
}

static void expect_at(const char *when, const char *doc, int64_t now,
		      int expected)
{
	int rc = eval(when, doc, now);

	if (rc != expected)
		fail_msg("condition {%s} on {%s} at %lld: %d, expected %d",
			 when, doc, (long long)now, rc, expected);
}

static void expect(const char *when, const char *doc, int expected)
{
	expect_at(when, doc, NOW, expected);
}

static void holds(const char *when, const char *doc)
{
	expect(when, doc, 1);
}

static void fails(const char *when, const char *doc)
{
	expect(when, doc, 0);
}

static void holds_at(const char *when, const char *doc, int64_t now)
{
	expect_at(when, doc, now, 1);
}

static void fails_at(const char *when, const char *doc, int64_t now)
{
	expect_at(when, doc, now, 0);
}

/*
 * Asserts that `when` does not compile and gives exactly one
 * invalid-policy error at line:column with `message`.
 */
static void refused(const char *when, int line, int column,
		    const char *message)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_node *w = load(when, POLICY);
	struct chg_cond *c = (struct chg_cond *)&c; /* must be overwritten */
	const struct chg_diag *d;

	assert_int_equal(chg_cond_compile(&c, w, POLICY, &diags), CHG_EINVALID);
	assert_null(c);
	assert_int_equal(diags.n, 1);
	d = &diags.items[0];
	assert_string_equal(d->path, POLICY);
	assert_int_equal(d->severity, CHG_SEV_ERROR);
	assert_string_equal(d->rule, "invalid-policy");
	assert_string_equal(d->message, message);
	assert_int_equal(d->line, line);
	assert_int_equal(d->column, column);
	chg_node_free(w);
	chg_diag_list_release(&diags);
}

static void described(const char *when, const char *text)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf b = CHG_BUF_INIT;
	struct chg_node *w = load(when, POLICY);
	struct chg_cond *c = NULL;

	assert_int_equal(chg_cond_compile(&c, w, POLICY, &diags), 0);
	assert_int_equal(chg_buf_puts(&b, "when "), 0);
	assert_int_equal(chg_cond_describe(&b, c), 0);
	assert_string_equal(b.ptr + 5, text);
	assert_int_equal(b.len, 5 + strlen(text));
	chg_buf_release(&b);
	chg_cond_free(c);
	chg_node_free(w);
	chg_diag_list_release(&diags);
}

static void test_value(void **state)
{
	(void)state;
	holds("type: emergency", "type: emergency");
	fails("type: emergency", "type: normal");
	fails("type: emergency", "type: Emergency");
	fails("type: emergency", "type: emergency-fix");
	fails("type: emergency", "title: no type here");
	fails("type: emergency", "type: [normal]");
	holds("type: emergency", "type: [normal, emergency]");
	/* every entry must hold */
	holds("{type: normal, client: acme}", "{type: normal, client: acme}");
	fails("{type: normal, client: acme}", "{type: normal, client: globex}");
	fails("{type: normal, client: acme}", "{type: emergency, client: acme}");
	fails("{type: normal, client: acme}", "{type: normal}");
	/* an empty condition always holds */
	holds("{}", "type: normal");
}

static void test_values(void **state)
{
	(void)state;
	holds("risk.level: [high, critical]", "risk: {level: high}");
	holds("risk.level: [high, critical]", "risk: {level: critical}");
	fails("risk.level: [high, critical]", "risk: {level: medium}");
	fails("risk.level: [high, critical]", "risk: {level: highest}");
	fails("risk.level: []", "risk: {level: high}");
	/* a list on either side: any item equal to any value */
	holds("systems: [db-prod-01, db-prod-02]", "systems: [web-01, db-prod-02]");
	fails("systems: [db-prod-01, db-prod-02]", "systems: [web-01, web-02]");
	fails("systems: [db-prod-01, db-prod-02]", "systems: []");
}

static void test_bool(void **state)
{
	(void)state;
	/* plain bools compare as bools, in any of YAML's spellings */
	holds("rollback-tested: true", "rollback-tested: true");
	holds("rollback-tested: true", "rollback-tested: True");
	holds("rollback-tested: true", "rollback-tested: TRUE");
	holds("rollback-tested: True", "rollback-tested: true");
	holds("rollback-tested: FALSE", "rollback-tested: false");
	fails("rollback-tested: true", "rollback-tested: false");
	fails("rollback-tested: true", "rollback-tested: False");
	fails("rollback-tested: false", "rollback-tested: True");
	fails("rollback-tested: true", "rollback-tested: tRUE");
	fails("rollback-tested: true", "rollback-tested: yes");
	fails("rollback-tested: true", "rollback-tested: 1");
	fails("rollback-tested: true", "rollback-tested: ~");
	/* a quoted "true" is a string: it compares by its text */
	holds("rollback-tested: true", "rollback-tested: \"true\"");
	holds("rollback-tested: \"true\"", "rollback-tested: true");
	fails("rollback-tested: true", "rollback-tested: \"True\"");
	fails("rollback-tested: True", "rollback-tested: 'true'");
	fails("rollback-tested: \"True\"", "rollback-tested: true");
}

static void test_int(void **state)
{
	(void)state;
	/* plain integers compare numerically */
	holds("impact.users: 7", "impact: {users: 7}");
	holds("impact.users: 7", "impact: {users: 007}");
	holds("impact.users: 007", "impact: {users: 7}");
	holds("impact.users: 7", "impact: {users: +7}");
	holds("impact.users: 0", "impact: {users: -0}");
	holds("impact.users: [1, 7, 20]", "impact: {users: 0007}");
	fails("impact.users: 7", "impact: {users: 70}");
	fails("impact.users: 7", "impact: {users: -7}");
	fails("impact.users: 7", "impact: {users: 7.0}");
	/* quoted, they are text */
	fails("impact.users: 7", "impact: {users: \"007\"}");
	fails("impact.users: \"7\"", "impact: {users: 007}");
	holds("impact.users: \"007\"", "impact: {users: 007}");
	holds("impact.users: 7", "impact: {users: '7'}");
}

static void test_matches(void **state)
{
	(void)state;
	holds("systems: {matches: '^db-prod'}", "systems: [web-01, db-prod-01]");
	fails("systems: {matches: '^db-prod'}", "systems: [web-01, my-db-prod]");
	fails("systems: {matches: '^db-prod'}", "systems: []");
	fails("systems: {matches: '^db-prod'}", "title: no systems");
	holds("systems: {matches: '^db-prod'}", "systems: db-prod-01");
	/* unanchored unless the pattern anchors itself */
	holds("title: {matches: PostgreSQL}", "title: Upgrade PostgreSQL 14 to 16");
	fails("title: {matches: '^PostgreSQL'}", "title: Upgrade PostgreSQL 14 to 16");
	fails("title: {matches: 'PostgreSQL$'}", "title: Upgrade PostgreSQL 14 to 16");
	holds("title: {matches: '^Upgrade .* 16$'}", "title: Upgrade PostgreSQL 14 to 16");
	fails("title: {matches: postgresql}", "title: Upgrade PostgreSQL 14 to 16");
	holds("title: {matches: '(?i)postgresql'}", "title: Upgrade PostgreSQL 14 to 16");
	/* a matcher tests the text of any scalar */
	holds("impact.users: {matches: '^1[0-9]{2}$'}", "impact: {users: 120}");
	holds("rollback-tested: {matches: '^t'}", "rollback-tested: true");
	/* maps are not matched */
	fails("impact: {matches: users}", "impact: {users: 120}");
}

static void test_matches_utf8(void **state)
{
	(void)state;
	/* UTF-8 mode: '.' is one character, not one byte */
	holds("site: {matches: '^Z.rich$'}", "site: Zürich");
	fails("site: {matches: '^Z..rich$'}", "site: Zürich");
	/* and with Unicode properties \w knows letters beyond ASCII */
	holds("site: {matches: '^\\w+$'}", "site: Zürich");
	holds("site: {matches: '^[[:alpha:]]+$'}", "site: Zürich");
	holds("site: {matches: 'ü'}", "site: Zürich");
	fails("site: {matches: '^Zu'}", "site: Zürich");
	holds("owner: {matches: '^Jörg '}", "owner: 'Jörg Ops <jorg@example.com>'");
	holds("site: {matches: '^.{6}$'}", "site: Zürich");
}

static void test_present(void **state)
{
	(void)state;
	holds("incident: {present: true}", "incident: INC-1234");
	fails("incident: {present: true}", "type: emergency");
	fails("incident: {present: true}", "incident: ~");
	fails("incident: {present: true}", "incident: null");
	fails("incident: {present: true}", "incident: NULL");
	fails("incident: {present: true}", "incident:");
	fails("incident: {present: true}", "incidents: INC-1");
	/* a quoted empty string, a quoted "~", false and 0 are values */
	holds("incident: {present: true}", "incident: \"\"");
	holds("incident: {present: true}", "incident: '~'");
	holds("incident: {present: true}", "incident: false");
	holds("incident: {present: true}", "incident: 0");
	holds("review: {present: true}", "review: {outcome: successful}");
	holds("review: {present: True}", "review: {outcome: successful}");

	holds("incident: {present: false}", "type: normal");
	holds("incident: {present: false}", "incident: ~");
	holds("incident: {present: false}", "incident:");
	fails("incident: {present: false}", "incident: INC-1");
	fails("incident: {present: false}", "incident: \"\"");
	/* a missing parent: absent */
	holds("review.outcome: {present: false}", "type: normal");
	fails("review.outcome: {present: true}", "review: ~");
	fails("review.outcome: {present: true}", "review: successful");
	holds("review.outcome: {present: true}", "review: {outcome: failed}");
}

static void test_range(void **state)
{
	(void)state;
	holds("impact.users: {min: 100}", "impact: {users: 100}");
	holds("impact.users: {min: 100}", "impact: {users: 1000000}");
	fails("impact.users: {min: 100}", "impact: {users: 99}");
	fails("impact.users: {min: 100}", "impact: {users: -100}");
	fails("impact.users: {min: 100}", "impact: {users: many}");
	fails("impact.users: {min: 100}", "impact: {users: \"150\"}");
	fails("impact.users: {min: 100}", "impact: {users: 150.5}");
	fails("impact.users: {min: 100}", "impact: {}");
	holds("impact.users: {min: -5}", "impact: {users: -5}");
	holds("risk.assessment.security: {max: 2}", "risk: {assessment: {security: 2}}");
	holds("risk.assessment.security: {max: 2}", "risk: {assessment: {security: -3}}");
	fails("risk.assessment.security: {max: 2}", "risk: {assessment: {security: 3}}");
	fails("risk.assessment.security: {max: 2}", "risk: {assessment: {security: high}}");
	/* plain integers only, but in YAML's spellings */
	holds("impact.users: {min: 100}", "impact: {users: +0100}");
	/* a list field: any item */
	holds("ports: {min: 1024}", "ports: [22, 443, 8080]");
	fails("ports: {min: 1024}", "ports: [22, 443]");
	/* min and max together: both hold for the same value */
	holds("impact.users: {min: 1, max: 5}", "impact: {users: 1}");
	holds("impact.users: {min: 1, max: 5}", "impact: {users: 3}");
	holds("impact.users: {max: 5, min: 1}", "impact: {users: 5}");
	fails("impact.users: {min: 1, max: 5}", "impact: {users: 0}");
	fails("impact.users: {min: 1, max: 5}", "impact: {users: 6}");
	fails("impact.users: {min: 1, max: 5}", "impact: {users: -3}");
	fails("impact.users: {min: 1, max: 5}", "impact: {users: five}");
	holds("impact.users: {min: 3, max: 3}", "impact: {users: 3}");
	fails("impact.users: {min: 5, max: 1}", "impact: {users: 3}");
	/* one item of a list must be in range, not one item above each end */
	fails("ports: {min: 1024, max: 2048}", "ports: [22, 8080]");
	holds("ports: {min: 1024, max: 2048}", "ports: [22, 1500, 8080]");
}

static void test_time_now(void **state)
{
	(void)state;
	/* strict on both sides of now */
	holds("t: {before: now}", "t: 2026-11-20T11:59:59Z");
	fails("t: {before: now}", "t: 2026-11-20T12:00:00Z");
	fails("t: {before: now}", "t: 2026-11-20T12:00:01Z");
	holds("t: {after: now}", "t: 2026-11-20T12:00:01Z");
	fails("t: {after: now}", "t: 2026-11-20T12:00:00Z");
	fails("t: {after: now}", "t: 2026-11-20T11:59:59Z");
	/* the value's offset counts; fractions of a second do not */
	fails("t: {before: now}", "t: 2026-11-20T13:00:00+01:00");
	holds("t: {before: now}", "t: 2026-11-20T12:59:59+01:00");
	holds("t: {after: now}", "t: 2026-11-20T07:00:01-05:00");
	holds("t: {before: now}", "t: 2026-11-20 11:59:59.999Z");
	fails("t: {after: now}", "t: 2026-11-20T12:00:00.999Z");
	/* a date is midnight UTC */
	holds("t: {before: now}", "t: 2026-11-20");
	fails("t: {after: now}", "t: 2026-11-20");
	holds("t: {after: now}", "t: 2026-11-21");
	/* offsets from now */
	holds("t: {before: now+48h}", "t: 2026-11-22T11:59:59Z");
	fails("t: {before: now+48h}", "t: 2026-11-22T12:00:00Z");
	holds("t: {after: now+48h}", "t: 2026-11-22T12:00:01Z");
	fails("t: {after: now+48h}", "t: 2026-11-22T12:00:00Z");
	holds("t: {after: now-1h30m}", "t: 2026-11-20T10:30:01Z");
	fails("t: {after: now-1h30m}", "t: 2026-11-20T10:30:00Z");
	holds("t: {before: now-5d}", "t: 2026-11-15T11:59:59Z");
	fails("t: {before: now-5d}", "t: 2026-11-15T12:00:00Z");
	holds("t: {before: now+1w}", "t: 2026-11-27");
	fails("t: {before: now+1w}", "t: 2026-11-27T12:00:00Z");
	holds("t: {after: now+30m}", "t: 2026-11-20T12:30:01Z");
	fails("t: {after: now+30m}", "t: 2026-11-20T12:30:00Z");
	holds("t: {before: now+0s}", "t: 2026-11-20T11:59:59Z");
	fails("t: {before: now+0s}", "t: 2026-11-20T12:00:00Z");
	/* a quoted time is still a time */
	holds("t: {before: now}", "t: '2026-11-20T11:00:00Z'");
	/* both ends: a window */
	holds("t: {after: now, before: now+1d}", "t: 2026-11-21T00:00:00Z");
	fails("t: {after: now, before: now+1d}", "t: 2026-11-21T12:00:00Z");
	fails("t: {after: now, before: now+1d}", "t: 2026-11-20T12:00:00Z");
	fails("t: {before: now, after: now}", "t: 2026-11-20T12:00:00Z");
}

static void test_time_moves_with_now(void **state)
{
	const char *when = "window.start: {before: now+48h}";
	const char *doc = "window: {start: 2026-12-05T22:00:00Z}";
	/* 2026-12-03T22:00:00Z: exactly 48 hours before the window */
	const int64_t t = INT64_C(1796335200);

	(void)state;
	fails_at(when, doc, t - 1);
	fails_at(when, doc, t);
	holds_at(when, doc, t + 1);
	holds_at(when, doc, t + 86400);
	fails_at(when, doc, 0);
	fails_at("window.start: {after: now}", doc, t + 48 * 3600);
	holds_at("window.start: {after: now}", doc, t + 48 * 3600 - 1);
	/* before 1970 is still a time */
	holds_at("t: {before: now}", "t: 1969-12-31T23:59:59Z", 0);
	fails_at("t: {before: now}", "t: 1970-01-01T00:00:00Z", 0);
	holds_at("t: {after: now-1d}", "t: 1969-12-31T00:00:01Z", 0);
	/* a fixed bound does not move */
	holds_at("t: {before: 2026-12-20}", "t: 2026-12-19T23:59:59Z", 0);
	holds_at("t: {before: 2026-12-20}", "t: 2026-12-19T23:59:59Z",
		 INT64_C(4102444800));
}

static void test_time_fixed(void **state)
{
	const char *freeze = "window.start: {after: 2026-12-20, before: 2027-01-04}";

	(void)state;
	holds("t: {before: 2026-12-20}", "t: 2026-12-19T23:59:59Z");
	fails("t: {before: 2026-12-20}", "t: 2026-12-20T00:00:00Z");
	fails("t: {before: 2026-12-20}", "t: 2026-12-20");
	holds("t: {before: 2026-12-20}", "t: 2026-12-19");
	holds("t: {after: 2026-12-20T00:00:00+01:00}", "t: 2026-12-19T23:00:01Z");
	fails("t: {after: 2026-12-20T00:00:00+01:00}", "t: 2026-12-19T23:00:00Z");
	holds("t: {after: '2026-12-20T00:00:00Z'}", "t: 2026-12-20T00:00:01Z");
	holds(freeze, "window: {start: 2026-12-24T22:00:00+01:00}");
	holds(freeze, "window: {start: 2026-12-20T00:00:01Z}");
	fails(freeze, "window: {start: 2026-12-20}");
	fails(freeze, "window: {start: 2027-01-04}");
	fails(freeze, "window: {start: 2026-12-19T23:59:59Z}");
	fails(freeze, "window: {start: 2027-01-04T00:00:01Z}");
}

static void test_time_not_a_time(void **state)
{
	static const char *const docs[] = {
		"t: soon",
		"t: 2026-13-01",
		"t: 2026-02-30",
		"t: 2026-11-19T12:00:00",
		"t: 2026-11-19T25:00:00Z",
		"t: 1795176000",
		"t: -1",
		"t: now",
		"t: \"\"",
		"t: ~",
		"t:",
		"t: {start: 2026-11-19}",
		"t: [[2026-11-19]]",
		"title: no t",
		/* a "\\0" escape never gets this far: the loader refuses it
		   (t-yaml.c) */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		fails("t: {before: now}", docs[i]);
		fails("t: {after: now-100w}", docs[i]);
		fails("t: {after: 1900-01-01, before: 2100-01-01}", docs[i]);
		holds("not: {t: {before: now}}", docs[i]);
	}
	/* the sanity check: these bounds do hold for a time */
	holds("t: {before: now}", "t: 2026-11-19");
	holds("t: {after: now-100w}", "t: 2026-11-19");
	holds("t: {after: 1900-01-01, before: 2100-01-01}", "t: 2026-11-19");
	/* a list: any item that is a time and passes */
	holds("t: {before: now}", "t: [soon, 2026-11-19, 2027-01-01]");
	fails("t: {before: now}", "t: [soon, 2027-01-01]");
	fails("t: {before: now}", "t: []");
	holds("steps[].at: {after: now}",
	      "steps: [{at: 2026-11-01}, {name: x}, {at: 2026-11-21T00:00:00Z}]");
	fails("steps[].at: {after: now}",
	      "steps: [{at: 2026-11-01}, {name: x}, {at: 2026-11-20T00:00:00Z}]");
}

static void test_groups(void **state)
{
	const char *either = "any: [{type: emergency}, {risk.level: critical}]";
	const char *both = "all: [{type: emergency}, {risk.level: critical}]";

	(void)state;
	holds(either, "{type: emergency, risk: {level: low}}");
	holds(either, "{type: normal, risk: {level: critical}}");
	fails(either, "{type: normal, risk: {level: high}}");
	holds(both, "{type: emergency, risk: {level: critical}}");
	fails(both, "{type: emergency, risk: {level: high}}");
	fails(both, "{type: normal, risk: {level: critical}}");
	/* any of nothing is false, all of nothing is true */
	fails("any: []", "type: normal");
	holds("all: []", "type: normal");

	holds("not: {client: acme}", "client: globex");
	holds("not: {client: acme}", "type: normal");
	fails("not: {client: acme}", "client: acme");
	fails("not: {}", "type: normal");

	/* nested: a normal change outside both clients, or any emergency */
	{
		const char *when =
			"any:\n"
			"  - type: normal\n"
			"    not: {any: [{client: acme}, {client: globex}]}\n"
			"  - type: emergency\n";
		holds(when, "{type: normal, client: initech}");
		holds(when, "{type: normal}");
		fails(when, "{type: normal, client: globex}");
		fails(when, "{type: normal, client: acme}");
		holds(when, "{type: emergency, client: acme}");
		fails(when, "{type: standard, client: initech}");
	}
	/* groups and fields side by side all must hold */
	holds("{type: normal, any: [{client: acme}, {client: globex}], not: {state: draft}}",
	      "{type: normal, client: globex, state: requested}");
	fails("{type: normal, any: [{client: acme}, {client: globex}], not: {state: draft}}",
	      "{type: normal, client: globex, state: draft}");
	fails("{type: normal, any: [{client: acme}, {client: globex}], not: {state: draft}}",
	      "{type: emergency, client: globex, state: requested}");
	/* not of not */
	holds("not: {not: {client: acme}}", "client: acme");
	fails("not: {not: {client: acme}}", "client: globex");
}

static void test_list_of_maps(void **state)
{
	const char *doc =
		"steps:\n"
		"  - {name: drain, owner: Bob Ops <bob@example.com>}\n"
		"  - {name: upgrade, checks: [{id: smoke}, {id: replication}]}\n"
		"  - name: undrain\n";

	(void)state;
	holds("steps[].name: upgrade", doc);
	holds("steps[].name: [rollback, undrain]", doc);
	fails("steps[].name: rollback", doc);
	holds("steps[].owner: {present: true}", doc);
	holds("steps[].owner: {matches: '@example\\.com>$'}", doc);
	fails("steps[].notes: {present: true}", doc);
	holds("steps[].notes: {present: false}", doc);
	holds("steps[].checks[].id: replication", doc);
	fails("steps[].checks[].id: backup", doc);
	/* without [] a list is not a map */
	fails("steps.name: upgrade", doc);
	fails("steps.name: {present: true}", doc);
	/* [] on something that is not a list reaches nothing */
	fails("name[]: x", "name: x");
	fails("steps[].name: x", "steps: {name: x}");
	/* a trailing [] tests each item itself */
	holds("systems[]: db-prod-01", "systems: [web-01, db-prod-01]");
}

static void test_missing_paths(void **state)
{
	(void)state;
	fails("risk.level: high", "type: normal");
	fails("risk.level: high", "risk: ~");
	fails("risk.level: high", "risk: high");
	fails("risk.level: high", "risk: [level, high]");
	fails("risk.level: high", "risk: {assessment: {}}");
	fails("risk.level.name: high", "risk: {level: high}");
	fails("a.b.c.d: x", "a: {b: {}}");
	holds("not: {risk.level: high}", "type: normal");
	holds("risk.level: {present: false}", "risk: {}");
	fails("risk..level: high", "risk: {level: high}");
}

static void test_resolve(void **state)
{
	const struct chg_node *found[4];
	struct chg_node *doc = load(
		"a: [{b: 1}, {b: [2, 3]}, {c: 4}, {b: 5}, {b: 6}]\n"
		"m: {k: v}\n", "changes/CHG-0042.yaml");

	(void)state;
	assert_int_equal(chg_cond_resolve(found, 4, doc, "m.k"), 1);
	assert_string_equal(found[0]->value, "v");
	assert_int_equal(chg_cond_resolve(found, 4, doc, "m"), 1);
	assert_int_equal(found[0]->type, CHG_NODE_MAPPING);
	assert_int_equal(chg_cond_resolve(found, 4, doc, "m.x"), 0);
	assert_int_equal(chg_cond_resolve(found, 4, doc, "x.k"), 0);
	assert_int_equal(chg_cond_resolve(found, 3, doc, "a[].b"), 3);
	assert_string_equal(found[0]->value, "1");
	assert_int_equal(found[1]->type, CHG_NODE_SEQUENCE);
	assert_string_equal(found[2]->value, "5");
	/* never more than max */
	assert_int_equal(chg_cond_resolve(found, 4, doc, "a[].b"), 4);
	assert_string_equal(found[3]->value, "6");
	assert_int_equal(chg_cond_resolve(found, 2, doc, "a[]"), 2);
	assert_int_equal(chg_cond_resolve(found, 4, doc, "a"), 1);
	chg_node_free(doc);
}

#define SHAPE "a field test is a value, a list of values, {matches: REGEX}, " \
	"{present: BOOL}, {min: N, max: N}, {min-items: N, max-items: N} " \
	"or {before: TIME, after: TIME}"

static void test_compile_errors(void **state)
{
	(void)state;
	refused("systems: {matches: '^db-(prod'}", 1, 20,
		"invalid regular expression '^db-(prod': missing closing parenthesis at offset 9");
	refused("type: normal\n"
		"any:\n"
		"  - client: acme\n"
		"  - client: {matches: '[z-a]x'}\n", 4, 23,
		"invalid regular expression '[z-a]x': range out of order in character class at offset 3");
	refused("not: {title: {matches: 'a{2,1}'}}", 1, 24,
		"invalid regular expression 'a{2,1}': numbers out of order in {} quantifier at offset 5");
	refused("systems: {matches: [a, b]}", 1, 20,
		"matches: takes a regular expression");
	refused("systems: {contains: db}", 1, 11,
		"unknown field test: use matches, present, min, max, min-items, max-items, before or after");
	refused("t: {before: now, until: now+1d}", 1, 18,
		"unknown field test: use matches, present, min, max, min-items, max-items, before or after");
	refused("t: {Before: now}", 1, 5,
		"unknown field test: use matches, present, min, max, min-items, max-items, before or after");
	refused("impact.users: {}", 1, 15, SHAPE);
	refused("impact.users: {min: 1, before: now}", 1, 15, SHAPE);
	refused("t: {after: now, max: 5}", 1, 4, SHAPE);
	refused("t: {matches: x, present: true}", 1, 4, SHAPE);
	refused("t: {present: true, min: 1}", 1, 4, SHAPE);
	refused("t: {matches: '^2026', before: now}", 1, 4, SHAPE);
	refused("incident: {present: maybe}", 1, 21,
		"present: takes true or false");
	refused("incident: {present: 'true'}", 1, 21,
		"present: takes true or false");
	refused("impact.users: {min: ten}", 1, 21,
		"min: and max: take an integer");
	refused("impact.users: {max: 1.5}", 1, 21,
		"min: and max: take an integer");
	refused("impact.users: {min: 1, max: x}", 1, 29,
		"min: and max: take an integer");
	refused("risk.level: [high, {matches: crit}]", 1, 20,
		"a list of values in a condition may hold only scalars");
	refused("any: {type: normal}", 1, 6,
		"any: and all: take a list of conditions");
	refused("all: normal", 1, 6,
		"any: and all: take a list of conditions");
	refused("any: [{type: normal}, [type, emergency]]", 1, 23,
		"a condition is a map of field paths to values");
	refused("not: [{client: acme}]", 1, 6,
		"a condition is a map of field paths to values");
	refused("not: acme", 1, 6,
		"a condition is a map of field paths to values");
}

static void test_time_compile_errors(void **state)
{
	(void)state;
	refused("t: {before: soon}", 1, 13,
		"before: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'soon'");
	refused("t: {after: now+48}", 1, 12,
		"after: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'now+48'");
	refused("t: {after: now+}", 1, 12,
		"after: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'now+'");
	refused("t: {after: now48h}", 1, 12,
		"after: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'now48h'");
	refused("t: {after: now*2h}", 1, 12,
		"after: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'now*2h'");
	refused("t: {after: now+-2h}", 1, 12,
		"after: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'now+-2h'");
	refused("t: {before: 'now + 48h'}", 1, 13,
		"before: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'now + 48h'");
	refused("t: {before: now+2y}", 1, 13,
		"before: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'now+2y'");
	refused("t: {before: now+48H}", 1, 13,
		"before: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'now+48H'");
	refused("t: {before: Now}", 1, 13,
		"before: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'Now'");
	refused("t: {before: nowhere}", 1, 13,
		"before: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'nowhere'");
	refused("t: {before: 2026-02-30}", 1, 13,
		"before: takes now, now+DURATION, now-DURATION, a date-time or a date, not '2026-02-30'");
	refused("t: {before: 2026-11-20T12:00:00}", 1, 13,
		"before: takes now, now+DURATION, now-DURATION, a date-time or a date, not '2026-11-20T12:00:00'");
	refused("t: {before: 1795176000}", 1, 13,
		"before: takes now, now+DURATION, now-DURATION, a date-time or a date, not '1795176000'");
	refused("t: {before: ''}", 1, 13,
		"before: takes now, now+DURATION, now-DURATION, a date-time or a date, not ''");
	refused("t: {before: [now]}", 1, 13,
		"before: takes now, now+DURATION, now-DURATION, a date-time or a date");
	refused("t: {after: {now: 1d}}", 1, 12,
		"after: takes now, now+DURATION, now-DURATION, a date-time or a date");
	/* inside groups, at the bound's own position */
	refused("type: normal\n"
		"any:\n"
		"  - state: requested\n"
		"    window.start: {before: now+2days}\n", 4, 28,
		"before: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'now+2days'");
}

/* Every bad bound and every bad number is reported, not only the first. */
static void test_compile_errors_each(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_node *w = load("a: {after: later, before: now-}\n"
				  "b: {min: one, max: five}\n", POLICY);
	struct chg_cond *c = (struct chg_cond *)&c;

	(void)state;
	assert_int_equal(chg_cond_compile_field(&c, "a", chg_node_get(w, "a"),
						POLICY, &diags), CHG_EINVALID);
	assert_null(c);
	assert_int_equal(diags.n, 2);
	assert_int_equal(diags.items[0].line, 1);
	assert_int_equal(diags.items[0].column, 12);
	assert_string_equal(diags.items[0].message,
			    "after: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'later'");
	assert_int_equal(diags.items[1].line, 1);
	assert_int_equal(diags.items[1].column, 27);
	assert_string_equal(diags.items[1].message,
			    "before: takes now, now+DURATION, now-DURATION, a date-time or a date, not 'now-'");
	chg_diag_list_release(&diags);

	c = (struct chg_cond *)&c;
	assert_int_equal(chg_cond_compile_field(&c, "b", chg_node_get(w, "b"),
						POLICY, &diags), CHG_EINVALID);
	assert_null(c);
	assert_int_equal(diags.n, 2);
	assert_int_equal(diags.items[0].line, 2);
	assert_int_equal(diags.items[0].column, 10);
	assert_string_equal(diags.items[0].message, "min: and max: take an integer");
	assert_int_equal(diags.items[1].line, 2);
	assert_int_equal(diags.items[1].column, 20);
	assert_string_equal(diags.items[1].message, "min: and max: take an integer");
	chg_node_free(w);
	chg_diag_list_release(&diags);
}

static void test_not_a_map(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_node *root = load("rules:\n  - when: [type, normal]\n"
				     "  - when: normal\n", POLICY);
	const struct chg_node *rules = chg_node_get(root, "rules");
	struct chg_cond *c = (struct chg_cond *)&c;

	(void)state;
	assert_int_equal(chg_cond_compile(&c, chg_node_get(rules->items[0], "when"),
					  POLICY, &diags), CHG_EINVALID);
	assert_null(c);
	c = (struct chg_cond *)&c;
	assert_int_equal(chg_cond_compile(&c, chg_node_get(rules->items[1], "when"),
					  POLICY, &diags), CHG_EINVALID);
	assert_null(c);
	assert_int_equal(diags.n, 2);
	assert_string_equal(diags.items[0].message,
			    "a condition is a map of field paths to values");
	assert_int_equal(diags.items[0].line, 2);
	assert_int_equal(diags.items[0].column, 11);
	assert_string_equal(diags.items[1].rule, "invalid-policy");
	assert_int_equal(diags.items[1].line, 3);
	assert_int_equal(diags.items[1].column, 11);
	chg_node_free(root);
	chg_diag_list_release(&diags);
}

static void test_compile_field(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_node *spec = load("a: true\nb: [x, y]\nc: {matches: '('}\n",
				     POLICY);
	struct chg_node *doc = load("rollback-tested: True\nk: y\n",
				    "changes/CHG-0042.yaml");
	struct chg_cond *c = NULL;

	(void)state;
	assert_int_equal(chg_cond_compile_field(&c, "rollback-tested",
						chg_node_get(spec, "a"), POLICY,
						&diags), 0);
	assert_string_equal(chg_cond_field(c), "rollback-tested");
	assert_int_equal(chg_cond_eval(c, doc, 0), 1);
	chg_cond_free(c);
	assert_int_equal(chg_cond_compile_field(&c, "k", chg_node_get(spec, "b"),
						POLICY, &diags), 0);
	assert_int_equal(chg_cond_eval(c, doc, 0), 1);
	chg_cond_free(c);
	c = (struct chg_cond *)&c;
	assert_int_equal(chg_cond_compile_field(&c, "k", chg_node_get(spec, "c"),
						POLICY, &diags), CHG_EINVALID);
	assert_null(c);
	assert_int_equal(diags.n, 1);
	assert_int_equal(diags.items[0].line, 3);
	assert_int_equal(diags.items[0].column, 14);
	assert_string_equal(diags.items[0].message,
			    "invalid regular expression '(': missing closing parenthesis at offset 1");
	chg_node_free(spec);
	chg_node_free(doc);
	chg_diag_list_release(&diags);
}

static void test_field(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_node *w = load("when: {state: [approved, closed]}\n"
				  "two: {state: closed, type: normal}\n"
				  "group: {any: [{state: closed}]}\n", POLICY);
	struct chg_cond *c;

	(void)state;
	assert_int_equal(chg_cond_compile(&c, chg_node_get(w, "when"), POLICY,
					  &diags), 0);
	assert_string_equal(chg_cond_field(c), "state");
	chg_cond_free(c);
	assert_int_equal(chg_cond_compile(&c, chg_node_get(w, "two"), POLICY,
					  &diags), 0);
	assert_null(chg_cond_field(c));
	chg_cond_free(c);
	assert_int_equal(chg_cond_compile(&c, chg_node_get(w, "group"), POLICY,
					  &diags), 0);
	assert_null(chg_cond_field(c));
	chg_cond_free(c);
	assert_int_equal(diags.n, 0);
	chg_node_free(w);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_match_limit(void **state)
{
	struct timespec t0;

	(void)state;
	/* 2^41 ways to split the a's: only the match limit ends this */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect("title: {matches: '(a+)+$'}",
	       "title: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", CHG_ELIMIT);
	assert_true(seconds_since(&t0) < 5.0);
	/*
	 * Twenty a's take PCRE2 about two million steps to refuse: over
	 * CHG_PATTERN_MATCH_LIMIT, under PCRE2's own default of ten million.
	 */
	expect("title: {matches: '(a+)+$'}",
	       "title: aaaaaaaaaaaaaaaaaaaab", CHG_ELIMIT);
	/* a dozen are well within the limit and give an honest answer */
	fails("title: {matches: '(a+)+$'}", "title: aaaaaaaaaaaab");
	holds("title: {matches: '(a+)+$'}", "title: baaaaaaaaaaaaaaaaaaaaaaaaa");
	/* the limit is neither true nor false, whatever surrounds it */
	expect("not: {title: {matches: '(a+)+$'}}",
	       "title: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", CHG_ELIMIT);
	expect("any: [{title: {matches: '(a+)+$'}}, {type: normal}]",
	       "{type: normal, title: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab}",
	       CHG_ELIMIT);
	expect("{type: normal, title: {matches: '(a+)+$'}}",
	       "{type: normal, title: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab}",
	       CHG_ELIMIT);
	/* a decided entry before it still decides */
	fails("{type: normal, title: {matches: '(a+)+$'}}",
	      "{type: emergency, title: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab}");
	holds("any: [{type: normal}, {title: {matches: '(a+)+$'}}]",
	      "{type: normal, title: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab}");
}

static void test_pattern(void **state)
{
	struct chg_pattern *re = (struct chg_pattern *)&re;
	char err[256];
	size_t off = 999;

	(void)state;
	assert_int_equal(chg_pattern_compile(&re, "^db-prod", err, sizeof(err),
					     &off), 0);
	assert_string_equal(chg_pattern_source(re), "^db-prod");
	assert_int_equal(chg_pattern_match(re, "db-prod-01", 10), 1);
	assert_int_equal(chg_pattern_match(re, "db-test-01", 10), 0);
	/* `len` bytes are the subject, not up to a NUL */
	assert_int_equal(chg_pattern_match(re, "db-prod-01", 6), 0);
	/* a subject that is not UTF-8 is refused, never matched */
	assert_int_equal(chg_pattern_match(re, "db-prod-\xff", 9), CHG_EINVALID);
	chg_pattern_free(re);

	assert_int_equal(chg_pattern_compile(&re, "x$", err, sizeof(err), &off), 0);
	assert_int_equal(chg_pattern_match(re, "a\0x", 3), 1);
	chg_pattern_free(re);

	re = (struct chg_pattern *)&re;
	assert_int_equal(chg_pattern_compile(&re, "ab(c", err, sizeof(err), &off),
			 CHG_EINVALID);
	assert_null(re);
	assert_string_equal(err, "missing closing parenthesis");
	assert_int_equal(off, 4);
	assert_int_equal(chg_pattern_compile(&re, "a**", err, sizeof(err), &off),
			 CHG_EINVALID);
	assert_int_equal(off, 2);
	assert_string_equal(err, "quantifier does not follow a repeatable item");
	/* a pattern that is not UTF-8 is a syntax error too */
	assert_int_equal(chg_pattern_compile(&re, "a\xc3", err, sizeof(err), &off),
			 CHG_EINVALID);
	assert_int_equal(off, 1);
	/* a short buffer still gets a terminated message */
	assert_int_equal(chg_pattern_compile(&re, "(", err, 8, &off),
			 CHG_EINVALID);
	assert_true(strlen(err) < 8);
	chg_pattern_free(NULL);
}

static void test_items(void **state)
{
	(void)state;
	holds("deciders: {min-items: 2}", "deciders: [a, b]");
	holds("deciders: {min-items: 2}", "deciders: [a, b, c]");
	fails("deciders: {min-items: 2}", "deciders: [a]");
	fails("deciders: {min-items: 2}", "deciders: []");
	fails("deciders: {min-items: 1}", "title: x");
	fails("deciders: {min-items: 1}", "deciders: ~");
	/* a scalar is one item; an absent field has none */
	holds("deciders: {min-items: 1}", "deciders: a");
	holds("deciders: {max-items: 0}", "title: x");
	holds("deciders: {max-items: 3}", "deciders: [a, b, c]");
	fails("deciders: {max-items: 3}", "deciders: [a, b, c, d]");
	holds("deciders: {min-items: 1, max-items: 2}", "deciders: [a, b]");
	fails("deciders: {min-items: 1, max-items: 2}", "deciders: [a, b, c]");
	/* through a list of maps: any reached list */
	holds("hosts[].ports: {min-items: 2}",
	      "hosts: [{ports: [1]}, {ports: [1, 2]}]");
	fails("hosts[].ports: {min-items: 3}",
	      "hosts: [{ports: [1]}, {ports: [1, 2]}]");
}

static void test_describe(void **state)
{
	(void)state;
	described("type: emergency", "type is emergency");
	described("risk.level: [high, critical]", "risk.level is high or critical");
	described("state: [approved, implementing, closed]",
		  "state is approved, implementing or closed");
	described("systems: {matches: '^db-prod'}", "systems matches '^db-prod'");
	described("incident: {present: true}", "incident is present");
	described("incident: {present: false}", "incident is absent");
	described("impact.users: {min: 100}", "impact.users is at least 100");
	described("risk.assessment.security: {max: -2}",
		  "risk.assessment.security is at most -2");
	described("impact.users: {max: 5, min: 1}",
		  "impact.users is at least 1 and at most 5");
	described("communication.notice-sent: {before: now-48h}",
		  "communication.notice-sent is before now-48h");
	described("window.start: {after: now}", "window.start is after now");
	described("window.start: {after: '2026-12-20T00:00:00+01:00'}",
		  "window.start is after 2026-12-20T00:00:00+01:00");
	described("window.start: {before: 2027-01-04, after: 2026-12-20}",
		  "window.start is after 2026-12-20 and before 2027-01-04");
	described("{state: requested, window.start: {before: now+1h30m}}",
		  "state is requested and window.start is before now+1h30m");
	described("not: {client: acme}", "not (client is acme)");
	described("{type: normal, client: acme}", "type is normal and client is acme");
	described("any: [{type: emergency}, {risk.level: critical}]",
		  "type is emergency or risk.level is critical");
	/* a group inside a group of the other kind is parenthesised */
	described("{type: normal, any: [{client: acme}, {client: globex}]}",
		  "type is normal and (client is acme or client is globex)");
	described("any: [{type: normal, client: acme}, {type: emergency}]",
		  "(type is normal and client is acme) or type is emergency");
	described("any: [{all: [{a: 1}, {b: 2}]}, {c: 3}]",
		  "(a is 1 and b is 2) or c is 3");
	described("any: [{any: [{a: 1}, {b: 2}]}, {c: 3}]",
		  "a is 1 or b is 2 or c is 3");
	described("{a: 1, all: [{b: 2}, {c: 3}]}", "a is 1 and b is 2 and c is 3");
	described("{a: 1, any: [{b: 2}]}", "a is 1 and b is 2");
	described("not: {any: [{client: acme}, {client: globex}]}",
		  "not (client is acme or client is globex)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_matches_utf8),
		cmocka_unit_test(test_present),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_time_now),
		cmocka_unit_test(test_time_moves_with_now),
		cmocka_unit_test(test_time_fixed),
		cmocka_unit_test(test_time_not_a_time),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_list_of_maps),
		cmocka_unit_test(test_missing_paths),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_time_compile_errors),
		cmocka_unit_test(test_compile_errors_each),
		cmocka_unit_test(test_not_a_map),
		cmocka_unit_test(test_compile_field),
		cmocka_unit_test(test_field),
		cmocka_unit_test(test_match_limit),
		cmocka_unit_test(test_pattern),
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_describe),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
