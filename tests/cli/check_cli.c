/*
 * check_cli.c: the `opex` program as users run it: exit statuses, usage
 * messages, and `opex lint` output on real repositories.
 */
#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/memory.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* 2026-01-01T00:00:00Z and 2026-06-01T00:00:00Z */
#define T_JAN 1767225600
#define T_JUN 1780272000

static opex_test_repo *broken;

static void broken_setup(void)
{
	broken = opex_test_repo_new(false);
	opex_test_repo_put_dir(broken, "tests/fixtures/broken-handbook");
	opex_test_repo_commit(broken, "Ana Lima", "ana@example.com", T_JAN,
		"Add the broken handbook", NULL);
	opex_test_repo_put(broken, "articles/source.md",
		"---\ntitle: Dispute window\nowner: ana\nlanguage: en\n---\n"
		"Customers have 120 days to dispute a card payment.\n"
		"The window starts on the transaction date.\n");
	opex_test_repo_commit(broken, "Ana Lima", "ana@example.com", T_JUN,
		"Say when the dispute window starts", NULL);
}

static void broken_teardown(void)
{
	opex_test_repo_free(broken);
	broken = NULL;
}

/* --- usage ------------------------------------------------------------- */

static const struct {
	const char *args;
	int status;
	const char *in_stdout;
	const char *in_stderr;
} usage_cases[] = {
	{ "--help", 0, "commands:", "" },
	{ "--version", 0, "opex ", "" },
	{ "", 2, "", "usage: opex" },
	{ "frobnicate", 2, "", "'frobnicate' is not an opex command" },
	{ "lint --help", 0, "usage: opex lint", "" },
	{ "articles --help", 0, "usage: opex articles", "" },
	{ "show --help", 0, "usage: opex show", "" },
	{ "lint --frob", 2, "", "unknown option '--frob'" },
	{ "lint --format xml", 2, "", "unknown format 'xml'" },
	{ "lint --rev", 2, "", "--rev needs a revision" },
	{ "lint --now yesterday", 2, "", "is not a date" },
	{ "lint a b", 2, "", "unexpected argument 'b'" },
	{ "show", 2, "", "give a handbook path" },
	{ "serve --origin /nonexistent/origin.git", 2, "",
	  "--origin needs the replica's CLONE path" },
	{ "serve c --origin /x --fetch-every 0", 2, "",
	  "--fetch-every: not a duration: '0'" },
	{ "serve c --origin /x --fetch-every 5h", 2, "", "not a duration: '5h'" },
	{ "serve --index", 2, "", "--index" },
};

START_TEST(cli_main__usage)
{
	char *out, *err;
	int status = opex_test_run_opex(usage_cases[_i].args, &out, &err);

	ck_assert_msg(status == usage_cases[_i].status,
		"'opex %s' exited %d", usage_cases[_i].args, status);
	ck_assert_msg(strstr(out, usage_cases[_i].in_stdout) != NULL,
		"'opex %s' stdout: %s", usage_cases[_i].args, out);
	ck_assert_msg(strstr(err, usage_cases[_i].in_stderr) != NULL,
		"'opex %s' stderr: %s", usage_cases[_i].args, err);
	opex_free(out);
	opex_free(err);
}
END_TEST

/* --- repository errors --------------------------------------------------- */

START_TEST(cli_lint__not_a_repository)
{
	char *dir = opex_test_tmpdir(), *out, *err;

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "lint '%s'", dir), 2);
	ck_assert_msg(strstr(err, "is not a git repository") != NULL, "%s", err);
	opex_free(out);
	opex_free(err);
	opex_test_rmtree(dir);
}
END_TEST

START_TEST(cli_serve__replica_without_an_origin)
{
	char *dir = opex_test_tmpdir(), *out, *err;

	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"serve '%s/clone' --origin /nonexistent/origin.git --port 0", dir), 2);
	ck_assert_msg(strstr(err, "cannot fetch from origin "
		"'/nonexistent/origin.git': no such repository") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "has no revision to serve yet") != NULL,
		"%s", err);
	opex_free(out);
	opex_free(err);
	opex_test_rmtree(dir);
}
END_TEST

START_TEST(cli_lint__empty_repository)
{
	opex_test_repo *repo = opex_test_repo_new(false);
	char *out, *err;

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "lint '%s'", opex_test_repo_path(repo)), 2);
	ck_assert_msg(strstr(err, "has no commits") != NULL, "%s", err);
	opex_free(out);
	opex_free(err);
	opex_test_repo_free(repo);
}
END_TEST

START_TEST(cli_lint__unknown_revision)
{
	char *out, *err;

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "lint '%s' --rev no-such-branch", opex_test_repo_path(broken)), 2);
	ck_assert_msg(strstr(err, "unknown revision 'no-such-branch'") != NULL,
		"%s", err);
	opex_free(out);
	opex_free(err);
}
END_TEST

/* --- lint on the broken fixture ----------------------------------------- */

START_TEST(cli_lint__broken_handbook_matches_expected)
{
	char *expected_path = opex_test_source_path(
		"tests/fixtures/broken-handbook.expected");
	char *expected = opex_test_read_file(expected_path, NULL);
	char *out, *err;

	ck_assert_msg(expected != NULL, "cannot read %s", expected_path);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "lint '%s' --now 2026-06-15 --no-cache", opex_test_repo_path(broken)), 1);
	ck_assert_msg(strcmp(out, expected) == 0,
		"opex lint output differs from %s:\n%s", expected_path, out);
	ck_assert_msg(strstr(err, "error") != NULL, "%s", err);
	opex_free(out);
	opex_free(err);
	opex_free(expected);
	opex_free(expected_path);
}
END_TEST

