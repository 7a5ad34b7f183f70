/* scheduler/: one behaviour per test. Station zone Asia/Ho_Chi_Minh (UTC+7,
 * no DST) unless a test is about DST. Week 2026-W49 runs from Monday
 * 30/11/2026 to Sunday 06/12/2026. */
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

#define ALL_DAYS  0x7f
#define MIN(h, m) ((h)*60 + (m))

static struct fx {
	struct sched_rule rules[16];
	struct sched_clip clips[16];
	struct sched_done hist[128];
	struct sched_input in;
	struct sched_plan plan;
} fx;

static int64_t L(int y, int mo, int d, int h, int mi)
{
	return time_from_local(y, mo, d, h, mi, 0);
}

static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	tz_use("Asia/Ho_Chi_Minh", NULL);
	fx.in.rules = fx.rules;
	fx.in.clips = fx.clips;
	fx.in.history = fx.hist;
	fx.in.max_late_ms = 60000;
	fx.in.require_approval = 1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sched_plan_free(&fx.plan);
	return 0;
}

static struct sched_clip *clip(const char *id, const char *campaign, int seq, int secs)
{
	struct sched_clip *k = &fx.clips[fx.in.n_clips++];
	snprintf(k->id, sizeof(k->id), "%s", id);
	snprintf(k->campaign, sizeof(k->campaign), "%s", campaign);
	snprintf(k->title, sizeof(k->title), "title %s", id);
	k->import_seq = seq;
	k->duration_ms = secs * 1000LL;
	k->valid_from_day = INT64_MIN;
	k->valid_until_day = INT64_MAX;
	k->approved = 1;
	return k;
}

static struct sched_rule *rule(int64_t id, enum sched_rule_kind kind, const char *target)
{
	struct sched_rule *r = &fx.rules[fx.in.n_rules++];
	r->id = id;
	r->kind = kind;
	/* Clip ids in these tests start with "k"; campaigns do not. */
	if (target[0] == 'k')
		snprintf(r->clip, sizeof(r->clip), "%s", target);
	else
		snprintf(r->campaign, sizeof(r->campaign), "%s", target);
	r->created_ms = L(2026, 1, 1, 0, 0);
	return r;
}

static struct sched_rule *weekly(int64_t id, unsigned days, int minute, const char *target)
{
	struct sched_rule *r = rule(id, SCHED_WEEKLY, target);
	r->days = days;
	r->minute = minute;
	return r;
}

static struct sched_rule *once(int64_t id, int y, int mo, int d, int minute, const char *target)
{
	struct sched_rule *r = rule(id, SCHED_ONCE, target);
	r->once_year = y;
	r->once_month = mo;
	r->once_day = d;
	r->minute = minute;
	return r;
}

static struct sched_rule *quota(int64_t id, const char *campaign, int n, unsigned days, int start,
                                int end)
{
	struct sched_rule *r = rule(id, SCHED_QUOTA, campaign);
	r->quota = n;
	r->windows[0] = (struct sched_window){ days, start, end };
	r->n_windows = 1;
	return r;
}

static struct sched_done *done(const char *item, int64_t rule_id, const char *clip_id,
                               const char *campaign, int64_t scheduled, const char *status)
{
	struct sched_done *h = &fx.hist[fx.in.n_history++];
	snprintf(h->item, sizeof(h->item), "%s", item);
	h->rule = rule_id;
	snprintf(h->clip, sizeof(h->clip), "%s", clip_id);
	snprintf(h->campaign, sizeof(h->campaign), "%s", campaign);
	h->scheduled_ms = scheduled;
	h->started_ms = strcmp(status, "missed") ? scheduled : 0;
	snprintf(h->status, sizeof(h->status), "%s", status);
	return h;
}

static void plan_at(int64_t now)
{
	struct ap_err e = { 0 };
	sched_plan_free(&fx.plan);
	fx.in.now_ms = now;
	assert_int_equal(sched_plan(&fx.in, &fx.plan, &e), AP_OK);
	for (size_t i = 1; i < fx.plan.n_items; i++) {
		const struct sched_item *a = &fx.plan.items[i - 1], *b = &fx.plan.items[i];
		assert_true(a->start_ms <= b->start_ms);
	}
}

