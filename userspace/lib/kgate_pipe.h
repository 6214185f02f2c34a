/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pipelined sending of many mutating commands, for batches: messages are
 * packed into large sends (libmnl batches) and their acknowledgements read
 * after each send, without a round trip per command.  Chunks are sized so
 * that every acknowledgement fits in the socket's receive buffer.
 */
#ifndef KGATE_PIPE_H
#define KGATE_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "kgate_err.h"
#include "kgate_model.h"
#include "kgate_nl.h"
#include "kgate_obj.h"

struct kgate_pipe;

/* A command was refused; @e->seq is its sequence number. */
typedef void (*kgate_refusal_cb)(const struct kgate_err *e, void *data);

int kgate_pipe_new(struct kgate_sock *s, kgate_refusal_cb cb, void *data,
		   struct kgate_pipe **out, struct kgate_err *e);
void kgate_pipe_free(struct kgate_pipe *p);
/*
 * Queue @cmd with @svc (may be NULL) under sequence number @seq; may send
 * queued messages and read their acknowledgements.  Refusals go to the
 * callback; the return value is for local and transport failures only.
 */
int kgate_pipe_add(struct kgate_pipe *p, uint8_t cmd,
		   const struct kgate_service *svc, uint32_t seq,
		   struct kgate_err *e);
/* The same for any object (obj.h). */
int kgate_pipe_add_obj(struct kgate_pipe *p, uint8_t cmd,
		       const struct kgate_obj *o, uint32_t seq,
		       struct kgate_err *e);
/* Send what is queued and read every outstanding acknowledgement. */
int kgate_pipe_flush(struct kgate_pipe *p, struct kgate_err *e);
size_t kgate_pipe_refused(const struct kgate_pipe *p);

#endif
