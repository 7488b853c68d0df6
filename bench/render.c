/*
 * bench/render.c: flowchart rendering and map lint, against Graphviz's own
 * `dot -Tsvg` measured in the same run.
 *
 *   bench_render DOT_PROGRAM RUNS
 *
 * For generated maps of 50, 200 and 1,000 nodes (lanes, decisions every
 * fifth step, rework loops), prints the median of RUNS:
 *   - opex: opex_render_flowchart() in-process, no cache;
 *   - dot:  DOT_PROGRAM -Tsvg on the same styled DOT file, as a process
 *           (what a tool without an in-process renderer pays);
 *   - ratio opex / dot (target: at most 1.0);
 *   - cached: the same render served from the render cache (target: < 1 ms).
 * Then the time to load and lint 1,000 maps of 40 nodes.
 */
#define _POSIX_C_SOURCE 200809L

#include "renderer/renderer.h"
#include "core/time.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_util.h"

#include "core/banned.h"

#define MAX_RUNS 101

/* A process map of `n` nodes: three lanes, a decision every fifth step. */
static void generate(opex_buf *out, size_t n, size_t seed)
{
	size_t i;

	opex_buf_printf(out, "digraph gen%zu {\n  title=\"Generated %zu\"; owner=ana; champion=ben;\n", seed, n);
	for (i = 0; i < 3; i++) {
		size_t k;

		opex_buf_printf(out, "  subgraph cluster_lane_%zu { role=\"team-%zu\"; label=\"Team %zu\";\n", i, i, i);
		for (k = 1; k + 1 < n; k++)
			if (k % 3 == i)
				opex_buf_printf(out, "    n%zu [kind=%s, label=\"Step %zu of the process\", article=\"articles/a%zu.md\"];\n",
					k, k % 5 == 0 ? "decision" : "action", k, k % 7);
		opex_buf_puts(out, "  }\n");
	}
	opex_buf_printf(out, "  n0 [kind=start, label=\"Begin\"];\n  n%zu [kind=end, label=\"Done\"];\n", n - 1);
	for (i = 0; i + 1 < n; i++) {
		if (i % 5 == 0 && i > 0) {
			opex_buf_printf(out, "  n%zu -> n%zu [label=yes];\n", i, i + 1);
			opex_buf_printf(out, "  n%zu -> n%zu [label=no];\n", i, i > 3 ? i - 3 : 0 + 1);
		} else {
			opex_buf_printf(out, "  n%zu -> n%zu;\n", i, i + 1);
		}
	}
	opex_buf_puts(out, "}\n");
}

static double run_dot(const char *dot, const char *file)
{
	const char *argv[] = { dot, "-Tsvg", file, NULL };

	return bench_time_process(argv);
}

/* A KPI overlay on every node and edge of `map`, states in turn. */
static void overlay_for(opex_render_kpi_overlay *kpi, const opex_pm_map *map,
	opex_render_kpi_node *nv, opex_render_kpi_edge *ev)
{
	size_t i, nodes = opex_pm_map_node_count(map), edges = opex_pm_map_edge_count(map);

	for (i = 0; i < nodes; i++) {
		nv[i].node_id = opex_pm_map_node(map, i)->id;
		nv[i].value = (double)(i * 7 % 500);
		nv[i].state = (opex_render_kpi_state)(i % 4);
	}
	for (i = 0; i < edges; i++) {
		const opex_pm_edge *e = opex_pm_map_edge(map, i);

		ev[i].tail = opex_pm_map_node(map, e->tail)->id;
		ev[i].head = opex_pm_map_node(map, e->head)->id;
		ev[i].volume = (uint64_t)(i * 37 % 1000);
	}
	memset(kpi, 0, sizeof(*kpi));
	kpi->metric = "backlog";
	kpi->nodes = nv;
	kpi->node_count = nodes;
	kpi->edges = ev;
	kpi->edge_count = edges;
}

/*
 * The median render with a KPI overlay and without, no cache, taken in
 * turn so both see the same state of the process (`*plain` gets the
 * median without).
 */
static double run_overlay(const opex_pm_map *map, int runs, double *plain)
{
	opex_render_flowchart_options opts = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	opex_render_flowchart_options none = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_render_kpi_overlay kpi;
	double p[MAX_RUNS];
	opex_render_kpi_node *nv = opex_calloc(opex_pm_map_node_count(map) + 1, sizeof(*nv));
	opex_render_kpi_edge *ev = opex_calloc(opex_pm_map_edge_count(map) + 1, sizeof(*ev));
	double t[MAX_RUNS];
	int i;

	overlay_for(&kpi, map, nv, ev);
	opts.kpi = &kpi;
	for (i = 0; i < runs; i++) {
		double t0 = opex_time_monotonic_ms();

		opex_buf_clear(&out);
		if (opex_render_flowchart(&out, map, &opts, NULL) < 0)
			exit(1);
		t[i] = opex_time_monotonic_ms() - t0;
		t0 = opex_time_monotonic_ms();
		opex_buf_clear(&out);
		if (opex_render_flowchart(&out, map, &none, NULL) < 0)
			exit(1);
		p[i] = opex_time_monotonic_ms() - t0;
	}
	*plain = bench_median(p, (size_t)runs);
	opex_buf_release(&out);
	opex_free(nv);
	opex_free(ev);
	return bench_median(t, (size_t)runs);
}

