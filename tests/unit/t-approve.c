/*
 * t-approve.c - the `chg approve` / `chg reject` use case (lib/approve.h)
 * on scratch repositories: its outcome as data (recorded, or refused with
 * the messages and the diagnostics that say why, or failed with a code),
 * that one that would not count is refused unless forced, approvals of
 * the trust change, and that a refusal or a failure changes nothing.  Signed commits and the
 * command's output are tested by tests/t5400-approve.sh.
 *
 * Each repository has CHG-0001 (approved, so it needs an approval)
 * requested and committed by Jane; the policy's approvals need no
 * signature and keep separation of duties (the default).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "approve.h"
#include "datetime.h"
#include "diag.h"
#include "error.h"
#include "workspace.h"
#include "scratch.h"
#include "banned.h"

static int64_t now;

/* A fresh repository `dir` with CHG-0001 committed by Jane. */
static void repo(const char *dir, const char *policy)
{
	char path[256];

	scratch_as("Jane Doe", "jane@example.com");
	assert_int_equal(scratch_repo(dir), 0);
	snprintf(path, sizeof(path), "%s/.chg/policy.yaml", dir);
	if (policy)
		assert_int_equal(scratch_write(path, policy), 0);
	snprintf(path, sizeof(path), "%s/changes/CHG-0001.yaml", dir);
	assert_int_equal(scratch_write(path, SCRATCH_CR("CHG-0001", "approved", "")), 0);
	assert_int_equal(scratch_commit(dir, "Request CHG-0001"), 0);
}

static int approve(struct chg_approve_result *out, struct chg_diag_list *diags,
		   const char *dir, const char *id, int rejected, int sign)
{
	struct chg_approve_options opts = CHG_APPROVE_OPTIONS_INIT;

	opts.dir = dir;
	opts.id = id;
	opts.rejected = rejected;
	opts.sign = sign;
	opts.now = now;
	return chg_approve(out, diags, &opts);
}

/* As approve, with --force: recorded also when it would not count. */
static int approve_forced(struct chg_approve_result *out, struct chg_diag_list *diags,
			  const char *dir, const char *id)
{
	struct chg_approve_options opts = CHG_APPROVE_OPTIONS_INIT;

	opts.dir = dir;
	opts.id = id;
	opts.sign = 0;
	opts.force = 1;
	opts.now = now;
	return chg_approve(out, diags, &opts);
}

/* A review of the trust change HEAD holds in `dir`, unsigned. */
static int approve_trust(struct chg_approve_result *out, struct chg_diag_list *diags,
			 const char *dir, int rejected, int force)
{
	struct chg_approve_options opts = CHG_APPROVE_OPTIONS_INIT;

	opts.dir = dir;
	opts.trust = 1;
	opts.rejected = rejected;
	opts.sign = 0;
	opts.force = force;
	opts.now = now;
	return chg_approve(out, diags, &opts);
}

/* HEAD's commit id in `dir`, or "" when HEAD has no commit. */
static void head_of(char out[64], const char *dir)
{
	if (scratch_git_out(out, 64, "-C '%s' rev-parse -q --verify HEAD", dir) < 0)
		out[0] = '\0';
}

/* Asserts a refusal: nothing recorded, HEAD where it was, and the one
 * message starting with `message`. */
static void assert_refused(const char *dir, const char *id, int rejected, int sign,
			   const char *message, size_t ndiags)
{
	struct chg_approve_result r;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	char before[64], after[64];

	head_of(before, dir);
	assert_int_equal(approve(&r, &diags, dir, id, rejected, sign), 0);
	assert_int_equal(r.recorded, 0);
	assert_int_equal(r.messages.n, 1);
	assert_true(!strncmp(r.messages.items[0], message, strlen(message)));
	assert_int_equal(diags.n, ndiags);
	head_of(after, dir);
	assert_string_equal(before, after);
	chg_approve_result_release(&r);
	chg_diag_list_release(&diags);
}

static int setup(void **state)
{
	(void)state;
	if (chg_datetime_parse(&now, "2026-11-20T12:00:00Z") < 0)
		return -1;
	scratch_setup("t-approve");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	scratch_teardown();
	return 0;
}

