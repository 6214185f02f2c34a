// SPDX-License-Identifier: GPL-2.0
/*
 * ClientIP session affinity, as Kubernetes defines it: a client's new
 * connections go to the backend its last one went to, as long as the
 * client came back within the timeout and that backend still takes new
 * flows.  Otherwise the scheduler chooses, and the choice is remembered.
 *
 * Each service with affinity has a table of clients, shared by its
 * successive objects so that a change of its backends keeps the clients
 * where they are.  An entry names its backend by (address, port), never by
 * position, since positions change from one object to the next.  Entries
 * are immutable but for their timestamp: a new choice replaces the entry.
 * A periodic sweep frees the expired ones; a lookup never trusts one.
 *
 * Entries are made in softirq context for remote clients, so they are
 * bounded rather than charged to a memory cgroup: at most 65536 per
 * service and max_affinity_clients per netns; a client beyond is
 * scheduled without being remembered, and counted (STATS_GET).
 */
#include <linux/jiffies.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/netfilter/nf_conntrack.h>

#include "kgate.h"

/* Clients remembered per service; beyond, new ones are not remembered. */
#define AFF_MAX_ENTRIES	65536
#define AFF_GC_INTERVAL	(10 * HZ)

struct aff_key {
	struct in6_addr addr;	/* the client; IPv4: first 4 bytes, rest 0 */
	u8 family;
};

struct aff_entry {
	struct rhash_head node;
	struct aff_key key;
	struct in6_addr be_addr;
	u16 be_port;
	unsigned long last;	/* jiffies of the client's last new flow */
	struct rcu_head rcu;
};

struct kgate_aff {
	refcount_t ref;
	spinlock_t lock;	/* writers: replace, insert, sweep */
	u32 n;			/* entries, under lock */
	u32 timeout;		/* seconds, of the newest object sharing it */
	struct kgate_net *kn;
	struct list_head node;	/* kn->affs, under kn->aff_lock */
	struct rhashtable table;
};

static const struct rhashtable_params aff_params = {
	.head_offset = offsetof(struct aff_entry, node),
	.key_offset = offsetof(struct aff_entry, key),
	.key_len = sizeof(struct aff_key),
	.automatic_shrinking = true,
};

static struct kgate_aff *aff_new(struct kgate_net *kn)
{
	struct kgate_aff *aff;

	aff = kzalloc(sizeof(*aff), GFP_KERNEL_ACCOUNT);
	if (!aff)
		return NULL;
	if (rhashtable_init(&aff->table, &aff_params)) {
		kfree(aff);
		return NULL;
	}
	spin_lock_init(&aff->lock);
	refcount_set(&aff->ref, 1);
	aff->kn = kn;
	kn->had_aff = true;
	mutex_lock(&kn->aff_lock);
	if (list_empty(&kn->affs))
		queue_delayed_work(kgate_wq, &kn->aff_gc, AFF_GC_INTERVAL);
	list_add(&aff->node, &kn->affs);
	mutex_unlock(&kn->aff_lock);
	return aff;
}

static void entry_free(void *ptr, void *arg)
{
	kfree(ptr);
}

/* Process context: destroying the table sleeps. */
void kgate_aff_put(struct kgate_aff *aff)
{
	struct kgate_net *kn;

	if (!aff || !refcount_dec_and_test(&aff->ref))
		return;
	kn = aff->kn;
	mutex_lock(&kn->aff_lock);
	list_del(&aff->node);
	mutex_unlock(&kn->aff_lock);
	atomic_sub(aff->n, &kn->aff_clients);
	rhashtable_free_and_destroy(&aff->table, entry_free, NULL);
	kfree(aff);
}

/*
 * Give @svc, about to replace @old (NULL for a new service), its table:
 * @old's if both have affinity, a new one if only @svc has.
 */
int kgate_aff_share(struct kgate_net *kn, struct kgate_service *svc,
		    const struct kgate_service *old)
{
	if (svc->affinity != KGATE_AFFINITY_CLIENTIP)
		return 0;
	if (old && old->aff) {
		refcount_inc(&old->aff->ref);
		svc->aff = old->aff;
		return 0;
	}
	svc->aff = aff_new(kn);
	if (!svc->aff)
		return -ENOMEM;
	svc->aff->timeout = svc->timeout;
	return 0;
}

/* @svc is in: its timeout is the one its table's sweep goes by. */
void kgate_aff_commit(const struct kgate_service *svc)
{
	if (svc->aff)
		WRITE_ONCE(svc->aff->timeout, svc->timeout);
}

static void aff_key(const struct nf_conn *ct, struct aff_key *key)
{
	const struct nf_conntrack_tuple *t =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;

	memset(key, 0, sizeof(*key));
	key->family = nf_ct_l3num(ct);
	memcpy(&key->addr, &t->src.u3,
	       key->family == AF_INET ? sizeof(__be32) : sizeof(key->addr));
}

