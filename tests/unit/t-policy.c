/*
 * t-policy.c - the policy (lib/policy.h, DESIGN section 4): the built-in
 * policy, a repository's policy merged over it (`extends: default`: maps
 * merge key by key, lists replace) or standing alone (`extends: none`),
 * invalid policies refused with invalid-policy diagnostics at the
 * repository file's lines, and the path globs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cond.h"
#include "diag.h"
#include "error.h"
#include "node.h"
#include "pattern.h"
#include "policy.h"
#include "banned.h"

#define POLICY ".chg/policy.yaml"

static void print_diags(const struct chg_diag_list *diags)
{
	size_t i;

	for (i = 0; i < diags->n; i++)
		print_message("# %s:%d:%d: %s [%s]\n", diags->items[i].path,
			      diags->items[i].line, diags->items[i].column,
			      diags->items[i].message, diags->items[i].rule);
}

/* The built-in policy, or `text` as the repository's policy. */
static struct chg_policy *load(const char *text)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_policy *p = (struct chg_policy *)&p;
	int rc;

	rc = chg_policy_load(&p, text, text ? strlen(text) : 0, POLICY, &diags);
	if (rc != 0 || diags.n)
		print_diags(&diags);
	assert_int_equal(rc, 0);
	assert_non_null(p);
	assert_int_equal(diags.n, 0);
	chg_diag_list_release(&diags);
	return p;
}

/*
 * Asserts that `text` is refused: CHG_EINVALID, no policy, only error
 * diagnostics of rule `rule`, all in the repository's file, the first at
 * line:column with a message containing `fragment`.
 */
static void refused_as(const char *text, const char *rule, int line,
		       int column, const char *fragment)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_policy *p = (struct chg_policy *)&p;
	const struct chg_diag *d;
	size_t i;

	assert_int_equal(chg_policy_load(&p, text, strlen(text), POLICY, &diags),
			 CHG_EINVALID);
	assert_null(p);
	print_diags(&diags);
	assert_true(diags.n >= 1);
	for (i = 0; i < diags.n; i++) {
		d = &diags.items[i];
		assert_string_equal(d->path, POLICY);
		assert_int_equal(d->severity, CHG_SEV_ERROR);
		assert_string_equal(d->rule, rule);
	}
	d = &diags.items[0];
	assert_int_equal(d->line, line);
	assert_int_equal(d->column, column);
	if (!strstr(d->message, fragment))
		fail_msg("'%s' does not say '%s'", d->message, fragment);
	chg_diag_list_release(&diags);
}

/* As refused_as, with exactly one invalid-policy diagnostic. */
static void refused(const char *text, int line, int column,
		    const char *fragment)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_policy *p = NULL;

	refused_as(text, "invalid-policy", line, column, fragment);
	chg_policy_load(&p, text, strlen(text), POLICY, &diags);
	assert_int_equal(diags.n, 1);
	chg_diag_list_release(&diags);
}

/*
 * Asserts that `text` is refused with invalid-policy errors that all name
 * a line of the repository's file, one of them saying `fragment`: a
 * conflict between the repository's policy and the built-in one is the
 * repository's, and the built-in file is nowhere the user can look.
 */
static void refused_here(const char *text, const char *fragment)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_policy *p = (struct chg_policy *)&p;
	const struct chg_diag *d;
	size_t i;
	int said = 0;

	assert_int_equal(chg_policy_load(&p, text, strlen(text), POLICY, &diags),
			 CHG_EINVALID);
	assert_null(p);
	print_diags(&diags);
	assert_true(diags.n >= 1);
	for (i = 0; i < diags.n; i++) {
		d = &diags.items[i];
		assert_string_equal(d->path, POLICY);
		assert_string_equal(d->rule, "invalid-policy");
		assert_true(d->line >= 1);
		assert_true(d->column >= 1);
		said |= strstr(d->message, fragment) != NULL;
	}
	if (!said)
		fail_msg("no diagnostic says '%s'", fragment);
	chg_diag_list_release(&diags);
}

static const struct chg_schema *field(const struct chg_schema *s,
				      const char *name)
{
	size_t i;

	for (i = 0; i < s->nfields; i++)
		if (!strcmp(s->fields[i].name, name))
			return &s->fields[i];
	fail_msg("no field '%s'", name);
	return NULL;
}

static void seq_is(const struct chg_node *seq, const char *const *items)
{
	size_t i;

	assert_non_null(seq);
	assert_int_equal(seq->type, CHG_NODE_SEQUENCE);
	for (i = 0; items[i]; i++) {
		assert_true(i < seq->n);
		assert_string_equal(seq->items[i]->value, items[i]);
	}
	assert_int_equal(seq->n, i);
}

