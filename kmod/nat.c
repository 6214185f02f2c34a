// SPDX-License-Identifier: GPL-2.0
/*
 * Service VIPs through the kernel's NAT engine.
 *
 * kgate registers NAT lookup functions, as iptable_nat and nft_chain_nat
 * do.  The NAT core calls them only for the first packet of a connection
 * that has no binding yet; kgate picks a backend, marks the connection as
 * its own (flows.c) and binds the DNAT with nf_nat_setup_info().
 * Conntrack then translates every later packet and the replies.  kgate's
 * only per-packet work is the counting hook of stats.c, which a packet of
 * a connection kgate did not make leaves after one bit test.
 *
 * The hooks (and conntrack's, which NAT needs) are registered in a netns
 * when it gets its first service, and stay while connections kgate made
 * may still be in conntrack: after the last service goes, its established
 * and draining flows keep being translated (KEP-1669).  A periodic check
 * then unregisters them once no such flow is left, and a service that
 * comes back meanwhile finds them in place.  A node's other namespaces
 * pay nothing.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/addrconf.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>
#include <net/netfilter/nf_nat_masquerade.h>
#include <net/route.h>

#include "core/check.h"

#include "kgate.h"

/* The frontend key of a connection's original direction. */
void kgate_ct_key(const struct nf_conn *ct, struct kgate_fe_key *key)
{
	const struct nf_conntrack_tuple *t =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;

	memset(key, 0, sizeof(*key));
	key->family = nf_ct_l3num(ct);
	if (key->family == AF_INET)
		key->addr.s6_addr32[0] = t->dst.u3.ip;
	else
		key->addr = t->dst.u3.in6;
	key->port = t->dst.u.all;
	key->proto = t->dst.protonum;
}

static bool is_local(struct net *net, u8 family, const void *addr)
{
	if (family == AF_INET)
		return inet_addr_type(net, *(const __be32 *)addr) == RTN_LOCAL;
	return ipv6_chk_addr(net, addr, NULL, 0);
}

/*
 * Is @ct from inside the node: the node itself, or one of the cluster's
 * Pod ranges (NODE_SET)?  Such traffic to an external frontend of a
 * service with externalTrafficPolicy=Local goes to every backend of the
 * service, as kube-proxy sends it.  RCU.
 */
static bool from_inside(struct kgate_net *kn, const struct nf_conn *ct,
			const struct nf_hook_state *state)
{
	const union nf_inet_addr *src =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.src.u3;
	const struct kgate_node *node;
	u8 family = nf_ct_l3num(ct);
	u16 i;

	if (state->hook == NF_INET_LOCAL_OUT)
		return true;
	node = rcu_dereference(kn->node);
	for (i = 0; node && i < node->n_local; i++) {
		const struct kgate_range *r = &node->local[i];

		if (r->family == family &&
		    kg_prefix_match(src->all, r->addr.s6_addr, r->plen))
			return true;
	}
	return false;
}

/*
 * The frontend a connection to @key is for, in generation @gen: an exact
 * one, else a NodePort when the destination is one of the node's
 * addresses.  The address check (a FIB lookup) is only made for a port
 * that has a NodePort, and not at all without @net: for a connection
 * kgate already DNATed, which it only did if the address was local.  RCU.
 */
const struct kgate_frontend *kgate_nat_lookup(struct kgate_net *kn,
					      struct net *net,
					      const struct kgate_fe_key *k,
					      u64 gen)
{
	struct kgate_fe_key any = *k;
	const struct kgate_frontend *fe;

	fe = kgate_fe_lookup(kn, k, gen);
	if (fe)
		return fe;
	memset(&any.addr, 0, sizeof(any.addr));
	fe = kgate_fe_lookup(kn, &any, gen);
	if (fe && fe->kind == KGATE_FE_NODEPORT &&
	    (!net || is_local(net, k->family, &k->addr)))
		return fe;
	return NULL;
}

/*
 * A commit unlinks what it retired right after the generation flip: a
 * lookup with the old generation may then find neither the old object
 * nor its replacement.  A miss is only trusted if the generation held.
 */
const struct kgate_frontend *kgate_nat_find(struct kgate_net *kn,
					    struct net *net,
					    const struct kgate_fe_key *key)
{
	const struct kgate_frontend *fe;
	u64 gen;

	do {
		gen = kgate_gen(kn);
		fe = kgate_nat_lookup(kn, net, key, gen);
	} while (!fe && gen != kgate_gen(kn));
	return fe;
}