/* The first item whose id starts with prefix; fails the test when none. */
static const struct sched_item *item(const char *prefix)
{
	static const struct sched_item none;
	for (size_t i = 0; i < fx.plan.n_items; i++)
		if (!strncmp(fx.plan.items[i].item, prefix, strlen(prefix)))
			return &fx.plan.items[i];
	fail_msg("no item %s in the plan", prefix);
	return &none;
}

static size_t count_items(const char *prefix)
{
	size_t n = 0;
	for (size_t i = 0; i < fx.plan.n_items; i++)
		n += !strncmp(fx.plan.items[i].item, prefix, strlen(prefix));
	return n;
}

static const struct sched_event *event(enum sched_event_kind kind)
{
	static const struct sched_event none;
	for (size_t i = 0; i < fx.plan.n_events; i++)
		if (fx.plan.events[i].kind == kind)
			return &fx.plan.events[i];
	fail_msg("no event of kind %d", (int)kind);
	return &none;
}

static size_t count_events(enum sched_event_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < fx.plan.n_events; i++)
		n += fx.plan.events[i].kind == kind;
	return n;
}

static int local_day(int64_t t)
{
	struct ltime lt;
	time_to_local(t, &lt);
	return lt.day;
}

/* ---- fixed items ---- */

static void once_rule_airs_at_its_local_time(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	once(1, 2026, 12, 1, MIN(6, 15), "k1");
	plan_at(L(2026, 11, 30, 8, 0));
	assert_int_equal(fx.plan.n_items, 1);
	const struct sched_item *it = &fx.plan.items[0];
	assert_int_equal(it->start_ms, L(2026, 12, 1, 6, 15));
	assert_int_equal(it->end_ms, it->start_ms + 120000);
	assert_string_equal(it->clip, "k1");
	char id[64];
	snprintf(id, sizeof(id), "r1@%lld", (long long)it->scheduled_ms);
	assert_string_equal(it->item, id);
	assert_int_equal(it->flags, 0);
}

static void weekly_rule_airs_on_its_days_only(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 60);
	weekly(1, 1u << 0 | 1u << 2 | 1u << 4, MIN(6, 15), "k1"); /* mon, wed, fri */
	plan_at(L(2026, 11, 30, 0, 0));
	assert_int_equal(fx.plan.n_items, 6); /* two weeks */
	int want[] = { 30, 2, 4, 7, 9, 11 };
	for (int i = 0; i < 6; i++) {
		assert_int_equal(local_day(fx.plan.items[i].start_ms), want[i]);
		struct ltime lt;
		time_to_local(fx.plan.items[i].start_ms, &lt);
		assert_int_equal(lt.hour * 60 + lt.min, MIN(6, 15));
	}
}

static void once_rule_before_its_creation_never_airs_nor_misses(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 60);
	struct sched_rule *r = once(1, 2026, 11, 30, MIN(6, 0), "k1");
	r->created_ms = L(2026, 11, 30, 7, 0);
	plan_at(L(2026, 11, 30, 8, 0));
	assert_int_equal(fx.plan.n_items, 0);
	assert_int_equal(fx.plan.n_events, 0);
}

static void nothing_is_planned_in_the_past_beyond_max_late(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 60);
	weekly(1, ALL_DAYS, MIN(6, 0), "k1");
	plan_at(L(2026, 11, 30, 6, 0) + 30000); /* 30 s late: still plays */
	assert_int_equal(fx.plan.items[0].start_ms, L(2026, 11, 30, 6, 0));
	plan_at(L(2026, 11, 30, 6, 0) + 61000); /* 61 s late: missed */
	assert_int_equal(fx.plan.items[0].start_ms, L(2026, 12, 1, 6, 0));
	for (size_t i = 0; i < fx.plan.n_items; i++)
		assert_true(fx.plan.items[i].scheduled_ms + 60000 >= fx.in.now_ms);
}