static const char *const all_states[] = {
	"draft", "requested", "approved", "implementing", "implemented",
	"closed", "rejected", "cancelled", NULL
};
static const char *const approved_states[] = {
	"approved", "implementing", "implemented", "closed", NULL
};

static void test_builtin_changes(void **state)
{
	struct chg_policy *p = load(NULL);

	(void)state;
	assert_string_equal(p->path, CHG_POLICY_BUILTIN);
	assert_string_equal(p->path, "<built-in policy>");
	assert_int_equal(p->npaths, 1);
	assert_string_equal(p->paths[0], "changes/**/*.yaml");
	assert_string_equal(p->id_field, "id");
	assert_non_null(p->id_pattern);
	assert_string_equal(chg_pattern_source(p->id_pattern), "^CHG-[0-9]{4,}$");
	assert_int_equal(chg_pattern_match(p->id_pattern, "CHG-0042", 8), 1);
	assert_int_equal(chg_pattern_match(p->id_pattern, "CHG-12345", 9), 1);
	assert_int_equal(chg_pattern_match(p->id_pattern, "CHG-042", 7), 0);
	assert_int_equal(chg_pattern_match(p->id_pattern, "XCHG-0042", 9), 0);
	assert_int_equal(p->filename_matches_id, 1);
	assert_int_equal(p->unknown_fields, CHG_SEV_ERROR);
	assert_int_equal(p->schema.closed, 1);
	assert_int_equal(chg_policy_is_change_path(p, "changes/CHG-0042.yaml"), 1);
	assert_int_equal(chg_policy_is_change_path(p, "changes/2026/12/CHG-0042.yaml"), 1);
	assert_int_equal(chg_policy_is_change_path(p, "changes/CHG-0042.yml"), 0);
	assert_int_equal(chg_policy_is_change_path(p, ".chg/policy.yaml"), 0);
	assert_int_equal(chg_policy_is_change_path(p, "CHG-0042.yaml"), 0);
	chg_policy_free(p);
}

static void test_builtin_lifecycle(void **state)
{
	struct chg_policy *p = load(NULL);
	size_t i;

	(void)state;
	assert_string_equal(p->state_field, "state");
	seq_is(p->states, all_states);
	seq_is(p->approved, approved_states);
	for (i = 0; approved_states[i]; i++)
		assert_int_equal(chg_policy_state_needs_approval(p, approved_states[i]), 1);
	assert_int_equal(chg_policy_state_needs_approval(p, "draft"), 0);
	assert_int_equal(chg_policy_state_needs_approval(p, "requested"), 0);
	assert_int_equal(chg_policy_state_needs_approval(p, "rejected"), 0);
	assert_int_equal(chg_policy_state_needs_approval(p, "cancelled"), 0);
	assert_int_equal(chg_policy_state_needs_approval(p, "Approved"), 0);
	assert_int_equal(chg_policy_state_needs_approval(p, NULL), 0);
	assert_non_null(p->clients);
	assert_int_equal(p->clients->n, 0);
	chg_policy_free(p);
}

