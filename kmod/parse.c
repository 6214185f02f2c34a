// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink attributes to objects.  The genetlink core has validated the
 * whole request against the family's policies (netlink.c), nests
 * included, so nests are only split here (no policy).  What is left is what a policy
 * cannot say: required attributes, values that depend on each other,
 * duplicates.  Every refusal names the attribute.
 */
#include <linux/in.h>
#include <linux/netlink.h>
#include <linux/socket.h>
#include <net/netlink.h>

#include "compat.h"
#include "core/check.h"
#include "kgate.h"

int kgate_need(struct nlattr *nest, struct nlattr **tb, int type,
	       const char *what, struct netlink_ext_ack *extack)
{
	if (tb[type])
		return 0;
	NL_SET_ERR_ATTR_MISS(extack, nest, type);
	NL_SET_ERR_MSG_FMT(extack, "missing %s", what);
	return -EINVAL;
}

int kgate_list_len(const struct nlattr *list, u32 max, const char *what,
		   struct netlink_ext_ack *extack)
{
	const struct nlattr *item;
	int rem, n = 0;

	if (!list)
		return 0;
	nla_for_each_nested(item, list, rem) {
		if (nla_type(item) != KGATE_A_LIST_ITEM) {
			NL_SET_ERR_MSG_ATTR(extack, item,
					    "list entries must be of type 1");
			return -EINVAL;
		}
		n++;
	}
	if (n > max) {
		NL_SET_ERR_MSG_FMT(extack, "%d %s, at most %u", n, what, max);
		NL_SET_BAD_ATTR(extack, list);
		return -ENOSPC;
	}
	return n;
}

/* Address attribute (4 or 16 bytes, see the policy) into @addr. */
u8 kgate_get_addr(const struct nlattr *attr, struct in6_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	nla_memcpy(addr, attr, sizeof(*addr));
	return nla_len(attr) == 4 ? AF_INET : AF_INET6;
}

int kgate_check_addr(const struct nlattr *attr, const char *what,
		     struct netlink_ext_ack *extack)
{
	const char *why = kg_addr_unusable(nla_data(attr), nla_len(attr));

	if (!why)
		return 0;
	NL_SET_ERR_MSG_FMT(extack, "%s: %s", what, why);
	NL_SET_BAD_ATTR(extack, attr);
	return -EINVAL;
}

static int parse_frontend(struct kgate_frontend *fe, struct nlattr *item,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KGATE_FE_A_MAX + 1];
	struct kgate_fe_key *key = &fe->key;
	int err;

	err = nla_parse_nested(tb, KGATE_FE_A_MAX, item, NULL,
			       extack);
	if (err)
		return err;
	err = kgate_need(item, tb, KGATE_FE_A_ADDR, "frontend address", extack) ?:
	      kgate_need(item, tb, KGATE_FE_A_PORT, "frontend port", extack);
	if (err)
		return err;

	key->family = kgate_get_addr(tb[KGATE_FE_A_ADDR], &key->addr);
	key->port = htons(nla_get_u16(tb[KGATE_FE_A_PORT]));
	key->proto = kgate_get_u8(tb[KGATE_FE_A_PROTO], IPPROTO_TCP);
	fe->kind = kgate_get_u8(tb[KGATE_FE_A_KIND], KGATE_FE_CLUSTER);

	if (key->proto != IPPROTO_TCP && key->proto != IPPROTO_UDP &&
	    key->proto != IPPROTO_SCTP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KGATE_FE_A_PROTO],
				    "protocol must be TCP, UDP or SCTP");
		return -EPROTONOSUPPORT;
	}
	if (fe->kind != KGATE_FE_NODEPORT &&
	    kg_addr_is_zero(key->addr.s6_addr, sizeof(key->addr))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KGATE_FE_A_ADDR],
				    "only a nodeport frontend takes the unspecified address");
		return -EINVAL;
	}
	return kgate_check_addr(tb[KGATE_FE_A_ADDR], "frontend", extack);
}

