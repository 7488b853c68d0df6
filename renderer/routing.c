/*
 * routing.c: the routing directory as output: one route (text, JSON) and
 * the matrix of journeys by market and language (HTML), with its gaps.
 *
 *   route JSON  {journey, market, language, team: {id, name, tier, contact,
 *               partner, fte} | null, candidates, escalations: [{id, name,
 *               tier, contact}], cycles, steps: [{process, node, label,
 *               article}]}
 *
 * A team's steps are the map nodes whose role (the node's, else its
 * lane's) the team works (its id, or one of its lanes): what its agents
 * do, and the article for each.
 */
#include "renderer/renderer.h"
#include "renderer/renderer_int.h"
#include "core/limits.h"
#include "core/memory.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static json_t *team_json(const opex_kb_team *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", opex_render_json_text(t->id));
	json_object_set_new(o, "name", opex_render_json_text(t->name));
	json_object_set_new(o, "tier", json_integer(t->tier));
	json_object_set_new(o, "contact", t->contact
		? opex_render_json_text(t->contact) : json_null());
	json_object_set_new(o, "partner", json_boolean(t->partner));
	if (t->fte > 0)
		json_object_set_new(o, "fte", json_real(t->fte));
	return o;
}

/* Call `fn` for every step of `team` in `maps`. */
static void each_step(const opex_pm_map *const *maps, size_t map_count,
	const opex_kb_team *team,
	void (*fn)(const opex_pm_map *map, const opex_pm_node *n, void *payload),
	void *payload)
{
	size_t i, k;

	for (i = 0; i < map_count; i++)
		for (k = 0; k < opex_pm_map_node_count(maps[i]); k++) {
			const opex_pm_node *n = opex_pm_map_node(maps[i], k);

			if (n->role != NULL && opex_kb_team_works(team, n->role))
				fn(maps[i], n, payload);
		}
}

static void step_json(const opex_pm_map *map, const opex_pm_node *n,
	void *payload)
{
	json_t *o = json_object();

	json_object_set_new(o, "process", opex_render_json_text(opex_pm_map_path(map)));
	json_object_set_new(o, "node", opex_render_json_text(n->id));
	json_object_set_new(o, "label", n->label
		? opex_render_json_text(n->label) : json_null());
	json_object_set_new(o, "article", n->article
		? opex_render_json_text(n->article) : json_null());
	json_array_append_new(payload, o);
}

static json_t *text_or_null(const char *s)
{
	return s ? opex_render_json_text(s) : json_null();
}

json_t *opex_render_route_object(const opex_kb_route *r,
	const opex_render_route_query *q, const opex_pm_map *const *maps,
	size_t map_count)
{
	json_t *root = json_object(), *chain = json_array(), *steps = json_array();
	size_t i;

	json_object_set_new(root, "journey", text_or_null(q->journey));
	json_object_set_new(root, "market", text_or_null(q->market));
	json_object_set_new(root, "language", text_or_null(q->language));
	json_object_set_new(root, "team", r->team ? team_json(r->team) : json_null());
	json_object_set_new(root, "candidates", json_integer((json_int_t)r->candidates));
	for (i = 0; i < r->chain_count; i++)
		json_array_append_new(chain, team_json(r->chain[i]));
	json_object_set_new(root, "escalations", chain);
	json_object_set_new(root, "cycles", json_boolean(r->cycles));
	if (r->team)
		each_step(maps, map_count, r->team, step_json, steps);
	json_object_set_new(root, "steps", steps);
	return root;
}

int opex_render_route_json(opex_buf *out, const opex_kb_route *r,
	const opex_render_route_query *q, const opex_pm_map *const *maps,
	size_t map_count, opex_error *err)
{
	return opex_render_json_emit(out,
		opex_render_route_object(r, q, maps, map_count), "route", err);
}

static void step_text(const opex_pm_map *map, const opex_pm_node *n,
	void *payload)
{
	opex_buf *out = payload;

	opex_buf_printf(out, "  %s %s: %s", opex_pm_map_path(map), n->id,
		n->label ? n->label : n->id);
	if (n->article)
		opex_buf_printf(out, " -> %s", n->article);
	opex_buf_putc(out, '\n');
}

void opex_render_route_text(opex_buf *out, const opex_kb_route *r,
	const opex_render_route_query *q, const opex_pm_map *const *maps,
	size_t map_count)
{
	size_t i;

	opex_buf_printf(out, "%s contacts in market %s in %s:\n",
		q->journey ? q->journey : "any", q->market ? q->market : "any",
		q->language ? q->language : "any language");
	if (r->team == NULL) {
		opex_buf_puts(out, "no tier-1 team takes them (a routing gap)\n");
		return;
	}
	opex_buf_printf(out, "team: %s (%s), tier %u%s", r->team->name,
		r->team->id, r->team->tier, r->team->partner ? ", partner" : "");
	if (r->team->contact)
		opex_buf_printf(out, ", contact %s", r->team->contact);
	opex_buf_putc(out, '\n');
	for (i = 0; i < r->chain_count; i++)
		opex_buf_printf(out, "escalates to: %s (%s), tier %u%s%s\n",
			r->chain[i]->name, r->chain[i]->id, r->chain[i]->tier,
			r->chain[i]->contact ? ", contact " : "",
			r->chain[i]->contact ? r->chain[i]->contact : "");
	if (r->cycles)
		opex_buf_puts(out, "the escalations come back to a team already in the chain\n");
	opex_buf_puts(out, "steps it works:\n");
	each_step(maps, map_count, r->team, step_text, out);
}

