/* check_routing.c: the routing directory (kb/routing.c) and its lint. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb/kb.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#define T0 1767225600 /* 2026-01-01 */

static const char roster[] =
	"people:\n"
	"  - id: ana\n    name: Ana\n    email: ana@x.io\n    teams: [fe-fr]\n"
	"  - id: ben\n    name: Ben\n    email: ben@x.io\n    teams: [fe, bo]\n"
	"teams:\n"
	"  - id: fe\n    tier: 1\n    escalates_to: bo\n"                 
	"  - id: fe-fr\n    tier: 1\n    markets: [fr]\n    languages: [fr]\n"
	"    escalates_to: bo\n    contact: fr@x.io\n"
	"  - id: bo\n    tier: 2\n    escalates_to: swat\n"
	"  - id: swat\n    tier: 3\n"
	"  - id: loop-a\n    escalates_to: loop-b\n"                   
	"  - id: loop-b\n    escalates_to: loop-a\n"                   
	"  - id: self\n    escalates_to: self\n"                       
	"  - id: lost\n    escalates_to: nowhere\n";                   

static opex_kb_roster parse(const char *text)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_roster r;

	opex_kb_roster_parse(&r, "people.yaml", text, strlen(text), &diags);
	ck_assert_uint_eq(diags.count, 0);
	opex_diag_list_release(&diags);
	return r;
}

START_TEST(kb_routing__most_specific_team_and_its_chain)
{
	opex_kb_roster r = parse(roster);
	opex_kb_route route;

	opex_kb_route_find(&route, &r, "cards", "fr", "fr");
	ck_assert_str_eq(route.team->id, "fe-fr");
	ck_assert_uint_eq(route.candidates, 2);
	ck_assert_uint_eq(route.chain_count, 2);
	ck_assert_str_eq(route.chain[0]->id, "bo");
	ck_assert_str_eq(route.chain[1]->id, "swat");
	ck_assert(!route.cycles);
	/* fe-fr names market fr: a uk contact goes to the generalist team. */
	opex_kb_route_find(&route, &r, "cards", "uk", "en");
	ck_assert_str_eq(route.team->id, "fe");
	ck_assert_uint_eq(route.candidates, 1);
	opex_kb_roster_release(&r);
}
END_TEST

START_TEST(kb_routing__gap_and_cycle)
{
	opex_kb_roster r = parse(
		"teams:\n  - id: fr\n    tier: 1\n    markets: [fr]\n    escalates_to: b\n"
		"  - id: b\n    tier: 2\n    escalates_to: fr\n");
	opex_kb_route route;

	opex_kb_route_find(&route, &r, "cards", "uk", "en");
	ck_assert_ptr_null(route.team);
	ck_assert_uint_eq(route.candidates, 0);
	opex_kb_route_find(&route, &r, NULL, "fr", NULL);
	ck_assert_str_eq(route.team->id, "fr");
	ck_assert(route.cycles);
	ck_assert_uint_eq(route.chain_count, 1);
	opex_kb_roster_release(&r);
}
END_TEST

START_TEST(kb_routing__lint)
{
	opex_test_repo *repo = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb;

	opex_test_repo_put(repo, "people.yaml", roster);
	opex_test_repo_put(repo, "opex.yaml",
		"languages: [en, fr, de]\njourneys: [cards]\nrouting_min_people: 2\n"
		"market_languages:\n  uk: [en]\n  fr: [fr]\n  de: [de]\n");
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0, "Add", NULL);
	hb = opex_test_handbook_load(repo, T0, &diags);
	opex_diag_list_release(&diags);
	opex_kb_routing_lint(hb, &diags);
	ck_assert(opex_test_has_diag(&diags, "escalation-cycle", "people.yaml", 26));
	ck_assert(opex_test_has_diag(&diags, "escalation-cycle", "people.yaml", 28));
	ck_assert(opex_test_has_diag(&diags, "escalation-cycle", "people.yaml", 30));
	ck_assert(opex_test_has_diag(&diags, "escalation-unknown", "people.yaml", 32));
	/* fe covers every market: no gap, though fe-fr names only fr. */
	ck_assert(!opex_test_has_diag(&diags, "routing-gap", NULL, 0));
	/* fr: ana (fe-fr) and ben (fe covers any language): 2, enough; en and
	 * de have only ben. */
	ck_assert_uint_eq(diags.count, 6);
	ck_assert(opex_test_has_diag(&diags, "routing-thin", "people.yaml", 1));
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

