/* The steps airproofd records (its proofs): crash recovery, events, the
 * write-ahead of a play and its final proof. Each function is one
 * transaction, so a crash anywhere leaves either all of a step or none of
 * it, and running the step again after a restart does it exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/aptime.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "daemon/daemon.h"
#include "playout/play.h"
#include "scheduler/sched.h"
#include "store/store.h"

static void stamp(struct proof_record *rec)
{
	rec->at = time_now_ms();
	rec->mono_ms = time_mono_ms();
	rec->clock_synced = proof_clock_synced();
}

static int event_record(struct daemon *d, const char *event, const char *detail,
                        const struct proof_index *ix, struct ap_err *e)
{
	struct proof_record rec;
	memset(&rec, 0, sizeof(rec));
	rec.kind = PROOF_EVENT;
	snprintf(rec.event, sizeof(rec.event), "%s", event);
	snprintf(rec.detail, sizeof(rec.detail), "%s", detail);
	stamp(&rec);
	return proof_append_indexed(d->st, &d->key, &rec, ix, e);
}

int d_event(struct daemon *d, const char *event, const char *detail, struct ap_err *e)
{
	int rc = store_begin(d->st, e);
	if (rc)
		return rc;
	if ((rc = event_record(d, event, detail, NULL, e)) || (rc = store_commit(d->st, e))) {
		store_rollback(d->st);
		return rc;
	}
	log_info("event %s: %s", event, detail);
	return AP_OK;
}

int d_item_event(struct daemon *d, const char *event, const struct proof_index *ix,
                 const char *detail, struct ap_err *e)
{
	int64_t seq = 0;
	int rc = store_proof_find_item(d->st, ix->item, &seq, e);
	if (rc || seq)
		return rc; /* recorded already: the plan saw it before this commit */
	if ((rc = store_begin(d->st, e)))
		return rc;
	if ((rc = event_record(d, event, detail, ix, e)) || (rc = store_commit(d->st, e))) {
		store_rollback(d->st);
		return rc;
	}
	log_info("event %s: %s", event, detail);
	return AP_OK;
}

/* The write-ahead left for an item that already has its record (its final
 * proof failed, then the item was recorded as missed, say), or one that
 * cannot be read: dropped, in the caller's transaction, so it never blocks
 * start-up or new plays. */
static int drop_pending(struct daemon *d, const char *item, const char *why, struct ap_err *e)
{
	int rc = store_pending_delete(d->st, e);
	if (rc || (rc = store_commit(d->st, e))) {
		store_rollback(d->st);
		return ap_err_prefix(e, "dropping the write-ahead of %s", item);
	}
	log_warnx("write-ahead of %s dropped: %s", item, why);
	return AP_OK;
}

