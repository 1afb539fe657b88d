#include "yaml.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * libyaml's header has the same name as ours: build with "-iquote lib" (not
 * "-Ilib") so that <yaml.h> is libyaml's and "yaml.h" is lib/yaml.h.
 */
#include <yaml.h>
#ifndef YAML_H
#error "<yaml.h> is lib/yaml.h, not libyaml's: use -iquote lib, not -Ilib"
#endif

#include "buf.h"
#include "error.h"
#include "banned.h"

/*
 * The loader turns libyaml's event stream into a node tree without
 * recursion: open sequences and mappings live on an explicit stack of
 * frames, at most opts->max_depth deep.  Completed anchored nodes are
 * remembered with their size (nodes, counting expansions) and height
 * (nesting levels), so that an alias is refused before anything is copied
 * when it would go over the node budget or the depth limit.
 *
 * Positions: libyaml's marks count characters (code points), 0-based, after
 * a byte order mark.  The tree and the diagnostics use 1-based lines
 * (counted by '\n') and 1-based columns in bytes, so each mark is converted
 * through a cursor that walks the (already validated) UTF-8 input from the
 * previous mark.
 */

#define KEY_EXCERPT 64  /* bytes of a key quoted in a message */
#define NAME_EXCERPT 64 /* bytes of an anchor name quoted in a message */

/* A string-keyed hash table mapping borrowed byte strings to indexes. */
struct strmap_entry {
	const char *key; /* NULL: empty slot; the table does not own it */
	size_t len;
	size_t hash;
	size_t value;
};

struct strmap {
	struct strmap_entry *slots;
	size_t cap; /* 0 or a power of two */
	size_t n;
};

struct anchor {
	char *name;
	const struct chg_node *node; /* owned by the tree being built */
	size_t size;   /* nodes in the subtree, counting expanded aliases */
	size_t bytes;  /* scalar bytes in the subtree, counting expansions */
	size_t height; /* nesting levels of the subtree; 0 for a scalar */
};

/* An open sequence or mapping. */
struct frame {
	struct chg_node *node;
	struct chg_node *key;  /* mapping: key waiting for its value */
	int drop_pair;         /* mapping: that key repeats an earlier one or
				  holds a NUL: the pair is left out */
	char *anchor;          /* registered when the node is complete */
	size_t nodes_at_start; /* loader->nodes before this node was made */
	size_t bytes_at_start; /* loader->bytes before this node was made */
	size_t height;         /* largest height of the children so far */
	struct strmap keys;    /* mapping: key -> index into node->pairs */
};

struct loader {
	const char *buf;
	size_t len;
	const char *path;
	const struct chg_yaml_options *opts;
	struct chg_diag_list *diags;

	/* position cursor: character index -> byte offset, line */
	size_t cur_index;
	size_t cur_offset;
	size_t cur_line;       /* 0-based */
	size_t cur_line_start; /* byte offset of the cursor's line */

	struct frame *frames;
	size_t depth;
	size_t frames_alloc;

	struct anchor *anchors;
	size_t n_anchors;
	size_t anchors_alloc;
	struct strmap anchor_map; /* name -> index into anchors */

	struct chg_node *root;
	struct chg_node *discarded; /* entries dropped as duplicates */
	struct chg_node_arena *arena; /* where the nodes are allocated, or
				       NULL (options.arena) */
	size_t nodes;               /* nodes made, counting expansions */
	size_t bytes;               /* scalar bytes made, counting expansions */
	int documents;
};

static int to_int(size_t v)
{
	return v > INT_MAX ? INT_MAX : (int)v;
}

static size_t hash_bytes(const char *p, size_t len)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

static struct strmap_entry *strmap_slot(const struct strmap *map,
					const char *key, size_t len,
					size_t hash)
{
	size_t mask = map->cap - 1, i = hash & mask;
	struct strmap_entry *e;

	for (;;) {
		e = &map->slots[i];
		if (!e->key || (e->hash == hash && e->len == len &&
				!memcmp(e->key, key, len)))
			return e;
		i = (i + 1) & mask;
	}
}

static const struct strmap_entry *strmap_find(const struct strmap *map,
					      const char *key, size_t len)
{
	const struct strmap_entry *e;

	if (!map->n)
		return NULL;
	e = strmap_slot(map, key, len, hash_bytes(key, len));
	return e->key ? e : NULL;
}

static int strmap_grow(struct strmap *map)
{
	struct strmap grown = { NULL, 0, 0 };
	size_t i;

	grown.cap = map->cap ? map->cap * 2 : 8;
	if (grown.cap > SIZE_MAX / sizeof(*grown.slots))
		return CHG_ENOMEM;
	grown.slots = calloc(grown.cap, sizeof(*grown.slots));
	if (!grown.slots)
		return CHG_ENOMEM;
	for (i = 0; i < map->cap; i++) {
		const struct strmap_entry *e = &map->slots[i];
		if (e->key)
			*strmap_slot(&grown, e->key, e->len, e->hash) = *e;
	}
	grown.n = map->n;
	free(map->slots);
	*map = grown;
	return 0;
}

