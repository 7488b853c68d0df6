/* renderer_int.h: helpers shared inside renderer/ only. */
#ifndef OPEX_RENDERER_INT_H
#define OPEX_RENDERER_INT_H

#include <jansson.h>

#include "renderer/renderer.h"

/** A JSON string for `s`, or JSON null for NULL; bytes that are not UTF-8 become '?'. */
json_t *opex_render_json_text(const char *s);

/**
 * Append `root` as indented JSON and a newline to `out`, then release
 * `root` (this takes ownership). `what` names the document in errors.
 */
int opex_render_json_emit(opex_buf *out, json_t *root, const char *what,
	opex_error *err);

/**
 * Append at most `max` bytes of `s` (NULL: nothing) with control
 * characters turned into spaces and bytes that are not UTF-8 into '?'.
 * The result is plain text: escape it for the output format after.
 */
void opex_render_text_clean(opex_buf *out, const char *s, size_t max);

/** Seconds as "45min", "3.2h" or "2.1d"; "-" for a negative (no value). */
void opex_render_duration(opex_buf *out, double seconds);

/** A rate 0..1 as "41.0%"; "-" for a negative (no value). */
void opex_render_rate(opex_buf *out, double rate);

/** " verified", " stale", " outdated" badges of an article, as HTML. */
void opex_render_badges(opex_buf *out, const opex_kb_article *a);

/** Append `n` with its thousands grouped: 99950 -> "99,950". */
void opex_render_count(opex_buf *out, size_t n);

/** A search's total: "1,234", or "10,000+" when the count stopped there. */
void opex_render_search_total(opex_buf *out, const opex_search_result *r);

#endif
