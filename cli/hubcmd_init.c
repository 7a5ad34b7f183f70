/* airproof-hub init: create the state folder and the hub database. */
#include <stdio.h>
#include <unistd.h>

#include "cli/hubcli.h"
#include "common/aptime.h"
#include "common/fsutil.h"
#include "store/store.h"

static const char init_usage[] =
    "usage: airproof-hub init\n"
    "\n"
    "Creates hub.state_dir and the hub database (hub.db inside it, or hub.db from\n"
    "the config). Running it again on an existing hub changes nothing.\n";

HUBCMD(init)
{
	if (hubcli_wants_help(argc, argv))
		return hubcli_usage(init_usage);
	if (argc > 1)
		return hubcli_bad_usage(h, "init", "unexpected argument '%s'", argv[1]);
	int rc = hubcli_load_config(h);
	if (rc)
		return rc;
	int existed = access(h->cfg.db_path, F_OK) == 0;
	if ((rc = fs_mkdirs(h->cfg.state_dir, 0750, &h->err)))
		return rc;
	struct store *st = NULL;
	if ((rc = store_open(h->cfg.db_path, STORE_HUB, 1, &st, &h->err)))
		return rc;
	if (!existed) {
		char created[32];
		snprintf(created, sizeof(created), "%lld", (long long)time_now_ms());
		if ((rc = store_begin(st, &h->err)) ||
		    (rc = store_meta_set(st, "created_ms", created, &h->err)) ||
		    (rc = store_commit(st, &h->err)))
			store_rollback(st);
	}
	store_close(st);
	if (!rc)
		printf(existed ? "Hub database %s is ready (it existed already)\n"
		               : "Hub database %s created\n",
		       h->cfg.db_path);
	return rc;
}
