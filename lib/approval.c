#include "approval.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "error.h"
#include "repo.h"
#include "trailer.h"
#include "yaml.h"
#include "banned.h"

/* ---- history ---- */

/* What a history walk shares. */
struct walk {
	struct chg_history *h;
	git_repository *repo;
	const struct chg_policy *policy;
	struct chg_signature_verifier *verifier; /* made at the first use */
};

/*
 * Verifies the signature of `commit` for `principal` (NULL: any) into
 * `out`.  Returns 0 (signed), CHG_ENOTFOUND (not signed), CHG_EGIT or
 * CHG_ENOMEM.
 */
static int verify(struct chg_signature_result *out, struct walk *w,
		  git_commit *commit, const char *principal)
{
	int error;

	if (!w->verifier && (error = chg_signature_verifier_new(&w->verifier, NULL)) < 0)
		return error;
	return chg_signature_verify_commit(out, w->verifier, w->repo, commit,
					   principal);
}

/* Whether `commit` carries a signature, without verifying it. */
static int is_signed(git_repository *repo, git_commit *commit)
{
	git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
	git_oid id;
	int rc;

	git_oid_cpy(&id, git_commit_id(commit));
	rc = git_commit_extract_signature(&sig, &data, repo, &id, NULL);
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
	return rc == 0;
}

static int add_approval(struct chg_history *h, git_commit *commit,
			const struct chg_trailers *t)
{
	struct chg_approval *a;

	if (h->napprovals == h->alloc_approvals) {
		size_t n = h->alloc_approvals ? h->alloc_approvals * 2 : 16;
		a = realloc(h->approvals, n * sizeof(*a));
		if (!a)
			return CHG_ENOMEM;
		h->approvals = a;
		h->alloc_approvals = n;
	}
	a = &h->approvals[h->napprovals];
	memset(a, 0, sizeof(*a));
	git_oid_cpy(&a->commit, git_commit_id(commit));
	chg_oid_short(a->short_id, &a->commit);
	a->time = (int64_t)git_commit_time(commit);
	a->author_email = strdup(git_commit_author(commit) &&
				 git_commit_author(commit)->email ?
				 git_commit_author(commit)->email : "");
	if (!a->author_email)
		return CHG_ENOMEM;
	a->rejected = t->n_rejected_by > 0 && t->n_approved_by == 0;
	if (!(a->change_id = strdup(t->change_request)))
		return CHG_ENOMEM;
	h->napprovals++;
	if (t->change_digest && !(a->digest = strdup(t->change_digest)))
		return CHG_ENOMEM;
	if (t->n_change_request > 1)
		a->malformed = "it names more than one Change-Request";
	else if (t->n_approved_by + t->n_rejected_by == 0)
		a->malformed = "it has no Approved-by or Rejected-by trailer";
	else if (t->n_approved_by > 1 || t->n_rejected_by > 1)
		a->malformed = "it has more than one Approved-by or Rejected-by trailer; one commit approves for one person";
	else if (t->n_approved_by && t->n_rejected_by)
		a->malformed = "it has both Approved-by and Rejected-by";
	else if (t->n_change_digest != 1 || !chg_digest_is_valid(t->change_digest))
		a->malformed = "its Change-Digest is missing or not sha256: and 64 lowercase hex digits";
	if (!(a->identity = strdup(t->approved_by ? t->approved_by :
				   t->rejected_by ? t->rejected_by : "")))
		return CHG_ENOMEM;
	if (chg_ident_parse(NULL, &a->email, a->identity) < 0) {
		a->email = NULL;
		if (!a->malformed)
			a->malformed = "its Approved-by is not an identity 'Name <email>'";
	}
	return 0;
}

