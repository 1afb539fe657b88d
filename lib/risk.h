/*
 * risk.h - risk assessment: the questionnaire's total score mapped through
 * the policy's levels, raised by the policy's risk conditions, compared
 * with the level a change request declares (DESIGN sections 1 and 4).
 *
 * The declared level is `risk.level`; the answers are
 * `risk.assessment.<question>`, each an integer.  A requester may not
 * understate risk: the declared level must be at least the scored level and
 * at least every matching condition's `at-least`.
 *
 *	struct chg_risk r;
 *	if (chg_risk_assess(&r, policy, root, now) == 0 && r.understated)
 *		report(r.explanation.ptr);
 *	chg_risk_release(&r);
 */
#ifndef CHG_RISK_H
#define CHG_RISK_H

#include <stdint.h>

#include "buf.h"
#include "node.h"
#include "policy.h"

struct chg_risk {
	int scored;          /* 1 when every question had an integer answer */
	long long score;     /* the total, when scored */
	int score_level;     /* index of the level the score maps to, or -1 */
	int floor;           /* the minimum level index overall, or -1 */
	int declared;        /* index of the declared level, or -1 */
	int understated;     /* 1 when declared < floor */
	const struct chg_node *level_node; /* risk.level, for positions */
	struct chg_buf explanation; /* "scored 17: users-affected 3 + ...;
				       systems matches '^db-prod' -> at least
				       high; declared medium" */
};

/*
 * Assesses the change request `doc` under `policy` at the time `now`
 * (seconds since the epoch, for the conditions) into `out` (which need
 * not be initialised; release it with chg_risk_release).  Does nothing
 * (out->floor == -1) when the policy has no risk levels.  Returns 0,
 * CHG_ELIMIT when a condition's pattern hit its match limit, or CHG_ENOMEM.
 */
int chg_risk_assess(struct chg_risk *out, const struct chg_policy *policy,
		    const struct chg_node *doc, int64_t now);

/* Frees the explanation.  NULL-safe. */
void chg_risk_release(struct chg_risk *r);

#endif
