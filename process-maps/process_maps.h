/*
 * process_maps.h: process maps (processes/<path>.dot) as data, their lint
 * rules, their canonical form and semantic hash, and the semantic diff
 * between two revisions.
 *
 * A map is one DOT digraph, read with libcgraph (dot.c, the only adapter):
 *
 *   graph attributes  title, owner, champion, journey, review_by, lint_ignore,
 *                     acknowledge (teams that must read every change),
 *                     target_* (KPI targets, also on nodes)
 *   node attributes   kind (start|end|action|decision|merge|subprocess, else
 *                     inferred from shape), label, article, process, role,
 *                     lint_ignore
 *   edge attributes   label (a decision's branch)
 *   lanes             subgraphs named cluster_lane_* with role and label
 *
 *   dot.c        libcgraph: DOT text -> plain graph; error capture
 *   scan.c       source positions: where nodes, edges, attributes are written
 *   model.c      plain graph + positions -> opex_pm_map
 *   canonical.c  canonical form and SHA-256 semantic hash
 *   lint.c       the map rules and the handbook-wide entry point
 *   lint_config.c .opex/lint.yaml (or the lint: section of opex.yaml)
 *   diff.c       semantic diff of two maps or two revisions
 *
 * Docs: docs/internals/process-maps.md.
 */
#ifndef OPEX_PROCESS_MAPS_H
#define OPEX_PROCESS_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/error.h"
#include "core/sha256.h"
#include "kb/kb.h"

/* ---------------------------------------------------------------------
 * The model
 * ------------------------------------------------------------------- */

typedef enum opex_pm_kind {
	OPEX_PM_KIND_START = 0,
	OPEX_PM_KIND_END,
	OPEX_PM_KIND_ACTION,
	OPEX_PM_KIND_DECISION,
	OPEX_PM_KIND_MERGE,
	OPEX_PM_KIND_SUBPROCESS
} opex_pm_kind;

#define OPEX_PM_KIND_COUNT 6

typedef struct opex_pm_node {
	char *id;
	char *label;         /* display text (escapes decoded); NULL if none */
	opex_pm_kind kind;   /* from kind=, else inferred from shape */
	char *kind_attr;     /* kind= as written; NULL if absent */
	bool kind_valid;     /* false: kind_attr is not in the vocabulary */
	bool html_label;     /* the label was an HTML-like <...> string */
	char *article;       /* article=, NULL if absent */
	char **replies;      /* reply="a.md, b.md": the paths, blanks trimmed */
	size_t reply_count;
	char *process;       /* process=, NULL if absent */
	char *role;          /* role=, else the lane's role; NULL if neither */
	char *lint_ignore;   /* lint_ignore=, NULL if absent */
	size_t lane;         /* index of its lane, or OPEX_PM_NO_LANE */
	unsigned line;       /* first declaration (or first mention) */
} opex_pm_node;

#define OPEX_PM_NO_LANE ((size_t)-1)

typedef struct opex_pm_edge {
	size_t tail, head;   /* node indexes */
	char *label;         /* NULL if none */
	unsigned line;
} opex_pm_edge;

typedef struct opex_pm_lane {
	char *id;            /* "cluster_lane_frontend" */
	char *role, *label;  /* NULL if absent */
	char *lint_ignore;
	unsigned line;
} opex_pm_lane;

/* Graph attributes a map may carry. */
typedef enum opex_pm_attr {
	OPEX_PM_ATTR_TITLE = 0,
	OPEX_PM_ATTR_OWNER,
	OPEX_PM_ATTR_CHAMPION,
	OPEX_PM_ATTR_JOURNEY,
	OPEX_PM_ATTR_REVIEW_BY,
	OPEX_PM_ATTR_LINT_IGNORE,
	OPEX_PM_ATTR_ACKNOWLEDGE,  /* "team-a, team-b": who must read every change */
	OPEX_PM_ATTR_COUNT
} opex_pm_attr;

typedef struct opex_pm_map opex_pm_map;

/** "start", "end", "action", "decision", "merge" or "subprocess". */
const char *opex_pm_kind_name(opex_pm_kind kind);

/**
 * Read the DOT text of the map at `path` (used in diagnostics). Problems
 * with the map as DOT (rules dot-syntax, unknown-attribute,
 * duplicate-node-declaration, invalid-kind) become diagnostics with their
 * line. When the text cannot be read as one digraph at all (syntax error,
 * binary, invalid UTF-8, several graphs, an undirected graph, past the
 * limits of core/limits.h) `*out` is NULL, the reason is a dot-syntax
 * diagnostic and the function returns OPEX_EINVALID or OPEX_ETOOBIG.
 */
