/*
 * t-emit.c - writing a node tree as YAML (lib/emit.h): what is written
 * loads back (lib/yaml.h) to the same tree - values, plain or quoted, key
 * order - and so to the same digest (lib/digest.h), for the built-in
 * policy and for scalars that are easy to get wrong; and the styles chosen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "diag.h"
#include "digest.h"
#include "emit.h"
#include "error.h"
#include "node.h"
#include "policy.h"
#include "templates.h"
#include "yaml.h"
#include "banned.h"

/* ---- building trees ---- */

static struct chg_node *scalarn(const char *s, size_t len, int plain)
{
	struct chg_node *n = chg_node_new_scalar(s, len, plain, 1, 1);

	assert_non_null(n);
	return n;
}

static struct chg_node *plain(const char *s)
{
	return scalarn(s, strlen(s), 1);
}

static struct chg_node *quoted(const char *s)
{
	return scalarn(s, strlen(s), 0);
}

static struct chg_node *map(void)
{
	struct chg_node *n = chg_node_new(CHG_NODE_MAPPING, 1, 1);

	assert_non_null(n);
	return n;
}

static struct chg_node *seq(void)
{
	struct chg_node *n = chg_node_new(CHG_NODE_SEQUENCE, 1, 1);

	assert_non_null(n);
	return n;
}

static void put(struct chg_node *m, struct chg_node *key, struct chg_node *value)
{
	assert_int_equal(chg_node_insert(m, key, value), 0);
}

static void add(struct chg_node *s, struct chg_node *item)
{
	assert_int_equal(chg_node_append(s, item), 0);
}

/* ---- comparing ---- */

static void print_diags(const struct chg_diag_list *diags)
{
	size_t i;

	for (i = 0; i < diags->n; i++)
		print_message("# %d:%d: %s [%s]\n", diags->items[i].line,
			      diags->items[i].column, diags->items[i].message,
			      diags->items[i].rule);
}

/*
 * Asserts that `a` and `b` are the same tree: the same kinds, the same
 * bytes, the same plain flags (when `same_plain`), the same key order.
 */
static void assert_same_tree(const struct chg_node *a, const struct chg_node *b,
			     int same_plain)
{
	size_t i;

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->type, b->type);
	if (a->type == CHG_NODE_SCALAR) {
		if (a->len != b->len || memcmp(a->value, b->value, a->len))
			print_message("# '%s' came back as '%s'\n", a->value, b->value);
		assert_int_equal(a->len, b->len);
		assert_memory_equal(a->value, b->value, a->len);
		if (same_plain && a->plain != b->plain)
			print_message("# '%s' was %s, came back %s\n", a->value,
				      a->plain ? "plain" : "quoted",
				      b->plain ? "plain" : "quoted");
		if (same_plain)
			assert_int_equal(a->plain, b->plain);
		return;
	}
	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		if (a->type == CHG_NODE_SEQUENCE) {
			assert_same_tree(a->items[i], b->items[i], same_plain);
		} else {
			assert_same_tree(a->pairs[i].key, b->pairs[i].key, same_plain);
			assert_same_tree(a->pairs[i].value, b->pairs[i].value,
					 same_plain);
		}
	}
}

/* Emits `tree`, loads the text, and returns the tree it gives. */
static struct chg_node *round_trip(const struct chg_node *tree,
				   struct chg_buf *text)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_node *back = NULL;
	int rc;

	opts.want_mapping = tree->type == CHG_NODE_MAPPING;
	chg_buf_clear(text);
	assert_int_equal(chg_emit_yaml(text, tree), 0);
	rc = chg_yaml_load(&back, text->ptr, text->len, "emitted.yaml", &opts,
			   &diags);
	if (rc != 0 || diags.n) {
		print_message("# emitted:\n%s", text->ptr);
		print_diags(&diags);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(diags.n, 0);
	chg_diag_list_release(&diags);
	return back;
}

static void assert_same_digest(const struct chg_node *a, const struct chg_node *b)
{
	char da[CHG_DIGEST_SIZE], db[CHG_DIGEST_SIZE];

	assert_int_equal(chg_digest_compute(da, a, NULL), 0);
	assert_int_equal(chg_digest_compute(db, b, NULL), 0);
	assert_string_equal(da, db);
}

