// SPDX-License-Identifier: GPL-2.0
/*
 * Everything at once: index the documents, report the kinds kgate does
 * not read, run each translator, and hand back a normalised state, or
 * nothing when anything was wrong.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kk.h"

/* The kinds some translator reads: every other one is reported here. */
static const struct {
	const char *group, *kind;
} known[] = {
	{ "", "Service" },
	{ "", "Endpoints" },
	{ "", "Secret" },
	{ "discovery.k8s.io", "EndpointSlice" },
	{ "networking.k8s.io", "Ingress" },
	{ "networking.k8s.io", "IngressClass" },
	{ "gateway.networking.k8s.io", "GatewayClass" },
	{ "gateway.networking.k8s.io", "Gateway" },
	{ "gateway.networking.k8s.io", "HTTPRoute" },
};

static void report_unknown(const struct kk_index *ix, struct kk_diag *d)
{
	size_t i, k;

	for (i = 0; i < ix->n; i++) {
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (kk_is(&ix->v[i], known[k].group, known[k].kind))
				break;
		if (k == sizeof(known) / sizeof(known[0]))
			kk_skipped(d, &ix->v[i], "%s %s is not read by kgate",
				   ix->v[i].api_version, ix->v[i].kind);
	}
}

struct fe_ref {
	const struct kgate_frontend *fe;
	const struct kgate_service *svc;
};

static int cmp_fe(const void *pa, const void *pb)
{
	const struct fe_ref *a = pa, *b = pb;
	int c;

	if (a->fe->addr.family != b->fe->addr.family)
		return a->fe->addr.family < b->fe->addr.family ? -1 : 1;
	c = memcmp(a->fe->addr.bytes, b->fe->addr.bytes,
		   sizeof(a->fe->addr.bytes));
	if (c)
		return c;
	if (a->fe->port != b->fe->port)
		return a->fe->port < b->fe->port ? -1 : 1;
	if (a->fe->proto != b->fe->proto)
		return a->fe->proto < b->fe->proto ? -1 : 1;
	/* Then in the order the Services came, to blame the later one. */
	return a->svc < b->svc ? -1 : a->svc > b->svc;
}

/* The Service a kgate service "NS/NAME:PORT[/proto]" was made from. */
static const struct kk_obj *origin(const struct kk_index *ix,
				   const char *svc_name)
{
	const char *slash = strchr(svc_name, '/'), *colon;
	char ns[256], name[256];

	if (!slash)
		return NULL;
	colon = strrchr(slash, ':');
	if (!colon)
		return NULL;
	snprintf(ns, sizeof(ns), "%.*s", (int)(slash - svc_name), svc_name);
	snprintf(name, sizeof(name), "%.*s", (int)(colon - slash - 1),
		 slash + 1);
	return kk_find(ix, "", "Service", ns, name);
}

/*
 * Two Services claiming one virtual IP, port and protocol (a ClusterIP,
 * externalIP, LoadBalancer IP or NodePort): the later one is an error,
 * naming the first.
 */
static int check_frontends(const struct kk_index *ix,
			   const struct kgate_state *st, struct kk_diag *d)
{
	struct fe_ref *v;
	size_t n = 0, i, j;
	char ep[KGATE_ENDPOINT_STRLEN], proto[8];

	for (i = 0; i < st->n_svcs; i++)
		n += st->svcs[i].n_frontends;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < st->n_svcs; i++)
		for (j = 0; j < st->svcs[i].n_frontends; j++)
			v[n++] = (struct fe_ref){ &st->svcs[i].frontends[j],
						  &st->svcs[i] };
	qsort(v, n, sizeof(*v), cmp_fe);
	for (i = 1; i < n; i++) {
		const struct kgate_frontend *a = v[i - 1].fe, *b = v[i].fe;
		const struct kk_obj *o;

		if (v[i - 1].svc == v[i].svc || a->port != b->port ||
		    a->proto != b->proto || !kgate_addr_equal(&a->addr,
							      &b->addr))
			continue;
		o = origin(ix, v[i].svc->name);
		kk_error(d, o, NULL, o ? "spec" : NULL,
			 "%s/%s of %s is %s's already",
			 kgate_endpoint_str(&b->addr, b->port, ep, sizeof(ep)),
			 kgate_proto_str(b->proto, proto, sizeof(proto)),
			 v[i].svc->name, v[i - 1].svc->name);
	}
	free(v);
	return 0;
}

bool kk_owned(const struct kgate_obj *o, void *data)
{
	const char *owner = kgate_obj_owner(o);

	(void)data;
	return owner && !strcmp(owner, KK_OWNER);
}

/* Everything made from manifests carries kgate's mark. */
static int mark_owned(struct kgate_state *st)
{
	size_t i;
	int err = 0;

	for (i = 0; !err && i < st->n_svcs; i++)
		err = kgate_set_str(&st->svcs[i].owner, KK_OWNER);
	for (i = 0; !err && i < st->n_lis; i++)
		err = kgate_set_str(&st->lis[i].owner, KK_OWNER);
	for (i = 0; !err && i < st->n_rts; i++)
		err = kgate_set_str(&st->rts[i].owner, KK_OWNER);
	return err;
}

int kk_translate(const struct kk_docs *docs, const struct kk_config *cfg,
		 struct kgate_state *out, struct kk_diag *d)
{
	struct kk_index ix;
	int err;

	kgate_state_init(out);
	err = kk_index_build(&ix, docs, d);
	if (err == -ENOMEM)
		goto out;
	report_unknown(&ix, d);
	err = kk_translate_services(&ix, cfg, out, d);
	if (!err)
		err = kk_translate_ingresses(&ix, cfg, out, d);
	if (!err)
		err = kk_translate_gateways(&ix, cfg, out, d);
	if (!err)
		err = kk_check_secrets(&ix, d);
	if (!err)
		err = check_frontends(&ix, out, d);
	if (!err)
		err = mark_owned(out);
	if (!err)
		err = kgate_state_normalise(out);
	if (!err && d->errors)
		err = -EINVAL;
out:
	kk_index_free(&ix);
	if (err)
		kgate_state_free(out);
	return err;
}
