// SPDX-License-Identifier: GPL-2.0
/*
 * batch: transactions.  BEGIN stages the socket's later commands (acked,
 * not applied); COMMIT applies all or nothing; a message kgate refuses
 * poisons the batch, one the policy refuses never reaches kgate and the
 * COMMIT's count of commands sent tells (both: ECANCELED); a COMMIT
 * without the count is EINVAL; a command that fails at COMMIT is named
 * by position and sequence number in the extack message and its cookie,
 * as is the message that poisoned a batch; BEGIN twice is EBUSY;
 * COMMIT / ABORT without BEGIN is ENOENT; ABORT and closing the socket
 * drop the batch; batches of different sockets do not mix.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kt_harness.h"

#define PRE "pre/existing:80"
#define NB 5	/* commands in the position tests */

static const struct kt_fe pre_fe[] = { KT_FE("192.0.2.200", 80) };
static const struct kt_be pre_be[] = { KT_BE("198.51.100.200", 8080) };

FIXTURE(batch) {
	struct kt_sock s;
	char *canon;
	size_t canon_len;
	/* addresses of the services made by mksvc */
	char fa[64][32];
	struct kt_fe fe[64];
};

FIXTURE_SETUP(batch)
{
	struct kt_svc svc;
	struct kt_err e;
	int r = kt_open(&self->s);

	ASSERT_EQ(0, r) TH_LOG("kt_open: %s (module loaded?)", strerror(-r));
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	kt_svc_init(&svc, PRE);
	svc.fe = pre_fe;
	svc.n_fe = 1;
	svc.be = pre_be;
	svc.n_be = 1;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_OK(kt_dump(&self->s, &self->canon, &self->canon_len, NULL, &e), e);
}

FIXTURE_TEARDOWN(batch)
{
	free(self->canon);
	if (self->s.nl) {
		kt_cmd(&self->s, KGATE_CMD_BATCH_ABORT, NULL);
		kt_cmd(&self->s, KGATE_CMD_FLUSH, NULL);
	}
	kt_close(&self->s);
}

/* Service number i of a test: name "b/svc-i:80", frontend 192.0.2.(i+1). */
static void mksvc(FIXTURE_DATA(batch) *self, struct kt_svc *svc, int i,
		  char *name, size_t len)
{
	snprintf(name, len, "b/svc-%d:80", i);
	snprintf(self->fa[i], sizeof(self->fa[i]), "192.0.2.%d", i + 1);
	self->fe[i] = (struct kt_fe)KT_FE(self->fa[i], 80);
	kt_svc_init(svc, name);
	svc->fe = &self->fe[i];
	svc->n_fe = 1;
}

/* The COMMIT extack names the failing command: "cmd POS seq SEQ: ...". */
static bool names_command(const char *msg, int pos, uint32_t seq)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "cmd %d seq %u: ", pos, seq);
	return !strncmp(msg, prefix, strlen(prefix)) &&
	       strlen(msg) > strlen(prefix);
}

/* The extack cookie is a struct kgate_commit_ref naming @pos and @seq. */
static bool blames(const struct kt_err *e, int pos, uint32_t seq)
{
	return e->cookie_len == sizeof(e->ref) && e->ref.pos == (uint32_t)pos &&
	       e->ref.seq == seq;
}

/* The cookie of @e for a log line. */
static const char *ref_str(const struct kt_err *e)
{
	static char buf[80];

	if (e->cookie_len != sizeof(e->ref))
		snprintf(buf, sizeof(buf), "a cookie of %u bytes",
			 e->cookie_len);
	else
		snprintf(buf, sizeof(buf), "cookie {pos %u, seq %u}",
			 e->ref.pos, e->ref.seq);
	return buf;
}

/* "batch aborted: SENT commands sent, N reached kgate" */
static bool counts_in(const char *msg, long long sent, long long reached)
{
	char want[96];

	snprintf(want, sizeof(want),
		 "batch aborted: %lld commands sent, %lld reached kgate", sent,
		 reached);
	return !strcmp(msg, want);
}

