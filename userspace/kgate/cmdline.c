// SPDX-License-Identifier: GPL-2.0
/*
 * One configuration change: "service add|replace|del", "backend ...",
 * "listener add|replace|del", "route add|replace|del", flush.
 */
#include <string.h>

#include <linux/kgate.h>

#include "cli.h"

static bool is(const char *s, const char *a, const char *b)
{
	return s && (!strcmp(s, a) || (b && !strcmp(s, b)));
}

static int service_name(struct args *a, const char *what, struct cli_cmd *c)
{
	const char *name = args_next(a);

	if (!name)
		return args_fail(a, "missing %s NAME", what);
	c->has_svc = true;
	c->obj = KGATE_OBJ_SERVICE;
	if (kgate_service_set_name(&c->svc, name))
		return args_fail(a, "out of memory");
	return 0;
}

/* The NAME of a listener or route command into *@field. */
static int l7_name(struct args *a, const char *what, char **field)
{
	const char *name = args_next(a);

	if (!name)
		return args_fail(a, "missing %s NAME", what);
	if (kgate_set_str(field, name))
		return args_fail(a, "out of memory");
	return 0;
}

/*
 * "listener VERB ..." and "route VERB ...": @cmds are the ADD, REPLACE
 * and DEL commands of the object.
 */
static int parse_l7(struct args *a, const char *object, const char *verb,
		    const uint8_t cmds[3], struct cli_cmd *c)
{
	bool rt = object[0] == 'r';
	char **name = rt ? &c->rt.name : &c->lis.name;

	c->obj = rt ? KGATE_OBJ_ROUTE : KGATE_OBJ_LISTENER;
	if (is(verb, "add", NULL) || is(verb, "replace", NULL)) {
		c->cmd = cmds[verb[0] == 'a' ? 0 : 1];
		if (l7_name(a, object, name))
			return -1;
		return rt ? spec_route(a, &c->rt) : spec_listener(a, &c->lis);
	}
	if (is(verb, "del", "delete")) {
		c->cmd = cmds[2];
		return l7_name(a, object, name) ?: args_end(a);
	}
	if (is(verb, "show", "list") || is(verb, "save", NULL))
		return args_fail(a, "\"%s %s\" does not change anything and "
				 "cannot be batched", object, verb);
	if (!verb)
		return args_fail(a, "missing verb after \"%s\" (add, replace, "
				 "del, show or save)", object);
	return args_fail(a, "unknown verb \"%s %s\" (add, replace, del, show "
			 "or save)", object, verb);
}

static int parse_service(struct args *a, const char *verb, struct cli_cmd *c)
{
	if (is(verb, "add", NULL) || is(verb, "replace", NULL)) {
		c->cmd = verb[0] == 'a' ? KGATE_CMD_SERVICE_ADD :
					  KGATE_CMD_SERVICE_REPLACE;
		return service_name(a, "service", c) ?: spec_service(a, &c->svc);
	}
	if (is(verb, "del", "delete")) {
		c->cmd = KGATE_CMD_SERVICE_DEL;
		return service_name(a, "service", c) ?: args_end(a);
	}
	if (is(verb, "show", "list") || is(verb, "save", NULL))
		return args_fail(a, "\"service %s\" does not change anything"
				 " and cannot be batched", verb);
	if (!verb)
		return args_fail(a, "missing verb after \"service\" (add, "
				 "replace, del, show or save)");
	return args_fail(a, "unknown verb \"service %s\" (add, replace, del, "
			 "show or save)", verb);
}

