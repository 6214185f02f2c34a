// SPDX-License-Identifier: GPL-2.0
/* libkgate encode.c / decode.c: round trips, wire layout, strictness. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/kgate.h>

#include "kgate_attrpath.h"
#include "kgate_monitor.h"
#include "kgate_msg.h"
#include "kgate_parse.h"
#include "tap.h"

static uint32_t buf[KGATE_MSG_HDRLEN + 70000];
static char why[200];

static struct kgate_addr addr(const char *s)
{
	struct kgate_addr a;

	kgate_parse_addr(s, &a);
	return a;
}

static void add_fe(struct kgate_service *svc, const char *a, uint16_t port,
		   uint8_t proto, uint8_t kind)
{
	struct kgate_frontend fe = { addr(a), port, proto, kind };

	kgate_service_add_frontend(svc, &fe);
}

static void add_be(struct kgate_service *svc, const char *a, uint16_t port,
		   uint32_t has, uint32_t weight, uint8_t state, uint32_t flags)
{
	struct kgate_backend be;

	kgate_backend_init(&be);
	be.addr = addr(a);
	be.port = port;
	be.has = has;
	if (has & KGATE_BE_HAS_WEIGHT)
		be.weight = weight;
	if (has & KGATE_BE_HAS_STATE)
		be.state = state;
	if (has & KGATE_BE_HAS_FLAGS)
		be.flags = flags;
	kgate_service_add_backend(svc, &be);
}

static void rich_service(struct kgate_service *svc)
{
	struct kgate_range r1 = { addr("192.168.0.0"), 16 };
	struct kgate_range r2 = { addr("fd00::"), 8 };

	kgate_service_init(svc);
	kgate_service_set_name(svc, "default/web:http");
	svc->sched = KGATE_SCHED_RR;
	svc->table_size = 1009;
	svc->affinity = KGATE_AFFINITY_CLIENTIP;
	svc->timeout = 60;
	svc->ext_policy = KGATE_POLICY_LOCAL;
	svc->int_policy = KGATE_POLICY_LOCAL;
	svc->has = KGATE_SVC_HAS_SCHED | KGATE_SVC_HAS_TABLE_SIZE |
		   KGATE_SVC_HAS_AFFINITY | KGATE_SVC_HAS_TIMEOUT |
		   KGATE_SVC_HAS_EXT_POLICY | KGATE_SVC_HAS_INT_POLICY;
	kgate_service_add_range(svc, &r1);
	kgate_service_add_range(svc, &r2);
	add_fe(svc, "10.96.0.10", 80, IPPROTO_TCP, KGATE_FE_CLUSTER);
	add_fe(svc, "::", 30080, IPPROTO_UDP, KGATE_FE_NODEPORT);
	add_fe(svc, "203.0.113.7", 443, IPPROTO_SCTP, KGATE_FE_LOADBALANCER);
	add_be(svc, "10.244.1.5", 8080, 0, 0, 0, 0);
	add_be(svc, "fd00::5", 8080, KGATE_BE_HAS_WEIGHT | KGATE_BE_HAS_STATE,
	       0, KGATE_BE_TERMINATING, 0);
	add_be(svc, "10.244.2.9", 9090, KGATE_BE_HAS_FLAGS | KGATE_BE_HAS_WEIGHT,
	       10000, 0, KGATE_BE_F_LOCAL);
}

/* Encode @svc as a SERVICE_ADD and decode it back into @out. */
static int round_trip(const struct kgate_service *svc,
		      struct kgate_service *out)
{
	struct nlmsghdr *nlh = kgate_msg_start(buf, 0x42,
					       KGATE_CMD_SERVICE_ADD, 0, 7);
	const struct nlattr *a;
	int err = kgate_put_service(nlh, sizeof(buf), svc);

	kgate_service_init(out);
	if (err)
		return err;
	a = kgate_msg_attr(nlh, KGATE_A_SERVICE);
	if (!a)
		return -ENOENT;
	return kgate_parse_service(a, out, why, sizeof(why));
}

