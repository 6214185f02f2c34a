// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/core/maglev.c and hash.h, built for userspace with
 * ASan and UBSan.  Prints TAP (tests/unit/tap.h); exit status non-zero if
 * any test failed.  Measured figures (shares, disruption, time) and
 * progress are printed as "#" lines.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/kgate.h>

#include "check.h"
#include "maglev.h"
#include "tap.h"

static void ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ok(int cond, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tap_result(cond, "maglev: %s", msg);
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p) {
		perror("malloc");
		exit(2);
	}
	return p;
}

/* xorshift32: reproducible pseudo-random test inputs. */
static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Backend i: 10.1.(i / 256).(i % 256), port 8080, weight w. */
static struct kg_maglev_backend mkbe(unsigned int i, u32 w)
{
	u8 a[4] = { 10, 1, (u8)(i / 256), (u8)i };
	struct kg_maglev_backend be = {
		.id_hash = kg_maglev_backend_hash(a, 4, 8080),
		.weight = w,
	};

	return be;
}

/* Build into a fresh table; NULL (and a failed test) on error. */
static u16 *build(u32 m, const struct kg_maglev_backend *be, u32 n)
{
	void *scratch = xmalloc(kg_maglev_scratch_size(n));
	u16 *t = xmalloc(m * sizeof(*t));
	int rc = kg_maglev_build(t, m, be, n, scratch);

	free(scratch);
	if (rc) {
		ok(0, "build m=%u n=%u returned %d", m, n, rc);
		free(t);
		return NULL;
	}
	return t;
}

static void count(const u16 *t, u32 m, u32 *cnt, u32 n)
{
	u32 i;

	memset(cnt, 0, n * sizeof(*cnt));
	for (i = 0; i < m; i++)
		if (t[i] < n)
			cnt[t[i]]++;
}

/* Every slot a backend of non-zero weight. */
static int all_valid(const u16 *t, u32 m, const struct kg_maglev_backend *be,
		     u32 n)
{
	u32 i;

	for (i = 0; i < m; i++)
		if (t[i] >= n || !be[t[i]].weight)
			return 0;
	return 1;
}

/*
 * The bound maglev.h promises: |slots - m w / W| <= 1/2 + n' w / (2 W),
 * times 2 W.  Also reports the largest deviation from m w / W relative to
 * it, over the backends due at least 100 slots (a backend due 0.6 slots
 * gets 0 or 1: a large relative but no real deviation).
 */
static int within_bound(const u16 *t, u32 m,
			const struct kg_maglev_backend *be, u32 n,
			double *max_rel)
{
	u32 *cnt = xmalloc(n * sizeof(*cnt));
	int64_t wsum = 0, nz = 0;
	int good = 1;
	u32 i;

	count(t, m, cnt, n);
	for (i = 0; i < n; i++) {
		wsum += be[i].weight;
		nz += be[i].weight > 0;
	}
	*max_rel = 0;
	for (i = 0; i < n; i++) {
		int64_t w = be[i].weight;
		int64_t dev = 2 * wsum * cnt[i] - 2 * (int64_t)m * w;
		double rel;

		if (!w) {
			good &= cnt[i] == 0;
			continue;
		}
		if (dev < 0)
			dev = -dev;
		good &= dev <= wsum + nz * w;
		rel = (double)dev / (2.0 * (double)m * (double)w);
		if ((double)m * w >= 100.0 * wsum && rel > *max_rel)
			*max_rel = rel;
	}
	free(cnt);
	return good;
}

