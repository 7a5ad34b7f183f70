/* Playout: a clip's rendered PCM (raw s16le, interleaved) streamed to an
 * audio output in blocks of at most 100 ms, paced against CLOCK_MONOTONIC so
 * a minute of audio takes a minute on every driver (libao's null and file
 * drivers return at once), with the SHA-256 of exactly the bytes handed to
 * the output. DESIGN.md "Playout".
 *
 * Outputs sit behind an ops struct (like cmus's output plugins): libao
 * (playout/out_ao.c) for stations, a recording backend in the tests. An
 * output stays open while items follow each other; the caller closes it
 * after an idle gap with play_out_close. */
#ifndef AP_PLAY_H
#define AP_PLAY_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/hash.h"

struct ap_config;

#define PLAY_BLOCK_MS 100

/* ---- outputs ---- */

struct play_out_ops {
	/* Open for s16le interleaved audio. AP_OK or an error in e. */
	int (*open)(void *impl, int rate, int channels, struct ap_err *e);
	/* Hand len bytes to the device; AP_OK only when all of them went. */
	int (*write)(void *impl, const void *buf, size_t len, struct ap_err *e);
	void (*close)(void *impl);
	void (*destroy)(void *impl);
};

struct play_out {
	const struct play_out_ops *ops;
	void *impl;
	char driver[32]; /* the driver's name, written into proofs */
	int is_open, rate, channels;
};

/* A libao output for cfg's audio.driver and audio.options. File drivers
 * (wav, raw, au) write to options.file. The caller owns *out and frees it
 * with play_out_destroy. */
int play_out_ao_create(const struct ap_config *cfg, struct play_out **out, struct ap_err *e);
/* Wrap any ops (tests). Takes ownership of impl (destroyed with the out). */
int play_out_create(const struct play_out_ops *ops, void *impl, const char *driver,
                    struct play_out **out, struct ap_err *e);
/* Open unless already open with the same format (reopens otherwise). */
int play_out_open(struct play_out *o, int rate, int channels, struct ap_err *e);
void play_out_close(struct play_out *o);
void play_out_destroy(struct play_out *o);

/* ---- playing a clip ---- */

/* Called between blocks with the frames handed over so far; returns nonzero
 * to stop the play (status interrupted). Also where the caller checkpoints. */
typedef int (*play_tick_fn)(void *arg, int64_t frames_played);

struct play_request {
	const char *pcm_path;
	int rate, channels;
	int64_t frames_expected;
	const char *render_sha256; /* lowercase hex */
	int pace;                  /* 1: real time; 0: as fast as the output takes it */
	int64_t open_deadline_ms;  /* CLOCK_REALTIME; keep retrying the open until then */
	play_tick_fn tick;         /* may be NULL */
	void *tick_arg;
};

enum play_status { PLAY_COMPLETE = 1, PLAY_INTERRUPTED, PLAY_FAILED };

struct play_result {
	enum play_status status;
	int64_t frames_played;
	char pcm_sha256[SHA256_HEX_LEN + 1]; /* of the bytes handed over */
	char error[256];                     /* "" when complete */
	int64_t started_ms, ended_ms;        /* CLOCK_REALTIME of the first write, the end */
	int64_t start_late_us;               /* first write - start_ms, microseconds */
};

struct play;

/* Prepare a play: open the rendering, open the output (retrying until
 * req->open_deadline_ms) and read the first block, so the start itself is
 * only a write. Returns AP_OK with *out set, or an error; either way *res is
 * valid: on error it is the truthful failed result (nothing played). The
 * caller frees *out with play_destroy. req's strings must outlive the play. */
int play_prepare(struct play_out *o, const struct play_request *req, struct play **out,
                 struct play_result *res, struct ap_err *e);
/* Sleep until start_ms (CLOCK_REALTIME, absolute; 0 = now), then stream.
 * Always fills *res; returns AP_OK when the play completed. */
int play_run(struct play *p, int64_t start_ms, struct play_result *res);
void play_destroy(struct play *p);

/* prepare + run + destroy. */
int play_clip(struct play_out *o, const struct play_request *req, int64_t start_ms,
              struct play_result *res);

const char *play_status_name(enum play_status s);

/* SHA-256 (hex) of the first frames of a rendering: what a play that was cut
 * after that many frames handed over. */
int play_pcm_prefix_sha256(const char *pcm_path, int channels, int64_t frames,
                           char out[SHA256_HEX_LEN + 1], struct ap_err *e);

#endif