static int add_edit(struct chg_history *h, const char *id, git_commit *commit)
{
	struct chg_content_edit *e;
	const git_signature *author = git_commit_author(commit);
	const git_signature *committer = git_commit_committer(commit);

	if (h->nedits == h->alloc_edits) {
		size_t n = h->alloc_edits ? h->alloc_edits * 2 : 16;
		e = realloc(h->edits, n * sizeof(*e));
		if (!e)
			return CHG_ENOMEM;
		h->edits = e;
		h->alloc_edits = n;
	}
	e = &h->edits[h->nedits];
	memset(e, 0, sizeof(*e));
	git_oid_cpy(&e->commit, git_commit_id(commit));
	e->change_id = strdup(id);
	e->author_email = strdup(author && author->email ? author->email : "");
	e->committer_email = strdup(committer && committer->email ? committer->email : "");
	h->nedits++;
	if (!e->change_id || !e->author_email || !e->committer_email)
		return CHG_ENOMEM;
	return 0;
}

/* Loads the change request in a blob: its id and digest ("" if none). */
static int blob_change(char **id, char digest[CHG_DIGEST_SIZE],
		       git_repository *repo, const git_oid *oid,
		       const struct chg_policy *policy)
{
	struct chg_diag_list scratch = CHG_DIAG_LIST_INIT;
	struct chg_change c;
	git_blob *blob;
	int error;

	*id = NULL;
	digest[0] = '\0';
	if (git_blob_lookup(&blob, repo, oid) < 0)
		return 0;
	if (git_blob_rawsize(blob) > CHG_YAML_MAX_SIZE) {
		git_blob_free(blob);
		return 0;
	}
	error = chg_change_load(&c, "", git_blob_rawcontent(blob),
				(size_t)git_blob_rawsize(blob), policy, &scratch);
	git_blob_free(blob);
	chg_diag_list_release(&scratch);
	if (!error && c.id) {
		if (!(*id = strdup(c.id)))
			error = CHG_ENOMEM;
		memcpy(digest, c.digest, CHG_DIGEST_SIZE);
	}
	chg_change_release(&c);
	return error;
}

/* Is the blob at `path` in commit's parent `n` (n >= 1) the same? */
static int same_in_other_parent(git_commit *commit, const char *path,
				const git_oid *oid)
{
	unsigned int i, n = git_commit_parentcount(commit);
	int same = 0;

	for (i = 1; i < n && !same; i++) {
		git_commit *parent;
		git_tree *tree;
		git_tree_entry *entry;

		if (git_commit_parent(&parent, commit, i) < 0)
			continue;
		if (git_commit_tree(&tree, parent) == 0) {
			if (git_tree_entry_bypath(&entry, tree, path) == 0) {
				same = git_oid_equal(git_tree_entry_id(entry), oid);
				git_tree_entry_free(entry);
			} else {
				same = git_oid_is_zero(oid);
			}
			git_tree_free(tree);
		}
		git_commit_free(parent);
	}
	return same;
}

/*
 * When signatures are required, records the verified signer of a commit
 * that changed covered content in its edits from `first` on.
 */
static int edit_signers(struct walk *w, git_commit *commit, size_t first)
{
	struct chg_signature_result r = CHG_SIGNATURE_RESULT_INIT;
	size_t i, j;
	int error;

	if (!w->policy->require_signature || first == w->h->nedits)
		return 0;
	error = verify(&r, w, commit, NULL);
	if (error == CHG_ENOTFOUND)
		error = 0;
	for (i = first; !error && r.verdict == CHG_SIGNATURE_GOOD && i < w->h->nedits; i++)
		for (j = 0; !error && j < r.principals.n; j++)
			error = chg_strlist_add(&w->h->edits[i].signers,
						r.principals.items[j]);
	chg_signature_result_release(&r);
	return error;
}

