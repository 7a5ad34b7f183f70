/* Text for people: UTF-8 aware column fitting, so a Vietnamese name in a
 * table is never cut inside a character and columns still line up. */
#ifndef AP_TEXT_H
#define AP_TEXT_H

#include <stddef.h>

/* Copy s into out, cut to at most width characters (code points; an
 * ellipsis marks a cut) and padded with spaces to exactly width. */
void text_fit(char *out, size_t cap, const char *s, int width);

#endif
