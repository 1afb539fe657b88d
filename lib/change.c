#include "change.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "yaml.h"
#include "banned.h"

int chg_change_load(struct chg_change *out, const char *path, const char *buf,
		    size_t len, const struct chg_policy *policy,
		    struct chg_diag_list *diags)
{
	struct chg_yaml_options opts = CHG_YAML_OPTIONS_INIT;
	const struct chg_node *n;
	int error;

	memset(out, 0, sizeof(*out));
	if (!(out->path = strdup(path)))
		return CHG_ENOMEM;
	error = chg_yaml_load(&out->root, buf, len, path, &opts, diags);
	if (error == CHG_ENOMEM)
		return error;
	if (error < 0 || !out->root)
		return 0;
	n = chg_node_get(out->root, policy->id_field);
	if (n && n->type == CHG_NODE_SCALAR && !chg_node_is_null(n)) {
		out->id = n->value;
		out->id_node = n;
	}
	out->type = chg_node_str(chg_node_get(out->root, "type"));
	if (policy->state_field) {
		n = chg_node_get(out->root, policy->state_field);
		out->state = chg_node_str(n);
		out->state_node = n;
	}
	return chg_digest_compute(out->digest, out->root,
				  policy->not_covered);
}

void chg_change_release(struct chg_change *c)
{
	if (!c)
		return;
	free(c->path);
	chg_node_free(c->root);
	memset(c, 0, sizeof(*c));
}

int chg_change_set_add(struct chg_change_set *set, const char *path,
		       const char *buf, size_t len,
		       const struct chg_policy *policy,
		       struct chg_diag_list *diags)
{
	int error;

	if (set->n == set->alloc) {
		size_t n = set->alloc ? set->alloc * 2 : 16;
		struct chg_change *p = realloc(set->items, n * sizeof(*p));
		if (!p)
			return CHG_ENOMEM;
		set->items = p;
		set->alloc = n;
	}
	error = chg_change_load(&set->items[set->n], path, buf, len, policy,
				diags);
	if (error < 0) {
		chg_change_release(&set->items[set->n]);
		return error;
	}
	set->n++;
	return 0;
}

const struct chg_change *chg_change_set_find(const struct chg_change_set *set,
					     const char *id)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->items[i].id && !strcmp(set->items[i].id, id))
			return &set->items[i];
	return NULL;
}

void chg_change_set_release(struct chg_change_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++)
		chg_change_release(&set->items[i]);
	free(set->items);
	set->items = NULL;
	set->n = set->alloc = 0;
}
