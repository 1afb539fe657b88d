#include "approval.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "datetime.h"
#include "error.h"
#include "check.h"
#include "risk.h"
#include "repo.h"
#include "trailer.h"
#include "trust.h"
#include "banned.h"

/* ---- evaluation ---- */

const char *chg_verdict_name(enum chg_verdict v)
{
	switch (v) {
	case CHG_VERDICT_COUNTED: return "counted";
	case CHG_VERDICT_STALE: return "stale";
	case CHG_VERDICT_SELF: return "self";
	case CHG_VERDICT_NOT_ALLOWED: return "not-allowed";
	case CHG_VERDICT_UNSIGNED: return "unsigned";
	case CHG_VERDICT_BAD_SIGNATURE: return "bad-signature";
	case CHG_VERDICT_UNKNOWN_SIGNER: return "unknown-signer";
	case CHG_VERDICT_DUPLICATE: return "repeat";
	case CHG_VERDICT_MISMATCH: return "signer-mismatch";
	case CHG_VERDICT_MALFORMED: return "malformed";
	case CHG_VERDICT_WITHDRAWN: return "withdrawn";
	}
	return "not-counted";
}

const char *chg_verdict_rule(enum chg_verdict v)
{
	switch (v) {
	case CHG_VERDICT_STALE: return "stale-approval";
	case CHG_VERDICT_SELF: return "self-approval";
	case CHG_VERDICT_NOT_ALLOWED: return "approver-not-allowed";
	case CHG_VERDICT_UNSIGNED: return "unsigned-approval";
	case CHG_VERDICT_BAD_SIGNATURE: return "bad-signature";
	case CHG_VERDICT_UNKNOWN_SIGNER: return "unknown-signer";
	case CHG_VERDICT_MISMATCH: return "signer-mismatch";
	case CHG_VERDICT_MALFORMED: return "invalid-value";
	default: return NULL;
	}
}

/*
 * The first commit that changed the covered content of change `id` and was
 * authored, committed or (verified) signed by `email` (only signed when
 * `signed_only`: approvals.require-signed-edits); *signed_it says whether
 * it is only the signature that names `email`.
 */
static const struct chg_content_edit *edited_by(const struct chg_history *h,
						const char *id, const char *email,
						int signed_only, int *signed_it)
{
	size_t first, n = chg_history_edits_of(h, id, &first), i, j;

	for (i = 0; i < n; i++) {
		const struct chg_content_edit *e = &h->edits[chg_history_edit_at(h, first, i)];
		if (strcmp(e->change_id, id))
			continue;
		*signed_it = 0;
		if (!signed_only && (!strcasecmp(e->author_email, email) ||
				     !strcasecmp(e->committer_email, email)))
			return e;
		*signed_it = 1;
		for (j = 0; j < e->signers.n; j++)
			if (!strcasecmp(e->signers.items[j], email))
				return e;
	}
	return NULL;
}

/* "whose principal is X" / "whose principals are X, Y" / "which names no
 * principal". */
static void join_principals(struct chg_buf *b, const struct chg_strlist *p)
{
	size_t i;

	if (!p->n) {
		chg_buf_puts(b, ", which names no principal,");
		return;
	}
	chg_buf_puts(b, p->n == 1 ? " whose principal is " : " whose principals are ");
	for (i = 0; i < p->n; i++)
		chg_buf_printf(b, "%s%s", i ? ", " : "", p->items[i]);
}

