/* media/: decoding, loudness, gain, channel mapping, resampling, refusals
 * and the media store, on fixtures generated with libsndfile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/hash.h"
#include "config/config.h"
#include "media/clip.h"
#include "tests/unit/support/audio_fixtures.h"

#define WAV16 (SF_FORMAT_WAV | SF_FORMAT_PCM_16)

struct fx {
	char dir[64];
	char src[128];
	char pcm[128];
	struct clip_params p;
	struct clip_info info;
	struct ap_err err;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f || fx_tmpdir(f->dir, sizeof(f->dir)) != 0)
		return -1;
	snprintf(f->src, sizeof(f->src), "%s/in.wav", f->dir);
	snprintf(f->pcm, sizeof(f->pcm), "%s/out.pcm", f->dir);
	f->p = (struct clip_params){
		.rate = 48000, .channels = 2, .target_lufs = -16.0, .true_peak_max = -1.0
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	fx_rmrf(f->dir);
	free(f);
	return 0;
}

/* Render f->src into f->pcm. */
static int render(struct fx *f)
{
	int fd = open(f->pcm, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	int rc = clip_render(f->src, "in.wav", &f->p, fd, &f->info, &f->err);
	close(fd);
	return rc;
}

static int16_t *read_pcm(struct fx *f, size_t *n)
{
	int16_t *s;
	assert_int_equal(fx_read_pcm(f->pcm, &s, n), 0);
	return s;
}

static void sine_wav_imports_with_its_duration(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_write_sine(f->src, WAV16, 44100, 1, 2.0, 440, 0.25), 0);
	assert_int_equal(render(f), AP_OK);
	assert_int_equal(f->info.source_frames, 88200);
	assert_int_equal(f->info.source_rate, 44100);
	assert_int_equal(f->info.frames, 96000);
	assert_int_equal(f->info.rate, 48000);
	assert_int_equal(f->info.channels, 2);
	assert_string_equal(f->info.source_format, "wav pcm16");
	struct stat sb;
	assert_int_equal(stat(f->pcm, &sb), 0);
	assert_int_equal(sb.st_size, 96000 * 2 * 2);
}

static void rendering_is_at_the_target_loudness(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 2, 3.0, 1000, 0.05), 0);
	assert_int_equal(render(f), AP_OK);
	assert_true(f->info.gain_db > 0.0);
	size_t n;
	int16_t *s = read_pcm(f, &n);
	double lufs = fx_pcm_loudness(s, n, 2, 48000);
	free(s);
	if (fabs(lufs - -16.0) > 0.3)
		fail_msg("rendered loudness %.2f LUFS, wanted -16", lufs);
}

static void mono_is_duplicated_on_both_channels(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 1, 1.0, 440, 0.3), 0);
	assert_int_equal(render(f), AP_OK);
	size_t n;
	int16_t *s = read_pcm(f, &n);
	assert_int_equal(n, 48000 * 2);
	int differ = 0, nonzero = 0;
	for (size_t i = 0; i < n; i += 2) {
		differ += s[i] != s[i + 1];
		nonzero += s[i] != 0;
	}
	/* measured as dual mono, so the stereo rendering hits the target */
	double lufs = fx_pcm_loudness(s, n, 2, 48000);
	free(s);
	assert_int_equal(differ, 0);
	assert_true(nonzero > 40000);
	assert_true(fabs(lufs - -16.0) < 0.3);
}

