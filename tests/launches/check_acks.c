/*
 * check_acks.c: required reading (launches/acks.c): receipts on
 * refs/opex/acks, pinned to a blob so an edit makes them stale; who is
 * in an item's audience; receipts that must not count (forged, outside
 * the audience, rewritten chain); refusals; the word diff since a receipt.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "launches/launches.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#include "core/banned.h"

#define T0 1767225600 /* 2026-01-01 */

static const char roster[] =
	"people:\n"
	"  - id: ana\n    name: Ana\n    email: ana@x.io\n    teams: [desk]\n"
	"  - id: ben\n    name: Ben\n    email: ben@x.io\n    teams: [desk]\n"
	"  - id: cy\n    name: Cy\n    email: cy@x.io\n    teams: [back]\n"
	"  - id: dee\n    name: Dee\n    email: dee@x.io\n    teams: [jkt]\n"
	"teams:\n  - id: desk\n  - id: back\n  - id: jkt\n    partner: true\n";

static const char outage_v1[] =
	"---\ntitle: Card outage\nowner: ana\naudience: [desk, partners]\n"
	"severity: incident\nrequires_ack: true\nack_within: 1d\n"
	"articles: [articles/lost.md]\n---\n"
	"Card payments failed for two hours. Tell customers to retry.\n";

static const char outage_v2[] =
	"---\ntitle: Card outage\nowner: ana\naudience: [desk, partners]\n"
	"severity: incident\nrequires_ack: true\nack_within: 1d\n"
	"articles: [articles/lost.md]\n---\n"
	"Card payments failed for two hours. Tell customers to retry after noon"
	" and offer a refund of fees.\n";

static const char lost_md[] =
	"---\ntitle: Lost card\nowner: ana\nacknowledge: [back]\n---\nFreeze it.\n";

static const char map_dot[] =
	"digraph m {\n  title=\"Refunds\"; owner=\"ana\"; champion=\"ben\";\n"
	"  acknowledge=\"desk, back\";\n"
	"  s [kind=start, label=\"Start\"]; e [kind=end, label=\"Done\"];\n"
	"  s -> e;\n}\n";

typedef struct fixture {
	opex_test_repo *repo;
	opex_kb_handbook *hb;
	opex_diag_list diags;
	opex_pm_map *map;
} fixture;

static void fixture_load(fixture *f, int64_t now)
{
	opex_kb_handbook_free(f->hb);
	opex_pm_map_free(f->map);
	f->map = NULL;
	opex_diag_list_release(&f->diags);
	f->hb = opex_test_handbook_load(f->repo, now, &f->diags);
	ck_assert_int_eq(opex_pm_map_read(&f->map, opex_kb_handbook_repo(f->hb),
		"processes/refunds.dot", &f->diags), 0);
}

static void fixture_init(fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->repo = opex_test_repo_new(false);
	opex_test_repo_put(f->repo, "people.yaml", roster);
	opex_test_repo_put(f->repo, "announcements/outage.md", outage_v1);
	opex_test_repo_put(f->repo, "articles/lost.md", lost_md);
	opex_test_repo_put(f->repo, "processes/refunds.dot", map_dot);
	opex_test_repo_commit(f->repo, "Ana", "ana@x.io", T0, "one", NULL);
	fixture_load(f, T0 + 60);
}

static void fixture_release(fixture *f)
{
	opex_pm_map_free(f->map);
	opex_kb_handbook_free(f->hb);
	opex_diag_list_release(&f->diags);
	opex_test_repo_free(f->repo);
}

static void evaluate(opex_ack_status *st, fixture *f, opex_ack_log *log,
	int64_t now)
{
	const opex_pm_map *maps[1] = { f->map };
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_int_eq(opex_ack_log_refresh(log, opex_kb_handbook_repo(f->hb),
		NULL, &err), 0);
	opex_ack_evaluate(st, f->hb, maps, 1, log, now);
}

