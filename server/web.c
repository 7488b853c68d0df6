/*
 * web.c: the HTML pages (drawn by renderer/pages.c), the flowchart SVG
 * and the embedded static files.
 *
 *   | path                       | page                                  |
 *   |----------------------------|---------------------------------------|
 *   | /, /search?q=              | search box, filters, 50 articles      |
 *   | /articles/{path}           | one article with owner and languages  |
 *   | /replies/{path}            | one quick text with its copy button   |
 *   | /processes                 | every process map                     |
 *   | /processes/{path}.dot      | flowchart, people, findings, articles |
 *   | /processes/{path}.dot.svg  | the flowchart alone                   |
 *   | /health?sort=COLUMN        | the KB health report                  |
 *   | /static/opex.css, .js      | embedded at build time                |
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/limits.h"
#include "core/path.h"

#include <stdlib.h>
#include <string.h>

#include "renderer/renderer.h"

#include "core/banned.h"

static int64_t changed_at(const opex_kb_article *a)
{
	return a->last_change ? a->last_change->time : 0;
}

/*
 * The articles the home page lists: all the reader may see when they fit,
 * in path order, else the OPEX_RENDER_HOME_ARTICLES most recently changed
 * (ties in path order), kept sorted by insertion: two passes, no sort of
 * the whole handbook.
 */
static size_t home_articles(const opex_kb_article **list, size_t *total,
	opex_server_ctx *ctx)
{
	const opex_kb_handbook *hb = ctx->snap->hb;
	size_t i, n = opex_kb_handbook_article_count(hb), count = 0, seen = 0;

	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);

		if (a->kind != OPEX_KB_KIND_ARTICLE ||
		    !opex_server_can_see(&ctx->who, a))
			continue;
		if (seen++ < OPEX_RENDER_HOME_ARTICLES)
			list[count++] = a;
	}
	*total = seen;
	if (seen <= OPEX_RENDER_HOME_ARTICLES)
		return count;
	count = 0;
	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);
		size_t at;

		if (a->kind != OPEX_KB_KIND_ARTICLE ||
		    !opex_server_can_see(&ctx->who, a))
			continue;
		if (count == OPEX_RENDER_HOME_ARTICLES &&
		    changed_at(a) <= changed_at(list[count - 1]))
			continue;
		at = count < OPEX_RENDER_HOME_ARTICLES ? count++ : count - 1;
		while (at > 0 && changed_at(list[at - 1]) < changed_at(a)) {
			list[at] = list[at - 1];
			at--;
		}
		list[at] = a;
	}
	return count;
}

void opex_server_page_home(opex_server_ctx *ctx)
{
	const opex_kb_handbook *hb = ctx->snap->hb;
	const opex_kb_article **list = opex_arena_alloc(&ctx->arena,
		OPEX_RENDER_HOME_ARTICLES * sizeof(*list));
	const char *q = opex_server_param_get(ctx, "q");
	opex_search_result result;
	bool searched = false;
	opex_render_page page;
	size_t count, total;

	count = home_articles(list, &total, ctx);
	memset(&result, 0, sizeof(result));
	if (q != NULL && *q != '\0') {
		if (!opex_server_search_run(&result, ctx, false))
			return;
		searched = true;
	}
	opex_server_page_begin(ctx, &page, "Search", "search");
	opex_render_page_home(&ctx->res->body, page.query,
		opex_kb_handbook_settings(hb), list, count, total,
		searched ? &result : NULL, NULL);
	opex_server_page_end(ctx, &page);
	opex_search_result_release(&result);
}

/* Add `r` to `list` unless it is there. */
static void add_once(const opex_kb_article **list, size_t *count,
	const opex_kb_article *r)
{
	size_t i;

	for (i = 0; i < *count; i++)
		if (list[i] == r)
			return;
	list[(*count)++] = r;
}

const opex_kb_article *opex_server_reply_for(opex_server_ctx *ctx,
	const char *path, const char *language)
{
	const opex_kb_handbook *hb = ctx->snap->hb;
	const opex_kb_article *r = opex_kb_handbook_find(hb, path), *v;

	if (r == NULL || r->kind != OPEX_KB_KIND_REPLY)
		return NULL;
	v = language ? opex_kb_handbook_translation(hb, r, language) : NULL;
	if (v != NULL && opex_server_can_see(&ctx->who, v))
		return v;
	return opex_server_can_see(&ctx->who, r) ? r : NULL;
}

/*
 * The steps that link the page's file (a translation: its source's), and
 * for an article the quick texts those steps name, in its language where
 * one exists.
 */
