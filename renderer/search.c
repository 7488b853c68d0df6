/*
 * search.c: search results, for people (text) and programs (JSON).
 *
 * Text, one block per hit:
 *
 *   1. Lost or stolen card                                   [stale]
 *      articles/cards/lost-card.md  en  maria  § Freezing the card
 *      … the customer can **freeze** the card from the app …
 *
 * then "3 of 12 results (0.8 ms)" and the facets, or, with no result,
 * "no results for this query" and "did you mean: ...".
 */
#include "renderer/renderer_int.h"

#include <string.h>

#include "core/banned.h"

/* Append `s` without control characters except ESC sequences we own. */
static void put_clean(opex_buf *out, const char *s)
{
	size_t start = 0, i;

	if (s == NULL) {
		opex_buf_putc(out, '-');
		return;
	}
	for (i = 0; s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch == 0x7F) {
			opex_buf_put(out, s + start, i - start);
			opex_buf_putc(out, ' ');
			start = i + 1;
		}
	}
	opex_buf_put(out, s + start, i - start);
}

static void put_facets(opex_buf *out, const char *name,
	const opex_search_facet *f, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	opex_buf_printf(out, "  %s:", name);
	for (i = 0; i < n && i < 12; i++) {
		opex_buf_putc(out, ' ');
		put_clean(out, f[i].value);
		opex_buf_printf(out, " (%zu)", f[i].count);
	}
	if (n > 12)
		opex_buf_puts(out, " ...");
	opex_buf_putc(out, '\n');
}

void opex_render_search_total(opex_buf *out, const opex_search_result *r)
{
	opex_render_count(out, r->total);
	if (r->total_capped)
		opex_buf_putc(out, '+');
}

void opex_render_search_text(opex_buf *out, const opex_search_result *r,
	size_t offset)
{
	size_t i;

	for (i = 0; i < r->hit_count; i++) {
		const opex_search_hit *h = &r->hits[i];

		opex_buf_printf(out, "%zu. ", offset + i + 1);
		put_clean(out, h->title ? h->title : h->path);
		if (h->stale)
			opex_buf_puts(out, "  [stale]");
		opex_buf_puts(out, "\n   ");
		put_clean(out, h->path);
		opex_buf_puts(out, "  ");
		put_clean(out, h->language);
		opex_buf_puts(out, "  ");
		put_clean(out, h->owner);
		if (h->section) {
			opex_buf_puts(out, "  \xC2\xA7 ");
			put_clean(out, h->section);
		}
		opex_buf_putc(out, '\n');
		if (h->snippet && *h->snippet) {
			opex_buf_puts(out, "   ");
			/* The snippet may hold the caller's terminal marks. */
			opex_buf_puts(out, h->snippet);
			opex_buf_putc(out, '\n');
		}
		opex_buf_putc(out, '\n');
	}
	if (r->hit_count == 0) {
		if (r->total > 0) {
			opex_buf_puts(out, "no results on this page (");
			opex_render_search_total(out, r);
			opex_buf_puts(out, " in all)\n");
		}
		else
			opex_buf_puts(out, "no results\n");
		if (r->suggestion) {
			opex_buf_puts(out, "did you mean: ");
			put_clean(out, r->suggestion);
			opex_buf_putc(out, '\n');
		}
		return;
	}
	opex_buf_printf(out, "%zu-%zu of ", offset + 1, offset + r->hit_count);
	opex_render_search_total(out, r);
	opex_buf_printf(out, " result%s at %.10s (%.1f ms)\n",
		r->total == 1 && !r->total_capped ? "" : "s", r->revision, r->took_ms);
	put_facets(out, "language", r->languages, r->language_count);
	put_facets(out, "journey", r->journeys, r->journey_count);
	put_facets(out, "market", r->markets, r->market_count);
}

static json_t *facet_json(const opex_search_facet *f, size_t n)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:o, s:I}",
			"value", opex_render_json_text(f[i].value),
			"count", (json_int_t)f[i].count));
	return list;
}

int opex_render_search_json(opex_buf *out, const opex_search_result *r,
	const opex_search_query *query, const char *query_text, size_t offset,
	size_t limit, opex_error *err)
{
	json_t *root = json_object(), *results = json_array(), *warnings = json_array();
	size_t i;

	for (i = 0; i < r->hit_count; i++) {
		const opex_search_hit *h = &r->hits[i];
		json_t *o = json_object();

		json_object_set_new(o, "path", opex_render_json_text(h->path));
		json_object_set_new(o, "type", json_string(
			opex_kb_path_kind(h->path) == OPEX_KB_KIND_REPLY
			? "reply" : "article"));
		json_object_set_new(o, "title", opex_render_json_text(h->title));
		json_object_set_new(o, "language", opex_render_json_text(h->language));
		json_object_set_new(o, "owner", opex_render_json_text(h->owner));
		json_object_set_new(o, "journey", opex_render_json_text(h->journey));
		json_object_set_new(o, "stale", json_boolean(h->stale));
		json_object_set_new(o, "score", json_real(h->score));
		json_object_set_new(o, "section", opex_render_json_text(h->section));
		json_object_set_new(o, "snippet", opex_render_json_text(h->snippet));
		json_array_append_new(results, o);
	}
	for (i = 0; query && i < opex_search_query_warning_count(query); i++)
		json_array_append_new(warnings,
			opex_render_json_text(opex_search_query_warning(query, i)));
	json_object_set_new(root, "query", opex_render_json_text(query_text));
	json_object_set_new(root, "revision", opex_render_json_text(r->revision));
	json_object_set_new(root, "total", json_integer((json_int_t)r->total));
	json_object_set_new(root, "total_exact", json_boolean(!r->total_capped));
	json_object_set_new(root, "offset", json_integer((json_int_t)offset));
	json_object_set_new(root, "limit", json_integer((json_int_t)limit));
	json_object_set_new(root, "took_ms", json_real(r->took_ms));
	json_object_set_new(root, "results", results);
	json_object_set_new(root, "facets", json_pack("{s:o, s:o, s:o}",
		"language", facet_json(r->languages, r->language_count),
		"journey", facet_json(r->journeys, r->journey_count),
		"market", facet_json(r->markets, r->market_count)));
	json_object_set_new(root, "suggestion", opex_render_json_text(r->suggestion));
	json_object_set_new(root, "warnings", warnings);
	return opex_render_json_emit(out, root, "search results", err);
}
