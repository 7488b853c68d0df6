/* check_timestamp.c: kpi/timestamp.c. */
#include <check.h>
#include <string.h>

#include "kpi/kpi_int.h"

typedef struct tcase_row {
	const char *text;
	kpi_time_kind kind;
	const char *pattern;
	int tz;
	int ok;
	int64_t want;
} tcase_row;

static const tcase_row rows[] = {
	{ "2026-03-01", KPI_TIME_ISO8601, NULL, 0, 0, 1772323200 },
	{ "2026-03-01T09:30:15Z", KPI_TIME_ISO8601, NULL, 0, 0, 1772357415 },
	{ "2026-03-01 10:30:15+01:00", KPI_TIME_ISO8601, NULL, 0, 0, 1772357415 },
	{ "2026-03-01T10:30:15.250+0100", KPI_TIME_ISO8601, NULL, 0, 0, 1772357415 },
	{ "2026-03-01T10:30:15", KPI_TIME_ISO8601, NULL, 3600, 0, 1772357415 },
	{ "2026-02-30", KPI_TIME_ISO8601, NULL, 0, -1, 0 },
	{ "2024-02-29", KPI_TIME_ISO8601, NULL, 0, 0, 1709164800 },
	{ "2026-03-01T25:00", KPI_TIME_ISO8601, NULL, 0, -1, 0 },
	{ "yesterday", KPI_TIME_ISO8601, NULL, 0, -1, 0 },
	{ "01/03/2026 09:30", KPI_TIME_PATTERN, "%d/%m/%Y %H:%M", 0, 0, 1772357400 },
	{ "01-Mar-26", KPI_TIME_PATTERN, "%d-%b-%y", 0, 0, 1772323200 },
	{ "01/03/2026", KPI_TIME_PATTERN, "%d/%m/%Y %H:%M", 0, -1, 0 },
	{ "1772357415", KPI_TIME_EPOCH, NULL, 0, 0, 1772357415 },
	{ "1772357415250", KPI_TIME_EPOCH_MS, NULL, 0, 0, 1772357415 },
	{ "17x", KPI_TIME_EPOCH, NULL, 0, -1, 0 },
	{ "1969-12-31T23:59:59Z", KPI_TIME_ISO8601, NULL, 0, 0, -1 },
};

START_TEST(kpi_timestamp__parse)
{
	const tcase_row *r = &rows[_i];
	const char *why = NULL;
	int64_t t = 0;
	int rc = kpi_time_parse(&t, r->text, strlen(r->text), r->kind,
		r->pattern, r->tz, &why);

	ck_assert_msg(rc == r->ok, "%s: rc %d", r->text, rc);
	if (rc == 0)
		ck_assert_msg(t == r->want, "%s: %lld, want %lld", r->text,
			(long long)t, (long long)r->want);
	else
		ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(kpi_timestamp__zones)
{
	int off = 0;

	ck_assert_int_eq(kpi_tz_parse(&off, "+01:00"), 0);
	ck_assert_int_eq(off, 3600);
	ck_assert_int_eq(kpi_tz_parse(&off, "-0530"), 0);
	ck_assert_int_eq(off, -19800);
	ck_assert_int_eq(kpi_tz_parse(&off, "Z"), 0);
	ck_assert_int_eq(off, 0);
	ck_assert_int_eq(kpi_tz_parse(&off, "Europe/Paris"), -1);
	ck_assert_int_eq(kpi_tz_parse(&off, "+25:00"), -1);
}
END_TEST

START_TEST(kpi_timestamp__iso_week)
{
	char w[16];

	kpi_iso_week(w, 1772323200); /* Sunday 2026-03-01 */
	ck_assert_str_eq(w, "2026-W09");
	kpi_iso_week(w, kpi_days_from_civil(2021, 1, 3) * 86400); /* Sunday */
	ck_assert_str_eq(w, "2020-W53");
	kpi_iso_week(w, kpi_days_from_civil(2024, 12, 30) * 86400);
	ck_assert_str_eq(w, "2025-W01");
}
END_TEST

Suite *suite_timestamp(void)
{
	Suite *s = suite_create("kpi_timestamp");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, kpi_timestamp__parse, 0,
		(int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, kpi_timestamp__zones);
	tcase_add_test(tc, kpi_timestamp__iso_week);
	suite_add_tcase(s, tc);
	return s;
}
