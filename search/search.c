/*
 * search.c: one search. The query's words become FTS5 MATCH expressions,
 * its filters and the audience SQL conditions (plan.c); then, in one read
 * transaction, the page, the total and the facets (facets.c) from one
 * read of the matches (plan.c's SQL), ranked here; the hits' snippets
 * (snippets.c) and, when nothing matched, a suggestion (suggest.c).
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
#include <time.h>

#include "core/banned.h"

/* The query's MATCH expressions and SQL conditions for the reader. */
static int context_build(search_ctx *s, const opex_search_options *opts,
	opex_error *err)
{
	opex_search_query_match(&s->match, s->q);
	opex_search_query_match_excluded(&s->excluded, s->q);
	opex_search_sql_filters(&s->filters, &s->params, s->q);
	opex_search_sql_audience(&s->filters, &s->params, opts);
	opex_search_sql_audience(&s->audience, &s->audience_params, opts);
	if (s->match.failed || s->excluded.failed || s->filters.failed ||
	    s->audience.failed)
		return opex_error_set(err, OPEX_ETOOBIG, "query is too large");
	return 0;
}

/* A match as the one pass of a search with facets reads it. */
typedef struct match {
	sqlite3_int64 id;
	double score;
} match;

/* Ranked order: best (lowest) score first, then by id. */
static bool match_before(const match *a, const match *b)
{
	return a->score < b->score || (a->score == b->score && a->id < b->id);
}

static int match_cmp(const void *a, const void *b)
{
	return match_before(a, b) ? -1 : match_before(b, a) ? 1 : 0;
}

/* Sift `m[i]` down the heap of `n` whose root is the worst match. */
static void sift_down(match *m, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, worst = i;

		if (l < n && match_before(&m[worst], &m[l]))
			worst = l;
		if (r < n && match_before(&m[worst], &m[r]))
			worst = r;
		if (worst == i)
			return;
		match t = m[i];
		m[i] = m[worst];
		m[worst] = t;
		i = worst;
	}
}

/* The best `k` of `m[0..n)` into `best`, in ranked order; their count. */
static size_t best_of(match *best, const match *m, size_t n, size_t k)
{
	size_t i, h = 0;

	if (k == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (h < k) {
			size_t j = h++;

			best[j] = m[i];
			while (j > 0 && match_before(&best[(j - 1) / 2], &best[j])) {
				match t = best[j];

				best[j] = best[(j - 1) / 2];
				best[(j - 1) / 2] = t;
				j = (j - 1) / 2;
			}
		} else if (match_before(&m[i], &best[0])) {
			best[0] = m[i];
			sift_down(best, h, 0);
		}
	}
	qsort(best, h, sizeof(*best), match_cmp);
	return h;
}

/* Every match the reader may see, in the order FTS5 gives them. */
static int read_matches(match **out, size_t *count, search_ctx *s,
	opex_error *err)
{
	opex_buf sql = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int error, rc;

	*out = NULL;
	*count = 0;
	opex_search_sql_hits(&sql, s->q, true);
	if (s->filters.len == 0)
		opex_buf_puts(&sql, "SELECT id, score FROM hits");
	else
		opex_buf_printf(&sql, "SELECT h.id, h.score FROM hits h"
			" JOIN doc d ON d.id = h.id WHERE 1%s", s->filters.ptr);
	error = opex_search_prepare(&st, s, sql.ptr, err);
	while (error == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		opex_array_grow((void **)out, &cap, *count + 1, sizeof(**out));
		(*out)[*count].id = sqlite3_column_int64(st, 0);
		(*out)[*count].score = sqlite3_column_double(st, 1);
		(*count)++;
	}
	if (error == 0 && rc != SQLITE_DONE)
		error = opex_search_db_error(s->ix, err, "search");
	opex_search_db_finish(s->ix, st);
	opex_buf_release(&sql);
	return error;
}

/* The article row of a page hit, by id. */
static int read_hit(opex_search_hit *hit, bool *stemmed, search_ctx *s,
	sqlite3_stmt *st, const match *m, opex_error *err)
{
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_int64(st, 2, s->now);
	if (sqlite3_step(st) != SQLITE_ROW)
		return opex_search_db_error(s->ix, err, "search");
	memset(hit, 0, sizeof(*hit));
	hit->score = m->score;
	hit->path = opex_search_db_column_dup(st, 0);
	hit->title = opex_search_db_column_dup(st, 1);
	hit->language = opex_search_db_column_dup(st, 2);
	hit->owner = opex_search_db_column_dup(st, 3);
	hit->journey = opex_search_db_column_dup(st, 4);
	hit->stale = sqlite3_column_int(st, 5) != 0;
	*stemmed = sqlite3_column_int(st, 6) != 0;
	return 0;
}

