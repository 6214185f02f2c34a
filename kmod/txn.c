// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions.  Every mutating command is applied by kgate_commit():
 * alone, or staged in a batch that BATCH_COMMIT applies as a whole.  The
 * commit builds the next generation beside the current one (new objects
 * with gen_add = next, retired ones with gen_del = next), flips the netns
 * generation, and only then unlinks what was retired.  A failure before the
 * flip rolls back, so nothing is ever half-applied.  What is generic here
 * works on struct kgate_obj: services, listeners and routes alike; what
 * is particular to listeners and routes is in l7commit.c.
 */
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/in6.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "kgate.h"

void kgate_op_free(struct kgate_op *op)
{
	kgate_svc_free(op->svc);
	kgate_listener_free(op->lis);
	kgate_route_put(op->rt);
	kfree(op->name);
	kgate_node_free(op->settings);
	kfree(op->masks);
	kfree(op);
}

/* Name the message of the batch to blame in the extack cookie. */
static void err_ref(struct netlink_ext_ack *extack, u32 pos, u32 seq)
{
	const struct kgate_commit_ref ref = { .pos = pos, .seq = seq };

	BUILD_BUG_ON(sizeof(ref) > sizeof(extack->cookie));
	if (!extack)
		return;
	memcpy(extack->cookie, &ref, sizeof(ref));
	extack->cookie_len = sizeof(ref);
}

/*
 * Prefix the message already in @extack with the failing command, for
 * people; programs read the cookie.  The message ends with any name it
 * quotes, so a cut at the end of the buffer shortens the name, not the
 * reason.
 */
static void err_prefix(struct netlink_ext_ack *extack, u32 pos, u32 seq)
{
	char msg[80];

	if (!extack)
		return;
	strscpy(msg, extack->_msg ?: "refused", sizeof(msg));
	NL_SET_ERR_MSG_FMT(extack, "cmd %u seq %u: %s", pos, seq, msg);
	err_ref(extack, pos, seq);
}

#define BE_STR_LEN	56	/* "[" IPv6 "]:" port */

static const char *be_str(const struct kgate_backend *be, char *buf)
{
	if (be->family == AF_INET)
		snprintf(buf, BE_STR_LEN, "%pI4:%u", &be->addr, be->port);
	else
		snprintf(buf, BE_STR_LEN, "[%pI6c]:%u", &be->addr, be->port);
	return buf;
}

void kgate_touch(struct kgate_commit *c, struct kgate_obj *obj)
{
	if (list_empty(&obj->touched))
		list_add_tail(&obj->touched, &c->touched);
}

static struct kgate_service *obj_svc(struct kgate_obj *obj)
{
	return obj->type == KGATE_OBJ_SERVICE ?
	       container_of(obj, struct kgate_service, obj) : NULL;
}

void kgate_retire(struct kgate_commit *c, struct kgate_obj *obj)
{
	struct kgate_service *svc = obj_svc(obj);

	WRITE_ONCE(obj->gen_del, c->next);
	kgate_touch(c, obj);
	c->d_objs[obj->type]--;
	if (svc) {
		c->d_frontends -= svc->n_frontends;
		c->d_backends -= svc->n_backends;
	}
}

static u32 n_live(const struct kgate_commit *c, u8 type)
{
	const struct kgate_net *kn = c->kn;
	u32 n = type == KGATE_OBJ_SERVICE ? kn->n_services :
		type == KGATE_OBJ_LISTENER ? kn->n_listeners : kn->n_routes;

	return n + c->d_objs[type];
}

/*
 * Put @obj into the next generation in place of @old (may be NULL), at
 * most @max objects of its type.  On failure the caller still owns @obj
 * if it is not on the touched list.
 */
int kgate_obj_install(struct kgate_commit *c, struct kgate_obj *obj,
		      struct kgate_obj *old, u32 max,
		      struct netlink_ext_ack *extack)
{
	static const char * const what[] = {
		[KGATE_OBJ_SERVICE] = "max_services",
		[KGATE_OBJ_LISTENER] = "KGATE_LISTENERS_MAX",
		[KGATE_OBJ_ROUTE] = "KGATE_ROUTES_MAX",
	};
	int err;

