/*
 * kpi.h: process performance from helpdesk exports. A handbook's `kpi:`
 * mapping (opex.yaml, or the whole of .opex/kpi.yaml) says which column of
 * an export is which field and which status or activity value is which
 * node of which processes/ map.
 *
 *   mapping.c     the kpi: mapping (YAML) and its checks against the maps
 *   reader.c      CSV (libcsv) and JSON lines (jansson) records, with limits
 *   timestamp.c   ISO 8601, strftime-style formats, epoch and epoch_ms
 *
 * Docs: docs/internals/kpi.md.
 */
#ifndef OPEX_KPI_H
#define OPEX_KPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/error.h"
#include "kb/kb.h"

/* ---------------------------------------------------------------------
 * The mapping (mapping.c)
 * ------------------------------------------------------------------- */

typedef struct opex_kpi_mapping opex_kpi_mapping;

/**
 * Read the mapping of the revision `repo` is open at: the `kpi:` section
 * of opex.yaml, else .opex/kpi.yaml. Every problem becomes a diagnostic
 * (rule kpi-mapping-invalid) naming the file and line, including a step
 * value mapped to a node that is not in its map and a process with no map.
 * Errors: OPEX_ENOTFOUND (no mapping at all), OPEX_EINVALID (any error
 * diagnostic was added: `*out` is then NULL).
 */
int opex_kpi_mapping_load(opex_kpi_mapping **out, const opex_kb_repo *repo,
	opex_diag_list *diags, opex_error *err) OPEX_WARN_UNUSED;

/**
 * Parse mapping text from `path` without looking at the maps (`kpi:` is
 * looked for at the top level first; else the document is the mapping).
 * Errors as opex_kpi_mapping_load().
 */
int opex_kpi_mapping_parse(opex_kpi_mapping **out, const char *path,
	const char *text, size_t len, opex_diag_list *diags, opex_error *err)
	OPEX_WARN_UNUSED;

/** Free a mapping. NULL is a no-op. */
void opex_kpi_mapping_free(opex_kpi_mapping *mapping);

/** The map paths the mapping names ("processes/x.dot"), sorted, unique. */
size_t opex_kpi_mapping_process_count(const opex_kpi_mapping *mapping);
const char *opex_kpi_mapping_process(const opex_kpi_mapping *mapping,
	size_t i);

/* ---------------------------------------------------------------------
 * The store (store.c) and ingest (ingest.c)
 * ------------------------------------------------------------------- */

typedef struct opex_kpi_store opex_kpi_store;

/** The default store path: "<git-dir>/opex/kpi.sqlite" (out cleared first). */
void opex_kpi_store_default_path(opex_buf *out, const opex_kb_repo *repo);

/**
 * Open (or create, with its parent folder) the store at `path` (":memory:"
 * for a private one): WAL mode, a random salt made once per store.
 * Errors: OPEX_EIO, OPEX_EINVALID (not an opex KPI store).
 */
int opex_kpi_store_open(opex_kpi_store **out, const char *path,
	opex_error *err) OPEX_WARN_UNUSED;

/** Close the store. NULL is a no-op. */
void opex_kpi_store_free(opex_kpi_store *store);

/* Bad rows of one file reported as diagnostics; the rest are only counted. */
#define OPEX_KPI_ROW_ERRORS_SHOWN 1000u

typedef struct opex_kpi_ingest_stats {
	size_t rows;            /* data rows read */
	size_t filtered;        /* rows the source's filter: dropped */
	size_t added;           /* rows that changed (or would change) the store */
	size_t bad;             /* rows with an error (then nothing is written) */
	char source[64];        /* the source that read the file */
	opex_buf unknown;       /* columns no field maps: "a, b" */
} opex_kpi_ingest_stats;

/** Ready `stats` for an ingest; free what it holds with _release(). */
void opex_kpi_ingest_stats_init(opex_kpi_ingest_stats *stats);
void opex_kpi_ingest_stats_release(opex_kpi_ingest_stats *stats);

/**
 * Load the export at `path` (read in chunks: no line is held past 1 MiB)
 * into `store` as one transaction. The source is the first whose `files:`
 * glob matches the base name. Every bad row becomes an error diagnostic at
 * `path:line` (kpi-row-invalid); if there is any, nothing is written and
 * OPEX_EINVALID is returned. `store` NULL is a dry run: everything is read
 * and checked, nothing written (`added` then counts every good row).
 * Times after `now` + 1 day or before 1970 are row errors.
 * Errors: OPEX_ENOTFOUND (no source for the file, a mapped column missing
 * from the header), OPEX_EIO, OPEX_EINVALID, OPEX_ETOOBIG (a line over
 * the limit).
 */
int opex_kpi_ingest_file(opex_kpi_ingest_stats *stats,
	opex_kpi_store *store, const opex_kpi_mapping *mapping,
	const char *path, int64_t now, opex_diag_list *diags, opex_error *err)
	OPEX_WARN_UNUSED;

/** Like opex_kpi_ingest_file() for `len` bytes in memory named `path`. */
int opex_kpi_ingest_buffer(opex_kpi_ingest_stats *stats,
	opex_kpi_store *store, const opex_kpi_mapping *mapping,
	const char *path, const char *data, size_t len, int64_t now,
	opex_diag_list *diags, opex_error *err) OPEX_WARN_UNUSED;

/* ---------------------------------------------------------------------
 * Measures (measures.c)
 * ------------------------------------------------------------------- */

