/*
 * api.c: the JSON API (jansson). Shapes:
 *
 *   GET /api/articles           {revision, articles: [ARTICLE-BRIEF]}
 *   GET /api/articles/{path}    ARTICLE-BRIEF + {html, markets, tags, teams,
 *                               visibility, history: {last_change: {commit,
 *                               author, time}, verified_at, stale,
 *                               review_every_days}, source, translations:
 *                               [{path, language, title, outdated}], lint}
 *   GET /api/replies/{path}     the same, and {channel, text}: the text an
 *                               agent pastes (GET /api/replies: replies.c)
 *   GET /api/processes          {revision, processes: [{path, title, owner,
 *                               champion, journey, steps, errors, warnings}]}
 *   GET /api/processes/{path}   {path, title, owner, champion, journey,
 *                               nodes: [{id, label, kind, article, process,
 *                               role}], edges: [{from, to, label}], lanes,
 *                               lint: [DIAG], articles: [{path, title}]}
 *   GET /api/health             {revision, articles, lint: {errors,
 *                               warnings, infos}, problems: [{kind, path,
 *                               title, owner, detail}], zero_result_searches:
 *                               [{query, count}] (readers who see everything)}
 *   GET /healthz                {status: "ok", revision}
 *   GET /metrics                Prometheus text (metrics.c)
 *
 *   ARTICLE-BRIEF  {path, title, language, owner, journey, translation_of,
 *                   stale, outdated, verified_at}
 *   DIAG           {path, line, column, severity, rule, message}
 *
 * {path} is relative to articles/ or processes/; "articles/..." and
 * "processes/..." are accepted too. A restricted article answers 404,
 * exactly like a missing one.
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/limits.h"
#include "core/path.h"
#include "core/str.h"
#include "core/time.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/renderer.h"

#include "core/banned.h"

static json_t *strings(char *const *items, size_t count)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < count; i++)
		json_array_append_new(a, opex_server_json_text(items[i]));
	return a;
}

static json_t *diag_json(const opex_diag *d)
{
	return json_pack("{s:o,s:I,s:I,s:s,s:o,s:o}",
		"path", opex_server_json_text(d->path), "line", (json_int_t)d->line,
		"column", (json_int_t)d->col,
		"severity", opex_severity_name(d->severity),
		"rule", opex_server_json_text(d->rule), "message", opex_server_json_text(d->message));
}

static json_t *article_brief(const opex_kb_article *a)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:b,s:I}",
		"path", opex_server_json_text(a->path), "title", opex_server_json_text(a->title),
		"language", opex_server_json_text(a->language), "owner", opex_server_json_text(a->owner),
		"journey", opex_server_json_text(a->journey),
		"translation_of", opex_server_json_text(a->translation_of),
		"stale", a->stale, "outdated", a->outdated,
		"verified_at", (json_int_t)a->verified_at);
}

static const char *visibility_name(opex_kb_visibility v)
{
	return v == OPEX_KB_VISIBILITY_PUBLIC ? "public"
		: v == OPEX_KB_VISIBILITY_PARTNERS ? "partners" : "internal";
}

/* The handbook path for {path} under `dir`, or NULL if it is not clean. */
void opex_server_api_healthz(opex_server_ctx *ctx)
{
	opex_server_json_send(ctx, json_pack("{s:s,s:s}", "status", "ok",
		"revision", ctx->snap->commit), 200);
}

void opex_server_api_metrics(opex_server_ctx *ctx)
{
	opex_server_metrics_render(&ctx->res->body, &ctx->server->metrics,
		ctx->snap);
	opex_server_kpi_metrics(&ctx->res->body, ctx);
	opex_server_acks_metrics(&ctx->res->body, ctx);
	ctx->res->status = 200;
	ctx->res->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

void opex_server_api_articles(opex_server_ctx *ctx)
{
	const opex_kb_handbook *hb = ctx->snap->hb;
	json_t *list = json_array();
	size_t i, n = opex_kb_handbook_article_count(hb);

	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);

		if (a->kind == OPEX_KB_KIND_ARTICLE &&
		    opex_server_can_see(&ctx->who, a))
			json_array_append_new(list, article_brief(a));
	}
	opex_server_json_send(ctx,
		json_pack("{s:s,s:o}", "revision", ctx->snap->commit,
		"articles", list), 200);
}

