/*
 * search.c: GET /api/search and the search behind /search, over the kb
 * FTS5 index (<git-dir>/opex/index.sqlite).
 *
 *   GET /api/search?q=&lang=&journey=&market=&limit=&offset=
 *   -> {revision, total, total_exact, took, results: [{path, title, language, owner,
 *       journey, stale, section, snippet, score}], suggestions: [...],
 *       facets: {language|journey|market: [{value, count}]}, warnings}
 *
 * The index connections and the misses live in index.c. Answers of
 * /api/search are kept in a cache (cache.c) keyed by revision, reader,
 * text, page and day; a hit is marked `X-Opex-Cache: hit` and its "took"
 * is the time to answer from the cache. When searches the cache does not
 * hold have lately taken opts.slow_search_ms or more, such a
 * search is deferred (opex_server_defer) to the slow lane of http.c, so it
 * does not hold up the cached answers and pages of the same worker.
 *
 * Visibility: the search runs for the reader's audience (the rule of
 * auth.c: anonymous readers get public articles, partners partners ones
 * without teams, roster people everything not restricted to teams they
 * are not in). The index applies it inside its queries, so totals,
 * facets, suggestions and snippets only ever come from articles the
 * reader may see.
 *
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"
#include "core/time.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "renderer/renderer.h"

#include "core/banned.h"

static bool parse_size(size_t *out, const char *s, size_t max)
{
	char *end = NULL;
	unsigned long long v;

	if (s == NULL || *s == '\0')
		return true;
	if (*s < '0' || *s > '9')
		return false;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v > max)
		return false;
	*out = (size_t)v;
	return true;
}

/* A filter value: letters, digits, '-', '_' and '.' only. */
static bool filter_ok(const char *s)
{
	for (; s && *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		      *s == '.'))
			return false;
	return true;
}

static void fail(opex_server_ctx *ctx, bool api, unsigned status,
	const char *detail)
{
	if (api)
		opex_server_json_error(ctx, status, "%s", detail);
	else
		opex_server_html_error(ctx, status, "%s", detail);
}

/* Who the search is for (see the top of this file). */
static void audience(opex_search_options *opts, const opex_server_ctx *ctx)
{
	const opex_server_identity *who = &ctx->who;

	if (who->open || opex_server_sees_all(ctx)) {
		opts->audience = OPEX_SEARCH_AUDIENCE_ALL;
	} else if (who->person == NULL) {
		opts->audience = OPEX_SEARCH_AUDIENCE_PUBLIC;
	} else if (who->partner || who->member == NULL) {
		opts->audience = OPEX_SEARCH_AUDIENCE_PARTNER;
	} else {
		opts->audience = OPEX_SEARCH_AUDIENCE_MEMBER;
		opts->teams = (const char *const *)who->member->teams;
		opts->team_count = who->member->team_count;
	}
}

/* A validated search request: its text (with filters) and options. */
typedef struct search_request {
	opex_search_options opts;
	opex_buf text;
} search_request;

static bool search_prepare(search_request *sr, opex_server_ctx *ctx, bool api)
{
	static const char *const filters[] = { "lang", "journey", "market" };
	const char *q = opex_server_param_get(ctx, "q");
	size_t i;

	sr->opts = (opex_search_options)OPEX_SEARCH_OPTIONS_INIT;
	sr->text = (opex_buf)OPEX_BUF_INIT(OPEX_LIMIT_HTTP_URL_BYTES);
	if (!parse_size(&sr->opts.limit, opex_server_param_get(ctx, "limit"),
		OPEX_LIMIT_SEARCH_PAGE) || sr->opts.limit == 0 ||
	    !parse_size(&sr->opts.offset, opex_server_param_get(ctx, "offset"),
		1000000)) {
		fail(ctx, api, 400, "limit must be 1 to 1000, offset 0 to 1000000");
		return false;
	}
	opex_buf_puts(&sr->text, q ? q : "");
	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		const char *v = opex_server_param_get(ctx, filters[i]);

		if (v == NULL || *v == '\0')
			continue;
		if (!filter_ok(v)) {
			fail(ctx, api, 400, "a filter value may hold letters, digits, '-', '_' and '.' only");
			return false;
		}
		opex_buf_printf(&sr->text, " %s:%s", filters[i], v);
	}
	if (sr->text.failed || opex_str_trim(opex_str_from(sr->text.ptr)).len == 0) {
		fail(ctx, api, 400, "give something to search for in q");
		return false;
	}
	audience(&sr->opts, ctx);
	return true;
}

