/*
 * t-sshsig.c - SSH signatures verified in the process (lib/sshsig.h):
 * OpenSSH's pattern matching, the allowed signers and revoked keys as
 * OpenSSH reads them, and signatures good, bad and hostile.  That the
 * verdicts equal ssh-keygen's for real keys of every kind is
 * tests/t5060-sshsig-differential.sh's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "buf.h"
#include "error.h"
#include "sshsig.h"
#include "banned.h"

/* ssh-keygen -t ed25519; ssh-keygen -Y sign -n git (and -n file) over
 * "data\n" */
#define FX_PUB "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAWBkXCoFEv3TLUHlEHuTkaslXirbfse7FoWYG/5VIrD fx"
#define FX_FP "ED25519 key SHA256:fz5lyMg4WCF7pqCo/b0p5PTbMGOJ03Tl0INLzEjdz9s"
#define FX_SIG \
	"-----BEGIN SSH SIGNATURE-----\n" \
	"U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgBYGRcKgUS/dMtQeUQe5ORqyVeK\n" \
	"tt+x7sWhZgb/lUisMAAAADZ2l0AAAAAAAAAAZzaGE1MTIAAABTAAAAC3NzaC1lZDI1NTE5\n" \
	"AAAAQLWG+lf04MbnmtExJSlZEPugVnJVBbUmOstl6yExgWDaRn7z6wED7iFLhPzZ9cmp0i\n" \
	"cXCQKIRAym1OsSbB+mSg0=\n" \
	"-----END SSH SIGNATURE-----\n"
#define FX_FILE_SIG \
	"-----BEGIN SSH SIGNATURE-----\n" \
	"U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgBYGRcKgUS/dMtQeUQe5ORqyVeK\n" \
	"tt+x7sWhZgb/lUisMAAAAEZmlsZQAAAAAAAAAGc2hhNTEyAAAAUwAAAAtzc2gtZWQyNTUx\n" \
	"OQAAAEBgrAHZQ4WDbC65Qb00VyxlPcqdXkrSAf4KLDUSTOg/NCnkxKr8DMhz/nxA8o7Xli\n" \
	"xPEw4TnPsOyJVr3qVXOo8G\n" \
	"-----END SSH SIGNATURE-----\n"
/* its base64 one character too long */
#define FX_PUB_BAD "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAWBkXCoFEv3TLUHlEHuTkaslXirbfse7FoWYG/5VIrDx fx"
#define OTHER_PUB "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBMbfo49w2FWGr2LWYujnvJFhEnDjbh53pE/1mdZOPUhNtQ4sDDNwaQmspICYcMRHpaMHZCT2pTLWrRYIyaWGB54= o"
/* FX_SIG with L added to S: OpenSSH's Ed25519 takes it (the same signer,
 * the same data), OpenSSL does not; left to ssh-keygen */
#define FX_MALLEATED_SIG \
	"-----BEGIN SSH SIGNATURE-----\n" \
	"U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgBYGRcKgUS/dMtQeUQe5ORqyVeK\n" \
	"tt+x7sWhZgb/lUisMAAAADZ2l0AAAAAAAAAAZzaGE1MTIAAABTAAAAC3NzaC1lZDI1NTE5\n" \
	"AAAAQLWG+lf04MbnmtExJSlZEPugVnJVBbUmOstl6yExgWDaM1LpSBxmAHohIfR81MOI5y\n" \
	"cXCQKIRAym1OsSbB+mSh0=\n" \
	"-----END SSH SIGNATURE-----\n"
/* ssh-rsa keys (e = 65537) whose modulus has 128 bytes: 1017 bits, and
 * 1024 bits */
#define RSA_1017 "AAAAB3NzaC1yc2EAAAADAQABAAAAgAH/////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////"
#define RSA_1024 "AAAAB3NzaC1yc2EAAAADAQABAAAAgQCAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQ=="
#define DATA "data\n"
#define WHEN 1793610000  /* 2026-11-02T09:00:00Z */

