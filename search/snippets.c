/*
 * snippets.c: a hit's fields, its snippet and the heading of the section
 * with the best match. Snippets are made after ranking, for the page shown
 * only, from FTS5 highlight() of that row: the marks (MARK_OPEN and
 * MARK_CLOSE) become the caller's, and the text between them is escaped
 * for the caller's output.
 */
#include "search/search_int.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"
#include "core/text.h"
#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

typedef struct match_range {
	size_t start, end;
} match_range;


static bool is_zwsp(const char *s, size_t len, size_t i)
{
	return i + 2 < len && s[i] == '\xE2' && s[i + 1] == '\x80' &&
	       s[i + 2] == '\x8B';
}

static void put_escaped(opex_buf *out, const opex_search_options *o,
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
	const size_t *offsets, size_t nsec, const opex_search_options *o)
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

/* Does the query hold a word* term (not excluded)? */
static bool has_prefix(const opex_search_query *q)
{
	size_t i, j;

	for (i = 0; i < q->clause_count; i++)
		for (j = 0; !q->clauses[i].negated && j < q->clauses[i].count; j++)
			if (q->clauses[i].terms[j].prefix)
				return true;
	return false;
}

/*
 * The highlighted bodies of the page's hits in `table`, one statement for
 * all: FTS5 merges the doclists of every word a prefix stands for anew for
 * each MATCH it runs (0.2-0.5 s for `a*` at 100,000 articles), so the page
 * is read in one pass over the matches between its lowest and highest row
 * id (`+rowid IN`: filtered by SQLite, not a seek per row).
 */
static int highlights_read(char **out, search_ctx *s, const sqlite3_int64 *ids,
	const bool *stemmed, size_t n, bool en, opex_error *err)
{
	const char *table = en ? "fts_en" : "fts";
	opex_buf sql = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	sqlite3_stmt *st = NULL;
	sqlite3_int64 lo = 0, hi = -1;
	size_t i, wanted = 0;
	int error = 0, rc;

	opex_buf_printf(&sql, "SELECT rowid, highlight(%s, 4, char(1), char(2))"
		" FROM %s WHERE %s MATCH ?1 AND rowid BETWEEN ?2 AND ?3 AND"
		" +rowid IN (", table, table, table);
	for (i = 0; i < n; i++) {
		if (stemmed[i] != en)
			continue;
		if (wanted == 0 || ids[i] < lo)
			lo = ids[i];
		if (wanted == 0 || ids[i] > hi)
			hi = ids[i];
		opex_buf_printf(&sql, "%s%lld", wanted++ ? ", " : "", (long long)ids[i]);
	}
	opex_buf_putc(&sql, ')');
	if (wanted == 0)
		goto done;
	if (sql.failed) {
		error = opex_error_set(err, OPEX_ETOOBIG, "search page is too large");
		goto done;
	}
	error = opex_search_db_prepare(&st, s->ix, sql.ptr, err);
	if (error < 0)
		goto done;
	opex_search_db_bind_buf(st, 1, &s->match);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(st, 0);

		for (i = 0; i < n; i++)
			if (ids[i] == id && stemmed[i] == en && out[i] == NULL)
				out[i] = opex_search_db_column_dup(st, 1);
	}
	if (rc != SQLITE_DONE)
		error = opex_search_db_error(s->ix, err, "search");
done:
	opex_search_db_finish(s->ix, st);
	opex_buf_release(&sql);
	return error;
}

/* The highlighted body of one hit (or its plain body): *out NULL if none. */
static int highlight_read(char **out, search_ctx *s, sqlite3_int64 id,
	bool stemmed, opex_error *err)
{
	opex_buf sql = OPEX_BUF_INIT(512);
	sqlite3_stmt *st = NULL;
	const char *table = stemmed ? "fts_en" : "fts";
	int error, rc;

	*out = NULL;
	if (opex_search_query_has_positive(s->q))
		opex_buf_printf(&sql, "SELECT highlight(%s, 4, char(1), char(2)) FROM %s"
			" WHERE %s MATCH ?1 AND rowid = ?4", table, table, table);
	else
		opex_buf_printf(&sql, "SELECT body FROM %s WHERE rowid = ?4", table);
	error = opex_search_db_prepare(&st, s->ix, sql.ptr, err);
	if (error < 0)
		goto done;
	if (opex_search_query_has_positive(s->q))
		opex_search_db_bind_buf(st, 1, &s->match);
	sqlite3_bind_int64(st, 4, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = opex_search_db_column_dup(st, 0);
	else if (rc != SQLITE_DONE)
		error = opex_search_db_error(s->ix, err, "search");
done:
	opex_search_db_finish(s->ix, st);
	opex_buf_release(&sql);
	return error;
}

/* Snippet and section heading of one shown hit, from its highlighted body. */
static int hit_fill(opex_search_hit *hit, search_ctx *s, sqlite3_int64 id,
	const char *h, const opex_search_options *o, opex_error *err)
{
	opex_buf text = OPEX_BUF_INIT(8 * OPEX_LIMIT_FILE_BYTES),
		snip = OPEX_BUF_INIT(OPEX_LIMIT_SNIPPET_BYTES);
	sqlite3_stmt *st = NULL;
	match_range *ranges = NULL;
	size_t nr = 0, cap = 0, *offsets = NULL, nsec = 0, seccap = 0, best;
	char **headings = NULL;
	const char *sec;
	int error, rc;

	if (h) {
		const char *p = h;

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
	error = opex_search_db_prepare(&st, s->ix, "SELECT sections FROM doc WHERE id = ?", err);
	if (error < 0)
		goto done;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		error = opex_search_db_error(s->ix, err, "search");
		goto done;
	}
	sec = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	while (sec && *sec) {
		const char *line = sec, *end = strchr(line, '\n');
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
		sec = *end ? end + 1 : end;
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
	opex_search_db_finish(s->ix, st);
	for (size_t i = 0; i < nsec; i++)
		opex_free(headings[i]);
	opex_free(headings);
	opex_free(offsets);
	opex_free(ranges);
	opex_buf_release(&text);
	opex_buf_release(&snip);
	return error;
}

int opex_search_hits_fill(opex_search_result *out, search_ctx *s,
	const sqlite3_int64 *ids, const bool *stemmed,
	const opex_search_options *o, opex_error *err)
{
	size_t i, n = out->hit_count;
	char **h = opex_calloc(n + 1, sizeof(*h));
	bool batch = n > 1 && opex_search_query_has_positive(s->q) &&
		has_prefix(s->q);
	int error = 0;

	if (batch) {
		error = highlights_read(h, s, ids, stemmed, n, false, err);
		if (error == 0)
			error = highlights_read(h, s, ids, stemmed, n, true, err);
	}
	for (i = 0; error == 0 && i < n; i++) {
		if (!batch)
			error = highlight_read(&h[i], s, ids[i], stemmed[i], err);
		if (error == 0)
			error = hit_fill(&out->hits[i], s, ids[i], h[i], o, err);
	}
	for (i = 0; i < n; i++)
		opex_free(h[i]);
	opex_free(h);
	return error;
}
