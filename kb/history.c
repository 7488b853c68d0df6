/*
 * history.c: who changed and who verified each path, from one walk of git
 * history, kept in a cache keyed by commit.
 *
 * For every path at the revision: the newest commit that changed it, and
 * its "touches": newest first, the newest commit per author email
 * (lowercased) and per Verified-by trailer value. The walk visits commits
 * children first (topological, then time) and compares each commit's tree
 * with its parents' by object id, descending only into folders whose ids
 * differ and that exist at the revision. Merges follow git log's default
 * simplification: a path that a merge takes unchanged from one parent is
 * followed down that parent only, and the merge changes a path only when
 * it differs from every parent. docs/internals/history.md tells more.
 *
 * The cache of what a walk found is history_cache.c's; the types both
 * share are in history_int.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "kb/kb.h"
#include "kb/kb_int.h"
#include "kb/history_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"

#include <errno.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/banned.h"


/* ----------------------------------------------------------------------
 * Small containers
 * -------------------------------------------------------------------- */

static void vec_push(u32vec *a, uint32_t x)
{
	if (a->n == a->cap)
		opex_array_grow((void **)&a->v, &a->cap, a->n + 1, sizeof(*a->v));
	a->v[a->n++] = x;
}

static void vec_copy(u32vec *out, const u32vec *a)
{
	out->n = 0;
	for (size_t i = 0; i < a->n; i++)
		vec_push(out, a->v[i]);
}

