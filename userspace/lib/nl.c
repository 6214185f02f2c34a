// SPDX-License-Identifier: GPL-2.0
/* The netlink socket: setup, family lookup, send, receive, transactions. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/kgate.h>

#include "ack.h"
#include "genl.h"
#include "kgate_msg.h"
#include "kgate_nl.h"

/* Wanted socket buffers; privileged callers get them, others the default. */
#define SNDBUF_WANT	(1 << 20)
#define RCVBUF_WANT	(4 << 20)
/* Receive buffer: larger than any kgate reply or event datagram. */
#define RECV_BUF_SIZE	(256 * 1024)
/* Kernel memory an acknowledgement may take in the receive queue. */
#define ACK_TRUESIZE	4096
/* Headroom the kernel keeps in the send buffer (netlink_sendmsg()). */
#define SNDBUF_SLACK	32

struct kgate_sock {
	struct mnl_socket *nl;	/* bound, so the port id is known */
	uint16_t family;
	uint32_t group;
	uint32_t portid;
	uint32_t seq;
	int sndbuf, rcvbuf;	/* as the kernel accounts them */
	char *buf;
	/* Mutating commands sent since the last BATCH_BEGIN. */
	uint32_t batch_sent;
};

static void set_buf(struct kgate_sock *s, int force, int plain, int want,
		    int *got)
{
	int fd = mnl_socket_get_fd(s->nl);
	socklen_t len = sizeof(*got);

	if (setsockopt(fd, SOL_SOCKET, force, &want, sizeof(want)))
		setsockopt(fd, SOL_SOCKET, plain, &want, sizeof(want));
	if (getsockopt(fd, SOL_SOCKET, plain, got, &len))
		*got = 0;
}

static int setup(struct kgate_sock *s, struct kgate_err *e)
{
	int one = 1;

	s->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!s->nl)
		return kgate_err_set(e, errno, "netlink socket: %s",
				     strerror(errno));
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return kgate_err_set(e, errno, "netlink bind: %s",
				     strerror(errno));
	s->portid = mnl_socket_get_portid(s->nl);
	/* Without these the kernel still works: older or stricter setups. */
	mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	set_buf(s, SO_SNDBUFFORCE, SO_SNDBUF, SNDBUF_WANT, &s->sndbuf);
	set_buf(s, SO_RCVBUFFORCE, SO_RCVBUF, RCVBUF_WANT, &s->rcvbuf);
	s->buf = malloc(RECV_BUF_SIZE);
	if (!s->buf)
		return kgate_err_set(e, ENOMEM, "out of memory");
	return 0;
}

struct family_query {
	struct kgate_sock *s;
	const char *group;
};

static int family_cb(const struct nlmsghdr *nlh, void *data,
		     struct kgate_err *e)
{
	struct family_query *q = data;

	if (kgate_genl_parse_family(nlh, q->group, &q->s->family,
				    &q->s->group))
		return kgate_err_set(e, EBADMSG, "malformed family reply");
	return 0;
}

static int resolve(struct kgate_sock *s, const char *family,
		   const char *group, struct kgate_err *e)
{
	struct family_query q = { s, group };
	uint32_t req[64];	/* aligned for struct nlmsghdr */
	int err;

	if (strlen(family) >= GENL_NAMSIZ)
		return kgate_err_set(e, EINVAL, "family name too long");
	s->family = 0;
	err = kgate_transact(s, kgate_genl_getfamily(req, family), family_cb,
			     &q, e);
	if (err == -ENOENT)
		return kgate_err_set(e, ENOENT,
				     "generic netlink family \"%s\" not found;"
				     " is the module loaded?", family);
	if (!err && !s->family)
		return kgate_err_set(e, EBADMSG, "no family id in reply");
	return err;
}

int kgate_sock_open(struct kgate_sock **out, const char *family,
		    const char *group, struct kgate_err *e)
{
	struct kgate_sock *s = calloc(1, sizeof(*s));
	int err;

	*out = NULL;
	if (!s)
		return kgate_err_set(e, ENOMEM, "out of memory");
	s->seq = (uint32_t)getpid() << 8;
	err = setup(s, e);
	if (!err)
		err = resolve(s, family, group, e);
	if (err) {
		kgate_close(s);
		return err;
	}
	*out = s;
	return 0;
}

int kgate_open(struct kgate_sock **out, struct kgate_err *e)
{
	return kgate_sock_open(out, KGATE_GENL_NAME, KGATE_MCGRP_EVENTS, e);
}

void kgate_close(struct kgate_sock *s)
{
	if (!s)
		return;
	if (s->nl)
		mnl_socket_close(s->nl);
	free(s->buf);
	free(s);
}

uint16_t kgate_sock_family(const struct kgate_sock *s)
{
	return s->family;
}

uint32_t kgate_sock_group(const struct kgate_sock *s)
{
	return s->group;
}

int kgate_sock_fd(const struct kgate_sock *s)
{
	return mnl_socket_get_fd(s->nl);
}

