/* The daemon's loop: plan, record due events, sleep to an absolute
 * CLOCK_REALTIME deadline (timerfd, cancelled when the wall clock steps),
 * wake at least every second to notice CLI edits (PRAGMA data_version),
 * prepare the next item a little early and start it on time. Signals come
 * through a signalfd, so no work happens in a handler. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "common/aptime.h"
#include "common/hash.h"
#include "daemon/daemon.h"
#include "playout/play.h"
#include "scheduler/sched.h"
#include "store/store.h"

#define REPLAN_MS 30000 /* due events (missed, shortfall) show within this */

void d_poll_signals(struct daemon *d)
{
	struct signalfd_siginfo si;
	while (read(d->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			d->reload = 1;
		else
			d->stop = 1;
	}
}

/* A step while we sleep reaches us through the timer (the kernel cancels
 * it); one while we play shows as a jump in realtime - monotonic bigger
 * than NTP's slewing (at most 500 ppm) could have made since the last look. */
#define STEP_MIN_US   100000
#define SLEW_US_PER_S 500

static int64_t clock_offset_us(void)
{
	struct timespec r, m;
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000 + (r.tv_nsec - m.tv_nsec) / 1000;
}

static void clock_reset(struct daemon *d)
{
	d->clock_offset_us = clock_offset_us();
	d->clock_mono_ms = time_mono_ms();
}

/* Records a clock_step event when the kernel told us of a step (told) or
 * the offset jumped. Returns 1 when a step was recorded. */
static int clock_check(struct daemon *d, int told)
{
	int64_t off = clock_offset_us(), mono = time_mono_ms();
	int64_t step = off - d->clock_offset_us;
	int64_t slew = SLEW_US_PER_S * (mono - d->clock_mono_ms) / 1000;
	d->clock_offset_us = off;
	d->clock_mono_ms = mono;
	if (!told && (step < 0 ? -step : step) <= STEP_MIN_US + slew)
		return 0;
	char detail[160];
	struct ap_err e = { 0 };
	snprintf(detail, sizeof(detail), "wall clock stepped by %+.3f ms", (double)step / 1000.0);
	if (d_event(d, "clock_step", detail, &e))
		log_warnx("%s", e.msg);
	return 1;
}

static void arm_timer(struct daemon *d, int64_t deadline_ms)
{
	struct itimerspec its;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(deadline_ms / 1000);
	its.it_value.tv_nsec = (long)(deadline_ms % 1000) * 1000000L;
	if (timerfd_settime(d->timer_fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL) !=
	    0)
		log_warn("timerfd_settime");
}

/* Sleep until deadline_ms (wall clock) or at most D_POLL_MS. Returns 1 when
 * the wall clock stepped (recorded as a clock_step event). */
static int wait_until(struct daemon *d, int64_t deadline_ms)
{
	struct pollfd pf[2] = { { d->signal_fd, POLLIN, 0 }, { d->timer_fd, POLLIN, 0 } };
	arm_timer(d, deadline_ms);
	int timeout = D_POLL_MS;
	if (d->watchdog_usec > 0 && d->watchdog_usec / 2000 < timeout)
		timeout = (int)(d->watchdog_usec / 2000);
	if (poll(pf, 2, timeout) < 0 && errno != EINTR)
		log_warn("poll");
	if (pf[1].revents & POLLIN) {
		uint64_t ticks;
		if (read(d->timer_fd, &ticks, sizeof(ticks)) < 0 && errno == ECANCELED)
			return clock_check(d, 1);
	}
	return 0;
}

/* Make the plan from what the database holds now. */
static int make_plan(struct daemon *d, struct sched_plan *plan, struct ap_err *e)
{
	struct store_sched_data si;
	int rc = store_sched_load(d->st, time_now_ms(), &si, e);
	if (rc)
		return rc;
	struct sched_input in = {
		.rules = si.rules,
		.n_rules = si.n_rules,
		.clips = si.clips,
		.n_clips = si.n_clips,
		.history = si.history,
		.n_history = si.n_history,
		.now_ms = time_now_ms(),
		.max_late_ms = d->cfg.max_late_s * 1000LL,
		.require_approval = d->cfg.require_approval,
		.playing_item = NULL,
	};
	rc = sched_plan(&in, plan, e);
	store_sched_free(&si);
	return rc;
}

static void record_due_events(struct daemon *d, const struct sched_plan *plan)
{
	for (size_t i = 0; i < plan->n_events; i++) {
		const struct sched_event *ev = &plan->events[i];
		struct proof_index ix;
		struct ap_err e = { 0 };
		memset(&ix, 0, sizeof(ix));
		snprintf(ix.item, sizeof(ix.item), "%s", ev->item);
		ix.rule = ev->rule;
		ix.scheduled_ms = ev->scheduled_ms;
		snprintf(ix.clip, sizeof(ix.clip), "%s", ev->clip);
		snprintf(ix.campaign, sizeof(ix.campaign), "%s", ev->campaign);
		const char *name = ev->kind == SCHED_EV_MISSED ? "missed" : "shortfall";
		if (ev->kind == SCHED_EV_MISSED)
			snprintf(ix.status, sizeof(ix.status), "missed");
		if (d_item_event(d, name, &ix, ev->detail, &e))
			log_warnx("%s event for %s not recorded: %s", name, ev->item, e.msg);
	}
}

static const struct sched_item *next_item(const struct sched_plan *plan)
{
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sched_item *it = &plan->items[i];
		if (!(it->flags & (SCHED_NO_CLIP | SCHED_CONFLICT)) && it->clip[0])
			return &plan->items[i];
	}
	return NULL;
}