static void test_recorded(void **state)
{
	struct chg_approve_result r;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	char before[64], after[64], text[4096], sid[8];
	git_oid head;

	(void)state;
	repo("ok", NULL);
	head_of(before, "ok");
	scratch_as("Dave Miller", "dave@example.com");
	assert_int_equal(approve(&r, &diags, "ok", "CHG-0001", 0, 0), 0);
	assert_int_equal(r.recorded, 1);
	assert_int_equal(r.messages.n, 0);
	assert_int_equal(diags.n, 0);
	assert_int_equal(r.warning.len, 0);  /* it counts */
	head_of(after, "ok");
	assert_int_equal(git_oid_fromstr(&head, after), 0);
	assert_true(git_oid_equal(&head, &r.commit));
	assert_string_equal(r.short_id, chg_oid_short(sid, &head));
	assert_true(!strncmp(r.digest, "sha256:", 7));

	/* an empty commit on the old HEAD, with the trailers */
	assert_int_equal(scratch_git_out(text, sizeof(text), "-C ok rev-parse HEAD^"), 0);
	assert_string_equal(text, before);
	assert_int_equal(scratch_git_out(text, sizeof(text), "-C ok diff --stat HEAD^ HEAD"), 0);
	assert_string_equal(text, "");
	assert_int_equal(scratch_git_out(text, sizeof(text), "-C ok log -1 --format=%%B"), 0);
	assert_non_null(strstr(text, "\nChange-Request: CHG-0001\n"));
	assert_non_null(strstr(text, "\nApproved-by: Dave Miller <dave@example.com>"));
	chg_approve_result_release(&r);

	/* a second approval by Dave would not count: refused, HEAD stays */
	chg_oid_short(sid, &head);
	assert_int_equal(approve(&r, &diags, "ok", "CHG-0001", 0, 0), 0);
	assert_int_equal(r.recorded, 0);
	assert_int_equal(r.warning.len, 0);
	assert_int_equal(r.messages.n, 1);
	assert_non_null(strstr(r.messages.items[0], "you (dave@example.com) approved CHG-0001 already, in "));
	assert_non_null(strstr(r.messages.items[0], sid));
	assert_non_null(strstr(r.messages.items[0], "nothing was changed (--force records it all the same)"));
	head_of(before, "ok");
	assert_string_equal(before, after);
	chg_approve_result_release(&r);

	/* forced: recorded, with a warning: a repeat */
	assert_int_equal(approve_forced(&r, &diags, "ok", "CHG-0001"), 0);
	assert_int_equal(r.recorded, 1);
	assert_non_null(strstr(r.warning.ptr, "is a repeat"));
	assert_non_null(strstr(r.warning.ptr, r.short_id));
	chg_approve_result_release(&r);
	chg_approve_result_release(&r);
	chg_approve_result_release(NULL);

	/* the requester may reject */
	scratch_as("Jane Doe", "jane@example.com");
	assert_int_equal(approve(&r, &diags, "ok", "CHG-0001", 1, 0), 0);
	assert_int_equal(r.recorded, 1);
	assert_int_equal(scratch_git_out(text, sizeof(text), "-C ok log -1 --format=%%B"), 0);
	assert_non_null(strstr(text, "\nRejected-by: Jane Doe <jane@example.com>"));
	chg_approve_result_release(&r);
	chg_diag_list_release(&diags);
}

