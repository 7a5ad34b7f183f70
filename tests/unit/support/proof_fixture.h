/* Test helpers for proof/ and store/proofs.c: filled-in records and a
 * throwaway station database. */
#ifndef AP_TEST_PROOF_FIXTURE_H
#define AP_TEST_PROOF_FIXTURE_H

#include <stddef.h>

#include "proof/proof.h"

struct store;

/* A complete play of a fixed clip with a Vietnamese title. */
void fx_play(struct proof_record *r, const char *station, const char *item);
void fx_event(struct proof_record *r, const char *station, const char *event, const char *detail);
/* A fresh station database for station in a new temp folder; the folder
 * path goes to dir (cap >= 64). Fails the test on error. */
struct store *fx_station_db(const char *station, char *dir, size_t cap);
/* Closes st and removes the folder. */
void fx_station_db_remove(struct store *st, const char *dir);

#endif
