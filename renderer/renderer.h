/*
 * renderer.h: output. Everything opex shows a person is written here:
 * article HTML, diagnostics as text or JSON (and, later, flowcharts,
 * checklists and pages). HTML output goes only through opex_html_escape.
 *
 *   html.c     opex_html_escape
 *   article.c  article HTML (through the cmark adapter in kb/)
 *   diag.c     diagnostics as text and JSON (jansson)
 *   articles.c the article list as text and JSON
 */
#ifndef OPEX_RENDERER_H
#define OPEX_RENDERER_H

#include <stddef.h>

#include "core/buf.h"
#include "core/diag.h"
#include "core/error.h"
#include "kb/kb.h"

/** Append `s[0..len)` to `out` with &, <, >, ", ' escaped for HTML. */
void opex_html_escape(opex_buf *out, const char *s, size_t len);

/**
 * Append an article as an HTML fragment: an <article> holding the title
 * (escaped) and the body rendered safely (no raw HTML, no unsafe link
 * schemes). OPEX_ETOOBIG past out->max.
 */
int opex_render_article_html(opex_buf *out, const opex_kb_article *article,
	opex_error *err) OPEX_WARN_UNUSED;

/** Append diagnostics, one per line: `path:line:col: severity: message [rule]`. */
void opex_render_diags_text(opex_buf *out, const opex_diag_list *diags);

/**
 * Append diagnostics as a JSON document:
 * {"diagnostics":[{path,line,column,severity,rule,message}...],
 *  "errors":N,"warnings":N,"infos":N}.
 */
int opex_render_diags_json(opex_buf *out, const opex_diag_list *diags,
	opex_error *err) OPEX_WARN_UNUSED;

/**
 * Append the handbook's articles, one line each:
 * `path  language  owner  verified-date  state  title`, where state is
 * ok, stale, outdated or "stale,outdated".
 */
void opex_render_articles_text(opex_buf *out, const opex_kb_handbook *hb);

/**
 * Append the article list as JSON: {"revision", "articles": [{path, title,
 * language, owner, translation_of, journey, markets, tags, visibility,
 * last_change: {commit, author, time}, verified_at, stale, outdated}]}.
 */
int opex_render_articles_json(opex_buf *out, const opex_kb_handbook *hb,
	opex_error *err) OPEX_WARN_UNUSED;

#endif
