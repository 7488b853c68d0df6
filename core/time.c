/* time.c: UTC calendar arithmetic (days-from-civil, after H. Hinnant). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "core/time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(unsigned y, unsigned m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

int opex_time_parse_date(int64_t *out, const char *s, opex_error *err)
{
	unsigned y, mo, d, h = 0, mi = 0, se = 0;
	size_t n = strlen(s);

	*out = 0;
	if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		goto bad;
	if (n > 10) {
		if (n != 20 || (s[10] != 'T' && s[10] != ' ') ||
		    digits(s + 11, 2, &h) || s[13] != ':' ||
		    digits(s + 14, 2, &mi) || s[16] != ':' ||
		    digits(s + 17, 2, &se) || s[19] != 'Z')
			goto bad;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > (unsigned)days_in_month(y, mo) || h > 23 || mi > 59 || se > 60)
		goto bad;
	*out = days_from_civil(y, mo, d) * OPEX_DAY_SECONDS +
	       (int64_t)h * 3600 + (int64_t)mi * 60 + se;
	return 0;
bad:
	return opex_error_set(err, OPEX_EINVALID,
		"'%.40s' is not a date (expected YYYY-MM-DD)", s);
}

int opex_time_parse_duration(int64_t *out, const char *s, opex_error *err)
{
	unsigned long long v = 0;
	const char *p = s;
	int64_t unit;

	*out = 0;
	if (*p < '0' || *p > '9')
		goto bad;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned long long)(*p - '0');
		if (v > 100000)
			goto bad;
		p++;
	}
	switch (*p) {
	case 'd': unit = 1; break;
	case 'w': unit = 7; break;
	case 'm': unit = 30; break;
	case 'y': unit = 365; break;
	default: goto bad;
	}
	if (p[1] != '\0' || v == 0)
		goto bad;
	*out = (int64_t)v * unit * OPEX_DAY_SECONDS;
	return 0;
bad:
	return opex_error_set(err, OPEX_EINVALID,
		"'%.40s' is not a duration (expected e.g. 90d, 12w, 6m, 1y)", s);
}

void opex_time_format_date(char *out, size_t size, int64_t t)
{
	int64_t y, days = t >= 0 ? t / OPEX_DAY_SECONDS
				 : -((-t + OPEX_DAY_SECONDS - 1) / OPEX_DAY_SECONDS);
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(out, size, "%04lld-%02u-%02u", (long long)y, m, d);
}

void opex_time_format_iso(char *out, size_t size, int64_t t)
{
	int64_t y, days = t >= 0 ? t / OPEX_DAY_SECONDS
				 : -((-t + OPEX_DAY_SECONDS - 1) / OPEX_DAY_SECONDS);
	int64_t rem = t - days * OPEX_DAY_SECONDS;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(out, size, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m,
		d, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
		(unsigned)(rem % 60));
}

/* Days since 1970-01-01 of the Monday of the week holding day `days`. */
static int64_t monday_of(int64_t days)
{
	int64_t weekday = ((days % 7) + 7 + 3) % 7;   /* 1970-01-01 was a Thursday */

	return days - weekday;
}

/* The Monday (days since 1970) of week 1 of ISO year `y`: the week of 4 January. */
static int64_t week_one(int64_t y)
{
	return monday_of(days_from_civil(y, 1, 4));
}

int64_t opex_time_week_start(int64_t t)
{
	int64_t days = t >= 0 ? t / OPEX_DAY_SECONDS
			      : -((-t + OPEX_DAY_SECONDS - 1) / OPEX_DAY_SECONDS);

	return monday_of(days) * OPEX_DAY_SECONDS;
}

void opex_time_format_week(char *out, size_t size, int64_t t)
{
	int64_t monday = opex_time_week_start(t) / OPEX_DAY_SECONDS, y;
	unsigned m, d;

	/* The ISO year is the calendar year of the week's Thursday. */
	civil_from_days(monday + 3, &y, &m, &d);
	snprintf(out, size, "%04lld-W%02u", (long long)y,
		(unsigned)((monday - week_one(y)) / 7 + 1));
}

int opex_time_parse_week(int64_t *out, const char *s, opex_error *err)
{
	unsigned y, w;

	*out = 0;
	if (strlen(s) != 8 || digits(s, 4, &y) || s[4] != '-' ||
	    (s[5] != 'W' && s[5] != 'w') || digits(s + 6, 2, &w) || y < 1970 ||
	    w < 1 || (int64_t)w > (week_one((int64_t)y + 1) - week_one(y)) / 7)
		return opex_error_set(err, OPEX_EINVALID,
			"'%.40s' is not an ISO week (expected YYYY-Www, e.g. 2027-W09)", s);
	*out = (week_one(y) + (int64_t)(w - 1) * 7) * OPEX_DAY_SECONDS;
	return 0;
}

double opex_time_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
