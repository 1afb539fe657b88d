#include <git2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "approve.h"
#include "approval.h"
#include "error.h"
#include "lint.h"
#include "node.h"
#include "policy.h"
#include "process.h"
#include "signature.h"
#include "trailer.h"
#include "waiver.h"
#include "workspace.h"
#include "banned.h"

/* The checks' verdict that stops the run without an error: nothing is
 * recorded and out->messages say why. */
#define REFUSED 1

/* One run of approve or reject. */
struct approve {
	const struct chg_approve_options *opts;
	struct chg_approve_result *out;
	struct chg_diag_list *diags;  /* the caller's: what explains a refusal */
	struct chg_workspace *ws;     /* the caller's: HEAD's tree and history */
	git_repository *repo;         /* the workspace's */
	const struct chg_policy *policy; /* the workspace's */
	char head_hex[GIT_OID_HEXSZ + 1]; /* the workspace's tip, HEAD */
	const struct chg_change *change; /* of the workspace's change set */
	char *identity;              /* "Name <email>" */
	char *email;
};

/* Adds a message to out->messages.  Returns 0 or CHG_ENOMEM. */
__attribute__((format(printf, 2, 3)))
static int say(struct approve *a, const char *fmt, ...)
{
	struct chg_buf msg = CHG_BUF_INIT;
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = chg_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (!error)
		error = chg_strlist_add(&a->out->messages, msg.ptr);
	chg_buf_release(&msg);
	return error;
}

/* Appends to `to` copies of the diagnostics of `from` about the file
 * `path` (NULL: all of them). */
static int copy_diags(struct chg_diag_list *to, const struct chg_diag_list *from,
		      const char *path)
{
	size_t i;
	int error = 0;

	for (i = 0; i < from->n && !error; i++) {
		const struct chg_diag *d = &from->items[i];
		if (path && strcmp(d->path, path))
			continue;
		error = chg_diag_add(to, d->path, d->line, d->column,
				     d->severity, d->rule, "%s", d->message);
	}
	return error;
}

/* Appends copies of `from` to the caller's diagnostics. */
static int show_diags(struct approve *a, const struct chg_diag_list *from)
{
	return copy_diags(a->diags, from, NULL);
}

static const char *git_message(void)
{
	return git_error_last() ? git_error_last()->message : "unknown error";
}

/*
 * Runs git with `args` (NULL-terminated, without "git") in the
 * workspace's directory, without a shell (process.h).  `input` is its
 * standard input (NULL: none); its standard output is appended to `out`;
 * its standard error is the caller's, so that git's and the signing
 * program's messages reach the user.  Returns git's exit status (0:
 * success; 128 + the signal that ended it), or, when git could not be
 * run, a negative code (CHG_ENOTFOUND, CHG_ERROR, CHG_ENOMEM) with a
 * message saying why.
 */
static int run_git(struct approve *a, struct chg_buf *out,
		   const char *const *args, const char *input)
{
	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
	struct chg_process_status st;
	const char *argv[16];
	size_t n = 0;
	int error;

	argv[n++] = "git";
	while (*args && n + 1 < sizeof(argv) / sizeof(*argv))
		argv[n++] = *args++;
	argv[n] = NULL;
	opts.dir = a->ws->opts.dir;
	opts.input = input;
	opts.input_len = input ? strlen(input) : 0;
	opts.inherit_stderr = 1;
	error = chg_process_run(&st, out, NULL, argv, &opts);
	if (error == CHG_ENOMEM) {
		say(a, "out of memory");
		return error;
	}
	if (error < 0) {
		say(a, "cannot run 'git': %s",
		    st.errnum ? strerror(st.errnum) : chg_error_str(error));
		return error;
	}
	return st.exited ? st.code : 128 + st.signal;
}

/* Removes trailing white space (git's final newline). */
static void chomp(struct chg_buf *b)
{
	while (b->len && (b->ptr[b->len - 1] == '\n' || b->ptr[b->len - 1] == '\r' ||
			  b->ptr[b->len - 1] == ' '))
		b->ptr[--b->len] = '\0';
}

/*
 * Loads the change requests of HEAD (unless the workspace's caller did)
 * and finds the one to review.
 */
