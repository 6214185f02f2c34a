// SPDX-License-Identifier: GPL-2.0
/*
 * kgate_test: raw generic netlink client for the kgate selftests.
 * See kgate_test.h.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "kgate_test.h"

#define KT_RBUF_LEN	(2u << 20)
#define KT_SOCKBUF	(16 << 20)

/* ---------------------------------------------------------------- utils */

int kt_addr_parse(const char *txt, uint8_t *out)
{
	if (strchr(txt, ':'))
		return inet_pton(AF_INET6, txt, out) == 1 ? 16 : -1;
	return inet_pton(AF_INET, txt, out) == 1 ? 4 : -1;
}

bool kt_msg_has_number(const char *msg, unsigned long long v)
{
	char num[32];
	size_t n;
	const char *p;

	snprintf(num, sizeof(num), "%llu", v);
	n = strlen(num);
	for (p = strstr(msg, num); p; p = strstr(p + 1, num)) {
		bool before = p == msg || !isdigit((unsigned char)p[-1]);
		bool after = !isdigit((unsigned char)p[n]);

		if (before && after)
			return true;
	}
	return false;
}

long long kt_slab_objects(const char *substr)
{
	char line[512], name[128];
	long long total = -1, active;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %lld", name, &active) != 2)
			continue;
		if (!strstr(name, substr))
			continue;
		total = (total < 0 ? 0 : total) + active;
	}
	fclose(f);
	return total;
}

long long kt_meminfo_kb(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoll(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static void local_err(struct kt_err *e, int err, const char *what)
{
	memset(e, 0, sizeof(*e));
	e->err = err;
	snprintf(e->msg, sizeof(e->msg), "local: %s: %s", what, strerror(err));
}

/* --------------------------------------------------------------- extack */

static int extack_attr_cb(const struct nlattr *a, void *data)
{
	struct kt_err *e = data;

	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		snprintf(e->msg, sizeof(e->msg), "%.*s",
			 (int)mnl_attr_get_payload_len(a),
			 (const char *)mnl_attr_get_payload(a));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_get_payload_len(a) >= 4) {
			e->has_offs = true;
			e->offs = mnl_attr_get_u32(a);
		}
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_get_payload_len(a) >= 4) {
			e->has_miss_type = true;
			e->miss_type = mnl_attr_get_u32(a);
		}
		break;
	case NLMSGERR_ATTR_MISS_NEST:
		if (mnl_attr_get_payload_len(a) >= 4) {
			e->has_miss_nest = true;
			e->miss_nest = mnl_attr_get_u32(a);
		}
		break;
	case NLMSGERR_ATTR_COOKIE:
		e->cookie_len = mnl_attr_get_payload_len(a);
		if (e->cookie_len == sizeof(e->ref))
			memcpy(&e->ref, mnl_attr_get_payload(a), sizeof(e->ref));
		break;
	}
	return MNL_CB_OK;
}

static void parse_error_msg(const struct nlmsghdr *nlh, struct kt_err *e)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off;

	memset(e, 0, sizeof(*e));
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*err))) {
		e->err = EBADMSG;
		snprintf(e->msg, sizeof(e->msg), "local: short error message");
		return;
	}
	e->err = -err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (NLMSG_LENGTH(off) <= nlh->nlmsg_len)
		mnl_attr_parse(nlh, off, extack_attr_cb, e);
}

static void parse_done_msg(const struct nlmsghdr *nlh, struct kt_err *e)
{
	memset(e, 0, sizeof(*e));
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
		e->err = -*(const int *)mnl_nlmsg_get_payload(nlh);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    nlh->nlmsg_len > NLMSG_LENGTH(sizeof(int)))
		mnl_attr_parse(nlh, sizeof(int), extack_attr_cb, e);
}

/* -------------------------------------------------------------- sockets */

bool kt_cmd_mutates(uint8_t cmd)
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

/* After a send of @len bytes of requests: count the mutating ones. */
static void count_sent(struct kt_sock *s, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_type != s->family ||
		    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*g)))
			continue;
		if (g->cmd == KGATE_CMD_BATCH_BEGIN)
			s->batch_sent = 0;
		else if (kt_cmd_mutates(g->cmd))
			s->batch_sent++;
	}
}

/* Send nlh and read until its ack / error / DONE.  Messages with the same
 * sequence number and another type are passed to cb.
 */
static int xfer(struct kt_sock *s, struct nlmsghdr *nlh, struct kt_err *e,
		kt_cb cb, void *data)
{
	uint32_t seq = nlh->nlmsg_seq;
	int cb_err = 0;

	memset(e, 0, sizeof(*e));
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0) {
		local_err(e, errno, "sendto");
		return e->err;
	}
	count_sent(s, nlh, nlh->nlmsg_len);
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(s->nl, s->rbuf, s->rbuf_len);
		const struct nlmsghdr *r;
		int left;

		if (n < 0) {
			local_err(e, errno, "recvfrom");
			return e->err;
		}
		left = (int)n;
		for (r = (const struct nlmsghdr *)s->rbuf; mnl_nlmsg_ok(r, left);
		     r = mnl_nlmsg_next(r, &left)) {
			if (r->nlmsg_seq != seq)
				continue;
			if (r->nlmsg_type == NLMSG_ERROR) {
				parse_error_msg(r, e);
				if (!e->err && cb_err)
					local_err(e, -cb_err, "parsing reply");
				return e->err;
			}
			if (r->nlmsg_type == NLMSG_DONE) {
				parse_done_msg(r, e);
				if (!e->err && cb_err)
					local_err(e, -cb_err, "parsing reply");
				return e->err;
			}
			if (r->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			if (cb && !cb_err)
				cb_err = cb(r, data);
		}
	}
}

struct ctrl_info {
	uint16_t id;
	uint32_t grp;
};

static int ctrl_grp_cb(const struct nlattr *a, void *data)
{
	struct ctrl_info *ci = data;
	const struct nlattr *g;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(g, a) {
		if (mnl_attr_get_type(g) == CTRL_ATTR_MCAST_GRP_NAME)
			name = mnl_attr_get_str(g);
		else if (mnl_attr_get_type(g) == CTRL_ATTR_MCAST_GRP_ID)
			id = mnl_attr_get_u32(g);
	}
	if (name && !strcmp(name, KGATE_MCGRP_EVENTS))
		ci->grp = id;
	return MNL_CB_OK;
}

static int ctrl_attr_cb(const struct nlattr *a, void *data)
{
	struct ctrl_info *ci = data;
	const struct nlattr *g;

	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		ci->id = mnl_attr_get_u16(a);
	else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS)
		mnl_attr_for_each_nested(g, a)
			ctrl_grp_cb(g, ci);
	return MNL_CB_OK;
}

static int ctrl_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), ctrl_attr_cb, data);
	return 0;
}