int opex_pm_map_load(opex_pm_map **out, const char *path, const char *text,
	size_t len, opex_diag_list *diags, opex_error *err) OPEX_WARN_UNUSED;

/** Free a map. NULL is a no-op. */
void opex_pm_map_free(opex_pm_map *map);

/**
 * Read the map at `path` of the revision and load it. A blob that cannot
 * be read is a file-unreadable diagnostic; errors are those of
 * opex_kb_repo_read() and opex_pm_map_load() (then `*out` is NULL).
 */
int opex_pm_map_read(opex_pm_map **out, const opex_kb_repo *repo,
	const char *path, opex_diag_list *diags) OPEX_WARN_UNUSED;

/**
 * Every processes/<path>.dot of the revision that loads, in tree order,
 * into a new array (`*out`, NULL when none); what does not load is a
 * diagnostic. Returns the count. Free with opex_pm_maps_free().
 */
size_t opex_pm_maps_read_all(opex_pm_map ***out, const opex_kb_repo *repo,
	opex_diag_list *diags);

/** Free maps and their array. */
void opex_pm_maps_free(opex_pm_map **maps, size_t count);

/** The path given to opex_pm_map_load(). */
const char *opex_pm_map_path(const opex_pm_map *map);

/** The graph's DOT id ("chargeback_handling"), or "" if anonymous. */
const char *opex_pm_map_name(const opex_pm_map *map);

/** The line of the `digraph` keyword. */
unsigned opex_pm_map_line(const opex_pm_map *map);

/** A graph attribute, or NULL if absent or empty. */
const char *opex_pm_map_attr(const opex_pm_map *map, opex_pm_attr attr);

/** The line where a graph attribute is set (the graph's line if unknown). */
unsigned opex_pm_map_attr_line(const opex_pm_map *map, opex_pm_attr attr);

/** The teams of acknowledge="a, b", each once, in order; `*teams` borrowed. */
size_t opex_pm_map_acknowledge(const opex_pm_map *map, char *const **teams);

size_t opex_pm_map_node_count(const opex_pm_map *map);
const opex_pm_node *opex_pm_map_node(const opex_pm_map *map, size_t i);
size_t opex_pm_map_edge_count(const opex_pm_map *map);
const opex_pm_edge *opex_pm_map_edge(const opex_pm_map *map, size_t i);
size_t opex_pm_map_lane_count(const opex_pm_map *map);
const opex_pm_lane *opex_pm_map_lane(const opex_pm_map *map, size_t i);

/** The index of the node with this id, or -1. O(log n). */
long opex_pm_map_find(const opex_pm_map *map, const char *id);

/* A KPI target written on the graph or a node: target_backlog="300". */
typedef struct opex_pm_target {
	char *name;          /* "target_backlog" */
	char *value;         /* as written: "300", "2d", "5%" */
	size_t node;         /* node index, or OPEX_PM_NO_LANE for the graph */
	unsigned line;
} opex_pm_target;

/* What a target's value measures, and so how it parses. */
typedef enum opex_pm_target_type {
	OPEX_PM_TARGET_UNKNOWN = 0, /* not a target opex knows */
	OPEX_PM_TARGET_COUNT,       /* a whole number: "300" */
	OPEX_PM_TARGET_DURATION,    /* seconds: "90min", "4h", "2d", "1w" */
	OPEX_PM_TARGET_RATIO,       /* 0..1: "5%" or "0.05" */
	OPEX_PM_TARGET_SCORE        /* a number: "4.2" */
} opex_pm_target_type;

/** Targets on the map, graph-level and node-level, in source order. */
size_t opex_pm_map_target_count(const opex_pm_map *map);
const opex_pm_target *opex_pm_map_target(const opex_pm_map *map, size_t i);

/**
 * The value of target `name` on node `node` (an index), or on the graph
 * when `node` is OPEX_PM_NO_LANE; NULL if not set. Borrowed from `map`.
 */
const char *opex_pm_map_target_find(const opex_pm_map *map, size_t node,
	const char *name);