	if (!old && n_live(c, obj->type) >= max) {
		NL_SET_ERR_MSG_FMT(extack, "more than %s (%u)",
				   what[obj->type], max);
		return -ENOSPC;
	}
	obj->gen_add = c->next;
	obj->gen_del = KGATE_GEN_NEVER;
	kgate_touch(c, obj);
	err = obj->type == KGATE_OBJ_SERVICE ?
	      kgate_svc_link(c->kn, obj_svc(obj)) :
	      kgate_obj_link(c->kn, obj);
	if (err) {
		NL_SET_ERR_MSG(extack, "out of memory for the index");
		return err;
	}
	if (old)
		kgate_retire(c, old);
	c->d_objs[obj->type]++;
	return 0;
}

static int check_frontends(struct kgate_commit *c, struct kgate_service *svc,
			   const struct kgate_service *old,
			   struct netlink_ext_ack *extack)
{
	struct kgate_service *owner;
	u32 i;

	for (i = 0; i < svc->n_frontends; i++) {
		const struct kgate_frontend *fe = &svc->frontends[i];
		const char *lis;

		owner = kgate_fe_owner(c->kn, &fe->key, c->next);
		if (owner && owner != old) {
			NL_SET_ERR_MSG_FMT(extack,
					   "frontend %u is in use by service %s",
					   i, owner->name);
			return -EEXIST;
		}
		lis = kgate_frontend_clash(c, &fe->key, fe->kind);
		if (lis) {
			NL_SET_ERR_MSG_FMT(extack,
					   "frontend %u: port %u is listener %s's",
					   i, ntohs(fe->key.port), lis);
			return -EADDRINUSE;
		}
	}
	return 0;
}

static int check_backends(const struct kgate_service *svc,
			  struct netlink_ext_ack *extack)
{
	char buf[BE_STR_LEN];
	u32 i;

	if (svc->n_backends > min(kgate_max_backends, KGATE_BACKENDS_MAX)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%u backends, more than max_backends (%u)",
				   svc->n_backends,
				   min(kgate_max_backends, KGATE_BACKENDS_MAX));
		return -ENOSPC;
	}
	if (svc->table_size &&
	    svc->table_size < kgate_table_size_min(svc->n_backends)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "table size %u too small for %u backends",
				   svc->table_size, svc->n_backends);
		return -ENOSPC;
	}
	/* Without frontends, backends of both families serve routes. */
	for (i = 0; svc->n_frontends && i < svc->n_backends; i++) {
		if (!kgate_svc_has_family(svc, svc->backends[i].family)) {
			NL_SET_ERR_MSG_FMT(extack,
					   "no frontend of its family: backend %s",
					   be_str(&svc->backends[i], buf));
			return -EAFNOSUPPORT;
		}
	}
	return 0;
}

/* Put @svc into the next generation in place of @old (may be NULL). */
static int install(struct kgate_commit *c, struct kgate_service *svc,
		   struct kgate_service *old, struct netlink_ext_ack *extack)
{
	int err;

	err = check_backends(svc, extack);
	if (!err)
		err = check_frontends(c, svc, old, extack);
	if (err)
		return err;
	/* Before it is linked: on failure the caller still owns @svc. */
	err = kgate_be_index_build(svc) ?: kgate_cnt_share(svc, old) ?:
	      kgate_aff_share(c->kn, svc, old);
	if (err) {
		NL_SET_ERR_MSG(extack, "out of memory for the service");
		return err;
	}
	err = kgate_obj_install(c, &svc->obj, old ? &old->obj : NULL,
				kgate_max_services, extack);
	if (err)
		return err;
	c->d_frontends += svc->n_frontends;
	c->d_backends += svc->n_backends;
	return 0;
}

static struct kgate_service *find(struct kgate_commit *c, const char *name,
				  struct netlink_ext_ack *extack)
{
	struct kgate_service *svc = kgate_svc_lookup(c->kn, name, c->next);

	if (!svc)
		NL_SET_ERR_MSG_FMT(extack, "no service %s", name);
	return svc;
}

static int do_service(struct kgate_commit *c, struct kgate_op *op,
		      struct netlink_ext_ack *extack)
{
	struct kgate_service *old = kgate_svc_lookup(c->kn, op->svc->name,
						     c->next);
	int err;

	if (old && op->cmd == KGATE_CMD_SERVICE_ADD) {
		NL_SET_ERR_MSG_FMT(extack, "exists: service %s", old->name);
		return -EEXIST;
	}
	/* The staged object goes in as is: from here on the commit owns it. */
	err = install(c, op->svc, old, extack);
	if (err) {
		if (!list_empty(&op->svc->obj.touched))
			op->svc = NULL;
		return err;
	}
	op->result = op->svc;
	op->svc = NULL;
	return 0;
}

