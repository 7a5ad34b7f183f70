/* airproof export: not built yet. */
#include "cli/cli.h"

CMD(export)
{
	(void)argc;
	(void)argv;
	return ap_err_internal(&c->err, "'export' is not implemented yet");
}
