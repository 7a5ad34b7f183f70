/* The fixed-item pass: once and weekly rules become items at their local
 * times over whole ISO weeks (previous week to the end of the horizon's
 * last week), so the busy time the quota pass sees does not depend on now.
 * Fixed items keep their time; a collision is resolved in time order: the
 * later item follows within max_late (SCHED_DELAYED) or will not air
 * (SCHED_CONFLICT). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/aptime.h"
#include "scheduler/sched_internal.h"

struct fixed {
	int64_t t;
	size_t di;
	const struct sched_rule *r;
};

static int cmp_fixed(const void *a, const void *b)
{
	const struct fixed *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->r->id < y->r->id ? -1 : x->r->id > y->r->id;
}

void sched_add_missed(struct sched_ctx *c, const char *item, const struct sched_rule *r,
                      int64_t scheduled, const char *clip, const char *why)
{
	struct sched_event *ev = sched_add_event(c);
	if (!ev)
		return;
	char when[17];
	time_fmt_datetime(scheduled, when);
	ev->kind = SCHED_EV_MISSED;
	snprintf(ev->item, sizeof(ev->item), "%s", item);
	ev->rule = r->id;
	ev->scheduled_ms = scheduled;
	snprintf(ev->campaign, sizeof(ev->campaign), "%s", r->campaign);
	snprintf(ev->clip, sizeof(ev->clip), "%s", clip ? clip : "");
	snprintf(ev->detail, sizeof(ev->detail), "item %s scheduled %s did not play: %s", item,
	         when, why && *why ? why : "station off or busy");
}

static size_t collect(struct sched_ctx *c, struct fixed *f)
{
	size_t n = 0, n_days = c->n_days - 1; /* the extra day only serves windows */
	for (size_t i = 0; i < c->n_rules; i++) {
		const struct sched_rule *r = c->rules[i];
		if (r->kind == SCHED_ONCE) {
			int64_t day = days_from_civil(r->once_year, r->once_month, r->once_day);
			if (day < c->days[0].day || day >= c->days[0].day + (int64_t)n_days)
				continue;
			size_t di = (size_t)(day - c->days[0].day);
			int64_t t = sched_local_at(c, di, r->minute);
			if (t >= r->created_ms)
				f[n++] = (struct fixed){ t, di, r };
		} else if (r->kind == SCHED_WEEKLY) {
			for (size_t di = 0; di < n_days; di++) {
				if (!(r->days & (1u << (c->days[di].wday - 1))))
					continue;
				int64_t t = sched_local_at(c, di, r->minute);
				if (t >= r->created_ms)
					f[n++] = (struct fixed){ t, di, r };
			}
		}
	}
	return n;
}

void sched_fixed_pass(struct sched_ctx *c)
{
	struct fixed *f = calloc(c->n_rules * c->n_days + 1, sizeof(*f));
	if (!f) {
		c->oom = 1;
		return;
	}
	size_t n = collect(c, f);
	qsort(f, n, sizeof(*f), cmp_fixed);

	int64_t busy_until = INT64_MIN, busy_start = 0, busy_rule = 0;
	for (size_t i = 0; i < n && !c->oom; i++) {
		const struct sched_rule *r = f[i].r;
		int64_t t = f[i].t, day = c->days[f[i].di].day;
		char id[128], why[160] = "";
		snprintf(id, sizeof(id), "r%lld@%lld", (long long)r->id, (long long)t);
		const struct sched_done *h = sched_hist_find(c, id);
		const struct sched_clip *clip = NULL;
		if (h)
			clip = sched_clip_find(c, h->clip);
		else if (r->clip[0]) {
			clip = sched_clip_find(c, r->clip);
			if (sched_clip_unfit(c, clip, r->clip, day, why, sizeof(why)))
				clip = NULL;
		} else {
			clip = sched_campaign_pick(c, r->campaign, day, why, sizeof(why));
		}

		unsigned flags = 0;
		int64_t start = t;
		if (!clip) {
			flags = h ? 0 : SCHED_NO_CLIP;
		} else if (t < busy_until) {
			char at[17];
			time_fmt_datetime(busy_start, at);
			if (busy_until - t <= c->max_late) {
				start = busy_until;
				flags = SCHED_DELAYED;
				snprintf(why, sizeof(why),
				         "follows rule %lld's item at %s, %lld s late",
				         (long long)busy_rule, at + 11,
				         (long long)((busy_until - t) / 1000));
			} else {
				flags = SCHED_CONFLICT;
				snprintf(why, sizeof(why), "collides with rule %lld's item at %s",
				         (long long)busy_rule, at + 11);
			}
		}
		int airs = clip && !(flags & (SCHED_NO_CLIP | SCHED_CONFLICT));
		int64_t end = !airs ? start
		              : h   ? sched_done_end(h, clip, start)
		                    : start + clip->duration_ms;
		if (airs) {
			sched_busy_add(c, start, end);
			busy_until = end;
			busy_start = start;
			busy_rule = r->id;
		}
		if (h || sched_is_playing(c, id))
			continue;
		if (t + c->max_late < c->now) {
			if (t >= c->hist_lo)
				sched_add_missed(c, id, r, t, clip ? clip->id : "",
				                 flags & (SCHED_NO_CLIP | SCHED_CONFLICT) ? why
				                                                          : "");
			continue;
		}
		if (t >= c->plan_end)
			continue;
		struct sched_item *it = sched_add_item(c);
		if (!it)
			break;
		snprintf(it->item, sizeof(it->item), "%s", id);
		it->rule = r->id;
		it->kind = r->kind;
		it->scheduled_ms = t;
		it->start_ms = start;
		it->end_ms = end;
		snprintf(it->clip, sizeof(it->clip), "%s", airs ? clip->id : "");
		snprintf(it->campaign, sizeof(it->campaign), "%s",
		         r->campaign[0] ? r->campaign : (clip ? clip->campaign : ""));
		it->flags = flags;
		snprintf(it->reason, sizeof(it->reason), "%s", why);
		if (airs && r->campaign[0])
			sched_mark_aired(c, clip, start);
	}
	free(f);
}
