// SPDX-License-Identifier: GPL-2.0
/* Any configuration object into a request. */
#include <errno.h>
#include <stdlib.h>

#include <linux/kgate.h>

#include "kgate_l7msg.h"
#include "kgate_msg.h"
#include "kgate_obj.h"

const char *kgate_obj_name(const struct kgate_obj *o)
{
	const char *name = NULL;

	if (o->kind == KGATE_OBJ_SERVICE)
		name = o->svc->name;
	else if (o->kind == KGATE_OBJ_LISTENER)
		name = o->lis->name;
	else if (o->kind == KGATE_OBJ_ROUTE)
		name = o->rt->name;
	return name ? name : "?";
}

const char *kgate_obj_kind_str(enum kgate_obj_kind kind)
{
	switch (kind) {
	case KGATE_OBJ_SERVICE:
		return "service";
	case KGATE_OBJ_LISTENER:
		return "listener";
	case KGATE_OBJ_ROUTE:
		return "route";
	default:
		return "?";
	}
}

const char *kgate_obj_owner(const struct kgate_obj *o)
{
	if (o->kind == KGATE_OBJ_SERVICE)
		return o->svc->owner;
	if (o->kind == KGATE_OBJ_LISTENER)
		return o->lis->owner;
	if (o->kind == KGATE_OBJ_ROUTE)
		return o->rt->owner;
	return NULL;
}

int kgate_put_obj(struct nlmsghdr *nlh, size_t buflen,
		  const struct kgate_obj *o)
{
	switch (o->kind) {
	case KGATE_OBJ_SERVICE:
		return kgate_put_service(nlh, buflen, o->svc);
	case KGATE_OBJ_LISTENER:
		return kgate_put_listener(nlh, buflen, o->lis);
	case KGATE_OBJ_ROUTE:
		return kgate_put_route(nlh, buflen, o->rt);
	default:
		return 0;
	}
}

int kgate_put_op(struct nlmsghdr *nlh, size_t buflen, uint8_t cmd,
		 const struct kgate_obj *o)
{
	struct kgate_service svc;
	struct kgate_listener lis;
	struct kgate_route rt;

	switch (o->kind == KGATE_OBJ_NONE ? 0 : cmd) {
	case KGATE_CMD_SERVICE_DEL:
		if (o->kind != KGATE_OBJ_SERVICE)
			break;
		kgate_service_init(&svc);
		svc.name = o->svc->name;	/* borrowed */
		return kgate_put_service(nlh, buflen, &svc);
	case KGATE_CMD_LISTENER_DEL:
		if (o->kind != KGATE_OBJ_LISTENER)
			break;
		kgate_listener_init(&lis);
		lis.name = o->lis->name;
		return kgate_put_listener(nlh, buflen, &lis);
	case KGATE_CMD_ROUTE_DEL:
		if (o->kind != KGATE_OBJ_ROUTE)
			break;
		kgate_route_init(&rt);
		rt.name = o->rt->name;
		return kgate_put_route(nlh, buflen, &rt);
	}
	return kgate_put_obj(nlh, buflen, o);
}

/* What grows an object past one attribute. */
static const char *too_large(const struct kgate_obj *o)
{
	switch (o->kind) {
	case KGATE_OBJ_LISTENER:
		return "listener too large for one netlink attribute (64 KiB)";
	case KGATE_OBJ_ROUTE:
		return "route too large for one netlink attribute (64 KiB): "
		       "too many rules, hostnames or filters";
	default:
		return "service too large for one netlink attribute (64 KiB): "
		       "too many backends or frontends in one request";
	}
}

int kgate_put_failed(int err, const struct kgate_obj *o,
		     struct kgate_err *e)
{
	if (err == -E2BIG)
		return kgate_err_set(e, E2BIG, "%s", too_large(o));
	return kgate_err_set(e, -err, "cannot encode the request");
}

int kgate_mutate_obj(struct kgate_sock *s, uint8_t cmd,
		     const struct kgate_obj *o, struct kgate_err *e)
{
	void *req = malloc(KGATE_REQ_MAX);
	struct nlmsghdr *nlh;
	int err;

	if (!req)
		return kgate_err_set(e, ENOMEM, "out of memory");
	nlh = kgate_msg_start(req, kgate_sock_family(s), cmd, 0, 0);
	err = kgate_put_obj(nlh, KGATE_REQ_MAX, o);
	if (err)
		err = kgate_put_failed(err, o, e);
	else
		err = kgate_transact(s, nlh, NULL, NULL, e);
	free(req);
	return err;
}