/* The moving average of the last eight or so; a lost update is harmless. */
static void note_search_time(opex_server *server, double took_ms)
{
	double avg = atomic_load_explicit(&server->search_ms, memory_order_relaxed);

	atomic_store_explicit(&server->search_ms, avg + (took_ms - avg) / 8.0,
		memory_order_relaxed);
}

static bool search_execute(opex_search_result *out, opex_server_ctx *ctx,
	search_request *sr, bool api)
{
	opex_search_query *query = NULL;
	opex_search_index *index;
	opex_error err = OPEX_ERROR_INIT;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (atomic_load_explicit(&ctx->server->search_ms, memory_order_relaxed) >=
		ctx->server->opts.slow_search_ms && opex_server_defer(ctx))
		return false;
	index = opex_server_index_thread(ctx->server);
	if (index == NULL) {
		fail(ctx, api, 404, "search is off: the index cannot be opened");
		goto done;
	}
	if (opex_search_query_parse(&query, sr->text.ptr, sr->text.len, &err) < 0) {
		fail(ctx, api, 400, err.message);
		goto done;
	}
	sr->opts.mark_open = "<mark>";
	sr->opts.mark_close = "</mark>";
	sr->opts.escape = opex_html_escape;
	if (opex_search_run(out, index, query, &sr->opts, &err) < 0) {
		fail(ctx, api, 400, err.message);
		goto done;
	}
	if (out->total == 0)
		opex_server_index_miss(ctx->server, sr->text.ptr);
	note_search_time(ctx->server, out->took_ms);
	ok = true;
done:
	if (!ok)
		opex_search_result_release(out);
	opex_search_query_free(query);
	return ok;
}

bool opex_server_search_run(opex_search_result *out, opex_server_ctx *ctx,
	bool api)
{
	search_request sr;
	bool ok;

	memset(out, 0, sizeof(*out));
	ok = search_prepare(&sr, ctx, api) && search_execute(out, ctx, &sr, api);
	opex_buf_release(&sr.text);
	return ok;
}

static json_t *facets_json(const opex_search_facet *f, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:o,s:I}", "value",
			opex_server_json_text(f[i].value), "count", (json_int_t)f[i].count));
	return a;
}

/* The answer without "took", as cached: {"revision":…, "total":…, …}. */
static json_t *answer_json(const opex_search_result *r)
{
	json_t *results = json_array(), *suggestions = json_array();
	size_t i;

	for (i = 0; i < r->hit_count; i++) {
		const opex_search_hit *h = &r->hits[i];

		json_array_append_new(results, json_pack("{s:o,s:s,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:f}",
			"path", opex_server_json_text(h->path),
			"type", opex_kb_path_kind(h->path) == OPEX_KB_KIND_REPLY
				? "reply" : "article",
			"title", opex_server_json_text(h->title),
			"language", opex_server_json_text(h->language), "owner", opex_server_json_text(h->owner),
			"journey", opex_server_json_text(h->journey), "stale", h->stale,
			"section", opex_server_json_text(h->section),
			"snippet", opex_server_json_text(h->snippet), "score", h->score));
	}
	if (r->suggestion)
		json_array_append_new(suggestions, opex_server_json_text(r->suggestion));
	return json_pack("{s:s,s:I,s:b,s:o,s:o,s:{s:o,s:o,s:o}}",
		"revision", r->revision, "total", (json_int_t)r->total,
		"total_exact", !r->total_capped,
		"results", results, "suggestions", suggestions,
		"facets", "language", facets_json(r->languages, r->language_count),
		"journey", facets_json(r->journeys, r->journey_count),
		"market", facets_json(r->markets, r->market_count));
}

