/* Hub queries: enrolled stations, accepted proofs, refusals, the clip
 * catalogue, and the one-pass weekly aggregation behind compliance. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

int store_hub_station_add(struct store *st, const struct store_hub_station *s, int64_t now_ms,
                          struct ap_err *e)
{
	sqlite3_stmt *q;
	int rc = store_prepare(st,
	                       "INSERT INTO stations(id, name, grp, pubkey, added_ms) "
	                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
	                       &q, e);
	if (rc)
		return rc;
	store_bind_text(q, 1, s->id);
	store_bind_text(q, 2, s->name);
	store_bind_text(q, 3, s->group);
	store_bind_text(q, 4, s->pubkey);
	sqlite3_bind_int64(q, 5, now_ms);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = store_fail(st, e, "add station");
	else if (sqlite3_changes(st->db) == 0)
		rc = ap_err_user(e, "station '%s' is enrolled already", s->id);
	sqlite3_finalize(q);
	return rc;
}

#define STATION_COLS "id, name, grp, pubkey, next_seq, head, coalesce(last_seen_ms, 0)"

static void station_row(sqlite3_stmt *q, struct store_hub_station *s)
{
	store_col_text(q, 0, s->id, sizeof(s->id));
	store_col_text(q, 1, s->name, sizeof(s->name));
	store_col_text(q, 2, s->group, sizeof(s->group));
	store_col_text(q, 3, s->pubkey, sizeof(s->pubkey));
	s->next_seq = sqlite3_column_int64(q, 4);
	store_col_text(q, 5, s->head, sizeof(s->head));
	s->last_seen_ms = sqlite3_column_int64(q, 6);
	s->proofs = s->next_seq - 1;
}

int store_hub_station_get(struct store *st, const char *id, struct store_hub_station *out,
                          struct ap_err *e)
{
	sqlite3_stmt *q;
	int rc = store_prepare(st, "SELECT " STATION_COLS " FROM stations WHERE id = ?", &q, e);
	if (rc)
		return rc;
	store_bind_text(q, 1, id);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW)
		station_row(q, out);
	else if (step == SQLITE_DONE)
		rc = ap_err_user(e, "station '%s' is not enrolled at this hub", id);
	else
		rc = store_fail(st, e, "read station");
	sqlite3_finalize(q);
	return rc;
}

int store_hub_station_list(struct store *st, struct store_hub_station **out, size_t *n,
                           struct ap_err *e)
{
	sqlite3_stmt *q;
	*out = NULL;
	*n = 0;
	int rc = store_prepare(st, "SELECT " STATION_COLS " FROM stations ORDER BY id", &q, e);
	if (rc)
		return rc;
	size_t cap = 0;
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			struct store_hub_station *grown = realloc(*out, cap * sizeof(**out));
			if (!grown) {
				rc = ap_err_internal(e, "out of memory");
				break;
			}
			*out = grown;
		}
		station_row(q, &(*out)[(*n)++]);
	}
	if (!rc && step != SQLITE_DONE)
		rc = store_fail(st, e, "list stations");
	sqlite3_finalize(q);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int store_hub_station_advance(struct store *st, const char *id, int64_t next_seq, const char *head,
                              int64_t seen_ms, struct ap_err *e)
{
	sqlite3_stmt *q;
	int rc = store_prepare(st,
	                       "UPDATE stations SET next_seq = ?, head = ?, last_seen_ms = ? "
	                       "WHERE id = ?",
	                       &q, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(q, 1, next_seq);
	store_bind_text(q, 2, head);
	sqlite3_bind_int64(q, 3, seen_ms);
	store_bind_text(q, 4, id);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = store_fail(st, e, "update station");
	sqlite3_finalize(q);
	return rc;
}

static void bind_opt_ms(sqlite3_stmt *q, int idx, int64_t v)
{
	if (v)
		sqlite3_bind_int64(q, idx, v);
	else
		sqlite3_bind_null(q, idx);
}

int store_hub_proofs_insert(struct store *st, const struct store_hub_proof *p, size_t n,
                            struct ap_err *e)
{
	sqlite3_stmt *q;
	int rc = store_prepare(st,
	                       "INSERT INTO proofs(station, seq, payload, sig, hash, kind, at_ms,"
	                       " received_ms, item, clip, campaign, started_ms, ended_ms, status,"
	                       " event, clock_synced, week, week_end_ms, local_min) VALUES"
	                       " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                       &q, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct store_hub_proof *r = &p[i];
		sqlite3_reset(q);
		store_bind_text(q, 1, r->station);
		sqlite3_bind_int64(q, 2, r->seq);
		sqlite3_bind_blob(q, 3, r->payload, (int)r->payload_len, SQLITE_STATIC);
		sqlite3_bind_blob(q, 4, r->sig, 64, SQLITE_STATIC);
		sqlite3_bind_blob(q, 5, r->hash, 32, SQLITE_STATIC);
		store_bind_text(q, 6, r->kind);
		sqlite3_bind_int64(q, 7, r->at_ms);
		sqlite3_bind_int64(q, 8, r->received_ms);
		store_bind_text(q, 9, r->item);
		store_bind_text(q, 10, r->clip);
		store_bind_text(q, 11, r->campaign);
		bind_opt_ms(q, 12, r->started_ms);
		bind_opt_ms(q, 13, r->ended_ms);
		store_bind_text(q, 14, r->status);
		store_bind_text(q, 15, r->event);
		sqlite3_bind_int(q, 16, r->clock_synced ? 1 : 0);
		sqlite3_bind_int(q, 17, r->week);
		sqlite3_bind_int64(q, 18, r->week_end_ms);
		if (r->local_min >= 0)
			sqlite3_bind_int(q, 19, r->local_min);
		else
			sqlite3_bind_null(q, 19);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = store_fail(st, e, "store proof");
	}
	sqlite3_finalize(q);
	return rc;
}

int store_hub_proof_same(struct store *st, const char *station, int64_t seq, const char *payload,
                         size_t len, const uint8_t sig[64], struct ap_err *e)
{
	sqlite3_stmt *q;
	int rc = store_prepare(st, "SELECT payload, sig FROM proofs WHERE station = ? AND seq = ?",
	                       &q, e);
	if (rc)
		return rc;
	store_bind_text(q, 1, station);
	sqlite3_bind_int64(q, 2, seq);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		const void *p = sqlite3_column_blob(q, 0);
		size_t plen = (size_t)sqlite3_column_bytes(q, 0);
		const void *s = sqlite3_column_blob(q, 1);
		int slen = sqlite3_column_bytes(q, 1);
		rc = plen == len && slen == 64 && (len == 0 || memcmp(p, payload, len) == 0) &&
		     memcmp(s, sig, 64) == 0;
	} else if (step == SQLITE_DONE) {
		rc = ap_err_user(e, "%s: proof %lld is not stored", station, (long long)seq);
	} else {
		rc = store_fail(st, e, "read proof");
	}
	sqlite3_finalize(q);
	return rc;
}

int store_hub_rejection_add(struct store *st, const char *station, int64_t seq, const char *reason,
                            int week, int64_t now_ms, struct ap_err *e)
{
	sqlite3_stmt *q;
	int rc = store_prepare(st,
	                       "INSERT INTO rejections(station, seq, reason, week, first_ms, "
	                       "last_ms, count) VALUES (?, ?, ?, ?, ?, ?, 1) "
	                       "ON CONFLICT(station, seq, reason) DO UPDATE SET "
	                       "last_ms = excluded.last_ms, count = count + 1",
	                       &q, e);
	if (rc)
		return rc;
	store_bind_text(q, 1, station);
	sqlite3_bind_int64(q, 2, seq);
	store_bind_text(q, 3, reason);
	sqlite3_bind_int(q, 4, week);
	sqlite3_bind_int64(q, 5, now_ms);
	sqlite3_bind_int64(q, 6, now_ms);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = store_fail(st, e, "record rejection");
	sqlite3_finalize(q);
	return rc;
}

int store_hub_clip_add(struct store *st, const char *sha256, const char *title,
                       const char *campaign, int64_t now_ms, struct ap_err *e)
{
	sqlite3_stmt *q;
	int rc = store_prepare(st,
	                       "INSERT INTO clips(sha256, title, campaign, added_ms) "
	                       "VALUES (?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING",
	                       &q, e);
	if (rc)
		return rc;
	store_bind_text(q, 1, sha256);
	store_bind_text(q, 2, title);
	store_bind_text(q, 3, campaign);
	sqlite3_bind_int64(q, 4, now_ms);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = store_fail(st, e, "add clip");
	else if (sqlite3_changes(st->db) == 0)
		rc = ap_err_user(e, "clip %s is in the catalogue already", sha256);
	sqlite3_finalize(q);
	return rc;
}

static int count_query(struct store *st, const char *sql, int64_t *n, struct ap_err *e)
{
	sqlite3_stmt *q;
	int rc = store_prepare(st, sql, &q, e);
	if (rc)
		return rc;
	if (sqlite3_step(q) == SQLITE_ROW)
		*n = sqlite3_column_int64(q, 0);
	else
		rc = store_fail(st, e, "count");
	sqlite3_finalize(q);
	return rc;
}

int store_hub_clip_count(struct store *st, int64_t *n, struct ap_err *e)
{
	return count_query(st, "SELECT count(*) FROM clips", n, e);
}

int store_hub_count_proofs(struct store *st, int64_t *n, struct ap_err *e)
{
	/* next_seq - 1 per station: the chain has no gaps, and this avoids a
	 * scan of the proofs table on every scrape. */
	return count_query(st, "SELECT coalesce(sum(next_seq - 1), 0) FROM stations", n, e);
}

