// SPDX-License-Identifier: GPL-2.0
/*
 * libkgate nl.c / genl.c against the host kernel's own generic netlink
 * controller (the kgate family itself lives in the VM tests): family and
 * group lookup, a dump, and a refusal with extended ACK.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "genl.h"
#include "kgate_nl.h"
#include "kgate_pipe.h"
#include "tap.h"

static bool netlink_usable(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

TEST(test_resolve_nlctrl)
{
	struct kgate_sock *s;
	struct kgate_err e;

	if (!netlink_usable())
		SKIP("no generic netlink socket here");
	CHECK_INT(kgate_sock_open(&s, "nlctrl", "notify", &e), 0);
	if (!s)
		return;
	CHECK_INT(kgate_sock_family(s), GENL_ID_CTRL);
	CHECK(kgate_sock_group(s) != 0);
	CHECK(kgate_sock_max_send(s) >= KGATE_REQ_MAX);
	CHECK(kgate_sock_max_acks(s) >= 1);
	kgate_close(s);
}

TEST(test_unknown_family)
{
	struct kgate_sock *s = (struct kgate_sock *)1;
	struct kgate_err e;
	char line[300];

	if (!netlink_usable())
		SKIP("no generic netlink socket here");
	CHECK_INT(kgate_sock_open(&s, "kgate-no-such", "events", &e), -ENOENT);
	CHECK(s == NULL);
	CHECK_STR(kgate_err_str(&e, line, sizeof(line)),
		  "generic netlink family \"kgate-no-such\" not found; is the "
		  "module loaded? (ENOENT)");
}

static int count_cb(const struct nlmsghdr *nlh, void *data,
		    struct kgate_err *e)
{
	int *n = data;
	uint16_t id;
	uint32_t grp;

	(void)e;
	if (!kgate_genl_parse_family(nlh, NULL, &id, &grp))
		(*n)++;
	return 0;
}

TEST(test_dump_families)
{
	struct kgate_sock *s;
	struct kgate_err e;
	uint32_t buf[64];
	struct nlmsghdr *nlh;
	int n = 0;

	if (!netlink_usable())
		SKIP("no generic netlink socket here");
	if (kgate_sock_open(&s, "nlctrl", NULL, &e)) {
		CHECK(!"open");
		return;
	}
	nlh = kgate_genl_getfamily(buf, "x");
	/* a dump of every family: drop the name attribute */
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN +
			 MNL_ALIGN(sizeof(struct genlmsghdr));
	nlh->nlmsg_flags |= NLM_F_DUMP;
	CHECK_INT(kgate_transact(s, nlh, count_cb, &n, &e), 0);
	CHECK(n >= 1);
	/* the socket is still in step: a plain request works after it */
	nlh = kgate_genl_getfamily(buf, "nlctrl");
	n = 0;
	CHECK_INT(kgate_transact(s, nlh, count_cb, &n, &e), 0);
	CHECK_INT(n, 1);
	kgate_close(s);
}

TEST(test_kernel_refusal)
{
	struct kgate_sock *s;
	struct kgate_err e;
	uint32_t buf[64];
	struct nlmsghdr *nlh;

	if (!netlink_usable())
		SKIP("no generic netlink socket here");
	if (kgate_sock_open(&s, "nlctrl", NULL, &e)) {
		CHECK(!"open");
		return;
	}
	/* a family name longer than the controller's policy allows */
	nlh = kgate_genl_getfamily(buf, "a-family-name-much-too-long");
	CHECK(kgate_transact(s, nlh, NULL, NULL, &e) < 0);
	CHECK(e.kernel);
	CHECK(e.err == EINVAL || e.err == ERANGE);
	CHECK(e.msg[0] != '\0');
	/*
	 * The offset names the attribute; it is named with kgate's table,
	 * where type 2 (CTRL_ATTR_FAMILY_NAME here) is "stats".
	 */
	CHECK_STR(e.path, "stats");
	kgate_close(s);
}

struct refusals {
	uint32_t n, next_seq;
	bool in_order;
	int err;
};

static void on_refusal(const struct kgate_err *e, void *data)
{
	struct refusals *r = data;

	if (e->seq != r->next_seq)
		r->in_order = false;
	r->next_seq = e->seq + 1;
	r->err = e->err;
	r->n++;
}

/*
 * The pipelined sender against nlctrl: every message is a command the
 * controller has no handler for, so each one comes back refused.  All of
 * them must be answered, in order, without overrunning the receive buffer.
 */
TEST(test_pipe_many)
{
	struct refusals r = { .next_seq = 1, .in_order = true };
	struct kgate_pipe *p;
	struct kgate_sock *s;
	struct kgate_err e;
	uint32_t i, n = 30000;

	if (!netlink_usable())
		SKIP("no generic netlink socket here");
	if (kgate_sock_open(&s, "nlctrl", NULL, &e)) {
		CHECK(!"open");
		return;
	}
	CHECK_INT(kgate_pipe_new(s, on_refusal, &r, &p, &e), 0);
	for (i = 1; i <= n && p; i++)
		if (kgate_pipe_add(p, CTRL_CMD_NEWFAMILY, NULL, i, &e))
			break;
	CHECK_INT(i, n + 1);
	if (p)
		CHECK_INT(kgate_pipe_flush(p, &e), 0);
	CHECK_INT(r.n, n);
	CHECK(r.in_order);
	CHECK_INT(r.err, EOPNOTSUPP);
	CHECK_INT(p ? kgate_pipe_refused(p) : 0, n);
	kgate_pipe_free(p);
	kgate_close(s);
}

int main(void)
{
	RUN(test_resolve_nlctrl);
	RUN(test_unknown_family);
	RUN(test_dump_families);
	RUN(test_kernel_refusal);
	RUN(test_pipe_many);
	return tap_done();
}
