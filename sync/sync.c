/* sync_run: batches, retries with exponential backoff and full jitter
 * (honouring Retry-After, within a total budget), and the rule that only
 * the hub's answer marks proofs synced. When the hub has fewer proofs than
 * sync_state says (a restored hub), it answers seq_gap with its next_seq
 * and the run resends from there. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/aptime.h"
#include "common/hash.h"
#include "config/config.h"
#include "proof/proof.h"
#include "store/store.h"
#include "sync/sync.h"

#define MAX_REWINDS 3

int sync_options_init(struct sync_options *o, const struct ap_config *cfg, struct ap_err *e)
{
	memset(o, 0, sizeof(*o));
	o->max_proofs = 500;
	o->max_bytes = 1024 * 1024;
	o->retry_budget_ms = 120000;
	o->backoff_base_ms = 1000;
	o->backoff_cap_ms = 30000;
	if (!cfg->hub_url[0])
		return ap_err_user(e, "%s: sync.hub_url is not set",
		                   cfg->path[0] ? cfg->path : "config");
	size_t n = strlen(cfg->hub_url);
	if (snprintf(o->url, sizeof(o->url), "%s%sv1/proofs", cfg->hub_url,
	             cfg->hub_url[n - 1] == '/' ? "" : "/") >= (int)sizeof(o->url))
		return ap_err_user(e, "%s: sync.hub_url is too long", cfg->path);
	return AP_OK;
}

/* One batch being built: the body text and the proofs in it. */
struct batch {
	char *body;
	size_t len, cap, max_bytes;
	int n, max_n;
	int64_t first, last;
	int full;
};

static int append(struct batch *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *g = realloc(b->body, cap);
		if (!g)
			return -1;
		b->body = g;
		b->cap = cap;
	}
	memcpy(b->body + b->len, s, n);
	b->len += n;
	b->body[b->len] = '\0';
	return 0;
}

static int add_proof(const struct store_proof *p, void *arg)
{
	struct batch *b = arg;
	if (b->n == b->max_n)
		return 1;
	json_t *s = json_stringn(p->payload, p->payload_len);
	char *esc = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
	json_decref(s);
	if (!esc)
		return AP_EINTERNAL;
	char sig[2 * PROOF_SIG_LEN + 1];
	hex_encode(p->sig, PROOF_SIG_LEN, sig);
	size_t piece = strlen(esc) + sizeof(sig) + 32;
	if (b->n > 0 && b->len + piece + 4 > b->max_bytes) {
		free(esc);
		return 1;
	}
	int bad = append(b, b->n ? ",{\"payload\":" : "{\"payload\":", b->n ? 12 : 11) ||
	          append(b, esc, strlen(esc)) || append(b, ",\"sig\":\"", 8) ||
	          append(b, sig, strlen(sig)) || append(b, "\"}", 2);
	free(esc);
	if (bad)
		return AP_EINTERNAL;
	if (b->n++ == 0)
		b->first = p->seq;
	b->last = p->seq;
	return 0;
}

static int build_batch(struct store *st, const char *station, int64_t from,
                       const struct sync_options *o, struct batch *b, struct ap_err *e)
{
	b->len = 0;
	b->n = 0;
	b->max_n = o->max_proofs;
	b->max_bytes = o->max_bytes;
	char head[128];
	snprintf(head, sizeof(head), "{\"station\":\"%s\",\"proofs\":[", station);
	if (append(b, head, strlen(head)))
		return ap_err_internal(e, "out of memory");
	int rc = store_proofs_each(st, from, add_proof, b, e);
	if (rc < 0)
		return rc == AP_EINTERNAL && !e->msg[0] ? ap_err_internal(e, "out of memory") : rc;
	if (append(b, "]}", 2))
		return ap_err_internal(e, "out of memory");
	return AP_OK;
}

/* The hub's answer, checked for shape. */
struct answer {
	int64_t accepted, duplicates, next_seq;
	char head[65];
	json_t *rejected;
	json_t *root;
};

