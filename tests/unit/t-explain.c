/*
 * t-explain.c - rule ids explained (lib/explain.h): every built-in check
 * has a description and examples, and the examples are true - the failing
 * one makes the checks report the rule, the passing one does not - both
 * for the static examples of the built-in checks and for those generated
 * from a policy's rules; close matches for unknown ids; the merged policy
 * as a file that stands alone.
 *
 * An example is a fragment of a change request: its top-level fields
 * replace those of a complete, valid change request, and a line "# no
 * FIELD" removes one.  A line "# changes/NAME.yaml" starts another file.
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
#include "change.h"
#include "check.h"
#include "datetime.h"
#include "diag.h"
#include "digest.h"
#include "emit.h"
#include "error.h"
#include "explain.h"
#include "node.h"
#include "policy.h"
#include "yaml.h"
#include "banned.h"

static const char base_cr[] =
	"id: CHG-0042\n"
	"title: Rotate the TLS certificate of api.example.com\n"
	"type: normal\n"
	"state: requested\n"
	"requested-by: Jane Doe <jane@example.com>\n"
	"reason: The certificate expires on 2026-12-15.\n"
	"description: Replace the certificate on both load balancers.\n"
	"systems: [lb-01, lb-02]\n"
	"risk:\n"
	"  level: medium\n"
	"  assessment: {users-affected: 2, system-criticality: 3, security: 2,\n"
	"               rollback-difficulty: 2, timing: 2}\n"
	"implementation-plan: Upload the new certificate, reload.\n"
	"rollback-plan: Switch back to the old certificate.\n";

static const char catalog_entry[] =
	"title: Reset a password\n"
	"procedure: Reset it in the directory.\n";

static int64_t clock_now(void)
{
	int64_t t;

	assert_int_equal(chg_datetime_parse(&t, "2026-12-20T12:00:00Z"), 0);
	return t;
}

static void print_diags(const struct chg_diag_list *diags)
{
	size_t i;

	for (i = 0; i < diags->n; i++)
		print_message("# %s:%d:%d: %s [%s]\n", diags->items[i].path,
			      diags->items[i].line, diags->items[i].column,
			      diags->items[i].message, diags->items[i].rule);
}

static struct chg_policy *load_policy(const char *text)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_policy *p = NULL;
	int rc;

	rc = chg_policy_load(&p, text, text ? strlen(text) : 0,
			     ".chg/policy.yaml", &diags);
	if (rc)
		print_diags(&diags);
	assert_int_equal(rc, 0);
	chg_diag_list_release(&diags);
	return p;
}

static struct chg_pair *find(struct chg_node *map, const char *key)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (!strcmp(map->pairs[i].key->value, key))
			return &map->pairs[i];
	return NULL;
}

/* base_cr with `fragment` over it, as the file `path`. */
static void overlay(struct chg_buf *out, const char *path, const char *fragment)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_node *base = NULL, *frag = NULL;
	struct chg_pair *p;
	const char *line, *slash = strrchr(path, '/');
	char id[64];
	size_t i;

	assert_int_equal(chg_yaml_load(&base, base_cr, strlen(base_cr), "base",
				       &opts, &diags), 0);
	/* the id of the file name, so that only the example's findings differ */
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(slash + 1, "."), slash + 1);
	p = find(base, "id");
	chg_node_free(p->value);
	p->value = chg_node_new_scalar(id, strlen(id), 1, 1, 1);
	for (line = fragment; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char field[64];
		if (sscanf(line, "# no %63[a-z.-]\n", field) == 1 &&
		    (p = find(base, field))) {
			i = (size_t)(p - base->pairs);
			chg_node_free(p->key);
			chg_node_free(p->value);
			memmove(p, p + 1, (base->n - i - 1) * sizeof(*p));
			base->n--;
		}
	}
	opts.want_mapping = 0;
	/* a fragment of comments only leaves the change request as it is */
	for (line = fragment; *line == '#'; line = strchr(line, '\n') + 1)
		if (!strchr(line, '\n'))
			break;
	if (*line && *line != '#') {
		assert_int_equal(chg_yaml_load(&frag, fragment, strlen(fragment),
					       "fragment", &opts, &diags), 0);
		if (diags.n)
			print_diags(&diags);
		assert_int_equal(diags.n, 0);
	}
	for (i = 0; frag && frag->type == CHG_NODE_MAPPING && i < frag->n; i++) {
		struct chg_node *v = chg_node_dup(frag->pairs[i].value);
		if ((p = find(base, frag->pairs[i].key->value))) {
			chg_node_free(p->value);
			p->value = v;
		} else {
			assert_int_equal(chg_node_insert(base,
				chg_node_dup(frag->pairs[i].key), v), 0);
		}
	}
	chg_buf_clear(out);
	assert_int_equal(chg_emit_yaml(out, base), 0);
	chg_node_free(base);
	chg_node_free(frag);
	chg_diag_list_release(&diags);
}