static int scan_edits(struct walk *w, git_commit *commit)
{
	struct chg_history *h = w->h;
	git_repository *repo = w->repo;
	const struct chg_policy *policy = w->policy;
	git_tree *tree = NULL, *ptree = NULL;
	git_commit *parent = NULL;
	git_diff *diff = NULL;
	git_diff_options opts;
	size_t i, n, first = h->nedits;
	int error = 0;

	if (git_commit_tree(&tree, commit) < 0)
		return CHG_EGIT;
	if (git_commit_parentcount(commit) > 0) {
		if (git_commit_parent(&parent, commit, 0) < 0 ||
		    git_commit_tree(&ptree, parent) < 0) {
			/* a shallow clone: the parent is not here */
			ptree = NULL;
		}
	}
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags |= GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_tree(&diff, repo, ptree, tree, &opts) < 0) {
		error = CHG_EGIT;
		goto cleanup;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n && !error; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		char old_digest[CHG_DIGEST_SIZE], new_digest[CHG_DIGEST_SIZE];
		char *old_id = NULL, *new_id = NULL;
		int new_is = d->new_file.path && chg_policy_is_change_path(policy, d->new_file.path);
		int old_is = d->old_file.path && chg_policy_is_change_path(policy, d->old_file.path);

		if (!new_is && !old_is)
			continue;
		if (git_commit_parentcount(commit) > 1 &&
		    same_in_other_parent(commit, d->new_file.path, &d->new_file.id))
			continue;
		old_digest[0] = new_digest[0] = '\0';
		if (old_is && (d->old_file.flags & GIT_DIFF_FLAG_EXISTS))
			error = blob_change(&old_id, old_digest, repo, &d->old_file.id, policy);
		if (!error && new_is && (d->new_file.flags & GIT_DIFF_FLAG_EXISTS))
			error = blob_change(&new_id, new_digest, repo, &d->new_file.id, policy);
		if (!error && new_id && strcmp(old_digest, new_digest))
			error = add_edit(h, new_id, commit);
		if (!error && old_id && (!new_id || strcmp(old_id, new_id)) &&
		    strcmp(old_digest, new_digest))
			error = add_edit(h, old_id, commit);
		free(old_id);
		free(new_id);
	}
	if (!error)
		error = edit_signers(w, commit, first);
cleanup:
	git_diff_free(diff);
	git_tree_free(ptree);
	git_tree_free(tree);
	git_commit_free(parent);
	return error;
}

int chg_history_load(struct chg_history *out, git_repository *repo,
		     const git_oid *tip, const struct chg_policy *policy)
{
	struct walk w = { out, repo, policy, NULL };
	git_revwalk *walk = NULL;
	git_oid oid;
	int error = 0, rc;

	if (!tip)
		return 0;
	if (git_revwalk_new(&walk, repo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(walk, tip) < 0) {
		error = CHG_EGIT;
		goto cleanup;
	}
	while (!error && (rc = git_revwalk_next(&oid, walk)) == 0) {
		struct chg_trailers t;
		struct chg_approval *a;
		git_commit *commit;

		if (git_commit_lookup(&commit, repo, &oid) < 0) {
			error = CHG_EGIT;
			break;
		}
		chg_trailers_init(&t);
		error = chg_trailers_parse(&t, git_commit_message(commit));
		if (!error && chg_trailers_any(&t) && t.change_request &&
		    *t.change_request &&
		    (error = add_approval(out, commit, &t)) == 0) {
			a = &out->approvals[out->napprovals - 1];
			if (!policy->require_signature || a->malformed) {
				a->is_signed = is_signed(repo, commit);
			} else {
				error = verify(&a->signature, &w, commit, a->email);
				a->is_signed = error != CHG_ENOTFOUND;
				if (error == CHG_ENOTFOUND)
					error = 0;
			}
		}
		chg_trailers_release(&t);
		if (!error)
			error = scan_edits(&w, commit);
		git_commit_free(commit);
	}
cleanup:
	chg_signature_verifier_free(w.verifier);
	git_revwalk_free(walk);
	return error;
}

void chg_history_release(struct chg_history *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->napprovals; i++) {
		free(h->approvals[i].change_id);
		free(h->approvals[i].digest);
		free(h->approvals[i].identity);
		free(h->approvals[i].email);
		free(h->approvals[i].author_email);
		chg_signature_result_release(&h->approvals[i].signature);
	}
	free(h->approvals);
	for (i = 0; i < h->nedits; i++) {
		free(h->edits[i].change_id);
		free(h->edits[i].author_email);
		free(h->edits[i].committer_email);
		chg_strlist_release(&h->edits[i].signers);
	}
	free(h->edits);
	memset(h, 0, sizeof(*h));
}