static void collision_within_max_late_follows_the_first(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 40);
	clip("k2", "other", 2, 40);
	once(1, 2026, 12, 1, MIN(6, 0), "k1");
	once(2, 2026, 12, 1, MIN(6, 0), "k2");
	plan_at(L(2026, 11, 30, 8, 0));
	assert_int_equal(fx.plan.n_items, 2);
	assert_int_equal(fx.plan.items[0].rule, 1);
	assert_int_equal(fx.plan.items[1].rule, 2);
	assert_int_equal(fx.plan.items[1].flags, SCHED_DELAYED);
	assert_int_equal(fx.plan.items[1].start_ms, fx.plan.items[0].end_ms);
	assert_int_equal(fx.plan.items[1].scheduled_ms, L(2026, 12, 1, 6, 0));
}

static void collision_beyond_max_late_is_a_conflict(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 300);
	clip("k2", "other", 2, 40);
	once(1, 2026, 12, 1, MIN(6, 0), "k1");
	once(2, 2026, 12, 1, MIN(6, 2), "k2");
	plan_at(L(2026, 11, 30, 8, 0));
	const struct sched_item *b = item("r2@");
	assert_int_equal(b->flags, SCHED_CONFLICT);
	assert_string_equal(b->clip, "");
	assert_non_null(strstr(b->reason, "collides with rule 1"));
}

/* ---- clips: rotation, validity, approval ---- */

static void interrupted_play_frees_the_rest_of_its_time(void **state)
{
	(void)state;
	clip("klong", "news", 1, 600);
	clip("kshort", "cchc", 2, 60);
	weekly(1, 1u << 0, MIN(6, 0), "klong");
	weekly(2, 1u << 0, MIN(6, 5), "kshort");
	/* the 10-minute 06:00 item was cut after one minute */
	char id[64];
	snprintf(id, sizeof(id), "r1@%lld", (long long)L(2026, 11, 30, 6, 0));
	struct sched_done *h = done(id, 1, "klong", "news", L(2026, 11, 30, 6, 0), "interrupted");
	h->ended_ms = L(2026, 11, 30, 6, 1);
	plan_at(L(2026, 11, 30, 6, 2));
	const struct sched_item *it = item("r2@");
	assert_int_equal(it->start_ms, L(2026, 11, 30, 6, 5));
	assert_int_equal(it->flags, 0);
}

static void campaign_rotates_least_recently_aired_first(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 60)->last_aired_ms = L(2026, 11, 20, 6, 0);
	clip("k2", "cchc", 2, 60)->last_aired_ms = L(2026, 11, 10, 6, 0);
	clip("k3", "cchc", 3, 60)->last_aired_ms = L(2026, 11, 15, 6, 0);
	weekly(1, ALL_DAYS, MIN(6, 0), "cchc");
	plan_at(L(2026, 11, 30, 0, 0));
	assert_string_equal(fx.plan.items[0].clip, "k2");
	assert_string_equal(fx.plan.items[1].clip, "k3");
	assert_string_equal(fx.plan.items[2].clip, "k1");
	assert_string_equal(fx.plan.items[3].clip, "k2");
}

static void rotation_follows_airing_order_across_fixed_and_quota_items(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 60);
	clip("k2", "cchc", 2, 60);
	/* quota Monday 17:00, weekly Tuesday 06:15: the weekly item comes
	 * second in time, so it gets the other clip */
	quota(1, "cchc", 1, ALL_DAYS, MIN(17, 0), MIN(19, 0));
	weekly(2, 1u << 1, MIN(6, 15), "cchc");
	plan_at(L(2026, 11, 30, 0, 0));
	assert_true(fx.plan.n_items >= 2);
	assert_int_equal(fx.plan.items[0].rule, 1);
	assert_int_equal(fx.plan.items[1].rule, 2);
	assert_string_equal(fx.plan.items[0].clip, "k1");
	assert_string_equal(fx.plan.items[1].clip, "k2");
}

