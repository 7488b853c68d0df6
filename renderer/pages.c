/*
 * pages.c: the server's web pages as whole HTML documents.
 *
 *   <!doctype html><html lang="en"><head> ... /static/opex.css </head>
 *   <body><header> brand | nav (Search, Processes, Launches, Routing, KPIs, Health) | search form </header>
 *   <main> page body </main>
 *   <footer> revision </footer><script src="/static/opex.js" defer></script>
 *
 * No inline script or style (the server's Content-Security-Policy forbids
 * them); every value is escaped with opex_html_escape; links to handbook
 * files are percent-encoded first. Everything works without JavaScript
 * except search-as-you-type.
 */
#include "renderer/renderer_int.h"
#include "core/time.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

void opex_render_url_path(opex_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char piece[4];

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '/' || c == '-' ||
		    c == '_' || c == '.' || c == '~') {
			opex_buf_putc(out, c);
			continue;
		}
		piece[0] = '%';
		piece[1] = hex[c >> 4];
		piece[2] = hex[c & 15];
		piece[3] = '\0';
		opex_buf_puts(out, piece);
	}
}

/* An href to a handbook file's page: /articles/..., /processes/... */
static void href(opex_buf *out, const char *path)
{
	opex_buf_puts(out, " href=\"/");
	opex_render_url_path(out, path);
	opex_buf_putc(out, '"');
}

static void nav_item(opex_buf *out, const opex_render_page *page,
	const char *id, const char *url, const char *label)
{
	opex_buf_printf(out, "<a href=\"%s\"", url);
	if (page->nav && strcmp(page->nav, id) == 0)
		opex_buf_puts(out, " aria-current=\"page\"");
	opex_buf_printf(out, ">%s</a>", label);
}

void opex_render_page_begin(opex_buf *out, const opex_render_page *page)
{
	opex_buf_puts(out, "<!doctype html>\n<html lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>");
	opex_html_escape_text(out, page->title);
	opex_buf_puts(out, " · opex</title>\n"
		"<link rel=\"stylesheet\" href=\"/static/opex.css\">\n"
		"</head>\n<body>\n<header class=\"top\">\n"
		"<a class=\"brand\" href=\"/\">opex</a>\n<nav>");
	nav_item(out, page, "search", "/", "Search");
	nav_item(out, page, "processes", "/processes", "Processes");
	nav_item(out, page, "replies", "/replies", "Quick texts");
	nav_item(out, page, "launches", "/launches", "Launches");
	nav_item(out, page, "routing", "/routing", "Routing");
	nav_item(out, page, "kpi", "/kpi", "KPIs");
	nav_item(out, page, "health", "/health", "Health");
	opex_buf_puts(out, "</nav>\n"
		"<form class=\"quick\" action=\"/search\" method=\"get\" role=\"search\">"
		"<input type=\"search\" name=\"q\" aria-label=\"Search the handbook\" "
		"placeholder=\"Search the handbook\" value=\"");
	opex_html_escape_text(out, page->query);
	opex_buf_puts(out, "\"></form>\n");
	if (page->person) {
		opex_buf_puts(out, "<span class=\"who\">");
		opex_html_escape_text(out, page->person);
		opex_buf_puts(out, "</span>\n");
	}
	opex_buf_puts(out, "</header>\n");
	if (page->acks_pending > 0)
		opex_buf_printf(out, "<p class=\"acks-banner\" role=\"status\">"
			"<a href=\"/acks\">%zu item%s to read and acknowledge</a></p>\n",
			page->acks_pending, page->acks_pending == 1 ? "" : "s");
	opex_buf_puts(out, "<main>\n");
}

void opex_render_page_end(opex_buf *out, const opex_render_page *page)
{
	opex_buf_puts(out, "</main>\n<footer>");
	if (page->revision) {
		opex_buf_puts(out, "revision <code>");
		opex_html_escape(out, page->revision,
			strlen(page->revision) > 12 ? 12 : strlen(page->revision));
		opex_buf_puts(out, "</code>");
	}
	opex_buf_puts(out, "</footer>\n"
		"<script src=\"/static/opex.js\" defer></script>\n"
		"</body>\n</html>\n");
}

