/* Streaming one rendered clip to an output: fixed buffer, blocks of at most
 * 100 ms, absolute CLOCK_MONOTONIC deadlines (so pacing errors never add up),
 * SHA-256 of what was handed over, and a truthful status. */
#include "playout/play.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/aptime.h"

#define WRITE_ATTEMPTS 3
#define OPEN_RETRY_MS  200
#define WRITE_RETRY_MS 100
#define NS_PER_SEC     1000000000LL
#define START_SPIN_NS  3000000LL

struct play {
	struct play_out *out;
	struct play_request req;
	int fd;
	size_t frame_bytes;
	uint8_t *buf;
	size_t block_len; /* bytes of the block in buf */
	int64_t frames_read;
	struct sha256 hash;
	int hash_live;
};

const char *play_status_name(enum play_status s)
{
	switch (s) {
	case PLAY_COMPLETE:
		return "complete";
	case PLAY_INTERRUPTED:
		return "interrupted";
	case PLAY_FAILED:
		break;
	}
	return "failed";
}

int play_out_create(const struct play_out_ops *ops, void *impl, const char *driver,
                    struct play_out **out, struct ap_err *e)
{
	struct play_out *o = calloc(1, sizeof(*o));
	if (!o) {
		if (ops->destroy)
			ops->destroy(impl);
		return ap_err_internal(e, "out of memory");
	}
	o->ops = ops;
	o->impl = impl;
	snprintf(o->driver, sizeof(o->driver), "%s", driver);
	*out = o;
	return AP_OK;
}

int play_out_open(struct play_out *o, int rate, int channels, struct ap_err *e)
{
	if (o->is_open && o->rate == rate && o->channels == channels)
		return AP_OK;
	play_out_close(o);
	int rc = o->ops->open(o->impl, rate, channels, e);
	if (rc)
		return rc;
	o->is_open = 1;
	o->rate = rate;
	o->channels = channels;
	return AP_OK;
}

void play_out_close(struct play_out *o)
{
	if (o && o->is_open) {
		o->ops->close(o->impl);
		o->is_open = 0;
	}
}

