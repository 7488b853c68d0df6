/*
 * check_kpi_checks.c: the launch checks that read the KPI store
 * (kpis-within-target, capacity-covered) over a generated handbook and a
 * store filled from a small export, and the lint of `capacity:`.
 */
#define _POSIX_C_SOURCE 200809L /* stat */

#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/memory.h"
#include "kpi/kpi.h"
#include "launches/launches.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#define NOW 1775606400    /* Wednesday 2026-04-08, in 2026-W15 */
#define COMMIT 1775000000 /* 2026-04-01 */

static const char opex_yaml[] =
	"journeys: [cards]\n"
	"capacity_hours_per_fte_week: 30\n"
	"kpi:\n"
	"  sources:\n"
	"    - name: tickets\n"
	"      files: \"tickets*.csv\"\n"
	"      process: processes/lost-card.dot\n"
	"      columns: {case: id, created: created, solved: solved, market: market,\n"
	"                journey: journey, handle_minutes: handled}\n";

/* The same export mapped without its handle times. */
static const char opex_yaml_no_handle[] =
	"journeys: [cards]\n"
	"kpi:\n"
	"  sources:\n"
	"    - name: tickets\n"
	"      files: \"tickets*.csv\"\n"
	"      process: processes/lost-card.dot\n"
	"      columns: {case: id, created: created, solved: solved, market: market,\n"
	"                journey: journey}\n";

/* The same export with its journey column left unmapped. */
static const char opex_yaml_no_journey[] =
	"journeys: [cards]\n"
	"kpi:\n"
	"  sources:\n"
	"    - name: tickets\n"
	"      files: \"tickets*.csv\"\n"
	"      process: processes/lost-card.dot\n"
	"      columns: {case: id, created: created, solved: solved, market: market,\n"
	"                handle_minutes: handled}\n";

static const char map_dot[] =
	"digraph lost_card {\n"
	"  title=\"Lost card\"; owner=\"zoe\"; champion=\"sam\"; journey=\"cards\";\n"
	"  target_resolution_p90=\"2d\";\n"                              /* line 3 */
	"  start [kind=start, label=\"Card lost\"];\n"
	"  block [kind=action, label=\"Block the card\"];\n"
	"  done  [kind=end, label=\"Blocked\"];\n"
	"  start -> block -> done;\n"
	"}\n";

static const char people_fmt[] =
	"people:\n"
	"  - id: zoe\n    name: Zoe\n    email: zoe@example.com\n    teams: [ops]\n"
	"  - id: sam\n    name: Sam\n    email: sam@example.com\n    teams: [ops]\n"
	"teams:\n"
	"  - id: ops\n    name: Ops\n"
	"  - id: cards-id\n    name: Cards Indonesia\n    tier: 1\n"
	"    markets: [id]\n    journeys: [cards]\n    fte: %s\n"
	"  - id: front-fr\n    name: Front end France\n    tier: 1\n"
	"    markets: [fr]\n    fte: 20\n"
	"  - id: back-office\n    name: Back office\n    tier: 2\n";

/*
 * 2026-W11 to W14, the four full weeks before NOW: in id two cases a week
 * (resolved in a day), in fr one (the last in 3.4 days); 10 minutes each.
 */
static const char tickets_csv[] =
	"id,created,solved,market,journey,handled\n"
	"1,2026-03-10T09:00:00Z,2026-03-11T09:00:00Z,id,cards,10\n"
	"2,2026-03-12T09:00:00Z,2026-03-13T09:00:00Z,id,cards,10\n"
	"3,2026-03-17T09:00:00Z,2026-03-18T09:00:00Z,id,cards,10\n"
	"4,2026-03-19T09:00:00Z,2026-03-20T09:00:00Z,id,cards,10\n"
	"5,2026-03-24T09:00:00Z,2026-03-25T09:00:00Z,id,cards,10\n"
	"6,2026-03-26T09:00:00Z,2026-03-27T09:00:00Z,id,cards,10\n"
	"7,2026-03-31T09:00:00Z,2026-04-01T09:00:00Z,id,cards,10\n"
	"8,2026-04-02T09:00:00Z,2026-04-03T09:00:00Z,id,cards,10\n"
	"9,2026-03-10T10:00:00Z,2026-03-11T10:00:00Z,fr,cards,10\n"
	"10,2026-03-17T10:00:00Z,2026-03-18T10:00:00Z,fr,cards,10\n"
	"11,2026-03-24T10:00:00Z,2026-03-25T10:00:00Z,fr,cards,10\n"
	"12,2026-03-31T10:00:00Z,2026-04-03T19:36:00Z,fr,cards,10\n";