enum chg_verdict chg_approval_check_identity(struct chg_buf *why,
					     const struct chg_approval *a,
					     int require_signature,
					     const struct chg_signature_result *sig,
					     int64_t now)
{
	int64_t clock = (int64_t)time(NULL);
	char when[32];

	if (now > clock)
		clock = now;
	if (a->malformed) {
		chg_buf_printf(why, "approval commit %s approves nothing: %s",
			       a->short_id, a->malformed);
		return CHG_VERDICT_MALFORMED;
	}
	if (a->time > clock + CHG_APPROVAL_CLOCK_SKEW ||
	    a->author_time > clock + CHG_APPROVAL_CLOCK_SKEW) {
		chg_datetime_format(when, sizeof(when), a->time > a->author_time ? a->time : a->author_time);
		chg_buf_printf(why, "approval commit %s approves nothing: it is dated %s, in the future; a signature is judged at its commit's date, so a date ahead of the clock could use a key before it is valid",
			       a->short_id, when);
		return CHG_VERDICT_MALFORMED;
	}
	if (require_signature && !a->is_signed) {
		chg_buf_printf(why, "approval by %s in %s does not count: the commit is not signed and the policy requires signed approvals",
			       a->email, a->short_id);
		return CHG_VERDICT_UNSIGNED;
	}
	if (require_signature && sig->verdict != CHG_SIGNATURE_GOOD) {
		chg_buf_printf(why, "approval by %s in %s does not count: %s",
			       a->email, a->short_id, sig->detail ? sig->detail :
			       "its signature was not verified");
		return sig->verdict == CHG_SIGNATURE_UNKNOWN_KEY ?
			CHG_VERDICT_UNKNOWN_SIGNER : CHG_VERDICT_BAD_SIGNATURE;
	}
	if (require_signature && !chg_signature_has_principal(sig, a->email)) {
		chg_buf_printf(why, "approval in %s does not count: it is signed by %s",
			       a->short_id, sig->key ? sig->key : "a key");
		join_principals(why, &sig->principals);
		chg_buf_printf(why, ", not the Approved-by %s", a->email);
		return CHG_VERDICT_MISMATCH;
	}
	if (strcasecmp(a->email, a->author_email)) {
		chg_buf_printf(why, "approval in %s names %s but the commit's author is %s: an approval is made by the approver, in their own name",
			       a->short_id, a->email, a->author_email);
		return CHG_VERDICT_MISMATCH;
	}
	if (a->committer_email && strcasecmp(a->email, a->committer_email)) {
		chg_buf_printf(why, "approval in %s names %s but the commit's committer is %s: an approval is committed by the approver (a cherry-pick or rebase by someone else does not carry it)",
			       a->short_id, a->email, a->committer_email);
		return CHG_VERDICT_MISMATCH;
	}
	return CHG_VERDICT_COUNTED;
}

int chg_approval_allowed(const struct chg_policy *policy,
			 const struct chg_approval_rule *rule, const char *email)
{
	size_t i;

	if (!rule || !rule->from)
		return 1;
	for (i = 0; i < rule->from->n; i++)
		if (chg_policy_in_group(policy, rule->from->items[i]->value, email))
			return 1;
	return 0;
}

void chg_approval_rule_groups(struct chg_buf *b, const struct chg_approval_rule *rule)
{
	size_t i;

	for (i = 0; rule && rule->from && i < rule->from->n; i++)
		chg_buf_printf(b, "%s%s", i ? (i + 1 == rule->from->n ? " or " : ", ") : "",
			       chg_node_str(rule->from->items[i]) ?
			       chg_node_str(rule->from->items[i]) : "?");
}

/* Sets the scalar `key` of the mapping `map` to `value`, adding it. */
static int set_scalar(struct chg_node *map, const char *key, const char *value)
{
	struct chg_node *k, *v;
	size_t i;

	if (!(v = chg_node_new_scalar(value, strlen(value), 1, map->line, map->column)))
		return CHG_ENOMEM;
	for (i = 0; i < map->n; i++)
		if (map->pairs[i].key->type == CHG_NODE_SCALAR &&
		    !strcmp(map->pairs[i].key->value, key)) {
			chg_node_free(map->pairs[i].value);
			map->pairs[i].value = v;
			return 0;
		}
	if (!(k = chg_node_new_scalar(key, strlen(key), 1, map->line, map->column)) ||
	    chg_node_insert(map, k, v) < 0) {
		chg_node_free(k);
		chg_node_free(v);
		return CHG_ENOMEM;
	}
	return 0;
}

/* Whether `change` is a standard change with a catalog entry of `policy`
 * whose constraints it meets.  Returns 1, 0 or CHG_ELIMIT/CHG_ENOMEM. */
static int valid_standard(const struct chg_policy *policy,
			  const struct chg_change *change, int64_t now)
{
	const struct chg_node *t = chg_node_get(change->root, "standard-template");
	const struct chg_catalog_entry *e;

	if (!policy->catalog || !t || t->type != CHG_NODE_SCALAR ||
	    chg_node_is_null(t) || !(e = chg_catalog_find(policy->catalog, t->value)))
		return 0;
	return e->constraints ? chg_cond_eval(e->constraints, change->root, now) : 1;
}

/*
 * The document the approval rules are chosen from (DESIGN section 5, rule
 * 3): the change as assessed, not as declared.  Its risk.level is raised
 * to the assessed level (risk.h) when the declared one is lower, and a
 * standard change without a catalog entry it meets is a normal one: no
 * waiver lowers the quorum.  Stores in *out a copy to free, or NULL when
 * the change is as declared.  Returns 0, CHG_ELIMIT or CHG_ENOMEM.
 */
