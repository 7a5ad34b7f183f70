/* The shared front end of the airproof and airproof-hub command lines:
 * global flags (--config FILE, --json) anywhere on the line, the verb table
 * lookup, --help/--version, and one printed line per error with the exit
 * status 0, 1 or 2. Each program keeps its own verb table, whose rows start
 * with a struct fe_verb. */
#ifndef AP_FRONTEND_H
#define AP_FRONTEND_H

#include <stdarg.h>
#include <stddef.h>

#include "common/err.h"

#define FE_MAX_ARGS 255

struct fe_verb {
	const char *name;
	const char *summary;
};

struct fe_program {
	const char *name;        /* "airproof" */
	const char *config_hint; /* the last line of the usage text */
	const void *verbs;       /* rows of verb_size bytes, each starting with a struct fe_verb */
	size_t verb_size, n_verbs;
};

struct fe_call {
	const char *config_path; /* --config, or NULL */
	int config_required;     /* the operator named the file */
	int json;                /* --json anywhere */
	size_t verb;             /* index into the verb table */
	int argc;                /* the verb and its arguments, globals removed */
	char *argv[FE_MAX_ARGS + 1];
};

/* Parse the command line. Returns -1 when call->verb is ready to run;
 * otherwise the exit status, after printing usage, the version or one
 * error line. */
int fe_parse(const struct fe_program *p, int argc, char **argv, struct fe_call *call);
/* Print a failed verb's message once and give the exit status. */
int fe_finish(const struct fe_program *p, int rc, const struct ap_err *err);

int fe_wants_help(int argc, char **argv);
/* Print a verb's usage text on stdout (for --help); returns AP_OK. */
int fe_usage(const char *text);
/* "VERB: what (see 'PROG VERB --help')" as a user error. */
int fe_vbad_usage(struct ap_err *e, const char *prog, const char *verb, const char *fmt, va_list ap)
    AP_PRINTF(4, 0);

#endif
