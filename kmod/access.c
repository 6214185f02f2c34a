// SPDX-License-Identifier: GPL-2.0
/*
 * Access-log records: one KGATE_CMD_ACCESS message per request on the
 * events group, for listeners that ask for it.  Built and sent without
 * sleeping (GFP_ATOMIC): a record that cannot be allocated, or that a
 * listening socket had no room for, is dropped and counted; nobody
 * listening is not a drop.
 */
#include <linux/socket.h>
#include <net/genetlink.h>

#include "kgate.h"
#include "proxy.h"

/* Group 0 of kgate_family: the events group. */
#define KGATE_ACC_GROUP		0

static size_t access_size(const struct kgate_access *a)
{
	size_t s = nla_total_size(0);	/* the nest */

	s += 4 * nla_total_size_64bit(sizeof(u64));	/* time, bytes */
	s += 2 * nla_total_size(16) + 3 * nla_total_size(sizeof(u16));
	s += 2 * nla_total_size(sizeof(u32));
	s += nla_total_size(strlen(a->listener) + 1);
	if (a->route)
		s += nla_total_size(strlen(a->route) + 1);
	s += nla_total_size(a->host_len + 1) + nla_total_size(a->method_len + 1);
	s += nla_total_size(a->path_len + 1);
	return s;
}

/* A string attribute from bytes that are not NUL-terminated. */
static int put_bytes_str(struct sk_buff *skb, int type, const u8 *p, u32 len)
{
	struct nlattr *nla = nla_reserve(skb, type, len + 1);
	char *s;

	if (!nla)
		return -EMSGSIZE;
	s = nla_data(nla);
	memcpy(s, p, len);
	s[len] = '\0';
	return 0;
}

static int put_upstream(struct sk_buff *skb, const struct sockaddr_storage *u)
{
	const struct sockaddr_in6 *s6 = (const void *)u;
	const struct sockaddr_in *s4 = (const void *)u;

	if (u->ss_family == AF_INET6)
		return nla_put(skb, KGATE_ACC_A_UPSTREAM_ADDR, 16,
			       &s6->sin6_addr) ||
		       nla_put_u16(skb, KGATE_ACC_A_UPSTREAM_PORT,
				   ntohs(s6->sin6_port));
	return nla_put(skb, KGATE_ACC_A_UPSTREAM_ADDR, 4, &s4->sin_addr) ||
	       nla_put_u16(skb, KGATE_ACC_A_UPSTREAM_PORT,
			   ntohs(s4->sin_port));
}

static int access_fill(struct sk_buff *skb, const struct kgate_access *a)
{
	const struct kg_fwd_peer *cl = a->client;
	struct nlattr *nest;

	nest = nla_nest_start(skb, KGATE_A_ACCESS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KGATE_ACC_A_TIME, a->time, KGATE_ACC_A_PAD) ||
	    nla_put(skb, KGATE_ACC_A_CLIENT_ADDR, cl->family == 6 ? 16 : 4,
		    cl->addr) ||
	    nla_put_u16(skb, KGATE_ACC_A_CLIENT_PORT, cl->port) ||
	    nla_put_string(skb, KGATE_ACC_A_LISTENER, a->listener) ||
	    (a->route && nla_put_string(skb, KGATE_ACC_A_ROUTE, a->route)) ||
	    (a->host && put_bytes_str(skb, KGATE_ACC_A_HOST, a->host,
				      a->host_len)) ||
	    (a->method && put_bytes_str(skb, KGATE_ACC_A_METHOD, a->method,
					a->method_len)) ||
	    (a->path && put_bytes_str(skb, KGATE_ACC_A_PATH, a->path,
				      a->path_len)) ||
	    nla_put_u16(skb, KGATE_ACC_A_STATUS, a->status) ||
	    nla_put_u64_64bit(skb, KGATE_ACC_A_BYTES_IN, a->bytes_in,
			      KGATE_ACC_A_PAD) ||
	    nla_put_u64_64bit(skb, KGATE_ACC_A_BYTES_OUT, a->bytes_out,
			      KGATE_ACC_A_PAD) ||
	    (a->upstream && put_upstream(skb, a->upstream)) ||
	    nla_put_u32(skb, KGATE_ACC_A_TTFB, a->ttfb) ||
	    nla_put_u32(skb, KGATE_ACC_A_DURATION, a->duration)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

void kgate_access_send(struct kgate_net *kn, struct kgate_l7_cnt *cnt,
		       const struct kgate_access *a)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	/* Nobody listens: nothing to build, nothing dropped. */
	if (!genl_has_listeners(&kgate_family, kn->net, KGATE_ACC_GROUP))
		return;
	skb = genlmsg_new(access_size(a), GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		goto drop;
	hdr = genlmsg_put(skb, 0, 0, &kgate_family, 0, KGATE_CMD_ACCESS);
	if (!hdr || access_fill(skb, a)) {
		nlmsg_free(skb);
		goto drop;
	}
	genlmsg_end(skb, hdr);
	err = genlmsg_multicast_netns(&kgate_family, kn->net, skb, 0,
				      KGATE_ACC_GROUP, GFP_ATOMIC);
	if (err && err != -ESRCH)
		goto drop;
	return;
drop:
	kgate_l7_count(cnt, KGATE_L7C_A_LOG_DROPPED, 1);
}
