/* sched_plan(): builds the planning context (local day table, clip and
 * history indexes, busy time), runs the fixed-item pass then the quota pass
 * (scheduler/quota.c), and sorts the result with total orders so the same
 * input always gives the same bytes. Also the shared helpers: rotation,
 * eligibility, busy-time search. Pure: no I/O, no clock reads. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/aptime.h"
#include "scheduler/sched_internal.h"

/* ---- day table ---- */

long sched_day_index(const struct sched_ctx *c, int64_t t)
{
	size_t lo = 0, hi = c->n_days;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->days[mid].end_ms <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->n_days && c->days[lo].start_ms <= t)
		return (long)lo;
	return -1;
}

int64_t sched_local_at(const struct sched_ctx *c, size_t di, int minute)
{
	while (minute >= 1440 && di + 1 < c->n_days) {
		minute -= 1440;
		di++;
	}
	const struct sched_day *d = &c->days[di];
	/* A 24-hour day has no DST change inside it: plain arithmetic. Other
	 * days go through time_from_local (gap -> first instant after it,
	 * ambiguity -> first occurrence). */
	if (minute < 1440 && d->end_ms - d->start_ms == MS_PER_DAY)
		return d->start_ms + minute * MS_PER_MIN;
	int y, m, dd;
	civil_from_days(d->day + minute / 1440, &y, &m, &dd);
	minute %= 1440;
	return time_from_local(y, m, dd, minute / 60, minute % 60, 0);
}

void sched_fmt_day(int64_t day, char out[11])
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	snprintf(out, 11, "%02d/%02d/%04d", d % 100, m % 100, y % 10000);
}

static int build_days(struct sched_ctx *c)
{
	struct ltime lt;
	time_to_local(c->now, &lt);
	int64_t today = days_from_civil(lt.year, lt.month, lt.day);
	int64_t first = today - (lt.wday - 1) - 7;
	time_to_local(c->plan_end - 1, &lt);
	int64_t last_day = days_from_civil(lt.year, lt.month, lt.day);
	int64_t last = last_day + (7 - lt.wday) + 1; /* one day past the last Sunday */
	c->n_days = (size_t)(last - first + 1);
	c->days = calloc(c->n_days + 1, sizeof(*c->days));
	if (!c->days)
		return -1;
	int64_t prev = 0;
	for (size_t i = 0; i <= c->n_days; i++) {
		int y, m, d;
		civil_from_days(first + (int64_t)i, &y, &m, &d);
		int64_t start = time_from_local(y, m, d, 0, 0, 0);
		if (i > 0)
			c->days[i - 1].end_ms = start;
		if (i < c->n_days) {
			c->days[i].day = first + (int64_t)i;
			c->days[i].start_ms = start;
			c->days[i].wday = weekday_of(y, m, d);
		}
		prev = start;
	}
	(void)prev;
	c->hist_lo = c->days[0].start_ms;
	return 0;
}

/* ---- clips and rotation ---- */

static int cmp_clip_id(const void *a, const void *b)
{
	const struct sched_clip *x = *(const struct sched_clip *const *)a;
	const struct sched_clip *y = *(const struct sched_clip *const *)b;
	return strcmp(x->id, y->id);
}

static int cmp_clip_campaign(const void *a, const void *b)
{
	const struct sched_clip *x = *(const struct sched_clip *const *)a;
	const struct sched_clip *y = *(const struct sched_clip *const *)b;
	int r = strcmp(x->campaign, y->campaign);
	if (r)
		return r;
	if (x->import_seq != y->import_seq)
		return x->import_seq < y->import_seq ? -1 : 1;
	return strcmp(x->id, y->id);
}

static size_t id_hash(const char *id)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ULL;
	return (size_t)h;
}

/* A year of history looks clips up by id thousands of times: hash them. */
static long clip_index(const struct sched_ctx *c, const char *id)
{
	for (size_t i = id_hash(id) & c->clip_mask;; i = (i + 1) & c->clip_mask) {
		long k = c->clip_slots[i];
		if (!k)
			return -1;
		if (!strcmp(c->clips[k - 1]->id, id))
			return k - 1;
	}
}

static int clip_hash_build(struct sched_ctx *c)
{
	size_t cap = 16;
	while (cap < 2 * c->n_clips + 1)
		cap *= 2;
	c->clip_slots = calloc(cap, sizeof(*c->clip_slots));
	if (!c->clip_slots)
		return -1;
	c->clip_mask = cap - 1;
	for (size_t k = 0; k < c->n_clips; k++) {
		size_t i = id_hash(c->clips[k]->id) & c->clip_mask;
		while (c->clip_slots[i]) /* duplicate ids keep the first (sorted) one */
			i = (i + 1) & c->clip_mask;
		if (clip_index(c, c->clips[k]->id) < 0)
			c->clip_slots[i] = (long)k + 1;
	}
	return 0;
}

