/*
 * t-yaml.c - the YAML loader (lib/yaml.h): the node tree with 1-based
 * positions, and every way a hostile or broken file is refused with a
 * diagnostic instead of a crash, a hang or a silent accept.
 *
 * Positions are 1-based lines and 1-based columns counted in bytes.
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
#include "error.h"
#include "node.h"
#include "yaml.h"
#include "banned.h"

#define PATH "changes/CHG-0042.yaml"

struct load {
	struct chg_node *root;
	struct chg_diag_list diags;
	int rc;
};

static void load_opts(struct load *r, const char *buf, size_t len,
		      const struct chg_yaml_options *opts)
{
	r->root = (struct chg_node *)&r->root; /* must be overwritten */
	chg_diag_list_init(&r->diags);
	r->rc = chg_yaml_load(&r->root, buf, len, PATH, opts, &r->diags);
	if (r->rc < 0)
		assert_null(r->root);
}

static void load(struct load *r, const char *text)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;

	load_opts(r, text, strlen(text), &opts);
}

static void load_opts_text(struct load *r, const char *text, int want_mapping)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;

	opts.want_mapping = want_mapping;
	load_opts(r, text, strlen(text), &opts);
}

static void load_release(struct load *r)
{
	chg_node_free(r->root);
	chg_diag_list_release(&r->diags);
}

/* Asserts diagnostic `i` exactly. */
static void check_diag(const struct load *r, size_t i, int line, int column,
		       const char *rule, const char *message)
{
	const struct chg_diag *d;

	assert_true(i < r->diags.n);
	d = &r->diags.items[i];
	assert_string_equal(d->path, PATH);
	assert_int_equal(d->severity, CHG_SEV_ERROR);
	assert_string_equal(d->rule, rule);
	assert_string_equal(d->message, message);
	assert_int_equal(d->line, line);
	assert_int_equal(d->column, column);
}

/* Asserts that loading failed with exactly one diagnostic. */
static void check_refused(const char *buf, size_t len,
			  const struct chg_yaml_options *opts, int line,
			  int column, const char *rule, const char *message)
{
	struct chg_yaml_options defaults = CHG_YAML_OPTIONS_INIT;
	struct load r;

	load_opts(&r, buf, len, opts ? opts : &defaults);
	assert_int_equal(r.rc, CHG_EINVALID);
	assert_null(r.root);
	assert_int_equal(r.diags.n, 1);
	check_diag(&r, 0, line, column, rule, message);
	load_release(&r);
}

static void refused(const char *text, int line, int column, const char *rule,
		    const char *message)
{
	check_refused(text, strlen(text), NULL, line, column, rule, message);
}

static void check_pos(const struct chg_node *node, int line, int column)
{
	assert_non_null(node);
	assert_int_equal(node->line, line);
	assert_int_equal(node->column, column);
}

static void check_scalar(const struct chg_node *node, const char *value,
			 int plain, int line, int column)
{
	assert_non_null(node);
	assert_int_equal(node->type, CHG_NODE_SCALAR);
	assert_string_equal(node->value, value);
	assert_int_equal(node->len, strlen(value));
	assert_int_equal(node->plain, plain);
	check_pos(node, line, column);
}

static const char change_request[] =
	"# a normal change\n"                                  /* 1 */
	"id: \"CHG-0042\"\n"                                   /* 2 */
	"title: Upgrade PostgreSQL 14 to 16\n"                 /* 3 */
	"type: normal\n"                                       /* 4 */
	"owner: 'Jörg Ops <jorg@example.com>'\n"               /* 5 */
	"reason: |\n"                                          /* 6 */
	"  PostgreSQL 14 leaves support.\n"                    /* 7 */
	"  CVE-2026-1234 is unpatched.\n"                      /* 8 */
	"description: >\n"                                     /* 9 */
	"  In-place upgrade,\n"                                /* 10 */
	"  replica rebuilt.\n"                                 /* 11 */
	"systems: [db-prod-01, billing-api]\n"                 /* 12 */
	"impact: {note: \"äöü\", users: 120}\n"                /* 13 */
	"risk:\n"                                              /* 14 */
	"  level: high\n"                                      /* 15 */
	"  assessment:\n"                                      /* 16 */
	"    security: 2\n"                                    /* 17 */
	"depends-on:\n"                                        /* 18 */
	"  - CHG-0040\n"                                       /* 19 */
	"  - CHG-0041\n"                                       /* 20 */
	"rollback-tested: true\n"                              /* 21 */
	"review:\n";                                           /* 22 */

