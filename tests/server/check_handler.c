/*
 * check_handler.c: opex_server_handle() without a socket: routing, the
 * JSON shapes, errors, auth and visibility, limits, security headers, odd
 * encodings and live reload (server/handler.c, api.c, auth.c, snapshot.c).
 */
#define _POSIX_C_SOURCE 200809L

#include "server/server.h"
#include "renderer/renderer.h"
#include "core/memory.h"
#include "core/sha256.h"
#include "support/repo_fixture.h"
#include "support/server_request.h"
#include "support/test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define T0 1780000000

/* Tokens of the fixture's people (their hashes go in the token file). */
#define TOKEN_MARIA "maria-token-0123456789"
#define TOKEN_JAMES "james-token-0123456789"
#define TOKEN_VENDOR "vendor-token-0123456789"

static const char roster[] =
	"people:\n"
	"  - id: maria\n    name: Maria Santos\n    email: maria@example.com\n"
	"    teams: [payments]\n"
	"  - id: james\n    name: James Okafor\n    email: james@example.com\n"
	"    teams: [quality]\n"
	"teams:\n  - id: payments\n    name: Payments\n"
	"  - id: quality\n    name: Quality\n";

static const char map[] =
	"digraph refunds {\n"
	"  title=\"Refunds\"; owner=\"maria\"; champion=\"james\"; journey=\"payments\";\n"
	"  start [kind=start, label=\"Customer asks\"];\n"
	"  check [kind=action, label=\"Check the payment\", article=\"articles/public-faq.md\"];\n"
	"  secret [kind=action, label=\"Apply the override\", article=\"articles/internal-override.md\"];\n"
	"  done [kind=end, label=\"Refunded\"];\n"
	"  start -> check -> secret -> done;\n"
	"}\n";

typedef struct fixture {
	opex_test_repo *repo;
	char *tmp;
	char auth[4096];
	opex_server *server;
	int64_t clock;
} fixture;

/* A handbook with one article of each visibility and a process map. */
void server_fixture_init(fixture *fx, bool auth, unsigned poll)
{
	opex_server_options opts = OPEX_SERVER_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	FILE *f;

	fx->repo = opex_test_repo_new(false);
	fx->tmp = opex_test_tmpdir();
	fx->clock = T0;
	snprintf(fx->auth, sizeof(fx->auth), "%s/tokens", fx->tmp);
	f = fopen(fx->auth, "w");
	ck_assert_ptr_nonnull(f);
	fputs("# test tokens\n\n", f);
	opex_test_put_token(f, TOKEN_MARIA, "maria", false);
	opex_test_put_token(f, TOKEN_JAMES, "james", false);
	opex_test_put_token(f, TOKEN_VENDOR, "vendor-agent", true);
	fclose(f);
	opex_test_repo_put(fx->repo, "people.yaml", roster);
	opex_test_repo_put(fx->repo, "articles/public-faq.md",
		"---\ntitle: Refund FAQ\nowner: maria\nlanguage: en\n"
		"visibility: public\n---\nHow refunds work. Zebracorn.\n");
	opex_test_repo_put(fx->repo, "articles/public-faq.fr.md",
		"---\ntitle: FAQ remboursement\nowner: maria\nlanguage: fr\n"
		"translation_of: articles/public-faq.md\nvisibility: public\n"
		"---\nComment marchent les remboursements.\n");
	opex_test_repo_put(fx->repo, "articles/partner-guide.md",
		"---\ntitle: Partner guide\nowner: maria\nlanguage: en\n"
		"visibility: partners\n---\nFor vendor agents.\n");
	opex_test_repo_put(fx->repo, "articles/internal-override.md",
		"---\ntitle: Override secret\nowner: maria\nlanguage: en\n"
		"visibility: internal\n---\nThe override code is Quokkaflux.\n");
	opex_test_repo_put(fx->repo, "articles/payments-only.md",
		"---\ntitle: Payments team only\nowner: maria\nlanguage: en\n"
		"teams: [payments]\n---\nBack-office notes.\n");
	opex_test_repo_put(fx->repo, "processes/refunds.dot", map);
	opex_test_repo_commit(fx->repo, "Maria Santos", "maria@example.com",
		fx->clock, "handbook", NULL);
	opts.repo = opex_test_repo_path(fx->repo);
	opts.auth_file = auth ? fx->auth : NULL;
	opts.poll_seconds = poll;
	opts.port = 0;
	opts.threads = 2;
	opts.access_log = false;
	if (opex_server_new(&fx->server, &opts, &err) < 0)
		ck_abort_msg("opex_server_new: %s", err.message);
}