/* Maps `key` (borrowed: it must outlive the map) to `value`, replacing. */
static int strmap_put(struct strmap *map, const char *key, size_t len,
		      size_t value)
{
	struct strmap_entry *e;
	size_t hash = hash_bytes(key, len);
	int error;

	if ((map->n + 1) * 2 > map->cap && (error = strmap_grow(map)) < 0)
		return error;
	e = strmap_slot(map, key, len, hash);
	if (!e->key) {
		e->key = key;
		e->len = len;
		e->hash = hash;
		map->n++;
	}
	e->value = value;
	return 0;
}

static void strmap_release(struct strmap *map)
{
	free(map->slots);
	map->slots = NULL;
	map->cap = 0;
	map->n = 0;
}

int chg_utf8_validate(const char *buf, size_t len, size_t *bad_offset)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0, n, k;
	unsigned char c, lo, hi;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0; /* overlong */
			else if (c == 0xed)
				hi = 0x9f; /* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90; /* overlong */
			else if (c == 0xf4)
				hi = 0x8f; /* above U+10FFFF */
		} else {
			goto bad; /* continuation, overlong lead or 0xf5.. */
		}
		if (len - i - 1 < n || s[i + 1] < lo || s[i + 1] > hi)
			goto bad;
		for (k = 2; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				goto bad;
		i += n + 1;
	}
	return 0;
bad:
	if (bad_offset)
		*bad_offset = i;
	return CHG_EINVALID;
}

/*
 * Returns the length of the UTF-8 byte order mark at the start of `buf`, or
 * 0.  libyaml skips it without counting it in its marks, and so do we: it
 * is not part of the first line's columns.
 */
static size_t bom_length(const char *buf, size_t len)
{
	return len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0;
}

/* Line and byte column (1-based) of byte `offset`, counting from the start. */
static void offset_pos(const char *buf, size_t len, size_t offset, int *line,
		       int *column)
{
	size_t i, nl = 0, start = bom_length(buf, len);

	if (offset > len)
		offset = len;
	if (offset < start)
		offset = start;
	for (i = start; i < offset; i++) {
		if (buf[i] == '\n') {
			nl++;
			start = i + 1;
		}
	}
	*line = to_int(nl + 1);
	*column = to_int(offset - start + 1);
}

/* Line and byte column (1-based) of a libyaml mark. */
static void mark_pos(struct loader *l, const yaml_mark_t *mark, int *line,
		     int *column)
{
	const unsigned char *s = (const unsigned char *)l->buf;
	size_t target = mark->index, width, start = bom_length(l->buf, l->len);
	unsigned char c;

	while (l->cur_index < target && l->cur_offset < l->len) {
		c = s[l->cur_offset];
		if (c == '\n') {
			l->cur_line++;
			l->cur_line_start = l->cur_offset + 1;
		}
		width = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		l->cur_offset += width;
		if (l->cur_offset > l->len)
			l->cur_offset = l->len;
		l->cur_index++;
	}
	while (l->cur_index > target && l->cur_offset > start) {
		do
			l->cur_offset--;
		while (l->cur_offset > start &&
		       (s[l->cur_offset] & 0xc0) == 0x80);
		l->cur_index--;
		if (s[l->cur_offset] == '\n') {
			l->cur_line--;
			l->cur_line_start = l->cur_offset;
			while (l->cur_line_start > start &&
			       s[l->cur_line_start - 1] != '\n')
				l->cur_line_start--;
		}
	}
	*line = to_int(l->cur_line + 1);
	*column = to_int(l->cur_offset - l->cur_line_start + 1);
}

static int vreport(struct loader *l, int line, int column, const char *rule,
		   const char *fmt, va_list ap)
{
	struct chg_buf msg = CHG_BUF_INIT;
	int error;

	if ((error = chg_buf_vprintf(&msg, fmt, ap)) < 0)
		goto cleanup;
	error = chg_diag_add(l->diags, l->path, line, column, CHG_SEV_ERROR,
			     rule, "%s", msg.ptr);
cleanup:
	chg_buf_release(&msg);
	return error;
}

