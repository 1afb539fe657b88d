#include "approval.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "error.h"
#include "graph.h"
#include "repo.h"
#include "sshsig.h"
#include "treediff.h"
#include "trailer.h"
#include "trust.h"
#include "yaml.h"
#include "banned.h"

/*
 * history.c - the history index (approval.h): one walk of the commit
 * graph (graph.h) and of what each commit changed (treediff.h) that
 * records approvals, content edits, final states and trust states,
 * verifies their signatures and judges the trust changes; and views of
 * it at other revisions.  The rules an approval is judged by are
 * approval.c's.
 */

/* ---- history ---- */

/* What a history walk shares. */
struct walk {
	struct chg_history *h;
	git_repository *repo;
	const struct chg_policy *policy;
	struct chg_signature_verifier *verifier; /* made at the first use */
	size_t alloc_merges;
	/* The change requests of the blobs parsed so far, by blob id: a
	 * version is the new one of the commit that makes it and the old one
	 * of the next that changes it, and is parsed once. */
	struct parsed *parsed;
	size_t nparsed, alloc_parsed;  /* alloc_parsed: a power of two, or 0 */
};

/* What the walk needs of a change request version. */
struct parsed {
	git_oid blob;
	int used;
	char *id;                      /* NULL: none, or it does not load */
	char *state;                   /* NULL: none */
	char digest[CHG_DIGEST_SIZE];  /* "" when it does not load */
};

/*
 * Verifies the signature of `commit` for `principal` (NULL: any) into
 * `out`.  Returns 0 (signed), CHG_ENOTFOUND (not signed), CHG_EGIT or
 * CHG_ENOMEM.
 */
static int verify(struct chg_signature_result *out, struct walk *w,
		  git_commit *commit, const char *principal)
{
	int error;

	if (!w->verifier && (error = chg_signature_verifier_new(&w->verifier, NULL)) < 0)
		return error;
	return chg_signature_verify_commit(out, w->verifier, w->repo, commit,
					   principal);
}

/*
 * git reads a line starting with "---" as the start of a patch and looks
 * for trailers above it, so trailers can sit in the middle of a message,
 * with text after them that a reader takes for its end.  An approval must
 * end its message.
 */