/**
 * Parse a target: `name` gives its type (target_backlog is a count,
 * target_*_p50/p90 durations, target_*_rate and target_conformance ratios,
 * target_csat a score). Returns the type and sets `*out` (seconds for a
 * duration, 0..1 for a ratio); OPEX_PM_TARGET_UNKNOWN for an unknown name;
 * -1 if the value does not parse.
 */
int opex_pm_target_parse(double *out, const char *name, const char *value);

/* ---------------------------------------------------------------------
 * Canonical form and semantic hash (canonical.c)
 * ------------------------------------------------------------------- */

/**
 * Append the canonical form of `map` to `out` (format in canonical.c and
 * docs/internals/process-maps.md): nodes and edges sorted by id, layout
 * attributes dropped. Reformatting or reordering the file leaves it equal.
 */
void opex_pm_map_canonical(opex_buf *out, const opex_pm_map *map);

/**
 * The SHA-256 of the canonical form, as 64 hex digits: the map's semantic
 * hash. OPEX_ETOOBIG if the canonical form exceeds OPEX_LIMIT_RENDER_BYTES.
 */
int opex_pm_map_hash(char out[OPEX_SHA256_HEX_SIZE], const opex_pm_map *map,
	opex_error *err) OPEX_WARN_UNUSED;

/* ---------------------------------------------------------------------
 * Lint (lint.c, lint_config.c)
 * ------------------------------------------------------------------- */

/* A finding silenced by lint_ignore="rule-id: reason". */
typedef struct opex_pm_suppression {
	char *path;
	unsigned line;        /* where the lint_ignore attribute is */
	char *rule;
	char *reason;
	char *node;           /* the node id, or NULL for a graph-wide one */
	size_t count;         /* findings it silenced */
} opex_pm_suppression;

/* A map as opex_pm_lint_maps() read it. */
typedef struct opex_pm_loaded_map {
	const char *path;     /* borrowed from the handbook's tree entry */
	opex_pm_map *map;     /* NULL if unreadable */
} opex_pm_loaded_map;

typedef struct opex_pm_lint_report {
	opex_pm_suppression *suppressions;
	size_t suppression_count, suppression_cap;
	size_t map_count;     /* maps read */
	/* With keep_maps set before the lint, the maps it read stay here (tree
	 * order) for a caller that needs them too: it may take the array (and
	 * set kept to NULL), or the release frees them. */
	bool keep_maps;
	opex_pm_loaded_map *kept;
	size_t kept_count;
} opex_pm_lint_report;

#define OPEX_PM_LINT_REPORT_INIT { NULL, 0, 0, 0, false, NULL, 0 }

/** Free what the report holds; it is empty and reusable afterwards. */
void opex_pm_lint_report_release(opex_pm_lint_report *report);

/* What the map rules may look up; every field may be NULL / 0. */
typedef struct opex_pm_lint_context {
	const opex_kb_roster *roster;  /* owner-unknown, champion-unknown */
	const opex_kb_repo *repo;      /* article-missing, subprocess-missing */
	int64_t now;                   /* review-overdue; 0: not checked */
} opex_pm_lint_context;

#define OPEX_PM_LINT_CONTEXT_INIT { NULL, NULL, 0 }

/**
 * Run every single-map rule on `map`, adding diagnostics to `diags`.
 * Findings silenced by lint_ignore go to `report` (may be NULL: then they
 * are simply dropped). Rule severities are the defaults: see
 * opex_pm_lint_config_apply() for the handbook's own.
 */
void opex_pm_lint_map(const opex_pm_map *map,
	const opex_pm_lint_context *ctx, opex_diag_list *diags,
	opex_pm_lint_report *report);

/** True if `rule` is a rule id opex knows (map, article, roster or load rules). */
bool opex_pm_rule_known(const char *rule);

typedef struct opex_pm_lint_config opex_pm_lint_config;

/**
 * Read the lint configuration of the handbook's revision: `.opex/lint.yaml`
 * if present, else the `lint:` section of `opex.yaml`, else none (`*out` is
 * then an empty configuration). Both read
 *
 *   rules:
 *     step-without-article: off     # error | warning | info | off
 *
 * Problems become lint-config-invalid diagnostics; never fails.
 */
void opex_pm_lint_config_load(opex_pm_lint_config **out,
	const opex_kb_repo *repo, opex_diag_list *diags);

/** Parse configuration text (the file's top-level mapping has `rules:`). */
void opex_pm_lint_config_parse(opex_pm_lint_config **out, const char *path,
	const char *text, size_t len, bool lint_section, opex_diag_list *diags);