void opex_render_page_error(opex_buf *out, unsigned status,
	const char *title, const char *detail)
{
	opex_render_page page = { title, NULL, NULL, NULL, NULL, 0 };

	opex_render_page_begin(out, &page);
	opex_buf_printf(out, "<h1>%u ", status);
	opex_html_escape_text(out, title);
	opex_buf_puts(out, "</h1>\n<p class=\"detail\">");
	opex_html_escape_text(out, detail);
	opex_buf_puts(out, "</p>\n<p><a href=\"/\">Back to search</a></p>\n");
	opex_render_page_end(out, &page);
}

void opex_render_count(opex_buf *out, size_t n)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%zu", n), i;

	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			opex_buf_putc(out, ',');
		opex_buf_putc(out, digits[i]);
	}
}

void opex_render_badges(opex_buf *out, const opex_kb_article *a)
{
	if (a->stale)
		opex_buf_puts(out, " <span class=\"badge stale\">stale</span>");
	else if (a->verified)
		opex_buf_puts(out, " <span class=\"badge ok\">verified</span>");
	if (a->outdated)
		opex_buf_puts(out, " <span class=\"badge outdated\">outdated</span>");
}

static void options(opex_buf *out, const char *name, const char *label,
	char *const *values, size_t count)
{
	size_t i;

	opex_buf_printf(out, "<label>%s <select name=\"%s\"><option value=\"\">any</option>",
		label, name);
	for (i = 0; i < count; i++) {
		opex_buf_puts(out, "<option>");
		opex_html_escape_text(out, values[i]);
		opex_buf_puts(out, "</option>");
	}
	opex_buf_puts(out, "</select></label>\n");
}

void opex_render_page_home(opex_buf *out, const char *query,
	const opex_kb_settings *settings,
	const opex_kb_article *const *articles, size_t count, size_t total,
	const opex_search_result *results, const char *message)
{
	size_t i;

	opex_buf_puts(out, "<h1>Search the handbook</h1>\n"
		"<form id=\"search\" class=\"search\" action=\"/search\" method=\"get\" role=\"search\">\n"
		"<input id=\"q\" type=\"search\" name=\"q\" autocomplete=\"off\" "
		"aria-label=\"Search\" placeholder=\"chargeback, lost card, E-4012…\" value=\"");
	opex_html_escape_text(out, query);
	opex_buf_puts(out, "\">\n<div class=\"filters\">\n");
	if (settings) {
		options(out, "lang", "Language", settings->languages,
			settings->language_count);
		options(out, "market", "Market", settings->markets,
			settings->market_count);
	}
	opex_buf_puts(out, "<label>Journey <input name=\"journey\" size=\"10\"></label>\n"
		"<button type=\"submit\">Search</button>\n</div>\n</form>\n"
		"<div id=\"results\" aria-live=\"polite\">");
	if (results != NULL || message != NULL)
		opex_render_page_results(out, results, message);
	opex_buf_puts(out, "</div>\n");
	opex_buf_puts(out, total > count ? "<h2>Recently changed</h2>\n"
		: "<h2>Articles</h2>\n");
	opex_buf_puts(out, "<ul class=\"list\" id=\"articles\">\n");
	for (i = 0; i < count; i++) {
		const opex_kb_article *a = articles[i];

		opex_buf_puts(out, "<li><a");
		href(out, a->path);
		opex_buf_puts(out, ">");
		opex_html_escape_text(out, a->title ? a->title : a->path);
		opex_buf_puts(out, "</a>");
		if (a->language) {
			opex_buf_puts(out, " <span class=\"lang\">");
			opex_html_escape_text(out, a->language);
			opex_buf_puts(out, "</span>");
		}
		opex_render_badges(out, a);
		opex_buf_puts(out, "<br><small>");
		opex_html_escape_text(out, a->path);
		opex_buf_puts(out, "</small></li>\n");
	}
	opex_buf_puts(out, "</ul>\n");
	if (total > count) {
		opex_buf_puts(out, "<p class=\"more\">and ");
		opex_render_count(out, total - count);
		opex_buf_puts(out, " more: <a href=\"#q\">search</a> to find them</p>\n");
	}
}

