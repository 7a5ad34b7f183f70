/* airproof plan: not built yet. */
#include "cli/cli.h"

CMD(plan)
{
	(void)argc;
	(void)argv;
	return ap_err_internal(&c->err, "'plan' is not implemented yet");
}
