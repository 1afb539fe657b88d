/*
 * sshsig.h - SSH signatures verified in the process (OpenSSH
 * PROTOCOL.sshsig), with OpenSSH's own rules for the allowed signers
 * (ssh-keygen(1), ALLOWED SIGNERS) and for a revoked keys file of plain
 * public keys.
 *
 * This module answers only what it can answer exactly as ssh-keygen 9.x
 * would; everything else it reports as CHG_SSHSIG_UNSUPPORTED (or a trust
 * file as not understood), and the caller (signature.c) then asks
 * ssh-keygen itself.  What is verified here: plain Ed25519 (RFC 8709),
 * ECDSA on P-256, P-384 and P-521 (RFC 5656) and RSA with rsa-sha2-256 or
 * rsa-sha2-512 (RFC 8332; never ssh-rsa with SHA-1) keys, signatures of
 * version 1 with an empty reserved field and hash sha256 or sha512, every
 * number and point in its one canonical encoding.  Not here: certificates,
 * security keys (sk-*), DSA, KRLs.
 *
 * The signed blob is "SSHSIG" || string namespace || string "" ||
 * string hash_algorithm || string H(message); the signature's algorithm
 * must be the key's (rsa-sha2-256/512 for RSA).
 *
 * Ownership: a chg_sshsig result owns its key blob and fingerprint
 * (chg_sshsig_release); a parsed allowed signers or revoked keys file is a
 * heap object of its own (chg_sshsig_signers_free, chg_sshsig_revoked_free)
 * that keeps no pointer to the text it was parsed from.
 *
 *	struct chg_sshsig s;
 *	struct chg_sshsig_signers *signers;
 *	chg_sshsig_verify(&s, armored, armored_len, "git", data, data_len);
 *	if (s.status == CHG_SSHSIG_OK && chg_sshsig_signers_parse(&signers, text, len) == 0 &&
 *	    !signers->uncertain && chg_sshsig_signers_allow(signers, &s.key, "dave@example.com", "git", when))
 *		...;   (s.fingerprint: "ED25519 key SHA256:...")
 *	chg_sshsig_signers_free(signers);
 *	chg_sshsig_release(&s);
 */
#ifndef CHG_SSHSIG_H
#define CHG_SSHSIG_H

#include <stddef.h>
#include <stdint.h>

#include "repo.h"

enum chg_sshsig_status {
	CHG_SSHSIG_OK = 0,      /* made for the namespace, over the data, by
				   out->key */
	CHG_SSHSIG_NAMESPACE,   /* well-formed, by a supported key, but made
				   for another namespace */
	CHG_SSHSIG_INCORRECT,   /* well-formed, by a supported key, for the
				   namespace, but not over this data (or not
				   by that key) */
	CHG_SSHSIG_MALFORMED,   /* not an SSHSIG: armor, base64, magic,
				   lengths, trailing data */
	CHG_SSHSIG_UNSUPPORTED  /* well-formed as far as read, but of a kind
				   not verified here (see above) */
};

enum chg_sshsig_keytype {
	CHG_SSHSIG_KEY_NONE = 0,
	CHG_SSHSIG_KEY_ED25519,
	CHG_SSHSIG_KEY_ECDSA_P256,
	CHG_SSHSIG_KEY_ECDSA_P384,
	CHG_SSHSIG_KEY_ECDSA_P521,
	CHG_SSHSIG_KEY_RSA
};

/* A public key in its SSH wire encoding (RFC 4253 section 6.6), which for
 * the keys here is canonical: two keys are equal iff their blobs are. */
struct chg_sshsig_key {
	enum chg_sshsig_keytype type;
	unsigned char *blob;
	size_t len;      /* bytes */
};

struct chg_sshsig {
	enum chg_sshsig_status status;
	/* For MALFORMED and UNSUPPORTED: why, static ("bad base64", ...);
	 * else NULL. */
	const char *why;
	/* The signer's key, set for OK, NAMESPACE and INCORRECT. */
	struct chg_sshsig_key key;
	/* As ssh-keygen -l names it: "ED25519 key SHA256:<base64>", "ECDSA
	 * key ...", "RSA key ..."; set with the key. */
	char *fingerprint;
};

#define CHG_SSHSIG_INIT { CHG_SSHSIG_MALFORMED, NULL, \
			  { CHG_SSHSIG_KEY_NONE, NULL, 0 }, NULL }

/* The largest armored signature read, in bytes. */
#define CHG_SSHSIG_MAX_SIZE (64 * 1024)

/*
 * Verifies the armored SSH signature `sig` (`sig_len` bytes, need not be
 * NUL-terminated) over `data` (`data_len` bytes) for the namespace `ns`,
 * and fills `out` (release with chg_sshsig_release, also after an error).
 * Trust is not judged here.  Returns 0 with out->status set, or
 * CHG_ENOMEM.
 */
