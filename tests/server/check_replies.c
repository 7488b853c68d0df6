/*
 * check_replies.c: quick texts on the server (server/replies.c, web.c):
 * /replies with its filters and copy blocks, a reply's own page, the
 * replies of steps on process and article pages, /api/replies, and who
 * may see what.
 */
#define _POSIX_C_SOURCE 200809L

#include "server/server.h"
#include "core/sha256.h"
#include "support/repo_fixture.h"
#include "support/server_request.h"
#include "support/test_util.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define TOKEN_MARIA "maria-token-0123456789"
#define TOKEN_VENDOR "vendor-token-0123456789"

static const char roster[] =
	"people:\n"
	"  - id: maria\n    name: Maria Santos\n    email: maria@example.com\n"
	"    teams: [cards]\n"
	"teams:\n  - id: cards\n    name: Cards\n";

static const char map[] =
	"digraph lost {\n"
	"  title=\"Lost card\"; owner=\"maria\"; journey=\"cards\";\n"
	"  start [kind=start label=\"Start\"];\n"
	"  freeze [label=\"Freeze the card\", article=\"articles/freeze.md\","
	" reply=\"replies/frozen.md, replies/secret.md\"];\n"
	"  done [kind=end label=\"Done\"];\n"
	"  start -> freeze -> done;\n"
	"}\n";

