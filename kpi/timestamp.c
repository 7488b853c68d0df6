/*
 * timestamp.c: export timestamps to seconds since the epoch, without the C
 * library's time zone state (no TZ, no setenv, no mktime).
 *
 *   iso8601    2026-03-01, 2026-03-01T09:30, 2026-03-01 09:30:15.250Z,
 *              2026-03-01T09:30:15+01:00, ...+0100
 *   pattern    %Y %m %d %H %M %S %y %b (Jan..Dec) %z (+hh:mm, +hhmm, Z) %%,
 *              other characters literal; e.g. "%d/%m/%Y %H:%M"
 *   epoch      seconds (a fraction is dropped)
 *   epoch_ms   milliseconds
 *
 * A time written without an offset is taken at the source's time_zone, a
 * fixed offset. IANA zone names ("Europe/Paris") are not supported.
 */
#include "kpi/kpi_int.h"

#include <string.h>

#include "core/banned.h"

int64_t kpi_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
		31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

static bool digits(const char *s, size_t len, size_t *pos, size_t n,
	int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (*pos + n > len)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[*pos + i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*pos += n;
	*out = v;
	return true;
}

/* Parse an offset at s[*pos]: Z, +hh, +hh:mm, +hhmm. */
static bool offset_at(const char *s, size_t len, size_t *pos, int *out)
{
	int64_t h = 0, m = 0;
	int sign;

	if (*pos < len && (s[*pos] == 'Z' || s[*pos] == 'z')) {
		(*pos)++;
		*out = 0;
		return true;
	}
	if (*pos >= len || (s[*pos] != '+' && s[*pos] != '-'))
		return false;
	sign = s[*pos] == '-' ? -1 : 1;
	(*pos)++;
	if (!digits(s, len, pos, 2, &h))
		return false;
	if (*pos < len && s[*pos] == ':')
		(*pos)++;
	if (*pos < len && !digits(s, len, pos, 2, &m))
		return false;
	if (h > 18 || m > 59)
		return false;
	*out = sign * (int)(h * 3600 + m * 60);
	return true;
}

int kpi_tz_parse(int *out, const char *s)
{
	size_t pos = 0, len = strlen(s);

	if (strcmp(s, "UTC") == 0 || strcmp(s, "GMT") == 0) {
		*out = 0;
		return 0;
	}
	if (!offset_at(s, len, &pos, out) || pos != len)
		return -1;
	return 0;
}

typedef struct civil {
	int64_t y, mo, d, h, mi, s;
	int offset;
	bool has_offset;
} civil;

static int finish(int64_t *out, const civil *c, int tz, const char **why)
{
	int64_t t;

	if (c->mo < 1 || c->mo > 12 || c->d < 1 ||
	    c->d > (int64_t)days_in_month(c->y, (unsigned)c->mo)) {
		*why = "not a calendar date";
		return -1;
	}
	if (c->h > 23 || c->mi > 59 || c->s > 60) {
		*why = "not a time of day";
		return -1;
	}
	t = kpi_days_from_civil(c->y, (unsigned)c->mo, (unsigned)c->d) * 86400 +
		c->h * 3600 + c->mi * 60 + c->s;
	*out = t - (c->has_offset ? c->offset : tz);
	return 0;
}

static int parse_iso(int64_t *out, const char *s, size_t len, int tz,
	const char **why)
{
	civil c = { 0, 0, 0, 0, 0, 0, 0, false };
	size_t pos = 0;

	*why = "not an ISO 8601 time (YYYY-MM-DD[THH:MM[:SS]][Z|+hh:mm])";
	if (!digits(s, len, &pos, 4, &c.y) || pos >= len || s[pos++] != '-' ||
	    !digits(s, len, &pos, 2, &c.mo) || pos >= len || s[pos++] != '-' ||
	    !digits(s, len, &pos, 2, &c.d))
		return -1;
	if (pos < len && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
		pos++;
		if (!digits(s, len, &pos, 2, &c.h) || pos >= len ||
		    s[pos++] != ':' || !digits(s, len, &pos, 2, &c.mi))
			return -1;
		if (pos < len && s[pos] == ':') {
			pos++;
			if (!digits(s, len, &pos, 2, &c.s))
				return -1;
			if (pos < len && (s[pos] == '.' || s[pos] == ',')) {
				pos++;
				while (pos < len && s[pos] >= '0' && s[pos] <= '9')
					pos++;
			}
		}
		if (pos < len) {
			if (s[pos] == ' ')
				pos++;
			if (!offset_at(s, len, &pos, &c.offset))
				return -1;
			c.has_offset = true;
		}
	}
	if (pos != len)
		return -1;
	return finish(out, &c, tz, why);
}

static int parse_pattern(int64_t *out, const char *s, size_t len,
	const char *pat, int tz, const char **why)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	civil c = { 1970, 1, 1, 0, 0, 0, 0, false };
	size_t pos = 0;
	int64_t v;

	*why = "does not match the source's time_format";
	for (; *pat != '\0'; pat++) {
		if (*pat != '%') {
			if (pos >= len || s[pos] != *pat)
				return -1;
			pos++;
			continue;
		}
		pat++;
		switch (*pat) {
		case 'Y': if (!digits(s, len, &pos, 4, &c.y)) return -1; break;
		case 'y':
			if (!digits(s, len, &pos, 2, &v)) return -1;
			c.y = v < 69 ? 2000 + v : 1900 + v;
			break;
		case 'm': if (!digits(s, len, &pos, 2, &c.mo)) return -1; break;
		case 'd': if (!digits(s, len, &pos, 2, &c.d)) return -1; break;
		case 'H': if (!digits(s, len, &pos, 2, &c.h)) return -1; break;
		case 'M': if (!digits(s, len, &pos, 2, &c.mi)) return -1; break;
		case 'S': if (!digits(s, len, &pos, 2, &c.s)) return -1; break;
		case 'b': {
			size_t i;
			bool hit = false;

			if (pos + 3 > len)
				return -1;
			for (i = 0; i < 12 && !hit; i++) {
				size_t k;

				hit = true;
				for (k = 0; k < 3; k++) {
					char ch = s[pos + k];

					if (ch >= 'A' && ch <= 'Z')
						ch = (char)(ch - 'A' + 'a');
					hit = hit && ch == months[i * 3 + k];
				}
				if (hit)
					c.mo = (int64_t)i + 1;
			}
			if (!hit)
				return -1;
			pos += 3;
			break;
		}
		case 'z':
			if (!offset_at(s, len, &pos, &c.offset))
				return -1;
			c.has_offset = true;
			break;
		case '%':
			if (pos >= len || s[pos] != '%')
				return -1;
			pos++;
			break;
		default:
			*why = "the source's time_format has an unsupported % directive";
			return -1;
		}
	}
	if (pos != len)
		return -1;
	return finish(out, &c, tz, why);
}