int store_hub_rejection_totals(struct store *st, store_hub_reason_cb cb, void *ctx,
                               struct ap_err *e)
{
	sqlite3_stmt *q;
	int rc = store_prepare(
	    st, "SELECT reason, sum(count) FROM rejections GROUP BY reason ORDER BY reason", &q, e);
	if (rc)
		return rc;
	int step;
	while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = cb(ctx, (const char *)sqlite3_column_text(q, 0), sqlite3_column_int64(q, 1));
	if (!rc && step != SQLITE_DONE)
		rc = store_fail(st, e, "sum rejections");
	sqlite3_finalize(q);
	return rc;
}

int store_hub_clip_hashes(struct store *st, char (**out)[65], size_t *n, struct ap_err *e)
{
	sqlite3_stmt *q;
	*out = NULL;
	*n = 0;
	int rc = store_prepare(st, "SELECT sha256 FROM clips ORDER BY sha256", &q, e);
	if (rc)
		return rc;
	size_t cap = 0;
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			char(*grown)[65] = realloc(*out, cap * sizeof(**out));
			if (!grown) {
				rc = ap_err_internal(e, "out of memory");
				break;
			}
			*out = grown;
		}
		store_col_text(q, 0, (*out)[(*n)++], 65);
	}
	if (!rc && step != SQLITE_DONE)
		rc = store_fail(st, e, "list clips");
	sqlite3_finalize(q);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int store_hub_week_rollup(struct store *st, const char *station, int first_week, int last_week,
                          store_hub_rollup_cb cb, void *ctx, struct ap_err *e)
{
	/* Plain scans in key order: the policy arithmetic is the caller's,
	 * which is cheaper per row in C than as SQL expressions. */
#define FACTS                                                                \
	"SELECT station, week, proofs, clock_steps, late_ms FROM week_facts" \
	" WHERE week BETWEEN ?1 AND ?2"
#define PLAYS                                                                        \
	"SELECT station, week, campaign, clip, local_min, plays, complete, unsynced" \
	" FROM week_plays WHERE week BETWEEN ?1 AND ?2"
#define REFUSALS                                                               \
	"SELECT r.station, r.week,"                                            \
	" sum(CASE WHEN r.reason IN ('wrong_prev', 'conflict', 'bad_payload'," \
	"  'wrong_station', 'future') THEN r.count ELSE 0 END),"               \
	" sum(r.reason = 'seq_gap' AND r.seq >= s.next_seq)"                   \
	" FROM rejections r JOIN stations s ON s.id = r.station"               \
	" WHERE r.week BETWEEN ?1 AND ?2"
	/* One station: its key prefix only (?3), not a scan of every station. */
	static const char *const sql[2][3] = {
		{ FACTS, PLAYS, REFUSALS " GROUP BY r.station, r.week" },
		{ FACTS " AND station = ?3", PLAYS " AND station = ?3",
		  REFUSALS " AND r.station = ?3 GROUP BY r.station, r.week" },
	};
#undef FACTS
#undef PLAYS
#undef REFUSALS
	int rc = AP_OK;
	for (int pass = 0; pass < 3 && !rc; pass++) {
		sqlite3_stmt *q;
		if ((rc = store_prepare(st, sql[station != NULL][pass], &q, e)))
			break;
		sqlite3_bind_int(q, 1, first_week);
		sqlite3_bind_int(q, 2, last_week);
		if (station)
			store_bind_text(q, 3, station);
		int step;
		while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
			struct store_hub_rollup r = { .kind = pass };
			r.station = (const char *)sqlite3_column_text(q, 0);
			r.week = sqlite3_column_int(q, 1);
			if (pass == STORE_HUB_ROLLUP_WEEK) {
				r.proofs = sqlite3_column_int64(q, 2);
				r.clock_steps = sqlite3_column_int64(q, 3);
				r.late_ms = sqlite3_column_int64(q, 4);
			} else if (pass == STORE_HUB_ROLLUP_PLAYS) {
				r.campaign = (const char *)sqlite3_column_text(q, 2);
				r.clip = (const char *)sqlite3_column_text(q, 3);
				r.local_min = sqlite3_column_int(q, 4);
				r.plays = sqlite3_column_int64(q, 5);
				r.complete = sqlite3_column_int64(q, 6);
				r.unsynced = sqlite3_column_int64(q, 7);
			} else {
				r.chain_breaks = sqlite3_column_int64(q, 2);
				r.seq_gaps = sqlite3_column_int64(q, 3);
			}
			rc = r.station ? cb(ctx, &r) : AP_OK;
		}
		if (!rc && step != SQLITE_DONE)
			rc = store_fail(st, e, "weekly rollup");
		sqlite3_finalize(q);
	}
	return rc;
}

