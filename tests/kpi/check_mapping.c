/* check_mapping.c: kpi/mapping.c, the kpi: mapping and its checks. */
#include <check.h>
#include <string.h>

#include "kpi/kpi_int.h"
#include "core/memory.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

static const char good[] =
	"languages: [en]\n"
	"kpi:\n"
	"  age_buckets: [1, 3, 10]\n"
	"  sources:\n"
	"    - name: zendesk\n"
	"      files: \"zendesk*.csv\"\n"
	"      shape: tickets\n"
	"      time_zone: \"+01:00\"\n"
	"      process: processes/refund.dot\n"
	"      columns:\n"
	"        case: id\n"
	"        created: created_at\n"
	"        status: status\n"
	"      values:\n"
	"        csat: {good: 5, bad: 1, offered: null}\n"
	"      steps:\n"
	"        field: status\n"
	"        map: {new: triage, open: review}\n"
	"    - name: history\n"
	"      files: \"*.jsonl\"\n"
	"      shape: events\n"
	"      time_format: \"%d/%m/%Y %H:%M\"\n"
	"      processes:\n"
	"        field: journey\n"
	"        map: {refunds: processes/refund.dot}\n"
	"      columns: {case: CaseId, at: CreatedDate, activity: NewValue}\n";

static const char map[] =
	"digraph refund {\n"
	"  start [kind=start label=\"Start\"];\n"
	"  triage [label=\"Triage\" target_step_p90=\"8h\"];\n"
	"  done [kind=end label=\"Done\"];\n"
	"  start -> triage -> done;\n"
	"}\n";

START_TEST(kpi_mapping__parse)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kpi_mapping *m = NULL;
	const kpi_source *s;

	ck_assert_int_eq(opex_kpi_mapping_parse(&m, "opex.yaml", good,
		strlen(good), &diags, NULL), 0);
	opex_test_dump_diags(&diags);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_uint_eq(m->source_count, 2);
	ck_assert_uint_eq(m->age_buckets[1], 3);
	ck_assert_uint_eq(opex_kpi_mapping_process_count(m), 1);
	ck_assert_str_eq(opex_kpi_mapping_process(m, 0), "processes/refund.dot");
	s = kpi_mapping_source_for(m, "exports/zendesk-2026.csv");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->name, "zendesk");
	ck_assert_int_eq(s->tz_offset, 3600);
	ck_assert_ptr_null(kpi_pairs_find(&s->values[KPI_F_CSAT], "offered", 7)->value);
	s = kpi_mapping_source_for(m, "h.jsonl");
	ck_assert_int_eq(s->shape, KPI_SHAPE_EVENTS);
	ck_assert_int_eq(s->time_kind, KPI_TIME_PATTERN);
	ck_assert_int_eq(s->steps_field, -1);
	ck_assert_ptr_null(kpi_mapping_source_for(m, "other.txt"));
	opex_kpi_mapping_free(m);
	opex_diag_list_release(&diags);
}
END_TEST

/* The ```yaml blocks of the README's KPI section, joined: one mapping. */
static char *readme_mapping(void)
{
	char *path = opex_test_source_path("README.md");
	char *text = opex_test_read_file(path, NULL), *at, *end;
	opex_buf out = OPEX_BUF_INIT(1 << 20);

	ck_assert_ptr_nonnull(text);
	at = strstr(text, "\n## KPIs from helpdesk exports");
	ck_assert_ptr_nonnull(at);
	end = strstr(at + 1, "\n## ");
	ck_assert_ptr_nonnull(end);
	while ((at = strstr(at, "```yaml\n")) != NULL && at < end) {
		char *close = strstr(at + 8, "```");

		ck_assert_ptr_nonnull(close);
		opex_buf_put(&out, at + 8, (size_t)(close - at - 8));
		at = close + 3;
	}
	opex_free(text);
	opex_free(path);
	return opex_buf_detach(&out, NULL);
}

