/* playout/: pacing, block size, digest, and the truthful status of a play
 * whose output cannot be opened, fails mid-way or is told to stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>
#include <cmocka.h>

#include "common/aptime.h"
#include "common/hash.h"
#include "config/config.h"
#include "playout/play.h"
#include "tests/unit/support/rec_out.h"

#define RATE     48000
#define CHANNELS 2

static char pcm_path[64];
static char pcm_sha[SHA256_HEX_LEN + 1];
static uint8_t *pcm;
static size_t pcm_len;

/* A stereo 440 Hz sine of the given length, written as the rendering. */
static void make_clip(int64_t frames)
{
	snprintf(pcm_path, sizeof(pcm_path), "/tmp/ap-play-%d.pcm", (int)getpid());
	pcm_len = (size_t)frames * CHANNELS * 2;
	free(pcm);
	pcm = malloc(pcm_len);
	assert_non_null(pcm);
	int16_t *s = (int16_t *)(void *)pcm;
	for (int64_t i = 0; i < frames; i++)
		s[2 * i] = s[2 * i + 1] = (int16_t)(10000 * sin(2 * M_PI * 440 * i / RATE));
	FILE *f = fopen(pcm_path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(pcm, 1, pcm_len, f), pcm_len);
	fclose(f);
	uint8_t d[SHA256_LEN];
	sha256_buf(pcm, pcm_len, d);
	hex_encode(d, SHA256_LEN, pcm_sha);
}

static int teardown(void **state)
{
	(void)state;
	unlink(pcm_path);
	free(pcm);
	pcm = NULL;
	return 0;
}

static struct play_request request(int64_t frames, int pace)
{
	struct play_request r = {
		.pcm_path = pcm_path,
		.rate = RATE,
		.channels = CHANNELS,
		.frames_expected = frames,
		.render_sha256 = pcm_sha,
		.pace = pace,
		.open_deadline_ms = time_now_ms() + 300,
	};
	return r;
}

static void paced_one_second_clip_takes_one_second_in_blocks_of_100ms(void **state)
{
	(void)state;
	struct rec_out *rec;
	struct play_out *out;
	struct play_result res;
	make_clip(RATE);
	assert_int_equal(rec_out_create(&rec, &out), AP_OK);
	struct play_request req = request(RATE, 1);
	int64_t t0 = time_mono_ms();
	assert_int_equal(play_clip(out, &req, 0, &res), AP_OK);
	int64_t took = time_mono_ms() - t0;
	assert_true(took >= 990 && took < 1300);
	assert_true(rec->max_write <= (size_t)RATE / 10 * CHANNELS * 2);
	assert_int_equal(rec->writes, 10);
	play_out_destroy(out);
}

static void complete_when_every_frame_went_out_and_digest_matches(void **state)
{
	(void)state;
	struct rec_out *rec;
	struct play_out *out;
	struct play_result res;
	make_clip(RATE * 3 + 17); /* a short last block */
	assert_int_equal(rec_out_create(&rec, &out), AP_OK);
	struct play_request req = request(RATE * 3 + 17, 0);
	assert_int_equal(play_clip(out, &req, 0, &res), AP_OK);
	assert_int_equal(res.status, PLAY_COMPLETE);
	assert_int_equal(res.frames_played, RATE * 3 + 17);
	assert_string_equal(res.pcm_sha256, pcm_sha);
	assert_string_equal(res.error, "");
	assert_int_equal(rec->len, pcm_len);
	assert_memory_equal(rec->data, pcm, pcm_len);
	play_out_destroy(out);
}

static void digest_mismatch_is_failed_not_complete(void **state)
{
	(void)state;
	struct rec_out *rec;
	struct play_out *out;
	struct play_result res;
	make_clip(RATE);
	assert_int_equal(rec_out_create(&rec, &out), AP_OK);
	struct play_request req = request(RATE, 0);
	req.render_sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_not_equal(play_clip(out, &req, 0, &res), AP_OK);
	assert_int_equal(res.status, PLAY_FAILED);
	assert_int_equal(res.frames_played, RATE);
	assert_non_null(strstr(res.error, "not the clip's rendering"));
	play_out_destroy(out);
}

static void write_failure_is_failed_with_frames_played(void **state)
{
	(void)state;
	struct rec_out *rec;
	struct play_out *out;
	struct play_result res;
	make_clip(RATE);
	assert_int_equal(rec_out_create(&rec, &out), AP_OK);
	rec->fail_write_from = 4; /* blocks 1-3 go out, then the device dies */
	struct play_request req = request(RATE, 0);
	assert_int_not_equal(play_clip(out, &req, 0, &res), AP_OK);
	assert_int_equal(res.status, PLAY_FAILED);
	assert_int_equal(res.frames_played, 3 * RATE / 10);
	assert_non_null(strstr(res.error, "write failed"));
	/* the digest covers exactly the three blocks handed over */
	uint8_t d[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];
	sha256_buf(pcm, 3 * RATE / 10 * CHANNELS * 2, d);
	hex_encode(d, SHA256_LEN, hex);
	assert_string_equal(res.pcm_sha256, hex);
	assert_true(rec->opens > 1); /* it tried to reopen */
	play_out_destroy(out);
}

