/* Plain stderr logging shared by airproof, airproofd and airproof-hub. */
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *log_prog = "airproof";
static enum log_level log_max = LOG_LVL_INFO;

void log_init(const char *progname, enum log_level level)
{
	log_prog = progname;
	log_max = level;
}

static void log_emit(enum log_level lvl, int errnum, const char *fmt, va_list ap)
{
	char line[2048];

	if (lvl > log_max)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (errnum)
		fprintf(stderr, "%s: %s: %s\n", log_prog, line, strerror(errnum));
	else
		fprintf(stderr, "%s: %s\n", log_prog, line);
}

#define LOG_FN(name, lvl, with_errno)                           \
	void name(const char *fmt, ...)                         \
	{                                                       \
		int saved = errno;                              \
		va_list ap;                                     \
		va_start(ap, fmt);                              \
		log_emit(lvl, with_errno ? saved : 0, fmt, ap); \
		va_end(ap);                                     \
		errno = saved;                                  \
	}

LOG_FN(log_debug, LOG_LVL_DEBUG, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)
LOG_FN(log_error, LOG_LVL_ERROR, 0)
