/*
 * t-workspace.c - one workspace per command (lib/workspace.h, DESIGN
 * section 7): on a revision, the index and the working tree it sees that
 * source's change requests and policy; an invalid policy fails with its
 * diagnostics; the history is walked once however often it is asked for.
 *
 * The scratch repository (made with git in a temporary directory):
 *
 *	HEAD~1  changes/a.yaml (CHG-1), no policy: the built-in one
 *	HEAD    .chg/policy.yaml (change requests are requests/ files),
 *	        requests/b.yaml (CHG-2)
 *	index   + requests/c.yaml (CHG-3)
 *	working + requests/d.yaml (CHG-4), not staged
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "policy.h"
#include "workspace.h"
#include "banned.h"

static char dir[] = "/tmp/chg-t-workspace-XXXXXX";

static int sh(const char *fmt, const char *arg)
{
	struct chg_buf cmd = CHG_BUF_INIT;
	int rc;

	chg_buf_printf(&cmd, "cd '%s' && ", dir);
	chg_buf_printf(&cmd, fmt, arg);
	rc = system(cmd.ptr);
	chg_buf_release(&cmd);
	return rc;
}

#define GIT "git -c user.name=T -c user.email=t@example.com -c commit.gpgsign=false "

static int setup(void **state)
{
	(void)state;
	/* the scratch repository is found from `dir` alone */
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	unsetenv("GIT_CEILING_DIRECTORIES");
	if (!mkdtemp(dir))
		return -1;
	if (sh("%s", "git init -q -b main . && mkdir changes requests .chg && "
	       "printf 'id: CHG-1\\ntitle: a\\n' >changes/a.yaml && "
	       "git add . && " GIT "commit -q -m one && "
	       "printf 'version: 1\\nextends: default\\nchanges:\\n  paths: [\"requests/*.yaml\"]\\n' >.chg/policy.yaml && "
	       "printf 'id: CHG-2\\ntitle: b\\n' >requests/b.yaml && "
	       "git add . && " GIT "commit -q -m two && "
	       "printf 'id: CHG-3\\ntitle: c\\n' >requests/c.yaml && "
	       "git add requests/c.yaml && "
	       "printf 'id: CHG-4\\ntitle: d\\n' >requests/d.yaml && "
	       "printf 'version: 1\\nno-such-section: 1\\n' >bad-policy.yaml") != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return sh("cd / && rm -rf '%s'", dir) ? -1 : 0;
}

/* The paths of the workspace's change requests, joined by spaces. */
static void paths_of(struct chg_buf *out, const struct chg_workspace *ws)
{
	size_t i;

	chg_buf_clear(out);
	for (i = 0; i < ws->changes.n; i++)
		chg_buf_printf(out, "%s%s", i ? " " : "", ws->changes.items[i].path);
}

/* Opens the workspace of `rev` / `staged` and loads its change requests. */
static struct chg_workspace *open_ws(const char *rev, int staged,
				     struct chg_buf *paths)
{
	struct chg_workspace_options opts = CHG_WORKSPACE_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;
	struct chg_workspace *ws = NULL;

	opts.dir = dir;
	opts.rev = rev;
	opts.staged = staged;
	assert_int_equal(chg_workspace_open(&ws, &diags, &err, &opts), 0);
	assert_non_null(ws);
	assert_int_equal(chg_workspace_load_changes(ws, &diags, &err, NULL), 0);
	/* a second call loads nothing more */
	assert_int_equal(chg_workspace_load_changes(ws, &diags, &err, NULL), 0);
	paths_of(paths, ws);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
	return ws;
}

static void test_revision(void **state)
{
	struct chg_buf paths = CHG_BUF_INIT;
	struct chg_workspace *ws;

	(void)state;
	ws = open_ws("HEAD~1", 0, &paths);
	assert_int_equal(ws->src.kind, CHG_SOURCE_TREE);
	assert_string_equal(ws->policy->path, CHG_POLICY_BUILTIN);
	assert_string_equal(paths.ptr, "changes/a.yaml");
	assert_int_equal(ws->nfiles, 1);
	assert_true(ws->has_tip);
	assert_true(git_oid_equal(&ws->tip, &ws->src.commit));
	chg_workspace_free(ws);

	ws = open_ws("HEAD", 0, &paths);
	assert_string_equal(ws->policy->path, ".chg/policy.yaml");
	assert_string_equal(paths.ptr, "requests/b.yaml");
	assert_string_equal(chg_change_set_find(&ws->changes, "CHG-2")->path,
			    "requests/b.yaml");
	chg_workspace_free(ws);
	chg_buf_release(&paths);
}

static void test_index(void **state)
{
	struct chg_buf paths = CHG_BUF_INIT;
	struct chg_workspace *ws;
	git_oid head;

	(void)state;
	ws = open_ws(NULL, 1, &paths);
	assert_int_equal(ws->src.kind, CHG_SOURCE_INDEX);
	assert_string_equal(ws->policy->path, ".chg/policy.yaml");
	assert_string_equal(paths.ptr, "requests/b.yaml requests/c.yaml");
	/* the tip of the index is HEAD */
	assert_int_equal(git_reference_name_to_id(&head, ws->repo, "HEAD"), 0);
	assert_true(ws->has_tip);
	assert_true(git_oid_equal(&ws->tip, &head));
	chg_workspace_free(ws);
	chg_buf_release(&paths);
}

