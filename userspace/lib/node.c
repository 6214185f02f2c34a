// SPDX-License-Identifier: GPL-2.0
/* The node's settings: NODE_SET and NODE_GET, encoded and decoded. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "kgate_msg.h"
#include "kgate_node.h"
#include "kgate_service.h"

int kgate_put_node(struct nlmsghdr *nlh, size_t buflen,
		   const struct kgate_node *node)
{
	uint32_t old_len = nlh->nlmsg_len;
	struct nlattr *nest, *list = NULL, *item;
	size_t i;

	nest = mnl_attr_nest_start_check(nlh, buflen, KGATE_A_NODE);
	if (nest && node->n_local)
		list = mnl_attr_nest_start_check(nlh, buflen,
						 KGATE_NODE_A_LOCAL_RANGES);
	if (!nest || (node->n_local && !list))
		goto full;
	for (i = 0; i < node->n_local; i++) {
		const struct kgate_range *r = &node->local[i];

		item = mnl_attr_nest_start_check(nlh, buflen, KGATE_A_LIST_ITEM);
		if (!item ||
		    !mnl_attr_put_check(nlh, buflen, KGATE_RANGE_A_ADDR,
					kgate_addr_len(&r->addr),
					r->addr.bytes) ||
		    !mnl_attr_put_u8_check(nlh, buflen, KGATE_RANGE_A_PLEN,
					   r->plen))
			goto full;
		mnl_attr_nest_end(nlh, item);
	}
	if (list)
		mnl_attr_nest_end(nlh, list);
	mnl_attr_nest_end(nlh, nest);
	return 0;
full:
	nlh->nlmsg_len = old_len;
	return -EMSGSIZE;
}

static int parse_range(const struct nlattr *item, struct kgate_range *r,
		       char *why, size_t whylen)
{
	const struct nlattr *a;
	bool addr = false, plen = false;

	memset(r, 0, sizeof(*r));
	mnl_attr_for_each_nested(a, item) {
		switch (mnl_attr_get_type(a)) {
		case KGATE_RANGE_A_ADDR:
			if (mnl_attr_get_payload_len(a) != 4 &&
			    mnl_attr_get_payload_len(a) != 16)
				break;
			r->addr.family = mnl_attr_get_payload_len(a) == 4 ?
					 AF_INET : AF_INET6;
			memcpy(r->addr.bytes, mnl_attr_get_payload(a),
			       mnl_attr_get_payload_len(a));
			addr = true;
			break;
		case KGATE_RANGE_A_PLEN:
			if (mnl_attr_get_payload_len(a) != 1)
				break;
			r->plen = mnl_attr_get_u8(a);
			plen = true;
			break;
		}
	}
	if (addr && plen)
		return 0;
	snprintf(why, whylen, "node.local_ranges: entry without %s",
		 addr ? "prefix length" : "address");
	return -EINVAL;
}

int kgate_parse_node(const struct nlattr *nest, struct kgate_node *node,
		     char *why, size_t whylen)
{
	const struct nlattr *a, *item;
	int err;

	memset(node, 0, sizeof(*node));
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != KGATE_NODE_A_LOCAL_RANGES)
			continue;
		mnl_attr_for_each_nested(item, a) {
			if (node->n_local == KGATE_RANGES_MAX) {
				snprintf(why, whylen,
					 "node.local_ranges: more than %d",
					 KGATE_RANGES_MAX);
				return -EINVAL;
			}
			err = parse_range(item, &node->local[node->n_local],
					  why, whylen);
			if (err)
				return err;
			node->n_local++;
		}
	}
	return 0;
}

int kgate_node_set(struct kgate_sock *s, const struct kgate_node *node,
		   struct kgate_err *e)
{
	uint32_t buf[(KGATE_MSG_HDRLEN + 64 + KGATE_RANGES_MAX * 40) / 4];
	struct nlmsghdr *nlh;

	nlh = kgate_msg_start(buf, kgate_sock_family(s), KGATE_CMD_NODE_SET,
			      0, 0);
	if (kgate_put_node(nlh, sizeof(buf), node))
		return kgate_err_set(e, EMSGSIZE, "node settings too large");
	return kgate_transact(s, nlh, NULL, NULL, e);
}

static int parse_node(const struct nlattr *nest, void *out, char *why,
		      size_t whylen)
{
	return kgate_parse_node(nest, out, why, whylen);
}

int kgate_node_get(struct kgate_sock *s, struct kgate_node *node,
		   struct kgate_err *e)
{
	memset(node, 0, sizeof(*node));
	return kgate_get_nest(s, KGATE_CMD_NODE_GET, KGATE_A_NODE, "node",
			      parse_node, node, e);
}
