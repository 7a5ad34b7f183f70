/* Signatures and the hash chain: plain Ed25519 over PROOF_DOMAIN || payload,
 * prev = SHA-256(payload || sig), and the verifier's step through one
 * station's chain. Pure functions; the hub runs proof_chain_next unchanged. */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/hash.h"
#include "proof/proof.h"

#define DOMAIN_LEN (sizeof(PROOF_DOMAIN) - 1)
#define FUTURE_MS  (5 * 60 * 1000LL)

void proof_sign(const struct proof_key *k, const char *payload, size_t len,
                uint8_t sig[PROOF_SIG_LEN])
{
	/* The message is built on the stack: a proof is never larger than
	 * PROOF_MAX_PAYLOAD, and signing is on the daemon's hot path. */
	uint8_t msg[DOMAIN_LEN + PROOF_MAX_PAYLOAD];
	if (len > PROOF_MAX_PAYLOAD) {
		memset(sig, 0, PROOF_SIG_LEN); /* verifies as nothing */
		return;
	}
	memcpy(msg, PROOF_DOMAIN, DOMAIN_LEN);
	memcpy(msg + DOMAIN_LEN, payload, len);
	crypto_sign_detached(sig, NULL, msg, DOMAIN_LEN + len, k->sk);
}

int proof_sig_ok(const uint8_t pk[PROOF_PK_LEN], const char *payload, size_t len,
                 const uint8_t sig[PROOF_SIG_LEN])
{
	uint8_t msg[DOMAIN_LEN + PROOF_MAX_PAYLOAD];
	if (len > PROOF_MAX_PAYLOAD)
		return 0;
	memcpy(msg, PROOF_DOMAIN, DOMAIN_LEN);
	memcpy(msg + DOMAIN_LEN, payload, len);
	return crypto_sign_verify_detached(sig, msg, DOMAIN_LEN + len, pk) == 0;
}

void proof_link_hash(const char *payload, size_t len, const uint8_t sig[PROOF_SIG_LEN],
                     uint8_t out[PROOF_HASH_LEN])
{
	struct sha256 h;
	if (sha256_init(&h) == 0) {
		sha256_update(&h, payload, len);
		sha256_update(&h, sig, PROOF_SIG_LEN);
		sha256_final(&h, out);
		return;
	}
	/* No memory for a digest context: hash one contiguous copy instead. */
	uint8_t buf[PROOF_MAX_PAYLOAD + PROOF_SIG_LEN];
	if (len > PROOF_MAX_PAYLOAD)
		len = PROOF_MAX_PAYLOAD; /* never a valid proof anyway */
	memcpy(buf, payload, len);
	memcpy(buf + len, sig, PROOF_SIG_LEN);
	sha256_buf(buf, len + PROOF_SIG_LEN, out);
}

const char *proof_reject_name(enum proof_reject r)
{
	switch (r) {
	case PROOF_OK:
		return "ok";
	case PROOF_BAD_SIGNATURE:
		return "bad_signature";
	case PROOF_BAD_PAYLOAD:
		return "bad_payload";
	case PROOF_WRONG_STATION:
		return "wrong_station";
	case PROOF_SEQ_GAP:
		return "seq_gap";
	case PROOF_SEQ_OLD:
		return "seq_old";
	case PROOF_WRONG_PREV:
		return "wrong_prev";
	case PROOF_FUTURE:
		return "future";
	}
	return "unknown";
}

void proof_chain_init(struct proof_chain *ch, const char *station, const uint8_t pk[PROOF_PK_LEN])
{
	memset(ch, 0, sizeof(*ch));
	snprintf(ch->station, sizeof(ch->station), "%s", station);
	memcpy(ch->pk, pk, PROOF_PK_LEN);
	ch->next_seq = 1;
}

static enum proof_reject refuse(enum proof_reject r, struct ap_err *e, const char *fmt, ...)
    AP_PRINTF(3, 4);

static enum proof_reject refuse(enum proof_reject r, struct ap_err *e, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
		e->code = AP_EUSER;
	}
	return r;
}

enum proof_reject proof_chain_next(struct proof_chain *ch, const char *payload, size_t len,
                                   const uint8_t sig[PROOF_SIG_LEN], int64_t now_ms,
                                   struct proof_record *rec, struct ap_err *e)
{
	/* Signature first, over the bytes as received: nothing unsigned is
	 * even parsed. */
	if (!proof_sig_ok(ch->pk, payload, len, sig))
		return refuse(PROOF_BAD_SIGNATURE, e, "signature does not match station %s's key",
		              ch->station);
	struct ap_err pe = { 0 };
	if (proof_parse(payload, len, rec, &pe))
		return refuse(PROOF_BAD_PAYLOAD, e, "%s", pe.msg);
	if (strcmp(rec->station, ch->station) != 0)
		return refuse(PROOF_WRONG_STATION, e,
		              "seq %lld is signed for station '%s', not '%s'", (long long)rec->seq,
		              rec->station, ch->station);
	if (rec->seq > ch->next_seq)
		return refuse(PROOF_SEQ_GAP, e, "seq %lld comes before seq %lld",
		              (long long)rec->seq, (long long)ch->next_seq);
	if (rec->seq < ch->next_seq)
		return refuse(PROOF_SEQ_OLD, e, "seq %lld is already in the chain (next is %lld)",
		              (long long)rec->seq, (long long)ch->next_seq);
	uint8_t prev[PROOF_HASH_LEN];
	if (hex_decode(rec->prev, prev, sizeof(prev)) != 0 ||
	    memcmp(prev, ch->head, PROOF_HASH_LEN) != 0)
		return refuse(PROOF_WRONG_PREV, e, "seq %lld: prev does not match the chain head",
		              (long long)rec->seq);
	if (now_ms > 0 && rec->at > now_ms + FUTURE_MS)
		return refuse(PROOF_FUTURE, e, "seq %lld: made %lld s in the future",
		              (long long)rec->seq, (long long)((rec->at - now_ms) / 1000));
	proof_link_hash(payload, len, sig, ch->head);
	ch->next_seq++;
	return PROOF_OK;
}
