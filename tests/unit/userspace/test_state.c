// SPDX-License-Identifier: GPL-2.0
/*
 * libkgate state.c and txn.c on the host: normalising makes a
 * configuration as a user writes it equal to the same one as the kernel
 * reports it, kgate_diff() asks for exactly the operations needed and in
 * an order that meets references, a deletion carries the name alone, and
 * a refused commit is mapped back to its operation by the extack cookie.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/kgate.h>

#include "kgate_l7msg.h"
#include "kgate_msg.h"
#include "kgate_obj.h"
#include "kgate_parse.h"
#include "kgate_state.h"
#include "kgate_txn.h"
#include "tap.h"

static uint32_t buf[(KGATE_MSG_HDRLEN + 70000) / 4];
static char why[200];

static struct kgate_addr addr(const char *s)
{
	struct kgate_addr a;

	kgate_parse_addr(s, &a);
	return a;
}

static struct kgate_service *new_svc(struct kgate_state *st, const char *name)
{
	struct kgate_service *svc;

	st->svcs = realloc(st->svcs, (st->n_svcs + 1) * sizeof(*st->svcs));
	svc = &st->svcs[st->n_svcs++];
	kgate_service_init(svc);
	kgate_service_set_name(svc, name);
	return svc;
}

static void add_fe(struct kgate_service *svc, const char *a, uint16_t port,
		   uint8_t proto)
{
	struct kgate_frontend fe = { .addr = addr(a), .port = port,
				     .proto = proto };

	kgate_service_add_frontend(svc, &fe);
}

static void add_be(struct kgate_service *svc, const char *a, uint16_t port)
{
	struct kgate_backend be;

	kgate_backend_init(&be);
	be.addr = addr(a);
	be.port = port;
	kgate_service_add_backend(svc, &be);
}

/* Service "web" as a user writes it: defaults left out. */
static void user_web(struct kgate_state *st)
{
	struct kgate_service *svc = new_svc(st, "web");

	add_fe(svc, "10.96.0.10", 80, IPPROTO_TCP);
	add_fe(svc, "fd00::10", 80, IPPROTO_TCP);
	add_be(svc, "10.244.1.3", 8080);
	add_be(svc, "10.244.1.2", 8080);
	add_be(svc, "10.244.2.7", 8080);
}

/* The same as the kernel reports it: everything explicit, its own order. */
static void kernel_web(struct kgate_state *st)
{
	struct kgate_service *svc = new_svc(st, "web");
	size_t i;

	add_fe(svc, "fd00::10", 80, IPPROTO_TCP);
	add_fe(svc, "10.96.0.10", 80, IPPROTO_TCP);
	add_be(svc, "10.244.2.7", 8080);
	add_be(svc, "10.244.1.2", 8080);
	add_be(svc, "10.244.1.3", 8080);
	svc->has = KGATE_SVC_HAS_SCHED | KGATE_SVC_HAS_TABLE_SIZE |
		   KGATE_SVC_HAS_AFFINITY | KGATE_SVC_HAS_TIMEOUT |
		   KGATE_SVC_HAS_EXT_POLICY | KGATE_SVC_HAS_INT_POLICY |
		   KGATE_SVC_HAS_COUNTERS;
	svc->cnt.conns = 12;
	for (i = 0; i < svc->n_backends; i++) {
		svc->backends[i].has = KGATE_BE_HAS_WEIGHT |
				       KGATE_BE_HAS_STATE |
				       KGATE_BE_HAS_FLAGS |
				       KGATE_BE_HAS_COUNTERS;
		svc->backends[i].cnt.packets = 40 + i;
	}
}

static struct kgate_listener *new_lis(struct kgate_state *st,
				      const char *name, uint16_t port)
{
	struct kgate_listener *l;

	st->lis = realloc(st->lis, (st->n_lis + 1) * sizeof(*st->lis));
	l = &st->lis[st->n_lis++];
	kgate_listener_init(l);
	kgate_set_str(&l->name, name);
	l->addr = addr("::");
	l->port = port;
	l->has = KGATE_LIS_HAS_PORT;
	return l;
}

static struct kgate_route *new_rt(struct kgate_state *st, const char *name)
{
	struct kgate_route *r;

	st->rts = realloc(st->rts, (st->n_rts + 1) * sizeof(*st->rts));
	r = &st->rts[st->n_rts++];
	kgate_route_init(r);
	kgate_set_str(&r->name, name);
	return r;
}

