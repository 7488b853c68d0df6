/*
 * server.c: the server's lifecycle: new (load the revision and the token
 * file), start (listen, watch), stop, free.
 */
#define _POSIX_C_SOURCE 200809L
#include "server/server_int.h"
#include "core/memory.h"
#include "core/sha256.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/banned.h"

/* A key for CSRF tokens, new for each process. */
static void make_secret(char out[65])
{
	unsigned char random[32];
	struct timespec ts;
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = 0;

	if (f != NULL) {
		got = fread(random, 1, sizeof(random), f);
		fclose(f);
	}
	if (got != sizeof(random)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		memset(random, 0, sizeof(random));
		memcpy(random, &ts, sizeof(ts) < sizeof(random) ? sizeof(ts) : sizeof(random));
	}
	opex_sha256_hex(out, random, sizeof(random));
}

int opex_server_new(opex_server **out, const opex_server_options *opts,
	opex_error *err)
{
	opex_server *server = opex_calloc(1, sizeof(*server));
	int error;

	*out = NULL;
	server->opts = *opts;
	server->opts.repo = server->owned[0] =
		opex_strdup(opts->repo ? opts->repo : ".");
	server->opts.rev = server->owned[1] = opex_strdup(opts->rev);
	server->opts.bind = server->owned[2] =
		opex_strdup(opts->bind ? opts->bind : "127.0.0.1");
	server->opts.auth_file = server->owned[3] =
		opex_strdup(opts->auth_file);
	server->opts.trust_header = server->owned[4] =
		opex_strdup(opts->trust_header);
	server->opts.index_path = server->owned[5] =
		opex_strdup(opts->index_path);
	server->opts.origin = server->owned[6] = opex_strdup(opts->origin);
	server->opts.kpi_path = server->owned[7] = opex_strdup(opts->kpi_path);
	pthread_mutex_init(&server->snap_lock, NULL);
	pthread_mutex_init(&server->reload_lock, NULL);
	pthread_mutex_init(&server->stop_lock, NULL);
	pthread_mutex_init(&server->misses_lock, NULL);
	pthread_mutex_init(&server->launch_lock, NULL);
	pthread_mutex_init(&server->kpi_lock, NULL);
	pthread_mutex_init(&server->ack_lock, NULL);
	opex_server_cache_init(&server->search_cache,
		OPEX_SERVER_SEARCH_CACHE_ENTRIES, OPEX_SERVER_SEARCH_CACHE_BODY);
	pthread_cond_init(&server->stop_cond, NULL);
	opex_server_metrics_init(&server->metrics);
	opex_server_routes_register(&server->metrics);
	make_secret(server->secret);
	error = opex_server_auth_load(&server->auth, server->opts.auth_file,
		server->opts.trust_header, err);
	if (error < 0)
		goto done;
	error = opex_server_snapshot_load(&server->snap, server->opts.repo,
		server->opts.rev, err);
	if (error < 0)
		goto done;
	atomic_store(&server->metrics.reload_seconds,
		server->snap->load_seconds);
	opex_server_index_init(server, server->snap);
	*out = server;
	server = NULL;
done:
	opex_server_free(server);
	return error;
}

int opex_server_start(opex_server *server, opex_error *err)
{
	int error = opex_server_http_start(server, err);

	if (error < 0)
		return error;
	error = opex_server_watcher_start(server, err);
	if (error < 0)
		opex_server_http_stop(server);
	return error;
}

unsigned opex_server_port(const opex_server *server)
{
	return server->port;
}

void opex_server_stop(opex_server *server)
{
	opex_server_watcher_stop(server);
	opex_server_http_stop(server);
}

void opex_server_free(opex_server *server)
{
	size_t i;

	if (server == NULL)
		return;
	opex_server_stop(server);
	opex_server_snapshot_release(server->snap);
	opex_server_index_release(server);
	opex_server_auth_release(&server->auth);
	opex_server_kpi_cache_release(server);
	opex_server_acks_release(server);
	opex_server_cache_release(&server->search_cache);
	pthread_mutex_destroy(&server->snap_lock);
	pthread_mutex_destroy(&server->reload_lock);
	pthread_mutex_destroy(&server->stop_lock);
	pthread_mutex_destroy(&server->misses_lock);
	pthread_mutex_destroy(&server->launch_lock);
	pthread_mutex_destroy(&server->kpi_lock);
	pthread_mutex_destroy(&server->ack_lock);
	pthread_cond_destroy(&server->stop_cond);
	for (i = 0; i < sizeof(server->owned) / sizeof(server->owned[0]); i++)
		opex_free(server->owned[i]);
	opex_free(server);
}
