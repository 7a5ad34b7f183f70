/* Ingest: the one code path for POST /v1/proofs and bundle imports. The
 * document is checked whole before the database is touched; then, inside
 * one BEGIN IMMEDIATE transaction, every proof goes through
 * proof_chain_next against the station's stored chain position, and the
 * accepted proofs and the new position are written together. The answer is
 * filled only after COMMIT, so the hub never reports a proof it has not
 * stored. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/aptime.h"
#include "common/hash.h"
#include "config/config.h"
#include "hub/hub.h"
#include "proof/proof.h"
#include "store/store.h"

#define BUNDLE_FORMAT "airproof-bundle-v1"

/* One proof of the document, checked for shape only. */
struct item {
	const char *payload;
	size_t len;
	uint8_t sig[PROOF_SIG_LEN];
};

/* An accepted proof waiting to be inserted, with its parsed copy. */
struct pending {
	struct proof_record rec;
	uint8_t hash[PROOF_HASH_LEN];
};

static int doc_shape(json_t *root, int bundle, const char **station, const char **pubkey,
                     struct item **items, size_t *n, struct ap_err *e)
{
	const char *key;
	json_t *v;
	*station = *pubkey = NULL;
	if (!json_is_object(root))
		return ap_err_user(e, "the document is not a JSON object");
	json_object_foreach(root, key, v)
	{
		if (!strcmp(key, "station") && json_is_string(v))
			*station = json_string_value(v);
		else if (!strcmp(key, "proofs") && json_is_array(v))
			continue;
		else if (bundle && !strcmp(key, "pubkey") && json_is_string(v))
			*pubkey = json_string_value(v);
		else if (bundle && !strcmp(key, "format") && json_is_string(v)) {
			if (strcmp(json_string_value(v), BUNDLE_FORMAT) != 0)
				return ap_err_user(e, "format '%s' is not %s", json_string_value(v),
				                   BUNDLE_FORMAT);
		} else
			return ap_err_user(e, "unexpected key '%s' (or wrong type)", key);
	}
	json_t *arr = json_object_get(root, "proofs");
	if (!*station || !arr)
		return ap_err_user(e, "the document needs \"station\" and \"proofs\"");
	if (!config_station_id_valid(*station))
		return ap_err_user(e, "'%.64s' is not a station id", *station);
	if (bundle && !json_object_get(root, "format"))
		return ap_err_user(e, "not an airproof bundle (no \"format\": \"%s\")",
		                   BUNDLE_FORMAT);
	*n = json_array_size(arr);
	*items = calloc(*n ? *n : 1, sizeof(**items));
	if (!*items)
		return ap_err_internal(e, "out of memory");
	for (size_t i = 0; i < *n; i++) {
		json_t *o = json_array_get(arr, i), *p = json_object_get(o, "payload"),
		       *s = json_object_get(o, "sig");
		if (!json_is_object(o) || json_object_size(o) != 2 || !json_is_string(p) ||
		    !json_is_string(s))
			return ap_err_user(e,
			                   "proofs[%zu]: expected {\"payload\": \"...\", \"sig\": "
			                   "\"...\"}",
			                   i);
		(*items)[i].payload = json_string_value(p);
		(*items)[i].len = json_string_length(p);
		if (json_string_length(s) != 2 * PROOF_SIG_LEN ||
		    !hex_is_lower(json_string_value(s), 2 * PROOF_SIG_LEN) ||
		    hex_decode(json_string_value(s), (*items)[i].sig, PROOF_SIG_LEN))
			return ap_err_user(e, "proofs[%zu]: sig is not 128 lowercase hex digits",
			                   i);
	}
	return AP_OK;
}

