/*
 * kpi_json.c: a KPI report as JSON (`opex kpi report --format json`, and
 * what /api/kpi answers). Durations are seconds, rates 0..1; a measure
 * without data is null, never -1.
 *
 *   { "age_buckets": [1, 7, 15], "breaches": 1,
 *     "processes": [ { "path", "group": {"market": "fr", ...}, "cases",
 *       "measures": {...}, "conformance", "throughput", "fte",
 *       "throughput_per_fte", "weeks": [{"week", "start", "created",
 *       "resolved", "open"}], "steps": [{"node", "measures"}],
 *       "moves": [{"from", "to", "cases", "in_map", "examples"}],
 *       "unseen_steps": [...], "targets": [{"name", "node", "written",
 *       "target", "actual", "breached", "line"}] } ] }
 */
#include "renderer/renderer_int.h"
#include "kpi/kpi.h"

#include "core/banned.h"

static json_t *number_or_null(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

static json_t *count(uint64_t n)
{
	return json_integer((json_int_t)n);
}

static json_t *measures_json(const opex_kpi_measures *m, size_t buckets)
{
	json_t *o = json_object(), *age = json_array();
	size_t i;

	json_object_set_new(o, "inflow", count(m->inflow));
	json_object_set_new(o, "backlog", count(m->backlog));
	json_object_set_new(o, "active", count(m->active));
	json_object_set_new(o, "resolved", count(m->resolved));
	for (i = 0; i < buckets; i++)
		json_array_append_new(age, count(m->age[i]));
	json_object_set_new(o, "open_by_age", age);
	json_object_set_new(o, "first_response_p50", number_or_null(m->first_response_p50));
	json_object_set_new(o, "first_response_p90", number_or_null(m->first_response_p90));
	json_object_set_new(o, "resolution_p50", number_or_null(m->resolution_p50));
	json_object_set_new(o, "resolution_p90", number_or_null(m->resolution_p90));
	json_object_set_new(o, "step_p50", number_or_null(m->step_p50));
	json_object_set_new(o, "step_p90", number_or_null(m->step_p90));
	json_object_set_new(o, "rework", count(m->rework));
	json_object_set_new(o, "handoffs", count(m->handoffs));
	json_object_set_new(o, "reopen_rate", number_or_null(m->reopen_rate));
	json_object_set_new(o, "contacts_per_customer", number_or_null(m->contacts_per_customer));
	json_object_set_new(o, "csat", number_or_null(m->csat));
	json_object_set_new(o, "automation_rate", number_or_null(m->automation_rate));
	json_object_set_new(o, "aht", number_or_null(m->aht));
	json_object_set_new(o, "contacts_per_case", number_or_null(m->contacts_per_case));
	return o;
}

static json_t *group_json(const opex_kpi_process *p)
{
	json_t *o = json_object();
	size_t d;

	for (d = 0; d < OPEX_KPI_DIMS; d++)
		if (p->group[d] != NULL)
			json_object_set_new(o, opex_kpi_dim_name((opex_kpi_dim)d),
				opex_render_json_text(p->group[d]));
	return o;
}

static json_t *weeks_json(const opex_kpi_process *p)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < p->week_count; i++) {
		const opex_kpi_week *w = &p->weeks[i];

		json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:I, s:I}",
			"week", w->label, "start", (json_int_t)w->start,
			"created", (json_int_t)w->created,
			"resolved", (json_int_t)w->resolved,
			"open", (json_int_t)w->open));
	}
	return a;
}

static json_t *moves_json(const opex_kpi_process *p)
{
	json_t *a = json_array();
	size_t i, k;

	for (i = 0; i < p->edge_count; i++) {
		const opex_kpi_edge *e = &p->edges[i];
		json_t *o = json_object(), *ex = json_array();

		json_object_set_new(o, "from", opex_render_json_text(e->tail));
		json_object_set_new(o, "to", opex_render_json_text(e->head));
		json_object_set_new(o, "cases", count(e->volume));
		json_object_set_new(o, "in_map", json_boolean(e->in_map));
		for (k = 0; k < 3 && e->examples[k] != NULL; k++)
			json_array_append_new(ex, opex_render_json_text(e->examples[k]));
		json_object_set_new(o, "examples", ex);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *targets_json(const opex_kpi_process *p)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < p->target_count; i++) {
		const opex_kpi_target_check *t = &p->targets[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", opex_render_json_text(t->name));
		json_object_set_new(o, "node", opex_render_json_text(t->node));
		json_object_set_new(o, "written", opex_render_json_text(t->written));
		json_object_set_new(o, "target", json_real(t->target));
		json_object_set_new(o, "actual", number_or_null(t->actual));
		json_object_set_new(o, "breached", json_boolean(t->breached));
		json_object_set_new(o, "line", json_integer(t->line));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *process_json(const opex_kpi_process *p, size_t buckets)
{
	json_t *o = json_object(), *steps = json_array(), *unseen = json_array();
	size_t i;

	json_object_set_new(o, "path", opex_render_json_text(p->path));
	json_object_set_new(o, "group", group_json(p));
	json_object_set_new(o, "cases", count(p->cases));
	json_object_set_new(o, "measures", measures_json(&p->m, buckets));
	json_object_set_new(o, "conformance", number_or_null(p->conformance));
	json_object_set_new(o, "throughput", number_or_null(p->throughput));
	json_object_set_new(o, "fte", number_or_null(p->fte));
	json_object_set_new(o, "throughput_per_fte", number_or_null(p->throughput_fte));
	json_object_set_new(o, "weeks", weeks_json(p));
	for (i = 0; i < p->step_count; i++)
		json_array_append_new(steps, json_pack("{s:o, s:o}",
			"node", opex_render_json_text(p->steps[i].node),
			"measures", measures_json(&p->steps[i].m, buckets)));
	json_object_set_new(o, "steps", steps);
	json_object_set_new(o, "moves", moves_json(p));
	for (i = 0; i < p->unseen_count; i++)
		json_array_append_new(unseen, opex_render_json_text(p->unseen[i]));
	json_object_set_new(o, "unseen_steps", unseen);
	json_object_set_new(o, "targets", targets_json(p));
	return o;
}

int opex_render_kpi_report_json(opex_buf *out,
	const struct opex_kpi_report *report, opex_error *err)
{
	json_t *root = json_object(), *procs = json_array(), *age = json_array();
	const unsigned *bounds = NULL;
	size_t buckets = opex_kpi_report_age_buckets(report, &bounds), i;

	for (i = 0; i < buckets; i++)
		json_array_append_new(age, json_integer(bounds[i]));
	json_object_set_new(root, "age_buckets", age);
	json_object_set_new(root, "breaches",
		json_integer((json_int_t)opex_kpi_report_breaches(report)));
	for (i = 0; i < opex_kpi_report_process_count(report); i++)
		json_array_append_new(procs, process_json(
			opex_kpi_report_process(report, i), buckets));
	json_object_set_new(root, "processes", procs);
	return opex_render_json_emit(out, root, "the KPI report", err);
}
