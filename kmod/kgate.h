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

#include "l7.h"
#include "core/match.h"

struct nf_conn;
struct kgate_l7_cnt;
struct kgate_l7_conf;
struct kgate_lsock;
struct kgate_ratelimit;
struct kgate_l7_net;

#define KGATE_GEN_NEVER	U64_MAX

enum kgate_obj_type {
	KGATE_OBJ_SERVICE,
	KGATE_OBJ_LISTENER,
	KGATE_OBJ_ROUTE,
	__KGATE_OBJ_MAX
};

/*
 * What every configuration object has: its name, the generations it lives
 * in, [gen_add, gen_del), its place in the commit that touches it, and its
 * deferred free.  Objects of all types share one name index; the type
 * tells them apart.
 */
struct kgate_obj {
	struct rhlist_head node;	/* kgate_net.names */
	struct list_head list;		/* kgate_net.objs[type], oldest first */
	struct list_head touched;	/* commit-local */
	u64 gen_add;
	u64 gen_del;
	struct rcu_work free_work;
	u8 type;			/* enum kgate_obj_type */
	const char *name;
};

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
	struct kgate_obj obj;

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
	char *owner;			/* KGATE_SVC_A_OWNER, or NULL */
	char name[];
};

/* The node's settings (NODE_SET): immutable, replaced whole under RCU. */
struct kgate_node {
	struct rcu_head rcu;
	u16 n_local;
	struct kgate_range local[];	/* the cluster's Pod ranges */
};

/* An HTTP listener (LISTENER_*): immutable, as services are. */
struct kgate_listener {
	struct kgate_obj obj;
	struct sockaddr_storage addr;	/* family, address, port */
	u8 mode;
	u32 flags;
	u32 max_conns;
	struct kgate_l7_limits lim;
	char *default_backend;		/* a service name, or NULL */
	char *owner;			/* KGATE_LIS_A_OWNER, or NULL */
	/* Shared with the listener's earlier objects. */
	struct kgate_l7_cnt *cnt;
	/*
	 * The socket: opened when the object is installed, or taken over
	 * from an object with the same address, port and mode that the
	 * commit retires (@moved on that one: it no longer owns it).
	 */
	struct kgate_lsock *ls;
	bool ls_own;			/* opened by this object's commit */
	bool moved;			/* commit-local */
	/* Commit-local: the conf to publish, when routes or it changed. */
	struct kgate_l7_conf *next_conf;
	char name[];
};

/*
 * A route (ROUTE_*).  Its matcher input points into @nest, a copy of the
 * request's KGATE_A_ROUTE, which GET sends back as it came.  Referenced by
 * the confs built from it, which live as long as a request uses them.
 */
struct kgate_route {
	struct kgate_obj obj;
	refcount_t ref;
	u64 order;			/* the generation it was first added in */
	u8 kind;
	u32 n_listeners;
	const char **listeners;
	u32 n_services;
	const char **services;		/* backendRefs' services, by index */
	struct kg_match_route_in *in;
	u16 n_allow;
	struct kgate_range *allow;
	u32 rate;
	u32 burst;
	struct kgate_ratelimit *rl;
	struct kgate_l7_cnt *cnt;
	struct kgate_arena *arena;	/* what the parse allocated */
	struct nlattr *nest;
};

struct kgate_net {
	struct mutex lock;		/* commits, txns */
	u64 gen;			/* current generation */
	struct kgate_node __rcu *node;
	struct rhltable names;
	struct rhltable frontends;
	/* Every linked object of each type, oldest first. */
	struct list_head objs[__KGATE_OBJ_MAX];
	struct list_head txns;
	struct net *net;
	struct kgate_l7_net *l7;	/* the proxy's state (l7.h) */