static const char launch_fmt[] =
	"---\n"                                               /* 1 */
	"title: Cards in Indonesia\n"                         /* 2 */
	"date: 2026-04-13\n"                                  /* 3: 2026-W16 */
	"owner: zoe\n"                                        /* 4 */
	"markets: [%s]\n"                                     /* 5 */
	"processes: [processes/lost-card.dot]\n"              /* 6 */
	"capacity:\n"                                         /* 7 */
	"  - journey: cards\n"                                /* 8 */
	"    market: id\n"                                    /* 9 */
	"    extra_contacts_per_week: 2230\n"                 /* 10 */
	"    weeks: 2\n"                                      /* 11 */
	"  - journey: cards\n"                                /* 12 */
	"    extra_contacts_per_week: 100\n"                  /* 13 */
	"    weeks: [2026-W17]\n"                             /* 14 */
	"gates:\n"
	"  - id: go-live\n"
	"    title: Go-live\n"
	"    approvers: [ops]\n"
	"    checks: [kpis-within-target, capacity-covered]\n"
	"---\n";

typedef struct fixture {
	opex_test_repo *repo;
	opex_kb_handbook *hb;
	opex_launch *launch;
	char *dir;
	char store[512];
	int64_t now;
	opex_diag_list diags;
} fixture;

/* A handbook with `settings`, the roster giving cards-id `fte`, a launch
 * in `markets`; the export is loaded into a store when `ingest`. */
static void setup(fixture *f, const char *settings, const char *fte,
	const char *markets, bool ingest)
{
	char people[2048], launch[2048];
	opex_kpi_mapping *m = NULL;
	opex_kpi_store *st = NULL;
	opex_kpi_ingest_stats stats;
	opex_error err = OPEX_ERROR_INIT;

	memset(f, 0, sizeof(*f));
	f->now = NOW;
	snprintf(people, sizeof(people), people_fmt, fte);
	snprintf(launch, sizeof(launch), launch_fmt, markets);
	f->repo = opex_test_repo_new(false);
	opex_test_repo_put(f->repo, "opex.yaml", settings);
	opex_test_repo_put(f->repo, "people.yaml", people);
	opex_test_repo_put(f->repo, "processes/lost-card.dot", map_dot);
	opex_test_repo_put(f->repo, "launches/l.md", launch);
	opex_test_repo_commit(f->repo, "Zoe", "zoe@example.com", COMMIT, "one", NULL);
	f->hb = opex_test_handbook_load(f->repo, NOW, &f->diags);
	f->dir = opex_test_tmpdir();
	snprintf(f->store, sizeof(f->store), "%s/kpi.sqlite", f->dir);
	f->launch = opex_launch_parse("launches/l.md", launch, strlen(launch),
		&f->diags);
	ck_assert_ptr_nonnull(f->launch);
	if (!ingest)
		return;
	ck_assert_int_eq(opex_kpi_mapping_load(&m, opex_kb_handbook_repo(f->hb),
		&f->diags, &err), 0);
	ck_assert_int_eq(opex_kpi_store_open(&st, f->store, &err), 0);
	opex_kpi_ingest_stats_init(&stats);
	ck_assert_msg(opex_kpi_ingest_buffer(&stats, st, m, "tickets.csv",
		tickets_csv, strlen(tickets_csv), NOW, &f->diags, &err) == 0,
		"%s", err.message);
	ck_assert_uint_eq(stats.added, 12);
	opex_kpi_ingest_stats_release(&stats);
	opex_kpi_store_free(st);
	opex_kpi_mapping_free(m);
}

static void teardown(fixture *f)
{
	opex_launch_free(f->launch);
	opex_kb_handbook_free(f->hb);
	opex_test_repo_free(f->repo);
	opex_test_rmtree(f->dir);
	opex_diag_list_release(&f->diags);
}

