/* The clip library's rows: insert, look up by id or prefix, list, approve,
 * remove. Files live in the media store (media/); this is only the index. */
#include "store/store_internal.h"

#include <stdlib.h>
#include <string.h>

#define CLIP_COLUMNS                                                                        \
	"id, import_seq, title, campaign, lang, source_name, source_format, source_bytes, " \
	"source_rate, source_channels, source_frames, rate, channels, frames, "             \
	"render_sha256, loudness_lufs, true_peak_dbtp, gain_db, valid_from, valid_until, "  \
	"approved_by, approved_ms, added_ms, removed_ms"

static void read_row(sqlite3_stmt *s, struct store_clip *c)
{
	memset(c, 0, sizeof(*c));
	store_col_text(s, 0, c->id, sizeof(c->id));
	c->import_seq = sqlite3_column_int64(s, 1);
	store_col_text(s, 2, c->title, sizeof(c->title));
	store_col_text(s, 3, c->campaign, sizeof(c->campaign));
	store_col_text(s, 4, c->lang, sizeof(c->lang));
	store_col_text(s, 5, c->source_name, sizeof(c->source_name));
	store_col_text(s, 6, c->source_format, sizeof(c->source_format));
	c->source_bytes = sqlite3_column_int64(s, 7);
	c->source_rate = sqlite3_column_int(s, 8);
	c->source_channels = sqlite3_column_int(s, 9);
	c->source_frames = sqlite3_column_int64(s, 10);
	c->rate = sqlite3_column_int(s, 11);
	c->channels = sqlite3_column_int(s, 12);
	c->frames = sqlite3_column_int64(s, 13);
	store_col_text(s, 14, c->render_sha256, sizeof(c->render_sha256));
	c->loudness_lufs = sqlite3_column_double(s, 15);
	c->true_peak_dbtp = sqlite3_column_double(s, 16);
	c->gain_db = sqlite3_column_double(s, 17);
	store_col_text(s, 18, c->valid_from, sizeof(c->valid_from));
	store_col_text(s, 19, c->valid_until, sizeof(c->valid_until));
	store_col_text(s, 20, c->approved_by, sizeof(c->approved_by));
	c->approved_ms = sqlite3_column_int64(s, 21);
	c->added_ms = sqlite3_column_int64(s, 22);
	c->removed_ms = sqlite3_column_int64(s, 23);
}

static const char *or_null(const char *s)
{
	return s && *s ? s : NULL;
}

/* Binds the facts shared by insert and restore, from parameter first on. */
static void bind_facts(sqlite3_stmt *s, int first, const struct store_clip *c)
{
	int i = first;
	store_bind_text(s, i++, c->title);
	store_bind_text(s, i++, c->campaign);
	store_bind_text(s, i++, c->lang);
	store_bind_text(s, i++, c->source_name);
	store_bind_text(s, i++, c->source_format);
	sqlite3_bind_int64(s, i++, c->source_bytes);
	sqlite3_bind_int(s, i++, c->source_rate);
	sqlite3_bind_int(s, i++, c->source_channels);
	sqlite3_bind_int64(s, i++, c->source_frames);
	sqlite3_bind_int(s, i++, c->rate);
	sqlite3_bind_int(s, i++, c->channels);
	sqlite3_bind_int64(s, i++, c->frames);
	store_bind_text(s, i++, c->render_sha256);
	sqlite3_bind_double(s, i++, c->loudness_lufs);
	sqlite3_bind_double(s, i++, c->true_peak_dbtp);
	sqlite3_bind_double(s, i++, c->gain_db);
	store_bind_text(s, i++, or_null(c->valid_from));
	store_bind_text(s, i++, or_null(c->valid_until));
	sqlite3_bind_int64(s, i++, c->added_ms);
}