static void test_hash(void)
{
	static const struct {
		const char *s;
		unsigned int len;
		u32 seed, want;
	} v[] = {
		/* Published MurmurHash3_x86_32 test vectors. */
		{ "", 0, 0, 0 },
		{ "", 0, 1, 0x514e28b7 },
		{ "", 0, 0xffffffff, 0x81f16f39 },
		{ "\0\0\0\0", 4, 0, 0x2362f9de },
		{ "aaaa", 4, 0x9747b28c, 0x5a97808a },
		{ "abc", 3, 0, 0xb3dd93fa },
		{ "Hello, world!", 13, 0x9747b28c, 0x24884cba },
		{ "The quick brown fox jumps over the lazy dog", 43,
		  0x9747b28c, 0x2fa826cd },
	};
	u8 buf[64], s4[4] = { 192, 0, 2, 1 }, d4[4] = { 198, 51, 100, 7 };
	u8 s6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	u8 d6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
	u32 base, h, sw[4], dw[4];
	unsigned int i, bad = 0;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		/* At an odd address too: no alignment dependence. */
		memcpy(buf + 1, v[i].s, v[i].len);
		if (kg_hash_bytes((const u8 *)v[i].s, v[i].len, v[i].seed) !=
		    v[i].want ||
		    kg_hash_bytes(buf + 1, v[i].len, v[i].seed) != v[i].want)
			bad++;
	}
	ok(!bad, "kg_hash_bytes matches the MurmurHash3_x86_32 vectors (%u wrong)",
	   bad);

	base = kg_flow_hash(s4, d4, 4, 40000, 80, 6, 0);
	h = kg_flow_hash(s4, d4, 4, 40000, 80, 6, 0);
	bad = h != base;
	bad += kg_flow_hash(d4, s4, 4, 40000, 80, 6, 0) == base;
	bad += kg_flow_hash(s4, d4, 4, 40001, 80, 6, 0) == base;
	bad += kg_flow_hash(s4, d4, 4, 40000, 81, 6, 0) == base;
	bad += kg_flow_hash(s4, d4, 4, 80, 40000, 6, 0) == base;
	bad += kg_flow_hash(s4, d4, 4, 40000, 80, 17, 0) == base;
	bad += kg_flow_hash(s4, d4, 4, 40000, 80, 6, 1) == base;
	bad += kg_flow_hash(s6, d6, 16, 40000, 80, 6, 0) ==
	       kg_flow_hash(s6, d6, 16, 40000, 80, 17, 0);
	ok(!bad, "kg_flow_hash is stable and sees every field and the seed");

	/* As the module passes them: addresses as arrays of __be32. */
	memcpy(sw, s6, 16);
	memcpy(dw, d6, 16);
	ok(kg_flow_hash(sw, dw, 16, 1, 2, 17, 3) ==
	   kg_flow_hash(s6, d6, 16, 1, 2, 17, 3) &&
	   kg_src_hash(sw, 16, 3) == kg_src_hash(s6, 16, 3),
	   "flow and source hashes read addresses as bytes, whatever the pointer type");

	bad = kg_src_hash(s4, 4, 0) != kg_src_hash(s4, 4, 0);
	bad += kg_src_hash(s4, 4, 0) == kg_src_hash(d4, 4, 0);
	bad += kg_src_hash(s4, 4, 0) == kg_src_hash(s4, 4, 7);
	bad += kg_src_hash(s6, 16, 0) == kg_src_hash(d6, 16, 0);
	ok(!bad, "kg_src_hash is stable and sees the address and the seed");

	bad = kg_maglev_backend_hash(s4, 4, 80) ==
	      kg_maglev_backend_hash(s4, 4, 81);
	bad += kg_maglev_backend_hash(s4, 4, 80) ==
	       kg_maglev_backend_hash(d4, 4, 80);
	memcpy(buf + 3, s6, 16);
	bad += kg_maglev_backend_hash(s6, 16, 80) !=
	       kg_maglev_backend_hash(buf + 3, 16, 80);
	ok(!bad, "kg_maglev_backend_hash sees address and port, not alignment");
}

