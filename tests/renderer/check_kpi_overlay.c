/*
 * check_kpi_overlay.c: the flowchart as a KPI heat map (renderer/
 * kpi_overlay.c, flowchart.c): values written on the steps, states as
 * class, fill and border, edge widths by volume, a legend, entries the map
 * does not have ignored and counted, hostile text neutralised, and the
 * same bytes for the same measures.
 */
#include "kpi/kpi.h"
#include "core/memory.h"
#include "renderer/renderer.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char map_text[] =
	"digraph r {\n"
	"  title=\"Refund\"; owner=ana;\n"
	"  s [kind=start, label=\"Asks\"];\n"
	"  triage [label=\"Triage\", target_backlog=\"10\"];\n"
	"  review [label=\"Review\", target_backlog=\"10\"];\n"
	"  pay [label=\"Pay\", target_backlog=\"10\"];\n"
	"  idle [label=\"Never reached\"];\n"
	"  done [kind=end, label=\"Done\"];\n"
	"  s -> triage -> review -> pay -> done; triage -> idle -> done;\n"
	"}\n";

static opex_pm_map *map;

static void setup(void)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;

	ck_assert_int_eq(opex_pm_map_load(&map, "processes/r.dot", map_text,
		strlen(map_text), &diags, NULL), 0);
	opex_diag_list_release(&diags);
}

static void teardown(void)
{
	opex_pm_map_free(map);
	map = NULL;
}

static void measures(opex_kpi_measures *m, uint64_t in, uint64_t backlog)
{
	memset(m, 0, sizeof(*m));
	m->inflow = in;
	m->backlog = backlog;
	m->step_p50 = m->step_p90 = -1;
}

/* triage: 12 in backlog (target 10: breach); review: 9 (warn); pay: 2 (ok). */
static void process(opex_kpi_process *p, opex_kpi_step steps[4],
	opex_kpi_edge edges[4], opex_kpi_target_check targets[3])
{
	memset(p, 0, sizeof(*p));
	memset(steps, 0, 4 * sizeof(*steps));
	memset(edges, 0, 4 * sizeof(*edges));
	memset(targets, 0, 3 * sizeof(*targets));
	p->path = "processes/r.dot";
	steps[0].node = "triage";
	measures(&steps[0].m, 40, 12);
	steps[1].node = "review";
	measures(&steps[1].m, 30, 9);
	steps[2].node = "pay";
	measures(&steps[2].m, 25, 2);
	steps[3].node = "idle";
	measures(&steps[3].m, 0, 0);
	p->steps = steps;
	p->step_count = 4;
	edges[0] = (opex_kpi_edge){ "triage", "review", 1000, true, { NULL } };
	edges[1] = (opex_kpi_edge){ "review", "pay", 10, true, { NULL } };
	edges[2] = (opex_kpi_edge){ "pay", "triage", 3, false, { "C-9" } };
	p->edges = edges;
	p->edge_count = 3;
	targets[0] = (opex_kpi_target_check){ "target_backlog", "triage", "10", 10, 12, true, 4 };
	targets[1] = (opex_kpi_target_check){ "target_backlog", "review", "10", 10, 9, false, 5 };
	targets[2] = (opex_kpi_target_check){ "target_backlog", "pay", "10", 10, 2, false, 6 };
	p->targets = targets;
	p->target_count = 3;
}

static char *render(const opex_render_kpi_overlay *kpi, size_t *ignored,
	opex_render_flowchart_format format)
{
	opex_render_flowchart_options opts = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	opex_buf out = OPEX_BUF_INIT(1 << 22);
	opex_error err = OPEX_ERROR_INIT;

	opts.format = format;
	opts.kpi = kpi;
	opts.kpi_ignored = ignored;
	ck_assert_msg(opex_render_flowchart(&out, map, &opts, &err) == 0, "%s",
		err.message);
	return opex_buf_detach(&out, NULL);
}

/* The <g> of the node with this id (ids are element ids), up to its end. */
static char *node_group(const char *svg, const char *id)
{
	char want[128];
	const char *at, *end;

	snprintf(want, sizeof(want), "id=\"%s\"", id);
	at = strstr(svg, want);
	ck_assert_msg(at != NULL, "no node %s", id);
	end = strstr(at, "</g>");
	ck_assert_ptr_nonnull(end);
	return opex_strndup(at, (size_t)(end - at));
}

