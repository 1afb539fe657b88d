/*
 * node.h - the document tree built by the YAML loader (yaml.h).
 *
 * A node is a scalar, a sequence or a mapping, and remembers where it was
 * written: a 1-based line and column in its source file.  Scalars keep the
 * value as libyaml reports it (after unquoting, escapes and block folding)
 * with an explicit length, and whether it reads as a YAML value (`plain`:
 * only such a scalar can be a number, a bool or null).  A tree made by the
 * loader holds no NUL byte in any key, and reports every value that holds
 * one (yaml.h); code that reads values still compares lengths.  Aliases
 * are expanded by the loader, so the tree is a tree.
 *
 * Ownership: a node owns its children, keys and strings; chg_node_free
 * frees a whole subtree.  Getters return pointers owned by the tree.
 *
 *	const struct chg_node *risk = chg_node_get(root, "risk");
 *	const struct chg_node *level = chg_node_path(root, "risk.level");
 *	if (level && level->type == CHG_NODE_SCALAR)
 *		printf("%d:%d %s\n", level->line, level->column, level->value);
 */
#ifndef CHG_NODE_H
#define CHG_NODE_H

#include <stddef.h>

enum chg_node_type {
	CHG_NODE_SCALAR,
	CHG_NODE_SEQUENCE,
	CHG_NODE_MAPPING
};

struct chg_node;

/* One key/value entry of a mapping, in document order. */
struct chg_pair {
	struct chg_node *key;   /* always a scalar once loaded */
	struct chg_node *value;
};

struct chg_node {
	enum chg_node_type type;
	int line;   /* 1-based line of the node's first character */
	int column; /* 1-based column (in bytes) of the node's first character */
	/* The file the node was read from, for diagnostics about trees merged
	 * from several files (the policy).  Borrowed; NULL unless the owner of
	 * the tree sets it with chg_node_set_file. */
	const char *file;

	/* CHG_NODE_SCALAR */
	char *value;  /* NUL-terminated; may contain NUL bytes before len */
	size_t len;   /* length of value in bytes */
	int plain;    /* 1 when it reads as a YAML value: written plain
			 (unquoted, non-block) without a tag, or tagged
			 !!bool, !!int or !!null (yaml.h); 0 for a string */

	/* CHG_NODE_SEQUENCE: items[0..n) */
	/* CHG_NODE_MAPPING: pairs[0..n) */
	struct chg_node **items;
	struct chg_pair *pairs;
	size_t n;
	size_t alloc;

	/* The arena the node and its items or pairs were allocated from, or
	 * NULL when they come from malloc. */
	struct chg_node_arena *arena;
};

/*
 * An arena: the nodes of one tree allocated together and freed at once,
 * which spares the allocator the many small frees of a large tree.  Nodes
 * of an arena and malloc'd ones may be mixed in one tree (chg_node_dup
 * always mallocs); chg_node_free frees each as it was allocated.
 *
 * Lifetime: after chg_node_arena_give(arena, root), freeing `root` frees
 * the arena and so every node allocated from it; until then the creator
 * frees it with chg_node_arena_free.  A node of an arena must not be
 * moved into a tree that outlives the arena's owner.
 */
struct chg_node_arena;

/* A new, empty arena, or NULL on allocation failure. */
struct chg_node_arena *chg_node_arena_new(void);

/* Frees the arena and every node allocated from it.  NULL-safe. */
void chg_node_arena_free(struct chg_node_arena *arena);

/*
 * Hands `arena` to `root`, a node allocated from it: chg_node_free(root)
 * then frees the arena as well.
 */
void chg_node_arena_give(struct chg_node_arena *arena, struct chg_node *root);

/*
 * chg_node_new and chg_node_new_scalar, allocating from `arena` (NULL:
 * from malloc).  The items or pairs the node later gets come from the
 * same arena.  Return NULL on allocation failure.
 */
struct chg_node *chg_node_new_in(struct chg_node_arena *arena,
				 enum chg_node_type type, int line, int column);
struct chg_node *chg_node_new_scalar_in(struct chg_node_arena *arena,
					const char *value, size_t len,
					int plain, int line, int column);

/*
 * Allocates a node of `type` at `line`:`column` (1-based).  Returns NULL on
 * allocation failure.  The caller owns the result.
 */
struct chg_node *chg_node_new(enum chg_node_type type, int line, int column);

/*
 * Allocates a scalar holding a copy of `len` bytes of `value`.  `plain` as
 * in struct chg_node.  Returns NULL on allocation failure.
 */
struct chg_node *chg_node_new_scalar(const char *value, size_t len, int plain,
				     int line, int column);

/* Frees `node` and everything below it.  NULL-safe. */
void chg_node_free(struct chg_node *node);

/*
 * Appends `item` to the sequence `seq`, which takes ownership of it.
 * Returns 0, or CHG_ENOMEM (then `item` still belongs to the caller).
 */
int chg_node_append(struct chg_node *seq, struct chg_node *item);

/*
 * Appends the pair `key`: `value` to the mapping `map`, which takes
 * ownership of both.  Does not check for duplicate keys.  Returns 0, or
 * CHG_ENOMEM (then both still belong to the caller).
 */
int chg_node_insert(struct chg_node *map, struct chg_node *key,
		    struct chg_node *value);

/*
 * Returns a deep copy of `node`, or NULL on allocation failure.
 */
struct chg_node *chg_node_dup(const struct chg_node *node);

/*
 * Returns the value stored under the scalar key `key` in the mapping `map`
 * (the first one, if a key repeats), or NULL when `map` is NULL, is not a
 * mapping, or has no such key.
 */
const struct chg_node *chg_node_get(const struct chg_node *map, const char *key);

/* As chg_node_get, but returns the pair (so the key's position is known). */
const struct chg_pair *chg_node_get_pair(const struct chg_node *map,
					 const char *key);

/*
 * Follows a dotted path of mapping keys ("risk.level", "window.start") from
 * `root` and returns the node there, or NULL if any step is missing or not
 * a mapping.  Keys containing dots cannot be reached this way.
 */
const struct chg_node *chg_node_path(const struct chg_node *root,
				     const char *path);

/*
 * Returns the scalar's value when `node` is a scalar, else NULL.
 */
const char *chg_node_str(const struct chg_node *node);

/*
 * Returns 1 when `node` is a scalar that YAML 1.2's core schema reads as
 * null (plain "", "~", "null", "Null", "NULL"), else 0.  NULL counts as null.
 */
int chg_node_is_null(const struct chg_node *node);

/*
 * Reads a plain scalar as a YAML 1.2 core-schema bool ("true", "false" in
 * any of the spellings true/True/TRUE).  Stores 1 or 0 in *out and returns 0,
 * or returns CHG_EINVALID when `node` is not such a scalar.
 */
int chg_node_bool(int *out, const struct chg_node *node);

/*
 * Reads a plain scalar as a decimal integer (optional sign, digits only) in
 * the range of long long.  Returns 0 and stores it in *out, or CHG_EINVALID.
 */
int chg_node_int(long long *out, const struct chg_node *node);

/*
 * Sets `file` on `node` and every node below it.  `file` is borrowed: it
 * must outlive the tree.
 */
void chg_node_set_file(struct chg_node *node, const char *file);

/*
 * Returns 1 when the sequence `seq` holds a scalar equal to the
 * NUL-terminated `s`, else 0 (also when `seq` is NULL or not a sequence).
 */
int chg_node_seq_has(const struct chg_node *seq, const char *s);

/* Returns "scalar", "list" or "map" for diagnostics. */
const char *chg_node_type_name(const struct chg_node *node);

#endif