static void person_line(opex_buf *out, const char *label, const char *id,
	const opex_kb_person *p)
{
	opex_buf_printf(out, "<dt>%s</dt><dd>", label);
	if (p != NULL) {
		opex_html_escape_text(out, p->name ? p->name : p->id);
		if (p->email) {
			opex_buf_puts(out, " &lt;");
			opex_html_escape_text(out, p->email);
			opex_buf_puts(out, "&gt;");
		}
	} else if (id != NULL) {
		opex_html_escape_text(out, id);
		opex_buf_puts(out, " <span class=\"badge error\">not on the roster</span>");
	} else {
		opex_buf_puts(out, "<span class=\"badge error\">none</span>");
	}
	opex_buf_puts(out, "</dd>\n");
}

static void diag_list(opex_buf *out, const opex_diag_list *diags)
{
	size_t i;

	if (diags == NULL || diags->count == 0) {
		opex_buf_puts(out, "<p class=\"none\">No findings.</p>\n");
		return;
	}
	opex_buf_puts(out, "<ul class=\"findings\">\n");
	for (i = 0; i < diags->count; i++) {
		const opex_diag *d = &diags->items[i];

		opex_buf_printf(out, "<li class=\"%s\"><span class=\"badge %s\">%s</span> ",
			opex_severity_name(d->severity),
			opex_severity_name(d->severity),
			opex_severity_name(d->severity));
		if (d->line)
			opex_buf_printf(out, "line %u: ", d->line);
		opex_html_escape_text(out, d->message);
		opex_buf_puts(out, " <code>");
		opex_html_escape_text(out, d->rule);
		opex_buf_puts(out, "</code></li>\n");
	}
	opex_buf_puts(out, "</ul>\n");
}

static void language_item(opex_buf *out, const opex_kb_article *a,
	bool current)
{
	opex_buf_puts(out, "<li>");
	if (current) {
		opex_buf_puts(out, "<strong>");
		opex_html_escape_text(out, a->language ? a->language : "?");
		opex_buf_puts(out, "</strong> (this page)");
	} else {
		opex_buf_puts(out, "<a");
		href(out, a->path);
		opex_buf_puts(out, " hreflang=\"");
		opex_html_escape_text(out, a->language);
		opex_buf_puts(out, "\">");
		opex_html_escape_text(out, a->language ? a->language : a->path);
		opex_buf_puts(out, "</a>");
	}
	if (a->outdated)
		opex_buf_puts(out, " <span class=\"badge outdated\">outdated</span>");
	opex_buf_puts(out, "</li>\n");
}

static void step_refs(opex_buf *out, const opex_render_step_ref *steps,
	size_t count)
{
	size_t i;

	if (count == 0)
		return;
	opex_buf_puts(out, "<h2>Used in</h2>\n<ul class=\"list\">\n");
	for (i = 0; i < count; i++) {
		opex_buf_puts(out, "<li><a");
		href(out, steps[i].map_path);
		opex_buf_puts(out, ">");
		opex_html_escape_text(out, steps[i].map_title ? steps[i].map_title
					    : steps[i].map_path);
		opex_buf_puts(out, "</a>: ");
		opex_html_escape_text(out, steps[i].step);
		opex_buf_puts(out, "</li>\n");
	}
	opex_buf_puts(out, "</ul>\n");
}