static enum chg_sshsig_status verify_ns(const char *sig, size_t len, const char *ns,
					const char *data)
{
	struct chg_sshsig s;
	enum chg_sshsig_status st;

	assert_int_equal(chg_sshsig_verify(&s, sig, len, ns, data, strlen(data)), 0);
	st = s.status;
	if (st == CHG_SSHSIG_OK || st == CHG_SSHSIG_NAMESPACE || st == CHG_SSHSIG_INCORRECT) {
		assert_non_null(s.fingerprint);
		assert_non_null(s.key.blob);
		assert_null(s.why);
	} else {
		assert_null(s.fingerprint);
		assert_null(s.key.blob);
		assert_non_null(s.why);
	}
	chg_sshsig_release(&s);
	return st;
}

static enum chg_sshsig_status verify(const char *sig, const char *data)
{
	return verify_ns(sig, strlen(sig), "git", data);
}

/* The armor around base64 of `blob`. */
static char *armor(const unsigned char *blob, size_t len)
{
	struct chg_buf b = CHG_BUF_INIT;
	unsigned char *b64 = malloc(4 * (len / 3 + 1) + 1);

	assert_non_null(b64);
	EVP_EncodeBlock(b64, blob, (int)len);
	assert_int_equal(chg_buf_printf(&b, "-----BEGIN SSH SIGNATURE-----\n%s\n-----END SSH SIGNATURE-----\n",
					(char *)b64), 0);
	free(b64);
	return chg_buf_detach(&b);
}

/* FX_SIG's blob, decoded. */
static unsigned char *fx_blob(size_t *len)
{
	const char *lines[] = {
		"U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgBYGRcKgUS/dMtQeUQe5ORqyVeK",
		"tt+x7sWhZgb/lUisMAAAADZ2l0AAAAAAAAAAZzaGE1MTIAAABTAAAAC3NzaC1lZDI1NTE5",
		"AAAAQLWG+lf04MbnmtExJSlZEPugVnJVBbUmOstl6yExgWDaRn7z6wED7iFLhPzZ9cmp0i",
		"cXCQKIRAym1OsSbB+mSg0=",
	};
	struct chg_buf b64 = CHG_BUF_INIT;
	unsigned char *out;
	size_t i;
	int n;

	for (i = 0; i < 4; i++)
		assert_int_equal(chg_buf_puts(&b64, lines[i]), 0);
	out = malloc(b64.len);
	assert_non_null(out);
	n = EVP_DecodeBlock(out, (unsigned char *)b64.ptr, (int)b64.len);
	assert_true(n > 0);
	*len = (size_t)n - 1;   /* one '=' of padding */
	chg_buf_release(&b64);
	return out;
}

static void test_patterns(void **state)
{
	char *big;

	(void)state;
	assert_true(chg_sshsig_match_pattern("dave@example.com", "dave@example.com"));
	assert_false(chg_sshsig_match_pattern("dave@example.com", "Dave@example.com"));
	assert_true(chg_sshsig_match_pattern("dave@example.com", "*@example.com"));
	assert_true(chg_sshsig_match_pattern("dave@example.com", "d?ve@*"));
	assert_true(chg_sshsig_match_pattern("", "*"));
	assert_true(chg_sshsig_match_pattern("", "**"));
	assert_false(chg_sshsig_match_pattern("", "?"));
	assert_false(chg_sshsig_match_pattern("dave@example.com", "*@example.co"));
	assert_true(chg_sshsig_match_pattern("abcabcabd", "*abd"));
	assert_true(chg_sshsig_match_pattern("aXbXc", "a*b*c"));
	assert_false(chg_sshsig_match_pattern("aXbXcd", "a*b*c"));
	assert_true(chg_sshsig_match_pattern("*", "*"));
	assert_false(chg_sshsig_match_pattern("a", "a?"));

	assert_int_equal(chg_sshsig_match_pattern_list("dave@example.com", "carol@example.com,dave@example.com"), 1);
	assert_int_equal(chg_sshsig_match_pattern_list("dave@example.com", "carol@example.com"), 0);
	assert_int_equal(chg_sshsig_match_pattern_list("dave@example.com", "!dave@example.com,*@example.com"), -1);
	assert_int_equal(chg_sshsig_match_pattern_list("dave@example.com", "*@example.com,!dave@example.com"), -1);
	assert_int_equal(chg_sshsig_match_pattern_list("carol@example.com", "*@example.com,!dave@example.com"), 1);
	/* only a negation matching is a negative, no match at all is 0 */
	assert_int_equal(chg_sshsig_match_pattern_list("carol@example.com", "!dave@example.com"), 0);
	assert_int_equal(chg_sshsig_match_pattern_list("dave@example.com", ""), 0);
	assert_int_equal(chg_sshsig_match_pattern_list("", ","), 1);
	assert_int_equal(chg_sshsig_match_pattern_list("git", "file,git"), 1);
	assert_int_equal(chg_sshsig_match_pattern_list("git", "gi"), 0);

	/* a pattern of 1023 bytes or more: no match, whatever came before */
	big = malloc(1100);
	assert_non_null(big);
	memcpy(big, "*,", 2);
	memset(big + 2, 'a', 1023);
	big[1025] = '\0';
	assert_int_equal(chg_sshsig_match_pattern_list("dave", big), 0);
	big[1024] = '\0';
	assert_int_equal(chg_sshsig_match_pattern_list("dave", big), 1);

	/* no exponential backtracking */
	memset(big, 'a', 1000);
	big[1000] = '\0';
	assert_false(chg_sshsig_match_pattern(big, "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"));
	free(big);
}

