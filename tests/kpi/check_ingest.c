/* check_ingest.c: kpi/ingest.c and kpi/store.c: rows into the store. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "kpi/kpi_int.h"
#include "support/test_util.h"

#define NOW 1772323200 /* 2026-03-01 */

static const char mapping_text[] =
	"kpi:\n"
	"  sources:\n"
	"    - name: zendesk\n"
	"      files: \"zendesk*.csv\"\n"
	"      process: processes/refund.dot\n"
	"      columns: {case: id, created: created_at, solved: solved_at,\n"
	"                status: status, team: group, tags: tags,\n"
	"                requester: requester, csat: satisfaction}\n"
	"      tags: {market: market_}\n"
	"      values: {csat: {good: 5, bad: 1, offered: null}}\n"
	"      steps: {field: status, map: {new: triage, open: review, solved: done}}\n"
	"      automated_teams: [bot]\n"
	"    - name: history\n"
	"      files: \"*.jsonl\"\n"
	"      shape: events\n"
	"      time_format: epoch\n"
	"      process: processes/refund.dot\n"
	"      columns: {case: case, at: at, activity: step}\n";

static const char good[] =
	"id,created_at,solved_at,status,group,tags,requester,satisfaction,subject\n"
	"1,2026-02-01T10:00:00Z,2026-02-02T10:00:00Z,solved,agents,market_uk vip,a@x.com,good,Lost card\n"
	"2,2026-02-03T10:00:00Z,,open,agents,market_fr,b@x.com,offered,Refund\n"
	"3,2026-02-04T10:00:00Z,,new,bot,,a@x.com,,Hello\n";

static opex_kpi_mapping *mapping(void)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kpi_mapping *m = NULL;

	ck_assert_int_eq(opex_kpi_mapping_parse(&m, "opex.yaml", mapping_text,
		strlen(mapping_text), &diags, NULL), 0);
	opex_diag_list_release(&diags);
	return m;
}

static uint64_t count(opex_kpi_store *st, const char *table)
{
	uint64_t n = 0;

	ck_assert_int_eq(kpi_store_count(st, table, &n, NULL), 0);
	return n;
}

START_TEST(kpi_ingest__twice_changes_nothing)
{
	opex_kpi_mapping *m = mapping();
	opex_kpi_store *st = NULL;
	opex_kpi_ingest_stats stats;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	static const char ev[] =
		"{\"case\": \"1\", \"at\": 1769940000, \"step\": \"new\"}\n"
		"{\"case\": \"1\", \"at\": 1769943600, \"step\": \"open\"}\n"
		"{\"case\": \"1\", \"at\": 1769943600, \"step\": \"open\"}\n";

	ck_assert_int_eq(opex_kpi_store_open(&st, ":memory:", &err), 0);
	opex_kpi_ingest_stats_init(&stats);
	ck_assert_int_eq(opex_kpi_ingest_buffer(&stats, st, m, "exports/zendesk-1.csv",
		good, strlen(good), NOW, &diags, &err), 0);
	ck_assert_uint_eq(stats.rows, 3);
	ck_assert_uint_eq(stats.added, 3);
	ck_assert_str_eq(stats.source, "zendesk");
	ck_assert_str_eq(stats.unknown.ptr, "subject");
	opex_kpi_ingest_stats_release(&stats);
	opex_kpi_ingest_stats_init(&stats);
	ck_assert_int_eq(opex_kpi_ingest_buffer(&stats, st, m, "zendesk-1.csv",
		good, strlen(good), NOW, &diags, &err), 0);
	ck_assert_uint_eq(stats.added, 0);
	ck_assert_uint_eq(count(st, "cases"), 3);
	opex_kpi_ingest_stats_release(&stats);
	opex_kpi_ingest_stats_init(&stats);
	ck_assert_int_eq(opex_kpi_ingest_buffer(&stats, st, m, "h.jsonl",
		ev, strlen(ev), NOW, &diags, &err), 0);
	ck_assert_uint_eq(stats.rows, 3);
	ck_assert_uint_eq(stats.added, 2); /* the duplicated row */
	ck_assert_uint_eq(count(st, "events"), 2);
	ck_assert_uint_eq(diags.count, 0);
	opex_kpi_ingest_stats_release(&stats);
	opex_kpi_store_free(st);
	opex_kpi_mapping_free(m);
}
END_TEST

