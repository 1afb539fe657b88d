/*
 * t-signature.c - commit signature verification (lib/signature.h, DESIGN
 * section 5): the kinds, the verdicts that need no key, and the private
 * directory.  Good and bad signatures made by real keys are tested on
 * scratch repositories by tests/t5000-signatures.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "signature.h"
#include "banned.h"

#define SSH_SIG "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ==\n-----END SSH SIGNATURE-----\n"
#define PGP_SIG "-----BEGIN PGP SIGNATURE-----\n\niQ==\n-----END PGP SIGNATURE-----\n"
#define X509_SIG "-----BEGIN SIGNED MESSAGE-----\nMIA=\n-----END SIGNED MESSAGE-----\n"

static enum chg_signature_kind kind(const char *s)
{
	return chg_signature_kind(s, strlen(s));
}

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(kind(SSH_SIG), CHG_SIGNATURE_SSH);
	assert_int_equal(kind(PGP_SIG), CHG_SIGNATURE_OPENPGP);
	assert_int_equal(kind(X509_SIG), CHG_SIGNATURE_X509);
	assert_int_equal(kind("-----BEGIN SSH SIGNATURE-----\r\nx"), CHG_SIGNATURE_SSH);
	assert_int_equal(kind("-----BEGIN SSH SIGNATURE-----"), CHG_SIGNATURE_SSH);
	/* the armor is the whole first line, at the very start */
	assert_int_equal(kind("-----BEGIN SSH SIGNATURE-----X\n"), CHG_SIGNATURE_OTHER);
	assert_int_equal(kind("\n-----BEGIN SSH SIGNATURE-----\n"), CHG_SIGNATURE_OTHER);
	assert_int_equal(kind(" -----BEGIN PGP SIGNATURE-----\n"), CHG_SIGNATURE_OTHER);
	assert_int_equal(kind("-----BEGIN PGP MESSAGE-----\n"), CHG_SIGNATURE_OTHER);
	assert_int_equal(chg_signature_kind(SSH_SIG, 10), CHG_SIGNATURE_OTHER);
	assert_int_equal(chg_signature_kind("", 0), CHG_SIGNATURE_NONE);
	assert_int_equal(chg_signature_kind(NULL, 0), CHG_SIGNATURE_NONE);
	assert_string_equal(chg_signature_kind_name(CHG_SIGNATURE_SSH), "SSH");
	assert_string_equal(chg_signature_kind_name(CHG_SIGNATURE_OPENPGP), "OpenPGP");
	assert_string_equal(chg_signature_kind_name(CHG_SIGNATURE_X509), "X.509");
}

static void test_nothing_is_good_unless_verified(void **state)
{
	struct chg_signature_result r = CHG_SIGNATURE_RESULT_INIT, zero;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	assert_int_not_equal(r.verdict, CHG_SIGNATURE_GOOD);
	assert_int_not_equal(zero.verdict, CHG_SIGNATURE_GOOD);
	assert_int_equal(chg_strlist_add(&r.principals, "dave@example.com"), 0);
	assert_false(chg_signature_has_principal(&r, "dave@example.com"));
	r.verdict = CHG_SIGNATURE_GOOD;
	assert_true(chg_signature_has_principal(&r, "dave@example.com"));
	assert_true(chg_signature_has_principal(&r, "DAVE@Example.COM"));
	assert_false(chg_signature_has_principal(&r, "dave@example.co"));
	assert_false(chg_signature_has_principal(&r, NULL));
	r.verdict = CHG_SIGNATURE_UNKNOWN_KEY;
	assert_false(chg_signature_has_principal(&r, "dave@example.com"));
	chg_signature_result_release(&r);
	assert_int_equal(r.principals.n, 0);
	assert_int_not_equal(r.verdict, CHG_SIGNATURE_GOOD);
	chg_signature_result_release(NULL);
	chg_signature_verifier_free(NULL);
}

