/*
 * snapshot.c: the served revision and its lifecycle.
 *
 * A snapshot is everything loaded from one commit: the handbook, every
 * process map, and the lint findings. Requests take a reference when they
 * start and drop it when they end; the watcher thread loads a new snapshot
 * beside the current one and swaps the pointer under `snap_lock` (held for
 * the swap and for taking a reference, nothing else). The old snapshot is
 * freed by whichever thread drops its last reference.
 *
 *   watcher:  every poll_seconds (a replica: fetch from the origin every
 *             fetch_seconds, then): open the ref -> commit id changed? ->
 *             load + lint -> index update -> swap under snap_lock ->
 *             release old (any failure: keep the old one, retry next poll)
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "launches/launches.h"
#include "core/limits.h"
#include "core/time.h"
#include "core/memory.h"
#include "core/path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/banned.h"

/* Make <git-dir>/opex/render for flowcharts; NULL when that fails. */
static char *make_cache_dir(const opex_kb_repo *repo)
{
	opex_buf dir = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	char *out = NULL;

	opex_buf_printf(&dir, "%s/opex", opex_kb_repo_git_dir(repo));
	if (dir.failed || (mkdir(dir.ptr, 0777) != 0 && errno != EEXIST))
		goto done;
	opex_buf_puts(&dir, "/render");
	if (dir.failed || (mkdir(dir.ptr, 0777) != 0 && errno != EEXIST))
		goto done;
	out = opex_buf_detach(&dir, NULL);
done:
	opex_buf_release(&dir);
	return out;
}

/* The maps the lint read, kept: each map is parsed once a revision. */
static void take_maps(opex_server_snapshot *snap, opex_pm_lint_report *report)
{
	snap->maps = report->kept;
	snap->map_count = report->kept_count;
	report->kept = NULL;
	report->kept_count = 0;
}

/*
 * The lookup tables pages use instead of scanning the handbook: what
 * decides whether a reader sees every article (see opex_server_sees_all).
 * Translations by source are the handbook's own
 * (opex_kb_handbook_translations).
 */
static void build_lookups(opex_server_snapshot *snap)
{
	const opex_kb_handbook *hb = snap->hb;
	size_t i, n = opex_kb_handbook_article_count(hb);

	snap->team_restricted = opex_calloc(n + 1, sizeof(*snap->team_restricted));
	for (i = 0; i < n; i++) {
		const opex_kb_article *a = opex_kb_handbook_article(hb, i);

		if (a->visibility != OPEX_KB_VISIBILITY_PUBLIC)
			snap->not_public++;
		if (a->visibility != OPEX_KB_VISIBILITY_PUBLIC &&
		    (a->visibility != OPEX_KB_VISIBILITY_PARTNERS || a->team_count > 0))
			snap->not_for_partners++;
		if (a->team_count > 0)
			snap->team_restricted[snap->team_restricted_count++] = a;
	}
}

static int by_doc(const void *x, const void *y)
{
	const opex_server_step_link *a = x, *b = y;
	int c = strcmp(a->doc, b->doc);

	if (c)
		return c;
	if (a->map != b->map)
		return a->map < b->map ? -1 : 1;
	return a->node < b->node ? -1 : a->node > b->node;
}

static void add_step_link(opex_server_snapshot *snap, size_t *cap,
	const char *doc, const opex_server_map *m, const opex_pm_node *node)
{
	opex_array_grow((void **)&snap->step_links, cap,
		snap->step_link_count + 1, sizeof(*snap->step_links));
	snap->step_links[snap->step_link_count++] =
		(opex_server_step_link){ doc, m, node };
}

/* Which steps link each article and reply: for their pages. */
static void build_step_links(opex_server_snapshot *snap)
{
	size_t i, j, k, cap = 0;

	for (i = 0; i < snap->map_count; i++) {
		const opex_server_map *m = &snap->maps[i];

		for (j = 0; m->map && j < opex_pm_map_node_count(m->map); j++) {
			const opex_pm_node *node = opex_pm_map_node(m->map, j);

			if (node->article)
				add_step_link(snap, &cap, node->article, m, node);
			for (k = 0; k < node->reply_count; k++)
				add_step_link(snap, &cap, node->replies[k], m,
					node);
		}
	}
	if (snap->step_link_count > 1)
		qsort(snap->step_links, snap->step_link_count,
			sizeof(*snap->step_links), by_doc);
}

