/*
 * check_kpi.c: the KPI routes (server/kpi.c): /kpi, /api/kpi, the process
 * page's performance section, the gauges on /metrics and breached targets
 * on /health, who may see them, and a report cache that sees an ingest.
 */
#define _POSIX_C_SOURCE 200809L

#include "server/server.h"
#include "kpi/kpi.h"
#include "core/memory.h"
#include "core/sha256.h"
#include "support/repo_fixture.h"
#include "support/server_request.h"
#include "support/test_util.h"

#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/banned.h"

#define TOKEN_MARIA "maria-token-0123456789"
#define TOKEN_VENDOR "vendor-token-0123456789"

static const char roster[] =
	"people:\n"
	"  - id: maria\n    name: Maria Santos\n    email: maria@example.com\n"
	"    teams: [payments]\n"
	"teams:\n  - id: payments\n    name: Payments\n    fte: 2\n";

static const char settings[] =
	"markets: [uk, fr]\njourneys: [payments]\n"
	"kpi:\n"
	"  sources:\n"
	"    - name: tickets\n"
	"      files: \"t*.csv\"\n"
	"      process: processes/refund.dot\n"
	"      columns: {case: id, created: created, solved: solved, status: status,\n"
	"                market: market, journey: journey, team: group}\n"
	"      steps: {map: {new: triage, open: review, solved: done}}\n";

static const char map[] =
	"digraph refund {\n"
	"  title=\"Refund\"; owner=\"maria\"; journey=\"payments\";\n"
	"  target_backlog=\"1\";\n"
	"  start [kind=start label=\"Start\"];\n"
	"  triage [label=\"Triage\"];\n"
	"  review [label=\"Review\"];\n"
	"  done [kind=end label=\"Done\"];\n"
	"  start -> triage -> review -> done;\n"
	"}\n";

typedef struct kpi_fixture {
	opex_test_repo *repo;
	char *tmp;
	char store[4096], tokens[4096];
	opex_server *server;
} kpi_fixture;

static kpi_fixture fx;

/* Load `csv` (named t-NAME.csv) into the fixture's store. */
static void ingest(const char *name, const char *csv)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_kpi_mapping *m = NULL;
	opex_kpi_store *st = NULL;
	opex_kpi_ingest_stats stats;

	ck_assert_int_eq(opex_kpi_mapping_parse(&m, "opex.yaml", settings,
		strlen(settings), &diags, &err), 0);
	ck_assert_int_eq(opex_kpi_store_open(&st, fx.store, &err), 0);
	opex_kpi_ingest_stats_init(&stats);
	ck_assert_msg(opex_kpi_ingest_buffer(&stats, st, m, name, csv,
		strlen(csv), (int64_t)time(NULL), &diags, &err) == 0, "%s", err.message);
	opex_kpi_ingest_stats_release(&stats);
	opex_kpi_store_free(st);
	opex_kpi_mapping_free(m);
	opex_diag_list_release(&diags);
}

static void setup(void)
{
	opex_server_options opts = OPEX_SERVER_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	FILE *f;

	fx.repo = opex_test_repo_new(false);
	fx.tmp = opex_test_tmpdir();
	snprintf(fx.store, sizeof(fx.store), "%s/kpi.sqlite", fx.tmp);
	snprintf(fx.tokens, sizeof(fx.tokens), "%s/tokens", fx.tmp);
	f = fopen(fx.tokens, "w");
	ck_assert_ptr_nonnull(f);
	opex_test_put_token(f, TOKEN_MARIA, "maria", false);
	opex_test_put_token(f, TOKEN_VENDOR, "vendor-agent", true);
	fclose(f);
	opex_test_repo_put(fx.repo, "people.yaml", roster);
	opex_test_repo_put(fx.repo, "opex.yaml", settings);
	opex_test_repo_put(fx.repo, "processes/refund.dot", map);
	opex_test_repo_commit(fx.repo, "Maria Santos", "maria@example.com",
		1780000000, "handbook", NULL);
	opts.repo = opex_test_repo_path(fx.repo);
	opts.auth_file = fx.tokens;
	opts.kpi_path = fx.store;
	opts.poll_seconds = 0;
	opts.port = 0;
	opts.threads = 2;
	opts.access_log = false;
	if (opex_server_new(&fx.server, &opts, &err) < 0)
		ck_abort_msg("opex_server_new: %s", err.message);
}

static void teardown(void)
{
	opex_server_free(fx.server);
	opex_test_repo_free(fx.repo);
	opex_test_rmtree(fx.tmp);
}

static unsigned fetch(const char *target, const char *token, char **body)
{
	return opex_test_server_get(fx.server, target, token, body);
}

/* fetch(), and never a 5xx. */
static unsigned get(const char *target, const char *token, char **body)
{
	unsigned status = fetch(target, token, body);

	ck_assert_msg(status < 500, "GET %s gave %u", target, status);
	return status;
}

