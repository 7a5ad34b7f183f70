/* airproof-hub report: the compliance grid for a range of weeks, as CSV,
 * JSON or HTML, on stdout or into a file (temp + fsync + rename). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/hubcli.h"
#include "common/aptime.h"
#include "common/fsutil.h"
#include "store/store.h"

static const char report_usage[] =
    "usage: airproof-hub report (--from X [--to Y] | --period P) [--format csv|json|html]\n"
    "                           [--out FILE]\n"
    "\n"
    "X and Y are ISO weeks (2026-W40), months (2026-11) or dates (2026-11-15);\n"
    "P is a reform-report period, from the 15th to the 14th: 2026-Q1\n"
    "(15/12/2025-14/03/2026), Q2, Q3, Q4, H1, H2 or Y. A range holds the ISO\n"
    "weeks whose Thursday falls inside it. The default format is csv.\n";

HUBCMD(report)
{
	static const struct option opts[] = {
		{ "from", required_argument, 0, 'f' },   { "to", required_argument, 0, 't' },
		{ "period", required_argument, 0, 'p' }, { "format", required_argument, 0, 'F' },
		{ "out", required_argument, 0, 'o' },    { 0, 0, 0, 0 },
	};
	const char *from = NULL, *to = NULL, *period = NULL, *format = "csv", *out = NULL;
	int o, rc;
	if (hubcli_wants_help(argc, argv))
		return hubcli_usage(report_usage);
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'p':
			period = optarg;
			break;
		case 'F':
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return hubcli_bad_usage(h, "report", "unknown or incomplete option '%s'",
			                        argv[optind - 1]);
		}
	}
	if (optind < argc)
		return hubcli_bad_usage(h, "report", "unexpected argument '%s'", argv[optind]);
	if (h->json)
		format = "json";
	enum hub_format f;
	struct hub_range r;
	if ((rc = hub_format_parse(format, &f, &h->err)) || (rc = hubcli_load_config(h)) ||
	    (rc = hub_range_parse(from, to, period, &r, &h->err)))
		return rc;
	struct store *st = NULL;
	struct hub_report *rep = NULL;
	char *text = NULL;
	size_t len = 0;
	if (!(rc = hubcli_open(h, 0, &st)))
		rc = hub_report_build(st, &h->cfg, &r, time_now_ms(), &rep, &h->err);
	if (!rc)
		rc = hub_report_render(rep, f, &text, &len, &h->err);
	hub_report_free(rep);
	store_close(st);
	if (!rc) {
		if (out)
			rc = fs_write_atomic(out, text, len, 0644, &h->err);
		else
			fwrite(text, 1, len, stdout);
	}
	free(text);
	return rc;
}
