// SPDX-License-Identifier: GPL-2.0
/* libkgate object model: construction, growth, comparison. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/kgate.h>

#include "kgate_model.h"

void kgate_service_init(struct kgate_service *svc)
{
	memset(svc, 0, sizeof(*svc));
	svc->sched = KGATE_SCHED_MAGLEV;
	svc->affinity = KGATE_AFFINITY_NONE;
	svc->ext_policy = KGATE_POLICY_CLUSTER;
	svc->int_policy = KGATE_POLICY_CLUSTER;
	svc->timeout = KGATE_TIMEOUT_DEFAULT;
}

void kgate_service_free(struct kgate_service *svc)
{
	free(svc->name);
	free(svc->owner);
	free(svc->frontends);
	free(svc->backends);
	free(svc->ranges);
	kgate_service_init(svc);
}

void kgate_backend_init(struct kgate_backend *be)
{
	memset(be, 0, sizeof(*be));
	be->weight = 1;
	be->state = KGATE_BE_READY;
}

int kgate_service_set_name(struct kgate_service *svc, const char *name)
{
	char *copy = strdup(name);

	if (!copy)
		return -ENOMEM;
	free(svc->name);
	svc->name = copy;
	return 0;
}

int kgate_service_set_owner(struct kgate_service *svc, const char *owner)
{
	char *copy = NULL;

	if (owner) {
		copy = strdup(owner);
		if (!copy)
			return -ENOMEM;
	}
	free(svc->owner);
	svc->owner = copy;
	return 0;
}

/* Make room for one more element of size @size in *@arr. */
static int grow(void **arr, size_t n, size_t *cap, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int kgate_service_add_frontend(struct kgate_service *svc,
			       const struct kgate_frontend *fe)
{
	if (grow((void **)&svc->frontends, svc->n_frontends,
		 &svc->cap_frontends, sizeof(*fe)))
		return -ENOMEM;
	svc->frontends[svc->n_frontends++] = *fe;
	return 0;
}

int kgate_service_add_backend(struct kgate_service *svc,
			      const struct kgate_backend *be)
{
	if (grow((void **)&svc->backends, svc->n_backends,
		 &svc->cap_backends, sizeof(*be)))
		return -ENOMEM;
	svc->backends[svc->n_backends++] = *be;
	return 0;
}

int kgate_service_add_range(struct kgate_service *svc,
			    const struct kgate_range *r)
{
	if (grow((void **)&svc->ranges, svc->n_ranges, &svc->cap_ranges,
		 sizeof(*r)))
		return -ENOMEM;
	svc->ranges[svc->n_ranges++] = *r;
	return 0;
}

size_t kgate_addr_len(const struct kgate_addr *a)
{
	switch (a->family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

bool kgate_addr_equal(const struct kgate_addr *a, const struct kgate_addr *b)
{
	return a->family == b->family &&
	       !memcmp(a->bytes, b->bytes, kgate_addr_len(a));
}

static bool frontend_equal(const struct kgate_frontend *a,
			   const struct kgate_frontend *b)
{
	return kgate_addr_equal(&a->addr, &b->addr) && a->port == b->port &&
	       a->proto == b->proto && a->kind == b->kind;
}

static bool backend_equal(const struct kgate_backend *a,
			  const struct kgate_backend *b)
{
	if (!kgate_addr_equal(&a->addr, &b->addr) || a->port != b->port ||
	    a->has != b->has)
		return false;
	if ((a->has & KGATE_BE_HAS_WEIGHT) && a->weight != b->weight)
		return false;
	if ((a->has & KGATE_BE_HAS_STATE) && a->state != b->state)
		return false;
	if ((a->has & KGATE_BE_HAS_FLAGS) && a->flags != b->flags)
		return false;
	return true;
}

static bool options_equal(const struct kgate_service *a,
			  const struct kgate_service *b)
{
	uint32_t h = a->has;

	if (h != b->has)
		return false;
	return (!(h & KGATE_SVC_HAS_SCHED) || a->sched == b->sched) &&
	       (!(h & KGATE_SVC_HAS_TABLE_SIZE) ||
		a->table_size == b->table_size) &&
	       (!(h & KGATE_SVC_HAS_AFFINITY) || a->affinity == b->affinity) &&
	       (!(h & KGATE_SVC_HAS_TIMEOUT) || a->timeout == b->timeout) &&
	       (!(h & KGATE_SVC_HAS_EXT_POLICY) ||
		a->ext_policy == b->ext_policy) &&
	       (!(h & KGATE_SVC_HAS_INT_POLICY) ||
		a->int_policy == b->int_policy);
}

bool kgate_service_equal(const struct kgate_service *a,
			 const struct kgate_service *b)
{
	size_t i;

	if (!a->name != !b->name || (a->name && strcmp(a->name, b->name)))
		return false;
	if (!a->owner != !b->owner ||
	    (a->owner && strcmp(a->owner, b->owner)))
		return false;
	if (!options_equal(a, b) || a->n_frontends != b->n_frontends ||
	    a->n_backends != b->n_backends || a->n_ranges != b->n_ranges)
		return false;
	for (i = 0; i < a->n_frontends; i++)
		if (!frontend_equal(&a->frontends[i], &b->frontends[i]))
			return false;
	for (i = 0; i < a->n_backends; i++)
		if (!backend_equal(&a->backends[i], &b->backends[i]))
			return false;
	for (i = 0; i < a->n_ranges; i++)
		if (!kgate_addr_equal(&a->ranges[i].addr, &b->ranges[i].addr) ||
		    a->ranges[i].plen != b->ranges[i].plen)
			return false;
	return true;
}
