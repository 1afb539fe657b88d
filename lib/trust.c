#include "trust.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "repo.h"
#include "banned.h"

/* The trust set, sorted bytewise (as the listing is). */
static const char *const trust_paths[] = {
	".chg/allowed_signers", ".chg/catalog", ".chg/keys.asc",
	".chg/policy.yaml", ".chg/revoked_keys", NULL
};

#define CHG_DIR ".chg"

int chg_trust_is_path(const char *path)
{
	size_t i, len;

	for (i = 0; trust_paths[i]; i++) {
		len = strlen(trust_paths[i]);
		if (!strncmp(path, trust_paths[i], len) &&
		    (path[len] == '\0' || path[len] == '/'))
			return 1;
	}
	return 0;
}

/* ---- the listing of a trust set ---- */

struct entry {
	char *path;
	git_filemode_t mode;
	git_object_t type;
	git_oid id;
};

struct listing {
	struct entry *items;
	size_t n, alloc;
};

static void listing_release(struct listing *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i].path);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int listing_add(struct listing *l, const char *path,
		       const git_tree_entry *e)
{
	struct entry *p;

	if (l->n == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 8;
		if (!(p = realloc(l->items, n * sizeof(*p))))
			return CHG_ENOMEM;
		l->items = p;
		l->alloc = n;
	}
	p = &l->items[l->n];
	if (!(p->path = strdup(path)))
		return CHG_ENOMEM;
	p->mode = git_tree_entry_filemode(e);
	p->type = git_tree_entry_type(e);
	git_oid_cpy(&p->id, git_tree_entry_id(e));
	l->n++;
	return 0;
}

/* Adds `e` at `path`, or, for a directory, everything under it. */
static int collect(struct listing *l, git_repository *repo, const char *path,
		   const git_tree_entry *e, int depth)
{
	struct chg_buf sub = CHG_BUF_INIT;
	git_tree *tree;
	size_t i, n;
	int error = 0;

	/* deeper than any catalog needs: the directory's id stands for it */
	if (git_tree_entry_type(e) != GIT_OBJECT_TREE || depth >= CHG_TRUST_MAX_DEPTH)
		return listing_add(l, path, e);
	if (git_tree_lookup(&tree, repo, git_tree_entry_id(e)) < 0)
		return CHG_EGIT;
	n = git_tree_entrycount(tree);
	for (i = 0; i < n && !error; i++) {
		const git_tree_entry *child = git_tree_entry_byindex(tree, i);
		chg_buf_clear(&sub);
		if (chg_buf_printf(&sub, "%s/%s", path, git_tree_entry_name(child)) < 0)
			error = CHG_ENOMEM;
		else
			error = collect(l, repo, sub.ptr, child, depth + 1);
	}
	chg_buf_release(&sub);
	git_tree_free(tree);
	return error;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path,
		      ((const struct entry *)b)->path);
}

/* The entries of the trust set of `tree` (NULL: none), sorted by path. */
static int list_trust(struct listing *out, git_repository *repo,
		      const git_tree *tree)
{
	git_tree_entry *e;
	size_t i;
	int error = 0, rc;

	memset(out, 0, sizeof(*out));
	for (i = 0; tree && trust_paths[i] && !error; i++) {
		rc = git_tree_entry_bypath(&e, tree, trust_paths[i]);
		if (rc == GIT_ENOTFOUND)
			continue;
		if (rc < 0) {
			error = CHG_EGIT;
			break;
		}
		error = collect(out, repo, trust_paths[i], e, 0);
		git_tree_entry_free(e);
	}
	if (error)
		listing_release(out);
	else if (out->n > 1)
		qsort(out->items, out->n, sizeof(*out->items), by_path);
	return error;
}

