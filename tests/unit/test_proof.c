/* proof/: encoding, strict parsing, signatures and the chain verifier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "common/hash.h"
#include "proof/proof.h"
#include "tests/unit/support/proof_fixture.h"

#define NOW 1795600000000LL

static char *encode(const struct proof_record *r, size_t *len)
{
	char *out;
	struct ap_err e = { 0 };
	if (proof_encode(r, &out, len, &e))
		fail_msg("encode: %s", e.msg);
	return out;
}

static void play_record_round_trips_with_vietnamese_title(void **state)
{
	(void)state;
	struct proof_record r, back;
	struct ap_err e = { 0 };
	size_t len;
	fx_play(&r, "lamdong-malam", "q3@2026-W48#1");
	snprintf(r.makegood_of, sizeof(r.makegood_of), "r2@1795599000000");
	char *p = encode(&r, &len);
	assert_non_null(strstr(p, "\"title\":\"Cải cách hành chính: dịch vụ công trực tuyến\""));
	assert_int_equal(proof_parse(p, len, &back, &e), AP_OK);
	assert_memory_equal(&r, &back, sizeof(r));
	free(p);
}

static void event_record_round_trips(void **state)
{
	(void)state;
	struct proof_record r, back;
	struct ap_err e = { 0 };
	size_t len;
	fx_event(&r, "lamdong-malam", "missed",
	         "item q3@2026-W48#1 scheduled 01/12/2026 17:00: \"đài\" tắt\n");
	char *p = encode(&r, &len);
	assert_int_equal(proof_parse(p, len, &back, &e), AP_OK);
	assert_memory_equal(&r, &back, sizeof(r));
	free(p);
}

static const char golden[] =
    "{\"v\":1,\"station\":\"lamdong-malam\",\"seq\":1,\"prev\":"
    "\"0000000000000000000000000000000000000000000000000000000000000000\",\"kind\":\"play\","
    "\"at\":1795600000000,\"mono_ms\":123456,\"clock_synced\":true,\"item\":\"q3@2026-W48#1\","
    "\"rule\":null,\"scheduled\":1795599900000,\"started\":1795599900250,"
    "\"ended\":1795599960250,\"clip\":"
    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"title\":\"Cải "
    "cách hành chính: dịch vụ công trực tuyến\",\"campaign\":\"cchc\",\"lang\":\"vi\","
    "\"approved_by\":\"Nguyễn Văn An\",\"frames_expected\":2880000,\"frames_played\":1440000,"
    "\"rate\":48000,\"channels\":2,\"gain_db\":-3.25,\"loudness_lufs\":-16.0,\"pcm_sha256\":"
    "\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"driver\":\"null\","
    "\"output\":\"fm\",\"status\":\"interrupted\",\"error\":\"power cut\"}";

static void fixed_record_encodes_to_exact_bytes_in_fixed_key_order(void **state)
{
	(void)state;
	struct proof_record r;
	size_t len;
	fx_play(&r, "lamdong-malam", "q3@2026-W48#1");
	r.rule = 0;
	r.frames_played = 1440000;
	r.loudness_lufs = -16.0;
	snprintf(r.status, sizeof(r.status), "interrupted");
	snprintf(r.error, sizeof(r.error), "power cut");
	char *p = encode(&r, &len);
	assert_string_equal(p, golden);
	assert_int_equal(len, strlen(golden));
	free(p);
}

static void reals_are_rounded_to_two_decimals_and_parse_back(void **state)
{
	(void)state;
	struct proof_record r, back;
	struct ap_err e = { 0 };
	size_t len;
	fx_play(&r, "lamdong-malam", "x");
	r.gain_db = 0.1 + 0.2; /* 0.30000000000000004 */
	r.loudness_lufs = -23.456;
	char *p = encode(&r, &len);
	assert_non_null(strstr(p, "\"gain_db\":0.3,\"loudness_lufs\":-23.46,"));
	assert_int_equal(proof_parse(p, len, &back, &e), AP_OK);
	assert_true(back.gain_db == 0.3);
	assert_true(back.loudness_lufs == -23.46);
	free(p);
}

static void encoder_refuses_what_the_parser_would(void **state)
{
	(void)state;
	struct proof_record r;
	struct ap_err e = { 0 };
	char *p;
	size_t len;
	fx_play(&r, "lamdong-malam", "x");
	snprintf(r.error, sizeof(r.error), "should not be here");
	assert_int_equal(proof_encode(&r, &p, &len, &e), AP_EUSER);
	assert_null(p);
	fx_play(&r, "lamdong-malam", "x");
	r.clip[0] = 'A';
	assert_int_equal(proof_encode(&r, &p, &len, &e), AP_EUSER);
	fx_play(&r, "lamdong-malam", "x");
	memcpy(r.title, "bad \xff utf-8", 12);
	assert_int_equal(proof_encode(&r, &p, &len, &e), AP_EUSER);
}

