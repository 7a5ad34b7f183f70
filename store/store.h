/* SQLite state: the only place with SQL. Every connection runs in WAL mode
 * with synchronous=FULL, foreign keys, recursive triggers (so INSERT OR
 * REPLACE cannot get round the append-only triggers) and a busy timeout, so
 * the CLI and the daemon share one database. Every write runs inside
 * store_begin/store_commit (BEGIN IMMEDIATE). Schemas migrate by
 * PRAGMA user_version, each step in the transaction that bumps it.
 *
 * The header is in sections, one per domain; each domain's queries live in
 * store/<domain>.c. */
#ifndef AP_STORE_H
#define AP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "scheduler/sched.h" /* plain types: the rules section loads them */

struct store;

enum store_kind { STORE_STATION, STORE_HUB };

/* ---- core (store/store.c) ---- */

/* Opens (creating when create is set) and migrates. The caller owns *out
 * and frees it with store_close. */
int store_open(const char *path, enum store_kind kind, int create, struct store **out,
               struct ap_err *e);
void store_close(struct store *st);
int store_begin(struct store *st, struct ap_err *e); /* BEGIN IMMEDIATE */
int store_commit(struct store *st, struct ap_err *e);
void store_rollback(struct store *st);
/* Changes whenever another connection commits (PRAGMA data_version). */
int64_t store_data_version(struct store *st);
int store_schema_version(struct store *st);

/* Small key/value facts (station id, name, level, created). Values are
 * copied into out (NUL-terminated); AP_EUSER when absent. */
int store_meta_get(struct store *st, const char *key, char *out, size_t cap, struct ap_err *e);
/* Inside a transaction. */
int store_meta_set(struct store *st, const char *key, const char *value, struct ap_err *e);

/* ---- clips (store/clips.c) ---- */

/* One row of the clip library. Text fields are "" and numbers 0 when absent
 * (valid_from/until, approved_by/ms, removed_ms). loudness_lufs and
 * true_peak_dbtp are measured on the source (after channel mapping); the
 * rendering's loudness is loudness_lufs + gain_db. */
struct store_clip {
	char id[65];
	int64_t import_seq;
	char title[256];
	char campaign[64];
	char lang[16];
	char source_name[256];
	char source_format[32];
	int64_t source_bytes;
	int source_rate, source_channels;
	int64_t source_frames;
	int rate, channels;
	int64_t frames;
	char render_sha256[65];
	double loudness_lufs, true_peak_dbtp, gain_db;
	char valid_from[11], valid_until[11]; /* local YYYY-MM-DD, inclusive */
	char approved_by[128];
	int64_t approved_ms;
	int64_t added_ms;
	int64_t removed_ms;
};

/* Inside a transaction. Assigns the next import_seq into c->import_seq. */
int store_clip_insert(struct store *st, struct store_clip *c, struct ap_err *e);
/* Inside a transaction: a removed clip's row (same id) gets fresh metadata
 * and rendering facts, its approval cleared and removed_ms unset. */
int store_clip_restore(struct store *st, const struct store_clip *c, struct ap_err *e);
/* By full id or a unique prefix of >= 8 hex digits (removed clips too).
 * AP_EUSER when none or several match. */
int store_clip_get(struct store *st, const char *id_or_prefix, struct store_clip *out,
                   struct ap_err *e);
/* 1 when a row with exactly this id exists (removed or not), 0 when not,
 * or a negative error. removed_ms is copied out when not NULL. */
int store_clip_exists(struct store *st, const char *id, int64_t *removed_ms, struct ap_err *e);
/* Clips in import order, optionally one campaign, optionally with removed
 * ones. *out is malloc'd (caller frees; NULL when *n is 0). */
int store_clip_list(struct store *st, const char *campaign, int include_removed,
                    struct store_clip **out, size_t *n, struct ap_err *e);
/* Inside a transaction. */
int store_clip_approve(struct store *st, const char *id, const char *by, int64_t at_ms,
                       struct ap_err *e);
/* Inside a transaction: deletes the row, or, when a proof or a rule refers
 * to the clip, keeps it with removed_ms set (*kept = 1). */
