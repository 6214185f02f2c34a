// SPDX-License-Identifier: GPL-2.0
/*
 * libkgate against the module: what a daemon relies on.  kgate_apply()
 * applies a list of operations all or nothing and names a refused one by
 * its index, while staging and at commit; a configuration written the way
 * a user writes it, once applied, reads back (kgate_state_read()) equal
 * after normalising, so a second apply sends nothing; a changed
 * configuration diffs to exactly the operations needed, deleting only
 * what the caller owns; events arrive on a socket of their own, drained
 * without blocking, while commands go on the other.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#pragma GCC diagnostic ignored "-Wclobbered"

#include <linux/kgate.h>

#include "libkgate.h"

static struct kgate_addr addr(const char *s)
{
	struct kgate_addr a;

	kgate_parse_addr(s, &a);
	return a;
}

static struct kgate_service *new_svc(struct kgate_state *st, const char *name,
				     const char *vip)
{
	struct kgate_frontend fe = { .addr = addr(vip), .port = 80,
				     .proto = IPPROTO_TCP };
	struct kgate_service *svc;

	st->svcs = realloc(st->svcs, (st->n_svcs + 1) * sizeof(*st->svcs));
	svc = &st->svcs[st->n_svcs++];
	kgate_service_init(svc);
	kgate_service_set_name(svc, name);
	kgate_service_add_frontend(svc, &fe);
	return svc;
}

static void add_be(struct kgate_service *svc, const char *a)
{
	struct kgate_backend be;

	kgate_backend_init(&be);
	be.addr = addr(a);
	be.port = 8080;
	kgate_service_add_backend(svc, &be);
}

/*
 * What a manifest could give: two services, a listener on every address
 * with one limit changed, and a route with defaults left out.
 */
static void desired(struct kgate_state *st)
{
	struct kgate_service *svc;
	struct kgate_listener *l;
	struct kgate_route *r;
	struct kgate_rule *rule;
	struct kgate_match *m;

	kgate_state_init(st);
	svc = new_svc(st, "lib/web:80", "192.0.2.10");
	add_be(svc, "198.51.100.2");
	add_be(svc, "198.51.100.1");
	svc = new_svc(st, "lib/api:80", "192.0.2.11");
	add_be(svc, "198.51.100.3");

	st->lis = calloc(1, sizeof(*st->lis));
	st->n_lis = 1;
	l = st->lis;
	kgate_listener_init(l);
	kgate_set_str(&l->name, "lib-http");
	l->addr = addr("::");
	l->port = 18080;
	l->has = KGATE_LIS_HAS_PORT;
	l->lim.head_bytes = 4096;
	l->lim.has = KGATE_LIM_HAS_HEAD_BYTES;

	st->rts = calloc(1, sizeof(*st->rts));
	st->n_rts = 1;
	r = st->rts;
	kgate_route_init(r);
	kgate_set_str(&r->name, "lib-route");
	kgate_str_list_add(&r->listeners, "lib-http");
	kgate_str_list_add(&r->hosts, "www.example.com");
	kgate_str_list_add(&r->hosts, "api.example.com");
	rule = kgate_route_new_rule(r);
	m = kgate_rule_new_match(rule);
	kgate_set_str(&m->path, "/api");
	kgate_rule_add_ref(rule, "lib/api:80", false, 0);
	rule = kgate_route_new_rule(r);
	kgate_rule_new_match(rule);
	kgate_rule_add_ref(rule, "lib/web:80", false, 0);
}

struct refusal {
	size_t index[8];
	int err[8];
	size_t n;
};

static void on_refused(size_t index, const struct kgate_err *e, void *data)
{
	struct refusal *r = data;

	if (r->n < 8) {
		r->index[r->n] = index;
		r->err[r->n] = e->err;
	}
	r->n++;
}

static bool own_lib(const struct kgate_obj *o, void *data)
{
	const char *name = o->kind == KGATE_OBJ_SERVICE ? o->svc->name :
			   o->kind == KGATE_OBJ_LISTENER ? o->lis->name :
			   o->rt->name;

	(void)data;
	return !strncmp(name, "lib", 3);
}

FIXTURE(lib) {
	struct kgate_sock *s;
};

FIXTURE_SETUP(lib)
{
	struct kgate_err e;
	int r = kgate_open(&self->s, &e);

	ASSERT_EQ(0, r) TH_LOG("kgate_open: %s (module loaded?)", e.msg);
	ASSERT_EQ(0, kgate_flush(self->s, &e)) TH_LOG("flush: %s", e.msg);
}

FIXTURE_TEARDOWN(lib)
{
	struct kgate_err e;

	if (self->s) {
		kgate_flush(self->s, &e);
		kgate_close(self->s);
	}
}