/* Round trip with the digest, the values and (when asked) plainness kept. */
static void check_round_trip(const struct chg_node *tree, int same_plain)
{
	struct chg_buf text = CHG_BUF_INIT;
	struct chg_node *back = round_trip(tree, &text);

	assert_same_digest(tree, back);
	assert_same_tree(tree, back, same_plain);
	chg_node_free(back);
	chg_buf_release(&text);
}

static void check_emits(const struct chg_node *tree, const char *expected)
{
	struct chg_buf text = CHG_BUF_INIT;

	assert_int_equal(chg_emit_yaml(&text, tree), 0);
	assert_string_equal(text.ptr, expected);
	chg_buf_release(&text);
}

/* ---- tests ---- */

static void test_builtin_policy(void **state)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_node *builtin = NULL;
	struct chg_policy *p = NULL;

	(void)state;
	/* the template as the loader reads it, comments and all */
	assert_int_equal(chg_yaml_load(&builtin, chg_template_policy,
				       chg_template_policy_len, "policy.yaml",
				       &opts, &diags), 0);
	assert_int_equal(diags.n, 0);
	check_round_trip(builtin, 1);
	chg_node_free(builtin);

	/* the merged tree the policy keeps */
	assert_int_equal(chg_policy_load(&p, NULL, 0, NULL, &diags), 0);
	check_round_trip(p->root, 1);
	chg_policy_free(p);
	chg_diag_list_release(&diags);
}

static void test_emitted_policy_loads_as_policy(void **state)
{
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf text = CHG_BUF_INIT;
	struct chg_policy *p = NULL, *again = NULL;
	char d1[CHG_DIGEST_SIZE], d2[CHG_DIGEST_SIZE];
	static const char repo[] =
		"version: 1\n"
		"extends: default\n"
		"clients: [acme, 'globex']\n"
		"approvals:\n"
		"  groups: {cab: [a@example.com], managers: [b@example.com],\n"
		"           emergency: [a@example.com]}\n"
		"rules:\n"
		"  - id: no-friday\n"
		"    when: {window.start: {matches: 'T1[0-9]:'}}\n"
		"    forbid: [incident]\n"
		"    message: \"no changes: 'friday' # afternoon\"\n";

	(void)state;
	if (chg_policy_load(&p, repo, strlen(repo), "p.yaml", &diags) != 0)
		print_diags(&diags);
	assert_non_null(p);
	assert_int_equal(chg_emit_yaml(&text, p->root), 0);
	/* the emitted merged policy is a valid policy with the same content */
	if (chg_policy_load(&again, text.ptr, text.len, "shown.yaml", &diags) != 0)
		print_message("# emitted:\n%s", text.ptr);
	if (diags.n)
		print_diags(&diags);
	assert_non_null(again);
	assert_int_equal(diags.n, 0);
	assert_int_equal(again->nrules, 1);
	assert_string_equal(again->rules[0].message,
			    "no changes: 'friday' # afternoon");
	assert_int_equal(chg_digest_compute(d1, p->root, NULL), 0);
	assert_int_equal(chg_digest_compute(d2, again->root, NULL), 0);
	assert_string_equal(d1, d2);
	chg_policy_free(again);
	chg_policy_free(p);
	chg_buf_release(&text);
	chg_diag_list_release(&diags);
}

/* Scalars whose text must survive as it is, quoted (plain 0). */
static const char *const tricky[] = {
	"",
	" leading space",
	"  two leading spaces",
	"trailing space ",
	"key: value",
	"ends with colon:",
	": starts with colon",
	"# not a comment",
	"value # not a comment",
	"a#b",
	"multi\nline\n",
	"multi\nline without final newline",
	"  indented first line\nsecond\n",
	"trailing newlines\n\n\n",
	"\n",
	"\nleading newline",
	"line with trailing space \nnext\n",
	"tab\tinside",
	"carriage\rreturn",
	"true",
	"false",
	"null",
	"~",
	"42",
	"0x1F",
	"1e3",
	"- dash",
	"-",
	"---",
	"...",
	"? question",
	"[not, a, list]",
	"{not: a map}",
	"'single'",
	"\"double\"",
	"it's",
	"back\\slash",
	"&anchor",
	"*alias",
	"!tag",
	"%directive",
	"@at",
	"`tick",
	"|pipe",
	">fold",
	"J\xC3\xB6rg \xE2\x80\x93 \xE6\x9D\xB1\xE4\xBA\xAC",   /* Jörg – 東京 */
	"emoji \xF0\x9F\x98\x80",
	"nel\xC2\x85here",
	"line\xE2\x80\xA8separator",
	"bom\xEF\xBB\xBF",
	"del\x7F",
	"bell\x07",
	"esc\x1B[0m",
};

