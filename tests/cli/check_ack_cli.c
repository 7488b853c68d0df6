/*
 * check_ack_cli.c: opex ack on a real repository: a receipt is recorded
 * once, refused outside the audience, twice, for an expired announcement
 * or an unknown item, goes stale after an edit (and status shows what
 * changed), and verify names a forged receipt.
 */
#define _POSIX_C_SOURCE 200809L

#include "core/memory.h"
#include "kb/kb.h"
#include "support/repo_fixture.h"
#include "support/test_util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define T0 1780000000

static opex_test_repo *repo;

static const char notice_v1[] =
	"---\ntitle: Outage\nowner: ana\naudience: [desk]\nseverity: incident\n"
	"requires_ack: true\n---\nPayments failed. Ask customers to retry.\n";
static const char notice_v2[] =
	"---\ntitle: Outage\nowner: ana\naudience: [desk]\nseverity: incident\n"
	"requires_ack: true\n---\nPayments failed. Ask customers to retry after noon.\n";

static void setup(void)
{
	repo = opex_test_repo_new(false);
	opex_test_repo_put(repo, "people.yaml",
		"people:\n"
		"  - id: ana\n    name: Ana\n    email: ana@x.io\n    teams: [desk]\n"
		"  - id: ben\n    name: Ben\n    email: ben@x.io\n    teams: [desk]\n"
		"  - id: cy\n    name: Cy\n    email: cy@x.io\n    teams: [back]\n"
		"teams:\n  - id: desk\n  - id: back\n");
	opex_test_repo_put(repo, "announcements/outage.md", notice_v1);
	opex_test_repo_put(repo, "announcements/old.md",
		"---\ntitle: Old\nowner: ana\nexpires: 2020-01-01\nrequires_ack: true\n---\nx\n");
	opex_test_repo_put(repo, "articles/plain.md", "---\ntitle: P\nowner: ana\n---\np\n");
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0, "one", NULL);
}

static void teardown(void)
{
	unsetenv("OPEX_USER");
	opex_test_repo_free(repo);
}

static int ack(const char *person, const char *path, char **out, char **err)
{
	setenv("OPEX_USER", person, 1);
	return opex_test_run_opexf(out, err, "ack '%s' %s --as %s",
		opex_test_repo_path(repo), path, person);
}

START_TEST(cli_ack__record_and_refusals)
{
	char *out = NULL, *err = NULL;

	ck_assert_int_eq(ack("ana", "announcements/outage.md", &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "acknowledged announcements/outage.md"));
	free(out);
	free(err);
	ck_assert_int_eq(ack("ana", "announcements/outage.md", &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, "already acknowledged"));
	free(out);
	free(err);
	ck_assert_int_eq(ack("cy", "announcements/outage.md", &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, "'cy' is not in the audience"));
	free(out);
	free(err);
	ck_assert_int_eq(ack("ana", "announcements/old.md", &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, "has expired"));
	free(out);
	free(err);
	ck_assert_int_eq(ack("ana", "articles/plain.md", &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, "asks nobody to read it"));
	free(out);
	free(err);
	/* someone else's name: refused before anything is written */
	setenv("OPEX_USER", "ben", 1);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "ack '%s' announcements/outage.md --as ana",
		opex_test_repo_path(repo)), 1);
	ck_assert_ptr_nonnull(strstr(err, "refusing to act as someone else"));
	free(out);
	free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "ack list '%s' --format json",
		opex_test_repo_path(repo)), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"current\": 1"));
	ck_assert_ptr_nonnull(strstr(out, "\"missing\": 1"));
	free(out);
	free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "ack verify '%s'",
		opex_test_repo_path(repo)), 0);
	ck_assert_ptr_nonnull(strstr(out, "1 records, 1 receipts counted, 0 problems"));
	free(out);
	free(err);
}
END_TEST

START_TEST(cli_ack__stale_after_an_edit)
{
	char *out = NULL, *err = NULL;

	ck_assert_int_eq(ack("ana", "announcements/outage.md", &out, &err), 0);
	free(out);
	free(err);
	opex_test_repo_put(repo, "announcements/outage.md", notice_v2);
	opex_test_repo_commit(repo, "Ana", "ana@x.io", T0 + 60, "two", NULL);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"ack status '%s' announcements/outage.md --as ana",
		opex_test_repo_path(repo)), 1);
	ck_assert_ptr_nonnull(strstr(out, "stale   ana"));
	ck_assert_ptr_nonnull(strstr(out, "missing ben"));
	ck_assert_ptr_nonnull(strstr(out, "[-retry.-] {+retry after noon.+}"));
	free(out);
	free(err);
	/* acknowledging the new text makes it current again */
	ck_assert_int_eq(ack("ana", "announcements/outage.md", &out, &err), 0);
	free(out);
	free(err);
	ck_assert_int_eq(ack("ben", "announcements/outage.md", &out, &err), 0);
	free(out);
	free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"ack status '%s' announcements/outage.md", opex_test_repo_path(repo)), 0);
	ck_assert_ptr_nonnull(strstr(out, "2 of 2 read the text as it is"));
	free(out);
	free(err);
}
END_TEST

/* A record on the ref written by someone else in ana's name. */
static int forged(opex_buf *out, const char *parent, void *payload)
{
	const char *blob = payload;

	opex_buf_printf(out, "opex-ack 1\npath announcements/outage.md\nblob %s\n"
		"read announcements/outage.md\nperson ana\ntime 2026-06-01T00:00:00Z\n"
		"revision %s\nprev %s\n", blob, blob, parent[0] ? parent : "-");
	return 0;
}

START_TEST(cli_ack__verify_names_a_forged_receipt)
{
	opex_diag_list diags = OPEX_DIAG_LIST_INIT;
	opex_kb_handbook *hb = opex_test_handbook_load(repo, T0 + 10, &diags);
	const opex_kb_entry *e = opex_kb_repo_find(opex_kb_handbook_repo(hb),
		"announcements/outage.md");
	opex_kb_record_author mallory = { "Mallory", "mallory@evil.example", T0 + 20 };
	opex_error err_ = OPEX_ERROR_INIT;
	char blob[41], *out = NULL, *err = NULL;

	memcpy(blob, e->oid, sizeof(blob));
	ck_assert_int_eq(opex_kb_records_append(NULL, opex_kb_handbook_repo(hb),
		"refs/opex/acks", forged, blob, "forged", &mallory, &err_), 0);
	opex_kb_handbook_free(hb);
	opex_diag_list_release(&diags);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "ack verify '%s'",
		opex_test_repo_path(repo)), 1);
	ck_assert_ptr_nonnull(strstr(out, "refs/opex/acks: error: commit "));
	ck_assert_ptr_nonnull(strstr(out, "written by <mallory@evil.example>"));
	ck_assert_ptr_nonnull(strstr(out, "[receipt-not-counted]"));
	free(out);
	free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "ack list '%s'",
		opex_test_repo_path(repo)), 0);
	ck_assert_ptr_nonnull(strstr(out, "0/2 current"));
	free(out);
	free(err);
}
END_TEST

Suite *suite_ack_cli(void)
{
	Suite *s = suite_create("cli_ack");
	TCase *tc = tcase_create("ack");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, cli_ack__record_and_refusals);
	tcase_add_test(tc, cli_ack__stale_after_an_edit);
	tcase_add_test(tc, cli_ack__verify_names_a_forged_receipt);
	suite_add_tcase(s, tc);
	return s;
}
