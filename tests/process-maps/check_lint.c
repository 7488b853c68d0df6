/*
 * check_lint.c: every process-map rule, each with a map that fires it and
 * one that does not; suppressions; the handbook-wide rules.
 */
#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/memory.h"
#include "process-maps/process_maps_int.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

#define T0 1767225600 /* 2026-01-01 */
#define PATH "processes/t.dot"

#define HEAD(owner, champion, review) \
	"digraph t {\n" \
	"  title=\"Test\"; owner=\"" owner "\"; champion=\"" champion "\";\n" \
	"  review_by=\"" review "\";\n"

/* A clean map: a rework loop that a decision leaves. */
#define BODY \
	"  start [kind=start, label=\"Begin\"];\n" \
	"  act   [kind=action, label=\"Do it\", article=\"articles/a.md\"];\n" \
	"  dec   [kind=decision, label=\"Done right?\"];\n" \
	"  fix   [kind=action, label=\"Fix it\", article=\"articles/a.md\"];\n" \
	"  done  [kind=end, label=\"Done\"];\n" \
	"  start -> act; act -> dec;\n" \
	"  dec -> done [label=\"yes\"]; dec -> fix [label=\"no\"];\n" \
	"  fix -> act;\n"

#define GOOD_HEAD HEAD("ana", "ben", "2099-01-01")
#define CLEAN GOOD_HEAD BODY "}\n"
#define WITH(extra) GOOD_HEAD BODY extra "}\n"

static opex_test_repo *repo;
static opex_kb_repo *kb_repo;
static opex_kb_person people[2];
static opex_kb_team teams[1];
static opex_kb_roster roster;

static void setup(void)
{
	opex_error err = OPEX_ERROR_INIT;

	repo = opex_test_repo_new(false);
	opex_test_repo_put(repo, "articles/a.md", "---\ntitle: A\nowner: ana\n---\nA\n");
	opex_test_repo_put(repo, "replies/r.md",
		"---\ntitle: R\nowner: ana\nchannel: chat\n---\nHello\n");
	opex_test_repo_put(repo, "processes/sub.dot", CLEAN);
	opex_test_repo_commit(repo, "Ana Lima", "ana@example.com", T0, "Add", NULL);
	ck_assert_msg(opex_kb_repo_open(&kb_repo, opex_test_repo_path(repo),
		NULL, &err) == 0, "%s", err.message);
	memset(people, 0, sizeof(people));
	people[0].id = (char *)(uintptr_t)"ana";
	people[1].id = (char *)(uintptr_t)"ben";
	roster.people = people;
	roster.person_count = 2;
	memset(teams, 0, sizeof(teams));
	teams[0].id = (char *)(uintptr_t)"desk";
	roster.teams = teams;
	roster.team_count = 1;
}

static void teardown(void)
{
	opex_kb_repo_free(kb_repo);
	opex_test_repo_free(repo);
	kb_repo = NULL;
	repo = NULL;
}

/* Load and lint `text`; NULL map (a dot-syntax failure) is fine. */
static void lint(const char *text, opex_diag_list *diags,
	opex_pm_lint_report *report)
{
	opex_pm_lint_context ctx = OPEX_PM_LINT_CONTEXT_INIT;
	opex_pm_map *map = NULL;
	int rc = opex_pm_map_load(&map, PATH, text, strlen(text), diags, NULL);

	(void)rc;
	ctx.roster = &roster;
	ctx.repo = kb_repo;
	ctx.now = T0;
	if (map != NULL)
		opex_pm_lint_map(map, &ctx, diags, report);
	opex_pm_map_free(map);
}

START_TEST(pm_lint__clean_map_has_no_findings)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;

	lint(CLEAN, &diags, NULL);
	if (diags.count)
		opex_test_dump_diags(&diags);
	ck_assert_uint_eq(diags.count, 0);
	opex_diag_list_release(&diags);
}
END_TEST

