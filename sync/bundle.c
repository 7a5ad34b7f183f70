/* The offline bundle: the same proof objects an upload carries, in one
 * JSON document with the station and its public key, one proof per line
 * so a person can count them. Written to a temp file, fsynced, renamed. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/hash.h"
#include "proof/proof.h"
#include "store/store.h"
#include "sync/sync.h"

struct writer {
	struct fs_tmp t;
	int64_t n;
	struct ap_err *e;
};

static int write_proof(const struct store_proof *p, void *arg)
{
	struct writer *w = arg;
	json_t *s = json_stringn(p->payload, p->payload_len);
	char *esc = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
	json_decref(s);
	if (!esc)
		return ap_err_internal(w->e, "proof %lld: payload is not UTF-8", (long long)p->seq);
	char sig[2 * PROOF_SIG_LEN + 1];
	hex_encode(p->sig, PROOF_SIG_LEN, sig);
	const char *lead = w->n ? ",\n{\"payload\":" : "\n{\"payload\":";
	int rc = fs_tmp_write(&w->t, lead, strlen(lead), w->e);
	if (!rc)
		rc = fs_tmp_write(&w->t, esc, strlen(esc), w->e);
	free(esc);
	if (!rc)
		rc = fs_tmp_write(&w->t, ",\"sig\":\"", 8, w->e);
	if (!rc)
		rc = fs_tmp_write(&w->t, sig, strlen(sig), w->e);
	if (!rc)
		rc = fs_tmp_write(&w->t, "\"}", 2, w->e);
	w->n++;
	return rc;
}

int sync_bundle_write(struct store *st, const char *station, const char *pubkey_hex, int64_t since,
                      const char *path, int64_t *n, struct ap_err *e)
{
	struct writer w = { .e = e };
	int rc = fs_tmp_open(&w.t, path, 0644, e);
	if (rc)
		return rc;
	char head[256];
	snprintf(head, sizeof(head),
	         "{\"format\":\"airproof-bundle-v1\",\"station\":\"%s\",\"pubkey\":\"%s\","
	         "\"proofs\":[",
	         station, pubkey_hex);
	rc = fs_tmp_write(&w.t, head, strlen(head), e);
	if (!rc)
		rc = store_proofs_each(st, since < 1 ? 1 : since, write_proof, &w, e);
	if (!rc)
		rc = fs_tmp_write(&w.t, "\n]}\n", 4, e);
	if (!rc)
		rc = fs_tmp_commit(&w.t, e);
	if (rc) {
		fs_tmp_abort(&w.t);
		return rc;
	}
	*n = w.n;
	return AP_OK;
}