int opex_render_page_article(opex_buf *out,
	const opex_render_article_view *view, opex_error *err)
{
	const opex_kb_article *a = view->article;
	char date[32];
	size_t i;

	opex_buf_puts(out, "<div class=\"meta\">\n<p>");
	opex_render_badges(out, a);
	opex_buf_puts(out, " <span class=\"path\">");
	opex_html_escape_text(out, a->path);
	opex_buf_puts(out, "</span></p>\n<dl>\n");
	person_line(out, "Owner", a->owner, view->owner);
	if (a->last_change) {
		opex_time_format_date(date, sizeof(date), a->last_change->time);
		opex_buf_puts(out, "<dt>Last change</dt><dd>");
		opex_html_escape_text(out, a->last_change->author_name);
		opex_buf_printf(out, ", <time datetime=\"%s\">%s</time> (<code>%.8s</code>)</dd>\n",
			date, date, a->last_change->id);
	}
	opex_buf_puts(out, "<dt>Verified</dt><dd>");
	if (a->verified_at) {
		opex_time_format_date(date, sizeof(date), a->verified_at);
		opex_buf_printf(out, "<time datetime=\"%s\">%s</time>", date, date);
	} else {
		opex_buf_puts(out, "never");
	}
	opex_buf_puts(out, a->stale ? " <span class=\"badge stale\">stale: review overdue</span>" : "");
	opex_buf_puts(out, "</dd>\n");
	if (a->journey) {
		opex_buf_puts(out, "<dt>Journey</dt><dd>");
		opex_html_escape_text(out, a->journey);
		opex_buf_puts(out, "</dd>\n");
	}
	if (a->channel) {
		opex_buf_puts(out, "<dt>Channel</dt><dd>");
		opex_html_escape_text(out, a->channel);
		opex_buf_puts(out, "</dd>\n");
	}
	if (a->market_count) {
		opex_buf_puts(out, "<dt>Markets</dt><dd>");
		for (i = 0; i < a->market_count; i++) {
			if (i)
				opex_buf_puts(out, ", ");
			opex_html_escape_text(out, a->markets[i]);
		}
		opex_buf_puts(out, "</dd>\n");
	}
	opex_buf_puts(out, "</dl>\n");
	if (view->source || view->translation_count) {
		opex_buf_puts(out, "<h2 class=\"small\">Languages</h2>\n<ul class=\"languages\">\n");
		if (view->source)
			language_item(out, view->source, false);
		language_item(out, a, true);
		for (i = 0; i < view->translation_count; i++)
			language_item(out, view->translations[i], false);
		opex_buf_puts(out, "</ul>\n");
	}
	opex_buf_puts(out, "</div>\n");
	if (a->kind == OPEX_KB_KIND_REPLY) {
		opex_render_reply_block(out, a, 0);
		/* an email is sent as rich text: show how it reads */
		if (opex_kb_channel_parse(a->channel) == OPEX_KB_CHANNEL_EMAIL) {
			opex_buf_puts(out, "<h2 class=\"small\">Preview</h2>\n");
			if (opex_render_article_html(out, a, err) < 0)
				return err ? err->code : OPEX_ERROR;
		}
	} else if (opex_render_article_html(out, a, err) < 0) {
		return err ? err->code : OPEX_ERROR;
	}
	step_refs(out, view->steps, view->step_count);
	opex_render_reply_list(out, "Quick texts for these steps",
		view->replies, view->reply_count, 1);
	if (view->diags && view->diags->count) {
		opex_buf_puts(out, "<h2>Findings</h2>\n");
		diag_list(out, view->diags);
	}
	(void)view->now;
	return 0;
}

