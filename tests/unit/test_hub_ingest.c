/* hub/ingest.c with real signed proofs: what is accepted, what is refused
 * and why, and that refusals leave the hub as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/aptime.h"
#include "hub/hub.h"
#include "store/store.h"
#include "tests/unit/support/hub_fixture.h"

#define NOW 1795600000000LL /* 2026-11-26 */

struct fx {
	char dir[64];
	struct store *st;
	struct hfx_chain a;
	struct hfx_proof p[8];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	tz_use("Asia/Ho_Chi_Minh", NULL);
	f->st = hfx_hub_db(f->dir, sizeof(f->dir));
	hfx_chain_init(&f->a, "xa-a");
	hfx_enrol(f->st, "xa-a", "commune", f->a.key.pk);
	for (int i = 0; i < 8; i++)
		hfx_play(&f->a, NOW - (8 - i) * 3600000LL, "cchc", 1, &f->p[i]);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	for (int i = 0; i < 8; i++)
		hfx_proof_free(&f->p[i]);
	hfx_remove(f->st, f->dir);
	free(f);
	return 0;
}

static int ingest(struct fx *f, const char *station, const struct hfx_proof *p, size_t n,
                  struct hub_ingest_result *res)
{
	struct ap_err e = { 0 };
	char *body = hfx_body(station, p, n);
	int rc = hub_ingest(f->st, body, strlen(body), 0, NOW, res, &e);
	free(body);
	return rc;
}

static void a_valid_batch_is_accepted_and_moves_the_chain(void **state)
{
	struct fx *f = *state;
	struct hub_ingest_result r;
	assert_int_equal(ingest(f, "xa-a", f->p, 8, &r), AP_OK);
	assert_int_equal(r.accepted, 8);
	assert_int_equal(r.n_rejected, 0);
	assert_int_equal(r.next_seq, 9);
	struct store_hub_station s;
	assert_int_equal(store_hub_station_get(f->st, "xa-a", &s, NULL), AP_OK);
	assert_int_equal(s.next_seq, 9);
	assert_string_equal(s.head, r.head);
}

static void sending_the_same_batch_twice_only_counts_duplicates(void **state)
{
	struct fx *f = *state;
	struct hub_ingest_result r;
	assert_int_equal(ingest(f, "xa-a", f->p, 5, &r), AP_OK);
	assert_int_equal(ingest(f, "xa-a", f->p, 8, &r), AP_OK);
	assert_int_equal(r.duplicates, 5);
	assert_int_equal(r.accepted, 3);
	assert_int_equal(ingest(f, "xa-a", f->p, 8, &r), AP_OK);
	assert_int_equal(r.duplicates, 8);
	assert_int_equal(r.accepted, 0);
	assert_int_equal(r.next_seq, 9);
}

static void last_seen_moves_on_a_resend_of_duplicates_only(void **state)
{
	struct fx *f = *state;
	struct hub_ingest_result r;
	struct store_hub_station s;
	struct ap_err e = { 0 };
	assert_int_equal(ingest(f, "xa-a", f->p, 3, &r), AP_OK);
	char *body = hfx_body("xa-a", f->p, 3);
	assert_int_equal(hub_ingest(f->st, body, strlen(body), 0, NOW + 60000, &r, &e), AP_OK);
	free(body);
	assert_int_equal(r.duplicates, 3);
	assert_int_equal(store_hub_station_get(f->st, "xa-a", &s, &e), AP_OK);
	assert_int_equal(s.last_seen_ms, NOW + 60000);
	assert_int_equal(s.next_seq, 4);
}

static void last_seen_stays_when_no_signature_checks_out(void **state)
{
	struct fx *f = *state;
	struct hub_ingest_result r;
	struct store_hub_station s;
	struct hfx_chain other;
	struct hfx_proof forged;
	struct ap_err e = { 0 };
	hfx_chain_init(&other, "xa-a");
	hfx_play(&other, NOW - 3600000LL, "cchc", 1, &forged);
	assert_int_equal(ingest(f, "xa-a", &forged, 1, &r), AP_OK);
	assert_int_equal(r.n_rejected, 1);
	assert_int_equal(store_hub_station_get(f->st, "xa-a", &s, &e), AP_OK);
	assert_int_equal(s.last_seen_ms, 0);
	hfx_proof_free(&forged);
}

