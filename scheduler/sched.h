/* The scheduler: rules + clips + play history + now -> the concrete plan
 * (next 14 days) and the events that are due (missed items, quota
 * shortfalls). A pure module: no I/O, no clock reads; local time is the
 * process zone set by tz_use(). Semantics: DESIGN.md "Scheduling".
 *
 * Item ids are deterministic strings, so the daemon, the history and the
 * proofs agree on what "the same item" is:
 *   fixed (once/weekly):  "r<rule>@<scheduled UTC ms>"
 *   quota play:           "q<rule>@<ISO week>#<attempt>"   e.g. q3@2026-W48#1
 *   shortfall event:      "shortfall:q<rule>@<ISO week>"
 * A make-good is a quota attempt whose makegood_of names the attempt (or
 * fixed campaign item) it replaces. */
#ifndef AP_SCHED_H
#define AP_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define SCHED_HORIZON_MS  (14 * 86400000LL)
#define SCHED_MAX_WINDOWS 8

enum sched_rule_kind { SCHED_ONCE = 1, SCHED_WEEKLY, SCHED_QUOTA };

/* days: bit 0 = Monday .. bit 6 = Sunday. [start_min, end_min) in local
 * minutes after midnight; end_min <= start_min crosses midnight. */
struct sched_window {
	unsigned days;
	int start_min, end_min;
};

struct sched_rule {
	int64_t id;
	enum sched_rule_kind kind;
	char clip[65];                       /* a clip id, or "" */
	char campaign[64];                   /* a campaign, or "" (exactly one is set) */
	int once_year, once_month, once_day; /* once */
	unsigned days;                       /* weekly */
	int minute;                          /* once, weekly: local minutes */
	int quota;                           /* quota: complete plays per ISO week */
	struct sched_window windows[SCHED_MAX_WINDOWS];
	int n_windows;
	int64_t created_ms; /* nothing is due before a rule existed */
};

struct sched_clip {
	char id[65];
	char campaign[64];
	char title[256];
	int64_t import_seq;
	int64_t duration_ms;
	int64_t valid_from_day;  /* days_from_civil of the local date; INT64_MIN = open */
	int64_t valid_until_day; /* inclusive; INT64_MAX = open */
	int approved;
	int removed;
	/* Latest started_ms of this clip in ALL history (0 = never aired), so
	 * rotation sees further back than the history window. */
	int64_t last_aired_ms;
};

/* What happened to an item (from the proofs). status: complete,
 * interrupted, failed, missed. */
struct sched_done {
	char item[128];
	int64_t rule;
	char clip[65];
	char campaign[64];
	int64_t scheduled_ms;
	int64_t started_ms; /* 0 when it never started (missed) */
	int64_t ended_ms;   /* 0 when unknown; an interrupted play ends early */
	char status[16];
	char makegood_of[128];
};

struct sched_input {
	const struct sched_rule *rules;
	size_t n_rules;
	const struct sched_clip *clips;
	size_t n_clips;
	const struct sched_done *history; /* at least the current and previous ISO week */
	size_t n_history;
	int64_t now_ms;
	int64_t max_late_ms;
	int require_approval;
	const char *playing_item; /* being played now (not yet in history), or NULL */
};

enum sched_flag {
	SCHED_NO_CLIP = 1,  /* no eligible clip: reason says why; nothing airs */
	SCHED_CONFLICT = 2, /* a fixed item collides with another beyond max_late */
	SCHED_DELAYED = 4,  /* a fixed item follows a colliding one, within max_late */
};

struct sched_item {
	char item[128];
	int64_t rule;
	enum sched_rule_kind kind;
	int64_t scheduled_ms; /* the rule's time (or the quota slot) */
	int64_t start_ms;     /* when it will start (>= scheduled_ms) */
	int64_t end_ms;
	char clip[65]; /* "" when SCHED_NO_CLIP */
	char campaign[64];
	char makegood_of[128];
	unsigned flags;
	char reason[160];
};

enum sched_event_kind { SCHED_EV_MISSED = 1, SCHED_EV_SHORTFALL };

struct sched_event {
	enum sched_event_kind kind;
	char item[128]; /* the missed item, or the shortfall id */
	int64_t rule;
	int64_t scheduled_ms; /* missed: its time; shortfall: the week's end */
	char campaign[64];
	char clip[65];
	char detail[512]; /* why, in words */
};

/* One quota rule in one ISO week that the plan touches. */
struct sched_quota {
	int64_t rule;
	char week[16]; /* "2026-W49" */
	int64_t week_start_ms, week_end_ms;
	char campaign[64];
	int required;    /* N */
	int complete;    /* complete plays of the campaign inside the windows so far */
	int planned;     /* attempts placed and still to air (also past the horizon) */
	int unplaceable; /* attempts with no eligible clip or no free window time */
};

struct sched_plan {
	/* Ordered by (start_ms, item). Items that air never overlap; items
	 * flagged SCHED_NO_CLIP or SCHED_CONFLICT do not air and occupy no
	 * time. */
	struct sched_item *items;
	size_t n_items;
	struct sched_event *events; /* due now, not yet in history; by (time, item) */
	size_t n_events;
	struct sched_quota *quotas; /* by (week, rule), weeks that meet the horizon */
	size_t n_quotas;
};

/* Compute the plan for [now, now + SCHED_HORIZON_MS) and the due events.
 * The caller frees with sched_plan_free. Same input, same output, byte for
 * byte. */
int sched_plan(const struct sched_input *in, struct sched_plan *out, struct ap_err *e);
void sched_plan_free(struct sched_plan *p);

/* For people (scheduler/describe.c): "Mon", "daily", "Mon-Fri", "Mon,Wed,Fri";
 * a rule's timing ("weekly Mon-Fri 06:15", "once 01/12/2026 06:15",
 * "1/week in daily 17:00-19:00"); and the parsers behind them, which accept
 * English (mon, monday) and Vietnamese (t2..t7, cn) day names, ranges
 * (mon-fri, t2-t6), daily/weekdays/weekend. */
const char *sched_day_name(int wday); /* 1 = Monday */
void sched_days_fmt(unsigned days, char *out, size_t cap);
void sched_rule_fmt(const struct sched_rule *r, char *out, size_t cap);
int sched_days_parse(const char *s, unsigned *days, struct ap_err *e);
/* "DAYS HH:MM-HH:MM" (DAYS optional: daily). End 24:00 allowed; an end
 * before the start crosses midnight; equal start and end is refused. */
int sched_window_parse(const char *s, struct sched_window *w, struct ap_err *e);

#endif
