/* strptime(3), as OpenSSH's parse_absolute_time uses it */
#define _XOPEN_SOURCE 700

#include "sshsig.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "buf.h"
#include "error.h"
#include "banned.h"

#define BEGIN_ARMOR "-----BEGIN SSH SIGNATURE-----"
#define END_ARMOR "\n-----END SSH SIGNATURE-----"
#define MAGIC "SSHSIG"
#define MAGIC_LEN 6
#define KRL_MAGIC "SSHKRL\n\0"
#define KRL_MAGIC_LEN 8
/* sshbuf's limits: a string's length, and a bignum's bytes (with the
 * sign byte) */
#define STRING_MAX (0x8000000 - 4)
#define BIGNUM_MAX_BYTES (16384 / 8 + 1)
#define RSA_MIN_BITS 1024

/* ---- patterns ---- */

int chg_sshsig_match_pattern(const char *s, const char *pattern)
{
	const char *star = NULL, *retry = NULL;

	/*
	 * The iterative form of OpenSSH's recursive match: on a mismatch,
	 * let the last '*' swallow one more byte.  Same answers, no
	 * exponential backtracking.
	 */
	while (*s) {
		if (*pattern == '*') {
			while (*pattern == '*')
				pattern++;
			if (!*pattern)
				return 1;
			star = pattern;
			retry = s;
			continue;
		}
		if (*pattern && (*pattern == '?' || *pattern == *s)) {
			pattern++;
			s++;
			continue;
		}
		if (!star)
			return 0;
		pattern = star;
		s = ++retry;
	}
	while (*pattern == '*')
		pattern++;
	return !*pattern;
}

int chg_sshsig_match_pattern_list(const char *s, const char *list)
{
	char sub[1024];
	size_t i = 0, subi, len = strlen(list);
	int negated, positive = 0;

	while (i < len) {
		negated = list[i] == '!';
		if (negated)
			i++;
		for (subi = 0; i < len && subi < sizeof(sub) - 1 && list[i] != ',';
		     subi++, i++)
			sub[subi] = list[i];
		if (subi >= sizeof(sub) - 1)
			return 0;
		if (i < len && list[i] == ',')
			i++;
		sub[subi] = '\0';
		if (chg_sshsig_match_pattern(s, sub)) {
			if (negated)
				return -1;
			positive = 1;
		}
	}
	return positive;
}

/* ---- base64, as OpenSSH's b64_pton ---- */

static int b64_value(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

static int is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' ||
	       ch == '\f' || ch == '\r';
}

/*
 * Decodes `len` bytes of base64 at `src` (whitespace anywhere is skipped;
 * the padding must be right and the bits it covers zero) into `out`.
 * Returns 0, CHG_EINVALID or CHG_ENOMEM.
 */
static int b64_decode(struct chg_buf *out, const char *src, size_t len)
{
	unsigned char acc = 0;
	size_t i = 0;
	int state = 0, v, ch = 0;

	chg_buf_clear(out);
	if (chg_buf_grow(out, len) < 0)
		return CHG_ENOMEM;
	for (; i < len; i++) {
		ch = (unsigned char)src[i];
		if (is_space(ch))
			continue;
		if (ch == '=')
			break;
		if ((v = b64_value(ch)) < 0)
			return CHG_EINVALID;
		switch (state) {
		case 0:
			acc = (unsigned char)(v << 2);
			break;
		case 1:
			chg_buf_putc(out, (char)(acc | (v >> 4)));
			acc = (unsigned char)((v & 0x0f) << 4);
			break;
		case 2:
			chg_buf_putc(out, (char)(acc | (v >> 2)));
			acc = (unsigned char)((v & 0x03) << 6);
			break;
		case 3:
			chg_buf_putc(out, (char)(acc | v));
			acc = 0;
			break;
		}
		state = (state + 1) % 4;
	}
	if (i < len && ch == '=') {
		i++;
		if (state < 2)
			return CHG_EINVALID;
		if (state == 2) {
			while (i < len && is_space((unsigned char)src[i]))
				i++;
			if (i >= len || src[i] != '=')
				return CHG_EINVALID;
			i++;
		}
		for (; i < len; i++)
			if (!is_space((unsigned char)src[i]))
				return CHG_EINVALID;
		/* the bits past the last whole byte must be zero */
		if (acc != 0)
			return CHG_EINVALID;
	} else if (state != 0) {
		return CHG_EINVALID;
	}
	return 0;
}

/* ---- reading SSH wire data (RFC 4251 section 5) ---- */

struct rd {
	const unsigned char *p;
	size_t len;
};