static void test_refusals(void **state)
{
	(void)state;
	repo("refuse", NULL);
	scratch_as("Dave Miller", "dave@example.com");
	assert_refused("refuse", "CHG-0099", 0, 0,
		       "no change request has id 'CHG-0099' in HEAD", 0);

	/* separation of duties: not the requester's approval */
	scratch_as("Jane Doe", "jane@example.com");
	assert_refused("refuse", "CHG-0001", 0, 0,
		       "you (jane@example.com) requested CHG-0001: the policy requires separation of duties", 0);

	/* a review is of committed content */
	scratch_as("Dave Miller", "dave@example.com");
	assert_int_equal(scratch_write("refuse/changes/CHG-0001.yaml",
				       SCRATCH_CR("CHG-0001", "approved", "client: acme\n")), 0);
	assert_refused("refuse", "CHG-0001", 0, 0,
		       "'changes/CHG-0001.yaml' has uncommitted changes (in the working tree)", 0);
	assert_int_equal(scratch_git("-C refuse add -A"), 0);
	assert_refused("refuse", "CHG-0001", 1, 0,
		       "'changes/CHG-0001.yaml' has uncommitted changes (staged)", 0);
	assert_int_equal(scratch_git("-C refuse reset -q --hard"), 0);

	/* unsigned, where the policy requires signatures */
	repo("signed", "version: 1\nextends: default\n");
	assert_refused("signed", "CHG-0001", 0, 0,
		       "--no-sign: the policy (.chg/policy.yaml) requires signed approvals", 0);
	assert_refused("signed", "CHG-0001", 1, 0,
		       "--no-sign: the policy (.chg/policy.yaml) requires signed approvals", 0);

	/* HEAD without a commit */
	assert_int_equal(scratch_git("init -q -b main unborn"), 0);
	assert_refused("unborn", "CHG-0001", 0, 0, "HEAD has no commit yet", 0);
}

static void test_fails_lint(void **state)
{
	struct chg_approve_result r;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;

	(void)state;
	repo("broken", NULL);
	assert_int_equal(scratch_write("broken/changes/CHG-0001.yaml",
				       "id: CHG-0001\ntitle: Broken\ntype: normal\nstate: approved\n"
				       "requested-by: Jane Doe <jane@example.com>\n"), 0);
	assert_int_equal(scratch_commit("broken", "CHG-0001: fewer fields"), 0);
	scratch_as("Dave Miller", "dave@example.com");
	assert_int_equal(approve(&r, &diags, "broken", "CHG-0001", 0, 0), 0);
	assert_int_equal(r.recorded, 0);
	assert_int_equal(r.messages.n, 1);
	assert_string_equal(r.messages.items[0],
			    "CHG-0001 fails lint as committed in HEAD; it cannot be approved until the errors above are fixed");
	/* the blocking errors only: not the approvals it still needs */
	assert_true(diags.n > 0);
	assert_int_equal(chg_diag_list_count(&diags, CHG_SEV_ERROR), diags.n);
	assert_int_equal(strcmp(diags.items[0].rule, "missing-approval") != 0, 1);
	assert_string_equal(diags.items[0].path, "changes/CHG-0001.yaml");
	chg_approve_result_release(&r);
	chg_diag_list_release(&diags);

	/* a rejection of it is recorded */
	assert_int_equal(approve(&r, &diags, "broken", "CHG-0001", 1, 0), 0);
	assert_int_equal(r.recorded, 1);
	assert_int_equal(diags.n, 0);
	chg_approve_result_release(&r);
}

static void test_failures(void **state)
{
	struct chg_approve_result r;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	char before[64], after[64];

	(void)state;
	assert_int_equal(scratch_write("nowhere/README", "not a repository\n"), 0);
	assert_int_equal(approve(&r, &diags, "nowhere", "CHG-0001", 0, 0), CHG_ENOTFOUND);
	assert_int_equal(r.recorded, 0);
	assert_int_equal(r.messages.n, 1);
	assert_string_equal(r.messages.items[0], "not a git repository: 'nowhere'");
	chg_approve_result_release(&r);

	/* an invalid policy: its diagnostics, then the message */
	repo("badpolicy", "version: 1\nbogus: [\n");
	head_of(before, "badpolicy");
	scratch_as("Dave Miller", "dave@example.com");
	assert_int_equal(approve(&r, &diags, "badpolicy", "CHG-0001", 0, 0), CHG_EINVALID);
	assert_int_equal(r.recorded, 0);
	assert_int_equal(r.messages.n, 1);
	assert_string_equal(r.messages.items[0], "the policy in HEAD is invalid");
	assert_true(diags.n > 0);
	assert_string_equal(diags.items[0].path, ".chg/policy.yaml");
	head_of(after, "badpolicy");
	assert_string_equal(before, after);
	chg_approve_result_release(&r);
	chg_diag_list_release(&diags);

	/* an identity that is not "Name <email>" */
	repo("ident", NULL);
	scratch_as("Dave Miller", "dave-at-example.com");
	assert_int_equal(approve(&r, &diags, "ident", "CHG-0001", 0, 0), CHG_EINVALID);
	assert_int_equal(r.recorded, 0);
	assert_int_equal(r.messages.n, 1);
	assert_non_null(strstr(r.messages.items[0], "is not 'Name <email>'"));
	chg_approve_result_release(&r);
	chg_diag_list_release(&diags);
}

