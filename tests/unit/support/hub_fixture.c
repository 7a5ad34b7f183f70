/* Test helpers for hub/ and sync/ (see hub_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "common/aptime.h"
#include "common/hash.h"
#include "hub/hub.h"
#include "store/store.h"
#include "tests/unit/support/hub_fixture.h"

void hfx_chain_init(struct hfx_chain *c, const char *station)
{
	memset(c, 0, sizeof(*c));
	assert_true(sodium_init() >= 0);
	snprintf(c->station, sizeof(c->station), "%s", station);
	crypto_sign_keypair(c->key.pk, c->key.sk);
}

void hfx_sign(const struct hfx_chain *c, const char *payload, size_t len, struct hfx_proof *out)
{
	uint8_t sig[PROOF_SIG_LEN];
	out->payload = malloc(len + 1);
	assert_non_null(out->payload);
	memcpy(out->payload, payload, len);
	out->payload[len] = '\0';
	out->len = len;
	proof_sign(&c->key, payload, len, sig);
	hex_encode(sig, PROOF_SIG_LEN, out->sig);
}

static void finish(struct hfx_chain *c, struct proof_record *r, struct hfx_proof *out)
{
	struct ap_err e = { 0 };
	char *payload;
	size_t len;
	r->v = 1;
	snprintf(r->station, sizeof(r->station), "%s", c->station);
	r->seq = c->seq + 1;
	hex_encode(c->head, PROOF_HASH_LEN, r->prev);
	if (proof_encode(r, &payload, &len, &e))
		fail_msg("encode: %s", e.msg);
	hfx_sign(c, payload, len, out);
	free(payload);
	uint8_t sig[PROOF_SIG_LEN];
	assert_int_equal(hex_decode(out->sig, sig, PROOF_SIG_LEN), 0);
	proof_link_hash(out->payload, out->len, sig, c->head);
	c->seq++;
}

void hfx_play(struct hfx_chain *c, int64_t start_ms, const char *campaign, int clock_synced,
              struct hfx_proof *out)
{
	struct proof_record r;
	memset(&r, 0, sizeof(r));
	r.kind = PROOF_PLAY;
	r.at = start_ms + 60000;
	r.mono_ms = 42;
	r.clock_synced = clock_synced;
	snprintf(r.item, sizeof(r.item), "item-%lld", (long long)c->seq + 1);
	r.rule = 1;
	r.scheduled = r.started = start_ms;
	r.ended = start_ms + 60000;
	memset(r.clip, 'a', 64);
	snprintf(r.title, sizeof(r.title), "Cải cách hành chính");
	snprintf(r.campaign, sizeof(r.campaign), "%s", campaign);
	snprintf(r.lang, sizeof(r.lang), "vi");
	r.frames_expected = r.frames_played = 2880000;
	r.rate = 48000;
	r.channels = 2;
	memset(r.pcm_sha256, 'b', 64);
	snprintf(r.driver, sizeof(r.driver), "null");
	snprintf(r.output, sizeof(r.output), "fm");
	snprintf(r.status, sizeof(r.status), "complete");
	finish(c, &r, out);
}

void hfx_event(struct hfx_chain *c, int64_t at_ms, const char *event, struct hfx_proof *out)
{
	struct proof_record r;
	memset(&r, 0, sizeof(r));
	r.kind = PROOF_EVENT;
	r.at = at_ms;
	r.mono_ms = 7;
	r.clock_synced = 1;
	snprintf(r.event, sizeof(r.event), "%s", event);
	snprintf(r.detail, sizeof(r.detail), "test");
	finish(c, &r, out);
}

void hfx_proof_free(struct hfx_proof *p)
{
	free(p->payload);
	p->payload = NULL;
}

char *hfx_body(const char *station, const struct hfx_proof *p, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s%,s:s}", "payload", p[i].payload,
		                                     p[i].len, "sig", p[i].sig));
	json_t *root = json_pack("{s:s,s:o}", "station", station, "proofs", arr);
	char *text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	assert_non_null(text);
	return text;
}

struct store *hfx_hub_db(char *dir, size_t cap)
{
	char path[128];
	struct store *st = NULL;
	struct ap_err e = { 0 };
	snprintf(dir, cap, "/tmp/ap-hub-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hub.db", dir);
	if (store_open(path, STORE_HUB, 1, &st, &e))
		fail_msg("%s", e.msg);
	return st;
}

void hfx_enrol(struct store *st, const char *id, const char *group, const uint8_t pk[32])
{
	struct store_hub_station s = { 0 };
	struct ap_err e = { 0 };
	snprintf(s.id, sizeof(s.id), "%s", id);
	snprintf(s.name, sizeof(s.name), "Đài %s", id);
	snprintf(s.group, sizeof(s.group), "%s", group);
	hex_encode(pk, 32, s.pubkey);
	if (store_begin(st, &e) || store_hub_station_add(st, &s, 1, &e) || store_commit(st, &e))
		fail_msg("%s", e.msg);
}

void hfx_remove(struct store *st, const char *dir)
{
	char cmd[256];
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int digest_reason(void *ctx, const char *reason, int64_t count)
{
	char line[128];
	snprintf(line, sizeof(line), "rejected %s %lld\n", reason, (long long)count);
	sha256_update(ctx, line, strlen(line));
	return AP_OK;
}

void hfx_digest(struct store *st, char out[65])
{
	/* Stations, the proof count and the rejection counts, through the
	 * public read paths. */
	struct store_hub_station *s = NULL;
	size_t n = 0;
	int64_t proofs = 0;
	struct ap_err e = { 0 };
	assert_int_equal(store_hub_station_list(st, &s, &n, &e), AP_OK);
	assert_int_equal(store_hub_count_proofs(st, &proofs, &e), AP_OK);
	struct sha256 h;
	assert_int_equal(sha256_init(&h), 0);
	for (size_t i = 0; i < n; i++) {
		char line[512];
		snprintf(line, sizeof(line), "%s|%s|%s|%s|%lld|%s|%lld\n", s[i].id, s[i].name,
		         s[i].group, s[i].pubkey, (long long)s[i].next_seq, s[i].head,
		         (long long)s[i].last_seen_ms);
		sha256_update(&h, line, strlen(line));
	}
	sha256_update(&h, &proofs, sizeof(proofs));
	assert_int_equal(store_hub_rejection_totals(st, digest_reason, &h, &e), AP_OK);
	free(s);
	uint8_t d[32];
	sha256_final(&h, d);
	hex_encode(d, 32, out);
}
