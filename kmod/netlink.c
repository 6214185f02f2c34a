// SPDX-License-Identifier: GPL-2.0
/*
 * The "kgate" generic netlink family: policies and glue.
 *
 * kgate_policy is the family's policy: genetlink parses and validates
 * every request against it, nests included and strictly, before a
 * handler runs, and CTRL_CMD_GETPOLICY reports it.  A message the policy
 * refuses is answered by genetlink and never reaches kgate, so it cannot
 * poison an open batch: the client says in BATCH_COMMIT how many mutating
 * commands it sent (KGATE_A_BATCH_COUNT), kgate counts those that reached
 * it, and a batch that lost one is not applied (txn.c).  The commands are
 * below resv_start_op, so the header's reserved field is checked here.
 */
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
#include "core/http.h"
#include "kgate.h"

static int validate_addr(const struct nlattr *attr,
			 struct netlink_ext_ack *extack)
{
	if (nla_len(attr) == 4 || nla_len(attr) == 16)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "address must be 4 (IPv4) or 16 (IPv6) bytes");
	return -EINVAL;
}

#define ADDR_POLICY NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_addr, 16)
/* Printable and without spaces is checked by kgate (kgate_check_owner). */
#define OWNER_POLICY { .type = NLA_NUL_STRING, .len = KGATE_OWNER_MAX }
#define READ_ONLY { .type = NLA_REJECT, .reject_message = "read-only attribute" }
#define RESERVED { .type = NLA_REJECT, .reject_message = "not supported yet" }

static const struct nla_policy kgate_fe_policy[KGATE_FE_A_MAX + 1] = {
	[KGATE_FE_A_ADDR] = ADDR_POLICY,
	[KGATE_FE_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KGATE_FE_A_PROTO] = { .type = NLA_U8 },
	[KGATE_FE_A_KIND] = NLA_POLICY_MAX(NLA_U8, __KGATE_FE_KIND_MAX - 1),
};

static const struct nla_policy kgate_be_policy[KGATE_BE_A_MAX + 1] = {
	[KGATE_BE_A_ADDR] = ADDR_POLICY,
	[KGATE_BE_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KGATE_BE_A_WEIGHT] = NLA_POLICY_MAX(NLA_U32, KGATE_WEIGHT_MAX),
	[KGATE_BE_A_STATE] = NLA_POLICY_MAX(NLA_U8, __KGATE_BE_STATE_MAX - 1),
	[KGATE_BE_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, KGATE_BE_F_ALL),
	[KGATE_BE_A_COUNTERS] = READ_ONLY,
};

