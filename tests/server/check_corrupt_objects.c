/*
 * check_corrupt_objects.c: a served handbook whose repository lost a git
 * object (a loose object file deleted): the server still starts and
 * reloads, every other article and search answer 200, the broken article
 * answers 404 and its error is counted in the health report
 * (server/snapshot.c over kb/handbook.c and kb/index_sqlite.c).
 */
#define _POSIX_C_SOURCE 200809L

#include "server/server.h"
#include "core/memory.h"
#include "kb/kb.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

#define T0 1780000000

static const char roster[] =
	"people:\n"
	"  - id: maria\n    name: Maria Santos\n    email: maria@example.com\n";

typedef struct env {
	opex_test_repo *repo;
	opex_server *server;
	int64_t clock;
	char broken_id[41];     /* the blob of articles/broken.md, once lost */
	char *broken_bytes;     /* its loose object file */
	size_t broken_len;
} env;

static env e;

static void commit(const char *path, const char *text)
{
	opex_test_repo_put(e.repo, path, text);
	e.clock += 60;
	opex_test_repo_commit(e.repo, "Maria Santos", "maria@example.com",
		e.clock, "change", NULL);
}

static void object_file(char *out, size_t size, const char *id)
{
	snprintf(out, size, "%s/.git/objects/%.2s/%s",
		opex_test_repo_path(e.repo), id, id + 2);
}

/* Delete the loose object of `path` at HEAD, keeping its bytes. */
static void lose_blob(const char *path)
{
	opex_error err = OPEX_ERROR_INIT;
	opex_kb_repo *repo = NULL;
	char file[4200];

	ck_assert_msg(opex_kb_repo_open(&repo, opex_test_repo_path(e.repo),
		NULL, &err) == 0, "%s", err.message);
	ck_assert_ptr_nonnull(opex_kb_repo_find(repo, path));
	memcpy(e.broken_id, opex_kb_repo_find(repo, path)->oid, 41);
	opex_kb_repo_free(repo);
	object_file(file, sizeof(file), e.broken_id);
	e.broken_bytes = opex_test_read_file(file, &e.broken_len);
	ck_assert_ptr_nonnull(e.broken_bytes);
	ck_assert_int_eq(unlink(file), 0);
}

static void restore_blob(void)
{
	char file[4200];
	FILE *f;

	object_file(file, sizeof(file), e.broken_id);
	f = fopen(file, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(e.broken_bytes, 1, e.broken_len, f),
		e.broken_len);
	ck_assert_int_eq(fclose(f), 0);
}

static void start_server(void)
{
	opex_server_options opts = OPEX_SERVER_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;

	opts.repo = opex_test_repo_path(e.repo);
	opts.poll_seconds = 0;
	opts.port = 0;
	opts.threads = 2;
	opts.access_log = false;
	if (opex_server_new(&e.server, &opts, &err) < 0)
		ck_abort_msg("opex_server_new: %s", err.message);
}

static void setup(void)
{
	memset(&e, 0, sizeof(e));
	e.repo = opex_test_repo_new(false);
	e.clock = T0;
	opex_test_repo_put(e.repo, "people.yaml", roster);
	opex_test_repo_put(e.repo, "articles/faq.md",
		"---\ntitle: Refund FAQ\nowner: maria\nlanguage: en\n---\n"
		"How refunds work. Zebracorn.\n");
	opex_test_repo_put(e.repo, "articles/broken.md",
		"---\ntitle: Override\nowner: maria\nlanguage: en\n---\n"
		"The override code is Quokkaflux.\n");
	opex_test_repo_put(e.repo, "articles/other.md",
		"---\ntitle: Other\nowner: maria\nlanguage: en\n---\n"
		"Nothing to see. Pangolin.\n");
	opex_test_repo_commit(e.repo, "Maria Santos", "maria@example.com",
		e.clock, "handbook", NULL);
}

static void teardown(void)
{
	opex_server_free(e.server);
	opex_test_repo_free(e.repo);
	opex_free(e.broken_bytes);
}

/* GET `target`; the body is kept in `body` (may be NULL; opex_free it). */
static unsigned get(const char *target, char **body)
{
	opex_server_request req;
	opex_server_response res;
	const char *q = strchr(target, '?');
	unsigned status;

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = target;
	req.path_len = q ? (size_t)(q - target) : strlen(target);
	req.query = q ? q + 1 : NULL;
	req.query_len = q ? strlen(q + 1) : 0;
	opex_server_response_init(&res);
	opex_server_handle(&res, e.server, &req);
	status = res.status;
	ck_assert_msg(status < 500, "GET %s gave %u", target, status);
	if (body != NULL)
		*body = opex_strdup(res.body.ptr);
	opex_server_response_release(&res);
	return status;
}

