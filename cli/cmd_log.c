/* airproof log: the as-played log of one ISO week, read from the signed
 * proofs (titles and errors come from the payloads, which is what was
 * signed), as text, CSV (RFC 4180), a printable A4 HTML page or JSON. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/aptime.h"
#include "common/hash.h"
#include "proof/proof.h"
#include "store/store.h"

static const char log_usage[] =
    "usage: airproof log [--week 2026-W48] [--format text|csv|html|json]\n"
    "\n"
    "The as-played log of an ISO week (default: this week, station local time):\n"
    "every play with its scheduled and actual start, time played, clip title,\n"
    "campaign, rule, status, make-good and error; missed items and quota\n"
    "shortfalls; totals of complete plays per campaign and the chain head.\n"
    "--format html writes a page that prints on A4 with a signature line.\n";

#define MAX_CAMPAIGNS 32

struct log_row {
	int64_t seq;
	char what[16]; /* play, missed, shortfall */
	char item[128];
	int64_t scheduled, started, played_ms;
	int64_t rule;
	char title[256];
	char campaign[64];
	char status[16];
	char makegood_of[128];
	char note[1024]; /* a play's error, an event's detail */
};

struct log {
	char station[64], name[256];
	int iso_year, iso_week;
	int64_t from, to;
	struct log_row *rows;
	size_t n, cap;
	struct {
		char campaign[64];
		int64_t complete;
	} totals[MAX_CAMPAIGNS];
	size_t n_totals;
	int64_t missed, shortfalls;
	int64_t head_seq;
	char head[65];
	struct ap_err err;
};

static void count_complete(struct log *l, const char *campaign)
{
	for (size_t i = 0; i < l->n_totals; i++)
		if (!strcmp(l->totals[i].campaign, campaign)) {
			l->totals[i].complete++;
			return;
		}
	if (l->n_totals < MAX_CAMPAIGNS) {
		snprintf(l->totals[l->n_totals].campaign, 64, "%s", campaign);
		l->totals[l->n_totals++].complete = 1;
	}
}

static int add_row(const struct store_proof *p, void *arg)
{
	struct log *l = arg;
	struct proof_record rec;
	if (proof_parse(p->payload, p->payload_len, &rec, &l->err))
		return ap_err_prefix(&l->err, "proof %lld (run 'airproof proofs verify')",
		                     (long long)p->seq);
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct log_row *rows = realloc(l->rows, cap * sizeof(*rows));
		if (!rows)
			return ap_err_internal(&l->err, "out of memory");
		l->rows = rows;
		l->cap = cap;
	}
	struct log_row *r = &l->rows[l->n++];
	memset(r, 0, sizeof(*r));
	r->seq = p->seq;
	snprintf(r->item, sizeof(r->item), "%s", p->item);
	r->rule = p->rule_id;
	r->scheduled = p->scheduled_ms;
	snprintf(r->campaign, sizeof(r->campaign), "%s", p->campaign);
	if (rec.kind == PROOF_EVENT) {
		snprintf(r->what, sizeof(r->what), "%s", rec.event);
		snprintf(r->status, sizeof(r->status), "%s", rec.event);
		snprintf(r->note, sizeof(r->note), "%s", rec.detail);
		if (!strcmp(rec.event, "missed"))
			l->missed++;
		else
			l->shortfalls++;
		return 0;
	}
	snprintf(r->what, sizeof(r->what), "play");
	r->started = rec.started;
	r->played_ms = rec.rate ? rec.frames_played * 1000 / rec.rate : 0;
	snprintf(r->title, sizeof(r->title), "%s", rec.title);
	snprintf(r->status, sizeof(r->status), "%s", rec.status);
	snprintf(r->makegood_of, sizeof(r->makegood_of), "%s", rec.makegood_of);
	snprintf(r->note, sizeof(r->note), "%s", rec.error);
	if (!strcmp(rec.status, "complete"))
		count_complete(l, rec.campaign);
	return 0;
}