/* ---- strict parsing ---- */

/* golden with the first occurrence of from replaced by to */
static char *edited(const char *from, const char *to)
{
	const char *at = strstr(golden, from);
	assert_non_null(at);
	size_t n = strlen(golden) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - golden), golden, to, at + strlen(from));
	return out;
}

static void expect_parse_refused(const char *payload, size_t len, const char *needle)
{
	struct proof_record r;
	struct ap_err e = { 0 };
	assert_int_equal(proof_parse(payload, len, &r, &e), AP_EUSER);
	if (!strstr(e.msg, needle))
		fail_msg("message '%s' lacks '%s'", e.msg, needle);
}

static void expect_edit_refused(const char *from, const char *to, const char *needle)
{
	char *p = edited(from, to);
	expect_parse_refused(p, strlen(p), needle);
	free(p);
}

static void golden_payload_parses(void **state)
{
	(void)state;
	struct proof_record r;
	struct ap_err e = { 0 };
	assert_int_equal(proof_parse(golden, strlen(golden), &r, &e), AP_OK);
	assert_int_equal(r.frames_played, 1440000);
	assert_int_equal(r.rule, 0);
}

static void parse_refuses_duplicate_keys(void **state)
{
	(void)state;
	expect_edit_refused("\"seq\":1,", "\"seq\":1,\"seq\":1,", "duplicate");
}

static void parse_refuses_unknown_version_and_version_as_string(void **state)
{
	(void)state;
	expect_edit_refused("\"v\":1", "\"v\":2", "unknown format version");
	expect_edit_refused("\"v\":1", "\"v\":\"1\"", "'v': not an integer");
	expect_edit_refused("\"v\":1", "\"v\":1.0", "'v': not an integer");
}

static void parse_refuses_missing_and_unknown_fields(void **state)
{
	(void)state;
	expect_edit_refused("\"lang\":\"vi\",", "", "'lang': missing");
	expect_edit_refused("\"lang\":\"vi\",", "\"lang\":\"vi\",\"colour\":\"red\",",
	                    "'colour': unknown");
	expect_edit_refused("\"kind\":\"play\"", "\"kind\":\"song\"", "not play or event");
}

static void parse_accepts_an_event_name_it_does_not_know(void **state)
{
	(void)state;
	struct proof_record r, back;
	struct ap_err e = { 0 };
	char *payload;
	size_t len;
	fx_event(&r, "lamdong-malam", "disk_full_2", "a newer station's event");
	assert_int_equal(proof_encode(&r, &payload, &len, &e), AP_OK);
	assert_int_equal(proof_parse(payload, len, &back, &e), AP_OK);
	assert_string_equal(back.event, "disk_full_2");
	free(payload);
}

static void parse_refuses_an_event_name_that_is_not_an_identifier(void **state)
{
	(void)state;
	struct proof_record r;
	struct ap_err e = { 0 };
	char *payload;
	size_t len;
	const char *bad_names[] = { "", "Missed", "1st", "disk full", "a-b", "mißed" };
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		fx_event(&r, "lamdong-malam", "heartbeat", "x");
		assert_int_equal(proof_encode(&r, &payload, &len, &e), AP_OK);
		char *at = strstr(payload, "\"event\":\"heartbeat\"");
		assert_non_null(at);
		char buf[4096];
		snprintf(buf, sizeof(buf), "%.*s\"event\":\"%s\"%s", (int)(at - payload), payload,
		         bad_names[i], at + strlen("\"event\":\"heartbeat\""));
		expect_parse_refused(buf, strlen(buf), "event");
		free(payload);
	}
}

static void parse_refuses_wrong_types(void **state)
{
	(void)state;
	expect_edit_refused("\"seq\":1", "\"seq\":\"1\"", "'seq': not an integer");
	expect_edit_refused("\"clock_synced\":true", "\"clock_synced\":1", "not true or false");
	expect_edit_refused("\"gain_db\":-3.25", "\"gain_db\":-3", "not a real number");
	expect_edit_refused("\"rate\":48000", "\"rate\":null", "not an integer");
	expect_edit_refused("\"status\":\"interrupted\"", "\"status\":\"played\"",
	                    "not complete, interrupted or failed");
	expect_edit_refused("\"seq\":1", "\"seq\":0", "out of range");
}

