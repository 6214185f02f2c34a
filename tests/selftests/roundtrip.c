// SPDX-License-Identifier: GPL-2.0
/*
 * roundtrip: what is configured is what the kernel reports, for IPv4, IPv6
 * and dual-stack services; every command changes exactly what it names;
 * the "events" group reports every change followed by BATCH_COMMIT with a
 * growing generation; the node's settings (NODE_SET / NODE_GET) read back
 * as set, are staged in batches like the rest, and STATS_GET reports every
 * figure of the ABI.  Listeners and routes (fixture l7) read back as sent,
 * every attribute, the ABI's defaults filled in for a listener's limits
 * and connection cap; add, get, dump, replace and del each do what they
 * name.  Owners read back as sent on all three kinds; a service without
 * frontends is a service like the others.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "kt_harness.h"
#include "kt_l7.h"

/* Addresses are documentation ranges: configuration only, no traffic. */
static const struct kt_fe fe4_full[] = {
	KT_FE_FULL("192.0.2.10", 80, IPPROTO_TCP, KGATE_FE_CLUSTER),
	KT_FE_FULL("192.0.2.10", 53, IPPROTO_UDP, KGATE_FE_CLUSTER),
	KT_FE_FULL("198.51.100.7", 80, IPPROTO_SCTP, KGATE_FE_EXTERNAL),
	KT_FE_FULL("203.0.113.5", 443, IPPROTO_TCP, KGATE_FE_LOADBALANCER),
	KT_FE_FULL("0.0.0.0", 30080, IPPROTO_TCP, KGATE_FE_NODEPORT),
};
static const struct kt_fe fe6_full[] = {
	KT_FE_FULL("2001:db8::10", 80, IPPROTO_TCP, KGATE_FE_CLUSTER),
	KT_FE_FULL("2001:db8::10", 53, IPPROTO_UDP, KGATE_FE_CLUSTER),
	KT_FE_FULL("2001:db8:1::7", 80, IPPROTO_SCTP, KGATE_FE_EXTERNAL),
	KT_FE_FULL("2001:db8:2::5", 443, IPPROTO_TCP, KGATE_FE_LOADBALANCER),
	KT_FE_FULL("::", 30080, IPPROTO_TCP, KGATE_FE_NODEPORT),
};
static const struct kt_fe fe46_full[] = {
	KT_FE_FULL("192.0.2.10", 80, IPPROTO_TCP, KGATE_FE_CLUSTER),
	KT_FE_FULL("2001:db8::10", 80, IPPROTO_TCP, KGATE_FE_CLUSTER),
	KT_FE_FULL("203.0.113.5", 443, IPPROTO_UDP, KGATE_FE_LOADBALANCER),
	KT_FE_FULL("::", 30080, IPPROTO_SCTP, KGATE_FE_NODEPORT),
};
static const struct kt_be be4_full[] = {
	KT_BE_FULL("198.51.100.21", 8080, 3, KGATE_BE_READY, KGATE_BE_F_LOCAL),
	KT_BE_FULL("198.51.100.22", 8080, 0, KGATE_BE_SERVING, 0),
	KT_BE_FULL("198.51.100.23", 8081, KGATE_WEIGHT_MAX,
		   KGATE_BE_TERMINATING, 0),
};
static const struct kt_be be6_full[] = {
	KT_BE_FULL("2001:db8:5::21", 8080, 3, KGATE_BE_READY, KGATE_BE_F_LOCAL),
	KT_BE_FULL("2001:db8:5::22", 8080, 0, KGATE_BE_SERVING, 0),
	KT_BE_FULL("2001:db8:5::23", 8081, KGATE_WEIGHT_MAX,
		   KGATE_BE_TERMINATING, 0),
};
static const struct kt_be be46_full[] = {
	KT_BE_FULL("198.51.100.21", 8080, 3, KGATE_BE_READY, KGATE_BE_F_LOCAL),
	KT_BE_FULL("2001:db8:5::22", 8080, 0, KGATE_BE_SERVING, 0),
	KT_BE_FULL("198.51.100.23", 8081, KGATE_WEIGHT_MAX,
		   KGATE_BE_TERMINATING, 0),
};
static const struct kt_range rng4[] = {
	KT_RANGE("192.0.2.0", 24), KT_RANGE("203.0.113.128", 25),
	KT_RANGE("198.51.100.7", 32), KT_RANGE("0.0.0.0", 0),
};
static const struct kt_range rng6[] = {
	KT_RANGE("2001:db8::", 32), KT_RANGE("2001:db8:1:2::", 64),
	KT_RANGE("2001:db8::1", 128), KT_RANGE("::", 0),
};
static const struct kt_range rng46[] = {
	KT_RANGE("192.0.2.0", 24), KT_RANGE("2001:db8::", 32),
};