int kt_open(struct kt_sock *s)
{
	return kt_open_pid(s, 0);
}

int kt_open_pid(struct kt_sock *s, uint32_t portid)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct ctrl_info ci = { 0 };
	struct kt_err e;
	int one = 1, sz = KT_SOCKBUF, fd;

	memset(s, 0, sizeof(*s));
	s->rbuf_len = KT_RBUF_LEN;
	s->rbuf = malloc(s->rbuf_len);
	if (!s->rbuf)
		return -ENOMEM;
	s->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!s->nl)
		goto fail;
	fd = mnl_socket_get_fd(s->nl);
	mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (mnl_socket_bind(s->nl, 0, portid ? portid : MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = (uint32_t)time(NULL) & 0xfffff;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++s->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KGATE_GENL_NAME);
	if (xfer(s, nlh, &e, ctrl_cb, &ci)) {
		int err = e.err;

		kt_close(s);
		return -err;
	}
	if (!ci.id) {
		kt_close(s);
		return -ENOENT;
	}
	s->family = ci.id;
	s->events_grp = ci.grp;
	return 0;
fail:
	{
		int err = errno ? errno : EIO;

		kt_close(s);
		return -err;
	}
}

void kt_close(struct kt_sock *s)
{
	if (s->nl)
		mnl_socket_close(s->nl);
	free(s->rbuf);
	memset(s, 0, sizeof(*s));
}

int kt_subscribe(struct kt_sock *s)
{
	if (!s->events_grp)
		return -ENOENT;
	if (mnl_socket_setsockopt(s->nl, NETLINK_ADD_MEMBERSHIP,
				  &s->events_grp, sizeof(s->events_grp)) < 0)
		return -errno;
	return 0;
}

/* ------------------------------------------------------------- building */

void kt_msg_reset(struct kt_msg *m, struct kt_sock *s, uint8_t cmd,
		  uint16_t extra_flags)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*g)));
	m->ovr_offs = 0;
	m->nlh = mnl_nlmsg_put_header(m->buf);
	m->nlh->nlmsg_type = s->family;
	m->nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | extra_flags;
	m->nlh->nlmsg_seq = ++s->seq;
	g = mnl_nlmsg_put_extra_header(m->nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = KGATE_GENL_VERSION;
}

int kt_msg_init(struct kt_msg *m, struct kt_sock *s, uint8_t cmd,
		uint16_t extra_flags)
{
	memset(m, 0, sizeof(*m));
	m->cap = KT_MSG_MAX;
	m->buf = malloc(m->cap);
	if (!m->buf)
		return -ENOMEM;
	kt_msg_reset(m, s, cmd, extra_flags);
	return 0;
}

void kt_msg_free(struct kt_msg *m)
{
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

struct builder {
	struct kt_msg *m;
	const struct kt_ovr *ovr;
	int n_ovr;
	bool used[16];
};

static const struct kt_ovr *find_ovr(struct builder *b, enum kt_where w,
				     int idx, uint16_t type, int *which)
{
	for (int i = 0; i < b->n_ovr && i < 16; i++) {
		const struct kt_ovr *o = &b->ovr[i];

		if (o->where == w && o->index == idx && o->type == type &&
		    !b->used[i]) {
			*which = i;
			return o;
		}
	}
	return NULL;
}

static void put_ovr(struct builder *b, const struct kt_ovr *o)
{
	struct nlmsghdr *nlh = b->m->nlh;
	uint32_t offs = nlh->nlmsg_len;

	switch (o->how) {
	case KT_OMIT:
	case KT_RETYPE:
		return;
	case KT_INT:
		switch (o->len) {
		case 1:
			mnl_attr_put_u8(nlh, o->type, (uint8_t)o->val);
			break;
		case 2:
			mnl_attr_put_u16(nlh, o->type, (uint16_t)o->val);
			break;
		case 4:
			mnl_attr_put_u32(nlh, o->type, (uint32_t)o->val);
			break;
		default:
			mnl_attr_put_u64(nlh, o->type, o->val);
			break;
		}
		break;
	case KT_BYTES:
		mnl_attr_put(nlh, o->type, o->len, o->bytes);
		break;
	case KT_STR:
		mnl_attr_put_strz(nlh, o->type, o->bytes);
		break;
	case KT_STR_NONUL:
		mnl_attr_put_str(nlh, o->type, o->bytes);
		break;
	case KT_EMPTY_NEST:
		mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, o->type));
		break;
	}
	if (!b->m->ovr_offs)
		b->m->ovr_offs = offs;
}

/* True if the caller should write the attribute itself. */
static bool attr_begin(struct builder *b, enum kt_where w, int idx,
		       uint16_t type)
{
	int which;
	const struct kt_ovr *o = find_ovr(b, w, idx, type, &which);

	if (!o)
		return true;
	b->used[which] = true;
	put_ovr(b, o);
	return false;
}

static void nest_extras(struct builder *b, enum kt_where w, int idx)
{
	for (int i = 0; i < b->n_ovr && i < 16; i++) {
		const struct kt_ovr *o = &b->ovr[i];

		if (o->where == w && o->index == idx && !b->used[i]) {
			b->used[i] = true;
			put_ovr(b, o);
		}
	}
}

static void put_int(struct builder *b, enum kt_where w, int idx,
		    uint16_t type, int len, long long v)
{
	if (v == KT_UNSET || !attr_begin(b, w, idx, type))
		return;
	switch (len) {
	case 1:
		mnl_attr_put_u8(b->m->nlh, type, (uint8_t)v);
		break;
	case 2:
		mnl_attr_put_u16(b->m->nlh, type, (uint16_t)v);
		break;
	default:
		mnl_attr_put_u32(b->m->nlh, type, (uint32_t)v);
		break;
	}
}

static void put_addr(struct builder *b, enum kt_where w, int idx,
		     uint16_t type, const char *txt)
{
	uint8_t a[16];
	int len;

	if (!txt || !attr_begin(b, w, idx, type))
		return;
	len = kt_addr_parse(txt, a);
	if (len < 0) {
		fprintf(stderr, "# kgate_test: bad address '%s' in a test\n",
			txt);
		abort();
	}
	mnl_attr_put(b->m->nlh, type, len, a);
}

/* Start list item idx of list `lw`; NULL if an override wrote it instead. */
static struct nlattr *item_begin(struct builder *b, enum kt_where lw, int idx)
{
	int which;
	const struct kt_ovr *o = find_ovr(b, lw, idx, KGATE_A_LIST_ITEM,
					  &which);
	uint16_t type = KGATE_A_LIST_ITEM;
	uint32_t offs = b->m->nlh->nlmsg_len;

	if (o) {
		b->used[which] = true;
		if (o->how != KT_RETYPE) {
			put_ovr(b, o);
			return NULL;
		}
		type = (uint16_t)o->val;
		if (!b->m->ovr_offs)
			b->m->ovr_offs = offs;
	}
	return mnl_attr_nest_start(b->m->nlh, type);
}

