/*
 * health.c: the knowledge-base health report, shared by GET /api/health
 * and the /health page. Rows, in the reader's view only (a restricted
 * article is never listed nor counted):
 *
 *   | kind                 | from                                     |
 *   |----------------------|------------------------------------------|
 *   | stale                | articles whose verification is overdue   |
 *   | outdated             | translations older than their source     |
 *   | step-without-article | lint: process steps with no article      |
 *   | orphan-article       | lint: articles no process links to       |
 *   | kpi-target-breached  | KPI store: map targets breached (members)|
 *
 * Lint counts cover every finding on files the reader may see.
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

#include "renderer/renderer.h"

#include "core/banned.h"

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int by_kind(const void *x, const void *y)
{
	const opex_render_health_row *a = x, *b = y;
	int c = cmp_str(a->kind, b->kind);

	return c ? c : cmp_str(a->path, b->path);
}

static int by_path(const void *x, const void *y)
{
	const opex_render_health_row *a = x, *b = y;
	int c = cmp_str(a->path, b->path);

	return c ? c : cmp_str(a->kind, b->kind);
}

static int by_owner(const void *x, const void *y)
{
	const opex_render_health_row *a = x, *b = y;
	int c = cmp_str(a->owner, b->owner);

	return c ? c : by_kind(x, y);
}

static int by_detail(const void *x, const void *y)
{
	const opex_render_health_row *a = x, *b = y;
	int c = cmp_str(a->detail, b->detail);

	return c ? c : by_kind(x, y);
}

void opex_server_health_build(opex_render_health *out, opex_server_ctx *ctx,
	const char *sort)
{
	const opex_kb_handbook *hb = ctx->snap->hb;
	const opex_diag_list *diags = &ctx->snap->diags;
	size_t n = opex_kb_handbook_article_count(hb), i, count = 0;
	opex_render_health_row *breaches = NULL;
	size_t breach_count = opex_server_kpi_breaches(ctx, &breaches);
	opex_render_health_row *overdue = NULL;
	size_t overdue_count = opex_server_acks_overdue(ctx, &overdue);
	size_t cap = 2 * n + diags->count + breach_count + overdue_count + 1;
	opex_render_health_row *rows = opex_arena_alloc(&ctx->arena,
		cap * sizeof(*rows));

	memset(out, 0, sizeof(*out));
	for (i = 0; i < breach_count; i++)
		rows[count++] = breaches[i];
	for (i = 0; i < overdue_count; i++)
		rows[count++] = overdue[i];
	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);
		char date[32];

		if (!opex_server_can_see(&ctx->who, a))
			continue;
		out->articles++;
		if (a->stale) {
			opex_render_health_row *r = &rows[count++];

			memset(r, 0, sizeof(*r));
			r->kind = "stale";
			r->path = a->path;
			r->title = a->title;
			r->owner = a->owner;
			r->href = a->path;
			if (a->verified_at) {
				opex_time_format_date(date, sizeof(date), a->verified_at);
				r->detail = opex_arena_strdup(&ctx->arena, date);
			} else {
				r->detail = "never verified";
			}
		}
		if (a->outdated) {
			opex_render_health_row *r = &rows[count++];

			memset(r, 0, sizeof(*r));
			r->kind = "outdated";
			r->path = a->path;
			r->title = a->title;
			r->owner = a->owner;
			r->href = a->path;
			r->detail = a->translation_of;
		}
	}
	for (i = 0; i < diags->count; i++) {
		const opex_diag *d = &diags->items[i];
		opex_render_health_row *r;
		const opex_kb_article *a;

		if (!opex_server_can_see_path(&ctx->who, hb, d->path))
			continue;
		if (d->severity == OPEX_SEVERITY_ERROR)
			out->errors++;
		else if (d->severity == OPEX_SEVERITY_WARNING)
			out->warnings++;
		else
			out->infos++;
		if (strcmp(d->rule, "step-without-article") != 0 &&
		    strcmp(d->rule, "orphan-article") != 0)
			continue;
		r = &rows[count++];
		memset(r, 0, sizeof(*r));
		r->kind = d->rule;
		r->path = d->path;
		r->detail = d->message;
		r->href = d->path;
		a = opex_kb_handbook_find(hb, d->path);
		if (a != NULL) {
			r->title = a->title;
			r->owner = a->owner;
		} else {
			const opex_server_map *m =
				opex_server_snapshot_map(ctx->snap, d->path);

			if (m != NULL && m->map != NULL) {
				r->title = opex_pm_map_attr(m->map, OPEX_PM_ATTR_TITLE);
				r->owner = opex_pm_map_attr(m->map, OPEX_PM_ATTR_OWNER);
			}
		}
	}
	if (sort == NULL || (strcmp(sort, "path") != 0 &&
	    strcmp(sort, "owner") != 0 && strcmp(sort, "detail") != 0))
		sort = "kind";
	if (count > 1)
		qsort(rows, count, sizeof(*rows),
			strcmp(sort, "path") == 0 ? by_path
			: strcmp(sort, "owner") == 0 ? by_owner
			: strcmp(sort, "detail") == 0 ? by_detail : by_kind);
	out->rows = rows;
	out->count = count;
	out->sort = sort;
	opex_server_health_misses(out, ctx);
}
