/* The airproof command line: a table of verbs (cli/airproof.c), each
 * cmd_<verb>() in its own cli/cmd_<verb>.c. Commands return AP_OK, AP_EUSER
 * or AP_EINTERNAL with a message in err; main prints it once and exits
 * 0, 1 or 2. */
#ifndef AP_CLI_H
#define AP_CLI_H

#include <stdio.h>

#include "common/err.h"
#include "common/frontend.h"
#include "config/config.h"

struct store;

struct cli {
	const char *config_path; /* --config, or NULL */
	int config_required;     /* the operator named the file */
	struct ap_config cfg;    /* loaded by cli_load_config */
	int json;                /* --json anywhere on the line */
	struct ap_err err;
};

/* Load the config and make the station zone the local zone. */
int cli_load_config(struct cli *c);
/* Load config and open the station database (must exist). The caller closes
 * it with store_close. */
int cli_open_station(struct cli *c, struct store **st);
/* Path of a file inside the state folder ("airproof.db", "station.key"). */
int cli_state_path(struct cli *c, const char *name, char *out, size_t cap);
/* True when argv asks for help; print a usage text (common/frontend.h). */
#define cli_wants_help fe_wants_help
#define cli_usage      fe_usage
/* One-line user error about the command line. */
int cli_bad_usage(struct cli *c, const char *verb, const char *fmt, ...) AP_PRINTF(3, 4);

#define CMD(name) int cmd_##name(struct cli *c, int argc, char **argv)
CMD(init);
CMD(clip);
CMD(rule);
CMD(plan);
CMD(log);
CMD(status);
CMD(key);
CMD(proofs);
CMD(sync);
CMD(export);

#endif