static const struct {
	const char *rule;
	const char *fires;
	unsigned line;     /* where it fires; 0: not checked */
	const char *clean;
} cases[] = {
	{ "dot-syntax", "digraph t {\n  a ->\n}\n", 3, CLEAN },
	{ "dot-syntax", "strict digraph t {\n  a -> b;\n}\n", 1, CLEAN },
	{ "unknown-attribute", WITH("  graph [shpae=box];\n"), 12, CLEAN },
	{ "unknown-attribute", WITH("  edge [lable=x];\n"), 12,
	  WITH("  edge [label=x];\n") },
	{ "duplicate-node-declaration", WITH("  done [label=\"Finished\"];\n"), 12,
	  WITH("  done;\n") },
	{ "duplicate-edge", WITH("  start -> act;\n"), 12,
	  WITH("  dec -> done [label=\"maybe\"];\n") },
	{ "invalid-kind",
	  WITH("  x [kind=task, label=\"X\", article=\"articles/a.md\"];\n"
	       "  dec -> x [label=\"maybe\"]; x -> done;\n"), 12,
	  WITH("  x [kind=action, label=\"X\", article=\"articles/a.md\"];\n"
	       "  dec -> x [label=\"maybe\"]; x -> done;\n") },
	{ "start-required",
	  GOOD_HEAD "  a [label=\"A\", article=\"articles/a.md\"];\n"
	  "  e [kind=end, label=\"E\"];\n  a -> e;\n}\n", 1, CLEAN },
	{ "single-start", WITH("  s2 [kind=start, label=\"Again\"];\n  s2 -> act;\n"),
	  12, CLEAN },
	{ "end-required",
	  GOOD_HEAD "  s [kind=start, label=\"S\"];\n"
	  "  a [label=\"A\", article=\"articles/a.md\"];\n  s -> a;\n}\n", 1,
	  CLEAN },
	{ "no-implicit-start",
	  WITH("  o [label=\"O\", article=\"articles/a.md\"];\n  o -> done;\n"), 12,
	  CLEAN },
	{ "no-implicit-end",
	  WITH("  stuck [label=\"S\", article=\"articles/a.md\"];\n"
	       "  dec -> stuck [label=\"maybe\"];\n"), 12, CLEAN },
	{ "unreachable-node",
	  WITH("  u [kind=decision, label=\"Again?\"];\n"
	       "  u -> u [label=\"again\"]; u -> done [label=\"stop\"];\n"), 12,
	  CLEAN },
	{ "dead-end",
	  WITH("  d [kind=decision, label=\"Spin?\"];\n"
	       "  dec -> d [label=\"maybe\"]; d -> d [label=\"yes\"];\n"
	       "  d -> d [label=\"no\"];\n"), 12, CLEAN },
	{ "implicit-split", WITH("  act -> done;\n"), 5, CLEAN },
	{ "decision-needs-branches",
	  WITH("  d2 [kind=decision, label=\"Sure?\"];\n"
	       "  dec -> d2 [label=\"maybe\"]; d2 -> done [label=\"yes\"];\n"), 12,
	  WITH("  d2 [kind=decision, label=\"Sure?\"];\n"
	       "  dec -> d2 [label=\"maybe\"]; d2 -> done [label=\"yes\"];\n"
	       "  d2 -> fix [label=\"no\"];\n") },
	{ "loop-without-exit",
	  WITH("  l1 [label=\"L1\", article=\"articles/a.md\"];\n"
	       "  l2 [label=\"L2\", article=\"articles/a.md\"];\n"
	       "  dec -> l1 [label=\"maybe\"]; l1 -> l2; l2 -> l1;\n"), 12, CLEAN },
	{ "decision-edge-unlabeled", WITH("  dec -> fix;\n"), 12, CLEAN },
	{ "decision-edge-duplicate-label",
	  WITH("  x [kind=end, label=\"X\"];\n  dec -> x [label=\" Yes\"];\n"), 13,
	  WITH("  x [kind=end, label=\"X\"];\n  dec -> x [label=\"maybe\"];\n") },
	{ "label-missing",
	  WITH("  nol [kind=action, article=\"articles/a.md\"];\n"
	       "  dec -> nol [label=\"maybe\"]; nol -> done;\n"), 12,
	  WITH("  m [kind=merge];\n  dec -> m [label=\"maybe\"]; m -> done;\n") },
	{ "label-missing",
	  WITH("  subgraph cluster_lane_x { role=\"ops\"; }\n"), 12,
	  WITH("  subgraph cluster_lane_x { role=\"ops\"; label=\"Ops\"; }\n") },
	{ "end-labels-not-distinct",
	  WITH("  done2 [kind=end, label=\"done\"];\n  dec -> done2 [label=\"maybe\"];\n"),
	  12,
	  WITH("  done2 [kind=end, label=\"Cancelled\"];\n  dec -> done2 [label=\"maybe\"];\n") },
	{ "owner-missing", "digraph t {\n  champion=\"ben\";\n" BODY "}\n", 1, CLEAN },
	{ "champion-missing", "digraph t {\n  owner=\"ana\";\n" BODY "}\n", 1, CLEAN },
	{ "owner-unknown", HEAD("zoe", "ben", "2099-01-01") BODY "}\n", 2, CLEAN },
	{ "champion-unknown", HEAD("ana", "zed", "2099-01-01") BODY "}\n", 2, CLEAN },
	{ "owner-is-champion", HEAD("ana", "ana", "2099-01-01") BODY "}\n", 2, CLEAN },
	{ "acknowledge-unknown", WITH("  acknowledge=\"desk, dsek\";\n"), 12,
	  WITH("  acknowledge=\"desk\";\n") },
	{ "review-overdue", HEAD("ana", "ben", "2020-01-01") BODY "}\n", 3, CLEAN },
	{ "review-by-invalid", HEAD("ana", "ben", "soon") BODY "}\n", 3, CLEAN },
	{ "kpi-target-invalid", WITH("  target_backlog=\"lots\";\n"), 12,
	  WITH("  target_backlog=\"300\"; target_csat=\"4.2\";\n"
	       "  act [target_step_p90=\"8h\", target_reopen_rate=\"5%\"];\n") },
	{ "kpi-target-invalid", WITH("  act [target_speed=\"1\"];\n"), 12,
	  WITH("  act [target_resolution_p90=\"2d\"];\n") },
	{ "kpi-target-invalid", WITH("  target_first_response_p90=\"4m\";\n"), 12,
	  WITH("  target_first_response_p90=\"90min\";\n") },
	{ "article-missing",
	  WITH("  x [label=\"X\", article=\"articles/none.md\"];\n"
	       "  dec -> x [label=\"maybe\"]; x -> done;\n"), 12,
	  WITH("  x [label=\"X\", article=\"articles/a.md\"];\n"
	       "  dec -> x [label=\"maybe\"]; x -> done;\n") },
	{ "article-missing",
	  WITH("  x [label=\"X\", article=\"../../etc/passwd\"];\n"
	       "  dec -> x [label=\"maybe\"]; x -> done;\n"), 12, CLEAN },
	{ "reply-missing",
	  WITH("  x [label=\"X\", article=\"articles/a.md\", reply=\"replies/r.md, replies/gone.md\"];\n"
	       "  dec -> x [label=\"maybe\"]; x -> done;\n"), 12,
	  WITH("  x [label=\"X\", article=\"articles/a.md\", reply=\" replies/r.md ,replies/r.md\"];\n"
	       "  dec -> x [label=\"maybe\"]; x -> done;\n") },
	{ "reply-missing",
	  WITH("  x [label=\"X\", article=\"articles/a.md\", reply=\"articles/a.md\"];\n"
	       "  dec -> x [label=\"maybe\"]; x -> done;\n"), 12, CLEAN },
	{ "subprocess-missing",
	  WITH("  sp [kind=subprocess, label=\"Sub\", process=\"processes/none.dot\"];\n"
	       "  dec -> sp [label=\"maybe\"]; sp -> done;\n"), 12,
	  WITH("  sp [kind=subprocess, label=\"Sub\", process=\"processes/sub.dot\"];\n"
	       "  dec -> sp [label=\"maybe\"]; sp -> done;\n") },
	{ "step-without-article",
	  WITH("  x [label=\"X\"];\n  dec -> x [label=\"maybe\"]; x -> done;\n"), 12,
	  CLEAN },
	{ "suppression-invalid", WITH("  lint_ignore=\"owner-is-champion\";\n"), 12,
	  WITH("  lint_ignore=\"owner-is-champion: shared during the pilot\";\n") },
	{ "suppression-invalid", WITH("  lint_ignore=\"step-without-artcle: typo\";\n"),
	  12, CLEAN },
};