static int has_dash_line(const char *msg)
{
	const char *p = msg;

	while (p && *p) {
		if (!strncmp(p, "---", 3))
			return 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/*
 * Whether `commit` changes files: its tree differs from its first
 * parent's (a root commit: it has any).  Returns 1, 0, or -1 when the
 * first parent cannot be read (a shallow boundary): it fails closed.
 */
static int changes_files(const git_commit *commit)
{
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	int changed;

	if (git_commit_parentcount(commit) == 0) {
		if (git_commit_tree(&tree, commit) < 0)
			return -1;
		changed = git_tree_entrycount(tree) > 0;
		git_tree_free(tree);
		return changed;
	}
	if (git_commit_parent(&parent, commit, 0) < 0)
		return -1;
	changed = !git_oid_equal(git_commit_tree_id(commit), git_commit_tree_id(parent));
	git_commit_free(parent);
	return changed;
}

/*
 * Whether `commit`'s committer date is earlier than one of its parents':
 * a date set back to when a key was still valid.  Returns 1, 0, or -1
 * when a parent cannot be read.
 */
static int dated_before_parent(const git_commit *commit)
{
	unsigned int i, n = git_commit_parentcount(commit);
	int before = 0;

	for (i = 0; i < n && !before; i++) {
		git_commit *parent;
		if (git_commit_parent(&parent, commit, i) < 0)
			return -1;
		before = git_commit_time(commit) < git_commit_time(parent);
		git_commit_free(parent);
	}
	return before;
}

static int add_approval(struct chg_history *h, git_commit *commit,
			const struct chg_trailers *t)
{
	struct chg_approval *a;
	int error;

	if (h->napprovals == h->alloc_approvals) {
		size_t n = h->alloc_approvals ? h->alloc_approvals * 2 : 16;
		a = realloc(h->approvals, n * sizeof(*a));
		if (!a)
			return CHG_ENOMEM;
		h->approvals = a;
		h->alloc_approvals = n;
	}
	a = &h->approvals[h->napprovals];
	memset(a, 0, sizeof(*a));
	git_oid_cpy(&a->commit, git_commit_id(commit));
	chg_oid_short(a->short_id, &a->commit);
	a->time = (int64_t)git_commit_time(commit);
	a->author_time = git_commit_author(commit) ?
			 (int64_t)git_commit_author(commit)->when.time : a->time;
	a->author_email = strdup(git_commit_author(commit) &&
				 git_commit_author(commit)->email ?
				 git_commit_author(commit)->email : "");
	a->committer_email = strdup(git_commit_committer(commit) &&
				    git_commit_committer(commit)->email ?
				    git_commit_committer(commit)->email : "");
	if (!a->author_email || !a->committer_email)
		return CHG_ENOMEM;
	a->rejected = t->n_rejected_by > 0 && t->n_approved_by == 0;
	if (!(a->change_id = strdup(t->change_request)))
		return CHG_ENOMEM;
	h->napprovals++;
	if (t->change_digest && !(a->digest = strdup(t->change_digest)))
		return CHG_ENOMEM;
	if (git_commit_parentcount(commit) > 1)
		a->malformed = "it is a merge commit: an approval is a commit of its own, not a merge message";
	else if ((error = changes_files(commit)) != 0)
		a->malformed = error < 0 ? "its first parent cannot be read, so it cannot be shown to change no file" :
			       "it changes files: an approval commit changes nothing (its tree is its first parent's); commit the change and the approval separately";
	else if ((error = dated_before_parent(commit)) != 0)
		a->malformed = error < 0 ? "its first parent cannot be read, so its date cannot be checked" :
			       "it is dated before its parent: an approval is made after what it approves, and a signature is judged at its commit's date";
	else if (has_dash_line(git_commit_message(commit)))
		a->malformed = "its message has a line starting with '---': approval trailers must end the message";
	else if (t->n_change_request > 1)
		a->malformed = "it names more than one Change-Request";
	else if (t->n_approved_by + t->n_rejected_by == 0)
		a->malformed = "it has no Approved-by or Rejected-by trailer";
	else if (t->n_approved_by > 1 || t->n_rejected_by > 1)
		a->malformed = "it has more than one Approved-by or Rejected-by trailer; one commit approves for one person";
	else if (t->n_approved_by && t->n_rejected_by)
		a->malformed = "it has both Approved-by and Rejected-by";
	else if (t->n_change_digest != 1 || !chg_digest_is_valid(t->change_digest))
		a->malformed = "its Change-Digest is missing or not sha256: and 64 lowercase hex digits";
	if (!(a->identity = strdup(t->approved_by ? t->approved_by :
				   t->rejected_by ? t->rejected_by : "")))
		return CHG_ENOMEM;
	if (chg_ident_parse(NULL, &a->email, a->identity) < 0) {
		a->email = NULL;
		if (!a->malformed)
			a->malformed = "its Approved-by is not an identity 'Name <email>'";
	}
	return 0;
}

static int add_edit(struct chg_history *h, const char *id, git_commit *commit)
{
	struct chg_content_edit *e;
	const git_signature *author = git_commit_author(commit);
	const git_signature *committer = git_commit_committer(commit);

	if (h->nedits == h->alloc_edits) {
		size_t n = h->alloc_edits ? h->alloc_edits * 2 : 16;
		e = realloc(h->edits, n * sizeof(*e));
		if (!e)
			return CHG_ENOMEM;
		h->edits = e;
		h->alloc_edits = n;
	}
	e = &h->edits[h->nedits];
	memset(e, 0, sizeof(*e));
	git_oid_cpy(&e->commit, git_commit_id(commit));
	chg_oid_short(e->short_id, &e->commit);
	e->change_id = strdup(id);
	e->author_email = strdup(author && author->email ? author->email : "");
	e->committer_email = strdup(committer && committer->email ? committer->email : "");
	h->nedits++;
	if (!e->change_id || !e->author_email || !e->committer_email)
		return CHG_ENOMEM;
	return 0;
}

/*
 * Is `state` final under the policy: one of its states from which
 * lifecycle.transitions allows no other?  Without transitions none is.
 */
static int is_final(const struct chg_policy *policy, const char *state)
{
	const struct chg_node *states = policy->states;
	size_t i;

	if (!policy->transitions || !state || !chg_node_seq_has(states, state))
		return 0;
	for (i = 0; i < states->n; i++)
		if (states->items[i]->type == CHG_NODE_SCALAR &&
		    chg_policy_transition_allowed(policy, state, states->items[i]->value) &&
		    strcmp(state, states->items[i]->value))
			return 0;
	return 1;
}

/* Records that `id` was in the final `state` in `commit` (the seq-th). */
static int add_final(struct chg_history *h, const char *id, const char *state,
		     git_commit *commit, size_t seq)
{
	struct chg_final_state *f;

	if (h->nfinals == h->alloc_finals) {
		size_t n = h->alloc_finals ? h->alloc_finals * 2 : 16;
		f = realloc(h->finals, n * sizeof(*f));
		if (!f)
			return CHG_ENOMEM;
		h->finals = f;
		h->alloc_finals = n;
	}
	f = &h->finals[h->nfinals];
	memset(f, 0, sizeof(*f));
	git_oid_cpy(&f->commit, git_commit_id(commit));
	chg_oid_short(f->short_id, &f->commit);
	f->seq = seq;
	f->change_id = strdup(id);
	f->state = strdup(state);
	h->nfinals++;
	if (!f->change_id || !f->state)
		return CHG_ENOMEM;
	return 0;
}

static int cmp_final(const void *a, const void *b)
{
	const struct chg_final_state *x = a, *y = b;
	int c = strcmp(x->change_id, y->change_id);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Sorts the final states by id, each id's in walk order.  All are kept, so
 * that a history that holds only some of the commits (the ones a revision
 * reaches) can keep its records in order and find its own first.
 */
static void sort_finals(struct chg_history *h)
{
	if (h->nfinals)
		qsort(h->finals, h->nfinals, sizeof(*h->finals), cmp_final);
}

const struct chg_final_state *chg_history_final(const struct chg_history *h,
						const char *id)
{
	size_t lo = 0, hi = h->nfinals;

	if (!id)
		return NULL;
	/* the first record of `id` */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(h->finals[mid].change_id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < h->nfinals && !strcmp(h->finals[lo].change_id, id) ?
	       &h->finals[lo] : NULL;
}

/*
 * Loads the change request in a blob: its id and digest ("" if none) and,
 * when `state` is not NULL, its state (NULL if none).
 */
static int blob_change(char **id, char digest[CHG_DIGEST_SIZE], char **state,
		       git_repository *repo, const git_oid *oid,
		       const struct chg_policy *policy)
{
	struct chg_diag_list scratch = CHG_DIAG_LIST_INIT;
	struct chg_change c;
	git_blob *blob;
	int error;

	*id = NULL;
	digest[0] = '\0';
	if (state)
		*state = NULL;
	if (git_blob_lookup(&blob, repo, oid) < 0)
		return 0;
	if (git_blob_rawsize(blob) > CHG_YAML_MAX_SIZE) {
		git_blob_free(blob);
		return 0;
	}
	error = chg_change_load(&c, "", git_blob_rawcontent(blob),
				(size_t)git_blob_rawsize(blob), policy, &scratch);
	git_blob_free(blob);
	chg_diag_list_release(&scratch);
	if (!error && c.id) {
		if (!(*id = strdup(c.id)))
			error = CHG_ENOMEM;
		memcpy(digest, c.digest, CHG_DIGEST_SIZE);
		if (state && c.state && !(*state = strdup(c.state)))
			error = CHG_ENOMEM;
	}
	chg_change_release(&c);
	return error;
}

static size_t parsed_slot(const struct walk *w, const git_oid *blob)
{
	size_t i;

	for (i = chg_oid_hash(blob) & (w->alloc_parsed - 1); w->parsed[i].used &&
	     !git_oid_equal(&w->parsed[i].blob, blob);
	     i = (i + 1) & (w->alloc_parsed - 1))
		;
	return i;
}

/*
 * The change request version of `blob`, parsed at its first use
 * (blob_change) and kept for the walk: *out points into the walk's table,
 * valid until the next call (its strings until the walk ends).  Returns 0, CHG_ENOMEM, CHG_ERROR.
 */
/* Makes room for one more parsed blob. */
static int grow_parsed(struct walk *w)
{
	struct walk bigger;
	size_t i;

	if (2 * (w->nparsed + 1) <= w->alloc_parsed)
		return 0;
	bigger.alloc_parsed = w->alloc_parsed ? 2 * w->alloc_parsed : 1024;
	if (!(bigger.parsed = calloc(bigger.alloc_parsed, sizeof(*bigger.parsed))))
		return CHG_ENOMEM;
	for (i = 0; i < w->alloc_parsed; i++)
		if (w->parsed[i].used)
			bigger.parsed[parsed_slot(&bigger, &w->parsed[i].blob)] = w->parsed[i];
	free(w->parsed);
	w->parsed = bigger.parsed;
	w->alloc_parsed = bigger.alloc_parsed;
	return 0;
}

static int parse_blob(const struct parsed **out, struct walk *w,
		      const git_oid *blob)
{
	struct parsed *p;
	int error;

	if (w->alloc_parsed && w->parsed[parsed_slot(w, blob)].used) {
		*out = &w->parsed[parsed_slot(w, blob)];
		return 0;
	}
	if ((error = grow_parsed(w)) < 0)
		return error;
	p = &w->parsed[parsed_slot(w, blob)];
	if ((error = blob_change(&p->id, p->digest, &p->state, w->repo, blob,
				 w->policy)) < 0) {
		free(p->id);
		free(p->state);
		p->id = p->state = NULL;
		return error;
	}
	git_oid_cpy(&p->blob, blob);
	p->used = 1;
	w->nparsed++;
	*out = p;
	return 0;
}

/*
 * Takes what `known` (change requests loaded from bytes whose blob ids
 * are known, under the walk's policy) says of their blobs, as parse_blob
 * would find it: such a blob is not read and parsed again.
 */
static int seed_parsed(struct walk *w, const struct chg_change_set *known)
{
	size_t i;

	for (i = 0; known && i < known->n; i++) {
		const struct chg_change *c = &known->items[i];
		struct parsed *p;
		if (!c->has_blob || !c->root || !c->id)
			continue;
		if (w->alloc_parsed && w->parsed[parsed_slot(w, &c->blob)].used)
			continue;
		if (grow_parsed(w) < 0)
			return CHG_ENOMEM;
		p = &w->parsed[parsed_slot(w, &c->blob)];
		if (!(p->id = strdup(c->id)) ||
		    (c->state && !(p->state = strdup(c->state)))) {
			free(p->id);
			p->id = NULL;
			return CHG_ENOMEM;
		}
		memcpy(p->digest, c->digest, CHG_DIGEST_SIZE);
		git_oid_cpy(&p->blob, &c->blob);
		p->used = 1;
		w->nparsed++;
	}
	return 0;
}

static void parsed_release(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->alloc_parsed; i++) {
		free(w->parsed[i].id);
		free(w->parsed[i].state);
	}
	free(w->parsed);
}

/* Whether the commit `from` reaches `to` (both walked): 1, 0 or
 * CHG_ENOMEM. */
static int reaches(const struct chg_history *h, const git_oid *from,
		   const git_oid *to)
{
	return chg_graph_reaches(h->graph, chg_graph_find(h->graph, from),
				 chg_graph_find(h->graph, to));
}

/*
 * Records who changed the covered content of which change request in
 * `commit` (the seq-th of the walk), and which ids reached a final state.
 */
struct scan {
	struct walk *w;
	git_commit *commit;
	size_t seq;
};

static int on_file(const char *path, const git_oid *old, const git_oid *new,
		   void *payload)
{
	struct scan *sc = payload;
	struct walk *w = sc->w;
	/* the ids and states are the table's strings, which a rehash keeps;
	   the digests are copied out of its slots */
	char old_digest[CHG_DIGEST_SIZE] = "", new_digest[CHG_DIGEST_SIZE] = "";
	const char *old_id = NULL, *new_id = NULL, *new_state = NULL;
	const struct parsed *v;
	int error = 0;

	(void)path;
	if (old && (error = parse_blob(&v, w, old)) == 0) {
		old_id = v->id;
		memcpy(old_digest, v->digest, CHG_DIGEST_SIZE);
	}
	if (!error && new && (error = parse_blob(&v, w, new)) == 0) {
		new_id = v->id;
		memcpy(new_digest, v->digest, CHG_DIGEST_SIZE);
		new_state = v->state;
	}
	if (!error && new_id && is_final(w->policy, new_state))
		error = add_final(w->h, new_id, new_state, sc->commit, sc->seq);
	if (!error && new_id && strcmp(old_digest, new_digest))
		error = add_edit(w->h, new_id, sc->commit);
	if (!error && old_id && (!new_id || strcmp(old_id, new_id)) &&
	    strcmp(old_digest, new_digest))
		error = add_edit(w->h, old_id, sc->commit);
	return error;
}

static int scan_edits(struct walk *w, git_commit *commit, size_t at, size_t seq)
{
	struct scan sc = { w, commit, seq };
	int touched, error;

	if ((error = chg_treediff_touches(&touched, w->h->diff, at)) < 0 || !touched)
		return error;
	return chg_treediff_commit(w->h->diff, at, on_file, &sc);
}

/*
 * The trust a commit's signature is verified against: that of the last
 * approved trust state at its first parent (approval.h).  Stores in *out
 * that state's record (CHG_TRUST_NONE: none) and returns 1 when it is not
 * the trust of the first parent itself, else 0 (also for a root commit or
 * a first parent that was not walked).
 */
static int trust_differs(size_t *out, const struct chg_trust_log *log,
			 size_t record)
{
	size_t parent, e;

	*out = CHG_TRUST_NONE;
	if (record == CHG_TRUST_NONE ||
	    (parent = log->records[record].parent) == CHG_TRUST_NONE)
		return 0;
	e = *out = log->records[parent].effective;
	return (e == CHG_TRUST_NONE ? CHG_TRUST_EMPTY_STATE : log->records[e].state) !=
	       log->records[parent].state;
}

/*
 * Verifies the signature of `commit` (record `record` in the trust log)
 * against the last approved trust at its first parent.  Returns as
 * verify().
 */
static int verify_approved(struct chg_signature_result *out, struct walk *w,
			   git_commit *commit, size_t record,
			   const char *principal)
{
	const struct chg_trust_log *log = &w->h->trust;
	struct chg_buf origin = CHG_BUF_INIT;
	char sid[8], pid[8];
	size_t e;
	int error;

	if (!trust_differs(&e, log, record))
		return verify(out, w, commit, principal);
	if (!w->verifier && (error = chg_signature_verifier_new(&w->verifier, NULL)) < 0)
		return error;
	chg_oid_short(pid, &log->records[log->records[record].parent].commit);
	if (e != CHG_TRUST_NONE)
		error = chg_buf_printf(&origin, "the last approved trust (in %s) before its first parent %s",
				       chg_oid_short(sid, &log->records[e].commit), pid);
	else
		error = chg_buf_printf(&origin, "the last approved trust before its first parent %s (there is none)",
				       pid);
	if (!error)
		error = chg_trust_verify_commit(out, w->verifier, w->repo, commit,
						e != CHG_TRUST_NONE ? &log->records[e].commit : NULL,
						origin.ptr, principal);
	chg_buf_release(&origin);
	return error;
}

/* Adds the principals of a good signature in `r` to `list`. */
static int add_signers(struct chg_strlist *list, const struct chg_signature_result *r)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && r->verdict == CHG_SIGNATURE_GOOD && i < r->principals.n; i++)
		error = chg_strlist_add(list, r->principals.items[i]);
	return error;
}

/*
 * Verifies the signatures of the well-formed approvals and rejections of
 * change requests, and records the verified signers of the commits that
 * changed covered content (for both the trust of their first parent and
 * the last approved trust, when they differ).
 */
/*
 * Makes the verifier apply the revocations of the last approved trust at
 * the evaluated revision to every signature: a key revoked there has been
 * compromised, and what it signed before does not count either.  (Not to
 * the approvals of trust changes, judged when they were made: undoing them
 * could undo the revocation itself.)
 */
static int revoke_as_of_tip(struct walk *w)
{
	const struct chg_trust_log *log = &w->h->trust;
	struct chg_buf file = CHG_BUF_INIT, origin = CHG_BUF_INIT;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	size_t e, size;
	char sid[8];
	int error;

	if (log->tip == CHG_TRUST_NONE ||
	    (e = log->records[log->tip].effective) == CHG_TRUST_NONE)
		return 0;
	if (git_commit_lookup(&commit, w->repo, &log->records[e].commit) < 0 ||
	    git_commit_tree(&tree, commit) < 0) {
		error = CHG_EGIT;
		goto cleanup;
	}
	error = chg_tree_read(&file, &size, w->repo, tree, CHG_REVOKED_KEYS_PATH,
			      CHG_TRUST_MAX_SIZE);
	if (error == CHG_ENOTFOUND) {
		error = 0;
		goto cleanup;
	}
	if (error == CHG_ELIMIT) {
		/* fail closed: a file no verification can use revokes every key */
		chg_buf_clear(&file);
		error = chg_buf_puts(&file, "not an OpenSSH KRL: larger than the largest trust file\n");
	}
	if (error < 0)
		goto cleanup;
	if (!w->verifier && (error = chg_signature_verifier_new(&w->verifier, NULL)) < 0)
		goto cleanup;
	if ((error = chg_buf_printf(&origin, "the evaluated revision (the last approved trust, in %s)",
				    chg_oid_short(sid, &log->records[e].commit))) == 0)
		error = chg_signature_verifier_set_revoked(w->verifier, file.ptr, file.len,
							   origin.ptr);
cleanup:
	git_tree_free(tree);
	git_commit_free(commit);
	chg_buf_release(&file);
	chg_buf_release(&origin);
	return error;
}

/*
 * Verifies the signature of approval `a` (commit `commit`) a second time,
 * against the last approved trust where it entered the protected chain,
 * when that trust differs from the one it was verified against: a key
 * removed or revoked before the approval was merged does not count.  A
 * verdict that is not good replaces the first.
 */
static int verify_at_entry(struct walk *w, struct chg_approval *a,
			   git_commit *commit)
{
	const struct chg_trust_log *log = &w->h->trust;
	struct chg_signature_result r = CHG_SIGNATURE_RESULT_INIT;
	struct chg_buf origin = CHG_BUF_INIT;
	size_t parent, used, entry, at;
	char eid[8];
	int error;

	if (a->signature.verdict != CHG_SIGNATURE_GOOD || !w->h->entry ||
	    a->record == CHG_TRUST_NONE ||
	    (parent = log->records[a->record].parent) == CHG_TRUST_NONE ||
	    (entry = w->h->entry[a->record]) == CHG_TRUST_NONE)
		return 0;
	used = log->records[parent].effective;
	at = log->records[entry].effective;
	/* the first verification was against the state `used` holds */
	if ((used == CHG_TRUST_NONE ? CHG_TRUST_EMPTY_STATE : log->records[used].state) ==
	    (at == CHG_TRUST_NONE ? CHG_TRUST_EMPTY_STATE : log->records[at].state))
		return 0;
	if ((error = chg_buf_printf(&origin, "the trust where it entered the protected chain (in %s)",
				    chg_oid_short(eid, &log->records[entry].commit))) < 0)
		return error;
	error = chg_trust_verify_commit(&r, w->verifier, w->repo, commit,
					at != CHG_TRUST_NONE ? &log->records[at].commit : NULL,
					origin.ptr, a->email);
	chg_buf_release(&origin);
	if (!error && r.verdict != CHG_SIGNATURE_GOOD) {
		chg_signature_result_release(&a->signature);
		a->signature = r;
		return 0;
	}
	chg_signature_result_release(&r);
	return error == CHG_ENOTFOUND ? 0 : error;
}

/*
 * Verifies the signatures of the well-formed approvals and rejections of
 * change requests (when signatures are required), and records the
 * verified signers of the commits that changed covered content (for both
 * the trust of their first parent and the last approved trust, when they
 * differ).
 */
static int verify_signatures(struct walk *w)
{
	struct chg_history *h = w->h;
	struct chg_signature_result r = CHG_SIGNATURE_RESULT_INIT;
	git_commit *commit = NULL;
	size_t i, j, k, e, record;
	int error = 0;

	if ((error = revoke_as_of_tip(w)) < 0)
		return error;
	for (i = 0; i < h->napprovals && !error && w->policy->require_signature; i++) {
		struct chg_approval *a = &h->approvals[i];
		if (a->malformed || !strcmp(a->change_id, CHG_TRUST_CHANGE_REQUEST))
			continue;
		if (git_commit_lookup(&commit, w->repo, &a->commit) < 0)
			return CHG_EGIT;
		error = verify_approved(&a->signature, w, commit, a->record, a->email);
		a->is_signed = error != CHG_ENOTFOUND;
		if (error == CHG_ENOTFOUND)
			error = 0;
		if (!error)
			error = verify_at_entry(w, a, commit);
		git_commit_free(commit);
	}
	/* who signed an edit is who signed it, revoked since or not */
	if (!error && w->verifier)
		error = chg_signature_verifier_set_revoked(w->verifier, NULL, 0, NULL);
	for (i = 0; i < h->nedits && !error; i = j) {
		const char *why = NULL;
		int verified = 0, is_signed;
		for (j = i + 1; j < h->nedits && git_oid_equal(&h->edits[j].commit,
							       &h->edits[i].commit); j++)
			;
		if (git_commit_lookup(&commit, w->repo, &h->edits[i].commit) < 0)
			return CHG_EGIT;
		record = chg_trust_log_find(&h->trust, &h->edits[i].commit);
		error = verify(&r, w, commit, NULL);
		is_signed = error != CHG_ENOTFOUND;
		verified |= r.verdict == CHG_SIGNATURE_GOOD;
		for (k = i; !error && k < j; k++)
			error = add_signers(&h->edits[k].signers, &r);
		if (!error && trust_differs(&e, &h->trust, record)) {
			chg_signature_result_release(&r);
			error = verify_approved(&r, w, commit, record, NULL);
			verified &= r.verdict == CHG_SIGNATURE_GOOD;
			for (k = i; !error && k < j; k++)
				error = add_signers(&h->edits[k].signers, &r);
		}
		if (error == CHG_ENOTFOUND)  /* not signed */
			error = 0;
		if (!is_signed)
			why = "it is not signed";
		else if (!verified)
			why = r.detail ? r.detail : "its signature was not verified";
		for (k = i; !error && k < j; k++) {
			h->edits[k].verified = verified;
			if (why && !(h->edits[k].unverified = strdup(why)))
				error = CHG_ENOMEM;
		}
		chg_signature_result_release(&r);
		git_commit_free(commit);
	}
	return error;
}

static int judge_trust(struct walk *w);

/* Notes the parents of `commit` other than its first (walk.merges). */
static int note_merge(struct walk *w, const git_commit *commit)
{
	const struct chg_trust_log *log = &w->h->trust;
	unsigned int i, n = git_commit_parentcount(commit);
	size_t child, parent;

	if (n < 2)
		return 0;
	child = chg_trust_log_find(log, git_commit_id(commit));
	for (i = 1; i < n; i++) {
		parent = chg_trust_log_find(log, git_commit_parent_id(commit, i));
		if (parent == CHG_TRUST_NONE)
			continue;  /* beyond a shallow boundary */
		if (w->h->nmerges == w->alloc_merges) {
			size_t alloc = w->alloc_merges ? w->alloc_merges * 2 : 64;
			size_t (*m)[2] = realloc(w->h->merges, alloc * sizeof(*m));
			if (!m)
				return CHG_ENOMEM;
			w->h->merges = m;
			w->alloc_merges = alloc;
		}
		w->h->merges[w->h->nmerges][0] = child;
		w->h->merges[w->h->nmerges][1] = parent;
		w->h->nmerges++;
	}
	return 0;
}

/* The first of walk.merges whose child is `record` (binary search). */
static size_t first_merge(const struct chg_history *h, size_t record)
{
	size_t lo = 0, hi = h->nmerges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->merges[mid][0] < record)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Finds, for every commit of `h` that record `tip` reaches, where it
 * entered the protected chain of `tip` (its first-parent chain) into a new
 * array *out (CHG_TRUST_NONE for the others): the chain's commits are
 * visited oldest first, and each takes every commit it reaches that no
 * earlier one did.  Every commit is visited once.
 */
static int compute_entries(size_t **out, const struct chg_history *h, size_t tip)
{
	const struct chg_trust_log *log = &h->trust;
	size_t *entry, *chain = NULL, *stack = NULL, nchain = 0, nstack, i, r, m;
	int error = 0;

	*out = NULL;
	if (!log->n || tip == CHG_TRUST_NONE)
		return 0;
	entry = malloc(log->n * sizeof(*entry));
	chain = malloc(log->n * sizeof(*chain));
	/* each record is pushed at most once per parent edge */
	stack = malloc((log->n + h->nmerges + 1) * sizeof(*stack));
	if (!entry || !chain || !stack) {
		free(entry);
		error = CHG_ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < log->n; i++)
		entry[i] = CHG_TRUST_NONE;
	for (r = tip; r != CHG_TRUST_NONE; r = log->records[r].parent)
		chain[nchain++] = r;
	while (nchain--) {
		size_t c = chain[nchain];
		stack[0] = c;
		nstack = 1;
		while (nstack) {
			r = stack[--nstack];
			if (entry[r] != CHG_TRUST_NONE)
				continue;
			entry[r] = c;
			if (log->records[r].parent != CHG_TRUST_NONE &&
			    entry[log->records[r].parent] == CHG_TRUST_NONE)
				stack[nstack++] = log->records[r].parent;
			for (m = first_merge(h, r); m < h->nmerges && h->merges[m][0] == r; m++)
				if (entry[h->merges[m][1]] == CHG_TRUST_NONE)
					stack[nstack++] = h->merges[m][1];
		}
	}
	*out = entry;
cleanup:
	free(chain);
	free(stack);
	return error;
}

/* The entries into the protected chain of the walk's revision. */
static int find_entries(struct walk *w)
{
	const struct chg_trust_log *log = &w->h->trust;
	size_t i, r, n = 0;
	int error;

	if ((error = compute_entries(&w->h->entry, w->h, log->tip)) < 0 || !log->n)
		return error;
	/* the place of each commit of that chain, oldest first (views) */
	if (!(w->h->chain_pos = malloc(log->n * sizeof(*w->h->chain_pos))))
		return CHG_ENOMEM;
	for (i = 0; i < log->n; i++)
		w->h->chain_pos[i] = CHG_TRUST_NONE;
	for (r = log->tip; r != CHG_TRUST_NONE; r = log->records[r].parent)
		n++;
	for (r = log->tip; r != CHG_TRUST_NONE; r = log->records[r].parent)
		w->h->chain_pos[r] = --n;
	return 0;
}

/*
 * Latest verdict wins (approval.h): notes, for each approval of a change
 * request, the rejections by the same person of the same digest that are
 * not its ancestors.  Whether such a rejection is genuine is decided
 * where the approval is evaluated, once signatures are verified.
 */
static int find_withdrawals(struct walk *w)
{
	struct chg_history *h = w->h;
	size_t i, j;
	int rc;

	for (j = 0; j < h->napprovals; j++) {
		const struct chg_approval *r = &h->approvals[j];
		if (!r->rejected || r->malformed || !r->email || !r->digest)
			continue;
		for (i = 0; i < h->napprovals; i++) {
			struct chg_approval *a = &h->approvals[i];
			size_t *p;
			if (a->rejected || a->malformed || !a->email || !a->digest ||
			    strcmp(a->change_id, r->change_id) ||
			    strcmp(a->digest, r->digest) || strcasecmp(a->email, r->email))
				continue;
			/* parents first: a rejection walked later is no ancestor */
			if (j < i && (rc = reaches(h, &a->commit, &r->commit)) != 0) {
				if (rc < 0)
					return rc;
				continue;  /* approved again after rejecting */
			}
			p = realloc(a->rejected_after, (a->nrejected_after + 1) * sizeof(*p));
			if (!p)
				return CHG_ENOMEM;
			a->rejected_after = p;
			a->rejected_after[a->nrejected_after++] = j;
		}
	}
	return 0;
}

int chg_history_load(struct chg_history *out, git_repository *repo,
		     const git_oid *tip, const struct chg_policy *policy)
{
	return chg_history_load_known(out, repo, tip, policy, NULL);
}

int chg_history_load_known(struct chg_history *out, git_repository *repo,
			   const git_oid *tip, const struct chg_policy *policy,
			   const struct chg_change_set *known)
{
	struct walk w = { out, repo, policy, NULL, 0, NULL, 0, 0 };
	const struct chg_graph *g;
	size_t seq;
	int error = 0;

	if ((error = chg_digest_compute(out->policy_digest, policy->root, NULL)) < 0)
		return error;
	if (!tip)
		return 0;
	if ((error = seed_parsed(&w, known)) < 0) {
		parsed_release(&w);
		return error;
	}
	if (!(out->graph = malloc(sizeof(*out->graph)))) {
		parsed_release(&w);
		return CHG_ENOMEM;
	}
	*out->graph = (struct chg_graph)CHG_GRAPH_INIT;
	if ((error = chg_graph_load(out->graph, repo, tip)) < 0 ||
	    (error = chg_treediff_new(&out->diff, repo, out->graph, policy)) < 0)
		goto cleanup;
	g = out->graph;
	for (seq = 0; seq < g->norder && !error; seq++) {
		const struct chg_graph_commit *gc = &g->commits[g->order[seq]];
		struct chg_trailers t;
		struct chg_approval *a;
		git_commit *commit;

		if (chg_commit_read(&commit, repo, &gc->id) < 0) {
			error = CHG_EGIT;
			break;
		}
		error = chg_trust_log_add(&out->trust, repo, commit);
		if (!error)
			error = note_merge(&w, commit);
		chg_trailers_init(&t);
		if (!error && gc->trailers)
			error = chg_trailers_parse(&t, git_commit_message(commit));
		if (!error && chg_trailers_any(&t) && t.change_request &&
		    *t.change_request &&
		    (error = add_approval(out, commit, &t)) == 0) {
			a = &out->approvals[out->napprovals - 1];
			a->record = chg_trust_log_find(&out->trust, &gc->id);
			/* verified once the trust changes are judged */
			a->is_signed = chg_signature_present(repo, commit);
		}
		chg_trailers_release(&t);
		if (!error)
			error = scan_edits(&w, commit, g->order[seq], seq);
		git_commit_free(commit);
	}
	if (error)
		goto cleanup;
	sort_finals(out);
	chg_trust_log_find_root(&out->trust, tip);
	/* the withdrawals first: a rejection withdraws a trust change's
	   approval as it does a change request's */
	if ((error = find_entries(&w)) < 0 ||
	    (error = find_withdrawals(&w)) < 0 ||
	    (error = judge_trust(&w)) < 0)
		goto cleanup;
	if (policy->require_signature || policy->require_signed_edits)
		error = verify_signatures(&w);
	if (!error)
		error = chg_history_index_ids(out);
cleanup:
	chg_signature_verifier_free(w.verifier);
	parsed_release(&w);
	return error;
}

/* An index entry: the id it is ordered by and the item's index. */
struct keyed {
	const char *id;
	size_t i;
};

static int cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int c = strcmp(a->id, b->id);

	return c ? c : a->i < b->i ? -1 : a->i > b->i;
}

