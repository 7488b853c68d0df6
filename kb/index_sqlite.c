/*
 * index_sqlite.c: the full-text search index, the only file that calls
 * SQLite. The index is derived data, a cache of one handbook revision:
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
 * Who may see an article (opex_kb_search_options.audience) is a filter
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
 * is not up to date for any revision: opex_kb_index_revision() gives "",
 * and the next plan (whose context never has the mark) reads every
 * article, so articles restored meanwhile are indexed and staleness is
 * judged again. With an unknown history no article is stale
 * (stale_after = INT64_MAX): unknown is not stale.
 */
#define _POSIX_C_SOURCE 200809L

#include "kb/kb_int.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"
#include "core/text.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/banned.h"

#define SCHEMA_VERSION "5"
#define BM25_WEIGHTS "10.0, 5.0, 3.0, 2.0, 1.0"
#define MARK_OPEN '\x01'
#define MARK_CLOSE '\x02'
#define STMT_CACHE 64
#define SUGGEST_SCAN_MAX 20000 /* vocabulary rows per table per word */
#define INCOMPLETE_MARK " incomplete"

/* An indexed article, as the tree compare of an update reads it. */
typedef struct old_doc {
	sqlite3_int64 id;
	char *path;
	char blob[41];
	bool stemmed;
} old_doc;

struct opex_kb_index {
	sqlite3 *db;
	char *path;
	bool schema_ok;   /* the schema is there and has our version */
	/* opex_kb_index_plan(): the indexed map, for opex_kb_index_wants() */
	bool planned, plan_all;
	char plan_rev[41];
	old_doc *plan;
	size_t plan_count, plan_cursor;
	struct {
		char *sql;
		sqlite3_stmt *st;
		bool busy;
	} cache[STMT_CACHE];      /* see prepare() */
	size_t cache_count, cache_next;
};

static void free_docs(old_doc *docs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		opex_free(docs[i].path);
	opex_free(docs);
}

static void plan_release(opex_kb_index *ix)
{
	free_docs(ix->plan, ix->plan_count);
	ix->plan = NULL;
	ix->plan_count = ix->plan_cursor = 0;
	ix->planned = ix->plan_all = false;
	ix->plan_rev[0] = '\0';
}

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

static const char filter_index_sql[] = FILTER_INDEX_SQL;

static const char drop_filter_index_sql[] =
	"DROP INDEX IF EXISTS doc_language; DROP INDEX IF EXISTS doc_owner;"
	"DROP INDEX IF EXISTS doc_journey; DROP INDEX IF EXISTS doc_stale;"
	"DROP INDEX IF EXISTS doc_tag_doc; DROP INDEX IF EXISTS doc_market_doc;"
	"DROP INDEX IF EXISTS doc_team_doc;";

static const char schema_sql[] =
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

static const char drop_sql[] =
	"DROP TABLE IF EXISTS fts_vocab; DROP TABLE IF EXISTS fts_en_vocab;"
	"DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS fts_en;"
	"DROP TABLE IF EXISTS section; DROP TABLE IF EXISTS doc_market;"
	"DROP TABLE IF EXISTS doc_team;"
	"DROP TABLE IF EXISTS doc_tag; DROP TABLE IF EXISTS doc;"
	"DROP TABLE IF EXISTS meta;";

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int db_error(opex_kb_index *ix, opex_error *err, const char *what)
{
	return opex_error_set(err, OPEX_EIO, "cannot %s index '%s': %s", what,
		ix->path, sqlite3_errmsg(ix->db));
}