int store_hub_week_records(struct store *st, const char *station, int week, store_hub_record_cb cb,
                           void *ctx, struct ap_err *e)
{
	sqlite3_stmt *q;
	int rc = store_prepare(
	    st,
	    "SELECT p.seq, p.kind, p.item, p.clip, p.campaign, p.status, p.event,"
	    " json_extract(CAST(p.payload AS TEXT), '$.detail'), p.at_ms, p.received_ms,"
	    " coalesce(p.started_ms, 0), coalesce(p.ended_ms, 0), p.clock_synced,"
	    " coalesce(p.local_min, -1),"
	    " p.clip IS NULL OR NOT EXISTS (SELECT 1 FROM clips) OR"
	    "  EXISTS (SELECT 1 FROM clips c WHERE c.sha256 = p.clip)"
	    " FROM proofs p WHERE p.station = ? AND p.week = ? ORDER BY p.seq",
	    &q, e);
	if (rc)
		return rc;
	store_bind_text(q, 1, station);
	sqlite3_bind_int(q, 2, week);
	int step;
	while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_hub_record r = {
			.seq = sqlite3_column_int64(q, 0),
			.kind = (const char *)sqlite3_column_text(q, 1),
			.item = (const char *)sqlite3_column_text(q, 2),
			.clip = (const char *)sqlite3_column_text(q, 3),
			.campaign = (const char *)sqlite3_column_text(q, 4),
			.status = (const char *)sqlite3_column_text(q, 5),
			.event = (const char *)sqlite3_column_text(q, 6),
			.detail = (const char *)sqlite3_column_text(q, 7),
			.at_ms = sqlite3_column_int64(q, 8),
			.received_ms = sqlite3_column_int64(q, 9),
			.started_ms = sqlite3_column_int64(q, 10),
			.ended_ms = sqlite3_column_int64(q, 11),
			.clock_synced = sqlite3_column_int(q, 12),
			.local_min = sqlite3_column_int(q, 13),
			.known_clip = sqlite3_column_int(q, 14),
		};
		rc = cb(ctx, &r);
	}
	if (!rc && step != SQLITE_DONE)
		rc = store_fail(st, e, "week records");
	sqlite3_finalize(q);
	return rc;
}

int store_hub_week_rejections(struct store *st, const char *station, int week,
                              store_hub_rejection_cb cb, void *ctx, struct ap_err *e)
{
	sqlite3_stmt *q;
	int rc = store_prepare(st,
	                       "SELECT reason, seq, count FROM rejections WHERE station = ? AND "
	                       "week = ? ORDER BY seq, reason",
	                       &q, e);
	if (rc)
		return rc;
	store_bind_text(q, 1, station);
	sqlite3_bind_int(q, 2, week);
	int step;
	while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = cb(ctx, (const char *)sqlite3_column_text(q, 0), sqlite3_column_int64(q, 1),
		        sqlite3_column_int64(q, 2));
	if (!rc && step != SQLITE_DONE)
		rc = store_fail(st, e, "week rejections");
	sqlite3_finalize(q);
	return rc;
}
