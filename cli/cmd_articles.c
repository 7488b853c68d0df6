/* cmd_articles.c: `opex articles`, the article list with derived states. */
#include "cli/cli.h"
#include "core/limits.h"
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
	int status = opex_cli_parse(&opts, &opex_cli_articles, argc, argv);

	if (status >= 0)
		return status;
	status = opex_cli_load(&hb, &opts, &diags);
	if (status != 0)
		goto done;
	if (strcmp(opts.format, "json") == 0) {
		if (opex_render_articles_json(&out, hb, &err) < 0) {
			fprintf(stderr, "opex articles: %s\n", err.message);
			status = OPEX_EXIT_USAGE;
			goto done;
		}
	} else {
		opex_render_articles_text(&out, hb);
	}
	status = opex_cli_print(&out);
done:
	opex_buf_release(&out);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	return status;
}

const opex_cli_command opex_cli_articles = {
	"articles",
	"list the articles with owner, language, verification and state",
	"usage: opex articles [REPO] [--rev REV] [--format text|json] [--now DATE]\n"
	"\n"
	"List every article of the handbook at REV: path, language, owner, the\n"
	"date it was last verified by its owner, and its state: ok, stale (not\n"
	"verified within its review interval) or outdated (a translation whose\n"
	"source changed since).\n"
	"\n"
	"  --rev REV        the revision to read (branch, tag, commit)\n"
	"  --format FORMAT  text (default) or json\n"
	"  --now DATE       judge review intervals as of DATE (YYYY-MM-DD)\n"
	"  --no-cache       walk the whole history instead of using the cache\n",
	OPEX_CLI_ACCEPT_FORMAT, "text|json", "text", run
};
