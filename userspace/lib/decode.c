// SPDX-License-Identifier: GPL-2.0
/* Netlink to object model: KGATE_A_SERVICE and KGATE_A_STATS, strictly. */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/kgate.h>

#include "dec.h"
#include "kgate_msg.h"

void kgate_dec_path_set(struct kgate_dec *d, size_t base, const char *name,
			long long i)
{
	char num[24], *p = num + sizeof(num), *to = d->path + base;
	size_t room = sizeof(d->path) - base - 1, n;

	*--p = '\0';
	if (i >= 0) {
		*--p = ']';
		do
			*--p = (char)('0' + i % 10);
		while (i /= 10);
		*--p = '[';
	}
	if (!room) {
		*to = '\0';
		return;
	}
	*to++ = '.';
	room--;
	n = strlen(name);
	n = n < room ? n : room;
	memcpy(to, name, n);
	to += n;
	room -= n;
	n = strlen(p);
	n = n < room ? n : room;
	memcpy(to, p, n);
	to[n] = '\0';
}

int kgate_dec_fail(struct kgate_dec *d, const char *attr, const char *fmt,
		   ...)
{
	char reason[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (d->why && d->whylen)
		snprintf(d->why, d->whylen, "%s%s%s: %s", d->path,
			 attr ? "." : "", attr ? attr : "", reason);
	return -EINVAL;
}

/* Payload bytes of @a must be exactly @len. */
int kgate_dec_want_len(struct kgate_dec *d, const struct nlattr *a,
		       const char *name, size_t len)
{
	size_t got = mnl_attr_get_payload_len(a);

	if (got != len)
		return kgate_dec_fail(d, name, "length %zu, expected %zu", got,
				      len);
	return 0;
}

/*
 * Every byte of a nest's payload must belong to a well-formed attribute:
 * walk it and fail on a truncated or overlong one.
 */
int kgate_dec_check_nest(struct kgate_dec *d, const struct nlattr *nest,
			 const char *name)
{
	const char *p = mnl_attr_get_payload(nest);
	size_t left = mnl_attr_get_payload_len(nest);

	while (left) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t step;

		if (left < sizeof(*a) || a->nla_len < sizeof(*a) ||
		    a->nla_len > left)
			return kgate_dec_fail(d, name, "malformed attribute");
		step = MNL_ALIGN(a->nla_len);
		if (step > left)
			step = left;
		p += step;
		left -= step;
	}
	return 0;
}

int kgate_dec_get_u8(struct kgate_dec *d, const struct nlattr *a,
		     const char *n, uint8_t *v)
{
	if (kgate_dec_want_len(d, a, n, 1))
		return -EINVAL;
	*v = mnl_attr_get_u8(a);
	return 0;
}

int kgate_dec_get_u16(struct kgate_dec *d, const struct nlattr *a,
		      const char *n, uint16_t *v)
{
	if (kgate_dec_want_len(d, a, n, 2))
		return -EINVAL;
	*v = mnl_attr_get_u16(a);
	return 0;
}

int kgate_dec_get_u32(struct kgate_dec *d, const struct nlattr *a,
		      const char *n, uint32_t *v)
{
	if (kgate_dec_want_len(d, a, n, 4))
		return -EINVAL;
	*v = mnl_attr_get_u32(a);
	return 0;
}

int kgate_dec_get_u64(struct kgate_dec *d, const struct nlattr *a,
		      const char *n, uint64_t *v)
{
	if (kgate_dec_want_len(d, a, n, 8))
		return -EINVAL;
	*v = mnl_attr_get_u64(a);
	return 0;
}

int kgate_dec_get_addr(struct kgate_dec *d, const struct nlattr *a,
		       const char *n, struct kgate_addr *addr)
{
	size_t len = mnl_attr_get_payload_len(a);

	memset(addr, 0, sizeof(*addr));
	if (len == 4)
		addr->family = AF_INET;
	else if (len == 16)
		addr->family = AF_INET6;
	else
		return kgate_dec_fail(d, n, "length %zu, expected 4 or 16",
				      len);
	memcpy(addr->bytes, mnl_attr_get_payload(a), len);
	return 0;
}