static int find_change(struct approve *a)
{
	struct chg_diag_list scratch = CHG_DIAG_LIST_INIT;
	struct chg_diag_list found = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;
	const char *id = a->opts->id;
	int error;

	/* what is wrong with the others is chg-lint's to say; the workspace
	   keeps what it found for the one reviewed */
	error = chg_workspace_load_changes(a->ws, &scratch, &err, NULL);
	if (error < 0) {
		say(a, "cannot read the change requests of HEAD: %s", chg_error_str(error));
		goto cleanup;
	}
	a->change = chg_change_set_find(&a->ws->changes, id);
	if (!a->change) {
		say(a, "no change request has id '%s' in HEAD; a new change request is committed before it is reviewed",
		    id);
		error = REFUSED;
	} else if (!a->change->digest[0]) {
		if ((error = copy_diags(&found, &a->ws->change_diags, a->change->path)) < 0) {
			say(a, "out of memory");
			goto cleanup;
		}
		chg_diag_list_sort(&found);
		show_diags(a, &found);
		say(a, "cannot compute the digest of %s; fix the errors above", id);
		error = REFUSED;
	}
cleanup:
	chg_diag_list_release(&scratch);
	chg_diag_list_release(&found);
	chg_buf_release(&err);
	return error;
}

/* Refuses a change request file that differs from HEAD in the index or
 * the working tree. */
static int check_committed(struct approve *a)
{
	unsigned int flags = 0;

	if (git_repository_is_bare(a->repo))
		return 0;
	if (git_status_file(&flags, a->repo, a->change->path) < 0) {
		say(a, "cannot compare '%s' with HEAD: %s", a->change->path, git_message());
		return CHG_EGIT;
	}
	if (flags & ~(unsigned int)GIT_STATUS_IGNORED) {
		say(a, "'%s' has uncommitted changes (%s); a review is of committed content: commit them, or discard them, first",
		    a->change->path,
		    flags & (GIT_STATUS_INDEX_NEW | GIT_STATUS_INDEX_MODIFIED |
			     GIT_STATUS_INDEX_DELETED | GIT_STATUS_INDEX_RENAMED |
			     GIT_STATUS_INDEX_TYPECHANGE) ? "staged" : "in the working tree");
		return REFUSED;
	}
	return 0;
}

/*
 * The identity git records as the author of the commit it makes
 * (git var GIT_AUTHOR_IDENT: user.name and user.email, or GIT_AUTHOR_NAME
 * and GIT_AUTHOR_EMAIL), so that the approver named in the trailer is the
 * commit's author.
 */
static int read_identity(struct approve *a)
{
	static const char *const args[] = { "var", "GIT_AUTHOR_IDENT", NULL };
	struct chg_buf out = CHG_BUF_INIT;
	char *gt;
	int rc, error = 0;

	rc = run_git(a, &out, args, NULL);
	if (rc < 0) {
		error = rc;
		goto cleanup;
	}
	chomp(&out);
	gt = strrchr(out.ptr, '>');
	if (rc != 0 || !gt) {
		say(a, "cannot tell who you are: set user.name and user.email (git config)");
		error = CHG_ERROR;
		goto cleanup;
	}
	gt[1] = '\0';  /* drop the time stamp */
	if (chg_ident_parse(NULL, &a->email, out.ptr) < 0 ||
	    !(a->identity = strdup(out.ptr))) {
		say(a, "your git identity '%s' is not 'Name <email>': set user.name and user.email (git config)",
		    out.ptr);
		error = CHG_EINVALID;
	}
cleanup:
	chg_buf_release(&out);
	return error;
}

/* Separation of duties: the requester does not approve. */
static int check_requester(struct approve *a)
{
	const char *req = chg_node_str(chg_node_get(a->change->root, "requested-by"));
	char *email = NULL;
	int error = 0;

	if (a->opts->rejected || !a->policy->separation_of_duties || !req ||
	    chg_ident_parse(NULL, &email, req) < 0)
		return 0;
	if (!strcasecmp(email, a->email)) {
		say(a, "you (%s) requested %s: the policy requires separation of duties, so the requester's approval would not count; another approver must review it",
		    a->email, a->change->id);
		error = REFUSED;
	}
	free(email);
	return error;
}

/*
 * Whether an error of `rule` about the change is one the approval itself
 * may settle: the missing approvals, and why earlier approvals do not
 * count (chg_approval_check makes those errors only while approvals are
 * missing); and the findings that the change's own waivers excuse once its
 * approvals count (waiver.h).
 */