int store_clip_remove(struct store *st, const char *id, int64_t now_ms, int *kept,
                      struct ap_err *e);

/* ---- rules (store/rules.c) ---- */

/* A stored rule: the scheduler's view plus what only people read. */
struct store_rule {
	struct sched_rule r;
	char label[128];
	int64_t removed_ms; /* 0 while active */
};

/* Insert r (and its windows) in one transaction; sets r->id. */
int store_rule_add(struct store *st, struct sched_rule *r, const char *label, struct ap_err *e);
/* Rules by id (removed ones too when with_removed). The caller frees
 * *out with store_rules_free. */
int store_rules_list(struct store *st, int with_removed, struct store_rule **out, size_t *n,
                     struct ap_err *e);
void store_rules_free(struct store_rule *list);
/* Mark an active rule removed at now; AP_EUSER when there is none. */
int store_rule_remove(struct store *st, int64_t id, int64_t now, struct ap_err *e);
/* The full id of the one not-removed clip whose id starts with prefix
 * (>= 4 hex characters); AP_EUSER when none or several. */
int store_rule_clip_resolve(struct store *st, const char *prefix, char out[65], struct ap_err *e);
/* How many not-removed clips a campaign has. */
int store_campaign_clip_count(struct store *st, const char *campaign, int *n, struct ap_err *e);

/* Everything sched_plan() needs at now: active rules, every clip (with
 * its last airing), and the play/missed/shortfall history since the start
 * of the previous ISO week. Arrays are owned by d; free with
 * store_sched_free. */
struct store_sched_data {
	struct sched_rule *rules;
	size_t n_rules;
	struct sched_clip *clips;
	size_t n_clips;
	struct sched_done *history;
	size_t n_history;
};
int store_sched_load(struct store *st, int64_t now, struct store_sched_data *d, struct ap_err *e);
void store_sched_free(struct store_sched_data *d);

/* ---- proofs, pending play, daemon state (store/proofs.c) ---- */

/* Integer columns read as 0 when NULL and are written as NULL when 0 (no
 * rule, no time); text columns likewise with "". */
struct store_proof {
	int64_t seq;
	const char *payload; /* the signed bytes; see the owner notes below */
	size_t payload_len;
	uint8_t sig[64];
	uint8_t hash[32];
	char kind[8]; /* play | event */
	int64_t at_ms;
	char event[32];
	char item[128];
	int64_t rule_id;
	char clip[65];
	char campaign[64];
	int64_t scheduled_ms, started_ms, ended_ms;
	char status[16]; /* complete interrupted failed, or missed for a missed event */
	char makegood_of[128];
};

/* The chain head: the last seq (0 when empty) and its hash (zeros). */
int store_proof_head(struct store *st, int64_t *seq, uint8_t hash[32], struct ap_err *e);
/* Inside a transaction. AP_EUSER "already recorded" when p->item is. */
int store_proof_insert(struct store *st, const struct store_proof *p, struct ap_err *e);
/* The seq recording item, or 0 when none does. */
int store_proof_find_item(struct store *st, const char *item, int64_t *seq, struct ap_err *e);
/* Calls fn for each proof with seq >= from_seq, in seq order; p (and its
 * payload) is valid only during the call. A non-zero return from fn stops
 * the walk and is returned. */
typedef int (*store_proof_fn)(const struct store_proof *p, void *arg);
int store_proofs_each(struct store *st, int64_t from_seq, store_proof_fn fn, void *arg,
                      struct ap_err *e);
/* The as-played log of [from_ms, to_ms): plays by start (or scheduled time),
 * missed events by scheduled time, shortfall events whose week ends in
 * (from_ms, to_ms]; ordered by that time, then seq. */
int store_proofs_log(struct store *st, int64_t from_ms, int64_t to_ms, store_proof_fn fn, void *arg,
                     struct ap_err *e);

/* Proof counts for 'status'; the acknowledgement itself is read with
 * store_sync_get (sync section). */
struct store_sync_view {
	int64_t total;    /* proofs recorded */
	int64_t unsynced; /* seq >= next_seq */
};
int store_proofs_sync_view(struct store *st, struct store_sync_view *out, struct ap_err *e);

