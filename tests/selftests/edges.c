// SPDX-License-Identifier: GPL-2.0
/*
 * edges: netlink edge cases.
 *
 *  - A dump whose first service does not fit an empty message ends with
 *    EMSGSIZE, not with NLMSG_DONE and nothing (the kernel sizes a dump's
 *    messages by the largest recvmsg the socket posted, at least
 *    NLMSG_GOODSIZE, ~3.7 KiB: a socket that reads 4 KiB at a time gets
 *    4 KiB messages).
 *  - SERVICE_GET (and a dump by name) checks the name: EINVAL, not ENOENT.
 *  - The extack of a GET too large for one reply keeps its hint ("dump it
 *    by name") whatever the length of the name: the name goes last and the
 *    message (at most 79 characters) cuts it, not the reason.
 *  - A batch belongs to its socket: a new socket bound to the port id of
 *    a closed one finds no batch.
 *  - Batches are capped in bytes by the max_batch_mb module parameter.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "kt_harness.h"

#define PARAM_BATCH_MB "/sys/module/kgate/parameters/max_batch_mb"

FIXTURE(edge) {
	struct kt_sock s;
};

FIXTURE_SETUP(edge)
{
	struct kt_err e;
	int r = kt_open(&self->s);

	ASSERT_EQ(0, r) TH_LOG("kt_open: %s (module loaded?)", strerror(-r));
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
}

FIXTURE_TEARDOWN(edge)
{
	if (self->s.nl)
		kt_cmd(&self->s, KGATE_CMD_FLUSH, NULL);
	kt_close(&self->s);
}

/* ------------------------------------------------ dump with small reads */

struct small_dump {
	int msgs;		/* messages of the family */
	int err;		/* positive errno the dump ended with, 0: DONE */
	bool ended;
};

/*
 * Dump (all, or @name) through a fresh socket that never reads more than
 * 4096 bytes at a time, so that the kernel's dump messages are 4 KiB.
 */
static int dump_small_reads(uint16_t family, const char *name,
			    struct small_dump *d)
{
	char req[512], buf[4096];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	uint32_t seq = 4242;
	int one = 1, ret = 0;

	memset(d, 0, sizeof(*d));
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl)
		return -errno;
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = KGATE_CMD_SERVICE_GET;
	g->version = KGATE_GENL_VERSION;
	if (name) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, KGATE_A_SERVICE);

		mnl_attr_put_strz(nlh, KGATE_SVC_A_NAME, name);
		mnl_attr_nest_end(nlh, nest);
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	while (!d->ended) {
		ssize_t n = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), 0);
		const struct nlmsghdr *r;
		int left;

		if (n < 0) {
			ret = -errno;
			goto out;
		}
		left = (int)n;
		for (r = (const void *)buf; mnl_nlmsg_ok(r, left);
		     r = mnl_nlmsg_next(r, &left)) {
			if (r->nlmsg_seq != seq)
				continue;
			if (r->nlmsg_type == NLMSG_DONE ||
			    r->nlmsg_type == NLMSG_ERROR) {
				const int *v = mnl_nlmsg_get_payload(r);

				d->err = r->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) ?
					 -*v : EBADMSG;
				d->ended = true;
				break;
			}
			if (r->nlmsg_type == family)
				d->msgs++;
		}
	}
out:
	mnl_socket_close(nl);
	return ret;
}

/*
 * 64 IPv6 frontends and 64 IPv6 source ranges: about 5 KiB before any
 * backend, and frontends and ranges all go in a service's first message.
 */
