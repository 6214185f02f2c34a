// SPDX-License-Identifier: GPL-2.0
/* Object model to netlink: request headers and the KGATE_A_SERVICE nest. */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/kgate.h>

#include "msg.h"

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

/* Encoder state: the message, its buffer size and the first error. */
struct enc {
	struct nlmsghdr *nlh;
	size_t buflen;
	int err;
};

static struct nlattr *nest_start(struct enc *e, uint16_t type)
{
	struct nlattr *a;

	if (e->err)
		return NULL;
	a = mnl_attr_nest_start_check(e->nlh, e->buflen, type);
	if (!a)
		e->err = -EMSGSIZE;
	return a;
}

static void nest_end(struct enc *e, struct nlattr *a)
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

static void put(struct enc *e, uint16_t type, size_t len, const void *data)
{
	if (!e->err && !mnl_attr_put_check(e->nlh, e->buflen, type, len, data))
		e->err = -EMSGSIZE;
}

static void put_u8(struct enc *e, uint16_t type, uint8_t v)
{
	put(e, type, sizeof(v), &v);
}

static void put_u16(struct enc *e, uint16_t type, uint16_t v)
{
	put(e, type, sizeof(v), &v);
}

static void put_u32(struct enc *e, uint16_t type, uint32_t v)
{
	put(e, type, sizeof(v), &v);
}

static void put_addr(struct enc *e, uint16_t type, const struct kgate_addr *a)
{
	put(e, type, kgate_addr_len(a), a->bytes);
}

static void put_frontends(struct enc *e, const struct kgate_service *svc)
{
	struct nlattr *list = nest_start(e, KGATE_SVC_A_FRONTENDS);
	size_t i;

	for (i = 0; i < svc->n_frontends && !e->err; i++) {
		const struct kgate_frontend *fe = &svc->frontends[i];
		struct nlattr *item = nest_start(e, KGATE_A_LIST_ITEM);

		put_addr(e, KGATE_FE_A_ADDR, &fe->addr);
		put_u16(e, KGATE_FE_A_PORT, fe->port);
		put_u8(e, KGATE_FE_A_PROTO, fe->proto);
		put_u8(e, KGATE_FE_A_KIND, fe->kind);
		nest_end(e, item);
	}
	nest_end(e, list);
}

static void put_backends(struct enc *e, const struct kgate_service *svc)
{
	struct nlattr *list = nest_start(e, KGATE_SVC_A_BACKENDS);
	size_t i;

	for (i = 0; i < svc->n_backends && !e->err; i++) {
		const struct kgate_backend *be = &svc->backends[i];
		struct nlattr *item = nest_start(e, KGATE_A_LIST_ITEM);

		put_addr(e, KGATE_BE_A_ADDR, &be->addr);
		put_u16(e, KGATE_BE_A_PORT, be->port);
		if (be->has & KGATE_BE_HAS_WEIGHT)
			put_u32(e, KGATE_BE_A_WEIGHT, be->weight);
		if (be->has & KGATE_BE_HAS_STATE)
			put_u8(e, KGATE_BE_A_STATE, be->state);
		if (be->has & KGATE_BE_HAS_FLAGS)
			put_u32(e, KGATE_BE_A_FLAGS, be->flags);
		nest_end(e, item);
	}
	nest_end(e, list);
}

static void put_ranges(struct enc *e, const struct kgate_service *svc)
{
	struct nlattr *list = nest_start(e, KGATE_SVC_A_SOURCE_RANGES);
	size_t i;

	for (i = 0; i < svc->n_ranges && !e->err; i++) {
		struct nlattr *item = nest_start(e, KGATE_A_LIST_ITEM);

		put_addr(e, KGATE_RANGE_A_ADDR, &svc->ranges[i].addr);
		put_u8(e, KGATE_RANGE_A_PLEN, svc->ranges[i].plen);
		nest_end(e, item);
	}
	nest_end(e, list);
}

static void put_options(struct enc *e, const struct kgate_service *svc)
{
	uint32_t h = svc->has;

	if (h & KGATE_SVC_HAS_SCHED)
		put_u8(e, KGATE_SVC_A_SCHED, svc->sched);
	if (h & KGATE_SVC_HAS_TABLE_SIZE)
		put_u32(e, KGATE_SVC_A_TABLE_SIZE, svc->table_size);
	if (h & KGATE_SVC_HAS_AFFINITY)
		put_u8(e, KGATE_SVC_A_AFFINITY, svc->affinity);
	if (h & KGATE_SVC_HAS_TIMEOUT)
		put_u32(e, KGATE_SVC_A_AFFINITY_TIMEOUT, svc->timeout);
	if (h & KGATE_SVC_HAS_EXT_POLICY)
		put_u8(e, KGATE_SVC_A_EXT_POLICY, svc->ext_policy);
	if (h & KGATE_SVC_HAS_INT_POLICY)
		put_u8(e, KGATE_SVC_A_INT_POLICY, svc->int_policy);
}

int kgate_put_service(struct nlmsghdr *nlh, size_t buflen,
		      const struct kgate_service *svc)
{
	uint32_t old_len = nlh->nlmsg_len;
	struct enc e = { .nlh = nlh, .buflen = buflen };
	struct nlattr *nest = nest_start(&e, KGATE_A_SERVICE);

	if (svc->name && !e.err && strlen(svc->name) + 1 > UINT16_MAX - 4)
		e.err = -E2BIG;
	if (svc->name)
		put(&e, KGATE_SVC_A_NAME, strlen(svc->name) + 1, svc->name);
	put_options(&e, svc);
	if (svc->n_ranges)
		put_ranges(&e, svc);
	if (svc->n_frontends)
		put_frontends(&e, svc);
	if (svc->n_backends)
		put_backends(&e, svc);
	nest_end(&e, nest);
	if (e.err)
		nlh->nlmsg_len = old_len;
	return e.err;
}
