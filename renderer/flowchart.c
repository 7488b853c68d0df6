/*
 * flowchart.c: process maps as flowcharts, the only file that calls libgvc.
 *
 * A map is never laid out as its author wrote it: opex writes its own DOT
 * from the model (so user attributes such as URL, href, shape or colours
 * never reach the output), lets libgvc lay it out with `dot` and render it
 * with the core SVG renderer (ids and links survive; cairo drops them),
 * then makes the SVG stable and accessible:
 *
 *   element                    from
 *   <svg role="img" aria-labelledby="opex-title opex-desc">
 *   <title id="opex-title">    the map's title (else its path)
 *   <desc id="opex-desc">      path, owner, champion
 *   <g id="<node id>">         each node; class "opex-<kind>"
 *   <a xlink:href="...">       only for a node whose article is a clean
 *                              handbook path of an article in the tree
 *   red outline + tooltip      nodes with lint errors (diags on their line)
 *   comments                   removed (Graphviz writes its version there)
 *
 *   kind        drawn as
 *   start, end  rounded box (end bold)
 *   action      box
 *   decision    diamond
 *   merge       small circle
 *   subprocess  double-bordered box
 *   lane        a labelled band (cluster) named by its role
 *
 * With a diff: added parts green, changed parts amber, removed parts (taken
 * from the old map) dashed red.
 *
 * With a KPI overlay (a heat map): the graph label becomes an HTML-like
 * table holding the header and the legend, wrapped after layout in
 * <g class="opex-kpi-legend">; nodes gain the class "opex-kpi-<state>", a
 * fill and border per state and a second label line with the value (merge
 * circles carry it as an external label); edges gain a penwidth by volume
 * and the volume as tooltip (labels as on the plain map, so the layout
 * costs what the plain one does).
 *
 *   state    fill      border               (Okabe-Ito hues)
 *   ok       #d6e9f8   #0072b2 solid 1.5
 *   warn     #fff1b8   #8a6d00 dashed 2.5
 *   breach   #f9cfb4   #d55e00 bold 3.5
 *   none     #f2f2f2   #8c8c8c dotted 1     second line "no data"
 *
 * Cache: `<cache_dir>/<sha256 of format and generated DOT>.<ext>`; the
 * generated DOT is a function of the map's canonical form and of the render
 * inputs, so equal maps share an entry. With a content key (the map's blob
 * id, digests of its findings and of its link targets) the file is
 * `<sha256 of format, link prefix and key>.<ext>`, found without writing
 * DOT (1,000 nodes: 1-3 ms less); a miss renders as without and writes
 * both names.
 */
#define _POSIX_C_SOURCE 200809L
#include "renderer/renderer_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/sha256.h"

#include <graphviz/gvc.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

#define RED "#c62828"
#define GREEN "#2e7d32"
#define AMBER "#f9a825"
#define TOOLTIP_MAX 512u
#define KPI_TEXT_MAX 200u        /* bytes of an overlay string that are shown */
#define KPI_PEN_MIN 1.0
#define KPI_PEN_MAX 6.0

typedef enum mark { MARK_NONE = 0, MARK_ADDED, MARK_CHANGED } mark;

/* Append `s` as the inside of a DOT quoted string, shown literally. */
static void dot_text(opex_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			opex_buf_putc(out, '\\');
		if (*s == '\n') {
			opex_buf_puts(out, "\\n");
			continue;
		}
		if (*s == '\r' || *s == '\t') {
			opex_buf_putc(out, ' ');
			continue;
		}
		opex_buf_putc(out, *s);
	}
}

static void dot_attr(opex_buf *out, const char *name, const char *value)
{
	opex_buf_printf(out, ", %s=\"", name);
	dot_text(out, value);
	opex_buf_putc(out, '"');
}

static bool id_safe(const char *id)
{
	const char *p;

	if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z') ||
	      *id == '_'))
		return false;
	for (p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		      *p == '.'))
			return false;
	return p - id < 200;
}

/* An XML-safe element id for a node: the id itself, else "n-" and hex. */
static void element_id(opex_buf *out, const char *prefix, const char *id)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;

	opex_buf_puts(out, prefix);
	if (id_safe(id)) {
		opex_buf_puts(out, id);
		return;
	}
	opex_buf_puts(out, "n-");
	for (p = (const unsigned char *)id; *p && p - (const unsigned char *)id < 64; p++) {
		opex_buf_putc(out, hex[*p >> 4]);
		opex_buf_putc(out, hex[*p & 15]);
	}
}

static void dot_id_attr(opex_buf *out, const char *prefix, const char *id)
{
	opex_buf_puts(out, ", id=\"");
	element_id(out, prefix, id);
	opex_buf_putc(out, '"');
}

/* Errors reported on this map at `line`, joined for a tooltip. */
static void node_errors(opex_buf *out, const opex_diag_list *diags,
	const char *path, unsigned line)
{
	size_t i;

	if (diags == NULL || line == 0)
		return;
	for (i = 0; i < diags->count; i++) {
		const opex_diag *d = &diags->items[i];

		if (d->severity != OPEX_SEVERITY_ERROR || d->line != line ||
		    strcmp(d->path, path) != 0)
			continue;
		if (out->len > 0)
			opex_buf_puts(out, "\n");
		if (out->len < TOOLTIP_MAX)
			opex_buf_printf(out, "%s [%s]", d->message, d->rule);
	}
}

static bool article_linkable(const opex_render_flowchart_options *opts,
	const char *article)
{
	const opex_kb_entry *e;

	if (opts->repo == NULL || article == NULL ||
	    !opex_path_is_clean(article) ||
	    !opex_path_under(article, "articles") ||
	    !opex_path_has_suffix(article, ".md"))
		return false;
	e = opex_kb_repo_find(opts->repo, article);
	return e != NULL && e->kind == OPEX_KB_ENTRY_FILE;
}