static void test_fill(void)
{
	struct kg_maglev_backend be[10];
	u32 m = 101, i, cnt[10], missing = 0;
	u16 *t;

	for (i = 0; i < 3; i++)
		be[i] = mkbe(i, 1);
	t = build(m, be, 3);
	if (!t)
		return;
	count(t, m, cnt, 3);
	ok(all_valid(t, m, be, 3) && cnt[0] && cnt[1] && cnt[2],
	   "3 backends, m=101: every slot a valid index, each backend present");
	free(t);

	for (i = 0; i < 10; i++)
		be[i] = mkbe(i, i % 3 ? 1 + i : 0);
	m = kg_maglev_default_size(10);
	t = build(m, be, 10);
	if (!t)
		return;
	count(t, m, cnt, 10);
	for (i = 0; i < 10; i++)
		missing += be[i].weight && !cnt[i];
	ok(all_valid(t, m, be, 10) && !missing,
	   "weight-0 backends (4 of 10) own no slot, all others some");
	free(t);
}

static void test_none(void)
{
	struct kg_maglev_backend be[5];
	u32 m = 211, i, bad = 0;
	void *scratch = xmalloc(kg_maglev_scratch_size(5));
	u16 t[211];
	int rc;

	for (i = 0; i < 5; i++)
		be[i] = mkbe(i, 0);
	rc = kg_maglev_build(t, m, be, 5, scratch);
	for (i = 0; i < m; i++)
		bad += t[i] != KG_MAGLEV_NONE;
	ok(rc == 0 && !bad, "all weights 0: returns 0, every slot NONE");

	memset(t, 0, sizeof(t));
	rc = kg_maglev_build(t, m, NULL, 0, NULL);
	for (bad = 0, i = 0; i < m; i++)
		bad += t[i] != KG_MAGLEV_NONE;
	ok(rc == 0 && !bad && kg_maglev_scratch_size(0) == 0,
	   "n=0 (no backend array, no scratch): returns 0, every slot NONE");
	ok(kg_maglev_lookup(t, m, 12345) == KG_MAGLEV_NONE,
	   "lookup in an empty table gives NONE");
	free(scratch);
}

static void test_shares(void)
{
	static const u32 sizes[] = { 0, 10007, 65537, 1000003 };
	struct kg_maglev_backend be[10];
	unsigned int s, i;

	for (i = 0; i < 10; i++)
		be[i] = mkbe(i, 1);
	for (s = 0; s < 4; s++) {
		u32 m = sizes[s] ? sizes[s] : kg_maglev_default_size(10);
		u32 cnt[10], lo = m, hi = 0;
		double dev;
		u16 *t = build(m, be, 10);

		if (!t)
			return;
		count(t, m, cnt, 10);
		for (i = 0; i < 10; i++) {
			lo = cnt[i] < lo ? cnt[i] : lo;
			hi = cnt[i] > hi ? cnt[i] : hi;
		}
		dev = (hi - m / 10.0 > m / 10.0 - lo ? hi - m / 10.0 :
		       m / 10.0 - lo) / (m / 10.0);
		ok(dev <= 0.02 && hi - lo <= 1,
		   "10 equal backends, m=%u: slots %u..%u, max deviation %.3f%% of m/10",
		   m, lo, hi, 100 * dev);
		free(t);
	}

	for (i = 0; i < 3; i++)
		be[i] = mkbe(i, i + 1);
	for (s = 0; s < 4; s++) {
		u32 m = sizes[s] ? sizes[s] : kg_maglev_default_size(3);
		double rel;
		u16 *t = build(m, be, 3);
		int in;

		if (!t)
			return;
		in = within_bound(t, m, be, 3, &rel);
		ok(in && rel <= 0.02,
		   "weights 1:2:3, m=%u: shares within the bound, max deviation %.3f%%",
		   m, 100 * rel);
		free(t);
	}
}