/* Refuse a second copy of the same attribute in one nest. */
int kgate_dec_once(struct kgate_dec *d, uint32_t *seen, uint16_t type,
		   const char *n)
{
	if (type < 32) {
		if (*seen & (1U << type))
			return kgate_dec_fail(d, n, "attribute repeated");
		*seen |= 1U << type;
	}
	return 0;
}

int kgate_dec_missing(struct kgate_dec *d, const char *n)
{
	return kgate_dec_fail(d, NULL, "missing %s", n);
}

int kgate_dec_str(struct kgate_dec *d, const struct nlattr *a, const char *n,
		  char **out)
{
	size_t len = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);
	char *copy;

	if (!len || s[len - 1] != '\0' || strlen(s) != len - 1)
		return kgate_dec_fail(d, n, "not a NUL-terminated string");
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	free(*out);
	*out = copy;
	return 0;
}

static int parse_frontend(struct kgate_dec *d, const struct nlattr *item,
			  struct kgate_frontend *fe)
{
	const struct nlattr *a;
	uint32_t seen = 0;
	int err = 0;

	memset(fe, 0, sizeof(*fe));
	fe->proto = IPPROTO_TCP;
	fe->kind = KGATE_FE_CLUSTER;
	mnl_attr_for_each_nested(a, item) {
		uint16_t t = mnl_attr_get_type(a);

		switch (t) {
		case KGATE_FE_A_ADDR:
			err = kgate_dec_once(d, &seen, t, "addr") ?:
			      kgate_dec_get_addr(d, a, "addr", &fe->addr);
			break;
		case KGATE_FE_A_PORT:
			err = kgate_dec_once(d, &seen, t, "port") ?:
			      kgate_dec_get_u16(d, a, "port", &fe->port);
			break;
		case KGATE_FE_A_PROTO:
			err = kgate_dec_once(d, &seen, t, "proto") ?:
			      kgate_dec_get_u8(d, a, "proto", &fe->proto);
			break;
		case KGATE_FE_A_KIND:
			err = kgate_dec_once(d, &seen, t, "kind") ?:
			      kgate_dec_get_u8(d, a, "kind", &fe->kind);
			break;
		}
		if (err)
			return err;
	}
	if (!(seen & (1U << KGATE_FE_A_ADDR)))
		return kgate_dec_missing(d, "addr");
	if (!(seen & (1U << KGATE_FE_A_PORT)))
		return kgate_dec_missing(d, "port");
	return 0;
}

static int parse_counters(struct kgate_dec *d, const struct nlattr *nest,
			  struct kgate_counters *cnt)
{
	const struct nlattr *a;
	int err = kgate_dec_check_nest(d, nest, "counters");

	memset(cnt, 0, sizeof(*cnt));
	mnl_attr_for_each_nested(a, nest) {
		if (err)
			break;
		switch (mnl_attr_get_type(a)) {
		case KGATE_CNT_A_CONNS:
			err = kgate_dec_get_u64(d, a, "counters.conns",
						&cnt->conns);
			break;
		case KGATE_CNT_A_PACKETS:
			err = kgate_dec_get_u64(d, a, "counters.packets",
						&cnt->packets);
			break;
		case KGATE_CNT_A_BYTES:
			err = kgate_dec_get_u64(d, a, "counters.bytes",
						&cnt->bytes);
			break;
		}
	}
	return err;
}

static int parse_backend(struct kgate_dec *d, const struct nlattr *item,
			 struct kgate_backend *be)
{
	const struct nlattr *a;
	uint32_t seen = 0;
	int err = 0;

