#include "signature.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "buf.h"
#include "error.h"
#include "process.h"
#include "sshsig.h"
#include "banned.h"

/* The most of a program's output that is read, in bytes. */
#define OUTPUT_MAX (64 * 1024)

#define SSH_ARMOR "-----BEGIN SSH SIGNATURE-----"
#define PGP_ARMOR "-----BEGIN PGP SIGNATURE-----"
#define X509_ARMOR "-----BEGIN SIGNED MESSAGE-----"

struct chg_signature_verifier {
	char *ssh_keygen;        /* the programs as given */
	char *gpg;
	char *tmpdir;            /* where to make it; NULL: the default */
	int ssh_keygen_only;     /* no SSH signature in the process */
	char *dir;               /* the private directory, absolute; NULL
				    until the first verification */
	char *env[6];            /* the programs' whole environment */
	struct chg_buf out, err; /* the last run's stdout and stderr */
	struct chg_buf why;      /* why the last run could not start */
	struct chg_buf allowed;  /* what dir/allowed_signers holds */
	int have_allowed;
	struct chg_buf keys;     /* what dir/gnupg was made from */
	int have_keys;
	/* chg_signature_verifier_set_revoked's revocations and origin */
	struct chg_buf revoked_more, revoked_more_origin;
	int have_revoked_more;
	/* the allowed signers as parsed for sshsig.c, and their text */
	struct chg_sshsig_signers *signers;
	struct chg_buf signers_text;
	int ssh_keygen_found;    /* 0 not yet looked for, 1 found, -1 not */
	const char *data;        /* the signed data, for ssh-keygen's stdin;
				    borrowed during chg_signature_verify */
	size_t data_len;
	/* the verdict cache: in memory (a hash table, cache_alloc a power
	 * of two), and on disk when cache_on, for the repository whose
	 * common directory is cache_repo */
	struct cached *cache;
	size_t cache_n, cache_alloc;
	char *cache_repo;
	int cache_on;
	char *cache_dir;         /* $GIT_DIR/chg/signatures */
	unsigned char cache_key[32];
};

static void cache_free(struct chg_signature_verifier *v);

/* ---- files in the private directory ---- */

static int path_in(struct chg_buf *b, const struct chg_signature_verifier *v,
		   const char *name)
{
	chg_buf_clear(b);
	return chg_buf_printf(b, "%s/%s", v->dir, name);
}

/* Removes `path` and, for a directory, everything under it; symbolic
 * links are removed, never followed. */
static void remove_tree(const char *path, int depth)
{
	struct chg_buf sub = CHG_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *dir;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	if (depth < 16 && (dir = opendir(path))) {
		while ((de = readdir(dir))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			chg_buf_clear(&sub);
			if (chg_buf_printf(&sub, "%s/%s", path, de->d_name) == 0)
				remove_tree(sub.ptr, depth + 1);
		}
		closedir(dir);
	}
	chg_buf_release(&sub);
	rmdir(path);
}

static int write_file(struct chg_signature_verifier *v, const char *name,
		      const char *data, size_t len)
{
	struct chg_buf path = CHG_BUF_INIT;
	int fd, error = 0;

	if (path_in(&path, v, name) < 0)
		return CHG_ENOMEM;
	fd = open(path.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	chg_buf_release(&path);
	if (fd < 0)
		return CHG_EIO;
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error = CHG_EIO;
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0 && !error)
		error = CHG_EIO;
	return error;
}

/* ---- running a program ---- */

/*
 * Runs `prog` with `args` (NULL-terminated) in the private directory with
 * the programs' environment, its stdin the signed data when `feed` (else
 * /dev/null), its stdout and stderr read into v->out and v->err.
 * *status is its exit status.  Returns 0; CHG_ENOMEM; CHG_ERROR when it
 * could not be run or did not exit (v->why says why).
 */
static int run(struct chg_signature_verifier *v, int *status, const char *prog,
	       const char *const *args, int feed)
{
	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
	struct chg_process_status st;
	const char *argv[24];
	size_t i, n = 0;
	int error;

	chg_buf_clear(&v->why);
	chg_buf_clear(&v->out);
	chg_buf_clear(&v->err);
	*status = -1;
	argv[n++] = prog;
	for (i = 0; args[i] && n + 1 < sizeof(argv) / sizeof(*argv); i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	opts.env = (const char *const *)v->env;
	opts.dir = v->dir;
	opts.output_max = OUTPUT_MAX;
	if (feed) {
		opts.input = v->data ? v->data : "";
		opts.input_len = v->data_len;
	}
	error = chg_process_run(&st, &v->out, &v->err, argv, &opts);
	if (error == CHG_ENOTFOUND)
		return chg_buf_printf(&v->why, "cannot run '%s': not found", prog) < 0 ?
			CHG_ENOMEM : CHG_ERROR;
	if (error == CHG_ERROR)
		return chg_buf_printf(&v->why, "cannot run '%s': %s", prog,
				      strerror(st.errnum)) < 0 ? CHG_ENOMEM : CHG_ERROR;
	if (error < 0)
		return error;
	if (!st.exited)
		return chg_buf_printf(&v->why, "'%s' was killed by signal %d", prog,
				      st.signal) < 0 ? CHG_ENOMEM : CHG_ERROR;
	*status = st.code;
	return 0;
}

/* ---- the verifier ---- */

int chg_signature_verifier_new(struct chg_signature_verifier **out,
			       const struct chg_signature_options *opts)
{
	struct chg_signature_options defaults = CHG_SIGNATURE_OPTIONS_INIT;
	struct chg_signature_verifier *v;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (!(v = calloc(1, sizeof(*v))))
		return CHG_ENOMEM;
	chg_buf_init(&v->out);
	chg_buf_init(&v->err);
	chg_buf_init(&v->why);
	chg_buf_init(&v->allowed);
	chg_buf_init(&v->keys);
	chg_buf_init(&v->revoked_more);
	chg_buf_init(&v->revoked_more_origin);
	chg_buf_init(&v->signers_text);
	if (!(v->ssh_keygen = strdup(opts->ssh_keygen ? opts->ssh_keygen : "ssh-keygen")) ||
	    !(v->gpg = strdup(opts->gpg ? opts->gpg : "gpg")) ||
	    (opts->tmpdir && !(v->tmpdir = strdup(opts->tmpdir)))) {
		chg_signature_verifier_free(v);
		return CHG_ENOMEM;
	}
	v->ssh_keygen_only = opts->ssh_keygen_only;
	*out = v;
	return 0;
}

/*
 * Makes the private directory and the programs' environment, once.
 * Returns 0, CHG_ENOMEM, or CHG_ERROR (v->why says why).
 */
static int setup(struct chg_signature_verifier *v)
{
	struct chg_buf b = CHG_BUF_INIT;
	char resolved[PATH_MAX];
	const char *tmp = v->tmpdir, *path = getenv("PATH");
	int e;

	if (v->dir)
		return 0;
	if (!tmp || !*tmp)
		tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (chg_buf_printf(&b, "%s/chg-signature.XXXXXX", tmp) < 0)
		goto nomem;
	if (!mkdtemp(b.ptr) || !realpath(b.ptr, resolved)) {
		e = errno;
		chg_buf_release(&b);
		chg_buf_clear(&v->why);
		return chg_buf_printf(&v->why, "cannot make a private directory in '%s': %s",
				      tmp, strerror(e)) < 0 ? CHG_ENOMEM : CHG_ERROR;
	}
	if (!(v->dir = strdup(resolved))) {
		remove_tree(b.ptr, 0);
		goto nomem;
	}
	chg_buf_clear(&b);
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	if (chg_buf_printf(&b, "PATH=%s", path) < 0 || !(v->env[0] = chg_buf_detach(&b)) ||
	    chg_buf_printf(&b, "HOME=%s", v->dir) < 0 || !(v->env[1] = chg_buf_detach(&b)) ||
	    chg_buf_printf(&b, "GNUPGHOME=%s/gnupg", v->dir) < 0 || !(v->env[2] = chg_buf_detach(&b)) ||
	    !(v->env[3] = strdup("LC_ALL=C")) || !(v->env[4] = strdup("TZ=UTC")))
		goto nomem;
	return 0;
nomem:
	chg_buf_release(&b);
	return CHG_ENOMEM;
}

void chg_signature_verifier_free(struct chg_signature_verifier *v)
{
	size_t i;

	if (!v)
		return;
	if (v->dir)
		remove_tree(v->dir, 0);
	free(v->dir);
	free(v->tmpdir);
	free(v->ssh_keygen);
	free(v->gpg);
	for (i = 0; i < sizeof(v->env) / sizeof(*v->env); i++)
		free(v->env[i]);
	chg_buf_release(&v->out);
	chg_buf_release(&v->err);
	chg_buf_release(&v->why);
	chg_buf_release(&v->allowed);
	chg_buf_release(&v->keys);
	chg_buf_release(&v->revoked_more);
	chg_buf_release(&v->revoked_more_origin);
	chg_sshsig_signers_free(v->signers);
	chg_buf_release(&v->signers_text);
	cache_free(v);
	free(v->cache_repo);
	free(v->cache_dir);
	OPENSSL_cleanse(v->cache_key, sizeof(v->cache_key));
	free(v);
}

int chg_signature_verifier_set_revoked(struct chg_signature_verifier *v,
				       const char *revoked, size_t len,
				       const char *origin)
{
	chg_buf_clear(&v->revoked_more);
	chg_buf_clear(&v->revoked_more_origin);
	v->have_revoked_more = 0;
	if (!revoked)
		return 0;
	if (chg_buf_put(&v->revoked_more, revoked, len) < 0 ||
	    chg_buf_puts(&v->revoked_more_origin, origin ? origin : "the evaluated revision") < 0)
		return CHG_ENOMEM;
	v->have_revoked_more = 1;
	return 0;
}

/* ---- results ---- */

enum chg_signature_kind chg_signature_kind(const char *sig, size_t len)
{
	static const struct { const char *armor; enum chg_signature_kind kind; } kinds[] = {
		{ SSH_ARMOR, CHG_SIGNATURE_SSH },
		{ PGP_ARMOR, CHG_SIGNATURE_OPENPGP },
		{ X509_ARMOR, CHG_SIGNATURE_X509 },
	};
	size_t i;

	if (!sig || !len)
		return CHG_SIGNATURE_NONE;
	for (i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		size_t n = strlen(kinds[i].armor);
		if (len >= n && !memcmp(sig, kinds[i].armor, n) &&
		    (len == n || sig[n] == '\n' || sig[n] == '\r'))
			return kinds[i].kind;
	}
	return CHG_SIGNATURE_OTHER;
}

const char *chg_signature_kind_name(enum chg_signature_kind kind)
{
	switch (kind) {
	case CHG_SIGNATURE_NONE: return "no";
	case CHG_SIGNATURE_SSH: return "SSH";
	case CHG_SIGNATURE_OPENPGP: return "OpenPGP";
	case CHG_SIGNATURE_X509: return "X.509";
	case CHG_SIGNATURE_OTHER: break;
	}
	return "unknown";
}

int chg_signature_has_principal(const struct chg_signature_result *r,
				const char *email)
{
	size_t i;

	if (!r || !email || r->verdict != CHG_SIGNATURE_GOOD)
		return 0;
	for (i = 0; i < r->principals.n; i++)
		if (!strcasecmp(r->principals.items[i], email))
			return 1;
	return 0;
}

void chg_signature_result_release(struct chg_signature_result *r)
{
	if (!r)
		return;
	chg_strlist_release(&r->principals);
	free(r->key);
	free(r->detail);
	r->verdict = CHG_SIGNATURE_ERROR;
	r->kind = CHG_SIGNATURE_NONE;
	r->key = NULL;
	r->detail = NULL;
}

static void result_init(struct chg_signature_result *r)
{
	struct chg_signature_result init = CHG_SIGNATURE_RESULT_INIT;

	*r = init;
}

/* Sets the verdict and the detail (printf-formatted). */
__attribute__((format(printf, 3, 4)))
static int verdict(struct chg_signature_result *r, enum chg_signature_verdict v,
		   const char *fmt, ...)
{
	struct chg_buf b = CHG_BUF_INIT;
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = chg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (error < 0) {
		chg_buf_release(&b);
		return CHG_ENOMEM;
	}
	free(r->detail);
	r->verdict = v;
	if (!(r->detail = chg_buf_detach(&b)))
		return CHG_ENOMEM;
	return 0;
}

/* For a program that could not be run (error is CHG_ERROR): the verdict
 * error; other codes are passed up. */
static int tool_failed(struct chg_signature_result *r,
		       struct chg_signature_verifier *v, int error)
{
	if (error != CHG_ERROR)
		return error;
	return verdict(r, CHG_SIGNATURE_ERROR,
		       "its signature could not be verified: %s", v->why.ptr);
}

/* The first line of `b` that is not empty and not `skip`, without its
 * newline, into `out`. */
static int first_line(struct chg_buf *out, const struct chg_buf *b,
		      const char *skip)
{
	const char *p = b->ptr, *end;

	chg_buf_clear(out);
	while (*p) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if (end > p && !(skip && (size_t)(end - p) == strlen(skip) &&
				 !memcmp(p, skip, (size_t)(end - p)))) {
			size_t len = (size_t)(end - p);
			if (len && p[len - 1] == '\r')
				len--;
			if (len > 200)
				len = 200;
			return chg_buf_put(out, p, len);
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* ---- SSH ---- */

static void ssh_time(char out[32], int64_t when)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(out, 32, "%Y%m%d%H%M%SZ", &tm))
		snprintf(out, 32, "19700101000000Z");
}

static void show_time(char out[32], int64_t when)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "(time %lld)", (long long)when);
}

