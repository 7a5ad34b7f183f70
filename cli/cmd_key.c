/* airproof key show: the public key to enrol at the hub. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/hash.h"
#include "proof/proof.h"
#include "store/store.h"

static const char key_usage[] = "usage: airproof key show [--json]\n"
                                "\n"
                                "Prints the station id and its Ed25519 public key (hex), for\n"
                                "'airproof-hub station add --id ID --pubkey KEY'.\n";

CMD(key)
{
	struct store *st;
	struct proof_key key;
	char path[4200], id[64];
	int rc;

	if (cli_wants_help(argc, argv))
		return cli_usage(key_usage);
	if (argc != 2 || strcmp(argv[1], "show") != 0)
		return cli_bad_usage(c, "key", "expected 'key show'");
	if ((rc = cli_open_station(c, &st)))
		return rc;
	rc = store_meta_get(st, "station_id", id, sizeof(id), &c->err);
	store_close(st);
	if (rc)
		return rc;
	if ((rc = cli_state_path(c, "station.key", path, sizeof(path))) ||
	    (rc = proof_key_load(path, &key, &c->err)))
		return rc;
	char hex[2 * PROOF_PK_LEN + 1];
	hex_encode(key.pk, PROOF_PK_LEN, hex);
	proof_key_wipe(&key);
	if (c->json)
		printf("{\"station\":\"%s\",\"pubkey\":\"%s\"}\n", id, hex);
	else
		printf("station %s\npubkey  %s\n", id, hex);
	return AP_OK;
}