/* Minimal services: only the required attributes. */
static const struct kt_fe fe4_min[] = { KT_FE("192.0.2.1", 80) };
static const struct kt_fe fe6_min[] = { KT_FE("2001:db8::1", 80) };
static const struct kt_fe fe46_min[] = {
	KT_FE("192.0.2.1", 80), KT_FE("2001:db8::1", 80),
};
static const struct kt_be be4_min[] = {
	KT_BE("198.51.100.1", 8080), KT_BE("198.51.100.2", 8080),
};
static const struct kt_be be6_min[] = {
	KT_BE("2001:db8:5::1", 8080), KT_BE("2001:db8:5::2", 8080),
};
static const struct kt_be be46_min[] = {
	KT_BE("198.51.100.1", 8080), KT_BE("2001:db8:5::2", 8080),
};
/* Backends for BACKEND_ADD / SET / DEL. */
static const struct kt_be be4_more[] = {
	KT_BE("198.51.100.3", 8080), KT_BE_FULL("198.51.100.4", 9090, 7,
						KGATE_BE_SERVING, 0),
};
static const struct kt_be be6_more[] = {
	KT_BE("2001:db8:5::3", 8080), KT_BE_FULL("2001:db8:5::4", 9090, 7,
						 KGATE_BE_SERVING, 0),
};
static const struct kt_be be46_more[] = {
	KT_BE("2001:db8:5::3", 8080), KT_BE_FULL("198.51.100.4", 9090, 7,
						 KGATE_BE_SERVING, 0),
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

FIXTURE(rt) {
	struct kt_sock s;
};

FIXTURE_VARIANT(rt) {
	const struct kt_fe *fe_full, *fe_min;
	const struct kt_be *be_full, *be_min, *be_more;
	const struct kt_range *rng;
	int n_fe_full, n_fe_min, n_be_full, n_be_min, n_be_more, n_rng;
};

#define VARIANT(f) \
	.fe_full = fe##f##_full, .n_fe_full = N(fe##f##_full), \
	.fe_min = fe##f##_min, .n_fe_min = N(fe##f##_min), \
	.be_full = be##f##_full, .n_be_full = N(be##f##_full), \
	.be_min = be##f##_min, .n_be_min = N(be##f##_min), \
	.be_more = be##f##_more, .n_be_more = N(be##f##_more), \
	.rng = rng##f, .n_rng = N(rng##f)

FIXTURE_VARIANT_ADD(rt, ipv4) { VARIANT(4) };
FIXTURE_VARIANT_ADD(rt, ipv6) { VARIANT(6) };
FIXTURE_VARIANT_ADD(rt, dual) { VARIANT(46) };

FIXTURE_SETUP(rt)
{
	struct kt_err e;
	int r = kt_open(&self->s);

	ASSERT_EQ(0, r) TH_LOG("kt_open: %s (module loaded?)", strerror(-r));
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	KT_EXPECT_COUNT(&self->s, 0);
}

FIXTURE_TEARDOWN(rt)
{
	if (self->s.nl)
		kt_cmd(&self->s, KGATE_CMD_FLUSH, NULL);
	kt_close(&self->s);
}

/*
 * Two services may not share a frontend: every service a test builds gets
 * the variant's frontends with the ports moved by 1000 x its slot.
 */
static struct kt_fe fe_slots[32][8];
static int n_slots;

static const struct kt_fe *own_frontends(const struct kt_fe *fe, int n)
{
	struct kt_fe *f = fe_slots[n_slots % 32];

	for (int i = 0; i < n && i < 8; i++) {
		f[i] = fe[i];
		f[i].port += 1000 * (n_slots % 32);
	}
	n_slots++;
	return f;
}

static void svc_min(struct kt_svc *svc, const char *name,
		    const FIXTURE_VARIANT(rt) *v)
{
	kt_svc_init(svc, name);
	svc->fe = own_frontends(v->fe_min, v->n_fe_min);
	svc->n_fe = v->n_fe_min;
	svc->be = v->be_min;
	svc->n_be = v->n_be_min;
}

static void svc_full(struct kt_svc *svc, const char *name,
		     const FIXTURE_VARIANT(rt) *v)
{
	kt_svc_init(svc, name);
	svc->sched = KGATE_SCHED_RR;
	svc->table_size = 1009;
	svc->affinity = KGATE_AFFINITY_CLIENTIP;
	svc->timeout = 300;
	svc->ext_policy = KGATE_POLICY_LOCAL;
	svc->int_policy = KGATE_POLICY_LOCAL;
	svc->fe = own_frontends(v->fe_full, v->n_fe_full);
	svc->n_fe = v->n_fe_full;
	svc->be = v->be_full;
	svc->n_be = v->n_be_full;
	svc->rng = v->rng;
	svc->n_rng = v->n_rng;
}

/* Only the required attributes: GET shows every default of the ABI. */
TEST_F(rt, add_minimal_get_defaults)
{
	struct kt_svc svc;
	struct kt_svc_info info;
	struct kt_err e;

	svc_min(&svc, "default/web:http", variant);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_EXPECT_SVC(&self->s, &svc);

	/* Spelled out once, independent of kt_svc_expect's defaults. */
	KT_OK(kt_get(&self->s, svc.name, &info, &e), e);
	EXPECT_EQ(KGATE_SCHED_MAGLEV, info.sched);
	EXPECT_EQ(KGATE_AFFINITY_NONE, info.affinity);
	EXPECT_EQ(10800u, info.timeout);
	EXPECT_EQ(KGATE_POLICY_CLUSTER, info.ext_policy);
	EXPECT_EQ(KGATE_POLICY_CLUSTER, info.int_policy);
	ASSERT_EQ(variant->n_fe_min, info.n_fe);
	for (int i = 0; i < info.n_fe; i++) {
		EXPECT_EQ(IPPROTO_TCP, info.fe[i].proto);
		EXPECT_EQ(KGATE_FE_CLUSTER, info.fe[i].kind);
	}
	ASSERT_EQ(variant->n_be_min, info.n_be);
	for (int i = 0; i < info.n_be; i++) {
		EXPECT_EQ(1u, info.be[i].weight);
		EXPECT_EQ(KGATE_BE_READY, info.be[i].state);
		EXPECT_EQ(0u, info.be[i].flags);
	}
	EXPECT_EQ(0, info.n_rng);
	kt_svc_info_free(&info);
}

/* Every attribute with a value other than its default. */
TEST_F(rt, add_every_attribute)
{
	struct kt_svc svc;
	struct kt_err e;

	svc_full(&svc, "default/full:https", variant);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_EXPECT_SVC(&self->s, &svc);
}

/* A service without backends is valid (Kubernetes: no endpoints yet). */
TEST_F(rt, add_without_backends)
{
	struct kt_svc svc;
	struct kt_err e;

	svc_min(&svc, "default/empty:80", variant);
	svc.n_be = 0;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_EXPECT_SVC(&self->s, &svc);
}

TEST_F(rt, dump_lists_every_service)
{
	const char *names[] = { "a/one:1", "b/two:2", "c/three:3" };
	struct kt_svc svc[3];
	struct kt_err e;
	char *canon, *p;
	size_t len;
	int n;

	for (int i = 0; i < 3; i++) {
		if (i == 1)
			svc_full(&svc[i], names[i], variant);
		else
			svc_min(&svc[i], names[i], variant);
		/* Owners: in the dump too, and none stays none. */
		svc[i].owner = i == 1 ? "kgate-apply" : i == 2 ? "kgated" :
			       NULL;
		KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc[i],
				 NULL, 0, &e), e);
	}
	KT_OK(kt_dump(&self->s, &canon, &len, &n, &e), e);
	ASSERT_EQ(3, n);
	/* The canonical dump is sorted by name: walk it and check each
	 * entry against what was sent.
	 */
	p = canon;
	for (int i = 0; i < 3; i++) {
		struct {
			struct nlmsghdr h;
			struct genlmsghdr g;
			char a[65536];
		} msg;
		struct kt_svc_info info;
		char why[512];
		uint32_t l;

		ASSERT_LT((size_t)(p - canon), len);
		memcpy(&l, p, sizeof(l));
		p += sizeof(l);
		ASSERT_LE(l, sizeof(msg.a));
		memset(&msg, 0, sizeof(msg));
		msg.h.nlmsg_len = NLMSG_LENGTH(sizeof(msg.g)) + l;
		memcpy(msg.a, p, l);
		p += l;
		ASSERT_EQ(0, kt_parse_svc(&msg.h, &info));
		ASSERT_EQ(0, kt_svc_expect(&svc[i], &info, why, sizeof(why)))
			TH_LOG("dump entry %d: %s", i, why);
		kt_svc_info_free(&info);
	}
	EXPECT_EQ(len, (size_t)(p - canon));
	free(canon);
}

/*
 * A service with max_backends backends may not fit one dump message: the
 * dump continues it in further messages (name + more backends).  Merged,
 * they give the whole service.  GET gives it in one message if it fits
 * (with its counters), else refuses with EMSGSIZE and says to dump it by
 * name; such a dump gives that service alone.
 */
TEST_F(rt, big_service_in_dump_and_get)
{
	static struct kt_be be[KGATE_BACKENDS_MAX];
	static char addr[KGATE_BACKENDS_MAX][48];
	struct kt_svc svc, small;
	struct kt_svc_info got;
	struct kt_stats st;
	struct kt_err e;
	char *canon, *p;
	size_t len;
	int msgs = 0, n_be = 0, n_fe = 0, n;
	bool v6 = strchr(variant->be_min[variant->n_be_min - 1].addr, ':');

	KT_OK(kt_stats(&self->s, &st, &e), e);
	ASSERT_LE(st.max_backends, (uint32_t)KGATE_BACKENDS_MAX);
	for (uint32_t i = 0; i < st.max_backends; i++) {
		if (v6)
			snprintf(addr[i], sizeof(addr[i]),
				 "2001:db8:ffff:ffff:ffff:ffff:ffff:%x", i + 1);
		else
			snprintf(addr[i], sizeof(addr[i]), "198.51.%u.%u",
				 100 + i / 250, 1 + i % 250);
		be[i] = (struct kt_be)KT_BE_FULL(addr[i], 65535, 10000,
						 KGATE_BE_SERVING,
						 KGATE_BE_F_LOCAL);
	}
	svc_full(&svc, "default/big:80", variant);
	svc.be = be;
	svc.n_be = (int)st.max_backends;
	svc.table_size = KT_UNSET;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	svc_min(&small, "default/small:80", variant);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &small, NULL, 0, &e),
	      e);
	if (kt_get(&self->s, svc.name, &got, &e) == EMSGSIZE) {
		TH_LOG("GET: %s", e.msg);
		EXPECT_NE(NULL, strstr(e.msg, "dump it by name"));
	} else {
		KT_EXPECT_SVC(&self->s, &svc);
		kt_svc_info_free(&got);
	}

	KT_OK(kt_dump_name(&self->s, svc.name, &canon, &len, &n, &e), e);
	EXPECT_EQ(1, n) TH_LOG("a dump by name gives that service alone");
	free(canon);
	KT_REFUSED(ENOENT, kt_dump_name(&self->s, "default/none:80", &canon,
					&len, &n, &e), e);

	KT_OK(kt_dump(&self->s, &canon, &len, &n, &e), e);
	ASSERT_EQ(2, n);
	for (p = canon; p < canon + len; ) {
		struct {
			struct nlmsghdr h;
			struct genlmsghdr g;
			char a[70000];
		} *msg = calloc(1, sizeof(*msg));
		struct kt_svc_info info;
		uint32_t l;

		ASSERT_NE(NULL, msg);
		memcpy(&l, p, sizeof(l));
		p += sizeof(l);
		ASSERT_LE(l, sizeof(msg->a));
		msg->h.nlmsg_len = NLMSG_LENGTH(sizeof(msg->g)) + l;
		memcpy(msg->a, p, l);
		p += l;
		ASSERT_EQ(0, kt_parse_svc(&msg->h, &info));
		free(msg);
		if (!strcmp(info.name, svc.name)) {
			msgs++;
			n_be += info.n_be;
			n_fe += info.n_fe;
		}
		kt_svc_info_free(&info);
	}
	free(canon);
	TH_LOG("%d backends came in %d dump messages", n_be, msgs);
	EXPECT_EQ(svc.n_be, n_be);
	EXPECT_EQ(svc.n_fe, n_fe) TH_LOG("frontends only in the first message");
}