START_TEST(pm_lint__rule_fires_and_stays_quiet)
{
	opex_diag_list fires = OPEX_DIAG_LIST_INIT, clean = OPEX_DIAG_LIST_INIT;

	lint(cases[_i].fires, &fires, NULL);
	lint(cases[_i].clean, &clean, NULL);
	if (!opex_test_has_diag(&fires, cases[_i].rule, PATH, cases[_i].line))
		opex_test_dump_diags(&fires);
	ck_assert_msg(opex_test_has_diag(&fires, cases[_i].rule, PATH,
		cases[_i].line), "case %d: '%s' did not fire on line %u", _i,
		cases[_i].rule, cases[_i].line);
	if (opex_test_has_diag(&clean, cases[_i].rule, PATH, 0))
		opex_test_dump_diags(&clean);
	ck_assert_msg(!opex_test_has_diag(&clean, cases[_i].rule, PATH, 0),
		"case %d: '%s' fired on its clean map", _i, cases[_i].rule);
	opex_diag_list_release(&fires);
	opex_diag_list_release(&clean);
}
END_TEST

START_TEST(pm_lint__unknown_attribute_suggests)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	size_t i;
	bool found = false;

	lint(WITH("  x [lable=\"X\", shpae=box];\n  dec -> x [label=\"maybe\"]; x -> done;\n"),
		&diags, NULL);
	for (i = 0; i < diags.count; i++)
		if (strcmp(diags.items[i].rule, "unknown-attribute") == 0 &&
		    strstr(diags.items[i].message, "did you mean 'shape'"))
			found = true;
	ck_assert(found);
	ck_assert(opex_test_has_diag(&diags, "label-missing", PATH, 12));
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(pm_lint__node_suppression_silences_and_is_reported)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_pm_lint_report report = OPEX_PM_LINT_REPORT_INIT;

	lint(WITH("  x [label=\"X\", lint_ignore=\"step-without-article: done by phone\"];\n"
		  "  dec -> x [label=\"maybe\"]; x -> done;\n"), &diags, &report);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_uint_eq(report.suppression_count, 1);
	ck_assert_str_eq(report.suppressions[0].rule, "step-without-article");
	ck_assert_str_eq(report.suppressions[0].reason, "done by phone");
	ck_assert_str_eq(report.suppressions[0].node, "x");
	ck_assert_uint_eq(report.suppressions[0].line, 12);
	ck_assert_uint_eq(report.suppressions[0].count, 1);
	opex_pm_lint_report_release(&report);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(pm_lint__graph_suppression_covers_the_file)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_pm_lint_report report = OPEX_PM_LINT_REPORT_INIT;

	lint(HEAD("ana", "ana", "2099-01-01")
		"  lint_ignore=\"owner-is-champion: one-person team; step-without-article: pilot\";\n"
		BODY "  x [label=\"X\"];\n  dec -> x [label=\"maybe\"]; x -> done;\n}\n",
		&diags, &report);
	if (diags.count)
		opex_test_dump_diags(&diags);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_uint_eq(report.suppression_count, 2);
	ck_assert_ptr_null(report.suppressions[0].node);
	ck_assert_uint_eq(report.suppressions[0].line, 4);
	opex_pm_lint_report_release(&report);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(pm_lint__suppression_without_reason_does_not_silence)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_pm_lint_report report = OPEX_PM_LINT_REPORT_INIT;

	lint(WITH("  x [label=\"X\", lint_ignore=\"step-without-article\"];\n"
		  "  dec -> x [label=\"maybe\"]; x -> done;\n"), &diags, &report);
	ck_assert(opex_test_has_diag(&diags, "suppression-invalid", PATH, 12));
	ck_assert(opex_test_has_diag(&diags, "step-without-article", PATH, 12));
	ck_assert_uint_eq(report.suppression_count, 0);
	opex_pm_lint_report_release(&report);
	opex_diag_list_release(&diags);
}
END_TEST

