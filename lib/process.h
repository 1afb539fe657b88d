/*
 * process.h - running a program: the one runner for git, ssh-keygen and
 * gpg.
 *
 * A program runs without a shell, from an absolute path or found in a
 * search path as execvp(3) finds it, with the arguments, environment,
 * working directory and standard input the caller gives.  Its standard
 * output and standard error are read into buffers at the same time (with
 * poll(2), so a program that fills both pipes, or that writes before it
 * has read all of its input, does not deadlock), up to a size limit; the
 * rest is read and dropped.  A program that exits before it has read all
 * of its input does not kill the caller with SIGPIPE: the rest of the
 * input is dropped, and its exit status says what happened.  Interrupted
 * system calls are restarted.
 *
 * Ownership: nothing the caller passes is kept after the call; the output
 * buffers are the caller's (appended to, never reset).
 *
 *	const char *argv[] = { "git", "rev-parse", "HEAD", NULL };
 *	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
 *	struct chg_process_status st;
 *	opts.dir = workdir;
 *	if (chg_process_run(&st, &out, NULL, argv, &opts) == 0 && st.exited && !st.code)
 *		use(out.ptr);
 */
#ifndef CHG_PROCESS_H
#define CHG_PROCESS_H

#include <stddef.h>

#include "buf.h"

/* The search path used when none is given and PATH is unset or empty. */
#define CHG_PROCESS_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* The default limit of each captured stream, in bytes. */
#define CHG_PROCESS_OUTPUT_MAX (1024 * 1024)

struct chg_process_options {
	/*
	 * The program's whole environment: "NAME=value" strings, NULL-
	 * terminated, passed exactly as they are.  NULL: the caller's own
	 * environment (environ).
	 */
	const char *const *env;
	/*
	 * Where a program named without a '/' is looked for: a colon-
	 * separated list of directories, an empty entry meaning the current
	 * directory, as execvp(3) reads PATH.  NULL: the caller's PATH, else
	 * CHG_PROCESS_DEFAULT_PATH.  (Not taken from `env`.)
	 */
	const char *path;
	/* The working directory of the program; NULL: the caller's. */
	const char *dir;
	/* The program's standard input: `input_len` bytes.  NULL: it reads
	 * /dev/null. */
	const char *input;
	size_t input_len;
	/* The most of each of standard output and standard error that is
	 * kept, in bytes; 0: CHG_PROCESS_OUTPUT_MAX. */
	size_t output_max;
	/* 1: standard error is the caller's, not captured (its buffer must
	 * be NULL); 0: captured, or dropped when its buffer is NULL. */
	int inherit_stderr;
};

#define CHG_PROCESS_OPTIONS_INIT { NULL, NULL, NULL, NULL, 0, 0, 0 }

/* How a program ended, or why it could not be run. */
struct chg_process_status {
	int exited;    /* 1: it exited, with `code` */
	int code;      /* its exit status (0-255) when it exited; else -1 */
	int signal;    /* the signal that ended it, else 0 */
	int truncated; /* 1: some output over output_max was dropped */
	int errnum;    /* when it could not be run: the errno saying why
			  (ENOENT: not found), else 0 */
};

/*
 * Runs `argv[0]` with the arguments `argv` (NULL-terminated; argv[0] is
 * also the program's own argv[0]) as `opts` says (NULL: all defaults),
 * waits for it, and fills `out`.  A program name with a '/' is used as it
 * is (relative to the caller's working directory, not opts->dir); one
 * without is looked for in the search path (chg_process_resolve).  Its
 * standard output is appended to `out_stdout` and its standard error to
 * `out_stderr`; either may be NULL to drop the stream.  SIGPIPE is the
 * default action in the program, and its signal mask is the caller's.  No
 * file descriptor other than 0, 1 and 2 is passed to it.
 *
 * Returns 0 when the program ran (out->exited or out->signal say how it
 * ended; out_stdout and out_stderr hold what it wrote, up to the limit);
 * CHG_ENOTFOUND when the program cannot be found (out->errnum is ENOENT);
 * CHG_ERROR when it could not be run: not executable, the directory cannot
 * be entered, no process or pipe could be made (out->errnum says why);
 * CHG_ENOMEM.
 */
int chg_process_run(struct chg_process_status *out, struct chg_buf *out_stdout,
		    struct chg_buf *out_stderr, const char *const *argv,
		    const struct chg_process_options *opts);

/*
 * Finds the program `prog` as chg_process_run would and sets `out` to its
 * absolute path: a name with a '/' is made absolute (realpath(3)); one
 * without is the first regular, executable file of that name in `path`
 * (NULL: the caller's PATH, else CHG_PROCESS_DEFAULT_PATH).  Returns 0;
 * CHG_ENOTFOUND (`out` is empty); CHG_ENOMEM.
 */
int chg_process_resolve(struct chg_buf *out, const char *prog, const char *path);

#endif
