/* Pieces of the import path that media/ shares between its files and that
 * its unit tests drive directly. Not for other modules: use media/clip.h. */
#ifndef AP_CLIP_INTERNAL_H
#define AP_CLIP_INTERNAL_H

#include <stddef.h>

/* The EBU R128 true peak of one channel, equal to what libebur128 reports
 * for the whole signal (ebur128_true_peak), but oversampling only the parts
 * of the signal that could still hold the maximum. */
struct clip_peak;

/* NULL when out of memory. The caller frees it with clip_peak_destroy. */
struct clip_peak *clip_peak_create(int rate);
/* Adds frames samples taken stride floats apart (one channel of an
 * interleaved block). AP_OK or AP_EINTERNAL. */
int clip_peak_add(struct clip_peak *pk, const float *samples, size_t frames, size_t stride);
/* Linear true peak of everything added so far. */
double clip_peak_value(const struct clip_peak *pk);
void clip_peak_destroy(struct clip_peak *pk);

#endif