static void put_list(struct builder *b, enum kt_where pw, uint16_t list_type,
		     enum kt_where lw, enum kt_where iw, int n,
		     const void *items)
{
	struct nlattr *list, *it;

	if (n <= 0 || !attr_begin(b, pw, 0, list_type))
		return;
	list = mnl_attr_nest_start(b->m->nlh, list_type);
	for (int i = 0; i < n; i++) {
		it = item_begin(b, lw, i);
		if (!it)
			continue;
		if (iw == KT_W_FE) {
			const struct kt_fe *f = &((const struct kt_fe *)items)[i];

			put_addr(b, iw, i, KGATE_FE_A_ADDR, f->addr);
			put_int(b, iw, i, KGATE_FE_A_PORT, 2, f->port);
			put_int(b, iw, i, KGATE_FE_A_PROTO, 1, f->proto);
			put_int(b, iw, i, KGATE_FE_A_KIND, 1, f->kind);
		} else if (iw == KT_W_BE) {
			const struct kt_be *e = &((const struct kt_be *)items)[i];

			put_addr(b, iw, i, KGATE_BE_A_ADDR, e->addr);
			put_int(b, iw, i, KGATE_BE_A_PORT, 2, e->port);
			put_int(b, iw, i, KGATE_BE_A_WEIGHT, 4, e->weight);
			put_int(b, iw, i, KGATE_BE_A_STATE, 1, e->state);
			put_int(b, iw, i, KGATE_BE_A_FLAGS, 4, e->flags);
		} else {
			const struct kt_range *r =
				&((const struct kt_range *)items)[i];

			put_addr(b, iw, i, KGATE_RANGE_A_ADDR, r->addr);
			put_int(b, iw, i, KGATE_RANGE_A_PLEN, 1, r->plen);
		}
		nest_extras(b, iw, i);
		mnl_attr_nest_end(b->m->nlh, it);
	}
	nest_extras(b, lw, 0);
	mnl_attr_nest_end(b->m->nlh, list);
}

void kt_svc_init(struct kt_svc *svc, const char *name)
{
	memset(svc, 0, sizeof(*svc));
	svc->name = name;
	svc->sched = KT_UNSET;
	svc->table_size = KT_UNSET;
	svc->affinity = KT_UNSET;
	svc->timeout = KT_UNSET;
	svc->ext_policy = KT_UNSET;
	svc->int_policy = KT_UNSET;
}

/* Overrides of items that do not exist (index too high) are unused: they
 * would be a mistake in the test.
 */
static void all_used(const struct builder *b)
{
	for (int i = 0; i < b->n_ovr && i < 16; i++) {
		if (!b->used[i]) {
			fprintf(stderr, "# kgate_test: override %d (where %d type %u index %d) not applied\n",
				i, b->ovr[i].where, b->ovr[i].type,
				b->ovr[i].index);
			abort();
		}
	}
}

void kt_msg_put_svc(struct kt_msg *m, const struct kt_svc *svc,
		    const struct kt_ovr *ovr, int n_ovr)
{
	struct builder b = { .m = m, .ovr = ovr, .n_ovr = n_ovr };
	struct nlattr *nest;

	if (attr_begin(&b, KT_W_TOP, 0, KGATE_A_SERVICE)) {
		nest = mnl_attr_nest_start(m->nlh, KGATE_A_SERVICE);
		if (svc->name && attr_begin(&b, KT_W_SVC, 0, KGATE_SVC_A_NAME))
			mnl_attr_put_strz(m->nlh, KGATE_SVC_A_NAME, svc->name);
		if (svc->owner &&
		    attr_begin(&b, KT_W_SVC, 0, KGATE_SVC_A_OWNER))
			mnl_attr_put_strz(m->nlh, KGATE_SVC_A_OWNER, svc->owner);
		put_int(&b, KT_W_SVC, 0, KGATE_SVC_A_SCHED, 1, svc->sched);
		put_int(&b, KT_W_SVC, 0, KGATE_SVC_A_TABLE_SIZE, 4,
			svc->table_size);
		put_int(&b, KT_W_SVC, 0, KGATE_SVC_A_AFFINITY, 1,
			svc->affinity);
		put_int(&b, KT_W_SVC, 0, KGATE_SVC_A_AFFINITY_TIMEOUT, 4,
			svc->timeout);
		put_int(&b, KT_W_SVC, 0, KGATE_SVC_A_EXT_POLICY, 1,
			svc->ext_policy);
		put_int(&b, KT_W_SVC, 0, KGATE_SVC_A_INT_POLICY, 1,
			svc->int_policy);
		put_list(&b, KT_W_SVC, KGATE_SVC_A_SOURCE_RANGES, KT_W_RANGE_LIST,
			 KT_W_RANGE, svc->n_rng, svc->rng);
		put_list(&b, KT_W_SVC, KGATE_SVC_A_FRONTENDS, KT_W_FE_LIST, KT_W_FE,
			 svc->n_fe, svc->fe);
		put_list(&b, KT_W_SVC, KGATE_SVC_A_BACKENDS, KT_W_BE_LIST, KT_W_BE,
			 svc->n_be, svc->be);
		nest_extras(&b, KT_W_SVC, 0);
		mnl_attr_nest_end(m->nlh, nest);
	}
	nest_extras(&b, KT_W_TOP, 0);
	all_used(&b);
}

void kt_msg_put_node(struct kt_msg *m, const struct kt_range *rng, int n,
		     const struct kt_ovr *ovr, int n_ovr)
{
	struct builder b = { .m = m, .ovr = ovr, .n_ovr = n_ovr };
	struct nlattr *nest;

	if (attr_begin(&b, KT_W_TOP, 0, KGATE_A_NODE)) {
		nest = mnl_attr_nest_start(m->nlh, KGATE_A_NODE);
		put_list(&b, KT_W_NODE, KGATE_NODE_A_LOCAL_RANGES,
			 KT_W_RANGE_LIST, KT_W_RANGE, n, rng);
		nest_extras(&b, KT_W_NODE, 0);
		mnl_attr_nest_end(m->nlh, nest);
	}
	nest_extras(&b, KT_W_TOP, 0);
	all_used(&b);
}

/* -------------------------------------------------------------- sending */

int kt_send(struct kt_sock *s, struct kt_msg *m, struct kt_err *e,
	    kt_cb cb, void *data)
{
	struct kt_err local;

	return xfer(s, m->nlh, e ? e : &local, cb, data);
}