void opex_render_page_processes(opex_buf *out,
	const opex_render_process_row *rows, size_t count)
{
	size_t i;

	opex_buf_puts(out, "<h1>Processes</h1>\n<table class=\"table\">\n"
		"<thead><tr><th>Process</th><th>Owner</th><th>Journey</th>"
		"<th>Steps</th><th>Findings</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < count; i++) {
		const opex_render_process_row *r = &rows[i];
		const char *title = r->map
			? opex_pm_map_attr(r->map, OPEX_PM_ATTR_TITLE) : NULL;

		opex_buf_puts(out, "<tr><td><a");
		href(out, r->path);
		opex_buf_puts(out, ">");
		opex_html_escape_text(out, title ? title : r->path);
		opex_buf_puts(out, "</a><br><small>");
		opex_html_escape_text(out, r->path);
		opex_buf_puts(out, "</small></td><td>");
		if (r->map)
			opex_html_escape_text(out, opex_pm_map_attr(r->map, OPEX_PM_ATTR_OWNER));
		opex_buf_puts(out, "</td><td>");
		if (r->map)
			opex_html_escape_text(out, opex_pm_map_attr(r->map, OPEX_PM_ATTR_JOURNEY));
		opex_buf_printf(out, "</td><td>%zu</td><td>",
			r->map ? opex_pm_map_node_count(r->map) : 0);
		if (r->errors)
			opex_buf_printf(out, "<span class=\"badge error\">%zu errors</span> ", r->errors);
		if (r->warnings)
			opex_buf_printf(out, "<span class=\"badge warning\">%zu warnings</span>", r->warnings);
		if (!r->errors && !r->warnings)
			opex_buf_puts(out, "<span class=\"badge ok\">clean</span>");
		opex_buf_puts(out, "</td></tr>\n");
	}
	opex_buf_puts(out, "</tbody>\n</table>\n");
}

void opex_render_page_process(opex_buf *out,
	const opex_render_process_view *view)
{
	const opex_pm_map *map = view->map;
	const char *title = map ? opex_pm_map_attr(map, OPEX_PM_ATTR_TITLE) : NULL;
	const char *svg = view->svg;
	size_t svg_len = view->svg_len, i;

	opex_buf_puts(out, "<h1>");
	opex_html_escape_text(out, title ? title : view->path);
	opex_buf_puts(out, "</h1>\n<div class=\"meta\"><p class=\"path\">");
	opex_html_escape_text(out, view->path);
	opex_buf_puts(out, " · <a href=\"/");
	opex_render_url_path(out, view->path);
	opex_buf_puts(out, ".svg\">SVG</a></p>\n<dl>\n");
	if (map) {
		person_line(out, "Owner", opex_pm_map_attr(map, OPEX_PM_ATTR_OWNER),
			view->owner);
		person_line(out, "Champion",
			opex_pm_map_attr(map, OPEX_PM_ATTR_CHAMPION), view->champion);
	}
	opex_buf_puts(out, "</dl>\n</div>\n");
	if (svg != NULL) {
		/* Inline the SVG from its root element on, so its links work. */
		const char *root = NULL;

		for (i = 0; i + 4 <= svg_len; i++)
			if (memcmp(svg + i, "<svg", 4) == 0) {
				root = svg + i;
				break;
			}
		if (root != NULL) {
			opex_buf_puts(out, "<figure class=\"flowchart\">\n");
			opex_buf_put(out, root, svg_len - (size_t)(root - svg));
			opex_buf_puts(out, "</figure>\n");
		}
	} else {
		opex_buf_puts(out, "<p class=\"badge error\">This map cannot be drawn: see the findings.</p>\n");
	}
	opex_buf_puts(out, "<h2>Findings</h2>\n");
	diag_list(out, view->diags);
	opex_buf_puts(out, "<h2>Linked articles</h2>\n");
	if (view->article_count == 0)
		opex_buf_puts(out, "<p class=\"none\">None.</p>\n");
	else
		opex_buf_puts(out, "<ul class=\"list\">\n");
	for (i = 0; i < view->article_count; i++) {
		const opex_kb_article *a = view->articles[i];

		opex_buf_puts(out, "<li><a");
		href(out, a->path);
		opex_buf_puts(out, ">");
		opex_html_escape_text(out, a->title ? a->title : a->path);
		opex_buf_puts(out, "</a>");
		opex_render_badges(out, a);
		opex_buf_puts(out, "</li>\n");
	}
	if (view->article_count)
		opex_buf_puts(out, "</ul>\n");
	opex_render_reply_list(out, "Quick texts", view->replies,
		view->reply_count, 1);
}