void server_fixture_release(fixture *fx)
{
	opex_server_free(fx->server);
	opex_test_repo_free(fx->repo);
	opex_test_rmtree(fx->tmp);
}

void server_fixture_commit(fixture *fx, const char *path, const char *text)
{
	opex_test_repo_put(fx->repo, path, text);
	fx->clock += 60;
	opex_test_repo_commit(fx->repo, "Maria Santos", "maria@example.com",
		fx->clock, "change", NULL);
}

/* Run one request; the response must be released by the caller. */
static void request(opex_server_response *res, fixture *fx, const char *method,
	const char *target, const char *token, const char *body)
{
	(void)opex_test_server_request(res, fx->server, method, target, token,
		body);
}

static unsigned status_of(fixture *fx, const char *method, const char *target,
	const char *token)
{
	opex_server_response res;
	unsigned status;

	request(&res, fx, method, target, token, NULL);
	status = res.status;
	ck_assert_msg(status < 500, "%s %s gave %u", method, target, status);
	opex_server_response_release(&res);
	return status;
}

static const char *header(const opex_server_response *res, const char *name)
{
	size_t i;

	for (i = 0; i < res->header_count; i++)
		if (strcmp(res->header_names[i], name) == 0)
			return res->header_values[i];
	return NULL;
}

static fixture fx;

static void open_setup(void) { server_fixture_init(&fx, false, 0); }
static void auth_setup(void) { server_fixture_init(&fx, true, 0); }
static void teardown(void) { server_fixture_release(&fx); }

/* --- routing ------------------------------------------------------- */

START_TEST(server_handler__routes)
{
	static const struct { const char *method, *target; unsigned status; } cases[] = {
		{ "GET", "/", 200 },
		{ "GET", "/search?q=refund", 200 },
		{ "HEAD", "/", 200 },
		{ "GET", "/healthz", 200 },
		{ "GET", "/metrics", 200 },
		{ "GET", "/health", 200 },
		{ "GET", "/health?sort=owner", 200 },
		{ "GET", "/processes", 200 },
		{ "GET", "/processes/refunds.dot", 200 },
		{ "GET", "/processes/refunds.dot.svg", 200 },
		{ "GET", "/articles/public-faq.md", 200 },
		{ "GET", "/static/opex.js", 200 },
		{ "GET", "/static/opex.css", 200 },
		{ "GET", "/api/articles", 200 },
		{ "GET", "/api/articles/public-faq.md", 200 },
		{ "GET", "/api/articles/articles/public-faq.md", 200 },
		{ "GET", "/api/processes", 200 },
		{ "GET", "/api/processes/refunds.dot", 200 },
		{ "GET", "/api/processes/refunds", 200 },
		{ "GET", "/api/health", 200 },
		{ "GET", "/api/nothing", 404 },
		{ "GET", "/api/articles/missing.md", 404 },
		{ "GET", "/api/processes/missing.dot", 404 },
		{ "GET", "/articles/missing.md", 404 },
		{ "GET", "/static/missing.js", 404 },
		{ "GET", "/nothing", 404 },
		{ "POST", "/api/articles", 405 },
		{ "DELETE", "/api/articles", 405 },
		{ "PUT", "/", 405 },
		{ "BREW", "/", 405 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(status_of(&fx, cases[i].method, cases[i].target,
			NULL) == cases[i].status, "%s %s: expected %u",
			cases[i].method, cases[i].target, cases[i].status);
}
END_TEST

/* --- JSON shapes and errors ---------------------------------------- */

START_TEST(server_handler__json_shapes)
{
	opex_server_response res;

	request(&res, &fx, "GET", "/api/articles/public-faq.md", NULL, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_str_eq(res.content_type, "application/json");
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"path\":\"articles/public-faq.md\""));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"html\":"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"history\":{"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"last_change\":{\"commit\":"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"translations\":[{\"path\":\"articles/public-faq.fr.md\""));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"outdated\":"));
	opex_server_response_release(&res);

	request(&res, &fx, "GET", "/api/processes/refunds.dot", NULL, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"title\":\"Refunds\""));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"nodes\":[{\"id\":"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"edges\":[{\"from\":"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"lint\":["));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"articles\":[{\"step\":\"check\""));
	opex_server_response_release(&res);

	request(&res, &fx, "GET", "/api/health", NULL, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"lint\":{\"errors\":"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"problems\":["));
	opex_server_response_release(&res);

	request(&res, &fx, "GET", "/metrics", NULL, NULL);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "opex_http_requests_total{route=\"api_health\",status=\"200\"} 1"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "opex_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "opex_articles 5"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "opex_index_revision_info{revision=\""));
	opex_server_response_release(&res);
}
END_TEST

