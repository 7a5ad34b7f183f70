/* Decode (libsndfile), measure (libebur128), resample (libsamplerate) and
 * render a clip to s16le PCM. Two decoding passes: the first counts what
 * really decodes and measures loudness, the second renders with the gain the
 * first found, so memory stays at a few blocks whatever the clip's length. */
#include "media/clip.h"

#include <ebur128.h>
#include <fcntl.h>
#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/hash.h"
#include "config/config.h"

#define BLOCK_FRAMES 65536
#define MAX_CHANNELS 64
/* SINC_FASTEST is transparent for speech and music at broadcast rates (its
 * passband is flat to 80% of Nyquist, -97 dB rejection) and about 3x faster
 * than SINC_MEDIUM_QUALITY; see bench/bench_import.sh. */
#define SRC_CONVERTER SRC_SINC_FASTEST

void clip_params_from_config(const struct ap_config *cfg, struct clip_params *p)
{
	p->rate = cfg->rate;
	p->channels = cfg->channels;
	p->target_lufs = cfg->target_lufs;
	p->true_peak_max = cfg->true_peak_max;
}

/* libmpg123 (inside libsndfile) prints warnings about damaged MP3 frames on
 * stderr and has no switch libsndfile exposes; the operator must see only
 * our one line, so fd 2 points at /dev/null while a decoder runs. */
struct quiet {
	int saved;
};

static void quiet_begin(struct quiet *q)
{
	q->saved = -1;
	if (getenv("AIRPROOF_DECODER_NOISE"))
		return;
	int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0)
		return;
	fflush(stderr);
	q->saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (q->saved >= 0)
		dup2(null_fd, 2);
	close(null_fd);
}

static void quiet_end(struct quiet *q)
{
	if (q->saved < 0)
		return;
	fflush(stderr);
	dup2(q->saved, 2);
	close(q->saved);
	q->saved = -1;
}

static const char *subtype_name(int fmt)
{
	switch (fmt & SF_FORMAT_SUBMASK) {
	case SF_FORMAT_PCM_S8:
	case SF_FORMAT_PCM_U8:
		return " pcm8";
	case SF_FORMAT_PCM_16:
		return " pcm16";
	case SF_FORMAT_PCM_24:
		return " pcm24";
	case SF_FORMAT_PCM_32:
		return " pcm32";
	case SF_FORMAT_FLOAT:
		return " float";
	case SF_FORMAT_DOUBLE:
		return " double";
	case SF_FORMAT_ULAW:
		return " ulaw";
	case SF_FORMAT_ALAW:
		return " alaw";
	default:
		return "";
	}
}

static void format_name(int fmt, char *out, size_t cap)
{
	const char *major = "other";
	int with_sub = 1;
	switch (fmt & SF_FORMAT_TYPEMASK) {
	case SF_FORMAT_WAV:
	case SF_FORMAT_WAVEX:
	case SF_FORMAT_RF64:
	case SF_FORMAT_W64:
		major = "wav";
		break;
	case SF_FORMAT_AIFF:
		major = "aiff";
		break;
	case SF_FORMAT_AU:
		major = "au";
		break;
	case SF_FORMAT_CAF:
		major = "caf";
		break;
	case SF_FORMAT_FLAC:
		major = "flac";
		break;
	case SF_FORMAT_OGG:
		major = (fmt & SF_FORMAT_SUBMASK) == SF_FORMAT_OPUS ? "opus" : "vorbis";
		with_sub = 0;
		break;
	case SF_FORMAT_MPEG:
		major = "mp3";
		with_sub = 0;
		break;
	default:
		break;
	}
	snprintf(out, cap, "%s%s", major, with_sub ? subtype_name(fmt) : "");
}

/* Down-mix weights for a channel position onto left and right. */
static void position_weights(int pos, float *l, float *r)
{
	const float c = 0.70710678f;
	switch (pos) {
	case SF_CHANNEL_MAP_MONO:
		*l = c;
		*r = c;
		break;
	case SF_CHANNEL_MAP_LEFT:
	case SF_CHANNEL_MAP_FRONT_LEFT:
		*l = 1.0f;
		*r = 0.0f;
		break;
	case SF_CHANNEL_MAP_RIGHT:
	case SF_CHANNEL_MAP_FRONT_RIGHT:
		*l = 0.0f;
		*r = 1.0f;
		break;
	case SF_CHANNEL_MAP_CENTER:
	case SF_CHANNEL_MAP_FRONT_CENTER:
		*l = c;
		*r = c;
		break;
	case SF_CHANNEL_MAP_LFE:
		*l = 0.0f;
		*r = 0.0f;
		break;
	case SF_CHANNEL_MAP_REAR_LEFT:
	case SF_CHANNEL_MAP_SIDE_LEFT:
	case SF_CHANNEL_MAP_FRONT_LEFT_OF_CENTER:
		*l = c;
		*r = 0.0f;
		break;
	case SF_CHANNEL_MAP_REAR_RIGHT:
	case SF_CHANNEL_MAP_SIDE_RIGHT:
	case SF_CHANNEL_MAP_FRONT_RIGHT_OF_CENTER:
		*l = 0.0f;
		*r = c;
		break;
	default:
		*l = 0.5f;
		*r = 0.5f;
		break;
	}
}