typedef struct bad_file {
	const char *body;      /* after the header */
	unsigned line;
	const char *message;
} bad_file;

static const bad_file bad[] = {
	{ "9,2027-01-01T00:00:00Z,,new,a,,,,x\n", 3, "created_at '2027-01-01T00:00:00Z' is in the future" },
	{ "9,1969-07-20T20:17:00Z,,new,a,,,,x\n", 3, "created_at '1969-07-20T20:17:00Z' is before 1970" },
	{ "9,2026-02-05T10:00:00Z,2026-02-04T10:00:00Z,solved,a,,,,x\n", 3,
	  "the case ends (1770199200) before it starts (1770285600)" },
	{ "9,2026-02-05T10:00:00Z,,escalated,a,,,,x\n", 3,
	  "status 'escalated' is mapped to no node (add it to steps: map: of source 'zendesk', or map it to null)" },
	{ "9,soon,,new,a,,,,x\n", 3,
	  "created_at 'soon' is not an ISO 8601 time (YYYY-MM-DD[THH:MM[:SS]][Z|+hh:mm])" },
	{ ",2026-02-05T10:00:00Z,,new,a,,,,x\n", 3, "the case id (id) is empty" },
	{ "9,2026-02-05T10:00:00Z,,new,a,,,\xc3\x28,x\n", 3, "the record is not valid UTF-8" },
	{ "9,2026-02-05T10:00:00Z,,new,a,,,meh,x\n", 3, "satisfaction 'meh' is not a score" },
};

/* One bad row: the whole file is refused and the store is as before. */
START_TEST(kpi_ingest__bad_row_rejects_file)
{
	const bad_file *b = &bad[_i];
	opex_kpi_mapping *m = mapping();
	opex_kpi_store *st = NULL;
	opex_kpi_ingest_stats stats;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	opex_buf text = OPEX_BUF_INIT(1u << 20);
	static const char head[] =
		"id,created_at,solved_at,status,group,tags,requester,satisfaction,subject\n"
		"7,2026-02-01T10:00:00Z,,new,agents,,,,fine\n";

	ck_assert_int_eq(opex_kpi_store_open(&st, ":memory:", &err), 0);
	opex_buf_puts(&text, head);
	opex_buf_puts(&text, b->body);
	opex_kpi_ingest_stats_init(&stats);
	ck_assert_int_eq(opex_kpi_ingest_buffer(&stats, st, m, "zendesk.csv",
		text.ptr, text.len, NOW, &diags, &err), OPEX_EINVALID);
	ck_assert_str_eq(err.message, "'zendesk.csv': 1 bad row, nothing was loaded");
	ck_assert_uint_eq(diags.count, 1);
	ck_assert_str_eq(diags.items[0].message, b->message);
	ck_assert_uint_eq(diags.items[0].line, b->line);
	ck_assert_str_eq(diags.items[0].path, "zendesk.csv");
	ck_assert_uint_eq(count(st, "cases"), 0);
	opex_kpi_ingest_stats_release(&stats);
	opex_diag_list_release(&diags);
	opex_buf_release(&text);
	opex_kpi_store_free(st);
	opex_kpi_mapping_free(m);
}
END_TEST

START_TEST(kpi_ingest__missing_column_and_source)
{
	opex_kpi_mapping *m = mapping();
	opex_kpi_ingest_stats stats;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_error err = OPEX_ERROR_INIT;
	static const char text[] = "id,created_at\n1,2026-02-01\n";

	opex_kpi_ingest_stats_init(&stats);
	ck_assert_int_eq(opex_kpi_ingest_buffer(&stats, NULL, m, "zendesk.csv",
		text, strlen(text), NOW, &diags, &err), OPEX_ENOTFOUND);
	ck_assert_str_eq(err.message,
		"zendesk.csv:1: error: the header has no column 'solved_at' (mapped to solved by source 'zendesk')");
	ck_assert_int_eq(opex_kpi_ingest_buffer(&stats, NULL, m, "other.txt",
		text, strlen(text), NOW, &diags, &err), OPEX_ENOTFOUND);
	ck_assert_str_eq(err.message,
		"'other.txt': no kpi source's files: pattern matches this file");
	opex_kpi_ingest_stats_release(&stats);
	opex_kpi_mapping_free(m);
}
END_TEST

