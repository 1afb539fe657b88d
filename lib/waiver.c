#include "waiver.h"

#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "buf.h"
#include "error.h"
#include "rules.h"
#include "banned.h"

/* A non-empty string without NUL bytes, or NULL. */
static const char *text_of(const struct chg_node *n)
{
	if (!n || n->type != CHG_NODE_SCALAR || chg_node_is_null(n) ||
	    strlen(n->value) != n->len ||
	    n->len == strspn(n->value, " \t\r\n"))
		return NULL;
	return n->value;
}

/* The `rule` of a usable waiver (one with a rule and a reason), or NULL. */
static const struct chg_node *rule_of(const struct chg_node *waiver)
{
	const struct chg_node *rule = chg_node_get(waiver, "rule");

	if (!text_of(rule) || !text_of(chg_node_get(waiver, "reason")))
		return NULL;
	return rule;
}

/*
 * Rewrites `d` as waived for `reason`: a note "waived (REASON): MESSAGE".
 * The reason's surrounding white space is dropped and its line breaks
 * become spaces, so that the diagnostic stays one line.
 */
static int waive(struct chg_diag *d, const char *reason)
{
	struct chg_buf msg = CHG_BUF_INIT;
	size_t len = strlen(reason), i;
	char *m;

	while (len && strchr(" \t\r\n", reason[len - 1]))
		len--;
	while (len && strchr(" \t\r\n", *reason)) {
		reason++;
		len--;
	}
	if (chg_buf_puts(&msg, "waived (") < 0 ||
	    chg_buf_put(&msg, reason, len) < 0 ||
	    chg_buf_printf(&msg, "): %s", d->message) < 0 ||
	    !(m = chg_buf_detach(&msg))) {
		chg_buf_release(&msg);
		return CHG_ENOMEM;
	}
	for (i = 0; m[i]; i++)
		if ((unsigned char)m[i] < 0x20 || m[i] == 0x7f)
			m[i] = ' ';
	free(d->message);
	d->message = m;
	d->severity = CHG_SEV_NOTE;
	return 0;
}

/*
 * Why the waivers of `change` do not count, after "does not count: ".
 * Returns 0 or CHG_ENOMEM.
 */
static int why_not_counted(struct chg_buf *b, const struct chg_change *change,
			   const struct chg_approval_result *approvals)
{
	if (!change->id)
		return chg_buf_puts(b, "a change request without an id has no approval");
	if (!approvals || (!approvals->counted && approvals->required <= 0))
		return chg_buf_printf(b, "%s has no approval", change->id);
	return chg_buf_printf(b, "%s has %zu of the %lld required approvals",
			      change->id, approvals->counted,
			      approvals->required);
}

int chg_waiver_any(const struct chg_change *change)
{
	const struct chg_node *list = change->root ?
		chg_node_get(change->root, CHG_WAIVERS_FIELD) : NULL;

	return list && list->type == CHG_NODE_SEQUENCE;
}

int chg_waiver_apply(const struct chg_policy *policy,
		     const struct chg_change *change,
		     const struct chg_approval_result *approvals,
		     size_t nwaivable, struct chg_diag_list *diags)
{
	const struct chg_node *list;
	struct chg_buf why = CHG_BUF_INIT;
	size_t i, j, k, found;
	int counts, error = 0;

	if (!chg_waiver_any(change))
		return 0;
	list = chg_node_get(change->root, CHG_WAIVERS_FIELD);
	if (nwaivable > diags->n)
		nwaivable = diags->n;
	counts = change->id && approvals && approvals->counted > 0 &&
		 (long long)approvals->counted >= approvals->required;
	error = why_not_counted(&why, change, approvals);

	for (i = 0; i < list->n && !error; i++) {
		const struct chg_node *w = list->items[i];
		const struct chg_node *rule = rule_of(w), *earlier = NULL;
		const char *reason;

		if (!rule)
			continue;
		reason = chg_node_get(w, "reason")->value;
		if (!chg_rules_waivable(policy, rule->value)) {
			error = chg_diag_add(diags, change->path, rule->line,
					     rule->column, CHG_SEV_ERROR,
					     "invalid-value",
					     "rule %s cannot be waived", rule->value);
			continue;
		}
		for (j = 0; j < i && !earlier; j++) {
			const struct chg_node *r = rule_of(list->items[j]);
			if (r && !strcmp(r->value, rule->value))
				earlier = r;
		}
		if (earlier) {
			error = chg_diag_add(diags, change->path, rule->line,
					     rule->column, CHG_SEV_WARNING,
					     "unused-waiver",
					     "waiver for %s waives nothing: the waiver on line %d names the same rule",
					     rule->value, earlier->line);
			continue;
		}
		found = 0;
		for (k = 0; k < nwaivable && !error; k++) {
			struct chg_diag *d = &diags->items[k];

			if (strcmp(d->path, change->path) ||
			    strcmp(d->rule, rule->value))
				continue;
			found++;
			if (counts)
				error = waive(d, reason);
		}
		if (error)
			break;
		if (!found)
			error = chg_diag_add(diags, change->path, rule->line,
					     rule->column, CHG_SEV_WARNING,
					     "unused-waiver",
					     "waiver for %s waives nothing", rule->value);
		else if (!counts)
			error = chg_diag_add(diags, change->path, rule->line,
					     rule->column, CHG_SEV_NOTE,
					     "waiver-not-counted",
					     "waiver for %s does not count: %s",
					     rule->value, why.ptr);
	}
	chg_buf_release(&why);
	return error;
}