/* One open decoder plus the channel mapping onto "work" channels: the
 * output channels, except that a mono source stays mono until the end
 * (measured as dual mono, resampled once, duplicated on output). */
struct source {
	SNDFILE *sf;
	SF_INFO info;
	int check_finite; /* float sources may hold NaN or Inf */
	int work_ch;
	float (*weights)[2]; /* down-mix: [source channel][l, r]; NULL otherwise */
};

static void source_close(struct source *s)
{
	if (s->sf)
		sf_close(s->sf);
	s->sf = NULL;
	free(s->weights);
	s->weights = NULL;
}

static int source_open(struct source *s, const char *path, const char *name,
                       const struct clip_params *p, struct ap_err *e)
{
	memset(s, 0, sizeof(*s));
	s->sf = sf_open(path, SFM_READ, &s->info);
	if (!s->sf)
		return ap_err_user(e, "%s: not a readable audio file (%s)", name,
		                   sf_strerror(NULL));
	if (s->info.channels < 1 || s->info.channels > MAX_CHANNELS) {
		source_close(s);
		return ap_err_user(e, "%s: unsupported channel count %d", name, s->info.channels);
	}
	if (s->info.samplerate < 1000 || s->info.samplerate > 768000) {
		source_close(s);
		return ap_err_user(e, "%s: unsupported sample rate %d Hz", name,
		                   s->info.samplerate);
	}
	int sub = s->info.format & SF_FORMAT_SUBMASK;
	s->check_finite = sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_DOUBLE;
	/* Values above full scale in float files are kept, measured, and
	 * brought down by the gain; no clipping inside libsndfile. */
	sf_command(s->sf, SFC_SET_CLIPPING, NULL, SF_FALSE);
	int ch = s->info.channels;
	s->work_ch = ch == 1 ? 1 : p->channels;
	if (ch > 2 && p->channels == 2) {
		s->weights = calloc((size_t)ch, sizeof(*s->weights));
		int *map = calloc((size_t)ch, sizeof(int));
		if (!s->weights || !map) {
			free(map);
			source_close(s);
			return ap_err_internal(e, "out of memory");
		}
		/* Without a channel map, assume the WAVE order FL FR FC LFE BL BR SL SR. */
		static const int wave_order[8] = {
			SF_CHANNEL_MAP_FRONT_LEFT,   SF_CHANNEL_MAP_FRONT_RIGHT,
			SF_CHANNEL_MAP_FRONT_CENTER, SF_CHANNEL_MAP_LFE,
			SF_CHANNEL_MAP_REAR_LEFT,    SF_CHANNEL_MAP_REAR_RIGHT,
			SF_CHANNEL_MAP_SIDE_LEFT,    SF_CHANNEL_MAP_SIDE_RIGHT,
		};
		if (sf_command(s->sf, SFC_GET_CHANNEL_MAP_INFO, map, ch * (int)sizeof(int)) !=
		    SF_TRUE)
			for (int i = 0; i < ch; i++)
				map[i] = i < 8 ? wave_order[i] : SF_CHANNEL_MAP_INVALID;
		for (int i = 0; i < ch; i++)
			position_weights(map[i], &s->weights[i][0], &s->weights[i][1]);
		free(map);
	}
	return AP_OK;
}

/* libsndfile quietly shortens a WAV or AIFF whose data chunk claims more
 * bytes than the file holds (a cut-off copy); its log says so as
 * "data : 529200 (should be 199956)". Streaming writers leave 0 or
 * 0xFFFFFFFF there, which is no claim at all. */
static int chunk_cut_short(SNDFILE *sf)
{
	char log[8192];
	sf_command(sf, SFC_GET_LOG_INFO, log, sizeof(log));
	for (const char *l = log; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		unsigned long long claimed, actual;
		if ((sscanf(l, " data : %llu (should be %llu)", &claimed, &actual) == 2 ||
		     sscanf(l, " SSND : %llu (should be %llu)", &claimed, &actual) == 2) &&
		    claimed > actual && claimed < 0xFFFFFFF0ULL &&
		    (double)(claimed - actual) > CLIP_FRAMES_SLACK * (double)claimed)
			return 1;
	}
	return 0;
}