/* Sorts `n` keyed items and stores their indices in a new array *out. */
static int sort_keyed(size_t **out, struct keyed *k, size_t n)
{
	size_t i;

	qsort(k, n, sizeof(*k), cmp_keyed);
	if (!(*out = malloc((n + 1) * sizeof(**out))))
		return CHG_ENOMEM;
	for (i = 0; i < n; i++)
		(*out)[i] = k[i].i;
	return 0;
}

int chg_history_index_ids(struct chg_history *h)
{
	size_t n = h->napprovals > h->nedits ? h->napprovals : h->nedits, i;
	struct keyed *k = malloc((n + 1) * sizeof(*k));
	int error;

	free(h->approvals_by_id);
	free(h->edits_by_id);
	h->approvals_by_id = h->edits_by_id = NULL;
	if (!k)
		return CHG_ENOMEM;
	for (i = 0; i < h->napprovals; i++) {
		k[i].id = h->approvals[i].change_id;
		k[i].i = i;
	}
	if ((error = sort_keyed(&h->approvals_by_id, k, h->napprovals)) == 0) {
		for (i = 0; i < h->nedits; i++) {
			k[i].id = h->edits[i].change_id;
			k[i].i = i;
		}
		error = sort_keyed(&h->edits_by_id, k, h->nedits);
	}
	free(k);
	return error;
}