int chg_trust_digest(char out[CHG_DIGEST_SIZE], git_repository *repo,
		     const git_tree *tree)
{
	static const char hex[] = "0123456789abcdef";
	struct listing l;
	struct chg_buf text = CHG_BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0, i;
	char id[GIT_OID_HEXSZ + 1];
	size_t k;
	int error;

	out[0] = '\0';
	if ((error = list_trust(&l, repo, tree)) < 0)
		return error;
	for (k = 0; k < l.n && !error; k++) {
		git_oid_tostr(id, sizeof(id), &l.items[k].id);
		if (chg_buf_printf(&text, "%06o %s %s\t%s", (unsigned int)l.items[k].mode,
				   git_object_type2string(l.items[k].type), id,
				   l.items[k].path) < 0 ||
		    chg_buf_put(&text, "", 1) < 0)
			error = CHG_ENOMEM;
	}
	if (!error && (!EVP_Digest(text.ptr, text.len, md, &md_len, EVP_sha256(), NULL) ||
		       md_len != 32))
		error = CHG_ERROR;
	if (!error) {
		memcpy(out, "sha256:", 7);
		for (i = 0; i < md_len; i++) {
			out[7 + 2 * i] = hex[md[i] >> 4];
			out[7 + 2 * i + 1] = hex[md[i] & 15];
		}
		out[7 + 2 * md_len] = '\0';
	}
	chg_buf_release(&text);
	listing_release(&l);
	return error;
}

int chg_trust_first_difference(char **out, git_repository *repo,
			       const git_tree *old, const git_tree *new)
{
	struct listing a, b;
	const char *found = NULL;
	size_t i = 0, j = 0;
	int error, cmp;

	*out = NULL;
	if ((error = list_trust(&a, repo, old)) < 0)
		return error;
	if ((error = list_trust(&b, repo, new)) < 0) {
		listing_release(&a);
		return error;
	}
	while (!found && (i < a.n || j < b.n)) {
		cmp = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.items[i].path, b.items[j].path);
		if (cmp < 0)
			found = a.items[i].path;
		else if (cmp > 0)
			found = b.items[j].path;
		else if (a.items[i].mode != b.items[j].mode ||
			 !git_oid_equal(&a.items[i].id, &b.items[j].id))
			found = b.items[j].path;
		i++;
		j++;
	}
	if (found && !(*out = strdup(found)))
		error = CHG_ENOMEM;
	listing_release(&a);
	listing_release(&b);
	return error;
}

/* ---- verifying against a given trust ---- */

int chg_trust_verify_commit(struct chg_signature_result *out,
			    struct chg_signature_verifier *v,
			    git_repository *repo, const git_commit *commit,
			    const git_oid *trust_commit, const char *origin,
			    const char *principal)
{
	static const struct chg_signature_result init = CHG_SIGNATURE_RESULT_INIT;
	git_commit *tc = NULL;
	git_tree *tree = NULL;
	int error;

	if (trust_commit && (git_commit_lookup(&tc, repo, trust_commit) < 0 ||
			     git_commit_tree(&tree, tc) < 0)) {
		*out = init;
		error = CHG_EGIT;
	} else {
		error = chg_signature_verify_commit_in(out, v, repo, commit, tree,
						       origin, principal);
	}
	git_tree_free(tree);
	git_commit_free(tc);
	return error;
}

/* ---- the log ---- */

static size_t slot_of(const struct chg_trust_log *log, const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	return h & (log->table_size - 1);
}

size_t chg_trust_log_find(const struct chg_trust_log *log, const git_oid *commit)
{
	size_t i;

	if (!log->table_size)
		return CHG_TRUST_NONE;
	for (i = slot_of(log, commit); log->table[i]; i = (i + 1) & (log->table_size - 1))
		if (git_oid_equal(&log->records[log->table[i] - 1].commit, commit))
			return log->table[i] - 1;
	return CHG_TRUST_NONE;
}

/* Makes room for one more record in the table (load at most 1/2). */
static int table_grow(struct chg_trust_log *log)
{
	size_t *old = log->table, old_size = log->table_size, n, i, j;

	if ((log->n + 1) * 2 <= log->table_size)
		return 0;
	n = log->table_size ? log->table_size * 2 : 64;
	if (!(log->table = calloc(n, sizeof(*log->table)))) {
		log->table = old;
		return CHG_ENOMEM;
	}
	log->table_size = n;
	for (i = 0; i < old_size; i++) {
		if (!old[i])
			continue;
		for (j = slot_of(log, &log->records[old[i] - 1].commit); log->table[j];
		     j = (j + 1) & (n - 1))
			;
		log->table[j] = old[i];
	}
	free(old);
	return 0;
}