TEST(test_header)
{
	struct nlmsghdr *nlh = kgate_msg_start(buf, 0x42,
					       KGATE_CMD_BACKEND_SET,
					       NLM_F_ACK, 99);
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	CHECK_INT(nlh->nlmsg_type, 0x42);
	CHECK_INT(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	CHECK_INT(nlh->nlmsg_seq, 99);
	CHECK_INT(nlh->nlmsg_len, KGATE_MSG_HDRLEN);
	CHECK_INT(g->cmd, KGATE_CMD_BACKEND_SET);
	CHECK_INT(g->version, KGATE_GENL_VERSION);
	CHECK_INT(g->reserved, 0);
	CHECK_INT(kgate_msg_cmd(nlh), KGATE_CMD_BACKEND_SET);
}

TEST(test_round_trip_rich)
{
	struct kgate_service svc, back;

	rich_service(&svc);
	CHECK_INT(round_trip(&svc, &back), 0);
	CHECK(kgate_service_equal(&svc, &back));
	CHECK_STR(back.name, "default/web:http");
	CHECK_INT(back.n_frontends, 3);
	CHECK_INT(back.n_backends, 3);
	CHECK_INT(back.n_ranges, 2);
	CHECK_INT(back.frontends[1].addr.family, AF_INET6);
	CHECK_INT(back.frontends[1].port, 30080);
	CHECK_INT(back.frontends[2].proto, IPPROTO_SCTP);
	CHECK_INT(back.backends[0].has, 0);
	CHECK_INT(back.backends[0].weight, 1);	/* default when absent */
	CHECK_INT(back.backends[1].state, KGATE_BE_TERMINATING);
	CHECK_INT(back.backends[1].weight, 0);
	CHECK_INT(back.backends[2].weight, 10000);
	CHECK_INT(back.backends[2].flags, KGATE_BE_F_LOCAL);
	CHECK_INT(back.ranges[1].plen, 8);
	CHECK_INT(back.timeout, 60);
	/* the comparison itself notices a change */
	back.backends[2].weight = 9999;
	CHECK(!kgate_service_equal(&svc, &back));
	back.backends[2].weight = 10000;
	back.ranges[0].plen = 17;
	CHECK(!kgate_service_equal(&svc, &back));
	kgate_service_free(&back);
	kgate_service_free(&svc);
}

TEST(test_round_trip_minimal)
{
	struct kgate_service svc, back;

	kgate_service_init(&svc);
	kgate_service_set_name(&svc, "x");
	CHECK_INT(round_trip(&svc, &back), 0);
	CHECK(kgate_service_equal(&svc, &back));
	CHECK_INT(back.has, 0);
	CHECK_INT(back.sched, KGATE_SCHED_MAGLEV);
	CHECK_INT(back.timeout, KGATE_TIMEOUT_DEFAULT);
	CHECK_INT(back.table_size, 0);
	CHECK_INT(back.n_frontends + back.n_backends + back.n_ranges, 0);
	kgate_service_free(&back);
	kgate_service_free(&svc);
}

/* Payload of the first attribute of @type inside @nest. */
static const struct nlattr *child(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

TEST(test_wire_layout)
{
	struct kgate_service svc;
	struct nlmsghdr *nlh = kgate_msg_start(buf, 0x42,
					       KGATE_CMD_SERVICE_ADD, 0, 1);
	const struct nlattr *s, *fes, *fe, *a, *bes, *be;

	rich_service(&svc);
	CHECK_INT(kgate_put_service(nlh, sizeof(buf), &svc), 0);
	s = kgate_msg_attr(nlh, KGATE_A_SERVICE);
	CHECK(s && (s->nla_type & NLA_F_NESTED));
	if (!s)
		return;
	a = child(s, KGATE_SVC_A_NAME);
	CHECK(a && mnl_attr_get_payload_len(a) == 17);	/* with the NUL */
	a = child(s, KGATE_SVC_A_TABLE_SIZE);
	CHECK(a && mnl_attr_get_payload_len(a) == 4 &&
	      mnl_attr_get_u32(a) == 1009);
	fes = child(s, KGATE_SVC_A_FRONTENDS);
	CHECK(fes && (fes->nla_type & NLA_F_NESTED));
	if (!fes)
		return;
	fe = mnl_attr_get_payload(fes);
	CHECK_INT(mnl_attr_get_type(fe), KGATE_A_LIST_ITEM);
	a = child(fe, KGATE_FE_A_ADDR);
	CHECK(a && mnl_attr_get_payload_len(a) == 4);
	a = child(fe, KGATE_FE_A_PORT);
	CHECK(a && mnl_attr_get_payload_len(a) == 2 &&
	      mnl_attr_get_u16(a) == 80);	/* host byte order */
	bes = child(s, KGATE_SVC_A_BACKENDS);
	CHECK(bes != NULL);
	if (!bes)
		return;
	/* first backend: only addr and port, nothing optional */
	be = mnl_attr_get_payload(bes);
	CHECK(!child(be, KGATE_BE_A_WEIGHT) && !child(be, KGATE_BE_A_STATE) &&
	      !child(be, KGATE_BE_A_FLAGS));
	/* an option not set is not sent */
	svc.has &= ~KGATE_SVC_HAS_TABLE_SIZE;
	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_SERVICE_ADD, 0, 1);
	kgate_put_service(nlh, sizeof(buf), &svc);
	CHECK(!child(kgate_msg_attr(nlh, KGATE_A_SERVICE),
		     KGATE_SVC_A_TABLE_SIZE));
	kgate_service_free(&svc);
}

TEST(test_sizes)
{
	struct kgate_service svc;
	struct nlmsghdr *nlh;
	uint32_t len;
	int i, err;

	rich_service(&svc);
	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_SERVICE_ADD, 0, 1);
	len = nlh->nlmsg_len;
	CHECK_INT(kgate_put_service(nlh, 100, &svc), -EMSGSIZE);
	CHECK_INT(nlh->nlmsg_len, len);		/* left as it was */
	kgate_service_free(&svc);

	/* 1000 backends with every attribute fit in one attribute ... */
	kgate_service_init(&svc);
	kgate_service_set_name(&svc, "big");
	for (i = 0; i < 1000; i++)
		add_be(&svc, "10.0.0.1", (uint16_t)(i + 1),
		       KGATE_BE_HAS_WEIGHT | KGATE_BE_HAS_STATE |
		       KGATE_BE_HAS_FLAGS, 1, 0, 0);
	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_SERVICE_ADD, 0, 1);
	CHECK_INT(kgate_put_service(nlh, sizeof(buf), &svc), 0);
	/* ... 2000 do not: the nest length would wrap at 64 KiB */
	for (; i < 2000; i++)
		add_be(&svc, "10.0.0.1", (uint16_t)(i + 1),
		       KGATE_BE_HAS_WEIGHT | KGATE_BE_HAS_STATE |
		       KGATE_BE_HAS_FLAGS, 1, 0, 0);
	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_SERVICE_ADD, 0, 1);
	err = kgate_put_service(nlh, sizeof(buf), &svc);
	CHECK_INT(err, -E2BIG);
	CHECK_INT(nlh->nlmsg_len, KGATE_MSG_HDRLEN);
	kgate_service_free(&svc);
}

