/*
 * t-risk.c - risk assessment (lib/risk.h, DESIGN sections 1 and 4): the
 * questionnaire's score mapped through the policy's levels, raised by risk
 * conditions, and compared with the declared level so that a requester
 * cannot understate risk.
 *
 * The built-in levels are low 0, medium 10, high 15, critical 20 over five
 * questions: users-affected, system-criticality, security,
 * rollback-difficulty, timing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "error.h"
#include "node.h"
#include "policy.h"
#include "risk.h"
#include "yaml.h"
#include "banned.h"

#define POLICY ".chg/policy.yaml"

enum { LOW, MEDIUM, HIGH, CRITICAL };

/* The built-in policy, or `text` as the repository's policy over it. */
static struct chg_policy *policy_load(const char *text)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_policy *p = NULL;
	size_t i;

	if (chg_policy_load(&p, text, text ? strlen(text) : 0, POLICY,
			    &diags) != 0 || diags.n)
		for (i = 0; i < diags.n; i++)
			print_message("# %s:%d:%d: %s\n", diags.items[i].path,
				      diags.items[i].line, diags.items[i].column,
				      diags.items[i].message);
	assert_non_null(p);
	assert_int_equal(diags.n, 0);
	chg_diag_list_release(&diags);
	return p;
}

static struct chg_node *change(const char *text)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_node *root = NULL;

	assert_int_equal(chg_yaml_load(&root, text, strlen(text),
				       "changes/CHG-0042.yaml", &opts, &diags), 0);
	assert_int_equal(diags.n, 0);
	chg_diag_list_release(&diags);
	return root;
}

/* A change request with the five answers and the declared level. */
static struct chg_node *answered(const char *level, int a, int b, int c,
				 int d, int e)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "type: normal\n"
		 "systems: [web-01]\n"
		 "risk:\n"
		 "  level: %s\n"
		 "  assessment: {users-affected: %d, system-criticality: %d,"
		 " security: %d, rollback-difficulty: %d, timing: %d}\n",
		 level, a, b, c, d, e);
	return change(text);
}

struct expect {
	int scored;
	long long score;
	int score_level, floor, declared, understated;
	const char *explanation;
};

static void check(const struct chg_policy *p, const struct chg_node *doc,
		  const struct expect *x)
{
	struct chg_risk r;

	memset(&r, 0x5a, sizeof(r)); /* need not be initialised */
	assert_int_equal(chg_risk_assess(&r, p, doc, 0), 0);
	assert_int_equal(r.scored, x->scored);
	if (x->scored)
		assert_int_equal(r.score, x->score);
	assert_int_equal(r.score_level, x->score_level);
	assert_int_equal(r.floor, x->floor);
	assert_int_equal(r.declared, x->declared);
	assert_int_equal(r.understated, x->understated);
	assert_string_equal(r.explanation.ptr, x->explanation);
	assert_int_equal(r.explanation.len, strlen(x->explanation));
	chg_risk_release(&r);
}

static void scored(const struct chg_policy *p, const char *level, int a,
		   int b, int c, int d, int e, const struct expect *x)
{
	struct chg_node *doc = answered(level, a, b, c, d, e);

	check(p, doc, x);
	chg_node_free(doc);
}

static void test_thresholds(void **state)
{
	struct chg_policy *p = policy_load(NULL);

	(void)state;
	assert_int_equal(p->nrisk_levels, 4);
	scored(p, "low", 1, 1, 1, 1, 1, &(struct expect){ 1, 5, LOW, LOW, LOW, 0,
		"scored 5: users-affected 1 + system-criticality 1 + security 1 + rollback-difficulty 1 + timing 1 -> low; declared low" });
	scored(p, "low", 1, 2, 2, 2, 2, &(struct expect){ 1, 9, LOW, LOW, LOW, 0,
		"scored 9: users-affected 1 + system-criticality 2 + security 2 + rollback-difficulty 2 + timing 2 -> low; declared low" });
	scored(p, "medium", 2, 2, 2, 2, 2, &(struct expect){ 1, 10, MEDIUM, MEDIUM, MEDIUM, 0,
		"scored 10: users-affected 2 + system-criticality 2 + security 2 + rollback-difficulty 2 + timing 2 -> medium; declared medium" });
	scored(p, "medium", 2, 3, 3, 3, 3, &(struct expect){ 1, 14, MEDIUM, MEDIUM, MEDIUM, 0,
		"scored 14: users-affected 2 + system-criticality 3 + security 3 + rollback-difficulty 3 + timing 3 -> medium; declared medium" });
	scored(p, "high", 3, 3, 3, 3, 3, &(struct expect){ 1, 15, HIGH, HIGH, HIGH, 0,
		"scored 15: users-affected 3 + system-criticality 3 + security 3 + rollback-difficulty 3 + timing 3 -> high; declared high" });
	scored(p, "high", 3, 5, 4, 4, 3, &(struct expect){ 1, 19, HIGH, HIGH, HIGH, 0,
		"scored 19: users-affected 3 + system-criticality 5 + security 4 + rollback-difficulty 4 + timing 3 -> high; declared high" });
	scored(p, "critical", 4, 4, 4, 4, 4, &(struct expect){ 1, 20, CRITICAL, CRITICAL, CRITICAL, 0,
		"scored 20: users-affected 4 + system-criticality 4 + security 4 + rollback-difficulty 4 + timing 4 -> critical; declared critical" });
	scored(p, "critical", 5, 5, 5, 5, 5, &(struct expect){ 1, 25, CRITICAL, CRITICAL, CRITICAL, 0,
		"scored 25: users-affected 5 + system-criticality 5 + security 5 + rollback-difficulty 5 + timing 5 -> critical; declared critical" });
	chg_policy_free(p);
}

