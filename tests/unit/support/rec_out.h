/* A recording audio output for tests: keeps every byte handed to it and
 * the size of each write, and can be told to fail its open or its Nth
 * write. */
#ifndef AP_TEST_REC_OUT_H
#define AP_TEST_REC_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "playout/play.h"

struct rec_out {
	uint8_t *data;
	size_t len, cap;
	size_t max_write; /* the largest single write seen */
	int writes, opens, closes;
	int fail_open;       /* every open fails */
	int fail_write_from; /* writes number >= this fail (1-based); 0 = never */
};

/* The play_out owns rec (freed by play_out_destroy); the test keeps the
 * pointer to look at what was recorded. */
int rec_out_create(struct rec_out **rec, struct play_out **out);

#endif