/* Read the kernel's state, normalised, into @have. */
static int read_state(struct kgate_sock *s, struct kgate_state *have)
{
	struct kgate_err e;
	int err;

	kgate_state_init(have);
	err = kgate_state_read(s, have, &e);
	if (!err)
		err = kgate_state_normalise(have);
	return err;
}

/* Apply what @want lacks in the kernel: the number of operations sent. */
static int sync_to(struct kgate_sock *s, struct kgate_state *want,
		struct refusal *ref, size_t *sent)
{
	struct kgate_state have;
	struct kgate_op *ops;
	struct kgate_err e;
	int err;

	err = kgate_state_normalise(want) ?: read_state(s, &have);
	if (err)
		return err;
	err = kgate_diff(want, &have, own_lib, NULL, &ops, sent);
	if (!err)
		err = kgate_apply(s, ops, *sent, on_refused, ref, &e);
	free(ops);
	kgate_state_free(&have);
	return err;
}

TEST_F(lib, apply_then_nothing_to_do)
{
	struct refusal ref = { 0 };
	struct kgate_state want, have;
	size_t sent = 0;

	desired(&want);
	ASSERT_EQ(0, sync_to(self->s, &want, &ref, &sent));
	EXPECT_EQ(4u, sent);	/* 2 services, 1 listener, 1 route */
	EXPECT_EQ(0u, ref.n);
	ASSERT_EQ(0, read_state(self->s, &have));
	EXPECT_EQ(2u, have.n_svcs);
	EXPECT_EQ(1u, have.n_lis);
	EXPECT_EQ(1u, have.n_rts);
	/* The kernel's form is the normalised one, object by object. */
	if (have.n_svcs == 2) {
		EXPECT_TRUE(kgate_service_equal(&want.svcs[0], &have.svcs[0]));
		EXPECT_TRUE(kgate_service_equal(&want.svcs[1], &have.svcs[1]));
	}
	if (have.n_lis == 1)
		EXPECT_TRUE(kgate_listener_equal(&want.lis[0], &have.lis[0]));
	if (have.n_rts == 1)
		EXPECT_TRUE(kgate_route_equal(&want.rts[0], &have.rts[0]));
	kgate_state_free(&have);
	/* A second apply of the same input sends nothing. */
	kgate_state_free(&want);
	desired(&want);
	ASSERT_EQ(0, sync_to(self->s, &want, &ref, &sent));
	EXPECT_EQ(0u, sent);
	kgate_state_free(&want);
}

TEST_F(lib, changes_and_ownership)
{
	struct refusal ref = { 0 };
	struct kgate_service hand;
	struct kgate_state want;
	struct kgate_err e;
	size_t sent = 0;
	int err;

	desired(&want);
	ASSERT_EQ(0, sync_to(self->s, &want, &ref, &sent));
	kgate_state_free(&want);
	/* A service added by hand, which the owner callback disowns. */
	kgate_state_init(&want);
	new_svc(&want, "hand/made:80", "192.0.2.50");
	err = kgate_service_add(self->s, &want.svcs[0], &e);
	ASSERT_EQ(0, err) TH_LOG("add: %s", e.msg);
	kgate_state_free(&want);
	/* One backend more for web, api gone from the input. */
	desired(&want);
	add_be(&want.svcs[0], "198.51.100.9");
	kgate_service_free(&want.svcs[1]);
	want.n_svcs = 1;
	ASSERT_EQ(0, sync_to(self->s, &want, &ref, &sent));
	EXPECT_EQ(2u, sent);	/* DEL lib/api, REPLACE lib/web */
	kgate_state_free(&want);
	kgate_service_init(&hand);
	EXPECT_EQ(-ENOENT, kgate_service_get(self->s, "lib/api:80", &hand,
					     &e));
	kgate_service_free(&hand);
	EXPECT_EQ(0, kgate_service_get(self->s, "hand/made:80", &hand, &e));
	kgate_service_free(&hand);
	EXPECT_EQ(0, kgate_service_get(self->s, "lib/web:80", &hand, &e));
	EXPECT_EQ(3u, hand.n_backends);
	kgate_service_free(&hand);
}