int kt_svc_cmd(struct kt_sock *s, uint8_t cmd, const struct kt_svc *svc,
	       const struct kt_ovr *ovr, int n_ovr, struct kt_err *e)
{
	struct kt_msg m;
	struct kt_err local;
	int ret;

	if (!e)
		e = &local;
	if (kt_msg_init(&m, s, cmd, 0)) {
		local_err(e, ENOMEM, "kt_msg_init");
		return e->err;
	}
	kt_msg_put_svc(&m, svc, ovr, n_ovr);
	ret = kt_send(s, &m, e, NULL, NULL);
	kt_msg_free(&m);
	return ret;
}

/*
 * @cmd without attributes but BATCH_COMMIT's count; its replies, if any,
 * go to @cb.
 */
static int query(struct kt_sock *s, uint8_t cmd, struct kt_err *e,
		 kt_cb cb, void *data)
{
	struct kt_msg m;
	struct kt_err local;
	int ret;

	if (!e)
		e = &local;
	if (kt_msg_init(&m, s, cmd, 0)) {
		local_err(e, ENOMEM, "kt_msg_init");
		return e->err;
	}
	if (cmd == KGATE_CMD_BATCH_COMMIT)
		mnl_attr_put_u32(m.nlh, KGATE_A_BATCH_COUNT, s->batch_sent);
	ret = kt_send(s, &m, e, cb, data);
	kt_msg_free(&m);
	return ret;
}

int kt_cmd(struct kt_sock *s, uint8_t cmd, struct kt_err *e)
{
	return query(s, cmd, e, NULL, NULL);
}

int kt_del(struct kt_sock *s, const char *name, struct kt_err *e)
{
	struct kt_svc svc;

	kt_svc_init(&svc, name);
	return kt_svc_cmd(s, KGATE_CMD_SERVICE_DEL, &svc, NULL, 0, e);
}

/* -------------------------------------------------------------- parsing */

static void copy_addr(const struct nlattr *a, uint8_t *out, int *alen)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	*alen = len;
	memcpy(out, mnl_attr_get_payload(a), len > 16 ? 16 : len);
}