static void parse_refuses_trailing_garbage_and_non_objects(void **state)
{
	(void)state;
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s{}", golden);
	expect_parse_refused(buf, strlen(buf), "not valid JSON");
	expect_parse_refused("[1]", 3, "not a JSON object");
	expect_parse_refused("", 0, "not valid JSON");
	/* the length counts, not the NUL: a NUL inside the bytes is refused */
	snprintf(buf, sizeof(buf), "%s", golden);
	expect_parse_refused(buf, strlen(buf) + 1, "not valid JSON");
}

static void parse_refuses_invalid_utf8(void **state)
{
	(void)state;
	expect_edit_refused("Nguyễn", "Nguy\xc3\x28n", "not valid JSON");
	expect_edit_refused("Nguyễn", "Nguy\xed\xa0\x80n", "not valid JSON"); /* surrogate */
}

static void parse_refuses_uppercase_and_short_hex(void **state)
{
	(void)state;
	expect_edit_refused("bbbbbbbb", "BBBBBBBB", "'pcm_sha256': not 64 lowercase hex");
	expect_edit_refused("\"clip\":\"a", "\"clip\":\"", "'clip': not 64 lowercase hex");
}

static void parse_refuses_bad_station_and_oversized_payload(void **state)
{
	(void)state;
	expect_edit_refused("lamdong-malam", "Lamdong", "not a valid station id");
	char *big = malloc(PROOF_MAX_PAYLOAD + 2);
	assert_non_null(big);
	memset(big, ' ', PROOF_MAX_PAYLOAD + 1);
	big[PROOF_MAX_PAYLOAD + 1] = '\0';
	expect_parse_refused(big, PROOF_MAX_PAYLOAD + 1, "over the");
	free(big);
}

/* ---- signatures ---- */

static struct proof_key key_a, key_b;

static int make_keys(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	crypto_sign_keypair(key_a.pk, key_a.sk);
	crypto_sign_keypair(key_b.pk, key_b.sk);
	return 0;
}

static void signature_verifies_and_a_changed_byte_does_not(void **state)
{
	(void)state;
	uint8_t sig[PROOF_SIG_LEN];
	char p[sizeof(golden)];
	memcpy(p, golden, sizeof(golden));
	proof_sign(&key_a, p, strlen(p), sig);
	assert_true(proof_sig_ok(key_a.pk, p, strlen(p), sig));
	assert_false(proof_sig_ok(key_b.pk, p, strlen(p), sig));
	p[100] ^= 1;
	assert_false(proof_sig_ok(key_a.pk, p, strlen(p), sig));
}

static void signature_covers_the_domain_prefix(void **state)
{
	(void)state;
	uint8_t sig[PROOF_SIG_LEN];
	proof_sign(&key_a, golden, strlen(golden), sig);
	/* a plain Ed25519 signature of the payload alone is not a proof */
	uint8_t plain[crypto_sign_BYTES];
	crypto_sign_detached(plain, NULL, (const uint8_t *)golden, strlen(golden), key_a.sk);
	assert_false(proof_sig_ok(key_a.pk, golden, strlen(golden), plain));
	assert_memory_not_equal(sig, plain, PROOF_SIG_LEN);
}

static void link_hash_is_sha256_of_payload_and_signature(void **state)
{
	(void)state;
	uint8_t sig[PROOF_SIG_LEN], h[PROOF_HASH_LEN], want[PROOF_HASH_LEN];
	char buf[sizeof(golden) + PROOF_SIG_LEN];
	proof_sign(&key_a, golden, strlen(golden), sig);
	proof_link_hash(golden, strlen(golden), sig, h);
	memcpy(buf, golden, strlen(golden));
	memcpy(buf + strlen(golden), sig, PROOF_SIG_LEN);
	sha256_buf(buf, strlen(golden) + PROOF_SIG_LEN, want);
	assert_memory_equal(h, want, PROOF_HASH_LEN);
}

/* ---- the chain ---- */

struct signed_proof {
	char *payload;
	size_t len;
	uint8_t sig[PROOF_SIG_LEN];
};

/* Builds a valid chain of n records for station, signed by k. */
static struct signed_proof *make_chain(const struct proof_key *k, const char *station, int n)
{
	struct signed_proof *c = calloc((size_t)n, sizeof(*c));
	uint8_t head[PROOF_HASH_LEN] = { 0 };
	struct proof_record r;
	assert_non_null(c);
	for (int i = 0; i < n; i++) {
		char item[32];
		snprintf(item, sizeof(item), "r1@%d", i);
		if (i % 3 == 2)
			fx_event(&r, station, "heartbeat", "ngày mới");
		else
			fx_play(&r, station, item);
		r.seq = i + 1;
		hex_encode(head, PROOF_HASH_LEN, r.prev);
		c[i].payload = encode(&r, &c[i].len);
		proof_sign(k, c[i].payload, c[i].len, c[i].sig);
		proof_link_hash(c[i].payload, c[i].len, c[i].sig, head);
	}
	return c;
}