static bool expired(const struct aff_entry *e, u32 timeout)
{
	return time_after(jiffies, READ_ONCE(e->last) + timeout * HZ);
}

/*
 * The backend the client of @ct is bound to, if the binding holds: not
 * expired, and the backend still takes new flows from @fe.  Refreshes the
 * binding.  RCU, as in the NAT hooks.
 */
const struct kgate_backend *kgate_aff_get(const struct kgate_frontend *fe,
					  const struct nf_conn *ct, bool local)
{
	const struct kgate_service *svc = fe->svc;
	const struct kgate_backend *be;
	struct aff_entry *e;
	struct aff_key key;

	aff_key(ct, &key);
	e = rhashtable_lookup(&svc->aff->table, &key, aff_params);
	if (!e || expired(e, svc->timeout))
		return NULL;
	be = kgate_be_lookup(svc, key.family, &e->be_addr, e->be_port);
	if (!be || !kgate_takes_new(fe, be, local))
		return NULL;
	WRITE_ONCE(e->last, jiffies);
	return be;
}

/* Bind the client of @ct to @be, the scheduler's choice. */
void kgate_aff_set(const struct kgate_frontend *fe, const struct nf_conn *ct,
		   const struct kgate_backend *be)
{
	struct kgate_aff *aff = fe->svc->aff;
	struct kgate_net *kn = aff->kn;
	struct aff_entry *e, *old;
	int err = -ENOSPC;

	e = kmalloc(sizeof(*e), GFP_ATOMIC);
	if (!e) {
		atomic64_inc(&kn->aff_dropped);
		return;
	}
	aff_key(ct, &e->key);
	e->be_addr = be->addr;
	e->be_port = be->port;
	e->last = jiffies;

	spin_lock_bh(&aff->lock);
	old = rhashtable_lookup_fast(&aff->table, &e->key, aff_params);
	if (old) {
		err = rhashtable_replace_fast(&aff->table, &old->node,
					      &e->node, aff_params);
		if (!err)
			kfree_rcu(old, rcu);
	} else if (aff->n < AFF_MAX_ENTRIES &&
		   atomic_add_unless(&kn->aff_clients, 1,
				     READ_ONCE(kgate_max_affinity))) {
		err = rhashtable_insert_fast(&aff->table, &e->node,
					     aff_params);
		if (err)
			atomic_dec(&kn->aff_clients);
		else
			aff->n++;
	}
	spin_unlock_bh(&aff->lock);
	/* Not remembered: the client is only unbound, nothing breaks. */
	if (err) {
		atomic64_inc(&kn->aff_dropped);
		kfree(e);
	}
}

/* Free @aff's entries that expired. */
static void sweep(struct kgate_aff *aff, u32 timeout)
{
	struct rhashtable_iter iter;
	struct aff_entry *e;

	rhashtable_walk_enter(&aff->table, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e))	/* -EAGAIN: a resize; go on */
			continue;
		if (!expired(e, timeout))
			continue;
		spin_lock_bh(&aff->lock);
		if (!rhashtable_remove_fast(&aff->table, &e->node,
					    aff_params)) {
			aff->n--;
			atomic_dec(&aff->kn->aff_clients);
			kfree_rcu(e, rcu);
		}
		spin_unlock_bh(&aff->lock);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

/*
 * The sweep visits the namespace's affinity tables, not its services: a
 * namespace without affinity has none, and no sweep runs.  Tables are
 * only added and removed under aff_lock, which the sweep holds; commits
 * do not wait for it (kn->lock is not taken).
 */
static void aff_gc(struct work_struct *work)
{
	struct kgate_net *kn = container_of(to_delayed_work(work),
					    struct kgate_net, aff_gc);
	struct kgate_aff *aff;

	mutex_lock(&kn->aff_lock);
	list_for_each_entry(aff, &kn->affs, node) {
		sweep(aff, READ_ONCE(aff->timeout));
		cond_resched();
	}
	if (!list_empty(&kn->affs))
		queue_delayed_work(kgate_wq, &kn->aff_gc, AFF_GC_INTERVAL);
	mutex_unlock(&kn->aff_lock);
}

void kgate_aff_init(struct kgate_net *kn)
{
	mutex_init(&kn->aff_lock);
	INIT_LIST_HEAD(&kn->affs);
	INIT_DELAYED_WORK(&kn->aff_gc, aff_gc);
}

/*
 * With every table still in place, the sweep may requeue itself once
 * more: cancel_delayed_work_sync() handles a work that requeues.
 */
void kgate_aff_gc_stop(struct kgate_net *kn)
{
	cancel_delayed_work_sync(&kn->aff_gc);
}
