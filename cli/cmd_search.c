/* cmd_search.c: `opex search`, ranked full-text search of the handbook. */
#define _POSIX_C_SOURCE 200809L

#include "cli/cli.h"
#include "core/limits.h"
#include "renderer/renderer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

/* Text for a terminal: drop control bytes so article text cannot send escapes. */
static void terminal_escape(opex_buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		opex_buf_putc(out, ch < 0x20 || ch == 0x7F ? ' ' : s[i]);
	}
}

static int run(int argc, char **argv)
{
	opex_cli_options opts;
	opex_search_options sopts = OPEX_SEARCH_OPTIONS_INIT;
	opex_search_result result;
	opex_error err = OPEX_ERROR_INIT;
	opex_buf out = OPEX_BUF_INIT(OPEX_LIMIT_RENDER_BYTES);
	opex_search_query *query = NULL;
	opex_search_index *ix = NULL;
	const char *nc = getenv("NO_COLOR");
	bool json, bold;
	size_t i;
	int status = opex_cli_parse(&opts, &opex_cli_search, argc, argv);

	memset(&result, 0, sizeof(result));
	if (status >= 0)
		return status;
	json = strcmp(opts.format, "json") == 0;
	bold = !json && isatty(1) && (nc == NULL || *nc == '\0');
	if (opex_search_query_parse(&query, opts.query, strlen(opts.query), &err) < 0) {
		fprintf(stderr, "opex search: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	if (!json)
		for (i = 0; i < opex_search_query_warning_count(query); i++)
			fprintf(stderr, "opex search: %s\n",
				opex_search_query_warning(query, i));
	status = opex_cli_index_sync(&ix, NULL, &opts, "search", true);
	if (status != 0)
		goto done;
	sopts.limit = opts.limit;
	sopts.offset = opts.offset;
	sopts.now = opts.now;
	if (json) {
		sopts.mark_open = "<mark>";
		sopts.mark_close = "</mark>";
		sopts.escape = opex_html_escape;
	} else {
		sopts.mark_open = bold ? "\033[1m" : "**";
		sopts.mark_close = bold ? "\033[0m" : "**";
		sopts.escape = terminal_escape;
	}
	if (opex_search_run(&result, ix, query, &sopts, &err) < 0) {
		fprintf(stderr, "opex search: %s\n", err.message);
		status = OPEX_EXIT_USAGE;
		goto done;
	}
	if (json) {
		if (opex_render_search_json(&out, &result, query, opts.query,
				opts.offset, opts.limit, &err) < 0) {
			fprintf(stderr, "opex search: %s\n", err.message);
			status = OPEX_EXIT_USAGE;
			goto done;
		}
	} else {
		opex_render_search_text(&out, &result, opts.offset);
	}
	status = opex_cli_print(&out);
	if (status == 0 && result.hit_count == 0)
		status = OPEX_EXIT_FINDINGS;
done:
	opex_search_result_release(&result);
	opex_search_query_free(query);
	opex_search_index_free(ix);
	opex_buf_release(&out);
	return status;
}

const opex_cli_command opex_cli_search = {
	"search",
	"search the articles: ranked, highlighted, filtered",
	"usage: opex search [REPO] QUERY [--limit N] [--offset N] [--rev REV]\n"
	"                   [--index PATH] [--format text|json]\n"
	"\n"
	"Bring the search index up to date (incrementally), then print the\n"
	"articles matching QUERY, best first: title, path, language, owner,\n"
	"stale flag, the section where the best match is, and a snippet.\n"
	"\n"
	"Query language (quote the whole query for the shell):\n"
	"  refund card        articles with both words (English words are stemmed)\n"
	"  \"lost card\"        the exact phrase\n"
	"  refu*              words starting with refu\n"
	"  -fee               without the word fee\n"
	"  fee OR charge      either word\n"
	"  lang:fr journey:payments market:uk owner:maria tag:chargeback is:stale\n"
	"                     filters; -lang:fr excludes\n"
	"A query starting with '-' needs '--' before it: opex search -- -fee.\n"
	"\n"
	"  --limit N        results per page (default 10, at most 1000)\n"
	"  --offset N       skip the first N results\n"
	"  --rev REV        the revision to search (branch, tag, commit)\n"
	"  --index PATH     the index file (default: <git-dir>/opex/index.sqlite)\n"
	"  --format FORMAT  text (default) or json (snippets as HTML with <mark>)\n"
	"  --now DATE       judge review intervals as of DATE (YYYY-MM-DD)\n"
	"\n"
	"Exit status: 0 results, 1 no result, 2 usage, query or repository error.\n",
	OPEX_CLI_ACCEPT_FORMAT | OPEX_CLI_ACCEPT_QUERY | OPEX_CLI_ACCEPT_INDEX,
	"text|json", "text", run
};