static void test_builtin_fields(void **state)
{
	struct chg_policy *p = load(NULL);
	const struct chg_schema *f, *a;

	(void)state;
	assert_int_equal(p->schema.type, CHG_TYPE_MAP);
	f = field(&p->schema, "id");
	assert_int_equal(f->type, CHG_TYPE_STRING);
	assert_int_equal(f->required, CHG_REQ_ALWAYS);
	f = field(&p->schema, "title");
	assert_int_equal(f->type, CHG_TYPE_TEXT);
	assert_int_equal(f->max_length, 200);
	f = field(&p->schema, "type");
	assert_int_equal(f->type, CHG_TYPE_ENUM);
	seq_is(f->values, (const char *const[]){ "standard", "normal", "emergency", NULL });
	f = field(&p->schema, "requested-by");
	assert_int_equal(f->type, CHG_TYPE_IDENTITY);
	f = field(&p->schema, "owner");
	assert_int_equal(f->required, CHG_REQ_WHEN);
	assert_string_equal(chg_cond_field(f->required_when), "state");
	f = field(&p->schema, "systems");
	assert_int_equal(f->type, CHG_TYPE_LIST);
	assert_int_equal(f->min_items, 1);
	assert_int_equal(f->max_items, -1);
	assert_int_equal(f->required, CHG_REQ_ALWAYS);
	assert_non_null(f->items);
	assert_int_equal(f->items->type, CHG_TYPE_STRING);
	assert_string_equal(chg_pattern_source(f->items->pattern),
			    "^[A-Za-z0-9][A-Za-z0-9._-]*$");
	f = field(&p->schema, "incident");
	assert_string_equal(chg_pattern_source(f->pattern), "^INC-[0-9]+$");
	assert_string_equal(chg_cond_field(f->required_when), "type");
	f = field(&p->schema, "window");
	assert_int_equal(f->type, CHG_TYPE_MAP);
	assert_int_equal(field(f, "start")->type, CHG_TYPE_DATETIME);
	assert_int_equal(field(f, "end")->required, CHG_REQ_ALWAYS);
	f = field(&p->schema, "impact");
	assert_int_equal(field(f, "users")->has_min, 1);
	assert_int_equal(field(f, "users")->min, 0);
	assert_int_equal(field(f, "users")->has_max, 0);
	assert_int_equal(field(f, "downtime")->type, CHG_TYPE_DURATION);
	f = field(&p->schema, "risk");
	a = field(f, "assessment");
	assert_int_equal(a->nfields, 5);
	assert_int_equal(field(a, "timing")->min, 1);
	assert_int_equal(field(a, "timing")->max, 5);
	assert_int_equal(field(&p->schema, "rollback-tested")->type, CHG_TYPE_BOOL);
	assert_int_equal(field(&p->schema, "test-plan")->required, CHG_REQ_NEVER);
	assert_int_equal(field(field(&p->schema, "review"), "outcome")->type,
			 CHG_TYPE_ENUM);
	chg_policy_free(p);
}

static void test_builtin_rules(void **state)
{
	struct chg_policy *p = load(NULL);

	(void)state;
	assert_int_equal(p->nrules, 2);
	assert_string_equal(p->rules[0].id, "tested-rollback-for-high-risk");
	assert_string_equal(chg_cond_field(p->rules[0].when), "risk.level");
	assert_int_equal(p->rules[0].nrequire, 1);
	assert_string_equal(p->rules[0].require_fields[0], "rollback-tested");
	assert_int_equal(p->rules[0].nforbid, 0);
	assert_int_equal(p->rules[0].severity, CHG_SEV_ERROR);
	assert_string_equal(p->rules[0].message,
			    "high and critical changes need a tested rollback plan");
	assert_string_equal(p->rules[1].id, "missing-review");
	assert_int_equal(p->rules[1].nrequire, 1);
	assert_string_equal(p->rules[1].require_fields[0], "review");
	chg_policy_free(p);
}

static void test_builtin_risk(void **state)
{
	static const char *const questions[] = {
		"users-affected", "system-criticality", "security",
		"rollback-difficulty", "timing"
	};
	static const char *const levels[] = { "low", "medium", "high", "critical" };
	static const long long scores[] = { 0, 10, 15, 20 };
	struct chg_policy *p = load(NULL);
	size_t i;

	(void)state;
	assert_int_equal(p->nrisk_questions, 5);
	for (i = 0; i < 5; i++)
		assert_string_equal(p->risk_questions[i], questions[i]);
	assert_int_equal(p->nrisk_levels, 4);
	for (i = 0; i < 4; i++) {
		assert_string_equal(p->risk_levels[i].name, levels[i]);
		assert_int_equal(p->risk_levels[i].min_score, scores[i]);
		assert_int_equal(chg_policy_risk_level(p, levels[i]), (int)i);
	}
	assert_int_equal(chg_policy_risk_level(p, "severe"), -1);
	assert_int_equal(chg_policy_risk_level(p, "High"), -1);
	assert_int_equal(chg_policy_risk_level(p, NULL), -1);
	assert_int_equal(p->nrisk_conditions, 0);
	chg_policy_free(p);
}

static void test_builtin_approvals(void **state)
{
	struct chg_policy *p = load(NULL);
	const struct chg_approval_rule *r;

	(void)state;
	assert_int_equal(p->has_approvals, 1);
	assert_int_equal(p->require_signature, 1);
	assert_int_equal(p->separation_of_duties, 1);
	assert_int_equal(p->napproval_rules, 4);
	r = p->approval_rules;
	assert_string_equal(chg_cond_field(r[0].when), "type");
	assert_int_equal(r[0].required, 0);
	assert_null(r[0].from);
	assert_int_equal(r[1].required, 1);
	seq_is(r[1].from, (const char *const[]){ "emergency", NULL });
	assert_string_equal(chg_cond_field(r[2].when), "risk.level");
	assert_int_equal(r[2].required, 2);
	seq_is(r[2].from, (const char *const[]){ "cab", NULL });
	assert_null(r[3].when);
	assert_int_equal(r[3].required, 1);
	seq_is(r[3].from, (const char *const[]){ "managers", "cab", NULL });
	assert_non_null(p->not_covered);
	assert_string_equal(p->not_covered[0], "state");
	assert_string_equal(p->not_covered[1], "review");
	assert_null(p->not_covered[2]);
	assert_int_equal(chg_policy_in_group(p, "cab", "alice@example.com"), 0);
	assert_non_null(p->review_within);
	assert_string_equal(chg_node_get(p->review_within, "emergency")->value, "5d");
	assert_string_equal(chg_node_get(p->review_within, "normal")->value, "14d");
	chg_policy_free(p);
}