/* BATCH_COMMIT with KGATE_A_BATCH_COUNT = @count, or without it (< 0). */
static int commit_count(struct kt_sock *s, long long count, struct kt_err *e)
{
	struct kt_msg m;
	int r;

	if (kt_msg_init(&m, s, KGATE_CMD_BATCH_COMMIT, 0))
		return ENOMEM;
	if (count >= 0)
		mnl_attr_put_u32(m.nlh, KGATE_A_BATCH_COUNT, (uint32_t)count);
	r = kt_send(s, &m, e, NULL, NULL);
	kt_msg_free(&m);
	return r;
}

#define UNCHANGED(sock) \
	ASSERT_EQ(1, kt_dump_equals((sock), self->canon, self->canon_len)) \
		TH_LOG("configuration changed")

TEST_F(batch, commit_applies_all)
{
	struct kt_sock other;
	struct kt_svc svc[NB];
	struct kt_svc_info info;
	struct kt_stats st0, st;
	struct kt_err e;
	char names[NB][32];

	ASSERT_EQ(0, kt_open(&other));
	KT_OK(kt_stats(&self->s, &st0, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	for (int i = 0; i < NB; i++) {
		mksvc(self, &svc[i], i, names[i], sizeof(names[i]));
		KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc[i], NULL,
				 0, &e), e);
	}
	/* Staged, not applied: neither this socket nor another sees them. */
	KT_REFUSED(ENOENT, kt_get(&self->s, names[0], &info, &e), e);
	UNCHANGED(&self->s);
	UNCHANGED(&other);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(st0.generation, st.generation);
	EXPECT_EQ(1u, st.batches_open);

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_EXPECT_COUNT(&other, NB + 1);
	for (int i = 0; i < NB; i++)
		KT_EXPECT_SVC(&other, &svc[i]);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(st0.commits + 1, st.commits) TH_LOG("one commit");
	EXPECT_GT(st.generation, st0.generation);
	EXPECT_EQ(0u, st.batches_open);
	/* The batch is over: the next command applies at once. */
	KT_OK(kt_del(&self->s, names[0], &e), e);
	KT_EXPECT_COUNT(&other, NB);
	kt_close(&other);
}

TEST_F(batch, empty_commit)
{
	struct kt_err e;

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	UNCHANGED(&self->s);
}

FIXTURE(pos) {
	struct kt_sock s;
	char *canon;
	size_t canon_len;
};

FIXTURE_VARIANT(pos) {
	int bad;	/* 1-based position of the bad command */
};

FIXTURE_VARIANT_ADD(pos, first) { .bad = 1 };
FIXTURE_VARIANT_ADD(pos, middle) { .bad = (NB + 1) / 2 };
FIXTURE_VARIANT_ADD(pos, last) { .bad = NB };

FIXTURE_SETUP(pos)
{
	struct kt_svc svc;
	struct kt_err e;

	ASSERT_EQ(0, kt_open(&self->s)) TH_LOG("kt_open (module loaded?)");
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	kt_svc_init(&svc, PRE);
	svc.fe = pre_fe;
	svc.n_fe = 1;
	svc.be = pre_be;
	svc.n_be = 1;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_OK(kt_dump(&self->s, &self->canon, &self->canon_len, NULL, &e), e);
}

FIXTURE_TEARDOWN(pos)
{
	free(self->canon);
	if (self->s.nl) {
		kt_cmd(&self->s, KGATE_CMD_BATCH_ABORT, NULL);
		kt_cmd(&self->s, KGATE_CMD_FLUSH, NULL);
	}
	kt_close(&self->s);
}

static void pos_svc(struct kt_svc *svc, struct kt_fe *fe, char *fa,
		    char *name, int i)
{
	sprintf(name, "b/pos-%d:80", i);
	sprintf(fa, "192.0.2.%d", i + 1);
	*fe = (struct kt_fe)KT_FE(fa, 80);
	kt_svc_init(svc, name);
	svc->fe = fe;
	svc->n_fe = 1;
}

/*
 * A message refused by the policy never reaches kgate: the COMMIT's count
 * of commands sent is one more than kgate's, and the batch fails.
 */
