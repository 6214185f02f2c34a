/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A whole configuration: services, listeners and routes, as wanted (built
 * from manifests) or as the kernel holds it (kgate_state_read()).  Two
 * normalised states compare object by object, and kgate_diff() turns the
 * difference into the operations that make one the other.
 */
#ifndef KGATE_STATE_H
#define KGATE_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "kgate_err.h"
#include "kgate_l7.h"
#include "kgate_model.h"
#include "kgate_nl.h"
#include "kgate_obj.h"
#include "kgate_txn.h"

struct kgate_state {
	struct kgate_service *svcs;
	size_t n_svcs;
	struct kgate_listener *lis;
	size_t n_lis;
	struct kgate_route *rts;
	size_t n_rts;
};

void kgate_state_init(struct kgate_state *st);
void kgate_state_free(struct kgate_state *st);
/* Everything the kernel holds, replacing @st's contents. */
int kgate_state_read(struct kgate_sock *s, struct kgate_state *st,
		     struct kgate_err *e);

/*
 * Put @st in the one form two equal configurations share, in place:
 * every optional attribute explicit with its ABI default when it was not
 * given; counters dropped; lists whose order means nothing sorted
 * (frontends, backends, source ranges, a route's listeners, hostnames,
 * allowed ranges, a match's headers and query parameters); objects sorted
 * by name.  Order that means something is kept: a route's rules, a rule's
 * matches and backends, header filters.  Idempotent; 0 or -ENOMEM.
 */
int kgate_state_normalise(struct kgate_state *st);

/* May kgate_diff() delete the kernel's object @o? */
typedef bool (*kgate_owned_cb)(const struct kgate_obj *o, void *data);

/*
 * The operations that turn @have into @want, both normalised: objects
 * missing from @have are added, those that differ replaced, and those
 * missing from @want deleted when @owned says so (NULL: none).  Deletions
 * come first (routes, listeners, services), then services, listeners and
 * routes are added or replaced, so that references are met in order.
 * *@ops (malloc'ed, *@n of them; NULL and 0 when equal) points into both
 * states, which must outlive it.  0 or -ENOMEM.
 */
int kgate_diff(const struct kgate_state *want, const struct kgate_state *have,
	       kgate_owned_cb owned, void *data, struct kgate_op **ops,
	       size_t *n);

#endif