typedef struct fixture {
	opex_test_repo *repo;
	char *tmp;
	char tokens[4096];
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
	snprintf(fx.tokens, sizeof(fx.tokens), "%s/tokens", fx.tmp);
	f = fopen(fx.tokens, "w");
	ck_assert_ptr_nonnull(f);
	opex_test_put_token(f, TOKEN_MARIA, "maria", false);
	opex_test_put_token(f, TOKEN_VENDOR, "vendor-agent", true);
	fclose(f);
	opex_test_repo_put(fx.repo, "people.yaml", roster);
	opex_test_repo_put(fx.repo, "opex.yaml",
		"languages: [en, fr]\njourneys: [cards]\n");
	opex_test_repo_put(fx.repo, "processes/lost.dot", map);
	opex_test_repo_put(fx.repo, "articles/freeze.md",
		"---\ntitle: Freeze a card\nowner: maria\nlanguage: en\n"
		"visibility: partners\n---\nFreeze it in the console.\n");
	opex_test_repo_put(fx.repo, "articles/freeze.fr.md",
		"---\ntitle: Bloquer une carte\nowner: maria\nlanguage: fr\n"
		"translation_of: articles/freeze.md\nvisibility: partners\n---\n"
		"Bloquez-la.\n");
	opex_test_repo_put(fx.repo, "replies/frozen.md",
		"---\ntitle: Card frozen\nowner: maria\nlanguage: en\n"
		"journey: cards\nchannel: chat\nvisibility: partners\n---\n"
		"Hi {{customer.first_name}}, your card is frozen <for now> & safe.\n");
	opex_test_repo_put(fx.repo, "replies/frozen.fr.md",
		"---\ntitle: Carte bloquée\nowner: maria\nlanguage: fr\n"
		"journey: cards\nchannel: chat\nvisibility: partners\n"
		"translation_of: replies/frozen.md\n---\n"
		"Bonjour {{customer.first_name}}, votre carte est bloquée.\n");
	opex_test_repo_put(fx.repo, "replies/secret.md",
		"---\ntitle: Fraud hold\nowner: maria\nlanguage: en\n"
		"journey: cards\nchannel: email\nteams: [cards]\n---\n"
		"Dear {{customer.name}}, **we hold** your account.\n");
	opex_test_repo_commit(fx.repo, "Maria Santos", "maria@example.com",
		1780000000, "handbook", NULL);
	opts.repo = opex_test_repo_path(fx.repo);
	opts.auth_file = fx.tokens;
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

static char *page(const char *target, const char *token, unsigned status)
{
	char *body = NULL;
	unsigned got = opex_test_server_get(fx.server, target, token, &body);

	ck_assert_msg(got == status, "%s: %u, not %u: %s", target, got, status,
		body ? body : "");
	return body;
}

START_TEST(replies_server__list_page_with_copy_blocks)
{
	char *body = page("/replies", TOKEN_MARIA, 200);

	ck_assert_ptr_nonnull(strstr(body, "2 quick texts"));
	/* the text as written, escaped, its placeholder marked */
	ck_assert_ptr_nonnull(strstr(body,
		"Hi <span class=\"ph\">{{customer.first_name}}</span>, your card is frozen &lt;for now&gt; &amp; safe."));
	ck_assert_ptr_nonnull(strstr(body, "<button type=\"button\" class=\"copy\" data-copy=\"reply-1\">Copy</button>"));
	ck_assert_ptr_nonnull(strstr(body, "id=\"reply-1\""));
	/* the Markdown of the email is pasted as written */
	ck_assert_ptr_nonnull(strstr(body, "**we hold**"));
	/* no inline script: the button works through /static/opex.js */
	ck_assert_ptr_null(strstr(body, "onclick"));
	ck_assert_ptr_null(strstr(body, "<script>"));
	/* the fraud hold reply has no French variant */
	ck_assert_ptr_nonnull(strstr(body, "no fr"));
	free(body);

	body = page("/replies?lang=fr", TOKEN_MARIA, 200);
	ck_assert_ptr_nonnull(strstr(body, "votre carte est bloquée"));
	ck_assert_ptr_null(strstr(body, "your card is frozen"));
	/* no French variant: the English one is shown */
	ck_assert_ptr_nonnull(strstr(body, "we hold"));
	free(body);

	body = page("/replies?channel=email", TOKEN_MARIA, 200);
	ck_assert_ptr_nonnull(strstr(body, "1 quick text<"));
	ck_assert_ptr_nonnull(strstr(body, "Fraud hold"));
	free(body);
	body = page("/replies?journey=loans", TOKEN_MARIA, 200);
	ck_assert_ptr_nonnull(strstr(body, "0 quick texts"));
	free(body);
}
END_TEST

START_TEST(replies_server__who_sees_what)
{
	char *body = page("/replies", TOKEN_VENDOR, 200);

	ck_assert_ptr_nonnull(strstr(body, "1 quick text<"));
	ck_assert_ptr_null(strstr(body, "Fraud hold"));
	free(body);
	body = page("/replies", NULL, 200);
	ck_assert_ptr_nonnull(strstr(body, "0 quick texts"));
	free(body);
	free(page("/replies/secret.md", TOKEN_VENDOR, 404));
	free(page("/api/replies/secret.md", TOKEN_VENDOR, 404));
	free(page("/replies/frozen.md", NULL, 404));
	/* an article is not a reply, and the other way round */
	free(page("/replies/../articles/freeze.md", TOKEN_MARIA, 400));
	free(page("/articles/replies/frozen.md", TOKEN_MARIA, 404));
	free(page("/replies/none.md", TOKEN_MARIA, 404));
}
END_TEST

START_TEST(replies_server__reply_page_and_steps)
{
	char *body = page("/replies/frozen.md", TOKEN_MARIA, 200);

	ck_assert_ptr_nonnull(strstr(body, "<dt>Channel</dt><dd>chat</dd>"));
	ck_assert_ptr_nonnull(strstr(body, "class=\"copy\""));
	ck_assert_ptr_nonnull(strstr(body, "Used in"));
	ck_assert_ptr_nonnull(strstr(body, "Lost card</a>: Freeze the card"));
	ck_assert_ptr_nonnull(strstr(body, "/replies/frozen.fr.md"));
	free(body);
	/* an email reply is previewed as rendered too */
	body = page("/replies/secret.md", TOKEN_MARIA, 200);
	ck_assert_ptr_nonnull(strstr(body, "<strong>we hold</strong>"));
	free(body);

	/* the process page lists the replies its steps name */
	body = page("/processes/lost.dot", TOKEN_MARIA, 200);
	ck_assert_ptr_nonnull(strstr(body, "Quick texts"));
	ck_assert_ptr_nonnull(strstr(body, "your card is frozen"));
	ck_assert_ptr_nonnull(strstr(body, "Fraud hold"));
	free(body);
	body = page("/processes/lost.dot", TOKEN_VENDOR, 200);
	ck_assert_ptr_nonnull(strstr(body, "your card is frozen"));
	ck_assert_ptr_null(strstr(body, "Fraud hold"));
	free(body);

	/* the article page shows its step's replies, in the article's language */
	body = page("/articles/freeze.fr.md", TOKEN_MARIA, 200);
	ck_assert_ptr_nonnull(strstr(body, "Quick texts for these steps"));
	ck_assert_ptr_nonnull(strstr(body, "votre carte est bloquée"));
	ck_assert_ptr_null(strstr(body, "your card is frozen"));
	free(body);
	body = page("/articles/freeze.md", TOKEN_MARIA, 200);
	ck_assert_ptr_nonnull(strstr(body, "your card is frozen"));
	free(body);

	/* the home page lists articles, not replies */
	body = page("/", TOKEN_MARIA, 200);
	ck_assert_ptr_null(strstr(body, "Card frozen"));
	free(body);
}
END_TEST

START_TEST(replies_server__api)
{
	json_error_t jerr;
	json_t *root, *list, *r;
	char *body = page("/api/replies", TOKEN_MARIA, 200);
	size_t i;

	root = json_loads(body, 0, &jerr);
	ck_assert_ptr_nonnull(root);
	list = json_object_get(root, "replies");
	ck_assert_uint_eq(json_array_size(list), 2);
	r = json_array_get(list, 0);
	ck_assert_str_eq(json_string_value(json_object_get(r, "path")), "replies/frozen.md");
	ck_assert_str_eq(json_string_value(json_object_get(r, "channel")), "chat");
	ck_assert_str_eq(json_string_value(json_object_get(r, "text")),
		"Hi {{customer.first_name}}, your card is frozen <for now> & safe.");
	ck_assert_str_eq(json_string_value(json_array_get(
		json_object_get(r, "placeholders"), 0)), "customer.first_name");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "variants")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "missing")), 0);
	r = json_array_get(list, 1);
	ck_assert_str_eq(json_string_value(json_array_get(
		json_object_get(r, "missing"), 0)), "fr");
	json_decref(root);
	free(body);

	body = page("/api/replies/frozen.fr.md", TOKEN_MARIA, 200);
	root = json_loads(body, 0, &jerr);
	ck_assert_ptr_nonnull(root);
	ck_assert_str_eq(json_string_value(json_object_get(root, "text")),
		"Bonjour {{customer.first_name}}, votre carte est bloquée.");
	ck_assert_str_eq(json_string_value(json_object_get(
		json_object_get(root, "source"), "path")), "replies/frozen.md");
	json_decref(root);
	free(body);

	/* search finds quick texts and says so; type:article leaves them out */
	body = page("/api/search?q=frozen", TOKEN_MARIA, 200);
	ck_assert_ptr_nonnull(strstr(body, "\"path\":\"replies/frozen.md\",\"type\":\"reply\""));
	free(body);
	body = page("/api/search?q=frozen%20type:article", TOKEN_MARIA, 200);
	ck_assert_ptr_null(strstr(body, "replies/"));
	free(body);

	/* /api/articles lists articles only */
	body = page("/api/articles", TOKEN_MARIA, 200);
	root = json_loads(body, 0, &jerr);
	list = json_object_get(root, "articles");
	for (i = 0; i < json_array_size(list); i++)
		ck_assert_ptr_null(strstr(json_string_value(json_object_get(
			json_array_get(list, i), "path")), "replies/"));
	json_decref(root);
	free(body);
}
END_TEST

Suite *suite_replies(void)
{
	Suite *s = suite_create("server_replies");
	TCase *tc = tcase_create("replies");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, replies_server__list_page_with_copy_blocks);
	tcase_add_test(tc, replies_server__who_sees_what);
	tcase_add_test(tc, replies_server__reply_page_and_steps);
	tcase_add_test(tc, replies_server__api);
	suite_add_tcase(s, tc);
	return s;
}
