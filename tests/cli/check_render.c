/*
 * check_render.c: `opex render` and `opex diff` on temporary repositories,
 * and `opex lint` over process maps.
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

#define T0 1767225600

static const char people[] =
	"people:\n"
	"  - id: ana\n    name: Ana Lima\n    email: ana@example.com\n"
	"  - id: ben\n    name: Ben Okafor\n    email: ben@example.com\n";

static const char v1[] =
	"digraph refund {\n  title=\"Refund\"; owner=ana; champion=ben;\n"
	"  s [kind=start, label=\"Asks\"];\n"
	"  c [kind=decision, label=\"In 30 days?\"];\n"
	"  r [label=\"Refund\", article=\"articles/r.md\"];\n"
	"  e [kind=end, label=\"Refunded\"];\n"
	"  n [kind=end, label=\"Declined\"];\n"
	"  s -> c; c -> r [label=yes]; c -> n [label=no]; r -> e;\n}\n";

/* v1 reformatted: no semantic change. */
static const char v2[] =
	"digraph refund { owner=\"ana\" champion=\"ben\" title=\"Refund\" rankdir=LR\n"
	"  n [kind=end label=Declined] e [kind=end label=Refunded]\n"
	"  r [label=Refund article=\"articles/r.md\" color=blue]\n"
	"  c [shape=diamond label=\"In 30 days?\"] s [kind=start label=Asks]\n"
	"  r -> e  c -> n [label=no]  c -> r [label=yes]  s -> c }\n";

/* v2 with a relabelled decision, an added check and a new champion. */
static const char v3[] =
	"digraph refund {\n  title=\"Refund\"; owner=ana; champion=ana;\n"
	"  s [kind=start, label=\"Asks\"];\n"
	"  c [kind=decision, label=\"Within 30 days?\"];\n"
	"  k [label=\"Check the receipt\", article=\"articles/r.md\"];\n"
	"  r [label=\"Refund\", article=\"articles/r.md\"];\n"
	"  e [kind=end, label=\"Refunded\"];\n"
	"  n [kind=end, label=\"Declined\"];\n"
	"  s -> c; c -> k [label=yes]; k -> r; c -> n [label=no]; r -> e;\n}\n";

static opex_test_repo *repo;
static char c1[41], c2[41], c3[41];

static void setup(void)
{
	repo = opex_test_repo_new(false);
	opex_test_repo_put(repo, "people.yaml", people);
	opex_test_repo_put(repo, "articles/r.md", "---\ntitle: Refunds\nowner: ana\n---\nHow.\n");
	opex_test_repo_put(repo, "processes/refund.dot", v1);
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0, "one", c1);
	opex_test_repo_put(repo, "processes/refund.dot", v2);
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0 + 60, "two", c2);
	opex_test_repo_put(repo, "processes/refund.dot", v3);
	opex_test_repo_put(repo, "processes/broken.dot", "digraph {\n  a -> ;\n}\n");
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0 + 120, "three", c3);
}

static void teardown(void)
{
	opex_test_repo_free(repo);
	repo = NULL;
}

START_TEST(cli_render__svg_to_stdout_and_file)
{
	char *out, *err, *file;
	const char *path = opex_test_repo_path(repo);
	char *dir = opex_test_tmpdir();
	char target[4200];
	size_t len;
	int status;

	status = opex_test_run_opexf(&out, &err, "render '%s' processes/refund.dot --rev %s", path, c1);
	ck_assert_msg(status == 0, "exit %d: %s", status, err);
	ck_assert_ptr_nonnull(strstr(out, "<svg"));
	ck_assert_ptr_nonnull(strstr(out, "role=\"img\""));
	ck_assert_ptr_nonnull(strstr(out, "xlink:href=\"articles/r.md\""));
	opex_free(err);
	snprintf(target, sizeof(target), "%s/refund.svg", dir);
	status = opex_test_run_opexf(&file, &err, "render '%s' processes/refund.dot --rev %s -o '%s'",
		path, c1, target);
	ck_assert_int_eq(status, 0);
	opex_free(file);
	opex_free(err);
	file = opex_test_read_file(target, &len);
	ck_assert_ptr_nonnull(file);
	ck_assert_str_eq(file, out);
	opex_free(file);
	opex_free(out);
	opex_test_rmtree(dir);
}
END_TEST

