/*
 * kpi_int.h: what the files of kpi/ share; nothing outside kpi/ (and its
 * tests and fuzz target) includes it.
 */
#ifndef OPEX_KPI_INT_H
#define OPEX_KPI_INT_H

#include "kpi/kpi.h"
#include "core/str.h"

#include <stdio.h>

/* --- limits (core/limits.h style) ---------------------------------------- */
/* Bounds of the open-age buckets a mapping may give. */
#define OPEX_KPI_AGE_BUCKETS_MAX 8
/* One physical line, and one record (a quoted field may span lines). */
#define OPEX_LIMIT_KPI_RECORD_BYTES (1024u * 1024u)
/* Columns in one record, sources in one mapping, pairs in one value map. */
#define OPEX_LIMIT_KPI_COLUMNS 1024u
#define OPEX_LIMIT_KPI_SOURCES 64u
/* Row errors reported for one file before the rest are only counted. */
#define OPEX_LIMIT_KPI_ROW_ERRORS OPEX_KPI_ROW_ERRORS_SHOWN

#define KPI_RULE_MAPPING "kpi-mapping-invalid"
#define KPI_RULE_ROW "kpi-row-invalid"

/* --- the mapping ------------------------------------------------------- */

typedef enum kpi_field {
	KPI_F_CASE = 0, KPI_F_CREATED, KPI_F_FIRST_REPLY, KPI_F_FIRST_REPLY_MIN,
	KPI_F_SOLVED, KPI_F_CLOSED, KPI_F_RESOLUTION_MIN, KPI_F_STATUS,
	KPI_F_TEAM, KPI_F_MARKET, KPI_F_JOURNEY, KPI_F_LANGUAGE, KPI_F_CHANNEL,
	KPI_F_TAGS, KPI_F_REQUESTER, KPI_F_REOPENS, KPI_F_REPLIES, KPI_F_CSAT,
	KPI_F_ESCALATED, KPI_F_AT, KPI_F_ACTIVITY, KPI_F_PROCESS,
	KPI_F_HANDLE_MIN, KPI_F_HANDLE_SEC,
	KPI_F_COUNT
} kpi_field;

const char *kpi_field_name(kpi_field f);
int kpi_field_parse(const char *name);

typedef enum kpi_shape { KPI_SHAPE_TICKETS = 0, KPI_SHAPE_EVENTS } kpi_shape;
typedef enum kpi_format { KPI_FORMAT_AUTO = 0, KPI_FORMAT_CSV, KPI_FORMAT_JSONL } kpi_format;
typedef enum kpi_time_kind {
	KPI_TIME_ISO8601 = 0, KPI_TIME_PATTERN, KPI_TIME_EPOCH, KPI_TIME_EPOCH_MS
} kpi_time_kind;

typedef struct kpi_pair {
	char *key, *value;   /* value NULL: maps to null (drop the value) */
	unsigned line;
} kpi_pair;

typedef struct kpi_pairs {
	kpi_pair *items;
	size_t count, cap;
} kpi_pairs;

/* The value of `key` in `pairs`, or NULL; `*found` says whether it is there. */
const kpi_pair *kpi_pairs_find(const kpi_pairs *pairs, const char *key,
	size_t len);

typedef struct kpi_source {
	char *name, *files;
	unsigned line;
	kpi_shape shape;
	kpi_format format;
	char delimiter;              /* 0: sniff */
	kpi_time_kind time_kind;
	char *time_pattern;          /* KPI_TIME_PATTERN */
	int tz_offset;               /* seconds east of UTC */
	char *process;               /* process: */
	kpi_pairs filter;            /* column -> value */
	char *columns[KPI_F_COUNT];  /* field -> column name */
	unsigned column_lines[KPI_F_COUNT];
	char *tag_prefix[KPI_F_COUNT]; /* market/journey/language/channel/team */
	kpi_pairs values[KPI_F_COUNT];
	int steps_field;             /* kpi_field, -1: none */
	kpi_pairs steps;             /* value -> node id */
	char **automated;            /* team values */
	size_t automated_count;
	int processes_field;         /* kpi_field, -1: none */
	kpi_pairs processes;         /* value -> map path */
} kpi_source;

struct opex_kpi_mapping {
	char *path;                  /* the file the mapping is in */
	unsigned age_buckets[OPEX_KPI_AGE_BUCKETS_MAX];
	size_t age_bucket_count;
	kpi_source *sources;
	size_t source_count;
	char **processes;            /* sorted, unique */
	size_t process_count;
};

/* The first source whose files: glob matches the base name of `path`. */
const kpi_source *kpi_mapping_source_for(const opex_kpi_mapping *mapping,
	const char *path);

/* --- the reader (reader.c) ---------------------------------------------- */

typedef struct kpi_record {
	const opex_str *fields;  /* values, in column order (CSV) or key order */
	const char *const *names; /* JSON lines: the key of each field; CSV: NULL */
	size_t count;
	unsigned line;           /* physical line where the record starts */
	bool header;             /* CSV: the header row */
	const char *error;       /* non-NULL: the record is bad (why), no fields */
} kpi_record;

