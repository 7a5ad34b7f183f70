/* Test helpers for proof/ and store/proofs.c (see proof_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/store.h"
#include "tests/unit/support/proof_fixture.h"

void fx_play(struct proof_record *r, const char *station, const char *item)
{
	memset(r, 0, sizeof(*r));
	r->v = 1;
	snprintf(r->station, sizeof(r->station), "%s", station);
	r->seq = 1;
	memset(r->prev, '0', 64);
	r->kind = PROOF_PLAY;
	r->at = 1795600000000LL;
	r->mono_ms = 123456;
	r->clock_synced = 1;
	snprintf(r->item, sizeof(r->item), "%s", item);
	r->rule = 3;
	r->scheduled = 1795599900000LL;
	r->started = 1795599900250LL;
	r->ended = 1795599960250LL;
	memset(r->clip, 'a', 64);
	snprintf(r->title, sizeof(r->title), "Cải cách hành chính: dịch vụ công trực tuyến");
	snprintf(r->campaign, sizeof(r->campaign), "cchc");
	snprintf(r->lang, sizeof(r->lang), "vi");
	snprintf(r->approved_by, sizeof(r->approved_by), "Nguyễn Văn An");
	r->frames_expected = 2880000;
	r->frames_played = 2880000;
	r->rate = 48000;
	r->channels = 2;
	r->gain_db = -3.25;
	r->loudness_lufs = -12.75;
	memset(r->pcm_sha256, 'b', 64);
	snprintf(r->driver, sizeof(r->driver), "null");
	snprintf(r->output, sizeof(r->output), "fm");
	snprintf(r->status, sizeof(r->status), "complete");
}

void fx_event(struct proof_record *r, const char *station, const char *event, const char *detail)
{
	memset(r, 0, sizeof(*r));
	r->v = 1;
	snprintf(r->station, sizeof(r->station), "%s", station);
	r->seq = 1;
	memset(r->prev, '0', 64);
	r->kind = PROOF_EVENT;
	r->at = 1795600000000LL;
	r->mono_ms = 99;
	r->clock_synced = 0;
	snprintf(r->event, sizeof(r->event), "%s", event);
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
}

struct store *fx_station_db(const char *station, char *dir, size_t cap)
{
	char path[128];
	struct store *st = NULL;
	struct ap_err e = { 0 };
	snprintf(dir, cap, "/tmp/ap-proof-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/airproof.db", dir);
	if (store_open(path, STORE_STATION, 1, &st, &e) || store_begin(st, &e) ||
	    store_meta_set(st, "station_id", station, &e) || store_commit(st, &e))
		fail_msg("%s", e.msg);
	return st;
}

void fx_station_db_remove(struct store *st, const char *dir)
{
	char cmd[256];
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}