/* From ssh-keygen's "Good "git" signature [for P] with ED25519 key
 * SHA256:...": "ED25519 key SHA256:...". */
static int ssh_key(struct chg_signature_result *r, const struct chg_buf *out)
{
	const char *line = out->ptr, *end, *k, *p, *type;
	struct chg_buf b = CHG_BUF_INIT;

	while (*line && strncmp(line, "Good ", 5)) {
		line = strchr(line, '\n');
		line = line ? line + 1 : "";
	}
	if (!*line)
		return 0;
	end = strchr(line, '\n');
	if (!end)
		end = line + strlen(line);
	for (k = NULL, p = line; (p = strstr(p, " key ")) && p < end; p++)
		k = p;
	if (!k)
		return 0;
	for (type = k; type > line && type[-1] != ' '; type--)
		;
	if (chg_buf_put(&b, type, (size_t)(end - type)) < 0) {
		chg_buf_release(&b);
		return CHG_ENOMEM;
	}
	while (b.len && (b.ptr[b.len - 1] == '\r' || b.ptr[b.len - 1] == ' '))
		b.ptr[--b.len] = '\0';
	free(r->key);
	if (!(r->key = chg_buf_detach(&b)))
		return CHG_ENOMEM;
	return 0;
}

/* Why ssh-keygen rejected a signature, from its stderr. */
static int ssh_reason(struct chg_buf *out, struct chg_signature_verifier *v)
{
	struct chg_buf line = CHG_BUF_INIT;
	int error;

	chg_buf_clear(out);
	if (strstr(v->err.ptr, "namespace does not match"))
		return chg_buf_puts(out, "it was not made for the namespace \"git\"");
	if (strstr(v->err.ptr, "incorrect signature"))
		return chg_buf_puts(out, "the commit's content does not match it");
	if ((error = first_line(&line, &v->err, NULL)) == 0)
		error = chg_buf_printf(out, "ssh-keygen: %s",
				       line.len ? line.ptr : "it failed");
	chg_buf_release(&line);
	return error;
}

/*
 * ssh-keygen -Y check-novalidate: the signature's structure, namespace and
 * content, without trust.  Returns 1 when it set the verdict (bad, or the
 * program could not run), 0 when the signature is intact (r->key is set),
 * or an error code.
 */
static int ssh_intact(struct chg_signature_result *r,
		      struct chg_signature_verifier *v)
{
	static const char *const args[] = {
		"-Y", "check-novalidate", "-n", "git", "-s", "sig", NULL
	};
	struct chg_buf why = CHG_BUF_INIT;
	int status, error;

	error = run(v, &status, v->ssh_keygen, args, 1);
	if (error < 0)
		return (error = tool_failed(r, v, error)) < 0 ? error : 1;
	if (status == 0)
		return ssh_key(r, &v->out);
	if ((error = ssh_reason(&why, v)) == 0)
		error = verdict(r, CHG_SIGNATURE_BAD,
				"its SSH signature does not verify: %s", why.ptr);
	chg_buf_release(&why);
	return error < 0 ? error : 1;
}

static int split_principals(struct chg_strlist *out, const struct chg_buf *b)
{
	const char *p = b->ptr, *end;
	struct chg_buf one = CHG_BUF_INIT;
	int error = 0;

	while (*p && !error) {
		end = p + strcspn(p, "\r\n");
		chg_buf_clear(&one);
		if (end > p && (error = chg_buf_put(&one, p, (size_t)(end - p))) == 0)
			error = chg_strlist_add(out, one.ptr);
		p = end;
		while (*p == '\r' || *p == '\n')
			p++;
	}
	chg_buf_release(&one);
	return error;
}

/* ssh-keygen -Y verify succeeded for `principal`: the verdict. */
static int good_ssh(struct chg_signature_result *r,
		    struct chg_signature_verifier *v, const char *principal)
{
	size_t i;
	int error;

	if ((error = ssh_key(r, &v->out)) < 0)
		return error;
	for (i = 0; i < r->principals.n; i++)
		if (!strcmp(r->principals.items[i], principal))
			break;
	if (i == r->principals.n &&
	    (error = chg_strlist_add(&r->principals, principal)) < 0)
		return error;
	return verdict(r, CHG_SIGNATURE_GOOD, "good SSH signature for %s by %s",
		       principal, r->key ? r->key : "an SSH key");
}

/*
 * The arguments of ssh-keygen -Y verify for `principal`, with -r `revoked`
 * (a file in the private directory) when not NULL, into `args` (room for
 * 16).
 */
static void verify_args(const char **args, const char *principal,
			const char *revoked, const char *vt)
{
	size_t n = 0;

	args[n++] = "-Y";
	args[n++] = "verify";
	args[n++] = "-f";
	args[n++] = "allowed_signers";
	args[n++] = "-I";
	args[n++] = principal;
	args[n++] = "-n";
	args[n++] = "git";
	args[n++] = "-s";
	args[n++] = "sig";
	if (revoked) {
		args[n++] = "-r";
		args[n++] = revoked;
	}
	args[n++] = vt;
	args[n] = NULL;
}

/*
 * ssh-keygen -Y verify with -r `revoked` failed for `principal`: when it
 * verifies without -r, the revocations are why, and the verdict says so
 * (CHG_SIGNATURE_UNKNOWN_KEY: the key is not trusted, as ssh-keygen has
 * it).  Returns 1 when it set the verdict, 0 when the signature does not
 * verify without -r either, or an error code.
 */
