// SPDX-License-Identifier: GPL-2.0
/*
 * kgate_apply(): stage a list of operations in one batch and commit it.
 * The operations are sent with consecutive sequence numbers, so that a
 * refusal's sequence number is its operation's index plus the first one.
 */
#include <errno.h>
#include <stdbool.h>

#include <linux/kgate.h>

#include "kgate_pipe.h"
#include "kgate_service.h"
#include "kgate_txn.h"

struct txn {
	uint32_t first_seq;
	size_t n;
	kgate_op_refused_cb cb;
	void *data;
};

enum kgate_op_effect kgate_op_effect(uint8_t cmd)
{
	switch (cmd) {
	case KGATE_CMD_SERVICE_ADD:
	case KGATE_CMD_LISTENER_ADD:
	case KGATE_CMD_ROUTE_ADD:
		return KGATE_OP_ADDS;
	case KGATE_CMD_SERVICE_DEL:
	case KGATE_CMD_LISTENER_DEL:
	case KGATE_CMD_ROUTE_DEL:
		return KGATE_OP_DELETES;
	default:
		return KGATE_OP_REPLACES;
	}
}

/* The operation that sequence number @seq went with, or @t->n. */
static size_t op_of_seq(const struct txn *t, uint32_t seq)
{
	uint32_t k = seq - t->first_seq;	/* wraps like the numbers */

	return k < t->n ? k : t->n;
}

static void on_staging_refusal(const struct kgate_err *e, void *data)
{
	struct txn *t = data;
	size_t k = op_of_seq(t, e->seq);

	if (t->cb && k < t->n)
		t->cb(k, e, t->data);
}

size_t kgate_op_blamed(uint32_t first_seq, size_t n,
		       const struct kgate_err *e)
{
	struct txn t = { .first_seq = first_seq, .n = n };
	size_t k;

	if (!e->has_ref)
		return n;
	k = op_of_seq(&t, e->ref_seq);
	if (k < n)
		return k;
	if (e->ref_pos >= 1 && e->ref_pos <= n)
		return e->ref_pos - 1;
	return n;
}

static int stage(struct kgate_sock *s, const struct kgate_op *ops,
		 struct txn *t, size_t *refused, struct kgate_err *e)
{
	struct kgate_pipe *p;
	size_t i;
	int err;

	err = kgate_pipe_new(s, on_staging_refusal, t, &p, e);
	if (err)
		return err;
	for (i = 0; !err && i < t->n; i++)
		err = kgate_pipe_add_obj(p, ops[i].cmd, &ops[i].obj,
					 t->first_seq + (uint32_t)i, e);
	if (!err)
		err = kgate_pipe_flush(p, e);
	*refused = kgate_pipe_refused(p);
	kgate_pipe_free(p);
	return err;
}

int kgate_apply(struct kgate_sock *s, const struct kgate_op *ops, size_t n,
		kgate_op_refused_cb cb, void *data, struct kgate_err *e)
{
	struct txn t = { .n = n, .cb = cb, .data = data };
	struct kgate_err ae;
	size_t refused = 0, k;
	int err;

	kgate_err_clear(e);
	if (!n)
		return 0;
	if (n > UINT32_MAX / 2)
		return kgate_err_set(e, E2BIG, "%zu operations in one batch",
				     n);
	err = kgate_batch_begin(s, e);
	if (err)
		return err;
	t.first_seq = kgate_sock_take_seqs(s, (uint32_t)n);
	err = stage(s, ops, &t, &refused, e);
	if (err) {
		kgate_batch_abort(s, &ae);	/* a daemon keeps the socket */
		return err;
	}
	if (refused) {
		if (kgate_batch_abort(s, &ae))
			*e = ae;
		else
			kgate_err_set(e, ECANCELED, "%zu of %zu operations "
				      "refused, none applied", refused, n);
		return -ECANCELED;
	}
	err = kgate_batch_commit(s, e);
	if (err) {
		k = kgate_op_blamed(t.first_seq, n, e);
		if (k < n && cb)
			cb(k, e, data);
	}
	return err;
}
