/*
 * bench/search.c: the search index against a bare FTS5 table, in one
 * process, on one handbook (see the driver script bench/search).
 *
 *   bench_search REPO QUERIES WORKDIR
 *
 * REPO has two commits (HEAD~1: all articles; HEAD: one changed). QUERIES
 * holds one query per line. WORKDIR receives the index files. Prints:
 *
 *   measure            opex                   baseline (bare FTS5)
 *   -----------------  ---------------------  -------------------------------
 *   full index         opex_search_index_update   INSERT title, plain body; COMMIT
 *                      (Markdown -> text,     (text made before timing)
 *                      filters, sections)
 *   update, 1 article  opex_search_index_update   -
 *                      HEAD~1 <-> HEAD
 *   query p50/p99      parse + opex_kb_search MATCH (same expression) ORDER BY
 *                      (10 results, snippets) bm25() LIMIT 10 with snippet()
 *   size               index + WAL / corpus   table / corpus
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

static opex_kb_handbook *load(const char *repo, const char *rev, double *ms)
{
	opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_handbook *hb = NULL;
	double t = opex_time_monotonic_ms();

	opts.rev = rev;
	opts.history_cache = "";
	if (opex_kb_handbook_load(&hb, repo, &opts, &diags, &err) < 0)
		bench_die("load", err.message);
	*ms = opex_time_monotonic_ms() - t;
	opex_diag_list_release(&diags);
	return hb;
}

/* The plain text of every article: what the baseline inserts. */
typedef struct plain {
	char *title, *body;
} plain;

static plain *plain_texts(const opex_kb_handbook *hb, size_t *corpus)
{
	size_t i, n = opex_kb_handbook_article_count(hb);
	plain *p = opex_calloc(n + 1, sizeof(*p));

	*corpus = 0;
	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);
		opex_kb_md_text t;

		opex_kb_md_text_init(&t, 1 << 24);
		if (opex_kb_markdown_plain(&t, a->body, a->body_len, NULL) < 0)
			bench_die("plain", a->path);
		p[i].title = opex_strdup(a->title ? a->title : "");
		p[i].body = opex_buf_detach(&t.text, NULL);
		opex_kb_md_text_release(&t);
		*corpus += a->body_len;
	}
	return p;
}

