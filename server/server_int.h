/* server_int.h: what the files of server/ share; only server/ includes it. */
#ifndef OPEX_SERVER_INT_H
#define OPEX_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/diag.h"
#include "kb/kb.h"
#include "search/search.h"
#include "process-maps/process_maps.h"
#include "launches/launches.h"
#include "server/server.h"

/* ---------------------------------------------------------------------
 * Snapshots (snapshot.c): one loaded revision, shared by the requests
 * that started while it was current, freed by the last one to finish.
 * ------------------------------------------------------------------- */

/* A map of the snapshot as its lint read it: the path is borrowed from
 * the snapshot's handbook, map is NULL when the map cannot be read. */
typedef opex_pm_loaded_map opex_server_map;

/* A step that links a handbook file: article= or one of its reply= paths. */
typedef struct opex_server_step_link {
	const char *doc;           /* the article or reply path, borrowed */
	const opex_server_map *map;
	const opex_pm_node *node;
} opex_server_step_link;

typedef struct opex_server_snapshot {
	atomic_uint refs;
	opex_kb_handbook *hb;
	char commit[41];
	opex_diag_list diags;      /* every lint finding of the revision, sorted */
	opex_server_map *maps;     /* in path order */
	size_t map_count;
	int64_t loaded_at;         /* seconds since the epoch */
	double load_seconds;       /* how long loading and linting took */
	char *cache_dir;           /* flowchart cache; NULL: none */
	/* Lookup tables built at load, so no page scans the handbook: */
	const opex_kb_article **team_restricted; /* articles with teams: */
	size_t team_restricted_count;
	size_t not_public, not_for_partners;  /* articles anonymous readers, partners may not see */
	opex_server_step_link *step_links; /* by doc, then map and step order */
	size_t step_link_count;
} opex_server_snapshot;

/** Load the revision `rev` of `repo` into a new snapshot holding one reference. */
int opex_server_snapshot_load(opex_server_snapshot **out, const char *repo,
	const char *rev, opex_error *err);

/** Drop one reference; the last one frees the snapshot. NULL is a no-op. */
void opex_server_snapshot_release(opex_server_snapshot *snap);

/** The current snapshot with one more reference (release it after use). */
opex_server_snapshot *opex_server_snapshot_acquire(opex_server *server);

/** The steps that link the article or reply at `doc` (a run of snap->step_links). */
const opex_server_step_link *opex_server_steps_linking(
	const opex_server_snapshot *snap, const char *doc, size_t *count);

/** The map at `path`, or NULL. */
const opex_server_map *opex_server_snapshot_map(
	const opex_server_snapshot *snap, const char *path);

/* Start and stop the thread that polls the served ref. */
int opex_server_watcher_start(opex_server *server, opex_error *err);
void opex_server_watcher_stop(opex_server *server);

/* ---------------------------------------------------------------------
 * Auth (auth.c)
 * ------------------------------------------------------------------- */

typedef struct opex_server_token {
	char hash[65];             /* SHA-256 of the token, hex */
	char *person;
	bool partner;
} opex_server_token;

typedef struct opex_server_auth {
	opex_server_token *tokens;
	size_t count, cap;
	char *trust_header;        /* NULL: not behind a trusted proxy */
	bool enabled;              /* a token file or a trusted header is set */
} opex_server_auth;

/*
 * Who is asking. With no authentication configured, the reader is the
 * operator on loopback and sees everything (`open`). Otherwise an unknown
 * reader sees public articles only; a partner (marked so in the token
 * file, or a person not on the roster) sees partner and public articles;
 * a roster person sees everything not restricted to teams they are not in.
 */
typedef struct opex_server_identity {
	const char *person;        /* NULL: anonymous */
	const opex_kb_person *member; /* the roster entry, if any */
	bool open;
	bool partner;
} opex_server_identity;

int opex_server_auth_load(opex_server_auth *auth, const char *file,
	const char *trust_header, opex_error *err);
void opex_server_auth_release(opex_server_auth *auth);

/**
 * Work out the identity of a request from its Authorization header and
 * the value of the trusted header (auth->trust_header), either NULL when
 * absent. OPEX_EINVALID (401) when a token is given but unknown, or a
 * trusted header names nobody.
 */
int opex_server_auth_identify(opex_server_identity *out,
	const opex_server_auth *auth, const opex_kb_roster *roster,
	const char *authorization, const char *trusted, opex_error *err);

/** True if the identity may see the article. */
bool opex_server_can_see(const opex_server_identity *who,
	const opex_kb_article *article);

/** True if the identity may see the handbook file `path` (articles only are restricted). */
bool opex_server_can_see_path(const opex_server_identity *who,
	const opex_kb_handbook *hb, const char *path);

