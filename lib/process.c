#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "banned.h"

#if (defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))) || \
    defined(__FreeBSD__) || defined(__OpenBSD__)
#define HAVE_CLOSEFROM 1
#endif

extern char **environ;

/* What is read or written at a time, in bytes. */
#define CHUNK (64 * 1024)

int chg_process_resolve(struct chg_buf *out, const char *prog, const char *path)
{
	const char *p, *end;
	char resolved[PATH_MAX];
	struct stat st;

	chg_buf_clear(out);
	if (!prog || !*prog)
		return CHG_ENOTFOUND;
	if (strchr(prog, '/')) {
		if (!realpath(prog, resolved))
			return CHG_ENOTFOUND;
		return chg_buf_puts(out, resolved);
	}
	if (!path)
		path = getenv("PATH");
	if (!path || !*path)
		path = CHG_PROCESS_DEFAULT_PATH;
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		chg_buf_clear(out);
		if (chg_buf_printf(out, "%.*s%s%s", (int)(end - p), p,
				   end > p ? "/" : "./", prog) < 0)
			return CHG_ENOMEM;
		if (stat(out->ptr, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(out->ptr, X_OK) == 0) {
			if (out->ptr[0] == '/')
				return 0;
			if (!realpath(out->ptr, resolved))
				break;
			chg_buf_clear(out);
			return chg_buf_puts(out, resolved);
		}
		if (!*end)
			break;
	}
	chg_buf_clear(out);
	return CHG_ENOTFOUND;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Makes `fd` close-on-exec and never 0, 1 or 2 (those are the child's
 * own); closes it on failure.  Returns the descriptor or -1. */
static int fd_high(int fd)
{
	int high, e;

	if (fd < 0)
		return -1;
	if (fd > 2) {
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) == 0)
			return fd;
		high = -1;
	} else {
		high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	}
	e = errno;
	close(fd);
	errno = e;
	return high;
}

static int make_pipe(int fds[2])
{
	int p[2];

	fds[0] = fds[1] = -1;
	if (pipe(p) < 0)
		return -1;
	fds[0] = fd_high(p[0]);
	fds[1] = fd_high(p[1]);
	if (fds[0] < 0 || fds[1] < 0) {
		int e = errno;
		close_fd(&fds[0]);
		close_fd(&fds[1]);
		errno = e;
		return -1;
	}
	return 0;
}

static int open_null(int flags)
{
	return fd_high(open("/dev/null", flags | O_CLOEXEC));
}

struct child {
	const char *exe;
	char *const *argv;
	char *const *env;
	const char *dir;
	int in, out, err;  /* its 0, 1 and 2; err -1: the caller's */
	int report;        /* where it writes errno when it cannot run */
	int fd_max;        /* the descriptors to close, without closefrom */
	const sigset_t *mask;
};

