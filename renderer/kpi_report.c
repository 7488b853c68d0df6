/*
 * kpi_report.c: `opex kpi report` as text, Markdown or CSV: one block per
 * process (measures, targets, steps, moves not in the map).
 *
 *   csv columns: process, node ("" for the process), measure, value
 */
#include "renderer/renderer.h"
#include "kpi/kpi.h"

#include <string.h>

#include "core/banned.h"

static void duration(opex_buf *out, double s)
{
	if (s < 0)
		opex_buf_puts(out, "-");
	else if (s < 3600)
		opex_buf_printf(out, "%.0fmin", s / 60);
	else if (s < 172800)
		opex_buf_printf(out, "%.1fh", s / 3600);
	else
		opex_buf_printf(out, "%.1fd", s / 86400);
}

static void rate(opex_buf *out, double r)
{
	if (r < 0)
		opex_buf_puts(out, "-");
	else
		opex_buf_printf(out, "%.1f%%", r * 100);
}

static void csv_row(opex_buf *out, const char *proc, const char *node,
	const char *measure, double v)
{
	opex_buf_printf(out, "%s,%s,%s,%.6g\n", proc, node ? node : "", measure, v);
}

static void csv_measures(opex_buf *out, const char *proc, const char *node,
	const opex_kpi_measures *m)
{
	csv_row(out, proc, node, "inflow", (double)m->inflow);
	csv_row(out, proc, node, "backlog", (double)m->backlog);
	csv_row(out, proc, node, "active", (double)m->active);
	csv_row(out, proc, node, "resolved", (double)m->resolved);
	csv_row(out, proc, node, "first_response_p50", m->first_response_p50);
	csv_row(out, proc, node, "first_response_p90", m->first_response_p90);
	csv_row(out, proc, node, "resolution_p50", m->resolution_p50);
	csv_row(out, proc, node, "resolution_p90", m->resolution_p90);
	csv_row(out, proc, node, "step_p50", m->step_p50);
	csv_row(out, proc, node, "step_p90", m->step_p90);
	csv_row(out, proc, node, "rework", (double)m->rework);
	csv_row(out, proc, node, "handoffs", (double)m->handoffs);
	csv_row(out, proc, node, "reopen_rate", m->reopen_rate);
	csv_row(out, proc, node, "contacts_per_customer", m->contacts_per_customer);
	csv_row(out, proc, node, "csat", m->csat);
	csv_row(out, proc, node, "automation_rate", m->automation_rate);
}

static void text_process(opex_buf *out, const opex_kpi_report *r,
	const opex_kpi_process *p, bool md)
{
	const opex_kpi_measures *m = &p->m;
	const unsigned *b = NULL;
	size_t nb = opex_kpi_report_age_buckets(r, &b), i, k;

	opex_buf_printf(out, md ? "## %s\n\n" : "%s\n", p->path);
	opex_buf_printf(out, "%scases %llu: inflow %llu, backlog %llu, active %llu, resolved %llu\n",
		md ? "- " : "  ", (unsigned long long)p->cases,
		(unsigned long long)m->inflow, (unsigned long long)m->backlog,
		(unsigned long long)m->active, (unsigned long long)m->resolved);
	opex_buf_puts(out, md ? "- open by age:" : "  open by age:");
	for (i = 0; i < nb; i++) {
		if (i + 1 < nb)
			opex_buf_printf(out, " %u-%ud %llu", b[i], b[i + 1] - 1,
				(unsigned long long)m->age[i]);
		else
			opex_buf_printf(out, " %ud+ %llu", b[i],
				(unsigned long long)m->age[i]);
	}
	opex_buf_puts(out, md ? "\n- first response p50 " : "\n  first response p50 ");
	duration(out, m->first_response_p50);
	opex_buf_puts(out, " p90 ");
	duration(out, m->first_response_p90);
	opex_buf_puts(out, "; resolution p50 ");
	duration(out, m->resolution_p50);
	opex_buf_puts(out, " p90 ");
	duration(out, m->resolution_p90);
	opex_buf_printf(out, "\n%srework %llu, hand-offs %llu, reopen rate ",
		md ? "- " : "  ", (unsigned long long)m->rework,
		(unsigned long long)m->handoffs);
	rate(out, m->reopen_rate);
	opex_buf_puts(out, ", automation ");
	rate(out, m->automation_rate);
	if (m->csat >= 0)
		opex_buf_printf(out, ", csat %.2f", m->csat);
	if (m->contacts_per_customer >= 0)
		opex_buf_printf(out, ", cases per customer %.2f", m->contacts_per_customer);
	opex_buf_puts(out, ", conformance ");
	rate(out, p->conformance);
	opex_buf_putc(out, '\n');
	if (md)
		opex_buf_puts(out, "\n| step | in | backlog | active | time p50 | time p90 | rework |\n|---|---|---|---|---|---|---|\n");
	for (i = 0; i < p->step_count; i++) {
		const opex_kpi_measures *s = &p->steps[i].m;

		if (s->inflow == 0 && s->backlog == 0 && s->active == 0)
			continue;
		opex_buf_printf(out, md ? "| %s | %llu | %llu | %llu | " :
			"    step %-20s in %llu, backlog %llu, active %llu, time p50 ",
			p->steps[i].node, (unsigned long long)s->inflow,
			(unsigned long long)s->backlog, (unsigned long long)s->active);
		duration(out, s->step_p50);
		opex_buf_puts(out, md ? " | " : " p90 ");
		duration(out, s->step_p90);
		opex_buf_printf(out, md ? " | %llu |\n" : ", rework %llu\n",
			(unsigned long long)s->rework);
	}
	if (md)
		opex_buf_putc(out, '\n');
	for (i = 0; i < p->edge_count; i++) {
		const opex_kpi_edge *e = &p->edges[i];

		if (e->in_map)
			continue;
		opex_buf_printf(out, "%smove not in the map: %s -> %s (%llu, e.g.",
			md ? "- " : "  ", e->tail, e->head, (unsigned long long)e->volume);
		for (k = 0; k < 3 && e->examples[k]; k++)
			opex_buf_printf(out, " %s", e->examples[k]);
		opex_buf_puts(out, ")\n");
	}
	for (i = 0; i < p->unseen_count; i++)
		opex_buf_printf(out, "%sstep never seen: %s\n", md ? "- " : "  ",
			p->unseen[i]);
	for (i = 0; i < p->target_count; i++) {
		const opex_kpi_target_check *t = &p->targets[i];

		opex_buf_printf(out, "%s%s %s%s%s = %s: actual %.4g%s\n",
			md ? "- " : "  ", t->breached ? "BREACHED" : "ok",
			t->node ? t->node : "", t->node ? "." : "", t->name,
			t->written, t->actual, t->actual < 0 ? " (no data)" : "");
	}
	opex_buf_putc(out, '\n');
}

void opex_render_kpi_report(opex_buf *out, const opex_kpi_report *report,
	const char *format)
{
	size_t i, k;

	if (strcmp(format, "csv") == 0)
		opex_buf_puts(out, "process,node,measure,value\n");
	for (i = 0; i < opex_kpi_report_process_count(report); i++) {
		const opex_kpi_process *p = opex_kpi_report_process(report, i);

		if (strcmp(format, "csv") != 0) {
			text_process(out, report, p, strcmp(format, "markdown") == 0);
			continue;
		}
		csv_measures(out, p->path, NULL, &p->m);
		csv_row(out, p->path, NULL, "conformance", p->conformance);
		for (k = 0; k < p->step_count; k++)
			csv_measures(out, p->path, p->steps[k].node, &p->steps[k].m);
	}
}