/* ---------------------------------------------------------------------
 * Metrics (metrics.c)
 * ------------------------------------------------------------------- */

#define OPEX_SERVER_ROUTE_MAX 48
#define OPEX_SERVER_STATUS_SLOTS 12
#define OPEX_SERVER_LATENCY_BUCKETS 10

typedef struct opex_server_metrics {
	const char *route_names[OPEX_SERVER_ROUTE_MAX];
	size_t route_count;
	atomic_ullong requests[OPEX_SERVER_ROUTE_MAX][OPEX_SERVER_STATUS_SLOTS];
	atomic_ullong latency[OPEX_SERVER_LATENCY_BUCKETS + 1]; /* +Inf last */
	atomic_ullong latency_count;
	_Atomic double latency_sum;
	atomic_ullong reloads, reload_failures, fetch_failures;
	_Atomic double reload_seconds; /* the last reload */
} opex_server_metrics;

void opex_server_metrics_init(opex_server_metrics *m);
void opex_server_metrics_record(opex_server_metrics *m, const char *route,
	unsigned status, double seconds);
void opex_server_metrics_render(opex_buf *out, const opex_server_metrics *m,
	const opex_server_snapshot *snap);

/* ---------------------------------------------------------------------
 * Response cache (cache.c): bodies by key, least recently used dropped
 * ------------------------------------------------------------------- */

/* Keys being computed at once that others wait for (cache.c). */
#define OPEX_SERVER_CACHE_CLAIMS 64u

typedef struct opex_server_cache {
	pthread_mutex_t lock;
	pthread_cond_t claim_done;  /* a claim was given up */
	void *slots;               /* cache.c's entries, 2 x max_entries */
	size_t slot_count, count, max_entries, max_body;
	unsigned long long clock, hits, misses;
	char *claims[OPEX_SERVER_CACHE_CLAIMS];   /* keys being computed */
	size_t claim_count;
} opex_server_cache;

/* Search answers kept, and the largest one kept. */
#define OPEX_SERVER_SEARCH_CACHE_ENTRIES 1024u
#define OPEX_SERVER_SEARCH_CACHE_BODY (256u * 1024u)

void opex_server_cache_init(opex_server_cache *c, size_t entries,
	size_t max_body);
void opex_server_cache_release(opex_server_cache *c);
/** Append the body under `key` to `out` and its `aux`; false if absent. */
bool opex_server_cache_get(opex_server_cache *c, const char *key,
	opex_buf *out, long *aux);
/**
 * opex_server_cache_get(), and on a miss: if another request is computing
 * the body of `key` (has claimed it), wait for it (at most
 * OPEX_SERVER_CACHE_WAIT_SECONDS) and look again, so a burst of the same
 * new search is computed once; if nobody is, claim it (*claimed = true):
 * the caller then computes, puts, and must call opex_server_cache_unclaim()
 * also when it fails. With every claim slot taken, nothing is claimed.
 */
bool opex_server_cache_get_or_claim(opex_server_cache *c, const char *key,
	opex_buf *out, long *aux, bool *claimed);
/** Give up the claim on `key` and wake those waiting for it. */
void opex_server_cache_unclaim(opex_server_cache *c, const char *key);
#define OPEX_SERVER_CACHE_WAIT_SECONDS 30
/** Keep a copy of `body` under `key` (bodies over max_body are not kept). */
void opex_server_cache_put(opex_server_cache *c, const char *key,
	const char *body, size_t len, long aux);

/* ---------------------------------------------------------------------
 * Requests (context.c): the context every route gets, and its helpers
 * ------------------------------------------------------------------- */

typedef struct opex_server_param {
	const char *name, *value;  /* percent-decoded, in the arena */
} opex_server_param;

#define OPEX_SERVER_MAX_PARAMS 32

typedef struct opex_server_ctx {
	opex_server *server;
	const opex_server_request *req;
	opex_server_response *res;
	opex_arena arena;
	opex_server_snapshot *snap;
	opex_server_identity who;
	const char *path;          /* decoded and checked */
	const char *rest;          /* the part of `path` after the route's prefix */
	opex_server_param params[OPEX_SERVER_MAX_PARAMS];
	size_t param_count;
} opex_server_ctx;

/** A decoded query parameter, or NULL. */
const char *opex_server_param_get(const opex_server_ctx *ctx, const char *name);

/** A request header (case-insensitive name), or NULL. */
const char *opex_server_header_get(const opex_server_request *req,
	const char *name);

