/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Any configuration object a mutating command carries: a service, a
 * listener or a route (or nothing, for FLUSH and the batch commands), so
 * that one-shot commands and batches send them alike.
 */
#ifndef KGATE_OBJ_H
#define KGATE_OBJ_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "kgate_err.h"
#include "kgate_l7.h"
#include "kgate_model.h"
#include "kgate_nl.h"

enum kgate_obj_kind {
	KGATE_OBJ_NONE,
	KGATE_OBJ_SERVICE,
	KGATE_OBJ_LISTENER,
	KGATE_OBJ_ROUTE,
};

struct kgate_obj {
	enum kgate_obj_kind kind;
	union {
		const struct kgate_service *svc;
		const struct kgate_listener *lis;
		const struct kgate_route *rt;
	};
};

/* The object's name ("?" when it has none) and its kind as a word. */
const char *kgate_obj_name(const struct kgate_obj *o);
const char *kgate_obj_kind_str(enum kgate_obj_kind kind);
/* Its owner mark (KGATE_*_A_OWNER), or NULL. */
const char *kgate_obj_owner(const struct kgate_obj *o);

/* The object's nest into @nlh: 0, -EMSGSIZE or -E2BIG (see msg.h). */
int kgate_put_obj(struct nlmsghdr *nlh, size_t buflen,
		  const struct kgate_obj *o);
/*
 * The same for command @cmd: a deletion carries the name alone (@o of the
 * command's kind).
 */
int kgate_put_op(struct nlmsghdr *nlh, size_t buflen, uint8_t cmd,
		 const struct kgate_obj *o);
/* The local error for a failed kgate_put_obj(): returns -@err's errno. */
int kgate_put_failed(int err, const struct kgate_obj *o,
		     struct kgate_err *e);
/* Send @cmd with @o; 0 or a negative errno with @e filled in. */
int kgate_mutate_obj(struct kgate_sock *s, uint8_t cmd,
		     const struct kgate_obj *o, struct kgate_err *e);

#endif
