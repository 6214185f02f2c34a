/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels kgate supports (Debian's 6.1 and 6.12),
 * and nowhere else.
 */
#ifndef _KGATE_COMPAT_H
#define _KGATE_COMPAT_H

#include <linux/kernel.h>
#include <linux/netlink.h>
#include <linux/string.h>

#ifndef NL_SET_ERR_MSG_FMT
/*
 * 6.1's extack keeps only a pointer to a message (6.2 added a buffer).
 * Format into a small ring instead: the ACK that reads the message is
 * built as soon as the command returns, long before the ring wraps.
 */
#define KGATE_FMTMSG_LEN	80
#define KGATE_FMTMSG_SLOTS	32

static inline char *kgate_fmtmsg_slot(void)
{
	static char ring[KGATE_FMTMSG_SLOTS][KGATE_FMTMSG_LEN];
	static atomic_t next = ATOMIC_INIT(0);

	return ring[(unsigned int)atomic_inc_return(&next) % KGATE_FMTMSG_SLOTS];
}

#define NL_SET_ERR_MSG_FMT(extack, fmt, args...) do {			\
	struct netlink_ext_ack *__extack = (extack);			\
									\
	if (__extack) {							\
		char *__buf = kgate_fmtmsg_slot();			\
									\
		snprintf(__buf, KGATE_FMTMSG_LEN, fmt, ##args);		\
		__extack->_msg = __buf;					\
	}								\
} while (0)
#endif

#include <linux/net.h>
#include <linux/uio.h>
#include <linux/bvec.h>

/*
 * Send @len bytes of @page from @off on a kernel socket without copying
 * them: the socket's skbs take a reference on the page and point into it,
 * so the caller must not write those bytes again (it drops its own
 * reference, or writes elsewhere in the page).  6.5 replaced sendpage
 * with MSG_SPLICE_PAGES and dropped MSG_SENDPAGE_NOTLAST at the same
 * time: 6.1's headers define MSG_SPLICE_PAGES too, unused by its TCP, so
 * the flag that went tells them apart.  Returns the bytes taken or -errno.
 */
static inline int kgate_send_page(struct socket *sock, struct page *page,
				  unsigned int off, size_t len, int flags)
{
#ifndef MSG_SENDPAGE_NOTLAST
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };
	struct bio_vec bv;

	bvec_set_page(&bv, page, len, off);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bv, 1, len);
	return sock_sendmsg(sock, &msg);
#else
	return kernel_sendpage(sock, page, off, len, flags);
#endif
}

#endif /* _KGATE_COMPAT_H */