/* GET `target` must answer 200 with `part` in its body. */
static void assert_body(const char *target, const char *part)
{
	char *body = NULL;

	ck_assert_uint_eq(get(target, &body), 200);
	ck_assert_msg(strstr(body, part) != NULL, "GET %s: no '%s' in %s",
		target, part, body);
	opex_free(body);
}

static void assert_rest_served(void)
{
	static const char *const ok[] = {
		"/", "/health", "/api/health", "/api/articles",
		"/articles/faq.md", "/api/articles/faq.md",
		"/api/articles/other.md", "/search?q=zebracorn",
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(get(ok[i], NULL) == 200, "GET %s", ok[i]);
	assert_body("/api/search?q=zebracorn", "\"total\":1");
	assert_body("/api/search?q=pangolin", "\"path\":\"articles/other.md\"");
	ck_assert_uint_eq(get("/api/articles/broken.md", NULL), 404);
	ck_assert_uint_eq(get("/articles/broken.md", NULL), 404);
}

START_TEST(server_corrupt_objects__lost_blob_at_start)
{
	char *body = NULL;

	lose_blob("articles/broken.md");
	start_server();
	assert_rest_served();
	assert_body("/api/search?q=quokkaflux", "\"total\":0");
	/* the error is in the health report's lint count */
	assert_body("/api/health", "\"lint\":{\"errors\":1,");
	ck_assert_uint_eq(get("/api/articles", &body), 200);
	ck_assert_ptr_null(strstr(body, "broken.md"));
	opex_free(body);
}
END_TEST

START_TEST(server_corrupt_objects__reload_onto_a_lost_blob)
{
	opex_error err = OPEX_ERROR_INIT;
	char before[41], after[41];
	bool changed = false;

	start_server();
	assert_body("/api/search?q=quokkaflux", "\"total\":1");
	opex_server_revision(before, e.server);

	/* the next commit's version of broken.md is lost: the server moves on */
	commit("articles/broken.md",
		"---\ntitle: Override\nowner: maria\nlanguage: en\n---\n"
		"The override code is Quokkaflux, or Snapdragon.\n");
	lose_blob("articles/broken.md");
	ck_assert_msg(opex_server_reload(e.server, &changed, &err) == 0, "%s",
		err.message);
	ck_assert(changed);
	opex_server_revision(after, e.server);
	ck_assert_str_ne(before, after);
	assert_rest_served();
	assert_body("/api/search?q=snapdragon", "\"total\":0");
	assert_body("/healthz", after);

	/* the object is back and another commit lands: it is served again */
	restore_blob();
	commit("articles/other.md",
		"---\ntitle: Other\nowner: maria\nlanguage: en\n---\n"
		"Nothing to see. Pangolin. Really.\n");
	ck_assert_msg(opex_server_reload(e.server, &changed, &err) == 0, "%s",
		err.message);
	ck_assert(changed);
	ck_assert_uint_eq(get("/api/articles/broken.md", NULL), 200);
	assert_body("/api/search?q=snapdragon",
		"\"path\":\"articles/broken.md\"");
	assert_body("/api/health", "\"lint\":{\"errors\":0,");
}
END_TEST

START_TEST(server_corrupt_objects__lost_history)
{
	opex_error err = OPEX_ERROR_INIT;
	char first[41], file[4200];
	opex_kb_repo *repo = NULL;

	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(e.repo),
		NULL, &err), 0);
	memcpy(first, opex_kb_repo_commit(repo), 41);
	opex_kb_repo_free(repo);
	commit("articles/other.md",
		"---\ntitle: Other\nowner: maria\nlanguage: en\n---\n"
		"Nothing to see. Pangolin. Still.\n");
	object_file(file, sizeof(file), first);
	ck_assert_int_eq(unlink(file), 0);
	start_server();
	ck_assert_uint_eq(get("/api/articles/broken.md", NULL), 200);
	assert_body("/api/articles/faq.md", "\"path\":\"articles/faq.md\"");
	assert_body("/api/search?q=zebracorn", "\"stale\":false");
	assert_body("/api/health", "\"lint\":{\"errors\":1,");
}
END_TEST

Suite *suite_corrupt_objects(void)
{
	Suite *s = suite_create("server_corrupt_objects");
	TCase *tc = tcase_create("lost_objects");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, server_corrupt_objects__lost_blob_at_start);
	tcase_add_test(tc, server_corrupt_objects__reload_onto_a_lost_blob);
	tcase_add_test(tc, server_corrupt_objects__lost_history);
	suite_add_tcase(s, tc);
	return s;
}