static int rd_u32(struct rd *r, uint32_t *v)
{
	if (r->len < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	     (uint32_t)r->p[2] << 8 | (uint32_t)r->p[3];
	r->p += 4;
	r->len -= 4;
	return 0;
}

static int rd_string(struct rd *r, struct rd *out)
{
	uint32_t n;

	if (r->len < 4)
		return -1;
	n = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | (uint32_t)r->p[3];
	if (n > STRING_MAX || r->len - 4 < n)
		return -1;
	out->p = r->p + 4;
	out->len = n;
	r->p += 4 + (size_t)n;
	r->len -= 4 + (size_t)n;
	return 0;
}

/* A string that is text: no NUL in it (sshbuf_get_cstring). */
static int rd_cstring(struct rd *r, struct rd *out)
{
	if (rd_string(r, out) < 0 || memchr(out->p, '\0', out->len))
		return -1;
	return 0;
}

static int rd_is(const struct rd *s, const char *text)
{
	return s->len == strlen(text) && !memcmp(s->p, text, s->len);
}

/*
 * A positive mpint in its one encoding: no needless leading zero byte,
 * not negative, not zero.
 */
static int canonical_mpint(const struct rd *m)
{
	if (m->len == 0 || m->len > BIGNUM_MAX_BYTES || (m->p[0] & 0x80))
		return 0;
	if (m->p[0] == 0 && (m->len < 2 || !(m->p[1] & 0x80)))
		return 0;
	return 1;
}

/* The bits of a canonical mpint. */
static size_t mpint_bits(const struct rd *m)
{
	const unsigned char *p = m->p;
	size_t len = m->len, bits;
	unsigned v;

	if (len && !p[0]) {
		p++;
		len--;
	}
	if (!len)
		return 0;
	bits = (len - 1) * 8;
	for (v = p[0]; v; v >>= 1)
		bits++;
	return bits;
}

/* ---- keys ---- */

enum key_read {
	KEY_READ_OK = 0,
	KEY_READ_INVALID,    /* OpenSSH refuses it */
	KEY_READ_UNSUPPORTED /* OpenSSH may take it; not judged here */
};

static const struct {
	enum chg_sshsig_keytype type;
	const char *name;   /* in the blob */
	const char *curve;  /* ECDSA: the curve's SSH name */
	int nid;
	const char *group;  /* OpenSSL's group name */
	size_t field;       /* ECDSA: bytes of a coordinate */
	const char *shortname;
} key_types[] = {
	{ CHG_SSHSIG_KEY_ED25519, "ssh-ed25519", NULL, 0, NULL, 0, "ED25519" },
	{ CHG_SSHSIG_KEY_ECDSA_P256, "ecdsa-sha2-nistp256", "nistp256",
	  NID_X9_62_prime256v1, "prime256v1", 32, "ECDSA" },
	{ CHG_SSHSIG_KEY_ECDSA_P384, "ecdsa-sha2-nistp384", "nistp384",
	  NID_secp384r1, "secp384r1", 48, "ECDSA" },
	{ CHG_SSHSIG_KEY_ECDSA_P521, "ecdsa-sha2-nistp521", "nistp521",
	  NID_secp521r1, "secp521r1", 66, "ECDSA" },
	{ CHG_SSHSIG_KEY_RSA, "ssh-rsa", NULL, 0, NULL, 0, "RSA" },
};

static size_t key_index(enum chg_sshsig_keytype type)
{
	size_t i;

	for (i = 0; i < sizeof(key_types) / sizeof(*key_types); i++)
		if (key_types[i].type == type)
			return i;
	return 0;
}

/*
 * Whether `point` is a public key OpenSSH accepts on the curve `nid`
 * (sshkey_ec_validate_public): on the curve, not infinity, of the group's
 * order, both coordinates longer than half the order and below order - 1.
 * The NIST curves have cofactor 1, so every point on them but infinity is
 * of the group's order: OpenSSH's check of order * Q is not repeated.
 * Returns 1, 0, or -1 when OpenSSL fails.
 */
static int ec_point_ok(int nid, const unsigned char *point, size_t len)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(nid);
	EC_POINT *q = NULL;
	BIGNUM *x = BN_new(), *y = BN_new(), *tmp = BN_new();
	const BIGNUM *order;
	int ok = -1;

	if (!group || !x || !y || !tmp || !(q = EC_POINT_new(group)))
		goto out;
	if (!(order = EC_GROUP_get0_order(group)) || !BN_is_one(EC_GROUP_get0_cofactor(group)))
		goto out;
	ok = 0;
	if (EC_POINT_oct2point(group, q, point, len, NULL) != 1 ||
	    EC_POINT_is_at_infinity(group, q))
		goto out;
	ok = -1;
	if (EC_POINT_get_affine_coordinates(group, q, x, y, NULL) != 1 ||
	    !BN_sub(tmp, order, BN_value_one()))
		goto out;
	ok = BN_num_bits(x) > BN_num_bits(order) / 2 &&
	     BN_num_bits(y) > BN_num_bits(order) / 2 &&
	     BN_cmp(x, tmp) < 0 && BN_cmp(y, tmp) < 0;
out:
	BN_free(x);
	BN_free(y);
	BN_free(tmp);
	EC_POINT_free(q);
	EC_GROUP_free(group);
	return ok;
}

/*
 * Reads the public key blob `b` (as sshkey_fromb does, but only the kinds
 * verified here, and only in their canonical encoding) into *type.
 */
static enum key_read key_from_blob(enum chg_sshsig_keytype *type, struct rd b)
{
	struct rd name, f1, f2;
	size_t i, k = sizeof(key_types) / sizeof(*key_types);
	int ok;

