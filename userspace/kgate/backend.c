// SPDX-License-Identifier: GPL-2.0
/* kgate backend add | del | set, and kgate flush */
#include "cli.h"

static int mutation(int argc, char **argv)
{
	struct cli_cmd c;
	char why[256];
	int ret;

	if (cli_parse_mutation(argc, argv, &c, why, sizeof(why)))
		ret = usage_error(why);
	else
		ret = cli_run_mutation(&c);
	cli_cmd_free(&c);
	return ret;
}

int cmd_backend(const struct cli *cli, int argc, char **argv)
{
	(void)cli;
	if (wants_help(argc, argv)) {
		usage_backend(stdout);
		return CLI_OK;
	}
	return mutation(argc, argv);
}

int cmd_flush(const struct cli *cli, int argc, char **argv)
{
	(void)cli;
	if (argc > 1 && is_help(argv[1])) {
		usage_main(stdout);
		return CLI_OK;
	}
	return mutation(argc, argv);
}