static const char repo_policy[] =
	"version: 1\n"                                                   /* 1 */
	"extends: default\n"                                             /* 2 */
	"changes:\n"                                                     /* 3 */
	"  paths: [\"requests/*.yaml\", \"archive/**/*.yaml\"]\n"        /* 4 */
	"  id-pattern: '^REQ-[0-9]+$'\n"                                 /* 5 */
	"lifecycle:\n"                                                   /* 6 */
	"  states: [draft, requested, approved, implementing, implemented, closed, rejected, cancelled, on-hold]\n"
	"clients: [acme, globex]\n"                                      /* 8 */
	"fields:\n"                                                      /* 9 */
	"  systems:\n"                                                   /* 10 */
	"    items: {pattern: '^[a-z0-9][a-z0-9.-]*$'}\n"                /* 11 */
	"  client: {pattern: '^(acme|globex)$'}\n"                       /* 12 */
	"  ticket: {type: string, pattern: '^T-[0-9]+$'}\n"              /* 13 */
	"risk:\n"                                                        /* 14 */
	"  questions: [users-affected, security]\n"                      /* 15 */
	"  levels: {critical: 21}\n"                                     /* 16 */
	"approvals:\n"                                                   /* 17 */
	"  require-signature: false\n"                                   /* 18 */
	"  groups:\n"                                                    /* 19 */
	"    cab: [alice@example.com, Carol@Example.com]\n"              /* 20 */
	"    managers: [dave@example.com]\n"                             /* 21 */
	"    emergency: [alice@example.com]\n";                          /* 22 */