/* ---- the handbook ------------------------------------------------------ */

static const char people_yaml[] =
	"people:\n"
	"  - id: ana\n    name: Ana Lima\n    email: ana@example.com\n"
	"  - id: ben\n    name: Ben Okafor\n    email: ben@example.com\n";

#define SUB_MAP(self, other) \
	GOOD_HEAD BODY \
	"  sp [kind=subprocess, label=\"Sub\", process=\"" other "\"];\n" \
	"  dec -> sp [label=\"maybe\"]; sp -> done;\n}\n"

START_TEST(pm_lint__maps_cycles_orphans_and_bad_maps)
{
	opex_test_repo *r = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_pm_lint_report report = OPEX_PM_LINT_REPORT_INIT;
	opex_kb_handbook *hb;

	opex_test_repo_put(r, "people.yaml", people_yaml);
	opex_test_repo_put(r, "articles/a.md", "---\ntitle: A\nowner: ana\n---\nA\n");
	opex_test_repo_put(r, "articles/lonely.md",
		"---\ntitle: Lonely\nowner: ana\n---\nL\n");
	opex_test_repo_put(r, "processes/a.dot", SUB_MAP("a", "processes/b.dot"));
	opex_test_repo_put(r, "processes/b.dot", SUB_MAP("b", "processes/a.dot"));
	opex_test_repo_put(r, "processes/c.dot", SUB_MAP("c", "processes/a.dot"));
	opex_test_repo_put(r, "processes/broken.dot", "digraph {\n  a -> ;\n}\n");
	opex_test_repo_put_bytes(r, "processes/binary.dot", "\x7f" "ELF\0\0\1", 7);
	opex_test_repo_put(r, "processes/undirected.dot", "graph g { a -- b }\n");
	opex_test_repo_commit(r, "Ana Lima", "ana@example.com", T0, "Add", NULL);
	hb = opex_test_handbook_load(r, T0, &diags);
	ck_assert_int_eq(opex_pm_lint_maps(hb, &diags, &report, NULL), 0);
	ck_assert(opex_test_has_diag(&diags, "subprocess-cycle", "processes/a.dot", 12));
	ck_assert(opex_test_has_diag(&diags, "subprocess-cycle", "processes/b.dot", 12));
	ck_assert(!opex_test_has_diag(&diags, "subprocess-cycle", "processes/c.dot", 0));
	ck_assert(opex_test_has_diag(&diags, "orphan-article", "articles/lonely.md", 0));
	ck_assert(!opex_test_has_diag(&diags, "orphan-article", "articles/a.md", 0));
	ck_assert(opex_test_has_diag(&diags, "dot-syntax", "processes/broken.dot", 2));
	ck_assert(opex_test_has_diag(&diags, "dot-syntax", "processes/binary.dot", 0));
	ck_assert(opex_test_has_diag(&diags, "dot-syntax", "processes/undirected.dot", 1));
	ck_assert_uint_eq(report.map_count, 6);
	opex_pm_lint_report_release(&report);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(r);
}
END_TEST