static void test_change_request(void **state)
{
	const struct chg_node *root, *n;
	const struct chg_pair *pair;
	struct load r;

	(void)state;
	load(&r, change_request);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 0);
	root = r.root;
	assert_non_null(root);
	assert_int_equal(root->type, CHG_NODE_MAPPING);
	check_pos(root, 2, 1);
	assert_int_equal(root->n, 12);

	pair = chg_node_get_pair(root, "id");
	assert_non_null(pair);
	check_scalar(pair->key, "id", 1, 2, 1);
	check_scalar(pair->value, "CHG-0042", 0, 2, 5);
	check_scalar(chg_node_get(root, "title"),
		     "Upgrade PostgreSQL 14 to 16", 1, 3, 8);
	check_scalar(chg_node_get(root, "owner"),
		     "Jörg Ops <jorg@example.com>", 0, 5, 8);
	check_scalar(chg_node_get(root, "reason"),
		     "PostgreSQL 14 leaves support.\n"
		     "CVE-2026-1234 is unpatched.\n", 0, 6, 9);
	check_scalar(chg_node_get(root, "description"),
		     "In-place upgrade, replica rebuilt.\n", 0, 9, 14);

	n = chg_node_get(root, "systems");
	assert_non_null(n);
	assert_int_equal(n->type, CHG_NODE_SEQUENCE);
	check_pos(n, 12, 10);
	assert_int_equal(n->n, 2);
	check_scalar(n->items[0], "db-prod-01", 1, 12, 11);
	check_scalar(n->items[1], "billing-api", 1, 12, 23);

	/* columns count bytes: "äöü" is 6 bytes, 3 characters */
	n = chg_node_get(root, "impact");
	assert_non_null(n);
	assert_int_equal(n->type, CHG_NODE_MAPPING);
	check_pos(n, 13, 9);
	check_scalar(chg_node_get(n, "note"), "äöü", 0, 13, 16);
	check_scalar(n->pairs[1].key, "users", 1, 13, 26);
	check_scalar(chg_node_get(n, "users"), "120", 1, 13, 33);

	check_pos(chg_node_get(root, "risk"), 15, 3);
	check_scalar(chg_node_path(root, "risk.level"), "high", 1, 15, 10);
	check_pos(chg_node_path(root, "risk.assessment"), 17, 5);
	check_scalar(chg_node_path(root, "risk.assessment.security"), "2", 1,
		     17, 15);
	pair = chg_node_get_pair(chg_node_path(root, "risk.assessment"),
				 "security");
	assert_non_null(pair);
	check_pos(pair->key, 17, 5);

	n = chg_node_get(root, "depends-on");
	assert_non_null(n);
	assert_int_equal(n->type, CHG_NODE_SEQUENCE);
	check_pos(n, 19, 3);
	assert_int_equal(n->n, 2);
	check_scalar(n->items[0], "CHG-0040", 1, 19, 5);
	check_scalar(n->items[1], "CHG-0041", 1, 20, 5);

	check_scalar(chg_node_get(root, "rollback-tested"), "true", 1, 21, 18);
	/* an empty value is a plain empty scalar (null) just after the ':' */
	n = chg_node_get(root, "review");
	check_scalar(n, "", 1, 22, 8);
	assert_true(chg_node_is_null(n));

	/* key order is document order */
	assert_string_equal(root->pairs[0].key->value, "id");
	assert_string_equal(root->pairs[11].key->value, "review");
	load_release(&r);
}