static void test_understated(void **state)
{
	struct chg_policy *p = policy_load(NULL);
	struct chg_node *doc;
	struct chg_risk r;

	(void)state;
	/* one point over a threshold is enough */
	scored(p, "low", 2, 2, 2, 2, 2, &(struct expect){ 1, 10, MEDIUM, MEDIUM, LOW, 1,
		"scored 10: users-affected 2 + system-criticality 2 + security 2 + rollback-difficulty 2 + timing 2 -> medium; declared low" });
	scored(p, "medium", 3, 3, 3, 3, 3, &(struct expect){ 1, 15, HIGH, HIGH, MEDIUM, 1,
		"scored 15: users-affected 3 + system-criticality 3 + security 3 + rollback-difficulty 3 + timing 3 -> high; declared medium" });
	scored(p, "high", 4, 4, 4, 4, 4, &(struct expect){ 1, 20, CRITICAL, CRITICAL, HIGH, 1,
		"scored 20: users-affected 4 + system-criticality 4 + security 4 + rollback-difficulty 4 + timing 4 -> critical; declared high" });
	scored(p, "low", 5, 5, 5, 5, 5, &(struct expect){ 1, 25, CRITICAL, CRITICAL, LOW, 1,
		"scored 25: users-affected 5 + system-criticality 5 + security 5 + rollback-difficulty 5 + timing 5 -> critical; declared low" });
	/* overstating is allowed */
	scored(p, "critical", 1, 1, 1, 1, 1, &(struct expect){ 1, 5, LOW, LOW, CRITICAL, 0,
		"scored 5: users-affected 1 + system-criticality 1 + security 1 + rollback-difficulty 1 + timing 1 -> low; declared critical" });

	/* the declared level's node, for the diagnostic's position */
	doc = answered("medium", 3, 3, 3, 3, 3);
	assert_int_equal(chg_risk_assess(&r, p, doc, 0), 0);
	assert_int_equal(r.understated, 1);
	assert_ptr_equal(r.level_node, chg_node_path(doc, "risk.level"));
	assert_int_equal(r.level_node->line, 4);
	assert_int_equal(r.level_node->column, 10);
	chg_risk_release(&r);
	chg_node_free(doc);
	chg_policy_free(p);
}

static const char db_policy[] =
	"extends: default\n"
	"risk: {conditions: [{when: {systems: {matches: '^db-prod'}}, at-least: high}]}\n";