static int do_del(struct kgate_commit *c, struct kgate_op *op,
		  struct netlink_ext_ack *extack)
{
	struct kgate_service *old = find(c, op->svc->name, extack);

	if (!old)
		return -ENOENT;
	kgate_retire(c, &old->obj);
	op->result = old;
	return 0;
}

static int do_flush(struct kgate_commit *c, struct kgate_op *op)
{
	struct kgate_obj *obj;
	int i;

	for (i = 0; i < __KGATE_OBJ_MAX; i++)
		list_for_each_entry(obj, &c->kn->objs[i], list)
			if (kgate_obj_live(obj, c->next))
				kgate_retire(c, obj);
	c->flushed = true;
	return 0;
}

static void be_set(struct kgate_backend *b, const struct kgate_backend *v,
		   u8 mask)
{
	if (mask & KGATE_SET_WEIGHT)
		b->weight = v->weight;
	if (mask & KGATE_SET_STATE)
		b->state = v->state;
	if (mask & KGATE_SET_FLAGS)
		b->flags = v->flags;
}

/*
 * BACKEND_ADD / _DEL / _SET: a new copy of the service with the change.
 * Backends are found through the old object's index: O(listed) lookups,
 * whatever the size of the service.
 */
static int do_backends(struct kgate_commit *c, struct kgate_op *op,
		       struct netlink_ext_ack *extack)
{
	const struct kgate_service *req = op->svc;
	struct kgate_service *old, *svc;
	char buf[BE_STR_LEN];
	u32 i, j, n_be;
	int err;

	old = find(c, req->name, extack);
	if (!old)
		return -ENOENT;
	for (i = 0; i < req->n_backends; i++) {
		const struct kgate_backend *v = &req->backends[i];
		bool found = kgate_be_lookup(old, v->family, &v->addr, v->port);
		bool want = op->cmd != KGATE_CMD_BACKEND_ADD;

		if (found != want) {
			NL_SET_ERR_MSG_FMT(extack, "%s: backend %s",
					   found ? "exists" : "not found",
					   be_str(v, buf));
			return found ? -EEXIST : -ENOENT;
		}
	}

	n_be = old->n_backends;
	if (op->cmd == KGATE_CMD_BACKEND_ADD)
		n_be += req->n_backends;
	svc = kgate_svc_copy(old, n_be);
	if (!svc)
		return -ENOMEM;

	/* The copy keeps the old positions until the deleted ones go. */
	for (i = 0; i < req->n_backends; i++) {
		const struct kgate_backend *v = &req->backends[i];
		struct kgate_backend *b;

		if (op->cmd == KGATE_CMD_BACKEND_ADD) {
			svc->backends[svc->n_backends++] = *v;
			continue;
		}
		b = &svc->backends[kgate_be_lookup(old, v->family, &v->addr,
						   v->port) - old->backends];
		if (op->cmd == KGATE_CMD_BACKEND_SET)
			be_set(b, v, op->masks[i]);
		else
			b->port = 0;	/* deleted; no backend has port 0 */
	}
	if (op->cmd == KGATE_CMD_BACKEND_DEL) {
		/* Order does not matter to Maglev: the tables sort. */
		for (i = 0, j = 0; i < svc->n_backends; i++)
			if (svc->backends[i].port)
				svc->backends[j++] = svc->backends[i];
		svc->n_backends = j;
	}

	err = install(c, svc, old, extack);
	if (err) {
		if (list_empty(&svc->obj.touched))
			kgate_svc_free(svc);
		return err;
	}
	op->result = svc;
	return 0;
}

static int apply(struct kgate_commit *c, struct kgate_op *op,
		 struct netlink_ext_ack *extack)
{
	switch (op->cmd) {
	case KGATE_CMD_SERVICE_ADD:
	case KGATE_CMD_SERVICE_REPLACE:
		return do_service(c, op, extack);
	case KGATE_CMD_SERVICE_DEL:
		return do_del(c, op, extack);
	case KGATE_CMD_FLUSH:
		return do_flush(c, op);
	case KGATE_CMD_NODE_SET:
		c->node = op;
		return 0;
	case KGATE_CMD_BACKEND_ADD:
	case KGATE_CMD_BACKEND_DEL:
	case KGATE_CMD_BACKEND_SET:
		return do_backends(c, op, extack);
	default:
		return kgate_l7_apply(c, op, extack);
	}
}

/*
 * The lookup tables of the objects the next generation keeps that have
 * none yet (those backend commands made), once all commands are applied:
 * an object a later command of the same commit replaced never needs one.
 */