/*
 * Lints the example (its files over base_cr) under `policy`; returns how
 * many findings of `rule` there are, and prints them all when that is
 * not what `want` (0 or 1: some) says.
 */
static size_t findings(const struct chg_policy *policy, const char *example,
		       const char *rule, int want)
{
	struct chg_change_set set = CHG_CHANGE_SET_INIT;
	struct chg_catalog catalog = CHG_CATALOG_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_check_context ctx;
	struct chg_buf text = CHG_BUF_INIT, frag = CHG_BUF_INIT;
	char path[128] = "changes/CHG-0042.yaml", marker[128];
	const char *line, *nl;
	size_t i, n = 0, files = 0;

	assert_int_equal(chg_catalog_add(&catalog, ".chg/catalog/password-reset.yaml",
					 catalog_entry, strlen(catalog_entry),
					 &diags), 0);
	for (line = example; ; line = nl + 1) {
		int is_marker = sscanf(line, "# %127[a-zA-Z0-9/._-]", marker) == 1 &&
				!strncmp(marker, "changes/", 8);
		/* the end, or another file: the fragment so far is one file */
		if ((!*line || is_marker) && (frag.len || (!*line && !files))) {
			overlay(&text, path, frag.ptr);
			assert_int_equal(chg_change_set_add(&set, path, text.ptr,
							    text.len, policy, &diags), 0);
			chg_buf_clear(&frag);
			files++;
		}
		if (!*line)
			break;
		if (is_marker)
			snprintf(path, sizeof(path), "%s", marker);
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line) - 1;
		chg_buf_put(&frag, line, (size_t)(nl - line + 1));
	}
	ctx.policy = policy;
	ctx.changes = &set;
	ctx.catalog = &catalog;
	ctx.now = clock_now();
	for (i = 0; i < set.n; i++)
		assert_int_equal(chg_check_change(&ctx, &set.items[i], &diags), 0);
	assert_int_equal(chg_check_set(&ctx, &diags), 0);
	for (i = 0; i < diags.n; i++)
		n += !strcmp(diags.items[i].rule, rule);
	if (!n != !want)
		print_diags(&diags);
	chg_diag_list_release(&diags);
	chg_change_set_release(&set);
	chg_catalog_release(&catalog);
	chg_buf_release(&text);
	chg_buf_release(&frag);
	return n;
}

/* Asserts that the examples of `e` fail and pass as they say. */
static void check_examples(const struct chg_policy *policy,
			   const struct chg_explanation *e)
{
	size_t fail, pass;

	assert_true(e->failing.len > 0);
	assert_true(e->passing.len > 0);
	fail = findings(policy, e->failing.ptr, e->id, 1);
	pass = findings(policy, e->passing.ptr, e->id, 0);
	if (!fail || pass)
		print_message("# %s failing:\n%s# %s passing:\n%s", e->id,
			      e->failing.ptr, e->id, e->passing.ptr);
	assert_true(fail > 0);
	assert_int_equal(pass, 0);
}

static void test_every_check_explained(void **state)
{
	struct chg_policy *p = load_policy(NULL);
	struct chg_explanation e;
	size_t i;

	(void)state;
	chg_explanation_init(&e);
	for (i = 0; chg_explain_check_id(i); i++) {
		assert_int_equal(chg_explain_check(&e, p, chg_explain_check_id(i),
						   clock_now()), 0);
		assert_string_equal(e.id, chg_explain_check_id(i));
		assert_string_equal(e.source.ptr, CHG_EXPLAIN_BUILTIN_CHECK);
		assert_false(e.policy_rule);
		assert_true(e.severity.len > 0);
		assert_true(e.description.len > 40);
		assert_true(e.failing.len > 0);
		assert_true(e.passing.len > 0);
		assert_string_not_equal(e.failing.ptr, e.passing.ptr);
	}
	assert_int_equal(i, 36);
	assert_int_equal(chg_explain_check(&e, p, "tested-rollback-for-high-risk", 0),
			 CHG_ENOTFOUND);
	assert_int_equal(chg_explain_check(&e, p, "no-such-rule", 0), CHG_ENOTFOUND);
	chg_explanation_release(&e);
	chg_policy_free(p);
}