/* A random 5-tuple, IPv4 or IPv6. */
static u32 random_flow(int v6, u32 seed)
{
	u8 s[16], d[16] = { 10, 96, 0, 10 };
	unsigned int i, alen = v6 ? 16 : 4;

	for (i = 0; i < alen; i += 4) {
		u32 r = rnd();

		memcpy(s + i, &r, 4);
	}
	return kg_flow_hash(s, d, alen, (u16)rnd(), 443, 6, seed);
}

/* Lookups of 100k random flows (or sources) land in proportion. */
static void test_flow_shares(void)
{
	struct kg_maglev_backend be[10];
	unsigned int flows = 100000, f, i, c;

	for (c = 0; c < 3; c++) {
		u32 n = c == 1 ? 3 : 10, hits[10] = { 0 }, m, wsum = 0;
		double worst = 0;
		u16 *t;

		for (i = 0; i < n; i++) {
			be[i] = mkbe(i, c == 1 ? i + 1 : 1);
			wsum += be[i].weight;
		}
		m = kg_maglev_default_size(n);
		t = build(m, be, n);
		if (!t)
			return;
		for (f = 0; f < flows; f++) {
			u32 h;

			if (c == 2) {
				u8 src[4];
				u32 r = rnd();

				memcpy(src, &r, 4);
				h = kg_src_hash(src, 4, 0);
			} else {
				h = random_flow(f % 2, 0);
			}
			hits[kg_maglev_lookup(t, m, h)]++;
		}
		for (i = 0; i < n; i++) {
			double want = (double)flows * be[i].weight / wsum;
			double dev = (hits[i] - want) / want;

			dev = dev < 0 ? -dev : dev;
			worst = dev > worst ? dev : worst;
		}
		ok(worst <= 0.05,
		   "100k %s, %s, m=%u: shares within %.2f%% of the weights",
		   c == 2 ? "client IPs (kg_src_hash)" :
			    "5-tuples (kg_flow_hash, v4 and v6)",
		   c == 1 ? "weights 1:2:3" : "10 equal backends", m,
		   100 * worst);
		free(t);
	}
}

/*
 * Of the slots owned by backends present in both tables, the fraction
 * whose owner changed.  @map_new gives each new index its old index, or
 * -1 for a backend absent from the old table.
 */
static double disruption(const u16 *old, const u16 *new, u32 m,
			 u32 gone, const int *map_new)
{
	u32 i, kept = 0, moved = 0;

	for (i = 0; i < m; i++) {
		if (old[i] == gone || map_new[new[i]] < 0)
			continue;
		kept++;
		moved += (u32)map_new[new[i]] != old[i];
	}
	return kept ? (double)moved / kept : 1;
}

/* Remove each backend of @n in turn, and add one at each position. */
static void test_disruption_n(u32 n, int weighted)
{
	struct kg_maglev_backend *be = xmalloc((n + 1) * sizeof(*be));
	struct kg_maglev_backend *be2 = xmalloc((n + 1) * sizeof(*be));
	int *map = xmalloc((n + 1) * sizeof(*map));
	double worst_rm = 0, sum_rm = 0, worst_add = 0, sum_add = 0;
	u32 m = kg_maglev_default_size(n), i, j, r, tries = n < 10 ? n : 10;
	u16 *t = NULL, *t2;

	for (i = 0; i < n; i++)
		be[i] = mkbe(2 * i, weighted ? 1 + rnd() % 10 : 1);
	t = build(m, be, n);
	if (!t)
		goto out;
	for (r = 0; r < tries; r++) {
		u32 gone = r * n / tries;
		double d;

		/* Without backend @gone, the others in the same order. */
		for (i = 0, j = 0; i < n; i++)
			if (i != gone) {
				be2[j] = be[i];
				map[j++] = (int)i;
			}
		t2 = build(m, be2, n - 1);
		if (!t2)
			goto out;
		d = disruption(t, t2, m, gone, map);
		sum_rm += d;
		worst_rm = d > worst_rm ? d : worst_rm;
		free(t2);

		/* With a new backend (odd address) sorted in at @gone. */
		for (i = 0, j = 0; i <= n; i++) {
			if (i == gone) {
				be2[j] = mkbe(2 * gone + 1, weighted ? 5 : 1);
				map[j++] = -1;
			}
			if (i < n) {
				be2[j] = be[i];
				map[j++] = (int)i;
			}
		}
		t2 = build(m, be2, n + 1);
		if (!t2)
			goto out;
		d = disruption(t, t2, m, KG_MAGLEV_NONE, map);
		sum_add += d;
		worst_add = d > worst_add ? d : worst_add;
		free(t2);
	}
	ok(worst_rm <= 0.05,
	   "remove 1 of %u%s backends, m=%u: other backends' slots moved: mean %.2f%%, max %.2f%% (%u cases)",
	   n, weighted ? " weighted" : "", m, 100 * sum_rm / tries,
	   100 * worst_rm, tries);
	ok(worst_add <= 0.05,
	   "add 1 to %u%s backends, m=%u: other backends' slots moved: mean %.2f%%, max %.2f%% (%u cases)",
	   n, weighted ? " weighted" : "", m, 100 * sum_add / tries,
	   100 * worst_add, tries);
out:
	free(t);
	free(map);
	free(be2);
	free(be);
}

