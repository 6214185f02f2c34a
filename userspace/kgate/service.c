// SPDX-License-Identifier: GPL-2.0
/* kgate service add | replace | del | show | save */
#include <string.h>

#include "cli.h"

static int show(const struct cli *cli, bool save, int argc, char **argv)
{
	struct show_query q = { .save = save };
	char why[256];

	if (save && cli->json)
		return usage_error("\"service save\" writes commands for "
				   "\"kgate batch\"; it has no JSON form");
	if (show_parse(argc, argv, &q, why, sizeof(why))) {
		fprintf(stderr, "kgate: %s\n", why);
		return usage_error(save ? "usage: kgate service save [NAME | "
				   "KIND ADDR:PORT[/PROTO] [PROTO]]" :
				   "usage: kgate service show [NAME | KIND "
				   "ADDR:PORT[/PROTO] [PROTO]]");
	}
	return show_run(cli, &q, show_from_kernel, NULL, stdout);
}

int cmd_service(const struct cli *cli, int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : NULL;
	struct cli_cmd c;
	char why[256];
	int ret;

	if (wants_help(argc, argv)) {
		usage_service(stdout);
		return CLI_OK;
	}
	if (!verb || !strcmp(verb, "show") || !strcmp(verb, "list"))
		return show(cli, false, argc > 2 ? argc - 2 : 0, argv + 2);
	if (!strcmp(verb, "save"))
		return show(cli, true, argc - 2, argv + 2);
	if (cli_parse_mutation(argc, argv, &c, why, sizeof(why)))
		ret = usage_error(why);
	else
		ret = cli_run_mutation(&c);
	cli_cmd_free(&c);
	return ret;
}
