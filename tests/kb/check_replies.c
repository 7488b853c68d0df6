/* check_replies.c: quick texts (kb/replies.c): placeholders, channels, rules. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "kb/kb.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#define T0 1767225600 /* 2026-01-01 */

static const char roster[] =
	"people:\n"
	"  - id: ana\n    name: Ana\n    email: ana@x.io\n    teams: [fe]\n";

/* A handbook in en, fr and id with the given replies, linted. */
static void lint_replies(opex_diag_list *diags, const char *const *files,
	size_t count)
{
	opex_test_repo *repo = opex_test_repo_new(false);
	opex_kb_handbook *hb;
	size_t i;

	opex_test_repo_put(repo, "people.yaml", roster);
	opex_test_repo_put(repo, "opex.yaml",
		"languages: [en, fr, id]\nreply_placeholders: [order.id]\n");
	for (i = 0; i + 1 < count; i += 2)
		opex_test_repo_put(repo, files[i], files[i + 1]);
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0, "replies", NULL);
	hb = opex_test_handbook_load(repo, T0 + 86400, diags);
	opex_kb_lint(hb, diags);
	opex_kb_handbook_free(hb);
	opex_test_repo_free(repo);
}

static const opex_diag *find(const opex_diag_list *diags, const char *rule)
{
	size_t i;

	for (i = 0; i < diags->count; i++)
		if (strcmp(diags->items[i].rule, rule) == 0)
			return &diags->items[i];
	return NULL;
}

START_TEST(kb_replies__placeholders_scanned_with_positions)
{
	static const char text[] =
		"Hi {{customer.first_name}},\n"
		"your case {{ case.id }} is {{case.id}}.\n"
		"{{weird name!}} and {{ unclosed\n";
	opex_kb_placeholders ph = OPEX_KB_PLACEHOLDERS_INIT;

	opex_kb_placeholders_scan(&ph, text, strlen(text));
	ck_assert_uint_eq(ph.count, 4);
	ck_assert_str_eq(ph.items[0].name, "customer.first_name");
	ck_assert_uint_eq(ph.items[0].line, 1);
	ck_assert_uint_eq(ph.items[0].col, 4);
	ck_assert_str_eq(ph.items[1].name, "case.id");
	ck_assert_uint_eq(ph.items[1].line, 2);
	ck_assert_uint_eq(ph.items[1].col, 11);
	ck_assert_uint_eq(ph.items[1].offset, 38);
	ck_assert_uint_eq(ph.items[1].len, 13);
	ck_assert_str_eq(ph.items[2].name, "case.id");
	ck_assert_str_eq(ph.items[3].name, "weird name!");
	ck_assert_uint_eq(ph.unclosed_line, 3);
	ck_assert_uint_eq(ph.unclosed_col, 21);
	opex_kb_placeholders_release(&ph);

	ck_assert(opex_kb_placeholder_known(NULL, "customer.first_name"));
	ck_assert(!opex_kb_placeholder_known(NULL, "ticket.id"));
}
END_TEST

START_TEST(kb_replies__hostile_text_never_crashes)
{
	opex_kb_placeholders ph = OPEX_KB_PLACEHOLDERS_INIT;
	size_t n = 1024 * 1024, i;
	char *text = malloc(n);

	/* a megabyte of "{{x}}" keeps the first OPEX_LIMIT_PLACEHOLDERS */
	for (i = 0; i + 5 <= n; i += 5)
		memcpy(text + i, "{{x}}", 5);
	memset(text + i, '{', n - i);
	opex_kb_placeholders_scan(&ph, text, n);
	ck_assert(ph.truncated);
	ck_assert_uint_eq(ph.count, 1000);
	opex_kb_placeholders_release(&ph);
	/* "{" alone, "{{" at the very end, "}}" before "{{" */
	opex_kb_placeholders_scan(&ph, "{", 1);
	ck_assert_uint_eq(ph.count + ph.unclosed_line, 0);
	opex_kb_placeholders_scan(&ph, "}} {{", 5);
	ck_assert_uint_eq(ph.unclosed_line, 1);
	ck_assert_uint_eq(ph.unclosed_col, 4);
	opex_kb_placeholders_release(&ph);
	opex_kb_placeholders_scan(&ph, "{{}}", 4);
	ck_assert_uint_eq(ph.count, 1);
	ck_assert_str_eq(ph.items[0].name, "");
	opex_kb_placeholders_release(&ph);
	free(text);
}
END_TEST

