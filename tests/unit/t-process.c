/*
 * t-process.c - the program runner (lib/process.h): exit statuses and
 * signals, the input fed, large outputs on both streams at once, limits,
 * a program that stops reading, programs that cannot run, the
 * environment, directory and descriptors a program gets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "error.h"
#include "process.h"
#include "banned.h"

static struct chg_buf out = CHG_BUF_INIT, err = CHG_BUF_INIT;

static int setup(void **state)
{
	(void)state;
	chg_buf_clear(&out);
	chg_buf_clear(&err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	chg_buf_release(&out);
	chg_buf_release(&err);
	return 0;
}

/* Runs the shell command `script`. */
static int sh(struct chg_process_status *st, const char *script,
	      const struct chg_process_options *opts)
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };

	return chg_process_run(st, &out, &err, argv, opts);
}

static void test_exit_status(void **state)
{
	struct chg_process_status st;
	const char *t[] = { "true", NULL }, *f[] = { "false", NULL };

	(void)state;
	assert_int_equal(sh(&st, "exit 3", NULL), 0);
	assert_int_equal(st.exited, 1);
	assert_int_equal(st.code, 3);
	assert_int_equal(st.signal, 0);
	assert_int_equal(sh(&st, "exit 255", NULL), 0);
	assert_int_equal(st.code, 255);
	/* found in the search path */
	assert_int_equal(chg_process_run(&st, NULL, NULL, t, NULL), 0);
	assert_int_equal(st.exited, 1);
	assert_int_equal(st.code, 0);
	assert_int_equal(chg_process_run(&st, NULL, NULL, f, NULL), 0);
	assert_int_equal(st.code, 1);
	/* a program that exits 127 ran: it is not "cannot run" */
	assert_int_equal(sh(&st, "exit 127", NULL), 0);
	assert_int_equal(st.exited, 1);
	assert_int_equal(st.code, 127);
	assert_int_equal(st.errnum, 0);
}

static void test_signal(void **state)
{
	struct chg_process_status st;

	(void)state;
	assert_int_equal(sh(&st, "echo before; kill -TERM $$; echo after", NULL), 0);
	assert_int_equal(st.exited, 0);
	assert_int_equal(st.signal, SIGTERM);
	assert_int_equal(st.code, -1);
	assert_string_equal(out.ptr, "before\n");
	assert_int_equal(sh(&st, "kill -KILL $$", NULL), 0);
	assert_int_equal(st.signal, SIGKILL);
}

static void test_stdin(void **state)
{
	static const char bytes[] = "line one\n\0binary\xff\nend";
	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
	struct chg_process_status st;
	const char *cat[] = { "cat", NULL };

	(void)state;
	opts.input = bytes;
	opts.input_len = sizeof(bytes) - 1;
	assert_int_equal(chg_process_run(&st, &out, &err, cat, &opts), 0);
	assert_int_equal(st.code, 0);
	assert_int_equal(out.len, sizeof(bytes) - 1);
	assert_memory_equal(out.ptr, bytes, sizeof(bytes) - 1);

	/* no input: it reads an empty file, it does not wait */
	chg_buf_clear(&out);
	assert_int_equal(chg_process_run(&st, &out, &err, cat, NULL), 0);
	assert_int_equal(st.code, 0);
	assert_int_equal(out.len, 0);

	/* an empty input */
	opts.input = "";
	opts.input_len = 0;
	assert_int_equal(sh(&st, "wc -c", &opts), 0);
	assert_int_equal(atoi(out.ptr), 0);
}

/* Megabytes through cat: it writes while it is fed, so the input and
 * the output must move at the same time. */
static void test_big_input_and_output(void **state)
{
	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
	struct chg_process_status st;
	const char *cat[] = { "cat", NULL };
	size_t len = 4 * 1024 * 1024, i;
	char *big = malloc(len);

	(void)state;
	assert_non_null(big);
	for (i = 0; i < len; i++)
		big[i] = (char)(i * 7 + i / 4096);
	opts.input = big;
	opts.input_len = len;
	opts.output_max = 8 * 1024 * 1024;
	assert_int_equal(chg_process_run(&st, &out, &err, cat, &opts), 0);
	assert_int_equal(st.code, 0);
	assert_int_equal(st.truncated, 0);
	assert_int_equal(out.len, len);
	assert_memory_equal(out.ptr, big, len);
	free(big);
}

/* Both pipes filled far beyond their capacity, stderr first: read one
 * after the other, this would never end. */
