#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "error.h"
#include "init.h"
#include "policy.h"
#include "process.h"
#include "banned.h"

/* The largest key file read, in bytes. */
#define INIT_KEY_MAX (1024 * 1024)

static const char policy_head[] =
	"# The change policy of this repository, merged over chg's built-in\n"
	"# policy (extends: default): mappings merge key by key, a list replaces\n"
	"# the built-in one.  Everything not set here is the default; see\n"
	"# chg-policy(5) and `chg policy show`.\n"
	"#\n"
	"# This file, .chg/allowed_signers, .chg/keys.asc and .chg/catalog/ are\n"
	"# the trust files: a commit that changes them needs the approvals of\n"
	"# approvals.trust (two from the CAB with the built-in policy), signed\n"
	"# with keys the trust files held before it.\n"
	"version: 1\n"
	"extends: default\n";

static const char catalog_entry[] =
	"# Standard change: reset the password of a single directory account.\n"
	"# A starter entry of the standard-change catalog: edit it, or add\n"
	"# entries (.chg/catalog/NAME.yaml) for the procedures your CAB has\n"
	"# pre-approved.  A change request names it in standard-template.\n"
	"name: password-reset\n"
	"title: Reset the password of a single directory account\n"
	"description: |\n"
	"  A user is locked out or has forgotten their password.  One account,\n"
	"  one directory, no change to groups or permissions.\n"
	"procedure: |\n"
	"  1. Verify the requester's identity with the call-back procedure.\n"
	"  2. Reset the password with \"user must change password at next logon\"\n"
	"     set; unlock the account if it is locked.\n"
	"  3. Hand the temporary password over by phone, never by e-mail.\n"
	"  4. Confirm with the user that they can log in.\n"
	"# A change request that uses this entry must meet these conditions.\n"
	"constraints:\n"
	"  risk.level: [low]\n"
	"  impact.scope: [none, individual]\n";

static const char commit_message[] =
	"Set up the change repository\n"
	"\n"
	"The policy, the approvers' keys and the standard-change catalog: the\n"
	"root of trust.  Servers and CI pin this commit (git config\n"
	"chg.trustRoot, CHG_TRUST_ROOT); every later change of these files\n"
	"needs the approvals the policy asks for.\n";

/* An email address chg_init writes unquoted into YAML and allowed_signers. */
static int is_email(const char *s, size_t len)
{
	size_t i, at = 0, nat = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '@') {
			at = i;
			nat++;
		} else if (!isalnum(c) && !strchr(".-_+%", c)) {
			return 0;
		}
	}
	return nat == 1 && at > 0 && at + 1 < len;
}

/* The email of the identity "Name <email>" into `out`. */
static int identity_email(struct chg_buf *out, struct chg_buf *err,
			  const char *identity)
{
	const char *lt = strrchr(identity, '<');
	size_t len = strlen(identity);

	if (!lt || lt == identity || len < 2 || identity[len - 1] != '>' ||
	    !is_email(lt + 1, (size_t)(identity + len - 1 - (lt + 1)))) {
		chg_buf_printf(err, "'%s' is not an identity 'Name <email>'", identity);
		return CHG_EINVALID;
	}
	return chg_buf_put(out, lt + 1, (size_t)(identity + len - 1 - (lt + 1)));
}

static int is_client(const char *s)
{
	if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
			return 0;
	return 1;
}

/* Appends "  NAME: [a, b]\n" for a group, checking each is an approver's
 * email (`emails`: NUL-separated, napprovers of them). */
static int put_group(struct chg_buf *out, struct chg_buf *err, const char *name,
		     const char *const *list, size_t n,
		     const struct chg_init_options *opts)
{
	struct chg_buf email = CHG_BUF_INIT;
	size_t i, j;
	int error = chg_buf_printf(out, "    %s: [", name);

	for (i = 0; !error && i < n; i++) {
		int found = 0;

		if (!is_email(list[i], strlen(list[i]))) {
			chg_buf_printf(err, "'%s' (%s) is not an email address", list[i], name);
			error = CHG_EINVALID;
			break;
		}
		for (j = 0; !found && j < opts->napprovers; j++) {
			chg_buf_clear(&email);
			if ((error = identity_email(&email, err, opts->approvers[j].identity)) < 0)
				break;
			found = !strcasecmp(email.ptr, list[i]);
		}
		if (error < 0)
			break;
		if (!found) {
			chg_buf_printf(err, "%s member '%s' is not one of the approvers (--approver)",
				       name, list[i]);
			error = CHG_EINVALID;
			break;
		}
		error = chg_buf_printf(out, "%s%s", i ? ", " : "", list[i]);
	}
	if (!error)
		error = chg_buf_puts(out, "]\n");
	chg_buf_release(&email);
	return error;
}

