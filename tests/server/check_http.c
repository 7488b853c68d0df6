/*
 * check_http.c: the server on a real socket (server/http.c): a server on
 * 127.0.0.1 on a free port, raw HTTP/1.1 requests, limits, and the watcher
 * picking up a new commit while requests are served.
 */
#define _POSIX_C_SOURCE 200809L

#include "server/server.h"
#include "core/buf.h"
#include "core/memory.h"
#include "support/http_client.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

typedef struct fixture {
	opex_test_repo *repo;
	char *tmp;
	char auth[4096];
	opex_server *server;
	int64_t clock;
} fixture;

void server_fixture_init(fixture *fx, bool auth, unsigned poll);
void server_fixture_release(fixture *fx);
void server_fixture_commit(fixture *fx, const char *path, const char *text);

static fixture fx;

static void setup(void)
{
	opex_error err = OPEX_ERROR_INIT;

	server_fixture_init(&fx, false, 1);
	if (opex_server_start(fx.server, &err) < 0)
		ck_abort_msg("opex_server_start: %s", err.message);
	ck_assert_uint_ne(opex_server_port(fx.server), 0);
}

static void teardown(void)
{
	server_fixture_release(&fx);
}

/* Send `raw` to the server and read the whole response into `out`. */
static void exchange(opex_buf *out, const char *raw, size_t len)
{
	ck_assert_int_eq(opex_test_http_exchange(out,
		opex_server_port(fx.server), raw, len), 0);
}

/* GET `target` from the server on `port`; the status, or 0 without one. */
static unsigned get_from(unsigned port, opex_buf *out, const char *target)
{
	opex_buf req = OPEX_BUF_INIT(1 << 20);
	unsigned status = 0;

	opex_buf_clear(out);
	opex_buf_printf(&req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Connection: close\r\n\r\n", target);
	if (opex_test_http_exchange(out, port, req.ptr, req.len) < 0)
		opex_buf_clear(out);
	opex_buf_release(&req);
	if (out->ptr == NULL || sscanf(out->ptr, "HTTP/1.1 %u", &status) != 1)
		status = 0;
	return status;
}

static unsigned get(opex_buf *out, const char *target)
{
	return get_from(opex_server_port(fx.server), out, target);
}

START_TEST(server_http__serves_on_loopback)
{
	opex_buf out = OPEX_BUF_INIT(1 << 24);

	ck_assert_uint_eq(get(&out, "/healthz"), 200);
	ck_assert_ptr_nonnull(strstr(out.ptr, "\"status\":\"ok\""));
	ck_assert_ptr_nonnull(strstr(out.ptr, "X-Content-Type-Options: nosniff"));
	ck_assert_ptr_nonnull(strstr(out.ptr, "frame-ancestors 'none'"));
	ck_assert_uint_eq(get(&out, "/api/articles/public-faq.md"), 200);
	ck_assert_ptr_nonnull(strstr(out.ptr, "Content-Type: application/json"));
	ck_assert_uint_eq(get(&out, "/processes/refunds.dot"), 200);
	ck_assert_uint_eq(get(&out, "/api/search?q=refund"), get(&out, "/api/search?q=refund"));
	opex_buf_release(&out);
}
END_TEST

START_TEST(server_http__odd_requests)
{
	static const char *const bad[] = {
		"/%2e%2e/%2e%2e/etc/passwd",
		"/articles/%2e%2e/people.yaml",
		"/api/articles/%00",
		"/api/articles/%c0%ae%c0%ae/",
		"/search?q=%c0%ae",
	};
	opex_buf out = OPEX_BUF_INIT(1 << 24);
	opex_buf req = OPEX_BUF_INIT(1 << 20);
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(get(&out, bad[i]) == 400, "'%s' gave: %.40s",
			bad[i], out.ptr);
		ck_assert_ptr_nonnull(strstr(out.ptr, "\"error\":") ?
			out.ptr : strstr(out.ptr, "<h1>400"));
	}
	/* A body over the limit, announced by Content-Length. */
	opex_buf_puts(&req, "POST /api/articles HTTP/1.1\r\nHost: x\r\n"
		"Content-Length: 10000000\r\nConnection: close\r\n\r\nabc");
	opex_buf_clear(&out);
	exchange(&out, req.ptr, req.len);
	ck_assert_msg(strncmp(out.ptr, "HTTP/1.1 413", 12) == 0, "got %.40s", out.ptr);
	/* Garbage instead of HTTP gets a 4xx or a closed connection, never a 5xx. */
	opex_buf_clear(&out);
	exchange(&out, "\x01\x02 nonsense\r\n\r\n", 15);
	ck_assert(out.len == 0 || strncmp(out.ptr, "HTTP/1.1 4", 10) == 0);
	/* Still serving afterwards. */
	ck_assert_uint_eq(get(&out, "/healthz"), 200);
	opex_buf_release(&req);
	opex_buf_release(&out);
}
END_TEST

