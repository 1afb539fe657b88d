/*
 * signature.h - verifying the signature of a commit (DESIGN section 5).
 *
 * A signed commit carries its signature in the `gpgsig` header; the signed
 * data is the commit object without that header (git_commit_extract_
 * signature).  The armor says what kind of signature it is:
 *
 *   -----BEGIN SSH SIGNATURE-----  SSH (OpenSSH PROTOCOL.sshsig), verified
 *	with namespace "git" against an allowed signers file (ssh-keygen(1),
 *	ALLOWED SIGNERS): the principals, cert-authority, namespaces=,
 *	valid-after= and valid-before= are OpenSSH's own semantics, evaluated
 *	at the commit's committer time.  Plain Ed25519, ECDSA and RSA keys are
 *	verified in the process (sshsig.h), with the verdicts and details
 *	ssh-keygen's would give; certificates, KRLs and whatever sshsig.c does
 *	not read exactly as OpenSSH does are verified by running ssh-keygen
 *	-Y find-principals and -Y verify;
 *   -----BEGIN PGP SIGNATURE-----  OpenPGP (RFC 4880), verified by gpg(1)
 *	in a throwaway GNUPGHOME that holds only the given armored keys; the
 *	signer's principals are the emails of the signing key's user ids;
 *	a key expired at the commit's date or revoked does not verify;
 *   -----BEGIN SIGNED MESSAGE-----  X.509 (CMS): not supported.
 *
 * Nothing is taken from the user's configuration: the programs run without
 * a shell, in a private directory (mkdtemp, mode 0700) that is their HOME
 * and GNUPGHOME, with an environment of PATH, HOME, GNUPGHOME, LC_ALL=C and
 * TZ=UTC only (no SSH_AUTH_SOCK, no GPG_AGENT_INFO, no git configuration).
 * The trust files are what the caller passes: chg_signature_verify_commit
 * reads them from the commit's first parent, so a commit cannot trust the
 * key it adds.
 *
 * Verdicts of commits are cached (chg_signature_verify_commit and _in),
 * under the commit's id and a SHA-256 digest of everything else the verdict
 * depends on: the trust files passed and whether each exists, the
 * verifier's further revocations and their origin (chg_signature_verifier_
 * set_revoked), the origin the details name, the expected principal, the
 * programs, ssh_keygen_only and the cache's format.  A hit is the whole
 * result as a fresh verification makes it; a CHG_SIGNATURE_ERROR verdict
 * (a program that could not run) is never kept.
 *
 *   In memory: always, for the life of the verifier.
 *   On disk: where the configuration of the repository verified in has
 *	chg.cache true (read once per verifier and repository): one file a
 *	verdict in $GIT_DIR/chg/signatures/ (the common directory of a
 *	worktree; directories mode 0700, files 0600, written to a temporary
 *	file and renamed), each authenticated with HMAC-SHA256 under a random
 *	32-byte key in $GIT_DIR/chg/cache-key, made on first use.  An entry
 *	whose MAC, name, size or format does not check is not believed, and
 *	is written again after the signature is verified; a key file that is
 *	not the user's own 32 bytes, private, is replaced.  Whoever can write
 *	the cache and its key can make a signature look good: only the user
 *	who made it should use it (see chg-lint(1) on CI).  Any failure of the
 *	cache (a directory or file that cannot be made, read or written)
 *	falls back to verifying: the cache only speeds up, and deleting it
 *	changes no result.
 *
 * Ownership: a verifier owns its private directory and removes it in
 * chg_signature_verifier_free.  A result owns its strings and principals;
 * chg_signature_result_release frees them.  The verifier keeps no pointer
 * to what the caller passes.
 *
 *	struct chg_signature_verifier *v;
 *	struct chg_signature_result r;
 *	chg_signature_verifier_new(&v, NULL);
 *	if (chg_signature_verify_commit(&r, v, repo, commit, "dave@example.com") == 0 &&
 *	    chg_signature_has_principal(&r, "dave@example.com"))
 *		...;   (a good signature by dave; else r.verdict and r.detail say why)
 *	chg_signature_result_release(&r);
 *	chg_signature_verifier_free(v);
 */
#ifndef CHG_SIGNATURE_H
#define CHG_SIGNATURE_H

#include <git2.h>
#include <stddef.h>
#include <stdint.h>

#include "repo.h"

/* Where a repository keeps its trust, in the first parent's tree. */
#define CHG_ALLOWED_SIGNERS_PATH ".chg/allowed_signers"
#define CHG_KEYS_PATH ".chg/keys.asc"
/* Revoked SSH keys and certificates: an OpenSSH KRL or public keys, one a
 * line, as ssh-keygen -Y verify -r reads them. */
#define CHG_REVOKED_KEYS_PATH ".chg/revoked_keys"

