/* media/peak.c: the true peak that skips stretches which cannot hold it must
 * equal libebur128's full computation, bit for bit, on every kind of signal,
 * including ones whose peak lies between samples and beats every sample. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ebur128.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/err.h"
#include "media/clip_internal.h"

/* libebur128 over the whole signal in one pass: the reference. */
static double full_true_peak(const float *x, size_t n, int rate)
{
	ebur128_state *st = ebur128_init(1, (unsigned long)rate, EBUR128_MODE_TRUE_PEAK);
	assert_non_null(st);
	assert_int_equal(ebur128_add_frames_float(st, x, n), EBUR128_SUCCESS);
	double tp;
	assert_int_equal(ebur128_true_peak(st, 0, &tp), EBUR128_SUCCESS);
	ebur128_destroy(&st);
	return tp;
}

/* The fast path, fed as the decoder feeds it: uneven blocks, channel 1 of
 * an interleaved stereo buffer (channel 0 is garbage that must be ignored). */
static double fast_true_peak(const float *x, size_t n, int rate)
{
	float *stereo = malloc(2 * n * sizeof(float));
	assert_non_null(stereo);
	for (size_t i = 0; i < n; i++) {
		stereo[2 * i] = 9.0f;
		stereo[2 * i + 1] = x[i];
	}
	struct clip_peak *pk = clip_peak_create(rate);
	assert_non_null(pk);
	size_t done = 0, block = 1000;
	while (done < n) {
		size_t k = n - done < block ? n - done : block;
		assert_int_equal(clip_peak_add(pk, stereo + 2 * done + 1, k, 2), AP_OK);
		done += k;
		block = block * 3 % 7919 + 1; /* 1000, 3001, 1225, ... */
	}
	double tp = clip_peak_value(pk);
	clip_peak_destroy(pk);
	free(stereo);
	return tp;
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* Speech-like: noise under an envelope of syllables and pauses, over a
 * quiet noise bed, so most stretches are far below the peak. */
static float *speechlike(size_t n, int rate, uint32_t seed)
{
	float *x = malloc(n * sizeof(float));
	assert_non_null(x);
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / rate;
		double env =
		    fmax(0.0, sin(2 * M_PI * 3.1 * t)) * (0.3 + 0.3 * sin(2 * M_PI * 0.37 * t));
		double noise = (double)lcg(&seed) / (1 << 24) * 2.0 - 1.0;
		x[i] = (float)(noise * (env + 0.01));
	}
	return x;
}

static void equals_libebur128_on_speechlike_signals_at_every_rate(void **state)
{
	(void)state;
	const int rates[] = { 8000, 44100, 48000, 96000, 192000 };
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		size_t n = (size_t)rates[r] * 3;
		float *x = speechlike(n, rates[r], (uint32_t)r + 1);
		assert_true(fast_true_peak(x, n, rates[r]) == full_true_peak(x, n, rates[r]));
		free(x);
	}
}

/* A Nyquist-rate square wave that flips phase: two equal samples in a row
 * whose interpolated midpoint is ~1.86x the samples, the filter's worst
 * case. It comes after a louder single sample, so only a correct bound
 * keeps it from being skipped. */
static void finds_an_inter_sample_peak_above_every_sample(void **state)
{
	(void)state;
	size_t n = 48000;
	float *x = calloc(n, sizeof(float));
	assert_non_null(x);
	x[1000] = 0.9f;
	for (size_t i = 20000; i < 20400; i++)
		x[i] = (i % 2 == 0) == (i < 20200) ? 0.5f : -0.5f;
	double full = full_true_peak(x, n, 48000);
	assert_true(full > 0.9);
	assert_true(fast_true_peak(x, n, 48000) == full);
	free(x);
}

static void equals_libebur128_on_a_rising_sine_and_on_silence(void **state)
{
	(void)state;
	size_t n = 44100 * 2;
	float *x = malloc(n * sizeof(float));
	assert_non_null(x);
	for (size_t i = 0; i < n; i++) /* every stretch a new maximum: nothing skipped */
		x[i] = (float)((double)i / n * sin(2 * M_PI * 11025.0 * i / 44100 + M_PI / 4));
	assert_true(fast_true_peak(x, n, 44100) == full_true_peak(x, n, 44100));
	for (size_t i = 0; i < n; i++)
		x[i] = 0.0f;
	assert_true(fast_true_peak(x, n, 44100) == 0.0);
	assert_true(full_true_peak(x, n, 44100) == 0.0);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equals_libebur128_on_speechlike_signals_at_every_rate),
		cmocka_unit_test(finds_an_inter_sample_peak_above_every_sample),
		cmocka_unit_test(equals_libebur128_on_a_rising_sine_and_on_silence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
