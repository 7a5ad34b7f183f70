/* airproof init: create the station's state folder, database and key. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/text.h"
#include "common/aptime.h"
#include "common/fsutil.h"
#include "common/hash.h"
#include "proof/proof.h"
#include "store/store.h"

static const char init_usage[] =
    "usage: airproof init --station-id ID --name NAME [--level LEVEL] [--force]\n"
    "\n"
    "Creates the state folder (paths.state_dir), the database, the media store and\n"
    "the station's Ed25519 signing key. ID is lowercase letters, digits and '-'.\n"
    "An existing station is never overwritten without --force, and never once it\n"
    "has signed proofs (its chain would break at the hub).\n";

CMD(init)
{
	static const struct option opts[] = {
		{ "station-id", required_argument, 0, 'i' },
		{ "name", required_argument, 0, 'n' },
		{ "level", required_argument, 0, 'l' },
		{ "force", no_argument, 0, 'f' },
		{ 0, 0, 0, 0 },
	};
	const char *id = NULL, *name = NULL, *level = NULL;
	int force = 0, o, rc;

	if (cli_wants_help(argc, argv))
		return cli_usage(init_usage);
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'i':
			id = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'l':
			level = optarg;
			break;
		case 'f':
			force = 1;
			break;
		default:
			return cli_bad_usage(c, "init", "unknown or incomplete option '%s'",
			                     argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(c, "init", "unexpected argument '%s'", argv[optind]);
	if ((rc = cli_load_config(c)))
		return rc;
	if (!id)
		id = c->cfg.station_id[0] ? c->cfg.station_id : NULL;
	if (!id)
		return cli_bad_usage(c, "init", "--station-id is required");
	if (!config_station_id_valid(id))
		return cli_bad_usage(
		    c, "init", "station id '%s' must be 1-63 lowercase letters, digits and '-'",
		    id);
	if (c->cfg.station_id[0] && strcmp(id, c->cfg.station_id) != 0)
		return ap_err_user(&c->err, "%s: station.id is '%s', not '%s'", c->cfg.path,
		                   c->cfg.station_id, id);
	if (!name)
		name = c->cfg.station_name[0] ? c->cfg.station_name : NULL;
	if (!name || !*name)
		return cli_bad_usage(c, "init", "--name is required");
	if (!level)
		level = c->cfg.level;
	if (!utf8_valid(name) || !utf8_valid(level))
		return cli_bad_usage(c, "init", "--name and --level must be valid UTF-8 text");

	char db_path[4200], key_path[4200], media_path[4200];
	if ((rc = cli_state_path(c, "airproof.db", db_path, sizeof(db_path))) ||
	    (rc = cli_state_path(c, "station.key", key_path, sizeof(key_path))) ||
	    (rc = cli_state_path(c, "media", media_path, sizeof(media_path))))
		return rc;

	/* Refuse before touching anything when a station is already here. */
	struct store *st = NULL;
	char existing[64];
	if (access(db_path, F_OK) == 0) {
		if ((rc = store_open(db_path, STORE_STATION, 0, &st, &c->err)))
			return rc;
		int known =
		    store_meta_get(st, "station_id", existing, sizeof(existing), NULL) == AP_OK;
		int64_t proofs = 0;
		uint8_t head[32];
		if (known && (rc = store_proof_head(st, &proofs, head, &c->err))) {
			store_close(st);
			return rc;
		}
		store_close(st);
		/* A new key cannot sign on from the old one's chain: the hub would
		 * refuse every later proof. */
		if (known && proofs > 0)
			return ap_err_user(&c->err,
			                   "%s: station '%s' has %lld proofs signed with its key; "
			                   "a new identity needs a new state folder",
			                   c->cfg.state_dir, existing, (long long)proofs);
		if (known && !force)
			return ap_err_user(&c->err,
			                   "%s: station '%s' exists already (use --force to "
			                   "re-create its identity)",
			                   c->cfg.state_dir, existing);
		st = NULL;
	}
	if (!force && access(key_path, F_OK) == 0)
		return ap_err_user(&c->err, "%s: a station key exists already (use --force)",
		                   key_path);

	if ((rc = fs_mkdirs(c->cfg.state_dir, 0750, &c->err)) ||
	    (rc = fs_mkdirs(media_path, 0750, &c->err)))
		return rc;
	struct proof_key key;
	if ((rc = proof_key_generate(key_path, force, &key, &c->err)))
		return rc;
	if ((rc = store_open(db_path, STORE_STATION, 1, &st, &c->err)))
		goto out;
	char created[32];
	snprintf(created, sizeof(created), "%lld", (long long)time_now_ms());
	if ((rc = store_begin(st, &c->err)) ||
	    (rc = store_meta_set(st, "station_id", id, &c->err)) ||
	    (rc = store_meta_set(st, "name", name, &c->err)) ||
	    (rc = store_meta_set(st, "level", level, &c->err)) ||
	    (rc = store_meta_set(st, "created_ms", created, &c->err)) ||
	    (rc = store_commit(st, &c->err))) {
		store_rollback(st);
		goto out;
	}
	char pk_hex[2 * PROOF_PK_LEN + 1];
	hex_encode(key.pk, PROOF_PK_LEN, pk_hex);
	if (c->json)
		printf("{\"station\":\"%s\",\"state_dir\":\"%s\",\"pubkey\":\"%s\"}\n", id,
		       c->cfg.state_dir, pk_hex);
	else
		printf("Station %s (%s) created in %s\n"
		       "Public key: %s\n"
		       "Enrol it at the hub: airproof-hub station add --id %s --name '%s' "
		       "--group %s --pubkey %s\n",
		       id, name, c->cfg.state_dir, pk_hex, id, name, level, pk_hex);
out:
	proof_key_wipe(&key);
	store_close(st);
	return rc;
}