static void ack(fixture *f, const opex_ack_status *st, const char *path,
	const char *person, int64_t when)
{
	const opex_kb_person *p = opex_kb_roster_person(
		opex_kb_handbook_roster(f->hb), person);
	const opex_ack_item *item = opex_ack_status_find(st, f->hb, path);
	opex_error err = OPEX_ERROR_INIT;

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(item);
	ck_assert_int_eq(opex_ack_append(NULL, item, path,
		opex_kb_handbook_repo(f->hb), NULL, p, when, &err), 0);
}

static const opex_ack_team *team_of(const opex_ack_item *item, const char *id)
{
	size_t i;

	for (i = 0; i < item->team_count; i++)
		if (strcmp(item->teams[i].id, id) == 0)
			return &item->teams[i];
	return NULL;
}

START_TEST(launches_acks__items_and_audiences)
{
	fixture f;
	opex_ack_log log = OPEX_ACK_LOG_INIT;
	opex_ack_status st;
	const opex_ack_item *outage, *lost, *map;

	fixture_init(&f);
	evaluate(&st, &f, &log, T0 + 60);
	ck_assert_uint_eq(st.count, 3);
	outage = opex_ack_status_find(&st, f.hb, "announcements/outage.md");
	lost = opex_ack_status_find(&st, f.hb, "articles/lost.md");
	map = opex_ack_status_find(&st, f.hb, "processes/refunds.dot");
	ck_assert_ptr_nonnull(outage);
	ck_assert_ptr_nonnull(lost);
	ck_assert_ptr_nonnull(map);
	ck_assert_int_eq(outage->kind, OPEX_ACK_ANNOUNCEMENT);
	ck_assert_int_eq(outage->severity, OPEX_KB_NOTICE_INCIDENT);
	ck_assert(outage->required);
	ck_assert_int_eq(outage->due, T0 + 86400);
	/* desk (ana, ben) and partners (dee); not cy */
	ck_assert_uint_eq(outage->reader_count, 3);
	ck_assert_ptr_nonnull(opex_ack_item_reader(outage, "dee"));
	ck_assert_ptr_null(opex_ack_item_reader(outage, "cy"));
	ck_assert_uint_eq(team_of(outage, "partners")->members, 1);
	ck_assert_uint_eq(lost->reader_count, 1);
	ck_assert_str_eq(lost->readers[0].person->id, "cy");
	ck_assert_uint_eq(map->reader_count, 3);
	ck_assert_str_eq(map->title, "Refunds");
	ck_assert_uint_eq(outage->missing, 3);
	opex_ack_status_release(&st);
	opex_ack_log_release(&log);
	fixture_release(&f);
}
END_TEST

