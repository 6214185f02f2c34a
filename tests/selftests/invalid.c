// SPDX-License-Identifier: GPL-2.0
/*
 * invalid: every malformed or conflicting request is refused with the errno
 * of the ABI, an extended ACK message (and, where it concerns one
 * attribute, its offset or the missing type), and leaves the configuration
 * exactly as it was (dump before == dump after).
 *
 * One variant of the fixture per case.  A case is a valid base message
 * (checked by the "base" tests first) broken by overrides (kgate_test.h:
 * struct kt_ovr) or by a function that changes the lists.  The "node"
 * cases do the same for NODE_SET, whose refusals also leave the node's
 * settings as they were.
 *
 * Errnos of policy violations (EINVAL or ERANGE) are those the kernel
 * returned when the cases were first run on Debian's 6.1 and 6.12; both
 * kernels must give the same.
 *
 * Listeners and routes (fixture l7inv): each case is a valid listener or
 * route with one thing wrong, written as kt_l7 text; the refusal names the
 * attribute (an offset, a missing type, or the attribute's name in the
 * message) and leaves listeners and routes as they were.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kt_harness.h"
#include "kt_l7.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Services present before every case. */
#define EXIST4 "existing/v4:80"
#define EXIST6 "existing/v6:80"
static const struct kt_fe exist4_fe[] = { KT_FE("192.0.2.100", 80) };
static const struct kt_be exist4_be[] = { KT_BE("198.51.100.100", 8080) };
static const struct kt_fe exist6_fe[] = { KT_FE("2001:db8::100", 80) };
static const struct kt_be exist6_be[] = { KT_BE("2001:db8:5::100", 8080) };

/* Valid bases. */
static const struct kt_fe base4_fe[] = {
	KT_FE_FULL("192.0.2.1", 80, IPPROTO_TCP, KGATE_FE_CLUSTER),
	KT_FE_FULL("0.0.0.0", 30001, IPPROTO_TCP, KGATE_FE_NODEPORT),
};
static const struct kt_be base4_be[] = {
	KT_BE_FULL("198.51.100.1", 8080, 1, KGATE_BE_READY, 0),
	KT_BE("198.51.100.2", 8080),
};
static const struct kt_range base4_rng[] = { KT_RANGE("192.0.2.0", 24) };
static const struct kt_fe base6_fe[] = {
	KT_FE_FULL("2001:db8::1", 80, IPPROTO_TCP, KGATE_FE_CLUSTER),
	KT_FE_FULL("::", 30001, IPPROTO_TCP, KGATE_FE_NODEPORT),
};
static const struct kt_be base6_be[] = {
	KT_BE_FULL("2001:db8:5::1", 8080, 1, KGATE_BE_READY, 0),
	KT_BE("2001:db8:5::2", 8080),
};
static const struct kt_range base6_rng[] = { KT_RANGE("2001:db8::", 64) };
/* For BACKEND_* on EXIST4: a new backend (ADD) or the existing one. */
static const struct kt_be bcmd_new_be[] = {
	KT_BE_FULL("198.51.100.50", 8080, 1, KGATE_BE_READY, 0),
};

enum base {
	B_V4,		/* SERVICE_ADD of a new IPv4 service, every option */
	B_V6,		/* the same in IPv6 */
	B_BE_NEW,	/* name EXIST4 + a new backend */
	B_BE_OLD,	/* name EXIST4 + its existing backend */
	B_NAME,		/* name only */
};

enum at {
	AT_ANY,		/* only the message is checked */
	AT_OFFS,	/* NLMSGERR_ATTR_OFFS points at the override */
	AT_MISS,	/* NLMSGERR_ATTR_MISS_TYPE is the omitted type */
};

struct icase_ctx {
	struct kt_sock *s;
	struct kt_svc *svc;
};

