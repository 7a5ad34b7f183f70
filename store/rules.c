/* Rules and their quota windows, and the one loader that gathers what the
 * scheduler needs (rules, clips, recent history) from the station
 * database. The clips and proofs tables belong to other files; this one
 * only reads them, through its own queries. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/aptime.h"
#include "store/store_internal.h"

static const char *kind_name(enum sched_rule_kind k)
{
	return k == SCHED_ONCE ? "once" : k == SCHED_WEEKLY ? "weekly" : "quota";
}

static void bind_opt_int(sqlite3_stmt *s, int idx, int set, int64_t v)
{
	if (set)
		sqlite3_bind_int64(s, idx, v);
	else
		sqlite3_bind_null(s, idx);
}

int store_rule_add(struct store *st, struct sched_rule *r, const char *label, struct ap_err *e)
{
	sqlite3_stmt *s = NULL;
	char date[16];
	int rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = store_prepare(st,
	                   "INSERT INTO rules(kind, clip, campaign, once_date, days, minute, quota,"
	                   " label, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                   &s, e);
	if (rc)
		goto fail;
	snprintf(date, sizeof(date), "%04d-%02d-%02d", r->once_year % 10000, r->once_month % 100,
	         r->once_day % 100);
	store_bind_text(s, 1, kind_name(r->kind));
	store_bind_text(s, 2, r->clip[0] ? r->clip : NULL);
	store_bind_text(s, 3, r->campaign[0] ? r->campaign : NULL);
	store_bind_text(s, 4, r->kind == SCHED_ONCE ? date : NULL);
	bind_opt_int(s, 5, r->kind == SCHED_WEEKLY, r->days);
	bind_opt_int(s, 6, r->kind != SCHED_QUOTA, r->minute);
	bind_opt_int(s, 7, r->kind == SCHED_QUOTA, r->quota);
	store_bind_text(s, 8, label && *label ? label : NULL);
	sqlite3_bind_int64(s, 9, r->created_ms);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = store_fail(st, e, "add rule");
		goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	r->id = sqlite3_last_insert_rowid(st->db);
	if ((rc = store_prepare(st,
	                        "INSERT INTO rule_windows(rule_id, days, start_min, end_min)"
	                        " VALUES (?, ?, ?, ?)",
	                        &s, e)))
		goto fail;
	for (int i = 0; i < r->n_windows; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, r->id);
		sqlite3_bind_int(s, 2, (int)r->windows[i].days);
		sqlite3_bind_int(s, 3, r->windows[i].start_min);
		sqlite3_bind_int(s, 4, r->windows[i].end_min);
		if (sqlite3_step(s) != SQLITE_DONE) {
			rc = store_fail(st, e, "add rule window");
			goto fail;
		}
	}
	sqlite3_finalize(s);
	return store_commit(st, e);
fail:
	sqlite3_finalize(s);
	store_rollback(st);
	return rc;
}

static int load_windows(struct store *st, struct store_rule *list, size_t n, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_prepare(st,
	                       "SELECT rule_id, days, start_min, end_min FROM rule_windows"
	                       " ORDER BY rule_id, rowid",
	                       &s, e);
	if (rc)
		return rc;
	size_t j = 0;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		while (j < n && list[j].r.id < id)
			j++;
		if (j == n || list[j].r.id != id || list[j].r.n_windows >= SCHED_MAX_WINDOWS)
			continue;
		struct sched_window *w = &list[j].r.windows[list[j].r.n_windows++];
		w->days = (unsigned)sqlite3_column_int(s, 1);
		w->start_min = sqlite3_column_int(s, 2);
		w->end_min = sqlite3_column_int(s, 3);
	}
	if (step != SQLITE_DONE)
		rc = store_fail(st, e, "read rule windows");
	sqlite3_finalize(s);
	return rc;
}

int store_rules_list(struct store *st, int with_removed, struct store_rule **out, size_t *n,
                     struct ap_err *e)
{
	sqlite3_stmt *s;
	*out = NULL;
	*n = 0;
	int rc = store_prepare(st,
	                       "SELECT id, kind, clip, campaign, once_date, days, minute, quota,"
	                       " label, created_ms, removed_ms FROM rules"
	                       " WHERE ? OR removed_ms IS NULL ORDER BY id",
	                       &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int(s, 1, with_removed);
	size_t cap = 0;
	struct store_rule *list = NULL;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct store_rule *p = realloc(list, cap * sizeof(*list));
			if (!p) {
				rc = ap_err_internal(e, "out of memory");
				break;
			}
			list = p;
		}
		struct store_rule *x = &list[(*n)++];
		memset(x, 0, sizeof(*x));
		char kind[16], date[16];
		x->r.id = sqlite3_column_int64(s, 0);
		store_col_text(s, 1, kind, sizeof(kind));
		x->r.kind = !strcmp(kind, "once")     ? SCHED_ONCE
		            : !strcmp(kind, "weekly") ? SCHED_WEEKLY
		                                      : SCHED_QUOTA;
		store_col_text(s, 2, x->r.clip, sizeof(x->r.clip));
		store_col_text(s, 3, x->r.campaign, sizeof(x->r.campaign));
		store_col_text(s, 4, date, sizeof(date));
		if (sscanf(date, "%d-%d-%d", &x->r.once_year, &x->r.once_month, &x->r.once_day) !=
		    3)
			x->r.once_year = x->r.once_month = x->r.once_day = 0;
		x->r.days = (unsigned)sqlite3_column_int(s, 5);
		x->r.minute = sqlite3_column_int(s, 6);
		x->r.quota = sqlite3_column_int(s, 7);
		store_col_text(s, 8, x->label, sizeof(x->label));
		x->r.created_ms = sqlite3_column_int64(s, 9);
		x->removed_ms = sqlite3_column_int64(s, 10);
	}
	if (!rc && step != SQLITE_DONE)
		rc = store_fail(st, e, "read rules");
	sqlite3_finalize(s);
	if (!rc)
		rc = load_windows(st, list, *n, e);
	if (rc) {
		free(list);
		*out = NULL;
		*n = 0;
		return rc;
	}
	*out = list;
	return AP_OK;
}

void store_rules_free(struct store_rule *list)
{
	free(list);
}

int store_rule_remove(struct store *st, int64_t id, int64_t now, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_begin(st, e);
	if (rc)
		return rc;
	if ((rc = store_prepare(
	         st, "UPDATE rules SET removed_ms = ? WHERE id = ? AND removed_ms IS NULL", &s,
	         e))) {
		store_rollback(st);
		return rc;
	}
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_fail(st, e, "remove rule");
	else if (sqlite3_changes(st->db) == 0)
		rc = ap_err_user(e, "no rule %lld (see 'airproof rule list')", (long long)id);
	sqlite3_finalize(s);
	if (rc) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, e);
}

int store_rule_clip_resolve(struct store *st, const char *prefix, char out[65], struct ap_err *e)
{
	size_t len = strlen(prefix);
	if (len < 4 || len > 64 || strspn(prefix, "0123456789abcdef") != len)
		return ap_err_user(e, "'%s' is not a clip id (4 to 64 lowercase hex characters)",
		                   prefix);
	sqlite3_stmt *s;
	int rc = store_prepare(st,
	                       "SELECT id FROM clips WHERE substr(id, 1, ?) = ?"
	                       " AND removed_ms IS NULL ORDER BY id LIMIT 2",
	                       &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int(s, 1, (int)len);
	store_bind_text(s, 2, prefix);
	int found = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if (found++ == 0)
			store_col_text(s, 0, out, 65);
	if (step != SQLITE_DONE)
		rc = store_fail(st, e, "find clip");
	else if (found == 0)
		rc = ap_err_user(e, "no clip %s in the library (see 'airproof clip list')", prefix);
	else if (found > 1)
		rc = ap_err_user(e, "clip id %s is ambiguous; give more characters", prefix);
	sqlite3_finalize(s);
	return rc;
}

int store_campaign_clip_count(struct store *st, const char *campaign, int *n, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_prepare(
	    st, "SELECT count(*) FROM clips WHERE campaign = ? AND removed_ms IS NULL", &s, e);
	if (rc)
		return rc;
	store_bind_text(s, 1, campaign);
	if (sqlite3_step(s) == SQLITE_ROW)
		*n = sqlite3_column_int(s, 0);
	else
		rc = store_fail(st, e, "count clips");
	sqlite3_finalize(s);
	return rc;
}

/* ---- the scheduler's inputs ---- */

