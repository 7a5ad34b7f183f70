/* airproof clip: the clip library verbs. add is in cli/cmd_clip_add.c;
 * approve, list, show, remove and verify are here. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_clip.h"
#include "common/aptime.h"
#include "common/text.h"
#include "media/clip.h"

static const char clip_usage[] =
    "usage: airproof clip add FILE|FOLDER... --campaign C [--title T] [--lang vi]\n"
    "                         [--from DATE] [--until DATE]\n"
    "       airproof clip approve ID --by NAME\n"
    "       airproof clip list [--campaign C] [--all] [--json]\n"
    "       airproof clip show ID [--json]\n"
    "       airproof clip remove ID\n"
    "       airproof clip verify [--json]\n"
    "\n"
    "ID is a clip id (the SHA-256 of the original file, as sha256sum prints it) or a\n"
    "unique prefix of at least 8 of its digits. 'list --all' includes removed clips.\n"
    "'verify' re-hashes every stored original and rendering; exit 1 if any is\n"
    "damaged or missing. 'airproof clip add --help' explains importing.\n";

void clip_fmt_duration(int64_t frames, int rate, char *out, size_t cap)
{
	time_fmt_length(rate > 0 ? frames * 1000 / rate : 0, out, cap);
}

/* "2026-05-01" -> "01/05/2026"; "" stays "". */
static void fmt_local_date(const char *ymd, char *out, size_t cap)
{
	if (strlen(ymd) == 10)
		snprintf(out, cap, "%.2s/%.2s/%.4s", ymd + 8, ymd + 5, ymd);
	else
		snprintf(out, cap, "%s", ymd);
}

static json_t *opt_string(const char *s)
{
	return *s ? json_string(s) : json_null();
}

static json_t *opt_ms(int64_t ms)
{
	return ms ? json_integer(ms) : json_null();
}

json_t *clip_json(const struct store_clip *k)
{
	json_t *j = json_object();
	json_object_set_new(j, "id", json_string(k->id));
	json_object_set_new(j, "import_seq", json_integer(k->import_seq));
	json_object_set_new(j, "title", json_string(k->title));
	json_object_set_new(j, "campaign", json_string(k->campaign));
	json_object_set_new(j, "lang", json_string(k->lang));
	json_object_set_new(j, "source_name", json_string(k->source_name));
	json_object_set_new(j, "source_format", json_string(k->source_format));
	json_object_set_new(j, "source_bytes", json_integer(k->source_bytes));
	json_object_set_new(j, "source_rate", json_integer(k->source_rate));
	json_object_set_new(j, "source_channels", json_integer(k->source_channels));
	json_object_set_new(j, "source_frames", json_integer(k->source_frames));
	json_object_set_new(j, "rate", json_integer(k->rate));
	json_object_set_new(j, "channels", json_integer(k->channels));
	json_object_set_new(j, "frames", json_integer(k->frames));
	json_object_set_new(j, "duration_ms",
	                    json_integer(k->rate ? k->frames * 1000 / k->rate : 0));
	json_object_set_new(j, "render_sha256", json_string(k->render_sha256));
	json_object_set_new(j, "loudness_lufs", json_real(k->loudness_lufs));
	json_object_set_new(j, "true_peak_dbtp", json_real(k->true_peak_dbtp));
	json_object_set_new(j, "gain_db", json_real(k->gain_db));
	json_object_set_new(j, "rendered_lufs", json_real(k->loudness_lufs + k->gain_db));
	json_object_set_new(j, "valid_from", opt_string(k->valid_from));
	json_object_set_new(j, "valid_until", opt_string(k->valid_until));
	json_object_set_new(j, "approved_by", opt_string(k->approved_by));
	json_object_set_new(j, "approved_ms", opt_ms(k->approved_ms));
	json_object_set_new(j, "added_ms", json_integer(k->added_ms));
	json_object_set_new(j, "removed_ms", opt_ms(k->removed_ms));
	return j;
}

static void print_json(json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	if (text)
		puts(text);
	free(text);
	json_decref(j);
}

static void fmt_validity(const struct store_clip *k, char *out, size_t cap)
{
	char from[16], until[16];
	fmt_local_date(k->valid_from, from, sizeof(from));
	fmt_local_date(k->valid_until, until, sizeof(until));
	if (!*from && !*until)
		snprintf(out, cap, "always");
	else
		snprintf(out, cap, "%s-%s", from, until);
}

static int one_id_arg(struct cli *c, const char *verb, int argc, char **argv, const char **id)
{
	if (optind >= argc)
		return cli_bad_usage(c, verb, "name a clip id");
	if (optind + 1 < argc)
		return cli_bad_usage(c, verb, "unexpected argument '%s'", argv[optind + 1]);
	*id = argv[optind];
	return AP_OK;
}

