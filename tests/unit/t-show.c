/*
 * t-show.c - the `chg show` use case (lib/show.h) on a scratch repository:
 * what it gathers about a change request (risk, window, approvals and
 * their verdicts, rejections, dependencies, its own file's findings, its
 * audit trail) as of the working tree and of an earlier revision, and how
 * it tells an unknown id, an invalid policy and a directory that is not a
 * repository apart.  The rendering is tested by tests/t6100-show.sh.
 *
 * The repository: CHG-0001 (requested, depends on CHG-0002 and the unknown
 * CHG-0404) and CHG-0002 (approved without approvals: findings of its own)
 * requested by Jane; then Dave's approval of CHG-0001 (counted) and
 * Carol's rejection of it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "approval.h"
#include "datetime.h"
#include "diag.h"
#include "error.h"
#include "show.h"
#include "scratch.h"
#include "banned.h"

static int64_t now;

static void show(struct chg_show *sh, struct chg_diag_list *diags, struct chg_buf *err,
		 const char *dir, const char *rev, const char *id, int want)
{
	struct chg_show_options opts = CHG_SHOW_OPTIONS_INIT;

	opts.dir = dir;
	opts.rev = rev;
	opts.id = id;
	opts.now = now;
	assert_int_equal(chg_show(sh, diags, err, &opts), want);
}

static int has_finding(const struct chg_diag_list *l, const char *path, const char *rule)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].path, path) && !strcmp(l->items[i].rule, rule))
			return 1;
	return 0;
}

static int setup(void **state)
{
	struct chg_show sh;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;
	char digest[CHG_DIGEST_SIZE];

	(void)state;
	if (chg_datetime_parse(&now, "2026-11-20T12:00:00Z") < 0)
		return -1;
	scratch_setup("t-show");
	if (scratch_repo("repo") < 0 ||
	    scratch_write("repo/changes/CHG-0001.yaml",
			  SCRATCH_CR("CHG-0001", "requested",
				     "depends-on: [CHG-0002, CHG-0404]\n")) < 0 ||
	    scratch_write("repo/changes/CHG-0002.yaml",
			  SCRATCH_CR("CHG-0002", "approved", "")) < 0 ||
	    scratch_commit("repo", "Request CHG-0001 and CHG-0002") != 0)
		return -1;
	/* the digest the approvals name: the one chg show tells */
	show(&sh, &diags, &err, "repo", NULL, "CHG-0001", 0);
	if (!sh.change)
		return -1;
	memcpy(digest, sh.change->digest, sizeof(digest));
	chg_show_release(&sh);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
	if (scratch_review("repo", "CHG-0001", digest, "Dave Miller", "dave@example.com", 0) != 0 ||
	    scratch_review("repo", "CHG-0001", digest, "Carol Nguyen", "carol@example.com", 1) != 0)
		return -1;
	scratch_as("Jane Doe", "jane@example.com");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	scratch_teardown();
	return 0;
}

