/* The growable text buffer behind every rendered answer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub_internal.h"

static int grow(struct hub_sb *b, size_t need)
{
	if (b->oom)
		return -1;
	if (b->len + need + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + need + 1)
		cap *= 2;
	char *n = realloc(b->buf, cap);
	if (!n) {
		b->oom = 1;
		return -1;
	}
	b->buf = n;
	b->cap = cap;
	return 0;
}

void hub_sb_printf(struct hub_sb *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void hub_sb_put(struct hub_sb *b, const char *s)
{
	size_t n = strlen(s);
	if (grow(b, n))
		return;
	memcpy(b->buf + b->len, s, n + 1);
	b->len += n;
}

void hub_sb_html(struct hub_sb *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			hub_sb_put(b, "&amp;");
			break;
		case '<':
			hub_sb_put(b, "&lt;");
			break;
		case '>':
			hub_sb_put(b, "&gt;");
			break;
		case '"':
			hub_sb_put(b, "&quot;");
			break;
		case '\'':
			hub_sb_put(b, "&#39;");
			break;
		default: {
			char c[2] = { *s, 0 };
			hub_sb_put(b, c);
		}
		}
	}
}

void hub_sb_csv(struct hub_sb *b, const char *s)
{
	hub_sb_put(b, "\"");
	for (; s && *s; s++) {
		char c[2] = { *s, 0 };
		hub_sb_put(b, *s == '"' ? "\"\"" : c);
	}
	hub_sb_put(b, "\"");
}

void hub_sb_json(struct hub_sb *b, const char *s)
{
	hub_sb_put(b, "\"");
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			hub_sb_printf(b, "\\%c", c);
		else if (c < 0x20)
			hub_sb_printf(b, "\\u%04x", c);
		else {
			char one[2] = { (char)c, 0 };
			hub_sb_put(b, one);
		}
	}
	hub_sb_put(b, "\"");
}

char *hub_sb_take(struct hub_sb *b, size_t *len)
{
	char *out = NULL;
	if (!b->oom && grow(b, 0) == 0) {
		out = b->buf;
		if (len)
			*len = b->len;
	} else {
		free(b->buf);
	}
	memset(b, 0, sizeof(*b));
	return out;
}

void hub_html_head(struct hub_sb *b, const char *title)
{
	hub_sb_put(b, "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
	              "<title>");
	hub_sb_html(b, title);
	hub_sb_put(b, "</title><style>"
	              "body{font-family:sans-serif;margin:1em;color:#222}"
	              "table{border-collapse:collapse}"
	              "td,th{border:1px solid #999;padding:3px 6px;font-size:13px}"
	              "td.compliant{background:#5cb85c;color:#fff}"
	              "td.short{background:#f0ad4e}"
	              "td.suspect{background:#d9534f;color:#fff}"
	              "td.no_data{background:#ddd;color:#555}"
	              "td a{color:inherit;text-decoration:none;display:block}"
	              "</style></head><body>\n<h1>");
	hub_sb_html(b, title);
	hub_sb_put(b, "</h1>\n");
}

void hub_html_foot(struct hub_sb *b)
{
	hub_sb_put(b, "<p><small>airproof-hub " AP_VERSION "</small></p></body></html>\n");
}
