// SPDX-License-Identifier: GPL-2.0
/*
 * Connections from the proxy to backends, and the per-netns pool of idle
 * ones kept for reuse (HTTP keep-alive toward upstreams, as nginx's
 * "keepalive" does).
 *
 * A connection belongs to one client connection at a time (->conn, whose
 * work its callbacks queue) or to the pool (->conn NULL: callbacks do
 * nothing; a peer that closed meanwhile is found when it is taken, or by
 * the sweep).  The pool is bounded per backend and per namespace; when
 * full, the least recently used idle connection is closed, and counted.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "kgate.h"
#include "proxy.h"

#define KGATE_POOL_PER_BACKEND	32
#define KGATE_POOL_MAX		4096
#define KGATE_POOL_BUCKETS	256
/* nginx's keepalive_timeout for upstreams */
#define KGATE_POOL_IDLE		(60 * HZ)
#define KGATE_POOL_SWEEP	(5 * HZ)

struct kgate_pool {
	spinlock_t lock;		/* all below but seed */
	struct list_head lru;		/* newest first */
	struct hlist_head hash[KGATE_POOL_BUCKETS];
	u32 n;
	bool closed;
	struct delayed_work sweep;
	u32 seed;
	atomic64_t no_room;
};

static size_t addr_len(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					  sizeof(struct sockaddr_in);
}

static bool same_dst(const struct sockaddr_storage *a,
		     const struct sockaddr_storage *b)
{
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		       ipv6_addr_equal(&a6->sin6_addr, &b6->sin6_addr);
	return a4->sin_port == b4->sin_port &&
	       a4->sin_addr.s_addr == b4->sin_addr.s_addr;
}

static struct hlist_head *bucket(struct kgate_pool *p,
				 const struct sockaddr_storage *a)
{
	const struct sockaddr_in6 *a6 = (const void *)a;
	const struct sockaddr_in *a4 = (const void *)a;
	u32 h;

	if (a->ss_family == AF_INET6)
		h = jhash2((const u32 *)&a6->sin6_addr, 4,
			   p->seed ^ (__force u16)a6->sin6_port);
	else
		h = jhash_1word((__force u32)a4->sin_addr.s_addr,
				p->seed ^ (__force u16)a4->sin_port);
	return &p->hash[h % KGATE_POOL_BUCKETS];
}

/* Which saved callback a callback chains to. */
enum { UP_DATA, UP_SPACE, UP_STATE };