static int ssh_revoked(struct chg_signature_result *r,
		       struct chg_signature_verifier *v, const char *principal,
		       const char *revoked, const char *what, const char *origin,
		       const char *vt)
{
	const char *args[16], *dbg[18];
	int status, error;

	verify_args(args, principal, NULL, vt);
	error = run(v, &status, v->ssh_keygen, args, 1);
	if (error < 0)
		return (error = tool_failed(r, v, error)) < 0 ? error : 1;
	if (status != 0)
		return 0;
	if ((error = ssh_key(r, &v->out)) < 0)
		return error;
	/* ssh-keygen says why only at debug level 3 */
	dbg[0] = "-vvv";
	verify_args(dbg + 1, principal, revoked, vt);
	error = run(v, &status, v->ssh_keygen, dbg, 1);
	if (error < 0)
		return (error = tool_failed(r, v, error)) < 0 ? error : 1;
	chg_strlist_release(&r->principals);
	if (status != 0 && strstr(v->err.ptr, "sshkey_check_revoked: Key is revoked"))
		error = verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
				"it is signed by %s, which is revoked: %s as of %s revokes it",
				r->key ? r->key : "an SSH key", what, origin);
	else
		error = verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
				"it is signed by %s, which cannot be checked against %s as of %s: ssh-keygen cannot read it (an OpenSSH KRL or public keys, one a line)",
				r->key ? r->key : "an SSH key", what, origin);
	return error < 0 ? error : 1;
}

static int verify_ssh(struct chg_signature_result *r,
		      struct chg_signature_verifier *v,
		      const struct chg_signature_trust *trust,
		      int64_t when, const char *principal)
{
	char t[32], shown[32], vt[48];
	const char *which, *rk = trust->revoked_keys ? "revoked_keys" : NULL;
	const char *origin = trust->origin ? trust->origin : "its parent";
	const char *fp[] = { "-Y", "find-principals", "-s", "sig", "-f",
			     "allowed_signers", vt, NULL, NULL, NULL };
	const char *vf[16];
	struct chg_buf why = CHG_BUF_INIT;
	size_t i;
	int status, error, out_of_time, cert_out_of_time = 0;

	ssh_time(t, when);
	show_time(shown, when);
	snprintf(vt, sizeof(vt), "-Overify-time=%s", t);

	if (!trust->allowed_signers) {
		if ((error = ssh_intact(r, v)) != 0)
			return error < 0 ? error : 0;
		if (trust->origin)
			return verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
				       "it is signed by %s, and %s has no %s",
				       r->key ? r->key : "an SSH key", trust->origin,
				       CHG_ALLOWED_SIGNERS_PATH);
		return verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
			       "it is signed by %s, and a root commit trusts no key: it has no parent to take %s from",
			       r->key ? r->key : "an SSH key", CHG_ALLOWED_SIGNERS_PATH);
	}
	if (!v->have_allowed || v->allowed.len != trust->allowed_signers_len ||
	    memcmp(v->allowed.ptr, trust->allowed_signers, v->allowed.len)) {
		v->have_allowed = 0;
		chg_buf_clear(&v->allowed);
		error = write_file(v, "allowed_signers", trust->allowed_signers,
				   trust->allowed_signers_len);
		if (error == CHG_EIO)
			return verdict(r, CHG_SIGNATURE_ERROR,
				       "its signature could not be verified: cannot write the allowed signers: %s",
				       strerror(errno));
		if (error < 0 || (error = chg_buf_put(&v->allowed, trust->allowed_signers,
						      trust->allowed_signers_len)) < 0)
			return error;
		v->have_allowed = 1;
	}
	/* written for each verification: small, and never stale */
	error = 0;
	if (rk)
		error = write_file(v, rk, trust->revoked_keys, trust->revoked_keys_len);
	if (!error && v->have_revoked_more)
		error = write_file(v, "revoked_more", v->revoked_more.ptr,
				   v->revoked_more.len);
	if (error == CHG_EIO)
		return verdict(r, CHG_SIGNATURE_ERROR,
			       "its signature could not be verified: cannot write the revoked keys: %s",
			       strerror(errno));
	if (error < 0)
		return error;
	if (rk) {
		fp[7] = "-r";
		fp[8] = rk;
	}

	/*
	 * The common case in one run: the signature verifies for the expected
	 * principal (ssh-keygen matches it against the principals' patterns).
	 */
	which = NULL;
	if (principal) {
		verify_args(vf, principal, rk, vt);
		error = run(v, &status, v->ssh_keygen, vf, 1);
		if (error < 0)
			return tool_failed(r, v, error);
		if (status == 0)
			which = principal;
		/* find-principals does not say why a certificate is not valid */
		cert_out_of_time = strstr(v->err.ptr, "Certificate invalid: expired") ||
				   strstr(v->err.ptr, "Certificate invalid: not yet valid");
	}

	if (!which) {
		error = run(v, &status, v->ssh_keygen, fp, 1);
		if (error < 0)
			return tool_failed(r, v, error);
		if (status == 0 && (error = split_principals(&r->principals, &v->out)) < 0)
			return error;
		if (status != 0 || !r->principals.n) {
			out_of_time = cert_out_of_time ||
				      strstr(v->err.ptr, ": key has expired") ||
				      strstr(v->err.ptr, ": key is not yet valid");
			chg_strlist_release(&r->principals);
			if ((error = ssh_intact(r, v)) != 0)
				return error < 0 ? error : 0;
			if (out_of_time)
				return verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
					       "it is signed by %s, which %s as of %s does not allow at the commit's time %s (valid-after, valid-before)",
					       r->key ? r->key : "an SSH key", CHG_ALLOWED_SIGNERS_PATH,
					       origin, shown);
			return verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
				       "it is signed by %s, which is not in %s as of %s",
				       r->key ? r->key : "an SSH key", CHG_ALLOWED_SIGNERS_PATH,
				       origin);
		}

		/*
		 * Verify for the expected principal as the key has it in the
		 * allowed signers (they may differ in case), else for the
		 * key's first principal: a good signature, but by someone
		 * else.
		 */
		for (i = 0; principal && i < r->principals.n; i++)
			if (!strcasecmp(r->principals.items[i], principal))
				break;
		which = i < r->principals.n ? r->principals.items[i] : r->principals.items[0];
		verify_args(vf, which, rk, vt);
		error = run(v, &status, v->ssh_keygen, vf, 1);
		if (error < 0)
			return tool_failed(r, v, error);
		if (status != 0) {
			if (rk && (error = ssh_revoked(r, v, which, rk, CHG_REVOKED_KEYS_PATH,
						       origin, vt)) != 0)
				return error < 0 ? error : 0;
			chg_strlist_release(&r->principals);
			if ((error = ssh_reason(&why, v)) == 0)
				error = verdict(r, CHG_SIGNATURE_BAD,
						"its SSH signature does not verify: %s", why.ptr);
			chg_buf_release(&why);
			return error;
		}
	}

	/* revocations since: revocation means compromise */
	if (v->have_revoked_more &&
	    !(rk && v->revoked_more.len == trust->revoked_keys_len &&
	      !memcmp(v->revoked_more.ptr, trust->revoked_keys, v->revoked_more.len))) {
		verify_args(vf, which, "revoked_more", vt);
		error = run(v, &status, v->ssh_keygen, vf, 1);
		if (error < 0)
			return tool_failed(r, v, error);
		if (status != 0 &&
		    (error = ssh_revoked(r, v, which, "revoked_more", CHG_REVOKED_KEYS_PATH,
					 v->revoked_more_origin.ptr, vt)) != 0)
			return error < 0 ? error : 0;
		if (status != 0)
			return verdict(r, CHG_SIGNATURE_ERROR,
				       "its signature could not be verified: it verifies once, and then not");
	}
	return good_ssh(r, v, which);
}

/*
 * SSH signatures in the process (sshsig.c): the same verdicts, principals,
 * keys and details as verify_ssh gets from ssh-keygen, without running
 * it.  It judges a plain Ed25519, ECDSA or RSA key against allowed signers
 * and plain revoked keys lists that sshsig.c reads exactly as OpenSSH
 * does; for anything else -- a certificate, a KRL, a malformed signature,
 * a line it does not read, a case whose detail is ssh-keygen's own words
 * -- it returns 0 and ssh-keygen judges, as before.  It runs only when
 * ssh-keygen can be found, so that no verdict depends on which of the two
 * judged it.
 *
 * Returns 1 when it set the verdict, 0 to leave the signature to
 * verify_ssh, or an error code.
 */

/* The verify-time ssh-keygen accepts: after the epoch, before year 10000. */
#define SSH_TIME_MAX INT64_C(253402300800)

static int ssh_keygen_found(struct chg_signature_verifier *v)
{
	struct chg_buf exe = CHG_BUF_INIT;
	int error;

	if (!v->ssh_keygen_found) {
		error = chg_process_resolve(&exe, v->ssh_keygen, NULL);
		chg_buf_release(&exe);
		if (error == CHG_ENOMEM)
			return error;
		v->ssh_keygen_found = error < 0 ? -1 : 1;
	}
	return v->ssh_keygen_found > 0;
}

