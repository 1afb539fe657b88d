/*
 * yaml.h - loading one YAML document into a node tree (node.h), with
 * positions, using libyaml's event API.
 *
 * The loader is the guard between hostile files and everything else: it
 * never crashes, hangs or silently accepts.  Each problem becomes a
 * diagnostic (diag.h) naming the file, the 1-based line and column, and the
 * rule id:
 *
 *   file-too-large  the input is over opts->max_size bytes (position 1:1)
 *   yaml-syntax     libyaml's parse error (its problem and context), a NUL
 *                   byte (binary file), invalid UTF-8 (position of the first
 *                   bad byte), an empty document, more than one document,
 *                   nesting deeper than opts->max_depth, alias expansion over
 *                   opts->max_nodes nodes or opts->max_bytes bytes of text
 *                   (an "alias bomb"), an undefined alias, a non-scalar
 *                   mapping key; and, without ending the load, a tag other
 *                   than those below (the node is then read as a string)
 *   duplicate-key   a key repeated in one mapping (position of the repeat;
 *                   the message names the line of the first); the first
 *                   value is kept and loading goes on
 *   invalid-value   a key or value holding U+0000 (a "\0" escape), named
 *                   as the checks name fields ("risk.level", "systems[1]");
 *                   loading goes on, and a key with a NUL is left out of
 *                   the tree with its value, so no tree ever has one
 *   invalid-type    the document is not a mapping (when opts->want_mapping);
 *                   a !!bool, !!int or !!null scalar whose text is not one
 *                   (loading goes on; the scalar is a string)
 *
 * Aliases are expanded by copying the anchored node, counting every node
 * and every byte of scalar text (keys and values) created; the whole load
 * stops at opts->max_nodes nodes or opts->max_bytes bytes.  Merge keys
 * ("<<") are not special.
 *
 * Tags decide what a scalar is (node->plain, which chg_node_bool,
 * chg_node_int and chg_node_is_null require): an untagged plain scalar is
 * read by its text; a quoted or block scalar, or one tagged !!str or with
 * the non-specific "!", is a string whatever its text ("!!str true" is no
 * bool); !!bool, !!int and !!null make that type when the text is one.
 * !!seq and !!map are accepted on lists and maps.  Every other tag
 * (!!float, !!binary, !!set, a local "!foo", a %TAG-made one) is
 * yaml-syntax: chg's files are plain data, and a tag that means something
 * to one tool and nothing to another must not decide a gate.
 *
 *	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
 *	struct chg_node *root = NULL;
 *	if (chg_yaml_load(&root, buf, len, "changes/CHG-0042.yaml", &opts,
 *			  &diags) == 0)
 *		use(root);
 *	chg_node_free(root);
 */
#ifndef CHG_YAML_H
#define CHG_YAML_H

#include <stddef.h>

#include "diag.h"
#include "node.h"

struct chg_yaml_options {
	size_t max_size;  /* bytes; larger input gives file-too-large */
	size_t max_nodes; /* total nodes, counting alias expansions */
	size_t max_depth; /* nesting of sequences and mappings */
	int want_mapping; /* 1: the document must be a mapping */
	size_t max_bytes; /* bytes of scalar text (keys and values, after
			     unescaping), counting alias expansions */
	int arena;        /* 1: allocate the tree's nodes from one arena
			     (node.h), freed with the root: faster for a
			     tree that is freed whole; its nodes must not
			     be moved into another tree */
};

#define CHG_YAML_MAX_SIZE (1024 * 1024)
/*
 * The default text budget: four times the size limit.  A file's own text
 * is at most CHG_YAML_MAX_SIZE bytes, so at least 3 MiB are left for
 * aliases, and nothing after the loader handles more than 4 MiB of text
 * per file.
 */
#define CHG_YAML_MAX_BYTES (4 * CHG_YAML_MAX_SIZE)
#define CHG_YAML_OPTIONS_INIT \
	{ CHG_YAML_MAX_SIZE, 1000000, 64, 1, CHG_YAML_MAX_BYTES, 0 }

/*
 * Parses `len` bytes at `buf` (need not be NUL-terminated) as one YAML
 * document.  `path` is used only in diagnostics.
 *
 * Returns 0 and stores the root node in *out (caller frees it with
 * chg_node_free) when a tree could be built; diagnostics of severity error
 * may still have been added (duplicate-key, a NUL, a tag), so callers check
 * the list.
 * Returns CHG_EINVALID, with *out set to NULL and at least one error
 * diagnostic added, when no usable tree exists.  Returns CHG_ENOMEM on
 * allocation failure.
 */
int chg_yaml_load(struct chg_node **out, const char *buf, size_t len,
		  const char *path, const struct chg_yaml_options *opts,
		  struct chg_diag_list *diags);

/*
 * Checks that `len` bytes at `buf` are well-formed UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF).  Returns 0, or
 * CHG_EINVALID and stores the 0-based byte offset of the first bad byte in
 * *bad_offset (when not NULL).
 */
int chg_utf8_validate(const char *buf, size_t len, size_t *bad_offset);

#endif