static int exec(opex_kb_index *ix, const char *sql, const char *what,
	opex_error *err)
{
	if (sqlite3_exec(ix->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(ix, err, what);
	return 0;
}

/*
 * Prepared statements are kept for the life of the connection, keyed by
 * their SQL (preparing the ~20 statements of one search cost more than
 * running them for rare words). prepare() hands out a statement that is
 * not in use; finish() resets it for the next caller. A statement that
 * does not fit in the cache is finalized by finish().
 */
static int prepare(sqlite3_stmt **out, opex_kb_index *ix, const char *sql,
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
		return db_error(ix, err, "query");
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

static void finish(opex_kb_index *ix, sqlite3_stmt *st)
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

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_buf(sqlite3_stmt *st, int i, const opex_buf *b)
{
	sqlite3_bind_text(st, i, b->ptr, (int)b->len, SQLITE_STATIC);
}

static char *column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? opex_strdup((const char *)s) : NULL;
}

/* Read meta `key` into `out` (cleared first); "" if missing. */
static int meta_get(opex_buf *out, opex_kb_index *ix, const char *key,
	opex_error *err)
{
	sqlite3_stmt *st = NULL;
	int error, rc;

	opex_buf_clear(out);
	error = prepare(&st, ix, "SELECT value FROM meta WHERE key = ?", err);
	if (error < 0)
		goto done;
	bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		opex_buf_puts(out, (const char *)sqlite3_column_text(st, 0));
	else if (rc != SQLITE_DONE)
		error = db_error(ix, err, "read");
done:
	finish(ix, st);
	return error;
}

static int meta_set(opex_kb_index *ix, const char *key, const char *value,
	opex_error *err)
{
	sqlite3_stmt *st = NULL;
	int error = prepare(&st, ix,
		"INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", err);

	if (error < 0)
		goto done;
	bind_text(st, 1, key);
	bind_text(st, 2, value);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = db_error(ix, err, "write");
done:
	finish(ix, st);
	return error;
}

/* Is the schema there, and ours? Creates it in an empty database. */
static int check_schema(opex_kb_index *ix, opex_error *err)
{
	opex_buf v = OPEX_BUF_INIT(64);
	sqlite3_stmt *st = NULL;
	bool exists = false;
	int error;

	error = prepare(&st, ix, "SELECT 1 FROM sqlite_master WHERE name = 'meta'",
		err);
	if (error < 0)
		goto done;
	exists = sqlite3_step(st) == SQLITE_ROW;
	if (!exists) {
		error = exec(ix, "BEGIN IMMEDIATE", "create", err);
		if (error < 0)
			goto done;
		error = exec(ix, schema_sql, "create", err);
		if (error == 0)
			error = exec(ix, "COMMIT", "create", err);
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
	error = meta_get(&v, ix, "schema", err);
	if (error < 0)
		goto done;
	ix->schema_ok = strcmp(v.ptr, SCHEMA_VERSION) == 0;
done:
	finish(ix, st);
	opex_buf_release(&v);
	return error;
}

/* Create the folder holding `path` if it is missing (one level). */
static void make_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (slash == NULL || slash == path)
		return;
	dir = opex_strndup(path, (size_t)(slash - path));
	/* A failure shows when SQLite cannot open the file: it names the path. */
	(void)mkdir(dir, 0777);
	opex_free(dir);
}

int opex_kb_index_open(opex_kb_index **out, const char *path, opex_error *err)
{
	opex_kb_index *ix = opex_calloc(1, sizeof(*ix));
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
		make_parent(path);
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
	error = exec(ix, memory ? "PRAGMA temp_store = MEMORY"
		: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		  " PRAGMA temp_store = MEMORY", "configure", err);
	if (error < 0)
		goto done;
	error = exec(ix, "PRAGMA cache_size = -32768", "configure", err);
	if (error < 0)
		goto done;
	error = check_schema(ix, err);
	if (error < 0)
		goto done;
	*out = ix;
	ix = NULL;
done:
	opex_kb_index_free(ix);
	return error;
}

void opex_kb_index_free(opex_kb_index *ix)
{
	if (ix == NULL)
		return;
	plan_release(ix);
	for (size_t i = 0; i < ix->cache_count; i++) {
		sqlite3_finalize(ix->cache[i].st);
		opex_free(ix->cache[i].sql);
	}
	sqlite3_close(ix->db);
	opex_free(ix->path);
	opex_free(ix);
}

void opex_kb_index_default_path(opex_buf *out, const opex_kb_repo *repo)
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

int opex_kb_index_revision(char out[41], opex_kb_index *ix, opex_error *err)
{
	opex_buf v = OPEX_BUF_INIT(64), ctx = OPEX_BUF_INIT(256);
	int error = 0;

	out[0] = '\0';
	if (ix->schema_ok) {
		error = meta_get(&v, ix, "revision", err);
		if (error == 0)
			error = meta_get(&ctx, ix, "context", err);
		/* An update that left something out is up to date for nothing. */
		if (error == 0 && v.len == 40 && !is_incomplete(ctx.ptr))
			memcpy(out, v.ptr, 41);
	}
	opex_buf_release(&v);
	opex_buf_release(&ctx);
	return error;
}

/* ---------------------------------------------------------------------
 * Update
 * ------------------------------------------------------------------- */

/* Statements used for every article written or removed. */
typedef struct writer {
	opex_kb_index *ix;
	sqlite3_stmt *ins_doc, *ins_fts, *ins_fts_en, *ins_tag, *ins_market;
	sqlite3_stmt *del_doc, *del_fts, *del_fts_en, *del_tag, *del_market;
	sqlite3_stmt *ins_team, *del_team;
	opex_buf title, tags, headings, body, sections;
	opex_kb_md_text md;
	bool history_known;    /* false: staleness is unknown, never stale */
} writer;

static int writer_init(writer *w, opex_kb_index *ix, opex_error *err)
{
	int error;

	memset(w, 0, sizeof(*w));
	w->ix = ix;
	opex_buf_init(&w->title, OPEX_LIMIT_LINE_BYTES);
	opex_buf_init(&w->tags, OPEX_LIMIT_LINE_BYTES);
	opex_buf_init(&w->headings, 4 * OPEX_LIMIT_FILE_BYTES);
	opex_buf_init(&w->body, 4 * OPEX_LIMIT_FILE_BYTES);
	opex_buf_init(&w->sections, 4 * OPEX_LIMIT_FILE_BYTES);
	opex_kb_md_text_init(&w->md, OPEX_LIMIT_FILE_BYTES);
	error = prepare(&w->ins_doc, ix, "INSERT INTO doc(path, blob, title,"
		" language, owner, journey, stale_after, stemmed, sections,"
		" visibility) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
	if (error == 0)
		error = prepare(&w->ins_fts, ix, "INSERT INTO fts(rowid, title,"
			" tags, headings, path, body) VALUES(?, ?, ?, ?, ?, ?)", err);
	if (error == 0)
		error = prepare(&w->ins_fts_en, ix, "INSERT INTO fts_en(rowid,"
			" title, tags, headings, path, body)"
			" VALUES(?, ?, ?, ?, ?, ?)", err);
	if (error == 0)
		error = prepare(&w->ins_tag, ix,
			"INSERT OR IGNORE INTO doc_tag(tag, doc) VALUES(?, ?)", err);
	if (error == 0)
		error = prepare(&w->ins_market, ix,
			"INSERT OR IGNORE INTO doc_market(market, doc) VALUES(?, ?)", err);
	if (error == 0)
		error = prepare(&w->del_doc, ix, "DELETE FROM doc WHERE id = ?", err);
	if (error == 0)
		error = prepare(&w->del_fts, ix, "DELETE FROM fts WHERE rowid = ?", err);
	if (error == 0)
		error = prepare(&w->del_fts_en, ix,
			"DELETE FROM fts_en WHERE rowid = ?", err);
	if (error == 0)
		error = prepare(&w->del_tag, ix, "DELETE FROM doc_tag WHERE doc = ?",
			err);
	if (error == 0)
		error = prepare(&w->del_market, ix,
			"DELETE FROM doc_market WHERE doc = ?", err);
	if (error == 0)
		error = prepare(&w->ins_team, ix,
			"INSERT OR IGNORE INTO doc_team(team, doc) VALUES(?, ?)", err);
	if (error == 0)
		error = prepare(&w->del_team, ix,
			"DELETE FROM doc_team WHERE doc = ?", err);
	return error;
}

static void writer_release(writer *w)
{
	finish(w->ix, w->ins_doc);
	finish(w->ix, w->ins_fts);
	finish(w->ix, w->ins_fts_en);
	finish(w->ix, w->ins_tag);
	finish(w->ix, w->ins_market);
	finish(w->ix, w->del_doc);
	finish(w->ix, w->del_fts);
	finish(w->ix, w->del_fts_en);
	finish(w->ix, w->del_tag);
	finish(w->ix, w->del_market);
	finish(w->ix, w->ins_team);
	finish(w->ix, w->del_team);
	opex_buf_release(&w->title);
	opex_buf_release(&w->tags);
	opex_buf_release(&w->headings);
	opex_buf_release(&w->body);
	opex_buf_release(&w->sections);
	opex_kb_md_text_release(&w->md);
}

/* Run a statement that returns no rows, then reset it. */
static int run(writer *w, sqlite3_stmt *st, opex_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_error(w->ix, err, "update");
	return 0;
}

static int remove_doc(writer *w, sqlite3_int64 id, bool stemmed,
	opex_error *err)
{
	sqlite3_stmt *fts = stemmed ? w->del_fts_en : w->del_fts;
	sqlite3_stmt *each[5];
	size_t i;
	int error = 0;

	each[0] = fts;
	each[1] = w->del_tag;
	each[2] = w->del_market;
	each[3] = w->del_team;
	each[4] = w->del_doc;
	for (i = 0; i < 5 && error == 0; i++) {
		sqlite3_bind_int64(each[i], 1, id);
		error = run(w, each[i], err);
	}
	return error;
}

static bool is_english(const char *language)
{
	return language && (language[0] | 0x20) == 'e' &&
	       (language[1] | 0x20) == 'n' &&
	       (language[2] == '\0' || language[2] == '-' || language[2] == '_');
}

static void lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s | 0x20);
}

static int64_t stale_after(const opex_kb_article *a,
	const opex_kb_settings *settings, bool history_known)
{
	int64_t interval = a->review_every ? a->review_every
		: settings->review_every;

	if (!history_known)
		return INT64_MAX;
	return a->verified ? a->verified_at + interval : 0;
}

static int add_list(writer *w, sqlite3_stmt *st, sqlite3_int64 id,
	char **items, size_t count, opex_error *err)
{
	size_t i;
	int error = 0;

	for (i = 0; i < count && error == 0; i++) {
		char *v = opex_strdup(items[i]);

		lower_ascii(v);
		sqlite3_bind_text(st, 1, v, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, id);
		error = run(w, st, err);
		opex_free(v);
	}
	return error;
}

static int add_doc(writer *w, const opex_kb_article *a, const char *blob,
	const opex_kb_settings *settings, opex_error *err)
{
	opex_kb_md_text *md = &w->md;
	sqlite3_stmt *fts;
	sqlite3_int64 id;
	bool stemmed = is_english(a->language);
	size_t i;
	int error;

	opex_kb_md_text_release(md);
	opex_buf_clear(&w->title);
	opex_buf_clear(&w->tags);
	opex_buf_clear(&w->headings);
	opex_buf_clear(&w->body);
	opex_buf_clear(&w->sections);
	error = opex_kb_markdown_plain(md, a->body, a->body_len, err);
	if (error < 0)
		goto done;

	/* Sections: the text before the first heading, then one per heading. */
	for (i = 0; i <= md->section_count; i++) {
		size_t from = i == 0 ? 0 : md->sections[i - 1].offset;
		size_t to = i < md->section_count ? md->sections[i].offset
			: md->text.len;
		const char *h = i == 0 ? NULL : md->sections[i - 1].heading;

		if (i == 0 && to == from)
			continue;
		opex_buf_printf(&w->sections, "%zu ", w->body.len);
		for (; h && *h; h++)
			opex_buf_putc(&w->sections, *h == '\n' ? ' ' : *h);
		opex_buf_putc(&w->sections, '\n');
		opex_kb_text_cjk_split(&w->body, md->text.ptr + from, to - from);
	}
	sqlite3_bind_text(w->ins_doc, 1, a->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->ins_doc, 2, blob, -1, SQLITE_STATIC);
	bind_text(w->ins_doc, 3, a->title);
	bind_text(w->ins_doc, 4, a->language);
	bind_text(w->ins_doc, 5, a->owner);
	bind_text(w->ins_doc, 6, a->journey);
	sqlite3_bind_int64(w->ins_doc, 7,
		stale_after(a, settings, w->history_known));
	sqlite3_bind_int(w->ins_doc, 8, stemmed);
	bind_buf(w->ins_doc, 9, &w->sections);
	sqlite3_bind_int(w->ins_doc, 10, (int)a->visibility);
	error = run(w, w->ins_doc, err);
	if (error < 0)
		goto done;
	id = sqlite3_last_insert_rowid(w->ix->db);

	if (a->title)
		opex_kb_text_cjk_split(&w->title, a->title, strlen(a->title));
	for (i = 0; i < a->tag_count; i++) {
		opex_kb_text_cjk_split(&w->tags, a->tags[i], strlen(a->tags[i]));
		opex_buf_putc(&w->tags, '\n');
	}
	opex_kb_text_cjk_split(&w->headings, md->headings.ptr, md->headings.len);
	if (w->title.failed || w->tags.failed || w->headings.failed ||
	    w->body.failed || w->sections.failed) {
		error = opex_error_set(err, OPEX_ETOOBIG,
			"article '%s' is too large to index", a->path);
		goto done;
	}
	fts = stemmed ? w->ins_fts_en : w->ins_fts;
	sqlite3_bind_int64(fts, 1, id);
	bind_buf(fts, 2, &w->title);
	bind_buf(fts, 3, &w->tags);
	bind_buf(fts, 4, &w->headings);
	sqlite3_bind_text(fts, 5, a->path, -1, SQLITE_STATIC);
	bind_buf(fts, 6, &w->body);
	error = run(w, fts, err);
	if (error == 0)
		error = add_list(w, w->ins_tag, id, a->tags, a->tag_count, err);
	if (error == 0)
		error = add_list(w, w->ins_market, id, a->markets, a->market_count,
			err);
	for (i = 0; i < a->team_count && error == 0; i++) {
		/* Teams as written: the roster's ids are compared exactly. */
		sqlite3_bind_text(w->ins_team, 1, a->teams[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(w->ins_team, 2, id);
		error = run(w, w->ins_team, err);
	}
done:
	return error;
}

/*
 * What staleness depends on besides the article: settings and roster; and
 * whether the update left out something it could not read.
 */
static void context_of(opex_buf *out, const opex_kb_repo *repo,
	bool incomplete)
{
	const opex_kb_entry *s = opex_kb_repo_find(repo, "opex.yaml");
	const opex_kb_entry *p = opex_kb_repo_find(repo, "people.yaml");

	opex_buf_printf(out, "%s %s%s", s ? s->oid : "-", p ? p->oid : "-",
		incomplete ? INCOMPLETE_MARK : "");
}

/* Did the handbook leave out an unreadable object the index depends on? */
static bool handbook_incomplete(const opex_kb_handbook *hb)
{
	size_t i, n = opex_kb_handbook_unreadable_count(hb);

	if (!opex_kb_history_known(opex_kb_handbook_history(hb)))
		return true;
	for (i = 0; i < n; i++) {
		const char *path = opex_kb_handbook_unreadable(hb, i);

		if (strcmp(path, "articles") == 0 ||
		    strncmp(path, "articles/", 9) == 0 ||
		    strcmp(path, "opex.yaml") == 0 ||
		    strcmp(path, "people.yaml") == 0)
			return true;
	}
	return false;
}

static bool is_article(const opex_kb_entry *e)
{
	size_t n = strlen(e->path);

	return e->kind == OPEX_KB_ENTRY_FILE &&
	       strncmp(e->path, "articles/", 9) == 0 && n > 12 &&
	       strcmp(e->path + n - 3, ".md") == 0;
}

static int load_old(old_doc **out, size_t *count, opex_kb_index *ix,
	opex_error *err)
{
	sqlite3_stmt *st = NULL;
	old_doc *docs = NULL;
	size_t n = 0, cap = 0;
	int error, rc;

	*out = NULL;
	*count = 0;
	error = prepare(&st, ix,
		"SELECT id, path, blob, stemmed FROM doc INDEXED BY doc_tree"
		" ORDER BY path", err);
	if (error < 0)
		goto done;
	for (;;) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		const char *blob = (const char *)sqlite3_column_text(st, 2);

		opex_array_grow((void **)&docs, &cap, n + 1, sizeof(*docs));
		docs[n].id = sqlite3_column_int64(st, 0);
		docs[n].path = column_dup(st, 1);
		snprintf(docs[n].blob, sizeof(docs[n].blob), "%s", blob ? blob : "");
		docs[n].stemmed = sqlite3_column_int(st, 3) != 0;
		n++;
	}
	if (rc != SQLITE_DONE)
		error = db_error(ix, err, "read");
done:
	finish(ix, st);
	*out = docs;
	*count = n;
	return error;
}

static int cmp_blob(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Count removed blobs that reappear among the added ones: renames. */
static size_t count_renames(const char **removed, size_t nr,
	const char **added, size_t na)
{
	size_t i = 0, j = 0, n = 0;

	if (nr == 0 || na == 0)
		return 0;
	qsort(removed, nr, sizeof(*removed), cmp_blob);
	qsort(added, na, sizeof(*added), cmp_blob);
	while (i < nr && j < na) {
		int c = strcmp(removed[i], added[j]);

		if (c == 0) {
			n++;
			i++;
			j++;
		} else if (c < 0) {
			i++;
		} else {
			j++;
		}
	}
	return n;
}

static int refresh_staleness(opex_kb_index *ix, const opex_kb_handbook *hb,
	opex_error *err)
{
	const opex_kb_settings *settings = opex_kb_handbook_settings(hb);
	bool known = opex_kb_history_known(opex_kb_handbook_history(hb));
	sqlite3_stmt *st = NULL;
	size_t i, n = opex_kb_handbook_article_count(hb);
	int error = prepare(&st, ix,
		"UPDATE doc SET stale_after = ? WHERE path = ?", err);

	for (i = 0; i < n && error == 0; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);

		sqlite3_bind_int64(st, 1, stale_after(a, settings, known));
		sqlite3_bind_text(st, 2, a->path, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			error = db_error(ix, err, "update");
		sqlite3_reset(st);
	}
	finish(ix, st);
	return error;
}

int opex_kb_index_plan(opex_kb_index *ix, const opex_kb_repo *repo,
	bool rebuild, opex_error *err)
{
	opex_buf rev = OPEX_BUF_INIT(64), ctx = OPEX_BUF_INIT(256),
		new_ctx = OPEX_BUF_INIT(256);
	bool in_txn = false;
	int error;

	plan_release(ix);
	error = exec(ix, "BEGIN", "read", err);
	if (error < 0)
		goto done;
	in_txn = true;
	error = check_schema(ix, err);
	if (error == 0 && ix->schema_ok && !rebuild)
		error = meta_get(&rev, ix, "revision", err);
	if (error == 0 && ix->schema_ok && !rebuild)
		error = meta_get(&ctx, ix, "context", err);
	if (error < 0)
		goto done;
	context_of(&new_ctx, repo, false);
	ix->plan_all = !ix->schema_ok || rebuild || rev.len != 40 ||
		strcmp(ctx.ptr, new_ctx.ptr) != 0;
	if (!ix->plan_all) {
		snprintf(ix->plan_rev, sizeof(ix->plan_rev), "%s", rev.ptr);
		error = load_old(&ix->plan, &ix->plan_count, ix, err);
		if (error < 0)
			goto done;
	}
	ix->planned = true;
done:
	if (in_txn)
		sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
	if (error < 0)
		plan_release(ix);
	opex_buf_release(&rev);
	opex_buf_release(&ctx);
	opex_buf_release(&new_ctx);
	return error;
}

bool opex_kb_index_wants(const char *path, const char *oid, void *payload)
{
	opex_kb_index *ix = payload;
	size_t lo, hi;

	if (ix == NULL || !ix->planned || ix->plan_all)
		return true;
	/* The handbook asks in tree order: walk a cursor, else search. */
	while (ix->plan_cursor < ix->plan_count &&
	       strcmp(ix->plan[ix->plan_cursor].path, path) < 0)
		ix->plan_cursor++;
	if (ix->plan_cursor < ix->plan_count &&
	    strcmp(ix->plan[ix->plan_cursor].path, path) == 0)
		return strcmp(ix->plan[ix->plan_cursor].blob, oid) != 0;
	lo = 0;
	hi = ix->plan_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix->plan[mid].path, path);

		if (c == 0)
			return strcmp(ix->plan[mid].blob, oid) != 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return true;
}

int opex_kb_index_update(opex_kb_index_stats *out, opex_kb_index *ix,
	const opex_kb_handbook *hb, const opex_kb_index_update_options *opts,
	opex_error *err)
{
	opex_kb_index_update_options defaults = OPEX_KB_INDEX_UPDATE_OPTIONS_INIT;
	const opex_kb_repo *repo = opex_kb_handbook_repo(hb);
	const opex_kb_settings *settings = opex_kb_handbook_settings(hb);
	opex_kb_index_stats stats;
	opex_buf rev = OPEX_BUF_INIT(64), ctx = OPEX_BUF_INIT(256),
		new_ctx = OPEX_BUF_INIT(256);
	old_doc *old = NULL;
	size_t old_count = 0, i = 0, j = 0, k;
	size_t entry_count = opex_kb_repo_count(repo);
	const opex_kb_article **to_add = NULL;
	const char **add_blobs = NULL, **removed_blobs = NULL;
	size_t add_count = 0, removed_count = 0;
	double start = now_ms();
	bool in_txn = false;
	writer w;
	int error;

	memset(&stats, 0, sizeof(stats));
	memset(&w, 0, sizeof(w));
	if (opts == NULL)
		opts = &defaults;
	error = exec(ix, "BEGIN IMMEDIATE", "update", err);
	if (error < 0)
		goto done;
	in_txn = true;
	error = check_schema(ix, err);
	if (error < 0)
		goto done;
	if (opts->rebuild || !ix->schema_ok) {
		error = exec(ix, drop_sql, "rebuild", err);
		if (error == 0)
			error = exec(ix, schema_sql, "rebuild", err);
		if (error < 0)
			goto done;
		ix->schema_ok = true;
		stats.rebuilt = true;
	}
	error = meta_get(&rev, ix, "revision", err);
	if (error == 0)
		error = meta_get(&ctx, ix, "context", err);
	if (error < 0)
		goto done;
	if (rev.len == 0)
		stats.rebuilt = true;
	snprintf(stats.from, sizeof(stats.from), "%s", rev.ptr);
	snprintf(stats.to, sizeof(stats.to), "%s", opex_kb_repo_commit(repo));
	context_of(&new_ctx, repo, handbook_incomplete(hb));
	if (ix->planned && !ix->plan_all && strcmp(rev.ptr, ix->plan_rev) != 0) {
		/* Another process moved the index since the plan. */
		if (strcmp(rev.ptr, stats.to) == 0 && !opts->rebuild) {
			snprintf(stats.from, sizeof(stats.from), "%s", stats.to);
			if (out)
				*out = stats;
			goto done;
		}
		error = opex_error_set(err, OPEX_EEXISTS,
			"index '%s' changed during the update: try again", ix->path);
		goto done;
	}

	if (stats.rebuilt) {
		/* A full build merges FTS5 segments it has just written: keep them in memory. */
		error = exec(ix, "PRAGMA cache_size = -262144", "rebuild", err);
		if (error == 0)
			error = exec(ix, drop_filter_index_sql, "rebuild", err);
		if (error < 0)
			goto done;
	}
	error = load_old(&old, &old_count, ix, err);
	if (error < 0)
		goto done;
	error = writer_init(&w, ix, err);
	if (error < 0)
		goto done;
	w.history_known = opex_kb_history_known(opex_kb_handbook_history(hb));
	to_add = opex_calloc(entry_count + 1, sizeof(*to_add));
	add_blobs = opex_calloc(entry_count + 1, sizeof(*add_blobs));
	removed_blobs = opex_calloc(old_count + 1, sizeof(*removed_blobs));

	/*
	 * Merge the indexed paths with the tree's articles, both in path
	 * order. The handbook need only hold the new and changed articles;
	 * one missing there could not be read and is not indexed.
	 */
	while (i < old_count || j < entry_count) {
		const opex_kb_entry *e = j < entry_count
			? opex_kb_repo_entry(repo, j) : NULL;
		const opex_kb_article *a;
		int c;

		if (e && !is_article(e)) {
			j++;
			continue;
		}
		c = i >= old_count ? 1 : e == NULL ? -1
			: strcmp(old[i].path, e->path);
		if (c < 0) {
			removed_blobs[removed_count++] = old[i].blob;
			error = remove_doc(&w, old[i].id, old[i].stemmed, err);
			i++;
		} else if (c > 0) {
			a = opex_kb_handbook_find(hb, e->path);
			if (a) {
				add_blobs[add_count] = e->oid;
				to_add[add_count++] = a;
			}
			j++;
		} else if (strcmp(old[i].blob, e->oid) != 0) {
			a = opex_kb_handbook_find(hb, e->path);
			error = remove_doc(&w, old[i].id, old[i].stemmed, err);
			if (a) {
				stats.changed++;
				to_add[add_count++] = a;
			} else {
				removed_blobs[removed_count++] = old[i].blob;
			}
			i++;
			j++;
		} else {
			stats.unchanged++;
			i++;
			j++;
		}
		if (error < 0)
			goto done;
	}
	stats.added = 0;
	for (k = 0; k < add_count; k++) {
		const opex_kb_entry *e = opex_kb_repo_find(repo, to_add[k]->path);

		if (e == NULL)
			OPEX_BUG("an article of the handbook is not in its tree");
		error = add_doc(&w, to_add[k], e->oid, settings, err);
		if (error < 0)
			goto done;
		if (opts->progress && (k % 64 == 63 || k + 1 == add_count))
			opts->progress(k + 1, add_count, opts->payload);
	}
	{
		size_t plain_added = 0;

		for (k = 0; k < add_count; k++)
			if (add_blobs[k] != NULL)
				add_blobs[plain_added++] = add_blobs[k];
		stats.renamed = count_renames(removed_blobs, removed_count,
			add_blobs, plain_added);
		stats.added = plain_added - stats.renamed;
		stats.removed = removed_count - stats.renamed;
	}
	if (strcmp(ctx.ptr, new_ctx.ptr) != 0 && !stats.rebuilt &&
	    stats.unchanged > 0) {
		error = refresh_staleness(ix, hb, err);
		if (error < 0)
			goto done;
	}
	if (stats.rebuilt) {
		error = exec(ix, filter_index_sql, "rebuild", err);
		if (error < 0)
			goto done;
	}
	error = meta_set(ix, "revision", opex_kb_repo_commit(repo), err);
	if (error == 0)
		error = meta_set(ix, "context", new_ctx.ptr, err);
	if (error < 0)
		goto done;
	writer_release(&w);
	memset(&w, 0, sizeof(w));
	error = exec(ix, "COMMIT", "update", err);
	if (error < 0)
		goto done;
	in_txn = false;
	stats.articles = stats.unchanged + add_count;
	stats.ms = now_ms() - start;
	if (out)
		*out = stats;
done:
	if (in_txn)
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
	if (stats.rebuilt)
		sqlite3_exec(ix->db, "PRAGMA cache_size = -32768", NULL, NULL, NULL);
	plan_release(ix);
	writer_release(&w);
	free_docs(old, old_count);
	opex_free(to_add);
	opex_free(add_blobs);
	opex_free(removed_blobs);
	opex_buf_release(&rev);
	opex_buf_release(&ctx);
	opex_buf_release(&new_ctx);
	return error;
}

/* ---------------------------------------------------------------------
 * Search
 * ------------------------------------------------------------------- */

/* The SQL conditions on `d` (doc) for the query's filters, with parameters. */
typedef struct sql_params {
	const char *text[OPEX_LIMIT_QUERY_FILTERS * 3 + OPEX_KB_AUDIENCE_MAX_TEAMS];
	size_t count;
} sql_params;

static void param(opex_buf *sql, sql_params *p, const char *value)
{
	p->text[p->count++] = value;
	opex_buf_printf(sql, "?%zu", p->count + 3);
}

/* Filters: the same key OR-ed, different keys AND-ed. */
static void filter_sql(opex_buf *sql, sql_params *p, const opex_kb_query *q)
{
	opex_kb_qfilter_kind kind;
	size_t i;

	for (kind = OPEX_KB_QFILTER_LANG; kind <= OPEX_KB_QFILTER_STALE; kind++) {
		size_t n = 0;

		for (i = 0; i < q->filter_count; i++) {
			const opex_kb_qfilter *f = &q->filters[i];

			if (f->kind != kind)
				continue;
			opex_buf_puts(sql, n++ == 0 ? " AND (" : " OR ");
			if (f->negated)
				opex_buf_puts(sql, "NOT ");
			switch (kind) {
			case OPEX_KB_QFILTER_LANG:
				opex_buf_puts(sql, "(d.language = ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " COLLATE NOCASE OR (d.language >= ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " || '-' COLLATE NOCASE AND d.language < ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " || '.' COLLATE NOCASE))");
				break;
			case OPEX_KB_QFILTER_JOURNEY:
				opex_buf_puts(sql, "coalesce(d.journey = ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " COLLATE NOCASE, 0)");
				break;
			case OPEX_KB_QFILTER_OWNER:
				opex_buf_puts(sql, "coalesce(d.owner = ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " COLLATE NOCASE, 0)");
				break;
			case OPEX_KB_QFILTER_MARKET:
				opex_buf_puts(sql, "EXISTS (SELECT 1 FROM doc_market m"
					" WHERE m.market = ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " AND m.doc = d.id)");
				break;
			case OPEX_KB_QFILTER_TAG:
				opex_buf_puts(sql, "EXISTS (SELECT 1 FROM doc_tag t"
					" WHERE t.tag = ");
				param(sql, p, f->value);
				opex_buf_puts(sql, " AND t.doc = d.id)");
				break;
			case OPEX_KB_QFILTER_STALE:
				opex_buf_puts(sql, "d.stale_after < ?3");
				break;
			}
		}
		if (n > 0)
			opex_buf_putc(sql, ')');
	}
}

/*
 * The audience's condition on `d` (doc): what the reader may see (see the
 * top of this file). Teams past OPEX_KB_AUDIENCE_MAX_TEAMS are not
 * counted: the reader sees less, never more.
 */
static void audience_sql(opex_buf *sql, sql_params *p,
	const opex_kb_search_options *o)
{
	size_t i, n = o->team_count < OPEX_KB_AUDIENCE_MAX_TEAMS
		? o->team_count : OPEX_KB_AUDIENCE_MAX_TEAMS;

	switch (o->audience) {
	case OPEX_KB_AUDIENCE_ALL:
		return;
	case OPEX_KB_AUDIENCE_PUBLIC:
		opex_buf_puts(sql, " AND d.visibility = 2");
		return;
	case OPEX_KB_AUDIENCE_PARTNER:
		opex_buf_puts(sql, " AND (d.visibility = 2 OR (d.visibility = 1"
			" AND NOT EXISTS (SELECT 1 FROM doc_team dt WHERE dt.doc = d.id)))");
		return;
	case OPEX_KB_AUDIENCE_MEMBER:
		opex_buf_puts(sql, " AND (d.visibility = 2 OR NOT EXISTS"
			" (SELECT 1 FROM doc_team dt WHERE dt.doc = d.id)");
		if (n > 0) {
			opex_buf_puts(sql, " OR EXISTS (SELECT 1 FROM doc_team dt"
				" WHERE dt.doc = d.id AND dt.team IN (");
			for (i = 0; i < n; i++) {
				if (i > 0)
					opex_buf_puts(sql, ", ");
				param(sql, p, o->teams[i]);
			}
			opex_buf_puts(sql, "))");
		}
		opex_buf_putc(sql, ')');
		return;
	}
	/* An audience this file does not know sees nothing. */
	opex_buf_puts(sql, " AND 0");
}

/*
 * The matching articles as `hits(id, score)`. Parameters: ?1 the MATCH
 * expression of the positive part, ?2 that of the excluded part, ?3 now.
 */
static void hits_sql(opex_buf *sql, const opex_kb_query *q, bool scored)
{
	if (opex_kb_query_has_positive(q)) {
		if (scored)
			opex_buf_puts(sql, "WITH hits(id, score) AS ("
				"SELECT rowid, bm25(fts, " BM25_WEIGHTS ") FROM fts"
				" WHERE fts MATCH ?1 UNION ALL "
				"SELECT rowid, bm25(fts_en, " BM25_WEIGHTS ") FROM fts_en"
				" WHERE fts_en MATCH ?1) ");
		else
			opex_buf_puts(sql, "WITH hits(id, score) AS ("
				"SELECT rowid, 0 FROM fts WHERE fts MATCH ?1 UNION ALL "
				"SELECT rowid, 0 FROM fts_en WHERE fts_en MATCH ?1) ");
	} else if (q->clause_count > 0) {
		opex_buf_puts(sql, "WITH hits(id, score) AS (SELECT id, 0 FROM doc"
			" WHERE id NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?2"
			" UNION ALL SELECT rowid FROM fts_en WHERE fts_en MATCH ?2)) ");
	} else {
		opex_buf_puts(sql, "WITH hits(id, score) AS (SELECT id, 0 FROM doc) ");
	}
}

typedef struct search_ctx {
	opex_kb_index *ix;
	const opex_kb_query *q;
	opex_buf match, excluded;
	sql_params params;
	opex_buf filters;
	int64_t now;
	/* The audience alone, for the words "did you mean" may use. */
	sql_params audience_params;
	opex_buf audience;
} search_ctx;

static int prepare_search(sqlite3_stmt **out, search_ctx *s, const char *sql,
	opex_error *err)
{
	size_t i;
	int error = prepare(out, s->ix, sql, err);

	if (error < 0)
		return error;
	if (sqlite3_bind_parameter_count(*out) >= 1)
		bind_buf(*out, 1, &s->match);
	if (sqlite3_bind_parameter_count(*out) >= 2)
		bind_buf(*out, 2, &s->excluded);
	if (sqlite3_bind_parameter_count(*out) >= 3)
		sqlite3_bind_int64(*out, 3, s->now);
	for (i = 0; i < s->params.count; i++)
		bind_text(*out, (int)i + 4, s->params.text[i]);
	return 0;
}

static int count_total(size_t *out, search_ctx *s, opex_error *err)
{
	opex_buf sql = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	sqlite3_stmt *st = NULL;
	int error;

	*out = 0;
	hits_sql(&sql, s->q, false);
	if (s->filters.len == 0)
		opex_buf_puts(&sql, "SELECT count(*) FROM hits");
	else
		opex_buf_printf(&sql, "SELECT count(*) FROM hits h"
			" JOIN doc d ON d.id = h.id WHERE 1%s", s->filters.ptr);
	error = prepare_search(&st, s, sql.ptr, err);
	if (error < 0)
		goto done;
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = (size_t)sqlite3_column_int64(st, 0);
	else
		error = db_error(s->ix, err, "search");
done:
	finish(s->ix, st);
	opex_buf_release(&sql);
	return error;
}

static int facet(opex_kb_facet **out, size_t *count, search_ctx *s,
	const char *column, const char *join, opex_error *err)
{
	opex_buf sql = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int error, rc;

	hits_sql(&sql, s->q, false);
	opex_buf_printf(&sql, "SELECT %s AS v, count(*) AS n FROM hits h"
		" JOIN doc d ON d.id = h.id %s WHERE v IS NOT NULL%s"
		" GROUP BY v ORDER BY n DESC, v LIMIT 100",
		column, join, s->filters.ptr);
	error = prepare_search(&st, s, sql.ptr, err);
	if (error < 0)
		goto done;
	for (;;) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		opex_array_grow((void **)out, &cap, *count + 1, sizeof(**out));
		(*out)[*count].value = column_dup(st, 0);
		(*out)[*count].count = (size_t)sqlite3_column_int64(st, 1);
		(*count)++;
	}
	if (rc != SQLITE_DONE)
		error = db_error(s->ix, err, "search");
done:
	finish(s->ix, st);
	opex_buf_release(&sql);
	return error;
}

/* Matches in the highlighted body, as byte ranges of the unmarked text. */
typedef struct match_range {
	size_t start, end;
} match_range;

/* Is s[i..] a U+200B, the CJK separator we inserted? */
static bool is_zwsp(const char *s, size_t len, size_t i)
{
	return i + 2 < len && s[i] == '\xE2' && s[i + 1] == '\x80' &&
	       s[i + 2] == '\x8B';
}

static void put_escaped(opex_buf *out, const opex_kb_search_options *o,
	const char *s, size_t len)
{
	opex_buf clean = OPEX_BUF_INIT(OPEX_LIMIT_SNIPPET_BYTES);
	size_t i;

	for (i = 0; i < len; i++) {
		if (is_zwsp(s, len, i)) {
			i += 2;
			continue;
		}
		if (s[i] == '\n' || s[i] == '\t') {
			if (clean.len == 0 || clean.ptr[clean.len - 1] != ' ')
				opex_buf_putc(&clean, ' ');
			continue;
		}
		opex_buf_putc(&clean, s[i]);
	}
	if (o->escape)
		o->escape(out, clean.ptr, clean.len);
	else
		opex_buf_put(out, clean.ptr, clean.len);
	opex_buf_release(&clean);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\n' || c == '\t';
}

/*
 * Build the snippet from the body (markers removed into `ranges`): a
 * window of about `tokens` words around the first match of the section
 * with the most matches, kept inside that section.
 */
static void make_snippet(opex_buf *out, size_t *best_section,
	const char *text, size_t len, const match_range *ranges, size_t nr,
	const size_t *offsets, size_t nsec, const opex_kb_search_options *o)
{
	size_t tokens = o->snippet_tokens ? o->snippet_tokens : 24;
	size_t max_bytes = tokens * 16;
	size_t best = 0, best_hits = 0, sec, r, first = 0, from, to, words;
	size_t sec_start = 0, sec_end = len;
	bool found = false;

	for (sec = 0; sec < nsec; sec++) {
		size_t a = offsets[sec], b = sec + 1 < nsec ? offsets[sec + 1] : len;
		size_t hits = 0;

		for (r = 0; r < nr; r++)
			if (ranges[r].start >= a && ranges[r].start < b)
				hits++;
		if (hits > best_hits) {
			best_hits = hits;
			best = sec;
		}
	}
	if (nsec > 0) {
		sec_start = offsets[best];
		sec_end = best + 1 < nsec ? offsets[best + 1] : len;
	}
	*best_section = best_hits > 0 ? best : (size_t)-1;
	for (r = 0; r < nr; r++) {
		if (ranges[r].start >= sec_start && ranges[r].start < sec_end) {
			first = ranges[r].start;
			found = true;
			break;
		}
	}
	if (!found) {
		sec_start = 0;
		sec_end = len;
		first = 0;
	}
	/* Back up a quarter of the words, staying in the section. */
	from = first;
	words = 0;
	while (from > sec_start && words <= tokens / 4 && first - from < max_bytes / 4) {
		from--;
		if (is_ws(text[from]) && from + 1 < len && !is_ws(text[from + 1]))
			words++;
	}
	while (from > sec_start && from < len && (text[from] & 0xC0) == 0x80)
		from--;
	while (from < first && is_ws(text[from]))
		from++;
	if (words > tokens / 4)
		while (from < first && !is_ws(text[from]))
			from++;
	while (from < first && is_ws(text[from]))
		from++;
	/* Forward to the word budget or the section's end. */
	to = from;
	words = 0;
	while (to < sec_end && words < tokens && to - from < max_bytes) {
		if (!is_ws(text[to]) && (to == from || is_ws(text[to - 1])))
			words++;
		to++;
	}
	while (to < sec_end && (text[to] & 0xC0) == 0x80)
		to++;
	while (to < sec_end && !is_ws(text[to]) && to - from < max_bytes + 64)
		to++;
	while (to < sec_end && (text[to] & 0xC0) == 0x80)
		to++;
	while (to > from && is_ws(text[to - 1]))
		to--;

	if (from > sec_start)
		opex_buf_puts(out, "\xE2\x80\xA6 ");
	{
		size_t pos = from;

		for (r = 0; r < nr && pos < to; r++) {
			size_t a = ranges[r].start, b = ranges[r].end;

			if (b <= pos || a >= to)
				continue;
			if (a < pos)
				a = pos;
			if (b > to)
				b = to;
			put_escaped(out, o, text + pos, a - pos);
			opex_buf_puts(out, o->mark_open ? o->mark_open : "");
			put_escaped(out, o, text + a, b - a);
			opex_buf_puts(out, o->mark_close ? o->mark_close : "");
			pos = b;
		}
		if (pos < to)
			put_escaped(out, o, text + pos, to - pos);
	}
	for (r = to; r < sec_end && is_ws(text[r]); r++)
		;
	if (r < sec_end)
		opex_buf_puts(out, " \xE2\x80\xA6");
}

/* Snippet and section heading of one shown hit. */
static int fill_hit(opex_kb_search_hit *hit, search_ctx *s, sqlite3_int64 id,
	bool stemmed, const opex_kb_search_options *o, opex_error *err)
{
	opex_buf sql = OPEX_BUF_INIT(512), text = OPEX_BUF_INIT(8 * OPEX_LIMIT_FILE_BYTES),
		snip = OPEX_BUF_INIT(OPEX_LIMIT_SNIPPET_BYTES);
	sqlite3_stmt *st = NULL;
	match_range *ranges = NULL;
	size_t nr = 0, cap = 0, *offsets = NULL, nsec = 0, seccap = 0, best;
	char **headings = NULL;
	const char *table = stemmed ? "fts_en" : "fts";
	const unsigned char *h;
	int error, rc;

	if (opex_kb_query_has_positive(s->q))
		opex_buf_printf(&sql, "SELECT highlight(%s, 4, char(1), char(2)) FROM %s"
			" WHERE %s MATCH ?1 AND rowid = ?4", table, table, table);
	else
		opex_buf_printf(&sql, "SELECT body FROM %s WHERE rowid = ?4", table);
	error = prepare(&st, s->ix, sql.ptr, err);
	if (error < 0)
		goto done;
	if (opex_kb_query_has_positive(s->q))
		bind_buf(st, 1, &s->match);
	sqlite3_bind_int64(st, 4, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		error = db_error(s->ix, err, "search");
		goto done;
	}
	h = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	if (h) {
		const char *p = (const char *)h;

		for (; *p; p++) {
			if (*p == MARK_OPEN) {
				opex_array_grow((void **)&ranges, &cap, nr + 1,
					sizeof(*ranges));
				ranges[nr].start = ranges[nr].end = text.len;
				nr++;
			} else if (*p == MARK_CLOSE) {
				if (nr > 0)
					ranges[nr - 1].end = text.len;
			} else {
				opex_buf_putc(&text, *p);
			}
		}
	}
	finish(s->ix, st);
	st = NULL;
	error = prepare(&st, s->ix, "SELECT sections FROM doc WHERE id = ?", err);
	if (error < 0)
		goto done;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		error = db_error(s->ix, err, "search");
		goto done;
	}
	h = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	while (h && *h) {
		const char *line = (const char *)h, *end = strchr(line, '\n');
		size_t need = nsec + 1, c2 = seccap, off = 0;

		if (end == NULL)
			end = line + strlen(line);
		while (line < end && *line >= '0' && *line <= '9')
			off = off * 10 + (size_t)(*line++ - '0');
		if (line < end && *line == ' ')
			line++;
		opex_array_grow((void **)&offsets, &seccap, need, sizeof(*offsets));
		opex_array_grow((void **)&headings, &c2, need, sizeof(*headings));
		offsets[nsec] = off;
		headings[nsec] = line < end
			? opex_strndup(line, (size_t)(end - line)) : NULL;
		nsec++;
		h = (const unsigned char *)(*end ? end + 1 : end);
	}
	make_snippet(&snip, &best, text.ptr, text.len, ranges, nr, offsets,
		nsec, o);
	if (best != (size_t)-1 && best < nsec && headings[best]) {
		hit->section = headings[best];
		headings[best] = NULL;
	}
	if (snip.failed)
		opex_buf_truncate(&snip, 0);
	hit->snippet = opex_buf_detach(&snip, NULL);
done:
	finish(s->ix, st);
	for (size_t i = 0; i < nsec; i++)
		opex_free(headings[i]);
	opex_free(headings);
	opex_free(offsets);
	opex_free(ranges);
	opex_buf_release(&sql);
	opex_buf_release(&text);
	opex_buf_release(&snip);
	return error;
}