void play_out_destroy(struct play_out *o)
{
	if (!o)
		return;
	play_out_close(o);
	if (o->ops->destroy)
		o->ops->destroy(o->impl);
	free(o);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static void sleep_until_ns(clockid_t id, int64_t ns)
{
	struct timespec ts = { (time_t)(ns / NS_PER_SEC), (long)(ns % NS_PER_SEC) };
	while (clock_nanosleep(id, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void result_init(struct play_result *res)
{
	uint8_t d[SHA256_LEN];
	memset(res, 0, sizeof(*res));
	res->status = PLAY_FAILED;
	sha256_buf("", 0, d);
	hex_encode(d, SHA256_LEN, res->pcm_sha256);
}

static int fail(struct play_result *res, struct ap_err *e, enum play_status st, const char *fmt,
                ...) AP_PRINTF(4, 5);
static int fail(struct play_result *res, struct ap_err *e, enum play_status st, const char *fmt,
                ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	res->status = st;
	if (!res->ended_ms)
		res->ended_ms = time_now_ms();
	return ap_err_user(e, "%s", res->error);
}

/* Fill buf with the next block; 0 at the end, -1 on a read error. */
static ssize_t read_block(struct play *p)
{
	int64_t left = p->req.frames_expected - p->frames_read;
	size_t want = (size_t)p->req.rate * PLAY_BLOCK_MS / 1000;
	if ((int64_t)want > left)
		want = (size_t)left;
	size_t bytes = want * p->frame_bytes, got = 0;
	while (got < bytes) {
		ssize_t n = read(p->fd, p->buf + got, bytes - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got != bytes) {
		errno = EIO;
		return -1; /* the file shrank under us */
	}
	p->block_len = bytes;
	p->frames_read += (int64_t)want;
	return (ssize_t)bytes;
}

void play_destroy(struct play *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	if (p->hash_live)
		sha256_discard(&p->hash);
	free(p->buf);
	free(p);
}

static int open_output(struct play *p, struct play_result *res, struct ap_err *e)
{
	struct ap_err oe = { 0 };
	for (int attempt = 1;; attempt++) {
		if (play_out_open(p->out, p->req.rate, p->req.channels, &oe) == AP_OK)
			return AP_OK;
		if (attempt == 1)
			log_warnx("%s: %s (retrying)", p->out->driver, oe.msg);
		if (p->req.tick && p->req.tick(p->req.tick_arg, 0))
			return fail(res, e, PLAY_INTERRUPTED, "stopped while opening the output");
		if (time_now_ms() + OPEN_RETRY_MS > p->req.open_deadline_ms)
			return fail(res, e, PLAY_FAILED, "audio output %s cannot be opened: %s",
			            p->out->driver, oe.msg);
		sleep_ms(OPEN_RETRY_MS);
	}
}

int play_prepare(struct play_out *o, const struct play_request *req, struct play **out,
                 struct play_result *res, struct ap_err *e)
{
	result_init(res);
	*out = NULL;
	if (req->rate < 8000 || req->channels < 1 || req->channels > 2 || req->frames_expected < 1)
		return fail(res, e, PLAY_FAILED, "%s: bad format (%d Hz, %d channels, %lld frames)",
		            req->pcm_path, req->rate, req->channels,
		            (long long)req->frames_expected);
	struct play *p = calloc(1, sizeof(*p));
	if (!p)
		return fail(res, e, PLAY_FAILED, "out of memory");
	p->out = o;
	p->req = *req;
	p->frame_bytes = (size_t)req->channels * 2;
	p->fd = open(req->pcm_path, O_RDONLY | O_CLOEXEC);
	int rc;
	struct stat sb;
	if (p->fd < 0) {
		rc = fail(res, e, PLAY_FAILED, "%s: cannot open rendering: %s", req->pcm_path,
		          strerror(errno));
		goto bad;
	}
	if (fstat(p->fd, &sb) != 0 ||
	    (int64_t)sb.st_size != req->frames_expected * (int64_t)p->frame_bytes) {
		rc = fail(res, e, PLAY_FAILED, "%s: rendering is %lld bytes, expected %lld",
		          req->pcm_path, (long long)sb.st_size,
		          (long long)(req->frames_expected * (int64_t)p->frame_bytes));
		goto bad;
	}
	posix_fadvise(p->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	p->buf = malloc((size_t)req->rate * PLAY_BLOCK_MS / 1000 * p->frame_bytes);
	if (!p->buf || sha256_init(&p->hash) != 0) {
		rc = fail(res, e, PLAY_FAILED, "out of memory");
		goto bad;
	}
	p->hash_live = 1;
	if (read_block(p) < 0) {
		rc = fail(res, e, PLAY_FAILED, "%s: read: %s", req->pcm_path, strerror(errno));
		goto bad;
	}
	if ((rc = open_output(p, res, e)))
		goto bad;
	*out = p;
	return AP_OK;
bad:
	play_destroy(p);
	return rc;
}

/* Hand the block over; on failure reopen the output and try again briefly. */
static int write_block(struct play *p, struct ap_err *oe)
{
	for (int attempt = 1;; attempt++) {
		if (p->out->is_open &&
		    p->out->ops->write(p->out->impl, p->buf, p->block_len, oe) == AP_OK)
			return AP_OK;
		if (attempt == WRITE_ATTEMPTS)
			return AP_EUSER;
		log_warnx("%s: write failed (%s); reopening", p->out->driver, oe->msg);
		play_out_close(p->out);
		sleep_ms(WRITE_RETRY_MS);
		struct ap_err ignore;
		play_out_open(p->out, p->req.rate, p->req.channels, &ignore);
	}
}

static int finish(struct play *p, struct play_result *res)
{
	uint8_t d[SHA256_LEN];
	sha256_final(&p->hash, d);
	p->hash_live = 0;
	hex_encode(d, SHA256_LEN, res->pcm_sha256);
	return AP_OK;
}

int play_run(struct play *p, int64_t start_ms, struct play_result *res)
{
	struct ap_err e = { 0 }, oe = { 0 };
	int rc = AP_OK;

	if (start_ms > 0) {
		/* Wake a little early and spin to the exact start: a wake-up on a
		 * busy machine can come a few ms late, and the spin absorbs that for
		 * at most START_SPIN_NS of CPU per play. A longer spin did worse in
		 * bench/bench_playout.sh: it uses up the time slice, and the CPU
		 * scheduler then preempts the start. */
		int64_t target = start_ms * 1000000LL;
		sleep_until_ns(CLOCK_REALTIME, target - START_SPIN_NS);
		/* bounded on the monotonic clock, should the wall clock step back */
		int64_t spin_end = clock_ns(CLOCK_MONOTONIC) + START_SPIN_NS;
		while (clock_ns(CLOCK_REALTIME) < target && clock_ns(CLOCK_MONOTONIC) < spin_end)
			;
	}
	int64_t t0 = clock_ns(CLOCK_MONOTONIC);
	int64_t real0 = clock_ns(CLOCK_REALTIME);
	res->started_ms = real0 / 1000000;
	res->start_late_us = start_ms > 0 ? (real0 - start_ms * 1000000LL) / 1000 : 0;

	for (;;) {
		if (write_block(p, &oe) != AP_OK) {
			rc = fail(res, &e, PLAY_FAILED, "audio output %s: %s", p->out->driver,
			          oe.msg);
			break;
		}
		sha256_update(&p->hash, p->buf, p->block_len);
		res->frames_played = p->frames_read;
		if (p->req.tick && p->req.tick(p->req.tick_arg, res->frames_played)) {
			rc = fail(res, &e, PLAY_INTERRUPTED, "stopped after %lld of %lld frames",
			          (long long)res->frames_played, (long long)p->req.frames_expected);
			break;
		}
		if (p->frames_read >= p->req.frames_expected)
			break;
		if (read_block(p) < 0) {
			rc = fail(res, &e, PLAY_FAILED, "%s: read: %s", p->req.pcm_path,
			          strerror(errno));
			break;
		}
		/* The next block is due when the audio before it has played. */
		if (p->req.pace)
			sleep_until_ns(CLOCK_MONOTONIC,
			               t0 + res->frames_played * NS_PER_SEC / p->req.rate);
	}
	finish(p, res);
	if (rc == AP_OK) {
		if (p->req.pace)
			sleep_until_ns(CLOCK_MONOTONIC,
			               t0 + res->frames_played * NS_PER_SEC / p->req.rate);
		res->ended_ms = time_now_ms();
		if (strcmp(res->pcm_sha256, p->req.render_sha256) != 0) {
			rc = fail(res, &e, PLAY_FAILED,
			          "the audio played (sha256 %.16s...) is not the clip's rendering "
			          "(%.16s...)",
			          res->pcm_sha256, p->req.render_sha256);
		} else {
			res->status = PLAY_COMPLETE;
			res->error[0] = '\0';
		}
	}
	return rc;
}

int play_clip(struct play_out *o, const struct play_request *req, int64_t start_ms,
              struct play_result *res)
{
	struct play *p;
	struct ap_err e;
	int rc = play_prepare(o, req, &p, res, &e);
	if (rc)
		return rc;
	rc = play_run(p, start_ms, res);
	play_destroy(p);
	return rc;
}

int play_pcm_prefix_sha256(const char *pcm_path, int channels, int64_t frames,
                           char out[SHA256_HEX_LEN + 1], struct ap_err *e)
{
	uint8_t buf[65536], d[SHA256_LEN];
	struct sha256 h;
	int64_t left = frames * channels * 2;
	int fd = open(pcm_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ap_err_user(e, "%s: cannot open rendering: %s", pcm_path, strerror(errno));
	if (sha256_init(&h) != 0) {
		close(fd);
		return ap_err_internal(e, "out of memory");
	}
	while (left > 0) {
		ssize_t n = read(fd, buf, left < (int64_t)sizeof(buf) ? (size_t)left : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			sha256_discard(&h);
			close(fd);
			return ap_err_user(e, "%s: rendering is shorter than %lld frames", pcm_path,
			                   (long long)frames);
		}
		sha256_update(&h, buf, (size_t)n);
		left -= n;
	}
	close(fd);
	sha256_final(&h, d);
	hex_encode(d, SHA256_LEN, out);
	return AP_OK;
}
