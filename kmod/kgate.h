/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kgate internal state.
 *
 * Services are immutable once published: every change makes a new object
 * and retires the old one.  Each object carries the generations it lives
 * in, [gen_add, gen_del); readers load the netns generation once and see
 * exactly the objects of that generation, so a commit of any size flips
 * all at once.
 */
#ifndef _KGATE_H
#define _KGATE_H

#include <linux/in6.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/netns/generic.h>
#include <linux/kgate.h>

struct nf_conn;

#define KGATE_GEN_NEVER	U64_MAX

struct kgate_fe_key {
	struct in6_addr addr;	/* IPv4: first 4 bytes, rest zero */
	__be16 port;
	u8 proto;
	u8 family;
};

struct kgate_frontend {
	struct rhlist_head node;	/* kgate_net.frontends */
	struct kgate_fe_key key;
	u8 kind;
	struct kgate_service *svc;
};

struct kgate_counters;
struct kgate_aff;

struct kgate_backend {
	struct in6_addr addr;
	u16 port;
	u8 family;
	u8 state;
	u32 weight;
	u32 flags;
	/* Shared with this backend in the service's earlier objects. */
	struct kgate_counters *cnt;
};

struct kgate_range {
	struct in6_addr addr;
	u8 family;
	u8 plen;
};

struct kgate_service {
	struct rhlist_head node;	/* kgate_net.names */
	struct list_head list;		/* kgate_net.services */
	struct list_head touched;	/* commit-local */
	u64 gen_add;
	u64 gen_del;
	struct rcu_work free_work;

	u8 sched;
	u8 affinity;
	u8 ext_policy;
	u8 int_policy;
	u32 table_size;
	u32 timeout;

	u16 n_frontends;
	u16 n_ranges;
	u32 n_backends;
	struct kgate_frontend *frontends;
	struct kgate_range *ranges;
	struct kgate_backend *backends;
	/*
	 * Data plane: Maglev tables per family (0: IPv4, 1: IPv6), over all
	 * backends and over the node-local ones (Local traffic policies).
	 */
	struct kgate_lb *lb[2][2];
	bool lb_built;
	/* Backends by (family, addr, port): open addressing, mask + 1 slots. */
	u16 *be_index;
	u32 be_mask;
	/*
	 * What the successive objects of one service share, so that changes
	 * keep them: the counters and the ClientIP affinity table.
	 */
	struct kgate_counters *cnt;
	struct kgate_aff *aff;
	char name[];
};

/* The node's settings (NODE_SET): immutable, replaced whole under RCU. */
struct kgate_node {
	struct rcu_head rcu;
	u16 n_local;
	struct kgate_range local[];	/* the cluster's Pod ranges */
};

struct kgate_net {
	struct mutex lock;		/* commits, txns */
	u64 gen;			/* current generation */
	struct kgate_node __rcu *node;
	struct rhltable names;
	struct rhltable frontends;
	struct list_head services;	/* every linked object, oldest first */
	struct list_head txns;
	struct net *net;

	/* Current generation's totals, under lock. */
	u32 n_services;
	u32 n_frontends;
	u32 n_backends;
	u32 n_txns;
	u64 commits;
	u64 flow_walks;
	bool nat_on;			/* NAT hooks registered */
	bool forget;			/* at exit, flows to forget */
	/* With no service left: are kgate's flows gone, can the hooks go? */
	struct delayed_work nat_idle;

	/* Affinity tables of the namespace, swept for expired clients. */
	struct mutex aff_lock;
	struct list_head affs;
	bool had_aff;
	atomic_t aff_clients;
	atomic64_t aff_dropped;
	struct delayed_work aff_gc;
};

extern unsigned int kgate_net_id;
extern struct workqueue_struct *kgate_wq;
extern unsigned int kgate_max_services;
extern unsigned int kgate_max_backends;
extern unsigned int kgate_max_affinity;
extern unsigned int kgate_max_batch_mb;
extern unsigned int kgate_nat_idle_secs;
extern bool kgate_counters;

static inline struct kgate_net *kgate_pernet(struct net *net)
{
	return net_generic(net, kgate_net_id);
}

/* Generation @gen sees @svc. */
static inline bool kgate_svc_live(const struct kgate_service *svc, u64 gen)
{
	return READ_ONCE(svc->gen_add) <= gen && gen < READ_ONCE(svc->gen_del);
}

