/* Test helpers for hub/ and sync/: a throwaway hub database, station keys,
 * and real signed proof chains built in memory. */
#ifndef AP_TEST_HUB_FIXTURE_H
#define AP_TEST_HUB_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "proof/proof.h"

struct store;

/* A station's chain as the station would build it. */
struct hfx_chain {
	char station[64];
	struct proof_key key;
	int64_t seq; /* last made */
	uint8_t head[PROOF_HASH_LEN];
};

/* One signed proof (payload malloc'd; hfx_proof_free). */
struct hfx_proof {
	char *payload;
	size_t len;
	char sig[2 * PROOF_SIG_LEN + 1];
};

void hfx_chain_init(struct hfx_chain *c, const char *station);
/* The next play: complete, campaign, started at start_ms. */
void hfx_play(struct hfx_chain *c, int64_t start_ms, const char *campaign, int clock_synced,
              struct hfx_proof *out);
void hfx_event(struct hfx_chain *c, int64_t at_ms, const char *event, struct hfx_proof *out);
/* Sign arbitrary payload bytes with c's key (no chain advance). */
void hfx_sign(const struct hfx_chain *c, const char *payload, size_t len, struct hfx_proof *out);
void hfx_proof_free(struct hfx_proof *p);
/* {"station": station, "proofs": [...]}, malloc'd. */
char *hfx_body(const char *station, const struct hfx_proof *p, size_t n);

/* A hub database in a new temp folder (dir cap >= 64). */
struct store *hfx_hub_db(char *dir, size_t cap);
void hfx_enrol(struct store *st, const char *id, const char *group, const uint8_t pk[32]);
void hfx_remove(struct store *st, const char *dir);
/* Digest of stations, proof count and rejection counts, to prove that a
 * refused input changed nothing. */
void hfx_digest(struct store *st, char out[65]);

#endif