static void six_channels_are_down_mixed_to_stereo(void **state)
{
	struct fx *f = *state;
	/* FL only: the left output carries it, the right stays silent */
	const double left_only[6] = { 0.5, 0, 0, 0, 0, 0 };
	assert_int_equal(fx_write_sine_channels(f->src, WAV16, 48000, 6, 1.0, 440, left_only), 0);
	assert_int_equal(render(f), AP_OK);
	assert_int_equal(f->info.source_channels, 6);
	assert_int_equal(f->info.frames, 48000);
	size_t n;
	int16_t *s = read_pcm(f, &n);
	int left = 0, right = 0;
	for (size_t i = 0; i < n; i += 2) {
		left += s[i] != 0;
		right += s[i + 1] != 0;
	}
	free(s);
	assert_true(left > 40000);
	assert_int_equal(right, 0);

	/* FC only: both outputs alike */
	const double center_only[6] = { 0, 0, 0.5, 0, 0, 0 };
	assert_int_equal(fx_write_sine_channels(f->src, WAV16, 48000, 6, 1.0, 440, center_only), 0);
	assert_int_equal(render(f), AP_OK);
	s = read_pcm(f, &n);
	int differ = 0;
	for (size_t i = 0; i < n; i += 2)
		differ += s[i] != s[i + 1];
	free(s);
	assert_int_equal(differ, 0);
}

static void hi_res_96k_24bit_is_resampled_to_48k_with_exact_frames(void **state)
{
	struct fx *f = *state;
	assert_int_equal(
	    fx_write_sine(f->src, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 96000, 2, 1.5, 1000, 0.3), 0);
	assert_int_equal(render(f), AP_OK);
	assert_int_equal(f->info.source_frames, 144000);
	assert_int_equal(f->info.frames, 72000);
	assert_string_equal(f->info.source_format, "wav pcm24");
	size_t n;
	int16_t *s = read_pcm(f, &n);
	assert_int_equal(n, 72000 * 2);
	double lufs = fx_pcm_loudness(s, n, 2, 48000);
	free(s);
	assert_true(fabs(lufs - -16.0) < 0.3);
}

static void float_samples_above_full_scale_are_clipped(void **state)
{
	struct fx *f = *state;
	/* 4x full scale; ceiling and target set so no gain brings it down */
	assert_int_equal(
	    fx_write_sine(f->src, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 2, 1.0, 1000, 4.0), 0);
	f->p.true_peak_max = 20.0;
	f->p.target_lufs = 20.0;
	assert_int_equal(render(f), AP_OK);
	assert_true(f->info.true_peak_dbtp > 11.0);
	assert_true(f->info.gain_db >= 0.0);
	size_t n;
	int16_t *s = read_pcm(f, &n);
	int top = 0, bottom = 0;
	for (size_t i = 0; i < n; i++) {
		top += s[i] == 32767;
		bottom += s[i] == -32768;
	}
	free(s);
	assert_true(top > 1000);
	assert_true(bottom > 1000);
}

static void float_gain_brings_loud_float_files_under_the_ceiling(void **state)
{
	struct fx *f = *state;
	assert_int_equal(
	    fx_write_sine(f->src, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 2, 1.0, 1000, 3.0), 0);
	assert_int_equal(render(f), AP_OK);
	assert_true(f->info.gain_db < -9.0);
	size_t n;
	int16_t *s = read_pcm(f, &n);
	int peak = 0;
	for (size_t i = 0; i < n; i++)
		peak = abs(s[i]) > peak ? abs(s[i]) : peak;
	free(s);
	assert_true(peak < 32767 * 0.9);
}

static void ulaw_8k_mono_is_imported(void **state)
{
	struct fx *f = *state;
	assert_int_equal(
	    fx_write_sine(f->src, SF_FORMAT_WAV | SF_FORMAT_ULAW, 8000, 1, 2.0, 300, 0.3), 0);
	assert_int_equal(render(f), AP_OK);
	assert_string_equal(f->info.source_format, "wav ulaw");
	assert_int_equal(f->info.source_frames, 16000);
	assert_int_equal(f->info.frames, 96000);
}

static void clip_of_50ms_is_refused_as_too_short(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 1, 0.05, 440, 0.3), 0);
	assert_int_equal(render(f), AP_EUSER);
	assert_non_null(strstr(f->err.msg, "in.wav: too short to measure loudness (50 ms"));
}

static void clip_of_half_a_second_is_accepted(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 1, 0.5, 440, 0.3), 0);
	assert_int_equal(render(f), AP_OK);
	assert_int_equal(f->info.frames, 24000);
}