static void test_tricky_scalars(void **state)
{
	struct chg_node *root = map(), *list = seq(), *keys = map();
	char key[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tricky) / sizeof(*tricky); i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		put(root, plain(key), quoted(tricky[i]));
		add(list, quoted(tricky[i]));
		snprintf(key, sizeof(key), "v%zu", i);
		/* as keys, too (the empty key only once) */
		put(keys, quoted(tricky[i]), plain(key));
	}
	put(root, plain("list"), list);
	put(root, plain("keys"), keys);
	check_round_trip(root, 1);
	chg_node_free(root);
}

static void test_nul_byte(void **state)
{
	struct chg_node *root = map();

	(void)state;
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	struct chg_diag_list diags = CHG_DIAG_LIST_INIT;
	struct chg_buf text = CHG_BUF_INIT;
	struct chg_node *back = NULL;

	/* written as "\0" escapes, which the loader reads back but refuses
	   (yaml.h): a NUL never passes as a shorter string */
	put(root, plain("a"), scalarn("x\0y", 3, 0));
	put(root, plain("b"), scalarn("\0", 1, 0));
	assert_int_equal(chg_emit_yaml(&text, root), 0);
	assert_int_equal(chg_yaml_load(&back, text.ptr, text.len, "emitted.yaml",
				       &opts, &diags), 0);
	assert_int_equal(diags.n, 2);
	assert_string_equal(diags.items[0].rule, "invalid-value");
	assert_string_equal(diags.items[1].rule, "invalid-value");
	assert_int_equal(chg_node_get(back, "a")->len, 3);
	assert_memory_equal(chg_node_get(back, "a")->value, "x\0y", 3);
	chg_diag_list_release(&diags);
	chg_buf_release(&text);
	chg_node_free(back);
	chg_node_free(root);
}

/* Plain scalars as the loader makes them stay plain, in block and flow. */
static void test_plain_stays_plain(void **state)
{
	static const char *const values[] = {
		"", "true", "True", "false", "null", "~", "42", "-7", "0x1F",
		"3.14", "CHG-0042", "db-prod-01", "Jane Doe <jane@example.com>",
		"^CHG-[0-9]{4,}$", "a'b", "a\"b", "x!y", "50%", "a*b", "a&b",
		"a@b", "J\xC3\xB6rg", "\xE6\x9D\xB1\xE4\xBA\xAC", "a - b",
		"2026-12-05T22:00:00Z", "-", "a:b", "http://example.com/x?y=1",
		"a, b", "a#b", "a ? b", "{", "a]", "\\",
	};
	struct chg_node *root = map(), *list = seq(), *nested = map(),
			*inner = seq(), *one, *small;
	char key[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(*values); i++) {
		/* "-", "{" are not plain in a document; a quoted copy is */
		int p = strcmp(values[i], "-") && strcmp(values[i], "{");
		snprintf(key, sizeof(key), "k%zu", i);
		put(root, plain(key), scalarn(values[i], strlen(values[i]), p));
		add(list, scalarn(values[i], strlen(values[i]), p));
		add(inner, scalarn(values[i], strlen(values[i]), p));
		/* short enough for flow style, where fewer texts can be plain */
		one = seq();
		add(one, scalarn(values[i], strlen(values[i]), p));
		snprintf(key, sizeof(key), "l%zu", i);
		put(root, plain(key), one);
		one = map();
		small = map();
		put(small, plain("v"), scalarn(values[i], strlen(values[i]), p));
		put(one, plain("m"), small);
		snprintf(key, sizeof(key), "m%zu", i);
		put(root, plain(key), one);
	}
	put(root, plain("list"), list);
	put(nested, plain("inner"), inner);
	put(root, plain("nested"), nested);
	check_round_trip(root, 1);
	chg_node_free(root);
}