int d_recover(struct daemon *d, const char *cause, struct ap_err *e)
{
	struct proof_record rec;
	char pcm_path[4200], detail[1024], item[128] = "";
	int found = 0, rc;
	int64_t seq = 0;

	/* Load inside the transaction, so two recoveries can never both see it. */
	if ((rc = store_begin(d->st, e)))
		return rc;
	if ((rc = proof_pending_load(d->st, &rec, &found, e)) && found && rc == AP_EUSER) {
		snprintf(detail, sizeof(detail), "it cannot be read (%.300s)", e->msg);
		ap_err_clear(e);
		return drop_pending(d, "the pending play", detail, e);
	}
	if (rc || !found) {
		store_rollback(d->st);
		return rc;
	}
	snprintf(item, sizeof(item), "%s", rec.item);
	if ((rc = store_proof_find_item(d->st, item, &seq, e))) {
		store_rollback(d->st);
		return rc;
	}
	if (seq) {
		snprintf(detail, sizeof(detail), "the item is already recorded (proof %lld)",
		         (long long)seq);
		return drop_pending(d, item, detail, e);
	}
	if (config_state_path(&d->cfg, "media/", pcm_path, sizeof(pcm_path)) == AP_OK)
		snprintf(pcm_path + strlen(pcm_path), sizeof(pcm_path) - strlen(pcm_path), "%s.pcm",
		         rec.clip);
	struct ap_err he = { 0 };
	snprintf(rec.status, sizeof(rec.status), "interrupted");
	snprintf(rec.error, sizeof(rec.error), "%s", cause);
	if (play_pcm_prefix_sha256(pcm_path, rec.channels, rec.frames_played, rec.pcm_sha256,
	                           &he) != AP_OK) {
		/* No digest we cannot vouch for: all zeros, and the reason. */
		log_warnx("recovering %s: %s", rec.item, he.msg);
		memset(rec.pcm_sha256, '0', SHA256_HEX_LEN);
		rec.pcm_sha256[SHA256_HEX_LEN] = '\0';
		snprintf(rec.error, sizeof(rec.error),
		         "%s; the digest of the %lld frames played is unknown (all zeros): %.120s",
		         cause, (long long)rec.frames_played, he.msg);
	}
	stamp(&rec);
	snprintf(detail, sizeof(detail),
	         "play of %s (clip %.16s) ended without its proof (%s) after %lld of %lld "
	         "frames",
	         rec.item, rec.clip, cause, (long long)rec.frames_played,
	         (long long)rec.frames_expected);
	if ((rc = proof_append(d->st, &d->key, &rec, e)) ||
	    (rc = event_record(d, "crash_recovered", detail, NULL, e)) ||
	    (rc = store_commit(d->st, e))) {
		store_rollback(d->st);
		return ap_err_prefix(e, "recovering the interrupted play");
	}
	log_warnx("%s", detail);
	return AP_OK;
}

int d_config_event(struct daemon *d, struct ap_err *e)
{
	char *text = NULL, old[80] = "", hex[SHA256_HEX_LEN + 1], detail[600];
	size_t len = 0;
	uint8_t sum[SHA256_LEN];
	if (d->cfg.path[0]) {
		if (fs_read_file(d->cfg.path, 1 << 20, &text, &len, e))
			return AP_EUSER;
	}
	sha256_buf(text ? text : "", len, sum);
	free(text);
	hex_encode(sum, SHA256_LEN, hex);
	store_meta_get(d->st, "daemon_config_sha256", old, sizeof(old), NULL);
	if (!strcmp(old, hex))
		return AP_OK;
	snprintf(detail, sizeof(detail), "config %s sha256 %s (driver %s, output %s)",
	         d->cfg.path[0] ? d->cfg.path : "(defaults)", hex, d->cfg.audio_driver,
	         d->cfg.output);
	int rc = store_begin(d->st, e);
	if (rc)
		return rc;
	if ((rc = event_record(d, "config", detail, NULL, e)) ||
	    (rc = store_meta_set(d->st, "daemon_config_sha256", hex, e)) ||
	    (rc = store_commit(d->st, e))) {
		store_rollback(d->st);
		return rc;
	}
	log_info("event config: %s", detail);
	return AP_OK;
}

int d_heartbeat(struct daemon *d, struct ap_err *e)
{
	char last[32] = "", now_s[32], detail[128];
	int64_t now = time_now_ms();
	if (store_meta_get(d->st, "daemon_heartbeat_ms", last, sizeof(last), NULL) != AP_OK) {
		snprintf(last, sizeof(last), "%lld", (long long)d->started_ms);
	}
	if (now - strtoll(last, NULL, 10) < D_HEARTBEAT_MS)
		return AP_OK;
	snprintf(now_s, sizeof(now_s), "%lld", (long long)now);
	snprintf(detail, sizeof(detail), "running since %lld", (long long)d->started_ms);
	int rc = store_begin(d->st, e);
	if (rc)
		return rc;
	if ((rc = event_record(d, "heartbeat", detail, NULL, e)) ||
	    (rc = store_meta_set(d->st, "daemon_heartbeat_ms", now_s, e)) ||
	    (rc = store_commit(d->st, e))) {
		store_rollback(d->st);
		return rc;
	}
	return AP_OK;
}

