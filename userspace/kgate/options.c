// SPDX-License-Identifier: GPL-2.0
/* kgate: global options, the network namespace, dispatch to the objects. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

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
	{ "apply", cmd_apply },
	{ "get", cmd_get },
	{ "monitor", cmd_monitor },
	{ "node", cmd_node },
	{ "listener", cmd_listener },
	{ "route", cmd_route },
	{ NULL, NULL },
};

static const struct option long_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "stats", no_argument, NULL, 's' },
	{ "netns", required_argument, NULL, 'n' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cli_options(int argc, char **argv, struct cli *cli, char *why,
		size_t whylen)
{
	int c;

	/*
	 * '+': stop at OBJECT, the rest is the command's; ':': report a
	 * missing value ourselves.  optind = 0 starts getopt afresh.
	 */
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:jpsn:Vh", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'j':
			cli->json = true;
			break;
		case 'p':
			cli->pretty = cli->json = true;
			break;
		case 's':
			cli->stats = true;
			break;
		case 'n':
			if (!*optarg) {
				snprintf(why, whylen, "empty network "
					 "namespace name after \"%s\"",
					 argv[optind - 1]);
				return -1;
			}
			cli->netns = optarg;
			break;
		case 'V':
			cli->version = true;
			break;
		case 'h':
			cli->help = true;
			break;
		case ':':
			snprintf(why, whylen, "missing NETNS after \"%s\"",
				 argv[optind - 1]);
			return -1;
		default:
			if (optopt)
				snprintf(why, whylen, "unknown option \"-%c\"; "
					 "try \"kgate help\"", optopt);
			else
				snprintf(why, whylen, "unknown option \"%s\"; "
					 "try \"kgate help\"",
					 argv[optind - 1]);
			return -1;
		}
	}
	return optind;
}

int cli_enter_netns(const char *name, char *why, size_t whylen)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", KGATE_NETNS_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		err = errno;
	if (fd >= 0)
		close(fd);
	if (err) {
		snprintf(why, whylen, "cannot enter netns %s: %s", name,
			 strerror(err));
		return -1;
	}
	return 0;
}

int cli_main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const struct object *ob;
	char why[PATH_MAX + 64];
	int i = cli_options(argc, argv, &cli, why, sizeof(why));

	if (i < 0)
		return usage_error(why);
	if (cli.version) {
		printf("kgate %s\n", KGATE_VERSION);
		return CLI_OK;
	}
	if (cli.help || (i < argc && !strcmp(argv[i], "help"))) {
		usage_main(stdout);
		return CLI_OK;
	}
	if (i == argc) {
		usage_main(stderr);
		return CLI_USAGE;
	}
	for (ob = objects; ob->name; ob++)
		if (!strcmp(argv[i], ob->name))
			break;
	if (!ob->name) {
		snprintf(why, sizeof(why), "unknown object \"%s\"; try "
			 "\"kgate help\"", argv[i]);
		return usage_error(why);
	}
	/* before any socket is opened: it belongs to the namespace then */
	if (cli.netns && cli_enter_netns(cli.netns, why, sizeof(why))) {
		fprintf(stderr, "kgate: %s\n", why);
		return CLI_FAIL;
	}
	return ob->run(&cli, argc - i, argv + i);
}
