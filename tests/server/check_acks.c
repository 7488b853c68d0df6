/*
 * check_acks.c: required reading over HTTP (server/acks.c): the list, the
 * board, acknowledging through the API and the form (auth, audience,
 * CSRF, already, expired, unknown), the banner, the Atom feed and the
 * gauges.
 */
#define _POSIX_C_SOURCE 200809L

#include "server/server.h"
#include "core/buf.h"
#include "core/memory.h"
#include "kb/kb.h"
#include "support/repo_fixture.h"
#include "support/server_request.h"
#include "support/test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define T0 1780000000

#define TOKEN_ANA "acks-ana-token-0123456789"
#define TOKEN_BEN "acks-ben-token-0123456789"
#define TOKEN_CLEO "acks-cleo-token-0123456789"

#define ITEM "announcements/outage.md"
#define API_ITEM "/api/acks/announcements/outage.md"

static const char roster[] =
	"people:\n"
	"  - id: ana\n    name: Ana Lima\n    email: ana@example.com\n"
	"    teams: [front-end]\n"
	"  - id: ben\n    name: Ben Cole\n    email: ben@example.com\n"
	"    teams: [front-end]\n"
	"  - id: cleo\n    name: Cleo Park\n    email: cleo@example.com\n"
	"    teams: [back-office]\n"
	"teams:\n  - id: front-end\n    name: Front end\n"
	"  - id: back-office\n    name: Back office\n";

static const char outage[] =
	"---\ntitle: \"Outage <b>cards</b> & more\"\nowner: ana\nlanguage: en\n"
	"audience: [front-end]\nseverity: incident\nrequires_ack: true\n"
	"ack_within: 2d\nexpires: 2099-12-31\n---\nCard payments were declined.\n";

static const char old_notice[] =
	"---\ntitle: Old notice\nowner: ana\nlanguage: en\n"
	"audience: [front-end]\nseverity: info\nrequires_ack: true\n"
	"expires: 2020-01-01\n---\nLong gone.\n";

typedef struct fixture {
	opex_test_repo *repo;
	char *tmp;
	char auth[4096];
	opex_server *server;
} fixture;

static fixture fx;

static void setup(void)
{
	opex_server_options opts = OPEX_SERVER_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	FILE *f;

	fx.repo = opex_test_repo_new(false);
	fx.tmp = opex_test_tmpdir();
	snprintf(fx.auth, sizeof(fx.auth), "%s/tokens", fx.tmp);
	f = fopen(fx.auth, "w");
	ck_assert_ptr_nonnull(f);
	opex_test_put_token(f, TOKEN_ANA, "ana", false);
	opex_test_put_token(f, TOKEN_BEN, "ben", false);
	opex_test_put_token(f, TOKEN_CLEO, "cleo", false);
	fclose(f);
	opex_test_repo_put(fx.repo, "people.yaml", roster);
	opex_test_repo_put(fx.repo, ITEM, outage);
	opex_test_repo_put(fx.repo, "announcements/old.md", old_notice);
	opex_test_repo_commit(fx.repo, "Handbook Editor", "editor@example.com",
		T0, "handbook", NULL);
	opts.repo = opex_test_repo_path(fx.repo);
	opts.auth_file = fx.auth;
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
	memset(&fx, 0, sizeof(fx));
}

static unsigned post(const char *target, const char *token, const char *body)
{
	opex_server_response res;
	unsigned status;

	status = opex_test_server_request(&res, fx.server, "POST", target, token,
		body);
	opex_server_response_release(&res);
	return status;
}

static char *get_ok(const char *target, const char *token)
{
	char *body = NULL;
	unsigned status = opex_test_server_get(fx.server, target, token, &body);

	ck_assert_msg(status == 200, "GET %s gave %u: %s", target, status,
		body ? body : "");
	return body;
}

