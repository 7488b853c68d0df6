/*
 * replies.c: quick texts as HTML: the copy block, lists of replies, and
 * the /replies page.
 *
 *   <div class="reply">
 *     <pre class="reply-text" id="reply-3">Hi <span class="ph">{{customer.first_name}}</span>…</pre>
 *     <button type="button" class="copy" data-copy="reply-3">Copy</button>
 *   </div>
 *
 * The button works through /static/opex.js (no inline script, so the
 * Content-Security-Policy stays as it is); it copies the <pre>'s text,
 * which is the reply exactly as written.
 *
 * Also the export of every reply as Zendesk macros (JSON).
 */
#include "renderer/renderer_int.h"
#include "core/limits.h"
#include "core/str.h"

#include <string.h>

#include "core/banned.h"

static void href(opex_buf *out, const char *path)
{
	opex_buf_puts(out, " href=\"/");
	opex_render_url_path(out, path);
	opex_buf_putc(out, '"');
}

/* The text, each placeholder in a <span class="ph">. */
static void marked_text(opex_buf *out, opex_str text)
{
	opex_kb_placeholders ph = OPEX_KB_PLACEHOLDERS_INIT;
	size_t i, at = 0;

	opex_kb_placeholders_scan(&ph, text.ptr, text.len);
	for (i = 0; i < ph.count; i++) {
		const opex_kb_placeholder *p = &ph.items[i];

		opex_html_escape(out, text.ptr + at, p->offset - at);
		opex_buf_puts(out, "<span class=\"ph\">");
		opex_html_escape(out, text.ptr + p->offset, p->len);
		opex_buf_puts(out, "</span>");
		at = p->offset + p->len;
	}
	opex_html_escape(out, text.ptr + at, text.len - at);
	opex_kb_placeholders_release(&ph);
}

void opex_render_reply_block(opex_buf *out, const opex_kb_article *reply,
	size_t n)
{
	opex_buf_printf(out, "<div class=\"reply\"><pre class=\"reply-text\" id=\"reply-%zu\"",
		n);
	if (reply->language) {
		opex_buf_puts(out, " lang=\"");
		opex_html_escape_text(out, reply->language);
		opex_buf_putc(out, '"');
	}
	opex_buf_putc(out, '>');
	marked_text(out, opex_kb_reply_text(reply));
	opex_buf_printf(out, "</pre>\n<button type=\"button\" class=\"copy\" data-copy=\"reply-%zu\">Copy</button></div>\n",
		n);
}

static void reply_heading(opex_buf *out, const opex_kb_article *r)
{
	opex_buf_puts(out, "<a");
	href(out, r->path);
	opex_buf_putc(out, '>');
	opex_html_escape_text(out, r->title ? r->title : r->path);
	opex_buf_puts(out, "</a>");
	if (r->channel) {
		opex_buf_puts(out, " <span class=\"badge channel\">");
		opex_html_escape_text(out, r->channel);
		opex_buf_puts(out, "</span>");
	}
	if (r->language) {
		opex_buf_puts(out, " <span class=\"lang\">");
		opex_html_escape_text(out, r->language);
		opex_buf_puts(out, "</span>");
	}
	opex_render_badges(out, r);
}

void opex_render_reply_list(opex_buf *out, const char *heading,
	const opex_kb_article *const *replies, size_t count, size_t first)
{
	size_t i;

	if (count == 0)
		return;
	opex_buf_puts(out, "<h2>");
	opex_html_escape_text(out, heading);
	opex_buf_puts(out, "</h2>\n<ul class=\"list replies\">\n");
	for (i = 0; i < count; i++) {
		opex_buf_puts(out, "<li>");
		reply_heading(out, replies[i]);
		opex_buf_putc(out, '\n');
		opex_render_reply_block(out, replies[i], first + i);
		opex_buf_puts(out, "</li>\n");
	}
	opex_buf_puts(out, "</ul>\n");
}

