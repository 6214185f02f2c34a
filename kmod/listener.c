// SPDX-License-Identifier: GPL-2.0
/*
 * Listener objects: parsed from LISTENER_ADD / _REPLACE, put back into
 * replies and events.  Limits the request leaves out take the defaults
 * below, and replies show them, so `listener show` tells what applies.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "compat.h"
#include "core/check.h"
#include "kgate.h"

/* ingress-nginx's defaults where it has one (see the uapi header). */
static const struct kgate_l7_limits lim_default = {
	.head_bytes = 16384,
	.headers = 100,
	.uri_bytes = 8192,
	.body_bytes = 1 << 20,
	.head_timeout = 60000,
	.idle_timeout = 75000,
	.connect_timeout = 5000,
	.response_timeout = 60000,
};

void kgate_listener_free(struct kgate_listener *lis)
{
	if (!lis)
		return;
	kgate_l7_cnt_put(lis->cnt);
	kfree(lis->default_backend);
	kfree(lis->owner);
	kfree(lis);
}

static int parse_limits(struct kgate_l7_limits *lim, struct nlattr *nest,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KGATE_LIM_A_MAX + 1];
	int err;

	*lim = lim_default;
	if (!nest)
		return 0;
	err = nla_parse_nested(tb, KGATE_LIM_A_MAX, nest, NULL, extack);
	if (err)
		return err;
	lim->head_bytes = kgate_get_u32(tb[KGATE_LIM_A_HEAD_BYTES],
					lim->head_bytes);
	lim->headers = kgate_get_u32(tb[KGATE_LIM_A_HEADERS], lim->headers);
	lim->uri_bytes = kgate_get_u32(tb[KGATE_LIM_A_URI_BYTES],
				       lim->uri_bytes);
	lim->head_timeout = kgate_get_u32(tb[KGATE_LIM_A_HEAD_TIMEOUT],
					  lim->head_timeout);
	lim->idle_timeout = kgate_get_u32(tb[KGATE_LIM_A_IDLE_TIMEOUT],
					  lim->idle_timeout);
	lim->connect_timeout = kgate_get_u32(tb[KGATE_LIM_A_CONNECT_TIMEOUT],
					     lim->connect_timeout);
	lim->response_timeout =
		kgate_get_u32(tb[KGATE_LIM_A_RESPONSE_TIMEOUT],
			      lim->response_timeout);
	if (tb[KGATE_LIM_A_BODY_BYTES])
		lim->body_bytes = nla_get_u64(tb[KGATE_LIM_A_BODY_BYTES]);
	/*
	 * A uri limit above the head limit is allowed: the parser answers
	 * 414 for a target that fills the head buffer too.
	 */
	return 0;
}

static int parse_addr(struct kgate_listener *lis, struct nlattr **tb,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *attr = tb[KGATE_LIS_A_ADDR];
	u16 port = nla_get_u16(tb[KGATE_LIS_A_PORT]);
	struct in6_addr addr;
	int err;

	err = kgate_check_addr(attr, "listener address", extack);
	if (err)
		return err;
	if (kgate_get_addr(attr, &addr) == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&lis->addr;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, &addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&lis->addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = addr;
	}
	return 0;
}

static int parse_fields(struct kgate_listener *lis, struct nlattr **tb,
			struct netlink_ext_ack *extack)
{
	int err;

	lis->mode = kgate_get_u8(tb[KGATE_LIS_A_MODE], KGATE_MODE_HTTP);
	if (lis->mode != KGATE_MODE_HTTP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KGATE_LIS_A_MODE],
				    "TLS listeners are not supported yet");
		return -EOPNOTSUPP;
	}
	lis->flags = kgate_get_u32(tb[KGATE_LIS_A_FLAGS], 0);
	lis->max_conns = kgate_get_u32(tb[KGATE_LIS_A_MAX_CONNS],
				       KGATE_CONNS_DEFAULT);
	if (tb[KGATE_LIS_A_DEFAULT_BACKEND]) {
		err = kgate_check_name(tb[KGATE_LIS_A_DEFAULT_BACKEND], extack);
		if (err)
			return err;
		lis->default_backend = nla_strdup(tb[KGATE_LIS_A_DEFAULT_BACKEND],
						  GFP_KERNEL_ACCOUNT);
		if (!lis->default_backend)
			return -ENOMEM;
	}
	return kgate_parse_owner(tb[KGATE_LIS_A_OWNER], &lis->owner, extack) ?:
	       parse_addr(lis, tb, extack) ?:
	       parse_limits(&lis->lim, tb[KGATE_LIS_A_LIMITS], extack);
}