static void test_working_tree(void **state)
{
	struct chg_buf paths = CHG_BUF_INIT;
	struct chg_workspace *ws;
	git_oid blob;

	(void)state;
	ws = open_ws(NULL, 0, &paths);
	assert_int_equal(ws->src.kind, CHG_SOURCE_WORKTREE);
	assert_string_equal(ws->policy->path, ".chg/policy.yaml");
	assert_string_equal(paths.ptr,
			    "requests/b.yaml requests/c.yaml requests/d.yaml");
	assert_non_null(chg_change_set_find(&ws->changes, "CHG-4"));
	assert_null(chg_change_set_find(&ws->changes, "CHG-1"));
	assert_int_equal(chg_workspace_blob(&blob, ws, "requests/d.yaml"), 1);
	chg_workspace_free(ws);
	chg_buf_release(&paths);
}

static void test_named_files(void **state)
{
	struct chg_workspace_options opts = CHG_WORKSPACE_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_strlist named = CHG_STRLIST_INIT;
	struct chg_buf err = CHG_BUF_INIT, paths = CHG_BUF_INIT;
	struct chg_workspace *ws = NULL;

	(void)state;
	opts.dir = dir;
	assert_int_equal(chg_workspace_open(&ws, &diags, &err, &opts), 0);
	/* a named file must exist; failing, nothing stays loaded */
	assert_int_equal(chg_strlist_add(&named, "requests/none.yaml"), 0);
	assert_int_equal(chg_workspace_load_changes(ws, &diags, &err, &named),
			 CHG_ENOTFOUND);
	assert_string_equal(err.ptr, "cannot open 'requests/none.yaml': No such file");
	assert_int_equal(ws->changes.n, 0);
	/* a named file is read whatever the policy's paths say */
	chg_strlist_release(&named);
	assert_int_equal(chg_strlist_add(&named, "changes/a.yaml"), 0);
	assert_int_equal(chg_workspace_load_changes(ws, &diags, &err, &named), 0);
	paths_of(&paths, ws);
	assert_string_equal(paths.ptr, "changes/a.yaml requests/b.yaml "
			    "requests/c.yaml requests/d.yaml");
	chg_workspace_free(ws);
	chg_strlist_release(&named);
	chg_diag_list_release(&diags);
	chg_buf_release(&err);
	chg_buf_release(&paths);
}

static void test_invalid_policy(void **state)
{
	struct chg_workspace_options opts = CHG_WORKSPACE_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf err = CHG_BUF_INIT;
	struct chg_workspace *ws = NULL;
	size_t i, found = 0;

	(void)state;
	opts.dir = dir;
	opts.policy_file = "bad-policy.yaml";
	assert_int_equal(chg_workspace_open(&ws, &diags, &err, &opts), CHG_EINVALID);
	assert_null(ws);
	assert_true(diags.n > 0);
	for (i = 0; i < diags.n; i++)
		if (!strcmp(diags.items[i].path, "bad-policy.yaml") &&
		    diags.items[i].severity == CHG_SEV_ERROR &&
		    strstr(diags.items[i].message, "no-such-section"))
			found++;
	assert_int_equal(found, 1);
	chg_diag_list_release(&diags);

	/* not a repository: an error with its explanation, no diagnostics */
	opts.dir = "/";
	opts.policy_file = NULL;
	assert_int_equal(chg_workspace_open(&ws, &diags, &err, &opts), CHG_ENOTFOUND);
	assert_null(ws);
	assert_int_equal(diags.n, 0);
	assert_string_equal(err.ptr, "not a git repository: '/'");
	chg_buf_release(&err);
}

static void test_history_once(void **state)
{
	struct chg_buf paths = CHG_BUF_INIT, err = CHG_BUF_INIT;
	struct chg_history taken = CHG_HISTORY_INIT;
	const struct chg_history *h1 = NULL, *h2 = NULL, *h3 = NULL;
	struct chg_workspace *ws;

	(void)state;
	ws = open_ws("HEAD", 0, &paths);
	assert_false(ws->history_loaded);
	assert_int_equal(chg_workspace_history(&h1, ws, &err), 0);
	assert_non_null(h1);
	/* both commits were walked */
	assert_int_equal(h1->trust.n, 2);
	assert_int_equal(chg_workspace_history(&h2, ws, &err), 0);
	assert_int_equal(chg_workspace_history(&h3, ws, &err), 0);
	assert_ptr_equal(h1, h2);
	assert_ptr_equal(h1, h3);
	assert_ptr_equal(h1, &ws->history);

	/* moved out, it is the caller's; asked again, it is walked again */
	assert_int_equal(chg_workspace_take_history(&taken, ws), 0);
	assert_int_equal(taken.trust.n, 2);
	assert_false(ws->history_loaded);
	assert_int_equal(chg_workspace_take_history(&taken, ws), CHG_ENOTFOUND);
	assert_int_equal(chg_workspace_history(&h1, ws, &err), 0);
	assert_int_equal(h1->trust.n, 2);
	chg_history_release(&taken);
	chg_workspace_free(ws);
	chg_buf_release(&paths);
	chg_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revision),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_working_tree),
		cmocka_unit_test(test_named_files),
		cmocka_unit_test(test_invalid_policy),
		cmocka_unit_test(test_history_once),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