static int settled_by_approval(const struct approve *a, const char *rule)
{
	static const char *const approval_rules[] = {
		"missing-approval", "stale-approval", "self-approval",
		"approver-not-allowed", "unsigned-approval", "bad-signature",
		"unknown-signer", "signer-mismatch", NULL
	};
	const struct chg_node *waivers;
	const char *waived;
	size_t i;

	for (i = 0; approval_rules[i]; i++)
		if (!strcmp(rule, approval_rules[i]))
			return 1;
	waivers = chg_node_get(a->change->root, CHG_WAIVERS_FIELD);
	if (!waivers || waivers->type != CHG_NODE_SEQUENCE)
		return 0;
	for (i = 0; i < waivers->n; i++) {
		waived = chg_node_str(chg_node_get(waivers->items[i], "rule"));
		if (waived && !strcmp(waived, rule) && chg_policy_waivable(a->policy, rule))
			return 1;
	}
	return 0;
}

/*
 * Lints the change request as committed in HEAD, on the workspace (its
 * history loaded there, once), and refuses it when it has errors that the
 * approval does not settle.
 */
static int check_lint(struct approve *a)
{
	struct chg_lint_options opts = CHG_LINT_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT, blocking = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;
	const char *focus[1];
	size_t i;
	int error;

	focus[0] = a->change->path;
	opts.now = a->opts->now;
	opts.focus = focus;
	opts.nfocus = 1;
	/* the loader's findings about it, which a run that loads the change
	   requests itself has first (a waiver may excuse them) */
	error = copy_diags(&diags, &a->ws->change_diags, a->change->path);
	if (!error)
		error = chg_lint_workspace(&diags, &err, a->ws, &opts, NULL);
	if (error < 0) {
		show_diags(a, &diags);
		say(a, "cannot lint %s: %s", a->change->path,
		    err.len ? err.ptr : chg_error_str(error));
		goto cleanup;
	}
	for (i = 0; i < diags.n; i++) {
		const struct chg_diag *d = &diags.items[i];
		if (d->severity == CHG_SEV_ERROR && !settled_by_approval(a, d->rule) &&
		    (error = chg_diag_add(&blocking, d->path, d->line, d->column, d->severity,
					  d->rule, "%s", d->message)) < 0) {
			say(a, "out of memory");
			goto cleanup;
		}
	}
	if (blocking.n) {
		show_diags(a, &blocking);
		say(a, "%s fails lint as committed in HEAD; it cannot be approved until the errors above are fixed",
		    a->change->id);
		error = REFUSED;
	}
cleanup:
	chg_diag_list_release(&diags);
	chg_diag_list_release(&blocking);
	chg_buf_release(&err);
	return error;
}

/*
 * Whether the new commit `oid` will count, as chg-lint will judge it: an
 * approval is evaluated with the history up to it; a rejection's signature
 * is verified for its Rejected-by email.  Appends to `why` one line saying
 * why it will not count, if it will not.  Returns 0, or a negative code
 * when it could not be evaluated.
 */