/* An Ogg stream ends with a complete page flagged end-of-stream. libsndfile
 * takes an Ogg file's length from its last page, so a cut-off copy decodes
 * "whole" to a shorter length; only the missing end-of-stream page gives it
 * away. A page is at most 27 + 255 + 255 * 255 bytes. */
static int ogg_cut_short(const char *path)
{
	enum { TAIL = 27 + 255 + 255 * 255 };
	uint8_t buf[TAIL]; /* 64 KiB: fine on the import path's stack */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	off_t size = lseek(fd, 0, SEEK_END);
	off_t start = size > TAIL ? size - TAIL : 0;
	ssize_t n = size > 0 ? pread(fd, buf, (size_t)(size - start), start) : -1;
	close(fd);
	if (n != size - start)
		return 1;
	for (ssize_t i = n - 27; i >= 0; i--) {
		if (memcmp(buf + i, "OggS", 4) != 0)
			continue;
		int segments = buf[i + 26];
		if (i + 27 + segments > n)
			continue;
		ssize_t end = i + 27 + segments;
		for (int k = 0; k < segments; k++)
			end += buf[i + 27 + k];
		if (end == n && (buf[i + 5] & 0x04))
			return 0;
	}
	return 1;
}

/* Reads up to BLOCK_FRAMES frames mapped onto work channels. Returns the
 * frame count (0 at the end) or a negative error. */
static int64_t source_read(struct source *s, const char *name, float *raw, float *work,
                           int64_t done, struct ap_err *e)
{
	int ch = s->info.channels;
	sf_count_t n = sf_readf_float(s->sf, raw, BLOCK_FRAMES);
	if (sf_error(s->sf) != SF_ERR_NO_ERROR)
		return ap_err_user(e, "%s: decoding failed at %lld:%02lld (%s)", name,
		                   (long long)(done / s->info.samplerate / 60),
		                   (long long)(done / s->info.samplerate % 60), sf_strerror(s->sf));
	if (n <= 0)
		return 0;
	if (s->check_finite)
		for (sf_count_t i = 0; i < n * ch; i++)
			if (!isfinite(raw[i]))
				return ap_err_user(
				    e, "%s: contains invalid samples (NaN or infinity)", name);
	if (ch == s->work_ch || ch == 1) {
		memcpy(work, raw, (size_t)(n * ch) * sizeof(float));
	} else if (s->work_ch == 1) {
		float scale = 1.0f / (float)ch;
		for (sf_count_t f = 0; f < n; f++) {
			float sum = 0.0f;
			for (int c = 0; c < ch; c++)
				sum += raw[f * ch + c];
			work[f] = sum * scale;
		}
	} else {
		for (sf_count_t f = 0; f < n; f++) {
			float l = 0.0f, r = 0.0f;
			for (int c = 0; c < ch; c++) {
				l += raw[f * ch + c] * s->weights[c][0];
				r += raw[f * ch + c] * s->weights[c][1];
			}
			work[2 * f] = l;
			work[2 * f + 1] = r;
		}
	}
	return n;
}

static double to_db(double linear)
{
	return linear > 0.0 ? 20.0 * log10(linear) : -INFINITY;
}