/* ---- evaluation ---- */

const char *chg_verdict_rule(enum chg_verdict v)
{
	switch (v) {
	case CHG_VERDICT_STALE: return "stale-approval";
	case CHG_VERDICT_SELF: return "self-approval";
	case CHG_VERDICT_NOT_ALLOWED: return "approver-not-allowed";
	case CHG_VERDICT_UNSIGNED: return "unsigned-approval";
	case CHG_VERDICT_BAD_SIGNATURE: return "bad-signature";
	case CHG_VERDICT_UNKNOWN_SIGNER: return "unknown-signer";
	case CHG_VERDICT_MISMATCH: return "signer-mismatch";
	case CHG_VERDICT_MALFORMED: return "invalid-value";
	default: return NULL;
	}
}

/*
 * The first commit that changed the covered content of change `id` and was
 * authored, committed or (verified) signed by `email`; *signed_it says
 * whether it is only the signature that names `email`.
 */
static const struct chg_content_edit *edited_by(const struct chg_history *h,
						const char *id, const char *email,
						int *signed_it)
{
	size_t i, j;

	for (i = 0; i < h->nedits; i++) {
		const struct chg_content_edit *e = &h->edits[i];
		if (strcmp(e->change_id, id))
			continue;
		*signed_it = 0;
		if (!strcasecmp(e->author_email, email) ||
		    !strcasecmp(e->committer_email, email))
			return e;
		*signed_it = 1;
		for (j = 0; j < e->signers.n; j++)
			if (!strcasecmp(e->signers.items[j], email))
				return e;
	}
	return NULL;
}

/* "whose principal is X" / "whose principals are X, Y" / "which names no
 * principal". */
static void join_principals(struct chg_buf *b, const struct chg_strlist *p)
{
	size_t i;

	if (!p->n) {
		chg_buf_puts(b, ", which names no principal,");
		return;
	}
	chg_buf_puts(b, p->n == 1 ? " whose principal is " : " whose principals are ");
	for (i = 0; i < p->n; i++)
		chg_buf_printf(b, "%s%s", i ? ", " : "", p->items[i]);
}

static int allowed(const struct chg_policy *policy,
		   const struct chg_approval_rule *rule, const char *email)
{
	size_t i;

	if (!rule || !rule->from)
		return 1;
	for (i = 0; i < rule->from->n; i++)
		if (chg_policy_in_group(policy, rule->from->items[i]->value, email))
			return 1;
	return 0;
}

static void join_groups(struct chg_buf *b, const struct chg_approval_rule *rule)
{
	size_t i;

	for (i = 0; rule && rule->from && i < rule->from->n; i++)
		chg_buf_printf(b, "%s%s", i ? (i + 1 == rule->from->n ? " or " : ", ") : "",
			       rule->from->items[i]->value);
}