/* Lanes against the routing directory. */
START_TEST(pm_lint__lanes_and_partner_articles)
{
	opex_test_repo *r = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb;

	opex_test_repo_put(r, "people.yaml",
		"people:\n  - id: ana\n    name: Ana Lima\n    email: ana@example.com\n"
		"  - id: ben\n    name: Ben Okafor\n    email: ben@example.com\n"
		"teams:\n  - id: bpo\n    tier: 1\n    partner: true\n");
	opex_test_repo_put(r, "articles/a.md", "---\ntitle: A\nowner: ana\n---\nA\n");
	opex_test_repo_put(r, "articles/p.md",
		"---\ntitle: P\nowner: ana\nvisibility: partners\n---\nP\n");
	opex_test_repo_put(r, "replies/r.md",
		"---\ntitle: R\nowner: ana\nchannel: chat\n---\nR\n");
	opex_test_repo_put(r, "processes/a.dot",
		"digraph t {\n"
		"  title=\"Test\"; owner=\"ana\"; champion=\"ben\"; review_by=\"2099-01-01\";\n"
		"  subgraph cluster_lane_bpo { role=\"bpo\"; label=\"Partner\";\n"
		"    start [kind=start, label=\"Begin\"];\n"
		"    hidden [kind=action, label=\"Hidden\", article=\"articles/a.md\"];\n"
		"    shown [kind=action, label=\"Shown\", article=\"articles/p.md\"];\n"
		"    texted [kind=action, label=\"Texted\", article=\"articles/p.md\", reply=\"replies/r.md\"];\n"
		"  }\n"
		"  subgraph cluster_lane_x { role=\"nobody\"; label=\"X\";\n"
		"    done [kind=end, label=\"Done\"];\n"
		"  }\n"
		"  start -> hidden; hidden -> shown; shown -> texted; texted -> done;\n"
		"}\n");
	opex_test_repo_commit(r, "Ana Lima", "ana@example.com", T0, "Add", NULL);
	hb = opex_test_handbook_load(r, T0, &diags);
	ck_assert_int_eq(opex_pm_lint_maps(hb, &diags, NULL, NULL), 0);
	ck_assert(opex_test_has_diag(&diags, "partner-article-hidden", "processes/a.dot", 5));
	ck_assert(!opex_test_has_diag(&diags, "partner-article-hidden", "processes/a.dot", 6));
	/* an internal quick text on a partner step */
	ck_assert(opex_test_has_diag(&diags, "partner-article-hidden", "processes/a.dot", 7));
	ck_assert(opex_test_has_diag(&diags, "lane-role-unknown", "processes/a.dot", 9));
	ck_assert(!opex_test_has_diag(&diags, "lane-role-unknown", "processes/a.dot", 3));
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(r);
}
END_TEST

Suite *suite_lint(void)
{
	Suite *s = suite_create("process_maps_lint");
	TCase *tc = tcase_create("opex_pm_lint_map");
	TCase *hb = tcase_create("opex_pm_lint_maps");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pm_lint__clean_map_has_no_findings);
	tcase_add_loop_test(tc, pm_lint__rule_fires_and_stays_quiet, 0,
		(int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, pm_lint__unknown_attribute_suggests);
	tcase_add_test(tc, pm_lint__node_suppression_silences_and_is_reported);
	tcase_add_test(tc, pm_lint__graph_suppression_covers_the_file);
	tcase_add_test(tc, pm_lint__suppression_without_reason_does_not_silence);
	suite_add_tcase(s, tc);
	tcase_add_test(hb, pm_lint__maps_cycles_orphans_and_bad_maps);
	tcase_add_test(hb, pm_lint__lanes_and_partner_articles);
	suite_add_tcase(s, hb);
	return s;
}
