/* The quota pass: for each ISO week and quota rule, N base attempts
 * ("q<rule>@<week>#1..N") go into the earliest free window time counted
 * from the week's start (or the rule's creation), each on a day not used
 * yet when the windows allow. They do not depend on now, so a plan made on
 * Monday and one made on Thursday agree on them, and a base attempt whose
 * time passed unplayed is missed. Each missed, failed or interrupted attempt
 * then gets a make-good ("#N+1", ...) at the earliest free window time from
 * now, while the week still needs plays. Make-goods move with now (so they
 * are never missed themselves; a station that was off just plays them
 * later). Complete plays of the campaign inside the windows from any rule
 * count toward the quota, as the hub counts them. A week that ended short
 * gives one shortfall event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/aptime.h"
#include "scheduler/sched_internal.h"

#define MAX_OCC      (7 * SCHED_MAX_WINDOWS)
#define MAX_ATTEMPTS 64

struct occ {
	int64_t start, end;
	size_t di;
};

struct attempt {
	int k;
	char item[128];
	char status[16]; /* history status, "missed" when due now, "" when pending */
	int64_t at;
};

/* One quota rule in one week. */
struct qweek {
	const struct sched_rule *r;
	size_t w0; /* day index of the Monday */
	int64_t start_ms, end_ms, lo;
	char week[16];
	struct occ occ[MAX_OCC];
	int n_occ;
	int complete, pending, planned;
	int no_clip, no_time; /* attempts that could not be placed */
	struct attempt att[MAX_ATTEMPTS];
	int n_att;
	int max_k;
	char why[160]; /* last placement failure */
};

struct slot {
	int64_t start, end;
	size_t di;
	const struct sched_clip *clip;
};

