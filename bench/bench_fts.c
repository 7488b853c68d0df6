/* bench_fts.c: helpers shared by bench/search.c and bench/scale_search.c. */
#define _POSIX_C_SOURCE 200809L

#include "bench/bench_fts.h"
#include "search/search.h"
#include "core/time.h"
#include "core/memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

void bench_die(const char *what, const char *msg)
{
	fprintf(stderr, "bench: %s: %s\n", what, msg);
	exit(1);
}

long long bench_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

long long bench_db_size(const char *path)
{
	char wal[4300];

	snprintf(wal, sizeof(wal), "%s-wal", path);
	return bench_file_size(path) + bench_file_size(wal);
}

void bench_remove_db(const char *path)
{
	char other[4300];

	unlink(path);
	snprintf(other, sizeof(other), "%s-wal", path);
	unlink(other);
	snprintf(other, sizeof(other), "%s-shm", path);
	unlink(other);
}

void bench_exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		bench_die(sql, sqlite3_errmsg(db));
}

void bench_html(opex_buf *out, const char *s, size_t len)
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

char **bench_read_lines(const char *path, size_t *count)
{
	FILE *f = fopen(path, "r");
	char line[1200], **lines = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL)
		bench_die("cannot read", path);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		opex_array_grow((void **)&lines, &cap, n + 1, sizeof(*lines));
		lines[n++] = opex_strdup(line);
	}
	fclose(f);
	*count = n;
	return lines;
}

double bench_run_opex(opex_search_index *ix, const char *text, bool facets,
	size_t *hits)
{
	opex_search_options so = OPEX_SEARCH_OPTIONS_INIT;
	opex_search_result r;
	opex_error err = OPEX_ERROR_INIT;
	opex_search_query *q = NULL;
	double t = opex_time_monotonic_ms();

	so.mark_open = "<mark>";
	so.mark_close = "</mark>";
	so.escape = bench_html;
	so.facets = facets;
	so.suggest = false;
	if (opex_search_query_parse(&q, text, strlen(text), &err) < 0)
		bench_die(text, err.message);
	if (opex_search_run(&r, ix, q, &so, &err) < 0)
		bench_die(text, err.message);
	t = opex_time_monotonic_ms() - t;
	*hits = r.hit_count;
	opex_search_result_release(&r);
	opex_search_query_free(q);
	return t;
}

double bench_run_bare(sqlite3 *db, sqlite3_stmt *st, const char *text)
{
	opex_buf match = OPEX_BUF_INIT(1 << 16);
	opex_search_query *q = NULL;
	double t;
	int rc;

	if (opex_search_query_parse(&q, text, strlen(text), NULL) < 0)
		bench_die("parse", text);
	opex_search_query_match(&match, q);
	t = opex_time_monotonic_ms();
	sqlite3_bind_text(st, 1, match.ptr, (int)match.len, SQLITE_STATIC);
	for (;;) {
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		(void)sqlite3_column_text(st, 1);
	}
	if (rc != SQLITE_DONE)
		bench_die(text, sqlite3_errmsg(db));
	sqlite3_reset(st);
	t = opex_time_monotonic_ms() - t;
	opex_search_query_free(q);
	opex_buf_release(&match);
	return t;
}
