// SPDX-License-Identifier: GPL-2.0
/*
 * perm: without CAP_NET_ADMIN every command, reads included (SERVICE_GET,
 * its dump, STATS_GET, NODE_GET), is refused with EPERM and changes
 * nothing, and the "events" group cannot be joined.  The same messages
 * are accepted as root (control).
 *
 * The unprivileged side runs in a child process as uid/gid 65534 with no
 * supplementary groups and no capabilities, through a socket opened as
 * root before dropping the privileges and through one opened afterwards.
 * The parent keeps root and checks, with its own dump, that nothing
 * changed (a dump needs the privilege too).
 */
#include <errno.h>
#include <grp.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kt_harness.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define SVC "perm/svc:80"

static const struct kt_fe fe[] = { KT_FE("192.0.2.1", 80) };
static const struct kt_be be[] = {
	KT_BE("198.51.100.1", 8080), KT_BE("198.51.100.2", 8080),
};
static const struct kt_fe fe_new[] = { KT_FE("192.0.2.2", 80) };
static const struct kt_be be_new[] = { KT_BE("198.51.100.3", 8080) };
static const struct kt_be be_set[] = {
	KT_BE_FULL("198.51.100.1", 8080, 5, KT_UNSET, KT_UNSET),
};

static const struct kt_range node_old[] = { KT_RANGE("10.244.0.0", 16) };
static const struct kt_range node_new[] = { KT_RANGE("fd00:244::", 48) };

FIXTURE(perm) {
	char *canon;
	size_t canon_len;
	bool has_node;		/* NODE_GET answered in the setup */
	struct kt_node_info node;
};

/* What the root control must see after the command. */
enum effect {
	E_CHANGE,	/* the services changed */
	E_READ,		/* a read: nothing changed */
	E_NODE,		/* the node's settings changed */
	E_BATCH,	/* batch commands: see accepted_as_root */
};

FIXTURE_VARIANT(perm) {
	uint8_t cmd;
	int what;	/* message content, see build() */
	bool needs_begin;	/* the root control opens a batch first */
	enum effect effect;
};

enum {
	W_NONE, W_NEW_SVC, W_REPLACE, W_NAME, W_BE_NEW, W_BE_OLD, W_BE_SET,
	W_DUMP, W_NODE,
	W_COUNT,	/* KGATE_A_BATCH_COUNT, the socket's count */
};

FIXTURE_VARIANT_ADD(perm, service_add) { KGATE_CMD_SERVICE_ADD, W_NEW_SVC, false, E_CHANGE };
FIXTURE_VARIANT_ADD(perm, service_replace) { KGATE_CMD_SERVICE_REPLACE, W_REPLACE, false, E_CHANGE };
FIXTURE_VARIANT_ADD(perm, service_del) { KGATE_CMD_SERVICE_DEL, W_NAME, false, E_CHANGE };
FIXTURE_VARIANT_ADD(perm, backend_add) { KGATE_CMD_BACKEND_ADD, W_BE_NEW, false, E_CHANGE };
FIXTURE_VARIANT_ADD(perm, backend_del) { KGATE_CMD_BACKEND_DEL, W_BE_OLD, false, E_CHANGE };
FIXTURE_VARIANT_ADD(perm, backend_set) { KGATE_CMD_BACKEND_SET, W_BE_SET, false, E_CHANGE };
FIXTURE_VARIANT_ADD(perm, flush) { KGATE_CMD_FLUSH, W_NONE, false, E_CHANGE };
FIXTURE_VARIANT_ADD(perm, batch_begin) { KGATE_CMD_BATCH_BEGIN, W_NONE, false, E_BATCH };
FIXTURE_VARIANT_ADD(perm, batch_commit) { KGATE_CMD_BATCH_COMMIT, W_COUNT, true, E_BATCH };
FIXTURE_VARIANT_ADD(perm, batch_abort) { KGATE_CMD_BATCH_ABORT, W_NONE, true, E_BATCH };
FIXTURE_VARIANT_ADD(perm, node_set) { KGATE_CMD_NODE_SET, W_NODE, false, E_NODE };
/* Reads: configuration and counters tell who talks to whom. */
FIXTURE_VARIANT_ADD(perm, service_get) { KGATE_CMD_SERVICE_GET, W_NAME, false, E_READ };
FIXTURE_VARIANT_ADD(perm, service_dump) { KGATE_CMD_SERVICE_GET, W_DUMP, false, E_READ };
FIXTURE_VARIANT_ADD(perm, stats_get) { KGATE_CMD_STATS_GET, W_NONE, false, E_READ };
FIXTURE_VARIANT_ADD(perm, node_get) { KGATE_CMD_NODE_GET, W_NONE, false, E_READ };