/* In the child: only async-signal-safe calls. */
static void run_child(const struct child *c)
{
	struct sigaction dfl;
	int e, fd, report = c->report;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	if (sigaction(SIGPIPE, &dfl, NULL) < 0 ||
	    dup2(c->in, 0) < 0 || dup2(c->out, 1) < 0 ||
	    (c->err >= 0 && dup2(c->err, 2) < 0))
		goto fail;
	if (c->dir && chdir(c->dir) < 0)
		goto fail;
	if (report != 3) {
		if (dup2(report, 3) < 0)
			goto fail;
		report = 3;
	}
	if (fcntl(report, F_SETFD, FD_CLOEXEC) < 0)
		goto fail;
#ifdef HAVE_CLOSEFROM
	closefrom(4);
#else
	for (fd = 4; fd < c->fd_max; fd++)
		close(fd);
#endif
	(void)fd;
	if (sigprocmask(SIG_SETMASK, c->mask, NULL) < 0)
		goto fail;
	execve(c->exe, c->argv, c->env);
fail:
	e = errno;
	while (write(report, &e, sizeof(e)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* Reads what is there of `*fd` into `buf` (NULL: dropped) up to `max`
 * bytes, closing it at its end.  Returns 0 or CHG_ENOMEM (the rest is
 * still read and dropped). */
static int drain(int *fd, struct chg_buf *buf, size_t max, int *truncated,
		 char *chunk)
{
	ssize_t n = read(*fd, chunk, CHUNK);
	size_t keep;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		close_fd(fd);
		return 0;
	}
	keep = (size_t)n;
	if (!buf)
		return 0;
	if (buf->len >= max) {
		*truncated = 1;
		return 0;
	}
	if (keep > max - buf->len) {
		keep = max - buf->len;
		*truncated = 1;
	}
	return chg_buf_put(buf, chunk, keep);
}

/* Writes what it can of the input; closes `*fd` when all is written or
 * the program no longer reads it. */
static void feed(int *fd, const char *input, size_t len, size_t *done)
{
	size_t want = len - *done;
	ssize_t n;

	if (want > CHUNK)
		want = CHUNK;
	n = want ? write(*fd, input + *done, want) : 0;
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) {
		close_fd(fd);  /* EPIPE: it exited or closed its input */
		return;
	}
	*done += (size_t)n;
	if (*done >= len)
		close_fd(fd);
}

/* Moves the output of the program through its pipes until both end. */
static int pump(struct chg_process_status *out, int *in, int *o, int *e,
		struct chg_buf *out_stdout, struct chg_buf *out_stderr,
		const struct chg_process_options *opts)
{
	size_t max = opts->output_max ? opts->output_max : CHG_PROCESS_OUTPUT_MAX;
	size_t done = 0;
	char *chunk;
	int error = 0, rc;

	if (!(chunk = malloc(CHUNK)))
		error = CHG_ENOMEM;
	if (*in >= 0 && fcntl(*in, F_SETFL, fcntl(*in, F_GETFL) | O_NONBLOCK) < 0)
		close_fd(in);
	if (*in >= 0 && !opts->input_len)
		close_fd(in);
	while (*in >= 0 || *o >= 0 || *e >= 0) {
		struct pollfd p[3];
		nfds_t n = 0;
		int pi = -1, po = -1, pe = -1;

		if (*in >= 0) {
			pi = (int)n;
			p[n].fd = *in;
			p[n++].events = POLLOUT;
		}
		if (*o >= 0) {
			po = (int)n;
			p[n].fd = *o;
			p[n++].events = POLLIN;
		}
		if (*e >= 0) {
			pe = (int)n;
			p[n].fd = *e;
			p[n++].events = POLLIN;
		}
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* cannot wait for it: stop listening, it gets EPIPE */
			close_fd(in);
			close_fd(o);
			close_fd(e);
			break;
		}
		if (pi >= 0 && p[pi].revents)
			feed(in, opts->input, opts->input_len, &done);
		if (po >= 0 && p[po].revents) {
			if (!chunk) {
				close_fd(o);
			} else if ((rc = drain(o, out_stdout, max, &out->truncated, chunk)) < 0) {
				error = rc;
				out_stdout = NULL;
			}
		}
		if (pe >= 0 && p[pe].revents) {
			if (!chunk) {
				close_fd(e);
			} else if ((rc = drain(e, out_stderr, max, &out->truncated, chunk)) < 0) {
				error = rc;
				out_stderr = NULL;
			}
		}
	}
	free(chunk);
	return error;
}

