#include "chain.h"

#include <string.h>
#include <sys/stat.h>

#include "digest.h"
#include "error.h"
#include "repo.h"
#include "trust.h"
#include "banned.h"

static int fail_git(struct chg_buf *err, const char *what)
{
	const git_error *e = git_error_last();

	chg_buf_clear(err);
	chg_buf_printf(err, "%s: %s", what, e ? e->message : "unknown error");
	return CHG_EGIT;
}

int chg_chain_pin_is_valid(const char *text)
{
	size_t len = strlen(text);

	return len >= 4 && len <= GIT_OID_HEXSZ &&
	       strspn(text, "0123456789abcdefABCDEF") == len;
}

int chg_chain_check_repo(struct chg_buf *err, git_repository *repo)
{
	struct chg_buf path = CHG_BUF_INIT;
	struct stat st;
	int error = 0;

	/*
	 * git applies info/grafts even with --no-replace-objects, and
	 * libgit2 1.7 and later apply it too: a history read through it is
	 * not the one stored, whichever reader is asked.
	 */
	if (chg_buf_printf(&path, "%sinfo/grafts", git_repository_commondir(repo)) < 0)
		return CHG_ENOMEM;
	if (lstat(path.ptr, &st) == 0) {
		chg_buf_clear(err);
		chg_buf_printf(err, "'%s' rewrites the parents git reads and chg reads history as stored; remove it (or convert it with 'git replace --convert-graft-file', whose replace refs chg ignores)",
			       path.ptr);
		error = CHG_ERROR;
	}
	chg_buf_release(&path);
	return error;
}

int chg_chain_contains(int *on, git_repository *repo, const git_oid *tip,
		       const git_oid *commit)
{
	git_commit *c = NULL, *parent;
	int error = 0;

	*on = 0;
	if (git_commit_lookup(&c, repo, tip) < 0)
		return CHG_EGIT;
	for (;;) {
		if (git_oid_equal(git_commit_id(c), commit)) {
			*on = 1;
			break;
		}
		if (!git_commit_parentcount(c))
			break;
		if (git_commit_parent(&parent, c, 0) < 0) {
			error = CHG_EGIT;
			break;
		}
		git_commit_free(c);
		c = parent;
	}
	git_commit_free(c);
	return error;
}

/* Sets *has to 1 when `c`'s tree has trust files; `dir` is the id of its
   .chg (zero when none). */
static int has_trust(int *has, git_oid *dir, git_repository *repo,
		     const git_commit *c)
{
	char digest[CHG_DIGEST_SIZE];
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	int error = 0;

	*has = 0;
	memset(dir, 0, sizeof(*dir));
	if (git_commit_tree(&tree, c) < 0)
		return CHG_EGIT;
	if (git_tree_entry_bypath(&entry, tree, ".chg") == 0) {
		git_oid_cpy(dir, git_tree_entry_id(entry));
		if ((error = chg_trust_digest(digest, repo, tree)) == 0)
			*has = strcmp(digest, CHG_TRUST_EMPTY_DIGEST) != 0;
	}
	git_tree_entry_free(entry);
	git_tree_free(tree);
	return error;
}

int chg_chain_find_root(git_oid *out, int *found, git_repository *repo,
			const git_oid *tip)
{
	git_commit *c = NULL, *parent;
	git_oid dir, last_dir;
	int error = 0, has = 0, known = 0;

	*found = 0;
	if (!tip)
		return 0;
	if (git_commit_lookup(&c, repo, tip) < 0)
		return CHG_EGIT;
	/* from the tip down: the last commit seen with trust is the oldest */
	for (;;) {
		git_tree_entry *entry = NULL;
		git_tree *tree = NULL;

		/* the same .chg as the child's: the same answer */
		if (git_commit_tree(&tree, c) < 0) {
			error = CHG_EGIT;
			break;
		}
		memset(&dir, 0, sizeof(dir));
		if (git_tree_entry_bypath(&entry, tree, ".chg") == 0)
			git_oid_cpy(&dir, git_tree_entry_id(entry));
		git_tree_entry_free(entry);
		git_tree_free(tree);
		if (!known || !git_oid_equal(&dir, &last_dir)) {
			if ((error = has_trust(&has, &last_dir, repo, c)) < 0)
				break;
			known = 1;
		}
		if (has) {
			git_oid_cpy(out, git_commit_id(c));
			*found = 1;
		}
		if (!git_commit_parentcount(c))
			break;
		if (git_commit_parent(&parent, c, 0) < 0) {
			error = CHG_EGIT;
			break;
		}
		git_commit_free(c);
		c = parent;
	}
	git_commit_free(c);
	return error;
}

