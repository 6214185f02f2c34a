// SPDX-License-Identifier: GPL-2.0
/*
 * Service objects and the per-netns index by frontend (the data plane's
 * lookup, O(1) in the number of services; the index by name is every
 * object's, obj.c).  It is an rhltable because, during a commit, an object
 * and its replacement share frontends; the generation tells them apart.
 */
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ipv6.h>

#include "kgate.h"

static const struct rhashtable_params fe_params = {
	.head_offset = offsetof(struct kgate_frontend, node),
	.key_offset = offsetof(struct kgate_frontend, key),
	.key_len = sizeof(struct kgate_fe_key),
	.automatic_shrinking = true,
};

int kgate_tables_init(struct kgate_net *kn)
{
	int err;

	err = kgate_names_init(kn);
	if (err)
		return err;
	err = rhltable_init(&kn->frontends, &fe_params);
	if (err)
		rhltable_destroy(&kn->names);
	return err;
}

/* Only when nothing can reach the netns any more. */
void kgate_tables_destroy(struct kgate_net *kn)
{
	kgate_names_destroy(kn);
	rhltable_destroy(&kn->frontends);
}

struct kgate_service *kgate_svc_alloc(size_t name_len, u32 n_fe, u32 n_rng,
				      u32 n_be)
{
	struct kgate_service *svc;

	svc = kzalloc(struct_size(svc, name, name_len + 1), GFP_KERNEL_ACCOUNT);
	if (!svc)
		return NULL;
	kgate_obj_init(&svc->obj, KGATE_OBJ_SERVICE, svc->name);
	svc->timeout = KGATE_TIMEOUT_DEFAULT;
	if (n_fe) {
		svc->frontends = kcalloc(n_fe, sizeof(*svc->frontends),
					 GFP_KERNEL_ACCOUNT);
		if (!svc->frontends)
			goto err;
	}
	if (n_rng) {
		svc->ranges = kcalloc(n_rng, sizeof(*svc->ranges), GFP_KERNEL_ACCOUNT);
		if (!svc->ranges)
			goto err;
	}
	if (n_be) {
		svc->backends = kvcalloc(n_be, sizeof(*svc->backends),
					 GFP_KERNEL_ACCOUNT);
		if (!svc->backends)
			goto err;
	}
	return svc;
err:
	kgate_svc_free(svc);
	return NULL;
}

/*
 * A private copy of @old with room for @n_be backends, of which the first
 * min(old->n_backends, n_be) are copied; the caller fills in the rest and
 * sets n_backends.
 */
struct kgate_service *kgate_svc_copy(const struct kgate_service *old,
				     u32 n_be)
{
	struct kgate_service *svc;
	u32 i;

	svc = kgate_svc_alloc(strlen(old->name), old->n_frontends,
			      old->n_ranges, n_be);
	if (!svc)
		return NULL;
	strscpy(svc->name, old->name, strlen(old->name) + 1);
	if (old->owner) {
		svc->owner = kstrdup(old->owner, GFP_KERNEL_ACCOUNT);
		if (!svc->owner) {
			kgate_svc_free(svc);
			return NULL;
		}
	}
	svc->sched = old->sched;
	svc->affinity = old->affinity;
	svc->ext_policy = old->ext_policy;
	svc->int_policy = old->int_policy;
	svc->table_size = old->table_size;
	svc->timeout = old->timeout;
	svc->n_frontends = old->n_frontends;
	for (i = 0; i < old->n_frontends; i++) {
		svc->frontends[i].key = old->frontends[i].key;
		svc->frontends[i].kind = old->frontends[i].kind;
		svc->frontends[i].svc = svc;
	}
	svc->n_ranges = old->n_ranges;
	if (old->n_ranges)
		memcpy(svc->ranges, old->ranges,
		       old->n_ranges * sizeof(*svc->ranges));
	svc->n_backends = min(old->n_backends, n_be);
	if (svc->n_backends)
		memcpy(svc->backends, old->backends,
		       svc->n_backends * sizeof(*svc->backends));
	/* Counters are shared by kgate_cnt_share(), with a reference each. */
	for (i = 0; i < svc->n_backends; i++)
		svc->backends[i].cnt = NULL;
	return svc;
}

void kgate_svc_free(struct kgate_service *svc)
{
	if (!svc)
		return;
	kgate_lb_free(svc);
	kgate_cnt_release(svc);
	kgate_aff_put(svc->aff);
	kvfree(svc->be_index);
	kfree(svc->frontends);
	kfree(svc->ranges);
	kvfree(svc->backends);
	kfree(svc->owner);
	kfree(svc);
}

struct kgate_service *kgate_svc_lookup(struct kgate_net *kn, const char *name,
				       u64 gen)
{
	struct kgate_obj *obj = kgate_obj_lookup(kn, KGATE_OBJ_SERVICE, name,
						 gen);

	return obj ? container_of(obj, struct kgate_service, obj) : NULL;
}

/* The service @name of the current generation, for readers (RCU). */
struct kgate_service *kgate_svc_find(struct kgate_net *kn, const char *name,
				     u64 *genp)
{
	struct kgate_obj *obj = kgate_obj_find(kn, KGATE_OBJ_SERVICE, name,
					       genp);

	return obj ? container_of(obj, struct kgate_service, obj) : NULL;
}