static void test_good_and_bad(void **state)
{
	struct chg_sshsig s;

	(void)state;
	assert_int_equal(chg_sshsig_verify(&s, FX_SIG, strlen(FX_SIG), "git", DATA, 5), 0);
	assert_int_equal(s.status, CHG_SSHSIG_OK);
	assert_string_equal(s.fingerprint, FX_FP);
	assert_int_equal(s.key.type, CHG_SSHSIG_KEY_ED25519);
	chg_sshsig_release(&s);
	chg_sshsig_release(&s);
	chg_sshsig_release(NULL);

	assert_int_equal(verify(FX_SIG, "data\n"), CHG_SSHSIG_OK);
	assert_int_equal(verify(FX_SIG, "Data\n"), CHG_SSHSIG_INCORRECT);
	assert_int_equal(verify(FX_SIG, ""), CHG_SSHSIG_INCORRECT);
	assert_int_equal(verify(FX_FILE_SIG, "data\n"), CHG_SSHSIG_NAMESPACE);
	assert_int_equal(verify_ns(FX_FILE_SIG, strlen(FX_FILE_SIG), "file", "data\n"), CHG_SSHSIG_OK);
	assert_int_equal(verify(FX_MALLEATED_SIG, "data\n"), CHG_SSHSIG_UNSUPPORTED);
	assert_int_equal(verify(FX_MALLEATED_SIG, "Data\n"), CHG_SSHSIG_UNSUPPORTED);
	/* the namespace is compared whole */
	assert_int_equal(verify_ns(FX_SIG, strlen(FX_SIG), "gi", "data\n"), CHG_SSHSIG_NAMESPACE);
	assert_int_equal(verify_ns(FX_SIG, strlen(FX_SIG), "git2", "data\n"), CHG_SSHSIG_NAMESPACE);
	/* what follows the footer is not read, as ssh-keygen does not */
	{
		char *more = malloc(strlen(FX_SIG) + 8);
		assert_non_null(more);
		memcpy(more, FX_SIG, strlen(FX_SIG));
		memcpy(more + strlen(FX_SIG), "junk!!\n", 8);
		assert_int_equal(verify(more, "data\n"), CHG_SSHSIG_OK);
		free(more);
	}
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"-----BEGIN SSH SIGNATURE-----\n",
		"-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n",
		"-----BEGIN PGP SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n",
		/* bad base64: a character, the padding, stray bits */
		"-----BEGIN SSH SIGNATURE-----\nU1NI*0lH\n-----END SSH SIGNATURE-----\n",
		"-----BEGIN SSH SIGNATURE-----\nU1NIU0l=\n-----END SSH SIGNATURE-----\n",
		"-----BEGIN SSH SIGNATURE-----\nU1NIU0lHA\n-----END SSH SIGNATURE-----\n",
		"-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAB==\n-----END SSH SIGNATURE-----\n",
		"-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAA==x\n-----END SSH SIGNATURE-----\n",
		/* wrong magic: "SSHSIH" */
		"-----BEGIN SSH SIGNATURE-----\nU1NIU0lIAAAAAQ==\n-----END SSH SIGNATURE-----\n",
		/* "SSHSIG", version 1, then nothing */
		"-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ==\n-----END SSH SIGNATURE-----\n",
		/* "SSHSIG", version 1, a string of length 0xffffffff */
		"-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAf////8=\n-----END SSH SIGNATURE-----\n",
		/* "SSHSIG" and half a version */
		"-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAA=\n-----END SSH SIGNATURE-----\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(verify(bad[i], DATA), CHG_SSHSIG_MALFORMED);
	/* a NUL in the armor */
	assert_int_equal(verify_ns("-----BEGIN SSH SIGNATURE-----\nU1NI\0U0lH\n-----END SSH SIGNATURE-----\n",
				   62, "git", DATA), CHG_SSHSIG_MALFORMED);
	/* too large to be read */
	{
		size_t n = CHG_SSHSIG_MAX_SIZE + 1;
		char *huge = malloc(n);
		assert_non_null(huge);
		memset(huge, 'A', n);
		memcpy(huge, FX_SIG, 30);
		assert_int_equal(verify_ns(huge, n, "git", DATA), CHG_SSHSIG_UNSUPPORTED);
		free(huge);
	}
}