void opex_render_flowchart_key(opex_buf *out, const char *blob,
	const opex_pm_map *map, const opex_kb_repo *repo,
	const opex_diag_list *diags)
{
	opex_render_flowchart_options links = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	const char *path = opex_pm_map_path(map);
	opex_sha256 sha;
	unsigned char digest[OPEX_SHA256_SIZE];
	char hex[OPEX_SHA256_HEX_SIZE];
	size_t i, n = opex_pm_map_node_count(map);

	links.repo = repo;
	opex_sha256_init(&sha);
	/* The findings that outline a node: errors on the map, by line. */
	for (i = 0; diags != NULL && i < diags->count; i++) {
		const opex_diag *d = &diags->items[i];
		char line[32];

		if (d->severity != OPEX_SEVERITY_ERROR || strcmp(d->path, path) != 0)
			continue;
		snprintf(line, sizeof(line), "%u ", d->line);
		opex_sha256_update(&sha, line, strlen(line));
		opex_sha256_update(&sha, d->rule, strlen(d->rule) + 1);
		opex_sha256_update(&sha, d->message, strlen(d->message) + 1);
	}
	/* Which steps link: one byte a step. */
	opex_sha256_update(&sha, "\n", 1);
	for (i = 0; i < n; i++)
		opex_sha256_update(&sha, article_linkable(&links,
			opex_pm_map_node(map, i)->article) ? "1" : "0", 1);
	opex_sha256_final(&sha, digest);
	opex_sha256_to_hex(hex, digest);
	opex_buf_printf(out, "%s %s", blob, hex);
}

/* True if the diff says the whole map at `path` is new. */
static bool map_added(const opex_pm_diff *diff, const char *path)
{
	size_t i;

	for (i = 0; diff != NULL && i < diff->count; i++)
		if (diff->changes[i].kind == OPEX_PM_CHANGE_MAP_ADDED &&
		    strcmp(diff->changes[i].path, path) == 0)
			return true;
	return false;
}

static mark node_mark(const opex_pm_diff *diff, const char *path,
	const char *id)
{
	size_t i;
	mark m = MARK_NONE;

	if (map_added(diff, path))
		return MARK_ADDED;
	for (i = 0; diff != NULL && i < diff->count; i++) {
		const opex_pm_change *c = &diff->changes[i];

		if (c->node == NULL || c->head != NULL ||
		    strcmp(c->path, path) != 0 || strcmp(c->node, id) != 0)
			continue;
		if (c->kind == OPEX_PM_CHANGE_NODE_ADDED)
			return MARK_ADDED;
		if (c->kind != OPEX_PM_CHANGE_NODE_REMOVED)
			m = MARK_CHANGED;
	}
	return m;
}

static mark edge_mark(const opex_pm_diff *diff, const char *path,
	const char *tail, const char *head, const char *label)
{
	size_t i;

	if (map_added(diff, path))
		return MARK_ADDED;
	for (i = 0; diff != NULL && i < diff->count; i++) {
		const opex_pm_change *c = &diff->changes[i];
		const char *l = c->new_value;

		if (c->head == NULL || strcmp(c->path, path) != 0 ||
		    strcmp(c->node, tail) != 0 || strcmp(c->head, head) != 0)
			continue;
		if ((l == NULL) != (label == NULL) ||
		    (l != NULL && strcmp(l, label) != 0))
			continue;
		if (c->kind == OPEX_PM_CHANGE_EDGE_ADDED)
			return MARK_ADDED;
		if (c->kind == OPEX_PM_CHANGE_EDGE_RELABELLED)
			return MARK_CHANGED;
	}
	return MARK_NONE;
}

/* ---- KPI overlay ------------------------------------------------------- */

typedef struct state_style {
	const char *name, *fill, *border, *style;
	double penwidth;
} state_style;

static const state_style state_styles[] = {
	{ "none", "#f2f2f2", "#8c8c8c", "dotted", 1.0 },
	{ "ok", "#d6e9f8", "#0072b2", "solid", 1.5 },
	{ "warn", "#fff1b8", "#8a6d00", "dashed", 2.5 },
	{ "breach", "#f9cfb4", "#d55e00", "bold", 3.5 },
};

static const state_style *state_of(opex_render_kpi_state state)
{
	if ((unsigned)state >= sizeof(state_styles) / sizeof(state_styles[0]))
		state = OPEX_RENDER_KPI_NONE;
	return &state_styles[state];
}

const char *opex_render_kpi_state_name(opex_render_kpi_state state)
{
	return state_of(state)->name;
}

/* The overlay resolved against the map: one entry per map node and edge. */
typedef struct overlay {
	const opex_render_kpi_overlay *kpi;   /* NULL: no overlay */
	const opex_render_kpi_node **node;    /* per map node; NULL: no data */
	uint64_t *volume;                     /* per map edge */
	bool *has_volume;
	uint64_t max_volume;
	size_t ignored;
	size_t states[4];                     /* map nodes per state */
} overlay;

typedef struct edge_key {
	size_t tail, head, order;
} edge_key;

