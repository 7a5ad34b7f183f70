/* Exact true peak with less oversampling. libebur128 finds the true peak by
 * running every sample through a 4x oversampling FIR (2x from 96 kHz, none
 * from 192 kHz), which costs more than the rest of the measurement together.
 * Each output of that filter is a weighted sum of the last `reach` + 1 input
 * samples, so it is at most bound x (largest |sample| within reach), bound
 * being the largest sum of |coefficients| of one phase of the filter. A
 * stretch whose samples cannot push an output above the largest peak found
 * so far cannot change the result and is not oversampled. The others go
 * through libebur128 itself, preceded by their `reach` samples of history in
 * a separate call, so its filter sees exactly what it would have seen in one
 * full pass; ebur128_prev_true_peak then gives that stretch's peak alone.
 * The unit tests compare the result with libebur128's full computation. */
#include "media/clip_internal.h"

#include <ebur128.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

#define PEAK_STRETCH 128 /* frames per bound check: measured best of 64..4096 */
#define PEAK_TAPS    49  /* libebur128's interpolator (ebur128.c interp_create) */
#define PEAK_REACH   24  /* the most samples back it reads: 49 taps at 2x */

struct clip_peak {
	ebur128_state *st; /* mono, true peak only */
	double bound;      /* output <= bound x max |input within reach| */
	int reach;
	double best;
	float buf[PEAK_REACH + PEAK_STRETCH]; /* history, then the stretch */
};

/* libebur128's oversampling factor at this rate (0: it does none). */
static int oversampling(int rate)
{
	return rate < 96000 ? 4 : rate < 192000 ? 2 : 0;
}

/* The largest sum of |coefficients| over the phases of libebur128's filter:
 * a Hann-windowed sinc of PEAK_TAPS taps, phase j % factor. */
static double filter_bound(int factor)
{
	double sum[4] = { 0 };
	for (int j = 0; j < PEAK_TAPS; j++) {
		double m = j - (PEAK_TAPS - 1) / 2.0;
		double c = fabs(m) > 1e-6 ? sin(m * M_PI / factor) / (m * M_PI / factor) : 1.0;
		c *= 0.5 * (1.0 - cos(2.0 * M_PI * j / (PEAK_TAPS - 1)));
		sum[j % factor] += fabs(c);
	}
	double bound = 1.0;
	for (int f = 0; f < factor; f++)
		bound = fmax(bound, sum[f]);
	/* The filter sums in double and stores float: allow for rounding. */
	return bound * (1.0 + 1e-6);
}

struct clip_peak *clip_peak_create(int rate)
{
	struct clip_peak *pk = calloc(1, sizeof(*pk));
	if (!pk)
		return NULL;
	pk->st = ebur128_init(1, (unsigned long)rate, EBUR128_MODE_TRUE_PEAK);
	if (!pk->st) {
		free(pk);
		return NULL;
	}
	int factor = oversampling(rate);
	pk->bound = factor ? filter_bound(factor) : 1.0;
	pk->reach = factor ? (PEAK_TAPS + factor - 1) / factor - 1 : 0;
	return pk;
}

static float max_abs(const float *x, size_t n)
{
	float m = 0.0f;
	for (size_t i = 0; i < n; i++) /* not fmaxf: that is a libm call here */
		m = fabsf(x[i]) > m ? fabsf(x[i]) : m;
	return m;
}

int clip_peak_add(struct clip_peak *pk, const float *samples, size_t frames, size_t stride)
{
	size_t reach = (size_t)pk->reach;
	float *stretch = pk->buf + reach;
	while (frames > 0) {
		size_t n = frames < PEAK_STRETCH ? frames : PEAK_STRETCH;
		for (size_t i = 0; i < n; i++)
			stretch[i] = samples[i * stride];
		/* The sample peak counts too: libebur128 reports the larger. */
		pk->best = fmax(pk->best, max_abs(stretch, n));
		if (pk->bound * max_abs(pk->buf, reach + n) > pk->best) {
			double peak;
			if (ebur128_add_frames_float(pk->st, pk->buf, reach) != EBUR128_SUCCESS ||
			    ebur128_add_frames_float(pk->st, stretch, n) != EBUR128_SUCCESS ||
			    ebur128_prev_true_peak(pk->st, 0, &peak) != EBUR128_SUCCESS)
				return AP_EINTERNAL;
			pk->best = fmax(pk->best, peak);
		}
		/* Keep the last reach samples as the next stretch's history. */
		memmove(pk->buf, pk->buf + n, reach * sizeof(float));
		samples += n * stride;
		frames -= n;
	}
	return AP_OK;
}

double clip_peak_value(const struct clip_peak *pk)
{
	return pk->best;
}

void clip_peak_destroy(struct clip_peak *pk)
{
	if (!pk)
		return;
	ebur128_destroy(&pk->st);
	free(pk);
}
