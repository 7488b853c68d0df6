/*
 * handler.c: one request in, one response out, without a socket.
 *
 * Every request goes through the same steps:
 *
 *   method (GET/HEAD/POST, else 405) -> URL length (414) -> headers (431)
 *   -> body (413) -> path hygiene (400) -> query (400) -> route (404/405)
 *   -> snapshot + identity (401) -> handler -> security headers -> log
 *
 * Routes (the part after a prefix route is `ctx->rest`):
 *
 *   | method | path                          | kind | handler              |
 *   |--------|-------------------------------|------|----------------------|
 *   | GET    | /                             | page | search (home)        |
 *   | GET    | /search                       | page | search               |
 *   | GET    | /articles/{path}              | page | article              |
 *   | GET    | /replies?lang=&channel=&journey= | page | quick texts, copy  |
 *   | GET    | /replies/{path}               | page | one quick text       |
 *   | GET    | /processes                    | page | process list         |
 *   | GET    | /processes/{path}.dot         | page | process              |
 *   | GET    | /processes/{path}.dot.svg     | svg  | flowchart            |
 *   | GET    | /health                       | page | KB health (sortable) |
 *   | GET    | /routing                      | page | routing matrix       |
 *   | GET    | /api/routing?journey=&market=&language= | json | one route  |
 *   | GET    | /kpi?journey=&market=         | page | KPIs, water tanks    |
 *   | GET    | /api/kpi?process=&journey=&market=&by= | json | KPI report  |
 *   | GET    | /launches                     | page | launch list          |
 *   | GET    | /launches/{path}              | page | launch board + forms |
 *   | POST   | /launches/{path}/gates/{id}/approve, /revoke | form | 303 to the board |
 *   | GET    | /static/{name}                | file | embedded CSS and JS  |
 *   | GET    | /healthz                      | text | liveness             |
 *   | GET    | /metrics                      | text | Prometheus           |
 *   | GET    | /api/articles                 | json | article list         |
 *   | GET    | /api/articles/{path}          | json | one article          |
 *   | GET    | /api/replies?channel=&journey= | json | quick texts        |
 *   | GET    | /api/replies/{path}           | json | one quick text       |
 *   | GET    | /api/processes                | json | process list         |
 *   | GET    | /api/processes/{path}         | json | one process          |
 *   | GET    | /api/health                   | json | KB health report     |
 *   | GET    | /api/search?q=&lang=&...      | json | full-text search     |
 *   | GET    | /api/launches                 | json | launch list          |
 *   | GET    | /api/launches/{path}          | json | every gate's status  |
 *   | POST   | /api/launches/{path}/gates/{id}/approve, /revoke | json | record it |
 *
 *   | GET    | /acks, /acks/{path}           | page | required reading, a board + form |
 *   | POST   | /acks/{path}                  | form | acknowledge: 303 to the board |
 *   | GET    | /acks/feed/{team}             | atom | announcements for a team |
 *   | GET    | /api/acks, /api/acks/{path}   | json | read shares and readers |
 *   | POST   | /api/acks/{path}              | json | acknowledge      |
 *
 * Launch routes and their auth and CSRF rules: launches.c; acks.c follows them.
 *
 * Path hygiene: the path is percent-decoded once; a bad escape, a NUL or
 * control byte, a backslash, invalid or overlong UTF-8, and "." or ".."
 * segments (however encoded) are refused with 400.
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"
#include "core/time.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "renderer/renderer.h"

#include "core/banned.h"

typedef enum route_kind { ROUTE_PAGE = 0, ROUTE_API } route_kind;

typedef struct route {
	const char *pattern;
	bool prefix;
	bool post;                 /* POST instead of GET */
	route_kind kind;
	const char *name;
	void (*fn)(opex_server_ctx *ctx);
} route;

