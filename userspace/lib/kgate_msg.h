/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kgate messages: building requests (encode.c) and reading replies and
 * events (decode.c).  No socket needed: usable on any buffer.
 */
#ifndef KGATE_MSG_H
#define KGATE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "kgate_model.h"

/* Bytes of nlmsghdr + genlmsghdr at the start of every kgate message. */
#define KGATE_MSG_HDRLEN	(MNL_NLMSG_HDRLEN + MNL_ALIGN(4))

/*
 * Put nlmsghdr + genlmsghdr (version KGATE_GENL_VERSION) at @buf.
 * NLM_F_REQUEST is added to @flags.  @buf must hold KGATE_MSG_HDRLEN.
 */
struct nlmsghdr *kgate_msg_start(void *buf, uint16_t family, uint8_t cmd,
				 uint16_t flags, uint32_t seq);
uint8_t kgate_msg_cmd(const struct nlmsghdr *nlh);
/*
 * @cmd is a mutating command: one a batch stages, and that BATCH_COMMIT's
 * KGATE_A_BATCH_COUNT counts (SERVICE_*, BACKEND_*, FLUSH, NODE_SET,
 * LISTENER_* and ROUTE_* but the GETs).
 */
bool kgate_cmd_mutates(uint8_t cmd);

/*
 * Append a KGATE_A_SERVICE nest with every attribute the service has: the
 * name when set, the options whose KGATE_SVC_HAS_* bit is set, and the
 * lists that are not empty.  The message must fit in @buflen bytes from
 * @nlh.  Returns 0; -EMSGSIZE when the buffer is too small (the message is
 * left as it was); -E2BIG when one attribute would exceed the 64 KiB that
 * a netlink attribute can hold (too many backends for one message).
 */
int kgate_put_service(struct nlmsghdr *nlh, size_t buflen,
		      const struct kgate_service *svc);

/* First top-level attribute of @type in a kgate message, or NULL. */
const struct nlattr *kgate_msg_attr(const struct nlmsghdr *nlh,
				    uint16_t type);

/*
 * Decode a KGATE_A_SERVICE nest into @svc (initialised here; free it with
 * kgate_service_free() also after a failure).  Strict about lengths,
 * nesting and list entry types; unknown attributes are skipped.  On
 * failure returns -EINVAL (or -ENOMEM) and a reason naming the attribute,
 * such as: service.backends[2].addr: length 5, expected 4 or 16.
 */
int kgate_parse_service(const struct nlattr *nest, struct kgate_service *svc,
			char *why, size_t whylen);
/* Decode a KGATE_A_STATS nest. */
int kgate_parse_stats(const struct nlattr *nest, struct kgate_stats *st,
		      char *why, size_t whylen);

#endif
