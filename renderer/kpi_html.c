/*
 * kpi_html.c: the KPI page body (GET /kpi) and the step table of a process
 * page, with the charts drawn here as inline SVG (no script):
 *
 *   water tanks   backlog -> active -> resolved, each a tank filled to its
 *                 share of the largest, the count written under it
 *   aging bars    open cases per age bucket, the count at the bar's end
 *   trend lines   created, resolved and open per week: a solid, a dashed
 *                 and a dotted line, named in a legend (never by colour only)
 *
 * Every chart has role="img" and a <title> that states its numbers.
 */
#include "renderer/renderer_int.h"
#include "kpi/kpi.h"

#include <string.h>

#include "core/banned.h"

#define TANK_W 90
#define TANK_H 110
#define TREND_W 520
#define TREND_H 170
#define BAR_W 300

/* Shared with kpi_report.c and the overlay (renderer_int.h). */
void opex_render_duration(opex_buf *out, double s)
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

void opex_render_kpi_target_value(opex_buf *out, const char *name, double v)
{
	if (v < 0)
		opex_buf_puts(out, "no data");
	else if (strstr(name, "_p50") != NULL || strstr(name, "_p90") != NULL)
		opex_render_duration(out, v);
	else if (strstr(name, "rate") != NULL || strstr(name, "conformance") != NULL)
		opex_buf_printf(out, "%.1f%%", v * 100);
	else
		opex_buf_printf(out, "%.4g", v);
}

void opex_render_rate(opex_buf *out, double r)
{
	if (r < 0)
		opex_buf_puts(out, "-");
	else
		opex_buf_printf(out, "%.1f%%", r * 100);
}

static void tanks_svg(opex_buf *out, const opex_kpi_measures *m)
{
	const uint64_t v[3] = { m->backlog, m->active, m->resolved };
	static const char *const names[3] = { "backlog", "active", "resolved" };
	uint64_t max = 1;
	size_t i;

	for (i = 0; i < 3; i++)
		if (v[i] > max)
			max = v[i];
	opex_buf_printf(out, "<svg class=\"kpi-tanks\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">"
		"<title>Water tanks: backlog %llu, active %llu, resolved %llu</title>",
		3 * TANK_W + 60, TANK_H + 40, 3 * TANK_W + 60, TANK_H + 40,
		(unsigned long long)v[0], (unsigned long long)v[1],
		(unsigned long long)v[2]);
	for (i = 0; i < 3; i++) {
		int x = 10 + (int)i * (TANK_W + 20);
		int h = (int)((double)v[i] / (double)max * (TANK_H - 4));

		opex_buf_printf(out, "<rect x=\"%d\" y=\"10\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#37474f\" stroke-width=\"2\"/>"
			"<rect class=\"kpi-tank-%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">%s %llu</text>",
			x, TANK_W - 20, TANK_H, names[i], x + 2, 10 + TANK_H - 2 - h,
			TANK_W - 24, h, i == 0 ? "#f9cfb4" : i == 1 ? "#fff1b8" : "#d6e9f8",
			x + (TANK_W - 20) / 2, TANK_H + 30, names[i],
			(unsigned long long)v[i]);
		if (i < 2)
			opex_buf_printf(out, "<path d=\"M%d %d h14 l-4 -4 m4 4 l-4 4\" stroke=\"#37474f\" fill=\"none\"/>",
				x + TANK_W - 17, 10 + TANK_H / 2);
	}
	opex_buf_puts(out, "</svg>\n");
}

static void aging_svg(opex_buf *out, const opex_kpi_measures *m,
	const unsigned *bounds, size_t nb)
{
	uint64_t max = 1;
	size_t i;

	for (i = 0; i < nb; i++)
		if (m->age[i] > max)
			max = m->age[i];
	opex_buf_printf(out, "<svg class=\"kpi-aging\" role=\"img\" width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\"><title>Open cases by age:",
		BAR_W + 150, nb * 22 + 6, BAR_W + 150, nb * 22 + 6);
	for (i = 0; i < nb; i++)
		opex_buf_printf(out, " %u%s%u days %llu;", bounds[i],
			i + 1 < nb ? "-" : "+", i + 1 < nb ? bounds[i + 1] - 1 : 0,
			(unsigned long long)m->age[i]);
	out->len -= out->len > 0 && out->ptr[out->len - 1] == ';';
	opex_buf_puts(out, "</title>");
	for (i = 0; i < nb; i++) {
		int w = (int)((double)m->age[i] / (double)max * BAR_W);
		int y = 4 + (int)i * 22;

		if (i + 1 < nb)
			opex_buf_printf(out, "<text x=\"0\" y=\"%d\" font-size=\"12\">%u-%u days</text>",
				y + 14, bounds[i], bounds[i + 1] - 1);
		else
			opex_buf_printf(out, "<text x=\"0\" y=\"%d\" font-size=\"12\">%u+ days</text>",
				y + 14, bounds[i]);
		opex_buf_printf(out, "<rect x=\"80\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"%s\" stroke=\"#37474f\"/>"
			"<text x=\"%d\" y=\"%d\" font-size=\"12\">%llu</text>",
			y, w, i + 1 == nb ? "#f9cfb4" : "#d6e9f8", 86 + w, y + 13,
			(unsigned long long)m->age[i]);
	}
	opex_buf_puts(out, "</svg>\n");
}

