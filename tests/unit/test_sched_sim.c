/* scheduler/ simulated over months: random rules, clips and outages from a
 * fixed list of seeds; a station that re-plans, plays the first item when
 * it is due (complete, or failed/interrupted at random), records the due
 * events, and is switched off now and then. Properties: nothing ever
 * overlaps, nothing starts more than max_late after its time, the same
 * input (in any order) gives the same plan bytes, and every ISO week either
 * meets each quota or has exactly one shortfall whose reasons are real.
 * STRESS=1 runs more seeds over two years. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/aptime.h"
#include "scheduler/sched.h"

#define MAX_LATE 60000
#define MAX_HIST 20000
#define MAX_OUT  64

static uint64_t rng;
/* Totals over all seeds, so the test proves it exercised what it claims. */
static long n_plays, n_makegoods, n_missed, n_shortfalls, n_delayed;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int pick(int lo, int hi) /* inclusive */
{
	return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

struct sim {
	struct sched_rule rules[12];
	size_t n_rules;
	struct sched_clip clips[16];
	size_t n_clips;
	struct sched_done *hist;
	size_t n_hist;
	int64_t out_start[MAX_OUT], out_end[MAX_OUT];
	int n_out;
	int64_t start, end;
	char sf_detail[512][512]; /* shortfall details, by n_sf */
	char sf_item[512][64];
	int n_sf;
};

static const char *const campaigns[] = { "cchc", "news", "health" };

static void make_world(struct sim *s)
{
	static const char *const zones[] = { "Asia/Ho_Chi_Minh", "Europe/Berlin",
		                             "America/New_York" };
	tz_use(zones[pick(0, 2)], NULL);
	int64_t day0 = days_from_civil(2026, 1, 1) + pick(0, 700);
	int y, m, d;
	civil_from_days(day0, &y, &m, &d);
	s->start = time_from_local(y, m, d, pick(0, 23), pick(0, 59), 0);
	for (int i = 0; i < 3; i++)
		for (int j = pick(1, 4); j > 0; j--) {
			struct sched_clip *k = &s->clips[s->n_clips];
			memset(k, 0, sizeof(*k));
			snprintf(k->id, sizeof(k->id), "%02zx%s", s->n_clips, campaigns[i]);
			snprintf(k->campaign, sizeof(k->campaign), "%s", campaigns[i]);
			k->import_seq = (int64_t)s->n_clips + 1;
			k->duration_ms = pick(20, 400) * 1000LL;
			k->approved = pick(0, 9) > 0;
			k->valid_from_day = pick(0, 3) ? INT64_MIN : day0 + pick(0, 60);
			k->valid_until_day = pick(0, 3) ? INT64_MAX : day0 + pick(60, 400);
			s->n_clips++;
		}
	int64_t id = 1;
	for (int j = pick(1, 4); j > 0; j--) {
		struct sched_rule *r = &s->rules[s->n_rules++];
		memset(r, 0, sizeof(*r));
		r->id = id++;
		r->kind = SCHED_WEEKLY;
		r->days = (unsigned)pick(1, 127);
		r->minute = pick(0, 1439);
		if (pick(0, 2))
			snprintf(r->campaign, sizeof(r->campaign), "%s", campaigns[pick(0, 2)]);
		else
			memcpy(r->clip, s->clips[pick(0, (int)s->n_clips - 1)].id, sizeof(r->clip));
		r->created_ms = s->start;
	}
	for (int j = pick(0, 2); j > 0; j--) {
		struct sched_rule *r = &s->rules[s->n_rules++];
		memset(r, 0, sizeof(*r));
		r->id = id++;
		r->kind = SCHED_ONCE;
		civil_from_days(day0 + pick(0, 120), &r->once_year, &r->once_month, &r->once_day);
		r->minute = pick(0, 1439);
		snprintf(r->campaign, sizeof(r->campaign), "%s", campaigns[pick(0, 2)]);
		r->created_ms = s->start;
	}
	for (int j = pick(1, 2); j > 0; j--) {
		struct sched_rule *r = &s->rules[s->n_rules++];
		memset(r, 0, sizeof(*r));
		r->id = id++;
		r->kind = SCHED_QUOTA;
		r->quota = pick(1, 3);
		snprintf(r->campaign, sizeof(r->campaign), "%s", campaigns[pick(0, 2)]);
		r->n_windows = pick(1, 2);
		for (int w = 0; w < r->n_windows; w++) {
			struct sched_window *win = &r->windows[w];
			win->days = (unsigned)pick(1, 127);
			if (pick(0, 3) == 0) { /* across midnight */
				win->start_min = pick(22 * 60, 23 * 60);
				win->end_min = pick(10, 60);
			} else {
				win->start_min = pick(5 * 60, 19 * 60);
				win->end_min = win->start_min + pick(30, 180);
			}
		}
		r->created_ms = s->start + pick(0, 3) * MS_PER_DAY;
	}
}

static void make_outages(struct sim *s)
{
	int64_t t = s->start;
	while (s->n_out < MAX_OUT) {
		t += pick(2, 20) * MS_PER_DAY + pick(0, 86399) * 1000LL;
		if (t >= s->end)
			break;
		s->out_start[s->n_out] = t;
		s->out_end[s->n_out] = t + pick(1, 40 * 60) * MS_PER_MIN;
		t = s->out_end[s->n_out++];
	}
}

static int64_t outage_end(const struct sim *s, int64_t t)
{
	for (int i = 0; i < s->n_out; i++)
		if (t >= s->out_start[i] && t < s->out_end[i])
			return s->out_end[i];
	return 0;
}

static void serialise(const struct sched_plan *p, char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);
	assert_non_null(f);
	for (size_t i = 0; i < p->n_items; i++) {
		const struct sched_item *it = &p->items[i];
		fprintf(f, "I %s %lld %d %lld %lld %lld %s %s %s %u %s\n", it->item,
		        (long long)it->rule, it->kind, (long long)it->scheduled_ms,
		        (long long)it->start_ms, (long long)it->end_ms, it->clip, it->campaign,
		        it->makegood_of, it->flags, it->reason);
	}
	for (size_t i = 0; i < p->n_events; i++) {
		const struct sched_event *ev = &p->events[i];
		fprintf(f, "E %d %s %lld %lld %s %s %s\n", ev->kind, ev->item, (long long)ev->rule,
		        (long long)ev->scheduled_ms, ev->campaign, ev->clip, ev->detail);
	}
	for (size_t i = 0; i < p->n_quotas; i++) {
		const struct sched_quota *q = &p->quotas[i];
		fprintf(f, "Q %lld %s %d %d %d %d\n", (long long)q->rule, q->week, q->required,
		        q->complete, q->planned, q->unplaceable);
	}
	fclose(f);
}

