// SPDX-License-Identifier: GPL-2.0
/*
 * The connections kgate made, in conntrack.
 *
 * kgate marks each connection it DNATs with a conntrack label bit, so that
 * the packet paths tell its connections from those of other NAT users
 * (Docker, a CNI's port maps, the user's own rules) by one bit test, and
 * so that conntrack can be asked what kgate left behind.  The label
 * extension is added by kgate itself, to its own connections only: the
 * rest of the node's connections do not grow.  `conntrack -L -o labels`
 * shows the bit.
 *
 * The flows that must go:
 * - UDP flows whose (frontend, backend) pair left the configuration.  UDP
 *   has no end, so a client would go on sending to a backend that is gone,
 *   or through a VIP that is gone, for as long as it keeps the flow alive
 *   (the stale-UDP problem of kube-proxy, kubernetes/kubernetes#48370).
 *   TCP flows are left to end on their own.
 * - Every flow kgate made in a netns, when kgate leaves it (module
 *   unload): traffic to the VIPs then simply stops.
 *
 * Flows refused for want of a backend never reach conntrack's table (the
 * first packet is dropped before confirmation), so none is left over from
 * a period without endpoints.
 */
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_labels.h>

#include "kgate.h"

/* The highest label bit, the one least likely to meet a user's rules. */
#define KGATE_CT_LABEL	(NF_CT_LABELS_MAX_SIZE * BITS_PER_BYTE - 1)

/*
 * Mark @ct, a new connection kgate is about to DNAT (not yet confirmed,
 * so its extensions may still grow).  False if there is no memory for the
 * mark: kgate then does not make the connection.
 */
bool kgate_ct_mark(struct nf_conn *ct)
{
	struct nf_conn_labels *labels = nf_ct_labels_find(ct);

	if (!labels)
		labels = nf_ct_ext_add(ct, NF_CT_EXT_LABELS, GFP_ATOMIC);
	if (!labels)
		return false;
	set_bit(KGATE_CT_LABEL, labels->bits);
	return true;
}

/* Did kgate make @ct?  The one test a foreign connection's packets pay. */
bool kgate_ct_ours(const struct nf_conn *ct)
{
	const struct nf_conn_labels *labels = nf_ct_labels_find(ct);

	return labels && test_bit(KGATE_CT_LABEL, labels->bits);
}

static bool has_udp(const struct kgate_service *svc)
{
	u32 i;

	for (i = 0; i < svc->n_frontends; i++)
		if (svc->frontends[i].key.proto == IPPROTO_UDP)
			return true;
	return false;
}

static bool has_frontend(const struct kgate_service *svc,
			 const struct kgate_fe_key *key)
{
	u32 i;

	for (i = 0; i < svc->n_frontends; i++)
		if (!memcmp(&svc->frontends[i].key, key, sizeof(*key)))
			return true;
	return false;
}

/*
 * Does replacing @old with @now (NULL: deleting it) take away a UDP
 * (frontend, backend) pair that flows can use?  O(frontends + backends),
 * under kn->lock.  A frontend that moves to another service counts as
 * removed, whatever that service's backends.
 */
bool kgate_flows_removed(const struct kgate_service *old,
			 const struct kgate_service *now)
{
	u32 i;

	if (!old->n_backends || !has_udp(old))
		return false;
	if (!now)
		return true;
	for (i = 0; i < old->n_frontends; i++) {
		const struct kgate_fe_key *key = &old->frontends[i].key;

		if (key->proto == IPPROTO_UDP && !has_frontend(now, key))
			return true;
	}
	for (i = 0; i < old->n_backends; i++) {
		const struct kgate_backend *be = &old->backends[i];

		if (!kgate_be_lookup(now, be->family, &be->addr, be->port))
			return true;
	}
	return false;
}

struct walk {
	struct kgate_net *kn;
	bool all;		/* forget every flow of kgate's */
	unsigned int seen;	/* flows of kgate's the walk met */
};

/*
 * Is @ct a UDP flow whose pair is not in the current configuration?
 * Whatever commit removed it: the flows of pairs removed before were
 * forgotten by the walks of those commits.
 */
static bool stale(struct kgate_net *kn, const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *reply =
		&ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	const struct kgate_frontend *fe;
	struct kgate_fe_key key;
	bool gone;

	if (nf_ct_protonum(ct) != IPPROTO_UDP)
		return false;
	kgate_ct_key(ct, &key);
	rcu_read_lock();
	fe = kgate_nat_find(kn, NULL, &key);
	gone = !fe || !kgate_be_lookup(fe->svc, key.family, &reply->src.u3,
				       ntohs(reply->src.u.all));
	rcu_read_unlock();
	return gone;
}

static int walk_one(struct nf_conn *ct, void *data)
{
	struct walk *w = data;

	if (!kgate_ct_ours(ct))
		return 0;
	w->seen++;
	if (w->all)
		return 1;
	return w->kn ? stale(w->kn, ct) : 0;
}

static void walk(struct net *net, struct walk *w)
{
	struct nf_ct_iter_data d = {
		.net = net,
		.data = w,
	};

	nf_ct_iterate_cleanup_net(walk_one, &d);
}

/*
 * After a commit that removed a UDP pair: forget the flows it stranded.
 * Without kn->lock (the walk takes conntrack's own locks, and may be
 * long): a commit meanwhile only changes what "current" means.
 */
void kgate_flows_stale(struct kgate_net *kn)
{
	struct walk w = { .kn = kn };

	walk(kn->net, &w);
}

/* Every flow kgate made in @kn's netns. */
void kgate_flows_forget_all(struct kgate_net *kn)
{
	struct walk w = { .all = true };

	walk(kn->net, &w);
}

/* How many flows of kgate's conntrack holds in @kn's netns. */
unsigned int kgate_flows_count(struct kgate_net *kn)
{
	struct walk w = {};

	walk(kn->net, &w);
	return w.seen;
}
