/* The clip library: decode, measure, render and store clips.
 *
 * Import decodes the whole source once to measure it (EBU R128 integrated
 * loudness and true peak, libebur128) and once more to render it: channel
 * mapping (mono is duplicated, more than two channels are down-mixed),
 * resampling to the station rate (libsoxr), gain in float, clipping,
 * s16. Loudness is measured on the channel-mapped signal at the source rate,
 * so a mono clip is measured as the dual-mono it will air as, a 5.1 clip as
 * its stereo down-mix, and no resampling is spent on the measuring pass.
 * Gain = target - loudness, lowered so the true peak stays <= the maximum,
 * never above +20 dB. Clips under 0.4 s (one R128 gating block) and clips
 * quieter than -70 LUFS are refused; so is anything that decodes only
 * partway.
 *
 * Media store (state_dir/media/), content-addressed by clip id = SHA-256 of
 * the original file bytes (what sha256sum prints):
 *   <id>.src  the original file, byte for byte
 *   <id>.pcm  the rendering: raw signed 16-bit little-endian PCM, channels
 *             interleaved, at the clip row's rate and channels (the station's
 *             audio.rate/audio.channels at import). No header: frames =
 *             size / (2 * channels). SHA-256 of the whole file is the row's
 *             render_sha256. The daemon streams it as is.
 * Every file is written to a temp name, fsynced and renamed. */
#ifndef AP_CLIP_H
#define AP_CLIP_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct ap_config;

#define CLIP_ID_HEX       64
#define CLIP_MIN_MS       400   /* one EBU R128 gating block */
#define CLIP_SILENT_LUFS  -70.0 /* the R128 absolute gate */
#define CLIP_MAX_GAIN_DB  20.0
#define CLIP_FRAMES_SLACK 0.01 /* decoded may fall this far short of the header */

/* What a rendering must look like. */
struct clip_params {
	int rate;             /* output Hz */
	int channels;         /* output channels, 1 or 2 */
	double target_lufs;   /* integrated loudness to reach */
	double true_peak_max; /* dBTP ceiling after gain */
};

/* Facts about one decoded and rendered clip. */
struct clip_info {
	char id[CLIP_ID_HEX + 1]; /* set by clip_import_begin; "" from clip_render */
	int64_t source_bytes;     /* set by clip_import_begin */
	char source_format[32];   /* "wav pcm16", "mp3", "flac pcm24", "vorbis"... */
	int source_rate, source_channels;
	int64_t source_frames; /* frames that really decoded */
	int rate, channels;
	int64_t frames; /* frames in the rendering */
	double loudness_lufs, true_peak_dbtp, gain_db;
	char render_sha256[CLIP_ID_HEX + 1];
};

void clip_params_from_config(const struct ap_config *cfg, struct clip_params *p);

/* Decode, measure and render the audio file at path, writing the PCM to
 * out_fd (or nowhere when out_fd < 0; the digest is computed either way).
 * name is how messages refer to the file. AP_EUSER with one line naming the
 * file and the reason for anything that is not a whole, measurable clip. */
int clip_render(const char *path, const char *name, const struct clip_params *p, int out_fd,
                struct clip_info *info, struct ap_err *e);

/* A clip being imported into the media store: begin copies the source to a
 * temp file in media/ while hashing it (so what is decoded is exactly what
 * was hashed), render decodes that copy into a temp rendering, commit makes
 * both durable under their final names. destroy removes whatever temp files
 * remain; after a commit it leaves the stored files alone. */
struct clip_import;

/* Symlinks are followed; the target must be a regular, non-empty file. The
 * caller owns *out and frees it with clip_import_destroy. */
int clip_import_begin(const struct ap_config *cfg, const char *path, struct clip_import **out,
                      struct ap_err *e);
/* The clip id (64 lowercase hex) once begin succeeded. */
const char *clip_import_id(const struct clip_import *ci);
int clip_import_render(struct clip_import *ci, struct clip_info *info, struct ap_err *e);
int clip_import_commit(struct clip_import *ci, struct ap_err *e);
void clip_import_destroy(struct clip_import *ci);

/* media/<id>.pcm and media/<id>.src. AP_EUSER when the path does not fit. */
int clip_render_path(const struct ap_config *cfg, const char *id, char *buf, size_t cap);
int clip_source_path(const struct ap_config *cfg, const char *id, char *buf, size_t cap);
/* Remove both stored files of a clip (missing ones are fine). */
int clip_remove_files(const struct ap_config *cfg, const char *id, struct ap_err *e);
/* Re-hash both stored files: the original must hash to id, the rendering to
 * render_sha256. AP_EUSER naming the first damaged or missing file. */
int clip_verify_files(const struct ap_config *cfg, const char *id, const char *render_sha256,
                      struct ap_err *e);
/* SHA-256 of a whole file as lowercase hex, in one streaming pass. */
int clip_hash_file(const char *path, char hex[CLIP_ID_HEX + 1], int64_t *bytes, struct ap_err *e);

/* Metadata checks shared by the CLI and tests. */
int clip_campaign_valid(const char *campaign); /* 1..63 of [a-z0-9_-] */
int clip_lang_valid(const char *lang);         /* 2..15 of [a-z0-9-], e.g. vi, en-us */

#endif
