/*
 * search_int.h: what the files of search/ share, and nothing else may
 * include: the index handle, the statement helpers over SQLite (every
 * file of this module calls SQLite; no other module does), the query tree
 * of query.c, and the state of one search.
 */
#ifndef OPEX_SEARCH_INT_H
#define OPEX_SEARCH_INT_H

#include "search/search.h"
#include "core/limits.h"

#include <sqlite3.h>

#define SCHEMA_VERSION "5"
#define BM25_WEIGHTS "10.0, 5.0, 3.0, 2.0, 1.0"
#define MARK_OPEN '\x01'
#define MARK_CLOSE '\x02'
#define STMT_CACHE 64
#define INCOMPLETE_MARK " incomplete"

typedef struct opex_search_facet_table opex_search_facet_table;

/* An indexed article, as the tree compare of an update reads it. */
typedef struct old_doc {
	sqlite3_int64 id;
	char *path;
	char blob[41];
	bool stemmed;
} old_doc;

struct opex_search_index {
	sqlite3 *db;
	char *path;
	bool schema_ok;   /* the schema is there and has our version */
	/* opex_search_index_plan(): the indexed map, for opex_search_index_wants() */
	bool planned, plan_all;
	char plan_rev[41];
	old_doc *plan;
	size_t plan_count, plan_cursor;
	/* or, when the trees could be compared, the paths that changed since */
	bool plan_diff;
	char **plan_paths;
	size_t plan_path_count;
	struct {
		char *sql;
		sqlite3_stmt *st;
		bool busy;
	} cache[STMT_CACHE];      /* see opex_search_db_prepare() */
	size_t cache_count, cache_next;
	opex_search_facet_table *facets;  /* see facets.c; NULL until needed */
};

/* ---------------------------------------------------------------------
 * Schema and statements (index.c)
 * ------------------------------------------------------------------- */

/** Set `err` from SQLite's message for `what`; returns OPEX_EIO. */
int opex_search_db_error(opex_search_index *ix, opex_error *err, const char *what);

/** Run `sql` (several statements) for `what`. OPEX_EIO naming it. */
int opex_search_db_exec(opex_search_index *ix, const char *sql, const char *what,
	opex_error *err);

/** A prepared `sql` from the index's statement cache (reset, unbound). */
int opex_search_db_prepare(sqlite3_stmt **out, opex_search_index *ix, const char *sql,
	opex_error *err);

/** Give a statement of opex_search_db_prepare() back to the cache. */
void opex_search_db_finish(opex_search_index *ix, sqlite3_stmt *st);

/** Bind a NUL-terminated string (NULL binds SQL NULL). */
void opex_search_db_bind_text(sqlite3_stmt *st, int i, const char *s);

/** Bind a buffer's bytes as text. */
void opex_search_db_bind_buf(sqlite3_stmt *st, int i, const opex_buf *b);

/** Column `i` as a new string, or NULL for SQL NULL. */
char *opex_search_db_column_dup(sqlite3_stmt *st, int i);

/** meta.value of `key` into `out` ("" if absent). */
int opex_search_meta_get(opex_buf *out, opex_search_index *ix, const char *key,
	opex_error *err);

/** Set meta.value of `key`. */
int opex_search_meta_set(opex_search_index *ix, const char *key, const char *value,
	opex_error *err);

/** Note in ix->schema_ok whether the schema is there with our version. */
int opex_search_schema_check(opex_search_index *ix, opex_error *err);


/* Schema changes an update makes. */
extern const char opex_search_sql_drop[];
extern const char opex_search_sql_schema[];
extern const char opex_search_sql_filter_indexes[];
extern const char opex_search_sql_drop_filter_indexes[];

/** Free the plan of opex_search_index_plan() (update.c). */
void opex_search_plan_release(opex_search_index *ix);

/* ---------------------------------------------------------------------
 * Writing articles (writer.c), for update.c
 * ------------------------------------------------------------------- */

/* Statements used for every article written or removed. */
typedef struct opex_search_writer {
	opex_search_index *ix;
	sqlite3_stmt *ins_doc, *ins_fts, *ins_fts_en, *ins_tag, *ins_market;
	sqlite3_stmt *del_doc, *del_fts, *del_fts_en, *del_tag, *del_market;
	sqlite3_stmt *ins_team, *del_team;
	opex_buf title, tags, headings, body, sections;
	opex_kb_md_text md;
	bool history_known;    /* false: staleness is unknown, never stale */
} opex_search_writer;

/** Prepare the statements of a writer. Release it, also after an error. */
int opex_search_writer_init(opex_search_writer *w, opex_search_index *ix,
	opex_error *err);

/** Finalize what a writer holds. */
void opex_search_writer_release(opex_search_writer *w);

/** Remove the rows of the indexed article `id`. */
int opex_search_writer_remove(opex_search_writer *w, sqlite3_int64 id,
	bool stemmed, opex_error *err);

/** Write the rows of article `a`, whose blob id is `blob`. */
int opex_search_writer_add(opex_search_writer *w, const opex_kb_article *a,
	const char *blob, const opex_kb_settings *settings, opex_error *err);

/** Store every article's staleness date again (the roster or settings changed). */
int opex_search_refresh_staleness(opex_search_index *ix,
	const opex_kb_handbook *hb, opex_error *err);

