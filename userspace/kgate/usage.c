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
	      "  kgate listener add|replace NAME ADDR:PORT [SPEC...]\n"
	      "  kgate listener del NAME | show [NAME] | save [NAME]\n"
	      "  kgate route add|replace NAME listener L... [SPEC...] rule "
	      "RULE...\n"
	      "  kgate route del NAME | show [NAME] | save [NAME]\n"
	      "  kgate flush         (services, listeners and routes)\n"
	      "  kgate stats\n"
	      "  kgate node set [local-range PREFIX]... | kgate node show\n"
	      "  kgate batch -f FILE|-\n"
	      "  kgate apply -f FILE|DIR|- ... [--dry-run] [--diff] [--prune]"
	      "   (Kubernetes manifests)\n"
	      "  kgate get [services|endpointslices|ingresses|httproutes] "
	      "[-o yaml|json]\n"
	      "  kgate monitor       (configuration events)\n"
	      "  kgate monitor access   (access-log records, combined log "
	      "format)\n"
	      "  kgate help | kgate OBJECT help | kgate OBJECT VERB help\n"
	      "Options (\"--\" ends them):\n"
	      "  -j, --json          JSON output\n"
	      "  -p, --pretty        pretty JSON (implies -j)\n"
	      "  -s, --stats         counters in service, listener and "
	      "route show\n"
	      "  -n, --netns NETNS   run in network namespace NETNS "
	      "(" KGATE_NETNS_DIR "/NETNS,\n"
	      "                      or a path such as /proc/PID/ns/net), "
	      "as ip -n\n"
	      "  -V, --version       print the version\n"
	      "  -h, --help          this help\n"
	      "Save and restore: kgate service save > FILE (and listener "
	      "save, route save);\n"
	      "  kgate batch -f FILE (one \"replace\" line per object, every "
	      "option; add a\n"
	      "  \"flush\" line first to drop the objects the file does not "
	      "have).\n"
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
	      "  owner WORD          who made it (kgate apply: k8s)\n"
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

void usage_apply(FILE *f)
{
	fputs("Usage: kgate apply -f FILE|DIR|- [-f ...] [--dry-run] [--diff] "
	      "[--prune]\n"
	      "                   [--node NAME] [--ingress [ADDR:]PORT] "
	      "[--ingress-default]\n"
	      "Kubernetes manifests (YAML or JSON; a directory's *.yaml, *.yml,"
	      " *.json) to kgate\n"
	      "services, listeners and routes.  Only what differs from the "
	      "kernel is sent, in\n"
	      "one transaction; a manifest set with any error applies "
	      "nothing.\n"
	      "  --dry-run           say what would change, change nothing\n"
	      "  --diff              print the commands apply would send "
	      "(a batch -f file),\n"
	      "                      change nothing\n"
	      "  --prune             also delete what earlier applies made "
	      "and the input no\n"
	      "                      longer has (never objects added by "
	      "hand)\n"
	      "  --node NAME         this node, for nodeName and the Local "
	      "policies (default:\n"
	      "                      the host name)\n"
	      "  --ingress [ADDR:]PORT   where Ingresses are served (default "
	      "every address, 80)\n"
	      "  --ingress-default   Ingresses without a class are kgate's\n",
	      f);
}

void usage_get(FILE *f)
{
	fputs("Usage: kgate get [services|endpointslices|ingresses|httproutes|"
	      "all] [-o yaml|json]\n"
	      "The kernel's state in Kubernetes terms: a table, or the objects"
	      " as YAML documents\n"
	      "or a JSON List.  kgate services NS/NAME:PORT are one Service "
	      "per NS/NAME, each\n"
	      "with an EndpointSlice per port; Ingress routes NS/NAME/HOST one"
	      " Ingress.\n", f);
}

void usage_listener(FILE *f)
{
	fputs("Usage: kgate listener add|replace NAME ADDR:PORT [SPEC...]\n"
	      "       kgate listener del NAME\n"
	      "       kgate listener show [NAME]   (-s: counters, -j: JSON)\n"
	      "       kgate listener save [NAME]   (replace lines for batch "
	      "-f)\n"
	      "ADDR:PORT: 0.0.0.0:80, [::]:80 (every address, both families), "
	      "198.18.0.1:8080,\n"
	      "  [fd00::1]:80.\n"
	      "SPEC, in any order:\n"
	      "  mode http                  (tls-terminate, tls-passthrough: "
	      "refused for now)\n"
	      "  default-backend SERVICE    where requests no route matches "
	      "go (default 404)\n"
	      "  owner WORD                 who made it (kgate apply: k8s)\n"
	      "  max-conns N                open client connections "
	      "(default 65536)\n"
	      "  trust-forwarded | no-trust-forwarded   keep the client's "
	      "X-Forwarded-*\n"
	      "  access-log | no-access-log   records for kgate monitor "
	      "access\n"
	      "  head-bytes SIZE   headers N   uri-bytes SIZE   body-bytes "
	      "SIZE|unlimited\n"
	      "  head-timeout T   idle-timeout T   connect-timeout T   "
	      "response-timeout T\n"
	      "SIZE: N, Nk, Nm (KiB, MiB).  T: N (milliseconds), Nms, Ns, Nm "
	      "(500ms, 5s, 2m).\n"
	      "Defaults: head-bytes 16384 headers 100 uri-bytes 8192 "
	      "body-bytes 1048576\n"
	      "  head-timeout 60s idle-timeout 75s connect-timeout 5s "
	      "response-timeout 60s.\n", f);
}

void usage_route(FILE *f)
{
	fputs("Usage: kgate route add|replace NAME listener LISTENER "
	      "[listener L2]... [SPEC...]\n"
	      "                 rule RULE [rule RULE]...\n"
	      "       kgate route del NAME\n"
	      "       kgate route show [NAME]      (-s: counters, -j: JSON)\n"
	      "       kgate route save [NAME]      (replace lines for batch "
	      "-f)\n"
	      "SPEC, before the first rule:\n"
	      "  kind ingress|httproute   (default ingress)\n"
	      "  host HOSTNAME            (repeatable; exact or *.wildcard; "
	      "none: any host)\n"
	      "  rewrite-target PATH      (ingress only)\n"
	      "  owner WORD               who made it (kgate apply: k8s)\n"
	      "  rate N [burst N]         (requests/s per client address)\n"
	      "  allow PREFIX             (repeatable: client source ranges)\n"
	      "RULE, the words up to the next \"rule\":\n"
	      "  match [exact|prefix|impl] PATH [method M] [header NAME=VALUE]"
	      "...\n"
	      "        [query NAME=VALUE]...   (repeatable; no match: prefix "
	      "/)\n"
	      "  backend SERVICE[@WEIGHT]      (repeatable; weight default "
	      "1)\n"
	      "  request-header set|add NAME=VALUE | request-header remove "
	      "NAME\n"
	      "  response-header set|add NAME=VALUE | response-header remove "
	      "NAME\n"
	      "  redirect [scheme http|https] [hostname H] [port P] "
	      "[path full|prefix PATH]\n"
	      "           [status N]\n"
	      "  rewrite [hostname H] [path full|prefix PATH]\n"
	      "Example:\n"
	      "  kgate route add default/shop listener web host "
	      "shop.example.com \\\n"
	      "      rule match prefix /api backend default/api:80@9 "
	      "backend default/api-canary:80@1 \\\n"
	      "      rule match exact / backend default/web:80\n", f);
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