/* Return <0 to stop reading (the reader returns that value). */
typedef int (*kpi_record_fn)(const kpi_record *rec, void *payload);

typedef struct kpi_reader_input {
	FILE *file;              /* read in chunks; or: */
	const char *data;        /* `len` bytes in memory */
	size_t len;
} kpi_reader_input;

/*
 * Read every record of `in` (named `path` in messages), calling `fn`.
 * A UTF-8 BOM is skipped; `delimiter` 0 is sniffed from the header line
 * (',' ';' or tab). Invalid UTF-8, a NUL byte or a malformed JSON line
 * makes a bad record: `fn` gets it with `error` set. A line or record
 * past OPEX_LIMIT_KPI_RECORD_BYTES stops the read with OPEX_ETOOBIG
 * ("path:line: ..." in `err`); so do CSV quotes left open at the end.
 */
int kpi_reader_run(const kpi_reader_input *in, const char *path,
	kpi_format format, char delimiter, kpi_record_fn fn, void *payload,
	opex_error *err);

/* --- timestamps (timestamp.c) -------------------------------------------- */

/*
 * Parse `s` (len bytes) as the source's time format into seconds since the
 * epoch. A time with no offset is taken at `tz_offset` seconds east of UTC.
 * Returns 0, or -1 with a reason in `why` (static text).
 */
int kpi_time_parse(int64_t *out, const char *s, size_t len,
	kpi_time_kind kind, const char *pattern, int tz_offset,
	const char **why);

/* Parse "Z", "UTC", "+01:00", "-0530" into seconds east of UTC; -1 if not. */
int kpi_tz_parse(int *out, const char *s);

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
int64_t kpi_days_from_civil(int64_t y, unsigned m, unsigned d);

/* "2026-W14": the ISO week of `t`. */
void kpi_iso_week(char out[16], int64_t t);

/* --- the store (store.c) -------------------------------------------------- */

/* Dimensions kept on a row: market, journey, team, channel, language. */
enum { KPI_ROW_DIMS = 5 };

typedef struct kpi_case_row {
	const char *case_id, *process, *step, *status;
	const char *dims[KPI_ROW_DIMS];
	const unsigned char *requester;  /* salted hash, 32 bytes, or NULL */
	int64_t created, first_reply, solved; /* 0: none */
	int64_t reopens, replies;        /* -1: none */
	int64_t handle;                  /* handle time in seconds; -1: none */
	double csat;                     /* -1: none */
	int escalated;                   /* -1: none */
	bool automated;
} kpi_case_row;

typedef struct kpi_event_row {
	const char *case_id, *process, *activity, *step;
	const char *dims[KPI_ROW_DIMS];
	const unsigned char *requester;
	int64_t at;
	bool automated;
} kpi_event_row;

/* Hash a requester with the store's salt. */
void kpi_store_hash_requester(unsigned char out[32],
	const opex_kpi_store *store, const char *s, size_t len);

int kpi_store_begin(opex_kpi_store *store, opex_error *err);
int kpi_store_commit(opex_kpi_store *store, opex_error *err);
void kpi_store_rollback(opex_kpi_store *store);

/* Insert or replace a case; `*changed` says whether the store changed. */
int kpi_store_put_case(opex_kpi_store *store, const kpi_case_row *row,
	bool *changed, opex_error *err);
/* Insert an event unless (case, at, activity) is there. */
int kpi_store_put_event(opex_kpi_store *store, const kpi_event_row *row,
	bool *changed, opex_error *err);
/* Rows in "cases" or "events". */
int kpi_store_count(opex_kpi_store *store, const char *table, uint64_t *out,
	opex_error *err);

/* Rows as loaded for a report (strings owned by the kpi_loaded). */
typedef struct kpi_case {
	const char *id, *step, *status;
	const char *dims[KPI_ROW_DIMS];
	unsigned char requester[32];
	bool has_requester, automated, from_ticket;
	int64_t created, first_reply, solved; /* 0: none */
	int64_t reopens;                      /* -1: none */
	int64_t handle;                       /* seconds; -1: none */
	int64_t replies;                      /* -1: none */
	double csat;                          /* -1: none */
} kpi_case;

typedef struct kpi_event {
	const char *case_id, *step;
	const char *dims[KPI_ROW_DIMS];
	int64_t at;
	bool automated;
} kpi_event;

typedef struct kpi_loaded {
	kpi_case *cases;          /* sorted by case id */
	size_t case_count, case_cap;
	kpi_event *events;        /* sorted by case id, then time */
	size_t event_count, event_cap;
	char **strings;
	size_t string_count, string_cap;
	const char **dim_values;  /* distinct event dimension values, interned once */
	size_t dim_value_count, dim_value_cap;
} kpi_loaded;

/* Load a process's ticket rows and events. */
int kpi_store_load(kpi_loaded *out, opex_kpi_store *store,
	const char *process, opex_error *err);
void kpi_loaded_release(kpi_loaded *loaded);

#endif