static void add_existing(struct __test_metadata *_metadata, struct kt_sock *s)
{
	struct kt_svc svc;
	struct kt_err e;

	kt_svc_init(&svc, EXIST4);
	svc.fe = exist4_fe;
	svc.n_fe = N(exist4_fe);
	svc.be = exist4_be;
	svc.n_be = N(exist4_be);
	KT_OK(kt_svc_cmd(s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	kt_svc_init(&svc, EXIST6);
	svc.fe = exist6_fe;
	svc.n_fe = N(exist6_fe);
	svc.be = exist6_be;
	svc.n_be = N(exist6_be);
	KT_OK(kt_svc_cmd(s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
}

static void make_base(enum base b, struct kt_svc *svc)
{
	switch (b) {
	case B_V4:
	case B_V6:
		kt_svc_init(svc, b == B_V4 ? "inv/v4:80" : "inv/v6:80");
		svc->sched = KGATE_SCHED_MAGLEV;
		svc->affinity = KGATE_AFFINITY_CLIENTIP;
		svc->timeout = 100;
		svc->ext_policy = KGATE_POLICY_CLUSTER;
		svc->int_policy = KGATE_POLICY_LOCAL;
		svc->fe = b == B_V4 ? base4_fe : base6_fe;
		svc->n_fe = 2;
		svc->be = b == B_V4 ? base4_be : base6_be;
		svc->n_be = 2;
		svc->rng = b == B_V4 ? base4_rng : base6_rng;
		svc->n_rng = 1;
		break;
	case B_BE_NEW:
		kt_svc_init(svc, EXIST4);
		svc->be = bcmd_new_be;
		svc->n_be = 1;
		break;
	case B_BE_OLD:
		kt_svc_init(svc, EXIST4);
		svc->be = exist4_be;
		svc->n_be = 1;
		break;
	case B_NAME:
		kt_svc_init(svc, EXIST4);
		break;
	}
}

/* ------------------------------------------------- the bases are valid */

FIXTURE(base) {
	struct kt_sock s;
};

FIXTURE_VARIANT(base) {
	uint8_t cmd;
	enum base base;
};

FIXTURE_VARIANT_ADD(base, add_ipv4) { .cmd = KGATE_CMD_SERVICE_ADD, .base = B_V4 };
FIXTURE_VARIANT_ADD(base, add_ipv6) { .cmd = KGATE_CMD_SERVICE_ADD, .base = B_V6 };
FIXTURE_VARIANT_ADD(base, backend_add) { .cmd = KGATE_CMD_BACKEND_ADD, .base = B_BE_NEW };
FIXTURE_VARIANT_ADD(base, backend_set) { .cmd = KGATE_CMD_BACKEND_SET, .base = B_BE_OLD };
FIXTURE_VARIANT_ADD(base, backend_del) { .cmd = KGATE_CMD_BACKEND_DEL, .base = B_BE_OLD };
FIXTURE_VARIANT_ADD(base, del) { .cmd = KGATE_CMD_SERVICE_DEL, .base = B_NAME };
FIXTURE_VARIANT_ADD(base, get) { .cmd = KGATE_CMD_SERVICE_GET, .base = B_NAME };

FIXTURE_SETUP(base)
{
	struct kt_err e;
	int r = kt_open(&self->s);

	ASSERT_EQ(0, r) TH_LOG("kt_open: %s (module loaded?)", strerror(-r));
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	add_existing(_metadata, &self->s);
}

FIXTURE_TEARDOWN(base)
{
	if (self->s.nl)
		kt_cmd(&self->s, KGATE_CMD_FLUSH, NULL);
	kt_close(&self->s);
}

/* The base messages of the cases are accepted: a refusal in a case is
 * caused by its change alone.
 */
TEST_F(base, accepted)
{
	struct kt_svc svc;
	struct kt_err e;

	make_base(variant->base, &svc);
	KT_OK(kt_svc_cmd(&self->s, variant->cmd, &svc, NULL, 0, &e), e);
	if (variant->cmd == KGATE_CMD_SERVICE_ADD) {
		KT_EXPECT_SVC(&self->s, &svc);
		/* With a valid explicit table size too. */
		KT_OK(kt_del(&self->s, svc.name, &e), e);
		svc.table_size = 1009;
		KT_OK(kt_svc_cmd(&self->s, variant->cmd, &svc, NULL, 0, &e), e);
		KT_EXPECT_SVC(&self->s, &svc);
	}
}

/* ------------------------------------------------------ refused cases */

FIXTURE(inv) {
	struct kt_sock s;
	char *canon;
	size_t canon_len;
};

FIXTURE_VARIANT(inv) {
	uint8_t cmd;			/* 0: SERVICE_ADD */
	enum base base;
	const char *name;		/* instead of the base's name */
	struct kt_ovr ovr[3];
	int n_ovr;
	/* Change the lists; returns 0, or a reason to skip. */
	const char *(*mutate)(struct icase_ctx *c);
	int err;
	enum at at;
	bool no_msg;			/* answered by genetlink itself */
	const char *msg;		/* the extack message contains it */
};

FIXTURE_SETUP(inv)
{
	struct kt_err e;
	int r = kt_open(&self->s);

	ASSERT_EQ(0, r) TH_LOG("kt_open: %s (module loaded?)", strerror(-r));
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	add_existing(_metadata, &self->s);
	KT_OK(kt_dump(&self->s, &self->canon, &self->canon_len, NULL, &e), e);
}

FIXTURE_TEARDOWN(inv)
{
	free(self->canon);
	if (self->s.nl)
		kt_cmd(&self->s, KGATE_CMD_FLUSH, NULL);
	kt_close(&self->s);
}

TEST_F(inv, refused)
{
	struct kt_svc svc;
	struct icase_ctx c = { .s = &self->s, .svc = &svc };
	struct kt_msg m;
	struct kt_err e;
	uint8_t cmd = variant->cmd ? variant->cmd : KGATE_CMD_SERVICE_ADD;
	int r;

	make_base(variant->base, &svc);
	if (variant->name)
		svc.name = variant->name;
	if (variant->mutate) {
		const char *skip = variant->mutate(&c);

		if (skip)
			SKIP(return, "%s", skip);
	}
	ASSERT_EQ(0, kt_msg_init(&m, &self->s, cmd, 0));
	kt_msg_put_svc(&m, &svc, variant->ovr, variant->n_ovr);
	r = kt_send(&self->s, &m, &e, NULL, NULL);
	TH_LOG("answer: %s (%d), extack \"%s\"%s", strerror(r), r, e.msg,
	       e.has_offs ? ", with offset" :
	       e.has_miss_type ? ", with missing type" : "");
	if (r == 0 && svc.name) {
		struct kt_svc_info got;

		/* Diagnostics: what the kernel made of it. */
		if (!kt_get(&self->s, svc.name, &got, NULL)) {
			TH_LOG("accepted: %s has %d frontends, %d backends, %d source ranges",
			       got.name, got.n_fe, got.n_be, got.n_rng);
			kt_svc_info_free(&got);
		}
	}
	ASSERT_EQ(variant->err, r)
		TH_LOG("expected %s", strerror(variant->err));
	if (!variant->no_msg) {
		ASSERT_NE(0, (int)strlen(e.msg)) TH_LOG("no extack message");
	}
	if (variant->msg) {
		ASSERT_NE(NULL, strstr(e.msg, variant->msg))
			TH_LOG("the extack does not say \"%s\"", variant->msg);
	}
	if (variant->at == AT_OFFS) {
		ASSERT_TRUE(e.has_offs) TH_LOG("no NLMSGERR_ATTR_OFFS");
		ASSERT_EQ(m.ovr_offs, e.offs)
			TH_LOG("offset points elsewhere than the bad attribute");
	} else if (variant->at == AT_MISS) {
		ASSERT_TRUE(e.has_miss_type) TH_LOG("no NLMSGERR_ATTR_MISS_TYPE");
		ASSERT_EQ(variant->ovr[0].type, e.miss_type);
	}
	kt_msg_free(&m);
	ASSERT_EQ(1, kt_dump_equals(&self->s, self->canon, self->canon_len))
		TH_LOG("configuration changed by a refused command");
}

/* ------------------------------------------------------------ mutations */

static struct kt_fe fe_buf[KGATE_FRONTENDS_MAX + 2];
static struct kt_range rng_buf[KGATE_RANGES_MAX + 2];
static char addr_buf[KGATE_RANGES_MAX + 2][48];

static const char *fe_dup_in_service(struct icase_ctx *c)
{
	fe_buf[0] = c->svc->fe[0];
	fe_buf[1] = c->svc->fe[0];
	c->svc->fe = fe_buf;
	c->svc->n_fe = 2;
	return NULL;
}

static const char *fe_dup_other_service(struct icase_ctx *c)
{
	fe_buf[0] = c->svc->fe[0];
	fe_buf[1] = exist4_fe[0];
	c->svc->fe = fe_buf;
	c->svc->n_fe = 2;
	return NULL;
}

static const char *fe_too_many(struct icase_ctx *c)
{
	for (int i = 0; i < KGATE_FRONTENDS_MAX + 1; i++) {
		snprintf(addr_buf[i], sizeof(addr_buf[i]), "192.0.2.%d", i + 1);
		fe_buf[i] = (struct kt_fe)KT_FE(addr_buf[i], 80);
	}
	c->svc->fe = fe_buf;
	c->svc->n_fe = KGATE_FRONTENDS_MAX + 1;
	return NULL;
}

static const char *rng_too_many(struct icase_ctx *c)
{
	for (int i = 0; i < KGATE_RANGES_MAX + 1; i++) {
		snprintf(addr_buf[i], sizeof(addr_buf[i]), "%s.%d",
			 i < 256 ? "192.0.2" : "198.51.100", i % 256);
		rng_buf[i] = (struct kt_range)KT_RANGE(addr_buf[i], 32);
	}
	c->svc->rng = rng_buf;
	c->svc->n_rng = KGATE_RANGES_MAX + 1;
	return NULL;
}

static const char *be_dup_in_message(struct icase_ctx *c)
{
	static struct kt_be be[2];

	be[0] = c->svc->be[0];
	be[1] = c->svc->be[0];
	c->svc->be = be;
	c->svc->n_be = 2;
	return NULL;
}

static const char *be_v6_in_v4(struct icase_ctx *c)
{
	static const struct kt_be be[] = {
		KT_BE("198.51.100.1", 8080), KT_BE("2001:db8:5::1", 8080),
	};

	c->svc->be = be;
	c->svc->n_be = 2;
	return NULL;
}

static const char *be_v4_in_v6(struct icase_ctx *c)
{
	static const struct kt_be be[] = {
		KT_BE("2001:db8:5::1", 8080), KT_BE("198.51.100.1", 8080),
	};

	c->svc->be = be;
	c->svc->n_be = 2;
	return NULL;
}

static const char *be_v6_cmd(struct icase_ctx *c)
{
	static const struct kt_be be[] = { KT_BE("2001:db8:5::1", 8080) };

	c->svc->be = be;
	c->svc->n_be = 1;
	return NULL;
}

static const char *be_over_max(struct icase_ctx *c)
{
	static struct kt_be *be;
	static char (*addrs)[24];
	struct kt_stats st;
	uint32_t n;

	if (kt_stats(c->s, &st, NULL) || !st.max_backends)
		return "STATS_GET gave no max_backends";
	if (st.max_backends > KGATE_BACKENDS_MAX)
		return "max_backends above KGATE_BACKENDS_MAX";
	n = st.max_backends + 1;
	be = calloc(n, sizeof(*be));
	addrs = calloc(n, sizeof(*addrs));
	if (!be || !addrs)
		return "out of memory";
	for (uint32_t i = 0; i < n; i++) {
		snprintf(addrs[i], sizeof(addrs[i]), "198.%u.%u.%u",
			 18 + (i >> 16), (i >> 8) & 255, i & 255);
		be[i] = (struct kt_be)KT_BE(addrs[i], 8080);
	}
	c->svc->be = be;
	c->svc->n_be = (int)n;
	c->svc->table_size = KT_UNSET;
	return NULL;
}

/* ---------------------------------------------------------------- cases */

#define OVR(w, t, h, ...) { .where = (w), .type = (t), .how = (h), __VA_ARGS__ }
#define OMIT(w, t)	OVR(w, t, KT_OMIT)
#define INT(w, t, l, v)	OVR(w, t, KT_INT, .len = (l), .val = (v))
#define BYTES(w, t, b)	OVR(w, t, KT_BYTES, .len = sizeof(b) - 1, .bytes = (b))
#define STR(w, t, s)	OVR(w, t, KT_STR, .bytes = (s))

#define CASE(id, ...) FIXTURE_VARIANT_ADD(inv, id) { __VA_ARGS__ }
#define ONE(o)	.ovr = { o }, .n_ovr = 1

/* Service name */
CASE(name_missing, ONE(OMIT(KT_W_SVC, KGATE_SVC_A_NAME)),
     .err = EINVAL, .at = AT_MISS);
CASE(name_empty, ONE(STR(KT_W_SVC, KGATE_SVC_A_NAME, "")),
     .err = EINVAL, .at = AT_OFFS);
CASE(name_with_space, ONE(STR(KT_W_SVC, KGATE_SVC_A_NAME, "inv/a b:80")),
     .err = EINVAL, .at = AT_OFFS);
CASE(name_unprintable, ONE(STR(KT_W_SVC, KGATE_SVC_A_NAME, "inv/a\x01:80")),
     .err = EINVAL, .at = AT_OFFS);
CASE(name_not_terminated,
     ONE(OVR(KT_W_SVC, KGATE_SVC_A_NAME, KT_STR_NONUL, .bytes = "inv/x:80")),
     .err = EINVAL, .at = AT_OFFS);
CASE(name_too_long,
     ONE(STR(KT_W_SVC, KGATE_SVC_A_NAME,
	     "inv/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx:80")),
     .err = EINVAL, .at = AT_OFFS);	/* 256 characters: one too many */
/* Owners of KGATE_OWNER_MAX bytes, and of one more. */
#define OWNER_63 "kgate-apply/0123456789abcdef0123456789abcdef" \
	"0123456789abcdefghi"
#define OWNER_64 OWNER_63 "e"

/* Owner: checked as names are, at most KGATE_OWNER_MAX bytes */
CASE(owner_empty, ONE(STR(KT_W_SVC, KGATE_SVC_A_OWNER, "")),
     .err = EINVAL, .at = AT_OFFS, .msg = "owner");
CASE(owner_with_space, ONE(STR(KT_W_SVC, KGATE_SVC_A_OWNER, "kgate apply")),
     .err = EINVAL, .at = AT_OFFS, .msg = "owner");
CASE(owner_unprintable, ONE(STR(KT_W_SVC, KGATE_SVC_A_OWNER, "kgate\x7f")),
     .err = EINVAL, .at = AT_OFFS, .msg = "owner");
CASE(owner_too_long,
     ONE(STR(KT_W_SVC, KGATE_SVC_A_OWNER, OWNER_64)),
     .err = EINVAL, .at = AT_OFFS);	/* 64 characters: one too many */
CASE(owner_not_terminated,
     ONE(OVR(KT_W_SVC, KGATE_SVC_A_OWNER, KT_STR_NONUL, .bytes = "kgated")),
     .err = EINVAL, .at = AT_OFFS);
CASE(owner_as_u32, ONE(INT(KT_W_SVC, KGATE_SVC_A_OWNER, 4, 0x34333231)),
     .err = EINVAL, .at = AT_OFFS);

/* "1234" without a NUL */
CASE(name_as_u32, ONE(INT(KT_W_SVC, KGATE_SVC_A_NAME, 4, 0x34333231)),
     .err = EINVAL, .at = AT_OFFS);

/* Options */
CASE(sched_as_u32, ONE(INT(KT_W_SVC, KGATE_SVC_A_SCHED, 4, 0)),
     .err = EINVAL, .at = AT_OFFS);
CASE(sched_out_of_range, ONE(INT(KT_W_SVC, KGATE_SVC_A_SCHED, 1, 2)),
     .err = ERANGE, .at = AT_OFFS);
CASE(affinity_as_u32, ONE(INT(KT_W_SVC, KGATE_SVC_A_AFFINITY, 4, 1)),
     .err = EINVAL, .at = AT_OFFS);
CASE(affinity_out_of_range, ONE(INT(KT_W_SVC, KGATE_SVC_A_AFFINITY, 1, 2)),
     .err = ERANGE, .at = AT_OFFS);
CASE(timeout_zero, ONE(INT(KT_W_SVC, KGATE_SVC_A_AFFINITY_TIMEOUT, 4, 0)),
     .err = ERANGE, .at = AT_OFFS);
CASE(timeout_86401,
     ONE(INT(KT_W_SVC, KGATE_SVC_A_AFFINITY_TIMEOUT, 4, 86401)),
     .err = ERANGE, .at = AT_OFFS);
CASE(timeout_as_u8, ONE(INT(KT_W_SVC, KGATE_SVC_A_AFFINITY_TIMEOUT, 1, 5)),
     .err = EINVAL, .at = AT_OFFS);
/* Counters are the kernel's to report: a request may not carry them. */
CASE(counters_sent, ONE(INT(KT_W_SVC, KGATE_SVC_A_COUNTERS, 4, 0)),
     .err = EINVAL, .at = AT_OFFS);
CASE(be_counters_sent, ONE(INT(KT_W_BE, KGATE_BE_A_COUNTERS, 4, 0)),
     .err = EINVAL, .at = AT_OFFS);
CASE(ext_policy_out_of_range,
     ONE(INT(KT_W_SVC, KGATE_SVC_A_EXT_POLICY, 1, __KGATE_POLICY_MAX)),
     .err = ERANGE, .at = AT_OFFS);
CASE(ext_policy_as_u32, ONE(INT(KT_W_SVC, KGATE_SVC_A_EXT_POLICY, 4, 0)),
     .err = EINVAL, .at = AT_OFFS);
CASE(int_policy_out_of_range,
     ONE(INT(KT_W_SVC, KGATE_SVC_A_INT_POLICY, 1, __KGATE_POLICY_MAX)),
     .err = ERANGE, .at = AT_OFFS);
CASE(int_policy_as_u16, ONE(INT(KT_W_SVC, KGATE_SVC_A_INT_POLICY, 2, 0)),
     .err = EINVAL, .at = AT_OFFS);

/* Maglev table size (the base has 2 backends) */
CASE(table_not_prime, ONE(INT(KT_W_SVC, KGATE_SVC_A_TABLE_SIZE, 4, 1000)),
     .err = EINVAL, .at = AT_OFFS);
CASE(table_below_min, ONE(INT(KT_W_SVC, KGATE_SVC_A_TABLE_SIZE, 4, 97)),
     .err = EINVAL, .at = AT_OFFS);
CASE(table_above_max,
     ONE(INT(KT_W_SVC, KGATE_SVC_A_TABLE_SIZE, 4, 1000033)),
     .err = ERANGE, .at = AT_OFFS);
CASE(table_under_100x_backends,
     ONE(INT(KT_W_SVC, KGATE_SVC_A_TABLE_SIZE, 4, 197)),
     .err = EINVAL, .at = AT_OFFS);
CASE(table_as_u16, ONE(INT(KT_W_SVC, KGATE_SVC_A_TABLE_SIZE, 2, 1009)),
     .err = EINVAL, .at = AT_OFFS);

/* Source ranges */
CASE(range_addr_missing, ONE(OMIT(KT_W_RANGE, KGATE_RANGE_A_ADDR)),
     .err = EINVAL, .at = AT_MISS);
CASE(range_plen_missing, ONE(OMIT(KT_W_RANGE, KGATE_RANGE_A_PLEN)),
     .err = EINVAL, .at = AT_MISS);
CASE(range_addr_5_bytes,
     ONE(BYTES(KT_W_RANGE, KGATE_RANGE_A_ADDR, "\xc0\x00\x02\x00\x00")),
     .err = EINVAL, .at = AT_OFFS);
CASE(range_plen_33_ipv4, ONE(INT(KT_W_RANGE, KGATE_RANGE_A_PLEN, 1, 33)),
     .err = EAFNOSUPPORT, .at = AT_OFFS);
CASE(range_plen_129_ipv6, .base = B_V6,
     ONE(INT(KT_W_RANGE, KGATE_RANGE_A_PLEN, 1, 129)),
     .err = ERANGE, .at = AT_OFFS);
CASE(range_plen_as_u32, ONE(INT(KT_W_RANGE, KGATE_RANGE_A_PLEN, 4, 24)),
     .err = EINVAL, .at = AT_OFFS);
CASE(range_host_bits_ipv4,
     ONE(BYTES(KT_W_RANGE, KGATE_RANGE_A_ADDR, "\xc0\x00\x02\x01")),
     .err = EINVAL);
CASE(range_host_bits_ipv6, .base = B_V6,
     ONE(BYTES(KT_W_RANGE, KGATE_RANGE_A_ADDR,
	       "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01")),
     .err = EINVAL);
CASE(range_unknown_attr, ONE(INT(KT_W_RANGE, KGATE_RANGE_A_MAX + 1, 4, 0)),
     .err = EINVAL, .at = AT_OFFS);
CASE(range_too_many, .mutate = rng_too_many, .err = ENOSPC);

/* Frontends (none at all is a service only routes reach: roundtrip.c) */
CASE(fe_item_wrong_type,
     ONE(OVR(KT_W_FE_LIST, KGATE_A_LIST_ITEM, KT_RETYPE, .val = 2)),
     .err = EINVAL);
CASE(fe_item_not_a_nest, ONE(INT(KT_W_FE_LIST, KGATE_A_LIST_ITEM, 4, 80)),
     .err = EINVAL);
CASE(fe_addr_missing, ONE(OMIT(KT_W_FE, KGATE_FE_A_ADDR)),
     .err = EINVAL, .at = AT_MISS);
CASE(fe_port_missing, ONE(OMIT(KT_W_FE, KGATE_FE_A_PORT)),
     .err = EINVAL, .at = AT_MISS);
CASE(fe_addr_5_bytes,
     ONE(BYTES(KT_W_FE, KGATE_FE_A_ADDR, "\xc0\x00\x02\x01\x00")),
     .err = EINVAL, .at = AT_OFFS);
CASE(fe_addr_17_bytes,
     ONE(BYTES(KT_W_FE, KGATE_FE_A_ADDR,
	       "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01\x00")),
     .err = ERANGE, .at = AT_OFFS);
CASE(fe_port_zero, ONE(INT(KT_W_FE, KGATE_FE_A_PORT, 2, 0)),
     .err = ERANGE, .at = AT_OFFS);
CASE(fe_port_as_u32, ONE(INT(KT_W_FE, KGATE_FE_A_PORT, 4, 80)),
     .err = EINVAL, .at = AT_OFFS);
CASE(fe_proto_icmp, ONE(INT(KT_W_FE, KGATE_FE_A_PROTO, 1, 1)),
     .err = EPROTONOSUPPORT, .at = AT_OFFS);
CASE(fe_proto_as_u32, ONE(INT(KT_W_FE, KGATE_FE_A_PROTO, 4, IPPROTO_TCP)),
     .err = EINVAL, .at = AT_OFFS);
CASE(fe_kind_4, ONE(INT(KT_W_FE, KGATE_FE_A_KIND, 1, __KGATE_FE_KIND_MAX)),
     .err = ERANGE, .at = AT_OFFS);
CASE(fe_unknown_attr, ONE(INT(KT_W_FE, KGATE_FE_A_MAX + 1, 4, 0)),
     .err = EINVAL, .at = AT_OFFS);
CASE(fe_unspecified_cluster_ipv4,
     ONE(BYTES(KT_W_FE, KGATE_FE_A_ADDR, "\0\0\0\0")),
     .err = EINVAL);
CASE(fe_unspecified_cluster_ipv6, .base = B_V6,
     ONE(BYTES(KT_W_FE, KGATE_FE_A_ADDR,
	       "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0")),
     .err = EINVAL);
CASE(fe_unspecified_external,
     .ovr = { BYTES(KT_W_FE, KGATE_FE_A_ADDR, "\0\0\0\0"),
	      INT(KT_W_FE, KGATE_FE_A_KIND, 1, KGATE_FE_EXTERNAL) },
     .n_ovr = 2, .err = EINVAL);
CASE(fe_duplicate_in_service, .mutate = fe_dup_in_service, .err = EEXIST);
CASE(fe_duplicate_of_other_service, .mutate = fe_dup_other_service,
     .err = EEXIST);
CASE(fe_too_many, .mutate = fe_too_many, .err = ENOSPC);

/* Backends in SERVICE_ADD */
CASE(be_item_not_a_nest, ONE(INT(KT_W_BE_LIST, KGATE_A_LIST_ITEM, 4, 80)),
     .err = EINVAL);
CASE(be_item_wrong_type,
     ONE(OVR(KT_W_BE_LIST, KGATE_A_LIST_ITEM, KT_RETYPE, .val = 7)),
     .err = EINVAL);
CASE(be_addr_missing, ONE(OMIT(KT_W_BE, KGATE_BE_A_ADDR)),
     .err = EINVAL, .at = AT_MISS);
CASE(be_port_missing, ONE(OMIT(KT_W_BE, KGATE_BE_A_PORT)),
     .err = EINVAL, .at = AT_MISS);
CASE(be_addr_5_bytes,
     ONE(BYTES(KT_W_BE, KGATE_BE_A_ADDR, "\xc6\x33\x64\x01\x00")),
     .err = EINVAL, .at = AT_OFFS);
CASE(be_addr_unspecified, ONE(BYTES(KT_W_BE, KGATE_BE_A_ADDR, "\0\0\0\0")),
     .err = EINVAL, .at = AT_OFFS);
CASE(be_port_zero, ONE(INT(KT_W_BE, KGATE_BE_A_PORT, 2, 0)),
     .err = ERANGE, .at = AT_OFFS);
CASE(be_weight_10001,
     ONE(INT(KT_W_BE, KGATE_BE_A_WEIGHT, 4, KGATE_WEIGHT_MAX + 1)),
     .err = ERANGE, .at = AT_OFFS);
CASE(be_weight_as_u8, ONE(INT(KT_W_BE, KGATE_BE_A_WEIGHT, 1, 1)),
     .err = EINVAL, .at = AT_OFFS);
CASE(be_state_3, ONE(INT(KT_W_BE, KGATE_BE_A_STATE, 1, __KGATE_BE_STATE_MAX)),
     .err = ERANGE, .at = AT_OFFS);
CASE(be_state_as_u32, ONE(INT(KT_W_BE, KGATE_BE_A_STATE, 4, 0)),
     .err = EINVAL, .at = AT_OFFS);
CASE(be_flags_unknown_bit,
     ONE(INT(KT_W_BE, KGATE_BE_A_FLAGS, 4, KGATE_BE_F_ALL << 1)),
     .err = EINVAL, .at = AT_OFFS);
CASE(be_flags_bit_31, ONE(INT(KT_W_BE, KGATE_BE_A_FLAGS, 4, 1u << 31)),
     .err = EINVAL, .at = AT_OFFS);
CASE(be_unknown_attr, ONE(INT(KT_W_BE, KGATE_BE_A_MAX + 1, 4, 0)),
     .err = EINVAL, .at = AT_OFFS);
CASE(be_duplicate_in_message, .mutate = be_dup_in_message, .err = EEXIST);
CASE(be_ipv6_in_ipv4_service, .mutate = be_v6_in_v4, .err = EAFNOSUPPORT);
CASE(be_ipv4_in_ipv6_service, .base = B_V6, .mutate = be_v4_in_v6,
     .err = EAFNOSUPPORT);
CASE(be_over_max_backends, .mutate = be_over_max, .err = ENOSPC);

/*
 * Addresses that are no one host or never on the wire: IPv4-mapped IPv6
 * (its traffic is IPv4), IPv6 link-local (needs an interface), multicast
 * and the IPv4 limited broadcast.  The offset is the address attribute.
 */
#define MAPPED	"\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\x60\x00\x01"	/* ::ffff:10.96.0.1 */
#define LLOCAL	"\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x01"	/* fe80::1 */
#define MCAST6	"\xff\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\x01"	/* ff02::1 */
#define MCAST4	"\xe0\x00\x00\x01"					/* 224.0.0.1 */
#define BCAST4	"\xff\xff\xff\xff"					/* 255.255.255.255 */
CASE(fe_ipv4_mapped, .base = B_V6,
     ONE(BYTES(KT_W_FE, KGATE_FE_A_ADDR, MAPPED)), .err = EINVAL,
     .at = AT_OFFS, .msg = "frontend: IPv4-mapped IPv6 address");
CASE(fe_ipv6_link_local, .base = B_V6,
     ONE(BYTES(KT_W_FE, KGATE_FE_A_ADDR, LLOCAL)), .err = EINVAL,
     .at = AT_OFFS, .msg = "frontend: link-local address");
CASE(fe_ipv6_multicast, .base = B_V6,
     ONE(BYTES(KT_W_FE, KGATE_FE_A_ADDR, MCAST6)), .err = EINVAL,
     .at = AT_OFFS, .msg = "frontend: multicast address");
CASE(fe_ipv4_multicast, ONE(BYTES(KT_W_FE, KGATE_FE_A_ADDR, MCAST4)),
     .err = EINVAL, .at = AT_OFFS, .msg = "frontend: multicast address");
CASE(fe_ipv4_broadcast, ONE(BYTES(KT_W_FE, KGATE_FE_A_ADDR, BCAST4)),
     .err = EINVAL, .at = AT_OFFS, .msg = "frontend: broadcast address");
CASE(be_ipv4_mapped, .base = B_V6,
     ONE(BYTES(KT_W_BE, KGATE_BE_A_ADDR, MAPPED)), .err = EINVAL,
     .at = AT_OFFS, .msg = "backend: IPv4-mapped IPv6 address");
CASE(be_ipv6_link_local, .base = B_V6,
     ONE(BYTES(KT_W_BE, KGATE_BE_A_ADDR, LLOCAL)), .err = EINVAL,
     .at = AT_OFFS, .msg = "backend: link-local address");
CASE(be_ipv6_multicast, .base = B_V6,
     ONE(BYTES(KT_W_BE, KGATE_BE_A_ADDR, MCAST6)), .err = EINVAL,
     .at = AT_OFFS, .msg = "backend: multicast address");
CASE(be_ipv4_multicast, ONE(BYTES(KT_W_BE, KGATE_BE_A_ADDR, MCAST4)),
     .err = EINVAL, .at = AT_OFFS, .msg = "backend: multicast address");
CASE(be_ipv4_broadcast, ONE(BYTES(KT_W_BE, KGATE_BE_A_ADDR, BCAST4)),
     .err = EINVAL, .at = AT_OFFS, .msg = "backend: broadcast address");
/* The same through BACKEND_ADD. */
CASE(backend_add_ipv4_multicast, .cmd = KGATE_CMD_BACKEND_ADD,
     .base = B_BE_NEW, ONE(BYTES(KT_W_BE, KGATE_BE_A_ADDR, MCAST4)),
     .err = EINVAL, .at = AT_OFFS, .msg = "backend: multicast address");

/* BACKEND_ADD / SET / DEL */
CASE(backend_add_existing, .cmd = KGATE_CMD_BACKEND_ADD, .base = B_BE_OLD,
     .err = EEXIST);
CASE(backend_add_duplicate_in_message, .cmd = KGATE_CMD_BACKEND_ADD,
     .base = B_BE_NEW, .mutate = be_dup_in_message, .err = EEXIST);
CASE(backend_add_unknown_service, .cmd = KGATE_CMD_BACKEND_ADD,
     .base = B_BE_NEW, .name = "nope/nope:1", .err = ENOENT);
CASE(backend_add_ipv6_to_ipv4_service, .cmd = KGATE_CMD_BACKEND_ADD,
     .base = B_BE_NEW, .mutate = be_v6_cmd, .err = EAFNOSUPPORT);
CASE(backend_add_weight_10001, .cmd = KGATE_CMD_BACKEND_ADD,
     .base = B_BE_NEW,
     ONE(INT(KT_W_BE, KGATE_BE_A_WEIGHT, 4, KGATE_WEIGHT_MAX + 1)),
     .err = ERANGE, .at = AT_OFFS);
CASE(backend_add_name_missing, .cmd = KGATE_CMD_BACKEND_ADD,
     .base = B_BE_NEW, ONE(OMIT(KT_W_SVC, KGATE_SVC_A_NAME)),
     .err = EINVAL, .at = AT_MISS);
CASE(backend_add_addr_missing, .cmd = KGATE_CMD_BACKEND_ADD,
     .base = B_BE_NEW, ONE(OMIT(KT_W_BE, KGATE_BE_A_ADDR)),
     .err = EINVAL, .at = AT_MISS);
CASE(backend_set_unknown_backend, .cmd = KGATE_CMD_BACKEND_SET,
     .base = B_BE_NEW, .err = ENOENT);
CASE(backend_set_unknown_service, .cmd = KGATE_CMD_BACKEND_SET,
     .base = B_BE_OLD, .name = "nope/nope:1", .err = ENOENT);
CASE(backend_set_state_3, .cmd = KGATE_CMD_BACKEND_SET, .base = B_BE_OLD,
     ONE(INT(KT_W_BE, KGATE_BE_A_STATE, 1, __KGATE_BE_STATE_MAX)),
     .err = ERANGE, .at = AT_OFFS);
CASE(backend_set_port_missing, .cmd = KGATE_CMD_BACKEND_SET,
     .base = B_BE_OLD, ONE(OMIT(KT_W_BE, KGATE_BE_A_PORT)),
     .err = EINVAL, .at = AT_MISS);
CASE(backend_del_unknown_backend, .cmd = KGATE_CMD_BACKEND_DEL,
     .base = B_BE_NEW, .err = ENOENT);
CASE(backend_del_unknown_service, .cmd = KGATE_CMD_BACKEND_DEL,
     .base = B_BE_OLD, .name = "nope/nope:1", .err = ENOENT);

/* Service level */
CASE(service_duplicate, .name = EXIST4, .err = EEXIST);
CASE(service_nest_missing, ONE(OMIT(KT_W_TOP, KGATE_A_SERVICE)),
     .err = EINVAL, .at = AT_MISS);
CASE(service_nest_as_u32, ONE(INT(KT_W_TOP, KGATE_A_SERVICE, 4, 0)),
     .err = EINVAL, .at = AT_OFFS);
CASE(service_unknown_attr, ONE(INT(KT_W_SVC, KGATE_SVC_A_MAX + 1, 4, 0)),
     .err = EINVAL, .at = AT_OFFS);
CASE(replace_with_bad_timeout, .cmd = KGATE_CMD_SERVICE_REPLACE,
     .name = EXIST4,
     ONE(INT(KT_W_SVC, KGATE_SVC_A_AFFINITY_TIMEOUT, 4, 0)),
     .err = ERANGE, .at = AT_OFFS);
CASE(replace_with_duplicate_frontend, .cmd = KGATE_CMD_SERVICE_REPLACE,
     .name = EXIST6, .base = B_V6, .mutate = fe_dup_in_service,
     .err = EEXIST);
CASE(del_unknown_service, .cmd = KGATE_CMD_SERVICE_DEL, .base = B_NAME,
     .name = "nope/nope:1", .err = ENOENT);
CASE(del_name_missing, .cmd = KGATE_CMD_SERVICE_DEL, .base = B_NAME,
     ONE(OMIT(KT_W_SVC, KGATE_SVC_A_NAME)), .err = EINVAL, .at = AT_MISS);
CASE(get_unknown_service, .cmd = KGATE_CMD_SERVICE_GET, .base = B_NAME,
     .name = "nope/nope:1", .err = ENOENT);
CASE(top_unknown_attr, ONE(INT(KT_W_TOP, KGATE_A_MAX + 1, 4, 0)),
     .err = EINVAL, .at = AT_OFFS);
/* Another command's object in a service command: as a nest (NLA_F_NESTED,
 * as libmnl writes nests) and as a plain empty attribute, so that the
 * refusal does not rest on the nested flag alone.  And the reserved one.
 */
CASE(top_foreign_listener_nest,
     ONE(OVR(KT_W_TOP, KGATE_A_LISTENER, KT_EMPTY_NEST)),
     .err = EINVAL, .at = AT_OFFS, .msg = "not used by this command");
CASE(top_foreign_listener, ONE(BYTES(KT_W_TOP, KGATE_A_LISTENER, "")),
     .err = EINVAL, .at = AT_OFFS);
CASE(top_foreign_route, ONE(BYTES(KT_W_TOP, KGATE_A_ROUTE, "")),
     .err = EINVAL, .at = AT_OFFS);
CASE(top_foreign_node, ONE(OVR(KT_W_TOP, KGATE_A_NODE, KT_EMPTY_NEST)),
     .err = EINVAL, .at = AT_OFFS, .msg = "not used by this command");
CASE(top_reserved_cert, ONE(BYTES(KT_W_TOP, KGATE_A_CERT, "")),
     .err = EINVAL, .at = AT_OFFS);
CASE(top_generation_in_request, ONE(INT(KT_W_TOP, KGATE_A_GENERATION, 8, 1)),
     .err = EINVAL, .at = AT_OFFS);

/*
 * Reserved and unknown commands: genetlink answers them (no extack
 * message).  ACCESS is an event, not a request.
 */
CASE(cmd_unknown_after_listener, .cmd = KGATE_CMD_LISTENER_GET + 1,
     .base = B_NAME, .err = EOPNOTSUPP, .no_msg = true);
CASE(cmd_unknown_after_route, .cmd = KGATE_CMD_ROUTE_GET + 1,
     .base = B_NAME, .err = EOPNOTSUPP, .no_msg = true);
CASE(cmd_access_is_an_event, .cmd = KGATE_CMD_ACCESS, .base = B_NAME,
     .err = EOPNOTSUPP, .no_msg = true);
CASE(cmd_reserved_cert, .cmd = KGATE_CMD_CERT_BASE, .base = B_NAME,
     .err = EOPNOTSUPP, .no_msg = true);
CASE(cmd_reserved_tls, .cmd = KGATE_CMD_TLS_BASE, .base = B_NAME,
     .err = EOPNOTSUPP, .no_msg = true);

/* ------------------------------------------------------------- NODE_SET */

/*
 * NODE_SET refusals: the node's settings and the services stay as they
 * were.  The base message sets node_base; overrides apply to its ranges.
 */
static const struct kt_range node_before[] = { KT_RANGE("192.0.2.0", 24) };
static const struct kt_range node_base[] = {
	KT_RANGE("10.244.0.0", 16), KT_RANGE("fd00:244::", 48),
};

FIXTURE(node) {
	struct kt_sock s;
	char *canon;
	size_t canon_len;
};

FIXTURE_VARIANT(node) {
	struct kt_ovr ovr[3];
	int n_ovr;
	bool too_many;			/* KGATE_RANGES_MAX + 1 ranges */
	int err;
	enum at at;
	const char *msg;
};

FIXTURE_SETUP(node)
{
	struct kt_err e;
	int r = kt_open(&self->s);

	ASSERT_EQ(0, r) TH_LOG("kt_open: %s (module loaded?)", strerror(-r));
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	add_existing(_metadata, &self->s);
	KT_OK(kt_node_set(&self->s, node_before, N(node_before), &e), e);
	KT_OK(kt_dump(&self->s, &self->canon, &self->canon_len, NULL, &e), e);
}

FIXTURE_TEARDOWN(node)
{
	free(self->canon);
	if (self->s.nl) {
		kt_cmd(&self->s, KGATE_CMD_FLUSH, NULL);
		kt_node_set(&self->s, NULL, 0, NULL);
	}
	kt_close(&self->s);
}

/* The base message is accepted: a refusal is caused by its change alone. */
FIXTURE(node_base) {
	struct kt_sock s;
};

FIXTURE_SETUP(node_base)
{
	ASSERT_EQ(0, kt_open(&self->s));
}

FIXTURE_TEARDOWN(node_base)
{
	if (self->s.nl)
		kt_node_set(&self->s, NULL, 0, NULL);
	kt_close(&self->s);
}

TEST_F(node_base, accepted)
{
	struct kt_node_info got;
	struct kt_err e;
	char why[512];

	KT_OK(kt_node_set(&self->s, node_base, N(node_base), &e), e);
	KT_OK(kt_node_get(&self->s, &got, &e), e);
	ASSERT_EQ(0, kt_node_expect(node_base, N(node_base), &got, why,
				    sizeof(why))) TH_LOG("%s", why);
}

TEST_F(node, refused)
{
	struct kt_range *many = NULL;
	char (*addrs)[24] = NULL;
	const struct kt_range *rng = node_base;
	int n = N(node_base), r;
	struct kt_node_info got;
	struct kt_msg m;
	struct kt_err e;
	char why[512];

	if (variant->too_many) {
		n = KGATE_RANGES_MAX + 1;
		many = calloc(n, sizeof(*many));
		addrs = calloc(n, sizeof(*addrs));
		ASSERT_TRUE(many && addrs);
		for (int i = 0; i < n; i++) {
			snprintf(addrs[i], sizeof(addrs[i]), "10.%d.0.0", i);
			many[i] = (struct kt_range)KT_RANGE(addrs[i], 16);
		}
		rng = many;
	}
	ASSERT_EQ(0, kt_msg_init(&m, &self->s, KGATE_CMD_NODE_SET, 0));
	kt_msg_put_node(&m, rng, n, variant->ovr, variant->n_ovr);
	r = kt_send(&self->s, &m, &e, NULL, NULL);
	TH_LOG("answer: %s (%d), extack \"%s\"%s", strerror(r), r, e.msg,
	       e.has_offs ? ", with offset" :
	       e.has_miss_type ? ", with missing type" : "");
	free(many);
	free(addrs);
	ASSERT_EQ(variant->err, r) TH_LOG("expected %s", strerror(variant->err));
	ASSERT_NE(0, (int)strlen(e.msg)) TH_LOG("no extack message");
	if (variant->msg) {
		ASSERT_NE(NULL, strstr(e.msg, variant->msg))
			TH_LOG("the extack does not say \"%s\"", variant->msg);
	}
	if (variant->at == AT_OFFS) {
		ASSERT_TRUE(e.has_offs) TH_LOG("no NLMSGERR_ATTR_OFFS");
		ASSERT_EQ(m.ovr_offs, e.offs)
			TH_LOG("offset points elsewhere than the bad attribute");
	} else if (variant->at == AT_MISS) {
		ASSERT_TRUE(e.has_miss_type) TH_LOG("no NLMSGERR_ATTR_MISS_TYPE");
		ASSERT_EQ(variant->ovr[0].type, e.miss_type);
	}
	kt_msg_free(&m);
	KT_OK(kt_node_get(&self->s, &got, &e), e);
	ASSERT_EQ(0, kt_node_expect(node_before, N(node_before), &got, why,
				    sizeof(why)))
		TH_LOG("the node changed by a refused NODE_SET: %s", why);
	ASSERT_EQ(1, kt_dump_equals(&self->s, self->canon, self->canon_len))
		TH_LOG("configuration changed by a refused command");
}

#define NODE_CASE(id, ...) FIXTURE_VARIANT_ADD(node, id) { __VA_ARGS__ }
NODE_CASE(host_bits_ipv4,
	  ONE(BYTES(KT_W_RANGE, KGATE_RANGE_A_ADDR, "\x0a\xf4\x00\x01")),
	  .err = EINVAL, .at = AT_OFFS, .msg = "host bits");
NODE_CASE(host_bits_ipv6,
	  ONE(OVR(KT_W_RANGE, KGATE_RANGE_A_ADDR, KT_BYTES, .index = 1,
		  .len = 16,
		  .bytes = "\xfd\x00\x02\x44\0\0\0\0\0\0\0\0\0\0\0\x01")),
	  .err = EINVAL, .at = AT_OFFS, .msg = "host bits");
NODE_CASE(plen_33_ipv4, ONE(INT(KT_W_RANGE, KGATE_RANGE_A_PLEN, 1, 33)),
	  .err = EAFNOSUPPORT, .at = AT_OFFS, .msg = "prefix length");
NODE_CASE(plen_129_ipv6,
	  ONE(OVR(KT_W_RANGE, KGATE_RANGE_A_PLEN, KT_INT, .index = 1,
		  .len = 1, .val = 129)),
	  .err = ERANGE, .at = AT_OFFS);
NODE_CASE(plen_as_u32, ONE(INT(KT_W_RANGE, KGATE_RANGE_A_PLEN, 4, 16)),
	  .err = EINVAL, .at = AT_OFFS);
NODE_CASE(addr_missing, ONE(OMIT(KT_W_RANGE, KGATE_RANGE_A_ADDR)),
	  .err = EINVAL, .at = AT_MISS);
NODE_CASE(too_many_ranges, .too_many = true, .err = ENOSPC,
	  .msg = "at most 64");
NODE_CASE(entry_wrong_type,
	  ONE(OVR(KT_W_RANGE_LIST, KGATE_A_LIST_ITEM, KT_RETYPE, .val = 2)),
	  .err = EINVAL, .at = AT_OFFS, .msg = "type 1");
NODE_CASE(entry_not_a_nest,
	  ONE(INT(KT_W_RANGE_LIST, KGATE_A_LIST_ITEM, 4, 16)), .err = EINVAL);
NODE_CASE(unknown_attr, ONE(INT(KT_W_NODE, KGATE_NODE_A_MAX + 1, 4, 0)),
	  .err = EINVAL, .at = AT_OFFS);
NODE_CASE(node_missing, ONE(OMIT(KT_W_TOP, KGATE_A_NODE)),
	  .err = EINVAL, .at = AT_MISS);

/* ------------------------------------------------------ listeners, routes */

/* Present before every case, so that "as it was" is not just empty. */
#define L7_EXIST_LIS "name=exist addr=127.0.0.1 port=18180"
#define L7_EXIST_RT "name=exist/rt listeners[exist] rules[{matches[{" \
	"path_type=0 path=/}] backends[{service=s weight=1}]}]"

/* The valid bases, each case changes one thing. */
#define LIS(extra) "name=bad addr=127.0.0.1 port=18181 " extra
#define RULE "{matches[{path_type=0 path=/a}] backends[{service=s weight=1}]}"
#define RT(pre, rules) "name=ns/bad " pre " rules[" rules "]"
#define RT_L "listeners[exist]"

FIXTURE(l7inv) {
	struct kt_sock s;
	char lis[8192], rt[8192];
};

FIXTURE_VARIANT(l7inv) {
	enum kt_l7_obj obj;
	const char *text;
	int err, err2;		/* the errno; err2: another one allowed */
	const char *word;	/* in the message, if no offset is given */
};

FIXTURE_SETUP(l7inv)
{
	struct kt_err e;
	int r = kt_open(&self->s), n;

	ASSERT_EQ(0, r) TH_LOG("kt_open: %s (module loaded?)", strerror(-r));
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_LISTENER_ADD, KT_LISTENER,
			L7_EXIST_LIS, &e), e);
	KT_OK(kt_l7_cmd(&self->s, KGATE_CMD_ROUTE_ADD, KT_ROUTE, L7_EXIST_RT,
			&e), e);
	KT_OK(kt_l7_dump(&self->s, KT_LISTENER, self->lis, sizeof(self->lis),
			 &n, &e), e);
	KT_OK(kt_l7_dump(&self->s, KT_ROUTE, self->rt, sizeof(self->rt), &n,
			 &e), e);
}

FIXTURE_TEARDOWN(l7inv)
{
	if (self->s.nl)
		kt_cmd(&self->s, KGATE_CMD_FLUSH, NULL);
	kt_close(&self->s);
}

/* @word in @msg, in any case. */
static bool mentions(const char *msg, const char *word)
{
	size_t n = strlen(word);

	for (; *msg; msg++)
		if (!strncasecmp(msg, word, n))
			return true;
	return false;
}

TEST_F(l7inv, refused)
{
	uint8_t cmd = variant->obj == KT_ROUTE ? KGATE_CMD_ROUTE_ADD :
						 KGATE_CMD_LISTENER_ADD;
	char after[8192];
	struct kt_err e;
	int r, n;

	r = kt_l7_cmd(&self->s, cmd, variant->obj, variant->text, &e);
	if (!variant->err) {	/* a base: accepted */
		ASSERT_EQ(0, r) TH_LOG("base %s: %s, extack \"%s\"",
				       variant->text, strerror(r), e.msg);
		return;
	}
	ASSERT_TRUE(r == variant->err || (variant->err2 && r == variant->err2))
		TH_LOG("%s: expected %s, got %s (%d), extack \"%s\"",
		       variant->text, strerror(variant->err), strerror(r), r,
		       e.msg);
	ASSERT_NE(0, (int)strlen(e.msg))
		TH_LOG("refused with %s but no extack message", strerror(r));
	ASSERT_TRUE(e.has_offs || e.has_miss_type ||
		    (variant->word && mentions(e.msg, variant->word)))
		TH_LOG("extack \"%s\" names no attribute (no offset, no "
		       "missing type, no \"%s\")", e.msg, variant->word);
	/* nothing changed */
	KT_OK(kt_l7_dump(&self->s, KT_LISTENER, after, sizeof(after), &n, &e),
	      e);
	ASSERT_STREQ(self->lis, after);
	KT_OK(kt_l7_dump(&self->s, KT_ROUTE, after, sizeof(after), &n, &e), e);
	ASSERT_STREQ(self->rt, after);
}

#define L7CASE(id, o, t, ...) \
	FIXTURE_VARIANT_ADD(l7inv, id) { .obj = (o), .text = (t), __VA_ARGS__ }

L7CASE(base_listener, KT_LISTENER, LIS(""), .err = 0);
L7CASE(base_listener_every_attribute, KT_LISTENER,
       LIS("mode=0 default_backend=d/w:80 flags=3 max_conns=10 "
	   "limits{head_bytes=1024 headers=1 uri_bytes=16 body_bytes=0 "
	   "head_timeout=1 idle_timeout=1 connect_timeout=1 "
	   "response_timeout=1} owner=" OWNER_63), .err = 0);
L7CASE(base_route, KT_ROUTE, RT(RT_L, RULE), .err = 0);
L7CASE(base_route_owner, KT_ROUTE, RT(RT_L " owner=kgated", RULE), .err = 0);

/* Owners, as names: printable, no space, 1..KGATE_OWNER_MAX bytes */
L7CASE(lis_owner_empty, KT_LISTENER, LIS("owner=\"\""),
       .err = EINVAL, .word = "owner");
L7CASE(lis_owner_space, KT_LISTENER, LIS("owner=\"kgate apply\""),
       .err = EINVAL, .word = "owner");
L7CASE(lis_owner_too_long, KT_LISTENER, LIS("owner=" OWNER_64),
       .err = EINVAL, .word = "owner");
L7CASE(rt_owner_empty, KT_ROUTE, RT(RT_L " owner=\"\"", RULE),
       .err = EINVAL, .word = "owner");
L7CASE(rt_owner_space, KT_ROUTE, RT(RT_L " owner=\"kgate apply\"", RULE),
       .err = EINVAL, .word = "owner");
L7CASE(rt_owner_too_long, KT_ROUTE, RT(RT_L " owner=" OWNER_64, RULE),
       .err = EINVAL, .word = "owner");

/* Listeners */
L7CASE(lis_name_missing, KT_LISTENER, "addr=127.0.0.1 port=18181",
       .err = EINVAL, .word = "name");
L7CASE(lis_name_empty, KT_LISTENER, "name=\"\" addr=127.0.0.1 port=18181",
       .err = EINVAL, .word = "name");
L7CASE(lis_addr_missing, KT_LISTENER, "name=bad port=18181",
       .err = EINVAL, .word = "addr");
L7CASE(lis_port_missing, KT_LISTENER, "name=bad addr=127.0.0.1",
       .err = EINVAL, .word = "port");
L7CASE(lis_port_zero, KT_LISTENER, "name=bad addr=127.0.0.1 port=0",
       .err = EINVAL, .err2 = ERANGE, .word = "port");
L7CASE(lis_mode_tls_terminate, KT_LISTENER, LIS("mode=1"),
       .err = EOPNOTSUPP, .word = "mode");
L7CASE(lis_mode_tls_passthrough, KT_LISTENER, LIS("mode=2"),
       .err = EOPNOTSUPP, .word = "mode");
L7CASE(lis_mode_unknown, KT_LISTENER, LIS("mode=3"),
       .err = EINVAL, .err2 = ERANGE, .word = "mode");
L7CASE(lis_flags_unknown, KT_LISTENER, LIS("flags=4"),
       .err = EINVAL, .err2 = ERANGE, .word = "flag");
L7CASE(lis_max_conns_zero, KT_LISTENER, LIS("max_conns=0"),
       .err = EINVAL, .err2 = ERANGE, .word = "conn");
L7CASE(lis_max_conns_high, KT_LISTENER, LIS("max_conns=1048577"),
       .err = EINVAL, .err2 = ERANGE, .word = "conn");
/* limits out of range, each bound (EINVAL, or ERANGE from a policy) */
#define LIMCASE(id, lim, word_) L7CASE(id, KT_LISTENER, \
	LIS("limits{" lim "}"), .err = EINVAL, .err2 = ERANGE, .word = word_)
LIMCASE(lim_head_bytes_low, "head_bytes=1023", "head");
LIMCASE(lim_head_bytes_high, "head_bytes=65536", "head");
LIMCASE(lim_headers_zero, "headers=0", "header");
LIMCASE(lim_headers_high, "headers=257", "header");
LIMCASE(lim_uri_bytes_low, "uri_bytes=15", "uri");
LIMCASE(lim_uri_bytes_high, "uri_bytes=65536", "uri");
LIMCASE(lim_head_timeout_zero, "head_timeout=0", "timeout");
LIMCASE(lim_head_timeout_high, "head_timeout=86400001", "timeout");
LIMCASE(lim_idle_timeout_zero, "idle_timeout=0", "timeout");
LIMCASE(lim_idle_timeout_high, "idle_timeout=86400001", "timeout");
LIMCASE(lim_connect_timeout_zero, "connect_timeout=0", "timeout");
LIMCASE(lim_connect_timeout_high, "connect_timeout=86400001", "timeout");
LIMCASE(lim_response_timeout_zero, "response_timeout=0", "timeout");
LIMCASE(lim_response_timeout_high, "response_timeout=86400001", "timeout");

/* Routes */
L7CASE(rt_name_missing, KT_ROUTE, RT_L " rules[" RULE "]",
       .err = EINVAL, .word = "name");
L7CASE(rt_no_listener, KT_ROUTE, RT("", RULE), .err = EINVAL,
       .word = "listener");
L7CASE(rt_listeners_empty, KT_ROUTE, RT("listeners[]", RULE),
       .err = EINVAL, .word = "listener");
/* 17 > KGATE_ROUTE_LISTENERS_MAX; ENOSPC: the ABI's word for a KGATE_*_MAX */
L7CASE(rt_17_listeners, KT_ROUTE,
       RT("listeners[l1 l2 l3 l4 l5 l6 l7 l8 l9 l10 l11 l12 l13 l14 l15 l16 "
	  "l17]", RULE), .err = EINVAL, .err2 = ENOSPC, .word = "listener");
L7CASE(rt_no_rules, KT_ROUTE, "name=ns/bad " RT_L, .err = EINVAL,
       .word = "rule");
L7CASE(rt_rules_empty, KT_ROUTE, "name=ns/bad " RT_L " rules[]",
       .err = EINVAL, .word = "rule");
L7CASE(rt_kind_unknown, KT_ROUTE, RT("kind=2 " RT_L, RULE),
       .err = EINVAL, .err2 = ERANGE, .word = "kind");
L7CASE(rt_hostname_blank, KT_ROUTE,
       RT(RT_L " hostnames[\"bad host.example\"]", RULE), .err = EINVAL,
       .word = "host");
L7CASE(rt_hostname_inner_wildcard, KT_ROUTE,
       RT(RT_L " hostnames[a.*.example]", RULE), .err = EINVAL,
       .word = "host");
L7CASE(rt_hostname_empty, KT_ROUTE, RT(RT_L " hostnames[\"\"]", RULE),
       .err = EINVAL, .word = "host");
L7CASE(rt_path_relative, KT_ROUTE,
       RT(RT_L, "{matches[{path_type=0 path=api}] "
	  "backends[{service=s weight=1}]}"), .err = EINVAL, .word = "path");
L7CASE(rt_path_type_unknown, KT_ROUTE,
       RT(RT_L, "{matches[{path_type=3 path=/a}] "
	  "backends[{service=s weight=1}]}"), .err = EINVAL, .err2 = ERANGE,
       .word = "type");
L7CASE(rt_rewrite_target_capture, KT_ROUTE,
       RT(RT_L " rewrite_target=/$1", RULE), .err = EINVAL,
       .word = "rewrite");
L7CASE(rt_weight_high, KT_ROUTE,
       RT(RT_L, "{matches[{path_type=0 path=/a}] "
	  "backends[{service=s weight=1000001}]}"), .err = EINVAL,
       .err2 = ERANGE, .word = "weight");
L7CASE(rt_backend_no_service, KT_ROUTE,
       RT(RT_L, "{backends[{weight=1}]}"), .err = EINVAL,
       .word = "service");
/* redirects are HTTPRoute filters */
L7CASE(base_route_redirect, KT_ROUTE,
       RT("kind=1 " RT_L, "{matches[{path_type=0 path=/a}] "
	  "redirect{scheme=https status=301}}"), .err = 0);
L7CASE(rt_redirect_status_304, KT_ROUTE,
       RT("kind=1 " RT_L, "{matches[{path_type=0 path=/a}] "
	  "redirect{status=304}}"),
       .err = EINVAL, .word = "status");
L7CASE(rt_redirect_scheme_ftp, KT_ROUTE,
       RT("kind=1 " RT_L, "{matches[{path_type=0 path=/a}] "
	  "redirect{scheme=ftp}}"),
       .err = EINVAL, .word = "scheme");
L7CASE(rt_header_no_value, KT_ROUTE,
       RT(RT_L, "{matches[{path_type=0 path=/a headers[{name=x}]}] "
	  "backends[{service=s weight=1}]}"), .err = EINVAL,
       .word = "value");

/*
 * ---------------------------------------------------------- GETPOLICY
 * The policies requests are validated with are the family's, and the
 * controller reports them: CTRL_CMD_GETPOLICY dumps, for family "kgate",
 * each command's policy (CTRL_ATTR_OP_POLICY) and every attribute of
 * every policy (CTRL_ATTR_POLICY), one per message.
 */
#define POL_MAX		64	/* policies */
#define POL_ATTRS	32	/* attributes per policy */

struct pol_attr {
	bool seen;
	int type;		/* enum netlink_attribute_type */
	bool has_idx, has_max_len;
	uint32_t idx;		/* the nest's policy */
	int max_len;
};

struct pol_dump {
	bool has_do[KGATE_CMD_MAX + 1];
	uint32_t do_idx[KGATE_CMD_MAX + 1];
	struct pol_attr a[POL_MAX][POL_ATTRS];
	int n_msgs, bad;	/* messages; entries out of range */
};

static void pol_op(struct pol_dump *d, const struct nlattr *ops)
{
	const struct nlattr *op, *x;

	mnl_attr_for_each_nested(op, ops) {
		uint16_t cmd = mnl_attr_get_type(op);

		if (cmd > KGATE_CMD_MAX) {
			d->bad++;
			continue;
		}
		mnl_attr_for_each_nested(x, op) {
			if (mnl_attr_get_type(x) != CTRL_ATTR_POLICY_DO)
				continue;
			d->has_do[cmd] = true;
			d->do_idx[cmd] = mnl_attr_get_u32(x);
		}
	}
}

static void pol_attrs(struct pol_dump *d, const struct nlattr *pols)
{
	const struct nlattr *pol, *attr, *x;

	mnl_attr_for_each_nested(pol, pols) {
		uint16_t idx = mnl_attr_get_type(pol);

		mnl_attr_for_each_nested(attr, pol) {
			uint16_t t = mnl_attr_get_type(attr);
			struct pol_attr *pa;

			if (idx >= POL_MAX || t >= POL_ATTRS) {
				d->bad++;
				continue;
			}
			pa = &d->a[idx][t];
			pa->seen = true;
			mnl_attr_for_each_nested(x, attr) {
				switch (mnl_attr_get_type(x)) {
				case NL_POLICY_TYPE_ATTR_TYPE:
					pa->type = (int)mnl_attr_get_u32(x);
					break;
				case NL_POLICY_TYPE_ATTR_POLICY_IDX:
					pa->has_idx = true;
					pa->idx = mnl_attr_get_u32(x);
					break;
				case NL_POLICY_TYPE_ATTR_MAX_LENGTH:
					pa->has_max_len = true;
					pa->max_len = (int)mnl_attr_get_u32(x);
					break;
				}
			}
		}
	}
}

static int pol_cb(const struct nlmsghdr *nlh, void *data)
{
	struct pol_dump *d = data;
	const struct nlattr *a;

	d->n_msgs++;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_OP_POLICY)
			pol_op(d, a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_POLICY)
			pol_attrs(d, a);
	}
	return 0;
}