/* ----- "did you mean" ------------------------------------------------- */

static bool term_matches(search_ctx *s, const char *term, opex_error *err,
	int *error)
{
	opex_buf m = OPEX_BUF_INIT(4 * OPEX_LIMIT_QUERY_BYTES);
	opex_buf sql = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	sqlite3_stmt *st = NULL;
	bool found = false;
	size_t i;

	opex_buf_putc(&m, '"');
	for (i = 0; term[i]; i++) {
		if (term[i] == '"')
			opex_buf_putc(&m, '"');
		opex_buf_putc(&m, term[i]);
	}
	opex_buf_putc(&m, '"');
	if (s->audience.len == 0) {
		*error = prepare(&st, s->ix, "SELECT 1 FROM fts WHERE fts MATCH ?1"
			" UNION ALL SELECT 1 FROM fts_en WHERE fts_en MATCH ?1 LIMIT 1",
			err);
	} else {
		/* Only what the audience may see: a word of a hidden article is no word. */
		opex_buf_printf(&sql, "SELECT 1 FROM (SELECT rowid AS id FROM fts"
			" WHERE fts MATCH ?1 UNION ALL SELECT rowid FROM fts_en"
			" WHERE fts_en MATCH ?1) h JOIN doc d ON d.id = h.id"
			" WHERE 1%s LIMIT 1", s->audience.ptr);
		*error = sql.failed ? opex_error_set(err, OPEX_ETOOBIG,
			"query is too large") : prepare(&st, s->ix, sql.ptr, err);
	}
	if (*error == 0) {
		bind_buf(st, 1, &m);
		for (i = 0; i < s->audience_params.count; i++)
			bind_text(st, (int)i + 4, s->audience_params.text[i]);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	finish(s->ix, st);
	opex_buf_release(&sql);
	opex_buf_release(&m);
	return found;
}

/*
 * English articles are indexed by stem ("timelines" as "timelin"): turn a
 * stem back into a word as written, the first match of it in an article.
 */
static char *surface_form(search_ctx *s, const char *stem, const char *typed,
	opex_error *err, int *error)
{
	size_t best_d = 9;
	opex_buf m = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	sqlite3_stmt *st = NULL;
	char *word = NULL;
	const char *h, *a, *b;

	opex_buf_printf(&m, "\"%s\"", stem);
	*error = prepare(&st, s->ix, "SELECT highlight(fts_en, 0, char(1), char(2))"
		" || highlight(fts_en, 1, char(1), char(2))"
		" || highlight(fts_en, 2, char(1), char(2))"
		" || highlight(fts_en, 4, char(1), char(2))"
		" FROM fts_en WHERE fts_en MATCH ?1 LIMIT 1", err);
	if (*error < 0 || m.failed || strchr(stem, '"'))
		goto done;
	bind_buf(st, 1, &m);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto done;
	h = (const char *)sqlite3_column_text(st, 0);
	/* Of the forms written, the one closest to what was typed. */
	for (a = h ? strchr(h, MARK_OPEN) : NULL; a != NULL;
	     a = strchr(b, MARK_OPEN)) {
		size_t len, d;

		b = strchr(a, MARK_CLOSE);
		if (b == NULL)
			break;
		len = (size_t)(b - a - 1);
		d = opex_text_edit_distance(typed, strlen(typed), a + 1, len, 8);
		if (len > 0 && d < best_d) {
			opex_free(word);
			word = opex_strndup(a + 1, len);
			lower_ascii(word);
			best_d = d;
		}
	}
done:
	finish(s->ix, st);
	opex_buf_release(&m);
	return word;
}

/* Length of `s` without a common English suffix (s, es, ed, ing, ly). */
static size_t english_suffix(const char *s, size_t n)
{
	static const char *const suffixes[] = { "ing", "es", "ed", "ly", "s" };
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t k = strlen(suffixes[i]);

		if (n > k + 2 && memcmp(s + n - k, suffixes[i], k) == 0)
			return n - k;
	}
	return n;
}