START_TEST(kpi_overlay__states_values_and_legend)
{
	opex_kpi_process p;
	opex_kpi_step steps[4];
	opex_kpi_edge edges[4];
	opex_kpi_target_check targets[3];
	opex_render_kpi_built built;
	size_t ignored = 99;
	char *svg, *g;

	process(&p, steps, edges, targets);
	ck_assert_int_eq(opex_render_kpi_overlay_build(&built, &p, "backlog", NULL), 0);
	svg = render(&built.overlay, &ignored, OPEX_FLOWCHART_SVG);
	ck_assert_uint_eq(ignored, 0);
	g = node_group(svg, "triage");
	ck_assert_ptr_nonnull(strstr(g, "opex&#45;kpi&#45;breach"));
	ck_assert_ptr_nonnull(strstr(g, "12 in backlog"));
	opex_free(g);
	g = node_group(svg, "review");
	ck_assert_ptr_nonnull(strstr(g, "opex&#45;kpi&#45;warn"));
	ck_assert_ptr_nonnull(strstr(g, "9 in backlog"));
	opex_free(g);
	g = node_group(svg, "pay");
	ck_assert_ptr_nonnull(strstr(g, "opex&#45;kpi&#45;ok"));
	opex_free(g);
	/* never reached: "no data", in words as well as in grey */
	g = node_group(svg, "idle");
	ck_assert_ptr_nonnull(strstr(g, "opex&#45;kpi&#45;none"));
	ck_assert_ptr_nonnull(strstr(g, "no data"));
	opex_free(g);
	ck_assert_ptr_nonnull(strstr(svg, "class=\"opex-kpi-legend\""));
	ck_assert_ptr_nonnull(strstr(svg, "breach: 1"));
	ck_assert_ptr_nonnull(strstr(svg, "warn: 1"));
	ck_assert_ptr_nonnull(strstr(svg, "heat map of backlog"));
	opex_free(svg);
	opex_render_kpi_overlay_release(&built);

	ck_assert_int_eq(opex_render_kpi_overlay_build(&built, &p, "p90", NULL), 0);
	svg = render(&built.overlay, NULL, OPEX_FLOWCHART_SVG);
	g = node_group(svg, "triage");   /* no time recorded: no data */
	ck_assert_ptr_nonnull(strstr(g, "no data"));
	opex_free(g);
	opex_free(svg);
	opex_render_kpi_overlay_release(&built);
}
END_TEST

/* The penwidth the styled DOT gives the edge tail -> head. */
static double penwidth(const char *dot, const char *tail, const char *head)
{
	char want[128];
	const char *at, *pen;

	snprintf(want, sizeof(want), "\"%s\" -> \"%s\"", tail, head);
	at = strstr(dot, want);
	ck_assert_msg(at != NULL, "no edge %s -> %s", tail, head);
	pen = strstr(at, "penwidth=");
	ck_assert_ptr_nonnull(pen);
	ck_assert(pen < strchr(at, '\n'));
	return strtod(pen + 9, NULL);
}

START_TEST(kpi_overlay__edges_by_volume_and_unknown_entries)
{
	opex_kpi_process p;
	opex_kpi_step steps[4];
	opex_kpi_edge edges[4];
	opex_kpi_target_check targets[3];
	opex_render_kpi_built built;
	opex_render_kpi_node extra[2];
	opex_render_kpi_overlay kpi;
	size_t ignored = 0;
	char *dot;

	process(&p, steps, edges, targets);
	ck_assert_int_eq(opex_render_kpi_overlay_build(&built, &p, "volume", NULL), 0);
	/* the move pay -> triage is not in the map: not an overlay edge */
	ck_assert_uint_eq(built.overlay.edge_count, 2);
	dot = render(&built.overlay, &ignored, OPEX_FLOWCHART_DOT);
	ck_assert(penwidth(dot, "triage", "review") > penwidth(dot, "review", "pay"));
	ck_assert_ptr_nonnull(strstr(dot, "tooltip=\"1000 cases\""));
	opex_free(dot);

	/* entries naming no node of the map, and repeats, are counted */
	kpi = built.overlay;
	memcpy(extra, built.overlay.nodes, sizeof(extra[0]));
	extra[1] = extra[0];
	extra[1].node_id = "nowhere";
	kpi.nodes = extra;
	kpi.node_count = 2;
	dot = render(&kpi, &ignored, OPEX_FLOWCHART_DOT);
	ck_assert_uint_eq(ignored, 1);
	opex_free(dot);
	opex_render_kpi_overlay_release(&built);

	ck_assert_int_eq(opex_render_kpi_overlay_build(&built, &p, "colour", NULL),
		OPEX_EINVALID);
	ck_assert_ptr_null(built.overlay.nodes);
}
END_TEST

START_TEST(kpi_overlay__hostile_text_and_same_bytes)
{
	opex_render_kpi_node nodes[1];
	opex_render_kpi_overlay kpi;
	char *a, *b;

	memset(&kpi, 0, sizeof(kpi));
	nodes[0].node_id = "triage";
	nodes[0].value_text = "<script>alert(1)</script>\" \x01\xff";
	nodes[0].value = 1;
	nodes[0].state = OPEX_RENDER_KPI_BREACH;
	kpi.metric = "<b>\"quoted\"</b>";
	kpi.nodes = nodes;
	kpi.node_count = 1;
	a = render(&kpi, NULL, OPEX_FLOWCHART_SVG);
	ck_assert_ptr_null(strstr(a, "<script"));
	ck_assert_ptr_null(strstr(a, "<b>"));
	ck_assert_ptr_null(strstr(a, "\x01"));
	ck_assert_ptr_null(strstr(a, "\xff"));
	b = render(&kpi, NULL, OPEX_FLOWCHART_SVG);
	ck_assert_str_eq(a, b);
	opex_free(a);
	opex_free(b);
}
END_TEST

Suite *suite_kpi_overlay(void)
{
	Suite *s = suite_create("renderer_kpi_overlay");
	TCase *tc = tcase_create("overlay");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, kpi_overlay__states_values_and_legend);
	tcase_add_test(tc, kpi_overlay__edges_by_volume_and_unknown_entries);
	tcase_add_test(tc, kpi_overlay__hostile_text_and_same_bytes);
	suite_add_tcase(s, tc);
	return s;
}