static void test_condition(void **state)
{
	struct chg_policy *p = policy_load(db_policy);
	struct chg_node *doc;

	(void)state;
	assert_int_equal(p->nrisk_conditions, 1);
	assert_int_equal(p->risk_conditions[0].level, HIGH);
	/* the levels and questions are still the built-in ones */
	assert_int_equal(p->nrisk_levels, 4);
	assert_int_equal(p->nrisk_questions, 5);

	doc = change("systems: [web-01, db-prod-01]\n"
		     "risk:\n"
		     "  level: medium\n"
		     "  assessment: {users-affected: 1, system-criticality: 1, security: 1, rollback-difficulty: 1, timing: 1}\n");
	check(p, doc, &(struct expect){ 1, 5, LOW, HIGH, MEDIUM, 1,
		"scored 5: users-affected 1 + system-criticality 1 + security 1 + rollback-difficulty 1 + timing 1 -> low; systems matches '^db-prod' -> at least high; declared medium" });
	chg_node_free(doc);

	doc = change("systems: [web-01, db-prod-01]\n"
		     "risk: {level: high, assessment: {users-affected: 1, system-criticality: 1, security: 1, rollback-difficulty: 1, timing: 1}}\n");
	check(p, doc, &(struct expect){ 1, 5, LOW, HIGH, HIGH, 0,
		"scored 5: users-affected 1 + system-criticality 1 + security 1 + rollback-difficulty 1 + timing 1 -> low; systems matches '^db-prod' -> at least high; declared high" });
	chg_node_free(doc);

	/* the condition does not hold: the score decides */
	doc = change("systems: [web-01, my-db-prod]\n"
		     "risk: {level: low, assessment: {users-affected: 1, system-criticality: 1, security: 1, rollback-difficulty: 1, timing: 1}}\n");
	check(p, doc, &(struct expect){ 1, 5, LOW, LOW, LOW, 0,
		"scored 5: users-affected 1 + system-criticality 1 + security 1 + rollback-difficulty 1 + timing 1 -> low; declared low" });
	chg_node_free(doc);

	/* a condition never lowers what the score says */
	doc = change("systems: [db-prod-01]\n"
		     "risk: {level: high, assessment: {users-affected: 4, system-criticality: 4, security: 4, rollback-difficulty: 4, timing: 4}}\n");
	check(p, doc, &(struct expect){ 1, 20, CRITICAL, CRITICAL, HIGH, 1,
		"scored 20: users-affected 4 + system-criticality 4 + security 4 + rollback-difficulty 4 + timing 4 -> critical; systems matches '^db-prod' -> at least high; declared high" });
	chg_node_free(doc);
	chg_policy_free(p);
}

static void test_conditions(void **state)
{
	struct chg_policy *p = policy_load(
		"extends: default\n"
		"risk:\n"
		"  conditions:\n"
		"    - {when: {type: emergency}, at-least: medium}\n"
		"    - {when: {systems: {matches: '^fw-'}}, at-least: critical}\n"
		"    - {when: {impact.users: {min: 1000}}, at-least: high}\n");
	struct chg_node *doc;

	(void)state;
	assert_int_equal(p->nrisk_conditions, 3);
	/* every condition that holds is named; the highest wins */
	doc = change("type: emergency\nsystems: [fw-edge-01]\nimpact: {users: 5000}\n"
		     "risk: {level: high}\n");
	check(p, doc, &(struct expect){ 0, 0, -1, CRITICAL, HIGH, 1,
		"type is emergency -> at least medium; systems matches '^fw-' -> at least critical; impact.users is at least 1000 -> at least high; declared high" });
	chg_node_free(doc);
	doc = change("type: emergency\nsystems: [web-01]\nimpact: {users: 999}\n"
		     "risk: {level: medium}\n");
	check(p, doc, &(struct expect){ 0, 0, -1, MEDIUM, MEDIUM, 0,
		"type is emergency -> at least medium; declared medium" });
	chg_node_free(doc);
	doc = change("type: emergency\nsystems: [web-01]\nrisk: {level: low}\n");
	check(p, doc, &(struct expect){ 0, 0, -1, MEDIUM, LOW, 1,
		"type is emergency -> at least medium; declared low" });
	chg_node_free(doc);
	chg_policy_free(p);
}

static void test_not_scored(void **state)
{
	struct chg_policy *p = policy_load(NULL);
	struct chg_policy *db = policy_load(db_policy);
	struct chg_node *doc;

	(void)state;
	/* one answer missing: no score, and no level from it */
	doc = change("risk:\n  level: low\n"
		     "  assessment: {users-affected: 5, system-criticality: 5, security: 5, rollback-difficulty: 5}\n");
	check(p, doc, &(struct expect){ 0, 0, -1, -1, LOW, 0, "declared low" });
	chg_node_free(doc);
	/* answers that are not integers */
	doc = change("risk:\n  level: low\n"
		     "  assessment: {users-affected: 5, system-criticality: 5, security: high, rollback-difficulty: 5, timing: 5}\n");
	check(p, doc, &(struct expect){ 0, 0, -1, -1, LOW, 0, "declared low" });
	chg_node_free(doc);
	doc = change("risk:\n  level: low\n"
		     "  assessment: {users-affected: '5', system-criticality: 5, security: 5, rollback-difficulty: 5, timing: 5}\n");
	check(p, doc, &(struct expect){ 0, 0, -1, -1, LOW, 0, "declared low" });
	chg_node_free(doc);
	doc = change("risk:\n  level: low\n"
		     "  assessment: {users-affected: 5, system-criticality: 5, security: 5, rollback-difficulty: 5, timing: ~}\n");
	check(p, doc, &(struct expect){ 0, 0, -1, -1, LOW, 0, "declared low" });
	chg_node_free(doc);
	/* no assessment, or not a map */
	doc = change("risk: {level: medium}\n");
	check(p, doc, &(struct expect){ 0, 0, -1, -1, MEDIUM, 0, "declared medium" });
	chg_node_free(doc);
	doc = change("risk: {level: medium, assessment: [5, 5, 5, 5, 5]}\n");
	check(p, doc, &(struct expect){ 0, 0, -1, -1, MEDIUM, 0, "declared medium" });
	chg_node_free(doc);
	/* nothing declared either */
	doc = change("type: standard\n");
	check(p, doc, &(struct expect){ 0, 0, -1, -1, -1, 0, "" });
	chg_node_free(doc);
	/* a condition still sets the floor */
	doc = change("systems: [db-prod-01]\nrisk: {level: low}\n");
	check(db, doc, &(struct expect){ 0, 0, -1, HIGH, LOW, 1,
		"systems matches '^db-prod' -> at least high; declared low" });
	chg_node_free(doc);
	chg_policy_free(p);
	chg_policy_free(db);
}