/* Rebuilds FX_SIG's blob with one field replaced. */
static char *fx_with(size_t at, size_t cut, const void *put, size_t put_len)
{
	size_t len;
	unsigned char *blob = fx_blob(&len), *nb = malloc(len + put_len);
	char *out;

	assert_non_null(nb);
	assert_true(at + cut <= len);
	memcpy(nb, blob, at);
	memcpy(nb + at, put, put_len);
	memcpy(nb + at + put_len, blob + at + cut, len - at - cut);
	out = armor(nb, len - cut + put_len);
	free(blob);
	free(nb);
	return out;
}

static void test_unsupported(void **state)
{
	/* offsets in FX_SIG's blob: magic 0, version 6, key 10 (4 + 51),
	 * namespace 65 (4 + 3), reserved 72 (4), hash 76 (4 + 6), sig 86 */
	char *s;

	(void)state;
	/* version 2 */
	s = fx_with(6, 4, "\0\0\0\2", 4);
	assert_int_equal(verify(s, DATA), CHG_SSHSIG_UNSUPPORTED);
	free(s);
	/* version 0 */
	s = fx_with(6, 4, "\0\0\0\0", 4);
	assert_int_equal(verify(s, DATA), CHG_SSHSIG_UNSUPPORTED);
	free(s);
	/* hash sha1, and SHA512 (case matters) */
	s = fx_with(76, 10, "\0\0\0\4sha1", 8);
	assert_int_equal(verify(s, DATA), CHG_SSHSIG_UNSUPPORTED);
	free(s);
	s = fx_with(76, 10, "\0\0\0\6SHA512", 10);
	assert_int_equal(verify(s, DATA), CHG_SSHSIG_UNSUPPORTED);
	free(s);
	/* sha256 named, the signature made over sha512: does not verify */
	s = fx_with(76, 10, "\0\0\0\6sha256", 10);
	assert_int_equal(verify(s, DATA), CHG_SSHSIG_INCORRECT);
	free(s);
	/* a reserved field that is not empty */
	s = fx_with(72, 4, "\0\0\0\1x", 5);
	assert_int_equal(verify(s, DATA), CHG_SSHSIG_UNSUPPORTED);
	free(s);
	/* an unknown key type: "ssh-ed25518" */
	s = fx_with(14, 15, "\0\0\0\13ssh-ed25518", 15);
	assert_int_equal(verify(s, DATA), CHG_SSHSIG_UNSUPPORTED);
	free(s);
	/* a certificate's type: left to ssh-keygen */
	{
		unsigned char cert[4 + 36 + 36];
		size_t len;
		unsigned char *blob = fx_blob(&len);

		memcpy(cert, "\0\0\0\x48\0\0\0\x20ssh-ed25519-cert-v01@openssh.com", 40);
		memcpy(cert + 40, blob + 29, 36);  /* the key's string of 32 bytes */
		s = fx_with(10, 55, cert, sizeof(cert));
		assert_int_equal(verify(s, DATA), CHG_SSHSIG_UNSUPPORTED);
		free(s);
		free(blob);
	}
	/* the signature's algorithm is not the key's */
	s = fx_with(90, 15, "\0\0\0\13ssh-ed25518", 15);
	assert_int_equal(verify(s, DATA), CHG_SSHSIG_UNSUPPORTED);
	free(s);
	/* a namespace with a NUL in it */
	s = fx_with(65, 7, "\0\0\0\4gi\0t", 8);
	assert_int_equal(verify(s, DATA), CHG_SSHSIG_MALFORMED);
	free(s);
	/* trailing data */
	{
		size_t len;
		unsigned char *blob = fx_blob(&len), *nb = malloc(len + 1);
		assert_non_null(nb);
		memcpy(nb, blob, len);
		nb[len] = 0;
		s = armor(nb, len + 1);
		assert_int_equal(verify(s, DATA), CHG_SSHSIG_MALFORMED);
		free(s);
		free(blob);
		free(nb);
	}
}

