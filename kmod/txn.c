// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions.  Every mutating command is applied by kgate_commit():
 * alone, or staged in a batch that BATCH_COMMIT applies as a whole.  The
 * commit builds the next generation beside the current one (new objects
 * with gen_add = next, retired ones with gen_del = next), flips the netns
 * generation, and only then unlinks what was retired.  A failure before the
 * flip rolls back, so nothing is ever half-applied.
 */
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/in6.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/genetlink.h>

#include "compat.h"
#include "kgate.h"

struct kgate_commit {
	struct kgate_net *kn;
	u64 next;
	struct list_head touched;
	/* A retired service had UDP frontends: its flows may have to go. */
	bool udp;
	/* Changes to the totals, applied on success. */
	s64 d_services;
	s64 d_frontends;
	s64 d_backends;
};

void kgate_op_free(struct kgate_op *op)
{
	kgate_svc_free(op->svc);
	kfree(op->masks);
	kfree(op);
}

/* Prefix the message already in @extack with the failing command. */
static void err_prefix(struct netlink_ext_ack *extack, u32 pos, u32 seq)
{
	char msg[80];

	if (!extack)
		return;
	strscpy(msg, extack->_msg ?: "refused", sizeof(msg));
	NL_SET_ERR_MSG_FMT(extack, "cmd %u seq %u: %s", pos, seq, msg);
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

static void touch(struct kgate_commit *c, struct kgate_service *svc)
{
	if (list_empty(&svc->touched))
		list_add_tail(&svc->touched, &c->touched);
}

static bool has_udp(const struct kgate_service *svc)
{
	u32 i;

	for (i = 0; i < svc->n_frontends; i++)
		if (svc->frontends[i].key.proto == IPPROTO_UDP)
			return true;
	return false;
}

static void retire(struct kgate_commit *c, struct kgate_service *svc)
{
	c->udp |= has_udp(svc);
	WRITE_ONCE(svc->gen_del, c->next);
	touch(c, svc);
	c->d_services--;
	c->d_frontends -= svc->n_frontends;
	c->d_backends -= svc->n_backends;
}

static int check_frontends(struct kgate_commit *c, struct kgate_service *svc,
			   const struct kgate_service *old,
			   struct netlink_ext_ack *extack)
{
	struct kgate_service *owner;
	u32 i;

	for (i = 0; i < svc->n_frontends; i++) {
		owner = kgate_fe_owner(c->kn, &svc->frontends[i].key, c->next);
		if (owner && owner != old) {
			NL_SET_ERR_MSG_FMT(extack,
					   "frontend %u is in use by service %s",
					   i, owner->name);
			return -EEXIST;
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
	for (i = 0; i < svc->n_backends; i++) {
		if (!kgate_svc_has_family(svc, svc->backends[i].family)) {
			NL_SET_ERR_MSG_FMT(extack,
					   "backend %s: no frontend of its family",
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
	if (!old && c->kn->n_services + c->d_services >= kgate_max_services) {
		NL_SET_ERR_MSG_FMT(extack, "more than max_services (%u)",
				   kgate_max_services);
		return -ENOSPC;
	}
	/* Before it is linked: on failure the caller still owns @svc. */
	err = kgate_be_index_build(svc) ?: kgate_cnt_share(svc, old) ?:
	      kgate_aff_share(svc, old);
	if (err) {
		NL_SET_ERR_MSG(extack, "out of memory for the service");
		return err;
	}
	svc->gen_add = c->next;
	svc->gen_del = KGATE_GEN_NEVER;
	touch(c, svc);
	err = kgate_svc_link(c->kn, svc);
	if (err) {
		NL_SET_ERR_MSG(extack, "out of memory for the service index");
		return err;
	}
	if (old)
		retire(c, old);
	c->d_services++;
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
		NL_SET_ERR_MSG_FMT(extack, "service %s exists", old->name);
		return -EEXIST;
	}
	/* The staged object goes in as is: from here on the commit owns it. */
	err = install(c, op->svc, old, extack);
	if (err) {
		if (!list_empty(&op->svc->touched))
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
	retire(c, old);
	op->result = old;
	return 0;
}

static int do_flush(struct kgate_commit *c, struct kgate_op *op)
{
	struct kgate_service *svc;

	list_for_each_entry(svc, &c->kn->services, list)
		if (kgate_svc_live(svc, c->next))
			retire(c, svc);
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

/* BACKEND_ADD / _DEL / _SET: a new copy of the service with the change. */
static int do_backends(struct kgate_commit *c, struct kgate_op *op,
		       struct netlink_ext_ack *extack)
{
	const struct kgate_service *req = op->svc;
	struct kgate_service *old, *svc;
	char buf[BE_STR_LEN];
	u32 i, n_be;
	int err;

	old = find(c, req->name, extack);
	if (!old)
		return -ENOENT;
	for (i = 0; i < req->n_backends; i++) {
		bool found = kgate_be_find(old, &req->backends[i]);
		bool want = op->cmd != KGATE_CMD_BACKEND_ADD;

		if (found != want) {
			NL_SET_ERR_MSG_FMT(extack, "backend %s %s",
					   be_str(&req->backends[i], buf),
					   found ? "exists" : "not found");
			return found ? -EEXIST : -ENOENT;
		}
	}

	n_be = old->n_backends;
	if (op->cmd == KGATE_CMD_BACKEND_ADD)
		n_be += req->n_backends;
	svc = kgate_svc_copy(old, n_be);
	if (!svc)
		return -ENOMEM;

	for (i = 0; i < req->n_backends; i++) {
		const struct kgate_backend *v = &req->backends[i];
		struct kgate_backend *b;

		switch (op->cmd) {
		case KGATE_CMD_BACKEND_ADD:
			svc->backends[svc->n_backends++] = *v;
			break;
		case KGATE_CMD_BACKEND_DEL:
			/* Order does not matter to Maglev: swap with the last. */
			b = kgate_be_find(svc, v);
			*b = svc->backends[--svc->n_backends];
			break;
		case KGATE_CMD_BACKEND_SET:
			be_set(kgate_be_find(svc, v), v, op->masks[i]);
			break;
		}
	}

	err = install(c, svc, old, extack);
	if (err) {
		if (list_empty(&svc->touched))
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
	default:
		return do_backends(c, op, extack);
	}
}

/*
 * The lookup tables of the objects the next generation keeps, once all
 * commands are applied: an object a later command of the same commit
 * replaced again never needs one.
 */
static int build_tables(struct kgate_commit *c,
			struct netlink_ext_ack *extack)
{
	struct kgate_service *svc;
	int err;

	list_for_each_entry(svc, &c->touched, touched) {
		if (svc->gen_add != c->next || svc->gen_del != KGATE_GEN_NEVER)
			continue;
		err = kgate_lb_build(svc);
		if (err) {
			NL_SET_ERR_MSG(extack, "out of memory for the lookup tables");
			return err;
		}
	}
	return 0;
}

static void rollback(struct kgate_commit *c)
{
	struct kgate_service *svc, *tmp;

	list_for_each_entry_safe(svc, tmp, &c->touched, touched) {
		list_del_init(&svc->touched);
		if (svc->gen_add == c->next) {
			kgate_svc_unlink(c->kn, svc);
			kgate_svc_free_rcu(svc);
		} else {
			WRITE_ONCE(svc->gen_del, KGATE_GEN_NEVER);
		}
	}
}

static void finish(struct kgate_commit *c)
{
	struct kgate_service *svc, *tmp;

	list_for_each_entry_safe(svc, tmp, &c->touched, touched) {
		list_del_init(&svc->touched);
		if (svc->gen_del == c->next) {
			kgate_svc_unlink(c->kn, svc);
			kgate_svc_free_rcu(svc);
		}
	}
}

/*
 * Apply @ops, in order, all or nothing.  Consumes nothing on failure.  In
 * a @batch, the error message says which command failed.
 */
static int kgate_commit(struct kgate_net *kn, struct list_head *ops,
			bool batch, struct netlink_ext_ack *extack)
{
	struct kgate_commit c = {
		.kn = kn,
		.next = kn->gen + 1,
		.touched = LIST_HEAD_INIT(c.touched),
	};
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

	err = build_tables(&c, extack);
	if (err) {
		rollback(&c);
		return err;
	}
	/* Traffic to the services needs the NAT hooks before they are seen. */
	if (kn->n_services + c.d_services) {
		err = kgate_nat_enable(kn);
		if (err) {
			NL_SET_ERR_MSG(extack, "cannot register the NAT hooks");
			rollback(&c);
			return err;
		}
	}

	/* Readers switch here; see kgate_gen(). */
	smp_store_release(&kn->gen, c.next);
	kn->n_services += c.d_services;
	kn->n_frontends += c.d_frontends;
	kn->n_backends += c.d_backends;
	kn->commits++;
	kgate_notify(kn, ops, c.next);
	if (c.udp && kn->nat_on)
		kgate_flows_commit(kn, c.next - 1, c.next);
	finish(&c);
	if (kn->n_services)
		kgate_aff_gc_start(kn);
	else
		kgate_nat_disable(kn);
	return 0;
}

static struct kgate_txn *txn_find(struct kgate_net *kn, u32 portid)
{
	struct kgate_txn *txn;

	list_for_each_entry(txn, &kn->txns, node)
		if (txn->portid == portid)
			return txn;
	return NULL;
}

static void txn_free(struct kgate_net *kn, struct kgate_txn *txn)
{
	struct kgate_op *op, *tmp;

	list_for_each_entry_safe(op, tmp, &txn->ops, node)
		kgate_op_free(op);
	list_del(&txn->node);
	kn->n_txns--;
	kfree(txn);
}

/* The first refusal in a batch is the one COMMIT reports. */
static void txn_poison(struct kgate_txn *txn, u32 seq, int err)
{
	if (!txn->poison) {
		txn->poison = err;
		txn->poison_seq = seq;
	}
}

/*
 * Stage @op in the sender's batch, or apply it now when none is open.
 * Takes @op in every case.
 */
int kgate_submit(struct kgate_net *kn, u32 portid, struct kgate_op *op,
		 struct netlink_ext_ack *extack)
{
	struct kgate_txn *txn;
	LIST_HEAD(one);
	int err = 0;

	mutex_lock(&kn->lock);
	txn = txn_find(kn, portid);
	if (txn && txn->n_ops >= KGATE_BATCH_MAX_OPS) {
		NL_SET_ERR_MSG(extack, "batch holds too many commands");
		err = -E2BIG;
		txn_poison(txn, op->seq, err);
	} else if (txn) {
		list_add_tail(&op->node, &txn->ops);
		txn->n_ops++;
		op = NULL;
	} else {
		list_add(&op->node, &one);
		err = kgate_commit(kn, &one, false, extack);
		list_del(&op->node);
	}
	mutex_unlock(&kn->lock);
	if (op)
		kgate_op_free(op);
	return err;
}

/* A message of the sender's batch was refused: the batch can only fail. */
void kgate_poison(struct kgate_net *kn, u32 portid, u32 seq, int err)
{
	struct kgate_txn *txn;

	mutex_lock(&kn->lock);
	txn = txn_find(kn, portid);
	if (txn)
		txn_poison(txn, seq, err);
	mutex_unlock(&kn->lock);
}

int kgate_batch_begin(struct kgate_net *kn, u32 portid,
		      struct netlink_ext_ack *extack)
{
	struct kgate_txn *txn;
	int err = 0;

	txn = kzalloc(sizeof(*txn), GFP_KERNEL);
	if (!txn)
		return -ENOMEM;
	txn->portid = portid;
	INIT_LIST_HEAD(&txn->ops);

	mutex_lock(&kn->lock);
	if (txn_find(kn, portid)) {
		NL_SET_ERR_MSG(extack, "a batch is already open on this socket");
		err = -EBUSY;
	} else {
		list_add(&txn->node, &kn->txns);
		kn->n_txns++;
		txn = NULL;
	}
	mutex_unlock(&kn->lock);
	kfree(txn);
	return err;
}

int kgate_batch_commit(struct kgate_net *kn, u32 portid,
		       struct netlink_ext_ack *extack)
{
	struct kgate_txn *txn;
	int err;

	mutex_lock(&kn->lock);
	txn = txn_find(kn, portid);
	if (!txn) {
		NL_SET_ERR_MSG(extack, "no batch open on this socket");
		err = -ENOENT;
	} else if (txn->poison) {
		NL_SET_ERR_MSG_FMT(extack,
				   "batch aborted: message seq %u was refused (errno %d)",
				   txn->poison_seq, -txn->poison);
		err = -ECANCELED;
	} else {
		err = kgate_commit(kn, &txn->ops, true, extack);
	}
	if (txn)
		txn_free(kn, txn);
	mutex_unlock(&kn->lock);
	return err;
}

int kgate_batch_abort(struct kgate_net *kn, u32 portid,
		      struct netlink_ext_ack *extack)
{
	struct kgate_txn *txn;

	mutex_lock(&kn->lock);
	txn = txn_find(kn, portid);
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

/* A socket that closes with a batch open aborts it. */
static int kgate_netlink_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct netlink_notify *n = ptr;
	struct kgate_net *kn;
	struct kgate_txn *txn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;

	kn = kgate_pernet(n->net);
	mutex_lock(&kn->lock);
	txn = txn_find(kn, n->portid);
	if (txn)
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
