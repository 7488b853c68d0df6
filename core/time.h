/*
 * time.h: dates and durations in UTC, without the C library's time zone
 * state (gmtime/localtime are banned: they return shared static storage).
 *
 *   date      "2027-06-30" or "2027-06-30T12:00:00Z"   -> seconds since epoch
 *   duration  "90d", "12w", "6m" (30 days), "1y" (365 days) -> seconds
 *   ISO week  "2027-W09": Monday 00:00 UTC to the next Monday (ISO 8601:
 *             week 1 holds the year's first Thursday)
 */
#ifndef OPEX_CORE_TIME_H
#define OPEX_CORE_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define OPEX_DAY_SECONDS ((int64_t)86400)

/** Parse a date as above into `*out` (UTC). OPEX_EINVALID if malformed. */
int opex_time_parse_date(int64_t *out, const char *s, opex_error *err);

/** Parse a duration as above into `*out` seconds. OPEX_EINVALID if malformed. */
int opex_time_parse_duration(int64_t *out, const char *s, opex_error *err);

/** Write `t` as "YYYY-MM-DD" into `out` (at least 11 bytes). */
void opex_time_format_date(char *out, size_t size, int64_t t);

/** Write `t` as "YYYY-MM-DDTHH:MM:SSZ" into `out` (at least 21 bytes). */
void opex_time_format_iso(char *out, size_t size, int64_t t);

/** The start of the ISO week holding `t`: its Monday, 00:00 UTC. */
int64_t opex_time_week_start(int64_t t);

/** Write the ISO week holding `t` as "YYYY-Www" into `out` (at least 9 bytes). */
void opex_time_format_week(char *out, size_t size, int64_t t);

/**
 * Parse an ISO week "YYYY-Www" into the start of that week. OPEX_EINVALID
 * if malformed or past the year's last week (52 or 53).
 */
int opex_time_parse_week(int64_t *out, const char *s, opex_error *err);

/** Milliseconds on a monotonic clock, for measuring how long something took. */
double opex_time_monotonic_ms(void);

#endif
