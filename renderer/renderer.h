/*
 * renderer.h: output. Everything opex shows a person is written here:
 * article HTML, diagnostics as text or JSON (and, later, flowcharts,
 * checklists and pages). HTML output goes only through opex_html_escape.
 *
 *   html.c     opex_html_escape
 *   article.c  article HTML (through the cmark adapter in kb/)
 *   diag.c     diagnostics as text and JSON (jansson)
 *   articles.c the article list as text and JSON
 */
#ifndef OPEX_RENDERER_H
#define OPEX_RENDERER_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/error.h"
#include "kb/kb.h"
#include "search/search.h"
#include "launches/launches.h"
#include "process-maps/process_maps.h"

/** Append `s[0..len)` to `out` with &, <, >, ", ' escaped for HTML. */
void opex_html_escape(opex_buf *out, const char *s, size_t len);

/** The same for a NUL-terminated string; NULL appends nothing. */
void opex_html_escape_text(opex_buf *out, const char *s);

/**
 * Append an article as an HTML fragment: an <article> holding the title
 * (escaped) and the body rendered safely (no raw HTML, no unsafe link
 * schemes). OPEX_ETOOBIG past out->max.
 */
int opex_render_article_html(opex_buf *out, const opex_kb_article *article,
	opex_error *err) OPEX_WARN_UNUSED;

/** Append diagnostics, one per line: `path:line:col: severity: message [rule]`. */
void opex_render_diags_text(opex_buf *out, const opex_diag_list *diags);

/**
 * Append diagnostics as a JSON document:
 * {"diagnostics":[{path,line,column,severity,rule,message}...],
 *  "errors":N,"warnings":N,"infos":N}.
 */
int opex_render_diags_json(opex_buf *out, const opex_diag_list *diags,
	opex_error *err) OPEX_WARN_UNUSED;

/**
 * Append the handbook's articles, one line each:
 * `path  language  owner  verified-date  state  title`, where state is
 * ok, stale, outdated or "stale,outdated".
 */
void opex_render_articles_text(opex_buf *out, const opex_kb_handbook *hb);

/**
 * Append the article list as JSON: {"revision", "articles": [{path, title,
 * language, owner, translation_of, journey, markets, tags, visibility,
 * last_change: {commit, author, time}, verified_at, stale, outdated}]}.
 */
int opex_render_articles_json(opex_buf *out, const opex_kb_handbook *hb,
	opex_error *err) OPEX_WARN_UNUSED;

/* ---------------------------------------------------------------------
 * Process maps: flowcharts (flowchart.c, the libgvc adapter), lint
 * reports with suppressions (map_lint.c), map diffs (map_diff.c)
 * ------------------------------------------------------------------- */

typedef enum opex_render_flowchart_format {
	OPEX_FLOWCHART_SVG = 0,
	OPEX_FLOWCHART_PNG,
	OPEX_FLOWCHART_DOT      /* the styled DOT opex lays out */
} opex_render_flowchart_format;

/*
 * A KPI overlay turns a flowchart into a heat map: each node of the map
 * is coloured by its state (and bordered in a style of its own, so colour
 * is never the only carrier) and shows its value on a second label line;
 * each edge is drawn wider the more cases took it (log scale, 1 to 6
 * points) with the volume as its tooltip; a legend under the title names
 * the metric and the states. Nodes of the map without an entry are drawn
 * as "no data". Entries naming nodes or edges the map does not have, and
 * repeated entries (the first one counts), are ignored and counted.
 *
 *   state   fill      border
 *   ok      blue      solid
 *   warn    yellow    dashed, thicker
 *   breach  orange    bold, thickest
 *   none    grey      dotted ("no data")
 *
 * The overlay is part of the generated DOT, hence of the render cache key.
 * The renderer copies nothing: the strings only have to live for the call.
 */
typedef enum opex_render_kpi_state {
	OPEX_RENDER_KPI_NONE = 0,
	OPEX_RENDER_KPI_OK,
	OPEX_RENDER_KPI_WARN,
	OPEX_RENDER_KPI_BREACH
} opex_render_kpi_state;

typedef struct opex_render_kpi_node {
	const char *node_id;          /* a node id of the map */
	const char *value_text;       /* shown on the node, e.g. "412 open"; NULL: the value */
	double value;
	opex_render_kpi_state state;
} opex_render_kpi_node;

typedef struct opex_render_kpi_edge {
	const char *tail, *head;      /* node ids; every map edge tail -> head gets the volume */
	uint64_t volume;              /* cases that took the edge */
} opex_render_kpi_edge;

