// SPDX-License-Identifier: GPL-2.0
/*
 * Backend choice for new connections.
 *
 * When a service object is installed, it gets one Maglev table per address
 * family over the backends that take new flows (KEP-1669): the ready ones
 * of non-zero weight or, when there is none, the serving (terminating but
 * still serving) ones.  Terminating backends and weight 0 take no new
 * flow; their existing flows live on in conntrack.  A service with a Local
 * traffic policy gets a second table per family over its node-local
 * backends alone.  A table is computed from the backend set alone, sorted,
 * so every node picks the same backend for the same flow, and removing a
 * backend moves only its own flows.
 */
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>

#include "core/maglev.h"
#include "kgate.h"

struct kgate_lb {
	u32 size;
	u8 state;	/* of the backends in the table (KEP-1669) */
	/*
	 * Round robin: the backends in the order of their weighted turns,
	 * walked by a cursor (the one thing of a service object that changes
	 * after it is published).  NULL for Maglev.
	 */
	u16 *turns;
	atomic_t cursor;
	u16 table[];	/* index into the service's backends */
};

struct lb_set {
	u8 family;
	u8 state;
	bool local;	/* node-local backends only */
};

static bool takes_new(const struct kgate_backend *be, const struct lb_set *set)
{
	return be->family == set->family && be->state == set->state &&
	       be->weight && (!set->local || be->flags & KGATE_BE_F_LOCAL);
}

static u32 count(const struct kgate_service *svc, const struct lb_set *set)
{
	u32 i, n = 0;

	for (i = 0; i < svc->n_backends; i++)
		n += takes_new(&svc->backends[i], set);
	return n;
}

static int be_cmp(const void *a, const void *b, const void *priv)
{
	const struct kgate_backend *bes = priv;
	const struct kgate_backend *x = &bes[*(const u16 *)a];
	const struct kgate_backend *y = &bes[*(const u16 *)b];
	int d = memcmp(&x->addr, &y->addr, sizeof(x->addr));

	return d ?: (int)x->port - (int)y->port;
}

/* The table of @family, or NULL when no backend takes new flows. */
static struct kgate_lb *build(const struct kgate_service *svc, u8 family,
			      bool local, int *err)
{
	struct lb_set set = { family, KGATE_BE_READY, local };
	struct kg_maglev_backend *mb = NULL;
	struct kgate_lb *lb = NULL;
	u16 *order = NULL;
	void *scratch = NULL;
	u32 i, n, m;
	bool rr;

	*err = 0;
	n = count(svc, &set);
	if (!n) {
		set.state = KGATE_BE_SERVING;
		n = count(svc, &set);
	}
	if (!n)
		return NULL;

	/*
	 * One allocation for the build: mb[] (u32s), Maglev's scratch (u32
	 * aligned), then order[] (u16s).
	 */
	m = svc->table_size ?: kg_maglev_default_size(n);
	rr = svc->sched == KGATE_SCHED_RR;
	lb = kvmalloc(struct_size(lb, table, rr ? 2 * m : m),
		      GFP_KERNEL_ACCOUNT);
	mb = kvmalloc(n * sizeof(*mb) + kg_maglev_scratch_size(n) +
		      n * sizeof(*order), GFP_KERNEL_ACCOUNT);
	if (!lb || !mb) {
		*err = -ENOMEM;
		goto out;
	}
	scratch = mb + n;
	order = scratch + kg_maglev_scratch_size(n);

	/* Sorted by (addr, port): the table must not depend on history. */
	n = 0;
	for (i = 0; i < svc->n_backends; i++)
		if (takes_new(&svc->backends[i], &set))
			order[n++] = i;
	sort_r(order, n, sizeof(*order), be_cmp, NULL, svc->backends);
	for (i = 0; i < n; i++) {
		const struct kgate_backend *be = &svc->backends[order[i]];

		mb[i].id_hash = kg_maglev_backend_hash(be->addr.s6_addr,
						       sizeof(be->addr),
						       be->port);
		mb[i].weight = be->weight;
	}
	lb->size = m;
	lb->state = set.state;
	lb->turns = rr ? lb->table + m : NULL;
	atomic_set(&lb->cursor, 0);
	*err = kg_maglev_build_turns(lb->table, lb->turns, m, mb, n, scratch);
	if (*err)
		goto out;
	/* From the sorted position to the service's backend index. */
	for (i = 0; i < m; i++) {
		lb->table[i] = order[lb->table[i]];
		if (rr)
			lb->turns[i] = order[lb->turns[i]];
		if (!(i & 0xffff))
			cond_resched();
	}
out:
	kvfree(mb);
	if (*err) {
		kvfree(lb);
		lb = NULL;
	}
	return lb;
}