/* Route @name on listener "http", hosts @h1 and @h2, one rule to @svc. */
static void add_rt(struct kgate_state *st, const char *name, const char *h1,
		   const char *h2, const char *svc)
{
	struct kgate_route *r = new_rt(st, name);
	struct kgate_rule *rule;
	struct kgate_match *m;

	kgate_str_list_add(&r->listeners, "http");
	kgate_str_list_add(&r->hosts, h1);
	kgate_str_list_add(&r->hosts, h2);
	rule = kgate_route_new_rule(r);
	m = kgate_rule_new_match(rule);
	kgate_kv_list_add(&m->headers, "x-b", "2");
	kgate_kv_list_add(&m->headers, "x-a", "1");
	kgate_rule_add_ref(rule, svc, false, 0);
	m = kgate_rule_new_match(rule);
	kgate_set_str(&m->path, "/api");
	m->path_type = KGATE_PATH_EXACT;
	m->has = KGATE_MATCH_HAS_PATH_TYPE;
}

static size_t diff(const struct kgate_state *want,
		   const struct kgate_state *have, kgate_owned_cb owned,
		   struct kgate_op **ops)
{
	size_t n = 99;

	CHECK_INT(kgate_diff(want, have, owned, NULL, ops, &n), 0);
	return n;
}

static const char *obj_name(const struct kgate_obj *o)
{
	switch (o->kind) {
	case KGATE_OBJ_SERVICE:
		return o->svc->name;
	case KGATE_OBJ_LISTENER:
		return o->lis->name;
	case KGATE_OBJ_ROUTE:
		return o->rt->name;
	default:
		return "";
	}
}

static const char *op_name(const struct kgate_op *op)
{
	return obj_name(&op->obj);
}

static bool own_all(const struct kgate_obj *o, void *data)
{
	(void)o;
	(void)data;
	return true;
}

/* Only objects whose name starts with "k-" are ours. */
static bool own_k(const struct kgate_obj *o, void *data)
{
	(void)data;
	return !strncmp(obj_name(o), "k-", 2);
}

TEST(test_user_equals_kernel)
{
	struct kgate_state want, have;
	struct kgate_op *ops = NULL;

	kgate_state_init(&want);
	kgate_state_init(&have);
	user_web(&want);
	kernel_web(&have);
	/* Not normalised, they differ: order and explicit defaults. */
	CHECK(!kgate_service_equal(&want.svcs[0], &have.svcs[0]));
	CHECK_INT(kgate_state_normalise(&want), 0);
	CHECK_INT(kgate_state_normalise(&have), 0);
	CHECK(kgate_service_equal(&want.svcs[0], &have.svcs[0]));
	CHECK_INT(diff(&want, &have, own_all, &ops), 0);
	CHECK(ops == NULL);
	/* Sorted: IPv4 before IPv6, backends by address. */
	CHECK_INT(want.svcs[0].frontends[0].addr.family, AF_INET);
	CHECK_INT(want.svcs[0].backends[0].addr.bytes[3], 2);
	CHECK_INT(want.svcs[0].backends[2].addr.bytes[2], 2);
	CHECK_INT(have.svcs[0].cnt.conns, 0);
	CHECK(!(have.svcs[0].has & KGATE_SVC_HAS_COUNTERS));
	kgate_state_free(&want);
	kgate_state_free(&have);
}

TEST(test_normalise_defaults)
{
	struct kgate_state st;
	struct kgate_listener *l;
	struct kgate_route *r;

	kgate_state_init(&st);
	l = new_lis(&st, "http", 80);
	l->lim.head_bytes = 4096;
	l->lim.has = KGATE_LIM_HAS_HEAD_BYTES;
	add_rt(&st, "b", "www.example.com", "*.example.com", "web");
	add_rt(&st, "a", "b.example", "a.example", "web");
	CHECK_INT(kgate_state_normalise(&st), 0);
	CHECK_INT(l->lim.head_bytes, 4096);
	CHECK_INT(l->lim.headers, KGATE_LIM_HEADERS_DEFAULT);
	CHECK_INT(l->lim.idle_timeout, KGATE_LIM_IDLE_TIMEOUT_DEFAULT);
	CHECK_INT(l->lim.has, 0xff);
	CHECK(l->has & KGATE_LIS_HAS_MAX_CONNS);
	CHECK_INT(l->max_conns, KGATE_CONNS_DEFAULT);
	/* Routes by name; hostnames sorted; rules and matches in order. */
	r = &st.rts[0];
	CHECK_STR(r->name, "a");
	CHECK_STR(r->hosts.v[0], "a.example");
	CHECK_STR(st.rts[1].hosts.v[0], "*.example.com");
	CHECK(r->has & KGATE_RT_HAS_KIND);
	CHECK_STR(r->rules[0].matches[0].path, "/");
	CHECK(r->rules[0].matches[0].has & KGATE_MATCH_HAS_PATH_TYPE);
	CHECK_STR(r->rules[0].matches[0].headers.v[0].name, "x-a");
	CHECK_STR(r->rules[0].matches[1].path, "/api");
	CHECK_INT(r->rules[0].matches[1].path_type, KGATE_PATH_EXACT);
	CHECK(r->rules[0].refs[0].has_weight);
	CHECK_INT(r->rules[0].refs[0].weight, 1);
	kgate_state_free(&st);
}