static int cmp_edge_key(const void *a, const void *b)
{
	const edge_key *x = a, *y = b;

	if (x->tail != y->tail)
		return x->tail < y->tail ? -1 : 1;
	if (x->head != y->head)
		return x->head < y->head ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

static void overlay_build(overlay *ov, const opex_pm_map *map,
	const opex_render_kpi_overlay *kpi)
{
	size_t nodes = opex_pm_map_node_count(map);
	size_t edges = opex_pm_map_edge_count(map);
	edge_key *keys = NULL;
	bool *matched = NULL;
	size_t i, count = 0, used = 0;

	memset(ov, 0, sizeof(*ov));
	ov->kpi = kpi;
	if (kpi == NULL)
		return;
	ov->node = opex_calloc(nodes + 1, sizeof(*ov->node));
	ov->volume = opex_calloc(edges + 1, sizeof(*ov->volume));
	ov->has_volume = opex_calloc(edges + 1, sizeof(*ov->has_volume));
	for (i = 0; i < kpi->node_count; i++) {
		const opex_render_kpi_node *k = &kpi->nodes[i];
		long n = k->node_id ? opex_pm_map_find(map, k->node_id) : -1;

		if (n < 0 || ov->node[n] != NULL)
			ov->ignored++;
		else
			ov->node[n] = k;
	}
	for (i = 0; i < nodes; i++)
		ov->states[ov->node[i] ? (size_t)(state_of(ov->node[i]->state) -
			state_styles) : 0]++;
	keys = opex_calloc(kpi->edge_count + 1, sizeof(*keys));
	for (i = 0; i < kpi->edge_count; i++) {
		const opex_render_kpi_edge *k = &kpi->edges[i];
		long t = k->tail ? opex_pm_map_find(map, k->tail) : -1;
		long h = k->head ? opex_pm_map_find(map, k->head) : -1;

		if (t < 0 || h < 0) {
			ov->ignored++;
			continue;
		}
		keys[count].tail = (size_t)t;
		keys[count].head = (size_t)h;
		keys[count++].order = i;
	}
	qsort(keys, count, sizeof(*keys), cmp_edge_key);
	for (i = 0; i < count; i++) {         /* keep the first of repeats */
		if (used > 0 && keys[i].tail == keys[used - 1].tail &&
		    keys[i].head == keys[used - 1].head)
			ov->ignored++;
		else
			keys[used++] = keys[i];
	}
	matched = opex_calloc(used + 1, sizeof(*matched));
	for (i = 0; i < edges; i++) {
		const opex_pm_edge *e = opex_pm_map_edge(map, i);
		edge_key probe = { e->tail, e->head, 0 };
		size_t lo = 0, hi = used;

		while (lo < hi) {             /* the first key not below probe */
			size_t mid = lo + (hi - lo) / 2;

			if (cmp_edge_key(&keys[mid], &probe) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == used || keys[lo].tail != e->tail ||
		    keys[lo].head != e->head)
			continue;
		matched[lo] = true;
		ov->has_volume[i] = true;
		ov->volume[i] = kpi->edges[keys[lo].order].volume;
		if (ov->volume[i] > ov->max_volume)
			ov->max_volume = ov->volume[i];
	}
	for (i = 0; i < used; i++)
		if (!matched[i])
			ov->ignored++;
	opex_free(matched);
	opex_free(keys);
}

static void overlay_release(overlay *ov)
{
	opex_free(ov->node);
	opex_free(ov->volume);
	opex_free(ov->has_volume);
	memset(ov, 0, sizeof(*ov));
}

/* The text an overlay entry shows: its value_text, else its value. */
static void kpi_value_text(opex_buf *out, const opex_render_kpi_node *k)
{
	if (k->value_text != NULL)
		opex_render_text_clean(out, k->value_text, KPI_TEXT_MAX);
	else if (isfinite(k->value) && fabs(k->value) < 1e15 &&
		 k->value == floor(k->value))
		opex_buf_printf(out, "%.0f", k->value);
	else if (isfinite(k->value))
		opex_buf_printf(out, "%.4g", k->value);
	else
		opex_buf_puts(out, "no value");
}

static const char *kpi_metric(const opex_render_kpi_overlay *kpi)
{
	return kpi->metric != NULL && kpi->metric[0] != '\0' ? kpi->metric : "KPI";
}

static void kind_style(opex_buf *out, opex_pm_kind kind)
{
	switch (kind) {
	case OPEX_PM_KIND_START:
		opex_buf_puts(out, ", shape=box, style=\"rounded,filled\", fillcolor=\"#e3f2fd\"");
		break;
	case OPEX_PM_KIND_END:
		opex_buf_puts(out, ", shape=box, style=\"rounded,filled,bold\", fillcolor=\"#e8f5e9\"");
		break;
	case OPEX_PM_KIND_DECISION:
		opex_buf_puts(out, ", shape=diamond, style=filled, fillcolor=\"#fff8e1\"");
		break;
	case OPEX_PM_KIND_MERGE:
		opex_buf_puts(out, ", shape=circle, width=0.25, fixedsize=true, style=filled, fillcolor=\"#eceff1\"");
		break;
	case OPEX_PM_KIND_SUBPROCESS:
		opex_buf_puts(out, ", shape=box, peripheries=2, style=filled, fillcolor=\"#f3e5f5\"");
		break;
	case OPEX_PM_KIND_ACTION:
	default:
		opex_buf_puts(out, ", shape=box, style=filled, fillcolor=\"#ffffff\"");
		break;
	}
}

/* A node's shape by kind, filled and bordered by its KPI state. */
static void kpi_style(opex_buf *out, opex_pm_kind kind, const state_style *st)
{
	const char *shape = kind == OPEX_PM_KIND_DECISION ? "diamond"
		: kind == OPEX_PM_KIND_MERGE ? "circle, width=0.25, fixedsize=true"
		: kind == OPEX_PM_KIND_SUBPROCESS ? "box, peripheries=2" : "box";
	bool rounded = kind == OPEX_PM_KIND_START || kind == OPEX_PM_KIND_END;

	opex_buf_printf(out, ", shape=%s, style=\"%sfilled,%s\", fillcolor=\"%s\", color=\"%s\", penwidth=%.1f",
		shape, rounded ? "rounded," : "", st->style, st->fill,
		st->border, st->penwidth);
	if (st == &state_styles[OPEX_RENDER_KPI_NONE])
		opex_buf_puts(out, ", fontcolor=\"#555555\"");
}

/* The label of a node under an overlay: its text, then the value line. */
static void kpi_node_label(opex_buf *out, const opex_pm_node *n,
	const opex_render_kpi_node *k)
{
	if (n->kind != OPEX_PM_KIND_MERGE) {
		opex_buf_puts(out, n->label ? n->label : n->id);
		opex_buf_putc(out, '\n');
	}
	if (k != NULL)
		kpi_value_text(out, k);
	else
		opex_buf_puts(out, "no data");
}

static void kpi_node_tooltip(opex_buf *out, const opex_pm_node *n,
	const opex_render_kpi_overlay *kpi, const opex_render_kpi_node *k)
{
	opex_buf_puts(out, n->label ? n->label : n->id);
	opex_buf_puts(out, ": ");
	opex_render_text_clean(out, kpi_metric(kpi), KPI_TEXT_MAX);
	opex_buf_puts(out, " ");
	if (k == NULL) {
		opex_buf_puts(out, "no data");
		return;
	}
	kpi_value_text(out, k);
	opex_buf_printf(out, " (%s)", state_of(k->state)->name);
}

static void write_node(opex_buf *out, const opex_pm_map *map, size_t i,
	const opex_render_flowchart_options *opts, const overlay *ov)
{
	const opex_pm_node *n = opex_pm_map_node(map, i);
	const opex_render_kpi_node *k = ov->kpi ? ov->node[i] : NULL;
	opex_buf errors = OPEX_BUF_INIT(TOOLTIP_MAX * 2);
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	mark m = node_mark(opts->diff, opex_pm_map_path(map), n->id);

	opex_buf_puts(out, "  \"");
	dot_text(out, n->id);
	opex_buf_puts(out, "\" [");
	opex_buf_printf(out, "class=\"opex-%s", opex_pm_kind_name(n->kind));
	if (ov->kpi != NULL)
		opex_buf_printf(out, " opex-kpi-%s",
			k ? state_of(k->state)->name : "none");
	opex_buf_putc(out, '"');
	dot_id_attr(out, "", n->id);
	if (ov->kpi == NULL) {
		dot_attr(out, "label", n->kind == OPEX_PM_KIND_MERGE ? ""
			: n->label ? n->label : n->id);
		kind_style(out, n->kind);
	} else {
		/* A merge circle is a junction, not a step: its value is in the
		 * tooltip (an external label would cost a placement pass). */
		kpi_node_label(&text, n, k);
		dot_attr(out, "label", n->kind == OPEX_PM_KIND_MERGE ? "" : text.ptr);
		kpi_style(out, n->kind, k ? state_of(k->state)
			: &state_styles[OPEX_RENDER_KPI_NONE]);
	}
	node_errors(&errors, opts->diags, opex_pm_map_path(map), n->line);
	if (errors.len > 0)
		opex_buf_puts(out, ", color=\"" RED "\", penwidth=2.5");
	else if (m == MARK_ADDED)
		opex_buf_puts(out, ", color=\"" GREEN "\", penwidth=2.5");
	else if (m == MARK_CHANGED)
		opex_buf_puts(out, ", color=\"" AMBER "\", penwidth=2.5");
	if (article_linkable(opts, n->article)) {
		opex_buf_puts(out, ", URL=\"");
		dot_text(out, opts->link_prefix ? opts->link_prefix : "");
		dot_text(out, n->article);
		opex_buf_putc(out, '"');
	}
	if (errors.len > 0 && !errors.failed) {
		dot_attr(out, "tooltip", errors.ptr);
	} else if (ov->kpi != NULL) {
		opex_buf_clear(&text);
		kpi_node_tooltip(&text, n, ov->kpi, k);
		dot_attr(out, "tooltip", text.ptr);
	} else if (n->article != NULL) {
		dot_attr(out, "tooltip", n->article);
	} else {
		dot_attr(out, "tooltip", n->label ? n->label : n->id);
	}
	opex_buf_puts(out, "];\n");
	opex_buf_release(&errors);
	opex_buf_release(&text);
}

/* Edge width for a volume: 1 to 6 points, on a log scale up to the largest. */
static double volume_pen(uint64_t volume, uint64_t max)
{
	double w;

	if (max == 0)
		return KPI_PEN_MIN;
	w = KPI_PEN_MIN + (KPI_PEN_MAX - KPI_PEN_MIN) *
		log1p((double)volume) / log1p((double)max);
	return w < KPI_PEN_MIN ? KPI_PEN_MIN : w > KPI_PEN_MAX ? KPI_PEN_MAX : w;
}

static void kpi_edge_attrs(opex_buf *out, const opex_pm_edge *e, size_t i,
	const overlay *ov)
{
	char text[64];

	if (!ov->has_volume[i]) {
		opex_buf_puts(out, ", class=\"opex-edge opex-kpi-none\", style=dashed, color=\"#9e9e9e\", tooltip=\"no data\"");
		if (e->label != NULL)
			dot_attr(out, "label", e->label);
		return;
	}
	snprintf(text, sizeof(text), "%" PRIu64, ov->volume[i]);
	opex_buf_printf(out, ", penwidth=%.2f, arrowsize=0.6",
		volume_pen(ov->volume[i], ov->max_volume));
	opex_buf_printf(out, ", tooltip=\"%s case%s\"", text,
		ov->volume[i] == 1 ? "" : "s");
	/* The volume is the tooltip, not a label: edge labels cost the layout
	 * time (external ones most), and the plain map's layout is kept. */
	if (e->label != NULL)
		dot_attr(out, "label", e->label);
}

static void write_edge(opex_buf *out, const opex_pm_map *map, size_t i,
	const opex_render_flowchart_options *opts, const overlay *ov)
{
	const opex_pm_edge *e = opex_pm_map_edge(map, i);
	const char *tail = opex_pm_map_node(map, e->tail)->id;
	const char *head = opex_pm_map_node(map, e->head)->id;
	mark m = edge_mark(opts->diff, opex_pm_map_path(map), tail, head,
		e->label);
	char seq[32];

	opex_buf_puts(out, "  \"");
	dot_text(out, tail);
	opex_buf_puts(out, "\" -> \"");
	dot_text(out, head);
	opex_buf_puts(out, "\" [");
	if (ov->kpi == NULL || ov->has_volume[i])
		opex_buf_puts(out, "class=\"opex-edge\", ");
	snprintf(seq, sizeof(seq), "-%zu", i + 1);
	opex_buf_puts(out, "id=\"edge-");
	element_id(out, "", tail);
	opex_buf_putc(out, '-');
	element_id(out, "", head);
	opex_buf_puts(out, seq);
	opex_buf_putc(out, '"');
	if (ov->kpi != NULL)
		kpi_edge_attrs(out, e, i, ov);
	else if (e->label != NULL)
		dot_attr(out, "label", e->label);
	if (m == MARK_ADDED)
		opex_buf_puts(out, ", color=\"" GREEN "\", fontcolor=\"" GREEN "\", penwidth=2");
	else if (m == MARK_CHANGED)
		opex_buf_puts(out, ", color=\"" AMBER "\", fontcolor=\"" AMBER "\", penwidth=2");
	opex_buf_puts(out, "];\n");
}

/* Removed nodes and edges, drawn from the old map, dashed red. */
static void write_removed(opex_buf *out, const opex_pm_map *map,
	const opex_render_flowchart_options *opts)
{
	const opex_pm_diff *diff = opts->diff;
	size_t i;

	for (i = 0; diff != NULL && i < diff->count; i++) {
		const opex_pm_change *c = &diff->changes[i];

		if (strcmp(c->path, opex_pm_map_path(map)) != 0)
			continue;
		if (c->kind == OPEX_PM_CHANGE_NODE_REMOVED) {
			opex_buf_puts(out, "  \"");
			dot_text(out, c->node);
			opex_buf_puts(out, "\" [class=\"opex-removed\"");
			dot_id_attr(out, "removed-", c->node);
			dot_attr(out, "label", c->old_value ? c->old_value : c->node);
			opex_buf_puts(out, ", shape=box, style=dashed, color=\"" RED
				"\", fontcolor=\"" RED "\"];\n");
		} else if (c->kind == OPEX_PM_CHANGE_EDGE_REMOVED) {
			opex_buf_puts(out, "  \"");
			dot_text(out, c->node);
			opex_buf_puts(out, "\" -> \"");
			dot_text(out, c->head);
			opex_buf_puts(out, "\" [class=\"opex-removed\", style=dashed, color=\""
				RED "\", fontcolor=\"" RED "\"");
			if (c->old_value != NULL)
				dot_attr(out, "label", c->old_value);
			opex_buf_puts(out, "];\n");
		}
	}
}

static void header_label(opex_buf *out, const opex_pm_map *map)
{
	const char *title = opex_pm_map_attr(map, OPEX_PM_ATTR_TITLE);
	const char *owner = opex_pm_map_attr(map, OPEX_PM_ATTR_OWNER);
	const char *champion = opex_pm_map_attr(map, OPEX_PM_ATTR_CHAMPION);

	opex_buf_puts(out, title ? title : opex_pm_map_path(map));
	opex_buf_printf(out, "\nowner: %s   champion: %s",
		owner ? owner : "(none)", champion ? champion : "(none)");
}

/* Append clean text for an HTML-like Graphviz label, escaped. */
static void html_label_text(opex_buf *out, const char *s)
{
	opex_buf clean = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);

	opex_render_text_clean(&clean, s, KPI_TEXT_MAX);
	opex_html_escape(out, clean.ptr, clean.len);
	opex_buf_release(&clean);
}

/*
 * The graph label under an overlay: the header, then the legend (the
 * metric, one cell per state drawn as its nodes are, with the number of
 * steps in it, and what edge width means), as an HTML-like table.
 */
static void kpi_header_label(opex_buf *out, const opex_pm_map *map,
	const overlay *ov)
{
	static const opex_render_kpi_state order[] = { OPEX_RENDER_KPI_OK,
		OPEX_RENDER_KPI_WARN, OPEX_RENDER_KPI_BREACH, OPEX_RENDER_KPI_NONE };
	const char *title = opex_pm_map_attr(map, OPEX_PM_ATTR_TITLE);
	const char *owner = opex_pm_map_attr(map, OPEX_PM_ATTR_OWNER);
	const char *champion = opex_pm_map_attr(map, OPEX_PM_ATTR_CHAMPION);
	const opex_render_kpi_overlay *kpi = ov->kpi;
	size_t i;

	opex_buf_puts(out, ", label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"4\" cellpadding=\"3\"><tr><td colspan=\"4\" border=\"0\">");
	html_label_text(out, title ? title : opex_pm_map_path(map));
	opex_buf_puts(out, "<br/>owner: ");
	html_label_text(out, owner ? owner : "(none)");
	opex_buf_puts(out, "   champion: ");
	html_label_text(out, champion ? champion : "(none)");
	opex_buf_puts(out, "</td></tr><tr><td colspan=\"4\" border=\"0\"><font point-size=\"11\">");
	html_label_text(out, kpi->legend_title && kpi->legend_title[0]
		? kpi->legend_title : kpi_metric(kpi));
	opex_buf_puts(out, "</font></td></tr><tr>");
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const state_style *st = state_of(order[i]);

		opex_buf_printf(out, "<td bgcolor=\"%s\" color=\"%s\"%s><font point-size=\"10\">%s: %zu</font></td>",
			st->fill, st->border,
			order[i] == OPEX_RENDER_KPI_WARN ? " style=\"dashed\""
			: order[i] == OPEX_RENDER_KPI_NONE ? " style=\"dotted\"" : "",
			order[i] == OPEX_RENDER_KPI_NONE ? "no data" : st->name,
			ov->states[st - state_styles]);
	}
	opex_buf_puts(out, "</tr><tr><td colspan=\"4\" border=\"0\"><font point-size=\"10\">edge width: cases (log scale)</font></td></tr></table>>");
}