int store_clip_insert(struct store *st, struct store_clip *c, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_prepare(st, "SELECT coalesce(max(import_seq), 0) + 1 FROM clips", &s, e);
	if (rc)
		return rc;
	if (sqlite3_step(s) != SQLITE_ROW) {
		rc = store_fail(st, e, "next import_seq");
		sqlite3_finalize(s);
		return rc;
	}
	c->import_seq = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);

	rc = store_prepare(st,
	                   "INSERT INTO clips(id, import_seq, title, campaign, lang, source_name, "
	                   "source_format, source_bytes, source_rate, source_channels, "
	                   "source_frames, rate, channels, frames, render_sha256, loudness_lufs, "
	                   "true_peak_dbtp, gain_db, valid_from, valid_until, added_ms) "
	                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	                   &s, e);
	if (rc)
		return rc;
	store_bind_text(s, 1, c->id);
	sqlite3_bind_int64(s, 2, c->import_seq);
	bind_facts(s, 3, c);
	int step = sqlite3_step(s);
	if (step == SQLITE_CONSTRAINT)
		rc = ap_err_user(e, "clip %.12s is already in the library", c->id);
	else if (step != SQLITE_DONE)
		rc = store_fail(st, e, "insert clip");
	sqlite3_finalize(s);
	return rc;
}

int store_clip_restore(struct store *st, const struct store_clip *c, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc =
	    store_prepare(st,
	                  "UPDATE clips SET title = ?, campaign = ?, lang = ?, source_name = ?, "
	                  "source_format = ?, source_bytes = ?, source_rate = ?, "
	                  "source_channels = ?, source_frames = ?, rate = ?, channels = ?, "
	                  "frames = ?, render_sha256 = ?, loudness_lufs = ?, "
	                  "true_peak_dbtp = ?, gain_db = ?, valid_from = ?, valid_until = ?, "
	                  "added_ms = ?, approved_by = NULL, approved_ms = NULL, "
	                  "removed_ms = NULL WHERE id = ? AND removed_ms IS NOT NULL",
	                  &s, e);
	if (rc)
		return rc;
	bind_facts(s, 1, c);
	store_bind_text(s, 20, c->id);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_fail(st, e, "restore clip");
	else if (sqlite3_changes(st->db) != 1)
		rc = ap_err_user(e, "clip %.12s is already in the library", c->id);
	sqlite3_finalize(s);
	return rc;
}

static int prefix_ok(const char *p)
{
	size_t n = strlen(p);
	if (n < 8 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

int store_clip_get(struct store *st, const char *id_or_prefix, struct store_clip *out,
                   struct ap_err *e)
{
	char lower[65];
	size_t n = strlen(id_or_prefix);
	if (n > 64)
		n = 65; /* too long: refused below */
	for (size_t i = 0; i < n && i < 64; i++) {
		char ch = id_or_prefix[i];
		lower[i] = (ch >= 'A' && ch <= 'F') ? (char)(ch - 'A' + 'a') : ch;
	}
	lower[n < 64 ? n : 64] = '\0';
	if (n > 64 || !prefix_ok(lower))
		return ap_err_user(e, "'%s' is not a clip id (give at least 8 of its hex digits)",
		                   id_or_prefix);
	sqlite3_stmt *s;
	/* substr() compare keeps the prefix a literal, unlike LIKE or GLOB. */
	int rc = store_prepare(st,
	                       "SELECT " CLIP_COLUMNS " FROM clips "
	                       "WHERE substr(id, 1, length(?1)) = ?1 ORDER BY import_seq LIMIT 2",
	                       &s, e);
	if (rc)
		return rc;
	store_bind_text(s, 1, lower);
	int found = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (found++ == 0)
			read_row(s, out);
	}
	if (step != SQLITE_DONE)
		rc = store_fail(st, e, "read clip");
	else if (found == 0)
		rc = ap_err_user(e, "no clip %s in the library", id_or_prefix);
	else if (found > 1)
		rc = ap_err_user(e, "clip id prefix %s is ambiguous; give more digits",
		                 id_or_prefix);
	sqlite3_finalize(s);
	return rc;
}

int store_clip_exists(struct store *st, const char *id, int64_t *removed_ms, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_prepare(st, "SELECT coalesce(removed_ms, 0) FROM clips WHERE id = ?", &s, e);
	if (rc)
		return rc;
	store_bind_text(s, 1, id);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		if (removed_ms)
			*removed_ms = sqlite3_column_int64(s, 0);
		rc = 1;
	} else if (step == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = store_fail(st, e, "read clip");
	}
	sqlite3_finalize(s);
	return rc;
}

