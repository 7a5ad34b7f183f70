/* The provincial hub database schema, one migration per step. Never edit a
 * step that has shipped; append a new one. */
#include "store/store_internal.h"

const struct store_migration store_hub_migrations[] = {
	{ /* 1: the first schema */
	  "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;" },
};

const int store_hub_n_migrations =
    (int)(sizeof(store_hub_migrations) / sizeof(store_hub_migrations[0]));