static void sort_header(opex_buf *out, const char *sort, const char *col,
	const char *label)
{
	bool active = sort && strcmp(sort, col) == 0;

	opex_buf_printf(out, "<th%s><a href=\"/health?sort=%s\">%s%s</a></th>",
		active ? " aria-sort=\"ascending\"" : "", col, label,
		active ? " ▲" : "");
}

/* How many rows of each kind, in order of first appearance. */
#define KIND_MAX 16

typedef struct kind_count {
	const char *kind;
	size_t count;
} kind_count;

static size_t count_kinds(kind_count *kinds, const opex_render_health *h,
	size_t *other)
{
	size_t i, j, n = 0;

	*other = 0;
	for (i = 0; i < h->count; i++) {
		const char *kind = h->rows[i].kind ? h->rows[i].kind : "";

		for (j = 0; j < n; j++)
			if (strcmp(kinds[j].kind, kind) == 0)
				break;
		if (j == n && n == KIND_MAX) {
			(*other)++;
			continue;
		}
		if (j == n) {
			kinds[n].kind = kind;
			kinds[n++].count = 0;
		}
		kinds[j].count++;
	}
	return n;
}

static void more_row(opex_buf *out, size_t more, unsigned columns,
	const char *what)
{
	opex_buf_printf(out, "<tr class=\"more\"><td colspan=\"%u\">and ", columns);
	opex_render_count(out, more);
	opex_buf_printf(out, " more %s</td></tr>\n", what);
}

void opex_render_page_health(opex_buf *out, const opex_render_health *h)
{
	kind_count kinds[KIND_MAX];
	size_t i, nkinds, other, shown;

	opex_buf_puts(out, "<h1>Knowledge-base health</h1>\n"
		"<p class=\"counts\"><span>");
	opex_render_count(out, h->articles);
	opex_buf_puts(out, " articles</span> <span class=\"badge error\">");
	opex_render_count(out, h->errors);
	opex_buf_puts(out, " errors</span> <span class=\"badge warning\">");
	opex_render_count(out, h->warnings);
	opex_buf_puts(out, " warnings</span> <span class=\"badge\">");
	opex_render_count(out, h->infos);
	opex_buf_puts(out, " notes</span></p>\n");
	nkinds = count_kinds(kinds, h, &other);
	if (nkinds > 0) {
		opex_buf_puts(out, "<p class=\"counts\" id=\"problems\">");
		for (i = 0; i < nkinds; i++) {
			opex_buf_puts(out, i ? " <span>" : "<span>");
			opex_render_count(out, kinds[i].count);
			opex_buf_putc(out, ' ');
			opex_html_escape_text(out, kinds[i].kind);
			opex_buf_puts(out, "</span>");
		}
		if (other > 0) {
			opex_buf_puts(out, " <span>");
			opex_render_count(out, other);
			opex_buf_puts(out, " other</span>");
		}
		opex_buf_puts(out, "</p>\n");
	}
	opex_buf_puts(out, "<table class=\"table sortable\" id=\"health\">\n<thead><tr>");
	sort_header(out, h->sort, "kind", "Problem");
	sort_header(out, h->sort, "path", "File");
	sort_header(out, h->sort, "owner", "Owner");
	sort_header(out, h->sort, "detail", "Detail");
	opex_buf_puts(out, "</tr></thead>\n<tbody>\n");
	shown = h->count < OPEX_RENDER_HEALTH_ROWS ? h->count
		: OPEX_RENDER_HEALTH_ROWS;
	for (i = 0; i < shown; i++) {
		const opex_render_health_row *r = &h->rows[i];

		opex_buf_puts(out, "<tr><td><span class=\"badge\">");
		opex_html_escape_text(out, r->kind);
		opex_buf_puts(out, "</span></td><td>");
		if (r->href) {
			opex_buf_puts(out, "<a href=\"");
			opex_render_url_path(out, r->href);
			opex_buf_puts(out, "\">");
		}
		opex_html_escape_text(out, r->title ? r->title : r->path);
		if (r->href)
			opex_buf_puts(out, "</a>");
		opex_buf_puts(out, "<br><small>");
		opex_html_escape_text(out, r->path);
		opex_buf_puts(out, "</small></td><td>");
		opex_html_escape_text(out, r->owner);
		opex_buf_puts(out, "</td><td>");
		opex_html_escape_text(out, r->detail);
		opex_buf_puts(out, "</td></tr>\n");
	}
	if (h->count > shown)
		more_row(out, h->count - shown, 4,
			"problems (<a href=\"/api/health\">all of them as JSON</a>)");
	if (h->count == 0)
		opex_buf_puts(out, "<tr><td colspan=\"4\">Nothing to fix.</td></tr>\n");
	opex_buf_puts(out, "</tbody>\n</table>\n");
	if (h->misses == NULL)
		return;
	opex_buf_puts(out, "<h2>Searches that found nothing (30 days)</h2>\n");
	if (h->miss_count == 0)
		opex_buf_puts(out, "<p class=\"none\">None.</p>\n");
	else
		opex_buf_puts(out, "<table class=\"table\" id=\"misses\">\n"
			"<thead><tr><th>Search</th><th>Times</th></tr></thead>\n<tbody>\n");
	shown = h->miss_count < OPEX_RENDER_HEALTH_ROWS ? h->miss_count
		: OPEX_RENDER_HEALTH_ROWS;
	for (i = 0; i < shown; i++) {
		opex_buf_puts(out, "<tr><td>");
		opex_html_escape_text(out, h->misses[i]);
		opex_buf_printf(out, "</td><td>%zu</td></tr>\n", h->miss_counts[i]);
	}
	if (h->miss_count > shown)
		more_row(out, h->miss_count - shown, 2, "searches");
	if (h->miss_count)
		opex_buf_puts(out, "</tbody>\n</table>\n");
}