static int parse_fe(const struct nlattr *item, struct kt_fe_info *f)
{
	const struct nlattr *a;

	memset(f, 0, sizeof(*f));
	mnl_attr_for_each_nested(a, item) {
		switch (mnl_attr_get_type(a)) {
		case KGATE_FE_A_ADDR:
			copy_addr(a, f->addr, &f->alen);
			break;
		case KGATE_FE_A_PORT:
			f->has_port = true;
			f->port = mnl_attr_get_u16(a);
			break;
		case KGATE_FE_A_PROTO:
			f->has_proto = true;
			f->proto = mnl_attr_get_u8(a);
			break;
		case KGATE_FE_A_KIND:
			f->has_kind = true;
			f->kind = mnl_attr_get_u8(a);
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_be(const struct nlattr *item, struct kt_be_info *e)
{
	const struct nlattr *a;

	memset(e, 0, sizeof(*e));
	mnl_attr_for_each_nested(a, item) {
		switch (mnl_attr_get_type(a)) {
		case KGATE_BE_A_ADDR:
			copy_addr(a, e->addr, &e->alen);
			break;
		case KGATE_BE_A_PORT:
			e->has_port = true;
			e->port = mnl_attr_get_u16(a);
			break;
		case KGATE_BE_A_WEIGHT:
			e->has_weight = true;
			e->weight = mnl_attr_get_u32(a);
			break;
		case KGATE_BE_A_STATE:
			e->has_state = true;
			e->state = mnl_attr_get_u8(a);
			break;
		case KGATE_BE_A_FLAGS:
			e->has_flags = true;
			e->flags = mnl_attr_get_u32(a);
			break;
		case KGATE_BE_A_COUNTERS:
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_rng(const struct nlattr *item, struct kt_rng_info *r)
{
	const struct nlattr *a;

	memset(r, 0, sizeof(*r));
	mnl_attr_for_each_nested(a, item) {
		switch (mnl_attr_get_type(a)) {
		case KGATE_RANGE_A_ADDR:
			copy_addr(a, r->addr, &r->alen);
			break;
		case KGATE_RANGE_A_PLEN:
			r->has_plen = true;
			r->plen = mnl_attr_get_u8(a);
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

static int count_items(const struct nlattr *list)
{
	const struct nlattr *a;
	int n = 0;

	mnl_attr_for_each_nested(a, list)
		n++;
	return n;
}

static int parse_list(const struct nlattr *list, int which,
		      struct kt_svc_info *info)
{
	const struct nlattr *a;
	int n = count_items(list), i = 0, err = 0;

	if (which == 0) {
		info->fe = calloc(n + 1, sizeof(*info->fe));
		if (!info->fe)
			return -ENOMEM;
	} else if (which == 1) {
		info->be = calloc(n + 1, sizeof(*info->be));
		if (!info->be)
			return -ENOMEM;
	} else {
		info->rng = calloc(n + 1, sizeof(*info->rng));
		if (!info->rng)
			return -ENOMEM;
	}
	mnl_attr_for_each_nested(a, list) {
		if (mnl_attr_get_type(a) != KGATE_A_LIST_ITEM)
			return -EINVAL;
		if (which == 0)
			err = parse_fe(a, &info->fe[i]);
		else if (which == 1)
			err = parse_be(a, &info->be[i]);
		else
			err = parse_rng(a, &info->rng[i]);
		if (err)
			return err;
		i++;
	}
	if (which == 0)
		info->n_fe = n;
	else if (which == 1)
		info->n_be = n;
	else
		info->n_rng = n;
	return 0;
}

static const struct nlattr *find_top(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

int kt_parse_svc(const struct nlmsghdr *nlh, struct kt_svc_info *info)
{
	const struct nlattr *svc = find_top(nlh, KGATE_A_SERVICE), *a;
	int err = 0;

	memset(info, 0, sizeof(*info));
	if (!svc)
		return -EINVAL;
	mnl_attr_for_each_nested(a, svc) {
		switch (mnl_attr_get_type(a)) {
		case KGATE_SVC_A_NAME:
			snprintf(info->name, sizeof(info->name), "%.*s",
				 (int)mnl_attr_get_payload_len(a),
				 (const char *)mnl_attr_get_payload(a));
			break;
		case KGATE_SVC_A_OWNER:
			info->has_owner = true;
			snprintf(info->owner, sizeof(info->owner), "%.*s",
				 (int)mnl_attr_get_payload_len(a),
				 (const char *)mnl_attr_get_payload(a));
			break;
		case KGATE_SVC_A_SCHED:
			info->has_sched = true;
			info->sched = mnl_attr_get_u8(a);
			break;
		case KGATE_SVC_A_TABLE_SIZE:
			info->has_table_size = true;
			info->table_size = mnl_attr_get_u32(a);
			break;
		case KGATE_SVC_A_AFFINITY:
			info->has_affinity = true;
			info->affinity = mnl_attr_get_u8(a);
			break;
		case KGATE_SVC_A_AFFINITY_TIMEOUT:
			info->has_timeout = true;
			info->timeout = mnl_attr_get_u32(a);
			break;
		case KGATE_SVC_A_EXT_POLICY:
			info->has_ext_policy = true;
			info->ext_policy = mnl_attr_get_u8(a);
			break;
		case KGATE_SVC_A_INT_POLICY:
			info->has_int_policy = true;
			info->int_policy = mnl_attr_get_u8(a);
			break;
		case KGATE_SVC_A_SOURCE_RANGES:
			err = parse_list(a, 2, info);
			break;
		case KGATE_SVC_A_FRONTENDS:
			err = parse_list(a, 0, info);
			break;
		case KGATE_SVC_A_BACKENDS:
			err = parse_list(a, 1, info);
			break;
		case KGATE_SVC_A_COUNTERS:
		case KGATE_SVC_A_PAD:
			break;
		default:
			info->n_unknown++;
			break;
		}
		if (err) {
			kt_svc_info_free(info);
			return err;
		}
	}
	return 0;
}

void kt_svc_info_free(struct kt_svc_info *info)
{
	free(info->fe);
	free(info->be);
	free(info->rng);
	info->fe = NULL;
	info->be = NULL;
	info->rng = NULL;
	info->n_fe = info->n_be = info->n_rng = 0;
}

struct get_ctx {
	struct kt_svc_info *info;
	int n;
};

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *g = data;

	if (g->n++)
		return -EPROTO;		/* a doit GET answers one message */
	return kt_parse_svc(nlh, g->info);
}

int kt_get(struct kt_sock *s, const char *name, struct kt_svc_info *info,
	   struct kt_err *e)
{
	struct kt_svc svc;
	struct kt_msg m;
	struct kt_err local;
	struct get_ctx g = { .info = info };
	int ret;

	if (!e)
		e = &local;
	memset(info, 0, sizeof(*info));
	kt_svc_init(&svc, name);
	if (kt_msg_init(&m, s, KGATE_CMD_SERVICE_GET, 0)) {
		local_err(e, ENOMEM, "kt_msg_init");
		return e->err;
	}
	kt_msg_put_svc(&m, &svc, NULL, 0);
	ret = kt_send(s, &m, e, get_cb, &g);
	kt_msg_free(&m);
	if (!ret && g.n != 1)
		local_err(e, EPROTO, "GET answered no service");
	if (e->err)
		kt_svc_info_free(info);
	return e->err;
}

/* ----------------------------------------------------------- comparing */

struct tuple {
	uint8_t addr[16];
	int alen;
	uint32_t a, b, c, d;	/* port, then the other fields */
};

static int tuple_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct tuple));
}

static long long dflt(long long v, long long d)
{
	return v == KT_UNSET ? d : v;
}

static int cmp_tuples(const char *what, struct tuple *exp, int n_exp,
		      struct tuple *got, int n_got, char *why, size_t whylen)
{
	char ea[INET6_ADDRSTRLEN] = "?", ga[INET6_ADDRSTRLEN] = "?";

	if (n_exp != n_got) {
		snprintf(why, whylen, "%s: expected %d entries, got %d", what,
			 n_exp, n_got);
		return -1;
	}
	qsort(exp, n_exp, sizeof(*exp), tuple_cmp);
	qsort(got, n_got, sizeof(*got), tuple_cmp);
	for (int i = 0; i < n_exp; i++) {
		if (!tuple_cmp(&exp[i], &got[i]))
			continue;
		inet_ntop(exp[i].alen == 16 ? AF_INET6 : AF_INET, exp[i].addr,
			  ea, sizeof(ea));
		if (got[i].alen == 4 || got[i].alen == 16)
			inet_ntop(got[i].alen == 16 ? AF_INET6 : AF_INET,
				  got[i].addr, ga, sizeof(ga));
		snprintf(why, whylen,
			 "%s: expected %s(len %d) %u/%u/%u/%u, got %s(len %d) %u/%u/%u/%u",
			 what, ea, exp[i].alen, exp[i].a, exp[i].b, exp[i].c,
			 exp[i].d, ga, got[i].alen, got[i].a, got[i].b,
			 got[i].c, got[i].d);
		return -1;
	}
	return 0;
}

static bool is_prime(uint32_t n)
{
	if (n < 2)
		return false;
	for (uint32_t d = 2; (uint64_t)d * d <= n; d++)
		if (n % d == 0)
			return false;
	return true;
}

int kt_svc_expect(const struct kt_svc *sent, const struct kt_svc_info *got,
		  char *why, size_t whylen)
{
	struct tuple *e = NULL, *g = NULL;
	int n, ret = -1;

	if (!sent->name || strcmp(sent->name, got->name)) {
		snprintf(why, whylen, "name: expected '%s', got '%s'",
			 sent->name ? sent->name : "(null)", got->name);
		return -1;
	}
	if (!sent->owner != !got->has_owner ||
	    (sent->owner && strcmp(sent->owner, got->owner))) {
		snprintf(why, whylen, "owner: expected %s, got %s",
			 sent->owner ? sent->owner : "none",
			 got->has_owner ? got->owner : "none");
		return -1;
	}
#define OPT(field, has, dv) do { \
		long long want = dflt(sent->field, (dv)); \
		if (!got->has || (long long)got->field != want) { \
			snprintf(why, whylen, "%s: expected %lld, got %s%lld", \
				 #field, want, got->has ? "" : "(absent) ", \
				 (long long)got->field); \
			return -1; \
		} \
	} while (0)
	OPT(sched, has_sched, KGATE_SCHED_MAGLEV);
	OPT(affinity, has_affinity, KGATE_AFFINITY_NONE);
	OPT(timeout, has_timeout, KGATE_TIMEOUT_DEFAULT);
	OPT(ext_policy, has_ext_policy, KGATE_POLICY_CLUSTER);
	OPT(int_policy, has_int_policy, KGATE_POLICY_CLUSTER);
#undef OPT
	/* Default 0: chosen by the kernel, which may report 0, its choice,
	 * or leave the attribute out.
	 */
	if (!got->has_table_size && sent->table_size != KT_UNSET) {
		snprintf(why, whylen, "table_size: absent");
		return -1;
	}
	if (!got->has_table_size) {
		/* not sent, not reported */
	} else if (sent->table_size != KT_UNSET) {
		if (got->table_size != sent->table_size) {
			snprintf(why, whylen, "table_size: expected %lld, got %u",
				 sent->table_size, got->table_size);
			return -1;
		}
	} else if (got->table_size != 0 &&
		   (!is_prime(got->table_size) ||
		    got->table_size < KGATE_TABLE_SIZE_MIN ||
		    got->table_size > KGATE_TABLE_SIZE_MAX ||
		    got->table_size < 100u * (uint32_t)sent->n_be)) {
		snprintf(why, whylen,
			 "table_size: not sent, got %u (neither 0 nor a valid prime >= 100 x %d backends)",
			 got->table_size, sent->n_be);
		return -1;
	}
	if (got->n_unknown) {
		snprintf(why, whylen, "%d unexpected attributes in the service",
			 got->n_unknown);
		return -1;
	}

	n = sent->n_fe > sent->n_be ? sent->n_fe : sent->n_be;
	n = n > sent->n_rng ? n : sent->n_rng;
	n = n > got->n_fe ? n : got->n_fe;
	n = n > got->n_be ? n : got->n_be;
	n = n > got->n_rng ? n : got->n_rng;
	e = calloc(n + 1, sizeof(*e));
	g = calloc(n + 1, sizeof(*g));
	if (!e || !g) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}

	for (int i = 0; i < sent->n_fe; i++) {
		const struct kt_fe *f = &sent->fe[i];

		e[i].alen = kt_addr_parse(f->addr, e[i].addr);
		e[i].a = (uint32_t)f->port;
		e[i].b = (uint32_t)dflt(f->proto, IPPROTO_TCP);
		e[i].c = (uint32_t)dflt(f->kind, KGATE_FE_CLUSTER);
	}
	for (int i = 0; i < got->n_fe; i++) {
		const struct kt_fe_info *f = &got->fe[i];

		memcpy(g[i].addr, f->addr, 16);
		g[i].alen = f->alen;
		g[i].a = f->has_port ? f->port : 0xdead0000;
		g[i].b = f->has_proto ? f->proto : 0xdead0000;
		g[i].c = f->has_kind ? f->kind : 0xdead0000;
	}
	if (cmp_tuples("frontends (addr port/proto/kind)", e, sent->n_fe, g,
		       got->n_fe, why, whylen))
		goto out;

	memset(e, 0, (n + 1) * sizeof(*e));
	memset(g, 0, (n + 1) * sizeof(*g));
	for (int i = 0; i < sent->n_be; i++) {
		const struct kt_be *b = &sent->be[i];

		e[i].alen = kt_addr_parse(b->addr, e[i].addr);
		e[i].a = (uint32_t)b->port;
		e[i].b = (uint32_t)dflt(b->weight, 1);
		e[i].c = (uint32_t)dflt(b->state, KGATE_BE_READY);
		e[i].d = (uint32_t)dflt(b->flags, 0);
	}
	for (int i = 0; i < got->n_be; i++) {
		const struct kt_be_info *b = &got->be[i];

		memcpy(g[i].addr, b->addr, 16);
		g[i].alen = b->alen;
		g[i].a = b->has_port ? b->port : 0xdead0000;
		g[i].b = b->has_weight ? b->weight : 0xdead0000;
		g[i].c = b->has_state ? b->state : 0xdead0000;
		g[i].d = b->has_flags ? b->flags : 0xdead0000;
	}
	if (cmp_tuples("backends (addr port/weight/state/flags)", e,
		       sent->n_be, g, got->n_be, why, whylen))
		goto out;

	memset(e, 0, (n + 1) * sizeof(*e));
	memset(g, 0, (n + 1) * sizeof(*g));
	for (int i = 0; i < sent->n_rng; i++) {
		e[i].alen = kt_addr_parse(sent->rng[i].addr, e[i].addr);
		e[i].a = (uint32_t)sent->rng[i].plen;
	}
	for (int i = 0; i < got->n_rng; i++) {
		memcpy(g[i].addr, got->rng[i].addr, 16);
		g[i].alen = got->rng[i].alen;
		g[i].a = got->rng[i].has_plen ? got->rng[i].plen : 0xdead0000;
	}
	if (cmp_tuples("source ranges (addr plen)", e, sent->n_rng, g,
		       got->n_rng, why, whylen))
		goto out;
	ret = 0;
out:
	free(e);
	free(g);
	return ret;
}

/* ---------------------------------------------------------------- dumps */

struct dump_entry {
	char name[KGATE_NAME_MAX];
	size_t idx;
	char *data;
	size_t len;
};

struct dump_ctx {
	struct dump_entry *v;
	size_t n, cap;
	bool intr;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	const struct nlattr *svc = find_top(nlh, KGATE_A_SERVICE), *a;
	struct dump_entry *de;
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct genlmsghdr));

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct dump_entry *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	de = &d->v[d->n];
	memset(de, 0, sizeof(*de));
	de->idx = d->n;
	if (svc) {
		mnl_attr_for_each_nested(a, svc) {
			if (mnl_attr_get_type(a) == KGATE_SVC_A_NAME)
				snprintf(de->name, sizeof(de->name), "%.*s",
					 (int)mnl_attr_get_payload_len(a),
					 (const char *)mnl_attr_get_payload(a));
		}
	}
	if (nlh->nlmsg_len < off)
		return -EPROTO;
	de->len = nlh->nlmsg_len - off;
	de->data = malloc(de->len + 1);
	if (!de->data)
		return -ENOMEM;
	memcpy(de->data, (const char *)nlh + off, de->len);
	d->n++;
	return 0;
}

static int dump_entry_cmp(const void *x, const void *y)
{
	const struct dump_entry *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

int kt_dump(struct kt_sock *s, char **canon, size_t *len, int *n,
	    struct kt_err *e)
{
	return kt_dump_name(s, NULL, canon, len, n, e);
}

int kt_dump_name(struct kt_sock *s, const char *name, char **canon,
		 size_t *len, int *n, struct kt_err *e)
{
	struct dump_ctx d = { 0 };
	struct kt_svc svc;
	struct kt_msg m;
	struct kt_err local;
	size_t total = 0, pos = 0;
	int ret, services = 0;

	if (!e)
		e = &local;
	*canon = NULL;
	*len = 0;
	if (kt_msg_init(&m, s, KGATE_CMD_SERVICE_GET, NLM_F_DUMP)) {
		local_err(e, ENOMEM, "kt_msg_init");
		return e->err;
	}
	if (name) {
		kt_svc_init(&svc, name);
		kt_msg_put_svc(&m, &svc, NULL, 0);
	}
	ret = kt_send(s, &m, e, dump_cb, &d);
	kt_msg_free(&m);
	e->dump_intr = d.intr;
	if (!ret) {
		qsort(d.v, d.n, sizeof(*d.v), dump_entry_cmp);
		for (size_t i = 0; i < d.n; i++) {
			total += sizeof(uint32_t) + d.v[i].len;
			if (i == 0 || strcmp(d.v[i].name, d.v[i - 1].name))
				services++;
		}
		*canon = malloc(total + 1);
		if (!*canon) {
			local_err(e, ENOMEM, "dump");
			ret = e->err;
		} else {
			for (size_t i = 0; i < d.n; i++) {
				uint32_t l = (uint32_t)d.v[i].len;

				memcpy(*canon + pos, &l, sizeof(l));
				pos += sizeof(l);
				memcpy(*canon + pos, d.v[i].data, l);
				pos += l;
			}
			*len = total;
		}
	}
	if (n)
		*n = services;
	for (size_t i = 0; i < d.n; i++)
		free(d.v[i].data);
	free(d.v);
	return ret;
}

int kt_dump_equals(struct kt_sock *s, const char *canon, size_t len)
{
	char *now;
	size_t now_len;
	int eq;

	if (kt_dump(s, &now, &now_len, NULL, NULL))
		return -1;
	eq = now_len == len && (len == 0 || !memcmp(now, canon, len));
	free(now);
	return eq;
}

/* ---------------------------------------------------------------- stats */

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kt_stats *st = data;
	const struct nlattr *nest = find_top(nlh, KGATE_A_STATS), *a;

	if (!nest)
		return -EPROTO;
	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);
		uint64_t v;

		if (mnl_attr_get_payload_len(a) == 8)
			v = mnl_attr_get_u64(a);
		else if (mnl_attr_get_payload_len(a) == 4)
			v = mnl_attr_get_u32(a);
		else if (mnl_attr_get_payload_len(a) == 1)
			v = mnl_attr_get_u8(a);
		else
			continue;
		if (t <= KGATE_STATS_A_MAX)
			st->has[t] = true;
		switch (t) {
		case KGATE_STATS_A_SERVICES:
			st->services = (uint32_t)v;
			break;
		case KGATE_STATS_A_FRONTENDS:
			st->frontends = (uint32_t)v;
			break;
		case KGATE_STATS_A_BACKENDS:
			st->backends = (uint32_t)v;
			break;
		case KGATE_STATS_A_MAX_SERVICES:
			st->max_services = (uint32_t)v;
			break;
		case KGATE_STATS_A_MAX_BACKENDS:
			st->max_backends = (uint32_t)v;
			break;
		case KGATE_STATS_A_COMMITS:
			st->commits = v;
			break;
		case KGATE_STATS_A_GENERATION:
			st->generation = v;
			break;
		case KGATE_STATS_A_BATCHES_OPEN:
			st->batches_open = (uint32_t)v;
			break;
		case KGATE_STATS_A_NAT_HOOKS:
			st->nat_hooks = (uint8_t)v;
			break;
		case KGATE_STATS_A_FLOW_WALKS:
			st->flow_walks = v;
			break;
		case KGATE_STATS_A_AFFINITY_CLIENTS:
			st->affinity_clients = (uint32_t)v;
			break;
		case KGATE_STATS_A_AFFINITY_DROPPED:
			st->affinity_dropped = v;
			break;
		case KGATE_STATS_A_MAX_AFFINITY:
			st->max_affinity = (uint32_t)v;
			break;
		case KGATE_STATS_A_LISTENERS:
			st->listeners = (uint32_t)v;
			break;
		case KGATE_STATS_A_ROUTES:
			st->routes = (uint32_t)v;
			break;
		case KGATE_STATS_A_UPSTREAM_IDLE:
			st->upstream_idle = (uint32_t)v;
			break;
		case KGATE_STATS_A_UPSTREAM_NO_ROOM:
			st->upstream_no_room = v;
			break;
		}
	}
	return 0;
}