/* A whole listener from its nest (validated by the policy). */
struct kgate_listener *kgate_listener_parse(struct nlattr *nest,
					    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KGATE_LIS_A_MAX + 1];
	struct kgate_listener *lis;
	int err;

	err = nla_parse_nested(tb, KGATE_LIS_A_MAX, nest, NULL, extack) ?:
	      kgate_need(nest, tb, KGATE_LIS_A_NAME, "listener name", extack) ?:
	      kgate_check_name(tb[KGATE_LIS_A_NAME], extack) ?:
	      kgate_need(nest, tb, KGATE_LIS_A_ADDR, "listener address",
			 extack) ?:
	      kgate_need(nest, tb, KGATE_LIS_A_PORT, "listener port", extack);
	if (err)
		return ERR_PTR(err);

	lis = kzalloc(struct_size(lis, name, nla_len(tb[KGATE_LIS_A_NAME])),
		      GFP_KERNEL_ACCOUNT);
	if (!lis)
		return ERR_PTR(-ENOMEM);
	nla_strscpy(lis->name, tb[KGATE_LIS_A_NAME],
		    nla_len(tb[KGATE_LIS_A_NAME]));
	kgate_obj_init(&lis->obj, KGATE_OBJ_LISTENER, lis->name);
	lis->cnt = kgate_l7_cnt_new();
	err = lis->cnt ? parse_fields(lis, tb, extack) : -ENOMEM;
	if (err) {
		kgate_listener_free(lis);
		return ERR_PTR(err);
	}
	return lis;
}

/*
 * Whether @lis and an L4 frontend would take the same connections: the
 * frontend's DNAT comes first, so the listener would never see them.  A
 * TCP frontend on the listener's port clashes when its address is the
 * listener's, or when it is a NodePort (every address of the node) of a
 * family the listener serves ("::" serves both).  A listener on every
 * address against a frontend on one of the node's own addresses is not
 * caught: the node's addresses change after the commit.
 */
bool kgate_listener_clashes(const struct kgate_listener *lis,
			    const struct kgate_fe_key *key, u8 kind)
{
	const struct sockaddr_in6 *a6 = (const void *)&lis->addr;
	const struct sockaddr_in *a4 = (const void *)&lis->addr;
	bool v4 = lis->addr.ss_family == AF_INET;
	bool any = v4 ? !a4->sin_addr.s_addr : ipv6_addr_any(&a6->sin6_addr);

	if (key->proto != IPPROTO_TCP ||
	    key->port != (v4 ? a4->sin_port : a6->sin6_port))
		return false;
	if (kind == KGATE_FE_NODEPORT)
		return key->family == lis->addr.ss_family || (any && !v4);
	if (key->family != lis->addr.ss_family)
		return false;
	return v4 ? !memcmp(&key->addr, &a4->sin_addr, 4) :
		    ipv6_addr_equal(&key->addr, &a6->sin6_addr);
}

