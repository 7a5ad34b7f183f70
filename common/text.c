/* UTF-8 column fitting. */
#include "common/text.h"

#include <stdint.h>
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

size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp, min;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

int utf8_valid(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq((const unsigned char *)s + i, n - i);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

void utf8_copy(char *out, size_t cap, const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	size_t n = strlen(s), o = 0;
	if (cap == 0)
		return;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq((const unsigned char *)s + i, n - i);
		const char *src = k ? s + i : replacement;
		size_t len = k ? k : sizeof(replacement) - 1;
		if (o + len + 1 > cap)
			break;
		memcpy(out + o, src, len);
		o += len;
		i += k ? k : 1;
	}
	out[o] = '\0';
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