	*type = CHG_SSHSIG_KEY_NONE;
	if (rd_cstring(&b, &name) < 0)
		return KEY_READ_INVALID;
	for (i = 0; i < k; i++)
		if (rd_is(&name, key_types[i].name))
			break;
	if (i == k)
		return KEY_READ_UNSUPPORTED;
	switch (key_types[i].type) {
	case CHG_SSHSIG_KEY_ED25519:
		if (rd_string(&b, &f1) < 0 || f1.len != 32 || b.len)
			return KEY_READ_INVALID;
		break;
	case CHG_SSHSIG_KEY_ECDSA_P256:
	case CHG_SSHSIG_KEY_ECDSA_P384:
	case CHG_SSHSIG_KEY_ECDSA_P521:
		if (rd_cstring(&b, &f1) < 0 || !rd_is(&f1, key_types[i].curve) ||
		    rd_string(&b, &f2) < 0 || b.len)
			return KEY_READ_INVALID;
		if (f2.len != 1 + 2 * key_types[i].field || f2.p[0] != 0x04)
			return KEY_READ_UNSUPPORTED;
		ok = ec_point_ok(key_types[i].nid, f2.p, f2.len);
		if (ok < 0)
			return KEY_READ_UNSUPPORTED;
		if (!ok)
			return KEY_READ_INVALID;
		break;
	case CHG_SSHSIG_KEY_RSA:
		/* e, then n */
		if (rd_string(&b, &f1) < 0 || rd_string(&b, &f2) < 0 || b.len)
			return KEY_READ_INVALID;
		if (!canonical_mpint(&f1) || !canonical_mpint(&f2))
			return KEY_READ_UNSUPPORTED;
		/* a modulus under 1024 bits: OpenSSH skips such a key in
		 * some places and refuses it in others */
		if (mpint_bits(&f2) < RSA_MIN_BITS)
			return KEY_READ_UNSUPPORTED;
		break;
	case CHG_SSHSIG_KEY_NONE:
		return KEY_READ_UNSUPPORTED;
	}
	*type = key_types[i].type;
	return KEY_READ_OK;
}

static int key_set(struct chg_sshsig_key *key, enum chg_sshsig_keytype type,
		   const unsigned char *blob, size_t len)
{
	if (!(key->blob = malloc(len ? len : 1)))
		return CHG_ENOMEM;
	memcpy(key->blob, blob, len);
	key->len = len;
	key->type = type;
	return 0;
}

static void key_release(struct chg_sshsig_key *key)
{
	free(key->blob);
	key->blob = NULL;
	key->len = 0;
	key->type = CHG_SSHSIG_KEY_NONE;
}

static int key_equal(const struct chg_sshsig_key *a, const struct chg_sshsig_key *b)
{
	return a->type != CHG_SSHSIG_KEY_NONE && a->type == b->type &&
	       a->len == b->len && !memcmp(a->blob, b->blob, a->len);
}