int kt_stats(struct kt_sock *s, struct kt_stats *st, struct kt_err *e)
{
	memset(st, 0, sizeof(*st));
	return query(s, KGATE_CMD_STATS_GET, e, stats_cb, st);
}

/* ----------------------------------------------------------------- node */

int kt_node_set(struct kt_sock *s, const struct kt_range *rng, int n,
		struct kt_err *e)
{
	struct kt_msg m;
	struct kt_err local;
	int ret;

	if (!e)
		e = &local;
	if (kt_msg_init(&m, s, KGATE_CMD_NODE_SET, 0)) {
		local_err(e, ENOMEM, "kt_msg_init");
		return e->err;
	}
	kt_msg_put_node(&m, rng, n, NULL, 0);
	ret = kt_send(s, &m, e, NULL, NULL);
	kt_msg_free(&m);
	return ret;
}

static int node_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kt_node_info *info = data;
	const struct nlattr *nest = find_top(nlh, KGATE_A_NODE), *a, *item;

	if (!nest)
		return 0;
	info->has_node = true;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != KGATE_NODE_A_LOCAL_RANGES) {
			info->n_unknown++;
			continue;
		}
		mnl_attr_for_each_nested(item, a) {
			if (mnl_attr_get_type(item) != KGATE_A_LIST_ITEM ||
			    info->n_rng >= KGATE_RANGES_MAX + 1)
				return -EPROTO;
			if (parse_rng(item, &info->rng[info->n_rng]))
				return -EPROTO;
			info->n_rng++;
		}
	}
	return 0;
}

