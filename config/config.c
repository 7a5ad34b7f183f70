/* libconfig loader: every key has a default, every key is checked, unknown
 * keys are refused so a typo never silently keeps a default. */
#include "config/config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/aptime.h"
#include "config/cfgfile.h"

void config_defaults(struct ap_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->level, sizeof(c->level), "commune");
	snprintf(c->timezone, sizeof(c->timezone), "Asia/Ho_Chi_Minh");
	snprintf(c->state_dir, sizeof(c->state_dir), "/var/lib/airproof");
	snprintf(c->audio_driver, sizeof(c->audio_driver), "alsa");
	snprintf(c->output, sizeof(c->output), "main");
	c->rate = 48000;
	c->channels = 2;
	c->target_lufs = -16.0;
	c->true_peak_max = -1.0;
	c->max_late_s = 60;
	c->require_approval = 1;
	c->connect_timeout_s = 20;
	c->timeout_s = 120;
}

const char *config_resolve_path(const char *explicit_path)
{
	if (explicit_path && *explicit_path)
		return explicit_path;
	const char *env = getenv("AIRPROOF_CONFIG");
	if (env && *env)
		return env;
	return CONFIG_DEFAULT_PATH;
}

int config_station_id_valid(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 63 || id[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') ||
		      id[i] == '-'))
			return 0;
	return 1;
}

int config_state_path(const struct ap_config *c, const char *name, char *out, size_t cap)
{
	if (snprintf(out, cap, "%s/%s", c->state_dir, name) >= (int)cap)
		return AP_EUSER;
	return AP_OK;
}

/* One key's description: where it lives, what it holds, where it goes. */
enum key_type { K_STRING, K_INT, K_FLOAT, K_BOOL, K_GROUP };
struct key_spec {
	const char *group, *name;
	enum key_type type;
	size_t offset, size; /* into struct ap_config; size for strings */
	double min, max;     /* numeric range */
};

#define STR(g, n, f)                                                                               \
	{                                                                                          \
		g, n, K_STRING, offsetof(struct ap_config, f), sizeof(((struct ap_config *)0)->f), \
		    0, 0                                                                           \
	}
#define NUM(g, n, t, f, lo, hi)                                   \
	{                                                         \
		g, n, t, offsetof(struct ap_config, f), 0, lo, hi \
	}

static const struct key_spec keys[] = {
	STR("station", "id", station_id),
	STR("station", "name", station_name),
	STR("station", "level", level),
	STR("station", "timezone", timezone),
	STR("paths", "state_dir", state_dir),
	STR("audio", "driver", audio_driver),
	{ "audio", "options", K_GROUP, 0, 0, 0, 0 },
	STR("audio", "output", output),
	NUM("audio", "rate", K_INT, rate, 8000, 192000),
	NUM("audio", "channels", K_INT, channels, 1, 2),
	NUM("audio", "target_lufs", K_FLOAT, target_lufs, -40, -5),
	NUM("audio", "true_peak_max", K_FLOAT, true_peak_max, -9, 0),
	NUM("audio", "max_late", K_INT, max_late_s, 1, 3600),
	NUM("media", "require_approval", K_BOOL, require_approval, 0, 1),
	STR("sync", "hub_url", hub_url),
	STR("sync", "ca_file", ca_file),
	NUM("sync", "connect_timeout", K_INT, connect_timeout_s, 1, 600),
	NUM("sync", "timeout", K_INT, timeout_s, 1, 3600),
};

static const char *const groups[] = { "station", "paths", "audio", "media", "sync" };