	kgate_backend_init(be);
	mnl_attr_for_each_nested(a, item) {
		uint16_t t = mnl_attr_get_type(a);

		switch (t) {
		case KGATE_BE_A_ADDR:
			err = kgate_dec_once(d, &seen, t, "addr") ?:
			      kgate_dec_get_addr(d, a, "addr", &be->addr);
			break;
		case KGATE_BE_A_PORT:
			err = kgate_dec_once(d, &seen, t, "port") ?:
			      kgate_dec_get_u16(d, a, "port", &be->port);
			break;
		case KGATE_BE_A_WEIGHT:
			err = kgate_dec_once(d, &seen, t, "weight") ?:
			      kgate_dec_get_u32(d, a, "weight", &be->weight);
			be->has |= KGATE_BE_HAS_WEIGHT;
			break;
		case KGATE_BE_A_STATE:
			err = kgate_dec_once(d, &seen, t, "state") ?:
			      kgate_dec_get_u8(d, a, "state", &be->state);
			be->has |= KGATE_BE_HAS_STATE;
			break;
		case KGATE_BE_A_FLAGS:
			err = kgate_dec_once(d, &seen, t, "flags") ?:
			      kgate_dec_get_u32(d, a, "flags", &be->flags);
			be->has |= KGATE_BE_HAS_FLAGS;
			break;
		case KGATE_BE_A_COUNTERS:
			err = kgate_dec_once(d, &seen, t, "counters") ?:
			      parse_counters(d, a, &be->cnt);
			be->has |= KGATE_BE_HAS_COUNTERS;
			break;
		}
		if (err)
			return err;
	}
	if (!(seen & (1U << KGATE_BE_A_ADDR)))
		return kgate_dec_missing(d, "addr");
	if (!(seen & (1U << KGATE_BE_A_PORT)))
		return kgate_dec_missing(d, "port");
	return 0;
}

int kgate_dec_range(struct kgate_dec *d, const struct nlattr *item,
		    struct kgate_range *r)
{
	const struct nlattr *a;
	uint32_t seen = 0;
	int err = 0;

	memset(r, 0, sizeof(*r));
	mnl_attr_for_each_nested(a, item) {
		uint16_t t = mnl_attr_get_type(a);

		switch (t) {
		case KGATE_RANGE_A_ADDR:
			err = kgate_dec_once(d, &seen, t, "addr") ?:
			      kgate_dec_get_addr(d, a, "addr", &r->addr);
			break;
		case KGATE_RANGE_A_PLEN:
			err = kgate_dec_once(d, &seen, t, "plen") ?:
			      kgate_dec_get_u8(d, a, "plen", &r->plen);
			break;
		}
		if (err)
			return err;
	}
	if (!(seen & (1U << KGATE_RANGE_A_ADDR)))
		return kgate_dec_missing(d, "addr");
	if (!(seen & (1U << KGATE_RANGE_A_PLEN)))
		return kgate_dec_missing(d, "plen");
	return 0;
}

enum list_kind { LIST_FRONTENDS, LIST_BACKENDS, LIST_RANGES };

static int parse_item(struct kgate_dec *d, enum list_kind kind,
		      const struct nlattr *item, struct kgate_service *svc)
{
	struct kgate_frontend fe;
	struct kgate_backend be;
	struct kgate_range r;

	switch (kind) {
	case LIST_FRONTENDS:
		return parse_frontend(d, item, &fe) ?:
		       kgate_service_add_frontend(svc, &fe);
	case LIST_BACKENDS:
		return parse_backend(d, item, &be) ?:
		       kgate_service_add_backend(svc, &be);
	case LIST_RANGES:
		return kgate_dec_range(d, item, &r) ?:
		       kgate_service_add_range(svc, &r);
	}
	return -EINVAL;
}

static int parse_list(struct kgate_dec *d, const struct nlattr *list,
		      const char *name, enum list_kind kind,
		      struct kgate_service *svc)
{
	size_t base = strlen(d->path), i = 0;
	const struct nlattr *item;
	int err;

	err = kgate_dec_check_nest(d, list, name);
	if (err)
		return err;
	mnl_attr_for_each_nested(item, list) {
		if (mnl_attr_get_type(item) != KGATE_A_LIST_ITEM)
			return kgate_dec_fail(d, name,
					      "entry of type %u, expected %u",
					      mnl_attr_get_type(item),
					      KGATE_A_LIST_ITEM);
		kgate_dec_path_set(d, base, name, (long long)i++);
		err = kgate_dec_check_nest(d, item, NULL);
		if (!err)
			err = parse_item(d, kind, item, svc);
		if (err)
			return err;
		d->path[base] = '\0';
	}
	return 0;
}

