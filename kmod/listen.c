// SPDX-License-Identifier: GPL-2.0
/*
 * Listening sockets of the HTTP proxy, and the proxy's per-netns state.
 *
 * A listener's socket lives in its namespace and holds no reference on
 * it, so .pre_exit closes what the control plane has not closed yet.  Its
 * data_ready callback only queues the accept work, which takes every
 * pending connection without waiting and hands it to conn.c.
 */
#include <linux/in6.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "kgate.h"
#include "proxy.h"

#define KGATE_LISTEN_BACKLOG	1024
/* Connections taken per run of the accept work before it yields. */
#define KGATE_ACCEPT_BATCH	64

struct kgate_l7_net *kgate_l7(struct kgate_net *kn)
{
	return kn->l7;
}

static void lsock_free(struct kgate_lsock *ls)
{
	struct kgate_l7_conf *conf;

	conf = rcu_dereference_protected(ls->conf, true);
	if (conf)
		kgate_l7_conf_put(conf);
	mutex_destroy(&ls->close_lock);
	kfree(ls);
}

void kgate_lsock_put(struct kgate_lsock *ls)
{
	if (refcount_dec_and_test(&ls->ref))
		lsock_free(ls);
}

struct kgate_l7_conf *kgate_lsock_conf(struct kgate_lsock *ls)
{
	struct kgate_l7_conf *conf;
	int tries;

	/*
	 * A conf whose last reference is going is already replaced: the
	 * next load sees its successor.
	 */
	for (tries = 0; tries < 8; tries++) {
		rcu_read_lock();
		conf = rcu_dereference(ls->conf);
		conf = conf ? kgate_l7_conf_get(conf) : NULL;
		rcu_read_unlock();
		if (conf || !rcu_access_pointer(ls->conf))
			return conf;
	}
	return NULL;
}

static void lsock_data_ready(struct sock *sk)
{
	struct kgate_lsock *ls;

	read_lock_bh(&sk->sk_callback_lock);
	ls = sk->sk_user_data;
	if (ls && sk->sk_state == TCP_LISTEN)
		queue_work(kgate_l7_wq, &ls->accept_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void lsock_accept_work(struct work_struct *work)
{
	struct kgate_lsock *ls = container_of(work, struct kgate_lsock,
					      accept_work);
	struct socket *sock;
	int i, err;

	for (i = 0; i < KGATE_ACCEPT_BATCH; i++) {
		err = kernel_accept(ls->sock, &sock, O_NONBLOCK);
		if (err == -EAGAIN)
			return;
		/* A connection reset while queued: take the next. */
		if (err == -ECONNABORTED)
			continue;
		/* Out of memory: the next client's data_ready retries. */
		if (err)
			return;
		kgate_conn_accept(ls, sock);
	}
	/* More are waiting: let other work run first. */
	queue_work(kgate_l7_wq, &ls->accept_work);
}

static bool addr_any6(const struct sockaddr_storage *addr)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)addr;

	return addr->ss_family == AF_INET6 &&
	       ipv6_addr_any(&sin6->sin6_addr);
}

static int lsock_bind(struct socket *sock, const struct sockaddr_storage *addr)
{
	struct sock *sk = sock->sk;
	int len, err;

	sock_set_reuseaddr(sk);
	/* A LoadBalancer IP may reach the node after the listener. */
	ip_sock_set_freebind(sk);
	if (addr->ss_family == AF_INET6) {
		len = sizeof(struct sockaddr_in6);
		if (addr_any6(addr)) {
			/* "::" is every address, IPv4 ones included. */
			lock_sock(sk);
			sk->sk_ipv6only = false;
			release_sock(sk);
		} else {
			ip6_sock_set_v6only(sk);
		}
	} else {
		len = sizeof(struct sockaddr_in);
	}
	err = kernel_bind(sock, (struct sockaddr *)addr, len);
	if (err)
		return err;
	return kernel_listen(sock, KGATE_LISTEN_BACKLOG);
}

int kgate_lsock_open(struct kgate_net *kn, const struct sockaddr_storage *addr,
		     struct kgate_lsock **lsp)
{
	struct kgate_l7_net *l7 = kgate_l7(kn);
	struct kgate_lsock *ls;
	struct socket *sock;
	int err;

	if (addr->ss_family != AF_INET && addr->ss_family != AF_INET6)
		return -EAFNOSUPPORT;
	ls = kzalloc(sizeof(*ls), GFP_KERNEL_ACCOUNT);
	if (!ls)
		return -ENOMEM;
	err = sock_create_kern(kn->net, addr->ss_family, SOCK_STREAM,
			       IPPROTO_TCP, &sock);
	if (err)
		goto err_free;
	err = lsock_bind(sock, addr);
	if (err)
		goto err_sock;