int store_clip_list(struct store *st, const char *campaign, int include_removed,
                    struct store_clip **out, size_t *n, struct ap_err *e)
{
	sqlite3_stmt *s;
	*out = NULL;
	*n = 0;
	int rc = store_prepare(st,
	                       "SELECT " CLIP_COLUMNS " FROM clips "
	                       "WHERE (?1 IS NULL OR campaign = ?1) "
	                       "AND (?2 OR removed_ms IS NULL) ORDER BY import_seq",
	                       &s, e);
	if (rc)
		return rc;
	store_bind_text(s, 1, campaign);
	sqlite3_bind_int(s, 2, include_removed ? 1 : 0);
	size_t cap = 0;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct store_clip *p = realloc(*out, ncap * sizeof(*p));
			if (!p) {
				rc = ap_err_internal(e, "out of memory");
				break;
			}
			*out = p;
			cap = ncap;
		}
		read_row(s, &(*out)[(*n)++]);
	}
	if (!rc && step != SQLITE_DONE)
		rc = store_fail(st, e, "list clips");
	sqlite3_finalize(s);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int store_clip_approve(struct store *st, const char *id, const char *by, int64_t at_ms,
                       struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_prepare(st,
	                       "UPDATE clips SET approved_by = ?, approved_ms = ? "
	                       "WHERE id = ? AND removed_ms IS NULL",
	                       &s, e);
	if (rc)
		return rc;
	store_bind_text(s, 1, by);
	sqlite3_bind_int64(s, 2, at_ms);
	store_bind_text(s, 3, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_fail(st, e, "approve clip");
	else if (sqlite3_changes(st->db) != 1)
		rc = ap_err_user(e, "no clip %.12s in the library", id);
	sqlite3_finalize(s);
	return rc;
}

static int referenced(struct store *st, const char *id, struct ap_err *e)
{
	sqlite3_stmt *s;
	int rc = store_prepare(st,
	                       "SELECT EXISTS(SELECT 1 FROM proofs WHERE clip = ?1) "
	                       "OR EXISTS(SELECT 1 FROM rules WHERE clip = ?1)",
	                       &s, e);
	if (rc)
		return rc;
	store_bind_text(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = sqlite3_column_int(s, 0) ? 1 : 0;
	else
		rc = store_fail(st, e, "check clip references");
	sqlite3_finalize(s);
	return rc;
}

int store_clip_remove(struct store *st, const char *id, int64_t now_ms, int *kept, struct ap_err *e)
{
	int ref = referenced(st, id, e);
	if (ref < 0)
		return ref;
	sqlite3_stmt *s;
	int rc = store_prepare(st,
	                       ref ? "UPDATE clips SET removed_ms = ?2 WHERE id = ?1 "
	                             "AND removed_ms IS NULL"
	                           : "DELETE FROM clips WHERE id = ?1",
	                       &s, e);
	if (rc)
		return rc;
	store_bind_text(s, 1, id);
	if (ref)
		sqlite3_bind_int64(s, 2, now_ms);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_fail(st, e, "remove clip");
	else if (sqlite3_changes(st->db) != 1)
		rc = ap_err_user(e, "no clip %.12s in the library", id);
	sqlite3_finalize(s);
	*kept = ref;
	return rc;
}
