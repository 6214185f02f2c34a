// SPDX-License-Identifier: GPL-2.0
/* kgate listener|route show|save: one by name, or all of them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int l7_from_kernel(void *ctx, const struct l7_query *q,
		   kgate_listener_cb lcb, kgate_route_cb rcb, void *data,
		   struct kgate_err *e)
{
	struct kgate_listener l;
	struct kgate_route r;
	struct kgate_sock *s;
	int err;

	(void)ctx;
	err = kgate_open(&s, e);
	if (err)
		return err;
	if (q->route && q->name) {
		err = kgate_route_get(s, q->name, &r, e);
		if (!err)
			rcb(&r, data);
		kgate_route_free(&r);
	} else if (q->route) {
		err = kgate_route_dump(s, rcb, data, e);
	} else if (q->name) {
		err = kgate_listener_get(s, q->name, &l, e);
		if (!err)
			lcb(&l, data);
		kgate_listener_free(&l);
	} else {
		err = kgate_listener_dump(s, lcb, data, e);
	}
	kgate_close(s);
	return err;
}

struct show {
	const struct cli *cli;
	const struct l7_query *q;
	struct held h;
};

static int show_listener(const struct kgate_listener *l, void *data)
{
	struct show *sh = data;

	if (sh->q->save)
		print_listener_save(sh->h.f, l);
	else if (sh->cli->json)
		print_listener_json(&sh->h.j, l, sh->cli->stats);
	else
		print_listener_text(sh->h.f, l, sh->cli->stats);
	return 0;
}

static int show_route(const struct kgate_route *r, void *data)
{
	struct show *sh = data;

	if (sh->q->save)
		print_route_save(sh->h.f, r);
	else if (sh->cli->json)
		print_route_json(&sh->h.j, r, sh->cli->stats);
	else
		print_route_text(sh->h.f, r, sh->cli->stats);
	return 0;
}

int l7_show_run(const struct cli *cli, const struct l7_query *q,
		l7_source src, void *ctx, FILE *out)
{
	struct show sh = { .cli = cli, .q = q };
	struct kgate_err e;
	int err;

	if (held_open(&sh.h, cli, cli->json && !q->save))
		return CLI_FAIL;
	err = src(ctx, q, show_listener, show_route, &sh, &e);
	return held_close(&sh.h, err, &e, out, NULL);
}