static void rotation_never_swaps_in_a_longer_clip_that_would_overlap(void **state)
{
	(void)state;
	clip("kshort", "cchc", 1, 60);
	clip("klong", "cchc", 2, 600);
	clip("kother", "news", 3, 60);
	/* Monday: a quota window 05:00-05:30, a cchc item at 06:00 and a
	 * fixed clip at 06:05. Rotation wants the 10-minute clip at 06:00,
	 * where it would run into 06:05: the item keeps the short clip. */
	quota(1, "cchc", 1, 1u << 0, MIN(5, 0), MIN(5, 30));
	weekly(2, 1u << 0, MIN(6, 0), "cchc");
	weekly(3, 1u << 0, MIN(6, 5), "kother");
	plan_at(L(2026, 11, 29, 12, 0));
	const struct sched_item *six = item("r2@");
	assert_non_null(six);
	assert_string_equal(six->clip, "kshort");
	for (size_t i = 0; i + 1 < fx.plan.n_items; i++)
		if (!(fx.plan.items[i].flags & (SCHED_NO_CLIP | SCHED_CONFLICT)))
			assert_true(fx.plan.items[i].end_ms <= fx.plan.items[i + 1].start_ms);
}

static void rotation_ties_go_by_import_order(void **state)
{
	(void)state;
	clip("kb", "cchc", 2, 60);
	clip("ka", "cchc", 7, 60);
	clip("kc", "cchc", 1, 60);
	weekly(1, ALL_DAYS, MIN(6, 0), "cchc");
	plan_at(L(2026, 11, 30, 0, 0));
	assert_string_equal(fx.plan.items[0].clip, "kc");
	assert_string_equal(fx.plan.items[1].clip, "kb");
	assert_string_equal(fx.plan.items[2].clip, "ka");
}

static void history_counts_as_airing_for_rotation(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 60);
	clip("k2", "cchc", 2, 60);
	done("r9@1", 9, "k1", "cchc", L(2026, 11, 29, 6, 0), "complete");
	once(1, 2026, 12, 1, MIN(6, 0), "cchc");
	plan_at(L(2026, 11, 30, 0, 0));
	assert_string_equal(fx.plan.items[0].clip, "k2");
}

static void clip_outside_its_validity_dates_is_not_used(void **state)
{
	(void)state;
	struct sched_clip *k1 = clip("k1", "cchc", 1, 60);
	k1->valid_until_day = days_from_civil(2026, 11, 30);
	struct sched_clip *k2 = clip("k2", "cchc", 2, 60);
	k2->valid_from_day = days_from_civil(2026, 12, 2);
	weekly(1, ALL_DAYS, MIN(6, 0), "cchc");
	plan_at(L(2026, 11, 30, 0, 0));
	assert_string_equal(fx.plan.items[0].clip, "k1");        /* 30/11 */
	assert_int_equal(fx.plan.items[1].flags, SCHED_NO_CLIP); /* 01/12: neither */
	assert_string_equal(fx.plan.items[1].reason,
	                    "no approved clip in campaign cchc valid on 01/12/2026");
	assert_string_equal(fx.plan.items[2].clip, "k2"); /* 02/12 */
}

static void unapproved_clip_airs_only_without_require_approval(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 60)->approved = 0;
	once(1, 2026, 12, 1, MIN(6, 0), "cchc");
	plan_at(L(2026, 11, 30, 0, 0));
	assert_int_equal(fx.plan.items[0].flags, SCHED_NO_CLIP);
	fx.in.require_approval = 0;
	plan_at(L(2026, 11, 30, 0, 0));
	assert_string_equal(fx.plan.items[0].clip, "k1");
}

static void clip_rule_with_a_removed_clip_says_so(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 60)->removed = 1;
	once(1, 2026, 12, 1, MIN(6, 0), "k1");
	plan_at(L(2026, 11, 30, 0, 0));
	assert_int_equal(fx.plan.n_items, 1);
	assert_int_equal(fx.plan.items[0].flags, SCHED_NO_CLIP);
	assert_non_null(strstr(fx.plan.items[0].reason, "k1 was removed"));
}

/* ---- quotas ---- */