static const route routes[] = {
	{ "/", false, false, ROUTE_PAGE, "home", opex_server_page_home },
	{ "/search", false, false, ROUTE_PAGE, "search", opex_server_page_home },
	{ "/articles/", true, false, ROUTE_PAGE, "article", opex_server_page_article },
	{ "/replies", false, false, ROUTE_PAGE, "replies", opex_server_page_replies },
	{ "/replies/", true, false, ROUTE_PAGE, "reply", opex_server_page_reply },
	{ "/processes", false, false, ROUTE_PAGE, "processes", opex_server_page_processes },
	{ "/processes/", true, false, ROUTE_PAGE, "process", opex_server_page_process },
	{ "/health", false, false, ROUTE_PAGE, "health", opex_server_page_health },
	{ "/static/", true, false, ROUTE_PAGE, "static", opex_server_static },
	{ "/healthz", false, false, ROUTE_API, "healthz", opex_server_api_healthz },
	{ "/metrics", false, false, ROUTE_API, "metrics", opex_server_api_metrics },
	{ "/api/articles", false, false, ROUTE_API, "api_articles", opex_server_api_articles },
	{ "/api/articles/", true, false, ROUTE_API, "api_article", opex_server_api_article },
	{ "/api/replies", false, false, ROUTE_API, "api_replies", opex_server_api_replies },
	{ "/api/replies/", true, false, ROUTE_API, "api_reply", opex_server_api_reply },
	{ "/api/processes", false, false, ROUTE_API, "api_processes", opex_server_api_processes },
	{ "/api/processes/", true, false, ROUTE_API, "api_process", opex_server_api_process },
	{ "/api/health", false, false, ROUTE_API, "api_health", opex_server_api_health },
	{ "/api/search", false, false, ROUTE_API, "api_search", opex_server_api_search },
	{ "/routing", false, false, ROUTE_PAGE, "routing", opex_server_page_routing },
	{ "/api/routing", false, false, ROUTE_API, "api_routing", opex_server_api_routing },
	{ "/kpi", false, false, ROUTE_PAGE, "kpi", opex_server_page_kpi },
	{ "/api/kpi", false, false, ROUTE_API, "api_kpi", opex_server_api_kpi },
	{ "/launches", false, false, ROUTE_PAGE, "launches", opex_server_page_launches },
	{ "/launches/", true, false, ROUTE_PAGE, "launch", opex_server_page_launch },
	{ "/launches/", true, true, ROUTE_PAGE, "launch_act", opex_server_page_launch_act },
	{ "/api/launches", false, false, ROUTE_API, "api_launches", opex_server_api_launches },
	{ "/api/launches/", true, false, ROUTE_API, "api_launch", opex_server_api_launch },
	{ "/api/launches/", true, true, ROUTE_API, "api_launch_act", opex_server_api_launch_act },
	{ "/acks", false, false, ROUTE_PAGE, "acks", opex_server_page_acks },
	{ "/acks/feed/", true, false, ROUTE_API, "ack_feed", opex_server_ack_feed },
	{ "/acks/", true, false, ROUTE_PAGE, "ack", opex_server_page_ack },
	{ "/acks/", true, true, ROUTE_PAGE, "ack_act", opex_server_page_ack_act },
	{ "/api/acks", false, false, ROUTE_API, "api_acks", opex_server_api_acks },
	{ "/api/acks/", true, false, ROUTE_API, "api_ack", opex_server_api_ack },
	{ "/api/acks/", true, true, ROUTE_API, "api_ack_act", opex_server_api_ack_act },
};

#define ROUTE_COUNT (sizeof(routes) / sizeof(routes[0]))

void opex_server_routes_register(opex_server_metrics *m)
{
	size_t i;

	m->route_names[m->route_count++] = "other";
	for (i = 0; i < ROUTE_COUNT && m->route_count < OPEX_SERVER_ROUTE_MAX; i++)
		m->route_names[m->route_count++] = routes[i].name;
}

