/* Strict flat-object JSON parser for proof payloads (see json_strict.h). */
#include "proof/json_strict.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"

struct js_in {
	const unsigned char *p, *start, *end;
	struct js_object *o;
	struct ap_err *e;
};

static int fail(struct js_in *in, const char *why)
{
	return ap_err_user(in->e, "proof: not valid JSON at byte %ld: %s",
	                   (long)(in->p - in->start), why);
}

static void skip_ws(struct js_in *in)
{
	while (in->p < in->end &&
	       (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r'))
		in->p++;
}

static int put_byte(struct js_in *in, char c)
{
	if (in->o->text_used >= sizeof(in->o->text))
		return fail(in, "text too long");
	in->o->text[in->o->text_used++] = c;
	return AP_OK;
}

static int put_utf8(struct js_in *in, uint32_t cp)
{
	char buf[4];
	int n;
	if (cp < 0x80) {
		buf[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		buf[0] = (char)(0xC0 | cp >> 6);
		buf[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		buf[0] = (char)(0xE0 | cp >> 12);
		buf[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		buf[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		buf[0] = (char)(0xF0 | cp >> 18);
		buf[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		buf[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		buf[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	for (int i = 0; i < n; i++)
		if (put_byte(in, buf[i]))
			return AP_EUSER;
	return AP_OK;
}

static int hex4(struct js_in *in, uint32_t *out)
{
	uint32_t v = 0;
	if (in->end - in->p < 4)
		return fail(in, "short \\u escape");
	for (int i = 0; i < 4; i++) {
		unsigned char c = *in->p++;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return fail(in, "bad \\u escape");
	}
	*out = v;
	return AP_OK;
}

/* One raw UTF-8 sequence starting at a byte >= 0x80, validated and
 * copied. */
static int copy_utf8(struct js_in *in)
{
	size_t n = utf8_seq(in->p, (size_t)(in->end - in->p));
	if (!n)
		return fail(in, "invalid UTF-8");
	for (size_t i = 0; i < n; i++)
		if (put_byte(in, (char)in->p[i]))
			return AP_EUSER;
	in->p += n;
	return AP_OK;
}

/* A string at in->p (on the opening quote); decoded into the text buffer. */
static int parse_string(struct js_in *in, const char **out, size_t *out_len)
{
	size_t begin = in->o->text_used;
	in->p++;
	for (;;) {
		if (in->p >= in->end)
			return fail(in, "unterminated string");
		unsigned char c = *in->p;
		if (c == '"') {
			in->p++;
			break;
		}
		if (c < 0x20)
			return fail(in, "control character in string");
		if (c >= 0x80) {
			if (copy_utf8(in))
				return AP_EUSER;
			continue;
		}
		if (c != '\\') {
			/* plain ASCII run */
			if (put_byte(in, (char)c))
				return AP_EUSER;
			in->p++;
			continue;
		}
		in->p++;
		if (in->p >= in->end)
			return fail(in, "unterminated escape");
		char esc = (char)*in->p++;
		uint32_t cp;
		switch (esc) {
		case '"':
			cp = '"';
			break;
		case '\\':
			cp = '\\';
			break;
		case '/':
			cp = '/';
			break;
		case 'b':
			cp = '\b';
			break;
		case 'f':
			cp = '\f';
			break;
		case 'n':
			cp = '\n';
			break;
		case 'r':
			cp = '\r';
			break;
		case 't':
			cp = '\t';
			break;
		case 'u':
			if (hex4(in, &cp))
				return AP_EUSER;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return fail(in, "lone low surrogate");
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				uint32_t lo;
				if (in->end - in->p < 2 || in->p[0] != '\\' || in->p[1] != 'u')
					return fail(in, "lone high surrogate");
				in->p += 2;
				if (hex4(in, &lo))
					return AP_EUSER;
				if (lo < 0xDC00 || lo > 0xDFFF)
					return fail(in, "bad surrogate pair");
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			if (cp == 0)
				return fail(in, "NUL character in string");
			break;
		default:
			return fail(in, "unknown escape");
		}
		if (put_utf8(in, cp))
			return AP_EUSER;
	}
	if (put_byte(in, '\0'))
		return AP_EUSER;
	*out = in->o->text + begin;
	*out_len = in->o->text_used - begin - 1;
	return AP_OK;
}

static int parse_number(struct js_in *in, struct js_field *f)
{
	const unsigned char *s = in->p;
	int is_real = 0;
	if (in->p < in->end && *in->p == '-')
		in->p++;
	if (in->p >= in->end || !(*in->p >= '0' && *in->p <= '9'))
		return fail(in, "bad number");
	if (*in->p == '0') {
		in->p++;
		if (in->p < in->end && *in->p >= '0' && *in->p <= '9')
			return fail(in, "leading zero");
	} else {
		while (in->p < in->end && *in->p >= '0' && *in->p <= '9')
			in->p++;
	}
	if (in->p < in->end && *in->p == '.') {
		is_real = 1;
		in->p++;
		if (in->p >= in->end || !(*in->p >= '0' && *in->p <= '9'))
			return fail(in, "bad fraction");
		while (in->p < in->end && *in->p >= '0' && *in->p <= '9')
			in->p++;
	}
	if (in->p < in->end && (*in->p == 'e' || *in->p == 'E')) {
		is_real = 1;
		in->p++;
		if (in->p < in->end && (*in->p == '+' || *in->p == '-'))
			in->p++;
		if (in->p >= in->end || !(*in->p >= '0' && *in->p <= '9'))
			return fail(in, "bad exponent");
		while (in->p < in->end && *in->p >= '0' && *in->p <= '9')
			in->p++;
	}
	char buf[64];
	size_t n = (size_t)(in->p - s);
	if (n >= sizeof(buf))
		return fail(in, "number too long");
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	if (is_real) {
		f->type = JS_REAL;
		f->real = strtod(buf, NULL);
		if (errno == ERANGE)
			return fail(in, "real out of range");
	} else {
		f->type = JS_INTEGER;
		f->integer = strtoll(buf, NULL, 10);
		if (errno == ERANGE)
			return fail(in, "integer out of range");
	}
	return AP_OK;
}

static int literal(struct js_in *in, const char *word, enum js_type t, struct js_field *f)
{
	size_t n = strlen(word);
	if ((size_t)(in->end - in->p) < n || memcmp(in->p, word, n) != 0)
		return fail(in, "unexpected character");
	in->p += n;
	f->type = t;
	return AP_OK;
}

static int parse_value(struct js_in *in, struct js_field *f)
{
	if (in->p >= in->end)
		return fail(in, "missing value");
	switch (*in->p) {
	case '"':
		f->type = JS_STRING;
		return parse_string(in, &f->str, &f->str_len);
	case 't':
		return literal(in, "true", JS_TRUE, f);
	case 'f':
		return literal(in, "false", JS_FALSE, f);
	case 'n':
		return literal(in, "null", JS_NULL, f);
	case '{':
	case '[':
		return fail(in, "nested objects or arrays are not allowed in a proof");
	default:
		return parse_number(in, f);
	}
}

int js_parse_object(const char *buf, size_t len, struct js_object *o, struct ap_err *e)
{
	struct js_in in = { (const unsigned char *)buf, (const unsigned char *)buf,
		            (const unsigned char *)buf + len, o, e };
	o->n_fields = 0;
	o->text_used = 0;
	o->hint = 0;
	skip_ws(&in);
	if (in.p >= in.end || *in.p != '{')
		return fail(&in, "payload is not a JSON object");
	in.p++;
	skip_ws(&in);
	if (in.p < in.end && *in.p == '}') {
		in.p++;
	} else {
		for (;;) {
			if (o->n_fields == JS_MAX_FIELDS)
				return fail(&in, "too many fields");
			struct js_field *f = &o->fields[o->n_fields];
			size_t key_len;
			if (in.p >= in.end || *in.p != '"')
				return fail(&in, "expected a key");
			if (parse_string(&in, &f->key, &key_len))
				return AP_EUSER;
			for (int i = 0; i < o->n_fields; i++)
				if (!strcmp(o->fields[i].key, f->key))
					return fail(&in, "duplicate key");
			skip_ws(&in);
			if (in.p >= in.end || *in.p != ':')
				return fail(&in, "expected ':'");
			in.p++;
			skip_ws(&in);
			if (parse_value(&in, f))
				return AP_EUSER;
			o->n_fields++;
			skip_ws(&in);
			if (in.p < in.end && *in.p == ',') {
				in.p++;
				skip_ws(&in);
				continue;
			}
			if (in.p < in.end && *in.p == '}') {
				in.p++;
				break;
			}
			return fail(&in, "expected ',' or '}'");
		}
	}
	skip_ws(&in);
	if (in.p != in.end)
		return fail(&in, "data after the object");
	return AP_OK;
}

const struct js_field *js_get(struct js_object *o, const char *key)
{
	for (int k = 0; k < o->n_fields; k++) {
		int i = (o->hint + k) % o->n_fields;
		if (!strcmp(o->fields[i].key, key)) {
			o->hint = i + 1;
			return &o->fields[i];
		}
	}
	return NULL;
}