static void silent_clip_is_refused(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 2, 2.0, 440, 0.0), 0);
	assert_int_equal(render(f), AP_EUSER);
	assert_non_null(strstr(f->err.msg, "in.wav: silent"));
}

static void nearly_silent_clip_is_refused(void **state)
{
	struct fx *f = *state;
	/* -80 dBFS: above digital zero, below the -70 LUFS gate */
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 2, 2.0, 1000, 0.0001), 0);
	assert_int_equal(render(f), AP_EUSER);
	assert_non_null(strstr(f->err.msg, "silent"));
}

static void gain_is_capped_at_20_db(void **state)
{
	struct fx *f = *state;
	/* about -57 LUFS: 41 dB below the target */
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 2, 2.0, 1000, 0.002), 0);
	assert_int_equal(render(f), AP_OK);
	assert_true(f->info.gain_db == CLIP_MAX_GAIN_DB);
	assert_true(f->info.loudness_lufs + f->info.gain_db < -30.0);
}

static void true_peak_ceiling_limits_the_gain(void **state)
{
	struct fx *f = *state;
	f->p.target_lufs = 0.0; /* a stereo 0.5 sine is about -6 LUFS, -6 dBTP */
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 2, 2.0, 1000, 0.5), 0);
	assert_int_equal(render(f), AP_OK);
	assert_true(fabs(f->info.true_peak_dbtp + f->info.gain_db - -1.0) < 0.001);
	assert_true(f->info.loudness_lufs + f->info.gain_db < -0.5);
}

static void render_sha256_is_the_digest_of_the_pcm_file(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_write_sine(f->src, WAV16, 22050, 1, 1.0, 440, 0.3), 0);
	assert_int_equal(render(f), AP_OK);
	char hex[65];
	assert_int_equal(clip_hash_file(f->pcm, hex, NULL, &f->err), AP_OK);
	assert_string_equal(hex, f->info.render_sha256);
	/* and rendering is deterministic */
	struct clip_info again;
	assert_int_equal(clip_render(f->src, "in.wav", &f->p, -1, &again, &f->err), AP_OK);
	assert_string_equal(again.render_sha256, f->info.render_sha256);
}

static void text_file_is_refused(void **state)
{
	struct fx *f = *state;
	FILE *t = fopen(f->src, "w");
	assert_non_null(t);
	fputs("this is not audio, just text in a .wav file\n", t);
	fclose(t);
	assert_int_equal(render(f), AP_EUSER);
	assert_non_null(strstr(f->err.msg, "in.wav: not a readable audio file"));
}

static void truncated_wav_is_refused(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 2, 2.0, 440, 0.3), 0);
	assert_int_equal(truncate(f->src, 200000), 0);
	assert_int_equal(render(f), AP_EUSER);
	assert_non_null(strstr(f->err.msg, "truncated"));
}