static void run(opex_launch_check_result *out, const fixture *f,
	opex_launch_check check)
{
	opex_launch_gate_options opts = OPEX_LAUNCH_GATE_OPTIONS_INIT;

	memset(out, 0, sizeof(*out));
	opts.now = f->now;
	opts.kpi_store = f->store;
	opex_launch_check_run(out, check, f->launch, f->hb, &opts);
}

static void assert_reason(const opex_launch_check_result *r, size_t i,
	const char *path, unsigned line, const char *message)
{
	ck_assert_uint_gt(r->reason_count, i);
	ck_assert_str_eq(r->reasons[i].path, path);
	ck_assert_uint_eq(r->reasons[i].line, line);
	ck_assert_str_eq(r->reasons[i].message, message);
}

START_TEST(launches_kpi_checks__pass)
{
	fixture f;
	opex_launch_check_result r;

	setup(&f, opex_yaml, "14", "id", true);
	run(&r, &f, OPEX_LAUNCH_CHECK_KPIS_WITHIN_TARGET);
	ck_assert_uint_eq(r.reason_count, 0);
	ck_assert_int_eq(r.state, OPEX_LAUNCH_CHECK_PASS);
	opex_launch_check_result_release(&r);
	/* id, 2026-W17: (2 + 2230 + 100) x 600 s / (30 x 3600 s) = 13.0 <= 14 */
	run(&r, &f, OPEX_LAUNCH_CHECK_CAPACITY_COVERED);
	ck_assert_uint_eq(r.reason_count, 0);
	ck_assert_int_eq(r.state, OPEX_LAUNCH_CHECK_PASS);
	opex_launch_check_result_release(&r);
	teardown(&f);
}
END_TEST

START_TEST(launches_kpi_checks__fail_with_reasons)
{
	fixture f;
	opex_launch_check_result r;

	setup(&f, opex_yaml, "9", "id, fr", true);
	run(&r, &f, OPEX_LAUNCH_CHECK_KPIS_WITHIN_TARGET);
	ck_assert_int_eq(r.state, OPEX_LAUNCH_CHECK_FAIL);
	ck_assert_uint_eq(r.reason_count, 1);
	assert_reason(&r, 0, "processes/lost-card.dot", 3,
		"target_resolution_p90 = 2d breached in market fr: actual 3.4d");
	opex_launch_check_result_release(&r);

	/* id: baseline 2 a week, AHT 10 min, 30 h per FTE: 180 contacts an FTE */
	run(&r, &f, OPEX_LAUNCH_CHECK_CAPACITY_COVERED);
	ck_assert_int_eq(r.state, OPEX_LAUNCH_CHECK_FAIL);
	ck_assert_uint_eq(r.reason_count, 2);
	assert_reason(&r, 0, "launches/l.md", 8,
		"week 2026-W16: cards in id needs 12.4 FTE, the roster gives 9.0: 3.4 FTE short");
	assert_reason(&r, 1, "launches/l.md", 8,
		"week 2026-W17: cards in id needs 13.0 FTE, the roster gives 9.0: 4.0 FTE short");
	opex_launch_check_result_release(&r);
	teardown(&f);
}
END_TEST

START_TEST(launches_kpi_checks__through_the_gate)
{
	fixture f;
	opex_launch_status st;
	opex_launch_approval_log log;
	opex_launch_gate_options opts = OPEX_LAUNCH_GATE_OPTIONS_INIT;
	opex_error err = OPEX_ERROR_INIT;
	const opex_launch_gate_status *gs;
	const char *text = NULL;
	opex_buf buf = OPEX_BUF_INIT(1 << 20);

	setup(&f, opex_yaml, "9", "id, fr", true);
	memset(&log, 0, sizeof(log));
	ck_assert_int_eq(opex_kb_repo_read(&buf, opex_kb_handbook_repo(f.hb),
		"launches/l.md", &err), 0);
	text = buf.ptr;
	opts.now = NOW;
	opts.kpi_store = f.store;
	ck_assert_int_eq(opex_launch_gate_evaluate(&st, f.launch, text, buf.len,
		f.hb, &log, &opts, &err), 0);
	gs = &st.gates[0];
	ck_assert_uint_eq(gs->check_count, 2);
	ck_assert_int_eq(gs->checks[0].check, OPEX_LAUNCH_CHECK_KPIS_WITHIN_TARGET);
	ck_assert_int_eq(gs->checks[0].state, OPEX_LAUNCH_CHECK_FAIL);
	ck_assert_int_eq(gs->checks[1].check, OPEX_LAUNCH_CHECK_CAPACITY_COVERED);
	ck_assert_int_eq(gs->checks[1].state, OPEX_LAUNCH_CHECK_FAIL);
	ck_assert_uint_eq(gs->checks[1].reason_count, 2);
	ck_assert(gs->state != OPEX_LAUNCH_GATE_PASSED);
	opex_launch_status_release(&st);
	opex_buf_release(&buf);
	teardown(&f);
}
END_TEST

