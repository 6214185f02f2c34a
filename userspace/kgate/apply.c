// SPDX-License-Identifier: GPL-2.0
/*
 * kgate apply -f FILE|DIR|- ... [--dry-run] [--diff] [--prune]: Kubernetes
 * manifests to kernel state.  The desired state (libkgate-k8s) is compared
 * with the kernel's and only the difference is sent, in one transaction.
 * Every object made from manifests carries the owner KK_OWNER, so --prune
 * deletes only those, never what was added by hand.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kgate.h>

#include "cli.h"
#include "kk.h"

struct apply_opts {
	const char **paths;
	size_t n_paths;
	bool dry_run, diff, prune;
	struct kk_config cfg;
	char node[256];
};

static const char *op_kind(const struct kgate_op *op)
{
	return kgate_obj_kind_str(op->obj.kind);
}

static const char *op_verb(uint8_t cmd)
{
	switch (kgate_op_effect(cmd)) {
	case KGATE_OP_ADDS:
		return "add";
	case KGATE_OP_DELETES:
		return "del";
	default:
		return "replace";
	}
}

/*
 * One operation as the batch line that does it: the "save" forms write
 * "OBJECT replace NAME ...", whose verb is swapped for the operation's.
 */
static void print_op_line(FILE *f, const struct kgate_op *op)
{
	const char *verb = op_verb(op->cmd);
	char *line = NULL, *rest;
	size_t len = 0;
	FILE *m;

	if (!strcmp(verb, "del")) {
		fprintf(f, "%s del ", op_kind(op));
		cli_put_word(f, kgate_obj_name(&op->obj));
		fputc('\n', f);
		return;
	}
	m = open_memstream(&line, &len);
	if (!m)
		return;
	if (op->obj.kind == KGATE_OBJ_SERVICE)
		print_service_save(m, op->obj.svc);
	else if (op->obj.kind == KGATE_OBJ_LISTENER)
		print_listener_save(m, op->obj.lis);
	else
		print_route_save(m, op->obj.rt);
	fclose(m);
	rest = strstr(line, " replace ");
	if (rest)
		fprintf(f, "%s %s %s", op_kind(op), verb, rest + 9);
	free(line);
}

struct refused {
	const struct kgate_op *ops;
	size_t n;
};

static void on_refused(size_t index, const struct kgate_err *e, void *data)
{
	struct refused *r = data;
	char ctx[300];

	snprintf(ctx, sizeof(ctx), "%s %s %s", op_kind(&r->ops[index]),
		 op_verb(r->ops[index].cmd), kgate_obj_name(&r->ops[index].obj));
	print_refusal(ctx, e);
	r->n++;
}

static void summary(const struct kgate_op *ops, size_t n, size_t unchanged,
		    bool dry_run)
{
	size_t i, add = 0, del = 0;
	const char *verb;

	for (i = 0; i < n; i++) {
		verb = op_verb(ops[i].cmd);
		printf("%s %s %s%s\n", op_kind(&ops[i]), kgate_obj_name(&ops[i].obj),
		       !strcmp(verb, "add") ? "added" :
		       !strcmp(verb, "del") ? "deleted" : "replaced",
		       dry_run ? " (dry run)" : "");
		add += !strcmp(verb, "add");
		del += !strcmp(verb, "del");
	}
	printf("%zu added, %zu replaced, %zu deleted, %zu unchanged%s\n", add,
	       n - add - del, del, unchanged, dry_run ? " (dry run)" : "");
}

static size_t total(const struct kgate_state *st)
{
	return st->n_svcs + st->n_lis + st->n_rts;
}

