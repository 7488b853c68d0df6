/*
 * kpi_report.c: `opex kpi report` as text, Markdown or CSV: one block per
 * process (measures, targets, steps, moves not in the map).
 *
 *   csv columns: process, group ("market=fr;week=2026-W14", "" when not
 *   grouped), node ("" for the process), measure, value
 */
#include "renderer/renderer_int.h"
#include "kpi/kpi.h"

#include <string.h>

#include "core/banned.h"

/* Weeks of the trend the text report shows (JSON has them all). */
#define TREND_WEEKS_SHOWN 6u

/* "market=fr, week=2026-W14" (`sep` between pairs); nothing if not grouped. */
static void group_label(opex_buf *out, const opex_kpi_process *p,
	const char *sep)
{
	size_t d, n = 0;

	for (d = 0; d < OPEX_KPI_DIMS; d++) {
		if (p->group[d] == NULL)
			continue;
		opex_buf_printf(out, "%s%s=%s", n++ ? sep : "",
			opex_kpi_dim_name((opex_kpi_dim)d),
			p->group[d][0] ? p->group[d] : "(none)");
	}
}

static bool grouped(const opex_kpi_process *p)
{
	size_t d;

	for (d = 0; d < OPEX_KPI_DIMS; d++)
		if (p->group[d] != NULL)
			return true;
	return false;
}

/* A CSV field: quoted when it holds a separator, a quote or a newline. */
static void csv_field(opex_buf *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		opex_buf_puts(out, s);
		return;
	}
	opex_buf_putc(out, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			opex_buf_putc(out, '"');
		opex_buf_putc(out, *s);
	}
	opex_buf_putc(out, '"');
}

static void csv_row(opex_buf *out, const opex_kpi_process *p,
	const char *node, const char *measure, double v)
{
	opex_buf group = OPEX_BUF_INIT(4096);

	group_label(&group, p, ";");
	csv_field(out, p->path);
	opex_buf_putc(out, ',');
	csv_field(out, group.len ? group.ptr : "");
	opex_buf_putc(out, ',');
	csv_field(out, node ? node : "");
	opex_buf_printf(out, ",%s,%.6g\n", measure, v);
	opex_buf_release(&group);
}

static void csv_measures(opex_buf *out, const opex_kpi_process *proc,
	const char *node, const opex_kpi_measures *m)
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
	csv_row(out, proc, node, "aht", m->aht);
	csv_row(out, proc, node, "contacts_per_case", m->contacts_per_case);
}

/* Throughput and handle time, then the last weeks of the trend. */
static void text_flow(opex_buf *out, const opex_kpi_process *p, bool md)
{
	size_t i = p->week_count > TREND_WEEKS_SHOWN ?
		p->week_count - TREND_WEEKS_SHOWN : 0;

	opex_buf_printf(out, "%sthroughput ", md ? "- " : "  ");
	if (p->throughput >= 0)
		opex_buf_printf(out, "%.1f resolved/week", p->throughput);
	else
		opex_buf_puts(out, "-");
	if (p->throughput_fte >= 0)
		opex_buf_printf(out, " (%.2f per FTE, %.1f FTE)", p->throughput_fte,
			p->fte);
	opex_buf_puts(out, ", handle time ");
	opex_render_duration(out, p->m.aht);
	opex_buf_putc(out, '\n');
	if (p->week_count == 0)
		return;
	opex_buf_puts(out, md ? "- weeks (created/resolved/open):" :
		"  weeks (created/resolved/open):");
	for (; i < p->week_count; i++)
		opex_buf_printf(out, " %s %llu/%llu/%llu", p->weeks[i].label,
			(unsigned long long)p->weeks[i].created,
			(unsigned long long)p->weeks[i].resolved,
			(unsigned long long)p->weeks[i].open);
	opex_buf_putc(out, '\n');
}

static void text_process(opex_buf *out, const opex_kpi_report *r,
	const opex_kpi_process *p, bool md)
{
	const opex_kpi_measures *m = &p->m;
	const unsigned *b = NULL;
	size_t nb = opex_kpi_report_age_buckets(r, &b), i, k;

	opex_buf_printf(out, md ? "## %s" : "%s", p->path);
	if (grouped(p)) {
		opex_buf_puts(out, " [");
		group_label(out, p, ", ");
		opex_buf_putc(out, ']');
	}
	opex_buf_puts(out, md ? "\n\n" : "\n");
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
	opex_render_duration(out, m->first_response_p50);
	opex_buf_puts(out, " p90 ");
	opex_render_duration(out, m->first_response_p90);
	opex_buf_puts(out, "; resolution p50 ");
	opex_render_duration(out, m->resolution_p50);
	opex_buf_puts(out, " p90 ");
	opex_render_duration(out, m->resolution_p90);
	opex_buf_printf(out, "\n%srework %llu, hand-offs %llu, reopen rate ",
		md ? "- " : "  ", (unsigned long long)m->rework,
		(unsigned long long)m->handoffs);
	opex_render_rate(out, m->reopen_rate);
	opex_buf_puts(out, ", automation ");
	opex_render_rate(out, m->automation_rate);
	if (m->csat >= 0)
		opex_buf_printf(out, ", csat %.2f", m->csat);
	if (m->contacts_per_customer >= 0)
		opex_buf_printf(out, ", cases per customer %.2f", m->contacts_per_customer);
	if (m->contacts_per_case >= 0)
		opex_buf_printf(out, ", contacts per case %.2f", m->contacts_per_case);
	opex_buf_puts(out, ", conformance ");
	opex_render_rate(out, p->conformance);
	opex_buf_putc(out, '\n');
	text_flow(out, p, md);
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
		opex_render_duration(out, s->step_p50);
		opex_buf_puts(out, md ? " | " : " p90 ");
		opex_render_duration(out, s->step_p90);
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

		opex_buf_printf(out, "%s%s %s%s%s = %s: actual ",
			md ? "- " : "  ", t->breached ? "BREACHED" : "ok",
			t->node ? t->node : "", t->node ? "." : "", t->name,
			t->written);
		opex_render_kpi_target_value(out, t->name, t->actual);
		opex_buf_putc(out, '\n');
	}
	opex_buf_putc(out, '\n');
}

void opex_render_kpi_report(opex_buf *out, const opex_kpi_report *report,
	const char *format)
{
	size_t i, k;

	if (strcmp(format, "csv") == 0)
		opex_buf_puts(out, "process,group,node,measure,value\n");
	for (i = 0; i < opex_kpi_report_process_count(report); i++) {
		const opex_kpi_process *p = opex_kpi_report_process(report, i);

		if (strcmp(format, "csv") != 0) {
			text_process(out, report, p, strcmp(format, "markdown") == 0);
			continue;
		}
		csv_measures(out, p, NULL, &p->m);
		csv_row(out, p, NULL, "conformance", p->conformance);
		csv_row(out, p, NULL, "throughput", p->throughput);
		csv_row(out, p, NULL, "throughput_per_fte", p->throughput_fte);
		for (k = 0; k < p->step_count; k++)
			csv_measures(out, p, p->steps[k].node, &p->steps[k].m);
	}
}
