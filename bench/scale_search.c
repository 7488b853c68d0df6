/*
 * bench/scale_search.c: the baselines of bench/scale, and search latency
 * on the large handbook, in one process.
 *
 *   bench_scale REPO INDEX QUERIES WORKDIR
 *
 * INDEX is the index `opex index` built for REPO at HEAD; it is only read.
 * QUERIES holds one query per line. WORKDIR receives the bare FTS5 table.
 * Prints one `key value` line per figure, for the driver to lay out:
 *
 *   key               what
 *   ----------------  --------------------------------------------------
 *   load_ms           opex_kb_handbook_load at HEAD (no history cache)
 *   plain_ms          Markdown -> plain text of every article (cmark)
 *   articles, corpus  article count, bytes of article bodies
 *   bare_ms           INSERT title, plain body into a bare FTS5 table
 *                     (unicode61 remove_diacritics 2); COMMIT
 *   bare_bytes        the bare table's file once closed
 *   index_bytes       INDEX (+ WAL) as `opex index` left it
 *   opex_p50/p99      parse + opex_kb_search, 10 results with snippets
 *   facets_p50/p99    the same with facets, as /api/search runs it
 *   bare_p50/p99      MATCH (same expression) ORDER BY bm25() LIMIT 10
 *                     with snippet()
 *   queries, empty    queries run, and how many found nothing
 */
#define _POSIX_C_SOURCE 200809L

#include "kb/kb_int.h"
#include "core/buf.h"
#include "core/memory.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y ? 1 : 0;
}

static double pct(double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	qsort(v, n, sizeof(*v), double_cmp);
	return v[i];
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_scale: %s: %s\n", what, msg);
	exit(1);
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static long long db_size(const char *path)
{
	char wal[4300];

	snprintf(wal, sizeof(wal), "%s-wal", path);
	return file_size(path) + file_size(wal);
}

static void remove_db(const char *path)
{
	char other[4300];

	unlink(path);
	snprintf(other, sizeof(other), "%s-wal", path);
	unlink(other);
	snprintf(other, sizeof(other), "%s-shm", path);
	unlink(other);
}

static void exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql, sqlite3_errmsg(db));
}

static void html(opex_buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '<')
			opex_buf_puts(out, "&lt;");
		else if (s[i] == '&')
			opex_buf_puts(out, "&amp;");
		else
			opex_buf_putc(out, s[i]);
	}
}

static char **read_lines(const char *path, size_t *count)
{
	FILE *f = fopen(path, "r");
	char line[1200], **lines = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL)
		die("cannot read", path);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		opex_array_grow((void **)&lines, &cap, n + 1, sizeof(*lines));
		lines[n++] = opex_strdup(line);
	}
	fclose(f);
	*count = n;
	return lines;
}