static int cmd_approve(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "by", required_argument, 0, 'b' }, { 0, 0, 0, 0 } };
	const char *by = NULL, *id;
	int o, rc;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'b')
			return cli_bad_usage(c, "clip approve", "unknown or incomplete option '%s'",
			                     argv[optind - 1]);
		by = optarg;
	}
	if ((rc = one_id_arg(c, "clip approve", argc, argv, &id)))
		return rc;
	if (!by || !*by || strlen(by) > 127)
		return cli_bad_usage(c, "clip approve", "--by NAME (1-127 bytes) is required");
	if (!utf8_valid(by))
		return cli_bad_usage(c, "clip approve", "--by is not valid UTF-8 text");
	struct store *st;
	struct store_clip k;
	if ((rc = cli_open_station(c, &st)))
		return rc;
	int64_t now = time_now_ms();
	if (!(rc = store_clip_get(st, id, &k, &c->err)) && k.removed_ms)
		rc = ap_err_user(&c->err, "clip %.12s was removed; add it again first", k.id);
	if (!rc && ((rc = store_begin(st, &c->err)) ||
	            (rc = store_clip_approve(st, k.id, by, now, &c->err)) ||
	            (rc = store_commit(st, &c->err))))
		store_rollback(st);
	store_close(st);
	if (rc)
		return rc;
	char when[17];
	time_fmt_datetime(now, when);
	if (c->json)
		print_json(json_pack("{s:s, s:s, s:I}", "id", k.id, "approved_by", by,
		                     "approved_ms", (json_int_t)now));
	else
		printf("Approved %.12s \"%s\" by %s at %s\n", k.id, k.title, by, when);
	return AP_OK;
}

static int cmd_list(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "campaign", required_argument, 0, 'c' },
		                              { "all", no_argument, 0, 'a' },
		                              { 0, 0, 0, 0 } };
	const char *campaign = NULL;
	int all = 0, o, rc;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'c')
			campaign = optarg;
		else if (o == 'a')
			all = 1;
		else
			return cli_bad_usage(c, "clip list", "unknown or incomplete option '%s'",
			                     argv[optind - 1]);
	}
	if (optind < argc)
		return cli_bad_usage(c, "clip list", "unexpected argument '%s'", argv[optind]);
	struct store *st;
	struct store_clip *v;
	size_t n;
	if ((rc = cli_open_station(c, &st)))
		return rc;
	rc = store_clip_list(st, campaign, all, &v, &n, &c->err);
	store_close(st);
	if (rc)
		return rc;
	if (c->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, clip_json(&v[i]));
		print_json(arr);
	} else if (n == 0) {
		printf("No clips%s%s. Add one with 'airproof clip add FILE --campaign C'.\n",
		       campaign ? " in campaign " : "", campaign ? campaign : "");
	} else {
		printf("%-12s  %-10s  %7s  %6s  %-12s  %-21s  %s\n", "ID", "CAMPAIGN", "LENGTH",
		       "LUFS", "APPROVED", "VALID", "TITLE");
		for (size_t i = 0; i < n; i++) {
			char dur[32], valid[40], appr[64];
			clip_fmt_duration(v[i].frames, v[i].rate, dur, sizeof(dur));
			fmt_validity(&v[i], valid, sizeof(valid));
			text_fit(appr, sizeof(appr),
			         v[i].removed_ms       ? "(removed)"
			         : v[i].approved_by[0] ? v[i].approved_by
			                               : "no",
			         12);
			printf("%.12s  %-10s  %7s  %6.1f  %s  %-21s  %s\n", v[i].id, v[i].campaign,
			       dur, v[i].loudness_lufs + v[i].gain_db, appr, valid, v[i].title);
		}
	}
	free(v);
	return AP_OK;
}

static int cmd_show(struct cli *c, int argc, char **argv)
{
	const char *id;
	struct store *st;
	struct store_clip k;
	int rc;
	optind = 1;
	if (argc > 1 && argv[1][0] == '-')
		return cli_bad_usage(c, "clip show", "unknown option '%s'", argv[1]);
	if ((rc = one_id_arg(c, "clip show", argc, argv, &id)) || (rc = cli_open_station(c, &st)))
		return rc;
	rc = store_clip_get(st, id, &k, &c->err);
	store_close(st);
	if (rc)
		return rc;
	if (c->json) {
		print_json(clip_json(&k));
		return AP_OK;
	}
	char dur[32], from[16], until[16], added[17], when[17] = "", removed[17] = "";
	clip_fmt_duration(k.frames, k.rate, dur, sizeof(dur));
	fmt_local_date(k.valid_from, from, sizeof(from));
	fmt_local_date(k.valid_until, until, sizeof(until));
	time_fmt_datetime(k.added_ms, added);
	if (k.approved_ms)
		time_fmt_datetime(k.approved_ms, when);
	if (k.removed_ms)
		time_fmt_datetime(k.removed_ms, removed);
	printf("id             %s\n"
	       "title          %s\n"
	       "campaign       %s\n"
	       "language       %s\n"
	       "length         %s (%lld frames at %d Hz, %d channel%s)\n"
	       "loudness       %.1f LUFS after gain %+.1f dB (source %.1f LUFS, true peak "
	       "%.1f dBTP)\n"
	       "source         %s (%s, %lld bytes, %d Hz, %d channel%s)\n"
	       "rendering      sha256 %s\n"
	       "valid          %s to %s\n"
	       "approved       %s%s%s\n"
	       "added          %s\n",
	       k.id, k.title, k.campaign, k.lang, dur, (long long)k.frames, k.rate, k.channels,
	       k.channels == 1 ? "" : "s", k.loudness_lufs + k.gain_db, k.gain_db, k.loudness_lufs,
	       k.true_peak_dbtp, k.source_name, k.source_format, (long long)k.source_bytes,
	       k.source_rate, k.source_channels, k.source_channels == 1 ? "" : "s", k.render_sha256,
	       *from ? from : "(any date)", *until ? until : "(no end)",
	       k.approved_by[0] ? k.approved_by : "no", k.approved_ms ? " at " : "", when, added);
	if (k.removed_ms)
		printf("removed        %s (kept because proofs or rules refer to it)\n", removed);
	return AP_OK;
}