TEST_F(edge, dump_first_service_too_big_fails)
{
	static struct kt_fe fe[KGATE_FRONTENDS_MAX];
	static struct kt_range rng[KGATE_RANGES_MAX];
	static char fa[KGATE_FRONTENDS_MAX][48], ra[KGATE_RANGES_MAX][48];
	struct kt_svc svc;
	struct kt_svc_info got;
	struct small_dump d;
	struct kt_err e;
	char *canon;
	size_t len;
	int n;

	for (int i = 0; i < KGATE_FRONTENDS_MAX; i++) {
		snprintf(fa[i], sizeof(fa[i]),
			 "2001:db8:ffff:ffff:ffff:ffff:ffff:%x", i + 1);
		fe[i] = (struct kt_fe)KT_FE_FULL(fa[i], 65535, IPPROTO_UDP,
						 KGATE_FE_LOADBALANCER);
	}
	for (int i = 0; i < KGATE_RANGES_MAX; i++) {
		snprintf(ra[i], sizeof(ra[i]), "2001:db8:%x::", 0x1000 + i);
		rng[i] = (struct kt_range)KT_RANGE(ra[i], 48);
	}
	kt_svc_init(&svc, "edges/wide:80");
	svc.fe = fe;
	svc.n_fe = KGATE_FRONTENDS_MAX;
	svc.rng = rng;
	svc.n_rng = KGATE_RANGES_MAX;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);

	/* Controls: GET sizes its reply; a socket that reads 2 MiB at a
	 * time gets dump messages large enough.
	 */
	KT_OK(kt_get(&self->s, svc.name, &got, &e), e);
	kt_svc_info_free(&got);
	KT_OK(kt_dump(&self->s, &canon, &len, &n, &e), e);
	free(canon);
	ASSERT_EQ(1, n);

	ASSERT_EQ(0, dump_small_reads(self->s.family, NULL, &d));
	TH_LOG("dump with 4 KiB reads: %d messages, ended with %s", d.msgs,
	       d.err ? strerror(d.err) : "DONE");
	EXPECT_EQ(EMSGSIZE, d.err)
		TH_LOG("the dump did not end with an error");
	ASSERT_EQ(0, dump_small_reads(self->s.family, svc.name, &d));
	TH_LOG("dump by name with 4 KiB reads: %d messages, ended with %s",
	       d.msgs, d.err ? strerror(d.err) : "DONE");
	EXPECT_EQ(EMSGSIZE, d.err)
		TH_LOG("the dump by name did not end with an error");
}

/* ---------------------------------------------------------- GET's name */

#define NAME_MSG "name must be printable ASCII without spaces"

static void get_bad_name(struct __test_metadata *_metadata,
			 struct kt_sock *s, const char *name)
{
	struct kt_svc_info got;
	struct kt_err e;
	char *canon;
	size_t len;
	int n;

	KT_REFUSED(EINVAL, kt_get(s, name, &got, &e), e);
	EXPECT_NE(NULL, strstr(e.msg, NAME_MSG)) TH_LOG("extack \"%s\"", e.msg);
	EXPECT_TRUE(e.has_offs) TH_LOG("no offset of the name");
	/* A dump filtered by that name as well. */
	ASSERT_EQ(EINVAL, kt_dump_name(s, name, &canon, &len, &n, &e))
		TH_LOG("dump by name: extack \"%s\"", e.msg);
}

TEST_F(edge, get_refuses_invalid_name)
{
	get_bad_name(_metadata, &self->s, "bad name");
	get_bad_name(_metadata, &self->s, "bad\tname");
	get_bad_name(_metadata, &self->s, "bad\x01name");
	get_bad_name(_metadata, &self->s, "bad\x7fname");
}

/* ------------------------------------------ long name, too large a GET */

