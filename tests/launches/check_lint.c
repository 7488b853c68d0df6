/*
 * check_lint.c: launch files checked against the handbook, and the
 * handbook-wide lint (articles, maps and launches, then the configuration).
 */
#include <check.h>
#include <string.h>

#include "launches/launches.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#define T0 1767225600 /* 2026-01-01 */

static const char people_yaml[] =
	"people:\n"
	"  - id: ana\n    name: Ana Lima\n    email: ana@example.com\n    teams: [leads]\n"
	"  - id: ben\n    name: Ben Okafor\n    email: ben@example.com\n    teams: [leads]\n"
	"teams:\n  - id: leads\n    name: Leads\n";

static const char map_dot[] =
	"digraph t {\n"
	"  title=\"Test\"; owner=\"ana\"; champion=\"ben\"; review_by=\"2099-01-01\";\n"
	"  start [kind=start, label=\"Begin\"];\n"
	"  act   [kind=action, label=\"Do it\", article=\"articles/a.md\"];\n"
	"  done  [kind=end, label=\"Done\"];\n"
	"  start -> act; act -> done;\n"
	"}\n";

static const char launch_md[] =
	"---\n"
	"title: Launch\n"
	"date: 2027-03-01\n"
	"owner: zoe\n"
	"processes: [processes/t.dot, processes/gone.dot]\n"
	"articles: [articles/a.md, articles/gone.md]\n"
	"stakeholders: [leads, nobody]\n"
	"gates:\n"
	"  - id: go-live\n"
	"    title: Go-live\n"
	"    approvers: [leads, ghost]\n"
	"    quorum: 3\n"
	"    checks: [processes-lint]\n"
	"  - id: after\n"
	"    title: After\n"
	"    approvers: [ana]\n"
	"    quorum: {all_of: [{team: leads, n: 5}]}\n"
	"---\n"
	"- [ ] Capacity plan approved {gate: go-live}\n";

static size_t count_rule(const opex_diag_list *diags, const char *rule)
{
	size_t i, n = 0;

	for (i = 0; i < diags->count; i++)
		n += strcmp(diags->items[i].rule, rule) == 0;
	return n;
}

START_TEST(launches_lint__names_what_the_handbook_lacks)
{
	opex_test_repo *r = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb;

	opex_test_repo_put(r, "people.yaml", people_yaml);
	opex_test_repo_put(r, "articles/a.md", "---\ntitle: A\nowner: ana\n---\nA\n");
	opex_test_repo_put(r, "processes/t.dot", map_dot);
	opex_test_repo_put(r, "launches/l.md", launch_md);
	opex_test_repo_commit(r, "Ana Lima", "ana@example.com", T0, "Add", NULL);
	hb = opex_test_handbook_load(r, T0, &diags);
	ck_assert_int_eq(opex_launch_lint_handbook(hb, &diags, NULL, NULL), 0);
	ck_assert(opex_test_has_diag(&diags, "person-unknown", "launches/l.md", 4));
	ck_assert(opex_test_has_diag(&diags, "process-missing", "launches/l.md", 5));
	ck_assert(opex_test_has_diag(&diags, "article-missing", "launches/l.md", 6));
	ck_assert(opex_test_has_diag(&diags, "person-unknown", "launches/l.md", 7));
	ck_assert(opex_test_has_diag(&diags, "approver-unknown", "launches/l.md", 11));
	ck_assert(opex_test_has_diag(&diags, "quorum-too-large", "launches/l.md", 0));
	/* What exists is not reported: one missing process, one missing article. */
	ck_assert_uint_eq(count_rule(&diags, "process-missing"), 1);
	ck_assert_uint_eq(count_rule(&diags, "article-missing"), 1);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(r);
}
END_TEST

START_TEST(launches_lint__config_applies_to_every_rule)
{
	opex_test_repo *r = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb;

	opex_test_repo_put(r, "people.yaml", people_yaml);
	opex_test_repo_put(r, ".opex/lint.yaml",
		"rules:\n  step-without-article: off\n  title-missing: warning\n"
		"  orphan-article: error\n  no-such-rule: off\n");
	opex_test_repo_put(r, "articles/a.md", "---\nowner: ana\n---\nA\n");
	opex_test_repo_put(r, "processes/a.dot",
		"digraph t {\n"
		"  title=\"Test\"; owner=\"ana\"; champion=\"ben\"; review_by=\"2099-01-01\";\n"
		"  start [kind=start, label=\"Begin\"];\n"
		"  act   [kind=action, label=\"Do it\", article=\"articles/a.md\"];\n"
		"  x     [kind=action, label=\"X\"];\n"
		"  done  [kind=end, label=\"Done\"];\n"
		"  start -> act; act -> x; x -> done;\n"
		"}\n");
	opex_test_repo_commit(r, "Ana Lima", "ana@example.com", T0, "Add", NULL);
	hb = opex_test_handbook_load(r, T0, &diags);
	ck_assert_int_eq(opex_launch_lint_handbook(hb, &diags, NULL, NULL), 0);
	ck_assert(!opex_test_has_diag(&diags, "step-without-article", NULL, 0));
	ck_assert(opex_test_has_diag(&diags, "title-missing", "articles/a.md", 0));
	ck_assert(opex_test_has_diag(&diags, "lint-config-invalid", ".opex/lint.yaml", 5));
	ck_assert_uint_eq(opex_diag_count(&diags, OPEX_SEVERITY_ERROR), 0);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(r);
}
END_TEST

Suite *suite_lint(void)
{
	Suite *s = suite_create("launches_lint");
	TCase *tc = tcase_create("opex_launch_lint_handbook");

	tcase_add_test(tc, launches_lint__names_what_the_handbook_lacks);
	tcase_add_test(tc, launches_lint__config_applies_to_every_rule);
	suite_add_tcase(s, tc);
	return s;
}