static int flush(struct store *st, const char *station, struct pending *pend, size_t *npend,
                 int64_t now_ms, const struct item *items, const size_t *idx, struct ap_err *e)
{
	if (*npend == 0)
		return AP_OK;
	struct store_hub_proof *rows = calloc(*npend, sizeof(*rows));
	if (!rows)
		return ap_err_internal(e, "out of memory");
	/* A batch's proofs mostly share a week: its bounds cost dozens of
	 * local-time conversions, so keep the last one. */
	int64_t wstart = 0, wend = 0;
	int week = 0;
	for (size_t i = 0; i < *npend; i++) {
		const struct proof_record *r = &pend[i].rec;
		int play = r->kind == PROOF_PLAY;
		int64_t when = play && r->started ? r->started : r->at;
		struct ltime lt;
		if (!week || when < wstart || when >= wend) {
			week = hub_week_key_of(when);
			hub_week_key_bounds(week, &wstart, &wend);
		}
		time_to_local(when, &lt);
		rows[i] = (struct store_hub_proof){
			.station = station,
			.seq = r->seq,
			.payload = items[idx[i]].payload,
			.payload_len = items[idx[i]].len,
			.sig = items[idx[i]].sig,
			.hash = pend[i].hash,
			.kind = play ? "play" : "event",
			.at_ms = r->at,
			.received_ms = now_ms,
			.item = r->item[0] ? r->item : NULL,
			.clip = play && r->clip[0] ? r->clip : NULL,
			.campaign = play && r->campaign[0] ? r->campaign : NULL,
			.status = play ? r->status : NULL,
			.event = play ? NULL : r->event,
			.started_ms = play ? r->started : 0,
			.ended_ms = play ? r->ended : 0,
			.clock_synced = r->clock_synced,
			.week = week,
			.week_end_ms = wend,
			.local_min = play ? lt.hour * 60 + lt.min : -1,
		};
	}
	int rc = store_hub_proofs_insert(st, rows, *npend, e);
	free(rows);
	*npend = 0;
	return rc;
}

/* The seq a payload claims, for the answer; 0 when it does not parse. */
static int64_t claimed_seq(const struct item *it)
{
	struct proof_record rec;
	if (proof_parse(it->payload, it->len, &rec, NULL) == AP_OK)
		return rec.seq;
	return 0;
}

static int run_chain(struct store *st, const struct store_hub_station *s, struct item *items,
                     size_t n, int bundle, int64_t now_ms, struct hub_ingest_result *res,
                     struct ap_err *e)
{
	struct proof_chain ch;
	uint8_t pk[PROOF_PK_LEN];
	if (hex_decode(s->pubkey, pk, PROOF_PK_LEN))
		return ap_err_internal(e, "station %s: stored public key is not hex", s->id);
	proof_chain_init(&ch, s->id, pk);
	ch.next_seq = s->next_seq;
	if (hex_decode(s->head, ch.head, PROOF_HASH_LEN))
		return ap_err_internal(e, "station %s: stored head is not hex", s->id);

