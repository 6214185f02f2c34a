// SPDX-License-Identifier: GPL-2.0
/*
 * Everything at once: index the documents, report the kinds kgate does
 * not read, run each translator, and hand back a normalised state, or
 * nothing when anything was wrong.
 */
#include <errno.h>

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
		err = kgate_state_normalise(out);
	if (!err && d->errors)
		err = -EINVAL;
out:
	kk_index_free(&ix);
	if (err)
		kgate_state_free(out);
	return err;
}
