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

#include "search/search_int.h"
#include "core/time.h"
#include "core/buf.h"
#include "core/memory.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_fts.h"

#include "core/banned.h"

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

	t = opex_time_monotonic_ms();
	*corpus = 0;
	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);
		opex_kb_md_text text;

		opex_kb_md_text_init(&text, 1 << 24);
		if (a->body != NULL &&
		    opex_kb_markdown_plain(&text, a->body, a->body_len, NULL) < 0)
			bench_die("plain", a->path);
		titles[i] = opex_strdup(a->title ? a->title : "");
		bodies[i] = opex_buf_detach(&text.text, NULL);
		opex_kb_md_text_release(&text);
		*corpus += a->body_len;
	}
	*plain_ms = opex_time_monotonic_ms() - t;

	bench_remove_db(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		bench_die("open", path);
	bench_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		" PRAGMA cache_size = -32768");
	bench_exec(db, "CREATE VIRTUAL TABLE t USING fts5(title, body,"
		" tokenize='unicode61 remove_diacritics 2')");
	t = opex_time_monotonic_ms();
	bench_exec(db, "BEGIN");
	if (sqlite3_prepare_v2(db, "INSERT INTO t(title, body) VALUES(?, ?)", -1,
			&st, NULL) != SQLITE_OK)
		bench_die("prepare", sqlite3_errmsg(db));
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(st, 1, titles[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, bodies[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			bench_die("insert", sqlite3_errmsg(db));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	bench_exec(db, "COMMIT");
	t = opex_time_monotonic_ms() - t;
	for (i = 0; i < n; i++) {
		opex_free(titles[i]);
		opex_free(bodies[i]);
	}
	opex_free(titles);
	opex_free(bodies);
	*out = db;
	return t;
}

int main(int argc, char **argv)
{
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_handbook *hb = NULL;
	opex_search_index *ix = NULL;
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

	t_load = opex_time_monotonic_ms();
	opts.history_cache = "";
	if (opex_kb_handbook_load(&hb, argv[1], &opts, &diags, &err) < 0)
		bench_die("load", err.message);
	t_load = opex_time_monotonic_ms() - t_load;
	n = opex_kb_handbook_article_count(hb);
	t_bare = bare_index(&bare, bare_path, hb, &t_plain, &corpus);
	sqlite3_close(bare);
	printf("load_ms %.1f\nplain_ms %.1f\narticles %zu\ncorpus %zu\n"
		"bare_ms %.1f\nbare_bytes %lld\nindex_bytes %lld\n", t_load,
		t_plain, n, corpus, t_bare, bench_db_size(bare_path), bench_db_size(argv[2]));
	fflush(stdout);

	if (sqlite3_open(bare_path, &bare) != SQLITE_OK)
		bench_die("open", bare_path);
	if (opex_search_index_open(&ix, argv[2], &err) < 0)
		bench_die("open", err.message);
	queries = bench_read_lines(argv[3], &nq);
	qo = opex_calloc(nq + 1, sizeof(*qo));
	qb = opex_calloc(nq + 1, sizeof(*qb));
	qf = opex_calloc(nq + 1, sizeof(*qf));
	if (sqlite3_prepare_v2(bare, "SELECT rowid, snippet(t, 1, '<mark>',"
			" '</mark>', '\xE2\x80\xA6', 24) FROM t WHERE t MATCH ?1"
			" ORDER BY bm25(t) LIMIT 10", -1, &st, NULL) != SQLITE_OK)
		bench_die("prepare", sqlite3_errmsg(bare));
	/* Interleaved so both see the same noise; a short warm-up. */
	for (i = 0; i < nq && i < 30; i++) {
		bench_run_opex(ix, queries[i], false, &hits);
		bench_run_bare(bare, st, queries[i]);
	}
	for (i = 0; i < nq; i++) {
		qo[i] = bench_run_opex(ix, queries[i], false, &hits);
		qb[i] = bench_run_bare(bare, st, queries[i]);
		qf[i] = bench_run_opex(ix, queries[i], true, &hits);
		if (hits == 0)
			empty++;
	}
	printf("queries %zu\nempty %zu\n", nq, empty);
	printf("opex_p50 %.3f\nopex_p99 %.3f\n", bench_pct(qo, nq, 0.5), bench_pct(qo, nq, 0.99));
	printf("facets_p50 %.3f\nfacets_p99 %.3f\n", bench_pct(qf, nq, 0.5), bench_pct(qf, nq, 0.99));
	printf("bare_p50 %.3f\nbare_p99 %.3f\n", bench_pct(qb, nq, 0.5), bench_pct(qb, nq, 0.99));

	sqlite3_finalize(st);
	sqlite3_close(bare);
	opex_search_index_free(ix);
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