START_TEST(launches_kpi_checks__missing_store)
{
	fixture f;
	opex_launch_check_result r;
	struct stat sb;
	char want[700];
	opex_launch_check checks[2] = { OPEX_LAUNCH_CHECK_KPIS_WITHIN_TARGET,
		OPEX_LAUNCH_CHECK_CAPACITY_COVERED };
	size_t i;

	setup(&f, opex_yaml, "14", "id", false);
	snprintf(want, sizeof(want),
		"no KPI store at '%s': load the helpdesk exports with opex kpi ingest: not evaluated",
		f.store);
	for (i = 0; i < 2; i++) {
		run(&r, &f, checks[i]);
		ck_assert_int_eq(r.state, OPEX_LAUNCH_CHECK_FAIL);
		ck_assert_uint_eq(r.reason_count, 1);
		assert_reason(&r, 0, "", 0, want);
		opex_launch_check_result_release(&r);
	}
	ck_assert_int_ne(stat(f.store, &sb), 0);      /* not created */
	teardown(&f);
}
END_TEST

/*
 * Failures from thin or missing input: what is missing, or the short week
 * found in spite of it (`count` reasons, the first one given).
 */
static const struct {
	const char *settings, *fte, *markets;
	bool ingest;
	int64_t now;
	opex_launch_check check;
	size_t count;
	const char *path;
	unsigned line;
	const char *message;
} thin[] = {
	{ "journeys: [cards]\n", "14", "id", false, NOW,
	  OPEX_LAUNCH_CHECK_KPIS_WITHIN_TARGET, 1, "opex.yaml", 0,
	  "the handbook has no kpi mapping (kpi: in opex.yaml, or .opex/kpi.yaml): not evaluated" },
	{ "journeys: [cards]\n", "14", "id", false, NOW,
	  OPEX_LAUNCH_CHECK_CAPACITY_COVERED, 1, "opex.yaml", 0,
	  "the handbook has no kpi mapping (kpi: in opex.yaml, or .opex/kpi.yaml): not evaluated" },
	{ opex_yaml_no_handle, "14", "id", true, NOW,
	  OPEX_LAUNCH_CHECK_CAPACITY_COVERED, 1, "launches/l.md", 8,
	  "the KPI store has no handle times of journey cards: map handle_minutes or handle_seconds in the kpi mapping and ingest the exports again: not evaluated" },
	{ opex_yaml, "14", "id, uk", true, NOW,
	  OPEX_LAUNCH_CHECK_KPIS_WITHIN_TARGET, 1, "launches/l.md", 6,
	  "the KPI store has no cases of 'processes/lost-card.dot' in market uk: its targets cannot be judged" },
	/* no journey on the cases: the map's journey stands in */
	{ opex_yaml_no_journey, "9", "id", true, NOW,
	  OPEX_LAUNCH_CHECK_CAPACITY_COVERED, 2, "launches/l.md", 8,
	  "week 2026-W16: cards in id needs 12.4 FTE, the roster gives 9.0: 3.4 FTE short" },
	/* a new market: no cases there, the AHT of every market, no team;
	 * the reason is on the entry for every market */
	{ opex_yaml, "14", "id, uk", true, NOW,
	  OPEX_LAUNCH_CHECK_CAPACITY_COVERED, 1, "launches/l.md", 12,
	  "week 2026-W17: cards in uk needs 0.6 FTE, the roster gives 0.0: 0.6 FTE short" },
	/* an old export: nothing in the baseline weeks */
	{ opex_yaml, "14", "id", true, 1780444800 /* 2026-06-03 */,
	  OPEX_LAUNCH_CHECK_CAPACITY_COVERED, 1, "launches/l.md", 8,
	  "the KPI store has no cases of journey cards created in 2026-W19 to 2026-W22, the 4 full weeks before now: ingest a recent export: not evaluated" },
};