/* The workspace of HEAD's tree in `dir`, as chg_approve opens it. */
static struct chg_workspace *open_head(const char *dir)
{
	struct chg_workspace_options wopts = CHG_WORKSPACE_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;
	struct chg_workspace *ws = NULL;

	wopts.dir = dir;
	wopts.rev = "HEAD";
	assert_int_equal(chg_workspace_open(&ws, &diags, &err, &wopts), 0);
	assert_int_equal(diags.n, 0);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
	return ws;
}

static int approve_ws(struct chg_approve_result *out, struct chg_diag_list *diags,
		      struct chg_workspace *ws, const char *id, int rejected)
{
	struct chg_approve_options opts = CHG_APPROVE_OPTIONS_INIT;

	opts.dir = "no-such-directory";  /* the workspace's is used */
	opts.id = id;
	opts.rejected = rejected;
	opts.sign = 0;
	opts.now = now;
	return chg_approve_workspace(out, diags, ws, &opts);
}

/* On a workspace handed to it: its change requests and history are the
 * workspace's, loaded once and only when needed. */
static void test_workspace(void **state)
{
	struct chg_approve_result r;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_workspace *ws;
	char before[64], after[64];

	(void)state;
	repo("ws", NULL);
	scratch_as("Dave Miller", "dave@example.com");

	/* a rejection does not need the history */
	ws = open_head("ws");
	head_of(before, "ws");
	assert_int_equal(approve_ws(&r, &diags, ws, "CHG-0001", 1), 0);
	assert_int_equal(r.recorded, 1);
	assert_int_equal(ws->changes_loaded, 1);
	assert_int_equal(ws->history_loaded, 0);
	head_of(after, "ws");
	assert_string_not_equal(before, after);
	chg_approve_result_release(&r);
	chg_workspace_free(ws);

	/* an approval's lint check loads it there, once */
	ws = open_head("ws");
	assert_int_equal(approve_ws(&r, &diags, ws, "CHG-0001", 0), 0);
	assert_int_equal(r.recorded, 1);
	assert_int_equal(r.warning.len, 0);
	assert_int_equal(ws->history_loaded, 1);
	chg_approve_result_release(&r);
	chg_workspace_free(ws);
	assert_int_equal(diags.n, 0);

	/* not of a revision's tree: the working tree */
	{
		struct chg_workspace_options wopts = CHG_WORKSPACE_OPTIONS_INIT;
		struct chg_buf err = CHG_BUF_INIT;

		wopts.dir = "ws";
		assert_int_equal(chg_workspace_open(&ws, &diags, &err, &wopts), 0);
		head_of(before, "ws");
		assert_int_equal(approve_ws(&r, &diags, ws, "CHG-0001", 0), CHG_ERROR);
		assert_int_equal(r.recorded, 0);
		assert_int_equal(r.messages.n, 1);
		assert_non_null(strstr(r.messages.items[0], "not of HEAD's tree"));
		head_of(after, "ws");
		assert_string_equal(before, after);
		chg_approve_result_release(&r);
		chg_workspace_free(ws);
		chg_buf_release(&err);
	}
	chg_diag_list_release(&diags);
}

/* The loader's findings about the change request block its approval,
 * also when its caller loaded the workspace's change requests before. */
