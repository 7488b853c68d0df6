/*
 * search.h: full-text search over the handbook's articles. A query in
 * opex's query language is parsed into a tree (query.c) and run against an
 * SQLite FTS5 index of one handbook revision (index.c, update.c); a search
 * ranks, counts, facets, makes snippets and suggests (plan.c, snippets.c,
 * suggest.c, search.c), always for one audience.
 *
 *   query.c     the query language -> query tree -> FTS5 MATCH expressions
 *   text.c      text as the tokenizer sees it (CJK split into characters)
 *   index.c     the index file: schema, open, revision
 *   update.c    plan and update to a revision (tree compare by blob id)
 *   writer.c    the rows of one article
 *   plan.c      the SQL of a search: filters, audience, ranking, facets
 *   snippets.c  hits, snippets and section headings
 *   suggest.c   "did you mean"
 *   search.c    one search, in one read transaction
 *
 * The index is derived data, a cache of one revision: by default
 * "<git-dir>/opex/index.sqlite". Data flows one way: kb (articles,
 * settings, history) -> here -> renderer and server.
 * See docs/internals/search.md.
 */
#ifndef OPEX_SEARCH_H
#define OPEX_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "kb/kb.h"

/* ---------------------------------------------------------------------
 * Queries (query.c)
 * ------------------------------------------------------------------- */

typedef struct opex_search_query opex_search_query;

/**
 * Parse a search query (grammar in search/query.c): words, "phrases",
 * prefix*, -excluded, OR, and the filters lang:, journey:, market:,
 * owner:, tag:, is:stale. Never fails on odd input: an unclosed quote,
 * a lone "-" or a filter without a value get a sensible reading and a
 * warning (see opex_search_query_warning). Errors: OPEX_ETOOBIG (longer than
 * OPEX_LIMIT_QUERY_BYTES, more than OPEX_LIMIT_QUERY_TERMS terms or
 * OPEX_LIMIT_QUERY_FILTERS filters), OPEX_EINVALID (nothing to search for).
 */
int opex_search_query_parse(opex_search_query **out, const char *text, size_t len,
	opex_error *err) OPEX_WARN_UNUSED;

/** Free a query. NULL is a no-op. */
void opex_search_query_free(opex_search_query *query);

/** Warnings about how the query was read, and warning `i`. Borrowed. */
size_t opex_search_query_warning_count(const opex_search_query *query);
const char *opex_search_query_warning(const opex_search_query *query, size_t i);

/**
 * Append the FTS5 MATCH expression for the query's words (empty when it
 * has only filters or only exclusions): every term is an FTS5 string.
 */
void opex_search_query_match(opex_buf *out, const opex_search_query *query);

/* ---------------------------------------------------------------------
 * The index (index.c) and its updates (update.c)
 * ------------------------------------------------------------------- */

typedef struct opex_search_index opex_search_index;

/**
 * Open (creating if needed) the index at `path` (":memory:" for a private
 * one), with WAL and a busy timeout; its folder is created if missing.
 * Errors: OPEX_EIO (cannot open or create), OPEX_ERROR (SQLite without
 * FTS5).
 */
int opex_search_index_open(opex_search_index **out, const char *path,
	opex_error *err) OPEX_WARN_UNUSED;

/** Close the index. NULL is a no-op. */
void opex_search_index_free(opex_search_index *index);

/** Append the default index path of `repo`: "<git-dir>/opex/index.sqlite". */
void opex_search_index_default_path(opex_buf *out, const opex_kb_repo *repo);

/**
 * The revision the index reflects (40 hex digits) into `out`; "" when the
 * index is empty or was built with another schema version.
 */
int opex_search_index_revision(char out[41], opex_search_index *index,
	opex_error *err) OPEX_WARN_UNUSED;

typedef struct opex_search_index_stats {
	char from[41], to[41];   /* revisions before and after ("" if none) */
	size_t added, changed, removed, renamed, unchanged;
	size_t articles;         /* articles in the index afterwards */
	bool rebuilt;            /* built from scratch (new, --rebuild, new schema) */
	double ms;               /* wall time of the update */
} opex_search_index_stats;

/**
 * Plan an update to `repo`'s revision, so that opex_search_index_wants()
 * can tell which articles the update needs: the paths that differ between
 * the indexed revision's tree and the new one (compared by id, unchanged
 * folders skipped), or, when that revision cannot be read, the indexed
 * path -> blob map. With `rebuild`, or when the schema, people.yaml or
 * opex.yaml changed, it wants every article.
 */
int opex_search_index_plan(opex_search_index *index, const opex_kb_repo *repo,
	bool rebuild, opex_error *err) OPEX_WARN_UNUSED;

/**
 * For opex_kb_handbook_options.want, with the index as `payload`: true
 * when the article at `path` has a blob id the index does not hold (new or
 * changed), or when the plan wants everything. Without a plan: true.
 */
bool opex_search_index_wants(const char *path, const char *oid, void *payload);

/**
 * True when the plan needs no article but those at the paths that changed
 * (the schema, settings and roster as indexed): a repository listing only
 * those paths (opex_kb_repo_open_only()) is then enough for the update.
 */