/* Created this week and last: ages and weeks fall inside the report. */
static void tickets(opex_buf *out, const char *ids, const char *market)
{
	char created[32], solved[32];
	time_t now = time(NULL) - 3 * 86400;
	struct tm tm;
	const char *id;

	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	now += 3600;
	gmtime_r(&now, &tm);
	strftime(solved, sizeof(solved), "%Y-%m-%dT%H:%M:%SZ", &tm);
	opex_buf_puts(out, "id,created,solved,status,market,journey,group\n");
	for (id = ids; *id != '\0'; id++) {
		bool open = *id >= 'a';

		opex_buf_printf(out, "%c,%s,%s,%s,%s,payments,payments\n", *id,
			created, open ? "" : solved, open ? "new" : "solved", market);
	}
}

START_TEST(kpi_server__no_store_says_so)
{
	char *body = NULL;

	ck_assert_uint_eq(get("/api/kpi", TOKEN_MARIA, &body), 404);
	ck_assert_ptr_nonnull(strstr(body, "no KPI store"));
	opex_free(body);
	ck_assert_uint_eq(get("/kpi", TOKEN_MARIA, &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "opex kpi ingest"));
	opex_free(body);
	/* the process page and /metrics still answer, without KPIs */
	ck_assert_uint_eq(get("/processes/refund.dot", TOKEN_MARIA, &body), 200);
	ck_assert_ptr_null(strstr(body, "Performance"));
	opex_free(body);
	ck_assert_uint_eq(get("/metrics", NULL, &body), 200);
	ck_assert_ptr_null(strstr(body, "opex_kpi_backlog"));
	opex_free(body);
}
END_TEST

START_TEST(kpi_server__report_pages_and_gauges)
{
	opex_buf csv = OPEX_BUF_INIT(1 << 16);
	char *body = NULL;

	tickets(&csv, "ABab", "uk");         /* 2 resolved, 2 in backlog */
	ingest("t-uk.csv", csv.ptr);
	ck_assert_uint_eq(get("/api/kpi", TOKEN_MARIA, &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "\"path\":\"processes/refund.dot\""));
	ck_assert_ptr_nonnull(strstr(body, "\"backlog\":2"));
	ck_assert_ptr_nonnull(strstr(body, "\"breaches\":1"));   /* backlog 2 > 1 */
	opex_free(body);

	/* an ingest is seen on the next request: the cache keys on the store */
	opex_buf_clear(&csv);
	tickets(&csv, "Cc", "fr");
	ingest("t-fr.csv", csv.ptr);
	ck_assert_uint_eq(get("/api/kpi", TOKEN_MARIA, &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "\"backlog\":3"));
	opex_free(body);
	ck_assert_uint_eq(get("/api/kpi?by=market", TOKEN_MARIA, &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "\"group\":{\"market\":\"fr\"}"));
	ck_assert_ptr_nonnull(strstr(body, "\"group\":{\"market\":\"uk\"}"));
	opex_free(body);
	ck_assert_uint_eq(get("/api/kpi?market=fr", TOKEN_MARIA, &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "\"cases\":2"));
	opex_free(body);

	ck_assert_uint_eq(get("/kpi?journey=payments&market=uk", TOKEN_MARIA, &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "class=\"kpi-matrix\""));
	ck_assert_ptr_nonnull(strstr(body, "class=\"kpi-tanks\""));
	ck_assert_ptr_nonnull(strstr(body, "class=\"kpi-trend\""));
	ck_assert_ptr_nonnull(strstr(body, "class=\"kpi-aging\""));
	ck_assert_ptr_nonnull(strstr(body, "Water tanks: backlog 2, active 0, resolved 2"));
	ck_assert_ptr_nonnull(strstr(body, "Breached"));
	ck_assert_ptr_null(strstr(body, "<script>"));   /* no inline script */
	opex_free(body);

	ck_assert_uint_eq(get("/processes/refund.dot", TOKEN_MARIA, &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "<h2>Performance</h2>"));
	ck_assert_ptr_nonnull(strstr(body, "class=\"kpi-steps\""));
	ck_assert_ptr_nonnull(strstr(body, "?kpi=backlog"));
	ck_assert_ptr_null(strstr(body, "opex-kpi-legend"));
	opex_free(body);
	/* the heat map: values on the steps, a legend */
	ck_assert_uint_eq(get("/processes/refund.dot?kpi=backlog", TOKEN_MARIA, &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "opex-kpi-legend"));
	ck_assert_ptr_nonnull(strstr(body, "3 in backlog"));
	opex_free(body);
	ck_assert_uint_eq(get("/processes/refund.dot.svg?kpi=volume", TOKEN_MARIA, &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "volume: cases that entered each step"));
	opex_free(body);
	/* an unknown metric draws the plain map */
	ck_assert_uint_eq(get("/processes/refund.dot?kpi=%3Cx%3E", TOKEN_MARIA, &body), 200);
	ck_assert_ptr_null(strstr(body, "opex-kpi-legend"));
	opex_free(body);
	ck_assert_uint_eq(get("/metrics", NULL, &body), 200);
	ck_assert_ptr_nonnull(strstr(body,
		"opex_kpi_backlog{process=\"processes/refund.dot\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(body,
		"opex_kpi_targets_breached{process=\"processes/refund.dot\"} 1\n"));
	opex_free(body);
	ck_assert_uint_eq(get("/health", TOKEN_MARIA, &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "kpi-target-breached"));
	ck_assert_ptr_nonnull(strstr(body, "target_backlog = 1"));
	opex_free(body);
	opex_buf_release(&csv);
}
END_TEST