static void write_dot(opex_buf *out, const opex_pm_map *map,
	const opex_render_flowchart_options *opts, const overlay *ov)
{
	opex_buf header = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	size_t i, k, nodes = opex_pm_map_node_count(map);
	bool *in_lane = opex_calloc(nodes + 1, sizeof(bool));

	opex_buf_puts(out, "digraph \"opex\" {\n  graph [rankdir=TB, newrank=true, labelloc=t, fontname=\"Helvetica\", fontsize=14, nodesep=0.4, ranksep=0.45, id=\"opex-map\"");
	if (ov->kpi != NULL) {
		kpi_header_label(out, map, ov);
	} else {
		header_label(&header, map);
		dot_attr(out, "label", header.ptr);
	}
	opex_buf_puts(out, "];\n  node [fontname=\"Helvetica\", fontsize=10, color=\"#37474f\", margin=\"0.15,0.06\"];\n");
	opex_buf_puts(out, "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#546e7a\", arrowsize=0.7];\n");
	for (k = 0; k < opex_pm_map_lane_count(map); k++) {
		const opex_pm_lane *lane = opex_pm_map_lane(map, k);

		opex_buf_puts(out, "  subgraph \"cluster_");
		opex_buf_printf(out, "%zu\" {\n    graph [class=\"opex-lane\", style=\"filled\", fillcolor=\"#f5f7fa\", color=\"#cfd8dc\", labeljust=l, fontsize=11",
			k);
		dot_id_attr(out, "lane-", lane->id);
		dot_attr(out, "label", lane->role ? lane->role
			: lane->label ? lane->label : lane->id);
		opex_buf_puts(out, "];\n");
		for (i = 0; i < nodes; i++) {
			const opex_pm_node *n = opex_pm_map_node(map, i);

			if (n->lane != k)
				continue;
			in_lane[i] = true;
			opex_buf_puts(out, "  ");
			write_node(out, map, i, opts, ov);
		}
		opex_buf_puts(out, "  }\n");
	}
	for (i = 0; i < nodes; i++)
		if (!in_lane[i])
			write_node(out, map, i, opts, ov);
	for (i = 0; i < opex_pm_map_edge_count(map); i++)
		write_edge(out, map, i, opts, ov);
	write_removed(out, map, opts);
	opex_buf_puts(out, "}\n");
	opex_free(in_lane);
	opex_buf_release(&header);
}