START_TEST(cli_render__formats_and_errors)
{
	char *out, *err;
	const char *path = opex_test_repo_path(repo);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "render '%s' processes/refund.dot --format dot", path), 0);
	ck_assert_ptr_nonnull(strstr(out, "digraph \"opex\""));
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "render '%s' processes/broken.dot", path), 1);
	ck_assert_ptr_nonnull(strstr(err, "processes/broken.dot:2:1: error:"));
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "render '%s' processes/none.dot", path), 2);
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "render '%s' processes/refund.dot --format gif", path), 2);
	ck_assert_ptr_nonnull(strstr(err, "unknown format 'gif'"));
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "render --help"), 0);
	ck_assert_ptr_nonnull(strstr(out, "usage: opex render"));
	opex_free(out);
	opex_free(err);
}
END_TEST

START_TEST(cli_diff__reformat_is_silent_and_changes_are_listed)
{
	char *out, *err;
	const char *path = opex_test_repo_path(repo);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "diff '%s' %s %s", path, c1, c2), 0);
	ck_assert_str_eq(out, "");
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "diff '%s' %s %s processes/refund.dot", path, c2, c3), 0);
	ck_assert_ptr_nonnull(strstr(out, "processes/refund.dot\n"));
	ck_assert_ptr_nonnull(strstr(out, "~ champion: ben -> ana"));
	ck_assert_ptr_nonnull(strstr(out, "+ node 'k' (action) \"Check the receipt\""));
	ck_assert_ptr_nonnull(strstr(out, "~ node 'c' relabelled: \"In 30 days?\" -> \"Within 30 days?\""));
	ck_assert_ptr_nonnull(strstr(out, "- edge 'c' -> 'r' [yes]"));
	ck_assert_ptr_nonnull(strstr(out, "+ edge 'c' -> 'k' [yes]"));
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "diff '%s' %s %s --format json", path, c2, c3), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"change\": \"node-added\""));
	ck_assert_ptr_nonnull(strstr(out, "\"maps_compared\": 1"));
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "diff '%s' %s %s processes/refund.dot --format svg", path, c2, c3), 0);
	ck_assert_ptr_nonnull(strstr(out, "#2e7d32"));
	ck_assert_ptr_nonnull(strstr(out, "stroke-dasharray"));
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "diff %s", c2), 2);
	ck_assert_ptr_nonnull(strstr(err, "two revisions"));
	opex_free(out);
	opex_free(err);
}
END_TEST

START_TEST(cli_lint__maps_and_suppressions_in_json)
{
	char *out, *err;
	const char *path = opex_test_repo_path(repo);
	int status = opex_test_run_opexf(&out, &err, "lint '%s' --format json --now 2026-01-02", path);

	ck_assert_int_eq(status, 1);
	ck_assert_ptr_nonnull(strstr(out, "\"rule\": \"dot-syntax\""));
	ck_assert_ptr_nonnull(strstr(out, "\"rule\": \"owner-is-champion\""));
	ck_assert_ptr_nonnull(strstr(out, "\"maps\": 2"));
	ck_assert_ptr_nonnull(strstr(out, "\"suppressions\": []"));
	opex_free(out);
	opex_free(err);
}
END_TEST

Suite *suite_render(void)
{
	Suite *s = suite_create("cli_render");
	TCase *tc = tcase_create("render_and_diff");

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cli_render__svg_to_stdout_and_file);
	tcase_add_test(tc, cli_render__formats_and_errors);
	tcase_add_test(tc, cli_diff__reformat_is_silent_and_changes_are_listed);
	tcase_add_test(tc, cli_lint__maps_and_suppressions_in_json);
	suite_add_tcase(s, tc);
	return s;
}