static int build_tables(struct kgate_commit *c,
			struct netlink_ext_ack *extack)
{
	struct kgate_service *svc;
	struct kgate_obj *obj;
	int err;

	list_for_each_entry(obj, &c->touched, touched) {
		svc = obj_svc(obj);
		if (!svc || obj->gen_add != c->next ||
		    obj->gen_del != KGATE_GEN_NEVER || svc->lb_built)
			continue;
		err = kgate_lb_build(svc);
		if (err) {
			NL_SET_ERR_MSG(extack, "out of memory for the lookup tables");
			return err;
		}
	}
	return 0;
}

static void unlink_obj(struct kgate_commit *c, struct kgate_obj *obj)
{
	if (obj->type == KGATE_OBJ_SERVICE)
		kgate_svc_unlink(c->kn, obj_svc(obj));
	else
		kgate_obj_unlink(c->kn, obj);
}

static void rollback(struct kgate_commit *c)
{
	struct kgate_obj *obj, *tmp;

	list_for_each_entry_safe(obj, tmp, &c->touched, touched) {
		list_del_init(&obj->touched);
		kgate_l7_rollback(c, obj);
		if (obj->gen_add == c->next) {
			unlink_obj(c, obj);
			kgate_obj_free_rcu(obj);
		} else {
			WRITE_ONCE(obj->gen_del, KGATE_GEN_NEVER);
		}
	}
}

static void finish(struct kgate_commit *c)
{
	struct kgate_obj *obj, *tmp;

	list_for_each_entry_safe(obj, tmp, &c->touched, touched) {
		list_del_init(&obj->touched);
		kgate_l7_finish(c, obj);
		if (obj->gen_del == c->next) {
			unlink_obj(c, obj);
			kgate_obj_free_rcu(obj);
		} else if (obj->type == KGATE_OBJ_SERVICE) {
			kgate_aff_commit(obj_svc(obj));
		}
	}
}

/*
 * Did the commit take away a UDP (frontend, backend) pair that flows may
 * use?  Only objects from before the commit can carry flows.  After the
 * flip, before the retired objects are unlinked.
 */
static bool stranded(struct kgate_commit *c)
{
	struct kgate_service *svc;
	struct kgate_obj *obj;

	list_for_each_entry(obj, &c->touched, touched) {
		svc = obj_svc(obj);
		if (!svc || obj->gen_add == c->next || obj->gen_del != c->next)
			continue;
		if (kgate_flows_removed(svc, kgate_svc_lookup(c->kn, svc->name,
							      c->next)))
			return true;
	}
	return false;
}

/* The node's settings of the commit's last NODE_SET, if any. */
static const struct kgate_node *set_node(struct kgate_commit *c)
{
	struct kgate_node *old, *node;

	if (!c->node)
		return NULL;
	node = c->node->settings;
	c->node->settings = NULL;
	old = rcu_replace_pointer(c->kn->node, node,
				  lockdep_is_held(&c->kn->lock));
	kgate_node_free(old);
	return node;
}

/*
 * Apply @ops, in order, all or nothing.  Consumes nothing on failure.  In
 * a @batch, the error message says which command failed.  *@walk tells
 * the caller to look for stranded UDP flows once it dropped kn->lock.
 */
static int kgate_commit(struct kgate_net *kn, struct list_head *ops,
			bool batch, bool *walk,
			struct netlink_ext_ack *extack)
{
	struct kgate_commit c = {
		.kn = kn,
		.next = kn->gen + 1,
		.touched = LIST_HEAD_INIT(c.touched),
	};
	const struct kgate_node *node;
	struct kgate_op *op;
	u32 pos = 0;
	int err;

	lockdep_assert_held(&kn->lock);
	list_for_each_entry(op, ops, node) {
		pos++;
		err = apply(&c, op, extack);
		if (err) {
			if (batch)
				err_prefix(extack, pos, op->seq);
			rollback(&c);
			return err;
		}
	}

	err = build_tables(&c, extack) ?: kgate_l7_prepare(&c, extack);
	if (err) {
		rollback(&c);
		return err;
	}
	/*
	 * Traffic to the services needs the NAT hooks before they are seen.
	 * Once in, they stay while kgate's flows may exist (nat.c).
	 */
	if (kn->n_services + c.d_objs[KGATE_OBJ_SERVICE]) {
		err = kgate_nat_enable(kn);
		if (err) {
			NL_SET_ERR_MSG(extack, "cannot register the NAT hooks");
			rollback(&c);
			return err;
		}
	}

