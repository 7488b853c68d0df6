/*
 * index.c: the server's search index (<git-dir>/opex/index.sqlite, or
 * --index PATH) and what it remembers of searches.
 *
 * Each worker thread opens its own read connection on first use (a
 * thread-specific key; closed when the thread ends), so searches take no
 * lock. One writer connection brings the index to each new revision,
 * under the reload lock, before the new snapshot is swapped in.
 *
 * Searches that find nothing are counted (query, times, last time) for
 * the health report, in memory, at most OPEX_SERVER_MISSES_MAX of them.
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/limits.h"
#include "core/memory.h"
#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "renderer/renderer.h"

#include "core/banned.h"

#define OPEX_SERVER_MISSES_MAX 1000
#define MISS_WINDOW (30 * 86400)

static void close_index(void *payload)
{
	opex_search_index_free(payload);
}

void opex_server_index_init(opex_server *server, const opex_server_snapshot *snap)
{
	opex_buf path = OPEX_BUF_INIT(OPEX_LIMIT_PATH_BYTES);
	opex_error err = OPEX_ERROR_INIT;

	pthread_mutex_init(&server->misses_lock, NULL);
	if (server->opts.index_path != NULL)
		opex_buf_puts(&path, server->opts.index_path);
	else
		opex_search_index_default_path(&path, opex_kb_handbook_repo(snap->hb));
	if (path.failed)
		goto done;
	if (opex_search_index_open(&server->writer, path.ptr, &err) < 0) {
		fprintf(stderr, "opex serve: search is off: %s\n", err.message);
		goto done;
	}
	if (pthread_key_create(&server->index_key, close_index) != 0) {
		opex_search_index_free(server->writer);
		server->writer = NULL;
		goto done;
	}
	server->has_index = true;
	server->index_path = opex_buf_detach(&path, NULL);
	/* An index that cannot be brought up to date still answers for the
	 * revision it holds; the watcher tries again with the next one. */
	if (opex_server_index_update(server, snap, &err) < 0)
		fprintf(stderr, "opex serve: %s\n", err.message);
done:
	opex_buf_release(&path);
}

int opex_server_index_update(opex_server *server,
	const opex_server_snapshot *snap, opex_error *err)
{
	opex_search_index_update_options opts = OPEX_SEARCH_INDEX_UPDATE_OPTIONS_INIT;

	if (server->writer == NULL)
		return 0;
	return opex_search_index_update(NULL, server->writer, snap->hb, &opts, err);
}

void opex_server_index_release(opex_server *server)
{
	size_t i;

	if (server->has_index) {
		/* The calling thread's connection; workers closed theirs on exit. */
		opex_search_index_free(pthread_getspecific(server->index_key));
		pthread_setspecific(server->index_key, NULL);
		pthread_key_delete(server->index_key);
		server->has_index = false;
	}
	opex_search_index_free(server->writer);
	server->writer = NULL;
	opex_free(server->index_path);
	server->index_path = NULL;
	for (i = 0; i < server->miss_count; i++)
		opex_free(server->misses[i].query);
	opex_free(server->misses);
	server->misses = NULL;
	server->miss_count = server->miss_cap = 0;
}

opex_search_index *opex_server_index_thread(opex_server *server)
{
	opex_search_index *index;

	if (!server->has_index)
		return NULL;
	index = pthread_getspecific(server->index_key);
	if (index == NULL &&
	    opex_search_index_open(&index, server->index_path, NULL) == 0)
		pthread_setspecific(server->index_key, index);
	return index;
}

void opex_server_index_miss(opex_server *server, const char *query)
{
	int64_t now = (int64_t)time(NULL);
	size_t i;

	pthread_mutex_lock(&server->misses_lock);
	for (i = 0; i < server->miss_count; i++)
		if (strcmp(server->misses[i].query, query) == 0)
			break;
	if (i == server->miss_count && i < OPEX_SERVER_MISSES_MAX) {
		opex_array_grow((void **)&server->misses, &server->miss_cap,
			i + 1, sizeof(*server->misses));
		server->misses[i].query = opex_strdup(query);
		server->misses[i].count = 0;
		server->miss_count++;
	}
	if (i < server->miss_count) {
		server->misses[i].count++;
		server->misses[i].last = now;
	}
	pthread_mutex_unlock(&server->misses_lock);
}

void opex_server_health_misses(opex_render_health *out, opex_server_ctx *ctx)
{
	opex_server *server = ctx->server;
	int64_t now = (int64_t)time(NULL);
	const char **queries;
	size_t *counts, i, n = 0;

	if (!server->has_index || !opex_server_sees_all(ctx))
		return;
	pthread_mutex_lock(&server->misses_lock);
	queries = opex_arena_alloc(&ctx->arena,
		(server->miss_count + 1) * sizeof(*queries));
	counts = opex_arena_alloc(&ctx->arena,
		(server->miss_count + 1) * sizeof(*counts));
	for (i = 0; i < server->miss_count; i++) {
		if (now - server->misses[i].last > MISS_WINDOW)
			continue;
		queries[n] = opex_arena_strdup(&ctx->arena, server->misses[i].query);
		counts[n++] = server->misses[i].count;
	}
	pthread_mutex_unlock(&server->misses_lock);
	out->misses = queries;
	out->miss_counts = counts;
	out->miss_count = n;
}