/* No backend to send to: refuse at once rather than let clients hang. */
static unsigned int reject(struct sk_buff *skb,
			   const struct nf_hook_state *state, u8 proto)
{
	if (state->pf == NFPROTO_IPV4) {
		if (proto == IPPROTO_TCP)
			nf_send_reset(state->net, state->sk, skb, state->hook);
		else
			nf_send_unreach(skb, ICMP_PORT_UNREACH, state->hook);
	} else {
		if (proto == IPPROTO_TCP)
			nf_send_reset6(state->net, state->sk, skb, state->hook);
		else
			nf_send_unreach6(state->net, skb, ICMPV6_PORT_UNREACH,
					 state->hook);
	}
	return NF_DROP;
}

/* loadBalancerSourceRanges: an empty list lets every source in. */
static bool source_allowed(const struct kgate_frontend *fe,
			   const struct nf_conn *ct)
{
	const struct kgate_service *svc = fe->svc;
	const union nf_inet_addr *src =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.src.u3;
	bool seen = false;
	u32 i;

	if (fe->kind != KGATE_FE_LOADBALANCER)
		return true;
	for (i = 0; i < svc->n_ranges; i++) {
		const struct kgate_range *r = &svc->ranges[i];

		if (r->family != fe->key.family)
			continue;
		seen = true;
		if (kg_prefix_match(src->all, r->addr.s6_addr, r->plen))
			return true;
	}
	return !seen;
}

static unsigned int kgate_dnat(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	struct kgate_net *kn = kgate_pernet(state->net);
	const struct kgate_frontend *fe;
	const struct kgate_backend *be;
	struct nf_nat_range2 range = {
		.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED,
	};
	enum ip_conntrack_info ctinfo;
	struct kgate_fe_key key;
	struct nf_conn *ct;
	bool local;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW)
		return NF_ACCEPT;
	kgate_ct_key(ct, &key);
	fe = kgate_nat_find(kn, state->net, &key);
	if (!fe)
		return NF_ACCEPT;
	if (!source_allowed(fe, ct))
		return reject(skb, state, key.proto);

	local = kgate_fe_local(fe) &&
		!(fe->kind != KGATE_FE_CLUSTER && from_inside(kn, ct, state));
	be = kgate_pick(fe, ct, local);
	if (!be) {
		/*
		 * As kube-proxy: refuse when the service has no endpoint at
		 * all, drop when a Local policy leaves none on this node.
		 * A load balancer that sent the packet sees its health
		 * check fail and moves the client, whose retransmission
		 * then reaches a node that has one; a refusal would have
		 * ended the client's attempt instead.
		 */
		if (local && kgate_has_backends(fe))
			return NF_DROP;
		return reject(skb, state, key.proto);
	}
	if (!kgate_ct_mark(ct))
		return NF_DROP;
	kgate_cnt_conn(fe->svc, be);

	range.min_addr.in6 = be->addr;
	range.max_addr.in6 = be->addr;
	range.min_proto.all = htons(be->port);
	range.max_proto.all = htons(be->port);
	return nf_nat_setup_info(ct, &range, NF_NAT_MANIP_DST);
}

/*
 * Masquerade (SNAT to the node) the connections kgate sent to a backend:
 * a Pod that reached itself through its Service (hairpin), whose reply
 * would otherwise bypass the node's un-NAT, and external traffic under
 * externalTrafficPolicy=Cluster, whose backend may be on another node.
 */
static unsigned int kgate_masq(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	struct kgate_net *kn = kgate_pernet(state->net);
	const struct nf_conntrack_tuple *orig, *reply;
	const struct kgate_frontend *fe;
	struct nf_nat_range2 range = {};
	enum ip_conntrack_info ctinfo;
	struct kgate_fe_key key;
	struct nf_conn *ct;
	bool hairpin;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW || !kgate_ct_ours(ct))
		return NF_ACCEPT;
	kgate_ct_key(ct, &key);
	fe = kgate_nat_find(kn, state->net, &key);
	if (!fe)
		return NF_ACCEPT;

	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	hairpin = nf_inet_addr_cmp(&orig->src.u3, &reply->src.u3);
	/*
	 * A Local policy keeps the client's address, but the node's own
	 * connections it short-circuits are masqueraded, as kube-proxy
	 * does: their source may be an address the backend cannot reach.
	 */
	if (!hairpin && (fe->kind == KGATE_FE_CLUSTER ||
			 (kgate_fe_local(fe) &&
			  !is_local(state->net, key.family, &orig->src.u3))))
		return NF_ACCEPT;

	if (state->pf == NFPROTO_IPV4)
		return nf_nat_masquerade_ipv4(skb, state->hook, &range,
					      state->out);
	return nf_nat_masquerade_ipv6(skb, &range, state->out);
}