static void vec_free(u32vec *a)
{
	opex_free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

enum set_op { SET_UNION, SET_INTER, SET_MINUS };

/* out = a op b, on sorted arrays without duplicates; out aliases neither. */
static void set_apply(u32vec *out, const u32vec *a, const u32vec *b,
	enum set_op op)
{
	size_t i = 0, j = 0;

	out->n = 0;
	while (i < a->n || j < b->n) {
		if (j == b->n || (i < a->n && a->v[i] < b->v[j])) {
			if (op != SET_INTER)
				vec_push(out, a->v[i]);
			i++;
		} else if (i == a->n || b->v[j] < a->v[i]) {
			if (op == SET_UNION)
				vec_push(out, b->v[j]);
			j++;
		} else {
			if (op != SET_MINUS)
				vec_push(out, a->v[i]);
			i++;
			j++;
		}
	}
}

/*
 * The paths still followed on a line of history: `s` when !neg, every
 * path except `s` when neg. "Every path" is { neg, empty }.
 */
static void live_release(liveset *l)
{
	vec_free(&l->s);
	l->set = l->neg = false;
}

static bool live_empty(const liveset *l)
{
	return !l->neg && l->s.n == 0;
}

static bool live_all(const liveset *l)
{
	return l->neg && l->s.n == 0;
}

bool opex_kb_liveset_has(const liveset *l, uint32_t x)
{
	size_t lo = 0, hi = l->s.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->s.v[mid] == x)
			return !l->neg;
		if (l->s.v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return l->neg;
}

/* out = a ∩ b (inter) or a ∪ b; out aliases neither. */
static void live_combine(liveset *out, const liveset *a, const liveset *b,
	bool inter)
{
	out->set = true;
	if (inter) {
		if (!a->neg && !b->neg)
			set_apply(&out->s, &a->s, &b->s, SET_INTER);
		else if (!a->neg)
			set_apply(&out->s, &a->s, &b->s, SET_MINUS);
		else if (!b->neg)
			set_apply(&out->s, &b->s, &a->s, SET_MINUS);
		else
			set_apply(&out->s, &a->s, &b->s, SET_UNION);
		out->neg = a->neg && b->neg;
	} else {
		if (!a->neg && !b->neg)
			set_apply(&out->s, &a->s, &b->s, SET_UNION);
		else if (!a->neg)
			set_apply(&out->s, &b->s, &a->s, SET_MINUS);
		else if (!b->neg)
			set_apply(&out->s, &a->s, &b->s, SET_MINUS);
		else
			set_apply(&out->s, &a->s, &b->s, SET_INTER);
		out->neg = a->neg || b->neg;
	}
}

/* *target ∪= src, using `tmp` as scratch. */
static void live_merge_into(liveset *target, const liveset *src, liveset *tmp)
{
	liveset swap;

	if (!target->set) {
		target->set = true;
		target->neg = src->neg;
		target->s.n = 0;
		for (size_t i = 0; i < src->s.n; i++)
			vec_push(&target->s, src->s.v[i]);
		return;
	}
	if (live_all(target) || live_empty(src))
		return;
	live_combine(tmp, target, src, false);
	swap = *target;
	*target = *tmp;
	*tmp = swap;
}

static char *pool_dup(strpool *p, const char *s, size_t len)
{
	char *dst;

	if (p->count == 0 || p->size - p->used < len + 1) {
		size_t size = len + 1 > POOL_BLOCK ? len + 1 : POOL_BLOCK;

		opex_array_grow((void **)&p->blocks, &p->cap, p->count + 1,
			sizeof(*p->blocks));
		p->blocks[p->count++] = opex_malloc(size);
		p->used = 0;
		p->size = size;
	}
	dst = p->blocks[p->count - 1] + p->used;
	memcpy(dst, s, len);
	dst[len] = '\0';
	p->used += len + 1;
	return dst;
}

static void pool_release(strpool *p)
{
	for (size_t i = 0; i < p->count; i++)
		opex_free(p->blocks[i]);
	opex_free(p->blocks);
	memset(p, 0, sizeof(*p));
}

uint32_t opex_kb_fnv1a(uint32_t h, const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}


static void identmap_release(identmap *m)
{
	opex_free(m->slots);
	opex_free(m->ents);
	opex_free(m->keys);
	memset(m, 0, sizeof(*m));
}

static void identmap_rehash(identmap *m)
{
	size_t cap = m->slot_cap ? m->slot_cap * 2 : 64;

	opex_free(m->slots);
	m->slots = opex_calloc(cap, sizeof(*m->slots));
	m->slot_cap = cap;
	for (size_t i = 0; i < m->count; i++) {
		size_t at = m->ents[i].hash & (cap - 1);

		while (m->slots[at] != 0)
			at = (at + 1) & (cap - 1);
		m->slots[at] = (uint32_t)(i + 1);
	}
}

static uint32_t identmap_intern(identmap *m, const char *key, size_t len)
{
	uint32_t hash = opex_kb_fnv1a(FNV_SEED, (const unsigned char *)key, len);
	size_t at;
	ident_ent *e;

	if ((m->count + 1) * 2 > m->slot_cap)
		identmap_rehash(m);
	at = hash & (m->slot_cap - 1);
	while (m->slots[at] != 0) {
		e = &m->ents[m->slots[at] - 1];
		if (e->hash == hash && e->len == len &&
		    memcmp(m->keys + e->off, key, len) == 0)
			return m->slots[at] - 1;
		at = (at + 1) & (m->slot_cap - 1);
	}
	opex_array_grow((void **)&m->ents, &m->cap, m->count + 1,
		sizeof(*m->ents));
	opex_array_grow((void **)&m->keys, &m->keys_cap, m->keys_len + len, 1);
	memcpy(m->keys + m->keys_len, key, len);
	e = &m->ents[m->count];
	e->hash = hash;
	e->off = (uint32_t)m->keys_len;
	e->len = (uint32_t)len;
	m->keys_len += len;
	m->slots[at] = (uint32_t)(m->count + 1);
	return (uint32_t)m->count++;
}

/* ----------------------------------------------------------------------
 * The history
 * -------------------------------------------------------------------- */

uint32_t opex_kb_history_commit_add(opex_kb_history *h, const unsigned char *raw,
	const char *name, const char *email, int64_t time)
{
	opex_kb_commit *c;
	commit_meta *m;
	char key[1 + 320];
	size_t len = strlen(email), i;

	if (h->commit_count == h->commit_cap) {
		size_t cap = h->commit_cap;

		opex_array_grow((void **)&h->commits, &h->commit_cap,
			h->commit_count + 1, sizeof(*h->commits));
		opex_array_grow((void **)&h->meta, &cap, h->commit_count + 1,
			sizeof(*h->meta));
	}
	c = &h->commits[h->commit_count];
	m = &h->meta[h->commit_count];
	memset(c, 0, sizeof(*c));
	memset(m, 0, sizeof(*m));
	memcpy(m->raw, raw, GIT_OID_RAWSZ);
	git_oid_tostr(c->id, sizeof(c->id), (const git_oid *)(const void *)raw);
	c->author_name = pool_dup(&h->pool, name, strlen(name));
	c->author_email = pool_dup(&h->pool, email, len);
	c->time = time;
	m->vb_first = (uint32_t)h->vb_count;
	m->ident_first = (uint32_t)h->ident_list.n;
	if (len > sizeof(key) - 1)
		len = sizeof(key) - 1;
	key[0] = 'e';
	for (i = 0; i < len; i++) {
		char ch = email[i];

		key[i + 1] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	vec_push(&h->ident_list, identmap_intern(&h->idents, key, len + 1));
	m->ident_count = 1;
	return (uint32_t)h->commit_count++;
}

void opex_kb_history_commit_add_verified(opex_kb_history *h, uint32_t ci,
	const char *value, size_t len)
{
	char *key;

	opex_array_grow((void **)&h->vb, &h->vb_cap, h->vb_count + 1,
		sizeof(*h->vb));
	h->vb[h->vb_count++] = pool_dup(&h->pool, value, len);
	h->commits[ci].verified_by_count++;
	key = opex_malloc(len + 1);
	key[0] = 'v';
	memcpy(key + 1, value, len);
	vec_push(&h->ident_list, identmap_intern(&h->idents, key, len + 1));
	h->meta[ci].ident_count++;
	opex_free(key);
}

/* True if commit `c` has an identity that no commit in `path`'s list has. */
static bool brings_new_identity(const opex_kb_history *h, uint32_t path,
	uint32_t c)
{
	const commit_meta *mc = &h->meta[c];

	for (uint32_t i = 0; i < mc->ident_count; i++) {
		uint32_t id = h->ident_list.v[mc->ident_first + i];
		bool seen = false;

		for (uint32_t n = h->head[path]; n != NONE && !seen;
		     n = h->nodes[n].next) {
			const commit_meta *mo = &h->meta[h->nodes[n].commit];

			if (h->nodes[n].commit == c)
				return false;
			for (uint32_t j = 0; j < mo->ident_count && !seen; j++)
				seen = h->ident_list.v[mo->ident_first + j] == id;
		}
		if (!seen)
			return true;
	}
	return false;
}

void opex_kb_history_touch_add(opex_kb_history *h, uint32_t path, uint32_t c)
{
	touch_node *node;

	if (!brings_new_identity(h, path, c))
		return;
	opex_array_grow((void **)&h->nodes, &h->node_cap, h->node_count + 1,
		sizeof(*h->nodes));
	node = &h->nodes[h->node_count];
	node->commit = c;
	node->next = NONE;
	if (h->tail[path] == NONE)
		h->head[path] = (uint32_t)h->node_count;
	else
		h->nodes[h->tail[path]].next = (uint32_t)h->node_count;
	h->tail[path] = (uint32_t)h->node_count;
	h->node_count++;
}

/* Turn the per-path lists into flat arrays and set the final pointers. */
static void history_finish(opex_kb_history *h)
{
	size_t total = 0;

	for (size_t p = 0; p < h->path_count; p++)
		for (uint32_t n = h->head[p]; n != NONE; n = h->nodes[n].next)
			total++;
	h->touches = opex_calloc(total, sizeof(*h->touches));
	h->touch_first = opex_calloc(h->path_count, sizeof(*h->touch_first));
	h->touch_count = opex_calloc(h->path_count, sizeof(*h->touch_count));
	total = 0;
	for (size_t p = 0; p < h->path_count; p++) {
		h->touch_first[p] = (uint32_t)total;
		for (uint32_t n = h->head[p]; n != NONE; n = h->nodes[n].next)
			h->touches[total++] = h->nodes[n].commit;
		h->touch_count[p] = (uint32_t)(total - h->touch_first[p]);
	}
	h->touch_total = total;
	for (size_t c = 0; c < h->commit_count; c++)
		h->commits[c].verified_by = h->commits[c].verified_by_count ?
			h->vb + h->meta[c].vb_first : NULL;
	identmap_release(&h->idents);
	vec_free(&h->ident_list);
	opex_free(h->nodes);
	opex_free(h->head);
	opex_free(h->tail);
	h->nodes = NULL;
	h->head = h->tail = NULL;
	h->node_count = h->node_cap = 0;
}

/* ----------------------------------------------------------------------
 * The revision's folders, for pruning tree comparisons
 * -------------------------------------------------------------------- */

typedef struct rchild {
	const char *name;
	uint32_t name_len;
	uint32_t parent;
	uint32_t target;     /* a folder node, or a path index */
	bool is_dir;
} rchild;

typedef struct rnode {
	uint32_t first, count;
} rnode;

typedef struct revtree {
	rnode *nodes;
	size_t node_count, node_cap;
	rchild *children;
	size_t child_count, child_cap;
} revtree;

/* git's tree order: a folder sorts as if its name ended with '/'. */
static int git_name_cmp(const char *a, size_t alen, bool adir,
	const char *b, size_t blen, bool bdir)
{
	size_t len = alen < blen ? alen : blen;
	int cmp = memcmp(a, b, len);
	unsigned char ca, cb;

	if (cmp != 0)
		return cmp;
	ca = alen > len ? (unsigned char)a[len] : (adir ? '/' : 0);
	cb = blen > len ? (unsigned char)b[len] : (bdir ? '/' : 0);
	return ca < cb ? -1 : ca > cb ? 1 : 0;
}

static int rchild_cmp(const void *x, const void *y)
{
	const rchild *a = x, *b = y;

	if (a->parent != b->parent)
		return a->parent < b->parent ? -1 : 1;
	return git_name_cmp(a->name, a->name_len, a->is_dir, b->name,
		b->name_len, b->is_dir);
}

static uint32_t revtree_add(revtree *t, uint32_t parent, const char *name,
	size_t len, bool is_dir, uint32_t target)
{
	rchild *c;

	opex_array_grow((void **)&t->children, &t->child_cap,
		t->child_count + 1, sizeof(*t->children));
	c = &t->children[t->child_count++];
	c->name = name;
	c->name_len = (uint32_t)len;
	c->parent = parent;
	c->is_dir = is_dir;
	c->target = target;
	if (is_dir) {
		opex_array_grow((void **)&t->nodes, &t->node_cap,
			t->node_count + 1, sizeof(*t->nodes));
		t->nodes[t->node_count].first = 0;
		t->nodes[t->node_count].count = 0;
		c->target = (uint32_t)t->node_count++;
	}
	return c->target;
}

/* Build the folder tree of the strcmp-sorted `paths`; node 0 is the root. */
static void revtree_build(revtree *t, const char *const *paths, size_t count)
{
	uint32_t stack[OPEX_LIMIT_PATH_BYTES / 2 + 1];
	size_t stack_len[OPEX_LIMIT_PATH_BYTES / 2 + 1];
	size_t depth = 0;
	const char *prev = "";

	memset(t, 0, sizeof(*t));
	opex_array_grow((void **)&t->nodes, &t->node_cap, 1, sizeof(*t->nodes));
	t->nodes[0].first = t->nodes[0].count = 0;
	t->node_count = 1;
	stack[0] = 0;
	stack_len[0] = 0;
	for (size_t i = 0; i < count; i++) {
		const char *p = paths[i], *slash;
		size_t at;

		/* Keep the folders this path shares with the previous one. */
		while (depth > 0 &&
		       strncmp(p, prev, stack_len[depth]) != 0)
			depth--;
		at = stack_len[depth];
		slash = strchr(p + at, '/');
		while (slash != NULL &&
		       depth + 1 < sizeof(stack) / sizeof(stack[0])) {
			size_t len = (size_t)(slash - (p + at));

			stack[depth + 1] = revtree_add(t, stack[depth], p + at,
				len, true, 0);
			depth++;
			at += len + 1;
			stack_len[depth] = at;
			slash = strchr(p + at, '/');
		}
		revtree_add(t, stack[depth], p + at, strlen(p + at), false,
			(uint32_t)i);
		prev = p;
	}
	if (t->child_count > 1)
		qsort(t->children, t->child_count, sizeof(*t->children),
			rchild_cmp);
	for (size_t i = 0; i < t->child_count; i++) {
		rnode *n = &t->nodes[t->children[i].parent];

		if (n->count == 0)
			n->first = (uint32_t)i;
		n->count++;
	}
}

static void revtree_release(revtree *t)
{
	opex_free(t->nodes);
	opex_free(t->children);
	memset(t, 0, sizeof(*t));
}

/* ----------------------------------------------------------------------
 * The walk
 * -------------------------------------------------------------------- */

typedef struct diff_frame {
	git_oid a, b;
	bool has_a, has_b;
	uint32_t node;
} diff_frame;

typedef struct walk {
	opex_kb_history *h;
	git_repository *git;
	revtree rt;
	diff_frame *frames;
	size_t frame_count, frame_cap;

	git_oid *oids;             /* the commits to walk, in order */
	size_t count, cap;
	uint32_t *slots;           /* oid -> index + 1 */
	size_t slot_cap;
	liveset *live;             /* per commit: the paths followed */

	bool incremental;
	git_oid hide;
	liveset live_hidden;       /* paths followed into the cached tip */
	bool fallback;             /* reached history the cache cannot vouch for */
	opex_error *err;
} walk;

static const char *git_message(void)
{
	const git_error *e = git_error_last();

	return e != NULL && e->message != NULL ? e->message : "unknown error";
}

/*
 * Name the object `bad` that libgit2 could not read (error `code`): `what`
 * it is ("a tree", "a parent", "a commit") and the commit `at` the walk was
 * on (NULL: none). Returns OPEX_EIO.
 */
static int unreadable(walk *w, const git_oid *bad, const char *what,
	const git_oid *at, int code)
{
	char id[GIT_OID_HEXSZ + 1], at_id[GIT_OID_HEXSZ + 1];

	git_oid_tostr(id, sizeof(id), bad);
	if (at == NULL)
		return opex_error_set(w->err, OPEX_EIO,
			"cannot read git object %s (%s in the history): %s", id,
			what, opex_kb_git_reason(code));
	git_oid_tostr(at_id, sizeof(at_id), at);
	return opex_error_set(w->err, OPEX_EIO,
		"cannot read git object %s (%s of commit %.10s in the history): %s",
		id, what, at_id, opex_kb_git_reason(code));
}

static uint32_t oid_hash(const git_oid *oid)
{
	uint32_t h;

	memcpy(&h, oid->id, sizeof(h));
	return h;
}

/* Commit ids seen by find_unreadable(): open addressing, zero is empty. */
typedef struct oidset {
	git_oid *slots;
	size_t cap, count;
} oidset;

static bool oid_is_zero(const git_oid *oid)
{
	for (size_t i = 0; i < GIT_OID_RAWSZ; i++)
		if (oid->id[i] != 0)
			return false;
	return true;
}

static void oidset_put(oidset *set, const git_oid *oid)
{
	size_t at = oid_hash(oid) & (set->cap - 1);

	while (!oid_is_zero(&set->slots[at]))
		at = (at + 1) & (set->cap - 1);
	git_oid_cpy(&set->slots[at], oid);
	set->count++;
}

/* Add `oid`; false if it was there already. */
static bool oidset_add(oidset *set, const git_oid *oid)
{
	size_t at;

	if ((set->count + 1) * 2 > set->cap) {
		oidset bigger = { NULL, set->cap ? set->cap * 2 : 256, 0 };

		bigger.slots = opex_calloc(bigger.cap, sizeof(*bigger.slots));
		for (size_t i = 0; i < set->cap; i++)
			if (!oid_is_zero(&set->slots[i]))
				oidset_put(&bigger, &set->slots[i]);
		opex_free(set->slots);
		*set = bigger;
	}
	at = oid_hash(oid) & (set->cap - 1);
	while (!oid_is_zero(&set->slots[at])) {
		if (git_oid_equal(&set->slots[at], oid))
			return false;
		at = (at + 1) & (set->cap - 1);
	}
	git_oid_cpy(&set->slots[at], oid);
	set->count++;
	return true;
}

/* A commit to visit, and the commit whose parent it is (`has_child`). */
typedef struct visit {
	git_oid oid, child;
	bool has_child;
} visit;

/*
 * git_revwalk failed without saying which commit it could not read: find
 * it, breadth first from `rev` (not below w->hide if incremental), and
 * name it in w->err. Returns OPEX_EIO, or 0 when every commit reads.
 */
static int find_unreadable(walk *w, const git_oid *rev)
{
	oidset seen = { NULL, 0, 0 };
	visit *queue = NULL;
	size_t head = 0, count = 0, cap = 0;
	git_commit *commit = NULL;
	int error = 0;

	opex_array_grow((void **)&queue, &cap, 1, sizeof(*queue));
	memset(&queue[0], 0, sizeof(queue[0]));
	git_oid_cpy(&queue[0].oid, rev);
	count = 1;
	(void)oidset_add(&seen, rev);
	while (head < count) {
		visit v = queue[head++];
		unsigned n;

		error = git_commit_lookup(&commit, w->git, &v.oid);
		if (error < 0) {
			error = v.has_child
				? unreadable(w, &v.oid, "a parent", &v.child, error)
				: unreadable(w, &v.oid, "a commit", NULL, error);
			goto done;
		}
		n = w->incremental && git_oid_equal(&v.oid, &w->hide)
			? 0 : git_commit_parentcount(commit);
		for (unsigned i = 0; i < n; i++) {
			const git_oid *parent = git_commit_parent_id(commit, i);

			if (parent == NULL || !oidset_add(&seen, parent))
				continue;
			opex_array_grow((void **)&queue, &cap, count + 1,
				sizeof(*queue));
			git_oid_cpy(&queue[count].oid, parent);
			git_oid_cpy(&queue[count].child, &v.oid);
			queue[count].has_child = true;
			count++;
		}
		git_commit_free(commit);
		commit = NULL;
	}
done:
	git_commit_free(commit);
	opex_free(queue);
	opex_free(seen.slots);
	return error;
}

static void index_oids(walk *w)
{
	size_t cap = 64;

	while (cap < w->count * 2 + 2)
		cap *= 2;
	w->slots = opex_calloc(cap, sizeof(*w->slots));
	w->slot_cap = cap;
	for (size_t i = 0; i < w->count; i++) {
		size_t at = oid_hash(&w->oids[i]) & (cap - 1);

		while (w->slots[at] != 0)
			at = (at + 1) & (cap - 1);
		w->slots[at] = (uint32_t)(i + 1);
	}
}

static uint32_t find_oid(const walk *w, const git_oid *oid)
{
	size_t at = oid_hash(oid) & (w->slot_cap - 1);

	while (w->slots[at] != 0) {
		if (git_oid_equal(&w->oids[w->slots[at] - 1], oid))
			return w->slots[at] - 1;
		at = (at + 1) & (w->slot_cap - 1);
	}
	return NONE;
}

static void push_frame(walk *w, const git_tree_entry *a,
	const git_tree_entry *b, uint32_t node)
{
	diff_frame *f;

	opex_array_grow((void **)&w->frames, &w->frame_cap,
		w->frame_count + 1, sizeof(*w->frames));
	f = &w->frames[w->frame_count++];
	memset(f, 0, sizeof(*f));
	f->has_a = a != NULL && git_tree_entry_filemode(a) == GIT_FILEMODE_TREE;
	f->has_b = b != NULL && git_tree_entry_filemode(b) == GIT_FILEMODE_TREE;
	if (f->has_a)
		git_oid_cpy(&f->a, git_tree_entry_id(a));
	if (f->has_b)
		git_oid_cpy(&f->b, git_tree_entry_id(b));
	f->node = node;
}

static int u32_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b ? 1 : 0;
}

/*
 * The paths at the revision whose entries differ between trees `a` and `b`
 * (either may be NULL: the empty tree), sorted, into `out`. `at_a` and
 * `at_b` are the commits the trees belong to, to name one whose tree
 * cannot be read.
 */
static int diff_trees(walk *w, u32vec *out, const git_oid *at_a,
	const git_oid *a, const git_oid *at_b, const git_oid *b)
{
	git_tree *ta = NULL, *tb = NULL;
	int error = 0;

	out->n = 0;
	w->frame_count = 0;
	if (a != NULL && b != NULL && git_oid_equal(a, b))
		return 0;
	opex_array_grow((void **)&w->frames, &w->frame_cap, 1,
		sizeof(*w->frames));
	memset(&w->frames[0], 0, sizeof(w->frames[0]));
	w->frames[0].has_a = a != NULL;
	w->frames[0].has_b = b != NULL;
	if (a != NULL)
		git_oid_cpy(&w->frames[0].a, a);
	if (b != NULL)
		git_oid_cpy(&w->frames[0].b, b);
	w->frame_count = 1;
	while (w->frame_count > 0) {
		diff_frame f = w->frames[--w->frame_count];
		const rnode *node = &w->rt.nodes[f.node];
		size_t i = 0, j = 0, na = 0, nb = 0;
		size_t k = node->first, kend = (size_t)node->first + node->count;

		if (f.has_a) {
			error = git_tree_lookup(&ta, w->git, &f.a);
			if (error < 0) {
				error = unreadable(w, &f.a, "a tree", at_a, error);
				goto done;
			}
			na = git_tree_entrycount(ta);
		}
		if (f.has_b) {
			error = git_tree_lookup(&tb, w->git, &f.b);
			if (error < 0) {
				error = unreadable(w, &f.b, "a tree", at_b, error);
				goto done;
			}
			nb = git_tree_entrycount(tb);
		}
		while ((i < na || j < nb) && k < kend) {
			const git_tree_entry *ea = i < na ?
				git_tree_entry_byindex(ta, i) : NULL;
			const git_tree_entry *eb = j < nb ?
				git_tree_entry_byindex(tb, j) : NULL;
			const git_tree_entry *slot;
			const char *name;
			size_t len;
			bool dir;
			int cmp;

			if (ea == NULL) {
				cmp = 1;
			} else if (eb == NULL) {
				cmp = -1;
			} else {
				const char *an = git_tree_entry_name(ea);
				const char *bn = git_tree_entry_name(eb);

				cmp = git_name_cmp(an, strlen(an),
					git_tree_entry_filemode(ea) ==
						GIT_FILEMODE_TREE,
					bn, strlen(bn),
					git_tree_entry_filemode(eb) ==
						GIT_FILEMODE_TREE);
			}
			if (cmp < 0) {
				slot = ea;
				eb = NULL;
				i++;
			} else if (cmp > 0) {
				slot = eb;
				ea = NULL;
				j++;
			} else {
				slot = ea;
				i++;
				j++;
				if (git_tree_entry_filemode(ea) ==
					git_tree_entry_filemode(eb) &&
				    git_oid_equal(git_tree_entry_id(ea),
					git_tree_entry_id(eb)))
					continue;
			}
			name = git_tree_entry_name(slot);
			len = strlen(name);
			dir = git_tree_entry_filemode(slot) == GIT_FILEMODE_TREE;
			cmp = 1;
			while (k < kend) {
				const rchild *c = &w->rt.children[k];

				cmp = git_name_cmp(c->name, c->name_len,
					c->is_dir, name, len, dir);
				if (cmp >= 0)
					break;
				k++;
			}
			if (cmp != 0)
				continue;
			if (dir)
				push_frame(w, ea, eb, w->rt.children[k].target);
			else
				vec_push(out, w->rt.children[k].target);
		}
		git_tree_free(ta);
		git_tree_free(tb);
		ta = tb = NULL;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), u32_cmp);
done:
	git_tree_free(ta);
	git_tree_free(tb);
	return error;
}