/*
 * The run of `index` (n items, ordered by id; `id_of` reads an item's id)
 * holding `id`: stores its first position in *first and returns its
 * length.  Without an index, the run is every item: the caller checks ids.
 */
static size_t id_run(size_t *first, const size_t *index, size_t n,
		     const char *(*id_of)(const struct chg_history *, size_t),
		     const struct chg_history *h, const char *id)
{
	size_t lo = 0, hi = n, end;

	*first = 0;
	if (!index)
		return n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(id_of(h, index[mid]), id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < n && !strcmp(id_of(h, index[end]), id); end++)
		;
	*first = lo;
	return end - lo;
}

static const char *approval_id(const struct chg_history *h, size_t i)
{
	return h->approvals[i].change_id;
}

static const char *edit_id(const struct chg_history *h, size_t i)
{
	return h->edits[i].change_id;
}

/* The i-th item of the run from `first` (id_run), with or without an
 * index. */
#define RUN_ITEM(index, first, i) ((index) ? (index)[(first) + (i)] : (first) + (i))

size_t chg_history_approvals_of(const struct chg_history *h, const char *id,
				size_t *first)
{
	return id_run(first, h->approvals_by_id, h->napprovals, approval_id, h, id);
}

size_t chg_history_approval_at(const struct chg_history *h, size_t first, size_t k)
{
	return RUN_ITEM(h->approvals_by_id, first, k);
}

size_t chg_history_edits_of(const struct chg_history *h, const char *id,
			    size_t *first)
{
	return id_run(first, h->edits_by_id, h->nedits, edit_id, h, id);
}

size_t chg_history_edit_at(const struct chg_history *h, size_t first, size_t k)
{
	return RUN_ITEM(h->edits_by_id, first, k);
}

/*
 * The id of .chg/revoked_keys in the tree of record `e` (CHG_TRUST_NONE:
 * none) into `out`, zero when there is none.  Returns 0 or CHG_EGIT.
 */
static int revoked_id(git_oid *out, git_repository *repo,
		      const struct chg_trust_log *log, size_t e)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if (e == CHG_TRUST_NONE)
		return 0;
	if (git_commit_lookup(&c, repo, &log->records[e].commit) < 0 ||
	    git_commit_tree(&tree, c) < 0)
		error = CHG_EGIT;
	else if (git_tree_entry_bypath(&entry, tree, CHG_REVOKED_KEYS_PATH) == 0)
		git_oid_cpy(out, git_tree_entry_id(entry));
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(c);
	return error;
}

/* The state of the last approved trust at record `r`. */
static size_t effective_state(const struct chg_trust_log *log, size_t r)
{
	size_t e = r == CHG_TRUST_NONE ? CHG_TRUST_NONE : log->records[r].effective;

	return e == CHG_TRUST_NONE ? CHG_TRUST_EMPTY_STATE : log->records[e].state;
}

/* The root of trust of the first-parent chain of record `r`, as
 * chg_trust_log_find_root finds it. */
static size_t chain_root(const struct chg_trust_log *log, size_t r)
{
	size_t root = CHG_TRUST_NONE, p;

	for (; r != CHG_TRUST_NONE; r = p) {
		p = log->records[r].parent;
		if (log->records[r].state != CHG_TRUST_EMPTY_STATE &&
		    (p == CHG_TRUST_NONE || log->records[p].state == CHG_TRUST_EMPTY_STATE))
			root = r;
	}
	return root;
}

/* Whether the root of trust of record r's first-parent chain is the
 * index's: on the index's chain that is where the index's root lies (its
 * chain is the older part of the index's); elsewhere a walk down it. */
static int same_root(const struct chg_history *index, size_t r)
{
	const struct chg_trust_log *log = &index->trust;
	size_t pos = index->chain_pos ? index->chain_pos[r] : CHG_TRUST_NONE;

	if (pos == CHG_TRUST_NONE)
		return chain_root(log, r) == log->root;
	return log->root == CHG_TRUST_NONE || index->chain_pos[log->root] <= pos;
}

/*
 * Whether the walk of `index` serves as the history as of record `r`,
 * whose entries into its own protected chain are `entry`: the root of
 * trust of its chain is the index's, and every approval that counted for
 * a trust change it reaches is one it reaches too (the trust of each
 * commit and the judgement of each trust change then are what a walk from
 * `r` makes of them); each approval it reaches was verified against the
 * trust where it entered the index's chain, which must be the trust where
 * it enters r's (the same entry, or one with the same last approved
 * trust); and the revocations of its last approved trust are those the
 * index applied, its revision's.  Returns 1, 0 or CHG_EGIT.
 */
static int view_serves(const struct chg_history *index, git_repository *repo,
		       size_t r, const size_t *entry)
{
	const struct chg_trust_log *log;
	size_t i, k, tip, e, et;
	git_oid a, b;

	if (!index || !index->entry || !entry || r == CHG_TRUST_NONE)
		return 0;
	log = &index->trust;
	if ((tip = log->tip) == CHG_TRUST_NONE || !same_root(index, r))
		return 0;
	for (i = 0; i < index->ntrust_changes; i++) {
		const struct chg_trust_change *tc = &index->trust_changes[i];
		if (entry[tc->record] == CHG_TRUST_NONE)
			continue;
		for (k = 0; k < tc->n; k++) {
			const struct chg_approval *a = tc->verdicts[k].approval;
			if (tc->verdicts[k].verdict == CHG_VERDICT_COUNTED &&
			    (a->record == CHG_TRUST_NONE ||
			     entry[a->record] == CHG_TRUST_NONE))
				return 0;
			/* withdrawn by a rejection it may not reach */
			if (tc->verdicts[k].verdict == CHG_VERDICT_WITHDRAWN &&
			    a->record != CHG_TRUST_NONE && entry[a->record] != CHG_TRUST_NONE)
				return 0;
		}
	}
	for (i = 0; i < index->napprovals; i++) {
		size_t rec = index->approvals[i].record, x, y;
		if (rec == CHG_TRUST_NONE || (x = entry[rec]) == CHG_TRUST_NONE ||
		    (y = index->entry[rec]) == x)
			continue;
		if (effective_state(log, x) != effective_state(log, y))
			return 0;
	}
	e = log->records[r].effective;
	et = log->records[tip].effective;
	if (e == et)
		return 1;
	if (revoked_id(&a, repo, log, e) < 0 || revoked_id(&b, repo, log, et) < 0)
		return CHG_EGIT;
	return git_oid_equal(&a, &b);
}

/*
 * The entries into the protected chain of record `r` (compute_entries),
 * into a new array *out.  When `r` is on the chain of the index's
 * revision, they are the index's for what `r` reaches: a commit reaches
 * what entered the chain at or before it, and nothing else.
 */
static int view_entries(size_t **out, const struct chg_history *index, size_t r)
{
	const struct chg_trust_log *log = &index->trust;
	size_t i, pos, *entry;

	if (!index->entry || !index->chain_pos ||
	    (pos = index->chain_pos[r]) == CHG_TRUST_NONE)
		return compute_entries(out, index, r);
	if (!(entry = malloc((log->n + 1) * sizeof(*entry))))
		return CHG_ENOMEM;
	for (i = 0; i < log->n; i++)
		entry[i] = index->entry[i] != CHG_TRUST_NONE &&
			   index->chain_pos[index->entry[i]] <= pos ?
			   index->entry[i] : CHG_TRUST_NONE;
	*out = entry;
	return 0;
}

/*
 * The by-id order of the view `out` (chg_history_index_ids) from the
 * index's: `map` says where each of the index's `n` items went (or
 * (size_t)-1), and the order of what is kept does not change.
 */
static int view_by_id(size_t **out, const size_t *index_by_id, const size_t *map,
		      size_t n)
{
	size_t i, k = 0;

	if (!(*out = malloc((n + 1) * sizeof(**out))))
		return CHG_ENOMEM;
	for (i = 0; i < n; i++)
		if (map[index_by_id[i]] != (size_t)-1)
			(*out)[k++] = map[index_by_id[i]];
	return 0;
}

/* Makes `out` a view of `index`: what they share is the index's. */
static void view_of(struct chg_history *out, const struct chg_history *index)
{
	out->view = 1;
	out->chain_pos = NULL;
	out->trust = index->trust;
	out->trust_changes = index->trust_changes;
	out->ntrust_changes = index->ntrust_changes;
	out->merges = index->merges;
	out->nmerges = index->nmerges;
	out->graph = index->graph;
	out->diff = index->diff;
}

/*
 * Fills the view `out` of `index` at record `r`, whose entries (which it
 * takes) say what it reaches (view_serves holds).
 */