START_TEST(kb_routing__gap_and_thin_language)
{
	opex_test_repo *repo = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb;

	opex_test_repo_put(repo, "people.yaml",
		"people:\n  - id: ana\n    name: Ana\n    email: ana@x.io\n    teams: [fr]\n"
		"teams:\n  - id: fr\n    tier: 1\n    markets: [fr]\n    languages: [fr]\n");
	opex_test_repo_put(repo, "opex.yaml",
		"languages: [fr, en]\njourneys: [cards]\n"
		"market_languages:\n  fr: [fr]\n  uk: [en]\n");
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0, "Add", NULL);
	hb = opex_test_handbook_load(repo, T0, &diags);
	opex_diag_list_release(&diags);
	opex_kb_routing_lint(hb, &diags);
	ck_assert(opex_test_has_diag(&diags, "routing-gap", "people.yaml", 1));
	ck_assert_ptr_nonnull(strstr(diags.items[0].message, "cards contacts in market uk in en"));
	ck_assert(opex_test_has_diag(&diags, "routing-thin", "people.yaml", 1));
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	opex_test_repo_free(repo);
}
END_TEST

/* A roster of `teams` teams escalating in one ring, as people.yaml text. */
static char *ring_roster(size_t teams)
{
	size_t cap = teams * 64 + 64, len, i;
	char *text = malloc(cap);

	len = (size_t)snprintf(text, cap, "teams:\n");
	for (i = 0; i < teams; i++)
		len += (size_t)snprintf(text + len, cap - len,
			"  - id: t%zu\n    escalates_to: t%zu\n", i, (i + 1) % teams);
	return text;
}

START_TEST(kb_routing__large_rosters)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_roster r;
	char *text = ring_roster(10000);
	size_t i, cycles = 0;

	/* 10,000 teams in one ring: each on the cycle, found in one pass */
	opex_kb_roster_parse(&r, "people.yaml", text, strlen(text), &diags);
	ck_assert_uint_eq(r.team_count, 10000);
	ck_assert_uint_eq(diags.count, 0);
	free(text);
	{
		opex_test_repo *repo = opex_test_repo_new(false);
		opex_kb_handbook *hb;

		text = ring_roster(10000);
		opex_test_repo_put(repo, "people.yaml", text);
		opex_test_repo_commit(repo, "Ana", "ana@x.io", T0, "Add", NULL);
		hb = opex_test_handbook_load(repo, T0, &diags);
		opex_diag_list_release(&diags);
		opex_kb_routing_lint(hb, &diags);
		for (i = 0; i < diags.count; i++)
			cycles += strcmp(diags.items[i].rule, "escalation-cycle") == 0;
		ck_assert_uint_eq(cycles, 10000);
		/* t0 escalates on line 3 */
		ck_assert(opex_test_has_diag(&diags, "escalation-cycle", "people.yaml", 3));
		opex_kb_handbook_free(hb);
		opex_test_repo_free(repo);
		free(text);
	}
	opex_kb_roster_release(&r);
	opex_diag_list_release(&diags);

	/* 10,000 teams read, 40,000 a diagnostic with the line of the limit */
	text = ring_roster(10000);
	opex_kb_roster_parse(&r, "people.yaml", text, strlen(text), &diags);
	ck_assert_uint_eq(r.team_count, 10000);
	ck_assert_uint_eq(diags.count, 0);
	opex_kb_roster_release(&r);
	free(text);
	text = ring_roster(40000);
	opex_kb_roster_parse(&r, "people.yaml", text, strlen(text), &diags);
	ck_assert_uint_ge(diags.count, 1);
	ck_assert_str_eq(diags.items[0].path, "people.yaml");
	ck_assert_str_eq(diags.items[0].rule, "roster-invalid");
	ck_assert_uint_gt(diags.items[0].line, 1);
	ck_assert_ptr_nonnull(strstr(diags.items[0].message, "too many YAML nodes"));
	opex_kb_roster_release(&r);
	opex_diag_list_release(&diags);
	free(text);
}
END_TEST

Suite *suite_routing(void)
{
	Suite *s = suite_create("kb_routing");
	TCase *find = tcase_create("opex_kb_route_find");
	TCase *lint = tcase_create("opex_kb_routing_lint");

	tcase_add_test(find, kb_routing__most_specific_team_and_its_chain);
	tcase_add_test(find, kb_routing__gap_and_cycle);
	tcase_add_test(lint, kb_routing__lint);
	tcase_add_test(lint, kb_routing__gap_and_thin_language);
	tcase_add_test(lint, kb_routing__large_rosters);
	tcase_set_timeout(lint, 60);
	suite_add_tcase(s, find);
	suite_add_tcase(s, lint);
	return s;
}