START_TEST(launches_acks__receipt_goes_stale_when_the_text_changes)
{
	fixture f;
	opex_ack_log log = OPEX_ACK_LOG_INIT;
	opex_ack_status st;
	const opex_ack_item *outage;
	const opex_ack_reader *rd;
	opex_buf why = OPEX_BUF_INIT(1024);
	opex_ack_diff diff;
	opex_error err = OPEX_ERROR_INIT;
	bool added = false, removed = false;
	size_t i;

	fixture_init(&f);
	evaluate(&st, &f, &log, T0 + 60);
	ack(&f, &st, "announcements/outage.md", "ana", T0 + 120);
	ack(&f, &st, "announcements/outage.md", "dee", T0 + 130);
	opex_ack_status_release(&st);
	evaluate(&st, &f, &log, T0 + 200);
	outage = opex_ack_status_find(&st, f.hb, "announcements/outage.md");
	ck_assert_uint_eq(outage->current, 2);
	ck_assert_uint_eq(outage->missing, 1);
	ck_assert_uint_eq(team_of(outage, "desk")->current, 1);
	ck_assert_uint_eq(team_of(outage, "desk")->members, 2);
	/* twice: refused */
	ck_assert_int_eq(opex_ack_check(outage, "ana", &why), OPEX_ACK_ALREADY);
	ck_assert_ptr_nonnull(strstr(why.ptr, "already acknowledged"));
	ck_assert_int_eq(opex_ack_check(outage, "cy", &why), OPEX_ACK_NOT_AUDIENCE);
	ck_assert_int_eq(opex_ack_check(outage, "ben", &why), OPEX_ACK_OK);
	opex_ack_status_release(&st);

	/* the announcement is edited: both receipts are stale */
	opex_test_repo_put(f.repo, "announcements/outage.md", outage_v2);
	opex_test_repo_commit(f.repo, "Ana", "ana@x.io", T0 + 3600, "two", NULL);
	fixture_load(&f, T0 + 3700);
	evaluate(&st, &f, &log, T0 + 3700);
	outage = opex_ack_status_find(&st, f.hb, "announcements/outage.md");
	ck_assert_uint_eq(outage->current, 0);
	ck_assert_uint_eq(outage->stale, 2);
	ck_assert_int_eq(outage->due, T0 + 3600 + 86400);
	rd = opex_ack_item_reader(outage, "ana");
	ck_assert_int_eq(rd->state, OPEX_ACK_STALE);
	ck_assert_int_eq(opex_ack_check(outage, "ana", NULL), OPEX_ACK_OK);
	/* what changed since ana read it: the words of the new sentence */
	ck_assert_int_eq(opex_ack_diff_since(&diff, f.hb, outage, rd->receipt,
		&err), 0);
	for (i = 0; i < diff.count; i++) {
		if (diff.runs[i].change == OPEX_ACK_ADDED &&
		    strstr(diff.runs[i].text, "refund of fees") != NULL)
			added = true;
		if (diff.runs[i].change == OPEX_ACK_REMOVED &&
		    strcmp(diff.runs[i].text, "retry.") == 0)
			removed = true;
	}
	ck_assert(added);
	ck_assert(removed);
	ck_assert(!diff.too_different);
	opex_ack_diff_release(&diff);
	opex_ack_status_release(&st);

	/* overdue a day after the change */
	evaluate(&st, &f, &log, T0 + 3600 + 86400 + 1);
	outage = opex_ack_status_find(&st, f.hb, "announcements/outage.md");
	ck_assert_uint_eq(outage->overdue, 3);
	opex_ack_status_release(&st);
	opex_ack_log_release(&log);
	opex_buf_release(&why);
	fixture_release(&f);
}
END_TEST

/* A record written to the ref by hand, as `payload` says. */
static int raw_record(opex_buf *out, const char *parent, void *payload)
{
	(void)parent;
	opex_buf_puts(out, payload);
	return 0;
}

static char junk[] = "opex-ack 1\npath ../x\n";

START_TEST(launches_acks__forged_receipts_do_not_count)
{
	fixture f;
	opex_ack_log log = OPEX_ACK_LOG_INIT;
	opex_ack_status st;
	const opex_ack_item *outage;
	opex_kb_record_author mallory = { "Mallory", "mallory@evil.example", T0 + 300 };
	opex_kb_record_author ben_self = { "Ben", "ben@x.io", T0 + 400 };
	opex_error err = OPEX_ERROR_INIT;
	opex_buf text = OPEX_BUF_INIT(4096);
	char tip[41];

	fixture_init(&f);
	evaluate(&st, &f, &log, T0 + 60);
	outage = opex_ack_status_find(&st, f.hb, "announcements/outage.md");
	/* ben's receipt, but its commit is by someone else */
	ack(&f, &st, "announcements/outage.md", "cy", T0 + 200); /* not in audience */
	ck_assert_int_eq(opex_ack_log_refresh(&log, opex_kb_handbook_repo(f.hb),
		NULL, &err), 0);
	memcpy(tip, log.tip, sizeof(tip));
	opex_buf_printf(&text, "opex-ack 1\npath announcements/outage.md\n"
		"blob %s\nread announcements/outage.md\nperson ben\n"
		"time 2026-01-01T00:05:00Z\nrevision %s\nprev %s\n", outage->blob,
		opex_kb_repo_commit(opex_kb_handbook_repo(f.hb)), tip);
	ck_assert_int_eq(opex_kb_records_append(NULL, opex_kb_handbook_repo(f.hb),
		OPEX_ACK_REF, raw_record, text.ptr, "forged", &mallory, &err), 0);
	/* garbage and a receipt with a wrong prev, by ben himself */
	ck_assert_int_eq(opex_kb_records_append(NULL, opex_kb_handbook_repo(f.hb),
		OPEX_ACK_REF, raw_record, junk, "junk",
		&ben_self, &err), 0);
	ck_assert_int_eq(opex_kb_records_append(NULL, opex_kb_handbook_repo(f.hb),
		OPEX_ACK_REF, raw_record, text.ptr, "replayed", &ben_self, &err), 0);
	opex_ack_status_release(&st);
	evaluate(&st, &f, &log, T0 + 500);
	outage = opex_ack_status_find(&st, f.hb, "announcements/outage.md");
	ck_assert_uint_eq(outage->current, 0);
	ck_assert_uint_eq(st.counted, 0);
	ck_assert(opex_test_has_diag(&st.problems, "receipt-not-counted",
		OPEX_ACK_REF, 0));
	ck_assert(opex_test_has_diag(&st.problems, "record-invalid",
		OPEX_ACK_REF, 0));
	ck_assert(opex_test_has_diag(&st.problems, "record-tampered",
		OPEX_ACK_REF, 0));
	ck_assert_uint_eq(st.problems.count, 4);
	opex_ack_status_release(&st);
	opex_ack_log_release(&log);
	opex_buf_release(&text);
	fixture_release(&f);
}
END_TEST