static void test_gathers(void **state)
{
	struct chg_show sh;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;
	char head[64], sid[8];
	size_t i;

	(void)state;
	show(&sh, &diags, &err, "repo", NULL, "CHG-0001", 0);
	assert_int_equal(sh.loaded, 1);
	assert_non_null(sh.change);
	assert_string_equal(sh.change->id, "CHG-0001");
	assert_string_equal(sh.change->path, "changes/CHG-0001.yaml");
	assert_ptr_equal(sh.policy, sh.ws->policy);
	assert_int_equal(sh.trust_ok, 1);

	/* risk: the questionnaire scores 11, medium */
	assert_int_equal(sh.has_risk, 1);
	assert_non_null(sh.assessed);
	assert_string_equal(sh.assessed, "medium");
	assert_int_equal(sh.risk.understated, 0);

	/* the window, an hour */
	assert_int_equal(sh.has_window, 1);
	assert_string_equal(sh.window_start, "2026-12-05T22:00:00Z");
	assert_string_equal(sh.window_end, "2026-12-05T23:00:00Z");
	assert_int_equal(sh.has_duration, 1);
	assert_int_equal(sh.duration, 3600);

	/* Dave's approval counts; requested does not need approval yet */
	assert_int_equal(sh.has_approvals, 1);
	assert_int_equal(sh.approval_needed, 0);
	assert_int_equal(sh.approvals.n, 1);
	assert_int_equal(sh.approvals.counted, 1);
	assert_int_equal(sh.approvals.verdicts[0].verdict, CHG_VERDICT_COUNTED);
	assert_string_equal(sh.approvals.verdicts[0].approval->email, "dave@example.com");

	/* Carol's rejection, the newest commit */
	assert_int_equal(sh.nrejections, 1);
	assert_string_equal(sh.rejections[0]->email, "carol@example.com");
	assert_int_equal(scratch_git_out(head, sizeof(head), "-C repo rev-parse --short=7 HEAD"), 0);
	assert_string_equal(sh.rejections[0]->short_id, head);

	/* depends-on, in order: one known, one not */
	assert_int_equal(sh.ndependencies, 2);
	assert_string_equal(sh.dependencies[0].id, "CHG-0002");
	assert_non_null(sh.dependencies[0].change);
	assert_string_equal(sh.dependencies[0].change->state, "approved");
	assert_string_equal(sh.dependencies[1].id, "CHG-0404");
	assert_null(sh.dependencies[1].change);

	/* its own file's findings only: not CHG-0002's missing approvals */
	assert_true(has_finding(&sh.findings, "changes/CHG-0001.yaml", "unknown-dependency"));
	assert_false(has_finding(&sh.findings, "changes/CHG-0002.yaml", "missing-approval"));
	for (i = 0; i < sh.findings.n; i++)
		assert_string_equal(sh.findings.items[i].path, "changes/CHG-0001.yaml");

	/* the audit trail: created, approved, rejected */
	assert_int_equal(sh.nevents, 3);
	assert_string_equal(sh.events[0].type, "created");
	assert_string_equal(sh.events[0].detail, "requested");
	assert_string_equal(sh.events[0].date, "2026-11-02");
	assert_string_equal(sh.events[1].type, "approved");
	assert_string_equal(sh.events[1].detail, "dave@example.com counted");
	assert_string_equal(sh.events[2].type, "rejected");
	assert_string_equal(sh.events[2].commit, chg_oid_short(sid, &sh.rejections[0]->commit));

	chg_show_release(&sh);
	assert_null(sh.events);
	assert_null(sh.change);
	chg_show_release(&sh);  /* released twice: nothing left to free */
	chg_show_release(NULL);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
}

static void test_earlier_revision(void **state)
{
	struct chg_show sh;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;

	(void)state;
	/* before the approval and the rejection */
	show(&sh, &diags, &err, "repo", "HEAD~2", "CHG-0001", 0);
	assert_non_null(sh.change);
	assert_int_equal(sh.has_approvals, 1);
	assert_int_equal(sh.approvals.n, 0);
	assert_int_equal(sh.approvals.counted, 0);
	assert_int_equal(sh.nrejections, 0);
	assert_null(sh.rejections);
	assert_int_equal(sh.nevents, 1);
	assert_string_equal(sh.events[0].type, "created");
	assert_true(has_finding(&sh.findings, "changes/CHG-0001.yaml", "unknown-dependency"));
	chg_show_release(&sh);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
}

/* The digest of `id` as chg show tells it, into `out`. */
static void digest_of(char out[CHG_DIGEST_SIZE], const char *dir, const char *id)
{
	struct chg_show sh;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;

	show(&sh, &diags, &err, dir, NULL, id, 0);
	assert_non_null(sh.change);
	memcpy(out, sh.change->digest, CHG_DIGEST_SIZE);
	chg_show_release(&sh);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
}

