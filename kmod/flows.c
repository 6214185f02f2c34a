// SPDX-License-Identifier: GPL-2.0
/*
 * The connections kgate made, in conntrack, when they must go:
 *
 * - UDP flows to a backend that left its service.  UDP has no end, so a
 *   client would go on sending to a backend that is gone, for as long as
 *   it keeps the flow alive (the stale-UDP problem of kube-proxy,
 *   kubernetes/kubernetes#48370).  TCP flows are left to end on their own.
 * - Every flow kgate made in a netns, when kgate leaves it (module
 *   unload): traffic to the VIPs then simply stops.
 *
 * A flow is kgate's when conntrack DNATed it and its original destination
 * is a kgate frontend.  Flows refused for want of a backend never reach
 * conntrack's table (the first packet is dropped before confirmation), so
 * none is left over from a period without endpoints.
 */
#include <net/netfilter/nf_conntrack.h>

#include "kgate.h"

struct forget {
	struct kgate_net *kn;
	u64 gen;	/* the generation the flows were made in */
	u64 next;	/* the one that replaces it; 0: forget them all */
};

static void reply_from(const struct nf_conn *ct, struct kgate_backend *be)
{
	const struct nf_conntrack_tuple *t =
		&ct->tuplehash[IP_CT_DIR_REPLY].tuple;

	memset(be, 0, sizeof(*be));
	be->family = nf_ct_l3num(ct);
	memcpy(&be->addr, &t->src.u3,
	       be->family == AF_INET ? sizeof(__be32) : sizeof(be->addr));
	be->port = ntohs(t->src.u.all);
}

static int forget_one(struct nf_conn *ct, void *data)
{
	const struct forget *f = data;
	const struct kgate_frontend *fe;
	const struct kgate_service *now;
	struct kgate_backend be;
	struct kgate_fe_key key;
	int gone = 0;

	if (!(ct->status & IPS_DST_NAT))
		return 0;
	if (f->next && nf_ct_protonum(ct) != IPPROTO_UDP)
		return 0;

	kgate_ct_key(ct, &key);
	rcu_read_lock();
	fe = kgate_nat_lookup(f->kn, nf_ct_net(ct), &key, f->gen);
	if (fe && !f->next) {
		gone = 1;
	} else if (fe && fe->svc->gen_del == f->next) {
		reply_from(ct, &be);
		now = kgate_svc_lookup(f->kn, fe->svc->name, f->next);
		gone = !now || !kgate_be_find(now, &be);
	}
	rcu_read_unlock();
	return gone;
}

static void forget(const struct forget *f)
{
	struct nf_ct_iter_data d = {
		.net = f->kn->net,
		.data = (void *)f,
	};

	nf_ct_iterate_cleanup_net(forget_one, &d);
}

/*
 * After the commit from @gen to @next: the UDP flows to backends that left
 * a service.  Before the commit's retired objects are unlinked.
 */
void kgate_flows_commit(struct kgate_net *kn, u64 gen, u64 next)
{
	struct forget f = { .kn = kn, .gen = gen, .next = next };

	forget(&f);
}

/* Every flow kgate made in @kn's netns. */
void kgate_flows_forget_all(struct kgate_net *kn)
{
	struct forget f = { .kn = kn, .gen = kgate_gen(kn) };

	forget(&f);
}
