/* Internal to proof/: a strict parser for the one shape a proof payload
 * has -- a flat JSON object of scalars. It is the hub's hot path (every
 * received proof is parsed once), so it makes one pass with no allocation,
 * and it refuses everything RFC 8259 refuses plus what a proof never
 * contains: duplicate keys, nested objects or arrays, NUL characters, and
 * invalid UTF-8 (overlong forms, surrogates). */
#ifndef AP_PROOF_JSON_STRICT_H
#define AP_PROOF_JSON_STRICT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define JS_MAX_FIELDS 40
#define JS_MAX_TEXT   16384 /* decoded keys and strings together */

enum js_type { JS_STRING = 1, JS_INTEGER, JS_REAL, JS_TRUE, JS_FALSE, JS_NULL };

struct js_field {
	const char *key; /* NUL-terminated, inside js_object.text */
	enum js_type type;
	const char *str; /* JS_STRING: decoded, NUL-terminated */
	size_t str_len;
	int64_t integer; /* JS_INTEGER */
	double real;     /* JS_REAL */
};

struct js_object {
	struct js_field fields[JS_MAX_FIELDS];
	int n_fields;
	char text[JS_MAX_TEXT + 2 * JS_MAX_FIELDS];
	size_t text_used;
	int hint; /* where js_get starts looking: payloads keep one key order */
};

/* Parse exactly one object (surrounding white space allowed) from buf. On
 * error returns AP_EUSER with the byte offset and reason in e. */
int js_parse_object(const char *buf, size_t len, struct js_object *o, struct ap_err *e);
/* The field named key, or NULL. Lookups in the fields' own order cost one
 * comparison each. */
const struct js_field *js_get(struct js_object *o, const char *key);

#endif