static int make_view(struct chg_history *out, const struct chg_history *index,
		     size_t r, size_t *entry)
{
	size_t *map = malloc((index->napprovals + 1) * sizeof(*map));
	size_t *emap = malloc((index->nedits + 1) * sizeof(*emap));
	size_t i, j, rec;
	int error = 0;

	view_of(out, index);
	out->entry = entry;
	if (!map || !emap ||
	    !(out->approvals = calloc(index->napprovals + 1, sizeof(*out->approvals))) ||
	    !(out->edits = calloc(index->nedits + 1, sizeof(*out->edits)))) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < index->napprovals; i++) {
		const struct chg_approval *a = &index->approvals[i];
		map[i] = (size_t)-1;
		if (a->record == CHG_TRUST_NONE || entry[a->record] == CHG_TRUST_NONE)
			continue;
		map[i] = out->napprovals;
		out->approvals[out->napprovals] = *a;
		out->approvals[out->napprovals].rejected_after = NULL;
		out->approvals[out->napprovals++].nrejected_after = 0;
	}
	/* the rejections that stand over an approval, among those it reaches */
	for (i = 0; i < index->napprovals && !error; i++) {
		const struct chg_approval *a = &index->approvals[i];
		struct chg_approval *v;
		if (map[i] == (size_t)-1 || !a->nrejected_after)
			continue;
		v = &out->approvals[map[i]];
		if (!(v->rejected_after = malloc(a->nrejected_after * sizeof(*v->rejected_after)))) {
			error = CHG_ENOMEM;
			break;
		}
		for (j = 0; j < a->nrejected_after; j++)
			if (map[a->rejected_after[j]] != (size_t)-1)
				v->rejected_after[v->nrejected_after++] = map[a->rejected_after[j]];
	}
	for (i = 0; i < index->nedits && !error; i++) {
		rec = chg_trust_log_find(&index->trust, &index->edits[i].commit);
		emap[i] = (size_t)-1;
		if (rec != CHG_TRUST_NONE && entry[rec] != CHG_TRUST_NONE) {
			emap[i] = out->nedits;
			out->edits[out->nedits++] = index->edits[i];
		}
	}
	if (!error && !(out->finals = calloc(index->nfinals + 1, sizeof(*out->finals))))
		error = CHG_ENOMEM;
	for (i = 0; i < index->nfinals && !error; i++) {
		rec = chg_trust_log_find(&index->trust, &index->finals[i].commit);
		if (rec != CHG_TRUST_NONE && entry[rec] != CHG_TRUST_NONE)
			out->finals[out->nfinals++] = index->finals[i];
	}
	out->alloc_approvals = index->napprovals + 1;
	out->alloc_edits = index->nedits + 1;
	out->alloc_finals = index->nfinals + 1;
	out->trust.tip = r;
	if (!error && index->approvals_by_id && index->edits_by_id &&
	    (error = view_by_id(&out->approvals_by_id, index->approvals_by_id, map,
				index->napprovals)) == 0)
		error = view_by_id(&out->edits_by_id, index->edits_by_id, emap,
				   index->nedits);
	else if (!error)
		error = chg_history_index_ids(out);
cleanup:
	free(map);
	free(emap);
	return error;
}

/* ---- views of some change requests ---- */

static int history_at(struct chg_history *out, const struct chg_history *index,
		      git_repository *repo, const git_oid *at,
		      const struct chg_policy *policy,
		      const struct chg_change_set *known);

/* Where record `rec` entered the chain of the revision at chain position
 * `pos` of the index's chain: the index's entry when it is at or before
 * `pos`, else CHG_TRUST_NONE (not reached). */
static size_t entry_at(const struct chg_history *index, size_t pos, size_t rec)
{
	size_t e = rec == CHG_TRUST_NONE ? CHG_TRUST_NONE : index->entry[rec];

	return e != CHG_TRUST_NONE && index->chain_pos[e] <= pos ? e : CHG_TRUST_NONE;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The items of `index_by_id` (n items of `h`, ordered by id) whose ids are
 * `ids` (nids, each once) into a new array *out (*nout of them), ascending:
 * the history's order.
 */
static int items_of(size_t **out, size_t *nout, const size_t *index_by_id,
		    size_t n, const char *(*id_of)(const struct chg_history *, size_t),
		    const struct chg_history *h, const char *const *ids, size_t nids)
{
	size_t i, k, first, len, total = 0, *items;

	for (i = 0; i < nids; i++)
		total += id_run(&first, index_by_id, n, id_of, h, ids[i]);
	if (!(items = malloc((total + 1) * sizeof(*items))))
		return CHG_ENOMEM;
	*nout = 0;
	for (i = 0; i < nids; i++) {
		len = id_run(&first, index_by_id, n, id_of, h, ids[i]);
		for (k = 0; k < len; k++)
			items[(*nout)++] = RUN_ITEM(index_by_id, first, k);
	}
	qsort(items, *nout, sizeof(*items), cmp_size);
	*out = items;
	return 0;
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* `ids` (n) sorted, each once, into a new array *out (*nout of them; the
 * strings are borrowed). */
static int unique_ids(const char ***out, size_t *nout, const char *const *ids,
		      size_t n)
{
	const char **u = malloc((n + 1) * sizeof(*u));
	size_t i, k = 0;

	if (!u)
		return CHG_ENOMEM;
	memcpy(u, ids, n * sizeof(*u));
	qsort(u, n, sizeof(*u), cmp_str_ptr);
	for (i = 0; i < n; i++)
		if (!k || strcmp(u[k - 1], u[i]))
			u[k++] = u[i];
	*out = u;
	*nout = k;
	return 0;
}

/*
 * view_serves for a view at chain position `pos` of the index's chain
 * that evaluates only the approvals `ap` (n of them, the index's) and
 * those of the trust: the same conditions, asked of what it holds.
 */
static int focus_serves(const struct chg_history *index, git_repository *repo,
			size_t r, size_t pos, const size_t *ap, size_t n,
			const size_t *trust_ap, size_t ntrust)
{
	const struct chg_trust_log *log = &index->trust;
	size_t i, k, e, et, x, y, rec;
	git_oid a, b;

	if (!same_root(index, r))
		return 0;
	for (i = 0; i < index->ntrust_changes; i++) {
		const struct chg_trust_change *tc = &index->trust_changes[i];
		if (entry_at(index, pos, tc->record) == CHG_TRUST_NONE)
			continue;
		for (k = 0; k < tc->n; k++) {
			size_t at = entry_at(index, pos, tc->verdicts[k].approval->record);
			if (tc->verdicts[k].verdict == CHG_VERDICT_COUNTED && at == CHG_TRUST_NONE)
				return 0;
			/* withdrawn by a rejection it may not reach */
			if (tc->verdicts[k].verdict == CHG_VERDICT_WITHDRAWN && at != CHG_TRUST_NONE)
				return 0;
		}
	}
	for (i = 0; i < n + ntrust; i++) {
		rec = index->approvals[i < n ? ap[i] : trust_ap[i - n]].record;
		if ((x = entry_at(index, pos, rec)) == CHG_TRUST_NONE ||
		    (y = index->entry[rec]) == x)
			continue;
		if (effective_state(log, x) != effective_state(log, y))
			return 0;
	}
	e = log->records[r].effective;
	et = log->records[log->tip].effective;
	if (e == et)
		return 1;
	if (revoked_id(&a, repo, log, e) < 0 || revoked_id(&b, repo, log, et) < 0)
		return CHG_EGIT;
	return git_oid_equal(&a, &b);
}

/* Fills the view `out` of `index` at chain position `pos` holding the
 * approvals `ap` (n), the edits `ed` (ne) and the final states of `ids`
 * that it reaches (focus_serves holds). */
static int make_focus(struct chg_history *out, const struct chg_history *index,
		      size_t r, size_t pos, const size_t *ap, size_t n,
		      const size_t *ed, size_t ne, const char *const *ids, size_t nids)
{
	const struct chg_final_state *f;
	size_t i, j, k, *viewed = NULL, nviewed = 0;
	int error = 0;

	view_of(out, index);
	out->entry = NULL;
	if (!(viewed = malloc((n + 1) * sizeof(*viewed))) ||
	    !(out->approvals = calloc(n + 1, sizeof(*out->approvals))) ||
	    !(out->edits = calloc(ne + 1, sizeof(*out->edits)))) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		const struct chg_approval *a = &index->approvals[ap[i]];
		if (entry_at(index, pos, a->record) == CHG_TRUST_NONE)
			continue;
		viewed[nviewed++] = ap[i];
		out->approvals[out->napprovals] = *a;
		out->approvals[out->napprovals].rejected_after = NULL;
		out->approvals[out->napprovals++].nrejected_after = 0;
	}
	/* the rejections that stand over an approval, among those it reaches
	   (a rejection is of the same change request: it is held) */
	for (i = 0; i < nviewed && !error; i++) {
		const struct chg_approval *a = &index->approvals[viewed[i]];
		struct chg_approval *v = &out->approvals[i];
		size_t *at;
		if (!a->nrejected_after)
			continue;
		if (!(v->rejected_after = malloc(a->nrejected_after * sizeof(*v->rejected_after)))) {
			error = CHG_ENOMEM;
			break;
		}
		for (j = 0; j < a->nrejected_after; j++)
			if ((at = bsearch(&a->rejected_after[j], viewed, nviewed,
					  sizeof(*viewed), cmp_size)))
				v->rejected_after[v->nrejected_after++] = (size_t)(at - viewed);
	}
	for (i = 0; i < ne && !error; i++) {
		size_t rec = chg_trust_log_find(&index->trust, &index->edits[ed[i]].commit);
		if (entry_at(index, pos, rec) != CHG_TRUST_NONE)
			out->edits[out->nedits++] = index->edits[ed[i]];
	}
	if (!error && !(out->finals = calloc(index->nfinals + 1, sizeof(*out->finals))))
		error = CHG_ENOMEM;
	for (k = 0; k < nids && !error; k++) {
		if (!(f = chg_history_final(index, ids[k])))
			continue;
		/* the first of its run: chg_history_final finds one of them */
		while (f > index->finals && !strcmp(f[-1].change_id, ids[k]))
			f--;
		for (; f < index->finals + index->nfinals &&
		       !strcmp(f->change_id, ids[k]); f++) {
			size_t rec = chg_trust_log_find(&index->trust, &f->commit);
			if (entry_at(index, pos, rec) != CHG_TRUST_NONE)
				out->finals[out->nfinals++] = *f;
		}
	}
	if (!error)
		qsort(out->finals, out->nfinals, sizeof(*out->finals), cmp_final);
	out->alloc_approvals = n + 1;
	out->alloc_edits = ne + 1;
	out->alloc_finals = index->nfinals + 1;
	out->trust.tip = r;
	if (!error)
		error = chg_history_index_ids(out);
cleanup:
	free(viewed);
	return error;
}

int chg_history_at_ids(struct chg_history *out, const struct chg_history *index,
		       git_repository *repo, const git_oid *at,
		       const struct chg_policy *policy,
		       const char *const *ids, size_t nids,
		       const struct chg_change_set *known)
{
	static const char *const trust_id[] = { CHG_TRUST_CHANGE_REQUEST };
	char digest[CHG_DIGEST_SIZE];
	size_t r, pos, *ap = NULL, *ed = NULL, *tap = NULL, nap = 0, ned = 0, ntap = 0;
	const char **uniq = NULL;
	int error;

	r = index && at ? chg_trust_log_find(&index->trust, at) : CHG_TRUST_NONE;
	if (!ids || r == CHG_TRUST_NONE || !index->entry || !index->chain_pos ||
	    !index->approvals_by_id || !index->edits_by_id ||
	    (pos = index->chain_pos[r]) == CHG_TRUST_NONE ||
	    index->trust.tip == CHG_TRUST_NONE)
		return history_at(out, index, repo, at, policy, known);
	if ((error = chg_digest_compute(digest, policy->root, NULL)) < 0)
		return error;
	if (strcmp(digest, index->policy_digest))
		return chg_history_load_known(out, repo, at, policy, known);
	/* each id once, however often it was given (a push of many files) */
	if ((error = unique_ids(&uniq, &nids, ids, nids)) < 0)
		return error;
	ids = uniq;
	if ((error = items_of(&ap, &nap, index->approvals_by_id, index->napprovals,
			      approval_id, index, ids, nids)) < 0 ||
	    (error = items_of(&tap, &ntap, index->approvals_by_id, index->napprovals,
			      approval_id, index, trust_id, 1)) < 0 ||
	    (error = items_of(&ed, &ned, index->edits_by_id, index->nedits,
			      edit_id, index, ids, nids)) < 0 ||
	    (error = focus_serves(index, repo, r, pos, ap, nap, tap, ntap)) < 0)
		goto cleanup;
	if (!error) {
		error = history_at(out, index, repo, at, policy, known);
		goto cleanup;
	}
	memcpy(out->policy_digest, digest, CHG_DIGEST_SIZE);
	if ((error = make_focus(out, index, r, pos, ap, nap, ed, ned, ids, nids)) < 0)
		chg_history_release(out);
cleanup:
	free(ap);
	free(tap);
	free(ed);
	free(uniq);
	return error;
}

static int history_at(struct chg_history *out, const struct chg_history *index,
		      git_repository *repo, const git_oid *at,
		      const struct chg_policy *policy,
		      const struct chg_change_set *known)
{
	char digest[CHG_DIGEST_SIZE];
	size_t r, *entry = NULL;
	int error;

	r = index && at ? chg_trust_log_find(&index->trust, at) : CHG_TRUST_NONE;
	if (r != CHG_TRUST_NONE && (error = view_entries(&entry, index, r)) < 0)
		return error;
	if ((error = view_serves(index, repo, r, entry)) < 0) {
		free(entry);
		return error;
	}
	if (!error ||
	    (error = chg_digest_compute(digest, policy->root, NULL)) < 0 ||
	    strcmp(digest, index->policy_digest)) {
		free(entry);
		return error < 0 ? error : chg_history_load_known(out, repo, at, policy, known);
	}
	memcpy(out->policy_digest, digest, CHG_DIGEST_SIZE);
	if ((error = make_view(out, index, r, entry)) < 0)
		chg_history_release(out);
	return error;
}

int chg_history_at(struct chg_history *out, const struct chg_history *index,
		   git_repository *repo, const git_oid *at,
		   const struct chg_policy *policy)
{
	return history_at(out, index, repo, at, policy, NULL);
}

void chg_history_release(struct chg_history *h)
{
	static const struct chg_history init = CHG_HISTORY_INIT;
	size_t i, j;

	if (!h)
		return;
	for (i = 0; i < h->napprovals; i++) {
		free(h->approvals[i].rejected_after);
		if (h->view)
			continue;
		free(h->approvals[i].change_id);
		free(h->approvals[i].digest);
		free(h->approvals[i].identity);
		free(h->approvals[i].email);
		free(h->approvals[i].author_email);
		free(h->approvals[i].committer_email);
		chg_signature_result_release(&h->approvals[i].signature);
	}
	free(h->approvals);
	for (i = 0; i < h->nedits && !h->view; i++) {
		free(h->edits[i].change_id);
		free(h->edits[i].author_email);
		free(h->edits[i].committer_email);
		free(h->edits[i].unverified);
		chg_strlist_release(&h->edits[i].signers);
	}
	free(h->edits);
	for (i = 0; i < h->ntrust_changes && !h->view; i++) {
		struct chg_trust_change *tc = &h->trust_changes[i];
		for (j = 0; j < tc->n; j++)
			free(tc->verdicts[j].reason);
		free(tc->verdicts);
		free(tc->path);
		free(tc->groups);
	}
	free(h->approvals_by_id);
	free(h->edits_by_id);
	for (i = 0; i < h->nfinals && !h->view; i++) {
		free(h->finals[i].change_id);
		free(h->finals[i].state);
	}
	free(h->finals);
	free(h->entry);
	if (!h->view) {
		chg_treediff_free(h->diff);
		chg_graph_release(h->graph);
		free(h->graph);
		free(h->chain_pos);
		free(h->trust_changes);
		chg_trust_log_release(&h->trust);
		free(h->merges);
	}
	*h = init;
}

/* ---- trust changes ---- */

/* The policies that judge trust changes, loaded once each. */
struct judge_policy {
	size_t record;             /* whose tree; CHG_TRUST_NONE: built-in */
	struct chg_policy *policy; /* NULL: it does not load */
};

struct judges {
	struct judge_policy *items;
	size_t n, alloc;
};

static void judges_release(struct judges *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		chg_policy_free(j->items[i].policy);
	free(j->items);
}

/*
 * The policy in the tree of trust record `record` (CHG_TRUST_NONE: none,
 * the built-in policy alone) into *out, NULL when it does not load.
 * Returns 0, CHG_EGIT or CHG_ENOMEM.
 */
static int judge_policy(struct chg_policy **out, struct walk *w,
			struct judges *cache, size_t record)
{
	struct chg_diag_list scratch = CHG_DIAG_LIST_INIT;
	struct chg_buf buf = CHG_BUF_INIT;
	struct chg_policy *p = NULL;
	struct judge_policy *jp;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	size_t i, size;
	int error = CHG_ENOTFOUND;

	*out = NULL;
	for (i = 0; i < cache->n; i++)
		if (cache->items[i].record == record) {
			*out = cache->items[i].policy;
			return 0;
		}
	if (record != CHG_TRUST_NONE) {
		if (git_commit_lookup(&commit, w->repo, &w->h->trust.records[record].commit) < 0 ||
		    git_commit_tree(&tree, commit) < 0) {
			error = CHG_EGIT;
			goto cleanup;
		}
		error = chg_tree_read(&buf, &size, w->repo, tree, CHG_TRUST_POLICY_PATH,
				      CHG_YAML_MAX_SIZE);
	}
	if (error == CHG_ENOTFOUND)
		error = chg_policy_load(&p, NULL, 0, NULL, &scratch);
	else if (!error)
		error = chg_policy_load(&p, buf.ptr, buf.len, CHG_TRUST_POLICY_PATH, &scratch);
	/* too large or invalid: it approves nothing */
	if (error == CHG_ELIMIT || error == CHG_EINVALID)
		error = 0;
	if (error < 0)
		goto cleanup;
	if (cache->n == cache->alloc) {
		size_t n = cache->alloc ? cache->alloc * 2 : 4;
		if (!(jp = realloc(cache->items, n * sizeof(*jp)))) {
			error = CHG_ENOMEM;
			goto cleanup;
		}
		cache->items = jp;
		cache->alloc = n;
	}
	cache->items[cache->n].record = record;
	cache->items[cache->n++].policy = p;
	*out = p;
	p = NULL;
cleanup:
	chg_policy_free(p);
	chg_diag_list_release(&scratch);
	chg_buf_release(&buf);
	git_tree_free(tree);
	git_commit_free(commit);
	return error;
}

/* Whether `email` is one of `list` (case-insensitively). */
static int listed(const struct chg_strlist *list, const char *email)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (!strcasecmp(list->items[i], email))
			return 1;
	return 0;
}