/* Check the decoded path's segments: no "", ".", ".." or backslash. */
static bool path_clean(const char *path)
{
	const char *seg = path + 1;

	if (path[0] != '/' || strchr(path, '\\') != NULL)
		return false;
	if (path[1] == '\0')
		return true;
	for (;;) {
		const char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);

		if ((len == 0 && end != NULL) ||
		    (len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (end == NULL)
			return true;
		seg = end + 1;
	}
}

static int parse_query(opex_server_ctx *ctx)
{
	const char *q = ctx->req->query;
	size_t len = ctx->req->query_len, start = 0, i;

	if (q == NULL)
		return 0;
	for (i = 0; i <= len; i++) {
		const char *eq;
		size_t plen;

		if (i < len && q[i] != '&')
			continue;
		plen = i - start;
		if (plen > 0) {
			opex_server_param *p;

			if (ctx->param_count >= OPEX_SERVER_MAX_PARAMS)
				return -1;
			p = &ctx->params[ctx->param_count++];
			eq = memchr(q + start, '=', plen);
			if (eq == NULL) {
				p->name = opex_server_decode(&ctx->arena, q + start, plen, true);
				p->value = "";
			} else {
				p->name = opex_server_decode(&ctx->arena, q + start,
					(size_t)(eq - (q + start)), true);
				p->value = opex_server_decode(&ctx->arena, eq + 1,
					(size_t)(q + i - eq - 1), true);
			}
			if (p->name == NULL || p->value == NULL)
				return -1;
		}
		start = i + 1;
	}
	return 0;
}

static void security_headers(opex_server_response *res)
{
	opex_server_response_header(res, "Content-Security-Policy",
		"default-src 'none'; script-src 'self'; style-src 'self'; "
		"img-src 'self' data:; connect-src 'self'; form-action 'self'; "
		"base-uri 'none'; frame-ancestors 'none'");
	opex_server_response_header(res, "X-Content-Type-Options", "nosniff");
	opex_server_response_header(res, "X-Frame-Options", "DENY");
	opex_server_response_header(res, "Referrer-Policy", "no-referrer");
	if (strcmp(res->route ? res->route : "", "static") != 0)
		opex_server_response_header(res, "Cache-Control", "no-store");
}

static void access_log(const opex_server_request *req,
	const opex_server_response *res, double seconds)
{
	opex_buf line = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	char when[32];
	size_t i, n = req->path_len > 1024 ? 1024 : req->path_len;

	opex_time_format_iso(when, sizeof(when), (int64_t)time(NULL));
	opex_buf_printf(&line, "%s %s %s ", when,
		req->remote ? req->remote : "-", req->method);
	/* The raw path, with bytes a terminal could act on escaped. */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)req->path[i];

		if (c < 0x21 || c >= 0x7f || c == '"')
			opex_buf_printf(&line, "%%%02X", c);
		else
			opex_buf_putc(&line, c);
	}
	opex_buf_printf(&line, " %u %zu %.3fms\n", res->status, res->body.len,
		seconds * 1000.0);
	if (!line.failed)
		fputs(line.ptr, stderr);
	opex_buf_release(&line);
}

static const route *find_route(const char *path, bool post, bool *other_method)
{
	size_t i;

	*other_method = false;
	for (i = 0; i < ROUTE_COUNT; i++) {
		const route *r = &routes[i];
		size_t n = strlen(r->pattern);
		bool match = r->prefix
			? strncmp(path, r->pattern, n) == 0 && path[n] != '\0'
			: strcmp(path, r->pattern) == 0;

		if (!match)
			continue;
		if (r->post != post) {
			*other_method = true;
			continue;
		}
		return r;
	}
	return NULL;
}

static size_t header_bytes(const opex_server_request *req)
{
	size_t i, n = 0;

	for (i = 0; i < req->header_count; i++)
		n += (req->headers[i].name ? strlen(req->headers[i].name) : 0) +
			(req->headers[i].value ? strlen(req->headers[i].value) : 0) + 4;
	return n;
}

