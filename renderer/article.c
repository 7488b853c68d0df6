/*
 * article.c: one article as an HTML fragment.
 *
 *   <article class="opex-article" lang="LANG">
 *   <h1>TITLE</h1>
 *   BODY</article>
 *
 * LANG and TITLE are escaped with opex_html_escape; the lang attribute is
 * left out when the article has no language. The <h1> is written only for
 * a title from the front matter: a title taken from the body's first
 * heading is already in BODY. BODY is the Markdown rendered by the cmark
 * adapter in its safe mode (no raw HTML, no javascript: links).
 */
#include "renderer/renderer.h"

#include <string.h>

#include "core/banned.h"

int opex_render_article_html(opex_buf *out, const opex_kb_article *article,
	opex_error *err)
{
	int error;

	opex_buf_puts(out, "<article class=\"opex-article\"");
	if (article->language && *article->language) {
		opex_buf_puts(out, " lang=\"");
		opex_html_escape(out, article->language,
			strlen(article->language));
		opex_buf_putc(out, '"');
	}
	opex_buf_puts(out, ">\n");
	if (article->title && article->field_line[OPEX_KB_FIELD_TITLE] &&
	    article->title_line == article->field_line[OPEX_KB_FIELD_TITLE]) {
		opex_buf_puts(out, "<h1>");
		opex_html_escape(out, article->title, strlen(article->title));
		opex_buf_puts(out, "</h1>\n");
	}
	error = opex_kb_markdown_to_html(out, article->body ? article->body : "",
		article->body ? article->body_len : 0, err);
	if (error < 0)
		return error;
	opex_buf_puts(out, "</article>\n");
	if (out->failed)
		return opex_error_set(err, OPEX_ETOOBIG,
			"article '%s' renders to more than %zu bytes",
			article->path ? article->path : "", out->max);
	return 0;
}