/*
 * The page, the total up to the bound and, when asked, the facets over
 * the first `bound` matches (in the order FTS5 gives them, see facets.c),
 * from one read of the matches: a second MATCH for the count would merge
 * the doclists of a prefix or a common word again.
 */
static int read_page(opex_search_result *out, sqlite3_int64 **ids,
	bool **stemmed, search_ctx *s, size_t limit, size_t offset, bool facets,
	opex_error *err)
{
	match *all = NULL, *best = NULL;
	sqlite3_int64 *counted = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0, k, shown, i, tallied;
	int error = read_matches(&all, &n, s, err);

	if (error < 0 || n == 0)
		goto done;
	tallied = n > s->bound ? s->bound : n;
	out->total_capped = n > s->bound;
	out->total = tallied;
	if (facets) {
		counted = opex_calloc(tallied + 1, sizeof(*counted));
		for (i = 0; i < tallied; i++)
			counted[i] = all[i].id;
		error = opex_search_facets_count(out, s->ix, counted, tallied, err);
	}
	if (error < 0 || offset >= n)
		goto done;
	k = offset + limit < n ? offset + limit : n;
	best = opex_calloc(k + 1, sizeof(*best));
	k = best_of(best, all, n, k);
	shown = k - offset;
	out->hits = opex_calloc(shown + 1, sizeof(*out->hits));
	*ids = opex_calloc(shown + 1, sizeof(**ids));
	*stemmed = opex_calloc(shown + 1, sizeof(**stemmed));
	error = opex_search_db_prepare(&st, s->ix, "SELECT path, title, language,"
		" owner, journey, stale_after < ?2, stemmed FROM doc WHERE id = ?1",
		err);
	for (i = 0; error == 0 && i < shown; i++) {
		error = read_hit(&out->hits[i], &(*stemmed)[i], s, st,
			&best[offset + i], err);
		if (error == 0) {
			(*ids)[i] = best[offset + i].id;
			out->hit_count++;
		}
	}
	opex_search_db_finish(s->ix, st);
done:
	opex_free(all);
	opex_free(best);
	opex_free(counted);
	return error;
}

int opex_search_run(opex_search_result *out, opex_search_index *ix,
	const opex_search_query *q, const opex_search_options *opts,
	opex_error *err)
{
	opex_search_options defaults = OPEX_SEARCH_OPTIONS_INIT;
	search_ctx s;
	opex_buf rev = OPEX_BUF_INIT(64);
	sqlite3_int64 *ids = NULL;
	bool *stemmed = NULL, in_txn = false;
	size_t limit;
	double start = opex_time_monotonic_ms();
	int error;

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
	s.bound = opts->count_bound ? opts->count_bound : OPEX_LIMIT_SEARCH_COUNT;
	limit = opts->limit > OPEX_LIMIT_SEARCH_PAGE ? OPEX_LIMIT_SEARCH_PAGE
		: opts->limit;
	if (!ix->schema_ok) {
		error = opex_error_set(err, OPEX_EINVALID,
			"index '%s' was built by another version: rebuild it", ix->path);
		goto done;
	}
	error = context_build(&s, opts, err);
	if (error < 0)
		goto done;
	/* One read transaction: ranking, count, facets and snippets agree. */
	error = opex_search_db_exec(ix, "BEGIN", "search", err);
	if (error < 0)
		goto done;
	in_txn = true;
	error = opex_search_meta_get(&rev, ix, "revision", err);
	if (error < 0)
		goto done;
	snprintf(out->revision, sizeof(out->revision), "%s", rev.ptr);
	error = read_page(out, &ids, &stemmed, &s, limit, opts->offset,
		opts->facets, err);
	/* The page is known: now, and only now, snippets and sections. */
	if (error == 0)
		error = opex_search_hits_fill(out, &s, ids, stemmed, opts, err);
	if (error < 0)
		goto done;
	if (opts->suggest && out->total == 0)
		error = opex_search_suggest(&out->suggestion, &s, err);
done:
	if (in_txn)
		sqlite3_exec(ix->db, "COMMIT", NULL, NULL, NULL);
	out->took_ms = opex_time_monotonic_ms() - start;
	opex_free(ids);
	opex_free(stemmed);
	opex_buf_release(&rev);
	opex_buf_release(&s.match);
	opex_buf_release(&s.excluded);
	opex_buf_release(&s.filters);
	opex_buf_release(&s.audience);
	return error;
}

static void free_facets(opex_search_facet *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		opex_free(f[i].value);
	opex_free(f);
}

void opex_search_result_release(opex_search_result *r)
{
	size_t i;

	for (i = 0; i < r->hit_count; i++) {
		opex_search_hit *h = &r->hits[i];

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
