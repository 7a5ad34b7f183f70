/* proof_bench: how fast a station records proofs and a verifier checks them.
 *
 *   proof_bench DIR [APPENDS] [VERIFIES]
 *
 * 1. APPENDS proofs signed and appended one transaction each (as the daemon
 *    does) into a station database in DIR (WAL, synchronous=FULL), against
 *    the same number of bare SQLite inserts of rows the same size, one
 *    transaction each: the peer that shows what signing costs above fsync.
 * 2. VERIFIES records through proof_chain_next (signature, strict parse,
 *    chain link) against raw crypto_sign_verify_detached over the same
 *    messages, in the same run, interleaved; best of 5 rounds for each (the
 *    machine is shared, so the best round is the least disturbed one).
 * Prints a Markdown table. */
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hash.h"
#include "proof/proof.h"
#include "store/store.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct ap_err *e)
{
	fprintf(stderr, "proof_bench: %s: %s\n", what, e ? e->msg : "failed");
	exit(2);
}

static void fill_play(struct proof_record *r, int i)
{
	memset(r, 0, sizeof(*r));
	r->kind = PROOF_PLAY;
	r->at = 1795600000000LL + i * 60000LL;
	r->mono_ms = 1000 + i;
	r->clock_synced = 1;
	snprintf(r->item, sizeof(r->item), "q3@2026-W48#%d", i + 1);
	r->rule = 3;
	r->scheduled = r->at - 60000;
	r->started = r->scheduled + 250;
	r->ended = r->at;
	memset(r->clip, 'a', 64);
	snprintf(r->title, sizeof(r->title), "Cải cách hành chính: dịch vụ công trực tuyến");
	snprintf(r->campaign, sizeof(r->campaign), "cchc");
	snprintf(r->lang, sizeof(r->lang), "vi");
	snprintf(r->approved_by, sizeof(r->approved_by), "Nguyễn Văn An");
	r->frames_expected = r->frames_played = 2880000;
	r->rate = 48000;
	r->channels = 2;
	r->gain_db = -3.25;
	r->loudness_lufs = -12.75;
	memset(r->pcm_sha256, 'b', 64);
	snprintf(r->driver, sizeof(r->driver), "alsa");
	snprintf(r->output, sizeof(r->output), "fm");
	snprintf(r->status, sizeof(r->status), "complete");
}

static double bench_append(const char *dir, const struct proof_key *k, int n, size_t *bytes)
{
	char path[4200];
	struct store *st;
	struct ap_err e = { 0 };
	struct proof_record r;
	snprintf(path, sizeof(path), "%s/bench-station.db", dir);
	remove(path);
	if (store_open(path, STORE_STATION, 1, &st, &e) || store_begin(st, &e) ||
	    store_meta_set(st, "station_id", "bench-station", &e) || store_commit(st, &e))
		die("open", &e);
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		fill_play(&r, i);
		if (store_begin(st, &e) || proof_append(st, k, &r, &e) || store_commit(st, &e))
			die("append", &e);
	}
	double t = now_s() - t0;
	char *payload;
	proof_encode(&r, &payload, bytes, &e);
	free(payload);
	store_close(st);
	return n / t;
}

