/*
 * chain.h - the protected chain (DESIGN section 5): trust is judged along
 * the first-parent chain of the evaluated revision, and that chain must
 * keep what was trusted before.
 *
 * Two rules guard it:
 *
 *  - an update from A to B is acceptable only when A lies on B's
 *    first-parent chain (chg_chain_contains): a fast-forward that merges
 *    the old tip in as a second parent splices another root of trust
 *    under it, and a merge whose first parent is an older commit rolls
 *    the trust back (range.h reports it);
 *  - when a root of trust is pinned (--trust-root, CHG_TRUST_ROOT or the
 *    git config chg.trustRoot), the first-parent chain of the evaluated
 *    revision must contain that commit (chg_chain_check).
 *
 * Both are findings with the rule id trust-change-unapproved about the
 * path ".chg", line 0: the trust changed without approval.  History is
 * read as stored: libgit2 does not apply replace refs, and a repository
 * with a grafts file ($GIT_DIR/info/grafts, which git and newer libgit2
 * apply) is refused rather than read with or without it.
 *
 *	git_oid pin;
 *	int has_pin, on;
 *	rc = chg_chain_pin(&pin, &has_pin, &err, repo, NULL);  // chg.trustRoot
 *	rc = chg_chain_contains(&on, repo, &tip, &pin);
 *	rc = chg_chain_check(&diags, &err, repo, &tip, NULL, NULL);
 *
 * Ownership: the caller owns everything it passes; nothing is kept.
 */
#ifndef CHG_CHAIN_H
#define CHG_CHAIN_H

#include <git2.h>

#include "buf.h"
#include "diag.h"

/* The git config key of the pinned root of trust. */
#define CHG_CHAIN_TRUST_ROOT_KEY "chg.trustRoot"

/* The path and rule of the findings about the chain. */
#define CHG_CHAIN_PATH ".chg"
#define CHG_CHAIN_RULE "trust-change-unapproved"

/*
 * Returns 1 when `text` is written as a commit id may be given as a pin:
 * 4 to 40 hexadecimal digits, else 0.  (Whether it names a commit is
 * chg_chain_pin's to say.)
 */
int chg_chain_pin_is_valid(const char *text);

/*
 * Refuses a repository whose history git would not read as stored: one
 * with a grafts file.  Returns 0, or CHG_ERROR with `err` naming the file
 * and what to do.
 */
int chg_chain_check_repo(struct chg_buf *err, git_repository *repo);

/*
 * Sets *on to 1 when `commit` is `tip` or one of its first-parent
 * ancestors, else 0.  Walks the whole chain in the worst case (commit
 * dates are not trusted to stop it early).  Returns 0 or CHG_EGIT.
 */
int chg_chain_contains(int *on, git_repository *repo, const git_oid *tip,
		       const git_oid *commit);

/*
 * Finds the root of trust of `tip`'s first-parent chain: its oldest
 * commit whose tree has trust files (trust.h).  Sets *found to 1 and
 * stores it in *out, or sets *found to 0 when the chain has none (or `tip`
 * is NULL).  Returns 0, CHG_EGIT or CHG_ENOMEM.
 */
int chg_chain_find_root(git_oid *out, int *found, git_repository *repo,
			const git_oid *tip);

/*
 * Resolves the pinned root of trust: `text` when not NULL (an option or
 * environment value; "" means no pin at all), else the repository's git
 * config chg.trustRoot.  Sets *has to 0 when nothing is pinned, else to 1
 * with the commit in *out.  Returns 0; CHG_ERROR when the value is not
 * a commit id of 4 to 40 hex digits; CHG_ENOTFOUND when it names no commit
 * (or an ambiguous prefix); CHG_EGIT when the config cannot be read.
 * `err` says why, naming `origin` (NULL: "chg.trustRoot").
 */
int chg_chain_pin(git_oid *out, int *has, struct chg_buf *err,
		  git_repository *repo, const char *text, const char *origin);

/*
 * The checks of the protected chain for one evaluated revision `tip`
 * (NULL: an unborn branch, whose chain is empty): the repository is read
 * as stored (chg_chain_check_repo), and when a root of trust is pinned
 * (chg_chain_pin with `trust_root` and `origin`) tip's first-parent chain
 * contains it; otherwise an error finding is appended to `diags`:
 *
 *   .chg:0:0: error: the first-parent chain of <short> does not contain
 *   the pinned root of trust <id> (<origin>); if the trust was re-rooted
 *   on purpose, pin the new root: git config chg.trustRoot <id of the
 *   chain's root of trust> [trust-change-unapproved]
 *
 * Returns 0 when the checks ran (whatever they found), or the negative
 * code of chg_chain_check_repo or chg_chain_pin with `err` set.
 */
int chg_chain_check(struct chg_diag_list *diags, struct chg_buf *err,
		    git_repository *repo, const git_oid *tip,
		    const char *trust_root, const char *origin);

#endif