/* Attribute @type of policy @idx, or NULL if the dump did not have it. */
static const struct pol_attr *pol_get(const struct pol_dump *d, uint32_t idx,
				      uint16_t type)
{
	if (idx >= POL_MAX || type >= POL_ATTRS || !d->a[idx][type].seen)
		return NULL;
	return &d->a[idx][type];
}

FIXTURE(policy) {
	struct kt_sock s;
	struct pol_dump *d;
};

FIXTURE_SETUP(policy)
{
	ASSERT_EQ(0, kt_open(&self->s)) TH_LOG("kt_open (module loaded?)");
	self->d = calloc(1, sizeof(*self->d));
	ASSERT_NE(NULL, self->d);
}

FIXTURE_TEARDOWN(policy)
{
	free(self->d);
	kt_close(&self->s);
}

TEST_F(policy, getpolicy_reports_the_policies)
{
	const struct pol_attr *rt, *svc, *name, *count;
	struct pol_dump *d = self->d;
	struct genlmsghdr *g;
	struct kt_msg m;
	struct kt_err e;
	uint32_t top;

	ASSERT_EQ(0, kt_msg_init(&m, &self->s, CTRL_CMD_GETPOLICY, NLM_F_DUMP));
	m.nlh->nlmsg_type = GENL_ID_CTRL;
	g = mnl_nlmsg_get_payload(m.nlh);
	g->version = 2;
	mnl_attr_put_strz(m.nlh, CTRL_ATTR_FAMILY_NAME, KGATE_GENL_NAME);
	KT_OK(kt_send(&self->s, &m, &e, pol_cb, d), e);
	kt_msg_free(&m);
	TH_LOG("%d messages", d->n_msgs);
	EXPECT_EQ(0, d->bad);

	/* Every command has the family's policy. */
	ASSERT_TRUE(d->has_do[KGATE_CMD_ROUTE_ADD]) TH_LOG("no policy for ROUTE_ADD");
	top = d->do_idx[KGATE_CMD_ROUTE_ADD];
	EXPECT_TRUE(d->has_do[KGATE_CMD_SERVICE_ADD]);
	EXPECT_EQ(top, d->do_idx[KGATE_CMD_SERVICE_ADD]);
	EXPECT_TRUE(d->has_do[KGATE_CMD_BATCH_COMMIT]);
	EXPECT_EQ(top, d->do_idx[KGATE_CMD_BATCH_COMMIT]);

	/* KGATE_A_ROUTE: a nest whose name is a NUL string, < KGATE_NAME_MAX. */
	rt = pol_get(d, top, KGATE_A_ROUTE);
	ASSERT_NE(NULL, rt) TH_LOG("no KGATE_A_ROUTE in policy %u", top);
	ASSERT_EQ(NL_ATTR_TYPE_NESTED, rt->type);
	ASSERT_TRUE(rt->has_idx);
	name = pol_get(d, rt->idx, KGATE_RT_A_NAME);
	ASSERT_NE(NULL, name) TH_LOG("no KGATE_RT_A_NAME in policy %u", rt->idx);
	EXPECT_EQ(NL_ATTR_TYPE_NUL_STRING, name->type);
	EXPECT_TRUE(name->has_max_len);
	EXPECT_EQ(KGATE_NAME_MAX - 1, name->max_len);
	/* Deeper down too: the route's rules, an array of nests. */
	name = pol_get(d, rt->idx, KGATE_RT_A_RULES);
	ASSERT_NE(NULL, name);
	EXPECT_EQ(NL_ATTR_TYPE_NESTED_ARRAY, name->type);

	/* KGATE_A_SERVICE: a nest with its own policy, the name in it. */
	svc = pol_get(d, top, KGATE_A_SERVICE);
	ASSERT_NE(NULL, svc) TH_LOG("no KGATE_A_SERVICE in policy %u", top);
	ASSERT_EQ(NL_ATTR_TYPE_NESTED, svc->type);
	ASSERT_TRUE(svc->has_idx);
	EXPECT_NE(rt->idx, svc->idx);
	name = pol_get(d, svc->idx, KGATE_SVC_A_NAME);
	ASSERT_NE(NULL, name) TH_LOG("no KGATE_SVC_A_NAME in policy %u", svc->idx);
	EXPECT_EQ(NL_ATTR_TYPE_NUL_STRING, name->type);
	name = pol_get(d, svc->idx, KGATE_SVC_A_BACKENDS);
	ASSERT_NE(NULL, name);
	EXPECT_EQ(NL_ATTR_TYPE_NESTED_ARRAY, name->type);

	/* KGATE_A_BATCH_COUNT, BATCH_COMMIT's: a u32. */
	count = pol_get(d, top, KGATE_A_BATCH_COUNT);
	ASSERT_NE(NULL, count) TH_LOG("no KGATE_A_BATCH_COUNT in policy %u", top);
	EXPECT_EQ(NL_ATTR_TYPE_U32, count->type);
}

TEST_HARNESS_MAIN