START_TEST(server_acks__acknowledge_statuses)
{
	ck_assert_uint_eq(post(API_ITEM, NULL, NULL), 401);
	ck_assert_uint_eq(post(API_ITEM, TOKEN_CLEO, NULL), 403);
	ck_assert_uint_eq(post("/api/acks/announcements/none.md", TOKEN_ANA, NULL), 404);
	ck_assert_uint_eq(post("/api/acks/announcements/old.md", TOKEN_ANA, NULL), 410);
	ck_assert_uint_eq(post(API_ITEM, TOKEN_ANA, NULL), 201);
	ck_assert_uint_eq(post(API_ITEM, TOKEN_ANA, NULL), 409);
}
END_TEST

START_TEST(server_acks__form_needs_csrf)
{
	ck_assert_uint_eq(post("/acks/" ITEM, TOKEN_BEN, NULL), 403);
	ck_assert_uint_eq(post("/acks/" ITEM, TOKEN_BEN, "csrf=nope"), 403);
}
END_TEST

START_TEST(server_acks__read_must_be_the_item)
{
	opex_server_response res;

	opex_test_server_request(&res, fx.server, "POST", API_ITEM, TOKEN_ANA,
		"read=announcements%2Fold.md");
	ck_assert_uint_eq(res.status, 400);
	opex_server_response_release(&res);
}
END_TEST

START_TEST(server_acks__banner_and_board)
{
	char *body = get_ok("/", TOKEN_ANA);

	ck_assert_ptr_nonnull(strstr(body, "acks-banner"));
	ck_assert_ptr_nonnull(strstr(body, "1 item to read"));
	free(body);
	body = get_ok("/acks/" ITEM, TOKEN_ANA);
	ck_assert_ptr_nonnull(strstr(body, "Outage &lt;b&gt;cards&lt;/b&gt; &amp; more"));
	ck_assert_ptr_null(strstr(body, "<b>cards"));
	ck_assert_ptr_nonnull(strstr(body, "Acknowledge</button>"));
	ck_assert_ptr_nonnull(strstr(body, "name=\"csrf\""));
	ck_assert_ptr_nonnull(strstr(body, "0 of 2 readers current"));
	free(body);
	ck_assert_uint_eq(post(API_ITEM, TOKEN_ANA, NULL), 201);
	body = get_ok("/acks/" ITEM, TOKEN_ANA);
	ck_assert_ptr_nonnull(strstr(body, "1 of 2 readers current"));
	ck_assert_ptr_null(strstr(body, "acks-banner"));
	free(body);
	body = get_ok("/acks", TOKEN_BEN);
	ck_assert_ptr_nonnull(strstr(body, "acks-banner"));
	ck_assert_ptr_nonnull(strstr(body, "Old notice"));
	free(body);
}
END_TEST

START_TEST(server_acks__json)
{
	char *body = get_ok("/api/acks", TOKEN_ANA);

	ck_assert_ptr_nonnull(strstr(body, "\"path\":\"" ITEM "\""));
	ck_assert_ptr_nonnull(strstr(body, "\"mine\":\"missing\""));
	free(body);
	ck_assert_uint_eq(post(API_ITEM, TOKEN_ANA, NULL), 201);
	body = get_ok(API_ITEM, TOKEN_ANA);
	ck_assert_ptr_nonnull(strstr(body, "\"team\":\"front-end\""));
	ck_assert_ptr_nonnull(strstr(body, "\"person\":\"ana\",\"state\":\"current\""));
	free(body);
	ck_assert_uint_eq(opex_test_server_get(fx.server,
		"/api/acks/announcements/none.md", TOKEN_ANA, NULL), 404);
}
END_TEST