START_TEST(server_handler__errors_are_json)
{
	opex_server_response res;

	request(&res, &fx, "GET", "/api/articles/missing.md", NULL, NULL);
	ck_assert_uint_eq(res.status, 404);
	ck_assert_str_eq(res.content_type, "application/json");
	ck_assert_str_eq(res.body.ptr,
		"{\"error\":\"not found\",\"detail\":\"no article 'missing.md'\"}\n");
	opex_server_response_release(&res);

	request(&res, &fx, "GET", "/articles/missing.md", NULL, NULL);
	ck_assert_uint_eq(res.status, 404);
	ck_assert_str_eq(res.content_type, "text/html; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "no article &#39;missing.md&#39;"));
	opex_server_response_release(&res);
}
END_TEST

/* --- path hygiene ---------------------------------------------------- */

START_TEST(server_handler__odd_paths)
{
	static const char *const bad[] = {
		"/articles/%2e%2e/people.yaml",
		"/articles/%2E%2E/%2e%2e/etc/passwd",
		"/api/articles/..%2fpeople.yaml",
		"/api/articles/%2e%2e%2fpeople.yaml",
		"/api/articles/./public-faq.md",
		"/api/articles/../people.yaml",
		"/api/articles//public-faq.md",
		"/api/articles/%00",
		"/api/articles/a%00b.md",
		"/api/articles/%c0%ae%c0%ae/x",
		"/api/articles/%c0%af",
		"/api/articles/%e0%80%af",
		"/api/articles/%ff",
		"/api/articles/%zz",
		"/api/articles/%4",
		"/api/articles/%",
		"/api/articles/a%5cb",
		"/api/articles/a\\b",
		"/api/articles/%0d%0aSet-Cookie:x",
		"/api/search%00",
		"/search?q=%00",
		"/search?q=%c0%ae",
		"/search?q=%zz",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(status_of(&fx, "GET", bad[i], NULL) == 400,
			"'%s' should be refused", bad[i]);
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/articles/public%2dfaq.md", NULL), 200);
	ck_assert_uint_eq(status_of(&fx, "GET", "/search?q=caf%C3%A9+cr%C3%A8me", NULL), 200);
}
END_TEST

START_TEST(server_handler__limits)
{
	opex_server_response res;
	opex_server_request req;
	opex_server_header h[1];
	char *big = opex_malloc(200 * 1024);

	memset(big, 'a', 200 * 1024 - 1);
	big[200 * 1024 - 1] = '\0';
	request(&res, &fx, "POST", "/api/articles", NULL, big);
	ck_assert_uint_eq(res.status, 413);
	opex_server_response_release(&res);

	big[0] = '/';
	big[20000] = '\0';
	request(&res, &fx, "GET", big, NULL, NULL);
	ck_assert_uint_eq(res.status, 414);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"error\":\"uri too long\"") ?
		res.body.ptr : strstr(res.body.ptr, "414"));
	opex_server_response_release(&res);

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = "/healthz";
	req.path_len = 8;
	memset(big, 'b', 100000);
	big[100000] = '\0';
	h[0].name = "X-Big";
	h[0].value = big;
	req.headers = h;
	req.header_count = 1;
	opex_server_response_init(&res);
	opex_server_handle(&res, fx.server, &req);
	ck_assert_uint_eq(res.status, 431);
	opex_server_response_release(&res);
	opex_free(big);
}
END_TEST

