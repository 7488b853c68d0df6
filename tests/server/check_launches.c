/*
 * check_launches.c: launch boards over HTTP (server/launches.c): the
 * status JSON, approving and revoking through the API and the web form
 * (auth, approvers, separation of duties, CSRF), unknown launches and
 * gates, hostile paths, and a real socket on 127.0.0.1.
 */
#define _POSIX_C_SOURCE 200809L

#include "server/server.h"
#include "core/buf.h"
#include "core/memory.h"
#include "core/sha256.h"
#include "support/http_client.h"
#include "support/repo_fixture.h"
#include "support/server_request.h"
#include "support/test_util.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/banned.h"

#define T0 1780000000

#define TOKEN_MARIA "launch-maria-token-0123456789"
#define TOKEN_AHMAD "launch-ahmad-token-0123456789"
#define TOKEN_JAMES "launch-james-token-0123456789"
#define TOKEN_VENDOR "launch-vendor-token-0123456789"

#define STATUS_URL "/api/launches/card-launch.md"
#define APPROVE_URL "/api/launches/card-launch.md/gates/review/approve"
#define REVOKE_URL "/api/launches/card-launch.md/gates/review/revoke"
#define FORM_URL "/launches/card-launch.md/gates/review/approve"

static const char roster[] =
	"people:\n"
	"  - id: maria\n    name: Maria Santos\n    email: maria@example.com\n"
	"    teams: [ops-leads]\n"
	"  - id: ahmad\n    name: Ahmad Rahimi\n    email: ahmad@example.com\n"
	"    teams: [ops-leads]\n"
	"  - id: james\n    name: James Okafor\n    email: james@example.com\n"
	"    teams: [quality]\n"
	"teams:\n  - id: ops-leads\n    name: Ops leads\n"
	"  - id: quality\n    name: Quality\n";

/* Owned by james; the title carries markup that must come out escaped. */
static const char launch[] =
	"---\n"
	"title: Card launch <script>alert(1)</script>\n"
	"date: 2027-01-18\n"
	"owner: james\n"
	"markets: [fr]\n"
	"languages: [en]\n"
	"articles: [articles/faq.md]\n"
	"gates:\n"
	"  - id: review\n"
	"    title: Design review\n"
	"    approvers: [ops-leads]\n"
	"    quorum: 1\n"
	"    checks: [owners-known]\n"
	"  - id: final\n"
	"    title: Go-live\n"
	"    approvers: [james, ahmad]\n"
	"    quorum: 1\n"
	"    checks: [previous-gates, checklist-done]\n"
	"---\n"
	"# Card launch\n\n"
	"- [x] Scheme codes mapped {gate: review}\n"
	"- [ ] Agents briefed {gate: final}\n";

typedef struct fixture {
	opex_test_repo *repo;
	char *tmp;
	char auth[4096];
	opex_server *server;
} fixture;

static fixture fx;

static void launches_init(bool auth, const char *trust_header)
{
	opex_server_options opts = OPEX_SERVER_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	FILE *f;

	fx.repo = opex_test_repo_new(false);
	fx.tmp = opex_test_tmpdir();
	snprintf(fx.auth, sizeof(fx.auth), "%s/tokens", fx.tmp);
	f = fopen(fx.auth, "w");
	ck_assert_ptr_nonnull(f);
	opex_test_put_token(f, TOKEN_MARIA, "maria", false);
	opex_test_put_token(f, TOKEN_AHMAD, "ahmad", false);
	opex_test_put_token(f, TOKEN_JAMES, "james", false);
	opex_test_put_token(f, TOKEN_VENDOR, "vendor-agent", true);
	fclose(f);
	opex_test_repo_put(fx.repo, "people.yaml", roster);
	opex_test_repo_put(fx.repo, "articles/faq.md",
		"---\ntitle: FAQ\nowner: maria\nlanguage: en\n---\nCards.\n");
	opex_test_repo_put(fx.repo, "launches/card-launch.md", launch);
	/* Written by someone outside the roster: nobody is excluded for it. */
	opex_test_repo_commit(fx.repo, "Handbook Editor", "editor@example.com",
		T0, "handbook", NULL);
	opts.repo = opex_test_repo_path(fx.repo);
	opts.auth_file = auth ? fx.auth : NULL;
	opts.trust_header = trust_header;
	opts.poll_seconds = 0;
	opts.port = 0;
	opts.threads = 2;
	opts.access_log = false;
	if (opex_server_new(&fx.server, &opts, &err) < 0)
		ck_abort_msg("opex_server_new: %s", err.message);
}