static void linked_steps(opex_render_article_view *view, opex_server_ctx *ctx,
	const char *doc)
{
	const opex_kb_article *a = view->article;
	const char *lang = opex_kb_article_language(a,
		opex_kb_handbook_settings(ctx->snap->hb));
	opex_render_step_ref *steps;
	const opex_kb_article **replies;
	const opex_server_step_link *links;
	size_t i, k, n = 0, reply_cap = 0;

	links = opex_server_steps_linking(ctx->snap, doc, &n);
	if (n == 0)
		return;
	steps = opex_arena_alloc(&ctx->arena, n * sizeof(*steps));
	for (i = 0; i < n; i++) {
		const opex_pm_node *node = links[i].node;

		steps[i].map_path = links[i].map->path;
		steps[i].map_title = opex_pm_map_attr(links[i].map->map,
			OPEX_PM_ATTR_TITLE);
		steps[i].step = node->label ? node->label : node->id;
		reply_cap += a->kind == OPEX_KB_KIND_ARTICLE ? node->reply_count : 0;
	}
	view->steps = steps;
	view->step_count = n;
	if (reply_cap == 0)
		return;
	replies = opex_arena_alloc(&ctx->arena, reply_cap * sizeof(*replies));
	for (i = 0; i < n; i++)
		for (k = 0; k < links[i].node->reply_count; k++) {
			const opex_kb_article *r = opex_server_reply_for(ctx,
				links[i].node->replies[k], lang);

			if (r != NULL)
				add_once(replies, &view->reply_count, r);
		}
	view->replies = replies;
}

/* The quick texts a map's steps name, as the reader may see them. */
static void process_replies(opex_render_process_view *view,
	opex_server_ctx *ctx, const opex_pm_map *map)
{
	const opex_kb_article **replies;
	size_t i, k, n = opex_pm_map_node_count(map), cap = 0;

	for (i = 0; i < n; i++)
		cap += opex_pm_map_node(map, i)->reply_count;
	if (cap == 0)
		return;
	replies = opex_arena_alloc(&ctx->arena, cap * sizeof(*replies));
	for (i = 0; i < n; i++) {
		const opex_pm_node *node = opex_pm_map_node(map, i);

		for (k = 0; k < node->reply_count; k++) {
			const opex_kb_article *r = opex_server_reply_for(ctx,
				node->replies[k], NULL);

			if (r != NULL)
				add_once(replies, &view->reply_count, r);
		}
	}
	view->replies = replies;
}

static void article_page(opex_server_ctx *ctx, opex_kb_kind kind)
{
	const opex_kb_handbook *hb = ctx->snap->hb;
	const opex_kb_article *a = opex_server_find_article(ctx, kind, false);
	opex_render_article_view view;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_render_page page;
	const opex_kb_article **others;
	const opex_kb_article *const *translations;
	const char *root;
	size_t i, n;

	if (a == NULL)
		return;
	memset(&view, 0, sizeof(view));
	view.article = a;
	view.owner = a->owner
		? opex_kb_roster_person(opex_kb_handbook_roster(hb), a->owner) : NULL;
	if (a->translation_of) {
		view.source = opex_kb_handbook_find(hb, a->translation_of);
		if (view.source && !opex_server_can_see(&ctx->who, view.source))
			view.source = NULL;
	}
	root = view.source ? view.source->path : a->path;
	n = opex_kb_handbook_translations(&translations, hb, root);
	others = opex_arena_alloc(&ctx->arena, (n + 1) * sizeof(*others));
	for (i = 0; i < n; i++)
		if (translations[i] != a &&
		    opex_server_can_see(&ctx->who, translations[i]))
			others[view.translation_count++] = translations[i];
	view.translations = others;
	linked_steps(&view, ctx, root);
	opex_server_diags_for(&diags, ctx->snap, a->path);
	view.diags = &diags;
	view.now = opex_kb_handbook_now(hb);
	opex_server_page_begin(ctx, &page, a->title ? a->title : a->path,
		kind == OPEX_KB_KIND_REPLY ? "replies" : "search");
	if (opex_render_page_article(&ctx->res->body, &view, &err) < 0)
		opex_server_html_error(ctx, 413, "%s", err.message);
	else
		opex_server_page_end(ctx, &page);
	opex_diag_list_release(&diags);
}

void opex_server_page_article(opex_server_ctx *ctx)
{
	article_page(ctx, OPEX_KB_KIND_ARTICLE);
}