START_TEST(server_handler__security_headers)
{
	static const char *const targets[] = {
		"/", "/api/articles", "/nothing", "/api/articles/%00",
		"/processes/refunds.dot.svg", "/static/opex.js",
	};
	size_t i;

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		opex_server_response res;
		const char *csp;

		request(&res, &fx, "GET", targets[i], NULL, NULL);
		csp = header(&res, "Content-Security-Policy");
		ck_assert_ptr_nonnull(csp);
		ck_assert_ptr_nonnull(strstr(csp, "frame-ancestors 'none'"));
		ck_assert_ptr_nonnull(strstr(csp, "script-src 'self'"));
		ck_assert_ptr_null(strstr(csp, "unsafe-inline"));
		ck_assert_str_eq(header(&res, "X-Content-Type-Options"), "nosniff");
		opex_server_response_release(&res);
	}
}
END_TEST

START_TEST(server_handler__pages_escape_and_have_no_inline_script)
{
	opex_server_response res;

	request(&res, &fx, "GET", "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22", NULL, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_ptr_null(strstr(res.body.ptr, "<script>alert"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "<script src=\"/static/opex.js\" defer></script>"));
	ck_assert_ptr_null(strstr(res.body.ptr, "<script>"));
	ck_assert_ptr_null(strstr(res.body.ptr, "style=\""));
	opex_server_response_release(&res);

	request(&res, &fx, "GET", "/processes/refunds.dot", NULL, NULL);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "<svg"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "/articles/public-faq.md"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "Maria Santos"));
	opex_server_response_release(&res);
}
END_TEST

/* --- auth and visibility -------------------------------------------- */

START_TEST(server_handler__auth)
{
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/articles", "wrong-token"), 401);
	ck_assert_uint_eq(status_of(&fx, "GET", "/", "wrong-token"), 401);
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/articles", TOKEN_MARIA), 200);
	/* anonymous: public articles only */
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/articles/public-faq.md", NULL), 200);
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/articles/partner-guide.md", NULL), 404);
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/articles/internal-override.md", NULL), 404);
}
END_TEST

static void assert_hidden(const char *token, const char *path, const char *word)
{
	static const char *const lists[] = {
		"/api/articles", "/api/health", "/health", "/", "/search?q=x",
		"/api/search?q=override", "/api/search?q=Quokkaflux",
		"/api/processes/refunds.dot", "/processes/refunds.dot",
		"/processes/refunds.dot.svg",
	};
	opex_server_response res;
	char target[512];
	size_t i;

	snprintf(target, sizeof(target), "/api/articles/%s", path);
	ck_assert_uint_eq(status_of(&fx, "GET", target, token), 404);
	snprintf(target, sizeof(target), "/articles/%s", path);
	ck_assert_uint_eq(status_of(&fx, "GET", target, token), 404);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		request(&res, &fx, "GET", lists[i], token, NULL);
		ck_assert_uint_eq(res.status, 200);
		ck_assert_msg(strstr(res.body.ptr, path) == NULL &&
			strstr(res.body.ptr, word) == NULL,
			"%s leaks '%s'", lists[i], path);
		opex_server_response_release(&res);
	}
}

START_TEST(server_handler__partner_never_sees_internal)
{
	opex_server_response res, res2;

	assert_hidden(TOKEN_VENDOR, "internal-override.md", "Override secret");
	assert_hidden(TOKEN_VENDOR, "payments-only.md", "Payments team only");
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/articles/partner-guide.md", TOKEN_VENDOR), 200);
	/* an internal person sees it, and the health counts differ */
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/articles/internal-override.md", TOKEN_MARIA), 200);
	request(&res, &fx, "GET", "/api/health", TOKEN_VENDOR, NULL);
	request(&res2, &fx, "GET", "/api/health", TOKEN_MARIA, NULL);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"articles\":3"));
	ck_assert_ptr_nonnull(strstr(res2.body.ptr, "\"articles\":5"));
	opex_server_response_release(&res);
	opex_server_response_release(&res2);
}
END_TEST

