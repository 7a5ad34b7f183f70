/* hub_bench: the hub's ingest over HTTP against raw Ed25519 verification.
 *
 *   hub_bench prep CONFIG STATIONS PER_STATION BATCH OUTDIR
 *       enrol STATIONS stations in the hub database of CONFIG (made with
 *       'airproof-hub init'), sign PER_STATION plays for each, and write the
 *       POST bodies (BATCH proofs each, as 'airproof sync' sends them) to
 *       OUTDIR/NNNNNN.json in upload order (round robin over stations), plus
 *       OUTDIR/raw.bin: (pk, sig, signed message) of every proof.
 *   hub_bench raw OUTDIR ROUNDS
 *       crypto_sign_verify_detached over every message of raw.bin; best of
 *       ROUNDS. Prints raw_per_s=.
 *   hub_bench post PORT OUTDIR CONNECTIONS
 *       POST every body to http://127.0.0.1:PORT/v1/proofs over CONNECTIONS
 *       keep-alive connections (a station's next batch waits for its
 *       previous one, as a station would). Checks that every proof was
 *       accepted. Prints proofs=, seconds=, per_s=.
 *
 * Signing and file writing are setup, not measured. */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/aptime.h"
#include "common/hash.h"
#include "hub/hub.h"
#include "proof/proof.h"
#include "store/store.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "hub_bench: %s: %s\n", what, why ? why : "failed");
	exit(2);
}

static void fill_play(struct proof_record *r, const char *station, int64_t seq, int64_t start)
{
	memset(r, 0, sizeof(*r));
	r->v = 1;
	snprintf(r->station, sizeof(r->station), "%s", station);
	r->seq = seq;
	r->kind = PROOF_PLAY;
	r->at = start + 60250;
	r->mono_ms = 1000 + seq;
	r->clock_synced = 1;
	snprintf(r->item, sizeof(r->item), "q3@2026-W48#%lld", (long long)seq);
	r->rule = 3;
	r->scheduled = start - 250;
	r->started = start;
	r->ended = start + 60000;
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

struct station_gen {
	char id[64];
	struct proof_key key;
	int64_t seq;
	uint8_t head[PROOF_HASH_LEN];
};

/* One body of n proofs for g; appends each proof to raw. */
static char *make_body(struct station_gen *g, int n, int64_t base_ms, FILE *raw)
{
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		struct proof_record r;
		struct ap_err e = { 0 };
		char *payload, sighex[2 * PROOF_SIG_LEN + 1];
		size_t len;
		uint8_t sig[PROOF_SIG_LEN];
		g->seq++;
		fill_play(&r, g->id, g->seq, base_ms + g->seq * 40 * 60000LL);
		hex_encode(g->head, PROOF_HASH_LEN, r.prev);
		if (proof_encode(&r, &payload, &len, &e))
			die("encode", e.msg);
		proof_sign(&g->key, payload, len, sig);
		proof_link_hash(payload, len, sig, g->head);
		hex_encode(sig, PROOF_SIG_LEN, sighex);
		json_array_append_new(
		    arr, json_pack("{s:s%,s:s}", "payload", payload, len, "sig", sighex));
		uint32_t mlen = (uint32_t)(strlen(PROOF_DOMAIN) + len);
		fwrite(&mlen, sizeof(mlen), 1, raw);
		fwrite(g->key.pk, PROOF_PK_LEN, 1, raw);
		fwrite(sig, PROOF_SIG_LEN, 1, raw);
		fwrite(PROOF_DOMAIN, strlen(PROOF_DOMAIN), 1, raw);
		fwrite(payload, len, 1, raw);
		free(payload);
	}
	json_t *root = json_pack("{s:s,s:o}", "station", g->id, "proofs", arr);
	char *text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!text)
		die("body", "out of memory");
	return text;
}

