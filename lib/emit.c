#include "emit.h"

#include <limits.h>
#include <string.h>

/*
 * libyaml's header has the same name as ours: build with "-iquote lib" (not
 * "-Ilib") so that <yaml.h> is libyaml's and "yaml.h" is lib/yaml.h.
 */
#include <yaml.h>
#ifndef YAML_H
#error "<yaml.h> is lib/yaml.h, not libyaml's: use -iquote lib, not -Ilib"
#endif

#include "error.h"
#include "yaml.h"
#include "banned.h"

/*
 * Style choices are made here; libyaml's emitter then checks each scalar
 * against the style asked for and falls back to a quoted style when the
 * text cannot be written that way (yaml_emitter_select_scalar_style), so
 * what it writes always reads back as the same text.  Flow style is chosen
 * only for scalars that libyaml is sure to write as asked in a flow
 * collection: otherwise a plain empty scalar (null) would come back as ''
 * (a string).
 */

/* The widest flow collection, in bytes, before block style is used. */
#define FLOW_WIDTH 64

struct emitter {
	yaml_emitter_t yaml;
	struct chg_buf text;
	int error;
};

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	struct emitter *e = data;

	if (chg_buf_put(&e->text, buffer, size) < 0) {
		e->error = CHG_ENOMEM;
		return 0;
	}
	return 1;
}

static int emit(struct emitter *e, yaml_event_t *event)
{
	/* the emitter frees the event, also when it fails */
	if (yaml_emitter_emit(&e->yaml, event))
		return 0;
	if (!e->error)
		e->error = e->yaml.error == YAML_MEMORY_ERROR ? CHG_ENOMEM : CHG_ERROR;
	return e->error;
}

/*
 * Returns 1 when the UTF-8 character at `s` (`left` bytes remain) is one
 * that libyaml writes only as an escape in double quotes: a C1 control
 * (NEL among them), the line and paragraph separators, a byte order mark,
 * U+FFFE and U+FFFF, and everything outside the Basic Multilingual Plane.
 */
static int special_unicode(const unsigned char *s, size_t left)
{
	if (s[0] >= 0xF0)
		return 1;
	if (s[0] == 0xC2 && left > 1 && s[1] < 0xA0)
		return 1;
	if (s[0] == 0xE2 && left > 2 && s[1] == 0x80 &&
	    (s[2] == 0xA8 || s[2] == 0xA9))
		return 1;
	if (s[0] == 0xEF && left > 2 &&
	    ((s[1] == 0xBB && s[2] == 0xBF) ||
	     (s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF))))
		return 1;
	return 0;
}

/* Returns 1 when every byte is printable on one line (UTF-8 allowed). */
static int one_printable_line(const struct chg_node *n)
{
	const unsigned char *s = (const unsigned char *)n->value;
	size_t i;

	for (i = 0; i < n->len; i++)
		if (s[i] < 0x20 || s[i] == 0x7F ||
		    (s[i] >= 0x80 && special_unicode(s + i, n->len - i)))
			return 0;
	return 1;
}

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/*
 * Returns 1 when the plain scalar `n` can be written plain inside a flow
 * collection: a conservative subset of what YAML allows (no flow
 * indicators, no ": ", no " #", no leading indicator, no document marker).
 */
static int plain_in_flow(const struct chg_node *n)
{
	const unsigned char *s = (const unsigned char *)n->value;
	size_t i;

	if (!n->len || !one_printable_line(n))
		return 0;
	if (!is_alnum(s[0]) && !strchr("._/()<^$~+=\\", s[0]) &&
	    !(s[0] == '-' && n->len > 1 && s[1] != ' '))
		return 0;
	if (n->len >= 3 && (!memcmp(s, "---", 3) || !memcmp(s, "...", 3)))
		return 0;
	if (s[n->len - 1] == ' ')
		return 0;
	for (i = 0; i < n->len; i++)
		if (s[i] && strchr(",?[]{}:#", s[i]))
			return 0;
	return 1;
}

/*
 * The width of `n` written in flow style, or -1 when it should not be: a
 * scalar that could change or become multi-line there, or wider than the
 * limit.
 */
