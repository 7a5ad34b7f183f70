/* airproofd's parts, shared by the daemon/ files only: start-up and options
 * (airproofd.c), the loop that waits, plans and plays (loop.c), the proofs
 * the daemon writes, one transaction per step (steps.c), and the
 * systemd/status reporting (notify.c). */
#ifndef AP_DAEMON_H
#define AP_DAEMON_H

#include <stdint.h>

#include "common/err.h"
#include "common/hash.h"
#include "config/config.h"
#include "proof/proof.h"

struct store;
struct play_out;
struct play_result;
struct sched_item;

#define D_PREPARE_MS    800   /* open the device and write ahead this early */
#define D_POLL_MS       1000  /* the longest sleep: CLI edits show within 1 s */
#define D_CHECKPOINT_MS 5000  /* frames_played checkpoint while playing */
#define D_IDLE_CLOSE_MS 5000  /* close the device after this long without audio */
#define D_STATE_MS      30000 /* daemon_state refresh when nothing changes */
#define D_HEARTBEAT_MS  (24 * 3600 * 1000LL)
#define D_RETRY_MS      1000LL /* first retry of an item nothing could record; doubles to 64 s */

struct daemon {
	const char *config_path;
	int config_required;
	struct ap_config cfg;
	struct store *st;
	struct proof_key key;
	struct play_out *out;
	char station[64];
	int lock_fd, signal_fd, timer_fd;

	/* options */
	int exit_when_idle_s; /* > 0: exit when nothing airs within this long */
	int run_for_s;        /* > 0: stop after this long */
	int no_pace;          /* benchmarks: stream as fast as the output takes it */
	const char *trace_path;

	/* state */
	int stop, reload;
	int64_t started_ms;
	int64_t data_version;
	int64_t clock_offset_us; /* realtime - monotonic, to size a clock step */
	int64_t clock_mono_ms;   /* when clock_offset_us was read */
	int64_t last_audio_mono_ms;
	int64_t last_state_mono_ms;
	int64_t watchdog_usec;
	int64_t last_watchdog_mono_ms;
	char last_error[512];
	char playing_item[128];
	char next_item[128];
	int64_t next_ms;
	int pending_stale;     /* a play's final proof failed: its write-ahead is left */
	int failures;          /* items in a row nothing could be recorded for */
	int64_t retry_mono_ms; /* no item airs before this (backoff) */
};

/* airproofd.c: what a config must pass against the running station, at
 * start-up (once the database is open) and on reload: a known time zone,
 * and station.id (if set) naming the database's station. */
int d_config_check(const struct daemon *d, const struct ap_config *cfg, struct ap_err *e);

/* loop.c */
int d_loop(struct daemon *d, struct ap_err *e);
/* Drain the signal fd: sets d->stop / d->reload. Never blocks. */
void d_poll_signals(struct daemon *d);

/* steps.c: each writes its proofs in one transaction of its own. */
/* Turn a play left pending into its interrupted proof (cause says why it
 * ended without one) and a crash_recovered event; a pending play already
 * recorded, or unreadable, is dropped with a log line. */
int d_recover(struct daemon *d, const char *cause, struct ap_err *e);
#define D_CAUSE_CRASH "power cut or crash during playout"
int d_event(struct daemon *d, const char *event, const char *detail, struct ap_err *e);
/* An event tied to an item (missed, shortfall): never recorded twice. */
int d_item_event(struct daemon *d, const char *event, const struct proof_index *ix,
                 const char *detail, struct ap_err *e);
/* Config event when the file's digest changed since the last one. */
int d_config_event(struct daemon *d, struct ap_err *e);
/* Daily heartbeat event when the last one is a day old. */
int d_heartbeat(struct daemon *d, struct ap_err *e);
/* The play's proof record (fields from the item and its clip), status
 * interrupted, nothing played yet (pcm_sha256 of no bytes): what the
 * write-ahead holds. render_sha gets the clip's rendering digest, which
 * the play must match to be complete. */
int d_play_record(struct daemon *d, const struct sched_item *it, struct proof_record *rec,
                  char render_sha[SHA256_HEX_LEN + 1], char *pcm_path, size_t pcm_cap,
                  struct ap_err *e);
int d_pending_begin(struct daemon *d, const struct proof_record *rec, struct ap_err *e);
int d_checkpoint(struct daemon *d, int64_t frames_played, struct ap_err *e);
/* The final proof (complete, failed or interrupted) from res; removes the
 * write-ahead in the same transaction. */
int d_play_done(struct daemon *d, struct proof_record *rec, const struct play_result *res,
                struct ap_err *e);

/* notify.c */
void d_notify_ready(struct daemon *d);
void d_notify_status(const char *fmt, ...) AP_PRINTF(1, 2);
void d_notify_stopping(void);
/* Watchdog ping when due. */
void d_watchdog(struct daemon *d);
/* daemon_state for 'airproof status'; writes when changed or when force. */
void d_state_update(struct daemon *d, int force);

#endif
