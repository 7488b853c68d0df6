/*
 * context.c: what every route file uses on a request: its query
 * parameters and headers, percent-decoding, the response (status, headers,
 * JSON and HTML errors in the route's kind), and the article or map of the
 * served revision that the reader may see. Routing and the steps every
 * request goes through are handler.c's.
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"
#include "core/sha256.h"
#include "core/str.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/renderer.h"

#include "core/banned.h"

/* ---------------------------------------------------------------------
 * Responses
 * ------------------------------------------------------------------- */

void opex_server_response_init(opex_server_response *response)
{
	memset(response, 0, sizeof(*response));
	response->status = 500;
	response->content_type = "text/plain; charset=utf-8";
	opex_buf_init(&response->body, OPEX_LIMIT_HTTP_RESPONSE_BYTES);
}

void opex_server_response_release(opex_server_response *response)
{
	size_t i;

	for (i = 0; i < response->header_count; i++)
		opex_free(response->header_values[i]);
	response->header_count = 0;
	opex_buf_release(&response->body);
}

bool opex_server_defer(opex_server_ctx *ctx)
{
	if (!ctx->req->may_defer)
		return false;
	ctx->res->deferred = true;
	return true;
}

void opex_server_response_header(opex_server_response *res,
	const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < res->header_count; i++)
		if (strcmp(res->header_names[i], name) == 0) {
			opex_free(res->header_values[i]);
			res->header_values[i] = opex_strdup(value);
			return;
		}
	if (res->header_count >= OPEX_SERVER_MAX_HEADERS)
		OPEX_BUG("too many response headers");
	res->header_names[res->header_count] = name;
	res->header_values[res->header_count++] = opex_strdup(value);
}

const char *opex_server_status_name(unsigned status)
{
	switch (status) {
	case 200: return "ok";
	case 303: return "see other";
	case 400: return "bad request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not found";
	case 405: return "method not allowed";
	case 409: return "conflict";
	case 413: return "payload too large";
	case 414: return "uri too long";
	case 431: return "request header fields too large";
	case 503: return "service unavailable";
	default: return status >= 500 ? "internal error" : "error";
	}
}

void opex_server_error_set(opex_server_response *res, bool api,
	unsigned status, const char *detail)
{
	res->status = status;
	opex_buf_clear(&res->body);
	if (api) {
		json_t *root = json_object();
		char *text;

		json_object_set_new(root, "error",
			json_string(opex_server_status_name(status)));
		json_object_set_new(root, "detail",
			opex_utf8_valid(detail, strlen(detail), NULL)
			? json_string(detail) : json_string("?"));
		text = json_dumps(root, JSON_COMPACT);
		opex_buf_puts(&res->body, text ? text : "{}");
		opex_buf_putc(&res->body, '\n');
		free(text);
		json_decref(root);
		res->content_type = "application/json";
	} else {
		opex_render_page_error(&res->body, status,
			opex_server_status_name(status), detail);
		res->content_type = "text/html; charset=utf-8";
	}
}

static void vset_error(opex_server_ctx *ctx, bool api, unsigned status,
	const char *fmt, va_list ap)
{
	opex_buf detail = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);

	opex_buf_vprintf(&detail, fmt, ap);
	opex_server_error_set(ctx->res, api, status, detail.ptr);
	opex_buf_release(&detail);
}

void opex_server_json_error(opex_server_ctx *ctx, unsigned status,
	const char *detail_fmt, ...)
{
	va_list ap;

	va_start(ap, detail_fmt);
	vset_error(ctx, true, status, detail_fmt, ap);
	va_end(ap);
}

void opex_server_json_send(opex_server_ctx *ctx, json_t *root,
	unsigned status)
{
	char *dump = root ? json_dumps(root, JSON_COMPACT) : NULL;

	json_decref(root);
	if (dump == NULL) {
		opex_server_json_error(ctx, 413, "the response cannot be encoded");
		return;
	}
	opex_buf_clear(&ctx->res->body);
	opex_buf_puts(&ctx->res->body, dump);
	opex_buf_putc(&ctx->res->body, '\n');
	free(dump);
	ctx->res->status = status;
	ctx->res->content_type = "application/json";
}

json_t *opex_server_json_text(const char *s)
{
	json_t *v;

	if (s == NULL)
		return json_null();
	v = json_string(s);
	return v ? v : json_string("?");
}

