/*
 * index.c: the search index file: its schema, opening it, its revision.
 * The index is derived data, a cache of one handbook revision:
 * deleting it loses nothing.
 *
 * Schema version 5:
 *
 *   table          columns                                   notes
 *   -------------  ----------------------------------------  --------------------------------
 *   meta           key TEXT PRIMARY KEY, value TEXT           schema = "1", revision (commit
 *                                                            id), context (blob ids of
 *                                                            opex.yaml and people.yaml)
 *   doc            id INTEGER PRIMARY KEY, path,              one row per article; path,
 *                  blob, title, language, owner, journey,    language, owner, journey and
 *                  stale_after, stemmed, sections            stale_after indexed (NOCASE);
 *                                                            UNIQUE (path, blob, stemmed)
 *                                                            covers the tree compare of an
 *                                                            update
 *   doc_tag        tag, doc   (PRIMARY KEY tag, doc)          lowercase; + index on doc
 *   doc_market     market, doc (PRIMARY KEY market, doc)      lowercase; + index on doc
 *   doc_team       team, doc (PRIMARY KEY team, doc)          the article's teams, as written;
 *                                                            + index on doc
 *   fts            FTS5(title, tags, headings, path, body)   unicode61 remove_diacritics 2:
 *                                                            every article not in English;
 *                                                            rowid = doc.id
 *   fts_en         FTS5(title, tags, headings, path, body)   porter unicode61 remove_diacritics
 *                                                            2: English articles
 *   fts_vocab,     fts5vocab(fts, row), (fts_en, row)         the vocabulary, for "did you mean"
 *   fts_en_vocab
 *
 * doc.sections says where each section of the body starts, one line per
 * section: "<byte offset in fts.body> <heading>\n" (an empty heading for
 * the text before the first one): read for the shown page only.
 *
 * An article lives in exactly one of fts and fts_en, so English words are
 * stemmed (refunds finds refund) and French, German or Indonesian words
 * are never cut by an English stemmer. A query runs on both tables
 * (UNION ALL), ranked together by BM25 with the weights
 *
 *   title 10, tags 5, headings 3, path 2, body 1.
 *
 * CJK text has no spaces between words, which unicode61 would read as one
 * long token: indexed text gets a U+200B (a separator) between adjacent
 * CJK characters, and a CJK query word becomes the phrase of its
 * characters. This finds words of any length, where a trigram table
 * misses the one- and two-character words most Chinese words are.
 *
 * Stale is derived from time: doc.stale_after is verified_at plus the
 * review interval (0 if never verified), and an article is stale when
 * now > stale_after, so the index never needs a rewrite as days pass.
 *
 * Filters live in doc, doc_tag and doc_market, joined to the FTS rows by
 * rowid: never FTS5 column constraints.
 *
 * Who may see an article (opex_search_options.audience) is a filter
 * like the others, on doc.visibility (0 internal, 1 partners, 2 public)
 * and doc_team, applied inside every query a search runs: ranking, the
 * count, facets, and the words tried for "did you mean" (a word counts
 * only if a visible article has it), so nothing a reader may not see
 * shapes what they get. The rule is the server's (server/auth.c): public
 * is seen by everyone; a partner sees partners articles without teams; a
 * member sees every article without teams and those of their teams. Snippets are made after ranking,
 * for the page shown only, from highlight() of that row.
 *
 * Updates run in one transaction (BEGIN IMMEDIATE), in WAL mode: readers
 * see the old revision or the new one, and a killed update leaves the old.
 *
 * A handbook loaded without some of its git objects (an article, a folder
 * of articles, people.yaml or opex.yaml unreadable, or a history walk that
 * failed: see kb/handbook.c) still updates the index: what could not be
 * read is left out and meta.context ends with " incomplete". Such an index
 * is not up to date for any revision: opex_search_index_revision() gives "",
 * and the next plan (whose context never has the mark) reads every
 * article, so articles restored meanwhile are indexed and staleness is
 * judged again. With an unknown history no article is stale
 * (stale_after = INT64_MAX): unknown is not stale.
 */
#include "search/search_int.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/str.h"
#include "core/text.h"
#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/banned.h"