static int parse_name(struct kgate_dec *d, const struct nlattr *a,
		      struct kgate_service *svc)
{
	size_t len = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);

	if (!len || s[len - 1] != '\0' || strlen(s) != len - 1)
		return kgate_dec_fail(d, "name", "not a NUL-terminated string");
	return kgate_service_set_name(svc, s);
}

static int parse_svc_attr(struct kgate_dec *d, const struct nlattr *a,
			  struct kgate_service *svc)
{
	switch (mnl_attr_get_type(a)) {
	case KGATE_SVC_A_NAME:
		return parse_name(d, a, svc);
	case KGATE_SVC_A_SCHED:
		svc->has |= KGATE_SVC_HAS_SCHED;
		return kgate_dec_get_u8(d, a, "sched", &svc->sched);
	case KGATE_SVC_A_TABLE_SIZE:
		svc->has |= KGATE_SVC_HAS_TABLE_SIZE;
		return kgate_dec_get_u32(d, a, "table_size", &svc->table_size);
	case KGATE_SVC_A_AFFINITY:
		svc->has |= KGATE_SVC_HAS_AFFINITY;
		return kgate_dec_get_u8(d, a, "affinity", &svc->affinity);
	case KGATE_SVC_A_AFFINITY_TIMEOUT:
		svc->has |= KGATE_SVC_HAS_TIMEOUT;
		return kgate_dec_get_u32(d, a, "affinity_timeout",
					 &svc->timeout);
	case KGATE_SVC_A_EXT_POLICY:
		svc->has |= KGATE_SVC_HAS_EXT_POLICY;
		return kgate_dec_get_u8(d, a, "ext_policy", &svc->ext_policy);
	case KGATE_SVC_A_INT_POLICY:
		svc->has |= KGATE_SVC_HAS_INT_POLICY;
		return kgate_dec_get_u8(d, a, "int_policy", &svc->int_policy);
	case KGATE_SVC_A_SOURCE_RANGES:
		return parse_list(d, a, "source_ranges", LIST_RANGES, svc);
	case KGATE_SVC_A_FRONTENDS:
		return parse_list(d, a, "frontends", LIST_FRONTENDS, svc);
	case KGATE_SVC_A_BACKENDS:
		return parse_list(d, a, "backends", LIST_BACKENDS, svc);
	case KGATE_SVC_A_COUNTERS:
		svc->has |= KGATE_SVC_HAS_COUNTERS;
		return parse_counters(d, a, &svc->cnt);
	case KGATE_SVC_A_OWNER:
		return kgate_dec_str(d, a, "owner", &svc->owner);
	default:	/* pad, newer attributes */
		return 0;
	}
}

static const char *const svc_attr_names[] = {
	[KGATE_SVC_A_NAME] = "name",
	[KGATE_SVC_A_SCHED] = "sched",
	[KGATE_SVC_A_TABLE_SIZE] = "table_size",
	[KGATE_SVC_A_AFFINITY] = "affinity",
	[KGATE_SVC_A_AFFINITY_TIMEOUT] = "affinity_timeout",
	[KGATE_SVC_A_EXT_POLICY] = "ext_policy",
	[KGATE_SVC_A_INT_POLICY] = "int_policy",
	[KGATE_SVC_A_SOURCE_RANGES] = "source_ranges",
	[KGATE_SVC_A_FRONTENDS] = "frontends",
	[KGATE_SVC_A_BACKENDS] = "backends",
	[KGATE_SVC_A_OWNER] = "owner",
};

