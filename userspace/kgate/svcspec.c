// SPDX-License-Identifier: GPL-2.0
/* Service and backend syntax: frontends, backends and options. */
#include <string.h>

#include <linux/kgate.h>

#include "cli.h"

static int once(struct args *a, uint32_t *has, uint32_t bit, const char *kw)
{
	if (*has & bit)
		return args_fail(a, "\"%s\" given twice", kw);
	*has |= bit;
	return 0;
}

int spec_backend_opt(struct args *a, const char *tok,
		     struct kgate_backend *be)
{
	bool nolocal = !strcmp(tok, "nolocal");

	if (!strcmp(tok, "weight"))
		return once(a, &be->has, KGATE_BE_HAS_WEIGHT, tok) ?:
		       args_u32(a, tok, &be->weight) ?: 1;
	if (!strcmp(tok, "state"))
		return once(a, &be->has, KGATE_BE_HAS_STATE, tok) ?:
		       args_keyword(a, tok, kgate_state_names, &be->state) ?:
		       1;
	if (!strcmp(tok, "local") || nolocal) {
		if (be->has & KGATE_BE_HAS_FLAGS)
			return args_fail(a, "\"local\" or \"nolocal\" given "
					 "twice");
		be->has |= KGATE_BE_HAS_FLAGS;
		be->flags = nolocal ? 0 : KGATE_BE_F_LOCAL;
		return 1;
	}
	return 0;
}

static int frontend(struct args *a, const char *kw, unsigned int kind,
		    struct kgate_service *svc)
{
	unsigned int flags = KGATE_EP_PROTO;
	struct kgate_frontend fe = { .kind = (uint8_t)kind };
	struct kgate_endpoint ep;

	if (kind == KGATE_FE_NODEPORT)
		flags |= KGATE_EP_OPT_ADDR;
	if (args_endpoint(a, kw, flags, &ep))
		return -1;
	fe.addr = ep.addr;
	fe.port = ep.port;
	fe.proto = ep.proto;
	if (kgate_service_add_frontend(svc, &fe))
		return args_fail(a, "out of memory");
	return 0;
}

static int backend(struct args *a, const char *kw, struct kgate_service *svc)
{
	struct kgate_endpoint ep;
	struct kgate_backend be;

	if (args_endpoint(a, kw, 0, &ep))
		return -1;
	kgate_backend_init(&be);
	be.addr = ep.addr;
	be.port = ep.port;
	if (kgate_service_add_backend(svc, &be))
		return args_fail(a, "out of memory");
	return 0;
}

/* Service options; 1 when @tok was one, 0 if not, -1 on error. */
static int option(struct args *a, const char *tok, struct kgate_service *svc)
{
	struct kgate_range r;

	if (!strcmp(tok, "scheduler"))
		return once(a, &svc->has, KGATE_SVC_HAS_SCHED, tok) ?:
		       args_keyword(a, tok, kgate_sched_names, &svc->sched) ?:
		       1;
	if (!strcmp(tok, "table-size"))
		return once(a, &svc->has, KGATE_SVC_HAS_TABLE_SIZE, tok) ?:
		       args_u32(a, tok, &svc->table_size) ?: 1;
	if (!strcmp(tok, "affinity"))
		return once(a, &svc->has, KGATE_SVC_HAS_AFFINITY, tok) ?:
		       args_keyword(a, tok, kgate_affinity_names,
				    &svc->affinity) ?: 1;
	if (!strcmp(tok, "timeout"))
		return once(a, &svc->has, KGATE_SVC_HAS_TIMEOUT, tok) ?:
		       args_u32(a, tok, &svc->timeout) ?: 1;
	if (!strcmp(tok, "external-policy"))
		return once(a, &svc->has, KGATE_SVC_HAS_EXT_POLICY, tok) ?:
		       args_keyword(a, tok, kgate_policy_names,
				    &svc->ext_policy) ?: 1;
	if (!strcmp(tok, "internal-policy"))
		return once(a, &svc->has, KGATE_SVC_HAS_INT_POLICY, tok) ?:
		       args_keyword(a, tok, kgate_policy_names,
				    &svc->int_policy) ?: 1;
	if (!strcmp(tok, "owner")) {
		const char *v;

		if (svc->owner)
			return args_fail(a, "\"%s\" given twice", tok);
		if (args_value(a, tok, &v))
			return -1;
		if (kgate_service_set_owner(svc, v))
			return args_fail(a, "out of memory");
		return 1;
	}
	if (!strcmp(tok, "source-range")) {
		if (args_prefix(a, tok, &r))
			return -1;
		if (kgate_service_add_range(svc, &r))
			return args_fail(a, "out of memory");
		return 1;
	}
	return 0;
}

int spec_service(struct args *a, struct kgate_service *svc)
{
	const char *tok;
	unsigned int kind;
	int r;

	while ((tok = args_next(a))) {
		if (kgate_value_of(kgate_kind_names, tok, &kind)) {
			if (frontend(a, tok, kind, svc))
				return -1;
			continue;
		}
		if (!strcmp(tok, "backend")) {
			if (backend(a, tok, svc))
				return -1;
			continue;
		}
		r = option(a, tok, svc);
		if (r < 0)
			return -1;
		if (r)
			continue;
		if (!strcmp(tok, "weight") || !strcmp(tok, "state") ||
		    !strcmp(tok, "local") || !strcmp(tok, "nolocal")) {
			if (!svc->n_backends)
				return args_fail(a, "\"%s\" must follow a "
						 "backend", tok);
			r = spec_backend_opt(a, tok,
					     &svc->backends[svc->n_backends - 1]);
			if (r < 0)
				return -1;
			continue;
		}
		return args_fail(a, "unknown option \"%s\"", tok);
	}
	return 0;
}