int chg_approval_evaluate(struct chg_approval_result *out,
			  const struct chg_policy *policy,
			  const struct chg_change *change,
			  const struct chg_history *history, int64_t now)
{
	struct chg_buf why = CHG_BUF_INIT;
	char *requester = NULL;
	size_t i, j;
	int error = 0, rc;

	memset(out, 0, sizeof(*out));
	if (!change->id || !change->root)
		return 0;
	for (i = 0; i < policy->napproval_rules; i++) {
		const struct chg_approval_rule *r = &policy->approval_rules[i];
		rc = r->when ? chg_cond_eval(r->when, change->root, now) : 1;
		if (rc < 0)
			return rc;
		if (rc) {
			out->rule = r;
			out->required = r->required;
			break;
		}
	}
	out->verdicts = calloc(history->napprovals + 1, sizeof(*out->verdicts));
	if (!out->verdicts)
		return CHG_ENOMEM;
	if (chg_ident_parse(NULL, &requester,
			    chg_node_str(chg_node_get(change->root, "requested-by")) ?
			    chg_node_str(chg_node_get(change->root, "requested-by")) : "") < 0)
		requester = NULL;

	for (i = 0; i < history->napprovals && !error; i++) {
		const struct chg_approval *a = &history->approvals[i];
		const struct chg_content_edit *e;
		struct chg_approval_verdict *v;
		const struct chg_signature_result *sig = &a->signature;
		int signed_it = 0;
		char sid[8];

		if (a->rejected || strcmp(a->change_id, change->id))
			continue;
		v = &out->verdicts[out->n++];
		v->approval = a;
		chg_buf_clear(&why);
		if (a->malformed) {
			v->verdict = CHG_VERDICT_MALFORMED;
			chg_buf_printf(&why, "approval commit %s approves nothing: %s",
				       a->short_id, a->malformed);
		} else if (policy->require_signature && !a->is_signed) {
			v->verdict = CHG_VERDICT_UNSIGNED;
			chg_buf_printf(&why, "approval by %s in %s does not count: the commit is not signed and the policy requires signed approvals",
				       a->email, a->short_id);
		} else if (policy->require_signature &&
			   sig->verdict != CHG_SIGNATURE_GOOD) {
			v->verdict = sig->verdict == CHG_SIGNATURE_UNKNOWN_KEY ?
				CHG_VERDICT_UNKNOWN_SIGNER : CHG_VERDICT_BAD_SIGNATURE;
			chg_buf_printf(&why, "approval by %s in %s does not count: %s",
				       a->email, a->short_id, sig->detail ? sig->detail :
				       "its signature was not verified");
		} else if (policy->require_signature &&
			   !chg_signature_has_principal(sig, a->email)) {
			v->verdict = CHG_VERDICT_MISMATCH;
			chg_buf_printf(&why, "approval in %s does not count: it is signed by %s",
				       a->short_id, sig->key ? sig->key : "a key");
			join_principals(&why, &sig->principals);
			chg_buf_printf(&why, ", not the Approved-by %s", a->email);
		} else if (!policy->require_signature &&
			   strcasecmp(a->email, a->author_email)) {
			v->verdict = CHG_VERDICT_MISMATCH;
			chg_buf_printf(&why, "approval in %s names %s but the commit's author is %s: an approval is made by the approver, in their own name",
				       a->short_id, a->email, a->author_email);
		} else if (policy->separation_of_duties && requester &&
			   !strcasecmp(a->email, requester)) {
			v->verdict = CHG_VERDICT_SELF;
			chg_buf_printf(&why, "approval by %s in %s does not count: %s requested this change",
				       a->email, a->short_id, a->email);
		} else if (policy->separation_of_duties &&
			   (e = edited_by(history, change->id, a->email, &signed_it))) {
			v->verdict = CHG_VERDICT_SELF;
			chg_buf_printf(&why, "approval by %s in %s does not count: %s %s %s, which changed this change's content",
				       a->email, a->short_id, a->email,
				       signed_it ? "signed" : "authored or committed",
				       chg_oid_short(sid, &e->commit));
		} else if (!allowed(policy, out->rule, a->email)) {
			v->verdict = CHG_VERDICT_NOT_ALLOWED;
			chg_buf_printf(&why, "approval by %s in %s does not count: the approver is not in ",
				       a->email, a->short_id);
			join_groups(&why, out->rule);
		} else if (strcmp(a->digest, change->digest)) {
			v->verdict = CHG_VERDICT_STALE;
			chg_buf_printf(&why, "approval by %s in %s is stale: it approved %.19s..., the change is now %.19s...; ask for a new approval",
				       a->email, a->short_id, a->digest, change->digest);
		} else {
			v->verdict = CHG_VERDICT_COUNTED;
			for (j = 0; j + 1 < out->n; j++)
				if (out->verdicts[j].verdict == CHG_VERDICT_COUNTED &&
				    !strcasecmp(out->verdicts[j].approval->email, a->email))
					v->verdict = CHG_VERDICT_DUPLICATE;
			if (v->verdict != CHG_VERDICT_DUPLICATE)
				out->counted++;
		}
		if (why.len && !(v->reason = chg_buf_detach(&why)))
			error = CHG_ENOMEM;
	}
	free(requester);
	chg_buf_release(&why);
	return error;
}

