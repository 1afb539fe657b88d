#include "risk.h"

#include <string.h>

#include "error.h"
#include "banned.h"

int chg_risk_assess(struct chg_risk *out, const struct chg_policy *policy,
		    const struct chg_node *doc, int64_t now)
{
	const struct chg_node *assessment, *answer;
	struct chg_buf *ex = &out->explanation;
	long long v;
	size_t i;
	int error = 0, rc;

	memset(out, 0, sizeof(*out));
	chg_buf_init(ex);
	out->score_level = out->floor = out->declared = -1;
	if (!policy->nrisk_levels)
		return 0;

	out->level_node = chg_node_path(doc, "risk.level");
	out->declared = chg_policy_risk_level(policy, chg_node_str(out->level_node));

	assessment = chg_node_path(doc, "risk.assessment");
	if (assessment && assessment->type == CHG_NODE_MAPPING &&
	    policy->nrisk_questions) {
		out->scored = 1;
		for (i = 0; i < policy->nrisk_questions; i++) {
			answer = chg_node_get(assessment, policy->risk_questions[i]);
			if (chg_node_int(&v, answer) < 0) {
				out->scored = 0;
				break;
			}
			out->score += v;
		}
	}
	if (out->scored) {
		error = chg_buf_printf(ex, "scored %lld: ", out->score);
		for (i = 0; !error && i < policy->nrisk_questions; i++) {
			answer = chg_node_get(assessment, policy->risk_questions[i]);
			/* by hand: printf costs more than the sum */
			if (i)
				error = chg_buf_puts(ex, " + ");
			if (!error)
				error = chg_buf_puts(ex, policy->risk_questions[i]);
			if (!error)
				error = chg_buf_putc(ex, ' ');
			if (!error)
				error = chg_buf_puts(ex, answer->value);
		}
		for (i = 0; i < policy->nrisk_levels; i++)
			if (out->score >= policy->risk_levels[i].min_score)
				out->score_level = (int)i;
		if (!error && out->score_level >= 0)
			error = chg_buf_puts(ex, " -> ") ? CHG_ENOMEM :
				chg_buf_puts(ex, policy->risk_levels[out->score_level].name);
		out->floor = out->score_level;
	}
	for (i = 0; !error && i < policy->nrisk_conditions; i++) {
		const struct chg_risk_condition *c = &policy->risk_conditions[i];
		rc = chg_cond_eval(c->when, doc, now);
		if (rc < 0) {
			error = rc;
			break;
		}
		if (!rc)
			continue;
		if (ex->len)
			error = chg_buf_puts(ex, "; ");
		if (!error)
			error = chg_cond_describe(ex, c->when);
		if (!error)
			error = chg_buf_printf(ex, " -> at least %s",
					       policy->risk_levels[c->level].name);
		if ((int)c->level > out->floor)
			out->floor = (int)c->level;
	}
	if (!error && out->declared >= 0) {
		error = chg_buf_printf(ex, "%sdeclared %s", ex->len ? "; " : "",
				       policy->risk_levels[out->declared].name);
		out->understated = out->floor > out->declared;
	}
	return error;
}

void chg_risk_release(struct chg_risk *r)
{
	if (r)
		chg_buf_release(&r->explanation);
}