TEST_F(rt, replace_changes_whole_service)
{
	struct kt_svc full, min;
	struct kt_err e;

	/* REPLACE of an unknown name creates it. */
	svc_full(&full, "default/rep:80", variant);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_REPLACE, &full, NULL, 0,
			 &e), e);
	KT_EXPECT_SVC(&self->s, &full);

	/* Options not given fall back to their defaults, lists are replaced. */
	svc_min(&min, "default/rep:80", variant);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_REPLACE, &min, NULL, 0,
			 &e), e);
	KT_EXPECT_SVC(&self->s, &min);

	/* And back. */
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_REPLACE, &full, NULL, 0,
			 &e), e);
	KT_EXPECT_SVC(&self->s, &full);
	KT_EXPECT_COUNT(&self->s, 1);
}

TEST_F(rt, backend_add_set_del)
{
	struct kt_svc svc, other, cmd;
	struct kt_be all[8], set_w, set_s;
	struct kt_err e;
	int n = 0;

	svc_min(&svc, "default/be:80", variant);
	svc.timeout = 77;
	svc.sched = KGATE_SCHED_RR;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	/* A second service with the same backends must not be touched. */
	svc_min(&other, "default/other:80", variant);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &other, NULL, 0, &e),
	      e);

	for (int i = 0; i < variant->n_be_min; i++)
		all[n++] = variant->be_min[i];

	/* ADD: the new backends join, defaults filled in. */
	kt_svc_init(&cmd, svc.name);
	cmd.be = variant->be_more;
	cmd.n_be = variant->n_be_more;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_BACKEND_ADD, &cmd, NULL, 0, &e), e);
	for (int i = 0; i < variant->n_be_more; i++)
		all[n++] = variant->be_more[i];
	svc.be = all;
	svc.n_be = n;
	KT_EXPECT_SVC(&self->s, &svc);

	/* SET weight only: state and flags keep their values. */
	set_w = (struct kt_be)KT_BE(variant->be_more[1].addr,
				    variant->be_more[1].port);
	set_w.weight = 42;
	cmd.be = &set_w;
	cmd.n_be = 1;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_BACKEND_SET, &cmd, NULL, 0, &e), e);
	all[n - 1].weight = 42;
	KT_EXPECT_SVC(&self->s, &svc);

	/* SET state and flags only: the weight stays. */
	set_s = (struct kt_be)KT_BE(all[0].addr, all[0].port);
	set_s.state = KGATE_BE_TERMINATING;
	set_s.flags = KGATE_BE_F_LOCAL;
	cmd.be = &set_s;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_BACKEND_SET, &cmd, NULL, 0, &e), e);
	all[0].state = KGATE_BE_TERMINATING;
	all[0].flags = KGATE_BE_F_LOCAL;
	KT_EXPECT_SVC(&self->s, &svc);

	/* Flags, when given, replace the old flags whole: 0 clears LOCAL. */
	set_s.state = KT_UNSET;
	set_s.flags = 0;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_BACKEND_SET, &cmd, NULL, 0, &e), e);
	all[0].flags = 0;
	KT_EXPECT_SVC(&self->s, &svc);

	/* DEL the first and the last: the others stay as they are. */
	{
		struct kt_be del[2] = {
			KT_BE(all[0].addr, all[0].port),
			KT_BE(all[n - 1].addr, all[n - 1].port),
		};

		cmd.be = del;
		cmd.n_be = 2;
		KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_BACKEND_DEL, &cmd, NULL, 0,
				 &e), e);
		memmove(&all[0], &all[1], (n - 2) * sizeof(all[0]));
		n -= 2;
		svc.n_be = n;
		KT_EXPECT_SVC(&self->s, &svc);
	}
	/* The other service, with the same backends, was not touched. */
	KT_EXPECT_SVC(&self->s, &other);
}

/* The dump of the one service @svc->name matches @svc. */
static int dump_expect(struct kt_sock *s, const struct kt_svc *svc,
		       char *why, size_t whylen)
{
	struct {
		struct nlmsghdr h;
		struct genlmsghdr g;
		char a[65536];
	} msg;
	struct kt_svc_info info;
	struct kt_err e;
	char *canon;
	size_t len;
	uint32_t l;
	int n, r;

	r = kt_dump_name(s, svc->name, &canon, &len, &n, &e);
	if (r) {
		snprintf(why, whylen, "dump: %s", strerror(r));
		return -1;
	}
	memcpy(&l, canon, sizeof(l));
	if (n != 1 || l > sizeof(msg.a) || len != sizeof(l) + l) {
		snprintf(why, whylen, "dump: %d services, %zu bytes", n, len);
		free(canon);
		return -1;
	}
	memset(&msg, 0, sizeof(msg));
	msg.h.nlmsg_len = NLMSG_LENGTH(sizeof(msg.g)) + l;
	memcpy(msg.a, canon + sizeof(l), l);
	free(canon);
	if (kt_parse_svc(&msg.h, &info)) {
		snprintf(why, whylen, "dump: unparsable");
		return -1;
	}
	r = kt_svc_expect(svc, &info, why, whylen);
	kt_svc_info_free(&info);
	return r;
}

#define KT_EXPECT_DUMP(sock, svc) do { \
	char __why[512] = ""; \
	ASSERT_EQ(0, dump_expect((sock), (svc), __why, sizeof(__why))) \
		TH_LOG("dump %s: %s", (svc)->name, __why); \
} while (0)

/*
 * The owner is kept as sent: ADD and REPLACE set it, REPLACE without it
 * clears it, backend commands keep it.
 */
TEST_F(rt, owner_set_kept_cleared)
{
	struct kt_svc svc, cmd;
	struct kt_be set_w;
	struct kt_err e;

	svc_min(&svc, "default/owned:80", variant);
	svc.owner = "kgate-apply";
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_EXPECT_SVC(&self->s, &svc);
	KT_EXPECT_DUMP(&self->s, &svc);

	/* BACKEND_ADD, _SET, _DEL: the owner stays. */
	kt_svc_init(&cmd, svc.name);
	cmd.be = variant->be_more;
	cmd.n_be = 1;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_BACKEND_ADD, &cmd, NULL, 0, &e), e);
	set_w = (struct kt_be)KT_BE(variant->be_more[0].addr,
				    variant->be_more[0].port);
	set_w.weight = 7;
	cmd.be = &set_w;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_BACKEND_SET, &cmd, NULL, 0, &e), e);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_BACKEND_DEL, &cmd, NULL, 0, &e), e);
	KT_EXPECT_SVC(&self->s, &svc);

	/* REPLACE with another owner, of KGATE_OWNER_MAX bytes. */
	svc.owner = "kgated/0123456789abcdef0123456789abcdef"
		    "0123456789abcdefghijklmn";
	ASSERT_EQ(KGATE_OWNER_MAX, (int)strlen(svc.owner));
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_REPLACE, &svc, NULL, 0,
			 &e), e);
	KT_EXPECT_SVC(&self->s, &svc);

	/* REPLACE without: none. */
	svc.owner = NULL;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_REPLACE, &svc, NULL, 0,
			 &e), e);
	KT_EXPECT_SVC(&self->s, &svc);
	KT_EXPECT_DUMP(&self->s, &svc);
}

