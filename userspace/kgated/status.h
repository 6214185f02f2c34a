/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Status for Kubernetes users (API mode): what `kubectl get ingress`,
 * `get gatewayclass`, `get gateway` and `describe httproute` show, derived
 * from the translation itself: its messages say why an object was not
 * taken, the state it produced says what was.
 *
 *   status.c    the rules: objects, messages and state to conditions
 *   publish.c   the rules' results to the API server, once per change
 */
#ifndef KGATED_STATUS_H
#define KGATED_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "kk.h"

/* Where the rules' results go (one call per object of kgate's). */
struct kgd_status_out {
	int (*ingress)(void *data, const struct kk_obj *o,
		       const char *const *ips, size_t n);
	int (*gatewayclass)(void *data, const struct kk_obj *o, int64_t gen,
			    const struct kgd_api_cond *c, size_t n);
	int (*gateway)(void *data, const struct kk_obj *o, int64_t gen,
		       const struct kgd_api_cond *c, size_t n);
	int (*httproute)(void *data, const struct kk_obj *o, int64_t gen,
			 const struct kgd_api_parent *p, size_t n);
	void *data;
};

/*
 * The status of every Ingress, GatewayClass, Gateway and HTTPRoute of
 * kgate's in @ix, translated with messages @d into @st (NULL when the set
 * had errors and nothing was applied: then only objects with errors get
 * a status, the others keep theirs).  Ingresses get @ips.  0, or the
 * first error an output callback returned.
 */
int kgd_status_derive(const struct kk_index *ix, const struct kk_diag *d,
		      const struct kgate_state *st, const char *const *ips,
		      size_t n_ips, const struct kgd_status_out *out);

struct kgd_publish;

/* Ingress status names at most this many addresses. */
#define KGD_STATUS_IPS	16

int kgd_publish_open(struct kgd_publish **out);
void kgd_publish_close(struct kgd_publish *p);
/*
 * kgd_status_derive() for @docs into status patches on @api, each object
 * patched only when its status differs from the one last patched (so the
 * MODIFIED event a patch brings back costs no second patch).  0 or
 * -ENOMEM.
 */
int kgd_publish(struct kgd_publish *p, struct kgd_api *api,
		const struct kk_docs *docs, const struct kk_diag *d,
		const struct kgate_state *st, const char *const *ips,
		size_t n_ips);

#endif
