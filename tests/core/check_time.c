/* check_time.c: UTC dates and durations (core/time.c). */
#include "core/time.h"

#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "core/banned.h"

#define DAY OPEX_DAY_SECONDS

/* text, valid, seconds since the epoch */
static const struct {
	const char *text;
	bool valid;
	int64_t t;
} dates[] = {
	{ "1970-01-01", true, 0 },
	{ "1970-01-02", true, DAY },
	{ "2000-03-01", true, 951868800 },
	{ "2000-02-29", true, 951782400 },              /* divisible by 400 */
	{ "2024-02-29", true, 1709164800 },             /* leap year */
	{ "2024-03-01", true, 1709251200 },
	{ "2023-12-31", true, 1703980800 },
	{ "2027-06-30", true, 1814313600 },
	{ "2027-06-30T12:00:00Z", true, 1814313600 + 12 * 3600 },
	{ "2027-06-30 23:59:59Z", true, 1814313600 + DAY - 1 },
	{ "2038-01-19T03:14:08Z", true, 2147483648 },   /* past 32 bits */
	{ "2100-03-01", true, 4107542400 },
	{ "2023-02-29", false, 0 },                     /* not a leap year */
	{ "1900-02-29", false, 0 },
	{ "2100-02-29", false, 0 },                     /* divisible by 100 */
	{ "2024-02-30", false, 0 },
	{ "2024-04-31", false, 0 },
	{ "2024-13-01", false, 0 },
	{ "2024-00-10", false, 0 },
	{ "2024-01-00", false, 0 },
	{ "2024-1-01", false, 0 },
	{ "2024/01/01", false, 0 },
	{ "24-01-01", false, 0 },
	{ "1969-12-31", false, 0 },
	{ "", false, 0 },
	{ "yesterday", false, 0 },
	{ "2024-01-01T", false, 0 },
	{ "2024-01-01T25:00:00Z", false, 0 },
	{ "2024-01-01T12:60:00Z", false, 0 },
	{ "2024-01-01T12:00:00", false, 0 },
	{ "2024-01-01T12:00:00+01:00", false, 0 },
	{ "2024-01-01x", false, 0 },
	{ "2024-01-0a", false, 0 },
};

START_TEST(core_time__parse_date)
{
	opex_error err = OPEX_ERROR_INIT;
	int64_t t = -1;
	int rc = opex_time_parse_date(&t, dates[_i].text, &err);

	if (dates[_i].valid) {
		ck_assert_msg(rc == 0, "'%s': %s", dates[_i].text, err.message);
		ck_assert_msg(t == dates[_i].t, "'%s': %lld, want %lld",
			dates[_i].text, (long long)t, (long long)dates[_i].t);
	} else {
		ck_assert_msg(rc == OPEX_EINVALID, "'%s' parsed", dates[_i].text);
		ck_assert_int_eq(t, 0);
		ck_assert_ptr_nonnull(strstr(err.message, "is not a date"));
	}
}
END_TEST

static const struct {
	const char *text;
	bool valid;
	int64_t days;
} durations[] = {
	{ "90d", true, 90 },
	{ "1d", true, 1 },
	{ "12w", true, 84 },
	{ "6m", true, 180 },
	{ "1y", true, 365 },
	{ "100000d", true, 100000 },
	{ "007d", true, 7 },
	{ "0d", false, 0 },
	{ "100001d", false, 0 },
	{ "99999999999999999999d", false, 0 },
	{ "d", false, 0 },
	{ "90", false, 0 },
	{ "90dd", false, 0 },
	{ "90 d", false, 0 },
	{ " 90d", false, 0 },
	{ "-1d", false, 0 },
	{ "1.5d", false, 0 },
	{ "90D", false, 0 },
	{ "90h", false, 0 },
	{ "", false, 0 },
};

START_TEST(core_time__parse_duration)
{
	opex_error err = OPEX_ERROR_INIT;
	int64_t t = -1;
	int rc = opex_time_parse_duration(&t, durations[_i].text, &err);

	if (durations[_i].valid) {
		ck_assert_msg(rc == 0, "'%s': %s", durations[_i].text, err.message);
		ck_assert_int_eq(t, durations[_i].days * DAY);
	} else {
		ck_assert_msg(rc == OPEX_EINVALID, "'%s' parsed",
			durations[_i].text);
		ck_assert_int_eq(t, 0);
		ck_assert_ptr_nonnull(strstr(err.message, "is not a duration"));
	}
}
END_TEST

