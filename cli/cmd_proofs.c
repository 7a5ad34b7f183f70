/* airproof proofs: not built yet. */
#include "cli/cli.h"

CMD(proofs)
{
	(void)argc;
	(void)argv;
	return ap_err_internal(&c->err, "'proofs' is not implemented yet");
}
