/* check_measures.c: kpi/measures.c over a store filled by ingest. */
#include <check.h>
#include <string.h>

#include "kpi/kpi_int.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#define NOW 1772323200 /* 2026-03-01 */

static const char opex_yaml[] =
	"kpi:\n"
	"  sources:\n"
	"    - name: tickets\n"
	"      files: \"t*.csv\"\n"
	"      process: processes/refund.dot\n"
	"      columns: {case: id, created: created, solved: solved, status: status,\n"
	"                first_reply: reply, requester: who, reopens: reopens, csat: csat}\n"
	"      steps: {map: {new: triage, open: review, solved: done}}\n"
	"    - name: log\n"
	"      files: \"e*.csv\"\n"
	"      shape: events\n"
	"      process: processes/refund.dot\n"
	"      columns: {case: case, at: at, activity: step, team: team}\n"
	"      steps: {map: {new: triage, open: review, pay: pay, solved: done}}\n"
	"      automated_teams: [bot]\n";

static const char map[] =
	"digraph refund {\n"
	"  target_backlog=\"1\" target_resolution_p90=\"3d\" target_csat=\"4\"\n"
	"  start [kind=start label=\"Start\"];\n"
	"  triage [label=\"Triage\" target_step_p90=\"2h\"];\n"
	"  ok [kind=decision label=\"OK?\"];\n"
	"  review [label=\"Review\"];\n"
	"  pay [label=\"Pay\"];\n"
	"  done [kind=end label=\"Done\"];\n"
	"  start -> triage -> ok;\n"
	"  ok -> review [label=yes]; ok -> done [label=no];\n"
	"  review -> pay -> done;\n"
	"}\n";

/* Three tickets; event-only cases E1 (follows the map, skips nothing)
 * and E2 (triage -> pay: skips review). */
static const char tickets[] =
	"id,created,solved,status,reply,who,reopens,csat\n"
	"T1,2026-02-01T00:00:00Z,2026-02-02T00:00:00Z,solved,2026-02-01T01:00:00Z,a,0,5\n"
	"T2,2026-02-01T00:00:00Z,2026-02-06T00:00:00Z,solved,2026-02-01T03:00:00Z,a,1,2\n"
	"T3,2026-02-25T00:00:00Z,,new,,b,0,\n"
	"T4,2026-02-27T00:00:00Z,,open,2026-02-27T01:00:00Z,c,,\n";
static const char events[] =
	"case,at,step,team\n"
	"E1,2026-02-10T00:00:00Z,new,bot\n"
	"E1,2026-02-10T01:00:00Z,open,bot\n"
	"E1,2026-02-10T05:00:00Z,pay,bot\n"
	"E1,2026-02-10T06:00:00Z,solved,bot\n"
	"E2,2026-02-11T00:00:00Z,new,agents\n"
	"E2,2026-02-11T03:00:00Z,pay,agents\n"
	"E2,2026-02-11T04:00:00Z,new,agents\n";

