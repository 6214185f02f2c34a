// SPDX-License-Identifier: GPL-2.0
/*
 * Per-route rate limits per client address (ingress-nginx's limit-rps):
 * a token bucket per client, @burst tokens deep, refilled at @rate per
 * second, one token per request.
 *
 * A bucket is kept as the time at which it will be full again ("tat", as
 * in GCRA): a request at @now is let in if tat - now leaves room for one
 * more token within the burst, and pushes tat one interval further.  One
 * u64 per client, no timer.
 *
 * Clients are remembered in a hash of at most KGATE_RL_CLIENTS buckets.
 * When it is full, the least recently seen client's bucket is taken for
 * the new one: that client starts again with a full bucket, which lets
 * at most one burst more through for it.  Such takeovers are counted
 * (kgate_rl_evicted()).  A bucket that cannot be allocated lets the
 * request in, counted the same way: the limiter never refuses a client
 * for want of memory.
 */
#include <linux/jhash.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/spinlock.h>

#include "l7.h"
#include "proxy.h"

#define KGATE_RL_CLIENTS	65536
#define KGATE_RL_HASH		4096

struct kgate_rl_client {
	struct hlist_node hnode;
	struct list_head lru;		/* most recent first */
	u64 tat;			/* ns: when the bucket is full again */
	u8 family;
	u8 addr[16];
};

struct kgate_ratelimit {
	refcount_t ref;
	u32 rate;
	u32 burst;
	u64 interval;			/* ns per token */
	u32 seed;
	spinlock_t lock;		/* n, lru, hash, the clients */
	u32 n;
	struct list_head lru;
	atomic64_t evicted;
	struct hlist_head hash[];
};

struct kgate_ratelimit *kgate_rl_new(u32 rate, u32 burst)
{
	struct kgate_ratelimit *rl;
	int i;

	if (!rate)
		return NULL;
	rl = kvzalloc(struct_size(rl, hash, KGATE_RL_HASH), GFP_KERNEL_ACCOUNT);
	if (!rl)
		return NULL;
	refcount_set(&rl->ref, 1);
	rl->rate = rate;
	rl->burst = max(burst, 1U);
	rl->interval = max_t(u64, NSEC_PER_SEC / rate, 1);
	rl->seed = get_random_u32();
	spin_lock_init(&rl->lock);
	INIT_LIST_HEAD(&rl->lru);
	atomic64_set(&rl->evicted, 0);
	for (i = 0; i < KGATE_RL_HASH; i++)
		INIT_HLIST_HEAD(&rl->hash[i]);
	return rl;
}

struct kgate_ratelimit *kgate_rl_get(struct kgate_ratelimit *rl)
{
	refcount_inc(&rl->ref);
	return rl;
}

/* Process context: the last reference frees every client's bucket. */
void kgate_rl_put(struct kgate_ratelimit *rl)
{
	struct kgate_rl_client *cl, *tmp;

	if (!rl || !refcount_dec_and_test(&rl->ref))
		return;
	list_for_each_entry_safe(cl, tmp, &rl->lru, lru)
		kfree(cl);
	kvfree(rl);
}

u64 kgate_rl_evicted(const struct kgate_ratelimit *rl)
{
	return atomic64_read(&rl->evicted);
}

static u32 addr_len(u8 family)
{
	return family == AF_INET6 ? 16 : 4;
}

static struct hlist_head *rl_bucket(struct kgate_ratelimit *rl, u8 family,
				    const void *addr)
{
	u32 h = jhash(addr, addr_len(family), rl->seed ^ family);

	return &rl->hash[h % KGATE_RL_HASH];
}

static struct kgate_rl_client *rl_find(struct kgate_ratelimit *rl, u8 family,
				       const void *addr)
{
	struct kgate_rl_client *cl;

	hlist_for_each_entry(cl, rl_bucket(rl, family, addr), hnode)
		if (cl->family == family &&
		    !memcmp(cl->addr, addr, addr_len(family)))
			return cl;
	return NULL;
}

/* A bucket for a new client, full; NULL if none could be had. */
static struct kgate_rl_client *rl_add(struct kgate_ratelimit *rl, u8 family,
				      const void *addr, u64 now)
{
	struct kgate_rl_client *cl;

	if (rl->n < KGATE_RL_CLIENTS) {
		cl = kzalloc(sizeof(*cl), GFP_ATOMIC | __GFP_ACCOUNT |
				      __GFP_NOWARN);
		if (!cl)
			return NULL;
		rl->n++;
	} else {
		cl = list_last_entry(&rl->lru, struct kgate_rl_client, lru);
		hlist_del(&cl->hnode);
		list_del(&cl->lru);
		atomic64_inc(&rl->evicted);
		memset(cl->addr, 0, sizeof(cl->addr));
	}
	cl->family = family;
	memcpy(cl->addr, addr, addr_len(family));
	cl->tat = now;
	hlist_add_head(&cl->hnode, rl_bucket(rl, family, addr));
	list_add(&cl->lru, &rl->lru);
	return cl;
}

u32 kgate_rl_take(struct kgate_ratelimit *rl, u8 family, const void *addr)
{
	u64 now = ktime_get_ns(), tau, wait;
	struct kgate_rl_client *cl;
	u32 retry = 0;

	/* The burst is how far ahead of now the bucket may be spent. */
	tau = (u64)(rl->burst - 1) * rl->interval;
	spin_lock_bh(&rl->lock);
	cl = rl_find(rl, family, addr);
	if (cl) {
		list_move(&cl->lru, &rl->lru);
	} else {
		cl = rl_add(rl, family, addr, now);
		if (!cl) {
			atomic64_inc(&rl->evicted);
			goto out;
		}
	}
	if (cl->tat < now)
		cl->tat = now;
	if (cl->tat - now > tau) {
		wait = cl->tat - now - tau;
		retry = max_t(u64, DIV_ROUND_UP_ULL(wait, NSEC_PER_SEC), 1);
		goto out;
	}
	cl->tat += rl->interval;
out:
	spin_unlock_bh(&rl->lock);
	return retry;
}