static int build(struct kt_sock *s, struct kt_msg *m,
		 const FIXTURE_VARIANT(perm) *v)
{
	struct kt_svc svc;

	if (kt_msg_init(m, s, v->cmd, v->what == W_DUMP ? NLM_F_DUMP : 0))
		return -1;
	kt_svc_init(&svc, SVC);
	switch (v->what) {
	case W_NONE:
	case W_DUMP:
		return 0;
	case W_NODE:
		kt_msg_put_node(m, node_new, N(node_new), NULL, 0);
		return 0;
	case W_COUNT:
		mnl_attr_put_u32(m->nlh, KGATE_A_BATCH_COUNT, s->batch_sent);
		return 0;
	case W_NEW_SVC:
		svc.name = "perm/new:80";
		svc.fe = fe_new;
		svc.n_fe = 1;
		break;
	case W_REPLACE:
		svc.fe = fe_new;
		svc.n_fe = 1;
		svc.timeout = 5;
		break;
	case W_NAME:
		break;
	case W_BE_NEW:
		svc.be = be_new;
		svc.n_be = 1;
		break;
	case W_BE_OLD:
		svc.be = be;
		svc.n_be = 1;
		break;
	case W_BE_SET:
		svc.be = be_set;
		svc.n_be = 1;
		break;
	}
	kt_msg_put_svc(m, &svc, NULL, 0);
	return 0;
}

/* Counts the reply messages of a read. */
static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	++*(int *)data;
	return 0;
}

