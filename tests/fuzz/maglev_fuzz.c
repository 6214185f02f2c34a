// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/core/maglev.c.
 *
 * The input chooses the backends (count, identity hashes, weights, with
 * duplicates and zero weights on purpose) and the table size, valid or not.
 * Checked on every input:
 *   - kg_maglev_build() succeeds exactly when the input is valid (as
 *     maglev.h states it), and a refused input leaves the table untouched;
 *   - every slot is a backend of non-zero weight, or every slot is NONE
 *     when no weight is non-zero;
 *   - each backend's slot count is within the bound of maglev.h;
 *   - a second build, into other memory with dirty scratch, is identical,
 *     and so is a build without the backends of weight 0;
 *   - kg_maglev_default_size() is a prime in range, at least 100 n;
 *   - lookups of hashes of input bytes give a valid entry.
 *
 * Input layout (missing bytes read as 0):
 *   u8 mode, u16 n, u32 m, then per backend u32 id and u16 weight.
 *   mode bit 0: m taken raw (any size below 70000, often not prime);
 *   mode bit 1: m above KGATE_TABLE_SIZE_MAX;
 *   mode bit 2: identities from a set of 4 (many duplicates);
 *   mode bit 3: larger tables.
 *   Otherwise m is the first prime >= max(n, 2 + m % 1021), or with bit 3
 *   >= max(n, 2 + m % 30011).
 *   Weight: the top 2 bits pick 0, 0..15, 0..KGATE_WEIGHT_MAX or
 *   KGATE_WEIGHT_MAX - 1..KGATE_WEIGHT_MAX + 2 (half of these invalid).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kgate.h>

#include "check.h"
#include "maglev.h"

#define FUZZ_BACKENDS_MAX 1000

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint32_t take(struct reader *r, unsigned int bytes)
{
	uint32_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		v <<= 8;
		if (r->left) {
			v |= *r->p++;
			r->left--;
		}
	}
	return v;
}

static void fail(const char *what, uint32_t m, uint32_t n)
{
	fprintf(stderr, "maglev_fuzz: %s (m=%u n=%u)\n", what, m, n);
	abort();
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		abort();
	return p;
}

static void check_default_size(uint32_t n)
{
	uint32_t m = kg_maglev_default_size(n);
	uint64_t want = 100ull * n;

	if (want < KGATE_TABLE_SIZE_MIN)
		want = KGATE_TABLE_SIZE_MIN;
	if (want > KGATE_TABLE_SIZE_MAX)
		want = KGATE_TABLE_SIZE_MAX;
	if (!kg_is_prime(m) || m < want || m > KGATE_TABLE_SIZE_MAX)
		fail("bad default size", m, n);
}

static void check_shares(const u16 *t, uint32_t m,
			 const struct kg_maglev_backend *be, uint32_t n)
{
	uint32_t *cnt = calloc(n ? n : 1, sizeof(*cnt));
	int64_t wsum = 0, nz = 0;
	uint32_t i;

	if (!cnt)
		abort();
	for (i = 0; i < n; i++) {
		wsum += be[i].weight;
		nz += be[i].weight > 0;
	}
	for (i = 0; i < m; i++) {
		if (!wsum) {
			if (t[i] != KG_MAGLEV_NONE)
				fail("slot not NONE with all weights 0", m, n);
			continue;
		}
		if (t[i] >= n)
			fail("slot out of range", m, n);
		if (!be[t[i]].weight)
			fail("slot of a weight-0 backend", m, n);
		cnt[t[i]]++;
	}
	for (i = 0; wsum && i < n; i++) {
		int64_t w = be[i].weight;
		int64_t dev = 2 * wsum * cnt[i] - 2 * (int64_t)m * w;

		if (dev < 0)
			dev = -dev;
		if (dev > wsum + nz * w)
			fail("share outside the bound", m, n);
	}
	free(cnt);
}

