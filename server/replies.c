/*
 * replies.c: the quick texts agents paste into tickets.
 *
 *   | path                                  | answer                            |
 *   |---------------------------------------|-----------------------------------|
 *   | /replies?lang=&channel=&journey=      | page: one row per reply, in the    |
 *   |                                       | chosen language where it exists,  |
 *   |                                       | with a Copy button                |
 *   | /api/replies?channel=&journey=       | {revision, replies: [REPLY]}      |
 *
 *   REPLY  {path, title, channel, journey, owner, language, stale, outdated,
 *           text, placeholders: [name], missing: [language],
 *           variants: [{path, language, title, outdated, stale, text}]}
 *
 * A row is a source reply (one that translates nothing) the reader may
 * see; its variants are the translations they may see. One reply page,
 * /replies/{path}, is the article page (web.c).
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/memory.h"
#include "core/str.h"

#include <jansson.h>
#include <string.h>

#include "renderer/renderer.h"

#include "core/banned.h"

typedef struct reply_filter {
	const char *language, *channel, *journey; /* NULL: any */
} reply_filter;

static const char *param(const opex_server_ctx *ctx, const char *name)
{
	const char *v = opex_server_param_get(ctx, name);

	return v && *v ? v : NULL;
}

static reply_filter read_filter(const opex_server_ctx *ctx)
{
	reply_filter f;

	f.language = param(ctx, "lang");
	f.channel = param(ctx, "channel");
	f.journey = param(ctx, "journey");
	return f;
}

/* A source reply the reader may see and the filter takes. */
static bool row_wanted(const opex_server_ctx *ctx, const opex_kb_article *a,
	const reply_filter *f)
{
	const opex_kb_handbook *hb = ctx->snap->hb;

	if (a->kind != OPEX_KB_KIND_REPLY || !opex_server_can_see(&ctx->who, a))
		return false;
	if (a->translation_of && opex_kb_handbook_find(hb, a->translation_of))
		return false;   /* listed under its source */
	if (f->channel && (a->channel == NULL || strcmp(a->channel, f->channel) != 0))
		return false;
	if (f->journey && (a->journey == NULL ||
			   opex_strcasecmp(a->journey, f->journey) != 0))
		return false;
	return true;
}

/* The languages `source` lacks, in the request's arena. */
static size_t missing_languages(const char ***out, opex_server_ctx *ctx,
	const opex_kb_article *source)
{
	const char **list = NULL;
	size_t n = opex_kb_reply_missing_languages(&list, ctx->snap->hb, source);

	*out = opex_arena_alloc(&ctx->arena, (n + 1) * sizeof(**out));
	memcpy((void *)*out, list, n * sizeof(*list));
	opex_free(list);
	return n;
}

void opex_server_page_replies(opex_server_ctx *ctx)
{
	const opex_kb_handbook *hb = ctx->snap->hb;
	size_t i, first, n = opex_kb_handbook_replies(hb, &first);
	reply_filter f = read_filter(ctx);
	opex_render_replies_view view;
	opex_render_reply_row *rows;
	opex_render_page page;

	rows = opex_arena_alloc(&ctx->arena, (n + 1) * sizeof(*rows));
	memset(&view, 0, sizeof(view));
	for (i = first; i < first + n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);
		opex_render_reply_row *row;

		if (!row_wanted(ctx, a, &f))
			continue;
		row = &rows[view.count++];
		row->source = a;
		row->shown = opex_server_reply_for(ctx, a->path, f.language);
		row->missing_count = missing_languages(&row->missing, ctx, a);
	}
	view.rows = rows;
	view.settings = opex_kb_handbook_settings(hb);
	view.language = f.language;
	view.channel = f.channel;
	view.journey = f.journey;
	opex_server_page_begin(ctx, &page, "Quick texts", "replies");
	opex_render_page_replies(&ctx->res->body, &view);
	opex_server_page_end(ctx, &page);
}

static json_t *text_of(const opex_kb_article *r)
{
	opex_str t = opex_kb_reply_text(r);
	json_t *v = json_stringn(t.ptr, t.len);

	return v ? v : json_string("?");
}

static json_t *maybe(const char *s)
{
	json_t *v = s ? json_string(s) : json_null();

	return v ? v : json_string("?");
}

static json_t *placeholder_names(const opex_kb_article *r)
{
	opex_kb_placeholders ph = OPEX_KB_PLACEHOLDERS_INIT;
	opex_str t = opex_kb_reply_text(r);
	json_t *list = json_array();
	size_t i, j;

	opex_kb_placeholders_scan(&ph, t.ptr, t.len);
	for (i = 0; i < ph.count; i++) {
		bool seen = false;

		for (j = 0; j < i && !seen; j++)
			seen = strcmp(ph.items[j].name, ph.items[i].name) == 0;
		if (!seen)
			json_array_append_new(list, maybe(ph.items[i].name));
	}
	opex_kb_placeholders_release(&ph);
	return list;
}

static json_t *reply_json(opex_server_ctx *ctx, const opex_kb_article *a)
{
	const opex_kb_article *const *list;
	const char **missing;
	json_t *variants = json_array(), *gaps = json_array();
	size_t i, n = opex_kb_handbook_translations(&list, ctx->snap->hb, a->path);

	for (i = 0; i < n; i++) {
		if (!opex_server_can_see(&ctx->who, list[i]))
			continue;
		json_array_append_new(variants, json_pack("{s:o,s:o,s:o,s:b,s:b,s:o}",
			"path", maybe(list[i]->path),
			"language", maybe(list[i]->language),
			"title", maybe(list[i]->title),
			"outdated", list[i]->outdated, "stale", list[i]->stale,
			"text", text_of(list[i])));
	}
	n = missing_languages(&missing, ctx, a);
	for (i = 0; i < n; i++)
		json_array_append_new(gaps, maybe(missing[i]));
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:b,s:o,s:o,s:o,s:o}",
		"path", maybe(a->path), "title", maybe(a->title),
		"channel", maybe(a->channel), "journey", maybe(a->journey),
		"owner", maybe(a->owner), "language", maybe(a->language),
		"stale", a->stale, "outdated", a->outdated,
		"text", text_of(a), "placeholders", placeholder_names(a),
		"missing", gaps, "variants", variants);
}

void opex_server_api_replies(opex_server_ctx *ctx)
{
	const opex_kb_handbook *hb = ctx->snap->hb;
	size_t i, first, n = opex_kb_handbook_replies(hb, &first);
	reply_filter f = read_filter(ctx);
	json_t *list = json_array();

	for (i = first; i < first + n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);

		if (row_wanted(ctx, a, &f))
			json_array_append_new(list, reply_json(ctx, a));
	}
	opex_server_json_send(ctx, json_pack("{s:s,s:o}", "revision",
		ctx->snap->commit, "replies", list), 200);
}