void opex_server_refuse(opex_server_ctx *ctx, bool api, unsigned status,
	const char *detail)
{
	if (api)
		opex_server_json_error(ctx, status, "%s", detail);
	else
		opex_server_html_error(ctx, status, "%s", detail);
}

void opex_server_html_error(opex_server_ctx *ctx, unsigned status,
	const char *detail_fmt, ...)
{
	va_list ap;

	va_start(ap, detail_fmt);
	vset_error(ctx, false, status, detail_fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------- */

const char *opex_server_header_get(const opex_server_request *req,
	const char *name)
{
	size_t i;

	for (i = 0; i < req->header_count; i++)
		if (req->headers[i].name &&
		    opex_strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

const char *opex_server_param_get(const opex_server_ctx *ctx, const char *name)
{
	size_t i;

	for (i = 0; i < ctx->param_count; i++)
		if (strcmp(ctx->params[i].name, name) == 0)
			return ctx->params[i].value;
	return NULL;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode `s[0..len)` into the arena. `plus` turns '+' into a space
 * (query strings). Returns NULL for a bad escape, a NUL or control byte,
 * or text that is not well-formed UTF-8 (overlong forms included).
 */
const char *opex_server_decode(opex_arena *arena, const char *s, size_t len,
	bool plus)
{
	char *out = opex_arena_alloc(arena, len + 1);
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return NULL;
			hi = hex_value(s[i + 1]);
			lo = hex_value(s[i + 2]);
			if (hi < 0 || lo < 0)
				return NULL;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		}
		if (c < 0x20 || c == 0x7f)
			return NULL;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	if (!opex_utf8_valid(out, n, NULL))
		return NULL;
	return out;
}

/* ---------------------------------------------------------------------
 * What the reader may see of the served revision
 * ------------------------------------------------------------------- */

/* "dir/" + ctx->rest, unless rest already starts with dir; NULL if unclean. */
static const char *handbook_path(opex_server_ctx *ctx, const char *dir)
{
	opex_buf p = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	const char *out = NULL;

	if (!opex_path_under(ctx->rest, dir))
		opex_buf_printf(&p, "%s/", dir);
	opex_buf_puts(&p, ctx->rest);
	if (!p.failed && opex_path_is_clean(p.ptr))
		out = opex_arena_strndup(&ctx->arena, p.ptr, p.len);
	opex_buf_release(&p);
	return out;
}

const opex_kb_article *opex_server_find_article(opex_server_ctx *ctx,
	opex_kb_kind kind, bool api)
{
	bool reply = kind == OPEX_KB_KIND_REPLY;
	const char *path = handbook_path(ctx, reply ? "replies" : "articles");
	const opex_kb_article *a = path
		? opex_kb_handbook_find(ctx->snap->hb, path) : NULL;

	if (a == NULL || a->kind != kind ||
	    !opex_server_can_see(&ctx->who, a)) {
		if (api)
			opex_server_json_error(ctx, 404, "no %s '%s'",
				reply ? "reply" : "article", ctx->rest);
		else
			opex_server_html_error(ctx, 404, "no %s '%s'",
				reply ? "reply" : "article", ctx->rest);
		return NULL;
	}
	return a;
}

const opex_server_map *opex_server_find_map(opex_server_ctx *ctx,
	const char *rest, bool api)
{
	const char *saved = ctx->rest, *path;
	const opex_server_map *m = NULL;

	ctx->rest = rest;
	path = handbook_path(ctx, "processes");
	ctx->rest = saved;
	if (path != NULL)
		m = opex_server_snapshot_map(ctx->snap, path);
	if (m == NULL && path != NULL && !opex_path_has_suffix(path, ".dot")) {
		opex_buf p = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);

		opex_buf_printf(&p, "%s.dot", path);
		if (!p.failed)
			m = opex_server_snapshot_map(ctx->snap, p.ptr);
		opex_buf_release(&p);
	}
	if (m == NULL) {
		if (api)
			opex_server_json_error(ctx, 404, "no process '%s'", rest);
		else
			opex_server_html_error(ctx, 404, "no process '%s'", rest);
	}
	return m;
}

/* The rule of opex_server_can_see() over the snapshot's counts and its
 * team-restricted articles, not over every article. */
bool opex_server_sees_all(const opex_server_ctx *ctx)
{
	const opex_server_snapshot *snap = ctx->snap;
	size_t i;

	if (ctx->who.open)
		return true;
	if (ctx->who.person == NULL)
		return snap->not_public == 0;
	if (ctx->who.partner)
		return snap->not_for_partners == 0;
	for (i = 0; i < snap->team_restricted_count; i++)
		if (!opex_server_can_see(&ctx->who, snap->team_restricted[i]))
			return false;
	return true;
}

/* ---------------------------------------------------------------------
 * Pages
 * ------------------------------------------------------------------- */

void opex_server_page_begin(opex_server_ctx *ctx, opex_render_page *page,
	const char *title, const char *nav)
{
	memset(page, 0, sizeof(*page));
	page->title = title;
	page->nav = nav;
	page->query = opex_server_param_get(ctx, "q");
	page->revision = ctx->snap->commit;
	page->person = ctx->who.person;
	page->acks_pending = opex_server_acks_pending(ctx);
	opex_buf_clear(&ctx->res->body);
	opex_render_page_begin(&ctx->res->body, page);
}

void opex_server_page_end(opex_server_ctx *ctx, opex_render_page *page)
{
	opex_render_page_end(&ctx->res->body, page);
	ctx->res->status = 200;
	ctx->res->content_type = "text/html; charset=utf-8";
}

bool opex_server_id_ok(const char *v)
{
	size_t i;

	for (i = 0; v[i]; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '-' || v[i] == '_' ||
		      v[i] == '.'))
			return false;
	return i <= 64;
}

/* ---------------------------------------------------------------------
 * Forms and CSRF: what every POST route shares
 * ------------------------------------------------------------------- */

static bool same_secret(const char *a, const char *b)
{
	size_t n = strlen(a), i;
	unsigned char diff = 0;

	if (n != strlen(b))
		return false;
	for (i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* A field of an application/x-www-form-urlencoded body, decoded, or NULL. */
const char *opex_server_form_field(opex_server_ctx *ctx, const char *name)
{
	const char *p = ctx->req->body, *end = p ? p + ctx->req->body_len : NULL;
	size_t nlen = strlen(name);

	while (p != NULL && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));

		if (eq != NULL && (size_t)(eq - p) == nlen &&
		    memcmp(p, name, nlen) == 0)
			return opex_server_decode(&ctx->arena, eq + 1,
				(size_t)(stop - eq - 1), true);
		p = amp ? amp + 1 : end;
	}
	return NULL;
}

/* A string member of a JSON object body, copied into the arena, or NULL. */
const char *opex_server_json_field(opex_server_ctx *ctx, const char *name)
{
	json_t *root = ctx->req->body
		? json_loadb(ctx->req->body, ctx->req->body_len, 0, NULL) : NULL;
	const char *v = json_string_value(json_object_get(root, name));
	const char *out = v ? opex_arena_strdup(&ctx->arena, v) : NULL;

	json_decref(root);
	return out;
}

bool opex_server_content_type_is(const opex_server_ctx *ctx, const char *type)
{
	const char *ct = opex_server_header_get(ctx->req, "Content-Type");
	size_t n = strlen(type);

	return ct != NULL && strncmp(ct, type, n) == 0 &&
		(ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* NULL if the request may act, else why not (a 403). */
const char *opex_server_csrf_refusal(opex_server_ctx *ctx, bool api)
{
	const char *site = opex_server_header_get(ctx->req, "Sec-Fetch-Site");
	const char *origin = opex_server_header_get(ctx->req, "Origin");
	const char *host = opex_server_header_get(ctx->req, "Host");
	const char *auth = opex_server_header_get(ctx->req, "Authorization");
	const char *given;
	char want[OPEX_SHA256_HEX_SIZE];

	if (site != NULL && strcmp(site, "cross-site") == 0)
		return "cross-site requests may not act";
	if (origin != NULL && strcmp(origin, "null") != 0) {
		const char *o = strstr(origin, "://");

		if (o == NULL || host == NULL || strcmp(o + 3, host) != 0)
			return "the request comes from another origin";
	}
	/* A browser never adds a bearer token or a JSON body by itself. */
	if (api && auth != NULL && strncmp(auth, "Bearer ", 7) == 0)
		return NULL;
	if (api && opex_server_content_type_is(ctx, "application/json"))
		return NULL;
	given = opex_server_form_field(ctx, "csrf");
	if (given == NULL)
		return "the form has no CSRF token: reload the page and try again";
	opex_server_csrf_token(want, ctx->server, ctx->who.person);
	if (!same_secret(given, want))
		return "the form's CSRF token is not valid: reload the page and try again";
	return NULL;
}