static int explain_uncounted(struct chg_buf *why, struct approve *a, const git_oid *oid)
{
	struct chg_history h = CHG_HISTORY_INIT;
	struct chg_approval_result res;
	struct chg_signature_verifier *v = NULL;
	struct chg_signature_result sig = CHG_SIGNATURE_RESULT_INIT;
	git_commit *commit = NULL;
	char sid[8];
	size_t i;
	int error = 0;

	memset(&res, 0, sizeof(res));
	chg_oid_short(sid, oid);
	if (!a->policy->has_approvals)
		return 0;
	if (!a->opts->rejected) {
		if ((error = chg_history_load(&h, a->repo, oid, a->policy)) < 0 ||
		    (error = chg_approval_evaluate(&res, a->policy, a->change, &h,
						   a->opts->now)) < 0)
			goto cleanup;
		for (i = 0; i < res.n; i++) {
			const struct chg_approval_verdict *vd = &res.verdicts[i];
			if (!git_oid_equal(&vd->approval->commit, oid))
				continue;
			if (vd->verdict == CHG_VERDICT_DUPLICATE)
				chg_buf_printf(why, "approval in %s is a repeat: %s already has an approval by %s that counts",
					       sid, a->change->id, a->email);
			else if (vd->verdict != CHG_VERDICT_COUNTED)
				chg_buf_printf(why, "%s [%s]", vd->reason ? vd->reason :
					       "the approval does not count",
					       chg_verdict_rule(vd->verdict));
		}
		goto cleanup;
	}
	if (!a->policy->require_signature)
		goto cleanup;
	if (git_commit_lookup(&commit, a->repo, oid) < 0) {
		error = CHG_EGIT;
		goto cleanup;
	}
	if ((error = chg_signature_verifier_new(&v, NULL)) < 0)
		goto cleanup;
	error = chg_signature_verify_commit(&sig, v, a->repo, commit, a->email);
	if (error == CHG_ENOTFOUND) {
		chg_buf_printf(why, "rejection in %s does not count: the commit is not signed and the policy requires signatures",
			       sid);
		error = 0;
	} else if (!error && sig.verdict == CHG_SIGNATURE_GOOD &&
		   !chg_signature_has_principal(&sig, a->email)) {
		chg_buf_printf(why, "rejection in %s does not count: it is signed by %s, whose principals do not include the Rejected-by %s",
			       sid, sig.key ? sig.key : "a key", a->email);
	} else if (!error && sig.verdict != CHG_SIGNATURE_GOOD) {
		chg_buf_printf(why, "rejection in %s does not count: %s", sid,
			       sig.detail ? sig.detail : "its signature does not verify");
	}
cleanup:
	chg_signature_result_release(&sig);
	chg_signature_verifier_free(v);
	git_commit_free(commit);
	chg_approval_result_release(&res);
	chg_history_release(&h);
	return error;
}

/* Makes the commit and moves HEAD to it. */
static int record(struct approve *a)
{
	const struct chg_approve_options *opts = a->opts;
	struct chg_buf msg = CHG_BUF_INIT, out = CHG_BUF_INIT;
	const char *title = chg_node_str(chg_node_get(a->change->root, "title"));
	char tree_hex[GIT_OID_HEXSZ + 1], new_hex[GIT_OID_HEXSZ + 1], sid[8];
	const char *args[8];
	git_oid new_oid;
	size_t n = 0;
	int rc, error = 0;

	rc = chg_trailers_format(&msg, a->change->id, a->change->digest, a->identity,
				 opts->rejected, title, opts->comment);
	if (rc == CHG_EINVALID) {
		say(a, "the message would not carry exactly the Change-Request, Change-Digest and %s trailers chg writes: reword the comment (a line '---' or 'Key: value' lines at its end change what git reads as trailers)",
		    opts->rejected ? "Rejected-by" : "Approved-by");
		error = REFUSED;
		goto cleanup;
	}
	if (rc < 0) {
		say(a, "cannot write the message: %s", chg_error_str(rc));
		error = rc;
		goto cleanup;
	}
	git_oid_tostr(tree_hex, sizeof(tree_hex), git_tree_id(a->ws->src.tree));

	/* HEAD's own tree: the index and the working tree play no part */
	args[n++] = "commit-tree";
	if (opts->sign)
		args[n++] = "-S";
	args[n++] = tree_hex;
	args[n++] = "-p";
	args[n++] = a->head_hex;
	args[n] = NULL;
	rc = run_git(a, &out, args, msg.ptr);
	chomp(&out);
	if (rc != 0 || git_oid_fromstrn(&new_oid, out.ptr, out.len) < 0 ||
	    out.len != GIT_OID_HEXSZ) {
		if (opts->sign)
			say(a, "cannot make the signed commit (git commit-tree -S failed%s); nothing was changed: check your signing setup (gpg.format, user.signingKey)%s",
			    rc > 0 ? ", see above" : "",
			    a->policy->require_signature ? "" :
			    ", or, as the policy does not require signatures, use --no-sign");
		else
			say(a, "cannot make the commit (git commit-tree failed%s); nothing was changed",
			    rc > 0 ? ", see above" : "");
		error = CHG_ERROR;
		goto cleanup;
	}
	git_oid_tostr(new_hex, sizeof(new_hex), &new_oid);

	/* when it cannot be evaluated, chg-lint will say; the record stands */
	if (explain_uncounted(&a->out->warning, a, &new_oid) < 0)
		chg_buf_clear(&a->out->warning);

	args[0] = "update-ref";
	args[1] = "-m";
	args[2] = opts->rejected ? "chg reject" : "chg approve";
	args[3] = "HEAD";
	args[4] = new_hex;
	args[5] = a->head_hex;
	args[6] = NULL;
	chg_buf_clear(&out);
	rc = run_git(a, &out, args, NULL);
	if (rc != 0) {
		chg_buf_clear(&a->out->warning);
		say(a, "cannot move HEAD to the new commit %s (did HEAD move meanwhile?); nothing was changed",
		    chg_oid_short(sid, &new_oid));
		error = CHG_ERROR;
		goto cleanup;
	}
	a->out->recorded = 1;
	git_oid_cpy(&a->out->commit, &new_oid);
	chg_oid_short(a->out->short_id, &new_oid);
	memcpy(a->out->digest, a->change->digest, sizeof(a->out->digest));
cleanup:
	chg_buf_release(&msg);
	chg_buf_release(&out);
	return error;
}

