// SPDX-License-Identifier: GPL-2.0
/*
 * The status rules.  Nothing is decided twice: whether an object is
 * kgate's, and why a parent or a backend was not taken, is what the
 * translation said (its messages name the object and the field); what it
 * produced is in the state.  The condition types and reasons are the
 * Gateway API's own, so that tools which read them (kubectl wait
 * --for=condition=Accepted, Argo CD health checks) work unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "status.h"

#define GW_GROUP	"gateway.networking.k8s.io"
#define N_PARENTS	32	/* the Gateway API's maximum of parentRefs */

static int64_t generation(const struct kk_obj *o)
{
	const struct kk_node *n = kk_get(o->metadata, "generation");

	return n && n->type == KK_INT ? n->i : 0;
}

static const char *str_at(const struct kk_node *map, const char *key,
			  const char *dflt)
{
	const struct kk_node *n = kk_get(map, key);

	return n && n->type == KK_STR ? n->s : dflt;
}

/* The first message of severity @sev about @o (whose field starts with
 * @field, a whole path component, when @field is set). */
static const struct kk_msg *msg_of(const struct kk_diag *d,
				   const struct kk_obj *o, enum kk_sev sev,
				   const char *field)
{
	size_t i, len = field ? strlen(field) : 0;

	for (i = 0; i < d->n; i++) {
		const struct kk_msg *m = &d->v[i];

		if (m->sev != sev || !m->object || strcmp(m->object, o->label))
			continue;
		if (!field)
			return m;
		if (m->field && !strncmp(m->field, field, len) &&
		    (m->field[len] == '\0' || m->field[len] == '.'))
			return m;
	}
	return NULL;
}

/* A message about @o whose field contains @part and text @text. */
static const struct kk_msg *msg_like(const struct kk_diag *d,
				     const struct kk_obj *o, enum kk_sev sev,
				     const char *part, const char *text)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct kk_msg *m = &d->v[i];

		if (m->sev == sev && m->object && !strcmp(m->object, o->label) &&
		    (!part || (m->field && strstr(m->field, part))) &&
		    (!text || (m->text && strstr(m->text, text))))
			return m;
	}
	return NULL;
}

static bool class_ours(const struct kk_obj *gc)
{
	return gc && !strcmp(str_at(gc->spec, "controllerName", ""),
			     KGD_API_CONTROLLER);
}

/* @gw may be NULL: a route's parent the watch has not brought yet. */
static bool gateway_ours(const struct kk_index *ix, const struct kk_obj *gw)
{
	const char *cls = gw ? str_at(gw->spec, "gatewayClassName", NULL) :
			  NULL;

	return cls && class_ours(kk_find(ix, GW_GROUP, "GatewayClass", NULL,
					 cls));
}

/* ---- Ingress ---------------------------------------------------------- */

static int ingress(const struct kk_diag *d, const struct kgate_state *st,
		   const struct kk_obj *o, const char *const *ips,
		   size_t n_ips, const struct kgd_status_out *out)
{
	/*
	 * An Ingress not ours (another class, none) is said as skipped; one
	 * of ours is served, by its rules or as a listener's default
	 * backend, once the set applied.
	 */
	if (!st || msg_of(d, o, KK_SKIPPED, NULL) ||
	    msg_of(d, o, KK_ERROR, NULL))
		return 0;	/* or left out for its errors */
	return out->ingress(out->data, o, ips, n_ips);
}

/* ---- GatewayClass and Gateway ------------------------------------------ */

static int gatewayclass(const struct kk_diag *d, const struct kgate_state *st,
			const struct kk_obj *o,
			const struct kgd_status_out *out)
{
	const struct kk_msg *m = msg_of(d, o, KK_SKIPPED, NULL);
	struct kgd_api_cond c = { "Accepted", "True", "Accepted",
				  "handled by kgate", 0 };

	if (!class_ours(o) || (!st && !m))
		return 0;
	if (m) {
		c.status = "False";
		c.reason = "UnsupportedVersion";
		c.message = m->text;
	}
	return out->gatewayclass(out->data, o, generation(o), &c, 1);
}

static int gateway(const struct kk_index *ix, const struct kk_diag *d,
		   const struct kgate_state *st, const struct kk_obj *o,
		   const struct kgd_status_out *out)
{
	const struct kk_msg *m = msg_of(d, o, KK_ERROR, NULL);
	struct kgd_api_cond c[2] = {
		{ "Accepted", "True", "Accepted", "handled by kgate", 0 },
		{ "Programmed", "True", "Programmed",
		  "its listeners are in the kernel", 0 },
	};

	if (!gateway_ours(ix, o) || (!st && !m))
		return 0;
	if (!m)
		m = msg_of(d, o, KK_SKIPPED, NULL);
	if (m) {
		c[0].status = c[1].status = "False";
		c[0].reason = c[1].reason = "Invalid";
		c[0].message = c[1].message = m->text;
	}
	return out->gateway(out->data, o, generation(o), c, 2);
}