static void test_crlf_and_bom(void **state)
{
	struct load r;

	(void)state;
	load(&r, "a: b\r\nc: \"d\"\r\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 0);
	check_scalar(chg_node_get(r.root, "a"), "b", 1, 1, 4);
	check_scalar(chg_node_get(r.root, "c"), "d", 0, 2, 4);
	load_release(&r);

	/* a byte order mark is skipped: it is not part of line 1's columns */
	load(&r, "\xef\xbb\xbf" "a: b\nc: d\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 0);
	check_scalar(r.root->pairs[0].key, "a", 1, 1, 1);
	check_scalar(chg_node_get(r.root, "a"), "b", 1, 1, 4);
	check_scalar(chg_node_get(r.root, "c"), "d", 1, 2, 4);
	load_release(&r);
	refused("\xef\xbb\xbf" "a: \xff\n", 1, 4, "yaml-syntax",
		"invalid UTF-8 (byte 0xff): save the file as UTF-8");
	refused("\xef\xbb\xbf" "a: [\n", 2, 1, "yaml-syntax",
		"did not find expected node content while parsing a flow node");
	refused("\xef\xbb\xbf", 1, 1, "yaml-syntax",
		"file is empty: expected a YAML mapping");
}

static void test_duplicate_key(void **state)
{
	struct load r;

	(void)state;
	load(&r, "id: CHG-0042\n"
		 "title: first\n"
		 "type: normal\n"
		 "title: second\n"
		 "impact: {users: 1, scope: team, users: 2}\n"
		 "title: third\n");
	/* a tree exists: the first value is kept, loading went on */
	assert_int_equal(r.rc, 0);
	assert_non_null(r.root);
	assert_int_equal(r.root->n, 4);
	check_scalar(chg_node_get(r.root, "title"), "first", 1, 2, 8);
	check_scalar(chg_node_path(r.root, "impact.users"), "1", 1, 5, 17);
	assert_int_equal(chg_node_get(r.root, "impact")->n, 2);
	assert_int_equal(r.diags.n, 3);
	check_diag(&r, 0, 4, 1, "duplicate-key",
		   "duplicate key 'title' (first defined at line 2)");
	check_diag(&r, 1, 5, 33, "duplicate-key",
		   "duplicate key 'users' (first defined at line 5)");
	check_diag(&r, 2, 6, 1, "duplicate-key",
		   "duplicate key 'title' (first defined at line 2)");
	load_release(&r);

	/* quoting does not make a different key */
	load(&r, "a: 1\n'a': 2\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 1);
	check_diag(&r, 0, 2, 1, "duplicate-key",
		   "duplicate key 'a' (first defined at line 1)");
	check_scalar(chg_node_get(r.root, "a"), "1", 1, 1, 4);
	load_release(&r);
}

static void test_duplicate_key_large_mapping(void **state)
{
	struct chg_buf b = CHG_BUF_INIT;
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	struct load r;
	int i;

	(void)state;
	for (i = 0; i < 20000; i++)
		assert_int_equal(chg_buf_printf(&b, "key-%d: %d\n", i, i), 0);
	assert_int_equal(chg_buf_puts(&b, "key-7: again\n"), 0);
	load_opts(&r, b.ptr, b.len, &opts);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.root->n, 20000);
	check_scalar(chg_node_get(r.root, "key-7"), "7", 1, 8, 8);
	check_scalar(chg_node_get(r.root, "key-19999"), "19999", 1, 20000, 12);
	assert_int_equal(r.diags.n, 1);
	check_diag(&r, 0, 20001, 1, "duplicate-key",
		   "duplicate key 'key-7' (first defined at line 8)");
	load_release(&r);
	chg_buf_release(&b);
}

static void test_duplicate_key_excerpt(void **state)
{
	struct load r;

	(void)state;
	/* control bytes are shown escaped, long keys cut */
	load(&r, "\"a\\tb\": 1\n\"a\\tb\": 2\n"
		 "? xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
		 ": 1\n"
		 "? xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
		 ": 2\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 2);
	check_diag(&r, 0, 2, 1, "duplicate-key",
		   "duplicate key 'a\\x09b' (first defined at line 1)");
	check_diag(&r, 1, 5, 3, "duplicate-key",
		   "duplicate key "
		   "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' "
		   "(first defined at line 3)");
	load_release(&r);
}

static void test_duplicate_value_anchor(void **state)
{
	struct load r;
	const struct chg_node *b;

	(void)state;
	/* the dropped duplicate's anchor still works */
	load(&r, "a: 1\na: &x [y, z]\nb: *x\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 1);
	check_diag(&r, 0, 2, 1, "duplicate-key",
		   "duplicate key 'a' (first defined at line 1)");
	check_scalar(chg_node_get(r.root, "a"), "1", 1, 1, 4);
	b = chg_node_get(r.root, "b");
	assert_non_null(b);
	assert_int_equal(b->type, CHG_NODE_SEQUENCE);
	assert_int_equal(b->n, 2);
	check_scalar(b->items[1], "z", 1, 2, 11);
	load_release(&r);
}

static void test_alias(void **state)
{
	const struct chg_node *base, *window, *owner;
	struct load r;

	(void)state;
	load(&r, "base: &w {start: '2026-12-05', end: x}\n"
		 "owner: &o Bob <bob@example.com>\n"
		 "window: *w\n"
		 "approver: *o\n"
		 "list: [*o, *w]\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 0);
	base = chg_node_get(r.root, "base");
	window = chg_node_get(r.root, "window");
	owner = chg_node_get(r.root, "approver");
	assert_non_null(base);
	assert_non_null(window);
	assert_true(base != window);
	assert_int_equal(window->type, CHG_NODE_MAPPING);
	assert_int_equal(window->n, 2);
	/* the copy stands where the alias is; its content where written */
	check_pos(window, 3, 9);
	check_scalar(chg_node_get(window, "start"), "2026-12-05", 0, 1, 18);
	check_scalar(chg_node_get(window, "end"), "x", 1, 1, 37);
	assert_true(chg_node_get(window, "start") !=
		    chg_node_get(base, "start"));
	check_scalar(owner, "Bob <bob@example.com>", 1, 4, 11);
	base = chg_node_get(r.root, "list");
	assert_int_equal(base->n, 2);
	check_scalar(base->items[0], "Bob <bob@example.com>", 1, 5, 8);
	assert_int_equal(base->items[1]->type, CHG_NODE_MAPPING);
	check_pos(base->items[1], 5, 12);
	load_release(&r);

	/* a redefined anchor: an alias means the latest definition */
	load(&r, "a: &x 1\nb: &x 2\nc: *x\n");
	assert_int_equal(r.rc, 0);
	check_scalar(chg_node_get(r.root, "c"), "2", 1, 3, 4);
	load_release(&r);

	/* an alias as a key */
	load(&r, "k: &k name\n*k : v\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 0);
	check_scalar(chg_node_get(r.root, "name"), "v", 1, 2, 6);
	load_release(&r);
}

static void test_alias_bomb(void **state)
{
	static const char bomb[] =
		"a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
		"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
		"i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;

	(void)state;
	/*
	 * Nodes made, counting keys: the root and line a, 12; the sequence
	 * of line b has 1 + 9 * 10 = 91 nodes (104 in all), c 820 (925),
	 * d 7381 (8307), e 66430 (74738), f 597871 (672610); the first *f of
	 * line g (at 7:8) would take the total to 1270483 > 1000000.
	 */
	check_refused(bomb, strlen(bomb), &opts, 7, 8, "yaml-syntax",
		      "expanding alias '*f' goes over the limit of 1000000 nodes (an alias bomb?): use fewer aliases");

	/* with a small budget it stops as early */
	opts.max_nodes = 1000;
	check_refused(bomb, strlen(bomb), &opts, 4, 8, "yaml-syntax",
		      "expanding alias '*c' goes over the limit of 1000 nodes (an alias bomb?): use fewer aliases");
}

static void test_node_limit(void **state)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	struct load r;

	(void)state;
	opts.want_mapping = 0;
	opts.max_nodes = 5;
	check_refused("[1, 2, 3, 4, 5]", 15, &opts, 1, 14, "yaml-syntax",
		      "document has more than 5 nodes: split it into smaller files");
	load_opts(&r, "[1, 2, 3, 4]", 12, &opts);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.root->n, 4);
	load_release(&r);
}

static void test_deep_nesting(void **state)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	const struct chg_node *n;
	size_t depth = 100000, i;
	struct load r;
	char *buf;

	(void)state;
	buf = malloc(2 * depth);
	assert_non_null(buf);
	memset(buf, '[', depth);
	memset(buf + depth, ']', depth);
	check_refused(buf, 2 * depth, &opts, 1, 65, "yaml-syntax",
		      "nesting is deeper than 64 levels: flatten the document");

	/* exactly max_depth levels load */
	opts.want_mapping = 0;
	memmove(buf + 64, buf + 2 * depth - 64, 64);
	load_opts(&r, buf, 128, &opts);
	assert_int_equal(r.rc, 0);
	for (n = r.root, i = 1; n->n; n = n->items[0], i++)
		check_pos(n, 1, (int)i);
	assert_int_equal(i, 64);
	assert_int_equal(n->type, CHG_NODE_SEQUENCE);
	load_release(&r);
	free(buf);

	/* block mappings count too */
	opts.max_depth = 2;
	check_refused("a:\n  b:\n    c: 1\n", 17, &opts, 3, 5, "yaml-syntax",
		      "nesting is deeper than 2 levels: flatten the document");
}

static void test_alias_depth(void **state)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	static const char text[] = "a: &x [[1]]\nb: {c: *x}\n";
	struct load r;

	(void)state;
	/* expanding *x (2 levels) inside 2 open levels makes 4 */
	opts.max_depth = 3;
	check_refused(text, strlen(text), &opts, 2, 8, "yaml-syntax",
		      "expanding alias '*x' nests deeper than 3 levels: flatten the document");
	opts.max_depth = 4;
	load_opts(&r, text, strlen(text), &opts);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 0);
	check_scalar(chg_node_path(r.root, "b.c")->items[0]->items[0], "1", 1,
		     1, 9);
	load_release(&r);
}

static void test_undefined_alias(void **state)
{
	(void)state;
	refused("id: CHG-0042\nowner: *bob\n", 2, 8, "yaml-syntax",
		"undefined alias '*bob': define the anchor '&bob' before using it");
	/* an anchor defined later does not count */
	refused("a: *x\nb: &x 1\n", 1, 4, "yaml-syntax",
		"undefined alias '*x': define the anchor '&x' before using it");
	refused("a: &x [1, *x]\n", 1, 11, "yaml-syntax",
		"alias '*x' refers to a node that contains it");
}

static void test_two_documents(void **state)
{
	(void)state;
	refused("id: CHG-0042\n---\nid: CHG-0043\n", 2, 1, "yaml-syntax",
		"more than one YAML document: a file must hold exactly one");
	refused("---\na: 1\n...\n---\nb: 2\n", 4, 1, "yaml-syntax",
		"more than one YAML document: a file must hold exactly one");
}

static void test_empty(void **state)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;

	(void)state;
	refused("", 1, 1, "yaml-syntax",
		"file is empty: expected a YAML mapping");
	check_refused(NULL, 0, &opts, 1, 1, "yaml-syntax",
		      "file is empty: expected a YAML mapping");
	refused("\n\n   \n", 1, 1, "yaml-syntax",
		"file is empty: expected a YAML mapping");
	refused("---\n", 1, 1, "yaml-syntax",
		"file is empty: expected a YAML mapping");
	opts.want_mapping = 0;
	check_refused("", 0, &opts, 1, 1, "yaml-syntax",
		      "file is empty: expected a YAML document");
}

