/*
 * metrics.c: counters for GET /metrics, in Prometheus' text format.
 *
 *   | metric                                 | type      | labels        |
 *   |----------------------------------------|-----------|---------------|
 *   | opex_http_requests_total               | counter   | route, status |
 *   | opex_http_request_duration_seconds     | histogram | le            |
 *   | opex_index_revision_info               | gauge     | revision      |
 *   | opex_articles                          | gauge     |               |
 *   | opex_process_maps                      | gauge     |               |
 *   | opex_reloads_total, _failures_total    | counter   |               |
 *   | opex_reindex_duration_seconds          | gauge     | (last load)   |
 *
 * Every counter is an atomic: recording never takes a lock.
 */
#include "server/server_int.h"

#include <string.h>

#include "core/banned.h"

static const unsigned status_codes[OPEX_SERVER_STATUS_SLOTS] = {
	200, 204, 303, 304, 400, 401, 403, 404, 405, 413, 414, 0 /* other */
};

static const double bounds[OPEX_SERVER_LATENCY_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0
};

void opex_server_metrics_init(opex_server_metrics *m)
{
	memset(m, 0, sizeof(*m));
}

static size_t route_slot(opex_server_metrics *m, const char *route)
{
	size_t i;

	/* Routes are registered once, in order, before serving starts. */
	for (i = 0; i < m->route_count; i++)
		if (m->route_names[i] == route || strcmp(m->route_names[i], route) == 0)
			return i;
	return OPEX_SERVER_ROUTE_MAX;
}

static size_t status_slot(unsigned status)
{
	size_t i;

	for (i = 0; i + 1 < OPEX_SERVER_STATUS_SLOTS; i++)
		if (status_codes[i] == status)
			return i;
	return OPEX_SERVER_STATUS_SLOTS - 1;
}

void opex_server_metrics_record(opex_server_metrics *m, const char *route,
	unsigned status, double seconds)
{
	size_t r = route_slot(m, route ? route : "other"), b;
	double sum;

	if (r < OPEX_SERVER_ROUTE_MAX)
		atomic_fetch_add(&m->requests[r][status_slot(status)], 1u);
	for (b = 0; b < OPEX_SERVER_LATENCY_BUCKETS; b++)
		if (seconds <= bounds[b])
			break;
	atomic_fetch_add(&m->latency[b], 1u);
	atomic_fetch_add(&m->latency_count, 1u);
	sum = atomic_load(&m->latency_sum);
	while (!atomic_compare_exchange_weak(&m->latency_sum, &sum,
		sum + seconds))
		;
}

void opex_server_metrics_render(opex_buf *out, const opex_server_metrics *m,
	const opex_server_snapshot *snap)
{
	unsigned long long cumulative = 0;
	size_t r, s, b;

	opex_buf_puts(out,
		"# HELP opex_http_requests_total HTTP requests by route and status.\n"
		"# TYPE opex_http_requests_total counter\n");
	for (r = 0; r < m->route_count; r++)
		for (s = 0; s < OPEX_SERVER_STATUS_SLOTS; s++) {
			unsigned long long n = atomic_load(&m->requests[r][s]);

			if (n == 0)
				continue;
			if (status_codes[s])
				opex_buf_printf(out, "opex_http_requests_total{route=\"%s\",status=\"%u\"} %llu\n",
					m->route_names[r], status_codes[s], n);
			else
				opex_buf_printf(out, "opex_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
					m->route_names[r], n);
		}
	opex_buf_puts(out,
		"# HELP opex_http_request_duration_seconds Time to build a response.\n"
		"# TYPE opex_http_request_duration_seconds histogram\n");
	for (b = 0; b < OPEX_SERVER_LATENCY_BUCKETS; b++) {
		cumulative += atomic_load(&m->latency[b]);
		opex_buf_printf(out,
			"opex_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			bounds[b], cumulative);
	}
	cumulative += atomic_load(&m->latency[OPEX_SERVER_LATENCY_BUCKETS]);
	opex_buf_printf(out,
		"opex_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
		"opex_http_request_duration_seconds_sum %.6f\n"
		"opex_http_request_duration_seconds_count %llu\n",
		cumulative, atomic_load(&m->latency_sum),
		atomic_load(&m->latency_count));
	opex_buf_printf(out,
		"# HELP opex_index_revision_info The commit being served.\n"
		"# TYPE opex_index_revision_info gauge\n"
		"opex_index_revision_info{revision=\"%s\"} 1\n"
		"# HELP opex_articles Articles in the served revision.\n"
		"# TYPE opex_articles gauge\n"
		"opex_articles %zu\n"
		"# HELP opex_process_maps Process maps in the served revision.\n"
		"# TYPE opex_process_maps gauge\n"
		"opex_process_maps %zu\n"
		"# HELP opex_reloads_total New revisions loaded while serving.\n"
		"# TYPE opex_reloads_total counter\n"
		"opex_reloads_total %llu\n"
		"# HELP opex_reload_failures_total Revisions that failed to load.\n"
		"# TYPE opex_reload_failures_total counter\n"
		"opex_reload_failures_total %llu\n"
		"# HELP opex_reindex_duration_seconds Time to load and index the served revision.\n"
		"# TYPE opex_reindex_duration_seconds gauge\n"
		"opex_reindex_duration_seconds %.6f\n"
		"# HELP opex_origin_fetch_failures_total Fetches from the origin that failed (replicas).\n"
		"# TYPE opex_origin_fetch_failures_total counter\n"
		"opex_origin_fetch_failures_total %llu\n",
		snap->commit, opex_kb_handbook_article_count(snap->hb),
		snap->map_count, atomic_load(&m->reloads),
		atomic_load(&m->reload_failures),
		atomic_load(&m->reload_seconds),
		atomic_load(&m->fetch_failures));
}
