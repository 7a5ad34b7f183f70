/* airproof log: not built yet. */
#include "cli/cli.h"

CMD(log)
{
	(void)argc;
	(void)argv;
	return ap_err_internal(&c->err, "'log' is not implemented yet");
}