static int assessed(struct chg_node **out, const struct chg_policy *policy,
		    const struct chg_change *change, int64_t now)
{
	struct chg_risk risk;
	struct chg_node *doc = NULL, *r;
	const char *level = NULL;
	int standard = 0, error;

	*out = NULL;
	if ((error = chg_risk_assess(&risk, policy, change->root, now)) < 0)
		return error;
	if (risk.floor >= 0 && risk.declared < risk.floor)
		level = policy->risk_levels[risk.floor].name;
	chg_risk_release(&risk);
	if (change->type && !strcmp(change->type, "standard") &&
	    (standard = valid_standard(policy, change, now)) < 0)
		return standard;
	if (!level && (standard || !change->type || strcmp(change->type, "standard")))
		return 0;
	if (!(doc = chg_node_dup(change->root)))
		return CHG_ENOMEM;
	if (!standard && change->type && !strcmp(change->type, "standard"))
		error = set_scalar(doc, "type", "normal");
	if (!error && level) {
		r = (struct chg_node *)chg_node_get(doc, "risk");
		if (!r || r->type != CHG_NODE_MAPPING) {
			struct chg_node *k = chg_node_new_scalar("risk", 4, 1, doc->line, doc->column);
			struct chg_node *m = chg_node_new(CHG_NODE_MAPPING, doc->line, doc->column);
			size_t i;
			/* a risk that is not a mapping is replaced */
			for (i = 0; r && i < doc->n; i++)
				if (doc->pairs[i].value == r) {
					chg_node_free(doc->pairs[i].value);
					doc->pairs[i].value = m;
					chg_node_free(k);
					k = NULL;
				}
			if (!m || (k && chg_node_insert(doc, k, m) < 0)) {
				chg_node_free(k);
				chg_node_free(m);
				error = CHG_ENOMEM;
			}
			r = m;
		}
		if (!error)
			error = set_scalar(r, "level", level);
	}
	if (error) {
		chg_node_free(doc);
		return error;
	}
	*out = doc;
	return 0;
}

/*
 * Whether approval `a` was withdrawn: one of its rejections_after is
 * genuine (passes the identity checks).
 */
static int withdrawn(const struct chg_history *h, const struct chg_approval *a,
		     const struct chg_policy *policy, int64_t now,
		     const struct chg_approval **by)
{
	struct chg_buf scratch = CHG_BUF_INIT;
	size_t i;
	int found = 0;

	for (i = 0; i < a->nrejected_after && !found; i++) {
		const struct chg_approval *r = &h->approvals[a->rejected_after[i]];
		chg_buf_clear(&scratch);
		if (chg_approval_check_identity(&scratch, r, policy->require_signature,
				   &r->signature, now) == CHG_VERDICT_COUNTED) {
			found = 1;
			*by = r;
		}
	}
	chg_buf_release(&scratch);
	return found;
}

