// SPDX-License-Identifier: GPL-2.0
/* Building the state: new objects, and the listeners routes share. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "kk.h"

void kk_config_init(struct kk_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ingress_port = 80;
}

/* Append one zeroed slot of @size to *@arr (*@n of them). */
static void *append(void **arr, size_t *n, size_t size)
{
	char *v = realloc(*arr, (*n + 1) * size);

	if (!v)
		return NULL;
	*arr = v;
	memset(v + *n * size, 0, size);
	return v + (*n)++ * size;
}

struct kgate_service *kk_add_service(struct kgate_state *st)
{
	struct kgate_service *svc = append((void **)&st->svcs, &st->n_svcs,
					   sizeof(*svc));

	if (svc)
		kgate_service_init(svc);
	return svc;
}

struct kgate_listener *kk_add_listener(struct kgate_state *st)
{
	struct kgate_listener *l = append((void **)&st->lis, &st->n_lis,
					  sizeof(*l));

	if (l)
		kgate_listener_init(l);
	return l;
}

struct kgate_route *kk_add_route(struct kgate_state *st)
{
	struct kgate_route *r = append((void **)&st->rts, &st->n_rts,
				       sizeof(*r));

	if (r)
		kgate_route_init(r);
	return r;
}

struct kgate_listener *kk_listener_for(struct kgate_state *out,
				       const struct kgate_addr *addr,
				       uint16_t port)
{
	struct kgate_addr any = { .family = AF_INET6 };
	char name[80], a[64];
	struct kgate_listener *l;
	size_t i;

	if (addr->family)
		any = *addr;
	for (i = 0; i < out->n_lis; i++)
		if (out->lis[i].port == port &&
		    kgate_addr_equal(&out->lis[i].addr, &any))
			return &out->lis[i];
	if (addr->family)
		snprintf(name, sizeof(name), "http-%s-%u",
			 kgate_addr_str(&any, a, sizeof(a)), port);
	else
		snprintf(name, sizeof(name), "http-%u", port);
	l = kk_add_listener(out);
	if (!l || kgate_set_str(&l->name, name))
		return NULL;
	l->addr = any;
	l->port = port;
	l->has |= KGATE_LIS_HAS_PORT;
	return l;
}
