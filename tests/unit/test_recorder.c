/* proof/recorder.c and store/proofs.c on a real station database: the
 * appended chain verifies, duplicates are refused, the table is
 * append-only, the write-ahead of a play, and the daemon state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "proof/proof.h"
#include "store/store.h"
#include "tests/unit/support/proof_fixture.h"

struct fx {
	struct store *st;
	char dir[64];
	struct proof_key key;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f || sodium_init() < 0)
		return -1;
	crypto_sign_keypair(f->key.pk, f->key.sk);
	f->st = fx_station_db("xa-test", f->dir, sizeof(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	fx_station_db_remove(f->st, f->dir);
	free(f);
	return 0;
}

static int append(struct fx *f, struct proof_record *r, const struct proof_index *ix,
                  struct ap_err *e)
{
	int rc = store_begin(f->st, e);
	if (!rc)
		rc = proof_append_indexed(f->st, &f->key, r, ix, e);
	if (!rc)
		rc = store_commit(f->st, e);
	else
		store_rollback(f->st);
	return rc;
}

static void append_play(struct fx *f, const char *item)
{
	struct proof_record r;
	struct ap_err e = { 0 };
	fx_play(&r, "placeholder", item);
	if (append(f, &r, NULL, &e))
		fail_msg("append %s: %s", item, e.msg);
}

struct verify {
	struct proof_chain ch;
	int64_t n;
	int bad;
};

static int verify_one(const struct store_proof *p, void *arg)
{
	struct verify *v = arg;
	struct proof_record r;
	struct ap_err e = { 0 };
	if (proof_chain_next(&v->ch, p->payload, p->payload_len, p->sig, 0, &r, &e) != PROOF_OK ||
	    memcmp(v->ch.head, p->hash, 32) != 0) {
		v->bad = 1;
		return 1;
	}
	v->n++;
	return 0;
}

static int64_t verified_count(struct fx *f)
{
	struct verify v = { 0 };
	struct ap_err e = { 0 };
	proof_chain_init(&v.ch, "xa-test", f->key.pk);
	store_proofs_each(f->st, 1, verify_one, &v, &e);
	return v.bad ? -1 : v.n;
}

static void appended_proofs_form_a_chain_that_verifies(void **state)
{
	struct fx *f = *state;
	struct proof_record r;
	struct ap_err e = { 0 };
	append_play(f, "r1@1");
	fx_event(&r, "placeholder", "heartbeat", "");
	assert_int_equal(append(f, &r, NULL, &e), AP_OK);
	assert_int_equal(r.seq, 2);
	assert_string_equal(r.station, "xa-test"); /* from the database, not the caller */
	append_play(f, "r1@2");
	assert_int_equal(verified_count(f), 3);
}

static void duplicate_item_is_refused_and_writes_nothing(void **state)
{
	struct fx *f = *state;
	struct proof_record r;
	struct ap_err e = { 0 };
	int64_t seq;
	uint8_t h1[32], h2[32];
	append_play(f, "q3@2026-W48#1");
	store_proof_head(f->st, &seq, h1, &e);
	fx_play(&r, "x", "q3@2026-W48#1");
	assert_int_equal(append(f, &r, NULL, &e), AP_EUSER);
	assert_non_null(strstr(e.msg, "already recorded"));
	store_proof_head(f->st, &seq, h2, &e);
	assert_int_equal(seq, 1);
	assert_memory_equal(h1, h2, 32);
}

static void append_outside_a_transaction_is_refused(void **state)
{
	struct fx *f = *state;
	struct proof_record r;
	struct ap_err e = { 0 };
	fx_play(&r, "x", "r1@1");
	assert_int_equal(proof_append(f->st, &f->key, &r, &e), AP_EINTERNAL);
}