const struct sched_clip *sched_clip_find(const struct sched_ctx *c, const char *id)
{
	long i = clip_index(c, id);
	return i < 0 ? NULL : c->clips[i];
}

static int clip_ok(const struct sched_ctx *c, const struct sched_clip *k, int64_t day)
{
	return !k->removed && (k->approved || !c->in->require_approval) &&
	       day >= k->valid_from_day && day <= k->valid_until_day;
}

int sched_clip_unfit(const struct sched_ctx *c, const struct sched_clip *k, const char *id,
                     int64_t day, char *why, size_t cap)
{
	char date[11];
	sched_fmt_day(day, date);
	if (!k)
		snprintf(why, cap, "clip %.12s is not in the library", id);
	else if (k->removed)
		snprintf(why, cap, "clip %.12s was removed", id);
	else if (!k->approved && c->in->require_approval)
		snprintf(why, cap, "clip %.12s is not approved", id);
	else if (!clip_ok(c, k, day))
		snprintf(why, cap, "clip %.12s is not valid on %s", id, date);
	else {
		why[0] = '\0';
		return 0;
	}
	return 1;
}

const struct sched_clip *sched_campaign_pick(const struct sched_ctx *c, const char *campaign,
                                             int64_t day, char *why, size_t cap)
{
	/* First clip of the campaign in (campaign, import_seq) order. */
	size_t lo = 0, hi = c->n_clips;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->camp[mid]->campaign, campaign) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct sched_clip *best = NULL;
	int64_t best_aired = 0;
	for (size_t i = lo; i < c->n_clips && !strcmp(c->camp[i]->campaign, campaign); i++) {
		const struct sched_clip *k = c->camp[i];
		if (!clip_ok(c, k, day))
			continue;
		int64_t aired = c->aired[c->camp_clip[i]];
		/* Least recently aired; ties keep import order (the scan order). */
		if (!best || aired < best_aired) {
			best = k;
			best_aired = aired;
		}
	}
	if (!best) {
		char date[11];
		sched_fmt_day(day, date);
		snprintf(why, cap, "no %sclip in campaign %s valid on %s",
		         c->in->require_approval ? "approved " : "", campaign, date);
	}
	return best;
}

void sched_mark_aired(struct sched_ctx *c, const struct sched_clip *k, int64_t t)
{
	long i = clip_index(c, k->id);
	if (i >= 0 && c->aired[i] < t)
		c->aired[i] = t;
}

/* ---- history ---- */

static int cmp_done_item(const void *a, const void *b)
{
	const struct sched_done *x = *(const struct sched_done *const *)a;
	const struct sched_done *y = *(const struct sched_done *const *)b;
	int r = strcmp(x->item, y->item);
	if (r)
		return r;
	if (x->scheduled_ms != y->scheduled_ms)
		return x->scheduled_ms < y->scheduled_ms ? -1 : 1;
	return strcmp(x->status, y->status);
}

const struct sched_done *sched_hist_find(const struct sched_ctx *c, const char *item)
{
	size_t lo = 0, hi = c->n_hist;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(c->hist[mid]->item, item);
		if (r == 0)
			return c->hist[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int sched_is_playing(const struct sched_ctx *c, const char *item)
{
	return c->in->playing_item && !strcmp(c->in->playing_item, item);
}

/* ---- busy time ---- */

int64_t sched_done_end(const struct sched_done *h, const struct sched_clip *clip, int64_t start)
{
	if (h->started_ms > 0 && h->ended_ms > h->started_ms)
		return start + (h->ended_ms - h->started_ms);
	return clip ? start + clip->duration_ms : start;
}

void sched_busy_add(struct sched_ctx *c, int64_t start, int64_t end)
{
	if (end <= start)
		return;
	if (c->n_busy == c->cap_busy) {
		size_t cap = c->cap_busy ? c->cap_busy * 2 : 256;
		struct sched_span *b = realloc(c->busy, cap * sizeof(*b));
		if (!b) {
			c->oom = 1;
			return;
		}
		c->busy = b;
		c->cap_busy = cap;
	}
	size_t i = c->n_busy;
	while (i > 0 && c->busy[i - 1].start > start) {
		c->busy[i] = c->busy[i - 1];
		i--;
	}
	c->busy[i] = (struct sched_span){ start, end };
	c->n_busy++;
	if (end - start > c->busy_max_len)
		c->busy_max_len = end - start;
}

int64_t sched_busy_earliest(const struct sched_ctx *c, int64_t from, int64_t to, int64_t dur)
{
	/* Spans starting before from - longest span cannot reach from. */
	int64_t skip = from - c->busy_max_len;
	size_t lo = 0, hi = c->n_busy;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->busy[mid].start < skip)
			lo = mid + 1;
		else
			hi = mid;
	}
	int64_t t = from;
	for (size_t i = lo; i < c->n_busy && t + dur <= to; i++) {
		if (c->busy[i].end <= t)
			continue;
		if (c->busy[i].start >= t + dur)
			break;
		t = c->busy[i].end;
	}
	return t + dur <= to ? t : -1;
}

