// SPDX-License-Identifier: GPL-2.0
/* kgate: the command line tool; see options.c. */
#include "cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