static void setup_service(struct __test_metadata *_metadata)
{
	struct kt_sock s;
	struct kt_svc svc;
	struct kt_err e;

	ASSERT_EQ(0, kt_open(&s)) TH_LOG("kt_open (module loaded?)");
	KT_OK(kt_cmd(&s, KGATE_CMD_FLUSH, &e), e);
	kt_svc_init(&svc, SVC);
	svc.fe = fe;
	svc.n_fe = N(fe);
	svc.be = be;
	svc.n_be = N(be);
	KT_OK(kt_svc_cmd(&s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	/* Known node settings, for "nothing changed" (best effort: the
	 * node commands are newer than the rest).
	 */
	kt_node_set(&s, node_old, N(node_old), NULL);
	kt_close(&s);
}

FIXTURE_SETUP(perm)
{
	struct kt_sock s;

	setup_service(_metadata);
	ASSERT_EQ(0, kt_open(&s));
	ASSERT_EQ(0, kt_dump(&s, &self->canon, &self->canon_len, NULL, NULL));
	self->has_node = !kt_node_get(&s, &self->node, NULL);
	kt_close(&s);
}

static void reset(void)
{
	struct kt_sock s;

	if (!kt_open(&s)) {
		kt_cmd(&s, KGATE_CMD_FLUSH, NULL);
		kt_node_set(&s, NULL, 0, NULL);
		kt_close(&s);
	}
}

/* In the parent, which keeps its privileges. */
FIXTURE_TEARDOWN_PARENT(perm)
{
	reset();
}

static unsigned long long cap_eff(void)
{
	char line[256];
	unsigned long long v = ~0ULL;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return v;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Up to this many answers of the unprivileged child. */
#define ANSWERS 8

/* What the unprivileged child saw, in memory shared with the parent. */
struct unpriv {
	int stage;		/* how far the child got, see as_nobody() */
	int drop_errno;
	uid_t euid;
	unsigned long long cap;
	int open_err;		/* kt_open() as nobody */
	int n;
	struct {
		const char *what;
		int err;	/* positive errno, 0 if accepted */
		char msg[512];	/* as struct kt_err */
	} a[ANSWERS];
};

static void answer(struct unpriv *u, const char *what, int err,
		   const char *msg)
{
	if (u->n >= ANSWERS)
		return;
	u->a[u->n].what = what;
	u->a[u->n].err = err;
	snprintf(u->a[u->n].msg, sizeof(u->a[u->n].msg), "%s", msg ? msg : "");
	u->n++;
}

enum { ST_START, ST_DROPPED, ST_OPENED, ST_DONE };

typedef void (*unpriv_fn)(struct kt_sock *early, struct kt_sock *late,
			  struct unpriv *u, const void *arg);

/*
 * Run @fn in a child that opened one socket as root (early) and, after
 * dropping every privilege, another (late).  The harness's assertions stay
 * in the parent: the child only records what it saw in *@u.
 */
static void as_nobody(struct __test_metadata *_metadata, unpriv_fn fn,
		      const void *arg, struct unpriv *u)
{
	struct unpriv *shared;
	int status;
	pid_t pid;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	memset(shared, 0, sizeof(*shared));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kt_sock early, late;

		if (kt_open(&early))
			_exit(2);
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
			shared->drop_errno = errno;
			_exit(3);
		}
		shared->euid = geteuid();
		shared->cap = cap_eff();
		shared->stage = ST_DROPPED;
		shared->open_err = kt_open(&late);
		if (shared->open_err)
			_exit(4);
		shared->stage = ST_OPENED;
		fn(&early, &late, shared, arg);
		shared->stage = ST_DONE;
		kt_close(&early);
		kt_close(&late);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	*u = *shared;
	munmap(shared, sizeof(*shared));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("unprivileged child: status 0x%x, stage %d, %s",
		       status, u->stage,
		       u->drop_errno ? strerror(u->drop_errno) :
		       u->open_err ? strerror(-u->open_err) : "");
	ASSERT_EQ(ST_DONE, u->stage);
	ASSERT_EQ(65534u, u->euid);
	ASSERT_EQ(0ULL, u->cap) TH_LOG("capabilities left after setuid");
}

static void send_variant(struct kt_sock *early, struct kt_sock *late,
			 struct unpriv *u, const void *arg)
{
	const FIXTURE_VARIANT(perm) *v = arg;
	struct kt_sock *socks[2] = { early, late };
	static const char *const names[2] = {
		"socket opened as root", "socket opened as nobody",
	};

	for (int i = 0; i < 2; i++) {
		struct kt_msg m;
		struct kt_err e;
		int replies = 0, r;

		if (build(socks[i], &m, v)) {
			answer(u, names[i], ENOMEM, "local: build");
			continue;
		}
		r = kt_send(socks[i], &m, &e, count_cb, &replies);
		kt_msg_free(&m);
		answer(u, names[i], r, e.msg);
	}
}

/* Root: nothing changed, no batch open. */
static void expect_unchanged(struct __test_metadata *_metadata,
			     FIXTURE_DATA(perm) *self)
{
	struct kt_node_info node;
	struct kt_sock s;
	struct kt_stats st;
	struct kt_err e;
	char why[512];

	ASSERT_EQ(0, kt_open(&s));
	ASSERT_EQ(1, kt_dump_equals(&s, self->canon, self->canon_len))
		TH_LOG("a refused command changed the services");
	KT_OK(kt_stats(&s, &st, &e), e);
	EXPECT_EQ(0u, st.batches_open);
	if (self->has_node) {
		KT_OK(kt_node_get(&s, &node, &e), e);
		EXPECT_EQ(0, kt_node_expect(node_old, N(node_old), &node, why,
					    sizeof(why)))
			TH_LOG("a refused command changed the node: %s", why);
	}
	kt_close(&s);
}

TEST_F(perm, refused_without_cap_net_admin)
{
	struct unpriv u;

	as_nobody(_metadata, send_variant, variant, &u);
	ASSERT_EQ(2, u.n);
	/* genetlink itself answers EPERM (GENL_ADMIN_PERM), without an
	 * extack message: only the errno is checked.
	 */
	for (int i = 0; i < u.n; i++) {
		EXPECT_EQ(EPERM, u.a[i].err)
			TH_LOG("%s: got %s (%d), extack \"%s\"", u.a[i].what,
			       strerror(u.a[i].err), u.a[i].err, u.a[i].msg);
	}
	expect_unchanged(_metadata, self);
}

/* Control: the same message is accepted as root. */
TEST_F(perm, accepted_as_root)
{
	struct kt_node_info node;
	struct kt_sock s;
	struct kt_msg m;
	struct kt_err e;
	char why[512];
	int replies = 0;

	ASSERT_EQ(0, kt_open(&s));
	if (variant->needs_begin)
		KT_OK(kt_cmd(&s, KGATE_CMD_BATCH_BEGIN, &e), e);
	ASSERT_EQ(0, build(&s, &m, variant));
	KT_OK(kt_send(&s, &m, &e, count_cb, &replies), e);
	kt_msg_free(&m);
	switch (variant->effect) {
	case E_BATCH:
		if (variant->cmd == KGATE_CMD_BATCH_BEGIN)
			KT_OK(kt_cmd(&s, KGATE_CMD_BATCH_ABORT, &e), e);
		break;
	case E_CHANGE:
		ASSERT_EQ(0, kt_dump_equals(&s, self->canon, self->canon_len))
			TH_LOG("accepted but nothing changed");
		break;
	case E_READ:
		EXPECT_LE(1, replies) TH_LOG("a read without a reply");
		ASSERT_EQ(1, kt_dump_equals(&s, self->canon, self->canon_len))
			TH_LOG("a read changed something");
		break;
	case E_NODE:
		KT_OK(kt_node_get(&s, &node, &e), e);
		ASSERT_EQ(0, kt_node_expect(node_new, N(node_new), &node, why,
					    sizeof(why))) TH_LOG("%s", why);
		break;
	}
	kt_close(&s);
}

FIXTURE(ro) {
	int unused;
};

FIXTURE_SETUP(ro)
{
	setup_service(_metadata);
}

FIXTURE_TEARDOWN_PARENT(ro)
{
	reset();
}

static void try_reads(struct kt_sock *early, struct kt_sock *late,
		      struct unpriv *u, const void *arg)
{
	struct kt_svc_info info;
	struct kt_err e;
	int r;

	(void)arg;
	r = kt_subscribe(early);
	answer(u, "join events, socket opened as root", -r, "");
	r = kt_subscribe(late);
	answer(u, "join events, socket opened as nobody", -r, "");
	/* EPERM before the lookup: a name's existence does not leak. */
	r = kt_get(late, SVC, &info, &e);
	if (!r)
		kt_svc_info_free(&info);
	answer(u, "GET of an existing service", r, e.msg);
	r = kt_get(late, "perm/none:1", &info, &e);
	if (!r)
		kt_svc_info_free(&info);
	answer(u, "GET of an unknown service", r, e.msg);
}

/*
 * Reading needs CAP_NET_ADMIN, and so does the events group: joining it
 * (NETLINK_ADD_MEMBERSHIP) fails with EPERM.
 */
TEST_F(ro, reads_and_events_refused_unprivileged)
{
	struct unpriv u;

	as_nobody(_metadata, try_reads, NULL, &u);
	ASSERT_EQ(4, u.n);
	for (int i = 0; i < u.n; i++) {
		EXPECT_EQ(EPERM, u.a[i].err)
			TH_LOG("%s: got %s (%d), extack \"%s\"", u.a[i].what,
			       strerror(u.a[i].err), u.a[i].err, u.a[i].msg);
	}
}

/* Control: root joins the group and hears a change. */
TEST_F(ro, events_joined_as_root)
{
	struct kt_sock s, ev;
	struct kt_event event;
	struct kt_err e;

	ASSERT_EQ(0, kt_open(&s));
	ASSERT_EQ(0, kt_open(&ev));
	ASSERT_EQ(0, kt_subscribe(&ev));
	KT_OK(kt_del(&s, SVC, &e), e);
	ASSERT_EQ(0, kt_event_next(&ev, 10000, &event));
	EXPECT_EQ(KGATE_CMD_SERVICE_DEL, event.cmd);
	EXPECT_STREQ(SVC, event.name);
	kt_event_free(&event);
	kt_close(&ev);
	kt_close(&s);
}

TEST_HARNESS_MAIN