/* A row in each of the README's shapes loads (a dry run: no store). */
START_TEST(kpi_mapping__readme_examples)
{
	static const struct { const char *file, *data; } rows[] = {
		{ "zendesk-2026-03.csv",
		  "id,created_at,reply_time_in_minutes,solved_at,status,group,tags,"
		  "requester_email,reopens,satisfaction_score,subject\n"
		  "1,2026-02-01T10:00:00Z,35,2026-02-03T10:00:00Z,solved,Agents,"
		  "market_fr journey_chargebacks lang_fr,a@example.com,0,good,Hi\n" },
		{ "Case-2026.csv",
		  "CaseNumber,Status,Origin,OwnerId,IsEscalated,CreatedDate,ClosedDate\n"
		  "00001001,Closed,Phone,00G1,false,2026-02-01 10:00:00,2026-02-02 09:00:00\n" },
		{ "CaseHistory-2026.csv",
		  "CaseId,CreatedDate,Field,OldValue,NewValue\n"
		  "00001001,2026-02-01T10:00:00Z,Status,,New\n"
		  "00001001,2026-02-01T10:05:00Z,Owner,a,b\n" },
		{ "intercom-2026.jsonl",
		  "{\"id\": \"215\", \"created_at\": 1769940000, \"first_admin_reply_at\": 1769941000,"
		  " \"last_close_at\": 1769999000, \"state\": \"closed\", \"source_type\": \"chat\","
		  " \"count_reopens\": 0, \"conversation_rating\": 5, \"contact_email\": \"b@example.com\"}\n" },
	};
	char *text = readme_mapping();
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kpi_mapping *m = NULL;
	size_t i;

	ck_assert_msg(opex_kpi_mapping_parse(&m, "README.md", text, strlen(text),
		&diags, NULL) == 0, "%s", text);
	opex_test_dump_diags(&diags);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_uint_eq(m->source_count, 4);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		opex_kpi_ingest_stats stats;
		opex_error err = OPEX_ERROR_INIT;

		opex_kpi_ingest_stats_init(&stats);
		ck_assert_msg(opex_kpi_ingest_buffer(&stats, NULL, m, rows[i].file,
			rows[i].data, strlen(rows[i].data), 1772323200, &diags, &err) == 0,
			"%s: %s", rows[i].file, err.message);
		opex_test_dump_diags(&diags);
		ck_assert_uint_eq(stats.bad, 0);
		ck_assert_uint_eq(stats.added, 1);   /* the CaseHistory Owner row is filtered */
		opex_kpi_ingest_stats_release(&stats);
	}
	opex_kpi_mapping_free(m);
	opex_diag_list_release(&diags);
	opex_free(text);
}
END_TEST

typedef struct bad_row {
	const char *yaml;
	unsigned line;
	const char *message;
} bad_row;

static const bad_row bad[] = {
	{ "kpi:\n  sources:\n    - name: a\n      process: p.dot\n      colums: {case: id}\n", 5,
	  "unknown key 'colums' in a kpi source" },
	{ "kpi:\n  sources:\n    - name: a\n      process: p.dot\n      columns: {created: c}\n", 5,
	  "columns has no 'case': which column holds the case id" },
	{ "kpi:\n  sources:\n    - name: a\n      columns: {case: id, created: c}\n", 3,
	  "source 'a' names no process: give process: or processes:" },
	{ "kpi:\n  sources:\n    - name: a\n      process: p.dot\n      time_zone: Europe/Paris\n      columns: {case: id, created: c}\n", 5,
	  "time_zone 'Europe/Paris' is not a fixed offset such as \"+01:00\" or \"Z\" (zone names are not supported)" },
	{ "kpi:\n  sources:\n    - name: a\n      process: p.dot\n      columns: {case: id, created: c, colour: x}\n", 5,
	  "unknown field 'colour' in columns" },
	{ "kpi:\n  age_buckets: [7, 1]\n  sources:\n    - name: a\n      process: p.dot\n      columns: {case: id, created: c}\n", 2,
	  "age_buckets: each bound is a whole number of days, larger than the one before" },
};

