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

/* ---- proofs, pending play, daemon state (store/proofs.c) ---- */

/* ---- sync state (store/sync.c) ---- */

/* ---- hub (store/hub.c) ---- */

#endif
