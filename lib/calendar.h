/*
 * calendar.h - the changes, blackouts and maintenance windows of a period
 * (DESIGN section 8, `chg calendar`), and the iCalendar feed of them.
 *
 * The period is a range of local dates [from, to] (both included) in one
 * zone: the client's (schedule.clients.NAME.timezone) when the calendar is
 * for one client, else the policy's (schedule.timezone), else UTC.  It
 * covers the UTC instants [start, end): from 00:00 local on `from` to 00:00
 * local on the day after `to`.  An entry is in the calendar when its
 * interval intersects the period.
 *
 *   changes     the change requests of the workspace's source with a
 *               valid window (window.start and window.end), whatever
 *               their state: a rejected or cancelled change is kept, with
 *               STATUS:CANCELLED in the feed
 *   blackouts   the entries of schedule.blackouts (for one client, those
 *               whose `when.client` does not exclude it), dates read in
 *               the calendar's zone
 *   windows     the maintenance windows (for one client, its own) with
 *               their occurrences in the period
 *
 * SEQUENCE and DTSTAMP come from history, never from the clock: the audit
 * trail (audit.h) walked from the workspace's revision gives, per change
 * request, the commits that changed its window (fields window, window.*)
 * or its state; `sequence` is their number after the one that created it
 * and `stamp` the committer time of the last of them (the creation's when
 * there is none).  The same revision always gives the same calendar.  In
 * a shallow clone the trail starts at the shallow commits, as audit.h
 * says: a change request they hold has no event there, and is stamped with
 * the revision's committer time, its SEQUENCE counting from there.
 *
 * Ownership: a calendar owns its entries' strings and occurrence lists;
 * the blackouts and windows point into the workspace's policy, so the
 * workspace must outlive the calendar.  chg_calendar_release frees it.
 *
 *	struct chg_calendar_options o = CHG_CALENDAR_OPTIONS_INIT;
 *	struct chg_calendar cal = CHG_CALENDAR_INIT;
 *	struct chg_buf ics = CHG_BUF_INIT;
 *	o.now = now;
 *	if (chg_calendar_build(&cal, &err, ws, &o) == 0 &&
 *	    chg_calendar_ics(&ics, &err, &cal) == 0)
 *		fwrite(ics.ptr, 1, ics.len, stdout);
 *	chg_calendar_release(&cal);
 */
#ifndef CHG_CALENDAR_H
#define CHG_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "schedule.h"
#include "tz.h"

struct chg_workspace;

/* The default length of the period, in days, when `to` is not given. */
#define CHG_CALENDAR_DEFAULT_DAYS 90

/* The calendar.domain of a policy that sets none. */
#define CHG_CALENDAR_DEFAULT_DOMAIN "chg.invalid"

/* A change request in the calendar.  Strings are never NULL ("" when the
 * field is absent) unless said. */
struct chg_calendar_change {
	char *id;
	char *title;
	char *type;
	char *state;
	char *client;              /* NULL when absent */
	char *risk;                /* risk.level, NULL when absent */
	char *systems;             /* "db1, db2", NULL when none */
	const char *status;        /* "TENTATIVE", "CONFIRMED", "CANCELLED":
				      static */
	struct chg_interval window;
	unsigned int sequence;     /* commits that changed window or state */
	int64_t stamp;             /* committer time of the last of them;
				      the revision's when history does not
				      know the change; 0 without a revision */
};

/* A blackout in the calendar. */
struct chg_calendar_blackout {
	const struct chg_blackout *blackout; /* the policy's */
	size_t number;             /* 1-based position in schedule.blackouts */
	struct chg_interval span;  /* in UTC, dates read in the calendar's zone */
};

/* A maintenance window in the calendar, with its occurrences. */
struct chg_calendar_window {
	const struct chg_window *window; /* the policy's */
	size_t number;             /* 1-based position among its client's */
	const char *zone;          /* its client's zone: static or policy's */
	struct chg_interval *occ;  /* occurrences intersecting the period, by
				      start (heap) */
	size_t nocc;
	int64_t series_start;      /* the feed's DTSTART: the first of `occ`,
				      or for a rule with a COUNT its first
				      occurrence ever (COUNT counts from it) */
};

struct chg_calendar {
	const char *client;        /* the options' client, or NULL */
	const char *zone;          /* the calendar's zone (policy's string) */
	const char *domain;        /* calendar.domain (policy's string) */
	struct chg_civil from, to; /* the local dates, `to` included */
	int64_t start, end;        /* the period in UTC: [start, end) */
	struct chg_calendar_change *changes;   /* by window start, then id */
	size_t nchanges;
	struct chg_calendar_blackout *blackouts; /* policy order */
	size_t nblackouts;
	struct chg_calendar_window *windows;   /* policy order */
	size_t nwindows;
};

#define CHG_CALENDAR_INIT { NULL, NULL, NULL, { 0, 0, 0, 0, 0, 0 }, \
			    { 0, 0, 0, 0, 0, 0 }, 0, 0, NULL, 0, NULL, 0, \
			    NULL, 0 }

