// SPDX-License-Identifier: GPL-2.0
/*
 * Counters per service and per backend: new connections, packets, bytes.
 *
 * A change to a service makes a new object, so the counters live apart,
 * per CPU and refcounted, and each new object takes over those of the
 * object it replaces: the service's, and every remaining backend's.  A
 * backend that leaves and comes back starts again from zero, as an IPVS
 * real server does.
 *
 * Connections are counted when kgate picks their backend.  Packets and
 * bytes are counted by a hook of its own right after the DNAT, in both
 * directions: the NAT core does not call kgate again after the first
 * packet.  That hook is the only per-packet work kgate does: a packet of
 * a connection kgate did not make leaves it after one bit test (flows.c),
 * and the module parameter "counters" leaves the hook out altogether.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/u64_stats_sync.h>
#include <net/netfilter/nf_conntrack.h>

#include "kgate.h"

struct kgate_cnt_pcpu {
	u64_stats_t conns;
	u64_stats_t packets;
	u64_stats_t bytes;
	struct u64_stats_sync syncp;
};

struct kgate_counters {
	refcount_t ref;
	struct kgate_cnt_pcpu __percpu *pcpu;
};

static struct kgate_counters *cnt_new(void)
{
	struct kgate_counters *cnt;
	int cpu;

	cnt = kmalloc(sizeof(*cnt), GFP_KERNEL_ACCOUNT);
	if (!cnt)
		return NULL;
	cnt->pcpu = alloc_percpu_gfp(struct kgate_cnt_pcpu, GFP_KERNEL_ACCOUNT);
	if (!cnt->pcpu) {
		kfree(cnt);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(cnt->pcpu, cpu)->syncp);
	refcount_set(&cnt->ref, 1);
	return cnt;
}

static struct kgate_counters *cnt_get(struct kgate_counters *cnt)
{
	refcount_inc(&cnt->ref);
	return cnt;
}

void kgate_cnt_put(struct kgate_counters *cnt)
{
	if (cnt && refcount_dec_and_test(&cnt->ref)) {
		free_percpu(cnt->pcpu);
		kfree(cnt);
	}
}

static struct kgate_counters *cnt_from(struct kgate_counters *old)
{
	return old ? cnt_get(old) : cnt_new();
}

/*
 * Give @svc, about to replace @old (NULL for a new service), the counters
 * it carries on: @old's, and those of @old's backends it keeps.  Needs
 * @svc's backend index.  On failure the caller frees @svc, which drops
 * what was taken.
 */
int kgate_cnt_share(struct kgate_service *svc, const struct kgate_service *old)
{
	const struct kgate_backend *prev;
	u32 i;

	svc->cnt = cnt_from(old ? old->cnt : NULL);
	if (!svc->cnt)
		return -ENOMEM;
	for (i = 0; i < svc->n_backends; i++) {
		struct kgate_backend *be = &svc->backends[i];

		prev = old ? kgate_be_lookup(old, be->family, &be->addr,
					     be->port) : NULL;
		be->cnt = cnt_from(prev ? prev->cnt : NULL);
		if (!be->cnt)
			return -ENOMEM;
	}
	return 0;
}

void kgate_cnt_release(struct kgate_service *svc)
{
	u32 i;

	for (i = 0; i < svc->n_backends; i++) {
		kgate_cnt_put(svc->backends[i].cnt);
		svc->backends[i].cnt = NULL;
	}
	kgate_cnt_put(svc->cnt);
	svc->cnt = NULL;
}

/*
 * Hooks run with or without bottom halves disabled (LOCAL_OUT runs in
 * process context), so an update may be interrupted by another on the
 * same CPU: the _irqsave variant keeps 32-bit readers' sequence sane, and
 * is free on 64-bit, where u64_stats_t is a local64_t.
 */
static void cnt_add(struct kgate_counters *cnt, u64 conns, u64 packets,
		    u64 bytes)
{
	struct kgate_cnt_pcpu *c = get_cpu_ptr(cnt->pcpu);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&c->syncp);
	u64_stats_add(&c->conns, conns);
	u64_stats_add(&c->packets, packets);
	u64_stats_add(&c->bytes, bytes);
	u64_stats_update_end_irqrestore(&c->syncp, flags);
	put_cpu_ptr(cnt->pcpu);
}

/* A new connection to @be; its first packet is counted by the hook. */
void kgate_cnt_conn(const struct kgate_service *svc,
		    const struct kgate_backend *be)
{
	cnt_add(svc->cnt, 1, 0, 0);
	cnt_add(be->cnt, 1, 0, 0);
}

void kgate_cnt_sum(const struct kgate_counters *cnt, struct kgate_cnt_sum *s)
{
	unsigned int start;
	int cpu;

	memset(s, 0, sizeof(*s));
	if (!cnt)
		return;
	for_each_possible_cpu(cpu) {
		const struct kgate_cnt_pcpu *c = per_cpu_ptr(cnt->pcpu, cpu);
		u64 conns, packets, bytes;

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			conns = u64_stats_read(&c->conns);
			packets = u64_stats_read(&c->packets);
			bytes = u64_stats_read(&c->bytes);
		} while (u64_stats_fetch_retry(&c->syncp, start));
		s->conns += conns;
		s->packets += packets;
		s->bytes += bytes;
	}
}

/*
 * The service and backend of a connection kgate made: its original
 * destination names the frontend, the source of its replies the backend.
 * Either may have left the configuration since; the connection is then
 * no longer counted.
 */
static void count(struct kgate_net *kn, const struct nf_conn *ct, u32 len)
{
	const struct nf_conntrack_tuple *reply =
		&ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	const struct kgate_frontend *fe;
	const struct kgate_backend *be;
	struct kgate_fe_key key;

	kgate_ct_key(ct, &key);
	fe = kgate_nat_find(kn, NULL, &key);
	if (!fe)
		return;
	be = kgate_be_lookup(fe->svc, key.family, &reply->src.u3,
			     ntohs(reply->src.u.all));
	if (!be)
		return;
	cnt_add(fe->svc->cnt, 0, 1, len);
	cnt_add(be->cnt, 0, 1, len);
}

static unsigned int kgate_count(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (ct && kgate_ct_ours(ct))
		count(kgate_pernet(state->net), ct, skb->len);
	return NF_ACCEPT;
}

/*
 * Every packet of a connection crosses one of PRE_ROUTING and LOCAL_OUT
 * once, in either direction, after the DNAT of its first packet.
 */
static const struct nf_hook_ops kgate_count_ops[] = {
	{
		.hook = kgate_count,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_NAT_DST + 1,
	},
	{
		.hook = kgate_count,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_NAT_DST + 1,
	},
	{
		.hook = kgate_count,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_NAT_DST + 1,
	},
	{
		.hook = kgate_count,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_NAT_DST + 1,
	},
};

int kgate_count_enable(struct net *net)
{
	return nf_register_net_hooks(net, kgate_count_ops,
				     ARRAY_SIZE(kgate_count_ops));
}

void kgate_count_disable(struct net *net)
{
	nf_unregister_net_hooks(net, kgate_count_ops,
				ARRAY_SIZE(kgate_count_ops));
}
