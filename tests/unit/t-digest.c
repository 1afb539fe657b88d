/*
 * t-digest.c - the canonical form of a change request and its digest
 * (lib/digest.h, DESIGN section 5).
 *
 * Trees are built by hand so that the digest is tested apart from the YAML
 * loader.  The expected SHA-256 values were computed independently with
 * python3: hashlib.sha256(<expected canonical bytes>).hexdigest().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "digest.h"
#include "node.h"
#include "banned.h"

static struct chg_node *strn(const char *s, size_t len)
{
	struct chg_node *node = chg_node_new_scalar(s, len, 1, 1, 1);

	assert_non_null(node);
	return node;
}

static struct chg_node *str(const char *s)
{
	return strn(s, strlen(s));
}

static struct chg_node *map(void)
{
	struct chg_node *node = chg_node_new(CHG_NODE_MAPPING, 1, 1);

	assert_non_null(node);
	return node;
}

static struct chg_node *seq(void)
{
	struct chg_node *node = chg_node_new(CHG_NODE_SEQUENCE, 1, 1);

	assert_non_null(node);
	return node;
}

static void putn(struct chg_node *m, const char *key, size_t len,
		 struct chg_node *value)
{
	assert_int_equal(chg_node_insert(m, strn(key, len), value), 0);
}

static void put(struct chg_node *m, const char *key, struct chg_node *value)
{
	putn(m, key, strlen(key), value);
}

static void push(struct chg_node *s, struct chg_node *item)
{
	assert_int_equal(chg_node_append(s, item), 0);
}

/* Asserts the canonical form of `root`, `len` bytes of `expected`. */
static void check_canon(const struct chg_node *root, const char *const *skip,
			const char *expected, size_t len)
{
	struct chg_buf b = CHG_BUF_INIT;

	assert_int_equal(chg_digest_canonical(&b, root, skip), 0);
	if (strlen(expected) == len)
		assert_string_equal(b.ptr, expected);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.ptr, expected, len);
	chg_buf_release(&b);
}

#define CHECK_CANON(root, skip, lit) \
	check_canon((root), (skip), (lit), sizeof(lit) - 1)

static void check_digest(const struct chg_node *root, const char *const *skip,
			 const char *expected)
{
	char digest[CHG_DIGEST_SIZE];

	memset(digest, 'x', sizeof(digest));
	assert_int_equal(chg_digest_compute(digest, root, skip), 0);
	assert_string_equal(digest, expected);
	assert_int_equal(chg_digest_is_valid(digest), 1);
}

/* The change request of DESIGN section 3, cut down. */
static struct chg_node *example_cr(const char *state, const char *title)
{
	struct chg_node *root = map(), *systems = seq(), *risk = map();
	struct chg_node *assessment = map(), *review = map();

	put(root, "id", str("CHG-0042"));
	put(root, "title", str(title));
	put(root, "type", str("normal"));
	put(root, "state", str(state));
	push(systems, str("db-prod-01"));
	push(systems, str("billing-api"));
	put(root, "systems", systems);
	put(risk, "level", str("high"));
	put(assessment, "users-affected", str("3"));
	put(assessment, "security", str("2"));
	put(risk, "assessment", assessment);
	put(root, "risk", risk);
	put(root, "rollback-tested", str("true"));
	put(review, "outcome", str("successful"));
	put(root, "review", review);
	return root;
}

static const char *const not_covered[] = { "state", "review", NULL };

static void test_key_order(void **state)
{
	struct chg_node *root = map();

	(void)state;
	put(root, "ab", str("1"));
	put(root, "z", str("6"));
	put(root, "a-b", str("2"));
	put(root, "\xc3\xa9", str("4"));   /* U+00E9, bytes c3 a9 */
	put(root, "a", str("3"));
	put(root, "B", str("5"));
	put(root, "", str("0"));
	/* bytewise: "" < "B" < "a" < "a-b" < "ab" < "z" < "\xc3\xa9" */
	CHECK_CANON(root, NULL,
		    "{\"\":\"0\",\"B\":\"5\",\"a\":\"3\",\"a-b\":\"2\","
		    "\"ab\":\"1\",\"z\":\"6\",\"\xc3\xa9\":\"4\"}");
	chg_node_free(root);
}

