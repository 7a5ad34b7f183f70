/* Shared by the store/ files only: the connection and statement helpers. */
#ifndef AP_STORE_INTERNAL_H
#define AP_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

struct store {
	sqlite3 *db;
	char path[4096];
	int in_tx;
};

/* One migration step: SQL run in the transaction that sets user_version to
 * its index + 1. Never edit a released step; add a new one. */
struct store_migration {
	const char *sql;
};

extern const struct store_migration store_station_migrations[];
extern const int store_station_n_migrations;
extern const struct store_migration store_hub_migrations[];
extern const int store_hub_n_migrations;

/* Prepare or fail with a message naming the database. */
int store_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt, struct ap_err *e);
/* Message for the last error on the connection. */
int store_fail(struct store *st, struct ap_err *e, const char *what);
/* Bind a C string or NULL. */
int store_bind_text(sqlite3_stmt *s, int idx, const char *v);
/* Copy column text into out (empty for NULL). */
void store_col_text(sqlite3_stmt *s, int col, char *out, size_t cap);

#endif
