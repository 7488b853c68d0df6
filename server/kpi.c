/*
 * kpi.c: process KPIs over HTTP, read from the KPI store that `opex kpi
 * ingest` fills (opex serve --kpi PATH; default <git-dir>/opex/kpi.sqlite).
 * The server never creates nor writes the store.
 *
 *   GET /kpi?journey=&market=                     the KPI page (journey x market)
 *   GET /api/kpi?process=&journey=&market=&team=&channel=&language=&by=
 *                                                 the report as JSON
 *
 * KPIs are the operation's own figures: roster members (or everyone on a
 * server without --auth); a partner or an anonymous reader gets 403.
 *
 * A report costs a pass over the process's rows, so reports are cached by
 * (revision, store version, query, hour): the store version is the size
 * and modification time of the store and its WAL, so an ingest is seen on
 * the next request; ages move on by the hour. OPEX_SERVER_KPI_CACHE
 * reports are kept, the least recently used dropped first.
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/path.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "kpi/kpi.h"
#include "renderer/renderer.h"

#include "core/banned.h"

struct opex_server_kpi {
	atomic_uint refs;
	char *key;
	unsigned long long used;   /* the cache's clock when last handed out */
	opex_kpi_report *report;
};

static void kpi_free(opex_server_kpi *k)
{
	opex_kpi_report_free(k->report);
	opex_free(k->key);
	opex_free(k);
}

void opex_server_kpi_release(opex_server_kpi *k)
{
	if (k != NULL && atomic_fetch_sub(&k->refs, 1) == 1)
		kpi_free(k);
}

const opex_kpi_report *opex_server_kpi_report(const opex_server_kpi *k)
{
	return k->report;
}

void opex_server_kpi_cache_release(opex_server *server)
{
	size_t i;

	for (i = 0; i < OPEX_SERVER_KPI_CACHE; i++) {
		opex_server_kpi_release(server->kpi_cache[i]);
		server->kpi_cache[i] = NULL;
	}
}

/* The store's path (out cleared first). */
static void store_path(opex_buf *out, const opex_server_ctx *ctx)
{
	opex_buf_clear(out);
	if (ctx->server->opts.kpi_path != NULL)
		opex_buf_puts(out, ctx->server->opts.kpi_path);
	else
		opex_kpi_store_default_path(out, opex_kb_handbook_repo(ctx->snap->hb));
}