int chg_chain_pin(git_oid *out, int *has, struct chg_buf *err,
		  git_repository *repo, const char *text, const char *origin)
{
	git_config *config = NULL;
	git_buf value = GIT_BUF_INIT;
	git_object *obj = NULL;
	git_oid prefix;
	int error = 0, rc;

	*has = 0;
	if (!origin)
		origin = CHG_CHAIN_TRUST_ROOT_KEY;
	if (!text) {
		if (git_repository_config_snapshot(&config, repo) < 0)
			return fail_git(err, "cannot read the git config");
		rc = git_config_get_string_buf(&value, config, CHG_CHAIN_TRUST_ROOT_KEY);
		if (rc == GIT_ENOTFOUND)
			goto cleanup;
		if (rc < 0) {
			error = fail_git(err, "cannot read " CHG_CHAIN_TRUST_ROOT_KEY);
			goto cleanup;
		}
		text = value.ptr;
	}
	if (!*text)
		goto cleanup;
	if (!chg_chain_pin_is_valid(text)) {
		chg_buf_clear(err);
		chg_buf_printf(err, "the pinned root of trust '%s' (%s) is not a commit id",
			       text, origin);
		error = CHG_ERROR;
		goto cleanup;
	}
	if (git_oid_fromstrn(&prefix, text, strlen(text)) < 0 ||
	    git_object_lookup_prefix(&obj, repo, &prefix, strlen(text),
				     GIT_OBJECT_COMMIT) < 0) {
		chg_buf_clear(err);
		chg_buf_printf(err, "the pinned root of trust '%s' (%s) names no commit of this repository",
			       text, origin);
		error = CHG_ENOTFOUND;
		goto cleanup;
	}
	git_oid_cpy(out, git_object_id(obj));
	*has = 1;
cleanup:
	git_object_free(obj);
	git_buf_dispose(&value);
	git_config_free(config);
	return error;
}

int chg_chain_check(struct chg_diag_list *diags, struct chg_buf *err,
		    git_repository *repo, const git_oid *tip,
		    const char *trust_root, const char *origin)
{
	char pin_hex[GIT_OID_HEXSZ + 1], root_hex[GIT_OID_HEXSZ + 1], sid[8];
	struct chg_buf how = CHG_BUF_INIT;
	git_oid pin, root;
	int error, has, on = 0, found = 0;

	if ((error = chg_chain_check_repo(err, repo)) < 0 ||
	    (error = chg_chain_pin(&pin, &has, err, repo, trust_root, origin)) < 0 ||
	    !has)
		return error;
	if (tip && (error = chg_chain_contains(&on, repo, tip, &pin)) < 0)
		return fail_git(err, "cannot read the first-parent chain");
	if (on)
		return 0;
	if ((error = chg_chain_find_root(&root, &found, repo, tip)) < 0)
		return error == CHG_EGIT ?
		       fail_git(err, "cannot read the first-parent chain") : error;
	if (!origin)
		origin = CHG_CHAIN_TRUST_ROOT_KEY;
	git_oid_tostr(pin_hex, sizeof(pin_hex), &pin);
	if (!found)
		chg_buf_puts(&how, "it has no trust files, so nothing can be pinned in its place");
	else {
		git_oid_tostr(root_hex, sizeof(root_hex), &root);
		chg_buf_printf(&how, "if the trust was re-rooted on purpose, pin the new root: %s%s",
			       !strcmp(origin, "--trust-root") ? "--trust-root " :
			       !strcmp(origin, "CHG_TRUST_ROOT") ? "CHG_TRUST_ROOT=" :
			       "git config " CHG_CHAIN_TRUST_ROOT_KEY " ", root_hex);
	}
	if (tip)
		chg_oid_short(sid, tip);
	error = chg_diag_add(diags, CHG_CHAIN_PATH, 0, 0, CHG_SEV_ERROR,
			     CHG_CHAIN_RULE,
			     "the first-parent chain of %s does not contain the pinned root of trust %s (%s); %s",
			     tip ? sid : "the unborn branch", pin_hex, origin,
			     how.ptr);
	chg_buf_release(&how);
	return error;
}