static void test_disruption(void)
{
	test_disruption_n(10, 0);
	test_disruption_n(10, 1);
	test_disruption_n(100, 0);
	test_disruption_n(100, 1);
	test_disruption_n(1000, 0);
}

/* A backend of weight 0 leaves the table as if it were not there. */
static void test_zero_is_absent(void)
{
	struct kg_maglev_backend be[20], be2[20];
	u32 m = kg_maglev_default_size(20), i, j, diff = 0;
	int map[20];
	u16 *t, *t2;

	for (i = 0; i < 20; i++)
		be[i] = mkbe(i, 1 + i % 4);
	be[7].weight = 0;
	for (i = 0, j = 0; i < 20; i++)
		if (be[i].weight) {
			be2[j] = be[i];
			map[j++] = (int)i;
		}
	t = build(m, be, 20);
	t2 = build(m, be2, j);
	if (t && t2)
		for (i = 0; i < m; i++)
			diff += t[i] != (u32)map[t2[i]];
	ok(t && t2 && !diff,
	   "weight 0 gives the same table as leaving the backend out (%u slots differ)",
	   diff);
	free(t);
	free(t2);
}

static void test_determinism(void)
{
	struct kg_maglev_backend *a, *b;
	u32 n = 50, m = kg_maglev_default_size(50), i, diff = 0;
	size_t ss = kg_maglev_scratch_size(n);
	u8 *sa = xmalloc(ss), *sb = xmalloc(ss + 64);
	u16 *ta = xmalloc(m * sizeof(u16)), *tb = xmalloc((m + 8) * sizeof(u16));
	u8 *mem = xmalloc(n * sizeof(*a) + 64);
	int ra, rb;

	a = xmalloc(n * sizeof(*a));
	/* The same values elsewhere in memory, in buffers of other content. */
	b = (struct kg_maglev_backend *)(mem + 32);
	for (i = 0; i < n; i++)
		a[i] = b[i] = mkbe(i, 1 + i % 7);
	memset(sa, 0, ss);
	memset(sb, 0xa5, ss + 64);
	memset(ta, 0, m * sizeof(u16));
	memset(tb, 0x5a, (m + 8) * sizeof(u16));
	ra = kg_maglev_build(ta, m, a, n, sa);
	rb = kg_maglev_build(tb + 4, m, b, n, sb + 32);
	for (i = 0; i < m; i++)
		diff += ta[i] != tb[4 + i];
	ok(!ra && !rb && !diff,
	   "same backends from other memory, dirty scratch: identical tables");
	ok(tb[3] == 0x5a5a && tb[4 + m] == 0x5a5a,
	   "build writes exactly m slots");

	memset(sa, 0xff, ss);
	ra = kg_maglev_build(tb + 4, m, a, n, sa);
	for (diff = 0, i = 0; i < m; i++)
		diff += ta[i] != tb[4 + i];
	ok(!ra && !diff, "the same input twice: identical tables");

	free(a);
	free(mem);
	free(ta);
	free(tb);
	free(sa);
	free(sb);
}