/* Backends of both families, whatever the variant. */
static const struct kt_be be_nofe[] = {
	KT_BE("198.51.100.77", 8080), KT_BE("2001:db8:1::77", 8080),
};

/*
 * A service without frontends (a Kubernetes Service without a clusterIP,
 * which routes reach by name): no frontend list, or an empty one; its
 * backends of either family; nothing counted as a frontend.
 */
TEST_F(rt, no_frontends)
{
	const struct kt_ovr empty = {
		.where = KT_W_SVC, .type = KGATE_SVC_A_FRONTENDS,
		.how = KT_EMPTY_NEST,
	};
	struct kt_svc svc, cmd, with_fe;
	struct kt_stats st0, st;
	struct kt_be more = KT_BE("198.51.100.78", 8080);
	struct kt_err e;

	KT_OK(kt_stats(&self->s, &st0, &e), e);
	kt_svc_init(&svc, "default/headless:80");
	svc.owner = "kgated";
	svc.be = be_nofe;
	svc.n_be = N(be_nofe);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_EXPECT_SVC(&self->s, &svc);
	KT_EXPECT_DUMP(&self->s, &svc);
	KT_EXPECT_COUNT(&self->s, 1);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(st0.services + 1, st.services);
	EXPECT_EQ(st0.frontends, st.frontends);
	EXPECT_EQ(st0.backends + 2, st.backends);

	/* REPLACE with an empty frontend list: the same. */
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_REPLACE, &svc, &empty, 1,
			 &e), e);
	KT_EXPECT_SVC(&self->s, &svc);

	/* Backend commands work as on any service. */
	kt_svc_init(&cmd, svc.name);
	cmd.be = &more;
	cmd.n_be = 1;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_BACKEND_ADD, &cmd, NULL, 0, &e), e);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_BACKEND_DEL, &cmd, NULL, 0, &e), e);
	KT_EXPECT_SVC(&self->s, &svc);

	/* Given frontends of one family, backends of the other are refused. */
	if (variant->n_fe_min == 1) {
		with_fe = svc;
		with_fe.fe = own_frontends(variant->fe_min, 1);
		with_fe.n_fe = 1;
		KT_REFUSED(EAFNOSUPPORT,
			   kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_REPLACE,
				      &with_fe, NULL, 0, &e), e);
		KT_EXPECT_SVC(&self->s, &svc);
	}
	/* And back to a frontend-less one from a service with frontends. */
	svc_min(&with_fe, svc.name, variant);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_REPLACE, &with_fe, NULL, 0,
			 &e), e);
	KT_EXPECT_SVC(&self->s, &with_fe);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_REPLACE, &svc, NULL, 0,
			 &e), e);
	KT_EXPECT_SVC(&self->s, &svc);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(st0.frontends, st.frontends);
}

TEST_F(rt, del_then_get_enoent)
{
	struct kt_svc svc, keep;
	struct kt_svc_info info;
	struct kt_err e;

	svc_min(&svc, "default/gone:80", variant);
	svc_full(&keep, "default/keep:80", variant);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &keep, NULL, 0, &e), e);
	KT_OK(kt_del(&self->s, svc.name, &e), e);
	KT_REFUSED(ENOENT, kt_get(&self->s, svc.name, &info, &e), e);
	KT_EXPECT_COUNT(&self->s, 1);
	KT_EXPECT_SVC(&self->s, &keep);
	/* The name can be used again. */
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_EXPECT_SVC(&self->s, &svc);
}

TEST_F(rt, flush_removes_all)
{
	char name[32];
	struct kt_svc svc;
	struct kt_stats st;
	struct kt_err e;

	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "default/f%d:80", i);
		svc_min(&svc, name, variant);
		KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0,
				 &e), e);
	}
	KT_EXPECT_COUNT(&self->s, 5);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	KT_EXPECT_COUNT(&self->s, 0);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(0u, st.services);
	EXPECT_EQ(0u, st.frontends);
	EXPECT_EQ(0u, st.backends);
	/* FLUSH of an empty namespace is fine. */
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
}

TEST_F(rt, stats_count_objects)
{
	struct kt_svc a, b;
	struct kt_stats st0, st;
	struct kt_err e;

	KT_OK(kt_stats(&self->s, &st0, &e), e);
	for (int t = KGATE_STATS_A_SERVICES; t <= KGATE_STATS_A_MAX; t++) {
		if (t == KGATE_STATS_A_PAD)
			continue;
		EXPECT_TRUE(st0.has[t]) TH_LOG("stats attribute %d missing", t);
	}
	EXPECT_EQ(0u, st0.services);
	EXPECT_EQ(0u, st0.batches_open);
	EXPECT_GT(st0.max_services, 0u);
	EXPECT_GT(st0.max_backends, 0u);
	EXPECT_LE(st0.max_backends, (uint32_t)KGATE_BACKENDS_MAX);

	svc_full(&a, "default/a:80", variant);
	svc_min(&b, "default/b:80", variant);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &a, NULL, 0, &e), e);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &b, NULL, 0, &e), e);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(2u, st.services);
	EXPECT_EQ((uint32_t)(a.n_fe + b.n_fe), st.frontends);
	EXPECT_EQ((uint32_t)(a.n_be + b.n_be), st.backends);
	EXPECT_EQ(st0.commits + 2, st.commits);
	EXPECT_GT(st.generation, st0.generation);

	/* A refused command is no commit. */
	KT_REFUSED(EEXIST, kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &b,
				      NULL, 0, &e), e);
	st0 = st;
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(st0.commits, st.commits);
	EXPECT_EQ(st0.generation, st.generation);

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(1u, st.batches_open);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_ABORT, &e), e);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(0u, st.batches_open);

	KT_OK(kt_del(&self->s, a.name, &e), e);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(1u, st.services);
	EXPECT_EQ((uint32_t)b.n_fe, st.frontends);
	EXPECT_EQ((uint32_t)b.n_be, st.backends);
}

/*
 * Read the next event and check its command, its service name and, when
 * `whole` is given, that it carries that whole service.
 */
static int next_event(struct kt_sock *s, uint8_t cmd, const char *name,
		      const struct kt_svc *whole, uint64_t *gen, char *why,
		      size_t whylen)
{
	struct kt_event ev;
	int r = kt_event_next(s, 10000, &ev), ret = -1;

	if (r) {
		snprintf(why, whylen, "waiting for event cmd %u '%s': %s", cmd,
			 name ? name : "", strerror(-r));
		return -1;
	}
	if (ev.cmd != cmd || (name && strcmp(ev.name, name))) {
		snprintf(why, whylen,
			 "expected event cmd %u '%s', got cmd %u '%s'", cmd,
			 name ? name : "", ev.cmd, ev.name);
		goto out;
	}
	if (whole) {
		char w[400];

		if (!ev.svc) {
			snprintf(why, whylen, "event cmd %u without the service",
				 cmd);
			goto out;
		}
		if (kt_svc_expect(whole, ev.svc, w, sizeof(w))) {
			snprintf(why, whylen, "event cmd %u '%.100s': %.300s", cmd,
				 ev.name, w);
			goto out;
		}
	}
	if (cmd == KGATE_CMD_BATCH_COMMIT) {
		if (!ev.has_generation) {
			snprintf(why, whylen, "BATCH_COMMIT without generation");
			goto out;
		}
		if (ev.generation <= *gen) {
			snprintf(why, whylen,
				 "generation %llu after %llu: did not increase",
				 (unsigned long long)ev.generation,
				 (unsigned long long)*gen);
			goto out;
		}
		*gen = ev.generation;
	}
	ret = 0;
out:
	kt_event_free(&ev);
	return ret;
}

