// SPDX-License-Identifier: GPL-2.0
/*
 * netns: every network namespace has its own services.  Objects made in
 * one are invisible in the others, the same name and the same frontend
 * may exist in several, events stay in their namespace, and deleting a
 * namespace frees its services.
 *
 * A socket belongs to the namespace it was opened in: the test opens one
 * in the initial namespace, then unshare(CLONE_NEWNET)s into A, opens one
 * there, goes back (setns) and does the same for B.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kt_harness.h"

#define NAME "ns/web:80"

static const struct kt_fe fe_a[] = { KT_FE("192.0.2.1", 80) };
static const struct kt_be be_a[] = { KT_BE("198.51.100.1", 8080) };
/* B: same name, same frontend, other backends and options. */
static const struct kt_be be_b[] = {
	KT_BE("198.51.100.2", 8080), KT_BE("198.51.100.3", 8080),
};

/* Open a kgate socket in a new network namespace; *ns gets an fd of it.
 * The caller is back in the namespace `home` afterwards.
 */
static int open_in_new_netns(int home, struct kt_sock *s, int *ns)
{
	int r;

	if (unshare(CLONE_NEWNET))
		return -errno;
	*ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	r = kt_open(s);
	if (setns(home, CLONE_NEWNET))
		return -errno;
	if (*ns < 0)
		return -EBADF;
	return r;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

FIXTURE(ns) {
	int home, ns_a, ns_b;
	struct kt_sock init, a, b;
};

FIXTURE_SETUP(ns)
{
	struct kt_err e;
	int r;

	self->home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->home);
	r = kt_open(&self->init);
	ASSERT_EQ(0, r) TH_LOG("kt_open: %s (module loaded?)", strerror(-r));
	KT_OK(kt_cmd(&self->init, KGATE_CMD_FLUSH, &e), e);
	r = open_in_new_netns(self->home, &self->a, &self->ns_a);
	ASSERT_EQ(0, r) TH_LOG("netns A: %s", strerror(-r));
	r = open_in_new_netns(self->home, &self->b, &self->ns_b);
	ASSERT_EQ(0, r) TH_LOG("netns B: %s", strerror(-r));
}

FIXTURE_TEARDOWN(ns)
{
	kt_close(&self->a);
	kt_close(&self->b);
	if (self->init.nl)
		kt_cmd(&self->init, KGATE_CMD_FLUSH, NULL);
	kt_close(&self->init);
	close(self->ns_a);
	close(self->ns_b);
	close(self->home);
}

TEST_F(ns, new_namespace_starts_empty)
{
	struct kt_stats st;
	struct kt_err e;

	KT_EXPECT_COUNT(&self->a, 0);
	KT_OK(kt_stats(&self->a, &st, &e), e);
	EXPECT_EQ(0u, st.services);
	EXPECT_EQ(0u, st.batches_open);
}

TEST_F(ns, objects_stay_in_their_namespace)
{
	struct kt_svc sa, sb;
	struct kt_svc_info info;
	struct kt_stats st;
	struct kt_err e;

	kt_svc_init(&sa, NAME);
	sa.fe = fe_a;
	sa.n_fe = 1;
	sa.be = be_a;
	sa.n_be = 1;
	KT_OK(kt_svc_cmd(&self->a, KGATE_CMD_SERVICE_ADD, &sa, NULL, 0, &e), e);
	KT_EXPECT_SVC(&self->a, &sa);

	/* Invisible in B and in the initial namespace. */
	KT_REFUSED(ENOENT, kt_get(&self->b, NAME, &info, &e), e);
	KT_REFUSED(ENOENT, kt_get(&self->init, NAME, &info, &e), e);
	KT_EXPECT_COUNT(&self->b, 0);
	KT_EXPECT_COUNT(&self->init, 0);
	KT_OK(kt_stats(&self->init, &st, &e), e);
	EXPECT_EQ(0u, st.services);

	/* The same name and frontend in B: no conflict with A. */
	kt_svc_init(&sb, NAME);
	sb.fe = fe_a;
	sb.n_fe = 1;
	sb.be = be_b;
	sb.n_be = 2;
	sb.timeout = 60;
	KT_OK(kt_svc_cmd(&self->b, KGATE_CMD_SERVICE_ADD, &sb, NULL, 0, &e), e);
	KT_EXPECT_SVC(&self->b, &sb);
	KT_EXPECT_SVC(&self->a, &sa);

	/* Commands in one namespace leave the other alone. */
	{
		struct kt_svc cmd;
		struct kt_be add[] = { KT_BE("198.51.100.9", 8080) };

		kt_svc_init(&cmd, NAME);
		cmd.be = add;
		cmd.n_be = 1;
		KT_OK(kt_svc_cmd(&self->b, KGATE_CMD_BACKEND_ADD, &cmd, NULL, 0,
				 &e), e);
	}
	KT_EXPECT_SVC(&self->a, &sa);
	KT_OK(kt_cmd(&self->b, KGATE_CMD_FLUSH, &e), e);
	KT_EXPECT_COUNT(&self->b, 0);
	KT_EXPECT_SVC(&self->a, &sa);
	KT_REFUSED(ENOENT, kt_del(&self->init, NAME, &e), e);
	KT_OK(kt_del(&self->a, NAME, &e), e);
	KT_EXPECT_COUNT(&self->a, 0);
}