static void dispatch(opex_server_ctx *ctx)
{
	const opex_server_request *req = ctx->req;
	route_kind kind = req->path_len >= 5 && memcmp(req->path, "/api/", 5) == 0
		? ROUTE_API : ROUTE_PAGE;
	const route *r;
	const char *path;
	opex_error err = OPEX_ERROR_INIT;
	bool get = strcmp(req->method, "GET") == 0 ||
		strcmp(req->method, "HEAD") == 0;
	bool post = strcmp(req->method, "POST") == 0;
	bool other_method;

	if (!get && !post) {
		opex_server_response_header(ctx->res, "Allow", "GET, HEAD, POST");
		opex_server_error_set(ctx->res, kind == ROUTE_API, 405, "method not supported");
		return;
	}
	if (req->path_len + req->query_len > OPEX_LIMIT_HTTP_URL_BYTES) {
		opex_server_error_set(ctx->res, kind == ROUTE_API, 414, "the URL is too long");
		return;
	}
	if (header_bytes(req) > OPEX_LIMIT_HTTP_HEADERS_BYTES) {
		opex_server_error_set(ctx->res, kind == ROUTE_API, 431, "the request headers are too large");
		return;
	}
	if (req->body_len > OPEX_LIMIT_HTTP_BODY_BYTES) {
		opex_server_error_set(ctx->res, kind == ROUTE_API, 413, "the request body is too large");
		return;
	}
	path = opex_server_decode(&ctx->arena, req->path, req->path_len, false);
	if (path == NULL || !path_clean(path)) {
		opex_server_error_set(ctx->res, kind == ROUTE_API, 400,
			"the path has a bad escape, a control byte, invalid "
			"UTF-8 or a '.' or '..' segment");
		return;
	}
	ctx->path = path;
	if (parse_query(ctx) < 0) {
		opex_server_error_set(ctx->res, kind == ROUTE_API, 400,
			"the query string has a bad escape, a control byte, "
			"invalid UTF-8 or too many parameters");
		return;
	}
	r = find_route(path, post, &other_method);
	if (r == NULL) {
		if (other_method) {
			opex_server_response_header(ctx->res, "Allow",
				post ? "GET, HEAD" : "POST");
			opex_server_error_set(ctx->res, kind == ROUTE_API, 405, "use another method here");
		} else {
			opex_server_error_set(ctx->res, kind == ROUTE_API, 404, "no such page");
		}
		return;
	}
	ctx->res->route = r->name;
	ctx->rest = r->prefix ? path + strlen(r->pattern) : "";
	ctx->snap = opex_server_snapshot_acquire(ctx->server);
	if (opex_server_auth_identify(&ctx->who, &ctx->server->auth,
		opex_kb_handbook_roster(ctx->snap->hb),
		opex_server_header_get(req, "Authorization"),
		ctx->server->auth.trust_header != NULL
		? opex_server_header_get(req, ctx->server->auth.trust_header) : NULL,
		&err) < 0) {
		opex_server_response_header(ctx->res, "WWW-Authenticate",
			"Bearer realm=\"opex\"");
		opex_server_error_set(ctx->res, r->kind == ROUTE_API, 401, err.message);
		return;
	}
	r->fn(ctx);
	if (ctx->res->body.failed)
		opex_server_error_set(ctx->res, r->kind == ROUTE_API, 413,
			"the response would be too large");
}

void opex_server_handle(opex_server_response *response, opex_server *server,
	const opex_server_request *request)
{
	opex_server_ctx ctx;
	double started = request->received_ms > 0 ? request->received_ms
		: opex_time_monotonic_ms(), took;

	memset(&ctx, 0, sizeof(ctx));
	ctx.server = server;
	ctx.req = request;
	ctx.res = response;
	opex_arena_init(&ctx.arena);
	response->route = "other";
	dispatch(&ctx);
	if (!response->deferred) {   /* a deferred request is counted once, when answered */
		security_headers(response);
		took = (opex_time_monotonic_ms() - started) / 1e3;
		opex_server_metrics_record(&server->metrics, response->route,
			response->status, took);
		if (server->opts.access_log)
			access_log(request, response, took);
	}
	opex_server_snapshot_release(ctx.snap);
	opex_arena_release(&ctx.arena);
}
