/* cmd_lint.c: `opex lint`, the handbook checker for CI and hooks. */
#include "cli/cli.h"
#include "core/limits.h"
#include "launches/launches.h"
#include "renderer/renderer.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static int run(int argc, char **argv)
{
	opex_cli_options opts;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb = NULL;
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	opex_pm_lint_report report = OPEX_PM_LINT_REPORT_INIT;
	size_t errors, warnings;
	int status = opex_cli_parse(&opts, &opex_cli_lint, argc, argv);

	if (status >= 0)
		return status;
	status = opex_cli_load(&hb, &opts, &diags);
	if (status != 0)
		goto done;
	if (opex_launch_lint_handbook(hb, &diags, &report, &err) < 0) {
		fprintf(stderr, "opex lint: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	opex_diag_sort(&diags);
	if (strcmp(opts.format, "json") == 0) {
		if (opex_render_lint_json(&out, &diags, &report, &err) < 0) {
			fprintf(stderr, "opex lint: %s\n", err.message);
			status = OPEX_EXIT_USAGE;
			goto done;
		}
	} else {
		opex_render_diags_text(&out, &diags);
	}
	status = opex_cli_print(&out);
	if (status != 0)
		goto done;
	errors = opex_diag_count(&diags, OPEX_SEVERITY_ERROR);
	warnings = opex_diag_count(&diags, OPEX_SEVERITY_WARNING);
	if (strcmp(opts.format, "text") == 0)
		fprintf(stderr, "%zu error%s, %zu warning%s in %zu articles and %zu maps at %.10s\n",
			errors, errors == 1 ? "" : "s", warnings,
			warnings == 1 ? "" : "s",
			opex_kb_handbook_article_count(hb), report.map_count,
			opex_kb_repo_commit(opex_kb_handbook_repo(hb)));
	status = errors ? OPEX_EXIT_FINDINGS : OPEX_EXIT_OK;
done:
	opex_pm_lint_report_release(&report);
	opex_buf_release(&out);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	return status;
}

const opex_cli_command opex_cli_lint = {
	"lint",
	"check the handbook: articles, process maps, roster, links, reviews",
	"usage: opex lint [REPO] [--rev REV] [--format text|json] [--now DATE] [--no-cache]\n"
	"\n"
	"Check the handbook at REPO (default: the current folder) as committed at\n"
	"REV (default: HEAD). Diagnostics are printed one per line, sorted by file\n"
	"and line:\n"
	"\n"
	"  path:line:col: error|warning|info: message [rule-id]\n"
	"\n"
	"  --rev REV        the revision to check (branch, tag, commit)\n"
	"  --format FORMAT  text (default) or json\n"
	"  --now DATE       judge review intervals as of DATE (YYYY-MM-DD)\n"
	"  --no-cache       walk the whole history instead of using the cache\n"
	"\n"
	"Exit status: 0 no error, 1 at least one error, 2 usage or repository error.\n",
	OPEX_CLI_ACCEPT_FORMAT, "text|json", "text", run
};