const opex_server_step_link *opex_server_steps_linking(
	const opex_server_snapshot *snap, const char *doc, size_t *count)
{
	size_t lo = 0, hi = snap->step_link_count, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(snap->step_links[mid].doc, doc) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < snap->step_link_count &&
	     strcmp(snap->step_links[end].doc, doc) == 0; end++)
		;
	*count = end - lo;
	return snap->step_links + lo;
}

int opex_server_snapshot_load(opex_server_snapshot **out, const char *repo,
	const char *rev, opex_error *err)
{
	opex_kb_handbook_options hopts = OPEX_KB_HANDBOOK_OPTIONS_INIT;
	opex_pm_lint_report report = OPEX_PM_LINT_REPORT_INIT;
	opex_server_snapshot *snap = opex_calloc(1, sizeof(*snap));
	const opex_kb_repo *kbrepo;
	double started = (opex_time_monotonic_ms() / 1e3);
	int error;

	*out = NULL;
	atomic_init(&snap->refs, 1u);
	hopts.rev = rev;
	hopts.article_cache = true;
	error = opex_kb_handbook_load(&snap->hb, repo, &hopts, &snap->diags,
		err);
	if (error < 0)
		goto done;
	kbrepo = opex_kb_handbook_repo(snap->hb);
	memcpy(snap->commit, opex_kb_repo_commit(kbrepo), 41);
	snap->commit[40] = '\0';
	/* A handbook that fails lint is still served, with its findings. */
	report.keep_maps = true;
	error = opex_launch_lint_handbook(snap->hb, &snap->diags, &report, err);
	if (error < 0)
		goto done;
	opex_diag_sort(&snap->diags);
	take_maps(snap, &report);
	build_lookups(snap);
	build_step_links(snap);
	snap->cache_dir = make_cache_dir(kbrepo);
	snap->loaded_at = (int64_t)time(NULL);
	snap->load_seconds = (opex_time_monotonic_ms() / 1e3) - started;
	*out = snap;
	snap = NULL;
done:
	opex_pm_lint_report_release(&report);
	opex_server_snapshot_release(snap);
	return error;
}

void opex_server_snapshot_release(opex_server_snapshot *snap)
{
	size_t i;

	if (snap == NULL || atomic_fetch_sub(&snap->refs, 1u) != 1u)
		return;
	for (i = 0; i < snap->map_count; i++)
		opex_pm_map_free(snap->maps[i].map);
	opex_free(snap->maps);
	opex_free((void *)snap->team_restricted);
	opex_free(snap->step_links);
	opex_diag_list_release(&snap->diags);
	opex_kb_handbook_free(snap->hb);
	opex_free(snap->cache_dir);
	opex_free(snap);
	/* A revision is hundreds of MB at 100,000 articles: give it back. */
	opex_memory_trim();
}

opex_server_snapshot *opex_server_snapshot_acquire(opex_server *server)
{
	opex_server_snapshot *snap;

	pthread_mutex_lock(&server->snap_lock);
	snap = server->snap;
	atomic_fetch_add(&snap->refs, 1u);
	pthread_mutex_unlock(&server->snap_lock);
	return snap;
}