	/* Readers switch here; see kgate_gen(). */
	smp_store_release(&kn->gen, c.next);
	node = set_node(&c);
	kgate_l7_publish(&c);
	WRITE_ONCE(kn->n_services,
		   kn->n_services + c.d_objs[KGATE_OBJ_SERVICE]);
	WRITE_ONCE(kn->n_listeners,
		   kn->n_listeners + c.d_objs[KGATE_OBJ_LISTENER]);
	WRITE_ONCE(kn->n_routes, kn->n_routes + c.d_objs[KGATE_OBJ_ROUTE]);
	WRITE_ONCE(kn->n_frontends, kn->n_frontends + c.d_frontends);
	WRITE_ONCE(kn->n_backends, kn->n_backends + c.d_backends);
	WRITE_ONCE(kn->commits, kn->commits + 1);
	kgate_notify(kn, &c.touched, node, c.flushed, c.next);
	*walk = kn->nat_on && stranded(&c);
	if (*walk)
		WRITE_ONCE(kn->flow_walks, kn->flow_walks + 1);
	finish(&c);
	if (!kn->n_services)
		kgate_nat_idle(kn);
	return 0;
}

static struct kgate_txn *txn_find(struct kgate_net *kn,
				  const struct kgate_sender *from)
{
	struct kgate_txn *txn;

	list_for_each_entry(txn, &kn->txns, node)
		if (txn->sk == from->sk && txn->portid == from->portid)
			return txn;
	return NULL;
}

static void txn_free(struct kgate_net *kn, struct kgate_txn *txn)
{
	struct kgate_op *op, *tmp;

	list_for_each_entry_safe(op, tmp, &txn->ops, node)
		kgate_op_free(op);
	list_del(&txn->node);
	WRITE_ONCE(kn->n_txns, kn->n_txns - 1);
	sock_put(txn->sk);
	kfree(txn);
}

/*
 * The first refusal in a batch is the one COMMIT reports; the refused
 * message is already counted in txn->n_msgs.
 */
static void txn_poison(struct kgate_txn *txn, u32 seq, int err)
{
	if (!txn->poison) {
		txn->poison = err;
		txn->poison_seq = seq;
		txn->poison_pos = txn->n_msgs;
	}
}

/* Look for UDP flows a commit stranded; without kn->lock. */
static void after_commit(struct kgate_net *kn, bool walk)
{
	if (walk)
		kgate_flows_stale(kn);
}

/*
 * Stage @op in the sender's batch, or apply it now when none is open.
 * Takes @op in every case.
 */
int kgate_submit(struct kgate_net *kn, const struct kgate_sender *from,
		 struct kgate_op *op, struct netlink_ext_ack *extack)
{
	u64 cap = (u64)READ_ONCE(kgate_max_batch_mb) << 20;
	struct kgate_txn *txn;
	bool walk = false;
	LIST_HEAD(one);
	int err = 0;

	mutex_lock(&kn->lock);
	txn = txn_find(kn, from);
	if (txn)
		txn->n_msgs++;
	if (txn && (txn->n_ops >= KGATE_BATCH_MAX_OPS ||
		    txn->bytes + op->size > cap)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "batch holds too much: at most %lu commands, max_batch_mb %llu MiB",
				   KGATE_BATCH_MAX_OPS, cap >> 20);
		err = -E2BIG;
		txn_poison(txn, op->seq, err);
	} else if (txn) {
		list_add_tail(&op->node, &txn->ops);
		txn->n_ops++;
		txn->bytes += op->size;
		op = NULL;
	} else {
		list_add(&op->node, &one);
		err = kgate_commit(kn, &one, false, &walk, extack);
		list_del(&op->node);
	}
	mutex_unlock(&kn->lock);
	if (op)
		kgate_op_free(op);
	after_commit(kn, walk);
	return err;
}

/* A message of the sender's batch was refused: the batch can only fail. */
void kgate_poison(struct kgate_net *kn, const struct kgate_sender *from,
		  u32 seq, int err)
{
	struct kgate_txn *txn;

	mutex_lock(&kn->lock);
	txn = txn_find(kn, from);
	if (txn) {
		txn->n_msgs++;
		txn_poison(txn, seq, err);
	}
	mutex_unlock(&kn->lock);
}

int kgate_batch_begin(struct kgate_net *kn, const struct kgate_sender *from,
		      struct netlink_ext_ack *extack)
{
	struct kgate_txn *txn;
	int err = 0;

