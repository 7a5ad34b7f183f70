/* UTF-8 column fitting. */
#include "common/text.h"

#include <string.h>

/* Bytes of the UTF-8 sequence starting with c (1 for anything invalid). */
static size_t seq_len(unsigned char c)
{
	if (c >= 0xF0 && c <= 0xF4)
		return 4;
	if (c >= 0xE0)
		return c <= 0xEF ? 3 : 1;
	if (c >= 0xC2)
		return 2;
	return 1;
}

void text_fit(char *out, size_t cap, const char *s, int width)
{
	static const char ellipsis[] = "\xe2\x80\xa6"; /* U+2026 */
	size_t o = 0, i = 0, n = strlen(s);
	int chars = 0;

	if (cap == 0)
		return;
	/* count characters to know whether a cut is needed */
	int total = 0;
	for (size_t j = 0; j < n; j += seq_len((unsigned char)s[j]))
		total++;
	int keep = total > width ? width - 1 : total;
	while (i < n && chars < keep) {
		size_t k = seq_len((unsigned char)s[i]);
		if (i + k > n || o + k + 1 > cap)
			break;
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
		chars++;
	}
	if (total > width && width > 0 && o + sizeof(ellipsis) <= cap) {
		memcpy(out + o, ellipsis, sizeof(ellipsis) - 1);
		o += sizeof(ellipsis) - 1;
		chars++;
	}
	while (chars < width && o + 2 <= cap) {
		out[o++] = ' ';
		chars++;
	}
	out[o] = '\0';
}