/* The static examples of the checks of one change request are true. */
static void test_check_examples_hold(void **state)
{
	static const char *const ids[] = {
		"invalid-type", "unknown-field", "required-field", "invalid-value",
		"invalid-datetime", "pattern-mismatch", "id-mismatch",
		"duplicate-id", "window-order", "risk-understated",
		"unknown-dependency", "dependency-cycle", "dependency-order",
		"unknown-template", "review-overdue", NULL
	};
	struct chg_policy *p = load_policy(NULL);
	struct chg_explanation e;
	size_t i;

	(void)state;
	chg_explanation_init(&e);
	for (i = 0; ids[i]; i++) {
		assert_int_equal(chg_explain_check(&e, p, ids[i], clock_now()), 0);
		check_examples(p, &e);
	}
	chg_explanation_release(&e);
	chg_policy_free(p);
}

/* The loader's and the policy's examples are true too. */
static void test_loader_and_policy_examples_hold(void **state)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	static const char *const loader_ids[] = { "yaml-syntax", "duplicate-key", NULL };
	struct chg_policy *p = load_policy(NULL), *other = NULL;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_explanation e;
	struct chg_node *root = NULL;
	size_t i;

	(void)state;
	chg_explanation_init(&e);
	for (i = 0; loader_ids[i]; i++) {
		assert_int_equal(chg_explain_check(&e, p, loader_ids[i], 0), 0);
		chg_yaml_load(&root, e.failing.ptr, e.failing.len, "f", &opts, &diags);
		chg_node_free(root);
		assert_true(diags.n > 0);
		assert_string_equal(diags.items[0].rule, loader_ids[i]);
		chg_diag_list_release(&diags);
		assert_int_equal(chg_yaml_load(&root, e.passing.ptr, e.passing.len, "p",
					       &opts, &diags), 0);
		chg_node_free(root);
		assert_int_equal(diags.n, 0);
	}
	assert_int_equal(chg_explain_check(&e, p, "invalid-policy", 0), 0);
	assert_int_equal(chg_policy_load(&other, e.failing.ptr, e.failing.len, "f",
					 &diags), CHG_EINVALID);
	assert_true(diags.n > 0);
	assert_string_equal(diags.items[0].rule, "invalid-policy");
	chg_diag_list_release(&diags);
	assert_int_equal(chg_policy_load(&other, e.passing.ptr, e.passing.len, "p",
					 &diags), 0);
	chg_policy_free(other);
	chg_explanation_release(&e);
	chg_policy_free(p);
}

/* risk-understated reads its questions and thresholds from the policy. */
static void test_risk_from_policy(void **state)
{
	struct chg_policy *p = load_policy(
		"version: 1\n"
		"extends: none\n"
		"fields:\n"
		"  systems: {type: list}\n"
		"  risk:\n"
		"    fields:\n"
		"      level: {values: [minor, major, severe]}\n"
		"      assessment:\n"
		"        fields:\n"
		"          blast-radius: {type: int, required: always}\n"
		"          urgency: {type: int, required: always}\n"
		"risk:\n"
		"  questions: [blast-radius, urgency]\n"
		"  levels: {minor: 0, major: 7, severe: 12}\n"
		"  conditions:\n"
		"    - when: {systems: {matches: '^db-prod'}}\n"
		"      at-least: severe\n");
	struct chg_explanation e;

	(void)state;
	chg_explanation_init(&e);
	assert_int_equal(chg_explain_check(&e, p, "risk-understated", clock_now()), 0);
	assert_non_null(strstr(e.description.ptr,
		"questions of risk.assessment (blast-radius and urgency, each an integer)"));
	assert_non_null(strstr(e.description.ptr,
		"minor from 0, major from 7, severe from 12."));
	assert_non_null(strstr(e.description.ptr,
		"Risk conditions raise that floor: systems matches '^db-prod' -> at least severe."));
	assert_string_equal(e.failing.ptr,
			    "risk:\n  level: minor\n  assessment: {blast-radius: 4, urgency: 3}\n");
	assert_string_equal(e.passing.ptr,
			    "risk:\n  level: major\n  assessment: {blast-radius: 4, urgency: 3}\n");
	chg_explanation_release(&e);
	chg_policy_free(p);
}