/** True for "en", "en-GB" and the like: indexed with the porter stemmer. */
bool opex_search_is_english(const char *language);

/* ---------------------------------------------------------------------
 * The query tree (query.c), read by the search (plan.c, search.c)
 * ------------------------------------------------------------------- */

typedef enum opex_search_qfilter_kind {
	OPEX_SEARCH_QFILTER_LANG = 0,
	OPEX_SEARCH_QFILTER_JOURNEY,
	OPEX_SEARCH_QFILTER_MARKET,
	OPEX_SEARCH_QFILTER_OWNER,
	OPEX_SEARCH_QFILTER_TAG,
	OPEX_SEARCH_QFILTER_STALE,    /* is:stale; negated: not stale */
	OPEX_SEARCH_QFILTER_TYPE      /* type:article, type:reply (value kept) */
} opex_search_qfilter_kind;

typedef struct opex_search_qfilter {
	opex_search_qfilter_kind kind;
	char *value;              /* lowercase (ASCII); NULL for is:stale */
	bool negated;
} opex_search_qfilter;

typedef struct opex_search_qterm {
	char *text;               /* as typed, without quotes, '-' or '*' */
	bool phrase, prefix;
} opex_search_qterm;

/* One clause: its terms joined by OR; clauses are joined by AND. */
typedef struct opex_search_qclause {
	opex_search_qterm *terms;
	size_t count;
	bool negated;             /* an excluded term (never with OR) */
} opex_search_qclause;

struct opex_search_query {
	opex_search_qclause *clauses;
	size_t clause_count, clause_cap;
	opex_search_qfilter *filters;
	size_t filter_count, filter_cap;
	char **warnings;
	size_t warning_count, warning_cap;
};

/** True if the query has at least one clause that is not excluded. */
bool opex_search_query_has_positive(const opex_search_query *query);

/** Append the MATCH expression of the excluded clauses only, OR-ed. */
void opex_search_query_match_excluded(opex_buf *out, const opex_search_query *query);

/* ---------------------------------------------------------------------
 * Text as the tokenizer sees it (text.c), for indexed text and queries
 * ------------------------------------------------------------------- */

/**
 * Append `s[0..len)` with a U+200B (a separator for unicode61) between
 * two adjacent CJK characters, so each is a token and a CJK word is
 * found as a phrase of its characters. Used for indexed text and queries.
 */
void opex_search_text_cjk_split(opex_buf *out, const char *s, size_t len);

/** True if `s[0..len)` holds a CJK character (Han, kana, Hangul). */
bool opex_search_text_has_cjk(const char *s, size_t len);

/** True if `s[0..len)` has something a tokenizer keeps: a letter or digit. */
bool opex_search_text_has_tokens(const char *s, size_t len);

/* ---------------------------------------------------------------------
 * One search (plan.c, snippets.c, suggest.c, search.c)
 * ------------------------------------------------------------------- */

/* The SQL conditions on `d` (doc) for the query's filters, with parameters. */
typedef struct sql_params {
	const char *text[OPEX_LIMIT_QUERY_FILTERS * 3 + OPEX_SEARCH_AUDIENCE_MAX_TEAMS];
	size_t count;
} sql_params;

typedef struct search_ctx {
	opex_search_index *ix;
	const opex_search_query *q;
	opex_buf match, excluded;
	sql_params params;
	opex_buf filters;
	int64_t now;
	size_t bound;   /* matches counted for the total and the facets */
	/* The audience alone, for the words "did you mean" may use. */
	sql_params audience_params;
	opex_buf audience;
} search_ctx;

/** Append the query's filters as conditions on d, parameters to `p` (plan.c). */
void opex_search_sql_filters(opex_buf *sql, sql_params *p, const opex_search_query *q);

/** Append who may see an article as conditions on d (plan.c). */
void opex_search_sql_audience(opex_buf *sql, sql_params *p,
	const opex_search_options *o);

/** Append the SELECT of matching rows of both FTS5 tables, ranked if `scored`. */
void opex_search_sql_hits(opex_buf *sql, const opex_search_query *q, bool scored);

/** Prepare `sql` and bind the search's MATCH expressions, now and parameters. */
int opex_search_prepare(sqlite3_stmt **out, search_ctx *s, const char *sql,
	opex_error *err);

/**
 * Fill the hits of the page shown, whose row ids and tables (stemmed:
 * fts_en) are `ids` and `stemmed`: snippet, best section (snippets.c).
 */
int opex_search_hits_fill(opex_search_result *out, search_ctx *s,
	const sqlite3_int64 *ids, const bool *stemmed,
	const opex_search_options *o, opex_error *err);

/**
 * Count languages, journeys and markets of the articles `ids[0..n)` into
 * `out`, most first (then by value), at most 100 values each, from the
 * index's table of facet values (facets.c), read again when the index
 * changed.
 */
int opex_search_facets_count(opex_search_result *out, opex_search_index *ix,
	const sqlite3_int64 *ids, size_t n, opex_error *err);

/** Free the table of facet values. NULL is a no-op. */
void opex_search_facet_table_free(opex_search_facet_table *table);

/** A corrected query when nothing matched, or *out = NULL (suggest.c). */
int opex_search_suggest(char **out, search_ctx *s, opex_error *err);

#endif
