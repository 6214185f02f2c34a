// SPDX-License-Identifier: GPL-2.0
/* Object model to netlink: request headers and the KGATE_A_SERVICE nest. */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/kgate.h>

#include "enc.h"
#include "kgate_msg.h"

struct nlmsghdr *kgate_msg_start(void *buf, uint16_t family, uint8_t cmd,
				 uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = KGATE_GENL_VERSION;
	return nlh;
}

uint8_t kgate_msg_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);

	return genl->cmd;
}

bool kgate_cmd_mutates(uint8_t cmd)
{
	switch (cmd) {
	case KGATE_CMD_SERVICE_ADD:
	case KGATE_CMD_SERVICE_REPLACE:
	case KGATE_CMD_SERVICE_DEL:
	case KGATE_CMD_BACKEND_ADD:
	case KGATE_CMD_BACKEND_DEL:
	case KGATE_CMD_BACKEND_SET:
	case KGATE_CMD_FLUSH:
	case KGATE_CMD_NODE_SET:
	case KGATE_CMD_LISTENER_ADD:
	case KGATE_CMD_LISTENER_REPLACE:
	case KGATE_CMD_LISTENER_DEL:
	case KGATE_CMD_ROUTE_ADD:
	case KGATE_CMD_ROUTE_REPLACE:
	case KGATE_CMD_ROUTE_DEL:
		return true;
	default:
		return false;
	}
}

/* Netlink attribute writers shared with l7encode.c: see enc.h. */
struct nlattr *kgate_enc_nest_start(struct kgate_enc *e, uint16_t type)
{
	struct nlattr *a;

	if (e->err)
		return NULL;
	a = mnl_attr_nest_start_check(e->nlh, e->buflen, type);
	if (!a)
		e->err = -EMSGSIZE;
	return a;
}

void kgate_enc_nest_end(struct kgate_enc *e, struct nlattr *a)
{
	size_t len;

	if (e->err)
		return;
	len = (size_t)((char *)mnl_nlmsg_get_payload_tail(e->nlh) -
		       (char *)a);
	if (len > UINT16_MAX)
		e->err = -E2BIG;
	else
		mnl_attr_nest_end(e->nlh, a);
}

void kgate_enc_put(struct kgate_enc *e, uint16_t type, size_t len,
		   const void *data)
{
	if (!e->err && !mnl_attr_put_check(e->nlh, e->buflen, type, len, data))
		e->err = -EMSGSIZE;
}

void kgate_enc_u8(struct kgate_enc *e, uint16_t type, uint8_t v)
{
	kgate_enc_put(e, type, sizeof(v), &v);
}

void kgate_enc_u16(struct kgate_enc *e, uint16_t type, uint16_t v)
{
	kgate_enc_put(e, type, sizeof(v), &v);
}

void kgate_enc_u32(struct kgate_enc *e, uint16_t type, uint32_t v)
{
	kgate_enc_put(e, type, sizeof(v), &v);
}

void kgate_enc_u64(struct kgate_enc *e, uint16_t type, uint64_t v)
{
	kgate_enc_put(e, type, sizeof(v), &v);
}

void kgate_enc_addr(struct kgate_enc *e, uint16_t type,
		    const struct kgate_addr *a)
{
	kgate_enc_put(e, type, kgate_addr_len(a), a->bytes);
}

void kgate_enc_str(struct kgate_enc *e, uint16_t type, const char *s)
{
	size_t len = strlen(s) + 1;

	if (!e->err && len > UINT16_MAX - 4)
		e->err = -E2BIG;
	kgate_enc_put(e, type, len, s);
}

static void put_frontends(struct kgate_enc *e,
			  const struct kgate_service *svc)
{
	struct nlattr *list = kgate_enc_nest_start(e, KGATE_SVC_A_FRONTENDS);
	size_t i;

	for (i = 0; i < svc->n_frontends && !e->err; i++) {
		const struct kgate_frontend *fe = &svc->frontends[i];
		struct nlattr *item;

		item = kgate_enc_nest_start(e, KGATE_A_LIST_ITEM);
		kgate_enc_addr(e, KGATE_FE_A_ADDR, &fe->addr);
		kgate_enc_u16(e, KGATE_FE_A_PORT, fe->port);
		kgate_enc_u8(e, KGATE_FE_A_PROTO, fe->proto);
		kgate_enc_u8(e, KGATE_FE_A_KIND, fe->kind);
		kgate_enc_nest_end(e, item);
	}
	kgate_enc_nest_end(e, list);
}