static void verify(struct chg_signature_result *r,
		   const struct chg_signature_options *opts, const char *sig,
		   const char *allowed)
{
	struct chg_signature_trust trust = { NULL, 0, NULL, 0, "its first parent 1234567", NULL, 0 };
	struct chg_signature_verifier *v;

	trust.allowed_signers = allowed;
	trust.allowed_signers_len = allowed ? strlen(allowed) : 0;
	assert_int_equal(chg_signature_verifier_new(&v, opts), 0);
	assert_int_equal(chg_signature_verify(r, v, &trust, sig, strlen(sig),
					      "data\n", 5, 1793610000, NULL), 0);
	chg_signature_verifier_free(v);
	assert_non_null(r->detail);
}

static void test_unsupported(void **state)
{
	struct chg_signature_result r;

	(void)state;
	verify(&r, NULL, X509_SIG, NULL);
	assert_int_equal(r.verdict, CHG_SIGNATURE_UNSUPPORTED);
	assert_int_equal(r.kind, CHG_SIGNATURE_X509);
	assert_string_equal(r.detail, "X.509 signatures are not supported");
	chg_signature_result_release(&r);

	verify(&r, NULL, "-----BEGIN PGP MESSAGE-----\n", NULL);
	assert_int_equal(r.verdict, CHG_SIGNATURE_UNSUPPORTED);
	assert_string_equal(r.detail, "its signature is neither an SSH nor an OpenPGP signature");
	chg_signature_result_release(&r);
}

static void test_no_program(void **state)
{
	struct chg_signature_options opts = CHG_SIGNATURE_OPTIONS_INIT;
	struct chg_signature_result r;

	(void)state;
	opts.ssh_keygen = "/nonexistent/ssh-keygen";
	verify(&r, &opts, SSH_SIG, "dave@example.com ssh-ed25519 AAAA\n");
	assert_int_equal(r.verdict, CHG_SIGNATURE_ERROR);
	assert_string_equal(r.detail, "its signature could not be verified: cannot run '/nonexistent/ssh-keygen': not found");
	chg_signature_result_release(&r);

	opts.ssh_keygen = NULL;
	opts.gpg = "no-such-gpg-program";
	verify(&r, &opts, PGP_SIG, NULL);
	assert_int_equal(r.verdict, CHG_SIGNATURE_ERROR);
	assert_string_equal(r.detail, "its signature could not be verified: cannot run 'no-such-gpg-program': not found");
	chg_signature_result_release(&r);
}

static void test_no_private_directory(void **state)
{
	struct chg_signature_options opts = CHG_SIGNATURE_OPTIONS_INIT;
	struct chg_signature_result r;

	(void)state;
	opts.tmpdir = "/nonexistent";
	verify(&r, &opts, SSH_SIG, "dave@example.com ssh-ed25519 AAAA\n");
	assert_int_equal(r.verdict, CHG_SIGNATURE_ERROR);
	assert_string_equal(r.detail, "its signature could not be verified: cannot make a private directory in '/nonexistent': No such file or directory");
	chg_signature_result_release(&r);
}

/* A malformed SSH signature is bad, and the private directory goes away. */
static void test_malformed_ssh(void **state)
{
	struct chg_signature_options opts = CHG_SIGNATURE_OPTIONS_INIT;
	struct chg_signature_result r;
	char dir[] = "/tmp/t-signature.XXXXXX";
	struct dirent *de;
	DIR *d;
	int entries = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	opts.tmpdir = dir;
	verify(&r, &opts, SSH_SIG, "dave@example.com ssh-ed25519 AAAA\n");
	assert_int_equal(r.verdict, CHG_SIGNATURE_BAD);
	assert_int_equal(r.kind, CHG_SIGNATURE_SSH);
	assert_true(!strncmp(r.detail, "its SSH signature does not verify: ", 35));
	assert_int_equal(r.principals.n, 0);
	chg_signature_result_release(&r);

	/* no trust at all: still bad, not merely unknown */
	verify(&r, &opts, SSH_SIG, NULL);
	assert_int_equal(r.verdict, CHG_SIGNATURE_BAD);
	chg_signature_result_release(&r);

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			entries++;
	closedir(d);
	assert_int_equal(entries, 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_nothing_is_good_unless_verified),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_no_program),
		cmocka_unit_test(test_no_private_directory),
		cmocka_unit_test(test_malformed_ssh),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