	refcount_set(&ls->ref, 1);
	ls->kn = kn;
	ls->sock = sock;
	INIT_WORK(&ls->accept_work, lsock_accept_work);
	INIT_LIST_HEAD(&ls->conns);
	mutex_init(&ls->close_lock);
	spin_lock_init(&ls->lock);
	atomic_set(&ls->n_conns, 0);
	mutex_lock(&l7->lock);
	list_add_tail(&ls->node, &l7->lsocks);
	mutex_unlock(&l7->lock);
	*lsp = ls;
	return 0;

err_sock:
	sock_release(sock);
err_free:
	kfree(ls);
	return err;
}

void kgate_lsock_set_conf(struct kgate_lsock *ls, struct kgate_l7_conf *conf)
{
	struct kgate_l7_conf *old;

	conf = kgate_l7_conf_get(conf);
	spin_lock_bh(&ls->lock);
	old = rcu_dereference_protected(ls->conf, lockdep_is_held(&ls->lock));
	rcu_assign_pointer(ls->conf, conf);
	spin_unlock_bh(&ls->lock);
	/* Requests routed with @old keep their own references. */
	if (old)
		kgate_l7_conf_put(old);
}

void kgate_lsock_start(struct kgate_lsock *ls, struct kgate_l7_conf *conf)
{
	struct sock *sk;

	kgate_lsock_set_conf(ls, conf);
	mutex_lock(&ls->close_lock);
	if (ls->shut)
		goto out;
	sk = ls->sock->sk;
	write_lock_bh(&sk->sk_callback_lock);
	ls->saved_data_ready = sk->sk_data_ready;
	sk->sk_user_data = ls;
	sk->sk_data_ready = lsock_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	/* Clients that connected since listen() are queued already. */
	queue_work(kgate_l7_wq, &ls->accept_work);
out:
	mutex_unlock(&ls->close_lock);
}

/*
 * Close the socket and every connection of @ls, once: from the owner's
 * kgate_lsock_close() or from the namespace's .pre_exit, whichever comes
 * first.
 */
static void lsock_shutdown(struct kgate_l7_net *l7, struct kgate_lsock *ls)
{
	struct sock *sk;

	mutex_lock(&ls->close_lock);
	if (ls->shut) {
		mutex_unlock(&ls->close_lock);
		return;
	}
	sk = ls->sock->sk;
	if (ls->saved_data_ready) {
		write_lock_bh(&sk->sk_callback_lock);
		sk->sk_data_ready = ls->saved_data_ready;
		sk->sk_user_data = NULL;
		write_unlock_bh(&sk->sk_callback_lock);
	}
	cancel_work_sync(&ls->accept_work);
	spin_lock_bh(&ls->lock);
	ls->shut = true;
	spin_unlock_bh(&ls->lock);
	/* New clients are refused from here on; then the open ones go. */
	sock_release(ls->sock);
	ls->sock = NULL;
	kgate_conns_close(ls);
	mutex_unlock(&ls->close_lock);

	mutex_lock(&l7->lock);
	list_del_init(&ls->node);
	mutex_unlock(&l7->lock);
}

void kgate_lsock_close(struct kgate_lsock *ls)
{
	lsock_shutdown(kgate_l7(ls->kn), ls);
	kgate_lsock_put(ls);
}

int kgate_l7_net_init(struct kgate_net *kn)
{
	struct kgate_l7_net *l7;
	int err;

	l7 = kzalloc(sizeof(*l7), GFP_KERNEL);
	if (!l7)
		return -ENOMEM;
	l7->kn = kn;
	mutex_init(&l7->lock);
	INIT_LIST_HEAD(&l7->lsocks);
	err = kgate_pool_init(l7);
	if (err) {
		mutex_destroy(&l7->lock);
		kfree(l7);
		return err;
	}
	kn->l7 = l7;
	return 0;
}

void kgate_l7_net_pre_exit(struct kgate_net *kn)
{
	struct kgate_l7_net *l7 = kgate_l7(kn);
	struct kgate_lsock *ls;

	if (!l7)
		return;
	/*
	 * The owners keep their references (their objects go in .exit);
	 * the sockets go now, while the namespace is still whole.
	 */
	for (;;) {
		mutex_lock(&l7->lock);
		ls = list_first_entry_or_null(&l7->lsocks, struct kgate_lsock,
					      node);
		if (ls)
			refcount_inc(&ls->ref);
		mutex_unlock(&l7->lock);
		if (!ls)
			break;
		lsock_shutdown(l7, ls);
		kgate_lsock_put(ls);
	}
	kgate_pool_close(l7);
}

void kgate_l7_net_exit(struct kgate_net *kn)
{
	struct kgate_l7_net *l7 = kgate_l7(kn);

	if (!l7)
		return;
	WARN_ON_ONCE(!list_empty(&l7->lsocks));
	kgate_pool_free(l7);
	mutex_destroy(&l7->lock);
	kfree(l7);
	kn->l7 = NULL;
}

int kgate_l7_module_init(void)
{
	return kgate_conn_module_init();
}

void kgate_l7_module_exit(void)
{
	kgate_conn_module_exit();
}