#define EV(cmd, name, whole) do { \
	char __why[600]; \
	int __r = next_event(&ev_sock, (cmd), (name), (whole), &gen, __why, \
			     sizeof(__why)); \
	ASSERT_EQ(0, __r) TH_LOG("%s", __why); \
} while (0)

#define DO(cmd, svc) \
	KT_OK(kt_svc_cmd(&self->s, (cmd), (svc), NULL, 0, &e), e)

/*
 * The "events" group reports the net effect of each commit: ADD for a
 * service that did not exist before, REPLACE (whole) for one that did,
 * DEL by name, one FLUSH for a FLUSH; then BATCH_COMMIT with a growing
 * generation.
 */
TEST_F(rt, events)
{
	struct kt_sock ev_sock;
	struct kt_svc svc, full, be_cmd, b2, b2new, b3, b3whole;
	struct kt_be be_all[16];
	struct kt_stats st;
	struct kt_err e;
	uint64_t gen = 0;
	int n = 0;

	ASSERT_EQ(0, kt_open(&ev_sock));
	ASSERT_EQ(0, kt_subscribe(&ev_sock)) TH_LOG("no events group");
	KT_OK(kt_stats(&self->s, &st, &e), e);
	gen = st.generation;

	svc_min(&svc, "default/ev:80", variant);
	DO(KGATE_CMD_SERVICE_ADD, &svc);
	EV(KGATE_CMD_SERVICE_ADD, svc.name, &svc);
	EV(KGATE_CMD_BATCH_COMMIT, NULL, NULL);

	svc_full(&full, svc.name, variant);
	DO(KGATE_CMD_SERVICE_REPLACE, &full);
	EV(KGATE_CMD_SERVICE_REPLACE, svc.name, &full);
	EV(KGATE_CMD_BATCH_COMMIT, NULL, NULL);

	/* A refused command sends nothing: the next event is the next
	 * successful command's.
	 */
	KT_REFUSED(EEXIST, kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc,
				      NULL, 0, &e), e);

	/* A backend command: REPLACE with the whole service. */
	kt_svc_init(&be_cmd, svc.name);
	be_cmd.be = variant->be_more;
	be_cmd.n_be = variant->n_be_more;
	DO(KGATE_CMD_BACKEND_ADD, &be_cmd);
	for (int i = 0; i < full.n_be; i++)
		be_all[n++] = full.be[i];
	for (int i = 0; i < variant->n_be_more; i++)
		be_all[n++] = variant->be_more[i];
	full.be = be_all;
	full.n_be = n;
	EV(KGATE_CMD_SERVICE_REPLACE, svc.name, &full);
	EV(KGATE_CMD_BATCH_COMMIT, NULL, NULL);

	KT_OK(kt_del(&self->s, svc.name, &e), e);
	EV(KGATE_CMD_SERVICE_DEL, svc.name, NULL);
	EV(KGATE_CMD_BATCH_COMMIT, NULL, NULL);

	/* A batch: b1 is added and deleted again (not reported), b2 added. */
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	svc_min(&svc, "default/b1:80", variant);
	DO(KGATE_CMD_SERVICE_ADD, &svc);
	svc_min(&b2, "default/b2:80", variant);
	DO(KGATE_CMD_SERVICE_ADD, &b2);
	KT_OK(kt_del(&self->s, "default/b1:80", &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	EV(KGATE_CMD_SERVICE_ADD, "default/b2:80", &b2);
	EV(KGATE_CMD_BATCH_COMMIT, NULL, NULL);

	/* ADD then BACKEND_ADD in one commit: one ADD, whole. */
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	svc_min(&b3, "default/b3:80", variant);
	b3.n_be = 0;
	DO(KGATE_CMD_SERVICE_ADD, &b3);
	kt_svc_init(&be_cmd, b3.name);
	be_cmd.be = variant->be_more;
	be_cmd.n_be = 1;
	DO(KGATE_CMD_BACKEND_ADD, &be_cmd);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	b3whole = b3;
	b3whole.be = variant->be_more;
	b3whole.n_be = 1;
	EV(KGATE_CMD_SERVICE_ADD, b3.name, &b3whole);
	EV(KGATE_CMD_BATCH_COMMIT, NULL, NULL);

	/* FLUSH: one FLUSH message. */
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	EV(KGATE_CMD_FLUSH, NULL, NULL);
	EV(KGATE_CMD_BATCH_COMMIT, NULL, NULL);

	/* The last generation seen is the namespace's current one. */
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(gen, st.generation);

	DO(KGATE_CMD_SERVICE_ADD, &b2);
	EV(KGATE_CMD_SERVICE_ADD, b2.name, &b2);
	EV(KGATE_CMD_BATCH_COMMIT, NULL, NULL);
	/* DEL and ADD again of an existing service: one REPLACE, whole. */
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_del(&self->s, b2.name, &e), e);
	b2new = b2;
	b2new.timeout = 99;
	DO(KGATE_CMD_SERVICE_ADD, &b2new);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	EV(KGATE_CMD_SERVICE_REPLACE, b2.name, &b2new);
	EV(KGATE_CMD_BATCH_COMMIT, NULL, NULL);

	kt_close(&ev_sock);
}

/* ---------------------------------------------------------------- node */

static const struct kt_range node4[] = {
	KT_RANGE("10.244.0.0", 16), KT_RANGE("192.168.7.0", 24),
	KT_RANGE("198.51.100.77", 32),
};
static const struct kt_range node6[] = {
	KT_RANGE("fd00:244::", 48), KT_RANGE("2001:db8:1:2::", 64),
	KT_RANGE("2001:db8::1", 128),
};
static const struct kt_range node46[] = {
	KT_RANGE("10.244.0.0", 16), KT_RANGE("fd00:244::", 48),
};
static const struct kt_range node_other[] = { KT_RANGE("172.16.0.0", 12) };

FIXTURE(node) {
	struct kt_sock s;
};

FIXTURE_SETUP(node)
{
	struct kt_err e;
	int r = kt_open(&self->s);

	ASSERT_EQ(0, r) TH_LOG("kt_open: %s (module loaded?)", strerror(-r));
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	KT_OK(kt_node_set(&self->s, NULL, 0, &e), e);
}

FIXTURE_TEARDOWN(node)
{
	if (self->s.nl) {
		kt_cmd(&self->s, KGATE_CMD_BATCH_ABORT, NULL);
		kt_cmd(&self->s, KGATE_CMD_FLUSH, NULL);
		kt_node_set(&self->s, NULL, 0, NULL);
	}
	kt_close(&self->s);
}

#define KT_EXPECT_NODE(sock, rng, n) do { \
	struct kt_node_info __ni; \
	struct kt_err __e; \
	char __why[512] = ""; \
	KT_OK(kt_node_get((sock), &__ni, &__e), __e); \
	ASSERT_EQ(0, kt_node_expect((rng), (n), &__ni, __why, \
				    sizeof(__why))) \
		TH_LOG("NODE_GET: %s", __why); \
} while (0)

/* Each NODE_SET replaces the whole; an empty one clears; FLUSH leaves it. */
TEST_F(node, set_get_roundtrip)
{
	struct kt_err e;

	KT_EXPECT_NODE(&self->s, NULL, 0);
	KT_OK(kt_node_set(&self->s, node4, N(node4), &e), e);
	KT_EXPECT_NODE(&self->s, node4, N(node4));
	KT_OK(kt_node_set(&self->s, node6, N(node6), &e), e);
	KT_EXPECT_NODE(&self->s, node6, N(node6));
	KT_OK(kt_node_set(&self->s, node46, N(node46), &e), e);
	KT_EXPECT_NODE(&self->s, node46, N(node46));
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	KT_EXPECT_NODE(&self->s, node46, N(node46));
	/* An empty NODE_SET: the defaults, no local range. */
	KT_OK(kt_node_set(&self->s, NULL, 0, &e), e);
	KT_EXPECT_NODE(&self->s, NULL, 0);
}