static void test_key_with_nul(void **state)
{
	struct chg_node *root = map();

	(void)state;
	/* compared over their whole length, not as C strings */
	putn(root, "a\0c", 3, str("x"));
	putn(root, "a", 1, str("y"));
	putn(root, "a\0", 2, str("z"));
	putn(root, "a\0b", 3, str("w"));
	CHECK_CANON(root, NULL,
		    "{\"a\":\"y\",\"a\\u0000\":\"z\",\"a\\u0000b\":\"w\","
		    "\"a\\u0000c\":\"x\"}");
	check_digest(root, NULL,
		     "sha256:c14adcb7e50e29f0612a59f89ea75f9634e5f125269a682c3ca38649b7bfc19e");
	chg_node_free(root);
}

static void test_key_order_independent(void **state)
{
	struct chg_node *a = map(), *b = map();
	struct chg_buf ba = CHG_BUF_INIT, bb = CHG_BUF_INIT;

	(void)state;
	put(a, "x", str("1"));
	put(a, "y", str("2"));
	put(a, "w", str("3"));
	put(b, "w", str("3"));
	put(b, "x", str("1"));
	put(b, "y", str("2"));
	assert_int_equal(chg_digest_canonical(&ba, a, NULL), 0);
	assert_int_equal(chg_digest_canonical(&bb, b, NULL), 0);
	assert_string_equal(ba.ptr, "{\"w\":\"3\",\"x\":\"1\",\"y\":\"2\"}");
	assert_string_equal(ba.ptr, bb.ptr);
	chg_buf_release(&ba);
	chg_buf_release(&bb);
	chg_node_free(a);
	chg_node_free(b);
}

static void test_escapes(void **state)
{
	static const char value[] =
		"q\"b\\s/\n\t\b\f\r\x01\x0b\x1a\x1f\x7f\xc3\xa9\0end";
	struct chg_node *root = map();

	(void)state;
	put(root, "k\"ey\n", strn(value, sizeof(value) - 1));
	/*
	 * '"' '\\' and the five short escapes; other control characters as
	 * lowercase \u00xx; '/', DEL (0x7f) and UTF-8 literal; NUL escaped.
	 */
	CHECK_CANON(root, NULL,
		    "{\"k\\\"ey\\n\":\"q\\\"b\\\\s/\\n\\t\\b\\f\\r"
		    "\\u0001\\u000b\\u001a\\u001f\x7f\xc3\xa9\\u0000end\"}");
	check_digest(root, NULL,
		     "sha256:4a37f3d23fae9f54fc683023735c81d98ffb12bbb1b9e78e58e134916b60d0fe");
	chg_node_free(root);
}

static void test_scalars_are_strings(void **state)
{
	struct chg_node *root = map();
	struct chg_node *quoted = chg_node_new_scalar("42", 2, 0, 1, 1);

	(void)state;
	assert_non_null(quoted);
	put(root, "null", str("~"));
	put(root, "bool", str("true"));
	put(root, "int", str("42"));
	put(root, "quoted", quoted);   /* quoting style does not matter */
	put(root, "empty", str(""));
	CHECK_CANON(root, NULL,
		    "{\"bool\":\"true\",\"empty\":\"\",\"int\":\"42\","
		    "\"null\":\"~\",\"quoted\":\"42\"}");
	chg_node_free(root);
}

static void test_scalar_root(void **state)
{
	struct chg_node *root = str("a\tb");

	(void)state;
	CHECK_CANON(root, not_covered, "\"a\\tb\"");
	chg_node_free(root);
}

static void test_skip_only_for_mapping_root(void **state)
{
	struct chg_node *root = seq(), *item = map();

	(void)state;
	put(item, "state", str("x"));
	push(root, item);
	CHECK_CANON(root, not_covered, "[{\"state\":\"x\"}]");
	chg_node_free(root);
}

static void test_nested(void **state)
{
	struct chg_node *root = map(), *list = seq(), *item = map();
	struct chg_node *inner = seq(), *m = map();

	(void)state;
	put(item, "to", str("b"));
	put(item, "from", str("a"));
	push(list, item);
	push(inner, str("x"));
	push(inner, seq());
	push(inner, map());
	push(list, inner);
	push(list, str("tail"));
	put(root, "list", list);
	put(m, "k", seq());
	put(root, "map", m);
	CHECK_CANON(root, NULL,
		    "{\"list\":[{\"from\":\"a\",\"to\":\"b\"},[\"x\",[],{}],"
		    "\"tail\"],\"map\":{\"k\":[]}}");
	chg_node_free(root);
}