static void test_builtin_policy_rules(void **state)
{
	struct chg_policy *p = load_policy(NULL);
	struct chg_explanation e;

	(void)state;
	chg_explanation_init(&e);
	assert_int_equal(chg_explain_policy_rule(&e, p, "tested-rollback-for-high-risk",
						 clock_now()), 0);
	assert_true(e.policy_rule);
	assert_string_equal(e.source.ptr, CHG_EXPLAIN_BUILTIN_POLICY);
	assert_string_equal(e.severity.ptr, "error");
	assert_string_equal(e.when.ptr, "risk.level is high or critical");
	assert_string_equal(e.requires.ptr, "rollback-tested is true");
	assert_string_equal(e.forbids.ptr, "");
	assert_string_equal(e.message, "high and critical changes need a tested rollback plan");
	assert_string_equal(e.failing.ptr, "risk:\n  level: high\nrollback-tested: false\n");
	assert_string_equal(e.passing.ptr, "risk:\n  level: high\nrollback-tested: true\n");
	check_examples(p, &e);

	assert_int_equal(chg_explain_policy_rule(&e, p, "missing-review", clock_now()), 0);
	assert_string_equal(e.when.ptr, "state is closed and type is normal or emergency");
	assert_string_equal(e.requires.ptr, "review is present");
	assert_string_equal(e.failing.ptr, "state: closed\ntype: normal\n");
	assert_string_equal(e.passing.ptr,
			    "state: closed\ntype: normal\nreview:\n  outcome: successful\n");
	check_examples(p, &e);

	assert_int_equal(chg_explain_policy_rule(&e, p, "required-field", 0), CHG_ENOTFOUND);
	chg_explanation_release(&e);
	chg_policy_free(p);
}

/* Examples generated from rules of many shapes fail and pass as they say. */
static void test_generated_examples_hold(void **state)
{
	static const char *const ids[] = {
		"lb-needs-network", "db-prod-tested", "cab-for-customers",
		"incident-shape", "no-weekend-notify", "notice-for-soon",
		"big-impact-test-plan", "not-acme-needs-owner", "reason-short",
		NULL
	};
	struct chg_policy *p = load_policy(
		"version: 1\n"
		"rules:\n"
		"  - id: lb-needs-network\n"
		"    when: {type: normal}\n"
		"    forbid: {systems: {matches: '^lb-[0-9]+$'}}\n"
		"    severity: warning\n"
		"  - id: db-prod-tested\n"
		"    when: {systems: {matches: '^db-prod-(eu|us)[0-9]{2}'}}\n"
		"    require: {rollback-tested: true, test-plan: {present: true}}\n"
		"  - id: cab-for-customers\n"
		"    when: {impact.scope: [customers, organisation]}\n"
		"    require: {risk.level: [high, critical]}\n"
		"  - id: incident-shape\n"
		"    when: {any: [{type: emergency}, {risk.level: critical}]}\n"
		"    require: {incident: {matches: '^INC-\\d+$'}}\n"
		"  - id: no-weekend-notify\n"
		"    when: {communication.notify: {present: true}}\n"
		"    forbid: [depends-on]\n"
		"  - id: notice-for-soon\n"
		"    when: {window.start: {before: now+48h}}\n"
		"    require: [communication.notice-sent]\n"
		"  - id: big-impact-test-plan\n"
		"    when: {impact.users: {min: 100}}\n"
		"    require: [test-plan]\n"
		"  - id: not-acme-needs-owner\n"
		"    when: {not: {client: acme}, type: normal}\n"
		"    require: [owner]\n"
		"  - id: reason-short\n"
		"    require: {risk.level: low}\n"
		"    description: Everything is low risk here.\n");
	struct chg_explanation e;
	size_t i;

	(void)state;
	chg_explanation_init(&e);
	for (i = 0; ids[i]; i++) {
		assert_int_equal(chg_explain_policy_rule(&e, p, ids[i], clock_now()), 0);
		assert_non_null(strstr(e.source.ptr, ".chg/policy.yaml:"));
		check_examples(p, &e);
	}
	assert_int_equal(chg_explain_policy_rule(&e, p, "lb-needs-network", 0), 0);
	assert_string_equal(e.source.ptr, ".chg/policy.yaml:3");
	assert_string_equal(e.severity.ptr, "warning");
	assert_string_equal(e.forbids.ptr, "systems matches '^lb-[0-9]+$'");
	assert_null(e.message);
	/* time bounds from the clock; no empty map left behind */
	assert_int_equal(chg_explain_policy_rule(&e, p, "notice-for-soon", clock_now()), 0);
	assert_string_equal(e.failing.ptr, "window:\n  start: 2026-12-21T12:00:00Z\n");
	assert_string_equal(e.passing.ptr,
			    "window:\n  start: 2026-12-21T12:00:00Z\n"
			    "communication:\n  notice-sent: 2026-12-05T22:00:00Z\n");
	assert_int_equal(chg_explain_policy_rule(&e, p, "reason-short", 0), 0);
	assert_string_equal(e.when.ptr, "always");
	assert_non_null(strstr(e.description.ptr, "Everything is low risk here. "));
	chg_explanation_release(&e);
	chg_policy_free(p);
}