int chg_init_policy(struct chg_buf *out, struct chg_buf *err,
		    const struct chg_init_options *opts)
{
	size_t i;
	int error;

	if ((error = chg_buf_puts(out, policy_head)) < 0)
		return error;
	if (opts->nclients) {
		if ((error = chg_buf_puts(out, "\n# A change request's client must be one of these.\nclients: [")) < 0)
			return error;
		for (i = 0; i < opts->nclients; i++) {
			if (!is_client(opts->clients[i])) {
				chg_buf_printf(err, "'%s' is not a client name (lowercase letters, digits and '-')",
					       opts->clients[i]);
				return CHG_EINVALID;
			}
			if ((error = chg_buf_printf(out, "%s%s", i ? ", " : "",
						    opts->clients[i])) < 0)
				return error;
		}
		if ((error = chg_buf_puts(out, "]\n")) < 0)
			return error;
	}
	if ((error = chg_buf_puts(out,
		"\n"
		"# Who may approve: emails of .chg/allowed_signers or .chg/keys.asc.\n"
		"# The built-in rules: a normal change needs one approval from the\n"
		"# managers or the CAB, two from the CAB at high or critical risk; an\n"
		"# emergency change one from the emergency group (here the CAB).\n"
		"approvals:\n"
		"  groups:\n")) < 0 ||
	    (error = put_group(out, err, "cab", opts->cab, opts->ncab, opts)) < 0 ||
	    (error = put_group(out, err, "managers", opts->managers, opts->nmanagers, opts)) < 0 ||
	    (error = put_group(out, err, "emergency", opts->cab, opts->ncab, opts)) < 0)
		return error;
	return chg_buf_puts(out,
		"\n"
		"# The schedule (chg-policy(5)): two changes on one system with\n"
		"# overlapping windows conflict.  Add each client's time zone and\n"
		"# maintenance windows, blackouts (a year-end freeze) and the notice\n"
		"# normal changes give (notice: {normal: 48h}) here.\n"
		"schedule:\n"
		"  conflicts: {same-system: error}\n");
}

/* Reads the key file of `a` into allowed_signers or keys.asc. */
static int add_key(struct chg_buf *signers, struct chg_buf *asc,
		   struct chg_buf *err, const struct chg_init_approver *a)
{
	static const char *const ssh_types[] = {
		"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256",
		"ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
		"sk-ssh-ed25519@openssh.com",
		"sk-ecdsa-sha2-nistp256@openssh.com", NULL
	};
	struct chg_buf email = CHG_BUF_INIT, text = CHG_BUF_INIT;
	char chunk[4096];
	const char *p, *t, *k, *e;
	ssize_t n;
	size_t i;
	int fd = -1, error;