TEST_F(edge, get_too_large_hint_survives_long_name)
{
	static struct kt_be be[KGATE_BACKENDS_MAX];
	static char ba[KGATE_BACKENDS_MAX][24];
	static const struct kt_fe fe[] = { KT_FE("192.0.2.1", 80) };
	char name[KGATE_NAME_MAX], *canon;
	struct kt_svc_info got;
	struct kt_stats st;
	struct kt_svc svc;
	struct kt_err e;
	size_t len;
	int n, r;

	KT_OK(kt_stats(&self->s, &st, &e), e);
	/* With counters a backend takes ~90 bytes of a reply: 1000 exceed
	 * the 64 KiB a GET can send, 700 do not.
	 */
	if (st.max_backends < 800)
		SKIP(return, "max_backends %u: every service fits a GET",
		     st.max_backends);
	for (uint32_t i = 0; i < st.max_backends; i++) {
		snprintf(ba[i], sizeof(ba[i]), "198.51.%u.%u", 100 + i / 250,
			 1 + i % 250);
		be[i] = (struct kt_be)KT_BE_FULL(ba[i], 8080, 1, KGATE_BE_READY,
						 0);
	}
	memset(name, 'x', 230);
	memcpy(name, "edges/", 6);
	strcpy(name + 230, ":80");
	kt_svc_init(&svc, name);
	svc.fe = fe;
	svc.n_fe = 1;
	svc.be = be;
	svc.n_be = (int)st.max_backends;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);

	r = kt_get(&self->s, name, &got, &e);
	if (!r)
		kt_svc_info_free(&got);
	TH_LOG("GET: %s, extack \"%s\" (%zu characters)", strerror(r), e.msg,
	       strlen(e.msg));
	ASSERT_EQ(EMSGSIZE, r);
	EXPECT_NE(NULL, strstr(e.msg, "dump it by name"))
		TH_LOG("the hint was cut off");
	EXPECT_GE(79u, strlen(e.msg));
	/* And what it says works. */
	KT_OK(kt_dump_name(&self->s, name, &canon, &len, &n, &e), e);
	free(canon);
	EXPECT_EQ(1, n);
}

/* ------------------------------------------- batch and reused port id */

/*
 * The kernel keeps a batch for its socket, not for its port id: once the
 * socket is closed, a new socket that binds the same port id explicitly
 * finds no batch.  This passes as well with a kernel that keyed batches by
 * port id, since closing a socket drops its batch before the port id can
 * be bound again: the race the socket key guards against (a new socket
 * bound while the old one's release has not yet dropped the batch) cannot
 * be reproduced from userspace.
 */