static int64_t day_or(const char *text, int64_t open)
{
	int y, m, d;
	if (sscanf(text, "%d-%d-%d", &y, &m, &d) != 3)
		return open;
	return days_from_civil(y, m, d);
}

static int load_clips(struct store *st, struct store_sched_data *d, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_prepare(st,
	                       "SELECT id, campaign, title, import_seq, frames, rate, valid_from,"
	                       " valid_until, approved_by IS NOT NULL, removed_ms IS NOT NULL,"
	                       " (SELECT max(started_ms) FROM proofs p WHERE p.clip = clips.id"
	                       "  AND p.kind = 'play')"
	                       " FROM clips ORDER BY id",
	                       &s, e);
	if (rc)
		return rc;
	size_t cap = 0;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (d->n_clips == cap) {
			cap = cap ? cap * 2 : 64;
			struct sched_clip *p = realloc(d->clips, cap * sizeof(*p));
			if (!p) {
				rc = ap_err_internal(e, "out of memory");
				break;
			}
			d->clips = p;
		}
		struct sched_clip *k = &d->clips[d->n_clips++];
		char date[16];
		memset(k, 0, sizeof(*k));
		store_col_text(s, 0, k->id, sizeof(k->id));
		store_col_text(s, 1, k->campaign, sizeof(k->campaign));
		store_col_text(s, 2, k->title, sizeof(k->title));
		k->import_seq = sqlite3_column_int64(s, 3);
		int64_t frames = sqlite3_column_int64(s, 4), rate = sqlite3_column_int64(s, 5);
		k->duration_ms = rate > 0 ? frames * 1000 / rate : 0;
		store_col_text(s, 6, date, sizeof(date));
		k->valid_from_day = day_or(date, INT64_MIN);
		store_col_text(s, 7, date, sizeof(date));
		k->valid_until_day = day_or(date, INT64_MAX);
		k->approved = sqlite3_column_int(s, 8);
		k->removed = sqlite3_column_int(s, 9);
		k->last_aired_ms = sqlite3_column_int64(s, 10);
	}
	if (!rc && step != SQLITE_DONE)
		rc = store_fail(st, e, "read clips");
	sqlite3_finalize(s);
	return rc;
}