static uint32_t record_commit(opex_kb_history *h, const git_commit *commit)
{
	const git_signature *sig = git_commit_author(commit);
	git_message_trailer_array trailers;
	const char *msg = git_commit_message(commit);
	uint32_t ci;

	ci = opex_kb_history_commit_add(h, git_commit_id(commit)->id,
		sig && sig->name ? sig->name : "",
		sig && sig->email ? sig->email : "",
		sig ? (int64_t)sig->when.time : 0);
	memset(&trailers, 0, sizeof(trailers));
	if (msg != NULL && git_message_trailers(&trailers, msg) == 0) {
		for (size_t i = 0; i < trailers.count; i++) {
			opex_str v;

			if (opex_strcasecmp(trailers.trailers[i].key,
				"Verified-by") != 0)
				continue;
			v = opex_str_trim(opex_str_from(trailers.trailers[i].value));
			if (v.len > 0)
				opex_kb_history_commit_add_verified(h, ci, v.ptr, v.len);
		}
	}
	git_message_trailer_array_free(&trailers);
	return ci;
}

static int parent_tree(git_oid *out, walk *w, const git_commit *commit,
	unsigned n)
{
	git_commit *parent = NULL;
	int error = git_commit_parent(&parent, commit, n);

	if (error == 0)
		git_oid_cpy(out, git_commit_tree_id(parent));
	else
		error = unreadable(w, git_commit_parent_id(commit, n),
			"a parent", git_commit_id(commit), error);
	git_commit_free(parent);
	return error;
}