/** Free a configuration. NULL is a no-op. */
void opex_pm_lint_config_free(opex_pm_lint_config *config);

/**
 * Apply the configured severities to every diagnostic in `diags` (map,
 * article and load rules alike): rules set to `off` are removed.
 */
void opex_pm_lint_config_apply(const opex_pm_lint_config *config,
	opex_diag_list *diags);

/**
 * Lint every processes/<path>.dot of the handbook with the map rules, then
 * across maps: subprocess-cycle, and orphan-article for articles no map
 * links. The handbook's lint configuration is not applied here (see
 * opex_launch_lint_handbook(), which lints articles and launches too).
 * Unreadable maps are diagnostics, never failures; returns 0.
 */
int opex_pm_lint_maps(const opex_kb_handbook *hb, opex_diag_list *diags,
	opex_pm_lint_report *report, opex_error *err) OPEX_WARN_UNUSED;

/* ---------------------------------------------------------------------
 * Semantic diff (diff.c)
 * ------------------------------------------------------------------- */

typedef enum opex_pm_change_kind {
	OPEX_PM_CHANGE_MAP_ADDED = 0,
	OPEX_PM_CHANGE_MAP_REMOVED,
	OPEX_PM_CHANGE_ATTR,          /* a graph attribute: title, owner, champion... */
	OPEX_PM_CHANGE_NODE_ADDED,
	OPEX_PM_CHANGE_NODE_REMOVED,
	OPEX_PM_CHANGE_NODE_RELABELLED,
	OPEX_PM_CHANGE_NODE_KIND,
	OPEX_PM_CHANGE_NODE_LINK,     /* article, process or role changed */
	OPEX_PM_CHANGE_EDGE_ADDED,
	OPEX_PM_CHANGE_EDGE_REMOVED,
	OPEX_PM_CHANGE_EDGE_RELABELLED
} opex_pm_change_kind;

typedef struct opex_pm_change {
	opex_pm_change_kind kind;
	char *path;         /* the map */
	char *what;         /* ATTR/NODE_LINK: the attribute; NODE_*: kind name */
	char *node;         /* NODE_*: node id; EDGE_*: tail id */
	char *head;         /* EDGE_*: head id */
	char *old_value;    /* label, kind or attribute before; NULL if none */
	char *new_value;    /* ... and after */
} opex_pm_change;

typedef struct opex_pm_diff {
	opex_pm_change *changes;
	size_t count, cap;
	size_t maps_compared;
} opex_pm_diff;

#define OPEX_PM_DIFF_INIT { NULL, 0, 0, 0 }

/** Free what the diff holds; it is empty and reusable afterwards. */
void opex_pm_diff_release(opex_pm_diff *diff);

/**
 * Append the changes from `old_map` to `new_map` (either may be NULL: a map
 * added or removed) under `path`. A pure reformat adds nothing.
 */
void opex_pm_diff_maps(opex_pm_diff *diff, const char *path,
	const opex_pm_map *old_map, const opex_pm_map *new_map);

/**
 * Compare every processes/<path>.dot of two revisions (or only `path`, if not
 * NULL). A map that cannot be read on one side counts as absent there.
 * Errors: those of opex_kb_repo_read().
 */
int opex_pm_diff_repos(opex_pm_diff *diff, const opex_kb_repo *old_repo,
	const opex_kb_repo *new_repo, const char *path, opex_error *err)
	OPEX_WARN_UNUSED;

/* ---------------------------------------------------------------------
 * Layout access for the renderer (dot.c)
 * ------------------------------------------------------------------- */

/* A parsed DOT graph handed to a layout engine; it is cgraph's Agraph_t. */
typedef struct opex_pm_dot_graph opex_pm_dot_graph;

/**
 * Parse `text` (DOT generated by opex, NUL-terminated) and call
 * `fn(graph, payload)` with cgraph's process-wide state held: the parse and
 * everything `fn` does (layout, rendering) run under one lock, with
 * cgraph's messages captured instead of printed. Returns what `fn` returns,
 * or OPEX_EINVALID (message in `err`) if the text does not parse; `fn` is
 * then not called.
 */
int opex_pm_dot_with_graph(const char *text,
	int (*fn)(opex_pm_dot_graph *graph, void *payload), void *payload,
	opex_error *err) OPEX_WARN_UNUSED;


#endif
