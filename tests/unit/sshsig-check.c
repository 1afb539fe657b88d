/*
 * sshsig-check - for tests/t5060-sshsig-differential.sh: what chg makes
 * of one SSH signature, to be compared with ssh-keygen -Y verify.
 *
 *	sshsig-check SIG DATA ALLOWED REVOKED PRINCIPAL TIME
 *
 * SIG, DATA, ALLOWED and REVOKED are files ("-": no allowed signers, no
 * revoked keys); TIME is in seconds since the epoch.  Prints two words:
 *
 *   what lib/sshsig.c alone says, as ssh-keygen -Y verify -I PRINCIPAL -n
 *   git -r REVOKED would: "good", "bad" (the signature), "unknown" (not
 *   allowed for PRINCIPAL at TIME), "revoked", or "fallback" (left to
 *   ssh-keygen: a certificate, a KRL, ...);
 *
 *   what chg_signature_verify says: "good" when the signature is good and
 *   names PRINCIPAL, else its verdict ("bad", "unknown-key", "error",
 *   "unsupported", or "good-other" for a good signature by someone else);
 *
 * then two lines "verdict|key|principals|detail": chg's whole result, and
 * the result of a verifier that leaves every SSH signature to ssh-keygen.
 * Exits 0, or 2 on a usage or system error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "signature.h"
#include "sshsig.h"
#include "banned.h"

static int slurp(struct chg_buf *b, const char *path)
{
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (chg_buf_put(b, chunk, n) < 0) {
			fclose(f);
			return -1;
		}
	fclose(f);
	return 0;
}

static const char *in_process(const struct chg_buf *sig, const struct chg_buf *data,
			      const struct chg_buf *allowed, int have_allowed,
			      const struct chg_buf *revoked, int have_revoked,
			      const char *principal, int64_t when)
{
	struct chg_sshsig s;
	struct chg_sshsig_signers *signers = NULL;
	struct chg_sshsig_revoked *r = NULL;
	const char *v = "fallback";

	if (chg_sshsig_verify(&s, sig->ptr, sig->len, "git", data->ptr, data->len) < 0)
		return "error";
	if (s.status == CHG_SSHSIG_NAMESPACE || s.status == CHG_SSHSIG_INCORRECT) {
		v = "bad";
		goto out;
	}
	if (s.status != CHG_SSHSIG_OK || !have_allowed)
		goto out;
	if (chg_sshsig_signers_parse(&signers, allowed->ptr, allowed->len) < 0 ||
	    signers->uncertain)
		goto out;
	if (have_revoked &&
	    (chg_sshsig_revoked_parse(&r, revoked->ptr, revoked->len) < 0 || r->uncertain))
		goto out;
	if (r && chg_sshsig_revoked_has(r, &s.key))
		v = "revoked";
	else if (chg_sshsig_signers_allow(signers, &s.key, principal, "git", when))
		v = "good";
	else
		v = "unknown";
out:
	chg_sshsig_signers_free(signers);
	chg_sshsig_revoked_free(r);
	chg_sshsig_release(&s);
	return v;
}

int main(int argc, char **argv)
{
	struct chg_buf sig = CHG_BUF_INIT, data = CHG_BUF_INIT, allowed = CHG_BUF_INIT,
		       revoked = CHG_BUF_INIT;
	struct chg_signature_trust trust = { NULL, 0, NULL, 0, "its first parent 1234567", NULL, 0 };
	struct chg_signature_result r = CHG_SIGNATURE_RESULT_INIT;
	struct chg_signature_options opts = CHG_SIGNATURE_OPTIONS_INIT;
	struct chg_signature_verifier *v;
	const char *what;
	size_t i, j;
	int64_t when;
	int have_allowed, have_revoked;

	if (argc != 7) {
		fprintf(stderr, "usage: sshsig-check SIG DATA ALLOWED REVOKED PRINCIPAL TIME\n");
		return 2;
	}
	have_allowed = strcmp(argv[3], "-") != 0;
	have_revoked = strcmp(argv[4], "-") != 0;
	if (slurp(&sig, argv[1]) < 0 || slurp(&data, argv[2]) < 0 ||
	    (have_allowed && slurp(&allowed, argv[3]) < 0) ||
	    (have_revoked && slurp(&revoked, argv[4]) < 0)) {
		fprintf(stderr, "sshsig-check: cannot read the files\n");
		return 2;
	}
	when = (int64_t)strtoll(argv[6], NULL, 10);
	printf("%s ", in_process(&sig, &data, &allowed, have_allowed, &revoked,
				 have_revoked, argv[5], when));

	if (have_allowed) {
		trust.allowed_signers = allowed.ptr;
		trust.allowed_signers_len = allowed.len;
	}
	if (have_revoked) {
		trust.revoked_keys = revoked.ptr;
		trust.revoked_keys_len = revoked.len;
	}
	for (i = 0; i < 2; i++) {
		opts.ssh_keygen_only = i;
		if (chg_signature_verifier_new(&v, &opts) < 0 ||
		    chg_signature_verify(&r, v, &trust, sig.ptr, sig.len, data.ptr,
					 data.len, when, argv[5]) < 0) {
			fprintf(stderr, "sshsig-check: cannot verify\n");
			return 2;
		}
		switch (r.verdict) {
		case CHG_SIGNATURE_GOOD:
			what = chg_signature_has_principal(&r, argv[5]) ? "good" : "good-other";
			break;
		case CHG_SIGNATURE_BAD: what = "bad"; break;
		case CHG_SIGNATURE_UNKNOWN_KEY: what = "unknown-key"; break;
		case CHG_SIGNATURE_UNSUPPORTED: what = "unsupported"; break;
		default: what = "error"; break;
		}
		if (!i)
			printf("%s\n", what);
		/* the result as a whole: verdict, key, principals, detail */
		printf("%s|%s|", what, r.key ? r.key : "(no key)");
		for (j = 0; j < r.principals.n; j++)
			printf("%s%s", j ? "," : "", r.principals.items[j]);
		printf("|%s\n", r.detail ? r.detail : "");
		chg_signature_result_release(&r);
		chg_signature_verifier_free(v);
	}
	chg_buf_release(&sig);
	chg_buf_release(&data);
	chg_buf_release(&allowed);
	chg_buf_release(&revoked);
	return 0;
}