static const u8 families[] = { AF_INET, AF_INET6 };

/*
 * The tables of @svc, from its backends alone: a whole service gets them
 * when its request is parsed, outside kn->lock; a service a commit makes
 * from another (backend commands) under it.
 */
int kgate_lb_build(struct kgate_service *svc)
{
	bool local = svc->ext_policy == KGATE_POLICY_LOCAL ||
		     svc->int_policy == KGATE_POLICY_LOCAL;
	int f, err = 0;

	for (f = 0; f < 2 && !err; f++) {
		svc->lb[f][0] = build(svc, families[f], false, &err);
		if (local && !err)
			svc->lb[f][1] = build(svc, families[f], true, &err);
	}
	if (err)
		kgate_lb_free(svc);
	else
		svc->lb_built = true;
	return err;
}

/* Bytes @svc's tables take. */
size_t kgate_lb_size(const struct kgate_service *svc)
{
	size_t size = 0;
	int f, l;

	for (f = 0; f < 2; f++) {
		for (l = 0; l < 2; l++) {
			const struct kgate_lb *lb = svc->lb[f][l];

			if (lb)
				size += struct_size(lb, table, lb->turns ?
						    2 * lb->size : lb->size);
		}
	}
	return size;
}

void kgate_lb_free(struct kgate_service *svc)
{
	int f;

	for (f = 0; f < 2; f++) {
		kvfree(svc->lb[f][0]);
		kvfree(svc->lb[f][1]);
		svc->lb[f][0] = NULL;
		svc->lb[f][1] = NULL;
	}
	svc->lb_built = false;
}

/*
 * Does @fe's traffic policy keep it on node-local backends?  ClusterIPs
 * follow internalTrafficPolicy, the others externalTrafficPolicy.
 */
bool kgate_fe_local(const struct kgate_frontend *fe)
{
	const struct kgate_service *svc = fe->svc;

	if (fe->kind == KGATE_FE_CLUSTER)
		return svc->int_policy == KGATE_POLICY_LOCAL;
	return svc->ext_policy == KGATE_POLICY_LOCAL;
}

/* The table for @fe: its node-local backends only, when @local. */
static struct kgate_lb *fe_lb(const struct kgate_frontend *fe, bool local)
{
	return fe->svc->lb[fe->key.family == AF_INET6][local];
}

/* Has @fe's service a backend for new flows of @fe's family, anywhere? */
bool kgate_has_backends(const struct kgate_frontend *fe)
{
	return fe_lb(fe, false);
}

/* Would @be take a new flow from @fe now?  (It is one of @fe's service.) */
bool kgate_takes_new(const struct kgate_frontend *fe,
		     const struct kgate_backend *be, bool local)
{
	const struct kgate_lb *lb = fe_lb(fe, local);
	struct lb_set set = { fe->key.family, 0, local };

	if (!lb)
		return false;
	set.state = lb->state;
	return takes_new(be, &set);
}

/*
 * The scheduler's choice.  Maglev hashes the flow, or the client address
 * alone under ClientIP affinity, so that every node binds a client to the
 * same backend; round robin takes the next weighted turn.
 */