static void test_skip_top_level_only(void **state)
{
	struct chg_node *root = map(), *risk = map(), *list = seq();
	struct chg_node *item = map();

	(void)state;
	put(root, "state", str("approved"));
	put(root, "id", str("CHG-0001"));
	put(risk, "state", str("nested"));
	put(risk, "review", str("kept"));
	put(root, "risk", risk);
	put(item, "state", str("in-list"));
	push(list, item);
	put(root, "list", list);
	put(root, "review", map());
	put(root, "stat", str("prefix of state, kept"));
	put(root, "states", str("state is a prefix, kept"));
	CHECK_CANON(root, not_covered,
		    "{\"id\":\"CHG-0001\",\"list\":[{\"state\":\"in-list\"}],"
		    "\"risk\":{\"review\":\"kept\",\"state\":\"nested\"},"
		    "\"stat\":\"prefix of state, kept\","
		    "\"states\":\"state is a prefix, kept\"}");
	/* without a skip list, nothing is left out */
	CHECK_CANON(risk, NULL, "{\"review\":\"kept\",\"state\":\"nested\"}");
	chg_node_free(root);
}

static void test_skip_everything(void **state)
{
	struct chg_node *root = map();

	(void)state;
	put(root, "state", str("draft"));
	put(root, "review", str("x"));
	CHECK_CANON(root, not_covered, "{}");
	check_digest(root, not_covered,
		     "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
	chg_node_free(root);
}

static void test_duplicate_first_wins(void **state)
{
	static const char *const skip_a[] = { "a", NULL };
	struct chg_node *root = map(), *first = map(), *second = map();

	(void)state;
	put(root, "b", str("1"));
	put(root, "a", str("first"));
	put(root, "c", str("3"));
	put(root, "a", str("second"));
	put(root, "a", str("third"));
	put(first, "x", str("1"));
	put(second, "y", str("2"));
	put(root, "m", first);
	put(root, "m", second);
	CHECK_CANON(root, NULL,
		    "{\"a\":\"first\",\"b\":\"1\",\"c\":\"3\","
		    "\"m\":{\"x\":\"1\"}}");
	/* a skipped key is skipped in every occurrence */
	CHECK_CANON(root, skip_a,
		    "{\"b\":\"1\",\"c\":\"3\",\"m\":{\"x\":\"1\"}}");
	chg_node_free(root);
}

static void test_appends(void **state)
{
	struct chg_node *root = str("v");
	struct chg_buf b = CHG_BUF_INIT;

	(void)state;
	assert_int_equal(chg_buf_puts(&b, "prefix:"), 0);
	assert_int_equal(chg_digest_canonical(&b, root, NULL), 0);
	assert_string_equal(b.ptr, "prefix:\"v\"");
	chg_buf_release(&b);
	chg_node_free(root);
}

static void test_digest_example(void **state)
{
	struct chg_node *root =
		example_cr("requested", "Upgrade PostgreSQL 14 to 16 on db-prod-01");

	(void)state;
	CHECK_CANON(root, not_covered,
		    "{\"id\":\"CHG-0042\",\"risk\":{\"assessment\":"
		    "{\"security\":\"2\",\"users-affected\":\"3\"},"
		    "\"level\":\"high\"},\"rollback-tested\":\"true\","
		    "\"systems\":[\"db-prod-01\",\"billing-api\"],"
		    "\"title\":\"Upgrade PostgreSQL 14 to 16 on db-prod-01\","
		    "\"type\":\"normal\"}");
	check_digest(root, not_covered,
		     "sha256:2ac8e82170cda81fdf79057e668232b72aa72e12140ef5dfbaee6b51686ac752");
	/* "review" sorts before "risk" */
	CHECK_CANON(root, NULL,
		    "{\"id\":\"CHG-0042\",\"review\":{\"outcome\":\"successful\"},"
		    "\"risk\":{\"assessment\":"
		    "{\"security\":\"2\",\"users-affected\":\"3\"},"
		    "\"level\":\"high\"},\"rollback-tested\":\"true\","
		    "\"state\":\"requested\","
		    "\"systems\":[\"db-prod-01\",\"billing-api\"],"
		    "\"title\":\"Upgrade PostgreSQL 14 to 16 on db-prod-01\","
		    "\"type\":\"normal\"}");
	check_digest(root, NULL,
		     "sha256:d33b085072f7782eea75aeedd32b639a118730066166077e6ddd16d26548f4dd");
	chg_node_free(root);
}

static void test_digest_covered_content(void **state)
{
	struct chg_node *a = example_cr("requested", "Upgrade");
	struct chg_node *b = example_cr("approved", "Upgrade");
	struct chg_node *c = example_cr("requested", "Upgrade!");
	char da[CHG_DIGEST_SIZE], db[CHG_DIGEST_SIZE], dc[CHG_DIGEST_SIZE];

	(void)state;
	assert_int_equal(chg_digest_compute(da, a, not_covered), 0);
	assert_int_equal(chg_digest_compute(db, b, not_covered), 0);
	assert_int_equal(chg_digest_compute(dc, c, not_covered), 0);
	/* a lifecycle update keeps the digest, an edit of the title does not */
	assert_string_equal(da, db);
	assert_string_not_equal(da, dc);
	/* unless state is covered */
	assert_int_equal(chg_digest_compute(da, a, NULL), 0);
	assert_int_equal(chg_digest_compute(db, b, NULL), 0);
	assert_string_not_equal(da, db);
	chg_node_free(a);
	chg_node_free(b);
	chg_node_free(c);
}

static void test_is_valid(void **state)
{
	static const char hex64[] =
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char s[128];

	(void)state;
	snprintf(s, sizeof(s), "sha256:%s", hex64);
	assert_int_equal(chg_digest_is_valid(s), 1);
	assert_int_equal(chg_digest_is_valid(
		"sha256:2ac8e82170cda81fdf79057e668232b72aa72e12140ef5dfbaee6b51686ac752"), 1);

	/* uppercase hex */
	assert_int_equal(chg_digest_is_valid(
		"sha256:2AC8E82170CDA81FDF79057E668232B72AA72E12140EF5DFBAEE6B51686AC752"), 0);
	assert_int_equal(chg_digest_is_valid(
		"sha256:2ac8e82170cda81fdf79057e668232b72aa72e12140ef5dfbaee6b51686ac75A"), 0);
	/* 63 and 65 digits */
	snprintf(s, sizeof(s), "sha256:%.63s", hex64);
	assert_int_equal(chg_digest_is_valid(s), 0);
	snprintf(s, sizeof(s), "sha256:%s0", hex64);
	assert_int_equal(chg_digest_is_valid(s), 0);
	/* wrong or missing prefix */
	snprintf(s, sizeof(s), "sha512:%s", hex64);
	assert_int_equal(chg_digest_is_valid(s), 0);
	snprintf(s, sizeof(s), "SHA256:%s", hex64);
	assert_int_equal(chg_digest_is_valid(s), 0);
	snprintf(s, sizeof(s), "sha256 %s", hex64);
	assert_int_equal(chg_digest_is_valid(s), 0);
	assert_int_equal(chg_digest_is_valid(hex64), 0);
	/* surrounding white space */
	snprintf(s, sizeof(s), "sha256:%s ", hex64);
	assert_int_equal(chg_digest_is_valid(s), 0);
	snprintf(s, sizeof(s), " sha256:%s", hex64);
	assert_int_equal(chg_digest_is_valid(s), 0);
	/* non-hex letter */
	snprintf(s, sizeof(s), "sha256:g%.63s", hex64);
	assert_int_equal(chg_digest_is_valid(s), 0);
	assert_int_equal(chg_digest_is_valid("sha256:"), 0);
	assert_int_equal(chg_digest_is_valid(""), 0);
	assert_int_equal(chg_digest_is_valid(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_key_with_nul),
		cmocka_unit_test(test_key_order_independent),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_scalars_are_strings),
		cmocka_unit_test(test_scalar_root),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_skip_top_level_only),
		cmocka_unit_test(test_skip_everything),
		cmocka_unit_test(test_skip_only_for_mapping_root),
		cmocka_unit_test(test_duplicate_first_wins),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_digest_example),
		cmocka_unit_test(test_digest_covered_content),
		cmocka_unit_test(test_is_valid),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