/* Normalising twice, or through the codec, changes nothing more. */
TEST(test_normalise_stable)
{
	struct kgate_state a, b;
	struct kgate_route back;
	struct nlmsghdr *nlh;
	struct kgate_op *ops = NULL;
	size_t i;

	kgate_state_init(&a);
	kgate_state_init(&b);
	add_rt(&a, "r", "x.example", "a.example", "web");
	add_rt(&b, "r", "x.example", "a.example", "web");
	new_lis(&a, "http", 80);
	new_lis(&b, "http", 80);
	user_web(&a);
	user_web(&b);
	CHECK_INT(kgate_state_normalise(&a), 0);
	CHECK_INT(kgate_state_normalise(&b), 0);
	CHECK_INT(kgate_state_normalise(&b), 0);
	CHECK_INT(diff(&a, &b, own_all, &ops), 0);
	/* What the kernel keeps of a route is what was sent. */
	nlh = kgate_msg_start(buf, 0x20, KGATE_CMD_ROUTE_ADD, 0, 1);
	CHECK_INT(kgate_put_route(nlh, sizeof(buf), &a.rts[0]), 0);
	kgate_route_init(&back);
	CHECK_INT(kgate_parse_route(kgate_msg_attr(nlh, KGATE_A_ROUTE), &back,
				    why, sizeof(why)), 0);
	kgate_route_free(&b.rts[0]);
	b.rts[0] = back;
	CHECK_INT(kgate_state_normalise(&b), 0);
	CHECK(kgate_route_equal(&a.rts[0], &b.rts[0]));
	for (i = 0; i < a.n_svcs; i++)
		CHECK(kgate_service_equal(&a.svcs[i], &b.svcs[i]));
	kgate_state_free(&a);
	kgate_state_free(&b);
}

TEST(test_diff_ops)
{
	struct kgate_state want, have;
	struct kgate_op *ops = NULL;
	size_t n;

	kgate_state_init(&want);
	kgate_state_init(&have);
	/* want: web (changed), k-new, listener http, routes r (same), r2. */
	user_web(&want);
	add_be(&want.svcs[0], "10.244.3.1", 8080);
	new_svc(&want, "k-new");
	new_lis(&want, "http", 80);
	add_rt(&want, "r", "a.example", "b.example", "web");
	add_rt(&want, "r2", "c.example", "d.example", "k-new");
	/* have: web, k-old and hand-made (not in want), http, r, k-rt. */
	kernel_web(&have);
	new_svc(&have, "k-old");
	new_svc(&have, "hand-made");
	new_lis(&have, "http", 80);
	add_rt(&have, "r", "b.example", "a.example", "web");
	add_rt(&have, "k-rt", "e.example", "f.example", "k-old");
	CHECK_INT(kgate_state_normalise(&want), 0);
	CHECK_INT(kgate_state_normalise(&have), 0);

	n = diff(&want, &have, own_k, &ops);
	CHECK_INT(n, 5);
	if (n == 5) {
		/* Deletions first, routes before services; hand-made stays. */
		CHECK_INT(ops[0].cmd, KGATE_CMD_ROUTE_DEL);
		CHECK_STR(op_name(&ops[0]), "k-rt");
		CHECK_INT(ops[1].cmd, KGATE_CMD_SERVICE_DEL);
		CHECK_STR(op_name(&ops[1]), "k-old");
		/* Then services, listeners, routes; equal ones left alone. */
		CHECK_INT(ops[2].cmd, KGATE_CMD_SERVICE_ADD);
		CHECK_STR(op_name(&ops[2]), "k-new");
		CHECK_INT(ops[3].cmd, KGATE_CMD_SERVICE_REPLACE);
		CHECK_STR(op_name(&ops[3]), "web");
		CHECK(ops[3].obj.svc == &want.svcs[1]);
		CHECK_INT(ops[4].cmd, KGATE_CMD_ROUTE_ADD);
		CHECK_STR(op_name(&ops[4]), "r2");
	}
	free(ops);

	/* Without an owner, nothing is deleted. */
	n = diff(&want, &have, NULL, &ops);
	CHECK_INT(n, 3);
	free(ops);
	/* Owning everything, hand-made goes too. */
	n = diff(&want, &have, own_all, &ops);
	CHECK_INT(n, 6);
	free(ops);
	/* From nothing: everything added, in reference order. */
	kgate_state_free(&have);
	n = diff(&want, &have, own_all, &ops);
	CHECK_INT(n, 5);
	if (n == 5) {
		CHECK_INT(ops[0].cmd, KGATE_CMD_SERVICE_ADD);
		CHECK_INT(ops[1].cmd, KGATE_CMD_SERVICE_ADD);
		CHECK_INT(ops[2].cmd, KGATE_CMD_LISTENER_ADD);
		CHECK_INT(ops[3].cmd, KGATE_CMD_ROUTE_ADD);
		CHECK_INT(ops[4].cmd, KGATE_CMD_ROUTE_ADD);
	}
	free(ops);
	kgate_state_free(&want);
}