START_TEST(server_handler__teams_restrict)
{
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/articles/payments-only.md", TOKEN_MARIA), 200);
	assert_hidden(TOKEN_JAMES, "payments-only.md", "Payments team only");
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/articles/internal-override.md", TOKEN_JAMES), 200);
}
END_TEST

/* --- live reload ------------------------------------------------------ */

START_TEST(server_handler__reload_after_commit)
{
	opex_error err = OPEX_ERROR_INIT;
	char before[41], after[41];
	bool changed = true;

	opex_server_revision(before, fx.server);
	ck_assert_int_eq(opex_server_reload(fx.server, &changed, &err), 0);
	ck_assert(!changed);
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/articles/new-one.md", NULL), 404);
	server_fixture_commit(&fx, "articles/new-one.md",
		"---\ntitle: New one\nowner: maria\n---\nFresh.\n");
	ck_assert_int_eq(opex_server_reload(fx.server, &changed, &err), 0);
	ck_assert(changed);
	opex_server_revision(after, fx.server);
	ck_assert_str_ne(before, after);
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/articles/new-one.md", NULL), 200);
}
END_TEST

START_TEST(server_handler__search)
{
	opex_server_response res;

	request(&res, &fx, "GET", "/api/search?q=zebracorn", NULL, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"total\":1"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"took\":"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"path\":\"articles/public-faq.md\""));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "<mark>Zebracorn</mark>"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"suggestions\":[]"));
	opex_server_response_release(&res);

	request(&res, &fx, "GET", "/search?q=zebracorn", NULL, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "<mark>Zebracorn</mark>"));
	opex_server_response_release(&res);

	request(&res, &fx, "GET", "/api/search?q=nothingmatchesthis", NULL, NULL);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"total\":0"));
	opex_server_response_release(&res);
	request(&res, &fx, "GET", "/api/health", NULL, NULL);
	ck_assert_ptr_nonnull(strstr(res.body.ptr,
		"\"zero_result_searches\":[{\"query\":\"nothingmatchesthis\",\"count\":1}]"));
	opex_server_response_release(&res);

	ck_assert_uint_eq(status_of(&fx, "GET", "/api/search", NULL), 400);
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/search?q=", NULL), 400);
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/search?q=a&limit=0", NULL), 400);
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/search?q=a&limit=x", NULL), 400);
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/search?q=a&limit=99999999999999999999", NULL), 400);
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/search?q=a&lang=e%22n", NULL), 400);
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/search?q=%22unclosed", NULL), 200);
	ck_assert_uint_eq(status_of(&fx, "GET", "/api/search?q=-", NULL), 400);
}
END_TEST