static void test_merge(void **state)
{
	struct chg_policy *p = load(repo_policy), *builtin = load(NULL);
	const struct chg_schema *f;
	const struct chg_node *changes;

	(void)state;
	assert_string_equal(p->path, POLICY);
	/* a list replaces the default's list */
	assert_int_equal(p->npaths, 2);
	assert_string_equal(p->paths[0], "requests/*.yaml");
	assert_string_equal(p->paths[1], "archive/**/*.yaml");
	assert_int_equal(chg_policy_is_change_path(p, "requests/REQ-1.yaml"), 1);
	assert_int_equal(chg_policy_is_change_path(p, "archive/2025/REQ-1.yaml"), 1);
	assert_int_equal(chg_policy_is_change_path(p, "changes/CHG-0042.yaml"), 0);
	assert_int_equal(p->states->n, 9);
	assert_string_equal(p->states->items[8]->value, "on-hold");
	assert_int_equal(p->nrisk_questions, 2);
	assert_string_equal(p->risk_questions[1], "security");
	/* a map merges key by key: the other keys stay */
	assert_string_equal(chg_pattern_source(p->id_pattern), "^REQ-[0-9]+$");
	assert_string_equal(p->id_field, "id");
	assert_int_equal(p->filename_matches_id, 1);
	assert_int_equal(p->unknown_fields, CHG_SEV_ERROR);
	changes = chg_node_get(p->root, "changes");
	assert_int_equal(changes->n, 5);
	seq_is(p->approved, approved_states);
	assert_string_equal(p->state_field, "state");
	seq_is(p->clients, (const char *const[]){ "acme", "globex", NULL });
	assert_int_equal(p->nrisk_levels, 4);
	assert_string_equal(p->risk_levels[0].name, "low");
	assert_int_equal(p->risk_levels[2].min_score, 15);
	assert_int_equal(p->risk_levels[3].min_score, 21);
	assert_int_equal(p->require_signature, 0);
	assert_int_equal(p->separation_of_duties, 1);
	assert_int_equal(p->napproval_rules, 4);
	assert_int_equal(p->nrules, 2);

	/* fields: the override keeps what it does not say */
	assert_int_equal(p->schema.nfields, builtin->schema.nfields + 1);
	f = field(&p->schema, "systems");
	assert_int_equal(f->type, CHG_TYPE_LIST);
	assert_int_equal(f->min_items, 1);
	assert_int_equal(f->required, CHG_REQ_ALWAYS);
	assert_int_equal(f->items->type, CHG_TYPE_STRING);
	assert_string_equal(chg_pattern_source(f->items->pattern),
			    "^[a-z0-9][a-z0-9.-]*$");
	f = field(&p->schema, "client");
	assert_int_equal(f->type, CHG_TYPE_STRING);
	assert_string_equal(chg_pattern_source(f->pattern), "^(acme|globex)$");
	f = field(&p->schema, "ticket");
	assert_int_equal(f->type, CHG_TYPE_STRING);
	assert_int_equal(f->required, CHG_REQ_NEVER);
	assert_int_equal(field(&p->schema, "incident")->required, CHG_REQ_WHEN);

	/* each node remembers the file it came from, at its position */
	f = field(&p->schema, "systems");
	assert_string_equal(f->items->node->file, CHG_POLICY_BUILTIN);
	assert_string_equal(chg_node_get(f->items->node, "pattern")->file, POLICY);
	assert_int_equal(chg_node_get(f->items->node, "pattern")->line, 11);
	assert_int_equal(chg_node_get(f->items->node, "pattern")->column, 22);
	assert_string_equal(chg_node_get(f->items->node, "type")->file,
			    CHG_POLICY_BUILTIN);
	assert_string_equal(chg_node_get(f->node, "min-items")->file,
			    CHG_POLICY_BUILTIN);
	assert_string_equal(chg_node_get(p->root, "clients")->file, POLICY);

	/* groups are added; emails compare case-insensitively */
	assert_int_equal(chg_policy_in_group(p, "cab", "alice@example.com"), 1);
	assert_int_equal(chg_policy_in_group(p, "cab", "carol@example.com"), 1);
	assert_int_equal(chg_policy_in_group(p, "cab", "ALICE@EXAMPLE.COM"), 1);
	assert_int_equal(chg_policy_in_group(p, "cab", "dave@example.com"), 0);
	assert_int_equal(chg_policy_in_group(p, "managers", "dave@example.com"), 1);
	assert_int_equal(chg_policy_in_group(p, "board", "dave@example.com"), 0);
	assert_int_equal(chg_policy_in_group(p, "cab", "alice@example.co"), 0);
	chg_policy_free(p);
	chg_policy_free(builtin);
}

static void test_merge_lists_replace(void **state)
{
	struct chg_policy *p = load(
		"extends: default\n"
		"approvals:\n"
		"  groups: {cab: [alice@example.com]}\n"
		"  rules: [{required: 2, from: [cab]}]\n"
		"  not-covered: [state]\n"
		"rules: []\n"
		"fields:\n"
		"  type: {values: [normal, emergency]}\n");
	const struct chg_schema *f;

	(void)state;
	assert_int_equal(p->napproval_rules, 1);
	assert_null(p->approval_rules[0].when);
	assert_int_equal(p->approval_rules[0].required, 2);
	assert_string_equal(p->not_covered[0], "state");
	assert_null(p->not_covered[1]);
	assert_int_equal(p->nrules, 0);
	f = field(&p->schema, "type");
	assert_int_equal(f->type, CHG_TYPE_ENUM);
	assert_int_equal(f->required, CHG_REQ_ALWAYS);
	seq_is(f->values, (const char *const[]){ "normal", "emergency", NULL });
	chg_policy_free(p);
}

static void test_extends_missing(void **state)
{
	/* without extends, a policy merges over the default */
	struct chg_policy *p = load("changes: {filename-matches-id: false}\n");

	(void)state;
	assert_int_equal(p->filename_matches_id, 0);
	assert_int_equal(p->npaths, 1);
	assert_string_equal(p->paths[0], "changes/**/*.yaml");
	assert_int_equal(p->nrisk_levels, 4);
	assert_int_equal(p->napproval_rules, 4);
	chg_policy_free(p);
}