/* --- strict decoding of hand-made nests ------------------------------ */

static struct nlmsghdr *msg;
static struct nlattr *svc_nest;

static void begin_svc(const char *name)
{
	msg = kgate_msg_start(buf, 0x42, KGATE_CMD_SERVICE_ADD, 0, 1);
	svc_nest = mnl_attr_nest_start(msg, KGATE_A_SERVICE);
	if (name)
		mnl_attr_put_strz(msg, KGATE_SVC_A_NAME, name);
}

static const char *end_svc(void)
{
	struct kgate_service svc;
	int err;

	mnl_attr_nest_end(msg, svc_nest);
	why[0] = '\0';
	err = kgate_parse_service(svc_nest, &svc, why, sizeof(why));
	kgate_service_free(&svc);
	return err ? why : "ok";
}

static void frontend_with_addr_len(uint16_t len)
{
	static const uint8_t bytes[16] = { 10, 0, 0, 1 };
	struct nlattr *l = mnl_attr_nest_start(msg, KGATE_SVC_A_FRONTENDS);
	struct nlattr *i = mnl_attr_nest_start(msg, KGATE_A_LIST_ITEM);

	mnl_attr_put(msg, KGATE_FE_A_ADDR, len, bytes);
	mnl_attr_put_u16(msg, KGATE_FE_A_PORT, 80);
	mnl_attr_nest_end(msg, i);
	mnl_attr_nest_end(msg, l);
}

