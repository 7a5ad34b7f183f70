/* hub_report_bench: the compliance report over a year of a province.
 *
 *   hub_report_bench prep CONFIG STATIONS WEEKS
 *       fill the (new, 'airproof-hub init') hub database of CONFIG with
 *       STATIONS stations x WEEKS ISO weeks ending 2026-W48: per station and
 *       week 7 complete plays (one a day, alternating between a morning and
 *       a prime-time slot; every fifth station misses two) and one
 *       heartbeat event, inserted through the store API
 *       (real v1 payloads; signatures are not checked by a report, so they
 *       are not made). Stations alternate groups commune / province.
 *   hub_report_bench run CONFIG WEEKS ROUNDS
 *       time hub_report_build (the aggregation) and hub_report_render (JSON)
 *       for the WEEKS weeks ending 2026-W48; prints best and median.
 *
 * Building the database is setup, not measured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/aptime.h"
#include "hub/hub.h"
#include "proof/proof.h"
#include "store/store.h"

#define LAST_WEEK 202648

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "hub_report_bench: %s: %s\n", what, why ? why : "failed");
	exit(2);
}

static int first_week_of(int weeks)
{
	int key = LAST_WEEK, y = key / 100, w = key % 100;
	for (int i = 1; i < weeks; i++) {
		if (--w < 1)
			w = iso_weeks_in_year(--y);
	}
	return y * 100 + w;
}

static void open_hub(const char *path, struct hub_config *cfg, struct store **st)
{
	struct ap_err e = { 0 };
	if (hub_config_load(path, 1, cfg, &e) || tz_use(cfg->timezone, &e) ||
	    store_open(cfg->db_path, STORE_HUB, 0, st, &e))
		die(path, e.msg);
}

/* One record and its store row; strings point into rec and payload. */
static void make_row(struct proof_record *r, const char *station, int64_t seq, int64_t when,
                     int play, int week, int64_t wend, char **payload, struct store_hub_proof *row)
{
	static const uint8_t zero[PROOF_SIG_LEN];
	struct ap_err e = { 0 };
	size_t len;
	memset(r, 0, sizeof(*r));
	r->v = 1;
	snprintf(r->station, sizeof(r->station), "%s", station);
	r->seq = seq;
	memset(r->prev, seq == 1 ? '0' : 'c', 64);
	r->at = when + 60000;
	r->mono_ms = seq;
	r->clock_synced = 1;
	if (play) {
		r->kind = PROOF_PLAY;
		snprintf(r->item, sizeof(r->item), "q3@%d#%lld", week, (long long)seq);
		r->rule = 3;
		r->scheduled = r->started = when;
		r->ended = when + 60000;
		memset(r->clip, 'a', 64);
		snprintf(r->title, sizeof(r->title), "Cải cách hành chính: dịch vụ công");
		snprintf(r->campaign, sizeof(r->campaign), "cchc");
		snprintf(r->lang, sizeof(r->lang), "vi");
		r->frames_expected = r->frames_played = 2880000;
		r->rate = 48000;
		r->channels = 2;
		r->loudness_lufs = -13.0;
		memset(r->pcm_sha256, 'b', 64);
		snprintf(r->driver, sizeof(r->driver), "alsa");
		snprintf(r->output, sizeof(r->output), "fm");
		snprintf(r->status, sizeof(r->status), "complete");
	} else {
		r->kind = PROOF_EVENT;
		snprintf(r->event, sizeof(r->event), "heartbeat");
		snprintf(r->detail, sizeof(r->detail), "up 168 h");
	}
	if (proof_encode(r, payload, &len, &e))
		die("encode", e.msg);
	struct ltime lt;
	time_to_local(when, &lt);
	*row = (struct store_hub_proof){
		.station = station,
		.seq = seq,
		.payload = *payload,
		.payload_len = len,
		.sig = zero,
		.hash = zero,
		.kind = play ? "play" : "event",
		.at_ms = r->at,
		.received_ms = r->at + 3600000,
		.item = play ? r->item : NULL,
		.clip = play ? r->clip : NULL,
		.campaign = play ? r->campaign : NULL,
		.status = play ? r->status : NULL,
		.event = play ? NULL : r->event,
		.started_ms = play ? r->started : 0,
		.ended_ms = play ? r->ended : 0,
		.clock_synced = 1,
		.week = week,
		.week_end_ms = wend,
		.local_min = play ? lt.hour * 60 + lt.min : -1,
	};
}