/* Pass 1: count frames, measure loudness and true peak. */
static int measure(const char *path, const char *name, const struct clip_params *p, float *raw,
                   float *work, struct clip_info *info, struct ap_err *e)
{
	struct source s;
	int rc = source_open(&s, path, name, p, e);
	if (rc)
		return rc;
	ebur128_state *r128 = ebur128_init((unsigned)s.work_ch, (unsigned long)s.info.samplerate,
	                                   EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
	if (!r128) {
		source_close(&s);
		return ap_err_internal(e, "%s: cannot set up loudness measurement", name);
	}
	if (s.work_ch == 1 && p->channels == 2)
		ebur128_set_channel(r128, 0, EBUR128_DUAL_MONO);
	else if (s.work_ch == 1)
		ebur128_set_channel(r128, 0, EBUR128_CENTER);
	int64_t frames = 0, n;
	while ((n = source_read(&s, name, raw, work, frames, e)) > 0) {
		if (ebur128_add_frames_float(r128, work, (size_t)n) != EBUR128_SUCCESS) {
			rc = ap_err_internal(e, "%s: loudness measurement failed", name);
			break;
		}
		frames += n;
	}
	if (n < 0)
		rc = (int)n;
	int rate = s.info.samplerate;
	int64_t header = s.info.frames;
	if (!rc && frames == 0)
		rc = ap_err_user(e, "%s: contains no audio", name);
	if (!rc && (s.info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG && ogg_cut_short(path))
		rc = ap_err_user(e, "%s: truncated: the Ogg stream has no end", name);
	if (!rc && chunk_cut_short(s.sf))
		rc =
		    ap_err_user(e, "%s: truncated: the file ends before its audio data does", name);
	/* Header counts can be estimates, but a file that decodes to clearly
	 * less than it announces is cut short or damaged: never import it short. */
	if (!rc && header > 0 && header < INT64_MAX / 2 &&
	    (double)(header - frames) > CLIP_FRAMES_SLACK * (double)header &&
	    header - frames > rate / 10)
		rc = ap_err_user(e, "%s: truncated or damaged: %.1f s of %.1f s decoded", name,
		                 (double)frames / rate, (double)header / rate);
	if (!rc && frames * 1000 < (int64_t)CLIP_MIN_MS * rate)
		rc = ap_err_user(e,
		                 "%s: too short to measure loudness (%lld ms; at least %d ms "
		                 "needed)",
		                 name, (long long)(frames * 1000 / rate), CLIP_MIN_MS);
	double lufs = -INFINITY, peak = 0.0;
	if (!rc && ebur128_loudness_global(r128, &lufs) != EBUR128_SUCCESS)
		rc = ap_err_internal(e, "%s: loudness measurement failed", name);
	if (!rc && (!isfinite(lufs) || lufs < CLIP_SILENT_LUFS))
		rc = ap_err_user(e, "%s: silent or nearly silent (loudness %s LUFS)", name,
		                 isfinite(lufs) ? "below -70" : "-inf");
	for (int c = 0; !rc && c < s.work_ch; c++) {
		double tp;
		if (ebur128_true_peak(r128, (unsigned)c, &tp) != EBUR128_SUCCESS)
			rc = ap_err_internal(e, "%s: true peak measurement failed", name);
		else if (tp > peak)
			peak = tp;
	}
	if (!rc) {
		format_name(s.info.format, info->source_format, sizeof(info->source_format));
		info->source_rate = rate;
		info->source_channels = s.info.channels;
		info->source_frames = frames;
		info->loudness_lufs = lufs;
		info->true_peak_dbtp = to_db(peak);
		double gain = p->target_lufs - lufs;
		if (gain > p->true_peak_max - info->true_peak_dbtp)
			gain = p->true_peak_max - info->true_peak_dbtp;
		if (gain > CLIP_MAX_GAIN_DB)
			gain = CLIP_MAX_GAIN_DB;
		info->gain_db = gain;
	}
	ebur128_destroy(&r128);
	source_close(&s);
	return rc;
}

/* Output side of pass 2: gain, clip, s16le, duplicate mono, hash, write. */
struct sink {
	int work_ch, out_ch, out_fd;
	float gain;
	int64_t written, wanted;
	struct sha256 hash;
	uint8_t *bytes;
	const char *name;
};

static int sink_put(struct sink *k, const float *in, int64_t frames, struct ap_err *e)
{
	if (frames > k->wanted - k->written)
		frames = k->wanted - k->written;
	if (frames <= 0)
		return AP_OK;
	uint8_t *o = k->bytes;
	for (int64_t f = 0; f < frames; f++) {
		for (int c = 0; c < k->out_ch; c++) {
			float v = in[f * k->work_ch + (k->work_ch == 1 ? 0 : c)] * k->gain;
			int32_t q;
			if (v >= 32767.0f)
				q = 32767;
			else if (v <= -32768.0f)
				q = -32768;
			else
				q = (int32_t)lrintf(v);
			*o++ = (uint8_t)(q & 0xff);
			*o++ = (uint8_t)((q >> 8) & 0xff);
		}
	}
	size_t len = (size_t)(o - k->bytes);
	sha256_update(&k->hash, k->bytes, len);
	if (k->out_fd >= 0 && fs_write_all(k->out_fd, k->bytes, len) < 0)
		return ap_err_internal(e, "%s: writing the rendering failed", k->name);
	k->written += frames;
	return AP_OK;
}

/* Feed n work frames (end set on the last call) through the resampler. */
static int resample_put(SRC_STATE *src, double ratio, struct sink *k, float *in, int64_t n, int end,
                        float *out, int64_t out_cap, struct ap_err *e)
{
	SRC_DATA d = { 0 };
	d.data_in = in;
	d.input_frames = (long)n;
	d.src_ratio = ratio;
	d.end_of_input = end;
	for (;;) {
		d.data_out = out;
		d.output_frames = (long)out_cap;
		int err = src_process(src, &d);
		if (err)
			return ap_err_internal(e, "%s: resampling failed: %s", k->name,
			                       src_strerror(err));
		int rc = sink_put(k, out, d.output_frames_gen, e);
		if (rc)
			return rc;
		d.data_in += d.input_frames_used * k->work_ch;
		d.input_frames -= d.input_frames_used;
		if (d.input_frames == 0 && (!end || d.output_frames_gen == 0))
			return AP_OK;
	}
}

/* Pass 2: decode again, resample, apply the gain, write. */
static int render(const char *path, const char *name, const struct clip_params *p, int out_fd,
                  float *raw, float *work, struct clip_info *info, struct ap_err *e)
{
	struct source s;
	int rc = source_open(&s, path, name, p, e);
	if (rc)
		return rc;
	int rate = s.info.samplerate;
	double ratio = (double)p->rate / rate;
	int64_t out_cap = (int64_t)(BLOCK_FRAMES * ratio) + 64;
	struct sink k = { .work_ch = s.work_ch,
		          .out_ch = p->channels,
		          .out_fd = out_fd,
		          .gain = (float)(pow(10.0, info->gain_db / 20.0) * 32767.0),
		          .name = name };
	k.wanted = rate == p->rate ? info->source_frames
	                           : (int64_t)llround((double)info->source_frames * ratio);
	float *resampled = NULL;
	SRC_STATE *src = NULL;
	k.bytes = malloc((size_t)out_cap * (size_t)p->channels * 2);
	if (rate != p->rate) {
		int err = 0;
		resampled = malloc((size_t)out_cap * (size_t)s.work_ch * sizeof(float));
		src = src_new(SRC_CONVERTER, s.work_ch, &err);
		if (!src && !rc)
			rc = ap_err_internal(e, "%s: resampler: %s", name, src_strerror(err));
	}
	if (!rc && (!k.bytes || (rate != p->rate && !resampled)))
		rc = ap_err_internal(e, "out of memory");
	if (!rc && sha256_init(&k.hash) != 0) {
		k.hash.md = NULL;
		rc = ap_err_internal(e, "out of memory");
	}
	int64_t decoded = 0, n = 0;
	while (!rc && (n = source_read(&s, name, raw, work, decoded, e)) > 0) {
		decoded += n;
		rc = src ? resample_put(src, ratio, &k, work, n, 0, resampled, out_cap, e)
		         : sink_put(&k, work, n, e);
	}
	if (!rc && n < 0)
		rc = (int)n;
	if (!rc && src)
		rc = resample_put(src, ratio, &k, work, 0, 1, resampled, out_cap, e);
	if (!rc && decoded != info->source_frames)
		rc = ap_err_user(e, "%s: decodes differently each time (%lld then %lld frames)",
		                 name, (long long)info->source_frames, (long long)decoded);
	/* The resampler's tail can fall a frame or two short of the exact
	 * length; pad with silence so frames is always rate-exact. */
	memset(work, 0, (size_t)BLOCK_FRAMES * (size_t)s.work_ch * sizeof(float));
	while (!rc && k.written < k.wanted)
		rc = sink_put(
		    &k, work,
		    k.wanted - k.written < BLOCK_FRAMES ? k.wanted - k.written : BLOCK_FRAMES, e);
	if (k.hash.md) {
		if (rc) {
			sha256_discard(&k.hash);
		} else {
			uint8_t d[SHA256_LEN];
			sha256_final(&k.hash, d);
			hex_encode(d, SHA256_LEN, info->render_sha256);
		}
	}
	if (!rc) {
		info->rate = p->rate;
		info->channels = p->channels;
		info->frames = k.written;
	}
	if (src)
		src_delete(src);
	free(resampled);
	free(k.bytes);
	source_close(&s);
	return rc;
}

int clip_render(const char *path, const char *name, const struct clip_params *p, int out_fd,
                struct clip_info *info, struct ap_err *e)
{
	float *raw = malloc((size_t)BLOCK_FRAMES * MAX_CHANNELS * sizeof(float));
	float *work = malloc((size_t)BLOCK_FRAMES * 2 * sizeof(float));
	if (!raw || !work) {
		free(raw);
		free(work);
		return ap_err_internal(e, "out of memory");
	}
	struct quiet q;
	quiet_begin(&q);
	int rc = measure(path, name, p, raw, work, info, e);
	if (!rc)
		rc = render(path, name, p, out_fd, raw, work, info, e);
	quiet_end(&q);
	free(raw);
	free(work);
	return rc;
}