static int cmd_remove(struct cli *c, int argc, char **argv)
{
	const char *id;
	struct store *st;
	struct store_clip k;
	int rc, kept = 0;
	optind = 1;
	if (argc > 1 && argv[1][0] == '-')
		return cli_bad_usage(c, "clip remove", "unknown option '%s'", argv[1]);
	if ((rc = one_id_arg(c, "clip remove", argc, argv, &id)) || (rc = cli_open_station(c, &st)))
		return rc;
	if (!(rc = store_clip_get(st, id, &k, &c->err)) && k.removed_ms)
		rc = ap_err_user(&c->err, "clip %.12s was removed already", k.id);
	if (!rc && ((rc = store_begin(st, &c->err)) ||
	            (rc = store_clip_remove(st, k.id, time_now_ms(), &kept, &c->err)) ||
	            (rc = store_commit(st, &c->err))))
		store_rollback(st);
	store_close(st);
	/* The row is gone (or marked) first: a failure to delete a file leaves
	 * an orphan file, never a row pointing at nothing. */
	if (!rc)
		rc = clip_remove_files(&c->cfg, k.id, &c->err);
	if (rc)
		return rc;
	if (c->json)
		print_json(json_pack("{s:s, s:b}", "id", k.id, "kept", kept));
	else
		printf("Removed %.12s \"%s\"%s\n", k.id, k.title,
		       kept ? " (its record stays: proofs or rules refer to it)" : "");
	return AP_OK;
}

static int cmd_verify(struct cli *c, int argc, char **argv)
{
	struct store *st;
	struct store_clip *v;
	size_t n, bad = 0;
	int rc;
	if (argc > 1)
		return cli_bad_usage(c, "clip verify", "unexpected argument '%s'", argv[1]);
	if ((rc = cli_open_station(c, &st)))
		return rc;
	rc = store_clip_list(st, NULL, 0, &v, &n, &c->err);
	store_close(st);
	if (rc)
		return rc;
	json_t *problems = json_array();
	for (size_t i = 0; i < n; i++) {
		struct ap_err e = { 0 };
		if (clip_verify_files(&c->cfg, v[i].id, v[i].render_sha256, &e) == AP_OK)
			continue;
		bad++;
		fprintf(stderr, "airproof: clip %.12s \"%s\": %s\n", v[i].id, v[i].title, e.msg);
		json_array_append_new(problems,
		                      json_pack("{s:s, s:s}", "id", v[i].id, "error", e.msg));
	}
	free(v);
	if (c->json) {
		print_json(json_pack("{s:I, s:o}", "checked", (json_int_t)n, "problems", problems));
	} else {
		json_decref(problems);
		printf("%zu clip%s checked, %zu damaged or missing\n", n, n == 1 ? "" : "s", bad);
	}
	if (bad)
		return ap_err_user(&c->err, "%zu of %zu clips damaged or missing", bad, n);
	return AP_OK;
}

CMD(clip)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *, int, char **);
	} verbs[] = {
		{ "add", clip_cmd_add }, { "approve", cmd_approve }, { "list", cmd_list },
		{ "show", cmd_show },    { "remove", cmd_remove },   { "verify", cmd_verify },
	};
	if (argc < 2)
		return cli_bad_usage(c, "clip",
		                     "expected add, approve, list, show, remove or verify");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].name) != 0)
			continue;
		if (cli_wants_help(argc - 1, argv + 1)) {
			return cli_usage(verbs[i].fn == clip_cmd_add ? clip_add_usage : clip_usage);
		}
		return verbs[i].fn(c, argc - 1, argv + 1);
	}
	if (cli_wants_help(argc, argv))
		return cli_usage(clip_usage);
	return cli_bad_usage(c, "clip", "unknown clip command '%s'", argv[1]);
}
