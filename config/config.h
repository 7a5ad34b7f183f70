/* The station's libconfig file -> one validated struct with defaults.
 * Errors name the file and line: "airproof.cfg:12: audio.rate: ...". */
#ifndef AP_CONFIG_H
#define AP_CONFIG_H

#include <stddef.h>

#include "common/err.h"

#define CONFIG_DEFAULT_PATH "/etc/airproof/airproof.cfg"
#define CONFIG_MAX_OPTIONS  16

struct config_option {
	char key[64];
	char value[256];
};

struct ap_config {
	char path[4096]; /* the file loaded, "" when only defaults */

	/* station */
	char station_id[64]; /* [a-z0-9-]; "" until set by config or init */
	char station_name[256];
	char level[32]; /* free text from config: commune, district, province... */
	char timezone[64];

	/* paths */
	char state_dir[4096];

	/* audio */
	char audio_driver[32]; /* libao short name: alsa, pulse, null, wav... */
	struct config_option audio_options[CONFIG_MAX_OPTIONS];
	int n_audio_options;
	char output[64];      /* label written into proofs: fm, loudspeakers... */
	int rate;             /* 8000..192000 */
	int channels;         /* 1 or 2 */
	double target_lufs;   /* -40..-5 */
	double true_peak_max; /* dBTP, -9..0 */
	int max_late_s;       /* 1..3600 */

	/* media */
	int require_approval;

	/* sync */
	char hub_url[512];
	char ca_file[4096];
	int connect_timeout_s;
	int timeout_s;
};

void config_defaults(struct ap_config *c);
/* The path to use: explicit (from --config) if not NULL, else
 * $AIRPROOF_CONFIG, else CONFIG_DEFAULT_PATH. */
const char *config_resolve_path(const char *explicit_path);
/* Load and validate. A missing file is an error only when required is set
 * (the operator named it); otherwise defaults are used. On error *c holds
 * defaults and e says file:line: what. */
int config_load(const char *path, int required, struct ap_config *c, struct ap_err *e);
/* state_dir + "/" + name into out. AP_EUSER when it does not fit. */
int config_state_path(const struct ap_config *c, const char *name, char *out, size_t cap);
/* True for a valid station id: 1..63 of [a-z0-9-], not starting with '-'. */
int config_station_id_valid(const char *id);

#endif