static void a_one_station_report_matches_its_row_of_the_full_report(void **state)
{
	struct fx *f = *state;
	struct hub_ingest_result r;
	struct hub_config cfg;
	struct hub_range range;
	struct hub_report *all = NULL, *one = NULL;
	struct ap_err e = { 0 };
	struct hfx_chain b;
	hfx_chain_init(&b, "xa-b");
	hfx_enrol(f->st, "xa-b", "commune", b.key.pk);
	hub_config_defaults(&cfg);
	cfg.n_policies = 1;
	cfg.policies[0] = (struct hub_policy){ .group = "commune",
		                               .campaign = "cchc",
		                               .per_week = 2,
		                               .win_start = -1,
		                               .win_end = -1 };
	assert_int_equal(ingest(f, "xa-a", f->p, 3, &r), AP_OK);
	hub_range_recent(NOW, 1, &range);
	assert_int_equal(hub_report_build(f->st, &cfg, &range, NOW, &all, &e), AP_OK);
	assert_int_equal(hub_report_build_station(f->st, &cfg, &range, "xa-a", &one, &e), AP_OK);
	assert_int_equal(all->n_stations, 2);
	assert_int_equal(one->n_stations, 1);
	assert_string_equal(one->stations[0].id, "xa-a");
	assert_int_equal(one->cells[0].status, all->cells[0].status);
	assert_int_equal(one->cells[0].plays_counted, all->cells[0].plays_counted);
	assert_int_equal(one->cells[0].plays_counted, 3);
	assert_int_equal(one->cells[0].status, HUB_COMPLIANT);
	hub_report_free(all);
	hub_report_free(one);
	assert_int_equal(hub_report_build_station(f->st, &cfg, &range, "xa-zz", &one, &e),
	                 AP_EUSER);
}

static void a_tampered_payload_is_refused_and_stops_the_batch(void **state)
{
	struct fx *f = *state;
	struct hub_ingest_result r;
	char *pos = strstr(f->p[2].payload, "\"cchc\"");
	assert_non_null(pos);
	pos[1] = 'x'; /* campaign "xchc": same length, bytes no longer signed */
	assert_int_equal(ingest(f, "xa-a", f->p, 8, &r), AP_OK);
	assert_int_equal(r.accepted, 2);
	assert_int_equal(r.n_rejected, 1);
	assert_int_equal(r.rejected[0].seq, 3);
	assert_string_equal(r.rejected[0].reason, "bad_signature");
	assert_int_equal(r.next_seq, 3);
}

static void a_forged_proof_leaves_no_trace_at_the_hub(void **state)
{
	struct fx *f = *state;
	struct hub_ingest_result r;
	char before[65], after[65];
	hfx_digest(f->st, before);
	char *pos = strstr(f->p[0].payload, "\"cchc\"");
	assert_non_null(pos);
	pos[1] = 'x';
	assert_int_equal(ingest(f, "xa-a", f->p, 3, &r), AP_OK);
	assert_int_equal(r.accepted, 0);
	assert_string_equal(r.rejected[0].reason, "bad_signature");
	hfx_digest(f->st, after);
	assert_string_equal(before, after);
}

static void a_proof_signed_by_another_key_is_refused(void **state)
{
	struct fx *f = *state;
	struct hfx_chain other;
	struct hfx_proof p;
	struct hub_ingest_result r;
	hfx_chain_init(&other, "xa-a");
	hfx_play(&other, NOW - 3600000, "cchc", 1, &p);
	assert_int_equal(ingest(f, "xa-a", &p, 1, &r), AP_OK);
	assert_int_equal(r.accepted, 0);
	assert_string_equal(r.rejected[0].reason, "bad_signature");
	hfx_proof_free(&p);
}

static void a_replay_under_another_station_id_is_refused(void **state)
{
	struct fx *f = *state;
	struct hfx_chain b;
	struct hub_ingest_result r;
	hfx_chain_init(&b, "xa-b");
	hfx_enrol(f->st, "xa-b", "commune", b.key.pk);
	assert_int_equal(ingest(f, "xa-b", f->p, 1, &r), AP_OK);
	assert_int_equal(r.accepted, 0);
	assert_string_equal(r.rejected[0].reason, "bad_signature");
	/* even with the same key enrolled twice, the payload names its station */
	hfx_enrol(f->st, "xa-c", "commune", f->a.key.pk);
	assert_int_equal(ingest(f, "xa-c", f->p, 1, &r), AP_OK);
	assert_int_equal(r.accepted, 0);
	assert_string_equal(r.rejected[0].reason, "wrong_station");
}

static void a_seq_beyond_the_next_is_a_gap(void **state)
{
	struct fx *f = *state;
	struct hub_ingest_result r;
	assert_int_equal(ingest(f, "xa-a", &f->p[1], 3, &r), AP_OK);
	assert_int_equal(r.accepted, 0);
	assert_int_equal(r.rejected[0].seq, 2);
	assert_string_equal(r.rejected[0].reason, "seq_gap");
	assert_int_equal(r.next_seq, 1);
}

static void a_reordered_batch_stops_at_the_first_out_of_order_proof(void **state)
{
	struct fx *f = *state;
	struct hfx_proof swapped[3] = { f->p[0], f->p[2], f->p[1] };
	struct hub_ingest_result r;
	assert_int_equal(ingest(f, "xa-a", swapped, 3, &r), AP_OK);
	assert_int_equal(r.accepted, 1);
	assert_string_equal(r.rejected[0].reason, "seq_gap");
	assert_int_equal(r.next_seq, 2);
}