static int parse_epoch(int64_t *out, const char *s, size_t len, bool ms,
	const char **why)
{
	int64_t v = 0;
	size_t pos = 0;
	bool neg = false;

	*why = ms ? "not a number of milliseconds since 1970" :
		"not a number of seconds since 1970";
	if (pos < len && s[pos] == '-') {
		neg = true;
		pos++;
	}
	if (pos >= len)
		return -1;
	for (; pos < len && s[pos] >= '0' && s[pos] <= '9'; pos++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (s[pos] - '0');
	}
	if (pos < len && s[pos] == '.') {
		pos++;
		while (pos < len && s[pos] >= '0' && s[pos] <= '9')
			pos++;
	}
	if (pos != len)
		return -1;
	if (ms)
		v /= 1000;
	*out = neg ? -v : v;
	return 0;
}

int kpi_time_parse(int64_t *out, const char *s, size_t len,
	kpi_time_kind kind, const char *pattern, int tz_offset,
	const char **why)
{
	*out = 0;
	switch (kind) {
	case KPI_TIME_EPOCH:
		return parse_epoch(out, s, len, false, why);
	case KPI_TIME_EPOCH_MS:
		return parse_epoch(out, s, len, true, why);
	case KPI_TIME_PATTERN:
		return parse_pattern(out, s, len, pattern, tz_offset, why);
	case KPI_TIME_ISO8601:
	default:
		return parse_iso(out, s, len, tz_offset, why);
	}
}

void kpi_iso_week(char out[16], int64_t t)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t wday = ((days % 7) + 7 + 3) % 7; /* 0 = Monday; 1970-01-01 was a Thursday */
	int64_t thursday = days - wday + 3;
	int64_t z = thursday + 719468, era, doe, yoe, y, doy, mp, m, jan1;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	jan1 = kpi_days_from_civil(y, 1, 1);
	if (y < 0 || y > 9999)
		y = 0;
	snprintf(out, 16, "%04u-W%02u", (unsigned)y,
		(unsigned)(((thursday - jan1) / 7 + 1) % 100));
}