/* Whether `a` is an approval of the trust state of `tc`. */
static int names_trust_change(const struct chg_approval *a,
			      const struct chg_trust_change *tc)
{
	return !a->rejected && !strcmp(a->change_id, CHG_TRUST_CHANGE_REQUEST) &&
	       a->digest && !strcmp(a->digest, tc->digest);
}

/*
 * Adds to `out` the author, the committer and (when signatures are
 * required) the verified signer of every commit that contributed to the
 * trust change `commit`: itself and each commit it brings in (reachable
 * from it, not from its first parent) that changed the trust files
 * relative to its own first parent, on whatever branch (DESIGN section
 * 5).  Signatures are verified against `trust`, named `origin`.
 */
static int trust_change_makers(struct chg_strlist *out, struct walk *w,
			       git_commit *commit, const struct chg_policy *policy,
			       const git_oid *trust, const char *origin)
{
	const struct chg_trust_log *log = &w->h->trust;
	const struct chg_graph *g = w->h->graph;
	struct chg_signature_result sig = CHG_SIGNATURE_RESULT_INIT;
	unsigned char *hidden = NULL, *brought = NULL;
	size_t i, at = chg_graph_find(g, git_commit_id(commit)), first;
	int error = 0;

	if (at == CHG_GRAPH_NONE)
		return 0;
	/* the commits it brings in: those it reaches that its first parent
	   does not */
	if (!(hidden = calloc(g->n + 1, 1)) || !(brought = calloc(g->n + 1, 1))) {
		error = CHG_ENOMEM;
		goto cleanup;
	}
	if ((first = chg_graph_parent(g, at, 0)) != CHG_GRAPH_NONE &&
	    (error = chg_graph_mark(hidden, g, first)) < 0)
		goto cleanup;
	for (i = 0; i < g->n; i++)
		brought[i] = hidden[i];
	if ((error = chg_graph_mark(brought, g, at)) < 0)
		goto cleanup;
	for (i = 0; i < g->norder && !error; i++) {
		size_t r = i, k = g->order[i];
		const git_signature *who;
		git_commit *c;

		/* record i is the commit g->order[i] */
		if (hidden[k] || !brought[k] || !log->records[r].changed)
			continue;
		if (git_commit_lookup(&c, w->repo, &g->commits[k].id) < 0) {
			error = CHG_EGIT;
			break;
		}
		if ((who = git_commit_author(c)) && who->email)
			error = chg_strlist_add(out, who->email);
		if (!error && (who = git_commit_committer(c)) && who->email)
			error = chg_strlist_add(out, who->email);
		if (!error && policy->require_signature) {
			error = chg_trust_verify_commit(&sig, w->verifier, w->repo, c,
							trust, origin, NULL);
			if (!error)
				error = add_signers(out, &sig);
			else if (error == CHG_ENOTFOUND)
				error = 0;
			chg_signature_result_release(&sig);
		}
		git_commit_free(c);
	}
cleanup:
	free(hidden);
	free(brought);
	return error;
}

/*
 * Adds to `out` the makers (trust_change_makers) of the unapproved trust
 * changes on the first-parent chain between the last approved trust state
 * `judge` and the trust change `tc`: an approval of tc's digest approves
 * their changes too, since its trust state holds them, so who made them
 * does not approve it either.  A change undone on the way is counted all
 * the same: that only keeps someone from approving.
 */
static int earlier_makers(struct chg_strlist *out, struct walk *w,
			  const struct chg_trust_change *tc,
			  const struct chg_policy *policy, size_t judge,
			  const char *origin)
{
	const struct chg_trust_log *log = &w->h->trust;
	const git_oid *trust = judge != CHG_TRUST_NONE ? &log->records[judge].commit : NULL;
	size_t k;
	int error = 0;

	for (k = log->records[tc->record].parent;
	     k != CHG_TRUST_NONE && k != judge && !error;
	     k = log->records[k].parent) {
		git_commit *c;

		if (!log->records[k].changed)
			continue;
		if (git_commit_lookup(&c, w->repo, &log->records[k].commit) < 0)
			return CHG_EGIT;
		error = trust_change_makers(out, w, c, policy, trust, origin);
		git_commit_free(c);
	}
	return error;
}

/*
 * Stores in *by the rejection that withdraws the approval `a` of a trust
 * change (rule 8: a later Rejected-by of the same digest by the same
 * person), judged as the approval is, under `policy` and the trust files
 * of `trust` named `origin`; NULL when none does.  Returns 0, CHG_EGIT or
 * CHG_ENOMEM.
 */
static int trust_withdrawn(const struct chg_approval **by, struct walk *w,
			   const struct chg_approval *a, const struct chg_policy *policy,
			   const git_oid *trust, const char *origin)
{
	const struct chg_history *h = w->h;
	struct chg_signature_result sig = CHG_SIGNATURE_RESULT_INIT;
	struct chg_buf scratch = CHG_BUF_INIT;
	git_commit *rc = NULL;
	size_t i;
	int error = 0;

	*by = NULL;
	for (i = 0; i < a->nrejected_after && !*by && !error; i++) {
		const struct chg_approval *r = &h->approvals[a->rejected_after[i]];
		if (policy->require_signature && r->is_signed) {
			if (git_commit_lookup(&rc, w->repo, &r->commit) < 0) {
				error = CHG_EGIT;
				break;
			}
			error = chg_trust_verify_commit(&sig, w->verifier, w->repo, rc,
							trust, origin, r->email);
			git_commit_free(rc);
			rc = NULL;
			if (error == CHG_ENOTFOUND)
				error = 0;
			if (error)
				break;
		}
		chg_buf_clear(&scratch);
		if (chg_approval_check_identity(&scratch, r, policy->require_signature, &sig,
						(int64_t)time(NULL)) == CHG_VERDICT_COUNTED)
			*by = r;
		chg_signature_result_release(&sig);
	}
	chg_buf_release(&scratch);
	return error;
}

