/* Audio fixtures for unit tests, generated with libsndfile: sine waves in any
 * format libsndfile writes, per-channel sines, silence, and a reader for
 * rendered s16le PCM files. Paths go in a per-test temp folder. */
#ifndef AP_AUDIO_FIXTURES_H
#define AP_AUDIO_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

/* A fresh temp folder (mkdtemp) in out; 0 or -1. Remove it with fx_rmrf. */
int fx_tmpdir(char *out, size_t cap);
void fx_rmrf(const char *dir);

/* Write seconds of a sine at freq Hz and peak amplitude (1.0 = full scale;
 * above 1.0 only makes sense for float formats) on every channel.
 * format is a libsndfile SF_FORMAT_* major|subtype. 0 or -1. */
int fx_write_sine(const char *path, int format, int rate, int channels, double seconds, double freq,
                  double amplitude);
/* Like fx_write_sine, but amplitude per channel (amps[channels]). */
int fx_write_sine_channels(const char *path, int format, int rate, int channels, double seconds,
                           double freq, const double *amps);

/* Read a whole s16le PCM file: *samples is malloc'd (caller frees). */
int fx_read_pcm(const char *path, int16_t **samples, size_t *n);
/* Integrated loudness (LUFS) of interleaved s16 samples. */
double fx_pcm_loudness(const int16_t *samples, size_t n, int channels, int rate);

#endif