int kt_node_get(struct kt_sock *s, struct kt_node_info *info,
		struct kt_err *e)
{
	struct kt_err local;
	int ret;

	if (!e)
		e = &local;
	memset(info, 0, sizeof(*info));
	ret = query(s, KGATE_CMD_NODE_GET, e, node_cb, info);
	if (!ret && !info->has_node) {
		local_err(e, EPROTO, "NODE_GET reply without KGATE_A_NODE");
		ret = e->err;
	}
	return ret;
}

int kt_node_expect(const struct kt_range *rng, int n,
		   const struct kt_node_info *got, char *why, size_t whylen)
{
	struct tuple e[KGATE_RANGES_MAX + 1], g[KGATE_RANGES_MAX + 1];

	if (got->n_unknown) {
		snprintf(why, whylen, "%d unexpected attributes in the node",
			 got->n_unknown);
		return -1;
	}
	if (n > KGATE_RANGES_MAX + 1 || got->n_rng > KGATE_RANGES_MAX + 1) {
		snprintf(why, whylen, "too many ranges to compare");
		return -1;
	}
	memset(e, 0, sizeof(e));
	memset(g, 0, sizeof(g));
	for (int i = 0; i < n; i++) {
		e[i].alen = kt_addr_parse(rng[i].addr, e[i].addr);
		e[i].a = (uint32_t)rng[i].plen;
	}
	for (int i = 0; i < got->n_rng; i++) {
		memcpy(g[i].addr, got->rng[i].addr, 16);
		g[i].alen = got->rng[i].alen;
		g[i].a = got->rng[i].has_plen ? got->rng[i].plen : 0xdead0000;
	}
	return cmp_tuples("local ranges (addr plen)", e, n, g, got->n_rng,
			  why, whylen);
}

/* --------------------------------------------------------------- events */

