#include <git2.h>
#include <openssl/evp.h>
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
#include "sshsig.h"
#include "trailer.h"
#include "trust.h"
#include "waiver.h"
#include "workspace.h"
#include "yaml.h"
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
	const struct chg_change *change; /* of the workspace's change set;
				     NULL for the trust change */
	const char *id;               /* the Change-Request it names */
	char digest[CHG_DIGEST_SIZE]; /* the Change-Digest it carries */
	char *title;                  /* for the subject, or NULL */
	/* For the trust change: HEAD's history (the workspace's), the trust
	 * change that made HEAD's trust files, and the policy that judges
	 * it (that of the last approved trust before it; NULL: it does not
	 * load). */
	const struct chg_history *history;
	const struct chg_trust_change *tc;
	struct chg_policy *judge_policy;
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
	} else {
		const char *title = chg_node_str(chg_node_get(a->change->root, "title"));
		a->id = a->change->id;
		memcpy(a->digest, a->change->digest, sizeof(a->digest));
		if (title && !(a->title = strdup(title))) {
			say(a, "out of memory");
			error = CHG_ENOMEM;
		}
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

	/* forced: judged with the commit, and recorded with a warning */
	if (a->opts->rejected || a->opts->force || !a->policy->separation_of_duties || !req ||
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

/* ---- the trust change ---- */

/* The trust paths (trust.h), for git's pathspec. */
static char path_signers[] = ".chg/allowed_signers";
static char path_catalog[] = ".chg/catalog";
static char path_keys[] = ".chg/keys.asc";
static char path_policy[] = ".chg/policy.yaml";
static char path_revoked[] = ".chg/revoked_keys";
static char *trust_paths[] = {
	path_signers, path_catalog, path_keys, path_policy, path_revoked
};

/*
 * Loads the policy in the tree of `commit` (NULL: no commit, the built-in
 * policy alone) into a->judge_policy, which stays NULL when it does not
 * load (then nothing approves the change).
 */
static int load_judge_policy(struct approve *a, const git_oid *commit)
{
	struct chg_diag_list scratch = CHG_DIAG_LIST_INIT;
	struct chg_buf buf = CHG_BUF_INIT;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	size_t size;
	int error = CHG_ENOTFOUND;

	if (commit) {
		if (git_commit_lookup(&c, a->repo, commit) < 0 ||
		    git_commit_tree(&tree, c) < 0) {
			say(a, "cannot read the commit %s: %s", a->tc->short_id, git_message());
			error = CHG_EGIT;
			goto cleanup;
		}
		error = chg_tree_read(&buf, &size, a->repo, tree, CHG_TRUST_POLICY_PATH,
				      CHG_YAML_MAX_SIZE);
	}
	if (error == CHG_ENOTFOUND)
		error = chg_policy_load(&a->judge_policy, NULL, 0, NULL, &scratch);
	else if (!error)
		error = chg_policy_load(&a->judge_policy, buf.ptr, buf.len,
					CHG_TRUST_POLICY_PATH, &scratch);
	if (error == CHG_ELIMIT || error == CHG_EINVALID)
		error = 0;
	if (error < 0)
		say(a, "cannot read the policy the trust change is judged under: %s",
		    chg_error_str(error));
cleanup:
	chg_diag_list_release(&scratch);
	chg_buf_release(&buf);
	git_tree_free(tree);
	git_commit_free(c);
	return error;
}

/*
 * Finds the trust change that made HEAD's trust files (the last commit of
 * HEAD's first-parent chain whose trust digest differs from its first
 * parent's) in HEAD's history, and refuses when there is nothing to
 * approve (to reject): no trust change but the root of trust, a return to
 * the last approved trust files, or (not for a rejection) a trust change
 * that is approved already.
 */
static int find_trust_change(struct approve *a)
{
	const struct chg_trust_log *log;
	struct chg_buf err = CHG_BUF_INIT;
	size_t r, i;
	char sid[8];
	int error;

	if ((error = chg_workspace_history(&a->history, a->ws, &err)) < 0) {
		say(a, "cannot read the history of HEAD: %s", err.len ? err.ptr :
		    chg_error_str(error));
		goto cleanup;
	}
	log = &a->history->trust;
	r = log->tip;
	while (r != CHG_TRUST_NONE && !log->records[r].changed)
		r = log->records[r].parent;
	for (i = 0; r != CHG_TRUST_NONE && i < a->history->ntrust_changes; i++)
		if (a->history->trust_changes[i].record == r)
			a->tc = &a->history->trust_changes[i];
	error = REFUSED;
	if (r == CHG_TRUST_NONE || !a->tc) {
		say(a, "HEAD has no trust files (%s): there is no trust change to %s",
		    CHG_TRUST_POLICY_PATH, a->opts->rejected ? "reject" : "approve");
	} else if (a->tc->status == CHG_TRUST_ROOT) {
		say(a, "HEAD's trust files are those of the root of trust %s, trusted as they are: there is no trust change to %s",
		    a->tc->short_id, a->opts->rejected ? "reject" : "approve");
	} else if (a->tc->status == CHG_TRUST_RESTORED) {
		if (a->tc->judge != CHG_TRUST_NONE)
			chg_oid_short(sid, &log->records[a->tc->judge].commit);
		say(a, "%s brought HEAD's trust files back to the last approved ones%s%s%s: there is no trust change to %s",
		    a->tc->short_id, a->tc->judge != CHG_TRUST_NONE ? " (in " : "",
		    a->tc->judge != CHG_TRUST_NONE ? sid : "",
		    a->tc->judge != CHG_TRUST_NONE ? ")" : "",
		    a->opts->rejected ? "reject" : "approve");
	} else if (a->tc->status == CHG_TRUST_APPROVED && !a->opts->rejected) {
		say(a, "the trust change in %s (%s) is approved already: there is nothing to approve",
		    a->tc->short_id, a->tc->path);
	} else {
		error = 0;
	}
	if (error)
		goto cleanup;
	memcpy(a->digest, a->tc->digest, sizeof(a->digest));
	if (chg_buf_printf(&err, "%s changed in %s", a->tc->path, a->tc->short_id) < 0 ||
	    !(a->title = chg_buf_detach(&err))) {
		say(a, "out of memory");
		error = CHG_ENOMEM;
		goto cleanup;
	}
	error = load_judge_policy(a, a->tc->judge == CHG_TRUST_NONE ? NULL :
				  &log->records[a->tc->judge].commit);
cleanup:
	chg_buf_release(&err);
	return error;
}

/* Refuses trust files that differ from HEAD in the index or the working
 * tree: an approval is of the committed trust files. */
static int check_trust_committed(struct approve *a)
{
	git_status_options opts;
	git_status_list *list = NULL;
	const git_status_entry *e;
	const char *path;
	int error = 0;

	if (git_repository_is_bare(a->repo))
		return 0;
	if (git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION) < 0) {
		say(a, "cannot compare the trust files with HEAD: %s", git_message());
		return CHG_EGIT;
	}
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		     GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	opts.pathspec.strings = trust_paths;
	opts.pathspec.count = sizeof(trust_paths) / sizeof(*trust_paths);
	if (git_status_list_new(&list, a->repo, &opts) < 0) {
		say(a, "cannot compare the trust files with HEAD: %s", git_message());
		return CHG_EGIT;
	}
	if (git_status_list_entrycount(list) > 0) {
		e = git_status_byindex(list, 0);
		path = e->head_to_index ? e->head_to_index->new_file.path :
		       e->index_to_workdir ? e->index_to_workdir->new_file.path : "?";
		say(a, "'%s' has uncommitted changes (%s); an approval of a trust change is of the committed trust files: commit them, or discard them, first",
		    path, e->head_to_index ? "staged" : "in the working tree");
		error = REFUSED;
	}
	git_status_list_free(list);
	return error;
}

/* ---- judging the new commit ---- */

/* What a verdict's reason says after its "approval by X in 1234567 does
 * not count: " (which names a commit no ref holds when it is refused). */
static const char *reason_body(const char *reason)
{
	static const char *const heads[] = {
		" does not count: ", " approves nothing: ", " is stale: ",
		" is withdrawn: ", NULL
	};
	const char *p;
	size_t i;

	if (!reason)
		return "it would not count";
	for (i = 0; heads[i]; i++)
		if ((p = strstr(reason, heads[i])))
			return p + strlen(heads[i]);
	return reason;
}

/* Appends `body` to `b`, naming the new commit's first parent HEAD, as
 * the user knows it. */
static void put_body(struct chg_buf *b, const char *body)
{
	static const char parent[] = "as of its first parent ";
	const char *p = strstr(body, parent);

	if (!p) {
		chg_buf_puts(b, body);
		return;
	}
	chg_buf_printf(b, "%.*sas of HEAD %s", (int)(p - body), body, p + strlen(parent));
}

/*
 * Appends to `b` how to have the key that signed `oid` trusted: for SSH,
 * the allowed_signers line for the approver; for OpenPGP, where its key
 * goes.  Nothing when the signature cannot be read.
 */
static void key_hint(struct chg_buf *b, struct approve *a, const git_oid *oid)
{
	git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
	struct chg_sshsig s = CHG_SSHSIG_INIT;
	unsigned char *b64 = NULL;
	uint32_t tlen;
	git_oid id;

	git_oid_cpy(&id, oid);
	if (git_commit_extract_signature(&sig, &data, a->repo, &id, NULL) < 0)
		goto cleanup;
	if (chg_signature_kind(sig.ptr, sig.size) == CHG_SIGNATURE_OPENPGP) {
		chg_buf_printf(b, "; to trust your OpenPGP key, add it (gpg --armor --export) to %s in a trust change, approved with chg approve --trust",
			       CHG_KEYS_PATH);
		goto cleanup;
	}
	if (chg_sshsig_verify(&s, sig.ptr, sig.size, "git", data.ptr, data.size) < 0 ||
	    !s.key.blob || s.key.len < 4 || s.key.len > (size_t)1 << 20)
		goto cleanup;
	tlen = (uint32_t)s.key.blob[0] << 24 | (uint32_t)s.key.blob[1] << 16 |
	       (uint32_t)s.key.blob[2] << 8 | s.key.blob[3];
	if (tlen > s.key.len - 4 || !(b64 = malloc(4 * ((s.key.len + 2) / 3) + 1)))
		goto cleanup;
	EVP_EncodeBlock(b64, s.key.blob, (int)s.key.len);
	chg_buf_printf(b, "; to trust it, add the line '%s %.*s %s' to %s in a trust change, approved with chg approve --trust",
		       a->email, (int)tlen, (const char *)s.key.blob + 4, (const char *)b64,
		       CHG_ALLOWED_SIGNERS_PATH);
cleanup:
	free(b64);
	chg_sshsig_release(&s);
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
}

/*
 * Appends to `refusal` why the approval `vd` (of the new commit `oid`)
 * would not count, in the user's terms: "you are in none of the groups",
 * "your key is not trusted" with what to add, what earlier approval
 * counts already.  `what` names what is approved ("CHG-0042", "the trust
 * change in 1234567"), `groups` the groups the rule allows.
 */
static void explain(struct chg_buf *refusal, struct approve *a, const git_oid *oid,
		    const struct chg_approval_verdict *vd,
		    const struct chg_approval_verdict *all, size_t n,
		    const char *what, const char *groups, const char *rule_name)
{
	size_t j;

	switch (vd->verdict) {
	case CHG_VERDICT_NOT_ALLOWED:
		chg_buf_printf(refusal, "you (%s) are in none of the groups %s takes approvals from (%s): your approval of %s would not count",
			       a->email, rule_name, groups && *groups ? groups : "?", what);
		return;
	case CHG_VERDICT_DUPLICATE:
		for (j = 0; j < n; j++)
			if (all[j].verdict == CHG_VERDICT_COUNTED && all[j].approval->email &&
			    !strcasecmp(all[j].approval->email, a->email)) {
				chg_buf_printf(refusal, "you (%s) approved %s already, in %s, and that approval counts: a second one would not count",
					       a->email, what, all[j].approval->short_id);
				return;
			}
		break;
	default:
		break;
	}
	chg_buf_printf(refusal, "your approval of %s would not count: ", what);
	put_body(refusal, vd->reason ? reason_body(vd->reason) : "it is a repeat");
	if (vd->verdict == CHG_VERDICT_UNKNOWN_SIGNER ||
	    (vd->verdict == CHG_VERDICT_MISMATCH && vd->approval->is_signed &&
	     vd->reason && strstr(vd->reason, "signed by")))
		key_hint(refusal, a, oid);
	if (chg_verdict_rule(vd->verdict))
		chg_buf_printf(refusal, " [%s]", chg_verdict_rule(vd->verdict));
}

/*
 * Appends to `warning` why the approval in `sid`, judged `vd`, will not
 * count, as chg-lint will say it; `what` names what it approves (a change
 * request's id, "the trust change in abc1234").
 */
static void not_counted(struct chg_buf *warning, const struct approve *a,
			const char *sid, const struct chg_approval_verdict *vd,
			const char *what)
{
	if (vd->verdict == CHG_VERDICT_DUPLICATE && !vd->reason)
		chg_buf_printf(warning, "approval in %s is a repeat: %s already has an approval by %s that counts",
			       sid, what, a->email);
	else
		chg_buf_printf(warning, "%s [%s]", vd->reason ? vd->reason :
			       "the approval does not count",
			       chg_verdict_rule(vd->verdict) ? chg_verdict_rule(vd->verdict) :
			       chg_verdict_name(vd->verdict));
}

/* Says why the approval in `sid` could not be judged, when `error` < 0. */
static void judge_failed(struct approve *a, int error, const char *sid)
{
	if (error == CHG_ENOMEM)
		say(a, "out of memory");
	else if (error < 0)
		say(a, "cannot judge the approval %s: %s; nothing was changed", sid,
		    chg_error_str(error));
}

/*
 * Judges the new approval `oid` of the change request as chg-lint will
 * judge it at the new tip: with the history up to it.  Appends to
 * `refusal` (the user's terms) and `warning` (naming the commit, as
 * chg-lint will) why it will not count; nothing when it counts.
 */
static int judge_change_approval(struct chg_buf *refusal, struct chg_buf *warning,
				 struct approve *a, const git_oid *oid)
{
	struct chg_history h = CHG_HISTORY_INIT;
	struct chg_approval_result res;
	struct chg_buf groups = CHG_BUF_INIT;
	const char *ids[1];
	char sid[8];
	size_t i;
	int error;

	memset(&res, 0, sizeof(res));
	chg_oid_short(sid, oid);
	ids[0] = a->change->id;
	/* the new commit is not in HEAD's history: a walk to it, with the
	   change requests of HEAD's tree, which is the new commit's */
	if ((error = chg_history_at_ids(&h, NULL, a->repo, oid, a->policy, ids, 1,
					&a->ws->changes)) < 0 ||
	    (error = chg_approval_evaluate(&res, a->policy, a->change, &h,
					   a->opts->now)) < 0)
		goto cleanup;
	chg_approval_rule_groups(&groups, res.rule);
	for (i = 0; i < res.n; i++) {
		const struct chg_approval_verdict *vd = &res.verdicts[i];
		if (!git_oid_equal(&vd->approval->commit, oid) ||
		    vd->verdict == CHG_VERDICT_COUNTED)
			continue;
		explain(refusal, a, oid, vd, res.verdicts, res.n, a->change->id,
			groups.ptr, "the matching approval rule");
		not_counted(warning, a, sid, vd, a->change->id);
		break;
	}
cleanup:
	judge_failed(a, error, sid);
	chg_buf_release(&groups);
	chg_approval_result_release(&res);
	chg_history_release(&h);
	return error;
}

/*
 * Judges the new approval `oid` of the trust change as chg-lint will
 * judge it at the new tip: as an approval of the trust change in the
 * history up to it.  Appends to `refusal` and `warning` as
 * judge_change_approval.
 */
static int judge_trust_approval(struct chg_buf *refusal, struct chg_buf *warning,
				struct approve *a, const git_oid *oid)
{
	struct chg_history h = CHG_HISTORY_INIT;
	const struct chg_trust_change *found = NULL, *tc;
	const struct chg_approval_verdict *vd = NULL;
	struct chg_buf what = CHG_BUF_INIT;
	char sid[8];
	size_t i, k;
	int error;

	chg_oid_short(sid, oid);
	if ((error = chg_history_at(&h, NULL, a->repo, oid, a->policy)) < 0)
		goto cleanup;
	for (i = 0; i < h.ntrust_changes; i++) {
		tc = &h.trust_changes[i];
		for (k = 0; k < tc->n; k++)
			if (git_oid_equal(&tc->verdicts[k].approval->commit, oid)) {
				found = tc;
				vd = &tc->verdicts[k];
			}
	}
	chg_buf_printf(&what, "the trust change in %s", a->tc->short_id);
	if (!vd) {
		/* judged by nothing: its policy does not load */
		char jid[8];
		chg_buf_printf(refusal, "your approval of %s would not count: %s in %s, the policy it is judged under, does not load, so nothing can approve it",
			       what.ptr, CHG_TRUST_POLICY_PATH,
			       a->tc->judge == CHG_TRUST_NONE ? "no commit" :
			       chg_oid_short(jid, &a->history->trust.records[a->tc->judge].commit));
		chg_buf_printf(warning, "approval in %s does not count: %s in %s, the policy the trust change in %s is judged under, does not load",
			       sid, CHG_TRUST_POLICY_PATH,
			       a->tc->judge == CHG_TRUST_NONE ? "no commit" : jid,
			       a->tc->short_id);
		goto cleanup;
	}
	if (vd->verdict == CHG_VERDICT_COUNTED)
		goto cleanup;
	explain(refusal, a, oid, vd, found->verdicts, found->n, what.ptr, found->groups,
		"the policy's approvals.trust");
	chg_buf_clear(&what);
	chg_buf_printf(&what, "the trust change in %s", found->short_id);
	not_counted(warning, a, sid, vd, what.ptr);
cleanup:
	judge_failed(a, error, sid);
	chg_buf_release(&what);
	chg_history_release(&h);
	return error;
}

/*
 * Judges the new rejection `oid`: whether its signature verifies for its
 * Rejected-by email, against HEAD's trust files for a change request, the
 * trust the trust change is judged under for that (a rejection that does
 * not verify withdraws nothing).  Appends to `refusal` and `warning` as
 * judge_change_approval.
 */
static int judge_rejection(struct chg_buf *refusal, struct chg_buf *warning,
			   struct approve *a, const git_oid *oid)
{
	struct chg_signature_verifier *v = NULL;
	struct chg_signature_result sig = CHG_SIGNATURE_RESULT_INIT;
	struct chg_buf origin = CHG_BUF_INIT;
	const struct chg_policy *policy = a->tc ? a->judge_policy : a->policy;
	const git_oid *trust = NULL;
	git_commit *commit = NULL;
	const char *what = a->tc ? "the trust change" : a->change->id;
	char sid[8], jid[8];
	int error = 0;

	chg_oid_short(sid, oid);
	if (!policy || !policy->require_signature)
		return 0;
	if (git_commit_lookup(&commit, a->repo, oid) < 0) {
		say(a, "cannot read the new commit %s: %s", sid, git_message());
		error = CHG_EGIT;
		goto cleanup;
	}
	if ((error = chg_signature_verifier_new(&v, NULL)) < 0) {
		say(a, "out of memory");
		goto cleanup;
	}
	if (a->tc) {
		if (a->tc->judge != CHG_TRUST_NONE) {
			trust = &a->history->trust.records[a->tc->judge].commit;
			chg_buf_printf(&origin, "the last approved trust (in %s)",
				       chg_oid_short(jid, trust));
		} else {
			chg_buf_puts(&origin, "the last approved trust (there is none)");
		}
		error = chg_trust_verify_commit(&sig, v, a->repo, commit, trust,
						origin.ptr, a->email);
	} else {
		error = chg_signature_verify_commit(&sig, v, a->repo, commit, a->email);
	}
	if (error == CHG_ENOTFOUND) {
		chg_buf_printf(refusal, "your rejection of %s would not count: the commit is not signed and the policy requires signatures",
			       what);
		chg_buf_printf(warning, "rejection in %s does not count: the commit is not signed and the policy requires signatures",
			       sid);
		error = 0;
	} else if (error < 0) {
		say(a, "cannot verify the signature of the new commit %s: %s; nothing was changed",
		    sid, chg_error_str(error));
	} else if (sig.verdict == CHG_SIGNATURE_GOOD &&
		   !chg_signature_has_principal(&sig, a->email)) {
		chg_buf_printf(refusal, "your rejection of %s would not count: it is signed by %s, whose principals do not include the Rejected-by %s",
			       what, sig.key ? sig.key : "a key", a->email);
		key_hint(refusal, a, oid);
		chg_buf_printf(warning, "rejection in %s does not count: it is signed by %s, whose principals do not include the Rejected-by %s",
			       sid, sig.key ? sig.key : "a key", a->email);
	} else if (sig.verdict != CHG_SIGNATURE_GOOD) {
		chg_buf_printf(refusal, "your rejection of %s would not count: ", what);
		put_body(refusal, sig.detail ? sig.detail : "its signature does not verify");
		if (sig.verdict == CHG_SIGNATURE_UNKNOWN_KEY)
			key_hint(refusal, a, oid);
		chg_buf_printf(warning, "rejection in %s does not count: %s", sid,
			       sig.detail ? sig.detail : "its signature does not verify");
	}
cleanup:
	chg_buf_release(&origin);
	chg_signature_result_release(&sig);
	chg_signature_verifier_free(v);
	git_commit_free(commit);
	return error;
}

/* Judges the new commit `oid` (judge_change_approval and the others). */
static int judge(struct chg_buf *refusal, struct chg_buf *warning,
		 struct approve *a, const git_oid *oid)
{
	if (a->opts->rejected)
		return judge_rejection(refusal, warning, a, oid);
	if (a->tc)
		return judge_trust_approval(refusal, warning, a, oid);
	if (!a->policy->has_approvals)
		return 0;
	return judge_change_approval(refusal, warning, a, oid);
}

/*
 * Makes the commit, judges it and, when it counts (or opts->force), moves
 * HEAD to it.
 */
static int record(struct approve *a)
{
	const struct chg_approve_options *opts = a->opts;
	struct chg_buf msg = CHG_BUF_INIT, out = CHG_BUF_INIT, refusal = CHG_BUF_INIT;
	char tree_hex[GIT_OID_HEXSZ + 1], new_hex[GIT_OID_HEXSZ + 1], sid[8];
	const char *args[8];
	git_oid new_oid;
	size_t n = 0;
	int rc, error = 0;

	rc = chg_trailers_format(&msg, a->id, a->digest, a->identity,
				 opts->rejected, a->title, opts->comment);
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

	/* judged before any ref moves: the object alone changes nothing */
	if ((error = judge(&refusal, &a->out->warning, a, &new_oid)) < 0) {
		chg_buf_clear(&a->out->warning);
		goto cleanup;
	}
	if (refusal.len && !opts->force) {
		chg_buf_clear(&a->out->warning);
		say(a, "%s; nothing was changed (--force records it all the same)", refusal.ptr);
		error = REFUSED;
		goto cleanup;
	}

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
	memcpy(a->out->digest, a->digest, sizeof(a->out->digest));
cleanup:
	chg_buf_release(&msg);
	chg_buf_release(&out);
	chg_buf_release(&refusal);
	return error;
}

/* Refuses an unsigned commit (--no-sign) where `policy` requires
 * signatures, unless forced. */
static int check_sign(struct approve *a, const struct chg_policy *policy)
{
	if (a->opts->sign || !policy->require_signature || a->opts->force)
		return 0;
	say(a, "--no-sign: the policy (%s) requires signed approvals and rejections; an unsigned one would not count",
	    policy->path);
	return REFUSED;
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
	int error, trust;

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
	trust = opts->trust || (opts->id && !strcmp(opts->id, CHG_TRUST_CHANGE_REQUEST));
	if (!trust && (error = check_sign(&a, a.policy)) != 0)
		goto cleanup;
	if (trust) {
		a.id = CHG_TRUST_CHANGE_REQUEST;
		/* signatures as the policy the trust change is judged by says */
		if ((error = find_trust_change(&a)) != 0 ||
		    (a.judge_policy && (error = check_sign(&a, a.judge_policy)) != 0) ||
		    (error = check_trust_committed(&a)) != 0 ||
		    (error = read_identity(&a)) != 0)
			goto cleanup;
	} else {
		if ((error = find_change(&a)) != 0 ||
		    (error = check_committed(&a)) != 0 ||
		    (error = read_identity(&a)) != 0 ||
		    (error = check_requester(&a)) != 0)
			goto cleanup;
		/* a rejection may well be of a change request that fails lint */
		if (!opts->rejected && (error = check_lint(&a)) != 0)
			goto cleanup;
	}
	error = record(&a);
cleanup:
	chg_policy_free(a.judge_policy);
	free(a.title);
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

int chg_approve_trust_digest(char out[CHG_DIGEST_SIZE], struct chg_buf *err,
			     const char *dir, const char *rev)
{
	git_repository *repo = NULL;
	git_object *obj = NULL;
	git_tree *tree = NULL;
	int error = 0;

	git_libgit2_init();
	if (git_repository_open_ext(&repo, strcmp(dir, ".") ? dir : NULL,
				    GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0) {
		chg_buf_printf(err, "not a git repository: '%s'", dir);
		error = CHG_ENOTFOUND;
		goto cleanup;
	}
	if (git_revparse_single(&obj, repo, rev ? rev : "HEAD") < 0 ||
	    git_object_peel((git_object **)&tree, obj, GIT_OBJECT_TREE) < 0) {
		chg_buf_printf(err, "unknown revision '%s'", rev ? rev : "HEAD");
		error = CHG_ENOTFOUND;
		goto cleanup;
	}
	if ((error = chg_trust_digest(out, repo, tree)) < 0)
		chg_buf_printf(err, "cannot compute the trust digest: %s",
			       error == CHG_EGIT ? git_message() : chg_error_str(error));
cleanup:
	git_tree_free(tree);
	git_object_free(obj);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return error;
}
