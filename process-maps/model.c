/*
 * model.c: a process map from DOT text. Joins what cgraph read (dot.c) with
 * where it is written (scan.c), infers kinds, decodes labels, and keeps the
 * facts the DOT hygiene rules need.
 *
 *   kind=        wins; else shape:
 *   shape        diamond -> decision; Mdiamond -> start; Msquare,
 *                doublecircle -> end; circle, point -> merge; component,
 *                box3d, folder, tab -> subprocess; anything else -> action
 *   process=     without kind= or shape: subprocess
 */
#include "process-maps/process_maps_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char *const kind_names[OPEX_PM_KIND_COUNT] = {
	"start", "end", "action", "decision", "merge", "subprocess"
};

static const char *const attr_names[OPEX_PM_ATTR_COUNT] = {
	"title", "owner", "champion", "journey", "review_by", "lint_ignore",
	"acknowledge"
};

/* Graphviz's attributes (graphviz.org/doc/info/attrs.html) and opex's, sorted. */
static const char *const known_attrs[] = {
	"Damping", "K", "URL", "_background", "acknowledge", "area", "arrowhead",
	"arrowsize", "arrowtail", "article", "bb", "beautify", "bgcolor",
	"center", "champion", "charset", "class", "cluster", "clusterrank",
	"color", "colorscheme", "comment", "compound", "concentrate",
	"constraint", "decorate", "defaultdist", "dim", "dimen", "dir",
	"diredgeconstraints", "distortion", "dpi", "edgeURL", "edgehref",
	"edgetarget", "edgetooltip", "epsilon", "esep", "fillcolor",
	"fixedsize", "fontcolor", "fontname", "fontnames", "fontpath",
	"fontsize", "forcelabels", "gradientangle", "group", "headURL",
	"head_lp", "headclip", "headhref", "headlabel", "headport",
	"headtarget", "headtooltip", "height", "href", "id", "image",
	"imagepath", "imagepos", "imagescale", "inputscale", "journey", "kind",
	"label", "labelURL", "label_scheme", "labelangle", "labeldistance",
	"labelfloat", "labelfontcolor", "labelfontname", "labelfontsize",
	"labelhref", "labeljust", "labelloc", "labeltarget", "labeltooltip",
	"landscape", "layer", "layerlistsep", "layers", "layerselect",
	"layersep", "layout", "len", "levels", "levelsgap", "lhead", "lheight",
	"linelength", "lint_ignore", "lp", "ltail", "lwidth", "margin",
	"maxiter", "mclimit", "mindist", "minlen", "mode", "model", "newrank",
	"nodesep", "nojustify", "normalize", "notranslate", "nslimit",
	"nslimit1", "oneblock", "ordering", "orientation", "outputorder",
	"overlap", "overlap_scaling", "overlap_shrink", "owner", "pack",
	"packmode", "pad", "page", "pagedir", "pencolor", "penwidth",
	"peripheries", "pin", "pos", "process", "quadtree", "quantum",
	"radius", "rank", "rankdir", "ranksep", "ratio", "rects", "regular",
	"remincross", "reply", "repulsiveforce", "resolution", "review_by", "role",
	"root", "rotate", "rotation", "samehead", "sametail", "samplepoints",
	"scale", "searchsize", "sep", "shape", "shapefile", "showboxes",
	"sides", "size", "skew", "smoothing", "sortv", "splines", "start",
	"style", "stylesheet", "tailURL", "tail_lp", "tailclip", "tailhref",
	"taillabel", "tailport", "tailtarget", "tailtooltip", "target",
	"title", "tooltip", "truecolor", "vertices", "viewport", "voro_margin",
	"weight", "width", "xdotversion", "xlabel", "xlp", "z"
};

#define KNOWN_COUNT (sizeof(known_attrs) / sizeof(known_attrs[0]))

const char *opex_pm_kind_name(opex_pm_kind kind)
{
	return (unsigned)kind < OPEX_PM_KIND_COUNT ? kind_names[kind] : "?";
}