static void free_chain(struct signed_proof *c, int n)
{
	for (int i = 0; i < n; i++)
		free(c[i].payload);
	free(c);
}

static enum proof_reject next(struct proof_chain *ch, const struct signed_proof *p)
{
	struct proof_record r;
	struct ap_err e = { 0 };
	return proof_chain_next(ch, p->payload, p->len, p->sig, NOW, &r, &e);
}

static void chain_of_1000_records_verifies(void **state)
{
	(void)state;
	struct signed_proof *c = make_chain(&key_a, "xa-a", 1000);
	struct proof_chain ch;
	proof_chain_init(&ch, "xa-a", key_a.pk);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(next(&ch, &c[i]), PROOF_OK);
	assert_int_equal(ch.next_seq, 1001);
	uint8_t want[PROOF_HASH_LEN];
	proof_link_hash(c[999].payload, c[999].len, c[999].sig, want);
	assert_memory_equal(ch.head, want, PROOF_HASH_LEN);
	free_chain(c, 1000);
}

static void chain_refuses_a_gap_and_stays_where_it_was(void **state)
{
	(void)state;
	struct signed_proof *c = make_chain(&key_a, "xa-a", 3);
	struct proof_chain ch, before;
	proof_chain_init(&ch, "xa-a", key_a.pk);
	assert_int_equal(next(&ch, &c[0]), PROOF_OK);
	before = ch;
	assert_int_equal(next(&ch, &c[2]), PROOF_SEQ_GAP);
	assert_memory_equal(&ch, &before, sizeof(ch));
	assert_int_equal(next(&ch, &c[1]), PROOF_OK);
	free_chain(c, 3);
}

static void chain_refuses_an_old_seq(void **state)
{
	(void)state;
	struct signed_proof *c = make_chain(&key_a, "xa-a", 2);
	struct proof_chain ch;
	proof_chain_init(&ch, "xa-a", key_a.pk);
	assert_int_equal(next(&ch, &c[0]), PROOF_OK);
	assert_int_equal(next(&ch, &c[1]), PROOF_OK);
	assert_int_equal(next(&ch, &c[0]), PROOF_SEQ_OLD);
	free_chain(c, 2);
}

static void chain_refuses_a_wrong_prev(void **state)
{
	(void)state;
	struct signed_proof *c = make_chain(&key_a, "xa-a", 2);
	struct proof_record r;
	struct signed_proof forged;
	fx_play(&r, "xa-a", "r1@x");
	r.seq = 2;
	memset(r.prev, 'c', 64); /* correctly signed, but not linked to seq 1 */
	forged.payload = encode(&r, &forged.len);
	proof_sign(&key_a, forged.payload, forged.len, forged.sig);
	struct proof_chain ch;
	proof_chain_init(&ch, "xa-a", key_a.pk);
	assert_int_equal(next(&ch, &c[0]), PROOF_OK);
	assert_int_equal(next(&ch, &forged), PROOF_WRONG_PREV);
	assert_int_equal(next(&ch, &c[1]), PROOF_OK);
	free(forged.payload);
	free_chain(c, 2);
}

static void chain_refuses_a_record_signed_for_another_station(void **state)
{
	(void)state;
	struct signed_proof *c = make_chain(&key_a, "xa-a", 1);
	struct proof_chain ch;
	/* station B enrolled with A's key (a copied key file): the binding to
	 * the station name still catches it */
	proof_chain_init(&ch, "xa-b", key_a.pk);
	assert_int_equal(next(&ch, &c[0]), PROOF_WRONG_STATION);
	/* with B's own key, A's signature does not verify at all */
	proof_chain_init(&ch, "xa-b", key_b.pk);
	assert_int_equal(next(&ch, &c[0]), PROOF_BAD_SIGNATURE);
	free_chain(c, 1);
}

static void chain_refuses_a_tampered_payload_as_bad_signature(void **state)
{
	(void)state;
	struct signed_proof *c = make_chain(&key_a, "xa-a", 1);
	struct proof_chain ch;
	struct proof_record r;
	struct ap_err e = { 0 };
	char *at = strstr(c[0].payload, "\"complete\"");
	memcpy(at, "\"failed\"  ", 10); /* still parses; signature no longer fits */
	proof_chain_init(&ch, "xa-a", key_a.pk);
	assert_int_equal(proof_chain_next(&ch, c[0].payload, c[0].len, c[0].sig, NOW, &r, &e),
	                 PROOF_BAD_SIGNATURE);
	assert_non_null(strstr(e.msg, "signature"));
	free_chain(c, 1);
}

