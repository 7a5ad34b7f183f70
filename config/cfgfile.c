/* libconfig file reading and typed getters with file:line errors. */
#include "config/cfgfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cfg_read(config_t *cf, const char *path, struct ap_err *e)
{
	char dir[4096];
	int rc = AP_OK;

	config_init(cf);
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	config_set_include_dir(cf, dir);
	config_set_options(cf, 0);
	if (!config_read_file(cf, path)) {
		if (config_error_type(cf) == CONFIG_ERR_FILE_IO)
			rc = ap_err_user(e, "%s: cannot read config file", path);
		else
			rc = ap_err_user(e, "%s:%d: %s",
			                 config_error_file(cf) ? config_error_file(cf) : path,
			                 config_error_line(cf), config_error_text(cf));
		config_destroy(cf);
	}
	return rc;
}

int cfg_bad(struct ap_err *e, const char *file, const config_setting_t *s, const char *fmt, ...)
{
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ap_err_user(e, "%s:%d: %s", file, s ? (int)config_setting_source_line(s) : 0, what);
}

int cfg_get_str(const config_setting_t *s, const char *full, char *out, size_t cap,
                const char *file, struct ap_err *e)
{
	const char *v = config_setting_get_string(s);
	if (config_setting_type(s) != CONFIG_TYPE_STRING || !v)
		return cfg_bad(e, file, s, "%s: expected a string in quotes", full);
	if (strlen(v) >= cap)
		return cfg_bad(e, file, s, "%s: value is too long", full);
	snprintf(out, cap, "%s", v);
	return AP_OK;
}

int cfg_get_int(const config_setting_t *s, const char *full, long long lo, long long hi, int *out,
                const char *file, struct ap_err *e)
{
	int t = config_setting_type(s);
	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return cfg_bad(e, file, s, "%s: expected a whole number", full);
	/* int64: libconfig 1.5's int getter reads 0 for values past 32 bits */
	long long v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		return cfg_bad(e, file, s, "%s: out of range (%lld..%lld)", full, lo, hi);
	*out = (int)v;
	return AP_OK;
}

int cfg_get_float(const config_setting_t *s, const char *full, double lo, double hi, double *out,
                  const char *file, struct ap_err *e)
{
	int t = config_setting_type(s);
	double v;
	if (t == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
		v = (double)config_setting_get_int64(s);
	else
		return cfg_bad(e, file, s, "%s: expected a number", full);
	if (v < lo || v > hi)
		return cfg_bad(e, file, s, "%s: out of range (%g..%g)", full, lo, hi);
	*out = v;
	return AP_OK;
}

int cfg_get_bool(const config_setting_t *s, const char *full, int *out, const char *file,
                 struct ap_err *e)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cfg_bad(e, file, s, "%s: expected true or false", full);
	*out = config_setting_get_bool(s);
	return AP_OK;
}