/* The most ranges there may be. */
TEST_F(node, set_get_max_ranges)
{
	static struct kt_range rng[KGATE_RANGES_MAX];
	static char addr[KGATE_RANGES_MAX][48];
	struct kt_err e;

	for (int i = 0; i < KGATE_RANGES_MAX; i++) {
		if (i % 2)
			snprintf(addr[i], sizeof(addr[i]), "2001:db8:%x::", i);
		else
			snprintf(addr[i], sizeof(addr[i]), "10.%d.0.0", i);
		rng[i] = (struct kt_range)KT_RANGE(addr[i], i % 2 ? 48 : 16);
	}
	KT_OK(kt_node_set(&self->s, rng, KGATE_RANGES_MAX, &e), e);
	KT_EXPECT_NODE(&self->s, rng, KGATE_RANGES_MAX);
}

/* In a batch, NODE_SET is acknowledged, staged, applied at COMMIT. */
TEST_F(node, batch_applies_at_commit)
{
	struct kt_sock other;
	struct kt_err e;

	ASSERT_EQ(0, kt_open(&other));
	KT_OK(kt_node_set(&self->s, node_other, N(node_other), &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_node_set(&self->s, node4, N(node4), &e), e);
	KT_EXPECT_NODE(&self->s, node_other, N(node_other));
	KT_EXPECT_NODE(&other, node_other, N(node_other));
	/* The last NODE_SET of a batch wins. */
	KT_OK(kt_node_set(&self->s, node46, N(node46), &e), e);
	KT_EXPECT_NODE(&other, node_other, N(node_other));
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_EXPECT_NODE(&self->s, node46, N(node46));
	KT_EXPECT_NODE(&other, node46, N(node46));
	kt_close(&other);
}

/* A batch that fails at COMMIT, or is aborted, leaves the node as it was. */
TEST_F(node, failing_batch_rolls_back)
{
	struct kt_err e;

	KT_OK(kt_node_set(&self->s, node_other, N(node_other), &e), e);

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_node_set(&self->s, node4, N(node4), &e), e);
	KT_OK(kt_del(&self->s, "default/none:80", &e), e);	/* staged */
	KT_REFUSED(ENOENT, kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_EXPECT_NODE(&self->s, node_other, N(node_other));

	/* NODE_SET after the failing command too. */
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_del(&self->s, "default/none:80", &e), e);
	KT_OK(kt_node_set(&self->s, node6, N(node6), &e), e);
	KT_REFUSED(ENOENT, kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_EXPECT_NODE(&self->s, node_other, N(node_other));

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_node_set(&self->s, node4, N(node4), &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_ABORT, &e), e);
	KT_EXPECT_NODE(&self->s, node_other, N(node_other));
}

/* A NODE_SET is an event, then its commit. */
TEST_F(node, set_is_an_event)
{
	struct kt_sock ev_sock;
	struct kt_event ev;
	struct kt_stats st;
	struct kt_err e;

	ASSERT_EQ(0, kt_open(&ev_sock));
	ASSERT_EQ(0, kt_subscribe(&ev_sock));
	KT_OK(kt_node_set(&self->s, node4, N(node4), &e), e);
	ASSERT_EQ(0, kt_event_next(&ev_sock, 10000, &ev));
	EXPECT_EQ(KGATE_CMD_NODE_SET, ev.cmd);
	kt_event_free(&ev);
	ASSERT_EQ(0, kt_event_next(&ev_sock, 10000, &ev));
	EXPECT_EQ(KGATE_CMD_BATCH_COMMIT, ev.cmd);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_TRUE(ev.has_generation);
	EXPECT_EQ(st.generation, ev.generation);
	kt_event_free(&ev);
	kt_close(&ev_sock);
}

/*
 * The figures added with the node: NAT hooks on while there are services;
 * a commit that takes away a UDP (frontend, backend) pair walks the flows
 * once, one that takes away only TCP does not; affinity figures present.
 */
TEST_F(node, stats_new_fields)
{
	static const struct kt_fe fe_udp[] = {
		KT_FE_FULL("192.0.2.53", 53, IPPROTO_UDP, KGATE_FE_CLUSTER),
	};
	static const struct kt_fe fe_tcp[] = {
		KT_FE_FULL("192.0.2.80", 80, IPPROTO_TCP, KGATE_FE_CLUSTER),
	};
	static const struct kt_be be[] = { KT_BE("198.51.100.53", 53) };
	static const int fields[] = {
		KGATE_STATS_A_NAT_HOOKS, KGATE_STATS_A_FLOW_WALKS,
		KGATE_STATS_A_AFFINITY_CLIENTS, KGATE_STATS_A_AFFINITY_DROPPED,
		KGATE_STATS_A_MAX_AFFINITY,
	};
	struct kt_stats st0, st;
	struct kt_svc svc;
	struct kt_err e;

	KT_OK(kt_stats(&self->s, &st0, &e), e);
	for (int i = 0; i < N(fields); i++) {
		EXPECT_TRUE(st0.has[fields[i]])
			TH_LOG("stats attribute %d missing", fields[i]);
	}
	EXPECT_LT(0u, st0.max_affinity);
	EXPECT_GE(st0.max_affinity, st0.affinity_clients);

	kt_svc_init(&svc, "default/dns:53");
	svc.fe = fe_udp;
	svc.n_fe = 1;
	svc.be = be;
	svc.n_be = 1;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(1, st.nat_hooks) TH_LOG("a service, no NAT hooks");
	EXPECT_EQ(st0.flow_walks, st.flow_walks) TH_LOG("an ADD walked");
	st0 = st;
	KT_OK(kt_del(&self->s, svc.name, &e), e);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(st0.flow_walks + 1, st.flow_walks)
		TH_LOG("a UDP pair went: one walk");

	svc.name = "default/web:80";
	svc.fe = fe_tcp;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	st0 = st;
	KT_OK(kt_del(&self->s, svc.name, &e), e);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(st0.flow_walks, st.flow_walks)
		TH_LOG("only a TCP pair went: no walk");
}

/* ------------------------------------------------------------------ L7 */

FIXTURE(l7) {
	struct kt_sock s;
};

FIXTURE_SETUP(l7)
{
	struct kt_err e;
	char buf[256];
	int r = kt_open(&self->s), n;

	ASSERT_EQ(0, r) TH_LOG("kt_open: %s (module loaded?)", strerror(-r));
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	KT_OK(kt_l7_dump(&self->s, KT_LISTENER, buf, sizeof(buf), &n, &e), e);
	ASSERT_EQ(0, n) TH_LOG("FLUSH left listeners: %s", buf);
	KT_OK(kt_l7_dump(&self->s, KT_ROUTE, buf, sizeof(buf), &n, &e), e);
	ASSERT_EQ(0, n) TH_LOG("FLUSH left routes: %s", buf);
}

FIXTURE_TEARDOWN(l7)
{
	if (self->s.nl)
		kt_cmd(&self->s, KGATE_CMD_FLUSH, NULL);
	kt_close(&self->s);
}

/* The kernel reports @name as @want, but for the @optional defaults. */
#define KT_EXPECT_L7(sock, obj, name, want, optional) do { \
	char __got[16384], __why[17000]; \
	struct kt_err __e; \
	int __r = kt_l7_get((sock), (obj), (name), __got, sizeof(__got), \
			    &__e); \
	ASSERT_EQ(0, __r) TH_LOG("GET %s: %s, extack \"%s\"", (name), \
				 strerror(__r), __e.msg); \
	__r = kt_l7_expect(__got, (want), (optional), __why, \
			   sizeof(__why)); \
	ASSERT_EQ(0, __r) TH_LOG("GET %s: %s", (name), __why); \
} while (0)