static int parse_backend(struct kgate_backend *be, u8 *mask,
			 struct nlattr *item, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KGATE_BE_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, KGATE_BE_A_MAX, item, NULL,
			       extack);
	if (err)
		return err;
	err = kgate_need(item, tb, KGATE_BE_A_ADDR, "backend address", extack) ?:
	      kgate_need(item, tb, KGATE_BE_A_PORT, "backend port", extack);
	if (err)
		return err;

	be->family = kgate_get_addr(tb[KGATE_BE_A_ADDR], &be->addr);
	be->port = nla_get_u16(tb[KGATE_BE_A_PORT]);
	be->weight = kgate_get_u32(tb[KGATE_BE_A_WEIGHT], 1);
	be->state = kgate_get_u8(tb[KGATE_BE_A_STATE], KGATE_BE_READY);
	be->flags = kgate_get_u32(tb[KGATE_BE_A_FLAGS], 0);
	*mask = (tb[KGATE_BE_A_WEIGHT] ? KGATE_SET_WEIGHT : 0) |
		(tb[KGATE_BE_A_STATE] ? KGATE_SET_STATE : 0) |
		(tb[KGATE_BE_A_FLAGS] ? KGATE_SET_FLAGS : 0);

	if (kg_addr_is_zero(be->addr.s6_addr, sizeof(be->addr))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KGATE_BE_A_ADDR],
				    "backend address is unspecified");
		return -EINVAL;
	}
	return kgate_check_addr(tb[KGATE_BE_A_ADDR], "backend", extack);
}

int kgate_parse_range(struct kgate_range *r, struct nlattr *item,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KGATE_RANGE_A_MAX + 1];
	unsigned int len;
	int err;

	err = nla_parse_nested(tb, KGATE_RANGE_A_MAX, item,
			       NULL, extack);
	if (err)
		return err;
	err = kgate_need(item, tb, KGATE_RANGE_A_ADDR, "source range address",
			 extack) ?:
	      kgate_need(item, tb, KGATE_RANGE_A_PLEN,
			 "source range prefix length", extack);
	if (err)
		return err;

	r->family = kgate_get_addr(tb[KGATE_RANGE_A_ADDR], &r->addr);
	r->plen = nla_get_u8(tb[KGATE_RANGE_A_PLEN]);
	len = nla_len(tb[KGATE_RANGE_A_ADDR]);
	if (r->plen > len * 8) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KGATE_RANGE_A_PLEN],
				    "prefix length too long for the address family");
		return -EAFNOSUPPORT;
	}
	if (kg_prefix_has_host_bits(r->addr.s6_addr, len, r->plen)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KGATE_RANGE_A_ADDR],
				    "source range has host bits set");
		return -EINVAL;
	}
	return 0;
}

static int parse_frontends(struct kgate_service *svc, struct nlattr *list,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *item;
	int rem, err;
	u32 i;

	if (!list)	/* a service without frontends */
		return 0;
	nla_for_each_nested(item, list, rem) {
		struct kgate_frontend *fe = &svc->frontends[svc->n_frontends];

		err = parse_frontend(fe, item, extack);
		if (err)
			return err;
		for (i = 0; i < svc->n_frontends; i++) {
			if (!memcmp(&svc->frontends[i].key, &fe->key,
				    sizeof(fe->key))) {
				NL_SET_ERR_MSG_ATTR(extack, item,
						    "frontend listed twice");
				return -EEXIST;
			}
		}
		fe->svc = svc;
		svc->n_frontends++;
	}
	return 0;
}

static int parse_backends(struct kgate_service *svc, u8 *masks,
			  struct nlattr *list, u32 n,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *item;
	u8 mask;
	int rem, err;

	/* The index finds duplicates: O(n) for a list of n. */
	err = kgate_be_index_init(svc, n);
	if (err)
		return err;
	nla_for_each_nested(item, list, rem) {
		struct kgate_backend *be = &svc->backends[svc->n_backends];

		err = parse_backend(be, &mask, item, extack);
		if (err)
			return err;
		if (kgate_be_index_add(svc, svc->n_backends)) {
			NL_SET_ERR_MSG_ATTR(extack, item, "backend listed twice");
			return -EEXIST;
		}
		if (masks)
			masks[svc->n_backends] = mask;
		svc->n_backends++;
	}
	return 0;
}

static int parse_ranges(struct kgate_service *svc, struct nlattr *list,
			struct netlink_ext_ack *extack)
{
	struct nlattr *item;
	int rem, err;

	if (!list)
		return 0;
	nla_for_each_nested(item, list, rem) {
		err = kgate_parse_range(&svc->ranges[svc->n_ranges], item, extack);
		if (err)
			return err;
		svc->n_ranges++;
	}
	return 0;
}