/* FNV-1a of a table, to pin one down. */
static uint64_t table_hash(const u16 *t, u32 m)
{
	uint64_t h = 0xcbf29ce484222325ull;
	u32 i;

	for (i = 0; i < m; i++)
		h = (h ^ t[i]) * 0x100000001b3ull;
	return h;
}

/*
 * Equal weights take the turns round robin without the heap: the tables
 * are pinned to those the heap gave (the figures were printed by the build
 * before that shortcut), for any weight, and weighted ones stay as well.
 */
static void test_pinned(void)
{
	static const struct {
		u32 n, w;	/* w 0: weight 1 + i % 3 */
		uint64_t hash;
	} pin[] = {
		{ 1, 1, 0x99a289429e208ad7ull },
		{ 2, 7, 0x4349da5536088700ull },
		{ 3, 1, 0xccafe5fbfc82a609ull },
		{ 5, 1, 0xf57e8ad615ed882dull },
		{ 5, 7, 0xf57e8ad615ed882dull },
		{ 10, 7, 0x363a574729ef3aefull },
		{ 50, 1, 0xf6c33ef7ac5561faull },
		{ 100, 1, 0xc8fee06d0f63f98full },
		{ 1000, 7, 0x0b7341a50e8e35f4ull },
		{ 5, 0, 0x4b44a2f3f33533e6ull },
		{ 100, 0, 0x17b2c3f692b07c5aull },
	};
	unsigned int k, i;

	for (k = 0; k < sizeof(pin) / sizeof(pin[0]); k++) {
		u32 n = pin[k].n, m = kg_maglev_default_size(n);
		struct kg_maglev_backend *be = xmalloc(n * sizeof(*be));
		u16 *t;

		for (i = 0; i < n; i++)
			be[i] = mkbe(i, pin[k].w ? pin[k].w : 1 + i % 3);
		t = build(m, be, n);
		ok(t && table_hash(t, m) == pin[k].hash,
		   "n=%u weights %s: the table pinned", n,
		   pin[k].w ? "equal" : "1 + i % 3");
		free(t);
		free(be);
	}
}

/* Returns 1 if the build was refused with -EINVAL and left @t alone. */
static int refused(u32 m, const struct kg_maglev_backend *be, u32 n)
{
	u32 i, size = m < 300 ? 300 : m, touched = 0;
	u16 *t = xmalloc(size * sizeof(*t));
	void *scratch = xmalloc(kg_maglev_scratch_size(n));
	int rc;

	for (i = 0; i < size; i++)
		t[i] = 0x1234;
	rc = kg_maglev_build(t, m, be, n, scratch);
	for (i = 0; i < size; i++)
		touched += t[i] != 0x1234;
	free(scratch);
	free(t);
	return rc == -EINVAL && !touched;
}