TEST_F(pos, policy_refusal_poisons)
{
	const struct kt_ovr bad = {
		.where = KT_W_SVC, .type = KGATE_SVC_A_AFFINITY_TIMEOUT,
		.how = KT_INT, .len = 4, .val = 0,
	};
	struct kt_stats st;
	struct kt_err e;

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	for (int i = 1; i <= NB; i++) {
		struct kt_svc svc;
		struct kt_fe fe;
		char fa[32], name[32];
		int r;

		pos_svc(&svc, &fe, fa, name, i);
		if (i == variant->bad) {
			KT_REFUSED(ERANGE, kt_svc_cmd(&self->s,
						      KGATE_CMD_SERVICE_ADD,
						      &svc, &bad, 1, &e), e);
			continue;
		}
		r = kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0,
			       &e);
		/* kgate never saw the refused one: the others are staged. */
		ASSERT_EQ(0, r) TH_LOG("staging %d: %s", i, e.msg);
	}
	EXPECT_EQ(NB, (int)self->s.batch_sent);
	KT_REFUSED(ECANCELED, kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	EXPECT_TRUE(counts_in(e.msg, NB, NB - 1))
		TH_LOG("extack \"%s\" does not say %d sent, %d reached kgate",
		       e.msg, NB, NB - 1);
	/* No message of the batch is to blame: no cookie. */
	EXPECT_EQ(0u, e.cookie_len);
	UNCHANGED(&self->s);
	/* The failed COMMIT ended the batch. */
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(0u, st.batches_open);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_ABORT, &e), e);
}

/*
 * A message kgate refuses itself (a service name with a space, which the
 * policy lets through) reached it: it counts, and the COMMIT reports it as before, by seq, and in the
 * cookie by seq and position.  A later refusal does not replace it.
 */
TEST_F(pos, kgate_refusal_poisons)
{
	struct kt_svc later;
	struct kt_stats st;
	struct kt_err e;
	uint32_t bad_seq = 0;

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	for (int i = 1; i <= NB; i++) {
		struct kt_svc svc;
		struct kt_fe fe;
		char fa[32], name[32];

		pos_svc(&svc, &fe, fa, name, i);
		if (i == variant->bad) {
			sprintf(name, "b/pos %d:80", i);
			bad_seq = self->s.seq + 1;
			KT_REFUSED(EINVAL, kt_svc_cmd(&self->s,
						      KGATE_CMD_SERVICE_ADD,
						      &svc, NULL, 0, &e), e);
			continue;
		}
		KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0,
				 &e), e);
	}
	kt_svc_init(&later, "b/later :80");
	KT_REFUSED(EINVAL, kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &later,
				      NULL, 0, &e), e);
	KT_REFUSED(ECANCELED, kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	EXPECT_TRUE(strstr(e.msg, "was refused") &&
		    kt_msg_has_number(e.msg, bad_seq))
		TH_LOG("extack \"%s\" does not name seq %u", e.msg, bad_seq);
	EXPECT_TRUE(blames(&e, variant->bad, bad_seq))
		TH_LOG("%s, not {pos %d, seq %u}", ref_str(&e), variant->bad,
		       bad_seq);
	UNCHANGED(&self->s);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(0u, st.batches_open);
}

/* A command that fails when applied fails the COMMIT with its errno and
 * names its position and sequence number; nothing is applied.
 */
TEST_F(pos, semantic_error_fails_commit)
{
	struct kt_stats st;
	struct kt_err e;
	uint32_t bad_seq = 0;

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	for (int i = 1; i <= NB; i++) {
		struct kt_svc svc;
		struct kt_fe fe;
		char fa[32], name[32];

		pos_svc(&svc, &fe, fa, name, i);
		if (i == variant->bad) {
			svc.name = PRE;		/* exists: EEXIST */
			bad_seq = self->s.seq + 1;
		}
		KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0,
				 &e), e);
	}
	KT_REFUSED(EEXIST, kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	EXPECT_TRUE(names_command(e.msg, variant->bad, bad_seq))
		TH_LOG("extack \"%s\" is not \"cmd %d seq %u: REASON\"", e.msg,
		       variant->bad, bad_seq);
	EXPECT_TRUE(blames(&e, variant->bad, bad_seq))
		TH_LOG("%s, not {pos %d, seq %u}", ref_str(&e), variant->bad,
		       bad_seq);
	UNCHANGED(&self->s);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(0u, st.batches_open);
}

