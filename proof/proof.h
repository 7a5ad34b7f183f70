/* Playout proofs, format v1 (DESIGN.md "Proofs"; fixed, the hub verifies
 * it). A proof is a payload -- the exact UTF-8 JSON bytes that were signed --
 * plus an Ed25519 signature over PROOF_DOMAIN followed by the payload. Each
 * record's prev is SHA-256(previous payload || previous 64 signature bytes).
 *
 * Everything here except the key files and proof_append is a pure function
 * of its arguments, so the hub reuses the verifier unchanged. */
#ifndef AP_PROOF_H
#define AP_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define PROOF_DOMAIN      "airproof-proof-v1\n"
#define PROOF_SIG_LEN     64
#define PROOF_PK_LEN      32
#define PROOF_SK_LEN      64
#define PROOF_HASH_LEN    32
#define PROOF_MAX_PAYLOAD 16384

struct store;

/* ---- station key (proof/key.c) ---- */

struct proof_key {
	uint8_t pk[PROOF_PK_LEN];
	uint8_t sk[PROOF_SK_LEN];
};

/* Create a new key file (0600, temp+fsync+rename). Refuses to replace an
 * existing file unless force is set. */
int proof_key_generate(const char *path, int force, struct proof_key *out, struct ap_err *e);
int proof_key_load(const char *path, struct proof_key *out, struct ap_err *e);
/* Wipe the secret from memory. */
void proof_key_wipe(struct proof_key *k);

/* ---- records (proof/record.c) ---- */

enum proof_kind { PROOF_PLAY = 1, PROOF_EVENT = 2 };

/* One record's fields. Strings are NUL-terminated; an empty optional string
 * (error, makegood_of, approved_by) is left out of / absent from the JSON.
 * rule = 0 means the item came from no rule (JSON null). */
struct proof_record {
	int v; /* always 1 */
	char station[64];
	int64_t seq;
	char prev[65]; /* lowercase hex */
	enum proof_kind kind;
	int64_t at; /* UTC ms when the record was made */
	int64_t mono_ms;
	int clock_synced;

	/* kind = play */
	char item[128];
	int64_t rule;
	int64_t scheduled, started, ended; /* UTC ms */
	char clip[65];
	char title[256];
	char campaign[64];
	char lang[16];
	char approved_by[128];
	int64_t frames_expected, frames_played;
	int rate, channels;
	double gain_db, loudness_lufs;
	char pcm_sha256[65];
	char driver[32];
	char output[64];
	char status[16]; /* complete | interrupted | failed */
	char error[256];
	char makegood_of[128];

	/* kind = event */
	char event[32]; /* start stop heartbeat missed shortfall config
	                   crash_recovered clock_step */
	char detail[1024];
};

/* Serialise rec into payload bytes (fixed key order, compact). *out is
 * malloc'd, NUL-terminated; the caller frees it. */
int proof_encode(const struct proof_record *rec, char **out, size_t *len, struct ap_err *e);
/* Strict parse: valid UTF-8 JSON object, no duplicate keys, v == 1, every
 * required field present with its type, no unknown fields, known kind /
 * status / event values. */
int proof_parse(const char *payload, size_t len, struct proof_record *rec, struct ap_err *e);

/* ---- signatures and chain (proof/chain.c) ---- */

void proof_sign(const struct proof_key *k, const char *payload, size_t len,
                uint8_t sig[PROOF_SIG_LEN]);
/* 1 when sig is a valid signature of (PROOF_DOMAIN || payload) by pk. */
int proof_sig_ok(const uint8_t pk[PROOF_PK_LEN], const char *payload, size_t len,
                 const uint8_t sig[PROOF_SIG_LEN]);
/* SHA-256(payload || sig): the next record's prev. */
void proof_link_hash(const char *payload, size_t len, const uint8_t sig[PROOF_SIG_LEN],
                     uint8_t out[PROOF_HASH_LEN]);

