/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Listener and route commands, one request each.  All return 0 or a
 * negative errno with @e filled in (the kernel's message when it refused).
 */
#ifndef KGATE_L7CMD_H
#define KGATE_L7CMD_H

#include "kgate_err.h"
#include "kgate_l7.h"
#include "kgate_nl.h"

int kgate_listener_add(struct kgate_sock *s, const struct kgate_listener *l,
		       struct kgate_err *e);
int kgate_listener_replace(struct kgate_sock *s,
			   const struct kgate_listener *l,
			   struct kgate_err *e);
int kgate_listener_del(struct kgate_sock *s, const char *name,
		       struct kgate_err *e);
/* @out is initialised here; free it with kgate_listener_free(). */
int kgate_listener_get(struct kgate_sock *s, const char *name,
		       struct kgate_listener *out, struct kgate_err *e);
/* Called per listener of a dump; a negative return stops it. */
typedef int (*kgate_listener_cb)(const struct kgate_listener *l, void *data);
int kgate_listener_dump(struct kgate_sock *s, kgate_listener_cb cb,
			void *data, struct kgate_err *e);
/*
 * Every listener into *@all (*@n of them, malloc'ed): the caller frees
 * each with kgate_listener_free() and the array with free().
 */
int kgate_listener_dump_take(struct kgate_sock *s,
			     struct kgate_listener **all, size_t *n,
			     struct kgate_err *e);

int kgate_route_add(struct kgate_sock *s, const struct kgate_route *r,
		    struct kgate_err *e);
int kgate_route_replace(struct kgate_sock *s, const struct kgate_route *r,
			struct kgate_err *e);
int kgate_route_del(struct kgate_sock *s, const char *name,
		    struct kgate_err *e);
int kgate_route_get(struct kgate_sock *s, const char *name,
		    struct kgate_route *out, struct kgate_err *e);
typedef int (*kgate_route_cb)(const struct kgate_route *r, void *data);
int kgate_route_dump(struct kgate_sock *s, kgate_route_cb cb, void *data,
		     struct kgate_err *e);
/* The same for routes (kgate_route_free()). */
int kgate_route_dump_take(struct kgate_sock *s, struct kgate_route **all,
			  size_t *n, struct kgate_err *e);

#endif
