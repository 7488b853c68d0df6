/*
 * bench_fts.h: what bench_search and bench_scale share: timing,
 * percentiles, files, and one query through opex and through a bare
 * FTS5 table (the baseline).
 */
#ifndef OPEX_BENCH_FTS_H
#define OPEX_BENCH_FTS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "bench/bench_util.h"
#include "core/buf.h"
#include "kb/kb.h"
#include "search/search.h"

void bench_die(const char *what, const char *msg);
long long bench_file_size(const char *path);
long long bench_db_size(const char *path);
void bench_remove_db(const char *path);
void bench_exec(sqlite3 *db, const char *sql);
void bench_html(opex_buf *out, const char *s, size_t len);
char **bench_read_lines(const char *path, size_t *count);
double bench_run_opex(opex_search_index *ix, const char *text, bool facets,
	size_t *hits);
double bench_run_bare(sqlite3 *db, sqlite3_stmt *st, const char *text);

#endif