static const struct nf_hook_ops kgate_nat4_ops[] = {
	{
		.hook = kgate_dnat,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_NAT_DST,
	},
	{
		.hook = kgate_dnat,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_NAT_DST,
	},
	{
		.hook = kgate_masq,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP_PRI_NAT_SRC,
	},
};

static const struct nf_hook_ops kgate_nat6_ops[] = {
	{
		.hook = kgate_dnat,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_NAT_DST,
	},
	{
		.hook = kgate_dnat,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_NAT_DST,
	},
	{
		.hook = kgate_masq,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP6_PRI_NAT_SRC,
	},
};

static void unregister_ops(struct net *net, u8 pf, unsigned int n)
{
	while (n--) {
		if (pf == NFPROTO_IPV4)
			nf_nat_ipv4_unregister_fn(net, &kgate_nat4_ops[n]);
		else
			nf_nat_ipv6_unregister_fn(net, &kgate_nat6_ops[n]);
	}
}

static int register_family(struct net *net, u8 pf)
{
	unsigned int i;
	int err;

	err = nf_ct_netns_get(net, pf);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(kgate_nat4_ops); i++) {
		if (pf == NFPROTO_IPV4)
			err = nf_nat_ipv4_register_fn(net, &kgate_nat4_ops[i]);
		else
			err = nf_nat_ipv6_register_fn(net, &kgate_nat6_ops[i]);
		if (err) {
			unregister_ops(net, pf, i);
			nf_ct_netns_put(net, pf);
			return err;
		}
	}
	return 0;
}

static void unregister_family(struct net *net, u8 pf)
{
	unregister_ops(net, pf, ARRAY_SIZE(kgate_nat4_ops));
	nf_ct_netns_put(net, pf);
}

/* Hook into @kn's netns; called with kn->lock held. */
int kgate_nat_enable(struct kgate_net *kn)
{
	int err;

	lockdep_assert_held(&kn->lock);
	if (kn->nat_on)
		return 0;
	err = register_family(kn->net, NFPROTO_IPV4);
	if (err)
		return err;
	err = register_family(kn->net, NFPROTO_IPV6);
	if (err)
		goto err_v4;
	if (kgate_counters) {
		err = kgate_count_enable(kn->net);
		if (err)
			goto err_v6;
	}
	kn->nat_on = true;
	return 0;

err_v6:
	unregister_family(kn->net, NFPROTO_IPV6);
err_v4:
	unregister_family(kn->net, NFPROTO_IPV4);
	return err;
}

/*
 * Unhook from @kn's netns.  Readers may still be inside the hooks: the
 * caller waits for a grace period before freeing what they read.
 */
void kgate_nat_disable(struct kgate_net *kn)
{
	if (!kn->nat_on)
		return;
	if (kgate_counters)
		kgate_count_disable(kn->net);
	unregister_family(kn->net, NFPROTO_IPV6);
	unregister_family(kn->net, NFPROTO_IPV4);
	kn->nat_on = false;
}

/*
 * With no service left, the hooks stay while conntrack holds flows kgate
 * made.  The check walks the netns' conntrack table, without kn->lock; a
 * commit meanwhile makes it look again later.
 */
static void nat_idle_work(struct work_struct *work)
{
	struct kgate_net *kn = container_of(to_delayed_work(work),
					    struct kgate_net, nat_idle);
	unsigned int flows;
	u64 commits;

	mutex_lock(&kn->lock);
	commits = kn->commits;
	if (kn->n_services || !kn->nat_on) {
		mutex_unlock(&kn->lock);
		return;
	}
	mutex_unlock(&kn->lock);

	flows = kgate_flows_count(kn);

	mutex_lock(&kn->lock);
	if (!kn->n_services && kn->nat_on) {
		if (!flows && commits == kn->commits)
			kgate_nat_disable(kn);
		else
			kgate_nat_idle(kn);
	}
	mutex_unlock(&kn->lock);
}

/* After a commit that left no service, with kn->lock held. */
void kgate_nat_idle(struct kgate_net *kn)
{
	lockdep_assert_held(&kn->lock);
	if (kn->nat_on)
		queue_delayed_work(kgate_wq, &kn->nat_idle,
				   max(kgate_nat_idle_secs, 1U) * HZ);
}

void kgate_nat_init(struct kgate_net *kn)
{
	INIT_DELAYED_WORK(&kn->nat_idle, nat_idle_work);
}

/*
 * Masqueraded flows must go with the address they were given, as with
 * nft_masq and xt_MASQUERADE: the NAT core's notifiers delete them when
 * an address or a device goes away.
 */
int __init kgate_nat_module_init(void)
{
	return nf_nat_masquerade_inet_register_notifiers();
}

void kgate_nat_module_exit(void)
{
	nf_nat_masquerade_inet_unregister_notifiers();
}