typedef struct opex_render_kpi_overlay {
	const char *metric;           /* what the values are, e.g. "backlog" */
	const char *legend_title;     /* the legend's heading; NULL: the metric */
	const opex_render_kpi_node *nodes;
	size_t node_count;
	const opex_render_kpi_edge *edges;
	size_t edge_count;
} opex_render_kpi_overlay;

/** The name of a state as used in classes and legends: "ok", "warn", "breach", "none". */
const char *opex_render_kpi_state_name(opex_render_kpi_state state);

struct opex_kpi_process;

/**
 * The overlay of one process of a KPI report for `metric` (kpi_overlay.c:
 * backlog, active, volume, resolved, p50, p90, rework, handoffs), each step
 * judged by its target for that metric. It borrows node ids from the
 * report: release it before the report. Errors: OPEX_EINVALID (an unknown
 * metric, named with the valid ones).
 */
typedef struct opex_render_kpi_built {
	opex_render_kpi_overlay overlay;  /* what the flowchart options take */
	opex_render_kpi_node *nodes;      /* owned */
	opex_render_kpi_edge *edges;
	char **texts;
} opex_render_kpi_built;

int opex_render_kpi_overlay_build(opex_render_kpi_built *out,
	const struct opex_kpi_process *process, const char *metric,
	opex_error *err) OPEX_WARN_UNUSED;
void opex_render_kpi_overlay_release(opex_render_kpi_built *built);

/** "backlog, active, volume, ...": the metrics an overlay can show. */
const char *opex_render_kpi_metric_list(void);

typedef struct opex_render_flowchart_options {
	opex_render_flowchart_format format;
	const opex_kb_repo *repo;     /* link steps to articles in this tree; NULL: no links */
	const char *link_prefix;      /* put before an article path in links; NULL: "" */
	const opex_diag_list *diags;  /* errors on the map outline their node; may be NULL */
	const opex_pm_diff *diff;     /* colour changes (removed parts come from the diff) */
	const char *cache_dir;        /* an existing folder for rendered files; NULL: none */
	bool *cache_hit;              /* out: true when served from the cache; may be NULL */
	const opex_render_kpi_overlay *kpi; /* draw the map as a heat map; NULL: no overlay */
	size_t *kpi_ignored;          /* out: overlay entries not drawn (unknown or repeated); may be NULL */
	/*
	 * The caller's name for everything the chart depends on besides the
	 * format and link prefix: the map's blob id and digests of its findings
	 * and of which linked articles exist (see opex_render_flowchart_key).
	 * With it, and no diff or overlay, a cached chart is found by this name
	 * without writing DOT; NULL: the cache is keyed by the DOT.
	 */
	const char *content_key;
} opex_render_flowchart_options;