uint32_t kgate_sock_next_seq(struct kgate_sock *s)
{
	return ++s->seq;
}

uint32_t kgate_sock_take_seqs(struct kgate_sock *s, uint32_t n)
{
	uint32_t first;

	if (s->seq + n < s->seq)	/* never 0, the number of events */
		s->seq = 0;
	first = s->seq + 1;
	s->seq += n;
	return first;
}

size_t kgate_sock_max_send(const struct kgate_sock *s)
{
	if (s->sndbuf <= SNDBUF_SLACK)
		return KGATE_REQ_MAX;
	return (size_t)s->sndbuf - SNDBUF_SLACK;
}

size_t kgate_sock_max_acks(const struct kgate_sock *s)
{
	size_t n = (size_t)(s->rcvbuf > 0 ? s->rcvbuf : 0) / ACK_TRUESIZE;

	return n ? n : 1;
}

uint32_t kgate_sock_batch_count(const struct kgate_sock *s)
{
	return s->batch_sent;
}

/*
 * Every request leaves through kgate_send(), one or many to a datagram:
 * count the mutating ones here, whatever their answers will be.
 */
static void count_sent(struct kgate_sock *s, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		uint8_t cmd;

		if (nlh->nlmsg_type != s->family ||
		    nlh->nlmsg_len < KGATE_MSG_HDRLEN)
			continue;
		cmd = kgate_msg_cmd(nlh);
		if (cmd == KGATE_CMD_BATCH_BEGIN)
			s->batch_sent = 0;
		else if (kgate_cmd_mutates(cmd))
			s->batch_sent++;
	}
}

int kgate_send(struct kgate_sock *s, const void *buf, size_t len,
	       struct kgate_err *e)
{
	ssize_t n = mnl_socket_sendto(s->nl, buf, len);

	if (n < 0)
		return kgate_err_set(e, errno, "netlink send: %s",
				     strerror(errno));
	if ((size_t)n != len)
		return kgate_err_set(e, EIO, "netlink send: short write");
	count_sent(s, buf, len);
	return 0;
}

ssize_t kgate_recv(struct kgate_sock *s, const void **data,
		   struct kgate_err *e)
{
	return kgate_recv_flags(s, data, 0, e);
}

ssize_t kgate_recv_flags(struct kgate_sock *s, const void **data, int flags,
			 struct kgate_err *e)
{
	struct sockaddr_nl addr;
	struct iovec iov = { s->buf, RECV_BUF_SIZE };
	struct msghdr msg = {
		.msg_name = &addr, .msg_namelen = sizeof(addr),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;

	do {
		n = recvmsg(mnl_socket_get_fd(s->nl), &msg, flags);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN)
			return kgate_err_set(e, EAGAIN, "no message waiting");
		if (errno == ENOBUFS)
			return kgate_err_set(e, ENOBUFS,
					     "netlink receive buffer overrun,"
					     " messages lost");
		return kgate_err_set(e, errno, "netlink receive: %s",
				     strerror(errno));
	}
	if (msg.msg_flags & MSG_TRUNC)
		return kgate_err_set(e, EMSGSIZE, "netlink message too large");
	if (addr.nl_pid != 0)	/* only the kernel talks to us */
		n = 0;
	*data = s->buf;
	return n;
}

/* One datagram of replies to @req; 1 when the answer is complete. */
static int handle_replies(const void *buf, size_t len,
			  const struct nlmsghdr *req, kgate_msg_cb cb,
			  void *data, int *result, struct kgate_err *e)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;
	struct kgate_err cb_err;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		int err;

		if (nlh->nlmsg_seq != req->nlmsg_seq)
			continue;	/* stale answer to an older request */
		if (nlh->nlmsg_type == NLMSG_ERROR ||
		    nlh->nlmsg_type == NLMSG_DONE) {
			kgate_err_clear(&cb_err);
			err = kgate_parse_ack(nlh, req, &cb_err);
			if (!*result) {
				*result = err;
				*e = cb_err;
			}
			return 1;
		}
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE || *result)
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			*result = kgate_err_set(e, EAGAIN, "configuration "
						"changed during the dump, "
						"try again");
			continue;
		}
		kgate_err_clear(&cb_err);
		err = cb ? cb(nlh, data, &cb_err) : 0;
		if (err < 0) {
			*result = err;
			*e = cb_err;
		}
	}
	return 0;
}

int kgate_transact(struct kgate_sock *s, struct nlmsghdr *req,
		   kgate_msg_cb cb, void *data, struct kgate_err *e)
{
	int result = 0, done = 0, err;

	kgate_err_clear(e);
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = kgate_sock_next_seq(s);
	req->nlmsg_pid = s->portid;
	err = kgate_send(s, req, req->nlmsg_len, e);
	if (err)
		return err;
	while (!done) {
		const void *buf;
		ssize_t n = kgate_recv(s, &buf, e);

		if (n < 0)
			return (int)n;
		done = handle_replies(buf, (size_t)n, req, cb, data, &result,
				      e);
	}
	return result;
}
