/* Compliance reports: a stations x weeks grid built from one aggregated
 * pass (store_hub_week_facts), rendered as CSV, JSON or HTML; the
 * dashboard is the same grid with links. */
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

static int add_facts(void *ctx, const struct store_hub_facts *f)
{
	struct build_ctx *b = ctx;
	int w = week_index(b->r, f->week);
	if (w < 0 || f->idx >= b->r->n_stations)
		return AP_OK;
	struct hub_week_facts *c = &b->facts[f->idx * (size_t)b->r->range.n_weeks + (size_t)w];
	c->proofs += f->proofs;
	c->plays_counted += f->plays_counted;
	c->plays += f->plays;
	c->unsynced_plays += f->unsynced_plays;
	c->clock_steps += f->clock_steps;
	c->unknown_clips += f->unknown_clips;
	c->late += f->late;
	c->chain_breaks += f->chain_breaks;
	c->seq_gaps += f->seq_gaps;
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

int hub_report_build(struct store *st, const struct hub_config *cfg, const struct hub_range *range,
                     int64_t now_ms, struct hub_report **out, struct ap_err *e)
{
	(void)now_ms;
	struct store_hub_station *sts = NULL;
	size_t n = 0;
	int rc = store_hub_station_list(st, &sts, &n, e);
	if (rc)
		return rc;
	struct hub_report *r = calloc(1, sizeof(*r));
	struct store_hub_quota *q = calloc(n ? n : 1, sizeof(*q));
	struct hub_week_facts *facts = NULL;
	size_t nw = (size_t)range->n_weeks;
	if (r) {
		r->range = *range;
		r->n_stations = n;
		r->weeks = calloc(nw, sizeof(int));
		r->stations = calloc(n ? n : 1, sizeof(*r->stations));
		r->cells = calloc(n * nw + 1, sizeof(*r->cells));
		facts = calloc(n * nw + 1, sizeof(*facts));
	}
	if (!r || !q || !r->weeks || !r->stations || !r->cells || !facts) {
		rc = ap_err_internal(e, "out of memory for a report of %zu stations", n);
		goto out;
	}
	int key = range->first_week;
	for (size_t w = 0; w < nw; w++, key = hub_week_key_next(key))
		r->weeks[w] = key;
	for (size_t i = 0; i < n; i++) {
		struct hub_report_station *s = &r->stations[i];
		snprintf(s->id, sizeof(s->id), "%s", sts[i].id);
		snprintf(s->name, sizeof(s->name), "%s", sts[i].name);
		snprintf(s->group, sizeof(s->group), "%s", sts[i].group);
		s->last_seen_ms = sts[i].last_seen_ms;
		const struct hub_policy *p = hub_policy_for(cfg, sts[i].id, sts[i].group);
		q[i] = (struct store_hub_quota){ i, s->id, p ? p->campaign : NULL,
			                         p ? p->win_start : -1, p ? p->win_end : -1 };
	}
	struct build_ctx b = { r, facts };
	rc = store_hub_week_facts(st, q, n, range->first_week, range->last_week,
	                          (int64_t)cfg->late_days * MS_PER_DAY, add_facts, &b, e);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct hub_policy *p = hub_policy_for(cfg, sts[i].id, sts[i].group);
		for (size_t w = 0; w < nw; w++) {
			struct hub_cell *c = &r->cells[i * nw + w];
			hub_assess(&facts[i * nw + w], p, c);
			r->stations[i].counts[c->status]++;
		}
	}
out:
	free(sts);
	free(q);
	free(facts);
	if (rc) {
		hub_report_free(r);
		return rc;
	}
	*out = r;
	return AP_OK;
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

static char *render_json(const struct hub_report *r, size_t *len)
{
	json_t *root = json_object(), *weeks = json_array(), *stations = json_array();
	char wk[16], a[11], b[11];
	for (int w = 0; w < r->range.n_weeks; w++) {
		hub_week_key_fmt(r->weeks[w], wk);
		week_dates(r->weeks[w], a, b);
		json_array_append_new(weeks,
		                      json_pack("{s:s,s:s,s:s}", "week", wk, "from", a, "to", b));
	}
	for (size_t i = 0; i < r->n_stations; i++) {
		const struct hub_report_station *s = &r->stations[i];
		json_t *cells = json_array();
		for (int w = 0; w < r->range.n_weeks; w++) {
			const struct hub_cell *c =
			    &r->cells[i * (size_t)r->range.n_weeks + (size_t)w];
			json_t *rs = json_array();
			for (int k = 0; k < HUB_N_REASONS; k++)
				if (c->reasons & (1u << k))
					json_array_append_new(
					    rs, json_string(hub_reason_name(1u << k)));
			hub_week_key_fmt(r->weeks[w], wk);
			json_array_append_new(cells,
			                      json_pack("{s:s,s:s,s:I,s:i,s:o}", "week", wk,
			                                "status", hub_status_name(c->status),
			                                "plays", (json_int_t)c->plays_counted,
			                                "required", c->required, "reasons", rs));
		}
		json_array_append_new(stations, json_pack("{s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:o}", "id",
		                                          s->id, "name", s->name, "group", s->group,
		                                          "compliant", s->counts[HUB_COMPLIANT],
		                                          "short", s->counts[HUB_SHORT], "suspect",
		                                          s->counts[HUB_SUSPECT], "no_data",
		                                          s->counts[HUB_NO_DATA], "weeks", cells));
	}
	json_object_set_new(root, "range", json_string(r->range.label));
	json_object_set_new(root, "weeks", weeks);
	json_object_set_new(root, "stations", stations);
	char *text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (text)
		*len = strlen(text);
	return text;
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
		*out = render_json(r, len);
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