int chg_sshsig_verify(struct chg_sshsig *out, const char *sig, size_t sig_len,
		      const char *ns, const void *data, size_t data_len);

/* Frees what `s` holds and resets it.  NULL-safe. */
void chg_sshsig_release(struct chg_sshsig *s);

/* One line of an allowed signers file, as OpenSSH reads it. */
struct chg_sshsig_signer {
	unsigned line;          /* 1-based */
	int valid;              /* OpenSSH accepts the line; else it skips it */
	char *principals;       /* the pattern-list, as written */
	int cert_authority;
	char *namespaces;       /* pattern-list; NULL: any namespace */
	int64_t valid_after;    /* seconds since the epoch; 0: none */
	int64_t valid_before;   /* seconds since the epoch; 0: none */
	/* The key; type CHG_SSHSIG_KEY_NONE for a kind not verified here
	 * (such a line never admits a key verified here). */
	struct chg_sshsig_key key;
};

struct chg_sshsig_signers {
	struct chg_sshsig_signer *lines;
	size_t n;
	/* Set when a line holds something that might not be read exactly as
	 * OpenSSH reads it (a quoted principal, a key not canonically
	 * encoded, a date not in plain digits, a NUL byte): the file must be
	 * left to ssh-keygen.  `why` says what, static. */
	int uncertain;
	const char *why;
};

/*
 * Parses the allowed signers `text` (`len` bytes; ssh-keygen(1), ALLOWED
 * SIGNERS) into a new *out (free with chg_sshsig_signers_free).  Times
 * without "Z" or "UTC" are read as UTC, as ssh-keygen reads them with
 * TZ=UTC.  Lines OpenSSH would skip are kept with valid = 0.  Returns 0 or
 * CHG_ENOMEM.
 */
int chg_sshsig_signers_parse(struct chg_sshsig_signers **out,
			     const char *text, size_t len);

void chg_sshsig_signers_free(struct chg_sshsig_signers *s);

/*
 * As ssh-keygen -Y verify -I `principal` -n `ns` -Overify-time=`when`
 * judges the allowed signers: 1 when a line whose principals match
 * `principal` (OpenSSH's match_pattern_list) holds `key` (not as a
 * cert-authority), allows `ns` and is valid at `when` (seconds since the
 * epoch), else 0.  Meaningless when s->uncertain.
 */
int chg_sshsig_signers_allow(const struct chg_sshsig_signers *s,
			     const struct chg_sshsig_key *key,
			     const char *principal, const char *ns, int64_t when);

/*
 * As ssh-keygen -Y find-principals -Overify-time=`when`: the principals
 * of the first line that holds `key` and is valid at `when` (whatever its
 * namespaces), split at commas up to the first empty one, appended to
 * `out`.  *out_of_time is set to 1 when a line before it (or any line,
 * when none is found) holds the key but is not valid at `when`, else 0.
 * Returns 1 when a line was found (its list may be empty), 0 when none
 * was, or CHG_ENOMEM.
 */
int chg_sshsig_signers_find(struct chg_strlist *out, int *out_of_time,
			    const struct chg_sshsig_signers *s,
			    const struct chg_sshsig_key *key, int64_t when);

/* A revoked keys file of plain public keys, one a line. */
struct chg_sshsig_revoked {
	struct chg_sshsig_key *keys;
	size_t n;
	/* Set when the file is an OpenSSH KRL or holds a line not read here
	 * (a certificate, a key kind not verified here, an option, a line
	 * OpenSSH would refuse): ssh-keygen must judge it.  `why`, static. */
	int uncertain;
	const char *why;
};

/*
 * Parses the revoked keys `text` (`len` bytes) as ssh-keygen -Y verify -r
 * reads a file that is not a KRL.  Returns 0 or CHG_ENOMEM.
 */
int chg_sshsig_revoked_parse(struct chg_sshsig_revoked **out,
			     const char *text, size_t len);

void chg_sshsig_revoked_free(struct chg_sshsig_revoked *r);

/* 1 when `key` is in `r`, else 0.  Meaningless when r->uncertain. */
int chg_sshsig_revoked_has(const struct chg_sshsig_revoked *r,
			   const struct chg_sshsig_key *key);

/*
 * OpenSSH's match_pattern: whether all of `s` matches `pattern`, where '*'
 * matches any run of bytes and '?' any one byte.  In time linear in the
 * product of their lengths.
 */
int chg_sshsig_match_pattern(const char *s, const char *pattern);

/*
 * OpenSSH's match_pattern_list (case-sensitive): `list` is patterns
 * separated by commas, each possibly negated by a leading '!'.  Returns
 * -1 when a negated pattern matches `s`, else 1 when a pattern matches,
 * else 0 (also for a pattern of 1023 bytes or more, as OpenSSH does).
 */
int chg_sshsig_match_pattern_list(const char *s, const char *list);

#endif
