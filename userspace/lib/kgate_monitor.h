/* SPDX-License-Identifier: GPL-2.0 */
/* Following the kgate events multicast group. */
#ifndef KGATE_MONITOR_H
#define KGATE_MONITOR_H

#include <stdint.h>

#include "kgate_err.h"
#include "kgate_l7.h"
#include "kgate_model.h"
#include "kgate_nl.h"
#include "kgate_node.h"

enum kgate_event_type {
	KGATE_EV_SERVICE,	/* cmd SERVICE_ADD / _REPLACE / _DEL, svc */
	KGATE_EV_COMMIT,	/* generation */
	KGATE_EV_FLUSH,		/* cmd FLUSH (the ABI says one SERVICE_DEL
				 * per service; accepted as well)
				 */
	KGATE_EV_NODE,		/* cmd NODE_SET, node */
	KGATE_EV_LISTENER,	/* cmd LISTENER_ADD / _REPLACE / _DEL, lis */
	KGATE_EV_ROUTE,		/* cmd ROUTE_ADD / _REPLACE / _DEL, rt */
	KGATE_EV_ACCESS,	/* cmd ACCESS, acc */
	KGATE_EV_LOST,		/* receive buffer overrun: events dropped */
	KGATE_EV_BAD,		/* undecodable event: why */
	KGATE_EV_OTHER,		/* a command this library does not know */
};

struct kgate_event {
	enum kgate_event_type type;
	uint8_t cmd;			/* genetlink command of the event */
	struct kgate_service svc;	/* KGATE_EV_SERVICE */
	uint64_t generation;		/* KGATE_EV_COMMIT */
	struct kgate_node node;		/* KGATE_EV_NODE */
	struct kgate_listener lis;	/* KGATE_EV_LISTENER */
	struct kgate_route rt;		/* KGATE_EV_ROUTE */
	struct kgate_access acc;	/* KGATE_EV_ACCESS */
	char why[200];			/* KGATE_EV_BAD */
};

/* Return 0 to go on, a negative errno to stop kgate_monitor() with it. */
typedef int (*kgate_event_cb)(const struct kgate_event *ev, void *data);

/*
 * Decode one event message into @ev (initialised here; free it with
 * kgate_event_free() afterwards).  Sets KGATE_EV_BAD rather than failing.
 */
void kgate_event_parse(const struct nlmsghdr *nlh, struct kgate_event *ev);
void kgate_event_free(struct kgate_event *ev);
/*
 * Events want a socket of their own.  Replies to commands are matched by
 * sequence number and anything else read meanwhile is dropped, events
 * (sequence number 0) included; and a burst of events could overrun the
 * buffer that replies need.  So a program that both commands and listens
 * opens one socket for each.
 */
/* kgate_open() and kgate_events_join(): a socket for events only. */
int kgate_events_open(struct kgate_sock **out, struct kgate_err *e);
/* Join the events group on @s. */
int kgate_events_join(struct kgate_sock *s, struct kgate_err *e);
/*
 * Call @cb for every event waiting on @s, without blocking: for a poll
 * loop, when kgate_sock_fd() is readable.  Returns 0 once none is left,
 * or the first negative return of @cb, or a receive error (@e).  Lost
 * events are one KGATE_EV_LOST: resynchronise by reading the state.
 */
int kgate_events_drain(struct kgate_sock *s, kgate_event_cb cb, void *data,
		       struct kgate_err *e);
/* Join the events group and call @cb for each event until it stops. */
int kgate_monitor(struct kgate_sock *s, kgate_event_cb cb, void *data,
		  struct kgate_err *e);

#endif
