/* SPDX-License-Identifier: GPL-2.0 */
/*
 * L7 messages: KGATE_A_LISTENER and KGATE_A_ROUTE nests built
 * (l7encode.c) and read (l7decode.c), KGATE_A_ACCESS read.  As msg.h for
 * services: the put functions return 0, -EMSGSIZE (buffer too small, the
 * message is left as it was) or -E2BIG (an attribute over 64 KiB); the
 * parse functions initialise the object (free it also after a failure)
 * and return 0, -EINVAL with a reason naming the attribute, or -ENOMEM.
 */
#ifndef KGATE_L7MSG_H
#define KGATE_L7MSG_H

#include <stddef.h>

#include <libmnl/libmnl.h>

#include "kgate_l7.h"

int kgate_put_listener(struct nlmsghdr *nlh, size_t buflen,
		       const struct kgate_listener *l);
int kgate_put_route(struct nlmsghdr *nlh, size_t buflen,
		    const struct kgate_route *r);

int kgate_parse_listener(const struct nlattr *nest, struct kgate_listener *l,
			 char *why, size_t whylen);
int kgate_parse_route(const struct nlattr *nest, struct kgate_route *r,
		      char *why, size_t whylen);
int kgate_parse_access(const struct nlattr *nest, struct kgate_access *a,
		       char *why, size_t whylen);

#endif
