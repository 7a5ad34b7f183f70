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

/* ---- sync state (store/sync.c) ---- */

/* ---- hub (store/hub.c) ---- */

#endif
