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
 *                   opts->max_nodes nodes (an "alias bomb"), an undefined
 *                   alias, a non-scalar mapping key
 *   duplicate-key   a key repeated in one mapping (position of the repeat;
 *                   the message names the line of the first); the first
 *                   value is kept and loading goes on
 *   invalid-type    the document is not a mapping (when opts->want_mapping)
 *
 * Aliases are expanded by copying the anchored node, counting every node
 * created; the whole load stops at opts->max_nodes.  Tags are ignored
 * (values keep their text).  Merge keys ("<<") are not special.
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
};

#define CHG_YAML_MAX_SIZE (1024 * 1024)
#define CHG_YAML_OPTIONS_INIT { CHG_YAML_MAX_SIZE, 1000000, 64, 1 }

/*
 * Parses `len` bytes at `buf` (need not be NUL-terminated) as one YAML
 * document.  `path` is used only in diagnostics.
 *
 * Returns 0 and stores the root node in *out (caller frees it with
 * chg_node_free) when a tree could be built; diagnostics of severity error
 * may still have been added (duplicate-key), so callers check the list.
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