static void test_declared(void **state)
{
	struct chg_policy *p = policy_load(NULL);

	(void)state;
	/* a level the policy does not know is the schema's finding */
	scored(p, "severe", 5, 5, 5, 5, 5, &(struct expect){ 1, 25, CRITICAL, CRITICAL, -1, 0,
		"scored 25: users-affected 5 + system-criticality 5 + security 5 + rollback-difficulty 5 + timing 5 -> critical" });
	scored(p, "High", 5, 5, 5, 5, 5, &(struct expect){ 1, 25, CRITICAL, CRITICAL, -1, 0,
		"scored 25: users-affected 5 + system-criticality 5 + security 5 + rollback-difficulty 5 + timing 5 -> critical" });
	scored(p, "'high'", 3, 3, 3, 3, 3, &(struct expect){ 1, 15, HIGH, HIGH, HIGH, 0,
		"scored 15: users-affected 3 + system-criticality 3 + security 3 + rollback-difficulty 3 + timing 3 -> high; declared high" });
	chg_policy_free(p);
}

static void test_no_risk(void **state)
{
	struct chg_policy *p = policy_load("extends: none\n");
	struct chg_node *doc = answered("low", 5, 5, 5, 5, 5);

	(void)state;
	assert_int_equal(p->nrisk_levels, 0);
	check(p, doc, &(struct expect){ 0, 0, -1, -1, -1, 0, "" });
	chg_node_free(doc);
	chg_policy_free(p);
}

static void test_own_levels(void **state)
{
	struct chg_policy *p = policy_load(
		"extends: none\n"
		"risk:\n"
		"  questions: [blast-radius, reversibility]\n"
		"  levels: {minor: 2, major: 6, severe: 9}\n");
	struct chg_node *doc;

	(void)state;
	assert_int_equal(p->nrisk_questions, 2);
	doc = change("risk: {level: minor, assessment: {blast-radius: 1, reversibility: 0}}\n");
	check(p, doc, &(struct expect){ 1, 1, -1, -1, 0, 0,
		"scored 1: blast-radius 1 + reversibility 0; declared minor" });
	chg_node_free(doc);
	doc = change("risk: {level: minor, assessment: {blast-radius: 3, reversibility: 3, timing: 5}}\n");
	check(p, doc, &(struct expect){ 1, 6, 1, 1, 0, 1,
		"scored 6: blast-radius 3 + reversibility 3 -> major; declared minor" });
	chg_node_free(doc);
	doc = change("risk: {level: severe, assessment: {blast-radius: 9, reversibility: 0}}\n");
	check(p, doc, &(struct expect){ 1, 9, 2, 2, 2, 0,
		"scored 9: blast-radius 9 + reversibility 0 -> severe; declared severe" });
	chg_node_free(doc);
	chg_policy_free(p);
}

static void test_limit(void **state)
{
	struct chg_policy *p = policy_load(
		"extends: default\n"
		"risk: {conditions: [{when: {title: {matches: '(a+)+$'}}, at-least: high}]}\n");
	struct chg_node *doc = change(
		"title: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\n"
		"risk: {level: low}\n");
	struct chg_risk r;

	(void)state;
	assert_int_equal(chg_risk_assess(&r, p, doc, 0), CHG_ELIMIT);
	assert_int_equal(r.understated, 0);
	assert_ptr_equal(r.level_node, chg_node_path(doc, "risk.level"));
	chg_risk_release(&r);
	chg_risk_release(NULL);
	chg_node_free(doc);
	chg_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_understated),
		cmocka_unit_test(test_condition),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_not_scored),
		cmocka_unit_test(test_declared),
		cmocka_unit_test(test_no_risk),
		cmocka_unit_test(test_own_levels),
		cmocka_unit_test(test_limit),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