static int cmp_occ(const void *a, const void *b)
{
	const struct occ *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

static void build_occ(struct sched_ctx *c, struct qweek *q)
{
	const struct sched_rule *r = q->r;
	q->n_occ = 0;
	for (size_t di = q->w0; di < q->w0 + 7; di++) {
		for (int w = 0; w < r->n_windows && w < SCHED_MAX_WINDOWS; w++) {
			const struct sched_window *win = &r->windows[w];
			if (!(win->days & (1u << (c->days[di].wday - 1))))
				continue;
			int end_min =
			    win->end_min > win->start_min ? win->end_min : win->end_min + 1440;
			struct occ *o = &q->occ[q->n_occ++];
			o->start = sched_local_at(c, di, win->start_min);
			o->end = sched_local_at(c, di, end_min);
			o->di = di;
		}
	}
	qsort(q->occ, (size_t)q->n_occ, sizeof(q->occ[0]), cmp_occ);
}

static int in_windows(const struct qweek *q, int64_t t)
{
	for (int i = 0; i < q->n_occ; i++)
		if (t >= q->occ[i].start && t < q->occ[i].end)
			return 1;
	return 0;
}

/* Earliest free window time >= lo that fits the rotation's clip for that
 * day, skipping days in avoid (bit = day offset in the week). */
static int find_slot(struct sched_ctx *c, struct qweek *q, int64_t lo, unsigned avoid,
                     struct slot *out)
{
	int found = 0, eligible = 0;
	char why[160] = "", first_why[160] = "";
	for (int i = 0; i < q->n_occ; i++) {
		const struct occ *o = &q->occ[i];
		if (o->end <= lo || (avoid & (1u << (o->di - q->w0))))
			continue;
		if (found && o->start >= out->start)
			break;
		const struct sched_clip *k =
		    sched_campaign_pick(c, q->r->campaign, c->days[o->di].day, why, sizeof(why));
		if (!k) {
			if (!first_why[0])
				snprintf(first_why, sizeof(first_why), "%s", why);
			continue;
		}
		eligible = 1;
		int64_t from = o->start > lo ? o->start : lo;
		int64_t t = sched_busy_earliest(c, from, o->end, k->duration_ms);
		if (t >= 0 && (!found || t < out->start)) {
			*out = (struct slot){ t, t + k->duration_ms, o->di, k };
			found = 1;
		}
	}
	if (found)
		q->why[0] = '\0';
	else if (eligible || !first_why[0])
		snprintf(q->why, sizeof(q->why), "no free time left in the windows of week %s",
		         q->week);
	else
		snprintf(q->why, sizeof(q->why), "%s", first_why);
	return found;
}

static void add_attempt(struct qweek *q, int k, const char *item, const char *status, int64_t at)
{
	/* The highest number is kept even past the table's end, so a new
	 * make-good never reuses the id of one already recorded. */
	if (k > q->max_k)
		q->max_k = k;
	if (q->n_att == MAX_ATTEMPTS)
		return;
	struct attempt *a = &q->att[q->n_att++];
	a->k = k;
	snprintf(a->item, sizeof(a->item), "%s", item);
	snprintf(a->status, sizeof(a->status), "%s", status);
	a->at = at;
	if (k > q->max_k)
		q->max_k = k;
}

/* An item for the plan: a quota attempt that will air, or a marker for
 * one that cannot be placed (nothing airs; shown so the gap is not
 * silent). */
static void emit(struct sched_ctx *c, struct qweek *q, const char *id, const struct slot *s,
                 const char *makegood_of)
{
	int64_t at = s ? s->start : (c->now > q->lo ? c->now : q->lo);
	q->planned += s != NULL; /* placed, even when past the horizon */
	if (at >= c->plan_end || (!s && at >= q->end_ms))
		return;
	struct sched_item *it = sched_add_item(c);
	if (!it)
		return;
	snprintf(it->item, sizeof(it->item), "%s", id);
	it->rule = q->r->id;
	it->kind = SCHED_QUOTA;
	it->scheduled_ms = it->start_ms = at;
	it->end_ms = s ? s->end : at;
	snprintf(it->campaign, sizeof(it->campaign), "%s", q->r->campaign);
	snprintf(it->makegood_of, sizeof(it->makegood_of), "%s", makegood_of);
	if (s) {
		snprintf(it->clip, sizeof(it->clip), "%s", s->clip->id);
		sched_mark_aired(c, s->clip, s->start);
	} else {
		it->flags = strstr(q->why, "no free time") ? SCHED_CONFLICT : SCHED_NO_CLIP;
		snprintf(it->reason, sizeof(it->reason), "%s", q->why);
	}
}

static void note_unplaced(struct qweek *q)
{
	if (strstr(q->why, "no free time"))
		q->no_time++;
	else
		q->no_clip++;
}

static void base_attempts(struct sched_ctx *c, struct qweek *q)
{
	unsigned used = 0;
	for (int k = 1; k <= q->r->quota && k < MAX_ATTEMPTS; k++) {
		char id[128];
		snprintf(id, sizeof(id), "q%lld@%s#%d", (long long)q->r->id, q->week, k);
		const struct sched_done *h = sched_hist_find(c, id);
		if (h) {
			/* Its real time, not a recomputed one. */
			const struct sched_clip *clip = sched_clip_find(c, h->clip);
			int64_t at = h->started_ms > 0 ? h->started_ms : h->scheduled_ms;
			if (clip && h->started_ms > 0)
				sched_busy_add(c, at, sched_done_end(h, clip, at));
			long di = sched_day_index(c, h->scheduled_ms);
			if (di >= (long)q->w0 && di < (long)q->w0 + 7)
				used |= 1u << (di - (long)q->w0);
			add_attempt(q, k, id, h->status, h->scheduled_ms);
			continue;
		}
		struct slot s;
		if (!find_slot(c, q, q->lo, used, &s) && !find_slot(c, q, q->lo, 0, &s)) {
			note_unplaced(q);
			emit(c, q, id, NULL, "");
			continue;
		}
		sched_busy_add(c, s.start, s.end);
		used |= 1u << (s.di - q->w0);
		if (sched_is_playing(c, id)) {
			q->pending++;
			add_attempt(q, k, id, "", s.start);
			continue;
		}
		if (s.start + c->max_late < c->now) {
			/* Never played and too late now. */
			if (s.start >= c->hist_lo)
				sched_add_missed(c, id, q->r, s.start, s.clip->id, "");
			add_attempt(q, k, id, "missed", s.start);
			continue;
		}
		add_attempt(q, k, id, "", s.start);
		q->pending++;
		emit(c, q, id, &s, "");
	}
}

/* History attempts of this rule and week beyond the base ones, and the
 * items they make good. */
static void history_attempts(struct sched_ctx *c, struct qweek *q)
{
	char prefix[64];
	int n = snprintf(prefix, sizeof(prefix), "q%lld@%s#", (long long)q->r->id, q->week);
	for (size_t i = 0; i < c->n_hist; i++) {
		const struct sched_done *h = c->hist[i];
		if (!strcmp(h->status, "complete") && !strcmp(h->campaign, q->r->campaign) &&
		    h->started_ms > 0 && in_windows(q, h->started_ms))
			q->complete++;
		if (h->rule != q->r->id || strncmp(h->item, prefix, (size_t)n) != 0)
			continue;
		int k = atoi(h->item + n);
		if (k > q->r->quota)
			add_attempt(q, k, h->item, h->status, h->scheduled_ms);
	}
}

static int covered(struct sched_ctx *c, const struct qweek *q, const char *item)
{
	for (int i = 0; i < q->n_att; i++) {
		const struct sched_done *h = sched_hist_find(c, q->att[i].item);
		if (h && !strcmp(h->makegood_of, item))
			return 1;
	}
	return 0;
}

static int cmp_attempt(const void *a, const void *b)
{
	const struct attempt *x = a, *y = b;
	return (x->k > y->k) - (x->k < y->k);
}

static void make_goods(struct sched_ctx *c, struct qweek *q)
{
	qsort(q->att, (size_t)q->n_att, sizeof(q->att[0]), cmp_attempt);
	int need = q->r->quota - q->complete - q->pending;
	int next = (q->max_k > q->r->quota ? q->max_k : q->r->quota) + 1;
	int n_att = q->n_att; /* make-goods added below are not failures */
	for (int i = 0; i < n_att && need > 0; i++) {
		const struct attempt *f = &q->att[i];
		if (!f->status[0] || !strcmp(f->status, "complete") || covered(c, q, f->item))
			continue;
		char id[128];
		snprintf(id, sizeof(id), "q%lld@%s#%d", (long long)q->r->id, q->week, next++);
		need--;
		int64_t lo = c->now > q->lo ? c->now : q->lo;
		struct slot s;
		if (!find_slot(c, q, lo, 0, &s)) {
			/* Too late for this week: the failure itself is the reason. */
			if (lo >= q->end_ms)
				continue;
			note_unplaced(q);
			emit(c, q, id, NULL, f->item);
			continue;
		}
		sched_busy_add(c, s.start, s.end);
		if (sched_is_playing(c, id))
			continue;
		q->pending++;
		emit(c, q, id, &s, f->item);
	}
}

static void shortfall(struct sched_ctx *c, struct qweek *q)
{
	char id[128];
	snprintf(id, sizeof(id), "shortfall:q%lld@%s", (long long)q->r->id, q->week);
	if (q->complete >= q->r->quota || sched_hist_find(c, id))
		return;
	int missed = 0, failed = 0, interrupted = 0;
	for (int i = 0; i < q->n_att; i++) {
		missed += !strcmp(q->att[i].status, "missed");
		failed += !strcmp(q->att[i].status, "failed");
		interrupted += !strcmp(q->att[i].status, "interrupted");
	}
	char why[400] = "";
	size_t n = 0;
#define REASON(cnt, text) \
	if ((cnt) > 0)    \
	n += (size_t)snprintf(why + n, sizeof(why) - n, "%s%d " text, n ? ", " : "", (cnt))
	REASON(missed, "missed (station off)");
	REASON(failed, "failed");
	REASON(interrupted, "interrupted");
	REASON(q->no_clip, "no eligible clip");
	REASON(q->no_time, "no free window time");
#undef REASON
	if (!n)
		snprintf(why, sizeof(why), "no complete play inside the windows");
	struct sched_event *ev = sched_add_event(c);
	if (!ev)
		return;
	ev->kind = SCHED_EV_SHORTFALL;
	snprintf(ev->item, sizeof(ev->item), "%s", id);
	ev->rule = q->r->id;
	ev->scheduled_ms = q->end_ms;
	snprintf(ev->campaign, sizeof(ev->campaign), "%s", q->r->campaign);
	snprintf(ev->detail, sizeof(ev->detail), "week %s, campaign %s: %d of %d plays: %s",
	         q->week, q->r->campaign, q->complete, q->r->quota, why);
}

void sched_quota_pass(struct sched_ctx *c)
{
	size_t n_q = 0;
	for (size_t i = 0; i < c->n_rules; i++)
		n_q += c->rules[i]->kind == SCHED_QUOTA;
	if (!n_q)
		return;
	struct qweek *q = calloc(n_q, sizeof(*q));
	if (!q) {
		c->oom = 1;
		return;
	}
	for (size_t w0 = 0; w0 + 7 < c->n_days && !c->oom; w0 += 7) {
		int64_t ws = c->days[w0].start_ms, we = c->days[w0 + 7].start_ms;
		if (ws >= c->plan_end)
			break;
		int y, m, d, iy, iw;
		civil_from_days(c->days[w0].day, &y, &m, &d);
		iso_week_of(y, m, d, &iy, &iw);
		size_t n = 0;
		for (size_t i = 0; i < c->n_rules; i++) {
			const struct sched_rule *r = c->rules[i];
			if (r->kind != SCHED_QUOTA || r->created_ms >= we || r->quota < 1)
				continue;
			struct qweek *x = &q[n++];
			memset(x, 0, sizeof(*x));
			x->r = r;
			x->w0 = w0;
			x->start_ms = ws;
			x->end_ms = we;
			x->lo = r->created_ms > ws ? r->created_ms : ws;
			snprintf(x->week, sizeof(x->week), "%04d-W%02d", iy % 10000, iw % 100);
			build_occ(c, x);
			history_attempts(c, x);
		}
		/* Base attempts of every rule first: they must not depend on the
		 * make-goods, which move with now. */
		for (size_t i = 0; i < n; i++)
			base_attempts(c, &q[i]);
		for (size_t i = 0; i < n; i++)
			make_goods(c, &q[i]);
		for (size_t i = 0; i < n; i++) {
			/* Due once the week and any window begun in it are over. */
			int64_t due = we;
			for (int o = 0; o < q[i].n_occ; o++)
				if (q[i].occ[o].end > due)
					due = q[i].occ[o].end;
			if (c->now >= due)
				shortfall(c, &q[i]);
			if (we <= c->now)
				continue;
			struct sched_quota *s = sched_add_quota(c);
			if (!s)
				break;
			s->rule = q[i].r->id;
			snprintf(s->week, sizeof(s->week), "%s", q[i].week);
			s->week_start_ms = ws;
			s->week_end_ms = we;
			snprintf(s->campaign, sizeof(s->campaign), "%s", q[i].r->campaign);
			s->required = q[i].r->quota;
			s->complete = q[i].complete;
			s->planned = q[i].planned;
			s->unplaceable = q[i].no_clip + q[i].no_time;
		}
	}
	free(q);
}
