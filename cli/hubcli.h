/* The airproof-hub command line: a table of verbs (cli/airproof-hub.c),
 * each hubcmd_<verb>() in cli/hubcmd_<verb>.c, returning AP_OK, AP_EUSER or
 * AP_EINTERNAL with the message in err. */
#ifndef AP_HUBCLI_H
#define AP_HUBCLI_H

#include "common/err.h"
#include "common/frontend.h"
#include "hub/hub.h"

struct store;

struct hubcli {
	const char *config_path; /* --config, or NULL */
	int config_required;
	struct hub_config cfg;
	int json;
	struct ap_err err;
};

/* Load the config and make the hub's zone the local zone. */
int hubcli_load_config(struct hubcli *h);
/* Load config and open the hub database (must exist unless create). */
int hubcli_open(struct hubcli *h, int create, struct store **st);
#define hubcli_usage      fe_usage
#define hubcli_wants_help fe_wants_help
int hubcli_bad_usage(struct hubcli *h, const char *verb, const char *fmt, ...) AP_PRINTF(3, 4);

#define HUBCMD(name) int hubcmd_##name(struct hubcli *h, int argc, char **argv)
HUBCMD(init);
HUBCMD(serve);
HUBCMD(station);
HUBCMD(clip);
HUBCMD(import);
HUBCMD(report);

#endif