/* A dry run checks everything and needs no store. */
START_TEST(kpi_ingest__dry_run)
{
	opex_kpi_mapping *m = mapping();
	opex_kpi_ingest_stats stats;
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;

	opex_kpi_ingest_stats_init(&stats);
	ck_assert_int_eq(opex_kpi_ingest_buffer(&stats, NULL, m, "zendesk.csv",
		good, strlen(good), NOW, &diags, NULL), 0);
	ck_assert_uint_eq(stats.added, 3);
	ck_assert_str_eq(stats.unknown.ptr, "subject");
	opex_kpi_ingest_stats_release(&stats);
	opex_kpi_mapping_free(m);
}
END_TEST

/* A store written before handle times and process-first event keys. */
static const char schema_1[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT INTO meta VALUES ('salt', '00112233445566778899aabbccddeeff'), ('schema', '1');"
	"CREATE TABLE cases (case_id TEXT PRIMARY KEY, process TEXT,"
	" step TEXT, status TEXT, market TEXT, journey TEXT, team TEXT,"
	" channel TEXT, language TEXT, requester BLOB, created INTEGER,"
	" first_reply INTEGER, solved INTEGER, reopens INTEGER, replies INTEGER,"
	" escalated INTEGER, csat REAL, automated INTEGER NOT NULL,"
	" digest BLOB NOT NULL);"
	"CREATE TABLE events (case_id TEXT NOT NULL, at INTEGER NOT NULL,"
	" activity TEXT NOT NULL, process TEXT, step TEXT, market TEXT, journey TEXT,"
	" team TEXT, channel TEXT, language TEXT, requester BLOB,"
	" automated INTEGER NOT NULL, PRIMARY KEY (case_id, at, activity)) WITHOUT ROWID;"
	"CREATE INDEX events_process ON events(process, case_id, at);"
	"INSERT INTO cases VALUES ('1', 'processes/refund.dot', 'triage', 'new',"
	" NULL, NULL, NULL, NULL, NULL, NULL, 1769940000, NULL, NULL, NULL, NULL,"
	" NULL, NULL, 0, x'00');"
	"INSERT INTO events VALUES ('9', 1769940000, 'new', 'processes/refund.dot',"
	" 'triage', NULL, NULL, NULL, NULL, NULL, NULL, 0);";

START_TEST(kpi_ingest__schema_1_store_is_upgraded)
{
	char *dir = opex_test_tmpdir(), path[4096];
	opex_kpi_mapping *m = mapping();
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kpi_ingest_stats stats;
	opex_kpi_store *st = NULL;
	sqlite3 *db = NULL;
	const char *history =
		"{\"case\": \"9\", \"at\": \"1769940000\", \"step\": \"new\"}\n"
		"{\"case\": \"9\", \"at\": \"1769943600\", \"step\": \"open\"}\n";

	snprintf(path, sizeof(path), "%s/kpi.sqlite", dir);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, schema_1, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(opex_kpi_store_open(&st, path, NULL), 0);
	/* the rows stay; the event already there is still deduplicated */
	ck_assert_uint_eq(count(st, "cases"), 1);
	ck_assert_uint_eq(count(st, "events"), 1);
	opex_kpi_ingest_stats_init(&stats);
	ck_assert_int_eq(opex_kpi_ingest_buffer(&stats, st, m, "h.jsonl",
		history, strlen(history), NOW, &diags, NULL), 0);
	ck_assert_uint_eq(stats.added, 1);
	ck_assert_uint_eq(count(st, "events"), 2);
	opex_kpi_ingest_stats_release(&stats);
	opex_kpi_store_free(st);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "SELECT handle FROM cases", NULL, NULL,
		NULL), SQLITE_OK);
	sqlite3_close(db);
	opex_kpi_mapping_free(m);
	opex_diag_list_release(&diags);
	opex_test_rmtree(dir);
}
END_TEST

Suite *suite_ingest(void)
{
	Suite *s = suite_create("kpi_ingest");
	TCase *tc = tcase_create("ingest");

	tcase_add_test(tc, kpi_ingest__twice_changes_nothing);
	tcase_add_loop_test(tc, kpi_ingest__bad_row_rejects_file, 0,
		(int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, kpi_ingest__missing_column_and_source);
	tcase_add_test(tc, kpi_ingest__dry_run);
	tcase_add_test(tc, kpi_ingest__schema_1_store_is_upgraded);
	suite_add_tcase(s, tc);
	return s;
}