/* The play in progress, written ahead of its first frame (one row at
 * most). info is opaque text to the store; proof/recorder.c keeps the
 * play's proof record in it (proof_pending_begin / proof_pending_load), and
 * proof_append of the same item deletes the row in the same transaction.
 * All writes inside a transaction. */
/* AP_EINTERNAL when a play is pending already: recover that one first. */
int store_pending_put(struct store *st, const char *item, const char *info, struct ap_err *e);
/* Checkpoint while playing. AP_EINTERNAL when nothing is pending. */
int store_pending_frames(struct store *st, int64_t frames_played, struct ap_err *e);
/* *found = 0 when nothing is pending. *info is malloc'd (caller frees). */
int store_pending_get(struct store *st, int *found, char *item, size_t item_cap, char **info,
                      int64_t *frames_played, struct ap_err *e);
int store_pending_delete(struct store *st, struct ap_err *e);

/* What the daemon is doing, for 'airproof status'. Text "" = NULL. */
struct store_daemon_state {
	int64_t pid;
	int64_t started_ms, updated_ms;
	char playing_item[128];
	char next_item[128];
	int64_t next_ms;
	char last_error[512];
};
/* Inside a transaction; replaces the whole row. */
int store_daemon_state_set(struct store *st, const struct store_daemon_state *ds, struct ap_err *e);
/* *found = 0 when the daemon never wrote it (ds is zeroed). */
int store_daemon_state_get(struct store *st, struct store_daemon_state *ds, int *found,
                           struct ap_err *e);
/* True while a transaction is open on st (proof_append checks it). */
int store_proofs_in_tx(struct store *st);

/* ---- sync state (store/sync.c) ---- */

/* The hub's acknowledgement: proofs with seq < next_seq are synced; head
 * is the hub's hash of seq next_seq - 1. */
struct store_sync_state {
	int64_t next_seq;
	char head[65]; /* "" until the hub first answered */
	int64_t last_attempt_ms, last_ok_ms;
	char last_result[256];
};
int store_sync_get(struct store *st, struct store_sync_state *out, struct ap_err *e);
/* Inside a transaction: the hub answered. Sets next_seq, head, last_ok_ms
 * and last_attempt_ms to now_ms, and last_result. */
int store_sync_ack(struct store *st, int64_t next_seq, const char *head, int64_t now_ms,
                   const char *result, struct ap_err *e);
/* Inside a transaction: an attempt that ended without (or with a refused)
 * answer; the acknowledgement stays as it was. */
int store_sync_attempt(struct store *st, int64_t now_ms, const char *result, struct ap_err *e);

/* ---- hub (store/hub.c) ---- */

struct store_hub_station {
	char id[64];
	char name[256];
	char group[64];
	char pubkey[65]; /* lowercase hex */
	int64_t next_seq;
	char head[65];        /* lowercase hex */
	int64_t last_seen_ms; /* 0: never */
	int64_t proofs;       /* filled by store_hub_station_list */
};

/* Inside a transaction. AP_EUSER when the id is enrolled already. */
int store_hub_station_add(struct store *st, const struct store_hub_station *s, int64_t now_ms,
                          struct ap_err *e);
/* AP_EUSER when the station is not enrolled. */
int store_hub_station_get(struct store *st, const char *id, struct store_hub_station *out,
                          struct ap_err *e);
/* Every station by id. *out is malloc'd (caller frees); may be NULL when *n = 0. */
int store_hub_station_list(struct store *st, struct store_hub_station **out, size_t *n,
                           struct ap_err *e);
/* Inside a transaction: the station's new chain position. */
int store_hub_station_advance(struct store *st, const char *id, int64_t next_seq, const char *head,
                              int64_t seen_ms, struct ap_err *e);

