/* plan_bench: time sched_plan() for a busy station: 50 rules (30 weekly,
 * 10 once, 10 quota with two windows), 500 clips in 10 campaigns and a year
 * of history (about 30 plays a day), planning 14 days. Prints the median
 * and p99 over RUNS runs as "median_ms p99_ms items events".
 *   plan_bench RUNS year    the whole year of history handed to sched_plan
 *   plan_bench RUNS loader  what store_sched_load hands over: the last 15
 *                           days of history plus each clip's last_aired_ms */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/aptime.h"
#include "scheduler/sched.h"

static uint64_t rng = 88172645463325252ULL;

static int pick(int lo, int hi)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return lo + (int)(rng % (uint64_t)(hi - lo + 1));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 200;
	if (runs < 1)
		runs = 1;
	tz_use("Asia/Ho_Chi_Minh", NULL);
	int64_t now = time_from_local(2026, 11, 30, 8, 0, 0);
	static struct sched_clip clips[500];
	static struct sched_rule rules[50];
	size_t n_hist = 365 * 30;
	struct sched_done *hist = calloc(n_hist, sizeof(*hist));
	if (!hist)
		return 2;
	for (int i = 0; i < 500; i++) {
		struct sched_clip *k = &clips[i];
		/* ids look like SHA-256 hex, as real clip ids do */
		for (int j = 0; j < 64; j++)
			k->id[j] = "0123456789abcdef"[pick(0, 15)];
		snprintf(k->campaign, sizeof(k->campaign), "camp%d", i % 10);
		snprintf(k->title, sizeof(k->title), "clip %d", i);
		k->import_seq = i + 1;
		k->duration_ms = pick(30, 600) * 1000LL;
		k->valid_from_day = INT64_MIN;
		k->valid_until_day = INT64_MAX;
		k->approved = 1;
	}
	for (int i = 0; i < 50; i++) {
		struct sched_rule *r = &rules[i];
		r->id = i + 1;
		r->created_ms = now - 400 * MS_PER_DAY;
		snprintf(r->campaign, sizeof(r->campaign), "camp%d", i % 10);
		if (i < 30) {
			r->kind = SCHED_WEEKLY;
			r->days = (unsigned)pick(1, 127);
			r->minute = pick(0, 1439);
		} else if (i < 40) {
			r->kind = SCHED_ONCE;
			civil_from_days(days_from_civil(2026, 11, 30) + pick(0, 13), &r->once_year,
			                &r->once_month, &r->once_day);
			r->minute = pick(0, 1439);
		} else {
			r->kind = SCHED_QUOTA;
			r->quota = pick(1, 3);
			r->n_windows = 2;
			r->windows[0] = (struct sched_window){ 0x1f, 17 * 60, 19 * 60 };
			r->windows[1] = (struct sched_window){ 0x60, 8 * 60, 11 * 60 };
		}
	}
	for (size_t i = 0; i < n_hist; i++) {
		struct sched_done *h = &hist[i];
		int64_t t =
		    now - 365 * MS_PER_DAY + (int64_t)i * (365 * MS_PER_DAY / (int64_t)n_hist);
		const struct sched_clip *k = &clips[pick(0, 499)];
		snprintf(h->item, sizeof(h->item), "r%d@%lld", pick(1, 30), (long long)t);
		h->rule = 1;
		snprintf(h->clip, sizeof(h->clip), "%s", k->id);
		snprintf(h->campaign, sizeof(h->campaign), "%s", k->campaign);
		h->scheduled_ms = h->started_ms = t;
		snprintf(h->status, sizeof(h->status), "complete");
	}
	if (argc > 2 && !strcmp(argv[2], "loader")) {
		size_t keep = 0;
		for (size_t i = 0; i < n_hist; i++) {
			for (int k = 0; k < 500; k++)
				if (!strcmp(clips[k].id, hist[i].clip) &&
				    clips[k].last_aired_ms < hist[i].started_ms)
					clips[k].last_aired_ms = hist[i].started_ms;
			if (hist[i].scheduled_ms >= now - 15 * MS_PER_DAY)
				hist[keep++] = hist[i];
		}
		n_hist = keep;
	}
	struct sched_input in = { rules, 50, clips, 500, hist, n_hist, now, 60000, 1, NULL };
	double *ms = calloc((size_t)runs, sizeof(*ms));
	size_t items = 0, events = 0;
	for (int i = 0; i < runs; i++) {
		struct timespec a, b;
		struct sched_plan p;
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (sched_plan(&in, &p, NULL) != AP_OK)
			return 2;
		clock_gettime(CLOCK_MONOTONIC, &b);
		ms[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		items = p.n_items;
		events = p.n_events;
		sched_plan_free(&p);
	}
	qsort(ms, (size_t)runs, sizeof(*ms), cmp_double);
	int p99 = (int)((double)runs * 0.99);
	if (p99 >= runs)
		p99 = runs - 1;
	printf("%.3f %.3f %zu %zu\n", ms[runs / 2], ms[p99], items, events);
	free(ms);
	free(hist);
	return 0;
}