void opex_render_flowchart_dot(opex_buf *out, const opex_pm_map *map,
	const opex_render_flowchart_options *opts)
{
	opex_render_flowchart_options none = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	overlay ov;

	if (opts == NULL)
		opts = &none;
	overlay_build(&ov, map, opts->kpi);
	if (opts->kpi_ignored != NULL)
		*opts->kpi_ignored = ov.ignored;
	write_dot(out, map, opts, &ov);
	overlay_release(&ov);
}

/* ---- layout and rendering ---------------------------------------------- */

/*
 * The one libgvc context of the process. Graphviz's text-layout plugin keeps
 * process-wide caches that point into the context that filled them (a
 * second context reads freed memory), so one context is created on first
 * use and kept. It is only touched inside opex_pm_dot_with_graph(), under
 * cgraph's lock: the second piece of contained global state, with dot.c's.
 */
static GVC_t *shared_gvc;

typedef struct job {
	const char *format;    /* "svg:svg:core", "png" */
	opex_buf *out;
	opex_error *err;
} job;

static int layout(opex_pm_dot_graph *graph, void *payload)
{
	job *j = payload;
	Agraph_t *g = (Agraph_t *)graph;
	GVC_t *gvc;
	char *data = NULL;
	unsigned int len = 0;
	int error = 0;
	bool laid_out = false;

	if (shared_gvc == NULL)
		shared_gvc = gvContext();
	gvc = shared_gvc;
	if (gvLayout(gvc, g, "dot") != 0) {
		error = opex_error_set(j->err, OPEX_ERROR, "layout failed");
		goto done;
	}
	laid_out = true;
	if (gvRenderData(gvc, g, j->format, &data, &len) != 0) {
		error = opex_error_set(j->err, OPEX_ERROR,
			"rendering as '%s' failed", j->format);
		goto done;
	}
	opex_buf_put(j->out, data, len);
done:
	if (data != NULL)
		gvFreeRenderData(data);
	if (laid_out)
		gvFreeLayout(gvc, g);
	return error;
}