static int fast_signers(const struct chg_sshsig_signers **out,
			struct chg_signature_verifier *v,
			const struct chg_signature_trust *trust)
{
	int error;

	if (!v->signers || v->signers_text.len != trust->allowed_signers_len ||
	    memcmp(v->signers_text.ptr, trust->allowed_signers, v->signers_text.len)) {
		chg_sshsig_signers_free(v->signers);
		v->signers = NULL;
		chg_buf_clear(&v->signers_text);
		if ((error = chg_sshsig_signers_parse(&v->signers, trust->allowed_signers,
						      trust->allowed_signers_len)) < 0)
			return error;
		if ((error = chg_buf_put(&v->signers_text, trust->allowed_signers,
					 trust->allowed_signers_len)) < 0) {
			chg_sshsig_signers_free(v->signers);
			v->signers = NULL;
			return error;
		}
	}
	*out = v->signers;
	return 0;
}

static int set_key(struct chg_signature_result *r, const char *fingerprint)
{
	free(r->key);
	return (r->key = strdup(fingerprint)) ? 0 : CHG_ENOMEM;
}

static int verify_ssh_fast(struct chg_signature_result *r,
			   struct chg_signature_verifier *v,
			   const struct chg_signature_trust *trust,
			   const char *sig, size_t sig_len,
			   const char *data, size_t data_len,
			   int64_t when, const char *principal)
{
	struct chg_sshsig s = CHG_SSHSIG_INIT;
	struct chg_sshsig_revoked *rk = NULL, *more = NULL;
	const struct chg_sshsig_signers *signers;
	const char *origin = trust->origin ? trust->origin : "its parent";
	const char *which = NULL;
	char shown[32];
	size_t i;
	int error, revoked, found, out_of_time;

	if (v->ssh_keygen_only || (error = ssh_keygen_found(v)) <= 0)
		return v->ssh_keygen_only ? 0 : error;
	if (when <= 0 || when >= SSH_TIME_MAX)
		return 0;
	if ((error = chg_sshsig_verify(&s, sig, sig_len, "git", data, data_len)) < 0)
		goto cleanup;
	switch (s.status) {
	case CHG_SSHSIG_MALFORMED:
	case CHG_SSHSIG_UNSUPPORTED:
		goto cleanup;
	case CHG_SSHSIG_NAMESPACE:
		error = verdict(r, CHG_SIGNATURE_BAD,
				"its SSH signature does not verify: it was not made for the namespace \"git\"");
		goto decided;
	case CHG_SSHSIG_INCORRECT:
		error = verdict(r, CHG_SIGNATURE_BAD,
				"its SSH signature does not verify: the commit's content does not match it");
		goto decided;
	case CHG_SSHSIG_OK:
		break;
	}

	if (!trust->allowed_signers) {
		if ((error = set_key(r, s.fingerprint)) < 0)
			goto cleanup;
		if (trust->origin)
			error = verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
					"it is signed by %s, and %s has no %s",
					r->key, trust->origin, CHG_ALLOWED_SIGNERS_PATH);
		else
			error = verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
					"it is signed by %s, and a root commit trusts no key: it has no parent to take %s from",
					r->key, CHG_ALLOWED_SIGNERS_PATH);
		goto decided;
	}
	if ((error = fast_signers(&signers, v, trust)) < 0 || signers->uncertain)
		goto cleanup;
	if (trust->revoked_keys &&
	    ((error = chg_sshsig_revoked_parse(&rk, trust->revoked_keys,
					       trust->revoked_keys_len)) < 0 || rk->uncertain))
		goto cleanup;
	if (v->have_revoked_more &&
	    !(trust->revoked_keys && v->revoked_more.len == trust->revoked_keys_len &&
	      !memcmp(v->revoked_more.ptr, trust->revoked_keys, v->revoked_more.len)) &&
	    ((error = chg_sshsig_revoked_parse(&more, v->revoked_more.ptr,
					       v->revoked_more.len)) < 0 || more->uncertain))
		goto cleanup;

	/* ssh-keygen -Y verify -I principal -r revoked_keys */
	revoked = rk && chg_sshsig_revoked_has(rk, &s.key);
	if (principal && !revoked &&
	    chg_sshsig_signers_allow(signers, &s.key, principal, "git", when))
		which = principal;

	if (!which) {
		/* ssh-keygen -Y find-principals */
		found = chg_sshsig_signers_find(&r->principals, &out_of_time, signers,
						&s.key, when);
		if (found < 0) {
			error = found;
			goto cleanup;
		}
		if (!found || !r->principals.n) {
			chg_strlist_release(&r->principals);
			if ((error = set_key(r, s.fingerprint)) < 0)
				goto cleanup;
			show_time(shown, when);
			if (out_of_time)
				error = verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
						"it is signed by %s, which %s as of %s does not allow at the commit's time %s (valid-after, valid-before)",
						r->key, CHG_ALLOWED_SIGNERS_PATH, origin, shown);
			else
				error = verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
						"it is signed by %s, which is not in %s as of %s",
						r->key, CHG_ALLOWED_SIGNERS_PATH, origin);
			goto decided;
		}
		for (i = 0; principal && i < r->principals.n; i++)
			if (!strcasecmp(r->principals.items[i], principal))
				break;
		which = i < r->principals.n ? r->principals.items[i] : r->principals.items[0];
		/* a key the principals name that does not verify for them:
		 * ssh-keygen says why in its own words */
		if (!chg_sshsig_signers_allow(signers, &s.key, which, "git", when)) {
			chg_strlist_release(&r->principals);
			goto cleanup;
		}
		if (revoked) {
			chg_strlist_release(&r->principals);
			if ((error = set_key(r, s.fingerprint)) < 0)
				goto cleanup;
			error = verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
					"it is signed by %s, which is revoked: %s as of %s revokes it",
					r->key, CHG_REVOKED_KEYS_PATH, origin);
			goto decided;
		}
	}

	/* revocations since: revocation means compromise */
	if (more && chg_sshsig_revoked_has(more, &s.key)) {
		chg_strlist_release(&r->principals);
		if ((error = set_key(r, s.fingerprint)) < 0)
			goto cleanup;
		error = verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
				"it is signed by %s, which is revoked: %s as of %s revokes it",
				r->key, CHG_REVOKED_KEYS_PATH, v->revoked_more_origin.ptr);
		goto decided;
	}

	if ((error = set_key(r, s.fingerprint)) < 0)
		goto cleanup;
	for (i = 0; i < r->principals.n; i++)
		if (!strcmp(r->principals.items[i], which))
			break;
	if (i == r->principals.n && (error = chg_strlist_add(&r->principals, which)) < 0)
		goto cleanup;
	error = verdict(r, CHG_SIGNATURE_GOOD, "good SSH signature for %s by %s",
			which, r->key);
decided:
	if (!error)
		error = 1;
cleanup:
	if (error == 0) {
		/* left to ssh-keygen: nothing of this run stays */
		free(r->key);
		r->key = NULL;
	}
	chg_sshsig_revoked_free(rk);
	chg_sshsig_revoked_free(more);
	chg_sshsig_release(&s);
	return error;
}

/* ---- OpenPGP ---- */

struct gpg_status {
	int newsig, exclusive, good, bad, errsig, errsig_rc, expsig, expkeysig,
	    revkeysig, plaintext, validsig;
	char sigclass[3];
	char primary[65];  /* VALIDSIG's primary key fingerprint */
	char keyid[65];    /* the key an ERRSIG or NO_PUBKEY names */
};

/* Copies field `n` (0-based, after the keyword) of a status line. */
static void status_field(char *out, size_t size, const char *args, int n)
{
	const char *p = args, *end;

	out[0] = '\0';
	while (n-- > 0 && p) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return;
	end = p + strcspn(p, " \r\n");
	if ((size_t)(end - p) < size) {
		memcpy(out, p, (size_t)(end - p));
		out[end - p] = '\0';
	}
}

static int is_hex(const char *s)
{
	return *s && strspn(s, "0123456789ABCDEFabcdef") == strlen(s);
}

static void gpg_parse(struct gpg_status *st, const char *text)
{
	static const char prefix[] = "[GNUPG:] ";
	const char *line = text, *next;
	char word[32], rc[16];

	memset(st, 0, sizeof(*st));
	for (; *line; line = next) {
		const char *args;
		size_t n;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (strncmp(line, prefix, sizeof(prefix) - 1))
			continue;
		line += sizeof(prefix) - 1;
		n = strcspn(line, " \r\n");
		if (n >= sizeof(word))
			continue;
		memcpy(word, line, n);
		word[n] = '\0';
		args = line[n] == ' ' ? line + n + 1 : "";
		if (!strcmp(word, "NEWSIG")) {
			st->newsig++;
		} else if (!strcmp(word, "GOODSIG")) {
			st->good++;
			st->exclusive++;
		} else if (!strcmp(word, "BADSIG")) {
			st->bad++;
			st->exclusive++;
		} else if (!strcmp(word, "EXPSIG")) {
			st->expsig++;
			st->exclusive++;
		} else if (!strcmp(word, "EXPKEYSIG")) {
			st->expkeysig++;
			st->exclusive++;
		} else if (!strcmp(word, "REVKEYSIG")) {
			st->revkeysig++;
			st->exclusive++;
		} else if (!strcmp(word, "ERRSIG")) {
			st->errsig++;
			st->exclusive++;
			status_field(rc, sizeof(rc), args, 5);
			st->errsig_rc = atoi(rc);
			status_field(st->keyid, sizeof(st->keyid), args, 6);
			if (!is_hex(st->keyid))
				status_field(st->keyid, sizeof(st->keyid), args, 0);
		} else if (!strcmp(word, "NO_PUBKEY")) {
			if (!st->keyid[0])
				status_field(st->keyid, sizeof(st->keyid), args, 0);
		} else if (!strcmp(word, "VALIDSIG")) {
			st->validsig++;
			status_field(st->sigclass, sizeof(st->sigclass), args, 8);
			status_field(st->primary, sizeof(st->primary), args, 9);
		} else if (!strcmp(word, "PLAINTEXT")) {
			st->plaintext++;
		}
	}
	if (!is_hex(st->primary))
		st->primary[0] = '\0';
	if (!is_hex(st->keyid))
		st->keyid[0] = '\0';
}