static void test_only_comment(void **state)
{
	(void)state;
	refused("# TODO: fill in the change request\n", 1, 1, "yaml-syntax",
		"file is empty: expected a YAML mapping");
	refused("# a comment\n\n# another\n", 1, 1, "yaml-syntax",
		"file is empty: expected a YAML mapping");
	refused("# nothing yet\n~\n", 2, 1, "yaml-syntax",
		"document is null: expected a YAML mapping");
	refused("null\n", 1, 1, "yaml-syntax",
		"document is null: expected a YAML mapping");
}

static void test_not_a_mapping(void **state)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	struct load r;

	(void)state;
	refused("- id: CHG-0042\n- id: CHG-0043\n", 1, 1, "invalid-type",
		"document is a list: expected a YAML mapping (key: value lines)");
	refused("# comment\n  just text\n", 2, 3, "invalid-type",
		"document is a scalar: expected a YAML mapping (key: value lines)");
	refused("'~'\n", 1, 1, "invalid-type",
		"document is a scalar: expected a YAML mapping (key: value lines)");

	opts.want_mapping = 0;
	load_opts(&r, "- a\n- b\n", 8, &opts);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 0);
	assert_int_equal(r.root->type, CHG_NODE_SEQUENCE);
	check_scalar(r.root->items[1], "b", 1, 2, 3);
	load_release(&r);
}

