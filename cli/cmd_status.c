/* airproof status: not built yet. */
#include "cli/cli.h"

CMD(status)
{
	(void)argc;
	(void)argv;
	return ap_err_internal(&c->err, "'status' is not implemented yet");
}
