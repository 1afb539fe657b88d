/*
 * scratch.h - scratch git repositories for the unit tests of the use
 * cases (t-show.c, t-approve.c): a fresh directory, git isolated from the
 * user's configuration with fixed identities and dates (as
 * tests/lib-chg.sh does for the shell tests), files written and git run
 * through the shell.
 *
 *	scratch_setup("t-show");
 *	scratch_write("repo/changes/CHG-0001.yaml", "id: CHG-0001\n...");
 *	scratch_git("-C repo add -A");
 *	...
 *	scratch_teardown();
 */
#ifndef CHG_TEST_SCRATCH_H
#define CHG_TEST_SCRATCH_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SCRATCH_UNUSED __attribute__((unused))

static char scratch_dir[4096];

/* A policy whose approvals need no signature: groups cab (alice, carol)
 * and managers (dave); the default's separation of duties. */
#define SCRATCH_POLICY \
	"version: 1\n" \
	"extends: default\n" \
	"approvals:\n" \
	"  require-signature: false\n" \
	"  groups:\n" \
	"    cab: [alice@example.com, carol@example.com]\n" \
	"    managers: [dave@example.com]\n" \
	"    emergency: [alice@example.com]\n"

/* A complete, valid normal change request of medium risk, in the state
 * given, requested by Jane, with `extra` lines at its end. */
#define SCRATCH_CR(id, state, extra) \
	"id: " id "\n" \
	"title: Rotate the TLS certificate of api.example.com\n" \
	"type: normal\n" \
	"state: " state "\n" \
	"requested-by: Jane Doe <jane@example.com>\n" \
	"owner: Bob Ops <bob@example.com>\n" \
	"reason: |\n  The current certificate expires on 2026-12-15.\n" \
	"description: |\n  Replace the certificate on both load balancers.\n" \
	"systems: [lb-01, lb-02]\n" \
	"impact: {users: 40, scope: team, downtime: 5m}\n" \
	"risk:\n" \
	"  level: medium\n" \
	"  assessment: {users-affected: 2, system-criticality: 3, security: 2, rollback-difficulty: 2, timing: 2}\n" \
	"window: {start: 2026-12-05T22:00:00Z, end: 2026-12-05T23:00:00Z}\n" \
	"implementation-plan: |\n  Upload the new certificate, switch the listener, reload.\n" \
	"rollback-plan: |\n  Switch the listener back to the old certificate.\n" \
	extra

/* Sets the author and committer git records. */
static SCRATCH_UNUSED void scratch_as(const char *name, const char *email)
{
	setenv("GIT_AUTHOR_NAME", name, 1);
	setenv("GIT_AUTHOR_EMAIL", email, 1);
	setenv("GIT_COMMITTER_NAME", name, 1);
	setenv("GIT_COMMITTER_EMAIL", email, 1);
}

/* Makes a fresh directory (under $CHG_BUILD_DIR/tests, else $TMPDIR or
 * /tmp), moves into it and isolates git.  Exits on failure. */
static SCRATCH_UNUSED void scratch_setup(const char *name)
{
	const char *base = getenv("CHG_BUILD_DIR");
	char parent[2048];

	if (base && *base)
		snprintf(parent, sizeof(parent), "%s/tests", base);
	else
		snprintf(parent, sizeof(parent), "%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	snprintf(scratch_dir, sizeof(scratch_dir), "mkdir -p '%s'", parent);
	if (system(scratch_dir) != 0)
		exit(2);
	snprintf(scratch_dir, sizeof(scratch_dir), "%s/%s.XXXXXX", parent, name);
	if (!mkdtemp(scratch_dir) || chdir(scratch_dir) < 0) {
		perror(scratch_dir);
		exit(2);
	}
	setenv("HOME", scratch_dir, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_CEILING_DIRECTORIES", scratch_dir, 1);
	setenv("GIT_AUTHOR_DATE", "2026-11-02T09:00:00Z", 1);
	setenv("GIT_COMMITTER_DATE", "2026-11-02T09:00:00Z", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	unsetenv("CHG_NOW");
	unsetenv("CHG_TRUST_ROOT");
	scratch_as("Jane Doe", "jane@example.com");
}

/* Removes the scratch directory. */
static SCRATCH_UNUSED void scratch_teardown(void)
{
	char cmd[4200];

	if (chdir("/") < 0)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# cannot remove %s\n", scratch_dir);
}

/* Writes `text` to `path` (relative to the scratch directory), making
 * its directory.  Returns 0 or -1. */
static SCRATCH_UNUSED int scratch_write(const char *path, const char *text)
{
	char cmd[4200];
	const char *slash = strrchr(path, '/');
	FILE *f;
	int error;

	if (slash) {
		snprintf(cmd, sizeof(cmd), "mkdir -p '%.*s'", (int)(slash - path), path);
		if (system(cmd) != 0)
			return -1;
	}
	if (!(f = fopen(path, "w")))
		return -1;
	error = fputs(text, f) < 0;
	return fclose(f) < 0 || error ? -1 : 0;
}

/* Runs "git ARGS" (a shell command line) in the scratch directory, its
 * output discarded.  Returns its exit status. */
static SCRATCH_UNUSED int scratch_git(const char *fmt, ...)
{
	char args[4096], cmd[4200];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "git %s >/dev/null 2>&1", args);
	rc = system(cmd);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* The output of "git ARGS", without its final newline, into `out`.
 * Returns 0 or -1. */
static SCRATCH_UNUSED int scratch_git_out(char *out, size_t size, const char *fmt, ...)
{
	char args[4096], cmd[4200];
	va_list ap;
	FILE *p;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "git %s 2>/dev/null", args);
	if (!(p = popen(cmd, "r")))
		return -1;
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	return pclose(p) == 0 ? 0 : -1;
}

/* Makes `dir` a repository with the policy above, committed by Jane. */
static SCRATCH_UNUSED int scratch_repo(const char *dir)
{
	char path[1024];

	if (scratch_git("init -q -b main '%s'", dir) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/.chg/policy.yaml", dir);
	return scratch_write(path, SCRATCH_POLICY);
}

/* Commits everything in `dir` as the current identity. */
static SCRATCH_UNUSED int scratch_commit(const char *dir, const char *message)
{
	if (scratch_git("-C '%s' add -A", dir) != 0)
		return -1;
	return scratch_git("-C '%s' commit -q --allow-empty -m '%s'", dir, message);
}

/* An empty approval (or rejection) commit in `dir` by NAME <EMAIL> for
 * `id` with `digest`: the trailers as a person would write them. */
static SCRATCH_UNUSED int scratch_review(const char *dir, const char *id, const char *digest,
					 const char *name, const char *email, int rejected)
{
	scratch_as(name, email);
	return scratch_git("-C '%s' commit -q --allow-empty -m '%s %s' -m 'Change-Request: %s\n"
			   "Change-Digest: %s\n%s: %s <%s>'", dir, rejected ? "Reject" : "Approve",
			   id, id, digest, rejected ? "Rejected-by" : "Approved-by", name, email);
}

#endif