/* Send the paths followed along one parent edge to that parent. */
static void follow(walk *w, const git_oid *parent, const liveset *edge,
	liveset *tmp)
{
	uint32_t pi;

	if (live_empty(edge))
		return;
	pi = find_oid(w, parent);
	if (pi != NONE) {
		live_merge_into(&w->live[pi], edge, tmp);
	} else if (w->incremental && git_oid_equal(parent, &w->hide)) {
		live_merge_into(&w->live_hidden, edge, tmp);
	} else if (w->incremental) {
		/* History below another commit than the cached tip. */
		w->fallback = true;
	}
}

static int walk_commit(walk *w, uint32_t idx, u32vec **diffs,
	size_t *diff_cap, liveset *scratch)
{
	u32vec *d = NULL;
	git_commit *commit = NULL;
	liveset *live = &w->live[idx];
	u32vec touched = { NULL, 0, 0 }, changed = { NULL, 0, 0 };
	u32vec acc = { NULL, 0, 0 }, tmpv = { NULL, 0, 0 };
	liveset edge = { false, false, { NULL, 0, 0 } };
	liveset fset = { false, false, { NULL, 0, 0 } };
	unsigned parents;
	int error;

	error = git_commit_lookup(&commit, w->git, &w->oids[idx]);
	if (error < 0) {
		error = unreadable(w, &w->oids[idx], "a commit", NULL, error);
		goto done;
	}
	parents = git_commit_parentcount(commit);
	if (!live->set) {
		live->set = true;
		live->neg = true;
	}
	if (parents == 0 && w->incremental)
		w->fallback = true;
	if (live_empty(live) || w->fallback)
		goto done;
	if (parents <= 1) {
		git_oid ptree;

		if (parents == 1) {
			error = parent_tree(&ptree, w, commit, 0);
			if (error < 0)
				goto done;
		}
		error = diff_trees(w, &changed, &w->oids[idx],
			git_commit_tree_id(commit),
			parents == 1 ? git_commit_parent_id(commit, 0) : NULL,
			parents == 1 ? &ptree : NULL);
		if (error < 0)
			goto done;
		if (parents == 1)
			follow(w, git_commit_parent_id(commit, 0), live, scratch);
	} else {
		if (*diff_cap < parents) {
			*diffs = opex_realloc(*diffs, parents * sizeof(**diffs));
			memset(*diffs + *diff_cap, 0,
				(parents - *diff_cap) * sizeof(**diffs));
			*diff_cap = parents;
		}
		d = *diffs;
		for (unsigned p = 0; p < parents; p++) {
			git_oid ptree;

			error = parent_tree(&ptree, w, commit, p);
			if (error < 0)
				goto done;
			error = diff_trees(w, &d[p], &w->oids[idx],
				git_commit_tree_id(commit),
				git_commit_parent_id(commit, p), &ptree);
			if (error < 0)
				goto done;
		}
		/* Changed by the merge: differs from every parent. */
		vec_copy(&changed, &d[0]);
		for (unsigned p = 1; p < parents; p++) {
			set_apply(&tmpv, &changed, &d[p], SET_INTER);
			vec_copy(&changed, &tmpv);
		}
		/* acc: paths that differ from every parent before p. */
		vec_copy(&acc, &d[0]);
		for (unsigned p = 0; p < parents; p++) {
			fset.set = true;
			if (p == 0) {
				fset.neg = true;
				set_apply(&fset.s, &d[0], &changed, SET_MINUS);
			} else {
				fset.neg = false;
				set_apply(&tmpv, &acc, &d[p], SET_MINUS);
				set_apply(&fset.s, &tmpv, &changed, SET_UNION);
				set_apply(&tmpv, &acc, &d[p], SET_INTER);
				vec_copy(&acc, &tmpv);
			}
			live_combine(&edge, live, &fset, true);
			follow(w, git_commit_parent_id(commit, p), &edge, scratch);
		}
	}
	if (live->neg)
		set_apply(&touched, &changed, &live->s, SET_MINUS);
	else
		set_apply(&touched, &changed, &live->s, SET_INTER);
	if (touched.n > 0) {
		uint32_t ci = record_commit(w->h, commit);

		for (size_t i = 0; i < touched.n; i++)
			opex_kb_history_touch_add(w->h, touched.v[i], ci);
	}
done:
	live_release(live);
	live_release(&edge);
	live_release(&fset);
	vec_free(&touched);
	vec_free(&changed);
	vec_free(&acc);
	vec_free(&tmpv);
	git_commit_free(commit);
	return error;
}