static void bench_size(const char *dot, size_t n, int runs, const char *dir)
{
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_buf styled = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_render_flowchart_options opts = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_pm_map *map = NULL;
	double ours[MAX_RUNS], theirs[MAX_RUNS], cached[MAX_RUNS];
	opex_buf key = OPEX_BUF_INIT(1024);
	char file[512], blob[OPEX_SHA256_HEX_SIZE];
	bool hit = false;
	FILE *f;
	int i;

	generate(&text, n, n);
	if (opex_pm_map_load(&map, "processes/gen.dot", text.ptr, text.len,
		&diags, &err) < 0) {
		fprintf(stderr, "bench_render: %s\n", err.message);
		exit(1);
	}
	opex_render_flowchart_dot(&styled, map, &opts);
	snprintf(file, sizeof(file), "%s/gen-%zu.dot", dir, n);
	f = fopen(file, "wb");
	if (f == NULL || fwrite(styled.ptr, 1, styled.len, f) != styled.len ||
	    fclose(f) != 0) {
		fprintf(stderr, "bench_render: cannot write %s\n", file);
		exit(1);
	}
	/* Warm up both (plugin loading, page cache). */
	if (opex_render_flowchart(&out, map, &opts, &err) < 0) {
		fprintf(stderr, "bench_render: %s\n", err.message);
		exit(1);
	}
	run_dot(dot, file);
	for (i = 0; i < runs; i++) {
		double t0;

		opex_buf_clear(&out);
		t0 = opex_time_monotonic_ms();
		if (opex_render_flowchart(&out, map, &opts, &err) < 0)
			exit(1);
		ours[i] = opex_time_monotonic_ms() - t0;
		theirs[i] = run_dot(dot, file);
	}
	opts.cache_dir = dir;
	opts.cache_hit = &hit;
	/* As the server asks: by the map's blob id, findings and links. */
	opex_sha256_hex(blob, text.ptr, text.len);
	opex_render_flowchart_key(&key, blob, map, NULL, &diags);
	opts.content_key = key.ptr;
	opex_buf_clear(&out);
	if (opex_render_flowchart(&out, map, &opts, &err) < 0)
		exit(1);
	for (i = 0; i < runs; i++) {
		double t0;

		opex_buf_clear(&out);
		t0 = opex_time_monotonic_ms();
		if (opex_render_flowchart(&out, map, &opts, &err) < 0 || !hit)
			exit(1);
		cached[i] = opex_time_monotonic_ms() - t0;
	}
	{
		double a = bench_median(ours, (size_t)runs), b = bench_median(theirs, (size_t)runs);

		double k, plain;

		printf("render %5zu nodes: opex %8.2f ms  dot -Tsvg %8.2f ms  ratio %.2f  cached %.3f ms (1/%.0f of the render)  (%zu bytes)\n",
			n, a, b, a / b, bench_median(cached, (size_t)runs), a / bench_median(cached, (size_t)runs), out.len);
		k = run_overlay(map, runs, &plain);
		printf("       %5zu nodes with a KPI overlay: %8.2f ms  plain %8.2f ms  ratio %.2f  (target <= 1.1)\n",
			n, k, plain, k / plain);
	}
	opex_pm_map_free(map);
	opex_diag_list_release(&diags);
	opex_buf_release(&text);
	opex_buf_release(&styled);
	opex_buf_release(&key);
	opex_buf_release(&out);
}

static void bench_lint(size_t maps, size_t nodes)
{
	opex_buf *texts = opex_calloc(maps, sizeof(*texts));
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	double t0, ms;
	size_t i, findings = 0;

	for (i = 0; i < maps; i++) {
		opex_buf_init(&texts[i], OPEX_LIMIT_FILE_BYTES);
		generate(&texts[i], nodes, i);
	}
	t0 = opex_time_monotonic_ms();
	for (i = 0; i < maps; i++) {
		opex_pm_map *map = NULL;

		if (opex_pm_map_load(&map, "processes/gen.dot", texts[i].ptr,
			texts[i].len, &diags, NULL) == 0)
			opex_pm_lint_map(map, NULL, &diags, NULL);
		findings += diags.count;
		opex_diag_list_release(&diags);
		opex_pm_map_free(map);
	}
	ms = opex_time_monotonic_ms() - t0;
	printf("lint %zu maps of %zu nodes: %.1f ms (%.3f ms per map, %zu findings)\n",
		maps, nodes, ms, ms / (double)maps, findings);
	for (i = 0; i < maps; i++)
		opex_buf_release(&texts[i]);
	opex_free(texts);
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 50, 200, 1000 };
	char dir[] = "/tmp/opex-bench-render-XXXXXX";
	int runs;
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: bench_render DOT_PROGRAM RUNS\n");
		return 2;
	}
	runs = atoi(argv[2]);
	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "bench_render: RUNS must be 1..%d\n", MAX_RUNS);
		return 2;
	}
	if (mkdtemp(dir) == NULL) {
		perror("bench_render: mkdtemp");
		return 1;
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		bench_size(argv[1], sizes[i], runs, dir);
	bench_lint(1000, 40);
	printf("(render cache and files in %s)\n", dir);
	return 0;
}