	/* Current generation's totals, under lock. */
	u32 n_services;
	u32 n_listeners;
	u32 n_routes;
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

/* Generation @gen sees @obj. */
static inline bool kgate_obj_live(const struct kgate_obj *obj, u64 gen)
{
	return READ_ONCE(obj->gen_add) <= gen && gen < READ_ONCE(obj->gen_del);
}

static inline bool kgate_svc_live(const struct kgate_service *svc, u64 gen)
{
	return kgate_obj_live(&svc->obj, gen);
}

static inline u64 kgate_gen(const struct kgate_net *kn)
{
	/*
	 * Pairs with the release in kgate_commit(): a reader that sees the
	 * new generation sees the gen_add / gen_del stores made for it.
	 */
	return smp_load_acquire(&kn->gen);
}

/* obj.c: every object's name, generations and free */
int kgate_names_init(struct kgate_net *kn);
void kgate_names_destroy(struct kgate_net *kn);
void kgate_obj_init(struct kgate_obj *obj, u8 type, const char *name);
struct kgate_obj *kgate_obj_lookup(struct kgate_net *kn, u8 type,
				   const char *name, u64 gen);
struct kgate_obj *kgate_obj_find(struct kgate_net *kn, u8 type,
				 const char *name, u64 *genp);
int kgate_obj_link(struct kgate_net *kn, struct kgate_obj *obj);
void kgate_obj_unlink(struct kgate_net *kn, struct kgate_obj *obj);
void kgate_obj_free(struct kgate_obj *obj);
void kgate_obj_free_rcu(struct kgate_obj *obj);

/* A bump allocator for an object's parsed parts, freed as a whole. */
struct kgate_arena;
void *kgate_arena_alloc(struct kgate_arena **a, size_t size);
void kgate_arena_free(struct kgate_arena *a);

/* service.c: services and the frontend index */
int kgate_tables_init(struct kgate_net *kn);
void kgate_tables_destroy(struct kgate_net *kn);
struct kgate_service *kgate_svc_alloc(size_t name_len, u32 n_fe, u32 n_rng,
				      u32 n_be);
struct kgate_service *kgate_svc_copy(const struct kgate_service *old,
				     u32 n_be);
void kgate_svc_free(struct kgate_service *svc);
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
	/* LISTENER_ADD / _REPLACE, ROUTE_ADD / _REPLACE: the object. */
	struct kgate_listener *lis;
	struct kgate_route *rt;
	/* LISTENER_DEL, ROUTE_DEL: the name. */
	char *name;
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
	u32 poison_pos;			/* its place in n_msgs, 1-based */
	/*
	 * Mutating messages that reached kgate, staged or refused: COMMIT
	 * compares them with the count the client sent.
	 */
	u32 n_msgs;
	u32 n_ops;
	u64 bytes;
	struct list_head ops;
};

#define KGATE_BATCH_MAX_OPS	BIT(21)

void kgate_op_free(struct kgate_op *op);

/*
 * A commit in the making: it builds generation @next beside the current
 * one.  Every object it makes or retires is on @touched, in the order it
 * was first touched.
 */
struct kgate_commit {
	struct kgate_net *kn;
	u64 next;
	struct list_head touched;
	/* The last NODE_SET of the commit, if any; its settings go in. */
	struct kgate_op *node;
	bool flushed;
	/* Changes to the totals, applied on success. */
	s64 d_objs[__KGATE_OBJ_MAX];
	s64 d_frontends;
	s64 d_backends;
};

void kgate_touch(struct kgate_commit *c, struct kgate_obj *obj);
void kgate_retire(struct kgate_commit *c, struct kgate_obj *obj);
int kgate_obj_install(struct kgate_commit *c, struct kgate_obj *obj,
		      struct kgate_obj *old, u32 max,
		      struct netlink_ext_ack *extack);
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
		       const struct nlattr *count, struct netlink_ext_ack *extack);
int kgate_batch_abort(struct kgate_net *kn, const struct kgate_sender *from,
		      struct netlink_ext_ack *extack);
void kgate_txns_destroy(struct kgate_net *kn);
int kgate_txn_notifier_register(void);
void kgate_txn_notifier_unregister(void);

