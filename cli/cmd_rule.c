/* airproof rule: not built yet. */
#include "cli/cli.h"

CMD(rule)
{
	(void)argc;
	(void)argv;
	return ap_err_internal(&c->err, "'rule' is not implemented yet");
}