static void test_extends_none(void **state)
{
	struct chg_policy *p = load(
		"version: 1\n"
		"extends: none\n"
		"changes: {paths: ['crs/*.yaml'], id-pattern: '^CR[0-9]+$', unknown-fields: warning}\n"
		"fields:\n"
		"  id: {type: string, required: always}\n"
		"  title: {type: text}\n");

	(void)state;
	assert_string_equal(p->path, POLICY);
	assert_int_equal(p->npaths, 1);
	assert_string_equal(p->paths[0], "crs/*.yaml");
	assert_int_equal(chg_policy_is_change_path(p, "crs/CR1.yaml"), 1);
	assert_int_equal(chg_policy_is_change_path(p, "changes/CHG-0042.yaml"), 0);
	assert_string_equal(chg_pattern_source(p->id_pattern), "^CR[0-9]+$");
	assert_int_equal(p->filename_matches_id, 0);
	assert_int_equal(p->unknown_fields, CHG_SEV_WARNING);
	assert_int_equal(p->schema.nfields, 2);
	assert_null(p->state_field);
	assert_null(p->states);
	assert_int_equal(chg_policy_state_needs_approval(p, "approved"), 0);
	assert_null(p->clients);
	assert_int_equal(p->nrules, 0);
	assert_int_equal(p->nrisk_levels, 0);
	assert_int_equal(p->nrisk_questions, 0);
	assert_int_equal(p->has_approvals, 0);
	assert_int_equal(p->napproval_rules, 0);
	assert_null(p->review_within);
	assert_null(chg_node_get(p->root, "lifecycle"));
	chg_policy_free(p);

	/* nothing at all: the paths default, the rest is empty */
	p = load("extends: none\n");
	assert_int_equal(p->npaths, 1);
	assert_string_equal(p->paths[0], "changes/**/*.yaml");
	assert_string_equal(p->id_field, "id");
	assert_null(p->id_pattern);
	assert_int_equal(p->schema.nfields, 0);
	assert_int_equal(p->nrisk_levels, 0);
	assert_int_equal(p->has_approvals, 0);
	chg_policy_free(p);
}

static void test_invalid_keys(void **state)
{
	(void)state;
	refused("extends: default\nbogus: 1\n", 2, 1, "'bogus'");
	refused("extends: default\n"
		"fields:\n"
		"  systems: {pattern: '^x', colour: red}\n", 3, 28, "'colour'");
	refused("extends: none\n"
		"fields:\n"
		"  ticket: {type: string, required: always, colour: red}\n",
		3, 44, "'colour'");
	refused("extends: default\n"
		"changes:\n"
		"  path: [x.yaml]\n", 3, 3, "'path'");
	refused("extends: default\n"
		"risk:\n"
		"  conditions:\n"
		"    - {when: {type: normal}, at-least: low, level: high}\n",
		4, 45, "'level'");
}

static void test_invalid_type(void **state)
{
	(void)state;
	refused("extends: default\n"
		"fields:\n"
		"  ticket: {type: strng}\n", 3, 18, "ticket.type");
	refused("extends: default\n"
		"fields:\n"
		"  risk:\n"
		"    fields:\n"
		"      level: {type: 1}\n", 5, 21, "risk.level.type");
	/* retyping a field of the default is refused only for the typo */
	refused("extends: default\n"
		"fields:\n"
		"  systems: {type: lst}\n", 3, 19, "systems.type");
}

static void test_invalid_pattern(void **state)
{
	(void)state;
	refused("extends: default\n"
		"changes: {id-pattern: '^CHG-(['}\n", 2, 23,
		"invalid regular expression '^CHG-([': missing terminating ] for character class at offset 7");
	refused("extends: default\n"
		"fields:\n"
		"  ticket: {type: string, pattern: 'T-(?<x'}\n", 3, 35,
		"invalid regular expression 'T-(?<x'");
	/* in a condition: cond.c reports it, in the repository's file */
	refused("extends: default\n"
		"rules:\n"
		"  - id: db-needs-tests\n"
		"    when: {systems: {matches: 'db-(prod'}}\n"
		"    require: [test-plan]\n", 4, 31,
		"invalid regular expression 'db-(prod': missing closing parenthesis at offset 8");
	refused("extends: default\n"
		"approvals:\n"
		"  groups: {cab: [a@example.com], managers: [b@example.com], emergency: [c@example.com]}\n"
		"  rules:\n"
		"    - {when: {title: {matches: '+'}}, required: 1, from: [cab]}\n",
		5, 32, "invalid regular expression '+'");
}

static void test_invalid_references(void **state)
{
	(void)state;
	refused("extends: default\n"
		"approvals:\n"
		"  groups: {cab: [alice@example.com]}\n"
		"  rules:\n"
		"    - {required: 1, from: [cab, board]}\n", 5, 33, "'board'");
	refused("extends: none\n"
		"approvals:\n"
		"  rules: [{required: 1, from: [cab]}]\n", 3, 32, "'cab'");
	refused("extends: default\n"
		"risk: {levels: {low: 0, medium: 10, high: 10, critical: 20}}\n",
		2, 43, "risk.levels");
	refused("extends: none\n"
		"risk:\n"
		"  levels: {low: 5, medium: 3}\n", 3, 28, "risk.levels");
	refused("extends: default\n"
		"risk:\n"
		"  conditions:\n"
		"    - {when: {type: emergency}, at-least: severe}\n", 4, 43,
		"'severe'");
	refused("extends: default\n"
		"lifecycle:\n"
		"  approved: [approved, done]\n", 3, 24, "'done'");
}