const char *opex_pm_attr_name(opex_pm_attr attr)
{
	return (unsigned)attr < OPEX_PM_ATTR_COUNT ? attr_names[attr] : "?";
}

bool opex_pm_attribute_known(const char *name)
{
	size_t i;

	for (i = 0; i < KNOWN_COUNT; i++)
		if (strcmp(known_attrs[i], name) == 0)
			return true;
	return false;
}

const char *opex_pm_attribute_closest(const char *name)
{
	return opex_text_closest(name, strlen(name),
		(const char *const *)known_attrs, KNOWN_COUNT, 2);
}

/* reply="replies/a.md, replies/b.md": the items, each once, in order. */
static void split_list(char ***items, size_t *count, const char *value)
{
	const char *p = value;

	while (p && *p) {
		size_t len = strcspn(p, ",");
		opex_str s = opex_str_trim((opex_str){ p, len });
		size_t i;
		bool seen = false;

		for (i = 0; i < *count && !seen; i++)
			seen = opex_str_eq(s, (*items)[i]);
		if (s.len && !seen) {
			*items = opex_realloc(*items,
				(*count + 1) * sizeof(**items));
			(*items)[(*count)++] = opex_strndup(s.ptr, s.len);
		}
		p += len;
		if (*p == ',')
			p++;
	}
}

static bool kind_parse(opex_pm_kind *out, const char *s)
{
	size_t i;

	for (i = 0; i < OPEX_PM_KIND_COUNT; i++)
		if (strcmp(kind_names[i], s) == 0) {
			*out = (opex_pm_kind)i;
			return true;
		}
	return false;
}

static opex_pm_kind kind_from_shape(const char *shape, const char *process)
{
	static const struct { const char *shape; opex_pm_kind kind; } table[] = {
		{ "diamond", OPEX_PM_KIND_DECISION },
		{ "Mdiamond", OPEX_PM_KIND_START },
		{ "Msquare", OPEX_PM_KIND_END },
		{ "doublecircle", OPEX_PM_KIND_END },
		{ "circle", OPEX_PM_KIND_MERGE },
		{ "point", OPEX_PM_KIND_MERGE },
		{ "component", OPEX_PM_KIND_SUBPROCESS },
		{ "box3d", OPEX_PM_KIND_SUBPROCESS },
		{ "folder", OPEX_PM_KIND_SUBPROCESS },
		{ "tab", OPEX_PM_KIND_SUBPROCESS },
	};
	size_t i;

	if (shape != NULL)
		for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
			if (strcmp(table[i].shape, shape) == 0)
				return table[i].kind;
	if (shape == NULL && process != NULL)
		return OPEX_PM_KIND_SUBPROCESS;
	return OPEX_PM_KIND_ACTION;
}

char *opex_pm_label_decode(const char *raw, bool html)
{
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	const char *p;
	size_t depth = 0;

	if (raw == NULL || strcmp(raw, "\\N") == 0)
		return NULL;
	for (p = raw; *p; p++) {
		if (html) {
			/* HTML-like labels are shown as their text, tags dropped. */
			if (*p == '<')
				depth++;
			else if (*p == '>' && depth > 0)
				depth--;
			else if (depth == 0)
				opex_buf_putc(&out, *p);
			continue;
		}
		if (*p == '\\' && p[1] != '\0') {
			p++;
			if (*p == 'n' || *p == 'l' || *p == 'r')
				opex_buf_putc(&out, '\n');
			else if (*p == '\\' || *p == '"')
				opex_buf_putc(&out, *p);
			else {
				opex_buf_putc(&out, '\\');
				opex_buf_putc(&out, *p);
			}
			continue;
		}
		opex_buf_putc(&out, *p);
	}
	/* A label ending in a line break (\l) keeps no trailing newline. */
	while (out.len > 0 && out.ptr[out.len - 1] == '\n')
		opex_buf_truncate(&out, out.len - 1);
	if (out.len == 0) {
		opex_buf_release(&out);
		return NULL;
	}
	return opex_buf_detach(&out, NULL);
}