int d_play_record(struct daemon *d, const struct sched_item *it, struct proof_record *rec,
                  char render_sha[SHA256_HEX_LEN + 1], char *pcm_path, size_t pcm_cap,
                  struct ap_err *e)
{
	struct store_clip c;
	int rc = store_clip_get(d->st, it->clip, &c, e);
	if (rc)
		return rc;
	memset(rec, 0, sizeof(*rec));
	rec->kind = PROOF_PLAY;
	snprintf(rec->item, sizeof(rec->item), "%s", it->item);
	rec->rule = it->rule;
	rec->scheduled = it->scheduled_ms;
	rec->started = it->start_ms;
	rec->ended = it->start_ms;
	snprintf(rec->clip, sizeof(rec->clip), "%s", c.id);
	snprintf(rec->title, sizeof(rec->title), "%s", c.title);
	snprintf(rec->campaign, sizeof(rec->campaign), "%s", c.campaign);
	snprintf(rec->lang, sizeof(rec->lang), "%s", c.lang);
	snprintf(rec->approved_by, sizeof(rec->approved_by), "%s", c.approved_by);
	rec->frames_expected = c.frames;
	rec->rate = c.rate;
	rec->channels = c.channels;
	rec->gain_db = c.gain_db;
	rec->loudness_lufs = c.loudness_lufs + c.gain_db; /* the rendering's loudness */
	/* Nothing is played yet: the digest of no bytes, never the clip's. */
	uint8_t empty[SHA256_LEN];
	sha256_buf("", 0, empty);
	hex_encode(empty, SHA256_LEN, rec->pcm_sha256);
	snprintf(render_sha, SHA256_HEX_LEN + 1, "%s", c.render_sha256);
	snprintf(rec->driver, sizeof(rec->driver), "%s", d->cfg.audio_driver);
	snprintf(rec->output, sizeof(rec->output), "%s", d->cfg.output);
	snprintf(rec->status, sizeof(rec->status), "interrupted");
	snprintf(rec->makegood_of, sizeof(rec->makegood_of), "%s", it->makegood_of);
	if (snprintf(pcm_path, pcm_cap, "%s/media/%s.pcm", d->cfg.state_dir, c.id) >= (int)pcm_cap)
		return ap_err_user(e, "paths.state_dir is too long");
	return AP_OK;
}

int d_pending_begin(struct daemon *d, const struct proof_record *rec, struct ap_err *e)
{
	int rc = store_begin(d->st, e);
	if (rc)
		return rc;
	if ((rc = proof_pending_begin(d->st, rec, e)) || (rc = store_commit(d->st, e)))
		store_rollback(d->st);
	return rc;
}

int d_checkpoint(struct daemon *d, int64_t frames_played, struct ap_err *e)
{
	int rc = store_begin(d->st, e);
	if (rc)
		return rc;
	if ((rc = store_pending_frames(d->st, frames_played, e)) || (rc = store_commit(d->st, e)))
		store_rollback(d->st);
	return rc;
}

int d_play_done(struct daemon *d, struct proof_record *rec, const struct play_result *res,
                struct ap_err *e)
{
	snprintf(rec->status, sizeof(rec->status), "%s", play_status_name(res->status));
	snprintf(rec->error, sizeof(rec->error), "%s", res->error);
	snprintf(rec->pcm_sha256, sizeof(rec->pcm_sha256), "%s", res->pcm_sha256);
	rec->frames_played = res->frames_played;
	if (res->started_ms)
		rec->started = res->started_ms;
	rec->ended = res->ended_ms ? res->ended_ms : time_now_ms();
	stamp(rec);
	int rc = store_begin(d->st, e);
	if (rc)
		return rc;
	if ((rc = proof_append(d->st, &d->key, rec, e)) || (rc = store_commit(d->st, e))) {
		store_rollback(d->st);
		return rc;
	}
	log_info("played %s: %s, %lld/%lld frames%s%s", rec->item, rec->status,
	         (long long)rec->frames_played, (long long)rec->frames_expected,
	         rec->error[0] ? ": " : "", rec->error);
	return AP_OK;
}
