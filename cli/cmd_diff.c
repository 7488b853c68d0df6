/*
 * cmd_diff.c: `opex diff`, what changed in the process maps between two
 * revisions: nodes, edges, labels, kinds, owners; not the text.
 */
#include "cli/cli.h"
#include "core/limits.h"
#include "process-maps/process_maps.h"
#include "renderer/renderer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

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

/* The one map the SVG shows: PATH, or the only map that changed. */
static const char *svg_path(const opex_cli_options *opts,
	const opex_pm_diff *diff)
{
	const char *path = opts->path;
	size_t i;

	for (i = 0; path == NULL && i < diff->count; i++)
		path = diff->changes[i].path;
	for (i = 0; opts->path == NULL && i < diff->count; i++)
		if (strcmp(diff->changes[i].path, path) != 0)
			return NULL;
	return path;
}

static int render_svg(opex_buf *out, const opex_kb_repo *repo,
	const char *path, const opex_pm_diff *diff, opex_error *err)
{
	opex_buf text = OPEX_BUF_INIT(OPEX_LIMIT_FILE_BYTES);
	opex_diag_list ignored = OPEX_DIAG_LIST_INIT;
	opex_render_flowchart_options ropts = OPEX_RENDER_FLOWCHART_OPTIONS_INIT;
	opex_pm_map *map = NULL;
	int error = opex_kb_repo_read(&text, repo, path, err);

	if (error < 0)
		goto done;
	error = opex_pm_map_load(&map, path, text.ptr, text.len, &ignored, err);
	if (error < 0)
		goto done;
	ropts.repo = repo;
	ropts.diff = diff;
	error = opex_render_flowchart(out, map, &ropts, err);
done:
	opex_pm_map_free(map);
	opex_diag_list_release(&ignored);
	opex_buf_release(&text);
	return error;
}

static int run(int argc, char **argv)
{
	opex_cli_options opts;
	opex_kb_repo *old_repo = NULL, *new_repo = NULL;
	opex_pm_diff diff = OPEX_PM_DIFF_INIT;
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	const char *path;
	int status = opex_cli_parse(&opts, &opex_cli_diff, argc, argv);

	if (status >= 0)
		return status;
	status = 0;
	if (opex_kb_repo_open(&old_repo, opts.repo, opts.rev1, &err) < 0 ||
	    opex_kb_repo_open(&new_repo, opts.repo, opts.rev2, &err) < 0) {
		fprintf(stderr, "opex: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	if (opts.path != NULL && opex_kb_repo_find(old_repo, opts.path) == NULL &&
	    opex_kb_repo_find(new_repo, opts.path) == NULL) {
		fprintf(stderr, "opex diff: '%s' is in neither revision\n",
			opts.path);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	if (opex_pm_diff_repos(&diff, old_repo, new_repo, opts.path, &err) < 0) {
		fprintf(stderr, "opex diff: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	if (strcmp(opts.format, "json") == 0) {
		status = opex_render_map_diff_json(&out, &diff, &err) < 0
			? OPEX_EXIT_USAGE : 0;
	} else if (strcmp(opts.format, "svg") == 0) {
		path = svg_path(&opts, &diff);
		if (path == NULL) {
			fprintf(stderr, "opex diff: %s\n", diff.count
				? "several maps changed: name the one to draw"
				: "no map changed: name the one to draw");
			status = OPEX_EXIT_USAGE;
			goto done;
		}
		if (opex_kb_repo_find(new_repo, path) == NULL) {
			fprintf(stderr, "opex diff: '%s' was removed: nothing to draw\n",
				path);
			status = OPEX_EXIT_USAGE;
			goto done;
		}
		status = render_svg(&out, new_repo, path, &diff, &err) < 0
			? OPEX_EXIT_USAGE : 0;
	} else {
		opex_render_map_diff_text(&out, &diff);
	}
	if (status != 0) {
		fprintf(stderr, "opex diff: %s\n", err.message);
		goto done;
	}
	status = write_output(opts.output, &out);
done:
	opex_buf_release(&out);
	opex_pm_diff_release(&diff);
	opex_kb_repo_free(old_repo);
	opex_kb_repo_free(new_repo);
	return status;
}

const opex_cli_command opex_cli_diff = {
	"diff",
	"what changed in the process maps between two revisions",
	"usage: opex diff [REPO] REV1 REV2 [processes/MAP.dot] [--format text|json|svg]\n"
	"                 [-o FILE]\n"
	"\n"
	"Compare the process maps of REV1 and REV2 as processes, not as text:\n"
	"steps added, removed, relabelled or changing kind, branches added,\n"
	"removed or relabelled, owner and champion changes, maps added or\n"
	"removed. A pure reformat shows nothing.\n"
	"\n"
	"  --format FORMAT  text (default), json, or svg: the map at REV2 with\n"
	"                   added parts green, changed amber, removed dashed red\n"
	"                   (needs MAP unless only one map changed)\n"
	"  -o, --output FILE  write to FILE instead of standard output\n"
	"\n"
	"Exit status: 0 compared, 2 usage or repository error.\n",
	OPEX_CLI_ACCEPT_FORMAT | OPEX_CLI_ACCEPT_REVS | OPEX_CLI_ACCEPT_OUTPUT,
	"text|json|svg", "text", run
};
