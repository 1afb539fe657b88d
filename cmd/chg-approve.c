/*
 * chg approve ID / chg reject ID: records an approval (a rejection) of a
 * change request as an empty, signed commit on HEAD carrying the trailers
 * of DESIGN section 5.
 *
 * The commit is made without touching the index or the working tree: git
 * commit-tree -S signs HEAD's tree with the user's own signing setup
 * (gpg.format, user.signingKey, gpg.ssh.program, ...), and git update-ref
 * moves HEAD from the commit the approval was checked against to the new
 * one, or fails when HEAD moved meanwhile.  When signing fails, HEAD is
 * not moved: nothing changes.  git runs without a shell, from argument
 * arrays.
 */
#include <errno.h>
#include <getopt.h>
#include <git2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "approval.h"
#include "change.h"
#include "cmd.h"
#include "diag.h"
#include "error.h"
#include "format.h"
#include "lint.h"
#include "node.h"
#include "policy.h"
#include "repo.h"
#include "signature.h"
#include "trailer.h"
#include "waiver.h"
#include "yaml.h"
#include "banned.h"

static const char usage_text[] =
	"usage: %s [-m TEXT] [--no-sign] ID\n"
	"\n"
	"Records %s of the change request ID, as committed in HEAD, with a\n"
	"signed empty commit on HEAD carrying the Change-Request, Change-Digest\n"
	"and %s trailers.  The index and the working tree are not touched.\n"
	"\n"
	"  -m, --message TEXT  the approver's comment, put before the trailers\n"
	"                      (repeatable: one paragraph each)\n"
	"      --no-sign       make the commit unsigned (refused when the policy\n"
	"                      requires signatures)\n";

/* One run of approve or reject. */
struct approve {
	const struct chg_cmd *cmd;
	int rejected;
	git_repository *repo;
	git_oid head;
	char head_hex[GIT_OID_HEXSZ + 1];
	struct chg_policy *policy;
	struct chg_change_set changes;
	const struct chg_change *change;
	char *identity;              /* "Name <email>" */
	char *email;
	int64_t now;
};

/*
 * Runs git with `args` (NULL-terminated, without "git") in the directory
 * `dir`, without a shell.  `input` is its standard input; its standard
 * output is appended to `out`; its standard error is ours, so that git's
 * and the signing program's messages reach the user.  Returns git's exit
 * status (0: success), or -1 when it could not be started (errno set).
 */
