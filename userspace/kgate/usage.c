// SPDX-License-Identifier: GPL-2.0
/* Usage texts. */
#include <string.h>

#include "cli.h"

bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "-h") ||
	       !strcmp(arg, "--help");
}

bool wants_help(int argc, char **argv)
{
	return (argc > 1 && is_help(argv[1])) ||
	       (argc > 2 && is_help(argv[2]));
}

void usage_main(FILE *f)
{
	fputs("Usage: kgate [OPTIONS] OBJECT VERB ...\n"
	      "  kgate service add|replace NAME SPEC...\n"
	      "  kgate service del NAME\n"
	      "  kgate service show [NAME | KIND ADDR:PORT[/PROTO] [PROTO]]\n"
	      "  kgate service save [NAME | KIND ADDR:PORT[/PROTO] [PROTO]]"
	      "   (for batch -f)\n"
	      "  kgate backend add|del|set SERVICE ADDR:PORT [OPTIONS]\n"
	      "  kgate flush\n"
	      "  kgate stats\n"
	      "  kgate node set [local-range PREFIX]... | kgate node show\n"
	      "  kgate batch -f FILE|-\n"
	      "  kgate monitor\n"
	      "  kgate help | kgate OBJECT help | kgate OBJECT VERB help\n"
	      "Options (\"--\" ends them):\n"
	      "  -j, --json          JSON output\n"
	      "  -p, --pretty        pretty JSON (implies -j)\n"
	      "  -s, --stats         counters in service show (new "
	      "connections, packets, bytes)\n"
	      "  -n, --netns NETNS   run in network namespace NETNS "
	      "(" KGATE_NETNS_DIR "/NETNS,\n"
	      "                      or a path such as /proc/PID/ns/net), "
	      "as ip -n\n"
	      "  -V, --version       print the version\n"
	      "  -h, --help          this help\n"
	      "Save and restore: kgate service save > FILE; kgate batch -f "
	      "FILE\n"
	      "  (one \"service replace\" line per service, every option; "
	      "add a \"flush\"\n"
	      "  line first to drop the services the file does not have).\n"
	      "Exit status: 0 ok, 1 refused or failed, 2 usage error.\n", f);
}

void usage_service(FILE *f)
{
	fputs("Usage: kgate service add|replace NAME SPEC...\n"
	      "       kgate service del NAME\n"
	      "       kgate service show [NAME | KIND ADDR:PORT[/PROTO] "
	      "[PROTO]]\n"
	      "       kgate service save [NAME | KIND ADDR:PORT[/PROTO] "
	      "[PROTO]]\n"
	      "SPEC, in any order:\n"
	      "  cluster ADDR:PORT[/PROTO]     external ADDR:PORT[/PROTO]\n"
	      "  loadbalancer ADDR:PORT[/PROTO]\n"
	      "  nodeport [ADDR:]PORT[/PROTO]  (no ADDR: 0.0.0.0; [::]:PORT "
	      "for IPv6)\n"
	      "  backend ADDR:PORT [weight N] [state ready|serving|"
	      "terminating] [local|nolocal]\n"
	      "  scheduler maglev|rr   table-size N   affinity none|clientip"
	      "   timeout SECONDS\n"
	      "  external-policy cluster|local   internal-policy "
	      "cluster|local\n"
	      "  source-range PREFIX\n"
	      "PROTO: tcp (default), udp or sctp, in any case (TCP as "
	      "Kubernetes writes it).\n"
	      "IPv6 in brackets: [fd00::1]:80.\n"
	      "show KIND ADDR:PORT: the services that own that frontend; KIND "
	      "is cluster,\n"
	      "  external, loadbalancer, nodeport (\"nodeport PORT\": on any "
	      "address) or vip\n"
	      "  (any kind); no PROTO: any protocol.  The kernel has no lookup"
	      " by frontend:\n"
	      "  kgate dumps every service and picks them out.\n"
	      "save: one \"service replace NAME ...\" line per service with "
	      "every option,\n"
	      "  that \"kgate batch -f FILE\" restores as it was.\n", f);
}

void usage_backend(FILE *f)
{
	fputs("Usage: kgate backend add SERVICE ADDR:PORT [weight N] "
	      "[state S] [local|nolocal]\n"
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
