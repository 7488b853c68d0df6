/*
 * check_diff.c: semantic diffs of two maps and of two revisions.
 */
#include "support/repo_fixture.h"
#include "support/test_util.h"
#include "core/memory.h"
#include "process-maps/process_maps.h"

#include <check.h>
#include <string.h>

#include "core/banned.h"

#define T0 1767225600

static const char before[] =
	"digraph p {\n  title=\"Refund\"; owner=ana; champion=ben;\n"
	"  s [kind=start, label=\"Asks\"];\n"
	"  c [kind=decision, label=\"In 30 days?\"];\n"
	"  r [kind=action, label=\"Refund\", article=\"articles/r.md\"];\n"
	"  old [kind=action, label=\"Old step\"];\n"
	"  e [kind=end, label=\"Closed\"];\n"
	"  s -> c; c -> r [label=yes]; c -> old [label=no]; old -> e; r -> e;\n}\n";

static const char after[] =
	"digraph p {\n  title=\"Refund\"; owner=ana; champion=cy;\n"
	"  s [kind=start, label=\"Asks\"];\n"
	"  c [kind=decision, label=\"Within 30 days?\"];\n"
	"  r [kind=subprocess, label=\"Refund\", process=\"processes/refund.dot\"];\n"
	"  new [kind=action, label=\"New step\"];\n"
	"  e [kind=end, label=\"Closed\"];\n"
	"  s -> c; c -> r [label=Yes]; c -> new [label=no]; new -> e; r -> e;\n}\n";

static opex_pm_map *load(const char *text)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_pm_map *map = NULL;

	ck_assert_int_eq(opex_pm_map_load(&map, "processes/p.dot", text,
		strlen(text), &diags, NULL), 0);
	opex_diag_list_release(&diags);
	return map;
}

static int has(const opex_pm_diff *d, opex_pm_change_kind kind,
	const char *node, const char *old_value, const char *new_value)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		const opex_pm_change *c = &d->changes[i];

		if (c->kind == kind &&
		    (node == NULL || (c->node && strcmp(c->node, node) == 0)) &&
		    (old_value == NULL || (c->old_value && strcmp(c->old_value, old_value) == 0)) &&
		    (new_value == NULL || (c->new_value && strcmp(c->new_value, new_value) == 0)))
			return 1;
	}
	return 0;
}

START_TEST(pm_diff__nodes_edges_and_owners)
{
	opex_pm_map *a = load(before), *b = load(after);
	opex_pm_diff d = OPEX_PM_DIFF_INIT;

	opex_pm_diff_maps(&d, "processes/p.dot", a, b);
	ck_assert(has(&d, OPEX_PM_CHANGE_ATTR, NULL, "ben", "cy"));
	ck_assert(has(&d, OPEX_PM_CHANGE_NODE_RELABELLED, "c", "In 30 days?", "Within 30 days?"));
	ck_assert(has(&d, OPEX_PM_CHANGE_NODE_KIND, "r", "action", "subprocess"));
	ck_assert(has(&d, OPEX_PM_CHANGE_NODE_LINK, "r", "articles/r.md", NULL));
	ck_assert(has(&d, OPEX_PM_CHANGE_NODE_ADDED, "new", NULL, "New step"));
	ck_assert(has(&d, OPEX_PM_CHANGE_NODE_REMOVED, "old", "Old step", NULL));
	ck_assert(has(&d, OPEX_PM_CHANGE_EDGE_RELABELLED, "c", "yes", "Yes"));
	ck_assert(has(&d, OPEX_PM_CHANGE_EDGE_ADDED, "c", NULL, "no"));
	ck_assert(has(&d, OPEX_PM_CHANGE_EDGE_REMOVED, "old", NULL, NULL));
	ck_assert(!has(&d, OPEX_PM_CHANGE_EDGE_ADDED, "s", NULL, NULL));
	opex_pm_diff_release(&d);
	opex_pm_map_free(a);
	opex_pm_map_free(b);
}
END_TEST

START_TEST(pm_diff__reformat_shows_nothing)
{
	const char *reformatted =
		"digraph other_name { rankdir=LR\n"
		"  e [kind=end label=Closed, color=blue]; r -> e\n"
		"  old -> e; old [label=\"Old step\"]\n"
		"  r [label=Refund article=\"articles/r.md\"]\n"
		"  c [shape=diamond label=\"In 30 days?\"]\n"
		"  s [kind=start label=Asks] s -> c c -> r [label=yes] c -> old [label=no]\n"
		"  owner=ana title=Refund champion=ben }\n";
	opex_pm_map *a = load(before), *b = load(reformatted);
	opex_pm_diff d = OPEX_PM_DIFF_INIT;

	opex_pm_diff_maps(&d, "processes/p.dot", a, b);
	ck_assert_uint_eq(d.count, 0);
	opex_pm_diff_release(&d);
	opex_pm_map_free(a);
	opex_pm_map_free(b);
}
END_TEST

START_TEST(pm_diff__between_revisions)
{
	opex_test_repo *r = opex_test_repo_new(true);
	opex_kb_repo *x = NULL, *y = NULL;
	opex_pm_diff d = OPEX_PM_DIFF_INIT;
	char c1[41], c2[41];

	opex_test_repo_put(r, "processes/p.dot", before);
	opex_test_repo_put(r, "processes/gone.dot", before);
	opex_test_repo_put(r, "processes/same.dot", before);
	opex_test_repo_commit(r, "Ana", "ana@example.com", T0, "one", c1);
	opex_test_repo_put(r, "processes/p.dot", after);
	opex_test_repo_remove(r, "processes/gone.dot");
	opex_test_repo_put(r, "processes/new.dot", after);
	opex_test_repo_commit(r, "Ana", "ana@example.com", T0 + 60, "two", c2);
	ck_assert_int_eq(opex_kb_repo_open(&x, opex_test_repo_path(r), c1, NULL), 0);
	ck_assert_int_eq(opex_kb_repo_open(&y, opex_test_repo_path(r), c2, NULL), 0);
	ck_assert_int_eq(opex_pm_diff_repos(&d, x, y, NULL, NULL), 0);
	ck_assert_uint_eq(d.maps_compared, 4);
	ck_assert(has(&d, OPEX_PM_CHANGE_MAP_REMOVED, NULL, "Refund", NULL));
	ck_assert(has(&d, OPEX_PM_CHANGE_MAP_ADDED, NULL, NULL, "Refund"));
	ck_assert(has(&d, OPEX_PM_CHANGE_NODE_ADDED, "new", NULL, NULL));
	opex_pm_diff_release(&d);
	ck_assert_int_eq(opex_pm_diff_repos(&d, x, y, "processes/same.dot", NULL), 0);
	ck_assert_uint_eq(d.count, 0);
	opex_pm_diff_release(&d);
	opex_kb_repo_free(x);
	opex_kb_repo_free(y);
	opex_test_repo_free(r);
}
END_TEST

Suite *suite_diff(void)
{
	Suite *s = suite_create("process_maps_diff");
	TCase *tc = tcase_create("opex_pm_diff");

	tcase_add_test(tc, pm_diff__nodes_edges_and_owners);
	tcase_add_test(tc, pm_diff__reformat_shows_nothing);
	tcase_add_test(tc, pm_diff__between_revisions);
	suite_add_tcase(s, tc);
	return s;
}