/* Adds an error diagnostic.  Returns 0 or CHG_ENOMEM. */
static int report(struct loader *l, int line, int column, const char *rule,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int report(struct loader *l, int line, int column, const char *rule,
		  const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = vreport(l, line, column, rule, fmt, ap);
	va_end(ap);
	return error;
}

/*
 * Adds an error diagnostic that ends the load.  Returns CHG_EINVALID, or
 * CHG_ENOMEM when the diagnostic could not be added.
 */
static int fail(struct loader *l, int line, int column, const char *rule,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(struct loader *l, int line, int column, const char *rule,
		const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = vreport(l, line, column, rule, fmt, ap);
	va_end(ap);
	return error < 0 ? error : CHG_EINVALID;
}

/*
 * Appends a printable excerpt of a key to `b`: at most KEY_EXCERPT bytes,
 * cut at a character boundary, control bytes as \xNN.
 */
static int put_excerpt(struct chg_buf *b, const char *s, size_t len)
{
	size_t i, n = len;
	int error = 0;

	if (n > KEY_EXCERPT) {
		n = KEY_EXCERPT;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n && !error; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			error = chg_buf_printf(b, "\\x%02x", c);
		else
			error = chg_buf_putc(b, (char)c);
	}
	if (!error && n < len)
		error = chg_buf_puts(b, "...");
	return error;
}

static int report_duplicate(struct loader *l, const struct chg_node *key,
			    const struct chg_node *first)
{
	struct chg_buf name = CHG_BUF_INIT;
	int error;

	if ((error = put_excerpt(&name, key->value, key->len)) < 0)
		goto cleanup;
	error = report(l, key->line, key->column, "duplicate-key",
		       "duplicate key '%s' (first defined at line %d)",
		       name.ptr, first->line);
cleanup:
	chg_buf_release(&name);
	return error;
}

/* Keeps a node dropped as a duplicate alive: anchors may point into it. */
static int discard(struct loader *l, struct chg_node *node)
{
	int error;

	if (!l->discarded) {
		l->discarded = chg_node_new(CHG_NODE_SEQUENCE, 0, 0);
		if (!l->discarded) {
			chg_node_free(node);
			return CHG_ENOMEM;
		}
	}
	if ((error = chg_node_append(l->discarded, node)) < 0)
		chg_node_free(node);
	return error;
}

/*
 * Counts `n` new nodes against opts->max_nodes.  `alias` names the alias
 * being expanded, or is NULL.
 */
static int count_nodes(struct loader *l, size_t n, int line, int column,
		       const char *alias)
{
	size_t max = l->opts->max_nodes;

	if (l->nodes <= max && n <= max - l->nodes) {
		l->nodes += n;
		return 0;
	}
	if (alias)
		return fail(l, line, column, "yaml-syntax",
			    "expanding alias '*%.*s' goes over the limit of %zu nodes (an alias bomb?): use fewer aliases",
			    NAME_EXCERPT, alias, max);
	return fail(l, line, column, "yaml-syntax",
		    "document has more than %zu nodes: split it into smaller files",
		    max);
}

/*
 * Counts `n` new bytes of scalar text (keys and values) against
 * opts->max_bytes.  `alias` names the alias being expanded, or is NULL.
 * The node budget alone lets a few aliases of one long scalar copy
 * gigabytes; this one bounds the memory and time of everything after.
 */
static int count_bytes(struct loader *l, size_t n, int line, int column,
		       const char *alias)
{
	size_t max = l->opts->max_bytes;

	if (l->bytes <= max && n <= max - l->bytes) {
		l->bytes += n;
		return 0;
	}
	if (alias)
		return fail(l, line, column, "yaml-syntax",
			    "expanding alias '*%.*s' goes over the limit of %zu bytes of text (an alias bomb?): use fewer aliases",
			    NAME_EXCERPT, alias, max);
	return fail(l, line, column, "yaml-syntax",
		    "document has more than %zu bytes of text: split it into smaller files",
		    max);
}

/*
 * Appends to `b` the name of the node about to be added at the top of the
 * stack, as the checks name fields ("risk.level", "systems[1]"); keys are
 * quoted as put_excerpt does.  A key is named by its map's name and its
 * own text.  Returns 0 or CHG_ENOMEM.
 */
static int node_name(struct chg_buf *b, const struct loader *l,
		     const struct chg_node *key)
{
	const struct frame *f;
	size_t i;
	int error = 0;

	for (i = 0; i < l->depth && !error; i++) {
		f = &l->frames[i];
		if (f->node->type == CHG_NODE_SEQUENCE) {
			error = chg_buf_printf(b, "[%zu]", f->node->n);
		} else if (f->key) {
			if (b->len)
				error = chg_buf_putc(b, '.');
			if (!error)
				error = put_excerpt(b, f->key->value,
						    f->key->len);
		}
	}
	if (!error && key) {
		if (b->len)
			error = chg_buf_putc(b, '.');
		if (!error)
			error = put_excerpt(b, key->value, key->len);
	}
	if (!error && !b->len)
		error = chg_buf_puts(b, "the document");
	return error;
}

/*
 * A "\0" escape puts a NUL into a scalar, and every C string function
 * would stop there: "security\0" would pass as the known key "security".
 * No key or value may hold one.  The diagnostic does not end the load, so
 * that each such scalar is reported; add_node leaves a key with a NUL out
 * of the tree with its value, so that no later code ever sees one.
 */
static int check_nul(struct loader *l, const struct chg_node *node)
{
	const struct frame *top = l->depth ? &l->frames[l->depth - 1] : NULL;
	struct chg_buf name = CHG_BUF_INIT;
	int is_key, error;

	if (!memchr(node->value, '\0', node->len))
		return 0;
	is_key = top && top->node->type == CHG_NODE_MAPPING && !top->key;
	if ((error = node_name(&name, l, is_key ? node : NULL)) < 0)
		goto cleanup;
	if (is_key)
		error = report(l, node->line, node->column, "invalid-value",
			       "key '%s' contains a NUL character; remove the \\0 escape",
			       name.ptr);
	else
		error = report(l, node->line, node->column, "invalid-value",
			       "%s contains a NUL character; remove the \\0 escape",
			       name.ptr);
cleanup:
	chg_buf_release(&name);
	return error;
}

/*
 * Hands a complete node of `height` to its parent (or makes it the root).
 * Takes ownership of `node` in every case.
 */
static int add_node(struct loader *l, struct chg_node *node, size_t height)
{
	const struct strmap_entry *first;
	struct chg_node *key;
	struct frame *f;
	int error = 0;

	if (!l->depth) {
		chg_node_free(l->root);
		l->root = node;
		return 0;
	}
	f = &l->frames[l->depth - 1];
	if (height > f->height)
		f->height = height;

	if (f->node->type == CHG_NODE_SEQUENCE) {
		if ((error = chg_node_append(f->node, node)) < 0)
			goto on_error;
		return 0;
	}

	if (!f->key) {
		if (node->type != CHG_NODE_SCALAR) {
			error = fail(l, node->line, node->column, "yaml-syntax",
				     "a mapping key must be a scalar, not a %s",
				     chg_node_type_name(node));
			goto on_error;
		}
		first = strmap_find(&f->keys, node->value, node->len);
		if (first) {
			error = report_duplicate(l, node,
				f->node->pairs[first->value].key);
			if (error < 0)
				goto on_error;
			f->drop_pair = 1;
		}
		/* reported where it was written (check_nul) */
		if (memchr(node->value, '\0', node->len))
			f->drop_pair = 1;
		f->key = node;
		return 0;
	}

	key = f->key;
	f->key = NULL;
	if (f->drop_pair) {
		f->drop_pair = 0;
		if ((error = discard(l, key)) < 0) {
			chg_node_free(node);
			return error;
		}
		return discard(l, node);
	}
	if ((error = chg_node_insert(f->node, key, node)) < 0) {
		chg_node_free(key);
		goto on_error;
	}
	return strmap_put(&f->keys, key->value, key->len, f->node->n - 1);

on_error:
	chg_node_free(node);
	return error;
}

/* Remembers an anchored node; takes ownership of `name`. */
static int add_anchor(struct loader *l, char *name,
		      const struct chg_node *node, size_t size, size_t bytes,
		      size_t height)
{
	struct anchor *a;
	size_t n;

	if (l->n_anchors == l->anchors_alloc) {
		n = l->anchors_alloc ? l->anchors_alloc * 2 : 16;
		if (n > SIZE_MAX / sizeof(*a))
			goto nomem;
		a = realloc(l->anchors, n * sizeof(*a));
		if (!a)
			goto nomem;
		l->anchors = a;
		l->anchors_alloc = n;
	}
	a = &l->anchors[l->n_anchors++];
	a->name = name;
	a->node = node;
	a->size = size;
	a->bytes = bytes;
	a->height = height;
	return strmap_put(&l->anchor_map, name, strlen(name), l->n_anchors - 1);
nomem:
	free(name);
	return CHG_ENOMEM;
}

#define CORE_TAG "tag:yaml.org,2002:"

/* Appends a tag as written in the usual shorthand ("!!int", "!foo"). */
static int put_tag(struct chg_buf *b, const char *tag)
{
	size_t n = strlen(CORE_TAG);

	int error;

	/* %-escapes in a tag can make any bytes: quote it as a key is */
	if (!strncmp(tag, CORE_TAG, n)) {
		if ((error = chg_buf_puts(b, "!!")) < 0)
			return error;
		tag += n;
	}
	return put_excerpt(b, tag, strlen(tag));
}

/*
 * Reports a tag the loader does not know: it would be read by its text
 * anyway, and a reader (or another YAML tool) might read it otherwise.
 */
static int report_tag(struct loader *l, int line, int column,
		      const char *tag, const char *kind)
{
	struct chg_buf t = CHG_BUF_INIT;
	int error;

	if ((error = put_tag(&t, tag)) == 0)
		error = report(l, line, column, "yaml-syntax",
			       "unsupported tag '%s' on a %s: chg reads untagged YAML (and !!str, !!int, !!bool, !!null, !!seq, !!map); remove the tag",
			       t.ptr, kind);
	chg_buf_release(&t);
	return error;
}

/*
 * Checks the tag of a sequence or mapping: only the non-specific "!" and
 * the core schema's own (!!seq, !!map) are known.
 */
static int check_collection_tag(struct loader *l, const yaml_char_t *tag,
				enum chg_node_type type, int line, int column)
{
	const char *t = (const char *)tag;

	if (!t || !strcmp(t, "!") ||
	    (type == CHG_NODE_SEQUENCE && !strcmp(t, CORE_TAG "seq")) ||
	    (type == CHG_NODE_MAPPING && !strcmp(t, CORE_TAG "map")))
		return 0;
	return report_tag(l, line, column, t,
			  type == CHG_NODE_SEQUENCE ? "list" : "map");
}

static int push_frame(struct loader *l, struct chg_node *node,
		      const yaml_char_t *anchor)
{
	struct frame *f;
	size_t n;

	if (l->depth == l->frames_alloc) {
		n = l->frames_alloc ? l->frames_alloc * 2 : 16;
		if (n > SIZE_MAX / sizeof(*f))
			goto nomem;
		f = realloc(l->frames, n * sizeof(*f));
		if (!f)
			goto nomem;
		l->frames = f;
		l->frames_alloc = n;
	}
	f = &l->frames[l->depth];
	memset(f, 0, sizeof(*f));
	if (anchor && !(f->anchor = strdup((const char *)anchor)))
		goto nomem;
	f->node = node;
	f->nodes_at_start = l->nodes - 1;
	f->bytes_at_start = l->bytes;
	l->depth++;
	return 0;
nomem:
	chg_node_free(node);
	return CHG_ENOMEM;
}

static void frame_release(struct frame *f)
{
	chg_node_free(f->node);
	chg_node_free(f->key);
	free(f->anchor);
	strmap_release(&f->keys);
}

static int start_collection(struct loader *l, const yaml_event_t *ev)
{
	enum chg_node_type type;
	const yaml_char_t *anchor, *tag;
	const struct frame *top;
	struct chg_node *node;
	int line, column, error;

	if (ev->type == YAML_SEQUENCE_START_EVENT) {
		type = CHG_NODE_SEQUENCE;
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	} else {
		type = CHG_NODE_MAPPING;
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	}
	mark_pos(l, &ev->start_mark, &line, &column);
	top = l->depth ? &l->frames[l->depth - 1] : NULL;
	if (top && top->node->type == CHG_NODE_MAPPING && !top->key)
		return fail(l, line, column, "yaml-syntax",
			    "a mapping key must be a scalar, not a %s",
			    type == CHG_NODE_SEQUENCE ? "list" : "map");
	if (l->depth >= l->opts->max_depth)
		return fail(l, line, column, "yaml-syntax",
			    "nesting is deeper than %zu levels: flatten the document",
			    l->opts->max_depth);
	if ((error = count_nodes(l, 1, line, column, NULL)) < 0 ||
	    (error = check_collection_tag(l, tag, type, line, column)) < 0)
		return error;
	if (!(node = chg_node_new_in(l->arena, type, line, column)))
		return CHG_ENOMEM;
	return push_frame(l, node, anchor);
}

static int end_collection(struct loader *l)
{
	struct frame *f = &l->frames[--l->depth];
	struct chg_node *node = f->node;
	size_t height = f->height + 1, size = l->nodes - f->nodes_at_start;
	size_t bytes = l->bytes - f->bytes_at_start;
	char *anchor = f->anchor;
	int error = 0;

	f->node = NULL;
	f->anchor = NULL;
	frame_release(f);
	if (anchor &&
	    (error = add_anchor(l, anchor, node, size, bytes, height)) < 0) {
		chg_node_free(node);
		return error;
	}
	return add_node(l, node, height);
}

/*
 * Decides whether a scalar reads as a YAML value (node->plain: a null, a
 * bool or an integer when its text is one) or as a string, from its style
 * and its tag.  Only an untagged plain scalar is resolved by its text;
 * "!!str" and the non-specific "!" make a string, as quoting does.
 * "!!bool", "!!int" and "!!null" make the value of that type, and their
 * text must be one (invalid-type, and a string, otherwise).  Any other tag
 * is yaml-syntax, and the scalar a string.  Neither diagnostic ends the
 * load.
 */
static int resolve_scalar(struct loader *l, struct chg_node *node,
			  const yaml_event_t *ev)
{
	const char *tag = (const char *)ev->data.scalar.tag;
	struct chg_buf t = CHG_BUF_INIT;
	const char *want = NULL;
	long long n;
	int b, ok, error;

	node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (!tag)
		return 0;
	node->plain = 0;
	if (!strcmp(tag, "!") || !strcmp(tag, CORE_TAG "str"))
		return 0;
	node->plain = 1;
	if (!strcmp(tag, CORE_TAG "bool")) {
		ok = chg_node_bool(&b, node) == 0;
		want = "true or false";
	} else if (!strcmp(tag, CORE_TAG "int")) {
		ok = chg_node_int(&n, node) == 0;
		want = "an integer";
	} else if (!strcmp(tag, CORE_TAG "null")) {
		ok = chg_node_is_null(node);
		want = "null (~, null or nothing)";
	} else {
		node->plain = 0;
		return report_tag(l, node->line, node->column, tag, "scalar");
	}
	if (ok)
		return 0;
	node->plain = 0;
	if ((error = put_tag(&t, tag)) == 0)
		error = report(l, node->line, node->column, "invalid-type",
			       "a value tagged %s must be %s: fix the value or remove the tag",
			       t.ptr, want);
	chg_buf_release(&t);
	return error;
}

static int load_scalar(struct loader *l, const yaml_event_t *ev)
{
	struct chg_node *node;
	char *anchor = NULL;
	size_t len = ev->data.scalar.length;
	int line, column, error;

	mark_pos(l, &ev->start_mark, &line, &column);
	if ((error = count_nodes(l, 1, line, column, NULL)) < 0 ||
	    (error = count_bytes(l, len, line, column, NULL)) < 0)
		return error;
	node = chg_node_new_scalar_in(l->arena, (const char *)ev->data.scalar.value,
				      len, 0, line, column);
	if (!node)
		return CHG_ENOMEM;
	if ((error = resolve_scalar(l, node, ev)) < 0 ||
	    (error = check_nul(l, node)) < 0) {
		chg_node_free(node);
		return error;
	}
	if (ev->data.scalar.anchor) {
		anchor = strdup((const char *)ev->data.scalar.anchor);
		if (!anchor ||
		    (error = add_anchor(l, anchor, node, 1, len, 0)) < 0) {
			chg_node_free(node);
			return anchor ? error : CHG_ENOMEM;
		}
	}
	return add_node(l, node, 0);
}

static int load_alias(struct loader *l, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const struct strmap_entry *e;
	const struct anchor *a;
	struct chg_node *copy;
	int line, column, error;
	size_t i;

	mark_pos(l, &ev->start_mark, &line, &column);
	for (i = 0; i < l->depth; i++)
		if (l->frames[i].anchor && !strcmp(l->frames[i].anchor, name))
			return fail(l, line, column, "yaml-syntax",
				    "alias '*%.*s' refers to a node that contains it",
				    NAME_EXCERPT, name);
	e = strmap_find(&l->anchor_map, name, strlen(name));
	if (!e)
		return fail(l, line, column, "yaml-syntax",
			    "undefined alias '*%.*s': define the anchor '&%.*s' before using it",
			    NAME_EXCERPT, name, NAME_EXCERPT, name);
	a = &l->anchors[e->value];
	if (a->height > l->opts->max_depth ||
	    l->depth > l->opts->max_depth - a->height)
		return fail(l, line, column, "yaml-syntax",
			    "expanding alias '*%.*s' nests deeper than %zu levels: flatten the document",
			    NAME_EXCERPT, name, l->opts->max_depth);
	if ((error = count_nodes(l, a->size, line, column, name)) < 0 ||
	    (error = count_bytes(l, a->bytes, line, column, name)) < 0)
		return error;
	if (!(copy = chg_node_dup(a->node)))
		return CHG_ENOMEM;
	/* the copy stands where the alias is written */
	copy->line = line;
	copy->column = column;
	return add_node(l, copy, a->height);
}

/* Handles one event.  Returns 0, 1 at the end of the stream, or an error. */
static int load_event(struct loader *l, const yaml_event_t *ev)
{
	int line, column;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++l->documents > 1) {
			mark_pos(l, &ev->start_mark, &line, &column);
			return fail(l, line, column, "yaml-syntax",
				    "more than one YAML document: a file must hold exactly one");
		}
		return 0;
	case YAML_SCALAR_EVENT:
		return load_scalar(l, ev);
	case YAML_ALIAS_EVENT:
		return load_alias(l, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return start_collection(l, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return l->depth ? end_collection(l) : 0;
	case YAML_STREAM_END_EVENT:
		return 1;
	default:
		return 0;
	}
}

#define VALUE_EXCERPT 60 /* bytes of a value quoted in a suggestion */

/*
 * A tab in indentation: libyaml says "found character that cannot start
 * any token" (or "found a tab character that violates indentation", "...
 * where an indentation space is expected"), which does not name the tab.
 * `offset` is the byte of the problem, `start` that of its line.  Returns
 * 1 when that byte is a tab with only blanks before it on its line.
 */
static int tab_in_indentation(const struct loader *l, size_t start,
			      size_t offset)
{
	size_t i;

	if (offset >= l->len || l->buf[offset] != '\t')
		return 0;
	for (i = start; i < offset; i++)
		if (l->buf[i] != ' ' && l->buf[i] != '\t')
			return 0;
	return 1;
}

/*
 * Skips indentation and "- " sequence entries at `p`; returns where the
 * line's key (if any) begins.
 */
static size_t skip_entry_start(const char *buf, size_t p, size_t end)
{
	for (;;) {
		while (p < end && buf[p] == ' ')
			p++;
		if (p + 1 < end && buf[p] == '-' && buf[p + 1] == ' ')
			p += 2;
		else
			return p;
	}
}

/*
 * Says what to do about libyaml's "mapping values are not allowed in
 * this context" at byte `offset` (the ':') of the line that starts at
 * `start`: either the line's value holds an unquoted ": " (quote the
 * value), or the key stands on a line indented under a value.
 */
static int colon_in_value(struct loader *l, int line, int column,
			  size_t start, size_t offset)
{
	struct chg_buf key = CHG_BUF_INIT;
	const char *buf = l->buf, *sep, *q;
	size_t k, end, vstart, vend;
	int error;

	k = skip_entry_start(buf, start, offset);
	for (end = offset; end < l->len && buf[end] != '\n'; end++)
		;
	sep = NULL;
	for (q = buf + k; q + 1 < buf + offset; q++)
		if (q[0] == ':' && q[1] == ' ') {
			sep = q;
			break;
		}
	if (!sep) {
		if ((error = put_excerpt(&key, buf + k, offset - k)) == 0)
			error = fail(l, line, column, "yaml-syntax",
				     "'%s:' is indented under the value of the line above, so YAML reads it as part of that value: indent it like the other keys of its map (or quote that value if the ': ' belongs to it)",
				     key.ptr);
		goto cleanup;
	}
	vstart = (size_t)(sep - buf) + 2;
	while (vstart < end && buf[vstart] == ' ')
		vstart++;
	vend = end;
	while (vend > vstart && (buf[vend - 1] == ' ' || buf[vend - 1] == '\r' ||
				 buf[vend - 1] == '\t'))
		vend--;
	if ((error = put_excerpt(&key, buf + k, (size_t)(sep - buf) - k)) < 0)
		goto cleanup;
	q = buf + vstart;
	if (vend > vstart && vend - vstart <= VALUE_EXCERPT && !strchr("\"'[{&*!|>", *q) &&
	    !memchr(q, '"', vend - vstart) && !memchr(q, '\\', vend - vstart) &&
	    !memchr(q, '#', vend - vstart) && !memchr(q, '\t', vend - vstart))
		error = fail(l, line, column, "yaml-syntax",
			     "the value of '%s' holds an unquoted ': ', which YAML reads as the start of another key: quote the value, as in %s: \"%.*s\"",
			     key.ptr, key.ptr, (int)(vend - vstart), q);
	else
		error = fail(l, line, column, "yaml-syntax",
			     "the value of '%s' holds an unquoted ': ', which YAML reads as the start of another key: put the whole value in quotes",
			     key.ptr);
cleanup:
	chg_buf_release(&key);
	return error;
}

/*
 * Turns the scanner errors a newcomer meets most into advice: a tab in
 * indentation, an unquoted ": " in a value.  Returns 0 when the error is
 * not one of those, else what fail() returns.  Called right after the
 * cursor reached the problem mark.
 */
static int explain_problem(struct loader *l, const char *problem, int line,
			   int column)
{
	size_t offset = l->cur_offset, start = l->cur_line_start;

	if (tab_in_indentation(l, start, offset))
		return fail(l, line, column, "yaml-syntax",
			    "a tab character in the indentation: YAML indents with spaces only; replace the tab with spaces");
	if (!strcmp(problem, "mapping values are not allowed in this context") &&
	    offset < l->len && l->buf[offset] == ':')
		return colon_in_value(l, line, column, start, offset);
	return 0;
}

static int parser_error(struct loader *l, yaml_parser_t *parser)
{
	const char *problem = parser->problem ? parser->problem : "invalid YAML";
	int line, column, cline, ccolumn, error;

	if (parser->error == YAML_MEMORY_ERROR)
		return CHG_ENOMEM;
	if (parser->error == YAML_READER_ERROR) {
		offset_pos(l->buf, l->len, parser->problem_offset, &line,
			   &column);
		if (parser->problem_value >= 0)
			return fail(l, line, column, "yaml-syntax",
				    "%s (U+%04X)", problem,
				    (unsigned)parser->problem_value);
		return fail(l, line, column, "yaml-syntax", "%s", problem);
	}
	mark_pos(l, &parser->context_mark, &cline, &ccolumn);
	mark_pos(l, &parser->problem_mark, &line, &column);
	if ((error = explain_problem(l, problem, line, column)) < 0)
		return error;
	if (!parser->context)
		return fail(l, line, column, "yaml-syntax", "%s", problem);
	if (cline == line && ccolumn == column)
		return fail(l, line, column, "yaml-syntax", "%s %s", problem,
			    parser->context);
	return fail(l, line, column, "yaml-syntax",
		    "%s %s started at line %d, column %d", problem,
		    parser->context, cline, ccolumn);
}

/* Checks the bytes before libyaml sees them: size, NUL bytes, UTF-8. */
static int check_input(struct loader *l)
{
	const char *nul;
	size_t bad;
	int line, column;

	if (l->len > l->opts->max_size)
		return fail(l, 1, 1, "file-too-large",
			    "file is %zu bytes, over the limit of %zu bytes",
			    l->len, l->opts->max_size);
	nul = l->len ? memchr(l->buf, '\0', l->len) : NULL;
	if (nul) {
		offset_pos(l->buf, l->len, (size_t)(nul - l->buf), &line,
			   &column);
		return fail(l, line, column, "yaml-syntax",
			    "file contains a NUL byte: it is binary, not YAML text");
	}
	if (chg_utf8_validate(l->buf, l->len, &bad) < 0) {
		offset_pos(l->buf, l->len, bad, &line, &column);
		return fail(l, line, column, "yaml-syntax",
			    "invalid UTF-8 (byte 0x%02x): save the file as UTF-8",
			    (unsigned char)l->buf[bad]);
	}
	return 0;
}

/* Checks the loaded document as a whole. */
static int check_root(struct loader *l)
{
	const struct chg_node *root = l->root;
	const char *want = l->opts->want_mapping ? "a YAML mapping"
						 : "a YAML document";

	if (!root || (chg_node_is_null(root) && root->len == 0))
		return fail(l, 1, 1, "yaml-syntax", "file is empty: expected %s",
			    want);
	if (chg_node_is_null(root))
		return fail(l, root->line, root->column, "yaml-syntax",
			    "document is null: expected %s", want);
	if (l->opts->want_mapping && root->type != CHG_NODE_MAPPING)
		return fail(l, root->line, root->column, "invalid-type",
			    "document is a %s: expected a YAML mapping (key: value lines)",
			    chg_node_type_name(root));
	return 0;
}

int chg_yaml_load(struct chg_node **out, const char *buf, size_t len,
		  const char *path, const struct chg_yaml_options *opts,
		  struct chg_diag_list *diags)
{
	static const struct chg_yaml_options defaults = CHG_YAML_OPTIONS_INIT;
	struct loader l;
	yaml_parser_t parser;
	yaml_event_t event;
	int parser_ready = 0, error;
	size_t i;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.buf = buf ? buf : "";
	l.len = buf ? len : 0;
	l.path = path;
	l.opts = opts ? opts : &defaults;
	l.diags = diags;
	l.cur_offset = l.cur_line_start = bom_length(l.buf, l.len);

	if ((error = check_input(&l)) < 0)
		goto cleanup;
	if (l.opts->arena && !(l.arena = chg_node_arena_new())) {
		error = CHG_ENOMEM;
		goto cleanup;
	}

	if (!yaml_parser_initialize(&parser)) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	parser_ready = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)l.buf,
				     l.len);

	do {
		if (!yaml_parser_parse(&parser, &event)) {
			error = parser_error(&l, &parser);
			goto cleanup;
		}
		error = load_event(&l, &event);
		yaml_event_delete(&event);
	} while (error == 0);
	if (error < 0)
		goto cleanup;

	if ((error = check_root(&l)) < 0)
		goto cleanup;
	/* the root is the document's first node, so from the arena */
	if (l.arena && l.root->arena == l.arena) {
		chg_node_arena_give(l.arena, l.root);
		l.arena = NULL;
	}
	*out = l.root;
	l.root = NULL;
	error = 0;

cleanup:
	if (parser_ready)
		yaml_parser_delete(&parser);
	for (i = 0; i < l.depth; i++)
		frame_release(&l.frames[i]);
	free(l.frames);
	for (i = 0; i < l.n_anchors; i++)
		free(l.anchors[i].name);
	free(l.anchors);
	strmap_release(&l.anchor_map);
	chg_node_free(l.root);
	chg_node_free(l.discarded);
	/* not handed to a root: a failed load (a root outside it has none
	   of its nodes: an alias is never a document's first node) */
	chg_node_arena_free(l.arena);
	return error;
}