static void a_signed_payload_with_duplicate_keys_is_refused(void **state)
{
	struct fx *f = *state;
	struct hfx_proof p;
	struct hub_ingest_result r;
	char text[20000];
	/* the first proof with "v":1 twice, correctly signed */
	snprintf(text, sizeof(text), "{\"v\":1,%s", f->p[0].payload + 1);
	hfx_sign(&f->a, text, strlen(text), &p);
	assert_int_equal(ingest(f, "xa-a", &p, 1, &r), AP_OK);
	assert_int_equal(r.accepted, 0);
	assert_string_equal(r.rejected[0].reason, "bad_payload");
	hfx_proof_free(&p);
}

static void a_stored_seq_with_other_bytes_is_a_conflict(void **state)
{
	struct fx *f = *state;
	struct hub_ingest_result r;
	assert_int_equal(ingest(f, "xa-a", f->p, 2, &r), AP_OK);
	/* a second chain from the same key: seq 1 again, different bytes */
	struct hfx_chain fork = f->a;
	struct hfx_proof p;
	fork.seq = 0;
	memset(fork.head, 0, sizeof(fork.head));
	hfx_play(&fork, NOW - 100000, "cchc", 1, &p);
	assert_int_equal(ingest(f, "xa-a", &p, 1, &r), AP_OK);
	assert_int_equal(r.duplicates, 0);
	assert_string_equal(r.rejected[0].reason, "conflict");
	assert_int_equal(r.next_seq, 3);
	hfx_proof_free(&p);
}

static void bad_documents_change_nothing(void **state)
{
	struct fx *f = *state;
	struct hub_ingest_result r;
	struct ap_err e = { 0 };
	char before[65], after[65];
	hfx_digest(f->st, before);
	static const char *const docs[] = {
		"",
		"{",
		"[]",
		"{\"station\":\"xa-a\",\"station\":\"xa-a\",\"proofs\":[]}",
		"{\"station\":\"xa-a\"}",
		"{\"station\":\"xa-a\",\"proofs\":[{\"payload\":\"{}\"}]}",
		"{\"station\":\"xa-a\",\"proofs\":[{\"payload\":\"{}\",\"sig\":\"zz\"}]}",
		"{\"station\":\"xa-a\",\"proofs\":[],\"extra\":1}",
		"{\"station\":\"Bad Id\",\"proofs\":[]}",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		assert_int_equal(hub_ingest(f->st, docs[i], strlen(docs[i]), 0, NOW, &r, &e),
		                 AP_EUSER);
		assert_false(r.unknown_station);
	}
	char *body = hfx_body("nobody", f->p, 2);
	assert_int_equal(hub_ingest(f->st, body, strlen(body), 0, NOW, &r, &e), AP_EUSER);
	assert_true(r.unknown_station);
	free(body);
	hfx_digest(f->st, after);
	assert_string_equal(before, after);
}

static void a_bundle_with_another_public_key_is_refused(void **state)
{
	struct fx *f = *state;
	struct hub_ingest_result r;
	struct ap_err e = { 0 };
	char doc[256];
	snprintf(doc, sizeof(doc),
	         "{\"format\":\"airproof-bundle-v1\",\"station\":\"xa-a\",\"pubkey\":\"%064d\","
	         "\"proofs\":[]}",
	         0);
	assert_int_equal(hub_ingest(f->st, doc, strlen(doc), 1, NOW, &r, &e), AP_EUSER);
	assert_non_null(strstr(e.msg, "public key"));
	/* and an upload may not carry bundle keys */
	assert_int_equal(hub_ingest(f->st, doc, strlen(doc), 0, NOW, &r, &e), AP_EUSER);
}

static void a_proof_from_the_future_is_refused(void **state)
{
	struct fx *f = *state;
	struct hfx_chain c = f->a;
	struct hfx_proof p;
	struct hub_ingest_result r;
	c.seq = 0;
	memset(c.head, 0, sizeof(c.head));
	hfx_play(&c, NOW + 3600000, "cchc", 1, &p);
	assert_int_equal(ingest(f, "xa-a", &p, 1, &r), AP_OK);
	assert_string_equal(r.rejected[0].reason, "future");
	hfx_proof_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
		T(a_valid_batch_is_accepted_and_moves_the_chain),
		T(sending_the_same_batch_twice_only_counts_duplicates),
		T(a_one_station_report_matches_its_row_of_the_full_report),
		T(last_seen_moves_on_a_resend_of_duplicates_only),
		T(last_seen_stays_when_no_signature_checks_out),
		T(a_tampered_payload_is_refused_and_stops_the_batch),
		T(a_forged_proof_leaves_no_trace_at_the_hub),
		T(a_proof_signed_by_another_key_is_refused),
		T(a_replay_under_another_station_id_is_refused),
		T(a_seq_beyond_the_next_is_a_gap),
		T(a_reordered_batch_stops_at_the_first_out_of_order_proof),
		T(a_signed_payload_with_duplicate_keys_is_refused),
		T(a_stored_seq_with_other_bytes_is_a_conflict),
		T(bad_documents_change_nothing),
		T(a_bundle_with_another_public_key_is_refused),
		T(a_proof_from_the_future_is_refused),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