	txn = kzalloc(sizeof(*txn), GFP_KERNEL_ACCOUNT);
	if (!txn)
		return -ENOMEM;
	txn->sk = from->sk;
	txn->portid = from->portid;
	INIT_LIST_HEAD(&txn->ops);

	mutex_lock(&kn->lock);
	if (txn_find(kn, from)) {
		NL_SET_ERR_MSG(extack, "a batch is already open on this socket");
		err = -EBUSY;
	} else {
		sock_hold(txn->sk);
		list_add(&txn->node, &kn->txns);
		WRITE_ONCE(kn->n_txns, kn->n_txns + 1);
		txn = NULL;
	}
	mutex_unlock(&kn->lock);
	kfree(txn);
	return err;
}

/*
 * Apply the sender's batch, if nothing was lost on the way: @count (may
 * be NULL) is the number of mutating commands the client sent since
 * BATCH_BEGIN.  A message the policy refused never reached kgate, so it
 * did not poison the batch; it is missing from the batch's own count.
 * The batch ends here whatever the outcome.
 */
int kgate_batch_commit(struct kgate_net *kn, const struct kgate_sender *from,
		       const struct nlattr *count, struct netlink_ext_ack *extack)
{
	struct kgate_txn *txn;
	bool walk = false;
	int err;

	mutex_lock(&kn->lock);
	txn = txn_find(kn, from);
	if (!count) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, KGATE_A_BATCH_COUNT);
		NL_SET_ERR_MSG(extack, "missing batch count");
		err = -EINVAL;
	} else if (!txn) {
		NL_SET_ERR_MSG(extack, "no batch open on this socket");
		err = -ENOENT;
	} else if (txn->poison) {
		NL_SET_ERR_MSG_FMT(extack,
				   "batch aborted: message seq %u was refused (errno %d)",
				   txn->poison_seq, -txn->poison);
		err_ref(extack, txn->poison_pos, txn->poison_seq);
		err = -ECANCELED;
	} else if (nla_get_u32(count) != txn->n_msgs) {
		NL_SET_ERR_MSG_FMT(extack,
				   "batch aborted: %u commands sent, %u reached kgate",
				   nla_get_u32(count), txn->n_msgs);
		NL_SET_BAD_ATTR(extack, count);
		err = -ECANCELED;
	} else {
		err = kgate_commit(kn, &txn->ops, true, &walk, extack);
	}
	if (txn)
		txn_free(kn, txn);
	mutex_unlock(&kn->lock);
	after_commit(kn, walk);
	return err;
}

int kgate_batch_abort(struct kgate_net *kn, const struct kgate_sender *from,
		      struct netlink_ext_ack *extack)
{
	struct kgate_txn *txn;

	mutex_lock(&kn->lock);
	txn = txn_find(kn, from);
	if (txn)
		txn_free(kn, txn);
	mutex_unlock(&kn->lock);
	if (!txn) {
		NL_SET_ERR_MSG(extack, "no batch open on this socket");
		return -ENOENT;
	}
	return 0;
}

void kgate_txns_destroy(struct kgate_net *kn)
{
	struct kgate_txn *txn, *tmp;

	mutex_lock(&kn->lock);
	list_for_each_entry_safe(txn, tmp, &kn->txns, node)
		txn_free(kn, txn);
	mutex_unlock(&kn->lock);
}

/*
 * A socket that closes with a batch open aborts it.  The port id may
 * already belong to a new socket by now: the batch to drop is the one of
 * a socket that is dead.  Most sockets that close never had a batch: they
 * do not wait for kn->lock.
 */
static int kgate_netlink_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct netlink_notify *n = ptr;
	struct kgate_txn *txn, *tmp;
	struct kgate_net *kn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;

	kn = kgate_pernet(n->net);
	if (!READ_ONCE(kn->n_txns))
		return NOTIFY_DONE;
	mutex_lock(&kn->lock);
	list_for_each_entry_safe(txn, tmp, &kn->txns, node)
		if (txn->portid == n->portid && sock_flag(txn->sk, SOCK_DEAD))
			txn_free(kn, txn);
	mutex_unlock(&kn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block kgate_netlink_notifier = {
	.notifier_call = kgate_netlink_event,
};

int kgate_txn_notifier_register(void)
{
	return netlink_register_notifier(&kgate_netlink_notifier);
}

void kgate_txn_notifier_unregister(void)
{
	netlink_unregister_notifier(&kgate_netlink_notifier);
}