/* Starts the result: nothing recorded, nothing said. */
static void result_init(struct chg_approve_result *out)
{
	memset(out, 0, sizeof(*out));
	chg_buf_init(&out->warning);
}

int chg_approve_workspace(struct chg_approve_result *out,
			  struct chg_diag_list *diags, struct chg_workspace *ws,
			  const struct chg_approve_options *opts)
{
	struct approve a;
	int error;

	result_init(out);
	memset(&a, 0, sizeof(a));
	a.opts = opts;
	a.out = out;
	a.diags = diags;
	a.ws = ws;
	a.repo = ws->repo;
	a.policy = ws->policy;
	if (!ws->repo || !ws->src_open || ws->src.kind != CHG_SOURCE_TREE ||
	    !ws->has_tip || !ws->policy) {
		say(&a, "a review is of a commit: the workspace is not of HEAD's tree");
		return CHG_ERROR;
	}
	git_oid_tostr(a.head_hex, sizeof(a.head_hex), &ws->tip);
	if (!opts->sign && a.policy->require_signature) {
		say(&a, "--no-sign: the policy (%s) requires signed approvals and rejections; an unsigned one would not count",
		    a.policy->path);
		error = REFUSED;
		goto cleanup;
	}
	if ((error = find_change(&a)) != 0 ||
	    (error = check_committed(&a)) != 0 ||
	    (error = read_identity(&a)) != 0 ||
	    (error = check_requester(&a)) != 0)
		goto cleanup;
	/* a rejection may well be of a change request that fails lint */
	if (!opts->rejected && (error = check_lint(&a)) != 0)
		goto cleanup;
	error = record(&a);
cleanup:
	free(a.identity);
	free(a.email);
	return error == REFUSED ? 0 : error;
}

int chg_approve(struct chg_approve_result *out, struct chg_diag_list *diags,
		const struct chg_approve_options *opts)
{
	struct chg_workspace_options wopts = CHG_WORKSPACE_OPTIONS_INIT;
	struct chg_diag_list found = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;
	struct chg_workspace *ws = NULL;
	struct approve a;
	int error;

	wopts.dir = opts->dir;
	wopts.rev = "HEAD";
	error = chg_workspace_open(&ws, &found, &err, &wopts);
	if (!error) {
		error = chg_approve_workspace(out, diags, ws, opts);
		goto cleanup;
	}

	/* why it could not be opened */
	result_init(out);
	memset(&a, 0, sizeof(a));
	a.out = out;
	a.diags = diags;
	if (error == CHG_ENOTFOUND && chg_workspace_head_unborn(opts->dir)) {
		say(&a, "HEAD has no commit yet; commit the change request before it is reviewed");
		error = 0;
		goto cleanup;
	}
	show_diags(&a, &found);
	say(&a, "%s", error == CHG_EINVALID ? "the policy in HEAD is invalid" :
	    err.len ? err.ptr : chg_error_str(error));
cleanup:
	chg_workspace_free(ws);
	chg_diag_list_release(&found);
	chg_buf_release(&err);
	return error;
}

void chg_approve_result_release(struct chg_approve_result *r)
{
	if (!r)
		return;
	chg_buf_release(&r->warning);
	chg_strlist_release(&r->messages);
	r->recorded = 0;
}