/* Every truncation is malformed, every changed byte is not good. */
static void test_hostile(void **state)
{
	size_t len, i, bit;
	unsigned char *blob = fx_blob(&len);
	char *s;

	(void)state;
	for (i = 0; i < len; i++) {
		s = armor(blob, i);
		assert_int_equal(verify(s, DATA), CHG_SSHSIG_MALFORMED);
		free(s);
	}
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			blob[i] ^= (unsigned char)(1u << bit);
			s = armor(blob, len);
			assert_int_not_equal(verify(s, DATA), CHG_SSHSIG_OK);
			free(s);
			blob[i] ^= (unsigned char)(1u << bit);
		}
	}
	s = armor(blob, len);
	assert_int_equal(verify(s, DATA), CHG_SSHSIG_OK);
	free(s);
	free(blob);
}

static struct chg_sshsig_signers *signers(const char *text)
{
	struct chg_sshsig_signers *s;

	assert_int_equal(chg_sshsig_signers_parse(&s, text, strlen(text)), 0);
	return s;
}

static struct chg_sshsig fx(void)
{
	struct chg_sshsig s;

	assert_int_equal(chg_sshsig_verify(&s, FX_SIG, strlen(FX_SIG), "git", DATA, 5), 0);
	assert_int_equal(s.status, CHG_SSHSIG_OK);
	return s;
}

static int allow(const char *text, const char *principal, int64_t when)
{
	struct chg_sshsig_signers *s = signers(text);
	struct chg_sshsig sig = fx();
	int rc;

	assert_false(s->uncertain);
	rc = chg_sshsig_signers_allow(s, &sig.key, principal, "git", when);
	chg_sshsig_signers_free(s);
	chg_sshsig_release(&sig);
	return rc;
}