static void auth_setup(void) { launches_init(true, NULL); }
static void open_setup(void) { launches_init(false, NULL); }
static void proxy_setup(void) { launches_init(false, "X-Remote-User"); }

static void teardown(void)
{
	opex_server_free(fx.server);
	opex_test_repo_free(fx.repo);
	opex_test_rmtree(fx.tmp);
	memset(&fx, 0, sizeof(fx));
}

/* One request with an optional token and extra "Name: value" header. */
static void request_h(opex_server_response *res, const char *method,
	const char *target, const char *token, const char *body,
	const char *hname, const char *hvalue)
{
	opex_server_request req;
	opex_server_header headers[3];
	char auth[256];
	const char *q = strchr(target, '?');
	size_t n = 0;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = target;
	req.path_len = q ? (size_t)(q - target) : strlen(target);
	req.query = q ? q + 1 : NULL;
	req.query_len = q ? strlen(q + 1) : 0;
	if (token) {
		snprintf(auth, sizeof(auth), "Bearer %s", token);
		headers[n].name = "Authorization";
		headers[n++].value = auth;
	}
	if (hname) {
		headers[n].name = hname;
		headers[n++].value = hvalue;
	}
	req.headers = headers;
	req.header_count = n;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	opex_server_response_init(res);
	opex_server_handle(res, fx.server, &req);
}

static void request(opex_server_response *res, const char *method,
	const char *target, const char *token, const char *body)
{
	request_h(res, method, target, token, body, NULL, NULL);
}

static unsigned status_of(const char *method, const char *target,
	const char *token)
{
	opex_server_response res;
	unsigned status;

	request(&res, method, target, token, NULL);
	status = res.status;
	ck_assert_msg(status < 500, "%s %s gave %u: %s", method, target, status,
		res.body.ptr);
	opex_server_response_release(&res);
	return status;
}

/* The JSON status of the first gate (the whole body, for strstr). */
static char *launch_status(const char *token)
{
	opex_server_response res;
	char *out;

	request(&res, "GET", STATUS_URL, token, NULL);
	ck_assert_uint_eq(res.status, 200);
	out = opex_strdup(res.body.ptr);
	opex_server_response_release(&res);
	return out;
}

/* The CSRF token in the board page as `token`'s person sees it, or "". */
static void board_csrf(char out[65], const char *token)
{
	opex_server_response res;
	const char *p;

	out[0] = '\0';
	request(&res, "GET", "/launches/card-launch.md", token, NULL);
	ck_assert_uint_eq(res.status, 200);
	p = strstr(res.body.ptr, "name=\"csrf\" value=\"");
	if (p != NULL) {
		memcpy(out, p + 19, 64);
		out[64] = '\0';
	}
	opex_server_response_release(&res);
}

/* --- the status ----------------------------------------------------- */

START_TEST(server_launches__status_json_shape)
{
	opex_server_response res;
	char *body;

	request(&res, "GET", "/api/launches", TOKEN_MARIA, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_str_eq(res.content_type, "application/json");
	ck_assert_ptr_nonnull(strstr(res.body.ptr,
		"\"path\":\"launches/card-launch.md\""));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"current\":\"review\""));
	opex_server_response_release(&res);

	body = launch_status(TOKEN_MARIA);
	ck_assert_ptr_nonnull(strstr(body, "\"launch\":\"launches/card-launch.md\""));
	ck_assert_ptr_nonnull(strstr(body, "\"gates\":[{\"id\":\"review\""));
	ck_assert_ptr_nonnull(strstr(body, "\"checks\":[{\"name\":\"owners-known\",\"state\":\"pass\""));
	ck_assert_ptr_nonnull(strstr(body, "\"text\":\"Scheme codes mapped\""));
	ck_assert_ptr_nonnull(strstr(body, "\"done\":true"));
	ck_assert_ptr_nonnull(strstr(body, "\"approvals\":[]"));
	ck_assert_ptr_nonnull(strstr(body, "\"name\":\"previous-gates\",\"state\":\"fail\""));
	ck_assert_ptr_nonnull(strstr(body, "\"viewer\":{\"person\":\"maria\",\"approver_of\":[\"review\"]}"));
	ck_assert_ptr_nonnull(strstr(body, "\"approvals_tip\":null"));
	opex_free(body);
	/* "launches/x.md" is accepted too. */
	ck_assert_uint_eq(status_of("GET", "/api/launches/launches/card-launch.md",
		TOKEN_MARIA), 200);
}
END_TEST

