/*
 * check_kpi_cli.c: opex kpi and opex render --kpi on the sample handbook,
 * whose scripts/sample-handbook loads generated exports
 * (scripts/sample-export) into the KPI store: the weekly review breaches
 * one target, shows the moves the map does not have, groups by market,
 * prints JSON; loading the same exports again changes nothing; the
 * flowchart becomes a heat map.
 */
#define _POSIX_C_SOURCE 200809L

#include "support/test_util.h"
#include "core/memory.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

static char *dir;
static char hb[4200];

static void setup(void)
{
	char *script = opex_test_source_path("scripts/sample-handbook");
	char cmd[8400];

	dir = opex_test_tmpdir();
	snprintf(hb, sizeof(hb), "%.4000s/hb", dir);
	/* a fixed last day: the same exports, the same figures */
	snprintf(cmd, sizeof(cmd),
		"SAMPLE_EXPORT_ANCHOR=2026-12-06 '%.4000s' '%.4000s' >/dev/null",
		script, hb);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
	opex_free(script);
}

static void teardown(void)
{
	opex_test_rmtree(dir);
}

START_TEST(cli_kpi__sample_review_breaches_one_target)
{
	char *out = NULL, *err = NULL;

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "kpi report '%s' --now 2026-12-06", hb), 1);
	ck_assert_msg(strstr(out, "BREACHED target_resolution_p90 = 4d") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "move not in the map: freeze -> virtual") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "ok target_conformance = 90%") != NULL, "%s", out);
	ck_assert_msg(strstr(err, "1 target breached") != NULL, "%s", err);
	opex_free(out);
	opex_free(err);

	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"kpi report '%s' --now 2026-12-06 --by market --format json", hb), 1);
	ck_assert_msg(strstr(out, "\"group\": {\n        \"market\": \"fr\"") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "\"market\": \"id\"") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "\"market\": \"uk\"") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "\"weeks\": [") != NULL, "%s", out);
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "kpi report '%s' --by colour", hb), 2);
	ck_assert_msg(strstr(err, "'colour' is not a dimension") != NULL, "%s", err);
	opex_free(out);
	opex_free(err);
}
END_TEST

START_TEST(cli_kpi__sample_exports_load_once)
{
	char *out = NULL, *err = NULL;

	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"kpi ingest '%s' '%s/.git/opex/exports/zendesk-chargebacks.csv'", hb, hb), 0);
	ck_assert_msg(strstr(out, "1739 rows (source zendesk), 0 changed the store") != NULL,
		"%s%s", out, err);
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err,
		"kpi ingest '%s' '%s/.git/opex/exports/CaseHistory-cards.csv' --dry-run", hb, hb), 0);
	ck_assert_msg(strstr(out, "CreatedById") != NULL, "the unmapped columns: %s", out);
	opex_free(out);
	opex_free(err);
}
END_TEST

START_TEST(cli_kpi__render_heat_map)
{
	char *out = NULL, *err = NULL;

	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "render '%s' processes/lost-card-abroad.dot "
		"--kpi --metric p90 --now 2026-12-06 --no-cache", hb), 0);
	ck_assert_msg(strstr(out, "class=\"opex-kpi-legend\"") != NULL, "%s", err);
	ck_assert_msg(strstr(out, "p90 32min") != NULL, "%s", out);
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "render '%s' processes/lost-card-abroad.dot "
		"--kpi --metric speed", hb), 2);
	ck_assert_msg(strstr(err, "'speed' is not a metric") != NULL, "%s", err);
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "render '%s' processes/vendor-onboarding.dot --kpi", hb), 2);
	ck_assert_msg(strstr(err, "not in the kpi mapping") != NULL, "%s", err);
	opex_free(out);
	opex_free(err);
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "render '%s' processes/lost-card-abroad.dot "
		"--kpi --kpi-store /nonexistent/kpi.sqlite", hb), 2);
	ck_assert_msg(strstr(err, "no KPI store at /nonexistent/kpi.sqlite") != NULL, "%s", err);
	opex_free(out);
	opex_free(err);
}
END_TEST

/* The cases of the lost-card map in the store, read back through the report. */
static unsigned long lost_card_cases(void)
{
	char *out = NULL, *err = NULL;
	const char *at;
	unsigned long n;

	opex_test_run_opexf(&out, &err, "kpi report '%s' --process "
		"processes/lost-card-abroad.dot --format json", hb);
	at = strstr(out, "\"cases\": ");
	ck_assert_msg(at != NULL, "%s%s", out, err);
	n = strtoul(at + 9, NULL, 10);
	opex_free(out);
	opex_free(err);
	return n;
}

#define KILL_ROWS 150000u

START_TEST(cli_kpi__kill_during_ingest_leaves_before_or_after)
{
	static const long delays_ms[] = { 20, 60, 120, 250, 400, 700, 999 };
	const char *bin = getenv("OPEX_BINARY_DIR");
	char file[4400], opex[4200], *out = NULL, *err = NULL;
	unsigned long before = lost_card_cases(), n;
	size_t i;
	FILE *f;

	ck_assert_ptr_nonnull(bin);
	snprintf(opex, sizeof(opex), "%s/cli/opex", bin);
	snprintf(file, sizeof(file), "%s/Case-cards-more.csv", dir);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fputs("CaseNumber,Subject,Status,Origin,OwnerId,IsEscalated,CreatedDate,"
		"ClosedDate,Market__c,Language__c,Handle_Time_Minutes__c,SuppliedEmail\n", f);
	for (i = 0; i < KILL_ROWS; i++)
		fprintf(f, "K%07zu,Card lost abroad,Closed,Phone,00G-PARTNER,false,"
			"2026-11-%02zu 10:00:00,2026-11-%02zu 12:00:00,ID,id,7.5,"
			"c%zu@example.com\n", i, 1 + i % 28, 1 + i % 28, i % 999);
	ck_assert_int_eq(fclose(f), 0);
	for (i = 0; i < sizeof(delays_ms) / sizeof(delays_ms[0]); i++) {
		struct timespec ts = { 0, delays_ms[i] * 1000000L };
		pid_t pid = fork();
		int st = 0;

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			int nul = open("/dev/null", O_WRONLY);

			dup2(nul, 1);
			dup2(nul, 2);
			execl(opex, "opex", "kpi", "ingest", hb, file, (char *)NULL);
			_exit(127);
		}
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		n = lost_card_cases();
		ck_assert_msg(n == before || n == before + KILL_ROWS,
			"after a kill at %ld ms: %lu cases, neither %lu nor %lu",
			delays_ms[i], n, before, before + KILL_ROWS);
		before = n;   /* a run that finished before the kill counts */
	}
	ck_assert_int_eq(opex_test_run_opexf(&out, &err, "kpi ingest '%s' '%s'", hb, file), 0);
	opex_free(out);
	opex_free(err);
	n = lost_card_cases();
	ck_assert_msg(n == before || n == before + KILL_ROWS, "%lu", n);
	ck_assert_uint_eq(n % KILL_ROWS, 3032u % KILL_ROWS);
}
END_TEST

Suite *suite_kpi_cli(void)
{
	Suite *s = suite_create("cli_kpi");
	TCase *tc = tcase_create("sample");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, cli_kpi__sample_review_breaches_one_target);
	tcase_add_test(tc, cli_kpi__sample_exports_load_once);
	tcase_add_test(tc, cli_kpi__render_heat_map);
	tcase_add_test(tc, cli_kpi__kill_during_ingest_leaves_before_or_after);
	suite_add_tcase(s, tc);
	return s;
}
