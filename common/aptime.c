/* Clock reads, IANA zones through libc, ISO weeks and date formats. */
#include "common/aptime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tz_valid(const char *zone)
{
	char path[512], magic[4];

	if (!zone || !*zone || zone[0] == '/' || strstr(zone, "..") || strlen(zone) > 200)
		return 0;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zone);
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(magic, 1, 4, f);
	fclose(f);
	return n == 4 && memcmp(magic, "TZif", 4) == 0;
}

int tz_use(const char *zone, struct ap_err *e)
{
	if (!tz_valid(zone))
		return ap_err_user(e, "unknown time zone '%s'", zone);
	setenv("TZ", zone, 1);
	tzset();
	return AP_OK;
}

int64_t days_from_civil(int y, int m, int d)
{
	/* Howard Hinnant's algorithm: days since 1970-01-01. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int *year, int *month, int *day)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(y + (m <= 2));
	*month = m;
	*day = d;
}

int weekday_of(int y, int m, int d)
{
	int64_t z = days_from_civil(y, m, d); /* 1970-01-01 was a Thursday (4) */
	int w = (int)(((z % 7) + 7 + 3) % 7); /* 0 = Monday */
	return w + 1;
}

void time_to_local(int64_t utc_ms, struct ltime *out)
{
	time_t t = (time_t)(utc_ms >= 0 ? utc_ms / 1000 : (utc_ms - 999) / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
	out->hour = tm.tm_hour;
	out->min = tm.tm_min;
	out->sec = tm.tm_sec;
	out->wday = tm.tm_wday == 0 ? 7 : tm.tm_wday;
}

/* Local wall time of t as seconds on a uniform scale, for comparisons. */
static int64_t wall_key(time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	return days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
	       tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

int64_t time_from_local(int year, int month, int day, int hour, int min, int sec)
{
	int64_t want = days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
	/* UTC offsets anywhere are within -26h..+26h: the answer lies in
	 * [want-26h, want+26h]. Walk candidate offsets seen around it. */
	int64_t best = INT64_MAX;
	for (int64_t probe = want - 30 * 3600; probe <= want + 30 * 3600; probe += 3 * 3600) {
		int64_t off = wall_key((time_t)probe) - probe;
		int64_t cand = want - off;
		if (wall_key((time_t)cand) == want && cand < best)
			best = cand;
	}
	if (best == INT64_MAX) {
		/* In a gap: the first instant whose wall time is past want. Wall
		 * time is monotonic across a gap, so bisect. */
		int64_t lo = want - 30 * 3600, hi = want + 30 * 3600;
		while (hi - lo > 1) {
			int64_t mid = lo + (hi - lo) / 2;
			if (wall_key((time_t)mid) >= want)
				hi = mid;
			else
				lo = mid;
		}
		best = hi;
	}
	return best * 1000;
}

void iso_week_of(int y, int m, int d, int *iso_year, int *iso_week)
{
	/* The ISO week belongs to the year of its Thursday. */
	int64_t z = days_from_civil(y, m, d);
	int wd = weekday_of(y, m, d);
	int64_t thursday = z + (4 - wd);
	int ty, tm, td;
	civil_from_days(thursday, &ty, &tm, &td);
	int64_t jan1 = days_from_civil(ty, 1, 1);
	*iso_year = ty;
	*iso_week = (int)((thursday - jan1) / 7 + 1);
}

void iso_week_monday(int iso_year, int iso_week, int *y, int *m, int *d)
{
	int64_t jan4 = days_from_civil(iso_year, 1, 4);
	int64_t monday1 = jan4 - (weekday_of(iso_year, 1, 4) - 1);
	civil_from_days(monday1 + (int64_t)(iso_week - 1) * 7, y, m, d);
}

int iso_weeks_in_year(int iso_year)
{
	int y, w;
	iso_week_of(iso_year, 12, 28, &y, &w);
	return w;
}

void iso_week_range(int iso_year, int iso_week, int64_t *start, int64_t *end)
{
	int y, m, d;
	iso_week_monday(iso_year, iso_week, &y, &m, &d);
	*start = time_from_local(y, m, d, 0, 0, 0);
	civil_from_days(days_from_civil(y, m, d) + 7, &y, &m, &d);
	*end = time_from_local(y, m, d, 0, 0, 0);
}

void iso_week_bounds(int64_t utc_ms, int64_t *start, int64_t *end)
{
	struct ltime lt;
	int iy, iw;
	time_to_local(utc_ms, &lt);
	iso_week_of(lt.year, lt.month, lt.day, &iy, &iw);
	iso_week_range(iy, iw, start, end);
}

int iso_week_parse(const char *s, int *iso_year, int *iso_week, struct ap_err *e)
{
	int y, w, n = 0;
	if (!s ||
	    (sscanf(s, "%4d-W%2d%n", &y, &w, &n) != 2 && sscanf(s, "%4d-w%2d%n", &y, &w, &n) != 2 &&
	     sscanf(s, "%4dW%2d%n", &y, &w, &n) != 2))
		return ap_err_user(e, "'%s' is not an ISO week (expected e.g. 2026-W48)",
		                   s ? s : "");
	if (s[n] != '\0' || y < 1970 || y > 9999 || w < 1 || w > iso_weeks_in_year(y))
		return ap_err_user(e, "'%s' is not an ISO week (expected e.g. 2026-W48)", s);
	*iso_year = y;
	*iso_week = w;
	return AP_OK;
}

void time_fmt_date(int64_t utc_ms, char out[11])
{
	struct ltime lt;
	time_to_local(utc_ms, &lt);
	snprintf(out, 11, "%02d/%02d/%04d", lt.day % 100, lt.month % 100, lt.year % 10000);
}

void time_fmt_datetime(int64_t utc_ms, char out[17])
{
	struct ltime lt;
	time_to_local(utc_ms, &lt);
	snprintf(out, 17, "%02d/%02d/%04d %02d:%02d", lt.day % 100, lt.month % 100, lt.year % 10000,
	         lt.hour % 100, lt.min % 100);
}

void time_fmt_datetime_s(int64_t utc_ms, char out[20])
{
	struct ltime lt;
	time_to_local(utc_ms, &lt);
	snprintf(out, 20, "%02d/%02d/%04d %02d:%02d:%02d", lt.day % 100, lt.month % 100,
	         lt.year % 10000, lt.hour % 100, lt.min % 100, lt.sec % 100);
}

void time_fmt_iso_utc(int64_t utc_ms, char out[25])
{
	int64_t days = utc_ms >= 0 ? utc_ms / MS_PER_DAY : (utc_ms - MS_PER_DAY + 1) / MS_PER_DAY;
	int64_t rem = utc_ms - days * MS_PER_DAY;
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(out, 25, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y % 10000, m % 100, d % 100,
	         (int)(rem / MS_PER_HOUR), (int)(rem / MS_PER_MIN % 60), (int)(rem / 1000 % 60),
	         (int)(rem % 1000));
}

void time_fmt_length(int64_t ms, char *out, size_t cap)
{
	int64_t s = ms > 0 ? (ms + 500) / 1000 : 0;
	if (s >= 3600)
		snprintf(out, cap, "%lld:%02lld:%02lld", (long long)(s / 3600),
		         (long long)(s / 60 % 60), (long long)(s % 60));
	else
		snprintf(out, cap, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int time_parse_date(const char *s, int *year, int *month, int *day, struct ap_err *e)
{
	int y, m, d, n = 0;
	if (!s || ((sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || s[n]) &&
	           (sscanf(s, "%2d/%2d/%4d%n", &d, &m, &y, &n) != 3 || s[n])))
		return ap_err_user(e, "'%s' is not a date (expected YYYY-MM-DD or dd/mm/yyyy)",
		                   s ? s : "");
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return ap_err_user(e, "'%s' is not a valid date", s);
	*year = y;
	*month = m;
	*day = d;
	return AP_OK;
}

int time_parse_hhmm(const char *s, int *minutes, struct ap_err *e)
{
	int h, m, n = 0;
	if (!s || sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] || h < 0 || h > 23 || m < 0 ||
	    m > 59 || n < 4)
		return ap_err_user(e, "'%s' is not a time of day (expected HH:MM, 24-hour)",
		                   s ? s : "");
	*minutes = h * 60 + m;
	return AP_OK;
}