START_TEST(kpi_measures__report)
{
	opex_test_repo *t = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kpi_mapping *m = NULL;
	opex_kb_repo *repo = NULL;
	opex_kpi_store *st = NULL;
	opex_kpi_report *r = NULL;
	opex_kpi_query q = OPEX_KPI_QUERY_INIT;
	opex_kpi_ingest_stats stats;
	opex_error err = OPEX_ERROR_INIT;
	const opex_kpi_process *p;
	size_t i, breached = 0;

	opex_test_repo_put(t, "opex.yaml", opex_yaml);
	opex_test_repo_put(t, "processes/refund.dot", map);
	opex_test_repo_commit(t, "A", "a@example.com", 1700000000, "one", NULL);
	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(t), NULL, &err), 0);
	ck_assert_int_eq(opex_kpi_mapping_load(&m, repo, &diags, &err), 0);
	ck_assert_int_eq(opex_kpi_store_open(&st, ":memory:", &err), 0);
	opex_kpi_ingest_stats_init(&stats);
	ck_assert_int_eq(opex_kpi_ingest_buffer(&stats, st, m, "t.csv", tickets,
		strlen(tickets), NOW, &diags, &err), 0);
	ck_assert_int_eq(opex_kpi_ingest_buffer(&stats, st, m, "e.csv", events,
		strlen(events), NOW, &diags, &err), 0);
	opex_kpi_ingest_stats_release(&stats);
	q.now = NOW;
	ck_assert_int_eq(opex_kpi_report_compute(&r, st, m, repo, &q, &err), 0);
	ck_assert_uint_eq(opex_kpi_report_process_count(r), 1);
	p = opex_kpi_report_process(r, 0);
	ck_assert_uint_eq(p->cases, 6);
	ck_assert_uint_eq(p->m.resolved, 3);        /* T1, T2, E1 */
	ck_assert_uint_eq(p->m.backlog, 1);         /* T3: no reply */
	ck_assert_uint_eq(p->m.active, 2);          /* T4 replied, E2 worked */
	ck_assert_uint_eq(p->m.age[0], 2);          /* T3 4 days, T4 2 days */
	ck_assert_uint_eq(p->m.age[1], 0);
	ck_assert_uint_eq(p->m.age[2], 1);          /* E2: 18 days */
	ck_assert(p->m.first_response_p50 == 3600);
	ck_assert(p->m.first_response_p90 == 3 * 3600);
	ck_assert(p->m.resolution_p90 == 5 * 86400);
	ck_assert(p->m.reopen_rate > 0.33 && p->m.reopen_rate < 0.34);
	ck_assert(p->m.csat == 3.5);
	ck_assert(p->m.contacts_per_customer == 4.0 / 3.0);
	ck_assert(p->m.automation_rate > 0.33 && p->m.automation_rate < 0.34);
	ck_assert_uint_eq(p->m.rework, 1);          /* E2 back in triage */
	ck_assert(p->conformance == 0.5);           /* E1 yes, E2 no */
	for (i = 0; i < p->edge_count; i++) {
		/* names outlive the map the report was computed on */
		ck_assert(strcmp(p->edges[i].tail, "triage") == 0 ||
			strcmp(p->edges[i].tail, "review") == 0 ||
			strcmp(p->edges[i].tail, "pay") == 0);
		if (!p->edges[i].in_map) {
			ck_assert_str_eq(p->edges[i].examples[0], "E2");
			breached++;
		}
	}
	ck_assert_uint_eq(breached, 2);             /* triage->pay, pay->triage */
	ck_assert_uint_eq(p->unseen_count, 0);
	for (i = 0; i < p->step_count; i++)
		if (strcmp(p->steps[i].node, "triage") == 0) {
			ck_assert(p->steps[i].m.step_p50 == 3600);
			ck_assert(p->steps[i].m.step_p90 == 3 * 3600);
		}
	/* backlog 1 <= 1 ok; resolution p90 5d > 3d; csat 3.5 < 4; triage p90 3h > 2h */
	ck_assert_uint_eq(p->target_count, 4);
	ck_assert_uint_eq(opex_kpi_report_breaches(r), 3);
	for (i = 0; i < p->target_count; i++)
		if (strcmp(p->targets[i].name, "target_backlog") == 0)
			ck_assert(!p->targets[i].breached);
		else
			ck_assert(p->targets[i].breached);
	opex_kpi_report_free(r);

	/* a filter and a range: only T3 and T4 were created after Feb 20 */
	q.since = 1771545600; /* 2026-02-20 */
	ck_assert_int_eq(opex_kpi_report_compute(&r, st, m, repo, &q, &err), 0);
	ck_assert_uint_eq(opex_kpi_report_process(r, 0)->cases, 2);
	opex_kpi_report_free(r);
	q.process = "processes/other.dot";
	ck_assert_int_eq(opex_kpi_report_compute(&r, st, m, repo, &q, &err), OPEX_ENOTFOUND);
	ck_assert_ptr_null(r);

	opex_kpi_store_free(st);
	opex_kpi_mapping_free(m);
	opex_kb_repo_free(repo);
	opex_diag_list_release(&diags);
	opex_test_repo_free(t);
}
END_TEST