static int parse_backend(struct args *a, const char *verb, struct cli_cmd *c)
{
	bool set = is(verb, "set", NULL);
	struct kgate_endpoint ep;
	struct kgate_backend be;
	const char *tok;
	int r;

	if (is(verb, "add", NULL))
		c->cmd = KGATE_CMD_BACKEND_ADD;
	else if (is(verb, "del", "delete"))
		c->cmd = KGATE_CMD_BACKEND_DEL;
	else if (set)
		c->cmd = KGATE_CMD_BACKEND_SET;
	else if (!verb)
		return args_fail(a, "missing verb after \"backend\" (add, del "
				 "or set)");
	else
		return args_fail(a, "unknown verb \"backend %s\" (add, del or "
				 "set)", verb);
	if (service_name(a, "SERVICE", c))
		return -1;
	if (!args_more(a))
		return args_fail(a, "missing backend ADDR:PORT");
	if (args_endpoint(a, "backend", 0, &ep))
		return -1;
	kgate_backend_init(&be);
	be.addr = ep.addr;
	be.port = ep.port;
	while ((tok = args_next(a))) {
		r = c->cmd == KGATE_CMD_BACKEND_DEL ? 0 :
			spec_backend_opt(a, tok, &be);
		if (r < 0)
			return -1;
		if (!r)
			return args_fail(a, "unknown option \"%s\"", tok);
	}
	if (set && !be.has)
		return args_fail(a, "nothing to set (weight, state, local or "
				 "nolocal)");
	if (kgate_service_add_backend(&c->svc, &be))
		return args_fail(a, "out of memory");
	return 0;
}

int cli_parse_mutation(int argc, char **argv, struct cli_cmd *c, char *why,
		       size_t whylen)
{
	const char *object, *verb;
	struct args a;

	static const uint8_t lis_cmds[3] = {
		KGATE_CMD_LISTENER_ADD, KGATE_CMD_LISTENER_REPLACE,
		KGATE_CMD_LISTENER_DEL,
	};
	static const uint8_t rt_cmds[3] = {
		KGATE_CMD_ROUTE_ADD, KGATE_CMD_ROUTE_REPLACE,
		KGATE_CMD_ROUTE_DEL,
	};

	memset(c, 0, sizeof(*c));
	kgate_service_init(&c->svc);
	kgate_listener_init(&c->lis);
	kgate_route_init(&c->rt);
	args_init(&a, argc, argv, why, whylen);
	object = args_next(&a);
	if (is(object, "flush", NULL)) {
		c->cmd = KGATE_CMD_FLUSH;
		return args_end(&a);
	}
	verb = args_next(&a);
	if (is(object, "service", NULL))
		return parse_service(&a, verb, c);
	if (is(object, "backend", NULL))
		return parse_backend(&a, verb, c);
	if (is(object, "listener", NULL))
		return parse_l7(&a, object, verb, lis_cmds, c);
	if (is(object, "route", NULL))
		return parse_l7(&a, object, verb, rt_cmds, c);
	if (!object)
		return args_fail(&a, "missing command");
	if (is(object, "stats", "monitor") || is(object, "batch", "help"))
		return args_fail(&a, "\"%s\" does not change anything and "
				 "cannot be batched", object);
	if (is(object, "apply", NULL))
		return args_fail(&a, "\"apply\" is a transaction of its own "
				 "and cannot be batched");
	return args_fail(&a, "unknown object \"%s\"; try \"kgate help\"",
			 object);
}

void cli_cmd_free(struct cli_cmd *c)
{
	kgate_service_free(&c->svc);
	kgate_listener_free(&c->lis);
	kgate_route_free(&c->rt);
}

struct kgate_obj cli_cmd_obj(const struct cli_cmd *c)
{
	struct kgate_obj o = { .kind = c->obj };

	if (c->obj == KGATE_OBJ_LISTENER)
		o.lis = &c->lis;
	else if (c->obj == KGATE_OBJ_ROUTE)
		o.rt = &c->rt;
	else if (c->obj == KGATE_OBJ_SERVICE)
		o.svc = &c->svc;
	return o;
}

int cli_run_mutation(const struct cli_cmd *c)
{
	struct kgate_obj o = cli_cmd_obj(c);
	struct kgate_sock *s;
	struct kgate_err e;
	int err;

	err = kgate_open(&s, &e);
	if (!err) {
		err = kgate_mutate_obj(s, c->cmd, &o, &e);
		kgate_close(s);
	}
	if (err) {
		print_refusal(NULL, &e);
		return CLI_FAIL;
	}
	if (e.msg[0])	/* a warning that came with the acknowledgement */
		fprintf(stderr, "kgate: %s\n", e.msg);
	return CLI_OK;
}
