/* The recording output used by the playout and daemon tests. */
#include "tests/unit/support/rec_out.h"

#include <stdlib.h>
#include <string.h>

static int rec_open(void *impl, int rate, int channels, struct ap_err *e)
{
	struct rec_out *r = impl;
	(void)rate;
	(void)channels;
	r->opens++;
	if (r->fail_open)
		return ap_err_user(e, "test device cannot be opened");
	return AP_OK;
}

static int rec_write(void *impl, const void *buf, size_t len, struct ap_err *e)
{
	struct rec_out *r = impl;
	r->writes++;
	if (r->fail_write_from && r->writes >= r->fail_write_from)
		return ap_err_user(e, "test device write failed");
	if (r->len + len > r->cap) {
		size_t cap = (r->cap ? r->cap * 2 : 65536);
		while (cap < r->len + len)
			cap *= 2;
		uint8_t *d = realloc(r->data, cap);
		if (!d)
			return ap_err_internal(e, "out of memory");
		r->data = d;
		r->cap = cap;
	}
	memcpy(r->data + r->len, buf, len);
	r->len += len;
	if (len > r->max_write)
		r->max_write = len;
	return AP_OK;
}

static void rec_close(void *impl)
{
	((struct rec_out *)impl)->closes++;
}

static void rec_destroy(void *impl)
{
	struct rec_out *r = impl;
	free(r->data);
	free(r);
}

static const struct play_out_ops rec_ops = {
	.open = rec_open,
	.write = rec_write,
	.close = rec_close,
	.destroy = rec_destroy,
};

int rec_out_create(struct rec_out **rec, struct play_out **out)
{
	struct ap_err e;
	struct rec_out *r = calloc(1, sizeof(*r));
	if (!r)
		return AP_EINTERNAL;
	*rec = r;
	return play_out_create(&rec_ops, r, "test", out, &e);
}