static void test_loader_findings(void **state)
{
	struct chg_approve_result r;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT, loaded = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;
	struct chg_workspace *ws;
	char before[64], after[64];
	int pass;

	(void)state;
	repo("dupkey", NULL);
	assert_int_equal(scratch_write("dupkey/changes/CHG-0001.yaml",
				       SCRATCH_CR("CHG-0001", "approved",
						  "owner: Eve Ops <eve@example.com>\n")), 0);
	assert_int_equal(scratch_commit("dupkey", "CHG-0001: a second owner"), 0);
	scratch_as("Dave Miller", "dave@example.com");
	head_of(before, "dupkey");

	for (pass = 0; pass < 2; pass++) {
		if (!pass) {
			assert_int_equal(approve(&r, &diags, "dupkey", "CHG-0001", 0, 0), 0);
		} else {
			ws = open_head("dupkey");
			assert_int_equal(chg_workspace_load_changes(ws, &loaded, &err, NULL), 0);
			assert_int_equal(loaded.n, 1);
			assert_int_equal(ws->change_diags.n, 1);
			assert_int_equal(approve_ws(&r, &diags, ws, "CHG-0001", 0), 0);
			chg_workspace_free(ws);
		}
		assert_int_equal(r.recorded, 0);
		assert_int_equal(r.messages.n, 1);
		assert_string_equal(r.messages.items[0],
				    "CHG-0001 fails lint as committed in HEAD; it cannot be approved until the errors above are fixed");
		assert_int_equal(diags.n, 1);
		assert_string_equal(diags.items[0].rule, "duplicate-key");
		assert_string_equal(diags.items[0].path, "changes/CHG-0001.yaml");
		head_of(after, "dupkey");
		assert_string_equal(before, after);
		chg_approve_result_release(&r);
		chg_diag_list_release(&diags);
	}
	chg_diag_list_release(&loaded);
	chg_buf_release(&err);
}

/* That git cannot be run is a message of the result, not a line the
 * library prints. */
static void test_no_git(void **state)
{
	struct chg_approve_result r;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	char before[64], after[64], *path;
	int rc;

	(void)state;
	repo("nogit", NULL);
	scratch_as("Dave Miller", "dave@example.com");
	head_of(before, "nogit");
	path = strdup(getenv("PATH"));
	assert_non_null(path);
	setenv("PATH", "/nonexistent", 1);
	rc = approve(&r, &diags, "nogit", "CHG-0001", 0, 0);
	setenv("PATH", path, 1);
	free(path);
	assert_int_equal(rc, CHG_ENOTFOUND);
	assert_int_equal(r.recorded, 0);
	assert_int_equal(r.messages.n, 1);
	assert_string_equal(r.messages.items[0], "cannot run 'git': No such file or directory");
	assert_int_equal(diags.n, 0);
	head_of(after, "nogit");
	assert_string_equal(before, after);
	chg_approve_result_release(&r);
}

/* Approvals that would not count are refused, changing nothing, unless
 * forced: then recorded with the warning chg-lint's finding gives. */
static void test_would_not_count(void **state)
{
	struct chg_approve_result r;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	char before[64], after[64];

	(void)state;
	repo("groups", NULL);
	scratch_as("Erin Example", "erin@example.com");
	assert_refused("groups", "CHG-0001", 0, 0,
		       "you (erin@example.com) are in none of the groups the matching approval rule takes approvals from (managers or cab): your approval of CHG-0001 would not count; nothing was changed (--force records it all the same)", 0);

	head_of(before, "groups");
	assert_int_equal(approve_forced(&r, &diags, "groups", "CHG-0001"), 0);
	assert_int_equal(r.recorded, 1);
	assert_int_equal(r.messages.n, 0);
	assert_non_null(strstr(r.warning.ptr, "does not count: the approver is not in managers or cab [approver-not-allowed]"));
	assert_non_null(strstr(r.warning.ptr, r.short_id));
	head_of(after, "groups");
	assert_string_not_equal(before, after);
	chg_approve_result_release(&r);

	/* the requester, forced: judged with the commit */
	scratch_as("Jane Doe", "jane@example.com");
	assert_int_equal(approve_forced(&r, &diags, "groups", "CHG-0001"), 0);
	assert_int_equal(r.recorded, 1);
	assert_non_null(strstr(r.warning.ptr, "jane@example.com requested this change [self-approval]"));
	chg_approve_result_release(&r);
	assert_int_equal(diags.n, 0);
	chg_diag_list_release(&diags);
}

/* Asserts a refusal of a review of the trust change: nothing recorded,
 * HEAD where it was, the one message starting with `message`. */