TEST_F(edge, reused_port_id_finds_no_batch)
{
	static const struct kt_fe fe[] = { KT_FE("192.0.2.9", 80) };
	struct kt_sock a, b;
	struct kt_stats st;
	struct kt_svc svc;
	struct kt_err e;
	uint32_t portid;
	int r = -EADDRINUSE;

	ASSERT_EQ(0, kt_open(&a));
	portid = a.portid;
	KT_OK(kt_cmd(&a, KGATE_CMD_BATCH_BEGIN, &e), e);
	kt_svc_init(&svc, "edges/staged:80");
	svc.fe = fe;
	svc.n_fe = 1;
	KT_OK(kt_svc_cmd(&a, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	ASSERT_EQ(1u, st.batches_open);
	kt_close(&a);

	/* The port id is free once close() returned; retry briefly anyway. */
	for (int i = 0; i < 200 && r == -EADDRINUSE; i++) {
		r = kt_open_pid(&b, portid);
		if (r == -EADDRINUSE)
			nanosleep(&(struct timespec){ .tv_nsec = 10000000 },
				  NULL);
	}
	ASSERT_EQ(0, r) TH_LOG("bind to port id %u: %s", portid, strerror(-r));
	ASSERT_EQ(portid, b.portid);
	KT_REFUSED(ENOENT, kt_cmd(&b, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(0u, st.batches_open);
	KT_EXPECT_COUNT(&self->s, 0);
	kt_close(&b);
}

/* ------------------------------------------------------ max_batch_mb */

FIXTURE(cap) {
	struct kt_sock s;
	char saved[32];
};

static int write_param(const char *path, const char *v)
{
	FILE *f = fopen(path, "w");
	int r;

	if (!f)
		return -errno;
	r = fputs(v, f) < 0 ? -EIO : 0;
	if (fclose(f))
		r = -errno;
	return r;
}

FIXTURE_SETUP(cap)
{
	struct kt_err e;
	FILE *f;

	ASSERT_EQ(0, kt_open(&self->s));
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	f = fopen(PARAM_BATCH_MB, "r");
	ASSERT_NE(NULL, f) TH_LOG("no module parameter max_batch_mb");
	ASSERT_NE(NULL, fgets(self->saved, sizeof(self->saved), f));
	fclose(f);
	ASSERT_EQ(0, write_param(PARAM_BATCH_MB, "1"));
}

FIXTURE_TEARDOWN(cap)
{
	if (self->saved[0] &&
	    write_param(PARAM_BATCH_MB, self->saved))
		fprintf(stderr, "# could not restore max_batch_mb to %s",
			self->saved);
	if (self->s.nl) {
		kt_cmd(&self->s, KGATE_CMD_BATCH_ABORT, NULL);
		kt_cmd(&self->s, KGATE_CMD_FLUSH, NULL);
	}
	kt_close(&self->s);
}

/*
 * max_batch_mb=1: the request that would take a batch's staged bytes past
 * 1 MiB is refused with E2BIG and a message naming the parameter, which
 * poisons the batch (COMMIT: ECANCELED, the cookie naming that request).
 */
TEST_F(cap, batch_bytes_capped)
{
	static struct kt_be be[KGATE_BACKENDS_MAX];
	static char ba[KGATE_BACKENDS_MAX][24];
	static const struct kt_fe fe[] = { KT_FE("192.0.2.1", 80) };
	uint32_t first_seq = 0, bad_seq, size, fit;
	struct kt_stats st;
	struct kt_svc svc;
	struct kt_pipe p;
	struct kt_msg m;
	struct kt_err e;
	int n_be, n_msgs;

	KT_OK(kt_stats(&self->s, &st, &e), e);
	n_be = st.max_backends < KGATE_BACKENDS_MAX ? (int)st.max_backends :
						      KGATE_BACKENDS_MAX;
	for (int i = 0; i < n_be; i++) {
		snprintf(ba[i], sizeof(ba[i]), "198.51.%d.%d", 100 + i / 250,
			 1 + i % 250);
		be[i] = (struct kt_be)KT_BE(ba[i], 8080);
	}
	kt_svc_init(&svc, "edges/capped:80");
	svc.fe = fe;
	svc.n_fe = 1;
	svc.be = be;
	svc.n_be = n_be;

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	ASSERT_EQ(0, kt_pipe_init(&p, &self->s));
	ASSERT_EQ(0, kt_msg_init(&m, &self->s, KGATE_CMD_SERVICE_REPLACE, 0));
	kt_msg_put_svc(&m, &svc, NULL, 0);
	size = m.nlh->nlmsg_len;
	fit = (1u << 20) / size;	/* requests that fit 1 MiB */
	n_msgs = (int)fit + 3;
	TH_LOG("%d requests of %u bytes, %u fit in 1 MiB", n_msgs, size, fit);
	for (int i = 0; i < n_msgs; i++) {
		kt_msg_reset(&m, &self->s, KGATE_CMD_SERVICE_REPLACE, 0);
		kt_msg_put_svc(&m, &svc, NULL, 0);
		if (!i)
			first_seq = m.nlh->nlmsg_seq;
		ASSERT_EQ(0, kt_pipe_add(&p, &m));
	}
	ASSERT_EQ(0, kt_pipe_flush(&p));
	kt_msg_free(&m);
	TH_LOG("%ld refused, the first (request %u): %s, extack \"%s\"",
	       p.refused, p.first_refused_seq - first_seq + 1,
	       strerror(p.first.err), p.first.msg);
	ASSERT_LT(0, p.refused) TH_LOG("more than 1 MiB staged");
	EXPECT_EQ(E2BIG, p.first.err);
	EXPECT_NE(NULL, strstr(p.first.msg, "max_batch_mb"));
	/*
	 * The batch counts each request and the lookup tables built for it:
	 * the first refused is at the latest the first whose request alone
	 * does not fit, and not the first.
	 */
	EXPECT_GE(fit, p.first_refused_seq - first_seq);
	EXPECT_LT(0u, p.first_refused_seq - first_seq);
	bad_seq = p.first_refused_seq;
	kt_pipe_free(&p);

	KT_REFUSED(ECANCELED, kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	/* The cookie names the first refused: seq, and place in the batch. */
	EXPECT_EQ(sizeof(e.ref), e.cookie_len);
	EXPECT_EQ(bad_seq, e.ref.seq);
	EXPECT_EQ(bad_seq - first_seq + 1, e.ref.pos);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(0u, st.batches_open);
	KT_EXPECT_COUNT(&self->s, 0);

	/* Below the cap the same request is staged (and dropped). */
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_REPLACE, &svc, NULL, 0,
			 &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_ABORT, &e), e);
}

TEST_HARNESS_MAIN
