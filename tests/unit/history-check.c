/*
 * history-check - for the shell tests: that a view of the history index
 * (chg_history_at) is what a walk of its own (chg_history_load) gives, at
 * every commit of a repository.
 *
 *	history-check DIR
 *
 * Loads the policy of DIR's HEAD as chg-lint does, walks the history of
 * HEAD once (the index), and for every commit HEAD reaches compares the
 * view at that commit with a walk from it, under that policy: the
 * approvals (commit, change request, digest, signature verdict, key and
 * principals, the rejections that stand over them), the edits (commit,
 * change request, author, committer, verified signers), the final states,
 * the order by change request id, and the trust state at the commit; and
 * for every change request the walk holds anything of, the view of that
 * one (chg_history_at_ids) against what the walk holds of it; and the walk
 * of HEAD that takes HEAD's change requests as loaded
 * (chg_history_load_known) against the one that parses them.  Prints
 * "COMMITS commits, VIEWS views, FOCUSED focused views" and one line per
 * difference; exits 0 when there is none, 1 when there is, 2 on a usage or
 * system error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "approval.h"
#include "buf.h"
#include "error.h"
#include "lint.h"
#include "policy.h"
#include "workspace.h"
#include "banned.h"

static int differences;

static void differ(const git_oid *at, const char *what, size_t i)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), at);
	printf("at %.7s: %s %zu differs\n", hex, what, i);
	differences++;
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int same_list(const struct chg_strlist *a, const struct chg_strlist *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->items[i], b->items[i]))
			return 0;
	return 1;
}

static int same_approval(const struct chg_history *v, const struct chg_approval *a,
			 const struct chg_history *w, const struct chg_approval *b);

static void compare(const git_oid *at, const struct chg_history *v,
		    const struct chg_history *w)
{
	size_t i;

	if (v->napprovals != w->napprovals)
		differ(at, "number of approvals", v->napprovals);
	for (i = 0; i < v->napprovals && i < w->napprovals; i++) {
		if (!same_approval(v, &v->approvals[i], w, &w->approvals[i]))
			differ(at, "approval", i);
	}
	if (v->nedits != w->nedits)
		differ(at, "number of edits", v->nedits);
	for (i = 0; i < v->nedits && i < w->nedits; i++) {
		const struct chg_content_edit *a = &v->edits[i], *b = &w->edits[i];
		if (!git_oid_equal(&a->commit, &b->commit) ||
		    strcmp(a->change_id, b->change_id) ||
		    strcmp(a->author_email, b->author_email) ||
		    strcmp(a->committer_email, b->committer_email) ||
		    a->verified != b->verified || !same_list(&a->signers, &b->signers))
			differ(at, "edit", i);
	}
	if (v->nfinals != w->nfinals)
		differ(at, "number of final states", v->nfinals);
	for (i = 0; i < v->nfinals && i < w->nfinals; i++)
		if (!git_oid_equal(&v->finals[i].commit, &w->finals[i].commit) ||
		    strcmp(v->finals[i].change_id, w->finals[i].change_id) ||
		    strcmp(v->finals[i].state, w->finals[i].state))
			differ(at, "final state", i);
	if (chg_history_trust_approved(v) != chg_history_trust_approved(w))
		differ(at, "trust state", 0);
	/* what an evaluation of one change request reads */
	for (i = 0; i < v->napprovals && i < w->napprovals; i++)
		if (!v->approvals_by_id || !w->approvals_by_id ||
		    v->approvals_by_id[i] != w->approvals_by_id[i])
			differ(at, "approval by id", i);
	for (i = 0; i < v->nedits && i < w->nedits; i++)
		if (!v->edits_by_id || !w->edits_by_id ||
		    v->edits_by_id[i] != w->edits_by_id[i])
			differ(at, "edit by id", i);
}

static int same_approval(const struct chg_history *v, const struct chg_approval *a,
			 const struct chg_history *w, const struct chg_approval *b)
{
	size_t j;
	int same = git_oid_equal(&a->commit, &b->commit) &&
		   same_str(a->change_id, b->change_id) &&
		   same_str(a->digest, b->digest) &&
		   same_str(a->malformed, b->malformed) &&
		   a->is_signed == b->is_signed &&
		   a->signature.verdict == b->signature.verdict &&
		   same_str(a->signature.key, b->signature.key) &&
		   same_list(&a->signature.principals, &b->signature.principals) &&
		   a->nrejected_after == b->nrejected_after;

	for (j = 0; same && j < a->nrejected_after; j++)
		same = git_oid_equal(&v->approvals[a->rejected_after[j]].commit,
				     &w->approvals[b->rejected_after[j]].commit);
	return same;
}

/*
 * The view `f` of the change request `id` (chg_history_at_ids) against
 * the walk `w`: what `w` holds of `id`, in its order.
 */
