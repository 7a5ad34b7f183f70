/* The station database schema, one migration per step. Never edit a step
 * that has shipped; append a new one. */
#include "store/store_internal.h"

const struct store_migration store_station_migrations[] = {
	{ /* 1: the first schema */
	  "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"

	  /* Clip library. id = SHA-256 of the original file; import_seq gives
	   * import order (rotation ties). A removed clip keeps its row when a
	   * proof refers to it (removed_ms set), so logs can still name it. */
	  "CREATE TABLE clips("
	  " id TEXT PRIMARY KEY,"
	  " import_seq INTEGER NOT NULL UNIQUE,"
	  " title TEXT NOT NULL, campaign TEXT NOT NULL, lang TEXT NOT NULL,"
	  " source_name TEXT NOT NULL, source_format TEXT NOT NULL,"
	  " source_bytes INTEGER NOT NULL, source_rate INTEGER NOT NULL,"
	  " source_channels INTEGER NOT NULL, source_frames INTEGER NOT NULL,"
	  " rate INTEGER NOT NULL, channels INTEGER NOT NULL, frames INTEGER NOT NULL,"
	  " render_sha256 TEXT NOT NULL,"
	  " loudness_lufs REAL NOT NULL, true_peak_dbtp REAL NOT NULL, gain_db REAL NOT NULL,"
	  " valid_from TEXT, valid_until TEXT," /* local dates YYYY-MM-DD, inclusive */
	  " approved_by TEXT, approved_ms INTEGER,"
	  " added_ms INTEGER NOT NULL, removed_ms INTEGER"
	  ") STRICT;"
	  "CREATE INDEX clips_campaign ON clips(campaign, import_seq);"

	  /* Rules, in station local time. A rule names a clip or a campaign. */
	  "CREATE TABLE rules("
	  " id INTEGER PRIMARY KEY,"
	  " kind TEXT NOT NULL CHECK(kind IN ('once', 'weekly', 'quota')),"
	  " clip TEXT REFERENCES clips(id), campaign TEXT,"
	  " once_date TEXT," /* once: local YYYY-MM-DD */
	  " days INTEGER,"   /* weekly: bit 0 = Monday .. bit 6 = Sunday */
	  " minute INTEGER," /* once, weekly: minutes after local midnight */
	  " quota INTEGER,"  /* quota: complete plays per ISO week */
	  " label TEXT,"
	  " created_ms INTEGER NOT NULL, removed_ms INTEGER,"
	  " CHECK ((clip IS NULL) <> (campaign IS NULL))"
	  ") STRICT;"
	  /* Quota windows: days bitmask, [start_min, end_min) local; end <= start
	   * means the window crosses midnight into the next day. */
	  "CREATE TABLE rule_windows("
	  " rule_id INTEGER NOT NULL REFERENCES rules(id),"
	  " days INTEGER NOT NULL, start_min INTEGER NOT NULL, end_min INTEGER NOT NULL"
	  ") STRICT;"

	  /* Playout proofs: payload is exactly the signed bytes; hash =
	   * SHA-256(payload || sig) is the next record's prev. The other columns
	   * are copies of payload fields, for queries. item is the idempotency
	   * key of a play or a per-item event (missed, shortfall): unique, so a
	   * play can never be recorded twice. */
	  "CREATE TABLE proofs("
	  " seq INTEGER PRIMARY KEY,"
	  " payload BLOB NOT NULL, sig BLOB NOT NULL, hash BLOB NOT NULL,"
	  " kind TEXT NOT NULL CHECK(kind IN ('play', 'event')),"
	  " at_ms INTEGER NOT NULL,"
	  " event TEXT,"
	  " item TEXT, rule_id INTEGER, clip TEXT, campaign TEXT,"
	  " scheduled_ms INTEGER, started_ms INTEGER, ended_ms INTEGER,"
	  " status TEXT," /* complete|interrupted|failed for plays; missed for missed events */
	  " makegood_of TEXT"
	  ") STRICT;"
	  "CREATE UNIQUE INDEX proofs_item ON proofs(item) WHERE item IS NOT NULL;"
	  "CREATE INDEX proofs_clip ON proofs(clip, started_ms) WHERE clip IS NOT NULL;"
	  "CREATE INDEX proofs_scheduled ON proofs(scheduled_ms) WHERE scheduled_ms IS NOT NULL;"
	  "CREATE TRIGGER proofs_no_update BEFORE UPDATE ON proofs"
	  " BEGIN SELECT RAISE(ABORT, 'proofs are append-only'); END;"
	  "CREATE TRIGGER proofs_no_delete BEFORE DELETE ON proofs"
	  " BEGIN SELECT RAISE(ABORT, 'proofs are append-only'); END;"
	  /* REPLACE deletes the old row without firing DELETE triggers unless
	   * recursive_triggers is on, which a plain sqlite3 shell does not set;
	   * refusing the conflict before it happens closes that door for every
	   * connection. */
	  "CREATE TRIGGER proofs_no_replace BEFORE INSERT ON proofs"
	  " WHEN EXISTS (SELECT 1 FROM proofs WHERE seq = NEW.seq"
	  "  OR (NEW.item IS NOT NULL AND item = NEW.item))"
	  " BEGIN SELECT RAISE(ABORT, 'proofs are append-only'); END;"

	  /* The play in progress, written before its first frame; turned into an
	   * interrupted proof after a crash. info is the play's fields as JSON;
	   * frames_played is checkpointed while it plays. */
	  "CREATE TABLE pending_play("
	  " id INTEGER PRIMARY KEY CHECK(id = 1),"
	  " item TEXT NOT NULL, info TEXT NOT NULL, frames_played INTEGER NOT NULL"
	  ") STRICT;"

	  /* What the daemon is doing, for 'airproof status'. */
	  "CREATE TABLE daemon_state("
	  " id INTEGER PRIMARY KEY CHECK(id = 1),"
	  " pid INTEGER, started_ms INTEGER, updated_ms INTEGER,"
	  " playing_item TEXT, next_item TEXT, next_ms INTEGER, last_error TEXT"
	  ") STRICT;"

	  /* Uplink: the hub's acknowledgement. Proofs with seq < next_seq are
	   * synced; only the hub's answer moves it. */
	  "CREATE TABLE sync_state("
	  " id INTEGER PRIMARY KEY CHECK(id = 1),"
	  " next_seq INTEGER NOT NULL DEFAULT 1, head TEXT,"
	  " last_attempt_ms INTEGER, last_ok_ms INTEGER, last_result TEXT"
	  ") STRICT;"
	  "INSERT INTO sync_state(id) VALUES (1);" },
};

const int store_station_n_migrations =
    (int)(sizeof(store_station_migrations) / sizeof(store_station_migrations[0]));