static void test_non_scalar_key(void **state)
{
	(void)state;
	refused("? [a, b]\n: 1\n", 1, 3, "yaml-syntax",
		"a mapping key must be a scalar, not a list");
	refused("x: 1\n{a: 1}: 2\n", 2, 1, "yaml-syntax",
		"a mapping key must be a scalar, not a map");
	refused("a: &m {b: 1}\n*m : 2\n", 2, 1, "yaml-syntax",
		"a mapping key must be a scalar, not a map");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "id: CHG-0042\ntitle: ab\0cd\n";

	(void)state;
	check_refused(text, sizeof(text) - 1, NULL, 2, 10, "yaml-syntax",
		      "file contains a NUL byte: it is binary, not YAML text");
	check_refused("\0", 1, NULL, 1, 1, "yaml-syntax",
		      "file contains a NUL byte: it is binary, not YAML text");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	refused("a: \xff\n", 1, 4, "yaml-syntax",
		"invalid UTF-8 (byte 0xff): save the file as UTF-8");
	/* columns count bytes; a cut-off sequence is reported at its start */
	refused("a: \xc3\xa9\nbb: \xc3\xa9\xe2\x82\n", 2, 7, "yaml-syntax",
		"invalid UTF-8 (byte 0xe2): save the file as UTF-8");
	/* Latin-1 as written by old editors */
	refused("title: Z\xfcrich\n", 1, 9, "yaml-syntax",
		"invalid UTF-8 (byte 0xfc): save the file as UTF-8");
	/* a UTF-16 file is refused (as binary: it holds NUL bytes) */
	check_refused("\xff\xfe" "a\0:\0", 6, NULL, 1, 4, "yaml-syntax",
		      "file contains a NUL byte: it is binary, not YAML text");
}

static void check_utf8_bad(const char *s, size_t len, size_t offset)
{
	size_t bad = (size_t)-1;

	assert_int_equal(chg_utf8_validate(s, len, &bad), CHG_EINVALID);
	assert_int_equal(bad, offset);
	assert_int_equal(chg_utf8_validate(s, len, NULL), CHG_EINVALID);
}

static void check_utf8_good(const char *s)
{
	size_t bad = 12345;

	assert_int_equal(chg_utf8_validate(s, strlen(s), &bad), 0);
	assert_int_equal(bad, 12345);
}

static void test_utf8_validate(void **state)
{
	(void)state;
	check_utf8_good("");
	check_utf8_good("plain ASCII\n\t~");
	check_utf8_good("\xc2\x80");             /* U+0080 */
	check_utf8_good("Z\xc3\xbcrich");        /* ü */
	check_utf8_good("\xe2\x82\xac");         /* € */
	check_utf8_good("\xe0\xa0\x80");         /* U+0800 */
	check_utf8_good("\xed\x9f\xbf");         /* U+D7FF */
	check_utf8_good("\xee\x80\x80");         /* U+E000 */
	check_utf8_good("\xef\xbf\xbf");         /* U+FFFF */
	check_utf8_good("\xe6\x9d\xb1\xe4\xba\xac"); /* 東京 */
	check_utf8_good("\xf0\x90\x80\x80");     /* U+10000 */
	check_utf8_good("\xf0\x9f\x9a\x80");     /* 🚀 */
	check_utf8_good("\xf4\x8f\xbf\xbf");     /* U+10FFFF */
	assert_int_equal(chg_utf8_validate("a\0b", 3, NULL), 0);

	/* overlong forms */
	check_utf8_bad("\xc0\xaf", 2, 0);
	check_utf8_bad("ab\xc1\xbf", 4, 2);
	check_utf8_bad("\xe0\x80\xaf", 3, 0);
	check_utf8_bad("x\xe0\x9f\xbf", 4, 1);
	check_utf8_bad("\xf0\x82\x82\xac", 4, 0);
	check_utf8_bad("\xf0\x8f\xbf\xbf", 4, 0);
	/* surrogates */
	check_utf8_bad("\xed\xa0\x80", 3, 0);
	check_utf8_bad("ok \xed\xbf\xbf", 6, 3);
	/* above U+10FFFF */
	check_utf8_bad("\xf4\x90\x80\x80", 4, 0);
	check_utf8_bad("\xf5\x80\x80\x80", 4, 0);
	check_utf8_bad("\xff", 1, 0);
	/* stray continuation, cut-off and interrupted sequences */
	check_utf8_bad("a\x80", 2, 1);
	check_utf8_bad("\xc3\xa9\xa9", 3, 2);
	check_utf8_bad("\xe2\x82", 2, 0);
	check_utf8_bad("abc\xf0\x9f\x9a", 6, 3);
	check_utf8_bad("\xe2\x82z", 3, 0);
	check_utf8_bad("\xc3(", 2, 0);
	/* the length is respected: the byte after it is not read */
	check_utf8_bad("\xe2\x82\xac", 2, 0);
}

static void test_valid_multibyte(void **state)
{
	struct load r;

	(void)state;
	load(&r, "title: \"Z\xc3\xbcrich \xe2\x80\x93 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x9a\x80\"\n"
		 "\xc3\xa9t\xc3\xa9: \xf4\x8f\xbf\xbf\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 0);
	check_scalar(chg_node_get(r.root, "title"),
		     "Z\xc3\xbcrich \xe2\x80\x93 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x9a\x80",
		     0, 1, 8);
	check_scalar(chg_node_get(r.root, "\xc3\xa9t\xc3\xa9"),
		     "\xf4\x8f\xbf\xbf", 1, 2, 8);
	load_release(&r);
}

static void test_too_large(void **state)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	static const char text[] = "id: CHG-0042\nab: c\n"; /* 18 bytes */
	struct load r;

	(void)state;
	opts.max_size = 17;
	check_refused(text, 18, &opts, 1, 1, "file-too-large",
		      "file is 18 bytes, over the limit of 17 bytes");
	/* the size is checked first, before any other check */
	check_refused("\0\0\0", 3, &opts, 1, 1, "yaml-syntax",
		      "file contains a NUL byte: it is binary, not YAML text");
	opts.max_size = 2;
	check_refused("\0\0\0", 3, &opts, 1, 1, "file-too-large",
		      "file is 3 bytes, over the limit of 2 bytes");
	opts.max_size = 18;
	load_opts(&r, text, 18, &opts);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 0);
	check_scalar(chg_node_get(r.root, "ab"), "c", 1, 2, 5);
	load_release(&r);
}

