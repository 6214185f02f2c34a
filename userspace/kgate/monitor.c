// SPDX-License-Identifier: GPL-2.0
/*
 * kgate monitor: one line per configuration event until killed.
 * kgate monitor access: one line per access-log record.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <linux/kgate.h>

#include "cli.h"

static const char *service_verb(uint8_t cmd)
{
	switch (cmd) {
	case KGATE_CMD_SERVICE_ADD:
	case KGATE_CMD_LISTENER_ADD:
	case KGATE_CMD_ROUTE_ADD:
		return "add";
	case KGATE_CMD_SERVICE_REPLACE:
	case KGATE_CMD_LISTENER_REPLACE:
	case KGATE_CMD_ROUTE_REPLACE:
		return "replace";
	default:
		return "del";
	}
}

static bool is_del(uint8_t cmd)
{
	return cmd == KGATE_CMD_SERVICE_DEL || cmd == KGATE_CMD_LISTENER_DEL ||
	       cmd == KGATE_CMD_ROUTE_DEL;
}

/* "listener add web [::]:80", "route del default/shop" */
static void l7_event_text(const struct kgate_event *ev)
{
	char ep[KGATE_ENDPOINT_STRLEN];

	if (ev->type == KGATE_EV_LISTENER) {
		printf("listener %s %s", service_verb(ev->cmd), ev->lis.name);
		if (!is_del(ev->cmd) && ev->lis.addr.family)
			printf(" %s", kgate_endpoint_str(&ev->lis.addr,
							 ev->lis.port, ep,
							 sizeof(ep)));
	} else {
		printf("route %s %s", service_verb(ev->cmd), ev->rt.name);
		for (size_t i = 0; !is_del(ev->cmd) &&
		     i < ev->rt.listeners.n; i++)
			printf("%s%s", i ? "," : " listeners ",
			       ev->rt.listeners.v[i]);
	}
	putchar('\n');
}

static void event_text(const struct kgate_event *ev)
{
	switch (ev->type) {
	case KGATE_EV_SERVICE:
		printf("service %s %s\n", service_verb(ev->cmd), ev->svc.name);
		break;
	case KGATE_EV_COMMIT:
		printf("commit generation %" PRIu64 "\n", ev->generation);
		break;
	case KGATE_EV_FLUSH:
		printf("flush\n");
		break;
	case KGATE_EV_NODE:
		print_node_text(stdout, &ev->node);
		break;
	case KGATE_EV_LISTENER:
	case KGATE_EV_ROUTE:
		l7_event_text(ev);
		break;
	case KGATE_EV_OTHER:
		printf("event %u\n", ev->cmd);
		break;
	default:
		break;
	}
}

static void event_json(const struct cli *cli, const struct kgate_event *ev)
{
	char verb[32];
	struct kgate_json j;

	if (ev->type == KGATE_EV_LOST || ev->type == KGATE_EV_BAD)
		return;
	kgate_json_init(&j, stdout, cli->pretty);
	kgate_json_obj_open(&j);
	switch (ev->type) {
	case KGATE_EV_SERVICE:
		snprintf(verb, sizeof(verb), "service %s",
			 service_verb(ev->cmd));
		kgate_json_kv_str(&j, "event", verb);
		kgate_json_kv_str(&j, "name", ev->svc.name);
		if (ev->cmd != KGATE_CMD_SERVICE_DEL) {
			kgate_json_key(&j, "service");
			print_service_json(&j, &ev->svc, false);
		}
		break;
	case KGATE_EV_COMMIT:
		kgate_json_kv_str(&j, "event", "commit");
		kgate_json_kv_uint(&j, "generation", ev->generation);
		break;
	case KGATE_EV_FLUSH:
		kgate_json_kv_str(&j, "event", "flush");
		break;
	case KGATE_EV_NODE:
		kgate_json_kv_str(&j, "event", "node set");
		kgate_json_key(&j, "node");
		print_node_json(&j, &ev->node);
		break;
	case KGATE_EV_LISTENER:
		snprintf(verb, sizeof(verb), "listener %s",
			 service_verb(ev->cmd));
		kgate_json_kv_str(&j, "event", verb);
		kgate_json_kv_str(&j, "name", ev->lis.name);
		if (!is_del(ev->cmd)) {
			kgate_json_key(&j, "listener");
			print_listener_json(&j, &ev->lis, false);
		}
		break;
	case KGATE_EV_ROUTE:
		snprintf(verb, sizeof(verb), "route %s", service_verb(ev->cmd));
		kgate_json_kv_str(&j, "event", verb);
		kgate_json_kv_str(&j, "name", ev->rt.name);
		if (!is_del(ev->cmd)) {
			kgate_json_key(&j, "route");
			print_route_json(&j, &ev->rt, false);
		}
		break;
	default:
		kgate_json_kv_str(&j, "event", "unknown");
		kgate_json_kv_uint(&j, "cmd", ev->cmd);
		break;
	}
	kgate_json_obj_close(&j);
	fputc('\n', stdout);
}

struct mon {
	const struct cli *cli;
	bool access;		/* access records only, else all but them */
};

static void access_out(const struct cli *cli, const struct kgate_access *a)
{
	struct kgate_json j;

	if (!cli->json) {
		kgate_access_print(stdout, a);
		return;
	}
	kgate_json_init(&j, stdout, cli->pretty);
	print_access_json(&j, a);
	fputc('\n', stdout);
}

static int on_event(const struct kgate_event *ev, void *data)
{
	const struct mon *m = data;
	const struct cli *cli = m->cli;

	if ((ev->type == KGATE_EV_ACCESS) != m->access &&
	    ev->type != KGATE_EV_LOST && ev->type != KGATE_EV_BAD)
		return 0;
	if (ev->type == KGATE_EV_ACCESS)
		access_out(cli, &ev->acc);
	else if (ev->type == KGATE_EV_LOST)
		fprintf(stderr, "kgate: events lost (receive buffer "
			"overrun)\n");
	else if (ev->type == KGATE_EV_BAD)
		fprintf(stderr, "kgate: undecodable event: %s\n", ev->why);
	else if (cli->json)
		event_json(cli, ev);
	else
		event_text(ev);
	if (fflush(stdout) == EOF)
		return -EPIPE;	/* reader gone */
	return 0;
}

int cmd_monitor(const struct cli *cli, int argc, char **argv)
{
	struct mon m = { .cli = cli };
	struct kgate_sock *s;
	struct kgate_err e;
	int err;

	if (argc == 2 && !strcmp(argv[1], "access")) {
		m.access = true;
		argc = 1;
	}
	err = no_args(argc, argv);
	if (err != CLI_GO)
		return err;
	err = kgate_open(&s, &e);
	if (!err) {
		err = kgate_monitor(s, on_event, &m, &e);
		kgate_close(s);
	}
	if (err == -EPIPE)
		return CLI_OK;
	print_err("monitor", &e);
	return CLI_FAIL;
}