struct air_ctx {
	struct daemon *d;
	int64_t last_checkpoint_mono;
};

static int air_tick(void *arg, int64_t frames_played)
{
	struct air_ctx *a = arg;
	struct daemon *d = a->d;
	d_poll_signals(d);
	if (d->stop)
		return 1;
	int64_t now = time_mono_ms();
	if (frames_played > 0 && now - a->last_checkpoint_mono >= D_CHECKPOINT_MS) {
		struct ap_err e = { 0 };
		if (d_checkpoint(d, frames_played, &e))
			log_warnx("checkpoint: %s", e.msg);
		a->last_checkpoint_mono = now;
	}
	d_watchdog(d);
	return 0;
}

static void trace(struct daemon *d, const char *item, int64_t start_ms, int64_t late_us)
{
	if (!d->trace_path)
		return;
	FILE *f = fopen(d->trace_path, "a");
	if (!f)
		return;
	fprintf(f, "%s %lld %lld\n", item, (long long)start_ms, (long long)late_us);
	fclose(f);
}

/* Record the final proof; the write-ahead stays until this succeeds, so a
 * database that refuses for good turns into an interrupted proof on
 * restart rather than a lost play. */
static int finish_play(struct daemon *d, struct proof_record *rec, const struct play_result *res)
{
	struct ap_err e = { 0 };
	for (int attempt = 0; attempt < 5; attempt++) {
		if (d_play_done(d, rec, res, &e) == AP_OK)
			return AP_OK;
		log_warnx("proof for %s not recorded yet: %s", rec->item, e.msg);
		usleep(200000);
	}
	snprintf(d->last_error, sizeof(d->last_error), "%s", e.msg);
	d->pending_stale = 1;
	return AP_EINTERNAL;
}

/* A play that never started still ends as a record saying why: a failed
 * proof when one can be made, else (the clip's fields cannot be encoded,
 * say) a missed event naming the reason. AP_OK when one was recorded. */
