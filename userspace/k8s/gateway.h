/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to gateway.c and httproute.c: the Gateway listeners of ours
 * that HTTPRoutes attach to, and helpers both use.
 */
#ifndef KGATE_K8S_GATEWAY_H
#define KGATE_K8S_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kgate_parse.h"
#include "kgate_state.h"
#include "kk.h"

#define GW_GROUP	"gateway.networking.k8s.io"

/* A listener of a Gateway of ours that serves HTTPRoutes. */
struct gw_listener {
	const struct kk_obj *gw;	/* its Gateway */
	const char *name;		/* the sectionName routes give */
	uint16_t port;
	const char *hostname;		/* NULL: every host */
	bool all_ns;			/* from: All; else Same */
	const char **kgate;		/* its kgate listeners' names, one
					 * per address of the Gateway
					 */
	size_t n_kgate;
};

struct gw_ctx {
	const struct kk_index *ix;
	struct kgate_state *out;
	struct kk_diag *d;
	const struct kk_obj **gws;	/* the Gateways of ours */
	size_t n_gws;
	struct gw_listener *lis;	/* their HTTP listeners */
	size_t n_lis;
};

/* HTTPRoute @o to kgate routes on c->lis; 0 or -ENOMEM. */
int gw_translate_httproute(struct gw_ctx *c, const struct kk_obj *o);

const char *gw_version(const struct kk_obj *o);
bool gw_version_ok(struct kk_diag *d, const struct kk_obj *o, bool beta);
const char *gw_host_bad(const char *h, bool wild_ok);
/*
 * kk_need_str() and kk_need_int() for @key of map @m: a missing field is
 * said at @m, the map it is missing from.
 */
bool gw_need_str(struct kk_diag *d, const struct kk_obj *o,
		 const struct kk_node *m, const char *key, const char *field,
		 const char **out);
bool gw_need_int(struct kk_diag *d, const struct kk_obj *o,
		 const struct kk_node *m, const char *key, const char *field,
		 int64_t min, int64_t max, int64_t *out);
/* A field path for messages, printf-style, into @buf. */
const char *gw_field(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
