/* Text for people: UTF-8 aware column fitting, so a Vietnamese name in a
 * table is never cut inside a character and columns still line up. */
#ifndef AP_TEXT_H
#define AP_TEXT_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (avail bytes readable), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
size_t utf8_seq(const unsigned char *s, size_t avail);
/* True when s is entirely valid UTF-8. */
int utf8_valid(const char *s);
/* Copy s into out as valid UTF-8: invalid bytes become U+FFFD, and a cut
 * to fit cap never splits a character. */
void utf8_copy(char *out, size_t cap, const char *s);

/* Copy s into out, cut to at most width characters (code points; an
 * ellipsis marks a cut) and padded with spaces to exactly width. */
void text_fit(char *out, size_t cap, const char *s, int width);

#endif
