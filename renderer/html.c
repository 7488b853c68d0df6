/*
 * html.c: the one HTML escaper. Every piece of text opex writes into HTML,
 * in an element or in a quoted attribute value, goes through it.
 *
 *   &  ->  &amp;     <  ->  &lt;     >  ->  &gt;
 *   "  ->  &quot;    '  ->  &#39;
 */
#include "renderer/renderer.h"

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
