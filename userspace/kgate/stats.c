// SPDX-License-Identifier: GPL-2.0
/* kgate stats */
#include "cli.h"

int cmd_stats(const struct cli *cli, int argc, char **argv)
{
	struct kgate_stats st;
	struct kgate_sock *s;
	struct kgate_json j;
	struct kgate_err e;
	int err;

	err = no_args(argc, argv);
	if (err != CLI_GO)
		return err;
	err = kgate_open(&s, &e);
	if (!err) {
		err = kgate_stats_get(s, &st, &e);
		kgate_close(s);
	}
	if (err) {
		print_err(NULL, &e);
		return CLI_FAIL;
	}
	if (cli->json) {
		kgate_json_init(&j, stdout, cli->pretty);
		print_stats_json(&j, &st);
		fputc('\n', stdout);
	} else {
		print_stats_text(stdout, &st);
	}
	return CLI_OK;
}
