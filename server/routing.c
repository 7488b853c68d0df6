/*
 * routing.c: the routing directory over HTTP.
 *
 *   GET /api/routing?journey=&market=&language=   one route (renderer/routing.c JSON)
 *   GET /routing                                  the matrix with its gaps, and the teams
 *
 * Team contacts and escalations are for the operation itself: roster
 * members (or everyone on a server without --auth); a partner or an
 * anonymous reader gets 403.
 */
#include "server/server_int.h"
#include "core/limits.h"

#include <jansson.h>
#include <string.h>

#include "renderer/renderer.h"

#include "core/banned.h"

static bool id_ok(const char *v)
{
	return v == NULL || opex_server_id_ok(v);
}

static const char *param(const opex_server_ctx *ctx, const char *name)
{
	const char *v = opex_server_param_get(ctx, name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

void opex_server_api_routing(opex_server_ctx *ctx)
{
	const opex_server_snapshot *snap = ctx->snap;
	const opex_kb_roster *roster = opex_kb_handbook_roster(snap->hb);
	const opex_pm_map **maps;
	opex_render_route_query q;
	opex_kb_route r;
	size_t i, n = 0;

	if (!opex_server_is_member(ctx)) {
		opex_server_json_error(ctx, 403, "the routing directory is for people on the roster");
		return;
	}
	q.journey = param(ctx, "journey");
	q.market = param(ctx, "market");
	q.language = param(ctx, "language");
	if (!id_ok(q.journey) || !id_ok(q.market) || !id_ok(q.language)) {
		opex_server_json_error(ctx, 400,
			"journey, market and language are ids: letters, digits, '-', '_' and '.'");
		return;
	}
	if (!opex_kb_routing_used(roster)) {
		opex_server_json_error(ctx, 404,
			"people.yaml has no routing directory (no team has a tier)");
		return;
	}
	maps = opex_arena_alloc(&ctx->arena, (snap->map_count + 1) * sizeof(*maps));
	for (i = 0; i < snap->map_count; i++)
		if (snap->maps[i].map != NULL)
			maps[n++] = snap->maps[i].map;
	opex_kb_route_find(&r, roster, q.journey, q.market, q.language);
	opex_server_json_send(ctx, opex_render_route_object(&r, &q, maps, n), 200);
}

void opex_server_page_routing(opex_server_ctx *ctx)
{
	opex_render_page page;

	if (!opex_server_is_member(ctx)) {
		opex_server_html_error(ctx, 403, "the routing directory is for people on the roster");
		return;
	}
	opex_server_page_begin(ctx, &page, "Routing", "routing");
	opex_buf_puts(&ctx->res->body, "<h1>Routing and escalation</h1>\n");
	opex_render_routing_matrix_html(&ctx->res->body, ctx->snap->hb);
	opex_server_page_end(ctx, &page);
}