/*
 * Filter indexes: a full build creates them after the rows are in, which
 * is cheaper than keeping six b-trees up to date row by row.
 */
#define FILTER_INDEX_SQL \
	"CREATE INDEX doc_language ON doc(language COLLATE NOCASE);" \
	"CREATE INDEX doc_owner ON doc(owner COLLATE NOCASE);" \
	"CREATE INDEX doc_journey ON doc(journey COLLATE NOCASE);" \
	"CREATE INDEX doc_stale ON doc(stale_after);" \
	"CREATE INDEX doc_tag_doc ON doc_tag(doc);" \
	"CREATE INDEX doc_market_doc ON doc_market(doc);" \
	"CREATE INDEX doc_team_doc ON doc_team(doc);"

const char opex_search_sql_filter_indexes[] = FILTER_INDEX_SQL;

const char opex_search_sql_drop_filter_indexes[] =
	"DROP INDEX IF EXISTS doc_language; DROP INDEX IF EXISTS doc_owner;"
	"DROP INDEX IF EXISTS doc_journey; DROP INDEX IF EXISTS doc_stale;"
	"DROP INDEX IF EXISTS doc_tag_doc; DROP INDEX IF EXISTS doc_market_doc;"
	"DROP INDEX IF EXISTS doc_team_doc;";