static void quota_goes_into_its_window(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	quota(5, "cchc", 1, ALL_DAYS, MIN(17, 0), MIN(19, 0));
	plan_at(L(2026, 11, 30, 8, 0));
	const struct sched_item *it = item("q5@2026-W49#1");
	assert_int_equal(it->start_ms, L(2026, 11, 30, 17, 0));
	assert_int_equal(it->kind, SCHED_QUOTA);
	assert_int_equal(count_items("q5@2026-W50#1"), 1);
	assert_int_equal(fx.plan.n_quotas, 3); /* the horizon ends in W51 */
	assert_int_equal(fx.plan.quotas[0].planned, 1);
	assert_int_equal(fx.plan.quotas[0].required, 1);
}

static void quota_takes_free_time_after_fixed_items(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	clip("k2", "news", 2, 600);
	weekly(1, ALL_DAYS, MIN(17, 0), "k2");
	quota(5, "cchc", 1, ALL_DAYS, MIN(17, 0), MIN(19, 0));
	plan_at(L(2026, 11, 30, 8, 0));
	assert_int_equal(item("q5@2026-W49#1")->start_ms, L(2026, 11, 30, 17, 10));
}

static void quota_window_across_midnight_belongs_to_its_start_day(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	quota(5, "cchc", 1, 1u << 6, MIN(23, 0), MIN(1, 0)); /* Sunday 23:00-01:00 */
	clip("k2", "news", 2, 3600);
	once(1, 2026, 12, 6, MIN(23, 0), "k2"); /* fills Sunday 23:00-24:00 */
	plan_at(L(2026, 11, 30, 8, 0));
	const struct sched_item *it = item("q5@2026-W49#1");
	assert_int_equal(it->start_ms, L(2026, 12, 7, 0, 0)); /* Monday 00:00, still W49 */
}

static void quota_of_two_goes_on_different_days(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	quota(5, "cchc", 2, ALL_DAYS, MIN(17, 0), MIN(19, 0));
	plan_at(L(2026, 11, 30, 8, 0));
	assert_int_equal(item("q5@2026-W49#1")->start_ms, L(2026, 11, 30, 17, 0));
	assert_int_equal(item("q5@2026-W49#2")->start_ms, L(2026, 12, 1, 17, 0));
}

static void quota_of_two_in_a_one_day_window_shares_the_day(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	quota(5, "cchc", 2, 1u << 2, MIN(17, 0), MIN(19, 0)); /* Wednesdays */
	plan_at(L(2026, 11, 30, 8, 0));
	assert_int_equal(item("q5@2026-W49#1")->start_ms, L(2026, 12, 2, 17, 0));
	assert_int_equal(item("q5@2026-W49#2")->start_ms, L(2026, 12, 2, 17, 2));
}

static void two_campaign_items_in_one_plan_rotate(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	clip("k2", "cchc", 2, 120);
	quota(5, "cchc", 2, ALL_DAYS, MIN(17, 0), MIN(19, 0));
	plan_at(L(2026, 11, 30, 8, 0));
	assert_string_equal(item("q5@2026-W49#1")->clip, "k1");
	assert_string_equal(item("q5@2026-W49#2")->clip, "k2");
}

static void quota_with_no_eligible_clip_shows_why(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120)->approved = 0;
	quota(5, "cchc", 1, ALL_DAYS, MIN(17, 0), MIN(19, 0));
	plan_at(L(2026, 11, 30, 8, 0));
	const struct sched_item *it = item("q5@2026-W49#1");
	assert_int_equal(it->flags, SCHED_NO_CLIP);
	assert_string_equal(it->reason, "no approved clip in campaign cchc valid on 30/11/2026");
	assert_int_equal(fx.plan.quotas[0].unplaceable, 1);
	/* A quota with no clip is never "missed" over and over. */
	plan_at(L(2026, 12, 3, 8, 0));
	assert_int_equal(count_events(SCHED_EV_MISSED), 0);
}

static void complete_play_from_another_rule_counts(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	quota(5, "cchc", 1, ALL_DAYS, MIN(17, 0), MIN(19, 0));
	done("q5@2026-W49#1", 5, "k1", "cchc", L(2026, 11, 30, 17, 0), "failed");
	done("r7@1", 7, "k1", "cchc", L(2026, 11, 30, 18, 0), "complete");
	plan_at(L(2026, 11, 30, 19, 0));
	assert_int_equal(count_items("q5@2026-W49#"), 0); /* met: no make-good */
	assert_int_equal(fx.plan.quotas[0].complete, 1);
}