void opex_server_page_reply(opex_server_ctx *ctx)
{
	article_page(ctx, OPEX_KB_KIND_REPLY);
}

void opex_server_page_processes(opex_server_ctx *ctx)
{
	const opex_server_snapshot *snap = ctx->snap;
	opex_render_process_row *rows = opex_arena_alloc(&ctx->arena,
		(snap->map_count + 1) * sizeof(*rows));
	opex_render_page page;
	size_t i, j;

	for (i = 0; i < snap->map_count; i++) {
		size_t count;
		const opex_diag *d = opex_server_diags_of(snap, snap->maps[i].path,
			&count);

		rows[i].path = snap->maps[i].path;
		rows[i].map = snap->maps[i].map;
		rows[i].errors = rows[i].warnings = 0;
		for (j = 0; j < count; j++) {
			if (d[j].severity == OPEX_SEVERITY_ERROR)
				rows[i].errors++;
			else if (d[j].severity == OPEX_SEVERITY_WARNING)
				rows[i].warnings++;
		}
	}
	opex_server_page_begin(ctx, &page, "Processes", "processes");
	opex_render_page_processes(&ctx->res->body, rows, snap->map_count);
	opex_server_page_end(ctx, &page);
}

/* True if every article the map links to is one the reader may see. */
static bool links_visible(const opex_server_ctx *ctx, const opex_pm_map *map)
{
	size_t i;

	for (i = 0; i < opex_pm_map_node_count(map); i++) {
		const opex_pm_node *n = opex_pm_map_node(map, i);

		if (n->article && !opex_server_can_see_path(&ctx->who,
			ctx->snap->hb, n->article))
			return false;
	}
	return true;
}

static int flowchart(opex_buf *out, opex_server_ctx *ctx,
	const opex_server_map *m, opex_error *err)
{
	opex_render_flowchart_options opts = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	const char *metric = opex_server_param_get(ctx, "kpi");
	opex_render_kpi_built overlay;
	opex_server_kpi *kpi = NULL;
	opex_buf key = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	const opex_kb_entry *blob;
	int error;

	memset(&overlay, 0, sizeof(overlay));
	/* ?kpi=METRIC: the heat map, for a reader who may see KPIs */
	if (metric != NULL && metric[0] != '\0') {
		kpi = opex_server_kpi_overlay(ctx, m->path,
			metric, &overlay);
		if (kpi != NULL)
			opts.kpi = &overlay.overlay;
	}
	opex_server_diags_for(&diags, ctx->snap, m->path);
	/* Steps link to article pages, unless a link would name an article
	 * this reader may not see: then the chart has no links at all. */
	opts.repo = links_visible(ctx, m->map)
		? opex_kb_handbook_repo(ctx->snap->hb) : NULL;
	opts.link_prefix = "/";
	opts.diags = &diags;
	opts.cache_dir = ctx->snap->cache_dir;
	/* A cached chart is found by the map's blob id, findings and links. */
	blob = opex_kb_repo_find(opex_kb_handbook_repo(ctx->snap->hb), m->path);
	if (blob != NULL && opts.kpi == NULL) {
		opex_render_flowchart_key(&key, blob->oid, m->map, opts.repo, &diags);
		if (!key.failed)
			opts.content_key = key.ptr;
	}
	error = opex_render_flowchart(out, m->map, &opts, err);
	opex_render_kpi_overlay_release(&overlay);
	opex_server_kpi_release(kpi);
	opex_diag_list_release(&diags);
	opex_buf_release(&key);
	return error;
}

void opex_server_page_process_svg(opex_server_ctx *ctx)
{
	size_t len = strlen(ctx->rest);
	const char *rest = opex_arena_strndup(&ctx->arena, ctx->rest, len - 4);
	const opex_server_map *m = opex_server_find_map(ctx, rest, false);
	opex_error err = OPEX_ERROR_INIT;

	if (m == NULL)
		return;
	if (m->map == NULL) {
		opex_server_html_error(ctx, 404, "'%s' cannot be drawn", m->path);
		return;
	}
	opex_buf_clear(&ctx->res->body);
	if (flowchart(&ctx->res->body, ctx, m, &err) < 0) {
		opex_server_html_error(ctx, 413, "%s", err.message);
		return;
	}
	ctx->res->status = 200;
	ctx->res->content_type = "image/svg+xml";
}