int kgate_parse_service(const struct nlattr *nest, struct kgate_service *svc,
			char *why, size_t whylen)
{
	struct kgate_dec d = { .path = "service", .why = why,
			       .whylen = whylen };
	const struct nlattr *a;
	uint32_t seen = 0;
	int err;

	kgate_service_init(svc);
	err = kgate_dec_check_nest(&d, nest, NULL);
	if (err)
		return err;
	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);

		if (t <= KGATE_SVC_A_BACKENDS || t == KGATE_SVC_A_OWNER) {
			err = kgate_dec_once(&d, &seen, t, svc_attr_names[t]);
			if (err)
				return err;
		}
		err = parse_svc_attr(&d, a, svc);
		if (err)
			return err;
	}
	if (!svc->name)
		return kgate_dec_missing(&d, "name");
	return 0;
}

int kgate_parse_stats(const struct nlattr *nest, struct kgate_stats *st,
		      char *why, size_t whylen)
{
	struct kgate_dec d = { .path = "stats", .why = why, .whylen = whylen };
	const struct nlattr *a;
	int err = 0;

	memset(st, 0, sizeof(*st));
	err = kgate_dec_check_nest(&d, nest, NULL);
	if (err)
		return err;
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case KGATE_STATS_A_SERVICES:
			err = kgate_dec_get_u32(&d, a, "services",
						&st->services);
			break;
		case KGATE_STATS_A_FRONTENDS:
			err = kgate_dec_get_u32(&d, a, "frontends",
						&st->frontends);
			break;
		case KGATE_STATS_A_BACKENDS:
			err = kgate_dec_get_u32(&d, a, "backends",
						&st->backends);
			break;
		case KGATE_STATS_A_MAX_SERVICES:
			err = kgate_dec_get_u32(&d, a, "max_services",
				      &st->max_services);
			break;
		case KGATE_STATS_A_MAX_BACKENDS:
			err = kgate_dec_get_u32(&d, a, "max_backends",
				      &st->max_backends);
			break;
		case KGATE_STATS_A_COMMITS:
			err = kgate_dec_get_u64(&d, a, "commits", &st->commits);
			break;
		case KGATE_STATS_A_GENERATION:
			err = kgate_dec_get_u64(&d, a, "generation",
						&st->generation);
			break;
		case KGATE_STATS_A_BATCHES_OPEN:
			err = kgate_dec_get_u32(&d, a, "batches_open",
				      &st->batches_open);
			break;
		case KGATE_STATS_A_NAT_HOOKS:
			err = kgate_dec_get_u8(&d, a, "nat_hooks",
				     &st->nat_hooks);
			break;
		case KGATE_STATS_A_FLOW_WALKS:
			err = kgate_dec_get_u64(&d, a, "flow_walks",
						&st->flow_walks);
			break;
		case KGATE_STATS_A_AFFINITY_CLIENTS:
			err = kgate_dec_get_u32(&d, a, "affinity_clients",
				      &st->affinity_clients);
			break;
		case KGATE_STATS_A_AFFINITY_DROPPED:
			err = kgate_dec_get_u64(&d, a, "affinity_dropped",
				      &st->affinity_dropped);
			break;
		case KGATE_STATS_A_MAX_AFFINITY:
			err = kgate_dec_get_u32(&d, a, "max_affinity",
				      &st->max_affinity);
			break;
		case KGATE_STATS_A_LISTENERS:
			err = kgate_dec_get_u32(&d, a, "listeners",
						&st->listeners);
			break;
		case KGATE_STATS_A_ROUTES:
			err = kgate_dec_get_u32(&d, a, "routes", &st->routes);
			break;
		case KGATE_STATS_A_UPSTREAM_IDLE:
			err = kgate_dec_get_u32(&d, a, "upstream_idle",
						&st->upstream_idle);
			break;
		case KGATE_STATS_A_UPSTREAM_NO_ROOM:
			err = kgate_dec_get_u64(&d, a, "upstream_no_room",
						&st->upstream_no_room);
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

const struct nlattr *kgate_msg_attr(const struct nlmsghdr *nlh,
				    uint16_t type)
{
	const struct nlattr *a;

	if (nlh->nlmsg_len < KGATE_MSG_HDRLEN)
		return NULL;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}
