/* Proof records <-> payload bytes (format v1, DESIGN.md "Proofs").
 *
 * The encoder writes compact UTF-8 JSON (Vietnamese stays readable, no
 * \u escapes) in one fixed key order, reals rounded to 2 decimals. The
 * parser is strict: it is what the hub runs on bytes from outside, so
 * anything the encoder would not have written is refused. The encoder runs
 * its own output through the parser, so a station never signs a record its
 * hub would refuse. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "config/config.h"
#include "proof/json_strict.h"
#include "proof/proof.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

static const char *const statuses[] = { "complete", "interrupted", "failed", NULL };

/* Event names are checked for shape, not against a list: a station that
 * learns a new event (disk_full, manifest...) must never write a proof an
 * older hub refuses, because a refused proof blocks every later one. The hub
 * gives meaning to the names it knows and shows the others as they are. */
static int event_name_ok(const char *s)
{
	if (*s < 'a' || *s > 'z')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* ---- encoding ---- */

/* Adds key -> value, taking the reference; a NULL value (json_string on bad
 * UTF-8, json_real on NaN) is reported by name. */
static int put(json_t *o, const char *key, json_t *value, struct ap_err *e)
{
	if (!value)
		return ap_err_user(
		    e, "proof field '%s': not valid UTF-8 text or not a finite number", key);
	if (json_object_set_new(o, key, value))
		return ap_err_internal(e, "proof field '%s': out of memory", key);
	return AP_OK;
}

/* Two decimals: enough for dB and LUFS, and %.15g of the rounded value
 * prints the short decimal that parses back to the same double. */
static json_t *real2(double x)
{
	if (!isfinite(x) || fabs(x) > 1e9)
		return NULL;
	return json_real(round(x * 100.0) / 100.0);
}

static int encode_play(json_t *o, const struct proof_record *r, struct ap_err *e)
{
	int rc;
	if ((rc = put(o, "item", json_string(r->item), e)) ||
	    (rc = put(o, "rule", r->rule ? json_integer(r->rule) : json_null(), e)) ||
	    (rc = put(o, "scheduled", json_integer(r->scheduled), e)) ||
	    (rc = put(o, "started", json_integer(r->started), e)) ||
	    (rc = put(o, "ended", json_integer(r->ended), e)) ||
	    (rc = put(o, "clip", json_string(r->clip), e)) ||
	    (rc = put(o, "title", json_string(r->title), e)) ||
	    (rc = put(o, "campaign", json_string(r->campaign), e)) ||
	    (rc = put(o, "lang", json_string(r->lang), e)))
		return rc;
	if (r->approved_by[0] && (rc = put(o, "approved_by", json_string(r->approved_by), e)))
		return rc;
	if ((rc = put(o, "frames_expected", json_integer(r->frames_expected), e)) ||
	    (rc = put(o, "frames_played", json_integer(r->frames_played), e)) ||
	    (rc = put(o, "rate", json_integer(r->rate), e)) ||
	    (rc = put(o, "channels", json_integer(r->channels), e)) ||
	    (rc = put(o, "gain_db", real2(r->gain_db), e)) ||
	    (rc = put(o, "loudness_lufs", real2(r->loudness_lufs), e)) ||
	    (rc = put(o, "pcm_sha256", json_string(r->pcm_sha256), e)) ||
	    (rc = put(o, "driver", json_string(r->driver), e)) ||
	    (rc = put(o, "output", json_string(r->output), e)) ||
	    (rc = put(o, "status", json_string(r->status), e)))
		return rc;
	if (r->error[0] && (rc = put(o, "error", json_string(r->error), e)))
		return rc;
	if (r->makegood_of[0] && (rc = put(o, "makegood_of", json_string(r->makegood_of), e)))
		return rc;
	return AP_OK;
}

int proof_encode(const struct proof_record *rec, char **out, size_t *len, struct ap_err *e)
{
	json_t *o = json_object();
	int rc;
	*out = NULL;
	*len = 0;
	if (!o)
		return ap_err_internal(e, "proof: out of memory");
	const char *kind = rec->kind == PROOF_PLAY    ? "play"
	                   : rec->kind == PROOF_EVENT ? "event"
	                                              : "";
	if ((rc = put(o, "v", json_integer(rec->v), e)) ||
	    (rc = put(o, "station", json_string(rec->station), e)) ||
	    (rc = put(o, "seq", json_integer(rec->seq), e)) ||
	    (rc = put(o, "prev", json_string(rec->prev), e)) ||
	    (rc = put(o, "kind", json_string(kind), e)) ||
	    (rc = put(o, "at", json_integer(rec->at), e)) ||
	    (rc = put(o, "mono_ms", json_integer(rec->mono_ms), e)) ||
	    (rc = put(o, "clock_synced", json_boolean(rec->clock_synced), e)))
		goto out;
	if (rec->kind == PROOF_PLAY)
		rc = encode_play(o, rec, e);
	else if ((rc = put(o, "event", json_string(rec->event), e)) == AP_OK)
		rc = put(o, "detail", json_string(rec->detail), e);
	if (rc)
		goto out;

	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	if (!text) {
		rc = ap_err_internal(e, "proof: out of memory");
		goto out;
	}
	size_t n = strlen(text);
	/* Never sign what a verifier would refuse. */
	struct proof_record *check = malloc(sizeof(*check));
	if (!check) {
		free(text);
		rc = ap_err_internal(e, "proof: out of memory");
		goto out;
	}
	rc = proof_parse(text, n, check, e);
	free(check);
	if (rc) {
		free(text);
		ap_err_prefix(e, "proof seq %lld cannot be encoded", (long long)rec->seq);
		goto out;
	}
	*out = text;
	*len = n;
out:
	json_decref(o);
	return rc;
}

/* ---- strict parsing ---- */

static int bad(struct ap_err *e, const char *key, const char *why)
{
	return ap_err_user(e, "proof field '%s': %s", key, why);
}

static int get_int(struct js_object *o, const char *key, int64_t min, int64_t max, int64_t *out,
                   struct ap_err *e)
{
	const struct js_field *v = js_get(o, key);
	if (!v)
		return bad(e, key, "missing");
	if (v->type != JS_INTEGER)
		return bad(e, key, "not an integer");
	if (v->integer < min || v->integer > max)
		return bad(e, key, "out of range");
	*out = v->integer;
	return AP_OK;
}

static int get_int32(struct js_object *o, const char *key, int min, int max, int *out,
                     struct ap_err *e)
{
	int64_t x = 0;
	int rc = get_int(o, key, min, max, &x, e);
	if (!rc)
		*out = (int)x;
	return rc;
}

static int get_str(struct js_object *o, const char *key, char *out, size_t cap, struct ap_err *e)
{
	const struct js_field *v = js_get(o, key);
	if (!v)
		return bad(e, key, "missing");
	if (v->type != JS_STRING)
		return bad(e, key, "not a string");
	if (v->str_len >= cap)
		return bad(e, key, "too long");
	memcpy(out, v->str, v->str_len + 1);
	return AP_OK;
}

/* An optional string: absent means "", present must be non-empty. */
static int get_opt_str(struct js_object *o, const char *key, char *out, size_t cap, int *present,
                       struct ap_err *e)
{
	*present = js_get(o, key) != NULL;
	out[0] = '\0';
	if (!*present)
		return AP_OK;
	int rc = get_str(o, key, out, cap, e);
	if (!rc && !out[0])
		return bad(e, key, "present but empty");
	return rc;
}

static int get_hex(struct js_object *o, const char *key, char *out, struct ap_err *e)
{
	int rc = get_str(o, key, out, SHA256_HEX_LEN + 1, e);
	if (rc)
		return rc;
	if (strlen(out) != SHA256_HEX_LEN || !hex_is_lower(out, SHA256_HEX_LEN))
		return bad(e, key, "not 64 lowercase hex digits");
	return AP_OK;
}

static int get_real(struct js_object *o, const char *key, double *out, struct ap_err *e)
{
	const struct js_field *v = js_get(o, key);
	if (!v)
		return bad(e, key, "missing");
	if (v->type != JS_REAL)
		return bad(e, key, "not a real number");
	*out = v->real;
	return AP_OK;
}

static int get_nonempty(struct js_object *o, const char *key, char *out, size_t cap,
                        struct ap_err *e)
{
	int rc = get_str(o, key, out, cap, e);
	if (!rc && !out[0])
		return bad(e, key, "empty");
	return rc;
}

#define T_MAX INT64_C(4102444800000) /* 2100-01-01: a sane bound on instants */

static int parse_play(struct js_object *o, struct proof_record *r, size_t *known, struct ap_err *e)
{
	int rc, present;
	const struct js_field *rule = js_get(o, "rule");
	if (!rule)
		return bad(e, "rule", "missing");
	if (rule->type == JS_NULL)
		r->rule = 0;
	else if ((rc = get_int(o, "rule", 1, INT64_MAX, &r->rule, e)))
		return rc;
	if ((rc = get_nonempty(o, "item", r->item, sizeof(r->item), e)) ||
	    (rc = get_int(o, "scheduled", 0, T_MAX, &r->scheduled, e)) ||
	    (rc = get_int(o, "started", 0, T_MAX, &r->started, e)) ||
	    (rc = get_int(o, "ended", 0, T_MAX, &r->ended, e)) ||
	    (rc = get_hex(o, "clip", r->clip, e)) ||
	    (rc = get_str(o, "title", r->title, sizeof(r->title), e)) ||
	    (rc = get_str(o, "campaign", r->campaign, sizeof(r->campaign), e)) ||
	    (rc = get_str(o, "lang", r->lang, sizeof(r->lang), e)) ||
	    (rc = get_int(o, "frames_expected", 0, INT64_MAX, &r->frames_expected, e)) ||
	    (rc = get_int(o, "frames_played", 0, INT64_MAX, &r->frames_played, e)) ||
	    (rc = get_int32(o, "rate", 1, 1000000, &r->rate, e)) ||
	    (rc = get_int32(o, "channels", 1, 64, &r->channels, e)) ||
	    (rc = get_real(o, "gain_db", &r->gain_db, e)) ||
	    (rc = get_real(o, "loudness_lufs", &r->loudness_lufs, e)) ||
	    (rc = get_hex(o, "pcm_sha256", r->pcm_sha256, e)) ||
	    (rc = get_str(o, "driver", r->driver, sizeof(r->driver), e)) ||
	    (rc = get_str(o, "output", r->output, sizeof(r->output), e)) ||
	    (rc = get_str(o, "status", r->status, sizeof(r->status), e)))
		return rc;
	*known += 19; /* the required play fields above */
	if (!in_list(r->status, statuses))
		return bad(e, "status", "not complete, interrupted or failed");
	if ((rc = get_opt_str(o, "approved_by", r->approved_by, sizeof(r->approved_by), &present,
	                      e)))
		return rc;
	*known += (size_t)present;
	if ((rc = get_opt_str(o, "error", r->error, sizeof(r->error), &present, e)))
		return rc;
	*known += (size_t)present;
	if (present && !strcmp(r->status, "complete"))
		return bad(e, "error", "present on a complete play");
	if ((rc = get_opt_str(o, "makegood_of", r->makegood_of, sizeof(r->makegood_of), &present,
	                      e)))
		return rc;
	*known += (size_t)present;
	return AP_OK;
}

/* Names the first key the parser did not read, for the refusal. */
static int unknown_field(struct js_object *o, const char *const *known_keys, struct ap_err *e)
{
	for (int i = 0; i < o->n_fields; i++)
		if (!in_list(o->fields[i].key, known_keys))
			return ap_err_user(e, "proof field '%.64s': unknown", o->fields[i].key);
	return ap_err_user(e, "proof: unknown fields");
}

static const char *const play_keys[] = {
	"v",
	"station",
	"seq",
	"prev",
	"kind",
	"at",
	"mono_ms",
	"clock_synced",
	"item",
	"rule",
	"scheduled",
	"started",
	"ended",
	"clip",
	"title",
	"campaign",
	"lang",
	"approved_by",
	"frames_expected",
	"frames_played",
	"rate",
	"channels",
	"gain_db",
	"loudness_lufs",
	"pcm_sha256",
	"driver",
	"output",
	"status",
	"error",
	"makegood_of",
	NULL,
};
static const char *const event_keys[] = {
	"v",       "station",      "seq",   "prev",   "kind", "at",
	"mono_ms", "clock_synced", "event", "detail", NULL,
};

static int parse_object(struct js_object *o, struct proof_record *r, struct ap_err *e)
{
	int64_t v;
	char kind[8];
	int rc;
	size_t known = 8;
	if ((rc = get_int(o, "v", INT64_MIN, INT64_MAX, &v, e)))
		return rc;
	if (v != 1)
		return bad(e, "v", "unknown format version");
	r->v = 1;
	const struct js_field *synced = js_get(o, "clock_synced");
	if ((rc = get_str(o, "station", r->station, sizeof(r->station), e)))
		return rc;
	if (!config_station_id_valid(r->station))
		return bad(e, "station", "not a valid station id");
	if ((rc = get_int(o, "seq", 1, INT64_MAX, &r->seq, e)) ||
	    (rc = get_hex(o, "prev", r->prev, e)) ||
	    (rc = get_str(o, "kind", kind, sizeof(kind), e)) ||
	    (rc = get_int(o, "at", 0, T_MAX, &r->at, e)) ||
	    (rc = get_int(o, "mono_ms", 0, INT64_MAX, &r->mono_ms, e)))
		return rc;
	if (!synced)
		return bad(e, "clock_synced", "missing");
	if (synced->type != JS_TRUE && synced->type != JS_FALSE)
		return bad(e, "clock_synced", "not true or false");
	r->clock_synced = synced->type == JS_TRUE;
	if (r->seq == 1 && strcmp(r->prev, ZERO_HASH) != 0)
		return bad(e, "prev", "not zeros on the first record");

	if (!strcmp(kind, "play")) {
		r->kind = PROOF_PLAY;
		rc = parse_play(o, r, &known, e);
	} else if (!strcmp(kind, "event")) {
		r->kind = PROOF_EVENT;
		if ((rc = get_str(o, "event", r->event, sizeof(r->event), e)) ||
		    (rc = get_str(o, "detail", r->detail, sizeof(r->detail), e)))
			return rc;
		if (!event_name_ok(r->event))
			return bad(e, "event", "not a lowercase event name");
		known += 2;
	} else {
		return bad(e, "kind", "not play or event");
	}
	if (rc)
		return rc;
	if ((size_t)o->n_fields != known)
		return unknown_field(o, r->kind == PROOF_PLAY ? play_keys : event_keys, e);
	return AP_OK;
}

int proof_parse(const char *payload, size_t len, struct proof_record *rec, struct ap_err *e)
{
	struct js_object o;
	memset(rec, 0, sizeof(*rec));
	if (len > PROOF_MAX_PAYLOAD)
		return ap_err_user(e, "proof: payload of %zu bytes is over the %d-byte limit", len,
		                   PROOF_MAX_PAYLOAD);
	int rc = js_parse_object(payload, len, &o, e);
	if (!rc)
		rc = parse_object(&o, rec, e);
	if (rc)
		memset(rec, 0, sizeof(*rec));
	return rc;
}
