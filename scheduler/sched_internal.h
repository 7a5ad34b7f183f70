/* Shared by the scheduler/ sources only: the planning context that sched_plan()
 * builds once (day table, clip indexes, recent history, busy time) and the
 * helpers the fixed-item and quota passes use. */
#ifndef AP_SCHED_INTERNAL_H
#define AP_SCHED_INTERNAL_H

#include "scheduler/sched.h"

/* One local calendar day of the planning range. */
struct sched_day {
	int64_t day;              /* days_from_civil of the local date */
	int64_t start_ms, end_ms; /* local midnight .. next local midnight (UTC ms) */
	int wday;                 /* 1 = Monday .. 7 = Sunday */
};

struct sched_span {
	int64_t start, end;
};

struct sched_ctx {
	const struct sched_input *in;
	int64_t now, max_late;
	int64_t plan_end; /* now + SCHED_HORIZON_MS */
	int64_t hist_lo;  /* start of the previous ISO week: nothing is due before it */
	/* Days from the Monday of the previous week to the Sunday of the week
	 * holding plan_end, plus one more day for windows crossing midnight. */
	struct sched_day *days;
	size_t n_days;
	const struct sched_clip **clips; /* by id */
	int64_t *aired;                  /* parallel to clips: last aired or planned start */
	int64_t *aired0;                 /* aired as the history left it */
	size_t n_clips;
	const struct sched_clip **camp; /* by (campaign, import_seq, id) */
	size_t *camp_clip;              /* camp[i] is clips[camp_clip[i]] */
	long *clip_slots;               /* open addressing: clip index + 1, 0 = empty */
	size_t clip_mask;
	const struct sched_done **hist; /* history at or after hist_lo, by item */
	size_t n_hist;
	const struct sched_rule **rules; /* by id */
	size_t n_rules;
	struct sched_span *busy; /* airing time, by start */
	size_t n_busy, cap_busy;
	int64_t busy_max_len;
	struct sched_plan *out;
	size_t cap_items, cap_events, cap_quotas;
	int oom;
};

/* Day table: index of the local day holding utc_ms, or -1. */
long sched_day_index(const struct sched_ctx *c, int64_t utc_ms);
/* UTC ms of local minute (may be >= 1440: the next day) on day index di. */
int64_t sched_local_at(const struct sched_ctx *c, size_t di, int minute);
void sched_fmt_day(int64_t day, char out[11]);

const struct sched_clip *sched_clip_find(const struct sched_ctx *c, const char *id);
/* Why a named clip cannot air on day (""/0 when it can). */
int sched_clip_unfit(const struct sched_ctx *c, const struct sched_clip *clip, const char *id,
                     int64_t day, char *why, size_t cap);
/* The campaign's rotation pick for a local day, or NULL with why. */
const struct sched_clip *sched_campaign_pick(const struct sched_ctx *c, const char *campaign,
                                             int64_t day, char *why, size_t cap);
/* A planned play of clip at t counts as airing then, for rotation. */
void sched_mark_aired(struct sched_ctx *c, const struct sched_clip *clip, int64_t t);

const struct sched_done *sched_hist_find(const struct sched_ctx *c, const char *item);
int sched_is_playing(const struct sched_ctx *c, const char *item);

void sched_busy_add(struct sched_ctx *c, int64_t start, int64_t end);
/* When a recorded play (started at start) stopped taking airtime: its end,
 * or start + the clip's length when the end is unknown. */
int64_t sched_done_end(const struct sched_done *h, const struct sched_clip *clip, int64_t start);
/* Earliest t in [from, to - dur] with [t, t + dur) free, or -1. */
int64_t sched_busy_earliest(const struct sched_ctx *c, int64_t from, int64_t to, int64_t dur);

struct sched_item *sched_add_item(struct sched_ctx *c);
struct sched_event *sched_add_event(struct sched_ctx *c);
struct sched_quota *sched_add_quota(struct sched_ctx *c);

/* A due missed event; why may be "" (then: station off or busy). */
void sched_add_missed(struct sched_ctx *c, const char *item, const struct sched_rule *r,
                      int64_t scheduled, const char *clip, const char *why);

/* The passes, in this order. */
void sched_fixed_pass(struct sched_ctx *c);
void sched_quota_pass(struct sched_ctx *c);

#endif