static int record_not_played(struct daemon *d, const struct sched_item *it,
                             struct proof_record *rec, const char *why)
{
	struct ap_err e = { 0 };
	if (rec) {
		struct play_result res;
		uint8_t empty[SHA256_LEN];
		memset(&res, 0, sizeof(res));
		res.status = PLAY_FAILED;
		snprintf(res.error, sizeof(res.error), "not played: %s", why);
		sha256_buf("", 0, empty);
		hex_encode(empty, SHA256_LEN, res.pcm_sha256);
		rec->started = time_now_ms();
		if (d_play_done(d, rec, &res, &e) == AP_OK)
			return AP_OK;
		log_warnx("%s: no failed proof either: %s", it->item, e.msg);
	}
	struct proof_index ix;
	char when[17], detail[1024];
	memset(&ix, 0, sizeof(ix));
	snprintf(ix.item, sizeof(ix.item), "%s", it->item);
	ix.rule = it->rule;
	ix.scheduled_ms = it->scheduled_ms;
	snprintf(ix.clip, sizeof(ix.clip), "%s", it->clip);
	snprintf(ix.campaign, sizeof(ix.campaign), "%s", it->campaign);
	snprintf(ix.status, sizeof(ix.status), "missed");
	time_fmt_datetime(it->scheduled_ms, when);
	const char *also = !rec                 ? ""
	                   : strstr(why, e.msg) ? "; nor a proof of it, for that reason"
	                                        : e.msg;
	snprintf(detail, sizeof(detail), "item %s scheduled %s did not play: %s%s%s", it->item,
	         when, why, rec && also == e.msg ? "; no proof of the play could be made: " : "",
	         also);
	struct ap_err me = { 0 };
	if (d_item_event(d, "missed", &ix, detail, &me) == AP_OK)
		return AP_OK;
	log_warnx("%s: not recorded at all: %s", it->item, me.msg);
	return AP_EINTERNAL;
}

/* Prepare, write ahead, start on time, record. AP_OK when it played (or
 * we are stopping); AP_EUSER when it failed and its failure is recorded;
 * AP_EINTERNAL when nothing could be recorded. The loop backs off on
 * failures in a row, so a failing item (and its make-goods) never spins. */