/**
 * True when the route should leave this request to the slow lane (the
 * caller allows it, see opex_server_request.may_defer): the response is
 * then marked deferred and the route returns without answering.
 */
bool opex_server_defer(opex_server_ctx *ctx);

/** Add a response header; `value` is copied. */
void opex_server_response_header(opex_server_response *res,
	const char *name, const char *value);

/** Answer with a JSON error {"error": name, "detail": ...}. */
void opex_server_json_error(opex_server_ctx *ctx, unsigned status,
	const char *detail_fmt, ...) OPEX_PRINTF(3, 4);

struct json_t;

/**
 * Answer with `root` as compact JSON and `status`, taking the reference
 * (NULL, or JSON that cannot be encoded, answers 413).
 */
void opex_server_json_send(opex_server_ctx *ctx, struct json_t *root,
	unsigned status);

/** Answer with an HTML error page. */
void opex_server_html_error(opex_server_ctx *ctx, unsigned status,
	const char *detail_fmt, ...) OPEX_PRINTF(3, 4);

/** A JSON string of `s` (null for NULL; "?" if not UTF-8). */
struct json_t *opex_server_json_text(const char *s);

/** Refuse with `status`: a JSON error when `api`, else an HTML error page. */
void opex_server_refuse(opex_server_ctx *ctx, bool api, unsigned status,
	const char *detail);

/** The reason phrase of a status code ("not found"), lowercase. */
const char *opex_server_status_name(unsigned status);

/** Make `res` an error: JSON {error, detail} when `api`, else an HTML page. */
void opex_server_error_set(opex_server_response *res, bool api,
	unsigned status, const char *detail);

/**
 * Percent-decode `s[0..len)` into the arena (`plus`: '+' is a space).
 * NULL for a bad escape, a NUL or control byte, or invalid UTF-8.
 */
const char *opex_server_decode(opex_arena *arena, const char *s, size_t len,
	bool plus);

/**
 * The article (or, for OPEX_KB_KIND_REPLY, the reply) at ctx->rest if the
 * reader may see it; else NULL, with a 404 sent.
 */
const opex_kb_article *opex_server_find_article(opex_server_ctx *ctx,
	opex_kb_kind kind, bool api);

/** The map for `rest` ("x.dot", "x" or "processes/x.dot"); else NULL, with a 404 sent. */
const opex_server_map *opex_server_find_map(opex_server_ctx *ctx,
	const char *rest, bool api);

/** True if the reader may see every article of the snapshot. */
bool opex_server_sees_all(const opex_server_ctx *ctx);

/** True if the reader is on the roster (or the server has no auth): operation data. */
bool opex_server_is_member(const opex_server_ctx *ctx);

/** True if `v` is an id: up to 64 letters, digits, '-', '_' and '.'. */
bool opex_server_id_ok(const char *v);

/** A field of an application/x-www-form-urlencoded body, decoded into the arena, or NULL. */
const char *opex_server_form_field(opex_server_ctx *ctx, const char *name);

/** A string member of a JSON object body, copied into the arena, or NULL. */
const char *opex_server_json_field(opex_server_ctx *ctx, const char *name);

/** True if the request's Content-Type is `type` (parameters ignored). */
bool opex_server_content_type_is(const opex_server_ctx *ctx, const char *type);

/**
 * NULL if the POST may act, else why not (answer 403): cross-site or
 * foreign-origin requests; a form without the reader's CSRF token (API
 * requests with a bearer token or a JSON body need none).
 */
const char *opex_server_csrf_refusal(opex_server_ctx *ctx, bool api);

struct opex_render_page;

/** Start an HTML page in the response: the layout's head, nav and search box. */
void opex_server_page_begin(opex_server_ctx *ctx, struct opex_render_page *page,
	const char *title, const char *nav);

/** Close the page begun with opex_server_page_begin() and answer 200. */
void opex_server_page_end(opex_server_ctx *ctx, struct opex_render_page *page);

/* ---------------------------------------------------------------------
 * Routes: one file each (api.c, web.c, search.c, launches.c, static in
 * web.c); handler.c maps paths to them
 * ------------------------------------------------------------------- */

/* API handlers (api.c) */
void opex_server_api_articles(opex_server_ctx *ctx);
void opex_server_api_article(opex_server_ctx *ctx);
void opex_server_api_processes(opex_server_ctx *ctx);
void opex_server_api_process(opex_server_ctx *ctx);
void opex_server_api_health(opex_server_ctx *ctx);
void opex_server_api_healthz(opex_server_ctx *ctx);
void opex_server_api_metrics(opex_server_ctx *ctx);

/* Search (search.c) */
void opex_server_api_search(opex_server_ctx *ctx);

