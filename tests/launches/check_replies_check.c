/*
 * check_replies_check.c: the launch check replies-translated
 * (launches/checks.c): the quick texts a launch's maps name, in every
 * launch language and none outdated, with reasons naming file and line.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "launches/launches.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#include "core/banned.h"

#define T0 1767225600 /* 2026-01-01 */

static const char launch_md[] =
	"---\ntitle: Cards in Indonesia\nowner: ana\nmarkets: [id]\n"
	"languages: [en, id]\nprocesses: [processes/lost.dot]\n"
	"gates:\n  - id: go-live\n    approvers: [ana]\n"
	"    checks: [replies-translated]\n---\n";

static const char map_dot[] =
	"digraph lost {\n"
	"  title=\"Lost\"; owner=\"ana\"; champion=\"ben\";\n"
	"  start [kind=start, label=\"Start\"];\n"
	"  freeze [label=\"Freeze\", reply=\"replies/frozen.md\"];\n"
	"  ship [label=\"Ship\", reply=\"replies/shipped.md, replies/gone.md\"];\n"
	"  done [kind=end, label=\"Done\"];\n"
	"  start -> freeze -> ship -> done;\n"
	"}\n";

static const char *reply(char b[512], const char *title, const char *lang,
	const char *source)
{
	snprintf(b, 512, "---\ntitle: %s\nowner: ana\nlanguage: %s\nchannel: chat\n"
		"%s%s%s---\nHello {{customer.first_name}}\n", title, lang,
		source ? "translation_of: " : "", source ? source : "",
		source ? "\n" : "");
	return b;
}

START_TEST(launches_replies__each_missing_variant_is_a_reason)
{
	opex_test_repo *repo = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_launch_check_result res;
	opex_kb_handbook *hb;
	opex_launch *l;
	size_t i;
	bool gone = false, shipped_id = false, outdated = false;
	char b[512];

	opex_test_repo_put(repo, "people.yaml",
		"people:\n  - id: ana\n    name: Ana\n    email: ana@x.io\n"
		"  - id: ben\n    name: Ben\n    email: ben@x.io\n");
	opex_test_repo_put(repo, "opex.yaml", "languages: [en, id]\n");
	opex_test_repo_put(repo, "processes/lost.dot", map_dot);
	opex_test_repo_put(repo, "launches/l.md", launch_md);
	opex_test_repo_put(repo, "replies/frozen.md", reply(b, "Frozen", "en", NULL));
	opex_test_repo_put(repo, "replies/frozen.id.md",
		reply(b, "Beku", "id", "replies/frozen.md"));
	opex_test_repo_put(repo, "replies/shipped.md", reply(b, "Shipped", "en", NULL));
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0, "one", NULL);
	/* the source changes after its translation: outdated */
	opex_test_repo_put(repo, "replies/frozen.md", reply(b, "Frozen!", "en", NULL));
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0 + 3600, "two", NULL);
	hb = opex_test_handbook_load(repo, T0 + 7200, &diags);
	l = opex_launch_parse("launches/l.md", launch_md, strlen(launch_md), &diags);
	ck_assert_ptr_nonnull(l);
	memset(&res, 0, sizeof(res));
	opex_launch_check_run(&res, OPEX_LAUNCH_CHECK_REPLIES_TRANSLATED, l, hb, NULL);
	ck_assert_int_eq(res.state, OPEX_LAUNCH_CHECK_FAIL);
	for (i = 0; i < res.reason_count; i++) {
		const opex_launch_reason *r = &res.reasons[i];

		if (strcmp(r->message, "reply 'replies/gone.md' does not exist") == 0 &&
		    strcmp(r->path, "processes/lost.dot") == 0 && r->line == 5)
			gone = true;
		if (strcmp(r->message, "'replies/shipped.md' has no 'id' translation") == 0 &&
		    r->line == 5)
			shipped_id = true;
		if (strstr(r->message, "'id' translation is outdated") != NULL &&
		    strcmp(r->path, "replies/frozen.id.md") == 0)
			outdated = true;
	}
	ck_assert_msg(gone && shipped_id && outdated, "%zu reasons, first: %s",
		res.reason_count, res.reason_count ? res.reasons[0].message : "");
	ck_assert_uint_eq(res.reason_count, 3);
	opex_launch_check_result_release(&res);

	/* the articles check does not look at replies */
	memset(&res, 0, sizeof(res));
	opex_launch_check_run(&res, OPEX_LAUNCH_CHECK_TRANSLATIONS_COMPLETE, l, hb, NULL);
	ck_assert_int_eq(res.state, OPEX_LAUNCH_CHECK_PASS);
	opex_launch_check_result_release(&res);
	ck_assert_int_eq(opex_launch_check_parse("replies-translated"),
		OPEX_LAUNCH_CHECK_REPLIES_TRANSLATED);
	opex_launch_free(l);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

Suite *suite_replies_check(void)
{
	Suite *s = suite_create("launches_replies");
	TCase *tc = tcase_create("replies");

	tcase_add_test(tc, launches_replies__each_missing_variant_is_a_reason);
	suite_add_tcase(s, tc);
	return s;
}
