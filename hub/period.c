/* ISO week keys and report ranges (weeks, months, dates, reform-report
 * periods from the 15th to the 14th). Pure calendar arithmetic except
 * where a UTC instant is turned into local time (the process zone). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/aptime.h"
#include "hub/hub.h"

int hub_week_key_of(int64_t utc_ms)
{
	struct ltime t;
	int y, w;
	time_to_local(utc_ms, &t);
	iso_week_of(t.year, t.month, t.day, &y, &w);
	return y * 100 + w;
}

int hub_week_key_next(int key)
{
	int y = key / 100, w = key % 100;
	if (w >= iso_weeks_in_year(y))
		return (y + 1) * 100 + 1;
	return key + 1;
}

void hub_week_key_fmt(int key, char out[16])
{
	snprintf(out, 16, "%04d-W%02d", (key / 100) % 10000, key % 100);
}

void hub_week_key_bounds(int key, int64_t *start_ms, int64_t *end_ms)
{
	iso_week_range(key / 100, key % 100, start_ms, end_ms);
}

/* The week key of the ISO week a civil day (days since epoch) lies in. */
static int week_of_day(int64_t day)
{
	int y, m, d, iy, iw;
	civil_from_days(day, &y, &m, &d);
	iso_week_of(y, m, d, &iy, &iw);
	return iy * 100 + iw;
}

/* Thursday of the ISO week containing day (ISO: Monday = 1). */
static int64_t thursday_of(int64_t day)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	return day - (weekday_of(y, m, d) - 1) + 3;
}

/* First and last day of what one bound names. */
static int bound_days(const char *s, int64_t *first, int64_t *last, struct ap_err *e)
{
	int y, m, d, w;
	char tail;
	if (strchr(s, 'W') || strchr(s, 'w')) {
		if (iso_week_parse(s, &y, &w, e))
			return AP_EUSER;
		iso_week_monday(y, w, &y, &m, &d);
		*first = days_from_civil(y, m, d);
		*last = *first + 6;
		return AP_OK;
	}
	if (sscanf(s, "%4d-%2d%c", &y, &m, &tail) == 2 && strlen(s) == 7) {
		if (m < 1 || m > 12 || y < 1970 || y > 9999)
			return ap_err_user(e, "'%s' is not a month (YYYY-MM)", s);
		*first = days_from_civil(y, m, 1);
		*last = (m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1)) - 1;
		return AP_OK;
	}
	if (time_parse_date(s, &y, &m, &d, NULL) == AP_OK) {
		*first = *last = days_from_civil(y, m, d);
		return AP_OK;
	}
	return ap_err_user(e, "'%s' is not a week (2026-W48), month (2026-11) or date (2026-11-15)",
	                   s);
}

/* Reform-report periods run from the 15th to the 14th: Q1 = 15/12 of the
 * previous year to 14/03, and so on. */
static int period_days(const char *p, int64_t *first, int64_t *last, char *label, size_t cap,
                       struct ap_err *e)
{
	int y;
	char kind[4] = "";
	if (sscanf(p, "%4d-%3s", &y, kind) != 2 || y < 1971 || y > 9999)
		return ap_err_user(e, "period '%s' is not YYYY-Q1..Q4, YYYY-H1, YYYY-H2 or YYYY-Y",
		                   p);
	int from_m, to_m; /* months of the 15th that starts and the 14th that ends */
	if (!strcmp(kind, "Q1"))
		from_m = 0, to_m = 3;
	else if (!strcmp(kind, "Q2"))
		from_m = 3, to_m = 6;
	else if (!strcmp(kind, "Q3"))
		from_m = 6, to_m = 9;
	else if (!strcmp(kind, "Q4"))
		from_m = 9, to_m = 12;
	else if (!strcmp(kind, "H1"))
		from_m = 0, to_m = 6;
	else if (!strcmp(kind, "H2"))
		from_m = 6, to_m = 12;
	else if (!strcmp(kind, "Y"))
		from_m = 0, to_m = 12;
	else
		return ap_err_user(e, "period '%s' is not YYYY-Q1..Q4, YYYY-H1, YYYY-H2 or YYYY-Y",
		                   p);
	/* month 0 means December of the year before */
	*first = from_m == 0 ? days_from_civil(y - 1, 12, 15) : days_from_civil(y, from_m, 15);
	*last = days_from_civil(y, to_m, 14);
	int fy, fm, fd, ly, lm, ld;
	civil_from_days(*first, &fy, &fm, &fd);
	civil_from_days(*last, &ly, &lm, &ld);
	snprintf(label, cap, "%d-%s (%02d/%02d/%04d-%02d/%02d/%04d)", y, kind, fd, fm, fy, ld, lm,
	         ly);
	return AP_OK;
}

int hub_range_parse(const char *from, const char *to, const char *period, struct hub_range *r,
                    struct ap_err *e)
{
	int64_t first = 0, last = 0, f2, l2;
	memset(r, 0, sizeof(*r));
	if (period && *period) {
		if (from || to)
			return ap_err_user(e, "give either period= or from=/to=, not both");
		if (period_days(period, &first, &last, r->label, sizeof(r->label), e))
			return AP_EUSER;
	} else {
		if (!from || !*from)
			return ap_err_user(e, "a report needs from= (and to=) or period=");
		if (bound_days(from, &first, &l2, e))
			return AP_EUSER;
		if (bound_days(to && *to ? to : from, &f2, &last, e))
			return AP_EUSER;
		snprintf(r->label, sizeof(r->label), "%s..%s", from, to && *to ? to : from);
	}
	/* Weeks whose Thursday is inside [first, last]. */
	int64_t t_first = thursday_of(first), t_last = thursday_of(last);
	if (t_first < first)
		t_first += 7;
	if (t_last > last)
		t_last -= 7;
	if (t_last < t_first)
		return ap_err_user(e, "the range %s holds no whole ISO week", r->label);
	r->first_week = week_of_day(t_first);
	r->last_week = week_of_day(t_last);
	r->n_weeks = (int)((t_last - t_first) / 7 + 1);
	if (r->n_weeks > 530)
		return ap_err_user(e, "the range %s is longer than ten years", r->label);
	return AP_OK;
}

void hub_range_recent(int64_t now_ms, int n, struct hub_range *r)
{
	struct ltime t;
	time_to_local(now_ms, &t);
	int64_t today = days_from_civil(t.year, t.month, t.day);
	memset(r, 0, sizeof(*r));
	r->last_week = week_of_day(today);
	r->first_week = week_of_day(today - 7 * (n - 1));
	r->n_weeks = n;
	char a[16], b[16];
	hub_week_key_fmt(r->first_week, a);
	hub_week_key_fmt(r->last_week, b);
	snprintf(r->label, sizeof(r->label), "%s..%s", a, b);
}