static void test_conflict_with_default(void **state)
{
	(void)state;
	/* what the repository's values break in the default's */
	refused_here("extends: default\n"
		     "lifecycle:\n"
		     "  states: [draft, requested, accepted, closed]\n",
		     "'approved'");
	refused_here("extends: default\n"
		     "risk: {levels: {medium: 16}}\n", "risk.levels");
}

static void test_invalid_values(void **state)
{
	(void)state;
	refused("version: 1\nextends: bogus\n", 2, 10, "extends");
	refused("extends: [default]\n", 1, 10, "extends");
	refused("version: 2\nextends: default\n", 1, 10, "version");
	refused("version: one\n", 1, 10, "version");
	refused("extends: default\n"
		"changes: {id-field: ~}\n", 2, 21, "changes.id-field");
	refused("extends: default\n"
		"changes: {unknown-fields: fatal}\n", 2, 27, "changes.unknown-fields");
	refused("extends: default\n"
		"schedule: {review-within: {normal: 2 weeks}}\n", 2, 36,
		"schedule.review-within.normal");
	refused("extends: default\n"
		"approvals: {groups: {cab: alice@example.com}}\n", 2, 27,
		"approvals.groups.cab");
	refused("extends: default\n"
		"rules:\n"
		"  - {id: x, require: [a]}\n"
		"  - {id: x, forbid: [b]}\n", 4, 10, "'x'");
}

static void test_empty_string(void **state)
{
	(void)state;
	/* quoted or not, an empty string is not a field name */
	refused("extends: default\n"
		"changes: {id-field: ''}\n", 2, 21, "changes.id-field");
	refused("extends: default\n"
		"lifecycle: {field: \"\"}\n", 2, 20, "lifecycle.field");
}

/*
 * Every node the policy reads is checked for its kind first: a list where
 * a string belongs, null where a pattern or a field name belongs, is
 * invalid-policy at that node, never read as a string (t4150 goes through
 * every section).
 */
static void test_wrong_kinds(void **state)
{
	(void)state;
	refused("extends: default\n"
		"lifecycle: {transitions: {requested: [[approved]]}}\n", 2, 39,
		"lifecycle.transitions.requested may hold only strings");
	refused("extends: default\n"
		"lifecycle: {transitions: {requested: [approved, {a: b}]}}\n", 2, 49,
		"lifecycle.transitions.requested may hold only strings");
	refused("extends: default\n"
		"lifecycle: {transitions: {requested: [~]}}\n", 2, 39,
		"lifecycle.transitions.requested may hold only strings");
	refused("extends: default\n"
		"changes: {id-pattern: ~}\n", 2, 23, "a pattern must be a string");
	refused("extends: default\n"
		"fields: {title: {pattern: }}\n", 2, 27, "a pattern must be a string");
	refused("extends: default\n"
		"rules: [{id: r, require: [~]}]\n", 2, 27, "require must name fields");
	refused("extends: default\n"
		"rules: [{id: r, when: {title: {matches: ~}}, require: [title]}]\n",
		2, 41, "matches: takes a regular expression");
	refused("extends: default\n"
		"rules: [{id: r, forbid: {\"\": x}}]\n", 2, 30,
		"a condition names an empty field");
}

static void test_invalid_yaml(void **state)
{
	(void)state;
	refused_as("extends: default\nchanges: {paths: [a]\n", "yaml-syntax", 3, 1,
		   "did not find expected ',' or '}'");
	refused_as("extends: default\n"
		   "changes: {id-field: id}\n"
		   "changes: {id-field: key}\n", "duplicate-key", 3, 1, "changes");
	refused_as("- extends: default\n", "invalid-type", 1, 1, "");
}