/* Makes dir/gnupg hold exactly the keys of `trust`. */
static int gpg_home(struct chg_signature_result *r,
		    struct chg_signature_verifier *v,
		    const struct chg_signature_trust *trust)
{
	static const char *const import[] = {
		"--batch", "--no-tty", "--no-autostart", "--quiet", "--import",
		"keys.asc", NULL
	};
	struct chg_buf home = CHG_BUF_INIT;
	const char *keys = trust->keys ? trust->keys : "";
	size_t len = trust->keys ? trust->keys_len : 0;
	int status, error;

	if (v->have_keys && v->keys.len == len && !memcmp(v->keys.ptr, keys, len))
		return 0;
	v->have_keys = 0;
	chg_buf_clear(&v->keys);
	if (path_in(&home, v, "gnupg") < 0)
		return CHG_ENOMEM;
	remove_tree(home.ptr, 0);
	if (mkdir(home.ptr, 0700) < 0) {
		chg_buf_release(&home);
		return verdict(r, CHG_SIGNATURE_ERROR,
			       "its signature could not be verified: cannot make a GnuPG home: %s",
			       strerror(errno));
	}
	chg_buf_release(&home);
	if (len) {
		error = write_file(v, "keys.asc", keys, len);
		if (error == CHG_EIO)
			return verdict(r, CHG_SIGNATURE_ERROR,
				       "its signature could not be verified: cannot write the keys: %s",
				       strerror(errno));
		if (error < 0)
			return error;
		/* keys that do not import are simply not there */
		error = run(v, &status, v->gpg, import, 0);
		if (error < 0)
			return tool_failed(r, v, error);
	}
	if (chg_buf_put(&v->keys, keys, len) < 0)
		return CHG_ENOMEM;
	v->have_keys = 1;
	return 0;
}

/* Undoes gpg's \xHH escapes of a --with-colons field, in place. */
static void unescape_colons(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3] &&
		    strchr("0123456789abcdefABCDEF", s[2]) &&
		    strchr("0123456789abcdefABCDEF", s[3])) {
			char hex[3] = { s[2], s[3], '\0' };
			*w++ = (char)strtol(hex, NULL, 16);
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* The emails of the user ids of key `fpr` that are not revoked, expired
 * or invalid, at the time `faked` (gpg's --faked-system-time; NULL:
 * now). */
static int gpg_principals(struct chg_signature_result *r,
			  struct chg_signature_verifier *v, const char *fpr,
			  const char *faked)
{
	const char *args[] = {
		"--batch", "--no-tty", "--no-autostart", "--trust-model", "always",
		"--with-colons", "--fixed-list-mode", "--list-keys", "--", fpr, NULL,
		NULL, NULL
	};
	struct chg_buf line = CHG_BUF_INIT;
	const char *p, *end;
	int status, error;

	if (faked) {
		/* the same list, with gpg's clock set */
		memmove(args + 7, args + 5, 6 * sizeof(*args));
		args[5] = "--faked-system-time";
		args[6] = faked;
	}
	error = run(v, &status, v->gpg, args, 0);
	if (error < 0)
		return error;
	for (p = v->out.ptr; *p && !error; p = *end ? end + 1 : end) {
		char *field[10], *q, *email, *close;
		size_t i;

		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if (strncmp(p, "uid:", 4))
			continue;
		chg_buf_clear(&line);
		if ((error = chg_buf_put(&line, p, (size_t)(end - p))) < 0)
			break;
		for (i = 0, q = line.ptr; i < 10 && q; i++) {
			field[i] = q;
			q = strchr(q, ':');
			if (q)
				*q++ = '\0';
		}
		if (i < 10 || (field[1][0] && strchr("reid", field[1][0])))
			continue;
		unescape_colons(field[9]);
		email = strrchr(field[9], '<');
		if (email && (close = strchr(email, '>'))) {
			email++;
			*close = '\0';
		} else if (strchr(field[9], '@') && !strchr(field[9], ' ')) {
			email = field[9];
		} else {
			continue;
		}
		if (!*email)
			continue;
		for (i = 0; i < r->principals.n; i++)
			if (!strcasecmp(r->principals.items[i], email))
				break;
		if (i == r->principals.n)
			error = chg_strlist_add(&r->principals, email);
	}
	chg_buf_release(&line);
	return error;
}

/*
 * Whether the primary key `fpr` is revoked as of now: a revocation means
 * compromise, so it reaches back to signatures made before it, whatever
 * date they are judged at.  Returns 1, 0 or a negative code.
 */
static int gpg_revoked(struct chg_signature_verifier *v, const char *fpr)
{
	const char *args[] = {
		"--batch", "--no-tty", "--no-autostart", "--trust-model", "always",
		"--with-colons", "--fixed-list-mode", "--list-keys", "--", fpr, NULL
	};
	const char *p;
	int status, error;

	if ((error = run(v, &status, v->gpg, args, 0)) < 0)
		return error;
	for (p = v->out.ptr; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, "pub:r:", 6))
			return 1;
	return 0;
}

static int verify_openpgp(struct chg_signature_result *r,
			  struct chg_signature_verifier *v,
			  const struct chg_signature_trust *trust, int64_t when)
{
	char faked[32];
	const char *const args[] = {
		"--batch", "--no-tty", "--no-autostart", "--no-auto-key-retrieve",
		"--status-fd", "1", "--trust-model", "always",
		"--verify", "sig", "data", NULL
	};
	const char *const args_then[] = {
		"--batch", "--no-tty", "--no-autostart", "--no-auto-key-retrieve",
		"--faked-system-time", faked,
		"--status-fd", "1", "--trust-model", "always",
		"--verify", "sig", "data", NULL
	};
	struct chg_buf why = CHG_BUF_INIT, key = CHG_BUF_INIT;
	struct gpg_status st;
	int status, error, revoked, then = 0;

	snprintf(faked, sizeof(faked), "%lld!", (long long)(when > 0 ? when : 1));
	if ((error = gpg_home(r, v, trust)) < 0 || r->detail)
		return error;
	error = run(v, &status, v->gpg, args, 0);
	if (error < 0)
		return tool_failed(r, v, error);
	gpg_parse(&st, v->out.ptr);
	/*
	 * A key that has expired since is judged at the commit's date, as
	 * SSH's validity is: verified again with gpg's clock set to it.  (Not
	 * every signature: a key made after the commit's date, as test
	 * fixtures are, would not verify at it.)  Revocation is judged now.
	 */
	if (st.expkeysig && !st.revkeysig && when > 0 && when < (int64_t)time(NULL)) {
		if ((error = run(v, &status, v->gpg, args_then, 0)) < 0)
			return tool_failed(r, v, error);
		gpg_parse(&st, v->out.ptr);
		then = 1;
	}
	if (st.primary[0] || st.keyid[0]) {
		if (chg_buf_printf(&key, "OpenPGP key %s",
				   st.primary[0] ? st.primary : st.keyid) < 0 ||
		    !(r->key = chg_buf_detach(&key)))
			return CHG_ENOMEM;
	}

	if (st.plaintext) {
		error = verdict(r, CHG_SIGNATURE_BAD,
				"its OpenPGP signature does not verify: it is not a detached signature");
	} else if (st.newsig > 1 || st.exclusive > 1) {
		error = verdict(r, CHG_SIGNATURE_BAD,
				"its OpenPGP signature does not verify: it holds more than one signature");
	} else if (st.bad) {
		error = verdict(r, CHG_SIGNATURE_BAD,
				"its OpenPGP signature does not verify: the commit's content does not match it");
	} else if (st.errsig && st.errsig_rc == 9) {
		if (!trust->keys && trust->origin)
			error = verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
					"it is signed by %s, and %s has no %s",
					r->key ? r->key : "an OpenPGP key",
					trust->origin, CHG_KEYS_PATH);
		else if (!trust->keys)
			error = verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
					"it is signed by %s, and a root commit trusts no key: it has no parent to take %s from",
					r->key ? r->key : "an OpenPGP key", CHG_KEYS_PATH);
		else
			error = verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
					"it is signed by %s, which is not in %s as of %s",
					r->key ? r->key : "an OpenPGP key", CHG_KEYS_PATH,
					trust->origin ? trust->origin : "its parent");
	} else if (st.errsig) {
		error = verdict(r, CHG_SIGNATURE_BAD,
				"its OpenPGP signature does not verify: gpg cannot check it (error %d)",
				st.errsig_rc);
	} else if (st.expsig) {
		error = verdict(r, CHG_SIGNATURE_BAD,
				"its OpenPGP signature does not verify: the signature has expired");
	} else if (st.expkeysig) {
		error = verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
				"it is signed by %s, which has expired",
				r->key ? r->key : "an OpenPGP key");
	} else if (st.revkeysig) {
		error = verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
				"it is signed by %s, which has been revoked",
				r->key ? r->key : "an OpenPGP key");
	} else if (st.good && st.validsig == 1 && status == 0 && st.primary[0] &&
		   (!strcmp(st.sigclass, "00") || !strcmp(st.sigclass, "01")) &&
		   (revoked = gpg_revoked(v, st.primary)) != 0) {
		error = revoked < 0 ? tool_failed(r, v, revoked) :
			verdict(r, CHG_SIGNATURE_UNKNOWN_KEY,
				"it is signed by %s, which has been revoked",
				r->key ? r->key : "an OpenPGP key");
	} else if (st.good && st.validsig == 1 && status == 0 && st.primary[0] &&
		   (!strcmp(st.sigclass, "00") || !strcmp(st.sigclass, "01"))) {
		error = gpg_principals(r, v, st.primary, then ? faked : NULL);
		if (error == CHG_ERROR)
			error = tool_failed(r, v, error);
		else if (!error)
			error = verdict(r, CHG_SIGNATURE_GOOD, "good OpenPGP signature by %s",
					r->key);
	} else if (st.good) {
		error = verdict(r, CHG_SIGNATURE_BAD,
				"its OpenPGP signature does not verify: it is not a signature of the commit (class %s)",
				st.sigclass[0] ? st.sigclass : "unknown");
	} else {
		if ((error = first_line(&why, &v->err, NULL)) == 0)
			error = verdict(r, CHG_SIGNATURE_BAD,
					"its OpenPGP signature does not verify: %s",
					why.len ? why.ptr : "gpg found no signature in it");
	}
	chg_buf_release(&why);
	return error;
}

