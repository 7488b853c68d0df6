/*
 * cmd_index.c: `opex index`, bring the search index to a revision, and
 * the index sync that `opex search` runs first.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli/cli.h"
#include "core/limits.h"
#include "core/memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

/* Draw "[#####.....] 1234/20000 articles" over the previous line. */
/* What could not be read from git is left out of the index: say which. */
static void report_unreadable(const char *name, const opex_diag_list *diags)
{
	size_t i;

	for (i = 0; i < diags->count; i++)
		if (strcmp(diags->items[i].rule, "object-unreadable") == 0)
			fprintf(stderr, "opex %s: %s: %s\n", name,
				diags->items[i].path[0] ? diags->items[i].path
					: "(handbook)", diags->items[i].message);
}

static void draw_progress(size_t done, size_t total, void *payload)
{
	size_t width = 30, filled = total ? done * width / total : width, i;
	char bar[32];

	(void)payload;
	if (total < 200)
		return;
	for (i = 0; i < width; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[width] = '\0';
	fprintf(stderr, "\rindexing [%s] %zu/%zu articles", bar, done, total);
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static bool fancy_terminal(int fd)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(fd) && (nc == NULL || *nc == '\0');
}

/* Past this many changed paths the whole tree is listed. */
#define CHANGED_ONLY_MAX 4096

/*
 * Most updates change a few articles: the handbook of only the paths that
 * changed since `indexed` (and the settings and roster), read without
 * listing the tree, when the plan needs no more. NULL when it does, or
 * when the paths cannot be listed: the caller reads the whole tree.
 */
static opex_kb_handbook *load_changed_only(opex_search_index *ix,
	const char *path, const opex_kb_repo *unlisted, const char *indexed,
	const opex_kb_handbook_options *hopts, opex_diag_list *diags)
{
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_repo *repo = NULL;
	opex_kb_handbook *hb = NULL;
	char **paths = NULL;
	size_t count = 0;

	if (strlen(indexed) != 40 ||
	    opex_kb_repo_changed_paths(&paths, &count, unlisted, indexed, &err) < 0)
		return NULL;
	/* The commit, not the ref: the branch may move meanwhile. */
	if (count <= CHANGED_ONLY_MAX &&
	    opex_kb_repo_open_only(&repo, path, opex_kb_repo_commit(unlisted),
		(const char *const *)paths, count, &err) == 0 &&
	    opex_search_index_plan(ix, repo, false, &err) == 0 &&
	    opex_search_index_plan_by_paths(ix)) {
		opex_kb_handbook_load_repo(&hb, repo, hopts, diags);
		repo = NULL;
	}
	opex_kb_repo_free(repo);
	opex_strings_free(paths, count);
	return hb;
}

int opex_cli_index_sync(opex_search_index **out, opex_search_index_stats *stats,
	const opex_cli_options *opts, const char *name, bool progress)
{
	opex_search_index_update_options uopts = OPEX_SEARCH_INDEX_UPDATE_OPTIONS_INIT;
	opex_kb_handbook_options hopts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_search_index_stats local;
	opex_error err = OPEX_ERROR_INIT;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_buf path = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	opex_kb_repo *repo = NULL;
	opex_kb_handbook *hb = NULL;
	opex_search_index *ix = NULL;
	char indexed[41];
	int status = OPEX_EXIT_USAGE, error;

	*out = NULL;
	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	/* Unlisted first: an index that is up to date costs no tree listing. */
	if (opex_kb_repo_open_unlisted(&repo, opts->repo, opts->rev, &err) < 0) {
		fprintf(stderr, "opex %s: %s\n", name, err.message);
		goto done;
	}
	if (opts->index)
		opex_buf_puts(&path, opts->index);
	else
		opex_search_index_default_path(&path, repo);
	if (path.failed) {
		fprintf(stderr, "opex %s: index path too long\n", name);
		goto done;
	}
	if (opex_search_index_open(&ix, path.ptr, &err) < 0 ||
	    opex_search_index_revision(indexed, ix, &err) < 0) {
		fprintf(stderr, "opex %s: %s\n", name, err.message);
		goto done;
	}
	if (!opts->rebuild && strcmp(indexed, opex_kb_repo_commit(repo)) == 0) {
		/* Up to date: no need to read the handbook at all. */
		snprintf(stats->from, sizeof(stats->from), "%s", indexed);
		snprintf(stats->to, sizeof(stats->to), "%s", indexed);
	} else {
		hopts.rev = opts->rev;
		hopts.now = opts->now;
		hopts.history_cache = opts->no_cache ? "" : NULL;
		hopts.want = opex_search_index_wants;
		hopts.want_payload = ix;
		if (!opts->rebuild)
			hb = load_changed_only(ix, opts->repo, repo, indexed,
				&hopts, &diags);
		opex_kb_repo_free(repo);
		repo = NULL;
		if (hb == NULL) {
			if (opex_kb_repo_open(&repo, opts->repo, opts->rev, &err) < 0) {
				fprintf(stderr, "opex %s: %s\n", name, err.message);
				goto done;
			}
			/* Read only the articles the index does not hold yet. */
			if (opex_search_index_plan(ix, repo, opts->rebuild, &err) < 0) {
				fprintf(stderr, "opex %s: %s\n", name, err.message);
				goto done;
			}
			/* The revision is open and listed already: the handbook takes it. */
			opex_kb_handbook_load_repo(&hb, repo, &hopts, &diags);
			repo = NULL;
		}
		uopts.rebuild = opts->rebuild;
		if (progress && fancy_terminal(2))
			uopts.progress = draw_progress;
		error = opex_search_index_update(stats, ix, hb, &uopts, &err);
		if (error == OPEX_EEXISTS) {
			/* Another opex moved the index meanwhile: read every article. */
			opex_kb_handbook_free(hb);
			hb = NULL;
			hopts.want = NULL;
			error = opex_kb_handbook_load(&hb, opts->repo, &hopts, &diags,
				&err);
			if (error == 0)
				error = opex_search_index_update(stats, ix, hb, &uopts, &err);
		}
		if (error < 0) {
			fprintf(stderr, "opex %s: %s\n", name, err.message);
			goto done;
		}
	}
	report_unreadable(name, &diags);
	status = 0;
	*out = ix;
	ix = NULL;
done:
	opex_search_index_free(ix);
	opex_kb_handbook_free(hb);
	opex_kb_repo_free(repo);
	opex_diag_list_release(&diags);
	opex_buf_release(&path);
	return status;
}

static int run(int argc, char **argv)
{
	opex_cli_options opts;
	opex_search_index_stats stats;
	opex_search_index *ix = NULL;
	int status = opex_cli_parse(&opts, &opex_cli_index, argc, argv);

	if (status >= 0)
		return status;
	status = opex_cli_index_sync(&ix, &stats, &opts, "index", true);
	if (status != 0)
		goto done;
	if (strcmp(stats.from, stats.to) == 0 && !stats.rebuilt &&
	    stats.ms == 0.0) {
		printf("index is up to date at %.10s\n", stats.to);
	} else if (stats.rebuilt) {
		printf("indexed %zu articles at %.10s in %.1f ms (built from scratch)\n",
			stats.articles, stats.to, stats.ms);
	} else {
		printf("%.10s..%.10s: %zu added, %zu changed, %zu removed, "
			"%zu renamed, %zu unchanged in %.1f ms\n", stats.from,
			stats.to, stats.added, stats.changed, stats.removed,
			stats.renamed, stats.unchanged, stats.ms);
	}
done:
	opex_search_index_free(ix);
	return status;
}

const opex_cli_command opex_cli_index = {
	"index",
	"bring the full-text search index up to date (incrementally)",
	"usage: opex index [REPO] [--rev REV] [--index PATH] [--rebuild]\n"
	"\n"
	"Bring the search index of the handbook at REPO (default: the current\n"
	"folder) to REV (default: HEAD). Only the articles added, changed,\n"
	"removed or renamed since the indexed revision are touched, in one\n"
	"transaction: a search running meanwhile sees the old revision or the\n"
	"new one. The index is derived data; deleting it loses nothing.\n"
	"\n"
	"  --rev REV        the revision to index (branch, tag, commit)\n"
	"  --index PATH     the index file (default: <git-dir>/opex/index.sqlite)\n"
	"  --rebuild        drop the index and build it from scratch\n"
	"  --no-cache       walk the whole history instead of using the cache\n"
	"\n"
	"Exit status: 0 done, 2 usage or repository error.\n",
	OPEX_CLI_ACCEPT_INDEX, "text", "text", run
};