TEST(test_strict_decode)
{
	struct nlattr *l, *i;

	begin_svc("a");
	frontend_with_addr_len(4);
	CHECK_STR(end_svc(), "ok");

	begin_svc("a");
	frontend_with_addr_len(5);
	CHECK_STR(end_svc(),
		  "service.frontends[0].addr: length 5, expected 4 or 16");

	begin_svc(NULL);
	frontend_with_addr_len(4);
	CHECK_STR(end_svc(), "service: missing name");

	begin_svc(NULL);
	mnl_attr_put(msg, KGATE_SVC_A_NAME, 3, "abc");
	CHECK_STR(end_svc(), "service.name: not a NUL-terminated string");

	begin_svc("a");
	mnl_attr_put_u32(msg, KGATE_SVC_A_SCHED, 1);
	CHECK_STR(end_svc(), "service.sched: length 4, expected 1");

	begin_svc("a");
	mnl_attr_put_u8(msg, KGATE_SVC_A_SCHED, 1);
	mnl_attr_put_u8(msg, KGATE_SVC_A_SCHED, 0);
	CHECK_STR(end_svc(), "service.sched: attribute repeated");

	begin_svc("a");
	l = mnl_attr_nest_start(msg, KGATE_SVC_A_BACKENDS);
	i = mnl_attr_nest_start(msg, KGATE_A_LIST_ITEM);
	mnl_attr_put(msg, KGATE_BE_A_ADDR, 4, "\x0a\0\0\x01");
	mnl_attr_put_u16(msg, KGATE_BE_A_PORT, 80);
	mnl_attr_nest_end(msg, i);
	i = mnl_attr_nest_start(msg, KGATE_A_LIST_ITEM);
	mnl_attr_put(msg, KGATE_BE_A_ADDR, 4, "\x0a\0\0\x02");
	mnl_attr_nest_end(msg, i);
	mnl_attr_nest_end(msg, l);
	CHECK_STR(end_svc(), "service.backends[1]: missing port");

	begin_svc("a");
	l = mnl_attr_nest_start(msg, KGATE_SVC_A_BACKENDS);
	i = mnl_attr_nest_start(msg, 2);
	mnl_attr_nest_end(msg, i);
	mnl_attr_nest_end(msg, l);
	CHECK_STR(end_svc(), "service.backends: entry of type 2, expected 1");

	begin_svc("a");
	l = mnl_attr_nest_start(msg, KGATE_SVC_A_SOURCE_RANGES);
	i = mnl_attr_nest_start(msg, KGATE_A_LIST_ITEM);
	mnl_attr_put(msg, KGATE_RANGE_A_ADDR, 4, "\x0a\0\0\0");
	mnl_attr_put_u16(msg, KGATE_RANGE_A_PLEN, 8);
	mnl_attr_nest_end(msg, i);
	mnl_attr_nest_end(msg, l);
	CHECK_STR(end_svc(), "service.source_ranges[0].plen: length 2, "
		  "expected 1");

	/* unknown attributes (newer kernels) are skipped */
	begin_svc("a");
	mnl_attr_put_u32(msg, 200, 1);
	mnl_attr_put_u64(msg, KGATE_SVC_A_PAD, 0);
	CHECK_STR(end_svc(), "ok");

	/* a nest whose last attribute runs past its end */
	begin_svc("a");
	l = mnl_attr_nest_start(msg, KGATE_SVC_A_FRONTENDS);
	mnl_attr_put_u32(msg, KGATE_A_LIST_ITEM, 0);
	mnl_attr_nest_end(msg, l);
	l->nla_len -= 2;
	CHECK_STR(end_svc(), "service.frontends: malformed attribute");
}

