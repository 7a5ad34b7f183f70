/* The provincial hub database schema, one migration per step. Never edit a
 * step that has shipped; append a new one. */
#include "store/store_internal.h"

const struct store_migration store_hub_migrations[] = {
	{ /* 1: the first schema */
	  "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"

	  /* Enrolled stations and where each one's chain stands: the next seq
	   * the hub expects and the hash its prev must carry. */
	  "CREATE TABLE stations("
	  " id TEXT PRIMARY KEY, name TEXT NOT NULL, grp TEXT NOT NULL,"
	  " pubkey TEXT NOT NULL,"
	  " next_seq INTEGER NOT NULL DEFAULT 1,"
	  " head TEXT NOT NULL DEFAULT"
	  " '0000000000000000000000000000000000000000000000000000000000000000',"
	  " last_seen_ms INTEGER, added_ms INTEGER NOT NULL"
	  ") STRICT;"

	  /* Accepted proofs, verbatim (payload and raw signature) plus copies
	   * of payload fields for queries. week is the ISO week key (iso_year *
	   * 100 + week) in the hub's zone of started (plays) or at (events);
	   * week_end_ms its end, for the late-sync flag; local_min the local
	   * minute of day a play started, for quota windows. */
	  "CREATE TABLE proofs("
	  " station TEXT NOT NULL REFERENCES stations(id), seq INTEGER NOT NULL,"
	  " payload BLOB NOT NULL, sig BLOB NOT NULL, hash BLOB NOT NULL,"
	  " kind TEXT NOT NULL CHECK(kind IN ('play', 'event')),"
	  " at_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL,"
	  " item TEXT, clip TEXT, campaign TEXT, started_ms INTEGER, ended_ms INTEGER,"
	  " status TEXT, event TEXT, clock_synced INTEGER NOT NULL,"
	  " week INTEGER NOT NULL, week_end_ms INTEGER NOT NULL, local_min INTEGER,"
	  " PRIMARY KEY(station, seq)"
	  ") STRICT, WITHOUT ROWID;"
	  "CREATE INDEX proofs_week ON proofs(week, station);"
	  /* Compliance inputs rolled up at insert (same transaction, by
	   * trigger), so a year's report reads about one row per station and
	   * week instead of every proof. week_facts: every record; late_ms the
	   * latest arrival after the week's end. week_plays: plays by
	   * campaign, clip and local start minute (a schedule repeats its
	   * times, so a week holds a few such rows); quota windows and the
	   * clip catalogue stay config, applied when the report is built. */
	  "CREATE TABLE week_facts("
	  " station TEXT NOT NULL, week INTEGER NOT NULL, proofs INTEGER NOT NULL,"
	  " clock_steps INTEGER NOT NULL, late_ms INTEGER NOT NULL,"
	  " PRIMARY KEY(station, week)"
	  ") STRICT, WITHOUT ROWID;"
	  "CREATE TABLE week_plays("
	  " station TEXT NOT NULL, week INTEGER NOT NULL, campaign TEXT NOT NULL,"
	  " clip TEXT NOT NULL, local_min INTEGER NOT NULL, plays INTEGER NOT NULL,"
	  " complete INTEGER NOT NULL, unsynced INTEGER NOT NULL,"
	  " PRIMARY KEY(station, week, campaign, clip, local_min)"
	  ") STRICT, WITHOUT ROWID;"
	  "CREATE TRIGGER proofs_rollup AFTER INSERT ON proofs BEGIN"
	  " INSERT INTO week_facts VALUES (NEW.station, NEW.week, 1,"
	  "  NEW.kind = 'event' AND NEW.event IS 'clock_step',"
	  "  NEW.received_ms - NEW.week_end_ms)"
	  "  ON CONFLICT(station, week) DO UPDATE SET proofs = proofs + 1,"
	  "  clock_steps = clock_steps + excluded.clock_steps,"
	  "  late_ms = max(late_ms, excluded.late_ms);"
	  " INSERT INTO week_plays SELECT NEW.station, NEW.week, coalesce(NEW.campaign, ''),"
	  "  coalesce(NEW.clip, ''), coalesce(NEW.local_min, -1), 1,"
	  "  NEW.status IS 'complete', NEW.clock_synced = 0 WHERE NEW.kind = 'play'"
	  "  ON CONFLICT(station, week, campaign, clip, local_min) DO UPDATE SET"
	  "  plays = plays + 1, complete = complete + excluded.complete,"
	  "  unsynced = unsynced + excluded.unsynced;"
	  " END;"
	  /* INSERT OR REPLACE from a plain sqlite3 shell (recursive triggers
	   * off) would otherwise replace a stored proof. */
	  "CREATE TRIGGER proofs_no_replace BEFORE INSERT ON proofs"
	  " WHEN EXISTS (SELECT 1 FROM proofs WHERE station = NEW.station AND seq = NEW.seq)"
	  " BEGIN SELECT RAISE(ABORT, 'proofs are append-only'); END;"
	  "CREATE TRIGGER proofs_no_update BEFORE UPDATE ON proofs"
	  " BEGIN SELECT RAISE(ABORT, 'proofs are append-only'); END;"
	  "CREATE TRIGGER proofs_no_delete BEFORE DELETE ON proofs"
	  " BEGIN SELECT RAISE(ABORT, 'proofs are append-only'); END;"

	  /* The official clip catalogue (when empty, any clip counts). */
	  "CREATE TABLE clips("
	  " sha256 TEXT PRIMARY KEY, title TEXT NOT NULL, campaign TEXT,"
	  " added_ms INTEGER NOT NULL"
	  ") STRICT;"

	  /* Refused proofs of enrolled stations, one row per (station, seq,
	   * reason) with a count: compliance flags chain breaks and gaps from
	   * them, /metrics sums them. week is the week the refusal happened. */
	  "CREATE TABLE rejections("
	  " station TEXT NOT NULL REFERENCES stations(id), seq INTEGER NOT NULL,"
	  " reason TEXT NOT NULL, week INTEGER NOT NULL,"
	  " first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, count INTEGER NOT NULL,"
	  " PRIMARY KEY(station, seq, reason)"
	  ") STRICT;"
	  "CREATE INDEX rejections_week ON rejections(week, station);" },
};

const int store_hub_n_migrations =
    (int)(sizeof(store_hub_migrations) / sizeof(store_hub_migrations[0]));