void chg_approval_result_release(struct chg_approval_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->verdicts[i].reason);
	free(r->verdicts);
	memset(r, 0, sizeof(*r));
}

int chg_approval_check(const struct chg_policy *policy,
		       const struct chg_change *change,
		       const struct chg_history *history, int64_t now,
		       struct chg_diag_list *diags)
{
	struct chg_approval_result res;
	struct chg_buf msg = CHG_BUF_INIT;
	const struct chg_node *at;
	int needs, missing, error;
	size_t i, ncounted = 0;

	if (!policy->has_approvals || !change->root || !change->id)
		return 0;
	error = chg_approval_evaluate(&res, policy, change, history, now);
	if (error == CHG_ELIMIT)
		return chg_diag_add(diags, change->path, 1, 1, CHG_SEV_ERROR,
				    "invalid-value",
				    "the approval rules could not be evaluated: a regular expression hit its match limit");
	if (error < 0)
		goto cleanup;
	at = change->state_node ? change->state_node : change->root;
	needs = chg_policy_state_needs_approval(policy, change->state);
	missing = needs && (long long)res.counted < res.required;

	if (missing) {
		chg_buf_printf(&msg, "%s is %s but %zu of the %lld required approval%s counted",
			       change->id, change->state, res.counted, res.required,
			       res.required == 1 ? "" : "s");
		if (res.rule && res.rule->from) {
			chg_buf_puts(&msg, " (from ");
			join_groups(&msg, res.rule);
			chg_buf_puts(&msg, ")");
		}
		for (i = 0; i < res.n; i++) {
			const struct chg_approval_verdict *v = &res.verdicts[i];
			const char *rule = chg_verdict_rule(v->verdict);
			chg_buf_printf(&msg, "%s%s %s", ncounted++ ? ", " : ": ",
				       v->approval->email ? v->approval->email :
				       *v->approval->identity ? v->approval->identity :
				       "(no approver)", v->approval->short_id);
			/* a repeat's rule id would read as if it were missing */
			chg_buf_printf(&msg, " %s", v->verdict == CHG_VERDICT_DUPLICATE ?
				       "repeat" : rule ? rule : "counted");
		}
		if ((error = chg_diag_add(diags, change->path, at->line, at->column,
					  CHG_SEV_ERROR, "missing-approval", "%s",
					  msg.ptr)) < 0)
			goto cleanup;
	}
	for (i = 0; i < res.n; i++) {
		const struct chg_approval_verdict *v = &res.verdicts[i];
		enum chg_severity sev;

		if (v->verdict == CHG_VERDICT_COUNTED ||
		    v->verdict == CHG_VERDICT_DUPLICATE)
			continue;
		if (missing)
			sev = CHG_SEV_ERROR;
		else if (v->verdict == CHG_VERDICT_STALE)
			sev = CHG_SEV_NOTE;
		else
			sev = CHG_SEV_WARNING;
		if ((error = chg_diag_add(diags, change->path, at->line, at->column,
					  sev, chg_verdict_rule(v->verdict), "%s",
					  v->reason)) < 0)
			goto cleanup;
	}
cleanup:
	chg_buf_release(&msg);
	chg_approval_result_release(&res);
	return error;
}