/* The same, with a conflict inside the batch (second ADD of a name). */
TEST_F(pos, duplicate_within_batch)
{
	struct kt_err e;
	uint32_t bad_seq = 0;
	int bad = variant->bad < 2 ? 2 : variant->bad;

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	for (int i = 1; i <= NB; i++) {
		struct kt_svc svc;
		struct kt_fe fe;
		char fa[32], name[32];

		pos_svc(&svc, &fe, fa, name, i);
		if (i == bad) {
			pos_svc(&svc, &fe, fa, name, 1);
			sprintf(fa, "192.0.2.%d", 100 + i);
			bad_seq = self->s.seq + 1;
		}
		KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0,
				 &e), e);
	}
	KT_REFUSED(EEXIST, kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	EXPECT_TRUE(names_command(e.msg, bad, bad_seq))
		TH_LOG("extack \"%s\" is not \"cmd %d seq %u: REASON\"", e.msg,
		       bad, bad_seq);
	EXPECT_TRUE(blames(&e, bad, bad_seq))
		TH_LOG("%s, not {pos %d, seq %u}", ref_str(&e), bad, bad_seq);
	UNCHANGED(&self->s);
}

/* BACKEND_ADD to a service that does not exist fails the COMMIT: ENOENT. */
TEST_F(pos, unknown_service_fails_commit)
{
	struct kt_err e;
	const struct kt_be be[] = { KT_BE("198.51.100.7", 8080) };
	uint32_t bad_seq = 0;

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	for (int i = 1; i <= NB; i++) {
		struct kt_svc svc;
		struct kt_fe fe;
		char fa[32], name[32];
		uint8_t cmd = KGATE_CMD_SERVICE_ADD;

		pos_svc(&svc, &fe, fa, name, i);
		if (i == variant->bad) {
			kt_svc_init(&svc, "b/nope:80");
			svc.be = be;
			svc.n_be = 1;
			cmd = KGATE_CMD_BACKEND_ADD;
			bad_seq = self->s.seq + 1;
		}
		KT_OK(kt_svc_cmd(&self->s, cmd, &svc, NULL, 0, &e), e);
	}
	KT_REFUSED(ENOENT, kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	EXPECT_TRUE(names_command(e.msg, variant->bad, bad_seq))
		TH_LOG("extack \"%s\" is not \"cmd %d seq %u: REASON\"", e.msg,
		       variant->bad, bad_seq);
	EXPECT_TRUE(blames(&e, variant->bad, bad_seq))
		TH_LOG("%s, not {pos %d, seq %u}", ref_str(&e), variant->bad,
		       bad_seq);
	UNCHANGED(&self->s);
}

/*
 * A COMMIT whose count is not the number of commands that reached kgate
 * (one more, one less) applies nothing and ends the batch; the extack
 * gives both counts and points at the attribute.
 */
TEST_F(batch, commit_count_differs)
{
	const int delta[] = { 1, -1 };
	struct kt_stats st;
	struct kt_svc svc;
	struct kt_err e;
	char name[32];

	for (int d = 0; d < 2; d++) {
		KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
		for (int i = 0; i < NB; i++) {
			mksvc(self, &svc, i, name, sizeof(name));
			KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc,
					 NULL, 0, &e), e);
		}
		KT_OK(kt_del(&self->s, PRE, &e), e);
		ASSERT_EQ(NB + 1, (int)self->s.batch_sent);
		KT_REFUSED(ECANCELED, commit_count(&self->s, NB + 1 + delta[d],
						   &e), e);
		EXPECT_TRUE(counts_in(e.msg, NB + 1 + delta[d], NB + 1))
			TH_LOG("extack \"%s\" does not say %d sent, %d reached",
			       e.msg, NB + 1 + delta[d], NB + 1);
		EXPECT_EQ(0u, e.cookie_len);
		/* The attribute follows the headers: offset 20. */
		EXPECT_TRUE(e.has_offs);
		EXPECT_EQ((uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN), e.offs);
		UNCHANGED(&self->s);
		KT_OK(kt_stats(&self->s, &st, &e), e);
		EXPECT_EQ(0u, st.batches_open);
		KT_REFUSED(ENOENT, kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e),
			   e);
	}
}