/* Walk the commits of the revision (not those of w->hide if incremental). */
static int walk_run(walk *w, const git_oid *rev)
{
	git_revwalk *rw = NULL;
	u32vec *diffs = NULL;
	size_t diff_cap = 0;
	liveset scratch = { false, false, { NULL, 0, 0 } };
	git_oid oid;
	int error;

	error = git_revwalk_new(&rw, w->git);
	if (error == 0)
		error = git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL |
			GIT_SORT_TIME);
	if (error == 0)
		error = git_revwalk_push(rw, rev);
	if (error == 0 && w->incremental)
		error = git_revwalk_hide(rw, &w->hide);
	while (error == 0) {
		error = git_revwalk_next(&oid, rw);
		if (error != 0)
			break;
		opex_array_grow((void **)&w->oids, &w->cap, w->count + 1,
			sizeof(*w->oids));
		git_oid_cpy(&w->oids[w->count++], &oid);
	}
	if (error != GIT_ITEROVER) {
		opex_error_set(w->err, OPEX_EIO, "cannot walk the history: %s",
			git_message());
		/* Name the commit that could not be read, if one could not. */
		(void)find_unreadable(w, rev);
		error = OPEX_EIO;
		goto done;
	}
	index_oids(w);
	w->live = opex_calloc(w->count ? w->count : 1, sizeof(*w->live));
	for (size_t i = 0; i < w->count && !w->fallback; i++) {
		error = walk_commit(w, (uint32_t)i, &diffs, &diff_cap, &scratch);
		if (error < 0)
			goto done;
	}
	w->h->walked = w->count;
	error = 0;