static const struct kgate_backend *choose(const struct kgate_service *svc,
					  struct kgate_lb *lb,
					  const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *t =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	unsigned int alen = nf_ct_l3num(ct) == AF_INET ? 4 : 16;
	u32 hash;

	if (lb->turns) {
		u32 turn = (u32)atomic_inc_return(&lb->cursor) % lb->size;

		return &svc->backends[lb->turns[turn]];
	}
	if (svc->affinity == KGATE_AFFINITY_CLIENTIP)
		hash = kg_src_hash(t->src.u3.all, alen, 0);
	else
		hash = kg_flow_hash(t->src.u3.all, t->dst.u3.all, alen,
				    ntohs(t->src.u.all), ntohs(t->dst.u.all),
				    t->dst.protonum, 0);
	return &svc->backends[kg_maglev_lookup(lb->table, lb->size, hash)];
}

/*
 * The backend for the new connection @ct to @fe, NULL if none; among the
 * node-local ones only, when @local (the traffic policy applies).
 */
const struct kgate_backend *kgate_pick(const struct kgate_frontend *fe,
				       const struct nf_conn *ct, bool local)
{
	const struct kgate_service *svc = fe->svc;
	struct kgate_lb *lb = fe_lb(fe, local);
	const struct kgate_backend *be;

	if (!lb)
		return NULL;
	if (svc->aff) {
		be = kgate_aff_get(fe, ct, local);
		if (be)
			return be;
	}
	be = choose(svc, lb, ct);
	if (svc->aff)
		kgate_aff_set(fe, ct, be);
	return be;
}

static bool be_is(const struct kgate_backend *be,
		  const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *sin6 = (const void *)ss;
	const struct sockaddr_in *sin = (const void *)ss;

	if (!ss || be->family != ss->ss_family)
		return false;
	if (be->family == AF_INET)
		return ntohs(sin->sin_port) == be->port &&
		       !memcmp(&sin->sin_addr, &be->addr, 4);
	return ntohs(sin6->sin6_port) == be->port &&
	       ipv6_addr_equal(&sin6->sin6_addr, &be->addr);
}

static void be_sockaddr(const struct kgate_backend *be,
			struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (void *)ss;
	struct sockaddr_in *sin = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (be->family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(be->port);
		memcpy(&sin->sin_addr, &be->addr, 4);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(be->port);
		sin6->sin6_addr = be->addr;
	}
}

/* Slots of the table tried for a backend other than the one to avoid. */
#define L7_TRIES	8

/*
 * The proxy's choice among @name's backends that take new connections
 * (l7.h): Maglev by the request's hash, or round robin; IPv4 backends
 * first for a dual-stack service.  Traffic policies and ClientIP affinity
 * are the L4 frontends' and do not apply: an ingress proxy sends to the
 * endpoints, as ingress-nginx does.
 */
int kgate_l7_pick(struct kgate_net *kn, const char *name, u32 hash,
		  const struct sockaddr_storage *avoid,
		  struct sockaddr_storage *dst)
{
	const struct kgate_backend *be = NULL;
	const struct kgate_service *svc;
	struct kgate_lb *lb;
	int i, err = 0;

	rcu_read_lock();
	svc = kgate_svc_find(kn, name, NULL);
	lb = svc ? svc->lb[0][0] ?: svc->lb[1][0] : NULL;
	if (!svc) {
		err = -ENOENT;
	} else if (!lb) {
		err = -EHOSTUNREACH;
	} else {
		for (i = 0; i < L7_TRIES; i++) {
			if (lb->turns)
				be = &svc->backends[lb->turns[(u32)atomic_inc_return(&lb->cursor) %
							      lb->size]];
			else
				be = &svc->backends[kg_maglev_lookup(lb->table,
								     lb->size,
								     hash + i * 0x9e3779b9U)];
			if (!be_is(be, avoid))
				break;
		}
		be_sockaddr(be, dst);
	}
	rcu_read_unlock();
	return err;
}