static void test_syntax_error(void **state)
{
	(void)state;
	refused("a: [1, 2\n", 2, 1, "yaml-syntax",
		"did not find expected ',' or ']' while parsing a flow sequence started at line 1, column 4");
	/* context positions count bytes too */
	refused("\xc3\xa9: [1, 2\n", 2, 1, "yaml-syntax",
		"did not find expected ',' or ']' while parsing a flow sequence started at line 1, column 5");
	refused("a: b\n c: d\n", 2, 3, "yaml-syntax",
		"'c:' is indented under the value of the line above, so YAML reads it as part of that value: indent it like the other keys of its map (or quote that value if the ': ' belongs to it)");
	refused("id: x\nrisk:\n\tlevel: high\n", 3, 1, "yaml-syntax",
		"a tab character in the indentation: YAML indents with spaces only; replace the tab with spaces");
	refused("a: 'unterminated\n", 2, 1, "yaml-syntax",
		"found unexpected end of stream while scanning a quoted scalar started at line 1, column 4");
	/* libyaml's reader: a control character */
	refused("a: 1\nb: x\x01y\n", 2, 5, "yaml-syntax",
		"control characters are not allowed (U+0001)");
}

/*
 * A "\0" escape puts U+0000 into a scalar, where every C string function
 * stops: "security\0" would pass as the known key "security".  Each such
 * key and value is reported, named as the checks name fields, without
 * ending the load; a key with a NUL is left out with its value.
 */