static int cmd_prep(char **argv)
{
	struct hub_config cfg;
	struct store *st;
	struct ap_err e = { 0 };
	int ns = atoi(argv[3]), nw = atoi(argv[4]);
	if (ns < 1 || nw < 1 || nw > 520)
		die("prep", "STATIONS >= 1, 1 <= WEEKS <= 520");
	open_hub(argv[2], &cfg, &st);
	size_t per = (size_t)nw * 8;
	struct proof_record *recs = malloc(per * sizeof(*recs));
	struct store_hub_proof *rows = malloc(per * sizeof(*rows));
	char **payloads = malloc(per * sizeof(*payloads));
	if (!recs || !rows || !payloads)
		die("prep", "out of memory");
	long long total = 0;
	for (int s = 0; s < ns; s++) {
		struct store_hub_station row = { 0 };
		snprintf(row.id, sizeof(row.id), "xa-report-%04d", s);
		snprintf(row.name, sizeof(row.name), "Xã báo cáo %d", s);
		snprintf(row.group, sizeof(row.group), "%s", s % 2 ? "province" : "commune");
		memset(row.pubkey, 'd', 64);
		size_t n = 0;
		int key = first_week_of(nw);
		for (int w = 0; w < nw; w++, key = hub_week_key_next(key)) {
			int y, m, d;
			int64_t wstart, wend;
			hub_week_key_bounds(key, &wstart, &wend);
			iso_week_monday(key / 100, key % 100, &y, &m, &d);
			int days = s % 5 == 4 ? 5 : 7;
			for (int day = 0; day < days; day++) {
				/* Two slots a station repeats: mornings and prime time. */
				int64_t when = day % 2 ? time_from_local(y, m, d, 7, s % 30, 0)
				                       : time_from_local(y, m, d, 19, s % 7, 12);
				when += day * MS_PER_DAY;
				make_row(&recs[n], row.id, (int64_t)n + 1, when, 1, key, wend,
				         &payloads[n], &rows[n]);
				n++;
			}
			make_row(&recs[n], row.id, (int64_t)n + 1, wstart + 3 * MS_PER_DAY, 0, key,
			         wend, &payloads[n], &rows[n]);
			n++;
		}
		if (store_begin(st, &e) || store_hub_station_add(st, &row, time_now_ms(), &e) ||
		    store_hub_proofs_insert(st, rows, n, &e) ||
		    store_hub_station_advance(st, row.id, (int64_t)n + 1, row.pubkey, time_now_ms(),
		                              &e) ||
		    store_commit(st, &e))
			die("insert", e.msg);
		for (size_t i = 0; i < n; i++)
			free(payloads[i]);
		total += (long long)n;
	}
	free(recs);
	free(rows);
	free(payloads);
	store_close(st);
	printf("stations=%d\nweeks=%d\nproofs=%lld\n", ns, nw, total);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cmd_run(char **argv)
{
	struct hub_config cfg;
	struct store *st;
	struct ap_err e = { 0 };
	int nw = atoi(argv[3]), rounds = atoi(argv[4]);
	if (nw < 1 || rounds < 1)
		die("run", "WEEKS and ROUNDS >= 1");
	open_hub(argv[2], &cfg, &st);
	struct hub_range r;
	char from[16], to[16];
	hub_week_key_fmt(first_week_of(nw), from);
	hub_week_key_fmt(LAST_WEEK, to);
	if (hub_range_parse(from, to, NULL, &r, &e))
		die("range", e.msg);
	double *build = calloc((size_t)rounds, sizeof(double));
	double *total = calloc((size_t)rounds, sizeof(double));
	size_t out_len = 0, cells = 0;
	int counts[4] = { 0 };
	for (int i = 0; i < rounds; i++) {
		struct hub_report *rep = NULL;
		char *text = NULL;
		double t0 = now_s();
		if (hub_report_build(st, &cfg, &r, time_now_ms(), &rep, &e))
			die("build", e.msg);
		double t1 = now_s();
		if (hub_report_render(rep, HUB_FMT_JSON, &text, &out_len, &e))
			die("render", e.msg);
		double t2 = now_s();
		build[i] = (t1 - t0) * 1000.0;
		total[i] = (t2 - t0) * 1000.0;
		cells = rep->n_stations * (size_t)rep->range.n_weeks;
		memset(counts, 0, sizeof(counts));
		for (size_t c = 0; c < cells; c++)
			counts[rep->cells[c].status]++;
		free(text);
		hub_report_free(rep);
	}
	store_close(st);
	qsort(build, (size_t)rounds, sizeof(double), cmp_double);
	qsort(total, (size_t)rounds, sizeof(double), cmp_double);
	printf("range=%s..%s\ncells=%zu\ncompliant=%d\nshort=%d\nsuspect=%d\nno_data=%d\n"
	       "json_bytes=%zu\nbuild_best_ms=%.1f\nbuild_median_ms=%.1f\n"
	       "total_best_ms=%.1f\ntotal_median_ms=%.1f\n",
	       from, to, cells, counts[HUB_COMPLIANT], counts[HUB_SHORT], counts[HUB_SUSPECT],
	       counts[HUB_NO_DATA], out_len, build[0], build[rounds / 2], total[0],
	       total[rounds / 2]);
	free(build);
	free(total);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "prep"))
		return cmd_prep(argv);
	if (argc == 5 && !strcmp(argv[1], "run"))
		return cmd_run(argv);
	fprintf(stderr, "usage: hub_report_bench prep CONFIG STATIONS WEEKS\n"
	                "       hub_report_bench run CONFIG WEEKS ROUNDS\n");
	return 1;
}