static void test_allowed_signers(void **state)
{
	(void)state;
	assert_true(allow("dave@example.com " FX_PUB "\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com " FX_PUB "\n", "carol@example.com", WHEN));
	assert_false(allow("dave@example.com " OTHER_PUB "\n", "dave@example.com", WHEN));
	/* no newline at the end, CRLF, blanks, comments */
	assert_true(allow("dave@example.com " FX_PUB, "dave@example.com", WHEN));
	assert_true(allow("# trust\n\n  \t dave@example.com\t" FX_PUB "\r\n", "dave@example.com", WHEN));
	assert_false(allow("#dave@example.com " FX_PUB "\n", "dave@example.com", WHEN));
	/* lists and patterns */
	assert_true(allow("carol@example.com,dave@example.com " FX_PUB "\n", "dave@example.com", WHEN));
	assert_true(allow("*@example.com " FX_PUB "\n", "dave@example.com", WHEN));
	assert_false(allow("*@example.com,!dave@example.com " FX_PUB "\n", "dave@example.com", WHEN));
	assert_true(allow("*@example.com,!dave@example.com " FX_PUB "\n", "carol@example.com", WHEN));
	/* a later line can admit what an earlier one did not */
	assert_true(allow("dave@example.com " OTHER_PUB "\ndave@example.com " FX_PUB "\n",
			  "dave@example.com", WHEN));
	/* options */
	assert_true(allow("dave@example.com namespaces=\"git\" " FX_PUB "\n", "dave@example.com", WHEN));
	assert_true(allow("dave@example.com NAMESPACES=\"file,g*\" " FX_PUB "\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com namespaces=\"file\" " FX_PUB "\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com namespaces=\"\" " FX_PUB "\n", "dave@example.com", WHEN));
	/* a cert-authority line never admits a plain key */
	assert_false(allow("dave@example.com cert-authority " FX_PUB "\n", "dave@example.com", WHEN));
	/* validity, at the second */
	assert_true(allow("dave@example.com valid-after=\"20261102\" " FX_PUB "\n", "dave@example.com", WHEN));
	assert_true(allow("dave@example.com valid-after=\"20261102090000Z\" " FX_PUB "\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com valid-after=\"20261102090001Z\" " FX_PUB "\n", "dave@example.com", WHEN));
	assert_true(allow("dave@example.com valid-before=\"20261102090000\" " FX_PUB "\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com valid-before=\"202611020859UTC\" " FX_PUB "\n", "dave@example.com", WHEN));
	assert_true(allow("dave@example.com valid-after=\"20260101\",valid-before=\"20270101\" " FX_PUB "\n",
			  "dave@example.com", WHEN));
	/* lines OpenSSH refuses are skipped */
	assert_false(allow("dave@example.com valid-before=\"20260101\",valid-after=\"20270101\" " FX_PUB "\n",
			   "dave@example.com", WHEN));
	assert_false(allow("dave@example.com valid-after=\"2026\" " FX_PUB "\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com valid-after=\"2026-11-02\" " FX_PUB "\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com valid-after=\"20261302\" " FX_PUB "\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com valid-after=\"19700101Z\" " FX_PUB "\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com valid-after=20261102 " FX_PUB "\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com valid-after=\"20261102\",valid-after=\"20261102\" " FX_PUB "\n",
			   "dave@example.com", WHEN));
	assert_false(allow("dave@example.com no-touch-required " FX_PUB "\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com namespaces=\"git\", " FX_PUB "\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com " FX_PUB_BAD "\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com ssh-ed25519\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com\n", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com", "dave@example.com", WHEN));
	assert_false(allow("dave@example.com ecdsa-sha2-nistp256 AAAAC3NzaC1lZDI1NTE5AAAAIAWBkXCoFEv3TLUHlEHuTkaslXirbfse7FoWYG/5VIrD\n",
			   "dave@example.com", WHEN));
}

static void test_allowed_signers_uncertain(void **state)
{
	static const char *const texts[] = {
		"\"dave@example.com\" " FX_PUB "\n",
		"dave@example.com valid-after=\"2026-1-2\" " FX_PUB "\n",
		"dave@example.com valid-after=\"2026 102\" " FX_PUB "\n",
		/* the Ed25519 key with a lowercase type name inside */
		"dave@example.com ssh-ed25519 AAAAB2VkMjU1MTkAAAAgBYGRcKgUS/dMtQeUQe5ORqyVeKtt+x7sWhZgb/lUisM=\n",
		"dave@example.com ssh-rsa " RSA_1017 "\n",
	};
	struct chg_sshsig_signers *s;
	size_t i;

	(void)state;
	/* an RSA modulus of 1024 bits is read, one of 1017 bits (in as
	 * many bytes) is not */
	s = signers("dave@example.com ssh-rsa " RSA_1024 "\n");
	assert_false(s->uncertain);
	assert_true(s->lines[0].valid);
	assert_int_equal(s->lines[0].key.type, CHG_SSHSIG_KEY_RSA);
	chg_sshsig_signers_free(s);
	for (i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		s = signers(texts[i]);
		assert_true(s->uncertain);
		assert_non_null(s->why);
		chg_sshsig_signers_free(s);
	}
	assert_int_equal(chg_sshsig_signers_parse(&s, "dave@example.com " FX_PUB "\n\0", 102), 0);
	assert_true(s->uncertain);
	chg_sshsig_signers_free(s);
	chg_sshsig_signers_free(NULL);
}

static void test_find_principals(void **state)
{
	struct chg_strlist list = CHG_STRLIST_INIT;
	struct chg_sshsig_signers *s;
	struct chg_sshsig sig = fx();
	int oot;

	(void)state;
	s = signers("carol@example.com " OTHER_PUB "\n"
		    "dave@example.com,*@ops.example.com,,x namespaces=\"file\" " FX_PUB "\n"
		    "later@example.com " FX_PUB "\n");
	assert_int_equal(chg_sshsig_signers_find(&list, &oot, s, &sig.key, WHEN), 1);
	assert_int_equal(list.n, 2);
	assert_string_equal(list.items[0], "dave@example.com");
	assert_string_equal(list.items[1], "*@ops.example.com");
	assert_false(oot);
	chg_strlist_release(&list);
	chg_sshsig_signers_free(s);

	/* out of time, and another line after it that is not */
	s = signers("dave@example.com valid-before=\"20260101\" " FX_PUB "\n"
		    "later@example.com " FX_PUB "\n");
	assert_int_equal(chg_sshsig_signers_find(&list, &oot, s, &sig.key, WHEN), 1);
	assert_int_equal(list.n, 1);
	assert_string_equal(list.items[0], "later@example.com");
	chg_strlist_release(&list);
	chg_sshsig_signers_free(s);

	s = signers("dave@example.com valid-after=\"20270101\" " FX_PUB "\n");
	assert_int_equal(chg_sshsig_signers_find(&list, &oot, s, &sig.key, WHEN), 0);
	assert_true(oot);
	assert_int_equal(list.n, 0);
	chg_sshsig_signers_free(s);

	s = signers("dave@example.com " OTHER_PUB "\n");
	assert_int_equal(chg_sshsig_signers_find(&list, &oot, s, &sig.key, WHEN), 0);
	assert_false(oot);
	chg_sshsig_signers_free(s);
	chg_sshsig_release(&sig);
}

static void test_revoked(void **state)
{
	struct chg_sshsig_revoked *r;
	struct chg_sshsig sig = fx();
	static const char *const uncertain[] = {
		"SSHKRL\n\0\0\0\0\1",
		"garbage\n",
		"\r\n",
		"cert-authority " FX_PUB "\n",
		FX_PUB_BAD "\n",
	};
	static const size_t uncertain_len[] = { 12, 8, 2, 0, 0 };
	size_t i;

	(void)state;
	assert_int_equal(chg_sshsig_revoked_parse(&r, "", 0), 0);
	assert_false(r->uncertain);
	assert_false(chg_sshsig_revoked_has(r, &sig.key));
	chg_sshsig_revoked_free(r);

	assert_int_equal(chg_sshsig_revoked_parse(&r, OTHER_PUB "\n", strlen(OTHER_PUB) + 1), 0);
	assert_false(r->uncertain);
	assert_false(chg_sshsig_revoked_has(r, &sig.key));
	chg_sshsig_revoked_free(r);

	{
		const char *t = "# compromised\n\n  " OTHER_PUB "\n\t" FX_PUB;
		assert_int_equal(chg_sshsig_revoked_parse(&r, t, strlen(t)), 0);
		assert_false(r->uncertain);
		assert_int_equal(r->n, 2);
		assert_true(chg_sshsig_revoked_has(r, &sig.key));
		chg_sshsig_revoked_free(r);
	}
	for (i = 0; i < sizeof(uncertain) / sizeof(*uncertain); i++) {
		size_t n = uncertain_len[i] ? uncertain_len[i] : strlen(uncertain[i]);
		assert_int_equal(chg_sshsig_revoked_parse(&r, uncertain[i], n), 0);
		assert_true(r->uncertain);
		assert_non_null(r->why);
		chg_sshsig_revoked_free(r);
	}
	chg_sshsig_revoked_free(NULL);
	chg_sshsig_release(&sig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_good_and_bad),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_allowed_signers),
		cmocka_unit_test(test_allowed_signers_uncertain),
		cmocka_unit_test(test_find_principals),
		cmocka_unit_test(test_revoked),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
