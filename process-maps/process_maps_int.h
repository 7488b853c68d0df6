/*
 * process_maps_int.h: what the files of process-maps/ share, and nothing
 * outside the folder (tests reach it through this header).
 *
 * Loading a map is two passes over the same text:
 *
 *   pass            file    gives
 *   source scan     scan.c  lines of nodes, edges and attributes; nesting;
 *                           number of graphs; node declarations with [...]
 *   cgraph parse    dot.c   the graph as Graphviz understands it: nodes,
 *                           edges, effective attribute values, clusters
 *
 * and model.c joins them into an opex_pm_map.
 */
#ifndef OPEX_PROCESS_MAPS_INT_H
#define OPEX_PROCESS_MAPS_INT_H

#include "process-maps/process_maps.h"

/* ---- dot.c: the graph as cgraph read it ------------------------------- */

typedef struct pm_raw_node {
	char *name;
	char *label, *kind, *shape, *article, *reply, *process, *role;
	char *lint_ignore;
	bool html_label;
	size_t lane;            /* index in raw->subgraphs, or OPEX_PM_NO_LANE */
} pm_raw_node;

typedef struct pm_raw_edge {
	size_t tail, head;
	char *label;
	unsigned long seq;      /* creation order */
} pm_raw_edge;

typedef struct pm_raw_lane {
	char *name, *role, *label, *lint_ignore;
} pm_raw_lane;

typedef struct pm_raw_graph {
	char *name;
	char *attrs[OPEX_PM_ATTR_COUNT];
	pm_raw_node *nodes;
	size_t node_count;
	pm_raw_edge *edges;
	size_t edge_count;
	pm_raw_lane *lanes;
	size_t lane_count;
} pm_raw_graph;

/**
 * Parse one DOT graph from NUL-terminated `text` with libcgraph. Syntax
 * errors fail with OPEX_EINVALID; `*err_line` receives cgraph's line (0 if
 * it gave none). Past OPEX_LIMIT_MAP_NODES nodes or OPEX_LIMIT_MAP_EDGES
 * edges: OPEX_ETOOBIG.
 */
int opex_pm_dot_read(pm_raw_graph *out, unsigned *err_line, const char *text,
	opex_error *err);

/** Free what a raw graph holds. */
void opex_pm_raw_release(pm_raw_graph *raw);

/* ---- scan.c: where things are written -------------------------------- */

typedef enum pm_src_context {
	PM_SRC_GRAPH = 0,    /* graph [..], a = b, and subgraph/cluster attributes */
	PM_SRC_NODE,
	PM_SRC_EDGE
} pm_src_context;

typedef struct pm_src_attr {
	char *name, *value;
	unsigned line;
	pm_src_context context;
	char *subgraph;       /* the innermost subgraph's name; NULL at top level */
	char *node;           /* node statement: the node id */
} pm_src_attr;

typedef struct pm_src_node {
	char *id;
	unsigned line;
	bool has_attrs;       /* a node statement with an attribute list */
} pm_src_node;

typedef struct pm_src_edge {
	char *tail, *head;
	unsigned line;
} pm_src_edge;

typedef struct pm_source {
	size_t graph_count;
	bool strict, undirected;
	unsigned graph_line;
	unsigned second_graph_line;
	pm_src_attr *attrs;
	size_t attr_count, attr_cap;
	pm_src_node *nodes;    /* node statements and edge endpoints, in order */
	size_t node_count, node_cap;
	pm_src_edge *edges;
	size_t edge_count, edge_cap;
} pm_source;

/**
 * Scan DOT `text[0..len)` for positions. Lenient: it assumes cgraph judges
 * syntax, and only fails (OPEX_ETOOBIG, `*err_line` set) when subgraphs nest
 * deeper than OPEX_LIMIT_MAP_NESTING or statements pass the limits.
 */
int opex_pm_source_scan(pm_source *out, unsigned *err_line, const char *text,
	size_t len, opex_error *err);

void opex_pm_source_release(pm_source *src);

/* ---- model.c ----------------------------------------------------------- */

typedef enum pm_fact_kind {
	PM_FACT_UNKNOWN_ATTRIBUTE = 0, /* name: the attribute */
	PM_FACT_DUPLICATE_NODE         /* first_line: the earlier declaration */
} pm_fact_kind;

/* Something the source says that cgraph silently accepts. */
typedef struct pm_map_fact {
	pm_fact_kind kind;
	size_t node;             /* node index, or OPEX_PM_NO_LANE for none */
	char *name;
	unsigned line, first_line;
	pm_src_context context;
} pm_map_fact;

struct opex_pm_map {
	char *path;
	char *name;
	unsigned line;
	char *attrs[OPEX_PM_ATTR_COUNT];
	unsigned attr_lines[OPEX_PM_ATTR_COUNT];
	char **acknowledge;     /* the teams of acknowledge= */
	size_t acknowledge_count;
	opex_pm_node *nodes;
	size_t node_count;
	opex_pm_edge *edges;
	size_t edge_count;
	opex_pm_lane *lanes;
	size_t lane_count;
	size_t *by_id;          /* node indexes sorted by id */
	opex_pm_target *targets; /* target_* attributes, in source order */
	size_t target_count, target_cap;

	/* Facts for the DOT hygiene rules, reported by lint.c. */
	bool strict;
	pm_map_fact *facts;
	size_t fact_count, fact_cap;
};

/** The attribute's name in DOT ("review_by"). */
const char *opex_pm_attr_name(opex_pm_attr attr);

/** Decode a DOT label for display: \n \l \r become newlines, \\ a backslash. */
char *opex_pm_label_decode(const char *raw, bool html);

/** True if `name` is a Graphviz attribute or one of opex's own. */
bool opex_pm_attribute_known(const char *name);

/** The known attribute closest to `name` (edit distance 2), or NULL. */
const char *opex_pm_attribute_closest(const char *name);

/* ---- lint.c ------------------------------------------------------------ */

/* A parsed lint_ignore entry. */
typedef struct pm_ignore {
	char *rule;
	char *reason;          /* NULL: missing */
} pm_ignore;

/**
 * Split a lint_ignore value, "rule: reason; other-rule: reason", into
 * entries. Returns the number of entries; `*out` is malloc'd.
 */
size_t opex_pm_ignore_parse(pm_ignore **out, const char *value);

void opex_pm_ignore_free(pm_ignore *items, size_t count);

/* ---- lint_config.c ----------------------------------------------------- */

/** The rule catalogue, sorted: every id opex reports. */
extern const char *const opex_pm_rule_ids[];
extern const size_t opex_pm_rule_id_count;

#endif
