/*
 * schedule.h - the policy's schedule (DESIGN section 8; chg-policy(5)):
 * time zones, notice periods, blackouts, maintenance windows and window
 * conflicts, compiled from the policy's `schedule` section, and the four
 * checks on them: blackout-conflict, outside-maintenance-window,
 * insufficient-notice and window-conflict.
 *
 * Every comparison is between UTC instants (seconds, as in datetime.h)
 * over half-open intervals [start, end): back-to-back windows do not
 * overlap.  Local times are converted with tz.h.  A blackout given in dates
 * covers whole local days, its end day included, in the zone of the
 * change's client (schedule.clients.NAME.timezone), else the policy's
 * (schedule.timezone), else UTC.  Maintenance windows are in their
 * client's zone.  A recurrence rule is expanded with libical over a
 * bounded range around the instants asked about.
 *
 * Ownership: the schedule is the policy's (policy->schedule); it borrows
 * the policy's nodes, so the policy tree must outlive it.
 *
 *	const struct chg_schedule *s = policy->schedule;
 *	struct chg_interval *occ;
 *	size_t n;
 *	if (chg_schedule_occurrences(&occ, &n, s, &s->windows[0], from, to) == 0)
 *		...  // occ[0..n-1], ordered by start
 *	free(occ);
 */
#ifndef CHG_SCHEDULE_H
#define CHG_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "change.h"
#include "cond.h"
#include "diag.h"
#include "node.h"
#include "tz.h"

struct chg_policy;

/* A half-open interval of UTC instants [start, end), in seconds. */
struct chg_interval {
	int64_t start;
	int64_t end;
};

/* One end of a blackout: an instant, or a local date (a whole day). */
struct chg_blackout_bound {
	int is_date;
	int64_t instant;          /* when !is_date */
	struct chg_civil date;    /* when is_date; the time is 00:00 */
};

/* One entry of schedule.blackouts. */
struct chg_blackout {
	const char *name;              /* `name`, or the start as written */
	const struct chg_node *node;   /* the entry */
	struct chg_blackout_bound start, end; /* end date: inclusive */
	const struct chg_node *allow;  /* sequence of change types, or NULL */
	enum chg_severity severity;    /* `severity`, default error */
	struct chg_cond *when;         /* or NULL: every change */
};

enum chg_window_kind { CHG_WINDOW_WEEKLY, CHG_WINDOW_RRULE };

/* One maintenance window of a client: a weekly span or an RRULE series. */
struct chg_window {
	const char *client;
	const struct chg_node *node;   /* the entry */
	enum chg_window_kind kind;
	/* weekly "Sat 22:00-Sun 04:00": weekday 0 Monday ... 6 Sunday, and
	   minutes after local midnight; an rrule's occurrences start at
	   start_minute too */
	int start_wday, start_minute, end_wday, end_minute;
	/* rrule: the rule's text (RFC 5545 RECUR), the length of each
	   occurrence in seconds (elapsed time), and the day the series starts
	   (`from`, default 1970-01-01; an occurrence only when the rule
	   matches it) */
	const char *rrule;
	int64_t duration;
	struct chg_civil from;
	/* rrule: the occurrences expanded so far (schedule.c), owned by the
	   schedule; chg_schedule_occurrences answers from it what it covers */
	struct chg_window_cache *cache;
};

/* One entry of schedule.clients. */
struct chg_schedule_client {
	const char *name;
	const char *timezone;          /* or NULL: the policy's */
};

/* Per change type, the notice a change needs (schedule.notice). */
struct chg_notice {
	const char *type;
	const struct chg_node *node;
	int64_t seconds;
};

struct chg_schedule {
	const char *timezone;          /* schedule.timezone, or "UTC" */
	struct chg_notice *notice;
	size_t nnotice;
	int same_system;               /* conflicts.same-system: a severity,
					  or -1 (off) */
	struct chg_blackout *blackouts;
	size_t nblackouts;
	struct chg_window *windows;
	size_t nwindows;
	struct chg_schedule_client *clients;
	size_t nclients;
};

/*
 * Compiles and validates the `schedule` section `sec` (NULL: an empty
 * schedule) of a policy whose clients are the sequence `clients` (NULL or
 * empty: any name).  Problems are invalid-policy diagnostics at the
 * positions of the nodes, in the file each node names (`path` for a node
 * that names none).  Keys handled elsewhere (review-within) are only
 * accepted here.
 *
 * Returns 0 and stores the schedule in *out (free with
 * chg_schedule_free); CHG_EINVALID (diagnostics added; *out is NULL);
 * CHG_ENOMEM.
 */
int chg_schedule_compile(struct chg_schedule **out, const struct chg_node *sec,
			 const struct chg_node *clients, const char *path,
			 struct chg_diag_list *diags);

/* Frees a schedule.  NULL-safe. */
void chg_schedule_free(struct chg_schedule *schedule);

/*
 * Returns the zone of `client` (NULL: none): its schedule.clients
 * timezone, else the policy's schedule.timezone, else "UTC".
 */
const char *chg_schedule_zone(const struct chg_schedule *schedule,
			      const char *client);

/*
 * Stores in *out the UTC interval the blackout `b` covers when its dates
 * are read in `zone`.  Returns 0 or CHG_ERROR (the zone data failed).
 */
int chg_schedule_blackout_interval(struct chg_interval *out,
				   const struct chg_blackout *b,
				   const char *zone);

/*
 * Lists in *out (heap, free() it; *n entries, ordered by start) the
 * occurrences of the maintenance window `w`, in its client's zone, that
 * intersect [from, to).  Returns 0, CHG_ENOMEM, CHG_ELIMIT (the range
 * holds more than 10000 occurrences) or CHG_ERROR (the zone data or
 * libical failed).
 */
int chg_schedule_occurrences(struct chg_interval **out, size_t *n,
			     const struct chg_schedule *schedule,
			     const struct chg_window *w, int64_t from,
			     int64_t to);

/*
 * Returns 1 when `state` takes part in the schedule checks: it is not a
 * state in which the change is over (a terminal state of
 * lifecycle.transitions - one that may change to nothing - or a state of
 * lifecycle.implemented from which only terminal states follow).  Without
 * lifecycle.transitions every state takes part.
 */
int chg_schedule_state_active(const struct chg_policy *policy,
			      const char *state);

/*
 * The checks on one change request: blackout-conflict (its window
 * intersects a blackout whose `when` holds and that does not allow its
 * type; one that allows it is a note), outside-maintenance-window (its
 * client has maintenance windows and its window lies inside none of their
 * occurrences), insufficient-notice (the policy's notice for its type is
 * longer than window.start - communication.notice-sent, or notice-sent is
 * missing).  Only changes with a valid window in an active state
 * (chg_schedule_state_active) are checked.  `now` is the clock for
 * conditions.  Returns 0 or CHG_ENOMEM.
 */
int chg_schedule_check_change(const struct chg_policy *policy,
			      const struct chg_change *change, int64_t now,
			      struct chg_diag_list *diags);

/*
 * window-conflict: two change requests in active states with a system in
 * common and overlapping windows, reported on both, each naming the other,
 * with the severity of conflicts.same-system (off: not reported).
 * Returns 0 or CHG_ENOMEM.
 */
int chg_schedule_check_set(const struct chg_policy *policy,
			   const struct chg_change_set *set,
			   struct chg_diag_list *diags);

#endif