static long flow_width(const struct chg_node *n)
{
	long w, sub;
	size_t i;

	switch (n->type) {
	case CHG_NODE_SCALAR:
		if (n->plain)
			return plain_in_flow(n) ? (long)n->len : -1;
		if (!one_printable_line(n) || n->len > FLOW_WIDTH)
			return -1;
		w = (long)n->len + 2;
		for (i = 0; i < n->len; i++)
			w += n->value[i] == '\'';
		return w;
	case CHG_NODE_SEQUENCE:
		w = 2;
		for (i = 0; i < n->n && w <= FLOW_WIDTH; i++) {
			if ((sub = flow_width(n->items[i])) < 0)
				return -1;
			w += sub + (i ? 2 : 0);
		}
		return w <= FLOW_WIDTH ? w : -1;
	case CHG_NODE_MAPPING:
		w = 2;
		for (i = 0; i < n->n && w <= FLOW_WIDTH; i++) {
			if ((sub = flow_width(n->pairs[i].key)) < 0)
				return -1;
			w += sub + 2 + (i ? 2 : 0);
			if ((sub = flow_width(n->pairs[i].value)) < 0)
				return -1;
			w += sub;
		}
		return w <= FLOW_WIDTH ? w : -1;
	}
	return -1;
}

static int emit_scalar(struct emitter *e, const struct chg_node *n)
{
	yaml_event_t ev;
	yaml_scalar_style_t style;

	if (n->plain)
		style = YAML_PLAIN_SCALAR_STYLE;
	else if (memchr(n->value, '\n', n->len))
		style = YAML_LITERAL_SCALAR_STYLE;
	else
		style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
	if (n->len > (size_t)INT_MAX) {
		e->error = CHG_EINVALID;
		return e->error;
	}
	if (chg_utf8_validate(n->value, n->len, NULL) < 0) {
		e->error = CHG_EINVALID;
		return e->error;
	}
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL,
					  (yaml_char_t *)n->value, (int)n->len,
					  1, 1, style)) {
		e->error = CHG_ENOMEM;
		return e->error;
	}
	return emit(e, &ev);
}

/* `depth`: 0 for the root, 1 for its values, ... */
static int emit_node(struct emitter *e, const struct chg_node *n, int depth,
		     int flow)
{
	yaml_event_t ev;
	size_t i;
	int error;

	if (n->type == CHG_NODE_SCALAR)
		return emit_scalar(e, n);
	/* the root and a top-level section stay in block style */
	if (!flow && n->n && depth >= (n->type == CHG_NODE_SEQUENCE ? 1 : 2))
		flow = flow_width(n) >= 0;
	if (n->type == CHG_NODE_SEQUENCE) {
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
				flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE))
			return e->error = CHG_ENOMEM;
		if ((error = emit(e, &ev)) < 0)
			return error;
		for (i = 0; i < n->n; i++)
			if ((error = emit_node(e, n->items[i], depth + 1, flow)) < 0)
				return error;
		yaml_sequence_end_event_initialize(&ev);
		return emit(e, &ev);
	}
	if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
			flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE))
		return e->error = CHG_ENOMEM;
	if ((error = emit(e, &ev)) < 0)
		return error;
	for (i = 0; i < n->n; i++) {
		if ((error = emit_node(e, n->pairs[i].key, depth + 1, flow)) < 0 ||
		    (error = emit_node(e, n->pairs[i].value, depth + 1, flow)) < 0)
			return error;
	}
	yaml_mapping_end_event_initialize(&ev);
	return emit(e, &ev);
}

int chg_emit_yaml(struct chg_buf *out, const struct chg_node *root)
{
	struct emitter e;
	yaml_event_t ev;
	int error;

	memset(&e, 0, sizeof(e));
	chg_buf_init(&e.text);
	if (!yaml_emitter_initialize(&e.yaml))
		return CHG_ENOMEM;
	yaml_emitter_set_output(&e.yaml, write_handler, &e);
	yaml_emitter_set_encoding(&e.yaml, YAML_UTF8_ENCODING);
	yaml_emitter_set_unicode(&e.yaml, 1);
	yaml_emitter_set_width(&e.yaml, -1);
	yaml_emitter_set_indent(&e.yaml, 2);
	yaml_emitter_set_break(&e.yaml, YAML_LN_BREAK);

	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if ((error = emit(&e, &ev)) < 0)
		goto cleanup;
	if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1)) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	if ((error = emit(&e, &ev)) < 0 ||
	    (error = emit_node(&e, root, 0, 0)) < 0)
		goto cleanup;
	yaml_document_end_event_initialize(&ev, 1);
	if ((error = emit(&e, &ev)) < 0)
		goto cleanup;
	yaml_stream_end_event_initialize(&ev);
	if ((error = emit(&e, &ev)) < 0)
		goto cleanup;
	if (!yaml_emitter_flush(&e.yaml)) {
		error = e.error ? e.error : CHG_ENOMEM;
		goto cleanup;
	}
	error = chg_buf_put(out, e.text.ptr, e.text.len);
cleanup:
	yaml_emitter_delete(&e.yaml);
	chg_buf_release(&e.text);
	return error;
}