static double bare_index(sqlite3 **out, const char *path, const plain *p,
	size_t n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	double t;
	size_t i;

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
		sqlite3_bind_text(st, 1, p[i].title, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, p[i].body, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			bench_die("insert", sqlite3_errmsg(db));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	bench_exec(db, "COMMIT");
	t = opex_time_monotonic_ms() - t;
	*out = db;
	return t;
}

static double opex_index(opex_search_index **out, const char *path,
	const opex_kb_handbook *hb)
{
	opex_error err = OPEX_ERROR_INIT;
	opex_search_index *ix = NULL;
	double t;

	bench_remove_db(path);
	if (opex_search_index_open(&ix, path, &err) < 0)
		bench_die("open", err.message);
	t = opex_time_monotonic_ms();
	if (opex_search_index_update(NULL, ix, hb, NULL, &err) < 0)
		bench_die("index", err.message);
	t = opex_time_monotonic_ms() - t;
	*out = ix;
	return t;
}

int main(int argc, char **argv)
{
	char ix_path[4200], bare_path[4200];
	opex_kb_handbook *hb1, *hb2;
	opex_search_index *ix = NULL;
	sqlite3 *bare = NULL;
	sqlite3_stmt *st = NULL;
	plain *texts;
	char **queries;
	double load1, load2, t_plain, t_bare, t_opex, up[10], up_total[10], *qo, *qb, *qf;
	size_t n, corpus, nq, i, k, hits, empty = 0;
	long long size_opex, size_bare;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_search REPO QUERIES WORKDIR\n");
		return 2;
	}
	mkdir(argv[3], 0777);
	snprintf(ix_path, sizeof(ix_path), "%s/index.sqlite", argv[3]);
	snprintf(bare_path, sizeof(bare_path), "%s/bare.sqlite", argv[3]);
	hb1 = load(argv[1], "HEAD~1", &load1);
	hb2 = load(argv[1], "HEAD", &load2);
	n = opex_kb_handbook_article_count(hb1);
	t_plain = opex_time_monotonic_ms();
	texts = plain_texts(hb1, &corpus);
	t_plain = opex_time_monotonic_ms() - t_plain;

	/* Full index, baseline first then opex, twice; the faster of each. */
	t_bare = t_opex = 1e30;
	for (k = 0; k < 2; k++) {
		double b, o;

		sqlite3_close(bare);
		opex_search_index_free(ix);
		b = bare_index(&bare, bare_path, texts, n);
		o = opex_index(&ix, ix_path, hb1);
		t_bare = b < t_bare ? b : t_bare;
		t_opex = o < t_opex ? o : t_opex;
	}
	/* Sizes once closed: the last connection checkpoints the WAL away. */
	sqlite3_close(bare);
	opex_search_index_free(ix);
	size_opex = bench_db_size(ix_path);
	size_bare = bench_db_size(bare_path);
	if (sqlite3_open(bare_path, &bare) != SQLITE_OK)
		bench_die("open", bare_path);
	{
		opex_error err = OPEX_ERROR_INIT;

		if (opex_search_index_open(&ix, ix_path, &err) < 0)
			bench_die("open", err.message);
	}

	/*
	 * Incremental, HEAD~1 -> HEAD -> HEAD~1 ..., as `opex index` runs it:
	 * open the revision, plan, read the changed articles, update.
	 */
	for (k = 0; k < 10; k++) {
		opex_kb_handbook_options opts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
		opex_diag_list diags = OPEX_DIAG_LIST_INIT;
		opex_search_index_stats stats;
		opex_error err = OPEX_ERROR_INIT;
		opex_kb_handbook *hb = NULL;
		opex_kb_repo *repo = NULL;
		double t = opex_time_monotonic_ms();

		opts.rev = k % 2 ? "HEAD~1" : "HEAD";
		opts.history_cache = "";
		opts.want = opex_search_index_wants;
		opts.want_payload = ix;
		if (opex_kb_repo_open(&repo, argv[1], opts.rev, &err) < 0 ||
		    opex_search_index_plan(ix, repo, false, &err) < 0)
			bench_die("update", err.message);
		opex_kb_handbook_load_repo(&hb, repo, &opts, &diags);
		if (opex_search_index_update(&stats, ix, hb, NULL, &err) < 0)
			bench_die("update", err.message);
		up_total[k] = opex_time_monotonic_ms() - t;
		if (stats.changed != 1 || stats.added + stats.removed != 0 ||
		    opex_kb_handbook_article_count(hb) != 1)
			bench_die("update", "expected exactly one changed article");
		up[k] = stats.ms;
		opex_kb_handbook_free(hb);
		opex_diag_list_release(&diags);
	}

	/* Queries, interleaved so both see the same noise; one warm-up pass. */
	queries = bench_read_lines(argv[2], &nq);
	qo = opex_calloc(nq + 1, sizeof(*qo));
	qb = opex_calloc(nq + 1, sizeof(*qb));
	qf = opex_calloc(nq + 1, sizeof(*qf));
	if (sqlite3_prepare_v2(bare, "SELECT rowid, snippet(t, 1, '<mark>',"
			" '</mark>', '\xE2\x80\xA6', 24) FROM t WHERE t MATCH ?1"
			" ORDER BY bm25(t) LIMIT 10", -1, &st, NULL) != SQLITE_OK)
		bench_die("prepare", sqlite3_errmsg(bare));
	for (i = 0; i < nq; i++) {
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

	printf("\nN = %zu articles (%.1f MB of Markdown); handbook load %.0f ms\n",
		n, (double)corpus / 1e6, load1);
	printf("  full index           %9.1f ms   bare FTS5 %9.1f ms   ratio %.2f  (target <= 1.5)\n",
		t_opex, t_bare, t_opex / t_bare);
	printf("      of which Markdown to plain text (cmark) about %.0f ms: the baseline gets its text for free\n",
		t_plain);
	printf("  update, 1 article    %9.2f ms   median of 10 (max %.2f), end to end  (target < 50 ms)\n",
		bench_pct(up_total, 10, 0.5), bench_pct(up_total, 10, 1.0));
	printf("      of which the index transaction %.2f ms; reading all %zu articles would take %.0f ms\n",
		bench_pct(up, 10, 0.5), n, load2);
	{
		double o50 = bench_pct(qo, nq, 0.5), o99 = bench_pct(qo, nq, 0.99);
		double b50 = bench_pct(qb, nq, 0.5), b99 = bench_pct(qb, nq, 0.99);
		double f50 = bench_pct(qf, nq, 0.5), f99 = bench_pct(qf, nq, 0.99);

		printf("  query p50            %9.3f ms   bare FTS5 %9.3f ms   ratio %.2f  (target <= 1.3, < 1 ms)\n",
			o50, b50, o50 / b50);
		printf("  query p99            %9.3f ms   bare FTS5 %9.3f ms   ratio %.2f\n",
			o99, b99, o99 / b99);
		printf("  query with facets    %9.3f ms p50, %.3f ms p99  (%zu of %zu queries found nothing)\n",
			f50, f99, empty, nq);
	}
	printf("  index size           %9.1f MB = %.2fx corpus   bare FTS5 %.1f MB = %.2fx\n",
		(double)size_opex / 1e6, (double)size_opex / (double)corpus,
		(double)size_bare / 1e6, (double)size_bare / (double)corpus);

	sqlite3_finalize(st);
	sqlite3_close(bare);
	opex_search_index_free(ix);
	for (i = 0; i < n; i++) {
		opex_free(texts[i].title);
		opex_free(texts[i].body);
	}
	opex_free(texts);
	for (i = 0; i < nq; i++)
		opex_free(queries[i]);
	opex_free(queries);
	opex_free(qo);
	opex_free(qb);
	opex_free(qf);
	opex_kb_handbook_free(hb1);
	opex_kb_handbook_free(hb2);
	return 0;
}