/* The peer: the same number of rows, the same size, no signing. */
static double bench_raw_insert(const char *dir, int n, size_t bytes)
{
	char path[4200];
	sqlite3 *db;
	sqlite3_stmt *s;
	snprintf(path, sizeof(path), "%s/bench-raw.db", dir);
	remove(path);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(
	        db,
	        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	        "CREATE TABLE t(seq INTEGER PRIMARY KEY, payload BLOB, sig BLOB, hash BLOB)",
	        NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		die("raw sqlite", NULL);
	char *payload = calloc(1, bytes);
	uint8_t sig[64] = { 1 }, hash[32] = { 2 };
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		sqlite3_bind_int64(s, 1, i + 1);
		sqlite3_bind_blob(s, 2, payload, (int)bytes, SQLITE_STATIC);
		sqlite3_bind_blob(s, 3, sig, 64, SQLITE_STATIC);
		sqlite3_bind_blob(s, 4, hash, 32, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			die("raw insert", NULL);
		sqlite3_reset(s);
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	double t = now_s() - t0;
	sqlite3_finalize(s);
	sqlite3_close(db);
	free(payload);
	return n / t;
}

struct signed_proof {
	char *payload;
	size_t len;
	uint8_t sig[64];
	uint8_t *msg; /* PROOF_DOMAIN || payload, for the raw peer */
	size_t msg_len;
};

static void bench_verify(const struct proof_key *k, int n, double *chain_rate, double *raw_rate)
{
	struct signed_proof *p = calloc((size_t)n, sizeof(*p));
	struct proof_record r;
	struct ap_err e = { 0 };
	uint8_t head[32] = { 0 };
	size_t dlen = strlen(PROOF_DOMAIN);
	for (int i = 0; i < n; i++) {
		fill_play(&r, i);
		snprintf(r.station, sizeof(r.station), "bench-station");
		r.v = 1;
		r.seq = i + 1;
		hex_encode(head, 32, r.prev);
		if (proof_encode(&r, &p[i].payload, &p[i].len, &e))
			die("encode", &e);
		proof_sign(k, p[i].payload, p[i].len, p[i].sig);
		proof_link_hash(p[i].payload, p[i].len, p[i].sig, head);
		p[i].msg_len = dlen + p[i].len;
		p[i].msg = malloc(p[i].msg_len);
		memcpy(p[i].msg, PROOF_DOMAIN, dlen);
		memcpy(p[i].msg + dlen, p[i].payload, p[i].len);
	}
	*chain_rate = *raw_rate = 0;
	for (int round = 0; round < 5; round++) {
		struct proof_chain ch;
		proof_chain_init(&ch, "bench-station", k->pk);
		double t0 = now_s();
		for (int i = 0; i < n; i++)
			if (proof_chain_next(&ch, p[i].payload, p[i].len, p[i].sig, 0, &r, &e) !=
			    PROOF_OK)
				die("verify", &e);
		double c = n / (now_s() - t0);
		t0 = now_s();
		for (int i = 0; i < n; i++)
			if (crypto_sign_verify_detached(p[i].sig, p[i].msg, p[i].msg_len, k->pk) !=
			    0)
				die("raw verify", NULL);
		double rv = n / (now_s() - t0);
		if (c > *chain_rate)
			*chain_rate = c;
		if (rv > *raw_rate)
			*raw_rate = rv;
	}
	for (int i = 0; i < n; i++) {
		free(p[i].payload);
		free(p[i].msg);
	}
	free(p);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: proof_bench DIR [APPENDS] [VERIFIES]\n");
		return 1;
	}
	int appends = argc > 2 ? atoi(argv[2]) : 300;
	int verifies = argc > 3 ? atoi(argv[3]) : 3000;
	struct proof_key k;
	if (sodium_init() < 0 || appends < 1 || verifies < 1)
		die("start", NULL);
	crypto_sign_keypair(k.pk, k.sk);

	size_t bytes = 0;
	double append = bench_append(argv[1], &k, appends, &bytes);
	double raw_insert = bench_raw_insert(argv[1], appends, bytes);
	double chain, raw;
	bench_verify(&k, verifies, &chain, &raw);
	proof_key_wipe(&k);

	printf("| measure | airproof | peer | ratio |\n|---|---|---|---|\n");
	printf("| proofs signed + appended per second (1 transaction each, synchronous=FULL, "
	       "%d proofs of %zu bytes) | %.0f | bare SQLite insert of the same rows: %.0f | "
	       "%.2f |\n",
	       appends, bytes, append, raw_insert, append / raw_insert);
	printf("| proofs verified per second (proof_chain_next: signature + strict parse + "
	       "link, %d proofs) | %.0f | raw crypto_sign_verify_detached: %.0f | %.2f |\n",
	       verifies, chain, raw, chain / raw);
	printf("\nverify_ratio=%.3f\n", chain / raw);
	return 0;
}
