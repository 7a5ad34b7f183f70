/* airproof-hub: the provincial server's command line. Verbs live in a
 * table; adding one is adding a file and a row. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/hubcli.h"
#include "common/aptime.h"
#include "store/store.h"

static const struct {
	const char *name;
	int (*fn)(struct hubcli *, int, char **);
	const char *summary;
} commands[] = {
	{ "init", hubcmd_init, "create the hub's state folder and database" },
	{ "serve", hubcmd_serve, "run the HTTP server (uploads, reports, dashboard)" },
	{ "station", hubcmd_station, "enrol (add) and list stations" },
	{ "clip", hubcmd_clip, "add an official clip to the catalogue" },
	{ "import", hubcmd_import, "verify and store an offline proof bundle" },
	{ "report", hubcmd_report, "compliance report by week, month or reform period" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: airproof-hub [--config FILE] COMMAND [ARGS] [--json]\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'airproof-hub COMMAND --help' explains one command.\n"
	           "Config: --config FILE, else $AIRPROOF_HUB_CONFIG, else " HUB_CONFIG_DEFAULT_PATH
	           ".\n");
}

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

int hubcli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

int hubcli_usage(const char *text)
{
	fputs(text, stdout);
	return AP_OK;
}

int hubcli_bad_usage(struct hubcli *h, const char *verb, const char *fmt, ...)
{
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ap_err_user(&h->err, "%s: %s (see 'airproof-hub %s --help')", verb, what, verb);
}

int main(int argc, char **argv)
{
	struct hubcli h = { 0 };
	char *args[256];
	int n = 0;

	log_init("airproof-hub", LOG_LVL_INFO);
	if (argc > 255) {
		fprintf(stderr, "airproof-hub: too many arguments\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "airproof-hub: --config needs a file name\n");
				return 1;
			}
			h.config_path = argv[++i];
			h.config_required = 1;
		} else if (!strncmp(argv[i], "--config=", 9)) {
			h.config_path = argv[i] + 9;
			h.config_required = 1;
		} else if (!strcmp(argv[i], "--json")) {
			h.json = 1;
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
		printf("airproof-hub " AP_VERSION "\n");
		return 0;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(args[0], commands[i].name) != 0)
			continue;
		int rc = commands[i].fn(&h, n, args);
		if (rc != AP_OK)
			fprintf(stderr, "airproof-hub: %s\n",
			        h.err.msg[0] ? h.err.msg : "internal error");
		return ap_exit_code(rc);
	}
	fprintf(stderr, "airproof-hub: unknown command '%s' (see 'airproof-hub --help')\n",
	        args[0]);
	return 1;
}
