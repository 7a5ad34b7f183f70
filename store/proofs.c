/* Proof rows (append-only; the triggers in schema_station.c refuse UPDATE
 * and DELETE), the play in progress (pending_play) and the daemon's state
 * for 'airproof status'. The proof columns besides payload/sig/hash are
 * copies of payload fields for queries; 'airproof proofs verify' checks
 * they still match. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

#define PROOF_COLS                                                                     \
	"seq, payload, sig, hash, kind, at_ms, event, item, rule_id, clip, campaign, " \
	"scheduled_ms, started_ms, ended_ms, status, makegood_of"

static void bind_int_or_null(sqlite3_stmt *s, int idx, int64_t v)
{
	if (v)
		sqlite3_bind_int64(s, idx, v);
	else
		sqlite3_bind_null(s, idx);
}

static void bind_text_or_null(sqlite3_stmt *s, int idx, const char *v)
{
	store_bind_text(s, idx, v && v[0] ? v : NULL);
}

static void copy_blob(sqlite3_stmt *s, int col, uint8_t *out, size_t n)
{
	const void *b = sqlite3_column_blob(s, col);
	size_t len = (size_t)sqlite3_column_bytes(s, col);
	memset(out, 0, n);
	/* A blob of the wrong length reads as zeros, which never verifies. */
	if (b && len == n)
		memcpy(out, b, n);
}

static void read_row(sqlite3_stmt *s, struct store_proof *p)
{
	memset(p, 0, sizeof(*p));
	p->seq = sqlite3_column_int64(s, 0);
	p->payload = sqlite3_column_blob(s, 1);
	p->payload_len = (size_t)sqlite3_column_bytes(s, 1);
	if (!p->payload)
		p->payload = "";
	copy_blob(s, 2, p->sig, sizeof(p->sig));
	copy_blob(s, 3, p->hash, sizeof(p->hash));
	store_col_text(s, 4, p->kind, sizeof(p->kind));
	p->at_ms = sqlite3_column_int64(s, 5);
	store_col_text(s, 6, p->event, sizeof(p->event));
	store_col_text(s, 7, p->item, sizeof(p->item));
	p->rule_id = sqlite3_column_int64(s, 8);
	store_col_text(s, 9, p->clip, sizeof(p->clip));
	store_col_text(s, 10, p->campaign, sizeof(p->campaign));
	p->scheduled_ms = sqlite3_column_int64(s, 11);
	p->started_ms = sqlite3_column_int64(s, 12);
	p->ended_ms = sqlite3_column_int64(s, 13);
	store_col_text(s, 14, p->status, sizeof(p->status));
	store_col_text(s, 15, p->makegood_of, sizeof(p->makegood_of));
}

int store_proofs_in_tx(struct store *st)
{
	return !sqlite3_get_autocommit(st->db);
}

int store_proof_head(struct store *st, int64_t *seq, uint8_t hash[32], struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_prepare(st, "SELECT seq, hash FROM proofs ORDER BY seq DESC LIMIT 1", &s, e);
	if (rc)
		return rc;
	*seq = 0;
	memset(hash, 0, 32);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		copy_blob(s, 1, hash, 32);
	} else if (step != SQLITE_DONE) {
		rc = store_fail(st, e, "read the proof chain head");
	}
	sqlite3_finalize(s);
	return rc;
}

int store_proof_find_item(struct store *st, const char *item, int64_t *seq, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_prepare(st, "SELECT seq FROM proofs WHERE item = ?", &s, e);
	if (rc)
		return rc;
	store_bind_text(s, 1, item);
	*seq = 0;
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*seq = sqlite3_column_int64(s, 0);
	else if (step != SQLITE_DONE)
		rc = store_fail(st, e, "look up a proof item");
	sqlite3_finalize(s);
	return rc;
}

int store_proof_insert(struct store *st, const struct store_proof *p, struct ap_err *e)
{
	sqlite3_stmt *s;
	int64_t dup = 0;
	int rc = p->item[0] ? store_proof_find_item(st, p->item, &dup, e) : AP_OK;
	if (rc)
		return rc;
	if (dup)
		return ap_err_user(e, "%s: item '%s' is already recorded (proof %lld)", st->path,
		                   p->item, (long long)dup);
	rc = store_prepare(st,
	                   "INSERT INTO proofs(" PROOF_COLS ") VALUES "
	                   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                   &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, p->seq);
	sqlite3_bind_blob(s, 2, p->payload, (int)p->payload_len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, p->sig, sizeof(p->sig), SQLITE_STATIC);
	sqlite3_bind_blob(s, 4, p->hash, sizeof(p->hash), SQLITE_STATIC);
	store_bind_text(s, 5, p->kind);
	sqlite3_bind_int64(s, 6, p->at_ms);
	bind_text_or_null(s, 7, p->event);
	bind_text_or_null(s, 8, p->item);
	bind_int_or_null(s, 9, p->rule_id);
	bind_text_or_null(s, 10, p->clip);
	bind_text_or_null(s, 11, p->campaign);
	bind_int_or_null(s, 12, p->scheduled_ms);
	bind_int_or_null(s, 13, p->started_ms);
	bind_int_or_null(s, 14, p->ended_ms);
	bind_text_or_null(s, 15, p->status);
	bind_text_or_null(s, 16, p->makegood_of);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = store_fail(st, e, "insert a proof");
	}
	sqlite3_finalize(s);
	return rc;
}