static int parse_answer(const char *reply, size_t len, struct answer *a, struct ap_err *e)
{
	json_error_t jerr;
	memset(a, 0, sizeof(*a));
	a->root = json_loadb(reply ? reply : "", reply ? len : 0, JSON_REJECT_DUPLICATES, &jerr);
	json_t *acc = json_object_get(a->root, "accepted"),
	       *dup = json_object_get(a->root, "duplicates"),
	       *nx = json_object_get(a->root, "next_seq"), *hd = json_object_get(a->root, "head");
	a->rejected = json_object_get(a->root, "rejected");
	if (!json_is_integer(acc) || !json_is_integer(dup) || !json_is_integer(nx) ||
	    !json_is_string(hd) || !json_is_array(a->rejected) || json_string_length(hd) != 64 ||
	    !hex_is_lower(json_string_value(hd), 64) || json_integer_value(nx) < 1) {
		json_decref(a->root);
		a->root = NULL;
		return ap_err_user(e, "the hub's answer is not an airproof v1 answer");
	}
	a->accepted = json_integer_value(acc);
	a->duplicates = json_integer_value(dup);
	a->next_seq = json_integer_value(nx);
	snprintf(a->head, sizeof(a->head), "%s", json_string_value(hd));
	return AP_OK;
}

/* The local hash of seq (zeros for 0): the hub's head must equal it. */
struct find_hash {
	int64_t seq;
	int found;
	uint8_t hash[PROOF_HASH_LEN];
};

static int take_hash(const struct store_proof *p, void *arg)
{
	struct find_hash *f = arg;
	if (p->seq == f->seq) {
		memcpy(f->hash, p->hash, PROOF_HASH_LEN);
		f->found = 1;
	}
	return 1;
}

static int head_matches(struct store *st, int64_t next_seq, const char *head, struct ap_err *e)
{
	struct find_hash f = { next_seq - 1, next_seq == 1, { 0 } };
	if (next_seq > 1) {
		int rc = store_proofs_each(st, next_seq - 1, take_hash, &f, e);
		if (rc < 0)
			return rc;
	}
	char hex[2 * PROOF_HASH_LEN + 1];
	hex_encode(f.hash, PROOF_HASH_LEN, hex);
	return f.found && strcmp(hex, head) == 0;
}

static int record(struct store *st, int ok, int64_t next_seq, const char *head, int64_t now,
                  const char *result)
{
	struct ap_err e = { 0 };
	int rc = store_begin(st, &e);
	if (!rc)
		rc = ok ? store_sync_ack(st, next_seq, head, now, result, &e)
		        : store_sync_attempt(st, now, result, &e);
	if (!rc)
		rc = store_commit(st, &e);
	if (rc) {
		store_rollback(st);
		log_warnx("cannot record the sync result: %s", e.msg);
	}
	return rc;
}

static int64_t backoff(const struct sync_http *h, const struct sync_options *o, int attempt)
{
	int64_t ceiling = o->backoff_base_ms;
	for (int i = 0; i < attempt && ceiling < o->backoff_cap_ms; i++)
		ceiling *= 2;
	if (ceiling > o->backoff_cap_ms)
		ceiling = o->backoff_cap_ms;
	/* full jitter, but never less than a tenth of the base */
	int64_t wait = (int64_t)((uint64_t)ceiling * h->random(h->ctx) / UINT32_MAX);
	return wait < o->backoff_base_ms / 10 ? o->backoff_base_ms / 10 : wait;
}

/* POST one batch until the hub answers 200 or the budget is spent. */
static int post_batch(const struct sync_http *h, const struct sync_options *o,
                      const struct batch *b, int64_t deadline, struct sync_result *res,
                      char **reply, size_t *reply_len, struct ap_err *e)
{
	for (int attempt = 0;; attempt++) {
		long status = 0, retry_after = -1;
		struct ap_err why = { 0 };
		*reply = NULL;
		res->posts++;
		int rc = h->post(h->ctx, o->url, b->body, b->len, &status, reply, reply_len,
		                 &retry_after, &why);
		if (rc < 0)
			return ap_err_user(e, "%s: %s", o->url, why.msg);
		if (rc == SYNC_NET_OK && status == 200)
			return AP_OK;
		if (rc == SYNC_NET_OK && status != 408 && status != 429 && status < 500) {
			char msg[200] = "";
			json_t *j =
			    json_loadb(*reply ? *reply : "", *reply ? *reply_len : 0, 0, NULL);
			snprintf(msg, sizeof(msg), "%s",
			         json_string_value(json_object_get(j, "error"))
			             ? json_string_value(json_object_get(j, "error"))
			             : "");
			json_decref(j);
			free(*reply);
			*reply = NULL;
			return ap_err_user(e, "the hub refused the upload: HTTP %ld%s%s", status,
			                   msg[0] ? ": " : "", msg);
		}
		free(*reply);
		*reply = NULL;
		if (rc == SYNC_NET_OK)
			snprintf(why.msg, sizeof(why.msg), "HTTP %ld", status);
		int64_t wait = backoff(h, o, attempt);
		if (retry_after >= 0 && retry_after * 1000 > wait)
			wait = retry_after * 1000;
		if (h->now_ms(h->ctx) + wait > deadline)
			return ap_err_user(e,
			                   "%s: the hub did not answer within the retry budget "
			                   "(last: %s); the proofs stay queued",
			                   o->url, why.msg);
		log_debug("%s: %s; retrying in %lld ms", o->url, why.msg, (long long)wait);
		res->retries++;
		h->sleep_ms(h->ctx, wait);
	}
}

