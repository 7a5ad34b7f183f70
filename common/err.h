/* Errors are values: functions return AP_OK or a negative code and fill an
 * ap_err with one line a person can act on. AP_EUSER is bad input from
 * outside (exit 1); AP_EINTERNAL is everything else (exit 2). */
#ifndef AP_ERR_H
#define AP_ERR_H

#include "common/log.h"

enum { AP_OK = 0, AP_EUSER = -1, AP_EINTERNAL = -2 };

struct ap_err {
	int code;
	char msg[512];
};

/* Set the message and return the code, so `return ap_err_user(e, ...)` reads
 * naturally. e may be NULL. */
int ap_err_user(struct ap_err *e, const char *fmt, ...) AP_PRINTF(2, 3);
int ap_err_internal(struct ap_err *e, const char *fmt, ...) AP_PRINTF(2, 3);
/* Prefix an existing message: "ctx: old message". Keeps the code. */
int ap_err_prefix(struct ap_err *e, const char *fmt, ...) AP_PRINTF(2, 3);
void ap_err_clear(struct ap_err *e);
/* Process exit status for a return code: 0, 1 (user) or 2 (internal). */
int ap_exit_code(int rc);

#endif
