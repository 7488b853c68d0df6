/* cmd_show.c: `opex show`, one article rendered as HTML. */
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
	const opex_kb_article *article;
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_error err = OPEX_ERROR_INIT;
	int status = opex_cli_parse(&opts, &opex_cli_show, argc, argv);

	if (status >= 0)
		return status;
	status = opex_cli_load(&hb, &opts, &diags);
	if (status != 0)
		goto done;
	article = opex_kb_handbook_find(hb, opts.path);
	if (article == NULL) {
		fprintf(stderr, "opex show: '%s' is not an article at %.10s%s\n",
			opts.path, opex_kb_repo_commit(opex_kb_handbook_repo(hb)),
			opex_diag_count(&diags, OPEX_SEVERITY_ERROR)
				? " (see 'opex lint' for files that could not be read)" : "");
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	if (opex_render_article_html(&out, article, &err) < 0) {
		fprintf(stderr, "opex show: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	opex_buf_putc(&out, '\n');
	status = opex_cli_print(&out);
done:
	opex_buf_release(&out);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	return status;
}

const opex_cli_command opex_cli_show = {
	"show",
	"render one article as HTML",
	"usage: opex show [REPO] PATH [--rev REV]\n"
	"\n"
	"Render the article at PATH (e.g. articles/cards/lost-card-abroad.md) of\n"
	"the handbook at REPO (default: the current folder) as an HTML fragment.\n"
	"Raw HTML in the article is left out and unsafe links are dropped.\n"
	"\n"
	"  --rev REV   the revision to read (branch, tag, commit)\n",
	OPEX_CLI_ACCEPT_PATH, NULL, NULL, run
};
