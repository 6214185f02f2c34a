// SPDX-License-Identifier: GPL-2.0
/*
 * kgate node set [local-range PREFIX]...
 * kgate node show
 *
 * The node's settings, whole: "set" replaces them, so "node set" alone
 * clears them.  "show" prints them in the syntax "set" reads.
 */
#include <string.h>

#include "cli.h"

void usage_node(FILE *f)
{
	fputs("Usage: kgate node set [local-range PREFIX]...\n"
	      "       kgate node show\n"
	      "local-range: the cluster's Pod addresses (kube-proxy's "
	      "--cluster-cidr), at most\n"
	      "  64.  Traffic from them, or from the node itself, to a "
	      "LoadBalancer IP,\n"
	      "  externalIP or NodePort of an externalTrafficPolicy=Local "
	      "service goes to\n"
	      "  every backend of the service, as kube-proxy sends it.\n"
	      "set replaces the settings whole; \"node set\" alone clears "
	      "them.\n", f);
}

static int node_args(int argc, char **argv, struct kgate_node *node)
{
	char why[160];
	int i;

	memset(node, 0, sizeof(*node));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "local-range") || i + 1 == argc) {
			snprintf(why, sizeof(why),
				 "node set: expected \"local-range PREFIX\", got \"%s\"",
				 argv[i]);
			return usage_error(why);
		}
		if (node->n_local == KGATE_RANGES_MAX)
			return usage_error("node set: more than 64 local ranges");
		if (kgate_parse_prefix(argv[++i], &node->local[node->n_local],
				       why, sizeof(why)))
			return usage_error(why);
		node->n_local++;
	}
	return CLI_GO;
}

void print_node_text(FILE *f, const struct kgate_node *node)
{
	char pfx[64];
	size_t i;

	fputs("node set", f);
	for (i = 0; i < node->n_local; i++)
		fprintf(f, " local-range %s",
			kgate_prefix_str(&node->local[i], pfx, sizeof(pfx)));
	fputc('\n', f);
}

void print_node_json(struct kgate_json *j, const struct kgate_node *node)
{
	char pfx[64];
	size_t i;

	kgate_json_obj_open(j);
	kgate_json_key(j, "local_ranges");
	kgate_json_arr_open(j);
	for (i = 0; i < node->n_local; i++)
		kgate_json_str(j, kgate_prefix_str(&node->local[i], pfx,
						   sizeof(pfx)));
	kgate_json_arr_close(j);
	kgate_json_obj_close(j);
}

int cmd_node(const struct cli *cli, int argc, char **argv)
{
	struct kgate_node node;
	struct kgate_sock *s;
	struct kgate_json j;
	struct kgate_err e;
	bool set;
	int err;

	if (argc < 2 || wants_help(argc, argv)) {
		usage_node(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	set = !strcmp(argv[1], "set");
	if (!set && strcmp(argv[1], "show"))
		return usage_error("node: the verbs are set and show");
	if (set) {
		err = node_args(argc - 2, argv + 2, &node);
		if (err != CLI_GO)
			return err;
	} else if (argc > 2) {
		return usage_error("node show takes no argument");
	}

	err = kgate_open(&s, &e);
	if (!err) {
		err = set ? kgate_node_set(s, &node, &e) :
			    kgate_node_get(s, &node, &e);
		kgate_close(s);
	}
	if (err) {
		print_err(set ? "node set" : "node show", &e);
		return CLI_FAIL;
	}
	if (set)
		return CLI_OK;
	if (cli->json) {
		kgate_json_init(&j, stdout, cli->pretty);
		print_node_json(&j, &node);
		fputc('\n', stdout);
	} else {
		print_node_text(stdout, &node);
	}
	return CLI_OK;
}