static size_t intern(struct chg_trust_log *log, const char *digest)
{
	struct chg_trust_state *s;
	size_t i;

	for (i = 0; i < log->nstates; i++)
		if (!strcmp(log->states[i].digest, digest))
			return i;
	if (log->nstates == log->alloc_states) {
		size_t n = log->alloc_states ? log->alloc_states * 2 : 8;
		if (!(s = realloc(log->states, n * sizeof(*s))))
			return CHG_TRUST_NONE;
		log->states = s;
		log->alloc_states = n;
	}
	memcpy(log->states[log->nstates].digest, digest, CHG_DIGEST_SIZE);
	return log->nstates++;
}

int chg_trust_log_add(struct chg_trust_log *log, git_repository *repo,
		      const git_commit *commit)
{
	struct chg_trust_record r, *p;
	const git_tree_entry *dir;
	git_tree *tree = NULL;
	char digest[CHG_DIGEST_SIZE];
	size_t j;
	int error = 0;

	if (chg_trust_log_find(log, git_commit_id(commit)) != CHG_TRUST_NONE)
		return 0;
	if ((!log->nstates && intern(log, CHG_TRUST_EMPTY_DIGEST) != CHG_TRUST_EMPTY_STATE) ||
	    table_grow(log) < 0)
		return CHG_ENOMEM;
	memset(&r, 0, sizeof(r));
	git_oid_cpy(&r.commit, git_commit_id(commit));
	r.parent = git_commit_parentcount(commit) > 0 ?
		   chg_trust_log_find(log, git_commit_parent_id(commit, 0)) :
		   CHG_TRUST_NONE;
	r.effective = CHG_TRUST_NONE;
	if (git_commit_tree(&tree, commit) < 0)
		return CHG_EGIT;
	if ((dir = git_tree_entry_byname(tree, CHG_DIR)))
		git_oid_cpy(&r.dir, git_tree_entry_id(dir));
	if (r.parent != CHG_TRUST_NONE && git_oid_equal(&r.dir, &log->records[r.parent].dir)) {
		r.state = log->records[r.parent].state;
	} else if (!dir) {
		r.state = CHG_TRUST_EMPTY_STATE;
	} else if ((error = chg_trust_digest(digest, repo, tree)) < 0) {
		goto cleanup;
	} else if ((r.state = intern(log, digest)) == CHG_TRUST_NONE) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	r.changed = r.parent != CHG_TRUST_NONE ? r.state != log->records[r.parent].state :
		    r.state != CHG_TRUST_EMPTY_STATE;
	if (log->n == log->alloc) {
		size_t n = log->alloc ? log->alloc * 2 : 64;
		if (!(p = realloc(log->records, n * sizeof(*p)))) {
			error = CHG_ENOMEM;
			goto cleanup;
		}
		log->records = p;
		log->alloc = n;
	}
	log->records[log->n] = r;
	for (j = slot_of(log, &r.commit); log->table[j]; j = (j + 1) & (log->table_size - 1))
		;
	log->table[j] = ++log->n;
cleanup:
	git_tree_free(tree);
	return error;
}

void chg_trust_log_find_root(struct chg_trust_log *log, const git_oid *tip)
{
	size_t i = tip ? chg_trust_log_find(log, tip) : CHG_TRUST_NONE, p;

	log->root = CHG_TRUST_NONE;
	log->tip = i;
	for (; i != CHG_TRUST_NONE; i = p) {
		p = log->records[i].parent;
		if (log->records[i].state != CHG_TRUST_EMPTY_STATE &&
		    (p == CHG_TRUST_NONE || log->records[p].state == CHG_TRUST_EMPTY_STATE))
			log->root = i;
	}
}

void chg_trust_log_release(struct chg_trust_log *log)
{
	static const struct chg_trust_log init = CHG_TRUST_LOG_INIT;

	if (!log)
		return;
	free(log->records);
	free(log->states);
	free(log->table);
	*log = init;
}
