/*
 * article_fuzzer.c: an article file from end to end: front matter (libyaml),
 * Markdown scan and links (cmark), then the article as HTML.
 */
#include "kb/kb.h"
#include "renderer/renderer.h"
#include "core/buf.h"
#include "core/limits.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_buf html = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_kb_article *article;
	size_t i;

	if (size > OPEX_LIMIT_FILE_BYTES)
		return 0;
	article = opex_kb_article_parse("articles/fuzz/input.md",
		(const char *)data, size, &diags);
	if (article) {
		for (i = 0; i < article->link_count; i++)
			if (article->links[i].leaves && article->links[i].path)
				abort();
		if (opex_render_article_html(&html, article, NULL) == 0 &&
		    strstr(html.ptr, "<script") != NULL)
			abort();
	}
	opex_kb_article_free(article);
	opex_buf_release(&html);
	opex_diag_list_release(&diags);
	return 0;
}