/* Would @b listen where @a does, on the same socket? */
bool kgate_listener_same_socket(const struct kgate_listener *a,
				const struct kgate_listener *b)
{
	const struct sockaddr_in6 *a6 = (const void *)&a->addr;
	const struct sockaddr_in6 *b6 = (const void *)&b->addr;
	const struct sockaddr_in *a4 = (const void *)&a->addr;
	const struct sockaddr_in *b4 = (const void *)&b->addr;

	if (a->mode != b->mode || a->addr.ss_family != b->addr.ss_family)
		return false;
	if (a->addr.ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		       a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port &&
	       ipv6_addr_equal(&a6->sin6_addr, &b6->sin6_addr);
}

static int put_limits(struct sk_buff *skb, const struct kgate_l7_limits *lim)
{
	struct nlattr *nest = nla_nest_start(skb, KGATE_LIS_A_LIMITS);

	if (!nest ||
	    nla_put_u32(skb, KGATE_LIM_A_HEAD_BYTES, lim->head_bytes) ||
	    nla_put_u32(skb, KGATE_LIM_A_HEADERS, lim->headers) ||
	    nla_put_u32(skb, KGATE_LIM_A_URI_BYTES, lim->uri_bytes) ||
	    nla_put_u64_64bit(skb, KGATE_LIM_A_BODY_BYTES, lim->body_bytes,
			      KGATE_LIM_A_PAD) ||
	    nla_put_u32(skb, KGATE_LIM_A_HEAD_TIMEOUT, lim->head_timeout) ||
	    nla_put_u32(skb, KGATE_LIM_A_IDLE_TIMEOUT, lim->idle_timeout) ||
	    nla_put_u32(skb, KGATE_LIM_A_CONNECT_TIMEOUT,
			lim->connect_timeout) ||
	    nla_put_u32(skb, KGATE_LIM_A_RESPONSE_TIMEOUT,
			lim->response_timeout))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_addr(struct sk_buff *skb, const struct kgate_listener *lis)
{
	const struct sockaddr_in6 *sin6 = (const void *)&lis->addr;
	const struct sockaddr_in *sin = (const void *)&lis->addr;

	if (lis->addr.ss_family == AF_INET)
		return nla_put_in_addr(skb, KGATE_LIS_A_ADDR,
				       sin->sin_addr.s_addr) ?:
		       nla_put_u16(skb, KGATE_LIS_A_PORT, ntohs(sin->sin_port));
	return nla_put_in6_addr(skb, KGATE_LIS_A_ADDR, &sin6->sin6_addr) ?:
	       nla_put_u16(skb, KGATE_LIS_A_PORT, ntohs(sin6->sin6_port));
}

/* @lis as a KGATE_A_LISTENER nest; its counters too if @counters. */
int kgate_listener_fill(struct sk_buff *skb, const struct kgate_listener *lis,
			bool counters)
{
	struct nlattr *nest = nla_nest_start(skb, KGATE_A_LISTENER);

	if (!nest ||
	    nla_put_string(skb, KGATE_LIS_A_NAME, lis->name) ||
	    put_addr(skb, lis) ||
	    nla_put_u8(skb, KGATE_LIS_A_MODE, lis->mode) ||
	    (lis->default_backend &&
	     nla_put_string(skb, KGATE_LIS_A_DEFAULT_BACKEND,
			    lis->default_backend)) ||
	    nla_put_u32(skb, KGATE_LIS_A_FLAGS, lis->flags) ||
	    nla_put_u32(skb, KGATE_LIS_A_MAX_CONNS, lis->max_conns) ||
	    put_limits(skb, &lis->lim) ||
	    (lis->owner &&
	     nla_put_string(skb, KGATE_LIS_A_OWNER, lis->owner)))
		return -EMSGSIZE;
	if (counters && kgate_l7_cnt_fill(skb, KGATE_LIS_A_COUNTERS, lis->cnt))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* A message with the whole of @lis (a reply, or an event when @portid is 0). */
struct sk_buff *kgate_listener_msg(const struct kgate_listener *lis,
				   u32 portid, u32 seq, u8 cmd)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return ERR_PTR(-ENOMEM);
	hdr = genlmsg_put(skb, portid, seq, &kgate_family, 0, cmd);
	if (!hdr || kgate_listener_fill(skb, lis, cmd == KGATE_CMD_LISTENER_GET)) {
		nlmsg_free(skb);
		return ERR_PTR(-EMSGSIZE);
	}
	genlmsg_end(skb, hdr);
	return skb;
}