static void fmt_time(int64_t ms, char out[20])
{
	if (ms)
		time_fmt_datetime_s(ms, out);
	else
		out[0] = '\0';
}

static void week_dates(const struct log *l, char monday[11], char sunday[11])
{
	time_fmt_date(l->from, monday);
	time_fmt_date(l->to - 1, sunday);
}

/* ---- text ---- */

static void out_text(const struct log *l)
{
	char mon[11], sun[11], sch[20], sta[20], played[16];
	week_dates(l, mon, sun);
	printf("As-played log: %s (%s)\n", l->name, l->station);
	printf("Week %04d-W%02d, Monday %s to Sunday %s\n\n", l->iso_year, l->iso_week, mon, sun);
	if (l->n == 0)
		printf("Nothing aired, missed or fell short this week.\n");
	else
		printf("%-19s  %-19s  %-8s  %-11s  %-8s  %-5s  %s\n", "Scheduled", "Started",
		       "Played", "Status", "Campaign", "Rule", "Title");
	for (size_t i = 0; i < l->n; i++) {
		const struct log_row *r = &l->rows[i];
		char rule[24] = "";
		fmt_time(r->scheduled, sch);
		fmt_time(r->started, sta);
		if (!strcmp(r->what, "play"))
			time_fmt_length(r->played_ms, played, sizeof(played));
		else
			played[0] = '\0';
		if (r->rule)
			snprintf(rule, sizeof(rule), "%lld", (long long)r->rule);
		printf("%-19s  %-19s  %-8s  %-11s  %-8s  %-5s  %s\n", sch, sta, played, r->status,
		       r->campaign, rule, r->title[0] ? r->title : r->item);
		if (r->makegood_of[0])
			printf("%51s make-good of %s\n", "", r->makegood_of);
		if (r->note[0])
			printf("%51s %s\n", "", r->note);
	}
	printf("\nComplete plays:");
	if (l->n_totals == 0)
		printf(" none");
	for (size_t i = 0; i < l->n_totals; i++)
		printf("%s %s %lld", i ? "," : "", l->totals[i].campaign,
		       (long long)l->totals[i].complete);
	printf("\nMissed items: %lld, quota shortfalls: %lld\n", (long long)l->missed,
	       (long long)l->shortfalls);
	printf("Chain head: seq %lld, %s\n", (long long)l->head_seq, l->head);
}

/* ---- CSV (RFC 4180: CRLF, quotes doubled, quoted when needed) ---- */

static void csv_field(const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	fputs(last ? "\r\n" : ",", stdout);
}

static void out_csv(const struct log *l)
{
	static const char *const head[] = { "seq",     "kind",     "item",        "scheduled",
		                            "started", "played_s", "title",       "campaign",
		                            "rule",    "status",   "makegood_of", "note" };
	for (size_t i = 0; i < 12; i++)
		csv_field(head[i], i == 11);
	for (size_t i = 0; i < l->n; i++) {
		const struct log_row *r = &l->rows[i];
		char seq[24], sch[20], sta[20], played[32] = "", rule[24] = "";
		snprintf(seq, sizeof(seq), "%lld", (long long)r->seq);
		fmt_time(r->scheduled, sch);
		fmt_time(r->started, sta);
		if (!strcmp(r->what, "play"))
			snprintf(played, sizeof(played), "%lld.%03lld",
			         (long long)(r->played_ms / 1000),
			         (long long)(r->played_ms % 1000));
		if (r->rule)
			snprintf(rule, sizeof(rule), "%lld", (long long)r->rule);
		const char *f[] = { seq,  r->what,   r->item,        sch,
			            sta,  played,    r->title,       r->campaign,
			            rule, r->status, r->makegood_of, r->note };
		for (size_t j = 0; j < 12; j++)
			csv_field(f[j], j == 11);
	}
}

/* ---- HTML (one self-contained page, A4) ---- */