/* The largest trust file read, in bytes. */
#define CHG_TRUST_MAX_SIZE (1024 * 1024)

enum chg_signature_kind {
	CHG_SIGNATURE_NONE = 0,  /* the commit is not signed */
	CHG_SIGNATURE_SSH,
	CHG_SIGNATURE_OPENPGP,
	CHG_SIGNATURE_X509,
	CHG_SIGNATURE_OTHER      /* an armor chg does not know */
};

enum chg_signature_verdict {
	CHG_SIGNATURE_ERROR = 0,   /* not verified: the verifier could not be
				      run (and a zeroed result: nothing is good
				      unless verified) */
	CHG_SIGNATURE_GOOD,        /* valid, by a trusted key: see principals */
	CHG_SIGNATURE_BAD,         /* does not verify: the data changed, the
				      namespace is not "git", it is malformed
				      or not a detached signature */
	CHG_SIGNATURE_UNKNOWN_KEY, /* the key is not trusted: not in the trust
				      file, no trust file, not valid at the
				      commit's time, expired or revoked */
	CHG_SIGNATURE_UNSUPPORTED  /* X.509 or an unknown kind */
};

struct chg_signature_result {
	enum chg_signature_verdict verdict;
	enum chg_signature_kind kind;
	/*
	 * The signer's principals.  For SSH: the caller's expected principal
	 * when the signature verified for it; else those ssh-keygen -Y
	 * find-principals names for the key (as written in the allowed
	 * signers, so possibly patterns: "*@example.com").  For OpenPGP: the
	 * emails of the signing key's user ids that are not revoked.  Empty
	 * unless GOOD.
	 */
	struct chg_strlist principals;
	/* The key: "ED25519 key SHA256:<base64>" for SSH, "OpenPGP key <hex
	 * fingerprint of the primary key>"; NULL when unknown. */
	char *key;
	/* One line for messages: why the signature does not count, written
	 * to follow "does not count: " ("its SSH signature does not verify:
	 * ..."), or for GOOD what it is.  Never NULL after a call that
	 * returned 0. */
	char *detail;
};

#define CHG_SIGNATURE_RESULT_INIT { CHG_SIGNATURE_ERROR, CHG_SIGNATURE_NONE, \
				    CHG_STRLIST_INIT, NULL, NULL }

struct chg_signature_options {
	const char *ssh_keygen; /* the program; NULL: "ssh-keygen" from PATH */
	const char *gpg;        /* the program; NULL: "gpg" from PATH */
	const char *tmpdir;     /* where the private directory is made; NULL:
				   $TMPDIR, else /tmp */
	int ssh_keygen_only;    /* 1: judge every SSH signature with
				   ssh-keygen, none in the process (to compare
				   the two) */
};

#define CHG_SIGNATURE_OPTIONS_INIT { NULL, NULL, NULL, 0 }

/* The trust a signature is verified against. */
struct chg_signature_trust {
	/* The content of .chg/allowed_signers (OpenSSH allowed signers
	 * format) and .chg/keys.asc (armored OpenPGP public keys); NULL when
	 * there is no such file.  Borrowed for the call. */
	const char *allowed_signers;
	size_t allowed_signers_len;
	const char *keys;
	size_t keys_len;
	/* For messages: where the trust files come from ("its first parent
	 * 1234567"); NULL when there are none to be had at all (a root
	 * commit). */
	const char *origin;
	/* The content of .chg/revoked_keys from the same tree (NULL: none):
	 * passed to every ssh-keygen -Y verify and find-principals as -r.  A
	 * signature by a key (or by a certificate, or a certificate
	 * authority) it revokes is CHG_SIGNATURE_UNKNOWN_KEY, as ssh-keygen
	 * reports it ("Could not verify signature", not "incorrect
	 * signature"), with a detail saying the key is revoked.  A file
	 * ssh-keygen cannot read fails closed: nothing verifies.  Borrowed. */
	const char *revoked_keys;
	size_t revoked_keys_len;
};

struct chg_signature_verifier;

/*
 * Makes a verifier.  Its private directory (mode 0700) is made at the first
 * verification; when it cannot be, that verification's verdict is
 * CHG_SIGNATURE_ERROR.  `opts` may be NULL for the defaults; its strings are
 * copied.  Returns 0 or CHG_ENOMEM.
 */
int chg_signature_verifier_new(struct chg_signature_verifier **out,
			       const struct chg_signature_options *opts);

/*
 * Sets further revocations that every following SSH verification by `v`
 * applies on top of the trust's own: `revoked` (`len` bytes, the content of
 * a .chg/revoked_keys; NULL: none) from the trust named `origin` in
 * messages ("the evaluated revision's trust (in 1234567)").  A signature
 * that is good under its trust but by a key these revoke is
 * CHG_SIGNATURE_UNKNOWN_KEY: revocation means compromise, so it reaches
 * back to signatures made before it.  Both are copied.  Returns 0 or
 * CHG_ENOMEM.
 */