/*
 * What a search answer depends on: the revision, who reads (audience and
 * teams), the text with its filters, the page and the day (staleness).
 */
static void cache_key(opex_buf *key, const opex_server_ctx *ctx,
	const search_request *sr)
{
	size_t i;

	opex_buf_printf(key, "%s\x1f%d", ctx->snap->commit, (int)sr->opts.audience);
	for (i = 0; i < sr->opts.team_count; i++)
		opex_buf_printf(key, ",%s", sr->opts.teams[i]);
	opex_buf_printf(key, "\x1f%zu\x1f%zu\x1f%lld\x1f", sr->opts.limit,
		sr->opts.offset, (long long)(time(NULL) / 86400));
	opex_buf_put(key, sr->text.ptr, sr->text.len);
}

/* Answer `answer` ({…} without "took") with "took" first. */
static void send_answer(opex_server_ctx *ctx, const char *answer, size_t len,
	double took_ms)
{
	opex_buf *body = &ctx->res->body;

	opex_buf_clear(body);
	opex_buf_printf(body, "{\"took\":%.3f,", took_ms);
	opex_buf_put(body, answer + 1, len - 1);
	opex_buf_putc(body, '\n');
	ctx->res->status = 200;
	ctx->res->content_type = "application/json";
}

void opex_server_api_search(opex_server_ctx *ctx)
{
	double start = opex_time_monotonic_ms();
	opex_buf key = OPEX_BUF_INIT(2 * OPEX_LIMIT_HTTP_URL_BYTES);
	opex_buf cached = OPEX_BUF_INIT(OPEX_SERVER_SEARCH_CACHE_BODY);
	opex_search_result r;
	search_request sr;
	json_t *root;
	char *dump = NULL;
	long total = 0;
	bool claimed = false;

	if (!search_prepare(&sr, ctx, true))
		goto done;
	cache_key(&key, ctx, &sr);
	/* A request that may be deferred does not wait for a claim here: it
	 * waits in the slow lane, leaving this thread to the cached answers. */
	if (!key.failed && (ctx->req->may_defer
		? opex_server_cache_get(&ctx->server->search_cache, key.ptr,
			&cached, &total)
		: opex_server_cache_get_or_claim(&ctx->server->search_cache,
			key.ptr, &cached, &total, &claimed))) {
		if (total == 0)   /* the zero-result searches stay counted */
			opex_server_index_miss(ctx->server, sr.text.ptr);
		opex_server_response_header(ctx->res, "X-Opex-Cache", "hit");
		send_answer(ctx, cached.ptr, cached.len,
			opex_time_monotonic_ms() - start);
		goto done;
	}
	if (!search_execute(&r, ctx, &sr, true))
		goto done;
	root = answer_json(&r);
	dump = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (dump == NULL || dump[0] != '{') {
		opex_server_json_error(ctx, 413, "the response cannot be encoded");
	} else {
		if (!key.failed)
			opex_server_cache_put(&ctx->server->search_cache, key.ptr,
				dump, strlen(dump), (long)r.total);
		send_answer(ctx, dump, strlen(dump), r.took_ms);
	}
	free(dump);
	opex_search_result_release(&r);
done:
	if (claimed)   /* after the put: those waiting find the answer */
		opex_server_cache_unclaim(&ctx->server->search_cache, key.ptr);
	opex_buf_release(&sr.text);
	opex_buf_release(&cached);
	opex_buf_release(&key);
}
