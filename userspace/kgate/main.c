// SPDX-License-Identifier: GPL-2.0
/* kgate: global options and dispatch to the objects. */
#include <string.h>

#include "cli.h"

struct object {
	const char *name;
	int (*run)(const struct cli *cli, int argc, char **argv);
};

static const struct object objects[] = {
	{ "service", cmd_service },
	{ "backend", cmd_backend },
	{ "flush", cmd_flush },
	{ "stats", cmd_stats },
	{ "batch", cmd_batch },
	{ "monitor", cmd_monitor },
	{ NULL, NULL },
};

/*
 * Global options before OBJECT; returns the index of OBJECT, or -1 with
 * *@bad set to the option not understood.
 */
static int options(int argc, char **argv, struct cli *cli, bool *help,
		   const char **bad)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *o = argv[i];

		*bad = o;
		if (!strcmp(o, "--json")) {
			cli->json = true;
		} else if (!strcmp(o, "--pretty")) {
			cli->pretty = cli->json = true;
		} else if (!strcmp(o, "--stats")) {
			cli->stats = true;
		} else if (!strcmp(o, "--help")) {
			*help = true;
		} else if (o[1] == '-') {
			return -1;
		} else {
			for (o++; *o; o++) {
				if (*o == 'j')
					cli->json = true;
				else if (*o == 'p')
					cli->pretty = cli->json = true;
				else if (*o == 's')
					cli->stats = true;
				else if (*o == 'h')
					*help = true;
				else
					return -1;
			}
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const struct object *ob;
	const char *bad = NULL;
	bool help = false;
	char why[160];
	int i = options(argc, argv, &cli, &help, &bad);

	if (i < 0) {
		snprintf(why, sizeof(why),
			 "unknown option \"%s\"; try \"kgate help\"", bad);
		return usage_error(why);
	}
	if (help || (i < argc && !strcmp(argv[i], "help"))) {
		usage_main(stdout);
		return CLI_OK;
	}
	if (i == argc) {
		usage_main(stderr);
		return CLI_USAGE;
	}
	for (ob = objects; ob->name; ob++)
		if (!strcmp(argv[i], ob->name))
			return ob->run(&cli, argc - i, argv + i);
	snprintf(why, sizeof(why), "unknown object \"%s\"; try \"kgate help\"",
		 argv[i]);
	return usage_error(why);
}
