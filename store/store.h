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

/* ---- rules (store/rules.c) ---- */

/* ---- proofs, pending play, daemon state (store/proofs.c) ---- */

/* ---- sync state (store/sync.c) ---- */

/* ---- hub (store/hub.c) ---- */

#endif
