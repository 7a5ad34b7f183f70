/* airproof-hub: the provincial server's command line. Verbs live in a
 * table; adding one is adding a file and a row. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/hubcli.h"
#include "common/aptime.h"
#include "common/frontend.h"
#include "store/store.h"

static const struct {
	struct fe_verb verb;
	int (*fn)(struct hubcli *, int, char **);
} commands[] = {
	{ { "init", "create the hub's state folder and database" }, hubcmd_init },
	{ { "serve", "run the HTTP server (uploads, reports, dashboard)" }, hubcmd_serve },
	{ { "station", "enrol (add) and list stations" }, hubcmd_station },
	{ { "clip", "add an official clip to the catalogue" }, hubcmd_clip },
	{ { "import", "verify and store an offline proof bundle" }, hubcmd_import },
	{ { "report", "compliance report by week, month or reform period" }, hubcmd_report },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct fe_program program = {
	.name = "airproof-hub",
	.config_hint =
	    "Config: --config FILE, else $AIRPROOF_HUB_CONFIG, else " HUB_CONFIG_DEFAULT_PATH ".",
	.verbs = commands,
	.verb_size = sizeof(commands[0]),
	.n_verbs = N_COMMANDS,
};

int hubcli_load_config(struct hubcli *h)
{
	const char *path = hub_config_resolve_path(h->config_path);
	int rc = hub_config_load(path, h->config_required || getenv("AIRPROOF_HUB_CONFIG"), &h->cfg,
	                         &h->err);
	if (rc)
		return rc;
	return tz_use(h->cfg.timezone, &h->err);
}

int hubcli_open(struct hubcli *h, int create, struct store **st)
{
	int rc = hubcli_load_config(h);
	if (rc)
		return rc;
	return store_open(h->cfg.db_path, STORE_HUB, create, st, &h->err);
}

int hubcli_bad_usage(struct hubcli *h, const char *verb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = fe_vbad_usage(&h->err, "airproof-hub", verb, fmt, ap);
	va_end(ap);
	return rc;
}

int main(int argc, char **argv)
{
	struct hubcli h = { 0 };
	struct fe_call call;

	log_init("airproof-hub", LOG_LVL_INFO);
	int status = fe_parse(&program, argc, argv, &call);
	if (status >= 0)
		return status;
	h.config_path = call.config_path;
	h.config_required = call.config_required;
	h.json = call.json;
	int rc = commands[call.verb].fn(&h, call.argc, call.argv);
	return fe_finish(&program, rc, &h.err);
}