static int cmd_prep(char **argv)
{
	struct hub_config cfg;
	struct ap_err e = { 0 };
	struct store *st = NULL;
	int ns = atoi(argv[3]), per = atoi(argv[4]), batch = atoi(argv[5]);
	const char *out = argv[6];
	if (ns < 1 || per < 1 || batch < 1 || per % batch)
		die("prep", "STATIONS, PER_STATION, BATCH > 0 and BATCH divides PER_STATION");
	if (hub_config_load(argv[2], 1, &cfg, &e) || tz_use(cfg.timezone, &e) ||
	    store_open(cfg.db_path, STORE_HUB, 0, &st, &e))
		die(argv[2], e.msg);
	mkdir(out, 0755);
	struct station_gen *g = calloc((size_t)ns, sizeof(*g));
	if (!g)
		die("prep", "out of memory");
	if (store_begin(st, &e))
		die("begin", e.msg);
	for (int s = 0; s < ns; s++) {
		struct store_hub_station row = { 0 };
		snprintf(g[s].id, sizeof(g[s].id), "xa-bench-%04d", s);
		crypto_sign_keypair(g[s].key.pk, g[s].key.sk);
		snprintf(row.id, sizeof(row.id), "%s", g[s].id);
		snprintf(row.name, sizeof(row.name), "Xã bench %d", s);
		snprintf(row.group, sizeof(row.group), "commune");
		hex_encode(g[s].key.pk, PROOF_PK_LEN, row.pubkey);
		if (store_hub_station_add(st, &row, time_now_ms(), &e))
			die("enrol", e.msg);
	}
	if (store_commit(st, &e))
		die("commit", e.msg);
	store_close(st);

	char path[4200];
	snprintf(path, sizeof(path), "%s/raw.bin", out);
	FILE *raw = fopen(path, "wb");
	if (!raw)
		die(path, "cannot create");
	/* Plays 40 minutes apart, ending an hour ago: nothing is in the future. */
	int64_t base = time_now_ms() - (int64_t)(per + 2) * 40 * 60000LL;
	int nb = 0;
	for (int b = 0; b < per / batch; b++)
		for (int s = 0; s < ns; s++) {
			char *body = make_body(&g[s], batch, base, raw);
			snprintf(path, sizeof(path), "%s/%06d.json", out, nb++);
			FILE *f = fopen(path, "wb");
			if (!f || fputs(body, f) < 0 || fclose(f))
				die(path, "cannot write");
			free(body);
		}
	if (fclose(raw))
		die("raw.bin", "cannot write");
	for (int s = 0; s < ns; s++)
		proof_key_wipe(&g[s].key);
	free(g);
	printf("bodies=%d\n", nb);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(path, "cannot read");
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static int cmd_raw(char **argv)
{
	char path[4200];
	size_t len;
	snprintf(path, sizeof(path), "%s/raw.bin", argv[2]);
	char *buf = slurp(path, &len);
	if (!buf)
		die(path, "cannot open");
	int rounds = atoi(argv[3]);
	double best = 1e9;
	size_t n = 0;
	for (int r = 0; r < (rounds > 0 ? rounds : 1); r++) {
		n = 0;
		double t0 = now_s();
		for (size_t off = 0; off + 4 + 96 <= len; n++) {
			uint32_t mlen;
			memcpy(&mlen, buf + off, 4);
			const unsigned char *pk = (const unsigned char *)buf + off + 4;
			const unsigned char *sig = pk + PROOF_PK_LEN;
			const unsigned char *msg = sig + PROOF_SIG_LEN;
			if (crypto_sign_verify_detached(sig, msg, mlen, pk) != 0)
				die("raw", "a signature does not verify");
			off += 4 + PROOF_PK_LEN + PROOF_SIG_LEN + mlen;
		}
		double t = now_s() - t0;
		if (t < best)
			best = t;
	}
	free(buf);
	printf("raw_n=%zu\nraw_per_s=%.0f\n", n, (double)n / best);
	return 0;
}

/* The load generator: workers take bodies in order; body i of station s
 * waits until body i - stations is answered. */
struct poster {
	const char *url, *dir;
	int n_bodies, n_stations;
	int next;
	int *done;
	long long accepted, failed;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

struct answer {
	char *b;
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	struct answer *s = ctx;
	char *grown = realloc(s->b, s->len + size * n + 1);
	if (!grown)
		return 0;
	s->b = grown;
	memcpy(s->b + s->len, p, size * n);
	s->len += size * n;
	s->b[s->len] = '\0';
	return size * n;
}

static void *post_worker(void *arg)
{
	struct poster *p = arg;
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, p->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	for (;;) {
		pthread_mutex_lock(&p->mu);
		int i = p->next < p->n_bodies ? p->next++ : -1;
		while (i >= p->n_stations && !p->done[i - p->n_stations])
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (i < 0)
			break;
		char path[4200];
		size_t len;
		snprintf(path, sizeof(path), "%s/%06d.json", p->dir, i);
		char *body = slurp(path, &len);
		struct answer ans = { 0 };
		long code = 0;
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &ans);
		CURLcode cc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		json_t *root = ans.b ? json_loads(ans.b, 0, NULL) : NULL;
		long long acc = json_integer_value(json_object_get(root, "accepted"));
		if (cc != CURLE_OK || code != 200 ||
		    json_array_size(json_object_get(root, "rejected")))
			fprintf(stderr, "hub_bench: body %d: %s HTTP %ld %s\n", i,
			        curl_easy_strerror(cc), code, ans.b ? ans.b : "");
		json_decref(root);
		free(ans.b);
		free(body);
		pthread_mutex_lock(&p->mu);
		p->accepted += acc;
		p->failed += code != 200;
		p->done[i] = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

static int cmd_post(char **argv)
{
	char url[128], path[4200];
	struct poster p = { 0 };
	int conns = atoi(argv[4]);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/proofs", atoi(argv[2]));
	p.url = url;
	p.dir = argv[3];
	/* Bodies and stations: count the files, read the station of body 0..
	 * until the first repeat. */
	for (;; p.n_bodies++) {
		snprintf(path, sizeof(path), "%s/%06d.json", p.dir, p.n_bodies);
		FILE *f = fopen(path, "rb");
		if (!f)
			break;
		fclose(f);
	}
	char first[64] = "";
	for (p.n_stations = 0; p.n_stations < p.n_bodies; p.n_stations++) {
		size_t len;
		snprintf(path, sizeof(path), "%s/%06d.json", p.dir, p.n_stations);
		char *b = slurp(path, &len);
		json_t *root = json_loads(b, 0, NULL);
		const char *id = json_string_value(json_object_get(root, "station"));
		int again = id && p.n_stations && !strcmp(id, first);
		if (id && !p.n_stations)
			snprintf(first, sizeof(first), "%s", id);
		json_decref(root);
		free(b);
		if (again)
			break;
	}
	if (!p.n_bodies || conns < 1)
		die("post", "no bodies, or CONNECTIONS < 1");
	p.done = calloc((size_t)p.n_bodies, sizeof(int));
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_t *t = calloc((size_t)conns, sizeof(*t));
	double t0 = now_s();
	for (int i = 0; i < conns; i++)
		pthread_create(&t[i], NULL, post_worker, &p);
	for (int i = 0; i < conns; i++)
		pthread_join(t[i], NULL);
	double secs = now_s() - t0;
	curl_global_cleanup();
	printf("bodies=%d\nproofs=%lld\nfailed=%lld\nseconds=%.3f\nper_s=%.0f\n", p.n_bodies,
	       p.accepted, p.failed, secs, (double)p.accepted / secs);
	free(t);
	free(p.done);
	return p.failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		die("sodium_init", NULL);
	if (argc == 7 && !strcmp(argv[1], "prep"))
		return cmd_prep(argv);
	if (argc == 4 && !strcmp(argv[1], "raw"))
		return cmd_raw(argv);
	if (argc == 5 && !strcmp(argv[1], "post"))
		return cmd_post(argv);
	fprintf(stderr, "usage: hub_bench prep CONFIG STATIONS PER_STATION BATCH OUTDIR\n"
	                "       hub_bench raw OUTDIR ROUNDS\n"
	                "       hub_bench post PORT OUTDIR CONNECTIONS\n");
	return 1;
}