/* Drop comments (Graphviz's version banner among them). */
static void strip_comments(opex_buf *svg)
{
	char *r = svg->ptr, *w = svg->ptr, *end = svg->ptr + svg->len;

	while (r < end) {
		if (end - r >= 4 && memcmp(r, "<!--", 4) == 0) {
			char *close = strstr(r + 4, "-->");

			r = close ? close + 3 : end;
			while (r < end && *r == '\n' && w > svg->ptr && w[-1] == '\n')
				r++;
			continue;
		}
		*w++ = *r++;
	}
	opex_buf_truncate(svg, (size_t)(w - svg->ptr));
}

typedef struct block {
	const char *ptr;
	size_t len;
} block;

static int cmp_block(const void *a, const void *b)
{
	const block *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->ptr, y->ptr, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/*
 * cgraph emits clusters in the order of their ids. dot.c numbers names in
 * order of first use, which makes that order stable; sorting the flat,
 * consecutive lane groups by their text (it starts with the lane's element
 * id) keeps the bytes stable even if an id discipline changes.
 */
static void sort_lanes(opex_buf *svg)
{
	static const char open[] = "<g id=\"lane";
	char *first = strstr(svg->ptr, open), *p = first, *copy;
	block *blocks = NULL;
	size_t count = 0, cap = 0, i, total;

	while (p != NULL && strncmp(p, open, sizeof(open) - 1) == 0) {
		char *end = strstr(p, "</g>\n");

		if (end == NULL)
			break;
		end += 5;
		opex_array_grow((void **)&blocks, &cap, count + 1, sizeof(*blocks));
		blocks[count].ptr = p;
		blocks[count].len = (size_t)(end - p);
		count++;
		p = end;
	}
	if (count > 1) {
		total = (size_t)(p - first);
		copy = opex_malloc(total);
		qsort(blocks, count, sizeof(*blocks), cmp_block);
		p = copy;
		for (i = 0; i < count; i++) {
			memcpy(p, blocks[i].ptr, blocks[i].len);
			p += blocks[i].len;
		}
		memcpy(first, copy, total);
		opex_free(copy);
	}
	opex_free(blocks);
}

/*
 * Under an overlay the graph label (header and legend) is what Graphviz
 * writes between the background polygon of the graph and its first
 * group: wrap it so pages can style and find the legend.
 */
static void wrap_legend(opex_buf *svg)
{
	static const char graph[] = "class=\"graph\"";
	opex_buf copy = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	const char *g = strstr(svg->ptr, graph);
	const char *poly = g ? strstr(g, "\n<polygon") : NULL;
	const char *begin = poly ? strchr(poly + 1, '\n') : NULL;
	const char *end = begin ? strstr(begin, "\n<g id=") : NULL;

	if (end == NULL)
		end = begin ? strstr(begin, "\n</g>\n</svg>") : NULL;
	if (end == NULL || end == begin)
		return;
	opex_buf_put(&copy, svg->ptr, (size_t)(begin - svg->ptr));
	opex_buf_puts(&copy, "\n<g id=\"opex-legend\" class=\"opex-kpi-legend\">");
	opex_buf_put(&copy, begin, (size_t)(end - begin));
	opex_buf_puts(&copy, "\n</g>");
	opex_buf_put(&copy, end, svg->len - (size_t)(end - svg->ptr));
	if (!copy.failed) {
		opex_buf_clear(svg);
		opex_buf_put(svg, copy.ptr, copy.len);
	}
	opex_buf_release(&copy);
}

/* Add role, aria-labelledby, <title> and <desc> to the root element. */
static int make_accessible(opex_buf *out, const opex_buf *svg,
	const opex_pm_map *map, const overlay *ov, opex_error *err)
{
	const char *title = opex_pm_map_attr(map, OPEX_PM_ATTR_TITLE);
	const char *owner = opex_pm_map_attr(map, OPEX_PM_ATTR_OWNER);
	const char *champion = opex_pm_map_attr(map, OPEX_PM_ATTR_CHAMPION);
	const char *root = strstr(svg->ptr, "<svg");
	const char *gt = root ? strchr(root, '>') : NULL;
	opex_buf desc = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);

	if (gt == NULL)
		return opex_error_set(err, OPEX_ERROR,
			"the SVG renderer wrote no <svg> element");
	opex_buf_put(out, svg->ptr, (size_t)(gt - svg->ptr));
	opex_buf_puts(out, " role=\"img\" aria-labelledby=\"opex-title opex-desc\">\n<title id=\"opex-title\">");
	title = title ? title : opex_pm_map_path(map);
	opex_html_escape(out, title, strlen(title));
	opex_buf_puts(out, "</title>\n<desc id=\"opex-desc\">");
	opex_buf_printf(&desc, "Process map %s; owner: %s; champion: %s",
		opex_pm_map_path(map), owner ? owner : "none",
		champion ? champion : "none");
	if (ov->kpi != NULL) {
		opex_buf_puts(&desc, "; heat map of ");
		opex_render_text_clean(&desc, kpi_metric(ov->kpi), KPI_TEXT_MAX);
		opex_buf_printf(&desc, ": %zu ok, %zu warn, %zu breach, %zu no data",
			ov->states[OPEX_RENDER_KPI_OK], ov->states[OPEX_RENDER_KPI_WARN],
			ov->states[OPEX_RENDER_KPI_BREACH],
			ov->states[OPEX_RENDER_KPI_NONE]);
	}
	opex_html_escape(out, desc.ptr, desc.len);
	opex_buf_puts(out, "</desc>");
	opex_buf_put(out, gt + 1, svg->len - (size_t)(gt + 1 - svg->ptr));
	opex_buf_release(&desc);
	return 0;
}

