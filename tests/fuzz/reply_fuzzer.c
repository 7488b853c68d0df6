/*
 * reply_fuzzer.c: a quick text from end to end: the article parse, the
 * placeholder scan, the copy block and the Zendesk renaming both ways.
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
	opex_buf mapped = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_kb_placeholders ph = OPEX_KB_PLACEHOLDERS_INIT;
	opex_kb_article *reply;
	opex_str text;
	size_t i;

	if (size > OPEX_LIMIT_FILE_BYTES)
		return 0;
	reply = opex_kb_article_parse("replies/fuzz/input.md",
		(const char *)data, size, &diags);
	if (reply == NULL)
		goto done;
	if (reply->kind != OPEX_KB_KIND_REPLY)
		abort();
	text = opex_kb_reply_text(reply);
	opex_kb_placeholders_scan(&ph, text.ptr, text.len);
	for (i = 0; i < ph.count; i++) {
		const opex_kb_placeholder *p = &ph.items[i];

		if (p->offset + p->len > text.len || p->len < 4 ||
		    memcmp(text.ptr + p->offset, "{{", 2) != 0 ||
		    memcmp(text.ptr + p->offset + p->len - 2, "}}", 2) != 0 ||
		    (i > 0 && p->offset < ph.items[i - 1].offset + ph.items[i - 1].len))
			abort();
	}
	opex_render_reply_block(&html, reply, 1);
	if (strstr(html.ptr, "<script") != NULL)
		abort();
	opex_kb_placeholders_map(&mapped, text, true);
	opex_buf_clear(&mapped);
	opex_kb_placeholders_map(&mapped, text, false);
done:
	opex_kb_placeholders_release(&ph);
	opex_kb_article_free(reply);
	opex_buf_release(&html);
	opex_buf_release(&mapped);
	opex_diag_list_release(&diags);
	return 0;
}
