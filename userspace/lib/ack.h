/* SPDX-License-Identifier: GPL-2.0 */
/* Reading NLMSG_ERROR / NLMSG_DONE answers, with extended ACK. */
#ifndef KGATE_ACK_H
#define KGATE_ACK_H

#include <linux/netlink.h>

#include "kgate_err.h"

/*
 * @nlh is an NLMSG_ERROR or NLMSG_DONE message answering @req (the request
 * as sent, for naming the attribute; may be NULL).  Returns the status it
 * carries: 0, or a negative errno, in which case @e holds the kernel's
 * message, the attribute path, the sequence number and, from the cookie
 * of a failed BATCH_COMMIT, the message of the batch it blames.  A success
 * that carries a message (a kernel warning) leaves it in @e->msg, @e->err 0.
 */
int kgate_parse_ack(const struct nlmsghdr *nlh, const struct nlmsghdr *req,
		    struct kgate_err *e);

#endif