void opex_render_routing_matrix_html(opex_buf *out,
	const opex_kb_handbook *hb)
{
	const opex_kb_roster *roster = opex_kb_handbook_roster(hb);
	const opex_kb_settings *s = opex_kb_handbook_settings(hb);
	const char **journeys = NULL;
	size_t nj = opex_kb_routing_journeys(&journeys, hb), j, k, gaps = 0;
	size_t columns = s->market_language_count;

	opex_buf_puts(out, "<section class=\"routing\">\n");
	if (!opex_kb_routing_used(roster)) {
		opex_buf_puts(out, "<p>people.yaml has no routing directory: give teams a <code>tier</code>.</p>\n</section>\n");
		opex_free(journeys);
		return;
	}
	opex_buf_puts(out, "<table class=\"routing-matrix\">\n<thead><tr><th scope=\"col\">journey</th>");
	for (k = 0; k < columns; k++) {
		opex_buf_puts(out, "<th scope=\"col\">");
		opex_html_escape_text(out, s->market_languages[k].market);
		opex_buf_puts(out, " · ");
		opex_html_escape_text(out, s->market_languages[k].language);
		opex_buf_puts(out, "</th>");
	}
	if (columns == 0)
		opex_buf_puts(out, "<th scope=\"col\">any market</th>");
	opex_buf_puts(out, "</tr></thead>\n<tbody>\n");
	for (j = 0; j < nj; j++) {
		opex_buf_puts(out, "<tr><th scope=\"row\">");
		opex_html_escape_text(out, journeys[j]);
		opex_buf_puts(out, "</th>");
		for (k = 0; k < (columns ? columns : 1); k++) {
			opex_kb_route r;

			opex_kb_route_find(&r, roster, journeys[j],
				columns ? s->market_languages[k].market : NULL,
				columns ? s->market_languages[k].language : NULL);
			if (r.team == NULL) {
				gaps++;
				opex_buf_puts(out, "<td class=\"gap\">gap: no tier-1 team</td>");
				continue;
			}
			opex_buf_printf(out, "<td class=\"%s\">",
				r.team->partner ? "covered partner" : "covered");
			opex_html_escape_text(out, r.team->name);
			if (r.chain_count > 0) {
				opex_buf_puts(out, " <small>→ ");
				opex_html_escape_text(out, r.chain[0]->name);
				opex_buf_puts(out, "</small>");
			}
			opex_buf_puts(out, "</td>");
		}
		opex_buf_puts(out, "</tr>\n");
	}
	opex_buf_printf(out, "</tbody>\n</table>\n<p class=\"routing-gaps\">%zu %s</p>\n",
		gaps, gaps == 1 ? "gap" : "gaps");
	opex_buf_puts(out, "<h2>Teams</h2>\n<table class=\"routing-teams\">\n<thead><tr><th>team</th><th>tier</th><th>covers</th><th>escalates to</th><th>contact</th><th>FTE</th></tr></thead>\n<tbody>\n");
	for (k = 0; k < roster->team_count; k++) {
		const opex_kb_team *t = &roster->teams[k];
		size_t i;

		if (t->tier == 0)
			continue;
		opex_buf_puts(out, "<tr><td>");
		opex_html_escape_text(out, t->name);
		opex_buf_printf(out, "%s</td><td>%u</td><td>", t->partner ? " (partner)" : "", t->tier);
		for (i = 0; i < t->journey_count; i++) {
			opex_html_escape_text(out, t->journeys[i]);
			opex_buf_puts(out, " ");
		}
		if (t->journey_count == 0)
			opex_buf_puts(out, "every journey ");
		for (i = 0; i < t->market_count; i++) {
			opex_buf_puts(out, i == 0 ? "· " : ", ");
			opex_html_escape_text(out, t->markets[i]);
		}
		for (i = 0; i < t->language_count; i++) {
			opex_buf_puts(out, i == 0 ? " · " : ", ");
			opex_html_escape_text(out, t->languages[i]);
		}
		opex_buf_puts(out, "</td><td>");
		if (t->escalates_to)
			opex_html_escape_text(out, t->escalates_to);
		opex_buf_puts(out, "</td><td>");
		if (t->contact)
			opex_html_escape_text(out, t->contact);
		opex_buf_puts(out, "</td><td>");
		if (t->fte > 0)
			opex_buf_printf(out, "%g", t->fte);
		opex_buf_puts(out, "</td></tr>\n");
	}
	opex_buf_puts(out, "</tbody>\n</table>\n</section>\n");
	opex_free(journeys);
}