START_TEST(kpi_server__members_only_and_bad_queries)
{
	opex_buf csv = OPEX_BUF_INIT(1 << 16);
	char *body = NULL;

	tickets(&csv, "Aa", "uk");
	ingest("t-uk.csv", csv.ptr);
	ck_assert_uint_eq(get("/api/kpi", TOKEN_VENDOR, NULL), 403);
	ck_assert_uint_eq(get("/kpi", TOKEN_VENDOR, NULL), 403);
	ck_assert_uint_eq(get("/api/kpi", NULL, NULL), 403);
	/* a partner sees the process page, never its performance */
	ck_assert_uint_eq(get("/processes/refund.dot?kpi=backlog", TOKEN_VENDOR, &body), 200);
	ck_assert_ptr_null(strstr(body, "opex-kpi-legend"));
	ck_assert_ptr_null(strstr(body, "Performance"));
	opex_free(body);
	ck_assert_uint_eq(get("/health", TOKEN_VENDOR, &body), 200);
	ck_assert_ptr_null(strstr(body, "kpi-target-breached"));
	opex_free(body);

	ck_assert_uint_eq(get("/api/kpi?by=colour", TOKEN_MARIA, &body), 400);
	ck_assert_ptr_nonnull(strstr(body, "colour"));
	opex_free(body);
	ck_assert_uint_eq(get("/api/kpi?market=%3Cscript%3E", TOKEN_MARIA, NULL), 400);
	ck_assert_uint_eq(get("/kpi?journey=a%22b", TOKEN_MARIA, &body), 400);
	ck_assert_ptr_null(strstr(body, "a\"b"));
	opex_free(body);
	ck_assert_uint_eq(get("/api/kpi?process=processes/nope.dot", TOKEN_MARIA,
		&body), 404);
	ck_assert_ptr_nonnull(strstr(body, "nope.dot"));
	opex_free(body);
	ck_assert_uint_eq(get("/api/kpi?process=processes/refund.dot&by=",
		TOKEN_MARIA, NULL), 200);
	opex_buf_release(&csv);
}
END_TEST

/* Requests on four threads, more distinct queries than the cache holds:
 * reports are evicted while other requests still use them. */
static void *hammer(void *arg)
{
	static const char *const targets[] = {
		"/api/kpi", "/api/kpi?by=market", "/api/kpi?by=week",
		"/api/kpi?by=team", "/api/kpi?by=market,week", "/api/kpi?market=uk",
		"/api/kpi?market=fr", "/api/kpi?by=journey", "/api/kpi?by=channel",
		"/api/kpi?by=language", "/api/kpi?by=journey,market",
		"/api/kpi?by=team,week", "/api/kpi?journey=payments",
		"/api/kpi?team=payments", "/api/kpi?by=market,team",
		"/api/kpi?by=language,week", "/api/kpi?by=channel,week",
		"/api/kpi?market=uk&by=week", "/kpi", "/metrics"
	};
	size_t i, start = (size_t)(uintptr_t)arg, bad = 0;

	for (i = 0; i < 60; i++) {
		const char *t = targets[(start + i * 7) % (sizeof(targets) / sizeof(targets[0]))];
		unsigned status = fetch(t, TOKEN_MARIA, NULL);

		bad += status != 200;
	}
	return (void *)(uintptr_t)bad;
}

START_TEST(kpi_server__cache_under_concurrent_requests)
{
	opex_buf csv = OPEX_BUF_INIT(1 << 16);
	pthread_t threads[4];
	size_t i;

	tickets(&csv, "ABCDabcd", "uk");
	ingest("t-uk.csv", csv.ptr);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&threads[i], NULL, hammer,
			(void *)(uintptr_t)i), 0);
	for (i = 0; i < 4; i++) {
		void *bad = NULL;

		ck_assert_int_eq(pthread_join(threads[i], &bad), 0);
		ck_assert_uint_eq((uintptr_t)bad, 0);
	}
	opex_buf_release(&csv);
}
END_TEST

Suite *suite_kpi(void)
{
	Suite *s = suite_create("server_kpi");
	TCase *tc = tcase_create("kpi");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, kpi_server__no_store_says_so);
	tcase_add_test(tc, kpi_server__report_pages_and_gauges);
	tcase_add_test(tc, kpi_server__members_only_and_bad_queries);
	tcase_add_test(tc, kpi_server__cache_under_concurrent_requests);
	suite_add_tcase(s, tc);
	return s;
}
