/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seeded 32-bit hashes of addresses and flows, the same on every node and
 * every architecture.
 *
 * The mixing is MurmurHash3 x86_32 (Austin Appleby's public domain
 * algorithm), written here from its description: each 32-bit word k of the
 * input is scrambled (k *= C1, k = rotl(k, 15), k *= C2) and folded into the
 * state (h ^= k, h = rotl(h, 13), h = h * 5 + C3); the state is then
 * finalized with the input length and the avalanche step fmix32.  Words are
 * read little-endian byte by byte, so the result does not depend on the
 * host's byte order or on the alignment of the input.  kg_hash_bytes() is
 * exactly MurmurHash3_x86_32, and the unit test checks it against the
 * algorithm's published test vectors.
 *
 * Not a cryptographic hash: with a known seed, inputs that collide can be
 * constructed.
 */
#ifndef _KGATE_CORE_HASH_H
#define _KGATE_CORE_HASH_H

#include "port.h"

#define KG_HASH_C1	0xcc9e2d51U
#define KG_HASH_C2	0x1b873593U
#define KG_HASH_C3	0xe6546b64U

/* @r must be in 1..31. */
static inline u32 kg_rotl32(u32 x, unsigned int r)
{
	return (x << r) | (x >> (32 - r));
}

static inline u32 kg_hash_scramble(u32 k)
{
	k *= KG_HASH_C1;
	k = kg_rotl32(k, 15);
	return k * KG_HASH_C2;
}

/* Fold one whole 32-bit word into the state @h. */
static inline u32 kg_hash_word(u32 h, u32 k)
{
	h ^= kg_hash_scramble(k);
	h = kg_rotl32(h, 13);
	return h * 5 + KG_HASH_C3;
}

/* The final avalanche: every input bit affects every output bit. */
static inline u32 kg_hash_fmix32(u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

/* @len is the number of input bytes folded into @h. */
static inline u32 kg_hash_final(u32 h, u32 len)
{
	return kg_hash_fmix32(h ^ len);
}

/* Up to 4 bytes at @p, little-endian; missing high bytes are zero. */
static inline u32 kg_hash_load(const u8 *p, unsigned int len)
{
	unsigned int i;
	u32 k = 0;

	for (i = 0; i < len && i < 4; i++)
		k |= (u32)p[i] << (8 * i);
	return k;
}

/* MurmurHash3_x86_32 of @len bytes at @p. */
static inline u32 kg_hash_bytes(const u8 *p, unsigned int len, u32 seed)
{
	unsigned int i;
	u32 h = seed;

	for (i = 0; i + 4 <= len; i += 4)
		h = kg_hash_word(h, kg_hash_load(p + i, 4));
	/* The last 1..3 bytes are scrambled in, without the state step. */
	if (len % 4)
		h ^= kg_hash_scramble(kg_hash_load(p + i, len % 4));
	return kg_hash_final(h, len);
}

/*
 * Fold an address of @len bytes into @h as whole words, the last one
 * zero-padded (addresses are 4 or 16 bytes: never padded in practice).
 */
static inline u32 kg_hash_addr(u32 h, const u8 *addr, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i += 4)
		h = kg_hash_word(h, kg_hash_load(addr + i, len - i));
	return h;
}

/* Whole words folded in for an address of @len bytes, in bytes. */
static inline u32 kg_hash_addr_len(unsigned int len)
{
	return (len + 3) / 4 * 4;
}

/*
 * The hash of a connection's 5-tuple, for the choice of its backend.
 * Addresses are @alen bytes each, in network byte order (as on the wire),
 * read byte by byte (any alignment); ports are plain numbers (host byte
 * order, e.g. 80).  Every node must use the same @seed to pick the same
 * backend for the same flow: a fixed value, or a secret shared by the whole
 * cluster, never a per-boot random one.
 * Not symmetric: the reply direction hashes differently.
 */
static inline u32 kg_flow_hash(const void *saddr, const void *daddr,
			       unsigned int alen, u16 sport, u16 dport,
			       u8 proto, u32 seed)
{
	u32 h = seed;

	h = kg_hash_addr(h, saddr, alen);
	h = kg_hash_addr(h, daddr, alen);
	h = kg_hash_word(h, (u32)sport << 16 | dport);
	h = kg_hash_word(h, proto);
	return kg_hash_final(h, 2 * kg_hash_addr_len(alen) + 8);
}

/* The hash of a source address alone, for ClientIP session affinity. */
static inline u32 kg_src_hash(const void *saddr, unsigned int alen,
			      u32 seed)
{
	return kg_hash_final(kg_hash_addr(seed, saddr, alen),
			     kg_hash_addr_len(alen));
}

#endif /* _KGATE_CORE_HASH_H */