/*
 * The range [lo, hi) of terms starting with the first character of `low`
 * (n > 0 bytes): `lead` bytes of it, the last one plus one in `hi`.
 * Returns false for a first byte that no valid UTF-8 starts with.
 */
static bool first_char_range(char lo[5], char hi[5], const char *low,
	size_t n)
{
	unsigned char c = (unsigned char)low[0];
	size_t lead = c < 0x80 ? 1 : c < 0xC0 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3
		: c < 0xF8 ? 4 : 0;

	if (lead == 0 || lead > n)
		return false;
	memcpy(lo, low, lead);
	lo[lead] = '\0';
	memcpy(hi, lo, lead + 1);
	/* The last byte is ASCII or a continuation byte: +1 cannot wrap. */
	hi[lead - 1] = (char)((unsigned char)hi[lead - 1] + 1);
	return true;
}

/*
 * The closest vocabulary word to `term`, or NULL. Only words with the same
 * first character are compared, and at most SUGGEST_SCAN_MAX of them per
 * table: fts5vocab walks just that range of the index, not all of it.
 */
static char *closest_word(search_ctx *s, const char *term, opex_error *err,
	int *error)
{
	sqlite3_stmt *st = NULL;
	char *low = opex_strdup(term), *best = NULL, lo[5], hi[5];
	size_t n = strlen(low), max = n <= 4 ? 1 : 2, best_d = max + 1;
	sqlite3_int64 best_docs = 0;
	bool best_stemmed = false;
	size_t stripped;
	int rc;

	lower_ascii(low);
	stripped = english_suffix(low, n);
	if (n == 0 || !first_char_range(lo, hi, low, n))
		goto done;
	*error = prepare(&st, s->ix,
		"SELECT term, doc, 0 FROM (SELECT term, doc FROM fts_vocab"
		" WHERE term >= ?1 AND term < ?2 LIMIT ?3)"
		" UNION ALL SELECT term, doc, 1 FROM (SELECT term, doc FROM fts_en_vocab"
		" WHERE term >= ?1 AND term < ?2 LIMIT ?3)", err);
	if (*error < 0)
		goto done;
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, SUGGEST_SCAN_MAX);
	for (;;) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		const char *cand = (const char *)sqlite3_column_text(st, 0);
		size_t clen = (size_t)sqlite3_column_bytes(st, 0), d;
		sqlite3_int64 docs = sqlite3_column_int64(st, 1);

		/* As long as the word typed, give or take `max` bytes. */
		if (cand == NULL || clen < 2 || clen + max < n || clen > n + max)
			continue;
		d = opex_text_edit_distance(low, n, cand, clen, max);
		if (sqlite3_column_int(st, 2) != 0 && stripped < n) {
			/* A stem lost its suffix: compare the term without one too. */
			size_t d2 = opex_text_edit_distance(low, stripped, cand, clen,
				max);

			if (d2 < d)
				d = d2;
		}
		if (d == 0 || d > max)
			continue;
		if (d < best_d || (d == best_d && docs > best_docs)) {
			opex_free(best);
			best = opex_strndup(cand, clen);
			best_d = d;
			best_docs = docs;
			best_stemmed = sqlite3_column_int(st, 2) != 0;
		}
	}
	if (rc != SQLITE_DONE)
		*error = db_error(s->ix, err, "search");
	if (*error == 0 && best && best_stemmed) {
		char *word = surface_form(s, best, low, err, error);

		if (word) {
			opex_free(best);
			best = word;
		}
	}