static int event_parse(const struct nlmsghdr *nlh, struct kt_event *ev)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	ev->cmd = g->cmd;
	a = find_top(nlh, KGATE_A_GENERATION);
	if (a && mnl_attr_get_payload_len(a) == 8) {
		ev->has_generation = true;
		ev->generation = mnl_attr_get_u64(a);
	}
	if (find_top(nlh, KGATE_A_SERVICE)) {
		ev->svc = calloc(1, sizeof(*ev->svc));
		if (!ev->svc)
			return -ENOMEM;
		if (kt_parse_svc(nlh, ev->svc)) {
			free(ev->svc);
			ev->svc = NULL;
			return -EPROTO;
		}
		snprintf(ev->name, sizeof(ev->name), "%s", ev->svc->name);
	}
	return 0;
}

int kt_event_next(struct kt_sock *s, int timeout_ms, struct kt_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	for (;;) {
		while (s->ev_off < s->ev_len) {
			const struct nlmsghdr *nlh =
				(const void *)(s->rbuf + s->ev_off);
			int left = (int)(s->ev_len - s->ev_off);

			if (!mnl_nlmsg_ok(nlh, left)) {
				s->ev_off = s->ev_len = 0;
				break;
			}
			s->ev_off += NLMSG_ALIGN(nlh->nlmsg_len);
			if (nlh->nlmsg_type != s->family)
				continue;
			return event_parse(nlh, ev);
		}
		struct pollfd pfd = {
			.fd = mnl_socket_get_fd(s->nl), .events = POLLIN,
		};
		int r = poll(&pfd, 1, timeout_ms);
		ssize_t n;

		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = recv(pfd.fd, s->rbuf, s->rbuf_len, 0);
		if (n < 0)
			return -errno;
		s->ev_off = 0;
		s->ev_len = (size_t)n;
	}
}

void kt_event_free(struct kt_event *ev)
{
	if (ev->svc) {
		kt_svc_info_free(ev->svc);
		free(ev->svc);
	}
	memset(ev, 0, sizeof(*ev));
}

/* ------------------------------------------------------------ pipelining */

int kt_pipe_init(struct kt_pipe *p, struct kt_sock *s)
{
	memset(p, 0, sizeof(*p));
	p->s = s;
	p->cap = 128 * 1024;
	p->max_queued = 256;
	p->buf = malloc(p->cap);
	return p->buf ? 0 : -ENOMEM;
}

int kt_pipe_flush(struct kt_pipe *p)
{
	int acked = 0;

	if (!p->queued)
		return 0;
	if (mnl_socket_sendto(p->s->nl, p->buf, p->len) < 0)
		return -errno;
	count_sent(p->s, p->buf, p->len);
	if (p->no_ack)
		acked = p->queued;
	while (acked < p->queued) {
		ssize_t n = mnl_socket_recvfrom(p->s->nl, p->s->rbuf,
						p->s->rbuf_len);
		const struct nlmsghdr *r;
		int left;

		if (n < 0)
			return -errno;
		left = (int)n;
		for (r = (const void *)p->s->rbuf; mnl_nlmsg_ok(r, left);
		     r = mnl_nlmsg_next(r, &left)) {
			struct kt_err e;

			if (r->nlmsg_type != NLMSG_ERROR ||
			    r->nlmsg_seq - p->seq_lo >= (uint32_t)p->queued)
				continue;
			acked++;
			parse_error_msg(r, &e);
			if (e.err) {
				if (!p->refused++) {
					p->first = e;
					p->first_refused_seq = r->nlmsg_seq;
				}
			}
		}
	}
	p->sent += p->queued;
	p->queued = 0;
	p->len = 0;
	return 0;
}

int kt_pipe_add(struct kt_pipe *p, const struct kt_msg *m)
{
	size_t l = NLMSG_ALIGN(m->nlh->nlmsg_len);
	int err;

	if (l > p->cap)
		return -EMSGSIZE;
	if (p->len + l > p->cap || p->queued >= p->max_queued) {
		err = kt_pipe_flush(p);
		if (err)
			return err;
	}
	if (!p->queued)
		p->seq_lo = m->nlh->nlmsg_seq;
	memcpy(p->buf + p->len, m->nlh, m->nlh->nlmsg_len);
	if (p->no_ack)
		((struct nlmsghdr *)(p->buf + p->len))->nlmsg_flags &=
			~NLM_F_ACK;
	p->len += l;
	p->queued++;
	return 0;
}

void kt_pipe_free(struct kt_pipe *p)
{
	free(p->buf);
	memset(p, 0, sizeof(*p));
}

/* ------------------------------------------------------------ bulk adds */

static void bulk_addr(char *buf, size_t len, int v6_block, int v4_net,
		      long i)
{
	if (i < 65536)
		snprintf(buf, len, "198.%d.%ld.%ld", v4_net, (i >> 8) & 255,
			 i & 255);
	else
		snprintf(buf, len, "2001:db8:%x:%lx::%lx", v6_block, i >> 16,
			 i & 0xffff);
}

int kt_add_many(struct kt_sock *s, long n, const char *prefix, int n_be,
		bool acks, struct kt_err *e)
{
	struct kt_pipe p;
	struct kt_msg m;
	struct kt_be be[16];
	char ba[16][48];
	int r;

	if (n_be > 16)
		n_be = 16;
	r = kt_cmd(s, KGATE_CMD_BATCH_BEGIN, e);
	if (r)
		return r;
	if (kt_pipe_init(&p, s) || kt_msg_init(&m, s, 0, 0)) {
		local_err(e, ENOMEM, "kt_add_many");
		return e->err;
	}
	p.no_ack = !acks;
	for (long i = 0; i < n && !r; i++) {
		char name[128], fa[48];
		struct kt_svc svc;
		struct kt_fe fe = KT_FE(fa, 80);

		snprintf(name, sizeof(name), "%s/svc-%ld:80", prefix, i);
		bulk_addr(fa, sizeof(fa), 1, 18, i);
		for (int b = 0; b < n_be; b++) {
			bulk_addr(ba[b], sizeof(ba[b]), 2, 19, i);
			be[b] = (struct kt_be)KT_BE(ba[b], 8080 + b);
		}
		kt_svc_init(&svc, name);
		svc.fe = &fe;
		svc.n_fe = 1;
		svc.be = be;
		svc.n_be = n_be;
		kt_msg_reset(&m, s, KGATE_CMD_SERVICE_ADD, 0);
		kt_msg_put_svc(&m, &svc, NULL, 0);
		r = kt_pipe_add(&p, &m);
	}
	if (!r)
		r = kt_pipe_flush(&p);
	kt_msg_free(&m);
	if (r) {
		kt_pipe_free(&p);
		kt_cmd(s, KGATE_CMD_BATCH_ABORT, NULL);
		local_err(e, -r, "sending the batch");
		return e->err;
	}
	if (p.refused) {
		*e = p.first;
		kt_pipe_free(&p);
		kt_cmd(s, KGATE_CMD_BATCH_ABORT, NULL);
		return e->err;
	}
	kt_pipe_free(&p);
	return kt_cmd(s, KGATE_CMD_BATCH_COMMIT, e);
}