static int parse_options(struct kgate_service *svc, struct nlattr **tb,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *ts = tb[KGATE_SVC_A_TABLE_SIZE];

	svc->sched = kgate_get_u8(tb[KGATE_SVC_A_SCHED], KGATE_SCHED_MAGLEV);
	svc->affinity = kgate_get_u8(tb[KGATE_SVC_A_AFFINITY],
				     KGATE_AFFINITY_NONE);
	svc->timeout = kgate_get_u32(tb[KGATE_SVC_A_AFFINITY_TIMEOUT],
				     KGATE_TIMEOUT_DEFAULT);
	svc->ext_policy = kgate_get_u8(tb[KGATE_SVC_A_EXT_POLICY],
				       KGATE_POLICY_CLUSTER);
	svc->int_policy = kgate_get_u8(tb[KGATE_SVC_A_INT_POLICY],
				       KGATE_POLICY_CLUSTER);
	svc->table_size = kgate_get_u32(ts, 0);
	if (svc->table_size && (svc->table_size < KGATE_TABLE_SIZE_MIN ||
				!kg_is_prime(svc->table_size))) {
		NL_SET_ERR_MSG_ATTR(extack, ts,
				    "table size must be 0 or a prime >= 101");
		return -EINVAL;
	}
	return 0;
}

/* A service, whole (ADD, REPLACE) or a name with backends (BACKEND_*). */
static struct kgate_service *parse_service(u8 cmd, struct nlattr *nest,
					   u8 **masks,
					   struct netlink_ext_ack *extack)
{
	bool whole = cmd == KGATE_CMD_SERVICE_ADD ||
		     cmd == KGATE_CMD_SERVICE_REPLACE;
	bool backends = whole || cmd == KGATE_CMD_BACKEND_ADD ||
			cmd == KGATE_CMD_BACKEND_DEL ||
			cmd == KGATE_CMD_BACKEND_SET;
	struct nlattr *tb[KGATE_SVC_A_MAX + 1];
	struct kgate_service *svc;
	int n_fe = 0, n_rng = 0, n_be = 0, err;
	size_t len;

	err = nla_parse_nested(tb, KGATE_SVC_A_MAX, nest, NULL,
			       extack);
	if (err)
		return ERR_PTR(err);
	err = kgate_need(nest, tb, KGATE_SVC_A_NAME, "service name", extack);
	if (!err && backends && !whole)
		err = kgate_need(nest, tb, KGATE_SVC_A_BACKENDS, "backends", extack);
	if (err)
		return ERR_PTR(err);

	len = nla_len(tb[KGATE_SVC_A_NAME]) - 1;
	if (!kg_name_valid(nla_data(tb[KGATE_SVC_A_NAME]), len)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KGATE_SVC_A_NAME],
				    "name must be printable ASCII without spaces");
		return ERR_PTR(-EINVAL);
	}

	if (whole) {
		n_fe = kgate_list_len(tb[KGATE_SVC_A_FRONTENDS],
				      KGATE_FRONTENDS_MAX, "frontends", extack);
		n_rng = kgate_list_len(tb[KGATE_SVC_A_SOURCE_RANGES],
				       KGATE_RANGES_MAX, "source ranges",
				       extack);
		if (n_fe < 0 || n_rng < 0)
			return ERR_PTR(n_fe < 0 ? n_fe : n_rng);
	}
	if (backends) {
		n_be = kgate_list_len(tb[KGATE_SVC_A_BACKENDS],
				      KGATE_BACKENDS_MAX, "backends", extack);
		if (n_be < 0)
			return ERR_PTR(n_be);
		if (!whole && !n_be) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KGATE_SVC_A_BACKENDS],
					    "no backend listed");
			return ERR_PTR(-EINVAL);
		}
	}

	svc = kgate_svc_alloc(len, n_fe, n_rng, n_be);
	if (!svc)
		return ERR_PTR(-ENOMEM);
	nla_strscpy(svc->name, tb[KGATE_SVC_A_NAME], len + 1);
	if (whole) {
		err = kgate_parse_owner(tb[KGATE_SVC_A_OWNER], &svc->owner,
					extack);
		if (err)
			goto err;
	}

	if (cmd == KGATE_CMD_BACKEND_SET && n_be) {
		*masks = kcalloc(n_be, sizeof(**masks), GFP_KERNEL_ACCOUNT);
		if (!*masks) {
			err = -ENOMEM;
			goto err;
		}
	}
	if (whole) {
		err = parse_options(svc, tb, extack) ?:
		      parse_frontends(svc, tb[KGATE_SVC_A_FRONTENDS], extack) ?:
		      parse_ranges(svc, tb[KGATE_SVC_A_SOURCE_RANGES], extack);
		if (err)
			goto err;
	}
	if (n_be) {
		err = parse_backends(svc, *masks, tb[KGATE_SVC_A_BACKENDS],
				     n_be, extack);
		if (err)
			goto err;
	}
	if (svc->table_size &&
	    svc->table_size < kgate_table_size_min(svc->n_backends)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KGATE_SVC_A_TABLE_SIZE],
				    "table size below 100 x backends");
		err = -EINVAL;
		goto err;
	}
	return svc;