static void shuffle(void *base, size_t n, size_t size)
{
	char tmp[1024]; /* larger than any element shuffled here */
	assert_true(size <= sizeof(tmp));
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(rnd() % i);
		memcpy(tmp, (char *)base + (i - 1) * size, size);
		memcpy((char *)base + (i - 1) * size, (char *)base + j * size, size);
		memcpy((char *)base + j * size, tmp, size);
	}
}

/* The same input in another order must give the same bytes. */
static void check_deterministic(struct sim *s, const struct sched_input *in,
                                const struct sched_plan *p)
{
	struct sched_rule rules[12];
	struct sched_clip clips[16];
	struct sched_done *hist = malloc((s->n_hist + 1) * sizeof(*hist));
	assert_non_null(hist);
	memcpy(rules, s->rules, s->n_rules * sizeof(*rules));
	memcpy(clips, s->clips, s->n_clips * sizeof(*clips));
	memcpy(hist, s->hist, s->n_hist * sizeof(*hist));
	shuffle(rules, s->n_rules, sizeof(*rules));
	shuffle(clips, s->n_clips, sizeof(*clips));
	shuffle(hist, s->n_hist, sizeof(*hist));
	struct sched_input in2 = *in;
	in2.rules = rules;
	in2.clips = clips;
	in2.history = hist;
	struct sched_plan p2;
	assert_int_equal(sched_plan(&in2, &p2, NULL), AP_OK);
	char *a, *b;
	size_t la, lb;
	serialise(p, &a, &la);
	serialise(&p2, &b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
	sched_plan_free(&p2);
	free(hist);
}

static struct sched_done *record(struct sim *s, const char *item, int64_t rule)
{
	assert_true(s->n_hist < MAX_HIST);
	for (size_t i = 0; i < s->n_hist; i++)
		assert_string_not_equal(s->hist[i].item, item); /* exactly once */
	struct sched_done *h = &s->hist[s->n_hist++];
	memset(h, 0, sizeof(*h));
	snprintf(h->item, sizeof(h->item), "%s", item);
	h->rule = rule;
	return h;
}

static void check_plan(const struct sched_plan *p, int64_t now)
{
	int64_t busy_until = INT64_MIN;
	for (size_t i = 0; i < p->n_items; i++) {
		const struct sched_item *it = &p->items[i];
		assert_true(it->scheduled_ms + MAX_LATE >= now);
		assert_true(it->start_ms >= it->scheduled_ms);
		assert_true(it->start_ms - it->scheduled_ms <= MAX_LATE);
		if (it->flags & (SCHED_NO_CLIP | SCHED_CONFLICT))
			continue;
		assert_true(it->start_ms >= busy_until); /* no overlap */
		busy_until = it->end_ms;
	}
}

/* Complete plays of r's campaign inside r's windows, in the ISO week
 * whose Monday is day `monday` (local), counted independently of the
 * scheduler from local wall times. */
static int complete_in_week(const struct sim *s, const struct sched_rule *r, int64_t monday)
{
	int n = 0;
	for (size_t i = 0; i < s->n_hist; i++) {
		const struct sched_done *h = &s->hist[i];
		if (strcmp(h->status, "complete") || strcmp(h->campaign, r->campaign))
			continue;
		struct ltime lt;
		time_to_local(h->started_ms, &lt);
		int64_t day = days_from_civil(lt.year, lt.month, lt.day);
		int min = lt.hour * 60 + lt.min;
		for (int w = 0; w < r->n_windows; w++) {
			const struct sched_window *win = &r->windows[w];
			int64_t from_day = -1;
			if (win->end_min > win->start_min) {
				if (min >= win->start_min && min < win->end_min)
					from_day = day;
			} else if (min >= win->start_min) {
				from_day = day;
			} else if (min < win->end_min) {
				from_day = day - 1;
			}
			if (from_day < 0)
				continue;
			int y, m, d;
			civil_from_days(from_day, &y, &m, &d);
			if (!(win->days & (1u << (weekday_of(y, m, d) - 1))))
				continue;
			if (from_day >= monday && from_day < monday + 7) {
				n++;
				break;
			}
		}
	}
	return n;
}

static int count_status(const struct sim *s, const char *prefix, const char *status)
{
	int n = 0;
	for (size_t i = 0; i < s->n_hist; i++)
		n += !strncmp(s->hist[i].item, prefix, strlen(prefix)) &&
		     !strcmp(s->hist[i].status, status);
	return n;
}

static void check_weeks(const struct sim *s)
{
	struct ltime lt;
	time_to_local(s->start, &lt);
	int64_t monday = days_from_civil(lt.year, lt.month, lt.day) - (lt.wday - 1);
	for (;; monday += 7) {
		int y, m, d, iy, iw;
		civil_from_days(monday + 7, &y, &m, &d);
		/* Only weeks a plan saw end (with a day for late windows). */
		if (time_from_local(y, m, d, 0, 0, 0) + 2 * MS_PER_DAY > s->end)
			break;
		civil_from_days(monday, &y, &m, &d);
		iso_week_of(y, m, d, &iy, &iw);
		for (size_t i = 0; i < s->n_rules; i++) {
			const struct sched_rule *r = &s->rules[i];
			if (r->kind != SCHED_QUOTA)
				continue;
			civil_from_days(monday + 7, &y, &m, &d);
			if (r->created_ms >= time_from_local(y, m, d, 0, 0, 0))
				continue;
			char sf[64], prefix[64];
			snprintf(sf, sizeof(sf), "shortfall:q%lld@%04d-W%02d", (long long)r->id, iy,
			         iw);
			snprintf(prefix, sizeof(prefix), "q%lld@%04d-W%02d#", (long long)r->id, iy,
			         iw);
			int complete = complete_in_week(s, r, monday);
			const char *detail = NULL;
			for (int k = 0; k < s->n_sf; k++)
				if (!strcmp(s->sf_item[k], sf))
					detail = s->sf_detail[k];
			if (complete >= r->quota) {
				assert_null(detail);
				continue;
			}
			if (!detail)
				fail_msg("%s: %d of %d and no shortfall", sf, complete, r->quota);
			/* The reasons are real: the counts it names happened. */
			int said_complete = -1, said_n = -1;
			const char *p = detail ? strstr(detail, "plays: ") : NULL;
			if (p)
				p = p - 12 > detail ? strstr(p - 12, ": ") : NULL;
			assert_non_null(p);
			assert_int_equal(sscanf(p + 2, "%d of %d", &said_complete, &said_n), 2);
			assert_int_equal(said_complete, complete);
			assert_int_equal(said_n, r->quota);
			const char *why[] = { "missed", "failed", "interrupted" };
			for (int j = 0; j < 3; j++) {
				char pat[32];
				snprintf(pat, sizeof(pat), " %s", why[j]);
				const char *q = strstr(detail, pat);
				if (!q)
					continue;
				const char *num = q;
				while (num > detail && isdigit((unsigned char)num[-1]))
					num--;
				int k = atoi(num);
				assert_true(k >= 1);
				assert_true(count_status(s, prefix, why[j]) >= k);
			}
		}
	}
}

static void simulate(uint64_t seed, int weeks)
{
	struct sim *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	s->hist = calloc(MAX_HIST, sizeof(*s->hist));
	assert_non_null(s->hist);
	rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	make_world(s);
	s->end = s->start + weeks * 7 * MS_PER_DAY;
	make_outages(s);

	int64_t now = s->start, last_end = INT64_MIN;
	int steps = 0;
	while (now < s->end) {
		int64_t back = outage_end(s, now);
		if (back) {
			now = back;
			continue;
		}
		struct sched_input in = { s->rules,  s->n_rules, s->clips, s->n_clips, s->hist,
			                  s->n_hist, now,        MAX_LATE, 1,          NULL };
		struct sched_plan p;
		assert_int_equal(sched_plan(&in, &p, NULL), AP_OK);
		check_plan(&p, now);
		if (steps++ % 40 == 0)
			check_deterministic(s, &in, &p);
		for (size_t i = 0; i < p.n_events; i++) {
			const struct sched_event *ev = &p.events[i];
			struct sched_done *h = record(s, ev->item, ev->rule);
			h->scheduled_ms = ev->scheduled_ms;
			snprintf(h->campaign, sizeof(h->campaign), "%s", ev->campaign);
			snprintf(h->status, sizeof(h->status), "%s",
			         ev->kind == SCHED_EV_MISSED ? "missed" : "shortfall");
			n_missed += ev->kind == SCHED_EV_MISSED;
			n_shortfalls += ev->kind == SCHED_EV_SHORTFALL;
			/* Keep the shortfall's words for check_weeks. */
			if (ev->kind == SCHED_EV_SHORTFALL && s->n_sf < 512) {
				snprintf(s->sf_item[s->n_sf], 64, "%s", ev->item);
				snprintf(s->sf_detail[s->n_sf++], 512, "%s", ev->detail);
			}
		}
		const struct sched_item *next = NULL;
		for (size_t i = 0; i < p.n_items && !next; i++)
			if (!(p.items[i].flags & (SCHED_NO_CLIP | SCHED_CONFLICT)))
				next = &p.items[i];
		if (!next || next->start_ms > now + MS_PER_DAY) {
			now += MS_PER_DAY;
			sched_plan_free(&p);
			continue;
		}
		int64_t t = next->start_ms > now ? next->start_ms : now;
		if ((back = outage_end(s, t))) {
			now = back; /* switched off before it started */
			sched_plan_free(&p);
			continue;
		}
		assert_true(t - next->scheduled_ms <= MAX_LATE);
		n_plays++;
		n_makegoods += next->makegood_of[0] != '\0';
		n_delayed += (next->flags & SCHED_DELAYED) != 0;
		assert_true(t >= last_end); /* what aired never overlaps */
		struct sched_done *h = record(s, next->item, next->rule);
		snprintf(h->clip, sizeof(h->clip), "%s", next->clip);
		snprintf(h->campaign, sizeof(h->campaign), "%s", next->campaign);
		snprintf(h->makegood_of, sizeof(h->makegood_of), "%s", next->makegood_of);
		h->scheduled_ms = next->scheduled_ms;
		h->started_ms = t;
		int roll = pick(0, 19);
		snprintf(h->status, sizeof(h->status), "%s",
		         roll == 0   ? "failed"
		         : roll == 1 ? "interrupted"
		                     : "complete");
		last_end = t + (next->end_ms - next->start_ms);
		now = last_end;
		sched_plan_free(&p);
	}
	check_weeks(s);
	free(s->hist);
	free(s);
}

static void simulated_stations_keep_every_property(void **state)
{
	(void)state;
	static const uint64_t seeds[] = { 1, 2, 3, 5, 8, 13, 21, 34 };
	int stress = getenv("STRESS") != NULL;
	size_t n = stress ? 200 : sizeof(seeds) / sizeof(seeds[0]);
	for (size_t i = 0; i < n; i++)
		simulate(i < 8 ? seeds[i] : i * 7919, stress ? 104 : 12);
	print_message("%ld plays, %ld make-goods, %ld delayed, %ld missed, %ld shortfalls\n",
	              n_plays, n_makegoods, n_delayed, n_missed, n_shortfalls);
	assert_true(n_plays > 500);
	assert_true(n_makegoods > 0);
	assert_true(n_missed > 0);
	assert_true(n_shortfalls > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(simulated_stations_keep_every_property),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