START_TEST(launches_acks__refresh_reads_only_new_records)
{
	fixture f;
	opex_ack_log log = OPEX_ACK_LOG_INIT;
	opex_ack_status st;
	opex_error err = OPEX_ERROR_INIT;
	bool changed = true;
	const opex_ack_receipt *first;

	fixture_init(&f);
	evaluate(&st, &f, &log, T0 + 60);
	ck_assert_str_eq(log.tip, "");
	ack(&f, &st, "announcements/outage.md", "ana", T0 + 100);
	ck_assert_int_eq(opex_ack_log_refresh(&log, opex_kb_handbook_repo(f.hb),
		&changed, &err), 0);
	ck_assert(changed);
	ck_assert_uint_eq(log.count, 1);
	first = &log.items[0];
	ck_assert_int_eq(opex_ack_log_refresh(&log, opex_kb_handbook_repo(f.hb),
		&changed, &err), 0);
	ck_assert(!changed);
	ack(&f, &st, "processes/refunds.dot", "cy", T0 + 110);
	ack(&f, &st, "articles/lost.md", "cy", T0 + 120);
	ck_assert_int_eq(opex_ack_log_refresh(&log, opex_kb_handbook_repo(f.hb),
		&changed, &err), 0);
	ck_assert(changed);
	ck_assert_uint_eq(log.count, 3);
	ck_assert_uint_eq(log.problems.count, 0);
	(void)first;
	ck_assert_ptr_nonnull(opex_ack_log_find(&log, "articles/lost.md", "cy"));
	ck_assert_ptr_null(opex_ack_log_find(&log, "articles/lost.md", "ana"));
	ck_assert_int_eq(opex_ack_log_find(&log, "processes/refunds.dot", "cy")->time,
		T0 + 110);
	opex_ack_status_release(&st);
	opex_ack_log_release(&log);
	fixture_release(&f);
}
END_TEST

START_TEST(launches_acks__expired_announcement_refuses)
{
	fixture f;
	opex_ack_log log = OPEX_ACK_LOG_INIT;
	opex_ack_status st;
	const opex_ack_item *item;
	static const char old[] =
		"---\ntitle: Old news\nowner: ana\nexpires: 2026-01-01\n"
		"requires_ack: true\n---\nGone.\n";

	fixture_init(&f);
	opex_test_repo_put(f.repo, "announcements/old.md", old);
	opex_test_repo_commit(f.repo, "Ana", "ana@x.io", T0 + 10, "old", NULL);
	fixture_load(&f, T0 + 2 * 86400);
	evaluate(&st, &f, &log, T0 + 2 * 86400);
	item = opex_ack_status_find(&st, f.hb, "announcements/old.md");
	ck_assert_ptr_nonnull(item);
	ck_assert(item->expired);
	ck_assert_uint_eq(item->reader_count, 4); /* no audience: everyone */
	ck_assert_int_eq(opex_ack_check(item, "ana", NULL), OPEX_ACK_EXPIRED);
	ck_assert_uint_eq(item->overdue, 0);
	opex_ack_status_release(&st);
	opex_ack_log_release(&log);
	fixture_release(&f);
}
END_TEST