/* ---- verification ---- */

int chg_signature_verify(struct chg_signature_result *out,
			 struct chg_signature_verifier *v,
			 const struct chg_signature_trust *trust,
			 const char *sig, size_t sig_len,
			 const char *data, size_t data_len,
			 int64_t when, const char *principal)
{
	struct chg_signature_trust none = { NULL, 0, NULL, 0, NULL, NULL, 0 };
	int error;

	result_init(out);
	if (!trust)
		trust = &none;
	out->kind = chg_signature_kind(sig, sig_len);
	switch (out->kind) {
	case CHG_SIGNATURE_X509:
		return verdict(out, CHG_SIGNATURE_UNSUPPORTED,
			       "X.509 signatures are not supported");
	case CHG_SIGNATURE_NONE:
	case CHG_SIGNATURE_OTHER:
		return verdict(out, CHG_SIGNATURE_UNSUPPORTED,
			       "its signature is neither an SSH nor an OpenPGP signature");
	case CHG_SIGNATURE_SSH:
	case CHG_SIGNATURE_OPENPGP:
		break;
	}
	if (out->kind == CHG_SIGNATURE_SSH &&
	    (error = verify_ssh_fast(out, v, trust, sig, sig_len, data, data_len,
				     when, principal)) != 0) {
		if (error < 0)
			return error;
		error = 0;
		goto done;
	}
	if ((error = setup(v)) < 0)
		return tool_failed(out, v, error);
	error = write_file(v, "sig", sig, sig_len);
	/* ssh-keygen reads the data on its stdin, gpg from a file */
	if (!error && out->kind == CHG_SIGNATURE_OPENPGP)
		error = write_file(v, "data", data, data_len);
	if (error == CHG_EIO)
		return verdict(out, CHG_SIGNATURE_ERROR,
			       "its signature could not be verified: cannot write to '%s': %s",
			       v->dir, strerror(errno));
	if (error < 0)
		return error;
	v->data = data;
	v->data_len = data_len;
	if (out->kind == CHG_SIGNATURE_SSH)
		error = verify_ssh(out, v, trust, when, principal);
	else
		error = verify_openpgp(out, v, trust, when);
	v->data = NULL;
	v->data_len = 0;
done:
	if (!error && out->verdict != CHG_SIGNATURE_GOOD)
		chg_strlist_release(&out->principals);
	if (!error && !out->detail)
		error = verdict(out, CHG_SIGNATURE_ERROR,
				"its signature could not be verified");
	return error;
}

/* ---- the verdict cache ---- */

/*
 * A verdict is kept under the commit's id and a digest of everything else
 * it depends on (cache_digest).  In memory: a hash table per verifier,
 * open addressing.  On disk, where chg.cache is true: one file an entry,
 * $GIT_DIR/chg/signatures/<commit>-<digest>, holding
 *
 *	chg-signature-cache 1\n
 *	mac <HMAC-SHA256, hex>\n
 *	<the result as JSON>
 *
 * The MAC, under the key in $GIT_DIR/chg/cache-key, is over the first
 * line, the entry's name and the JSON: an entry that does not check, or
 * is not the entry of its name, is not read at all.
 */

#define CACHE_FORMAT 1
#define CACHE_MAGIC "chg-signature-cache 1\n"
#define CACHE_KEY_SIZE 32
/* The largest entry written or read, in bytes. */
#define CACHE_ENTRY_MAX (64 * 1024)

struct cached {
	int used;
	git_oid id;
	unsigned char digest[SHA256_DIGEST_LENGTH];
	struct chg_signature_result r;
};

static void digest_field(EVP_MD_CTX *ctx, char tag, const void *data, size_t len,
			 int present)
{
	unsigned char head[10];
	uint64_t n = present ? (uint64_t)len : 0;
	int i;

	head[0] = (unsigned char)tag;
	head[1] = present ? 1 : 0;
	for (i = 0; i < 8; i++)
		head[2 + i] = (unsigned char)(n >> (56 - 8 * i));
	EVP_DigestUpdate(ctx, head, sizeof(head));
	if (present && len)
		EVP_DigestUpdate(ctx, data, len);
}

static void digest_str(EVP_MD_CTX *ctx, char tag, const char *s)
{
	digest_field(ctx, tag, s, s ? strlen(s) : 0, s != NULL);
}

/*
 * The digest of all that decides a commit's verdict besides the commit:
 * the trust files and whether they exist, the verifier's revocations and
 * their origin, the origin named in details, the expected principal, the
 * programs, whether only ssh-keygen judges, and the cache's format.
 */
static int cache_digest(unsigned char out[SHA256_DIGEST_LENGTH],
			const struct chg_signature_verifier *v,
			const struct chg_signature_trust *trust,
			const char *principal)
{
	static const char magic[] = "chg signature verdict";
	unsigned char format = CACHE_FORMAT, only = v->ssh_keygen_only ? 1 : 0;
	unsigned int len = 0;
	EVP_MD_CTX *ctx;
	int ok;

	if (!(ctx = EVP_MD_CTX_new()))
		return CHG_ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	if (ok) {
		EVP_DigestUpdate(ctx, magic, sizeof(magic));
		digest_field(ctx, 'f', &format, 1, 1);
		digest_field(ctx, 'a', trust->allowed_signers, trust->allowed_signers_len,
			     trust->allowed_signers != NULL);
		digest_field(ctx, 'r', trust->revoked_keys, trust->revoked_keys_len,
			     trust->revoked_keys != NULL);
		digest_field(ctx, 'k', trust->keys, trust->keys_len, trust->keys != NULL);
		digest_field(ctx, 'm', v->revoked_more.ptr, v->revoked_more.len,
			     v->have_revoked_more);
		digest_field(ctx, 'M', v->revoked_more_origin.ptr, v->revoked_more_origin.len,
			     v->have_revoked_more);
		digest_str(ctx, 'o', trust->origin);
		digest_str(ctx, 'p', principal);
		digest_field(ctx, 's', &only, 1, 1);
		digest_str(ctx, 'S', v->ssh_keygen);
		digest_str(ctx, 'G', v->gpg);
		ok = EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == SHA256_DIGEST_LENGTH;
	}
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : CHG_ERROR;
}

static int result_copy(struct chg_signature_result *out,
		       const struct chg_signature_result *r)
{
	size_t i;
	int error = 0;

	result_init(out);
	out->verdict = r->verdict;
	out->kind = r->kind;
	for (i = 0; i < r->principals.n && !error; i++)
		error = chg_strlist_add(&out->principals, r->principals.items[i]);
	if (!error && r->key && !(out->key = strdup(r->key)))
		error = CHG_ENOMEM;
	if (!error && r->detail && !(out->detail = strdup(r->detail)))
		error = CHG_ENOMEM;
	if (error)
		chg_signature_result_release(out);
	return error;
}

static size_t cache_slot(const struct chg_signature_verifier *v, const git_oid *id,
			 const unsigned char *digest)
{
	size_t h = 0, i;

	for (i = 0; i < sizeof(h); i++)
		h = (h << 8) | (size_t)(digest[i] ^ id->id[i]);
	return h & (v->cache_alloc - 1);
}

static struct cached *cache_find(const struct chg_signature_verifier *v,
				 const git_oid *id, const unsigned char *digest)
{
	size_t i;

	if (!v->cache_alloc)
		return NULL;
	for (i = cache_slot(v, id, digest); v->cache[i].used;
	     i = (i + 1) & (v->cache_alloc - 1))
		if (!git_oid_cmp(&v->cache[i].id, id) &&
		    !memcmp(v->cache[i].digest, digest, SHA256_DIGEST_LENGTH))
			return &v->cache[i];
	return NULL;
}

static int cache_grow(struct chg_signature_verifier *v)
{
	struct cached *old = v->cache, *c;
	size_t old_alloc = v->cache_alloc, alloc = old_alloc ? old_alloc * 2 : 64, i, j;

	if (!(c = calloc(alloc, sizeof(*c))))
		return CHG_ENOMEM;
	v->cache = c;
	v->cache_alloc = alloc;
	for (i = 0; i < old_alloc; i++) {
		if (!old[i].used)
			continue;
		for (j = cache_slot(v, &old[i].id, old[i].digest); c[j].used;
		     j = (j + 1) & (alloc - 1))
			;
		c[j] = old[i];
	}
	free(old);
	return 0;
}