done:
	for (size_t i = 0; i < diff_cap; i++)
		vec_free(&diffs[i]);
	opex_free(diffs);
	live_release(&scratch);
	git_revwalk_free(rw);
	return error;
}

static void walk_init(walk *w, opex_kb_history *h, git_repository *git,
	opex_error *err)
{
	memset(w, 0, sizeof(*w));
	w->h = h;
	w->git = git;
	w->err = err;
	revtree_build(&w->rt, h->paths, h->path_count);
}

static void walk_release(walk *w)
{
	for (size_t i = 0; w->live != NULL && i < w->count; i++)
		live_release(&w->live[i]);
	opex_free(w->live);
	live_release(&w->live_hidden);
	opex_free(w->oids);
	opex_free(w->slots);
	opex_free(w->frames);
	revtree_release(&w->rt);
	memset(w, 0, sizeof(*w));
}

/* ----------------------------------------------------------------------
 * Loading
 * -------------------------------------------------------------------- */

/* Forget every commit and touch, keeping the paths. */
static void history_reset(opex_kb_history *h)
{
	h->commit_count = 0;
	h->vb_count = 0;
	pool_release(&h->pool);
	identmap_release(&h->idents);
	h->ident_list.n = 0;
	h->node_count = 0;
	for (size_t p = 0; p < h->path_count; p++)
		h->head[p] = h->tail[p] = NONE;
	h->walked = 0;
}