START_TEST(kpi_mapping__invalid)
{
	const bad_row *r = &bad[_i];
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kpi_mapping *m = NULL;
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_int_eq(opex_kpi_mapping_parse(&m, "opex.yaml", r->yaml,
		strlen(r->yaml), &diags, &err), OPEX_EINVALID);
	ck_assert_ptr_null(m);
	ck_assert_uint_ge(diags.count, 1);
	ck_assert_str_eq(diags.items[0].message, r->message);
	ck_assert_uint_eq(diags.items[0].line, r->line);
	ck_assert_str_eq(diags.items[0].path, "opex.yaml");
	opex_diag_list_release(&diags);
}
END_TEST

START_TEST(kpi_mapping__load_checks_maps)
{
	opex_test_repo *t = opex_test_repo_new(false);
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kpi_mapping *m = NULL;
	opex_kb_repo *repo = NULL;
	opex_error err = OPEX_ERROR_INIT;

	opex_test_repo_put(t, "opex.yaml", good);
	opex_test_repo_put(t, "processes/refund.dot", map);
	opex_test_repo_commit(t, "A", "a@example.com", 1700000000, "one", NULL);
	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(t), NULL, &err), 0);
	/* "open: review": the map has no node review (line 18 of opex.yaml) */
	ck_assert_int_eq(opex_kpi_mapping_load(&m, repo, &diags, &err), OPEX_EINVALID);
	ck_assert(opex_test_has_diag(&diags, KPI_RULE_MAPPING, "opex.yaml", 18));
	ck_assert_uint_eq(diags.count, 1);
	ck_assert_str_eq(diags.items[0].message,
		"step 'open' maps to node 'review', which is not in 'processes/refund.dot'");
	opex_diag_list_release(&diags);
	opex_kb_repo_free(repo);
	repo = NULL;

	/* the map gone: the process has no map */
	opex_test_repo_remove(t, "processes/refund.dot");
	opex_test_repo_commit(t, "A", "a@example.com", 1700000100, "two", NULL);
	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(t), NULL, &err), 0);
	ck_assert_int_eq(opex_kpi_mapping_load(&m, repo, &diags, &err), OPEX_EINVALID);
	ck_assert(opex_test_has_diag(&diags, KPI_RULE_MAPPING, "opex.yaml", 0));
	ck_assert_ptr_nonnull(strstr(diags.items[0].message, "has no map"));
	opex_diag_list_release(&diags);
	opex_kb_repo_free(repo);
	repo = NULL;

	/* .opex/kpi.yaml when opex.yaml has no kpi: */
	opex_test_repo_put(t, "opex.yaml", "languages: [en]\n");
	opex_test_repo_put(t, ".opex/kpi.yaml",
		"sources:\n  - name: a\n    process: processes/refund.dot\n"
		"    columns: {case: id, created: c}\n"
		"    steps: {map: {new: triage}}\n");
	opex_test_repo_put(t, "processes/refund.dot", map);
	opex_test_repo_commit(t, "A", "a@example.com", 1700000200, "three", NULL);
	ck_assert_int_eq(opex_kb_repo_open(&repo, opex_test_repo_path(t), NULL, &err), 0);
	ck_assert_int_eq(opex_kpi_mapping_load(&m, repo, &diags, &err), 0);
	ck_assert_uint_eq(diags.count, 0);
	ck_assert_str_eq(m->path, ".opex/kpi.yaml");
	opex_kpi_mapping_free(m);
	opex_kb_repo_free(repo);
	opex_test_repo_free(t);
}
END_TEST

Suite *suite_mapping(void)
{
	Suite *s = suite_create("kpi_mapping");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, kpi_mapping__parse);
	tcase_add_test(tc, kpi_mapping__readme_examples);
	tcase_add_loop_test(tc, kpi_mapping__invalid, 0,
		(int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, kpi_mapping__load_checks_maps);
	suite_add_tcase(s, tc);
	return s;
}
