/* airproof sync: not built yet. */
#include "cli/cli.h"

CMD(sync)
{
	(void)argc;
	(void)argv;
	return ap_err_internal(&c->err, "'sync' is not implemented yet");
}