/* ---- missed, make-goods, shortfall ---- */

static void missed_fixed_item_is_due_once(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 60);
	once(1, 2026, 11, 30, MIN(6, 0), "k1");
	plan_at(L(2026, 11, 30, 9, 0));
	assert_int_equal(count_events(SCHED_EV_MISSED), 1);
	const struct sched_event *ev = event(SCHED_EV_MISSED);
	char id[64];
	snprintf(id, sizeof(id), "r1@%lld", (long long)L(2026, 11, 30, 6, 0));
	assert_string_equal(ev->item, id);
	assert_int_equal(ev->scheduled_ms, L(2026, 11, 30, 6, 0));
	done(id, 1, "", "", L(2026, 11, 30, 6, 0), "missed");
	plan_at(L(2026, 11, 30, 9, 1));
	assert_int_equal(fx.plan.n_events, 0);
}

static void playing_item_is_neither_planned_nor_missed(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 600);
	once(1, 2026, 11, 30, MIN(6, 0), "k1");
	char id[64];
	snprintf(id, sizeof(id), "r1@%lld", (long long)L(2026, 11, 30, 6, 0));
	fx.in.playing_item = id;
	plan_at(L(2026, 11, 30, 6, 5));
	assert_int_equal(fx.plan.n_items, 0);
	assert_int_equal(fx.plan.n_events, 0);
}

static void missed_quota_attempt_gets_a_makegood(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	quota(5, "cchc", 1, ALL_DAYS, MIN(17, 0), MIN(19, 0))->created_ms = L(2026, 11, 30, 0, 0);
	plan_at(L(2026, 12, 1, 10, 0)); /* station was off Monday evening */
	const struct sched_event *ev = event(SCHED_EV_MISSED);
	assert_string_equal(ev->item, "q5@2026-W49#1");
	const struct sched_item *mg = item("q5@2026-W49#2");
	assert_string_equal(mg->makegood_of, "q5@2026-W49#1");
	assert_int_equal(mg->start_ms, L(2026, 12, 1, 17, 0));
	/* Once the miss is recorded the same make-good is planned. */
	done("q5@2026-W49#1", 5, "", "cchc", L(2026, 11, 30, 17, 0), "missed");
	plan_at(L(2026, 12, 1, 10, 1));
	assert_int_equal(fx.plan.n_events, 0);
	assert_string_equal(item("q5@2026-W49#2")->makegood_of, "q5@2026-W49#1");
}

static void a_makegood_never_reuses_a_recorded_id_after_many_failures(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 60);
	quota(5, "cchc", 1, ALL_DAYS, MIN(0, 0), MIN(23, 59))->created_ms = L(2026, 11, 30, 0, 0);
	/* 70 attempts failed on Monday: more than the planner keeps a table for */
	for (int k = 1; k <= 70; k++) {
		char id[64];
		snprintf(id, sizeof(id), "q5@2026-W49#%d", k);
		done(id, 5, "k1", "cchc", L(2026, 11, 30, 1, 0) + k * 120000, "failed");
	}
	plan_at(L(2026, 11, 30, 10, 0));
	const struct sched_item *mg = item("q5@2026-W49#");
	assert_string_equal(mg->item, "q5@2026-W49#71");
}

static void failed_quota_play_gets_a_makegood_the_same_week(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	quota(5, "cchc", 1, ALL_DAYS, MIN(17, 0), MIN(19, 0));
	done("q5@2026-W49#1", 5, "k1", "cchc", L(2026, 11, 30, 17, 0), "failed");
	plan_at(L(2026, 11, 30, 17, 3));
	const struct sched_item *mg = item("q5@2026-W49#2");
	assert_string_equal(mg->makegood_of, "q5@2026-W49#1");
	assert_int_equal(mg->start_ms, L(2026, 11, 30, 17, 3));
	assert_int_equal(count_items("q5@2026-W49#"), 1);
}