static void put_backends(struct kgate_enc *e,
			 const struct kgate_service *svc)
{
	struct nlattr *list = kgate_enc_nest_start(e, KGATE_SVC_A_BACKENDS);
	size_t i;

	for (i = 0; i < svc->n_backends && !e->err; i++) {
		const struct kgate_backend *be = &svc->backends[i];
		struct nlattr *item;

		item = kgate_enc_nest_start(e, KGATE_A_LIST_ITEM);
		kgate_enc_addr(e, KGATE_BE_A_ADDR, &be->addr);
		kgate_enc_u16(e, KGATE_BE_A_PORT, be->port);
		if (be->has & KGATE_BE_HAS_WEIGHT)
			kgate_enc_u32(e, KGATE_BE_A_WEIGHT, be->weight);
		if (be->has & KGATE_BE_HAS_STATE)
			kgate_enc_u8(e, KGATE_BE_A_STATE, be->state);
		if (be->has & KGATE_BE_HAS_FLAGS)
			kgate_enc_u32(e, KGATE_BE_A_FLAGS, be->flags);
		kgate_enc_nest_end(e, item);
	}
	kgate_enc_nest_end(e, list);
}

void kgate_enc_ranges(struct kgate_enc *e, uint16_t type,
		      const struct kgate_range *r, size_t n)
{
	struct nlattr *list = kgate_enc_nest_start(e, type);
	size_t i;

	for (i = 0; i < n && !e->err; i++) {
		struct nlattr *item;

		item = kgate_enc_nest_start(e, KGATE_A_LIST_ITEM);
		kgate_enc_addr(e, KGATE_RANGE_A_ADDR, &r[i].addr);
		kgate_enc_u8(e, KGATE_RANGE_A_PLEN, r[i].plen);
		kgate_enc_nest_end(e, item);
	}
	kgate_enc_nest_end(e, list);
}

static void put_options(struct kgate_enc *e,
			const struct kgate_service *svc)
{
	uint32_t h = svc->has;

	if (h & KGATE_SVC_HAS_SCHED)
		kgate_enc_u8(e, KGATE_SVC_A_SCHED, svc->sched);
	if (h & KGATE_SVC_HAS_TABLE_SIZE)
		kgate_enc_u32(e, KGATE_SVC_A_TABLE_SIZE, svc->table_size);
	if (h & KGATE_SVC_HAS_AFFINITY)
		kgate_enc_u8(e, KGATE_SVC_A_AFFINITY, svc->affinity);
	if (h & KGATE_SVC_HAS_TIMEOUT)
		kgate_enc_u32(e, KGATE_SVC_A_AFFINITY_TIMEOUT, svc->timeout);
	if (h & KGATE_SVC_HAS_EXT_POLICY)
		kgate_enc_u8(e, KGATE_SVC_A_EXT_POLICY, svc->ext_policy);
	if (h & KGATE_SVC_HAS_INT_POLICY)
		kgate_enc_u8(e, KGATE_SVC_A_INT_POLICY, svc->int_policy);
}

int kgate_put_service(struct nlmsghdr *nlh, size_t buflen,
		      const struct kgate_service *svc)
{
	uint32_t old_len = nlh->nlmsg_len;
	struct kgate_enc e = { .nlh = nlh, .buflen = buflen };
	struct nlattr *nest = kgate_enc_nest_start(&e, KGATE_A_SERVICE);

	if (svc->name)
		kgate_enc_str(&e, KGATE_SVC_A_NAME, svc->name);
	if (svc->owner)
		kgate_enc_str(&e, KGATE_SVC_A_OWNER, svc->owner);
	put_options(&e, svc);
	if (svc->n_ranges)
		kgate_enc_ranges(&e, KGATE_SVC_A_SOURCE_RANGES, svc->ranges,
				 svc->n_ranges);
	if (svc->n_frontends)
		put_frontends(&e, svc);
	if (svc->n_backends)
		put_backends(&e, svc);
	kgate_enc_nest_end(&e, nest);
	if (e.err)
		nlh->nlmsg_len = old_len;
	return e.err;
}