static void chain_refuses_a_signed_but_malformed_payload(void **state)
{
	(void)state;
	struct signed_proof p;
	struct proof_chain ch;
	p.payload = edited("\"seq\":1", "\"seq\":\"1\"");
	p.len = strlen(p.payload);
	proof_sign(&key_a, p.payload, p.len, p.sig);
	proof_chain_init(&ch, "lamdong-malam", key_a.pk);
	assert_int_equal(next(&ch, &p), PROOF_BAD_PAYLOAD);
	free(p.payload);
}

static void chain_refuses_a_record_from_the_future(void **state)
{
	(void)state;
	struct proof_record r, out;
	struct signed_proof p;
	struct proof_chain ch;
	struct ap_err e = { 0 };
	fx_play(&r, "xa-a", "r1@1");
	r.at = NOW + 6 * 60 * 1000;
	p.payload = encode(&r, &p.len);
	proof_sign(&key_a, p.payload, p.len, p.sig);
	proof_chain_init(&ch, "xa-a", key_a.pk);
	assert_int_equal(proof_chain_next(&ch, p.payload, p.len, p.sig, NOW, &out, &e),
	                 PROOF_FUTURE);
	/* 4 minutes ahead is clock jitter: accepted */
	assert_int_equal(
	    proof_chain_next(&ch, p.payload, p.len, p.sig, NOW + 2 * 60 * 1000, &out, &e),
	    PROOF_OK);
	free(p.payload);
}

static void reject_names_are_stable(void **state)
{
	(void)state;
	assert_string_equal(proof_reject_name(PROOF_BAD_SIGNATURE), "bad_signature");
	assert_string_equal(proof_reject_name(PROOF_BAD_PAYLOAD), "bad_payload");
	assert_string_equal(proof_reject_name(PROOF_WRONG_STATION), "wrong_station");
	assert_string_equal(proof_reject_name(PROOF_SEQ_GAP), "seq_gap");
	assert_string_equal(proof_reject_name(PROOF_SEQ_OLD), "seq_old");
	assert_string_equal(proof_reject_name(PROOF_WRONG_PREV), "wrong_prev");
	assert_string_equal(proof_reject_name(PROOF_FUTURE), "future");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(play_record_round_trips_with_vietnamese_title),
		cmocka_unit_test(event_record_round_trips),
		cmocka_unit_test(parse_accepts_an_event_name_it_does_not_know),
		cmocka_unit_test(parse_refuses_an_event_name_that_is_not_an_identifier),
		cmocka_unit_test(fixed_record_encodes_to_exact_bytes_in_fixed_key_order),
		cmocka_unit_test(reals_are_rounded_to_two_decimals_and_parse_back),
		cmocka_unit_test(encoder_refuses_what_the_parser_would),
		cmocka_unit_test(golden_payload_parses),
		cmocka_unit_test(parse_refuses_duplicate_keys),
		cmocka_unit_test(parse_refuses_unknown_version_and_version_as_string),
		cmocka_unit_test(parse_refuses_missing_and_unknown_fields),
		cmocka_unit_test(parse_refuses_wrong_types),
		cmocka_unit_test(parse_refuses_trailing_garbage_and_non_objects),
		cmocka_unit_test(parse_refuses_invalid_utf8),
		cmocka_unit_test(parse_refuses_uppercase_and_short_hex),
		cmocka_unit_test(parse_refuses_bad_station_and_oversized_payload),
		cmocka_unit_test(signature_verifies_and_a_changed_byte_does_not),
		cmocka_unit_test(signature_covers_the_domain_prefix),
		cmocka_unit_test(link_hash_is_sha256_of_payload_and_signature),
		cmocka_unit_test(chain_of_1000_records_verifies),
		cmocka_unit_test(chain_refuses_a_gap_and_stays_where_it_was),
		cmocka_unit_test(chain_refuses_an_old_seq),
		cmocka_unit_test(chain_refuses_a_wrong_prev),
		cmocka_unit_test(chain_refuses_a_record_signed_for_another_station),
		cmocka_unit_test(chain_refuses_a_tampered_payload_as_bad_signature),
		cmocka_unit_test(chain_refuses_a_signed_but_malformed_payload),
		cmocka_unit_test(chain_refuses_a_record_from_the_future),
		cmocka_unit_test(reject_names_are_stable),
	};
	return cmocka_run_group_tests(tests, make_keys, NULL);
}