#define LIS_LIMITS_DEFAULT "limits{head_bytes=16384 headers=100 " \
	"uri_bytes=8192 body_bytes=1048576 head_timeout=60000 " \
	"idle_timeout=75000 connect_timeout=5000 response_timeout=60000}"
/* Scalars the kernel may report with their default, or leave out. */
#define LIS_OPTIONAL "mode=0 flags=0"
#define RT_OPTIONAL "kind=0 rate=0 burst=0 hostnames[] allow[]"

TEST_F(l7, listener_defaults)
{
	struct kt_err e;

	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_ADD, KT_LISTENER,
			"name=web addr=127.0.0.1 port=18080", &e), e);
	KT_EXPECT_L7(&self->s, KT_LISTENER, "web",
		     "name=web addr=127.0.0.1 port=18080 max_conns=65536 "
		     LIS_LIMITS_DEFAULT, LIS_OPTIONAL);
	/* limits given in part: the others take their defaults */
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_ADD, KT_LISTENER,
			"name=part addr=127.0.0.1 port=18081 "
			"limits{uri_bytes=4096 idle_timeout=1}", &e), e);
	KT_EXPECT_L7(&self->s, KT_LISTENER, "part",
		     "name=part addr=127.0.0.1 port=18081 max_conns=65536 "
		     "limits{head_bytes=16384 headers=100 uri_bytes=4096 "
		     "body_bytes=1048576 head_timeout=60000 idle_timeout=1 "
		     "connect_timeout=5000 response_timeout=60000}",
		     LIS_OPTIONAL);
}

/*
 * Each limit has its own range in the ABI (head bytes 1024..65535, URI
 * bytes 16..65535): a head limit below the default URI limit is one.
 */
TEST_F(l7, listener_head_below_default_uri)
{
	struct kt_err e;

	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_ADD, KT_LISTENER,
			"name=small addr=127.0.0.1 port=18087 "
			"limits{head_bytes=4096}", &e), e);
	KT_EXPECT_L7(&self->s, KT_LISTENER, "small",
		     "name=small addr=127.0.0.1 port=18087 max_conns=65536 "
		     "limits{head_bytes=4096 headers=100 uri_bytes=8192 "
		     "body_bytes=1048576 head_timeout=60000 idle_timeout=75000 "
		     "connect_timeout=5000 response_timeout=60000}",
		     LIS_OPTIONAL);
}

/* An address the node does not have (yet) can be used: IP_FREEBIND. */
TEST_F(l7, listener_freebind)
{
	static const char *const text = "name=freebind addr=198.18.0.1 "
		"port=18084 mode=0 flags=2 max_conns=65536 "
		LIS_LIMITS_DEFAULT;
	struct kt_err e;

	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_ADD, KT_LISTENER, text,
			&e), e);
	KT_EXPECT_L7(&self->s, KT_LISTENER, "freebind", text, "");
}

/* Every attribute, at the bounds of its range. */
static const char *const lis_full[] = {
	"name=full/low addr=::1 port=18082 mode=0 "
	"default_backend=default/web:80 flags=3 max_conns=1 "
	"limits{head_bytes=1024 headers=1 uri_bytes=16 body_bytes=0 "
	"head_timeout=1 idle_timeout=1 connect_timeout=1 response_timeout=1}",
	"name=full/high addr=:: port=18083 mode=0 "
	"default_backend=ns/svc:8080 flags=1 max_conns=1048576 "
	"limits{head_bytes=65535 headers=256 uri_bytes=65535 "
	"body_bytes=18446744073709551615 head_timeout=86400000 "
	"idle_timeout=86400000 connect_timeout=86400000 "
	"response_timeout=86400000}",
	"name=other addr=0.0.0.0 port=18084 mode=0 flags=2 "
	"max_conns=65536 " LIS_LIMITS_DEFAULT,
};

TEST_F(l7, listener_every_attribute)
{
	struct kt_err e;
	char name[32];

	for (size_t i = 0; i < sizeof(lis_full) / sizeof(lis_full[0]); i++) {
		KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_ADD, KT_LISTENER,
				lis_full[i], &e), e);
		sscanf(lis_full[i], "name=%31s", name);
		KT_EXPECT_L7(&self->s, KT_LISTENER, name, lis_full[i], "");
	}
}

TEST_F(l7, listener_dump_replace_del)
{
	char want[16384], got[16384], one[4096];
	struct kt_err e;
	int n;

	want[0] = '\0';
	for (size_t i = 0; i < sizeof(lis_full) / sizeof(lis_full[0]); i++)
		KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_ADD, KT_LISTENER,
				lis_full[i], &e), e);
	/* the dump holds what GET says of each, and nothing else */
	static const char *const names[] = { "full/high", "full/low",
					     "other" };
	for (int i = 0; i < 3; i++) {
		KT_OK(kt_l7_get(&self->s, KT_LISTENER, names[i], one,
				sizeof(one), &e), e);
		strcat(want, one);
		strcat(want, "\n");
	}
	KT_OK(kt_l7_dump(&self->s, KT_LISTENER, got, sizeof(got), &n, &e), e);
	ASSERT_EQ(3, n);
	ASSERT_STREQ(want, got);
	/* a second ADD of a name is refused, REPLACE replaces it whole */
	KT_REFUSED(EEXIST, kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_ADD,
				     KT_LISTENER, lis_full[0], &e), e);
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_REPLACE, KT_LISTENER,
			"name=full/low addr=127.0.0.1 port=18085", &e), e);
	KT_EXPECT_L7(&self->s, KT_LISTENER, "full/low",
		     "name=full/low addr=127.0.0.1 port=18085 max_conns=65536 "
		     LIS_LIMITS_DEFAULT, LIS_OPTIONAL);
	/* REPLACE of a name that does not exist creates it */
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_REPLACE, KT_LISTENER,
			"name=new addr=127.0.0.1 port=18086", &e), e);
	KT_OK(kt_l7_dump(&self->s, KT_LISTENER, got, sizeof(got), &n, &e), e);
	ASSERT_EQ(4, n);
	/* DEL removes exactly the one named */
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_DEL, KT_LISTENER,
			"name=full/high", &e), e);
	KT_REFUSED(ENOENT, kt_l7_get(&self->s, KT_LISTENER, "full/high", one,
				     sizeof(one), &e), e);
	KT_REFUSED(ENOENT, kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_DEL,
				     KT_LISTENER, "name=full/high", &e), e);
	KT_OK(kt_l7_dump(&self->s, KT_LISTENER, got, sizeof(got), &n, &e), e);
	ASSERT_EQ(3, n);
	ASSERT_EQ(NULL, strstr(got, "full/high"));
	KT_EXPECT_L7(&self->s, KT_LISTENER, "other", lis_full[2], "");
}

#define RT_OWN_RULES "rules[{matches[{path_type=0 path=/}] " \
	"backends[{service=s weight=1}]}]"

