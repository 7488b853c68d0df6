/*
 * cmd_render.c: `opex render`, a process map as a flowchart. Rendered files
 * are cached in <git-dir>/opex/render/ by a hash of what is drawn.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli.h"
#include "core/limits.h"
#include "core/path.h"
#include "kpi/kpi.h"
#include "process-maps/process_maps.h"
#include "renderer/renderer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/banned.h"

/* Make <git-dir>/opex/render; NULL (no cache) if that fails. */
static const char *cache_dir(char *out, size_t size, const opex_kb_repo *repo)
{
	snprintf(out, size, "%s/opex", opex_kb_repo_git_dir(repo));
	if (mkdir(out, 0777) != 0 && errno != EEXIST)
		return NULL;
	snprintf(out, size, "%s/opex/render", opex_kb_repo_git_dir(repo));
	if (mkdir(out, 0777) != 0 && errno != EEXIST)
		return NULL;
	return out;
}

static int write_output(const char *file, const opex_buf *buf)
{
	FILE *f;
	bool ok;

	if (file == NULL || strcmp(file, "-") == 0)
		return opex_cli_print(buf);
	f = fopen(file, "wb");
	if (f == NULL) {
		fprintf(stderr, "opex: cannot write '%s': %s\n", file,
			strerror(errno));
		return OPEX_EXIT_USAGE;
	}
	ok = fwrite(buf->ptr, 1, buf->len, f) == buf->len;
	ok = fclose(f) == 0 && ok;
	if (!ok) {
		fprintf(stderr, "opex: cannot write '%s'\n", file);
		return OPEX_EXIT_USAGE;
	}
	return 0;
}

/* What an overlay needs kept until the render is done. */
typedef struct kpi_parts {
	opex_kpi_mapping *mapping;
	opex_kpi_store *store;
	opex_kpi_report *report;
	opex_render_kpi_built overlay;
} kpi_parts;

static void kpi_parts_release(kpi_parts *k)
{
	opex_render_kpi_overlay_release(&k->overlay);
	opex_kpi_report_free(k->report);
	opex_kpi_store_free(k->store);
	opex_kpi_mapping_free(k->mapping);
}

/* The overlay of --kpi: the map's measures from the KPI store. */
static int kpi_overlay(kpi_parts *k, const opex_cli_options *opts,
	const opex_kb_repo *repo, const opex_kb_roster *roster)
{
	opex_buf path = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kpi_query q = OPEX_KPI_QUERY_INIT;
	opex_error err = OPEX_ERROR_INIT;
	struct stat st;
	int status = OPEX_EXIT_USAGE;

	if (opts->kpi_store != NULL)
		opex_buf_puts(&path, opts->kpi_store);
	else
		opex_kpi_store_default_path(&path, repo);
	q.process = opts->path;
	q.now = opts->now ? opts->now : (int64_t)time(NULL);
	q.roster = roster;
	if (stat(path.ptr, &st) != 0) {
		fprintf(stderr, "opex render: no KPI store at %s: load exports with "
			"'opex kpi ingest' first\n", path.ptr);
	} else if (opex_kpi_mapping_load(&k->mapping, repo, &diags, &err) < 0 ||
		   opex_kpi_store_open(&k->store, path.ptr, &err) < 0 ||
		   opex_kpi_report_compute(&k->report, k->store, k->mapping, repo,
			&q, &err) < 0 ||
		   opex_render_kpi_overlay_build(&k->overlay,
			opex_kpi_report_process(k->report, 0),
			opts->metric ? opts->metric : "backlog", &err) < 0) {
		fprintf(stderr, "opex render: --kpi: %s\n", err.message);
	} else {
		status = 0;
	}
	opex_diag_list_release(&diags);
	opex_buf_release(&path);
	return status;
}