/* What a report can be grouped by; a case's week is its creation week. */
typedef enum opex_kpi_dim {
	OPEX_KPI_DIM_MARKET = 0, OPEX_KPI_DIM_JOURNEY, OPEX_KPI_DIM_TEAM,
	OPEX_KPI_DIM_CHANNEL, OPEX_KPI_DIM_LANGUAGE, OPEX_KPI_DIM_WEEK,
	OPEX_KPI_DIMS
} opex_kpi_dim;

/** "market", "journey", "team", "channel", "language", "week". */
const char *opex_kpi_dim_name(opex_kpi_dim dim);

/**
 * Parse a comma-separated list of dimension names ("market,week") into a
 * set of (1u << dim). Errors: OPEX_EINVALID naming the unknown name.
 */
int opex_kpi_dims_parse(unsigned *out, const char *list, opex_error *err)
	OPEX_WARN_UNUSED;

/* Filters on cases; NULL / 0: any. Ages are taken at `now`. */
typedef struct opex_kpi_query {
	const char *process;          /* a map path; NULL: every mapped one */
	const char *market, *journey, *team, *channel, *language;
	int64_t since, until;         /* creation in [since, until) */
	int64_t now;
	unsigned by;                  /* group by these dims (1u << dim); 0: none */
	const opex_kb_roster *roster; /* team FTE for throughput per FTE; may be NULL */
} opex_kpi_query;

#define OPEX_KPI_QUERY_INIT \
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, NULL }

/* Weeks a report's trend covers at most (the latest ones). */
#define OPEX_KPI_WEEKS_MAX 104u

/* One week of a process's trend, Monday 00:00 UTC to the next. */
typedef struct opex_kpi_week {
	int64_t start;
	char label[16];         /* ISO week: "2026-W14" */
	uint64_t created;       /* cases created in the week */
	uint64_t resolved;      /* cases resolved in the week (throughput) */
	uint64_t open;          /* cases open at the week's end */
} opex_kpi_week;

/* Durations in seconds, rates in 0..1; a measure with no data is -1. */
typedef struct opex_kpi_measures {
	uint64_t inflow;        /* cases created */
	uint64_t backlog;       /* open, not yet worked (no reply, no second step) */
	uint64_t active;        /* open, worked */
	uint64_t resolved;
	uint64_t age[8];        /* open cases by age bucket (report's bounds) */
	double first_response_p50, first_response_p90;
	double resolution_p50, resolution_p90;
	double step_p50, step_p90;  /* time in the step (steps only, from events) */
	uint64_t rework;        /* re-entries into a step */
	uint64_t handoffs;      /* moves between lanes */
	double reopen_rate, contacts_per_customer, csat, automation_rate;
	double aht;             /* mean handle time of cases that give one */
	double contacts_per_case; /* mean replies of the cases that give them */
} opex_kpi_measures;

typedef struct opex_kpi_step {
	const char *node;       /* node id */
	opex_kpi_measures m;
} opex_kpi_step;

typedef struct opex_kpi_edge {
	const char *tail, *head; /* node ids */
	uint64_t volume;
	bool in_map;            /* false: a move the map does not have */
	const char *examples[3]; /* up to 3 case ids (moves not in the map) */
} opex_kpi_edge;

typedef struct opex_kpi_target_check {
	const char *name;       /* "target_resolution_p90" */
	const char *node;       /* NULL: on the graph */
	const char *written;    /* "2d" */
	double target, actual;  /* actual -1: no data (never a breach) */
	bool breached;
	unsigned line;          /* in the map */
} opex_kpi_target_check;

/*
 * The measures of one process, or of one group of its cases when the query
 * groups: `group[d]` is the group's value of each dimension grouped by
 * ("" when cases lack it), NULL for the others.
 */
typedef struct opex_kpi_process {
	const char *path;       /* "processes/refund.dot" */
	const char *group[OPEX_KPI_DIMS];
	uint64_t cases;
	opex_kpi_measures m;
	const opex_kpi_step *steps; size_t step_count;     /* map order */
	const opex_kpi_edge *edges; size_t edge_count;     /* by volume */
	const opex_kpi_target_check *targets; size_t target_count;
	const char *const *unseen; size_t unseen_count;    /* steps never seen */
	double conformance;     /* share of cases with events whose moves the map has */
	const opex_kpi_week *weeks; size_t week_count;     /* oldest first */
	double throughput;      /* cases resolved per week over the weeks */
	double fte;             /* roster FTE of the teams that handled the cases */
	double throughput_fte;  /* throughput per FTE */
} opex_kpi_process;

typedef struct opex_kpi_report opex_kpi_report;

/**
 * Compute the measures of every process the mapping names (or of
 * query->process) from `store`, with the maps read from `repo`. Errors:
 * OPEX_ENOTFOUND (query->process is not in the mapping), OPEX_EIO,
 * OPEX_EINVALID (a map no longer loads).
 */
int opex_kpi_report_compute(opex_kpi_report **out, opex_kpi_store *store,
	const opex_kpi_mapping *mapping, const opex_kb_repo *repo,
	const opex_kpi_query *query, opex_error *err) OPEX_WARN_UNUSED;

/** Free a report. NULL is a no-op. */
void opex_kpi_report_free(opex_kpi_report *report);

/** The processes (groups of a process follow it, by group values), in path
 * order; borrowed from the report. */
size_t opex_kpi_report_process_count(const opex_kpi_report *report);
const opex_kpi_process *opex_kpi_report_process(
	const opex_kpi_report *report, size_t i);

/** The age bucket lower bounds in days (default 1, 7, 15); count returned. */
size_t opex_kpi_report_age_buckets(const opex_kpi_report *report,
	const unsigned **bounds);

/** Breached targets over every process. */
size_t opex_kpi_report_breaches(const opex_kpi_report *report);

#endif