/* "ED25519 key SHA256:<base64 without padding>", as ssh-keygen prints it. */
static int fingerprint(char **out, const struct chg_sshsig_key *key)
{
	unsigned char md[32];
	unsigned char b64[48];
	unsigned int mdlen = 0;
	struct chg_buf b = CHG_BUF_INIT;
	int n;

	if (EVP_Digest(key->blob, key->len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		return CHG_ERROR;
	n = EVP_EncodeBlock(b64, md, (int)mdlen);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	if (chg_buf_printf(&b, "%s key SHA256:%.*s",
			   key_types[key_index(key->type)].shortname, n, b64) < 0 ||
	    !(*out = chg_buf_detach(&b))) {
		chg_buf_release(&b);
		return CHG_ENOMEM;
	}
	return 0;
}

/* ---- signatures ---- */

/* Ed25519's group order L, little-endian. */
static const unsigned char ed25519_l[32] = {
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2,
	0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10
};

/* Whether the scalar S (little-endian) is below L. */
static int ed25519_s_canonical(const unsigned char *s)
{
	int i;

	for (i = 31; i >= 0; i--) {
		if (s[i] < ed25519_l[i])
			return 1;
		if (s[i] > ed25519_l[i])
			return 0;
	}
	return 0;
}

/* EVP_DigestVerify: 1 verifies, 0 does not, -1 OpenSSL failed. */
static int digest_verify(EVP_PKEY *pkey, const EVP_MD *md,
			 const unsigned char *sig, size_t siglen,
			 const unsigned char *tbs, size_t tbslen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = -1;

	if (ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1)
		rc = EVP_DigestVerify(ctx, sig, siglen, tbs, tbslen);
	EVP_MD_CTX_free(ctx);
	return rc < 0 ? -1 : rc;
}

static EVP_PKEY *pkey_fromdata(const char *alg, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	EVP_PKEY *pkey = NULL;

	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/* The DigestInfo prefixes of EMSA-PKCS1-v1_5 (RFC 8017 section 9.2). */
static const unsigned char sha256_prefix[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
	0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20
};
static const unsigned char sha512_prefix[] = {
	0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
	0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40
};

/*
 * Verifies the SSH signature blob `sig` (string algorithm, then the
 * algorithm's data) by `key` over `tbs`.  Returns CHG_SSHSIG_OK,
 * CHG_SSHSIG_INCORRECT, or CHG_SSHSIG_UNSUPPORTED for anything ssh-keygen
 * would report in other words (a wrong algorithm, trailing data, a
 * failure of OpenSSL), with *why set.
 */
static enum chg_sshsig_status verify_blob(const char **why,
					  const struct chg_sshsig_key *key,
					  struct rd sig, const unsigned char *tbs,
					  size_t tbslen)
{
	struct rd alg, kb = { key->blob, key->len }, skip, f1, f2, inner;
	size_t ki = key_index(key->type);
	enum chg_sshsig_status st = CHG_SSHSIG_UNSUPPORTED;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	BIGNUM *bn1 = NULL, *bn2 = NULL;
	ECDSA_SIG *esig = NULL;
	unsigned char *der = NULL, *padded = NULL, *dec = NULL;
	unsigned char digest[64];
	unsigned int dlen = 0;
	const EVP_MD *md = NULL;
	const unsigned char *prefix = NULL;
	size_t prefix_len = 0, modlen, declen;
	int rc, derlen;

	*why = "the signature's algorithm is not the key's";
	if (rd_cstring(&sig, &alg) < 0)
		goto out;
	/* the key's own fields, after its name */
	if (rd_string(&kb, &skip) < 0)
		goto out;
	switch (key->type) {
	case CHG_SSHSIG_KEY_ED25519:
		if (!rd_is(&alg, "ssh-ed25519"))
			goto out;
		*why = "a malformed Ed25519 signature";
		if (rd_string(&sig, &f1) < 0 || sig.len || f1.len != 64 ||
		    rd_string(&kb, &f2) < 0)
			goto out;
		*why = "OpenSSL cannot verify it";
		if (!(pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
							 f2.p, f2.len)))
			goto out;
		rc = digest_verify(pkey, NULL, f1.p, f1.len, tbs, tbslen);
		if (rc == 1)
			st = CHG_SSHSIG_OK;
		/* OpenSSL refuses S >= L, which OpenSSH's ref10 takes */
		else if (rc == 0 && ed25519_s_canonical(f1.p + 32))
			st = CHG_SSHSIG_INCORRECT;
		else if (rc == 0)
			*why = "an Ed25519 signature with a non-canonical S";
		break;
	case CHG_SSHSIG_KEY_ECDSA_P256:
	case CHG_SSHSIG_KEY_ECDSA_P384:
	case CHG_SSHSIG_KEY_ECDSA_P521:
		if (!rd_is(&alg, key_types[ki].name))
			goto out;
		*why = "a malformed ECDSA signature";
		if (rd_string(&sig, &inner) < 0 || sig.len ||
		    rd_string(&inner, &f1) < 0 || rd_string(&inner, &f2) < 0 ||
		    inner.len)
			goto out;
		/* sshbuf_get_bignum2: not negative, not too long; leading
		 * zeros are taken */
		if ((f1.len && (f1.p[0] & 0x80)) || (f2.len && (f2.p[0] & 0x80)) ||
		    f1.len > BIGNUM_MAX_BYTES || f2.len > BIGNUM_MAX_BYTES)
			goto out;
		*why = "OpenSSL cannot verify it";
		md = ki == key_index(CHG_SSHSIG_KEY_ECDSA_P256) ? EVP_sha256() :
		     ki == key_index(CHG_SSHSIG_KEY_ECDSA_P384) ? EVP_sha384() :
		     EVP_sha512();
		if (rd_string(&kb, &skip) < 0 || rd_string(&kb, &skip) < 0)
			goto out;
		if (!(bld = OSSL_PARAM_BLD_new()) ||
		    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
						     key_types[ki].group, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						      skip.p, skip.len) ||
		    !(pkey = pkey_fromdata("EC", bld)))
			goto out;
		if (!(bn1 = BN_bin2bn(f1.p, (int)f1.len, NULL)) ||
		    !(bn2 = BN_bin2bn(f2.p, (int)f2.len, NULL)) ||
		    !(esig = ECDSA_SIG_new()) || !ECDSA_SIG_set0(esig, bn1, bn2))
			goto out;
		bn1 = bn2 = NULL;
		if ((derlen = i2d_ECDSA_SIG(esig, &der)) <= 0)
			goto out;
		rc = digest_verify(pkey, md, der, (size_t)derlen, tbs, tbslen);
		if (rc == 1)
			st = CHG_SSHSIG_OK;
		else if (rc == 0)
			st = CHG_SSHSIG_INCORRECT;
		break;
	case CHG_SSHSIG_KEY_RSA:
		/* never ssh-rsa (SHA-1) */
		if (rd_is(&alg, "rsa-sha2-256")) {
			md = EVP_sha256();
			prefix = sha256_prefix;
			prefix_len = sizeof(sha256_prefix);
		} else if (rd_is(&alg, "rsa-sha2-512")) {
			md = EVP_sha512();
			prefix = sha512_prefix;
			prefix_len = sizeof(sha512_prefix);
		} else {
			*why = "an RSA signature that is neither rsa-sha2-256 nor rsa-sha2-512";
			goto out;
		}
		*why = "a malformed RSA signature";
		if (rd_string(&sig, &f1) < 0 || sig.len || !f1.len ||
		    rd_string(&kb, &skip) < 0 || rd_string(&kb, &f2) < 0)
			goto out;
		/* e is `skip`, n is `f2` */
		modlen = f2.len - (f2.p[0] == 0);
		if (f1.len > modlen)
			goto out;
		*why = "OpenSSL cannot verify it";
		if (!(bn1 = BN_bin2bn(f2.p, (int)f2.len, NULL)) ||
		    !(bn2 = BN_bin2bn(skip.p, (int)skip.len, NULL)) ||
		    !(bld = OSSL_PARAM_BLD_new()) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn1) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn2) ||
		    !(pkey = pkey_fromdata("RSA", bld)))
			goto out;
		/* as OpenSSH: a short signature is padded on the left */
		if (!(padded = calloc(1, modlen)) || !(dec = malloc(modlen)))
			goto out;
		memcpy(padded + (modlen - f1.len), f1.p, f1.len);
		declen = modlen;
		if (!(pctx = EVP_PKEY_CTX_new(pkey, NULL)) ||
		    EVP_PKEY_verify_recover_init(pctx) != 1 ||
		    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
		    EVP_PKEY_verify_recover(pctx, dec, &declen, padded, modlen) != 1)
			goto out;
		if (EVP_Digest(tbs, tbslen, digest, &dlen, md, NULL) != 1)
			goto out;
		*why = "a malformed RSA signature";
		if (declen != prefix_len + dlen)
			goto out;
		st = CRYPTO_memcmp(dec, prefix, prefix_len) == 0 &&
		     CRYPTO_memcmp(dec + prefix_len, digest, dlen) == 0 ?
			CHG_SSHSIG_OK : CHG_SSHSIG_INCORRECT;
		break;
	case CHG_SSHSIG_KEY_NONE:
		break;
	}