static void trend_line(opex_buf *out, const opex_kpi_process *p, size_t which,
	uint64_t max, const char *dash)
{
	size_t i, n = p->week_count;

	opex_buf_printf(out, "<polyline fill=\"none\" stroke=\"#37474f\" stroke-width=\"2\"%s%s%s points=\"",
		dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
	for (i = 0; i < n; i++) {
		uint64_t v = which == 0 ? p->weeks[i].created :
			which == 1 ? p->weeks[i].resolved : p->weeks[i].open;
		double x = 40 + (n > 1 ? (double)i * (TREND_W - 60) / (double)(n - 1) : 0);
		double y = 10 + (TREND_H - 40) * (1 - (double)v / (double)max);

		opex_buf_printf(out, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	opex_buf_puts(out, "\"/>");
}

static void trend_svg(opex_buf *out, const opex_kpi_process *p)
{
	static const char *const names[3] = { "created", "resolved", "open" };
	static const char *const dashes[3] = { NULL, "6 4", "2 3" };
	uint64_t max = 1;
	size_t i, k, n = p->week_count;

	if (n == 0) {
		opex_buf_puts(out, "<p>No weeks with cases.</p>\n");
		return;
	}
	for (i = 0; i < n; i++) {
		const opex_kpi_week *w = &p->weeks[i];
		uint64_t hi = w->created > w->resolved ? w->created : w->resolved;

		if (w->open > hi)
			hi = w->open;
		if (hi > max)
			max = hi;
	}
	opex_buf_printf(out, "<svg class=\"kpi-trend\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">"
		"<title>Weekly trend %s to %s: created, resolved and open cases; last week %llu created, %llu resolved, %llu open</title>",
		TREND_W, TREND_H, TREND_W, TREND_H, p->weeks[0].label,
		p->weeks[n - 1].label, (unsigned long long)p->weeks[n - 1].created,
		(unsigned long long)p->weeks[n - 1].resolved,
		(unsigned long long)p->weeks[n - 1].open);
	opex_buf_printf(out, "<line x1=\"40\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#8c8c8c\"/>"
		"<text x=\"0\" y=\"16\" font-size=\"11\">%llu</text><text x=\"0\" y=\"%d\" font-size=\"11\">0</text>",
		TREND_H - 30, TREND_W - 20, TREND_H - 30, (unsigned long long)max,
		TREND_H - 30);
	for (k = 0; k < 3; k++)
		trend_line(out, p, k, max, dashes[k]);
	opex_buf_printf(out, "<text x=\"40\" y=\"%d\" font-size=\"11\">%s</text>"
		"<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>",
		TREND_H - 14, p->weeks[0].label, TREND_W - 20, TREND_H - 14,
		p->weeks[n - 1].label);
	for (k = 0; k < 3; k++)
		opex_buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#37474f\" stroke-width=\"2\"%s%s%s/>"
			"<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>",
			140 + (int)k * 110, TREND_H - 4, 170 + (int)k * 110, TREND_H - 4,
			dashes[k] ? " stroke-dasharray=\"" : "", dashes[k] ? dashes[k] : "",
			dashes[k] ? "\"" : "", 175 + (int)k * 110, TREND_H - 1, names[k]);
	opex_buf_puts(out, "</svg>\n");
}

void opex_render_kpi_steps_html(opex_buf *out, const opex_kpi_process *p)
{
	size_t i;

	opex_buf_puts(out, "<table class=\"kpi-steps\"><thead><tr><th>step</th><th>in</th><th>backlog</th><th>active</th><th>resolved</th><th>time p50</th><th>time p90</th><th>rework</th><th>hand-offs</th></tr></thead><tbody>\n");
	for (i = 0; i < p->step_count; i++) {
		const opex_kpi_measures *s = &p->steps[i].m;

		opex_buf_puts(out, "<tr><td>");
		opex_html_escape_text(out, p->steps[i].node);
		opex_buf_printf(out, "</td><td>%llu</td><td>%llu</td><td>%llu</td><td>%llu</td><td>",
			(unsigned long long)s->inflow, (unsigned long long)s->backlog,
			(unsigned long long)s->active, (unsigned long long)s->resolved);
		opex_render_duration(out, s->step_p50);
		opex_buf_puts(out, "</td><td>");
		opex_render_duration(out, s->step_p90);
		opex_buf_printf(out, "</td><td>%llu</td><td>%llu</td></tr>\n",
			(unsigned long long)s->rework, (unsigned long long)s->handoffs);
	}
	opex_buf_puts(out, "</tbody></table>\n");
}

static void targets_html(opex_buf *out, const opex_kpi_process *p)
{
	size_t i;

	if (p->target_count == 0)
		return;
	opex_buf_puts(out, "<ul class=\"kpi-targets\">\n");
	for (i = 0; i < p->target_count; i++) {
		const opex_kpi_target_check *t = &p->targets[i];

		opex_buf_printf(out, "<li class=\"%s\"><strong>%s</strong> ",
			t->breached ? "breached" : "met", t->breached ? "Breached" : "Met");
		if (t->node != NULL) {
			opex_html_escape_text(out, t->node);
			opex_buf_putc(out, ' ');
		}
		opex_html_escape_text(out, t->name + (strncmp(t->name, "target_", 7) == 0 ? 7 : 0));
		opex_buf_puts(out, " target ");
		opex_html_escape_text(out, t->written);
		opex_buf_puts(out, ": actual ");
		opex_render_kpi_target_value(out, t->name, t->actual);
		opex_buf_puts(out, "</li>\n");
	}
	opex_buf_puts(out, "</ul>\n");
}

static void moves_html(opex_buf *out, const opex_kpi_process *p)
{
	size_t i, k, shown = 0;

	for (i = 0; i < p->edge_count; i++) {
		const opex_kpi_edge *e = &p->edges[i];

		if (e->in_map)
			continue;
		if (shown++ == 0)
			opex_buf_puts(out, "<h3>Moves the map does not have</h3>\n<ul class=\"kpi-moves\">\n");
		opex_buf_puts(out, "<li>");
		opex_html_escape_text(out, e->tail);
		opex_buf_puts(out, " &rarr; ");
		opex_html_escape_text(out, e->head);
		opex_buf_printf(out, ": %llu case%s (e.g.", (unsigned long long)e->volume,
			e->volume == 1 ? "" : "s");
		for (k = 0; k < 3 && e->examples[k]; k++) {
			opex_buf_putc(out, ' ');
			opex_html_escape_text(out, e->examples[k]);
		}
		opex_buf_puts(out, ")</li>\n");
	}
	if (shown)
		opex_buf_puts(out, "</ul>\n");
}

static void summary_html(opex_buf *out, const opex_kpi_process *p)
{
	const opex_kpi_measures *m = &p->m;

	opex_buf_printf(out, "<p class=\"kpi-summary\">%llu cases; first response p90 ",
		(unsigned long long)p->cases);
	opex_render_duration(out, m->first_response_p90);
	opex_buf_puts(out, ", resolution p50 ");
	opex_render_duration(out, m->resolution_p50);
	opex_buf_puts(out, " p90 ");
	opex_render_duration(out, m->resolution_p90);
	opex_buf_puts(out, "; reopen rate ");
	opex_render_rate(out, m->reopen_rate);
	opex_buf_puts(out, ", automation ");
	opex_render_rate(out, m->automation_rate);
	opex_buf_puts(out, ", conformance ");
	opex_render_rate(out, p->conformance);
	if (m->csat >= 0)
		opex_buf_printf(out, ", CSAT %.2f", m->csat);
	if (m->contacts_per_case >= 0)
		opex_buf_printf(out, ", %.2f contacts per case", m->contacts_per_case);
	if (p->throughput >= 0)
		opex_buf_printf(out, "; throughput %.1f/week", p->throughput);
	if (p->throughput_fte >= 0)
		opex_buf_printf(out, " (%.2f per FTE)", p->throughput_fte);
	opex_buf_puts(out, ", handle time ");
	opex_render_duration(out, m->aht);
	opex_buf_puts(out, "</p>\n");
}

void opex_render_kpi_html(opex_buf *out, const struct opex_kpi_report *report)
{
	const unsigned *bounds = NULL;
	size_t nb = opex_kpi_report_age_buckets(report, &bounds), i;
	size_t n = opex_kpi_report_process_count(report);

	if (n == 0)
		opex_buf_puts(out, "<p>No mapped process has cases for this selection.</p>\n");
	for (i = 0; i < n; i++) {
		const opex_kpi_process *p = opex_kpi_report_process(report, i);

		opex_buf_puts(out, "<section class=\"kpi-process\"><h2><a href=\"/");
		opex_html_escape_text(out, p->path);
		opex_buf_puts(out, "\">");
		opex_html_escape_text(out, p->path);
		opex_buf_puts(out, "</a></h2>\n");
		summary_html(out, p);
		targets_html(out, p);
		opex_buf_puts(out, "<div class=\"kpi-charts\">\n");
		tanks_svg(out, &p->m);
		aging_svg(out, &p->m, bounds, nb);
		opex_buf_puts(out, "</div>\n");
		trend_svg(out, p);
		opex_buf_puts(out, "<h3>Steps</h3>\n");
		opex_render_kpi_steps_html(out, p);
		moves_html(out, p);
		opex_buf_puts(out, "</section>\n");
	}
}