int chg_signature_verifier_set_revoked(struct chg_signature_verifier *v,
				       const char *revoked, size_t len,
				       const char *origin);

/* Removes the private directory and frees `v`.  NULL-safe. */
void chg_signature_verifier_free(struct chg_signature_verifier *v);

/* The kind of a signature, from its first line.  `sig` need not be
 * NUL-terminated. */
enum chg_signature_kind chg_signature_kind(const char *sig, size_t len);

/* "SSH", "OpenPGP", "X.509", "unknown" or "no": static. */
const char *chg_signature_kind_name(enum chg_signature_kind kind);

/*
 * Verifies the detached signature `sig` (`sig_len` bytes, armored) over
 * `data` (`data_len` bytes) made at `when` (seconds since the epoch)
 * against `trust`, and fills
 * `out` (release with chg_signature_result_release, also after an error).
 *
 * `principal`, when not NULL, is the principal the caller expects (an
 * approver's email).  For SSH it is tried first with ssh-keygen -Y verify
 * -I (one run of ssh-keygen in the common case; a pattern in the allowed
 * signers can admit it, as OpenSSH matches patterns); when that fails,
 * -Y find-principals names the key's principals and the one equal to
 * `principal` ignoring case, else the first, is verified, so that a good
 * signature by someone else is GOOD with their principals.  It never makes
 * a bad signature good.  For OpenPGP it is not used.
 *
 * SSH validity (valid-after, valid-before, certificates) is judged at
 * `when`; so is OpenPGP key expiry (a key that has expired since is
 * verified again with GnuPG's --faked-system-time set to `when`), while
 * an OpenPGP revocation is judged now: a revoked key does not verify,
 * whatever `when` is.
 *
 * Returns 0 with out->verdict set; CHG_ENOMEM.  A program that cannot be
 * run or a file that cannot be written is CHG_SIGNATURE_ERROR, not an
 * error code: the signature simply is not good.
 */
int chg_signature_verify(struct chg_signature_result *out,
			 struct chg_signature_verifier *v,
			 const struct chg_signature_trust *trust,
			 const char *sig, size_t sig_len,
			 const char *data, size_t data_len,
			 int64_t when, const char *principal);

/*
 * Verifies the signature of `commit` (the "gpgsig" header, extracted with
 * git_commit_extract_signature) at its committer time, against the trust
 * files as they are in the tree of its first parent (CHG_ALLOWED_SIGNERS_
 * PATH and CHG_REVOKED_KEYS_PATH for SSH, CHG_KEYS_PATH for OpenPGP): a
 * commit cannot trust the key it adds, and a root commit trusts no key.  `principal` as for
 * chg_signature_verify.
 *
 * The verdict may come from the cache (see the top of this file), which
 * chg.cache in `repo`'s configuration puts on disk.
 *
 * Returns 0 with out->verdict set; CHG_ENOTFOUND when the commit is not
 * signed (out->kind is CHG_SIGNATURE_NONE); CHG_EGIT (the commit or its
 * first parent's tree cannot be read; git_error_last() says why);
 * CHG_ENOMEM.  `out` is to be released in every case.
 */
int chg_signature_verify_commit(struct chg_signature_result *out,
				struct chg_signature_verifier *v,
				git_repository *repo, const git_commit *commit,
				const char *principal);

/*
 * As chg_signature_verify_commit, but against the trust files of
 * `trust_tree` (NULL: no trust at all, so no key is known), named
 * `origin` in messages ("its first parent abc1234", "the last approved
 * trust (in def5678)"; NULL: "the trust").  The one implementation the
 * other verifiers of commits call, and where verdicts are cached.
 * Returns as chg_signature_verify_commit.
 */
int chg_signature_verify_commit_in(struct chg_signature_result *out,
				   struct chg_signature_verifier *v,
				   git_repository *repo, const git_commit *commit,
				   const git_tree *trust_tree, const char *origin,
				   const char *principal);

/*
 * Whether `r` is a good signature whose principals include `email`
 * (compared case-insensitively; a pattern in the principals is not
 * expanded here).
 */
int chg_signature_has_principal(const struct chg_signature_result *r,
				const char *email);

/* Frees what `r` holds and resets it to CHG_SIGNATURE_RESULT_INIT (not
 * verified).  NULL-safe. */
void chg_signature_result_release(struct chg_signature_result *r);

/*
 * Returns 1 when `commit` carries a signature (a gpgsig header, as
 * git_commit_extract_signature finds it), else 0.  Nothing is verified.
 */
int chg_signature_present(git_repository *repo, const git_commit *commit);

#endif
