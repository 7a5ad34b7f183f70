/* ap_fixture: writes real signed proofs into a station made by 'airproof
 * init', for the end-to-end tests while the daemon is not in the loop:
 *   ap_fixture plays STATE_DIR COUNT [START_MS [STEP_MS [CAMPAIGN [SYNCED]]]]
 *   ap_fixture event STATE_DIR EVENT [AT_MS]
 * Plays are complete, one STEP_MS apart from START_MS (default: now - COUNT
 * minutes, one minute apart), all in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/aptime.h"
#include "proof/proof.h"
#include "store/store.h"

static void fill_play(struct proof_record *r, int64_t start, const char *campaign, int synced,
                      long n)
{
	memset(r, 0, sizeof(*r));
	r->kind = PROOF_PLAY;
	r->at = start + 60000;
	r->mono_ms = 1000 + n;
	r->clock_synced = synced;
	snprintf(r->item, sizeof(r->item), "fixture-%lld-%ld", (long long)start, n);
	r->rule = 1;
	r->scheduled = start;
	r->started = start;
	r->ended = start + 60000;
	memset(r->clip, 'a', 64);
	snprintf(r->title, sizeof(r->title), "Cải cách hành chính tuần này");
	snprintf(r->campaign, sizeof(r->campaign), "%s", campaign);
	snprintf(r->lang, sizeof(r->lang), "vi");
	snprintf(r->approved_by, sizeof(r->approved_by), "Ban biên tập");
	r->frames_expected = r->frames_played = 2880000;
	r->rate = 48000;
	r->channels = 2;
	r->gain_db = -2.5;
	r->loudness_lufs = -13.5;
	memset(r->pcm_sha256, 'b', 64);
	snprintf(r->driver, sizeof(r->driver), "null");
	snprintf(r->output, sizeof(r->output), "fm");
	snprintf(r->status, sizeof(r->status), "complete");
}

int main(int argc, char **argv)
{
	struct ap_err e = { 0 };
	struct store *st = NULL;
	struct proof_key key;
	char db[4200], kp[4200];
	if (argc < 4 || (strcmp(argv[1], "plays") && strcmp(argv[1], "event"))) {
		fprintf(stderr, "usage: ap_fixture plays|event STATE_DIR ...\n");
		return 1;
	}
	snprintf(db, sizeof(db), "%s/airproof.db", argv[2]);
	snprintf(kp, sizeof(kp), "%s/station.key", argv[2]);
	int rc = store_open(db, STORE_STATION, 0, &st, &e);
	if (!rc)
		rc = proof_key_load(kp, &key, &e);
	if (!rc)
		rc = store_begin(st, &e);
	if (!rc && !strcmp(argv[1], "plays")) {
		long n = atol(argv[3]);
		int64_t step = argc > 5 ? atoll(argv[5]) : 60000;
		int64_t start = argc > 4 ? atoll(argv[4]) : time_now_ms() - (n + 1) * step;
		const char *campaign = argc > 6 ? argv[6] : "cchc";
		int synced = argc > 7 ? atoi(argv[7]) : 1;
		for (long i = 0; i < n && !rc; i++) {
			struct proof_record r;
			fill_play(&r, start + i * step, campaign, synced, i);
			rc = proof_append(st, &key, &r, &e);
		}
	} else if (!rc) {
		struct proof_record r = { 0 };
		r.kind = PROOF_EVENT;
		r.at = argc > 4 ? atoll(argv[4]) : time_now_ms();
		r.mono_ms = 5;
		r.clock_synced = 1;
		snprintf(r.event, sizeof(r.event), "%s", argv[3]);
		snprintf(r.detail, sizeof(r.detail), "fixture");
		rc = proof_append(st, &key, &r, &e);
	}
	if (!rc)
		rc = store_commit(st, &e);
	proof_key_wipe(&key);
	store_close(st);
	if (rc) {
		fprintf(stderr, "ap_fixture: %s\n", e.msg);
		return 1;
	}
	return 0;
}