static void interrupted_makegood_gets_its_own_makegood(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	quota(5, "cchc", 1, ALL_DAYS, MIN(17, 0), MIN(19, 0));
	done("q5@2026-W49#1", 5, "k1", "cchc", L(2026, 11, 30, 17, 0), "failed");
	struct sched_done *h =
	    done("q5@2026-W49#2", 5, "k1", "cchc", L(2026, 11, 30, 17, 3), "interrupted");
	snprintf(h->makegood_of, sizeof(h->makegood_of), "q5@2026-W49#1");
	plan_at(L(2026, 11, 30, 18, 0));
	assert_int_equal(count_items("q5@2026-W49#"), 1);
	const struct sched_item *mg = item("q5@2026-W49#3");
	assert_string_equal(mg->makegood_of, "q5@2026-W49#2");
}

static void short_week_gives_one_shortfall_with_reasons(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	struct sched_rule *r = quota(5, "cchc", 2, ALL_DAYS, MIN(17, 0), MIN(19, 0));
	r->created_ms = L(2026, 11, 1, 0, 0);
	done("q5@2026-W49#1", 5, "k1", "cchc", L(2026, 11, 30, 17, 0), "complete");
	done("q5@2026-W49#2", 5, "", "cchc", L(2026, 12, 1, 17, 0), "missed");
	struct sched_done *h =
	    done("q5@2026-W49#3", 5, "k1", "cchc", L(2026, 12, 2, 17, 0), "failed");
	snprintf(h->makegood_of, sizeof(h->makegood_of), "q5@2026-W49#2");
	/* The make-good of #3 never happened: the station was off till Monday. */
	plan_at(L(2026, 12, 7, 9, 0));
	assert_int_equal(count_events(SCHED_EV_SHORTFALL), 1);
	const struct sched_event *ev = event(SCHED_EV_SHORTFALL);
	assert_string_equal(ev->item, "shortfall:q5@2026-W49");
	assert_int_equal(ev->scheduled_ms, L(2026, 12, 7, 0, 0));
	assert_string_equal(ev->detail,
	                    "week 2026-W49, campaign cchc: 1 of 2 plays: 1 missed (station off), "
	                    "1 failed");
	done("shortfall:q5@2026-W49", 5, "", "cchc", L(2026, 12, 7, 0, 0), "missed");
	plan_at(L(2026, 12, 7, 9, 1));
	assert_int_equal(count_events(SCHED_EV_SHORTFALL), 0);
}

static void shortfall_names_a_missing_clip(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120)->removed = 1;
	quota(5, "cchc", 1, ALL_DAYS, MIN(17, 0), MIN(19, 0));
	plan_at(L(2026, 12, 7, 9, 0));
	const struct sched_event *ev = event(SCHED_EV_SHORTFALL);
	assert_non_null(strstr(ev->detail, "0 of 1 plays: 1 no eligible clip"));
}

static void no_shortfall_for_a_week_before_the_rule(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	struct sched_rule *r = quota(5, "cchc", 1, ALL_DAYS, MIN(17, 0), MIN(19, 0));
	r->created_ms = L(2026, 12, 7, 8, 0);
	plan_at(L(2026, 12, 7, 9, 0));
	assert_int_equal(fx.plan.n_events, 0);
}

/* ---- calendar ---- */

static void week_53_and_the_turn_of_the_year(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	quota(5, "cchc", 1, 1u << 4, MIN(17, 0), MIN(19, 0)); /* Fridays */
	plan_at(L(2026, 12, 28, 8, 0));
	const struct sched_item *it = item("q5@2026-W53#1");
	assert_int_equal(it->start_ms, L(2027, 1, 1, 17, 0)); /* Friday 01/01/2027 */
	assert_int_equal(count_items("q5@2027-W01#1"), 1);
	assert_string_equal(fx.plan.quotas[0].week, "2026-W53");
}