/*
 * COMMIT without KGATE_A_BATCH_COUNT: EINVAL naming the missing attribute,
 * nothing applied, the batch dropped as by any failed COMMIT.  Without a
 * batch open too: the request is malformed whatever the state.
 */
TEST_F(batch, commit_without_count)
{
	struct kt_stats st;
	struct kt_svc svc;
	struct kt_err e;
	char name[32];

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	mksvc(self, &svc, 0, name, sizeof(name));
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_REFUSED(EINVAL, commit_count(&self->s, -1, &e), e);
	EXPECT_TRUE(e.has_miss_type);
	EXPECT_EQ(KGATE_A_BATCH_COUNT, (int)e.miss_type);
	EXPECT_EQ(0u, e.cookie_len);
	EXPECT_FALSE(e.has_miss_nest);
	UNCHANGED(&self->s);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(0u, st.batches_open);
	KT_REFUSED(ENOENT, kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);

	KT_REFUSED(EINVAL, commit_count(&self->s, -1, &e), e);
	EXPECT_TRUE(e.has_miss_type);
	EXPECT_EQ(KGATE_A_BATCH_COUNT, (int)e.miss_type);
	EXPECT_EQ(0u, e.cookie_len);
	UNCHANGED(&self->s);
}

/*
 * A count that is not a u32 is refused by the policy, before kgate sees
 * the COMMIT: the batch stays open and untouched, and a well-formed
 * COMMIT then applies it.
 */
TEST_F(batch, commit_count_malformed)
{
	struct kt_stats st;
	struct kt_svc svc;
	struct kt_msg m;
	struct kt_err e;
	char name[32];
	int r;

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	mksvc(self, &svc, 0, name, sizeof(name));
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	ASSERT_EQ(0, kt_msg_init(&m, &self->s, KGATE_CMD_BATCH_COMMIT, 0));
	mnl_attr_put_u16(m.nlh, KGATE_A_BATCH_COUNT, 1);
	r = kt_send(&self->s, &m, &e, NULL, NULL);
	kt_msg_free(&m);
	ASSERT_NE(0, r) TH_LOG("a 2-byte count was taken");
	UNCHANGED(&self->s);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(1u, st.batches_open);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	EXPECT_EQ(0, kt_dump_equals(&self->s, self->canon, self->canon_len))
		TH_LOG("the batch was not applied");
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(0u, st.batches_open);
}

/*
 * The count is the socket's since its BEGIN: what a pipeline sent without
 * waiting for answers counts too, a refused message included, and the
 * commands sent before the BEGIN do not.
 */
