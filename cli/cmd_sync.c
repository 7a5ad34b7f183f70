/* airproof sync: upload unsynced proofs to the hub now (also the systemd
 * timer's job). Only the hub's answer marks proofs synced. */
#include <stdio.h>

#include "cli/cli.h"
#include "store/store.h"
#include "sync/sync.h"

static const char sync_usage[] =
    "usage: airproof sync [--json]\n"
    "\n"
    "Sends every proof the hub (sync.hub_url) has not acknowledged, in batches of\n"
    "at most 500 proofs / 1 MiB. Timeouts, HTTP 408, 429 and 5xx are retried with\n"
    "growing waits for up to two minutes; the timer tries again later anyway.\n"
    "A proof the hub refuses is printed, stops the run and exits 1.\n";

CMD(sync)
{
	if (cli_wants_help(argc, argv))
		return cli_usage(sync_usage);
	if (argc > 1)
		return cli_bad_usage(c, "sync", "unexpected argument '%s'", argv[1]);
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
