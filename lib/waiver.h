/*
 * waiver.h - waivers: a change request excuses itself from the findings of
 * named rules, giving a reason, once its approvals are in place.
 *
 * A change request may carry
 *
 *	waivers:
 *	  - {rule: window-order, reason: the vendor's window spans midnight}
 *
 * A waiver counts when at least one approval of the change counts and the
 * quorum holds (counted >= required, approval.h) for the change as it is
 * now.  The waivers are covered content (the policy refuses an
 * approvals.not-covered that names the field), so the approvals that make
 * a waiver count have seen it, and adding or editing a waiver makes them
 * stale.  For each waiver, in order:
 *
 *   - a rule the registry or the policy does not let be waived
 *     (chg_rules_waivable):
 *     error invalid-value "rule RULE cannot be waived";
 *   - a rule an earlier waiver of the same change already names, or one
 *     with no finding in the change's file: warning unused-waiver
 *     "waiver for RULE waives nothing", so stale waivers get removed;
 *   - a waiver that counts: each finding of RULE in the change's file
 *     becomes a note "waived (REASON): MESSAGE", its rule id kept;
 *   - one that does not: the findings stay, and a note
 *     waiver-not-counted "waiver for RULE does not count: CHG-0001 has 0
 *     of the 1 required approvals" (or "... has no approval") is added.
 *
 * Those diagnostics are placed at the waiver's `rule`.  A waiver whose
 * `rule` is not a string or whose `reason` is not text does nothing: the
 * schema of the `waivers` field reports it.
 *
 * Only the first `nwaivable` diagnostics of the list can be waived: the
 * findings about the content of the change requests (check.h).  The
 * findings about history added after them (approval.h), and those this
 * module adds, are never waived.
 *
 *	struct chg_approval_result res;
 *	chg_approval_evaluate(&res, policy, change, &history, now);
 *	chg_waiver_apply(policy, change, &res, nwaivable, &diags);
 *	chg_approval_result_release(&res);
 */
#ifndef CHG_WAIVER_H
#define CHG_WAIVER_H

#include <stddef.h>

#include "change.h"
#include "diag.h"
#include "policy.h"

/* The top-level field of a change request that holds its waivers. */
#define CHG_WAIVERS_FIELD "waivers"

struct chg_approval_result;

/*
 * Returns 1 when `change` has a `waivers` list (possibly empty), else 0.
 */
int chg_waiver_any(const struct chg_change *change);

/*
 * Applies the waivers of `change` to the diagnostics about its file among
 * the first `nwaivable` of `diags`, rewriting those it waives in place,
 * and appends the diagnostics about the waivers themselves, as described
 * above.  `approvals` is the change's evaluation (chg_approval_evaluate),
 * or NULL when none was made (the policy has no approvals section): then
 * no waiver counts.  Nothing is borrowed beyond the call.
 *
 * Returns 0 or CHG_ENOMEM.
 */
int chg_waiver_apply(const struct chg_policy *policy,
		     const struct chg_change *change,
		     const struct chg_approval_result *approvals,
		     size_t nwaivable, struct chg_diag_list *diags);

#endif