START_TEST(server_launches__hidden_from_partners_and_anonymous)
{
	opex_server_response res;

	ck_assert_uint_eq(status_of("GET", STATUS_URL, TOKEN_VENDOR), 404);
	ck_assert_uint_eq(status_of("GET", STATUS_URL, NULL), 404);
	ck_assert_uint_eq(status_of("GET", "/launches/card-launch.md", TOKEN_VENDOR), 404);
	request(&res, "GET", "/api/launches", TOKEN_VENDOR, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_ptr_null(strstr(res.body.ptr, "card-launch"));
	opex_server_response_release(&res);
	ck_assert_uint_eq(status_of("POST", APPROVE_URL, TOKEN_VENDOR), 404);
}
END_TEST

/* --- approving and revoking ----------------------------------------- */

START_TEST(server_launches__approve_then_status_shows_it)
{
	opex_server_response res;
	char *body;

	request(&res, "POST", APPROVE_URL, TOKEN_MARIA, NULL);
	ck_assert_msg(res.status == 201, "%u %s", res.status, res.body.ptr);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"action\":\"approve\""));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"person\":\"maria\""));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"recorded\":\""));
	opex_server_response_release(&res);

	/* The snapshot did not change: the ref is read at request time. */
	body = launch_status(TOKEN_JAMES);
	ck_assert_ptr_nonnull(strstr(body, "\"person\":\"maria\""));
	ck_assert_ptr_nonnull(strstr(body, "\"state\":\"fresh\""));
	ck_assert_ptr_nonnull(strstr(body, "{\"id\":\"review\",\"title\":\"Design review\",\"state\":\"passed\""));
	ck_assert_ptr_nonnull(strstr(body, "\"current_gate\":\"final\""));
	ck_assert_ptr_null(strstr(body, "\"approvals_tip\":null"));
	opex_free(body);

	/* Approving again changes nothing. */
	ck_assert_uint_eq(status_of("POST", APPROVE_URL, TOKEN_MARIA), 200);
	/* Ahmad approves too: two records. */
	ck_assert_uint_eq(status_of("POST", APPROVE_URL, TOKEN_AHMAD), 201);
	body = launch_status(TOKEN_MARIA);
	ck_assert_ptr_nonnull(strstr(body, "\"person\":\"ahmad\""));
	opex_free(body);
}
END_TEST

START_TEST(server_launches__json_body_comment)
{
	opex_server_response res;
	char *body;

	request_h(&res, "POST", APPROVE_URL, TOKEN_MARIA,
		"{\"comment\":\"looks good\"}", "Content-Type", "application/json");
	ck_assert_uint_eq(res.status, 201);
	opex_server_response_release(&res);
	body = launch_status(TOKEN_MARIA);
	ck_assert_ptr_nonnull(strstr(body, "looks good"));
	opex_free(body);
}
END_TEST

