/* airproof-hub import FILE: an offline bundle, verified exactly like an
 * upload (hub_ingest is the one code path); importing twice changes
 * nothing. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/hubcli.h"
#include "common/aptime.h"
#include "common/fsutil.h"
#include "store/store.h"

static const char import_usage[] =
    "usage: airproof-hub import FILE [--json]\n"
    "\n"
    "Verifies and stores the proofs of a bundle written by 'airproof export'.\n"
    "Proofs the hub holds already count as duplicates. The first refused proof\n"
    "stops the import (exit 1); the proofs before it are kept.\n";

#define MAX_BUNDLE (512L * 1024 * 1024)

HUBCMD(import)
{
	if (hubcli_wants_help(argc, argv))
		return hubcli_usage(import_usage);
	if (argc != 2)
		return hubcli_bad_usage(h, "import", "give exactly one bundle FILE");
	char *doc = NULL;
	size_t len = 0;
	struct store *st = NULL;
	int rc = hubcli_open(h, 0, &st);
	if (!rc)
		rc = fs_read_file(argv[1], MAX_BUNDLE, &doc, &len, &h->err);
	struct hub_ingest_result res;
	if (!rc) {
		rc = hub_ingest(st, doc, len, 1, time_now_ms(), &res, &h->err);
		if (rc)
			ap_err_prefix(&h->err, "%s", argv[1]);
	}
	free(doc);
	store_close(st);
	if (rc)
		return rc;
	if (h->json) {
		char *a = hub_ingest_answer(&res);
		printf("%s\n", a ? a : "{}");
		free(a);
	} else {
		printf("%s: %lld accepted, %lld duplicates; the hub expects seq %lld next\n",
		       res.station, (long long)res.accepted, (long long)res.duplicates,
		       (long long)res.next_seq);
	}
	if (res.n_rejected)
		return ap_err_user(&h->err, "%s: seq %lld refused: %s (%s)", argv[1],
		                   (long long)res.rejected[0].seq, res.rejected[0].reason,
		                   res.rejected[0].detail);
	return AP_OK;
}