START_TEST(cli_lint__json_lists_the_same_findings)
{
	char *out, *err;

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "lint '%s' --now 2026-06-15 --format json", opex_test_repo_path(broken)), 1);
	ck_assert(strstr(out, "\"diagnostics\"") != NULL);
	ck_assert(strstr(out, "\"rule\": \"owner-unknown\"") != NULL);
	ck_assert(strstr(out, "\"path\": \"articles/unknown-owner.md\"") != NULL);
	ck_assert(strstr(out, "\"warnings\": 2") != NULL);
	opex_free(out);
	opex_free(err);
}
END_TEST

START_TEST(cli_lint__older_revision)
{
	char *out, *err;

	/* Before the source changed, its translation was current. */
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "lint '%s' --rev HEAD~1 --now 2026-06-15", opex_test_repo_path(broken)), 1);
	ck_assert(strstr(out, "[translation-outdated]") == NULL);
	ck_assert(strstr(out, "[review-overdue]") != NULL);
	opex_free(out);
	opex_free(err);
}
END_TEST

/* --- articles and show ------------------------------------------------- */

START_TEST(cli_articles__states)
{
	char *out, *err;

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "articles '%s' --now 2026-06-15", opex_test_repo_path(broken)), 0);
	ck_assert_msg(strstr(out, "articles/old.md\ten\tana\t2026-01-01\tstale\t") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "articles/source.fr.md\tfr\tana\t2026-01-01\toutdated\t") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "articles/source.md\ten\tana\t2026-06-01\tok\t") != NULL, "%s", out);
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "articles '%s' --now 2026-06-15 --format json", opex_test_repo_path(broken)), 0);
	ck_assert(strstr(out, "\"outdated\": true") != NULL);
	opex_free(out);
	opex_free(err);
}
END_TEST

START_TEST(cli_show__renders_safely)
{
	char *out, *err;

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "show '%s' articles/broken-link.md", opex_test_repo_path(broken)), 0);
	ck_assert_msg(strstr(out, "<h1>Links that go nowhere</h1>") != NULL, "%s", out);
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "show '%s' articles/nope.md", opex_test_repo_path(broken)), 2);
	ck_assert_msg(strstr(err, "'articles/nope.md' is not an article") != NULL, "%s", err);
	opex_free(out);
	opex_free(err);
}
END_TEST

/* --- the sample handbook ------------------------------------------------ */

START_TEST(cli_lint__sample_handbook_warns_and_passes)
{
	char *script = opex_test_source_path("scripts/sample-handbook");
	char *dir = opex_test_tmpdir(), *out, *err;
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "'%.2000s' '%.2000s/hb' >/dev/null", script, dir);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
	snprintf(cmd, sizeof(cmd), "%.4000s/hb", dir);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "lint '%s'", cmd), 0);
	ck_assert_msg(strstr(out, ": error:") == NULL, "%s", out);
	ck_assert_msg(strstr(out, "[review-overdue]") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "[translation-outdated]") != NULL, "%s", out);
	opex_free(out);
	opex_free(err);
	opex_free(script);
	opex_test_rmtree(dir);
}
END_TEST

/* opex route on the sample: a covered contact, a gap, and /routing's data as JSON. */
START_TEST(cli_route__sample_handbook)
{
	char *script = opex_test_source_path("scripts/sample-handbook");
	char *dir = opex_test_tmpdir(), *out, *err;
	char cmd[4096], hb[4100];

	snprintf(cmd, sizeof(cmd), "'%.2000s' '%.2000s/hb' >/dev/null", script, dir);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
	snprintf(hb, sizeof(hb), "%.4000s/hb", dir);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "route '%s' --journey cards --market fr --language fr", hb), 0);
	ck_assert_msg(strstr(out, "team: Front end (France) (front-end-fr)") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "escalates to: Back office") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "lost-card-abroad.dot") != NULL, "%s", out);
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "route '%s' --journey chargebacks --market id --language id --format json", hb), 1);
	ck_assert_msg(strstr(out, "\"team\": null") != NULL, "%s", out);
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "route '%s' --journey", hb), 2);
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "lint '%s'", hb), 0);
	ck_assert_msg(strstr(out, "chargebacks contacts in market id in id [routing-gap]") != NULL, "%s", out);
	opex_free(out);
	opex_free(err);
	opex_free(script);
	opex_test_rmtree(dir);
}
END_TEST

Suite *suite_cli(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("usage");

	tcase_add_loop_test(tc, cli_main__usage, 0,
		(int)(sizeof(usage_cases) / sizeof(usage_cases[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("lint");
	tcase_add_checked_fixture(tc, broken_setup, broken_teardown);
	tcase_add_test(tc, cli_lint__not_a_repository);
	tcase_add_test(tc, cli_serve__replica_without_an_origin);
	tcase_add_test(tc, cli_lint__empty_repository);
	tcase_add_test(tc, cli_lint__unknown_revision);
	tcase_add_test(tc, cli_lint__broken_handbook_matches_expected);
	tcase_add_test(tc, cli_lint__json_lists_the_same_findings);
	tcase_add_test(tc, cli_lint__older_revision);
	tcase_add_test(tc, cli_articles__states);
	tcase_add_test(tc, cli_show__renders_safely);
	suite_add_tcase(s, tc);

	tc = tcase_create("sample");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, cli_lint__sample_handbook_warns_and_passes);
	tcase_add_test(tc, cli_route__sample_handbook);
	suite_add_tcase(s, tc);
	return s;
}