done:
	finish(s->ix, st);
	opex_free(low);
	return best;
}

static void put_query_term(opex_buf *out, const opex_kb_qterm *t,
	const char *text)
{
	if (t->phrase)
		opex_buf_printf(out, "\"%s\"", text);
	else
		opex_buf_puts(out, text);
	if (t->prefix)
		opex_buf_putc(out, '*');
}

static int suggest(char **out, search_ctx *s, opex_error *err)
{
	static const char *const keys[] = { "lang", "journey", "market", "owner",
		"tag", "is" };
	opex_buf q = OPEX_BUF_INIT(4 * OPEX_LIMIT_QUERY_BYTES);
	size_t i, j, fixed = 0;
	int error = 0;

	*out = NULL;
	for (i = 0; i < s->q->clause_count && error == 0; i++) {
		const opex_kb_qclause *c = &s->q->clauses[i];

		if (q.len > 0)
			opex_buf_putc(&q, ' ');
		if (c->negated)
			opex_buf_putc(&q, '-');
		for (j = 0; j < c->count && error == 0; j++) {
			const opex_kb_qterm *t = &c->terms[j];
			char *better = NULL;

			if (j > 0)
				opex_buf_puts(&q, " OR ");
			if (!c->negated && !t->phrase && !t->prefix &&
			    !opex_kb_text_has_cjk(t->text, strlen(t->text)) &&
			    !term_matches(s, t->text, err, &error) && error == 0)
				better = closest_word(s, t->text, err, &error);
			/* The vocabulary is every article's: keep a word the audience can find. */
			if (better != NULL && error == 0 && s->audience.len > 0 &&
			    !term_matches(s, better, err, &error)) {
				opex_free(better);
				better = NULL;
			}
			put_query_term(&q, t, better ? better : t->text);
			if (better)
				fixed++;
			opex_free(better);
		}
	}
	for (i = 0; i < s->q->filter_count; i++) {
		const opex_kb_qfilter *f = &s->q->filters[i];

		opex_buf_printf(&q, "%s%s%s:%s", q.len ? " " : "",
			f->negated ? "-" : "", keys[f->kind],
			f->value ? f->value : "stale");
	}
	if (error == 0 && fixed > 0 && !q.failed)
		*out = opex_buf_detach(&q, NULL);
	opex_buf_release(&q);
	return error;
}