START_TEST(server_launches__refusals)
{
	opex_server_response res;

	/* Not an approver of the gate. */
	request(&res, "POST", APPROVE_URL, TOKEN_JAMES, NULL);
	ck_assert_uint_eq(res.status, 403);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"error\":\"forbidden\""));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "not an approver"));
	opex_server_response_release(&res);
	/* An approver excluded by separation of duties: james owns the launch. */
	request(&res, "POST", "/api/launches/card-launch.md/gates/final/approve",
		TOKEN_JAMES, NULL);
	ck_assert_uint_eq(res.status, 403);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "owns the launch"));
	opex_server_response_release(&res);
	/* Nobody signed in. */
	request(&res, "POST", APPROVE_URL, NULL, NULL);
	ck_assert_uint_eq(res.status, 401);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"error\":\"unauthorized\""));
	opex_server_response_release(&res);
	/* An unknown token. */
	ck_assert_uint_eq(status_of("POST", APPROVE_URL, "not-a-token"), 401);
	/* Unknown launch, gate or action. */
	ck_assert_uint_eq(status_of("POST",
		"/api/launches/nope.md/gates/review/approve", TOKEN_MARIA), 404);
	ck_assert_uint_eq(status_of("POST",
		"/api/launches/card-launch.md/gates/nope/approve", TOKEN_MARIA), 404);
	ck_assert_uint_eq(status_of("POST",
		"/api/launches/card-launch.md/gates/review/bless", TOKEN_MARIA), 404);
	ck_assert_uint_eq(status_of("POST",
		"/api/launches/card-launch.md/approve", TOKEN_MARIA), 404);
	ck_assert_uint_eq(status_of("GET", "/api/launches/nope.md", TOKEN_MARIA), 404);
	/* A file that is not a launch. */
	ck_assert_uint_eq(status_of("GET", "/api/launches/people.yaml", TOKEN_MARIA), 404);
	ck_assert_uint_eq(status_of("GET", "/api/launches/articles/faq.md", TOKEN_MARIA), 404);
	/* GET on an action, POST on the list. */
	ck_assert_uint_eq(status_of("GET", APPROVE_URL, TOKEN_MARIA), 404);
	ck_assert_uint_eq(status_of("POST", "/api/launches", TOKEN_MARIA), 405);
	/* Nothing was recorded. */
	{
		char *body = launch_status(TOKEN_MARIA);

		ck_assert_ptr_nonnull(strstr(body, "\"approvals_tip\":null"));
		opex_free(body);
	}
}
END_TEST

START_TEST(server_launches__revoke)
{
	opex_server_response res;
	char *body;

	/* Nothing to revoke yet. */
	request(&res, "POST", REVOKE_URL, TOKEN_MARIA, NULL);
	ck_assert_uint_eq(res.status, 409);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "\"error\":\"conflict\""));
	opex_server_response_release(&res);
	ck_assert_uint_eq(status_of("POST", APPROVE_URL, TOKEN_MARIA), 201);
	ck_assert_uint_eq(status_of("POST", REVOKE_URL, TOKEN_MARIA), 201);
	body = launch_status(TOKEN_MARIA);
	ck_assert_ptr_nonnull(strstr(body, "\"state\":\"revoked\""));
	ck_assert_ptr_null(strstr(body, "\"state\":\"fresh\""));
	ck_assert_ptr_nonnull(strstr(body, "{\"id\":\"review\",\"title\":\"Design review\",\"state\":\"pending\""));
	opex_free(body);
	ck_assert_uint_eq(status_of("POST", REVOKE_URL, TOKEN_MARIA), 409);
	/* Approving again after a revoke is a new record. */
	ck_assert_uint_eq(status_of("POST", APPROVE_URL, TOKEN_MARIA), 201);
}
END_TEST

START_TEST(server_launches__hostile_paths)
{
	static const char *const bad[] = {
		"/api/launches/%2e%2e/people.yaml/gates/review/approve",
		"/api/launches/../people.yaml",
		"/api/launches/card-launch.md%00/gates/review/approve",
		"/api/launches/card-launch.md/gates/%c0%ae%c0%ae/approve",
		"/api/launches/card-launch.md/gates/review/approve%0a",
		"/launches/%2e%2e%2fpeople.yaml",
		"/api/launches/card-launch.md/gates//approve",
	};
	static const char *const missing[] = {
		"/api/launches/card-launch.md/gates/review/gates/review/approve",
		"/api/launches/card-launch.md/gates/review%2fx/approve",
		"/api/launches/card-launch.md/gates/%3Cscript%3E/approve",
	};
	opex_server_response res;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		request(&res, "POST", bad[i], TOKEN_MARIA, NULL);
		ck_assert_msg(res.status == 400, "%s gave %u", bad[i], res.status);
		opex_server_response_release(&res);
	}
	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		request(&res, "POST", missing[i], TOKEN_MARIA, NULL);
		ck_assert_msg(res.status == 404, "%s gave %u", missing[i], res.status);
		ck_assert_ptr_null(strstr(res.body.ptr, "<script>"));
		opex_server_response_release(&res);
	}
}
END_TEST

/* --- the board page and its form ------------------------------------ */

