// SPDX-License-Identifier: GPL-2.0
/*
 * What a listener serves (struct kgate_l7_conf, l7.h): its settings, the
 * routes attached to it, compiled into one match table, and the L7
 * counters they update.  A conf is built under kn->lock by the commit that
 * changes it and never changes after; requests hold references on it.
 */
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/netlink.h>

#include "compat.h"
#include "kgate.h"

struct kgate_l7_cnt *kgate_l7_cnt_new(void)
{
	struct kgate_l7_cnt *c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);

	if (!c)
		return NULL;
	c->v = __alloc_percpu_gfp(__KGATE_L7C_A_MAX * sizeof(u64),
				  __alignof__(u64), GFP_KERNEL_ACCOUNT);
	if (!c->v) {
		kfree(c);
		return NULL;
	}
	refcount_set(&c->ref, 1);
	return c;
}

struct kgate_l7_cnt *kgate_l7_cnt_get(struct kgate_l7_cnt *c)
{
	refcount_inc(&c->ref);
	return c;
}

static void cnt_free_rcu(struct rcu_head *head)
{
	struct kgate_l7_cnt *c = container_of(head, struct kgate_l7_cnt, rcu);

	free_percpu(c->v);
	kfree(c);
}

void kgate_l7_cnt_put(struct kgate_l7_cnt *c)
{
	if (c && refcount_dec_and_test(&c->ref))
		call_rcu(&c->rcu, cnt_free_rcu);
}

u64 kgate_l7_cnt_read(const struct kgate_l7_cnt *c, int which)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(c->v, cpu)[which]);
	return sum;
}

int kgate_l7_cnt_fill(struct sk_buff *skb, int type,
		      const struct kgate_l7_cnt *cnt)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = KGATE_L7C_A_CONNS; i < KGATE_L7C_A_PAD; i++) {
		if (i == KGATE_L7C_A_CONNS_OPEN) {
			if (nla_put_u32(skb, i, atomic_read(&cnt->open)))
				return -EMSGSIZE;
			continue;
		}
		if (nla_put_u64_64bit(skb, i, kgate_l7_cnt_read(cnt, i),
				      KGATE_L7C_A_PAD))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static void conf_free(struct kgate_l7_conf *conf)
{
	u32 i;

	for (i = 0; i < conf->n_routes; i++)
		kgate_route_put(conf->routes[i]);
	kvfree(conf->routes);
	kvfree(conf->table);
	kgate_l7_cnt_put(conf->cnt);
	kfree(conf->listener);
	kfree(conf->default_backend);
	kfree(conf);
}

static void conf_free_work(struct work_struct *work)
{
	conf_free(container_of(to_rcu_work(work), struct kgate_l7_conf,
			       free_work));
}

/* For a reader that found @conf under RCU: NULL if it is on its way out. */
struct kgate_l7_conf *kgate_l7_conf_get(struct kgate_l7_conf *conf)
{
	return refcount_inc_not_zero(&conf->ref) ? conf : NULL;
}

/* The last put frees after a grace period: readers may hold it in RCU. */
void kgate_l7_conf_put(struct kgate_l7_conf *conf)
{
	if (!conf || !refcount_dec_and_test(&conf->ref))
		return;
	INIT_RCU_WORK(&conf->free_work, conf_free_work);
	queue_rcu_work(kgate_wq, &conf->free_work);
}

/* The routes of generation @gen that attach to @lis, with references. */
static int conf_routes(struct kgate_net *kn, struct kgate_l7_conf *conf,
		       const struct kgate_listener *lis, u64 gen)
{
	struct kgate_route *rt;
	u32 n = 0;

	list_for_each_entry(rt, &kn->objs[KGATE_OBJ_ROUTE], obj.list)
		if (kgate_obj_live(&rt->obj, gen) &&
		    kgate_route_names(rt, lis->name))
			n++;
	if (!n)
		return 0;
	conf->routes = kvcalloc(n, sizeof(*conf->routes), GFP_KERNEL_ACCOUNT);
	if (!conf->routes)
		return -ENOMEM;
	list_for_each_entry(rt, &kn->objs[KGATE_OBJ_ROUTE], obj.list)
		if (kgate_obj_live(&rt->obj, gen) &&
		    kgate_route_names(rt, lis->name))
			conf->routes[conf->n_routes++] = kgate_route_get(rt);
	return 0;
}

/*
 * The match table of @conf's routes.  Each route was checked alone when it
 * was parsed; together they can only be too large.
 */
static int conf_table(struct kgate_l7_conf *conf,
		      struct netlink_ext_ack *extack)
{
	struct kg_match_table_in t = { .default_backend = KG_MATCH_NONE };
	struct kg_match_route_in *in = NULL;
	struct kg_match_err e = { .msg = NULL };
	size_t size;
	void *table;
	u32 i;
	int err;

	if (conf->n_routes) {
		in = kvcalloc(conf->n_routes, sizeof(*in), GFP_KERNEL);
		if (!in)
			return -ENOMEM;
	}
	for (i = 0; i < conf->n_routes; i++) {
		in[i] = *conf->routes[i]->in;
		in[i].order = conf->routes[i]->order;
	}
	t.routes = in;
	t.nroutes = conf->n_routes;
	err = kg_match_size(&t, &size, &e);
	table = err ? NULL : kvmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!err && !table)
		err = -ENOMEM;
	if (!err)
		err = kg_match_build(&t, table, size, &e);
	kvfree(in);
	if (err) {
		kvfree(table);
		NL_SET_ERR_MSG_FMT(extack, "listener %s: routes: %s",
				   conf->listener, e.msg ?: "out of memory");
		return err == -ENOMEM ? err : -ENOSPC;
	}
	conf->table = table;
	return 0;
}

struct kgate_l7_conf *kgate_l7_conf_build(struct kgate_net *kn,
					  const struct kgate_listener *lis,
					  u64 gen,
					  struct netlink_ext_ack *extack)
{
	struct kgate_l7_conf *conf;
	int err;

	conf = kzalloc(sizeof(*conf), GFP_KERNEL_ACCOUNT);
	if (!conf)
		return ERR_PTR(-ENOMEM);
	refcount_set(&conf->ref, 1);
	conf->kn = kn;
	conf->port = ntohs(((const struct sockaddr_in *)&lis->addr)->sin_port);
	conf->flags = lis->flags;
	conf->max_conns = lis->max_conns;
	conf->lim = lis->lim;
	conf->cnt = kgate_l7_cnt_get(lis->cnt);
	conf->listener = kstrdup(lis->name, GFP_KERNEL_ACCOUNT);
	if (lis->default_backend)
		conf->default_backend = kstrdup(lis->default_backend,
						GFP_KERNEL_ACCOUNT);
	err = !conf->listener ||
	      (lis->default_backend && !conf->default_backend) ? -ENOMEM :
	      conf_routes(kn, conf, lis, gen) ?: conf_table(conf, extack);
	if (err) {
		if (err == -ENOMEM)
			NL_SET_ERR_MSG_FMT(extack, "out of memory for the routes of listener %s",
					   lis->name);
		conf_free(conf);
		return ERR_PTR(err);
	}
	return conf;
}