static int air(struct daemon *d, const struct sched_item *it)
{
	struct proof_record rec;
	struct play_result res;
	struct play *p = NULL;
	char pcm[4200], render_sha[SHA256_HEX_LEN + 1], why[600];
	struct ap_err e = { 0 };
	struct air_ctx ctx = { d, time_mono_ms() };
	int64_t max_late = d->cfg.max_late_s * 1000LL;
	int rc = AP_OK;

	/* A write-ahead left by a play whose proof failed would refuse every
	 * new one: settle it first (interrupted proof, or dropped). */
	if (d->pending_stale) {
		if (d_recover(d, "its final proof could not be recorded at the time", &e)) {
			log_warnx("%s: the last play is still pending: %s", it->item, e.msg);
			return AP_EINTERNAL;
		}
		d->pending_stale = 0;
	}
	int64_t seq = 0;
	if (store_proof_find_item(d->st, it->item, &seq, &e) || seq) {
		/* A plan naming a recorded item would air it twice. */
		if (seq)
			log_warnx("%s: the plan names an item already recorded (proof %lld): not "
			          "airing it",
			          it->item, (long long)seq);
		else
			log_warnx("%s: %s", it->item, e.msg);
		return AP_EINTERNAL;
	}
	if (d_play_record(d, it, &rec, render_sha, pcm, sizeof(pcm), &e)) {
		log_warnx("%s: %s", it->item, e.msg);
		snprintf(d->last_error, sizeof(d->last_error), "%s", e.msg);
		snprintf(why, sizeof(why), "its clip cannot be read: %s", e.msg);
		return record_not_played(d, it, NULL, why) ? AP_EINTERNAL : AP_EUSER;
	}
	struct play_request req = {
		.pcm_path = pcm,
		.rate = rec.rate,
		.channels = rec.channels,
		.frames_expected = rec.frames_expected,
		.render_sha256 = render_sha,
		.pace = !d->no_pace,
		.open_deadline_ms = it->scheduled_ms + max_late,
		.tick = air_tick,
		.tick_arg = &ctx,
	};
	snprintf(d->playing_item, sizeof(d->playing_item), "%s", it->item);
	if (play_prepare(d->out, &req, &p, &res, &e) != AP_OK) {
		if (res.status == PLAY_INTERRUPTED) /* stopping before it began */
			goto out;
		rec.started = time_now_ms();
		snprintf(d->last_error, sizeof(d->last_error), "%s", res.error);
		if ((rc = finish_play(d, &rec, &res)) == AP_OK)
			rc = AP_EUSER; /* recorded, but failed */
		goto out;
	}
	int64_t start = it->start_ms;
	if (start < time_now_ms())
		start = time_now_ms();
	if (start > it->scheduled_ms + max_late) {
		log_warnx("%s: cannot start within max_late; left as missed", it->item);
		goto out;
	}
	rec.started = start;
	if (d_pending_begin(d, &rec, &e)) {
		log_warnx("%s: write-ahead failed, not playing: %s", it->item, e.msg);
		snprintf(d->last_error, sizeof(d->last_error), "%s", e.msg);
		snprintf(why, sizeof(why), "its write-ahead failed: %s", e.msg);
		if ((rc = record_not_played(d, it, &rec, why)) == AP_OK)
			rc = AP_EUSER;
		goto out;
	}
	d_notify_status("playing %s (%s)", rec.title, it->item);
	d_state_update(d, 1);
	play_run(p, start, &res);
	d->last_audio_mono_ms = time_mono_ms();
	/* Against the plan's start, so time lost preparing counts too. */
	int64_t late_us = res.start_late_us + (start - it->start_ms) * 1000;
	trace(d, it->item, it->start_ms, late_us);
	log_debug("%s started %lld us after its time", it->item, (long long)late_us);
	rc = finish_play(d, &rec, &res);
	if (res.status == PLAY_FAILED)
		snprintf(d->last_error, sizeof(d->last_error), "%s", res.error);
	if (rc == AP_OK && res.status == PLAY_FAILED)
		rc = AP_EUSER;
out:
	play_destroy(p);
	d->playing_item[0] = '\0';
	return rc;
}

/* SIGHUP: the same checks as start-up. A new time zone applies; a config
 * naming another station or another state folder (another database and
 * media store, under a lock we do not hold) is refused whole, keeping the
 * running one: that needs a restart. */
static int reload(struct daemon *d)
{
	struct ap_config cfg;
	struct ap_err e = { 0 };
	d->reload = 0;
	if (config_load(config_resolve_path(d->config_path), d->config_required, &cfg, &e) ||
	    d_config_check(d, &cfg, &e)) {
		log_error("reload refused, keeping the running config: %s", e.msg);
		return AP_OK;
	}
	if (strcmp(cfg.state_dir, d->cfg.state_dir) != 0) {
		log_error("reload refused, keeping the running config: %s: paths.state_dir "
		          "changed from %s to %s; restart airproofd to move the station",
		          cfg.path[0] ? cfg.path : "(defaults)", d->cfg.state_dir, cfg.state_dir);
		return AP_OK;
	}
	struct play_out *out;
	if (play_out_ao_create(&cfg, &out, &e)) {
		log_error("reload refused, keeping the running config: %s", e.msg);
		return AP_OK;
	}
	if (tz_use(cfg.timezone, &e)) { /* checked above; cannot fail */
		play_out_destroy(out);
		log_error("reload refused, keeping the running config: %s", e.msg);
		return AP_OK;
	}
	play_out_destroy(d->out);
	d->out = out;
	if (strcmp(cfg.timezone, d->cfg.timezone) != 0)
		log_info("time zone now %s (was %s)", cfg.timezone, d->cfg.timezone);
	d->cfg = cfg;
	log_info("config reloaded from %s", cfg.path[0] ? cfg.path : "(defaults)");
	if (d_config_event(d, &e))
		log_warnx("%s", e.msg);
	return AP_OK;
}

