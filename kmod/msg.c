// SPDX-License-Identifier: GPL-2.0
/*
 * Objects to netlink messages: replies, dumps and events.
 */
#include <net/genetlink.h>
#include <net/netlink.h>

#include "kgate.h"

static size_t addr_size(void)
{
	return nla_total_size(sizeof(struct in6_addr));
}

static size_t fe_size(void)
{
	return nla_total_size(0) + addr_size() + nla_total_size(sizeof(u16)) +
	       2 * nla_total_size(sizeof(u8));
}

static size_t cnt_size(void)
{
	return nla_total_size(0) + 3 * nla_total_size_64bit(sizeof(u64));
}

static size_t be_size(void)
{
	return nla_total_size(0) + addr_size() + nla_total_size(sizeof(u16)) +
	       2 * nla_total_size(sizeof(u32)) + nla_total_size(sizeof(u8));
}

static size_t range_size(void)
{
	return nla_total_size(0) + addr_size() + nla_total_size(sizeof(u8));
}

/* Upper bound of a message carrying the whole of @svc, for command @cmd. */
size_t kgate_service_msg_size(const struct kgate_service *svc, u8 cmd)
{
	size_t cnt = cmd == KGATE_CMD_SERVICE_GET ? cnt_size() : 0;

	return nla_total_size(0) +			/* KGATE_A_SERVICE */
	       nla_total_size(strlen(svc->name) + 1) +
	       4 * nla_total_size(sizeof(u8)) +
	       2 * nla_total_size(sizeof(u32)) +
	       3 * nla_total_size(0) +			/* the lists */
	       (svc->owner ? nla_total_size(strlen(svc->owner) + 1) : 0) +
	       cnt +
	       svc->n_frontends * fe_size() +
	       svc->n_ranges * range_size() +
	       svc->n_backends * (be_size() + cnt);
}

static int put_addr(struct sk_buff *skb, int type, u8 family,
		    const struct in6_addr *addr)
{
	return nla_put(skb, type, family == AF_INET ? 4 : 16, addr);
}

static int put_frontends(struct sk_buff *skb, const struct kgate_service *svc)
{
	struct nlattr *list, *item;
	u32 i;

	list = nla_nest_start(skb, KGATE_SVC_A_FRONTENDS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < svc->n_frontends; i++) {
		const struct kgate_frontend *fe = &svc->frontends[i];

		item = nla_nest_start(skb, KGATE_A_LIST_ITEM);
		if (!item ||
		    put_addr(skb, KGATE_FE_A_ADDR, fe->key.family,
			     &fe->key.addr) ||
		    nla_put_u16(skb, KGATE_FE_A_PORT, ntohs(fe->key.port)) ||
		    nla_put_u8(skb, KGATE_FE_A_PROTO, fe->key.proto) ||
		    nla_put_u8(skb, KGATE_FE_A_KIND, fe->kind))
			return -EMSGSIZE;
		nla_nest_end(skb, item);
	}
	nla_nest_end(skb, list);
	return 0;
}

static int put_ranges(struct sk_buff *skb, const struct kgate_service *svc)
{
	struct nlattr *list, *item;
	u32 i;

	if (!svc->n_ranges)
		return 0;
	list = nla_nest_start(skb, KGATE_SVC_A_SOURCE_RANGES);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < svc->n_ranges; i++) {
		const struct kgate_range *r = &svc->ranges[i];

		item = nla_nest_start(skb, KGATE_A_LIST_ITEM);
		if (!item ||
		    put_addr(skb, KGATE_RANGE_A_ADDR, r->family, &r->addr) ||
		    nla_put_u8(skb, KGATE_RANGE_A_PLEN, r->plen))
			return -EMSGSIZE;
		nla_nest_end(skb, item);
	}
	nla_nest_end(skb, list);
	return 0;
}

