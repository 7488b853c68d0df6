/*
 * diff.c: what changed in a process, not in its text.
 *
 * Maps are compared through their model, so a reformat, reordered
 * declarations or changed colours show nothing. Nodes are matched by id;
 * edges by (tail, head), then by label: an edge whose label changed while
 * its ends stayed is "relabelled", not removed and added.
 *
 *   change            node    head   old_value / new_value
 *   map-added/removed  -      -      title
 *   attr (what=name)   -      -      graph attribute value
 *   node-added/removed id     -      label (what = kind)
 *   node-relabelled    id     -      label
 *   node-kind          id     -      kind
 *   node-link (what)   id     -      article, process or role
 *   edge-*             tail   head   label
 */
#include "process-maps/process_maps_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static bool same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool same_replies(const opex_pm_node *x, const opex_pm_node *y)
{
	size_t i;

	if (x->reply_count != y->reply_count)
		return false;
	for (i = 0; i < x->reply_count; i++)
		if (strcmp(x->replies[i], y->replies[i]) != 0)
			return false;
	return true;
}

static int cmp_opt(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static void add(opex_pm_diff *diff, opex_pm_change_kind kind,
	const char *path, const char *what, const char *node, const char *head,
	const char *old_value, const char *new_value)
{
	opex_pm_change *c;

	opex_array_grow((void **)&diff->changes, &diff->cap, diff->count + 1,
		sizeof(*diff->changes));
	c = &diff->changes[diff->count++];
	c->kind = kind;
	c->path = opex_strdup(path);
	c->what = opex_strdup(what);
	c->node = opex_strdup(node);
	c->head = opex_strdup(head);
	c->old_value = opex_strdup(old_value);
	c->new_value = opex_strdup(new_value);
}

void opex_pm_diff_release(opex_pm_diff *diff)
{
	size_t i;

	for (i = 0; i < diff->count; i++) {
		opex_pm_change *c = &diff->changes[i];

		opex_free(c->path);
		opex_free(c->what);
		opex_free(c->node);
		opex_free(c->head);
		opex_free(c->old_value);
		opex_free(c->new_value);
	}
	opex_free(diff->changes);
	memset(diff, 0, sizeof(*diff));
}

static void diff_nodes(opex_pm_diff *diff, const char *path,
	const opex_pm_map *a, const opex_pm_map *b)
{
	size_t i = 0, k = 0;

	while (i < a->node_count || k < b->node_count) {
		const opex_pm_node *x = i < a->node_count
			? &a->nodes[a->by_id[i]] : NULL;
		const opex_pm_node *y = k < b->node_count
			? &b->nodes[b->by_id[k]] : NULL;
		int c = x == NULL ? 1 : y == NULL ? -1 : strcmp(x->id, y->id);

		if (c < 0) {
			add(diff, OPEX_PM_CHANGE_NODE_REMOVED, path,
				opex_pm_kind_name(x->kind), x->id, NULL, x->label,
				NULL);
			i++;
			continue;
		}
		if (c > 0) {
			add(diff, OPEX_PM_CHANGE_NODE_ADDED, path,
				opex_pm_kind_name(y->kind), y->id, NULL, NULL,
				y->label);
			k++;
			continue;
		}
		if (!same(x->label, y->label))
			add(diff, OPEX_PM_CHANGE_NODE_RELABELLED, path,
				opex_pm_kind_name(y->kind), y->id, NULL, x->label,
				y->label);
		if (x->kind != y->kind)
			add(diff, OPEX_PM_CHANGE_NODE_KIND, path,
				opex_pm_kind_name(y->kind), y->id, NULL,
				opex_pm_kind_name(x->kind),
				opex_pm_kind_name(y->kind));
		if (!same(x->article, y->article))
			add(diff, OPEX_PM_CHANGE_NODE_LINK, path, "article", y->id,
				NULL, x->article, y->article);
		if (!same_replies(x, y))
			add(diff, OPEX_PM_CHANGE_NODE_LINK, path, "reply", y->id,
				NULL, x->reply_count ? x->replies[0] : NULL,
				y->reply_count ? y->replies[0] : NULL);
		if (!same(x->process, y->process))
			add(diff, OPEX_PM_CHANGE_NODE_LINK, path, "process", y->id,
				NULL, x->process, y->process);
		if (!same(x->role, y->role))
			add(diff, OPEX_PM_CHANGE_NODE_LINK, path, "role", y->id,
				NULL, x->role, y->role);
		i++;
		k++;
	}
}

typedef struct edge_ref {
	const char *tail, *head, *label;
	bool matched;
} edge_ref;

static int cmp_ref(const void *p, const void *q)
{
	const edge_ref *a = p, *b = q;
	int c = strcmp(a->tail, b->tail);

	if (c == 0)
		c = strcmp(a->head, b->head);
	if (c == 0)
		c = cmp_opt(a->label, b->label);
	return c;
}

static edge_ref *edge_refs(const opex_pm_map *m)
{
	edge_ref *refs = opex_calloc(m->edge_count + 1, sizeof(*refs));
	size_t i;

	for (i = 0; i < m->edge_count; i++) {
		refs[i].tail = m->nodes[m->edges[i].tail].id;
		refs[i].head = m->nodes[m->edges[i].head].id;
		refs[i].label = m->edges[i].label;
	}
	qsort(refs, m->edge_count, sizeof(*refs), cmp_ref);
	return refs;
}

static int cmp_ends(const edge_ref *a, const edge_ref *b)
{
	int c = strcmp(a->tail, b->tail);

	return c ? c : strcmp(a->head, b->head);
}

/* One (tail, head) group: exact label matches, then pairs, then the rest. */
static void diff_group(opex_pm_diff *diff, const char *path, edge_ref *x,
	size_t nx, edge_ref *y, size_t ny)
{
	size_t i, k;

	for (i = 0; i < nx; i++)
		for (k = 0; k < ny; k++)
			if (!y[k].matched && same(x[i].label, y[k].label)) {
				x[i].matched = y[k].matched = true;
				break;
			}
	for (i = 0, k = 0; i < nx; i++) {
		if (x[i].matched)
			continue;
		while (k < ny && y[k].matched)
			k++;
		if (k < ny) {
			add(diff, OPEX_PM_CHANGE_EDGE_RELABELLED, path, NULL,
				x[i].tail, x[i].head, x[i].label, y[k].label);
			y[k].matched = true;
		} else {
			add(diff, OPEX_PM_CHANGE_EDGE_REMOVED, path, NULL,
				x[i].tail, x[i].head, x[i].label, NULL);
		}
	}
	for (k = 0; k < ny; k++)
		if (!y[k].matched)
			add(diff, OPEX_PM_CHANGE_EDGE_ADDED, path, NULL, y[k].tail,
				y[k].head, NULL, y[k].label);
}

static void diff_edges(opex_pm_diff *diff, const char *path,
	const opex_pm_map *a, const opex_pm_map *b)
{
	edge_ref *x = edge_refs(a), *y = edge_refs(b);
	size_t i = 0, k = 0;

	while (i < a->edge_count || k < b->edge_count) {
		size_t i2 = i, k2 = k;
		const edge_ref *key;
		int c = i >= a->edge_count ? 1 : k >= b->edge_count ? -1
			: cmp_ends(&x[i], &y[k]);

		key = c <= 0 ? &x[i] : &y[k];
		while (i2 < a->edge_count && cmp_ends(&x[i2], key) == 0)
			i2++;
		while (k2 < b->edge_count && cmp_ends(&y[k2], key) == 0)
			k2++;
		diff_group(diff, path, x + i, i2 - i, y + k, k2 - k);
		i = i2;
		k = k2;
	}
	opex_free(x);
	opex_free(y);
}

void opex_pm_diff_maps(opex_pm_diff *diff, const char *path,
	const opex_pm_map *old_map, const opex_pm_map *new_map)
{
	size_t a;

	if (old_map == NULL && new_map == NULL)
		return;
	diff->maps_compared++;
	if (old_map == NULL) {
		add(diff, OPEX_PM_CHANGE_MAP_ADDED, path, NULL, NULL, NULL, NULL,
			new_map->attrs[OPEX_PM_ATTR_TITLE]);
		return;
	}
	if (new_map == NULL) {
		add(diff, OPEX_PM_CHANGE_MAP_REMOVED, path, NULL, NULL, NULL,
			old_map->attrs[OPEX_PM_ATTR_TITLE], NULL);
		return;
	}
	for (a = 0; a < OPEX_PM_ATTR_COUNT; a++)
		if (!same(old_map->attrs[a], new_map->attrs[a]))
			add(diff, OPEX_PM_CHANGE_ATTR, path,
				opex_pm_attr_name((opex_pm_attr)a), NULL, NULL,
				old_map->attrs[a], new_map->attrs[a]);
	diff_nodes(diff, path, old_map, new_map);
	diff_edges(diff, path, old_map, new_map);
}

static bool is_map(const opex_kb_entry *e, const char *only)
{
	if (e->kind != OPEX_KB_ENTRY_FILE)
		return false;
	if (only != NULL)
		return strcmp(e->path, only) == 0;
	return opex_path_under(e->path, "processes") &&
	       opex_path_has_suffix(e->path, ".dot");
}

static int load(opex_pm_map **out, const opex_kb_repo *repo,
	const char *path, opex_error *err)
{
	opex_buf buf = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_diag_list ignored = OPEX_DIAG_LIST_INIT;
	int error;

	*out = NULL;
	error = opex_kb_repo_read(&buf, repo, path, err);
	if (error < 0)
		goto done;
	/* A map that does not read is absent on this side; lint says why. */
	if (opex_pm_map_load(out, path, buf.ptr, buf.len, &ignored, NULL) < 0)
		*out = NULL;
done:
	opex_diag_list_release(&ignored);
	opex_buf_release(&buf);
	return error;
}

int opex_pm_diff_repos(opex_pm_diff *diff, const opex_kb_repo *old_repo,
	const opex_kb_repo *new_repo, const char *path, opex_error *err)
{
	size_t i = 0, k = 0;
	size_t na = opex_kb_repo_count(old_repo), nb = opex_kb_repo_count(new_repo);
	opex_pm_map *a = NULL, *b = NULL;
	int error = 0;

	while (i < na || k < nb) {
		const opex_kb_entry *x = i < na ? opex_kb_repo_entry(old_repo, i) : NULL;
		const opex_kb_entry *y = k < nb ? opex_kb_repo_entry(new_repo, k) : NULL;
		int c;

		if (x != NULL && !is_map(x, path)) {
			i++;
			continue;
		}
		if (y != NULL && !is_map(y, path)) {
			k++;
			continue;
		}
		c = x == NULL ? 1 : y == NULL ? -1 : strcmp(x->path, y->path);
		if (c == 0 && strcmp(x->oid, y->oid) == 0) {
			diff->maps_compared++;
			i++;
			k++;
			continue;
		}
		if (c <= 0) {
			error = load(&a, old_repo, x->path, err);
			if (error < 0)
				goto done;
		}
		if (c >= 0) {
			error = load(&b, new_repo, y->path, err);
			if (error < 0)
				goto done;
		}
		opex_pm_diff_maps(diff, c <= 0 ? x->path : y->path, a, b);
		opex_pm_map_free(a);
		opex_pm_map_free(b);
		a = b = NULL;
		if (c <= 0)
			i++;
		if (c >= 0)
			k++;
	}
done:
	opex_pm_map_free(a);
	opex_pm_map_free(b);
	return error;
}
