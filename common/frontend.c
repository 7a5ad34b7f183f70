/* Global flags, verb lookup and exit statuses shared by both command lines. */
#include "common/frontend.h"

#include <stdio.h>
#include <string.h>

static const struct fe_verb *verb_at(const struct fe_program *p, size_t i)
{
	return (const struct fe_verb *)(const void *)((const char *)p->verbs + i * p->verb_size);
}

static void usage(const struct fe_program *p, FILE *f)
{
	fprintf(f, "usage: %s [--config FILE] COMMAND [ARGS] [--json]\n\ncommands:\n", p->name);
	for (size_t i = 0; i < p->n_verbs; i++)
		fprintf(f, "  %-8s %s\n", verb_at(p, i)->name, verb_at(p, i)->summary);
	fprintf(f, "\n'%s COMMAND --help' explains one command.\n%s\n", p->name, p->config_hint);
}

int fe_parse(const struct fe_program *p, int argc, char **argv, struct fe_call *call)
{
	memset(call, 0, sizeof(*call));
	if (argc > FE_MAX_ARGS) {
		fprintf(stderr, "%s: too many arguments\n", p->name);
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "%s: --config needs a file name\n", p->name);
				return 1;
			}
			call->config_path = argv[++i];
			call->config_required = 1;
		} else if (!strncmp(argv[i], "--config=", 9)) {
			call->config_path = argv[i] + 9;
			call->config_required = 1;
		} else if (!strcmp(argv[i], "--json")) {
			call->json = 1;
		} else {
			call->argv[call->argc++] = argv[i];
		}
	}
	call->argv[call->argc] = NULL;
	const char *first = call->argc ? call->argv[0] : NULL;
	if (!first || !strcmp(first, "--help") || !strcmp(first, "-h") || !strcmp(first, "help")) {
		usage(p, first ? stdout : stderr);
		return first ? 0 : 1;
	}
	if (!strcmp(first, "--version")) {
		printf("%s " AP_VERSION "\n", p->name);
		return 0;
	}
	for (size_t i = 0; i < p->n_verbs; i++) {
		if (!strcmp(first, verb_at(p, i)->name)) {
			call->verb = i;
			return -1;
		}
	}
	fprintf(stderr, "%s: unknown command '%s' (see '%s --help')\n", p->name, first, p->name);
	return 1;
}

int fe_finish(const struct fe_program *p, int rc, const struct ap_err *err)
{
	if (rc != AP_OK)
		fprintf(stderr, "%s: %s\n", p->name, err->msg[0] ? err->msg : "internal error");
	return ap_exit_code(rc);
}

int fe_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

int fe_usage(const char *text)
{
	fputs(text, stdout);
	return AP_OK;
}

int fe_vbad_usage(struct ap_err *e, const char *prog, const char *verb, const char *fmt, va_list ap)
{
	char what[400];
	vsnprintf(what, sizeof(what), fmt, ap);
	return ap_err_user(e, "%s: %s (see '%s %s --help')", verb, what, prog, verb);
}