START_TEST(server_launches__board_page)
{
	opex_server_response res;

	request(&res, "GET", "/launches/card-launch.md", TOKEN_MARIA, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "text/html") ? res.body.ptr
		: strstr(res.content_type, "text/html"));
	ck_assert_ptr_null(strstr(res.body.ptr, "<script>alert"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "&lt;script&gt;alert(1)"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr,
		"action=\"/launches/card-launch.md/gates/review/approve\""));
	ck_assert_ptr_null(strstr(res.body.ptr, "gates/final/approve"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "owners-known"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "Scheme codes mapped"));
	opex_server_response_release(&res);
	/* James may approve no gate (owner): no form, no CSRF token. */
	request(&res, "GET", "/launches/card-launch.md", TOKEN_JAMES, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_ptr_null(strstr(res.body.ptr, "name=\"csrf\""));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "owns the launch"));
	opex_server_response_release(&res);
	request(&res, "GET", "/launches", TOKEN_MARIA, NULL);
	ck_assert_uint_eq(res.status, 200);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "href=\"/launches/card-launch.md\""));
	opex_server_response_release(&res);
}
END_TEST

START_TEST(server_launches__form_csrf)
{
	opex_server_response res;
	char csrf[65], other[65], body[256];
	char *status;

	board_csrf(csrf, TOKEN_MARIA);
	board_csrf(other, TOKEN_AHMAD);
	ck_assert_uint_eq(strlen(csrf), 64);
	ck_assert_str_ne(csrf, other);
	/* No token, a bad one, someone else's: 403, and nothing recorded. */
	request(&res, "POST", FORM_URL, TOKEN_MARIA, "comment=x");
	ck_assert_uint_eq(res.status, 403);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "CSRF"));
	opex_server_response_release(&res);
	ck_assert_uint_eq(status_of("POST", FORM_URL, TOKEN_MARIA), 403);
	request(&res, "POST", FORM_URL, TOKEN_MARIA, "csrf=0123");
	ck_assert_uint_eq(res.status, 403);
	opex_server_response_release(&res);
	snprintf(body, sizeof(body), "csrf=%s", other);
	request(&res, "POST", FORM_URL, TOKEN_MARIA, body);
	ck_assert_uint_eq(res.status, 403);
	opex_server_response_release(&res);
	/* A cross-site request is refused even with the right token. */
	snprintf(body, sizeof(body), "csrf=%s", csrf);
	request_h(&res, "POST", FORM_URL, TOKEN_MARIA, body, "Origin",
		"http://evil.example");
	ck_assert_uint_eq(res.status, 403);
	opex_server_response_release(&res);
	request_h(&res, "POST", FORM_URL, TOKEN_MARIA, body, "Sec-Fetch-Site",
		"cross-site");
	ck_assert_uint_eq(res.status, 403);
	opex_server_response_release(&res);
	status = launch_status(TOKEN_MARIA);
	ck_assert_ptr_nonnull(strstr(status, "\"approvals_tip\":null"));
	opex_free(status);
	/* The right token: recorded, and 303 back to the board. */
	snprintf(body, sizeof(body), "csrf=%s&comment=fine+by+me%%21", csrf);
	request(&res, "POST", FORM_URL, TOKEN_MARIA, body);
	ck_assert_msg(res.status == 303, "%u %s", res.status, res.body.ptr);
	ck_assert_uint_gt(res.header_count, 0);
	opex_server_response_release(&res);
	status = launch_status(TOKEN_MARIA);
	ck_assert_ptr_nonnull(strstr(status, "fine by me!"));
	ck_assert_ptr_nonnull(strstr(status, "\"state\":\"fresh\""));
	opex_free(status);
	/* The board now offers a revoke form and shows the notice. */
	request(&res, "GET", "/launches/card-launch.md?done=approve&gate=review",
		TOKEN_MARIA, NULL);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "gates/review/revoke"));
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "class=\"notice\""));
	opex_server_response_release(&res);
}
END_TEST

START_TEST(server_launches__open_server_needs_a_person)
{
	/* Reads are open without auth, but nobody can approve. */
	ck_assert_uint_eq(status_of("GET", STATUS_URL, NULL), 200);
	ck_assert_uint_eq(status_of("GET", "/launches/card-launch.md", NULL), 200);
	ck_assert_uint_eq(status_of("POST", APPROVE_URL, NULL), 401);
}
END_TEST