/* An attribute's value, or @def when the request left it out. */
static inline u8 kgate_get_u8(const struct nlattr *attr, u8 def)
{
	return attr ? nla_get_u8(attr) : def;
}

static inline u32 kgate_get_u32(const struct nlattr *attr, u32 def)
{
	return attr ? nla_get_u32(attr) : def;
}

/* parse.c: requests to objects */
struct kgate_op *kgate_parse_op(u8 cmd, struct nlattr **tb,
				struct netlink_ext_ack *extack);
int kgate_parse_name(struct nlattr **tb, char *name,
		     struct netlink_ext_ack *extack);
int kgate_parse_obj_name(struct nlattr **tb, u16 nest, char *name,
			 struct netlink_ext_ack *extack);
int kgate_need(struct nlattr *nest, struct nlattr **tb, int type,
	       const char *what, struct netlink_ext_ack *extack);
int kgate_list_len(const struct nlattr *list, u32 max, const char *what,
		   struct netlink_ext_ack *extack);
u8 kgate_get_addr(const struct nlattr *attr, struct in6_addr *addr);
int kgate_check_addr(const struct nlattr *attr, const char *what,
		     struct netlink_ext_ack *extack);
int kgate_parse_range(struct kgate_range *r, struct nlattr *item,
		      struct netlink_ext_ack *extack);
int kgate_check_name(const struct nlattr *attr, struct netlink_ext_ack *extack);
int kgate_parse_owner(const struct nlattr *attr, char **owner,
		      struct netlink_ext_ack *extack);

/* listener.c: listener objects */
struct kgate_listener *kgate_listener_parse(struct nlattr *nest,
					    struct netlink_ext_ack *extack);
void kgate_listener_free(struct kgate_listener *lis);
bool kgate_listener_same_socket(const struct kgate_listener *a,
				const struct kgate_listener *b);
bool kgate_listener_clashes(const struct kgate_listener *lis,
			    const struct kgate_fe_key *key, u8 kind);
int kgate_listener_fill(struct sk_buff *skb, const struct kgate_listener *lis,
			bool counters);
struct sk_buff *kgate_listener_msg(const struct kgate_listener *lis,
				   u32 portid, u32 seq, u8 cmd);

/* route.c: route objects */
struct kgate_route *kgate_route_parse(struct nlattr *nest,
				      struct netlink_ext_ack *extack);
struct kgate_route *kgate_route_get(struct kgate_route *rt);
void kgate_route_put(struct kgate_route *rt);
bool kgate_route_names(const struct kgate_route *rt, const char *listener);
int kgate_route_fill(struct sk_buff *skb, const struct kgate_route *rt,
		     bool counters);
struct sk_buff *kgate_route_msg(const struct kgate_route *rt, u32 portid,
				u32 seq, u8 cmd);

/* l7commit.c: listeners and routes in a commit */
int kgate_l7_apply(struct kgate_commit *c, struct kgate_op *op,
		   struct netlink_ext_ack *extack);
int kgate_l7_prepare(struct kgate_commit *c, struct netlink_ext_ack *extack);
void kgate_l7_publish(struct kgate_commit *c);
void kgate_l7_rollback(struct kgate_commit *c, struct kgate_obj *obj);
void kgate_l7_finish(struct kgate_commit *c, struct kgate_obj *obj);
void kgate_l7_close_all(struct kgate_net *kn);
const char *kgate_frontend_clash(struct kgate_commit *c,
				 const struct kgate_fe_key *key, u8 kind);

/* l7conf.c: what a listener serves */
struct kgate_l7_conf *kgate_l7_conf_build(struct kgate_net *kn,
					  const struct kgate_listener *lis,
					  u64 gen,
					  struct netlink_ext_ack *extack);
int kgate_l7_cnt_fill(struct sk_buff *skb, int type,
		      const struct kgate_l7_cnt *cnt);
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
