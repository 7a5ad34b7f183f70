/* sync/: retries, backoff and Retry-After with a fake transport that
 * answers through the real hub ingest, and the rule that only the hub's
 * answer marks proofs synced. */
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
#include "proof/proof.h"
#include "store/store.h"
#include "sync/sync.h"
#include "tests/unit/support/hub_fixture.h"
#include "tests/unit/support/proof_fixture.h"

/* A scripted hub: the first fail_n posts answer fail_status (0: a
 * timeout), then the real hub_ingest answers. */
struct fake {
	struct store *hub;
	int fail_n;
	long fail_status, retry_after;
	const char *canned; /* answer this 200 body instead of ingesting */
	int posts;
	int64_t clock, slept, max_batch;
};

static int fake_post(void *ctx, const char *url, const char *body, size_t len, long *status,
                     char **reply, size_t *reply_len, long *retry_after_s, struct ap_err *e)
{
	struct fake *f = ctx;
	(void)url;
	f->posts++;
	*retry_after_s = -1;
	if (f->fail_n > 0) {
		f->fail_n--;
		if (!f->fail_status)
			return ap_err_user(e, "timed out"), SYNC_NET_RETRY;
		*status = f->fail_status;
		*retry_after_s = f->retry_after;
		*reply = NULL;
		return SYNC_NET_OK;
	}
	if (f->canned) {
		*status = 200;
		*reply = strdup(f->canned);
		*reply_len = strlen(f->canned);
		return SYNC_NET_OK;
	}
	struct hub_ingest_result res;
	struct ap_err why = { 0 };
	int rc = hub_ingest(f->hub, body, len, 0, time_now_ms(), &res, &why);
	assert_int_equal(rc, AP_OK);
	if (res.accepted + res.duplicates > f->max_batch)
		f->max_batch = res.accepted + res.duplicates;
	*status = 200;
	*reply = hub_ingest_answer(&res);
	*reply_len = strlen(*reply);
	return SYNC_NET_OK;
}

static void fake_sleep(void *ctx, int64_t ms)
{
	struct fake *f = ctx;
	f->clock += ms;
	f->slept += ms;
}

static int64_t fake_now(void *ctx)
{
	return ((struct fake *)ctx)->clock;
}

static uint32_t fake_random(void *ctx)
{
	(void)ctx;
	return UINT32_MAX; /* the top of each jitter range */
}

struct fx {
	char sdir[64], hdir[64];
	struct store *station, *hub;
	struct fake fake;
	struct sync_http http;
	struct sync_options o;
};

static void add_plays(struct fx *x, int n)
{
	struct proof_key k;
	struct ap_err e = { 0 };
	char path[128];
	snprintf(path, sizeof(path), "%s/station.key", x->sdir);
	assert_int_equal(proof_key_load(path, &k, &e), AP_OK);
	assert_int_equal(store_begin(x->station, &e), AP_OK);
	for (int i = 0; i < n; i++) {
		struct proof_record r;
		char item[64];
		snprintf(item, sizeof(item), "it-%d-%lld", i, (long long)time_mono_ms());
		fx_play(&r, "xa-a", item);
		r.started = r.scheduled = time_now_ms() - 3600000;
		r.ended = r.started + 60000;
		r.at = r.ended;
		if (proof_append(x->station, &k, &r, &e))
			fail_msg("%s", e.msg);
	}
	assert_int_equal(store_commit(x->station, &e), AP_OK);
	proof_key_wipe(&k);
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct proof_key k;
	char path[128];
	tz_use("Asia/Ho_Chi_Minh", NULL);
	x->station = fx_station_db("xa-a", x->sdir, sizeof(x->sdir));
	snprintf(path, sizeof(path), "%s/station.key", x->sdir);
	assert_int_equal(proof_key_generate(path, 0, &k, NULL), AP_OK);
	x->hub = hfx_hub_db(x->hdir, sizeof(x->hdir));
	hfx_enrol(x->hub, "xa-a", "commune", k.pk);
	proof_key_wipe(&k);
	x->fake.hub = x->hub;
	x->http = (struct sync_http){ fake_post, fake_sleep, fake_now, fake_random, &x->fake };
	x->o =
	    (struct sync_options){ "http://hub/v1/proofs", 500, 1024 * 1024, 120000, 1000, 30000 };
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	fx_station_db_remove(x->station, x->sdir);
	hfx_remove(x->hub, x->hdir);
	free(x);
	return 0;
}

static int64_t synced_up_to(struct fx *x)
{
	struct store_sync_state s;
	assert_int_equal(store_sync_get(x->station, &s, NULL), AP_OK);
	return s.next_seq - 1;
}

static void proofs_go_up_in_batches_of_at_most_500(void **state)
{
	struct fx *x = *state;
	struct sync_result r;
	struct ap_err e = { 0 };
	add_plays(x, 1200);
	assert_int_equal(sync_run(x->station, "xa-a", &x->http, &x->o, &r, &e), AP_OK);
	assert_int_equal(r.accepted, 1200);
	assert_int_equal(x->fake.posts, 3);
	assert_int_equal(x->fake.max_batch, 500);
	assert_int_equal(synced_up_to(x), 1200);
}