/* "size.mtime" of the store and its WAL; false if the store is missing. */
static bool store_version(opex_buf *out, const char *path)
{
	opex_buf wal = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	struct stat st;
	bool found = stat(path, &st) == 0 && S_ISREG(st.st_mode);

	if (found)
		opex_buf_printf(out, "%lld.%lld.%ld", (long long)st.st_size,
			(long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	opex_buf_printf(&wal, "%s-wal", path);
	if (found && !wal.failed && stat(wal.ptr, &st) == 0)
		opex_buf_printf(out, "/%lld.%lld.%ld", (long long)st.st_size,
			(long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	opex_buf_release(&wal);
	return found;
}

static void query_key(opex_buf *out, const opex_kpi_query *q)
{
	const char *parts[6] = { q->process, q->market, q->journey, q->team,
		q->channel, q->language };
	size_t i;

	for (i = 0; i < 6; i++)
		opex_buf_printf(out, "|%s", parts[i] ? parts[i] : "");
	opex_buf_printf(out, "|%u|%lld", q->by, (long long)(q->now / 3600));
}

static opex_server_kpi *cache_find(opex_server *server, const char *key)
{
	opex_server_kpi *found = NULL;
	size_t i;

	pthread_mutex_lock(&server->kpi_lock);
	for (i = 0; i < OPEX_SERVER_KPI_CACHE && found == NULL; i++)
		if (server->kpi_cache[i] && strcmp(server->kpi_cache[i]->key, key) == 0) {
			found = server->kpi_cache[i];
			found->used = ++server->kpi_clock;
			atomic_fetch_add(&found->refs, 1);
		}
	pthread_mutex_unlock(&server->kpi_lock);
	return found;
}

/* Keep `k` in the cache (it takes one reference), dropping the oldest. */
static void cache_put(opex_server *server, opex_server_kpi *k)
{
	opex_server_kpi *dropped = NULL;
	size_t i, slot = 0;

	pthread_mutex_lock(&server->kpi_lock);
	for (i = 0; i < OPEX_SERVER_KPI_CACHE; i++) {
		if (server->kpi_cache[i] == NULL) {
			slot = i;
			break;
		}
		if (server->kpi_cache[i]->used < server->kpi_cache[slot]->used)
			slot = i;
	}
	dropped = server->kpi_cache[slot];
	k->used = ++server->kpi_clock;
	atomic_fetch_add(&k->refs, 1);
	server->kpi_cache[slot] = k;
	pthread_mutex_unlock(&server->kpi_lock);
	opex_server_kpi_release(dropped);
}

/*
 * A report on a repository handle of its own at the served commit: libgit2
 * objects are used by one thread at a time, and a report takes a while.
 */
static int compute(opex_kpi_report **out, opex_server_ctx *ctx,
	const char *path, const opex_kpi_query *q, opex_error *err)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kpi_mapping *mapping = NULL;
	opex_kpi_store *store = NULL;
	opex_kb_repo *repo = NULL;
	opex_kpi_query full = *q;
	int error;

	full.roster = opex_kb_handbook_roster(ctx->snap->hb);
	error = opex_kb_repo_open(&repo, ctx->server->opts.repo,
		ctx->snap->commit, err);
	if (error == 0)
		error = opex_kpi_mapping_load(&mapping, repo, &diags, err);
	if (error == 0)
		error = opex_kpi_store_open(&store, path, err);
	if (error == 0)
		error = opex_kpi_report_compute(out, store, mapping, repo, &full, err);
	opex_kpi_store_free(store);
	opex_kpi_mapping_free(mapping);
	opex_kb_repo_free(repo);
	opex_diag_list_release(&diags);
	return error;
}

opex_server_kpi *opex_server_kpi_get(opex_server_ctx *ctx,
	const opex_kpi_query *q, opex_error *err)
{
	opex_buf path = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	opex_buf key = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	opex_server_kpi *k = NULL;
	opex_kpi_report *report = NULL;

	store_path(&path, ctx);
	opex_buf_printf(&key, "%s|", ctx->snap->commit);
	if (!store_version(&key, path.ptr)) {
		opex_error_set(err, OPEX_ENOTFOUND,
			"no KPI store at %s: load helpdesk exports with opex kpi ingest",
			path.ptr);
		goto done;
	}
	query_key(&key, q);
	if (key.failed) {
		opex_error_set(err, OPEX_ETOOBIG, "the KPI query is too long");
		goto done;
	}
	k = cache_find(ctx->server, key.ptr);
	if (k != NULL || compute(&report, ctx, path.ptr, q, err) < 0)
		goto done;
	k = opex_calloc(1, sizeof(*k));
	atomic_init(&k->refs, 1);
	k->key = opex_strdup(key.ptr);
	k->report = report;
	cache_put(ctx->server, k);
done:
	opex_buf_release(&key);
	opex_buf_release(&path);
	return k;
}

bool opex_server_is_member(const opex_server_ctx *ctx)
{
	return ctx->who.open || ctx->who.member != NULL;
}

/* The query of the request's filters; false (and a 400 sent) if one is bad. */
static bool read_query(opex_kpi_query *q, opex_server_ctx *ctx, bool api)
{
	static const char *const names[] = { "journey", "market", "team",
		"channel", "language" };
	const char **slots[] = { &q->journey, &q->market, &q->team, &q->channel,
		&q->language };
	opex_error err = OPEX_ERROR_INIT;
	const char *by = opex_server_param_get(ctx, "by");
	size_t i;

	q->now = (int64_t)time(NULL);
	for (i = 0; i < 5; i++) {
		const char *v = opex_server_param_get(ctx, names[i]);

		if (v != NULL && v[0] != '\0' && !opex_server_id_ok(v)) {
			(api ? opex_server_json_error : opex_server_html_error)(ctx, 400,
				"%s is an id: letters, digits, '-', '_' and '.'", names[i]);
			return false;
		}
		*slots[i] = v != NULL && v[0] != '\0' ? v : NULL;
	}
	q->process = opex_server_param_get(ctx, "process");
	if (q->process != NULL && q->process[0] == '\0')
		q->process = NULL;
	if (q->process != NULL && !opex_server_snapshot_map(ctx->snap, q->process)) {
		(api ? opex_server_json_error : opex_server_html_error)(ctx, 404,
			"no process map '%s' (give its path: processes/x.dot)", q->process);
		return false;
	}
	if (by != NULL && opex_kpi_dims_parse(&q->by, by, &err) < 0) {
		(api ? opex_server_json_error : opex_server_html_error)(ctx, 400,
			"by: %s", err.message);
		return false;
	}
	return true;
}

void opex_server_api_kpi(opex_server_ctx *ctx)
{
	opex_kpi_query q = OPEX_KPI_QUERY_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_server_kpi *k;
	opex_buf json = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	json_t *root;

	if (!opex_server_is_member(ctx)) {
		opex_server_json_error(ctx, 403, "KPIs are for people on the roster");
		return;
	}
	if (!read_query(&q, ctx, true))
		return;
	k = opex_server_kpi_get(ctx, &q, &err);
	if (k == NULL) {
		opex_server_json_error(ctx, err.code == OPEX_ENOTFOUND ? 404 : 422,
			"%s", err.message);
		return;
	}
	if (opex_render_kpi_report_json(&json, k->report, &err) < 0 ||
	    (root = json_loadb(json.ptr, json.len, 0, NULL)) == NULL) {
		opex_server_json_error(ctx, 413, "%s", err.message);
	} else {
		json_object_set_new(root, "revision", json_string(ctx->snap->commit));
		opex_server_json_send(ctx, root, 200);
	}
	opex_buf_release(&json);
	opex_server_kpi_release(k);
}

/* One cell of the journey x market matrix: the backlog of its cases. */
static void matrix_cell(opex_buf *out, const opex_kpi_report *r,
	const char *journey, const char *market, const opex_kpi_query *q)
{
	uint64_t backlog = 0, cases = 0;
	size_t i, breached = 0, k;
	bool selected = q->journey && q->market && strcmp(q->journey, journey) == 0 &&
		strcmp(q->market, market) == 0;

	for (i = 0; i < opex_kpi_report_process_count(r); i++) {
		const opex_kpi_process *p = opex_kpi_report_process(r, i);

		if (strcmp(p->group[OPEX_KPI_DIM_JOURNEY], journey) != 0 ||
		    strcmp(p->group[OPEX_KPI_DIM_MARKET], market) != 0)
			continue;
		backlog += p->m.backlog;
		cases += p->cases;
		for (k = 0; k < p->target_count; k++)
			breached += p->targets[k].breached;
	}
	opex_buf_printf(out, "<td class=\"%s%s\"><a href=\"/kpi?journey=",
		breached ? "breached" : "", selected ? " selected" : "");
	opex_html_escape(out, journey, strlen(journey));
	opex_buf_puts(out, "&amp;market=");
	opex_html_escape(out, market, strlen(market));
	if (cases == 0)
		opex_buf_puts(out, "\">no cases</a></td>");
	else
		opex_buf_printf(out, "\">%llu cases, backlog %llu%s</a></td>",
			(unsigned long long)cases, (unsigned long long)backlog,
			breached ? ", target breached" : "");
}

static void matrix_html(opex_buf *out, opex_server_ctx *ctx,
	const opex_kpi_query *selection)
{
	const opex_kb_settings *s = opex_kb_handbook_settings(ctx->snap->hb);
	opex_kpi_query q = OPEX_KPI_QUERY_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_server_kpi *k;
	size_t j, m;

	if (s->journey_count == 0 || s->market_count == 0)
		return;
	q.now = selection->now;
	q.by = (1u << OPEX_KPI_DIM_JOURNEY) | (1u << OPEX_KPI_DIM_MARKET);
	k = opex_server_kpi_get(ctx, &q, &err);
	if (k == NULL)
		return;
	opex_buf_puts(out, "<table class=\"kpi-matrix\"><thead><tr><th>journey</th>");
	for (m = 0; m < s->market_count; m++) {
		opex_buf_puts(out, "<th>");
		opex_html_escape(out, s->markets[m], strlen(s->markets[m]));
		opex_buf_puts(out, "</th>");
	}
	opex_buf_puts(out, "</tr></thead><tbody>\n");
	for (j = 0; j < s->journey_count; j++) {
		opex_buf_puts(out, "<tr><th>");
		opex_html_escape(out, s->journeys[j], strlen(s->journeys[j]));
		opex_buf_puts(out, "</th>");
		for (m = 0; m < s->market_count; m++)
			matrix_cell(out, k->report, s->journeys[j], s->markets[m],
				selection);
		opex_buf_puts(out, "</tr>\n");
	}
	opex_buf_puts(out, "</tbody></table>\n");
	opex_server_kpi_release(k);
}

void opex_server_page_kpi(opex_server_ctx *ctx)
{
	opex_kpi_query q = OPEX_KPI_QUERY_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_render_page page;
	opex_server_kpi *k;
	opex_buf *out = &ctx->res->body;

	if (!opex_server_is_member(ctx)) {
		opex_server_html_error(ctx, 403, "KPIs are for people on the roster");
		return;
	}
	if (!read_query(&q, ctx, false))
		return;
	q.by = 0;
	k = opex_server_kpi_get(ctx, &q, &err);
	opex_server_page_begin(ctx, &page, "KPIs", "kpi");
	opex_buf_puts(out, "<h1>Process KPIs</h1>\n");
	if (k == NULL) {
		opex_buf_puts(out, "<p class=\"notice\">");
		opex_html_escape(out, err.message, strlen(err.message));
		opex_buf_puts(out, "</p>\n");
		opex_server_page_end(ctx, &page);
		return;
	}
	matrix_html(out, ctx, &q);
	opex_buf_puts(out, "<p>");
	if (q.journey || q.market) {
		opex_buf_puts(out, "Cases of ");
		opex_html_escape(out, q.journey ? q.journey : "every journey",
			strlen(q.journey ? q.journey : "every journey"));
		opex_buf_puts(out, " in ");
		opex_html_escape(out, q.market ? q.market : "every market",
			strlen(q.market ? q.market : "every market"));
		opex_buf_puts(out, " (<a href=\"/kpi\">all</a>).");
	} else {
		opex_buf_puts(out, "All cases; pick a journey and market above.");
	}
	opex_buf_puts(out, "</p>\n");
	opex_render_kpi_html(out, k->report);
	opex_server_kpi_release(k);
	opex_server_page_end(ctx, &page);
}

/* A Prometheus label value: backslash, quote and newline escaped. */
static void label(opex_buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			opex_buf_putc(out, '\\');
		if (*s == '\n')
			opex_buf_puts(out, "\\n");
		else
			opex_buf_putc(out, *s);
	}
}

/* One gauge per process; `value` < 0: no sample. */
static void gauge(opex_buf *out, const opex_kpi_report *r, const char *name,
	const char *help, double (*value)(const opex_kpi_process *))
{
	size_t i;

	opex_buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
	for (i = 0; i < opex_kpi_report_process_count(r); i++) {
		const opex_kpi_process *p = opex_kpi_report_process(r, i);
		double v = value(p);

		if (v < 0)
			continue;
		opex_buf_printf(out, "%s{process=\"", name);
		label(out, p->path);
		opex_buf_printf(out, "\"} %.6g\n", v);
	}
}

static double backlog_of(const opex_kpi_process *p) { return (double)p->m.backlog; }
static double active_of(const opex_kpi_process *p) { return (double)p->m.active; }
static double resolution_p90_of(const opex_kpi_process *p) { return p->m.resolution_p90; }
static double breaches_of(const opex_kpi_process *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->target_count; i++)
		n += p->targets[i].breached;
	return (double)n;
}

void opex_server_kpi_metrics(opex_buf *out, opex_server_ctx *ctx)
{
	opex_kpi_query q = OPEX_KPI_QUERY_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_server_kpi *k;

	q.now = (int64_t)time(NULL);
	k = opex_server_kpi_get(ctx, &q, &err);
	if (k == NULL)
		return;
	gauge(out, k->report, "opex_kpi_backlog",
		"Open cases not yet worked, per process.", backlog_of);
	gauge(out, k->report, "opex_kpi_active",
		"Open cases being worked, per process.", active_of);
	gauge(out, k->report, "opex_kpi_resolution_p90_seconds",
		"90th percentile time to resolve, per process.", resolution_p90_of);
	gauge(out, k->report, "opex_kpi_targets_breached",
		"Map targets the measures breach, per process.", breaches_of);
	opex_server_kpi_release(k);
}

void opex_server_kpi_process_section(opex_server_ctx *ctx, const char *path)
{
	static const char *const overlay_metrics[] = { "backlog", "p90",
		"volume", "rework", "handoffs" };
	opex_kpi_query q = OPEX_KPI_QUERY_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_buf *out = &ctx->res->body;
	const opex_kpi_process *p;
	opex_server_kpi *k;
	size_t i, breached = 0;

	if (!opex_server_is_member(ctx))
		return;
	q.process = path;
	q.now = (int64_t)time(NULL);
	k = opex_server_kpi_get(ctx, &q, &err);
	if (k == NULL || opex_kpi_report_process_count(k->report) == 0) {
		opex_server_kpi_release(k);
		return; /* no store, or the process is not in the kpi mapping */
	}
	p = opex_kpi_report_process(k->report, 0);
	for (i = 0; i < p->target_count; i++)
		breached += p->targets[i].breached;
	opex_buf_printf(out, "<section class=\"kpi-process\"><h2>Performance</h2>\n"
		"<p>%llu cases: backlog %llu, active %llu, resolved %llu; %zu of %zu targets breached. "
		"<a href=\"/kpi?process=", (unsigned long long)p->cases,
		(unsigned long long)p->m.backlog, (unsigned long long)p->m.active,
		(unsigned long long)p->m.resolved, breached, p->target_count);
	opex_html_escape(out, path, strlen(path));
	opex_buf_puts(out, "\">Trend and aging</a></p>\n<p class=\"kpi-overlay-links\">Heat map:");
	for (i = 0; i < sizeof(overlay_metrics) / sizeof(overlay_metrics[0]); i++) {
		opex_buf_puts(out, " <a href=\"/");
		opex_html_escape(out, path, strlen(path));
		opex_buf_printf(out, "?kpi=%s\">%s</a>", overlay_metrics[i],
			overlay_metrics[i]);
	}
	opex_buf_puts(out, " <a href=\"/");
	opex_html_escape(out, path, strlen(path));
	opex_buf_puts(out, "\">off</a></p>\n");
	opex_render_kpi_steps_html(out, p);
	opex_buf_puts(out, "</section>\n");
	opex_server_kpi_release(k);
}

size_t opex_server_kpi_breaches(opex_server_ctx *ctx,
	opex_render_health_row **out)
{
	opex_kpi_query q = OPEX_KPI_QUERY_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_buf detail = OPEX_BUF_INIT(OPEX_LIMIT_LINE_BYTES);
	opex_server_kpi *k;
	opex_render_health_row *rows;
	size_t i, t, n = 0, cap;

	*out = NULL;
	if (!opex_server_is_member(ctx))
		return 0;
	q.now = (int64_t)time(NULL);
	k = opex_server_kpi_get(ctx, &q, &err);
	if (k == NULL)
		return 0;
	cap = opex_kpi_report_breaches(k->report);
	rows = opex_arena_alloc(&ctx->arena, (cap + 1) * sizeof(*rows));
	for (i = 0; i < opex_kpi_report_process_count(k->report); i++) {
		const opex_kpi_process *p = opex_kpi_report_process(k->report, i);
		const opex_server_map *m = opex_server_snapshot_map(ctx->snap, p->path);

		for (t = 0; t < p->target_count && n < cap; t++) {
			const opex_kpi_target_check *c = &p->targets[t];
			opex_render_health_row *r = &rows[n];

			if (!c->breached)
				continue;
			memset(r, 0, sizeof(*r));
			r->kind = "kpi-target-breached";
			r->path = opex_arena_strdup(&ctx->arena, p->path);
			r->href = r->path;
			if (m != NULL && m->map != NULL) {
				r->title = opex_pm_map_attr(m->map, OPEX_PM_ATTR_TITLE);
				r->owner = opex_pm_map_attr(m->map, OPEX_PM_ATTR_OWNER);
			}
			opex_buf_clear(&detail);
			opex_buf_printf(&detail, "%s%s%s = %s, line %u: actual ",
				c->node ? c->node : "", c->node ? "." : "", c->name,
				c->written, c->line);
			opex_render_kpi_target_value(&detail, c->name, c->actual);
			r->detail = opex_arena_strdup(&ctx->arena, detail.ptr);
			n++;
		}
	}
	opex_buf_release(&detail);
	opex_server_kpi_release(k);
	*out = rows;
	return n;
}

opex_server_kpi *opex_server_kpi_overlay(opex_server_ctx *ctx,
	const char *path, const char *metric, opex_render_kpi_built *out)
{
	opex_kpi_query q = OPEX_KPI_QUERY_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_server_kpi *k;

	memset(out, 0, sizeof(*out));
	if (!opex_server_is_member(ctx))
		return NULL;
	q.process = path;
	q.now = (int64_t)time(NULL);
	k = opex_server_kpi_get(ctx, &q, &err);
	if (k != NULL && (opex_kpi_report_process_count(k->report) == 0 ||
	    opex_render_kpi_overlay_build(out, opex_kpi_report_process(k->report, 0),
		metric, &err) < 0)) {
		opex_server_kpi_release(k);
		k = NULL;
	}
	return k;
}