static void test_styles(void **state)
{
	struct chg_node *root = map(), *fields = map(), *id = map(),
			*values = seq(), *empty = seq(), *nulls = seq(),
			*section = map(), *long_list = seq();
	size_t i;

	(void)state;
	put(root, plain("version"), plain("1"));
	put(root, plain("flag"), plain("true"));
	put(root, plain("text"), quoted("true"));
	put(root, plain("empty"), quoted(""));
	put(root, plain("null"), plain(""));
	put(root, plain("notes"), quoted("first line\n  indented\nlast\n"));
	put(root, plain("clients"), values);
	add(values, plain("acme"));
	add(values, quoted("globex"));
	put(root, plain("none"), empty);
	put(root, plain("nulls"), nulls);
	add(nulls, plain("a"));
	add(nulls, plain(""));
	put(root, plain("fields"), fields);
	put(fields, plain("id"), id);
	put(id, plain("type"), plain("string"));
	put(id, plain("required"), plain("always"));
	put(fields, plain("owner"), section);
	put(section, plain("type"), plain("identity"));
	put(section, plain("note"), quoted("a: b"));
	put(root, plain("long"), long_list);
	for (i = 0; i < 12; i++)
		add(long_list, plain("implementing"));
	check_emits(root,
		    "version: 1\n"
		    "flag: true\n"
		    "text: 'true'\n"
		    "empty: ''\n"
		    "null:\n"
		    "notes: |\n"
		    "  first line\n"
		    "    indented\n"
		    "  last\n"
		    "clients: [acme, 'globex']\n"
		    "none: []\n"
		    "nulls:\n"
		    "- a\n"
		    "-\n"
		    "fields:\n"
		    "  id: {type: string, required: always}\n"
		    "  owner: {type: identity, note: 'a: b'}\n"
		    "long:\n"
		    "- implementing\n- implementing\n- implementing\n"
		    "- implementing\n- implementing\n- implementing\n"
		    "- implementing\n- implementing\n- implementing\n"
		    "- implementing\n- implementing\n- implementing\n");
	check_round_trip(root, 1);
	chg_node_free(root);
}

static void test_top_level_maps_are_block(void **state)
{
	struct chg_node *root = map(), *sec = map();

	(void)state;
	put(root, plain("schedule"), sec);
	put(sec, plain("review-within"), plain("5d"));
	check_emits(root, "schedule:\n  review-within: 5d\n");
	chg_node_free(root);
}

static void test_pseudo_random_strings(void **state)
{
	static const char *const pieces[] = {
		" ", "\n", ":", "# ", "-", "'", "\"", "\\", "a", "\t", "\xC3\xA9",
		"\r", "[", ",", "!", "{", "}", "?", "|", ">", "%", "@", "~",
		"true", "1", "\xE2\x80\xA8", "\xF0\x9F\x98\x80", "  ", "\n\n",
	};
	struct chg_node *root = map(), *list = seq();
	struct chg_buf s = CHG_BUF_INIT;
	unsigned long x = 12345;
	char key[32];
	size_t i, j, n;

	(void)state;
	for (i = 0; i < 500; i++) {
		chg_buf_clear(&s);
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		n = (x >> 33) % 8;
		for (j = 0; j < n; j++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			chg_buf_puts(&s, pieces[(x >> 33) % (sizeof(pieces) / sizeof(*pieces))]);
		}
		snprintf(key, sizeof(key), "k%zu", i);
		put(root, plain(key), scalarn(s.ptr, s.len, 0));
		add(list, scalarn(s.ptr, s.len, 0));
	}
	put(root, plain("list"), list);
	check_round_trip(root, 1);
	chg_node_free(root);
	chg_buf_release(&s);
}

static void test_invalid_utf8_refused(void **state)
{
	struct chg_node *root = map();
	struct chg_buf text = CHG_BUF_INIT;

	(void)state;
	chg_buf_puts(&text, "kept");
	put(root, plain("a"), quoted("bad \xC3("));
	assert_int_equal(chg_emit_yaml(&text, root), CHG_EINVALID);
	assert_string_equal(text.ptr, "kept");
	chg_node_free(root);
	chg_buf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_policy),
		cmocka_unit_test(test_emitted_policy_loads_as_policy),
		cmocka_unit_test(test_tricky_scalars),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_plain_stays_plain),
		cmocka_unit_test(test_styles),
		cmocka_unit_test(test_top_level_maps_are_block),
		cmocka_unit_test(test_pseudo_random_strings),
		cmocka_unit_test(test_invalid_utf8_refused),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
