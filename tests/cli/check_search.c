/*
 * check_search.c: `opex index` and `opex search` end to end on temporary
 * repositories: what they print, exit statuses, incremental updates.
 */
#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/memory.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/banned.h"

#define T0 1767225600 /* 2026-01-01 */

static opex_test_repo *repo;

static void setup(void)
{
	repo = opex_test_repo_new(false);
	opex_test_repo_put(repo, "people.yaml",
		"people:\n  - id: ana\n    name: Ana Lima\n    email: ana@example.com\n");
	opex_test_repo_put(repo, "articles/cards/lost-card.md",
		"---\ntitle: Lost card\nowner: ana\nlanguage: en\njourney: cards\n"
		"markets: [uk]\n---\n# Lost card\n\nFreeze it first.\n\n"
		"## Refunds\n\nA refund of the `<fees>` is possible.\n");
	opex_test_repo_put(repo, "articles/cards/carte-perdue.md",
		"---\ntitle: Carte perdue\nowner: ana\nlanguage: fr\njourney: cards\n"
		"markets: [fr]\n---\nBloquer la carte puis demander un remboursement.\n");
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0, "Add", NULL);
}

static void teardown(void)
{
	opex_test_repo_free(repo);
	repo = NULL;
}

static void expect(const char *text, const char *part)
{
	ck_assert_msg(strstr(text, part) != NULL, "'%s' not in:\n%s", part, text);
}

START_TEST(cli_search__index_then_search)
{
	const char *dir = opex_test_repo_path(repo);
	char *out, *err, path[4200];
	struct stat sb;

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "index '%s'", dir), 0);
	expect(out, "indexed 2 articles at ");
	expect(out, "(built from scratch)");
	opex_free(out);
	opex_free(err);
	snprintf(path, sizeof(path), "%s/.git/opex/index.sqlite", dir);
	ck_assert_int_eq(stat(path, &sb), 0);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "index '%s'", dir), 0);
	expect(out, "index is up to date at ");
	/* Piped: no progress bar, no escape sequences. */
	ck_assert_ptr_null(strchr(err, '\033'));
	ck_assert_ptr_null(strchr(out, '\033'));
	opex_free(out);
	opex_free(err);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "search '%s' refunds", dir), 0);
	expect(out, "1. Lost card  [stale]\n");
	expect(out, "articles/cards/lost-card.md  en  ana  \xC2\xA7 Refunds\n");
	expect(out, "A **refund** of the <fees> is possible.");
	ck_assert_ptr_null(strchr(out, '\033'));
	expect(out, "1-1 of 1 result at ");
	ck_assert_str_eq(err, "");
	opex_free(out);
	opex_free(err);
}
END_TEST

START_TEST(cli_search__json_and_filters)
{
	const char *dir = opex_test_repo_path(repo);
	char *out, *err;

	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"search '%s' 'carte OR card' --format json", dir), 0);
	expect(out, "\"total\": 2");
	expect(out, "\"language\": [");
	opex_free(out);
	opex_free(err);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"search '%s' 'refund' --format json --now 2026-01-05", dir), 0);
	expect(out, "\"snippet\": \"A <mark>refund</mark> of the &lt;fees&gt; is possible.\"");
	expect(out, "\"section\": \"Refunds\"");
	expect(out, "\"stale\": false");
	opex_free(out);
	opex_free(err);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "search '%s' 'lang:fr'", dir), 0);
	expect(out, "Carte perdue");
	ck_assert_ptr_null(strstr(out, "Lost card"));
	opex_free(out);
	opex_free(err);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "search '%s' -- '-carte'", dir), 0);
	expect(out, "Lost card");
	ck_assert_ptr_null(strstr(out, "Carte perdue"));
	opex_free(out);
	opex_free(err);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "search '%s' card --limit 1 --offset 1",
		dir), 1);
	expect(out, "no results on this page (1 in all)");
	opex_free(out);
	opex_free(err);
}
END_TEST

START_TEST(cli_search__exit_statuses)
{
	const char *dir = opex_test_repo_path(repo);
	char *out, *err;

	/* No result: 1, with a suggestion. */
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "search '%s' refnd", dir), 1);
	expect(out, "no results\n");
	expect(out, "did you mean: refund\n");
	opex_free(out);
	opex_free(err);

	/* Warnings go to stderr, the search still runs. */
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "search '%s' 'refund lang:'", dir), 0);
	expect(err, "opex search: 'lang:' has no value: ignored");
	opex_free(out);
	opex_free(err);

	/* Usage and query errors: 2. */
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "search"), 2);
	expect(err, "what to search for?");
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "search '%s' '  '", dir), 2);
	expect(err, "nothing to search for");
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "search '%s' card --limit x", dir), 2);
	expect(err, "--limit: 'x' is not a number");
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "search /nonexistent/repo card"), 2);
	expect(err, "opex search: ");
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "search '%s' card --rev nope", dir), 2);
	opex_free(out);
	opex_free(err);
}
END_TEST

START_TEST(cli_search__incremental_and_index_option)
{
	const char *dir = opex_test_repo_path(repo);
	char *out, *err, *tmp = opex_test_tmpdir();

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "index '%s' --index '%s/i.sqlite'", dir,
		tmp), 0);
	expect(out, "indexed 2 articles");
	opex_free(out);
	opex_free(err);

	opex_test_repo_put(repo, "articles/cards/new.md",
		"---\ntitle: Card limits\nowner: ana\nlanguage: en\n---\nDaily limits.\n");
	opex_test_repo_remove(repo, "articles/cards/carte-perdue.md");
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0 + 60,
		"Change", NULL);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "index '%s' --index '%s/i.sqlite'", dir,
		tmp), 0);
	expect(out, ": 1 added, 0 changed, 1 removed, 0 renamed, 1 unchanged in ");
	opex_free(out);
	opex_free(err);

	/* search brings the index up to date first */
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "search '%s' limits --index '%s/j.sqlite'",
		dir, tmp), 0);
	expect(out, "Card limits");
	opex_free(out);
	opex_free(err);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"index '%s' --index '%s/i.sqlite' --rebuild --rev HEAD~1", dir, tmp), 0);
	expect(out, "indexed 2 articles");
	opex_free(out);
	opex_free(err);
	opex_test_rmtree(tmp);
}
END_TEST

Suite *suite_search(void)
{
	Suite *s = suite_create("cli_search");
	TCase *tc = tcase_create("search");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cli_search__index_then_search);
	tcase_add_test(tc, cli_search__json_and_filters);
	tcase_add_test(tc, cli_search__exit_statuses);
	tcase_add_test(tc, cli_search__incremental_and_index_option);
	suite_add_tcase(s, tc);
	return s;
}