/*
 * Judges the approvals of the trust change `tc` (commit `commit`) under
 * `policy` and the trust files of record `judge`, named `origin` in
 * messages.  An approval that is already in the history the change was
 * made on (its first parent or an ancestor of it) approved an earlier
 * change to the same trust state: replaying it would let a commit undo,
 * say, a key's revocation without anyone approving that.
 */
static int judge_approvals(struct walk *w, struct chg_trust_change *tc,
			   git_commit *commit, const struct chg_policy *policy,
			   size_t judge, const char *origin)
{
	const struct chg_history *h = w->h;
	const struct chg_approval_rule *rule = &policy->trust_rule;
	const git_oid *trust = judge != CHG_TRUST_NONE ? &h->trust.records[judge].commit : NULL;
	const git_oid *parent = git_commit_parentcount(commit) > 0 ?
				git_commit_parent_id(commit, 0) : NULL;
	struct chg_signature_result sig = CHG_SIGNATURE_RESULT_INIT;
	struct chg_strlist signers = CHG_STRLIST_INIT, earlier = CHG_STRLIST_INIT;
	struct chg_buf why = CHG_BUF_INIT;
	git_commit *ac = NULL;
	size_t i, j;
	int error = 0;

	if (!w->verifier && policy->require_signature &&
	    (error = chg_signature_verifier_new(&w->verifier, NULL)) < 0)
		return error;
	/* separation of duties: who made the change does not approve it */
	error = trust_change_makers(&signers, w, commit, policy, trust, origin);
	if (!error)
		error = earlier_makers(&earlier, w, tc, policy, judge, origin);
	for (i = j = 0; i < h->napprovals; i++)
		j += names_trust_change(&h->approvals[i], tc);
	if (!error && !(tc->verdicts = calloc(j + 1, sizeof(*tc->verdicts))))
		error = CHG_ENOMEM;
	for (i = 0; i < h->napprovals && !error; i++) {
		const struct chg_approval *a = &h->approvals[i], *by = NULL;
		struct chg_approval_verdict *v;
		int before = 0;

		if (!names_trust_change(a, tc))
			continue;
		if (parent && (before = reaches(h, parent, &a->commit)) < 0) {
			error = before;
			break;
		}
		if (a->nrejected_after &&
		    (error = trust_withdrawn(&by, w, a, policy, trust, origin)) < 0)
			break;
		if (!a->malformed && policy->require_signature && a->is_signed) {
			if (git_commit_lookup(&ac, w->repo, &a->commit) < 0) {
				error = CHG_EGIT;
				break;
			}
			error = chg_trust_verify_commit(&sig, w->verifier, w->repo, ac,
							trust, origin, a->email);
			git_commit_free(ac);
			ac = NULL;
			if (error == CHG_ENOTFOUND)
				error = 0;
			if (error)
				break;
		}
		v = &tc->verdicts[tc->n++];
		v->approval = a;
		chg_buf_clear(&why);
		v->verdict = chg_approval_check_identity(&why, a, policy->require_signature, &sig,
					    (int64_t)time(NULL));
		chg_signature_result_release(&sig);
		if (v->verdict != CHG_VERDICT_COUNTED) {
			/* `why` says why */
		} else if (listed(&signers, a->email)) {
			v->verdict = CHG_VERDICT_SELF;
			chg_buf_printf(&why, "approval by %s in %s does not count: %s authored, committed or signed %s, the trust change it approves",
				       a->email, a->short_id, a->email, tc->short_id);
		} else if (listed(&earlier, a->email)) {
			v->verdict = CHG_VERDICT_SELF;
			char jid[8] = "";
			if (judge != CHG_TRUST_NONE)
				chg_oid_short(jid, &h->trust.records[judge].commit);
			chg_buf_printf(&why, "approval by %s in %s does not count: %s authored, committed or signed an unapproved trust change that %s builds on (%s%s), so it would approve that change too",
				       a->email, a->short_id, a->email, tc->short_id,
				       *jid ? "made after the last approved trust, in " : "there is no approved trust before it",
				       jid);
		} else if (!chg_approval_allowed(policy, rule, a->email)) {
			v->verdict = CHG_VERDICT_NOT_ALLOWED;
			chg_buf_printf(&why, "approval by %s in %s does not count: the approver is not in ",
				       a->email, a->short_id);
			chg_approval_rule_groups(&why, rule);
		} else if (before) {
			v->verdict = CHG_VERDICT_STALE;
			chg_buf_printf(&why, "approval by %s in %s does not count for %s: it was made before the change, for an earlier change to the same trust files; ask for a new approval",
				       a->email, a->short_id, tc->short_id);
		} else if (by) {
			v->verdict = CHG_VERDICT_WITHDRAWN;
			chg_buf_printf(&why, "approval by %s in %s is withdrawn: %s rejected the same trust files in %s",
				       a->email, a->short_id, a->email, by->short_id);
		} else {
			for (j = 0; j + 1 < tc->n; j++)
				if (tc->verdicts[j].verdict == CHG_VERDICT_COUNTED &&
				    !strcasecmp(tc->verdicts[j].approval->email, a->email))
					v->verdict = CHG_VERDICT_DUPLICATE;
			if (v->verdict != CHG_VERDICT_DUPLICATE)
				tc->counted++;
		}
		if (why.len && !(v->reason = chg_buf_detach(&why)))
			error = CHG_ENOMEM;
	}
	chg_signature_result_release(&sig);
	chg_strlist_release(&signers);
	chg_strlist_release(&earlier);
	chg_buf_release(&why);
	return error;
}

/* Whether `email` is listed in `seen` and, if not, lists it. */
static int seen_before(struct chg_strlist *seen, const char *email, int *found)
{
	*found = listed(seen, email);
	return *found ? 0 : chg_strlist_add(seen, email);
}

/* Whether a valid line of `signers` that is no certificate authority
 * trusts a key for `email` at `when`. */
static int has_trusted_key(const struct chg_sshsig_signers *signers,
			   const char *email, int64_t when)
{
	size_t i;

	for (i = 0; signers && i < signers->n; i++)
		if (signers->lines[i].valid && !signers->lines[i].cert_authority &&
		    chg_sshsig_signers_allow(signers, &signers->lines[i].key, email,
					     "git", when))
			return 1;
	return 0;
}

/*
 * Counts into tc->trusted how many approvers could ever count for a trust
 * change judged under `policy` and the trust files of record `judge`
 * (approval.h).
 */
static int count_trusted(struct chg_trust_change *tc, struct walk *w,
			 const struct chg_policy *policy, size_t judge)
{
	const struct chg_node *from = policy->trust_rule.from, *members;
	struct chg_sshsig_signers *signers = NULL;
	struct chg_strlist seen = CHG_STRLIST_INIT;
	struct chg_buf buf = CHG_BUF_INIT;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	int64_t now = (int64_t)time(NULL);
	size_t i, k, size, n = 0;
	int error = 0, found;

	tc->trusted = CHG_TRUST_UNKNOWN;
	if (!policy->require_signature)
		return 0;
	if (judge != CHG_TRUST_NONE) {
		if (git_commit_lookup(&commit, w->repo, &w->h->trust.records[judge].commit) < 0 ||
		    git_commit_tree(&tree, commit) < 0) {
			error = CHG_EGIT;
			goto cleanup;
		}
		/* OpenPGP keys are not counted here */
		error = chg_tree_read(&buf, &size, w->repo, tree, CHG_KEYS_PATH,
				      CHG_TRUST_MAX_SIZE);
		if (error != CHG_ENOTFOUND) {
			error = error == CHG_ENOMEM ? error : 0;
			goto cleanup;
		}
		chg_buf_clear(&buf);
		error = chg_tree_read(&buf, &size, w->repo, tree, CHG_ALLOWED_SIGNERS_PATH,
				      CHG_TRUST_MAX_SIZE);
		if (error == CHG_ENOMEM)
			goto cleanup;
		if (!error && (error = chg_sshsig_signers_parse(&signers, buf.ptr, buf.len)) < 0)
			goto cleanup;
		if (error && error != CHG_ENOTFOUND) {
			error = 0;
			goto cleanup;
		}
		error = 0;
	}
	if (signers && signers->uncertain)
		goto cleanup;
	for (i = 0; signers && i < signers->n; i++)
		if (signers->lines[i].valid && signers->lines[i].cert_authority)
			goto cleanup;
	if (!from || from->type != CHG_NODE_SEQUENCE) {
		/* anyone: the keys, each counting once */
		for (i = 0; signers && i < signers->n; i++) {
			const struct chg_sshsig_signer *l = &signers->lines[i];
			if (!l->valid)
				continue;
			for (k = 0; k < i; k++)
				if (signers->lines[k].valid &&
				    signers->lines[k].key.len == l->key.len &&
				    !memcmp(signers->lines[k].key.blob, l->key.blob, l->key.len))
					break;
			n += k == i;
		}
	} else {
		for (i = 0; i < from->n && !error; i++) {
			if (from->items[i]->type != CHG_NODE_SCALAR ||
			    !(members = chg_node_get(policy->groups, from->items[i]->value)) ||
			    members->type != CHG_NODE_SEQUENCE)
				continue;
			for (k = 0; k < members->n && !error; k++) {
				const char *email = members->items[k]->value;
				if (members->items[k]->type != CHG_NODE_SCALAR ||
				    !has_trusted_key(signers, email, now))
					continue;
				if (!(error = seen_before(&seen, email, &found)) && !found)
					n++;
			}
		}
	}
	if (!error)
		tc->trusted = n;
cleanup:
	chg_sshsig_signers_free(signers);
	chg_strlist_release(&seen);
	chg_buf_release(&buf);
	git_tree_free(tree);
	git_commit_free(commit);
	return error;
}

/* Whether the trust files of record `judge` are those of r's first parent. */
static int judge_is_parent(const struct chg_trust_log *log,
			   const struct chg_trust_record *r, size_t judge)
{
	return judge != CHG_TRUST_NONE && r->parent != CHG_TRUST_NONE &&
	       log->records[judge].state == log->records[r->parent].state;
}

/*
 * Judges the trust change at record `i` of the log, whose first parent's
 * last approved trust state is record `judge`, and sets its status and
 * effective trust.
 */