/* The same table without the weight-0 backends, indexes mapped back. */
static void check_zero_absent(const u16 *t, uint32_t m,
			      const struct kg_maglev_backend *be, uint32_t n)
{
	struct kg_maglev_backend *nz = xmalloc(n * sizeof(*nz));
	uint32_t *map = xmalloc(n * sizeof(*map));
	void *scratch = xmalloc(kg_maglev_scratch_size(n));
	u16 *t2 = xmalloc(m * sizeof(*t2));
	uint32_t i, k = 0;

	for (i = 0; i < n; i++)
		if (be[i].weight) {
			map[k] = i;
			nz[k++] = be[i];
		}
	if (kg_maglev_build(t2, m, nz, k, scratch))
		fail("build without weight-0 backends refused", m, n);
	for (i = 0; i < m; i++)
		if (k ? map[t2[i]] != t[i] : t2[i] != t[i])
			fail("weight 0 is not the same as absent", m, n);
	free(t2);
	free(scratch);
	free(map);
	free(nz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	uint32_t mode = take(&r, 1), n = take(&r, 2) % (FUZZ_BACKENDS_MAX + 1);
	uint32_t m_raw = take(&r, 4), m, i;
	struct kg_maglev_backend *be = xmalloc(n * sizeof(*be));
	void *scratch = xmalloc(kg_maglev_scratch_size(n));
	u16 *t, *t2;
	uint8_t *dirty;
	bool valid = true;
	int rc;

	if (mode & 2) {
		m = KGATE_TABLE_SIZE_MAX + 1 +
		    m_raw % (UINT32_MAX - KGATE_TABLE_SIZE_MAX);
	} else if (mode & 1) {
		m = m_raw % 70000;
	} else {
		m = 2 + m_raw % (mode & 8 ? 30011 : 1021);
		if (m < n)
			m = n;
		while (!kg_is_prime(m))
			m++;
	}
	for (i = 0; i < n; i++) {
		uint32_t id = take(&r, 4), w = take(&r, 2);

		be[i].id_hash = mode & 4 ? id & 3 : id;
		switch (w >> 14) {
		case 0:
			be[i].weight = 0;
			break;
		case 1:
			be[i].weight = w & 15;
			break;
		case 2:
			be[i].weight = w % (KGATE_WEIGHT_MAX + 1);
			break;
		default:
			be[i].weight = KGATE_WEIGHT_MAX - 1 + (w & 3);
			break;
		}
		valid &= be[i].weight <= KGATE_WEIGHT_MAX;
	}
	valid &= m >= n && m <= KGATE_TABLE_SIZE_MAX && kg_is_prime(m);

	check_default_size(n);
	check_default_size(m_raw);

	/* A canary slot past the end: a refused build touches nothing. */
	t = xmalloc(((valid ? m : 16) + 1) * sizeof(*t));
	for (i = 0; i <= (valid ? m : 16); i++)
		t[i] = 0x5aa5;
	memset(scratch, 0, kg_maglev_scratch_size(n));
	rc = kg_maglev_build(t, m, be, n, scratch);
	if (!valid) {
		if (rc != -EINVAL)
			fail("invalid input not refused with -EINVAL", m, n);
		for (i = 0; i <= 16; i++)
			if (t[i] != 0x5aa5)
				fail("refused build wrote the table", m, n);
		goto out;
	}
	if (rc)
		fail("valid input refused", m, n);
	if (t[m] != 0x5aa5)
		fail("build wrote past the table", m, n);
	check_shares(t, m, be, n);

	/* Again, elsewhere, with dirty scratch: the same table. */
	dirty = xmalloc(kg_maglev_scratch_size(n) + 8);
	memset(dirty, 0xff, kg_maglev_scratch_size(n) + 8);
	t2 = xmalloc(m * sizeof(*t2));
	if (kg_maglev_build(t2, m, be, n, dirty + 8) ||
	    memcmp(t, t2, m * sizeof(*t)))
		fail("second build differs", m, n);
	free(t2);
	free(dirty);
	check_zero_absent(t, m, be, n);

	/* Lookups of hashes of the input itself. */
	for (i = 0; i + 4 <= size && i < 64; i += 4) {
		u32 h = kg_flow_hash(data + i, data, size - i < 16 ? 4 : 16,
				     (u16)i, (u16)size, (u8)mode, m_raw);
		u32 e = kg_maglev_lookup(t, m, h);

		if (e != KG_MAGLEV_NONE && (e >= n || !be[e].weight))
			fail("lookup gave a bad entry", m, n);
		h = kg_src_hash(data + i, size - i < 16 ? 4 : 16, m_raw);
		if (kg_maglev_lookup(t, m, h) != t[h % m])
			fail("lookup is not table[h % m]", m, n);
	}
out:
	free(t);
	free(scratch);
	free(be);
	return 0;
}
