#include "digest.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "error.h"
#include "banned.h"

#define DIGEST_PREFIX "sha256:"
#define DIGEST_PREFIX_LEN 7
#define DIGEST_HEX_LEN 64

static const char hex[] = "0123456789abcdef";

/*
 * The bytes of a mapping key.  The loader only makes scalar keys; a
 * hand-built tree with another kind of key, or a scalar without a value,
 * reads as the empty string rather than crashing.
 */
static const char *key_bytes(const struct chg_node *key, size_t *len)
{
	if (key->type != CHG_NODE_SCALAR || !key->value) {
		*len = 0;
		return "";
	}
	*len = key->len;
	return key->value;
}

/* memcmp order over the whole key; a key that is a prefix sorts first. */
static int key_cmp(const struct chg_node *a, const struct chg_node *b)
{
	size_t alen, blen;
	const char *ap = key_bytes(a, &alen);
	const char *bp = key_bytes(b, &blen);
	int c = memcmp(ap, bp, alen < blen ? alen : blen);

	if (c)
		return c;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return 0;
}

/*
 * Sorts pointers into one mapping's pairs array by key, and among equal
 * keys by position, so that the first occurrence of a repeated key comes
 * first and the order is total (qsort is not stable).
 */
static int pair_cmp(const void *pa, const void *pb)
{
	const struct chg_pair *a = *(const struct chg_pair *const *)pa;
	const struct chg_pair *b = *(const struct chg_pair *const *)pb;
	int c = key_cmp(a->key, b->key);

	if (c)
		return c;
	return a < b ? -1 : a > b;
}

static int is_skipped(const struct chg_node *key, const char *const *skip)
{
	size_t len;
	const char *p = key_bytes(key, &len);

	for (; skip && *skip; skip++)
		if (strlen(*skip) == len && !memcmp(*skip, p, len))
			return 1;
	return 0;
}

/* Appends `len` bytes of `s` as a JSON string (DESIGN section 5). */
static int put_string(struct chg_buf *out, const char *s, size_t len)
{
	size_t i, run = 0;
	char esc[6];
	size_t esc_len;

	if (chg_buf_putc(out, '"') < 0)
		return CHG_ENOMEM;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		esc_len = 2;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			if (c >= 0x20)
				continue;
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			esc_len = 6;
			break;
		}
		/* flush the literal bytes before this one, then the escape */
		if (chg_buf_put(out, s + run, i - run) < 0 ||
		    chg_buf_put(out, esc, esc_len) < 0)
			return CHG_ENOMEM;
		run = i + 1;
	}
	if (chg_buf_put(out, s + run, len - run) < 0 ||
	    chg_buf_putc(out, '"') < 0)
		return CHG_ENOMEM;
	return 0;
}

static int put_node(struct chg_buf *out, const struct chg_node *node,
		    const char *const *skip);

/* Mappings of up to this many keys are sorted on the stack. */
#define SMALL_MAP 32

static int put_mapping(struct chg_buf *out, const struct chg_node *map,
		       const char *const *skip)
{
	const struct chg_pair *small[SMALL_MAP], **sorted;
	const struct chg_pair *prev = NULL;
	const char *sep = "";
	size_t i, len;
	const char *key;
	int error = 0;

	if (map->n <= SMALL_MAP) {
		/* the usual mapping: sorted in place by insertion, which is
		   stable and, for a few keys, several times faster than qsort */
		sorted = small;
		for (i = 0; i < map->n; i++) {
			const struct chg_pair *p = &map->pairs[i];
			size_t j = i;
			while (j > 0 && key_cmp(sorted[j - 1]->key, p->key) > 0) {
				sorted[j] = sorted[j - 1];
				j--;
			}
			sorted[j] = p;
		}
	} else {
		sorted = malloc(map->n * sizeof(*sorted));
		if (!sorted)
			return CHG_ENOMEM;
		for (i = 0; i < map->n; i++)
			sorted[i] = &map->pairs[i];
		qsort(sorted, map->n, sizeof(*sorted), pair_cmp);
	}

	if ((error = chg_buf_putc(out, '{')) < 0)
		goto cleanup;
	for (i = 0; i < map->n; i++) {
		const struct chg_pair *pair = sorted[i];

		/* a repeated key: the first occurrence sorted first */
		if (prev && !key_cmp(prev->key, pair->key))
			continue;
		prev = pair;
		if (is_skipped(pair->key, skip))
			continue;
		key = key_bytes(pair->key, &len);
		if ((error = chg_buf_puts(out, sep)) < 0 ||
		    (error = put_string(out, key, len)) < 0 ||
		    (error = chg_buf_putc(out, ':')) < 0 ||
		    (error = put_node(out, pair->value, NULL)) < 0)
			goto cleanup;
		sep = ",";
	}
	error = chg_buf_putc(out, '}');

cleanup:
	if (sorted != small)
		free(sorted);
	return error;
}

/* `skip` applies to the keys of `node` itself, never to nested mappings. */
static int put_node(struct chg_buf *out, const struct chg_node *node,
		    const char *const *skip)
{
	size_t i;
	int error;

	switch (node->type) {
	case CHG_NODE_SCALAR:
		return put_string(out, node->value ? node->value : "",
				  node->value ? node->len : 0);
	case CHG_NODE_SEQUENCE:
		if (chg_buf_putc(out, '[') < 0)
			return CHG_ENOMEM;
		for (i = 0; i < node->n; i++) {
			if (i && chg_buf_putc(out, ',') < 0)
				return CHG_ENOMEM;
			if ((error = put_node(out, node->items[i], NULL)) < 0)
				return error;
		}
		return chg_buf_putc(out, ']');
	case CHG_NODE_MAPPING:
		return put_mapping(out, node, skip);
	}
	return 0;
}

int chg_digest_canonical(struct chg_buf *out, const struct chg_node *root,
			 const char *const *skip)
{
	return put_node(out, root, skip);
}

int chg_digest_compute(char out[CHG_DIGEST_SIZE], const struct chg_node *root,
		       const char *const *skip)
{
	struct chg_buf canon = CHG_BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	char *p;
	unsigned int i;
	int error;

	out[0] = '\0';
	if ((error = chg_digest_canonical(&canon, root, skip)) < 0)
		goto cleanup;
	if (!EVP_Digest(canon.ptr, canon.len, md, &md_len, EVP_sha256(), NULL) ||
	    md_len * 2 != DIGEST_HEX_LEN) {
		error = CHG_ERROR;
		goto cleanup;
	}
	memcpy(out, DIGEST_PREFIX, DIGEST_PREFIX_LEN);
	p = out + DIGEST_PREFIX_LEN;
	for (i = 0; i < md_len; i++) {
		*p++ = hex[md[i] >> 4];
		*p++ = hex[md[i] & 0xf];
	}
	*p = '\0';

cleanup:
	chg_buf_release(&canon);
	return error;
}

int chg_digest_is_valid(const char *s)
{
	size_t i;

	if (!s || strncmp(s, DIGEST_PREFIX, DIGEST_PREFIX_LEN))
		return 0;
	s += DIGEST_PREFIX_LEN;
	for (i = 0; i < DIGEST_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[i] == '\0';
}
