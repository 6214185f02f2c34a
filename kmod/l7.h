/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The L7 half: what the control plane (listener and route objects, their
 * commits) hands the HTTP proxy (listening sockets, connections).
 *
 * Lifetimes.  Listener and route objects are immutable and live in
 * generations like services (kgate.h).  A commit that changes what a
 * listener serves builds a new struct kgate_l7_conf for it and publishes
 * it on the listener's socket, struct kgate_lsock, under RCU.  A request
 * takes a reference on the conf it was routed with and keeps it until its
 * response is done, so the conf's routes, strings and match table outlive
 * every change made meanwhile.  The conf holds references on its routes,
 * and the routes and listeners on their counters.  Connections hold a
 * reference on their lsock.
 *
 * Kernel sockets hold no reference on their netns.  Every socket of a
 * namespace (listening, client, upstream, pooled) is released by the
 * namespace's .pre_exit, through kgate_l7_net_pre_exit(), before .exit.
 */
#ifndef _KGATE_L7_H
#define _KGATE_L7_H

#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/socket.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/kgate.h>

struct kgate_net;
struct kgate_lsock;

/* Per-listener limits, as KGATE_LIM_A_* (times in ms). */
struct kgate_l7_limits {
	u32 head_bytes;
	u32 headers;
	u32 uri_bytes;
	u64 body_bytes;		/* 0: no limit */
	u32 head_timeout;
	u32 idle_timeout;
	u32 connect_timeout;
	u32 response_timeout;
};

/*
 * L7 counters, per CPU, indexed by enum kgate_l7_counter_attr, but for
 * CONNS_OPEN: a gauge, @open, which the proxy raises when it accepts a
 * client connection and lowers when it closes one.  Shared by the
 * successive objects of a listener or a route, reset when it is deleted;
 * freed after a grace period, so an RCU reader of an object may read them.
 */
struct kgate_l7_cnt {
	refcount_t ref;
	atomic_t open;
	struct rcu_head rcu;
	u64 __percpu *v;	/* __KGATE_L7C_A_MAX slots per CPU */
};

static inline void kgate_l7_count(struct kgate_l7_cnt *c, int which, u64 n)
{
	this_cpu_add(c->v[which], n);
}

struct kgate_l7_cnt *kgate_l7_cnt_new(void);
struct kgate_l7_cnt *kgate_l7_cnt_get(struct kgate_l7_cnt *c);
void kgate_l7_cnt_put(struct kgate_l7_cnt *c);
u64 kgate_l7_cnt_read(const struct kgate_l7_cnt *c, int which);

/* A route object (kgate.h); the proxy uses the accessors below. */
struct kgate_route;

/*
 * A route's per-client token buckets (ratelimit.c): @rate requests per
 * second, @burst at once, for at most a bounded number of clients.
 * Shared by the successive objects of a route while rate and burst stay.
 */
struct kgate_ratelimit;

struct kgate_ratelimit *kgate_rl_new(u32 rate, u32 burst);
struct kgate_ratelimit *kgate_rl_get(struct kgate_ratelimit *rl);
void kgate_rl_put(struct kgate_ratelimit *rl);
/* 0: let the request in; else the seconds to put in Retry-After. */
u32 kgate_rl_take(struct kgate_ratelimit *rl, u8 family, const void *addr);

/*
 * What one listener serves, immutable once published.  @routes are the
 * routes attached to the listener, in the order given to the matcher:
 * kg_match_result.route indexes them.  A backend of the match table names
 * a service by its index in its route's services (kgate_route_service()),
 * the default backend by @default_backend.
 */
struct kgate_l7_conf {
	refcount_t ref;
	struct rcu_work free_work;
	struct kgate_net *kn;
	const char *listener;		/* the listener's name */
	u16 port;			/* the listener's port */
	u32 flags;			/* KGATE_LIS_F_* */
	u32 max_conns;
	struct kgate_l7_limits lim;
	struct kgate_l7_cnt *cnt;	/* the listener's counters */
	const char *default_backend;	/* a service name, or NULL */
	u32 n_routes;
	struct kgate_route **routes;
	const void *table;		/* kg_match_table() of it */
};

struct kgate_l7_conf *kgate_l7_conf_get(struct kgate_l7_conf *conf);
void kgate_l7_conf_put(struct kgate_l7_conf *conf);

/* The route's name, counters and per-route policies, for the proxy. */
const char *kgate_route_name(const struct kgate_route *rt);
const char *kgate_route_service(const struct kgate_route *rt, u32 index);
struct kgate_l7_cnt *kgate_route_cnt(const struct kgate_route *rt);
/* True if @rt lets a client from @addr (family AF_INET / AF_INET6) in. */
bool kgate_route_allows(const struct kgate_route *rt, u8 family,
			const void *addr);
/* The route's token buckets, or NULL (no rate limit). */
struct kgate_ratelimit *kgate_route_rl(const struct kgate_route *rt);

/*
 * A backend of service @name for a new upstream connection, chosen by its
 * scheduler from @hash: 0 and @dst filled, -ENOENT (no such service) or
 * -EHOSTUNREACH (no backend takes new connections).  @avoid, if not NULL,
 * is a backend to leave out when there is another (a retry).  Takes the
 * RCU read lock itself.
 */
int kgate_l7_pick(struct kgate_net *kn, const char *name, u32 hash,
		  const struct sockaddr_storage *avoid,
		  struct sockaddr_storage *dst);

/* listen.c: the listening sockets */

/*
 * A socket bound to @addr (AF_INET or AF_INET6, port set) and listening
 * in @kn's namespace, not yet accepting: 0 and *@ls, or the errno of
 * sock_create_kern(), bind() or listen().  For the commit: a failure
 * refuses it.
 */
int kgate_lsock_open(struct kgate_net *kn, const struct sockaddr_storage *addr,
		     struct kgate_lsock **ls);
/* Start accepting with @conf (the commit applied). */
void kgate_lsock_start(struct kgate_lsock *ls, struct kgate_l7_conf *conf);
/* Serve @conf from now on: new requests use it.  Takes a reference. */
void kgate_lsock_set_conf(struct kgate_lsock *ls, struct kgate_l7_conf *conf);
/*
 * Stop: release the listening socket and close every connection it
 * accepted, then drop the owner's reference.  Sleeps; when it returns, no
 * socket of @ls or its connections is open.
 */
void kgate_lsock_close(struct kgate_lsock *ls);

/* upstream.c: the pool's idle connections now, and those closed for lack
 * of room (STATS_GET).
 */
void kgate_pool_stats(struct kgate_net *kn, u32 *idle, u64 *no_room);

/* The proxy's per-netns state: upstream pools, the lsocks' connections. */
int kgate_l7_net_init(struct kgate_net *kn);
/* Close every socket of the namespace's proxy; sleeps. */
void kgate_l7_net_pre_exit(struct kgate_net *kn);
void kgate_l7_net_exit(struct kgate_net *kn);
int kgate_l7_module_init(void);
void kgate_l7_module_exit(void);

#endif /* _KGATE_L7_H */
