/* Compliance reports: a stations x weeks grid built from the weekly
 * rollups (store_hub_week_rollup) with the quota policies applied here, rendered as CSV, JSON or
 * HTML; the dashboard is the same grid with links. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/aptime.h"
#include "hub/hub.h"
#include "hub/hub_internal.h"
#include "store/store.h"

struct build_ctx {
	struct hub_report *r;
	struct hub_week_facts *facts;
	const struct hub_policy **policy; /* per station, NULL: none */
	char (*clips)[65];                /* the catalogue, sorted */
	size_t n_clips;
	int64_t late_ms;
	const struct hub_report_station *last; /* rows come grouped by station */
};

static int week_index(const struct hub_report *r, int key)
{
	int lo = 0, hi = r->range.n_weeks - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (r->weeks[mid] == key)
			return mid;
		if (r->weeks[mid] < key)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int cmp_station(const void *key, const void *elem)
{
	return strcmp(key, ((const struct hub_report_station *)elem)->id);
}

static int cmp_clip(const void *key, const void *elem)
{
	return strcmp(key, elem);
}

/* One rollup row into its station-week's facts (stations are sorted by id,
 * as the store lists them). */
static int add_rollup(void *ctx, const struct store_hub_rollup *x)
{
	struct build_ctx *b = ctx;
	const struct hub_report_station *s = b->last;
	if (!s || strcmp(s->id, x->station) != 0)
		s = b->last =
		    bsearch(x->station, b->r->stations, b->r->n_stations, sizeof(*s), cmp_station);
	int w = week_index(b->r, x->week);
	if (!s || w < 0)
		return AP_OK;
	size_t i = (size_t)(s - b->r->stations);
	struct hub_week_facts *f = &b->facts[i * (size_t)b->r->range.n_weeks + (size_t)w];
	const struct hub_policy *p = b->policy[i];
	switch (x->kind) {
	case STORE_HUB_ROLLUP_WEEK:
		f->proofs += x->proofs;
		f->clock_steps += x->clock_steps;
		f->late |= x->late_ms > b->late_ms;
		break;
	case STORE_HUB_ROLLUP_PLAYS:
		f->plays += x->plays;
		f->unsynced_plays += x->unsynced;
		if (p && hub_policy_counts(p, x->campaign, x->local_min))
			f->plays_counted += x->complete;
		if (b->n_clips && x->clip[0] &&
		    !bsearch(x->clip, b->clips, b->n_clips, sizeof(*b->clips), cmp_clip))
			f->unknown_clips += x->plays;
		break;
	case STORE_HUB_ROLLUP_REFUSALS:
		f->chain_breaks += x->chain_breaks;
		f->seq_gaps += x->seq_gaps;
		break;
	}
	return AP_OK;
}

void hub_report_free(struct hub_report *r)
{
	if (!r)
		return;
	free(r->weeks);
	free(r->stations);
	free(r->cells);
	free(r);
}

/* Every station, or only `one` (its rows alone are read). */
static int build(struct store *st, const struct hub_config *cfg, const struct hub_range *range,
                 const char *one, struct hub_report **out, struct ap_err *e)
{
	struct store_hub_station *sts = NULL;
	size_t n = 0;
	struct build_ctx b = { .late_ms = (int64_t)cfg->late_days * MS_PER_DAY };
	int rc;
	if (one) {
		sts = malloc(sizeof(*sts));
		if (!sts)
			return ap_err_internal(e, "out of memory");
		n = 1;
		rc = store_hub_station_get(st, one, sts, e);
	} else {
		rc = store_hub_station_list(st, &sts, &n, e);
	}
	if (!rc)
		rc = store_hub_clip_hashes(st, &b.clips, &b.n_clips, e);
	if (rc) {
		free(sts);
		return rc;
	}
	struct hub_report *r = calloc(1, sizeof(*r));
	size_t nw = (size_t)range->n_weeks;
	b.policy = calloc(n ? n : 1, sizeof(*b.policy));
	if (r) {
		r->range = *range;
		r->n_stations = n;
		r->weeks = calloc(nw, sizeof(int));
		r->stations = calloc(n ? n : 1, sizeof(*r->stations));
		r->cells = calloc(n * nw + 1, sizeof(*r->cells));
		b.facts = calloc(n * nw + 1, sizeof(*b.facts));
	}
	if (!r || !b.policy || !r->weeks || !r->stations || !r->cells || !b.facts) {
		rc = ap_err_internal(e, "out of memory for a report of %zu stations", n);
		goto out;
	}
	b.r = r;
	int key = range->first_week;
	for (size_t w = 0; w < nw; w++, key = hub_week_key_next(key))
		r->weeks[w] = key;
	for (size_t i = 0; i < n; i++) {
		struct hub_report_station *s = &r->stations[i];
		snprintf(s->id, sizeof(s->id), "%s", sts[i].id);
		snprintf(s->name, sizeof(s->name), "%s", sts[i].name);
		snprintf(s->group, sizeof(s->group), "%s", sts[i].group);
		s->last_seen_ms = sts[i].last_seen_ms;
		b.policy[i] = hub_policy_for(cfg, sts[i].id, sts[i].group);
	}
	rc = store_hub_week_rollup(st, one, range->first_week, range->last_week, add_rollup, &b, e);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++) {
		for (size_t w = 0; w < nw; w++) {
			struct hub_cell *c = &r->cells[i * nw + w];
			hub_assess(&b.facts[i * nw + w], b.policy[i], c);
			r->stations[i].counts[c->status]++;
		}
	}
out:
	free(sts);
	free(b.clips);
	free(b.policy);
	free(b.facts);
	if (rc) {
		hub_report_free(r);
		return rc;
	}
	*out = r;
	return AP_OK;
}