int chg_approval_evaluate(struct chg_approval_result *out,
			  const struct chg_policy *policy,
			  const struct chg_change *change,
			  const struct chg_history *history, int64_t now)
{
	struct chg_buf why = CHG_BUF_INIT;
	struct chg_node *doc = NULL;
	const struct chg_node *req;
	const struct chg_approval *by;
	char *requester = NULL;
	size_t i, j, first, nrun;
	int error = 0, rc, bad_requester = 0;

	memset(out, 0, sizeof(*out));
	if (!change->id || !change->root)
		return 0;
	if ((error = assessed(&doc, policy, change, now)) < 0)
		return error;
	for (i = 0; i < policy->napproval_rules; i++) {
		const struct chg_approval_rule *r = &policy->approval_rules[i];
		rc = r->when ? chg_cond_eval(r->when, doc ? doc : change->root, now) : 1;
		if (rc < 0) {
			chg_node_free(doc);
			return rc;
		}
		if (rc) {
			out->rule = r;
			out->required = r->required;
			break;
		}
	}
	chg_node_free(doc);
	nrun = chg_history_approvals_of(history, change->id, &first);
	out->verdicts = calloc(nrun + 1, sizeof(*out->verdicts));
	if (!out->verdicts)
		return CHG_ENOMEM;
	req = chg_node_get(change->root, "requested-by");
	rc = chg_ident_parse(NULL, &requester, chg_node_str(req) && !memchr(req->value, '\0', req->len) ?
			     chg_node_str(req) : "");
	if (rc == CHG_ENOMEM) {
		free(out->verdicts);
		out->verdicts = NULL;
		return rc;
	}
	if (rc < 0) {
		requester = NULL;
		bad_requester = 1;
	}

	/* "trust" is reserved: its approvals are those of trust changes */
	for (i = 0; i < nrun && !error &&
		    strcmp(change->id, CHG_TRUST_CHANGE_REQUEST); i++) {
		const struct chg_approval *a =
			&history->approvals[chg_history_approval_at(history, first, i)];
		const struct chg_content_edit *e;
		struct chg_approval_verdict *v;
		int signed_it = 0;
		char sid[8];

		if (a->rejected || strcmp(a->change_id, change->id))
			continue;
		v = &out->verdicts[out->n++];
		v->approval = a;
		chg_buf_clear(&why);
		if ((v->verdict = chg_approval_check_identity(&why, a, policy->require_signature,
						 &a->signature, now)) != CHG_VERDICT_COUNTED) {
			/* why says why */
		} else if (policy->separation_of_duties && bad_requester) {
			v->verdict = CHG_VERDICT_SELF;
			chg_buf_printf(&why, "approval by %s in %s does not count: the change's requested-by is not an identity 'Name <email>', so who requested it is unknown and separation of duties cannot hold; correct requested-by and ask for a new approval",
				       a->email, a->short_id);
		} else if (policy->separation_of_duties && !strcasecmp(a->email, requester)) {
			v->verdict = CHG_VERDICT_SELF;
			chg_buf_printf(&why, "approval by %s in %s does not count: %s requested this change",
				       a->email, a->short_id, a->email);
		} else if (policy->separation_of_duties &&
			   (e = edited_by(history, change->id, a->email,
					  policy->require_signed_edits, &signed_it))) {
			v->verdict = CHG_VERDICT_SELF;
			chg_buf_printf(&why, "approval by %s in %s does not count: %s %s %s, which changed this change's content",
				       a->email, a->short_id, a->email,
				       signed_it ? "signed" : "authored or committed",
				       chg_oid_short(sid, &e->commit));
		} else if (!chg_approval_allowed(policy, out->rule, a->email)) {
			v->verdict = CHG_VERDICT_NOT_ALLOWED;
			chg_buf_printf(&why, "approval by %s in %s does not count: the approver is not in ",
				       a->email, a->short_id);
			chg_approval_rule_groups(&why, out->rule);
		} else if (strcmp(a->digest, change->digest)) {
			v->verdict = CHG_VERDICT_STALE;
			chg_buf_printf(&why, "approval by %s in %s is stale: it approved %.19s..., the change is now %.19s...; ask for a new approval",
				       a->email, a->short_id, a->digest, change->digest);
		} else if (withdrawn(history, a, policy, now, &by)) {
			v->verdict = CHG_VERDICT_WITHDRAWN;
			chg_buf_printf(&why, "approval by %s in %s is withdrawn: %s rejected the same content in %s",
				       a->email, a->short_id, a->email, by->short_id);
		} else {
			v->verdict = CHG_VERDICT_COUNTED;
			for (j = 0; j + 1 < out->n && v->verdict == CHG_VERDICT_COUNTED; j++) {
				const struct chg_approval *o = out->verdicts[j].approval;
				if (out->verdicts[j].verdict != CHG_VERDICT_COUNTED)
					continue;
				if (!strcasecmp(o->email, a->email)) {
					v->verdict = CHG_VERDICT_DUPLICATE;
				} else if (policy->require_signature && o->signature.key &&
					   a->signature.key &&
					   !strcmp(o->signature.key, a->signature.key)) {
					/* one key never stands for two approvers */
					v->verdict = CHG_VERDICT_DUPLICATE;
					chg_buf_printf(&why, "approval by %s in %s does not count: it is signed by %s, which already counted for %s in %s; one key stands for one approver",
						       a->email, a->short_id, a->signature.key,
						       o->email, o->short_id);
				}
			}
			if (v->verdict != CHG_VERDICT_DUPLICATE)
				out->counted++;
		}
		if (why.len && !(v->reason = chg_buf_detach(&why)))
			error = CHG_ENOMEM;
	}
	free(requester);
	chg_buf_release(&why);
	return error;
}

void chg_approval_result_release(struct chg_approval_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->verdicts[i].reason);
	free(r->verdicts);
	memset(r, 0, sizeof(*r));
}

/*
 * unsigned-edit: each commit that changed the covered content of `change`
 * without a verified signature (approvals.require-signed-edits).
 */
static int check_signed_edits(const struct chg_change *change,
			      const struct chg_history *history,
			      struct chg_diag_list *diags)
{
	const struct chg_node *at = change->id_node ? change->id_node : change->root;
	size_t first, n = chg_history_edits_of(history, change->id, &first), i;
	int error = 0;

