/*
 * process_maps.h: process maps (processes/<path>.dot) as data, their lint
 * rules, their canonical form and semantic hash, and the semantic diff
 * between two revisions.
 *
 * A map is one DOT digraph, read with libcgraph (dot.c, the only adapter):
 *
 *   graph attributes  title, owner, champion, journey, review_by, lint_ignore,
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

typedef struct opex_pm_lint_report {
	opex_pm_suppression *suppressions;
	size_t suppression_count, suppression_cap;
	size_t map_count;     /* maps read */
} opex_pm_lint_report;

#define OPEX_PM_LINT_REPORT_INIT { NULL, 0, 0, 0 }

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
 * Lint the whole handbook: every processes/<path>.dot with the map rules,
 * subprocess-cycle across maps, opex_kb_lint() for articles, orphan-article,
 * then the handbook's lint configuration over everything in `diags`
 * (including what was reported while the handbook loaded). Unreadable maps
 * are diagnostics, never failures; returns 0.
 */
int opex_pm_lint_handbook(const opex_kb_handbook *hb, opex_diag_list *diags,
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


/* ---------------------------------------------------------------------
 * Launches (launch.c), checks (checks.c), approvals (approvals.c) and
 * gate evaluation (gates.c). Docs: docs/internals/launches.md.
 * ------------------------------------------------------------------- */

/* The check catalogue. */
typedef enum opex_pm_check {
	OPEX_PM_CHECK_PROCESSES_LINT = 0,
	OPEX_PM_CHECK_OWNERS_KNOWN,
	OPEX_PM_CHECK_ARTICLES_EXIST,
	OPEX_PM_CHECK_ARTICLES_VERIFIED,
	OPEX_PM_CHECK_TRANSLATIONS_COMPLETE,
	OPEX_PM_CHECK_STEPS_DOCUMENTED,
	OPEX_PM_CHECK_CHECKLIST_DONE,
	OPEX_PM_CHECK_PREVIOUS_GATES,
	OPEX_PM_CHECK_COUNT
} opex_pm_check;

/** The check's name ("processes-lint"). */
const char *opex_pm_check_name(opex_pm_check check);

/** The check named `name`, or -1. */
int opex_pm_check_parse(const char *name);

/* A name in a launch file with the line it is written on. */
typedef struct opex_pm_launch_name {
	char *name;
	unsigned line;
} opex_pm_launch_name;

/* One term of an all_of quorum: n people of a team, or one person. */
typedef struct opex_pm_quorum_term {
	char *team;               /* NULL for a person term */
	char *person;             /* NULL for a team term */
	unsigned n;
	unsigned line;
} opex_pm_quorum_term;

typedef struct opex_pm_gate {
	char *id, *title;
	opex_pm_launch_name *approvers;   /* people and teams */
	size_t approver_count;
	unsigned quorum;                  /* N of the approvers; 0 with terms */
	opex_pm_quorum_term *terms;       /* all_of terms */
	size_t term_count;
	opex_pm_check *checks;
	unsigned *check_lines;
	size_t check_count;
	int64_t valid_for;                /* seconds; 0: approvals never expire */
	bool independent;                 /* separation of duties (default true) */
	unsigned line;
	char *definition;                 /* canonical text, for the policy digest */
} opex_pm_gate;

/* A task-list item of the body: `- [ ] text {gate: id}`. */
typedef struct opex_pm_item {
	char *text;               /* without the box and the {gate: id} */
	char *gate;               /* NULL if the item names none */
	size_t gate_index;        /* the gate it belongs to (last gate if none) */
	bool ticked;
	unsigned line;
} opex_pm_item;

typedef struct opex_pm_launch opex_pm_launch;

/**
 * Parse the launch file at `path`. Problems become diagnostics with their
 * line (rules launch-invalid, check-unknown, gate-duplicate, date-invalid,
 * item-gate-unknown); what is sound is kept. Returns NULL (after a
 * diagnostic) only when the file cannot be read as a launch at all.
 */
opex_pm_launch *opex_pm_launch_parse(const char *path, const char *text,
	size_t len, opex_diag_list *diags);

/** Free a launch. NULL is a no-op. */
void opex_pm_launch_free(opex_pm_launch *launch);

const char *opex_pm_launch_path(const opex_pm_launch *launch);
const char *opex_pm_launch_title(const opex_pm_launch *launch);  /* may be NULL */
const char *opex_pm_launch_owner(const opex_pm_launch *launch);  /* may be NULL */
unsigned opex_pm_launch_owner_line(const opex_pm_launch *launch);
int64_t opex_pm_launch_date(const opex_pm_launch *launch);       /* 0: none */

/* Lists of names in the front matter. */
typedef enum opex_pm_launch_list {
	OPEX_PM_LAUNCH_PROCESSES = 0,
	OPEX_PM_LAUNCH_ARTICLES,
	OPEX_PM_LAUNCH_STAKEHOLDERS,
	OPEX_PM_LAUNCH_MARKETS,
	OPEX_PM_LAUNCH_LANGUAGES,
	OPEX_PM_LAUNCH_LIST_COUNT
} opex_pm_launch_list;

size_t opex_pm_launch_list_count(const opex_pm_launch *launch,
	opex_pm_launch_list list);
const opex_pm_launch_name *opex_pm_launch_list_item(
	const opex_pm_launch *launch, opex_pm_launch_list list, size_t i);

size_t opex_pm_launch_gate_count(const opex_pm_launch *launch);
const opex_pm_gate *opex_pm_launch_gate(const opex_pm_launch *launch,
	size_t i);
/** The index of the gate with this id, or -1. */
long opex_pm_launch_gate_find(const opex_pm_launch *launch, const char *id);

size_t opex_pm_launch_item_count(const opex_pm_launch *launch);
const opex_pm_item *opex_pm_launch_item(const opex_pm_launch *launch,
	size_t i);

/**
 * The launch file with every task box unticked, as hashed into the scope
 * digest: ticking an item is evidence, not a change of what was approved.
 */
void opex_pm_launch_normalized(opex_buf *out, const char *text, size_t len);

/**
 * Check the launch against the handbook: processes and articles that do
 * not exist (process-missing, article-missing), people and teams not in
 * the roster (approver-unknown, person-unknown), a quorum larger than the
 * people who may approve (quorum-too-large).
 */
void opex_pm_launch_lint(const opex_pm_launch *launch,
	const opex_kb_handbook *hb, opex_diag_list *diags);

/**
 * Lint every launches/<path>.md of the handbook: parse + opex_pm_launch_lint.
 * For `opex lint` (opex_pm_lint_handbook).
 */
void opex_pm_launch_lint_handbook(const opex_kb_handbook *hb,
	opex_diag_list *diags);

/* A reason a check gives, naming a file and line. */
typedef struct opex_pm_reason {
	char *path;               /* "" for none */
	unsigned line;
	char *message;
} opex_pm_reason;

typedef enum opex_pm_check_state {
	OPEX_PM_CHECK_PASS = 0,
	OPEX_PM_CHECK_FAIL,
	OPEX_PM_CHECK_NOT_EVALUATED,
	OPEX_PM_CHECK_WAIVED
} opex_pm_check_state;

/* Approval record actions. */
typedef enum opex_pm_action {
	OPEX_PM_ACTION_APPROVE = 0,
	OPEX_PM_ACTION_REJECT,
	OPEX_PM_ACTION_REVOKE,
	OPEX_PM_ACTION_WAIVE
} opex_pm_action;

/** "approve", "reject", "revoke" or "waive". */
const char *opex_pm_action_name(opex_pm_action action);

/* One parsed approval record (format in approvals.c). */
typedef struct opex_pm_approval {
	opex_pm_action action;
	char *launch, *gate, *person;
	int64_t time;
	char *revision;           /* the handbook commit the digests were taken at */
	char *prev;               /* the previous record's commit ("" for none) */
	char *scope, *policy;     /* 64 hex digits each */
	char **scope_parts;       /* "launch <path> <sha>", "map <path> <hash>", ... */
	size_t scope_part_count;
	char **approvers;         /* resolved people who could approve */
	size_t approver_count;
	char *target;             /* waive: "check:NAME" or "item:TEXT" */
	int64_t until;            /* waive: expiry (0: none) */
	char *comment;            /* NULL if none */
	/* From the chain, not the record text. */
	char commit[41];
	char *author_email;
} opex_pm_approval;

/**
 * Parse one record. OPEX_EINVALID with a message naming the field when it
 * is not a well-formed record; OPEX_ETOOBIG past OPEX_LIMIT_RECORD_BYTES.
 */
int opex_pm_approval_parse(opex_pm_approval *out, const char *text,
	size_t len, opex_error *err) OPEX_WARN_UNUSED;

/** Write a record in its canonical text form. */
void opex_pm_approval_format(opex_buf *out, const opex_pm_approval *a);

/** Free what a record holds. */
void opex_pm_approval_release(opex_pm_approval *a);

/* The digests of a gate at one revision. */
typedef struct opex_pm_digests {
	char scope[OPEX_SHA256_HEX_SIZE];
	char policy[OPEX_SHA256_HEX_SIZE];
	char **scope_parts;       /* what the scope digest covers, one line each */
	size_t scope_part_count;
	char **approvers;         /* resolved people, sorted */
	size_t approver_count;
} opex_pm_digests;

/**
 * Compute the scope and policy digests of gate `gate` of `launch` at the
 * handbook's revision (`text` is the launch file). A process map that
 * cannot be read counts by its blob id; a missing file as "missing".
 */
void opex_pm_digests_compute(opex_pm_digests *out, const opex_pm_launch *launch,
	const char *text, size_t len, size_t gate, const opex_kb_handbook *hb);

/** Free what digests hold. */
void opex_pm_digests_release(opex_pm_digests *d);

/** The approvals ref. */
#define OPEX_PM_APPROVALS_REF "refs/opex/approvals"

/* Every record of the chain, parsed; problems kept. */
typedef struct opex_pm_approval_log {
	opex_pm_approval *items;
	size_t count, cap;
	opex_diag_list problems;  /* path: the commit id or the ref */
} opex_pm_approval_log;

/**
 * Read and parse the whole approvals chain of the handbook's repository.
 * Records that are not records (garbage, foreign objects, a broken prev
 * link) are problems, never counted. Errors: those of
 * opex_kb_records_read().
 */
int opex_pm_approval_log_read(opex_pm_approval_log *out,
	const opex_kb_handbook *hb, opex_error *err) OPEX_WARN_UNUSED;

/** Free what the log holds. */
void opex_pm_approval_log_release(opex_pm_approval_log *log);

/* What an approval record amounts to now. */
typedef enum opex_pm_approval_state {
	OPEX_PM_APPROVAL_FRESH = 0,    /* counts */
	OPEX_PM_APPROVAL_STALE,        /* digests differ */
	OPEX_PM_APPROVAL_REJECTED,     /* an active reject: blocks the gate */
	OPEX_PM_APPROVAL_REVOKED,      /* withdrawn by a later revoke */
	OPEX_PM_APPROVAL_WAIVED,       /* a waiver in force */
	OPEX_PM_APPROVAL_EXPIRED,      /* past valid_for, or a waiver past until */
	OPEX_PM_APPROVAL_NOT_COUNTED   /* not an approver, owner, author of scope... */
} opex_pm_approval_state;

const char *opex_pm_approval_state_name(opex_pm_approval_state state);

typedef struct opex_pm_approval_status {
	const opex_pm_approval *record;  /* borrowed from the log */
	opex_pm_approval_state state;
	char *why;                       /* what changed, or why not counted; may be NULL */
} opex_pm_approval_status;

typedef struct opex_pm_check_result {
	opex_pm_check check;
	opex_pm_check_state state;
	opex_pm_reason *reasons;
	size_t reason_count, reason_cap;
	const opex_pm_approval *waiver;  /* the waiver in force, if WAIVED */
} opex_pm_check_result;

typedef struct opex_pm_item_status {
	const opex_pm_item *item;
	size_t number;                   /* 1-based in the checklist */
	bool done, waived;
	char ticked_commit[41];          /* "" if unknown */
	char *ticked_by;                 /* person id or author name; NULL if unknown */
	int64_t ticked_at;
} opex_pm_item_status;

typedef enum opex_pm_gate_state {
	OPEX_PM_GATE_PASSED = 0,
	OPEX_PM_GATE_PENDING,
	OPEX_PM_GATE_BLOCKED
} opex_pm_gate_state;

const char *opex_pm_gate_state_name(opex_pm_gate_state state);

typedef struct opex_pm_gate_status {
	const opex_pm_gate *gate;
	opex_pm_gate_state state;
	opex_pm_check_result *checks;
	size_t check_count;
	opex_pm_item_status *items;
	size_t item_count;
	opex_pm_approval_status *approvals;
	size_t approval_count, approval_cap;
	size_t fresh;                    /* distinct people counted */
	bool quorum_met;
	char **excluded;                 /* people who may not approve, "id: why" */
	size_t excluded_count, excluded_cap;
	char **waiting;                  /* why it has not passed, one line each */
	size_t waiting_count, waiting_cap;
	opex_pm_digests digests;
} opex_pm_gate_status;

typedef struct opex_pm_launch_status {
	const opex_pm_launch *launch;
	char revision[41];
	int64_t now;
	opex_pm_gate_status *gates;
	size_t gate_count;
	size_t current;                  /* first gate not passed; gate_count if all passed */
	bool passed;
	opex_diag_list problems;         /* launch lint and record problems */
} opex_pm_launch_status;

typedef struct opex_pm_gate_options {
	int64_t now;                     /* 0: the handbook's now */
} opex_pm_gate_options;

#define OPEX_PM_GATE_OPTIONS_INIT { 0 }

/**
 * Evaluate every gate of `launch` (whose file text is `text`) at the
 * handbook's revision against the approvals in `log`: checks, items with
 * who ticked them, approvals (fresh, stale with what changed, rejected,
 * revoked, waived, expired, not counted), separation of duties and quorum.
 * Gates are cumulative. Errors: those of reading history (OPEX_EIO).
 * Release `out` with opex_pm_launch_status_release(), also after an error.
 */
int opex_pm_gate_evaluate(opex_pm_launch_status *out,
	const opex_pm_launch *launch, const char *text, size_t len,
	const opex_kb_handbook *hb, const opex_pm_approval_log *log,
	const opex_pm_gate_options *opts, opex_error *err) OPEX_WARN_UNUSED;

/** Free what a status holds. */
void opex_pm_launch_status_release(opex_pm_launch_status *status);

/**
 * Run one check of the catalogue for gate `gate` (previous-gates and
 * checklist-done are filled in by the evaluation). Appends reasons.
 */
void opex_pm_check_run(opex_pm_check_result *out, opex_pm_check check,
	const opex_pm_launch *launch, const opex_kb_handbook *hb);

/** Add a reason to a check result. */
void opex_pm_check_reason(opex_pm_check_result *res, const char *path,
	unsigned line, const char *fmt, ...) OPEX_PRINTF(4, 5);

/** Free what a check result holds. */
void opex_pm_check_result_release(opex_pm_check_result *res);

/** True if `person` (an id) may approve per the gate's approvers (directly or by team). */
bool opex_pm_gate_is_approver(const opex_pm_gate *gate,
	const opex_kb_roster *roster, const char *person);

#endif