/* Why a record was refused; stable names for the hub's answers and metrics. */
enum proof_reject {
	PROOF_OK = 0,
	PROOF_BAD_SIGNATURE,
	PROOF_BAD_PAYLOAD,
	PROOF_WRONG_STATION,
	PROOF_SEQ_GAP, /* seq beyond the next expected */
	PROOF_SEQ_OLD, /* seq already in the chain */
	PROOF_WRONG_PREV,
	PROOF_FUTURE, /* at more than 5 minutes ahead of the verifier's now */
};
const char *proof_reject_name(enum proof_reject r);

/* A verifier's position in one station's chain. */
struct proof_chain {
	char station[64];
	uint8_t pk[PROOF_PK_LEN];
	int64_t next_seq;             /* 1 for an empty chain */
	uint8_t head[PROOF_HASH_LEN]; /* prev expected next; zeros when empty */
};

void proof_chain_init(struct proof_chain *ch, const char *station, const uint8_t pk[PROOF_PK_LEN]);
/* Check the next record: signature first (over the bytes received), then the
 * strict parse, station binding, seq == next_seq, prev == head, and (when
 * now_ms > 0) at <= now_ms + 5 min. On success fills rec, advances the chain
 * and returns PROOF_OK; otherwise returns the reason, leaves the chain as it
 * was and writes a one-line explanation to e. */
enum proof_reject proof_chain_next(struct proof_chain *ch, const char *payload, size_t len,
                                   const uint8_t sig[PROOF_SIG_LEN], int64_t now_ms,
                                   struct proof_record *rec, struct ap_err *e);

/* ---- station recorder (proof/recorder.c) ---- */

/* Append rec as the next proof of the station database: fills station,
 * seq, prev, v, then encodes, signs and inserts in the caller's
 * transaction (the caller runs store_begin/store_commit). Returns AP_EUSER
 * when rec.item is already recorded (never a duplicate). */
int proof_append(struct store *st, const struct proof_key *k, struct proof_record *rec,
                 struct ap_err *e);
/* The query columns a v1 payload cannot carry. An event record has only
 * event + detail, so for a missed item or a shortfall the caller names the
 * item (the idempotency key: never recorded twice), its rule, scheduled
 * time, clip and campaign here; the detail should still say it in words,
 * e.g. "item q3@2026-W48#1 scheduled 01/12/2026 17:00: station was off".
 * status "" means "missed" for a missed event, none otherwise. For a play
 * every column comes from the record and ix is ignored. */
struct proof_index {
	char item[128];
	int64_t rule;
	int64_t scheduled_ms;
	char clip[65];
	char campaign[64];
	char status[16];
};
/* proof_append with index columns for an event (ix may be NULL). */
int proof_append_indexed(struct store *st, const struct proof_key *k, struct proof_record *rec,
                         const struct proof_index *ix, struct ap_err *e);

/* Write-ahead of a play (DESIGN.md "Playout"), in the caller's transaction,
 * before its first frame: rec is kept as the proof the play gets if it is
 * cut (status interrupted; rec.error, if empty, says it was cut by a crash
 * or power cut). Checkpoint with store_pending_frames. proof_append of the
 * same item (complete, failed, or the recovered record) deletes the
 * write-ahead in its transaction. AP_EINTERNAL if another play is pending. */
int proof_pending_begin(struct store *st, const struct proof_record *rec, struct ap_err *e);
/* After a restart: *found = 1 and rec = the pending play as an interrupted
 * record, frames_played from the last checkpoint and ended estimated from
 * it. The caller sets at, mono_ms and clock_synced and calls proof_append. */
int proof_pending_load(struct store *st, struct proof_record *rec, int *found, struct ap_err *e);

/* Kernel's NTP sync state (adjtimex): 1 when STA_UNSYNC is clear and the
 * state is not TIME_ERROR (a pending leap second still counts as synced), 0
 * otherwise. */
int proof_clock_synced(void);

#endif
