/*
 * canonical.c: the canonical form of a map and its semantic hash.
 *
 * One record per line, fields separated by a tab; values escaped (\\ \t \n
 * \r); absent values left out. Order: the header, graph attributes in the
 * order below, lanes by id, nodes by id, edges by (tail, head, label).
 *
 *   record  fields
 *   ------  ---------------------------------------------------------------
 *   opex-map  1 (the format version)
 *   graph   title=… owner=… champion=… journey=… review_by=… lint_ignore=…
 *   lane    <id> role=… label=… lint_ignore=…
 *   node    <id> kind=<resolved kind> label=… article=… reply=… process=… role=…
 *           lane=<lane id> lint_ignore=…
 *   edge    <tail id> <head id> label=…
 *
 * Dropped: the graph's DOT id, every Graphviz attribute except labels
 * (shape, colours, positions, rankdir...), declaration order, line
 * breaks and comments. Kinds are resolved (shape=diamond and
 * kind=decision hash the same), roles inherited from lanes are written
 * out. The hash is SHA-256 over these bytes.
 */
#include "process-maps/process_maps_int.h"
#include "core/limits.h"
#include "core/memory.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static void put_escaped(opex_buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': opex_buf_puts(out, "\\\\"); break;
		case '\t': opex_buf_puts(out, "\\t"); break;
		case '\n': opex_buf_puts(out, "\\n"); break;
		case '\r': opex_buf_puts(out, "\\r"); break;
		default: opex_buf_putc(out, *s); break;
		}
	}
}

static void put_field(opex_buf *out, const char *name, const char *value)
{
	if (value == NULL)
		return;
	opex_buf_putc(out, '\t');
	opex_buf_puts(out, name);
	opex_buf_putc(out, '=');
	put_escaped(out, value);
}

static int cmp_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

typedef struct edge_ref {
	const opex_pm_map *map;
	size_t index;
} edge_ref;

static int cmp_edge(const void *a, const void *b)
{
	const edge_ref *x = a, *y = b;
	const opex_pm_edge *e = &x->map->edges[x->index];
	const opex_pm_edge *f = &y->map->edges[y->index];
	int c = strcmp(x->map->nodes[e->tail].id, y->map->nodes[f->tail].id);

	if (c == 0)
		c = strcmp(x->map->nodes[e->head].id, y->map->nodes[f->head].id);
	if (c == 0)
		c = cmp_str(e->label, f->label);
	return c;
}

static int cmp_lane(const void *a, const void *b)
{
	const opex_pm_lane *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

void opex_pm_map_canonical(opex_buf *out, const opex_pm_map *map)
{
	edge_ref *edges = opex_calloc(map->edge_count + 1, sizeof(*edges));
	const opex_pm_lane **lanes = opex_calloc(map->lane_count + 1,
		sizeof(*lanes));
	size_t i, a, k;

	opex_buf_puts(out, "opex-map\t1\ngraph");
	for (a = 0; a < OPEX_PM_ATTR_COUNT; a++)
		put_field(out, opex_pm_attr_name((opex_pm_attr)a), map->attrs[a]);
	opex_buf_putc(out, '\n');
	for (i = 0; i < map->lane_count; i++)
		lanes[i] = &map->lanes[i];
	qsort(lanes, map->lane_count, sizeof(*lanes), cmp_lane);
	for (i = 0; i < map->lane_count; i++) {
		opex_buf_puts(out, "lane\t");
		put_escaped(out, lanes[i]->id);
		put_field(out, "role", lanes[i]->role);
		put_field(out, "label", lanes[i]->label);
		put_field(out, "lint_ignore", lanes[i]->lint_ignore);
		opex_buf_putc(out, '\n');
	}
	for (i = 0; i < map->node_count; i++) {
		const opex_pm_node *n = &map->nodes[map->by_id[i]];

		opex_buf_puts(out, "node\t");
		put_escaped(out, n->id);
		put_field(out, "kind", n->kind_valid ? opex_pm_kind_name(n->kind)
			: n->kind_attr);
		put_field(out, "label", n->label);
		put_field(out, "article", n->article);
		for (k = 0; k < n->reply_count; k++)
			put_field(out, "reply", n->replies[k]);
		put_field(out, "process", n->process);
		put_field(out, "role", n->role);
		put_field(out, "lane", n->lane == OPEX_PM_NO_LANE ? NULL
			: map->lanes[n->lane].id);
		put_field(out, "lint_ignore", n->lint_ignore);
		opex_buf_putc(out, '\n');
	}
	for (i = 0; i < map->edge_count; i++) {
		edges[i].map = map;
		edges[i].index = i;
	}
	qsort(edges, map->edge_count, sizeof(*edges), cmp_edge);
	for (i = 0; i < map->edge_count; i++) {
		const opex_pm_edge *e = &map->edges[edges[i].index];

		opex_buf_puts(out, "edge\t");
		put_escaped(out, map->nodes[e->tail].id);
		opex_buf_putc(out, '\t');
		put_escaped(out, map->nodes[e->head].id);
		put_field(out, "label", e->label);
		opex_buf_putc(out, '\n');
	}
	opex_free(edges);
	opex_free(lanes);
}

int opex_pm_map_hash(char out[OPEX_SHA256_HEX_SIZE], const opex_pm_map *map,
	opex_error *err)
{
	opex_buf buf = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	int error = 0;

	out[0] = '\0';
	opex_pm_map_canonical(&buf, map);
	if (buf.failed) {
		error = opex_error_set(err, OPEX_ETOOBIG,
			"the canonical form of '%s' is too large", map->path);
		goto done;
	}
	opex_sha256_hex(out, buf.ptr, buf.len);
done:
	opex_buf_release(&buf);
	return error;
}
