/* Decoding for import (libsndfile): opening a source, mapping its channels
 * onto the work channels, reading it in blocks one block ahead on a helper
 * thread (so decoding the next block overlaps measuring or rendering this
 * one), the checks that catch a file cut short, and keeping decoder noise
 * off the operator's terminal. */
#include "media/clip_internal.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "media/clip.h"

/* libmpg123 (inside libsndfile) prints warnings about damaged MP3 frames on
 * stderr and has no switch libsndfile exposes; the operator must see only
 * our one line, so fd 2 points at /dev/null while a decoder runs. */
int clip_quiet_begin(void)
{
	if (getenv("AIRPROOF_DECODER_NOISE"))
		return -1;
	int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0)
		return -1;
	fflush(stderr);
	int saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (saved >= 0)
		dup2(null_fd, 2);
	close(null_fd);
	return saved;
}

void clip_quiet_end(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
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

static void join_helper(struct clip_source *s)
{
	if (s->helper_running)
		pthread_join(s->helper, NULL);
	s->helper_running = 0;
}

void clip_source_close(struct clip_source *s)
{
	join_helper(s);
	if (s->sf)
		sf_close(s->sf);
	s->sf = NULL;
	free(s->weights);
	free(s->raw);
	free(s->block[0]);
	free(s->block[1]);
	memset(s, 0, sizeof(*s));
}

static void start_helper(struct clip_source *s);

int clip_source_open(struct clip_source *s, const char *path, const char *name, int out_channels,
                     struct ap_err *e)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->sf = sf_open(path, SFM_READ, &s->info);
	if (!s->sf)
		return ap_err_user(e, "%s: not a readable audio file (%s)", name,
		                   sf_strerror(NULL));
	int channels = s->info.channels, rate = s->info.samplerate;
	if (channels < 1 || channels > CLIP_MAX_CHANNELS) {
		clip_source_close(s);
		return ap_err_user(e, "%s: unsupported channel count %d", name, channels);
	}
	if (rate < 1000 || rate > 768000) {
		clip_source_close(s);
		return ap_err_user(e, "%s: unsupported sample rate %d Hz", name, rate);
	}
	int sub = s->info.format & SF_FORMAT_SUBMASK;
	s->check_finite = sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_DOUBLE;
	/* Values above full scale in float files are kept, measured, and
	 * brought down by the gain; no clipping inside libsndfile. */
	sf_command(s->sf, SFC_SET_CLIPPING, NULL, SF_FALSE);
	int ch = s->info.channels;
	s->work_ch = ch == 1 ? 1 : out_channels;
	format_name(s->info.format, s->format, sizeof(s->format));
	if (ch != s->work_ch)
		s->raw = malloc((size_t)CLIP_BLOCK_FRAMES * (size_t)ch * sizeof(float));
	for (int i = 0; i < 2; i++)
		s->block[i] =
		    malloc((size_t)CLIP_BLOCK_FRAMES * (size_t)s->work_ch * sizeof(float));
	if ((ch != s->work_ch && !s->raw) || !s->block[0] || !s->block[1]) {
		clip_source_close(s);
		return ap_err_internal(e, "out of memory");
	}
	if (ch > 2 && out_channels == 2) {
		s->weights = calloc((size_t)ch, sizeof(*s->weights));
		int *map = calloc((size_t)ch, sizeof(int));
		if (!s->weights || !map) {
			free(map);
			clip_source_close(s);
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
	start_helper(s);
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

int clip_source_check_whole(struct clip_source *s, const char *path, int64_t frames,
                            struct ap_err *e)
{
	const char *name = s->name;
	int rate = s->info.samplerate;
	int64_t header = s->info.frames;
	join_helper(s);
	if ((s->info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG && ogg_cut_short(path))
		return ap_err_user(e, "%s: truncated: the Ogg stream has no end", name);
	if (chunk_cut_short(s->sf))
		return ap_err_user(e, "%s: truncated: the file ends before its audio data does",
		                   name);
	/* Header counts can be estimates, but a file that decodes to clearly
	 * less than it announces is cut short or damaged: never import it short. */
	if (header > 0 && header < INT64_MAX / 2 &&
	    (double)(header - frames) > CLIP_FRAMES_SLACK * (double)header &&
	    header - frames > rate / 10)
		return ap_err_user(e, "%s: truncated or damaged: %.1f s of %.1f s decoded", name,
		                   (double)frames / rate, (double)header / rate);
	return AP_OK;
}

/* Reads up to CLIP_BLOCK_FRAMES frames mapped onto work channels. Returns
 * the frame count (0 at the end) or a negative error. */
static int64_t source_read(struct clip_source *s, float *work, struct ap_err *e)
{
	int ch = s->info.channels;
	const char *name = s->name;
	int64_t done = s->decoded;
	/* Without a channel mapping, decode straight into the block. */
	float *raw = ch == s->work_ch ? work : s->raw;
	sf_count_t n = sf_readf_float(s->sf, raw, CLIP_BLOCK_FRAMES);
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
	if (ch == s->work_ch) {
		return n;
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

/* The helper decodes the next block into block[1] while the caller works
 * on block[0]. Without a thread it decodes when the block is asked for. */
static void *helper_main(void *arg)
{
	struct clip_source *s = arg;
	s->next_n = source_read(s, s->block[1], &s->next_err);
	return NULL;
}

static void start_helper(struct clip_source *s)
{
	s->helper_running = pthread_create(&s->helper, NULL, helper_main, s) == 0;
	if (!s->helper_running)
		helper_main(s);
}

int64_t clip_source_next(struct clip_source *s, const float **block, struct ap_err *e)
{
	join_helper(s);
	int64_t n = s->next_n;
	if (n <= 0) {
		if (n < 0 && e)
			*e = s->next_err;
		return n;
	}
	float *t = s->block[0];
	s->block[0] = s->block[1];
	s->block[1] = t;
	*block = s->block[0];
	s->decoded += n;
	start_helper(s);
	return n;
}