static int wait_for(pid_t pid, int *ws)
{
	while (waitpid(pid, ws, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* The SIGPIPE a write to a closed pipe raised while it was blocked, taken
 * back: unless one was pending before, none is left behind. */
static void drop_sigpipe(const sigset_t *pipe_set, int was_pending)
{
	struct timespec zero = { 0, 0 };
	sigset_t pending;

	if (was_pending || sigpending(&pending) < 0 ||
	    !sigismember(&pending, SIGPIPE))
		return;
	while (sigtimedwait(pipe_set, NULL, &zero) < 0 && errno == EINTR)
		;
}

int chg_process_run(struct chg_process_status *out, struct chg_buf *out_stdout,
		    struct chg_buf *out_stderr, const char *const *argv,
		    const struct chg_process_options *opts)
{
	struct chg_process_options defaults = CHG_PROCESS_OPTIONS_INIT;
	struct chg_buf exe = CHG_BUF_INIT;
	int in[2] = { -1, -1 }, o[2] = { -1, -1 }, e[2] = { -1, -1 };
	int report[2] = { -1, -1 };
	sigset_t pipe_set, old, pending;
	struct child c;
	int error, ws, child_errno, was_pending = 0, blocked = 0;
	ssize_t got;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	out->code = -1;
	if (!opts)
		opts = &defaults;
	if (!argv || !argv[0])
		return CHG_ERROR;
	if ((error = chg_process_resolve(&exe, argv[0], opts->path)) < 0) {
		if (error == CHG_ENOTFOUND)
			out->errnum = ENOENT;
		goto cleanup;
	}

	if ((opts->input ? make_pipe(in) : (in[0] = open_null(O_RDONLY))) < 0 ||
	    (out_stdout ? make_pipe(o) : (o[1] = open_null(O_WRONLY))) < 0 ||
	    (opts->inherit_stderr ? 0 :
	     out_stderr ? make_pipe(e) : (e[1] = open_null(O_WRONLY))) < 0 ||
	    make_pipe(report) < 0)
		goto failed;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if (pthread_sigmask(SIG_BLOCK, &pipe_set, &old) != 0)
		goto failed;
	blocked = 1;
	was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);

	c.exe = exe.ptr;
	c.argv = (char *const *)argv;
	c.env = opts->env ? (char *const *)opts->env : environ;
	c.dir = opts->dir;
	c.in = in[0];
	c.out = o[1];
	c.err = e[1];
	c.report = report[1];
	c.fd_max = (int)sysconf(_SC_OPEN_MAX);
	if (c.fd_max < 0 || c.fd_max > 65536)
		c.fd_max = 65536;
	c.mask = &old;
	if ((pid = fork()) < 0)
		goto failed;
	if (pid == 0)
		run_child(&c);

	close_fd(&in[0]);
	close_fd(&o[1]);
	close_fd(&e[1]);
	close_fd(&report[1]);
	while ((got = read(report[0], &child_errno, sizeof(child_errno))) < 0 &&
	       errno == EINTR)
		;
	close_fd(&report[0]);
	if (got == (ssize_t)sizeof(child_errno)) {
		/* it never ran: nothing to read or feed */
		close_fd(&in[1]);
		close_fd(&o[0]);
		close_fd(&e[0]);
		wait_for(pid, &ws);
		out->errnum = child_errno;
		error = CHG_ERROR;
		goto cleanup;
	}

	error = pump(out, &in[1], &o[0], &e[0], out_stdout, out_stderr, opts);
	if (wait_for(pid, &ws) < 0) {
		out->errnum = errno;
		error = error ? error : CHG_ERROR;
		goto cleanup;
	}
	if (WIFEXITED(ws)) {
		out->exited = 1;
		out->code = WEXITSTATUS(ws);
	} else if (WIFSIGNALED(ws)) {
		out->signal = WTERMSIG(ws);
	}
	goto cleanup;

failed:
	out->errnum = errno;
	error = CHG_ERROR;
cleanup:
	if (blocked) {
		drop_sigpipe(&pipe_set, was_pending);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&o[0]);
	close_fd(&o[1]);
	close_fd(&e[0]);
	close_fd(&e[1]);
	close_fd(&report[0]);
	close_fd(&report[1]);
	chg_buf_release(&exe);
	return error;
}