/* The owner travels as a string and takes part in the comparison. */
TEST(test_owner_round_trip)
{
	struct kgate_service svc, back;
	struct nlmsghdr *nlh;
	const struct nlattr *a;
	char path[64];

	rich_service(&svc);
	CHECK_INT(kgate_service_set_owner(&svc, "kgate-apply"), 0);
	CHECK_INT(round_trip(&svc, &back), 0);
	CHECK_STR(back.owner, "kgate-apply");
	CHECK(kgate_service_equal(&svc, &back));
	CHECK_INT(kgate_service_set_owner(&back, "kgated"), 0);
	CHECK(!kgate_service_equal(&svc, &back));
	CHECK_INT(kgate_service_set_owner(&back, NULL), 0);
	CHECK(back.owner == NULL);
	CHECK(!kgate_service_equal(&svc, &back));
	CHECK(!kgate_service_equal(&back, &svc));
	kgate_service_free(&back);

	/* on the wire: KGATE_SVC_A_OWNER, NUL-terminated, and its path */
	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_SERVICE_ADD, 0, 1);
	CHECK_INT(kgate_put_service(nlh, sizeof(buf), &svc), 0);
	a = child(kgate_msg_attr(nlh, KGATE_A_SERVICE), KGATE_SVC_A_OWNER);
	CHECK(a != NULL);
	if (a) {
		CHECK_INT(mnl_attr_get_payload_len(a), 12);
		CHECK_STR(mnl_attr_get_str(a), "kgate-apply");
		CHECK_INT(kgate_attr_path(nlh, (uint32_t)((char *)a -
							  (char *)nlh),
					  path, sizeof(path)), 0);
		CHECK_STR(path, "service.owner");
	}
	/* none: no attribute */
	CHECK_INT(kgate_service_set_owner(&svc, NULL), 0);
	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_SERVICE_ADD, 0, 1);
	CHECK_INT(kgate_put_service(nlh, sizeof(buf), &svc), 0);
	CHECK(child(kgate_msg_attr(nlh, KGATE_A_SERVICE),
		    KGATE_SVC_A_OWNER) == NULL);
	CHECK_INT(round_trip(&svc, &back), 0);
	CHECK(back.owner == NULL);
	kgate_service_free(&back);
	kgate_service_free(&svc);
}

TEST(test_owner_strict)
{
	begin_svc("a");
	mnl_attr_put(msg, KGATE_SVC_A_OWNER, 3, "abc");
	CHECK_STR(end_svc(), "service.owner: not a NUL-terminated string");

	begin_svc("a");
	mnl_attr_put_strz(msg, KGATE_SVC_A_OWNER, "x");
	mnl_attr_put_strz(msg, KGATE_SVC_A_OWNER, "y");
	CHECK_STR(end_svc(), "service.owner: attribute repeated");
}

TEST(test_stats)
{
	struct nlmsghdr *nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_STATS_GET,
					       0, 1);
	struct nlattr *n = mnl_attr_nest_start(nlh, KGATE_A_STATS);
	struct kgate_stats st;

	mnl_attr_put_u32(nlh, KGATE_STATS_A_SERVICES, 3);
	mnl_attr_put_u32(nlh, KGATE_STATS_A_BACKENDS, 12);
	mnl_attr_put_u64(nlh, KGATE_STATS_A_GENERATION, 1ULL << 40);
	mnl_attr_put_u32(nlh, KGATE_STATS_A_BATCHES_OPEN, 2);
	mnl_attr_nest_end(nlh, n);
	CHECK_INT(kgate_parse_stats(n, &st, why, sizeof(why)), 0);
	CHECK_INT(st.services, 3);
	CHECK_INT(st.backends, 12);
	CHECK_INT(st.frontends, 0);
	CHECK(st.generation == 1ULL << 40);
	CHECK_INT(st.batches_open, 2);

	n = mnl_attr_nest_start(nlh, KGATE_A_STATS);
	mnl_attr_put_u32(nlh, KGATE_STATS_A_COMMITS, 3);
	mnl_attr_nest_end(nlh, n);
	CHECK_INT(kgate_parse_stats(n, &st, why, sizeof(why)), -EINVAL);
	CHECK_STR(why, "stats.commits: length 4, expected 8");
}