static inline u64 kgate_gen(const struct kgate_net *kn)
{
	/*
	 * Pairs with the release in kgate_commit(): a reader that sees the
	 * new generation sees the gen_add / gen_del stores made for it.
	 */
	return smp_load_acquire(&kn->gen);
}

/* service.c: objects and their indexes */
int kgate_tables_init(struct kgate_net *kn);
void kgate_tables_destroy(struct kgate_net *kn);
struct kgate_service *kgate_svc_alloc(size_t name_len, u32 n_fe, u32 n_rng,
				      u32 n_be);
struct kgate_service *kgate_svc_copy(const struct kgate_service *old,
				     u32 n_be);
void kgate_svc_free(struct kgate_service *svc);
void kgate_svc_free_rcu(struct kgate_service *svc);
struct kgate_service *kgate_svc_lookup(struct kgate_net *kn, const char *name,
				       u64 gen);
struct kgate_service *kgate_svc_find(struct kgate_net *kn, const char *name,
				     u64 *genp);
const struct kgate_frontend *kgate_fe_lookup(struct kgate_net *kn,
					     const struct kgate_fe_key *key,
					     u64 gen);
struct kgate_service *kgate_fe_owner(struct kgate_net *kn,
				     const struct kgate_fe_key *key, u64 gen);
int kgate_svc_link(struct kgate_net *kn, struct kgate_service *svc);
void kgate_svc_unlink(struct kgate_net *kn, struct kgate_service *svc);
int kgate_be_index_init(struct kgate_service *svc, u32 n);
int kgate_be_index_add(struct kgate_service *svc, u32 i);
int kgate_be_index_build(struct kgate_service *svc);
const struct kgate_backend *kgate_be_lookup(const struct kgate_service *svc,
					    u8 family, const void *addr,
					    u16 port);
bool kgate_svc_has_family(const struct kgate_service *svc, u8 family);
u32 kgate_table_size_min(u32 n_backends);

/* txn.c: transactions */
struct kgate_op {
	struct list_head node;
	u8 cmd;
	u32 seq;
	u32 size;	/* of the request, counted against the batch's cap */
	/* Parsed message: a whole service, or a name plus backends. */
	struct kgate_service *svc;
	/* NODE_SET: the settings; the commit takes them. */
	struct kgate_node *settings;
	/* BACKEND_SET: which fields of each backend are given. */
	u8 *masks;
	/* Set by the commit, for the events: the object made or retired. */
	struct kgate_service *result;
};

#define KGATE_SET_WEIGHT	BIT(0)
#define KGATE_SET_STATE		BIT(1)
#define KGATE_SET_FLAGS		BIT(2)

/*
 * A batch belongs to the socket that opened it, held until the batch ends:
 * a port id is free for another socket before NETLINK_URELEASE reports the
 * close of the first, the socket itself is not.
 */
struct kgate_txn {
	struct list_head node;		/* kgate_net.txns */
	struct sock *sk;
	u32 portid;
	int poison;			/* first refused message's errno */
	u32 poison_seq;
	u32 n_ops;
	u64 bytes;
	struct list_head ops;
};

#define KGATE_BATCH_MAX_OPS	BIT(21)

void kgate_op_free(struct kgate_op *op);
/* The sender of a request: its batch, if it has one open. */
struct kgate_sender {
	struct sock *sk;
	u32 portid;
};

int kgate_submit(struct kgate_net *kn, const struct kgate_sender *from,
		 struct kgate_op *op, struct netlink_ext_ack *extack);
void kgate_poison(struct kgate_net *kn, const struct kgate_sender *from,
		  u32 seq, int err);
int kgate_batch_begin(struct kgate_net *kn, const struct kgate_sender *from,
		      struct netlink_ext_ack *extack);
int kgate_batch_commit(struct kgate_net *kn, const struct kgate_sender *from,
		       struct netlink_ext_ack *extack);
int kgate_batch_abort(struct kgate_net *kn, const struct kgate_sender *from,
		      struct netlink_ext_ack *extack);
void kgate_txns_destroy(struct kgate_net *kn);
int kgate_txn_notifier_register(void);
void kgate_txn_notifier_unregister(void);

/* parse.c: requests to objects */
struct kgate_op *kgate_parse_op(u8 cmd, struct nlattr **tb,
				struct netlink_ext_ack *extack);
