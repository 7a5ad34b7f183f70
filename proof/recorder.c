/* The station side of the chain: append the next signed proof to the
 * database (in the caller's transaction, so a play's proof and whatever
 * else that step writes commit together), the write-ahead of the play in
 * progress, and the kernel's clock sync state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>

#include "common/hash.h"
#include "proof/proof.h"
#include "store/store.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define CUT_SHORT "play cut short by a crash or power cut"

static int station_of(struct store *st, char *out, size_t cap, struct ap_err *e)
{
	return store_meta_get(st, "station_id", out, cap, e);
}

/* The query columns: a play's come from its record, an event's from ix. */
static void fill_columns(const struct proof_record *rec, const struct proof_index *ix,
                         struct store_proof *row)
{
	snprintf(row->kind, sizeof(row->kind), "%s", rec->kind == PROOF_PLAY ? "play" : "event");
	row->at_ms = rec->at;
	if (rec->kind == PROOF_PLAY) {
		snprintf(row->item, sizeof(row->item), "%s", rec->item);
		row->rule_id = rec->rule;
		snprintf(row->clip, sizeof(row->clip), "%s", rec->clip);
		snprintf(row->campaign, sizeof(row->campaign), "%s", rec->campaign);
		row->scheduled_ms = rec->scheduled;
		row->started_ms = rec->started;
		row->ended_ms = rec->ended;
		snprintf(row->status, sizeof(row->status), "%s", rec->status);
		snprintf(row->makegood_of, sizeof(row->makegood_of), "%s", rec->makegood_of);
		return;
	}
	snprintf(row->event, sizeof(row->event), "%s", rec->event);
	if (ix) {
		snprintf(row->item, sizeof(row->item), "%s", ix->item);
		row->rule_id = ix->rule;
		row->scheduled_ms = ix->scheduled_ms;
		snprintf(row->clip, sizeof(row->clip), "%s", ix->clip);
		snprintf(row->campaign, sizeof(row->campaign), "%s", ix->campaign);
		snprintf(row->status, sizeof(row->status), "%s", ix->status);
	}
	if (!row->status[0] && !strcmp(rec->event, "missed"))
		snprintf(row->status, sizeof(row->status), "missed");
}

/* The write-ahead of this item, if it is the pending one, goes with it. */
static int clear_pending_of(struct store *st, const char *item, struct ap_err *e)
{
	char pending[128];
	char *info;
	int64_t frames;
	int found;
	int rc = store_pending_get(st, &found, pending, sizeof(pending), &info, &frames, e);
	if (rc || !found)
		return rc;
	free(info);
	if (item[0] && !strcmp(pending, item))
		rc = store_pending_delete(st, e);
	return rc;
}

int proof_append_indexed(struct store *st, const struct proof_key *k, struct proof_record *rec,
                         const struct proof_index *ix, struct ap_err *e)
{
	struct store_proof row;
	uint8_t head[PROOF_HASH_LEN];
	int64_t last, dup;
	int rc;

	if (!store_proofs_in_tx(st))
		return ap_err_internal(e, "proof_append outside a transaction");
	memset(&row, 0, sizeof(row));
	fill_columns(rec, ix, &row);
	if (row.item[0]) {
		if ((rc = store_proof_find_item(st, row.item, &dup, e)))
			return rc;
		if (dup)
			return ap_err_user(e, "item '%s' is already recorded (proof %lld)",
			                   row.item, (long long)dup);
	}
	if ((rc = station_of(st, rec->station, sizeof(rec->station), e)) ||
	    (rc = store_proof_head(st, &last, head, e)))
		return rc;
	rec->v = 1;
	rec->seq = last + 1;
	hex_encode(head, PROOF_HASH_LEN, rec->prev);

	char *payload;
	size_t len;
	if ((rc = proof_encode(rec, &payload, &len, e)))
		return rc;
	row.seq = rec->seq;
	row.payload = payload;
	row.payload_len = len;
	proof_sign(k, payload, len, row.sig);
	proof_link_hash(payload, len, row.sig, row.hash);
	rc = store_proof_insert(st, &row, e);
	free(payload);
	if (!rc)
		rc = clear_pending_of(st, row.item, e);
	return rc;
}

int proof_append(struct store *st, const struct proof_key *k, struct proof_record *rec,
                 struct ap_err *e)
{
	return proof_append_indexed(st, k, rec, NULL, e);
}

int proof_pending_begin(struct store *st, const struct proof_record *rec, struct ap_err *e)
{
	if (rec->kind != PROOF_PLAY)
		return ap_err_internal(e, "only a play is written ahead");
	struct proof_record *r = malloc(sizeof(*r));
	if (!r)
		return ap_err_internal(e, "out of memory");
	*r = *rec;
	/* Placeholders, so the strict encoder accepts it; proof_append sets the
	 * real ones when the record is finally made. */
	r->v = 1;
	r->seq = 1;
	snprintf(r->prev, sizeof(r->prev), "%s", ZERO_HASH);
	snprintf(r->status, sizeof(r->status), "interrupted");
	if (!r->error[0])
		snprintf(r->error, sizeof(r->error), "%s", CUT_SHORT);
	char *info = NULL;
	size_t len;
	int rc = station_of(st, r->station, sizeof(r->station), e);
	if (!rc)
		rc = proof_encode(r, &info, &len, e);
	if (!rc)
		rc = store_pending_put(st, r->item, info, e);
	free(info);
	free(r);
	return rc;
}

int proof_pending_load(struct store *st, struct proof_record *rec, int *found, struct ap_err *e)
{
	char item[128];
	char *info;
	int64_t frames;
	int rc = store_pending_get(st, found, item, sizeof(item), &info, &frames, e);
	if (rc || !*found)
		return rc;
	rc = proof_parse(info, strlen(info), rec, e);
	free(info);
	if (rc)
		return ap_err_prefix(e, "pending play '%s'", item);
	if (frames > rec->frames_played)
		rec->frames_played = frames;
	rec->ended = rec->started + rec->frames_played * 1000 / rec->rate;
	return AP_OK;
}

int proof_clock_synced(void)
{
	struct timex tx;
	memset(&tx, 0, sizeof(tx));
	int state = adjtimex(&tx);
	return state >= 0 && state != TIME_ERROR && !(tx.status & STA_UNSYNC);
}
