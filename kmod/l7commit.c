// SPDX-License-Identifier: GPL-2.0
/*
 * Listeners and routes in a commit (txn.c does what all objects share).
 *
 * A listener's socket is opened when its object is installed, so that a
 * port that cannot be bound fails the commit, and it accepts only once
 * the commit applied.  An object that replaces one with the same address,
 * port and mode, in the same commit, takes its socket over ("moved" on the
 * old one), so replacing a listener's limits or default backend keeps its
 * connections.  A retired object that still owns its socket closes it
 * when the commit applies; a rollback closes the sockets it opened.
 *
 * Routes change what listeners serve: after all commands, every listener
 * of the next generation that is new, or is named by a route the commit
 * touched, gets a new conf (l7conf.c), published after the flip.
 */
#include <linux/slab.h>

#include "compat.h"
#include "kgate.h"

static struct kgate_listener *lis_of(struct kgate_obj *obj)
{
	return container_of(obj, struct kgate_listener, obj);
}

static struct kgate_route *rt_of(struct kgate_obj *obj)
{
	return container_of(obj, struct kgate_route, obj);
}

static struct kgate_obj *lookup(struct kgate_commit *c, u8 type,
				const char *name)
{
	return kgate_obj_lookup(c->kn, type, name, c->next);
}

/* A listener the commit retires whose socket @lis can have. */
static struct kgate_listener *donor(struct kgate_commit *c,
				    const struct kgate_listener *lis)
{
	struct kgate_listener *l;
	struct kgate_obj *obj;

	list_for_each_entry(obj, &c->touched, touched) {
		if (obj->type != KGATE_OBJ_LISTENER || obj->gen_del != c->next)
			continue;
		l = lis_of(obj);
		if (l->ls && !l->moved && kgate_listener_same_socket(l, lis))
			return l;
	}
	return NULL;
}

/* The service whose frontend @key would take @lis's connections. */
static const char *clash_at(struct kgate_commit *c,
			    const struct kgate_listener *lis,
			    const struct kgate_fe_key *key)
{
	const struct kgate_frontend *fe;
	const char *name = NULL;

	rcu_read_lock();
	fe = kgate_fe_lookup(c->kn, key, c->next);
	if (fe && kgate_listener_clashes(lis, &fe->key, fe->kind))
		name = fe->svc->name;
	rcu_read_unlock();
	return name;
}

/*
 * A frontend on the listener's address and port, or a NodePort on its
 * port (kgate_listener_clashes()): looked up, not scanned.
 */
static int check_clash(struct kgate_commit *c, const struct kgate_listener *lis,
		       struct netlink_ext_ack *extack)
{
	const struct sockaddr_in6 *a6 = (const void *)&lis->addr;
	const struct sockaddr_in *a4 = (const void *)&lis->addr;
	struct kgate_fe_key key = { .proto = IPPROTO_TCP };
	const char *svc;

	key.family = lis->addr.ss_family;
	if (key.family == AF_INET) {
		key.port = a4->sin_port;
		memcpy(&key.addr, &a4->sin_addr, 4);
	} else {
		key.port = a6->sin6_port;
		key.addr = a6->sin6_addr;
	}
	svc = clash_at(c, lis, &key);
	/* The NodePorts: of the listener's family, and IPv4's for "::". */
	memset(&key.addr, 0, sizeof(key.addr));
	svc = svc ?: clash_at(c, lis, &key);
	if (!svc && key.family == AF_INET6) {
		key.family = AF_INET;
		svc = clash_at(c, lis, &key);
	}
	if (!svc)
		return 0;
	NL_SET_ERR_MSG_FMT(extack, "port %u is taken by service %s: listener %s",
			   ntohs(key.port), svc, lis->name);
	return -EADDRINUSE;
}

/*
 * The listener of @c's next generation that @key's frontend would take
 * connections from, or NULL.  Under kn->lock.
 */
const char *kgate_frontend_clash(struct kgate_commit *c,
				 const struct kgate_fe_key *key, u8 kind)
{
	struct kgate_listener *lis;
	struct kgate_obj *obj;

	list_for_each_entry(obj, &c->kn->objs[KGATE_OBJ_LISTENER], list) {
		if (!kgate_obj_live(obj, c->next))
			continue;
		lis = lis_of(obj);
		if (kgate_listener_clashes(lis, key, kind))
			return lis->name;
	}
	return NULL;
}