static const char *extension(opex_render_flowchart_format format)
{
	return format == OPEX_FLOWCHART_PNG ? "png"
		: format == OPEX_FLOWCHART_DOT ? "dot" : "svg";
}

/* Append the file to `out`; false (and `out` as it was) when it cannot. */
static bool cache_read(opex_buf *out, const char *file)
{
	FILE *f = fopen(file, "rb");
	char chunk[65536];
	size_t n, at = out->len;
	struct stat st;
	bool ok;

	if (f == NULL)
		return false;
	/* One allocation: a chart of 1,000 nodes is close to 1 MB. */
	if (fstat(fileno(f), &st) == 0 && st.st_size > 0 &&
	    (uint64_t)st.st_size <= out->max - out->len)
		opex_buf_grow(out, (size_t)st.st_size);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		opex_buf_put(out, chunk, n);
	ok = !ferror(f) && !out->failed;
	fclose(f);
	if (!ok)
		opex_buf_truncate(out, at);
	return ok;
}

/* Write atomically: a temporary file renamed into place. Failures are ignored. */
static void cache_write(const char *file, const opex_buf *data)
{
	char tmp[OPEX_LIMIT_PATH_BYTES + 32];
	FILE *f;
	bool ok;

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", file, (long)getpid());
	f = fopen(tmp, "wb");
	if (f == NULL)
		return;
	ok = fwrite(data->ptr, 1, data->len, f) == data->len;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, file) != 0)
		remove(tmp);
}