static const struct nla_policy kgate_range_policy[KGATE_RANGE_A_MAX + 1] = {
	[KGATE_RANGE_A_ADDR] = ADDR_POLICY,
	[KGATE_RANGE_A_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* Not const: 6.1's policy takes a plain pointer. */
static struct netlink_range_validation table_size_range = {
	.max = KGATE_TABLE_SIZE_MAX,
};

static struct netlink_range_validation timeout_range = {
	.min = 1,
	.max = KGATE_TIMEOUT_MAX,
};

static const struct nla_policy kgate_svc_policy[KGATE_SVC_A_MAX + 1] = {
	[KGATE_SVC_A_NAME] = { .type = NLA_NUL_STRING,
			       .len = KGATE_NAME_MAX - 1 },
	[KGATE_SVC_A_SCHED] = NLA_POLICY_MAX(NLA_U8, __KGATE_SCHED_MAX - 1),
	[KGATE_SVC_A_TABLE_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &table_size_range),
	[KGATE_SVC_A_AFFINITY] = NLA_POLICY_MAX(NLA_U8,
						__KGATE_AFFINITY_MAX - 1),
	[KGATE_SVC_A_AFFINITY_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32,
							       &timeout_range),
	[KGATE_SVC_A_EXT_POLICY] = NLA_POLICY_MAX(NLA_U8,
						  __KGATE_POLICY_MAX - 1),
	[KGATE_SVC_A_INT_POLICY] = NLA_POLICY_MAX(NLA_U8,
						  __KGATE_POLICY_MAX - 1),
	[KGATE_SVC_A_SOURCE_RANGES] = NLA_POLICY_NESTED_ARRAY(kgate_range_policy),
	[KGATE_SVC_A_FRONTENDS] = NLA_POLICY_NESTED_ARRAY(kgate_fe_policy),
	[KGATE_SVC_A_BACKENDS] = NLA_POLICY_NESTED_ARRAY(kgate_be_policy),
	[KGATE_SVC_A_COUNTERS] = READ_ONLY,
	[KGATE_SVC_A_OWNER] = OWNER_POLICY,
};

static const struct nla_policy kgate_node_policy[KGATE_NODE_A_MAX + 1] = {
	[KGATE_NODE_A_LOCAL_RANGES] = NLA_POLICY_NESTED_ARRAY(kgate_range_policy),
};

#define NAME_POLICY { .type = NLA_NUL_STRING, .len = KGATE_NAME_MAX - 1 }
#define STR_POLICY(n) { .type = NLA_NUL_STRING, .len = (n) }

static struct netlink_range_validation head_range = {
	.min = 1024,
	.max = KG_HTTP_HEAD_MAX,
};

static struct netlink_range_validation uri_range = {
	.min = 16,
	.max = KG_HTTP_HEAD_MAX,
};

static struct netlink_range_validation ms_range = {
	.min = 1,
	.max = KGATE_MS_MAX,
};

static struct netlink_range_validation conns_range = {
	.min = 1,
	.max = KGATE_CONNS_MAX,
};

static struct netlink_range_validation weight_range = {
	.max = KG_MATCH_WEIGHT_MAX,
};

static const struct nla_policy kgate_lim_policy[KGATE_LIM_A_MAX + 1] = {
	[KGATE_LIM_A_HEAD_BYTES] = NLA_POLICY_FULL_RANGE(NLA_U32, &head_range),
	[KGATE_LIM_A_HEADERS] = NLA_POLICY_RANGE(NLA_U32, 1, KGATE_HEADERS_MAX),
	[KGATE_LIM_A_URI_BYTES] = NLA_POLICY_FULL_RANGE(NLA_U32, &uri_range),
	[KGATE_LIM_A_BODY_BYTES] = { .type = NLA_U64 },
	[KGATE_LIM_A_HEAD_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &ms_range),
	[KGATE_LIM_A_IDLE_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &ms_range),
	[KGATE_LIM_A_CONNECT_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32,
							      &ms_range),
	[KGATE_LIM_A_RESPONSE_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32,
							       &ms_range),
};

static const struct nla_policy kgate_lis_policy[KGATE_LIS_A_MAX + 1] = {
	[KGATE_LIS_A_NAME] = NAME_POLICY,
	[KGATE_LIS_A_ADDR] = ADDR_POLICY,
	[KGATE_LIS_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KGATE_LIS_A_MODE] = NLA_POLICY_MAX(NLA_U8, __KGATE_MODE_MAX - 1),
	[KGATE_LIS_A_DEFAULT_BACKEND] = NAME_POLICY,
	[KGATE_LIS_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, KGATE_LIS_F_ALL),
	[KGATE_LIS_A_MAX_CONNS] = NLA_POLICY_FULL_RANGE(NLA_U32, &conns_range),
	[KGATE_LIS_A_LIMITS] = NLA_POLICY_NESTED(kgate_lim_policy),
	[KGATE_LIS_A_COUNTERS] = READ_ONLY,
	[KGATE_LIS_A_OWNER] = OWNER_POLICY,
};

/* Lists of strings: every entry a KGATE_A_LIST_ITEM. */
static const struct nla_policy kgate_names_policy[KGATE_A_LIST_ITEM + 1] = {
	[KGATE_A_LIST_ITEM] = NAME_POLICY,
};

static const struct nla_policy kgate_hosts_policy[KGATE_A_LIST_ITEM + 1] = {
	[KGATE_A_LIST_ITEM] = STR_POLICY(KG_MATCH_NAME_MAX),
};

static const struct nla_policy kgate_fields_policy[KGATE_A_LIST_ITEM + 1] = {
	[KGATE_A_LIST_ITEM] = STR_POLICY(KG_MATCH_FIELD_MAX),
};

static const struct nla_policy kgate_kv_policy[KGATE_KV_A_MAX + 1] = {
	[KGATE_KV_A_NAME] = STR_POLICY(KG_MATCH_FIELD_MAX),
	[KGATE_KV_A_VALUE] = STR_POLICY(KG_MATCH_VALUE_MAX),
};

static const struct nla_policy kgate_match_policy[KGATE_MATCH_A_MAX + 1] = {
	[KGATE_MATCH_A_PATH_TYPE] = NLA_POLICY_MAX(NLA_U8, __KGATE_PATH_MAX - 1),
	[KGATE_MATCH_A_PATH] = STR_POLICY(KG_MATCH_PATH_MAX),
	[KGATE_MATCH_A_METHOD] = STR_POLICY(KG_MATCH_METHOD_MAX),
	[KGATE_MATCH_A_HEADERS] = NLA_POLICY_NESTED_ARRAY(kgate_kv_policy),
	[KGATE_MATCH_A_QUERY] = NLA_POLICY_NESTED_ARRAY(kgate_kv_policy),
};

static const struct nla_policy kgate_ref_policy[KGATE_REF_A_MAX + 1] = {
	[KGATE_REF_A_SERVICE] = NAME_POLICY,
	[KGATE_REF_A_WEIGHT] = NLA_POLICY_FULL_RANGE(NLA_U32, &weight_range),
};

static const struct nla_policy kgate_hdrmod_policy[KGATE_HDRMOD_A_MAX + 1] = {
	[KGATE_HDRMOD_A_SET] = NLA_POLICY_NESTED_ARRAY(kgate_kv_policy),
	[KGATE_HDRMOD_A_ADD] = NLA_POLICY_NESTED_ARRAY(kgate_kv_policy),
	[KGATE_HDRMOD_A_REMOVE] = NLA_POLICY_NESTED(kgate_fields_policy),
};

static const struct nla_policy kgate_redir_policy[KGATE_REDIR_A_MAX + 1] = {
	[KGATE_REDIR_A_SCHEME] = STR_POLICY(8),
	[KGATE_REDIR_A_HOSTNAME] = STR_POLICY(KG_MATCH_NAME_MAX),
	[KGATE_REDIR_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KGATE_REDIR_A_PATH_TYPE] = NLA_POLICY_MAX(NLA_U8,
						   __KGATE_PATHMOD_MAX - 1),
	[KGATE_REDIR_A_PATH] = STR_POLICY(KG_MATCH_PATH_MAX),
	[KGATE_REDIR_A_STATUS] = { .type = NLA_U16 },
};

static const struct nla_policy kgate_rewr_policy[KGATE_REWR_A_MAX + 1] = {
	[KGATE_REWR_A_HOSTNAME] = STR_POLICY(KG_MATCH_NAME_MAX),
	[KGATE_REWR_A_PATH_TYPE] = NLA_POLICY_MAX(NLA_U8,
						  __KGATE_PATHMOD_MAX - 1),
	[KGATE_REWR_A_PATH] = STR_POLICY(KG_MATCH_PATH_MAX),
};

static const struct nla_policy kgate_rule_policy[KGATE_RULE_A_MAX + 1] = {
	[KGATE_RULE_A_MATCHES] = NLA_POLICY_NESTED_ARRAY(kgate_match_policy),
	[KGATE_RULE_A_BACKENDS] = NLA_POLICY_NESTED_ARRAY(kgate_ref_policy),
	[KGATE_RULE_A_REQ_HEADERS] = NLA_POLICY_NESTED(kgate_hdrmod_policy),
	[KGATE_RULE_A_RESP_HEADERS] = NLA_POLICY_NESTED(kgate_hdrmod_policy),
	[KGATE_RULE_A_REDIRECT] = NLA_POLICY_NESTED(kgate_redir_policy),
	[KGATE_RULE_A_REWRITE] = NLA_POLICY_NESTED(kgate_rewr_policy),
};

static const struct nla_policy kgate_rt_policy[KGATE_RT_A_MAX + 1] = {
	[KGATE_RT_A_NAME] = NAME_POLICY,
	[KGATE_RT_A_KIND] = NLA_POLICY_MAX(NLA_U8, __KGATE_ROUTE_KIND_MAX - 1),
	[KGATE_RT_A_LISTENERS] = NLA_POLICY_NESTED(kgate_names_policy),
	[KGATE_RT_A_HOSTNAMES] = NLA_POLICY_NESTED(kgate_hosts_policy),
	[KGATE_RT_A_RULES] = NLA_POLICY_NESTED_ARRAY(kgate_rule_policy),
	[KGATE_RT_A_REWRITE_TARGET] = STR_POLICY(KG_MATCH_PATH_MAX),
	[KGATE_RT_A_RATE] = { .type = NLA_U32 },
	[KGATE_RT_A_BURST] = NLA_POLICY_MIN(NLA_U32, 1),
	[KGATE_RT_A_ALLOW] = NLA_POLICY_NESTED_ARRAY(kgate_range_policy),
	[KGATE_RT_A_COUNTERS] = READ_ONLY,
	[KGATE_RT_A_OWNER] = OWNER_POLICY,
};

static const struct nla_policy kgate_policy[KGATE_A_MAX + 1] = {
	[KGATE_A_SERVICE] = NLA_POLICY_NESTED(kgate_svc_policy),
	[KGATE_A_STATS] = READ_ONLY,
	[KGATE_A_GENERATION] = READ_ONLY,
	[KGATE_A_NODE] = NLA_POLICY_NESTED(kgate_node_policy),
	[KGATE_A_BATCH_COUNT] = { .type = NLA_U32 },
	[KGATE_A_LISTENER] = NLA_POLICY_NESTED(kgate_lis_policy),
	[KGATE_A_ROUTE] = NLA_POLICY_NESTED(kgate_rt_policy),
	[KGATE_A_CERT] = RESERVED,
	[KGATE_A_ACCESS] = READ_ONLY,
};

static int check_hdr(const struct genl_info *info)
{
	if (info->genlhdr->reserved) {
		NL_SET_ERR_MSG(info->extack, "genlmsghdr.reserved is not 0");
		return -EINVAL;
	}
	return 0;
}

static struct kgate_net *info_kn(struct genl_info *info)
{
	return kgate_pernet(genl_info_net(info));
}

/* The socket that sent the request, which its batch is kept for. */
static struct kgate_sender info_sender(struct sk_buff *skb,
				       struct genl_info *info)
{
	return (struct kgate_sender){
		.sk = NETLINK_CB(skb).sk,
		.portid = info->snd_portid,
	};
}

/* The top-level attribute command @cmd takes, 0 for none. */
static int cmd_nest(u8 cmd)
{
	if (cmd == KGATE_CMD_FLUSH)
		return 0;
	if (cmd == KGATE_CMD_NODE_SET)
		return KGATE_A_NODE;
	if (cmd >= KGATE_CMD_ROUTE_ADD)
		return KGATE_A_ROUTE;
	if (cmd >= KGATE_CMD_LISTENER_ADD)
		return KGATE_A_LISTENER;
	return KGATE_A_SERVICE;
}

/* Nothing but @cmd's own object: a stray one would be silently ignored. */
static int only_own(struct nlattr **tb, u8 cmd, struct netlink_ext_ack *extack)
{
	int i, own = cmd_nest(cmd);

	for (i = 1; i <= KGATE_A_MAX; i++) {
		if (tb[i] && i != own) {
			NL_SET_ERR_MSG_ATTR(extack, tb[i],
					    "attribute not used by this command");
			return -EINVAL;
		}
	}
	return 0;
}

/* SERVICE_*, BACKEND_*, FLUSH, NODE_SET, LISTENER_*, ROUTE_* changes */
static int kgate_nl_change(struct sk_buff *skb, struct genl_info *info)
{
	struct kgate_sender from = info_sender(skb, info);
	struct kgate_net *kn = info_kn(info);
	struct kgate_op *op;
	int err;

	err = check_hdr(info) ?:
	      only_own(info->attrs, info->genlhdr->cmd, info->extack);
	op = err ? ERR_PTR(err) :
		   kgate_parse_op(info->genlhdr->cmd, info->attrs,
				  info->extack);
	if (IS_ERR(op)) {
		kgate_poison(kn, &from, info->snd_seq, PTR_ERR(op));
		return PTR_ERR(op);
	}
	op->seq = info->snd_seq;
	/*
	 * A whole service gets its lookup tables here, not under kn->lock
	 * at commit; a batch counts them against its cap with the request.
	 */
	if (op->svc && (op->cmd == KGATE_CMD_SERVICE_ADD ||
			op->cmd == KGATE_CMD_SERVICE_REPLACE)) {
		err = kgate_lb_build(op->svc);
		if (err) {
			NL_SET_ERR_MSG(info->extack,
				       "out of memory for the lookup tables");
			kgate_poison(kn, &from, info->snd_seq, err);
			kgate_op_free(op);
			return err;
		}
	}
	op->size = info->nlhdr->nlmsg_len + (op->svc ? kgate_lb_size(op->svc) : 0);
	return kgate_submit(kn, &from, op, info->extack);
}

/*
 * The reply is built without kn->lock, so that reads never hold up
 * commits: the object is found under RCU, the message sized, allocated
 * (which sleeps) and then filled under RCU again, from the object of that
 * moment.  A change in between that made the service larger only sends
 * us round again.
 */
static int kgate_nl_get(struct sk_buff *skb, struct genl_info *info)
{
	struct kgate_net *kn = info_kn(info);
	char name[KGATE_NAME_MAX];
	struct kgate_service *svc;
	struct sk_buff *msg;
	size_t size;
	int err, tries;

	err = check_hdr(info) ?:
	      kgate_parse_name(info->attrs, name, info->extack);
	if (err)
		return err;

	for (tries = 0; tries < 4; tries++) {
		rcu_read_lock();
		svc = kgate_svc_find(kn, name, NULL);
		size = svc ? kgate_service_msg_size(svc, KGATE_CMD_SERVICE_GET) : 0;
		rcu_read_unlock();
		if (!svc) {
			NL_SET_ERR_MSG_FMT(info->extack, "no service %s", name);
			return -ENOENT;
		}
		if (size > U16_MAX) {
			NL_SET_ERR_MSG_FMT(info->extack,
					   "too large for one reply, dump it by name: service %s",
					   name);
			return -EMSGSIZE;
		}
		msg = genlmsg_new(size, GFP_KERNEL);
		if (!msg)
			return -ENOMEM;
		rcu_read_lock();
		svc = kgate_svc_find(kn, name, NULL);
		err = svc ? kgate_service_fill(msg, svc, info->snd_portid,
					       info->snd_seq,
					       KGATE_CMD_SERVICE_GET) : -ENOENT;
		rcu_read_unlock();
		if (!err)
			return genlmsg_reply(msg, info);
		nlmsg_free(msg);
		if (err != -EMSGSIZE) {
			NL_SET_ERR_MSG_FMT(info->extack, "no service %s", name);
			return err;
		}
	}
	NL_SET_ERR_MSG_FMT(info->extack, "changing too fast to read: service %s",
			   name);
	return -EAGAIN;
}

/*
 * cb->args: [0] services dumped, [1] generation they came from, [2] the
 * service to resume at, [3] its backends already sent.  The resume
 * pointer is only trusted while the generation is unchanged: services are
 * unlinked only after a generation flip, and freed after RCU.
 */
static struct kgate_service *dump_resume(struct kgate_net *kn,
					 struct netlink_callback *cb, u64 gen)
{
	struct kgate_service *svc;
	long skip = cb->args[0];

	if (cb->args[2] && cb->args[1] == gen)
		return (struct kgate_service *)cb->args[2];
	cb->args[3] = 0;
	list_for_each_entry_rcu(svc, &kn->objs[KGATE_OBJ_SERVICE], obj.list)
		if (kgate_svc_live(svc, gen) && !skip--)
			return svc;
	return NULL;
}

/*
 * A dump may name one service (KGATE_A_SERVICE with the name alone): the
 * way to read a service too large for one reply.  genetlink validated the
 * request when the dump started; it stays with the dump until its end and
 * is read again at every step (genetlink's own parse of it sits in a
 * struct that 6.2 changed: not worth a compat wrapper for one name).
 */
static int dump_filter(struct netlink_callback *cb, char *name)
{
	struct nlattr *tb[KGATE_A_MAX + 1];
	int err;

	name[0] = '\0';
	err = nlmsg_parse(cb->nlh, GENL_HDRLEN, tb, KGATE_A_MAX, kgate_policy,
			  cb->extack);
	if (err || !tb[KGATE_A_SERVICE])
		return err;
	return kgate_parse_name(tb, name, cb->extack);
}

/*
 * The dump's consistency mark for generation @gen: a message of another
 * generation than the one before it carries NLM_F_DUMP_INTR.  Never 0,
 * which the netlink core reads as "not set".
 */
static unsigned int dump_seq(u64 gen)
{
	return (u32)gen ?: 1;
}

/* Nothing fit an empty message: end the dump with an error, not DONE. */
static int dump_end(struct sk_buff *skb, int err)
{
	if (err == -EMSGSIZE && !skb->len)
		return -EMSGSIZE;
	return skb->len;
}

static int dump_one(struct sk_buff *skb, struct netlink_callback *cb,
		    struct kgate_net *kn, const char *name)
{
	struct kgate_service *svc;
	u32 pos = cb->args[3];
	u64 gen;
	int err;

	if (cb->args[0])
		return 0;	/* done */
	/*
	 * The object and the mark come from one generation.  A
	 * continuation after a change sends the rest of the new object,
	 * marked: the reader sees NLM_F_DUMP_INTR and reads it again.
	 */
	svc = kgate_svc_find(kn, name, &gen);
	if (!svc) {
		NL_SET_ERR_MSG_FMT(cb->extack, "no service %s", name);
		return -ENOENT;
	}
	cb->seq = dump_seq(gen);
	if (cb->args[1] != gen)
		pos = 0;
	cb->args[1] = gen;
	err = kgate_fill_service(skb, svc, NETLINK_CB(cb->skb).portid,
				 cb->nlh->nlmsg_seq, NLM_F_MULTI,
				 KGATE_CMD_SERVICE_GET, &pos);
	if (err != -EMSGSIZE)
		nl_dump_check_consistent(cb, nlmsg_hdr(skb));
	if (!err)
		cb->args[0] = 1;
	else if (err == -EAGAIN)
		cb->args[3] = pos;
	return dump_end(skb, err);
}

static int kgate_nl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kgate_net *kn = kgate_pernet(sock_net(skb->sk));
	char name[KGATE_NAME_MAX];
	struct kgate_service *svc;
	u32 pos;
	u64 gen;
	int err;

	err = dump_filter(cb, name);
	if (err)
		return err;
	if (name[0]) {
		rcu_read_lock();
		err = dump_one(skb, cb, kn, name);
		rcu_read_unlock();
		return err;
	}

	rcu_read_lock();
	gen = kgate_gen(kn);
	cb->seq = dump_seq(gen);
	for (svc = dump_resume(kn, cb, gen); svc;
	     svc = list_next_or_null_rcu(&kn->objs[KGATE_OBJ_SERVICE],
					 &svc->obj.list, struct kgate_service,
					 obj.list)) {
		if (!kgate_svc_live(svc, gen))
			continue;
		pos = cb->args[3];
		err = kgate_fill_service(skb, svc, NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI,
					 KGATE_CMD_SERVICE_GET, &pos);
		if (err != -EMSGSIZE)
			nl_dump_check_consistent(cb, nlmsg_hdr(skb));
		if (err) {
			if (err == -EAGAIN)
				cb->args[3] = pos;
			break;
		}
		cb->args[0]++;
		cb->args[3] = 0;
	}
	cb->args[1] = gen;
	cb->args[2] = (long)svc;
	rcu_read_unlock();
	return dump_end(skb, err);
}

static u8 l7_type(u8 cmd)
{
	return cmd < KGATE_CMD_ROUTE_ADD ? KGATE_OBJ_LISTENER : KGATE_OBJ_ROUTE;
}

static size_t l7_size(const struct kgate_obj *obj)
{
	const struct kgate_route *rt;

	if (obj->type == KGATE_OBJ_LISTENER)
		return NLMSG_GOODSIZE;
	rt = container_of(obj, struct kgate_route, obj);
	return nla_total_size(nla_len(rt->nest)) + NLMSG_GOODSIZE;
}

/* One listener or route as a message of its own, with its counters. */
static int l7_fill(struct sk_buff *skb, const struct kgate_obj *obj,
		   u32 portid, u32 seq, int flags, u8 cmd)
{
	void *hdr = genlmsg_put(skb, portid, seq, &kgate_family, flags, cmd);
	int err;

	if (!hdr)
		return -EMSGSIZE;
	if (obj->type == KGATE_OBJ_LISTENER)
		err = kgate_listener_fill(skb, container_of(obj,
							    struct kgate_listener,
							    obj), true);
	else
		err = kgate_route_fill(skb, container_of(obj, struct kgate_route,
							 obj), true);
	if (err) {
		genlmsg_cancel(skb, hdr);
		return err;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* LISTENER_GET, ROUTE_GET by name; built without kn->lock, as for services. */
static int kgate_nl_l7_get(struct sk_buff *skb, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd, type = l7_type(cmd);
	const char *what = type == KGATE_OBJ_LISTENER ? "listener" : "route";
	struct kgate_net *kn = info_kn(info);
	char name[KGATE_NAME_MAX];
	struct kgate_obj *obj;
	struct sk_buff *msg;
	int err, tries;
	size_t size;

	err = check_hdr(info) ?:
	      kgate_parse_obj_name(info->attrs, type == KGATE_OBJ_LISTENER ?
				   KGATE_A_LISTENER : KGATE_A_ROUTE, name,
				   info->extack);
	if (err)
		return err;
	for (tries = 0; tries < 4; tries++) {
		rcu_read_lock();
		obj = kgate_obj_find(kn, type, name, NULL);
		size = obj ? l7_size(obj) : 0;
		rcu_read_unlock();
		if (!obj)
			break;
		msg = genlmsg_new(size, GFP_KERNEL);
		if (!msg)
			return -ENOMEM;
		rcu_read_lock();
		obj = kgate_obj_find(kn, type, name, NULL);
		err = obj ? l7_fill(msg, obj, info->snd_portid, info->snd_seq,
				    0, cmd) : -ENOENT;
		rcu_read_unlock();
		if (!err)
			return genlmsg_reply(msg, info);
		nlmsg_free(msg);
		if (err != -EMSGSIZE)
			break;
	}
	if (obj) {
		NL_SET_ERR_MSG_FMT(info->extack,
				   "changing too fast to read: %s %s", what,
				   name);
		return -EAGAIN;
	}
	NL_SET_ERR_MSG_FMT(info->extack, "no %s %s", what, name);
	return -ENOENT;
}

/*
 * cb->args: [0] objects dumped, [1] their generation, [2] the object to
 * resume at, trusted while the generation holds (see dump_resume()).
 */
static int kgate_nl_l7_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kgate_net *kn = kgate_pernet(sock_net(skb->sk));
	const struct genlmsghdr *g = nlmsg_data(cb->nlh);
	struct list_head *head = &kn->objs[l7_type(g->cmd)];
	struct kgate_obj *obj;
	long skip = cb->args[0];
	int err = 0;
	u64 gen;

	rcu_read_lock();
	gen = kgate_gen(kn);
	cb->seq = dump_seq(gen);
	if (cb->args[2] && cb->args[1] == gen) {
		obj = (struct kgate_obj *)cb->args[2];
	} else {
		list_for_each_entry_rcu(obj, head, list)
			if (kgate_obj_live(obj, gen) && !skip--)
				break;
		if (list_entry_is_head(obj, head, list))
			obj = NULL;
	}
	for (; obj; obj = list_next_or_null_rcu(head, &obj->list,
						struct kgate_obj, list)) {
		if (!kgate_obj_live(obj, gen))
			continue;
		err = l7_fill(skb, obj, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI, g->cmd);
		if (err != -EMSGSIZE)
			nl_dump_check_consistent(cb, nlmsg_hdr(skb));
		if (err)
			break;
		cb->args[0]++;
	}
	cb->args[1] = gen;
	cb->args[2] = (long)obj;
	rcu_read_unlock();
	return dump_end(skb, err);
}

static int kgate_nl_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct kgate_net *kn = info_kn(info);
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kgate_family, 0,
				KGATE_CMD_STATS_GET);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	/* Without kn->lock: each figure is one commit's, if not all one's. */
	err = kgate_fill_stats(msg, kn);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int kgate_nl_node_get(struct sk_buff *skb, struct genl_info *info)
{
	struct kgate_net *kn = info_kn(info);
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = check_hdr(info);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kgate_family, 0,
				KGATE_CMD_NODE_GET);
	rcu_read_lock();
	err = hdr ? kgate_fill_node(msg, rcu_dereference(kn->node)) : -EMSGSIZE;
	rcu_read_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int kgate_nl_batch(struct sk_buff *skb, struct genl_info *info)
{
	struct kgate_sender from = info_sender(skb, info);
	struct kgate_net *kn = info_kn(info);
	int err;

	err = check_hdr(info);
	if (err)
		return err;
	switch (info->genlhdr->cmd) {
	case KGATE_CMD_BATCH_BEGIN:
		return kgate_batch_begin(kn, &from, info->extack);
	case KGATE_CMD_BATCH_COMMIT:
		return kgate_batch_commit(kn, &from,
					  info->attrs[KGATE_A_BATCH_COUNT],
					  info->extack);
	default:
		return kgate_batch_abort(kn, &from, info->extack);
	}
}

/*
 * Every command needs CAP_NET_ADMIN, reads included, as in IPVS: the
 * configuration and its counters tell who talks to whom, and a read must
 * not let an unprivileged user load the kernel.
 */
#define CHANGE(c) { .cmd = (c), .doit = kgate_nl_change, .flags = GENL_ADMIN_PERM }
#define BATCH(c) { .cmd = (c), .doit = kgate_nl_batch, .flags = GENL_ADMIN_PERM }
#define L7_GET(c) { .cmd = (c), .doit = kgate_nl_l7_get, \
		    .dumpit = kgate_nl_l7_dump, .flags = GENL_ADMIN_PERM }