static int take_socket(struct kgate_commit *c, struct kgate_listener *lis,
		       struct netlink_ext_ack *extack)
{
	struct kgate_listener *d = donor(c, lis);
	int err;

	if (d) {
		lis->ls = d->ls;
		/* Not accepting yet if the donor is as new as we are. */
		lis->ls_own = d->ls_own && d->obj.gen_add == c->next;
		d->moved = true;
		return 0;
	}
	err = kgate_lsock_open(c->kn, &lis->addr, &lis->ls);
	if (err) {
		NL_SET_ERR_MSG_FMT(extack, "cannot listen on %pISpc (errno %d): listener %s",
				   &lis->addr, -err, lis->name);
		return err;
	}
	lis->ls_own = true;
	return 0;
}

static int do_listener(struct kgate_commit *c, struct kgate_op *op,
		       struct netlink_ext_ack *extack)
{
	struct kgate_listener *lis = op->lis;
	struct kgate_obj *old = lookup(c, KGATE_OBJ_LISTENER, lis->name);
	int err;

	if (old && op->cmd == KGATE_CMD_LISTENER_ADD) {
		NL_SET_ERR_MSG_FMT(extack, "exists: listener %s", lis->name);
		return -EEXIST;
	}
	if (old) {
		kgate_l7_cnt_put(lis->cnt);
		lis->cnt = kgate_l7_cnt_get(lis_of(old)->cnt);
	}
	/* Installed first: the socket may come from the object it retires. */
	err = check_clash(c, lis, extack) ?:
	      kgate_obj_install(c, &lis->obj, old, KGATE_LISTENERS_MAX,
				extack);
	if (!err)
		err = take_socket(c, lis, extack);
	if (!list_empty(&lis->obj.touched))
		op->lis = NULL;		/* the commit owns it now */
	return err;
}

/*
 * A route replaced with the same rate and burst keeps its clients'
 * buckets: a controller that rewrites the route for another reason (a
 * rule, a filter) does not hand every client a fresh burst.
 */
static void keep_limiter(struct kgate_route *rt, const struct kgate_route *old)
{
	if (!rt->rl || !old->rl || rt->rate != old->rate ||
	    rt->burst != old->burst)
		return;
	kgate_rl_put(rt->rl);
	rt->rl = kgate_rl_get(old->rl);
}

static int do_route(struct kgate_commit *c, struct kgate_op *op,
		    struct netlink_ext_ack *extack)
{
	struct kgate_route *rt = op->rt;
	struct kgate_obj *old = lookup(c, KGATE_OBJ_ROUTE, rt->obj.name);
	int err;

	if (old && op->cmd == KGATE_CMD_ROUTE_ADD) {
		NL_SET_ERR_MSG_FMT(extack, "exists: route %s", rt->obj.name);
		return -EEXIST;
	}
	/* Gateway API precedence: the older route wins ties; replacing keeps its age. */
	rt->order = old ? rt_of(old)->order : c->next;
	if (old) {
		kgate_l7_cnt_put(rt->cnt);
		rt->cnt = kgate_l7_cnt_get(rt_of(old)->cnt);
		keep_limiter(rt, rt_of(old));
	}
	err = kgate_obj_install(c, &rt->obj, old, KGATE_ROUTES_MAX, extack);
	if (!list_empty(&rt->obj.touched))
		op->rt = NULL;
	return err;
}

static int do_del(struct kgate_commit *c, struct kgate_op *op, u8 type,
		  struct netlink_ext_ack *extack)
{
	struct kgate_obj *old = lookup(c, type, op->name);

	if (!old) {
		NL_SET_ERR_MSG_FMT(extack, "no %s %s",
				   type == KGATE_OBJ_LISTENER ? "listener" :
				   "route", op->name);
		return -ENOENT;
	}
	kgate_retire(c, old);
	return 0;
}

