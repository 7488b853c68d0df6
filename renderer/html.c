/*
 * html.c: the one HTML escaper. Every piece of text opex writes into HTML,
 * in an element or in a quoted attribute value, goes through it.
 *
 *   &  ->  &amp;     <  ->  &lt;     >  ->  &gt;
 *   "  ->  &quot;    '  ->  &#39;
 *
 * opex_render_text_clean() prepares text that did not come from a checked
 * file (KPI labels, chart labels) for any output: valid UTF-8, no control
 * characters, clipped to a length.
 */
#include "renderer/renderer_int.h"
#include "core/str.h"
#include "core/text.h"

#include <string.h>

#include "core/banned.h"

static const char *entity(char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

void opex_html_escape(opex_buf *out, const char *s, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		const char *e = entity(s[i]);

		if (e == NULL)
			continue;
		opex_buf_put(out, s + run, i - run);
		opex_buf_puts(out, e);
		run = i + 1;
	}
	opex_buf_put(out, s + run, len - run);
}

void opex_html_escape_text(opex_buf *out, const char *s)
{
	if (s != NULL)
		opex_html_escape(out, s, strlen(s));
}

void opex_render_text_clean(opex_buf *out, const char *s, size_t max)
{
	size_t len, i, bad, start = out->len;

	if (s == NULL)
		return;
	len = opex_text_clip(s, max);
	opex_buf_put(out, s, len);
	if (out->failed)
		return;
	for (i = start; i < out->len; i++) {
		unsigned char c = (unsigned char)out->ptr[i];

		if (c < 0x20 || c == 0x7f)
			out->ptr[i] = ' ';
	}
	while (!opex_utf8_valid(out->ptr + start, out->len - start, &bad))
		out->ptr[start + bad] = '?';
}