static void test_big_output_on_both_streams(void **state)
{
	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
	struct chg_process_status st;

	(void)state;
	opts.output_max = 4 * 1024 * 1024;
	assert_int_equal(sh(&st, "head -c 3000000 /dev/zero >&2; head -c 2000000 /dev/zero; "
			    "head -c 1000000 /dev/zero >&2; exit 4", &opts), 0);
	assert_int_equal(st.exited, 1);
	assert_int_equal(st.code, 4);
	assert_int_equal(out.len, 2000000);
	assert_int_equal(err.len, 4000000);
	assert_int_equal(st.truncated, 0);
}

/* Over the limit, the rest is read and dropped: the program is not
 * stopped by a full pipe or killed by SIGPIPE. */
static void test_output_limit(void **state)
{
	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
	struct chg_process_status st;

	(void)state;
	opts.output_max = 100;
	assert_int_equal(sh(&st, "head -c 1000000 /dev/zero; echo done >&2", &opts), 0);
	assert_int_equal(st.exited, 1);
	assert_int_equal(st.code, 0);
	assert_int_equal(out.len, 100);
	assert_int_equal(st.truncated, 1);
	assert_string_equal(err.ptr, "done\n");

	/* the default limit */
	chg_buf_clear(&out);
	chg_buf_clear(&err);
	assert_int_equal(sh(&st, "head -c 2000000 /dev/zero", NULL), 0);
	assert_int_equal(out.len, CHG_PROCESS_OUTPUT_MAX);
	assert_int_equal(st.truncated, 1);

	/* NULL buffers: dropped */
	chg_buf_clear(&out);
	{
		const char *argv[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 5", NULL };
		assert_int_equal(chg_process_run(&st, NULL, NULL, argv, NULL), 0);
		assert_int_equal(st.code, 5);
		assert_int_equal(out.len, 0);
	}
}

/* A program that exits without reading its input: the caller lives on,
 * with no SIGPIPE left pending, and the program's status is its own. */
static void test_input_not_read(void **state)
{
	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
	struct chg_process_status st;
	const char *t[] = { "true", NULL };
	size_t len = 8 * 1024 * 1024;
	char *big = calloc(1, len);
	sigset_t pending;

	(void)state;
	assert_non_null(big);
	opts.input = big;
	opts.input_len = len;
	assert_int_equal(chg_process_run(&st, &out, &err, t, &opts), 0);
	assert_int_equal(st.exited, 1);
	assert_int_equal(st.code, 0);
	/* reads a little, then closes its input and goes on */
	assert_int_equal(sh(&st, "head -c 10 >/dev/null; exec 0<&-; sleep 0.1; echo still here", &opts), 0);
	assert_int_equal(st.code, 0);
	assert_string_equal(out.ptr, "still here\n");
	assert_int_equal(sigpending(&pending), 0);
	assert_int_equal(sigismember(&pending, SIGPIPE), 0);
	free(big);
}

static void test_cannot_run(void **state)
{
	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
	struct chg_process_status st;
	const char *missing[] = { "no-such-program-chg", NULL };
	const char *missing_path[] = { "/nonexistent/program", NULL };
	char dir[] = "/tmp/t-process.XXXXXX", file[64];
	const char *plain[] = { file, NULL };
	const char *t[] = { "true", NULL };
	FILE *f;

	(void)state;
	assert_int_equal(chg_process_run(&st, &out, &err, missing, NULL), CHG_ENOTFOUND);
	assert_int_equal(st.errnum, ENOENT);
	assert_int_equal(st.exited, 0);
	assert_int_equal(chg_process_run(&st, &out, &err, missing_path, NULL), CHG_ENOTFOUND);
	assert_int_equal(st.errnum, ENOENT);

	/* a file that cannot be executed: exec says why */
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/not-executable", dir);
	assert_non_null(f = fopen(file, "w"));
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	assert_int_equal(chmod(file, 0644), 0);
	assert_int_equal(chg_process_run(&st, &out, &err, plain, NULL), CHG_ERROR);
	assert_int_equal(st.errnum, EACCES);
	assert_int_equal(st.exited, 0);
	unlink(file);
	rmdir(dir);

	/* a directory that cannot be entered */
	opts.dir = "/nonexistent/dir";
	assert_int_equal(chg_process_run(&st, &out, &err, t, &opts), CHG_ERROR);
	assert_int_equal(st.errnum, ENOENT);

	/* a search path without it */
	opts.dir = NULL;
	opts.path = "/nonexistent";
	assert_int_equal(chg_process_run(&st, &out, &err, t, &opts), CHG_ENOTFOUND);
	opts.path = "/nonexistent::/usr/bin:/bin";
	assert_int_equal(chg_process_run(&st, &out, &err, t, &opts), 0);
	assert_int_equal(st.code, 0);
}

static void test_resolve(void **state)
{
	struct chg_buf b = CHG_BUF_INIT;

	(void)state;
	assert_int_equal(chg_process_resolve(&b, "sh", "/nonexistent:/bin"), 0);
	assert_true(b.ptr[0] == '/');
	assert_non_null(strstr(b.ptr, "sh"));
	assert_int_equal(chg_process_resolve(&b, "sh", "/nonexistent"), CHG_ENOTFOUND);
	assert_int_equal(b.len, 0);
	assert_int_equal(chg_process_resolve(&b, "/bin/sh", NULL), 0);
	assert_int_equal(chg_process_resolve(&b, "", NULL), CHG_ENOTFOUND);
	/* a directory is not a program */
	assert_int_equal(chg_process_resolve(&b, "bin", "/"), CHG_ENOTFOUND);
	chg_buf_release(&b);
}

/* The environment is exactly the one given; NULL is the caller's. */
static void test_environment(void **state)
{
	const char *env[] = { "A=1", "B=two words", "EMPTY=", NULL };
	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
	struct chg_process_status st;
	struct chg_buf envprog = CHG_BUF_INIT;
	const char *argv[] = { NULL, NULL };

	(void)state;
	assert_int_equal(chg_process_resolve(&envprog, "env", NULL), 0);
	argv[0] = envprog.ptr;
	opts.env = env;
	assert_int_equal(chg_process_run(&st, &out, &err, argv, &opts), 0);
	assert_int_equal(st.code, 0);
	assert_string_equal(out.ptr, "A=1\nB=two words\nEMPTY=\n");

	/* an empty environment */
	{
		const char *none[] = { NULL };
		opts.env = none;
		chg_buf_clear(&out);
		assert_int_equal(chg_process_run(&st, &out, &err, argv, &opts), 0);
		assert_string_equal(out.ptr, "");
	}

	/* inherited */
	assert_int_equal(setenv("CHG_T_PROCESS", "inherited value", 1), 0);
	chg_buf_clear(&out);
	assert_int_equal(chg_process_run(&st, &out, &err, argv, NULL), 0);
	assert_non_null(strstr(out.ptr, "\nCHG_T_PROCESS=inherited value\n"));
	unsetenv("CHG_T_PROCESS");
	chg_buf_release(&envprog);
}

static void test_directory(void **state)
{
	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
	struct chg_process_status st;
	const char *pwd[] = { "pwd", NULL };

	(void)state;
	opts.dir = "/";
	assert_int_equal(chg_process_run(&st, &out, &err, pwd, &opts), 0);
	assert_string_equal(out.ptr, "/\n");
}

/* Only 0, 1 and 2 reach the program, whatever the caller has open. */
static void test_descriptors(void **state)
{
	struct chg_process_status st;
	int fd = open("/dev/null", O_RDONLY);  /* not close-on-exec */

	(void)state;
	assert_true(fd > 2);
	assert_int_equal(sh(&st, "ls /proc/$$/fd", NULL), 0);
	close(fd);
	assert_int_equal(st.code, 0);
	assert_string_equal(out.ptr, "0\n1\n2\n");
}

/* What chg-approve needs: git from PATH, in a directory, fed stdin, its
 * stdout captured, with the caller's environment. */
static void test_git(void **state)
{
	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
	struct chg_process_status st;
	const char *argv[] = { "git", "hash-object", "--stdin", NULL };

	(void)state;
	opts.dir = "/";
	opts.input = "hello\n";
	opts.input_len = 6;
	opts.inherit_stderr = 1;
	assert_int_equal(chg_process_run(&st, &out, NULL, argv, &opts), 0);
	assert_int_equal(st.code, 0);
	assert_string_equal(out.ptr, "ce013625030ba8dba906f756967f9e9ca394464a\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_exit_status, setup),
		cmocka_unit_test_setup(test_signal, setup),
		cmocka_unit_test_setup(test_stdin, setup),
		cmocka_unit_test_setup(test_big_input_and_output, setup),
		cmocka_unit_test_setup(test_big_output_on_both_streams, setup),
		cmocka_unit_test_setup(test_output_limit, setup),
		cmocka_unit_test_setup(test_input_not_read, setup),
		cmocka_unit_test_setup(test_cannot_run, setup),
		cmocka_unit_test_setup(test_resolve, setup),
		cmocka_unit_test_setup(test_environment, setup),
		cmocka_unit_test_setup(test_directory, setup),
		cmocka_unit_test_setup(test_descriptors, setup),
		cmocka_unit_test_setup(test_git, setup),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, teardown);
}
