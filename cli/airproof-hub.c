/* airproof-hub: the provincial server's command line. Not built yet. */
#include <stdio.h>

#include "common/err.h"

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "airproof-hub: not implemented yet\n");
	return 2;
}