TEST_F(batch, pipelined_count)
{
	const struct kt_ovr bad = {
		.where = KT_W_SVC, .type = KGATE_SVC_A_AFFINITY_TIMEOUT,
		.how = KT_INT, .len = 4, .val = 0,
	};
	struct kt_pipe p;
	struct kt_msg m;
	struct kt_svc svc;
	struct kt_err e;
	char name[32];

	mksvc(self, &svc, 9, name, sizeof(name));
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_OK(kt_del(&self->s, name, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	ASSERT_EQ(0u, self->s.batch_sent);
	ASSERT_EQ(0, kt_pipe_init(&p, &self->s));
	ASSERT_EQ(0, kt_msg_init(&m, &self->s, 0, 0));
	p.no_ack = true;
	for (int i = 0; i < NB; i++) {
		mksvc(self, &svc, i, name, sizeof(name));
		kt_msg_reset(&m, &self->s, KGATE_CMD_SERVICE_ADD, 0);
		kt_msg_put_svc(&m, &svc, NULL, 0);
		ASSERT_EQ(0, kt_pipe_add(&p, &m));
	}
	ASSERT_EQ(0, kt_pipe_flush(&p));
	EXPECT_EQ(NB, (int)self->s.batch_sent);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_EXPECT_COUNT(&self->s, NB + 1);

	/* The same with one the policy refuses in the middle. */
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	for (int i = 0; i < NB; i++) {
		mksvc(self, &svc, i, name, sizeof(name));
		kt_msg_reset(&m, &self->s, KGATE_CMD_SERVICE_ADD, 0);
		kt_msg_put_svc(&m, &svc, i == NB / 2 ? &bad : NULL,
			       i == NB / 2);
		ASSERT_EQ(0, kt_pipe_add(&p, &m));
	}
	ASSERT_EQ(0, kt_pipe_flush(&p));
	kt_msg_free(&m);
	kt_pipe_free(&p);
	KT_REFUSED(ECANCELED, kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	EXPECT_TRUE(counts_in(e.msg, NB, NB - 1)) TH_LOG("extack \"%s\"", e.msg);
	EXPECT_EQ(0u, e.cookie_len);
	KT_EXPECT_COUNT(&self->s, 0);
}

TEST_F(batch, begin_twice_is_ebusy)
{
	struct kt_svc svc;
	struct kt_err e;
	char name[32];

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_REFUSED(EBUSY, kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	/* The open batch is intact and still works. */
	mksvc(self, &svc, 0, name, sizeof(name));
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_EXPECT_SVC(&self->s, &svc);
}

TEST_F(batch, commit_or_abort_without_begin)
{
	struct kt_err e;

	KT_REFUSED(ENOENT, kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	EXPECT_EQ(0u, e.cookie_len) TH_LOG("no batch, no message to blame");
	KT_REFUSED(ENOENT, kt_cmd(&self->s, KGATE_CMD_BATCH_ABORT, &e), e);
	/* And after a finished batch. */
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_REFUSED(ENOENT, kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_ABORT, &e), e);
	KT_REFUSED(ENOENT, kt_cmd(&self->s, KGATE_CMD_BATCH_ABORT, &e), e);
	UNCHANGED(&self->s);
}

TEST_F(batch, abort_drops)
{
	struct kt_svc svc;
	struct kt_stats st;
	struct kt_err e;
	char name[32];

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	for (int i = 0; i < NB; i++) {
		mksvc(self, &svc, i, name, sizeof(name));
		KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0,
				 &e), e);
	}
	KT_OK(kt_del(&self->s, PRE, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_ABORT, &e), e);
	UNCHANGED(&self->s);
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(0u, st.batches_open);
	/* Commands now apply at once again. */
	mksvc(self, &svc, 0, name, sizeof(name));
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_EXPECT_SVC(&self->s, &svc);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST_F(batch, close_mid_batch_aborts)
{
	struct kt_sock s2;
	struct kt_svc svc;
	struct kt_stats st;
	struct kt_err e;
	char name[32];
	double t0;

	ASSERT_EQ(0, kt_open(&s2));
	KT_OK(kt_cmd(&s2, KGATE_CMD_BATCH_BEGIN, &e), e);
	for (int i = 0; i < NB; i++) {
		mksvc(self, &svc, i, name, sizeof(name));
		KT_OK(kt_svc_cmd(&s2, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e),
		      e);
	}
	KT_OK(kt_stats(&self->s, &st, &e), e);
	ASSERT_EQ(1u, st.batches_open);
	kt_close(&s2);

	/* The release may be deferred: poll until the batch is gone. */
	t0 = now_s();
	do {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		KT_OK(kt_stats(&self->s, &st, &e), e);
		if (!st.batches_open)
			break;
		nanosleep(&ts, NULL);	/* polling interval */
	} while (now_s() - t0 < 10);
	ASSERT_EQ(0u, st.batches_open) TH_LOG("batch still open 10 s after close");
	UNCHANGED(&self->s);

	/* A new socket can open a batch and commit it. */
	ASSERT_EQ(0, kt_open(&s2));
	KT_OK(kt_cmd(&s2, KGATE_CMD_BATCH_BEGIN, &e), e);
	mksvc(self, &svc, 0, name, sizeof(name));
	KT_OK(kt_svc_cmd(&s2, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	KT_OK(kt_cmd(&s2, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_EXPECT_SVC(&self->s, &svc);
	kt_close(&s2);
}

/* A process killed with a batch open: the kernel closes its socket. */
TEST_F(batch, killed_process_aborts)
{
	struct kt_stats st;
	struct kt_err e;
	int pipefd[2], status;
	pid_t pid;
	char c;
	double t0;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kt_sock s2;
		struct kt_svc svc;
		char name[32];

		if (kt_open(&s2) || kt_cmd(&s2, KGATE_CMD_BATCH_BEGIN, NULL))
			_exit(1);
		mksvc(self, &svc, 0, name, sizeof(name));
		if (kt_svc_cmd(&s2, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, NULL))
			_exit(1);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1)) TH_LOG("child failed to stage");
	KT_OK(kt_stats(&self->s, &st, &e), e);
	EXPECT_EQ(1u, st.batches_open);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	t0 = now_s();
	do {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		KT_OK(kt_stats(&self->s, &st, &e), e);
		if (!st.batches_open)
			break;
		nanosleep(&ts, NULL);	/* polling interval */
	} while (now_s() - t0 < 10);
	ASSERT_EQ(0u, st.batches_open);
	UNCHANGED(&self->s);
}

TEST_F(batch, sockets_do_not_mix)
{
	struct kt_sock s2, s3;
	struct kt_svc a, b, c;
	struct kt_svc_info info;
	struct kt_stats st;
	struct kt_err e;
	char na[32], nb[32], nc[32];

	ASSERT_EQ(0, kt_open(&s2));
	ASSERT_EQ(0, kt_open(&s3));
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_cmd(&s2, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_stats(&s3, &st, &e), e);
	EXPECT_EQ(2u, st.batches_open);

	mksvc(self, &a, 0, na, sizeof(na));
	mksvc(self, &b, 1, nb, sizeof(nb));
	mksvc(self, &c, 2, nc, sizeof(nc));
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &a, NULL, 0, &e), e);
	KT_OK(kt_svc_cmd(&s2, KGATE_CMD_SERVICE_ADD, &b, NULL, 0, &e), e);
	/* A socket without a batch applies at once, batches or not. */
	KT_OK(kt_svc_cmd(&s3, KGATE_CMD_SERVICE_ADD, &c, NULL, 0, &e), e);
	KT_EXPECT_SVC(&s3, &c);

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_EXPECT_SVC(&s3, &a);
	KT_REFUSED(ENOENT, kt_get(&s3, nb, &info, &e), e);
	/* s2's batch is still open and only has b. */
	KT_OK(kt_stats(&s3, &st, &e), e);
	EXPECT_EQ(1u, st.batches_open);
	KT_OK(kt_cmd(&s2, KGATE_CMD_BATCH_ABORT, &e), e);
	KT_REFUSED(ENOENT, kt_get(&s3, nb, &info, &e), e);
	KT_EXPECT_COUNT(&s3, 3);
	kt_close(&s2);
	kt_close(&s3);
}

TEST_F(batch, sequences_within_a_batch)
{
	struct kt_svc svc, cmd, rep, y;
	struct kt_be be1[] = { KT_BE("198.51.100.1", 8080),
			       KT_BE("198.51.100.2", 8080) };
	struct kt_be be_set[] = { KT_BE_FULL("198.51.100.2", 8080, 9,
					     KT_UNSET, KT_UNSET) };
	struct kt_be be_all[] = { KT_BE("198.51.100.1", 8080),
				  KT_BE_FULL("198.51.100.2", 8080, 9,
					     KGATE_BE_READY, 0) };
	struct kt_svc_info info;
	struct kt_err e;
	char name[32], ny[32];

	/* ADD, then BACKEND_ADD and BACKEND_SET on the staged service. */
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	mksvc(self, &svc, 0, name, sizeof(name));
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &svc, NULL, 0, &e), e);
	kt_svc_init(&cmd, name);
	cmd.be = be1;
	cmd.n_be = 2;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_BACKEND_ADD, &cmd, NULL, 0, &e), e);
	cmd.be = be_set;
	cmd.n_be = 1;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_BACKEND_SET, &cmd, NULL, 0, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	svc.be = be_all;
	svc.n_be = 2;
	KT_EXPECT_SVC(&self->s, &svc);

	/* DEL then ADD of the same name: the new one. */
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_del(&self->s, name, &e), e);
	mksvc(self, &rep, 0, name, sizeof(name));
	rep.timeout = 33;
	rep.sched = KGATE_SCHED_RR;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &rep, NULL, 0, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_EXPECT_SVC(&self->s, &rep);

	/* REPLACE, and an ADD + DEL that cancel out. */
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	svc.be = be1;
	svc.n_be = 1;
	svc.affinity = KGATE_AFFINITY_CLIENTIP;
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_REPLACE, &svc, NULL, 0,
			 &e), e);
	mksvc(self, &y, 1, ny, sizeof(ny));
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &y, NULL, 0, &e), e);
	KT_OK(kt_del(&self->s, ny, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_EXPECT_SVC(&self->s, &svc);
	KT_REFUSED(ENOENT, kt_get(&self->s, ny, &info, &e), e);
	KT_EXPECT_COUNT(&self->s, 2);

	/* FLUSH then ADD: only the new one is left. */
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_FLUSH, &e), e);
	KT_OK(kt_svc_cmd(&self->s, KGATE_CMD_SERVICE_ADD, &y, NULL, 0, &e), e);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	KT_EXPECT_COUNT(&self->s, 1);
	KT_EXPECT_SVC(&self->s, &y);
}

