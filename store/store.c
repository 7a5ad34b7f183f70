/* Connection set-up, transactions and migrations. */
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int store_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt, struct ap_err *e)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
		return store_fail(st, e, "prepare");
	return AP_OK;
}

int store_fail(struct store *st, struct ap_err *e, const char *what)
{
	int code = sqlite3_errcode(st->db);
	/* A locked or busy database is an operational problem the operator can
	 * retry, not a bug; everything else is internal. */
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return ap_err_user(e, "%s: database is busy (%s); try again", st->path, what);
	return ap_err_internal(e, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

int store_bind_text(sqlite3_stmt *s, int idx, const char *v)
{
	if (!v)
		return sqlite3_bind_null(s, idx);
	return sqlite3_bind_text(s, idx, v, -1, SQLITE_TRANSIENT);
}

void store_col_text(sqlite3_stmt *s, int col, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	snprintf(out, cap, "%s", t ? (const char *)t : "");
}

static int exec(struct store *st, const char *sql, struct ap_err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = ap_err_internal(e, "%s: %s", st->path, msg ? msg : "error");
		sqlite3_free(msg);
		return rc;
	}
	return AP_OK;
}

int store_begin(struct store *st, struct ap_err *e)
{
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st, e, "begin");
	st->in_tx = 1;
	return AP_OK;
}

int store_commit(struct store *st, struct ap_err *e)
{
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = store_fail(st, e, "commit");
		store_rollback(st);
		return rc;
	}
	st->in_tx = 0;
	return AP_OK;
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

static int64_t pragma_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

int64_t store_data_version(struct store *st)
{
	return pragma_int(st, "PRAGMA data_version");
}

int store_schema_version(struct store *st)
{
	return (int)pragma_int(st, "PRAGMA user_version");
}

static int migrate(struct store *st, const struct store_migration *m, int n, struct ap_err *e)
{
	for (;;) {
		int rc = store_begin(st, e);
		if (rc)
			return rc;
		int v = store_schema_version(st);
		if (v < 0 || v > n) {
			store_rollback(st);
			return ap_err_user(e,
			                   "%s: database schema version %d is newer than this "
			                   "program knows (%d)",
			                   st->path, v, n);
		}
		if (v == n) {
			store_rollback(st);
			return AP_OK;
		}
		char bump[64];
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
		if ((rc = exec(st, m[v].sql, e)) || (rc = exec(st, bump, e)) ||
		    (rc = store_commit(st, e))) {
			store_rollback(st);
			return ap_err_prefix(e, "migration %d", v + 1);
		}
	}
}

int store_open(const char *path, enum store_kind kind, int create, struct store **out,
               struct ap_err *e)
{
	struct stat sb;
	if (!create && stat(path, &sb) != 0)
		return ap_err_user(e, "%s: no database here (run 'init' first)", path);

	struct store *st = calloc(1, sizeof(*st));
	if (!st)
		return ap_err_internal(e, "out of memory");
	snprintf(st->path, sizeof(st->path), "%s", path);
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		int rc = ap_err_user(e, "%s: cannot open database: %s", path,
		                     st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return rc;
	}
	sqlite3_busy_timeout(st->db, 10000);
	sqlite3_extended_result_codes(st->db, 0);
	int rc = exec(st,
	              "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
	              "PRAGMA recursive_triggers=ON; PRAGMA trusted_schema=OFF;",
	              e);
	if (!rc) {
		if (kind == STORE_STATION)
			rc = migrate(st, store_station_migrations, store_station_n_migrations, e);
		else
			rc = migrate(st, store_hub_migrations, store_hub_n_migrations, e);
	}
	if (rc) {
		store_close(st);
		return rc;
	}
	*out = st;
	return AP_OK;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_close_v2(st->db);
	free(st);
}

int store_meta_get(struct store *st, const char *key, char *out, size_t cap, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_prepare(st, "SELECT value FROM meta WHERE key = ?", &s, e);
	if (rc)
		return rc;
	store_bind_text(s, 1, key);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		store_col_text(s, 0, out, cap);
		rc = AP_OK;
	} else if (step == SQLITE_DONE) {
		rc = ap_err_user(e, "%s: no '%s' recorded (run 'airproof init')", st->path, key);
	} else {
		rc = store_fail(st, e, "read meta");
	}
	sqlite3_finalize(s);
	return rc;
}

int store_meta_set(struct store *st, const char *key, const char *value, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_prepare(st,
	                       "INSERT INTO meta(key, value) VALUES (?, ?) "
	                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	                       &s, e);
	if (rc)
		return rc;
	store_bind_text(s, 1, key);
	store_bind_text(s, 2, value);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_fail(st, e, "write meta");
	sqlite3_finalize(s);
	return rc;
}
