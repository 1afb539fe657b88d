/*
 * gate.h - `chg gate ID` (DESIGN section 8): may this change request be
 * deployed at a given instant?  One of four answers, with the reasons:
 *
 *   allowed    it is in an approved state of the lifecycle with its
 *              quorum counted, the instant lies in its window, no blackout
 *              forbids it and its dependencies have been carried out
 *   awaiting   it may become allowed later: its state not yet an approved
 *              one (draft, requested: whatever its approvals), or an
 *              approved state with fewer approvals counted than required
 *              and none of them stale; its window not yet open; a
 *              dependency not yet implemented or closed
 *   prevented  it cannot become allowed as it is: rejected or cancelled (a
 *              state with no way out, or one of those names), its window
 *              passed, a blackout forbids its window, an approved state
 *              whose approvals are stale (it needs approving again), a
 *              dependency rejected or cancelled, the trust state of the
 *              revision not approved, no window at all
 *   invalid    chg-lint finds errors in its file (at the same revision and
 *              clock) other than those the gate judges itself: the
 *              approval rules and blackout-conflict
 *
 * The worst answer wins (invalid, prevented, awaiting, allowed); the
 * reasons of all the checks are kept, each as a diagnostic on the change
 * request's file whose rule id is one of the registry (rules.h) and whose
 * severity says what it does: error (it makes the answer prevented or
 * invalid), warning (awaiting) or note (told, changes nothing).
 *
 * The evaluation is chg show's (show.h): one workspace on the revision
 * with its history walked once.
 *
 * Ownership: a `struct chg_gate` owns what it holds; strings in it stay
 * valid until chg_gate_release.
 *
 *	struct chg_gate_options opts = CHG_GATE_OPTIONS_INIT;
 *	struct chg_gate g;
 *	opts.id = "CHG-0042"; opts.at = now;
 *	if (chg_gate(&g, &diags, &err, &opts) == 0 && g.found)
 *		printf("%s\n", chg_gate_status_name(g.status));
 *	chg_gate_release(&g);
 */
#ifndef CHG_GATE_H
#define CHG_GATE_H

#include <stdint.h>

#include "buf.h"
#include "diag.h"

enum chg_gate_status {
	CHG_GATE_ALLOWED = 0,
	CHG_GATE_AWAITING,
	CHG_GATE_PREVENTED,
	CHG_GATE_INVALID
};

struct chg_gate_options {
	const char *dir;          /* a directory inside the repository */
	const char *rev;          /* the revision judged: its files and its
				     history; NULL: "HEAD" */
	int64_t at;               /* the instant judged, seconds since the
				     epoch (also the clock of chg-lint's
				     time rules) */
	const char *id;           /* the change request's id */
};

#define CHG_GATE_OPTIONS_INIT { ".", NULL, 0, NULL }

struct chg_gate {
	int found;                /* a change request has the id; nothing
				     below is set otherwise */
	enum chg_gate_status status;
	char *id;                 /* the change request's id */
	char *path;               /* its file, repository-relative */
	char commit[41];          /* the revision's commit id, hex; "" when
				     it has none */
	char *digest;             /* "sha256:..." of its covered content, or
				     NULL when it has none */
	int has_window;           /* window.start and window.end parse: */
	int64_t window_start, window_end; /* seconds since the epoch */
	int64_t opens_in;         /* seconds from `at` to the window's start:
				     set (>= 0) when awaiting its window,
				     else -1 */
	int64_t closes_in;        /* seconds from `at` to the window's end
				     when `at` lies in it, else -1 */
	struct chg_diag_list reasons; /* in the order of the checks */
};

/*
 * Judges the change request opts->id at opts->rev at the instant opts->at
 * into `out` (which need not be initialised; free it with
 * chg_gate_release in any case).  The policy's diagnostics go to `diags`.
 *
 * Returns 0 with out->found 0 when no change request of the revision has
 * the id, or 1 with the answer in `out`.  Returns CHG_EINVALID (invalid
 * policy: `diags` say why), or CHG_ENOTFOUND, CHG_EGIT, CHG_ENOMEM or
 * another negative code, with `err` set (or empty: chg_error_str says
 * it), when the revision or its history could not be read.
 */
int chg_gate(struct chg_gate *out, struct chg_diag_list *diags,
	     struct chg_buf *err, const struct chg_gate_options *opts);

/* "allowed", "awaiting", "prevented" or "invalid": static. */
const char *chg_gate_status_name(enum chg_gate_status status);

/* Frees what `g` holds.  NULL-safe. */
void chg_gate_release(struct chg_gate *g);

#endif
