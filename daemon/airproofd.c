/* airproofd: the station's playout daemon. Not built yet. */
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "airproofd: not implemented yet\n");
	return 2;
}
