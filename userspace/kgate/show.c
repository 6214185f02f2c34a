// SPDX-License-Identifier: GPL-2.0
/*
 * kgate service show | save: all services, one by name, or the ones that
 * own a frontend.  The kernel has no lookup by frontend; that one is a
 * dump filtered here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "cli.h"

/* "KIND ADDR:PORT[/PROTO] [PROTO]" at the cursor, KIND already taken. */
static int frontend_query(struct args *a, const char *kw,
			  struct show_query *q)
{
	unsigned int flags = KGATE_EP_PROTO, kind = 0;
	struct kgate_endpoint ep;
	const char *text, *proto;
	char why[120];

	if (strcmp(kw, "vip") && !kgate_value_of(kgate_kind_names, kw, &kind))
		return args_fail(a, "unknown frontend kind \"%s\" (expected "
				 "cluster, external, loadbalancer, nodeport "
				 "or vip)", kw);
	q->any_kind = !strcmp(kw, "vip");
	q->fe.kind = (uint8_t)kind;
	if (!q->any_kind && kind == KGATE_FE_NODEPORT)
		flags |= KGATE_EP_OPT_ADDR;
	if (args_value(a, kw, &text))
		return -1;
	if (kgate_parse_endpoint(text, flags, &ep, why, sizeof(why)))
		return args_fail(a, "%s \"%s\": %s", kw, text, why);
	/* "nodeport 30080": that port on whatever address */
	q->any_addr = (flags & KGATE_EP_OPT_ADDR) && text[0] != '[' &&
		      !strchr(text, ':');
	q->fe.addr = ep.addr;
	q->fe.port = ep.port;
	q->fe.proto = ep.proto;
	q->any_proto = !ep.has_proto;
	proto = args_next(a);
	if (proto) {
		if (ep.has_proto)
			return args_fail(a, "protocol given twice (\"%s\" "
					 "after \"%s\")", proto, text);
		if (kgate_parse_proto(proto, &q->fe.proto, why, sizeof(why)))
			return args_fail(a, "%s", why);
		q->any_proto = false;
	}
	snprintf(q->desc, sizeof(q->desc), "%s %s%s%s", kw, text,
		 proto ? " " : "", proto ? proto : "");
	q->by_frontend = true;
	return args_end(a);
}

int show_parse(int argc, char **argv, struct show_query *q, char *why,
	       size_t whylen)
{
	bool save = q->save;
	const char *tok;
	struct args a;

	memset(q, 0, sizeof(*q));
	q->save = save;
	args_init(&a, argc, argv, why, whylen);
	tok = args_next(&a);
	if (!tok)
		return 0;
	if (argc == 1) {
		q->name = tok;
		return 0;
	}
	return frontend_query(&a, tok, q);
}

bool show_match(const struct show_query *q, const struct kgate_service *svc)
{
	const struct kgate_frontend *fe;
	size_t i;

	if (!q->by_frontend)
		return true;
	for (i = 0; i < svc->n_frontends; i++) {
		fe = &svc->frontends[i];
		if ((q->any_kind || fe->kind == q->fe.kind) &&
		    (q->any_addr || kgate_addr_equal(&fe->addr, &q->fe.addr)) &&
		    fe->port == q->fe.port &&
		    (q->any_proto || fe->proto == q->fe.proto))
			return true;
	}
	return false;
}

int show_from_kernel(void *ctx, const struct show_query *q,
		     kgate_service_cb cb, void *data, struct kgate_err *e)
{
	struct kgate_service svc;
	struct kgate_sock *s;
	int err;

	(void)ctx;
	err = kgate_open(&s, e);
	if (err)
		return err;
	if (q->name) {
		err = kgate_service_get(s, q->name, &svc, e);
		if (!err)
			cb(&svc, data);
		kgate_service_free(&svc);
	} else {
		err = kgate_service_dump(s, cb, data, e);
	}
	kgate_close(s);
	return err;
}

struct show {
	const struct cli *cli;
	const struct show_query *q;
	struct held h;
	size_t n;
};

static int show_one(const struct kgate_service *svc, void *data)
{
	struct show *sh = data;

	if (!show_match(sh->q, svc))
		return 0;
	sh->n++;
	if (sh->q->save)
		print_service_save(sh->h.f, svc);
	else if (sh->cli->json)
		print_service_json(&sh->h.j, svc, sh->cli->stats);
	else
		print_service_text(sh->h.f, svc, sh->cli->stats);
	return 0;
}

int show_run(const struct cli *cli, const struct show_query *q,
	     show_source src, void *ctx, FILE *out)
{
	struct show sh = { .cli = cli, .q = q };
	char none[160];
	struct kgate_err e;
	int err;

	if (held_open(&sh.h, cli, cli->json && !q->save))
		return CLI_FAIL;
	err = src(ctx, q, show_one, &sh, &e);
	if (q->by_frontend)
		snprintf(none, sizeof(none), "no service has frontend %s",
			 q->desc);
	return held_close(&sh.h, err, &e, out,
			  q->by_frontend && !sh.n ? none : NULL);
}
