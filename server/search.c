/*
 * search.c: GET /api/search and the search behind /search, over the kb
 * FTS5 index (<git-dir>/opex/index.sqlite).
 *
 *   GET /api/search?q=&lang=&journey=&market=&limit=&offset=
 *   -> {revision, total, took, results: [{path, title, language, owner,
 *       journey, stale, section, snippet, score}], suggestions: [...],
 *       facets: {language|journey|market: [{value, count}]}, warnings}
 *
 * The index connections and the misses live in index.c.
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

bool opex_server_search_run(opex_search_result *out, opex_server_ctx *ctx,
	bool api)
{
	static const char *const filters[] = { "lang", "journey", "market" };
	opex_search_options opts = OPEX_SEARCH_OPTIONS_INIT;
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_HTTP_URL_BYTES);
	opex_search_query *query = NULL;
	opex_search_index *index;
	opex_error err = OPEX_ERROR_INIT;
	const char *q = opex_server_param_get(ctx, "q");
	bool ok = false;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!parse_size(&opts.limit, opex_server_param_get(ctx, "limit"),
		OPEX_LIMIT_SEARCH_PAGE) || opts.limit == 0 ||
	    !parse_size(&opts.offset, opex_server_param_get(ctx, "offset"),
		1000000)) {
		fail(ctx, api, 400, "limit must be 1 to 1000, offset 0 to 1000000");
		goto done;
	}
	opex_buf_puts(&text, q ? q : "");
	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		const char *v = opex_server_param_get(ctx, filters[i]);

		if (v == NULL || *v == '\0')
			continue;
		if (!filter_ok(v)) {
			fail(ctx, api, 400, "a filter value may hold letters, digits, '-', '_' and '.' only");
			goto done;
		}
		opex_buf_printf(&text, " %s:%s", filters[i], v);
	}
	if (text.failed || opex_str_trim(opex_str_from(text.ptr)).len == 0) {
		fail(ctx, api, 400, "give something to search for in q");
		goto done;
	}
	audience(&opts, ctx);
	index = opex_server_index_thread(ctx->server);
	if (index == NULL) {
		fail(ctx, api, 404, "search is off: the index cannot be opened");
		goto done;
	}
	if (opex_search_query_parse(&query, text.ptr, text.len, &err) < 0) {
		fail(ctx, api, 400, err.message);
		goto done;
	}
	opts.mark_open = "<mark>";
	opts.mark_close = "</mark>";
	opts.escape = opex_html_escape;
	if (opex_search_run(out, index, query, &opts, &err) < 0) {
		fail(ctx, api, 400, err.message);
		goto done;
	}
	if (out->total == 0)
		opex_server_index_miss(ctx->server, text.ptr);
	ok = true;
done:
	if (!ok)
		opex_search_result_release(out);
	opex_search_query_free(query);
	opex_buf_release(&text);
	return ok;
}

static json_t *text_json(const char *s)
{
	json_t *v;

	if (s == NULL)
		return json_null();
	v = json_string(s);
	return v ? v : json_string("?");
}

static json_t *facets_json(const opex_search_facet *f, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:o,s:I}", "value",
			text_json(f[i].value), "count", (json_int_t)f[i].count));
	return a;
}

void opex_server_api_search(opex_server_ctx *ctx)
{
	opex_search_result r;
	json_t *results, *suggestions, *root;
	size_t i;

	if (!opex_server_search_run(&r, ctx, true))
		return;
	results = json_array();
	for (i = 0; i < r.hit_count; i++) {
		const opex_search_hit *h = &r.hits[i];

		json_array_append_new(results, json_pack("{s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:f}",
			"path", text_json(h->path), "title", text_json(h->title),
			"language", text_json(h->language), "owner", text_json(h->owner),
			"journey", text_json(h->journey), "stale", h->stale,
			"section", text_json(h->section),
			"snippet", text_json(h->snippet), "score", h->score));
	}
	suggestions = json_array();
	if (r.suggestion)
		json_array_append_new(suggestions, text_json(r.suggestion));
	root = json_pack("{s:s,s:I,s:f,s:o,s:o,s:{s:o,s:o,s:o}}",
		"revision", r.revision, "total", (json_int_t)r.total,
		"took", r.took_ms, "results", results, "suggestions", suggestions,
		"facets", "language", facets_json(r.languages, r.language_count),
		"journey", facets_json(r.journeys, r.journey_count),
		"market", facets_json(r.markets, r.market_count));
	opex_server_json_send(ctx, root, 200);
	opex_search_result_release(&r);
}
