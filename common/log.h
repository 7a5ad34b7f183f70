/* One log module for every program: levels, printf-checked formats, plain
 * lines on stderr (journald adds the time). log_warn appends strerror(errno);
 * log_warnx does not. */
#ifndef AP_LOG_H
#define AP_LOG_H

#define AP_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* progname prefixes every line; level is the most verbose level printed. */
void log_init(const char *progname, enum log_level level);
void log_debug(const char *fmt, ...) AP_PRINTF(1, 2);
void log_info(const char *fmt, ...) AP_PRINTF(1, 2);
void log_warn(const char *fmt, ...) AP_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) AP_PRINTF(1, 2);
void log_error(const char *fmt, ...) AP_PRINTF(1, 2);

#endif