int hub_report_build(struct store *st, const struct hub_config *cfg, const struct hub_range *range,
                     int64_t now_ms, struct hub_report **out, struct ap_err *e)
{
	(void)now_ms;
	return build(st, cfg, range, NULL, out, e);
}

int hub_report_build_station(struct store *st, const struct hub_config *cfg,
                             const struct hub_range *range, const char *station,
                             struct hub_report **out, struct ap_err *e)
{
	return build(st, cfg, range, station, out, e);
}

int hub_format_parse(const char *s, enum hub_format *f, struct ap_err *e)
{
	if (!s || !strcmp(s, "json"))
		*f = HUB_FMT_JSON;
	else if (!strcmp(s, "csv"))
		*f = HUB_FMT_CSV;
	else if (!strcmp(s, "html"))
		*f = HUB_FMT_HTML;
	else
		return ap_err_user(e, "format '%s' is not csv, json or html", s);
	return AP_OK;
}

static void week_dates(int key, char from[11], char to[11])
{
	int64_t a, b;
	hub_week_key_bounds(key, &a, &b);
	time_fmt_date(a, from);
	time_fmt_date(b - 1, to);
}

/* Written straight into the buffer: a year of a province is 52,000 cells,
 * too many small objects to build as a jansson tree first. */
static void render_json(const struct hub_report *r, struct hub_sb *b)
{
	char wk[16], x[11], y[11];
	hub_sb_put(b, "{\"range\":");
	hub_sb_json(b, r->range.label);
	hub_sb_put(b, ",\"weeks\":[");
	for (int w = 0; w < r->range.n_weeks; w++) {
		hub_week_key_fmt(r->weeks[w], wk);
		week_dates(r->weeks[w], x, y);
		hub_sb_printf(b, "%s{\"week\":\"%s\",\"from\":\"%s\",\"to\":\"%s\"}", w ? "," : "",
		              wk, x, y);
	}
	hub_sb_put(b, "],\"stations\":[");
	for (size_t i = 0; i < r->n_stations; i++) {
		const struct hub_report_station *s = &r->stations[i];
		hub_sb_put(b, i ? ",{\"id\":" : "{\"id\":");
		hub_sb_json(b, s->id);
		hub_sb_put(b, ",\"name\":");
		hub_sb_json(b, s->name);
		hub_sb_put(b, ",\"group\":");
		hub_sb_json(b, s->group);
		hub_sb_printf(b,
		              ",\"compliant\":%d,\"short\":%d,\"suspect\":%d,\"no_data\":%d,"
		              "\"weeks\":[",
		              s->counts[HUB_COMPLIANT], s->counts[HUB_SHORT],
		              s->counts[HUB_SUSPECT], s->counts[HUB_NO_DATA]);
		for (int w = 0; w < r->range.n_weeks; w++) {
			const struct hub_cell *c =
			    &r->cells[i * (size_t)r->range.n_weeks + (size_t)w];
			hub_week_key_fmt(r->weeks[w], wk);
			hub_sb_printf(b,
			              "%s{\"week\":\"%s\",\"status\":\"%s\",\"plays\":%lld,"
			              "\"required\":%d,\"reasons\":[",
			              w ? "," : "", wk, hub_status_name(c->status),
			              (long long)c->plays_counted, c->required);
			int first = 1;
			for (int k = 0; k < HUB_N_REASONS; k++)
				if (c->reasons & (1u << k)) {
					hub_sb_printf(b, "%s\"%s\"", first ? "" : ",",
					              hub_reason_name(1u << k));
					first = 0;
				}
			hub_sb_put(b, "]}");
		}
		hub_sb_put(b, "]}");
	}
	hub_sb_put(b, "]}");
}