static void select_filter(opex_buf *out, const char *name, const char *label,
	const char *const *values, size_t count, const char *chosen)
{
	size_t i;

	opex_buf_printf(out, "<label>%s <select name=\"%s\"><option value=\"\">any</option>",
		label, name);
	for (i = 0; i < count; i++) {
		opex_buf_puts(out, "<option");
		if (chosen && strcmp(chosen, values[i]) == 0)
			opex_buf_puts(out, " selected");
		opex_buf_puts(out, ">");
		opex_html_escape_text(out, values[i]);
		opex_buf_puts(out, "</option>");
	}
	opex_buf_puts(out, "</select></label>\n");
}

void opex_render_page_replies(opex_buf *out,
	const opex_render_replies_view *view)
{
	static const char *const channels[] = { "email", "chat", "phone", "social" };
	const opex_kb_settings *s = view->settings;
	size_t i, j;

	opex_buf_puts(out, "<h1>Quick texts</h1>\n<form class=\"filters\" method=\"get\" action=\"/replies\">\n");
	select_filter(out, "lang", "Language", (const char *const *)s->languages,
		s->language_count, view->language);
	select_filter(out, "channel", "Channel", channels, 4, view->channel);
	select_filter(out, "journey", "Journey", (const char *const *)s->journeys,
		s->journey_count, view->journey);
	opex_buf_puts(out, "<button type=\"submit\">Show</button>\n</form>\n");
	opex_buf_printf(out, "<p class=\"count\">%zu quick text%s</p>\n",
		view->count, view->count == 1 ? "" : "s");
	if (view->count == 0) {
		opex_buf_puts(out, "<p class=\"none\">None.</p>\n");
		return;
	}
	opex_buf_puts(out, "<ul class=\"list replies\">\n");
	for (i = 0; i < view->count; i++) {
		const opex_render_reply_row *row = &view->rows[i];

		opex_buf_puts(out, "<li>");
		reply_heading(out, row->shown);
		if (row->source->journey) {
			opex_buf_puts(out, " <small>");
			opex_html_escape_text(out, row->source->journey);
			opex_buf_puts(out, "</small>");
		}
		if (row->missing_count) {
			opex_buf_puts(out, " <span class=\"badge outdated\">no ");
			for (j = 0; j < row->missing_count; j++) {
				if (j)
					opex_buf_puts(out, ", ");
				opex_html_escape_text(out, row->missing[j]);
			}
			opex_buf_puts(out, "</span>");
		}
		opex_buf_putc(out, '\n');
		opex_render_reply_block(out, row->shown, i + 1);
		opex_buf_puts(out, "</li>\n");
	}
	opex_buf_puts(out, "</ul>\n");
}

static json_t *zendesk_macro(const opex_kb_article *r,
	const opex_kb_settings *settings)
{
	opex_buf title = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	opex_buf about = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	json_t *macro;

	if (r->journey)
		opex_buf_printf(&title, "%s::", r->journey);
	opex_buf_puts(&title, r->title ? r->title : r->path);
	opex_buf_printf(&about, "opex: %s (%s, %s)", r->path,
		opex_kb_article_language(r, settings),
		r->channel ? r->channel : "no channel");
	opex_kb_placeholders_map(&text, opex_kb_reply_text(r), true);
	macro = json_pack("{s:o,s:b,s:o,s:[{s:s,s:o}],s:n}",
		"title", opex_render_json_text(title.failed ? r->path : title.ptr),
		"active", 1,
		"description", opex_render_json_text(about.failed ? r->path : about.ptr),
		"actions", "field", "comment_value",
		"value", opex_render_json_text(text.failed ? "" : text.ptr),
		"restriction");
	opex_buf_release(&title);
	opex_buf_release(&about);
	opex_buf_release(&text);
	return macro;
}

int opex_render_replies_zendesk(opex_buf *out, const opex_kb_handbook *hb,
	const char *language, opex_error *err)
{
	const opex_kb_settings *settings = opex_kb_handbook_settings(hb);
	size_t i, first, n = opex_kb_handbook_replies(hb, &first);
	json_t *list = json_array();

	for (i = first; i < first + n; i++) {
		const opex_kb_article *r = opex_kb_handbook_article(hb, i);

		if (language && opex_strcasecmp(language,
				opex_kb_article_language(r, settings)) != 0)
			continue;
		json_array_append_new(list, zendesk_macro(r, settings));
	}
	return opex_render_json_emit(out, json_pack("{s:o}", "macros", list),
		"macro export", err);
}