const opex_server_map *opex_server_snapshot_map(
	const opex_server_snapshot *snap, const char *path)
{
	size_t lo = 0, hi = snap->map_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(snap->maps[mid].path, path);

		if (c == 0)
			return &snap->maps[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const opex_diag *opex_server_diags_of(const opex_server_snapshot *snap,
	const char *path, size_t *count)
{
	const opex_diag *items = snap->diags.items;
	size_t lo = 0, hi = snap->diags.count, end;

	while (lo < hi) {              /* the first finding not before `path` */
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(items[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < snap->diags.count &&
	     strcmp(items[end].path, path) == 0; end++)
		;
	*count = end - lo;
	return items + lo;
}

void opex_server_diags_for(opex_diag_list *out,
	const opex_server_snapshot *snap, const char *path)
{
	size_t i, n;
	const opex_diag *d = opex_server_diags_of(snap, path, &n);

	for (i = 0; i < n; i++)
		opex_diag_add(out, d[i].severity, d[i].rule, d[i].path,
			d[i].line, d[i].col, "%s", d[i].message);
}

int opex_server_reload(opex_server *server, bool *changed, opex_error *err)
{
	opex_server_snapshot *fresh = NULL, *old = NULL;
	char current[41], target[41];
	int error;

	if (changed)
		*changed = false;
	pthread_mutex_lock(&server->reload_lock);
	/* Resolving the ref reads no tree: an idle poll costs next to nothing. */
	error = opex_kb_repo_resolve(target, server->opts.repo, server->opts.rev,
		err);
	if (error < 0)
		goto done;
	opex_server_revision(current, server);
	if (strcmp(current, target) == 0)
		goto done;
	error = opex_server_snapshot_load(&fresh, server->opts.repo,
		server->opts.rev, err);
	if (error < 0) {
		atomic_fetch_add(&server->metrics.reload_failures, 1u);
		goto done;
	}
	/* Search and pages must answer for the same revision: if the index
	 * cannot follow (a full disk), the old revision stays served. */
	error = opex_server_index_update(server, fresh, err);
	if (error < 0) {
		atomic_fetch_add(&server->metrics.reload_failures, 1u);
		goto done;
	}
	atomic_store(&server->metrics.reload_seconds, fresh->load_seconds);
	atomic_fetch_add(&server->metrics.reloads, 1u);
	pthread_mutex_lock(&server->snap_lock);
	old = server->snap;
	server->snap = fresh;
	pthread_mutex_unlock(&server->snap_lock);
	fresh = NULL;
	if (changed)
		*changed = true;
done:
	pthread_mutex_unlock(&server->reload_lock);
	opex_server_snapshot_release(old);
	opex_server_snapshot_release(fresh);
	return error;
}

void opex_server_revision(char out[41], opex_server *server)
{
	opex_server_snapshot *snap = opex_server_snapshot_acquire(server);

	memcpy(out, snap->commit, 41);
	opex_server_snapshot_release(snap);
}

/*
 * Fetch the origin into the mirror. Under launch_lock: a fetch that read
 * the origin's refs before an approval was pushed would otherwise move the
 * mirror's approvals back behind it.
 */
static int fetch_origin(opex_server *server, opex_error *err)
{
	int error;

	pthread_mutex_lock(&server->launch_lock);
	error = opex_kb_mirror_fetch(server->opts.repo, server->opts.origin,
		NULL, err);
	pthread_mutex_unlock(&server->launch_lock);
	return error;
}

static void *watch(void *payload)
{
	opex_server *server = payload;
	const char *origin = server->opts.origin;
	unsigned period = origin != NULL ? server->opts.fetch_seconds
		: server->opts.poll_seconds;
	struct timespec until;
	bool stopping;

	for (;;) {
		opex_error err = OPEX_ERROR_INIT;
		bool changed = false;

		pthread_mutex_lock(&server->stop_lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)period;
		while (!server->stopping &&
		       pthread_cond_timedwait(&server->stop_cond,
				&server->stop_lock, &until) != ETIMEDOUT)
			;
		stopping = server->stopping;
		pthread_mutex_unlock(&server->stop_lock);
		if (stopping)
			break;
		/* A replica serves what it fetched; a failed fetch keeps it as is. */
		if (origin != NULL && fetch_origin(server, &err) < 0) {
			atomic_fetch_add(&server->metrics.fetch_failures, 1u);
			fprintf(stderr, "opex serve: %s\n", err.message);
			opex_error_clear(&err);
		}
		if (opex_server_reload(server, &changed, &err) < 0) {
			char rev[41];

			opex_server_revision(rev, server);
			fprintf(stderr, "opex serve: cannot reload '%s': %s; "
				"still serving %.12s\n", server->opts.repo,
				err.message, rev);
		} else if (changed && server->opts.access_log) {
			char rev[41];

			opex_server_revision(rev, server);
			fprintf(stderr, "opex serve: now serving %.12s\n", rev);
		}
	}
	return NULL;
}

int opex_server_watcher_start(opex_server *server, opex_error *err)
{
	if ((server->opts.origin != NULL ? server->opts.fetch_seconds
		: server->opts.poll_seconds) == 0 || server->watcher_running)
		return 0;
	server->stopping = false;
	if (pthread_create(&server->watcher, NULL, watch, server) != 0)
		return opex_error_set(err, OPEX_ERROR,
			"cannot start the watcher thread");
	server->watcher_running = true;
	return 0;
}

void opex_server_watcher_stop(opex_server *server)
{
	if (!server->watcher_running)
		return;
	pthread_mutex_lock(&server->stop_lock);
	server->stopping = true;
	pthread_cond_signal(&server->stop_cond);
	pthread_mutex_unlock(&server->stop_lock);
	pthread_join(server->watcher, NULL);
	server->watcher_running = false;
}