static void assert_trust_refused(const char *dir, int rejected, const char *message)
{
	struct chg_approve_result r;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	char before[64], after[64];

	head_of(before, dir);
	assert_int_equal(approve_trust(&r, &diags, dir, rejected, 0), 0);
	assert_int_equal(r.recorded, 0);
	assert_int_equal(r.messages.n, 1);
	if (strncmp(r.messages.items[0], message, strlen(message)))
		fail_msg("'%s' does not start with '%s'", r.messages.items[0], message);
	assert_int_equal(diags.n, 0);
	head_of(after, dir);
	assert_string_equal(before, after);
	chg_approve_result_release(&r);
	chg_diag_list_release(&diags);
}

static void test_trust(void **state)
{
	struct chg_approve_result r;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;
	char digest[CHG_DIGEST_SIZE], text[4096], tc[8];

	(void)state;
	repo("trust", NULL);
	scratch_as("Alice Example", "alice@example.com");
	assert_trust_refused("trust", 0, "HEAD's trust files are those of the root of trust ");

	/* Jane adds a group: a trust change, 2 approvals from cab */
	scratch_as("Jane Doe", "jane@example.com");
	assert_int_equal(scratch_write("trust/.chg/policy.yaml",
				       SCRATCH_POLICY "    ops: [erin@example.com]\n"), 0);
	assert_int_equal(scratch_commit("trust", "Add the ops group"), 0);
	assert_int_equal(scratch_git_out(tc, sizeof(tc), "-C trust rev-parse --short=7 HEAD"), 0);
	assert_int_equal(chg_approve_trust_digest(digest, &err, "trust", NULL), 0);
	assert_int_equal(chg_approve_trust_digest(text, &err, "trust", "no-such-rev"), CHG_ENOTFOUND);
	assert_string_equal(err.ptr, "unknown revision 'no-such-rev'");
	chg_buf_release(&err);

	/* who made it does not approve it; nor does one outside cab */
	assert_trust_refused("trust", 0, "your approval of the trust change in ");
	scratch_as("Dave Miller", "dave@example.com");
	assert_trust_refused("trust", 0,
			     "you (dave@example.com) are in none of the groups the policy's approvals.trust takes approvals from (cab)");

	/* of the committed trust files only */
	scratch_as("Alice Example", "alice@example.com");
	assert_int_equal(scratch_write("trust/.chg/allowed_signers", "\n"), 0);
	assert_trust_refused("trust", 0, "'.chg/allowed_signers' has uncommitted changes (in the working tree)");
	assert_int_equal(scratch_git("-C trust clean -q -f .chg"), 0);

	/* two of cab: recorded, and it is approved */
	assert_int_equal(approve_trust(&r, &diags, "trust", 0, 0), 0);
	assert_int_equal(r.recorded, 1);
	assert_int_equal(r.warning.len, 0);
	assert_string_equal(r.digest, digest);
	chg_approve_result_release(&r);
	assert_int_equal(scratch_git_out(text, sizeof(text), "-C trust log -1 --format=%%B"), 0);
	assert_non_null(strstr(text, "Approve trust: .chg/policy.yaml changed in "));
	assert_non_null(strstr(text, tc));
	assert_non_null(strstr(text, "\nChange-Request: trust\n"));
	assert_non_null(strstr(text, digest));
	scratch_as("Carol Nguyen", "carol@example.com");
	assert_int_equal(approve_trust(&r, &diags, "trust", 0, 0), 0);
	assert_int_equal(r.recorded, 1);
	assert_int_equal(r.warning.len, 0);
	chg_approve_result_release(&r);
	assert_trust_refused("trust", 0, "the trust change in ");

	/* a rejection of it is still recorded: it withdraws */
	assert_int_equal(approve_trust(&r, &diags, "trust", 1, 0), 0);
	assert_int_equal(r.recorded, 1);
	chg_approve_result_release(&r);
	assert_int_equal(diags.n, 0);
	chg_diag_list_release(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_fails_lint),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_workspace),
		cmocka_unit_test(test_loader_findings),
		cmocka_unit_test(test_no_git),
		cmocka_unit_test(test_would_not_count),
		cmocka_unit_test(test_trust),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
