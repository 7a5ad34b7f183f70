/* The uplink's bookkeeping on the station: sync_state, moved only by the
 * hub's answers. */
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"

int store_sync_get(struct store *st, struct store_sync_state *out, struct ap_err *e)
{
	sqlite3_stmt *q;
	memset(out, 0, sizeof(*out));
	int rc = store_prepare(st,
	                       "SELECT next_seq, head, coalesce(last_attempt_ms, 0),"
	                       " coalesce(last_ok_ms, 0), last_result FROM sync_state WHERE id = 1",
	                       &q, e);
	if (rc)
		return rc;
	if (sqlite3_step(q) == SQLITE_ROW) {
		out->next_seq = sqlite3_column_int64(q, 0);
		store_col_text(q, 1, out->head, sizeof(out->head));
		out->last_attempt_ms = sqlite3_column_int64(q, 2);
		out->last_ok_ms = sqlite3_column_int64(q, 3);
		store_col_text(q, 4, out->last_result, sizeof(out->last_result));
	} else {
		rc = store_fail(st, e, "read sync state");
	}
	sqlite3_finalize(q);
	return rc;
}

static int exec_update(struct store *st, sqlite3_stmt *q, struct ap_err *e)
{
	int rc = sqlite3_step(q) == SQLITE_DONE ? AP_OK : store_fail(st, e, "write sync state");
	sqlite3_finalize(q);
	return rc;
}

int store_sync_ack(struct store *st, int64_t next_seq, const char *head, int64_t now_ms,
                   const char *result, struct ap_err *e)
{
	sqlite3_stmt *q;
	int rc = store_prepare(st,
	                       "UPDATE sync_state SET next_seq = ?, head = ?, last_attempt_ms = ?,"
	                       " last_ok_ms = ?, last_result = ? WHERE id = 1",
	                       &q, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(q, 1, next_seq);
	store_bind_text(q, 2, head);
	sqlite3_bind_int64(q, 3, now_ms);
	sqlite3_bind_int64(q, 4, now_ms);
	store_bind_text(q, 5, result);
	return exec_update(st, q, e);
}

int store_sync_attempt(struct store *st, int64_t now_ms, const char *result, struct ap_err *e)
{
	sqlite3_stmt *q;
	int rc = store_prepare(
	    st, "UPDATE sync_state SET last_attempt_ms = ?, last_result = ? WHERE id = 1", &q, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(q, 1, now_ms);
	store_bind_text(q, 2, result);
	return exec_update(st, q, e);
}
