/* airproof: the station operator's command line. Verbs live in a table;
 * adding one is adding a file and a row. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/aptime.h"
#include "store/store.h"

static const struct {
	const char *name;
	int (*fn)(struct cli *, int, char **);
	const char *summary;
} commands[] = {
	{ "init", cmd_init, "create the station: state folder, database, signing key" },
	{ "clip", cmd_clip, "add, approve, list, show, remove and verify clips" },
	{ "rule", cmd_rule, "add, list and remove broadcast rules" },
	{ "plan", cmd_plan, "what will air (the next 14 days, or --week W)" },
	{ "log", cmd_log, "what aired: the as-played log (--week W)" },
	{ "status", cmd_status, "daemon, next item, this week's quota, unsynced proofs" },
	{ "key", cmd_key, "show the station's public key for enrolment at the hub" },
	{ "proofs", cmd_proofs, "verify the local proof chain" },
	{ "sync", cmd_sync, "upload proofs to the hub now" },
	{ "export", cmd_export, "write an offline proof bundle (USB stick)" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: airproof [--config FILE] COMMAND [ARGS] [--json]\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'airproof COMMAND --help' explains one command.\n"
	           "Config: --config FILE, else $AIRPROOF_CONFIG, else " CONFIG_DEFAULT_PATH ".\n");
}

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

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

int cli_usage(const char *text)
{
	fputs(text, stdout);
	return AP_OK;
}

int cli_bad_usage(struct cli *c, const char *verb, const char *fmt, ...)
{
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ap_err_user(&c->err, "%s: %s (see 'airproof %s --help')", verb, what, verb);
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	char *args[256];
	int n = 0;

	log_init("airproof", LOG_LVL_INFO);
	if (argc > 255) {
		fprintf(stderr, "airproof: too many arguments\n");
		return 1;
	}
	/* Global flags may stand anywhere; the rest go to the command. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "airproof: --config needs a file name\n");
				return 1;
			}
			c.config_path = argv[++i];
			c.config_required = 1;
		} else if (!strncmp(argv[i], "--config=", 9)) {
			c.config_path = argv[i] + 9;
			c.config_required = 1;
		} else if (!strcmp(argv[i], "--json")) {
			c.json = 1;
		} else {
			args[n++] = argv[i];
		}
	}
	args[n] = NULL;
	if (n == 0 || !strcmp(args[0], "--help") || !strcmp(args[0], "-h") ||
	    !strcmp(args[0], "help")) {
		usage(n == 0 ? stderr : stdout);
		return n == 0 ? 1 : 0;
	}
	if (!strcmp(args[0], "--version")) {
		printf("airproof " AP_VERSION "\n");
		return 0;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(args[0], commands[i].name) != 0)
			continue;
		int rc = commands[i].fn(&c, n, args);
		if (rc != AP_OK)
			fprintf(stderr, "airproof: %s\n",
			        c.err.msg[0] ? c.err.msg : "internal error");
		return ap_exit_code(rc);
	}
	fprintf(stderr, "airproof: unknown command '%s' (see 'airproof --help')\n", args[0]);
	return 1;
}
