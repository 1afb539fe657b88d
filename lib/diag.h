/*
 * diag.h - diagnostics: findings about the user's files.
 *
 * A diagnostic names a file, a 1-based line and column (0 when the finding
 * is about the file or the repository as a whole), a severity, a rule id
 * (DESIGN section 6: "required-field", "stale-approval", ...) and a
 * one-line message.  libchg never prints: checks append diagnostics to a
 * caller-owned list, and cmd/ formats them (format.h).
 *
 * Ownership: the list owns every string it holds; chg_diag_list_release
 * frees them.
 *
 *	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
 *	chg_diag_add(&diags, "changes/CHG-0042.yaml", 14, 3, CHG_SEV_ERROR,
 *		     "required-field", "%s is required for %s changes",
 *		     "rollback-plan", "normal");
 *	chg_diag_list_sort(&diags);
 *	chg_diag_list_release(&diags);
 */
#ifndef CHG_DIAG_H
#define CHG_DIAG_H

#include <stddef.h>

enum chg_severity {
	CHG_SEV_NOTE = 0,
	CHG_SEV_WARNING = 1,
	CHG_SEV_ERROR = 2
};

struct chg_diag {
	char *path;    /* repository-relative path with '/' separators */
	int line;      /* 1-based; 0 when the finding has no line */
	int column;    /* 1-based; 0 when the finding has no column */
	enum chg_severity severity;
	char *rule;    /* rule id, e.g. "duplicate-key" */
	char *message; /* one line, lowercase start, no final period */
	size_t seq;    /* insertion order, for a stable sort */
};

struct chg_diag_list {
	struct chg_diag *items;
	size_t n;
	size_t alloc;
};

#define CHG_DIAG_LIST_INIT { NULL, 0, 0 }

/* Sets up an empty list. */
void chg_diag_list_init(struct chg_diag_list *list);

/* Frees every diagnostic and leaves the list empty.  NULL-safe. */
void chg_diag_list_release(struct chg_diag_list *list);

/*
 * Appends a diagnostic; `path`, `rule` and the formatted message are copied.
 * Newlines and other control characters in the message are replaced by
 * spaces so that a diagnostic is always one line.  Returns 0 or CHG_ENOMEM.
 */
int chg_diag_add(struct chg_diag_list *list, const char *path, int line,
		 int column, enum chg_severity severity, const char *rule,
		 const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/*
 * Sorts by path (bytewise), line, column, then the order of insertion, so
 * that output is stable.
 */
void chg_diag_list_sort(struct chg_diag_list *list);

/*
 * Counts the diagnostics of severity `sev`.
 */
size_t chg_diag_list_count(const struct chg_diag_list *list,
			   enum chg_severity sev);

/* Returns "error", "warning" or "note". */
const char *chg_severity_name(enum chg_severity sev);

#endif