#define OPEX_RENDER_FLOWCHART_OPTIONS_INIT \
	{ OPEX_FLOWCHART_SVG, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/**
 * Append `map` as a flowchart (SVG by default: well formed, with <title>,
 * <desc> and role="img", node ids as element ids, the same bytes for the
 * same input). `opts` may be NULL. Errors: OPEX_ETOOBIG past out->max or
 * the render limit, OPEX_ERROR when Graphviz fails (message in `err`).
 */
int opex_render_flowchart(opex_buf *out, const opex_pm_map *map,
	const opex_render_flowchart_options *opts, opex_error *err)
	OPEX_WARN_UNUSED;

/**
 * Append to `out` a content key for opex_render_flowchart_options: the
 * map's blob id `blob`, then a digest of the findings on `map` in `diags`
 * and of which of its steps' articles `repo` holds (NULL repo: no links).
 */
void opex_render_flowchart_key(opex_buf *out, const char *blob,
	const opex_pm_map *map, const opex_kb_repo *repo,
	const opex_diag_list *diags);

/** Append the styled DOT that opex_render_flowchart() lays out. */
void opex_render_flowchart_dot(opex_buf *out, const opex_pm_map *map,
	const opex_render_flowchart_options *opts);

/**
 * Append lint results as JSON: what opex_render_diags_json() writes, plus
 * "maps": N and "suppressions": [{path, line, rule, reason, node, count}].
 */
int opex_render_lint_json(opex_buf *out, const opex_diag_list *diags,
	const opex_pm_lint_report *report, opex_error *err) OPEX_WARN_UNUSED;

/** Append a map diff as text, one change per line, grouped by map. */
void opex_render_map_diff_text(opex_buf *out, const opex_pm_diff *diff);

/**
 * Append a map diff as JSON: {"maps_compared": N, "changes": [{path,
 * change, what, node, head, old, new}]}.
 */
int opex_render_map_diff_json(opex_buf *out, const opex_pm_diff *diff,
	opex_error *err) OPEX_WARN_UNUSED;


/* ---------------------------------------------------------------------
 * Web pages (pages.c): whole HTML documents for the server. Every value
 * goes through opex_html_escape; pages link /static/opex.css and
 * /static/opex.js and hold no inline script or style.
 * ------------------------------------------------------------------- */

typedef struct opex_render_page {
	const char *title;         /* the <title>, escaped */
	const char *nav;           /* the current section: "search", "processes", "health" */
	const char *query;         /* the search box's value; may be NULL */
	const char *revision;      /* the served commit, shown in the footer; may be NULL */
	const char *person;        /* the signed-in person; may be NULL */
	size_t acks_pending;       /* items the person has yet to acknowledge: a banner */
} opex_render_page;

/** Append the document head, the header with navigation and a search box. */
void opex_render_page_begin(opex_buf *out, const opex_render_page *page);

/** Append the footer and close the document. */
void opex_render_page_end(opex_buf *out, const opex_render_page *page);

/** Append a whole error page: the status, its name and a detail line. */
void opex_render_page_error(opex_buf *out, unsigned status,
	const char *title, const char *detail);

/* The most articles the home page lists; the rest are found by searching. */
#define OPEX_RENDER_HOME_ARTICLES 50

/* The most rows each table of the health page shows; totals stay exact. */
#define OPEX_RENDER_HEALTH_ROWS 200

/**
 * Append the body of the home page: the search form (filters by language,
 * market and journey) and the list of `articles` (already filtered for
 * the reader), with stale and outdated badges; `results` (may be NULL)
 * or `message` (may be NULL) are shown under the form, as by
 * opex_render_page_results(). `total` is how many articles the reader
 * may see: when it is more than `count`, the list is headed "Recently
 * changed" and followed by a line saying how many more there are.
 */
void opex_render_page_home(opex_buf *out, const char *query,
	const opex_kb_settings *settings,
	const opex_kb_article *const *articles, size_t count, size_t total,
	const opex_search_result *results, const char *message);

/* A step of a process map that links a page's article or reply. */
typedef struct opex_render_step_ref {
	const char *map_path;                 /* "processes/lost-card.dot" */
	const char *map_title;                /* NULL: the path */
	const char *step;                     /* the step's label, else its id */
} opex_render_step_ref;

typedef struct opex_render_article_view {
	const opex_kb_article *article;       /* an article or a reply */
	const opex_kb_person *owner;          /* NULL if not on the roster */
	const opex_kb_article *source;        /* a translation's source; may be NULL */
	const opex_kb_article *const *translations; /* other languages, readable ones */
	size_t translation_count;
	const opex_diag_list *diags;          /* findings on this article; may be NULL */
	const opex_render_step_ref *steps;    /* the steps that link it */
	size_t step_count;
	const opex_kb_article *const *replies; /* quick texts those steps name */
	size_t reply_count;
	int64_t now;
} opex_render_article_view;

/**
 * Append the body of an article page: badges, owner, last change,
 * languages, the article, the steps that link it and their quick texts.
 * For a reply: its channel, and its text with a Copy button.
 */
int opex_render_page_article(opex_buf *out,
	const opex_render_article_view *view, opex_error *err) OPEX_WARN_UNUSED;

typedef struct opex_render_process_row {
	const char *path;
	const opex_pm_map *map;               /* NULL: the map cannot be read */
	size_t errors, warnings;
} opex_render_process_row;

/** Append the body of the process list. */
void opex_render_page_processes(opex_buf *out,
	const opex_render_process_row *rows, size_t count);

typedef struct opex_render_process_view {
	const char *path;
	const opex_pm_map *map;               /* NULL: the map cannot be read */
	const char *svg;                      /* the flowchart; NULL if none */
	size_t svg_len;
	const opex_kb_person *owner, *champion; /* NULL if not on the roster */
	const opex_diag_list *diags;          /* findings on this map */
	const opex_kb_article *const *articles; /* linked articles the reader may see */
	size_t article_count;
	const opex_kb_article *const *replies; /* quick texts its steps name, readable */
	size_t reply_count;
} opex_render_process_view;

/* ---- Replies (replies.c) -------------------------------------------- */

/**
 * A reply's text as an agent pastes it (opex_kb_reply_text) in a <pre>,
 * placeholders marked, and a Copy button that opex.js wires up. `n`
 * numbers the block on its page (element ids).
 */
void opex_render_reply_block(opex_buf *out, const opex_kb_article *reply,
	size_t n);

/**
 * `heading` as <h2>, then each reply: title (a link to its page), channel,
 * language and copy block, numbered from `first`. Nothing when `count`
 * is 0.
 */
void opex_render_reply_list(opex_buf *out, const char *heading,
	const opex_kb_article *const *replies, size_t count, size_t first);

typedef struct opex_render_reply_row {
	const opex_kb_article *source;        /* the reply translations point to */
	const opex_kb_article *shown;         /* the variant in the chosen language, else source */
	const char **missing;                 /* handbook languages it has no variant in */
	size_t missing_count;
} opex_render_reply_row;

typedef struct opex_render_replies_view {
	const opex_render_reply_row *rows;
	size_t count;
	const opex_kb_settings *settings;     /* the filter choices */
	const char *language, *channel, *journey; /* the filters; NULL: any */
} opex_render_replies_view;

/**
 * Every reply of the handbook (only those in `language`, unless NULL) as
 * a Zendesk macro export, {"macros": [...]} in the shape of GET
 * /api/v2/macros: title "journey::title", the text as a comment_value
 * action with placeholders in Zendesk's names, and "opex: PATH" in the
 * description, which `opex replies import` reads back.
 */
int opex_render_replies_zendesk(opex_buf *out, const opex_kb_handbook *hb,
	const char *language, opex_error *err) OPEX_WARN_UNUSED;

/** Append the body of /replies: filters, then one row per reply with a copy block. */
void opex_render_page_replies(opex_buf *out,
	const opex_render_replies_view *view);

/** Append the body of a process page: flowchart (inline SVG), people, findings, articles. */
void opex_render_page_process(opex_buf *out,
	const opex_render_process_view *view);

typedef struct opex_render_health_row {
	const char *kind;          /* stale, outdated, step-without-article, orphan-article, ... */
	const char *path;
	const char *title;         /* may be NULL */
	const char *owner;         /* may be NULL */
	const char *detail;        /* may be NULL */
	const char *href;          /* where to fix it; may be NULL */
} opex_render_health_row;

typedef struct opex_render_health {
	const opex_render_health_row *rows;
	size_t count;
	size_t articles, errors, warnings, infos;
	const char *sort;          /* the column rows are sorted by */
	const char *const *misses; /* searches of the last 30 days that found nothing */
	const size_t *miss_counts; /* how often each was made */
	size_t miss_count;
} opex_render_health;

/**
 * Append the body of the health page: counts (exact, and per kind of
 * problem) and a table sortable by column links. Each table shows its
 * first OPEX_RENDER_HEALTH_ROWS rows, in `rows` order, then how many more.
 */
void opex_render_page_health(opex_buf *out, const opex_render_health *health);

/**
 * Append search results: the count, "did you mean" links and one entry per
 * hit with its highlighted snippet (already escaped by the index, with
 * <mark> around matches) and stale badge. `message` (may be NULL) is shown
 * instead when the search could not run.
 */
void opex_render_page_results(opex_buf *out,
	const opex_search_result *result, const char *message);

/** Append `s` percent-encoded for a URL path ('/' kept), then HTML-escaped. */
void opex_render_url_path(opex_buf *out, const char *s);

/* ---------------------------------------------------------------------
 * Search results (search.c)
 * ------------------------------------------------------------------- */

/**
 * Append search results for a person: one block per hit (rank, title,
 * stale flag; path, language, owner, section; snippet as built by the
 * search, with its marks), then "N of TOTAL" and facets, or the
 * suggestion when nothing matched. Control characters are dropped.
 */
void opex_render_search_text(opex_buf *out, const opex_search_result *r,
	size_t offset);

/**
 * Append search results as JSON: {query, revision, total, offset, limit,
 * took_ms, results: [{path, title, language, owner, journey, stale,
 * score, section, snippet}], facets: {language, journey, market:
 * [{value, count}]}, suggestion, warnings}. Snippets are as built by the
 * search (with opex_html_escape and <mark> they are safe HTML).
 */
int opex_render_search_json(opex_buf *out, const opex_search_result *r,
	const opex_search_query *query, const char *query_text, size_t offset,
	size_t limit, opex_error *err) OPEX_WARN_UNUSED;


/* ---------------------------------------------------------------------
 * Launch checklists (checklist.c)
 * ------------------------------------------------------------------- */

typedef enum opex_render_checklist_format {
	OPEX_RENDER_CHECKLIST_TEXT = 0,
	OPEX_RENDER_CHECKLIST_MARKDOWN,
	OPEX_RENDER_CHECKLIST_JSON,
	OPEX_RENDER_CHECKLIST_HTML
} opex_render_checklist_format;

typedef struct opex_render_checklist_options {
	opex_render_checklist_format format;
	long gate;       /* the index of the one gate to show; -1: every gate */
	bool color;      /* text only: ANSI colours (the caller honours NO_COLOR) */
} opex_render_checklist_options;

#define OPEX_RENDER_CHECKLIST_OPTIONS_INIT { OPEX_RENDER_CHECKLIST_TEXT, -1, false }

/**
 * Append a launch's status: per gate its checks (pass/fail and why), manual
 * items (done or open, who ticked them and when), approvals (fresh, stale
 * and why, rejected, revoked, waived, expired, not counted) and its state.
 * HTML goes through opex_html_escape. OPEX_ETOOBIG past out->max.
 */
int opex_render_launch_status(opex_buf *out, const opex_launch_status *st,
	const opex_render_checklist_options *opts, opex_error *err)
	OPEX_WARN_UNUSED;

/**
 * Append the approval log as text, one record a line (only records of
 * `launch` unless NULL), then its problems.
 */
void opex_render_approval_log_text(opex_buf *out,
	const opex_launch_approval_log *log, const char *launch);

/** Append the approval log as JSON: {"records": [...], "problems": [...]}. */
int opex_render_approval_log_json(opex_buf *out,
	const opex_launch_approval_log *log, const char *launch, opex_error *err)
	OPEX_WARN_UNUSED;

/* ---------------------------------------------------------------------
 * The routing directory (routing.c)
 * ------------------------------------------------------------------- */

/* What a route was asked for; each may be NULL (any). */
typedef struct opex_render_route_query {
	const char *journey, *market, *language;
} opex_render_route_query;

struct json_t;

/**
 * A route as a JSON object (new reference): the team, its contact, its
 * escalations and the steps of `maps` it works, with their articles.
 */
struct json_t *opex_render_route_object(const opex_kb_route *route,
	const opex_render_route_query *query, const opex_pm_map *const *maps,
	size_t map_count);

/** Append the route as JSON (see routing.c). OPEX_ETOOBIG past out->max. */
int opex_render_route_json(opex_buf *out, const opex_kb_route *route,
	const opex_render_route_query *query, const opex_pm_map *const *maps,
	size_t map_count, opex_error *err) OPEX_WARN_UNUSED;

/** Append the route as text: the team, its escalations, its steps. */
void opex_render_route_text(opex_buf *out, const opex_kb_route *route,
	const opex_render_route_query *query, const opex_pm_map *const *maps,
	size_t map_count);

/**
 * Append the routing matrix (journeys by market and language, each cell
 * the tier-1 team or a gap) and the routing teams as HTML.
 */
void opex_render_routing_matrix_html(opex_buf *out,
	const opex_kb_handbook *hb);

/* ---------------------------------------------------------------------
 * KPI report (kpi_report.c, kpi_json.c)
 * ------------------------------------------------------------------- */

struct opex_kpi_report;

/**
 * Append `opex kpi report` output for `report` to `out`: `format` is
 * "text", "markdown" or "csv" (process,group,node,measure,value rows;
 * group is "market=fr;week=2026-W14" when the report is grouped).
 */
void opex_render_kpi_report(opex_buf *out,
	const struct opex_kpi_report *report, const char *format);

/**
 * Append the report as JSON (layout in kpi_json.c). Errors: OPEX_ETOOBIG,
 * OPEX_EINVALID.
 */
int opex_render_kpi_report_json(opex_buf *out,
	const struct opex_kpi_report *report, opex_error *err);

/**
 * Append the body of the KPI page (kpi_html.c): per process its measures,
 * targets, water tanks, aging bars and weekly trend as inline SVG, its
 * step table and the moves its map does not have.
 */
void opex_render_kpi_html(opex_buf *out, const struct opex_kpi_report *report);

/** A target's measured value as its kind reads: "3.2d", "41.0%", "12"; "no data" below 0. */
void opex_render_kpi_target_value(opex_buf *out, const char *name, double v);

struct opex_kpi_process;

/** Append the step table of one process (for the process page). */
void opex_render_kpi_steps_html(opex_buf *out,
	const struct opex_kpi_process *process);

#endif
