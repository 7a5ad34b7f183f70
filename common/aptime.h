/* Time: UTC Unix milliseconds for every stored instant, station local time
 * (the IANA zone in TZ, set once by tz_use) for rules and reports. Local
 * wall times that do not exist (spring-forward gap) map to the first instant
 * after the gap; ambiguous ones (fall-back) map to their first occurrence. */
#ifndef AP_TIME_H
#define AP_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define MS_PER_MIN  60000LL
#define MS_PER_HOUR 3600000LL
#define MS_PER_DAY  86400000LL

/* A local calendar time. wday: 1 = Monday .. 7 = Sunday (ISO). */
struct ltime {
	int year, month, day; /* month 1..12 */
	int hour, min, sec;
	int wday;
};

int64_t time_now_ms(void);  /* CLOCK_REALTIME */
int64_t time_mono_ms(void); /* CLOCK_MONOTONIC */

/* True when /usr/share/zoneinfo knows zone (a TZif file). */
int tz_valid(const char *zone);
/* Make zone the process's local time zone (setenv TZ + tzset). */
int tz_use(const char *zone, struct ap_err *e);

void time_to_local(int64_t utc_ms, struct ltime *out);
/* First instant whose local wall time is >= the given wall time (see top). */
int64_t time_from_local(int year, int month, int day, int hour, int min, int sec);

/* Pure calendar arithmetic on the proleptic Gregorian calendar. */
int64_t days_from_civil(int year, int month, int day);
void civil_from_days(int64_t days, int *year, int *month, int *day);
/* 1 = Monday .. 7 = Sunday */
int weekday_of(int year, int month, int day);

/* ISO week of a local date, and the local Monday of an ISO week. */
void iso_week_of(int year, int month, int day, int *iso_year, int *iso_week);
void iso_week_monday(int iso_year, int iso_week, int *year, int *month, int *day);
int iso_weeks_in_year(int iso_year);
/* Local [start, end) of the ISO week containing utc_ms, as UTC ms. */
void iso_week_bounds(int64_t utc_ms, int64_t *start, int64_t *end);
/* "2026-W48" (also "2026-w48", "2026W48"); 0 or AP_EUSER. */
int iso_week_parse(const char *s, int *iso_year, int *iso_week, struct ap_err *e);
/* Bounds of a parsed week, as UTC ms of local midnights. */
void iso_week_range(int iso_year, int iso_week, int64_t *start, int64_t *end);

/* "dd/mm/yyyy" (11 bytes), "dd/mm/yyyy HH:MM" (17), "dd/mm/yyyy HH:MM:SS" (20) in
 * local time. */
void time_fmt_date(int64_t utc_ms, char out[11]);
void time_fmt_datetime(int64_t utc_ms, char out[17]);
void time_fmt_datetime_s(int64_t utc_ms, char out[20]);
/* A length for people, to the nearest second: "m:ss", or "h:mm:ss" from an
 * hour up. */
void time_fmt_length(int64_t ms, char *out, size_t cap);
/* ISO 8601 UTC "2026-11-28T00:36:30.123Z" (25 bytes). */
void time_fmt_iso_utc(int64_t utc_ms, char out[25]);
/* Parse a local "YYYY-MM-DD" or "dd/mm/yyyy" date. */
int time_parse_date(const char *s, int *year, int *month, int *day, struct ap_err *e);
/* Parse "HH:MM" into minutes since midnight (0..1439). */
int time_parse_hhmm(const char *s, int *minutes, struct ap_err *e);

#endif
