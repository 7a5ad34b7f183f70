/* Shared by the hub/ files only: a growable text buffer for the answers
 * the hub renders (CSV, JSON, HTML, Prometheus text). */
#ifndef AP_HUB_INTERNAL_H
#define AP_HUB_INTERNAL_H

#include <stddef.h>

#include "common/log.h"

struct hub_sb {
	char *buf;
	size_t len, cap;
	int oom; /* an allocation failed: the text is incomplete */
};

void hub_sb_printf(struct hub_sb *b, const char *fmt, ...) AP_PRINTF(2, 3);
void hub_sb_put(struct hub_sb *b, const char *s);
/* Text with & < > " ' escaped for HTML. */
void hub_sb_html(struct hub_sb *b, const char *s);
/* A CSV field, always quoted. */
void hub_sb_csv(struct hub_sb *b, const char *s);
/* A JSON string: quoted, with " \\ and control characters escaped (the
 * text is stored UTF-8 and passes through as is). */
void hub_sb_json(struct hub_sb *b, const char *s);
/* Hands the buffer over (NULL when it ran out of memory) and resets b. */
char *hub_sb_take(struct hub_sb *b, size_t *len);

/* The page head and foot every HTML answer shares (inline CSS, no JS). */
void hub_html_head(struct hub_sb *b, const char *title);
void hub_html_foot(struct hub_sb *b);

#endif
