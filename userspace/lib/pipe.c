// SPDX-License-Identifier: GPL-2.0
/*
 * Pipelined batch sending.  Staged commands go without NLM_F_ACK: the
 * kernel answers only the refused ones, and it does so before the send
 * returns, so after each chunk the answers waiting are all there is.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "ack.h"
#include "kgate_msg.h"
#include "kgate_obj.h"
#include "kgate_pipe.h"

/* Largest send; more does not go faster. */
#define CHUNK_MAX	(256 * 1024)

struct kgate_pipe {
	struct kgate_sock *s;
	kgate_refusal_cb cb;
	void *data;
	struct mnl_nlmsg_batch *batch;
	char *buf;
	size_t bufsize;
	size_t max_msgs;	/* per chunk, so that errors cannot overrun */
	size_t n;		/* messages in the chunk */
	uint32_t *offs;		/* offset of each of them in buf */
	size_t refused;
};

int kgate_pipe_new(struct kgate_sock *s, kgate_refusal_cb cb, void *data,
		   struct kgate_pipe **out, struct kgate_err *e)
{
	size_t limit = kgate_sock_max_send(s);
	struct kgate_pipe *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (limit > CHUNK_MAX)
		limit = CHUNK_MAX;
	if (limit < KGATE_REQ_MAX)
		limit = KGATE_REQ_MAX;	/* sends fail if the kernel says so */
	if (!p)
		return kgate_err_set(e, ENOMEM, "out of memory");
	p->s = s;
	p->cb = cb;
	p->data = data;
	p->bufsize = 2 * limit;		/* libmnl: buffer twice the limit */
	p->max_msgs = kgate_sock_max_acks(s);
	p->buf = malloc(p->bufsize);
	p->offs = calloc(p->max_msgs + 1, sizeof(*p->offs));
	if (p->buf && p->offs)
		p->batch = mnl_nlmsg_batch_start(p->buf, limit);
	if (!p->batch) {
		kgate_pipe_free(p);
		return kgate_err_set(e, ENOMEM, "out of memory");
	}
	*out = p;
	return 0;
}

void kgate_pipe_free(struct kgate_pipe *p)
{
	if (!p)
		return;
	if (p->batch)
		mnl_nlmsg_batch_stop(p->batch);
	free(p->buf);
	free(p->offs);
	free(p);
}

size_t kgate_pipe_refused(const struct kgate_pipe *p)
{
	return p->refused;
}

/*
 * Match the errors in one datagram to the chunk's messages; they come in
 * order, so *@k only moves forward.
 */
static void take_errors(struct kgate_pipe *p, const void *buf, size_t len,
			size_t *k)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct nlmsghdr *req = NULL;
		struct kgate_err re;

		if (nlh->nlmsg_type != NLMSG_ERROR)
			continue;
		for (; *k < p->n && !req; (*k)++) {
			req = (const struct nlmsghdr *)(p->buf + p->offs[*k]);
			if (req->nlmsg_seq != nlh->nlmsg_seq)
				req = NULL;
		}
		if (req && kgate_parse_ack(nlh, req, &re)) {
			p->refused++;
			if (p->cb)
				p->cb(&re, p->data);
		}
	}
}

/* Send the first @bytes of the buffer (p->n messages), read the errors. */
static int send_chunk(struct kgate_pipe *p, size_t bytes, struct kgate_err *e)
{
	size_t k = 0;
	int err;

	if (!p->n)
		return 0;
	err = kgate_send(p->s, p->buf, bytes, e);
	while (!err) {
		const void *data;
		ssize_t len = kgate_recv_flags(p->s, &data, MSG_DONTWAIT, e);

		if (len == -EAGAIN)
			break;		/* all answers read */
		if (len < 0)
			err = (int)len;
		else
			take_errors(p, data, (size_t)len, &k);
	}
	p->n = 0;
	return err;
}

int kgate_pipe_add(struct kgate_pipe *p, uint8_t cmd,
		   const struct kgate_service *svc, uint32_t seq,
		   struct kgate_err *e)
{
	struct kgate_obj o = { .kind = svc ? KGATE_OBJ_SERVICE : KGATE_OBJ_NONE,
			       .svc = svc };

	return kgate_pipe_add_obj(p, cmd, &o, seq, e);
}

int kgate_pipe_add_obj(struct kgate_pipe *p, uint8_t cmd,
		       const struct kgate_obj *o, uint32_t seq,
		       struct kgate_err *e)
{
	size_t used = mnl_nlmsg_batch_size(p->batch);
	struct nlmsghdr *nlh;
	int err;

	nlh = kgate_msg_start(mnl_nlmsg_batch_current(p->batch),
			      kgate_sock_family(p->s), cmd, 0, seq);
	err = kgate_put_op(nlh, p->bufsize - used, cmd, o);
	if (err)
		return kgate_put_failed(err, o, e);

	if (!mnl_nlmsg_batch_next(p->batch)) {
		/* Over the limit: send the others, this one goes first. */
		err = send_chunk(p, used, e);
		mnl_nlmsg_batch_reset(p->batch);
		if (err)
			return err;
		p->offs[0] = 0;
		p->n = 1;
	} else {
		p->offs[p->n++] = (uint32_t)used;
	}
	if (p->n >= p->max_msgs) {
		err = send_chunk(p, mnl_nlmsg_batch_size(p->batch), e);
		mnl_nlmsg_batch_reset(p->batch);
	}
	return err;
}

int kgate_pipe_flush(struct kgate_pipe *p, struct kgate_err *e)
{
	int err = send_chunk(p, mnl_nlmsg_batch_size(p->batch), e);

	mnl_nlmsg_batch_reset(p->batch);
	return err;
}
