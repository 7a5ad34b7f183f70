/* airproof export: an offline proof bundle for the hub (USB stick). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "common/hash.h"
#include "proof/proof.h"
#include "store/store.h"
#include "sync/sync.h"

static const char export_usage[] =
    "usage: airproof export --out FILE [--since SEQ]\n"
    "\n"
    "Writes the station's proofs (all, or from SEQ on) as an airproof-bundle-v1\n"
    "file (docs/bundle.md) for 'airproof-hub import FILE'. The hub verifies it\n"
    "exactly like an upload; giving it proofs it holds already is harmless.\n";

CMD(export)
{
	static const struct option opts[] = {
		{ "out", required_argument, 0, 'o' },
		{ "since", required_argument, 0, 's' },
		{ 0, 0, 0, 0 },
	};
	const char *out = NULL;
	int64_t since = 1;
	int o, rc;
	if (cli_wants_help(argc, argv))
		return cli_usage(export_usage);
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'o') {
			out = optarg;
		} else if (o == 's') {
			char *end;
			since = strtoll(optarg, &end, 10);
			if (*end || since < 1)
				return cli_bad_usage(c, "export",
				                     "--since '%s' is not a seq (1, 2...)", optarg);
		} else {
			return cli_bad_usage(c, "export", "unknown or incomplete option '%s'",
			                     argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(c, "export", "unexpected argument '%s'", argv[optind]);
	if (!out)
		return cli_bad_usage(c, "export", "--out FILE is required");
	struct store *st = NULL;
	struct proof_key key;
	char station[64], key_path[4200], pk[2 * PROOF_PK_LEN + 1];
	int64_t n = 0;
	if ((rc = cli_open_station(c, &st)))
		return rc;
	if (!(rc = store_meta_get(st, "station_id", station, sizeof(station), &c->err)) &&
	    !(rc = cli_state_path(c, "station.key", key_path, sizeof(key_path))) &&
	    !(rc = proof_key_load(key_path, &key, &c->err))) {
		hex_encode(key.pk, PROOF_PK_LEN, pk);
		proof_key_wipe(&key);
		rc = sync_bundle_write(st, station, pk, since, out, &n, &c->err);
	}
	store_close(st);
	if (!rc) {
		if (c->json)
			printf("{\"station\":\"%s\",\"proofs\":%lld,\"file\":\"%s\"}\n", station,
			       (long long)n, out);
		else
			printf("Wrote %lld proofs of %s to %s\n", (long long)n, station, out);
	}
	return rc;
}
