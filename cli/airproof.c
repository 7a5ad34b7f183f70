/* airproof: the station operator's command line. Verbs live in a table;
 * adding one is adding a file and a row. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/aptime.h"
#include "common/frontend.h"
#include "store/store.h"

static const struct {
	struct fe_verb verb;
	int (*fn)(struct cli *, int, char **);
} commands[] = {
	{ { "init", "create the station: state folder, database, signing key" }, cmd_init },
	{ { "clip", "add, approve, list, show, remove and verify clips" }, cmd_clip },
	{ { "rule", "add, list and remove broadcast rules" }, cmd_rule },
	{ { "plan", "what will air (the next 14 days, or --week W)" }, cmd_plan },
	{ { "log", "what aired: the as-played log (--week W)" }, cmd_log },
	{ { "status", "daemon, next item, this week's quota, unsynced proofs" }, cmd_status },
	{ { "key", "show the station's public key for enrolment at the hub" }, cmd_key },
	{ { "proofs", "verify the local proof chain" }, cmd_proofs },
	{ { "sync", "upload proofs to the hub now" }, cmd_sync },
	{ { "export", "write an offline proof bundle (USB stick)" }, cmd_export },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct fe_program program = {
	.name = "airproof",
	.config_hint =
	    "Config: --config FILE, else $AIRPROOF_CONFIG, else " CONFIG_DEFAULT_PATH ".",
	.verbs = commands,
	.verb_size = sizeof(commands[0]),
	.n_verbs = N_COMMANDS,
};

int cli_load_config(struct cli *c)
{
	const char *path = config_resolve_path(c->config_path);
	int rc =
	    config_load(path, c->config_required || getenv("AIRPROOF_CONFIG"), &c->cfg, &c->err);
	if (rc)
		return rc;
	return tz_use(c->cfg.timezone, &c->err);
}

int cli_state_path(struct cli *c, const char *name, char *out, size_t cap)
{
	if (config_state_path(&c->cfg, name, out, cap))
		return ap_err_user(&c->err, "paths.state_dir is too long");
	return AP_OK;
}

int cli_open_station(struct cli *c, struct store **st)
{
	char path[4200], id[64];
	int rc = cli_load_config(c);
	if (rc)
		return rc;
	if ((rc = cli_state_path(c, "airproof.db", path, sizeof(path))))
		return rc;
	if ((rc = store_open(path, STORE_STATION, 0, st, &c->err)))
		return rc;
	if (store_meta_get(*st, "station_id", id, sizeof(id), &c->err) == AP_OK &&
	    c->cfg.station_id[0] && strcmp(id, c->cfg.station_id) != 0) {
		store_close(*st);
		*st = NULL;
		return ap_err_user(&c->err,
		                   "%s: station.id is '%s' but the database in %s belongs to '%s'",
		                   c->cfg.path, c->cfg.station_id, c->cfg.state_dir, id);
	}
	ap_err_clear(&c->err);
	return AP_OK;
}

int cli_bad_usage(struct cli *c, const char *verb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = fe_vbad_usage(&c->err, "airproof", verb, fmt, ap);
	va_end(ap);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	struct fe_call call;

	log_init("airproof", LOG_LVL_INFO);
	int status = fe_parse(&program, argc, argv, &call);
	if (status >= 0)
		return status;
	c.config_path = call.config_path;
	c.config_required = call.config_required;
	c.json = call.json;
	int rc = commands[call.verb].fn(&c, call.argc, call.argv);
	return fe_finish(&program, rc, &c.err);
}
