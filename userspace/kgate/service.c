// SPDX-License-Identifier: GPL-2.0
/* kgate service add | replace | del | show */
#include <string.h>

#include "cli.h"

struct show {
	const struct cli *cli;
	struct kgate_json j;
};

static int show_one(const struct kgate_service *svc, void *data)
{
	struct show *sh = data;

	if (sh->cli->json)
		print_service_json(&sh->j, svc, sh->cli->stats);
	else
		print_service_text(stdout, svc, sh->cli->stats);
	return 0;
}

static int show(const struct cli *cli, const char *name)
{
	struct show sh = { .cli = cli };
	struct kgate_service svc;
	struct kgate_sock *s;
	struct kgate_err e;
	int err;

	err = kgate_open(&s, &e);
	if (err) {
		print_err(NULL, &e);
		return CLI_FAIL;
	}
	kgate_service_init(&svc);
	if (name)	/* first, so that a refusal prints nothing on stdout */
		err = kgate_service_get(s, name, &svc, &e);
	if (!err) {
		kgate_json_init(&sh.j, stdout, cli->pretty);
		if (cli->json)
			kgate_json_arr_open(&sh.j);
		if (name)
			show_one(&svc, &sh);
		else
			err = kgate_service_dump(s, show_one, &sh, &e);
		if (cli->json) {
			kgate_json_arr_close(&sh.j);
			fputc('\n', stdout);
		}
	}
	kgate_service_free(&svc);
	kgate_close(s);
	if (err) {
		print_err(NULL, &e);
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_service(const struct cli *cli, int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : NULL;
	struct cli_cmd c;
	char why[256];
	int ret;

	if (verb && is_help(verb)) {
		usage_service(stdout);
		return CLI_OK;
	}
	if (!verb || !strcmp(verb, "show") || !strcmp(verb, "list")) {
		if (argc > 3)
			return usage_error("usage: kgate service show [NAME]");
		return show(cli, argc > 2 ? argv[2] : NULL);
	}
	if (cli_parse_mutation(argc, argv, &c, why, sizeof(why)))
		ret = usage_error(why);
	else
		ret = cli_run_mutation(&c);
	cli_cmd_free(&c);
	return ret;
}
