/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transactions: a list of mutating operations applied in one kgate batch,
 * all or nothing.  Refusals are reported by the index of the operation,
 * taken from the acknowledgement's sequence number while staging and from
 * the extack cookie (struct kgate_commit_ref) at commit, never from the
 * kernel's words.
 */
#ifndef KGATE_TXN_H
#define KGATE_TXN_H

#include <stddef.h>
#include <stdint.h>

#include "kgate_err.h"
#include "kgate_nl.h"
#include "kgate_obj.h"

/* One mutating command: SERVICE_ADD ... ROUTE_DEL, or FLUSH. */
struct kgate_op {
	uint8_t cmd;
	struct kgate_obj obj;	/* KGATE_OBJ_NONE for FLUSH */
};

/* What an operation does to its object. */
enum kgate_op_effect {
	KGATE_OP_ADDS,
	KGATE_OP_REPLACES,	/* REPLACE, FLUSH and the backend commands */
	KGATE_OP_DELETES,
};

enum kgate_op_effect kgate_op_effect(uint8_t cmd);

/*
 * Operation @index of the list was refused, with the kernel's report in @e.
 * While staging, every refusal is reported; at commit, the one blamed.
 */
typedef void (*kgate_op_refused_cb)(size_t index, const struct kgate_err *e,
				    void *data);

/*
 * Apply @ops[0..@n) in one batch: BATCH_BEGIN, the operations pipelined,
 * BATCH_COMMIT.  Returns 0 when all of them took effect at once.
 * Otherwise nothing did, and the return is a negative errno: -ECANCELED
 * when operations were refused while staging (each one given to @cb, @e
 * says how many), the kernel's errno when the commit was refused (given
 * to @cb when it names an operation, else in @e), or a local or transport
 * failure in @e.  @n == 0 sends nothing.  @cb may be NULL.
 */
int kgate_apply(struct kgate_sock *s, const struct kgate_op *ops, size_t n,
		kgate_op_refused_cb cb, void *data, struct kgate_err *e);

/*
 * The index of the operation a refused commit blames, from @e's cookie:
 * by its sequence number (operations went with @first_seq, @first_seq +
 * 1, ...), else by its 1-based position in the batch; @n when it names
 * none of the @n operations.
 */
size_t kgate_op_blamed(uint32_t first_seq, size_t n,
		       const struct kgate_err *e);

#endif
