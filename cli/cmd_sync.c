/* airproof sync: upload unsynced proofs to the hub now (also the systemd
 * timer's job). Only the hub's answer marks proofs synced. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "store/store.h"
#include "sync/sync.h"

static const char sync_usage[] =
    "usage: airproof sync [--max-wait SECONDS] [--json]\n"
    "\n"
    "Sends every proof the hub (sync.hub_url) has not acknowledged, in batches of\n"
    "at most 500 proofs / 1 MiB. Timeouts, HTTP 408, 429 and 5xx are retried with\n"
    "growing waits for up to --max-wait seconds in all (default 120); the timer\n"
    "tries again later anyway.\n"
    "A proof the hub refuses is printed, stops the run and exits 1.\n";

CMD(sync)
{
	if (cli_wants_help(argc, argv))
		return cli_usage(sync_usage);
	static const struct option opts[] = {
		{ "max-wait", required_argument, 0, 'w' },
		{ 0, 0, 0, 0 },
	};
	long max_wait = 120;
	int opt;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end = NULL;
		if (opt == 'w')
			max_wait = strtol(optarg, &end, 10);
		if (opt != 'w' || *end || max_wait < 0 || max_wait > 3600)
			return cli_bad_usage(c, "sync", "bad or unknown option '%s'",
			                     argv[optind - 1]);
	}
	if (optind < argc)
		return cli_bad_usage(c, "sync", "unexpected argument '%s'", argv[optind]);
	struct store *st = NULL;
	struct sync_options o;
	struct sync_http h = { 0 };
	struct sync_result res;
	char station[64];
	int rc = cli_open_station(c, &st);
	if (!rc)
		rc = store_meta_get(st, "station_id", station, sizeof(station), &c->err);
	if (!rc)
		rc = sync_options_init(&o, &c->cfg, &c->err);
	o.retry_budget_ms = max_wait * 1000;
	if (!rc)
		rc = sync_curl_open(&c->cfg, &h, &c->err);
	if (!rc) {
		rc = sync_run(st, station, &h, &o, &res, &c->err);
		sync_curl_close(&h);
		if (res.rejected[0])
			fputs(res.rejected, stderr);
		if (c->json)
			printf("{\"ok\":%s,\"accepted\":%lld,\"duplicates\":%lld,\"next_seq\":%lld,"
			       "\"unsynced\":%lld,\"retries\":%d}\n",
			       rc ? "false" : "true", (long long)res.accepted,
			       (long long)res.duplicates, (long long)res.next_seq,
			       (long long)res.unsynced, res.retries);
		else if (!rc)
			printf("Synced: %lld accepted, %lld already at the hub; the hub holds seq "
			       "1..%lld\n",
			       (long long)res.accepted, (long long)res.duplicates,
			       (long long)res.next_seq - 1);
	}
	store_close(st);
	return rc;
}