/* The article at ctx->rest if the reader may see it, else NULL (404 sent). */
static void api_doc(opex_server_ctx *ctx, opex_kb_kind kind)
{
	const opex_kb_handbook *hb = ctx->snap->hb;
	const opex_kb_article *a = opex_server_find_article(ctx, kind, true);
	const opex_kb_article *source = NULL;
	opex_buf html = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	json_t *root, *history, *translations, *lint;
	const opex_kb_article *const *others;
	const char *root_path;
	size_t i, n;

	if (a == NULL)
		goto done;
	if (opex_render_article_html(&html, a, &err) < 0) {
		opex_server_json_error(ctx, 413, "%s", err.message);
		goto done;
	}
	root = article_brief(a);
	json_object_set_new(root, "html", json_stringn(html.ptr, html.len));
	json_object_set_new(root, "markets", strings(a->markets, a->market_count));
	json_object_set_new(root, "tags", strings(a->tags, a->tag_count));
	json_object_set_new(root, "teams", strings(a->teams, a->team_count));
	json_object_set_new(root, "visibility",
		json_string(visibility_name(a->visibility)));
	if (kind == OPEX_KB_KIND_REPLY) {
		opex_str t = opex_kb_reply_text(a);

		json_object_set_new(root, "channel", opex_server_json_text(a->channel));
		json_object_set_new(root, "text", json_stringn(t.ptr, t.len));
	}
	history = json_pack("{s:o,s:I,s:b,s:I}",
		"last_change", a->last_change
		? json_pack("{s:s,s:o,s:I}", "commit", a->last_change->id,
			"author", opex_server_json_text(a->last_change->author_name),
			"time", (json_int_t)a->last_change->time)
		: json_null(),
		"verified_at", (json_int_t)a->verified_at,
		"stale", a->stale,
		"review_every_days", (json_int_t)(a->review_every / OPEX_DAY_SECONDS));
	json_object_set_new(root, "history", history);
	if (a->translation_of) {
		source = opex_kb_handbook_find(hb, a->translation_of);
		if (source && !opex_server_can_see(&ctx->who, source))
			source = NULL;
	}
	json_object_set_new(root, "source",
		source ? article_brief(source) : json_null());
	root_path = source ? source->path : a->path;
	translations = json_array();
	n = opex_kb_handbook_translations(&others, hb, root_path);
	for (i = 0; i < n; i++) {
		const opex_kb_article *t = others[i];

		if (t == a || !opex_server_can_see(&ctx->who, t))
			continue;
		json_array_append_new(translations, json_pack("{s:o,s:o,s:o,s:b}",
			"path", opex_server_json_text(t->path), "language", opex_server_json_text(t->language),
			"title", opex_server_json_text(t->title), "outdated", t->outdated));
	}
	json_object_set_new(root, "translations", translations);
	opex_server_diags_for(&diags, ctx->snap, a->path);
	lint = json_array();
	for (i = 0; i < diags.count; i++)
		json_array_append_new(lint, diag_json(&diags.items[i]));
	json_object_set_new(root, "lint", lint);
	opex_server_json_send(ctx, root, 200);
done:
	opex_diag_list_release(&diags);
	opex_buf_release(&html);
}

void opex_server_api_article(opex_server_ctx *ctx)
{
	api_doc(ctx, OPEX_KB_KIND_ARTICLE);
}

void opex_server_api_reply(opex_server_ctx *ctx)
{
	api_doc(ctx, OPEX_KB_KIND_REPLY);
}

static size_t count_severity(const opex_server_snapshot *snap,
	const char *path, opex_severity sev)
{
	size_t i, count, n = 0;
	const opex_diag *d = opex_server_diags_of(snap, path, &count);

	for (i = 0; i < count; i++)
		n += d[i].severity == sev;
	return n;
}

void opex_server_api_processes(opex_server_ctx *ctx)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < ctx->snap->map_count; i++) {
		const opex_server_map *m = &ctx->snap->maps[i];
		const opex_pm_map *map = m->map;

		json_array_append_new(list, json_pack("{s:s,s:o,s:o,s:o,s:o,s:I,s:I,s:I}",
			"path", m->path,
			"title", opex_server_json_text(map ? opex_pm_map_attr(map, OPEX_PM_ATTR_TITLE) : NULL),
			"owner", opex_server_json_text(map ? opex_pm_map_attr(map, OPEX_PM_ATTR_OWNER) : NULL),
			"champion", opex_server_json_text(map ? opex_pm_map_attr(map, OPEX_PM_ATTR_CHAMPION) : NULL),
			"journey", opex_server_json_text(map ? opex_pm_map_attr(map, OPEX_PM_ATTR_JOURNEY) : NULL),
			"steps", (json_int_t)(map ? opex_pm_map_node_count(map) : 0),
			"errors", (json_int_t)count_severity(ctx->snap, m->path, OPEX_SEVERITY_ERROR),
			"warnings", (json_int_t)count_severity(ctx->snap, m->path, OPEX_SEVERITY_WARNING)));
	}
	opex_server_json_send(ctx,
		json_pack("{s:s,s:o}", "revision", ctx->snap->commit,
		"processes", list), 200);
}