static void render_csv(const struct hub_report *r, struct hub_sb *b)
{
	char wk[16], reasons[160], from[11], to[11];
	hub_sb_put(b, "station,name,group,week,from,to,status,plays,required,reasons\r\n");
	for (size_t i = 0; i < r->n_stations; i++) {
		const struct hub_report_station *s = &r->stations[i];
		for (int w = 0; w < r->range.n_weeks; w++) {
			const struct hub_cell *c =
			    &r->cells[i * (size_t)r->range.n_weeks + (size_t)w];
			hub_week_key_fmt(r->weeks[w], wk);
			week_dates(r->weeks[w], from, to);
			hub_reasons_fmt(c->reasons, reasons, sizeof(reasons));
			hub_sb_csv(b, s->id);
			hub_sb_put(b, ",");
			hub_sb_csv(b, s->name);
			hub_sb_put(b, ",");
			hub_sb_csv(b, s->group);
			hub_sb_printf(b, ",%s,%s,%s,%s,%lld,%d,", wk, from, to,
			              hub_status_name(c->status), (long long)c->plays_counted,
			              c->required);
			hub_sb_csv(b, reasons);
			hub_sb_put(b, "\r\n");
		}
	}
}

/* The grid: one row per station, one cell per week; links when asked. */
static void render_grid(const struct hub_report *r, struct hub_sb *b, int links)
{
	char wk[16], reasons[160], from[11], to[11];
	hub_sb_put(b, "<table>\n<tr><th>Station</th><th>Group</th>");
	for (int w = 0; w < r->range.n_weeks; w++) {
		hub_week_key_fmt(r->weeks[w], wk);
		week_dates(r->weeks[w], from, to);
		hub_sb_printf(b, "<th title=\"%s-%s\">%s</th>", from, to, wk + 5);
	}
	hub_sb_put(b, "<th>OK</th><th>Short</th><th>Suspect</th><th>No data</th></tr>\n");
	for (size_t i = 0; i < r->n_stations; i++) {
		const struct hub_report_station *s = &r->stations[i];
		hub_sb_put(b, "<tr><td>");
		hub_sb_html(b, s->name);
		hub_sb_put(b, "<br><small>");
		hub_sb_html(b, s->id);
		hub_sb_put(b, "</small></td><td>");
		hub_sb_html(b, s->group);
		hub_sb_put(b, "</td>");
		for (int w = 0; w < r->range.n_weeks; w++) {
			const struct hub_cell *c =
			    &r->cells[i * (size_t)r->range.n_weeks + (size_t)w];
			hub_week_key_fmt(r->weeks[w], wk);
			hub_reasons_fmt(c->reasons, reasons, sizeof(reasons));
			hub_sb_printf(b, "<td class=\"%s\" title=\"%s %s\">",
			              hub_status_name(c->status), hub_status_name(c->status),
			              reasons);
			if (links)
				hub_sb_printf(b,
				              "<a href=\"/v1/stations/%s/weeks/%s?format=html\">",
				              s->id, wk);
			hub_sb_printf(b, "%lld/%d", (long long)c->plays_counted, c->required);
			hub_sb_put(b, links ? "</a></td>" : "</td>");
		}
		hub_sb_printf(b, "<td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>\n",
		              s->counts[HUB_COMPLIANT], s->counts[HUB_SHORT],
		              s->counts[HUB_SUSPECT], s->counts[HUB_NO_DATA]);
	}
	hub_sb_put(b, "</table>\n<p>Cells: complete plays counted / required. "
	              "Green compliant, orange short, red suspect, grey no data.</p>\n");
}

int hub_report_render(const struct hub_report *r, enum hub_format f, char **out, size_t *len,
                      struct ap_err *e)
{
	struct hub_sb b = { 0 };
	char title[128];
	*out = NULL;
	switch (f) {
	case HUB_FMT_JSON:
		render_json(r, &b);
		*out = hub_sb_take(&b, len);
		break;
	case HUB_FMT_CSV:
		render_csv(r, &b);
		*out = hub_sb_take(&b, len);
		break;
	case HUB_FMT_HTML:
		snprintf(title, sizeof(title), "CCHC airtime report %s", r->range.label);
		hub_html_head(&b, title);
		render_grid(r, &b, 0);
		hub_html_foot(&b);
		*out = hub_sb_take(&b, len);
		break;
	}
	return *out ? AP_OK : ap_err_internal(e, "out of memory rendering a report");
}

int hub_dashboard_render(const struct hub_report *r, char **out, size_t *len, struct ap_err *e)
{
	struct hub_sb b = { 0 };
	char title[128];
	snprintf(title, sizeof(title), "airproof hub: weekly CCHC airtime %s", r->range.label);
	hub_html_head(&b, title);
	render_grid(r, &b, 1);
	hub_sb_put(&b, "<p><a href=\"/v1/report?format=csv&amp;from=");
	char a[16], z[16];
	hub_week_key_fmt(r->range.first_week, a);
	hub_week_key_fmt(r->range.last_week, z);
	hub_sb_printf(&b, "%s&amp;to=%s\">CSV</a> &middot; <a href=\"/metrics\">metrics</a></p>\n",
	              a, z);
	hub_html_foot(&b);
	*out = hub_sb_take(&b, len);
	return *out ? AP_OK : ap_err_internal(e, "out of memory rendering the dashboard");
}
