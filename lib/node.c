#include "node.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

/*
 * The arena: blocks of memory handed out front to back and freed
 * together.  A request larger than a quarter of the block size gets a
 * block of its own, so that little is wasted at the ends of blocks.
 */
#define ARENA_BLOCK 8192

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	max_align_t data[];
};

struct chg_node_arena {
	struct arena_block *blocks;  /* the current block first */
	struct chg_node *owner;      /* frees the arena with it, or NULL */
	int mixed;                   /* a node not of the arena was put
					under one of its nodes */
};

struct chg_node_arena *chg_node_arena_new(void)
{
	return calloc(1, sizeof(struct chg_node_arena));
}

void chg_node_arena_free(struct chg_node_arena *arena)
{
	struct arena_block *b, *next;

	if (!arena)
		return;
	for (b = arena->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	free(arena);
}

void chg_node_arena_give(struct chg_node_arena *arena, struct chg_node *root)
{
	arena->owner = root;
}

/* `size` bytes from `arena`, zeroed, or NULL. */
static void *arena_alloc(struct chg_node_arena *arena, size_t size)
{
	const size_t align = sizeof(max_align_t);
	struct arena_block *b = arena->blocks, *nb;
	size_t want;

	if (size > SIZE_MAX - align - sizeof(*b))
		return NULL;
	size = (size + align - 1) / align * align;
	if (!b || b->size - b->used < size) {
		want = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;
		if (!(nb = malloc(sizeof(*nb) + want)))
			return NULL;
		nb->size = want;
		nb->used = 0;
		if (b && want != ARENA_BLOCK) {
			/* a large request: keep filling the current block */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			arena->blocks = nb;
		}
		b = nb;
	}
	b->used += size;
	return memset((char *)b->data + b->used - size, 0, size);
}

static void *node_alloc(struct chg_node_arena *arena, size_t size)
{
	return arena ? arena_alloc(arena, size) : calloc(1, size);
}

struct chg_node *chg_node_new_in(struct chg_node_arena *arena,
				 enum chg_node_type type, int line, int column)
{
	struct chg_node *node = node_alloc(arena, sizeof(*node));

	if (!node)
		return NULL;
	node->type = type;
	node->line = line;
	node->column = column;
	node->arena = arena;
	return node;
}

struct chg_node *chg_node_new(enum chg_node_type type, int line, int column)
{
	return chg_node_new_in(NULL, type, line, column);
}

struct chg_node *chg_node_new_scalar_in(struct chg_node_arena *arena,
					const char *value, size_t len,
					int plain, int line, int column)
{
	struct chg_node *node;

	/* one allocation: the value follows the node */
	if (len > SIZE_MAX - sizeof(*node) - 1 - sizeof(max_align_t) ||
	    !(node = node_alloc(arena, sizeof(*node) + len + 1)))
		return NULL;
	node->type = CHG_NODE_SCALAR;
	node->line = line;
	node->column = column;
	node->arena = arena;
	node->value = (char *)(node + 1);
	if (len)
		memcpy(node->value, value, len);
	node->value[len] = '\0';
	node->len = len;
	node->plain = plain;
	return node;
}

struct chg_node *chg_node_new_scalar(const char *value, size_t len, int plain,
				     int line, int column)
{
	return chg_node_new_scalar_in(NULL, value, len, plain, line, column);
}

void chg_node_free(struct chg_node *node)
{
	size_t i;

	if (!node)
		return;
	if (node->arena && node->arena->owner == node && !node->arena->mixed) {
		/* the whole tree is the arena's */
		chg_node_arena_free(node->arena);
		return;
	}
	/* an arena's nodes are freed with it; what was malloc'd, one by one */
	switch (node->type) {
	case CHG_NODE_SCALAR:
		/* its value is part of the node's allocation */
		break;
	case CHG_NODE_SEQUENCE:
		for (i = 0; i < node->n; i++)
			chg_node_free(node->items[i]);
		if (!node->arena)
			free(node->items);
		break;
	case CHG_NODE_MAPPING:
		for (i = 0; i < node->n; i++) {
			chg_node_free(node->pairs[i].key);
			chg_node_free(node->pairs[i].value);
		}
		if (!node->arena)
			free(node->pairs);
		break;
	}
	if (!node->arena)
		free(node);
	else if (node->arena->owner == node)
		chg_node_arena_free(node->arena);
}

static int grow(struct chg_node *node, size_t elem)
{
	size_t n;
	void *old = node->type == CHG_NODE_SEQUENCE ? (void *)node->items
						    : (void *)node->pairs;
	void *p;

	if (node->n < node->alloc)
		return 0;
	n = node->alloc ? node->alloc * 2 : 4;
	if (n > SIZE_MAX / elem)
		return CHG_ENOMEM;
	if (node->arena) {
		/* the old array stays in the arena until it is freed */
		if ((p = arena_alloc(node->arena, n * elem)) && node->n)
			memcpy(p, old, node->n * elem);
	} else {
		p = realloc(old, n * elem);
	}
	if (!p)
		return CHG_ENOMEM;
	if (node->type == CHG_NODE_SEQUENCE)
		node->items = p;
	else
		node->pairs = p;
	node->alloc = n;
	return 0;
}

int chg_node_append(struct chg_node *seq, struct chg_node *item)
{
	if (grow(seq, sizeof(*seq->items)) < 0)
		return CHG_ENOMEM;
	if (seq->arena && item->arena != seq->arena)
		seq->arena->mixed = 1;
	seq->items[seq->n++] = item;
	return 0;
}

int chg_node_insert(struct chg_node *map, struct chg_node *key,
		    struct chg_node *value)
{
	if (grow(map, sizeof(*map->pairs)) < 0)
		return CHG_ENOMEM;
	if (map->arena && (key->arena != map->arena || value->arena != map->arena))
		map->arena->mixed = 1;
	map->pairs[map->n].key = key;
	map->pairs[map->n].value = value;
	map->n++;
	return 0;
}

struct chg_node *chg_node_dup(const struct chg_node *node)
{
	struct chg_node *copy, *k, *v;
	size_t i;

	if (node->type == CHG_NODE_SCALAR) {
		copy = chg_node_new_scalar(node->value, node->len, node->plain,
					   node->line, node->column);
		if (copy)
			copy->file = node->file;
		return copy;
	}
	copy = chg_node_new(node->type, node->line, node->column);
	if (!copy)
		return NULL;
	copy->file = node->file;
	for (i = 0; i < node->n; i++) {
		if (node->type == CHG_NODE_SEQUENCE) {
			v = chg_node_dup(node->items[i]);
			if (!v || chg_node_append(copy, v) < 0) {
				chg_node_free(v);
				goto fail;
			}
		} else {
			k = chg_node_dup(node->pairs[i].key);
			v = k ? chg_node_dup(node->pairs[i].value) : NULL;
			if (!v || chg_node_insert(copy, k, v) < 0) {
				chg_node_free(k);
				chg_node_free(v);
				goto fail;
			}
		}
	}
	return copy;
fail:
	chg_node_free(copy);
	return NULL;
}

const struct chg_pair *chg_node_get_pair(const struct chg_node *map,
					 const char *key)
{
	size_t i, len;

	if (!map || map->type != CHG_NODE_MAPPING)
		return NULL;
	len = strlen(key);
	for (i = 0; i < map->n; i++) {
		const struct chg_node *k = map->pairs[i].key;
		if (k->type == CHG_NODE_SCALAR && k->len == len &&
		    !memcmp(k->value, key, len))
			return &map->pairs[i];
	}
	return NULL;
}

const struct chg_node *chg_node_get(const struct chg_node *map, const char *key)
{
	const struct chg_pair *pair = chg_node_get_pair(map, key);

	return pair ? pair->value : NULL;
}

const struct chg_node *chg_node_path(const struct chg_node *root,
				     const char *path)
{
	const struct chg_node *node = root;
	char key[256];
	const char *dot;
	size_t len;

	while (node && *path) {
		dot = strchr(path, '.');
		len = dot ? (size_t)(dot - path) : strlen(path);
		if (len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		node = chg_node_get(node, key);
		path += len + (dot ? 1 : 0);
	}
	return node;
}

const char *chg_node_str(const struct chg_node *node)
{
	return node && node->type == CHG_NODE_SCALAR ? node->value : NULL;
}

int chg_node_is_null(const struct chg_node *node)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	size_t i;

	if (!node)
		return 1;
	if (node->type != CHG_NODE_SCALAR || !node->plain ||
	    strlen(node->value) != node->len)
		return 0;
	for (i = 0; i < sizeof(nulls) / sizeof(*nulls); i++)
		if (!strcmp(node->value, nulls[i]))
			return 1;
	return 0;
}

int chg_node_bool(int *out, const struct chg_node *node)
{
	const char *s;

	if (!node || node->type != CHG_NODE_SCALAR || !node->plain ||
	    strlen(node->value) != node->len)
		return CHG_EINVALID;
	s = node->value;
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		*out = 1;
	else if (!strcmp(s, "false") || !strcmp(s, "False") ||
		 !strcmp(s, "FALSE"))
		*out = 0;
	else
		return CHG_EINVALID;
	return 0;
}

int chg_node_int(long long *out, const struct chg_node *node)
{
	const char *s, *p;
	char *end;
	long long v;

	if (!node || node->type != CHG_NODE_SCALAR || !node->plain)
		return CHG_EINVALID;
	s = node->value;
	p = s + (*s == '-' || *s == '+');
	if (!*p || strlen(p) != strspn(p, "0123456789") ||
	    node->len != strlen(s))
		return CHG_EINVALID;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return CHG_EINVALID;
	*out = v;
	return 0;
}

void chg_node_set_file(struct chg_node *node, const char *file)
{
	size_t i;

	node->file = file;
	for (i = 0; i < node->n; i++) {
		if (node->type == CHG_NODE_SEQUENCE) {
			chg_node_set_file(node->items[i], file);
		} else if (node->type == CHG_NODE_MAPPING) {
			chg_node_set_file(node->pairs[i].key, file);
			chg_node_set_file(node->pairs[i].value, file);
		}
	}
}

int chg_node_seq_has(const struct chg_node *seq, const char *s)
{
	size_t i, len = strlen(s);

	if (!seq || seq->type != CHG_NODE_SEQUENCE)
		return 0;
	for (i = 0; i < seq->n; i++)
		if (seq->items[i]->type == CHG_NODE_SCALAR &&
		    seq->items[i]->len == len && !memcmp(seq->items[i]->value, s, len))
			return 1;
	return 0;
}

const char *chg_node_type_name(const struct chg_node *node)
{
	switch (node->type) {
	case CHG_NODE_SEQUENCE: return "list";
	case CHG_NODE_MAPPING: return "map";
	default: return "scalar";
	}
}
