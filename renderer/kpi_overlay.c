/*
 * kpi_overlay.c: a flowchart's KPI overlay from one process of a KPI
 * report (renderer/flowchart.c draws it).
 *
 *   metric     value on each step             target it is judged by
 *   backlog    open cases not yet worked       target_backlog
 *   active     open cases being worked         -
 *   volume     cases that entered the step     -
 *   resolved   cases resolved there            -
 *   p50, p90   time in the step                target_step_p50, target_step_p90
 *   rework     re-entries into the step        -
 *   handoffs   moves to another lane           -
 *
 * State: breach when the step's target is breached; warn when the value
 * is within 20 % of it (80 % of a target reached); ok with data and no
 * target or a target kept; none for a step no case reached (or a time with
 * no sample). Edge widths are the moves between steps; moves the map does
 * not have are not map edges and are left out.
 */
#include "renderer/renderer_int.h"
#include "core/memory.h"
#include "kpi/kpi.h"

#include <string.h>

#include "core/banned.h"

typedef enum metric {
	M_BACKLOG, M_ACTIVE, M_VOLUME, M_RESOLVED, M_P50, M_P90, M_REWORK,
	M_HANDOFFS, M_COUNT
} metric;

static const char *const metric_names[M_COUNT] = {
	"backlog", "active", "volume", "resolved", "p50", "p90", "rework",
	"handoffs"
};

static const char *const metric_targets[M_COUNT] = {
	"target_backlog", NULL, NULL, NULL, "target_step_p50", "target_step_p90",
	NULL, NULL
};

static const char *const metric_legends[M_COUNT] = {
	"backlog: open cases not yet worked, per step",
	"active: open cases being worked, per step",
	"volume: cases that entered each step",
	"resolved: cases resolved at each step",
	"p50: median time in each step",
	"p90: 90th percentile time in each step",
	"rework: cases re-entering each step",
	"handoffs: moves from each step to another lane"
};

const char *opex_render_kpi_metric_list(void)
{
	return "backlog, active, volume, resolved, p50, p90, rework, handoffs";
}

static double value_of(const opex_kpi_measures *m, metric k)
{
	switch (k) {
	case M_BACKLOG: return (double)m->backlog;
	case M_ACTIVE: return (double)m->active;
	case M_VOLUME: return (double)m->inflow;
	case M_RESOLVED: return (double)m->resolved;
	case M_P50: return m->step_p50;
	case M_P90: return m->step_p90;
	case M_REWORK: return (double)m->rework;
	case M_HANDOFFS: return (double)m->handoffs;
	default: return -1;
	}
}

static void value_text(opex_buf *out, metric k, double v)
{
	static const char *const units[M_COUNT] = { "in backlog", "active",
		"cases", "resolved", NULL, NULL, "re-entries", "hand-offs" };

	if (k == M_P50 || k == M_P90) {
		opex_buf_puts(out, k == M_P50 ? "p50 " : "p90 ");
		opex_render_duration(out, v);
	} else {
		opex_buf_printf(out, "%.0f %s", v, units[k]);
	}
}

static bool reached(const opex_kpi_measures *m)
{
	return m->inflow || m->backlog || m->active || m->resolved;
}

/* The state of one step: its target check for the metric, if any. */
static opex_render_kpi_state state_of(const opex_kpi_process *p,
	const char *node, metric k, double v)
{
	const char *target = metric_targets[k];
	size_t i;

	if (v < 0)
		return OPEX_RENDER_KPI_NONE;
	for (i = 0; target != NULL && i < p->target_count; i++) {
		const opex_kpi_target_check *t = &p->targets[i];

		if (t->node == NULL || strcmp(t->node, node) != 0 ||
		    strcmp(t->name, target) != 0)
			continue;
		if (t->breached)
			return OPEX_RENDER_KPI_BREACH;
		return v >= 0.8 * t->target ? OPEX_RENDER_KPI_WARN : OPEX_RENDER_KPI_OK;
	}
	return OPEX_RENDER_KPI_OK;
}

int opex_render_kpi_overlay_build(opex_render_kpi_built *out,
	const struct opex_kpi_process *p, const char *name, opex_error *err)
{
	opex_render_kpi_node *nodes;
	opex_render_kpi_edge *edges;
	char **texts;
	opex_buf text = OPEX_BUF_INIT(256);
	size_t i, n = 0, e = 0;
	int k;

	memset(out, 0, sizeof(*out));
	for (k = 0; k < M_COUNT; k++)
		if (strcmp(metric_names[k], name) == 0)
			break;
	if (k == M_COUNT)
		return opex_error_set(err, OPEX_EINVALID,
			"'%s' is not a metric (%s)", name, opex_render_kpi_metric_list());
	nodes = opex_calloc(p->step_count + 1, sizeof(*nodes));
	texts = opex_calloc(p->step_count + 1, sizeof(*texts));
	edges = opex_calloc(p->edge_count + 1, sizeof(*edges));
	for (i = 0; i < p->step_count; i++) {
		const opex_kpi_step *s = &p->steps[i];
		double v = reached(&s->m) ? value_of(&s->m, (metric)k) : -1;

		if (v < 0)
			continue;   /* drawn as "no data" */
		opex_buf_clear(&text);
		value_text(&text, (metric)k, v);
		nodes[n].node_id = s->node;
		nodes[n].value = v;
		texts[n] = opex_strdup(text.ptr);
		nodes[n].value_text = texts[n];
		nodes[n].state = state_of(p, s->node, (metric)k, v);
		n++;
	}
	for (i = 0; i < p->edge_count; i++) {
		if (!p->edges[i].in_map)
			continue;
		edges[e].tail = p->edges[i].tail;
		edges[e].head = p->edges[i].head;
		edges[e++].volume = p->edges[i].volume;
	}
	out->overlay.metric = metric_names[k];
	out->overlay.legend_title = metric_legends[k];
	out->overlay.nodes = nodes;
	out->overlay.node_count = n;
	out->overlay.edges = edges;
	out->overlay.edge_count = e;
	out->nodes = nodes;
	out->edges = edges;
	out->texts = texts;
	opex_buf_release(&text);
	return 0;
}

void opex_render_kpi_overlay_release(opex_render_kpi_built *b)
{
	size_t i;

	for (i = 0; b->texts != NULL && i < b->overlay.node_count; i++)
		opex_free(b->texts[i]);
	opex_free(b->texts);
	opex_free(b->nodes);
	opex_free(b->edges);
	memset(b, 0, sizeof(*b));
}