static void test_bad_input(void)
{
	struct kg_maglev_backend *be = xmalloc(0x10000 * sizeof(*be));
	u32 i, big = KGATE_TABLE_SIZE_MAX + 1;
	void *scratch = xmalloc(kg_maglev_scratch_size(2));
	u16 t[2];

	for (i = 0; i < 0x10000; i++)
		be[i] = mkbe(i, 1);
	while (!kg_is_prime(big))
		big++;
	ok(refused(100, be, 3) && refused(1, be, 1) && refused(0, be, 0) &&
	   refused(209, be, 3),
	   "m not prime (100, 1, 0, 209 = 11 * 19): -EINVAL, table untouched");
	ok(refused(101, be, 102) && refused(2, be, 3),
	   "m < n (101 < 102, 2 < 3): -EINVAL");
	ok(refused(big, be, 3), "m = %u, the first prime above the maximum: -EINVAL",
	   big);
	ok(refused(KGATE_TABLE_SIZE_MAX, be, 0x10000),
	   "n = 65536 > KG_MAGLEV_BACKENDS_MAX: -EINVAL");
	be[1].weight = KGATE_WEIGHT_MAX + 1;
	ok(refused(101, be, 3), "weight KGATE_WEIGHT_MAX + 1: -EINVAL");
	be[0].weight = KGATE_WEIGHT_MAX;
	be[1].weight = KGATE_WEIGHT_MAX;
	ok(!kg_maglev_build(t, 2, be, 2, scratch) && t[0] != t[1] &&
	   t[0] < 2 && t[1] < 2,
	   "m = n = 2 and weight KGATE_WEIGHT_MAX accepted: one slot each");
	free(scratch);
	free(be);
}

static void test_default_size(void)
{
	static unsigned char composite[KGATE_TABLE_SIZE_MAX + 1];
	u32 n, i, bad = 0, changes = 0, prev = 0;

	/* Reference primes by a sieve, independent of kg_is_prime(). */
	composite[0] = composite[1] = 1;
	for (i = 2; i * i <= KGATE_TABLE_SIZE_MAX; i++)
		if (!composite[i])
			for (n = i * i; n <= KGATE_TABLE_SIZE_MAX; n += i)
				composite[n] = 1;
	for (n = 0; n <= 10100; n++) {
		u32 m = kg_maglev_default_size(n);
		u32 want = 100 * n < KGATE_TABLE_SIZE_MIN ?
			   KGATE_TABLE_SIZE_MIN : 100 * n;

		if (want > KGATE_TABLE_SIZE_MAX)
			want = KGATE_TABLE_SIZE_MAX;
		if (m > KGATE_TABLE_SIZE_MAX || m < want || composite[m])
			bad++;
		/* A rung, not more than about twice what is needed. */
		if (m > 2 * want + 256)
			bad++;
		changes += n && m != prev;
		prev = m;
	}
	ok(!bad,
	   "default size for n = 0..10100: a prime >= max(%u, 100 n), at most ~2x that, capped (%u wrong)",
	   KGATE_TABLE_SIZE_MIN, bad);
	ok(changes <= 12,
	   "default size changes only at the rungs of its ladder (%u times for n = 0..10100)",
	   changes);
	ok(kg_maglev_default_size(9) == kg_maglev_default_size(10) &&
	   kg_maglev_default_size(99) == kg_maglev_default_size(100),
	   "removing one of 10 or of 100 backends keeps the default size");
	ok(kg_maglev_default_size(1) == 251 &&
	   kg_maglev_default_size(10) == 1021 &&
	   kg_maglev_default_size(1000) == 131071 &&
	   kg_maglev_default_size(10000) == KGATE_TABLE_SIZE_MAX &&
	   kg_maglev_default_size(10001) == KGATE_TABLE_SIZE_MAX &&
	   kg_maglev_default_size(0xffffffff) == KGATE_TABLE_SIZE_MAX,
	   "default size: 1 -> 251, 10 -> 1021, 1000 -> 131071, 10000 and more -> %u",
	   KGATE_TABLE_SIZE_MAX);
}