out:
	if (st != CHG_SSHSIG_UNSUPPORTED)
		*why = NULL;
	BN_free(bn1);
	BN_free(bn2);
	ECDSA_SIG_free(esig);
	OPENSSL_free(der);
	free(padded);
	free(dec);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(pkey);
	OSSL_PARAM_BLD_free(bld);
	return st;
}

static int put_string(struct chg_buf *b, const void *p, size_t len)
{
	unsigned char n[4] = {
		(unsigned char)(len >> 24), (unsigned char)(len >> 16),
		(unsigned char)(len >> 8), (unsigned char)len
	};

	if (chg_buf_put(b, n, 4) < 0 || chg_buf_put(b, p, len) < 0)
		return CHG_ENOMEM;
	return 0;
}

static int set_status(struct chg_sshsig *out, enum chg_sshsig_status st,
		      const char *why)
{
	out->status = st;
	out->why = why;
	return 0;
}

int chg_sshsig_verify(struct chg_sshsig *out, const char *sig, size_t sig_len,
		      const char *ns, const void *data, size_t data_len)
{
	struct chg_sshsig init = CHG_SSHSIG_INIT;
	struct chg_buf blob = CHG_BUF_INIT, tbs = CHG_BUF_INIT;
	struct rd r, pub, got_ns, reserved, hashalg, sigblob;
	const char *b64, *end, *why = NULL;
	unsigned char digest[64];
	unsigned int dlen = 0;
	const EVP_MD *md;
	enum chg_sshsig_keytype type;
	enum key_read kr;
	uint32_t version;
	size_t i;
	int error = 0;

	*out = init;
	if (sig_len > CHG_SSHSIG_MAX_SIZE)
		return set_status(out, CHG_SSHSIG_UNSUPPORTED, "it is too large");
	/* sshsig_dearmor: the header at the start, the first footer after */
	if (sig_len < strlen(BEGIN_ARMOR) || memcmp(sig, BEGIN_ARMOR, strlen(BEGIN_ARMOR)))
		return set_status(out, CHG_SSHSIG_MALFORMED, "no SSH signature armor");
	b64 = sig + strlen(BEGIN_ARMOR);
	for (end = NULL, i = 0; b64 + i + strlen(END_ARMOR) <= sig + sig_len; i++)
		if (!memcmp(b64 + i, END_ARMOR, strlen(END_ARMOR))) {
			end = b64 + i;
			break;
		}
	if (!end)
		return set_status(out, CHG_SSHSIG_MALFORMED, "no end of the SSH signature armor");
	if (memchr(b64, '\0', (size_t)(end - b64)))
		return set_status(out, CHG_SSHSIG_MALFORMED, "a NUL byte in the armor");
	if ((error = b64_decode(&blob, b64, (size_t)(end - b64))) < 0) {
		chg_buf_release(&blob);
		return error == CHG_ENOMEM ? error :
			set_status(out, CHG_SSHSIG_MALFORMED, "bad base64");
	}

	r.p = (const unsigned char *)blob.ptr;
	r.len = blob.len;
	if (r.len < MAGIC_LEN || memcmp(r.p, MAGIC, MAGIC_LEN)) {
		set_status(out, CHG_SSHSIG_MALFORMED, "no SSHSIG magic");
		goto cleanup;
	}
	r.p += MAGIC_LEN;
	r.len -= MAGIC_LEN;
	if (rd_u32(&r, &version) < 0) {
		set_status(out, CHG_SSHSIG_MALFORMED, "truncated");
		goto cleanup;
	}
	if (version != 1) {
		set_status(out, CHG_SSHSIG_UNSUPPORTED, "a version other than 1");
		goto cleanup;
	}
	if (rd_string(&r, &pub) < 0 || rd_cstring(&r, &got_ns) < 0 ||
	    rd_string(&r, &reserved) < 0 || rd_cstring(&r, &hashalg) < 0 ||
	    rd_string(&r, &sigblob) < 0) {
		set_status(out, CHG_SSHSIG_MALFORMED, "truncated or a length out of bounds");
		goto cleanup;
	}
	if (r.len) {
		set_status(out, CHG_SSHSIG_MALFORMED, "trailing data");
		goto cleanup;
	}
	if (rd_is(&hashalg, "sha256")) {
		md = EVP_sha256();
	} else if (rd_is(&hashalg, "sha512")) {
		md = EVP_sha512();
	} else {
		set_status(out, CHG_SSHSIG_UNSUPPORTED, "a hash algorithm other than sha256 and sha512");
		goto cleanup;
	}
	kr = key_from_blob(&type, pub);
	if (kr != KEY_READ_OK) {
		set_status(out, kr == KEY_READ_INVALID ? CHG_SSHSIG_MALFORMED :
			   CHG_SSHSIG_UNSUPPORTED,
			   kr == KEY_READ_INVALID ? "a malformed public key" :
			   "a kind of key (or an encoding of it) not verified here");
		goto cleanup;
	}
	if (reserved.len) {
		set_status(out, CHG_SSHSIG_UNSUPPORTED, "a reserved field that is not empty");
		goto cleanup;
	}
	if ((error = key_set(&out->key, type, pub.p, pub.len)) < 0 ||
	    (error = fingerprint(&out->fingerprint, &out->key)) < 0) {
		if (error == CHG_ERROR) {
			error = 0;
			set_status(out, CHG_SSHSIG_UNSUPPORTED, "OpenSSL cannot hash");
		}
		goto cleanup;
	}
	/* as sshsig_wrap_verify: the namespace, then the signature */
	if (!rd_is(&got_ns, ns)) {
		set_status(out, CHG_SSHSIG_NAMESPACE, NULL);
		goto cleanup;
	}
	if (EVP_Digest(data, data_len, digest, &dlen, md, NULL) != 1) {
		set_status(out, CHG_SSHSIG_UNSUPPORTED, "OpenSSL cannot hash");
		goto cleanup;
	}
	if ((error = chg_buf_put(&tbs, MAGIC, MAGIC_LEN)) < 0 ||
	    (error = put_string(&tbs, ns, strlen(ns))) < 0 ||
	    (error = put_string(&tbs, "", 0)) < 0 ||
	    (error = put_string(&tbs, hashalg.p, hashalg.len)) < 0 ||
	    (error = put_string(&tbs, digest, dlen)) < 0)
		goto cleanup;
	out->status = verify_blob(&why, &out->key, sigblob,
				  (const unsigned char *)tbs.ptr, tbs.len);
	out->why = why;
cleanup:
	if (out->status == CHG_SSHSIG_MALFORMED || out->status == CHG_SSHSIG_UNSUPPORTED) {
		key_release(&out->key);
		free(out->fingerprint);
		out->fingerprint = NULL;
	}
	chg_buf_release(&blob);
	chg_buf_release(&tbs);
	return error;
}