/* Keeps a copy of `r` in memory. */
static int cache_put(struct chg_signature_verifier *v, const git_oid *id,
		     const unsigned char *digest, const struct chg_signature_result *r)
{
	struct cached *c;
	size_t i;
	int error;

	if ((c = cache_find(v, id, digest)))
		return 0;
	if ((v->cache_n + 1) * 2 > v->cache_alloc && (error = cache_grow(v)) < 0)
		return error;
	for (i = cache_slot(v, id, digest); v->cache[i].used;
	     i = (i + 1) & (v->cache_alloc - 1))
		;
	c = &v->cache[i];
	if ((error = result_copy(&c->r, r)) < 0)
		return error;
	c->used = 1;
	git_oid_cpy(&c->id, id);
	memcpy(c->digest, digest, SHA256_DIGEST_LENGTH);
	v->cache_n++;
	return 0;
}

static void cache_free(struct chg_signature_verifier *v)
{
	size_t i;

	for (i = 0; i < v->cache_alloc; i++)
		if (v->cache[i].used)
			chg_signature_result_release(&v->cache[i].r);
	free(v->cache);
	v->cache = NULL;
	v->cache_alloc = v->cache_n = 0;
}

/* -- on disk -- */

/* Whether `path` is a directory of ours (not a link), made if missing. */
static int own_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return 0;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid();
}

/* Reads at most `max` bytes of the regular file `path`, opened without
 * following a link; 0 or -1.  *mode and *uid are the file's. */
static int read_small(struct chg_buf *out, const char *path, size_t max,
		      mode_t *mode, uid_t *uid)
{
	struct stat st;
	char chunk[4096];
	ssize_t n;
	int fd, rc = -1;

	chg_buf_clear(out);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uintmax_t)st.st_size > max)
		goto cleanup;
	*mode = st.st_mode;
	*uid = st.st_uid;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || out->len + (size_t)n > max)
			goto cleanup;
		if (n == 0)
			break;
		if (chg_buf_put(out, chunk, (size_t)n) < 0)
			goto cleanup;
	}
	rc = 0;
cleanup:
	close(fd);
	return rc;
}

/* Writes `data` to a new file in `dir` (mode 0600) and renames it to
 * `path`, or links it there when `exclusive` (never replacing a file).
 * 0 or -1. */
static int write_atomic(const char *dir, const char *path, const void *data,
			size_t len, int exclusive)
{
	struct chg_buf tmp = CHG_BUF_INIT;
	const char *p = data;
	int fd, rc = -1;

	if (chg_buf_printf(&tmp, "%s/.tmp-XXXXXX", dir) < 0)
		goto cleanup;
	if ((fd = mkstemp(tmp.ptr)) < 0)
		goto cleanup;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, 0600) < 0)
		len = 1;
	if (close(fd) == 0 && len == 0)
		rc = exclusive ? link(tmp.ptr, path) : rename(tmp.ptr, path);
	if (exclusive || rc < 0)
		unlink(tmp.ptr);
cleanup:
	chg_buf_release(&tmp);
	return rc < 0 ? -1 : 0;
}

/*
 * The repository's cache key, made when there is none and replaced when
 * what is there is not one (a key that is not ours, or that others can
 * read or write, authenticates nothing).  0 or -1.
 */
static int cache_key(struct chg_signature_verifier *v, const char *dir)
{
	struct chg_buf path = CHG_BUF_INIT, b = CHG_BUF_INIT;
	unsigned char fresh[CACHE_KEY_SIZE];
	mode_t mode = 0;
	uid_t uid = 0;
	int rc = -1, tries, missing;

	if (chg_buf_printf(&path, "%s/cache-key", dir) < 0)
		goto cleanup;
	for (tries = 0; tries < 2 && rc < 0; tries++) {
		errno = 0;
		if (read_small(&b, path.ptr, CACHE_KEY_SIZE, &mode, &uid) == 0 &&
		    b.len == CACHE_KEY_SIZE && uid == geteuid() && !(mode & 077)) {
			memcpy(v->cache_key, b.ptr, CACHE_KEY_SIZE);
			rc = 0;
			break;
		}
		missing = errno == ENOENT;
		if (RAND_bytes(fresh, sizeof(fresh)) != 1)
			break;
		if (write_atomic(dir, path.ptr, fresh, sizeof(fresh), missing) == 0) {
			memcpy(v->cache_key, fresh, CACHE_KEY_SIZE);
			rc = 0;
		}
		/* else another process made it first: read that one */
	}
cleanup:
	OPENSSL_cleanse(fresh, sizeof(fresh));
	OPENSSL_cleanse(b.ptr, b.len);
	chg_buf_release(&b);
	chg_buf_release(&path);
	return rc;
}

/* Reads chg.cache for `repo` and readies the directory and key, once per
 * repository.  Anything that fails leaves the disk cache off. */
static void cache_open(struct chg_signature_verifier *v, git_repository *repo)
{
	const char *common = git_repository_commondir(repo);
	struct chg_buf dir = CHG_BUF_INIT;
	git_config *cfg = NULL;
	int on = 0;

	if (v->cache_repo && common && !strcmp(v->cache_repo, common))
		return;
	free(v->cache_repo);
	v->cache_repo = common ? strdup(common) : NULL;
	v->cache_on = 0;
	free(v->cache_dir);
	v->cache_dir = NULL;
	if (!v->cache_repo)
		return;
	if (git_repository_config_snapshot(&cfg, repo) < 0 ||
	    git_config_get_bool(&on, cfg, "chg.cache") < 0 || !on)
		goto cleanup;
	if (chg_buf_printf(&dir, "%schg", common) < 0 ||
	    !own_dir(dir.ptr) || cache_key(v, dir.ptr) < 0 ||
	    chg_buf_puts(&dir, "/signatures") < 0 || !own_dir(dir.ptr) ||
	    !(v->cache_dir = chg_buf_detach(&dir)))
		goto cleanup;
	v->cache_on = 1;
cleanup:
	git_error_clear();
	git_config_free(cfg);
	chg_buf_release(&dir);
}