/* Hostile receipts: each is refused with the field named, nothing leaks. */
static const char *const bad_receipts[] = {
	"",
	"opex-ack 2\n",
	"opex-ack 1\npath\n",
	"opex-ack 1\npath /etc/passwd\nblob x\n",
	"opex-ack 1\npath a/../../b.md\n",
	"opex-ack 1\npath a.md\nblob 0123\n",
	"opex-ack 1\npath a.md\nblob 0123456789012345678901234567890123456789\n"
	"read a.md\nperson two words\n",
	"opex-ack 1\npath a.md\nblob 0123456789012345678901234567890123456789\n"
	"read a.md\nperson ana\ntime yesterday\n",
	"opex-ack 1\npath a.md\nblob 0123456789012345678901234567890123456789\n"
	"read a.md\nperson ana\ntime 2026-01-01T00:00:00Z\nrevision "
	"0123456789012345678901234567890123456789\nprev -\nextra 1\n",
};

START_TEST(launches_acks__hostile_receipts)
{
	opex_error err = OPEX_ERROR_INIT;
	opex_ack_receipt r;
	const char *text = bad_receipts[_i];

	ck_assert_int_eq(opex_ack_receipt_parse(&r, text, strlen(text), &err),
		OPEX_EINVALID);
	ck_assert(err.message[0] != '\0');
	ck_assert_ptr_null(r.path);
}
END_TEST

START_TEST(launches_acks__receipt_round_trip)
{
	static const char good[] =
		"opex-ack 1\npath announcements/a.md\n"
		"blob 0123456789012345678901234567890123456789\n"
		"read announcements/a.fr.md\nperson ana\ntime 2026-01-01T10:00:00Z\n"
		"revision 0123456789012345678901234567890123456789\nprev -\n";
	opex_error err = OPEX_ERROR_INIT;
	opex_buf back = OPEX_BUF_INIT(4096);
	opex_ack_receipt r;

	ck_assert_int_eq(opex_ack_receipt_parse(&r, good, strlen(good), &err), 0);
	ck_assert_str_eq(r.read, "announcements/a.fr.md");
	ck_assert_int_eq(r.time, T0 + 36000);
	opex_ack_receipt_format(&back, &r);
	ck_assert_str_eq(back.ptr, good);
	opex_ack_receipt_release(&r);
	opex_buf_release(&back);
}
END_TEST