void chg_sshsig_release(struct chg_sshsig *s)
{
	struct chg_sshsig init = CHG_SSHSIG_INIT;

	if (!s)
		return;
	key_release(&s->key);
	free(s->fingerprint);
	*s = init;
}

/* ---- keys as text: "ssh-ed25519 AAAA... comment" (sshkey_read) ---- */

/*
 * Reads a key at *cpp as sshkey_read does: a type name, blanks, base64 up
 * to a blank.  On KEY_READ_OK sets `key`.  KEY_READ_INVALID when OpenSSH
 * would not read a key verified here at all (the type name is not one of
 * them, the base64 or the blob is bad); KEY_READ_UNSUPPORTED when it might.
 */
static enum key_read read_key_text(struct chg_sshsig_key *key, const char *cp,
				   int *nomem)
{
	struct chg_buf blob = CHG_BUF_INIT;
	enum chg_sshsig_keytype want = CHG_SSHSIG_KEY_NONE, got;
	enum key_read kr;
	size_t space = strcspn(cp, " \t"), i;
	struct rd r;
	int error;

	if (!cp[space])
		return KEY_READ_INVALID;
	for (i = 0; i < sizeof(key_types) / sizeof(*key_types); i++)
		if (strlen(key_types[i].name) == space &&
		    !memcmp(cp, key_types[i].name, space))
			want = key_types[i].type;
	/* the signature-only names of RSA are read as RSA keys */
	if ((space == 12 && !memcmp(cp, "rsa-sha2-256", 12)) ||
	    (space == 12 && !memcmp(cp, "rsa-sha2-512", 12)))
		want = CHG_SSHSIG_KEY_RSA;
	if (want == CHG_SSHSIG_KEY_NONE)
		return KEY_READ_INVALID;
	for (cp += space; *cp == ' ' || *cp == '\t'; cp++)
		;
	if (!*cp)
		return KEY_READ_INVALID;
	space = strcspn(cp, " \t");
	if ((error = b64_decode(&blob, cp, space)) < 0) {
		chg_buf_release(&blob);
		if (error == CHG_ENOMEM)
			*nomem = 1;
		return KEY_READ_INVALID;
	}
	r.p = (const unsigned char *)blob.ptr;
	r.len = blob.len;
	kr = key_from_blob(&got, r);
	if (kr == KEY_READ_OK && got != want)
		kr = KEY_READ_INVALID;
	if (kr == KEY_READ_OK && key_set(key, got, r.p, r.len) < 0) {
		*nomem = 1;
		kr = KEY_READ_INVALID;
	}
	chg_buf_release(&blob);
	return kr;
}

/* ---- allowed signers ---- */

/* opt_dequote: a quoted value, \" for a quote. */
static char *dequote(const char **sp)
{
	const char *s = *sp;
	struct chg_buf b = CHG_BUF_INIT;

	if (*s != '"')
		return NULL;
	for (s++; *s && *s != '"'; s++) {
		if (s[0] == '\\' && s[1] == '"')
			s++;
		if (chg_buf_putc(&b, *s) < 0)
			goto fail;
	}
	if (!*s)
		goto fail;
	*sp = s + 1;
	return chg_buf_detach(&b);
fail:
	chg_buf_release(&b);
	return NULL;
}

/*
 * parse_absolute_time, for a string of digits only (anything else is left
 * to ssh-keygen: strptime takes more than it should): YYYYMMDD[HHMM[SS]],
 * then "Z" or "UTC" or nothing, all read as UTC.  Returns 0 with *t set,
 * -1 when OpenSSH refuses it, 1 when it is not judged here.
 */