/* Compare @want with the kernel and send the difference. */
static int sync_kernel(const struct apply_opts *o, struct kgate_state *want)
{
	struct kgate_op *ops = NULL;
	struct kgate_state have;
	struct refused r = { 0 };
	struct kgate_sock *s;
	struct kgate_err e;
	size_t n = 0, i, changed;
	int err;

	kgate_state_init(&have);
	if (kgate_open(&s, &e)) {
		print_err(NULL, &e);
		return CLI_FAIL;
	}
	err = kgate_state_read(s, &have, &e);
	if (err) {
		print_err("reading the kernel's state", &e);
		goto out;
	}
	err = kgate_state_normalise(&have);
	if (!err)
		err = kgate_diff(want, &have, o->prune ? kk_owned : NULL, NULL,
				 &ops, &n);
	if (err) {
		fprintf(stderr, "kgate: out of memory\n");
		goto out;
	}
	if (o->diff) {
		for (i = 0; i < n; i++)
			print_op_line(stdout, &ops[i]);
		goto out;
	}
	changed = 0;
	for (i = 0; i < n; i++)
		changed += strcmp(op_verb(ops[i].cmd), "del") != 0;
	if (!o->dry_run && n) {
		r.ops = ops;
		err = kgate_apply(s, ops, n, on_refused, &r, &e);
		if (err) {
			if (!r.n)
				print_err("apply", &e);
			fprintf(stderr, "kgate: nothing applied\n");
			goto out;
		}
	}
	summary(ops, n, total(want) - changed, o->dry_run);
out:
	free(ops);
	kgate_state_free(&have);
	kgate_close(s);
	return err ? CLI_FAIL : CLI_OK;
}

static int run(struct apply_opts *o)
{
	struct kgate_state want;
	struct kk_docs docs;
	struct kk_diag d;
	int err = 0, ret;
	size_t i;

	kk_docs_init(&docs);
	kk_diag_init(&d);
	for (i = 0; i < o->n_paths; i++) {
		int r = kk_load_path(&docs, o->paths[i], &d);

		if (r == -ENOMEM)
			err = r;
	}
	if (!err && !d.errors)
		err = kk_translate(&docs, &o->cfg, &want, &d);
	kk_diag_print(stderr, &d);
	if (err == -ENOMEM) {
		fprintf(stderr, "kgate: out of memory\n");
		ret = CLI_FAIL;
	} else if (err || d.errors) {
		fprintf(stderr, "kgate: %zu error%s: nothing applied\n",
			d.errors, d.errors == 1 ? "" : "s");
		ret = CLI_FAIL;
	} else {
		/* The documents are done with: give their memory back first. */
		kk_docs_free(&docs);
		ret = sync_kernel(o, &want);
		kgate_state_free(&want);
	}
	kk_diag_free(&d);
	kk_docs_free(&docs);
	return ret;
}

static int parse_args(struct apply_opts *o, int argc, char **argv)
{
	struct kgate_endpoint ep;
	char why[256];
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool val = i + 1 < argc;

		if ((!strcmp(a, "-f") || !strcmp(a, "--filename")) && val) {
			o->paths[o->n_paths++] = argv[++i];
		} else if (!strcmp(a, "--dry-run")) {
			o->dry_run = true;
		} else if (!strcmp(a, "--diff")) {
			o->diff = true;
		} else if (!strcmp(a, "--prune")) {
			o->prune = true;
		} else if (!strcmp(a, "--node") && val) {
			o->cfg.node_name = argv[++i];
		} else if (!strcmp(a, "--ingress-default")) {
			o->cfg.ingress_default_class = true;
		} else if (!strcmp(a, "--ingress") && val) {
			if (kgate_parse_endpoint(argv[++i], KGATE_EP_OPT_ADDR,
						 &ep, why, sizeof(why))) {
				fprintf(stderr, "kgate: --ingress: %s\n", why);
				return CLI_USAGE;
			}
			o->cfg.ingress_addr = ep.addr;
			/* "PORT" alone: every address */
			if (!strchr(argv[i], '.') && !strchr(argv[i], '['))
				o->cfg.ingress_addr.family = 0;
			o->cfg.ingress_port = ep.port;
		} else {
			fprintf(stderr, "kgate: apply: \"%s\" is not understood"
				"%s; see kgate apply help\n", a,
				val ? "" : " (or lacks its value)");
			return CLI_USAGE;
		}
	}
	if (!o->n_paths)
		return usage_error("apply: no -f FILE|DIR|-");
	return CLI_GO;
}

int cmd_apply(const struct cli *cli, int argc, char **argv)
{
	struct apply_opts o = { 0 };
	int ret;

	if (argc == 2 && is_help(argv[1])) {
		usage_apply(stdout);
		return CLI_OK;
	}
	if (cli->json)
		return usage_error("apply has no JSON output");
	o.paths = calloc((size_t)argc, sizeof(*o.paths));
	if (!o.paths)
		return CLI_FAIL;
	kk_config_init(&o.cfg);
	if (!gethostname(o.node, sizeof(o.node) - 1))
		o.cfg.node_name = o.node;
	ret = parse_args(&o, argc, argv);
	if (ret == CLI_GO)
		ret = run(&o);
	free(o.paths);
	return ret;
}
