// SPDX-License-Identifier: GPL-2.0
/*
 * What services, listeners and routes share: one index by name (an
 * rhltable, because during a commit an object and its replacement share a
 * name; the generation tells them apart), a list per type in creation
 * order, and the deferred free of retired objects.
 */
#include <linux/jhash.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "kgate.h"

/*
 * The key is the name pointer (the address of obj->name), so that objects
 * of every type and size share the table; lookups pass the address of
 * theirs.
 */
static u32 name_hash(const void *data, u32 len, u32 seed)
{
	const char * const *name = data;

	return jhash(*name, strlen(*name), seed);
}

static u32 name_obj_hash(const void *data, u32 len, u32 seed)
{
	const struct kgate_obj *obj = data;

	return jhash(obj->name, strlen(obj->name), seed);
}

static int name_cmp(struct rhashtable_compare_arg *arg, const void *data)
{
	const char * const *name = arg->key;
	const struct kgate_obj *obj = data;

	return strcmp(*name, obj->name);
}

static const struct rhashtable_params name_params = {
	.head_offset = offsetof(struct kgate_obj, node),
	.key_offset = offsetof(struct kgate_obj, name),
	.hashfn = name_hash,
	.obj_hashfn = name_obj_hash,
	.obj_cmpfn = name_cmp,
	.automatic_shrinking = true,
};

int kgate_names_init(struct kgate_net *kn)
{
	int i;

	for (i = 0; i < __KGATE_OBJ_MAX; i++)
		INIT_LIST_HEAD(&kn->objs[i]);
	return rhltable_init(&kn->names, &name_params);
}

/* Only when nothing can reach the netns any more. */
void kgate_names_destroy(struct kgate_net *kn)
{
	struct kgate_obj *obj, *tmp;
	int i;

	for (i = 0; i < __KGATE_OBJ_MAX; i++) {
		list_for_each_entry_safe(obj, tmp, &kn->objs[i], list) {
			list_del(&obj->list);
			kgate_obj_free_rcu(obj);
		}
	}
	rhltable_destroy(&kn->names);
}

void kgate_obj_init(struct kgate_obj *obj, u8 type, const char *name)
{
	INIT_LIST_HEAD(&obj->list);
	INIT_LIST_HEAD(&obj->touched);
	obj->gen_add = KGATE_GEN_NEVER;
	obj->gen_del = KGATE_GEN_NEVER;
	obj->type = type;
	obj->name = name;
}

/* The object @name of type @type that generation @gen sees.  Any context. */
struct kgate_obj *kgate_obj_lookup(struct kgate_net *kn, u8 type,
				   const char *name, u64 gen)
{
	struct rhlist_head *list, *pos;
	struct kgate_obj *obj;

	rcu_read_lock();
	list = rhltable_lookup(&kn->names, &name, name_params);
	rhl_for_each_entry_rcu(obj, pos, list, node) {
		if (obj->type == type && kgate_obj_live(obj, gen)) {
			rcu_read_unlock();
			return obj;
		}
	}
	rcu_read_unlock();
	return NULL;
}

/*
 * The object of the current generation, for readers: a commit unlinks what
 * it retired right after the generation flip, so a miss is only trusted if
 * the generation held.  The generation it was found in goes to *@genp, if
 * given.  Under RCU.
 */
struct kgate_obj *kgate_obj_find(struct kgate_net *kn, u8 type,
				 const char *name, u64 *genp)
{
	struct kgate_obj *obj;
	u64 gen;

	do {
		gen = kgate_gen(kn);
		obj = kgate_obj_lookup(kn, type, name, gen);
	} while (!obj && gen != kgate_gen(kn));
	if (genp)
		*genp = gen;
	return obj;
}

/* On failure the object is on its list: kgate_obj_unlink() undoes both. */
int kgate_obj_link(struct kgate_net *kn, struct kgate_obj *obj)
{
	list_add_tail_rcu(&obj->list, &kn->objs[obj->type]);
	return rhltable_insert(&kn->names, &obj->node, name_params);
}

void kgate_obj_unlink(struct kgate_net *kn, struct kgate_obj *obj)
{
	/* -ENOENT for what was never inserted is expected here. */
	rhltable_remove(&kn->names, &obj->node, name_params);
	list_del_rcu(&obj->list);
}

void kgate_obj_free(struct kgate_obj *obj)
{
	if (!obj)
		return;
	switch (obj->type) {
	case KGATE_OBJ_SERVICE:
		kgate_svc_free(container_of(obj, struct kgate_service, obj));
		break;
	case KGATE_OBJ_LISTENER:
		kgate_listener_free(container_of(obj, struct kgate_listener,
						 obj));
		break;
	case KGATE_OBJ_ROUTE:
		kgate_route_put(container_of(obj, struct kgate_route, obj));
		break;
	}
}

static void obj_free_work(struct work_struct *work)
{
	kgate_obj_free(container_of(to_rcu_work(work), struct kgate_obj,
				    free_work));
}

/*
 * For objects readers may still be looking at.  Freed from a work item,
 * not an RCU callback: an affinity table is an rhashtable, whose
 * destruction sleeps, and a listener's counters go with it.
 */
void kgate_obj_free_rcu(struct kgate_obj *obj)
{
	INIT_RCU_WORK(&obj->free_work, obj_free_work);
	queue_rcu_work(kgate_wq, &obj->free_work);
}

/*
 * The arena: chunks of at least a page, the newest first.  A parse makes
 * many small arrays whose sizes it learns one list at a time; they all go
 * when the object goes.
 */
struct kgate_arena {
	struct kgate_arena *next;
	size_t used;
	size_t size;
	u64 data[];
};

#define ARENA_CHUNK	(PAGE_SIZE - sizeof(struct kgate_arena))

void *kgate_arena_alloc(struct kgate_arena **a, size_t size)
{
	struct kgate_arena *c = *a;
	void *p;

	size = ALIGN(size, sizeof(u64));
	if (!c || c->size - c->used < size) {
		size_t n = max_t(size_t, size, ARENA_CHUNK);

		c = kvmalloc(struct_size(c, data, n / sizeof(u64)),
			     GFP_KERNEL_ACCOUNT);
		if (!c)
			return NULL;
		c->next = *a;
		c->used = 0;
		c->size = n;
		*a = c;
	}
	p = (u8 *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

void kgate_arena_free(struct kgate_arena *a)
{
	while (a) {
		struct kgate_arena *next = a->next;

		kvfree(a);
		a = next;
	}
}