static void history_set_paths(opex_kb_history *h, const opex_kb_repo *repo)
{
	size_t n = opex_kb_repo_count(repo), total = 0, at = 0;

	for (size_t i = 0; i < n; i++)
		total += strlen(opex_kb_repo_entry(repo, i)->path) + 1;
	h->path_block = opex_malloc(total ? total : 1);
	h->paths = opex_calloc(n ? n : 1, sizeof(*h->paths));
	h->head = opex_malloc((n ? n : 1) * sizeof(*h->head));
	h->tail = opex_malloc((n ? n : 1) * sizeof(*h->tail));
	for (size_t i = 0; i < n; i++) {
		const char *p = opex_kb_repo_entry(repo, i)->path;
		size_t len = strlen(p) + 1;

		memcpy(h->path_block + at, p, len);
		h->paths[i] = h->path_block + at;
		h->head[i] = h->tail[i] = NONE;
		at += len;
	}
	h->path_count = n;
}

char *opex_kb_cache_path(const opex_kb_repo *repo, const char *name)
{
	const char *dir = opex_kb_repo_git_dir(repo);
	size_t len = strlen(dir) + sizeof("/opex/") + strlen(name);
	char *path = opex_malloc(len);

	snprintf(path, len, "%s/opex", dir);
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		opex_free(path);
		return NULL;
	}
	snprintf(path, len, "%s/opex/%s", dir, name);
	return path;
}

