/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HTTP proxy's data path, private to listen.c, conn.c, upstream.c,
 * ratelimit.c and access.c.
 *
 * Contexts.  Socket callbacks run in softirq context: they only queue the
 * work item of their connection (or of their listener).  Everything else
 * runs in process context, on kgate_l7_wq: one work item per connection,
 * which the workqueue never runs on two CPUs at once, so a connection's
 * state needs no lock of its own.  Closing from outside (a listener
 * deleted, a namespace going) restores the callbacks, then waits for the
 * work item, then releases the sockets.
 */
#ifndef _KGATE_PROXY_H
#define _KGATE_PROXY_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "l7.h"
#include "core/fwd.h"

struct kgate_pool;
struct kgate_conn;

extern struct workqueue_struct *kgate_l7_wq;

/* Per network namespace (kgate_net.l7). */
struct kgate_l7_net {
	struct kgate_net *kn;
	struct mutex lock;		/* lsocks */
	struct list_head lsocks;	/* every open kgate_lsock */
	struct kgate_pool *pool;	/* idle upstream connections */
};

struct kgate_l7_net *kgate_l7(struct kgate_net *kn);

/* listen.c */
struct kgate_lsock {
	refcount_t ref;			/* the owner's, and one per conn */
	struct kgate_net *kn;
	struct socket *sock;		/* NULL once shut */
	void (*saved_data_ready)(struct sock *sk);
	struct work_struct accept_work;
	struct kgate_l7_conf __rcu *conf;
	struct list_head node;		/* kgate_l7_net.lsocks */
	struct mutex close_lock;	/* shutting down: owner vs .pre_exit */
	spinlock_t lock;		/* conns, shut, conf updates */
	struct list_head conns;		/* struct kgate_conn */
	atomic_t n_conns;
	bool shut;
};

/* A reference on @ls's current conf, or NULL: for one request. */
struct kgate_l7_conf *kgate_lsock_conf(struct kgate_lsock *ls);
void kgate_lsock_put(struct kgate_lsock *ls);

/* conn.c */
int kgate_conn_module_init(void);
void kgate_conn_module_exit(void);
/* Serve @sock, just accepted on @ls (takes it; closes it on failure). */
void kgate_conn_accept(struct kgate_lsock *ls, struct socket *sock);
/* Close every connection of @ls (shut: no new one comes); sleeps. */
void kgate_conns_close(struct kgate_lsock *ls);
/* Run @c's state machine soon: for socket callbacks, any context. */
void kgate_conn_kick(struct kgate_conn *c);

/* upstream.c: connections to backends, and the idle pool */
struct kgate_up {
	struct socket *sock;
	struct sockaddr_storage dst;
	/* Whose work the callbacks queue, NULL in the pool. */
	struct kgate_conn *conn;
	void (*saved_data_ready)(struct sock *sk);
	void (*saved_write_space)(struct sock *sk);
	void (*saved_state_change)(struct sock *sk);
	struct list_head lru;		/* pool: oldest last */
	struct hlist_node hnode;	/* pool: by backend */
	unsigned long idle_since;	/* jiffies */
};

/*
 * A new connection to @dst for @c, in @kn's namespace: 0 (connected),
 * -EINPROGRESS (kgate_up_connected() tells when), or an error.  *@up is set
 * but for an error.
 */
int kgate_up_connect(struct kgate_net *kn, const struct sockaddr_storage *dst,
		     struct kgate_conn *c, struct kgate_up **up);
/* 0 connected, -EINPROGRESS not yet, else why the connect failed. */
int kgate_up_connected(struct kgate_up *up);
/* An idle pooled connection to @dst, now @c's, or NULL. */
struct kgate_up *kgate_pool_take(struct kgate_net *kn,
				 const struct sockaddr_storage *dst,
				 struct kgate_conn *c);
/* Give @up back to the pool (or close it when there is no room). */
void kgate_pool_give(struct kgate_net *kn, struct kgate_up *up);
/* Stop @up's callbacks from queueing its connection's work. */
void kgate_up_detach(struct kgate_up *up);
/* Shut down and release; the callbacks first (restored). */
void kgate_up_close(struct kgate_up *up);
int kgate_pool_init(struct kgate_l7_net *l7);
void kgate_pool_close(struct kgate_l7_net *l7);
void kgate_pool_free(struct kgate_l7_net *l7);

/* ratelimit.c */
/* Clients whose bucket was taken by another, for lack of room. */
u64 kgate_rl_evicted(const struct kgate_ratelimit *rl);

/* access.c: one record of the access log */
struct kgate_access {
	u64 time;			/* ns since the epoch */
	const struct kg_fwd_peer *client;
	const char *listener;
	const char *route;		/* NULL: none matched */
	const u8 *host;
	u32 host_len;
	const u8 *method;
	u32 method_len;
	const u8 *path;
	u32 path_len;
	u16 status;
	u64 bytes_in;
	u64 bytes_out;
	const struct sockaddr_storage *upstream;	/* NULL: kgate answered */
	u32 ttfb;			/* us */
	u32 duration;			/* us */
};

/* Multicast @a on the events group; counts LOG_DROPPED on @cnt. */
void kgate_access_send(struct kgate_net *kn, struct kgate_l7_cnt *cnt,
		       const struct kgate_access *a);

#endif /* _KGATE_PROXY_H */