static void nan_samples_are_refused(void **state)
{
	struct fx *f = *state;
	SF_INFO info = { .samplerate = 48000,
		         .channels = 1,
		         .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
	SNDFILE *sf = sf_open(f->src, SFM_WRITE, &info);
	assert_non_null(sf);
	static float buf[48000];
	for (int i = 0; i < 48000; i++)
		buf[i] = (float)sin(i * 0.1) * 0.5f;
	buf[1000] = NAN;
	assert_int_equal(sf_writef_float(sf, buf, 48000), 48000);
	sf_close(sf);
	assert_int_equal(render(f), AP_EUSER);
	assert_non_null(strstr(f->err.msg, "NaN"));
}

/* The store side: a config whose state_dir is the fixture folder. */
static void import_config(struct fx *f, struct ap_config *cfg)
{
	char media[128];
	config_defaults(cfg);
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s/state", f->dir);
	snprintf(media, sizeof(media), "%s/state/media", f->dir);
	assert_int_equal(mkdir(cfg->state_dir, 0700), 0);
	assert_int_equal(mkdir(media, 0700), 0);
}

static int count_files(const char *dir)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static void import_stores_original_and_rendering_by_id(void **state)
{
	struct fx *f = *state;
	struct ap_config cfg;
	struct clip_import *ci;
	char want[65], path[4300];
	import_config(f, &cfg);
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 2, 1.0, 440, 0.3), 0);
	assert_int_equal(clip_hash_file(f->src, want, NULL, &f->err), AP_OK);
	assert_int_equal(clip_import_begin(&cfg, f->src, &ci, &f->err), AP_OK);
	assert_string_equal(clip_import_id(ci), want);
	assert_int_equal(clip_import_render(ci, &f->info, &f->err), AP_OK);
	assert_int_equal(clip_import_commit(ci, &f->err), AP_OK);
	clip_import_destroy(ci);
	assert_string_equal(f->info.id, want);
	assert_int_equal(clip_verify_files(&cfg, want, f->info.render_sha256, &f->err), AP_OK);
	assert_int_equal(clip_render_path(&cfg, want, path, sizeof(path)), AP_OK);
	assert_int_equal(access(path, R_OK), 0);
	snprintf(path, sizeof(path), "%s/state/media", f->dir);
	assert_int_equal(count_files(path), 2);
}

static void refused_import_leaves_no_files(void **state)
{
	struct fx *f = *state;
	struct ap_config cfg;
	struct clip_import *ci;
	char media[128];
	import_config(f, &cfg);
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 2, 2.0, 440, 0.0), 0);
	assert_int_equal(clip_import_begin(&cfg, f->src, &ci, &f->err), AP_OK);
	assert_int_equal(clip_import_render(ci, &f->info, &f->err), AP_EUSER);
	clip_import_destroy(ci);
	snprintf(media, sizeof(media), "%s/state/media", f->dir);
	assert_int_equal(count_files(media), 0);
}

/* What an import killed midway leaves behind, plus a stored-looking file
 * that must survive. */
static void leave_temp_files(struct fx *f, char paths[3][160])
{
	snprintf(paths[0], 160, "%s/state/media/.import-Ab12Cd", f->dir);
	snprintf(paths[1], 160, "%s/state/media/%064d.pcm.tmp.Xy34Zw", f->dir, 7);
	snprintf(paths[2], 160, "%s/state/media/%064d.src", f->dir, 7);
	for (int i = 0; i < 3; i++) {
		int fd = open(paths[i], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
}

static void next_import_removes_temp_files_of_a_killed_one(void **state)
{
	struct fx *f = *state;
	struct ap_config cfg;
	struct clip_import *ci;
	char paths[3][160];
	import_config(f, &cfg);
	leave_temp_files(f, paths);
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 2, 1.0, 440, 0.3), 0);
	assert_int_equal(clip_import_begin(&cfg, f->src, &ci, &f->err), AP_OK);
	clip_import_destroy(ci);
	assert_int_equal(access(paths[0], F_OK), -1);
	assert_int_equal(access(paths[1], F_OK), -1);
	assert_int_equal(access(paths[2], F_OK), 0);
}

static void temp_files_of_a_running_import_are_kept(void **state)
{
	struct fx *f = *state;
	struct ap_config cfg;
	struct clip_import *ci;
	char paths[3][160], media[128];
	import_config(f, &cfg);
	leave_temp_files(f, paths);
	/* Another import is running: it holds media/ shared. */
	snprintf(media, sizeof(media), "%s/state/media", f->dir);
	int other = open(media, O_RDONLY | O_DIRECTORY);
	assert_true(other >= 0);
	assert_int_equal(flock(other, LOCK_SH), 0);
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 2, 1.0, 440, 0.3), 0);
	assert_int_equal(clip_import_begin(&cfg, f->src, &ci, &f->err), AP_OK);
	clip_import_destroy(ci);
	close(other);
	for (int i = 0; i < 3; i++)
		assert_int_equal(access(paths[i], F_OK), 0);
}

