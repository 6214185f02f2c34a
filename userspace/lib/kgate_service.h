/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kgate commands, one request each: services, backends, flush, explicit
 * batch control and stats.  All return 0 or a negative errno with @e
 * filled in (the kernel's message when it refused).
 */
#ifndef KGATE_SERVICE_H
#define KGATE_SERVICE_H

#include <stdint.h>

#include "kgate_err.h"
#include "kgate_model.h"
#include "kgate_nl.h"

/*
 * Send mutating command @cmd (KGATE_CMD_SERVICE_ADD ... FLUSH) with @svc
 * (may be NULL for FLUSH) encoded as KGATE_A_SERVICE.
 */
int kgate_mutate(struct kgate_sock *s, uint8_t cmd,
		 const struct kgate_service *svc, struct kgate_err *e);

int kgate_service_add(struct kgate_sock *s, const struct kgate_service *svc,
		      struct kgate_err *e);
int kgate_service_replace(struct kgate_sock *s,
			  const struct kgate_service *svc,
			  struct kgate_err *e);
int kgate_service_del(struct kgate_sock *s, const char *name,
		      struct kgate_err *e);
/* @out is initialised here; free it with kgate_service_free(). */
int kgate_service_get(struct kgate_sock *s, const char *name,
		      struct kgate_service *out, struct kgate_err *e);

/* Called per service of a dump; a negative return stops the output. */
typedef int (*kgate_service_cb)(const struct kgate_service *svc, void *data);
int kgate_service_dump(struct kgate_sock *s, kgate_service_cb cb, void *data,
		       struct kgate_err *e);
/*
 * Every service into *@all (*@n of them, malloc'ed): the caller frees
 * each with kgate_service_free() and the array with free().
 */
int kgate_service_dump_take(struct kgate_sock *s, struct kgate_service **all,
			    size_t *n, struct kgate_err *e);

int kgate_backend_add(struct kgate_sock *s, const char *service,
		      const struct kgate_backend *be, size_t n,
		      struct kgate_err *e);
int kgate_backend_del(struct kgate_sock *s, const char *service,
		      const struct kgate_backend *be, size_t n,
		      struct kgate_err *e);
/* Only the attributes whose KGATE_BE_HAS_* bit is set change. */
int kgate_backend_set(struct kgate_sock *s, const char *service,
		      const struct kgate_backend *be, size_t n,
		      struct kgate_err *e);
int kgate_flush(struct kgate_sock *s, struct kgate_err *e);

int kgate_batch_begin(struct kgate_sock *s, struct kgate_err *e);
/*
 * Tells the kernel how many mutating commands went out on @s since the
 * BEGIN (kgate_sock_batch_count()): ECANCELED when some never reached
 * kgate.  A failed commit that blames one message of the batch sets
 * @e->has_ref, with its position and sequence number (err.h).
 */
int kgate_batch_commit(struct kgate_sock *s, struct kgate_err *e);
int kgate_batch_abort(struct kgate_sock *s, struct kgate_err *e);

int kgate_stats_get(struct kgate_sock *s, struct kgate_stats *st,
		    struct kgate_err *e);

/*
 * A request without attributes whose reply carries one nest, @attr, that
 * @parse decodes into @out (@what names it in errors).
 */
typedef int (*kgate_nest_parser)(const struct nlattr *nest, void *out,
				 char *why, size_t whylen);
int kgate_get_nest(struct kgate_sock *s, uint8_t cmd, uint16_t attr,
		   const char *what, kgate_nest_parser parse, void *out,
		   struct kgate_err *e);

#endif
