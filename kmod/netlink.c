// SPDX-License-Identifier: GPL-2.0
/*
 * The "kgate" generic netlink family: policies and glue.
 *
 * The family declares no policy of its own (maxattr 0) and its commands
 * are below resv_start_op, so the genetlink core hands messages over
 * unparsed: each command parses strictly here, checks the header itself,
 * and so sees every refusal, policy violations included, to poison an
 * open batch with.
 */
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
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
};

static const struct nla_policy kgate_node_policy[KGATE_NODE_A_MAX + 1] = {
	[KGATE_NODE_A_LOCAL_RANGES] = NLA_POLICY_NESTED_ARRAY(kgate_range_policy),
};

static const struct nla_policy kgate_policy[KGATE_A_MAX + 1] = {
	[KGATE_A_SERVICE] = NLA_POLICY_NESTED(kgate_svc_policy),
	[KGATE_A_STATS] = READ_ONLY,
	[KGATE_A_GENERATION] = READ_ONLY,
	[KGATE_A_NODE] = NLA_POLICY_NESTED(kgate_node_policy),
	[KGATE_A_LISTENER] = RESERVED,
	[KGATE_A_ROUTE] = RESERVED,
	[KGATE_A_CERT] = RESERVED,
};

static int parse(struct genl_info *info, struct nlattr **tb)
{
	if (info->genlhdr->reserved) {
		NL_SET_ERR_MSG(info->extack, "genlmsghdr.reserved is not 0");
		return -EINVAL;
	}
	return nlmsg_parse(info->nlhdr, GENL_HDRLEN, tb, KGATE_A_MAX,
			   kgate_policy, info->extack);
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

/* SERVICE_ADD / _REPLACE / _DEL, BACKEND_*, FLUSH, NODE_SET */
static int kgate_nl_change(struct sk_buff *skb, struct genl_info *info)
{
	struct kgate_sender from = info_sender(skb, info);
	struct kgate_net *kn = info_kn(info);
	struct nlattr *tb[KGATE_A_MAX + 1];
	struct kgate_op *op;
	int err;

	err = parse(info, tb);
	op = err ? ERR_PTR(err) :
		   kgate_parse_op(info->genlhdr->cmd, tb, info->extack);
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
	struct nlattr *tb[KGATE_A_MAX + 1];
	char name[KGATE_NAME_MAX];
	struct kgate_service *svc;
	struct sk_buff *msg;
	size_t size;
	int err, tries;

	err = parse(info, tb) ?: kgate_parse_name(tb, name, info->extack);
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
	list_for_each_entry_rcu(svc, &kn->services, list)
		if (kgate_svc_live(svc, gen) && !skip--)
			return svc;
	return NULL;
}

/*
 * A dump may name one service (KGATE_A_SERVICE with the name alone): the
 * way to read a service too large for one reply.  The request is read
 * again at every step of the dump; it stays with the dump until its end.
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
	     svc = list_next_or_null_rcu(&kn->services, &svc->list,
					 struct kgate_service, list)) {
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
	struct nlattr *tb[KGATE_A_MAX + 1];
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = parse(info, tb);
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
	struct nlattr *tb[KGATE_A_MAX + 1];
	int err;

	err = parse(info, tb);
	if (err)
		return err;
	switch (info->genlhdr->cmd) {
	case KGATE_CMD_BATCH_BEGIN:
		return kgate_batch_begin(kn, &from, info->extack);
	case KGATE_CMD_BATCH_COMMIT:
		return kgate_batch_commit(kn, &from, info->extack);
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
};

static const struct genl_multicast_group kgate_mcgrps[] = {
	{ .name = KGATE_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family kgate_family __ro_after_init = {
	.name = KGATE_GENL_NAME,
	.version = KGATE_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.small_ops = kgate_ops,
	.n_small_ops = ARRAY_SIZE(kgate_ops),
	.resv_start_op = KGATE_CMD_NODE_GET + 1,
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