static const char grouped_yaml[] =
	"kpi:\n"
	"  sources:\n"
	"    - name: tickets\n"
	"      files: \"t*.csv\"\n"
	"      process: processes/refund.dot\n"
	"      columns: {case: id, created: created, solved: solved, market: market,\n"
	"                team: group, handle_minutes: handled, replies: replies}\n"
	"    - name: log\n"
	"      files: \"e*.csv\"\n"
	"      shape: events\n"
	"      process: processes/refund.dot\n"
	"      columns: {case: case, at: at, activity: step, team: team, market: market}\n"
	"      steps: {map: {new: triage, solved: done}}\n";

static const char grouped_tickets[] =
	"id,created,solved,market,group,handled,replies\n"
	"T1,2026-02-02T09:00:00Z,2026-02-03T09:00:00Z,uk,agents,10,2\n"
	"T2,2026-02-09T09:00:00Z,2026-02-17T09:00:00Z,uk,agents,20,4\n"
	"T3,2026-02-10T09:00:00Z,,fr,agents,,\n";
static const char grouped_events[] =
	"case,at,step,team,market\n"
	"E1,2026-02-16T09:00:00Z,new,bot,fr\n"
	"E1,2026-02-16T10:00:00Z,solved,bot,\n";

static const char roster_yaml[] =
	"people:\n  - id: ann\n    name: Ann\n    email: ann@example.com\n    teams: [agents]\n"
	"teams:\n  - id: agents\n    name: Agents\n    fte: 2\n";

static opex_kpi_report *grouped_report(unsigned by, const opex_kb_roster *roster)
{
	opex_test_repo *t = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kpi_mapping *m = NULL;
	opex_kb_repo *repo = NULL;
	opex_kpi_store *st = NULL;
	opex_kpi_report *r = NULL;
	opex_kpi_query q = OPEX_KPI_QUERY_INIT;
	opex_kpi_ingest_stats stats;
	opex_error err = OPEX_ERROR_INIT;

	opex_test_repo_put(t, "opex.yaml", grouped_yaml);
	opex_test_repo_put(t, "processes/refund.dot", map);
	opex_test_repo_commit(t, "A", "a@example.com", 1700000000, "one", NULL);
	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(t), NULL, &err), 0);
	ck_assert_int_eq(opex_kpi_mapping_load(&m, repo, &diags, &err), 0);
	ck_assert_int_eq(opex_kpi_store_open(&st, ":memory:", &err), 0);
	opex_kpi_ingest_stats_init(&stats);
	ck_assert_int_eq(opex_kpi_ingest_buffer(&stats, st, m, "t.csv",
		grouped_tickets, strlen(grouped_tickets), NOW, &diags, &err), 0);
	ck_assert_int_eq(opex_kpi_ingest_buffer(&stats, st, m, "e.csv",
		grouped_events, strlen(grouped_events), NOW, &diags, &err), 0);
	opex_kpi_ingest_stats_release(&stats);
	q.now = NOW;
	q.by = by;
	q.roster = roster;
	ck_assert_msg(opex_kpi_report_compute(&r, st, m, repo, &q, &err) == 0,
		"%s", err.message);
	opex_kpi_store_free(st);
	opex_kpi_mapping_free(m);
	opex_kb_repo_free(repo);
	opex_diag_list_release(&diags);
	opex_test_repo_free(t);
	return r;
}