typedef struct reader {
	unsigned requests, failures;
	atomic_bool *stop;
} reader;

static void *read_loop(void *payload)
{
	reader *r = payload;
	opex_buf out = OPEX_BUF_INIT(1 << 24);

	while (!*r->stop) {
		if (get(&out, "/api/articles/public-faq.md") != 200)
			r->failures++;
		r->requests++;
	}
	opex_buf_release(&out);
	return NULL;
}

START_TEST(server_http__reload_while_serving)
{
	opex_buf out = OPEX_BUF_INIT(1 << 24);
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	atomic_bool stop = false;
	reader r = { 0, 0, &stop };
	pthread_t thread;

	ck_assert_uint_eq(get(&out, "/api/articles/arrived.md"), 404);
	ck_assert_int_eq(pthread_create(&thread, NULL, read_loop, &r), 0);
	server_fixture_commit(&fx, "articles/arrived.md",
		"---\ntitle: Arrived later\nowner: maria\n---\nNew text.\n");
	/* The watcher polls every second; wait for it (Check's timeout bounds this). */
	while (get(&out, "/api/articles/arrived.md") != 200)
		nanosleep(&pause, NULL);
	stop = true;
	pthread_join(thread, NULL);
	ck_assert_ptr_nonnull(strstr(out.ptr, "Arrived later"));
	ck_assert_uint_gt(r.requests, 0);
	ck_assert_uint_eq(r.failures, 0);
	ck_assert_uint_eq(get(&out, "/metrics"), 200);
	ck_assert_ptr_nonnull(strstr(out.ptr, "opex_reloads_total 1"));
	opex_buf_release(&out);
}
END_TEST

/* A second server on the fixture's repository that leaves every search
 * the cache does not hold to the slow lane, with one worker thread. */
static opex_server *deferring_server(void)
{
	opex_server_options opts = OPEX_SERVER_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_server *server;
	opex_buf index = OPEX_BUF_INIT(4096);

	opex_buf_printf(&index, "%s/deferring.sqlite", fx.tmp);
	opts.repo = opex_test_repo_path(fx.repo);
	opts.index_path = index.ptr;
	opts.port = 0;
	opts.threads = 1;
	opts.poll_seconds = 0;
	opts.access_log = false;
	opts.slow_search_ms = 0;
	if (opex_server_new(&server, &opts, &err) < 0 ||
	    opex_server_start(server, &err) < 0)
		ck_abort_msg("deferring server: %s", err.message);
	opex_buf_release(&index);
	return server;
}

/* From "results" on: the answer without its "took". */
static const char *results_of(const opex_buf *out)
{
	const char *at = out->ptr ? strstr(out->ptr, "\"revision\"") : NULL;

	ck_assert_ptr_nonnull(at);
	return at;
}