int d_loop(struct daemon *d, struct ap_err *e)
{
	struct sched_plan plan = { 0 };
	int64_t planned_mono = 0, start_mono = time_mono_ms();
	int replan = 1;

	clock_reset(d);
	for (;;) {
		d_poll_signals(d);
		if (d->stop)
			break;
		if (clock_check(d, 0))
			replan = 1;
		if (d->reload) {
			reload(d);
			replan = 1;
		}
		int64_t dv = store_data_version(d->st);
		if (dv != d->data_version) {
			d->data_version = dv;
			replan = 1;
		}
		if (replan || time_mono_ms() - planned_mono >= REPLAN_MS) {
			sched_plan_free(&plan);
			memset(&plan, 0, sizeof(plan));
			if (make_plan(d, &plan, e)) {
				log_error("plan: %s", e->msg);
				snprintf(d->last_error, sizeof(d->last_error), "%s", e->msg);
			}
			record_due_events(d, &plan);
			/* our own commits bump nothing for us; note the version now */
			d->data_version = store_data_version(d->st);
			planned_mono = time_mono_ms();
			replan = 0;
		}
		if (d_heartbeat(d, e))
			log_warnx("heartbeat: %s", e->msg);

		const struct sched_item *it = next_item(&plan);
		int64_t now = time_now_ms();
		d->next_item[0] = '\0';
		d->next_ms = 0;
		if (it) {
			snprintf(d->next_item, sizeof(d->next_item), "%s", it->item);
			d->next_ms = it->start_ms;
		}
		if (d->run_for_s > 0 && time_mono_ms() - start_mono >= d->run_for_s * 1000LL)
			break;
		if (d->exit_when_idle_s > 0 &&
		    (!it || it->start_ms - now > d->exit_when_idle_s * 1000LL)) {
			log_info("nothing to air within %d s: exiting", d->exit_when_idle_s);
			break;
		}
		int64_t backoff_ms = d->retry_mono_ms - time_mono_ms();
		if (it && now >= it->start_ms - D_PREPARE_MS && backoff_ms <= 0) {
			int arc = air(d, it);
			if (arc == AP_OK) {
				d->failures = 0;
			} else if (arc == AP_EINTERNAL || ++d->failures > 1) {
				/* Nothing recorded, or failures in a row: wait before
				 * the next try, 1 s doubling to 64 s, never at once. */
				int n = d->failures > 1 ? d->failures - 1 : 0;
				int64_t wait = D_RETRY_MS << (n < 6 ? n : 6);
				if (arc == AP_EINTERNAL)
					d->failures++;
				d->retry_mono_ms = time_mono_ms() + wait;
				log_warnx("%s did not air: next try in %lld s", it->item,
				          (long long)wait / 1000);
			}
			replan = 1;
			continue;
		}
		if (d->out->is_open && time_mono_ms() - d->last_audio_mono_ms >= D_IDLE_CLOSE_MS)
			play_out_close(d->out);
		if (it) {
			char when[20];
			time_fmt_datetime_s(it->start_ms, when);
			d_notify_status("idle, next: %s at %s", it->item, when);
		} else {
			d_notify_status("idle, nothing planned");
		}
		d_state_update(d, 0);
		d_watchdog(d);
		int64_t deadline = it ? it->start_ms - D_PREPARE_MS : now + D_POLL_MS;
		if (it && backoff_ms > 0 && deadline < now + backoff_ms)
			deadline = now + backoff_ms;
		if (wait_until(d, deadline))
			replan = 1;
	}
	sched_plan_free(&plan);
	ap_err_clear(e);
	return AP_OK;
}
