/* The libao output: the driver and its options come from the config. Live
 * drivers (alsa, pulse, null) open with ao_open_live; file drivers (wav, raw,
 * au) write to audio.options.file, which is ours and not passed to libao.
 * ao_initialize runs once per process, however many outputs exist. */
#include <ao/ao.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "playout/play.h"

struct ao_out {
	int driver_id;
	int is_file;
	char file[4096];
	ao_option *options;
	ao_device *dev;
};

static int ao_users;

static const char *ao_error_name(int err)
{
	switch (err) {
	case AO_ENODRIVER:
		return "no such driver";
	case AO_ENOTFILE:
		return "not a file driver";
	case AO_ENOTLIVE:
		return "not a live driver";
	case AO_EBADOPTION:
		return "bad driver option";
	case AO_EOPENDEVICE:
		return "cannot open the device";
	case AO_EOPENFILE:
		return "cannot open the output file";
	case AO_EFILEEXISTS:
		return "output file exists";
	case AO_EBADFORMAT:
		return "unsupported sample format";
	default:
		return "driver failure";
	}
}

static int ao_out_open(void *impl, int rate, int channels, struct ap_err *e)
{
	struct ao_out *a = impl;
	ao_sample_format fmt;
	memset(&fmt, 0, sizeof(fmt));
	fmt.bits = 16;
	fmt.rate = rate;
	fmt.channels = channels;
	fmt.byte_format = AO_FMT_LITTLE;
	static char stereo[] = "L,R", mono[] = "M";
	fmt.matrix = channels == 2 ? stereo : mono;
	errno = 0;
	if (a->is_file)
		a->dev = ao_open_file(a->driver_id, a->file, 1, &fmt, a->options);
	else
		a->dev = ao_open_live(a->driver_id, &fmt, a->options);
	if (!a->dev) {
		int err = errno;
		if (a->is_file)
			return ap_err_user(e, "%s: %s", a->file, ao_error_name(err));
		return ap_err_user(e, "%s", ao_error_name(err));
	}
	return AP_OK;
}

static int ao_out_write(void *impl, const void *buf, size_t len, struct ap_err *e)
{
	struct ao_out *a = impl;
	/* libao takes a non-const buffer but does not write to it. */
	if (!a->dev || !ao_play(a->dev, (char *)(uintptr_t)buf, (uint_32)len))
		return ap_err_user(e, "device write failed");
	return AP_OK;
}

static void ao_out_close(void *impl)
{
	struct ao_out *a = impl;
	if (a->dev)
		ao_close(a->dev);
	a->dev = NULL;
}

static void ao_out_destroy(void *impl)
{
	struct ao_out *a = impl;
	ao_out_close(a);
	if (a->options)
		ao_free_options(a->options);
	free(a);
	if (--ao_users == 0)
		ao_shutdown();
}

static const struct play_out_ops ao_ops = {
	.open = ao_out_open,
	.write = ao_out_write,
	.close = ao_out_close,
	.destroy = ao_out_destroy,
};

int play_out_ao_create(const struct ap_config *cfg, struct play_out **out, struct ap_err *e)
{
	struct ao_out *a = calloc(1, sizeof(*a));
	if (!a)
		return ap_err_internal(e, "out of memory");
	if (ao_users++ == 0)
		ao_initialize();
	a->driver_id = ao_driver_id(cfg->audio_driver);
	if (a->driver_id < 0) {
		ao_out_destroy(a);
		return ap_err_user(e, "%s: audio.driver '%s' is not a libao driver here",
		                   cfg->path[0] ? cfg->path : "config", cfg->audio_driver);
	}
	ao_info *info = ao_driver_info(a->driver_id);
	a->is_file = info && info->type == AO_TYPE_FILE;
	for (int i = 0; i < cfg->n_audio_options; i++) {
		const struct config_option *opt = &cfg->audio_options[i];
		if (a->is_file && !strcmp(opt->key, "file")) {
			snprintf(a->file, sizeof(a->file), "%s", opt->value);
			continue;
		}
		if (!ao_append_option(&a->options, opt->key, opt->value)) {
			ao_out_destroy(a);
			return ap_err_internal(e, "out of memory");
		}
	}
	if (a->is_file && !a->file[0]) {
		ao_out_destroy(a);
		return ap_err_user(e, "%s: audio.driver '%s' writes a file: set audio.options.file",
		                   cfg->path[0] ? cfg->path : "config", cfg->audio_driver);
	}
	return play_out_create(&ao_ops, a, cfg->audio_driver, out, e);
}