static void html_text(const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", stdout);
			break;
		case '<':
			fputs("&lt;", stdout);
			break;
		case '>':
			fputs("&gt;", stdout);
			break;
		case '"':
			fputs("&quot;", stdout);
			break;
		case '\'':
			fputs("&#39;", stdout);
			break;
		default:
			putchar(*s);
		}
	}
}

static void html_cell(const char *s)
{
	fputs("<td>", stdout);
	html_text(s);
	fputs("</td>", stdout);
}

static void out_html(const struct log *l)
{
	char mon[11], sun[11], sch[20], sta[20], played[16], rule[24];
	week_dates(l, mon, sun);
	printf("<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\n<title>");
	html_text(l->name);
	printf(" %04d-W%02d</title>\n<style>\n"
	       "@page { size: A4; margin: 15mm; }\n"
	       "body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10pt; }\n"
	       "table { border-collapse: collapse; width: 100%%; }\n"
	       "th, td { border: 1px solid #444; padding: 2px 4px; text-align: left;"
	       " vertical-align: top; }\n"
	       "thead { display: table-header-group; } tr { page-break-inside: avoid; }\n"
	       ".sign { margin-top: 20mm; display: flex; justify-content: space-around;"
	       " text-align: center; }\n"
	       ".head { font-family: monospace; font-size: 8pt; word-break: break-all; }\n"
	       "</style></head><body>\n<h1>",
	       l->iso_year, l->iso_week);
	html_text(l->name);
	printf("</h1>\n<p>Station <b>");
	html_text(l->station);
	printf("</b>. As-played log, week %04d-W%02d: Monday %s to Sunday %s.</p>\n", l->iso_year,
	       l->iso_week, mon, sun);
	printf("<table><thead><tr><th>Scheduled</th><th>Started</th><th>Played</th>"
	       "<th>Status</th><th>Campaign</th><th>Rule</th><th>Title</th>"
	       "<th>Make-good of</th><th>Note</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < l->n; i++) {
		const struct log_row *r = &l->rows[i];
		fmt_time(r->scheduled, sch);
		fmt_time(r->started, sta);
		played[0] = rule[0] = '\0';
		if (!strcmp(r->what, "play"))
			time_fmt_length(r->played_ms, played, sizeof(played));
		if (r->rule)
			snprintf(rule, sizeof(rule), "%lld", (long long)r->rule);
		printf("<tr class=\"%s\">", r->what);
		html_cell(sch);
		html_cell(sta);
		html_cell(played);
		html_cell(r->status);
		html_cell(r->campaign);
		html_cell(rule);
		html_cell(r->title[0] ? r->title : r->item);
		html_cell(r->makegood_of);
		html_cell(r->note);
		printf("</tr>\n");
	}
	printf("</tbody></table>\n<p>Complete plays:");
	if (l->n_totals == 0)
		printf(" none");
	for (size_t i = 0; i < l->n_totals; i++) {
		printf("%s ", i ? "," : "");
		html_text(l->totals[i].campaign);
		printf(" %lld", (long long)l->totals[i].complete);
	}
	printf(". Missed items: %lld. Quota shortfalls: %lld.</p>\n", (long long)l->missed,
	       (long long)l->shortfalls);
	printf("<p class=\"head\">Chain head: seq %lld, %s</p>\n", (long long)l->head_seq, l->head);
	printf("<div class=\"sign\"><div>Người lập biểu<br><br><br><br>"
	       "(ký, ghi rõ họ tên)</div><div>Trưởng đài<br><br><br><br>"
	       "(ký, ghi rõ họ tên, đóng dấu)</div></div>\n</body></html>\n");
}

/* ---- JSON ---- */