static void compare_focus(const git_oid *at, const struct chg_history *f,
			  const struct chg_history *w, const char *id)
{
	size_t i, k;

	/* what the view holds of others is not asked */
	for (i = 0, k = 0; i < w->napprovals; i++) {
		if (strcmp(w->approvals[i].change_id, id))
			continue;
		while (k < f->napprovals && strcmp(f->approvals[k].change_id, id))
			k++;
		if (k >= f->napprovals ||
		    !same_approval(f, &f->approvals[k], w, &w->approvals[i]))
			differ(at, "focused approval", k);
		k++;
	}
	while (k < f->napprovals && strcmp(f->approvals[k].change_id, id))
		k++;
	if (k < f->napprovals)
		differ(at, "number of focused approvals", f->napprovals);
	for (i = 0, k = 0; i < w->nedits; i++) {
		if (strcmp(w->edits[i].change_id, id))
			continue;
		while (k < f->nedits && strcmp(f->edits[k].change_id, id))
			k++;
		if (k >= f->nedits ||
		    !git_oid_equal(&f->edits[k].commit, &w->edits[i].commit) ||
		    f->edits[k].verified != w->edits[i].verified ||
		    !same_list(&f->edits[k].signers, &w->edits[i].signers))
			differ(at, "focused edit", k);
		k++;
	}
	while (k < f->nedits && strcmp(f->edits[k].change_id, id))
		k++;
	if (k < f->nedits)
		differ(at, "number of focused edits", f->nedits);
	for (i = 0, k = 0; i < w->nfinals; i++) {
		if (strcmp(w->finals[i].change_id, id))
			continue;
		while (k < f->nfinals && strcmp(f->finals[k].change_id, id))
			k++;
		if (k >= f->nfinals ||
		    !git_oid_equal(&f->finals[k].commit, &w->finals[i].commit) ||
		    strcmp(f->finals[k].state, w->finals[i].state))
			differ(at, "focused final state", k);
		k++;
	}
	while (k < f->nfinals && strcmp(f->finals[k].change_id, id))
		k++;
	if (k < f->nfinals)
		differ(at, "number of focused final states", f->nfinals);
	if (chg_history_trust_approved(f) != chg_history_trust_approved(w))
		differ(at, "focused trust state", 0);
}

/* Every change request `w` holds anything of, in a view of its own. */
static int check_focus(size_t *views, const struct chg_history *index,
		       git_repository *repo, const git_oid *at,
		       const struct chg_policy *policy, const struct chg_history *w)
{
	size_t i, n = w->napprovals + w->nedits + w->nfinals;

	for (i = 0; i < n; i++) {
		struct chg_history f = CHG_HISTORY_INIT;
		const char *id = i < w->napprovals ? w->approvals[i].change_id :
				 i < w->napprovals + w->nedits ?
				 w->edits[i - w->napprovals].change_id :
				 w->finals[i - w->napprovals - w->nedits].change_id;
		if (chg_history_at_ids(&f, index, repo, at, policy, &id, 1, NULL) < 0)
			return -1;
		/* a view of the one change request holds no entries of its own */
		*views += f.view && !f.entry;
		compare_focus(at, &f, w, id);
		chg_history_release(&f);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;
	struct chg_history index = CHG_HISTORY_INIT;
	struct chg_policy *policy = NULL;
	git_repository *repo = NULL;
	git_revwalk *walk = NULL;
	git_oid head, oid;
	size_t commits = 0, views = 0, focused = 0;
	int rc = 2;

	if (argc != 2) {
		fprintf(stderr, "usage: history-check DIR\n");
		return 2;
	}
	git_libgit2_init();
	if (git_repository_open(&repo, argv[1]) < 0 ||
	    git_reference_name_to_id(&head, repo, "HEAD") < 0 ||
	    chg_lint_load_policy(&policy, &diags, &err, argv[1], "HEAD", 0, NULL) < 0 ||
	    chg_history_load(&index, repo, &head, policy) < 0 ||
	    git_revwalk_new(&walk, repo) < 0 ||
	    git_revwalk_push(walk, &head) < 0) {
		fprintf(stderr, "history-check: cannot load '%s': %s\n", argv[1],
			err.len ? err.ptr : git_error_last() ? git_error_last()->message : "?");
		goto cleanup;
	}
	/* the walk that takes HEAD's change requests as loaded is the walk */
	{
		struct chg_workspace_options wopts = CHG_WORKSPACE_OPTIONS_INIT;
		struct chg_workspace *ws = NULL;
		struct chg_history k = CHG_HISTORY_INIT;
		size_t i, seeded = 0;

		wopts.dir = argv[1];
		wopts.rev = "HEAD";
		if (chg_workspace_open(&ws, &diags, &err, &wopts) < 0 ||
		    chg_workspace_load_changes(ws, &diags, &err, NULL) < 0 ||
		    chg_history_load_known(&k, repo, &head, policy, &ws->changes) < 0) {
			fprintf(stderr, "history-check: cannot load HEAD's change requests\n");
			chg_history_release(&k);
			chg_workspace_free(ws);
			goto cleanup;
		}
		for (i = 0; i < ws->changes.n; i++)
			seeded += ws->changes.items[i].has_blob && ws->changes.items[i].id;
		if (ws->changes.n && !seeded)
			differ(&head, "change requests with their blobs", 0);
		compare(&head, &k, &index);
		chg_history_release(&k);
		chg_workspace_free(ws);
	}
	while (git_revwalk_next(&oid, walk) == 0) {
		struct chg_history v = CHG_HISTORY_INIT, w = CHG_HISTORY_INIT;
		if (chg_history_at(&v, &index, repo, &oid, policy) < 0 ||
		    chg_history_load(&w, repo, &oid, policy) < 0) {
			fprintf(stderr, "history-check: cannot load a commit's history\n");
			chg_history_release(&v);
			chg_history_release(&w);
			goto cleanup;
		}
		commits++;
		views += v.view;
		compare(&oid, &v, &w);
		if (check_focus(&focused, &index, repo, &oid, policy, &w) < 0) {
			fprintf(stderr, "history-check: cannot make a view of one change request\n");
			chg_history_release(&v);
			chg_history_release(&w);
			goto cleanup;
		}
		chg_history_release(&v);
		chg_history_release(&w);
	}
	printf("%zu commits, %zu views, %zu focused views\n", commits, views, focused);
	rc = differences ? 1 : 0;
cleanup:
	git_revwalk_free(walk);
	chg_history_release(&index);
	chg_policy_free(policy);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}