/* ---- HTTPRoute --------------------------------------------------------- */

struct parent_conds {
	struct kgd_api_cond c[2];	/* Accepted, ResolvedRefs */
	char msg[2][256];
};

/* Accepted, for parentRef @i, from what the translation said of it. */
static void accepted(const struct kk_diag *d, const struct kk_obj *o,
		     size_t i, struct parent_conds *pc)
{
	struct kgd_api_cond *c = &pc->c[0];
	const struct kk_msg *m;
	char field[64];

	*c = (struct kgd_api_cond){ "Accepted", "True", "Accepted",
				    "attached by kgate", 0 };
	snprintf(field, sizeof(field), "spec.parentRefs[%zu]", i);
	m = msg_of(d, o, KK_ERROR, NULL);
	if (m) {
		c->reason = "UnsupportedValue";
	} else if ((m = msg_of(d, o, KK_NOTE, field))) {
		c->reason = strstr(m->text, "takes no routes") ?
			    "NotAllowedByListeners" : "NoMatchingParent";
	} else if ((m = msg_like(d, o, KK_SKIPPED, NULL, "hostnames"))) {
		c->reason = "NoMatchingListenerHostname";
	} else {
		return;
	}
	c->status = "False";
	snprintf(pc->msg[0], sizeof(pc->msg[0]), "%s%s%s",
		 m->field ? m->field : "", m->field ? ": " : "", m->text);
	c->message = pc->msg[0];
}

/* ResolvedRefs: every backendRef names a Service that exists. */
static void resolved(const struct kk_diag *d, const struct kk_obj *o,
		     struct parent_conds *pc)
{
	struct kgd_api_cond *c = &pc->c[1];
	const struct kk_msg *m;

	*c = (struct kgd_api_cond){ "ResolvedRefs", "True", "ResolvedRefs",
				    "every backend resolved", 0 };
	m = msg_like(d, o, KK_ERROR, ".backendRefs[", NULL);
	if (m) {
		size_t len = m->field ? strlen(m->field) : 0;

		c->reason = len > 5 && (!strcmp(m->field + len - 5, ".kind") ||
					!strcmp(m->field + len - 6, ".group")) ?
			    "InvalidKind" : "BackendNotFound";
	} else if ((m = msg_like(d, o, KK_NOTE, ".backendRefs[",
				 "not found"))) {
		c->reason = "BackendNotFound";
	} else {
		return;
	}
	c->status = "False";
	snprintf(pc->msg[1], sizeof(pc->msg[1]), "%s: %s", m->field, m->text);
	c->message = pc->msg[1];
}

static int httproute(const struct kk_index *ix, const struct kk_diag *d,
		     const struct kgate_state *st, const struct kk_obj *o,
		     const struct kgd_status_out *out)
{
	const struct kk_node *refs = kk_get(o->spec, "parentRefs");
	struct parent_conds pc[N_PARENTS];
	struct kgd_api_parent p[N_PARENTS];
	size_t i, n = 0;

	if (!st && !msg_of(d, o, KK_ERROR, NULL))
		return 0;
	if (!refs || refs->type != KK_SEQ)
		return 0;
	for (i = 0; i < refs->seq.n && n < N_PARENTS; i++) {
		const struct kk_node *r = refs->seq.v[i];
		const char *ns = str_at(r, "namespace", o->ns);
		const char *name = str_at(r, "name", NULL);

		if (strcmp(str_at(r, "group", GW_GROUP), GW_GROUP) ||
		    strcmp(str_at(r, "kind", "Gateway"), "Gateway") || !name ||
		    !gateway_ours(ix, kk_find(ix, GW_GROUP, "Gateway", ns,
					      name)))
			continue;	/* another controller's parent */
		accepted(d, o, i, &pc[n]);
		resolved(d, o, &pc[n]);
		p[n] = (struct kgd_api_parent){ ns, name,
						str_at(r, "sectionName", NULL),
						pc[n].c, 2 };
		n++;
	}
	if (!n)
		return 0;
	return out->httproute(out->data, o, generation(o), p, n);
}

int kgd_status_derive(const struct kk_index *ix, const struct kk_diag *d,
		      const struct kgate_state *st, const char *const *ips,
		      size_t n_ips, const struct kgd_status_out *out)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < ix->n; i++) {
		const struct kk_obj *o = &ix->v[i];

		if (kk_is(o, "networking.k8s.io", "Ingress"))
			err = ingress(d, st, o, ips, n_ips, out);
		else if (kk_is(o, GW_GROUP, "GatewayClass"))
			err = gatewayclass(d, st, o, out);
		else if (kk_is(o, GW_GROUP, "Gateway"))
			err = gateway(ix, d, st, o, out);
		else if (kk_is(o, GW_GROUP, "HTTPRoute"))
			err = httproute(ix, d, st, o, out);
	}
	return err;
}
