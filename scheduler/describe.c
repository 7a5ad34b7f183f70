/* Days, windows and rules in words, and the parsers for what operators
 * type. Pure string work, shared by 'airproof rule' and 'airproof plan'. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/aptime.h"
#include "scheduler/sched.h"

static const char *const day_names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

const char *sched_day_name(int wday)
{
	return wday >= 1 && wday <= 7 ? day_names[wday - 1] : "?";
}

void sched_days_fmt(unsigned days, char *out, size_t cap)
{
	size_t n = 0;
	days &= 0x7f;
	out[0] = '\0';
	if (days == 0x7f) {
		snprintf(out, cap, "daily");
		return;
	}
	for (int d = 0; d < 7 && n < cap; d++) {
		if (!(days & (1u << d)))
			continue;
		int end = d;
		while (end + 1 < 7 && (days & (1u << (end + 1))))
			end++;
		const char *sep = n ? "," : "";
		if (end - d >= 2)
			n += (size_t)snprintf(out + n, cap - n, "%s%s-%s", sep, day_names[d],
			                      day_names[end]);
		else if (end == d + 1)
			n += (size_t)snprintf(out + n, cap - n, "%s%s,%s", sep, day_names[d],
			                      day_names[end]);
		else
			n += (size_t)snprintf(out + n, cap - n, "%s%s", sep, day_names[d]);
		d = end;
	}
}

static void hhmm(int minute, char out[6])
{
	snprintf(out, 6, "%02d:%02d", (minute / 60) % 100, minute % 60);
}

void sched_rule_fmt(const struct sched_rule *r, char *out, size_t cap)
{
	char t[6], days[64];
	if (r->kind == SCHED_ONCE) {
		hhmm(r->minute, t);
		snprintf(out, cap, "once %02d/%02d/%04d %s", r->once_day % 100, r->once_month % 100,
		         r->once_year % 10000, t);
	} else if (r->kind == SCHED_WEEKLY) {
		hhmm(r->minute, t);
		sched_days_fmt(r->days, days, sizeof(days));
		snprintf(out, cap, "weekly %s %s", days, t);
	} else {
		size_t n = (size_t)snprintf(out, cap, "%d/week in", r->quota);
		for (int i = 0; i < r->n_windows && n < cap; i++) {
			char a[6], b[6];
			sched_days_fmt(r->windows[i].days, days, sizeof(days));
			hhmm(r->windows[i].start_min, a);
			hhmm(r->windows[i].end_min, b);
			n += (size_t)snprintf(out + n, cap - n, "%s %s %s-%s", i ? ";" : "", days,
			                      a, b);
		}
	}
}

/* One day name -> 1..7, or 0. */
static int day_of(const char *s, size_t len)
{
	static const char *const en[] = { "monday", "tuesday",  "wednesday", "thursday",
		                          "friday", "saturday", "sunday" };
	static const char *const vi[] = { "t2", "t3", "t4", "t5", "t6", "t7", "cn" };
	if (len == 0)
		return 0;
	for (int d = 0; d < 7; d++) {
		if ((len == 3 || len == strlen(en[d])) && !strncasecmp(s, en[d], len))
			return d + 1;
		if (len == 2 && !strncasecmp(s, vi[d], 2))
			return d + 1;
	}
	return 0;
}

static int bad_days(const char *s, struct ap_err *e)
{
	return ap_err_user(e,
	                   "'%s' is not a list of days (e.g. mon,wed,fri  mon-fri  daily  "
	                   "weekdays  weekend  t2-t6  cn)",
	                   s);
}

int sched_days_parse(const char *s, unsigned *days, struct ap_err *e)
{
	unsigned mask = 0;
	const char *p = s;
	if (!s || !*s)
		return bad_days(s ? s : "", e);
	while (*p) {
		size_t len = strcspn(p, ",");
		char tok[32];
		if (len == 0 || len >= sizeof(tok))
			return bad_days(s, e);
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (!strcasecmp(tok, "daily") || !strcasecmp(tok, "everyday"))
			mask |= 0x7f;
		else if (!strcasecmp(tok, "weekdays"))
			mask |= 0x1f;
		else if (!strcasecmp(tok, "weekend"))
			mask |= 0x60;
		else {
			char *dash = strchr(tok, '-');
			int a = day_of(tok, dash ? (size_t)(dash - tok) : len);
			int b = dash ? day_of(dash + 1, strlen(dash + 1)) : a;
			if (!a || !b)
				return bad_days(s, e);
			/* mon-sun covers the week; sat-mon wraps round it */
			for (int d = a;; d = d % 7 + 1) {
				mask |= 1u << (d - 1);
				if (d == b)
					break;
			}
		}
		p += len;
		if (*p == ',')
			p++;
	}
	*days = mask;
	return AP_OK;
}

int sched_window_parse(const char *s, struct sched_window *w, struct ap_err *e)
{
	char buf[128], *times;
	if (!s || strlen(s) >= sizeof(buf))
		return ap_err_user(e, "'%s' is not a window (e.g. \"mon-fri 17:00-19:00\")",
		                   s ? s : "");
	snprintf(buf, sizeof(buf), "%s", s);
	char *sp = strrchr(buf, ' ');
	unsigned days = 0x7f;
	if (sp) {
		*sp = '\0';
		times = sp + 1;
		char *d = buf;
		while (isspace((unsigned char)*d))
			d++;
		if (*d && sched_days_parse(d, &days, e))
			return AP_EUSER;
	} else {
		times = buf;
	}
	char *dash = strchr(times, '-');
	int a, b;
	if (!dash)
		return ap_err_user(e, "window '%s' needs a time range HH:MM-HH:MM", s);
	*dash = '\0';
	if (time_parse_hhmm(times, &a, e))
		return ap_err_prefix(e, "window '%s'", s);
	if (!strcmp(dash + 1, "24:00"))
		b = 1440;
	else if (time_parse_hhmm(dash + 1, &b, e))
		return ap_err_prefix(e, "window '%s'", s);
	if (a == b)
		return ap_err_user(e,
		                   "window '%s' is empty (start = end); for a whole day write "
		                   "00:00-24:00",
		                   s);
	w->days = days;
	w->start_min = a;
	w->end_min = b == 1440 && a > 0 ? 0 : b;
	return AP_OK;
}