/* A deletion carries the name, not the object. */
TEST(test_delete_names_only)
{
	struct kgate_service back;
	struct kgate_state st;
	struct nlmsghdr *nlh;
	struct kgate_obj o;

	kgate_state_init(&st);
	user_web(&st);
	o = (struct kgate_obj){ .kind = KGATE_OBJ_SERVICE, .svc = st.svcs };
	nlh = kgate_msg_start(buf, 0x20, KGATE_CMD_SERVICE_DEL, 0, 1);
	CHECK_INT(kgate_put_op(nlh, sizeof(buf), KGATE_CMD_SERVICE_DEL, &o),
		  0);
	kgate_service_init(&back);
	CHECK_INT(kgate_parse_service(kgate_msg_attr(nlh, KGATE_A_SERVICE),
				      &back, why, sizeof(why)), 0);
	CHECK_STR(back.name, "web");
	CHECK_INT(back.n_frontends, 0);
	CHECK_INT(back.n_backends, 0);
	kgate_service_free(&back);
	/* Other commands carry it whole. */
	nlh = kgate_msg_start(buf, 0x20, KGATE_CMD_SERVICE_ADD, 0, 1);
	CHECK_INT(kgate_put_op(nlh, sizeof(buf), KGATE_CMD_SERVICE_ADD, &o),
		  0);
	kgate_service_init(&back);
	CHECK_INT(kgate_parse_service(kgate_msg_attr(nlh, KGATE_A_SERVICE),
				      &back, why, sizeof(why)), 0);
	CHECK_INT(back.n_backends, 3);
	kgate_service_free(&back);
	kgate_state_free(&st);
}

/* A failed commit as libkgate reports it; @pos 0 and @seq 0: no cookie. */
static struct kgate_err commit_err(uint32_t pos, uint32_t seq)
{
	struct kgate_err e;

	kgate_err_clear(&e);
	e.err = EEXIST;
	e.kernel = true;
	e.has_ref = pos || seq;
	e.ref_pos = pos;
	e.ref_seq = seq;
	return e;
}

TEST(test_op_blamed)
{
	struct kgate_err e;

	/* Three operations sent with seq 100, 101, 102. */
	e = commit_err(2, 101);
	CHECK_INT(kgate_op_blamed(100, 3, &e), 1);
	e = commit_err(0, 102);
	CHECK_INT(kgate_op_blamed(100, 3, &e), 2);
	/* A seq not ours: by position. */
	e = commit_err(1, 7);
	CHECK_INT(kgate_op_blamed(100, 3, &e), 0);
	e = commit_err(3, 0);
	CHECK_INT(kgate_op_blamed(100, 3, &e), 2);
	/* Neither names one of the three. */
	e = commit_err(9, 99);
	CHECK_INT(kgate_op_blamed(100, 3, &e), 3);
	e = commit_err(0, 0);
	CHECK_INT(kgate_op_blamed(100, 3, &e), 3);
	/* Sequence numbers that wrap. */
	e = commit_err(0, 1);
	CHECK_INT(kgate_op_blamed(UINT32_MAX, 4, &e), 2);
	e = commit_err(0, UINT32_MAX - 1);
	CHECK_INT(kgate_op_blamed(UINT32_MAX, 4, &e), 4);
}

int main(void)
{
	RUN(test_user_equals_kernel);
	RUN(test_normalise_defaults);
	RUN(test_normalise_stable);
	RUN(test_diff_ops);
	RUN(test_delete_names_only);
	RUN(test_op_blamed);
	return tap_done();
}