static int load_key(const struct key_spec *k, config_setting_t *s, struct ap_config *c,
                    const char *file, struct ap_err *e)
{
	char *field = (char *)c + k->offset;
	char full[80];
	snprintf(full, sizeof(full), "%s.%s", k->group, k->name);

	switch (k->type) {
	case K_STRING:
		return cfg_get_str(s, full, field, k->size, file, e);
	case K_INT:
		return cfg_get_int(s, full, (long long)k->min, (long long)k->max,
		                   (int *)(void *)field, file, e);
	case K_FLOAT:
		return cfg_get_float(s, full, k->min, k->max, (double *)(void *)field, file, e);
	case K_BOOL:
		return cfg_get_bool(s, full, (int *)(void *)field, file, e);
	case K_GROUP: /* audio.options: string values passed to libao */
		if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			return cfg_bad(e, file, s, "%s: expected a group { key = \"value\"; }",
			               full);
		for (int i = 0; i < config_setting_length(s); i++) {
			config_setting_t *o = config_setting_get_elem(s, (unsigned)i);
			char name[120];
			snprintf(name, sizeof(name), "%s.%s", full, config_setting_name(o));
			if (c->n_audio_options == CONFIG_MAX_OPTIONS)
				return cfg_bad(e, file, o, "%s: too many options", full);
			struct config_option *opt = &c->audio_options[c->n_audio_options++];
			snprintf(opt->key, sizeof(opt->key), "%s", config_setting_name(o));
			int rc = cfg_get_str(o, name, opt->value, sizeof(opt->value), file, e);
			if (rc)
				return rc;
		}
		return AP_OK;
	}
	return AP_EINTERNAL;
}

static int validate(struct ap_config *c, config_t *cf, const char *file, struct ap_err *e)
{
	if (c->station_id[0] && !config_station_id_valid(c->station_id))
		return cfg_bad(e, file, config_lookup(cf, "station.id"),
		               "station.id: '%s' must be lowercase letters, digits and '-'",
		               c->station_id);
	if (!tz_valid(c->timezone))
		return cfg_bad(e, file, config_lookup(cf, "station.timezone"),
		               "station.timezone: unknown time zone '%s'", c->timezone);
	if (c->state_dir[0] == '\0')
		return cfg_bad(e, file, config_lookup(cf, "paths.state_dir"),
		               "paths.state_dir: must not be empty");
	if (c->audio_driver[0] == '\0')
		return cfg_bad(e, file, config_lookup(cf, "audio.driver"),
		               "audio.driver: must not be empty");
	return AP_OK;
}

int config_load(const char *path, int required, struct ap_config *c, struct ap_err *e)
{
	config_t cf;
	int rc = AP_OK;

	config_defaults(c);
	if (access(path, F_OK) != 0) {
		if (required)
			return ap_err_user(e, "%s: config file not found", path);
		return AP_OK;
	}
	if ((rc = cfg_read(&cf, path, e)))
		return rc;
	config_setting_t *root = config_root_setting(&cf);
	for (int i = 0; i < config_setting_length(root) && !rc; i++) {
		config_setting_t *g = config_setting_get_elem(root, (unsigned)i);
		const char *gname = config_setting_name(g);
		size_t gi;
		for (gi = 0; gi < sizeof(groups) / sizeof(groups[0]); gi++)
			if (strcmp(gname, groups[gi]) == 0)
				break;
		if (gi == sizeof(groups) / sizeof(groups[0])) {
			rc = cfg_bad(e, path, g, "unknown setting '%s'", gname);
			break;
		}
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			rc = cfg_bad(e, path, g, "%s: expected a group { ... }", gname);
			break;
		}
		for (int j = 0; j < config_setting_length(g) && !rc; j++) {
			config_setting_t *s = config_setting_get_elem(g, (unsigned)j);
			const char *name = config_setting_name(s);
			size_t ki;
			for (ki = 0; ki < sizeof(keys) / sizeof(keys[0]); ki++)
				if (!strcmp(keys[ki].group, gname) && !strcmp(keys[ki].name, name))
					break;
			if (ki == sizeof(keys) / sizeof(keys[0]))
				rc = cfg_bad(e, path, s, "unknown setting '%s.%s'", gname, name);
			else
				rc = load_key(&keys[ki], s, c, path, e);
		}
	}
	if (!rc)
		rc = validate(c, &cf, path, e);
	if (!rc)
		snprintf(c->path, sizeof(c->path), "%s", path);
	config_destroy(&cf);
	if (rc)
		config_defaults(c);
	return rc;
}