static int exec_sql(struct fx *f, const char *sql)
{
	char path[128];
	sqlite3 *db;
	snprintf(path, sizeof(path), "%s/airproof.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static void database_refuses_update_delete_and_replace_of_proofs(void **state)
{
	struct fx *f = *state;
	append_play(f, "r1@1");
	append_play(f, "r1@2");
	assert_int_not_equal(exec_sql(f, "UPDATE proofs SET status = 'complete'"), SQLITE_OK);
	assert_int_not_equal(exec_sql(f, "DELETE FROM proofs WHERE seq = 2"), SQLITE_OK);
	/* a plain connection, without recursive_triggers: REPLACE still refused */
	assert_int_not_equal(exec_sql(f, "INSERT OR REPLACE INTO proofs SELECT * FROM proofs"
	                                 " WHERE seq = 1"),
	                     SQLITE_OK);
	assert_int_not_equal(exec_sql(f, "REPLACE INTO proofs(seq, payload, sig, hash, kind,"
	                                 " at_ms, item) VALUES (9, 'x', 'x', 'x', 'play', 1,"
	                                 " 'r1@1')"),
	                     SQLITE_OK);
	assert_int_equal(verified_count(f), 2);
}

static void a_second_proof_with_the_same_seq_is_refused(void **state)
{
	struct fx *f = *state;
	struct store_proof p;
	struct ap_err e = { 0 };
	append_play(f, "r1@1");
	int64_t seq;
	memset(&p, 0, sizeof(p));
	store_proof_head(f->st, &seq, p.hash, &e);
	p.seq = 1;
	p.payload = "{}";
	p.payload_len = 2;
	snprintf(p.kind, sizeof(p.kind), "play");
	store_begin(f->st, &e);
	assert_int_not_equal(store_proof_insert(f->st, &p, &e), AP_OK);
	store_rollback(f->st);
	assert_int_equal(verified_count(f), 1);
}

static void missed_event_keeps_its_item_in_the_index_columns(void **state)
{
	struct fx *f = *state;
	struct proof_record r;
	struct proof_index ix = { .rule = 3, .scheduled_ms = 1795599900000LL };
	struct ap_err e = { 0 };
	snprintf(ix.item, sizeof(ix.item), "q3@2026-W48#1");
	snprintf(ix.campaign, sizeof(ix.campaign), "cchc");
	fx_event(&r, "x", "missed", "item q3@2026-W48#1 scheduled 01/12/2026 17:00: đài tắt");
	assert_int_equal(append(f, &r, &ix, &e), AP_OK);
	int64_t seq;
	assert_int_equal(store_proof_find_item(f->st, "q3@2026-W48#1", &seq, &e), AP_OK);
	assert_int_equal(seq, 1);
	/* a missed item is recorded once only, like a play */
	fx_play(&r, "x", "q3@2026-W48#1");
	assert_int_equal(append(f, &r, NULL, &e), AP_EUSER);
}

static int collect(const struct store_proof *p, void *arg)
{
	char *out = arg;
	strcat(out, p->item[0] ? p->item : p->event);
	strcat(out, p->status[0] ? ":" : "");
	strcat(out, p->status);
	strcat(out, " ");
	return 0;
}

static void log_range_holds_plays_missed_items_and_the_weeks_shortfall(void **state)
{
	struct fx *f = *state;
	struct proof_record r;
	struct proof_index ix = { .rule = 3 };
	struct ap_err e = { 0 };
	const int64_t from = 1795000000000LL, to = from + 7 * 86400000LL;
	fx_play(&r, "x", "before");
	r.started = from - 1;
	assert_int_equal(append(f, &r, NULL, &e), AP_OK);
	fx_play(&r, "x", "inside");
	r.started = from + 1000;
	assert_int_equal(append(f, &r, NULL, &e), AP_OK);
	fx_event(&r, "x", "missed", "item m1");
	snprintf(ix.item, sizeof(ix.item), "m1");
	ix.scheduled_ms = from + 500;
	assert_int_equal(append(f, &r, &ix, &e), AP_OK);
	fx_event(&r, "x", "shortfall", "week short");
	snprintf(ix.item, sizeof(ix.item), "shortfall:q3@W");
	ix.scheduled_ms = to;
	assert_int_equal(append(f, &r, &ix, &e), AP_OK);
	fx_event(&r, "x", "heartbeat", "");
	r.at = from + 2000;
	assert_int_equal(append(f, &r, NULL, &e), AP_OK);
	char got[256] = "";
	assert_int_equal(store_proofs_log(f->st, from, to, collect, got, &e), AP_OK);
	assert_string_equal(got, "m1:missed inside:complete shortfall:q3@W ");
}

static void pending_play_becomes_an_interrupted_proof_after_a_restart(void **state)
{
	struct fx *f = *state;
	struct proof_record r, back;
	struct ap_err e = { 0 };
	int found;
	fx_play(&r, "x", "r2@1");
	r.frames_played = 0;
	assert_int_equal(store_begin(f->st, &e), AP_OK);
	assert_int_equal(proof_pending_begin(f->st, &r, &e), AP_OK);
	assert_int_equal(store_commit(f->st, &e), AP_OK);
	assert_int_equal(store_begin(f->st, &e), AP_OK);
	assert_int_equal(store_pending_frames(f->st, 480000, &e), AP_OK);
	assert_int_equal(store_commit(f->st, &e), AP_OK);

	/* "restart" */
	assert_int_equal(proof_pending_load(f->st, &back, &found, &e), AP_OK);
	assert_true(found);
	assert_string_equal(back.item, "r2@1");
	assert_string_equal(back.status, "interrupted");
	assert_non_null(strstr(back.error, "power cut"));
	assert_int_equal(back.frames_played, 480000);
	assert_int_equal(back.ended, r.started + 10000);
	assert_int_equal(append(f, &back, NULL, &e), AP_OK);

	/* the write-ahead went with the proof, in the same transaction */
	assert_int_equal(proof_pending_load(f->st, &back, &found, &e), AP_OK);
	assert_false(found);
	assert_int_equal(verified_count(f), 1);
}

static void a_second_pending_play_is_refused(void **state)
{
	struct fx *f = *state;
	struct proof_record r;
	struct ap_err e = { 0 };
	fx_play(&r, "x", "r2@1");
	assert_int_equal(store_begin(f->st, &e), AP_OK);
	assert_int_equal(proof_pending_begin(f->st, &r, &e), AP_OK);
	fx_play(&r, "x", "r2@2");
	assert_int_equal(proof_pending_begin(f->st, &r, &e), AP_EINTERNAL);
	store_rollback(f->st);
}

static void daemon_state_round_trips(void **state)
{
	struct fx *f = *state;
	struct store_daemon_state ds = {
		.pid = 4242, .started_ms = 1, .updated_ms = 2, .next_ms = 3
	};
	struct store_daemon_state back;
	struct ap_err e = { 0 };
	int found;
	assert_int_equal(store_daemon_state_get(f->st, &back, &found, &e), AP_OK);
	assert_false(found);
	snprintf(ds.next_item, sizeof(ds.next_item), "q3@2026-W48#1");
	snprintf(ds.last_error, sizeof(ds.last_error), "không mở được thiết bị âm thanh");
	assert_int_equal(store_begin(f->st, &e), AP_OK);
	assert_int_equal(store_daemon_state_set(f->st, &ds, &e), AP_OK);
	ds.updated_ms = 5;
	assert_int_equal(store_daemon_state_set(f->st, &ds, &e), AP_OK);
	assert_int_equal(store_commit(f->st, &e), AP_OK);
	assert_int_equal(store_daemon_state_get(f->st, &back, &found, &e), AP_OK);
	assert_true(found);
	assert_memory_equal(&ds, &back, sizeof(ds));
}

static void sync_view_counts_unsynced_proofs(void **state)
{
	struct fx *f = *state;
	struct store_sync_view v;
	struct ap_err e = { 0 };
	append_play(f, "r1@1");
	append_play(f, "r1@2");
	assert_int_equal(store_proofs_sync_view(f->st, &v, &e), AP_OK);
	assert_int_equal(v.total, 2);
	assert_int_equal(v.unsynced, 2);
	/* the hub acknowledged seq 1 */
	assert_int_equal(store_begin(f->st, &e), AP_OK);
	assert_int_equal(store_sync_ack(f->st, 2, "", 1, "ok", &e), AP_OK);
	assert_int_equal(store_commit(f->st, &e), AP_OK);
	assert_int_equal(store_proofs_sync_view(f->st, &v, &e), AP_OK);
	assert_int_equal(v.total, 2);
	assert_int_equal(v.unsynced, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(appended_proofs_form_a_chain_that_verifies),
		T(duplicate_item_is_refused_and_writes_nothing),
		T(append_outside_a_transaction_is_refused),
		T(database_refuses_update_delete_and_replace_of_proofs),
		T(a_second_proof_with_the_same_seq_is_refused),
		T(missed_event_keeps_its_item_in_the_index_columns),
		T(log_range_holds_plays_missed_items_and_the_weeks_shortfall),
		T(pending_play_becomes_an_interrupted_proof_after_a_restart),
		T(a_second_pending_play_is_refused),
		T(daemon_state_round_trips),
		T(sync_view_counts_unsynced_proofs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