static void test_where_stale(void **state)
{
	struct chg_show sh;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;
	char digest[CHG_DIGEST_SIZE], edit[64], edit_short[64];

	(void)state;
	/* Dave approves, Bob edits the rollback plan, Carol approves the
	   new content; an approval of a digest the change never had is
	   stale without an edit */
	assert_int_equal(scratch_repo("stale"), 0);
	assert_int_equal(scratch_write("stale/changes/CHG-0001.yaml",
				       SCRATCH_CR("CHG-0001", "requested", "")), 0);
	scratch_as("Jane Doe", "jane@example.com");
	assert_int_equal(scratch_commit("stale", "Request CHG-0001"), 0);
	digest_of(digest, "stale", "CHG-0001");
	assert_int_equal(scratch_review("stale", "CHG-0001", digest, "Dave Miller",
					"dave@example.com", 0), 0);
	assert_int_equal(scratch_write("stale/changes/CHG-0001.yaml",
				       SCRATCH_CR("CHG-0001", "requested",
						  "test-plan: Both listeners answer.\n")), 0);
	scratch_as("Bob Ops", "bob@example.com");
	assert_int_equal(scratch_commit("stale", "Edit CHG-0001"), 0);
	assert_int_equal(scratch_git_out(edit, sizeof(edit), "-C stale rev-parse HEAD"), 0);
	assert_int_equal(scratch_git_out(edit_short, sizeof(edit_short),
					 "-C stale rev-parse --short=7 HEAD"), 0);
	digest_of(digest, "stale", "CHG-0001");
	assert_int_equal(scratch_review("stale", "CHG-0001", digest, "Carol Nguyen",
					"carol@example.com", 0), 0);
	assert_int_equal(scratch_review("stale", "CHG-0001",
					"sha256:0000000000000000000000000000000000000000000000000000000000000000",
					"Alice Example", "alice@example.com", 0), 0);
	scratch_as("Jane Doe", "jane@example.com");

	show(&sh, &diags, &err, "stale", NULL, "CHG-0001", 0);
	assert_int_equal(sh.approvals.n, 3);
	assert_int_equal(sh.approvals.counted, 1);
	assert_non_null(sh.stale);
	assert_int_equal(sh.approvals.verdicts[0].verdict, CHG_VERDICT_STALE);
	assert_int_equal(sh.stale[0].edited, 1);
	assert_string_equal(sh.stale[0].edit, edit);
	assert_string_equal(sh.stale[0].edit_short, edit_short);
	assert_int_equal(sh.approvals.verdicts[1].verdict, CHG_VERDICT_COUNTED);
	assert_int_equal(sh.stale[1].edited, 0);
	assert_int_equal(sh.approvals.verdicts[2].verdict, CHG_VERDICT_STALE);
	assert_int_equal(sh.stale[2].edited, 0);
	/* the quorum holds: chg-lint reports no stale approval */
	assert_false(has_finding(&sh.findings, "changes/CHG-0001.yaml", "stale-approval"));
	chg_show_release(&sh);
	assert_null(sh.stale);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
}

static void test_unknown_id(void **state)
{
	struct chg_show sh;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;

	(void)state;
	/* not an error: the revision loaded, and has no such change request */
	show(&sh, &diags, &err, "repo", NULL, "CHG-0404", 0);
	assert_int_equal(sh.loaded, 1);
	assert_null(sh.change);
	assert_int_equal(sh.has_risk, 0);
	assert_int_equal(sh.has_approvals, 0);
	assert_int_equal(sh.nevents, 0);
	assert_int_equal(sh.findings.n, 0);
	chg_show_release(&sh);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
}

static void test_invalid_policy(void **state)
{
	struct chg_show sh;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;

	(void)state;
	assert_int_equal(scratch_repo("bad"), 0);
	assert_int_equal(scratch_write("bad/.chg/policy.yaml", "version: 1\nbogus: [\n"), 0);
	assert_int_equal(scratch_write("bad/changes/CHG-0001.yaml",
				       SCRATCH_CR("CHG-0001", "requested", "")), 0);
	assert_int_equal(scratch_commit("bad", "Request CHG-0001"), 0);
	show(&sh, &diags, &err, "bad", NULL, "CHG-0001", CHG_EINVALID);
	assert_int_equal(sh.loaded, 0);
	assert_null(sh.change);
	assert_true(diags.n > 0);
	assert_string_equal(diags.items[0].path, ".chg/policy.yaml");
	chg_show_release(&sh);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
}

static void test_not_a_repository(void **state)
{
	struct chg_show_options opts = CHG_SHOW_OPTIONS_INIT;
	struct chg_show sh;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;

	(void)state;
	assert_int_equal(scratch_write("plain/README", "not a repository\n"), 0);
	opts.dir = "plain";
	opts.id = "CHG-0001";
	opts.now = now;
	assert_true(chg_show(&sh, &diags, &err, &opts) < 0);
	assert_int_equal(sh.loaded, 0);
	assert_null(sh.change);
	assert_true(err.len > 0);
	chg_show_release(&sh);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gathers),
		cmocka_unit_test(test_earlier_revision),
		cmocka_unit_test(test_where_stale),
		cmocka_unit_test(test_unknown_id),
		cmocka_unit_test(test_invalid_policy),
		cmocka_unit_test(test_not_a_repository),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