static void test_nul_escape(void **state)
{
	const struct chg_node *n;
	struct load r;

	(void)state;
	load(&r, "a: \"x\\0y\"\n"
		 "\"security\\0\": x\n"
		 "risk: {level: high, \"as\\0\": [1, \"\\0\"]}\n"
		 "systems: [a, \"b\\0\"]\n"
		 "z: 1\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 5);
	check_diag(&r, 0, 1, 4, "invalid-value",
		   "a contains a NUL character; remove the \\0 escape");
	check_diag(&r, 1, 2, 1, "invalid-value",
		   "key 'security\\x00' contains a NUL character; remove the \\0 escape");
	check_diag(&r, 2, 3, 21, "invalid-value",
		   "key 'risk.as\\x00' contains a NUL character; remove the \\0 escape");
	check_diag(&r, 3, 3, 33, "invalid-value",
		   "risk.as\\x00[1] contains a NUL character; remove the \\0 escape");
	check_diag(&r, 4, 4, 14, "invalid-value",
		   "systems[1] contains a NUL character; remove the \\0 escape");
	/* no key with a NUL is left in the tree; values keep their length */
	assert_int_equal(r.root->n, 4);
	assert_null(chg_node_get(r.root, "security"));
	assert_int_equal(chg_node_get(r.root, "risk")->n, 1);
	n = chg_node_get(r.root, "a");
	assert_int_equal(n->len, 3);
	assert_memory_equal(n->value, "x\0y", 4);
	check_scalar(chg_node_get(r.root, "z"), "1", 1, 5, 4);
	load_release(&r);

	/* the document itself, and an alias of a key with a NUL */
	load_opts_text(&r, "\"\\0\"", 0);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 1);
	check_diag(&r, 0, 1, 1, "invalid-value",
		   "the document contains a NUL character; remove the \\0 escape");
	load_release(&r);
	load(&r, "a: &k \"id\\0\"\n*k : CHG-0001\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 1);
	assert_int_equal(r.root->n, 1);
	assert_null(chg_node_get(r.root, "id"));
	load_release(&r);
}

/*
 * Tags decide what a scalar is: only an untagged plain scalar is read by
 * its text.  "!!str true" is a string, as "true" quoted is.
 */
static void test_tags(void **state)
{
	const struct chg_node *n;
	long long i;
	int b;
	struct load r;

	(void)state;
	load(&r, "%YAML 1.1\n---\n"
		 "a: !!str true\n"        /* 3 */
		 "b: !!str 120\n"         /* 4 */
		 "c: ! true\n"            /* 5 */
		 "d: \"true\"\n"          /* 6 */
		 "e: !!bool \"True\"\n"   /* 7 */
		 "f: !!int '42'\n"        /* 8 */
		 "g: !!null ''\n"         /* 9 */
		 "h: true\n"              /* 10 */
		 "i: !!seq [x]\n"         /* 11 */
		 "j: !!map {x: y}\n");    /* 12 */
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 0);
	check_scalar(chg_node_get(r.root, "a"), "true", 0, 3, 4);
	assert_int_equal(chg_node_bool(&b, chg_node_get(r.root, "a")), CHG_EINVALID);
	check_scalar(chg_node_get(r.root, "b"), "120", 0, 4, 4);
	assert_int_equal(chg_node_int(&i, chg_node_get(r.root, "b")), CHG_EINVALID);
	assert_int_equal(chg_node_bool(&b, chg_node_get(r.root, "c")), CHG_EINVALID);
	assert_int_equal(chg_node_bool(&b, chg_node_get(r.root, "d")), CHG_EINVALID);
	assert_int_equal(chg_node_bool(&b, chg_node_get(r.root, "e")), 0);
	assert_int_equal(b, 1);
	assert_int_equal(chg_node_int(&i, chg_node_get(r.root, "f")), 0);
	assert_int_equal(i, 42);
	assert_true(chg_node_is_null(chg_node_get(r.root, "g")));
	assert_int_equal(chg_node_bool(&b, chg_node_get(r.root, "h")), 0);
	assert_int_equal(chg_node_get(r.root, "i")->n, 1);
	assert_int_equal(chg_node_get(r.root, "j")->n, 1);
	load_release(&r);

	/* other tags, and typed tags on text that is no such value: reported,
	   read as strings, and the load goes on */
	load(&r, "a: !custom x\n"
		 "b: !!float 1.5\n"
		 "c: !!bool yes\n"
		 "d: !!int 0x1F\n"
		 "e: !!null x\n"
		 "f: !custom [a]\n"
		 "g: !!seq {a: b}\n"
		 "h: !<tag:example.com,2026:x> true\n"
		 "z: 1\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 8);
	check_diag(&r, 0, 1, 4, "yaml-syntax",
		   "unsupported tag '!custom' on a scalar: chg reads untagged YAML (and !!str, !!int, !!bool, !!null, !!seq, !!map); remove the tag");
	check_diag(&r, 1, 2, 4, "yaml-syntax",
		   "unsupported tag '!!float' on a scalar: chg reads untagged YAML (and !!str, !!int, !!bool, !!null, !!seq, !!map); remove the tag");
	check_diag(&r, 2, 3, 4, "invalid-type",
		   "a value tagged !!bool must be true or false: fix the value or remove the tag");
	check_diag(&r, 3, 4, 4, "invalid-type",
		   "a value tagged !!int must be an integer: fix the value or remove the tag");
	check_diag(&r, 4, 5, 4, "invalid-type",
		   "a value tagged !!null must be null (~, null or nothing): fix the value or remove the tag");
	check_diag(&r, 5, 6, 4, "yaml-syntax",
		   "unsupported tag '!custom' on a list: chg reads untagged YAML (and !!str, !!int, !!bool, !!null, !!seq, !!map); remove the tag");
	check_diag(&r, 6, 7, 4, "yaml-syntax",
		   "unsupported tag '!!seq' on a map: chg reads untagged YAML (and !!str, !!int, !!bool, !!null, !!seq, !!map); remove the tag");
	check_diag(&r, 7, 8, 4, "yaml-syntax",
		   "unsupported tag 'tag:example.com,2026:x' on a scalar: chg reads untagged YAML (and !!str, !!int, !!bool, !!null, !!seq, !!map); remove the tag");
	n = chg_node_get(r.root, "c");
	check_scalar(n, "yes", 0, 3, 4);
	assert_int_equal(chg_node_bool(&b, chg_node_get(r.root, "h")), CHG_EINVALID);
	check_scalar(chg_node_get(r.root, "z"), "1", 1, 9, 4);
	load_release(&r);

	/* a NUL cannot make "true\0x" pass as the bool true */
	load(&r, "a: !!bool \"true\\0x\"\nb: !!null \"\\0\"\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 4);
	check_diag(&r, 0, 1, 4, "invalid-type",
		   "a value tagged !!bool must be true or false: fix the value or remove the tag");
	check_diag(&r, 1, 1, 4, "invalid-value",
		   "a contains a NUL character; remove the \\0 escape");
	assert_int_equal(chg_node_bool(&b, chg_node_get(r.root, "a")), CHG_EINVALID);
	assert_false(chg_node_is_null(chg_node_get(r.root, "b")));
	load_release(&r);

	/* %-escapes in a tag are quoted as a key is */
	load(&r, "a: !<tag:yaml.org,2002:%01x> x\n");
	assert_int_equal(r.diags.n, 1);
	check_diag(&r, 0, 1, 4, "yaml-syntax",
		   "unsupported tag '!!\\x01x' on a scalar: chg reads untagged YAML (and !!str, !!int, !!bool, !!null, !!seq, !!map); remove the tag");
	load_release(&r);

	/* a %TAG directive cannot make "!!" mean something else */
	load(&r, "%TAG !! tag:example.com,2026:\n---\na: !!str true\n");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 1);
	check_diag(&r, 0, 3, 4, "yaml-syntax",
		   "unsupported tag 'tag:example.com,2026:str' on a scalar: chg reads untagged YAML (and !!str, !!int, !!bool, !!null, !!seq, !!map); remove the tag");
	load_release(&r);
}

/*
 * The node budget alone lets a few aliases of one long scalar copy
 * gigabytes: the text budget stops them at the alias that goes over.
 */
static void test_alias_bytes(void **state)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	struct chg_buf text = CHG_BUF_INIT;
	struct load r;
	size_t i;

	(void)state;
	assert_int_equal(opts.max_bytes, 4 * 1024 * 1024);
	/* a 65535-byte value and 63 copies, with the keys: 4194242 bytes of
	   text, just under 4 MiB */
	assert_int_equal(chg_buf_puts(&text, "a: &a "), 0);
	for (i = 0; i < 65536 - 1; i++)
		assert_int_equal(chg_buf_putc(&text, 'x'), 0);
	assert_int_equal(chg_buf_puts(&text, "\nb: ["), 0);
	for (i = 0; i < 62; i++)
		assert_int_equal(chg_buf_puts(&text, "*a, "), 0);
	assert_int_equal(chg_buf_puts(&text, "*a]\n"), 0);
	load_opts(&r, text.ptr, text.len, &opts);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.diags.n, 0);
	assert_int_equal(chg_node_get(r.root, "b")->n, 63);
	load_release(&r);

	/* one more copy goes over, at that alias (line 2, column 5 + 4 * 63) */
	text.len -= 2;
	assert_int_equal(chg_buf_puts(&text, ", *a]\n"), 0);
	check_refused(text.ptr, text.len, &opts, 2, 5 + 4 * 63, "yaml-syntax",
		      "expanding alias '*a' goes over the limit of 4194304 bytes of text (an alias bomb?): use fewer aliases");

	/* a small budget, and text without aliases */
	opts.max_bytes = 10;
	check_refused("abc: defg\nxyz: w\n", 17, &opts, 2, 6, "yaml-syntax",
		      "document has more than 10 bytes of text: split it into smaller files");
	load_opts(&r, "abc: defg\nxy: w\n", 16, &opts);
	assert_int_equal(r.rc, 0);
	load_release(&r);
	chg_buf_release(&text);
}

