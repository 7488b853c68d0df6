/*
 * server.h: the opex HTTP server: a JSON API and web pages over one
 * handbook revision, kept current while it runs.
 *
 *   http.c      libmicrohttpd (the only file calling it): thread pool,
 *               limits, turning connections into opex_server_handle() calls
 *   handler.c   opex_server_handle(): path hygiene, routing, errors,
 *               security headers, access log, metrics
 *   snapshot.c  one loaded revision (handbook, maps, lint), reference
 *               counted; the watcher thread that swaps in new revisions
 *   api.c       the JSON API          pages.c  the HTML pages (renderer/)
 *   auth.c      tokens, identities, what a person may see
 *   metrics.c   Prometheus counters   assets.c  embedded CSS and JS
 *
 * Routes, threading and limits: docs/internals/server.md.
 */
#ifndef OPEX_SERVER_H
#define OPEX_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

typedef struct opex_server opex_server;

typedef struct opex_server_options {
	const char *repo;          /* the handbook repository */
	const char *rev;           /* the served ref; NULL: HEAD */
	const char *bind;          /* IPv4 address; NULL: 127.0.0.1 */
	unsigned port;             /* 0: any free port (see opex_server_port) */
	const char *index_path;    /* search index; NULL: <git-dir>/opex/index.sqlite */
	const char *auth_file;     /* token file; NULL: no tokens */
	const char *trust_header;  /* e.g. "X-Remote-User"; NULL: none */
	unsigned poll_seconds;     /* watch the ref this often; 0: never */
	const char *origin;        /* replica of this repository; NULL: none */
	unsigned fetch_seconds;    /* fetch from the origin this often */
	unsigned threads;          /* worker threads; 0: two per CPU */
	bool access_log;           /* one line per request on stderr */
	const char *kpi_path;      /* KPI store (read only); NULL: <git-dir>/opex/kpi.sqlite */
	/* Searches the cache does not hold leave the worker threads for the
	 * slow lane when they lately took this long on average; 0: always. */
	double slow_search_ms;
} opex_server_options;

#define OPEX_SERVER_OPTIONS_INIT \
	{ NULL, NULL, NULL, 8080, NULL, NULL, NULL, 2, NULL, 2, 0, true, NULL, 2.0 }

/**
 * Load the handbook named by `opts` (and the token file) into a new server
 * that does not listen yet. With `opts->origin`, `opts->repo` is a mirror
 * of the origin (see opex_kb_mirror_fetch), fetched every fetch_seconds,
 * and approvals are appended on the origin. Errors: those of opex_kb_handbook_load(), and
 * OPEX_EINVALID / OPEX_EIO for a bad token file.
 */
int opex_server_new(opex_server **out, const opex_server_options *opts,
	opex_error *err) OPEX_WARN_UNUSED;

/**
 * Listen on opts->bind:opts->port with a pool of worker threads and start
 * the watcher. Errors: OPEX_EIO when the address cannot be bound.
 */
int opex_server_start(opex_server *server, opex_error *err)
	OPEX_WARN_UNUSED;

/** The port the server listens on (useful after asking for port 0). */
unsigned opex_server_port(const opex_server *server);

/**
 * Stop listening: finish the requests in progress, close connections and
 * stop the watcher. The server may be freed afterwards. Idempotent.
 */
void opex_server_stop(opex_server *server);

/** Stop (if needed) and free the server. NULL is a no-op. */
void opex_server_free(opex_server *server);

/**
 * Check the served ref now and, if it moved, load the new revision and
 * swap it in (requests in flight keep the revision they started with).
 * `*changed` (may be NULL) tells whether a new revision was loaded. On
 * error (the revision cannot be loaded, or the search index cannot be
 * brought to it) the current revision stays served, search included.
 */
int opex_server_reload(opex_server *server, bool *changed, opex_error *err)
	OPEX_WARN_UNUSED;

/** The commit id being served (40 hex digits), copied to `out`. */
void opex_server_revision(char out[41], opex_server *server);

/* ---------------------------------------------------------------------
 * One request, without a socket (what http.c, the tests and the fuzz
 * targets call)
 * ------------------------------------------------------------------- */

typedef struct opex_server_header {
	const char *name, *value;
} opex_server_header;

typedef struct opex_server_request {
	const char *method;        /* "GET", "POST", ... */
	const char *path;          /* as sent: percent-encoded, no query */
	size_t path_len;
	const char *query;         /* as sent, without '?'; may be NULL */
	size_t query_len;
	const opex_server_header *headers;
	size_t header_count;
	const char *body;
	size_t body_len;
	const char *remote;        /* client address for the log; may be NULL */
	double received_ms;        /* opex_time_monotonic_ms() when it came; 0: now */
	/* The caller can answer it again off its thread: a route that would
	 * be slow (a search the cache does not hold) answers `deferred`. */
	bool may_defer;
} opex_server_request;

#define OPEX_SERVER_MAX_HEADERS 12

typedef struct opex_server_response {
	unsigned status;
	const char *content_type;  /* static string */
	opex_buf body;
	/* Response headers; names are static, values owned by the response. */
	const char *header_names[OPEX_SERVER_MAX_HEADERS];
	char *header_values[OPEX_SERVER_MAX_HEADERS];
	size_t header_count;
	const char *route;         /* the route's name, for metrics and logs */
	bool deferred;             /* nothing answered: ask again, may_defer off */
} opex_server_response;

/** Initialize an empty response (status 500, no body). */
void opex_server_response_init(opex_server_response *response);

/** Free what the response holds. */
void opex_server_response_release(opex_server_response *response);

/**
 * Answer one request. Every outcome is a response: bad input gives a 4xx
 * with a JSON body {"error": ..., "detail": ...} (or an HTML page for
 * page routes), never a 5xx. `response` must be initialized; fill in what
 * the handler writes. Thread-safe.
 */
void opex_server_handle(opex_server_response *response, opex_server *server,
	const opex_server_request *request);

/* ---------------------------------------------------------------------
 * Tokens (auth.c)
 * ------------------------------------------------------------------- */

/**
 * Make a fresh random token for `person`, append its SHA-256 (never the
 * token) to the token file `auth_file` (created if missing, mode 0600) and
 * write the token to `token_out` (65 bytes: 64 hex digits and a NUL).
 * `partner` marks the person as an external partner (see auth.c).
 * Errors: OPEX_EINVALID (a bad person id), OPEX_EIO.
 */
int opex_server_token_new(char token_out[65], const char *auth_file,
	const char *person, bool partner, opex_error *err) OPEX_WARN_UNUSED;

#endif
