/* airproof proofs verify: re-verify the station's whole local chain exactly
 * as the hub will (proof_chain_next from seq 1 with the station's public
 * key), and also that each row's stored hash and query columns still say
 * what its signed payload says. Names the first bad record. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/hash.h"
#include "proof/proof.h"
#include "store/store.h"

static const char proofs_usage[] =
    "usage: airproof proofs verify [--json]\n"
    "\n"
    "Re-verifies every proof in the station database from seq 1: the Ed25519\n"
    "signature with the station's key, the strict v1 format, seq without gaps,\n"
    "each prev link, the stored hash and the copied query columns. Prints the\n"
    "count and the chain head, or names the first bad proof and exits 1.\n";

struct verify {
	struct proof_chain ch;
	struct proof_record rec;
	int64_t bad_seq;
	char reason[32];
	char msg[600];
};

static int col_text_differs(const char *col, const char *want)
{
	return strcmp(col, want) != 0;
}

/* Which query column disagrees with the payload, or NULL. An event's item,
 * rule and scheduled time are not in its payload (proof_index), so only
 * what the payload says is compared. */
static const char *column_mismatch(const struct store_proof *p, const struct proof_record *r)
{
	if (strcmp(p->kind, r->kind == PROOF_PLAY ? "play" : "event") != 0)
		return "kind";
	if (p->at_ms != r->at)
		return "at_ms";
	if (r->kind == PROOF_EVENT)
		return col_text_differs(p->event, r->event) ? "event" : NULL;
	if (p->event[0])
		return "event";
	if (col_text_differs(p->item, r->item))
		return "item";
	if (p->rule_id != r->rule)
		return "rule_id";
	if (col_text_differs(p->clip, r->clip))
		return "clip";
	if (col_text_differs(p->campaign, r->campaign))
		return "campaign";
	if (p->scheduled_ms != r->scheduled)
		return "scheduled_ms";
	if (p->started_ms != r->started)
		return "started_ms";
	if (p->ended_ms != r->ended)
		return "ended_ms";
	if (col_text_differs(p->status, r->status))
		return "status";
	if (col_text_differs(p->makegood_of, r->makegood_of))
		return "makegood_of";
	return NULL;
}

static int verify_one(const struct store_proof *p, void *arg)
{
	struct verify *v = arg;
	struct ap_err e = { 0 };
	v->bad_seq = v->ch.next_seq;
	if (p->seq != v->ch.next_seq) {
		snprintf(v->reason, sizeof(v->reason), "missing");
		snprintf(v->msg, sizeof(v->msg), "missing (the next stored proof is %lld)",
		         (long long)p->seq);
		return 1;
	}
	/* now_ms = 0: a station clock that was ahead when it recorded is the
	 * hub's call (and flagged there), not a broken chain. */
	enum proof_reject r =
	    proof_chain_next(&v->ch, p->payload, p->payload_len, p->sig, 0, &v->rec, &e);
	if (r != PROOF_OK) {
		snprintf(v->reason, sizeof(v->reason), "%s", proof_reject_name(r));
		snprintf(v->msg, sizeof(v->msg), "%s (%s)", proof_reject_name(r), e.msg);
		for (char *c = v->msg; *c && *c != ' '; c++)
			if (*c == '_')
				*c = ' ';
		return 1;
	}
	if (memcmp(v->ch.head, p->hash, PROOF_HASH_LEN) != 0) {
		snprintf(v->reason, sizeof(v->reason), "bad_hash");
		snprintf(v->msg, sizeof(v->msg),
		         "stored hash does not match payload and signature");
		return 1;
	}
	const char *col = column_mismatch(p, &v->rec);
	if (col) {
		snprintf(v->reason, sizeof(v->reason), "bad_column");
		snprintf(v->msg, sizeof(v->msg), "column %s does not match the signed payload",
		         col);
		return 1;
	}
	v->bad_seq = 0;
	return 0;
}

static int load_station(struct cli *c, struct store *st, char *id, size_t cap,
                        struct proof_key *key)
{
	char path[4200];
	int rc = store_meta_get(st, "station_id", id, cap, &c->err);
	if (!rc)
		rc = cli_state_path(c, "station.key", path, sizeof(path));
	if (!rc)
		rc = proof_key_load(path, key, &c->err);
	return rc;
}

static int verify(struct cli *c)
{
	struct store *st;
	struct proof_key key;
	struct verify *v;
	char id[64], head[65];
	int rc;

	if ((rc = cli_open_station(c, &st)))
		return rc;
	if ((rc = load_station(c, st, id, sizeof(id), &key))) {
		store_close(st);
		return rc;
	}
	if (!(v = calloc(1, sizeof(*v)))) {
		store_close(st);
		proof_key_wipe(&key);
		return ap_err_internal(&c->err, "out of memory");
	}
	proof_chain_init(&v->ch, id, key.pk);
	proof_key_wipe(&key);
	rc = store_proofs_each(st, 1, verify_one, v, &c->err);
	store_close(st);
	if (rc < 0)
		goto out;
	int64_t n = v->ch.next_seq - 1;
	hex_encode(v->ch.head, PROOF_HASH_LEN, head);
	if (c->json) {
		json_t *o = v->bad_seq ? json_pack("{s:b, s:I, s:I, s:s, s:s}", "ok", 0, "verified",
		                                   (json_int_t)n, "seq", (json_int_t)v->bad_seq,
		                                   "reason", v->reason, "message", v->msg)
		                       : json_pack("{s:b, s:I, s:s}", "ok", 1, "verified",
		                                   (json_int_t)n, "head", head);
		char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(o);
	}
	if (v->bad_seq) {
		rc = ap_err_user(&c->err, "proof %lld: %s", (long long)v->bad_seq, v->msg);
	} else {
		rc = AP_OK;
		if (!c->json)
			printf("%lld proofs verified, chain head %s\n", (long long)n, head);
	}
out:
	free(v);
	return rc;
}

CMD(proofs)
{
	if (cli_wants_help(argc, argv))
		return cli_usage(proofs_usage);
	if (argc != 2 || strcmp(argv[1], "verify") != 0)
		return cli_bad_usage(c, "proofs", "expected 'proofs verify'");
	return verify(c);
}