/* Refused while staging: every one reported by index, nothing applied. */
TEST_F(lib, staging_refusal_by_index)
{
	struct refusal ref = { 0 };
	struct kgate_state st;
	struct kgate_service bare;
	struct kgate_op ops[3];
	struct kgate_err e;

	kgate_state_init(&st);
	new_svc(&st, "lib/a:80", "192.0.2.20");
	new_svc(&st, "lib/c:80", "192.0.2.22");
	kgate_service_init(&bare);	/* a name with a space: kgate refuses */
	kgate_service_set_name(&bare, "lib/b :80");
	ops[0] = (struct kgate_op){ KGATE_CMD_SERVICE_ADD,
		{ .kind = KGATE_OBJ_SERVICE, .svc = &st.svcs[0] } };
	ops[1] = (struct kgate_op){ KGATE_CMD_SERVICE_ADD,
		{ .kind = KGATE_OBJ_SERVICE, .svc = &bare } };
	ops[2] = (struct kgate_op){ KGATE_CMD_SERVICE_ADD,
		{ .kind = KGATE_OBJ_SERVICE, .svc = &st.svcs[1] } };
	EXPECT_EQ(-ECANCELED, kgate_apply(self->s, ops, 3, on_refused, &ref,
					  &e));
	ASSERT_EQ(1u, ref.n);
	EXPECT_EQ(1u, ref.index[0]);
	EXPECT_EQ(EINVAL, ref.err[0]);
	kgate_service_free(&bare);
	kgate_service_init(&bare);
	EXPECT_EQ(-ENOENT, kgate_service_get(self->s, "lib/a:80", &bare, &e))
		TH_LOG("a refused batch applied its first operation");
	kgate_service_free(&bare);
	/* The socket is fit for the next transaction. */
	ops[1] = ops[2];
	ref.n = 0;
	EXPECT_EQ(0, kgate_apply(self->s, ops, 2, on_refused, &ref, &e))
		TH_LOG("apply: %s", e.msg);
	kgate_state_free(&st);
}

/* Refused at commit: the one blamed, by index, from the cookie. */
TEST_F(lib, commit_refusal_by_index)
{
	struct refusal ref = { 0 };
	struct kgate_state st;
	struct kgate_op ops[4];
	struct kgate_service got;
	struct kgate_err e;
	size_t i;

	kgate_state_init(&st);
	new_svc(&st, "lib/a:80", "192.0.2.30");
	new_svc(&st, "lib/b:80", "192.0.2.31");
	new_svc(&st, "lib/c:80", "192.0.2.32");
	ASSERT_EQ(0, kgate_service_add(self->s, &st.svcs[2], &e));
	for (i = 0; i < 3; i++)
		ops[i] = (struct kgate_op){ KGATE_CMD_SERVICE_ADD,
			{ .kind = KGATE_OBJ_SERVICE, .svc = &st.svcs[i] } };
	ops[3] = ops[0];
	ops[3].cmd = KGATE_CMD_SERVICE_REPLACE;
	/* Operation 2 adds lib/c, which exists: EEXIST at commit. */
	EXPECT_EQ(-EEXIST, kgate_apply(self->s, ops, 4, on_refused, &ref, &e));
	ASSERT_EQ(1u, ref.n);
	EXPECT_EQ(2u, ref.index[0]);
	EXPECT_EQ(EEXIST, ref.err[0]);
	kgate_service_init(&got);
	EXPECT_EQ(-ENOENT, kgate_service_get(self->s, "lib/a:80", &got, &e));
	kgate_service_free(&got);
	kgate_state_free(&st);
}

static int count_event(const struct kgate_event *ev, void *data)
{
	int *n = data;

	if (ev->type == KGATE_EV_SERVICE)
		n[0]++;
	else if (ev->type == KGATE_EV_COMMIT)
		n[1]++;
	else if (ev->type == KGATE_EV_LOST)
		n[2]++;
	return 0;
}

/* Events on their own socket; the command socket never sees them. */
TEST_F(lib, events_socket_drains)
{
	struct kgate_sock *ev = NULL;
	struct refusal ref = { 0 };
	struct kgate_state want, have;
	struct pollfd pfd;
	struct kgate_err e;
	int n[3] = { 0 }, tries;
	size_t sent;

	ASSERT_EQ(0, kgate_events_open(&ev, &e)) TH_LOG("%s", e.msg);
	/* Nothing waits: the drain returns at once, with nothing. */
	ASSERT_EQ(0, kgate_events_drain(ev, count_event, n, &e));
	EXPECT_EQ(0, n[0] + n[1] + n[2]);
	desired(&want);
	ASSERT_EQ(0, sync_to(self->s, &want, &ref, &sent));
	/* Replies on the command socket are untouched by events. */
	ASSERT_EQ(0, read_state(self->s, &have));
	EXPECT_EQ(2u, have.n_svcs);
	kgate_state_free(&have);
	pfd = (struct pollfd){ .fd = kgate_sock_fd(ev), .events = POLLIN };
	for (tries = 0; tries < 50 && n[1] == 0; tries++) {
		if (poll(&pfd, 1, 100) < 0)
			break;
		ASSERT_EQ(0, kgate_events_drain(ev, count_event, n, &e));
	}
	EXPECT_EQ(2, n[0]);	/* one per service added */
	EXPECT_EQ(1, n[1]);	/* one commit */
	EXPECT_EQ(0, n[2]);
	kgate_state_free(&want);
	kgate_close(ev);
}

TEST_HARNESS_MAIN
