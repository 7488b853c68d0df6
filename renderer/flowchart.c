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
 * Cache: `<cache_dir>/<sha256 of format and generated DOT>.<ext>`; the
 * generated DOT is a function of the map's canonical form and of the render
 * inputs, so equal maps share an entry.
 */
#include "renderer/renderer_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/sha256.h"

#include <graphviz/gvc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

#define RED "#c62828"
#define GREEN "#2e7d32"
#define AMBER "#f9a825"
#define TOOLTIP_MAX 512u

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

static void write_node(opex_buf *out, const opex_pm_map *map, size_t i,
	const opex_render_flowchart_options *opts)
{
	const opex_pm_node *n = opex_pm_map_node(map, i);
	opex_buf errors = OPEX_BUF_INIT(TOOLTIP_MAX * 2);
	mark m = node_mark(opts->diff, opex_pm_map_path(map), n->id);

	opex_buf_puts(out, "  \"");
	dot_text(out, n->id);
	opex_buf_puts(out, "\" [");
	opex_buf_printf(out, "class=\"opex-%s\"", opex_pm_kind_name(n->kind));
	dot_id_attr(out, "", n->id);
	dot_attr(out, "label", n->kind == OPEX_PM_KIND_MERGE ? ""
		: n->label ? n->label : n->id);
	kind_style(out, n->kind);
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
	if (errors.len > 0 && !errors.failed)
		dot_attr(out, "tooltip", errors.ptr);
	else if (n->article != NULL)
		dot_attr(out, "tooltip", n->article);
	else
		dot_attr(out, "tooltip", n->label ? n->label : n->id);
	opex_buf_puts(out, "];\n");
	opex_buf_release(&errors);
}

static void write_edge(opex_buf *out, const opex_pm_map *map, size_t i,
	const opex_render_flowchart_options *opts)
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
	opex_buf_puts(out, "\" [class=\"opex-edge\"");
	snprintf(seq, sizeof(seq), "-%zu", i + 1);
	opex_buf_puts(out, ", id=\"edge-");
	element_id(out, "", tail);
	opex_buf_putc(out, '-');
	element_id(out, "", head);
	opex_buf_puts(out, seq);
	opex_buf_putc(out, '"');
	if (e->label != NULL)
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

void opex_render_flowchart_dot(opex_buf *out, const opex_pm_map *map,
	const opex_render_flowchart_options *opts)
{
	opex_render_flowchart_options none = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	opex_buf header = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	size_t i, k, nodes = opex_pm_map_node_count(map);
	bool *in_lane = opex_calloc(nodes + 1, sizeof(bool));

	if (opts == NULL)
		opts = &none;
	header_label(&header, map);
	opex_buf_puts(out, "digraph \"opex\" {\n  graph [rankdir=TB, newrank=true, labelloc=t, fontname=\"Helvetica\", fontsize=14, nodesep=0.4, ranksep=0.45, id=\"opex-map\"");
	dot_attr(out, "label", header.ptr);
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
			write_node(out, map, i, opts);
		}
		opex_buf_puts(out, "  }\n");
	}
	for (i = 0; i < nodes; i++)
		if (!in_lane[i])
			write_node(out, map, i, opts);
	for (i = 0; i < opex_pm_map_edge_count(map); i++)
		write_edge(out, map, i, opts);
	write_removed(out, map, opts);
	opex_buf_puts(out, "}\n");
	opex_free(in_lane);
	opex_buf_release(&header);
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

/* Add role, aria-labelledby, <title> and <desc> to the root element. */
static int make_accessible(opex_buf *out, const opex_buf *svg,
	const opex_pm_map *map, opex_error *err)
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

static bool cache_read(opex_buf *out, const char *file)
{
	FILE *f = fopen(file, "rb");
	char chunk[65536];
	size_t n;
	bool ok;

	if (f == NULL)
		return false;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		opex_buf_put(out, chunk, n);
	ok = !ferror(f) && !out->failed;
	fclose(f);
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
	char key[OPEX_SHA256_HEX_SIZE], file[OPEX_LIMIT_PATH_BYTES];
	opex_sha256 sha;
	unsigned char digest[OPEX_SHA256_SIZE];
	const char *ext;
	job j;
	int error = 0;

	if (opts == NULL)
		opts = &none;
	ext = extension(opts->format);
	if (opts->cache_hit != NULL)
		*opts->cache_hit = false;
	opex_render_flowchart_dot(&dot, map, opts);
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
		error = make_accessible(&svg, &raw, map, err);
		opex_buf_release(&raw);
		raw = svg;
		if (error < 0)
			goto done;
	}
	if (file[0] != '\0')
		cache_write(file, &raw);
	opex_buf_put(out, raw.ptr, raw.len);
done:
	opex_buf_release(&dot);
	opex_buf_release(&raw);
	return error;
}