void opex_server_api_process(opex_server_ctx *ctx)
{
	const opex_server_map *m = opex_server_find_map(ctx, ctx->rest, true);
	const opex_kb_handbook *hb = ctx->snap->hb;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	json_t *nodes, *edges, *lanes, *lint, *articles;
	const opex_pm_map *map;
	size_t i;

	if (m == NULL)
		return;
	map = m->map;
	nodes = json_array();
	edges = json_array();
	lanes = json_array();
	articles = json_array();
	for (i = 0; map && i < opex_pm_map_node_count(map); i++) {
		const opex_pm_node *n = opex_pm_map_node(map, i);
		const opex_kb_article *a = n->article
			? opex_kb_handbook_find(hb, n->article) : NULL;
		bool visible = a == NULL || opex_server_can_see(&ctx->who, a);

		json_array_append_new(nodes, json_pack("{s:o,s:o,s:s,s:o,s:o,s:o}",
			"id", opex_server_json_text(n->id), "label", opex_server_json_text(n->label),
			"kind", opex_pm_kind_name(n->kind),
			"article", opex_server_json_text(visible ? n->article : NULL),
			"process", opex_server_json_text(n->process), "role", opex_server_json_text(n->role)));
		if (a != NULL && visible)
			json_array_append_new(articles, json_pack("{s:o,s:o,s:o,s:b}",
				"step", opex_server_json_text(n->id), "path", opex_server_json_text(a->path),
				"title", opex_server_json_text(a->title), "stale", a->stale));
	}
	for (i = 0; map && i < opex_pm_map_edge_count(map); i++) {
		const opex_pm_edge *e = opex_pm_map_edge(map, i);

		json_array_append_new(edges, json_pack("{s:o,s:o,s:o}",
			"from", opex_server_json_text(opex_pm_map_node(map, e->tail)->id),
			"to", opex_server_json_text(opex_pm_map_node(map, e->head)->id),
			"label", opex_server_json_text(e->label)));
	}
	for (i = 0; map && i < opex_pm_map_lane_count(map); i++) {
		const opex_pm_lane *l = opex_pm_map_lane(map, i);

		json_array_append_new(lanes, json_pack("{s:o,s:o,s:o}",
			"id", opex_server_json_text(l->id), "role", opex_server_json_text(l->role),
			"label", opex_server_json_text(l->label)));
	}
	opex_server_diags_for(&diags, ctx->snap, m->path);
	lint = json_array();
	for (i = 0; i < diags.count; i++)
		json_array_append_new(lint, diag_json(&diags.items[i]));
	opex_server_json_send(ctx,
		json_pack("{s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
		"path", m->path, "readable", map != NULL,
		"title", opex_server_json_text(map ? opex_pm_map_attr(map, OPEX_PM_ATTR_TITLE) : NULL),
		"owner", opex_server_json_text(map ? opex_pm_map_attr(map, OPEX_PM_ATTR_OWNER) : NULL),
		"champion", opex_server_json_text(map ? opex_pm_map_attr(map, OPEX_PM_ATTR_CHAMPION) : NULL),
		"journey", opex_server_json_text(map ? opex_pm_map_attr(map, OPEX_PM_ATTR_JOURNEY) : NULL),
		"nodes", nodes, "edges", edges, "lanes", lanes, "lint", lint,
		"articles", articles), 200);
	opex_diag_list_release(&diags);
}

void opex_server_api_health(opex_server_ctx *ctx)
{
	opex_render_health health;
	json_t *problems = json_array(), *root;
	size_t i;

	opex_server_health_build(&health, ctx,
		opex_server_param_get(ctx, "sort"));
	for (i = 0; i < health.count; i++) {
		const opex_render_health_row *r = &health.rows[i];

		json_array_append_new(problems, json_pack("{s:o,s:o,s:o,s:o,s:o}",
			"kind", opex_server_json_text(r->kind), "path", opex_server_json_text(r->path),
			"title", opex_server_json_text(r->title), "owner", opex_server_json_text(r->owner),
			"detail", opex_server_json_text(r->detail)));
	}
	root = json_pack("{s:s,s:I,s:{s:I,s:I,s:I},s:o}",
		"revision", ctx->snap->commit,
		"articles", (json_int_t)health.articles,
		"lint", "errors", (json_int_t)health.errors,
		"warnings", (json_int_t)health.warnings,
		"infos", (json_int_t)health.infos,
		"problems", problems);
	if (health.misses != NULL) {
		json_t *misses = json_array();

		for (i = 0; i < health.miss_count; i++)
			json_array_append_new(misses, json_pack("{s:o,s:I}",
				"query", opex_server_json_text(health.misses[i]),
				"count", (json_int_t)health.miss_counts[i]));
		json_object_set_new(root, "zero_result_searches", misses);
	}
	opex_server_json_send(ctx, root, 200);
}