	for (i = 0; i < n && !error; i++) {
		const struct chg_content_edit *e =
			&history->edits[chg_history_edit_at(history, first, i)];
		if (e->verified || strcmp(e->change_id, change->id))
			continue;
		error = chg_diag_add(diags, change->path, at->line, at->column,
				     CHG_SEV_ERROR, "unsigned-edit",
				     "%s changed the content of %s without a verified signature (%s), and the policy requires signed edits (approvals.require-signed-edits): who made it cannot be told, so it cannot be kept from approving; redo the edit in a commit signed with a key of the trust files",
				     e->short_id, change->id,
				     e->unverified ? e->unverified : "it is not signed");
	}
	return error;
}

int chg_approval_check(const struct chg_policy *policy,
		       const struct chg_change *change,
		       const struct chg_history *history, int64_t now,
		       struct chg_diag_list *diags)
{
	struct chg_approval_result res;
	struct chg_buf msg = CHG_BUF_INIT;
	const struct chg_node *at;
	int needs, missing, error;
	size_t i, ncounted = 0;

	if (!policy->has_approvals || !change->root || !change->id)
		return 0;
	if (!strcmp(change->id, CHG_TRUST_CHANGE_REQUEST) &&
	    (error = chg_diag_add(diags, change->path,
				  change->id_node ? change->id_node->line : 1,
				  change->id_node ? change->id_node->column : 1,
				  CHG_SEV_ERROR, "invalid-value",
				  "the id '%s' is reserved: approvals with Change-Request: %s approve changes of the trust files, so no approval counts for this change request",
				  CHG_TRUST_CHANGE_REQUEST, CHG_TRUST_CHANGE_REQUEST)) < 0)
		return error;
	error = chg_approval_evaluate(&res, policy, change, history, now);
	if (error == CHG_ELIMIT)
		return chg_diag_add(diags, change->path, 1, 1, CHG_SEV_ERROR,
				    "invalid-value",
				    "the approval rules could not be evaluated: a regular expression hit its match limit");
	if (error < 0)
		goto cleanup;
	at = change->state_node ? change->state_node : change->root;
	needs = chg_policy_state_needs_approval(policy, change->state);
	missing = needs && (long long)res.counted < res.required;

	if (missing) {
		chg_buf_printf(&msg, "%s is %s but %zu of the %lld required approval%s counted",
			       change->id, change->state, res.counted, res.required,
			       res.required == 1 ? "" : "s");
		if (res.rule && res.rule->from) {
			chg_buf_puts(&msg, " (from ");
			chg_approval_rule_groups(&msg, res.rule);
			chg_buf_puts(&msg, ")");
		}
		for (i = 0; i < res.n; i++) {
			const struct chg_approval_verdict *v = &res.verdicts[i];
			const char *rule = chg_verdict_rule(v->verdict);
			chg_buf_printf(&msg, "%s%s %s", ncounted++ ? ", " : ": ",
				       v->approval->email ? v->approval->email :
				       *v->approval->identity ? v->approval->identity :
				       "(no approver)", v->approval->short_id);
			/* a repeat's rule id would read as if it were missing */
			chg_buf_printf(&msg, " %s", rule ? rule : chg_verdict_name(v->verdict));
		}
		if ((error = chg_diag_add(diags, change->path, at->line, at->column,
					  CHG_SEV_ERROR, "missing-approval", "%s",
					  msg.ptr)) < 0)
			goto cleanup;
	}
	for (i = 0; i < res.n; i++) {
		const struct chg_approval_verdict *v = &res.verdicts[i];
		enum chg_severity sev;

		if (!chg_verdict_rule(v->verdict))
			continue;
		/* once the quorum holds, a stale approval says nothing new:
		   chg show and chg log tell where it became stale */
		if (!missing && v->verdict == CHG_VERDICT_STALE &&
		    (long long)res.counted >= res.required)
			continue;
		if (missing)
			sev = CHG_SEV_ERROR;
		else if (v->verdict == CHG_VERDICT_STALE)
			sev = CHG_SEV_NOTE;
		else
			sev = CHG_SEV_WARNING;
		if ((error = chg_diag_add(diags, change->path, at->line, at->column,
					  sev, chg_verdict_rule(v->verdict), "%s",
					  v->reason)) < 0)
			goto cleanup;
	}
	if (policy->require_signed_edits)
		error = check_signed_edits(change, history, diags);
cleanup:
	chg_buf_release(&msg);
	chg_approval_result_release(&res);
	return error;
}