const char opex_search_sql_schema[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE doc(id INTEGER PRIMARY KEY, path TEXT NOT NULL,"
	" blob TEXT NOT NULL, title TEXT, language TEXT, owner TEXT,"
	" journey TEXT, stale_after INTEGER NOT NULL, stemmed INTEGER NOT NULL,"
	" sections TEXT NOT NULL, visibility INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX doc_tree ON doc(path, blob, stemmed);"
	"CREATE TABLE doc_tag(tag TEXT NOT NULL, doc INTEGER NOT NULL,"
	" PRIMARY KEY(tag, doc)) WITHOUT ROWID;"
	"CREATE TABLE doc_market(market TEXT NOT NULL, doc INTEGER NOT NULL,"
	" PRIMARY KEY(market, doc)) WITHOUT ROWID;"
	"CREATE TABLE doc_team(team TEXT NOT NULL, doc INTEGER NOT NULL,"
	" PRIMARY KEY(team, doc)) WITHOUT ROWID;"
	"CREATE VIRTUAL TABLE fts USING fts5(title, tags, headings, path, body,"
	" tokenize='unicode61 remove_diacritics 2');"
	"CREATE VIRTUAL TABLE fts_en USING fts5(title, tags, headings, path, body,"
	" tokenize='porter unicode61 remove_diacritics 2');"
	"CREATE VIRTUAL TABLE fts_vocab USING fts5vocab(fts, 'row');"
	"CREATE VIRTUAL TABLE fts_en_vocab USING fts5vocab(fts_en, 'row');"
	FILTER_INDEX_SQL
	"INSERT INTO meta VALUES('schema', '" SCHEMA_VERSION "'), ('revision', ''),"
	" ('context', '');";

const char opex_search_sql_drop[] =
	"DROP TABLE IF EXISTS fts_vocab; DROP TABLE IF EXISTS fts_en_vocab;"
	"DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS fts_en;"
	"DROP TABLE IF EXISTS section; DROP TABLE IF EXISTS doc_market;"
	"DROP TABLE IF EXISTS doc_team;"
	"DROP TABLE IF EXISTS doc_tag; DROP TABLE IF EXISTS doc;"
	"DROP TABLE IF EXISTS meta;";

int opex_search_db_error(opex_search_index *ix, opex_error *err, const char *what)
{
	return opex_error_set(err, OPEX_EIO, "cannot %s index '%s': %s", what,
		ix->path, sqlite3_errmsg(ix->db));
}

int opex_search_db_exec(opex_search_index *ix, const char *sql, const char *what,
	opex_error *err)
{
	if (sqlite3_exec(ix->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return opex_search_db_error(ix, err, what);
	return 0;
}

/*
 * Prepared statements are kept for the life of the connection, keyed by
 * their SQL (preparing the ~20 statements of one search cost more than
 * running them for rare words). opex_search_db_prepare() hands out a statement that is
 * not in use; opex_search_db_finish() resets it for the next caller. A statement that
 * does not fit in the cache is finalized by opex_search_db_finish().
 */
int opex_search_db_prepare(sqlite3_stmt **out, opex_search_index *ix, const char *sql,
	opex_error *err)
{
	size_t i, slot = STMT_CACHE;

	*out = NULL;
	for (i = 0; i < ix->cache_count; i++) {
		if (!ix->cache[i].busy && strcmp(ix->cache[i].sql, sql) == 0) {
			ix->cache[i].busy = true;
			*out = ix->cache[i].st;
			return 0;
		}
	}
	if (sqlite3_prepare_v2(ix->db, sql, -1, out, NULL) != SQLITE_OK)
		return opex_search_db_error(ix, err, "query");
	if (ix->cache_count < STMT_CACHE) {
		slot = ix->cache_count++;
	} else {
		for (i = 0; i < STMT_CACHE && slot == STMT_CACHE; i++) {
			size_t k = (ix->cache_next + i) % STMT_CACHE;

			if (!ix->cache[k].busy)
				slot = k;
		}
		if (slot == STMT_CACHE)
			return 0;
		ix->cache_next = (slot + 1) % STMT_CACHE;
		sqlite3_finalize(ix->cache[slot].st);
		opex_free(ix->cache[slot].sql);
	}
	ix->cache[slot].sql = opex_strdup(sql);
	ix->cache[slot].st = *out;
	ix->cache[slot].busy = true;
	return 0;
}

void opex_search_db_finish(opex_search_index *ix, sqlite3_stmt *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < ix->cache_count; i++) {
		if (ix->cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			ix->cache[i].busy = false;
			return;
		}
	}
	sqlite3_finalize(st);
}

void opex_search_db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void opex_search_db_bind_buf(sqlite3_stmt *st, int i, const opex_buf *b)
{
	sqlite3_bind_text(st, i, b->ptr, (int)b->len, SQLITE_STATIC);
}

char *opex_search_db_column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? opex_strdup((const char *)s) : NULL;
}

/* Read meta `key` into `out` (cleared first); "" if missing. */
int opex_search_meta_get(opex_buf *out, opex_search_index *ix, const char *key,
	opex_error *err)
{
	sqlite3_stmt *st = NULL;
	int error, rc;

	opex_buf_clear(out);
	error = opex_search_db_prepare(&st, ix, "SELECT value FROM meta WHERE key = ?", err);
	if (error < 0)
		goto done;
	opex_search_db_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		opex_buf_puts(out, (const char *)sqlite3_column_text(st, 0));
	else if (rc != SQLITE_DONE)
		error = opex_search_db_error(ix, err, "read");
done:
	opex_search_db_finish(ix, st);
	return error;
}

int opex_search_meta_set(opex_search_index *ix, const char *key, const char *value,
	opex_error *err)
{
	sqlite3_stmt *st = NULL;
	int error = opex_search_db_prepare(&st, ix,
		"INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", err);

	if (error < 0)
		goto done;
	opex_search_db_bind_text(st, 1, key);
	opex_search_db_bind_text(st, 2, value);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = opex_search_db_error(ix, err, "write");
done:
	opex_search_db_finish(ix, st);
	return error;
}

/* Is the schema there, and ours? Creates it in an empty database. */
int opex_search_schema_check(opex_search_index *ix, opex_error *err)
{
	opex_buf v = OPEX_BUF_INIT(64);
	sqlite3_stmt *st = NULL;
	bool exists = false;
	int error;

	error = opex_search_db_prepare(&st, ix, "SELECT 1 FROM sqlite_master WHERE name = 'meta'",
		err);
	if (error < 0)
		goto done;
	exists = sqlite3_step(st) == SQLITE_ROW;
	if (!exists) {
		error = opex_search_db_exec(ix, "BEGIN IMMEDIATE", "create", err);
		if (error < 0)
			goto done;
		error = opex_search_db_exec(ix, opex_search_sql_schema, "create", err);
		if (error == 0)
			error = opex_search_db_exec(ix, "COMMIT", "create", err);
		else
			sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
		/* Another process may have created it first. */
		if (error < 0 && strstr(err ? err->message : "", "already exists")) {
			opex_error_clear(err);
			error = 0;
		}
		if (error < 0)
			goto done;
	}
	error = opex_search_meta_get(&v, ix, "schema", err);
	if (error < 0)
		goto done;
	ix->schema_ok = strcmp(v.ptr, SCHEMA_VERSION) == 0;
done:
	opex_search_db_finish(ix, st);
	opex_buf_release(&v);
	return error;
}

int opex_search_index_open(opex_search_index **out, const char *path, opex_error *err)
{
	opex_search_index *ix = opex_calloc(1, sizeof(*ix));
	bool memory = strcmp(path, ":memory:") == 0;
	int error = 0;

	*out = NULL;
	ix->path = opex_strdup(path);
	if (!sqlite3_compileoption_used("ENABLE_FTS5")) {
		error = opex_error_set(err, OPEX_ERROR,
			"SQLite %s was built without FTS5", sqlite3_libversion());
		goto done;
	}
	if (!memory)
		opex_path_make_parent(path);
	/*
	 * Allocation statistics take a process-wide mutex on every malloc and
	 * opex reads none of them. This only takes effect before SQLite's first
	 * initialisation (the first open, made before any worker thread runs);
	 * later calls are refused by SQLite without touching its state.
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(path, &ix->db, SQLITE_OPEN_READWRITE |
			SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		error = opex_error_set(err, OPEX_EIO, "cannot open index '%s': %s",
			path, ix->db ? sqlite3_errmsg(ix->db) : "out of memory");
		goto done;
	}
	sqlite3_busy_timeout(ix->db, 10000);
	sqlite3_extended_result_codes(ix->db, 0);
	error = opex_search_db_exec(ix, memory ? "PRAGMA temp_store = MEMORY"
		: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		  " PRAGMA temp_store = MEMORY", "configure", err);
	if (error < 0)
		goto done;
	error = opex_search_db_exec(ix, "PRAGMA cache_size = -32768", "configure", err);
	if (error < 0)
		goto done;
	error = opex_search_schema_check(ix, err);
	if (error < 0)
		goto done;
	*out = ix;
	ix = NULL;
done:
	opex_search_index_free(ix);
	return error;
}

void opex_search_index_free(opex_search_index *ix)
{
	if (ix == NULL)
		return;
	opex_search_plan_release(ix);
	opex_search_facet_table_free(ix->facets);
	for (size_t i = 0; i < ix->cache_count; i++) {
		sqlite3_finalize(ix->cache[i].st);
		opex_free(ix->cache[i].sql);
	}
	sqlite3_close(ix->db);
	opex_free(ix->path);
	opex_free(ix);
}

void opex_search_index_default_path(opex_buf *out, const opex_kb_repo *repo)
{
	const char *gitdir = opex_kb_repo_git_dir(repo);
	size_t n = strlen(gitdir);

	opex_buf_puts(out, gitdir);
	if (n > 0 && gitdir[n - 1] != '/')
		opex_buf_putc(out, '/');
	opex_buf_puts(out, "opex/index.sqlite");
}

/* True for the context of an update that left something out. */
static bool is_incomplete(const char *context)
{
	size_t n = strlen(context), m = strlen(INCOMPLETE_MARK);

	return n >= m && strcmp(context + n - m, INCOMPLETE_MARK) == 0;
}

int opex_search_index_revision(char out[41], opex_search_index *ix, opex_error *err)
{
	opex_buf v = OPEX_BUF_INIT(64), ctx = OPEX_BUF_INIT(256);
	int error = 0;

	out[0] = '\0';
	if (ix->schema_ok) {
		error = opex_search_meta_get(&v, ix, "revision", err);
		if (error == 0)
			error = opex_search_meta_get(&ctx, ix, "context", err);
		/* An update that left something out is up to date for nothing. */
		if (error == 0 && v.len == 40 && !is_incomplete(ctx.ptr))
			memcpy(out, v.ptr, 41);
	}
	opex_buf_release(&v);
	opex_buf_release(&ctx);
	return error;
}
