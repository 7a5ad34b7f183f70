/* Pieces of the import path that media/ shares between its files and that
 * its unit tests drive directly. Not for other modules: use media/clip.h. */
#ifndef AP_CLIP_INTERNAL_H
#define AP_CLIP_INTERNAL_H

#include <pthread.h>
#include <sndfile.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define CLIP_BLOCK_FRAMES 65536
#define CLIP_MAX_CHANNELS 64

/* While decoders run, fd 2 points at /dev/null: libmpg123 (inside
 * libsndfile) prints warnings about damaged MP3 frames and libsndfile has no
 * switch for it; the operator must see only our one line. begin returns
 * what end needs. AIRPROOF_DECODER_NOISE=1 in the environment keeps fd 2. */
int clip_quiet_begin(void);
void clip_quiet_end(int saved);

/* One open decoder plus the channel mapping onto "work" channels: the
 * output channels, except that a mono source stays mono until the end
 * (measured as dual mono, resampled once, duplicated on output). It decodes
 * one block ahead on a helper thread. */
struct clip_source {
	SF_INFO info;     /* rate, channels, header frame count, format */
	int work_ch;      /* channels of the blocks clip_source_next gives */
	char format[32];  /* "wav pcm16", "mp3", "flac pcm24", "vorbis"... */
	const char *name; /* for messages */
	/* private */
	SNDFILE *sf;
	int check_finite;    /* float sources may hold NaN or Inf */
	float (*weights)[2]; /* down-mix: [source channel][l, r]; NULL otherwise */
	float *raw;          /* decoded, before the channel mapping */
	float *block[2];     /* the caller's block, the one being decoded */
	int64_t decoded;     /* frames handed to the caller so far */
	int64_t next_n;      /* what decoding block[1] returned */
	struct ap_err next_err;
	pthread_t helper;
	int helper_running;
};

/* AP_EUSER naming the file (as name) when it is not audio we can take. On
 * success the caller closes it with clip_source_close. */
int clip_source_open(struct clip_source *s, const char *path, const char *name, int out_channels,
                     struct ap_err *e);
/* The next block of interleaved work frames in *block (valid until the next
 * call): the frame count, 0 at the end, or a negative error. */
int64_t clip_source_next(struct clip_source *s, const float **block, struct ap_err *e);
/* After the end: AP_EUSER if the file was cut short (frames decoded). */
int clip_source_check_whole(struct clip_source *s, const char *path, int64_t frames,
                            struct ap_err *e);
void clip_source_close(struct clip_source *s);

/* The EBU R128 true peak of one channel, equal to what libebur128 reports
 * for the whole signal (ebur128_true_peak), but oversampling only the parts
 * of the signal that could still hold the maximum. */
struct clip_peak;

/* NULL when out of memory. The caller frees it with clip_peak_destroy. */
struct clip_peak *clip_peak_create(int rate);
/* Adds frames samples taken stride floats apart (one channel of an
 * interleaved block). AP_OK or AP_EINTERNAL. */
int clip_peak_add(struct clip_peak *pk, const float *samples, size_t frames, size_t stride);
/* Linear true peak of everything added so far. */
double clip_peak_value(const struct clip_peak *pk);
void clip_peak_destroy(struct clip_peak *pk);

#endif