START_TEST(kb_replies__channels)
{
	ck_assert_int_eq(opex_kb_channel_parse("social"), OPEX_KB_CHANNEL_SOCIAL);
	ck_assert_int_eq(opex_kb_channel_parse("Chat"), OPEX_KB_CHANNEL_NONE);
	ck_assert_int_eq(opex_kb_channel_parse(NULL), OPEX_KB_CHANNEL_NONE);
	ck_assert_str_eq(opex_kb_channel_name(OPEX_KB_CHANNEL_PHONE), "phone");
	ck_assert_uint_eq(opex_kb_channel_max_chars(OPEX_KB_CHANNEL_SOCIAL), 280);
	ck_assert_uint_eq(opex_kb_channel_max_chars(OPEX_KB_CHANNEL_NONE), 0);
}
END_TEST

static const char good_en[] =
	"---\ntitle: Card frozen\nowner: ana\nlanguage: en\nchannel: chat\n---\n"
	"Hi {{customer.first_name}}, your card is frozen (case {{case.id}}, order {{order.id}}).\n";
static const char good_fr[] =
	"---\ntitle: Carte bloquée\nowner: ana\nlanguage: fr\nchannel: chat\n"
	"translation_of: replies/cards/frozen.md\n---\n"
	"Bonjour {{customer.first_name}}, votre carte est bloquée ({{case.id}}, {{order.id}}).\n";
static const char good_id[] =
	"---\ntitle: Kartu diblokir\nowner: ana\nlanguage: id\nchannel: chat\n"
	"translation_of: replies/cards/frozen.md\n---\n"
	"Halo {{customer.first_name}}, kartu Anda diblokir ({{case.id}}, {{order.id}}).\n";

START_TEST(kb_replies__sound_replies_are_clean_and_loaded_as_replies)
{
	const char *files[] = {
		"replies/cards/frozen.md", good_en,
		"replies/cards/frozen.fr.md", good_fr,
		"replies/cards/frozen.id.md", good_id,
	};
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	size_t i;

	lint_replies(&diags, files, 6);
	for (i = 0; i < diags.count; i++)
		ck_assert_msg(strncmp(diags.items[i].rule, "reply-", 6) != 0,
			"%s: %s: %s", diags.items[i].path, diags.items[i].rule,
			diags.items[i].message);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_replies__handbook_lists_replies_and_their_variants)
{
	opex_test_repo *repo = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	const opex_kb_article *const *list;
	const opex_kb_article *src;
	opex_kb_handbook *hb;

	opex_test_repo_put(repo, "people.yaml", roster);
	opex_test_repo_put(repo, "opex.yaml", "languages: [en, fr]\n");
	opex_test_repo_put(repo, "articles/a.md", "---\ntitle: A\nowner: ana\n---\nx\n");
	opex_test_repo_put(repo, "replies/cards/frozen.md", good_en);
	opex_test_repo_put(repo, "replies/cards/frozen.fr.md", good_fr);
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0, "replies", NULL);
	hb = opex_test_handbook_load(repo, T0, &diags);
	ck_assert_uint_eq(opex_kb_handbook_article_count(hb), 3);
	ck_assert_int_eq(opex_kb_handbook_find(hb, "articles/a.md")->kind,
		OPEX_KB_KIND_ARTICLE);
	src = opex_kb_handbook_find(hb, "replies/cards/frozen.md");
	ck_assert_int_eq(src->kind, OPEX_KB_KIND_REPLY);
	ck_assert_str_eq(src->channel, "chat");
	ck_assert_uint_eq(opex_kb_handbook_translations(&list, hb, src->path), 1);
	ck_assert_str_eq(list[0]->path, "replies/cards/frozen.fr.md");
	ck_assert_ptr_eq(opex_kb_handbook_translation(hb, src, "en"), src);
	ck_assert_ptr_eq(opex_kb_handbook_translation(hb, src, "FR"), list[0]);
	ck_assert_ptr_null(opex_kb_handbook_translation(hb, src, "id"));
	ck_assert_uint_eq(opex_kb_handbook_translations(&list, hb, "replies/none.md"), 0);
	{
		size_t first = 0;

		ck_assert_uint_eq(opex_kb_handbook_replies(hb, &first), 2);
		ck_assert_uint_eq(first, 1);
	}
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