static void test_turns(void)
{
	static const u32 w[] = { 1, 2, 3 };
	struct kg_maglev_backend be[3];
	u32 m = 1021, i, rr_bad = 0, cnt[3] = { 0 }, run = 0, worst = 0;
	u16 *t = malloc(m * sizeof(*t)), *turns = malloc(m * sizeof(*turns));
	u16 *plain = malloc(m * sizeof(*plain));
	void *scratch = malloc(kg_maglev_scratch_size(3));

	for (i = 0; i < 3; i++)
		be[i] = mkbe(i, 1);
	kg_maglev_build_turns(t, turns, m, be, 3, scratch);
	for (i = 0; i < m; i++)
		rr_bad += turns[i] != i % 3;
	ok(!rr_bad, "turns: equal weights give round robin in array order");

	for (i = 0; i < 3; i++)
		be[i] = mkbe(i, w[i]);
	kg_maglev_build_turns(t, turns, m, be, 3, scratch);
	kg_maglev_build(plain, m, be, 3, scratch);
	for (i = 0; i < m; i++) {
		cnt[turns[i]]++;
		run = i && turns[i] == turns[i - 1] ? run + 1 : 1;
		if (run > worst)
			worst = run;
	}
	ok(!memcmp(t, plain, m * sizeof(*t)),
	   "turns: the table is the same as kg_maglev_build()'s");
	ok(cnt[0] * 6 >= m - 6 && cnt[0] * 6 <= m + 6 &&
	   cnt[2] * 2 >= m - 2 && cnt[2] * 2 <= m + 2,
	   "turns: weights 1:2:3 give 1/6, 2/6, 3/6 of the turns (%u %u %u)",
	   cnt[0], cnt[1], cnt[2]);
	ok(worst <= 2, "turns: interleaved, at most %u turns in a row", worst);
	free(t);
	free(turns);
	free(plain);
	free(scratch);
}

static void test_lookup(void)
{
	static const u32 h[] = { 0, 1, 100, 101, 65535, 0x80000000,
				 0xfffffffe, 0xffffffff };
	struct kg_maglev_backend be[4];
	u32 m = 101, i, bad = 0;
	u16 *t;

	for (i = 0; i < 4; i++)
		be[i] = mkbe(i, 1);
	t = build(m, be, 4);
	if (!t)
		return;
	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		bad += kg_maglev_lookup(t, m, h[i]) != t[h[i] % m];
	ok(!bad, "lookup is table[hash %% m], also for hashes near 2^32");
	free(t);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The largest input: bounded work, and weights still honoured. */
static void test_big(void)
{
	u32 n = KGATE_BACKENDS_MAX, m = KGATE_TABLE_SIZE_MAX, i;
	struct kg_maglev_backend *be = xmalloc(n * sizeof(*be));
	double t0, rel;
	u16 *t;
	int in;

	for (i = 0; i < n; i++)
		be[i] = mkbe(i, 1 + rnd() % KGATE_WEIGHT_MAX);
	tap_note("maglev: building m=%u n=%u", m, n);
	t0 = now();
	t = build(m, be, n);
	if (!t)
		goto out;
	in = within_bound(t, m, be, n, &rel);
	ok(all_valid(t, m, be, n) && in,
	   "m=%u, n=%u, weights 1..%u: built, all valid, shares within the bound (max deviation %.2f%%)",
	   m, n, KGATE_WEIGHT_MAX, 100 * rel);
	tap_note("m=%u n=%u built in %.3f s (ASan/UBSan build)", m, n,
		 now() - t0);
	free(t);

	/* One heavy backend and many light ones. */
	be[0].weight = KGATE_WEIGHT_MAX;
	for (i = 1; i < n; i++)
		be[i].weight = 1;
	m = kg_maglev_default_size(n);
	t = build(m, be, n);
	if (!t)
		goto out;
	in = within_bound(t, m, be, n, &rel);
	ok(all_valid(t, m, be, n) && in,
	   "weights 10000:1 x 999, m=%u: shares within the bound (max deviation %.2f%%)",
	   m, 100 * rel);
	free(t);
out:
	free(be);
}

int main(void)
{
	test_hash();
	test_fill();
	test_none();
	test_shares();
	test_flow_shares();
	tap_note("maglev: disruption");
	test_disruption();
	test_zero_is_absent();
	test_determinism();
	test_pinned();
	test_bad_input();
	test_default_size();
	test_turns();
	test_lookup();
	test_big();
	return tap_done();
}
