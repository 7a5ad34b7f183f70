/* airproof-hub serve: run the HTTP server until SIGINT or SIGTERM. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/hubcli.h"

static const char serve_usage[] =
    "usage: airproof-hub serve [--port N]\n"
    "\n"
    "Listens on hub.listen:hub.port (default 127.0.0.1:8080) until SIGINT or\n"
    "SIGTERM. --port overrides the config; --port 0 picks a free port. The first\n"
    "line on stdout is 'listening on http://ADDRESS:PORT/'.\n";

HUBCMD(serve)
{
	static const struct option opts[] = {
		{ "port", required_argument, 0, 'p' },
		{ 0, 0, 0, 0 },
	};
	const char *port = NULL;
	int o, rc;
	if (hubcli_wants_help(argc, argv))
		return hubcli_usage(serve_usage);
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'p')
			port = optarg;
		else
			return hubcli_bad_usage(h, "serve", "unknown or incomplete option '%s'",
			                        argv[optind - 1]);
	}
	if (optind < argc)
		return hubcli_bad_usage(h, "serve", "unexpected argument '%s'", argv[optind]);
	if ((rc = hubcli_load_config(h)))
		return rc;
	if (port) {
		char *end;
		long p = strtol(port, &end, 10);
		if (*end || p < 0 || p > 65535)
			return hubcli_bad_usage(h, "serve", "--port '%s' is not 0..65535", port);
		h->cfg.port = (int)p;
	}
	/* Block the stop signals before MHD starts its threads, so only
	 * sigwait here sees them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct hub_server *srv = NULL;
	if ((rc = hub_server_start(&h->cfg, &srv, &h->err)))
		return rc;
	printf("listening on http://%s:%d/\n", h->cfg.listen, hub_server_port(srv));
	fflush(stdout);
	log_info("serving %s (%d threads)", h->cfg.db_path, h->cfg.threads);
	int sig = 0;
	sigwait(&set, &sig);
	log_info("signal %d: stopping", sig);
	hub_server_stop(srv);
	return AP_OK;
}