static void test_similar(void **state)
{
	struct chg_policy *p = load_policy(
		"version: 1\n"
		"rules:\n"
		"  - {id: network-review, require: [test-plan]}\n");
	const char *out[5];
	size_t n;

	(void)state;
	n = chg_explain_similar(out, 5, p, "requred-field");
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "required-field");
	n = chg_explain_similar(out, 5, p, "network-reveiw");
	assert_true(n >= 1);
	assert_string_equal(out[0], "network-review");
	n = chg_explain_similar(out, 2, p, "approval");
	assert_int_equal(n, 2);
	assert_string_equal(out[0], "self-approval");
	assert_string_equal(out[1], "stale-approval");
	assert_int_equal(chg_explain_similar(out, 5, p, "zzz"), 0);
	assert_int_equal(chg_explain_similar(out, 5, p, "x"), 0);
	chg_policy_free(p);
}

static void test_standalone(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_policy *p = load_policy(
		"version: 1\n"
		"extends: default\n"
		"approvals:\n"
		"  groups: {cab: [alice@example.com]}\n"), *again = NULL;
	struct chg_buf added = CHG_BUF_INIT, text = CHG_BUF_INIT;
	struct chg_node *tree = NULL;
	const struct chg_node *groups;

	(void)state;
	assert_int_equal(chg_explain_standalone(&tree, &added, p), 0);
	assert_string_equal(added.ptr, "emergency, managers");
	assert_string_equal(tree->pairs[0].key->value, "version");
	assert_string_equal(tree->pairs[1].key->value, "extends");
	assert_string_equal(tree->pairs[1].value->value, "none");
	groups = chg_node_path(tree, "approvals.groups");
	assert_int_equal(groups->n, 3);
	assert_int_equal(chg_node_get(groups, "cab")->n, 1);
	assert_int_equal(chg_node_get(groups, "managers")->n, 0);
	/* loaded on its own, it is the same policy */
	assert_int_equal(chg_emit_yaml(&text, tree), 0);
	if (chg_policy_load(&again, text.ptr, text.len, "shown.yaml", &diags))
		print_diags(&diags);
	assert_non_null(again);
	assert_int_equal(again->nrules, p->nrules);
	assert_int_equal(again->napproval_rules, p->napproval_rules);
	assert_int_equal(chg_policy_in_group(again, "cab", "alice@example.com"), 1);
	chg_policy_free(again);
	chg_node_free(tree);
	chg_buf_release(&added);
	chg_buf_release(&text);
	chg_diag_list_release(&diags);
	chg_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_check_explained),
		cmocka_unit_test(test_check_examples_hold),
		cmocka_unit_test(test_loader_and_policy_examples_hold),
		cmocka_unit_test(test_risk_from_policy),
		cmocka_unit_test(test_builtin_policy_rules),
		cmocka_unit_test(test_generated_examples_hold),
		cmocka_unit_test(test_similar),
		cmocka_unit_test(test_standalone),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