/* Whether the trees `a` and `b` are the same, positions included. */
static int same_tree(const struct chg_node *a, const struct chg_node *b)
{
	size_t i;

	if (a->type != b->type || a->line != b->line ||
	    a->column != b->column || a->n != b->n)
		return 0;
	if (a->type == CHG_NODE_SCALAR)
		return a->len == b->len && a->plain == b->plain &&
		       !memcmp(a->value, b->value, a->len);
	for (i = 0; i < a->n; i++) {
		if (a->type == CHG_NODE_SEQUENCE ?
		    !same_tree(a->items[i], b->items[i]) :
		    !same_tree(a->pairs[i].key, b->pairs[i].key) ||
		    !same_tree(a->pairs[i].value, b->pairs[i].value))
			return 0;
	}
	return 1;
}

/*
 * The arena option (yaml.h): the same tree as without it, for aliases
 * (copies mixed into the arena's tree), duplicate keys (nodes kept aside),
 * mappings and scalars larger than a block; a failed load frees it; a
 * malloc'd node put into an arena tree and a copy of one are freed as
 * they were allocated (the sanitizers check the frees).
 */
static void test_arena(void **state)
{
	static const char *const docs[] = {
		"base: &w {start: '2026-12-05', end: x}\nwindow: *w\nlist: [*w, *w]\n",
		"a: 1\nb: 2\na: 3\n",
		"a: [1, 2\nb: 3\n",
		NULL,  /* a large mapping, built below */
	};
	struct chg_yaml_options plain = CHG_YAML_OPTIONS_INIT;
	struct chg_yaml_options arena = CHG_YAML_OPTIONS_INIT;
	struct chg_buf big = CHG_BUF_INIT;
	struct load a, b;
	struct chg_node *copy, *k, *v;
	size_t i;

	(void)state;
	arena.arena = 1;
	for (i = 0; i < 2000; i++)
		assert_int_equal(chg_buf_printf(&big, "key%zu: value %zu\n", i, i), 0);
	assert_int_equal(chg_buf_puts(&big, "long: "), 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(chg_buf_putc(&big, 'x'), 0);
	assert_int_equal(chg_buf_putc(&big, '\n'), 0);
	for (i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
		const char *text = docs[i] ? docs[i] : big.ptr;
		load_opts(&a, text, strlen(text), &plain);
		load_opts(&b, text, strlen(text), &arena);
		assert_int_equal(a.rc, b.rc);
		assert_int_equal(a.diags.n, b.diags.n);
		if (a.rc == 0) {
			assert_non_null(b.root->arena);
			assert_null(a.root->arena);
			assert_true(same_tree(a.root, b.root));
		}
		load_release(&a);
		load_release(&b);
	}
	chg_buf_release(&big);

	load_opts(&b, docs[0], strlen(docs[0]), &arena);
	assert_int_equal(b.rc, 0);
	copy = chg_node_dup(b.root);
	assert_non_null(copy);
	assert_null(copy->arena);
	k = chg_node_new_scalar("added", 5, 1, 9, 1);
	v = chg_node_new(CHG_NODE_SEQUENCE, 9, 8);
	assert_non_null(k);
	assert_non_null(v);
	assert_int_equal(chg_node_insert(b.root, k, v), 0);
	load_release(&b);
	assert_non_null(chg_node_get(copy, "window"));
	chg_node_free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_change_request),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_duplicate_key_large_mapping),
		cmocka_unit_test(test_duplicate_key_excerpt),
		cmocka_unit_test(test_duplicate_value_anchor),
		cmocka_unit_test(test_alias),
		cmocka_unit_test(test_alias_bomb),
		cmocka_unit_test(test_node_limit),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_alias_depth),
		cmocka_unit_test(test_undefined_alias),
		cmocka_unit_test(test_two_documents),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_only_comment),
		cmocka_unit_test(test_not_a_mapping),
		cmocka_unit_test(test_non_scalar_key),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_utf8_validate),
		cmocka_unit_test(test_valid_multibyte),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_nul_escape),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_alias_bytes),
		cmocka_unit_test(test_arena),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
