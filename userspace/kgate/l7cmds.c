// SPDX-License-Identifier: GPL-2.0
/* kgate listener|route add | replace | del | show | save */
#include <string.h>

#include "cli.h"

static int show(const struct cli *cli, bool route, bool save, int argc,
		char **argv)
{
	struct l7_query q = { .route = route, .save = save };
	const char *object = route ? "route" : "listener";
	char why[160];

	if (save && cli->json) {
		snprintf(why, sizeof(why), "\"%s save\" writes commands for "
			 "\"kgate batch\"; it has no JSON form", object);
		return usage_error(why);
	}
	if (argc > 1) {
		snprintf(why, sizeof(why), "unexpected argument \"%s\"; usage:"
			 " kgate %s %s [NAME]", argv[1], object,
			 save ? "save" : "show");
		return usage_error(why);
	}
	q.name = argc ? argv[0] : NULL;
	return l7_show_run(cli, &q, l7_from_kernel, NULL, stdout);
}

static int run(const struct cli *cli, bool route, int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : NULL;
	struct cli_cmd c;
	char why[256];
	int ret;

	if (wants_help(argc, argv)) {
		if (route)
			usage_route(stdout);
		else
			usage_listener(stdout);
		return CLI_OK;
	}
	if (!verb || !strcmp(verb, "show") || !strcmp(verb, "list"))
		return show(cli, route, false, argc > 2 ? argc - 2 : 0,
			    argv + 2);
	if (!strcmp(verb, "save"))
		return show(cli, route, true, argc - 2, argv + 2);
	if (cli_parse_mutation(argc, argv, &c, why, sizeof(why)))
		ret = usage_error(why);
	else
		ret = cli_run_mutation(&c);
	cli_cmd_free(&c);
	return ret;
}

int cmd_listener(const struct cli *cli, int argc, char **argv)
{
	return run(cli, false, argc, argv);
}

int cmd_route(const struct cli *cli, int argc, char **argv)
{
	return run(cli, true, argc, argv);
}