static void berlin_spring_forward_0230_airs_once_at_0300(void **state)
{
	(void)state;
	tz_use("Europe/Berlin", NULL);
	clip("k1", "cchc", 1, 60);
	weekly(1, 1u << 6, MIN(2, 30), "k1"); /* Sundays */
	plan_at(L(2026, 3, 23, 0, 0));
	assert_int_equal(fx.plan.n_items, 2);
	struct ltime lt;
	time_to_local(fx.plan.items[0].start_ms, &lt);
	assert_int_equal(lt.day, 29);
	assert_int_equal(lt.hour, 3);
	assert_int_equal(lt.min, 0);
	time_to_local(fx.plan.items[1].start_ms, &lt);
	assert_int_equal(lt.day, 5);
	assert_int_equal(lt.hour * 60 + lt.min, MIN(2, 30));
}

static void new_york_fall_back_0130_airs_once_at_the_first(void **state)
{
	(void)state;
	tz_use("America/New_York", NULL);
	clip("k1", "cchc", 1, 60);
	weekly(1, 1u << 6, MIN(1, 30), "k1"); /* Sundays */
	plan_at(L(2026, 10, 26, 0, 0));
	assert_int_equal(fx.plan.n_items, 2);
	/* 01/11/2026 01:30 EDT = 05:30 UTC */
	assert_int_equal(fx.plan.items[0].start_ms,
	                 (days_from_civil(2026, 11, 1) * 24 + 5) * MS_PER_HOUR + 30 * MS_PER_MIN);
}

static void same_input_gives_the_same_plan_bytes(void **state)
{
	(void)state;
	clip("k1", "cchc", 1, 120);
	clip("k2", "cchc", 2, 90);
	weekly(1, ALL_DAYS, MIN(17, 0), "cchc");
	quota(5, "cchc", 3, ALL_DAYS, MIN(17, 0), MIN(19, 0));
	plan_at(L(2026, 11, 30, 8, 0));
	struct sched_plan a = fx.plan;
	memset(&fx.plan, 0, sizeof(fx.plan));
	plan_at(L(2026, 11, 30, 8, 0));
	assert_int_equal(a.n_items, fx.plan.n_items);
	assert_memory_equal(a.items, fx.plan.items, a.n_items * sizeof(*a.items));
	sched_plan_free(&a);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(once_rule_airs_at_its_local_time),
		T(weekly_rule_airs_on_its_days_only),
		T(once_rule_before_its_creation_never_airs_nor_misses),
		T(nothing_is_planned_in_the_past_beyond_max_late),
		T(collision_within_max_late_follows_the_first),
		T(collision_beyond_max_late_is_a_conflict),
		T(campaign_rotates_least_recently_aired_first),
		T(interrupted_play_frees_the_rest_of_its_time),
		T(rotation_follows_airing_order_across_fixed_and_quota_items),
		T(rotation_never_swaps_in_a_longer_clip_that_would_overlap),
		T(rotation_ties_go_by_import_order),
		T(history_counts_as_airing_for_rotation),
		T(clip_outside_its_validity_dates_is_not_used),
		T(unapproved_clip_airs_only_without_require_approval),
		T(clip_rule_with_a_removed_clip_says_so),
		T(quota_goes_into_its_window),
		T(quota_takes_free_time_after_fixed_items),
		T(quota_window_across_midnight_belongs_to_its_start_day),
		T(quota_of_two_goes_on_different_days),
		T(quota_of_two_in_a_one_day_window_shares_the_day),
		T(two_campaign_items_in_one_plan_rotate),
		T(quota_with_no_eligible_clip_shows_why),
		T(complete_play_from_another_rule_counts),
		T(missed_fixed_item_is_due_once),
		T(playing_item_is_neither_planned_nor_missed),
		T(missed_quota_attempt_gets_a_makegood),
		T(failed_quota_play_gets_a_makegood_the_same_week),
		T(a_makegood_never_reuses_a_recorded_id_after_many_failures),
		T(interrupted_makegood_gets_its_own_makegood),
		T(short_week_gives_one_shortfall_with_reasons),
		T(shortfall_names_a_missing_clip),
		T(no_shortfall_for_a_week_before_the_rule),
		T(week_53_and_the_turn_of_the_year),
		T(berlin_spring_forward_0230_airs_once_at_0300),
		T(new_york_fall_back_0130_airs_once_at_the_first),
		T(same_input_gives_the_same_plan_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