/* ---- output arrays ---- */

#define GROW(c, arr, n, cap)                                             \
	do {                                                             \
		if ((n) == (cap)) {                                      \
			size_t ncap = (cap) ? (cap)*2 : 32;              \
			void *p = realloc((arr), ncap * sizeof(*(arr))); \
			if (!p) {                                        \
				(c)->oom = 1;                            \
				return NULL;                             \
			}                                                \
			(arr) = p;                                       \
			(cap) = ncap;                                    \
		}                                                        \
		memset(&(arr)[(n)], 0, sizeof(*(arr)));                  \
		return &(arr)[(n)++];                                    \
	} while (0)

struct sched_item *sched_add_item(struct sched_ctx *c)
{
	GROW(c, c->out->items, c->out->n_items, c->cap_items);
}

struct sched_event *sched_add_event(struct sched_ctx *c)
{
	GROW(c, c->out->events, c->out->n_events, c->cap_events);
}

struct sched_quota *sched_add_quota(struct sched_ctx *c)
{
	GROW(c, c->out->quotas, c->out->n_quotas, c->cap_quotas);
}

/* ---- entry ---- */

static int cmp_rule_id(const void *a, const void *b)
{
	const struct sched_rule *x = *(const struct sched_rule *const *)a;
	const struct sched_rule *y = *(const struct sched_rule *const *)b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_item(const void *a, const void *b)
{
	const struct sched_item *x = a, *y = b;
	if (x->start_ms != y->start_ms)
		return x->start_ms < y->start_ms ? -1 : 1;
	return strcmp(x->item, y->item);
}

static int cmp_event(const void *a, const void *b)
{
	const struct sched_event *x = a, *y = b;
	if (x->scheduled_ms != y->scheduled_ms)
		return x->scheduled_ms < y->scheduled_ms ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->item, y->item);
}

static void ctx_free(struct sched_ctx *c)
{
	free(c->days);
	free(c->clips);
	free(c->aired);
	free(c->aired0);
	free(c->camp);
	free(c->camp_clip);
	free(c->clip_slots);
	free(c->hist);
	free(c->rules);
	free(c->busy);
}

static int ctx_init(struct sched_ctx *c)
{
	const struct sched_input *in = c->in;
	if (build_days(c))
		return -1;
	c->n_clips = in->n_clips;
	c->clips = calloc(in->n_clips + 1, sizeof(*c->clips));
	c->camp = calloc(in->n_clips + 1, sizeof(*c->camp));
	c->aired = calloc(in->n_clips + 1, sizeof(*c->aired));
	c->hist = calloc(in->n_history + 1, sizeof(*c->hist));
	c->rules = calloc(in->n_rules + 1, sizeof(*c->rules));
	c->camp_clip = calloc(in->n_clips + 1, sizeof(*c->camp_clip));
	if (!c->clips || !c->camp || !c->aired || !c->hist || !c->rules || !c->camp_clip)
		return -1;
	for (size_t i = 0; i < in->n_clips; i++)
		c->clips[i] = c->camp[i] = &in->clips[i];
	qsort(c->clips, c->n_clips, sizeof(*c->clips), cmp_clip_id);
	qsort(c->camp, c->n_clips, sizeof(*c->camp), cmp_clip_campaign);
	if (clip_hash_build(c))
		return -1;
	for (size_t i = 0; i < c->n_clips; i++) {
		c->aired[i] = c->clips[i]->last_aired_ms;
		long k = clip_index(c, c->camp[i]->id);
		c->camp_clip[i] = k < 0 ? 0 : (size_t)k;
	}
	for (size_t i = 0; i < in->n_history; i++) {
		const struct sched_done *h = &in->history[i];
		long k = h->started_ms > 0 ? clip_index(c, h->clip) : -1;
		if (k >= 0 && c->aired[k] < h->started_ms)
			c->aired[k] = h->started_ms;
		int64_t t = h->started_ms > h->scheduled_ms ? h->started_ms : h->scheduled_ms;
		if (t >= c->hist_lo - MS_PER_DAY || t == 0) /* 0: time unknown, keep */
			c->hist[c->n_hist++] = h;
	}
	qsort(c->hist, c->n_hist, sizeof(*c->hist), cmp_done_item);
	c->aired0 = malloc((c->n_clips + 1) * sizeof(*c->aired0));
	if (!c->aired0)
		return -1;
	memcpy(c->aired0, c->aired, (c->n_clips + 1) * sizeof(*c->aired0));
	for (size_t i = 0; i < in->n_rules; i++)
		c->rules[c->n_rules++] = &in->rules[i];
	qsort(c->rules, c->n_rules, sizeof(*c->rules), cmp_rule_id);
	return 0;
}