int opex_kb_search(opex_kb_search_result *out, opex_kb_index *ix,
	const opex_kb_query *q, const opex_kb_search_options *opts,
	opex_error *err)
{
	opex_kb_search_options defaults = OPEX_KB_SEARCH_OPTIONS_INIT;
	search_ctx s;
	opex_buf sql = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES), rev = OPEX_BUF_INIT(64);
	sqlite3_stmt *st = NULL;
	sqlite3_int64 *ids = NULL;
	bool *stemmed = NULL, in_txn = false, fast;
	size_t cap = 0, limit, k;
	double start = now_ms();
	int error, rc;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	opex_buf_init(&s.match, 8 * OPEX_LIMIT_QUERY_BYTES);
	opex_buf_init(&s.excluded, 8 * OPEX_LIMIT_QUERY_BYTES);
	opex_buf_init(&s.filters, OPEX_LIMIT_LINE_BYTES);
	opex_buf_init(&s.audience, OPEX_LIMIT_LINE_BYTES);
	if (opts == NULL)
		opts = &defaults;
	s.ix = ix;
	s.q = q;
	s.now = opts->now ? opts->now : (int64_t)time(NULL);
	limit = opts->limit > OPEX_LIMIT_SEARCH_PAGE ? OPEX_LIMIT_SEARCH_PAGE
		: opts->limit;
	if (!ix->schema_ok) {
		error = opex_error_set(err, OPEX_EINVALID,
			"index '%s' was built by another version: rebuild it", ix->path);
		goto done;
	}
	opex_kb_query_match(&s.match, q);
	opex_kb_query_match_excluded(&s.excluded, q);
	filter_sql(&s.filters, &s.params, q);
	audience_sql(&s.filters, &s.params, opts);
	audience_sql(&s.audience, &s.audience_params, opts);
	if (s.match.failed || s.excluded.failed || s.filters.failed ||
	    s.audience.failed) {
		error = opex_error_set(err, OPEX_ETOOBIG, "query is too large");
		goto done;
	}
	/*
	 * Without filters, ranking needs no join: joining every match to doc
	 * before the sort costs half again as much for common words.
	 */
	fast = s.filters.len == 0 && opex_kb_query_has_positive(q);
	/* One read transaction: ranking, count, facets and snippets agree. */
	error = exec(ix, "BEGIN", "search", err);
	if (error < 0)
		goto done;
	in_txn = true;
	error = meta_get(&rev, ix, "revision", err);
	if (error < 0)
		goto done;
	snprintf(out->revision, sizeof(out->revision), "%s", rev.ptr);

	hits_sql(&sql, q, true);
	if (fast)   /* rank the FTS rows alone, join the page only */
		opex_buf_printf(&sql, "SELECT d.id, h.score, d.path, d.title,"
			" d.language, d.owner, d.journey, d.stale_after < ?3, d.stemmed"
			" FROM (SELECT id, score FROM hits ORDER BY score, id"
			" LIMIT %zu OFFSET %zu) h JOIN doc d ON d.id = h.id"
			" ORDER BY h.score, h.id", limit, opts->offset);
	else
		opex_buf_printf(&sql, "SELECT d.id, h.score, d.path, d.title,"
			" d.language, d.owner, d.journey, d.stale_after < ?3, d.stemmed"
			" FROM hits h JOIN doc d ON d.id = h.id WHERE 1%s"
			" ORDER BY h.score, d.path LIMIT %zu OFFSET %zu",
			s.filters.ptr, limit, opts->offset);
	error = prepare_search(&st, &s, sql.ptr, err);
	if (error < 0)
		goto done;
	for (;;) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		opex_kb_search_hit *hit;

		opex_array_grow((void **)&out->hits, &cap, out->hit_count + 1,
			sizeof(*out->hits));
		ids = opex_realloc(ids, cap * sizeof(*ids));
		stemmed = opex_realloc(stemmed, cap * sizeof(*stemmed));
		hit = &out->hits[out->hit_count];
		memset(hit, 0, sizeof(*hit));
		ids[out->hit_count] = sqlite3_column_int64(st, 0);
		hit->score = sqlite3_column_double(st, 1);
		hit->path = column_dup(st, 2);
		hit->title = column_dup(st, 3);
		hit->language = column_dup(st, 4);
		hit->owner = column_dup(st, 5);
		hit->journey = column_dup(st, 6);
		hit->stale = sqlite3_column_int(st, 7) != 0;
		stemmed[out->hit_count] = sqlite3_column_int(st, 8) != 0;
		out->hit_count++;
	}
	if (rc != SQLITE_DONE) {
		error = db_error(ix, err, "search");
		goto done;
	}
	finish(ix, st);
	st = NULL;
	/* The page is known: now, and only now, snippets and sections. */
	for (k = 0; k < out->hit_count; k++) {
		error = fill_hit(&out->hits[k], &s, ids[k], stemmed[k], opts, err);
		if (error < 0)
			goto done;
	}
	if (out->hit_count < limit && (out->hit_count > 0 || opts->offset == 0))
		out->total = opts->offset + out->hit_count;
	else
		error = count_total(&out->total, &s, err);
	if (error < 0)
		goto done;
	if (opts->facets && out->total > 0) {
		error = facet(&out->languages, &out->language_count, &s,
			"lower(d.language)", "", err);
		if (error == 0)
			error = facet(&out->journeys, &out->journey_count, &s,
				"lower(d.journey)", "", err);
		if (error == 0)
			error = facet(&out->markets, &out->market_count, &s,
				"m.market", "JOIN doc_market m ON m.doc = d.id", err);
		if (error < 0)
			goto done;
	}
	if (opts->suggest && out->total == 0) {
		error = suggest(&out->suggestion, &s, err);
		if (error < 0)
			goto done;
	}
done:
	finish(ix, st);
	if (in_txn)
		sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
	out->took_ms = now_ms() - start;
	opex_free(ids);
	opex_free(stemmed);
	opex_buf_release(&sql);
	opex_buf_release(&rev);
	opex_buf_release(&s.match);
	opex_buf_release(&s.excluded);
	opex_buf_release(&s.filters);
	opex_buf_release(&s.audience);
	return error;
}

static void free_facets(opex_kb_facet *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		opex_free(f[i].value);
	opex_free(f);
}

void opex_kb_search_result_release(opex_kb_search_result *r)
{
	size_t i;

	for (i = 0; i < r->hit_count; i++) {
		opex_kb_search_hit *h = &r->hits[i];

		opex_free(h->path);
		opex_free(h->title);
		opex_free(h->language);
		opex_free(h->owner);
		opex_free(h->journey);
		opex_free(h->section);
		opex_free(h->snippet);
	}
	opex_free(r->hits);
	free_facets(r->languages, r->language_count);
	free_facets(r->journeys, r->journey_count);
	free_facets(r->markets, r->market_count);
	opex_free(r->suggestion);
	memset(r, 0, sizeof(*r));
}