static int run_git(struct chg_buf *out, const char *dir,
		   const char *const *args, const char *input)
{
	const char *argv[16];
	int in[2] = { -1, -1 }, from[2] = { -1, -1 };
	size_t n = 0, len, done = 0;
	void (*old_pipe)(int);
	char chunk[4096];
	ssize_t got;
	pid_t pid;
	int status, saved;

	argv[n++] = "git";
	argv[n++] = "-C";
	argv[n++] = dir;
	while (*args && n + 1 < sizeof(argv) / sizeof(*argv))
		argv[n++] = *args++;
	argv[n] = NULL;

	if (pipe(in) < 0)
		return -1;
	if (pipe(from) < 0)
		goto fail;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in[0], 0) < 0 || dup2(from[1], 1) < 0)
			_exit(127);
		close(in[0]);
		close(in[1]);
		close(from[0]);
		close(from[1]);
		execvp("git", (char *const *)argv);
		fprintf(stderr, "cannot run 'git': %s\n", strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(from[1]);
	in[0] = from[1] = -1;

	/* git reads all of its input before it writes: no deadlock */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	len = input ? strlen(input) : 0;
	while (done < len) {
		got = write(in[1], input + done, len - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;  /* git exited early: its status says why */
		done += (size_t)got;
	}
	close(in[1]);
	in[1] = -1;
	signal(SIGPIPE, old_pipe);

	while ((got = read(from[0], chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		if (chg_buf_put(out, chunk, (size_t)got) < 0)
			break;
	}
	close(from[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);

fail:
	saved = errno;
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	if (from[0] >= 0)
		close(from[0]);
	if (from[1] >= 0)
		close(from[1]);
	errno = saved;
	return -1;
}

/* Removes trailing white space (git's final newline). */
static void chomp(struct chg_buf *b)
{
	while (b->len && (b->ptr[b->len - 1] == '\n' || b->ptr[b->len - 1] == '\r' ||
			  b->ptr[b->len - 1] == ' '))
		b->ptr[--b->len] = '\0';
}

static int match_change(const char *path, void *payload)
{
	return chg_policy_is_change_path(payload, path);
}

/* Loads HEAD's change requests and finds `id`.  Returns an exit status. */
static int find_change(struct approve *a, const char *id)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_strlist files = CHG_STRLIST_INIT;
	struct chg_buf buf = CHG_BUF_INIT, out = CHG_BUF_INIT;
	struct chg_source src;
	size_t i, size;
	int error, status = CHG_EXIT_OK;

	if ((error = chg_source_open(&src, a->repo, CHG_SOURCE_TREE, a->head_hex)) < 0) {
		chg_cmd_error(a->cmd, "cannot read the tree of HEAD");
		return CHG_EXIT_FAILURE;
	}
	error = chg_source_list(&files, &src, match_change, a->policy);
	for (i = 0; i < files.n && !error; i++) {
		chg_buf_clear(&buf);
		error = chg_source_read(&buf, &size, &src, files.items[i], CHG_YAML_MAX_SIZE);
		if (error == CHG_ELIMIT) {
			error = 0;
			continue;  /* chg-lint reports it; it is not this one */
		}
		if (!error)
			error = chg_change_set_add(&a->changes, files.items[i], buf.ptr,
						   buf.len, a->policy, &diags);
	}
	if (error < 0) {
		chg_cmd_error(a->cmd, "cannot read the change requests of HEAD: %s",
			      chg_error_str(error));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	a->change = chg_change_set_find(&a->changes, id);
	if (!a->change) {
		chg_cmd_error(a->cmd, "no change request has id '%s' in HEAD; a new change request is committed before it is reviewed",
			      id);
		status = CHG_EXIT_FINDINGS;
	} else if (!a->change->digest[0]) {
		chg_diag_list_sort(&diags);
		chg_format_text(&out, &diags);
		fwrite(out.ptr, 1, out.len, stderr);
		chg_cmd_error(a->cmd, "cannot compute the digest of %s; fix the errors above", id);
		status = CHG_EXIT_FINDINGS;
	}
cleanup:
	chg_source_release(&src);
	chg_strlist_release(&files);
	chg_buf_release(&buf);
	chg_buf_release(&out);
	chg_diag_list_release(&diags);
	return status;
}

/* Refuses a change request file that differs from HEAD in the index or
 * the working tree.  Returns an exit status. */
static int check_committed(struct approve *a)
{
	unsigned int flags = 0;

	if (git_repository_is_bare(a->repo))
		return CHG_EXIT_OK;
	if (git_status_file(&flags, a->repo, a->change->path) < 0) {
		chg_cmd_error(a->cmd, "cannot compare '%s' with HEAD: %s", a->change->path,
			      git_error_last() ? git_error_last()->message : "unknown error");
		return CHG_EXIT_FAILURE;
	}
	if (flags & ~(unsigned int)GIT_STATUS_IGNORED) {
		chg_cmd_error(a->cmd, "'%s' has uncommitted changes (%s); a review is of committed content: commit them, or discard them, first",
			      a->change->path,
			      flags & (GIT_STATUS_INDEX_NEW | GIT_STATUS_INDEX_MODIFIED |
				       GIT_STATUS_INDEX_DELETED | GIT_STATUS_INDEX_RENAMED |
				       GIT_STATUS_INDEX_TYPECHANGE) ? "staged" : "in the working tree");
		return CHG_EXIT_FINDINGS;
	}
	return CHG_EXIT_OK;
}

/*
 * The identity git records as the author of the commit it makes
 * (git var GIT_AUTHOR_IDENT: user.name and user.email, or GIT_AUTHOR_NAME
 * and GIT_AUTHOR_EMAIL), so that the approver named in the trailer is the
 * commit's author.  Returns an exit status.
 */
static int read_identity(struct approve *a)
{
	static const char *const args[] = { "var", "GIT_AUTHOR_IDENT", NULL };
	struct chg_buf out = CHG_BUF_INIT;
	char *gt;
	int rc, status = CHG_EXIT_OK;

	rc = run_git(&out, a->cmd->dir, args, NULL);
	chomp(&out);
	gt = strrchr(out.ptr, '>');
	if (rc != 0 || !gt) {
		chg_cmd_error(a->cmd, "cannot tell who you are: set user.name and user.email (git config)");
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	gt[1] = '\0';  /* drop the time stamp */
	if (chg_ident_parse(NULL, &a->email, out.ptr) < 0 ||
	    !(a->identity = strdup(out.ptr))) {
		chg_cmd_error(a->cmd, "your git identity '%s' is not 'Name <email>': set user.name and user.email (git config)",
			      out.ptr);
		status = CHG_EXIT_FAILURE;
	}
cleanup:
	chg_buf_release(&out);
	return status;
}

/* Separation of duties: the requester does not approve.  Returns an exit
 * status. */
static int check_requester(struct approve *a)
{
	const char *req = chg_node_str(chg_node_get(a->change->root, "requested-by"));
	char *email = NULL;
	int status = CHG_EXIT_OK;

	if (a->rejected || !a->policy->separation_of_duties || !req ||
	    chg_ident_parse(NULL, &email, req) < 0)
		return CHG_EXIT_OK;
	if (!strcasecmp(email, a->email)) {
		chg_cmd_error(a->cmd, "you (%s) requested %s: the policy requires separation of duties, so the requester's approval would not count; another approver must review it",
			      a->email, a->change->id);
		status = CHG_EXIT_FINDINGS;
	}
	free(email);
	return status;
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
 * Lints the change request as committed in HEAD and refuses it when it has
 * errors that the approval does not settle.  Returns an exit status.
 */
static int check_lint(struct approve *a)
{
	struct chg_lint_options opts = CHG_LINT_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT, blocking = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT, out = CHG_BUF_INIT;
	const char *paths[1];
	size_t i;
	int rc, status = CHG_EXIT_OK;

	paths[0] = a->change->path;
	opts.dir = a->cmd->dir;
	opts.rev = a->head_hex;
	opts.now = a->now;
	opts.paths = paths;
	opts.npaths = 1;
	rc = chg_lint(&diags, &err, &opts, NULL);
	if (rc < 0) {
		chg_format_text(&out, &diags);
		fwrite(out.ptr, 1, out.len, stderr);
		chg_cmd_error(a->cmd, "cannot lint %s: %s", a->change->path,
			      err.len ? err.ptr : chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	for (i = 0; i < diags.n; i++) {
		const struct chg_diag *d = &diags.items[i];
		if (d->severity == CHG_SEV_ERROR && !settled_by_approval(a, d->rule) &&
		    chg_diag_add(&blocking, d->path, d->line, d->column, d->severity,
				 d->rule, "%s", d->message) < 0) {
			chg_cmd_error(a->cmd, "out of memory");
			status = CHG_EXIT_FAILURE;
			goto cleanup;
		}
	}
	if (blocking.n) {
		chg_format_text(&out, &blocking);
		fwrite(out.ptr, 1, out.len, stderr);
		chg_cmd_error(a->cmd, "%s fails lint as committed in HEAD; it cannot be approved until the errors above are fixed",
			      a->change->id);
		status = CHG_EXIT_FINDINGS;
	}
cleanup:
	chg_diag_list_release(&diags);
	chg_diag_list_release(&blocking);
	chg_buf_release(&err);
	chg_buf_release(&out);
	return status;
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
	if (!a->rejected) {
		if ((error = chg_history_load(&h, a->repo, oid, a->policy)) < 0 ||
		    (error = chg_approval_evaluate(&res, a->policy, a->change, &h, a->now)) < 0)
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

/* Makes the commit and moves HEAD to it.  Returns an exit status. */
static int record(struct approve *a, const char *comment, int sign)
{
	struct chg_buf msg = CHG_BUF_INIT, out = CHG_BUF_INIT, why = CHG_BUF_INIT;
	const char *title = chg_node_str(chg_node_get(a->change->root, "title"));
	char tree_hex[GIT_OID_HEXSZ + 1], new_hex[GIT_OID_HEXSZ + 1], sid[8];
	const char *args[8];
	git_commit *head = NULL;
	git_oid new_oid;
	size_t n = 0;
	int rc, status = CHG_EXIT_OK;

	rc = chg_trailers_format(&msg, a->change->id, a->change->digest, a->identity,
				 a->rejected, title, comment);
	if (rc == CHG_EINVALID) {
		chg_cmd_error(a->cmd, "the message would not carry exactly the Change-Request, Change-Digest and %s trailers chg writes: reword the comment (a line '---' or 'Key: value' lines at its end change what git reads as trailers)",
			      a->rejected ? "Rejected-by" : "Approved-by");
		status = CHG_EXIT_FINDINGS;
		goto cleanup;
	}
	if (rc < 0) {
		chg_cmd_error(a->cmd, "cannot write the message: %s", chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (git_commit_lookup(&head, a->repo, &a->head) < 0) {
		chg_cmd_error(a->cmd, "cannot read HEAD: %s",
			      git_error_last() ? git_error_last()->message : "unknown error");
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	git_oid_tostr(tree_hex, sizeof(tree_hex), git_commit_tree_id(head));

	/* HEAD's own tree: the index and the working tree play no part */
	args[n++] = "commit-tree";
	if (sign)
		args[n++] = "-S";
	args[n++] = tree_hex;
	args[n++] = "-p";
	args[n++] = a->head_hex;
	args[n] = NULL;
	rc = run_git(&out, a->cmd->dir, args, msg.ptr);
	chomp(&out);
	if (rc != 0 || git_oid_fromstrn(&new_oid, out.ptr, out.len) < 0 ||
	    out.len != GIT_OID_HEXSZ) {
		if (rc < 0)
			chg_cmd_error(a->cmd, "cannot run git: %s", strerror(errno));
		if (sign)
			chg_cmd_error(a->cmd, "cannot make the signed commit (git commit-tree -S failed%s); nothing was changed: check your signing setup (gpg.format, user.signingKey)%s",
				      rc > 0 ? ", see above" : "",
				      a->policy->require_signature ? "" :
				      ", or, as the policy does not require signatures, use --no-sign");
		else
			chg_cmd_error(a->cmd, "cannot make the commit (git commit-tree failed%s); nothing was changed",
				      rc > 0 ? ", see above" : "");
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	git_oid_tostr(new_hex, sizeof(new_hex), &new_oid);

	/* when it cannot be evaluated, chg-lint will say; the record stands */
	if (explain_uncounted(&why, a, &new_oid) < 0)
		chg_buf_clear(&why);

	args[0] = "update-ref";
	args[1] = "-m";
	args[2] = a->rejected ? "chg reject" : "chg approve";
	args[3] = "HEAD";
	args[4] = new_hex;
	args[5] = a->head_hex;
	args[6] = NULL;
	chg_buf_clear(&out);
	rc = run_git(&out, a->cmd->dir, args, NULL);
	if (rc != 0) {
		chg_cmd_error(a->cmd, "cannot move HEAD to the new commit %s (did HEAD move meanwhile?); nothing was changed",
			      chg_oid_short(sid, &new_oid));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	printf("%s %s in %s (digest %s)\n", a->rejected ? "rejected" : "approved",
	       a->change->id, chg_oid_short(sid, &new_oid), a->change->digest);
	if (why.len)
		fprintf(stderr, "%s: warning: %s\n", a->cmd->name, why.ptr);
cleanup:
	git_commit_free(head);
	chg_buf_release(&msg);
	chg_buf_release(&out);
	chg_buf_release(&why);
	return status;
}

static int run(const struct chg_cmd *cmd, int rejected, const char *id,
	       const char *comment, int sign)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT, out = CHG_BUF_INIT;
	struct approve a;
	int rc, status;

	memset(&a, 0, sizeof(a));
	a.cmd = cmd;
	a.rejected = rejected;
	git_libgit2_init();
	if (chg_cmd_now(&a.now, cmd, NULL) < 0) {
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (git_repository_open_ext(&a.repo, strcmp(cmd->dir, ".") ? cmd->dir : NULL,
				    GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0) {
		chg_cmd_error(cmd, "not a git repository: '%s'", cmd->dir);
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	rc = git_reference_name_to_id(&a.head, a.repo, "HEAD");
	if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) {
		chg_cmd_error(cmd, "HEAD has no commit yet; commit the change request before it is reviewed");
		status = CHG_EXIT_FINDINGS;
		goto cleanup;
	}
	if (rc < 0) {
		chg_cmd_error(cmd, "cannot resolve HEAD: %s",
			      git_error_last() ? git_error_last()->message : "unknown error");
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	git_oid_tostr(a.head_hex, sizeof(a.head_hex), &a.head);

	rc = chg_lint_load_policy(&a.policy, &diags, &err, cmd->dir, a.head_hex, 0, NULL);
	if (rc < 0) {
		chg_format_text(&out, &diags);
		fwrite(out.ptr, 1, out.len, stderr);
		chg_cmd_error(cmd, "%s", rc == CHG_EINVALID ? "the policy in HEAD is invalid" :
			      err.len ? err.ptr : chg_error_str(rc));
		status = CHG_EXIT_FAILURE;
		goto cleanup;
	}
	if (!sign && a.policy->require_signature) {
		chg_cmd_error(cmd, "--no-sign: the policy (%s) requires signed approvals and rejections; an unsigned one would not count",
			      a.policy->path);
		status = CHG_EXIT_FINDINGS;
		goto cleanup;
	}
	if ((status = find_change(&a, id)) != CHG_EXIT_OK ||
	    (status = check_committed(&a)) != CHG_EXIT_OK ||
	    (status = read_identity(&a)) != CHG_EXIT_OK ||
	    (status = check_requester(&a)) != CHG_EXIT_OK)
		goto cleanup;
	/* a rejection may well be of a change request that fails lint */
	if (!rejected && (status = check_lint(&a)) != CHG_EXIT_OK)
		goto cleanup;
	status = record(&a, comment, sign);
cleanup:
	chg_change_set_release(&a.changes);
	chg_policy_free(a.policy);
	git_repository_free(a.repo);
	free(a.identity);
	free(a.email);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
	chg_buf_release(&out);
	git_libgit2_shutdown();
	return status;
}

static int cmd_review(int argc, char **argv, const struct chg_cmd *cmd, int rejected)
{
	static const struct option longopts[] = {
		{ "message", required_argument, NULL, 'm' },
		{ "no-sign", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *what = rejected ? "a rejection" : "an approval";
	const char *trailer = rejected ? "Rejected-by" : "Approved-by";
	struct chg_buf comment = CHG_BUF_INIT;
	int c, sign = 1, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hm:", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (*optarg && ((comment.len && chg_buf_puts(&comment, "\n\n") < 0) ||
					chg_buf_puts(&comment, optarg) < 0)) {
				chg_cmd_error(cmd, "out of memory");
				chg_buf_release(&comment);
				return CHG_EXIT_FAILURE;
			}
			break;
		case 'n': sign = 0; break;
		case 'h':
			printf(usage_text, cmd->name, what, trailer);
			chg_buf_release(&comment);
			return CHG_EXIT_OK;
		default:
			fprintf(stderr, usage_text, cmd->name, what, trailer);
			chg_buf_release(&comment);
			return CHG_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, usage_text, cmd->name, what, trailer);
		chg_buf_release(&comment);
		return CHG_EXIT_USAGE;
	}
	status = run(cmd, rejected, argv[optind], comment.ptr, sign);
	chg_buf_release(&comment);
	return status;
}

int cmd_approve(int argc, char **argv, const struct chg_cmd *cmd)
{
	return cmd_review(argc, argv, cmd, 0);
}

int cmd_reject(int argc, char **argv, const struct chg_cmd *cmd)
{
	return cmd_review(argc, argv, cmd, 1);
}
