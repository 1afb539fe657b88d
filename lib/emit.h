/*
 * emit.h - writing a node tree (node.h) back out as YAML, with libyaml's
 * emitter: `chg policy show` prints the merged policy this way, and
 * `chg-lint --explain` its examples.
 *
 * The output loads back (yaml.h) to a tree with the same values, the same
 * structure and the same key order, hence the same digest (digest.h):
 *
 *   - a scalar that was plain is written plain, unless libyaml cannot
 *     write its text plain (a line break, a control character, a character
 *     outside the Basic Multilingual Plane): then it is quoted, which keeps
 *     its meaning, since no such text is a number, a bool or null;
 *   - a scalar that was quoted or a block scalar stays quoted: single
 *     quotes when they can hold it, a literal block (|) for multi-line
 *     text, double quotes with escapes for control characters;
 *   - the top-level mapping and its direct values are in block style;
 *     deeper down, a short sequence or mapping of simple scalars is in flow
 *     style ([a, b], {type: string, required: always});
 *   - UTF-8 is written as is; lines are never folded; no comments (the
 *     loader drops them), no document markers, no anchors.
 *
 * Ownership: the tree is only read; the text is appended to the caller's
 * buffer.
 *
 *	struct chg_buf yaml = CHG_BUF_INIT;
 *	if (chg_emit_yaml(&yaml, policy->root) == 0)
 *		fwrite(yaml.ptr, 1, yaml.len, stdout);
 *	chg_buf_release(&yaml);
 */
#ifndef CHG_EMIT_H
#define CHG_EMIT_H

#include "buf.h"
#include "node.h"

/*
 * Appends the YAML document for `root` (any node; usually a mapping) to
 * `out`, ending with a newline.  Returns 0; CHG_EINVALID when a scalar is
 * not valid UTF-8 (libyaml refuses it; a tree from the loader always is);
 * CHG_ENOMEM.  On failure `out` keeps what it held before the call.
 */
int chg_emit_yaml(struct chg_buf *out, const struct chg_node *root);

#endif