/* ---- lookups by id ----------------------------------------------------- */

static int cmp_by_id(const void *a, const void *b, const opex_pm_map *map)
{
	return strcmp(map->nodes[*(const size_t *)a].id,
		map->nodes[*(const size_t *)b].id);
}

/* qsort has no payload: sort indexes with a small merge sort instead. */
static void sort_indexes(size_t *idx, size_t n, const opex_pm_map *map)
{
	size_t *tmp, width, i;

	if (n < 2)
		return;
	tmp = opex_malloc(n * sizeof(*tmp));
	for (width = 1; width < n; width *= 2) {
		for (i = 0; i < n; i += 2 * width) {
			size_t lo = i, mid = i + width < n ? i + width : n;
			size_t hi = i + 2 * width < n ? i + 2 * width : n;
			size_t a = lo, b = mid, k = lo;

			while (a < mid && b < hi)
				tmp[k++] = cmp_by_id(&idx[b], &idx[a], map) < 0
					? idx[b++] : idx[a++];
			while (a < mid)
				tmp[k++] = idx[a++];
			while (b < hi)
				tmp[k++] = idx[b++];
		}
		memcpy(idx, tmp, n * sizeof(*idx));
	}
	opex_free(tmp);
}

long opex_pm_map_find(const opex_pm_map *map, const char *id)
{
	size_t lo = 0, hi = map->node_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(map->nodes[map->by_id[mid]].id, id);

		if (c == 0)
			return (long)map->by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---- joining cgraph's graph with the source positions ------------------ */

static void add_fact(opex_pm_map *map, pm_fact_kind kind, size_t node,
	const char *name, unsigned line, unsigned first_line,
	pm_src_context ctx)
{
	pm_map_fact *f;

	opex_array_grow((void **)&map->facts, &map->fact_cap,
		map->fact_count + 1, sizeof(*map->facts));
	f = &map->facts[map->fact_count++];
	f->kind = kind;
	f->node = node;
	f->name = opex_strdup(name);
	f->line = line;
	f->first_line = first_line;
	f->context = ctx;
}

static void place_nodes(opex_pm_map *map, const pm_source *src)
{
	unsigned *decl_line = opex_calloc(map->node_count + 1, sizeof(unsigned));
	size_t i;

	for (i = 0; i < src->node_count; i++) {
		const pm_src_node *m = &src->nodes[i];
		long n = opex_pm_map_find(map, m->id);

		if (n < 0)
			continue;
		if (map->nodes[n].line == 0)
			map->nodes[n].line = m->line;
		if (!m->has_attrs)
			continue;
		if (decl_line[n] == 0) {
			decl_line[n] = m->line;
			map->nodes[n].line = m->line;
		} else {
			add_fact(map, PM_FACT_DUPLICATE_NODE, (size_t)n, m->id,
				m->line, decl_line[n], PM_SRC_NODE);
		}
	}
	for (i = 0; i < map->node_count; i++)
		if (map->nodes[i].line == 0)
			map->nodes[i].line = map->line;
	opex_free(decl_line);
}

typedef struct edge_key {
	const char *tail, *head;
	size_t order;         /* source order, or cgraph sequence */
	size_t index;
} edge_key;

static int cmp_edge_key(const void *a, const void *b)
{
	const edge_key *x = a, *y = b;
	int c = strcmp(x->tail, y->tail);

	if (c == 0)
		c = strcmp(x->head, y->head);
	if (c == 0)
		c = x->order < y->order ? -1 : x->order > y->order;
	return c;
}

/* The k-th edge a->b cgraph made gets the line of the k-th a->b written. */
static void place_edges(opex_pm_map *map, const pm_raw_graph *raw,
	const pm_source *src)
{
	edge_key *made = opex_calloc(map->edge_count + 1, sizeof(*made));
	edge_key *written = opex_calloc(src->edge_count + 1, sizeof(*written));
	size_t i, k = 0;

	for (i = 0; i < map->edge_count; i++) {
		made[i].tail = map->nodes[map->edges[i].tail].id;
		made[i].head = map->nodes[map->edges[i].head].id;
		made[i].order = raw->edges[i].seq;
		made[i].index = i;
	}
	for (i = 0; i < src->edge_count; i++) {
		written[i].tail = src->edges[i].tail;
		written[i].head = src->edges[i].head;
		written[i].order = i;
		written[i].index = i;
	}
	qsort(made, map->edge_count, sizeof(*made), cmp_edge_key);
	qsort(written, src->edge_count, sizeof(*written), cmp_edge_key);
	for (i = 0; i < map->edge_count; i++) {
		opex_pm_edge *e = &map->edges[made[i].index];
		int c = -1;

		while (k < src->edge_count) {
			c = strcmp(written[k].tail, made[i].tail);
			if (c == 0)
				c = strcmp(written[k].head, made[i].head);
			if (c >= 0)
				break;
			k++;
		}
		if (k < src->edge_count && c == 0)
			e->line = src->edges[written[k++].index].line;
		else
			e->line = map->nodes[e->tail].line;
	}
	opex_free(made);
	opex_free(written);
}

static void add_target(opex_pm_map *map, const pm_src_attr *sa, size_t node)
{
	opex_pm_target *t;

	if (sa->context == PM_SRC_NODE && node == OPEX_PM_NO_LANE)
		return; /* a default (node [target_x=..]) names no node */
	if (map->target_count == map->target_cap) {
		map->target_cap = map->target_cap ? 2 * map->target_cap : 8;
		map->targets = opex_realloc(map->targets,
			map->target_cap * sizeof(*map->targets));
	}
	t = &map->targets[map->target_count++];
	t->name = opex_strdup(sa->name);
	t->value = opex_strdup(sa->value ? sa->value : "");
	t->node = node;
	t->line = sa->line;
}

size_t opex_pm_map_target_count(const opex_pm_map *map)
{
	return map->target_count;
}

const opex_pm_target *opex_pm_map_target(const opex_pm_map *map, size_t i)
{
	return i < map->target_count ? &map->targets[i] : NULL;
}

const char *opex_pm_map_target_find(const opex_pm_map *map, size_t node,
	const char *name)
{
	const char *found = NULL;
	size_t i;

	for (i = 0; i < map->target_count; i++)
		if (map->targets[i].node == node &&
		    strcmp(map->targets[i].name, name) == 0)
			found = map->targets[i].value; /* the last one wins */
	return found;
}

int opex_pm_target_parse(double *out, const char *name, const char *value)
{
	opex_pm_target_type type = OPEX_PM_TARGET_UNKNOWN;
	char *end = NULL;
	double v;

	*out = 0;
	if (strcmp(name, "target_backlog") == 0)
		type = OPEX_PM_TARGET_COUNT;
	else if (strcmp(name, "target_csat") == 0)
		type = OPEX_PM_TARGET_SCORE;
	else if (strcmp(name, "target_conformance") == 0 ||
		 strcmp(name, "target_automation_rate") == 0 ||
		 strcmp(name, "target_reopen_rate") == 0 ||
		 strcmp(name, "target_rework_rate") == 0)
		type = OPEX_PM_TARGET_RATIO;
	else if ((strcmp(name, "target_resolution_p50") == 0 ||
		  strcmp(name, "target_resolution_p90") == 0 ||
		  strcmp(name, "target_first_response_p50") == 0 ||
		  strcmp(name, "target_first_response_p90") == 0 ||
		  strcmp(name, "target_step_p50") == 0 ||
		  strcmp(name, "target_step_p90") == 0))
		type = OPEX_PM_TARGET_DURATION;
	if (type == OPEX_PM_TARGET_UNKNOWN)
		return OPEX_PM_TARGET_UNKNOWN;
	if (value == NULL || value[0] < '0' || value[0] > '9')
		return -1;
	v = strtod(value, &end);
	if (end == value || v < 0 || v != v || v > 1e12)
		return -1;
	switch (type) {
	case OPEX_PM_TARGET_COUNT:
		if (*end != '\0' || v != (double)(long long)v)
			return -1;
		break;
	case OPEX_PM_TARGET_SCORE:
		if (*end != '\0')
			return -1;
		break;
	case OPEX_PM_TARGET_RATIO:
		if (strcmp(end, "%") == 0)
			v /= 100.0;
		else if (*end != '\0')
			return -1;
		if (v > 1.0)
			return -1;
		break;
	case OPEX_PM_TARGET_DURATION:
		if (strcmp(end, "min") == 0)
			v *= 60.0;
		else if (strcmp(end, "h") == 0)
			v *= 3600.0;
		else if (strcmp(end, "d") == 0)
			v *= 86400.0;
		else if (strcmp(end, "w") == 0)
			v *= 7 * 86400.0;
		else
			return -1;
		break;
	default:
		return -1;
	}
	*out = v;
	return (int)type;
}

static void place_attrs(opex_pm_map *map, const pm_source *src)
{
	size_t i, a;

	for (i = 0; i < OPEX_PM_ATTR_COUNT; i++)
		map->attr_lines[i] = map->line;
	for (i = 0; i < src->attr_count; i++) {
		const pm_src_attr *sa = &src->attrs[i];
		size_t node = OPEX_PM_NO_LANE;

		if (sa->node != NULL) {
			long n = opex_pm_map_find(map, sa->node);

			node = n < 0 ? OPEX_PM_NO_LANE : (size_t)n;
		}
		/* graph and node targets; a node's may sit in its lane's subgraph */
		if (strncmp(sa->name, "target_", 7) == 0 &&
		    (sa->context == PM_SRC_NODE ||
		     (sa->context == PM_SRC_GRAPH && sa->subgraph == NULL))) {
			add_target(map, sa, node);
			continue;
		}
		if (!opex_pm_attribute_known(sa->name))
			add_fact(map, PM_FACT_UNKNOWN_ATTRIBUTE, node, sa->name,
				sa->line, 0, sa->context);
		if (sa->context != PM_SRC_GRAPH)
			continue;
		if (sa->subgraph != NULL) {
			for (a = 0; a < map->lane_count; a++)
				if (strcmp(map->lanes[a].id, sa->subgraph) == 0 &&
				    map->lanes[a].line == 0)
					map->lanes[a].line = sa->line;
			continue;
		}
		for (a = 0; a < OPEX_PM_ATTR_COUNT; a++)
			if (strcmp(sa->name, attr_names[a]) == 0)
				map->attr_lines[a] = sa->line;
	}
	for (a = 0; a < map->lane_count; a++)
		if (map->lanes[a].line == 0)
			map->lanes[a].line = map->line;
}

/* Move what cgraph read into the map; `raw` keeps only what is not moved. */
static void build(opex_pm_map *map, pm_raw_graph *raw)
{
	size_t i;

	map->name = raw->name;
	raw->name = NULL;
	for (i = 0; i < OPEX_PM_ATTR_COUNT; i++) {
		map->attrs[i] = raw->attrs[i];
		raw->attrs[i] = NULL;
	}
	split_list(&map->acknowledge, &map->acknowledge_count,
		map->attrs[OPEX_PM_ATTR_ACKNOWLEDGE]);
	map->lanes = opex_calloc(raw->lane_count + 1, sizeof(*map->lanes));
	for (i = 0; i < raw->lane_count; i++) {
		pm_raw_lane *rl = &raw->lanes[i];
		opex_pm_lane *l = &map->lanes[i];

		l->id = rl->name;
		l->role = rl->role;
		l->label = opex_pm_label_decode(rl->label, false);
		l->lint_ignore = rl->lint_ignore;
		rl->name = rl->role = rl->lint_ignore = NULL;
	}
	map->lane_count = raw->lane_count;
	map->nodes = opex_calloc(raw->node_count + 1, sizeof(*map->nodes));
	for (i = 0; i < raw->node_count; i++) {
		pm_raw_node *rn = &raw->nodes[i];
		opex_pm_node *n = &map->nodes[i];

		n->id = rn->name;
		n->label = opex_pm_label_decode(rn->label, rn->html_label);
		n->html_label = rn->html_label;
		n->kind_attr = rn->kind;
		n->kind_valid = rn->kind == NULL || kind_parse(&n->kind, rn->kind);
		if (rn->kind == NULL || !n->kind_valid)
			n->kind = kind_from_shape(rn->shape, rn->process);
		n->article = rn->article;
		split_list(&n->replies, &n->reply_count, rn->reply);
		n->process = rn->process;
		n->lane = rn->lane;
		n->role = rn->role;
		if (n->role == NULL && n->lane != OPEX_PM_NO_LANE &&
		    map->lanes[n->lane].role != NULL)
			n->role = opex_strdup(map->lanes[n->lane].role);
		n->lint_ignore = rn->lint_ignore;
		rn->name = rn->kind = rn->article = rn->process = NULL;
		rn->role = rn->lint_ignore = NULL;
	}
	map->node_count = raw->node_count;
	map->edges = opex_calloc(raw->edge_count + 1, sizeof(*map->edges));
	for (i = 0; i < raw->edge_count; i++) {
		map->edges[i].tail = raw->edges[i].tail;
		map->edges[i].head = raw->edges[i].head;
		map->edges[i].label = opex_pm_label_decode(raw->edges[i].label,
			false);
	}
	map->edge_count = raw->edge_count;
	map->by_id = opex_calloc(map->node_count + 1, sizeof(size_t));
	for (i = 0; i < map->node_count; i++)
		map->by_id[i] = i;
	sort_indexes(map->by_id, map->node_count, map);
}

static int syntax(opex_diag_list *diags, const char *path, unsigned line,
	int code, opex_error *err, const char *message)
{
	opex_diag_add(diags, OPEX_SEVERITY_ERROR, "dot-syntax", path, line,
		line ? 1 : 0, "%s", message);
	return opex_error_set(err, code, "cannot read '%s': %s", path, message);
}

int opex_pm_map_load(opex_pm_map **out, const char *path, const char *text,
	size_t len, opex_diag_list *diags, opex_error *err)
{
	pm_source src;
	pm_raw_graph raw;
	opex_error inner = OPEX_ERROR_INIT;
	opex_pm_map *map = NULL;
	char *copy = NULL;
	char message[OPEX_ERROR_MESSAGE_SIZE + 64];
	unsigned line = 0;
	size_t bad = 0;
	int error = 0;

	*out = NULL;
	memset(&src, 0, sizeof(src));
	memset(&raw, 0, sizeof(raw));
	if (len > OPEX_LIMIT_FILE_BYTES) {
		error = syntax(diags, path, 0, OPEX_ETOOBIG, err,
			"file too large for a process map");
		goto done;
	}
	if (opex_text_has_nul(text, len)) {
		error = syntax(diags, path, 0, OPEX_EINVALID, err,
			"binary file: a process map is DOT text");
		goto done;
	}
	if (!opex_utf8_valid(text, len, &bad)) {
		error = syntax(diags, path, opex_text_line_at(text, len, bad),
			OPEX_EINVALID, err, "not UTF-8 text: invalid byte sequence");
		goto done;
	}
	error = opex_pm_source_scan(&src, &line, text, len, &inner);
	if (error < 0) {
		error = syntax(diags, path, line, error, err, inner.message);
		goto done;
	}
	if (src.graph_count == 0) {
		error = syntax(diags, path, 1, OPEX_EINVALID, err,
			"no digraph in the file: a process map is one 'digraph { ... }'");
		goto done;
	}
	if (src.undirected) {
		error = syntax(diags, path, src.graph_line, OPEX_EINVALID, err,
			"an undirected graph: a process map is a 'digraph' (edges are '->')");
		goto done;
	}
	/* cgraph reads up to a NUL: give it a terminated copy. */
	copy = opex_strndup(text, len);
	error = opex_pm_dot_read(&raw, &line, copy, &inner);
	if (error < 0) {
		error = syntax(diags, path, line, error, err, inner.message);
		goto done;
	}
	if (src.graph_count > 1 || src.second_graph_line) {
		snprintf(message, sizeof(message),
			"more than one graph in the file (the first starts on line %u): a process map is one digraph",
			src.graph_line);
		error = syntax(diags, path, src.second_graph_line, OPEX_EINVALID,
			err, message);
		goto done;
	}
	map = opex_calloc(1, sizeof(*map));
	map->path = opex_strdup(path);
	map->line = src.graph_line;
	map->strict = src.strict;
	build(map, &raw);
	place_nodes(map, &src);
	place_edges(map, &raw, &src);
	place_attrs(map, &src);
	*out = map;
	map = NULL;
done:
	opex_free(copy);
	opex_pm_map_free(map);
	opex_pm_raw_release(&raw);
	opex_pm_source_release(&src);
	return error;
}

void opex_pm_map_free(opex_pm_map *map)
{
	size_t i, j;

	if (map == NULL)
		return;
	for (i = 0; i < map->node_count; i++) {
		opex_pm_node *n = &map->nodes[i];

		opex_free(n->id);
		opex_free(n->label);
		opex_free(n->kind_attr);
		opex_free(n->article);
		for (j = 0; j < n->reply_count; j++)
			opex_free(n->replies[j]);
		opex_free(n->replies);
		opex_free(n->process);
		opex_free(n->role);
		opex_free(n->lint_ignore);
	}
	for (i = 0; i < map->edge_count; i++)
		opex_free(map->edges[i].label);
	for (i = 0; i < map->lane_count; i++) {
		opex_free(map->lanes[i].id);
		opex_free(map->lanes[i].role);
		opex_free(map->lanes[i].label);
		opex_free(map->lanes[i].lint_ignore);
	}
	for (i = 0; i < map->fact_count; i++)
		opex_free(map->facts[i].name);
	for (i = 0; i < map->target_count; i++) {
		opex_free(map->targets[i].name);
		opex_free(map->targets[i].value);
	}
	opex_free(map->targets);
	for (i = 0; i < OPEX_PM_ATTR_COUNT; i++)
		opex_free(map->attrs[i]);
	opex_strings_free(map->acknowledge, map->acknowledge_count);
	opex_free(map->facts);
	opex_free(map->nodes);
	opex_free(map->edges);
	opex_free(map->lanes);
	opex_free(map->by_id);
	opex_free(map->name);
	opex_free(map->path);
	opex_free(map);
}

const char *opex_pm_map_path(const opex_pm_map *map) { return map->path; }

const char *opex_pm_map_name(const opex_pm_map *map)
{
	return map->name ? map->name : "";
}

unsigned opex_pm_map_line(const opex_pm_map *map) { return map->line; }

const char *opex_pm_map_attr(const opex_pm_map *map, opex_pm_attr attr)
{
	return (unsigned)attr < OPEX_PM_ATTR_COUNT ? map->attrs[attr] : NULL;
}

size_t opex_pm_map_acknowledge(const opex_pm_map *map, char *const **teams)
{
	*teams = map->acknowledge;
	return map->acknowledge_count;
}

unsigned opex_pm_map_attr_line(const opex_pm_map *map, opex_pm_attr attr)
{
	return (unsigned)attr < OPEX_PM_ATTR_COUNT ? map->attr_lines[attr]
		: map->line;
}

size_t opex_pm_map_node_count(const opex_pm_map *map) { return map->node_count; }

const opex_pm_node *opex_pm_map_node(const opex_pm_map *map, size_t i)
{
	return &map->nodes[i];
}

size_t opex_pm_map_edge_count(const opex_pm_map *map) { return map->edge_count; }

const opex_pm_edge *opex_pm_map_edge(const opex_pm_map *map, size_t i)
{
	return &map->edges[i];
}

size_t opex_pm_map_lane_count(const opex_pm_map *map) { return map->lane_count; }

const opex_pm_lane *opex_pm_map_lane(const opex_pm_map *map, size_t i)
{
	return &map->lanes[i];
}