START_TEST(server_http__slow_lane_answers_as_the_worker_would)
{
	opex_server *lane = deferring_server();
	unsigned port = opex_server_port(lane);
	opex_buf here = OPEX_BUF_INIT(1 << 24), there = OPEX_BUF_INIT(1 << 24);
	static const char *const targets[] = {
		"/api/search?q=refund", "/api/search?q=refund&offset=1&limit=1",
		"/api/search?q=zebracorn", "/api/search?q=nothingmatches",
	};
	size_t i;

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		ck_assert_uint_eq(get(&here, targets[i]), 200);
		ck_assert_uint_eq(get_from(port, &there, targets[i]), 200);
		ck_assert_msg(strcmp(results_of(&here), results_of(&there)) == 0,
			"%s differs: %s", targets[i], there.ptr);
		ck_assert_ptr_null(strstr(there.ptr, "X-Opex-Cache: hit"));
		/* Asked again, the answer comes from the cache on the worker. */
		ck_assert_uint_eq(get_from(port, &there, targets[i]), 200);
		ck_assert_ptr_nonnull(strstr(there.ptr, "X-Opex-Cache: hit"));
	}
	/* The search page goes the same way; bad input is refused at once. */
	ck_assert_uint_eq(get_from(port, &there, "/?q=zebracorn"), 200);
	ck_assert_ptr_nonnull(strstr(there.ptr, "Refund FAQ"));
	ck_assert_uint_eq(get_from(port, &there, "/api/search?q=refund&limit=0"), 400);
	/* Each request is counted once, though the lane answered some. */
	ck_assert_uint_eq(get_from(port, &there, "/metrics"), 200);
	ck_assert_ptr_nonnull(strstr(there.ptr,
		"opex_http_requests_total{route=\"api_search\",status=\"200\"} 8\n"));
	opex_server_free(lane);
	opex_buf_release(&here);
	opex_buf_release(&there);
}
END_TEST

typedef struct searcher {
	unsigned port, id;
	atomic_uint answered;
	atomic_bool *stop;
} searcher;

/* New searches, one after another, until told to stop. */
static void *search_loop(void *payload)
{
	searcher *s = payload;
	opex_buf out = OPEX_BUF_INIT(1 << 24);
	char target[128];
	unsigned n = 0, status;

	while (!*s->stop) {
		snprintf(target, sizeof(target),
			"/api/search?q=refund%%20OR%%20w%uq%u", s->id, n++);
		status = get_from(s->port, &out, target);
		if (status == 200)
			s->answered++;
	}
	opex_buf_release(&out);
	return NULL;
}

START_TEST(server_http__slow_lane_under_load_and_stop)
{
	opex_server *lane = deferring_server();
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	atomic_bool stop = false;
	searcher s[8];
	pthread_t threads[8];
	opex_buf out = OPEX_BUF_INIT(1 << 24);
	size_t i;

	for (i = 0; i < 8; i++) {
		s[i].port = opex_server_port(lane);
		s[i].id = (unsigned)i;
		atomic_init(&s[i].answered, 0);
		s[i].stop = &stop;
		ck_assert_int_eq(pthread_create(&threads[i], NULL, search_loop, &s[i]), 0);
	}
	/* Every searcher is answered in turn (Check's timeout bounds this). */
	for (i = 0; i < 8; i++)
		while (s[i].answered < 3)
			nanosleep(&pause, NULL);
	/* Pages are answered while the lane is busy. */
	ck_assert_uint_eq(get_from(opex_server_port(lane), &out,
		"/api/articles/public-faq.md"), 200);
	/* Stopping with searches queued answers or closes them; none hangs. */
	opex_server_stop(lane);
	stop = true;
	for (i = 0; i < 8; i++) {
		pthread_join(threads[i], NULL);
		ck_assert_uint_gt(s[i].answered, 0);
	}
	opex_server_free(lane);
	opex_buf_release(&out);
}
END_TEST

Suite *suite_http(void)
{
	Suite *s = suite_create("server_http");
	TCase *tc = tcase_create("loopback");

	/* Under the thread sanitizer, outside ctest's CK_DEFAULT_TIMEOUT. */
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, server_http__serves_on_loopback);
	tcase_add_test(tc, server_http__odd_requests);
	tcase_add_test(tc, server_http__reload_while_serving);
	tcase_add_test(tc, server_http__slow_lane_answers_as_the_worker_would);
	tcase_add_test(tc, server_http__slow_lane_under_load_and_stop);
	suite_add_tcase(s, tc);
	return s;
}