/* One accepted proof (payload is not NUL-terminated). */
struct store_hub_proof {
	const char *station;
	int64_t seq;
	const char *payload;
	size_t payload_len;
	const uint8_t *sig;  /* 64 bytes */
	const uint8_t *hash; /* 32 bytes */
	const char *kind;    /* play | event */
	int64_t at_ms, received_ms;
	const char *item, *clip, *campaign, *status, *event; /* NULL when absent */
	int64_t started_ms, ended_ms;                        /* 0: absent */
	int clock_synced;
	int week;
	int64_t week_end_ms;
	int local_min; /* -1: absent */
};

/* Inside a transaction: n proofs with one prepared statement. */
int store_hub_proofs_insert(struct store *st, const struct store_hub_proof *p, size_t n,
                            struct ap_err *e);
/* 1 when (station, seq) is stored with exactly these payload and sig bytes,
 * 0 when stored with other bytes, AP_EUSER when absent. */
int store_hub_proof_same(struct store *st, const char *station, int64_t seq, const char *payload,
                         size_t len, const uint8_t sig[64], struct ap_err *e);
/* Inside a transaction: count one refusal. */
int store_hub_rejection_add(struct store *st, const char *station, int64_t seq, const char *reason,
                            int week, int64_t now_ms, struct ap_err *e);

/* Official clip catalogue. Inside a transaction; AP_EUSER when present. */
int store_hub_clip_add(struct store *st, const char *sha256, const char *title,
                       const char *campaign, int64_t now_ms, struct ap_err *e);
int store_hub_clip_count(struct store *st, int64_t *n, struct ap_err *e);

/* The catalogue's sha256 values, sorted (strcmp order); *out malloc'd,
 * the caller frees it; NULL when *n = 0. */
int store_hub_clip_hashes(struct store *st, char (**out)[65], size_t *n, struct ap_err *e);

/* Compliance inputs of weeks [first, last], from the rollup tables the
 * proofs insert trigger keeps (schema_hub.c): about one row per station and
 * week, whatever the number of proofs. Strings live until cb returns. */
enum store_hub_rollup_kind {
	STORE_HUB_ROLLUP_WEEK,     /* every record of a week */
	STORE_HUB_ROLLUP_PLAYS,    /* plays with one campaign, clip, start minute */
	STORE_HUB_ROLLUP_REFUSALS, /* refusals counted in a week */
};
struct store_hub_rollup {
	enum store_hub_rollup_kind kind;
	const char *station;
	int week;
	int64_t proofs, clock_steps, late_ms; /* WEEK; late_ms: latest arrival after week end */
	const char *campaign, *clip;          /* PLAYS: "" when absent */
	int local_min;                        /* PLAYS: local start minute of day */
	int64_t plays, complete, unsynced;    /* PLAYS */
	int64_t chain_breaks, seq_gaps;       /* REFUSALS */
};
typedef int (*store_hub_rollup_cb)(void *ctx, const struct store_hub_rollup *r);
/* station NULL: every station; else that one only. */
int store_hub_week_rollup(struct store *st, const char *station, int first_week, int last_week,
                          store_hub_rollup_cb cb, void *ctx, struct ap_err *e);

/* One station's records of one week in seq order (payload copies). */
struct store_hub_record {
	int64_t seq;
	const char *kind, *item, *clip, *campaign, *status, *event, *detail;
	int64_t at_ms, received_ms, started_ms, ended_ms;
	int clock_synced, local_min, known_clip;
};
typedef int (*store_hub_record_cb)(void *ctx, const struct store_hub_record *r);
int store_hub_week_records(struct store *st, const char *station, int week, store_hub_record_cb cb,
                           void *ctx, struct ap_err *e);
/* Refusals of one station in one week: reason, seq, count. */
typedef int (*store_hub_rejection_cb)(void *ctx, const char *reason, int64_t seq, int64_t count);
int store_hub_week_rejections(struct store *st, const char *station, int week,
                              store_hub_rejection_cb cb, void *ctx, struct ap_err *e);

/* Totals for /metrics. */
int store_hub_count_proofs(struct store *st, int64_t *n, struct ap_err *e);
typedef int (*store_hub_reason_cb)(void *ctx, const char *reason, int64_t count);
int store_hub_rejection_totals(struct store *st, store_hub_reason_cb cb, void *ctx,
                               struct ap_err *e);

#endif
