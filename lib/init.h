/*
 * init.h - setting up a change repository (`chg init`): the policy with
 * the approver groups, the trust files with the approvers' keys, a starter
 * catalog and changes/, committed as the root of trust (DESIGN section 5),
 * and core.hooksPath set to chg's hooks.
 *
 * It finishes or changes nothing: everything is checked before a file is
 * written, and when git add, git commit or git config fails, what was
 * written, staged and committed is taken back.  The commit is made by
 * `git commit` (process.h), so the user's identity and signing
 * configuration apply.
 *
 * Ownership: nothing the caller passes is kept.
 *
 *	struct chg_init_approver a[] = { { "Alice <alice@example.com>", "alice.pub" } };
 *	struct chg_init_options opts = CHG_INIT_OPTIONS_INIT;
 *	opts.approvers = a;
 *	opts.napprovers = 1;
 *	if (chg_init(&root, &err, &opts) == 0)
 *		... git_oid_tostr_s(&root) ...
 */
#ifndef CHG_INIT_H
#define CHG_INIT_H

#include <git2.h>
#include <stddef.h>

#include "buf.h"

struct chg_init_approver {
	const char *identity; /* "Name <email>" */
	const char *key_file; /* an SSH public key (one line, as ssh-keygen
				 writes NAME.pub) or an armored OpenPGP
				 public key block */
};

struct chg_init_options {
	const char *dir;             /* a directory in the repository's
					working tree */
	const char *const *clients;  /* the policy's clients (nclients) */
	size_t nclients;
	const struct chg_init_approver *approvers;
	size_t napprovers;
	const char *const *cab;      /* emails of approvers (ncab): the cab
					group, and the emergency group */
	size_t ncab;
	const char *const *managers; /* emails of approvers: managers */
	size_t nmanagers;
	const char *hooks_path;      /* core.hooksPath to set, or NULL */
};

#define CHG_INIT_OPTIONS_INIT { ".", NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL }

/*
 * Appends to `out` the text of the .chg/policy.yaml that chg_init writes
 * for `opts` (over the built-in policy: the clients, and approvals.groups
 * cab, managers and emergency, the last the same as cab).  Returns 0;
 * CHG_EINVALID with `err` set when a client name or an email cannot be
 * used; CHG_ENOMEM.
 */
int chg_init_policy(struct chg_buf *out, struct chg_buf *err,
		    const struct chg_init_options *opts);

/*
 * Sets up the repository containing opts->dir: writes .chg/policy.yaml,
 * .chg/allowed_signers (the SSH keys, as `email namespaces="git" KEY`),
 * .chg/keys.asc (the OpenPGP keys, when any), .chg/catalog/ with a starter
 * entry and changes/ (unless it exists), commits them with `git commit`
 * (only those paths), then sets core.hooksPath when opts->hooks_path is
 * set.  Stores the commit, the root of trust, in *out.
 *
 * Each approver needs a key; each email of cab and managers must be an
 * approver's.  A repository whose working tree, index or HEAD has .chg
 * is refused.
 *
 * Returns 0; CHG_EINVALID (the options or a key file are not usable, or
 * the repository has .chg already: nothing was changed); CHG_ENOTFOUND (no
 * repository, or a bare one); CHG_EIO (a key file cannot be read, a file
 * cannot be written); CHG_ERROR (git failed: its messages went to standard
 * error, and what was done was taken back); CHG_EGIT; CHG_ENOMEM.  `err`
 * says why in one line.
 */
int chg_init(git_oid *out, struct chg_buf *err,
	     const struct chg_init_options *opts);

#endif