	if ((error = identity_email(&email, err, a->identity)) < 0)
		goto cleanup;
	if (!a->key_file) {
		chg_buf_printf(err, "approver '%s' has no --key", a->identity);
		error = CHG_EINVALID;
		goto cleanup;
	}
	if ((fd = open(a->key_file, O_RDONLY | O_CLOEXEC)) < 0) {
		error = CHG_EIO;
		chg_buf_printf(err, "cannot open '%s': %s", a->key_file, strerror(errno));
		goto cleanup;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || text.len + (size_t)n > INIT_KEY_MAX) {
			error = CHG_EIO;
			chg_buf_printf(err, "cannot read '%s': %s", a->key_file,
				       n < 0 ? strerror(errno) : "file too large");
			goto cleanup;
		}
		if ((error = chg_buf_put(&text, chunk, (size_t)n)) < 0)
			goto cleanup;
	}
	if (strlen(text.ptr) != text.len)
		goto bad;
	if (strstr(text.ptr, "-----BEGIN PGP PUBLIC KEY BLOCK-----") &&
	    strstr(text.ptr, "-----END PGP PUBLIC KEY BLOCK-----")) {
		error = chg_buf_puts(asc, text.ptr);
		if (!error && text.ptr[text.len - 1] != '\n')
			error = chg_buf_putc(asc, '\n');
		goto cleanup;
	}
	/* One line: TYPE BASE64 [COMMENT] */
	p = text.ptr;
	while (*p == ' ' || *p == '\t')
		p++;
	t = p;
	while (*p && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	for (i = 0; ssh_types[i]; i++)
		if (strlen(ssh_types[i]) == (size_t)(p - t) &&
		    !memcmp(ssh_types[i], t, (size_t)(p - t)))
			break;
	if (!ssh_types[i] || (*p != ' ' && *p != '\t'))
		goto bad;
	while (*p == ' ' || *p == '\t')
		p++;
	k = p;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '/' || *p == '=')
		p++;
	e = p;
	if (e - k < 16 || (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r'))
		goto bad;
	p = strchr(p, '\n');
	while (p && *p) {
		if (!isspace((unsigned char)*p))
			goto bad;  /* more than one key */
		p++;
	}
	error = chg_buf_printf(signers, "%s namespaces=\"git\" %.*s %.*s\n", email.ptr,
			       (int)strlen(ssh_types[i]), t, (int)(e - k), k);
	goto cleanup;
bad:
	error = CHG_EINVALID;
	chg_buf_printf(err, "'%s' is neither an SSH public key (one line, as in NAME.pub) "
		       "nor an armored OpenPGP public key", a->key_file);
cleanup:
	if (fd >= 0)
		close(fd);
	chg_buf_release(&text);
	chg_buf_release(&email);
	return error;
}

/* What chg_init did so far, to take it back. */
struct init {
	const char *top;            /* the working tree, with a final '/' */
	struct chg_buf err;
	char *created[10];          /* files and directories, in order */
	size_t ncreated;
	const char *paths[3];       /* what is committed, NULL-terminated */
	int staged, committed, had_head;
	git_oid old_head;
};

/* Runs git in the working tree; its standard error is the caller's. */
static int run_git(struct init *in, struct chg_buf *err, const char *const *argv)
{
	struct chg_process_options opts = CHG_PROCESS_OPTIONS_INIT;
	struct chg_process_status st;
	struct chg_buf out = CHG_BUF_INIT;
	int error;

	opts.dir = in->top;
	opts.inherit_stderr = 1;
	error = chg_process_run(&st, &out, NULL, argv, &opts);
	chg_buf_release(&out);
	if (error < 0) {
		chg_buf_printf(err, "cannot run git: %s",
			       st.errnum ? strerror(st.errnum) : chg_error_str(error));
		return error;
	}
	if (!st.exited || st.code) {
		chg_buf_printf(err, "'git %s' failed", argv[1]);
		return CHG_ERROR;
	}
	return 0;
}

static int make(struct init *in, struct chg_buf *err, const char *rel,
		const char *content, size_t len)
{
	struct chg_buf path = CHG_BUF_INIT;
	size_t done = 0;
	int fd = -1, error;

	if ((error = chg_buf_printf(&path, "%s%s", in->top, rel)) < 0)
		goto cleanup;
	if (!content) {
		if (mkdir(path.ptr, 0777) < 0)
			goto fail;
	} else {
		if ((fd = open(path.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) < 0)
			goto fail;
	}
	in->created[in->ncreated++] = chg_buf_detach(&path);
	while (done < len) {
		ssize_t n = write(fd, content + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		done += (size_t)n;
	}
	if (fd >= 0) {
		int rc = close(fd);

		fd = -1;
		if (rc < 0)
			goto fail;
	}
	goto cleanup;
fail:
	error = CHG_EIO;
	chg_buf_printf(err, "cannot write '%s': %s", rel, strerror(errno));
cleanup:
	if (fd >= 0)
		close(fd);
	chg_buf_release(&path);
	return error;
}

/* Takes back what was done; errors are reported, the rest goes on. */
static void undo(struct init *in)
{
	struct chg_buf ignored = CHG_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];

	if (in->committed) {
		if (in->had_head) {
			const char *argv[] = { "git", "update-ref", "HEAD", hex, NULL };

			git_oid_tostr(hex, sizeof(hex), &in->old_head);
			run_git(in, &ignored, argv);
		} else {
			const char *argv[] = { "git", "update-ref", "-d", "HEAD", NULL };

			run_git(in, &ignored, argv);
		}
	}
	if (in->staged) {
		const char *argv[] = { "git", "rm", "-q", "-r", "--cached",
				       "--ignore-unmatch", "--", in->paths[0],
				       in->paths[1], NULL };

		run_git(in, &ignored, argv);
	}
	while (in->ncreated > 0) {
		const char *p = in->created[--in->ncreated];

		if (unlink(p) < 0)
			rmdir(p);
		free(in->created[in->ncreated]);
	}
	chg_buf_release(&ignored);
}

static int exists(const char *top, const char *rel)
{
	struct chg_buf path = CHG_BUF_INIT;
	struct stat st;
	int rc;

	if (chg_buf_printf(&path, "%s%s", top, rel) < 0)
		return CHG_ENOMEM;
	rc = lstat(path.ptr, &st) == 0;
	chg_buf_release(&path);
	return rc;
}

/* Whether the index or HEAD has .chg. */
static int repo_has_chg(git_repository *repo)
{
	git_index *index = NULL;
	git_object *obj = NULL;
	size_t pos;
	int found = 0;

	if (git_repository_index(&index, repo) == 0 &&
	    git_index_find_prefix(&pos, index, ".chg/") == 0)
		found = 1;
	git_index_free(index);
	if (!found && git_revparse_single(&obj, repo, "HEAD:.chg") == 0)
		found = 1;
	git_object_free(obj);
	git_error_clear();
	return found;
}

int chg_init(git_oid *out, struct chg_buf *err,
	     const struct chg_init_options *opts)
{
	struct init in;
	struct chg_buf policy = CHG_BUF_INIT, signers = CHG_BUF_INIT;
	struct chg_buf asc = CHG_BUF_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_policy *loaded = NULL;
	git_repository *repo = NULL;
	size_t i;
	int error;

	memset(&in, 0, sizeof(in));
	git_libgit2_init();
	if (git_repository_open_ext(&repo, opts->dir, 0, NULL) < 0) {
		error = CHG_ENOTFOUND;
		chg_buf_printf(err, "'%s' is not in a git repository; run 'git init' first",
			       opts->dir);
		goto cleanup;
	}
	if (!(in.top = git_repository_workdir(repo))) {
		error = CHG_ENOTFOUND;
		chg_buf_puts(err, "a bare repository has no working tree to set up");
		goto cleanup;
	}
	if (exists(in.top, ".chg") || repo_has_chg(repo)) {
		error = CHG_EINVALID;
		chg_buf_puts(err, "the repository has .chg already; nothing was changed");
		goto cleanup;
	}

	/* Everything is checked before anything is written. */
	if ((error = chg_init_policy(&policy, err, opts)) < 0)
		goto cleanup;
	for (i = 0; i < opts->napprovers; i++)
		if ((error = add_key(&signers, &asc, err, &opts->approvers[i])) < 0)
			goto cleanup;
	if ((error = chg_policy_load(&loaded, policy.ptr, policy.len,
				     ".chg/policy.yaml", &diags)) < 0) {
		chg_buf_printf(err, "the policy made is invalid: %s",
			       diags.n ? diags.items[0].message : chg_error_str(error));
		goto cleanup;
	}
	in.had_head = git_reference_name_to_id(&in.old_head, repo, "HEAD") == 0;
	git_error_clear();

	in.paths[0] = ".chg";
	if ((error = make(&in, err, ".chg", NULL, 0)) < 0 ||
	    (error = make(&in, err, ".chg/policy.yaml", policy.ptr, policy.len)) < 0 ||
	    (error = make(&in, err, ".chg/allowed_signers", signers.ptr, signers.len)) < 0 ||
	    (asc.len && (error = make(&in, err, ".chg/keys.asc", asc.ptr, asc.len)) < 0) ||
	    (error = make(&in, err, ".chg/catalog", NULL, 0)) < 0 ||
	    (error = make(&in, err, ".chg/catalog/password-reset.yaml",
			  catalog_entry, sizeof(catalog_entry) - 1)) < 0)
		goto cleanup;
	if (!exists(in.top, "changes")) {
		in.paths[1] = "changes/.gitkeep";
		if ((error = make(&in, err, "changes", NULL, 0)) < 0 ||
		    (error = make(&in, err, "changes/.gitkeep", "", 0)) < 0)
			goto cleanup;
	}
	{
		const char *argv[] = { "git", "add", "--", in.paths[0], in.paths[1], NULL };

		in.staged = 1;
		if ((error = run_git(&in, err, argv)) < 0)
			goto cleanup;
	}
	{
		const char *argv[] = { "git", "commit", "-q", "-m", commit_message,
				       "--", in.paths[0], in.paths[1], NULL };

		if ((error = run_git(&in, err, argv)) < 0)
			goto cleanup;
		in.committed = 1;
	}
	if (git_reference_name_to_id(out, repo, "HEAD") < 0) {
		error = CHG_EGIT;
		chg_buf_printf(err, "cannot read HEAD: %s", git_error_last()->message);
		goto cleanup;
	}
	if (in.had_head && git_oid_equal(out, &in.old_head)) {
		in.committed = 0;
		error = CHG_ERROR;
		chg_buf_puts(err, "git commit made no commit");
		goto cleanup;
	}
	if (opts->hooks_path) {
		const char *argv[] = { "git", "config", "core.hooksPath",
				       opts->hooks_path, NULL };

		if ((error = run_git(&in, err, argv)) < 0)
			goto cleanup;
	}
	error = 0;
cleanup:
	if (error < 0)
		undo(&in);
	for (i = 0; i < in.ncreated; i++)
		free(in.created[i]);
	chg_policy_free(loaded);
	chg_diag_list_release(&diags);
	chg_buf_release(&asc);
	chg_buf_release(&signers);
	chg_buf_release(&policy);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return error;
}