static const struct {
	int64_t t;
	const char *date, *iso;
} formats[] = {
	{ 0, "1970-01-01", "1970-01-01T00:00:00Z" },
	{ 951782400 + 3661, "2000-02-29", "2000-02-29T01:01:01Z" },
	{ 1709164800 + DAY - 1, "2024-02-29", "2024-02-29T23:59:59Z" },
	{ 2147483648, "2038-01-19", "2038-01-19T03:14:08Z" },
	{ -1, "1969-12-31", "1969-12-31T23:59:59Z" },
	{ -DAY, "1969-12-31", "1969-12-31T00:00:00Z" },
};

START_TEST(core_time__format)
{
	char date[11], iso[21];

	opex_time_format_date(date, sizeof(date), formats[_i].t);
	opex_time_format_iso(iso, sizeof(iso), formats[_i].t);
	ck_assert_str_eq(date, formats[_i].date);
	ck_assert_str_eq(iso, formats[_i].iso);
}
END_TEST

START_TEST(core_time__round_trip)
{
	int64_t t, back = 0;
	char date[11];

	for (t = 0; t < 20000 * DAY; t += 37 * DAY + 12345) {
		opex_time_format_date(date, sizeof(date), t);
		ck_assert_int_eq(opex_time_parse_date(&back, date, NULL), 0);
		ck_assert_int_eq(back, t - t % DAY);
	}
}
END_TEST

static const struct {
	const char *date, *week;
} weeks[] = {
	{ "2026-03-30", "2026-W14" },
	{ "2027-03-01", "2027-W09" },
	{ "2027-01-01", "2026-W53" },      /* a Friday: the last week of 2026 */
	{ "2025-12-29", "2026-W01" },      /* a Monday: week 1 of 2026 */
	{ "2021-01-03", "2020-W53" },
	{ "1970-01-01", "1970-W01" },
};

START_TEST(core_time__week)
{
	int64_t t = 0, start = 0;
	char label[16];

	ck_assert_int_eq(opex_time_parse_date(&t, weeks[_i].date, NULL), 0);
	opex_time_format_week(label, sizeof(label), t + 3600);
	ck_assert_str_eq(label, weeks[_i].week);
	ck_assert_int_eq(opex_time_parse_week(&start, weeks[_i].week, NULL), 0);
	ck_assert_int_eq(start, opex_time_week_start(t + 3600));
	ck_assert(start <= t && t - start < 7 * DAY);
}
END_TEST

START_TEST(core_time__week_invalid)
{
	static const char *const bad[] = { "2026-W54", "2027-W53", "2026-W00",
		"2026W14", "2026-14", "2026-W1", "1969-W10", "" };
	opex_error err = OPEX_ERROR_INIT;
	int64_t t = 1;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(opex_time_parse_week(&t, bad[i], &err), OPEX_EINVALID);
		ck_assert_int_eq(t, 0);
	}
	ck_assert_int_eq(opex_time_parse_week(&t, "2026-W53", NULL), 0);
}
END_TEST

Suite *suite_time(void)
{
	Suite *s = suite_create("core_time");
	TCase *tc = tcase_create("opex_time");

	tcase_add_loop_test(tc, core_time__parse_date, 0,
		(int)(sizeof(dates) / sizeof(dates[0])));
	tcase_add_loop_test(tc, core_time__parse_duration, 0,
		(int)(sizeof(durations) / sizeof(durations[0])));
	tcase_add_loop_test(tc, core_time__format, 0,
		(int)(sizeof(formats) / sizeof(formats[0])));
	tcase_add_test(tc, core_time__round_trip);
	tcase_add_loop_test(tc, core_time__week, 0,
		(int)(sizeof(weeks) / sizeof(weeks[0])));
	tcase_add_test(tc, core_time__week_invalid);
	suite_add_tcase(s, tc);
	return s;
}