int kgate_parse_name(struct nlattr **tb, char *name,
		     struct netlink_ext_ack *extack);
void kgate_node_free(struct kgate_node *node);

/* msg.c: objects to messages */
int kgate_fill_service(struct sk_buff *skb, const struct kgate_service *svc,
		       u32 portid, u32 seq, int flags, u8 cmd, u32 *pos);
struct sk_buff *kgate_service_msg(const struct kgate_service *svc,
				  u32 portid, u32 seq, u8 cmd);
size_t kgate_service_msg_size(const struct kgate_service *svc, u8 cmd);
int kgate_service_fill(struct sk_buff *skb, const struct kgate_service *svc,
		       u32 portid, u32 seq, u8 cmd);
int kgate_fill_stats(struct sk_buff *skb, struct kgate_net *kn);
int kgate_fill_node(struct sk_buff *skb, const struct kgate_node *node);
void kgate_notify(struct kgate_net *kn, struct list_head *touched,
		  const struct kgate_node *node, bool flushed, u64 gen);

/* nat.c: the L4 data plane */
int kgate_nat_enable(struct kgate_net *kn);
void kgate_nat_disable(struct kgate_net *kn);
void kgate_nat_idle(struct kgate_net *kn);
void kgate_nat_init(struct kgate_net *kn);
int kgate_nat_module_init(void);
void kgate_nat_module_exit(void);
void kgate_ct_key(const struct nf_conn *ct, struct kgate_fe_key *key);
const struct kgate_frontend *kgate_nat_lookup(struct kgate_net *kn,
					      struct net *net,
					      const struct kgate_fe_key *key,
					      u64 gen);
const struct kgate_frontend *kgate_nat_find(struct kgate_net *kn,
					    struct net *net,
					    const struct kgate_fe_key *key);

/* flows.c: the conntrack entries kgate made */
bool kgate_ct_mark(struct nf_conn *ct);
bool kgate_ct_ours(const struct nf_conn *ct);
bool kgate_flows_removed(const struct kgate_service *old,
			 const struct kgate_service *now);
void kgate_flows_stale(struct kgate_net *kn);
void kgate_flows_forget_all(struct kgate_net *kn);
unsigned int kgate_flows_count(struct kgate_net *kn);

/* stats.c: counters per service and per backend */
struct kgate_cnt_sum {
	u64 conns;
	u64 packets;
	u64 bytes;
};

int kgate_cnt_share(struct kgate_service *svc,
		    const struct kgate_service *old);
void kgate_cnt_release(struct kgate_service *svc);
void kgate_cnt_put(struct kgate_counters *cnt);
void kgate_cnt_conn(const struct kgate_service *svc,
		    const struct kgate_backend *be);
void kgate_cnt_sum(const struct kgate_counters *cnt, struct kgate_cnt_sum *s);
int kgate_count_enable(struct net *net);
void kgate_count_disable(struct net *net);

/* affinity.c: ClientIP session affinity */
int kgate_aff_share(struct kgate_net *kn, struct kgate_service *svc,
		    const struct kgate_service *old);
void kgate_aff_put(struct kgate_aff *aff);
void kgate_aff_commit(const struct kgate_service *svc);
const struct kgate_backend *kgate_aff_get(const struct kgate_frontend *fe,
					  const struct nf_conn *ct, bool local);
void kgate_aff_set(const struct kgate_frontend *fe, const struct nf_conn *ct,
		   const struct kgate_backend *be);
void kgate_aff_init(struct kgate_net *kn);
void kgate_aff_gc_stop(struct kgate_net *kn);

/* pick.c: backend choice */
int kgate_lb_build(struct kgate_service *svc);
size_t kgate_lb_size(const struct kgate_service *svc);
void kgate_lb_free(struct kgate_service *svc);
const struct kgate_backend *kgate_pick(const struct kgate_frontend *fe,
				       const struct nf_conn *ct, bool local);
bool kgate_fe_local(const struct kgate_frontend *fe);
bool kgate_takes_new(const struct kgate_frontend *fe,
		     const struct kgate_backend *be, bool local);
bool kgate_has_backends(const struct kgate_frontend *fe);

/* netlink.c: the family */
extern struct genl_family kgate_family;
int kgate_genl_register(void);
void kgate_genl_unregister(void);

#endif /* _KGATE_H */