static const struct sched_rule *rule_find(const struct sched_ctx *c, int64_t id)
{
	size_t lo = 0, hi = c->n_rules;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->rules[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n_rules && c->rules[lo]->id == id ? c->rules[lo] : NULL;
}

/* True when [start, end) meets no airing time other than the span that
 * starts at start (the item's own). */
static int busy_free_after(const struct sched_ctx *c, int64_t start, int64_t end)
{
	for (size_t i = 0; i < c->n_busy; i++)
		if (c->busy[i].start > start && c->busy[i].start < end)
			return 0;
	return 1;
}

/* The passes place items, each rotating within its own kind; a campaign's
 * rotation must follow airing order across all kinds. So walk the placed
 * items by start time from the history's state and give each campaign item
 * the least recently aired clip -- when that clip fits the time the item
 * holds, so no overlap can appear. */
static void rotate_pass(struct sched_ctx *c)
{
	memcpy(c->aired, c->aired0, (c->n_clips + 1) * sizeof(*c->aired));
	for (size_t i = 0; i < c->out->n_items; i++) {
		struct sched_item *it = &c->out->items[i];
		const struct sched_clip *cur = it->clip[0] ? sched_clip_find(c, it->clip) : NULL;
		const struct sched_rule *r = rule_find(c, it->rule);
		if (!cur)
			continue;
		long di = sched_day_index(c, it->start_ms);
		if (r && r->campaign[0] && di >= 0) {
			char why[160];
			const struct sched_clip *pick =
			    sched_campaign_pick(c, r->campaign, c->days[di].day, why, sizeof(why));
			if (pick && pick != cur &&
			    (pick->duration_ms <= cur->duration_ms ||
			     busy_free_after(c, it->start_ms, it->start_ms + pick->duration_ms))) {
				for (size_t b = 0; b < c->n_busy; b++)
					if (c->busy[b].start == it->start_ms &&
					    c->busy[b].end == it->end_ms)
						c->busy[b].end = it->start_ms + pick->duration_ms;
				snprintf(it->clip, sizeof(it->clip), "%s", pick->id);
				it->end_ms = it->start_ms + pick->duration_ms;
				cur = pick;
			}
		}
		sched_mark_aired(c, cur, it->start_ms);
	}
}

int sched_plan(const struct sched_input *in, struct sched_plan *out, struct ap_err *e)
{
	memset(out, 0, sizeof(*out));
	if (!in || in->now_ms <= 0 || in->max_late_ms < 0)
		return ap_err_internal(e, "sched_plan: bad input (now or max_late)");
	struct sched_ctx c = { 0 };
	c.in = in;
	c.out = out;
	c.now = in->now_ms;
	c.max_late = in->max_late_ms;
	c.plan_end = in->now_ms + SCHED_HORIZON_MS;
	if (ctx_init(&c) == 0) {
		sched_fixed_pass(&c);
		sched_quota_pass(&c);
		if (out->n_items)
			qsort(out->items, out->n_items, sizeof(*out->items), cmp_item);
		rotate_pass(&c);
	} else {
		c.oom = 1;
	}
	ctx_free(&c);
	if (c.oom) {
		sched_plan_free(out);
		return ap_err_internal(e, "sched_plan: out of memory");
	}
	if (out->n_events)
		qsort(out->events, out->n_events, sizeof(*out->events), cmp_event);
	return AP_OK;
}

void sched_plan_free(struct sched_plan *p)
{
	if (!p)
		return;
	free(p->items);
	free(p->events);
	free(p->quotas);
	memset(p, 0, sizeof(*p));
}
