/*
 * check.h - the checks on change requests that need no history: the
 * policy's field schema and rules, id and file name, risk, clients,
 * standard-change catalog, review deadlines (one change at a time), and
 * across the set: unique ids and dependencies.  Approvals from history are
 * approval.h's.
 *
 * Rule ids are those of DESIGN section 6: required-field, invalid-type,
 * invalid-value, invalid-datetime, pattern-mismatch, unknown-field,
 * id-mismatch, duplicate-id, window-order, risk-understated,
 * unknown-dependency, dependency-cycle, dependency-order,
 * unknown-template, review-overdue; a policy rule's own id for its
 * findings.  The schedule's checks (schedule.h: blackout-conflict,
 * outside-maintenance-window, insufficient-notice, window-conflict) run
 * from chg_check_change and chg_check_set.
 *
 *	struct chg_check_context ctx = { policy, &set, &catalog, now };
 *	for (i = 0; i < set.n; i++)
 *		chg_check_change(&ctx, &set.items[i], &diags);
 *	chg_check_set(&ctx, &diags);
 */
#ifndef CHG_CHECK_H
#define CHG_CHECK_H

#include <stdint.h>

#include "change.h"
#include "cond.h"
#include "diag.h"
#include "policy.h"

/* One standard-change catalog entry (.chg/catalog/NAME.yaml). */
struct chg_catalog_entry {
	char *name;               /* NAME */
	char *path;
	struct chg_node *root;
	struct chg_cond *constraints; /* or NULL */
};

struct chg_catalog {
	struct chg_catalog_entry *items;
	size_t n;
};

#define CHG_CATALOG_INIT { NULL, 0 }

/*
 * Loads the catalog entry at `path` (its name is the file name without
 * .yaml or .yml) from `len` bytes at `buf` and appends it to `catalog`.
 * The entry is a mapping with title, description, procedure and an
 * optional `constraints` condition (cond.h) that a change using it must
 * meet.  Problems are invalid-policy (or loader) diagnostics.  Returns 0,
 * CHG_EINVALID (diagnostics added; the entry is still listed so that
 * changes naming it are not also reported) or CHG_ENOMEM.
 */
int chg_catalog_add(struct chg_catalog *catalog, const char *path,
		    const char *buf, size_t len, struct chg_diag_list *diags);

/* Returns the entry called `name`, or NULL. */
const struct chg_catalog_entry *chg_catalog_find(const struct chg_catalog *catalog,
						 const char *name);

/* Frees every entry.  NULL-safe. */
void chg_catalog_release(struct chg_catalog *catalog);

struct chg_check_context {
	const struct chg_policy *policy;
	const struct chg_change_set *changes;
	const struct chg_catalog *catalog;
	int64_t now;              /* seconds since the epoch: the clock */
};

/*
 * Checks one change request (with a loaded tree) and appends findings to
 * `diags`.  Returns 0 or CHG_ENOMEM.
 */
int chg_check_change(const struct chg_check_context *ctx,
		     const struct chg_change *change,
		     struct chg_diag_list *diags);

/*
 * Checks what spans change requests: duplicate ids, unknown dependencies,
 * dependency cycles, dependency order and window conflicts.  Returns 0 or CHG_ENOMEM.
 */
int chg_check_set(const struct chg_check_context *ctx,
		  struct chg_diag_list *diags);

#endif
