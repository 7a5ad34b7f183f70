/* airproof-hub clip add: the official clip catalogue. A play of a clip not
 * in the catalogue makes its week suspect (once the catalogue has any clip). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/hubcli.h"
#include "common/text.h"
#include "common/aptime.h"
#include "common/hash.h"
#include "store/store.h"

static const char clip_usage[] =
    "usage: airproof-hub clip add FILE --title T [--campaign C]\n"
    "       airproof-hub clip add --sha256 HEX --title T [--campaign C]\n"
    "\n"
    "Adds an official clip: by its file (the id is the SHA-256 of its bytes, as\n"
    "'sha256sum' prints) or by that hash alone.\n";

static int file_sha256(const char *path, char hex[65], struct ap_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ap_err_user(e, "%s: cannot open", path);
	struct sha256 h;
	if (sha256_init(&h)) {
		fclose(f);
		return ap_err_internal(e, "out of memory");
	}
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sha256_update(&h, buf, n);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		sha256_discard(&h);
		return ap_err_user(e, "%s: read error", path);
	}
	uint8_t d[SHA256_LEN];
	sha256_final(&h, d);
	hex_encode(d, SHA256_LEN, hex);
	return AP_OK;
}

HUBCMD(clip)
{
	static const struct option opts[] = {
		{ "sha256", required_argument, 0, 's' },
		{ "title", required_argument, 0, 't' },
		{ "campaign", required_argument, 0, 'c' },
		{ 0, 0, 0, 0 },
	};
	const char *sha = NULL, *title = NULL, *campaign = "cchc";
	int o, rc;
	if (hubcli_wants_help(argc, argv))
		return hubcli_usage(clip_usage);
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return hubcli_bad_usage(h, "clip", "only 'clip add' exists");
	argc--;
	argv++;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 's')
			sha = optarg;
		else if (o == 't')
			title = optarg;
		else if (o == 'c')
			campaign = optarg;
		else
			return hubcli_bad_usage(h, "clip", "unknown or incomplete option '%s'",
			                        argv[optind - 1]);
	}
	const char *file = optind < argc ? argv[optind] : NULL;
	if (optind + 1 < argc)
		return hubcli_bad_usage(h, "clip", "unexpected argument '%s'", argv[optind + 1]);
	if (!title || !*title)
		return hubcli_bad_usage(h, "clip", "--title is required");
	if (!utf8_valid(title))
		return hubcli_bad_usage(h, "clip", "--title is not valid UTF-8 text");
	if (!file == !sha)
		return hubcli_bad_usage(h, "clip", "give a FILE or --sha256, not both");
	char hex[65];
	if (sha) {
		if (strlen(sha) != 64 || hex_decode(sha, (uint8_t[32]){ 0 }, 32))
			return hubcli_bad_usage(h, "clip", "--sha256 must be 64 hex digits");
		for (int i = 0; i < 64; i++)
			hex[i] =
			    (char)(sha[i] >= 'A' && sha[i] <= 'F' ? sha[i] - 'A' + 'a' : sha[i]);
		hex[64] = '\0';
	} else if ((rc = file_sha256(file, hex, &h->err))) {
		return rc;
	}
	struct store *st = NULL;
	if ((rc = hubcli_open(h, 0, &st)))
		return rc;
	if ((rc = store_begin(st, &h->err)) ||
	    (rc = store_hub_clip_add(st, hex, title, campaign, time_now_ms(), &h->err)) ||
	    (rc = store_commit(st, &h->err)))
		store_rollback(st);
	store_close(st);
	if (!rc)
		printf("Clip %s (%s) added to the catalogue\n", hex, title);
	return rc;
}
