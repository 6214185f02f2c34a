/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kgate netlink socket: open, resolve the family, send requests and
 * collect the replies up to the acknowledgement.
 */
#ifndef KGATE_NL_H
#define KGATE_NL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/netlink.h>

#include "kgate_err.h"

struct kgate_sock;

/* Largest kgate request: headers plus one attribute of at most 64 KiB. */
#define KGATE_REQ_MAX	(64 * 1024 + 64)

/*
 * Open a generic netlink socket with extended and capped ACKs, and look up
 * @family and its multicast @group (may be NULL).  ENOENT when the family
 * is not registered.
 */
int kgate_sock_open(struct kgate_sock **out, const char *family,
		    const char *group, struct kgate_err *e);
/* kgate_sock_open() for family "kgate", group "events". */
int kgate_open(struct kgate_sock **out, struct kgate_err *e);
void kgate_close(struct kgate_sock *s);

uint16_t kgate_sock_family(const struct kgate_sock *s);
/* Multicast group id, 0 when the family has no such group. */
uint32_t kgate_sock_group(const struct kgate_sock *s);
int kgate_sock_fd(const struct kgate_sock *s);
uint32_t kgate_sock_next_seq(struct kgate_sock *s);
/* The first of @n consecutive sequence numbers, none of them used again. */
uint32_t kgate_sock_take_seqs(struct kgate_sock *s, uint32_t n);
/* Largest send that the socket's send buffer takes at once. */
size_t kgate_sock_max_send(const struct kgate_sock *s);
/* How many acknowledgements fit in the receive buffer without loss. */
size_t kgate_sock_max_acks(const struct kgate_sock *s);

/*
 * Send @len bytes of requests.  The mutating kgate commands among them
 * are counted (a BATCH_BEGIN among them restarts the count), sent being
 * what counts, whatever the answers: see kgate_sock_batch_count().
 */
int kgate_send(struct kgate_sock *s, const void *buf, size_t len,
	       struct kgate_err *e);
/*
 * The mutating commands sent on @s since its last BATCH_BEGIN: what
 * BATCH_COMMIT tells the kernel (KGATE_A_BATCH_COUNT), which compares it
 * with those that reached kgate.  A BATCH_BEGIN refused with EBUSY
 * restarts it all the same: the batch already open then commits only if
 * nothing was staged in it before.
 */
uint32_t kgate_sock_batch_count(const struct kgate_sock *s);
/*
 * Receive one datagram into the socket's buffer; *@data points to it.
 * Returns its length or a negative errno (ENOBUFS: messages were lost).
 */
ssize_t kgate_recv(struct kgate_sock *s, const void **data,
		   struct kgate_err *e);
/* The same with recvmsg() @flags, e.g. MSG_DONTWAIT (EAGAIN: nothing). */
ssize_t kgate_recv_flags(struct kgate_sock *s, const void **data, int flags,
			 struct kgate_err *e);

/* Called for each reply message; a negative return is kept as the result. */
typedef int (*kgate_msg_cb)(const struct nlmsghdr *nlh, void *data,
			    struct kgate_err *e);

/*
 * Send @req (seq and portid filled in, NLM_F_ACK added) and read the replies
 * until its acknowledgement or NLMSG_DONE.  Returns 0, the kernel's error
 * (with @e filled in), or the first error of @cb.
 */
int kgate_transact(struct kgate_sock *s, struct nlmsghdr *req,
		   kgate_msg_cb cb, void *data, struct kgate_err *e);

#endif