START_TEST(server_acks__feed)
{
	char *body = get_ok("/acks/feed/front-end", NULL);

	ck_assert_ptr_nonnull(strstr(body, "<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
	ck_assert_ptr_nonnull(strstr(body, "<title>Outage &lt;b&gt;cards&lt;/b&gt; &amp; more</title>"));
	ck_assert_ptr_nonnull(strstr(body, "<summary>incident, acknowledge by"));
	free(body);
	body = get_ok("/acks/feed/back-office", NULL);
	ck_assert_ptr_null(strstr(body, "<entry>"));
	free(body);
	ck_assert_uint_eq(opex_test_server_get(fx.server, "/acks/feed/nobody",
		NULL, NULL), 404);
}
END_TEST

START_TEST(server_acks__metrics)
{
	char *body = get_ok("/metrics", NULL);

	ck_assert_ptr_nonnull(strstr(body, "opex_acks_unacknowledged{item=\"" ITEM "\"} 2\n"));
	free(body);
	ck_assert_uint_eq(post(API_ITEM, TOKEN_BEN, NULL), 201);
	body = get_ok("/metrics", NULL);
	ck_assert_ptr_nonnull(strstr(body, "opex_acks_unacknowledged{item=\"" ITEM "\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(body, "opex_acks_overdue 1\n"));
	free(body);
}
END_TEST

START_TEST(server_acks__health_lists_overdue)
{
	char *body = get_ok("/health", TOKEN_ANA);

	ck_assert_ptr_nonnull(strstr(body, "ack-overdue"));
	ck_assert_ptr_nonnull(strstr(body, "ben"));
	free(body);
}
END_TEST

START_TEST(server_acks__stale_after_edit_shows_the_diff)
{
	opex_error err = OPEX_ERROR_INIT;
	bool changed = false;
	char *body;

	ck_assert_uint_eq(post(API_ITEM, TOKEN_ANA, NULL), 201);
	opex_test_repo_put(fx.repo, ITEM,
		"---\ntitle: \"Outage <b>cards</b> & more\"\nowner: ana\nlanguage: en\n"
		"audience: [front-end]\nseverity: incident\nrequires_ack: true\n"
		"ack_within: 2d\nexpires: 2099-12-31\n---\nCard payments were refused again.\n");
	opex_test_repo_commit(fx.repo, "Handbook Editor", "editor@example.com",
		T0 + 100, "edit", NULL);
	ck_assert_int_eq(opex_server_reload(fx.server, &changed, &err), 0);
	ck_assert(changed);
	body = get_ok("/acks/" ITEM, TOKEN_ANA);
	ck_assert_ptr_nonnull(strstr(body, "What changed since you read it"));
	ck_assert_ptr_nonnull(strstr(body, "<ins>"));
	ck_assert_ptr_nonnull(strstr(body, "<del>"));
	ck_assert_ptr_nonnull(strstr(body, "Acknowledge</button>"));
	ck_assert_ptr_nonnull(strstr(body, "acks-banner"));
	free(body);
	ck_assert_uint_eq(post(API_ITEM, TOKEN_ANA, NULL), 201);
}
END_TEST

/* A record written to the ref by hand, as `payload` says. */
static int raw_record(opex_buf *out, const char *parent, void *payload)
{
	(void)parent;
	opex_buf_puts(out, payload);
	return 0;
}

static char forged[] = "opex-ack 1\npath announcements/outage.md\nperson ana\n";

START_TEST(server_acks__forged_receipt_not_counted)
{
	opex_kb_record_author mallory = { "Mallory", "mallory@evil.example", T0 + 300 };
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_repo *repo = NULL;
	char *body;

	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(fx.repo),
		NULL, &err), 0);
	ck_assert_int_eq(opex_kb_records_append(NULL, repo, "refs/opex/acks",
		raw_record, forged,
		"forged", &mallory, &err), 0);
	opex_kb_repo_free(repo);
	body = get_ok(API_ITEM, TOKEN_ANA);
	ck_assert_ptr_nonnull(strstr(body, "\"current\":0"));
	ck_assert_ptr_null(strstr(body, "\"problems\":0"));
	free(body);
}
END_TEST

Suite *suite_acks(void)
{
	Suite *s = suite_create("server_acks");
	TCase *tc = tcase_create("acks");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, server_acks__acknowledge_statuses);
	tcase_add_test(tc, server_acks__form_needs_csrf);
	tcase_add_test(tc, server_acks__read_must_be_the_item);
	tcase_add_test(tc, server_acks__banner_and_board);
	tcase_add_test(tc, server_acks__json);
	tcase_add_test(tc, server_acks__feed);
	tcase_add_test(tc, server_acks__metrics);
	tcase_add_test(tc, server_acks__health_lists_overdue);
	tcase_add_test(tc, server_acks__stale_after_edit_shows_the_diff);
	tcase_add_test(tc, server_acks__forged_receipt_not_counted);
	suite_add_tcase(s, tc);
	return s;
}