TEST(test_events)
{
	struct kgate_service svc;
	struct kgate_event ev;
	struct nlmsghdr *nlh;

	rich_service(&svc);
	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_SERVICE_REPLACE, 0, 0);
	kgate_put_service(nlh, sizeof(buf), &svc);
	kgate_event_parse(nlh, &ev);
	CHECK_INT(ev.type, KGATE_EV_SERVICE);
	CHECK_INT(ev.cmd, KGATE_CMD_SERVICE_REPLACE);
	CHECK(kgate_service_equal(&svc, &ev.svc));
	kgate_service_free(&ev.svc);
	kgate_service_free(&svc);

	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_BATCH_COMMIT, 0, 0);
	mnl_attr_put_u64(nlh, KGATE_A_GENERATION, 12345678901ULL);
	kgate_event_parse(nlh, &ev);
	CHECK_INT(ev.type, KGATE_EV_COMMIT);
	CHECK(ev.generation == 12345678901ULL);

	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_BATCH_COMMIT, 0, 0);
	mnl_attr_put_u32(nlh, KGATE_A_GENERATION, 1);
	kgate_event_parse(nlh, &ev);
	CHECK_INT(ev.type, KGATE_EV_BAD);
	CHECK_STR(ev.why, "commit without a valid generation");

	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_SERVICE_DEL, 0, 0);
	kgate_event_parse(nlh, &ev);
	CHECK_INT(ev.type, KGATE_EV_BAD);
	CHECK_STR(ev.why, "missing service");

	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_FLUSH, 0, 0);
	kgate_event_parse(nlh, &ev);
	CHECK_INT(ev.type, KGATE_EV_FLUSH);
	nlh = kgate_msg_start(buf, 0x42, 50, 0, 0);
	kgate_event_parse(nlh, &ev);
	CHECK_INT(ev.type, KGATE_EV_OTHER);
	CHECK_INT(ev.cmd, 50);
}

TEST(test_node)
{
	struct kgate_node node = { .n_local = 2 }, back;
	struct kgate_event ev;
	struct nlmsghdr *nlh;

	CHECK_INT(kgate_parse_prefix("10.244.0.0/16", &node.local[0], why,
				     sizeof(why)), 0);
	CHECK_INT(kgate_parse_prefix("fd00:244::/48", &node.local[1], why,
				     sizeof(why)), 0);
	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_NODE_SET, 0, 0);
	CHECK_INT(kgate_put_node(nlh, sizeof(buf), &node), 0);
	CHECK_INT(kgate_parse_node(kgate_msg_attr(nlh, KGATE_A_NODE), &back,
				   why, sizeof(why)), 0);
	CHECK_INT(back.n_local, 2);
	CHECK(!memcmp(&back.local[0], &node.local[0], sizeof(node.local[0])));
	CHECK(!memcmp(&back.local[1], &node.local[1], sizeof(node.local[1])));

	/* The same message is the NODE_SET event. */
	kgate_event_parse(nlh, &ev);
	CHECK_INT(ev.type, KGATE_EV_NODE);
	CHECK_INT(ev.node.n_local, 2);
	kgate_service_free(&ev.svc);

	/* No room: nothing is left half-written. */
	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_NODE_SET, 0, 0);
	CHECK_INT(kgate_put_node(nlh, KGATE_MSG_HDRLEN + 20, &node), -EMSGSIZE);
	CHECK_INT(nlh->nlmsg_len, KGATE_MSG_HDRLEN);

	nlh = kgate_msg_start(buf, 0x42, KGATE_CMD_NODE_SET, 0, 0);
	kgate_event_parse(nlh, &ev);
	CHECK_INT(ev.type, KGATE_EV_BAD);
	CHECK_STR(ev.why, "missing node");
}

int main(void)
{
	RUN(test_header);
	RUN(test_round_trip_rich);
	RUN(test_round_trip_minimal);
	RUN(test_wire_layout);
	RUN(test_sizes);
	RUN(test_strict_decode);
	RUN(test_owner_round_trip);
	RUN(test_owner_strict);
	RUN(test_stats);
	RUN(test_events);
	RUN(test_node);
	return tap_done();
}