static int out_json(const struct log *l, struct ap_err *e)
{
	char mon[11], sun[11], week[16];
	week_dates(l, mon, sun);
	snprintf(week, sizeof(week), "%04d-W%02d", l->iso_year, l->iso_week);
	json_t *rows = json_array(), *totals = json_object();
	for (size_t i = 0; rows && totals && i < l->n; i++) {
		const struct log_row *r = &l->rows[i];
		json_array_append_new(
		    rows,
		    json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:s}", "seq",
		              (json_int_t)r->seq, "kind", r->what, "item", r->item, "scheduled",
		              (json_int_t)r->scheduled, "started", (json_int_t)r->started,
		              "played_ms", (json_int_t)r->played_ms, "title", r->title, "campaign",
		              r->campaign, "rule", (json_int_t)r->rule, "status", r->status,
		              "makegood_of", r->makegood_of, "note", r->note));
	}
	for (size_t i = 0; totals && i < l->n_totals; i++)
		json_object_set_new(totals, l->totals[i].campaign,
		                    json_integer(l->totals[i].complete));
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:s}", "station",
	                      l->station, "name", l->name, "week", week, "monday", mon, "sunday",
	                      sun, "rows", rows, "complete", totals, "missed",
	                      (json_int_t)l->missed, "shortfalls", (json_int_t)l->shortfalls,
	                      "head_seq", (json_int_t)l->head_seq, "head", l->head);
	char *text = o ? json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!text)
		return ap_err_internal(e, "log: cannot build JSON (out of memory)");
	printf("%s\n", text);
	free(text);
	return AP_OK;
}

static int read_log(struct cli *c, struct store *st, struct log *l)
{
	uint8_t head[PROOF_HASH_LEN];
	int rc;
	if ((rc = store_meta_get(st, "station_id", l->station, sizeof(l->station), &c->err)) ||
	    (rc = store_meta_get(st, "name", l->name, sizeof(l->name), &c->err)) ||
	    (rc = store_proof_head(st, &l->head_seq, head, &c->err)))
		return rc;
	hex_encode(head, PROOF_HASH_LEN, l->head);
	rc = store_proofs_log(st, l->from, l->to, add_row, l, &c->err);
	if (rc && l->err.msg[0])
		c->err = l->err;
	return rc;
}

CMD(log)
{
	static const struct option opts[] = {
		{ "week", required_argument, 0, 'w' },
		{ "format", required_argument, 0, 'f' },
		{ 0, 0, 0, 0 },
	};
	const char *week = NULL, *format = "text";
	struct store *st;
	int o, rc;

	if (cli_wants_help(argc, argv))
		return cli_usage(log_usage);
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'w')
			week = optarg;
		else if (o == 'f')
			format = optarg;
		else
			return cli_bad_usage(c, "log", "unknown or incomplete option '%s'",
			                     argv[optind - 1]);
	}
	if (optind < argc)
		return cli_bad_usage(c, "log", "unexpected argument '%s'", argv[optind]);
	if (c->json)
		format = "json";
	if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "html") &&
	    strcmp(format, "json"))
		return cli_bad_usage(c, "log", "--format must be text, csv, html or json, not '%s'",
		                     format);
	struct log *l = calloc(1, sizeof(*l));
	if (!l)
		return ap_err_internal(&c->err, "out of memory");
	if ((rc = cli_open_station(c, &st)))
		goto out;
	/* The zone is the station's from here on (cli_open_station). */
	if (week) {
		if ((rc = iso_week_parse(week, &l->iso_year, &l->iso_week, &c->err))) {
			rc = cli_bad_usage(c, "log", "%s", c->err.msg);
			store_close(st);
			goto out;
		}
		iso_week_range(l->iso_year, l->iso_week, &l->from, &l->to);
	} else {
		struct ltime lt;
		time_to_local(time_now_ms(), &lt);
		iso_week_of(lt.year, lt.month, lt.day, &l->iso_year, &l->iso_week);
		iso_week_range(l->iso_year, l->iso_week, &l->from, &l->to);
	}
	rc = read_log(c, st, l);
	store_close(st);
	if (rc)
		goto out;
	if (!strcmp(format, "csv"))
		out_csv(l);
	else if (!strcmp(format, "html"))
		out_html(l);
	else if (!strcmp(format, "json"))
		rc = out_json(l, &c->err);
	else
		out_text(l);
out:
	free(l->rows);
	free(l);
	return rc;
}
