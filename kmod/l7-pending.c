// SPDX-License-Identifier: GPL-2.0
/*
 * INTERIM, until the proxy branch (listen.c, ratelimit.c) merges: listening
 * sockets that bind and listen but accept nothing, so that the listener
 * and route objects can be tested.  Removed by that merge.
 */
#include <linux/net.h>
#include <linux/slab.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include "kgate.h"

struct kgate_lsock {
	struct socket *sock;
	struct kgate_l7_conf __rcu *conf;
};

struct kgate_ratelimit { u32 rate; };

int kgate_lsock_open(struct kgate_net *kn, const struct sockaddr_storage *addr,
		     struct kgate_lsock **out)
{
	struct kgate_lsock *ls = kzalloc(sizeof(*ls), GFP_KERNEL);
	int err;

	if (!ls)
		return -ENOMEM;
	err = sock_create_kern(kn->net, addr->ss_family, SOCK_STREAM, IPPROTO_TCP, &ls->sock);
	if (err) {
		kfree(ls);
		return err;
	}
	sock_set_reuseaddr(ls->sock->sk);
	err = kernel_bind(ls->sock, (struct sockaddr *)addr,
			  addr->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	if (!err)
		err = kernel_listen(ls->sock, 128);
	if (err) {
		sock_release(ls->sock);
		kfree(ls);
		return err;
	}
	*out = ls;
	return 0;
}

void kgate_lsock_set_conf(struct kgate_lsock *ls, struct kgate_l7_conf *conf)
{
	struct kgate_l7_conf *old;

	kgate_l7_conf_get(conf);
	old = rcu_replace_pointer(ls->conf, conf, true);
	kgate_l7_conf_put(old);
}

void kgate_lsock_start(struct kgate_lsock *ls, struct kgate_l7_conf *conf)
{
	kgate_lsock_set_conf(ls, conf);
}

void kgate_lsock_close(struct kgate_lsock *ls)
{
	sock_release(ls->sock);
	kgate_l7_conf_put(rcu_dereference_protected(ls->conf, true));
	kfree(ls);
}

int kgate_l7_net_init(struct kgate_net *kn) { return 0; }
void kgate_l7_net_pre_exit(struct kgate_net *kn) { }
void kgate_l7_net_exit(struct kgate_net *kn) { }
int kgate_l7_module_init(void) { return 0; }
void kgate_l7_module_exit(void) { }
struct kgate_ratelimit *kgate_rl_new(u32 rate, u32 burst)
{
	struct kgate_ratelimit *rl = kzalloc(sizeof(*rl), GFP_KERNEL);

	if (rl)
		rl->rate = rate;
	return rl;
}
void kgate_rl_put(struct kgate_ratelimit *rl) { kfree(rl); }
