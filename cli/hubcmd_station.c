/* airproof-hub station add|list: enrol stations and show their chains. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/hubcli.h"
#include "common/text.h"
#include "common/aptime.h"
#include "common/hash.h"
#include "config/config.h"
#include "store/store.h"

static const char station_usage[] =
    "usage: airproof-hub station add --id ID --name NAME --group GROUP --pubkey HEX\n"
    "       airproof-hub station list [--json]\n"
    "\n"
    "add enrols a station: ID as in its airproof.cfg, GROUP selects its quota\n"
    "policy (commune, province...), HEX is 'airproof key show' on the station.\n"
    "list shows each station with its next expected seq and last upload.\n";

static int station_add(struct hubcli *h, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "id", required_argument, 0, 'i' },
		{ "name", required_argument, 0, 'n' },
		{ "group", required_argument, 0, 'g' },
		{ "pubkey", required_argument, 0, 'k' },
		{ 0, 0, 0, 0 },
	};
	struct store_hub_station s = { 0 };
	const char *id = NULL, *name = NULL, *group = NULL, *pk = NULL;
	int o, rc;
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
		case 'g':
			group = optarg;
			break;
		case 'k':
			pk = optarg;
			break;
		default:
			return hubcli_bad_usage(h, "station", "unknown or incomplete option '%s'",
			                        argv[optind - 1]);
		}
	}
	if (optind < argc)
		return hubcli_bad_usage(h, "station", "unexpected argument '%s'", argv[optind]);
	if (!id || !name || !group || !pk)
		return hubcli_bad_usage(h, "station",
		                        "add needs --id, --name, --group and --pubkey");
	if (!config_station_id_valid(id))
		return hubcli_bad_usage(h, "station", "'%s' is not a station id ([a-z0-9-])", id);
	if (strlen(pk) != 64 || !hex_is_lower(pk, 64))
		return hubcli_bad_usage(h, "station", "--pubkey must be 64 lowercase hex digits");
	if (!utf8_valid(name) || !utf8_valid(group))
		return hubcli_bad_usage(h, "station",
		                        "--name and --group must be valid UTF-8 text");
	if (!*name || strlen(name) >= sizeof(s.name) || !*group || strlen(group) >= sizeof(s.group))
		return hubcli_bad_usage(h, "station",
		                        "--name and --group must be 1..63 characters");
	snprintf(s.id, sizeof(s.id), "%s", id);
	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.group, sizeof(s.group), "%s", group);
	snprintf(s.pubkey, sizeof(s.pubkey), "%s", pk);
	struct store *st = NULL;
	if ((rc = hubcli_open(h, 0, &st)))
		return rc;
	if ((rc = store_begin(st, &h->err)) ||
	    (rc = store_hub_station_add(st, &s, time_now_ms(), &h->err)) ||
	    (rc = store_commit(st, &h->err)))
		store_rollback(st);
	store_close(st);
	if (!rc && !h->json)
		printf("Station %s (%s, group %s) enrolled\n", id, name, group);
	return rc;
}

static int station_list(struct hubcli *h, int argc, char **argv)
{
	if (argc > 2)
		return hubcli_bad_usage(h, "station", "unexpected argument '%s'", argv[2]);
	struct store *st = NULL;
	struct store_hub_station *s = NULL;
	size_t n = 0;
	int rc = hubcli_open(h, 0, &st);
	if (rc)
		return rc;
	rc = store_hub_station_list(st, &s, &n, &h->err);
	store_close(st);
	if (rc)
		return rc;
	if (!h->json)
		printf("%-24s %-10s %8s  %-16s %s\n", "ID", "GROUP", "PROOFS", "LAST SEEN", "NAME");
	for (size_t i = 0; i < n; i++) {
		char seen[17] = "never";
		if (s[i].last_seen_ms)
			time_fmt_datetime(s[i].last_seen_ms, seen);
		if (h->json) {
			/* jansson escapes the operator's names and groups. */
			json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:s,s:I}", "id", s[i].id, "name",
			                      s[i].name, "group", s[i].group, "next_seq",
			                      (json_int_t)s[i].next_seq, "head", s[i].head,
			                      "last_seen_ms", (json_int_t)s[i].last_seen_ms);
			char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
			json_decref(o);
			if (!text) {
				rc = ap_err_internal(&h->err, "station %s: cannot write JSON",
				                     s[i].id);
				free(s);
				return rc;
			}
			printf("%s\n", text);
			free(text);
		} else
			printf("%-24s %-10s %8lld  %-16s %s\n", s[i].id, s[i].group,
			       (long long)s[i].proofs, seen, s[i].name);
	}
	free(s);
	return AP_OK;
}

HUBCMD(station)
{
	if (hubcli_wants_help(argc, argv))
		return hubcli_usage(station_usage);
	if (argc < 2)
		return hubcli_bad_usage(h, "station", "add or list?");
	if (!strcmp(argv[1], "add"))
		return station_add(h, argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return station_list(h, argc, argv);
	return hubcli_bad_usage(h, "station", "unknown subcommand '%s'", argv[1]);
}