static int parse_time(int64_t *t, const char *s)
{
	static const char *const fmts[] = {
		"%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"
	};
	char buf[32];
	const char *fmt, *end;
	size_t l = strlen(s), i;
	struct tm tm;
	time_t tt;

	*t = 0;
	if (l > 1 && !strcasecmp(s + l - 1, "Z"))
		l--;
	else if (l > 3 && !strcasecmp(s + l - 3, "UTC"))
		l -= 3;
	if (l != 8 && l != 12 && l != 14)
		return -1;
	for (i = 0; i < l; i++)
		if (s[i] < '0' || s[i] > '9')
			return 1;
	fmt = fmts[l == 8 ? 0 : l == 12 ? 1 : 2];
	if (l == 8)
		snprintf(buf, sizeof(buf), "%.4s-%.2s-%.2s", s, s + 4, s + 6);
	else if (l == 12)
		snprintf(buf, sizeof(buf), "%.4s-%.2s-%.2sT%.2s:%.2s",
			 s, s + 4, s + 6, s + 8, s + 10);
	else
		snprintf(buf, sizeof(buf), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s",
			 s, s + 4, s + 6, s + 8, s + 10, s + 12);
	memset(&tm, 0, sizeof(tm));
	if (!(end = strptime(buf, fmt, &tm)) || *end)
		return -1;
	if ((tt = timegm(&tm)) < 0)
		return -1;
	*t = (int64_t)tt;
	return 0;
}

/* sshsigopt_parse: 0, -1 (OpenSSH refuses the line), 1 (not judged here),
 * or CHG_ENOMEM. */
static int parse_options(struct chg_sshsig_signer *e, const char *opts)
{
	int64_t *when;
	char *v;
	int rc;

	if (!opts || !*opts)
		return 0;
	while (*opts && *opts != ' ' && *opts != '\t') {
		if (!strncasecmp(opts, "cert-authority", 14)) {
			e->cert_authority = 1;
			opts += 14;
		} else if (!strncasecmp(opts, "namespaces=", 11)) {
			opts += 11;
			if (e->namespaces || !(e->namespaces = dequote(&opts)))
				return -1;
		} else if (!strncasecmp(opts, "valid-after=", 12) ||
			   !strncasecmp(opts, "valid-before=", 13)) {
			when = opts[6] == 'a' || opts[6] == 'A' ? &e->valid_after :
			       &e->valid_before;
			opts += when == &e->valid_after ? 12 : 13;
			if (*when || !(v = dequote(&opts)))
				return -1;
			rc = parse_time(when, v);
			free(v);
			if (rc)
				return rc;
			if (*when == 0)
				return -1;
		}
		if (!*opts || *opts == ' ' || *opts == '\t')
			break;
		if (*opts != ',')
			return -1;
		opts++;
		if (!*opts)
			return -1;
	}
	if (e->valid_after && e->valid_before && e->valid_before <= e->valid_after)
		return -1;
	return 0;
}

/* Reads one line (NUL-terminated, with its newline) as OpenSSH's
 * parse_principals_key_and_options does. */
static int parse_signer(struct chg_sshsig_signers *s, struct chg_sshsig_signer *e,
			char *line)
{
	char *cp = line + strspn(line, " \t"), *d, *opts = NULL;
	enum key_read kr;
	int nomem = 0, quoted = 0, rc;

	if (*cp == '#' || !*cp)
		return 0;
	/* strdelimw */
	if (!(d = strpbrk(cp, " \t\r\n\"")))
		return 0;
	if (*d == '"') {
		s->uncertain = 1;
		s->why = "a quoted principal";
		return 0;
	}
	*d = '\0';
	if (!(e->principals = strdup(cp)))
		return CHG_ENOMEM;
	cp = d + 1;
	cp += strspn(cp, " \t\r\n");

	kr = read_key_text(&e->key, cp, &nomem);
	if (kr == KEY_READ_INVALID && !nomem) {
		/* options first: sshkey_advance_past_options */
		opts = cp;
		for (; *cp && (quoted || (*cp != ' ' && *cp != '\t')); cp++) {
			if (*cp == '\\' && cp[1] == '"')
				cp++;
			else if (*cp == '"')
				quoted = !quoted;
		}
		if (!*cp)
			return 0;
		*cp++ = '\0';
		while (*cp == ' ' || *cp == '\t')
			cp++;
		kr = read_key_text(&e->key, cp, &nomem);
	}
	if (nomem)
		return CHG_ENOMEM;
	if (kr == KEY_READ_UNSUPPORTED) {
		/* a key of a kind verified here, in an encoding OpenSSH may
		 * or may not take */
		key_release(&e->key);
		s->uncertain = 1;
		s->why = "a key not read here";
		return 0;
	}
	if (kr == KEY_READ_INVALID)
		return 0;
	if ((rc = parse_options(e, opts)) < 0)
		return 0;
	if (rc > 0) {
		s->uncertain = 1;
		s->why = "a date not in digits";
		return 0;
	}
	e->valid = 1;
	return 0;
}