/* The owners of listeners and routes: GET, dump, REPLACE clears them. */
TEST_F(l7, owner_get_dump_replace)
{
	char got[16384];
	struct kt_err e;
	int n;

	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_ADD, KT_LISTENER,
			"name=own/l addr=127.0.0.1 port=18090 owner=kgated", &e),
	      e);
	KT_EXPECT_L7(&self->s, KT_LISTENER, "own/l",
		     "name=own/l addr=127.0.0.1 port=18090 max_conns=65536 "
		     LIS_LIMITS_DEFAULT " owner=kgated", LIS_OPTIONAL);
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_ROUTE_ADD, KT_ROUTE,
			"name=own/r listeners[own/l] owner=kgate-apply "
			RT_OWN_RULES, &e), e);
	KT_EXPECT_L7(&self->s, KT_ROUTE, "own/r",
		     "name=own/r listeners[own/l] " RT_OWN_RULES
		     " owner=kgate-apply", RT_OPTIONAL);
	KT_OK(kt_l7_dump(&self->s, KT_LISTENER, got, sizeof(got), &n, &e), e);
	EXPECT_NE(NULL, strstr(got, " owner=kgated\n")) TH_LOG("%s", got);
	KT_OK(kt_l7_dump(&self->s, KT_ROUTE, got, sizeof(got), &n, &e), e);
	EXPECT_NE(NULL, strstr(got, " owner=kgate-apply\n")) TH_LOG("%s", got);

	/* REPLACE without an owner: none */
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_REPLACE, KT_LISTENER,
			"name=own/l addr=127.0.0.1 port=18090", &e), e);
	KT_EXPECT_L7(&self->s, KT_LISTENER, "own/l",
		     "name=own/l addr=127.0.0.1 port=18090 max_conns=65536 "
		     LIS_LIMITS_DEFAULT, LIS_OPTIONAL);
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_ROUTE_REPLACE, KT_ROUTE,
			"name=own/r listeners[own/l] " RT_OWN_RULES, &e), e);
	KT_EXPECT_L7(&self->s, KT_ROUTE, "own/r",
		     "name=own/r listeners[own/l] " RT_OWN_RULES, RT_OPTIONAL);
}

/* STATS_GET counts listeners and routes, and the proxy's idle pool. */
TEST_F(l7, stats_count_listeners_and_routes)
{
	struct kt_stats st;
	struct kt_err e;

	KT_OK(kt_stats(&self->s, &st, &e), e);
	ASSERT_TRUE(st.has[KGATE_STATS_A_LISTENERS]);
	ASSERT_TRUE(st.has[KGATE_STATS_A_ROUTES]);
	ASSERT_TRUE(st.has[KGATE_STATS_A_UPSTREAM_IDLE]);
	ASSERT_TRUE(st.has[KGATE_STATS_A_UPSTREAM_NO_ROOM]);
	EXPECT_EQ(0u, st.listeners);
	EXPECT_EQ(0u, st.routes);
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_ADD, KT_LISTENER,
			"name=st/a addr=127.0.0.1 port=18090", &e), e);
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_ADD, KT_LISTENER,
			"name=st/b addr=127.0.0.1 port=18091", &e), e);
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_ROUTE_ADD, KT_ROUTE,
			"name=st/r listeners[st/a] rules[{backends[{service=x}]}]",
			&e), e);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(2u, st.listeners);
	EXPECT_EQ(1u, st.routes);
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_DEL, KT_LISTENER,
			"name=st/b", &e), e);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(1u, st.listeners);
	EXPECT_EQ(1u, st.routes);
}

/*
 * Routes with every attribute.  Each names listeners and services that
 * do not exist: references are not checked (the ABI).  An Ingress with a
 * rewrite target; an HTTPRoute with every filter, the redirect in a rule
 * of its own.  Text in the canonical order (type numbers).
 */
static const char *const rt_full[] = {
	"name=default/shop kind=0 listeners[web web6] "
	"hostnames[shop.example.com *.shop.example.com] "
	"rules[{matches[{path_type=0 path=/api} {path_type=2 path=/impl}] "
	"backends[{service=default/api:80 weight=9} "
	"{service=default/canary:80 weight=0}]} "
	"{matches[{path_type=1 path=/}] backends[{service=default/web:80 "
	"weight=1000000}]}] rewrite_target=/app rate=100 burst=250 "
	"allow[{addr=10.0.0.0 plen=8} {addr=fd00:: plen=8} "
	"{addr=192.0.2.7 plen=32}]",
	"name=default/gw kind=1 listeners[gw] hostnames[api.example.com] "
	"rules[{matches[{path_type=0 path=/v1 method=POST "
	"headers[{name=x-env value=canary} {name=x-empty value=\"\"}] "
	"query[{name=v value=2}]}] backends[{service=default/v1:80 weight=1}] "
	"req_headers{set[{name=x-a value=1}] add[{name=x-b value=2}] "
	"remove[cookie x-drop]} resp_headers{set[{name=x-c value=3}] "
	"add[{name=x-d value=4}] remove[server]} "
	"rewrite{hostname=internal.example path_type=2 path=/v2}} "
	"{matches[{path_type=0 path=/old}] redirect{scheme=https "
	"hostname=new.example port=8443 path_type=1 path=/new status=301}} "
	"{matches[{path_type=0 path=/moved}] redirect{status=308}}] rate=1 "
	"burst=1",
};

TEST_F(l7, route_every_attribute)
{
	struct kt_err e;
	char name[64];

	for (size_t i = 0; i < sizeof(rt_full) / sizeof(rt_full[0]); i++) {
		KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_ROUTE_ADD, KT_ROUTE,
				rt_full[i], &e), e);
		sscanf(rt_full[i], "name=%63s", name);
		KT_EXPECT_L7(&self->s, KT_ROUTE, name, rt_full[i], "");
	}
}

TEST_F(l7, route_defaults)
{
	struct kt_err e;

	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_ROUTE_ADD, KT_ROUTE,
			"name=ns/min listeners[web] rules[{matches[{"
			"path_type=0 path=/}] backends[{service=s weight=1}]}]",
			&e), e);
	KT_EXPECT_L7(&self->s, KT_ROUTE, "ns/min",
		     "name=ns/min listeners[web] rules[{matches[{path_type=0 "
		     "path=/}] backends[{service=s weight=1}]}]", RT_OPTIONAL);
}

TEST_F(l7, route_dump_replace_del)
{
	char want[16384], got[16384], one[8192];
	struct kt_err e;
	int n;

	for (size_t i = 0; i < sizeof(rt_full) / sizeof(rt_full[0]); i++)
		KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_ROUTE_ADD, KT_ROUTE,
				rt_full[i], &e), e);
	want[0] = '\0';
	KT_OK(kt_l7_get(&self->s, KT_ROUTE, "default/gw", one, sizeof(one),
			&e), e);
	strcat(want, one);
	strcat(want, "\n");
	KT_OK(kt_l7_get(&self->s, KT_ROUTE, "default/shop", one, sizeof(one),
			&e), e);
	strcat(want, one);
	strcat(want, "\n");
	KT_OK(kt_l7_dump(&self->s, KT_ROUTE, got, sizeof(got), &n, &e), e);
	ASSERT_EQ(2, n);
	ASSERT_STREQ(want, got);
	KT_REFUSED(EEXIST, kt_l7_cmd(&self->s, KGATE_CMD_ROUTE_ADD, KT_ROUTE,
				     rt_full[0], &e), e);
	/* REPLACE is whole: what the new one leaves out is gone */
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_ROUTE_REPLACE, KT_ROUTE,
			"name=default/shop kind=0 listeners[web] "
			"rules[{matches[{path_type=1 path=/x}] "
			"backends[{service=s weight=2}]}]", &e), e);
	KT_EXPECT_L7(&self->s, KT_ROUTE, "default/shop",
		     "name=default/shop kind=0 listeners[web] "
		     "rules[{matches[{path_type=1 path=/x}] "
		     "backends[{service=s weight=2}]}]", RT_OPTIONAL);
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_ROUTE_DEL, KT_ROUTE,
			"name=default/gw", &e), e);
	KT_REFUSED(ENOENT, kt_l7_get(&self->s, KT_ROUTE, "default/gw", one,
				     sizeof(one), &e), e);
	KT_REFUSED(ENOENT, kt_l7_cmd(&self->s, KGATE_CMD_ROUTE_DEL, KT_ROUTE,
				     "name=default/gw", &e), e);
	KT_OK(kt_l7_dump(&self->s, KT_ROUTE, got, sizeof(got), &n, &e), e);
	ASSERT_EQ(1, n);
	/* listeners and routes are apart: a route is no listener */
	KT_OK(kt_l7_dump(&self->s, KT_LISTENER, got, sizeof(got), &n, &e), e);
	ASSERT_EQ(0, n);
}

TEST_HARNESS_MAIN