void opex_server_page_process(opex_server_ctx *ctx)
{
	const opex_kb_handbook *hb = ctx->snap->hb;
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);
	const opex_server_map *m;
	opex_render_process_view view;
	opex_render_page page;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_buf svg = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	const opex_kb_article **articles;
	size_t i, n, len = strlen(ctx->rest);
	const char *owner, *champion;

	if (len > 4 && strcmp(ctx->rest + len - 4, ".svg") == 0) {
		opex_server_page_process_svg(ctx);
		return;
	}
	m = opex_server_find_map(ctx, ctx->rest, false);
	if (m == NULL)
		goto done;
	memset(&view, 0, sizeof(view));
	view.path = m->path;
	view.map = m->map;
	opex_server_diags_for(&diags, ctx->snap, m->path);
	view.diags = &diags;
	if (m->map != NULL) {
		owner = opex_pm_map_attr(m->map, OPEX_PM_ATTR_OWNER);
		champion = opex_pm_map_attr(m->map, OPEX_PM_ATTR_CHAMPION);
		view.owner = owner ? opex_kb_roster_person(roster, owner) : NULL;
		view.champion = champion
			? opex_kb_roster_person(roster, champion) : NULL;
		if (flowchart(&svg, ctx, m, &err) == 0) {
			view.svg = svg.ptr;
			view.svg_len = svg.len;
		}
		n = opex_pm_map_node_count(m->map);
		articles = opex_arena_alloc(&ctx->arena, (n + 1) * sizeof(*articles));
		for (i = 0; i < n; i++) {
			const opex_pm_node *node = opex_pm_map_node(m->map, i);
			const opex_kb_article *a = node->article
				? opex_kb_handbook_find(hb, node->article) : NULL;
			size_t j;
			bool seen = false;

			if (a == NULL || !opex_server_can_see(&ctx->who, a))
				continue;
			for (j = 0; j < view.article_count; j++)
				seen = seen || articles[j] == a;
			if (!seen)
				articles[view.article_count++] = a;
		}
		view.articles = articles;
		process_replies(&view, ctx, m->map);
	}
	opex_server_page_begin(ctx, &page, view.map && opex_pm_map_attr(view.map, OPEX_PM_ATTR_TITLE)
		? opex_pm_map_attr(view.map, OPEX_PM_ATTR_TITLE) : m->path,
		"processes");
	opex_render_page_process(&ctx->res->body, &view);
	opex_server_kpi_process_section(ctx, m->path);
	opex_server_page_end(ctx, &page);
done:
	opex_buf_release(&svg);
	opex_diag_list_release(&diags);
}

typedef struct miss {
	const char *query;
	size_t count;
} miss;

static int by_times(const void *x, const void *y)
{
	const miss *a = x, *b = y;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return strcmp(a->query, b->query);
}

/* Put the searches that found nothing most frequent first: the page cuts the list. */
static void sort_misses(opex_render_health *health, opex_server_ctx *ctx)
{
	size_t i, n = health->miss_count;
	miss *m;
	const char **queries;
	size_t *counts;

	if (n < 2)
		return;
	m = opex_arena_alloc(&ctx->arena, n * sizeof(*m));
	queries = opex_arena_alloc(&ctx->arena, n * sizeof(*queries));
	counts = opex_arena_alloc(&ctx->arena, n * sizeof(*counts));
	for (i = 0; i < n; i++) {
		m[i].query = health->misses[i];
		m[i].count = health->miss_counts[i];
	}
	qsort(m, n, sizeof(*m), by_times);
	for (i = 0; i < n; i++) {
		queries[i] = m[i].query;
		counts[i] = m[i].count;
	}
	health->misses = queries;
	health->miss_counts = counts;
}

void opex_server_page_health(opex_server_ctx *ctx)
{
	opex_render_health health;
	opex_render_page page;

	opex_server_health_build(&health, ctx,
		opex_server_param_get(ctx, "sort"));
	sort_misses(&health, ctx);
	opex_server_page_begin(ctx, &page, "Health", "health");
	opex_render_page_health(&ctx->res->body, &health);
	opex_server_page_end(ctx, &page);
}

void opex_server_static(opex_server_ctx *ctx)
{
	const opex_server_asset *asset = opex_server_asset_find(ctx->rest);

	if (asset == NULL) {
		opex_server_html_error(ctx, 404, "no file '%s'", ctx->rest);
		return;
	}
	opex_buf_clear(&ctx->res->body);
	opex_buf_put(&ctx->res->body, asset->data, asset->len);
	ctx->res->status = 200;
	ctx->res->content_type = asset->content_type;
	opex_server_response_header(ctx->res, "Cache-Control", "max-age=300");
}
