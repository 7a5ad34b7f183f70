/* One station's week for a verifier: its status with reasons, every play
 * and event (seq order) and every refusal, as JSON or HTML. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/aptime.h"
#include "hub/hub.h"
#include "hub/hub_internal.h"
#include "store/store.h"

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static int record_json(void *ctx, const struct store_hub_record *r)
{
	json_t *o = json_pack("{s:I,s:s,s:I,s:I,s:b}", "seq", (json_int_t)r->seq, "kind",
	                      or_empty(r->kind), "at", (json_int_t)r->at_ms, "received",
	                      (json_int_t)r->received_ms, "clock_synced", r->clock_synced);
	if (!o)
		return AP_EINTERNAL;
	if (r->item)
		json_object_set_new(o, "item", json_string(r->item));
	if (r->kind && !strcmp(r->kind, "play")) {
		json_object_set_new(o, "clip", json_string(or_empty(r->clip)));
		json_object_set_new(o, "campaign", json_string(or_empty(r->campaign)));
		json_object_set_new(o, "status", json_string(or_empty(r->status)));
		json_object_set_new(o, "started", json_integer(r->started_ms));
		json_object_set_new(o, "ended", json_integer(r->ended_ms));
		json_object_set_new(o, "known_clip", json_boolean(r->known_clip));
	} else {
		json_object_set_new(o, "event", json_string(or_empty(r->event)));
		if (r->detail)
			json_object_set_new(o, "detail", json_string(r->detail));
	}
	json_array_append_new(ctx, o);
	return AP_OK;
}

static int rejection_json(void *ctx, const char *reason, int64_t seq, int64_t count)
{
	json_array_append_new(ctx, json_pack("{s:s,s:I,s:I}", "reason", reason, "seq",
	                                     (json_int_t)seq, "count", (json_int_t)count));
	return AP_OK;
}

static int record_html(void *ctx, const struct store_hub_record *r)
{
	struct hub_sb *b = ctx;
	char when[20], start[20] = "", end[20] = "";
	time_fmt_datetime_s(r->at_ms, when);
	if (r->started_ms)
		time_fmt_datetime_s(r->started_ms, start);
	if (r->ended_ms)
		time_fmt_datetime_s(r->ended_ms, end);
	int is_play = r->kind && !strcmp(r->kind, "play");
	hub_sb_printf(b, "<tr><td>%lld</td><td>%s</td><td>", (long long)r->seq, when);
	hub_sb_html(b, or_empty(r->kind));
	hub_sb_put(b, "</td><td>");
	hub_sb_html(b, is_play ? or_empty(r->status) : or_empty(r->event));
	hub_sb_printf(b, "</td><td>%s</td><td>%s</td><td>", start, end);
	hub_sb_html(b, or_empty(r->campaign));
	/* the full id on hover; 12 hex digits identify a clip in practice */
	hub_sb_put(b, "</td><td><code title=\"");
	hub_sb_html(b, or_empty(r->clip));
	hub_sb_printf(b, "\">%.12s</code></td><td>", or_empty(r->clip));
	if (!r->clock_synced)
		hub_sb_put(b, "clock not synchronised ");
	if (is_play && !r->known_clip)
		hub_sb_put(b, "unknown clip ");
	if (!is_play && r->detail)
		hub_sb_html(b, r->detail);
	hub_sb_put(b, "</td></tr>\n");
	return AP_OK;
}

struct rejections_html {
	struct hub_sb *b;
	int n;
};

static int rejection_html(void *ctx, const char *reason, int64_t seq, int64_t count)
{
	struct rejections_html *rj = ctx;
	struct hub_sb *b = rj->b;
	rj->n++;
	hub_sb_printf(b, "<li>seq %lld: ", (long long)seq);
	hub_sb_html(b, reason);
	hub_sb_printf(b, " (%lld times)</li>\n", (long long)count);
	return AP_OK;
}

int hub_station_week_render(struct store *st, const struct hub_config *cfg, const char *station,
                            int week, enum hub_format f, char **out, size_t *len, struct ap_err *e)
{
	struct store_hub_station s;
	int rc = store_hub_station_get(st, station, &s, e);
	if (rc)
		return rc;
	/* The status comes from the same code as every report, for this
	 * station's rows only. */
	struct hub_range r = { week, week, 1, "" };
	struct hub_report *rep = NULL;
	if ((rc = hub_report_build_station(st, cfg, &r, station, &rep, e)))
		return rc;
	struct hub_cell cell = rep->cells[0];
	hub_report_free(rep);

	char wk[16], reasons[160], from[11], to[11];
	int64_t a, z;
	hub_week_key_fmt(week, wk);
	hub_week_key_bounds(week, &a, &z);
	time_fmt_date(a, from);
	time_fmt_date(z - 1, to);
	hub_reasons_fmt(cell.reasons, reasons, sizeof(reasons));
	*out = NULL;
	if (f == HUB_FMT_HTML) {
		struct hub_sb b = { 0 };
		char title[400];
		snprintf(title, sizeof(title), "%s, week %s (%s-%s)", s.name, wk, from, to);
		hub_html_head(&b, title);
		hub_sb_printf(&b,
		              "<p>Station <code>%s</code>, status <b>%s</b>, %lld/%d plays "
		              "counted. Flags: %s</p>\n<table><tr><th>Seq</th><th>Recorded</th>"
		              "<th>Kind</th><th>Status/event</th><th>Started</th><th>Ended</th>"
		              "<th>Campaign</th><th>Clip</th><th>Notes</th></tr>\n",
		              s.id, hub_status_name(cell.status), (long long)cell.plays_counted,
		              cell.required, reasons[0] ? reasons : "none");
		rc = store_hub_week_records(st, station, week, record_html, &b, e);
		hub_sb_put(&b, "</table>\n<h2>Refused records</h2><ul>\n");
		struct rejections_html rj = { &b, 0 };
		if (!rc)
			rc = store_hub_week_rejections(st, station, week, rejection_html, &rj, e);
		if (!rj.n)
			hub_sb_put(&b, "<li>none</li>\n");
		hub_sb_put(&b, "</ul><p><a href=\"/\">dashboard</a></p>\n");
		hub_html_foot(&b);
		*out = hub_sb_take(&b, len);
		if (rc) {
			free(*out);
			*out = NULL;
			return rc;
		}
	} else {
		json_t *recs = json_array(), *rejs = json_array(), *flags = json_array();
		for (int k = 0; k < HUB_N_REASONS; k++)
			if (cell.reasons & (1u << k))
				json_array_append_new(flags, json_string(hub_reason_name(1u << k)));
		rc = store_hub_week_records(st, station, week, record_json, recs, e);
		if (!rc)
			rc = store_hub_week_rejections(st, station, week, rejection_json, rejs, e);
		json_t *root = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:i,s:o,s:o,s:o}", "station",
		                         s.id, "name", s.name, "week", wk, "from", from, "to", to,
		                         "status", hub_status_name(cell.status), "plays",
		                         (json_int_t)cell.plays_counted, "required", cell.required,
		                         "flags", flags, "records", recs, "rejected", rejs);
		if (!rc && root)
			*out = json_dumps(root, JSON_COMPACT);
		json_decref(root);
		if (rc)
			return rc;
		if (*out)
			*len = strlen(*out);
	}
	return *out ? AP_OK : ap_err_internal(e, "out of memory rendering a week");
}