int opex_kb_history_load(opex_kb_history **out, const opex_kb_repo *repo,
	const opex_kb_history_options *opts, opex_error *err)
{
	opex_kb_history *h = opex_calloc(1, sizeof(*h));
	git_repository *git = opex_kb_repo_git(repo);
	walk w;
	opex_kb_history_cache c;
	liveset none = { true, false, { NULL, 0, 0 } };
	char *cache_path = NULL;
	git_oid rev, tip;
	bool write = true, cold = true;
	int error = 0;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	memset(&c, 0, sizeof(c));
	history_set_paths(h, repo);
	memcpy(h->tip, opex_kb_repo_commit_raw(repo), GIT_OID_RAWSZ);
	memcpy(rev.id, h->tip, GIT_OID_RAWSZ);
	if (opts == NULL || opts->cache_path == NULL)
		cache_path = opex_kb_cache_path(repo, "history.cache");
	else if (opts->cache_path[0] != '\0')
		cache_path = opex_strdup(opts->cache_path);
	if (cache_path != NULL)
		opex_kb_history_cache_read(&c, cache_path);

	if (c.data != NULL && memcmp(c.tip, h->tip, GIT_OID_RAWSZ) == 0) {
		opex_kb_history_cache_merge(h, &c, NULL);
		write = false;
		cold = false;
	} else if (c.data != NULL) {
		memcpy(tip.id, c.tip, GIT_OID_RAWSZ);
		if (git_graph_descendant_of(git, &rev, &tip) == 1) {
			walk_init(&w, h, git, err);
			w.incremental = true;
			git_oid_cpy(&w.hide, &tip);
			error = walk_run(&w, &rev);
			if (error < 0)
				goto done;
			cold = w.fallback;
			if (!cold)
				opex_kb_history_cache_merge(h, &c, w.live_hidden.set ?
					&w.live_hidden : &none);
			else
				history_reset(h); /* the cache cannot vouch: start over */
			walk_release(&w);
		}
	}
	if (cold) {
		walk_init(&w, h, git, err);
		error = walk_run(&w, &rev);
		if (error < 0)
			goto done;
	}
	history_finish(h);
	/* The history of a few paths would replace that of every path. */
	if (write && cache_path != NULL && !opex_kb_repo_partial(repo))
		opex_kb_history_cache_write(h, cache_path);
	*out = h;
	h = NULL;
	error = 0;
done:
	walk_release(&w);
	opex_kb_history_cache_release(&c);
	opex_free(cache_path);
	opex_kb_history_free(h);
	return error;
}

void opex_kb_history_new_unknown(opex_kb_history **out,
	const opex_kb_repo *repo)
{
	opex_kb_history *h = opex_calloc(1, sizeof(*h));

	history_set_paths(h, repo);
	memcpy(h->tip, opex_kb_repo_commit_raw(repo), GIT_OID_RAWSZ);
	history_finish(h);
	h->unknown = true;
	*out = h;
}

bool opex_kb_history_known(const opex_kb_history *history)
{
	return !history->unknown;
}

void opex_kb_history_free(opex_kb_history *history)
{
	if (history == NULL)
		return;
	opex_free(history->commits);
	opex_free(history->meta);
	opex_free(history->vb);
	pool_release(&history->pool);
	opex_free(history->path_block);
	opex_free(history->paths);
	opex_free(history->touch_first);
	opex_free(history->touch_count);
	opex_free(history->touches);
	identmap_release(&history->idents);
	vec_free(&history->ident_list);
	opex_free(history->nodes);
	opex_free(history->head);
	opex_free(history->tail);
	opex_free(history);
}

static size_t find_path(const opex_kb_history *h, const char *path)
{
	size_t lo = 0, hi = h->path_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(path, h->paths[mid]);

		if (cmp == 0)
			return mid;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return SIZE_MAX;
}

const opex_kb_commit *opex_kb_history_last_change(
	const opex_kb_history *history, const char *path)
{
	return opex_kb_history_touch_count(history, path) > 0 ?
		opex_kb_history_touch(history, path, 0) : NULL;
}

size_t opex_kb_history_touch_count(const opex_kb_history *history,
	const char *path)
{
	size_t i = find_path(history, path);

	return i == SIZE_MAX ? 0 : history->touch_count[i];
}

const opex_kb_commit *opex_kb_history_touch(const opex_kb_history *history,
	const char *path, size_t i)
{
	size_t p = find_path(history, path);

	if (p == SIZE_MAX || i >= history->touch_count[p])
		OPEX_BUG("history touch index out of range");
	return &history->commits[history->touches[history->touch_first[p] + i]];
}

size_t opex_kb_history_walked(const opex_kb_history *history)
{
	return history->walked;
}