START_TEST(launches_kpi_checks__thin_input)
{
	fixture f;
	opex_launch_check_result r;

	setup(&f, thin[_i].settings, thin[_i].fte, thin[_i].markets,
		thin[_i].ingest);
	f.now = thin[_i].now;
	run(&r, &f, thin[_i].check);
	ck_assert_int_eq(r.state, OPEX_LAUNCH_CHECK_FAIL);
	ck_assert_uint_eq(r.reason_count, thin[_i].count);
	assert_reason(&r, 0, thin[_i].path, thin[_i].line, thin[_i].message);
	opex_launch_check_result_release(&r);
	teardown(&f);
}
END_TEST

static const char bad_capacity_md[] =
	"---\n"                                               /* 1 */
	"title: Bad capacity\n"                               /* 2 */
	"owner: zoe\n"                                        /* 3 */
	"markets: [id]\n"                                     /* 4 */
	"processes: [processes/lost-card.dot]\n"              /* 5 */
	"capacity:\n"                                         /* 6 */
	"  - journey: cards\n"                                /* 7 */
	"    extra_contacts_per_week: -400\n"                 /* 8 */
	"    weeks: [2026-W16]\n"                             /* 9 */
	"  - journey: loans\n"                                /* 10 */
	"    market: fr\n"                                    /* 11 */
	"    extra_contacts_per_week: 10\n"                   /* 12 */
	"    weeks: [2026-W16, 2026-W60, 16]\n"               /* 13 */
	"  - journey: cards\n"                                /* 14 */
	"    extra_contacts_per_week: 10\n"                   /* 15 */
	"    weeks: 4\n"                                      /* 16: no date */
	"  - just a name\n"                                   /* 17 */
	"gates:\n"
	"  - id: go-live\n"
	"    title: Go-live\n"
	"    approvers: [ops]\n"
	"    checks: [capacity-covered]\n"
	"---\n";

START_TEST(launches_kpi_checks__capacity_lint)
{
	fixture f;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_launch_check_result r;
	opex_launch *l;
	static const unsigned lines[] = { 8, 13, 13, 16, 17, 10, 11 };
	size_t i;

	setup(&f, opex_yaml, "14", "id", false);
	l = opex_launch_parse("launches/bad.md", bad_capacity_md,
		strlen(bad_capacity_md), &diags);
	ck_assert_ptr_nonnull(l);
	opex_launch_lint(l, f.hb, &diags);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_msg(opex_test_has_diag(&diags, "capacity-invalid",
			"launches/bad.md", lines[i]), "no capacity-invalid on line %u",
			lines[i]);
	ck_assert_uint_eq(opex_diag_count(&diags, OPEX_SEVERITY_ERROR), 7);
	ck_assert_ptr_nonnull(strstr(diags.items[0].message, "negative"));
	ck_assert_uint_eq(opex_launch_capacity_count(l), 4);
	ck_assert(opex_launch_capacity_at(l, 0)->invalid);
	/* the check refuses what lint refused: never a silent pass */
	opex_launch_free(f.launch);
	f.launch = l;
	run(&r, &f, OPEX_LAUNCH_CHECK_CAPACITY_COVERED);
	ck_assert_int_eq(r.state, OPEX_LAUNCH_CHECK_FAIL);
	assert_reason(&r, 0, "launches/bad.md", 7,
		"capacity entry is invalid (see opex lint): not evaluated");
	opex_launch_check_result_release(&r);
	opex_diag_list_release(&diags);
	teardown(&f);
}
END_TEST

Suite *suite_kpi_checks(void)
{
	Suite *s = suite_create("launches_kpi_checks");
	TCase *tc = tcase_create("kpi_checks");

	tcase_add_test(tc, launches_kpi_checks__pass);
	tcase_add_test(tc, launches_kpi_checks__fail_with_reasons);
	tcase_add_test(tc, launches_kpi_checks__through_the_gate);
	tcase_add_test(tc, launches_kpi_checks__missing_store);
	tcase_add_loop_test(tc, launches_kpi_checks__thin_input, 0,
		(int)(sizeof(thin) / sizeof(thin[0])));
	tcase_add_test(tc, launches_kpi_checks__capacity_lint);
	suite_add_tcase(s, tc);
	return s;
}