static const struct genl_small_ops kgate_ops[] = {
	CHANGE(KGATE_CMD_SERVICE_ADD),
	CHANGE(KGATE_CMD_SERVICE_REPLACE),
	CHANGE(KGATE_CMD_SERVICE_DEL),
	{
		.cmd = KGATE_CMD_SERVICE_GET,
		.doit = kgate_nl_get,
		.dumpit = kgate_nl_dump,
		.flags = GENL_ADMIN_PERM,
	},
	CHANGE(KGATE_CMD_BACKEND_ADD),
	CHANGE(KGATE_CMD_BACKEND_DEL),
	CHANGE(KGATE_CMD_BACKEND_SET),
	CHANGE(KGATE_CMD_FLUSH),
	BATCH(KGATE_CMD_BATCH_BEGIN),
	BATCH(KGATE_CMD_BATCH_COMMIT),
	BATCH(KGATE_CMD_BATCH_ABORT),
	{
		.cmd = KGATE_CMD_STATS_GET,
		.doit = kgate_nl_stats,
		.flags = GENL_ADMIN_PERM,
	},
	CHANGE(KGATE_CMD_NODE_SET),
	{
		.cmd = KGATE_CMD_NODE_GET,
		.doit = kgate_nl_node_get,
		.flags = GENL_ADMIN_PERM,
	},
	CHANGE(KGATE_CMD_LISTENER_ADD),
	CHANGE(KGATE_CMD_LISTENER_REPLACE),
	CHANGE(KGATE_CMD_LISTENER_DEL),
	L7_GET(KGATE_CMD_LISTENER_GET),
	CHANGE(KGATE_CMD_ROUTE_ADD),
	CHANGE(KGATE_CMD_ROUTE_REPLACE),
	CHANGE(KGATE_CMD_ROUTE_DEL),
	L7_GET(KGATE_CMD_ROUTE_GET),
};

static const struct genl_multicast_group kgate_mcgrps[] = {
	{ .name = KGATE_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family kgate_family __ro_after_init = {
	.name = KGATE_GENL_NAME,
	.version = KGATE_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.policy = kgate_policy,
	.maxattr = KGATE_A_MAX,
	.small_ops = kgate_ops,
	.n_small_ops = ARRAY_SIZE(kgate_ops),
	.resv_start_op = KGATE_CMD_ROUTE_GET + 1,
	.mcgrps = kgate_mcgrps,
	.n_mcgrps = ARRAY_SIZE(kgate_mcgrps),
};

int __init kgate_genl_register(void)
{
	return genl_register_family(&kgate_family);
}

void kgate_genl_unregister(void)
{
	genl_unregister_family(&kgate_family);
}
