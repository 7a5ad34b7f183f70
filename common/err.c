/* Error values shared by every module. */
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int err_set(struct ap_err *e, int code, const char *fmt, va_list ap)
{
	if (e) {
		e->code = code;
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	}
	return code;
}

int ap_err_user(struct ap_err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = err_set(e, AP_EUSER, fmt, ap);
	va_end(ap);
	return rc;
}

int ap_err_internal(struct ap_err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = err_set(e, AP_EINTERNAL, fmt, ap);
	va_end(ap);
	return rc;
}

int ap_err_prefix(struct ap_err *e, const char *fmt, ...)
{
	char prefix[256], old[sizeof(e->msg)];
	va_list ap;

	if (!e)
		return AP_EINTERNAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	snprintf(e->msg, sizeof(e->msg), "%s: %s", prefix, old);
	return e->code ? e->code : AP_EINTERNAL;
}

void ap_err_clear(struct ap_err *e)
{
	if (e) {
		e->code = AP_OK;
		e->msg[0] = '\0';
	}
}

int ap_exit_code(int rc)
{
	if (rc == AP_OK)
		return 0;
	return rc == AP_EUSER ? 1 : 2;
}
