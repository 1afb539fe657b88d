/*
 * report.h - the monthly change report an MSP sends its client (DESIGN
 * section 6, `chg report`): every change of the month with what, why, who
 * asked, who approved, expected and actual outcome and rollback plan, and
 * the figures a change manager looks at: totals by type, state and
 * outcome, the success rate, the share of emergency changes, changes
 * without a rollback plan, median lead times and overdue reviews.
 *
 * Which changes: the change requests in the tree of the revision (HEAD by
 * default) whose window starts in the month (UTC), and those without a
 * window (or with an unreadable window.start) that were created in the
 * month (the committer time of the commit that added the id, UTC).  With a
 * client, only the change requests whose client field is that client.
 * Drafts (state `draft`) are left out unless opts->include_drafts.
 *
 * Without rollback plan: a change with no rollback-plan, unless it is a
 * standard change whose standard-template names a catalog entry whose
 * constraints it meets (the entry's procedure is its plan).
 *
 * Local time: each entry carries the zone of its client (the policy's
 * schedule.clients.NAME.timezone, else schedule.timezone, else UTC), in
 * which chg_report_local_time shows its window.
 *
 * Where the data comes from: the fields are those of the change request
 * at the revision; the times and approvers come from its audit trail
 * (audit.h), walked from the revision:
 *
 *   requested    the first time it entered `requested` (created in that
 *                state, or a state event to it); when it never did, its
 *                creation, unless it was created as a draft
 *   approved     the last time it entered one of the lifecycle's approved
 *                states (lifecycle.approved: approved and later) from a
 *                state that is not one: after a revert approved ->
 *                requested, the new entry, the one its approvers counted for
 *   implemented  the first time it entered one of the lifecycle's
 *                implemented states (lifecycle.implemented: implementing
 *                and later): when the work started
 *   approvers    the approvals that count for the change's approved
 *                state, as the audit trail tells it (audit.h): when it
 *                enters an approved state, those that counted for that
 *                entry (the latest entry, after a revert); then, as its
 *                history goes on, an approval counted at its commit is
 *                added, one a content edit made stale is dropped and one
 *                it made count (an approval of content committed only
 *                later) is added, and a counted rejection withdraws the
 *                rejecter's; before any entry, the same from its
 *                creation: the approvals that count for its content.  In
 *                the order the trail names them, each approver once
 *
 * Ownership: a report owns its entries and everything they point to;
 * chg_report_release frees them.  The workspace is borrowed.  Strings are never NULL unless said.
 *
 *	struct chg_report_options opts = CHG_REPORT_OPTIONS_INIT;
 *	struct chg_report r = CHG_REPORT_INIT;
 *	opts.year = 2026; opts.month = 12; opts.now = now;
 *	if (chg_report_build(&r, &err, ws, &opts) == 0)
 *		printf("%zu changes, %zu emergency\n", r.n, r.emergency);
 *	chg_report_release(&r);
 */
#ifndef CHG_REPORT_H
#define CHG_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct chg_workspace;

/* What is reported; lengths in seconds. */
struct chg_report_entry {
	char *id;
	char *path;
	char *title;               /* "" when absent */
	char *type;                /* "" when absent */
	char *state;               /* "" when absent */
	char *client;              /* NULL when absent */
	char *requested_by;        /* "" when absent */
	char *owner;               /* NULL when absent */
	char *reason;              /* why; NULL when absent */
	char *description;         /* what is expected; NULL when absent */
	char *rollback_plan;       /* NULL when absent or empty */
	char *outcome;             /* review.outcome, NULL when not reviewed */
	char *review_notes;        /* review.notes, NULL when absent */
	char *procedure;           /* the catalog entry a standard change
				      follows (its standard-template, when
				      the entry exists and the change meets
				      its constraints), else NULL */
	char *zone;                /* the client's IANA time zone, never NULL */
	char **approvers;          /* the approvers' Approved-by values */
	size_t napprovers;
	int has_window;
	int64_t window_start, window_end;
	int64_t date;              /* window start, else the creation */
	int has_requested, has_approved, has_implemented;
	int64_t requested, approved, implemented;
	int review_overdue;        /* as chg-lint's review-overdue at `now` */
	int64_t review_due;        /* when review_overdue */
};

/* A median, when there is at least one sample. */
struct chg_report_median {
	size_t samples;
	int64_t seconds;           /* the middle value; of an even number of
				      samples, the mean of the two middle
				      ones, rounded down */
};

struct chg_report {
	struct chg_report_entry *items; /* by date, then id (bytewise) */
	size_t n;
	size_t alloc;
	int year, month;
	int64_t start, end;        /* the month: [start, end) */
	/* totals */
	size_t standard, normal, emergency, other_type;
	size_t reviewed;           /* with review.outcome */
	size_t successful;         /* successful + successful-with-issues */
	size_t without_rollback;
	size_t overdue;            /* reviews overdue at `now` */
	int emergency_flagged;     /* emergency share above the threshold */
	struct chg_report_median to_approval;    /* requested -> approved */
	struct chg_report_median to_implementation; /* approved -> implemented */
	struct chg_report_median lead;           /* requested -> implemented */
};

#define CHG_REPORT_INIT { NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
			  { 0, 0 }, { 0, 0 }, { 0, 0 } }

struct chg_report_options {
	const char *client;        /* only this client's changes, or NULL */
	int year, month;           /* the month, 1-12 */
	int64_t now;               /* the clock for overdue reviews, seconds */
	int emergency_threshold;   /* percent; flagged when the share is
				      above it */
	int include_drafts;        /* 1: report drafts too */
};

#define CHG_REPORT_OPTIONS_INIT { NULL, 0, 0, 0, 20, 0 }

/*
 * Builds the report of opts->month into `out` (CHG_REPORT_INIT) from the
 * workspace `ws` (workspace.h), opened on the reported revision (`chg
 * report` opens it on --rev or HEAD, with its --policy): its policy, its
 * change requests (loaded here; files that do not load are left out) and
 * the history walked from its revision.
 *
 * Returns 0; CHG_EINVALID (an invalid month), CHG_EGIT, CHG_EIO or
 * CHG_ENOMEM with `err` set (`out` is then left empty).
 */
int chg_report_build(struct chg_report *out, struct chg_buf *err,
		     struct chg_workspace *ws,
		     const struct chg_report_options *opts);

/* Frees what `r` holds and leaves it empty.  NULL-safe. */
void chg_report_release(struct chg_report *r);

/* Counts the entries whose field is `value`: field 't' type, 's' state,
 * 'o' outcome (NULL value: not reviewed). */
size_t chg_report_count(const struct chg_report *r, char field,
			const char *value);

/*
 * Formats `seconds` as a short duration into `out` (at least 24 bytes):
 * "3d 4h", "2h 30m", "45m", "0m" (minutes rounded down).  Returns `out`.
 */
char *chg_report_duration(char *out, size_t size, int64_t seconds);

/*
 * Formats the UTC instant `t` (seconds) as local time in `zone` with the
 * offset and the zone, as "2026-12-05 23:00 +01:00 (Europe/Berlin)", into
 * `out` of `size` bytes (64 are always enough).  An unknown zone is shown
 * as UTC: "2026-12-05 22:00 +00:00 (UTC)".  Returns `out`.
 */
char *chg_report_local_time(char *out, size_t size, const char *zone,
			    int64_t t);

/*
 * Formats only the local date, time and offset of `t` in `zone`, as
 * "2026-12-05 23:00 +01:00" (an unknown zone: UTC).  Returns `out`.
 */
char *chg_report_local_stamp(char *out, size_t size, const char *zone,
			     int64_t t);

#endif