int kgate_l7_apply(struct kgate_commit *c, struct kgate_op *op,
		   struct netlink_ext_ack *extack)
{
	switch (op->cmd) {
	case KGATE_CMD_LISTENER_ADD:
	case KGATE_CMD_LISTENER_REPLACE:
		return do_listener(c, op, extack);
	case KGATE_CMD_LISTENER_DEL:
		return do_del(c, op, KGATE_OBJ_LISTENER, extack);
	case KGATE_CMD_ROUTE_ADD:
	case KGATE_CMD_ROUTE_REPLACE:
		return do_route(c, op, extack);
	case KGATE_CMD_ROUTE_DEL:
		return do_del(c, op, KGATE_OBJ_ROUTE, extack);
	}
	return -EOPNOTSUPP;
}

/*
 * After every command: the listeners named by the routes the commit
 * touched take part in it too (without an event of their own), then each
 * listener of the next generation that takes part gets a new conf.
 */
int kgate_l7_prepare(struct kgate_commit *c, struct netlink_ext_ack *extack)
{
	struct kgate_l7_conf *conf;
	struct kgate_listener *lis;
	struct kgate_route *rt;
	struct kgate_obj *obj, *l;
	u32 i;

	list_for_each_entry(obj, &c->touched, touched) {
		if (obj->type != KGATE_OBJ_ROUTE)
			continue;
		rt = rt_of(obj);
		for (i = 0; i < rt->n_listeners; i++) {
			l = lookup(c, KGATE_OBJ_LISTENER, rt->listeners[i]);
			if (l)
				kgate_touch(c, l);
		}
	}
	list_for_each_entry(obj, &c->touched, touched) {
		if (obj->type != KGATE_OBJ_LISTENER ||
		    !kgate_obj_live(obj, c->next))
			continue;
		lis = lis_of(obj);
		if (lis->next_conf)
			continue;
		conf = kgate_l7_conf_build(c->kn, lis, c->next, extack);
		if (IS_ERR(conf))
			return PTR_ERR(conf);
		lis->next_conf = conf;
	}
	return 0;
}

/* After the flip: new requests see the new confs. */
void kgate_l7_publish(struct kgate_commit *c)
{
	struct kgate_listener *lis;
	struct kgate_obj *obj;

	list_for_each_entry(obj, &c->touched, touched) {
		if (obj->type != KGATE_OBJ_LISTENER)
			continue;
		lis = lis_of(obj);
		if (!lis->next_conf)
			continue;
		if (lis->obj.gen_add == c->next && lis->ls_own)
			kgate_lsock_start(lis->ls, lis->next_conf);
		else
			kgate_lsock_set_conf(lis->ls, lis->next_conf);
		kgate_l7_conf_put(lis->next_conf);
		lis->next_conf = NULL;
	}
}

void kgate_l7_rollback(struct kgate_commit *c, struct kgate_obj *obj)
{
	struct kgate_listener *lis;

	if (obj->type != KGATE_OBJ_LISTENER)
		return;
	lis = lis_of(obj);
	if (lis->next_conf)
		kgate_l7_conf_put(lis->next_conf);
	lis->next_conf = NULL;
	if (obj->gen_add == c->next) {
		if (lis->ls && lis->ls_own && !lis->moved)
			kgate_lsock_close(lis->ls);
		lis->ls = NULL;
	}
	lis->moved = false;
}

void kgate_l7_finish(struct kgate_commit *c, struct kgate_obj *obj)
{
	struct kgate_listener *lis;

	if (obj->type != KGATE_OBJ_LISTENER)
		return;
	lis = lis_of(obj);
	if (obj->gen_del == c->next && lis->ls && !lis->moved)
		kgate_lsock_close(lis->ls);
	if (obj->gen_del == c->next)
		lis->ls = NULL;
	lis->moved = false;
}

/* The namespace goes: close every listener's socket.  Under kn->lock. */
void kgate_l7_close_all(struct kgate_net *kn)
{
	struct kgate_listener *lis;

	lockdep_assert_held(&kn->lock);
	list_for_each_entry(lis, &kn->objs[KGATE_OBJ_LISTENER], obj.list) {
		if (lis->ls && !lis->moved)
			kgate_lsock_close(lis->ls);
		lis->ls = NULL;
	}
}
