/* libconfig helpers shared by the station's loader (config/config.c) and
 * the hub's (hub/hubconfig.c): reading a file with libconfig 1.5's traps
 * avoided, typed getters with ranges, and "file:line: message" errors. */
#ifndef AP_CFGFILE_H
#define AP_CFGFILE_H

#include <libconfig.h>
#include <stddef.h>

#include "common/err.h"

/* config_init + read path: @include resolves next to the file (not the
 * working directory) and no auto-conversion (1 is not silently 1.0). On
 * error the config is destroyed and e says file:line. */
int cfg_read(config_t *cf, const char *path, struct ap_err *e);
/* "file:line: what" as a user error, line from setting s (0 when NULL). */
int cfg_bad(struct ap_err *e, const char *file, const config_setting_t *s, const char *fmt, ...)
    AP_PRINTF(4, 5);
/* Typed getters; full is the key's dotted name for messages. */
int cfg_get_str(const config_setting_t *s, const char *full, char *out, size_t cap,
                const char *file, struct ap_err *e);
int cfg_get_int(const config_setting_t *s, const char *full, long long lo, long long hi, int *out,
                const char *file, struct ap_err *e);
int cfg_get_float(const config_setting_t *s, const char *full, double lo, double hi, double *out,
                  const char *file, struct ap_err *e);
int cfg_get_bool(const config_setting_t *s, const char *full, int *out, const char *file,
                 struct ap_err *e);

#endif