static int run(int argc, char **argv)
{
	opex_cli_options opts;
	opex_kb_repo *repo = NULL;
	opex_kb_roster roster;
	opex_pm_map *map = NULL;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT, ignored = OPEX_DIAG_LIST_INIT;
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_buf report = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	opex_pm_lint_context ctx = OPEX_PM_LINT_CONTEXT_INIT;
	opex_render_flowchart_options ropts = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	kpi_parts kpi;
	char dir[OPEX_LIMIT_PATH_BYTES];
	int status = opex_cli_parse(&opts, &opex_cli_render, argc, argv);

	memset(&roster, 0, sizeof(roster));
	memset(&kpi, 0, sizeof(kpi));
	if (status >= 0)
		return status;
	if (opts.metric != NULL && !opts.kpi) {
		fprintf(stderr, "opex render: --metric goes with --kpi\n");
		return OPEX_EXIT_USAGE;
	}
	if (opex_kb_repo_open(&repo, opts.repo, opts.rev, &err) < 0) {
		fprintf(stderr, "opex: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	if (opex_kb_repo_read(&text, repo, opts.path, &err) < 0) {
		fprintf(stderr, "opex render: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	if (opex_pm_map_load(&map, opts.path, text.ptr, text.len, &diags,
		&err) < 0) {
		opex_render_diags_text(&report, &diags);
		fputs(report.ptr, stderr);
		status = OPEX_EXIT_FINDINGS;
		goto done;
	}
	opex_cli_read_roster(&roster, repo, &ignored);
	ctx.roster = &roster;
	ctx.repo = repo;
	ctx.now = opts.now ? opts.now : (int64_t)time(NULL);
	opex_pm_lint_map(map, &ctx, &diags, NULL);
	ropts.format = strcmp(opts.format, "png") == 0 ? OPEX_FLOWCHART_PNG
		: strcmp(opts.format, "dot") == 0 ? OPEX_FLOWCHART_DOT
		: OPEX_FLOWCHART_SVG;
	ropts.repo = repo;
	ropts.diags = &diags;
	ropts.cache_dir = opts.no_cache ? NULL
		: cache_dir(dir, sizeof(dir), repo);
	if (opts.kpi) {
		status = kpi_overlay(&kpi, &opts, repo, &roster);
		if (status != 0)
			goto done;
		ropts.kpi = &kpi.overlay.overlay;
	}
	if (opex_render_flowchart(&out, map, &ropts, &err) < 0) {
		fprintf(stderr, "opex render: %s: %s\n", opts.path, err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	status = write_output(opts.output, &out);
done:
	kpi_parts_release(&kpi);
	opex_buf_release(&report);
	opex_buf_release(&out);
	opex_buf_release(&text);
	opex_pm_map_free(map);
	opex_kb_roster_release(&roster);
	opex_kb_repo_free(repo);
	opex_diag_list_release(&diags);
	opex_diag_list_release(&ignored);
	return status;
}

const opex_cli_command opex_cli_render = {
	"render",
	"draw a process map as a flowchart (SVG, PNG or styled DOT)",
	"usage: opex render [REPO] processes/MAP.dot [--rev REV] [-o FILE]\n"
	"                   [--format svg|png|dot] [--now DATE] [--no-cache]\n"
	"                   [--kpi [--metric NAME] [--kpi-store PATH]]\n"
	"\n"
	"Lay out the map as committed at REV (default: HEAD) and write it to FILE\n"
	"(default: standard output). Steps link to their articles; steps with\n"
	"lint errors are outlined in red with the message as a tooltip. The same\n"
	"map renders to the same bytes; results are cached in the repository's\n"
	"git folder (opex/render/).\n"
	"\n"
	"  --rev REV        the revision to draw\n"
	"  -o, --output FILE  write to FILE instead of standard output\n"
	"  --format FORMAT  svg (default), png or dot (the styled graph)\n"
	"  --now DATE       judge review_by as of DATE (YYYY-MM-DD)\n"
	"  --no-cache       render again, and do not store the result\n"
	"  --kpi            draw the map as a heat map of its measures in the KPI\n"
	"                   store ('opex kpi ingest'): each step coloured and\n"
	"                   bordered by its target, its value written on it, edges\n"
	"                   as wide as the cases that took them, and a legend\n"
	"  --metric NAME    backlog (default), active, volume, resolved, p50, p90,\n"
	"                   rework or handoffs\n"
	"  --kpi-store PATH the KPI store (default <git-dir>/opex/kpi.sqlite)\n"
	"\n"
	"Exit status: 0 rendered, 1 the map cannot be read, 2 usage or repository error.\n",
	OPEX_CLI_ACCEPT_FORMAT | OPEX_CLI_ACCEPT_PATH | OPEX_CLI_ACCEPT_OUTPUT |
	OPEX_CLI_ACCEPT_KPI,
	"svg|png|dot", "svg", run
};