/* The frontend @key of generation @gen, if any.  Under RCU. */
const struct kgate_frontend *kgate_fe_lookup(struct kgate_net *kn,
					     const struct kgate_fe_key *key,
					     u64 gen)
{
	struct kgate_frontend *fe;
	struct rhlist_head *list, *pos;

	list = rhltable_lookup(&kn->frontends, key, fe_params);
	rhl_for_each_entry_rcu(fe, pos, list, node)
		if (kgate_svc_live(fe->svc, gen))
			return fe;
	return NULL;
}

/* The service that owns @key in generation @gen, if any.  Under kn->lock. */
struct kgate_service *kgate_fe_owner(struct kgate_net *kn,
				     const struct kgate_fe_key *key, u64 gen)
{
	const struct kgate_frontend *fe;

	rcu_read_lock();
	fe = kgate_fe_lookup(kn, key, gen);
	rcu_read_unlock();
	return fe ? fe->svc : NULL;
}

/*
 * Make @svc reachable.  On failure it is partly linked: the caller undoes
 * it with kgate_svc_unlink(), which tolerates that.
 */
int kgate_svc_link(struct kgate_net *kn, struct kgate_service *svc)
{
	int err;
	u32 i;

	err = kgate_obj_link(kn, &svc->obj);
	if (err)
		return err;
	for (i = 0; i < svc->n_frontends; i++) {
		err = rhltable_insert(&kn->frontends, &svc->frontends[i].node,
				      fe_params);
		if (err)
			return err;
	}
	return 0;
}

void kgate_svc_unlink(struct kgate_net *kn, struct kgate_service *svc)
{
	u32 i;

	/* -ENOENT for what was never inserted is expected here. */
	for (i = 0; i < svc->n_frontends; i++)
		rhltable_remove(&kn->frontends, &svc->frontends[i].node,
				fe_params);
	kgate_obj_unlink(kn, &svc->obj);
}

static u32 be_hash(u8 family, const void *addr, u16 port)
{
	return jhash(addr, family == AF_INET ? 4 : 16, port);
}

#define BE_EMPTY	U16_MAX	/* KGATE_BACKENDS_MAX is below */

static bool be_equal(const struct kgate_backend *a,
		     const struct kgate_backend *b)
{
	return a->family == b->family && a->port == b->port &&
	       ipv6_addr_equal(&a->addr, &b->addr);
}

/*
 * The index of backends by identity: duplicates when a request is parsed,
 * and for the data plane the counters of a connection's backend and
 * whether an affinity entry's backend is still there.  At most half full,
 * so probes stay short.  Room for @n backends.
 */
int kgate_be_index_init(struct kgate_service *svc, u32 n)
{
	u32 size;

	if (!n)
		return 0;
	size = roundup_pow_of_two(2 * n);
	svc->be_index = kvmalloc_array(size, sizeof(u16), GFP_KERNEL_ACCOUNT);
	if (!svc->be_index)
		return -ENOMEM;
	memset(svc->be_index, 0xff, size * sizeof(u16));
	svc->be_mask = size - 1;
	return 0;
}

/* Index backend @i; -EEXIST if an equal one is there already. */
int kgate_be_index_add(struct kgate_service *svc, u32 i)
{
	const struct kgate_backend *be = &svc->backends[i];
	u32 h = be_hash(be->family, &be->addr, be->port);
	u16 j;

	for (;; h++) {
		j = svc->be_index[h & svc->be_mask];
		if (j == BE_EMPTY)
			break;
		if (be_equal(&svc->backends[j], be))
			return -EEXIST;
	}
	svc->be_index[h & svc->be_mask] = i;
	return 0;
}

/* The index of @svc's backends, unless it has one already. */
int kgate_be_index_build(struct kgate_service *svc)
{
	u32 i;
	int err;

	if (svc->be_index || !svc->n_backends)
		return 0;
	err = kgate_be_index_init(svc, svc->n_backends);
	for (i = 0; !err && i < svc->n_backends; i++)
		err = kgate_be_index_add(svc, i);
	return err;
}

/* The backend (@family, @addr, @port) of @svc, NULL if none.  RCU. */
const struct kgate_backend *kgate_be_lookup(const struct kgate_service *svc,
					    u8 family, const void *addr,
					    u16 port)
{
	unsigned int alen = family == AF_INET ? 4 : 16;
	u32 h = be_hash(family, addr, port);
	u16 i;

	if (!svc->be_index)
		return NULL;
	for (;; h++) {
		const struct kgate_backend *be;

		i = svc->be_index[h & svc->be_mask];
		if (i == BE_EMPTY)
			return NULL;
		be = &svc->backends[i];
		if (be->family == family && be->port == port &&
		    !memcmp(&be->addr, addr, alen))
			return be;
	}
}

bool kgate_svc_has_family(const struct kgate_service *svc, u8 family)
{
	u32 i;

	for (i = 0; i < svc->n_frontends; i++)
		if (svc->frontends[i].key.family == family)
			return true;
	return false;
}

/* Maglev needs a table of at least 100 slots per backend. */
u32 kgate_table_size_min(u32 n_backends)
{
	return max_t(u32, KGATE_TABLE_SIZE_MIN, n_backends * 100);
}