static size_t occurrences(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

/*
 * A handbook bigger than the pages show: the home page lists the 50 most
 * recently changed articles and says how many more; /health shows 200
 * rows, sorted before the cut, with totals as exact as /api/health's.
 */
START_TEST(server_handler__pages_are_bounded)
{
	static const char *const kinds[] = {
		"stale", "outdated", "step-without-article", "orphan-article",
	};
	opex_server_response res, api;
	opex_error err = OPEX_ERROR_INIT;
	bool changed = false;
	char path[64], text[128], line[96];
	const char *at;
	size_t i, articles = 0, problems = 0, n;

	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "articles/bulk/%03zu.md", i);
		snprintf(text, sizeof(text),
			"---\ntitle: Bulk %03zu\nowner: maria\n---\nBody.\n", i);
		opex_test_repo_put(fx.repo, path, text);
	}
	server_fixture_commit(&fx, "articles/bulk/299.md",
		"---\ntitle: Bulk 299\nowner: maria\n---\nBody.\n");
	ck_assert_int_eq(opex_server_reload(fx.server, &changed, &err), 0);
	ck_assert(changed);

	request(&api, &fx, "GET", "/api/health", NULL, NULL);
	ck_assert_uint_eq(api.status, 200);
	at = strstr(api.body.ptr, "\"articles\":");
	ck_assert_ptr_nonnull(at);
	ck_assert_int_eq(sscanf(at, "\"articles\":%zu", &articles), 1);
	ck_assert_uint_ge(articles, 300);
	problems = occurrences(api.body.ptr, "{\"kind\":");
	ck_assert_uint_gt(problems, OPEX_RENDER_HEALTH_ROWS);

	request(&res, &fx, "GET", "/", NULL, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_uint_lt(res.body.len, 64 * 1024);
	ck_assert_uint_eq(occurrences(res.body.ptr, "<li><a"),
		OPEX_RENDER_HOME_ARTICLES);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "Recently changed"));
	snprintf(line, sizeof(line), "and %zu more: ",
		articles - OPEX_RENDER_HOME_ARTICLES);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, line));
	/* the older articles of the first commit make way for the bulk */
	ck_assert_ptr_null(strstr(res.body.ptr, "articles/public-faq.md"));
	opex_server_response_release(&res);

	request(&res, &fx, "GET", "/search?q=", NULL, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, line));
	opex_server_response_release(&res);

	request(&res, &fx, "GET", "/health?sort=path", NULL, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_uint_lt(res.body.len, 256 * 1024);
	ck_assert_uint_eq(occurrences(res.body.ptr, "<tr><td><span class=\"badge\">"),
		OPEX_RENDER_HEALTH_ROWS);
	snprintf(line, sizeof(line), "and %zu more problems",
		problems - OPEX_RENDER_HEALTH_ROWS);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, line));
	snprintf(line, sizeof(line), "<span>%zu articles</span>", articles);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, line));
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(line, sizeof(line), "{\"kind\":\"%s\"", kinds[i]);
		n = occurrences(api.body.ptr, line);
		snprintf(line, sizeof(line), "<span>%zu %s</span>", n, kinds[i]);
		ck_assert_msg(n == 0 || strstr(res.body.ptr, line) != NULL,
			"/health lacks '%s'", line);
	}
	/* sorted by path, then cut: the first bulk articles are in, the last out */
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "articles/bulk/000.md"));
	ck_assert_ptr_null(strstr(res.body.ptr, "articles/bulk/299.md"));
	opex_server_response_release(&res);
	opex_server_response_release(&api);
}
END_TEST

START_TEST(server_handler__tokens_file)
{
	char token[65], file[4200];
	opex_error err = OPEX_ERROR_INIT;
	char *text;
	char hash[OPEX_SHA256_HEX_SIZE];

	snprintf(file, sizeof(file), "%s/new-tokens", fx.tmp);
	ck_assert_int_eq(opex_server_token_new(token, file, "maria", false, &err), 0);
	ck_assert_uint_eq(strlen(token), 64);
	text = opex_test_read_file(file, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_null(strstr(text, token));
	opex_sha256_hex(hash, token, 64);
	ck_assert_ptr_nonnull(strstr(text, hash));
	opex_free(text);
	ck_assert_int_eq(opex_server_token_new(token, file, "bad id!", false, &err),
		OPEX_EINVALID);
}
END_TEST

Suite *suite_handler(void)
{
	Suite *s = suite_create("server_handler");
	TCase *open = tcase_create("open");
	TCase *auth = tcase_create("auth");

	tcase_add_checked_fixture(open, open_setup, teardown);
	tcase_add_test(open, server_handler__routes);
	tcase_add_test(open, server_handler__json_shapes);
	tcase_add_test(open, server_handler__errors_are_json);
	tcase_add_test(open, server_handler__odd_paths);
	tcase_add_test(open, server_handler__limits);
	tcase_add_test(open, server_handler__security_headers);
	tcase_add_test(open, server_handler__pages_escape_and_have_no_inline_script);
	tcase_add_test(open, server_handler__reload_after_commit);
	tcase_add_test(open, server_handler__tokens_file);
	tcase_add_test(open, server_handler__search);
	tcase_add_test(open, server_handler__pages_are_bounded);
	suite_add_tcase(s, open);
	tcase_add_checked_fixture(auth, auth_setup, teardown);
	tcase_add_test(auth, server_handler__auth);
	tcase_add_test(auth, server_handler__partner_never_sees_internal);
	tcase_add_test(auth, server_handler__teams_restrict);
	suite_add_tcase(s, auth);
	return s;
}