struct chg_calendar_options {
	const char *client;        /* only this client's entries, or NULL */
	const char *from;          /* "YYYY-MM-DD" local date, or NULL: the
				      local date of `now` */
	const char *to;            /* "YYYY-MM-DD" local date (included), or
				      NULL: CHG_CALENDAR_DEFAULT_DAYS days
				      from `from` on */
	int64_t now;               /* the clock, seconds since the epoch */
};

#define CHG_CALENDAR_OPTIONS_INIT { NULL, NULL, NULL, 0 }

/*
 * Builds the calendar of `opts` into `out` (CHG_CALENDAR_INIT) from the
 * workspace `ws`, opened on a revision: its policy, its change requests
 * (loaded here; files that do not load are left out) and the audit trail
 * of its history.
 *
 * Returns 0; CHG_EINVALID (a date that is not YYYY-MM-DD, `to` before
 * `from`, a period longer than 3660 days, or an unknown client) with `err`
 * set; CHG_EGIT, CHG_EIO, CHG_ELIMIT (a window with too many
 * occurrences), CHG_ERROR (zone data or libical) or CHG_ENOMEM with `err`
 * set.  On error `out` is left empty.
 */
int chg_calendar_build(struct chg_calendar *out, struct chg_buf *err,
		       struct chg_workspace *ws,
		       const struct chg_calendar_options *opts);

/* Frees what `cal` holds and leaves it empty.  NULL-safe. */
void chg_calendar_release(struct chg_calendar *cal);

/*
 * Appends to `out` the iCalendar feed (RFC 5545) of `cal`, built with
 * libical: VERSION 2.0, PRODID "-//chg//chg calendar//EN", CALSCALE
 * GREGORIAN, METHOD PUBLISH, X-WR-CALNAME; a VEVENT per change request
 * (UID ID@domain, times in UTC, STATUS, SEQUENCE, DTSTAMP and
 * LAST-MODIFIED from history, DESCRIPTION, CATEGORIES), per maintenance
 * window (UID window-CLIENT-N@domain, an RRULE series from its first
 * occurrence in the period (of all, for a rule with a COUNT), DTSTART in
 * its client's TZID, a DURATION, and UNTIL the period's end unless the
 * rule bounds itself) and per blackout
 * (UID blackout-N@domain; all-day for dates, DTEND the day after the
 * last); a VTIMEZONE for every TZID, named by its plain IANA name (times in a
 * zone that is UTC by another name are written in UTC, without one).  Lines
 * end in CRLF and are folded at 75 octets, never inside a UTF-8 sequence.
 * The bytes depend on `cal` alone.
 *
 * Returns 0, CHG_ERROR (libical failed; `err` says why) or CHG_ENOMEM.
 */
int chg_calendar_ics(struct chg_buf *out, struct chg_buf *err,
		     const struct chg_calendar *cal);

/*
 * Refolds the iCalendar text `in` (`len` bytes; lines ending in LF or
 * CRLF, possibly folded) into `out`: each content line unfolded, then cut
 * into lines of at most 75 octets - continuation lines begin with one
 * space - at UTF-8 character boundaries, each line ending in CRLF.
 * Returns 0 or CHG_ENOMEM.
 */
int chg_calendar_fold(struct chg_buf *out, const char *in, size_t len);

/* Suggestions of `chg calendar --suggest`. */
struct chg_calendar_slots {
	struct chg_interval *items; /* earliest first (heap) */
	size_t n;
	int64_t duration;          /* the change's window length, seconds */
	int64_t earliest;          /* no slot starts before this */
	const char *zone;          /* the change's client's zone */
};

#define CHG_CALENDAR_SLOTS_INIT { NULL, 0, 0, 0, NULL }

/*
 * Finds the `max` earliest slots for the change request `id` of the
 * workspace: intervals of its window's length that start no earlier than
 * `now`, its notice period (schedule.notice for its type) after
 * communication.notice-sent (after `now` without it), and the end of every
 * window of the change requests it depends on (depends-on); that lie
 * inside one occurrence of its client's maintenance windows (any time when
 * the client has none: then one slot a day); that intersect no blackout
 * not allowing its type; and that overlap no other change request in an
 * active state (chg_schedule_state_active) with a system in common.  At
 * most one slot per window occurrence; occurrences are searched for 366
 * days after the earliest start.
 *
 * Returns 0 (fewer than `max` slots when the search found fewer);
 * CHG_ENOTFOUND (no such change request) or CHG_EINVALID (it has no valid
 * window) with `err` set; CHG_EGIT, CHG_EIO, CHG_ELIMIT, CHG_ERROR or
 * CHG_ENOMEM with `err` set.  Free `out` with chg_calendar_slots_release.
 */
int chg_calendar_suggest(struct chg_calendar_slots *out, struct chg_buf *err,
			 struct chg_workspace *ws, const char *id,
			 int64_t now, size_t max);

/* Frees what `s` holds.  NULL-safe. */
void chg_calendar_slots_release(struct chg_calendar_slots *s);

#endif