int chg_sshsig_signers_parse(struct chg_sshsig_signers **out,
			     const char *text, size_t len)
{
	struct chg_sshsig_signers *s;
	struct chg_buf line = CHG_BUF_INIT;
	const char *p = text, *end = text + len, *nl;
	size_t lines = 0, i;
	int error = 0;

	*out = NULL;
	if (!(s = calloc(1, sizeof(*s))))
		return CHG_ENOMEM;
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			lines++;
	if (!(s->lines = calloc(lines + 1, sizeof(*s->lines)))) {
		free(s);
		return CHG_ENOMEM;
	}
	if (memchr(text, '\0', len)) {
		s->uncertain = 1;
		s->why = "a NUL byte";
	}
	while (p < end && !s->uncertain) {
		struct chg_sshsig_signer *e = &s->lines[s->n];

		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl ? nl + 1 : end;
		chg_buf_clear(&line);
		if ((error = chg_buf_put(&line, p, (size_t)(nl - p))) < 0)
			break;
		e->line = (unsigned)(s->n + 1);
		s->n++;
		if ((error = parse_signer(s, e, line.ptr)) < 0)
			break;
		p = nl;
	}
	chg_buf_release(&line);
	if (error < 0) {
		chg_sshsig_signers_free(s);
		return error;
	}
	*out = s;
	return 0;
}

void chg_sshsig_signers_free(struct chg_sshsig_signers *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->lines[i].principals);
		free(s->lines[i].namespaces);
		key_release(&s->lines[i].key);
	}
	free(s->lines);
	free(s);
}

/* check_allowed_keys_line's key and time checks; `ns` NULL: any. */
static int line_admits(const struct chg_sshsig_signer *e,
		       const struct chg_sshsig_key *key, const char *ns,
		       int64_t when, int *out_of_time)
{
	if (!e->valid || e->cert_authority || !key_equal(&e->key, key))
		return 0;
	if (e->namespaces && ns &&
	    chg_sshsig_match_pattern_list(ns, e->namespaces) != 1)
		return 0;
	if ((e->valid_after && when < e->valid_after) ||
	    (e->valid_before && when > e->valid_before)) {
		*out_of_time = 1;
		return 0;
	}
	return 1;
}

int chg_sshsig_signers_allow(const struct chg_sshsig_signers *s,
			     const struct chg_sshsig_key *key,
			     const char *principal, const char *ns, int64_t when)
{
	size_t i;
	int oot = 0;

	for (i = 0; i < s->n; i++) {
		const struct chg_sshsig_signer *e = &s->lines[i];

		if (!e->valid || chg_sshsig_match_pattern_list(principal, e->principals) != 1)
			continue;
		if (line_admits(e, key, ns, when, &oot))
			return 1;
	}
	return 0;
}

int chg_sshsig_signers_find(struct chg_strlist *out, int *out_of_time,
			    const struct chg_sshsig_signers *s,
			    const struct chg_sshsig_key *key, int64_t when)
{
	struct chg_buf one = CHG_BUF_INIT;
	const char *p, *comma;
	size_t i;
	int error = 0;

	*out_of_time = 0;
	for (i = 0; i < s->n; i++) {
		const struct chg_sshsig_signer *e = &s->lines[i];

		if (!line_admits(e, key, NULL, when, out_of_time))
			continue;
		/* strsep at ',' up to the first empty one */
		for (p = e->principals; *p; p = *comma ? comma + 1 : comma) {
			comma = p + strcspn(p, ",");
			if (comma == p)
				break;
			chg_buf_clear(&one);
			if ((error = chg_buf_put(&one, p, (size_t)(comma - p))) < 0 ||
			    (error = chg_strlist_add(out, one.ptr)) < 0)
				break;
		}
		chg_buf_release(&one);
		return error < 0 ? error : 1;
	}
	return 0;
}

/* ---- revoked keys ---- */

int chg_sshsig_revoked_parse(struct chg_sshsig_revoked **out,
			     const char *text, size_t len)
{
	struct chg_sshsig_revoked *r;
	struct chg_buf line = CHG_BUF_INIT;
	const char *p = text, *end = text + len, *nl;
	size_t lines = 0, i;
	int error = 0, nomem = 0;

	*out = NULL;
	if (!(r = calloc(1, sizeof(*r))))
		return CHG_ENOMEM;
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			lines++;
	if (!(r->keys = calloc(lines + 1, sizeof(*r->keys)))) {
		free(r);
		return CHG_ENOMEM;
	}
	if (len >= KRL_MAGIC_LEN && !memcmp(text, KRL_MAGIC, KRL_MAGIC_LEN)) {
		r->uncertain = 1;
		r->why = "an OpenSSH KRL";
	} else if (memchr(text, '\0', len)) {
		r->uncertain = 1;
		r->why = "a NUL byte";
	}
	/* sshkey_in_file: blank lines and comments, else a key a line */
	while (p < end && !r->uncertain) {
		const char *cp;

		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl ? nl + 1 : end;
		chg_buf_clear(&line);
		if ((error = chg_buf_put(&line, p, (size_t)(nl - p))) < 0)
			break;
		p = nl;
		for (cp = line.ptr; *cp == ' ' || *cp == '\t'; cp++)
			;
		if (*cp == '#' || *cp == '\n' || !*cp)
			continue;
		if (read_key_text(&r->keys[r->n], cp, &nomem) != KEY_READ_OK) {
			if (nomem) {
				error = CHG_ENOMEM;
				break;
			}
			r->uncertain = 1;
			r->why = "a line that is not a plain public key verified here";
			break;
		}
		r->n++;
	}
	chg_buf_release(&line);
	if (error < 0) {
		chg_sshsig_revoked_free(r);
		return error;
	}
	*out = r;
	return 0;
}

void chg_sshsig_revoked_free(struct chg_sshsig_revoked *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		key_release(&r->keys[i]);
	free(r->keys);
	free(r);
}

int chg_sshsig_revoked_has(const struct chg_sshsig_revoked *r,
			   const struct chg_sshsig_key *key)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (key_equal(&r->keys[i], key))
			return 1;
	return 0;
}