/* The launch check: every member of the teams serving its markets. */
START_TEST(launches_acks__stakeholders_acknowledged)
{
	static const char launch_md[] =
		"---\ntitle: L\nowner: ana\nmarkets: [id]\n"
		"announcement: announcements/outage.md\n"
		"gates:\n  - id: go\n    approvers: [ana]\n"
		"    checks: [stakeholders-acknowledged]\n---\n";
	static const char no_notice_md[] =
		"---\ntitle: L\nowner: ana\nmarkets: [id]\n"
		"gates:\n  - id: go\n    approvers: [ana]\n---\n";
	static const char roster_markets[] =
		"people:\n"
		"  - id: ana\n    name: Ana\n    email: ana@x.io\n    teams: [desk]\n"
		"  - id: ben\n    name: Ben\n    email: ben@x.io\n    teams: [desk]\n"
		"  - id: cy\n    name: Cy\n    email: cy@x.io\n    teams: [back]\n"
		"  - id: dee\n    name: Dee\n    email: dee@x.io\n    teams: [jkt]\n"
		"teams:\n  - id: desk\n    markets: [id]\n  - id: back\n"
		"  - id: jkt\n    partner: true\n    markets: [id]\n";
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_launch_check_result res;
	opex_ack_log log = OPEX_ACK_LOG_INIT;
	opex_ack_status st;
	opex_launch *l, *none;
	fixture f;
	size_t i;
	bool ben = false;

	fixture_init(&f);
	opex_test_repo_put(f.repo, "people.yaml", roster_markets);
	opex_test_repo_commit(f.repo, "Ana", "ana@x.io", T0 + 10, "markets", NULL);
	fixture_load(&f, T0 + 60);
	l = opex_launch_parse("launches/l.md", launch_md, strlen(launch_md), &diags);
	none = opex_launch_parse("launches/n.md", no_notice_md, strlen(no_notice_md), &diags);
	ck_assert_ptr_nonnull(l);
	memset(&res, 0, sizeof(res));
	opex_launch_check_run(&res, OPEX_LAUNCH_CHECK_STAKEHOLDERS_ACKNOWLEDGED, l, f.hb, NULL);
	ck_assert_int_eq(res.state, OPEX_LAUNCH_CHECK_FAIL);
	ck_assert_uint_eq(res.reason_count, 3); /* ana, ben (desk), dee (jkt) */
	ck_assert_str_eq(res.reasons[0].path, "launches/l.md");
	ck_assert_uint_eq(res.reasons[0].line, 5);
	opex_launch_check_result_release(&res);
	evaluate(&st, &f, &log, T0 + 60);
	ack(&f, &st, "announcements/outage.md", "ana", T0 + 100);
	ack(&f, &st, "announcements/outage.md", "dee", T0 + 110);
	opex_ack_status_release(&st);
	memset(&res, 0, sizeof(res));
	opex_launch_check_run(&res, OPEX_LAUNCH_CHECK_STAKEHOLDERS_ACKNOWLEDGED, l, f.hb, NULL);
	ck_assert_uint_eq(res.reason_count, 1);
	for (i = 0; i < res.reason_count; i++)
		ben |= strstr(res.reasons[i].message, "ben (team desk) has not acknowledged") != NULL;
	ck_assert(ben);
	opex_launch_check_result_release(&res);
	evaluate(&st, &f, &log, T0 + 60);
	ack(&f, &st, "announcements/outage.md", "ben", T0 + 120);
	opex_ack_status_release(&st);
	memset(&res, 0, sizeof(res));
	opex_launch_check_run(&res, OPEX_LAUNCH_CHECK_STAKEHOLDERS_ACKNOWLEDGED, l, f.hb, NULL);
	ck_assert_int_eq(res.state, OPEX_LAUNCH_CHECK_PASS);
	opex_launch_check_result_release(&res);
	/* a launch without an announcement fails, naming the field to add */
	memset(&res, 0, sizeof(res));
	opex_launch_check_run(&res, OPEX_LAUNCH_CHECK_STAKEHOLDERS_ACKNOWLEDGED, none, f.hb, NULL);
	ck_assert_int_eq(res.state, OPEX_LAUNCH_CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(res.reasons[0].message, "announcement:"));
	opex_launch_check_result_release(&res);
	opex_launch_free(l);
	opex_launch_free(none);
	opex_ack_log_release(&log);
	opex_diag_list_release(&diags);
	fixture_release(&f);
}
END_TEST

Suite *suite_acks(void)
{
	Suite *s = suite_create("launches_acks");
	TCase *tc = tcase_create("acks");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, launches_acks__items_and_audiences);
	tcase_add_test(tc, launches_acks__receipt_goes_stale_when_the_text_changes);
	tcase_add_test(tc, launches_acks__forged_receipts_do_not_count);
	tcase_add_test(tc, launches_acks__refresh_reads_only_new_records);
	tcase_add_test(tc, launches_acks__expired_announcement_refuses);
	tcase_add_loop_test(tc, launches_acks__hostile_receipts, 0,
		(int)(sizeof(bad_receipts) / sizeof(bad_receipts[0])));
	tcase_add_test(tc, launches_acks__receipt_round_trip);
	tcase_add_test(tc, launches_acks__stakeholders_acknowledged);
	suite_add_tcase(s, tc);
	return s;
}