static void verify_names_a_damaged_rendering(void **state)
{
	struct fx *f = *state;
	struct ap_config cfg;
	struct clip_import *ci;
	char path[4300];
	import_config(f, &cfg);
	assert_int_equal(fx_write_sine(f->src, WAV16, 48000, 2, 1.0, 440, 0.3), 0);
	assert_int_equal(clip_import_begin(&cfg, f->src, &ci, &f->err), AP_OK);
	assert_int_equal(clip_import_render(ci, &f->info, &f->err), AP_OK);
	assert_int_equal(clip_import_commit(ci, &f->err), AP_OK);
	clip_import_destroy(ci);
	clip_render_path(&cfg, f->info.id, path, sizeof(path));
	FILE *p = fopen(path, "r+b");
	assert_non_null(p);
	fseek(p, 1000, SEEK_SET);
	int ch = fgetc(p);
	fseek(p, 1000, SEEK_SET);
	fputc(ch ^ 1, p);
	fclose(p);
	assert_int_equal(clip_verify_files(&cfg, f->info.id, f->info.render_sha256, &f->err),
	                 AP_EUSER);
	assert_non_null(strstr(f->err.msg, "rendering is damaged"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(clip_verify_files(&cfg, f->info.id, f->info.render_sha256, &f->err),
	                 AP_EUSER);
	assert_non_null(strstr(f->err.msg, "rendering is missing"));
}

static void empty_and_folder_sources_are_refused(void **state)
{
	struct fx *f = *state;
	struct ap_config cfg;
	struct clip_import *ci;
	import_config(f, &cfg);
	FILE *t = fopen(f->src, "w");
	assert_non_null(t);
	fclose(t);
	assert_int_equal(clip_import_begin(&cfg, f->src, &ci, &f->err), AP_EUSER);
	assert_non_null(strstr(f->err.msg, "empty file"));
	assert_int_equal(clip_import_begin(&cfg, f->dir, &ci, &f->err), AP_EUSER);
	assert_non_null(strstr(f->err.msg, "is a folder"));
}

static void campaign_and_language_rules(void **state)
{
	(void)state;
	assert_true(clip_campaign_valid("cchc"));
	assert_true(clip_campaign_valid("cchc_2026-q1"));
	assert_false(clip_campaign_valid(""));
	assert_false(clip_campaign_valid("CCHC"));
	assert_false(clip_campaign_valid("cải cách"));
	assert_true(clip_lang_valid("vi"));
	assert_true(clip_lang_valid("en-us"));
	assert_false(clip_lang_valid("v"));
	assert_false(clip_lang_valid("VI"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(sine_wav_imports_with_its_duration),
		T(rendering_is_at_the_target_loudness),
		T(mono_is_duplicated_on_both_channels),
		T(six_channels_are_down_mixed_to_stereo),
		T(hi_res_96k_24bit_is_resampled_to_48k_with_exact_frames),
		T(float_samples_above_full_scale_are_clipped),
		T(float_gain_brings_loud_float_files_under_the_ceiling),
		T(ulaw_8k_mono_is_imported),
		T(clip_of_50ms_is_refused_as_too_short),
		T(clip_of_half_a_second_is_accepted),
		T(silent_clip_is_refused),
		T(nearly_silent_clip_is_refused),
		T(gain_is_capped_at_20_db),
		T(true_peak_ceiling_limits_the_gain),
		T(render_sha256_is_the_digest_of_the_pcm_file),
		T(text_file_is_refused),
		T(truncated_wav_is_refused),
		T(nan_samples_are_refused),
		T(import_stores_original_and_rendering_by_id),
		T(refused_import_leaves_no_files),
		T(next_import_removes_temp_files_of_a_killed_one),
		T(temp_files_of_a_running_import_are_kept),
		T(verify_names_a_damaged_rendering),
		T(empty_and_folder_sources_are_refused),
		T(campaign_and_language_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