	struct pending *pend = malloc((n ? n : 1) * sizeof(*pend));
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx));
	size_t npend = 0;
	int rc = AP_OK, authentic = 0;
	if (!pend || !idx) {
		rc = ap_err_internal(e, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n && !rc && res->n_rejected == 0; i++) {
		struct ap_err why = { 0 };
		struct pending *p = &pend[npend];
		enum proof_reject r = proof_chain_next(&ch, items[i].payload, items[i].len,
		                                       items[i].sig, now_ms, &p->rec, &why);
		if (r == PROOF_OK) {
			memcpy(p->hash, ch.head, PROOF_HASH_LEN);
			idx[npend++] = i;
			res->accepted++;
			continue;
		}
		authentic |= r != PROOF_BAD_SIGNATURE;
		int64_t seq = claimed_seq(&items[i]);
		const char *reason = proof_reject_name(r);
		if (r == PROOF_SEQ_OLD) {
			/* Earlier proofs of this batch must be visible to the comparison. */
			if ((rc = flush(st, s->id, pend, &npend, now_ms, items, idx, e)))
				break;
			int same = store_hub_proof_same(st, s->id, seq, items[i].payload,
			                                items[i].len, items[i].sig, e);
			if (same < 0) {
				rc = same == AP_EUSER ? AP_EINTERNAL : same;
				break;
			}
			if (same) {
				res->duplicates++;
				continue;
			}
			reason = "conflict";
			snprintf(why.msg, sizeof(why.msg),
			         "seq %lld is stored with other bytes (a forked chain)",
			         (long long)seq);
		}
		struct hub_rejection *rej = &res->rejected[res->n_rejected++];
		rej->seq = seq;
		snprintf(rej->reason, sizeof(rej->reason), "%s", reason);
		snprintf(rej->detail, sizeof(rej->detail), "%s", why.msg);
		/* A bad signature proves nothing about the station (anyone can
		 * send one), so it leaves no trace in the station's record. */
		if (r != PROOF_BAD_SIGNATURE)
			rc = store_hub_rejection_add(st, s->id, seq, reason,
			                             hub_week_key_of(now_ms), now_ms, e);
	}
	if (!rc)
		rc = flush(st, s->id, pend, &npend, now_ms, items, idx, e);
	/* On an upload, any proof whose signature checked out is contact from
	 * the station's key (proof_chain_next checks the signature first), so
	 * duplicates and refusals move last_seen too. A bundle import is not
	 * contact, and importing one twice must change nothing. */
	if (!rc && (res->accepted || (!bundle && (res->duplicates || authentic)))) {
		char head[2 * PROOF_HASH_LEN + 1];
		hex_encode(ch.head, PROOF_HASH_LEN, head);
		rc = store_hub_station_advance(st, s->id, ch.next_seq, head, now_ms, e);
	}
	res->next_seq = ch.next_seq;
	hex_encode(ch.head, PROOF_HASH_LEN, res->head);
out:
	free(pend);
	free(idx);
	return rc;
}

int hub_ingest(struct store *st, const char *doc, size_t len, int bundle, int64_t now_ms,
               struct hub_ingest_result *res, struct ap_err *e)
{
	json_error_t jerr;
	struct item *items = NULL;
	size_t n = 0;
	const char *station, *pubkey;
	memset(res, 0, sizeof(*res));

	json_t *root = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return ap_err_user(e, "not valid JSON at line %d column %d: %s", jerr.line,
		                   jerr.column, jerr.text);
	int rc = doc_shape(root, bundle, &station, &pubkey, &items, &n, e);
	if (rc)
		goto out;
	snprintf(res->station, sizeof(res->station), "%s", station);
	struct store_hub_station s;
	if ((rc = store_hub_station_get(st, station, &s, e))) {
		res->unknown_station = rc == AP_EUSER;
		goto out;
	}
	if (pubkey && strcmp(pubkey, s.pubkey) != 0) {
		rc = ap_err_user(e, "the bundle's public key is not the one enrolled for '%s'",
		                 station);
		goto out;
	}
	if ((rc = store_begin(st, e)))
		goto out;
	/* Chain position is read again under the write lock: another upload of
	 * the same station may have committed since. */
	if ((rc = store_hub_station_get(st, station, &s, e)) ||
	    (rc = run_chain(st, &s, items, n, bundle, now_ms, res, e)) ||
	    (rc = store_commit(st, e))) {
		store_rollback(st);
		struct hub_ingest_result empty = { 0 };
		snprintf(empty.station, sizeof(empty.station), "%s", station);
		*res = empty;
	}
out:
	free(items);
	json_decref(root);
	return rc;
}

char *hub_ingest_answer(const struct hub_ingest_result *res)
{
	json_t *rej = json_array();
	for (int i = 0; i < res->n_rejected; i++) {
		const struct hub_rejection *r = &res->rejected[i];
		json_t *o = json_pack("{s:s,s:s}", "reason", r->reason, "detail", r->detail);
		json_object_set_new(o, "seq", r->seq ? json_integer(r->seq) : json_null());
		json_array_append_new(rej, o);
	}
	json_t *root = json_pack("{s:I,s:I,s:I,s:s,s:o}", "accepted", (json_int_t)res->accepted,
	                         "duplicates", (json_int_t)res->duplicates, "next_seq",
	                         (json_int_t)res->next_seq, "head", res->head, "rejected", rej);
	char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	return text;
}