static int walk(struct store *st, sqlite3_stmt *s, store_proof_fn fn, void *arg, struct ap_err *e)
{
	struct store_proof p;
	int step, rc = AP_OK;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		read_row(s, &p);
		if ((rc = fn(&p, arg)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = store_fail(st, e, "read proofs");
	sqlite3_finalize(s);
	return rc;
}

int store_proofs_each(struct store *st, int64_t from_seq, store_proof_fn fn, void *arg,
                      struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_prepare(st, "SELECT " PROOF_COLS " FROM proofs WHERE seq >= ? ORDER BY seq",
	                       &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, from_seq);
	return walk(st, s, fn, arg, e);
}

int store_proofs_log(struct store *st, int64_t from_ms, int64_t to_ms, store_proof_fn fn, void *arg,
                     struct ap_err *e)
{
	sqlite3_stmt *s;
	/* A shortfall is stamped with its week's end (Sunday 24:00), which is
	 * the next week's start: it belongs to the week that ends there. */
	int rc =
	    store_prepare(st,
	                  "SELECT " PROOF_COLS " FROM proofs WHERE"
	                  " (kind = 'play' AND COALESCE(started_ms, scheduled_ms) >= ?1"
	                  "  AND COALESCE(started_ms, scheduled_ms) < ?2)"
	                  " OR (event = 'missed' AND scheduled_ms >= ?1 AND scheduled_ms < ?2)"
	                  " OR (event = 'shortfall' AND scheduled_ms > ?1 AND scheduled_ms <= ?2)"
	                  " ORDER BY COALESCE(started_ms, scheduled_ms, at_ms), seq",
	                  &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, from_ms);
	sqlite3_bind_int64(s, 2, to_ms);
	return walk(st, s, fn, arg, e);
}

static int count_query(struct store *st, sqlite3_stmt *s, int64_t *n, struct ap_err *e)
{
	int rc = AP_OK;
	if (sqlite3_step(s) == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	else
		rc = store_fail(st, e, "count proofs");
	sqlite3_finalize(s);
	return rc;
}

int store_proofs_sync_view(struct store *st, struct store_sync_view *out, struct ap_err *e)
{
	sqlite3_stmt *s;
	memset(out, 0, sizeof(*out));
	int rc = store_prepare(st,
	                       "SELECT (SELECT count(*) FROM proofs),"
	                       " (SELECT count(*) FROM proofs WHERE seq >= y.next_seq)"
	                       " FROM sync_state y WHERE y.id = 1",
	                       &s, e);
	if (rc)
		return rc;
	if (sqlite3_step(s) == SQLITE_ROW) {
		out->total = sqlite3_column_int64(s, 0);
		out->unsynced = sqlite3_column_int64(s, 1);
	} else {
		rc = store_fail(st, e, "count unsynced proofs");
	}
	sqlite3_finalize(s);
	return rc;
}

/* ---- pending play ---- */

static int need_tx(struct store *st, struct ap_err *e, const char *what)
{
	if (!store_proofs_in_tx(st))
		return ap_err_internal(e, "%s: %s outside a transaction", st->path, what);
	return AP_OK;
}

static int pending_exists(struct store *st, int *found, struct ap_err *e)
{
	int64_t n = 0;
	sqlite3_stmt *s;
	int rc = store_prepare(st, "SELECT count(*) FROM pending_play", &s, e);
	if (rc)
		return rc;
	rc = count_query(st, s, &n, e);
	*found = n > 0;
	return rc;
}

int store_pending_put(struct store *st, const char *item, const char *info, struct ap_err *e)
{
	sqlite3_stmt *s;
	int found, rc;
	if ((rc = need_tx(st, e, "write-ahead of a play")) || (rc = pending_exists(st, &found, e)))
		return rc;
	if (found)
		return ap_err_internal(e, "%s: a play is pending already; record it first",
		                       st->path);
	if ((rc = store_prepare(st,
	                        "INSERT INTO pending_play(id, item, info, frames_played)"
	                        " VALUES (1, ?, ?, 0)",
	                        &s, e)))
		return rc;
	store_bind_text(s, 1, item);
	store_bind_text(s, 2, info);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_fail(st, e, "write the pending play");
	sqlite3_finalize(s);
	return rc;
}

int store_pending_frames(struct store *st, int64_t frames_played, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = need_tx(st, e, "play checkpoint");
	if (rc || (rc = store_prepare(st, "UPDATE pending_play SET frames_played = ? WHERE id = 1",
	                              &s, e)))
		return rc;
	sqlite3_bind_int64(s, 1, frames_played);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_fail(st, e, "checkpoint the pending play");
	else if (sqlite3_changes(st->db) != 1)
		rc = ap_err_internal(e, "%s: no play is pending", st->path);
	sqlite3_finalize(s);
	return rc;
}

int store_pending_get(struct store *st, int *found, char *item, size_t item_cap, char **info,
                      int64_t *frames_played, struct ap_err *e)
{
	sqlite3_stmt *s;
	*found = 0;
	*info = NULL;
	*frames_played = 0;
	if (item_cap)
		item[0] = '\0';
	int rc = store_prepare(st, "SELECT item, info, frames_played FROM pending_play", &s, e);
	if (rc)
		return rc;
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		store_col_text(s, 0, item, item_cap);
		const unsigned char *t = sqlite3_column_text(s, 1);
		*info = strdup(t ? (const char *)t : "");
		*frames_played = sqlite3_column_int64(s, 2);
		if (!*info)
			rc = ap_err_internal(e, "out of memory");
		else
			*found = 1;
	} else if (step != SQLITE_DONE) {
		rc = store_fail(st, e, "read the pending play");
	}
	sqlite3_finalize(s);
	return rc;
}

int store_pending_delete(struct store *st, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = need_tx(st, e, "clearing the pending play");
	if (rc || (rc = store_prepare(st, "DELETE FROM pending_play", &s, e)))
		return rc;
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_fail(st, e, "clear the pending play");
	sqlite3_finalize(s);
	return rc;
}

/* ---- daemon state ---- */

int store_daemon_state_set(struct store *st, const struct store_daemon_state *ds, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = need_tx(st, e, "daemon state");
	if (rc || (rc = store_prepare(st,
	                              "INSERT INTO daemon_state(id, pid, started_ms, updated_ms,"
	                              " playing_item, next_item, next_ms, last_error)"
	                              " VALUES (1, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE"
	                              " SET pid = excluded.pid, started_ms = excluded.started_ms,"
	                              " updated_ms = excluded.updated_ms,"
	                              " playing_item = excluded.playing_item,"
	                              " next_item = excluded.next_item,"
	                              " next_ms = excluded.next_ms,"
	                              " last_error = excluded.last_error",
	                              &s, e)))
		return rc;
	bind_int_or_null(s, 1, ds->pid);
	bind_int_or_null(s, 2, ds->started_ms);
	bind_int_or_null(s, 3, ds->updated_ms);
	bind_text_or_null(s, 4, ds->playing_item);
	bind_text_or_null(s, 5, ds->next_item);
	bind_int_or_null(s, 6, ds->next_ms);
	bind_text_or_null(s, 7, ds->last_error);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_fail(st, e, "write the daemon state");
	sqlite3_finalize(s);
	return rc;
}

int store_daemon_state_get(struct store *st, struct store_daemon_state *ds, int *found,
                           struct ap_err *e)
{
	sqlite3_stmt *s;
	memset(ds, 0, sizeof(*ds));
	*found = 0;
	int rc = store_prepare(st,
	                       "SELECT pid, started_ms, updated_ms, playing_item, next_item,"
	                       " next_ms, last_error FROM daemon_state WHERE id = 1",
	                       &s, e);
	if (rc)
		return rc;
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		*found = 1;
		ds->pid = sqlite3_column_int64(s, 0);
		ds->started_ms = sqlite3_column_int64(s, 1);
		ds->updated_ms = sqlite3_column_int64(s, 2);
		store_col_text(s, 3, ds->playing_item, sizeof(ds->playing_item));
		store_col_text(s, 4, ds->next_item, sizeof(ds->next_item));
		ds->next_ms = sqlite3_column_int64(s, 5);
		store_col_text(s, 6, ds->last_error, sizeof(ds->last_error));
	} else if (step != SQLITE_DONE) {
		rc = store_fail(st, e, "read the daemon state");
	}
	sqlite3_finalize(s);
	return rc;
}