/* Counters go in replies to SERVICE_GET only: in events they are noise. */
static int put_counters(struct sk_buff *skb, int type,
			const struct kgate_counters *cnt, u8 cmd)
{
	struct kgate_cnt_sum sum;
	struct nlattr *nest;

	if (cmd != KGATE_CMD_SERVICE_GET)
		return 0;
	kgate_cnt_sum(cnt, &sum);
	nest = nla_nest_start(skb, type);
	if (!nest ||
	    nla_put_u64_64bit(skb, KGATE_CNT_A_CONNS, sum.conns,
			      KGATE_CNT_A_PAD) ||
	    nla_put_u64_64bit(skb, KGATE_CNT_A_PACKETS, sum.packets,
			      KGATE_CNT_A_PAD) ||
	    nla_put_u64_64bit(skb, KGATE_CNT_A_BYTES, sum.bytes,
			      KGATE_CNT_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_backend(struct sk_buff *skb, const struct kgate_backend *be,
		       u8 cmd)
{
	struct nlattr *item = nla_nest_start(skb, KGATE_A_LIST_ITEM);

	if (!item ||
	    put_addr(skb, KGATE_BE_A_ADDR, be->family, &be->addr) ||
	    nla_put_u16(skb, KGATE_BE_A_PORT, be->port) ||
	    nla_put_u32(skb, KGATE_BE_A_WEIGHT, be->weight) ||
	    nla_put_u8(skb, KGATE_BE_A_STATE, be->state) ||
	    nla_put_u32(skb, KGATE_BE_A_FLAGS, be->flags) ||
	    put_counters(skb, KGATE_BE_A_COUNTERS, be->cnt, cmd)) {
		if (item)
			nla_nest_cancel(skb, item);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, item);
	return 0;
}

/* As many backends from *@pos as fit; -EMSGSIZE if not one did. */
static int put_backends(struct sk_buff *skb, const struct kgate_service *svc,
			u8 cmd, u32 *pos)
{
	struct nlattr *list;
	u32 start = *pos;

	if (!svc->n_backends)
		return 0;
	list = nla_nest_start(skb, KGATE_SVC_A_BACKENDS);
	if (!list)
		return -EMSGSIZE;
	for (; *pos < svc->n_backends; (*pos)++)
		if (put_backend(skb, &svc->backends[*pos], cmd))
			break;
	if (*pos == start) {
		nla_nest_cancel(skb, list);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, list);
	return 0;
}

static int put_options(struct sk_buff *skb, const struct kgate_service *svc)
{
	if (nla_put_u8(skb, KGATE_SVC_A_SCHED, svc->sched) ||
	    nla_put_u32(skb, KGATE_SVC_A_TABLE_SIZE, svc->table_size) ||
	    nla_put_u8(skb, KGATE_SVC_A_AFFINITY, svc->affinity) ||
	    nla_put_u32(skb, KGATE_SVC_A_AFFINITY_TIMEOUT, svc->timeout) ||
	    nla_put_u8(skb, KGATE_SVC_A_EXT_POLICY, svc->ext_policy) ||
	    nla_put_u8(skb, KGATE_SVC_A_INT_POLICY, svc->int_policy) ||
	    (svc->owner &&
	     nla_put_string(skb, KGATE_SVC_A_OWNER, svc->owner)))
		return -EMSGSIZE;
	return 0;
}

/*
 * One message for @svc, starting at backend *@pos.  The first message of a
 * service carries everything but the backends that do not fit; the next
 * ones (*@pos > 0) only the name and further backends.  Returns 0 when
 * the last backend is in, -EAGAIN when more messages are needed,
 * -EMSGSIZE when the message could not be started.
 */
int kgate_fill_service(struct sk_buff *skb, const struct kgate_service *svc,
		       u32 portid, u32 seq, int flags, u8 cmd, u32 *pos)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kgate_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, KGATE_A_SERVICE);
	if (!nest || nla_put_string(skb, KGATE_SVC_A_NAME, svc->name))
		goto cancel;
	if (!*pos && (put_options(skb, svc) || put_frontends(skb, svc) ||
		      put_ranges(skb, svc) ||
		      put_counters(skb, KGATE_SVC_A_COUNTERS, svc->cnt, cmd)))
		goto cancel;
	if (put_backends(skb, svc, cmd, pos))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return *pos < svc->n_backends ? -EAGAIN : 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * A standalone message with the whole of @svc (replies and events), or
 * -EMSGSIZE if the service nest could outgrow an attribute's 64 KiB: only
 * replies, with their counters, can (every event fits), and a dump of the
 * service, which splits it, is then the way to read it.
 */
struct sk_buff *kgate_service_msg(const struct kgate_service *svc,
				  u32 portid, u32 seq, u8 cmd)
{
	size_t size = kgate_service_msg_size(svc, cmd);
	struct sk_buff *skb;

	if (size > U16_MAX)
		return ERR_PTR(-EMSGSIZE);
	skb = genlmsg_new(size, GFP_KERNEL);
	if (!skb)
		return ERR_PTR(-ENOMEM);
	if (kgate_service_fill(skb, svc, portid, seq, cmd)) {
		/* kgate_service_msg_size() is an upper bound: a bug. */
		WARN_ON_ONCE(1);
		nlmsg_free(skb);
		return ERR_PTR(-EMSGSIZE);
	}
	return skb;
}

/* The whole of @svc into @skb, sized by kgate_service_msg_size(). */
int kgate_service_fill(struct sk_buff *skb, const struct kgate_service *svc,
		       u32 portid, u32 seq, u8 cmd)
{
	u32 pos = 0;
	int err;

	err = kgate_fill_service(skb, svc, portid, seq, 0, cmd, &pos);
	return err == -EAGAIN ? -EMSGSIZE : err;
}

/* Read without kn->lock: every figure is whole, of one commit or another. */
int kgate_fill_stats(struct sk_buff *skb, struct kgate_net *kn)
{
	struct nlattr *nest = nla_nest_start(skb, KGATE_A_STATS);
	u64 no_room;
	u32 idle;

	kgate_pool_stats(kn, &idle, &no_room);

	if (!nest ||
	    nla_put_u32(skb, KGATE_STATS_A_SERVICES, READ_ONCE(kn->n_services)) ||
	    nla_put_u32(skb, KGATE_STATS_A_FRONTENDS,
			READ_ONCE(kn->n_frontends)) ||
	    nla_put_u32(skb, KGATE_STATS_A_BACKENDS, READ_ONCE(kn->n_backends)) ||
	    nla_put_u32(skb, KGATE_STATS_A_MAX_SERVICES,
			READ_ONCE(kgate_max_services)) ||
	    nla_put_u32(skb, KGATE_STATS_A_MAX_BACKENDS,
			min(READ_ONCE(kgate_max_backends), KGATE_BACKENDS_MAX)) ||
	    nla_put_u64_64bit(skb, KGATE_STATS_A_COMMITS, READ_ONCE(kn->commits),
			      KGATE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, KGATE_STATS_A_GENERATION, kgate_gen(kn),
			      KGATE_STATS_A_PAD) ||
	    nla_put_u32(skb, KGATE_STATS_A_BATCHES_OPEN, READ_ONCE(kn->n_txns)) ||
	    nla_put_u8(skb, KGATE_STATS_A_NAT_HOOKS, READ_ONCE(kn->nat_on)) ||
	    nla_put_u64_64bit(skb, KGATE_STATS_A_FLOW_WALKS,
			      READ_ONCE(kn->flow_walks), KGATE_STATS_A_PAD) ||
	    nla_put_u32(skb, KGATE_STATS_A_AFFINITY_CLIENTS,
			atomic_read(&kn->aff_clients)) ||
	    nla_put_u64_64bit(skb, KGATE_STATS_A_AFFINITY_DROPPED,
			      atomic64_read(&kn->aff_dropped),
			      KGATE_STATS_A_PAD) ||
	    nla_put_u32(skb, KGATE_STATS_A_MAX_AFFINITY,
			READ_ONCE(kgate_max_affinity)) ||
	    nla_put_u32(skb, KGATE_STATS_A_LISTENERS,
			READ_ONCE(kn->n_listeners)) ||
	    nla_put_u32(skb, KGATE_STATS_A_ROUTES, READ_ONCE(kn->n_routes)) ||
	    nla_put_u32(skb, KGATE_STATS_A_UPSTREAM_IDLE, idle) ||
	    nla_put_u64_64bit(skb, KGATE_STATS_A_UPSTREAM_NO_ROOM, no_room,
			      KGATE_STATS_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* KGATE_A_NODE for @node (NULL: the defaults).  RCU or kn->lock. */
int kgate_fill_node(struct sk_buff *skb, const struct kgate_node *node)
{
	struct nlattr *nest, *list, *item;
	u16 i;

	nest = nla_nest_start(skb, KGATE_A_NODE);
	if (!nest)
		return -EMSGSIZE;
	if (node && node->n_local) {
		list = nla_nest_start(skb, KGATE_NODE_A_LOCAL_RANGES);
		if (!list)
			return -EMSGSIZE;
		for (i = 0; i < node->n_local; i++) {
			const struct kgate_range *r = &node->local[i];

			item = nla_nest_start(skb, KGATE_A_LIST_ITEM);
			if (!item ||
			    put_addr(skb, KGATE_RANGE_A_ADDR, r->family,
				     &r->addr) ||
			    nla_put_u8(skb, KGATE_RANGE_A_PLEN, r->plen))
				return -EMSGSIZE;
			nla_nest_end(skb, item);
		}
		nla_nest_end(skb, list);
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The ADD, REPLACE and DEL commands of each type, in that order. */
static const u8 obj_cmds[__KGATE_OBJ_MAX] = {
	[KGATE_OBJ_SERVICE] = KGATE_CMD_SERVICE_ADD,
	[KGATE_OBJ_LISTENER] = KGATE_CMD_LISTENER_ADD,
	[KGATE_OBJ_ROUTE] = KGATE_CMD_ROUTE_ADD,
};

static const u16 obj_nests[__KGATE_OBJ_MAX] = {
	[KGATE_OBJ_SERVICE] = KGATE_A_SERVICE,
	[KGATE_OBJ_LISTENER] = KGATE_A_LISTENER,
	[KGATE_OBJ_ROUTE] = KGATE_A_ROUTE,
};

/*
 * The event a commit to @gen owes for @obj, one of the objects it touched,
 * 0 for none.  Events tell the net effect on each name, whatever the
 * commands: the object the name ends with says ADD or REPLACE (whether
 * the name existed before), the object it had before says DEL (when the
 * name is gone after; a FLUSH says that for all of them).  Every other
 * object the commit touched was made and retired within it, or was only
 * looked at (a listener whose routes changed).  Runs after the flip,
 * before the retired objects are unlinked.
 */
static u8 event_of(struct kgate_net *kn, const struct kgate_obj *obj,
		   bool flushed, u64 gen)
{
	bool before = kgate_obj_lookup(kn, obj->type, obj->name, gen - 1);
	u8 add = obj_cmds[obj->type];

	if (obj->gen_add == gen && obj->gen_del == KGATE_GEN_NEVER)
		return before ? add + 1 : add;
	if (obj->gen_add < gen && obj->gen_del == gen && !flushed &&
	    !kgate_obj_lookup(kn, obj->type, obj->name, gen))
		return add + 2;
	return 0;
}

/* An event with a header and, optionally, an object's name or the node. */
static struct sk_buff *event_msg(u8 event, const struct kgate_obj *obj,
				 const struct kgate_node *node)
{
	struct sk_buff *skb;
	struct nlattr *nest;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return ERR_PTR(-ENOMEM);
	hdr = genlmsg_put(skb, 0, 0, &kgate_family, 0, event);
	if (!hdr)
		goto err;
	if (obj) {
		/* Every object's name is attribute 1 of its nest. */
		nest = nla_nest_start(skb, obj_nests[obj->type]);
		if (!nest || nla_put_string(skb, KGATE_SVC_A_NAME, obj->name))
			goto err;
		nla_nest_end(skb, nest);
	}
	if (event == KGATE_CMD_NODE_SET && kgate_fill_node(skb, node))
		goto err;
	genlmsg_end(skb, hdr);
	return skb;
err:
	nlmsg_free(skb);
	return ERR_PTR(-EMSGSIZE);
}

/* A whole object, for its ADD or REPLACE event. */
static struct sk_buff *obj_msg(const struct kgate_obj *obj, u8 event)
{
	switch (obj->type) {
	case KGATE_OBJ_SERVICE:
		return kgate_service_msg(container_of(obj, struct kgate_service,
						      obj), 0, 0, event);
	case KGATE_OBJ_LISTENER:
		return kgate_listener_msg(container_of(obj,
						       struct kgate_listener,
						       obj), 0, 0, event);
	default:
		return kgate_route_msg(container_of(obj, struct kgate_route,
						    obj), 0, 0, event);
	}
}

static struct sk_buff *commit_msg(u64 gen)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(nla_total_size_64bit(sizeof(u64)), GFP_KERNEL);
	if (!skb)
		return ERR_PTR(-ENOMEM);
	hdr = genlmsg_put(skb, 0, 0, &kgate_family, 0,
			  KGATE_CMD_BATCH_COMMIT);
	if (!hdr || nla_put_u64_64bit(skb, KGATE_A_GENERATION, gen,
				      KGATE_A_PAD)) {
		nlmsg_free(skb);
		return ERR_PTR(-EMSGSIZE);
	}
	genlmsg_end(skb, hdr);
	return skb;
}

static void multicast(struct kgate_net *kn, struct sk_buff *skb)
{
	if (!IS_ERR(skb))
		genlmsg_multicast_netns(&kgate_family, kn->net, skb, 0, 0,
					GFP_KERNEL);
}

/*
 * After a commit to @gen: FLUSH if it had one, the node's settings if
 * they changed (@node), the net effect on each object it @touched, in
 * the order they were first touched, then the commit.
 */
void kgate_notify(struct kgate_net *kn, struct list_head *touched,
		  const struct kgate_node *node, bool flushed, u64 gen)
{
	struct kgate_obj *obj;
	u8 event;

	if (!genl_has_listeners(&kgate_family, kn->net, 0))
		return;
	if (flushed)
		multicast(kn, event_msg(KGATE_CMD_FLUSH, NULL, NULL));
	if (node)
		multicast(kn, event_msg(KGATE_CMD_NODE_SET, NULL, node));
	list_for_each_entry(obj, touched, touched) {
		event = event_of(kn, obj, flushed, gen);
		if (event == obj_cmds[obj->type] + 2)
			multicast(kn, event_msg(event, obj, NULL));
		else if (event)
			multicast(kn, obj_msg(obj, event));
	}
	multicast(kn, commit_msg(gen));
}