static void open_failure_is_failed_with_nothing_played(void **state)
{
	(void)state;
	struct rec_out *rec;
	struct play_out *out;
	struct play_result res;
	struct play *p;
	struct ap_err e = { 0 };
	make_clip(RATE);
	assert_int_equal(rec_out_create(&rec, &out), AP_OK);
	rec->fail_open = 1;
	struct play_request req = request(RATE, 0);
	int64_t t0 = time_now_ms();
	assert_int_not_equal(play_prepare(out, &req, &p, &res, &e), AP_OK);
	assert_null(p);
	assert_int_equal(res.status, PLAY_FAILED);
	assert_int_equal(res.frames_played, 0);
	assert_non_null(strstr(res.error, "cannot be opened"));
	assert_true(rec->opens >= 2);           /* retried until the deadline */
	assert_true(time_now_ms() - t0 < 1000); /* and no longer */
	assert_int_equal(rec->writes, 0);
	play_out_destroy(out);
}

static int stop_after_five(void *arg, int64_t frames)
{
	int *calls = arg;
	(void)frames;
	return ++*calls >= 5;
}

static void stop_request_interrupts_between_blocks(void **state)
{
	(void)state;
	struct rec_out *rec;
	struct play_out *out;
	struct play_result res;
	int calls = 0;
	make_clip(RATE);
	assert_int_equal(rec_out_create(&rec, &out), AP_OK);
	struct play_request req = request(RATE, 0);
	req.tick = stop_after_five;
	req.tick_arg = &calls;
	assert_int_not_equal(play_clip(out, &req, 0, &res), AP_OK);
	assert_int_equal(res.status, PLAY_INTERRUPTED);
	assert_int_equal(res.frames_played, 5 * RATE / 10);
	assert_int_equal(rec->len, (size_t)5 * RATE / 10 * CHANNELS * 2);
	play_out_destroy(out);
}

static void truncated_rendering_is_refused_before_the_output_opens(void **state)
{
	(void)state;
	struct rec_out *rec;
	struct play_out *out;
	struct play_result res;
	make_clip(RATE);
	assert_int_equal(rec_out_create(&rec, &out), AP_OK);
	struct play_request req = request(RATE + 1, 0);
	assert_int_not_equal(play_clip(out, &req, 0, &res), AP_OK);
	assert_int_equal(res.status, PLAY_FAILED);
	assert_int_equal(rec->opens, 0);
	assert_non_null(strstr(res.error, "expected"));
	play_out_destroy(out);
}

static void start_waits_for_the_scheduled_time(void **state)
{
	(void)state;
	struct rec_out *rec;
	struct play_out *out;
	struct play_result res;
	make_clip(RATE / 10);
	assert_int_equal(rec_out_create(&rec, &out), AP_OK);
	struct play_request req = request(RATE / 10, 0);
	int64_t start = time_now_ms() + 200;
	assert_int_equal(play_clip(out, &req, start, &res), AP_OK);
	assert_true(res.started_ms >= start);
	assert_true(res.start_late_us >= 0 && res.start_late_us < 20000);
	play_out_destroy(out);
}

static void prefix_digest_covers_the_first_frames(void **state)
{
	(void)state;
	char hex[SHA256_HEX_LEN + 1], want[SHA256_HEX_LEN + 1];
	uint8_t d[SHA256_LEN];
	struct ap_err e = { 0 };
	make_clip(RATE);
	assert_int_equal(play_pcm_prefix_sha256(pcm_path, CHANNELS, 1234, hex, &e), AP_OK);
	sha256_buf(pcm, 1234 * CHANNELS * 2, d);
	hex_encode(d, SHA256_LEN, want);
	assert_string_equal(hex, want);
	assert_int_not_equal(play_pcm_prefix_sha256(pcm_path, CHANNELS, RATE + 1, hex, &e), AP_OK);
}

static void libao_null_driver_plays_a_clip(void **state)
{
	(void)state;
	struct ap_config cfg;
	struct play_out *out;
	struct play_result res;
	struct ap_err e = { 0 };
	make_clip(RATE / 2);
	config_defaults(&cfg);
	snprintf(cfg.audio_driver, sizeof(cfg.audio_driver), "null");
	assert_int_equal(play_out_ao_create(&cfg, &out, &e), AP_OK);
	struct play_request req = request(RATE / 2, 0);
	assert_int_equal(play_clip(out, &req, 0, &res), AP_OK);
	assert_int_equal(res.status, PLAY_COMPLETE);
	assert_string_equal(out->driver, "null");
	play_out_destroy(out);
}

static void unknown_libao_driver_is_a_user_error(void **state)
{
	(void)state;
	struct ap_config cfg;
	struct play_out *out = NULL;
	struct ap_err e = { 0 };
	config_defaults(&cfg);
	snprintf(cfg.audio_driver, sizeof(cfg.audio_driver), "nosuchdriver");
	assert_int_equal(play_out_ao_create(&cfg, &out, &e), AP_EUSER);
	assert_non_null(strstr(e.msg, "nosuchdriver"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(paced_one_second_clip_takes_one_second_in_blocks_of_100ms,
		                          teardown),
		cmocka_unit_test_teardown(complete_when_every_frame_went_out_and_digest_matches,
		                          teardown),
		cmocka_unit_test_teardown(digest_mismatch_is_failed_not_complete, teardown),
		cmocka_unit_test_teardown(write_failure_is_failed_with_frames_played, teardown),
		cmocka_unit_test_teardown(open_failure_is_failed_with_nothing_played, teardown),
		cmocka_unit_test_teardown(stop_request_interrupts_between_blocks, teardown),
		cmocka_unit_test_teardown(truncated_rendering_is_refused_before_the_output_opens,
		                          teardown),
		cmocka_unit_test_teardown(start_waits_for_the_scheduled_time, teardown),
		cmocka_unit_test_teardown(prefix_digest_covers_the_first_frames, teardown),
		cmocka_unit_test_teardown(libao_null_driver_plays_a_clip, teardown),
		cmocka_unit_test(unknown_libao_driver_is_a_user_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