static void a_500_then_200_is_retried_after_a_wait(void **state)
{
	struct fx *x = *state;
	struct sync_result r;
	struct ap_err e = { 0 };
	add_plays(x, 3);
	x->fake.fail_n = 1;
	x->fake.fail_status = 500;
	assert_int_equal(sync_run(x->station, "xa-a", &x->http, &x->o, &r, &e), AP_OK);
	assert_int_equal(r.retries, 1);
	assert_true(x->fake.slept >= 100 && x->fake.slept <= 1000);
	assert_int_equal(synced_up_to(x), 3);
}

static void timeouts_back_off_exponentially(void **state)
{
	struct fx *x = *state;
	struct sync_result r;
	struct ap_err e = { 0 };
	add_plays(x, 1);
	x->fake.fail_n = 3; /* status 0: timeouts */
	assert_int_equal(sync_run(x->station, "xa-a", &x->http, &x->o, &r, &e), AP_OK);
	assert_int_equal(r.retries, 3);
	/* jitter at its top: 1 s + 2 s + 4 s */
	assert_int_equal(x->fake.slept, 7000);
}

static void retry_after_is_honoured(void **state)
{
	struct fx *x = *state;
	struct sync_result r;
	struct ap_err e = { 0 };
	add_plays(x, 1);
	x->fake.fail_n = 1;
	x->fake.fail_status = 429;
	x->fake.retry_after = 20;
	assert_int_equal(sync_run(x->station, "xa-a", &x->http, &x->o, &r, &e), AP_OK);
	assert_int_equal(x->fake.slept, 20000);
}

static void a_hub_that_stays_down_marks_nothing_synced(void **state)
{
	struct fx *x = *state;
	struct sync_result r;
	struct ap_err e = { 0 };
	add_plays(x, 2);
	x->fake.fail_n = 1000;
	x->fake.fail_status = 503;
	assert_int_equal(sync_run(x->station, "xa-a", &x->http, &x->o, &r, &e), AP_EUSER);
	assert_true(x->fake.clock <= x->o.retry_budget_ms);
	assert_int_equal(synced_up_to(x), 0);
	struct store_sync_state s;
	assert_int_equal(store_sync_get(x->station, &s, NULL), AP_OK);
	assert_non_null(strstr(s.last_result, "failed"));
}

static void a_rejecting_answer_marks_nothing_synced(void **state)
{
	struct fx *x = *state;
	struct sync_result r;
	struct ap_err e = { 0 };
	add_plays(x, 2);
	x->fake.canned =
	    "{\"accepted\":0,\"duplicates\":0,\"next_seq\":1,\"head\":"
	    "\"0000000000000000000000000000000000000000000000000000000000000000\","
	    "\"rejected\":[{\"seq\":1,\"reason\":\"bad_signature\",\"detail\":\"x\"}]}";
	assert_int_equal(sync_run(x->station, "xa-a", &x->http, &x->o, &r, &e), AP_EUSER);
	assert_non_null(strstr(r.rejected, "proof 1 refused by the hub: bad_signature"));
	assert_int_equal(synced_up_to(x), 0);
}

static void an_answer_claiming_more_than_we_have_is_not_believed(void **state)
{
	struct fx *x = *state;
	struct sync_result r;
	struct ap_err e = { 0 };
	add_plays(x, 2);
	x->fake.canned = "{\"accepted\":5,\"duplicates\":0,\"next_seq\":6,\"head\":"
	                 "\"1111111111111111111111111111111111111111111111111111111111111111\","
	                 "\"rejected\":[]}";
	assert_int_equal(sync_run(x->station, "xa-a", &x->http, &x->o, &r, &e), AP_EUSER);
	assert_int_equal(synced_up_to(x), 0);
}

static void a_hub_that_lost_proofs_gets_them_again(void **state)
{
	struct fx *x = *state;
	struct sync_result r;
	struct ap_err e = { 0 };
	add_plays(x, 4);
	/* the station believes 1..3 are at the hub, which holds nothing */
	assert_int_equal(store_begin(x->station, &e), AP_OK);
	assert_int_equal(store_sync_ack(x->station, 4, "x", 1, "ok", &e), AP_OK);
	assert_int_equal(store_commit(x->station, &e), AP_OK);
	assert_int_equal(sync_run(x->station, "xa-a", &x->http, &x->o, &r, &e), AP_OK);
	assert_int_equal(r.accepted, 4);
	assert_int_equal(synced_up_to(x), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
		T(proofs_go_up_in_batches_of_at_most_500),
		T(a_500_then_200_is_retried_after_a_wait),
		T(timeouts_back_off_exponentially),
		T(retry_after_is_honoured),
		T(a_hub_that_stays_down_marks_nothing_synced),
		T(a_rejecting_answer_marks_nothing_synced),
		T(an_answer_claiming_more_than_we_have_is_not_believed),
		T(a_hub_that_lost_proofs_gets_them_again),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