static void add_rejections(struct sync_result *res, json_t *rejected)
{
	size_t i;
	json_t *r;
	json_array_foreach(rejected, i, r)
	{
		size_t used = strlen(res->rejected);
		const char *reason = json_string_value(json_object_get(r, "reason"));
		const char *detail = json_string_value(json_object_get(r, "detail"));
		snprintf(res->rejected + used, sizeof(res->rejected) - used,
		         "proof %lld refused by the hub: %s%s%s\n",
		         (long long)json_integer_value(json_object_get(r, "seq")),
		         reason ? reason : "?", detail && *detail ? ": " : "",
		         detail ? detail : "");
	}
}

int sync_run(struct store *st, const char *station, const struct sync_http *h,
             const struct sync_options *o, struct sync_result *res, struct ap_err *e)
{
	struct store_sync_state ss;
	struct batch b = { 0 };
	int64_t last = 0, start = h->now_ms(h->ctx);
	uint8_t tip[PROOF_HASH_LEN];
	int rewinds = 0, rc;
	memset(res, 0, sizeof(*res));
	if ((rc = store_sync_get(st, &ss, e)) || (rc = store_proof_head(st, &last, tip, e)))
		return rc;
	int64_t from = ss.next_seq;
	res->next_seq = ss.next_seq;
	/* At least one POST, even with nothing new: the answer tells whether
	 * the hub still holds what it acknowledged. */
	for (int first = 1; first || from <= last; first = 0) {
		char *reply = NULL;
		size_t reply_len = 0;
		struct answer a;
		if ((rc = build_batch(st, station, from, o, &b, e)) ||
		    (rc = post_batch(h, o, &b, start + o->retry_budget_ms, res, &reply, &reply_len,
		                     e)))
			break;
		rc = parse_answer(reply, reply_len, &a, e);
		free(reply);
		if (rc)
			break;
		int match = head_matches(st, a.next_seq, a.head, e);
		if (match <= 0 || a.next_seq > last + 1) {
			json_decref(a.root);
			rc = match < 0
			         ? match
			         : ap_err_user(e,
			                       "the hub's chain for '%s' (next seq %lld, head "
			                       "%.16s...) is not this station's",
			                       station, (long long)a.next_seq, a.head);
			break;
		}
		res->accepted += a.accepted;
		res->duplicates += a.duplicates;
		res->next_seq = a.next_seq;
		char result[256];
		snprintf(result, sizeof(result), "ok: hub holds seq 1..%lld",
		         (long long)a.next_seq - 1);
		size_t n_rej = json_array_size(a.rejected);
		const char *reason = n_rej ? json_string_value(json_object_get(
		                                 json_array_get(a.rejected, 0), "reason"))
		                           : NULL;
		if (n_rej && reason && !strcmp(reason, "seq_gap") && a.next_seq < b.first &&
		    rewinds < MAX_REWINDS) {
			/* The hub holds fewer than we thought: resend from its next_seq. */
			rewinds++;
			n_rej = 0;
		}
		if (n_rej) {
			add_rejections(res, a.rejected);
			snprintf(result, sizeof(result), "refused: %.200s", res->rejected);
			result[strcspn(result, "\n")] = '\0';
		}
		json_decref(a.root);
		if ((rc = record(st, 1, a.next_seq, a.head, time_now_ms(), result)))
			return ap_err_internal(e, "cannot record the hub's answer in the database");
		if (n_rej) {
			rc = ap_err_user(e, "the hub refused proof(s); see above");
			break;
		}
		if (a.next_seq <= from && b.n > 0 && a.next_seq >= b.first) {
			rc = ap_err_user(e, "the hub accepted nothing from seq %lld on",
			                 (long long)from);
			break;
		}
		from = a.next_seq;
	}
	free(b.body);
	if (rc && !res->rejected[0]) {
		char result[256];
		snprintf(result, sizeof(result), "failed: %.240s", e->msg);
		record(st, 0, 0, NULL, time_now_ms(), result);
	}
	res->unsynced = last - res->next_seq + 1;
	return rc;
}