TEST_F(ns, batches_are_per_namespace)
{
	struct kt_svc sa;
	struct kt_stats st;
	struct kt_err e;

	KT_OK(kt_cmd(&self->a, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_stats(&self->a, &st, &e), e);
	EXPECT_EQ(1u, st.batches_open);
	KT_OK(kt_stats(&self->b, &st, &e), e);
	EXPECT_EQ(0u, st.batches_open);
	/* B's socket has no batch: COMMIT there is refused. */
	KT_REFUSED(ENOENT, kt_cmd(&self->b, KGATE_CMD_BATCH_COMMIT, &e), e);
	kt_svc_init(&sa, NAME);
	sa.fe = fe_a;
	sa.n_fe = 1;
	KT_OK(kt_svc_cmd(&self->a, KGATE_CMD_SERVICE_ADD, &sa, NULL, 0, &e), e);
	KT_OK(kt_cmd(&self->a, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_EXPECT_SVC(&self->a, &sa);
	KT_EXPECT_COUNT(&self->b, 0);
}

TEST_F(ns, events_stay_in_their_namespace)
{
	struct kt_sock ev_init, ev_a;
	struct kt_svc s;
	struct kt_event ev;
	struct kt_err e;
	int r;

	/* Subscribers in the initial namespace and in A. */
	ASSERT_EQ(0, kt_open(&ev_init));
	ASSERT_EQ(0, kt_subscribe(&ev_init));
	ASSERT_EQ(0, setns(self->ns_a, CLONE_NEWNET));
	r = kt_open(&ev_a);
	ASSERT_EQ(0, setns(self->home, CLONE_NEWNET));
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, kt_subscribe(&ev_a));

	kt_svc_init(&s, "ns/in-a:80");
	s.fe = fe_a;
	s.n_fe = 1;
	KT_OK(kt_svc_cmd(&self->a, KGATE_CMD_SERVICE_ADD, &s, NULL, 0, &e), e);
	kt_svc_init(&s, "ns/in-init:80");
	s.fe = fe_a;
	s.n_fe = 1;
	KT_OK(kt_svc_cmd(&self->init, KGATE_CMD_SERVICE_ADD, &s, NULL, 0, &e),
	      e);

	/* A's subscriber sees A's service first ... */
	ASSERT_EQ(0, kt_event_next(&ev_a, 10000, &ev));
	EXPECT_EQ(KGATE_CMD_SERVICE_ADD, ev.cmd);
	EXPECT_STREQ("ns/in-a:80", ev.name);
	kt_event_free(&ev);
	ASSERT_EQ(0, kt_event_next(&ev_a, 10000, &ev));
	EXPECT_EQ(KGATE_CMD_BATCH_COMMIT, ev.cmd);
	kt_event_free(&ev);
	/* ... the initial namespace's subscriber only its own. */
	ASSERT_EQ(0, kt_event_next(&ev_init, 10000, &ev));
	EXPECT_EQ(KGATE_CMD_SERVICE_ADD, ev.cmd);
	EXPECT_STREQ("ns/in-init:80", ev.name);
	kt_event_free(&ev);
	kt_close(&ev_init);
	kt_close(&ev_a);
}

/*
 * Deleting a namespace with 1000 services frees them.  A cycle (new
 * namespace, 1000 services, delete it) is done 5 times, and three measures
 * of /proc/meminfo are watched: the unreclaimable slab (SUnreclaim: what
 * kmalloc takes), per-CPU memory (Percpu: counters) and vmalloc
 * (VmallocUsed: large tables).  If a cycle's memory were not freed, a
 * measure would grow by about 5 times what the first cycle took.  Each
 * must stay below 2.5 times that, or below a floor of its own when one
 * cycle took too little to tell a leak from the kernel's own noise (other
 * allocations, per-CPU chunks given back lazily), after the namespaces
 * are gone (waited for by polling, since netns cleanup is asynchronous).
 */
#define LEAK_METERS 3
static const struct {
	const char *key;
	long long floor_kb;	/* growth always tolerated */
} leak_meter[LEAK_METERS] = {
	{ "SUnreclaim", 640 },
	{ "Percpu", 512 },
	{ "VmallocUsed", 1024 },
};

/* Every meter's limit; false if one is over it.  @why names those. */
static bool leak_within(const long long *base, const long long *limit,
			long long *now, char *why, size_t size)
{
	size_t len = 0;
	bool ok = true;

	why[0] = '\0';
	for (int i = 0; i < LEAK_METERS; i++) {
		if (base[i] < 0)
			continue;
		now[i] = kt_meminfo_kb(leak_meter[i].key);
		if (now[i] - base[i] < limit[i])
			continue;
		ok = false;
		if (len < size)
			len += snprintf(why + len, size - len,
					"%s%s grew by %lld kB (limit %lld kB)",
					len ? ", " : "", leak_meter[i].key,
					now[i] - base[i], limit[i]);
	}
	return ok;
}

TEST_F_TIMEOUT(ns, deleted_namespace_frees_services, 600)
{
	const int n = 1000, cycles = 5;
	long long base[LEAK_METERS], with_ns[LEAK_METERS];
	long long cost[LEAK_METERS] = { 0 }, limit[LEAK_METERS];
	long long now[LEAK_METERS] = { 0 };
	char why[512];
	struct kt_err e;
	bool within;
	double t0;

	for (int i = 0; i < LEAK_METERS; i++) {
		base[i] = kt_meminfo_kb(leak_meter[i].key);
		if (base[i] < 0)
			TH_LOG("no %s in /proc/meminfo: not watched",
			       leak_meter[i].key);
	}
	ASSERT_LT(0, base[0]) TH_LOG("no SUnreclaim in /proc/meminfo");
	for (int c = 0; c < cycles; c++) {
		struct kt_sock s;
		struct kt_stats st;
		int ns, r;

		TH_LOG("cycle %d of %d: namespace with %d services", c + 1,
		       cycles, n);
		for (int i = 0; i < LEAK_METERS; i++)
			with_ns[i] = kt_meminfo_kb(leak_meter[i].key);
		r = open_in_new_netns(self->home, &s, &ns);
		ASSERT_EQ(0, r) TH_LOG("new netns: %s", strerror(-r));
		KT_OK(kt_add_many(&s, n, "leak", 2, true, &e), e);
		KT_OK(kt_stats(&s, &st, &e), e);
		ASSERT_EQ((uint32_t)n, st.services);
		if (c == 0)
			for (int i = 0; i < LEAK_METERS; i++)
				cost[i] = kt_meminfo_kb(leak_meter[i].key) -
					  with_ns[i];
		kt_close(&s);
		close(ns);	/* the last reference: the namespace goes */
	}
	for (int i = 0; i < LEAK_METERS; i++) {
		limit[i] = cost[i] * 5 / 2;
		if (limit[i] < leak_meter[i].floor_kb)
			limit[i] = leak_meter[i].floor_kb;
		if (base[i] >= 0)
			TH_LOG("%s: %lld kB before, a namespace of %d services took about %lld kB: limit %lld kB",
			       leak_meter[i].key, base[i], n, cost[i],
			       limit[i]);
	}

	/* A new namespace starts empty. */
	{
		struct kt_sock s;
		int ns;

		ASSERT_EQ(0, open_in_new_netns(self->home, &s, &ns));
		KT_EXPECT_COUNT(&s, 0);
		kt_close(&s);
		close(ns);
	}

	t0 = now_s();
	for (;;) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };

		within = leak_within(base, limit, now, why, sizeof(why));
		if (within || now_s() - t0 >= 120)
			break;
		nanosleep(&ts, NULL);	/* polling interval */
	}
	for (int i = 0; i < LEAK_METERS; i++)
		if (base[i] >= 0)
			TH_LOG("%s after %d deleted namespaces: %lld kB (%+lld kB)",
			       leak_meter[i].key, cycles, now[i],
			       now[i] - base[i]);
	ASSERT_TRUE(within)
		TH_LOG("after %d namespaces of %d services were deleted: %s: leak",
		       cycles, n, why);
}

TEST_HARNESS_MAIN