/**
 * Run the search of the request's q, lang, journey, market, limit and
 * offset parameters for the reader. Sends the error itself (JSON for
 * `api`, HTML otherwise) and returns false when there is no result.
 */
bool opex_server_search_run(opex_search_result *out, opex_server_ctx *ctx,
	bool api);

/* The routing directory (routing.c) */
void opex_server_api_routing(opex_server_ctx *ctx);
void opex_server_page_routing(opex_server_ctx *ctx);

/* KPIs (kpi.c) */
struct opex_kpi_query;
struct opex_kpi_report;
typedef struct opex_server_kpi opex_server_kpi;

#define OPEX_SERVER_KPI_CACHE 16

/**
 * The KPI report of `q` over the served revision and the KPI store, cached
 * (release it after use). NULL with `err` set: OPEX_ENOTFOUND (no store,
 * no mapping, an unknown process), OPEX_EINVALID, OPEX_EIO.
 */
opex_server_kpi *opex_server_kpi_get(opex_server_ctx *ctx,
	const struct opex_kpi_query *q, opex_error *err);
const struct opex_kpi_report *opex_server_kpi_report(const opex_server_kpi *k);
void opex_server_kpi_release(opex_server_kpi *k);
/** Drop every cached report (the server's end). */
void opex_server_kpi_cache_release(opex_server *server);
/** Append the KPI gauges (nothing without a store). */
void opex_server_kpi_metrics(opex_buf *out, opex_server_ctx *ctx);
struct opex_render_health_row;
/** The breached KPI targets as health rows in the arena (members only). */
size_t opex_server_kpi_breaches(opex_server_ctx *ctx,
	struct opex_render_health_row **out);
struct opex_render_kpi_built;
/**
 * The KPI overlay of the map at `path` for `metric` (members only): the
 * report it borrows from, to release after drawing; NULL when there is
 * none (no store, not mapped, an unknown metric).
 */
opex_server_kpi *opex_server_kpi_overlay(opex_server_ctx *ctx,
	const char *path, const char *metric, struct opex_render_kpi_built *out);
/** Append the performance section of a process page (members, mapped processes only). */
void opex_server_kpi_process_section(opex_server_ctx *ctx, const char *path);
void opex_server_api_kpi(opex_server_ctx *ctx);
void opex_server_page_kpi(opex_server_ctx *ctx);

/* Launches (launches.c) */
void opex_server_api_launches(opex_server_ctx *ctx);
void opex_server_api_launch(opex_server_ctx *ctx);
void opex_server_api_launch_act(opex_server_ctx *ctx);
void opex_server_page_launches(opex_server_ctx *ctx);
void opex_server_page_launch(opex_server_ctx *ctx);
void opex_server_page_launch_act(opex_server_ctx *ctx);

/** The CSRF token of `person`'s forms: HMAC-SHA256 of the per-process secret, hex. */
void opex_server_csrf_token(char out[65], const opex_server *server,
	const char *person);


/* Required reading (acks.c) */
void opex_server_page_acks(opex_server_ctx *ctx);
void opex_server_page_ack(opex_server_ctx *ctx);
void opex_server_page_ack_act(opex_server_ctx *ctx);
void opex_server_api_acks(opex_server_ctx *ctx);
void opex_server_api_ack(opex_server_ctx *ctx);
void opex_server_api_ack_act(opex_server_ctx *ctx);
void opex_server_ack_feed(opex_server_ctx *ctx);
/** How many items (not expired) the signed-in reader has not acknowledged as they are; 0 for nobody. */
size_t opex_server_acks_pending(opex_server_ctx *ctx);
/** The overdue acknowledgements as health rows in the arena (members only): item, person, due. */
size_t opex_server_acks_overdue(opex_server_ctx *ctx,
	struct opex_render_health_row **out);
/** Append the acknowledgement gauges. */
void opex_server_acks_metrics(opex_buf *out, opex_server_ctx *ctx);
/** Drop the server's receipts and evaluation (its end). */
void opex_server_acks_release(opex_server *server);

/* Page handlers (web.c) */
void opex_server_page_home(opex_server_ctx *ctx);
void opex_server_page_article(opex_server_ctx *ctx);
void opex_server_page_reply(opex_server_ctx *ctx);
void opex_server_page_processes(opex_server_ctx *ctx);
void opex_server_page_process(opex_server_ctx *ctx);
void opex_server_page_process_svg(opex_server_ctx *ctx);
void opex_server_page_health(opex_server_ctx *ctx);
void opex_server_static(opex_server_ctx *ctx);

/* Quick texts (replies.c) */
void opex_server_page_replies(opex_server_ctx *ctx);
void opex_server_api_replies(opex_server_ctx *ctx);
void opex_server_api_reply(opex_server_ctx *ctx);

