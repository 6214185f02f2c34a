/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maglev consistent hashing with weights (Eisenbud et al., "Maglev: A Fast
 * and Reliable Software Network Load Balancer", NSDI 2016, section 3.4).
 *
 * A lookup table of prime size m maps a flow hash to a backend.  Each
 * backend prefers the slots in the order of its own permutation of 0..m-1,
 * derived from a hash of its identity alone; backends take turns, each
 * filling the next free slot it prefers, until the table is full.  So every
 * node computes the same table for the same backend set, and removing or
 * adding one backend moves few slots between the others.
 *
 * Weights: turns go to backends in proportion to their weights, by the
 * Sainte-Lague divisor method (the next turn goes to the backend with the
 * least (2 * turns + 1) / weight, ties to the lower array index).  Each
 * backend of weight w then owns within 1/2 + n * w / (2 * W) slots of
 * m * w / W, where W is the sum of the weights and n the number of backends
 * of non-zero weight: within one slot for equal weights, and within about
 * n / (2 * m) of its share in relative terms.  With equal weights this is
 * the paper's round-robin of turns.  A backend of weight 0 takes no turn and
 * owns no slot: the table is then the same as if it were absent (with the
 * indexes of the others unchanged).
 *
 * Order: the table depends on the backends' id_hash and weight, and on
 * their order in the array, which decides who of two backends due a turn
 * at the same time goes first, hence who gets a slot both want.  Pass the
 * backends in a canonical order (e.g. sorted by address, then port) so
 * that every node builds the same table.
 *
 * The table holds u16 indexes into the backend array (KGATE_BACKENDS_MAX is
 * 1000), or KG_MAGLEV_NONE when no backend has a non-zero weight: 2 bytes a
 * slot, about 2 MB at KGATE_TABLE_SIZE_MAX.
 *
 * Memory is the caller's: the table (m entries) and a scratch area of
 * kg_maglev_scratch_size(n) bytes, aligned for a u32 (kmalloc and malloc
 * memory is), needed only during kg_maglev_build().
 */
#ifndef _KGATE_CORE_MAGLEV_H
#define _KGATE_CORE_MAGLEV_H

#include "port.h"
#include "hash.h"

/* The table entry when no backend takes new flows. */
#define KG_MAGLEV_NONE		0xffffU
/* Backends per table: every index must differ from KG_MAGLEV_NONE. */
#define KG_MAGLEV_BACKENDS_MAX	0xffffU

struct kg_maglev_backend {
	u32 id_hash;	/* kg_maglev_backend_hash() of its address and port */
	u32 weight;	/* 0..KGATE_WEIGHT_MAX; 0: no slot */
};

/*
 * The identity hash of a backend: its address (@addr_len bytes, network
 * byte order, any alignment) and its port (host byte order).  A fixed function of its
 * input: the same on every node, in every boot.
 */
u32 kg_maglev_backend_hash(const void *addr, unsigned int addr_len, u16 port);

/*
 * The default table size for @n backends: the first of a fixed ladder of
 * primes (251, 509, 1021, ... 524287, KGATE_TABLE_SIZE_MAX) that is at
 * least 100 * n, or KGATE_TABLE_SIZE_MAX for n > 10000.  A ladder, so that
 * adding or removing a backend seldom changes the size, which would move
 * most flows.
 */
u32 kg_maglev_default_size(u32 n);

/* Bytes of scratch memory kg_maglev_build() needs for @n backends. */
size_t kg_maglev_scratch_size(u32 n);

/*
 * Fill @table[0..@m-1] from the @n backends at @be.
 *
 * @m must be a prime in [@n, KGATE_TABLE_SIZE_MAX] (and >= 2), @n at most
 * KG_MAGLEV_BACKENDS_MAX, every weight at most KGATE_WEIGHT_MAX; otherwise
 * -EINVAL, and @table is left untouched.  @n may be 0 (@be and @scratch
 * are then not read): like all weights 0, this fills the table with
 * KG_MAGLEV_NONE and returns 0.
 *
 * Work: O(n + m log n) for the turns, plus the walks along the
 * permutations to a free slot, O(m log m) expected for distinct id_hash
 * values and at most n * m in any case (a backend never looks at a slot
 * twice).  No allocation, no sleeping, no global state.
 */
int kg_maglev_build(u16 *table, u32 m, const struct kg_maglev_backend *be,
		    u32 n, void *scratch);

/*
 * kg_maglev_build(), and the owner of each turn into @turns[0..@m-1]: the
 * backends in the order the weights give them turns, smoothly interleaved
 * (with equal weights, round robin in array order).  That is weighted
 * round robin, for a scheduler that walks @turns with a cursor.
 */
int kg_maglev_build_turns(u16 *table, u16 *turns, u32 m,
			  const struct kg_maglev_backend *be, u32 n,
			  void *scratch);

/*
 * The backend index for a flow hash (kg_flow_hash() or kg_src_hash()), or
 * KG_MAGLEV_NONE.  The slot is @flow_hash % @m: the hashes above mix every
 * bit, and a u32 modulo is cheap next to a new connection's other work.
 */
static inline u32 kg_maglev_lookup(const u16 *table, u32 m, u32 flow_hash)
{
	return table[flow_hash % m];
}

#endif /* _KGATE_CORE_MAGLEV_H */