static int judge_change(struct walk *w, struct judges *cache, size_t i,
			size_t judge)
{
	struct chg_history *h = w->h;
	struct chg_trust_log *log = &h->trust;
	struct chg_trust_record *r = &log->records[i];
	struct chg_trust_change *tc;
	struct chg_policy *policy = NULL;
	struct chg_buf origin = CHG_BUF_INIT, groups = CHG_BUF_INIT;
	git_commit *commit = NULL, *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	char sid[8];
	int error = 0;

	if (h->ntrust_changes == h->alloc_trust_changes) {
		size_t n = h->alloc_trust_changes ? h->alloc_trust_changes * 2 : 8;
		if (!(tc = realloc(h->trust_changes, n * sizeof(*tc))))
			return CHG_ENOMEM;
		h->trust_changes = tc;
		h->alloc_trust_changes = n;
	}
	tc = &h->trust_changes[h->ntrust_changes++];
	memset(tc, 0, sizeof(*tc));
	tc->record = i;
	tc->judge = judge;
	tc->trusted = CHG_TRUST_UNKNOWN;
	git_oid_cpy(&tc->commit, &r->commit);
	chg_oid_short(tc->short_id, &r->commit);
	memcpy(tc->digest, log->states[r->state].digest, CHG_DIGEST_SIZE);

	if (git_commit_lookup(&commit, w->repo, &r->commit) < 0 ||
	    git_commit_tree(&tree, commit) < 0) {
		error = CHG_EGIT;
		goto cleanup;
	}
	if (git_commit_parentcount(commit) > 0 &&
	    (git_commit_parent(&parent, commit, 0) < 0 ||
	     git_commit_tree(&ptree, parent) < 0))
		ptree = NULL;  /* not here: compared with nothing */
	if ((error = chg_trust_first_difference(&tc->path, w->repo, ptree, tree)) < 0)
		goto cleanup;
	if (!tc->path && !(tc->path = strdup(".chg"))) {
		error = CHG_ENOMEM;
		goto cleanup;
	}

	if (i == log->root) {
		tc->status = r->status = CHG_TRUST_ROOT;
		r->effective = i;
		goto cleanup;
	}
	if (r->state == (judge != CHG_TRUST_NONE ? log->records[judge].state :
			 CHG_TRUST_EMPTY_STATE)) {
		tc->status = r->status = CHG_TRUST_RESTORED;
		r->effective = i;
		goto cleanup;
	}
	if ((error = judge_policy(&policy, w, cache, judge)) < 0)
		goto cleanup;
	if (judge_is_parent(log, r, judge))
		error = chg_buf_printf(&origin, "%s's first parent %s", tc->short_id,
				       chg_oid_short(sid, &log->records[r->parent].commit));
	else if (judge != CHG_TRUST_NONE)
		error = chg_buf_printf(&origin, "the last approved trust (in %s) before %s",
				       chg_oid_short(sid, &log->records[judge].commit),
				       tc->short_id);
	else
		error = chg_buf_printf(&origin, "the last approved trust before %s (there is none)",
				       tc->short_id);
	if (!error && policy) {
		tc->required = policy->has_approvals ? policy->trust_rule.required : 0;
		chg_approval_rule_groups(&groups, &policy->trust_rule);
		if (groups.len && !(tc->groups = chg_buf_detach(&groups)))
			error = CHG_ENOMEM;
		if (!error && tc->required > 0)
			error = judge_approvals(w, tc, commit, policy, judge, origin.ptr);
		if (!error && tc->required > 0)
			error = count_trusted(tc, w, policy, judge);
	}
	tc->policy_invalid = !policy;
	if (!error && policy && (long long)tc->counted >= tc->required) {
		tc->status = r->status = CHG_TRUST_APPROVED;
		r->effective = i;
	} else {
		tc->status = r->status = CHG_TRUST_UNAPPROVED;
		r->effective = judge;
	}
cleanup:
	chg_buf_release(&origin);
	chg_buf_release(&groups);
	git_tree_free(ptree);
	git_tree_free(tree);
	git_commit_free(parent);
	git_commit_free(commit);
	return error;
}

/*
 * Walks the trust log parents first: each commit's status and the last
 * approved trust state in force at it (approval.h).
 */
static int judge_trust(struct walk *w)
{
	struct chg_trust_log *log = &w->h->trust;
	struct judges cache = { NULL, 0, 0 };
	size_t i, judge;
	int error = 0;

	for (i = 0; i < log->n && !error; i++) {
		struct chg_trust_record *r = &log->records[i];
		judge = r->parent != CHG_TRUST_NONE ? log->records[r->parent].effective :
			CHG_TRUST_NONE;
		if (r->changed) {
			error = judge_change(w, &cache, i, judge);
		} else {
			r->status = CHG_TRUST_UNCHANGED;
			r->effective = judge;
		}
	}
	judges_release(&cache);
	return error;
}

/* "under the trust of its first parent 1234567" and the like. */
static void under(struct chg_buf *b, const struct chg_history *h,
		  const struct chg_trust_change *tc)
{
	const struct chg_trust_log *log = &h->trust;
	const struct chg_trust_record *r = &log->records[tc->record];
	char jid[8], pid[8];

	if (r->parent != CHG_TRUST_NONE)
		chg_oid_short(pid, &log->records[r->parent].commit);
	if (tc->judge != CHG_TRUST_NONE)
		chg_oid_short(jid, &log->records[tc->judge].commit);
	if (judge_is_parent(log, r, tc->judge))
		chg_buf_printf(b, "under the trust of its first parent %s", pid);
	else if (tc->judge != CHG_TRUST_NONE)
		chg_buf_printf(b, "under the last approved trust, that of %s (its first parent %s holds unapproved trust changes)",
			       jid, pid);
	else if (r->parent != CHG_TRUST_NONE &&
		 log->records[r->parent].state == CHG_TRUST_EMPTY_STATE)
		chg_buf_printf(b, "under no trust: its first parent %s has no trust files and is not the root of trust",
			       pid);
	else if (r->parent != CHG_TRUST_NONE)
		chg_buf_printf(b, "under no trust: its first parent %s holds no approved trust", pid);
	else
		chg_buf_puts(b, "under no trust: it is a root commit and not the root of trust");
}

/*
 * Appends to `msg` that the trust change `tc` can never be approved (its
 * judge's trust has fewer approvers with a trusted key than its quorum),
 * and the way out: a new root of trust that holds the keys (DESIGN
 * section 5).  No rule is weakened: every trust change judged under that
 * trust is stuck the same way, so only the root of trust can bring keys.
 */
static void never_approved(struct chg_buf *msg, const struct chg_history *h,
			   const struct chg_trust_change *tc)
{
	char jid[8];

	if (tc->judge != CHG_TRUST_NONE)
		chg_oid_short(jid, &h->trust.records[tc->judge].commit);
	chg_buf_printf(msg, "the change in %s can never be approved: ", tc->short_id);
	if (tc->judge == CHG_TRUST_NONE)
		chg_buf_puts(msg, "there is no approved trust before it to verify approvals with");
	else if (!tc->trusted)
		chg_buf_printf(msg, "the trust it is judged under, that of %s, holds no key %s%s, and the policy there requires signed approvals",
			       jid, tc->groups ? "for any member of " : "at all",
			       tc->groups ? tc->groups : "");
	else if (tc->groups)
		chg_buf_printf(msg, "under the trust of %s only %zu member%s of %s %s a trusted key, and %lld approvals are required",
			       jid, tc->trusted, tc->trusted == 1 ? "" : "s", tc->groups,
			       tc->trusted == 1 ? "has" : "have", tc->required);
	else
		chg_buf_printf(msg, "under the trust of %s only %zu key%s %s trusted, and %lld approvals are required",
			       jid, tc->trusted, tc->trusted == 1 ? "" : "s",
			       tc->trusted == 1 ? "is" : "are", tc->required);
	chg_buf_puts(msg, ", so no change to the trust files can be approved after it; the way out is a new root of trust that holds the keys: start the protected history again from a commit that has them (git checkout --orphan new-main && git commit -m 'Root of trust'), pin it (git config chg.trustRoot $(git rev-parse HEAD); CHG_TRUST_ROOT or --trust-root in CI, chg.trustRoot on the server), and replace the branch on the server, keeping the old history under another ref");
}

/* Appends the findings about the unapproved trust change `tc`. */
static int report_unapproved(const struct chg_history *history,
			     const struct chg_trust_change *tc,
			     struct chg_diag_list *diags)
{
	struct chg_buf msg = CHG_BUF_INIT;
	size_t j, nlisted = 0;
	char jid[8];
	int error;

	chg_buf_printf(&msg, "%s changed in %s without approval: ", tc->path,
		       tc->short_id);
	if (tc->policy_invalid) {
		chg_buf_printf(&msg, "%s in %s, the policy it is judged under, does not load, so nothing can approve it",
			       CHG_TRUST_POLICY_PATH, tc->judge == CHG_TRUST_NONE ? "no commit" :
			       chg_oid_short(jid, &history->trust.records[tc->judge].commit));
	} else {
		chg_buf_printf(&msg, "%zu of the %lld required approval%s counted",
			       tc->counted, tc->required, tc->required == 1 ? "" : "s");
		if (tc->groups)
			chg_buf_printf(&msg, " (from %s)", tc->groups);
		chg_buf_putc(&msg, ' ');
		under(&msg, history, tc);
		for (j = 0; j < tc->n; j++) {
			const struct chg_approval_verdict *v = &tc->verdicts[j];
			const char *rule = chg_verdict_rule(v->verdict);
			chg_buf_printf(&msg, "%s%s %s %s", nlisted++ ? ", " : ": ",
				       v->approval->email ? v->approval->email :
				       *v->approval->identity ? v->approval->identity :
				       "(no approver)", v->approval->short_id,
				       rule ? rule : chg_verdict_name(v->verdict));
		}
		chg_buf_printf(&msg, "; its approvals name Change-Request: %s and Change-Digest: %s",
			       CHG_TRUST_CHANGE_REQUEST, tc->digest);
	}
	error = chg_diag_add(diags, tc->path, 0, 0, CHG_SEV_ERROR,
			     "trust-change-unapproved", "%s", msg.ptr);
	/* what to do when waiting for approvals is no way out */
	if (!error && !tc->policy_invalid && tc->trusted != CHG_TRUST_UNKNOWN &&
	    (long long)tc->trusted < tc->required) {
		chg_buf_clear(&msg);
		never_approved(&msg, history, tc);
		error = chg_diag_add(diags, tc->path, 0, 0, CHG_SEV_NOTE,
				     "trust-change-unapproved", "%s", msg.ptr);
	}
	for (j = 0; j < tc->n && !error; j++) {
		const struct chg_approval_verdict *v = &tc->verdicts[j];
		/* a repeat and a withdrawn one: named in the summary */
		if (!chg_verdict_rule(v->verdict))
			continue;
		error = chg_diag_add(diags, tc->path, 0, 0, CHG_SEV_ERROR,
				     chg_verdict_rule(v->verdict), "%s", v->reason);
	}
	chg_buf_release(&msg);
	return error;
}

/* The trust change of record `record`, or NULL. */
static const struct chg_trust_change *trust_change(const struct chg_history *h,
						   size_t record)
{
	size_t i;

	for (i = 0; i < h->ntrust_changes; i++)
		if (h->trust_changes[i].record == record)
			return &h->trust_changes[i];
	return NULL;
}

int chg_history_trust_approved(const struct chg_history *h)
{
	const struct chg_trust_log *log = &h->trust;
	size_t e;

	if (!log->n || log->tip == CHG_TRUST_NONE)
		return 1;
	e = log->records[log->tip].effective;
	return (e == CHG_TRUST_NONE ? CHG_TRUST_EMPTY_STATE : log->records[e].state) ==
	       log->records[log->tip].state;
}

int chg_approval_trust_check(const struct chg_history *history,
			     struct chg_diag_list *diags)
{
	const struct chg_trust_log *log = &history->trust;
	const struct chg_trust_change *tc, **found = NULL;
	size_t i, e, n = 0, alloc = 0;
	int error = 0;

	/*
	 * The trust changes in force at the revision: those on its
	 * first-parent chain since the last approved trust state, when the
	 * revision's own trust state is not that one.  An unapproved change
	 * that was undone judged nothing: every signature is verified against
	 * the last approved trust, and the revision's policy is approved.
	 */
	if (chg_history_trust_approved(history))
		return 0;
	e = log->records[log->tip].effective;
	for (i = log->tip; i != CHG_TRUST_NONE && i != e; i = log->records[i].parent) {
		if (log->records[i].status != CHG_TRUST_UNAPPROVED ||
		    !(tc = trust_change(history, i)))
			continue;
		if (n == alloc) {
			const struct chg_trust_change **p;
			alloc = alloc ? alloc * 2 : 8;
			if (!(p = realloc(found, alloc * sizeof(*p)))) {
				free(found);
				return CHG_ENOMEM;
			}
			found = p;
		}
		found[n++] = tc;
	}
	/* oldest first */
	for (i = n; i > 0 && !error; i--)
		error = report_unapproved(history, found[i - 1], diags);
	if (!error && n && log->root != CHG_TRUST_NONE &&
	    (tc = trust_change(history, log->root)))
		error = chg_diag_add(diags, tc->path, 0, 0, CHG_SEV_NOTE,
				     "trust-change-unapproved",
				     "%s is the root of trust: the trust files it introduced are trusted as they are, and every later change to them needs approval (approvals.trust)",
				     tc->short_id);
	free(found);
	return error;
}