err:
	kgate_svc_free(svc);
	return ERR_PTR(err);
}

void kgate_node_free(struct kgate_node *node)
{
	if (node)
		kfree_rcu(node, rcu);
}

/* NODE_SET: the node's settings, whole. */
static struct kgate_node *parse_node(struct nlattr *nest,
				     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KGATE_NODE_A_MAX + 1], *list, *item;
	struct kgate_node *node;
	int n, rem, err;

	err = nla_parse_nested(tb, KGATE_NODE_A_MAX, nest, NULL, extack);
	if (err)
		return ERR_PTR(err);
	list = tb[KGATE_NODE_A_LOCAL_RANGES];
	n = kgate_list_len(list, KGATE_RANGES_MAX, "local ranges", extack);
	if (n < 0)
		return ERR_PTR(n);
	node = kzalloc(struct_size(node, local, n), GFP_KERNEL_ACCOUNT);
	if (!node)
		return ERR_PTR(-ENOMEM);
	if (list) {
		nla_for_each_nested(item, list, rem) {
			err = kgate_parse_range(&node->local[node->n_local],
						item, extack);
			if (err) {
				kfree(node);
				return ERR_PTR(err);
			}
			node->n_local++;
		}
	}
	return node;
}

static int need_nest(struct nlattr **tb, u16 type, const char *what,
		     struct netlink_ext_ack *extack)
{
	if (tb[type])
		return 0;
	NL_SET_ERR_ATTR_MISS(extack, NULL, type);
	NL_SET_ERR_MSG_FMT(extack, "missing %s", what);
	return -EINVAL;
}

/* LISTENER_* and ROUTE_* into @op. */
static int parse_l7(struct kgate_op *op, struct nlattr **tb,
		    struct netlink_ext_ack *extack)
{
	bool lis = op->cmd < KGATE_CMD_ROUTE_ADD;
	u16 nest = lis ? KGATE_A_LISTENER : KGATE_A_ROUTE;
	char name[KGATE_NAME_MAX];
	int err;

	err = need_nest(tb, nest, lis ? "listener" : "route", extack);
	if (err)
		return err;
	if (op->cmd == KGATE_CMD_LISTENER_DEL ||
	    op->cmd == KGATE_CMD_ROUTE_DEL) {
		err = kgate_parse_obj_name(tb, nest, name, extack);
		if (err)
			return err;
		op->name = kstrdup(name, GFP_KERNEL_ACCOUNT);
		return op->name ? 0 : -ENOMEM;
	}
	if (lis) {
		op->lis = kgate_listener_parse(tb[nest], extack);
		err = PTR_ERR_OR_ZERO(op->lis);
		if (err)
			op->lis = NULL;
	} else {
		op->rt = kgate_route_parse(tb[nest], extack);
		err = PTR_ERR_OR_ZERO(op->rt);
		if (err)
			op->rt = NULL;
	}
	return err;
}

/* A staged command from a request's top level attributes. */
struct kgate_op *kgate_parse_op(u8 cmd, struct nlattr **tb,
				struct netlink_ext_ack *extack)
{
	struct kgate_op *op;
	int err;