static void hex(char *out, const unsigned char *bytes, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

/* An entry's name: "<commit>-<digest>". */
static void entry_name(char out[GIT_OID_HEXSZ + 2 + 2 * SHA256_DIGEST_LENGTH],
		       const git_oid *id, const unsigned char *digest)
{
	git_oid_fmt(out, id);
	out[GIT_OID_HEXSZ] = '-';
	hex(out + GIT_OID_HEXSZ + 1, digest, SHA256_DIGEST_LENGTH);
}

/* The MAC of an entry named `name` holding `json`, in hex. */
static int entry_mac(char out[2 * SHA256_DIGEST_LENGTH + 1],
		     const struct chg_signature_verifier *v, const char *name,
		     const char *json, size_t len)
{
	struct chg_buf in = CHG_BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	int rc = -1;

	if (chg_buf_puts(&in, CACHE_MAGIC) == 0 && chg_buf_puts(&in, name) == 0 &&
	    chg_buf_putc(&in, '\n') == 0 && chg_buf_put(&in, json, len) == 0 &&
	    HMAC(EVP_sha256(), v->cache_key, CACHE_KEY_SIZE,
		 (const unsigned char *)in.ptr, in.len, md, &md_len) &&
	    md_len == SHA256_DIGEST_LENGTH) {
		hex(out, md, md_len);
		rc = 0;
	}
	chg_buf_release(&in);
	return rc;
}

static int json_to_result(struct chg_signature_result *out, const json_t *j,
			  const char *name, enum chg_signature_kind kind)
{
	json_t *verdict_j = json_object_get(j, "verdict"), *kind_j = json_object_get(j, "kind");
	json_t *key_j = json_object_get(j, "key"), *detail_j = json_object_get(j, "detail");
	json_t *entry_j = json_object_get(j, "entry"), *principals_j = json_object_get(j, "principals");
	json_t *p;
	size_t i;
	json_int_t verdict_n, kind_n;

	if (!json_is_object(j) || !json_is_string(entry_j) ||
	    strcmp(json_string_value(entry_j), name) ||
	    !json_is_integer(verdict_j) || !json_is_integer(kind_j) ||
	    !json_is_string(detail_j) || !(json_is_string(key_j) || json_is_null(key_j)) ||
	    !json_is_array(principals_j))
		return -1;
	verdict_n = json_integer_value(verdict_j);
	kind_n = json_integer_value(kind_j);
	if (verdict_n <= CHG_SIGNATURE_ERROR || verdict_n > CHG_SIGNATURE_UNSUPPORTED ||
	    kind_n != (json_int_t)kind ||
	    (verdict_n != CHG_SIGNATURE_GOOD && json_array_size(principals_j)))
		return -1;
	result_init(out);
	out->verdict = (enum chg_signature_verdict)verdict_n;
	out->kind = kind;
	json_array_foreach(principals_j, i, p) {
		if (!json_is_string(p) || chg_strlist_add(&out->principals, json_string_value(p)) < 0)
			goto fail;
	}
	if ((json_is_string(key_j) && !(out->key = strdup(json_string_value(key_j)))) ||
	    !(out->detail = strdup(json_string_value(detail_j))))
		goto fail;
	return 0;
fail:
	chg_signature_result_release(out);
	return -1;
}

/* The entry of (id, digest) on disk, when there is one that checks: 1,
 * else 0 (the result is untouched). */
static int cache_load(struct chg_signature_result *out,
		      struct chg_signature_verifier *v, const git_oid *id,
		      const unsigned char *digest, enum chg_signature_kind kind)
{
	char name[GIT_OID_HEXSZ + 2 + 2 * SHA256_DIGEST_LENGTH];
	char mac[2 * SHA256_DIGEST_LENGTH + 1];
	struct chg_buf path = CHG_BUF_INIT, b = CHG_BUF_INIT;
	const char *json;
	size_t head = sizeof(CACHE_MAGIC) - 1 + 4 + 2 * SHA256_DIGEST_LENGTH + 1;
	json_t *j = NULL;
	mode_t mode;
	uid_t uid;
	int found = 0;

	entry_name(name, id, digest);
	if (chg_buf_printf(&path, "%s/%s", v->cache_dir, name) < 0 ||
	    read_small(&b, path.ptr, CACHE_ENTRY_MAX, &mode, &uid) < 0 ||
	    b.len < head || memcmp(b.ptr, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1) ||
	    memcmp(b.ptr + sizeof(CACHE_MAGIC) - 1, "mac ", 4) || b.ptr[head - 1] != '\n')
		goto cleanup;
	json = b.ptr + head;
	if (entry_mac(mac, v, name, json, b.len - head) < 0 ||
	    CRYPTO_memcmp(mac, b.ptr + sizeof(CACHE_MAGIC) - 1 + 4, sizeof(mac) - 1))
		goto cleanup;
	/* authentic: what this verifier wrote, or one with its key */
	if (!(j = json_loadb(json, b.len - head, JSON_REJECT_DUPLICATES, NULL)) ||
	    json_to_result(out, j, name, kind) < 0)
		goto cleanup;
	found = 1;
cleanup:
	json_decref(j);
	chg_buf_release(&path);
	chg_buf_release(&b);
	return found;
}

/* Writes the entry of (id, digest); nothing when it cannot. */
static void cache_store(struct chg_signature_verifier *v, const git_oid *id,
			const unsigned char *digest, const struct chg_signature_result *r)
{
	char name[GIT_OID_HEXSZ + 2 + 2 * SHA256_DIGEST_LENGTH];
	char mac[2 * SHA256_DIGEST_LENGTH + 1];
	struct chg_buf path = CHG_BUF_INIT, b = CHG_BUF_INIT;
	json_t *j, *principals;
	char *json = NULL;
	size_t i;

	entry_name(name, id, digest);
	if (!(principals = json_array()))
		return;
	for (i = 0; i < r->principals.n; i++)
		if (json_array_append_new(principals, json_string(r->principals.items[i])) < 0) {
			json_decref(principals);
			return;
		}
	j = json_pack("{s:s, s:i, s:i, s:s?, s:s, s:o}", "entry", name,
		      "verdict", (int)r->verdict, "kind", (int)r->kind,
		      "key", r->key, "detail", r->detail, "principals", principals);
	if (!j || !(json = json_dumps(j, JSON_COMPACT)) ||
	    entry_mac(mac, v, name, json, strlen(json)) < 0 ||
	    chg_buf_printf(&b, "%smac %s\n%s", CACHE_MAGIC, mac, json) < 0 ||
	    b.len > CACHE_ENTRY_MAX ||
	    chg_buf_printf(&path, "%s/%s", v->cache_dir, name) < 0)
		goto cleanup;
	write_atomic(v->cache_dir, path.ptr, b.ptr, b.len, 0);
cleanup:
	free(json);
	json_decref(j);
	chg_buf_release(&b);
	chg_buf_release(&path);
}

/* Reads one trust file of `tree` into `buf`: returns 1 when it exists, 0
 * when it does not.  A file over CHG_TRUST_MAX_SIZE makes the result an
 * error verdict and sets *stop. */
static int read_trust_file(struct chg_buf *buf, int *stop,
			   struct chg_signature_result *out,
			   enum chg_signature_kind kind, git_repository *repo,
			   const git_tree *tree, const char *path,
			   const char *origin)
{
	size_t size;
	int error;

	error = chg_tree_read(buf, &size, repo, tree, path, CHG_TRUST_MAX_SIZE);
	if (error == CHG_ELIMIT) {
		*stop = 1;
		out->kind = kind;
		return verdict(out, CHG_SIGNATURE_ERROR,
			       "its signature could not be verified: %s in %s is larger than %d bytes",
			       path, origin ? origin : "the trust", CHG_TRUST_MAX_SIZE);
	}
	return error == CHG_ENOTFOUND ? 0 : error < 0 ? error : 1;
}

int chg_signature_verify_commit_in(struct chg_signature_result *out,
				   struct chg_signature_verifier *v,
				   git_repository *repo, const git_commit *commit,
				   const git_tree *trust_tree, const char *origin,
				   const char *principal)
{
	struct chg_signature_trust trust = { NULL, 0, NULL, 0, NULL, NULL, 0 };
	git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
	struct chg_buf file = CHG_BUF_INIT, revoked = CHG_BUF_INIT;
	enum chg_signature_kind kind;
	unsigned char digest[SHA256_DIGEST_LENGTH];
	struct cached *hit;
	git_oid id;
	int error, stop = 0, has_signers = 0, has_revoked = 0, has_keys = 0;
	int cacheable = 0;

	result_init(out);
	trust.origin = origin;
	git_oid_cpy(&id, git_commit_id(commit));
	error = git_commit_extract_signature(&sig, &data, repo, &id, NULL);
	if (error == GIT_ENOTFOUND) {
		error = CHG_ENOTFOUND;
		goto cleanup;
	}
	if (error < 0) {
		error = CHG_EGIT;
		goto cleanup;
	}
	kind = chg_signature_kind(sig.ptr, sig.size);
	if (trust_tree && kind == CHG_SIGNATURE_SSH) {
		if ((error = has_signers = read_trust_file(&file, &stop, out, kind, repo,
					trust_tree, CHG_ALLOWED_SIGNERS_PATH, origin)) < 0 || stop ||
		    (error = has_revoked = read_trust_file(&revoked, &stop, out, kind, repo,
					trust_tree, CHG_REVOKED_KEYS_PATH, origin)) < 0 || stop)
			goto cleanup;
		trust.allowed_signers = has_signers ? file.ptr : NULL;
		trust.allowed_signers_len = file.len;
		trust.revoked_keys = has_revoked ? revoked.ptr : NULL;
		trust.revoked_keys_len = revoked.len;
	} else if (trust_tree && kind == CHG_SIGNATURE_OPENPGP) {
		if ((error = has_keys = read_trust_file(&file, &stop, out, kind, repo,
					trust_tree, CHG_KEYS_PATH, origin)) < 0 || stop)
			goto cleanup;
		trust.keys = has_keys ? file.ptr : NULL;
		trust.keys_len = file.len;
	}
	if (kind == CHG_SIGNATURE_SSH || kind == CHG_SIGNATURE_OPENPGP) {
		if ((error = cache_digest(digest, v, &trust, principal)) == CHG_ENOMEM)
			goto cleanup;
		cacheable = !error;
	}
	if (cacheable && (hit = cache_find(v, &id, digest))) {
		error = result_copy(out, &hit->r);
		goto cleanup;
	}
	if (cacheable)
		cache_open(v, repo);
	if (cacheable && v->cache_on && cache_load(out, v, &id, digest, kind)) {
		cache_put(v, &id, digest, out);
		error = 0;
		goto cleanup;
	}
	error = chg_signature_verify(out, v, &trust, sig.ptr, sig.size, data.ptr,
				     data.size, (int64_t)git_commit_time(commit),
				     principal);
	/* a program that could not run is not a verdict to keep */
	if (!error && cacheable && out->verdict != CHG_SIGNATURE_ERROR) {
		cache_put(v, &id, digest, out);
		if (v->cache_on)
			cache_store(v, &id, digest, out);
	}
cleanup:
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
	chg_buf_release(&file);
	chg_buf_release(&revoked);
	return error;
}

/* Whether `commit` carries an SSH or OpenPGP signature. */
static int verifiable_kind(git_repository *repo, const git_commit *commit)
{
	git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
	enum chg_signature_kind kind = CHG_SIGNATURE_NONE;
	git_oid id;

	git_oid_cpy(&id, git_commit_id(commit));
	if (git_commit_extract_signature(&sig, &data, repo, &id, NULL) == 0)
		kind = chg_signature_kind(sig.ptr, sig.size);
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
	return kind == CHG_SIGNATURE_SSH || kind == CHG_SIGNATURE_OPENPGP;
}

int chg_signature_verify_commit(struct chg_signature_result *out,
				struct chg_signature_verifier *v,
				git_repository *repo, const git_commit *commit,
				const char *principal)
{
	struct chg_buf origin = CHG_BUF_INIT;
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	char sid[8];
	int error;

	/* Only a signature there is trust for needs the first parent: a shallow
	 * clone's boundary commit has none here. */
	if (git_commit_parentcount(commit) > 0 &&
	    verifiable_kind(repo, commit)) {
		if (git_commit_parent(&parent, commit, 0) < 0 ||
		    git_commit_tree(&tree, parent) < 0) {
			result_init(out);
			error = CHG_EGIT;
			goto cleanup;
		}
		if (chg_buf_printf(&origin, "its first parent %s",
				   chg_oid_short(sid, git_commit_id(parent))) < 0) {
			result_init(out);
			error = CHG_ENOMEM;
			goto cleanup;
		}
	}
	error = chg_signature_verify_commit_in(out, v, repo, commit, tree,
					       tree ? origin.ptr : NULL, principal);
cleanup:
	git_tree_free(tree);
	git_commit_free(parent);
	chg_buf_release(&origin);
	return error;
}

int chg_signature_present(git_repository *repo, const git_commit *commit)
{
	git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
	git_oid id;
	int rc;

	git_oid_cpy(&id, git_commit_id(commit));
	rc = git_commit_extract_signature(&sig, &data, repo, &id, NULL);
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
	return rc == 0;
}
