// SPDX-License-Identifier: GPL-2.0
/*
 * perm: without CAP_NET_ADMIN every mutating command and every batch
 * command is refused with EPERM and changes nothing; GET, dump and
 * STATS_GET work.  The same messages are accepted as root (control).
 *
 * The unprivileged side runs as uid/gid 65534 with no supplementary groups
 * and no capabilities, through a socket opened as root before dropping the
 * privileges and through one opened afterwards.
 */
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

FIXTURE(perm) {
	char *canon;
	size_t canon_len;
};

FIXTURE_VARIANT(perm) {
	uint8_t cmd;
	int what;	/* message content, see build() */
	bool needs_begin;	/* the root control opens a batch first */
};

enum { W_NONE, W_NEW_SVC, W_REPLACE, W_NAME, W_BE_NEW, W_BE_OLD, W_BE_SET };

FIXTURE_VARIANT_ADD(perm, service_add) { KGATE_CMD_SERVICE_ADD, W_NEW_SVC, false };
FIXTURE_VARIANT_ADD(perm, service_replace) { KGATE_CMD_SERVICE_REPLACE, W_REPLACE, false };
FIXTURE_VARIANT_ADD(perm, service_del) { KGATE_CMD_SERVICE_DEL, W_NAME, false };
FIXTURE_VARIANT_ADD(perm, backend_add) { KGATE_CMD_BACKEND_ADD, W_BE_NEW, false };
FIXTURE_VARIANT_ADD(perm, backend_del) { KGATE_CMD_BACKEND_DEL, W_BE_OLD, false };
FIXTURE_VARIANT_ADD(perm, backend_set) { KGATE_CMD_BACKEND_SET, W_BE_SET, false };
FIXTURE_VARIANT_ADD(perm, flush) { KGATE_CMD_FLUSH, W_NONE, false };
FIXTURE_VARIANT_ADD(perm, batch_begin) { KGATE_CMD_BATCH_BEGIN, W_NONE, false };
FIXTURE_VARIANT_ADD(perm, batch_commit) { KGATE_CMD_BATCH_COMMIT, W_NONE, true };
FIXTURE_VARIANT_ADD(perm, batch_abort) { KGATE_CMD_BATCH_ABORT, W_NONE, true };

static int build(struct kt_sock *s, struct kt_msg *m,
		 const FIXTURE_VARIANT(perm) *v)
{
	struct kt_svc svc;

	if (kt_msg_init(m, s, v->cmd, 0))
		return -1;
	kt_svc_init(&svc, SVC);
	switch (v->what) {
	case W_NONE:
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
	kt_close(&s);
}

FIXTURE_SETUP(perm)
{
	struct kt_sock s;

	setup_service(_metadata);
	ASSERT_EQ(0, kt_open(&s));
	ASSERT_EQ(0, kt_dump(&s, &self->canon, &self->canon_len, NULL, NULL));
	kt_close(&s);
}

/* In the parent, which keeps its privileges. */
FIXTURE_TEARDOWN_PARENT(perm)
{
	struct kt_sock s;

	if (!kt_open(&s)) {
		kt_cmd(&s, KGATE_CMD_FLUSH, NULL);
		kt_close(&s);
	}
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

static void drop_privileges(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, setgroups(0, NULL));
	ASSERT_EQ(0, setgid(65534));
	ASSERT_EQ(0, setuid(65534));
	ASSERT_EQ(65534u, geteuid());
	ASSERT_EQ(0ULL, cap_eff()) TH_LOG("capabilities left after setuid");
}

TEST_F(perm, refused_without_cap_net_admin)
{
	struct kt_sock early, late;
	struct kt_stats st;
	struct kt_msg m;
	struct kt_err e;

	ASSERT_EQ(0, kt_open(&early));
	drop_privileges(_metadata);
	ASSERT_EQ(0, kt_open(&late)) TH_LOG("family lookup as nobody failed");

	/* genetlink itself answers EPERM (GENL_ADMIN_PERM), without an
	 * extack message: only the errno is checked.
	 */
	ASSERT_EQ(0, build(&early, &m, variant));
	ASSERT_EQ(EPERM, kt_send(&early, &m, &e, NULL, NULL))
		TH_LOG("socket opened as root: extack \"%s\"", e.msg);
	kt_msg_free(&m);
	ASSERT_EQ(0, build(&late, &m, variant));
	ASSERT_EQ(EPERM, kt_send(&late, &m, &e, NULL, NULL))
		TH_LOG("socket opened as nobody: extack \"%s\"", e.msg);
	kt_msg_free(&m);

	/* Nothing changed, and no batch got opened. */
	ASSERT_EQ(1, kt_dump_equals(&late, self->canon, self->canon_len));
	KT_OK(kt_stats(&late, &st, &e), e);
	EXPECT_EQ(0u, st.batches_open);
	kt_close(&early);
	kt_close(&late);
}

/* Control: the same message is accepted as root. */
TEST_F(perm, accepted_as_root)
{
	struct kt_sock s;
	struct kt_msg m;
	struct kt_err e;

	ASSERT_EQ(0, kt_open(&s));
	if (variant->needs_begin)
		KT_OK(kt_cmd(&s, KGATE_CMD_BATCH_BEGIN, &e), e);
	ASSERT_EQ(0, build(&s, &m, variant));
	KT_OK(kt_send(&s, &m, &e, NULL, NULL), e);
	kt_msg_free(&m);
	if (variant->cmd == KGATE_CMD_BATCH_BEGIN)
		KT_OK(kt_cmd(&s, KGATE_CMD_BATCH_ABORT, &e), e);
	else if (!variant->needs_begin) {
		ASSERT_EQ(0, kt_dump_equals(&s, self->canon, self->canon_len))
			TH_LOG("accepted but nothing changed");
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
	struct kt_sock s;

	if (!kt_open(&s)) {
		kt_cmd(&s, KGATE_CMD_FLUSH, NULL);
		kt_close(&s);
	}
}

/* Reading needs no privilege. */
TEST_F(ro, get_dump_stats_work_unprivileged)
{
	struct kt_sock s;
	struct kt_svc svc;
	struct kt_svc_info info;
	struct kt_stats st;
	struct kt_err e;
	char *canon, why[512];
	size_t len;
	int n;

	drop_privileges(_metadata);
	ASSERT_EQ(0, kt_open(&s));
	KT_OK(kt_get(&s, SVC, &info, &e), e);
	kt_svc_init(&svc, SVC);
	svc.fe = fe;
	svc.n_fe = N(fe);
	svc.be = be;
	svc.n_be = N(be);
	ASSERT_EQ(0, kt_svc_expect(&svc, &info, why, sizeof(why)))
		TH_LOG("%s", why);
	kt_svc_info_free(&info);
	KT_REFUSED(ENOENT, kt_get(&s, "perm/none:1", &info, &e), e);
	KT_OK(kt_dump(&s, &canon, &len, &n, &e), e);
	EXPECT_EQ(1, n);
	free(canon);
	KT_OK(kt_stats(&s, &st, &e), e);
	EXPECT_EQ(1u, st.services);
	EXPECT_EQ(1u, st.frontends);
	EXPECT_EQ(2u, st.backends);
	kt_close(&s);
}

TEST_HARNESS_MAIN