/**
 * The reply at `path` in `language` (NULL: as it is) where that variant
 * exists and the reader may see it, else the reply itself if they may,
 * else NULL (also when `path` is no reply). (web.c)
 */
const opex_kb_article *opex_server_reply_for(opex_server_ctx *ctx,
	const char *path, const char *language);

/* Embedded files (assets.c, generated data) */
typedef struct opex_server_asset {
	const char *name;          /* "opex.js" */
	const char *content_type;
	const unsigned char *data;
	size_t len;
} opex_server_asset;

const opex_server_asset *opex_server_asset_find(const char *name);

/** The findings of one file: a run of the snapshot's sorted findings. */
const opex_diag *opex_server_diags_of(const opex_server_snapshot *snap,
	const char *path, size_t *count);

/** Linted findings of one file of the snapshot, copied into `out`. */
void opex_server_diags_for(opex_diag_list *out,
	const opex_server_snapshot *snap, const char *path);

/* ---------------------------------------------------------------------
 * The server
 * ------------------------------------------------------------------- */

struct opex_server {
	opex_server_options opts;  /* its strings point into `owned` */
	char *owned[8];
	pthread_mutex_t snap_lock; /* guards `snap` only: the pointer swap */
	opex_server_snapshot *snap;
	pthread_mutex_t reload_lock; /* one reload at a time */
	opex_server_auth auth;
	opex_server_metrics metrics;
	void *http;                /* http.c's daemon */
	unsigned port;
	char secret[65];           /* per-process key for CSRF tokens */
	pthread_mutex_t launch_lock; /* approvals: read the ref, evaluate, append */
	opex_server_cache search_cache; /* /api/search answers */
	/* What a search the cache did not hold took lately (a moving
	 * average); from opts.slow_search_ms on, searches are deferred. */
	_Atomic double search_ms;
	/* required reading: the receipts read so far and their evaluation
	 * for (ack_snap's commit, ack_log.tip), both under ack_lock */
	pthread_mutex_t ack_lock;
	opex_ack_log ack_log;
	opex_ack_status ack_status;
	const opex_pm_map **ack_maps;
	opex_server_snapshot *ack_snap; /* the snapshot evaluated; one reference */
	char ack_tip[41];
	int64_t ack_evaluated;    /* when; overdue moves with the clock */
	pthread_mutex_t kpi_lock;    /* guards the KPI report cache */
	opex_server_kpi *kpi_cache[OPEX_SERVER_KPI_CACHE];
	unsigned long long kpi_clock;
	/* search: one read connection per worker thread, one writer */
	pthread_key_t index_key;
	bool has_index;
	char *index_path;
	opex_search_index *writer;     /* used by whoever holds reload_lock */
	pthread_mutex_t misses_lock; /* guards `misses` (searches finding nothing) */
	struct opex_server_miss *misses;
	size_t miss_count, miss_cap;
	/* the watcher */
	pthread_t watcher;
	bool watcher_running;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	bool stopping;
};

/** Register the route names with the metrics (once, before serving). */
void opex_server_routes_register(opex_server_metrics *m);

/** Add a health row source list (health.c); see renderer.h. */
struct opex_render_health;
void opex_server_health_build(struct opex_render_health *out,
	opex_server_ctx *ctx, const char *sort);

/* ---------------------------------------------------------------------
 * The search index of the server (index.c)
 * ------------------------------------------------------------------- */

typedef struct opex_server_miss {
	char *query;
	size_t count;
	int64_t last;              /* seconds since the epoch */
} opex_server_miss;

/** Open the index (opts.index_path or beside the repository) and bring it to `snap`; failures only disable search. */
void opex_server_index_init(opex_server *server, const opex_server_snapshot *snap);
/** Bring the index to `snap` (under reload_lock); OPEX_EIO naming the index file when it cannot (a full disk). */
int opex_server_index_update(opex_server *server,
	const opex_server_snapshot *snap, opex_error *err);
void opex_server_index_release(opex_server *server);
/** This thread's read connection, opened on first use; NULL if it cannot be. */
opex_search_index *opex_server_index_thread(opex_server *server);
/** Count a search for `query` that found nothing (health report). */
void opex_server_index_miss(opex_server *server, const char *query);
/** Add the searches that found nothing (30 days) to a health report, for readers who see everything. */
void opex_server_health_misses(struct opex_render_health *out, opex_server_ctx *ctx);

/* http.c */
int opex_server_http_start(opex_server *server, opex_error *err);
void opex_server_http_stop(opex_server *server);

#endif