	op = kzalloc(sizeof(*op), GFP_KERNEL_ACCOUNT);
	if (!op)
		return ERR_PTR(-ENOMEM);
	op->cmd = cmd;
	if (cmd >= KGATE_CMD_LISTENER_ADD) {
		err = parse_l7(op, tb, extack);
		if (err) {
			kgate_op_free(op);
			return ERR_PTR(err);
		}
	} else if (cmd == KGATE_CMD_NODE_SET) {
		if (!tb[KGATE_A_NODE]) {
			NL_SET_ERR_ATTR_MISS(extack, NULL, KGATE_A_NODE);
			NL_SET_ERR_MSG(extack, "missing node");
			kfree(op);
			return ERR_PTR(-EINVAL);
		}
		op->settings = parse_node(tb[KGATE_A_NODE], extack);
		if (IS_ERR(op->settings)) {
			struct kgate_node *err = op->settings;

			kfree(op);
			return ERR_CAST(err);
		}
	} else if (cmd != KGATE_CMD_FLUSH) {
		struct kgate_service *svc;

		if (!tb[KGATE_A_SERVICE]) {
			NL_SET_ERR_ATTR_MISS(extack, NULL, KGATE_A_SERVICE);
			NL_SET_ERR_MSG(extack, "missing service");
			kfree(op);
			return ERR_PTR(-EINVAL);
		}
		svc = parse_service(cmd, tb[KGATE_A_SERVICE], &op->masks,
				    extack);
		if (IS_ERR(svc)) {
			kgate_op_free(op);
			return ERR_CAST(svc);
		}
		op->svc = svc;
	}
	return op;
}

/* A name attribute (NUL-terminated by the policy): printable, no space. */
int kgate_check_name(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	if (kg_name_valid(nla_data(attr), nla_len(attr) - 1))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "name must be printable ASCII without spaces");
	return -EINVAL;
}

/*
 * An owner attribute (NUL-terminated, at most KGATE_OWNER_MAX bytes by the
 * policy), checked as names are; a copy in *@owner when @owner is given.
 * Absent: none.
 */
int kgate_parse_owner(const struct nlattr *attr, char **owner,
		      struct netlink_ext_ack *extack)
{
	if (!attr)
		return 0;
	if (!kg_name_valid(nla_data(attr), nla_len(attr) - 1)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "owner must be printable ASCII without spaces");
		return -EINVAL;
	}
	if (!owner)
		return 0;
	*owner = nla_strdup(attr, GFP_KERNEL_ACCOUNT);
	return *owner ? 0 : -ENOMEM;
}

/*
 * The name in a request's @nest (KGATE_A_SERVICE, _LISTENER, _ROUTE): in
 * each, the name is attribute 1, a string.
 */
int kgate_parse_obj_name(struct nlattr **tb, u16 nest, char *name,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *ntb[KGATE_SVC_A_NAME + 1];
	int err;

	err = need_nest(tb, nest, nest == KGATE_A_LISTENER ? "listener" :
			nest == KGATE_A_ROUTE ? "route" : "service", extack);
	if (err)
		return err;
	/* The policy checked the nest's attributes; only the name is read. */
	err = nla_parse_nested_deprecated(ntb, KGATE_SVC_A_NAME, tb[nest],
					  NULL, extack) ?:
	      kgate_need(tb[nest], ntb, KGATE_SVC_A_NAME, "name", extack) ?:
	      kgate_check_name(ntb[KGATE_SVC_A_NAME], extack);
	if (err)
		return err;
	nla_strscpy(name, ntb[KGATE_SVC_A_NAME], KGATE_NAME_MAX);
	return 0;
}

/* The name in a request's service nest, for SERVICE_GET. */
int kgate_parse_name(struct nlattr **tb, char *name,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *stb[KGATE_SVC_A_MAX + 1];
	int err;

	if (!tb[KGATE_A_SERVICE]) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, KGATE_A_SERVICE);
		NL_SET_ERR_MSG(extack, "missing service");
		return -EINVAL;
	}
	err = nla_parse_nested(stb, KGATE_SVC_A_MAX, tb[KGATE_A_SERVICE],
			       NULL, extack) ?:
	      kgate_need(tb[KGATE_A_SERVICE], stb, KGATE_SVC_A_NAME,
			 "service name", extack);
	if (err)
		return err;
	if (!kg_name_valid(nla_data(stb[KGATE_SVC_A_NAME]),
			   nla_len(stb[KGATE_SVC_A_NAME]) - 1)) {
		NL_SET_ERR_MSG_ATTR(extack, stb[KGATE_SVC_A_NAME],
				    "name must be printable ASCII without spaces");
		return -EINVAL;
	}
	nla_strscpy(name, stb[KGATE_SVC_A_NAME], KGATE_NAME_MAX);
	return 0;
}