START_TEST(kb_replies__each_rule_names_file_and_line)
{
	const char *files[] = {
		/* no variant in fr or id; unknown and unclosed placeholders */
		"replies/a.md",
		"---\ntitle: A\nowner: ana\nchannel: email\n---\n"
		"Hi {{customer.frist_name}},\n\nsee {{ticket.id\n",
		/* no channel */
		"replies/b.md", "---\ntitle: B\nowner: ana\n---\nHello\n",
		/* a channel nobody has */
		"replies/c.md", "---\ntitle: C\nowner: ana\nchannel: fax\n---\nHello\n",
		/* the source of translations */
		"replies/d.md",
		"---\ntitle: D\nowner: ana\nchannel: chat\n---\nHi {{customer.name}} {{case.id}}\n",
		/* a translation lacking {{case.id}} and adding {{agent.name}} */
		"replies/d.fr.md",
		"---\ntitle: D\nowner: ana\nlanguage: fr\nchannel: chat\n"
		"translation_of: replies/d.md\n---\nSalut {{customer.name}} {{agent.name}}\n",
		/* a reply translating an article */
		"replies/e.md",
		"---\ntitle: E\nowner: ana\nlanguage: fr\nchannel: chat\n"
		"translation_of: articles/x.md\n---\nSalut\n",
		"articles/x.md", "---\ntitle: X\nowner: ana\nchannel: chat\n---\nx\n",
		/* a reply in a language the handbook does not declare */
		"replies/f.md",
		"---\ntitle: F\nowner: ana\nlanguage: de\nchannel: chat\n---\nHallo\n",
	};
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	const opex_diag *d;

	lint_replies(&diags, files, sizeof(files) / sizeof(files[0]));
	ck_assert(opex_test_has_diag(&diags, "reply-placeholder-unknown",
		"replies/a.md", 6));
	d = find(&diags, "reply-placeholder-unknown");
	ck_assert_uint_eq(d->col, 4);
	ck_assert_ptr_nonnull(strstr(d->message, "did you mean 'customer.first_name'"));
	ck_assert(opex_test_has_diag(&diags, "reply-placeholder-unclosed",
		"replies/a.md", 8));
	ck_assert(opex_test_has_diag(&diags, "reply-language-missing",
		"replies/a.md", 1));
	d = find(&diags, "reply-language-missing");
	ck_assert_ptr_nonnull(strstr(d->message, "fr, id"));
	ck_assert(opex_test_has_diag(&diags, "reply-channel-invalid",
		"replies/b.md", 1));
	ck_assert(opex_test_has_diag(&diags, "reply-channel-invalid",
		"replies/c.md", 4));
	ck_assert(opex_test_has_diag(&diags, "reply-channel-invalid",
		"articles/x.md", 4));
	ck_assert(opex_test_has_diag(&diags, "reply-placeholders-differ",
		"replies/d.fr.md", 6));
	ck_assert(opex_test_has_diag(&diags, "reply-placeholders-differ",
		"replies/e.md", 6));
	ck_assert(opex_test_has_diag(&diags, "language-invalid",
		"replies/f.md", 4));
	for (size_t i = 0; i < diags.count; i++) {
		d = &diags.items[i];
		if (strcmp(d->rule, "reply-placeholders-differ") == 0 &&
		    strcmp(d->path, "replies/d.fr.md") == 0) {
			ck_assert_ptr_nonnull(strstr(d->message, "missing {{case.id}}"));
			ck_assert_ptr_nonnull(strstr(d->message, "not in the source {{agent.name}}"));
		}
	}
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kb_replies__too_long_for_its_channel)
{
	static const char head[] =
		"---\ntitle: Long\nowner: ana\nchannel: social\n---\n";
	char *big = malloc(sizeof(head) + 1024 * 1024);
	char *fits = malloc(sizeof(head) + 700);
	const char *files[4];
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	const opex_diag *d;
	size_t n;

	/* 1 MB of text, and 280 characters of "é" between blank lines */
	memcpy(big, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	memset(big + n, 'a', 1024 * 1024 - 1);
	big[n + 1024 * 1024 - 1] = '\0';
	memcpy(fits, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	memcpy(fits + n, "\n\n", 2);
	n += 2;
	for (int i = 0; i < 280; i++, n += 2)
		memcpy(fits + n, "\xc3\xa9", 2);
	memcpy(fits + n, "\n\n\n", 4);
	files[0] = "replies/big.md";
	files[1] = big;
	files[2] = "replies/fits.md";
	files[3] = fits;
	lint_replies(&diags, files, 4);
	ck_assert(opex_test_has_diag(&diags, "reply-too-long", "replies/big.md", 6));
	d = find(&diags, "reply-too-long");
	ck_assert_ptr_nonnull(strstr(d->message, "1048575 characters"));
	ck_assert_ptr_nonnull(strstr(d->message, "at most 280"));
	ck_assert(!opex_test_has_diag(&diags, "reply-too-long", "replies/fits.md", 0));
	opex_diag_list_release(&diags);
	free(big);
	free(fits);
}
END_TEST

Suite *suite_replies(void)
{
	Suite *s = suite_create("kb_replies");
	TCase *tc = tcase_create("replies");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, kb_replies__placeholders_scanned_with_positions);
	tcase_add_test(tc, kb_replies__hostile_text_never_crashes);
	tcase_add_test(tc, kb_replies__channels);
	tcase_add_test(tc, kb_replies__sound_replies_are_clean_and_loaded_as_replies);
	tcase_add_test(tc, kb_replies__handbook_lists_replies_and_their_variants);
	tcase_add_test(tc, kb_replies__each_rule_names_file_and_line);
	tcase_add_test(tc, kb_replies__too_long_for_its_channel);
	suite_add_tcase(s, tc);
	return s;
}