START_TEST(kpi_measures__weeks_throughput_handle_time)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_roster roster;
	opex_kpi_report *r;
	const opex_kpi_process *p;
	static const uint64_t created[] = { 1, 2, 1, 0 }, resolved[] = { 1, 0, 2, 0 },
		open[] = { 0, 2, 1, 1 };
	size_t i;

	opex_kb_roster_parse(&roster, "people.yaml", roster_yaml,
		strlen(roster_yaml), &diags);
	r = grouped_report(0, &roster);
	ck_assert_uint_eq(opex_kpi_report_process_count(r), 1);
	p = opex_kpi_report_process(r, 0);
	ck_assert_ptr_null(p->group[OPEX_KPI_DIM_MARKET]);
	/* 2026-W06 (first case) to 2026-W09 (the week of now) */
	ck_assert_uint_eq(p->week_count, 4);
	ck_assert_str_eq(p->weeks[0].label, "2026-W06");
	ck_assert_str_eq(p->weeks[3].label, "2026-W09");
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(p->weeks[i].created, created[i]);
		ck_assert_uint_eq(p->weeks[i].resolved, resolved[i]);
		ck_assert_uint_eq(p->weeks[i].open, open[i]);
	}
	ck_assert(p->throughput == 0.75);            /* 3 resolved in 4 weeks */
	ck_assert(p->fte == 2);                      /* agents; bot has no fte */
	ck_assert(p->throughput_fte == 0.375);
	ck_assert(p->m.aht == 900);                  /* 10 and 20 minutes */
	ck_assert(p->m.contacts_per_case == 3);      /* 2 and 4 replies; T3, E1 give none */
	opex_kpi_report_free(r);

	r = grouped_report(0, NULL);                 /* no roster: no FTE */
	ck_assert(opex_kpi_report_process(r, 0)->fte < 0);
	ck_assert(opex_kpi_report_process(r, 0)->throughput_fte < 0);
	opex_kpi_report_free(r);
	opex_kb_roster_release(&roster);
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kpi_measures__groups)
{
	opex_kpi_report *r;
	const opex_kpi_process *fr, *uk;
	unsigned by = 0;
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_int_eq(opex_kpi_dims_parse(&by, "market", &err), 0);
	r = grouped_report(by, NULL);
	ck_assert_uint_eq(opex_kpi_report_process_count(r), 2);
	fr = opex_kpi_report_process(r, 0);
	uk = opex_kpi_report_process(r, 1);
	ck_assert_str_eq(fr->group[OPEX_KPI_DIM_MARKET], "fr");
	ck_assert_str_eq(uk->group[OPEX_KPI_DIM_MARKET], "uk");
	ck_assert_ptr_null(fr->group[OPEX_KPI_DIM_WEEK]);
	/* the event-only case takes the market of its events */
	ck_assert_uint_eq(fr->cases, 2);
	ck_assert_uint_eq(fr->m.resolved, 1);
	ck_assert_uint_eq(uk->cases, 2);
	ck_assert_uint_eq(uk->m.resolved, 2);
	opex_kpi_report_free(r);

	ck_assert_int_eq(opex_kpi_dims_parse(&by, "week,market", &err), 0);
	r = grouped_report(by, NULL);
	/* in dimension order, market before week: fr W07 (T3), fr W08 (E1),
	 * uk W06 (T1), uk W07 (T2) */
	ck_assert_uint_eq(opex_kpi_report_process_count(r), 4);
	ck_assert_str_eq(opex_kpi_report_process(r, 0)->group[OPEX_KPI_DIM_WEEK],
		"2026-W07");
	ck_assert_str_eq(opex_kpi_report_process(r, 1)->group[OPEX_KPI_DIM_WEEK],
		"2026-W08");
	ck_assert_str_eq(opex_kpi_report_process(r, 2)->group[OPEX_KPI_DIM_MARKET],
		"uk");
	ck_assert_uint_eq(opex_kpi_report_process(r, 1)->cases, 1);
	opex_kpi_report_free(r);

	ck_assert_int_eq(opex_kpi_dims_parse(&by, "market,colour", &err),
		OPEX_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.message, "'colour'"));
}
END_TEST

Suite *suite_measures(void)
{
	Suite *s = suite_create("kpi_measures");
	TCase *tc = tcase_create("report");

	tcase_add_test(tc, kpi_measures__report);
	tcase_add_test(tc, kpi_measures__weeks_throughput_handle_time);
	tcase_add_test(tc, kpi_measures__groups);
	suite_add_tcase(s, tc);
	return s;
}
