/*
 * check_search.c: search for restricted readers (server/search.c): a
 * partner, a person of one team and a person of another get the results,
 * totals, facets and suggestions of what each may see, and nothing else.
 * Uses the handbook of check_handler.c (one article of each visibility).
 */
#define _POSIX_C_SOURCE 200809L

#include "server/server.h"
#include "core/memory.h"
#include "support/repo_fixture.h"
#include "support/server_request.h"
#include "support/test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define TOKEN_MARIA "maria-token-0123456789"
#define TOKEN_JAMES "james-token-0123456789"
#define TOKEN_VENDOR "vendor-token-0123456789"

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

static void setup(void) { server_fixture_init(&fx, true, 0); }
static void teardown(void) { server_fixture_release(&fx); }

/* GET `target` as the token's person; the body, which the caller frees. */
static char *get(const char *target, const char *token, unsigned want)
{
	char *body = NULL;
	unsigned status = opex_test_server_get(fx.server, target, token, &body);

	ck_assert_msg(status == want, "%s gave %u: %s", target, status, body);
	return body;
}

static void has(const char *body, const char *what, bool yes)
{
	ck_assert_msg((strstr(body, what) != NULL) == yes, "%s '%s' in: %s",
		yes ? "no" : "unexpected", what, body);
}

START_TEST(server_search__partner_and_internal_differ)
{
	/* A query of exclusions only: every article the reader may see. */
	const char *all = "/api/search?q=-nothingmatcheszz&limit=1";
	char *vendor = get(all, TOKEN_VENDOR, 200);
	char *maria = get(all, TOKEN_MARIA, 200);
	char *james = get(all, TOKEN_JAMES, 200);
	char *anonymous = get(all, NULL, 200);

	/* public-faq, public-faq.fr, partner-guide */
	has(vendor, "\"total\":3", true);
	has(vendor, "{\"value\":\"en\",\"count\":2}", true);
	has(vendor, "{\"value\":\"fr\",\"count\":1}", true);
	/* + internal-override, payments-only (maria is in payments) */
	has(maria, "\"total\":5", true);
	has(maria, "{\"value\":\"en\",\"count\":4}", true);
	/* james is not in payments */
	has(james, "\"total\":4", true);
	has(james, "{\"value\":\"en\",\"count\":3}", true);
	/* anonymous: the two public ones */
	has(anonymous, "\"total\":2", true);
	opex_free(vendor);
	opex_free(maria);
	opex_free(james);
	opex_free(anonymous);
}
END_TEST

START_TEST(server_search__never_leaks)
{
	char *body;

	body = get("/api/search?q=Quokkaflux", TOKEN_VENDOR, 200);
	has(body, "\"total\":0", true);
	has(body, "internal-override", false);
	has(body, "\"suggestions\":[]", true);
	opex_free(body);
	body = get("/api/search?q=Quokkaflox", TOKEN_VENDOR, 200);
	has(body, "quokkaflux", false);
	opex_free(body);
	body = get("/api/search?q=Quokkaflox", TOKEN_JAMES, 200);
	has(body, "quokkaflux", true);
	opex_free(body);
	body = get("/api/search?q=Quokkaflux", TOKEN_MARIA, 200);
	has(body, "\"total\":1", true);
	has(body, "internal-override.md", true);
	has(body, "<mark>Quokkaflux</mark>", true);
	opex_free(body);
	/* Team-restricted: james gets nothing, maria the article. */
	body = get("/api/search?q=back-office", TOKEN_JAMES, 200);
	has(body, "payments-only", false);
	opex_free(body);
	body = get("/api/search?q=back-office", TOKEN_MARIA, 200);
	has(body, "payments-only.md", true);
	opex_free(body);
	/* The page too. */
	body = get("/search?q=Quokkaflux", TOKEN_VENDOR, 200);
	has(body, "Override secret", false);
	opex_free(body);
	body = get("/search?q=Quokkaflux", TOKEN_MARIA, 200);
	has(body, "Override secret", true);
	opex_free(body);
}
END_TEST

/* GET /api/search?q=… as the token's person: the body after "took", and
 * whether the answer came from the cache. */
static char *search(const char *q, const char *token, bool *hit)
{
	opex_server_response res;
	char target[512];
	const char *after;
	char *body;
	size_t i;

	snprintf(target, sizeof(target), "/api/search?q=%s", q);
	ck_assert_uint_eq(opex_test_server_request(&res, fx.server, "GET", target,
		token, NULL), 200);
	*hit = false;
	for (i = 0; i < res.header_count; i++)
		*hit = *hit || strcmp(res.header_names[i], "X-Opex-Cache") == 0;
	ck_assert(strncmp(res.body.ptr, "{\"took\":", 8) == 0);
	after = strchr(res.body.ptr, ',');
	ck_assert_ptr_nonnull(after);
	body = opex_strdup(after);
	opex_server_response_release(&res);
	return body;
}

START_TEST(server_search__repeats_come_from_the_cache)
{
	char *first, *second, *other, *health;
	bool hit = true;

	first = search("Zebracorn", TOKEN_MARIA, &hit);
	ck_assert(!hit);
	second = search("Zebracorn", TOKEN_MARIA, &hit);
	ck_assert(hit);
	ck_assert_str_eq(first, second);
	has(first, "\"total\":1", true);
	opex_free(second);
	/* another audience is another answer */
	other = search("Quokkaflux", TOKEN_VENDOR, &hit);
	ck_assert(!hit);
	has(other, "\"total\":0", true);
	opex_free(other);
	other = search("Quokkaflux", TOKEN_MARIA, &hit);
	ck_assert(!hit);
	has(other, "\"total\":1", true);
	opex_free(other);
	/* a zero-result search answered from the cache is still counted */
	opex_free(search("nothingzzq", TOKEN_MARIA, &hit));
	opex_free(search("nothingzzq", TOKEN_MARIA, &hit));
	ck_assert(hit);
	health = get("/api/health", TOKEN_MARIA, 200);
	has(health, "{\"query\":\"nothingzzq\",\"count\":2}", true);
	opex_free(health);
	/* a new revision is never answered from the old one's entries */
	server_fixture_commit(&fx, "articles/zebra-two.md",
		"---\ntitle: Zebra two\nowner: maria\nlanguage: en\n"
		"visibility: public\n---\nAnother Zebracorn.\n");
	{
		opex_error err = OPEX_ERROR_INIT;
		bool changed = false;

		ck_assert_int_eq(opex_server_reload(fx.server, &changed, &err), 0);
		ck_assert(changed);
	}
	second = search("Zebracorn", TOKEN_MARIA, &hit);
	ck_assert(!hit);
	has(second, "\"total\":2", true);
	opex_free(second);
	opex_free(first);
}
END_TEST

Suite *suite_search(void)
{
	Suite *s = suite_create("server_search");
	TCase *tc = tcase_create("visibility");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, server_search__partner_and_internal_differ);
	tcase_add_test(tc, server_search__never_leaks);
	tcase_add_test(tc, server_search__repeats_come_from_the_cache);
	suite_add_tcase(s, tc);
	return s;
}
