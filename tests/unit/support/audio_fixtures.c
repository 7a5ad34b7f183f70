/* Audio fixtures for unit tests (see audio_fixtures.h). */
#include "tests/unit/support/audio_fixtures.h"

#include <ebur128.h>
#include <ftw.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int fx_tmpdir(char *out, size_t cap)
{
	snprintf(out, cap, "/tmp/ap-test-XXXXXX");
	return mkdtemp(out) ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fx_rmrf(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int fx_write_sine_channels(const char *path, int format, int rate, int channels, double seconds,
                           double freq, const double *amps)
{
	SF_INFO info = { .samplerate = rate, .channels = channels, .format = format };
	SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
	if (!sf)
		return -1;
	int64_t frames = (int64_t)llround(seconds * rate);
	float *buf = malloc((size_t)channels * 4096 * sizeof(float));
	int rc = buf ? 0 : -1;
	for (int64_t done = 0; !rc && done < frames; done += 4096) {
		int64_t n = frames - done < 4096 ? frames - done : 4096;
		for (int64_t f = 0; f < n; f++) {
			double v = sin(2.0 * M_PI * freq * (double)(done + f) / rate);
			for (int c = 0; c < channels; c++)
				buf[f * channels + c] = (float)(v * amps[c]);
		}
		if (sf_writef_float(sf, buf, n) != n)
			rc = -1;
	}
	free(buf);
	if (sf_close(sf) != 0)
		rc = -1;
	return rc;
}

int fx_write_sine(const char *path, int format, int rate, int channels, double seconds, double freq,
                  double amplitude)
{
	double amps[64];
	if (channels < 1 || channels > 64)
		return -1;
	for (int c = 0; c < channels; c++)
		amps[c] = amplitude;
	return fx_write_sine_channels(path, format, rate, channels, seconds, freq, amps);
}

int fx_read_pcm(const char *path, int16_t **samples, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *bytes = malloc(len > 0 ? (size_t)len : 1);
	int16_t *out = malloc(len > 0 ? (size_t)len : 1);
	if (!bytes || !out || fread(bytes, 1, (size_t)len, f) != (size_t)len) {
		free(bytes);
		free(out);
		fclose(f);
		return -1;
	}
	fclose(f);
	for (long i = 0; i + 1 < len; i += 2)
		out[i / 2] = (int16_t)(uint16_t)(bytes[i] | (bytes[i + 1] << 8));
	free(bytes);
	*samples = out;
	*n = (size_t)len / 2;
	return 0;
}

double fx_pcm_loudness(const int16_t *samples, size_t n, int channels, int rate)
{
	ebur128_state *st = ebur128_init((unsigned)channels, (unsigned long)rate, EBUR128_MODE_I);
	double lufs = -HUGE_VAL;
	if (!st)
		return lufs;
	ebur128_add_frames_short(st, samples, n / (size_t)channels);
	ebur128_loudness_global(st, &lufs);
	ebur128_destroy(&st);
	return lufs;
}
