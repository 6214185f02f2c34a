// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev consistent hashing with weights: see maglev.h for the method and
 * its guarantees.  Shared by the module and the userspace tests and fuzzer.
 */
#include <linux/kgate.h>

#include "check.h"
#include "maglev.h"

/* Seeds of the three hashes of a backend identity; any fixed values do. */
#define KG_MAGLEV_SEED_ID	0x6b676174U	/* "kgat" */
#define KG_MAGLEV_SEED_OFFSET	0x6f666673U	/* "offs" */
#define KG_MAGLEV_SEED_SKIP	0x736b6970U	/* "skip" */

/*
 * Per backend, in the scratch area: where it is in its permutation of the
 * slots, its step through it, and the turns it has taken.
 */
struct kg_maglev_perm {
	u32 pos;
	u32 skip;
	u32 turns;
	u32 weight;
};

u32 kg_maglev_backend_hash(const void *addr, unsigned int addr_len, u16 port)
{
	u32 h = kg_hash_addr(KG_MAGLEV_SEED_ID, addr, addr_len);

	h = kg_hash_word(h, port);
	return kg_hash_final(h, kg_hash_addr_len(addr_len) + 4);
}

/*
 * The sizes, the largest primes below powers of two.  Sizes on a ladder,
 * rather than the least prime above 100 * n, keep the size (and so every
 * slot's owner) when a backend comes or goes, except where n crosses a
 * rung: flow_hash % m must not change with n.
 */
static const u32 kg_maglev_sizes[] = {
	251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071,
	262139, 524287, KGATE_TABLE_SIZE_MAX,
};

u32 kg_maglev_default_size(u32 n)
{
	unsigned int i;

	for (i = 0; i < sizeof(kg_maglev_sizes) / sizeof(u32) - 1; i++)
		if (n <= kg_maglev_sizes[i] / 100)
			break;
	return kg_maglev_sizes[i];
}

size_t kg_maglev_scratch_size(u32 n)
{
	return (size_t)n * (sizeof(struct kg_maglev_perm) + sizeof(u16));
}

/*
 * Whether backend @a takes its next turn before backend @b: the one with
 * the smaller (2 * turns + 1) / weight, compared by cross-multiplying (at
 * most about 2 * 10^6 * 10^4, well within a u64), ties to the lower index.
 */
static bool kg_maglev_before(const struct kg_maglev_perm *perm, u16 a, u16 b)
{
	u64 ka = (u64)(2 * perm[a].turns + 1) * perm[b].weight;
	u64 kb = (u64)(2 * perm[b].turns + 1) * perm[a].weight;

	return ka < kb || (ka == kb && a < b);
}

/* Restore the min-heap order below @k, where the key of heap[@k] grew. */
static void kg_maglev_sift(u16 *heap, u32 size, u32 k,
			   const struct kg_maglev_perm *perm)
{
	u16 x = heap[k];

	for (;;) {
		u32 c = 2 * k + 1;

		if (c >= size)
			break;
		if (c + 1 < size && kg_maglev_before(perm, heap[c + 1], heap[c]))
			c++;
		if (!kg_maglev_before(perm, heap[c], x))
			break;
		heap[k] = heap[c];
		k = c;
	}
	heap[k] = x;
}

/* The next slot in the permutation of @p. */
static void kg_maglev_step(struct kg_maglev_perm *p, u32 m)
{
	p->pos += p->skip;
	if (p->pos >= m)
		p->pos -= m;
}

static bool kg_maglev_valid(u32 m, const struct kg_maglev_backend *be, u32 n)
{
	u32 i;

	if (n > KG_MAGLEV_BACKENDS_MAX || m < n ||
	    m > KGATE_TABLE_SIZE_MAX || !kg_is_prime(m))
		return false;
	for (i = 0; i < n; i++)
		if (be[i].weight > KGATE_WEIGHT_MAX)
			return false;
	return true;
}

int kg_maglev_build(u16 *table, u32 m, const struct kg_maglev_backend *be,
		    u32 n, void *scratch)
{
	return kg_maglev_build_turns(table, NULL, m, be, n, scratch);
}

int kg_maglev_build_turns(u16 *table, u16 *turns, u32 m,
			  const struct kg_maglev_backend *be, u32 n,
			  void *scratch)
{
	struct kg_maglev_perm *perm = scratch;
	u32 i, k, size = 0, next = 0;
	bool equal = true;
	u16 *heap;

	if (!kg_maglev_valid(m, be, n))
		return -EINVAL;
	for (i = 0; i < m; i++) {
		table[i] = KG_MAGLEV_NONE;
		if (turns)
			turns[i] = KG_MAGLEV_NONE;
	}
	if (!n)
		return 0;
	heap = (u16 *)(perm + n);

	/*
	 * Backend i prefers the slots offset, offset + skip, offset + 2 skip,
	 * ... (mod m): as m is prime and 0 < skip < m, that visits every slot
	 * once.  Only backends of non-zero weight take part.
	 */
	for (i = 0; i < n; i++) {
		u32 id = be[i].id_hash;

		if (!be[i].weight)
			continue;
		perm[i].pos = kg_hash_final(kg_hash_word(KG_MAGLEV_SEED_OFFSET,
							 id), 4) % m;
		perm[i].skip = kg_hash_final(kg_hash_word(KG_MAGLEV_SEED_SKIP,
							  id), 4) % (m - 1) + 1;
		perm[i].turns = 0;
		perm[i].weight = be[i].weight;
		if (size && be[i].weight != perm[heap[0]].weight)
			equal = false;
		heap[size++] = i;
	}
	if (!size)
		return 0;
	/*
	 * Equal weights, the common case: the heap would give the turns
	 * round robin in index order (fewest turns first, ties to the lower
	 * index), so take them so, in the order heap[] already has.
	 */
	for (k = size / 2; !equal && k-- > 0;)
		kg_maglev_sift(heap, size, k, perm);

	/*
	 * m turns, one slot each.  The walk to a free slot ends: the table is
	 * not full yet, and the permutation reaches every slot.  A backend
	 * only steps past slots that are taken and stay so: it never looks at
	 * a slot twice.
	 */
	for (k = 0; k < m; k++) {
		u16 who = equal ? heap[next] : heap[0];
		struct kg_maglev_perm *p = &perm[who];

		while (table[p->pos] != KG_MAGLEV_NONE)
			kg_maglev_step(p, m);
		table[p->pos] = who;
		if (turns)
			turns[k] = who;
		kg_maglev_step(p, m);
		p->turns++;
		if (!equal)
			kg_maglev_sift(heap, size, 0, perm);
		else if (++next == size)
			next = 0;
		if (!(k & 0xffff))
			kg_cond_resched();
	}
	return 0;
}