static int load_history(struct store *st, int64_t since, struct store_sched_data *d,
                        struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_prepare(
	    st,
	    "SELECT item, rule_id, clip, campaign, coalesce(scheduled_ms, at_ms),"
	    " started_ms, coalesce(status, event, ''), makegood_of, ended_ms FROM proofs"
	    " WHERE item IS NOT NULL AND (kind = 'play' OR event IN"
	    " ('missed', 'shortfall')) AND (at_ms >= ?1 OR scheduled_ms >= ?1"
	    " OR started_ms >= ?1) ORDER BY seq",
	    &s, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, since);
	size_t cap = 0;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (d->n_history == cap) {
			cap = cap ? cap * 2 : 64;
			struct sched_done *p = realloc(d->history, cap * sizeof(*p));
			if (!p) {
				rc = ap_err_internal(e, "out of memory");
				break;
			}
			d->history = p;
		}
		struct sched_done *h = &d->history[d->n_history++];
		memset(h, 0, sizeof(*h));
		store_col_text(s, 0, h->item, sizeof(h->item));
		h->rule = sqlite3_column_int64(s, 1);
		store_col_text(s, 2, h->clip, sizeof(h->clip));
		store_col_text(s, 3, h->campaign, sizeof(h->campaign));
		h->scheduled_ms = sqlite3_column_int64(s, 4);
		h->started_ms = sqlite3_column_int64(s, 5);
		store_col_text(s, 6, h->status, sizeof(h->status));
		store_col_text(s, 7, h->makegood_of, sizeof(h->makegood_of));
		h->ended_ms = sqlite3_column_int64(s, 8);
	}
	if (!rc && step != SQLITE_DONE)
		rc = store_fail(st, e, "read history");
	sqlite3_finalize(s);
	return rc;
}

int store_sched_load(struct store *st, int64_t now, struct store_sched_data *d, struct ap_err *e)
{
	memset(d, 0, sizeof(*d));
	struct store_rule *list = NULL;
	size_t n = 0;
	int rc = store_rules_list(st, 0, &list, &n, e);
	if (!rc) {
		d->rules = calloc(n + 1, sizeof(*d->rules));
		if (!d->rules)
			rc = ap_err_internal(e, "out of memory");
		for (size_t i = 0; !rc && i < n; i++)
			d->rules[d->n_rules++] = list[i].r;
	}
	store_rules_free(list);
	/* From the previous ISO week's start, with a day to spare. */
	int64_t week_start, week_end;
	iso_week_bounds(now, &week_start, &week_end);
	int64_t since = week_start - 8 * MS_PER_DAY;
	if (!rc)
		rc = load_clips(st, d, e);
	if (!rc)
		rc = load_history(st, since, d, e);
	if (rc)
		store_sched_free(d);
	return rc;
}

void store_sched_free(struct store_sched_data *d)
{
	free(d->rules);
	free(d->clips);
	free(d->history);
	memset(d, 0, sizeof(*d));
}