void opex_render_page_results(opex_buf *out,
	const opex_search_result *result, const char *message)
{
	size_t i;

	if (message != NULL) {
		opex_buf_puts(out, "<p class=\"count\">");
		opex_html_escape_text(out, message);
		opex_buf_puts(out, "</p>\n");
		return;
	}
	opex_buf_puts(out, "<p class=\"count\">");
	opex_render_search_total(out, result);
	opex_buf_printf(out, " result%s</p>\n",
		result->total == 1 && !result->total_capped ? "" : "s");
	if (result->suggestion) {
		opex_buf_puts(out, "<p><a class=\"suggest\" href=\"/search?q=");
		opex_render_url_path(out, result->suggestion);
		opex_buf_puts(out, "\">did you mean: ");
		opex_html_escape_text(out, result->suggestion);
		opex_buf_puts(out, "</a></p>\n");
	}
	for (i = 0; i < result->hit_count; i++) {
		const opex_search_hit *h = &result->hits[i];

		opex_buf_puts(out, "<div class=\"result\"><a");
		href(out, h->path);
		opex_buf_puts(out, ">");
		opex_html_escape_text(out, h->title ? h->title : h->path);
		opex_buf_puts(out, "</a>");
		if (h->language) {
			opex_buf_puts(out, " <span class=\"lang\">");
			opex_html_escape_text(out, h->language);
			opex_buf_puts(out, "</span>");
		}
		if (opex_kb_path_kind(h->path) == OPEX_KB_KIND_REPLY)
			opex_buf_puts(out, " <span class=\"badge channel\">quick text</span>");
		if (h->stale)
			opex_buf_puts(out, " <span class=\"badge stale\">stale</span>");
		/* The index escaped the snippet's text and added only <mark>. */
		opex_buf_puts(out, "<p class=\"snippet\">");
		if (h->snippet)
			opex_buf_puts(out, h->snippet);
		opex_buf_puts(out, "</p></div>\n");
	}
}
