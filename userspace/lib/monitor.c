// SPDX-License-Identifier: GPL-2.0
/* The events group: subscription, decoding, dispatch. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/kgate.h>

#include "kgate_monitor.h"
#include "kgate_l7msg.h"
#include "kgate_msg.h"

/* The nest @attr of an L7 event, decoded by @parse into @obj. */
static void l7_event(const struct nlmsghdr *nlh, struct kgate_event *ev,
		     enum kgate_event_type type, uint16_t attr,
		     const char *what, int (*parse)(const struct nlattr *,
						    void *, char *, size_t),
		     void *obj)
{
	const struct nlattr *a = kgate_msg_attr(nlh, attr);

	ev->type = type;
	if (!a) {
		ev->type = KGATE_EV_BAD;
		snprintf(ev->why, sizeof(ev->why), "missing %s", what);
	} else if (parse(a, obj, ev->why, sizeof(ev->why))) {
		ev->type = KGATE_EV_BAD;
	}
}

static int parse_lis(const struct nlattr *a, void *o, char *why, size_t len)
{
	return kgate_parse_listener(a, o, why, len);
}

static int parse_rt(const struct nlattr *a, void *o, char *why, size_t len)
{
	return kgate_parse_route(a, o, why, len);
}

static int parse_acc(const struct nlattr *a, void *o, char *why, size_t len)
{
	return kgate_parse_access(a, o, why, len);
}

void kgate_event_free(struct kgate_event *ev)
{
	kgate_service_free(&ev->svc);
	kgate_listener_free(&ev->lis);
	kgate_route_free(&ev->rt);
	kgate_access_free(&ev->acc);
}

void kgate_event_parse(const struct nlmsghdr *nlh, struct kgate_event *ev)
{
	const struct nlattr *a;

	memset(ev, 0, sizeof(*ev));
	kgate_service_init(&ev->svc);
	kgate_listener_init(&ev->lis);
	kgate_route_init(&ev->rt);
	kgate_access_init(&ev->acc);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr)) {
		ev->type = KGATE_EV_BAD;
		snprintf(ev->why, sizeof(ev->why), "truncated message");
		return;
	}
	ev->cmd = kgate_msg_cmd(nlh);
	switch (ev->cmd) {
	case KGATE_CMD_SERVICE_ADD:
	case KGATE_CMD_SERVICE_REPLACE:
	case KGATE_CMD_SERVICE_DEL:
		ev->type = KGATE_EV_SERVICE;
		a = kgate_msg_attr(nlh, KGATE_A_SERVICE);
		if (!a) {
			ev->type = KGATE_EV_BAD;
			snprintf(ev->why, sizeof(ev->why), "missing service");
		} else if (kgate_parse_service(a, &ev->svc, ev->why,
					       sizeof(ev->why))) {
			ev->type = KGATE_EV_BAD;
		}
		break;
	case KGATE_CMD_LISTENER_ADD:
	case KGATE_CMD_LISTENER_REPLACE:
	case KGATE_CMD_LISTENER_DEL:
		l7_event(nlh, ev, KGATE_EV_LISTENER, KGATE_A_LISTENER,
			 "listener", parse_lis, &ev->lis);
		break;
	case KGATE_CMD_ROUTE_ADD:
	case KGATE_CMD_ROUTE_REPLACE:
	case KGATE_CMD_ROUTE_DEL:
		l7_event(nlh, ev, KGATE_EV_ROUTE, KGATE_A_ROUTE, "route",
			 parse_rt, &ev->rt);
		break;
	case KGATE_CMD_ACCESS:
		l7_event(nlh, ev, KGATE_EV_ACCESS, KGATE_A_ACCESS,
			 "access record", parse_acc, &ev->acc);
		break;
	case KGATE_CMD_FLUSH:
		ev->type = KGATE_EV_FLUSH;
		break;
	case KGATE_CMD_NODE_SET:
		ev->type = KGATE_EV_NODE;
		a = kgate_msg_attr(nlh, KGATE_A_NODE);
		if (!a) {
			ev->type = KGATE_EV_BAD;
			snprintf(ev->why, sizeof(ev->why), "missing node");
		} else if (kgate_parse_node(a, &ev->node, ev->why,
					    sizeof(ev->why))) {
			ev->type = KGATE_EV_BAD;
		}
		break;
	case KGATE_CMD_BATCH_COMMIT:
		ev->type = KGATE_EV_COMMIT;
		a = kgate_msg_attr(nlh, KGATE_A_GENERATION);
		if (!a || mnl_attr_get_payload_len(a) != 8) {
			ev->type = KGATE_EV_BAD;
			snprintf(ev->why, sizeof(ev->why),
				 "commit without a valid generation");
		} else {
			ev->generation = mnl_attr_get_u64(a);
		}
		break;
	default:
		ev->type = KGATE_EV_OTHER;
		break;
	}
}

static int dispatch(struct kgate_sock *s, const void *buf, size_t len,
		    kgate_event_cb cb, void *data)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len, err = 0;

	for (; mnl_nlmsg_ok(nlh, left) && !err;
	     nlh = mnl_nlmsg_next(nlh, &left)) {
		struct kgate_event ev;

		if (nlh->nlmsg_type != kgate_sock_family(s))
			continue;
		kgate_event_parse(nlh, &ev);
		err = cb(&ev, data);
		kgate_event_free(&ev);
	}
	return err;
}

int kgate_events_join(struct kgate_sock *s, struct kgate_err *e)
{
	int grp = (int)kgate_sock_group(s);

	kgate_err_clear(e);
	if (!grp)
		return kgate_err_set(e, ENOENT, "the kgate family has no "
				     "\"%s\" group", KGATE_MCGRP_EVENTS);
	if (setsockopt(kgate_sock_fd(s), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &grp, sizeof(grp)))
		return kgate_err_set(e, errno, "cannot join the events group:"
				     " %s", strerror(errno));
	return 0;
}

int kgate_events_open(struct kgate_sock **out, struct kgate_err *e)
{
	int err = kgate_open(out, e);

	if (!err) {
		err = kgate_events_join(*out, e);
		if (err) {
			kgate_close(*out);
			*out = NULL;
		}
	}
	return err;
}

/* One datagram, or the loss of some, to @cb; -EAGAIN when none waits. */
static int take_one(struct kgate_sock *s, int flags, kgate_event_cb cb,
		    void *data, struct kgate_err *e)
{
	const void *buf;
	ssize_t n = kgate_recv_flags(s, &buf, flags, e);

	if (n == -ENOBUFS) {
		struct kgate_event ev = { .type = KGATE_EV_LOST };

		kgate_err_clear(e);
		return cb(&ev, data);
	}
	if (n < 0)
		return (int)n;
	return dispatch(s, buf, (size_t)n, cb, data);
}

int kgate_events_drain(struct kgate_sock *s, kgate_event_cb cb, void *data,
		       struct kgate_err *e)
{
	int err;

	do {
		err = take_one(s, MSG_DONTWAIT, cb, data, e);
	} while (!err);
	if (err == -EAGAIN) {
		kgate_err_clear(e);
		return 0;
	}
	if (!e->err)
		kgate_err_set(e, -err, "stopped by the event callback");
	return err;
}

int kgate_monitor(struct kgate_sock *s, kgate_event_cb cb, void *data,
		  struct kgate_err *e)
{
	int err = kgate_events_join(s, e);

	while (!err)
		err = take_one(s, 0, cb, data, e);
	if (!e->err)
		kgate_err_set(e, -err, "monitor stopped");
	return err;
}