int opex_render_flowchart(opex_buf *out, const opex_pm_map *map,
	const opex_render_flowchart_options *opts, opex_error *err)
{
	opex_render_flowchart_options none = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	opex_buf dot = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_buf raw = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	char key[OPEX_SHA256_HEX_SIZE], file[OPEX_LIMIT_PATH_BYTES],
		named[OPEX_LIMIT_PATH_BYTES];
	opex_sha256 sha;
	unsigned char digest[OPEX_SHA256_SIZE];
	const char *ext;
	overlay ov;
	job j;
	int error = 0;

	if (opts == NULL)
		opts = &none;
	ext = extension(opts->format);
	if (opts->cache_hit != NULL)
		*opts->cache_hit = false;
	named[0] = '\0';
	if (opts->cache_dir != NULL && opts->content_key != NULL &&
	    opts->diff == NULL && opts->kpi == NULL &&
	    opts->format != OPEX_FLOWCHART_DOT) {
		const char *prefix = opts->link_prefix ? opts->link_prefix : "";

		opex_sha256_init(&sha);
		opex_sha256_update(&sha, "opex-flowchart-key 1 ", 21);
		opex_sha256_update(&sha, ext, strlen(ext));
		opex_sha256_update(&sha, "\n", 1);
		opex_sha256_update(&sha, prefix, strlen(prefix) + 1);
		opex_sha256_update(&sha, opts->content_key, strlen(opts->content_key));
		opex_sha256_final(&sha, digest);
		opex_sha256_to_hex(key, digest);
		snprintf(named, sizeof(named), "%s/%s.%s", opts->cache_dir, key, ext);
		if (cache_read(out, named)) {   /* nothing built yet: nothing to free */
			if (opts->cache_hit != NULL)
				*opts->cache_hit = true;
			if (opts->kpi_ignored != NULL)
				*opts->kpi_ignored = 0;
			return 0;
		}
	}
	overlay_build(&ov, map, opts->kpi);
	if (opts->kpi_ignored != NULL)
		*opts->kpi_ignored = ov.ignored;
	write_dot(&dot, map, opts, &ov);
	if (dot.failed) {
		error = opex_error_set(err, OPEX_ETOOBIG,
			"'%s' is too large to render", opex_pm_map_path(map));
		goto done;
	}
	if (opts->format == OPEX_FLOWCHART_DOT) {
		opex_buf_put(out, dot.ptr, dot.len);
		goto done;
	}
	file[0] = '\0';
	if (opts->cache_dir != NULL) {
		opex_sha256_init(&sha);
		opex_sha256_update(&sha, "opex-flowchart 1 ", 17);
		opex_sha256_update(&sha, ext, strlen(ext));
		opex_sha256_update(&sha, "\n", 1);
		opex_sha256_update(&sha, dot.ptr, dot.len);
		opex_sha256_final(&sha, digest);
		opex_sha256_to_hex(key, digest);
		snprintf(file, sizeof(file), "%s/%s.%s", opts->cache_dir, key, ext);
		if (cache_read(&raw, file)) {
			if (named[0] != '\0')
				cache_write(named, &raw);
			opex_buf_put(out, raw.ptr, raw.len);
			if (opts->cache_hit != NULL)
				*opts->cache_hit = true;
			goto done;
		}
		opex_buf_clear(&raw);
	}
	j.format = opts->format == OPEX_FLOWCHART_PNG ? "png" : "svg:svg:core";
	j.out = &raw;
	j.err = err;
	error = opex_pm_dot_with_graph(dot.ptr, layout, &j, err);
	if (error < 0)
		goto done;
	if (raw.failed) {
		error = opex_error_set(err, OPEX_ETOOBIG,
			"the flowchart of '%s' is too large", opex_pm_map_path(map));
		goto done;
	}
	if (opts->format == OPEX_FLOWCHART_SVG) {
		opex_buf svg = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);

		strip_comments(&raw);
		sort_lanes(&raw);
		if (ov.kpi != NULL)
			wrap_legend(&raw);
		error = make_accessible(&svg, &raw, map, &ov, err);
		opex_buf_release(&raw);
		raw = svg;
		if (error < 0)
			goto done;
	}
	if (file[0] != '\0')
		cache_write(file, &raw);
	if (named[0] != '\0')
		cache_write(named, &raw);
	opex_buf_put(out, raw.ptr, raw.len);
done:
	overlay_release(&ov);
	opex_buf_release(&dot);
	opex_buf_release(&raw);
	return error;
}
