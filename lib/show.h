/*
 * show.h - `chg show ID` (DESIGN section 6): a change request with what
 * history says of it, gathered in one place for the renderers.
 *
 * chg_show opens a workspace on the revision once (workspace.h: the
 * policy, the change requests, and the history index, walked once), finds
 * the change request, and then asks of it:
 *
 *   risk          chg_risk_assess at the clock (risk.h)
 *   approvals     chg_approval_evaluate with the loaded history
 *                 (approval.h), when the policy has approvals
 *   rejections    the Rejected-by commits naming it, oldest first
 *   dependencies  its depends-on ids with the change requests they name
 *   findings      chg-lint's findings about its file, at the same
 *                 revision, judged with the loaded history
 *   events        its audit trail (audit.h: chg_audit_walk_history over
 *                 the loaded history's commits), one line each
 *   stale         for each stale approval, the commit whose edit made it
 *                 stale: the latest `updated` event of its audit trail
 *                 that lists it as made stale (an approval that never
 *                 counted for a content of the change has none)
 *
 * Ownership: a `struct chg_show` owns everything it holds, the loaded
 * revision included; the pointers in it (change, policy, rejections,
 * dependencies' change requests) point into that revision and stay valid
 * until chg_show_release.  Strings are never NULL unless said.
 *
 *	struct chg_show_options opts = CHG_SHOW_OPTIONS_INIT;
 *	struct chg_show sh;
 *	opts.id = "CHG-0042"; opts.now = now;
 *	if (chg_show(&sh, &diags, &err, &opts) == 0 && sh.change)
 *		printf("%s: %zu findings\n", sh.change->id, sh.findings.n);
 *	chg_show_release(&sh);
 */
#ifndef CHG_SHOW_H
#define CHG_SHOW_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "approval.h"
#include "buf.h"
#include "change.h"
#include "diag.h"
#include "policy.h"
#include "risk.h"
#include "workspace.h"

struct chg_show_options {
	const char *dir;          /* a directory inside the repository */
	const char *rev;          /* this revision; NULL: the working tree
				     with HEAD's history */
	int64_t now;              /* the clock, seconds since the epoch */
	const char *id;           /* the change request's id */
};

#define CHG_SHOW_OPTIONS_INIT { ".", NULL, 0, NULL }

/* One line of the history summary. */
struct chg_show_event {
	char date[11];            /* the committer date, "YYYY-MM-DD" in the
				     committer's own offset */
	char commit[8];           /* the commit's short id */
	const char *type;         /* chg_audit_type_name: static */
	char *detail;             /* "draft -> requested", "a@x counted",
				     "title, window", ...; may be "" */
};

/* Where a stale approval became stale. */
struct chg_show_stale {
	int edited;               /* an edit made it stale: `edit` is set */
	char edit[GIT_OID_HEXSZ + 1]; /* that commit's full id */
	char edit_short[8];       /* and its short id */
};

/* One entry of depends-on. */
struct chg_show_dependency {
	const char *id;           /* NULL when the entry is not a string */
	const struct chg_change *change; /* the change request it names, or
				     NULL when there is none (unknown) */
};

struct chg_show {
	int loaded;               /* the revision loaded: an error came after */
	struct chg_workspace *ws; /* the loaded revision */
	const struct chg_history *history; /* its history (the workspace's) */
	const struct chg_policy *policy; /* the workspace's */
	const struct chg_change *change; /* NULL: no change request has the id
				     (a loaded one; nothing below is set) */
	int trust_ok;             /* the revision's trust state is approved
				     (chg_history_trust_approved) */

	int has_risk;             /* `risk` was assessed (release it) */
	struct chg_risk risk;
	const char *assessed;     /* the name of the assessed level (risk's
				     floor), NULL when there is none */

	int has_window;           /* window.start and window.end are set */
	const char *window_start, *window_end; /* their text, else NULL */
	int has_duration;         /* both parse as date-times */
	int64_t duration;         /* window_end - window_start, in seconds */

	int has_approvals;        /* the policy has approvals: `approvals`
				     holds their evaluation */
	struct chg_approval_result approvals;
	int approval_needed;      /* its state needs approval
				     (chg_policy_state_needs_approval) */
	struct chg_show_stale *stale; /* parallel to approvals.verdicts
				     (approvals.n); set for the stale ones;
				     NULL when there are none */

	const struct chg_approval **rejections; /* its Rejected-by commits,
				     oldest first; owned by the history */
	size_t nrejections;

	struct chg_show_dependency *dependencies; /* depends-on, in order;
				     none when it is not a sequence */
	size_t ndependencies;

	struct chg_diag_list findings; /* chg-lint's about its file */

	struct chg_show_event *events; /* its audit trail, oldest first */
	size_t nevents, events_alloc;
};

/*
 * Gathers what `chg show` tells about the change request opts->id at
 * opts->rev (or in the working tree, with HEAD's history) into `out`
 * (which need not be initialised; free it with chg_show_release in any
 * case).  The policy's diagnostics go to `diags` (they say why when it is
 * invalid).  out->loaded tells whether an error came from loading the
 * revision or from a later step.
 *
 * Returns 0 when the revision loaded: out->change is then the change
 * request, or NULL when no change request of the revision that loads has
 * that id (nothing else is set).  Returns CHG_EINVALID (invalid policy:
 * `diags` say why); CHG_ENOTFOUND, CHG_EGIT, CHG_ENOMEM or another
 * negative code with `err` set (or empty: chg_error_str says it) when
 * the revision, the lint or the audit trail could not be read.  A risk or
 * approval rule that hits a pattern limit (CHG_ELIMIT) is not an error:
 * what it could not assess is left out (chg-lint reports it).
 */
int chg_show(struct chg_show *out, struct chg_diag_list *diags,
	     struct chg_buf *err, const struct chg_show_options *opts);

/* Frees what `sh` holds, the loaded revision included.  NULL-safe. */
void chg_show_release(struct chg_show *sh);

#endif