/*
 * Readers see the configuration before or after a commit, never a mix: a
 * child dumps in a loop while a batch of 300 services is committed; every
 * dump not flagged NLM_F_DUMP_INTR must show 0 or 300 of them.
 */
TEST_F_TIMEOUT(batch, readers_see_all_or_nothing, 300)
{
	const int n = 300;
	struct kt_pipe p;
	struct kt_msg m;
	struct kt_err e;
	int status, pfd[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kt_sock r;
		int bad = 0, dumps = 0, seen_all = 0;

		if (kt_open(&r))
			_exit(2);
		if (write(pfd[1], "r", 1) != 1)
			_exit(2);
		while (!seen_all && dumps < 100000) {
			char *canon;
			size_t len;
			int cnt;
			struct kt_err de;

			if (kt_dump(&r, &canon, &len, &cnt, &de))
				_exit(2);
			free(canon);
			dumps++;
			if (de.dump_intr)
				continue;
			if (cnt == n + 1)
				seen_all = 1;
			else if (cnt != 1)
				bad++;
		}
		fprintf(stderr, "# reader: %d dumps, %d mixed\n", dumps, bad);
		_exit(bad ? 1 : 0);
	}
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &c, 1));

	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_BEGIN, &e), e);
	ASSERT_EQ(0, kt_pipe_init(&p, &self->s));
	ASSERT_EQ(0, kt_msg_init(&m, &self->s, 0, 0));
	for (int i = 0; i < n; i++) {
		struct kt_svc svc;
		struct kt_fe fe;
		char name[32], fa[32];

		snprintf(name, sizeof(name), "b/many-%d:80", i);
		snprintf(fa, sizeof(fa), "198.18.%d.%d", i >> 8, i & 255);
		fe = (struct kt_fe)KT_FE(fa, 80);
		kt_svc_init(&svc, name);
		svc.fe = &fe;
		svc.n_fe = 1;
		kt_msg_reset(&m, &self->s, KGATE_CMD_SERVICE_ADD, 0);
		kt_msg_put_svc(&m, &svc, NULL, 0);
		ASSERT_EQ(0, kt_pipe_add(&p, &m));
	}
	ASSERT_EQ(0, kt_pipe_flush(&p));
	ASSERT_EQ(0, p.refused) TH_LOG("staging refused: %s", p.first.msg);
	kt_pipe_free(&p);
	kt_msg_free(&m);
	KT_OK(kt_cmd(&self->s, KGATE_CMD_BATCH_COMMIT, &e), e);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status))
		TH_LOG("a reader saw a partly applied batch (or failed)");
	KT_EXPECT_COUNT(&self->s, n + 1);
}

TEST_HARNESS_MAIN
