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

static unsigned get(opex_buf *out, const char *target)
{
	opex_buf req = OPEX_BUF_INIT(1 << 20);
	unsigned status = 0;

	opex_buf_clear(out);
	opex_buf_printf(&req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Connection: close\r\n\r\n", target);
	exchange(out, req.ptr, req.len);
	opex_buf_release(&req);
	if (sscanf(out->ptr, "HTTP/1.1 %u", &status) != 1)
		status = 0;
	return status;
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

Suite *suite_http(void)
{
	Suite *s = suite_create("server_http");
	TCase *tc = tcase_create("loopback");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, server_http__serves_on_loopback);
	tcase_add_test(tc, server_http__odd_requests);
	tcase_add_test(tc, server_http__reload_while_serving);
	suite_add_tcase(s, tc);
	return s;
}
