/* airproof clip: not built yet. */
#include "cli/cli.h"

CMD(clip)
{
	(void)argc;
	(void)argv;
	return ap_err_internal(&c->err, "'clip' is not implemented yet");
}
