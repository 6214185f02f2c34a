// SPDX-License-Identifier: GPL-2.0
/* Usage texts. */
#include <string.h>

#include "cli.h"

bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "-h") ||
	       !strcmp(arg, "--help");
}

void usage_main(FILE *f)
{
	fputs("Usage: kgate [-j] [-p] [-s] OBJECT VERB ...\n"
	      "  kgate service add|replace NAME SPEC...\n"
	      "  kgate service del NAME\n"
	      "  kgate service show [NAME]\n"
	      "  kgate backend add|del|set SERVICE ADDR:PORT [OPTIONS]\n"
	      "  kgate flush\n"
	      "  kgate stats\n"
	      "  kgate batch -f FILE|-\n"
	      "  kgate monitor\n"
	      "  kgate help | kgate OBJECT help\n"
	      "Options: -j JSON output, -p pretty JSON (implies -j), "
	      "-s counters\n"
	      "  (service show: new connections, packets, bytes), -h help.\n"
	      "Exit status: 0 ok, 1 refused or failed, 2 usage error.\n", f);
}

void usage_service(FILE *f)
{
	fputs("Usage: kgate service add|replace NAME SPEC...\n"
	      "       kgate service del NAME\n"
	      "       kgate service show [NAME]\n"
	      "SPEC, in any order:\n"
	      "  cluster ADDR:PORT[/PROTO]     external ADDR:PORT[/PROTO]\n"
	      "  loadbalancer ADDR:PORT[/PROTO]\n"
	      "  nodeport [ADDR:]PORT[/PROTO]  (no ADDR: 0.0.0.0; [::]:PORT "
	      "for IPv6)\n"
	      "  backend ADDR:PORT [weight N] [state ready|serving|"
	      "terminating] [local]\n"
	      "  scheduler maglev|rr   table-size N   affinity none|clientip"
	      "   timeout SECONDS\n"
	      "  external-policy cluster|local   internal-policy "
	      "cluster|local\n"
	      "  source-range PREFIX\n"
	      "PROTO: tcp (default), udp or sctp.  IPv6 in brackets: "
	      "[fd00::1]:80.\n", f);
}

void usage_backend(FILE *f)
{
	fputs("Usage: kgate backend add SERVICE ADDR:PORT [weight N] "
	      "[state S] [local]\n"
	      "       kgate backend del SERVICE ADDR:PORT\n"
	      "       kgate backend set SERVICE ADDR:PORT [weight N] "
	      "[state S] [local|nolocal]\n"
	      "S: ready, serving or terminating.\n", f);
}

void usage_batch(FILE *f)
{
	fputs("Usage: kgate batch -f FILE|-\n"
	      "One command per line without \"kgate\"; '#' comments and blank"
	      " lines are skipped.\n"
	      "All lines are applied as one transaction, or none is.\n", f);
}

int no_args(int argc, char **argv)
{
	char why[128];

	if (argc <= 1)
		return CLI_GO;
	if (is_help(argv[1])) {
		usage_main(stdout);
		return CLI_OK;
	}
	snprintf(why, sizeof(why), "unexpected argument \"%s\"", argv[1]);
	return usage_error(why);
}