/* The baseline: every article's title and plain text into a bare table. */
static double bare_index(sqlite3 **out, const char *path,
	const opex_kb_handbook *hb, double *plain_ms, size_t *corpus)
{
	size_t i, n = opex_kb_handbook_article_count(hb);
	char **titles = opex_calloc(n + 1, sizeof(*titles));
	char **bodies = opex_calloc(n + 1, sizeof(*bodies));
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	double t;

	t = now_ms();
	*corpus = 0;
	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);
		opex_kb_md_text text;

		opex_kb_md_text_init(&text, 1 << 24);
		if (a->body != NULL &&
		    opex_kb_markdown_plain(&text, a->body, a->body_len, NULL) < 0)
			die("plain", a->path);
		titles[i] = opex_strdup(a->title ? a->title : "");
		bodies[i] = opex_buf_detach(&text.text, NULL);
		opex_kb_md_text_release(&text);
		*corpus += a->body_len;
	}
	*plain_ms = now_ms() - t;

	remove_db(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("open", path);
	exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		" PRAGMA cache_size = -32768");
	exec(db, "CREATE VIRTUAL TABLE t USING fts5(title, body,"
		" tokenize='unicode61 remove_diacritics 2')");
	t = now_ms();
	exec(db, "BEGIN");
	if (sqlite3_prepare_v2(db, "INSERT INTO t(title, body) VALUES(?, ?)", -1,
			&st, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(db));
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(st, 1, titles[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, bodies[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("insert", sqlite3_errmsg(db));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	exec(db, "COMMIT");
	t = now_ms() - t;
	for (i = 0; i < n; i++) {
		opex_free(titles[i]);
		opex_free(bodies[i]);
	}
	opex_free(titles);
	opex_free(bodies);
	*out = db;
	return t;
}

static double run_opex(opex_kb_index *ix, const char *text, bool facets,
	size_t *hits)
{
	opex_kb_search_options so = OPEX_KB_SEARCH_OPTIONS_INIT;
	opex_kb_search_result r;
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_query *q = NULL;
	double t = now_ms();

	so.mark_open = "<mark>";
	so.mark_close = "</mark>";
	so.escape = html;
	so.facets = facets;
	so.suggest = false;
	if (opex_kb_query_parse(&q, text, strlen(text), &err) < 0)
		die(text, err.message);
	if (opex_kb_search(&r, ix, q, &so, &err) < 0)
		die(text, err.message);
	t = now_ms() - t;
	*hits = r.hit_count;
	opex_kb_search_result_release(&r);
	opex_kb_query_free(q);
	return t;
}

static double run_bare(sqlite3 *db, sqlite3_stmt *st, const char *text)
{
	opex_buf match = OPEX_BUF_INIT(1 << 16);
	opex_kb_query *q = NULL;
	double t;
	int rc;

	if (opex_kb_query_parse(&q, text, strlen(text), NULL) < 0)
		die("parse", text);
	opex_kb_query_match(&match, q);
	t = now_ms();
	sqlite3_bind_text(st, 1, match.ptr, (int)match.len, SQLITE_STATIC);
	for (;;) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		(void)sqlite3_column_text(st, 1);
	}
	if (rc != SQLITE_DONE)
		die(text, sqlite3_errmsg(db));
	sqlite3_reset(st);
	t = now_ms() - t;
	opex_kb_query_free(q);
	opex_buf_release(&match);
	return t;
}

int main(int argc, char **argv)
{
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_handbook *hb = NULL;
	opex_kb_index *ix = NULL;
	sqlite3 *bare = NULL;
	sqlite3_stmt *st = NULL;
	char bare_path[4200], **queries;
	double t_load, t_plain, t_bare, *qo, *qb, *qf;
	size_t n, corpus, nq, i, hits, empty = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: bench_scale REPO INDEX QUERIES WORKDIR\n");
		return 2;
	}
	mkdir(argv[4], 0777);
	snprintf(bare_path, sizeof(bare_path), "%s/bare.sqlite", argv[4]);

	t_load = now_ms();
	opts.history_cache = "";
	if (opex_kb_handbook_load(&hb, argv[1], &opts, &diags, &err) < 0)
		die("load", err.message);
	t_load = now_ms() - t_load;
	n = opex_kb_handbook_article_count(hb);
	t_bare = bare_index(&bare, bare_path, hb, &t_plain, &corpus);
	sqlite3_close(bare);
	printf("load_ms %.1f\nplain_ms %.1f\narticles %zu\ncorpus %zu\n"
		"bare_ms %.1f\nbare_bytes %lld\nindex_bytes %lld\n", t_load,
		t_plain, n, corpus, t_bare, db_size(bare_path), db_size(argv[2]));
	fflush(stdout);

	if (sqlite3_open(bare_path, &bare) != SQLITE_OK)
		die("open", bare_path);
	if (opex_kb_index_open(&ix, argv[2], &err) < 0)
		die("open", err.message);
	queries = read_lines(argv[3], &nq);
	qo = opex_calloc(nq + 1, sizeof(*qo));
	qb = opex_calloc(nq + 1, sizeof(*qb));
	qf = opex_calloc(nq + 1, sizeof(*qf));
	if (sqlite3_prepare_v2(bare, "SELECT rowid, snippet(t, 1, '<mark>',"
			" '</mark>', '\xE2\x80\xA6', 24) FROM t WHERE t MATCH ?1"
			" ORDER BY bm25(t) LIMIT 10", -1, &st, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(bare));
	/* Interleaved so both see the same noise; a short warm-up. */
	for (i = 0; i < nq && i < 30; i++) {
		run_opex(ix, queries[i], false, &hits);
		run_bare(bare, st, queries[i]);
	}
	for (i = 0; i < nq; i++) {
		qo[i] = run_opex(ix, queries[i], false, &hits);
		qb[i] = run_bare(bare, st, queries[i]);
		qf[i] = run_opex(ix, queries[i], true, &hits);
		if (hits == 0)
			empty++;
	}
	printf("queries %zu\nempty %zu\n", nq, empty);
	printf("opex_p50 %.3f\nopex_p99 %.3f\n", pct(qo, nq, 0.5), pct(qo, nq, 0.99));
	printf("facets_p50 %.3f\nfacets_p99 %.3f\n", pct(qf, nq, 0.5), pct(qf, nq, 0.99));
	printf("bare_p50 %.3f\nbare_p99 %.3f\n", pct(qb, nq, 0.5), pct(qb, nq, 0.99));

	sqlite3_finalize(st);
	sqlite3_close(bare);
	opex_kb_index_free(ix);
	for (i = 0; i < nq; i++)
		opex_free(queries[i]);
	opex_free(queries);
	opex_free(qo);
	opex_free(qb);
	opex_free(qf);
	opex_diag_list_release(&diags);
	opex_kb_handbook_free(hb);
	return 0;
}