static void test_glob(void **state)
{
	(void)state;
	assert_int_equal(chg_glob_match("changes/**/*.yaml", "changes/a.yaml"), 1);
	assert_int_equal(chg_glob_match("changes/**/*.yaml", "changes/x/y/a.yaml"), 1);
	assert_int_equal(chg_glob_match("changes/**/*.yaml", "changes/x/a.yaml"), 1);
	assert_int_equal(chg_glob_match("changes/**/*.yaml", "changes/a.yml"), 0);
	assert_int_equal(chg_glob_match("changes/**/*.yaml", "changes/a.yaml.bak"), 0);
	assert_int_equal(chg_glob_match("changes/**/*.yaml", "other/a.yaml"), 0);
	assert_int_equal(chg_glob_match("changes/**/*.yaml", "changes.yaml"), 0);
	assert_int_equal(chg_glob_match("changes/**/*.yaml", "x/changes/a.yaml"), 0);
	assert_int_equal(chg_glob_match("changes/**/*.yaml", "changesX/a.yaml"), 0);
	assert_int_equal(chg_glob_match("**/*.yaml", "a.yaml"), 1);
	assert_int_equal(chg_glob_match("**/*.yaml", "a/b/c.yaml"), 1);
	assert_int_equal(chg_glob_match("changes/**", "changes/a/b"), 1);
	assert_int_equal(chg_glob_match("changes/**", "other/a"), 0);

	/* `*` stays within one component */
	assert_int_equal(chg_glob_match("changes/*.yaml", "changes/a.yaml"), 1);
	assert_int_equal(chg_glob_match("changes/*.yaml", "changes/.yaml"), 1);
	assert_int_equal(chg_glob_match("changes/*.yaml", "changes/x/a.yaml"), 0);
	assert_int_equal(chg_glob_match("*", "a/b"), 0);
	assert_int_equal(chg_glob_match("*", "ab"), 1);
	assert_int_equal(chg_glob_match("a*b*c", "aXbYc"), 1);
	assert_int_equal(chg_glob_match("a*b*c", "aXbY/c"), 0);
	assert_int_equal(chg_glob_match("a**b", "aX/b"), 0);

	/* `?` is one character, never '/' */
	assert_int_equal(chg_glob_match("CHG-00?2.yaml", "CHG-0042.yaml"), 1);
	assert_int_equal(chg_glob_match("CHG-00?2.yaml", "CHG-002.yaml"), 0);
	assert_int_equal(chg_glob_match("CHG-00?2.yaml", "CHG-00442.yaml"), 0);
	assert_int_equal(chg_glob_match("a?b", "a/b"), 0);

	/* classes */
	assert_int_equal(chg_glob_match("[a-c].yaml", "b.yaml"), 1);
	assert_int_equal(chg_glob_match("[a-c].yaml", "c.yaml"), 1);
	assert_int_equal(chg_glob_match("[a-c].yaml", "d.yaml"), 0);
	assert_int_equal(chg_glob_match("[a-c].yaml", "B.yaml"), 0);
	assert_int_equal(chg_glob_match("[!a].yaml", "b.yaml"), 1);
	assert_int_equal(chg_glob_match("[!a].yaml", "a.yaml"), 0);
	assert_int_equal(chg_glob_match("[^a].yaml", "a.yaml"), 0);
	assert_int_equal(chg_glob_match("[xyz]", "y"), 1);
	assert_int_equal(chg_glob_match("[xyz]", "w"), 0);
	assert_int_equal(chg_glob_match("[!x]", "/"), 0);
	assert_int_equal(chg_glob_match("[]a]", "]"), 1);
	assert_int_equal(chg_glob_match("[a-]", "-"), 1);

	/* everything else is literal and the whole path must match */
	assert_int_equal(chg_glob_match("changes/a.yaml", "changes/a.yaml"), 1);
	assert_int_equal(chg_glob_match("changes/a.yaml", "changes/a.yamlx"), 0);
	assert_int_equal(chg_glob_match("changes/a.yaml", "changes/a.yam"), 0);
	assert_int_equal(chg_glob_match("", ""), 1);
	assert_int_equal(chg_glob_match("", "a"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_changes),
		cmocka_unit_test(test_builtin_lifecycle),
		cmocka_unit_test(test_builtin_fields),
		cmocka_unit_test(test_builtin_rules),
		cmocka_unit_test(test_builtin_risk),
		cmocka_unit_test(test_builtin_approvals),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_lists_replace),
		cmocka_unit_test(test_extends_missing),
		cmocka_unit_test(test_extends_none),
		cmocka_unit_test(test_invalid_keys),
		cmocka_unit_test(test_invalid_type),
		cmocka_unit_test(test_invalid_pattern),
		cmocka_unit_test(test_invalid_references),
		cmocka_unit_test(test_conflict_with_default),
		cmocka_unit_test(test_invalid_values),
		cmocka_unit_test(test_empty_string),
		cmocka_unit_test(test_wrong_kinds),
		cmocka_unit_test(test_invalid_yaml),
		cmocka_unit_test(test_glob),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