START_TEST(server_launches__behind_a_proxy_forms_need_csrf)
{
	opex_server_response res;

	/*
	 * The proxy adds the person to every request, a cross-site one too:
	 * without a bearer token or a JSON body, the CSRF token is required.
	 */
	request_h(&res, "POST", APPROVE_URL, NULL, NULL, "X-Remote-User", "maria");
	ck_assert_uint_eq(res.status, 403);
	ck_assert_ptr_nonnull(strstr(res.body.ptr, "CSRF"));
	opex_server_response_release(&res);
	request_h(&res, "POST", APPROVE_URL, NULL, "csrf=1", "X-Remote-User", "maria");
	ck_assert_uint_eq(res.status, 403);
	opex_server_response_release(&res);
	request_h(&res, "POST", FORM_URL, NULL, "{}", "X-Remote-User", "maria");
	ck_assert_uint_eq(res.status, 403);
	opex_server_response_release(&res);
	/* Someone the roster does not know. */
	request_h(&res, "POST", APPROVE_URL, NULL, NULL, "X-Remote-User", "mallory");
	ck_assert_uint_eq(res.status, 404);
	opex_server_response_release(&res);
}
END_TEST

/* --- a real socket -------------------------------------------------- */

static unsigned exchange(opex_buf *out, const char *raw)
{
	unsigned status = 0;

	ck_assert_int_eq(opex_test_http_exchange(out,
		opex_server_port(fx.server), raw, strlen(raw)), 0);
	if (sscanf(out->ptr, "HTTP/1.1 %u", &status) != 1)
		status = 0;
	return status;
}

START_TEST(server_launches__over_a_socket)
{
	opex_buf out = OPEX_BUF_INIT(1 << 24);
	opex_error err = OPEX_ERROR_INIT;

	if (opex_server_start(fx.server, &err) < 0)
		ck_abort_msg("opex_server_start: %s", err.message);
	ck_assert_uint_eq(exchange(&out, "POST " APPROVE_URL " HTTP/1.1\r\n"
		"Host: 127.0.0.1\r\nAuthorization: Bearer " TOKEN_JAMES "\r\n"
		"Content-Length: 0\r\nConnection: close\r\n\r\n"), 403);
	ck_assert_uint_eq(exchange(&out, "POST " APPROVE_URL " HTTP/1.1\r\n"
		"Host: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
		401);
	ck_assert_uint_eq(exchange(&out, "POST " APPROVE_URL " HTTP/1.1\r\n"
		"Host: 127.0.0.1\r\nAuthorization: Bearer " TOKEN_MARIA "\r\n"
		"Content-Length: 0\r\nConnection: close\r\n\r\n"), 201);
	ck_assert_uint_eq(exchange(&out, "GET " STATUS_URL " HTTP/1.1\r\n"
		"Host: 127.0.0.1\r\nAuthorization: Bearer " TOKEN_MARIA "\r\n"
		"Connection: close\r\n\r\n"), 200);
	ck_assert_ptr_nonnull(strstr(out.ptr, "\"state\":\"fresh\""));
	ck_assert_ptr_nonnull(strstr(out.ptr, "Content-Security-Policy"));
	opex_buf_release(&out);
}
END_TEST

Suite *suite_launches(void)
{
	Suite *s = suite_create("server_launches");
	TCase *auth = tcase_create("auth");
	TCase *open = tcase_create("open");
	TCase *proxy = tcase_create("proxy");

	tcase_add_checked_fixture(auth, auth_setup, teardown);
	tcase_add_test(auth, server_launches__status_json_shape);
	tcase_add_test(auth, server_launches__hidden_from_partners_and_anonymous);
	tcase_add_test(auth, server_launches__approve_then_status_shows_it);
	tcase_add_test(auth, server_launches__json_body_comment);
	tcase_add_test(auth, server_launches__refusals);
	tcase_add_test(auth, server_launches__revoke);
	tcase_add_test(auth, server_launches__hostile_paths);
	tcase_add_test(auth, server_launches__board_page);
	tcase_add_test(auth, server_launches__form_csrf);
	tcase_add_test(auth, server_launches__over_a_socket);
	suite_add_tcase(s, auth);
	tcase_add_checked_fixture(open, open_setup, teardown);
	tcase_add_test(open, server_launches__open_server_needs_a_person);
	suite_add_tcase(s, open);
	tcase_add_checked_fixture(proxy, proxy_setup, teardown);
	tcase_add_test(proxy, server_launches__behind_a_proxy_forms_need_csrf);
	suite_add_tcase(s, proxy);
	return s;
}