static void up_kick(struct sock *sk, int which)
{
	struct kgate_up *up;

	read_lock_bh(&sk->sk_callback_lock);
	up = sk->sk_user_data;
	if (up) {
		if (which == UP_DATA)
			up->saved_data_ready(sk);
		else if (which == UP_SPACE)
			up->saved_write_space(sk);
		else
			up->saved_state_change(sk);
		if (up->conn)
			kgate_conn_kick(up->conn);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void up_data_ready(struct sock *sk)
{
	up_kick(sk, UP_DATA);
}

static void up_write_space(struct sock *sk)
{
	up_kick(sk, UP_SPACE);
}

static void up_state_change(struct sock *sk)
{
	up_kick(sk, UP_STATE);
}

static void up_hook(struct kgate_up *up, struct kgate_conn *c)
{
	struct sock *sk = up->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	up->conn = c;
	up->saved_data_ready = sk->sk_data_ready;
	up->saved_write_space = sk->sk_write_space;
	up->saved_state_change = sk->sk_state_change;
	sk->sk_user_data = up;
	sk->sk_data_ready = up_data_ready;
	sk->sk_write_space = up_write_space;
	sk->sk_state_change = up_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

static void up_set_conn(struct kgate_up *up, struct kgate_conn *c)
{
	struct sock *sk = up->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	up->conn = c;
	write_unlock_bh(&sk->sk_callback_lock);
}

void kgate_up_detach(struct kgate_up *up)
{
	up_set_conn(up, NULL);
}

void kgate_up_close(struct kgate_up *up)
{
	struct sock *sk = up->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = up->saved_data_ready;
	sk->sk_write_space = up->saved_write_space;
	sk->sk_state_change = up->saved_state_change;
	sk->sk_user_data = NULL;
	up->conn = NULL;
	write_unlock_bh(&sk->sk_callback_lock);
	kernel_sock_shutdown(up->sock, SHUT_RDWR);
	sock_release(up->sock);
	kfree(up);
}

int kgate_up_connect(struct kgate_net *kn, const struct sockaddr_storage *dst,
		     struct kgate_conn *c, struct kgate_up **upp)
{
	struct kgate_up *up;
	struct socket *sock;
	int err;

	up = kzalloc(sizeof(*up), GFP_KERNEL_ACCOUNT);
	if (!up)
		return -ENOMEM;
	err = sock_create_kern(kn->net, dst->ss_family, SOCK_STREAM,
			       IPPROTO_TCP, &sock);
	if (err) {
		kfree(up);
		return err;
	}
	tcp_sock_set_nodelay(sock->sk);
	up->sock = sock;
	memcpy(&up->dst, dst, addr_len(dst));
	INIT_LIST_HEAD(&up->lru);
	INIT_HLIST_NODE(&up->hnode);
	up_hook(up, c);
	err = kernel_connect(sock, (struct sockaddr *)&up->dst, addr_len(dst),
			     O_NONBLOCK);
	if (err && err != -EINPROGRESS) {
		kgate_up_close(up);
		return err;
	}
	*upp = up;
	return err;
}

int kgate_up_connected(struct kgate_up *up)
{
	struct sock *sk = up->sock->sk;
	int err;

	switch (READ_ONCE(sk->sk_state)) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		return 0;
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:
		return -EINPROGRESS;
	default:
		err = sock_error(sk);
		return err ? err : -ECONNREFUSED;
	}
}

/*
 * An idle connection is usable if it is still established and has
 * nothing to read: a byte or an end of file from an idle backend means
 * it is going away (or is broken), so it is not given a request.
 */
static bool up_alive(struct kgate_up *up)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec kv;
	u8 byte;

	if (READ_ONCE(up->sock->sk->sk_state) != TCP_ESTABLISHED)
		return false;
	kv.iov_base = &byte;
	kv.iov_len = 1;
	return kernel_recvmsg(up->sock, &msg, &kv, 1, 1,
			      MSG_PEEK | MSG_DONTWAIT) == -EAGAIN;
}

static void pool_unlink(struct kgate_pool *p, struct kgate_up *up)
{
	hlist_del_init(&up->hnode);
	list_del_init(&up->lru);
	p->n--;
}

struct kgate_up *kgate_pool_take(struct kgate_net *kn,
				 const struct sockaddr_storage *dst,
				 struct kgate_conn *c)
{
	struct kgate_pool *p = kgate_l7(kn)->pool;
	struct kgate_up *up;
	int tries;

	for (tries = 0; tries < KGATE_POOL_PER_BACKEND; tries++) {
		spin_lock_bh(&p->lock);
		hlist_for_each_entry(up, bucket(p, dst), hnode)
			if (same_dst(&up->dst, dst))
				break;
		if (up)
			pool_unlink(p, up);
		spin_unlock_bh(&p->lock);
		if (!up)
			return NULL;
		if (up_alive(up)) {
			up_set_conn(up, c);
			return up;
		}
		kgate_up_close(up);
	}
	return NULL;
}

/* The oldest idle connection to @dst, and how many there are. */
static struct kgate_up *pool_oldest(struct kgate_pool *p,
				    const struct sockaddr_storage *dst,
				    u32 *n)
{
	struct kgate_up *up, *old = NULL;

	*n = 0;
	hlist_for_each_entry(up, bucket(p, dst), hnode) {
		if (!same_dst(&up->dst, dst))
			continue;
		(*n)++;
		old = up;
	}
	return old;
}

void kgate_pool_give(struct kgate_net *kn, struct kgate_up *up)
{
	struct kgate_pool *p = kgate_l7(kn)->pool;
	struct kgate_up *evict = NULL;
	u32 n;

	kgate_up_detach(up);
	spin_lock_bh(&p->lock);
	if (p->closed) {
		spin_unlock_bh(&p->lock);
		kgate_up_close(up);
		return;
	}
	evict = pool_oldest(p, &up->dst, &n);
	if (n < KGATE_POOL_PER_BACKEND)
		evict = NULL;
	if (!evict && p->n >= KGATE_POOL_MAX)
		evict = list_last_entry(&p->lru, struct kgate_up, lru);
	if (evict)
		pool_unlink(p, evict);
	up->idle_since = jiffies;
	hlist_add_head(&up->hnode, bucket(p, &up->dst));
	list_add(&up->lru, &p->lru);
	p->n++;
	if (!delayed_work_pending(&p->sweep))
		queue_delayed_work(kgate_l7_wq, &p->sweep, KGATE_POOL_SWEEP);
	spin_unlock_bh(&p->lock);
	if (evict) {
		atomic64_inc(&p->no_room);
		kgate_up_close(evict);
	}
}

/* Take out what @all says (everything) or what expired or closed. */
static void pool_collect(struct kgate_pool *p, struct list_head *out,
			 bool all)
{
	struct kgate_up *up, *tmp;

	list_for_each_entry_safe(up, tmp, &p->lru, lru) {
		if (!all && time_before(jiffies, up->idle_since +
					KGATE_POOL_IDLE) &&
		    READ_ONCE(up->sock->sk->sk_state) == TCP_ESTABLISHED)
			continue;
		pool_unlink(p, up);
		list_add(&up->lru, out);
	}
}

static void pool_close_list(struct list_head *list)
{
	struct kgate_up *up, *tmp;

	list_for_each_entry_safe(up, tmp, list, lru) {
		list_del(&up->lru);
		kgate_up_close(up);
	}
}

static void pool_sweep(struct work_struct *work)
{
	struct kgate_pool *p = container_of(to_delayed_work(work),
					    struct kgate_pool, sweep);
	LIST_HEAD(gone);

	spin_lock_bh(&p->lock);
	pool_collect(p, &gone, false);
	if (p->n && !p->closed)
		queue_delayed_work(kgate_l7_wq, &p->sweep, KGATE_POOL_SWEEP);
	spin_unlock_bh(&p->lock);
	pool_close_list(&gone);
}

void kgate_pool_stats(struct kgate_net *kn, u32 *idle, u64 *no_room)
{
	struct kgate_pool *p = kgate_l7(kn)->pool;

	*idle = READ_ONCE(p->n);
	*no_room = atomic64_read(&p->no_room);
}

int kgate_pool_init(struct kgate_l7_net *l7)
{
	struct kgate_pool *p;
	int i;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	spin_lock_init(&p->lock);
	INIT_LIST_HEAD(&p->lru);
	for (i = 0; i < KGATE_POOL_BUCKETS; i++)
		INIT_HLIST_HEAD(&p->hash[i]);
	INIT_DELAYED_WORK(&p->sweep, pool_sweep);
	p->seed = get_random_u32();
	atomic64_set(&p->no_room, 0);
	l7->pool = p;
	return 0;
}

/* In .pre_exit, after every connection of the namespace closed. */
void kgate_pool_close(struct kgate_l7_net *l7)
{
	struct kgate_pool *p = l7->pool;
	LIST_HEAD(gone);

	if (!p)
		return;
	spin_lock_bh(&p->lock);
	p->closed = true;
	spin_unlock_bh(&p->lock);
	cancel_delayed_work_sync(&p->sweep);
	spin_lock_bh(&p->lock);
	pool_collect(p, &gone, true);
	spin_unlock_bh(&p->lock);
	pool_close_list(&gone);
}

void kgate_pool_free(struct kgate_l7_net *l7)
{
	kfree(l7->pool);
	l7->pool = NULL;
}