bool opex_search_index_plan_by_paths(const opex_search_index *index);

/** Progress of an update: `done` of `total` articles written. */
typedef void (*opex_search_index_progress_fn)(size_t done, size_t total,
	void *payload);

typedef struct opex_search_index_update_options {
	bool rebuild;                       /* drop everything, index from scratch */
	opex_search_index_progress_fn progress; /* may be NULL */
	void *payload;
} opex_search_index_update_options;

#define OPEX_SEARCH_INDEX_UPDATE_OPTIONS_INIT { false, NULL, NULL }

/**
 * Bring the index to the handbook's revision in one transaction: articles
 * whose blob id differs from the indexed one are re-indexed, the others
 * are left alone (a changed roster or opex.yaml only refreshes the
 * staleness dates). The handbook may hold only the articles that
 * opex_search_index_wants() asked for. Readers see the old revision or the new
 * one, never a mix; a killed update leaves the old one. `out` may be NULL.
 * A handbook of a partial repository (opex_kb_repo_open_only()) updates
 * only when the update goes by the changed paths.
 * Errors: OPEX_EEXISTS when a partial handbook was planned against a
 * revision another process has since replaced, or a partial repository
 * cannot do (read the whole tree then); OPEX_EIO.
 */
int opex_search_index_update(opex_search_index_stats *out, opex_search_index *index,
	const opex_kb_handbook *handbook,
	const opex_search_index_update_options *opts, opex_error *err)
	OPEX_WARN_UNUSED;

/* ---------------------------------------------------------------------
 * Searching (search.c)
 * ------------------------------------------------------------------- */

/** Append `s[0..len)` to `out`, escaped for the output at hand. */
typedef void (*opex_search_escape_fn)(opex_buf *out, const char *s, size_t len);

/*
 * Who is searching: the articles a search may return, count, facet or
 * suggest from (the rule of server/auth.c, on front-matter visibility and
 * teams). ALL: every article; PUBLIC: public ones; PARTNER: public, and
 * partners articles without teams; MEMBER: public, every article without
 * teams, and those restricted to one of `teams`.
 */
typedef enum opex_search_audience {
	OPEX_SEARCH_AUDIENCE_ALL = 0,
	OPEX_SEARCH_AUDIENCE_PUBLIC,
	OPEX_SEARCH_AUDIENCE_PARTNER,
	OPEX_SEARCH_AUDIENCE_MEMBER
} opex_search_audience;

/* A member's teams beyond this many are not counted (they see less). */
#define OPEX_SEARCH_AUDIENCE_MAX_TEAMS 64

typedef struct opex_search_options {
	size_t limit, offset;       /* the page: default 10 from 0 */
	const char *mark_open;      /* put before each match in snippets ("" if NULL) */
	const char *mark_close;     /* and after it */
	opex_search_escape_fn escape;   /* for the text around marks; NULL: as is */
	size_t snippet_tokens;      /* words around the match; 0: 24 */
	bool facets;                /* count languages, journeys, markets */
	bool suggest;               /* "did you mean" when nothing matches */
	int64_t now;                /* judge staleness as of; 0: the current time */
	opex_search_audience audience;  /* who may see the results; ALL by default */
	const char *const *teams;   /* MEMBER: the reader's teams (borrowed) */
	size_t team_count;
	size_t count_bound;         /* total and facets exact up to this many
	                               matches; 0: OPEX_LIMIT_SEARCH_COUNT */
} opex_search_options;

#define OPEX_SEARCH_OPTIONS_INIT \
	{ 10, 0, NULL, NULL, NULL, 0, true, true, 0, OPEX_SEARCH_AUDIENCE_ALL, NULL, 0, 0 }

typedef struct opex_search_hit {
	char *path, *title, *language, *owner, *journey; /* NULL if absent */
	char *section;   /* heading of the section with the best match; NULL: top */
	char *snippet;   /* escaped text with marked matches */
	bool stale;
	double score;    /* bm25: lower is better */
} opex_search_hit;

typedef struct opex_search_facet {
	char *value;
	size_t count;
} opex_search_facet;

typedef struct opex_search_result {
	opex_search_hit *hits;
	size_t hit_count;
	size_t total;                   /* matching articles, all pages */
	bool total_capped;              /* more than `total` matched (the count
	                                   bound): facets count the first `total` */
	opex_search_facet *languages, *journeys, *markets; /* by count, then value */
	size_t language_count, journey_count, market_count;
	char *suggestion;               /* a corrected query, or NULL */
	char revision[41];              /* the revision searched ("" if empty) */
	double took_ms;
} opex_search_result;

/**
 * Search the index: rank every match by BM25 (title above tags above
 * headings, path and body), then build snippets and find section headings
 * for the requested page only. Results and facets are read in one read
 * transaction. Release `out` with opex_search_result_release(), also
 * after an error.
 */
int opex_search_run(opex_search_result *out, opex_search_index *index,
	const opex_search_query *query, const opex_search_options *opts,
	opex_error *err) OPEX_WARN_UNUSED;

/** Free what a search result holds. */
void opex_search_result_release(opex_search_result *result);

#endif
